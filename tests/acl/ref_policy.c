/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ref_policy.c: the reference NetworkPolicy evaluator (ref_policy.h).
 * Each function is one sentence of the API reference
 * (networking.k8s.io/v1 NetworkPolicySpec, NetworkPolicyPeer,
 * NetworkPolicyPort, metav1.LabelSelector), applied literally.
 */
#include "ref_policy.h"

#include <string.h>

#define NS_NAME_LABEL "kubernetes.io/metadata.name"

/* The pod that has address a, or NULL. */
static const struct acl_pod *
pod_by_addr(const struct acl_model *m, const struct acl_addr *a)
{
	uint32_t i, j, len = a->family == ACL_AF_INET ? 4 : 16;

	for (i = 0; i < m->n_pods; i++)
		for (j = 0; j < m->pods[i].n_ips; j++)
			if (m->pods[i].ips[j].family == a->family &&
					memcmp(m->pods[i].ips[j].addr, a->addr,
						len) == 0)
				return &m->pods[i];
	return NULL;
}

/* A label's value: the pod's own labels. */
static const char *
pod_label(const struct acl_pod *p, const char *key)
{
	uint32_t i;

	for (i = 0; i < p->labels.n; i++)
		if (strcmp(p->labels.v[i].key, key) == 0)
			return p->labels.v[i].value;
	return NULL;
}

/* A namespace's label: declared ones, and always its name label. */
static const char *
ns_label(const struct acl_model *m, const char *ns, const char *key)
{
	uint32_t i, j;

	if (strcmp(key, NS_NAME_LABEL) == 0)
		return ns;
	for (i = 0; i < m->n_namespaces; i++) {
		if (strcmp(m->namespaces[i].name, ns) != 0)
			continue;
		for (j = 0; j < m->namespaces[i].labels.n; j++)
			if (strcmp(m->namespaces[i].labels.v[j].key, key) == 0)
				return m->namespaces[i].labels.v[j].value;
	}
	return NULL;
}

/*
 * "matchLabels ... ANDed with matchExpressions"; operators In, NotIn,
 * Exists, DoesNotExist; NotIn also matches when the key is absent
 * (k8s.io/apimachinery labels.Requirement.Matches).
 */
static bool
sel_matches(const struct acl_selector *s, const struct acl_model *m,
		const struct acl_pod *pod, const char *ns)
{
	const char *v;
	bool in;
	uint32_t i, j;

	for (i = 0; i < s->match_labels.n + s->n_exprs; i++) {
		const char *key = i < s->match_labels.n ?
			s->match_labels.v[i].key :
			s->exprs[i - s->match_labels.n].key;

		v = pod != NULL ? pod_label(pod, key) : ns_label(m, ns, key);
		if (i < s->match_labels.n) {
			if (v == NULL || strcmp(v, s->match_labels.v[i].value))
				return false;
			continue;
		}
		const struct acl_sel_expr *e = &s->exprs[i - s->match_labels.n];

		in = false;
		for (j = 0; v != NULL && j < e->n_values; j++)
			in |= strcmp(v, e->values[j]) == 0;
		if ((e->op == ACL_SEL_IN && !in) ||
				(e->op == ACL_SEL_NOT_IN && in) ||
				(e->op == ACL_SEL_EXISTS && v == NULL) ||
				(e->op == ACL_SEL_DOES_NOT_EXIST && v != NULL))
			return false;
	}
	return true;
}

static bool
in_prefix(const struct acl_prefix *p, const struct acl_addr *a)
{
	uint32_t i;

	if (p->family != a->family)
		return false;
	for (i = 0; i < p->len; i++) {
		int bp = (p->addr[i / 8] >> (7 - i % 8)) & 1;
		int ba = (a->addr[i / 8] >> (7 - i % 8)) & 1;

		if (bp != ba)
			return false;
	}
	return true;
}

/*
 * NetworkPolicyPeer: ipBlock "particular IP CIDR ranges" minus except
 * (pod IPs included); otherwise pods: podSelector in the policy's
 * namespace, namespaceSelector all pods of matching namespaces, both the
 * pods matching podSelector in matching namespaces.
 */
static bool
peer_matches(const struct acl_model *m, const struct acl_netpol *pol,
		const struct acl_peer *pe, const struct acl_pod *pod,
		const struct acl_addr *a)
{
	uint32_t i;

	if (pe->has_ipblock) {
		if (!in_prefix(&pe->ipblock.cidr, a))
			return false;
		for (i = 0; i < pe->ipblock.n_except; i++)
			if (in_prefix(&pe->ipblock.except[i], a))
				return false;
		return true;
	}
	if (pod == NULL)
		return false;
	if (pe->has_ns_sel ? !sel_matches(&pe->ns_sel, m, NULL, pod->ns) :
			strcmp(pod->ns, pol->ns) != 0)
		return false;
	return !pe->has_pod_sel || sel_matches(&pe->pod_sel, m, pod, NULL);
}

/*
 * NetworkPolicyPort: protocol must match; no port: all ports of it; a
 * number (to endPort); a name: the named container port (same protocol)
 * of the pod that receives (dst_pod).
 */
static bool
port_matches(const struct acl_port *p, uint8_t proto, uint16_t dport,
		const struct acl_pod *dst_pod)
{
	uint32_t i;

	if (p->proto != proto)
		return false;
	if (p->named_port != NULL) {
		if (dst_pod == NULL)
			return false;
		for (i = 0; i < dst_pod->n_ports; i++)
			if (strcmp(dst_pod->ports[i].name, p->named_port) == 0 &&
					dst_pod->ports[i].proto == proto &&
					dst_pod->ports[i].port == dport)
				return true;
		return false;
	}
	if (!p->has_port)
		return true;
	return dport >= p->port && dport <= (p->end_port ? p->end_port : p->port);
}

/* A rule: (no peers or some peer matches) and (no ports or some port). */
static bool
rule_allows(const struct acl_model *m, const struct acl_netpol *pol,
		const struct acl_rule *r, const struct acl_pod *peer_pod,
		const struct acl_addr *peer_addr, uint8_t proto, uint16_t dport,
		const struct acl_pod *dst_pod)
{
	bool peer_ok = r->n_peers == 0, port_ok = r->n_ports == 0;
	uint32_t i;

	for (i = 0; i < r->n_peers; i++)
		peer_ok |= peer_matches(m, pol, &r->peers[i], peer_pod,
			peer_addr);
	for (i = 0; i < r->n_ports; i++)
		port_ok |= port_matches(&r->ports[i], proto, dport, dst_pod);
	return peer_ok && port_ok;
}

/*
 * "isolated for ingress/egress if there is any NetworkPolicy that both
 * selects the pod and has Ingress/Egress in its policyTypes"; then allowed
 * is the union of those policies' rules.
 */
static char
dir_verdict(const struct acl_model *m, bool egress, const struct acl_pod *local,
		const struct acl_pod *peer_pod, const struct acl_addr *peer_addr,
		uint8_t proto, uint16_t dport)
{
	const struct acl_pod *dst_pod = egress ? peer_pod : local;
	bool isolated = false, allowed = false;
	const struct acl_netpol *p;
	uint32_t i, j, n;

	for (i = 0; i < m->n_policies; i++) {
		p = &m->policies[i];
		if (strcmp(p->ns, local->ns) != 0 ||
				!(egress ? p->type_egress : p->type_ingress) ||
				!sel_matches(&p->pod_sel, m, local, NULL))
			continue;
		isolated = true;
		n = egress ? p->n_egress : p->n_ingress;
		for (j = 0; j < n; j++)
			allowed |= rule_allows(m, p, egress ? &p->egress[j] :
				&p->ingress[j], peer_pod, peer_addr, proto,
				dport, dst_pod);
	}
	return !isolated ? 'U' : allowed ? 'A' : 'D';
}

void
ref_check(const struct acl_model *m, const struct acl_addr *src,
		const struct acl_addr *dst, uint8_t proto, uint16_t dport,
		bool all_local, struct ref_verdict *v)
{
	const struct acl_pod *sp = pod_by_addr(m, src);
	const struct acl_pod *dp = pod_by_addr(m, dst);

	/* "A pod cannot block access to itself" (network policies concept). */
	if (sp != NULL && sp == dp) {
		v->egress = v->ingress = 'S';
		return;
	}
	v->egress = sp != NULL && (all_local || sp->local) ?
		dir_verdict(m, true, sp, dp, dst, proto, dport) : 'U';
	v->ingress = dp != NULL && (all_local || dp->local) ?
		dir_verdict(m, false, dp, sp, src, proto, dport) : 'U';
}
