/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * acl_test.c: the helpers of acl_test.h.
 */
#include "acl_test.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <rte_eal.h>

#include "ref_policy.h"

/* EAL leaves its (empty, --no-shconf) runtime directory behind. */
static char eal_dir[PATH_MAX];

static void
eal_dir_remove(void)
{
	rmdir(eal_dir);
}

void
at_eal_init(void)
{
	static bool done;
	char prefix[64];
	char *argv[] = { "test-acl", "--no-huge", "--no-pci", "--no-shconf",
		"-m", "256", "-l", "0", prefix, "--log-level=lib.eal:error",
		"--log-level=npvs.acl:critical", "--no-telemetry", NULL };

	if (done)
		return;
	snprintf(prefix, sizeof(prefix), "--file-prefix=test-acl-%d",
		(int)getpid());
	if (rte_eal_init((int)(sizeof(argv) / sizeof(argv[0])) - 1, argv) < 0)
		fail_msg("rte_eal_init failed");
	snprintf(eal_dir, sizeof(eal_dir), "%s", rte_eal_get_runtime_dir());
	atexit(eal_dir_remove);
	done = true;
}

static char *
xstrdup(const char *s)
{
	char *d = strdup(s);

	assert_non_null(d);
	return d;
}

static char *
xstrndup(const char *s, size_t n)
{
	char *d = strndup(s, n);

	assert_non_null(d);
	return d;
}

/*
 * Room for element n of an array of n. Capacity starts at 64 and doubles,
 * so a pointer to an element (at_pol's result) stays valid while its
 * array has fewer than 64 elements: tests may hold several.
 */
static void *
xgrow(void *p, uint32_t n, size_t elt)
{
	if (n == 0) {
		p = calloc(64, elt);
		assert_non_null(p);
		return p;
	}
	if (n < 64 || (n & (n - 1)) != 0)
		return p;
	p = realloc(p, (size_t)n * 2 * elt);
	assert_non_null(p);
	memset((char *)p + (size_t)n * elt, 0, (size_t)n * elt);
	return p;
}

void
at_addr(struct acl_addr *a, const char *text)
{
	memset(a, 0, sizeof(*a));
	if (inet_pton(AF_INET, text, a->addr) == 1) {
		a->family = ACL_AF_INET;
		return;
	}
	if (inet_pton(AF_INET6, text, a->addr) == 1) {
		a->family = ACL_AF_INET6;
		return;
	}
	fail_msg("bad address %s", text);
}

void
at_prefix(struct acl_prefix *p, const char *text)
{
	struct acl_addr a;
	const char *slash = strchr(text, '/');
	char *addr;

	assert_non_null(slash);
	addr = xstrndup(text, (size_t)(slash - text));
	at_addr(&a, addr);
	free(addr);
	memset(p, 0, sizeof(*p));
	p->family = a.family;
	p->len = (uint8_t)atoi(slash + 1);
	memcpy(p->addr, a.addr, 16);
}

/* Split "a,b (c,d),e" on commas outside parentheses. */
static uint32_t
split_terms(const char *text, char ***out)
{
	const char *s = text, *start = text;
	char **v = NULL;
	uint32_t n = 0;
	int depth = 0;

	for (;; s++) {
		if (*s == '(')
			depth++;
		else if (*s == ')')
			depth--;
		if (*s != '\0' && (*s != ',' || depth > 0))
			continue;
		while (start < s && isspace((unsigned char)*start))
			start++;
		if (s > start) {
			v = xgrow(v, n, sizeof(*v));
			v[n++] = xstrndup(start, (size_t)(s - start));
		}
		if (*s == '\0')
			break;
		start = s + 1;
	}
	*out = v;
	return n;
}

static void
label_add(struct acl_labels *l, const char *k, size_t klen, const char *v)
{
	l->v = xgrow(l->v, l->n, sizeof(*l->v));
	l->v[l->n].key = xstrndup(k, klen);
	l->v[l->n].value = xstrdup(v);
	l->n++;
}

static void
labels_parse(struct acl_labels *l, const char *text)
{
	char **t;
	uint32_t n, i;
	char *eq;

	n = split_terms(text, &t);
	for (i = 0; i < n; i++) {
		eq = strchr(t[i], '=');
		assert_non_null(eq);
		label_add(l, t[i], (size_t)(eq - t[i]), eq + 1);
		free(t[i]);
	}
	free(t);
}

/* "k in (a,b)" / "k notin (a,b)": key, operator and values. */
static void
expr_set(struct acl_sel_expr *e, const char *term, const char *kw,
		enum acl_sel_op op)
{
	const char *open = strchr(term, '('), *p;
	char **vals;
	uint32_t n, i;
	char *inner;

	e->key = xstrndup(term, (size_t)(strstr(term, kw) - term - 1));
	e->op = op;
	assert_non_null(open);
	p = strchr(open, ')');
	assert_non_null(p);
	inner = xstrndup(open + 1, (size_t)(p - open - 1));
	n = split_terms(inner, &vals);
	free(inner);
	e->values = calloc(n ? n : 1, sizeof(*e->values));
	assert_non_null(e->values);
	for (i = 0; i < n; i++)
		e->values[i] = vals[i];
	e->n_values = n;
	free(vals);
}

static void
sel_term(struct acl_selector *s, const char *t)
{
	struct acl_sel_expr *e;
	const char *eq = strchr(t, '=');

	if (strstr(t, " in (") == NULL && strstr(t, " notin (") == NULL &&
			eq != NULL) {
		label_add(&s->match_labels, t, (size_t)(eq - t), eq + 1);
		return;
	}
	s->exprs = xgrow(s->exprs, s->n_exprs, sizeof(*s->exprs));
	e = &s->exprs[s->n_exprs++];
	if (strstr(t, " notin (") != NULL)
		expr_set(e, t, "notin (", ACL_SEL_NOT_IN);
	else if (strstr(t, " in (") != NULL)
		expr_set(e, t, "in (", ACL_SEL_IN);
	else if (t[0] == '!')
		*e = (struct acl_sel_expr){ xstrdup(t + 1),
			ACL_SEL_DOES_NOT_EXIST, NULL, 0 };
	else
		*e = (struct acl_sel_expr){ xstrdup(t), ACL_SEL_EXISTS, NULL, 0 };
}

void
at_selector(struct acl_selector *s, const char *text)
{
	char **t;
	uint32_t n, i;

	memset(s, 0, sizeof(*s));
	n = split_terms(text, &t);
	for (i = 0; i < n; i++) {
		sel_term(s, t[i]);
		free(t[i]);
	}
	free(t);
}

struct acl_model *
at_model(void)
{
	struct acl_model *m = calloc(1, sizeof(*m));

	assert_non_null(m);
	return m;
}

void
at_ns(struct acl_model *m, const char *name, const char *labels)
{
	struct acl_namespace *n;

	m->namespaces = xgrow(m->namespaces, m->n_namespaces,
		sizeof(*m->namespaces));
	n = &m->namespaces[m->n_namespaces++];
	n->name = xstrdup(name);
	labels_parse(&n->labels, labels);
}

static void
pod_ports(struct acl_pod *p, const char *text)
{
	char **t, name[64], proto[8];
	uint32_t n, i;
	unsigned int port;

	n = split_terms(text, &t);
	for (i = 0; i < n; i++) {
		assert_int_equal(sscanf(t[i], "%63[^/]/%7[^/]/%u", name, proto,
			&port), 3);
		p->ports = xgrow(p->ports, p->n_ports, sizeof(*p->ports));
		p->ports[p->n_ports].name = xstrdup(name);
		p->ports[p->n_ports].proto = strcmp(proto, "UDP") == 0 ? UDP :
			strcmp(proto, "SCTP") == 0 ? SCTP : TCP;
		p->ports[p->n_ports++].port = (uint16_t)port;
		free(t[i]);
	}
	free(t);
}

struct acl_pod *
at_pod(struct acl_model *m, const char *ns, const char *name,
		const char *labels, const char *ips, const char *ports,
		bool local)
{
	struct acl_pod *p;
	char **t;
	uint32_t n, i;

	m->pods = xgrow(m->pods, m->n_pods, sizeof(*m->pods));
	p = &m->pods[m->n_pods++];
	p->ns = xstrdup(ns);
	p->name = xstrdup(name);
	p->local = local;
	labels_parse(&p->labels, labels);
	pod_ports(p, ports);
	n = split_terms(ips, &t);
	for (i = 0; i < n; i++) {
		p->ips = xgrow(p->ips, p->n_ips, sizeof(*p->ips));
		at_addr(&p->ips[p->n_ips++], t[i]);
		free(t[i]);
	}
	free(t);
	return p;
}

struct acl_netpol *
at_pol(struct acl_model *m, const char *ns, const char *name,
		const char *sel, const char *types)
{
	struct acl_netpol *p;

	m->policies = xgrow(m->policies, m->n_policies, sizeof(*m->policies));
	p = &m->policies[m->n_policies++];
	p->ns = xstrdup(ns);
	p->name = xstrdup(name);
	at_selector(&p->pod_sel, sel);
	p->type_ingress = strstr(types, "Ingress") != NULL;
	p->type_egress = strstr(types, "Egress") != NULL;
	return p;
}

struct acl_rule *
at_rule(struct acl_netpol *p, enum acl_dir dir)
{
	struct acl_rule **r = dir == ACL_DIR_INGRESS ? &p->ingress : &p->egress;
	uint32_t *n = dir == ACL_DIR_INGRESS ? &p->n_ingress : &p->n_egress;

	*r = xgrow(*r, *n, sizeof(**r));
	return &(*r)[(*n)++];
}

static struct acl_peer *
peer_new(struct acl_rule *r)
{
	r->peers = xgrow(r->peers, r->n_peers, sizeof(*r->peers));
	return &r->peers[r->n_peers++];
}

void
at_peer_pod(struct acl_rule *r, const char *pod_sel)
{
	struct acl_peer *p = peer_new(r);

	p->has_pod_sel = true;
	at_selector(&p->pod_sel, pod_sel);
}

void
at_peer_ns(struct acl_rule *r, const char *ns_sel)
{
	struct acl_peer *p = peer_new(r);

	p->has_ns_sel = true;
	at_selector(&p->ns_sel, ns_sel);
}

void
at_peer_both(struct acl_rule *r, const char *ns_sel, const char *pod_sel)
{
	struct acl_peer *p = peer_new(r);

	p->has_ns_sel = p->has_pod_sel = true;
	at_selector(&p->ns_sel, ns_sel);
	at_selector(&p->pod_sel, pod_sel);
}

void
at_peer_block(struct acl_rule *r, const char *cidr, const char *except)
{
	struct acl_peer *p = peer_new(r);
	char **t;
	uint32_t n, i;

	p->has_ipblock = true;
	at_prefix(&p->ipblock.cidr, cidr);
	n = split_terms(except, &t);
	for (i = 0; i < n; i++) {
		p->ipblock.except = xgrow(p->ipblock.except, p->ipblock.n_except,
			sizeof(*p->ipblock.except));
		at_prefix(&p->ipblock.except[p->ipblock.n_except++], t[i]);
		free(t[i]);
	}
	free(t);
}

static struct acl_port *
port_new(struct acl_rule *r, uint8_t proto)
{
	r->ports = xgrow(r->ports, r->n_ports, sizeof(*r->ports));
	r->ports[r->n_ports].proto = proto;
	return &r->ports[r->n_ports++];
}

void
at_port(struct acl_rule *r, uint8_t proto, uint16_t port, uint16_t end)
{
	struct acl_port *p = port_new(r, proto);

	p->has_port = true;
	p->port = port;
	p->end_port = end;
}

void
at_port_named(struct acl_rule *r, uint8_t proto, const char *name)
{
	struct acl_port *p = port_new(r, proto);

	p->has_port = true;
	p->named_port = xstrdup(name);
}

void
at_port_proto(struct acl_rule *r, uint8_t proto)
{
	port_new(r, proto);
}

char
at_letter(uint32_t verdict)
{
	return verdict == ACL_VERDICT_DENY ? 'D' :
		verdict == ACL_VERDICT_UNISOLATED ? 'U' :
		verdict == ACL_VERDICT_SELF ? 'S' : 'A';
}

struct acl_ruleset *
at_compile(const struct acl_model *m, const struct acl_ruleset *prev)
{
	struct acl_compile_opts o = { .name = "t", .all_local = true,
		.prev = prev };
	struct acl_err err;
	struct acl_ruleset *rs;

	at_eal_init();
	rs = acl_compile(m, &o, &err);
	if (rs == NULL)
		fail_msg("acl_compile: %d %s", err.code, err.msg);
	return rs;
}

static bool
letter_ok(char want, char got)
{
	return want == '*' || want == got;
}

void
at_run(const struct acl_model *m, const struct at_pkt *rows, uint32_t n)
{
	struct acl_ruleset *rs = at_compile(m, NULL);
	struct acl_flow_verdict v;
	struct ref_verdict rv;
	struct acl_flow f;
	uint32_t i;
	char got[3];

	for (i = 0; i < n; i++) {
		memset(&f, 0, sizeof(f));
		at_addr(&f.src, rows[i].src);
		at_addr(&f.dst, rows[i].dst);
		f.proto = rows[i].proto;
		f.sport = 40000;
		f.dport = rows[i].dport;
		assert_int_equal(acl_ruleset_check(rs, &f, &v), 0);
		ref_check(m, &f.src, &f.dst, f.proto, f.dport, true, &rv);
		got[0] = at_letter(v.egress);
		got[1] = at_letter(v.ingress);
		got[2] = '\0';
		if (!letter_ok(rows[i].expect[0], got[0]) ||
				!letter_ok(rows[i].expect[1], got[1]) ||
				!letter_ok(rows[i].expect[0], rv.egress) ||
				!letter_ok(rows[i].expect[1], rv.ingress)) {
			acl_ruleset_free(rs);
			fail_msg("row %u (%s -> %s %u/%u: %s): want %s, compiled %s, reference %c%c",
				i, rows[i].src, rows[i].dst, rows[i].proto,
				rows[i].dport, rows[i].why, rows[i].expect, got,
				rv.egress, rv.ingress);
		}
		if ((at_letter(v.egress) == 'A' &&
				acl_ruleset_origin(rs, v.egress) == NULL) ||
				(at_letter(v.ingress) == 'A' &&
				acl_ruleset_origin(rs, v.ingress) == NULL)) {
			acl_ruleset_free(rs);
			fail_msg("row %u: allow verdict without origin", i);
		}
	}
	acl_ruleset_free(rs);
}
