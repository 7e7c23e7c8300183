/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * acl_group.c: endpoint groups and their rules.
 *
 * A group (per direction) is the set of compiled identities whose rules in
 * that direction are the same: selected by the same policies (by stable
 * uid) and, for ingress when one of them names a port, with the same
 * named-port map (named ingress ports resolve against the local pod). An
 * identity no policy selects in a direction has no group there
 * (ACL_GROUP_NONE: not isolated).
 *
 * The rules of a group are generated once, from its policies' rules,
 * peers (acl_peer.c) and ports:
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

/* ---- groups ---- */

struct grp_ref {
	uint8_t *key;
	uint32_t len;
	uint32_t ident;
};

static int
grp_ref_cmp(const void *a, const void *b)
{
	const struct grp_ref *x = a, *y = b;
	int c = acl_key_cmp(x->key, x->len, y->key, y->len);

	if (c != 0)
		return c;
	return x->ident < y->ident ? -1 : x->ident > y->ident;
}

static int
grp_key(struct acl_cc *cc, const struct acl_cident *id, enum acl_dir d,
		struct grp_ref *g)
{
	struct acl_kbuf b = { NULL, 0, 0, 0 };
	uint32_t *uids, i, n = id->n_pols[d];
	bool named = false;

	uids = malloc((size_t)n * sizeof(*uids));
	if (uids == NULL)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		uids[i] = cc->pols[id->pols[d][i]].uid;
		named |= cc->pols[id->pols[d][i]].named_in;
	}
	qsort(uids, n, sizeof(*uids), acl_u32_cmp);
	acl_kbuf_put_u32(&b, n);
	acl_kbuf_put(&b, uids, n * (uint32_t)sizeof(*uids));
	free(uids);
	if (d == ACL_DIR_INGRESS && named)
		acl_kbuf_put(&b, id->key + id->port_off,
			id->key_len - id->port_off);
	if (b.err != 0) {
		free(b.p);
		return b.err;
	}
	g->key = b.p;
	g->len = b.len;
	return 0;
}

static int
grpkey_cmp(const void *key, const void *elt)
{
	const struct acl_cgroup *k = key;
	const struct acl_grpkey *e = elt;

	return acl_key_cmp(k->key, k->key_len, e->key, e->len);
}

/* Ids (and prev buckets) kept from prev for known keys. */
static void
grp_ids(struct acl_cc *cc, enum acl_dir d)
{
	const struct acl_rs_dir *pd = cc->prev ? &cc->prev->dir[d] : NULL;
	uint32_t i, next = 1, n = cc->n_groups[d];
	struct acl_cgroup *g;
	const struct acl_grpkey *k;

	if (pd != NULL && pd->next_group > 2 * n + 1024)
		pd = NULL;
	if (pd != NULL)
		next = pd->next_group;
	for (i = 0; i < n; i++) {
		g = &cc->groups[d][i];
		k = pd == NULL ? NULL : bsearch(g, pd->keys, pd->n_keys,
			sizeof(*pd->keys), grpkey_cmp);
		g->id = k != NULL ? k->id : 0;
		g->bucket = k != NULL ? k->bucket : UINT32_MAX;
	}
	for (i = 0; i < n; i++)
		if (cc->groups[d][i].id == 0)
			cc->groups[d][i].id = next++;
	cc->rs->dir[d].next_group = next;
}

static int
grp_collect(struct acl_cc *cc, enum acl_dir d, struct grp_ref **out,
		uint32_t *n_out)
{
	struct grp_ref *r;
	uint32_t i, n = 0;
	int rc;

	r = calloc((size_t)cc->n_idents + 1, sizeof(*r));
	if (r == NULL)
		return -ENOMEM;
	for (i = 0; i < cc->n_idents; i++) {
		cc->idents[i].group[d] = UINT32_MAX;
		if (!cc->idents[i].compiled || cc->idents[i].n_pols[d] == 0)
			continue;
		r[n].ident = i;
		rc = grp_key(cc, &cc->idents[i], d, &r[n]);
		if (rc != 0) {
			while (n > 0)
				free(r[--n].key);
			free(r);
			return rc;
		}
		n++;
	}
	qsort(r, n, sizeof(*r), grp_ref_cmp);
	*out = r;
	*n_out = n;
	return 0;
}

static int
grp_dir(struct acl_cc *cc, enum acl_dir d)
{
	struct acl_cgroup *g = NULL;
	struct acl_cident *id;
	struct grp_ref *r;
	uint32_t i, n;
	int rc;

	rc = grp_collect(cc, d, &r, &n);
	if (rc != 0)
		return rc;
	cc->groups[d] = calloc((size_t)n + 1, sizeof(*cc->groups[d]));
	if (cc->groups[d] == NULL) {
		for (i = 0; i < n; i++)
			free(r[i].key);
		free(r);
		return -ENOMEM;
	}
	for (i = 0; i < n; i++) {
		id = &cc->idents[r[i].ident];
		if (g == NULL || acl_key_cmp(g->key, g->key_len, r[i].key,
				r[i].len) != 0) {
			g = &cc->groups[d][cc->n_groups[d]++];
			g->key = r[i].key;
			g->key_len = r[i].len;
			g->rep = r[i].ident;
		} else {
			free(r[i].key);
		}
		g->families |= id->families;
		id->group[d] = cc->n_groups[d] - 1;
	}
	free(r);
	grp_ids(cc, d);
	return 0;
}

int
acl_cc_groups(struct acl_cc *cc)
{
	int rc = grp_dir(cc, ACL_DIR_INGRESS);

	if (rc == 0)
		rc = grp_dir(cc, ACL_DIR_EGRESS);
	return rc == 0 ? 0 : acl_cc_fail(cc, rc, "out of memory");
}

/* ---- rules ---- */

/* What one rule generation call works on. */
struct gen {
	struct acl_cc *cc;
	const struct acl_cgroup *g;
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
	qsort(a->v, a->n, sizeof(*a->v), pv_cmp);
	return 0;
}

/* Emit per port value: identities with that value (x prefixes if any). */
static int
named_eg_emit(const struct gen *x, const struct acl_target *t,
		struct acl_crule *tmpl, const struct eg_arg *a, uint32_t *ids)
{
	struct acl_target sub = { ACL_TGT_IDS, true, ids, 0, NULL, 0 };
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
	tmpl.group = x->g->id;
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
	return named_each(&x->cc->m->pods[x->cc->idents[x->g->rep].pod], port,
		named_in_one, &ia);
}

static const struct acl_target all_target = { ACL_TGT_ALL, true, NULL, 0,
	NULL, 0 };

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
emit_group(struct acl_cc *cc, enum acl_dir d, struct acl_cgroup *g)
{
	const struct acl_cident *rep = &cc->idents[g->rep];
	struct gen x = { cc, g, d, 0 };
	uint32_t i;
	int rc;

	for (x.fam = 0; x.fam < ACL_FAM_NUM; x.fam++) {
		g->rule_off[x.fam] = cc->n_rules[x.fam];
		if (g->families & ACL_FAM_BIT(x.fam)) {
			for (i = 0; i < rep->n_pols[d]; i++) {
				rc = emit_policy(&x, rep->pols[d][i]);
				if (rc != 0)
					return rc;
			}
		}
		g->n_rules[x.fam] = cc->n_rules[x.fam] - g->rule_off[x.fam];
	}
	return 0;
}

int
acl_cc_rules(struct acl_cc *cc)
{
	uint32_t d, i;
	int rc;

	for (d = 0; d < ACL_DIR_MAX; d++) {
		for (i = 0; i < cc->n_groups[d]; i++) {
			rc = emit_group(cc, d, &cc->groups[d][i]);
			if (rc != 0)
				return acl_cc_fail(cc, rc, "out of memory");
		}
	}
	return 0;
}
