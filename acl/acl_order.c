/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * acl_order.c: numbering identities.
 *
 * A selector peer compiles to ranges of identity ids, one rte_acl rule per
 * range, and rte_acl build time grows with rules. So ids are given in an
 * order that makes the peer sets that are used most into few ranges: the
 * distinct identity sets of all selector peers are ranked by how often they
 * are used, and identities sort by their membership, best-ranked set first
 * (members before non-members). The most used set is then one range, the
 * next at most two, and so on; namespace and key break ties, so an
 * unreferenced namespace stays together.
 *
 * Stability wins over packing: an identity the previous ruleset knew keeps
 * its id (contexts built with it can then be shared); only new identities
 * are ordered, after every id ever given. When the ids get too sparse the
 * whole set is renumbered (and everything rebuilt); pass no prev to
 * repack on purpose.
 */
#include "acl_priv.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* One distinct identity set of selector peers. */
struct tset {
	uint64_t hash;
	uint32_t t;             /* a target with this set */
	uint32_t uses;
	uint32_t rank;
};

static uint64_t
idx_hash(const uint32_t *v, uint32_t n)
{
	return acl_hash64(ACL_HASH_INIT, v, (size_t)n * sizeof(*v)) ^ n;
}

static int
tset_cmp(const void *a, const void *b, void *arg)
{
	const struct acl_target *ts = arg;
	const struct tset *x = a, *y = b;
	const struct acl_target *tx = &ts[x->t], *ty = &ts[y->t];

	if (x->hash != y->hash)
		return x->hash < y->hash ? -1 : 1;
	if (tx->n_ids != ty->n_ids)
		return tx->n_ids < ty->n_ids ? -1 : 1;
	return memcmp(tx->idx, ty->idx, tx->n_ids * sizeof(*tx->idx));
}

static int
tset_rank_cmp(const void *a, const void *b)
{
	const struct tset *x = a, *y = b;

	if (x->uses != y->uses)
		return x->uses > y->uses ? -1 : 1;
	return x->hash < y->hash ? -1 : x->hash > y->hash;
}

/* Distinct proper identity sets of selector peers, most used first. */
static int
tsets_build(struct acl_cc *cc, struct tset **out, uint32_t *n_out)
{
	const struct acl_target *t;
	struct tset *v;
	uint32_t i, n = 0, u = 0;

	v = calloc((size_t)cc->n_targets + 1, sizeof(*v));
	if (v == NULL)
		return -ENOMEM;
	for (i = 0; i < cc->n_targets; i++) {
		t = &cc->targets[i];
		if (t->same != NULL || !t->done || t->kind != ACL_TGT_IDS ||
				t->n_ids == 0 || t->n_ids == cc->n_idents)
			continue;
		v[n++] = (struct tset){ idx_hash(t->idx, t->n_ids), i, t->uses,
			0 };
	}
	qsort_r(v, n, sizeof(*v), tset_cmp, cc->targets);
	for (i = 0; i < n; i++) {
		if (u > 0 && tset_cmp(&v[u - 1], &v[i], cc->targets) == 0)
			v[u - 1].uses += v[i].uses;
		else
			v[u++] = v[i];
	}
	qsort(v, u, sizeof(*v), tset_rank_cmp);
	*out = v;
	*n_out = u;
	return 0;
}

/* Membership lists: identity i belongs to sets mem[off[i] .. off[i+1]). */
struct members {
	uint32_t *off;
	uint32_t *mem;
	const struct acl_cident *idents;
};

static int
members_build(struct acl_cc *cc, const struct tset *s, uint32_t n,
		struct members *mb)
{
	const struct acl_target *t;
	uint32_t i, j, total = 0, *pos;

	mb->idents = cc->idents;
	mb->off = calloc((size_t)cc->n_idents + 1, sizeof(*mb->off));
	pos = calloc((size_t)cc->n_idents + 1, sizeof(*pos));
	if (mb->off == NULL || pos == NULL) {
		free(pos);
		return -ENOMEM;
	}
	for (i = 0; i < n; i++) {
		t = &cc->targets[s[i].t];
		for (j = 0; j < t->n_ids; j++)
			mb->off[t->idx[j] + 1]++;
		total += t->n_ids;
	}
	for (i = 0; i < cc->n_idents; i++) {
		mb->off[i + 1] += mb->off[i];
		pos[i] = mb->off[i];
	}
	mb->mem = malloc((size_t)total * sizeof(*mb->mem) + 1);
	if (mb->mem == NULL) {
		free(pos);
		return -ENOMEM;
	}
	for (i = 0; i < n; i++) {       /* in rank order: lists come sorted */
		t = &cc->targets[s[i].t];
		for (j = 0; j < t->n_ids; j++)
			mb->mem[pos[t->idx[j]]++] = i;
	}
	free(pos);
	return 0;
}

/* Members of better-ranked sets first; then namespace, then key order. */
static int
sig_cmp(const void *a, const void *b, void *arg)
{
	const struct members *mb = arg;
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	uint32_t nx = mb->off[x + 1] - mb->off[x], ny = mb->off[y + 1] - mb->off[y];
	const uint32_t *lx = mb->mem + mb->off[x], *ly = mb->mem + mb->off[y];
	uint32_t i;

	for (i = 0; i < nx && i < ny; i++)
		if (lx[i] != ly[i])
			return lx[i] < ly[i] ? -1 : 1;
	if (nx != ny)
		return nx > ny ? -1 : 1;
	if (mb->idents[x].ns != mb->idents[y].ns)
		return mb->idents[x].ns < mb->idents[y].ns ? -1 : 1;
	return x < y ? -1 : x > y;
}

static int
idkey_cmp(const void *key, const void *elt)
{
	const struct acl_cident *k = key;
	const struct acl_idkey *e = elt;

	return acl_hkey_cmp(k->hash, k->key, k->key_len, e->hash, e->key,
		e->len);
}

/* Keep prev's ids; return the identities still without one. */
static uint32_t
ids_keep(struct acl_cc *cc, uint32_t *fresh, uint32_t *next)
{
	const struct acl_ruleset *prev = cc->prev;
	const struct acl_idkey *k;
	uint32_t i, n = 0;

	if (prev != NULL && prev->next_ident > 2 * cc->n_idents + 1024)
		prev = NULL;    /* too sparse: renumber (rebuilds all) */
	*next = prev != NULL ? prev->next_ident : 1;
	for (i = 0; i < cc->n_idents; i++) {
		k = prev == NULL ? NULL : bsearch(&cc->idents[i], prev->idkeys,
			prev->n_idkeys, sizeof(*prev->idkeys), idkey_cmp);
		cc->idents[i].id = k != NULL ? k->id : 0;
		if (k == NULL)
			fresh[n++] = i;
	}
	return n;
}

static int
id_tables(struct acl_cc *cc)
{
	uint32_t i, id, slots = cc->rs->next_ident;

	cc->n_id_slots = slots;
	cc->ident_of_id = malloc((size_t)slots * sizeof(*cc->ident_of_id));
	cc->used_below = calloc((size_t)slots + 1, sizeof(*cc->used_below));
	if (cc->ident_of_id == NULL || cc->used_below == NULL)
		return -ENOMEM;
	for (i = 0; i < slots; i++)
		cc->ident_of_id[i] = -1;
	for (i = 0; i < cc->n_idents; i++)
		cc->ident_of_id[cc->idents[i].id] = (int32_t)i;
	for (id = 0; id < slots; id++)
		cc->used_below[id + 1] = cc->used_below[id] +
			(cc->ident_of_id[id] >= 0);
	return 0;
}

/* Selector targets get their ids, ascending. */
static int
target_ids(struct acl_cc *cc)
{
	struct acl_target *t;
	uint32_t i, j;

	for (i = 0; i < cc->n_targets; i++) {
		t = &cc->targets[i];
		if (t->same != NULL || !t->done || t->kind != ACL_TGT_IDS)
			continue;
		t->ids = malloc((size_t)t->n_ids * sizeof(*t->ids) + 1);
		if (t->ids == NULL)
			return -ENOMEM;
		for (j = 0; j < t->n_ids; j++)
			t->ids[j] = cc->idents[t->idx[j]].id;
		qsort(t->ids, t->n_ids, sizeof(*t->ids), acl_u32_cmp);
	}
	return 0;
}

int
acl_cc_number(struct acl_cc *cc)
{
	struct members mb = { NULL, NULL, NULL };
	uint32_t *fresh, n_fresh, next, n_sets, i;
	struct tset *sets = NULL;
	int rc = -ENOMEM;

	fresh = calloc((size_t)cc->n_idents + 1, sizeof(*fresh));
	if (fresh == NULL)
		goto out;
	n_fresh = ids_keep(cc, fresh, &next);
	if (n_fresh > 1) {
		rc = tsets_build(cc, &sets, &n_sets);
		if (rc == 0)
			rc = members_build(cc, sets, n_sets, &mb);
		if (rc != 0)
			goto out;
		qsort_r(fresh, n_fresh, sizeof(*fresh), sig_cmp, &mb);
	}
	for (i = 0; i < n_fresh; i++)
		cc->idents[fresh[i]].id = next++;
	cc->rs->next_ident = next;
	rc = id_tables(cc);
	if (rc == 0)
		rc = target_ids(cc);
out:
	free(fresh);
	free(sets);
	free(mb.off);
	free(mb.mem);
	return rc == 0 ? 0 : acl_cc_fail(cc, rc, "out of memory");
}
