/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vs_ct.h: connection tracking and policy enforcement in the workers
 * (docs/architecture.md, "Connection tracking"): the flow key and entry,
 * the shared connection table, the per-worker state (fragment table,
 * denial log ring, per-rule counters, burst scratch), and the functions of
 * vs_ct.c (table, reclaim, listing), vs_ct_stage.c (the data-path stage),
 * vs_frag.c (fragments) and vs_dlog.c (denial log).
 *
 * The connection table is ONE rte_hash for all workers, in lock-free
 * read/write concurrency mode with multi-writer add
 * (RTE_HASH_EXTRA_FLAGS_RW_CONCURRENCY_LF | MULTI_WRITER_ADD | EXT_TABLE),
 * with key slots recycled under the switch's RCU (rte_hash_rcu_qsbr_add,
 * defer queue): a flow's replies find its entry whatever worker polls the
 * port they arrive on (one rx queue per vhost port, ports spread over
 * workers). Keys are canonical (the lower address/port pair first), so
 * one entry serves both directions; the entry says which side opened it.
 * The key's position in the hash indexes an array of struct ct_entry.
 *
 * Thread-safety:
 *  - workers look up (bulk), add (new flows) and update entries in place:
 *    the state word by compare-and-swap, timestamps, policy generation and
 *    verdicts with relaxed atomic stores, per-direction counters relaxed
 *    (two workers counting the same direction may lose an increment);
 *    last_tsc is coarse: rewritten only once it is ts_grain (about 1 ms)
 *    old, so an entry expires at most that much early;
 *  - only the control thread deletes (vs_ct_reclaim, from housekeeping),
 *    and only entries idle for their timeout plus CT_RECLAIM_MARGIN_S:
 *    a worker treats an entry past its timeout as gone and reuses it in
 *    place, so the two never disagree about a live flow;
 *  - an entry's slot comes back to an add only after a grace period
 *    (rte_hash's RCU defer queue on vs->qsv), so a worker that looked up a
 *    key never sees its slot reused within its loop iteration;
 *  - struct vs_ct_wk is its worker's own; the control thread reads its
 *    counters (relaxed) and drains its log ring (single consumer).
 */
#ifndef NPVS_VS_CT_H
#define NPVS_VS_CT_H

#include <assert.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

#include <rte_byteorder.h>
#include <rte_common.h>

#include "vs_api.h"

struct acl_ruleset;
struct rte_hash;
struct rte_ring;
struct rte_mbuf;
struct vs;
struct vs_worker;
struct vs_snap;

#define VS_CT_BURST 32                  /* = VS_BURST */
#define VS_RULES_MAX 65536              /* per-rule counters; higher: slot 0 */
#define CT_RECLAIM_MARGIN_S 1           /* control waits this beyond a timeout */
#define CT_RECLAIM_SLICE 4096           /* entries examined per housekeeping */

/**
 * A flow, canonical: (a, ap) is the lower of the two (address, port)
 * pairs, compared as bytes; both directions give the same key. IPv4
 * addresses use the first 4 bytes, the rest zero. Ports in network
 * order; ICMP echo puts its identifier in both.
 */
struct ct_key {
	uint8_t a[16];
	uint8_t b[16];
	rte_be16_t ap;
	rte_be16_t bp;
	uint8_t proto;
	uint8_t family;         /* AF_INET, AF_INET6 */
	uint16_t zero;
};
static_assert(sizeof(struct ct_key) == 40, "ct_key layout");
static_assert(sizeof(struct ct_key) == 5 * sizeof(uint64_t), "vs_ct_key_eq");

/** Entry states; each has its own timeout (vs_ct_config). */
enum ct_state {
	CT_ST_NONE,
	CT_ST_SYN_SENT,         /* SYN seen */
	CT_ST_SYN_RECV,         /* SYN+ACK seen */
	CT_ST_ESTABLISHED,      /* the opener's ACK of the SYN+ACK seen */
	CT_ST_FIN_WAIT,         /* one side's FIN seen */
	CT_ST_CLOSED,           /* both FINs or an RST: lingers briefly */
	CT_ST_UDP,
	CT_ST_SCTP,
	CT_ST_ICMP,             /* echo request/reply by identifier */
	CT_ST_MAX,
};

/* Flags in the upper byte of ct_entry.st. */
#define CT_F_ORIG_A   0x01      /* the opener is the key's side a */
#define CT_F_DENIED   0x02      /* re-check denied: drop until allowed */
#define CT_F_FIN_ORIG 0x04
#define CT_F_FIN_REPL 0x08
#define CT_F_REPLIED  0x10      /* a packet of the reply direction seen */

#define CT_ST(w) ((uint8_t)((w) & 0xff))
#define CT_FL(w) ((uint8_t)((w) >> 8))
#define CT_WORD(st, fl) ((uint16_t)((st) | ((uint16_t)(fl) << 8)))

/* ct_entry.in_use */
#define CT_FREE 0
#define CT_CLAIMED 1            /* being filled by the worker that added it */
#define CT_READY 2

/** One tracked flow; index = the key's position in the hash. */
struct ct_entry {
	/* Hot: every packet of the flow. */
	uint64_t last_tsc;      /* atomic relaxed */
	uint32_t pol_gen;       /* policy generation it was checked under */
	uint16_t st;            /* atomic CAS: state | flags << 8 */
	uint8_t in_use;         /* atomic: CT_FREE / CT_CLAIMED / CT_READY */
	uint8_t worker;         /* the worker that admitted it */
	uint32_t verdict[2];    /* acl verdicts: [ACL_DIR_INGRESS/EGRESS] */
	uint16_t in_port;       /* port of the opening packet */
	uint16_t pad;
	uint64_t pkts[2];       /* [0] opener -> peer, [1] replies */
	uint64_t bytes[2];
	/* Cold: listing and reclaim. */
	uint64_t created_tsc;
	struct ct_key key;
} __rte_cache_aligned;
static_assert(sizeof(struct ct_entry) <= 128, "ct_entry must stay <= 128 B");
/* What every packet reads and writes is in the first line (prefetched). */
static_assert(offsetof(struct ct_entry, created_tsc) <= 64, "ct_entry hot line");

/** The shared connection table. */
struct vs_ct {
	struct rte_hash *h;
	struct ct_entry *e;     /* [n_slots] */
	uint32_t n_slots;       /* rte_hash_max_key_id + 1 */
	uint32_t max;           /* admitted flows at most (config ct.max) */
	uint32_t count;         /* atomic: flows in the table */
	uint64_t to_tsc[CT_ST_MAX];     /* timeouts in tsc ticks */
	uint64_t frag_to_tsc;
	uint64_t margin_tsc;
	uint64_t ts_grain;      /* last_tsc is rewritten when this much older */
	uint32_t cursor;        /* control: next slot to examine */
};

/**
 * The hash of a key, as the table computes it (vs_ct.c sets hash_func to
 * rte_hash_crc, init 0): workers hash once and use the *_with_hash calls.
 */
#define VS_CT_HASH_INIT 0

/**
 * A worker's cache of the policy's address table for local endpoints:
 * endpoint id (the LPM's next hop) -> its acl_endpoint in the policy of
 * generation gen, for address addr (ids are reused). Worker only.
 */
struct vs_ct_epc {
	const struct vs_policy *pol;    /* NULL: empty */
	uint32_t gen;           /* pol->gen (a policy's address may recur) */
	rte_be32_t addr;
	const struct acl_endpoint *ep;  /* NULL: not in the policy */
};

struct acl_endpoint;

/** A decision about one packet of a burst (stage scratch). */
struct ct_pkt {
	struct ct_key key;      /* the flow (or, RELATED, the quoted flow) */
	uint8_t kind;           /* enum ct_pkt_kind (vs_ct_stage.c) */
	uint8_t proto;
	uint8_t tcp_flags;
	uint8_t icmp_type;
	uint8_t from_a;         /* packet source is the key's side a */
	uint8_t opener_a;       /* policy: the flow's opener is side a */
	uint8_t frag_first;     /* first fragment of a datagram: remember */
	uint8_t self;           /* opener and peer are one pod */
	rte_be16_t sport, dport;        /* as in the packet (0: no ports) */
	int32_t pos;            /* ct slot, <0: none */
	uint32_t verdict[2];    /* [ACL_DIR_INGRESS], [ACL_DIR_EGRESS] */
	const struct acl_endpoint *se, *de;     /* opener, peer (or NULL) */
};

/** One binary denial record (vs_dlog.c): what a worker pushes. */
struct vs_dlog_rec {
	uint64_t tsc;
	uint8_t src[16], dst[16];
	rte_be16_t sport, dport;
	uint8_t family, proto;
	uint8_t reason;         /* enum vs_drop */
	uint8_t dir;            /* denying side: 1 egress, 2 ingress, 3 both */
	uint16_t in_port;
	uint16_t ep;            /* local endpoint id that denied, or UINT16_MAX */
	uint32_t pad;
};
static_assert(sizeof(struct vs_dlog_rec) % 4 == 0, "ring element size");

/** What a worker owns for conntrack and policy. */
struct vs_ct_wk {
	struct rte_hash *frag;          /* (src, dst, id, proto) -> verdict */
	uint32_t frag_cursor;           /* reclaim iterator */
	struct rte_ring *dlog;          /* SP/SC, struct vs_dlog_rec */
	uint64_t *rule_allowed;         /* [VS_RULES_MAX] packets per verdict */
	uint64_t *ep_denied;            /* [2 * VS_EP_MAX]: [dir][endpoint id] */
	uint64_t dlog_full;             /* records dropped: ring full */

	struct vs_ct_epc *epc;          /* [VS_EP_MAX] */

	/* per-burst scratch */
	struct ct_pkt p[VS_CT_BURST];
	const void *kp[VS_CT_BURST];
	uint32_t sig[VS_CT_BURST];      /* hash of kp[i] */
	int32_t pos[VS_CT_BURST];
	uint16_t idx[VS_CT_BURST];
	uint8_t lk[VS_CT_BURST];        /* packet -> its lookup (kp index) */
	uint16_t n_chk;                 /* packets to classify */
	uint16_t chk[VS_CT_BURST];
	uint32_t grp[2][VS_CT_BURST];        /* [acl_dir][chk index] */
	const void *ekey[2 * VS_CT_BURST];
	void *edata[2 * VS_CT_BURST];
	uint16_t emiss[2 * VS_CT_BURST];        /* ekey[j]: 2 * chk index + end */
	const uint8_t *akey[VS_CT_BURST];
	uint32_t averd[VS_CT_BURST];
	uint8_t abuf[VS_CT_BURST][32] __rte_aligned(8); /* acl_key4/6 */
};

/**
 * The live policy as workers see it (vs_policy.c): the ruleset, its
 * addresses in two read-only rte_hash tables (IPv4, IPv6: address ->
 * const struct acl_endpoint *), and its generation. Shared by reference
 * count among the snapshots that carry it; control thread only but for
 * reads through a snapshot.
 */
struct vs_policy {
	struct acl_ruleset *rs;
	struct rte_hash *ep4;
	struct rte_hash *ep6;
	uint32_t gen;           /* vs->pol_gen when published */
	uint32_t refs;
};

/* vs_policy.c */
struct vs_policy *vs_policy_create(struct acl_ruleset *rs, uint32_t gen,
		uint64_t name_gen);
void vs_policy_unref(struct vs_policy *p);
/** Point snapshot s at the live policy (one more reference). */
void vs_policy_snap_set(struct vs *vs, struct vs_snap *s);

/* vs_ct.c: the table, control side */
void vs_ct_config_defaults(struct vs_ct_config *c);
int vs_ct_create(struct vs *vs, char *err, size_t errlen);
void vs_ct_free(struct vs *vs);
/** Delete every entry (tests; flows then start over as new). */
void vs_ct_flush(struct vs *vs);
/** Delete a slice of expired entries (housekeeping). */
void vs_ct_reclaim(struct vs *vs, uint64_t now);
/** Name of a state ("ESTABLISHED"). */
const char *vs_ct_state_name(uint8_t st);
/** The slot of a flow's entry (control thread), or -ENOENT. */
int32_t vs_ct_find(struct vs *vs, const struct ct_key *k);
/** Timeout of an entry in state st, tsc ticks. */
static inline uint64_t
vs_ct_timeout(const struct vs_ct *ct, uint8_t st)
{
	return ct->to_tsc[st < CT_ST_MAX ? st : CT_ST_NONE];
}
/* A key read or written as five 64-bit words (vs_ct_key4_make). */
typedef uint64_t vs_ct_word __attribute__((__may_alias__, __aligned__(1)));
static_assert(offsetof(struct ct_key, ap) == 32 &&
		offsetof(struct ct_key, bp) == 34 &&
		offsetof(struct ct_key, proto) == 36 &&
		offsetof(struct ct_key, family) == 37, "ct_key words");

/**
 * vs_ct_key_make for IPv4 (addresses and ports in network order). The key
 * is written as five whole 64-bit words, and vs_ct_key_eq and rte_hash_crc
 * read it as such: a word load that spans several smaller stores cannot
 * take its value from the store buffer and waits for them to retire (a
 * stall on every packet, seen with memset plus byte stores here).
 */
static inline void
vs_ct_key4_make(struct ct_key *k, rte_be32_t src, rte_be32_t dst,
		rte_be16_t sport, rte_be16_t dport, uint8_t proto,
		uint8_t *from_a)
{
	uint32_t s = rte_be_to_cpu_32(src), d = rte_be_to_cpu_32(dst);
	/* memcmp of the bytes is the comparison in host order */
	bool a_src = s < d || (s == d &&
			rte_be_to_cpu_16(sport) <= rte_be_to_cpu_16(dport));
	vs_ct_word *w = (vs_ct_word *)k;

#if RTE_BYTE_ORDER == RTE_LITTLE_ENDIAN
	/* a word's low bytes come first in memory */
	w[0] = a_src ? src : dst;
	w[1] = 0;
	w[2] = a_src ? dst : src;
	w[3] = 0;
	w[4] = (uint64_t)(a_src ? sport : dport) |
		(uint64_t)(a_src ? dport : sport) << 16 |
		(uint64_t)proto << 32 | (uint64_t)AF_INET << 40;
#else
	RTE_SET_USED(w);
	memset(k, 0, sizeof(*k));
	memcpy(k->a, a_src ? &src : &dst, 4);
	memcpy(k->b, a_src ? &dst : &src, 4);
	k->ap = a_src ? sport : dport;
	k->bp = a_src ? dport : sport;
	k->proto = proto;
	k->family = AF_INET;
#endif
	*from_a = a_src;
}

/** Do two keys name the same flow? (Word loads: vs_ct_key4_make.) */
static inline bool
vs_ct_key_eq(const struct ct_key *x, const struct ct_key *y)
{
	const vs_ct_word *a = (const vs_ct_word *)x;
	const vs_ct_word *b = (const vs_ct_word *)y;

	return ((a[0] ^ b[0]) | (a[1] ^ b[1]) | (a[2] ^ b[2]) |
			(a[3] ^ b[3]) | (a[4] ^ b[4])) == 0;
}

/** Canonical key of (src, sport) -> (dst, dport); *from_a out. */
void vs_ct_key_make(struct ct_key *k, uint8_t family, const uint8_t *src,
		const uint8_t *dst, rte_be16_t sport, rte_be16_t dport,
		uint8_t proto, uint8_t *from_a);

/* vs_ct_stage.c: the data-path stage */
void vs_stage_ct(struct vs_worker *w, const struct vs_snap *snap,
		uint16_t in_port, struct rte_mbuf **pkts, uint16_t n);
/** n more packets (bytes) of entry pos in direction dir (0 from the
 *  opener), and of the rules that admitted it: a passed packet's run. */
void vs_ct_run_add(struct vs_worker *w, int32_t pos, uint8_t dir, uint32_t n,
		uint64_t bytes);

/**
 * Fill an rte_acl key (acl_fields.h) for one direction of a flow from
 * opener (src, sport) to peer (dst, dport): the workers and vs_trace()
 * both use it. buf holds 32 bytes. local: the endpoint whose rules
 * apply (src for egress, dst for ingress); peer_ep: the other end's
 * entry or NULL (an outside host).
 */
void vs_ct_acl_key(void *buf, uint8_t family, int dir, uint32_t group,
		const struct acl_endpoint *peer_ep, uint8_t proto,
		const uint8_t *src, const uint8_t *dst, rte_be16_t sport,
		rte_be16_t dport);

/* vs_frag.c: later fragments follow the first one's verdict */
struct rte_ipv4_hdr;
int vs_frag_create(struct vs_ct_wk *cw, unsigned int idx, uint32_t n);
void vs_frag_free(struct vs_ct_wk *cw);
void vs_frag_record(struct vs_ct_wk *cw, const struct vs_ct *ct,
		const struct rte_ipv4_hdr *ip, uint64_t now, bool allowed);
bool vs_frag_allowed(struct vs_ct_wk *cw, const struct rte_ipv4_hdr *ip,
		uint64_t now);

/* vs_dlog.c: denial records and per-rule counters */
int vs_dlog_create(struct vs *vs, char *err, size_t errlen);
void vs_dlog_free(struct vs *vs);
void vs_dlog_drain(struct vs *vs);
struct vs_ct_info;
void vs_dlog_info(struct vs *vs, struct vs_ct_info *out);
struct acl_origin;
void vs_rule_ref_fill(struct vs_rule_ref *r, const struct acl_origin *o);

#endif /* NPVS_VS_CT_H */
