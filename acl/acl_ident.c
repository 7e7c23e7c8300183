/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * acl_ident.c: the compile steps about who is who: namespaces, identities
 * (pods alike for policy share one), policies (their stable uids, origin
 * slots and which identities they select) and the final address table.
 *
 * An identity is (namespace, label set, named-port map): everything a
 * selector or a named port can see of a pod. Its canonical key is a byte
 * string of length-prefixed fields. Identities get their numbers later,
 * once the peers are known (acl_order.c).
 */
#include "acl_priv.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_byteorder.h>

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
	/* Pods and policies come grouped by namespace more often than not:
	 * skipping repeats keeps the sort small. */
	for (i = 0; i < m->n_pods; i++)
		if (i == 0 || strcmp(m->pods[i].ns, m->pods[i - 1].ns) != 0)
			r[n++] = (struct ns_ref){ m->pods[i].ns, NULL, false };
	for (i = 0; i < m->n_policies; i++)
		if (i == 0 || strcmp(m->policies[i].ns,
				m->policies[i - 1].ns) != 0)
			r[n++] = (struct ns_ref){ m->policies[i].ns, NULL,
				false };
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
				acl_cc_fail(cc, -EINVAL,
					"Namespace %s: declared twice", r[i].name);
				free(r);
				return -EINVAL;
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
		cc->pod_ns[i] = i > 0 && strcmp(m->pods[i].ns,
			m->pods[i - 1].ns) == 0 ? cc->pod_ns[i - 1] :
			ns_find(cc, m->pods[i].ns);
	for (i = 0; i < m->n_policies; i++)
		cc->pol_ns[i] = ns_find(cc, m->policies[i].ns);
	return 0;
}

/* ---- identities ---- */

/*
 * Identities are found by a structural hash of each pod (namespace, labels
 * and named ports, order-independent) and a structural comparison; only
 * one pod per identity builds the canonical key. Saves a malloc and a sort
 * per pod: 10,000 pods are the bulk of a recompile.
 */
struct pod_ref {         /* sorted as struct acl_kv */
	uint64_t hash;
	uint32_t pod;
};

_Static_assert(sizeof(struct pod_ref) == sizeof(struct acl_kv),
	"pod_ref sorts as acl_kv");

static uint64_t
mix64(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ull;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

static uint64_t
str_hash(uint64_t h, const char *s)
{
	return acl_hash64(h, s, strlen(s) + 1);
}

static uint64_t
pod_hash(const struct acl_pod *p)
{
	uint64_t lsum = p->labels.n, psum = p->n_ports, h;
	uint32_t i;

	for (i = 0; i < p->labels.n; i++)
		lsum += mix64(str_hash(str_hash(ACL_HASH_INIT,
			p->labels.v[i].key), p->labels.v[i].value));
	for (i = 0; i < p->n_ports; i++) {
		h = str_hash(ACL_HASH_INIT, p->ports[i].name);
		psum += mix64(h ^ ((uint64_t)p->ports[i].proto << 16 |
			p->ports[i].port));
	}
	return mix64(str_hash(ACL_HASH_INIT, p->ns) ^ mix64(lsum) ^
		mix64(psum + 0x9e3779b97f4a7c15ull));
}

static bool
ports_within(const struct acl_pod *a, const struct acl_pod *b)
{
	uint32_t i, j;

	for (i = 0; i < a->n_ports; i++) {
		for (j = 0; j < b->n_ports; j++)
			if (a->ports[i].proto == b->ports[j].proto &&
					a->ports[i].port == b->ports[j].port &&
					strcmp(a->ports[i].name,
						b->ports[j].name) == 0)
				break;
		if (j == b->n_ports)
			return false;
	}
	return true;
}

/* Same namespace, label set and named-port map? */
static bool
pod_same(const struct acl_pod *a, const struct acl_pod *b)
{
	const char *v;
	uint32_t i;

	if (a->labels.n != b->labels.n || a->n_ports != b->n_ports ||
			strcmp(a->ns, b->ns) != 0)
		return false;
	for (i = 0; i < a->labels.n; i++) {
		/* Same order is the common case: no search then. */
		v = strcmp(a->labels.v[i].key, b->labels.v[i].key) == 0 ?
			b->labels.v[i].value :
			acl_label_get(&b->labels, NULL, a->labels.v[i].key);
		if (v == NULL || strcmp(v, a->labels.v[i].value) != 0)
			return false;
	}
	return ports_within(a, b) && ports_within(b, a);
}

/* Small arrays: insertion sort beats qsort's call overhead. */
static void
sort_ptrs(const void **v, uint32_t n, int (*cmp)(const void *, const void *))
{
	const void *x;
	uint32_t i, j;

	for (i = 1; i < n; i++) {
		x = v[i];
		for (j = i; j > 0 && cmp(&v[j - 1], &x) > 0; j--)
			v[j] = v[j - 1];
		v[j] = x;
	}
}

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

static uint32_t
pod_key_size(const struct acl_pod *p)
{
	uint32_t i, sz = 12 + (uint32_t)strlen(p->ns);

	for (i = 0; i < p->labels.n; i++)
		sz += 8 + (uint32_t)strlen(p->labels.v[i].key) +
			(uint32_t)strlen(p->labels.v[i].value);
	for (i = 0; i < p->n_ports; i++)
		sz += 8 + (uint32_t)strlen(p->ports[i].name);
	return sz;
}

/* Canonical key of an identity: ns, sorted labels, sorted named ports. */
static int
ident_key_build(const struct acl_pod *p, struct acl_cident *id)
{
	uint32_t n = p->labels.n > p->n_ports ? p->labels.n : p->n_ports;
	struct acl_kbuf b = { NULL, 0, 0, 0 };
	const void *small[32], **v = small;
	uint32_t i;

	if (n > 32 && (v = calloc(n, sizeof(*v))) == NULL)
		return -ENOMEM;
	b.cap = pod_key_size(p);
	b.p = malloc(b.cap);
	if (b.p == NULL)
		b.err = -ENOMEM;
	acl_kbuf_put_str(&b, p->ns);
	for (i = 0; i < p->labels.n; i++)
		v[i] = &p->labels.v[i];
	sort_ptrs(v, p->labels.n, label_ptr_cmp);
	acl_kbuf_put_u32(&b, p->labels.n);
	for (i = 0; i < p->labels.n; i++) {
		acl_kbuf_put_str(&b, ((const struct acl_label *)v[i])->key);
		acl_kbuf_put_str(&b, ((const struct acl_label *)v[i])->value);
	}
	for (i = 0; i < p->n_ports; i++)
		v[i] = &p->ports[i];
	sort_ptrs(v, p->n_ports, nport_ptr_cmp);
	acl_kbuf_put_u32(&b, p->n_ports);
	for (i = 0; i < p->n_ports; i++) {
		const struct acl_named_port *np = v[i];

		acl_kbuf_put_str(&b, np->name);
		acl_kbuf_put_u32(&b, (uint32_t)np->proto << 16 | np->port);
	}
	if (v != small)
		free(v);
	if (b.err != 0) {
		free(b.p);
		return b.err;
	}
	id->key = b.p;
	id->key_len = b.len;
	return 0;
}

/* Per-namespace identity lists, in identity order. */
static int
ident_ns_lists(struct acl_cc *cc)
{
	struct acl_cns *ns;
	uint32_t i;

	for (i = 0; i < cc->n_idents; i++) {
		ns = &cc->ns[cc->idents[i].ns];
		if (ACL_GROW(ns->idents, ns->n_idents, ns->cap_idents) != 0)
			return -ENOMEM;
		ns->idents[ns->n_idents++] = i;
	}
	return 0;
}

static void
ident_pod(struct acl_cc *cc, uint32_t pod, struct acl_cident *id)
{
	const struct acl_pod *p = &cc->m->pods[pod];
	uint32_t j;

	if (!cc->opts->all_local && !p->local)
		return;
	id->compiled = true;
	for (j = 0; j < p->n_ips; j++)
		id->families |= (uint8_t)ACL_FAM_BIT(
			acl_fam_index(p->ips[j].family));
}

/* The identity of run member r: an earlier one of the run, or a new one. */
static int
ident_of_ref(struct acl_cc *cc, const struct pod_ref *r, uint32_t run_first)
{
	const struct acl_pod *p = &cc->m->pods[r->pod];
	struct acl_cident *id;
	uint32_t k;

	for (k = run_first; k < cc->n_idents; k++)
		if (pod_same(&cc->m->pods[cc->idents[k].pod], p))
			break;
	id = &cc->idents[k];
	if (k == cc->n_idents) {
		id->hash = r->hash;
		id->pod = r->pod;
		id->ns = cc->pod_ns[r->pod];
		if (ident_key_build(p, id) != 0)
			return -ENOMEM;
		cc->n_idents++;
	}
	cc->pod_ident[r->pod] = k;
	ident_pod(cc, r->pod, id);
	return 0;
}

int
acl_cc_identities(struct acl_cc *cc)
{
	uint32_t n = cc->m->n_pods, i, run = 0;
	struct pod_ref *r;
	int rc = -ENOMEM;

	r = calloc((size_t)n + 1, sizeof(*r));
	cc->pod_ident = calloc((size_t)n + 1, sizeof(*cc->pod_ident));
	cc->idents = calloc((size_t)n + 1, sizeof(*cc->idents));
	if (r == NULL || cc->pod_ident == NULL || cc->idents == NULL)
		goto out;
	for (i = 0; i < n; i++)
		r[i] = (struct pod_ref){ pod_hash(&cc->m->pods[i]), i };
	rc = acl_sort_kv((struct acl_kv *)r, n);
	for (i = 0; i < n && rc == 0; i++) {
		if (i == 0 || r[i].hash != r[i - 1].hash)
			run = cc->n_idents;
		rc = ident_of_ref(cc, &r[i], run);
	}
	if (rc == 0)
		rc = ident_ns_lists(cc);
	if (rc == 0)
		rc = acl_cc_label_index(cc);
out:
	free(r);
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
	struct acl_cident *id;
	uint32_t i, j, n, cap = 0, *v = NULL;
	int rc = 0;

	for (i = 0; i < cc->m->n_policies && rc == 0; i++) {
		p = &cc->m->policies[i];
		n = 0;
		rc = acl_cc_select(cc, &p->pod_sel, cc->pol_ns[i], NULL, &v, &n,
			&cap);
		for (j = 0; j < n && rc == 0; j++) {
			id = &cc->idents[v[j]];
			cc->pols[i].active |= id->compiled &&
				(p->type_ingress || p->type_egress);
			if (p->type_ingress)
				rc = pol_add(id, ACL_DIR_INGRESS, i);
			if (rc == 0 && p->type_egress)
				rc = pol_add(id, ACL_DIR_EGRESS, i);
		}
	}
	free(v);
	return rc;
}

/* Where each rule's peers start within its policy's (cc->rule_peer). */
static int
rule_peers(struct acl_cc *cc)
{
	const struct acl_netpol *p;
	uint32_t i, k, n = 0, r = 0, base;

	for (i = 0; i < cc->m->n_policies; i++)
		n += cc->m->policies[i].n_ingress + cc->m->policies[i].n_egress;
	cc->rule_peer = malloc((size_t)n * sizeof(*cc->rule_peer) + 1);
	if (cc->rule_peer == NULL)
		return -ENOMEM;
	for (i = 0; i < cc->m->n_policies; i++) {
		p = &cc->m->policies[i];
		cc->pols[i].rule_base = r;
		base = 0;
		for (k = 0; k < p->n_ingress; k++) {
			cc->rule_peer[r++] = base;
			base += p->ingress[k].n_peers;
		}
		for (k = 0; k < p->n_egress; k++) {
			cc->rule_peer[r++] = base;
			base += p->egress[k].n_peers;
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
	if (rule_peers(cc) != 0)
		return -ENOMEM;
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

/* IPv4 (the bulk) by radix on the address, then IPv6 by qsort. */
static int
eps_sort(struct acl_ruleset *rs)
{
	struct acl_endpoint *out;
	struct acl_kv *kv;
	uint32_t i, n4 = 0, n6 = 0, a;

	kv = malloc((size_t)rs->n_eps * sizeof(*kv) + 1);
	out = malloc((size_t)rs->n_eps * sizeof(*out) + 1);
	if (kv == NULL || out == NULL) {
		free(kv);
		free(out);
		return -ENOMEM;
	}
	for (i = 0; i < rs->n_eps; i++) {
		if (rs->eps[i].addr.family != ACL_AF_INET)
			continue;
		memcpy(&a, rs->eps[i].addr.addr, 4);
		kv[n4++] = (struct acl_kv){ rte_be_to_cpu_32(a), i };
	}
	if (acl_sort_kv(kv, n4) != 0) {
		free(kv);
		free(out);
		return -ENOMEM;
	}
	for (i = 0; i < n4; i++)
		out[i] = rs->eps[kv[i].v];
	for (i = 0; i < rs->n_eps; i++)
		if (rs->eps[i].addr.family != ACL_AF_INET)
			out[n4 + n6++] = rs->eps[i];
	qsort(out + n4, n6, sizeof(*out), ep_cmp);
	free(kv);
	free(rs->eps);
	rs->eps = out;
	return 0;
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
	return id->group[d];
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
	if (eps_sort(rs) != 0)
		return acl_cc_fail(cc, -ENOMEM, "out of memory");
	for (i = 1; i < rs->n_eps; i++)
		if (ep_cmp(&rs->eps[i - 1], &rs->eps[i]) == 0)
			return ep_dup(cc, &rs->eps[i - 1], &rs->eps[i]);
	return 0;
}
