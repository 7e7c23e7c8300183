/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ctl_store_priv.h: what ctl_store.c, ctl_store_model.c and
 * ctl_store_view.c share.
 *
 * The store keeps its policy objects twice: as loaded (the manifest_set,
 * for get and delete) and converted (the base model, struct
 * ctl_store_base), so that a change converts only the objects it brings
 * (the delta, a small acl_model from manifest_set_model() of the new
 * objects) instead of all of them. What a compile reads is a view: arrays
 * of the base's elements with the delta's in place of their namesakes,
 * without the deleted ones, and the endpoints attached. A view borrows
 * the elements (struct copies whose pointers it does not own) and owns only
 * its arrays and what attaching allocates (its extras).
 *
 * Thread-safety: control thread only.
 */
#ifndef NPVS_CTL_STORE_PRIV_H
#define NPVS_CTL_STORE_PRIV_H

#include <stdint.h>

#include <jansson.h>

#include "acl_model.h"
#include "ctl_store.h"
#include "manifest.h"

struct ctl_err;
struct vs_endpoint_info;
struct vs_endpoint_spec;

/** The kinds of the model, as indexes of ctl_store_base's arrays. */
enum ctl_store_k {
	CTL_STORE_K_NS,
	CTL_STORE_K_POD,
	CTL_STORE_K_POL,
	CTL_STORE_K_MAX,
};

/** Room for an element's key: "ns/name" (or "name" for a namespace). */
#define CTL_STORE_KEY_MAX 320

/** The stored Namespaces, Pods and NetworkPolicies, converted. */
struct ctl_store_base {
	struct acl_model m;             /* elements owned */
	uint32_t cap[CTL_STORE_K_MAX];  /* room in each array */
	json_t *idx[CTL_STORE_K_MAX];   /* key -> index */
};

/** Allocations a view (or a deep model's attach) made. */
struct ctl_store_extras {
	void **v;
	uint32_t n, cap;
};

/** A model to compile, borrowing the base's and a delta's elements. */
struct ctl_store_view {
	struct acl_model m;             /* arrays owned, elements borrowed */
	struct ctl_store_extras extras; /* owned: what attaching added */
};

/* ---- ctl_store_model.c ---- */

/** A warning into the array warnings, or into the log when NULL. */
void ctl_store_warn(json_t *warnings, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/** Put spec into v (replacing the endpoint of its ns/name, else as v[*n],
 * for which ctl_store_endpoints() left room). */
void ctl_store_endpoints_put(struct vs_endpoint_info *v, uint32_t *n,
		const struct vs_endpoint_spec *spec);

/** The kind of a manifest kind, or CTL_STORE_K_MAX for other kinds. */
enum ctl_store_k ctl_store_k_of(enum manifest_kind kind);

/** An object's key in its kind's index. */
void ctl_store_key(enum ctl_store_k k, const char *ns, const char *name,
		char *buf, size_t size);

/**
 * Attach endpoints to a model (ctl_store.h, "How pods are found"): m's
 * pods array must have room for n more pods. find(ctx, ns, name) gives the
 * index of a pod in m, or -1. With x NULL, m owns what this allocates
 * (and frees what it replaces); else x tracks it and m's elements are
 * left alone. Warnings go into warnings, or the log when NULL.
 * @return 0 or -ENOMEM.
 */
int ctl_store_attach(struct acl_model *m,
		int64_t (*find)(void *ctx, const char *ns, const char *name),
		void *ctx, const struct vs_endpoint_info *eps, uint32_t n,
		struct ctl_store_extras *x, json_t *warnings);

/* ---- ctl_store_view.c ---- */

int ctl_store_base_init(struct ctl_store_base *b);
void ctl_store_base_clear(struct ctl_store_base *b);

/** Room for every element of d that is new to b (so that a merge after a
 * publish cannot fail). @return 0 or -ENOMEM. */
int ctl_store_base_reserve(struct ctl_store_base *b,
		const struct acl_model *d);

/** Move d's elements into b, replacing their namesakes; d is left empty
 * (acl_model_clear'ed). Call ctl_store_base_reserve() first.
 * @return 0, or -ENOMEM (an index entry; logged, b may miss it). */
int ctl_store_base_merge(struct ctl_store_base *b, struct acl_model *d);

/** Remove the element of (kind, ns, name), if any. */
void ctl_store_base_del(struct ctl_store_base *b, enum ctl_store_k k,
		const char *ns, const char *name);

/**
 * Build a view: b with d's elements (NULL: none) in place of their
 * namesakes or added, without the elements whose keys dels holds
 * ("K/key" with K the ctl_store_k digit; NULL: none), and the endpoints
 * attached. @return 0, or -ENOMEM with err filled and v empty.
 */
int ctl_store_view_build(const struct ctl_store_base *b,
		const struct acl_model *d, const json_t *dels,
		const struct vs_endpoint_info *eps, uint32_t n_eps,
		json_t *warnings, struct ctl_store_view *v,
		struct ctl_err *err);

/** Free what a view owns (not the elements it borrows). */
void ctl_store_view_free(struct ctl_store_view *v);

#endif /* NPVS_CTL_STORE_PRIV_H */
