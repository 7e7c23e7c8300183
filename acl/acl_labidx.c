/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * acl_labidx.c: selecting identities by label selector, through an index
 * of the compile's identities by (label key, value).
 *
 * Policies (spec.podSelector) and peers select among the identities of a
 * namespace or of every namespace a namespaceSelector matches. A selector
 * with a matchLabels term only looks at the identities that carry that one
 * label (a sorted array of (hash of key=value, identity) pairs), then
 * checks the whole selector on each; one without (only expressions, or {})
 * scans its namespaces. The answer is identity indexes, ascending.
 */
#include "acl_priv.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

uint64_t
acl_label_hash(const char *key, const char *value)
{
	uint64_t h = acl_hash64(ACL_HASH_INIT, key, strlen(key) + 1);

	return acl_hash64(h, value, strlen(value) + 1);
}

_Static_assert(sizeof(struct acl_lab) == sizeof(struct acl_kv) &&
	offsetof(struct acl_lab, ident) == offsetof(struct acl_kv, v),
	"acl_lab sorts as acl_kv");

int
acl_cc_label_index(struct acl_cc *cc)
{
	const struct acl_labels *l;
	uint32_t i, j, n = 0;

	for (i = 0; i < cc->n_idents; i++)
		n += cc->m->pods[cc->idents[i].pod].labels.n;
	cc->lab = malloc((size_t)n * sizeof(*cc->lab) + 1);
	if (cc->lab == NULL)
		return -ENOMEM;
	for (i = 0; i < cc->n_idents; i++) {
		l = &cc->m->pods[cc->idents[i].pod].labels;
		for (j = 0; j < l->n; j++)
			cc->lab[cc->n_lab++] = (struct acl_lab){
				acl_label_hash(l->v[j].key, l->v[j].value), i };
	}
	/* Built in identity order: a stable sort by hash gives (hash, ident). */
	return acl_sort_kv((struct acl_kv *)cc->lab, cc->n_lab);
}

static bool
ns_pass(const struct acl_cc *cc, uint32_t ident, uint32_t only_ns,
		const bool *ns_ok)
{
	uint32_t ns = cc->idents[ident].ns;

	return only_ns != UINT32_MAX ? ns == only_ns : ns_ok[ns];
}

static bool
sel_pass(const struct acl_cc *cc, const struct acl_selector *sel,
		uint32_t ident)
{
	return sel == NULL || acl_selector_match(sel,
		&cc->m->pods[cc->idents[ident].pod].labels, NULL);
}

static int
push(uint32_t **v, uint32_t *n, uint32_t *cap, uint32_t x)
{
	if (ACL_GROW(*v, *n, *cap) != 0)
		return -ENOMEM;
	(*v)[(*n)++] = x;
	return 0;
}

/* Through the index: identities carrying sel's first matchLabels label. */
static int
select_indexed(const struct acl_cc *cc, const struct acl_selector *sel,
		uint32_t only_ns, const bool *ns_ok, uint32_t **v, uint32_t *n,
		uint32_t *cap)
{
	uint64_t h = acl_label_hash(sel->match_labels.v[0].key,
		sel->match_labels.v[0].value);
	uint32_t lo = 0, hi = cc->n_lab, mid, x;

	while (lo < hi) {               /* first entry with hash >= h */
		mid = lo + (hi - lo) / 2;
		if (cc->lab[mid].h < h)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < cc->n_lab && cc->lab[lo].h == h; lo++) {
		x = cc->lab[lo].ident;
		if (ns_pass(cc, x, only_ns, ns_ok) && sel_pass(cc, sel, x) &&
				push(v, n, cap, x) != 0)
			return -ENOMEM;
	}
	return 0;
}

static int
select_scan(const struct acl_cc *cc, const struct acl_selector *sel,
		uint32_t only_ns, const bool *ns_ok, uint32_t **v, uint32_t *n,
		uint32_t *cap)
{
	const struct acl_cns *ns;
	uint32_t i, j, first = *n;

	for (i = 0; i < cc->n_ns; i++) {
		if (only_ns != UINT32_MAX ? i != only_ns : !ns_ok[i])
			continue;
		ns = &cc->ns[i];
		for (j = 0; j < ns->n_idents; j++)
			if (sel_pass(cc, sel, ns->idents[j]) &&
					push(v, n, cap, ns->idents[j]) != 0)
				return -ENOMEM;
	}
	if (only_ns == UINT32_MAX && *n - first > 1)    /* merge namespaces */
		qsort(*v + first, *n - first, sizeof(**v), acl_u32_cmp);
	return 0;
}

int
acl_cc_select(const struct acl_cc *cc, const struct acl_selector *sel,
		uint32_t only_ns, const bool *ns_ok, uint32_t **v, uint32_t *n,
		uint32_t *cap)
{
	if (sel != NULL && sel->match_labels.n > 0)
		return select_indexed(cc, sel, only_ns, ns_ok, v, n, cap);
	return select_scan(cc, sel, only_ns, ns_ok, v, n, cap);
}
