/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ctl_store.h: the cluster state on npvsd: the objects applied with
 * `npvsctl apply` (a manifest_set, control/manifest.h), matched with the
 * endpoints attached to the switch (vs_api.h), compiled into the live
 * policy (acl_ruleset.h) on every change.
 *
 * Every change is a transaction: apply loads its texts into a staging set
 * (all validated, or nothing), converts only those objects, compiles a
 * view of the stored model with them (and without what a delete removes)
 * against the live ruleset (acl_compile_opts.prev = vs_policy_get) and
 * publishes it (vs_policy_publish); only then are the objects committed to
 * the store. Anything refused on the way (a bad object, a failed compile
 * or publish) leaves the store and the live policy as they were.
 * endpoint_add and endpoint_del go through here too
 * (ctl_store_endpoint_add/del), so that the policy knows which pods are
 * local. ctl_store_priv.h describes the stored model and its views.
 *
 * How pods are found (docs/api.md, "apply"):
 *  - a Pod object whose namespace/name is an attached endpoint is local:
 *    its contexts are compiled; its addresses are status.podIPs from the
 *    manifest, or else the endpoint's;
 *  - an endpoint with no Pod object is a local pod of its namespace with no
 *    labels, at the endpoint's addresses;
 *  - any other Pod object (another node, or not attached yet) is known by
 *    its status.podIPs only, as a peer for selectors;
 *  - an address of a local pod wins over the same address in a pod that is
 *    not local (a stale object of a pod whose address was reused): the
 *    latter loses it, with a warning.
 * A model with no NetworkPolicy publishes no ruleset (NULL: nobody is
 * isolated) instead of compiling one.
 *
 * Neighbours: ctl_cmds_policy.c turns requests into these calls and the
 * results into replies; ctl_cmds_vs.c calls the endpoint hooks.
 *
 * Thread-safety: control thread only (it calls vs_api.h and acl_compile).
 */
#ifndef NPVS_CTL_STORE_H
#define NPVS_CTL_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "acl_model.h"
#include "acl_timing.h"
#include "manifest.h"

struct vs;
struct ctl_err;
struct vs_endpoint_spec;
struct vs_endpoint_info;
struct ctl_store;

/** One manifest text of an apply or delete (a file npvsctl read). */
struct ctl_store_doc {
	const char *source;     /**< file name, for messages */
	const char *text;
	size_t len;
};

/** One object named for deletion (`npvsctl delete KIND NAME`). */
struct ctl_store_ref {
	enum manifest_kind kind;        /**< MANIFEST_NAMESPACE/POD/NETPOL/NODE */
	const char *ns;                 /**< NULL for cluster-scoped kinds */
	const char *name;
};

/** Options of an apply or delete. */
struct ctl_store_opts {
	bool dry_run;           /**< validate and compile, change nothing */
	bool ignore_missing;    /**< delete: an absent object is no error */
	uint64_t received_ns;   /**< CLOCK_MONOTONIC time the request came
				 * in (ctl_ctx.req_ns); 0: the call's start */
};

/**
 * Where the time of an apply or delete went, in nanoseconds (docs/api.md,
 * "timing"). The phases up to publish_ns follow each other without gaps
 * from the request's arrival, so they add up to active_ns (request
 * received to new policy published); commit_ns comes after it.
 */
struct ctl_store_timing {
	uint64_t request_ns;    /**< request line parsed, arguments checked */
	uint64_t load_ns;       /**< texts loaded and validated */
	uint64_t diff_ns;       /**< created / configured / unchanged */
	uint64_t convert_ns;    /**< the new objects into a model (delta) */
	uint64_t endpoints_ns;  /**< the switch's endpoints read */
	uint64_t view_ns;       /**< the model to compile put together */
	uint64_t compile_ns;    /**< acl_compile() (its steps in acl) */
	uint64_t cleanup_ns;    /**< the view freed, room for the commit */
	uint64_t publish_ns;    /**< vs_policy_publish() */
	uint64_t active_ns;     /**< request received to policy published */
	uint64_t active_cpu_ns; /**< CPU time of the control thread in that
				 * (from the call's start): active_ns minus
				 * it is time spent waiting for a core */
	uint64_t commit_ns;     /**< after the publish: objects stored */
	struct acl_compile_timing acl;  /**< acl_compile's steps (n_steps 0:
					 * no compile) */
	uint64_t mark;          /**< internal: end of the last phase */
	uint64_t cpu0;          /**< internal: thread CPU time at the start */
};

/** What an operation did, for the reply and the log. */
struct ctl_store_report {
	json_t *objects;        /**< [{"kind","namespace","name","action"}];
				 * action: created, configured, unchanged,
				 * deleted */
	json_t *warnings;       /**< [string]: skipped kinds, lost addresses */
	bool compiled;          /**< the policy was rebuilt */
	bool published;         /**< ... and made live */
	uint32_t generation;    /**< live policy generation after the call */
	uint64_t parse_us;      /**< load and validation */
	uint64_t compile_us;    /**< model and acl_compile */
	uint64_t publish_us;    /**< vs_policy_publish */
	uint64_t active_us;     /**< start of the call to live policy */
	uint32_t n_policies;    /**< in the model */
	uint32_t n_pods;
	uint32_t n_local;       /**< pods compiled on this node */
	uint64_t n_rules;       /**< in the ruleset (0 when none) */
	uint32_t n_contexts_built;
	uint32_t n_contexts_reused;
	struct ctl_store_timing timing; /**< phase by phase */
};

/** Start a report (empty arrays, the timing clock at now). @return 0 or
 * -ENOMEM. */
int ctl_store_report_init(struct ctl_store_report *r);

/** Free what a report holds. */
void ctl_store_report_clear(struct ctl_store_report *r);

/** A new, empty store. @return NULL for lack of memory. */
struct ctl_store *ctl_store_create(void);

/** Free a store (not the live policy: the switch owns it). NULL: no-op. */
void ctl_store_free(struct ctl_store *st);

/** The objects stored now (read-only). */
const struct manifest_set *ctl_store_set(const struct ctl_store *st);

/** Generations published so far (0: none). */
uint32_t ctl_store_generation(const struct ctl_store *st);

/**
 * Apply n texts as one transaction: every object of every text is
 * validated, the whole next state compiled and published, or nothing
 * changes. An object already stored (kind, namespace, name) is replaced.
 * @return 0 with rep filled, or a negative errno with err filled:
 * -EINVAL (a bad object: err->msg is "FILE:LINE:COL: KIND NS/NAME:
 * /pointer: reason" and err->where the pointer; no object at all; a
 * refused compile), -ENOMEM, or the error of vs_policy_publish().
 */
int ctl_store_apply(struct ctl_store *st, struct vs *vs,
		const struct ctl_store_doc *docs, uint32_t n,
		const struct ctl_store_opts *opts, struct ctl_store_report *rep,
		struct ctl_err *err);

/**
 * Delete, as one transaction, the objects of n texts (validated as for
 * apply) and the n_refs objects of refs. Deleting a Namespace also deletes
 * the objects in it. An object that is not stored is an -ENOENT refusal
 * (naming it, and its file and line) unless opts->ignore_missing.
 * @return as ctl_store_apply().
 */
int ctl_store_delete(struct ctl_store *st, struct vs *vs,
		const struct ctl_store_doc *docs, uint32_t n,
		const struct ctl_store_ref *refs, uint32_t n_refs,
		const struct ctl_store_opts *opts, struct ctl_store_report *rep,
		struct ctl_err *err);

/**
 * vs_endpoint_add() with the policy kept in step: the policy with the
 * endpoint's pod local is compiled and published first, then the endpoint
 * is added (so its first packet meets its policy); if the add fails, the
 * policy without it is published again. A compile that fails (an address
 * of another local pod) refuses the add.
 * @return 0, or a negative errno with a message in msg.
 */
int ctl_store_endpoint_add(struct ctl_store *st, struct vs *vs,
		const struct vs_endpoint_spec *spec, char *msg, size_t msglen);

/**
 * vs_endpoint_del(), then the policy without the pod local.
 * @return 0, or vs_endpoint_del()'s -ENOENT. A failed recompile after the
 * endpoint is gone is logged, not returned.
 */
int ctl_store_endpoint_del(struct ctl_store *st, struct vs *vs,
		const char *ns, const char *name);

/**
 * The model the live policy was (or would now be) compiled from: the
 * stored objects and the switch's endpoints, as described above. For
 * `get pods`. acl_model_clear() it when done.
 * @return 0, or -ENOMEM with err filled.
 */
int ctl_store_model(struct ctl_store *st, struct vs *vs,
		struct acl_model *m, json_t *warnings, struct ctl_err *err);

/**
 * The switch's endpoints (vs_endpoint_list), in an array with room for
 * one more entry. @return the array (free() it) with *n set, or NULL for
 * lack of memory.
 */
struct vs_endpoint_info *ctl_store_endpoints(struct vs *vs, uint32_t *n);

#endif /* NPVS_CTL_STORE_H */
