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
 * A peer's target is computed once per compile, the first time a group
 * needs it, and then shared by every group of every selected pod: no
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
id_push(uint32_t **v, uint32_t *n, uint32_t *cap, uint32_t id)
{
	if (ACL_GROW(*v, *n, *cap) != 0)
		return -ENOMEM;
	(*v)[(*n)++] = id;
	return 0;
}

/* Identities of namespace ns that match sel (NULL: all of them). */
static int
ids_in_ns(struct acl_cc *cc, const struct acl_cns *ns,
		const struct acl_selector *sel, struct acl_target *t,
		uint32_t *cap)
{
	const struct acl_cident *id;
	uint32_t j;

	for (j = 0; j < ns->n_idents; j++) {
		id = &cc->idents[ns->idents[j]];
		if (sel != NULL && !acl_selector_match(sel,
				&cc->m->pods[id->pod].labels, NULL))
			continue;
		if (id_push(&t->ids, &t->n_ids, cap, id->id) != 0)
			return -ENOMEM;
	}
	return 0;
}

static int
target_selectors(struct acl_cc *cc, uint32_t pol, const struct acl_peer *p,
		struct acl_target *t)
{
	const struct acl_selector *ps = p->has_pod_sel ? &p->pod_sel : NULL;
	const struct acl_cns *ns;
	uint32_t i, cap = 0;
	int rc;

	t->kind = ACL_TGT_IDS;
	if (!p->has_ns_sel)     /* podSelector alone: the policy's namespace */
		return ids_in_ns(cc, &cc->ns[cc->pols[pol].ns], ps, t, &cap);
	for (i = 0; i < cc->n_ns; i++) {
		ns = &cc->ns[i];
		if (!acl_selector_match(&p->ns_sel, ns->labels, ns->name))
			continue;
		rc = ids_in_ns(cc, ns, ps, t, &cap);
		if (rc != 0)
			return rc;
	}
	qsort(t->ids, t->n_ids, sizeof(*t->ids), acl_u32_cmp);
	return 0;
}

static uint32_t
peer_index(const struct acl_netpol *p, enum acl_dir dir, uint32_t rule,
		uint32_t peer)
{
	uint32_t i, x = 0;

	if (dir == ACL_DIR_EGRESS)
		for (i = 0; i < p->n_ingress; i++)
			x += p->ingress[i].n_peers;
	for (i = 0; i < rule; i++)
		x += dir == ACL_DIR_INGRESS ? p->ingress[i].n_peers :
			p->egress[i].n_peers;
	return x + peer;
}

const struct acl_target *
acl_cc_target(struct acl_cc *cc, uint32_t pol, enum acl_dir dir,
		uint32_t rule, uint32_t peer)
{
	const struct acl_netpol *p = &cc->m->policies[pol];
	const struct acl_peer *pe;
	struct acl_target *t;
	int rc;

	t = &cc->targets[cc->pols[pol].peer_base +
		peer_index(p, dir, rule, peer)];
	if (t->done)
		return t;
	pe = dir == ACL_DIR_INGRESS ? &p->ingress[rule].peers[peer] :
		&p->egress[rule].peers[peer];
	if (pe->has_ipblock) {
		t->kind = ACL_TGT_PFX;
		rc = acl_ipblock_prefixes(&pe->ipblock, &t->pfx, &t->n_pfx);
	} else {
		rc = target_selectors(cc, pol, pe, t);
	}
	if (rc != 0)
		return NULL;
	t->done = true;
	return t;
}
