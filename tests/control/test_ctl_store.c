/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_ctl_store.c: npvsd's object store and the apply, delete and get
 * commands (control/ctl_store*.c, control/ctl_cmds_policy.c) against the
 * fake switch of test_ctl_fake_vs.c, with a real compile (EAL --no-huge).
 *
 * Refusals come as a table (request, errno name, words the message must
 * hold), each checked to leave the store and the live policy untouched.
 * The policy published to the fake switch is checked by classifying flows
 * with acl_ruleset_check(): which pods are local (compiled), where their
 * addresses come from (status.podIPs, else the endpoint), endpoints with no
 * Pod object, remote pods as peers, and the endpoint hooks.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>
#include <rte_eal.h>

#include "acl_ruleset.h"
#include "ctl_cmds.h"
#include "ctl_cmds_policy.h"
#include "ctl_store.h"
#include "test_ctl_fake_vs.h"

/* ---- manifests ---- */

/* Namespaces x (team=a) and z; pods x/a (web, 10.0.0.1, named port http
 * 8080), x/b (db, no status: its endpoint gives 10.0.0.2), z/r (client,
 * another node, 10.0.1.5).
 */
static const char cluster_yaml[] =
	"apiVersion: v1\n"
	"kind: Namespace\n"
	"metadata: {name: x, labels: {team: a}}\n"
	"---\n"
	"apiVersion: v1\n"
	"kind: Namespace\n"
	"metadata: {name: z}\n"
	"---\n"
	"apiVersion: v1\n"
	"kind: Pod\n"
	"metadata: {name: a, namespace: x, labels: {app: web}}\n"
	"spec:\n"
	"  containers:\n"
	"  - name: c\n"
	"    image: i\n"
	"    ports: [{name: http, containerPort: 8080}]\n"
	"status: {podIPs: [{ip: 10.0.0.1}]}\n"
	"---\n"
	"apiVersion: v1\n"
	"kind: Pod\n"
	"metadata: {name: b, namespace: x, labels: {app: db}}\n"
	"spec: {containers: [{name: c, image: i}]}\n"
	"---\n"
	"apiVersion: v1\n"
	"kind: Pod\n"
	"metadata: {name: r, namespace: z, labels: {app: client}}\n"
	"spec: {nodeName: node-other, containers: [{name: c, image: i}]}\n"
	"status: {podIP: 10.0.1.5, podIPs: [{ip: 10.0.1.5}]}\n";

/* x: ingress only from app=client pods (any namespace) on http; app=db
 * only from app=web.
 */
static const char policy_yaml[] =
	"apiVersion: networking.k8s.io/v1\n"
	"kind: NetworkPolicy\n"
	"metadata: {name: web-from-clients, namespace: x}\n"
	"spec:\n"
	"  podSelector: {matchLabels: {app: web}}\n"
	"  ingress:\n"
	"  - from:\n"
	"    - namespaceSelector: {}\n"
	"      podSelector: {matchLabels: {app: client}}\n"
	"    ports: [{port: http}]\n"
	"---\n"
	"apiVersion: networking.k8s.io/v1\n"
	"kind: NetworkPolicy\n"
	"metadata: {name: db-from-web, namespace: x}\n"
	"spec:\n"
	"  podSelector: {matchLabels: {app: db}}\n"
	"  ingress:\n"
	"  - from: [{podSelector: {matchLabels: {app: web}}}]\n";

/* Every pod of z isolated for ingress. */
static const char deny_z_yaml[] =
	"apiVersion: networking.k8s.io/v1\n"
	"kind: NetworkPolicy\n"
	"metadata: {name: deny, namespace: z}\n"
	"spec: {podSelector: {}}\n";

/* ---- fixture ---- */

struct fixture {
	struct vs *vs;
	struct ctl_ctx ctx;
};

/* EAL leaves its (empty, --no-shconf) runtime directory behind. */
static char eal_dir[PATH_MAX];

static void
eal_dir_remove(void)
{
	rmdir(eal_dir);
}

static void
eal_init(void)
{
	static bool done;
	char prefix[64];
	char *argv[] = { "test-ctl-store", "--no-huge", "--no-pci",
		"--no-shconf", "-m", "256", "-l", "0", prefix,
		"--log-level=lib.eal:error", "--log-level=npvs.*:error",
		"--no-telemetry", NULL };

	if (done)
		return;
	snprintf(prefix, sizeof(prefix), "--file-prefix=store-test-%d",
			(int)getpid());
	if (rte_eal_init((int)(sizeof(argv) / sizeof(argv[0])) - 1, argv) < 0)
		fail_msg("rte_eal_init failed");
	snprintf(eal_dir, sizeof(eal_dir), "%s", rte_eal_get_runtime_dir());
	atexit(eal_dir_remove);
	done = true;
}

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	eal_init();
	assert_non_null(f);
	f->vs = fake_vs_create();
	assert_non_null(f->vs);
	f->ctx.vs = f->vs;
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	ctl_store_free(f->ctx.store);
	fake_vs_free(f->vs);
	free(f);
	return 0;
}

/* ---- running commands ---- */

/* Run a handler as ctl_cmds_handle() does; the reply (caller frees). */
static json_t *
run(struct fixture *f, ctl_cmd_fn *fn, json_t *args)
{
	struct ctl_err err = { 0 };
	json_t *reply = json_pack("{s:b}", "ok", 1);
	int rc;

	assert_non_null(args);
	rc = fn(&f->ctx, args, reply, &err);
	json_decref(args);
	if (rc < 0) {
		json_decref(reply);
		assert_int_not_equal(err.code, 0);
		reply = ctl_reply_error(&err);
	}
	assert_non_null(reply);
	return reply;
}

static json_t *
run_ok(struct fixture *f, ctl_cmd_fn *fn, json_t *args)
{
	json_t *r = run(f, fn, args);

	if (!json_is_true(json_object_get(r, "ok")))
		fail_msg("refused: %s", json_dumps(r, 0));
	return r;
}

/* apply of one text; the reply. */
static json_t *
apply(struct fixture *f, const char *source, const char *text)
{
	return run(f, ctl_cmd_apply, json_pack("{s:s, s:s}", "source", source,
			"text", text));
}

static void
apply_ok(struct fixture *f, const char *source, const char *text)
{
	json_t *r = apply(f, source, text);

	if (!json_is_true(json_object_get(r, "ok")))
		fail_msg("apply %s refused: %s", source, json_dumps(r, 0));
	json_decref(r);
}

static void
endpoint(struct fixture *f, const char *ns, const char *name,
		const char *ip)
{
	struct vs_endpoint_spec s;
	char msg[256] = "";

	memset(&s, 0, sizeof(s));
	snprintf(s.ns, sizeof(s.ns), "%s", ns);
	snprintf(s.name, sizeof(s.name), "%s", name);
	snprintf(s.port, sizeof(s.port), "p-%s", name);
	s.ips[0].family = AF_INET;
	assert_int_equal(inet_pton(AF_INET, ip, s.ips[0].addr), 1);
	s.n_ips = 1;
	if (ctl_store_endpoint_add(ctl_cmds_store(&f->ctx), f->vs, &s, msg,
			sizeof(msg)) < 0)
		fail_msg("endpoint %s/%s: %s", ns, name, msg);
}

/* The actions of a reply's "objects", "kind ns/name action;..." */
static void
actions(const json_t *r, char *buf, size_t size)
{
	const json_t *o;
	size_t i, len = 0;

	buf[0] = '\0';
	json_array_foreach(json_object_get(r, "objects"), i, o) {
		const char *ns = json_string_value(json_object_get(o,
				"namespace"));

		len += (size_t)snprintf(buf + len, size - len, "%s %s%s%s %s;",
				json_string_value(json_object_get(o, "kind")),
				ns ? ns : "", ns ? "/" : "",
				json_string_value(json_object_get(o, "name")),
				json_string_value(json_object_get(o,
						"action")));
		assert_true(len < size);
	}
}

/* ---- checking the live policy ---- */

static struct acl_addr
ip4(const char *s)
{
	struct acl_addr a = { .family = ACL_AF_INET };

	assert_int_equal(inet_pton(AF_INET, s, a.addr), 1);
	return a;
}

/* Whether the live policy lets src reach dst on TCP port. */
static bool
allowed(struct fixture *f, const char *src, const char *dst, uint16_t port)
{
	struct acl_flow fl = { .src = ip4(src), .dst = ip4(dst),
		.proto = ACL_PROTO_TCP, .sport = 40000, .dport = port };
	struct acl_flow_verdict v;

	if (f->vs->policy == NULL)
		return true;
	assert_int_equal(acl_ruleset_check(f->vs->policy, &fl, &v), 0);
	return v.allowed;
}

/* Whether an address is a pod compiled as local (its ingress group
 * isolated by some policy), known but not local, or unknown.
 */
enum where { W_UNKNOWN, W_PEER, W_LOCAL };

static enum where
where_is(struct fixture *f, const char *ip)
{
	struct acl_addr a = ip4(ip);
	const struct acl_endpoint *e;

	assert_non_null(f->vs->policy);
	e = acl_ruleset_lookup(f->vs->policy, &a);
	if (e == NULL)
		return W_UNKNOWN;
	return e->group[ACL_DIR_INGRESS] != ACL_GROUP_NONE ? W_LOCAL : W_PEER;
}

/* ---- refusals ---- */

struct bad_case {
	const char *args;       /* apply's args, JSON */
	const char *code;
	const char *words;      /* must be in the message */
};

#define POD_OK "apiVersion: v1\\nkind: Pod\\nmetadata: {name: ok, " \
	"namespace: x}\\nspec: {containers: [{name: c, image: i}]}\\n"

static const struct bad_case bad_cases[] = {
	/* a bad object after a good one: the file is refused whole */
	{ "{\"source\":\"two.yaml\",\"text\":\"" POD_OK "---\\napiVersion: "
	  "networking.k8s.io/v1\\nkind: NetworkPolicy\\nmetadata: {name: p, "
	  "namespace: x}\\nspec:\\n  podSelector: {}\\n  ingress:\\n  - "
	  "ports: [{port: 99999}]\\n\"}", "EINVAL",
	  "two.yaml:12:14: NetworkPolicy x/p: /spec/ingress/0/ports/0/port" },
	/* the second file of one request: the first is not kept either */
	{ "{\"documents\":[{\"source\":\"a.yaml\",\"text\":\"" POD_OK "\"},"
	  "{\"source\":\"b.yaml\",\"text\":\"kind: Pod\\napiVersion: v1\\n"
	  "metadata: {name: B}\\n\"}]}", "EINVAL", "b.yaml:3:" },
	{ "{\"source\":\"syn.yaml\",\"text\":\"a: [\\n\"}", "EINVAL",
	  "syn.yaml:" },
	{ "{\"source\":\"e.yaml\",\"text\":\"\"}", "EINVAL",
	  "no objects passed to apply" },
	{ "{\"source\":\"c.yaml\",\"text\":\"# nothing\\n---\\n\"}", "EINVAL",
	  "no objects" },
	/* the request itself */
	{ "{}", "EINVAL", "'text'" },
	{ "{\"text\":5}", "EINVAL", "'text' must be a string" },
	{ "{\"text\":\"x\",\"documents\":[]}", "EINVAL", "either" },
	{ "{\"documents\":[]}", "EINVAL", "array of 1 to" },
	{ "{\"documents\":{}}", "EINVAL", "array of 1 to" },
	{ "{\"documents\":[5]}", "EINVAL", "{source, text}" },
	{ "{\"documents\":[{\"source\":\"a\"}]}", "EINVAL", "'text'" },
	{ "{\"documents\":[{\"text\":\"\",\"x\":1}]}", "EINVAL",
	  "only 'source' and 'text'" },
	{ "{\"source\":\"a\\nb\",\"text\":\"\"}", "EINVAL", "printable" },
	{ "{\"source\":\"\",\"text\":\"\"}", "EINVAL", "'source'" },
	{ "{\"text\":\"\",\"dry_run\":1}", "EINVAL", "'dry_run'" },
	{ "{\"text\":\"\",\"force\":true}", "EINVAL", "unknown argument" },
};

static void
test_apply_refused(void **state)
{
	struct fixture *f = *state;
	size_t i;

	apply_ok(f, "cluster.yaml", cluster_yaml);
	apply_ok(f, "policy.yaml", policy_yaml);
	for (i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		const struct bad_case *c = &bad_cases[i];
		json_t *args = json_loads(c->args, 0, NULL);
		const struct acl_ruleset *live = f->vs->policy;
		uint32_t n_objs = ctl_store_set(f->ctx.store)->n_objs;
		unsigned int n_pub = f->vs->n_publish;
		json_t *r;
		const char *code, *msg;

		if (args == NULL)
			fail_msg("case %zu: bad JSON", i);
		r = run(f, ctl_cmd_apply, args);
		code = json_string_value(json_object_get(r, "code"));
		msg = json_string_value(json_object_get(r, "error"));
		if (code == NULL || strcmp(code, c->code) != 0 || msg == NULL ||
				strstr(msg, c->words) == NULL)
			fail_msg("case %zu: want %s '%s', got %s", i, c->code,
					c->words, json_dumps(r, 0));
		json_decref(r);
		assert_int_equal(ctl_store_set(f->ctx.store)->n_objs, n_objs);
		assert_int_equal(f->vs->n_publish, n_pub);
		assert_ptr_equal(f->vs->policy, live);
		assert_null(manifest_set_find(ctl_store_set(f->ctx.store),
				MANIFEST_POD, "x", "ok"));
	}
}

/* ---- timing of apply and delete (docs/api.md "timing") ---- */

/* A request line through ctl_cmds_handle_line(), as npvsd runs it. */
static json_t *
handle_line(struct fixture *f, json_t *req)
{
	char *line = json_dumps(req, JSON_COMPACT);
	json_t *r;

	assert_non_null(line);
	json_decref(req);
	r = ctl_cmds_handle_line(&f->ctx, line, strlen(line));
	free(line);
	assert_true(json_is_true(json_object_get(r, "ok")));
	return r;
}

static double
num(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);

	if (!json_is_number(v))
		fail_msg("timing: no number %s", key);
	assert_true(json_number_value(v) >= 0);
	return json_number_value(v);
}

/*
 * The phases up to the publish follow each other without a gap from the
 * request's arrival: they add up to active_us; acl_compile's steps fit
 * in compile_us. compiled: whether a compile ran (its steps are listed).
 */
static void
check_timing(const json_t *r, bool compiled)
{
	static const char *const phases[] = { "request_us", "load_us",
		"diff_us", "convert_us", "endpoints_us", "view_us", "compile_us",
		"cleanup_us", "publish_us" };
	static const char *const some_steps[] = { "check", "identities",
		"policies", "targets", "rules", "buckets" };
	const json_t *t = json_object_get(r, "timing");
	const json_t *steps = json_object_get(t, "compile_steps");
	const json_t *v;
	const char *k;
	double sum = 0, ssum = 0, active;
	unsigned int i;

	assert_true(json_is_object(t));
	active = num(t, "active_us");
	for (i = 0; i < sizeof(phases) / sizeof(phases[0]); i++)
		sum += num(t, phases[i]);
	(void)num(t, "commit_us");
	assert_true(num(t, "request_us") > 0);  /* arrival known */
	assert_true(active > 0);
	assert_true(sum <= active + 0.01 && sum >= active - 0.01);
	/* one thread's CPU time fits in the wall time from the call's start
	 * (a few us of slack: the clocks are read one after the other) */
	assert_true(num(t, "active_cpu_us") > 0);
	assert_true(num(t, "active_cpu_us") <= active - num(t, "request_us") +
			5);
	/* active_us of the reply's top level is the same figure */
	assert_int_equal(json_integer_value(json_object_get(r, "active_us")),
			(json_int_t)(active + 1e-6));
	assert_true(json_is_object(steps));
	if (!compiled) {
		assert_int_equal(json_object_size(steps), 0);
		assert_true(num(t, "compile_us") == 0);
		return;
	}
	for (i = 0; i < sizeof(some_steps) / sizeof(some_steps[0]); i++)
		(void)num(steps, some_steps[i]);
	json_object_foreach((json_t *)steps, k, v)
		ssum += num(steps, k);
	assert_true(ssum > 0);
	assert_true(ssum <= num(t, "compile_us") + 0.01);
}

static void
test_apply_timing(void **state)
{
	static const char changed[] =
		"apiVersion: networking.k8s.io/v1\n"
		"kind: NetworkPolicy\n"
		"metadata: {name: db-from-web, namespace: x}\n"
		"spec:\n"
		"  podSelector: {matchLabels: {app: db}}\n"
		"  ingress:\n"
		"  - from: [{podSelector: {matchLabels: {app: web}}}]\n"
		"    ports: [{port: 5432}]\n";
	struct fixture *f = *state;
	json_t *r;

	apply_ok(f, "cluster.yaml", cluster_yaml);
	r = handle_line(f, json_pack("{s:s, s:{s:s, s:s}}", "cmd", "apply",
			"args", "source", "policy.yaml", "text", policy_yaml));
	check_timing(r, true);
	json_decref(r);
	/* one policy changed: compiled against the live one */
	r = handle_line(f, json_pack("{s:s, s:{s:s, s:s}}", "cmd", "apply",
			"args", "source", "changed.yaml", "text", changed));
	assert_true(json_is_true(json_object_get(r, "published")));
	check_timing(r, true);
	json_decref(r);
	/* unchanged: nothing compiled, the phases still add up */
	r = handle_line(f, json_pack("{s:s, s:{s:s, s:s}}", "cmd", "apply",
			"args", "source", "changed.yaml", "text", changed));
	assert_true(json_is_false(json_object_get(r, "published")));
	check_timing(r, false);
	json_decref(r);
	/* delete has the same object */
	r = handle_line(f, json_pack("{s:s, s:{s:[{s:s, s:s, s:s}]}}", "cmd",
			"delete", "args", "objects", "kind", "networkpolicy",
			"namespace", "x", "name", "db-from-web"));
	assert_true(json_is_true(json_object_get(r, "published")));
	check_timing(r, true);
	json_decref(r);
}

/* ---- apply: created, configured, unchanged ---- */

static void
test_apply_actions(void **state)
{
	static const char relabel[] =
		"apiVersion: v1\nkind: Namespace\n"
		"metadata: {name: z, labels: {team: b}}\n";
	static const char node[] =
		"apiVersion: v1\nkind: Node\nmetadata: {name: node-other}\n";
	struct fixture *f = *state;
	char buf[1024];
	json_t *r, *req;

	r = apply(f, "cluster.yaml", cluster_yaml);
	actions(r, buf, sizeof(buf));
	assert_string_equal(buf, "Namespace x created;Namespace z created;"
			"Pod x/a created;Pod x/b created;Pod z/r created;");
	/* no policy yet: nothing to compile, nothing published */
	assert_true(json_is_false(json_object_get(r, "published")));
	assert_int_equal(f->vs->n_publish, 0);
	json_decref(r);

	/* through the command table, as npvsd runs it */
	r = json_pack("{s:s, s:{s:s, s:s}}", "cmd", "apply", "args", "source",
			"policy.yaml", "text", policy_yaml);
	assert_non_null(r);
	req = r;
	r = ctl_cmds_handle(&f->ctx, req);
	json_decref(req);
	assert_true(json_is_true(json_object_get(r, "published")));
	assert_int_equal(json_integer_value(json_object_get(r, "generation")),
			1);
	assert_non_null(json_object_get(r, "active_us"));
	assert_int_equal(json_integer_value(json_object_get(json_object_get(r,
			"policy"), "policies")), 2);
	json_decref(r);
	assert_int_equal(f->vs->n_publish, 1);

	/* the same again: unchanged, no new policy */
	r = apply(f, "cluster.yaml", cluster_yaml);
	actions(r, buf, sizeof(buf));
	assert_string_equal(buf, "Namespace x unchanged;Namespace z unchanged;"
			"Pod x/a unchanged;Pod x/b unchanged;Pod z/r unchanged;");
	assert_true(json_is_false(json_object_get(r, "published")));
	json_decref(r);
	assert_int_equal(f->vs->n_publish, 1);

	r = apply(f, "relabel.yaml", relabel);
	actions(r, buf, sizeof(buf));
	assert_string_equal(buf, "Namespace z configured;");
	assert_true(json_is_true(json_object_get(r, "published")));
	json_decref(r);
	assert_int_equal(f->vs->n_publish, 2);

	/* a Node is kept, with no new policy */
	r = apply(f, "node.yaml", node);
	actions(r, buf, sizeof(buf));
	assert_string_equal(buf, "Node node-other created;");
	assert_true(json_is_false(json_object_get(r, "published")));
	json_decref(r);
	assert_non_null(manifest_set_find(ctl_store_set(f->ctx.store),
			MANIFEST_NODE, NULL, "node-other"));
}

/* ---- which pods are local, and their addresses ---- */

static void
test_pods_local_and_peers(void **state)
{
	struct fixture *f = *state;

	apply_ok(f, "cluster.yaml", cluster_yaml);
	endpoint(f, "x", "a", "10.0.0.1");
	endpoint(f, "x", "b", "10.0.0.2");     /* no status: endpoint's IP */
	endpoint(f, "z", "c", "10.0.0.3");     /* no Pod object */
	assert_int_equal(f->vs->n_publish, 0); /* no policy yet */
	apply_ok(f, "policy.yaml", policy_yaml);

	assert_int_equal(where_is(f, "10.0.0.1"), W_LOCAL);
	assert_int_equal(where_is(f, "10.0.0.2"), W_LOCAL);
	assert_int_equal(where_is(f, "10.0.1.5"), W_PEER);  /* other node */
	assert_int_equal(where_is(f, "10.0.0.9"), W_UNKNOWN);
	/* x/a: from app=client pods on http (8080) only */
	assert_true(allowed(f, "10.0.1.5", "10.0.0.1", 8080));
	assert_false(allowed(f, "10.0.1.5", "10.0.0.1", 80));
	assert_false(allowed(f, "10.0.0.3", "10.0.0.1", 8080)); /* no labels */
	assert_false(allowed(f, "10.0.0.2", "10.0.0.1", 8080));
	/* x/b (labels from its object, address from its endpoint) */
	assert_true(allowed(f, "10.0.0.1", "10.0.0.2", 5432));
	assert_false(allowed(f, "10.0.0.3", "10.0.0.2", 5432));
	/* z/c: an endpoint with no object is a pod of z with no labels */
	assert_true(allowed(f, "10.0.0.1", "10.0.0.3", 80));
	apply_ok(f, "deny-z.yaml", deny_z_yaml);
	assert_int_equal(where_is(f, "10.0.0.3"), W_LOCAL);
	assert_false(allowed(f, "10.0.0.1", "10.0.0.3", 80));
}

#define EP_ADD_B "{\"cmd\":\"endpoint_add\",\"args\":{\"namespace\":" \
	"\"x\",\"name\":\"b\",\"port\":\"p-b\",\"ips\":[\"10.0.0.2\"]}}"
#define EP_DEL_B "{\"cmd\":\"endpoint_del\",\"args\":{\"namespace\":" \
	"\"x\",\"name\":\"b\"}}"

/* Endpoint hooks: every add and del recompiles; a failed add is undone. */
static void
test_endpoint_hooks(void **state)
{
	struct fixture *f = *state;
	struct vs_endpoint_spec s;
	char msg[256];
	unsigned int n;
	json_t *r;

	apply_ok(f, "cluster.yaml", cluster_yaml);
	apply_ok(f, "policy.yaml", policy_yaml);
	assert_int_equal(where_is(f, "10.0.0.1"), W_PEER);     /* no endpoint */
	n = f->vs->n_publish;
	endpoint(f, "x", "a", "10.0.0.1");
	assert_int_equal(f->vs->n_publish, n + 1);
	assert_int_equal(where_is(f, "10.0.0.1"), W_LOCAL);
	r = ctl_cmds_handle_line(&f->ctx, EP_ADD_B, strlen(EP_ADD_B));
	assert_true(json_is_true(json_object_get(r, "ok")));
	json_decref(r);
	assert_int_equal(f->vs->n_publish, n + 2);
	assert_int_equal(where_is(f, "10.0.0.2"), W_LOCAL);

	/* del (through the command table): x/b's object has no address, so
	 * it is gone from the policy
	 */
	n = f->vs->n_publish;
	json_decref(ctl_cmds_handle_line(&f->ctx, EP_DEL_B, strlen(EP_DEL_B)));
	assert_int_equal(f->vs->n_publish, n + 1);
	assert_int_equal(where_is(f, "10.0.0.2"), W_UNKNOWN);
	assert_int_equal(ctl_store_endpoint_del(f->ctx.store, f->vs, "x", "b"),
			-ENOENT);

	/* an add the switch refuses: the policy without it is back */
	memset(&s, 0, sizeof(s));
	snprintf(s.ns, sizeof(s.ns), "x");
	snprintf(s.name, sizeof(s.name), "b");
	snprintf(s.port, sizeof(s.port), "p-b");
	s.ips[0].family = AF_INET;
	inet_pton(AF_INET, "10.0.0.2", s.ips[0].addr);
	s.n_ips = 1;
	f->vs->fail_next = -ENOSPC;
	assert_int_equal(ctl_store_endpoint_add(f->ctx.store, f->vs, &s, msg,
			sizeof(msg)), -ENOSPC);
	assert_int_equal(f->vs->n_eps, 1);
	assert_int_equal(where_is(f, "10.0.0.2"), W_UNKNOWN);

	/* an address of a remote pod's object: the local pod wins (x/c
	 * has no labels: it is no client of x/a)
	 */
	assert_true(allowed(f, "10.0.1.5", "10.0.0.1", 8080));
	snprintf(s.name, sizeof(s.name), "c");
	inet_pton(AF_INET, "10.0.1.5", s.ips[0].addr);
	assert_int_equal(ctl_store_endpoint_add(f->ctx.store, f->vs, &s, msg,
			sizeof(msg)), 0);
	assert_false(allowed(f, "10.0.1.5", "10.0.0.1", 8080));
}

/* A compile or publish that fails refuses the apply whole. */
static void
test_compile_publish_refused(void **state)
{
	static const char dup_ip[] =
		"apiVersion: v1\nkind: Pod\n"
		"metadata: {name: twin, namespace: z}\n"
		"spec: {containers: [{name: c, image: i}]}\n"
		"status: {podIPs: [{ip: 10.0.1.5}]}\n";
	struct fixture *f = *state;
	const struct acl_ruleset *live;
	json_t *r;

	apply_ok(f, "cluster.yaml", cluster_yaml);
	apply_ok(f, "policy.yaml", policy_yaml);
	live = f->vs->policy;
	r = apply(f, "twin.yaml", dup_ip);
	assert_string_equal(json_string_value(json_object_get(r, "code")),
			"EINVAL");
	assert_non_null(strstr(json_string_value(json_object_get(r, "error")),
			"twin.yaml:1: policy refused: Pod z/twin: address "
			"10.0.1.5 also used by Pod z/r"));
	json_decref(r);
	assert_null(manifest_set_find(ctl_store_set(f->ctx.store),
			MANIFEST_POD, "z", "twin"));
	assert_ptr_equal(f->vs->policy, live);

	f->vs->fail_publish = -ENOMEM;
	r = apply(f, "deny-z.yaml", deny_z_yaml);
	assert_string_equal(json_string_value(json_object_get(r, "code")),
			"ENOMEM");
	json_decref(r);
	assert_null(manifest_set_find(ctl_store_set(f->ctx.store),
			MANIFEST_NETPOL, "z", "deny"));
	assert_ptr_equal(f->vs->policy, live);
	assert_int_equal(ctl_store_generation(f->ctx.store), 1);
}

static void
test_dry_run(void **state)
{
	struct fixture *f = *state;
	json_t *r;

	apply_ok(f, "cluster.yaml", cluster_yaml);
	r = run_ok(f, ctl_cmd_apply, json_pack("{s:s, s:s, s:b}", "source",
			"p.yaml", "text", policy_yaml, "dry_run", 1));
	assert_true(json_is_true(json_object_get(r, "dry_run")));
	assert_true(json_is_false(json_object_get(r, "published")));
	assert_non_null(json_object_get(r, "policy"));   /* it compiled */
	json_decref(r);
	assert_int_equal(f->vs->n_publish, 0);
	assert_null(manifest_set_find(ctl_store_set(f->ctx.store),
			MANIFEST_NETPOL, "x", "db-from-web"));
}

/* ---- delete ---- */

static void
test_delete(void **state)
{
	struct fixture *f = *state;
	char buf[1024];
	json_t *r;

	apply_ok(f, "cluster.yaml", cluster_yaml);
	apply_ok(f, "policy.yaml", policy_yaml);
	apply_ok(f, "deny-z.yaml", deny_z_yaml);
	endpoint(f, "z", "c", "10.0.0.3");
	assert_false(allowed(f, "10.0.0.1", "10.0.0.3", 80));

	/* one missing object refuses the whole delete */
	r = run(f, ctl_cmd_delete, json_pack("{s:[{s:s, s:s, s:s}, "
			"{s:s, s:s, s:s}]}", "objects", "kind", "networkpolicy",
			"namespace", "z", "name", "deny", "kind", "pod",
			"namespace", "z", "name", "nope"));
	assert_string_equal(json_string_value(json_object_get(r, "code")),
			"ENOENT");
	assert_non_null(strstr(json_string_value(json_object_get(r, "error")),
			"Pod z/nope: not found"));
	json_decref(r);
	assert_false(allowed(f, "10.0.0.1", "10.0.0.3", 80));
	r = run(f, ctl_cmd_delete, json_pack("{s:s, s:s}", "source",
			"gone.yaml", "text", "apiVersion: v1\nkind: Pod\n"
			"metadata: {name: gone, namespace: x}\n"
			"spec: {containers: [{name: c, image: i}]}\n"));
	assert_non_null(strstr(json_string_value(json_object_get(r, "error")),
			"gone.yaml:1: Pod x/gone: not found"));
	json_decref(r);

	/* by file: z's policy goes, z/c is open again */
	r = run_ok(f, ctl_cmd_delete, json_pack("{s:s, s:s}", "source",
			"deny-z.yaml", "text", deny_z_yaml));
	actions(r, buf, sizeof(buf));
	assert_string_equal(buf, "NetworkPolicy z/deny deleted;");
	json_decref(r);
	assert_true(allowed(f, "10.0.0.1", "10.0.0.3", 80));

	/* a file naming a Namespace and what is in it: the cascade took
	 * them, they are not missing (dry run: nothing goes)
	 */
	r = run_ok(f, ctl_cmd_delete, json_pack("{s:s, s:s, s:b}", "source",
			"all.yaml", "text", cluster_yaml, "dry_run", 1));
	actions(r, buf, sizeof(buf));
	assert_string_equal(buf, "Namespace x deleted;Pod x/a deleted;"
			"Pod x/b deleted;NetworkPolicy x/web-from-clients deleted;"
			"NetworkPolicy x/db-from-web deleted;Namespace z deleted;"
			"Pod z/r deleted;");
	json_decref(r);
	assert_non_null(manifest_set_find(ctl_store_set(f->ctx.store),
			MANIFEST_POD, "x", "a"));

	/* ignore_not_found */
	json_decref(run_ok(f, ctl_cmd_delete, json_pack("{s:[{s:s, s:s}], "
			"s:b}", "objects", "kind", "Pod", "name", "nope",
			"ignore_not_found", 1)));

	/* a Namespace takes what is in it; the last policy: no ruleset */
	r = run_ok(f, ctl_cmd_delete, json_pack("{s:[{s:s, s:s}]}",
			"objects", "kind", "ns", "name", "x"));
	actions(r, buf, sizeof(buf));
	assert_string_equal(buf, "Namespace x deleted;Pod x/a deleted;"
			"Pod x/b deleted;NetworkPolicy x/web-from-clients deleted;"
			"NetworkPolicy x/db-from-web deleted;");
	json_decref(r);
	assert_null(f->vs->policy);
	assert_int_equal(ctl_store_set(f->ctx.store)->n_objs, 2);

	/* bad requests */
	r = run(f, ctl_cmd_delete, json_pack("{}"));
	assert_string_equal(json_string_value(json_object_get(r, "where")),
			"/args/objects");
	json_decref(r);
	r = run(f, ctl_cmd_delete, json_pack("{s:[{s:s, s:s}]}", "objects",
			"kind", "Service", "name", "s"));
	assert_string_equal(json_string_value(json_object_get(r, "where")),
			"/args/objects/0/kind");
	json_decref(r);
}

/* ---- get ---- */

/* The rows of a get reply, "cell|cell;..." */
static json_t *
get(struct fixture *f, const char *kind, const char *ns, char *buf,
		size_t size)
{
	json_t *args = json_pack("{s:s}", "kind", kind), *r, *row, *c;
	size_t i, j, len = 0;

	if (ns != NULL)
		json_object_set_new(args, "namespace", json_string(ns));
	r = run_ok(f, ctl_cmd_get, args);
	buf[0] = '\0';
	json_array_foreach(json_object_get(r, "rows"), i, row) {
		json_array_foreach(row, j, c)
			len += (size_t)snprintf(buf + len, size - len, "%s%s",
					j ? "|" : "", json_string_value(c));
		len += (size_t)snprintf(buf + len, size - len, ";");
		assert_true(len < size);
	}
	return r;
}

static void
test_get(void **state)
{
	struct fixture *f = *state;
	char buf[2048];
	json_t *r, *it;

	apply_ok(f, "cluster.yaml", cluster_yaml);
	apply_ok(f, "policy.yaml", policy_yaml);
	endpoint(f, "x", "a", "10.0.0.1");
	endpoint(f, "z", "c", "10.0.0.3");

	r = get(f, "namespaces", NULL, buf, sizeof(buf));
	assert_string_equal(buf, "x|team=a;z|<none>;");
	json_decref(r);

	r = get(f, "pods", NULL, buf, sizeof(buf));
	assert_string_equal(buf, "x|a|yes|10.0.0.1|<none>|app=web;"
			"x|b|no|<none>|<none>|app=db;"
			"z|r|no|10.0.1.5|node-other|app=client;"
			"z|c|yes|10.0.0.3|<none>|<no Pod object>;");
	/* items: the stored objects, as applied */
	assert_int_equal(json_array_size(json_object_get(r, "items")), 3);
	it = json_array_get(json_object_get(r, "items"), 0);
	assert_string_equal(json_string_value(json_object_get(json_object_get(
			json_object_get(it, "metadata"), "labels"), "app")),
			"web");
	json_decref(r);

	r = get(f, "po", "z", buf, sizeof(buf));
	assert_string_equal(buf, "z|r|no|10.0.1.5|node-other|app=client;"
			"z|c|yes|10.0.0.3|<none>|<no Pod object>;");
	assert_int_equal(json_array_size(json_object_get(r, "items")), 1);
	json_decref(r);

	r = get(f, "networkpolicies", "x", buf, sizeof(buf));
	assert_string_equal(buf, "x|web-from-clients|app=web|Ingress;"
			"x|db-from-web|app=db|Ingress;");
	json_decref(r);
	r = get(f, "netpol", "z", buf, sizeof(buf));
	assert_string_equal(buf, "");
	json_decref(r);

	r = get(f, "endpoints", NULL, buf, sizeof(buf));
	assert_string_equal(buf, "x|a|p-a|10.0.0.1|object|app=web;"
			"z|c|p-c|10.0.0.3|<none>|<none>;");
	json_decref(r);

	r = run(f, ctl_cmd_get, json_pack("{s:s}", "kind", "services"));
	assert_string_equal(json_string_value(json_object_get(r, "where")),
			"/args/kind");
	json_decref(r);
	r = run(f, ctl_cmd_get, json_pack("{}"));
	assert_string_equal(json_string_value(json_object_get(r, "where")),
			"/args/kind");
	json_decref(r);
}

/* ---- the stored model against a fresh conversion ---- */

/*
 * Random applies, deletes and endpoint changes over a small cluster; after
 * each, the live policy (compiled from the store's incrementally kept
 * model) and a policy compiled from scratch (ctl_store_model(): every
 * stored object converted afresh, the same endpoints) give the same
 * verdict for every pair of known addresses on two ports.
 */
#define R_NS 3
#define R_PODS 8
#define R_POLS 4

static uint32_t r_state = 12345;
static uint32_t r_compiled, r_denied;   /* the comparisons covered these */

static uint32_t
rnd(uint32_t n)
{
	r_state = r_state * 1103515245u + 12345u;
	return (r_state >> 16) % n;
}

static const char *const r_apps[] = { "a", "b", "c" };

static void
r_object(char *buf, size_t size, uint32_t what)
{
	uint32_t i = what % 16;

	if (what < 16)          /* a namespace */
		snprintf(buf, size, "apiVersion: v1\nkind: Namespace\n"
			"metadata: {name: n%u, labels: {team: %s}}\n",
			i % R_NS, r_apps[rnd(2)]);
	else if (what < 32)     /* a pod, its address fixed by its name */
		snprintf(buf, size, "apiVersion: v1\nkind: Pod\n"
			"metadata: {name: p%u, namespace: n%u, labels: "
			"{app: %s}}\nspec: {containers: [{name: c, image: i}]}"
			"\n%s", i % R_PODS, i % R_PODS % R_NS, r_apps[rnd(3)],
			rnd(3) == 0 ? "" : i % R_PODS == 0 ?
			"status: {podIPs: [{ip: 10.1.0.1}]}\n" :
			"status: {podIP: 10.1.0.X}\n");
	else                    /* a policy */
		snprintf(buf, size, "apiVersion: networking.k8s.io/v1\n"
			"kind: NetworkPolicy\nmetadata: {name: q%u, namespace: "
			"n%u}\nspec:\n  podSelector: {matchLabels: {app: %s}}\n"
			"  ingress:\n  - from: [{%s: {matchLabels: {%s: %s}}}]\n"
			"%s%s", i % R_POLS, i % R_POLS % R_NS, r_apps[rnd(3)],
			rnd(2) ? "podSelector" : "namespaceSelector",
			rnd(2) ? "app" : "team", r_apps[rnd(3)],
			rnd(2) ? "    ports: [{port: 80}]\n" : "",
			rnd(3) == 0 ? "  egress: [{to: [{podSelector: {}}]}]\n" :
			"");
	if (what >= 16 && what < 32) {  /* the pod's own address */
		char *x = strstr(buf, "10.1.0.X");

		if (x != NULL)
			snprintf(x, 16, "10.1.0.%u}\n", i % R_PODS + 1);
	}
}

/* Every pair of addresses, ports 80 and 81: ref and live agree. */
static void
r_compare(struct fixture *f, const char *what)
{
	struct acl_model m;
	struct ctl_err err = { 0 };
	struct acl_err aerr = { 0 };
	struct acl_ruleset *ref = NULL;
	char a[16], b[16];
	uint32_t i, j, p;

	assert_int_equal(ctl_store_model(f->ctx.store, f->vs, &m, NULL, &err),
			0);
	if (m.n_policies > 0)
		ref = acl_compile(&m, &(struct acl_compile_opts){ .name = "ref" },
				&aerr);
	assert_true(m.n_policies == 0 || ref != NULL);
	acl_model_clear(&m);
	assert_true((ref == NULL) == (f->vs->policy == NULL));
	for (i = 1; ref != NULL && i <= 2 * R_PODS; i++)
		for (j = 1; j <= 2 * R_PODS; j++)
			for (p = 80; p <= 81 && i != j; p++) {
				struct acl_flow fl = { .proto = ACL_PROTO_TCP,
					.sport = 40000, .dport = (uint16_t)p };
				struct acl_flow_verdict vr, vl;

				snprintf(a, sizeof(a), "10.1.%u.%u", (i - 1) /
					R_PODS, (i - 1) % R_PODS + 1);
				snprintf(b, sizeof(b), "10.1.%u.%u", (j - 1) /
					R_PODS, (j - 1) % R_PODS + 1);
				fl.src = ip4(a);
				fl.dst = ip4(b);
				acl_ruleset_check(ref, &fl, &vr);
				acl_ruleset_check(f->vs->policy, &fl, &vl);
				r_denied += !vr.allowed;
				if (vr.allowed != vl.allowed)
					fail_msg("after %s: %s -> %s:%u ref %d live"
						" %d", what, a, b, p, vr.allowed,
						vl.allowed);
			}
	r_compiled += ref != NULL;
	acl_ruleset_free(ref);
}

static void
test_incremental_matches_fresh(void **state)
{
	struct fixture *f = *state;
	char text[8192], yaml[1024], what[64], ip[16], name[16];
	uint32_t step, k, n, obj;
	json_t *r;

	for (step = 0; step < 150; step++) {
		switch (rnd(4)) {
		case 0: case 1:         /* apply 1 to 4 objects */
			text[0] = '\0';
			for (k = 0, n = 1 + rnd(4); k < n; k++) {
				r_object(yaml, sizeof(yaml), rnd(48));
				strcat(text, "---\n");
				strcat(text, yaml);
			}
			r = apply(f, "r.yaml", text);
			snprintf(what, sizeof(what), "apply %u", step);
			break;
		case 2:                 /* delete one object, if there */
			obj = rnd(48);
			r = run(f, ctl_cmd_delete, json_pack("{s:[{s:s, s:s, "
				"s:s}], s:b}", "objects", "kind", obj < 16 ?
				"ns" : obj < 32 ? "pod" : "netpol", "namespace",
				obj < 16 ? "default" : obj < 32 ? (char[]){ 'n',
				(char)('0' + obj % 16 % R_PODS % R_NS), 0 } :
				(char[]){ 'n', (char)('0' + obj % 16 % R_POLS %
				R_NS), 0 }, "name", obj < 16 ? (char[]){ 'n',
				(char)('0' + obj % 16 % R_NS), 0 } : obj < 32 ?
				(char[]){ 'p', (char)('0' + obj % 16 % R_PODS),
				0 } : (char[]){ 'q', (char)('0' + obj % 16 %
				R_POLS), 0 }, "ignore_not_found", 1));
			snprintf(what, sizeof(what), "delete %u", step);
			break;
		default:                /* attach or detach an endpoint */
			k = rnd(2 * R_PODS);
			snprintf(name, sizeof(name), "p%u", k % R_PODS);
			snprintf(ip, sizeof(ip), "10.1.%u.%u", k / R_PODS,
					k % R_PODS + 1);
			if (k >= R_PODS)        /* no Pod object of that name */
				snprintf(name, sizeof(name), "e%u", k);
			snprintf(what, sizeof(what), "endpoint %s %u", name,
					step);
			if (rnd(2))
				endpoint(f, (char[]){ 'n', (char)('0' + k %
					R_PODS % R_NS), 0 }, name, ip);
			else
				ctl_store_endpoint_del(ctl_cmds_store(&f->ctx),
					f->vs, (char[]){ 'n', (char)('0' + k %
					R_PODS % R_NS), 0 }, name);
			r = NULL;
			break;
		}
		if (r != NULL && !json_is_true(json_object_get(r, "ok")))
			fail_msg("%s refused: %s", what, json_dumps(r, 0));
		json_decref(r);
		r_compare(f, what);
	}
	/* most states had a policy, and it denied something */
	assert_true(r_compiled > 100);
	assert_true(r_denied > 1000);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_apply_refused, setup,
				teardown),
		cmocka_unit_test_setup_teardown(test_apply_timing, setup,
				teardown),
		cmocka_unit_test_setup_teardown(test_apply_actions, setup,
				teardown),
		cmocka_unit_test_setup_teardown(test_pods_local_and_peers,
				setup, teardown),
		cmocka_unit_test_setup_teardown(test_endpoint_hooks, setup,
				teardown),
		cmocka_unit_test_setup_teardown(test_compile_publish_refused,
				setup, teardown),
		cmocka_unit_test_setup_teardown(test_dry_run, setup, teardown),
		cmocka_unit_test_setup_teardown(test_delete, setup, teardown),
		cmocka_unit_test_setup_teardown(test_get, setup, teardown),
		cmocka_unit_test_setup_teardown(test_incremental_matches_fresh,
				setup, teardown),
	};

	return cmocka_run_group_tests_name("ctl_store", tests, NULL, NULL);
}
