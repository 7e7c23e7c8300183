/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * acl_priv.h: what the files of acl/ share and nothing outside acl/ (and
 * its unit tests) may use: the compiled ruleset's layout, the compile
 * context and the helpers between the compile steps.
 *
 * The compile is a pipeline over one struct acl_cc (acl_compile.c is the
 * outline):
 *   acl_model_check     (acl_check.c)   refuse bad input whole
 *   acl_cc_namespaces   (acl_ident.c)   namespaces and their labels
 *   acl_cc_identities   (acl_ident.c)   pods -> identities
 *   acl_cc_policies     (acl_ident.c)   policy uids, origin slots, selection
 *   acl_cc_targets      (acl_peer.c)    what each peer matches
 *   acl_cc_number       (acl_order.c)   identity ids (stable, well packed)
 *   acl_cc_slices       (acl_group.c)   (policy, direction) -> slices
 *   acl_cc_groups       (acl_group.c)   identities -> groups of slices
 *   acl_cc_endpoints    (acl_ident.c)   the address table
 *   acl_cc_rules        (acl_group.c)   slices -> compact rules
 *   acl_cc_buckets      (acl_build.c)   slices -> buckets -> rte_acl contexts
 * Ids that end up in rules (identities, slices, origin slots) and bucket
 * placement are kept from the previous ruleset when one is given, so that
 * an unchanged part of the cluster compiles to the very same rule list
 * and its rte_acl context is shared instead of rebuilt.
 *
 * Thread-safety: a compile context belongs to the one thread that runs
 * acl_compile(); a finished ruleset is read-only (see acl_ruleset.h).
 */
#ifndef NPVS_ACL_PRIV_H
#define NPVS_ACL_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "acl_model.h"
#include "acl_ruleset.h"

struct rte_acl_config;
struct rte_acl_ctx;

/** Family index used for per-family arrays: 0 IPv4, 1 IPv6. */
#define ACL_FAM_4 0
#define ACL_FAM_6 1
#define ACL_FAM_NUM 2
#define ACL_FAM_BIT(f) (1u << (f))

/** Default target size of a bucket, in rules (acl_compile_opts). */
#define ACL_BUCKET_RULES_DEFAULT 128

/** Most threads acl_compile() builds contexts on (opts->build_threads). */
#define ACL_BUILD_THREADS_MAX 16

/** The automatic namespace label (set by the API server). */
#define ACL_NS_NAME_LABEL "kubernetes.io/metadata.name"

static inline int
acl_fam_index(uint8_t family)
{
	return family == ACL_AF_INET ? ACL_FAM_4 :
		family == ACL_AF_INET6 ? ACL_FAM_6 : -1;
}

static inline uint32_t
acl_fam_addr_len(int fam)
{
	return fam == ACL_FAM_4 ? 4 : 16;
}

/** CLOCK_MONOTONIC in ns (compile steps, merge builds, method timing). */
static inline uint64_t
acl_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* ---- growable arrays ---- */

/** Make room for one more element in (arr, n, cap); 0 or -ENOMEM. */
#define ACL_GROW(arr, n, cap) \
	((n) < (cap) ? 0 : acl_grow((void **)&(arr), &(cap), sizeof(*(arr))))
int acl_grow(void **arr, uint32_t *cap, size_t elt_size);

/** A byte string under construction (canonical keys). */
struct acl_kbuf {
	uint8_t *p;
	uint32_t len;
	uint32_t cap;
	int err;                /* sticky: -ENOMEM after a failed append */
};
void acl_kbuf_put(struct acl_kbuf *b, const void *data, uint32_t len);
void acl_kbuf_put_u32(struct acl_kbuf *b, uint32_t v);
void acl_kbuf_put_str(struct acl_kbuf *b, const char *s);
int acl_u32_cmp(const void *a, const void *b);  /* qsort of uint32_t */
/** A fast 64-bit hash, continuing from h (start with ACL_HASH_INIT). */
#define ACL_HASH_INIT 1469598103934665603ull
uint64_t acl_hash64(uint64_t h, const void *data, size_t len);
/** Compare (hash, key) pairs: hash first, then acl_key_cmp. */
int acl_hkey_cmp(uint64_t ha, const uint8_t *a, uint32_t alen, uint64_t hb,
		const uint8_t *b, uint32_t blen);
int acl_key_cmp(const uint8_t *a, uint32_t alen, const uint8_t *b,
		uint32_t blen);

/* ---- selectors (acl_selector.c) ---- */

/**
 * The value of label key in l, or NULL. ns_name non-NULL: l is a
 * namespace's labels and key kubernetes.io/metadata.name is ns_name.
 */
const char *acl_label_get(const struct acl_labels *l, const char *ns_name,
		const char *key);

/* acl_selector_match() is public: acl_model.h. */

/* ---- prefixes (acl_prefix.c) ---- */

/** Clear the host bits of p. */
void acl_prefix_mask(struct acl_prefix *p);

/** Does outer contain inner (same family, outer no longer than inner)? */
bool acl_prefix_contains(const struct acl_prefix *outer,
		const struct acl_prefix *inner);

/**
 * ipBlock as disjoint prefixes: cidr minus every except. *out is malloc'ed
 * (NULL when the result is empty). @return 0 or -ENOMEM.
 */
int acl_ipblock_prefixes(const struct acl_ipblock *b,
		struct acl_prefix **out, uint32_t *n_out);

/* ---- validation (acl_check.c) ---- */

/** Check a model and options; 0, or -EINVAL with err->msg naming the object. */
int acl_model_check(const struct acl_model *m, struct acl_err *err);

/* ---- the compiled ruleset ---- */


/**
 * One compact rule, the compiler's own form (converted to an rte_acl rule
 * at build time). Kept by the context built from it so that the next
 * compile can tell whether the context can be shared. All host order
 * except addr. Compared with memcmp: every byte, padding included, set.
 */
struct acl_crule {
	uint32_t slice;         /* slice id (exact) */
	uint32_t origin;        /* userdata: 1-based origin slot */
	uint32_t id_lo;         /* peer identity range */
	uint32_t id_hi;
	uint16_t port_lo;       /* destination port range */
	uint16_t port_hi;
	uint8_t proto;          /* 0: any protocol */
	uint8_t plen;           /* peer prefix length, 0: any address */
	uint8_t pad[2];
	uint8_t addr[16];       /* peer prefix, network order */
};

/** An rte_acl context with the rules it was built from; shared by refcount. */
struct acl_shctx {
	uint32_t refcnt;        /* rulesets using it; control thread only */
	int fam;                /* ACL_FAM_4/6 */
	struct rte_acl_ctx *ctx;
	struct acl_crule *rules;
	uint32_t n_rules;
	uint64_t mem_size;      /* rte_malloc bytes taken by create+build */
	uint64_t seq;           /* creation order, for freeing oldest first */
};

/** A bucket: the slices that share one context per family. */
struct acl_bucket {
	struct acl_shctx *fam[ACL_FAM_NUM];     /* NULL: no rules */
	uint32_t n_rules;       /* both families */
	uint32_t n_slices;
};

/** Persistent key of an identity (for the next compile). */
struct acl_idkey {
	uint64_t hash;          /* acl_hash64 of key: sorts before key */
	uint8_t *key;
	uint32_t len;
	uint32_t id;
};

/** Persistent key of a policy. */
struct acl_polkey {
	char *ns;
	char *name;
	uint32_t uid;
	uint32_t origin_base;   /* verdict of slot 0 */
	uint32_t n_slots;
};

/** Persistent key of a slice. */
struct acl_slkey {
	uint8_t *key;
	uint32_t len;
	uint32_t id;
	uint32_t bucket;
};

/** One direction of a ruleset. */
struct acl_rs_dir {
	/* groups: group g (1..n_groups) has slices sl[off[g-1] .. off[g]) */
	uint32_t n_groups;
	uint32_t *grp_off;      /* [n_groups + 1] */
	uint32_t *grp_sl;       /* slice ids, ascending */
	/* slices */
	uint32_t n_slots;       /* slice ids are < n_slots */
	uint32_t *bucket_of;    /* slice id -> bucket; UINT32_MAX: none */
	struct acl_bucket *buckets;
	uint32_t n_buckets;
	struct acl_slkey *keys; /* sorted by key */
	uint32_t n_keys;
	uint32_t next_slice;    /* next fresh slice id */
	/*
	 * Merged contexts (acl_merge.c): merged[fam][g] holds every rule of
	 * group g's slices in one context, or NULL (classify the slices).
	 * Arrays of n_groups + 1 allocated by the compile; the pointers are
	 * written once each by acl_merge_plan/attach on the control thread
	 * (release) and read by acl_classify (acquire).
	 */
	struct acl_shctx **merged[ACL_FAM_NUM];
};

struct acl_ruleset {
	/* Read by lcores (acl_classify). */
	struct acl_rs_dir dir[ACL_DIR_MAX];
	int alg;                /* rte_acl_classify_alg, -1: context's own */
	uint64_t serial;        /* process-wide, unique: acl_merge_attach */

	/* Read by the control path. */
	struct acl_endpoint *eps;       /* sorted by (family, addr) */
	uint32_t n_eps;
	struct acl_origin *origins;     /* [verdict - 1]; policy_ns NULL: hole */
	uint32_t n_origins;

	/* Kept for the next compile (opts->prev). */
	struct acl_idkey *idkeys;       /* sorted by (hash, key) */
	uint32_t n_idkeys;
	uint32_t next_ident;
	struct acl_polkey *polkeys;     /* sorted by (ns, name) */
	uint32_t n_polkeys;
	uint32_t next_uid;
	uint32_t bucket_rules;

	struct acl_ruleset_stats stats;
};

/* ---- the compile context ---- */

/** A namespace known to the compile. */
struct acl_cns {
	const char *name;
	const struct acl_labels *labels;        /* NULL: undeclared */
	uint32_t *idents;       /* identity indexes, ascending */
	uint32_t n_idents;
	uint32_t cap_idents;
};

/** An identity during the compile. */
struct acl_cident {
	uint64_t hash;          /* of key */
	uint8_t *key;           /* canonical; ownership moves to the ruleset */
	uint32_t key_len;
	uint32_t id;            /* 0 until acl_cc_number */
	uint32_t ns;            /* index into cc->ns */
	uint32_t pod;           /* a representative pod (labels, ports) */
	bool compiled;          /* has a pod whose contexts we build */
	uint8_t families;       /* ACL_FAM_BIT of its compiled pods' addresses */
	uint32_t *pols[ACL_DIR_MAX];    /* selecting policies, model order */
	uint32_t n_pols[ACL_DIR_MAX];
	uint32_t cap_pols[ACL_DIR_MAX];
	uint32_t *sl[ACL_DIR_MAX];      /* its slices (indexes), as pols */
	uint32_t group[ACL_DIR_MAX];    /* group id, ACL_GROUP_NONE */
};

/** What a peer (or a rule without peers) compiles to. */
enum acl_target_kind {
	ACL_TGT_ALL,            /* any identity, any address */
	ACL_TGT_IDS,            /* identities (sorted ids), any address */
	ACL_TGT_PFX,            /* prefixes, any identity */
};

struct acl_target {
	enum acl_target_kind kind;
	bool done;              /* computed */
	struct acl_target *same;        /* an equal peer's target, or NULL */
	uint32_t uses;          /* peers sharing it (itself included) */
	uint32_t *idx;          /* IDS: identity indexes, ascending */
	uint32_t *ids;          /* IDS: their ids, ascending (after numbering) */
	uint32_t n_ids;
	struct acl_prefix *pfx; /* malloc'ed, or &one */
	uint32_t n_pfx;
	struct acl_prefix one;  /* PFX of an ipBlock without except */
};

/** A policy during the compile. */
struct acl_cpol {
	uint32_t uid;
	uint32_t origin_base;
	uint32_t n_slots;
	uint32_t ns;            /* index into cc->ns */
	uint32_t peer_base;     /* first of its peers in cc->targets */
	uint32_t rule_base;     /* its rules in cc->rule_peer (ingress, then
				 * egress) */
	bool named_in;          /* an ingress port is named */
	bool active;            /* selects a compiled identity */
};

/** A slice during the compile: one policy, one direction (and variant). */
struct acl_cslice {
	uint8_t *key;
	uint32_t key_len;
	uint32_t id;
	uint32_t pol;           /* model index */
	uint32_t rep;           /* identity index of a member */
	uint8_t families;
	uint32_t bucket;        /* UINT32_MAX: not placed yet */
	uint32_t rule_off[ACL_FAM_NUM];
	uint32_t n_rules[ACL_FAM_NUM];
};

/** A (key, value) pair for acl_sort_kv. */
struct acl_kv {
	uint64_t k;
	uint32_t v;
};

/**
 * Sort by k, stable (so pairs built in v order end up sorted by (k, v)).
 * 0 or -ENOMEM.
 */
int acl_sort_kv(struct acl_kv *v, uint32_t n);

/** One (label, identity) pair of the label index (acl_labidx.c). */
struct acl_lab {
	uint64_t h;             /* acl_label_hash(key, value) */
	uint32_t ident;
};

struct acl_cc {
	const struct acl_model *m;
	const struct acl_compile_opts *opts;
	const struct acl_ruleset *prev; /* NULL: fresh ids */
	struct acl_err *err;
	struct acl_ruleset *rs;

	struct acl_cns *ns;
	uint32_t n_ns;
	uint32_t *pod_ns;       /* pod -> ns index */
	uint32_t *pod_ident;    /* pod -> identity index */

	struct acl_cident *idents;      /* by structural hash */
	uint32_t n_idents;
	struct acl_lab *lab;    /* label index, sorted */
	uint32_t n_lab;
	int32_t *ident_of_id;   /* id -> identity index, -1 unused */
	uint32_t *used_below;   /* number of used ids < i; [n_id_slots + 1] */
	uint32_t n_id_slots;    /* = rs->next_ident */

	struct acl_cpol *pols;
	uint32_t *pol_ns;
	struct acl_target *targets;
	uint32_t n_targets;
	uint32_t *rule_peer;    /* per rule: its first peer's index within
				 * its policy's peers (acl_cpol.rule_base) */

	struct acl_cslice *slices[ACL_DIR_MAX];
	uint32_t n_slices[ACL_DIR_MAX];

	struct acl_crule *rules[ACL_FAM_NUM];
	uint32_t n_rules[ACL_FAM_NUM];
	uint32_t cap_rules[ACL_FAM_NUM];

	uint32_t n_built;       /* contexts built by this compile */
	uint32_t n_reused;      /* contexts shared with prev */
};

/** Set cc->err (code and message) and return code. */
int acl_cc_fail(struct acl_cc *cc, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/** Hash of one label (the label index's key). */
uint64_t acl_label_hash(const char *key, const char *value);

/** Build the label index of cc->idents; 0 or -ENOMEM. */
int acl_cc_label_index(struct acl_cc *cc);

/**
 * Append to (v, n, cap) the identities (indexes, ascending) that sel (NULL:
 * all) matches, in namespace only_ns, or (only_ns UINT32_MAX) in every
 * namespace i with ns_ok[i]. 0 or -ENOMEM.
 */
int acl_cc_select(const struct acl_cc *cc, const struct acl_selector *sel,
		uint32_t only_ns, const bool *ns_ok, uint32_t **v, uint32_t *n,
		uint32_t *cap);

int acl_cc_namespaces(struct acl_cc *cc);
int acl_cc_identities(struct acl_cc *cc);
int acl_cc_policies(struct acl_cc *cc);
int acl_cc_targets(struct acl_cc *cc);
int acl_cc_number(struct acl_cc *cc);
int acl_cc_slices(struct acl_cc *cc);
int acl_cc_groups(struct acl_cc *cc);
int acl_cc_endpoints(struct acl_cc *cc);
int acl_cc_rules(struct acl_cc *cc);
int acl_cc_buckets(struct acl_cc *cc);

/** The target of one peer of a policy rule (computed by acl_cc_targets). */
const struct acl_target *acl_cc_target(struct acl_cc *cc, uint32_t pol,
		enum acl_dir dir, uint32_t rule, uint32_t peer);

/** Append one compact rule for family fam; 0 or -ENOMEM. */
int acl_cc_emit(struct acl_cc *cc, int fam, const struct acl_crule *r);

/** Emit rules for identity ids (sorted) as ranges, other fields from tmpl. */
int acl_cc_emit_ids(struct acl_cc *cc, int fam, struct acl_crule *tmpl,
		const uint32_t *ids, uint32_t n);

/** Resolve opts->classify_alg (0: SSE when supported); 0 or -ENOTSUP/-EINVAL. */
int acl_alg_resolve(int want, int *alg);

/** The rte_acl field layout of a family's contexts (acl_fields.h). */
const struct rte_acl_config *acl_rte_config(int fam);

/** Drop a reference to a shared context; frees it at zero. */
void acl_shctx_put(struct acl_shctx *s);

/** Bytes rte_malloc has handed out, all sockets (for memory estimates). */
uint64_t acl_heap_used(void);

/** Free the rte_acl side of a ruleset's buckets and merged contexts
 * (oldest context first). */
void acl_rs_free_buckets(struct acl_ruleset *rs);

/**
 * Build one context from n compact rules (any thread). group 0: a bucket's
 * context (rules as they are). group > 0: a merged context of that group
 * (acl_merge.c): every rule's slice field becomes group, and priorities
 * follow the rules' order by slice (first slice highest), then origin
 * (lowest highest), as the slices would be tried one by one. On success
 * the context owns rules (refcnt 1). @return 0 or a negative errno.
 */
int acl_shctx_build(const char *name, int socket_id, int fam, uint32_t group,
		struct acl_crule *rules, uint32_t n, struct acl_shctx **out);

#endif /* NPVS_ACL_PRIV_H */
