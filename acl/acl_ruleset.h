/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * acl_ruleset.h: compiled policy, the one thing the data path, trace and
 * `npvsctl reach` classify with.
 *
 * acl_compile() turns an acl_model (acl_model.h) into an immutable
 * acl_ruleset: rte_acl contexts holding each policy's rules per direction
 * ("slices", packed into shared contexts per family), the endpoint groups
 * (the slices of the policies that select a pod), the address -> endpoint
 * table (identity and groups of every pod address) and the rule-origin
 * table that names the policy, rule, peer and port behind every verdict.
 * See docs/architecture.md ("Policy compiler") for the scheme and
 * docs/policy.md for the semantics.
 *
 * Classify keys: struct acl_key4 / acl_key6 in acl_fields.h. Rule values are
 * host order inside acl/, keys are network order (rte_acl's convention).
 *
 * Thread-safety: acl_compile() and acl_ruleset_free() run on the control
 * thread (they call rte_acl_build/rte_acl_free; a ruleset compiled with
 * opts->prev shares contexts with it by a plain refcount, so free rulesets
 * on that one thread, in any order). A published ruleset is
 * read-only; any number of lcores may call acl_classify() and the lookup
 * functions on it concurrently. Requires an initialised EAL (rte_acl
 * allocates with rte_malloc); --no-huge is enough.
 */
#ifndef NPVS_ACL_RULESET_H
#define NPVS_ACL_RULESET_H

#include <stdbool.h>
#include <stdint.h>

#include "acl_model.h"

struct acl_ruleset;

/** Direction of a check, from the local endpoint's point of view. */
enum acl_dir {
	ACL_DIR_INGRESS = 0,    /**< peer is the source, endpoint the destination */
	ACL_DIR_EGRESS = 1,     /**< endpoint is the source, peer the destination */
	ACL_DIR_MAX,
};

/**
 * Verdicts from acl_classify(). Any other value v is an allow by the rule
 * whose origin acl_ruleset_origin(rs, v) describes.
 */
#define ACL_VERDICT_DENY 0u             /**< isolated, and no rule allows */
#define ACL_VERDICT_UNISOLATED UINT32_MAX /**< no policy isolates: allowed */
/**
 * A pod's traffic to itself: always allowed ("a pod cannot block access to
 * itself", Kubernetes network policy docs; upstream e2e AllowLoopback).
 * acl_classify() cannot see it (identities are shared by alike pods): the
 * caller compares the two endpoints' pod (acl_ruleset_check() does).
 */
#define ACL_VERDICT_SELF (UINT32_MAX - 1)

/** Group id of an endpoint that no policy isolates in that direction. */
#define ACL_GROUP_NONE 0u

/** Identity of an address that is no known pod (an outside host). */
#define ACL_IDENTITY_WORLD 0u

/** What the compiler knows of one pod address. */
struct acl_endpoint {
	struct acl_addr addr;
	uint32_t identity;              /**< shared by pods alike for policy */
	/**
	 * ACL_GROUP_NONE: not isolated, or a pod that is not compiled here
	 * (not local, and not opts->all_local).
	 */
	uint32_t group[ACL_DIR_MAX];
	uint32_t pod;                   /**< index into the model's pods */
};

/** Where an allow came from (for trace, counters and logs). */
struct acl_origin {
	const char *policy_ns;
	const char *policy_name;
	enum acl_dir dir;
	uint32_t rule;          /**< index in ingress[] or egress[] */
	uint32_t peer;          /**< index in the rule's peers; UINT32_MAX: all */
	uint32_t port;          /**< index in the rule's ports; UINT32_MAX: all */
};

/** Options for acl_compile(). */
struct acl_compile_opts {
	const char *name;       /**< prefix of rte_acl names (a process-wide
				 * counter makes them unique); NULL: "acl" */
	int socket_id;          /**< SOCKET_ID_ANY is fine */
	int classify_alg;       /**< enum rte_acl_classify_alg; 0 = SSE when
				 * supported (faster than AVX2 on AMD), else
				 * each context's default */
	bool all_local;         /**< compile every pod's groups (reach), not only local ones */
	/**
	 * The ruleset this one replaces, or NULL. Ids (identities, groups,
	 * origins) are kept from it, and every rte_acl context whose rule
	 * list is unchanged is shared with it (refcounted) instead of
	 * rebuilt: one changed policy rebuilds only the contexts it touches.
	 * prev stays valid and usable; free it (acl_ruleset_free) whenever
	 * its readers are done, before or after the new one.
	 */
	const struct acl_ruleset *prev;
	/**
	 * Target rules per shared rte_acl context (a "bucket" of policy
	 * slices); 0: 128. Smaller: faster recompiles, slower full compiles.
	 */
	uint32_t bucket_rules;
	/**
	 * Threads that build rte_acl contexts, the caller's included; 0 or
	 * 1: the calling thread only (the default: npvsd's other cores poll).
	 * At most 16.
	 */
	uint32_t build_threads;
};

/** An error from acl_compile(): code is a negative errno. */
struct acl_err {
	int code;
	char msg[256];
};

/**
 * Compile a model. The model is only read; the ruleset keeps copies of
 * what it needs (it does not point into the model).
 * @return the ruleset, or NULL with err filled.
 */
struct acl_ruleset *acl_compile(const struct acl_model *m,
		const struct acl_compile_opts *opts, struct acl_err *err);

/** Free a ruleset and its rte_acl contexts. NULL is a no-op. */
void acl_ruleset_free(struct acl_ruleset *rs);

/**
 * Classify n keys (struct acl_key4 for ACL_AF_INET, acl_key6 for
 * ACL_AF_INET6, see acl_fields.h) of one endpoint group. group
 * ACL_GROUP_NONE gives ACL_VERDICT_UNISOLATED for all. Every key must
 * carry the same group (acl_key4_fill's group argument): groups share
 * rte_acl contexts, and the key's group picks the group's rules. A group
 * whose policies allow nothing in this family gives ACL_VERDICT_DENY.
 * lcore-safe; no allocation, no locks.
 * @return 0, or -EINVAL for an unknown group or family.
 */
int acl_classify(const struct acl_ruleset *rs, enum acl_dir dir,
		uint8_t family, uint32_t group, const uint8_t **keys,
		uint32_t *verdicts, uint32_t n);

/**
 * Look up a pod address. @return the entry, or NULL for an address of no
 * known pod (identity ACL_IDENTITY_WORLD, groups ACL_GROUP_NONE).
 * Binary search: for the control path; the data path builds its own hash
 * from acl_ruleset_endpoints().
 */
const struct acl_endpoint *acl_ruleset_lookup(const struct acl_ruleset *rs,
		const struct acl_addr *addr);

/** All endpoint entries, sorted by address. */
const struct acl_endpoint *acl_ruleset_endpoints(const struct acl_ruleset *rs,
		uint32_t *n);

/** The origin of an allow verdict, or NULL for DENY/UNISOLATED/SELF/unknown. */
const struct acl_origin *acl_ruleset_origin(const struct acl_ruleset *rs,
		uint32_t verdict);

/** One connection attempt, for acl_ruleset_check(). */
struct acl_flow {
	struct acl_addr src;
	struct acl_addr dst;    /**< same family as src */
	uint8_t proto;          /**< IP protocol number */
	uint16_t sport;         /**< host order; 0 for protocols without ports */
	uint16_t dport;         /**< host order */
};

/** Both checks of a flow. */
struct acl_flow_verdict {
	/**
	 * The source pod's egress: a verdict as from acl_classify();
	 * ACL_VERDICT_UNISOLATED when the source is no pod, or a pod whose
	 * contexts were not compiled (not local, and not opts->all_local).
	 */
	uint32_t egress;
	uint32_t ingress;       /**< the destination pod's ingress, likewise */
	bool allowed;           /**< neither check denies */
};

/**
 * Check one flow both ways, as the data path does for a new flow: the
 * source's egress and the destination's ingress (either may be an outside
 * host). Source and destination the same pod: both ACL_VERDICT_SELF.
 * For `npvsctl reach` and tests; the data path classifies bursts.
 * lcore-safe. @return 0, or -EINVAL (NULL, bad or mixed families).
 */
int acl_ruleset_check(const struct acl_ruleset *rs, const struct acl_flow *f,
		struct acl_flow_verdict *v);

/** Figures for logs and benchmarks. */
struct acl_ruleset_stats {
	uint32_t n_identities;
	uint32_t n_groups[ACL_DIR_MAX];
	uint32_t n_contexts;
	uint64_t n_rules;
	uint64_t mem_size;      /**< bytes, rte_acl contexts and tables */
	uint64_t build_ns;
	/* Extensions (npvs acl/). */
	uint32_t n_slices[ACL_DIR_MAX]; /**< (policy, direction) rule sets */
	uint32_t n_buckets[ACL_DIR_MAX];        /**< contexts' slice packs */
	uint32_t n_contexts_built;      /**< by this compile */
	uint32_t n_contexts_reused;     /**< shared with opts->prev */
	uint32_t n_origins;             /**< size of the origin table */
	uint64_t acl_mem_size;          /**< of which rte_acl contexts */
	/* Merged contexts (acl_merge_plan/attach; not in the figures above). */
	uint32_t n_merge_planned;       /**< contexts the plan wants */
	uint32_t n_merged;              /**< attached (classify uses them) */
	uint32_t n_merge_carried;       /**< of which shared with prev */
	uint32_t n_merge_failed;        /**< builds failed or cancelled */
	uint32_t n_merge_pending;       /**< planned, not attached nor failed */
	uint32_t n_merge_skipped;       /**< over the rule budget: level 0 */
	uint64_t n_merged_rules;        /**< rules of the attached ones */
	uint64_t merged_mem_size;       /**< bytes, estimated */
	uint64_t merge_build_ns;        /**< building the attached ones */
};
/** Fill st (zeroed for a NULL rs). */
void acl_ruleset_get_stats(const struct acl_ruleset *rs,
		struct acl_ruleset_stats *st);

/* ---- merged contexts (acl_merge.c) ---- */

/*
 * Level 0 (what acl_compile builds) classifies a group's keys once per
 * slice of the group: a pod selected by 100 policies costs 100 rte_acl
 * calls per new flow. A merged context holds all of one group's rules
 * (one direction, one family) in one rte_acl context, with priorities
 * that give exactly level 0's verdict for every key: acl_classify() then
 * makes one call. Merged contexts are slow to build (tens of ms for
 * 10,000 rules), so they are built after the ruleset is live, off the
 * control thread, and attached when ready; until then (and for groups
 * left out) level 0 answers. Attaching never changes a verdict.
 *
 *   m = acl_merge_plan(rs, prev, NULL);   control thread, after publish
 *   acl_merge_build(m);                   any thread, slow
 *   acl_merge_attach(rs, m);              control thread; -ESTALE if rs
 *   acl_merge_free(m);                    is not the ruleset m was for
 *
 * A plan copies the rules it needs: it keeps no pointer into rs or prev,
 * so either may be freed while it is built. Contexts of prev whose rule
 * list is byte-identical (and same group) are shared by refcount and
 * attached by the plan itself.
 */
struct acl_merge;

/** Options of acl_merge_plan(); NULL: defaults. */
struct acl_merge_opts {
	/**
	 * Most rules in all merged contexts of a ruleset; 0: the default,
	 * max(4 x level-0 rules, ACL_MERGE_RULES_MIN). Groups that do not
	 * fit stay at level 0 (counted: n_merge_skipped). UINT64_MAX: all.
	 */
	uint64_t max_rules;
	int socket_id;          /**< for rte_acl; 0 is fine */
};

/** Floor of the default merged-rule budget. */
#define ACL_MERGE_RULES_MIN 65536u

/**
 * Plan the merged contexts of rs: every (direction, family, group) whose
 * level-0 classify takes at least 2 rte_acl calls, most calls first,
 * within the budget. Carries over prev's merged contexts with the same
 * rules (attached to rs at once). Call once per ruleset, on the control
 * thread (refcounts), while rs is live or before. prev may be NULL.
 * @return the plan (possibly with nothing to build), or NULL (ENOMEM).
 */
struct acl_merge *acl_merge_plan(struct acl_ruleset *rs,
		const struct acl_ruleset *prev, const struct acl_merge_opts *o);

/** Contexts the plan still has to build (0: nothing for acl_merge_build). */
uint32_t acl_merge_jobs(const struct acl_merge *m);

/**
 * Build the planned contexts. Any one thread (not the EAL main lcore
 * required); reads nothing but the plan. Stops early after
 * acl_merge_cancel(). @return 0, -ECANCELED, or the first build error
 * (the contexts that built are still attached).
 */
int acl_merge_build(struct acl_merge *m);

/** Ask a running acl_merge_build() to stop after its current context. Any
 * thread. */
void acl_merge_cancel(struct acl_merge *m);

/**
 * Publish the built contexts into rs (release stores; lcores pick them up
 * on their next classify). Control thread. @return 0, or -ESTALE (nothing
 * done) when m was not planned for this very ruleset.
 */
int acl_merge_attach(struct acl_ruleset *rs, struct acl_merge *m);

/** Free a plan and whatever it built that was not attached. Control
 * thread (or any thread for a plan never attached from). NULL: no-op. */
void acl_merge_free(struct acl_merge *m);

/* ---- classify method (acl_alg.c) ---- */

/** acl_alg_choose(): measure and take the fastest (rte_acl's DEFAULT, 0). */
#define ACL_ALG_AUTO 0
/** Methods are enum rte_acl_classify_alg values, 1 .. ACL_ALG_NUM - 1. */
#define ACL_ALG_NUM 8

/** What acl_alg_choose() found. */
struct acl_alg_report {
	int wanted;                     /**< ACL_ALG_AUTO or a method */
	int chosen;                     /**< the method to pass to acl_compile */
	bool measured;                  /**< chosen by measurement */
	bool supported[ACL_ALG_NUM];    /**< by this CPU and EAL; [0] false */
	double ns_per_key[ACL_ALG_NUM]; /**< measured (auto only); 0: not */
};

/** "auto", "scalar", "sse", "avx2", "neon", "altivec", "avx512x16",
 * "avx512x32"; NULL for an unknown value. */
const char *acl_alg_name(int alg);

/** The reverse of acl_alg_name(). @return 0, or -EINVAL. */
int acl_alg_from_name(const char *name, int *alg);

/**
 * Pick the classify method. want ACL_ALG_AUTO: build one small context of
 * the shape acl_compile() emits (a few hundred rules), time every method
 * this CPU and EAL support on a few thousand keys in bursts of 32, choose
 * the fastest. Otherwise check that want is supported. Logs one INFO line
 * (every method's ns/key and the choice). Takes some 10 to 50 ms (auto).
 * Control thread only; needs an initialised EAL.
 * @return 0 with r filled, -EINVAL (want out of range), -ENOTSUP (want not
 * supported here; r->supported says what is), -ENOMEM.
 */
int acl_alg_choose(int want, struct acl_alg_report *r);

#endif /* NPVS_ACL_RULESET_H */
