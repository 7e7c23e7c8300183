/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_ctl_dp.c: the data-path commands (control/ctl_cmds_dp.c: trace,
 * flows, log, policy_stats) against the fake switch (test_ctl_fake_vs.c,
 * test_ctl_fake_vs_dp.c): refused arguments name their field and never
 * reach the switch; good ones arrive as the switch API expects them; the
 * replies carry what the switch said, trace's explanations included.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include <cmocka.h>
#include <jansson.h>

#include "acl_ruleset.h"
#include "ctl_cmds.h"
#include "ctl_store.h"
#include "test_ctl_fake_vs.h"
#include "test_ctl_fake_vs_dp.h"

struct fixture {
	struct vs *vs;
	struct ctl_ctx ctx;
};

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->vs = fake_vs_create();
	assert_non_null(f->vs);
	f->ctx.vs = f->vs;
	memset(&fake_dp, 0, sizeof(fake_dp));
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

static json_t *
run(struct fixture *f, const char *line)
{
	json_t *r = ctl_cmds_handle_line(&f->ctx, line, strlen(line));

	assert_non_null(r);
	return r;
}

static json_t *
run_ok(struct fixture *f, const char *line)
{
	json_t *r = run(f, line);

	if (!json_is_true(json_object_get(r, "ok")))
		fail_msg("%s -> %s", line, json_dumps(r, 0));
	return r;
}

static void
ip4(struct vs_ip *ip, const char *s)
{
	memset(ip, 0, sizeof(*ip));
	ip->family = AF_INET;
	assert_int_equal(inet_pton(AF_INET, s, ip->addr), 1);
}

static const char *
sget(const json_t *o, const char *path)
{
	char buf[128], *save = NULL, *k;
	const json_t *v = o;

	snprintf(buf, sizeof(buf), "%s", path);
	for (k = strtok_r(buf, "/", &save); k != NULL && v != NULL;
			k = strtok_r(NULL, "/", &save))
		v = json_object_get(v, k);
	return json_string_value(v);
}

/* ---- refusals ---- */

struct refusal {
	const char *line;
	const char *where;
};

static void
test_refused(void **state)
{
	static const struct refusal rows[] = {
		{ "{\"cmd\":\"trace\",\"args\":{\"dst\":\"10.0.0.1\",\"dport\":1}}",
			"/args/src" },
		{ "{\"cmd\":\"trace\",\"args\":{\"src\":\"10.0.0.1\",\"dport\":1}}",
			"/args/dst" },
		{ "{\"cmd\":\"trace\",\"args\":{\"src\":\"10.0.0.999\","
			"\"dst\":\"10.0.0.1\",\"dport\":1}}", "/args/src" },
		{ "{\"cmd\":\"trace\",\"args\":{\"src\":\"10.0.0.1\","
			"\"dst\":\"fd00::1\",\"dport\":1}}", "/args/dst" },
		{ "{\"cmd\":\"trace\",\"args\":{\"src\":\"10.0.0.1\","
			"\"dst\":\"10.0.0.2\",\"proto\":\"gre\",\"dport\":1}}",
			"/args/proto" },
		{ "{\"cmd\":\"trace\",\"args\":{\"src\":\"10.0.0.1\","
			"\"dst\":\"10.0.0.2\"}}", "/args/dport" },
		{ "{\"cmd\":\"trace\",\"args\":{\"src\":\"10.0.0.1\","
			"\"dst\":\"10.0.0.2\",\"dport\":65536}}", "/args/dport" },
		{ "{\"cmd\":\"trace\",\"args\":{\"src\":\"10.0.0.1\","
			"\"dst\":\"10.0.0.2\",\"dport\":\"80\"}}", "/args/dport" },
		{ "{\"cmd\":\"trace\",\"args\":{\"src\":\"10.0.0.1\","
			"\"dst\":\"10.0.0.2\",\"dport\":80,\"x\":1}}", "/args/x" },
		{ "{\"cmd\":\"flows\",\"args\":{\"src\":5}}", "/args/src" },
		{ "{\"cmd\":\"flows\",\"args\":{\"limit\":-1}}", "/args/limit" },
		{ "{\"cmd\":\"flows\",\"args\":{\"limit\":100001}}", "/args/limit" },
		{ "{\"cmd\":\"log\",\"args\":{\"after\":1.5}}", "/args/after" },
		{ "{\"cmd\":\"log\",\"args\":{\"limit\":10001}}", "/args/limit" },
		{ "{\"cmd\":\"policy_stats\",\"args\":{\"rules\":true}}",
			"/args/rules" },
	};
	struct fixture *f = *state;
	unsigned int i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		json_t *r = run(f, rows[i].line);
		const char *where = json_string_value(json_object_get(r,
				"where"));

		if (json_is_true(json_object_get(r, "ok")) || where == NULL ||
				strcmp(where, rows[i].where) != 0 ||
				strcmp(sget(r, "code"), "EINVAL") != 0)
			fail_msg("%s -> %s", rows[i].line, json_dumps(r, 0));
		json_decref(r);
	}
	/* Nothing reached the switch. */
	assert_int_equal(fake_dp.last_trace.src.family, 0);
}

/* ---- trace ---- */

static void
test_trace_allowed(void **state)
{
	struct fixture *f = *state;
	struct vs_trace_result *t = &fake_dp.trace;
	json_t *r;

	t->routed = true;
	snprintf(t->out_port, sizeof(t->out_port), "pb");
	t->policy = true;
	t->policy_gen = 4;
	t->egress.pod = t->egress.local = true;
	snprintf(t->egress.ns, sizeof(t->egress.ns), "t");
	snprintf(t->egress.name, sizeof(t->egress.name), "a");
	t->egress.verdict = ACL_VERDICT_UNISOLATED;
	t->egress.allowed = true;
	t->ingress.pod = t->ingress.local = true;
	snprintf(t->ingress.ns, sizeof(t->ingress.ns), "t");
	snprintf(t->ingress.name, sizeof(t->ingress.name), "b");
	t->ingress.group = 2;
	t->ingress.verdict = 7;
	t->ingress.allowed = true;
	t->ingress.has_rule = true;
	snprintf(t->ingress.rule.policy_ns, VS_NS_MAX, "t");
	snprintf(t->ingress.rule.policy_name, VS_POD_MAX, "b-web");
	t->ingress.rule.dir = VS_DIR_INGRESS;
	t->ingress.rule.rule = 1;
	t->ingress.rule.peer = UINT32_MAX;
	t->ingress.rule.port = 0;
	t->allowed = true;
	t->flow = true;
	snprintf(t->flow_state, sizeof(t->flow_state), "ESTABLISHED");

	r = run_ok(f, "{\"cmd\":\"trace\",\"args\":{\"src\":\"10.0.0.2\","
			"\"dst\":\"10.0.0.3\",\"dport\":8080}}");
	/* What the switch got: TCP, an ephemeral source port. */
	assert_int_equal(fake_dp.last_trace.proto, IPPROTO_TCP);
	assert_int_equal(fake_dp.last_trace.dport, 8080);
	assert_int_equal(fake_dp.last_trace.sport, 40000);
	assert_int_equal(fake_dp.last_trace.src.addr[3], 2);
	assert_string_equal(sget(r, "route/port"), "pb");
	assert_string_equal(sget(r, "egress/why"), "not isolated");
	assert_string_equal(sget(r, "egress/endpoint"), "t/a");
	assert_string_equal(sget(r, "ingress/why"),
			"allowed by t/b-web ingress rule 1");
	assert_string_equal(sget(r, "ingress/rule/policy"), "t/b-web");
	assert_true(json_is_null(json_object_get(json_object_get(
			json_object_get(r, "ingress"), "rule"), "peer")));
	assert_true(json_is_true(json_object_get(r, "allowed")));
	assert_string_equal(sget(r, "flow/state"), "ESTABLISHED");
	json_decref(r);
}

static void
test_trace_denied(void **state)
{
	struct fixture *f = *state;
	struct vs_trace_result *t = &fake_dp.trace;
	json_t *r;

	t->egress.pod = false;          /* an outside host */
	t->egress.verdict = ACL_VERDICT_UNISOLATED;
	t->egress.allowed = true;
	t->ingress.pod = t->ingress.local = true;
	snprintf(t->ingress.ns, sizeof(t->ingress.ns), "t");
	snprintf(t->ingress.name, sizeof(t->ingress.name), "b");
	t->ingress.group = 1;
	t->ingress.verdict = ACL_VERDICT_DENY;
	r = run_ok(f, "{\"cmd\":\"trace\",\"args\":{\"src\":\"192.0.2.1\","
			"\"dst\":\"10.0.0.3\",\"proto\":\"icmp\",\"sport\":9}}");
	assert_int_equal(fake_dp.last_trace.proto, IPPROTO_ICMP);
	assert_int_equal(fake_dp.last_trace.sport, 9);
	assert_string_equal(sget(r, "egress/why"),
			"not a pod of this cluster: no policy");
	/* No stored objects: the policies cannot be named. */
	assert_string_equal(sget(r, "ingress/why"),
			"denied: no rule of the policies selecting it allows");
	assert_true(json_is_false(json_object_get(r, "allowed")));
	assert_true(json_is_false(json_object_get(json_object_get(r, "flow"),
			"exists")));
	json_decref(r);
}

/* ---- flows, log, policy_stats ---- */

static void
test_flows(void **state)
{
	struct fixture *f = *state;
	struct vs_flow_info *fl = &fake_dp.flows[0];
	json_t *r, *a;

	ip4(&fl->src, "10.0.0.2");
	ip4(&fl->dst, "10.0.0.3");
	fl->sport = 1234;
	fl->dport = 80;
	fl->proto = IPPROTO_TCP;
	snprintf(fl->state, sizeof(fl->state), "SYN_SENT");
	fl->packets[0] = 3;
	fl->packets[1] = 2;
	snprintf(fl->in_port, sizeof(fl->in_port), "pa");
	fake_dp.flows[1] = *fl;
	fake_dp.n_flows = 2;

	r = run_ok(f, "{\"cmd\":\"flows\",\"args\":{\"src\":\"10.0.0.2\","
			"\"proto\":\"tcp\",\"limit\":1}}");
	assert_int_equal(fake_dp.last_filter.proto, IPPROTO_TCP);
	assert_int_equal(fake_dp.last_filter.src.family, AF_INET);
	assert_int_equal(fake_dp.last_filter.dst.family, 0);
	a = json_object_get(r, "flows");
	assert_int_equal(json_array_size(a), 1);
	assert_string_equal(sget(json_array_get(a, 0), "state"), "SYN_SENT");
	assert_string_equal(sget(json_array_get(a, 0), "src"), "10.0.0.2");
	assert_int_equal(json_integer_value(json_array_get(json_object_get(
			json_array_get(a, 0), "packets"), 1)), 2);
	assert_int_equal(json_integer_value(json_object_get(r, "count")), 2);
	assert_true(json_is_true(json_object_get(r, "truncated")));
	json_decref(r);
}

static void
test_log(void **state)
{
	struct fixture *f = *state;
	json_t *r, *a;
	uint32_t i;

	for (i = 0; i < 3; i++) {
		struct vs_deny_entry *e = &fake_dp.log[i];

		e->seq = 10 + i;
		e->time_ms = 1000;
		ip4(&e->src, "10.0.0.4");
		ip4(&e->dst, "10.0.0.3");
		e->sport = (uint16_t)(100 + i);
		e->dport = 53;
		e->proto = IPPROTO_UDP;
		e->reason = VS_DROP_POLICY_DENIED;
		e->dir = 2;
		snprintf(e->port, sizeof(e->port), "pc");
		snprintf(e->ep, sizeof(e->ep), "t/b");
	}
	fake_dp.n_log = 3;
	r = run_ok(f, "{\"cmd\":\"log\",\"args\":{\"after\":10}}");
	assert_int_equal(fake_dp.last_after, 10);
	a = json_object_get(r, "entries");
	assert_int_equal(json_array_size(a), 2);
	assert_string_equal(sget(json_array_get(a, 0), "reason"),
			"policy_denied");
	assert_string_equal(sget(json_array_get(a, 0), "side"), "ingress");
	assert_string_equal(sget(json_array_get(a, 0), "endpoint"), "t/b");
	assert_string_equal(sget(json_array_get(a, 0), "time"),
			"1970-01-01T00:00:01.000Z");
	assert_int_equal(json_integer_value(json_object_get(r, "last_seq")), 12);
	json_decref(r);
	r = run_ok(f, "{\"cmd\":\"log\",\"args\":{\"after\":12}}");
	assert_int_equal(json_array_size(json_object_get(r, "entries")), 0);
	assert_int_equal(json_integer_value(json_object_get(r, "last_seq")), 12);
	json_decref(r);
}

static void
test_policy_stats(void **state)
{
	struct fixture *f = *state;
	json_t *r, *a;

	snprintf(fake_dp.rules[0].rule.policy_ns, VS_NS_MAX, "t");
	snprintf(fake_dp.rules[0].rule.policy_name, VS_POD_MAX, "b-web");
	fake_dp.rules[0].rule.dir = VS_DIR_EGRESS;
	fake_dp.rules[0].rule.port = UINT32_MAX;
	fake_dp.rules[0].packets = 42;
	fake_dp.n_rules = 1;
	snprintf(fake_dp.denies[0].ns, VS_NS_MAX, "t");
	snprintf(fake_dp.denies[0].name, VS_POD_MAX, "b");
	fake_dp.denies[0].dir = VS_DIR_INGRESS;
	fake_dp.denies[0].packets = 5;
	fake_dp.n_denies = 1;
	fake_dp.ct.count = 3;
	fake_dp.ct.max = 16;
	r = run_ok(f, "{\"cmd\":\"policy_stats\"}");
	a = json_object_get(r, "rules");
	assert_int_equal(json_array_size(a), 1);
	assert_string_equal(sget(json_array_get(a, 0), "policy"), "t/b-web");
	assert_string_equal(sget(json_array_get(a, 0), "direction"), "egress");
	assert_true(json_is_null(json_object_get(json_array_get(a, 0), "port")));
	assert_int_equal(json_integer_value(json_object_get(json_array_get(a, 0),
			"packets")), 42);
	a = json_object_get(r, "denied");
	assert_string_equal(sget(json_array_get(a, 0), "endpoint"), "t/b");
	assert_int_equal(json_integer_value(json_object_get(json_object_get(r,
			"conntrack"), "max")), 16);
	json_decref(r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_trace_allowed, setup,
				teardown),
		cmocka_unit_test_setup_teardown(test_trace_denied, setup,
				teardown),
		cmocka_unit_test_setup_teardown(test_flows, setup, teardown),
		cmocka_unit_test_setup_teardown(test_log, setup, teardown),
		cmocka_unit_test_setup_teardown(test_policy_stats, setup,
				teardown),
	};

	return cmocka_run_group_tests_name("ctl_dp", tests, NULL, NULL);
}
