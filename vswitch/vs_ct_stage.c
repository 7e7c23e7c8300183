/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vs_ct_stage.c: the conntrack and policy stage (vs_ct.h), between the
 * ARP and route stages, over the whole burst:
 *
 *   parse   L4 of every tracked IPv4 packet: ports, TCP flags, ICMP type;
 *           the quoted header of ICMP errors; truncated headers are
 *           l4_malformed; later fragments wait for the end of the stage,
 *           where they follow their first (vs_frag.c), which is often
 *           in the same burst
 *   lookup  each canonical key hashed once (rte_hash_crc, as the table
 *           does), one rte_hash_lookup_with_hash_bulk of the keys (a key
 *           equal to the one before it, e.g. a request and its reply, is
 *           looked up once), the entries found prefetched
 *   decide  hit: the entry's state machine (or a re-check when the policy
 *           changed since its check); miss: a new flow if the protocol
 *           allows one here (TCP: SYN only, unless tcp_loose; ICMP: echo
 *           requests), else dropped and counted
 *   policy  for new flows and re-checks: both ends in the policy's
 *           address table (local endpoints through a per-worker cache by
 *           endpoint id, the rest in one bulk lookup), then, per
 *           direction, one acl_classify() per endpoint group present in
 *           the burst
 *   apply   admit allowed new flows (rte_hash_add_key_with_hash with the
 *           lookup's hash, for the whole burst, then the entries filled
 *           once their lines are fetched), drop and log (vs_dlog_rec on
 *           the worker's ring) denied ones
 *   track   the state word of each packet's entry; counters (entry, rule)
 *           and the timestamp once per run of packets of one entry in the
 *           burst; the timestamp is rewritten only when ts_grain old
 *
 * Tracked packets: IPv4 to a local endpoint or to another node's pod
 * (what the route stage forwards); the gateway's own traffic is not.
 *
 * Thread-safety: worker lcores; see vs_ct.h for how entries are shared.
 * No locks (rte_hash's multi-writer add takes its own internal lock for
 * the insert of a new flow), no allocation.
 */
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include <rte_cycles.h>
#include <rte_hash.h>
#include <rte_hash_crc.h>
#include <rte_icmp.h>
#include <rte_ip.h>
#include <rte_prefetch.h>
#include <rte_ring_elem.h>
#include <rte_sctp.h>
#include <rte_tcp.h>
#include <rte_udp.h>

#include "acl_fields.h"
#include "acl_ruleset.h"
#include "vs_stages.h"

enum ct_pkt_kind {
	CT_PK_SKIP,             /* not tracked, or already dropped */
	CT_PK_FLOW,             /* look up its flow */
	CT_PK_RELATED,          /* ICMP error: look up the quoted flow */
	CT_PK_FRAG,             /* a later fragment */
	CT_PK_ONESHOT,          /* policy per packet, no entry (other ICMP) */
	CT_PK_NEW,              /* policy, then admit */
	CT_PK_RECHECK,          /* policy, then update the entry */
	CT_PK_PASS,             /* forward: an allowed flow's packet */
	CT_PK_ADMIT,            /* its key added at pos: fill the entry */
};

#define TCP_SYN_ONLY(f) (((f) & (RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG | \
		RTE_TCP_RST_FLAG)) == RTE_TCP_SYN_FLAG)
#define ICMP_ECHO_REQ 8
#define ICMP_ECHO_REPLY 0
#define ICMP_UNREACH 3
#define ICMP_QUENCH 4
#define ICMP_TIME_EXCEEDED 11
#define ICMP_PARAM_PROBLEM 12

/* ---- parse ---- */

/*
 * What the route stage forwards: to a local endpoint, or to a pod of
 * another node through VXLAN (dst_vtep). The rest is dropped there.
 */
static inline bool
tracked(const struct vs_snap *snap, const struct vs_pkt_meta *pm)
{
	return pm->kind == VS_PK_IP4 && ((pm->dst_nh != VS_NH_MISS &&
			snap->ep[pm->dst_nh].valid) ||
			pm->dst_vtep != VS_NH_MISS);
}

static bool
parse_tcp(struct ct_pkt *cp, const uint8_t *l4, uint32_t avail,
		uint32_t l4len)
{
	const struct rte_tcp_hdr *t = (const void *)l4;
	uint32_t doff;
	uint8_t f;

	if (avail < sizeof(*t))
		return false;
	doff = (uint32_t)(t->data_off >> 4) * 4;
	f = t->tcp_flags & 0x3f;
	if (doff < sizeof(*t) || doff > l4len ||
			((f & RTE_TCP_SYN_FLAG) &&
			 (f & (RTE_TCP_RST_FLAG | RTE_TCP_FIN_FLAG))))
		return false;
	cp->sport = t->src_port;
	cp->dport = t->dst_port;
	cp->tcp_flags = f;
	return true;
}

static bool
parse_udp(struct ct_pkt *cp, const uint8_t *l4, uint32_t avail,
		uint32_t l4len)
{
	const struct rte_udp_hdr *u = (const void *)l4;
	uint32_t dlen;

	if (avail < sizeof(*u))
		return false;
	dlen = rte_be_to_cpu_16(u->dgram_len);
	/* A first fragment carries only part of the datagram. */
	if (dlen < sizeof(*u) || (!cp->frag_first && dlen > l4len))
		return false;
	cp->sport = u->src_port;
	cp->dport = u->dst_port;
	return true;
}

/* Ports (or echo identifier) of the packet an ICMP error quotes. */
static bool
parse_quoted(struct ct_pkt *cp, const uint8_t *q, uint32_t avail)
{
	const struct rte_ipv4_hdr *ip = (const void *)q;
	const uint8_t *l4;
	rte_be16_t sp = 0, dp = 0;
	uint32_t ih;

	if (avail < sizeof(*ip))
		return false;
	ih = rte_ipv4_hdr_len(ip);
	/* RFC 792: the header and at least 64 bits of the datagram. */
	if ((ip->version_ihl >> 4) != 4 || ih < sizeof(*ip) || avail < ih + 8)
		return false;
	l4 = q + ih;
	switch (ip->next_proto_id) {
	case IPPROTO_TCP:
	case IPPROTO_UDP:
	case IPPROTO_SCTP:
		memcpy(&sp, l4, 2);
		memcpy(&dp, l4 + 2, 2);
		break;
	case IPPROTO_ICMP:
		if (l4[0] != ICMP_ECHO_REQ && l4[0] != ICMP_ECHO_REPLY)
			return false;
		memcpy(&sp, l4 + 4, 2);
		dp = sp;
		break;
	default:
		break;
	}
	vs_ct_key4_make(&cp->key, ip->src_addr, ip->dst_addr, sp, dp,
			ip->next_proto_id, &cp->from_a);
	return true;
}

static bool
parse_icmp(struct ct_pkt *cp, const uint8_t *l4, uint32_t avail)
{
	const struct rte_icmp_hdr *h = (const void *)l4;

	if (avail < sizeof(*h))
		return false;
	cp->icmp_type = h->icmp_type;
	switch (h->icmp_type) {
	case ICMP_ECHO_REQ:
	case ICMP_ECHO_REPLY:
		cp->sport = cp->dport = h->icmp_ident;
		return true;
	case ICMP_UNREACH:
	case ICMP_QUENCH:
	case ICMP_TIME_EXCEEDED:
	case ICMP_PARAM_PROBLEM:
		cp->kind = CT_PK_RELATED;
		return parse_quoted(cp, l4 + sizeof(*h), avail - sizeof(*h));
	default:
		cp->kind = CT_PK_ONESHOT;
		return true;
	}
}

/* L4 of one packet; false: truncated or inconsistent. */
static bool
parse_l4(struct ct_pkt *cp, const struct rte_ipv4_hdr *ip, uint32_t room)
{
	uint32_t hlen = rte_ipv4_hdr_len(ip);
	uint32_t l4len = rte_be_to_cpu_16(ip->total_length) - hlen;
	uint32_t avail = RTE_MIN(room, l4len);
	const uint8_t *l4 = (const uint8_t *)ip + hlen;

	switch (cp->proto) {
	case IPPROTO_TCP:
		return parse_tcp(cp, l4, avail, l4len);
	case IPPROTO_UDP:
		return parse_udp(cp, l4, avail, l4len);
	case IPPROTO_SCTP:
		if (avail < sizeof(struct rte_sctp_hdr))
			return false;
		memcpy(&cp->sport, l4, 2);
		memcpy(&cp->dport, l4 + 2, 2);
		return true;
	case IPPROTO_ICMP:
		return parse_icmp(cp, l4, avail);
	default:
		return true;    /* tracked by addresses alone */
	}
}

static void
parse_one(struct vs_worker *w, struct rte_mbuf *m, struct vs_pkt_meta *pm,
		struct ct_pkt *cp)
{
	const struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod_offset(m,
			const void *, pm->l3_off);
	uint32_t hlen = rte_ipv4_hdr_len(ip);
	uint16_t frag = rte_be_to_cpu_16(ip->fragment_offset);

	cp->kind = CT_PK_FLOW;
	cp->proto = ip->next_proto_id;
	cp->pos = -1;
	cp->sport = cp->dport = 0;
	cp->tcp_flags = cp->icmp_type = 0;
	if (frag & RTE_IPV4_HDR_OFFSET_MASK) {
		cp->kind = CT_PK_FRAG;
		return;
	}
	cp->frag_first = (frag & RTE_IPV4_HDR_MF_FLAG) != 0;
	/* parse (vs_pipeline.c) checked that the IP header fits. */
	if (!parse_l4(cp, ip, rte_pktmbuf_data_len(m) - pm->l3_off - hlen)) {
		cp->kind = CT_PK_SKIP;
		cp->frag_first = 0;
		vs_pkt_drop(w, m, pm, VS_DROP_L4_MALFORMED);
		return;
	}
	if (cp->kind != CT_PK_RELATED)
		vs_ct_key4_make(&cp->key, ip->src_addr, ip->dst_addr,
				cp->sport, cp->dport, cp->proto, &cp->from_a);
	cp->opener_a = cp->from_a;
}

/* ---- the denial log and counters ---- */

static void
dlog_push(struct vs_worker *w, const struct ct_pkt *cp,
		const struct rte_mbuf *m, const struct vs_pkt_meta *pm,
		uint16_t in_port, enum vs_drop why, uint8_t dir, uint32_t ep,
		uint64_t now)
{
	const struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod_offset(m,
			const void *, pm->l3_off);
	struct vs_dlog_rec r;

	memset(&r, 0, sizeof(r));
	r.tsc = now;
	memcpy(r.src, &ip->src_addr, 4);
	memcpy(r.dst, &ip->dst_addr, 4);
	r.sport = cp->sport;
	r.dport = cp->dport;
	r.family = AF_INET;
	r.proto = cp->proto;
	r.reason = (uint8_t)why;
	r.dir = dir;
	r.in_port = in_port;
	r.ep = ep < VS_EP_MAX ? (uint16_t)ep : UINT16_MAX;
	if (rte_ring_sp_enqueue_elem(w->ct.dlog, &r, sizeof(r)) != 0)
		vs_ctr_add(&w->ct.dlog_full, 1);
}

/* Drop a tracked packet, count it, and log it. */
static void
deny(struct vs_worker *w, struct rte_mbuf *m, struct vs_pkt_meta *pm,
		struct ct_pkt *cp, uint16_t in_port, enum vs_drop why,
		uint8_t dir, uint32_t ep, uint64_t now)
{
	dlog_push(w, cp, m, pm, in_port, why, dir, ep, now);
	vs_pkt_drop(w, m, pm, why);
	cp->kind = CT_PK_SKIP;
}

static inline void
rules_count(struct vs_ct_wk *cw, const uint32_t verdict[2], uint64_t n)
{
	int d;

	/* Origins are small numbers; DENY, UNISOLATED and SELF are not. */
	for (d = 0; d < 2; d++)
		if (verdict[d] != ACL_VERDICT_DENY && verdict[d] < VS_RULES_MAX)
			vs_ctr_add(&cw->rule_allowed[verdict[d]], n);
}

/* ---- entries ---- */

/* The next state word of an entry for a packet of this flow. */
static uint16_t
track_next(uint16_t w, const struct ct_pkt *cp, bool orig)
{
	uint8_t st = CT_ST(w), f = CT_FL(w), tf = cp->tcp_flags;
	const uint8_t both = CT_F_FIN_ORIG | CT_F_FIN_REPL;

	if (!orig)
		f |= CT_F_REPLIED;
	if (cp->proto != IPPROTO_TCP)
		return CT_WORD(st, f);
	if (tf & RTE_TCP_RST_FLAG)
		return CT_WORD(CT_ST_CLOSED, f);
	if (st == CT_ST_SYN_SENT && !orig && (tf & RTE_TCP_SYN_FLAG) &&
			(tf & RTE_TCP_ACK_FLAG))
		st = CT_ST_SYN_RECV;
	else if (st == CT_ST_SYN_RECV && orig && (tf & RTE_TCP_ACK_FLAG) &&
			!(tf & RTE_TCP_SYN_FLAG))
		st = CT_ST_ESTABLISHED;
	if (tf & RTE_TCP_FIN_FLAG)
		f |= orig ? CT_F_FIN_ORIG : CT_F_FIN_REPL;
	if ((f & both) == both)
		st = CT_ST_CLOSED;
	else if ((f & both) && st != CT_ST_CLOSED)
		st = CT_ST_FIN_WAIT;
	return CT_WORD(st, f);
}

/*
 * A packet of an allowed flow: its entry's state word (compare-and-swap,
 * only when it changes). @return its direction: 0 opener -> peer, 1 reply.
 */
static int
track_state(struct ct_entry *e, const struct ct_pkt *cp)
{
	uint16_t w = __atomic_load_n(&e->st, __ATOMIC_RELAXED), nw;
	bool orig = (cp->from_a != 0) == ((CT_FL(w) & CT_F_ORIG_A) != 0);

	do {
		nw = track_next(w, cp, orig);
	} while (nw != w && !__atomic_compare_exchange_n(&e->st, &w, nw,
			false, __ATOMIC_RELAXED, __ATOMIC_RELAXED));
	return orig ? 0 : 1;
}

/*
 * Consecutive packets of one entry in a burst (a flow's packets, or a
 * request and its reply, often come together): their counters go to the
 * entry, and to the rules that admitted it, at once.
 */
struct ct_agg {
	int32_t pos;            /* <0: none */
	uint32_t pkts[2];
	uint64_t bytes[2];
	int d;                  /* the last packet's: direction, */
	uint8_t from_a;         /* side and TCP flags */
	uint8_t tcp_flags;
};

static void
track_flush(struct vs_ct_wk *cw, const struct vs_ct *ct, struct ct_agg *a,
		uint64_t now)
{
	struct ct_entry *e;
	uint64_t last;
	int d;

	if (a->pos < 0)
		return;
	e = &ct->e[a->pos];
	rules_count(cw, e->verdict, a->pkts[0] + a->pkts[1]);
	/*
	 * A coarse timestamp (ts_grain, vs_ct.h): not rewritten by every
	 * burst; never moved back (another worker's now may be ahead).
	 */
	last = __atomic_load_n(&e->last_tsc, __ATOMIC_RELAXED);
	if (now > last && now - last >= ct->ts_grain)
		__atomic_store_n(&e->last_tsc, now, __ATOMIC_RELAXED);
	for (d = 0; d < 2; d++) {
		if (a->pkts[d] == 0)
			continue;
		vs_ctr_add(&e->pkts[d], a->pkts[d]);
		vs_ctr_add(&e->bytes[d], a->bytes[d]);
		a->pkts[d] = 0;
		a->bytes[d] = 0;
	}
	a->pos = -1;
}

/*
 * A packet of an allowed flow: state now, counters with its neighbours.
 * The state machine only moves on what a packet carries (direction, TCP
 * flags) and moving it twice on the same is moving it once, so a packet
 * like the one before it (same entry, direction and flags: a flow's
 * packets in a row) only adds to the counters.
 */
static inline void
track(struct vs_ct_wk *cw, const struct vs_ct *ct, struct ct_agg *a,
		const struct ct_pkt *cp, uint32_t len, uint64_t now)
{
	if (cp->pos != a->pos) {
		track_flush(cw, ct, a, now);
		a->pos = cp->pos;
	} else if (cp->from_a == a->from_a && cp->tcp_flags == a->tcp_flags) {
		a->pkts[a->d]++;
		a->bytes[a->d] += len;
		return;
	}
	a->d = track_state(&ct->e[cp->pos], cp);
	a->from_a = cp->from_a;
	a->tcp_flags = cp->tcp_flags;
	a->pkts[a->d]++;
	a->bytes[a->d] += len;
}

static uint8_t
initial_state(const struct ct_pkt *cp)
{
	switch (cp->proto) {
	case IPPROTO_TCP:
		return TCP_SYN_ONLY(cp->tcp_flags) ? CT_ST_SYN_SENT :
				CT_ST_ESTABLISHED;     /* tcp_loose pickup */
	case IPPROTO_SCTP:
		return CT_ST_SCTP;
	case IPPROTO_ICMP:
		return CT_ST_ICMP;
	default:
		return CT_ST_UDP;
	}
}

/* (Re)start entry e for the flow cp opens; e's key is cp's. */
static inline void
entry_start(struct ct_entry *e, const struct ct_pkt *cp, uint32_t pol_gen,
		uint16_t in_port, unsigned int widx, uint64_t now)
{
	uint8_t fl = cp->from_a ? CT_F_ORIG_A : 0;

	__atomic_store_n(&e->verdict[0], cp->verdict[0], __ATOMIC_RELAXED);
	__atomic_store_n(&e->verdict[1], cp->verdict[1], __ATOMIC_RELAXED);
	__atomic_store_n(&e->pol_gen, pol_gen, __ATOMIC_RELAXED);
	__atomic_store_n(&e->pkts[0], 0, __ATOMIC_RELAXED);
	__atomic_store_n(&e->pkts[1], 0, __ATOMIC_RELAXED);
	__atomic_store_n(&e->bytes[0], 0, __ATOMIC_RELAXED);
	__atomic_store_n(&e->bytes[1], 0, __ATOMIC_RELAXED);
	e->in_port = in_port;
	e->worker = (uint8_t)widx;
	e->created_tsc = now;
	__atomic_store_n(&e->last_tsc, now, __ATOMIC_RELAXED);
	__atomic_store_n(&e->st, CT_WORD(initial_state(cp), fl),
			__ATOMIC_RELAXED);
}

/*
 * The table's flow count (ct->count) for one burst's new keys: one
 * compare-and-swap reserves them all (a locked instruction per flow, which
 * also waits for the stores before it, costs more than the rest of the
 * count's work), one atomic subtraction gives back what was not used.
 * When they do not all fit, flow by flow as before: the count never goes
 * above ct->max, even for a moment (other workers check it too).
 */
struct admit_quota {
	uint32_t left;          /* reserved, not used yet */
	uint32_t back;          /* used, to give back (add failed, dup) */
};

static void
admit_reserve(struct vs_ct *ct, uint32_t n, struct admit_quota *q)
{
	uint32_t had = __atomic_load_n(&ct->count, __ATOMIC_RELAXED);

	q->left = q->back = 0;
	do {
		if (had > ct->max || ct->max - had < n)
			return;
	} while (!__atomic_compare_exchange_n(&ct->count, &had, had + n, false,
			__ATOMIC_RELAXED, __ATOMIC_RELAXED));
	q->left = n;
}

static void
admit_release(struct vs_ct *ct, const struct admit_quota *q)
{
	if (q->left + q->back > 0)
		__atomic_fetch_sub(&ct->count, q->left + q->back,
				__ATOMIC_RELAXED);
}

/*
 * Admit a new flow, first half: add its key with the hash computed for
 * the lookup; the new entry's lines are fetched while the rest of the
 * burst is added (admit_fill). @return the slot, or -ENOSPC when the
 * table is full.
 */
static int32_t
admit_add(struct vs_ct *ct, struct ct_pkt *cp, uint32_t sig,
		struct admit_quota *q)
{
	int32_t pos;

	if (q->left > 0) {
		q->left--;
	} else if (__atomic_fetch_add(&ct->count, 1, __ATOMIC_RELAXED) >=
			ct->max) {
		__atomic_fetch_sub(&ct->count, 1, __ATOMIC_RELAXED);
		return -ENOSPC;
	}
	pos = rte_hash_add_key_with_hash(ct->h, &cp->key, sig);
	if (pos < 0) {
		q->back++;
		return -ENOSPC;
	}
	/* Both lines (the key is in the second), for writing (what
	 * rte_prefetch0_write does; that one is still experimental). */
	__builtin_prefetch(&ct->e[pos], 1, 3);
	__builtin_prefetch((const char *)&ct->e[pos] + RTE_CACHE_LINE_SIZE,
			1, 3);
	cp->kind = CT_PK_ADMIT;
	cp->pos = pos;
	return pos;
}

/* Admit, second half: claim and fill the entry of an added key. */
static void
admit_fill(struct vs_worker *w, const struct vs_snap *snap,
		struct ct_pkt *cp, uint16_t in_port, uint64_t now,
		struct admit_quota *q)
{
	struct vs_ct *ct = w->vs->ct;
	struct ct_entry *e = &ct->e[cp->pos];
	uint8_t expect = CT_FREE;

	cp->kind = CT_PK_PASS;
	/* Another worker (or packet) added the same flow a moment ago. */
	if (!__atomic_compare_exchange_n(&e->in_use, &expect, CT_CLAIMED,
			false, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED)) {
		q->back++;
		return;
	}
	e->key = cp->key;
	entry_start(e, cp, snap->pol_gen, in_port, w->idx, now);
	/* Pairs with the acquire loads of in_use (lookups, reclaim, list). */
	__atomic_store_n(&e->in_use, CT_READY, __ATOMIC_RELEASE);
}

/* ---- decide ---- */

/* A packet that may not open a flow here: dropped, counted, logged. */
static __rte_noinline void
new_refused(struct vs_worker *w, struct rte_mbuf *m, struct vs_pkt_meta *pm,
		struct ct_pkt *cp, uint16_t in_port, uint64_t now)
{
	enum vs_drop why = cp->proto == IPPROTO_ICMP ? VS_DROP_ICMP_NO_FLOW :
			VS_DROP_TCP_NO_FLOW;

	deny(w, m, pm, cp, in_port, why, 0, VS_NH_MISS, now);
}

/*
 * No live entry: may this packet open a flow here? TCP: a SYN (or, with
 * tcp_loose, anything but an RST); ICMP: not an echo reply; the rest:
 * yes. Inline: every new flow passes here.
 */
static inline void
decide_new(struct vs_worker *w, struct rte_mbuf *m, struct vs_pkt_meta *pm,
		struct ct_pkt *cp, uint16_t in_port, int32_t reuse,
		uint64_t now)
{
	bool opens = true;

	if (cp->proto == IPPROTO_TCP)
		opens = TCP_SYN_ONLY(cp->tcp_flags) ||
			(w->vs->cfg.ct.tcp_loose &&
			 !(cp->tcp_flags & RTE_TCP_RST_FLAG));
	else if (cp->proto == IPPROTO_ICMP)
		opens = cp->icmp_type != ICMP_ECHO_REPLY;
	if (unlikely(!opens)) {
		new_refused(w, m, pm, cp, in_port, now);
		return;
	}
	cp->kind = CT_PK_NEW;
	cp->pos = reuse;
}

/* A looked-up packet: what its entry (or the lack of one) says. */
static void
decide(struct vs_worker *w, const struct vs_snap *snap, struct rte_mbuf *m,
		struct vs_pkt_meta *pm, struct ct_pkt *cp, int32_t pos,
		uint16_t in_port, uint64_t now)
{
	const struct vs_ct *ct = w->vs->ct;
	const struct ct_entry *e = NULL;
	uint64_t last;
	uint16_t st;

	if (pos >= 0) {
		e = &ct->e[pos];
		if (__atomic_load_n(&e->in_use, __ATOMIC_ACQUIRE) != CT_READY)
			e = NULL;       /* being filled, or just deleted */
	}
	st = e != NULL ? __atomic_load_n(&e->st, __ATOMIC_RELAXED) : 0;
	if (cp->kind == CT_PK_RELATED) {
		if (e != NULL && !(CT_FL(st) & CT_F_DENIED))
			cp->kind = CT_PK_SKIP;  /* related to an allowed flow */
		else
			deny(w, m, pm, cp, in_port, VS_DROP_ICMP_NO_FLOW, 0,
					VS_NH_MISS, now);
		return;
	}
	if (e == NULL) {
		decide_new(w, m, pm, cp, in_port, -1, now);
		return;
	}
	last = __atomic_load_n(&e->last_tsc, __ATOMIC_RELAXED);
	/* Another worker's now may be a little ahead of ours. */
	if ((now > last && now - last > vs_ct_timeout(ct, CT_ST(st))) ||
			(cp->proto == IPPROTO_TCP && CT_ST(st) == CT_ST_CLOSED &&
			 TCP_SYN_ONLY(cp->tcp_flags))) {
		decide_new(w, m, pm, cp, in_port, pos, now);   /* reuse it */
		return;
	}
	cp->pos = pos;
	cp->opener_a = (CT_FL(st) & CT_F_ORIG_A) != 0;
	if (w->vs->cfg.ct.recheck_flows &&
			__atomic_load_n(&e->pol_gen, __ATOMIC_RELAXED) !=
			snap->pol_gen)
		cp->kind = CT_PK_RECHECK;
	else if (CT_FL(st) & CT_F_DENIED)
		deny(w, m, pm, cp, in_port, VS_DROP_POLICY_DENIED, 0,
				VS_NH_MISS, now);
	else
		cp->kind = CT_PK_PASS;
}

/* ---- policy ---- */

void
vs_ct_acl_key(void *buf, uint8_t family, int dir, uint32_t group,
		const struct acl_endpoint *peer_ep, uint8_t proto,
		const uint8_t *src, const uint8_t *dst, rte_be16_t sport,
		rte_be16_t dport)
{
	uint32_t id = peer_ep != NULL ? peer_ep->identity : ACL_IDENTITY_WORLD;
	const uint8_t *peer = dir == ACL_DIR_EGRESS ? dst : src;
	rte_be32_t a4;

	/* acl_fields.h: protocols without ports put 0 in both. */
	if (proto == IPPROTO_ICMP)
		sport = dport = 0;
	if (family == AF_INET) {
		memcpy(&a4, peer, 4);
		acl_key4_fill(buf, group, id, proto, a4, sport, dport);
	} else {
		acl_key6_fill(buf, group, id, proto, peer, sport, dport);
	}
}

static inline const uint8_t *
opener_addr(const struct ct_pkt *cp)
{
	return cp->opener_a ? cp->key.a : cp->key.b;
}

static inline const uint8_t *
peer_addr(const struct ct_pkt *cp)
{
	return cp->opener_a ? cp->key.b : cp->key.a;
}

/*
 * The policy's entry of a local endpoint (id nh, the LPM's next hop, at
 * addr) from the worker's cache: true if the cache knows it for this
 * policy. Ids are reused, hence the address.
 */
static inline bool
epc_get(const struct vs_ct_wk *cw, const struct vs_policy *pol, uint32_t nh,
		rte_be32_t addr, const struct acl_endpoint **ep)
{
	const struct vs_ct_epc *c;

	if (nh >= VS_EP_MAX)
		return false;
	c = &cw->epc[nh];
	if (c->pol != pol || c->gen != pol->gen || c->addr != addr)
		return false;
	*ep = c->ep;
	return true;
}

static inline void
epc_set(struct vs_ct_wk *cw, const struct vs_policy *pol, uint32_t nh,
		rte_be32_t addr, const struct acl_endpoint *ep)
{
	struct vs_ct_epc *c;

	if (nh >= VS_EP_MAX)
		return;
	c = &cw->epc[nh];
	c->pol = pol;
	c->gen = pol->gen;
	c->addr = addr;
	c->ep = ep;
}

/* The endpoint ids of a flow's opener ([0]) and peer ([1]). */
static inline void
ends_nh(const struct ct_pkt *cp, const struct vs_pkt_meta *pm, uint32_t nh[2])
{
	/* The opener is the packet's source unless this is a reply. */
	bool fwd = cp->from_a == cp->opener_a;

	nh[0] = fwd ? pm->src_nh : pm->dst_nh;
	nh[1] = fwd ? pm->dst_nh : pm->src_nh;
}

/*
 * Both ends of every flow to check: local endpoints from the worker's
 * cache, the rest (and cache misses) in one bulk lookup of the policy's
 * address table.
 */
static void
endpoints_lookup(struct vs_worker *w, const struct vs_policy *pol)
{
	struct vs_ct_wk *cw = &w->ct;
	const struct acl_endpoint *ep;
	uint16_t i, j, m = 0;
	uint64_t hits = 0;
	uint32_t nh[2];
	rte_be32_t a;

	for (i = 0; i < cw->n_chk; i++) {
		struct ct_pkt *cp = &cw->p[cw->chk[i]];
		const uint8_t *end[2] = { opener_addr(cp), peer_addr(cp) };
		int s;

		ends_nh(cp, &w->meta[cw->chk[i]], nh);
		for (s = 0; s < 2; s++) {
			memcpy(&a, end[s], 4);
			if (!epc_get(cw, pol, nh[s], a, &ep)) {
				cw->ekey[m] = end[s];
				cw->emiss[m++] = (uint16_t)(2 * i + s);
				ep = NULL;
			}
			if (s == 0)
				cp->se = ep;
			else
				cp->de = ep;
		}
	}
	if (m > 0)
		rte_hash_lookup_bulk_data(pol->ep4, cw->ekey, m, &hits,
				cw->edata);
	for (j = 0; j < m; j++) {
		struct ct_pkt *cp = &cw->p[cw->chk[cw->emiss[j] / 2]];
		int s = cw->emiss[j] % 2;

		ep = (hits >> j) & 1 ? cw->edata[j] : NULL;
		if (s == 0)
			cp->se = ep;
		else
			cp->de = ep;
		ends_nh(cp, &w->meta[cw->chk[cw->emiss[j] / 2]], nh);
		memcpy(&a, cw->ekey[j], 4);
		epc_set(cw, pol, nh[s], a, ep);
	}
}

/* Classify group g's packets (from list index i on) in direction d. */
static void
group_classify(struct vs_ct_wk *cw, const struct acl_ruleset *rs, int d,
		uint16_t from)
{
	uint32_t *grp = cw->grp[d];
	uint32_t g = grp[from];
	uint16_t j, k = 0;
	int rc;

	for (j = from; j < cw->n_chk; j++) {
		const struct ct_pkt *cp = &cw->p[cw->chk[j]];
		const struct acl_endpoint *peer;
		rte_be16_t sp = 0, dp = 0;
		rte_be32_t a;

		if (grp[j] != g)
			continue;
		grp[j] = ACL_GROUP_NONE;
		/* vs_ct_acl_key for IPv4, inline: the opener's ports. */
		peer = d == ACL_DIR_EGRESS ? cp->de : cp->se;
		memcpy(&a, d == ACL_DIR_EGRESS ? peer_addr(cp) :
				opener_addr(cp), 4);
		if (cp->proto != IPPROTO_ICMP) {
			sp = cp->opener_a ? cp->key.ap : cp->key.bp;
			dp = cp->opener_a ? cp->key.bp : cp->key.ap;
		}
		acl_key4_fill((struct acl_key4 *)cw->abuf[k], g,
				peer != NULL ? peer->identity :
				ACL_IDENTITY_WORLD, cp->proto, a, sp, dp);
		cw->akey[k] = cw->abuf[k];
		cw->idx[k++] = j;
	}
	rc = acl_classify(rs, (enum acl_dir)d, AF_INET, g, cw->akey, cw->averd,
			k);
	for (j = 0; j < k; j++)
		cw->p[cw->chk[cw->idx[j]]].verdict[d] =
				rc == 0 ? cw->averd[j] : ACL_VERDICT_DENY;
}

/*
 * Both directions of every flow to check: the groups of its two ends
 * (none for a pod's traffic to itself), the verdict when no group
 * isolates, then one classify per group present.
 */
static void
groups_classify(struct vs_ct_wk *cw, const struct acl_ruleset *rs)
{
	uint32_t *eg = cw->grp[ACL_DIR_EGRESS], *in = cw->grp[ACL_DIR_INGRESS];
	uint16_t i;

	for (i = 0; i < cw->n_chk; i++) {
		struct ct_pkt *cp = &cw->p[cw->chk[i]];
		const struct acl_endpoint *se = cp->se, *de = cp->de;
		uint32_t v;

		cp->self = se != NULL && de != NULL && se->pod == de->pod;
		v = cp->self ? ACL_VERDICT_SELF : ACL_VERDICT_UNISOLATED;
		cp->verdict[ACL_DIR_EGRESS] = cp->verdict[ACL_DIR_INGRESS] = v;
		eg[i] = cp->self || se == NULL ? ACL_GROUP_NONE :
				se->group[ACL_DIR_EGRESS];
		in[i] = cp->self || de == NULL ? ACL_GROUP_NONE :
				de->group[ACL_DIR_INGRESS];
	}
	for (i = 0; i < cw->n_chk; i++) {
		if (eg[i] != ACL_GROUP_NONE)
			group_classify(cw, rs, ACL_DIR_EGRESS, i);
		if (in[i] != ACL_GROUP_NONE)
			group_classify(cw, rs, ACL_DIR_INGRESS, i);
	}
}

static void
policy_classify(struct vs_worker *w, const struct vs_snap *snap)
{
	struct vs_ct_wk *cw = &w->ct;
	const struct vs_policy *pol = snap->pol;
	uint16_t i;

	if (pol == NULL) {
		for (i = 0; i < cw->n_chk; i++) {
			struct ct_pkt *cp = &cw->p[cw->chk[i]];

			cp->verdict[0] = cp->verdict[1] = ACL_VERDICT_UNISOLATED;
		}
		return;
	}
	endpoints_lookup(w, pol);
	groups_classify(cw, pol->rs);
}

/* ---- apply ---- */

/* The denying sides of a flow, and the endpoint id to count against. */
static uint8_t
deny_sides(struct vs_ct_wk *cw, const struct ct_pkt *cp,
		const struct vs_pkt_meta *pm, uint32_t *ep)
{
	uint32_t nh[2], src_nh, dst_nh;
	uint8_t dir = 0;

	ends_nh(cp, pm, nh);    /* the opener's egress, the peer's ingress */
	src_nh = nh[0];
	dst_nh = nh[1];
	*ep = VS_NH_MISS;
	if (cp->verdict[ACL_DIR_EGRESS] == ACL_VERDICT_DENY) {
		dir |= 1;
		*ep = src_nh;
		if (src_nh < VS_EP_MAX)
			vs_ctr_add(&cw->ep_denied[VS_DIR_EGRESS * VS_EP_MAX +
					src_nh], 1);
	}
	if (cp->verdict[ACL_DIR_INGRESS] == ACL_VERDICT_DENY) {
		dir |= 2;
		if (*ep == VS_NH_MISS)
			*ep = dst_nh;
		if (dst_nh < VS_EP_MAX)
			vs_ctr_add(&cw->ep_denied[VS_DIR_INGRESS * VS_EP_MAX +
					dst_nh], 1);
	}
	return dir;
}

/* A re-check: the entry takes the new verdicts, denied or not. */
static void
recheck_store(struct ct_entry *e, const struct ct_pkt *cp, uint32_t gen,
		bool allowed)
{
	uint16_t w = __atomic_load_n(&e->st, __ATOMIC_RELAXED), nw;

	__atomic_store_n(&e->verdict[0], cp->verdict[0], __ATOMIC_RELAXED);
	__atomic_store_n(&e->verdict[1], cp->verdict[1], __ATOMIC_RELAXED);
	do {
		uint8_t f = allowed ? CT_FL(w) & ~CT_F_DENIED :
				CT_FL(w) | CT_F_DENIED;

		nw = CT_WORD(CT_ST(w), f);
	} while (nw != w && !__atomic_compare_exchange_n(&e->st, &w, nw,
			false, __ATOMIC_RELAXED, __ATOMIC_RELAXED));
	__atomic_store_n(&e->pol_gen, gen, __ATOMIC_RELAXED);
}

static inline bool
verdicts_allow(const struct ct_pkt *cp)
{
	return cp->verdict[0] != ACL_VERDICT_DENY &&
			cp->verdict[1] != ACL_VERDICT_DENY;
}

/*
 * A checked packet: denied, counted (one-shot), its entry updated
 * (re-check) or restarted (a new flow over an expired entry, whose line
 * is warm from the lookup). @return true for a new flow whose key is to
 * be added (policy_apply).
 */
static bool
apply_one(struct vs_worker *w, const struct vs_snap *snap,
		struct rte_mbuf *m, struct vs_pkt_meta *pm, struct ct_pkt *cp,
		uint16_t in_port, uint64_t now)
{
	struct vs_ct_wk *cw = &w->ct;
	struct vs_ct *ct = w->vs->ct;
	bool allowed = verdicts_allow(cp);
	uint32_t ep;
	uint8_t dir;

	if (cp->kind == CT_PK_RECHECK)
		recheck_store(&ct->e[cp->pos], cp, snap->pol_gen, allowed);
	if (!allowed) {
		dir = deny_sides(cw, cp, pm, &ep);
		deny(w, m, pm, cp, in_port, VS_DROP_POLICY_DENIED, dir, ep, now);
		return false;
	}
	if (cp->kind == CT_PK_ONESHOT) {
		rules_count(cw, cp->verdict, 1);
		cp->kind = CT_PK_SKIP;
		return false;
	}
	if (cp->kind == CT_PK_NEW && cp->pos < 0)
		return true;
	if (cp->kind == CT_PK_NEW)
		entry_start(&ct->e[cp->pos], cp, snap->pol_gen, in_port, w->idx,
				now);
	cp->kind = CT_PK_PASS;
	return false;
}

/*
 * The flows to check: classify them, apply the verdicts, then add the
 * keys of the allowed new flows (one count reservation for them all),
 * then fill their entries, whose lines were fetched meanwhile.
 */
static void
policy_apply(struct vs_worker *w, const struct vs_snap *snap,
		struct rte_mbuf **pkts, uint16_t in_port, uint64_t now)
{
	struct vs_ct_wk *cw = &w->ct;
	struct vs_ct *ct = w->vs->ct;
	uint16_t i, j, n_add = 0;
	struct admit_quota q;

	policy_classify(w, snap);
	for (i = 0; i < cw->n_chk; i++) {
		j = cw->chk[i];
		if (apply_one(w, snap, pkts[j], &w->meta[j], &cw->p[j], in_port,
				now))
			cw->idx[n_add++] = j;
	}
	if (n_add == 0)
		return;
	admit_reserve(ct, n_add, &q);
	for (i = 0; i < n_add; i++) {
		j = cw->idx[i];
		if (admit_add(ct, &cw->p[j], cw->sig[cw->lk[j]], &q) < 0)
			deny(w, pkts[j], &w->meta[j], &cw->p[j], in_port,
					VS_DROP_CT_FULL, 0, VS_NH_MISS, now);
	}
	for (i = 0; i < n_add; i++) {
		j = cw->idx[i];
		if (cw->p[j].kind == CT_PK_ADMIT)
			admit_fill(w, snap, &cw->p[j], in_port, now, &q);
	}
	admit_release(ct, &q);
}

/* Followers of a passed packet (vs_runs.c): the counters it had. */
void
vs_ct_run_add(struct vs_worker *w, int32_t pos, uint8_t dir, uint32_t n,
		uint64_t bytes)
{
	struct ct_entry *e = &w->vs->ct->e[pos];

	rules_count(&w->ct, e->verdict, n);
	vs_ctr_add(&e->pkts[dir], n);
	vs_ctr_add(&e->bytes[dir], bytes);
}

/* ---- the stage ---- */

/*
 * Parse, and look up every flow of the burst at once: each key hashed
 * once (admit adds with the same hash), a key equal to the one before
 * (a request and its reply, a flow's packets in a row) looked up once.
 * The entries found are fetched while the stage goes on.
 */
#define SEEN_FRAG_FIRST 1   /* stage_lookup: some packet is a first fragment */
#define SEEN_FRAG 2         /* ... a later fragment */

static uint8_t
stage_lookup(struct vs_worker *w, const struct vs_snap *snap,
		struct rte_mbuf **pkts, uint16_t n)
{
	struct vs_ct_wk *cw = &w->ct;
	const struct vs_ct *ct = w->vs->ct;
	const struct ct_key *prev = NULL;
	uint16_t i, k = 0;
	uint8_t seen = 0;

	for (i = 0; i < n; i++) {
		struct ct_pkt *cp = &cw->p[i];
		struct vs_pkt_meta *pm = &w->meta[i];

		cp->kind = CT_PK_SKIP;
		cp->frag_first = 0;
		if (!tracked(snap, pm))
			continue;
		parse_one(w, pkts[i], pm, cp);
		if (unlikely(cp->frag_first))
			seen |= SEEN_FRAG_FIRST;
		if (cp->kind != CT_PK_FLOW && cp->kind != CT_PK_RELATED) {
			if (cp->kind == CT_PK_FRAG)
				seen |= SEEN_FRAG;
			continue;
		}
		if (prev == NULL || !vs_ct_key_eq(prev, &cp->key)) {
			prev = &cp->key;
			cw->kp[k] = prev;
			cw->sig[k++] = rte_hash_crc(prev, sizeof(*prev),
					VS_CT_HASH_INIT);
		}
		cw->lk[i] = (uint8_t)(k - 1);
	}
	if (k == 0)
		return seen;
	rte_hash_lookup_with_hash_bulk(ct->h, cw->kp, cw->sig, k, cw->pos);
	for (i = 0; i < k; i++)
		if (cw->pos[i] >= 0)
			rte_prefetch0(&ct->e[cw->pos[i]]);
	return seen;
}

void
vs_stage_ct(struct vs_worker *w, const struct vs_snap *snap,
		uint16_t in_port, struct rte_mbuf **pkts, uint16_t n)
{
	struct vs_ct_wk *cw = &w->ct;
	struct vs_ct *ct = w->vs->ct;
	uint64_t now = rte_get_tsc_cycles();
	struct ct_agg agg = { .pos = -1 };
	uint16_t i;

	uint8_t seen = stage_lookup(w, snap, pkts, n);
	const struct ct_pkt *passed = NULL;     /* the last packet passed */

	/* Decide; new flows, re-checks and one-shot packets go on to the
	 * policy. */
	cw->n_chk = 0;
	for (i = 0; i < n; i++) {
		struct ct_pkt *cp = &cw->p[i];

		if (cp->kind == CT_PK_FLOW && passed != NULL &&
				cw->lk[i] == cw->lk[passed - cw->p] &&
				cp->tcp_flags == passed->tcp_flags) {
			/* What its entry said for the packet before it. */
			cp->kind = CT_PK_PASS;
			cp->pos = passed->pos;
			cp->opener_a = passed->opener_a;
			passed = cp;
			continue;
		}
		if (cp->kind == CT_PK_FLOW || cp->kind == CT_PK_RELATED)
			decide(w, snap, pkts[i], &w->meta[i], cp,
					cw->pos[cw->lk[i]], in_port, now);
		if (cp->kind == CT_PK_PASS)
			passed = cp;
		else if (cp->kind == CT_PK_NEW || cp->kind == CT_PK_RECHECK ||
				cp->kind == CT_PK_ONESHOT)
			cw->chk[cw->n_chk++] = i;
	}
	if (cw->n_chk > 0)
		policy_apply(w, snap, pkts, in_port, now);

	for (i = 0; i < n; i++) {
		struct ct_pkt *cp = &cw->p[i];

		w->meta[i].ct_pos = -1;
		if (cp->kind != CT_PK_PASS)
			continue;
		track(cw, ct, &agg, cp, pkts[i]->pkt_len, now);
		/* for its run's followers (vs_runs.c) */
		w->meta[i].ct_pos = cp->pos;
		w->meta[i].ct_dir = (uint8_t)agg.d;
	}
	track_flush(cw, ct, &agg, now);
	if (likely(seen == 0))
		return;
	for (i = 0; i < n; i++)
		if (cw->p[i].frag_first)
			vs_frag_record(cw, ct, rte_pktmbuf_mtod_offset(pkts[i],
					const void *, w->meta[i].l3_off), now,
					w->meta[i].kind != VS_PK_DONE);
	/* Last: a datagram's fragments often share a burst with its first. */
	for (i = 0; i < n; i++)
		if (cw->p[i].kind == CT_PK_FRAG && !vs_frag_allowed(cw,
				rte_pktmbuf_mtod_offset(pkts[i], const void *,
				w->meta[i].l3_off), now))
			vs_pkt_drop(w, pkts[i], &w->meta[i], VS_DROP_FRAGMENT);
}
