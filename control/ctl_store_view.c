/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ctl_store_view.c: the store's converted objects (the base model) and the
 * views that compiles read (ctl_store_priv.h).
 *
 * A change converts only what it brings (a delta) and builds a view: one
 * struct copy per element (the base's, or the delta's in place of its
 * namesake), the deleted ones left out, endpoints attached. Building it
 * costs a copy of the element arrays and a few lookups per endpoint, not
 * a conversion of every object; the elements themselves are shared until
 * the change is committed (ctl_store_base_merge) or dropped.
 *
 * Thread-safety: control thread only.
 */
#include "ctl_store_priv.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "ctl_cmds.h"
#include "ctl_log.h"
#include "vs_api.h"

#define NONE UINT32_MAX

static const size_t esize[CTL_STORE_K_MAX] = {
	sizeof(struct acl_namespace), sizeof(struct acl_pod),
	sizeof(struct acl_netpol),
};

/* The array and count of kind k in m. */
static void **
arr_of(struct acl_model *m, enum ctl_store_k k, uint32_t **n)
{
	switch (k) {
	case CTL_STORE_K_NS:
		*n = &m->n_namespaces;
		return (void **)&m->namespaces;
	case CTL_STORE_K_POD:
		*n = &m->n_pods;
		return (void **)&m->pods;
	default:
		*n = &m->n_policies;
		return (void **)&m->policies;
	}
}

static void
elem_key(enum ctl_store_k k, const void *e, char *buf, size_t size)
{
	const struct acl_namespace *n = e;
	const struct acl_pod *p = e;
	const struct acl_netpol *q = e;

	if (k == CTL_STORE_K_NS)
		ctl_store_key(k, NULL, n->name, buf, size);
	else if (k == CTL_STORE_K_POD)
		ctl_store_key(k, p->ns, p->name, buf, size);
	else
		ctl_store_key(k, q->ns, q->name, buf, size);
}

/* Free one element (through a model of one, which acl_model_clear frees). */
static void
elem_free(enum ctl_store_k k, void *e)
{
	struct acl_model one = { 0 };
	void **arr;
	uint32_t *n;

	arr = arr_of(&one, k, &n);
	*arr = malloc(esize[k]);
	if (*arr == NULL) {
		CTL_LOG(ERR, "store: out of memory freeing an object (leaked)");
		return;
	}
	memcpy(*arr, e, esize[k]);
	*n = 1;
	acl_model_clear(&one);
}

static int64_t
idx_get(const json_t *idx, const char *key)
{
	json_t *j = json_object_get(idx, key);

	return j != NULL ? json_integer_value(j) : -1;
}

/* ---- the base ---- */

int
ctl_store_base_init(struct ctl_store_base *b)
{
	unsigned int k;

	memset(b, 0, sizeof(*b));
	for (k = 0; k < CTL_STORE_K_MAX; k++)
		if ((b->idx[k] = json_object()) == NULL) {
			ctl_store_base_clear(b);
			return -ENOMEM;
		}
	return 0;
}

void
ctl_store_base_clear(struct ctl_store_base *b)
{
	unsigned int k;

	acl_model_clear(&b->m);
	for (k = 0; k < CTL_STORE_K_MAX; k++)
		json_decref(b->idx[k]);
	memset(b, 0, sizeof(*b));
}

int
ctl_store_base_reserve(struct ctl_store_base *b, const struct acl_model *d)
{
	char key[CTL_STORE_KEY_MAX];
	unsigned int k;
	uint32_t i, *n, *nd, need;
	void **arr, **darr, *grown;

	for (k = 0; k < CTL_STORE_K_MAX; k++) {
		arr = arr_of(&b->m, k, &n);
		darr = arr_of((struct acl_model *)d, k, &nd);
		for (i = 0, need = *n; i < *nd; i++) {
			elem_key(k, (char *)*darr + i * esize[k], key,
					sizeof(key));
			need += idx_get(b->idx[k], key) < 0;
		}
		if (need <= b->cap[k])
			continue;
		need = need > 2 * b->cap[k] ? need : 2 * b->cap[k];
		grown = realloc(*arr, need * esize[k]);
		if (grown == NULL)
			return -ENOMEM;
		*arr = grown;
		b->cap[k] = need;
	}
	return 0;
}

int
ctl_store_base_merge(struct ctl_store_base *b, struct acl_model *d)
{
	char key[CTL_STORE_KEY_MAX];
	unsigned int k;
	uint32_t i, *n, *nd;
	void **arr, **darr;
	char *e, *slot;
	int64_t at;
	int rc = 0;

	for (k = 0; k < CTL_STORE_K_MAX; k++) {
		arr = arr_of(&b->m, k, &n);
		darr = arr_of(d, k, &nd);
		for (i = 0; i < *nd; i++) {
			e = (char *)*darr + i * esize[k];
			elem_key(k, e, key, sizeof(key));
			at = idx_get(b->idx[k], key);
			if (at >= 0) {
				slot = (char *)*arr + at * esize[k];
				elem_free(k, slot);
			} else {
				at = (*n)++;    /* room reserved */
				slot = (char *)*arr + at * esize[k];
				if (json_object_set_new(b->idx[k], key,
						json_integer(at)) < 0)
					rc = -ENOMEM;
			}
			memcpy(slot, e, esize[k]);
			memset(e, 0, esize[k]);
		}
	}
	acl_model_clear(d);
	if (rc < 0)
		CTL_LOG(ERR, "store: out of memory indexing objects");
	return rc;
}

void
ctl_store_base_del(struct ctl_store_base *b, enum ctl_store_k k,
		const char *ns, const char *name)
{
	char key[CTL_STORE_KEY_MAX], moved[CTL_STORE_KEY_MAX];
	uint32_t *n;
	void **arr = arr_of(&b->m, k, &n);
	int64_t at;
	char *slot, *last;

	ctl_store_key(k, ns, name, key, sizeof(key));
	at = idx_get(b->idx[k], key);
	if (at < 0)
		return;
	slot = (char *)*arr + at * esize[k];
	last = (char *)*arr + (*n - 1) * esize[k];
	elem_free(k, slot);
	json_object_del(b->idx[k], key);
	if (slot != last) {     /* the last element takes the hole */
		memcpy(slot, last, esize[k]);
		elem_key(k, slot, moved, sizeof(moved));
		json_object_set_new(b->idx[k], moved, json_integer(at));
	}
	(*n)--;
}

/* ---- views ---- */

/* Where each base element and delta element went in a view's array. */
struct placed {
	uint32_t *pos;          /* base index -> view index, or NONE */
	uint32_t *dpos;         /* delta index -> view index */
	json_t *dkeys;          /* delta keys of new pods -> view index */
};

/*
 * at[i] for base element i: 0 keep, j + 1 replaced by delta element j,
 * NONE deleted. Deltas that replace nothing are appended (dnew[j]).
 */
static int
mark(const struct ctl_store_base *b, enum ctl_store_k k,
		const struct acl_model *d, const json_t *dels, uint32_t *at,
		bool *dnew)
{
	char key[CTL_STORE_KEY_MAX];
	const char *dk;
	uint32_t i, *nd;
	void **darr;
	json_t *v;
	int64_t j;

	darr = arr_of((struct acl_model *)d, k, &nd);
	for (i = 0; d != NULL && i < *nd; i++) {
		elem_key(k, (char *)*darr + i * esize[k], key, sizeof(key));
		j = idx_get(b->idx[k], key);
		dnew[i] = j < 0;
		if (j >= 0)
			at[j] = i + 1;
	}
	json_object_foreach((json_t *)dels, dk, v) {
		if (dk[0] != (char)('0' + k) || dk[1] != '/')
			continue;
		j = idx_get(b->idx[k], dk + 2);
		if (j >= 0)
			at[j] = NONE;
	}
	return 0;
}

/* One array of a view; room for extra more elements. */
static int
view_array(const struct ctl_store_base *b, enum ctl_store_k k,
		const struct acl_model *d, const json_t *dels, uint32_t extra,
		struct acl_model *vm, struct placed *pl)
{
	static const struct acl_model empty;
	uint32_t *nb, *nd, *nv, *at, i, nout = 0;
	void **barr = arr_of((struct acl_model *)&b->m, k, &nb);
	void **darr = arr_of((struct acl_model *)(d ? d : &empty), k, &nd);
	void **varr = arr_of(vm, k, &nv);
	bool *dnew;
	char *out;

	at = calloc(*nb + 1, sizeof(*at));
	dnew = calloc(*nd + 1, sizeof(*dnew));
	out = malloc((*nb + *nd + extra + 1) * esize[k]);
	if (at == NULL || dnew == NULL || out == NULL)
		goto err_nomem;
	mark(b, k, d ? d : &empty, dels, at, dnew);
	for (i = 0; i < *nb; i++) {
		const char *src = at[i] == 0 ? (char *)*barr + i * esize[k] :
			(char *)*darr + (at[i] - 1) * esize[k];

		if (pl != NULL)
			pl->pos[i] = at[i] == NONE ? NONE : nout;
		if (at[i] == NONE)
			continue;
		if (pl != NULL && at[i] != 0)
			pl->dpos[at[i] - 1] = nout;
		memcpy(out + nout++ * esize[k], src, esize[k]);
	}
	for (i = 0; i < *nd; i++) {
		if (!dnew[i])
			continue;
		if (pl != NULL)
			pl->dpos[i] = nout;
		memcpy(out + nout++ * esize[k], (char *)*darr + i * esize[k],
				esize[k]);
	}
	*varr = out;
	*nv = nout;
	free(at);
	free(dnew);
	return 0;

err_nomem:
	free(at);
	free(dnew);
	free(out);
	return -ENOMEM;
}

/* Pod lookups in a view: base index through pos, delta pods by key. */
struct view_find {
	const struct ctl_store_base *b;
	struct placed *pl;
};

static int64_t
view_find(void *ctx, const char *ns, const char *name)
{
	struct view_find *f = ctx;
	char key[CTL_STORE_KEY_MAX];
	int64_t i;

	ctl_store_key(CTL_STORE_K_POD, ns, name, key, sizeof(key));
	i = idx_get(f->pl->dkeys, key);
	if (i >= 0)
		return i;
	i = idx_get(f->b->idx[CTL_STORE_K_POD], key);
	return i < 0 || f->pl->pos[i] == NONE ? -1 : (int64_t)f->pl->pos[i];
}

/* The delta's pods by key, at their view index. */
static int
delta_keys(const struct acl_model *d, struct placed *pl)
{
	char key[CTL_STORE_KEY_MAX];
	uint32_t i;

	for (i = 0; d != NULL && i < d->n_pods; i++) {
		ctl_store_key(CTL_STORE_K_POD, d->pods[i].ns, d->pods[i].name,
				key, sizeof(key));
		if (json_object_set_new(pl->dkeys, key,
				json_integer(pl->dpos[i])) < 0)
			return -ENOMEM;
	}
	return 0;
}

int
ctl_store_view_build(const struct ctl_store_base *b,
		const struct acl_model *d, const json_t *dels,
		const struct vs_endpoint_info *eps, uint32_t n_eps,
		json_t *warnings, struct ctl_store_view *v,
		struct ctl_err *err)
{
	struct placed pl = { 0 };
	struct view_find f = { .b = b, .pl = &pl };
	int rc;

	memset(v, 0, sizeof(*v));
	pl.pos = calloc(b->m.n_pods + 1, sizeof(*pl.pos));
	pl.dpos = calloc((d ? d->n_pods : 0) + 1, sizeof(*pl.dpos));
	pl.dkeys = json_object();
	rc = pl.pos && pl.dpos && pl.dkeys ? 0 : -ENOMEM;
	if (rc == 0)
		rc = view_array(b, CTL_STORE_K_NS, d, dels, 0, &v->m, NULL);
	if (rc == 0)
		rc = view_array(b, CTL_STORE_K_POL, d, dels, 0, &v->m, NULL);
	if (rc == 0)
		rc = view_array(b, CTL_STORE_K_POD, d, dels, n_eps, &v->m, &pl);
	if (rc == 0)
		rc = delta_keys(d, &pl);
	if (rc == 0)
		rc = ctl_store_attach(&v->m, view_find, &f, eps, n_eps,
				&v->extras, warnings);
	free(pl.pos);
	free(pl.dpos);
	json_decref(pl.dkeys);
	if (rc < 0) {
		ctl_store_view_free(v);
		return ctl_err_set(err, ENOMEM, NULL, "out of memory");
	}
	return 0;
}

void
ctl_store_view_free(struct ctl_store_view *v)
{
	uint32_t i;

	free(v->m.namespaces);
	free(v->m.pods);
	free(v->m.policies);
	for (i = 0; i < v->extras.n; i++)
		free(v->extras.v[i]);
	free(v->extras.v);
	memset(v, 0, sizeof(*v));
}
