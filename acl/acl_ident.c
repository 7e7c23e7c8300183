/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * acl_ident.c: the compile steps about who is who: namespaces, identities
 * (pods alike for policy share one), policies (their stable uids, origin
 * slots and which identities they select) and the final address table.
 *
 * An identity is (namespace, label set, named-port map): everything a
 * selector or a named port can see of a pod. Its canonical key is a byte
 * string of length-prefixed fields, so identities sort by namespace first
 * (a namespaceSelector then matches runs of consecutive ids). Ids are kept
 * from the previous ruleset for keys it knew; new keys get fresh ids above
 * every id ever given, so an id never changes meaning while a context
 * built with it may still be shared.
 */
#include "acl_priv.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* ---- namespaces ---- */

struct ns_ref {
	const char *name;
	const struct acl_labels *labels;
	bool declared;
};

static int
ns_ref_cmp(const void *a, const void *b)
{
	const struct ns_ref *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	if (c != 0)
		return c;
	return (int)y->declared - (int)x->declared;     /* declared first */
}

static int
ns_name_cmp(const void *key, const void *elt)
{
	return strcmp(key, ((const struct acl_cns *)elt)->name);
}

static uint32_t
ns_find(const struct acl_cc *cc, const char *name)
{
	const struct acl_cns *n = bsearch(name, cc->ns, cc->n_ns,
		sizeof(*cc->ns), ns_name_cmp);

	return (uint32_t)(n - cc->ns);
}

static int
ns_collect(struct acl_cc *cc, struct ns_ref **out, uint32_t *n_out)
{
	const struct acl_model *m = cc->m;
	uint32_t n = 0, i;
	struct ns_ref *r;

	r = calloc((size_t)m->n_namespaces + m->n_pods + m->n_policies + 1,
		sizeof(*r));
	if (r == NULL)
		return -ENOMEM;
	for (i = 0; i < m->n_namespaces; i++)
		r[n++] = (struct ns_ref){ m->namespaces[i].name,
			&m->namespaces[i].labels, true };
	for (i = 0; i < m->n_pods; i++)
		r[n++] = (struct ns_ref){ m->pods[i].ns, NULL, false };
	for (i = 0; i < m->n_policies; i++)
		r[n++] = (struct ns_ref){ m->policies[i].ns, NULL, false };
	qsort(r, n, sizeof(*r), ns_ref_cmp);
	*out = r;
	*n_out = n;
	return 0;
}

int
acl_cc_namespaces(struct acl_cc *cc)
{
	const struct acl_model *m = cc->m;
	struct ns_ref *r;
	uint32_t n, i;
	int rc;

	rc = ns_collect(cc, &r, &n);
	if (rc != 0)
		return acl_cc_fail(cc, rc, "out of memory");
	cc->ns = calloc(n + 1, sizeof(*cc->ns));
	if (cc->ns == NULL) {
		free(r);
		return acl_cc_fail(cc, -ENOMEM, "out of memory");
	}
	for (i = 0; i < n; i++) {
		if (cc->n_ns > 0 && strcmp(cc->ns[cc->n_ns - 1].name,
				r[i].name) == 0) {
			if (r[i].declared) {
				free(r);
				return acl_cc_fail(cc, -EINVAL,
					"Namespace %s: declared twice", r[i].name);
			}
			continue;
		}
		cc->ns[cc->n_ns].name = r[i].name;
		cc->ns[cc->n_ns].labels = r[i].labels;
		cc->n_ns++;
	}
	free(r);

	cc->pod_ns = calloc((size_t)m->n_pods + 1, sizeof(*cc->pod_ns));
	cc->pol_ns = calloc((size_t)m->n_policies + 1, sizeof(*cc->pol_ns));
	if (cc->pod_ns == NULL || cc->pol_ns == NULL)
		return acl_cc_fail(cc, -ENOMEM, "out of memory");
	for (i = 0; i < m->n_pods; i++)
		cc->pod_ns[i] = ns_find(cc, m->pods[i].ns);
	for (i = 0; i < m->n_policies; i++)
		cc->pol_ns[i] = ns_find(cc, m->policies[i].ns);
	return 0;
}

/* ---- identities ---- */

struct pod_key {
	uint8_t *key;
	uint32_t len;
	uint32_t port_off;
	uint32_t pod;
};

static int
label_ptr_cmp(const void *a, const void *b)
{
	const struct acl_label *x = *(const struct acl_label *const *)a;
	const struct acl_label *y = *(const struct acl_label *const *)b;

	return strcmp(x->key, y->key);
}

static int
nport_ptr_cmp(const void *a, const void *b)
{
	const struct acl_named_port *x = *(const struct acl_named_port *const *)a;
	const struct acl_named_port *y = *(const struct acl_named_port *const *)b;
	int c = strcmp(x->name, y->name);

	if (c != 0)
		return c;
	if (x->proto != y->proto)
		return x->proto < y->proto ? -1 : 1;
	return x->port < y->port ? -1 : x->port > y->port;
}

/* Canonical key of a pod: ns, sorted labels, then sorted named ports. */
static int
pod_key_build(const struct acl_pod *p, struct pod_key *pk)
{
	uint32_t n = p->labels.n > p->n_ports ? p->labels.n : p->n_ports;
	struct acl_kbuf b = { NULL, 0, 0, 0 };
	const void **v;
	uint32_t i;

	v = calloc((size_t)n + 1, sizeof(*v));
	if (v == NULL)
		return -ENOMEM;
	acl_kbuf_put_str(&b, p->ns);
	for (i = 0; i < p->labels.n; i++)
		v[i] = &p->labels.v[i];
	qsort(v, p->labels.n, sizeof(*v), label_ptr_cmp);
	acl_kbuf_put_u32(&b, p->labels.n);
	for (i = 0; i < p->labels.n; i++) {
		acl_kbuf_put_str(&b, ((const struct acl_label *)v[i])->key);
		acl_kbuf_put_str(&b, ((const struct acl_label *)v[i])->value);
	}
	pk->port_off = b.len;
	for (i = 0; i < p->n_ports; i++)
		v[i] = &p->ports[i];
	qsort(v, p->n_ports, sizeof(*v), nport_ptr_cmp);
	acl_kbuf_put_u32(&b, p->n_ports);
	for (i = 0; i < p->n_ports; i++) {
		const struct acl_named_port *np = v[i];

		acl_kbuf_put_str(&b, np->name);
		acl_kbuf_put_u32(&b, (uint32_t)np->proto << 16 | np->port);
	}
	free(v);
	if (b.err != 0) {
		free(b.p);
		return b.err;
	}
	pk->key = b.p;
	pk->len = b.len;
	return 0;
}

static int
pod_key_cmp(const void *a, const void *b)
{
	const struct pod_key *x = a, *y = b;
	int c = acl_key_cmp(x->key, x->len, y->key, y->len);

	if (c != 0)
		return c;
	return x->pod < y->pod ? -1 : x->pod > y->pod;
}

static int
idkey_cmp(const void *key, const void *elt)
{
	const struct acl_cident *k = key;
	const struct acl_idkey *e = elt;

	return acl_key_cmp(k->key, k->key_len, e->key, e->len);
}

/* Give ids: kept from prev where the key is known, fresh otherwise. */
static void
ident_ids(struct acl_cc *cc)
{
	const struct acl_ruleset *prev = cc->prev;
	uint32_t i, next = 1;
	const struct acl_idkey *k;

	if (prev != NULL && prev->next_ident > 2 * cc->n_idents + 1024)
		prev = NULL;    /* too sparse: renumber (rebuilds all) */
	if (prev != NULL)
		next = prev->next_ident;
	for (i = 0; i < cc->n_idents; i++) {
		k = prev == NULL ? NULL : bsearch(&cc->idents[i], prev->idkeys,
			prev->n_idkeys, sizeof(*prev->idkeys), idkey_cmp);
		cc->idents[i].id = k != NULL ? k->id : 0;
	}
	for (i = 0; i < cc->n_idents; i++)
		if (cc->idents[i].id == 0)
			cc->idents[i].id = next++;
	cc->rs->next_ident = next;
}

static int
ident_tables(struct acl_cc *cc)
{
	uint32_t i, id, slots = cc->rs->next_ident;
	struct acl_cns *ns;
	int32_t x;

	cc->n_id_slots = slots;
	cc->ident_of_id = malloc((size_t)slots * sizeof(*cc->ident_of_id));
	cc->used_below = calloc((size_t)slots + 1, sizeof(*cc->used_below));
	if (cc->ident_of_id == NULL || cc->used_below == NULL)
		return -ENOMEM;
	for (i = 0; i < slots; i++)
		cc->ident_of_id[i] = -1;
	for (i = 0; i < cc->n_idents; i++)
		cc->ident_of_id[cc->idents[i].id] = (int32_t)i;
	for (id = 0; id < slots; id++) {
		x = cc->ident_of_id[id];
		cc->used_below[id + 1] = cc->used_below[id] + (x >= 0);
		if (x < 0)
			continue;
		ns = &cc->ns[cc->idents[x].ns];
		if (ACL_GROW(ns->idents, ns->n_idents, ns->cap_idents) != 0)
			return -ENOMEM;
		ns->idents[ns->n_idents++] = (uint32_t)x;
	}
	return 0;
}

static void
ident_pods(struct acl_cc *cc, const struct pod_key *pk, uint32_t n)
{
	const struct acl_pod *p;
	struct acl_cident *id;
	uint32_t i, j;

	for (i = 0; i < n; i++) {
		p = &cc->m->pods[pk[i].pod];
		id = &cc->idents[cc->pod_ident[pk[i].pod]];
		if (!cc->opts->all_local && !p->local)
			continue;
		id->compiled = true;
		for (j = 0; j < p->n_ips; j++)
			id->families |= (uint8_t)ACL_FAM_BIT(
				acl_fam_index(p->ips[j].family));
	}
}

static int
ident_unique(struct acl_cc *cc, struct pod_key *pk, uint32_t n)
{
	struct acl_cident *id;
	uint32_t i;

	cc->idents = calloc((size_t)n + 1, sizeof(*cc->idents));
	if (cc->idents == NULL)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		if (cc->n_idents > 0 && acl_key_cmp(pk[i].key, pk[i].len,
				cc->idents[cc->n_idents - 1].key,
				cc->idents[cc->n_idents - 1].key_len) == 0) {
			free(pk[i].key);
			pk[i].key = NULL;
			cc->pod_ident[pk[i].pod] = cc->n_idents - 1;
			continue;
		}
		id = &cc->idents[cc->n_idents];
		id->key = pk[i].key;
		id->key_len = pk[i].len;
		id->port_off = pk[i].port_off;
		id->pod = pk[i].pod;
		id->ns = cc->pod_ns[pk[i].pod];
		pk[i].key = NULL;
		cc->pod_ident[pk[i].pod] = cc->n_idents++;
	}
	return 0;
}

int
acl_cc_identities(struct acl_cc *cc)
{
	uint32_t n = cc->m->n_pods, i;
	struct pod_key *pk;
	int rc = -ENOMEM;

	pk = calloc((size_t)n + 1, sizeof(*pk));
	cc->pod_ident = calloc((size_t)n + 1, sizeof(*cc->pod_ident));
	if (pk == NULL || cc->pod_ident == NULL)
		goto out;
	for (i = 0; i < n; i++) {
		pk[i].pod = i;
		rc = pod_key_build(&cc->m->pods[i], &pk[i]);
		if (rc != 0)
			goto out;
	}
	qsort(pk, n, sizeof(*pk), pod_key_cmp);
	rc = ident_unique(cc, pk, n);
	if (rc != 0)
		goto out;
	ident_pods(cc, pk, n);
	ident_ids(cc);
	rc = ident_tables(cc);
out:
	if (pk != NULL)
		for (i = 0; i < n; i++)
			free(pk[i].key);
	free(pk);
	return rc == 0 ? 0 : acl_cc_fail(cc, rc, "out of memory");
}

/* ---- policies ---- */

static uint32_t
rules_slots(const struct acl_rule *r, uint32_t n, uint32_t *peers)
{
	uint32_t i, s = 0;

	for (i = 0; i < n; i++) {
		s += (r[i].n_peers ? r[i].n_peers : 1) *
			(r[i].n_ports ? r[i].n_ports : 1);
		*peers += r[i].n_peers;
	}
	return s;
}

static bool
rules_named(const struct acl_rule *r, uint32_t n)
{
	uint32_t i, j;

	for (i = 0; i < n; i++)
		for (j = 0; j < r[i].n_ports; j++)
			if (r[i].ports[j].named_port != NULL)
				return true;
	return false;
}

static int
pol_idx_cmp(const void *a, const void *b, void *arg)
{
	const struct acl_netpol *p = arg;
	const struct acl_netpol *x = &p[*(const uint32_t *)a];
	const struct acl_netpol *y = &p[*(const uint32_t *)b];
	int c = strcmp(x->ns, y->ns);

	return c != 0 ? c : strcmp(x->name, y->name);
}

static int
polkey_cmp(const void *key, const void *elt)
{
	const struct acl_netpol *k = key;
	const struct acl_polkey *e = elt;
	int c = strcmp(k->ns, e->ns);

	return c != 0 ? c : strcmp(k->name, e->name);
}

/* Uids and origin blocks, kept from prev for policies it knew. */
static void
pol_ids(struct acl_cc *cc, const uint32_t *order, uint64_t total_slots)
{
	const struct acl_ruleset *prev = cc->prev;
	uint32_t i, uid = 1, origin = 1, n = cc->m->n_policies;
	const struct acl_polkey *k;
	struct acl_cpol *cp;

	if (prev != NULL && prev->n_origins + 1 > 2 * total_slots + 1024)
		prev = NULL;    /* too sparse: renumber */
	if (prev != NULL) {
		uid = prev->next_uid;
		origin = prev->n_origins + 1;
	}
	for (i = 0; i < n; i++) {
		cp = &cc->pols[order[i]];
		k = prev == NULL ? NULL : bsearch(&cc->m->policies[order[i]],
			prev->polkeys, prev->n_polkeys, sizeof(*prev->polkeys),
			polkey_cmp);
		cp->uid = k != NULL ? k->uid : uid++;
		if (k != NULL && k->n_slots == cp->n_slots) {
			cp->origin_base = k->origin_base;
		} else {
			cp->origin_base = origin;
			origin += cp->n_slots;
		}
	}
	cc->rs->next_uid = uid;
	cc->rs->n_origins = origin - 1;
}

static void
origins_fill_dir(struct acl_origin *o, const struct acl_polkey *k,
		enum acl_dir dir, const struct acl_rule *r, uint32_t n)
{
	uint32_t i, p, q, np, nq;

	for (i = 0; i < n; i++) {
		np = r[i].n_peers ? r[i].n_peers : 1;
		nq = r[i].n_ports ? r[i].n_ports : 1;
		for (p = 0; p < np; p++)
			for (q = 0; q < nq; q++, o++)
				*o = (struct acl_origin){ k->ns, k->name, dir, i,
					r[i].n_peers ? p : UINT32_MAX,
					r[i].n_ports ? q : UINT32_MAX };
	}
}

static int
pol_tables(struct acl_cc *cc, const uint32_t *order)
{
	struct acl_ruleset *rs = cc->rs;
	const struct acl_netpol *p;
	struct acl_polkey *k;
	struct acl_origin *o;
	uint32_t i;

	rs->origins = calloc((size_t)rs->n_origins + 1, sizeof(*rs->origins));
	rs->polkeys = calloc((size_t)cc->m->n_policies + 1, sizeof(*rs->polkeys));
	if (rs->origins == NULL || rs->polkeys == NULL)
		return -ENOMEM;
	for (i = 0; i < cc->m->n_policies; i++) {
		p = &cc->m->policies[order[i]];
		k = &rs->polkeys[rs->n_polkeys++];
		k->ns = strdup(p->ns);
		k->name = strdup(p->name);
		if (k->ns == NULL || k->name == NULL)
			return -ENOMEM;
		k->uid = cc->pols[order[i]].uid;
		k->origin_base = cc->pols[order[i]].origin_base;
		k->n_slots = cc->pols[order[i]].n_slots;
		o = &rs->origins[k->origin_base - 1];
		origins_fill_dir(o, k, ACL_DIR_INGRESS, p->ingress, p->n_ingress);
		o += rules_slots(p->ingress, p->n_ingress, &(uint32_t){ 0 });
		origins_fill_dir(o, k, ACL_DIR_EGRESS, p->egress, p->n_egress);
	}
	return 0;
}

static int
pol_add(struct acl_cident *id, enum acl_dir d, uint32_t pol)
{
	if (ACL_GROW(id->pols[d], id->n_pols[d], id->cap_pols[d]) != 0)
		return -ENOMEM;
	id->pols[d][id->n_pols[d]++] = pol;
	return 0;
}

/* Which identities each policy selects (spec.podSelector, own namespace). */
static int
pol_select(struct acl_cc *cc)
{
	const struct acl_netpol *p;
	const struct acl_cns *ns;
	struct acl_cident *id;
	uint32_t i, j;

	for (i = 0; i < cc->m->n_policies; i++) {
		p = &cc->m->policies[i];
		ns = &cc->ns[cc->pol_ns[i]];
		for (j = 0; j < ns->n_idents; j++) {
			id = &cc->idents[ns->idents[j]];
			if (!acl_selector_match(&p->pod_sel,
					&cc->m->pods[id->pod].labels, NULL))
				continue;
			if (p->type_ingress && pol_add(id, ACL_DIR_INGRESS, i))
				return -ENOMEM;
			if (p->type_egress && pol_add(id, ACL_DIR_EGRESS, i))
				return -ENOMEM;
		}
	}
	return 0;
}

static int
pol_shapes(struct acl_cc *cc, uint64_t *total)
{
	const struct acl_netpol *p;
	struct acl_cpol *cp;
	uint32_t i, peers = 0;

	*total = 0;
	for (i = 0; i < cc->m->n_policies; i++) {
		p = &cc->m->policies[i];
		cp = &cc->pols[i];
		cp->ns = cc->pol_ns[i];
		cp->peer_base = peers;
		cp->n_slots = rules_slots(p->ingress, p->n_ingress, &peers) +
			rules_slots(p->egress, p->n_egress, &peers);
		cp->named_in = rules_named(p->ingress, p->n_ingress);
		*total += cp->n_slots;
	}
	cc->n_targets = peers;
	cc->targets = calloc((size_t)peers + 1, sizeof(*cc->targets));
	return cc->targets == NULL ? -ENOMEM : 0;
}

static int
pol_dups(struct acl_cc *cc, const uint32_t *order)
{
	const struct acl_netpol *a, *b;
	uint32_t i;

	for (i = 1; i < cc->m->n_policies; i++) {
		a = &cc->m->policies[order[i - 1]];
		b = &cc->m->policies[order[i]];
		if (strcmp(a->ns, b->ns) == 0 && strcmp(a->name, b->name) == 0)
			return acl_cc_fail(cc, -EINVAL,
				"NetworkPolicy %s/%s: defined twice", a->ns,
				a->name);
	}
	return 0;
}

int
acl_cc_policies(struct acl_cc *cc)
{
	uint32_t n = cc->m->n_policies, i;
	uint64_t total;
	uint32_t *order;
	int rc = -ENOMEM;

	order = calloc((size_t)n + 1, sizeof(*order));
	cc->pols = calloc((size_t)n + 1, sizeof(*cc->pols));
	if (order == NULL || cc->pols == NULL)
		goto out;
	for (i = 0; i < n; i++)
		order[i] = i;
	qsort_r(order, n, sizeof(*order), pol_idx_cmp,
		(void *)cc->m->policies);
	rc = pol_dups(cc, order);
	if (rc != 0) {
		free(order);
		return rc;
	}
	rc = pol_shapes(cc, &total);
	if (rc != 0)
		goto out;
	if (total >= (1u << 28)) {
		free(order);
		return acl_cc_fail(cc, -E2BIG, "too many policy rules (%llu)",
			(unsigned long long)total);
	}
	pol_ids(cc, order, total);
	rc = pol_tables(cc, order);
	if (rc == 0)
		rc = pol_select(cc);
out:
	free(order);
	return rc == 0 ? 0 : acl_cc_fail(cc, rc, "out of memory");
}

/* ---- the address table ---- */

static int
ep_cmp(const void *a, const void *b)
{
	const struct acl_endpoint *x = a, *y = b;

	if (x->addr.family != y->addr.family)
		return x->addr.family < y->addr.family ? -1 : 1;
	return memcmp(x->addr.addr, y->addr.addr, 16);
}

static int
ep_dup(struct acl_cc *cc, const struct acl_endpoint *a,
		const struct acl_endpoint *b)
{
	const struct acl_pod *p = &cc->m->pods[a->pod];
	const struct acl_pod *q = &cc->m->pods[b->pod];
	char buf[INET6_ADDRSTRLEN];

	inet_ntop(a->addr.family == ACL_AF_INET ? AF_INET : AF_INET6,
		a->addr.addr, buf, sizeof(buf));
	return acl_cc_fail(cc, -EINVAL, "Pod %s/%s: address %s also used by Pod %s/%s",
		q->ns, q->name, buf, p->ns, p->name);
}

static uint32_t
ep_group(const struct acl_cc *cc, const struct acl_pod *p,
		const struct acl_cident *id, enum acl_dir d)
{
	if (!cc->opts->all_local && !p->local)
		return ACL_GROUP_NONE;
	if (id->group[d] == UINT32_MAX)
		return ACL_GROUP_NONE;
	return cc->groups[d][id->group[d]].id;
}

int
acl_cc_endpoints(struct acl_cc *cc)
{
	struct acl_ruleset *rs = cc->rs;
	const struct acl_cident *id;
	const struct acl_pod *p;
	struct acl_endpoint *e;
	uint32_t i, j, n = 0;

	for (i = 0; i < cc->m->n_pods; i++)
		n += cc->m->pods[i].n_ips;
	rs->eps = calloc((size_t)n + 1, sizeof(*rs->eps));
	if (rs->eps == NULL)
		return acl_cc_fail(cc, -ENOMEM, "out of memory");
	for (i = 0; i < cc->m->n_pods; i++) {
		p = &cc->m->pods[i];
		id = &cc->idents[cc->pod_ident[i]];
		for (j = 0; j < p->n_ips; j++) {
			e = &rs->eps[rs->n_eps++];
			e->addr.family = p->ips[j].family;
			memcpy(e->addr.addr, p->ips[j].addr,
				acl_fam_addr_len(acl_fam_index(e->addr.family)));
			e->identity = id->id;
			e->group[ACL_DIR_INGRESS] = ep_group(cc, p, id,
				ACL_DIR_INGRESS);
			e->group[ACL_DIR_EGRESS] = ep_group(cc, p, id,
				ACL_DIR_EGRESS);
			e->pod = i;
		}
	}
	qsort(rs->eps, rs->n_eps, sizeof(*rs->eps), ep_cmp);
	for (i = 1; i < rs->n_eps; i++)
		if (ep_cmp(&rs->eps[i - 1], &rs->eps[i]) == 0)
			return ep_dup(cc, &rs->eps[i - 1], &rs->eps[i]);
	return 0;
}
