/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * acl_group.c: slices, groups and rules.
 *
 * A slice is what one policy allows in one direction, compiled once for
 * every pod it selects: its rules carry the slice id as an exact field, so
 * slices can share rte_acl contexts (acl_build.c). When the policy names
 * ingress ports, pods that resolve those names differently get different
 * slices ("variants"); egress named ports resolve per peer inside one
 * slice. A group (per direction) is the set of slices of the policies that
 * select a pod; pods with the same set share the group, and acl_classify()
 * allows what any slice of the group allows. A pod no policy selects in a
 * direction has no group there (ACL_GROUP_NONE: not isolated); a pod
 * whose slices have no rules (deny-all policies) is denied everything.
 *
 * The rules of a slice come from its policy's rules, peers (acl_peer.c)
 * and ports:
 *  - no ports: any protocol, any port (ICMP too);
 *  - a protocol without port: every port of that protocol;
 *  - port[..endPort]: that range;
 *  - a named port: ingress, the local pod's container port of that name
 *    and protocol (none: the entry allows nothing); egress, each peer
 *    identity's own port of that name, so the rule splits by value; a peer
 *    that is an ipBlock or "everyone" then matches only pods that have the
 *    port (an outside host has no named ports).
 * Each rule carries its origin slot (policy, direction, rule, peer, port)
 * as rte_acl userdata.
 */
#include "acl_priv.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* ---- slices ---- */

struct ref {
	uint8_t *key;
	uint32_t len;
	uint32_t ident;
	uint32_t k;             /* position in the identity's pols[] */
};

static int
ref_cmp(const void *a, const void *b)
{
	const struct ref *x = a, *y = b;
	int c = acl_key_cmp(x->key, x->len, y->key, y->len);

	if (c != 0)
		return c;
	if (x->ident != y->ident)
		return x->ident < y->ident ? -1 : 1;
	return x->k < y->k ? -1 : x->k > y->k;
}

static void
refs_free(struct ref *r, uint32_t n)
{
	uint32_t i;

	for (i = 0; r != NULL && i < n; i++)
		free(r[i].key);
	free(r);
}

/* Resolved values of the policy's named ingress ports on pod p. */
static void
variant_put(struct acl_kbuf *b, const struct acl_netpol *pol,
		const struct acl_pod *p)
{
	const struct acl_port *q;
	uint32_t i, j, k, n;

	for (i = 0; i < pol->n_ingress; i++) {
		for (j = 0; j < pol->ingress[i].n_ports; j++) {
			q = &pol->ingress[i].ports[j];
			if (q->named_port == NULL)
				continue;
			for (k = 0, n = 0; k < p->n_ports; k++)
				n += p->ports[k].proto == q->proto &&
					strcmp(p->ports[k].name, q->named_port) == 0;
			acl_kbuf_put_u32(b, n);
			for (k = 0; k < p->n_ports; k++)
				if (p->ports[k].proto == q->proto &&
						strcmp(p->ports[k].name,
							q->named_port) == 0)
					acl_kbuf_put_u32(b, p->ports[k].port);
		}
	}
}

static int
slice_key(struct acl_cc *cc, enum acl_dir d, uint32_t ident, uint32_t k,
		struct ref *r)
{
	uint32_t pol = cc->idents[ident].pols[d][k];
	struct acl_kbuf b = { NULL, 0, 0, 0 };

	acl_kbuf_put_u32(&b, cc->pols[pol].uid);
	if (d == ACL_DIR_INGRESS && cc->pols[pol].named_in)
		variant_put(&b, &cc->m->policies[pol],
			&cc->m->pods[cc->idents[ident].pod]);
	if (b.err != 0) {
		free(b.p);
		return b.err;
	}
	*r = (struct ref){ b.p, b.len, ident, k };
	return 0;
}

static int
slice_refs(struct acl_cc *cc, enum acl_dir d, struct ref **out,
		uint32_t *n_out)
{
	struct acl_cident *id;
	uint32_t i, k, n = 0, cap = 0;
	struct ref *r = NULL;
	int rc;

	for (i = 0; i < cc->n_idents; i++) {
		id = &cc->idents[i];
		if (!id->compiled || id->n_pols[d] == 0)
			continue;
		id->sl[d] = calloc(id->n_pols[d], sizeof(*id->sl[d]));
		if (id->sl[d] == NULL)
			goto nomem;
		for (k = 0; k < id->n_pols[d]; k++) {
			if (ACL_GROW(r, n, cap) != 0)
				goto nomem;
			rc = slice_key(cc, d, i, k, &r[n]);
			if (rc != 0)
				goto nomem;
			n++;
		}
	}
	if (n > 1)
		qsort(r, n, sizeof(*r), ref_cmp);
	*out = r;
	*n_out = n;
	return 0;
nomem:
	refs_free(r, n);
	return -ENOMEM;
}

static int
slkey_cmp(const void *key, const void *elt)
{
	const struct acl_cslice *k = key;
	const struct acl_slkey *e = elt;

	return acl_key_cmp(k->key, k->key_len, e->key, e->len);
}

/* Ids (and prev buckets) kept from prev for known keys. */
static void
slice_ids(struct acl_cc *cc, enum acl_dir d)
{
	const struct acl_rs_dir *pd = cc->prev ? &cc->prev->dir[d] : NULL;
	uint32_t i, next = 1, n = cc->n_slices[d];
	struct acl_cslice *s;
	const struct acl_slkey *k;

	if (pd != NULL && pd->next_slice > 2 * n + 1024)
		pd = NULL;
	if (pd != NULL)
		next = pd->next_slice;
	for (i = 0; i < n; i++) {
		s = &cc->slices[d][i];
		k = pd == NULL ? NULL : bsearch(s, pd->keys, pd->n_keys,
			sizeof(*pd->keys), slkey_cmp);
		s->id = k != NULL ? k->id : 0;
		s->bucket = k != NULL ? k->bucket : UINT32_MAX;
	}
	for (i = 0; i < n; i++)
		if (cc->slices[d][i].id == 0)
			cc->slices[d][i].id = next++;
	cc->rs->dir[d].next_slice = next;
}

static int
slices_dir(struct acl_cc *cc, enum acl_dir d)
{
	struct acl_cslice *s = NULL;
	struct acl_cident *id;
	struct ref *r;
	uint32_t i, n;
	int rc;

	rc = slice_refs(cc, d, &r, &n);
	if (rc != 0)
		return rc;
	cc->slices[d] = calloc((size_t)n + 1, sizeof(*cc->slices[d]));
	if (cc->slices[d] == NULL) {
		refs_free(r, n);
		return -ENOMEM;
	}
	for (i = 0; i < n; i++) {
		id = &cc->idents[r[i].ident];
		if (s == NULL || acl_key_cmp(s->key, s->key_len, r[i].key,
				r[i].len) != 0) {
			s = &cc->slices[d][cc->n_slices[d]++];
			s->key = r[i].key;
			s->key_len = r[i].len;
			s->pol = id->pols[d][r[i].k];
			s->rep = r[i].ident;
		} else {
			free(r[i].key);
		}
		s->families |= id->families;
		id->sl[d][r[i].k] = cc->n_slices[d] - 1;
	}
	free(r);
	slice_ids(cc, d);
	return 0;
}

int
acl_cc_slices(struct acl_cc *cc)
{
	int rc = slices_dir(cc, ACL_DIR_INGRESS);

	if (rc == 0)
		rc = slices_dir(cc, ACL_DIR_EGRESS);
	return rc == 0 ? 0 : acl_cc_fail(cc, rc, "out of memory");
}

/* ---- groups ---- */

/* Group key of an identity: its slice ids, ascending. */
static int
group_key(struct acl_cc *cc, enum acl_dir d, uint32_t ident, struct ref *r)
{
	const struct acl_cident *id = &cc->idents[ident];
	uint32_t k, n = id->n_pols[d], *v;

	v = malloc((size_t)n * sizeof(*v));
	if (v == NULL)
		return -ENOMEM;
	for (k = 0; k < n; k++)
		v[k] = cc->slices[d][id->sl[d][k]].id;
	qsort(v, n, sizeof(*v), acl_u32_cmp);
	*r = (struct ref){ (uint8_t *)v, n * (uint32_t)sizeof(*v), ident, 0 };
	return 0;
}

/* Groups are numbered afresh (1..n) every compile: no rule holds them. */
static int
groups_store(struct acl_cc *cc, enum acl_dir d, const struct ref *r,
		uint32_t n)
{
	struct acl_rs_dir *rd = &cc->rs->dir[d];
	uint32_t i, g = 0, len = 0;
	size_t bytes = 0;

	for (i = 0; i < n; i++)
		bytes += r[i].len;
	rd->grp_off = calloc((size_t)n + 1, sizeof(*rd->grp_off));
	rd->grp_sl = malloc(bytes + 1);
	if (rd->grp_off == NULL || rd->grp_sl == NULL)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		if (i == 0 || acl_key_cmp(r[i - 1].key, r[i - 1].len, r[i].key,
				r[i].len) != 0) {
			memcpy(rd->grp_sl + len, r[i].key, r[i].len);
			len += r[i].len / (uint32_t)sizeof(uint32_t);
			rd->grp_off[++g] = len;
		}
		cc->idents[r[i].ident].group[d] = g;
	}
	rd->n_groups = g;
	return 0;
}

static int
groups_dir(struct acl_cc *cc, enum acl_dir d)
{
	uint32_t i, n = 0;
	struct ref *r;
	int rc = 0;

	r = calloc((size_t)cc->n_idents + 1, sizeof(*r));
	if (r == NULL)
		return -ENOMEM;
	for (i = 0; i < cc->n_idents && rc == 0; i++) {
		cc->idents[i].group[d] = ACL_GROUP_NONE;
		if (!cc->idents[i].compiled || cc->idents[i].n_pols[d] == 0)
			continue;
		rc = group_key(cc, d, i, &r[n]);
		n += rc == 0;
	}
	if (rc == 0) {
		qsort(r, n, sizeof(*r), ref_cmp);
		rc = groups_store(cc, d, r, n);
	}
	refs_free(r, n);
	return rc;
}

int
acl_cc_groups(struct acl_cc *cc)
{
	int rc = groups_dir(cc, ACL_DIR_INGRESS);

	if (rc == 0)
		rc = groups_dir(cc, ACL_DIR_EGRESS);
	return rc == 0 ? 0 : acl_cc_fail(cc, rc, "out of memory");
}

/* ---- rules ---- */

/* What one rule generation call works on. */
struct gen {
	struct acl_cc *cc;
	const struct acl_cslice *s;
	enum acl_dir dir;
	int fam;
};

static int
emit_target(const struct gen *x, const struct acl_target *t,
		struct acl_crule *tmpl)
{
	uint32_t i, alen = acl_fam_addr_len(x->fam);
	uint8_t family = x->fam == ACL_FAM_4 ? ACL_AF_INET : ACL_AF_INET6;
	int rc;

	switch (t->kind) {
	case ACL_TGT_ALL:
		return acl_cc_emit(x->cc, x->fam, tmpl);
	case ACL_TGT_IDS:
		return acl_cc_emit_ids(x->cc, x->fam, tmpl, t->ids, t->n_ids);
	case ACL_TGT_PFX:
		for (i = 0; i < t->n_pfx; i++) {
			if (t->pfx[i].family != family)
				continue;
			tmpl->plen = t->pfx[i].len;
			memcpy(tmpl->addr, t->pfx[i].addr, alen);
			rc = acl_cc_emit(x->cc, x->fam, tmpl);
			if (rc != 0)
				return rc;
		}
		return 0;
	}
	return -EINVAL;
}

/* Ports named name/proto on pod p, pushed through fn. */
static int
named_each(const struct acl_pod *p, const struct acl_port *port,
		int (*fn)(void *arg, uint16_t v), void *arg)
{
	uint32_t i;
	int rc;

	for (i = 0; i < p->n_ports; i++) {
		if (p->ports[i].proto != port->proto ||
				strcmp(p->ports[i].name, port->named_port) != 0)
			continue;
		rc = fn(arg, p->ports[i].port);
		if (rc != 0)
			return rc;
	}
	return 0;
}

struct in_arg {
	const struct gen *x;
	const struct acl_target *t;
	struct acl_crule *tmpl;
};

static int
named_in_one(void *arg, uint16_t v)
{
	struct in_arg *a = arg;

	a->tmpl->port_lo = a->tmpl->port_hi = v;
	return emit_target(a->x, a->t, a->tmpl);
}

/* (port value, identity id) pairs of the egress named-port split. */
struct pv {
	uint32_t port;
	uint32_t id;
};

struct eg_arg {
	struct pv *v;
	uint32_t n;
	uint32_t cap;
	uint32_t id;
};

static int
named_eg_one(void *arg, uint16_t v)
{
	struct eg_arg *a = arg;

	if (ACL_GROW(a->v, a->n, a->cap) != 0)
		return -ENOMEM;
	a->v[a->n++] = (struct pv){ v, a->id };
	return 0;
}

static int
pv_cmp(const void *a, const void *b)
{
	const struct pv *x = a, *y = b;

	if (x->port != y->port)
		return x->port < y->port ? -1 : 1;
	return x->id < y->id ? -1 : x->id > y->id;
}

/* Candidates of a named egress port: the target's ids, or every identity. */
static int
named_eg_collect(const struct gen *x, const struct acl_target *t,
		const struct acl_port *port, struct eg_arg *a)
{
	struct acl_cc *cc = x->cc;
	uint32_t i, n = t->kind == ACL_TGT_IDS ? t->n_ids : cc->n_id_slots;
	int32_t ix;
	int rc;

	for (i = 0; i < n; i++) {
		a->id = t->kind == ACL_TGT_IDS ? t->ids[i] : i;
		ix = cc->ident_of_id[a->id];
		if (ix < 0)
			continue;
		rc = named_each(&cc->m->pods[cc->idents[ix].pod], port,
			named_eg_one, a);
		if (rc != 0)
			return rc;
	}
	if (a->n > 1)
		qsort(a->v, a->n, sizeof(*a->v), pv_cmp);
	return 0;
}

/* Emit per port value: identities with that value (x prefixes if any). */
static int
named_eg_emit(const struct gen *x, const struct acl_target *t,
		struct acl_crule *tmpl, const struct eg_arg *a, uint32_t *ids)
{
	struct acl_target sub = { .kind = ACL_TGT_IDS, .done = true,
		.ids = ids };
	uint32_t i, j, k, alen = acl_fam_addr_len(x->fam);
	uint8_t family = x->fam == ACL_FAM_4 ? ACL_AF_INET : ACL_AF_INET6;
	int rc;

	for (i = 0; i < a->n; i = j) {
		for (j = i, sub.n_ids = 0; j < a->n && a->v[j].port == a->v[i].port; j++)
			ids[sub.n_ids++] = a->v[j].id;
		tmpl->port_lo = tmpl->port_hi = (uint16_t)a->v[i].port;
		if (t->kind != ACL_TGT_PFX) {
			rc = emit_target(x, &sub, tmpl);
			if (rc != 0)
				return rc;
			continue;
		}
		for (k = 0; k < t->n_pfx; k++) {
			if (t->pfx[k].family != family)
				continue;
			tmpl->plen = t->pfx[k].len;
			memcpy(tmpl->addr, t->pfx[k].addr, alen);
			rc = emit_target(x, &sub, tmpl);
			if (rc != 0)
				return rc;
		}
	}
	return 0;
}

static int
emit_named_egress(const struct gen *x, const struct acl_target *t,
		const struct acl_port *port, struct acl_crule *tmpl)
{
	struct eg_arg a = { NULL, 0, 0, 0 };
	uint32_t *ids = NULL;
	int rc;

	rc = named_eg_collect(x, t, port, &a);
	if (rc == 0 && a.n > 0) {
		ids = malloc((size_t)a.n * sizeof(*ids));
		rc = ids == NULL ? -ENOMEM :
			named_eg_emit(x, t, tmpl, &a, ids);
	}
	free(ids);
	free(a.v);
	return rc;
}

static int
emit_port(const struct gen *x, const struct acl_target *t,
		const struct acl_port *port, uint32_t origin)
{
	struct acl_crule tmpl;
	struct in_arg ia;

	memset(&tmpl, 0, sizeof(tmpl));
	tmpl.slice = x->s->id;
	tmpl.origin = origin;
	tmpl.id_hi = UINT32_MAX;
	tmpl.port_hi = UINT16_MAX;
	if (port == NULL)
		return emit_target(x, t, &tmpl);
	tmpl.proto = port->proto;
	if (port->named_port == NULL) {
		if (port->has_port) {
			tmpl.port_lo = port->port;
			tmpl.port_hi = port->end_port ? port->end_port : port->port;
		}
		return emit_target(x, t, &tmpl);
	}
	if (x->dir == ACL_DIR_EGRESS)
		return emit_named_egress(x, t, port, &tmpl);
	ia = (struct in_arg){ x, t, &tmpl };
	return named_each(&x->cc->m->pods[x->cc->idents[x->s->rep].pod], port,
		named_in_one, &ia);
}

static const struct acl_target all_target = { .kind = ACL_TGT_ALL,
	.done = true };

static int
emit_rule(const struct gen *x, uint32_t pol, uint32_t ri,
		const struct acl_rule *r, uint32_t slot)
{
	uint32_t np = r->n_peers ? r->n_peers : 1;
	uint32_t nq = r->n_ports ? r->n_ports : 1;
	const struct acl_target *t;
	uint32_t p, q;
	int rc;

	for (p = 0; p < np; p++) {
		t = r->n_peers ? acl_cc_target(x->cc, pol, x->dir, ri, p) :
			&all_target;
		if (t == NULL)
			return -ENOMEM;
		for (q = 0; q < nq; q++) {
			rc = emit_port(x, t, r->n_ports ? &r->ports[q] : NULL,
				slot + p * nq + q);
			if (rc != 0)
				return rc;
		}
	}
	return 0;
}

static uint32_t
slots_of(const struct acl_rule *r, uint32_t n)
{
	uint32_t i, s = 0;

	for (i = 0; i < n; i++)
		s += (r[i].n_peers ? r[i].n_peers : 1) *
			(r[i].n_ports ? r[i].n_ports : 1);
	return s;
}

static int
emit_policy(const struct gen *x, uint32_t pol)
{
	const struct acl_netpol *p = &x->cc->m->policies[pol];
	const struct acl_rule *r = x->dir == ACL_DIR_INGRESS ? p->ingress :
		p->egress;
	uint32_t n = x->dir == ACL_DIR_INGRESS ? p->n_ingress : p->n_egress;
	uint32_t i, slot = x->cc->pols[pol].origin_base;
	int rc;

	if (x->dir == ACL_DIR_EGRESS)
		slot += slots_of(p->ingress, p->n_ingress);
	for (i = 0; i < n; i++) {
		rc = emit_rule(x, pol, i, &r[i], slot);
		if (rc != 0)
			return rc;
		slot += (r[i].n_peers ? r[i].n_peers : 1) *
			(r[i].n_ports ? r[i].n_ports : 1);
	}
	return 0;
}

static int
emit_slice(struct acl_cc *cc, enum acl_dir d, struct acl_cslice *s)
{
	struct gen x = { cc, s, d, 0 };
	int rc;

	for (x.fam = 0; x.fam < ACL_FAM_NUM; x.fam++) {
		s->rule_off[x.fam] = cc->n_rules[x.fam];
		if (s->families & ACL_FAM_BIT(x.fam)) {
			rc = emit_policy(&x, s->pol);
			if (rc != 0)
				return rc;
		}
		s->n_rules[x.fam] = cc->n_rules[x.fam] - s->rule_off[x.fam];
	}
	return 0;
}

int
acl_cc_rules(struct acl_cc *cc)
{
	uint32_t d, i;
	int rc;

	for (d = 0; d < ACL_DIR_MAX; d++) {
		for (i = 0; i < cc->n_slices[d]; i++) {
			rc = emit_slice(cc, d, &cc->slices[d][i]);
			if (rc != 0)
				return acl_cc_fail(cc, rc, "out of memory");
		}
	}
	return 0;
}
