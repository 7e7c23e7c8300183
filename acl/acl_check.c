/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * acl_check.c: validation of a model before anything is compiled, so that
 * bad input is refused whole with a message that names the object and the
 * field (in the manifest's own spelling: ingress[0].from[1].ipBlock...).
 * control/ validates manifests first; this is the last line, and what
 * makes acl_compile() safe to call with anything.
 *
 * Checks that need sorting (duplicate names, duplicate addresses) are done
 * where the compile sorts anyway (acl_ident.c).
 */
#include "acl_priv.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/*
 * Where in the model a check is: "policy ns/name" plus a field path, kept
 * as parts and only formatted when something is wrong (checks run on every
 * peer and port of every compile).
 */
struct where {
	struct acl_err *err;
	const char *kind;
	const char *ns;
	const char *name;
	const char *dir;        /* "ingress"/"egress", NULL: no path */
	uint32_t rule;
	const char *list;       /* "from"/"to"/"ports", NULL: the rule */
	uint32_t item;
};

static void
path_fmt(const struct where *w, char *buf, size_t size)
{
	if (w->dir == NULL)
		buf[0] = '\0';
	else if (w->list == NULL)
		snprintf(buf, size, "%s[%u]", w->dir, w->rule);
	else
		snprintf(buf, size, "%s[%u].%s[%u]", w->dir, w->rule, w->list,
			w->item);
}

static int __attribute__((format(printf, 2, 3)))
bad(struct where *w, const char *fmt, ...)
{
	char what[128], path[64];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	path_fmt(w, path, sizeof(path));
	if (w->err != NULL) {
		w->err->code = -EINVAL;
		/* Precisions keep the worst case (251) inside msg (256). */
		snprintf(w->err->msg, sizeof(w->err->msg),
			"%.15s%s%.40s%s%.60s: %.60s%s%.70s", w->kind,
			w->name[0] ? " " : "", w->ns ? w->ns : "",
			w->ns ? "/" : "", w->name, path,
			path[0] ? ": " : "", what);
	}
	return -EINVAL;
}

static bool
proto_ok(uint8_t p)
{
	return p == ACL_PROTO_TCP || p == ACL_PROTO_UDP || p == ACL_PROTO_SCTP;
}

static int
check_labels(struct where *w, const struct acl_labels *l, const char *field)
{
	uint32_t i;

	if (l->n > 0 && l->v == NULL)
		return bad(w, "%s: missing array", field);
	for (i = 0; i < l->n; i++)
		if (l->v[i].key == NULL || l->v[i].value == NULL)
			return bad(w, "%s[%u]: missing key or value", field, i);
	return 0;
}

static int
check_expr(struct where *w, const struct acl_sel_expr *e, const char *field,
		uint32_t i)
{
	uint32_t j;

	if (e->key == NULL)
		return bad(w, "%s.matchExpressions[%u]: missing key", field, i);
	if (e->n_values > 0 && e->values == NULL)
		return bad(w, "%s.matchExpressions[%u]: missing values", field, i);
	for (j = 0; j < e->n_values; j++)
		if (e->values[j] == NULL)
			return bad(w, "%s.matchExpressions[%u].values[%u]: missing",
				field, i, j);
	switch (e->op) {
	case ACL_SEL_IN:
	case ACL_SEL_NOT_IN:
		if (e->n_values == 0)
			return bad(w, "%s.matchExpressions[%u]: In/NotIn needs values",
				field, i);
		return 0;
	case ACL_SEL_EXISTS:
	case ACL_SEL_DOES_NOT_EXIST:
		if (e->n_values != 0)
			return bad(w, "%s.matchExpressions[%u]: Exists/DoesNotExist takes no values",
				field, i);
		return 0;
	}
	return bad(w, "%s.matchExpressions[%u]: unknown operator %d", field, i,
		(int)e->op);
}

static int
check_selector(struct where *w, const struct acl_selector *s,
		const char *field)
{
	char f[64];
	uint32_t i;
	int rc;

	snprintf(f, sizeof(f), "%s.matchLabels", field);
	rc = check_labels(w, &s->match_labels, f);
	if (rc != 0)
		return rc;
	if (s->n_exprs > 0 && s->exprs == NULL)
		return bad(w, "%s.matchExpressions: missing array", field);
	for (i = 0; i < s->n_exprs; i++) {
		rc = check_expr(w, &s->exprs[i], field, i);
		if (rc != 0)
			return rc;
	}
	return 0;
}

static int
check_prefix(struct where *w, const struct acl_prefix *p, const char *field)
{
	if (p->family == ACL_AF_INET && p->len <= 32)
		return 0;
	if (p->family == ACL_AF_INET6 && p->len <= 128)
		return 0;
	return bad(w, "%s: bad prefix (family %u, length %u)", field,
		p->family, p->len);
}

static int
check_ipblock(struct where *w, const struct acl_ipblock *b)
{
	uint32_t i;
	int rc;

	rc = check_prefix(w, &b->cidr, "ipBlock.cidr");
	if (rc != 0)
		return rc;
	if (b->n_except > 0 && b->except == NULL)
		return bad(w, "ipBlock.except: missing array");
	for (i = 0; i < b->n_except; i++) {
		rc = check_prefix(w, &b->except[i], "ipBlock.except");
		if (rc != 0)
			return rc;
		/* As the API server: each except a strict subset of cidr. */
		if (!acl_prefix_contains(&b->cidr, &b->except[i]) ||
				b->except[i].len <= b->cidr.len)
			return bad(w, "ipBlock.except[%u]: not inside cidr", i);
	}
	return 0;
}

static int
check_peer(struct where *w, const struct acl_peer *p)
{
	int rc;

	if (p->has_ipblock && (p->has_pod_sel || p->has_ns_sel))
		return bad(w, "ipBlock with a selector");
	if (!p->has_ipblock && !p->has_pod_sel && !p->has_ns_sel)
		return bad(w, "empty peer");
	if (p->has_ipblock)
		return check_ipblock(w, &p->ipblock);
	if (p->has_pod_sel) {
		rc = check_selector(w, &p->pod_sel, "podSelector");
		if (rc != 0)
			return rc;
	}
	if (p->has_ns_sel)
		return check_selector(w, &p->ns_sel, "namespaceSelector");
	return 0;
}

static int
check_port(struct where *w, const struct acl_port *p)
{
	if (!proto_ok(p->proto))
		return bad(w, "protocol %u is not TCP, UDP or SCTP", p->proto);
	if (p->named_port != NULL) {
		if (p->named_port[0] == '\0')
			return bad(w, "empty port name");
		if (p->end_port != 0)
			return bad(w, "endPort with a named port");
		return 0;
	}
	if (!p->has_port) {
		if (p->end_port != 0)
			return bad(w, "endPort without port");
		return 0;
	}
	if (p->port == 0)
		return bad(w, "port 0");
	if (p->end_port != 0 && p->end_port < p->port)
		return bad(w, "endPort %u below port %u", p->end_port, p->port);
	return 0;
}

static int
check_rules(struct where *w, const struct acl_rule *r, uint32_t n,
		const char *dir, const char *peers)
{
	uint32_t i, j;
	int rc;

	if (n > 0 && r == NULL)
		return bad(w, "%s: missing array", dir);
	w->dir = dir;
	for (i = 0; i < n; i++) {
		w->rule = i;
		w->list = NULL;
		if ((r[i].n_peers > 0 && r[i].peers == NULL) ||
				(r[i].n_ports > 0 && r[i].ports == NULL))
			return bad(w, "missing array");
		w->list = peers;
		for (j = 0; j < r[i].n_peers; j++) {
			w->item = j;
			rc = check_peer(w, &r[i].peers[j]);
			if (rc != 0)
				return rc;
		}
		w->list = "ports";
		for (j = 0; j < r[i].n_ports; j++) {
			w->item = j;
			rc = check_port(w, &r[i].ports[j]);
			if (rc != 0)
				return rc;
		}
	}
	w->dir = NULL;
	return 0;
}

static int
check_policy(struct acl_err *err, const struct acl_netpol *p, uint32_t i)
{
	struct where w = { err, "NetworkPolicy", p->ns, p->name, NULL, 0, NULL,
		0 };
	char idx[16];
	int rc;

	if (p->ns == NULL || p->name == NULL || p->ns[0] == '\0' ||
			p->name[0] == '\0') {
		snprintf(idx, sizeof(idx), "#%u", i);
		w.ns = NULL;
		w.name = idx;
		return bad(&w, "missing namespace or name");
	}
	rc = check_selector(&w, &p->pod_sel, "spec.podSelector");
	if (rc != 0)
		return rc;
	rc = check_rules(&w, p->ingress, p->n_ingress, "ingress", "from");
	if (rc != 0)
		return rc;
	return check_rules(&w, p->egress, p->n_egress, "egress", "to");
}

static int
check_pod(struct acl_err *err, const struct acl_pod *p, uint32_t i)
{
	struct where w = { err, "Pod", p->ns, p->name, NULL, 0, NULL, 0 };
	char idx[16];
	uint32_t j;
	int rc;

	if (p->ns == NULL || p->name == NULL || p->ns[0] == '\0' ||
			p->name[0] == '\0') {
		snprintf(idx, sizeof(idx), "#%u", i);
		w.ns = NULL;
		w.name = idx;
		return bad(&w, "missing namespace or name");
	}
	rc = check_labels(&w, &p->labels, "labels");
	if (rc != 0)
		return rc;
	if ((p->n_ports > 0 && p->ports == NULL) ||
			(p->n_ips > 0 && p->ips == NULL))
		return bad(&w, "missing array");
	for (j = 0; j < p->n_ports; j++)
		if (p->ports[j].name == NULL || !proto_ok(p->ports[j].proto))
			return bad(&w, "ports[%u]: bad name or protocol", j);
	for (j = 0; j < p->n_ips; j++)
		if (acl_fam_index(p->ips[j].family) < 0)
			return bad(&w, "podIPs[%u]: bad family %u", j,
				p->ips[j].family);
	return 0;
}

static int
check_namespace(struct acl_err *err, const struct acl_namespace *n,
		uint32_t i)
{
	struct where w = { err, "Namespace", NULL, n->name, NULL, 0, NULL,
		0 };
	char idx[16];

	if (n->name == NULL || n->name[0] == '\0') {
		snprintf(idx, sizeof(idx), "#%u", i);
		w.name = idx;
		return bad(&w, "missing name");
	}
	return check_labels(&w, &n->labels, "labels");
}

int
acl_model_check(const struct acl_model *m, struct acl_err *err)
{
	struct where w = { err, "model", NULL, "", NULL, 0, NULL, 0 };
	uint32_t i;
	int rc;

	if (m == NULL)
		return bad(&w, "no model");
	if ((m->n_namespaces > 0 && m->namespaces == NULL) ||
			(m->n_pods > 0 && m->pods == NULL) ||
			(m->n_policies > 0 && m->policies == NULL))
		return bad(&w, "missing array");
	for (i = 0; i < m->n_namespaces; i++) {
		rc = check_namespace(err, &m->namespaces[i], i);
		if (rc != 0)
			return rc;
	}
	for (i = 0; i < m->n_pods; i++) {
		rc = check_pod(err, &m->pods[i], i);
		if (rc != 0)
			return rc;
	}
	for (i = 0; i < m->n_policies; i++) {
		rc = check_policy(err, &m->policies[i], i);
		if (rc != 0)
			return rc;
	}
	return 0;
}
