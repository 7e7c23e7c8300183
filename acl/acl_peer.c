/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * acl_peer.c: what a NetworkPolicyPeer compiles to, and the emission of
 * compact rules for it.
 *
 *  - podSelector, namespaceSelector or both: a set of identities, emitted
 *    as ranges of ids on the identity field (address any). Ids that no
 *    identity uses may be bridged, so {3, 5} is one range when 4 is free.
 *  - ipBlock: the prefixes of cidr minus except on the address field
 *    (identity any: an ipBlock matches pod addresses too, as upstream's e2e
 *    tests expect).
 * A peer's target is computed once per compile (as identity indexes, before
 * identities have numbers: acl_order.c numbers them so that targets are
 * few ranges) and then emitted once per slice, that is once per policy: no
 * pods x peers product.
 */
#include "acl_priv.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int
acl_cc_emit(struct acl_cc *cc, int fam, const struct acl_crule *r)
{
	if (ACL_GROW(cc->rules[fam], cc->n_rules[fam], cc->cap_rules[fam]))
		return -ENOMEM;
	cc->rules[fam][cc->n_rules[fam]++] = *r;
	return 0;
}

/* Are there no used ids strictly between a and b (a < b)? */
static bool
ids_adjacent(const struct acl_cc *cc, uint32_t a, uint32_t b)
{
	return cc->used_below[b] == cc->used_below[a + 1];
}

int
acl_cc_emit_ids(struct acl_cc *cc, int fam, struct acl_crule *tmpl,
		const uint32_t *ids, uint32_t n)
{
	uint32_t i, lo, hi;
	int rc;

	if (n == 0)
		return 0;
	lo = hi = ids[0];
	for (i = 1; i <= n; i++) {
		if (i < n && ids_adjacent(cc, hi, ids[i])) {
			hi = ids[i];
			continue;
		}
		tmpl->id_lo = lo;
		tmpl->id_hi = hi;
		rc = acl_cc_emit(cc, fam, tmpl);
		if (rc != 0)
			return rc;
		if (i < n)
			lo = hi = ids[i];
	}
	return 0;
}

static int
target_selectors(struct acl_cc *cc, uint32_t pol, const struct acl_peer *p,
		struct acl_target *t)
{
	const struct acl_selector *ps = p->has_pod_sel ? &p->pod_sel : NULL;
	uint32_t i, cap = 0;
	bool *ok;
	int rc;

	t->kind = ACL_TGT_IDS;
	if (!p->has_ns_sel)     /* podSelector alone: the policy's namespace */
		return acl_cc_select(cc, ps, cc->pols[pol].ns, NULL, &t->idx,
			&t->n_ids, &cap);
	ok = calloc((size_t)cc->n_ns + 1, sizeof(*ok));
	if (ok == NULL)
		return -ENOMEM;
	for (i = 0; i < cc->n_ns; i++)
		ok[i] = acl_selector_match(&p->ns_sel, cc->ns[i].labels,
			cc->ns[i].name);
	rc = acl_cc_select(cc, ps, UINT32_MAX, ok, &t->idx, &t->n_ids, &cap);
	free(ok);
	return rc;
}

/* The target of a peer: O(1) through the rules' peer offsets. */
static struct acl_target *
target_at(struct acl_cc *cc, uint32_t pol, enum acl_dir dir, uint32_t rule,
		uint32_t peer)
{
	const struct acl_cpol *cp = &cc->pols[pol];
	uint32_t r = cp->rule_base + rule + (dir == ACL_DIR_EGRESS ?
		cc->m->policies[pol].n_ingress : 0);

	return &cc->targets[cp->peer_base + cc->rule_peer[r] + peer];
}

/* An ipBlock without except: its cidr alone, no allocation. */
static bool
target_simple(const struct acl_peer *pe, struct acl_target *t)
{
	if (!pe->has_ipblock || pe->ipblock.n_except != 0)
		return false;
	t->kind = ACL_TGT_PFX;
	t->one = pe->ipblock.cidr;
	acl_prefix_mask(&t->one);
	t->pfx = &t->one;
	t->n_pfx = 1;
	t->done = true;
	return true;
}

static int
target_compute(struct acl_cc *cc, uint32_t pol, const struct acl_peer *pe,
		struct acl_target *t)
{
	int rc;

	if (t->done || target_simple(pe, t))
		return 0;
	if (pe->has_ipblock) {
		t->kind = ACL_TGT_PFX;
		rc = acl_ipblock_prefixes(&pe->ipblock, &t->pfx, &t->n_pfx);
	} else {
		rc = target_selectors(cc, pol, pe, t);
	}
	t->done = rc == 0;
	return rc;
}

const struct acl_target *
acl_cc_target(struct acl_cc *cc, uint32_t pol, enum acl_dir dir,
		uint32_t rule, uint32_t peer)
{
	const struct acl_target *t = target_at(cc, pol, dir, rule, peer);

	if (t->same != NULL)
		t = t->same;
	return t->done ? t : NULL;
}

/* ---- computing every target once ---- */

/* One peer to compute, and what makes it equal to another. */
struct pref {
	uint64_t hash;
	struct acl_target *t;
	const struct acl_peer *pe;
	uint32_t pol;
	uint32_t scope;         /* podSelector alone: the policy's ns */
	bool done;              /* target made in prefs_dir */
};

static uint64_t
hash_str(uint64_t h, const char *s)
{
	return acl_hash64(h, s, strlen(s) + 1);
}

static uint64_t
hash_sel(uint64_t h, const struct acl_selector *s)
{
	uint32_t i, j;

	h = acl_hash64(h, &s->match_labels.n, sizeof(s->match_labels.n));
	for (i = 0; i < s->match_labels.n; i++) {
		h = hash_str(h, s->match_labels.v[i].key);
		h = hash_str(h, s->match_labels.v[i].value);
	}
	h = acl_hash64(h, &s->n_exprs, sizeof(s->n_exprs));
	for (i = 0; i < s->n_exprs; i++) {
		h = hash_str(h, s->exprs[i].key);
		h = acl_hash64(h, &s->exprs[i].op, sizeof(s->exprs[i].op));
		for (j = 0; j < s->exprs[i].n_values; j++)
			h = hash_str(h, s->exprs[i].values[j]);
	}
	return h;
}

static uint64_t
hash_prefix(uint64_t h, const struct acl_prefix *p)
{
	h = acl_hash64(h, &p->family, 1);
	h = acl_hash64(h, &p->len, 1);
	return acl_hash64(h, p->addr, 16);
}

static uint64_t
peer_hash(const struct acl_peer *pe, uint32_t scope)
{
	uint8_t shape = (uint8_t)(pe->has_pod_sel | pe->has_ns_sel << 1 |
		pe->has_ipblock << 2);
	uint64_t h = acl_hash64(ACL_HASH_INIT, &shape, 1);
	uint32_t i;

	if (pe->has_ipblock) {
		h = hash_prefix(h, &pe->ipblock.cidr);
		for (i = 0; i < pe->ipblock.n_except; i++)
			h = hash_prefix(h, &pe->ipblock.except[i]);
		return h;
	}
	h = acl_hash64(h, &scope, sizeof(scope));
	if (pe->has_pod_sel)
		h = hash_sel(h, &pe->pod_sel);
	if (pe->has_ns_sel)
		h = hash_sel(h, &pe->ns_sel);
	return h;
}

static bool
labels_equal(const struct acl_labels *a, const struct acl_labels *b)
{
	uint32_t i;

	if (a->n != b->n)
		return false;
	for (i = 0; i < a->n; i++)
		if (strcmp(a->v[i].key, b->v[i].key) != 0 ||
				strcmp(a->v[i].value, b->v[i].value) != 0)
			return false;
	return true;
}

static bool
sel_equal(const struct acl_selector *a, const struct acl_selector *b)
{
	const struct acl_sel_expr *x, *y;
	uint32_t i, j;

	if (!labels_equal(&a->match_labels, &b->match_labels) ||
			a->n_exprs != b->n_exprs)
		return false;
	for (i = 0; i < a->n_exprs; i++) {
		x = &a->exprs[i];
		y = &b->exprs[i];
		if (strcmp(x->key, y->key) != 0 || x->op != y->op ||
				x->n_values != y->n_values)
			return false;
		for (j = 0; j < x->n_values; j++)
			if (strcmp(x->values[j], y->values[j]) != 0)
				return false;
	}
	return true;
}

static bool
prefix_equal(const struct acl_prefix *a, const struct acl_prefix *b)
{
	return a->family == b->family && a->len == b->len &&
		memcmp(a->addr, b->addr, 16) == 0;
}

static bool
peer_equal(const struct pref *a, const struct pref *b)
{
	const struct acl_peer *x = a->pe, *y = b->pe;
	uint32_t i;

	if (x->has_pod_sel != y->has_pod_sel || x->has_ns_sel != y->has_ns_sel ||
			x->has_ipblock != y->has_ipblock)
		return false;
	if (x->has_ipblock) {
		if (!prefix_equal(&x->ipblock.cidr, &y->ipblock.cidr) ||
				x->ipblock.n_except != y->ipblock.n_except)
			return false;
		for (i = 0; i < x->ipblock.n_except; i++)
			if (!prefix_equal(&x->ipblock.except[i],
					&y->ipblock.except[i]))
				return false;
		return true;
	}
	return a->scope == b->scope &&
		(!x->has_pod_sel || sel_equal(&x->pod_sel, &y->pod_sel)) &&
		(!x->has_ns_sel || sel_equal(&x->ns_sel, &y->ns_sel));
}

/* By hash (radix on an index, then permute). */
static int
prefs_sort(struct pref *v, uint32_t n)
{
	struct acl_kv *kv = malloc((size_t)n * sizeof(*kv) + 1);
	struct pref *out = malloc((size_t)n * sizeof(*out) + 1);
	uint32_t i;
	int rc = -ENOMEM;

	if (kv != NULL && out != NULL) {
		for (i = 0; i < n; i++)
			kv[i] = (struct acl_kv){ v[i].hash, i };
		rc = acl_sort_kv(kv, n);
	}
	if (rc == 0) {
		for (i = 0; i < n; i++)
			out[i] = v[kv[i].v];
		if (n > 0)
			memcpy(v, out, (size_t)n * sizeof(*v));
	}
	free(kv);
	free(out);
	return rc;
}

static int
prefs_dir(struct acl_cc *cc, uint32_t pol, enum acl_dir d, struct pref **v,
		uint32_t *n, uint32_t *cap)
{
	const struct acl_netpol *p = &cc->m->policies[pol];
	const struct acl_rule *r = d == ACL_DIR_INGRESS ? p->ingress : p->egress;
	uint32_t nr = d == ACL_DIR_INGRESS ? p->n_ingress : p->n_egress;
	uint32_t i, j, scope;

	for (i = 0; i < nr; i++) {
		for (j = 0; j < r[i].n_peers; j++) {
			const struct acl_peer *pe = &r[i].peers[j];

			if (ACL_GROW(*v, *n, *cap) != 0)
				return -ENOMEM;
			scope = !pe->has_ns_sel && !pe->has_ipblock ?
				cc->pols[pol].ns : UINT32_MAX;
			(*v)[(*n)++] = (struct pref){ peer_hash(pe, scope),
				target_at(cc, pol, d, i, j), pe, pol, scope,
				false };
			/* now, while pe and t are in the cache (the runs
			 * below visit peers in hash order) */
			(*v)[*n - 1].t->uses = 1;
			(*v)[*n - 1].done = target_simple(pe, (*v)[*n - 1].t);
		}
	}
	return 0;
}

/* Compute the targets of a run of equal hashes, sharing equal peers. */
static int
prefs_run(struct acl_cc *cc, struct pref *v, uint32_t n)
{
	uint32_t i, j;
	int rc;

	for (i = 0; i < n; i++) {
		for (j = 0; j < i; j++)
			if (v[j].t->same == NULL && peer_equal(&v[j], &v[i]))
				break;
		if (j < i) {
			v[i].t->same = v[j].t;
			v[j].t->uses++;
			continue;
		}
		rc = target_compute(cc, v[i].pol, v[i].pe, v[i].t);
		if (rc != 0)
			return rc;
	}
	return 0;
}

/*
 * Every peer of every policy that selects a compiled identity, each
 * distinct peer computed once (policies generated from one template
 * repeat the same peers hundreds of times).
 */
int
acl_cc_targets(struct acl_cc *cc)
{
	uint32_t i, j, n = 0, cap = 0;
	const struct acl_netpol *p;
	struct pref *v = NULL;
	int rc = 0;

	for (i = 0; i < cc->m->n_policies && rc == 0; i++) {
		if (!cc->pols[i].active)
			continue;
		p = &cc->m->policies[i];
		if (p->type_ingress)
			rc = prefs_dir(cc, i, ACL_DIR_INGRESS, &v, &n, &cap);
		if (rc == 0 && p->type_egress)
			rc = prefs_dir(cc, i, ACL_DIR_EGRESS, &v, &n, &cap);
	}
	if (rc == 0)
		rc = prefs_sort(v, n);
	for (i = 0; i < n && rc == 0; i = j) {
		for (j = i + 1; j < n && v[j].hash == v[i].hash; j++)
			;
		if (j - i > 1 || !v[i].done)    /* else nothing to do */
			rc = prefs_run(cc, v + i, j - i);
	}
	free(v);
	return rc == 0 ? 0 : acl_cc_fail(cc, rc, "out of memory");
}
