/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_manifest_load.c: manifest loading that succeeds: each input form
 * (single YAML document, multi-document, List, JSON object, JSON List,
 * JSON stream, directory, standard input), YAML scalar resolution,
 * anchors, defaulting, the model that comes out, replacement of objects,
 * warnings for kinds npvs keeps or skips, the all-or-nothing rule, and the
 * project's example manifests (copies of ../shared/examples in
 * data/manifest/examples).
 *
 * Expected values come from the manifests' text and the Kubernetes
 * defaulting rules, never from a previous run.
 *
 * argv[1]: the data directory (tests/control/data/manifest).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>
#include <cmocka.h>

#include "ctl_cmds.h"
#include "manifest.h"

static const char *data_dir = "data/manifest";

static char *data_path(const char *rel)
{
	static char buf[4][1024];
	static int k;

	k = (k + 1) % 4;
	snprintf(buf[k], sizeof(buf[k]), "%s/%s", data_dir, rel);
	return buf[k];
}

/* Load text into a fresh set and build the model (all pods local). */
static void load_model(const char *name, const char *text,
		struct manifest_set *s, struct acl_model *m)
{
	struct manifest_model_opts mo = { .all_local = true };
	struct ctl_err err;

	manifest_set_init(s);
	memset(&err, 0, sizeof(err));
	if (manifest_load_buffer(name, text, strlen(text), s, &err) != 0)
		fail_msg("refused: %s", err.msg);
	assert_int_equal(manifest_set_model(s, &mo, m, &err), 0);
}

static void done(struct manifest_set *s, struct acl_model *m)
{
	acl_model_clear(m);
	manifest_set_clear(s);
}

static const char *label(const struct acl_labels *l, const char *key)
{
	for (uint32_t i = 0; i < l->n; i++)
		if (strcmp(l->v[i].key, key) == 0)
			return l->v[i].value;
	return NULL;
}

static void assert_v4(const struct acl_addr *a, const char *s)
{
	uint8_t want[4];

	assert_int_equal(inet_pton(AF_INET, s, want), 1);
	assert_int_equal(a->family, ACL_AF_INET);
	assert_memory_equal(a->addr, want, 4);
}

/* ---- forms ---- */

/* allow-frontend.yaml: one document, the seed paper's section 4. */
static void test_single_document(void **state)
{
	struct manifest_set s;
	struct acl_model m;
	struct ctl_err err;
	struct manifest_model_opts mo = { .all_local = true };
	const struct acl_netpol *np;

	(void)state;
	manifest_set_init(&s);
	assert_int_equal(manifest_load_path(
			data_path("examples/allow-frontend.yaml"), &s, &err), 0);
	assert_int_equal(s.n_objs, 1);
	assert_int_equal(s.objs[0].kind, MANIFEST_NETPOL);
	assert_int_equal(s.objs[0].line, 3);
	assert_string_equal(s.objs[0].source,
			data_path("examples/allow-frontend.yaml"));
	assert_int_equal(manifest_set_model(&s, &mo, &m, &err), 0);
	assert_int_equal(m.n_policies, 1);
	np = &m.policies[0];
	assert_string_equal(np->ns, "default");
	assert_string_equal(np->name, "allow-frontend");
	assert_string_equal(label(&np->pod_sel.match_labels, "role"), "backend");
	assert_true(np->type_ingress);
	assert_false(np->type_egress);
	assert_int_equal(np->n_ingress, 1);
	assert_int_equal(np->ingress[0].n_peers, 1);
	assert_true(np->ingress[0].peers[0].has_ns_sel);
	assert_false(np->ingress[0].peers[0].has_pod_sel);
	assert_false(np->ingress[0].peers[0].has_ipblock);
	assert_string_equal(label(&np->ingress[0].peers[0].ns_sel.match_labels,
			"role"), "frontend");
	assert_int_equal(np->ingress[0].n_ports, 1);
	assert_int_equal(np->ingress[0].ports[0].proto, ACL_PROTO_TCP);
	assert_true(np->ingress[0].ports[0].has_port);
	assert_int_equal(np->ingress[0].ports[0].port, 80);
	assert_int_equal(np->ingress[0].ports[0].end_port, 0);
	assert_null(np->ingress[0].ports[0].named_port);
	done(&s, &m);
}

static const char multi_doc[] =
	"# three objects and an empty document\n"
	"apiVersion: v1\n"
	"kind: Namespace\n"
	"metadata:\n"
	"  name: x\n"
	"  labels: {team: blue}\n"
	"---\n"
	"---\n"
	"# only a comment\n"
	"---\n"
	"apiVersion: v1\n"
	"kind: Pod\n"
	"metadata: {name: a, namespace: x, labels: {app: web}}\n"
	"spec:\n"
	"  containers:\n"
	"  - name: c\n"
	"    ports:\n"
	"    - {name: http, containerPort: 8080}\n"
	"    - {name: dns, containerPort: 53, protocol: UDP}\n"
	"    - {containerPort: 9090}\n"
	"status: {podIP: 10.0.0.1}\n"
	"---\n"
	"apiVersion: networking.k8s.io/v1\n"
	"kind: NetworkPolicy\n"
	"metadata: {name: p, namespace: x}\n"
	"spec:\n"
	"  podSelector: {matchLabels: {app: web}}\n"
	"  ingress:\n"
	"  - from:\n"
	"    - podSelector:\n"
	"        matchExpressions:\n"
	"        - {key: role, operator: NotIn, values: [a, b]}\n"
	"        - {key: tier, operator: DoesNotExist}\n"
	"      namespaceSelector: {}\n"
	"    ports:\n"
	"    - port: http\n"
	"    - {protocol: UDP, port: 5000, endPort: 5010}\n"
	"    - protocol: SCTP\n";

static void test_multi_document(void **state)
{
	struct manifest_set s;
	struct acl_model m;
	const struct acl_rule *r;
	const struct acl_peer *p;

	(void)state;
	load_model("multi.yaml", multi_doc, &s, &m);
	assert_int_equal(s.n_objs, 3);
	assert_int_equal(s.objs[0].line, 2);
	assert_int_equal(s.objs[1].line, 11);
	assert_int_equal(s.objs[2].line, 23);
	assert_int_equal(m.n_namespaces, 1);
	assert_string_equal(label(&m.namespaces[0].labels, "team"), "blue");
	assert_int_equal(m.n_pods, 1);
	/* two named ports; the unnamed one is no named port */
	assert_int_equal(m.pods[0].n_ports, 2);
	assert_string_equal(m.pods[0].ports[0].name, "http");
	assert_int_equal(m.pods[0].ports[0].port, 8080);
	assert_int_equal(m.pods[0].ports[0].proto, ACL_PROTO_TCP);
	assert_string_equal(m.pods[0].ports[1].name, "dns");
	assert_int_equal(m.pods[0].ports[1].proto, ACL_PROTO_UDP);
	assert_int_equal(m.pods[0].n_ips, 1);
	assert_v4(&m.pods[0].ips[0], "10.0.0.1");
	assert_true(m.pods[0].local);
	assert_int_equal(m.n_policies, 1);
	r = &m.policies[0].ingress[0];
	p = &r->peers[0];
	assert_true(p->has_pod_sel && p->has_ns_sel && !p->has_ipblock);
	assert_int_equal(p->ns_sel.match_labels.n, 0);
	assert_int_equal(p->ns_sel.n_exprs, 0);
	assert_int_equal(p->pod_sel.n_exprs, 2);
	assert_string_equal(p->pod_sel.exprs[0].key, "role");
	assert_int_equal(p->pod_sel.exprs[0].op, ACL_SEL_NOT_IN);
	assert_int_equal(p->pod_sel.exprs[0].n_values, 2);
	assert_string_equal(p->pod_sel.exprs[0].values[1], "b");
	assert_int_equal(p->pod_sel.exprs[1].op, ACL_SEL_DOES_NOT_EXIST);
	assert_int_equal(p->pod_sel.exprs[1].n_values, 0);
	assert_int_equal(r->n_ports, 3);
	assert_string_equal(r->ports[0].named_port, "http");
	assert_int_equal(r->ports[0].proto, ACL_PROTO_TCP);
	assert_int_equal(r->ports[1].proto, ACL_PROTO_UDP);
	assert_int_equal(r->ports[1].port, 5000);
	assert_int_equal(r->ports[1].end_port, 5010);
	assert_int_equal(r->ports[2].proto, ACL_PROTO_SCTP);
	assert_false(r->ports[2].has_port);
	done(&s, &m);
}

/* list.yaml: what kubectl get -o yaml prints, server fields and all. */
static void test_list_yaml(void **state)
{
	struct manifest_set s;
	struct acl_model m;
	struct ctl_err err;
	struct manifest_model_opts mo = { .node_name = "node-2" };

	(void)state;
	manifest_set_init(&s);
	assert_int_equal(manifest_load_path(data_path("list.yaml"), &s, &err), 0);
	assert_int_equal(s.n_objs, 2);
	assert_int_equal(s.objs[0].kind, MANIFEST_POD);
	assert_int_equal(s.objs[0].line, 4);
	assert_string_equal(s.objs[0].ns, "prod");
	assert_int_equal(s.objs[1].kind, MANIFEST_NETPOL);
	assert_int_equal(s.objs[1].line, 28);
	assert_int_equal(manifest_set_model(&s, &mo, &m, &err), 0);
	assert_string_equal(m.pods[0].name, "web-0");
	assert_false(m.pods[0].local);     /* on node-1, we are node-2 */
	assert_string_equal(m.pods[0].ports[0].name, "http");
	assert_v4(&m.pods[0].ips[0], "10.2.0.5");
	assert_int_equal(m.pods[0].n_ips, 1);
	assert_string_equal(m.policies[0].ingress[0].ports[0].named_port, "http");
	assert_int_equal(m.policies[0].ingress[0].n_peers, 0);
	done(&s, &m);
}

static void test_list_json(void **state)
{
	struct manifest_set s;
	struct acl_model m;
	struct ctl_err err;
	const struct acl_ipblock *b;

	(void)state;
	manifest_set_init(&s);
	assert_int_equal(manifest_load_path(data_path("list.json"), &s, &err), 0);
	assert_int_equal(s.n_objs, 2);
	assert_int_equal(manifest_set_model(&s, NULL, &m, &err), 0);
	assert_string_equal(label(&m.namespaces[0].labels, "env"), "prod");
	assert_true(m.policies[0].type_ingress);
	assert_true(m.policies[0].type_egress);     /* defaulted: egress rules */
	b = &m.policies[0].egress[0].peers[0].ipblock;
	assert_int_equal(b->cidr.family, ACL_AF_INET);
	assert_int_equal(b->cidr.len, 16);
	assert_int_equal(b->cidr.addr[0], 192);
	assert_int_equal(b->cidr.addr[1], 168);
	assert_int_equal(b->n_except, 1);
	assert_int_equal(b->except[0].len, 24);
	assert_int_equal(b->except[0].addr[2], 1);
	done(&s, &m);
}

/* Several JSON objects one after another, as kubectl accepts them. */
static void test_json_stream(void **state)
{
	static const char text[] =
		"{\"apiVersion\": \"v1\", \"kind\": \"Namespace\", "
		"\"metadata\": {\"name\": \"a\"}}\n"
		"  {\"apiVersion\": \"v1\", \"kind\": \"Namespace\", "
		"\"metadata\": {\"name\": \"b\"}}";
	struct manifest_set s;
	struct ctl_err err;

	(void)state;
	manifest_set_init(&s);
	assert_int_equal(manifest_load_buffer("s.json", text, sizeof(text) - 1,
			&s, &err), 0);
	assert_int_equal(s.n_objs, 2);
	assert_string_equal(s.objs[1].name, "b");
	assert_int_equal(s.objs[1].line, 2);
	manifest_set_clear(&s);
}

/* dir/: sorted, only .yaml/.yml/.json, not recursive. */
static void test_directory(void **state)
{
	struct manifest_set s;
	struct acl_model m;
	struct ctl_err err;

	(void)state;
	manifest_set_init(&s);
	assert_int_equal(manifest_load_path(data_path("dir"), &s, &err), 0);
	assert_int_equal(s.n_objs, 4);
	assert_int_equal(s.objs[0].kind, MANIFEST_NAMESPACE);
	assert_string_equal(s.objs[0].source, data_path("dir/a-namespaces.yaml"));
	assert_string_equal(s.objs[1].name, "a");
	assert_string_equal(s.objs[2].name, "b");
	assert_string_equal(s.objs[2].source, data_path("dir/b-pods.yml"));
	assert_int_equal(s.objs[3].kind, MANIFEST_NETPOL);
	assert_string_equal(s.objs[3].source, data_path("dir/c-policy.json"));
	assert_int_equal(manifest_set_model(&s, NULL, &m, &err), 0);
	/* b is dual-stack */
	assert_int_equal(m.pods[1].n_ips, 2);
	assert_v4(&m.pods[1].ips[0], "10.1.0.2");
	assert_int_equal(m.pods[1].ips[1].family, ACL_AF_INET6);
	assert_int_equal(m.pods[1].ips[1].addr[0], 0xfd);
	assert_int_equal(m.pods[1].ips[1].addr[15], 2);
	/* deny-all: podSelector {} and, defaulted, Ingress only */
	assert_int_equal(m.policies[0].pod_sel.match_labels.n, 0);
	assert_true(m.policies[0].type_ingress);
	assert_false(m.policies[0].type_egress);
	assert_int_equal(m.policies[0].n_ingress, 0);
	done(&s, &m);
}

static void test_stdin(void **state)
{
	struct manifest_set s;
	struct ctl_err err;

	(void)state;
	assert_non_null(freopen(data_path("list.json"), "r", stdin));
	manifest_set_init(&s);
	assert_int_equal(manifest_load_path("-", &s, &err), 0);
	assert_int_equal(s.n_objs, 2);
	assert_string_equal(s.objs[0].source, "<stdin>");
	manifest_set_clear(&s);
}

/* ---- YAML details ---- */

static void test_yaml_scalars(void **state)
{
	static const char text[] =
		"apiVersion: v1\n"
		"kind: Namespace\n"
		"metadata:\n"
		"  name: x\n"
		"  labels: {on: \"yes\", n: '1.0', v: \"010\", e: \"\",\n"
		"    \"on\": q, offset: o, +1234567: i, 'N': s}\n"
		"---\n"
		"apiVersion: networking.k8s.io/v1\n"
		"kind: NetworkPolicy\n"
		"metadata:\n"
		"  name: p\n"
		"spec:\n"
		"  ingress:\n"
		"  - ports:\n"
		"    - port: 0x50\n"           /* 80 */
		"    - port: 0o20\n"           /* 16 */
		"    - port: 1_000\n"          /* 1000 */
		"    - port: 443.0\n"          /* 443 */
		"    - port: !!int \"22\"\n"   /* 22 */
		"    - port: |-\n"
		"        http\n";
	struct manifest_set s;
	struct acl_model m;
	const struct acl_rule *r;
	const struct acl_labels *l;

	(void)state;
	load_model("scalars.yaml", text, &s, &m);
	r = &m.policies[0].ingress[0];
	assert_int_equal(r->n_ports, 6);
	assert_int_equal(r->ports[0].port, 80);
	assert_int_equal(r->ports[1].port, 16);
	assert_int_equal(r->ports[2].port, 1000);
	assert_int_equal(r->ports[3].port, 443);
	assert_int_equal(r->ports[4].port, 22);
	assert_string_equal(r->ports[5].named_port, "http");
	/*
	 * Quoted values stay strings; plain keys `on` and `n` are YAML 1.1
	 * booleans, and reach the API server as "true" and "false".
	 */
	l = &m.namespaces[0].labels;
	assert_int_equal(l->n, 8);
	assert_string_equal(label(l, "true"), "yes");
	assert_string_equal(label(l, "false"), "1.0");
	assert_string_equal(label(l, "v"), "010");
	assert_string_equal(label(l, "e"), "");
	/* A quoted key, a long plain word, a long signed int, quoted N. */
	assert_string_equal(label(l, "on"), "q");
	assert_string_equal(label(l, "offset"), "o");
	assert_string_equal(label(l, "1234567"), "i");
	assert_string_equal(label(l, "N"), "s");
	done(&s, &m);
}

static void test_yaml_anchors(void **state)
{
	static const char text[] =
		"apiVersion: v1\n"
		"kind: Pod\n"
		"metadata:\n"
		"  name: a\n"
		"  labels: &web {app: web, tier: front}\n"
		"spec:\n"
		"  containers: [{name: c}]\n"
		"---\n"
		"apiVersion: networking.k8s.io/v1\n"
		"kind: NetworkPolicy\n"
		"metadata: {name: p}\n"
		"spec:\n"
		"  podSelector:\n"
		"    matchLabels: &sel\n"
		"      app: web\n"
		"  ingress:\n"
		"  - from:\n"
		"    - podSelector:\n"
		"        matchLabels:\n"
		"          <<: *sel\n"
		"          app: api\n"
		"          tier: back\n";
	struct manifest_set s;
	struct acl_model m;
	const struct acl_selector *peer;

	(void)state;
	load_model("anchors.yaml", text, &s, &m);
	assert_string_equal(label(&m.pods[0].labels, "tier"), "front");
	peer = &m.policies[0].ingress[0].peers[0].pod_sel;
	/* explicit keys win over merged ones */
	assert_int_equal(peer->match_labels.n, 2);
	assert_string_equal(label(&peer->match_labels, "app"), "api");
	assert_string_equal(label(&peer->match_labels, "tier"), "back");
	done(&s, &m);
}

/* ---- defaulting ---- */

#define NP_HEAD "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\n"

static void test_defaults(void **state)
{
	static const char text[] =
		NP_HEAD "metadata: {name: none}\n"             /* no spec at all */
		"---\n"
		NP_HEAD "metadata: {name: ingress-only}\n"
		"spec: {egress: []}\n"                        /* no egress rule */
		"---\n"
		NP_HEAD "metadata: {name: both}\n"
		"spec: {egress: [{}]}\n"                      /* one egress rule */
		"---\n"
		NP_HEAD "metadata: {name: egress-only, namespace: prod}\n"
		"spec:\n"
		"  policyTypes: [Egress]\n"
		"  ingress: [{}]\n"
		"---\n"
		NP_HEAD "metadata: {name: null-rule}\n"
		"spec:\n"
		"  ingress:\n"
		"  -\n"                                      /* null: {} in Go */
		"  - ports:\n"
		"    -\n"                                    /* null: TCP, any */
		"---\n"
		"apiVersion: v1\nkind: Pod\nmetadata: {name: p}\n"
		"spec: {containers: [{name: c, ports: [{name: web, "
		"containerPort: 80}]}]}\n";
	struct manifest_set s;
	struct acl_model m;

	(void)state;
	load_model("defaults.yaml", text, &s, &m);
	assert_int_equal(m.n_policies, 5);
	assert_string_equal(m.policies[0].ns, "default");
	assert_true(m.policies[0].type_ingress);
	assert_false(m.policies[0].type_egress);
	assert_true(m.policies[1].type_ingress);
	assert_false(m.policies[1].type_egress);
	assert_true(m.policies[2].type_ingress);
	assert_true(m.policies[2].type_egress);
	assert_int_equal(m.policies[2].n_egress, 1);
	assert_int_equal(m.policies[2].egress[0].n_peers, 0);
	assert_int_equal(m.policies[2].egress[0].n_ports, 0);
	assert_string_equal(m.policies[3].ns, "prod");
	assert_false(m.policies[3].type_ingress);
	assert_true(m.policies[3].type_egress);
	/* null list elements are the zero value, as the API server reads them */
	assert_int_equal(m.policies[4].n_ingress, 2);
	assert_int_equal(m.policies[4].ingress[0].n_peers, 0);
	assert_int_equal(m.policies[4].ingress[0].n_ports, 0);
	assert_int_equal(m.policies[4].ingress[1].n_ports, 1);
	assert_int_equal(m.policies[4].ingress[1].ports[0].proto, ACL_PROTO_TCP);
	assert_false(m.policies[4].ingress[1].ports[0].has_port);
	assert_string_equal(m.pods[0].ns, "default");
	assert_int_equal(m.pods[0].ports[0].proto, ACL_PROTO_TCP);
	assert_int_equal(m.pods[0].n_ips, 0);
	done(&s, &m);
}

/* ---- the set ---- */

static const char ns_x[] = "apiVersion: v1\nkind: Namespace\n"
	"metadata: {name: x, labels: {v: \"1\"}}\n";
static const char ns_x2[] = "apiVersion: v1\nkind: Namespace\n"
	"metadata: {name: x, labels: {v: \"2\"}}\n";

static void test_replace_find_del(void **state)
{
	static const char pod[] = "apiVersion: v1\nkind: Pod\nmetadata:\n"
		"  name: x\n  namespace: x\nspec: {containers: [{name: c}]}\n";
	struct manifest_set s, c;
	struct ctl_err err;
	const struct manifest_obj *o;

	(void)state;
	manifest_set_init(&s);
	assert_int_equal(manifest_load_buffer("1.yaml", ns_x, strlen(ns_x), &s,
			&err), 0);
	assert_int_equal(manifest_load_buffer("2.yaml", pod, strlen(pod), &s,
			&err), 0);
	assert_int_equal(manifest_load_buffer("3.yaml", ns_x2, strlen(ns_x2), &s,
			&err), 0);
	/* the Namespace was replaced in place, the Pod x/x is another object */
	assert_int_equal(s.n_objs, 2);
	o = manifest_set_find(&s, MANIFEST_NAMESPACE, NULL, "x");
	assert_non_null(o);
	assert_string_equal(o->source, "3.yaml");
	assert_ptr_equal(o, &s.objs[0]);
	assert_non_null(manifest_set_find(&s, MANIFEST_POD, "x", "x"));
	assert_null(manifest_set_find(&s, MANIFEST_POD, "default", "x"));
	/* a copy is independent of its source */
	assert_int_equal(manifest_set_copy(&s, &c), 0);
	assert_int_equal(c.n_objs, 2);
	assert_string_equal(c.objs[1].name, "x");
	assert_int_equal(manifest_set_del(&c, MANIFEST_NAMESPACE, NULL, "x"), 0);
	assert_int_equal(c.n_objs, 1);
	assert_int_equal(s.n_objs, 2);
	manifest_set_clear(&c);
	assert_int_equal(manifest_set_del(&s, MANIFEST_POD, "x", "x"), 0);
	assert_int_equal(manifest_set_del(&s, MANIFEST_POD, "x", "x"), -ENOENT);
	assert_int_equal(s.n_objs, 1);
	manifest_set_clear(&s);
	assert_int_equal(s.n_objs, 0);
}

/* One bad object anywhere: nothing of the load is kept. */
static void test_all_or_nothing(void **state)
{
	static const char text[] =
		"apiVersion: v1\nkind: Namespace\nmetadata: {name: yy}\n"
		"---\n"
		"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n"
		"---\n"
		NP_HEAD "metadata: {name: p}\n"
		"spec: {ingress: [{ports: [{port: 80, endPort: 79}]}]}\n";
	struct manifest_set s;
	struct ctl_err err;

	(void)state;
	manifest_set_init(&s);
	assert_int_equal(manifest_load_buffer("x.yaml", ns_x, strlen(ns_x), &s,
			&err), 0);
	assert_int_equal(manifest_load_buffer("bad.yaml", text, strlen(text),
			&s, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "bad.yaml:12:"));
	assert_int_equal(s.n_objs, 1);
	assert_string_equal(s.objs[0].name, "x");
	assert_int_equal(s.n_warnings, 0);     /* not even the ConfigMap's */
	/* a directory with one bad file: nothing from the good files either */
	assert_int_equal(manifest_load_path(data_path("examples"), &s, &err),
			-EINVAL);
	assert_non_null(strstr(err.msg, "cross-cluster-allow.as-printed.yaml"));
	assert_int_equal(s.n_objs, 1);
	assert_int_equal(manifest_load_path(data_path("nonexistent.yaml"), &s,
			&err), -ENOENT);
	assert_int_equal(s.n_objs, 1);
	manifest_set_clear(&s);
}

static void test_warnings(void **state)
{
	static const char text[] =
		"apiVersion: v1\nkind: ConfigMap\n"
		"metadata: {name: cm, namespace: prod}\n"
		"---\n"
		"apiVersion: v1\nkind: Node\nmetadata: {name: node-1}\n"
		"---\n"
		"apiVersion: projectcalico.org/v3\nkind: IPPool\n"
		"metadata: {name: pool}\n";
	struct manifest_set s;
	struct ctl_err err;

	(void)state;
	manifest_set_init(&s);
	assert_int_equal(manifest_load_buffer("w.yaml", text, strlen(text), &s,
			&err), 0);
	/* ConfigMap: skipped; Node: kept and used (tunnels), no warning;
	 * IPPool: kept raw, not enforced yet, with a warning. */
	assert_int_equal(s.n_warnings, 2);
	assert_non_null(strstr(s.warnings[0], "w.yaml:1: ConfigMap prod/cm"));
	assert_non_null(strstr(s.warnings[0], "skipped"));
	assert_non_null(strstr(s.warnings[1], "w.yaml:9: IPPool pool"));
	assert_non_null(strstr(s.warnings[1], "not enforced yet"));
	assert_int_equal(s.n_objs, 2);
	assert_int_equal(s.objs[0].kind, MANIFEST_NODE);
	assert_null(s.objs[0].ns);
	assert_int_equal(s.objs[1].kind, MANIFEST_CALICO);
	manifest_set_clear(&s);
}

/* ---- the project's examples ---- */

static void test_examples(void **state)
{
	static const struct {
		const char *file;
		uint32_t n_objs;
		enum manifest_kind kind;
		const char *kind_name;
	} good[] = {
		{ "advanced-policy.yaml", 1, MANIFEST_NETPOL, "NetworkPolicy" },
		{ "allow-frontend.yaml", 1, MANIFEST_NETPOL, "NetworkPolicy" },
		{ "bgp.yaml", 2, MANIFEST_CALICO, "BGPPeer" },
		{ "cross-cluster-allow.yaml", 1, MANIFEST_CALICO,
		  "GlobalNetworkPolicy" },
		{ "ippool.yaml", 1, MANIFEST_CALICO, "IPPool" },
	};
	struct manifest_set s;
	struct ctl_err err;
	char rel[128];

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		snprintf(rel, sizeof(rel), "examples/%s", good[i].file);
		manifest_set_init(&s);
		memset(&err, 0, sizeof(err));
		if (manifest_load_path(data_path(rel), &s, &err) != 0)
			fail_msg("%s refused: %s", good[i].file, err.msg);
		assert_int_equal(s.n_objs, good[i].n_objs);
		assert_int_equal(s.objs[0].kind, good[i].kind);
		assert_string_equal(s.objs[0].kind_name, good[i].kind_name);
		/* Calico kinds are kept with a warning each */
		assert_int_equal(s.n_warnings,
				good[i].kind == MANIFEST_CALICO ? good[i].n_objs : 0);
		manifest_set_clear(&s);
	}
	manifest_set_init(&s);
	assert_int_equal(manifest_load_path(
			data_path("examples/cross-cluster-allow.as-printed.yaml"), &s,
			&err), -EINVAL);
	print_message("%s\n", err.msg);
	assert_non_null(strstr(err.msg, "cross-cluster-allow.as-printed.yaml:11:1: "
			"GlobalNetworkPolicy cross-cluster-allow: /ingress: "));
	assert_non_null(strstr(err.msg, "ingress (line 11)"));
	assert_non_null(strstr(err.msg, "namespaceSelector (line 15)"));
	assert_string_equal(err.where, "/ingress");
	assert_int_equal(s.n_objs, 0);
	manifest_set_clear(&s);
}

/* The advanced example, converted. */
static void test_advanced_example(void **state)
{
	struct manifest_set s;
	struct acl_model m;
	struct ctl_err err;
	const struct acl_netpol *np;

	(void)state;
	manifest_set_init(&s);
	assert_int_equal(manifest_load_path(
			data_path("examples/advanced-policy.yaml"), &s, &err), 0);
	assert_int_equal(manifest_set_model(&s, NULL, &m, &err), 0);
	np = &m.policies[0];
	assert_true(np->type_ingress && np->type_egress);
	assert_int_equal(np->ingress[0].n_peers, 2);
	assert_true(np->ingress[0].peers[0].has_ns_sel);
	assert_false(np->ingress[0].peers[0].has_pod_sel);
	assert_true(np->ingress[0].peers[1].has_pod_sel);
	assert_false(np->ingress[0].peers[1].has_ns_sel);
	assert_int_equal(np->ingress[0].ports[0].port, 443);
	assert_true(np->egress[0].peers[0].has_ipblock);
	assert_int_equal(np->egress[0].peers[0].ipblock.cidr.len, 24);
	assert_int_equal(np->egress[0].peers[0].ipblock.n_except, 0);
	assert_int_equal(np->egress[0].ports[0].proto, ACL_PROTO_UDP);
	assert_int_equal(np->egress[0].ports[0].port, 8080);
	done(&s, &m);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_single_document),
		cmocka_unit_test(test_multi_document),
		cmocka_unit_test(test_list_yaml),
		cmocka_unit_test(test_list_json),
		cmocka_unit_test(test_json_stream),
		cmocka_unit_test(test_directory),
		cmocka_unit_test(test_stdin),
		cmocka_unit_test(test_yaml_scalars),
		cmocka_unit_test(test_yaml_anchors),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_replace_find_del),
		cmocka_unit_test(test_all_or_nothing),
		cmocka_unit_test(test_warnings),
		cmocka_unit_test(test_examples),
		cmocka_unit_test(test_advanced_example),
	};

	if (argc > 1)
		data_dir = argv[1];
	return cmocka_run_group_tests_name("manifest_load", tests, NULL, NULL);
}
