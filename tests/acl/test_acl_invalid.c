/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_acl_invalid.c: bad input fails gracefully. acl_compile() refuses a
 * bad model whole (NULL, -EINVAL in err with a message naming the object
 * and field); the read functions refuse NULL and unknown arguments.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <rte_errno.h>

#include "acl_fields.h"
#include "acl_test.h"

static struct acl_model *
small(void)
{
	struct acl_model *m = at_model();
	struct acl_netpol *p;
	struct acl_rule *r;

	at_pod(m, "ns", "a", "app=a", "10.0.0.1", "http/TCP/80", true);
	at_pod(m, "ns", "b", "app=b", "10.0.0.2", "", true);
	p = at_pol(m, "ns", "p", "app=a", "Ingress");
	r = at_rule(p, ACL_DIR_INGRESS);
	at_peer_block(r, "10.0.0.0/8", "10.1.0.0/16");
	at_port(r, TCP, 80, 0);
	return m;
}

/* Breakers: each damages a valid model in one way. */
static struct acl_peer *
peer0(struct acl_model *m)
{
	return &m->policies[0].ingress[0].peers[0];
}

static void bad_family(struct acl_model *m) { peer0(m)->ipblock.cidr.family = 7; }
static void bad_len(struct acl_model *m) { peer0(m)->ipblock.cidr.len = 33; }
static void bad_len6(struct acl_model *m)
{
	peer0(m)->ipblock.cidr.family = ACL_AF_INET6;
	peer0(m)->ipblock.cidr.len = 129;
}
static void except_outside(struct acl_model *m)
{
	at_prefix(&peer0(m)->ipblock.except[0], "11.0.0.0/16");
}
static void except_family(struct acl_model *m)
{
	at_prefix(&peer0(m)->ipblock.except[0], "fd00::/16");
}
static void block_and_sel(struct acl_model *m) { peer0(m)->has_pod_sel = true; }
static void empty_peer(struct acl_model *m) { peer0(m)->has_ipblock = false; }
static void bad_proto(struct acl_model *m) { m->policies[0].ingress[0].ports[0].proto = 1; }
static void end_below(struct acl_model *m) { m->policies[0].ingress[0].ports[0].end_port = 79; }
static void port_zero(struct acl_model *m) { m->policies[0].ingress[0].ports[0].port = 0; }
static void in_no_values(struct acl_model *m) { at_pol(m, "ns", "q", "x in ()", "Ingress"); }
static void dup_policy(struct acl_model *m) { at_pol(m, "ns", "p", "", "Ingress"); }
static void dup_addr(struct acl_model *m) { at_pod(m, "ns", "c", "", "10.0.0.1", "", true); }
static void pod_no_ns(struct acl_model *m) { free(m->pods[1].ns); m->pods[1].ns = NULL; }
static void pod_bad_ip(struct acl_model *m) { m->pods[0].ips[0].family = 0; }
static void pol_no_name(struct acl_model *m) { free(m->policies[0].name); m->policies[0].name = NULL; }
static void dup_ns(struct acl_model *m) { at_ns(m, "x", ""); at_ns(m, "x", "a=b"); }
static void missing_arr(struct acl_model *m) { m->policies[0].ingress[0].n_ports = 2; free(m->policies[0].ingress[0].ports); m->policies[0].ingress[0].ports = NULL; }

struct bad_row {
	void (*damage)(struct acl_model *m);
	const char *msg;        /* expected in err.msg */
};

static void
test_bad_models(void **state)
{
	static const struct bad_row rows[] = {
		{ bad_family, "ipBlock.cidr: bad prefix" },
		{ bad_len, "ipBlock.cidr: bad prefix" },
		{ bad_len6, "ipBlock.cidr: bad prefix" },
		{ except_outside, "except[0]: not inside cidr" },
		{ except_family, "except[0]: not inside cidr" },
		{ block_and_sel, "ipBlock with a selector" },
		{ empty_peer, "empty peer" },
		{ bad_proto, "ports[0]: protocol 1" },
		{ end_below, "endPort 79 below port 80" },
		{ port_zero, "port 0" },
		{ in_no_values, "In/NotIn needs values" },
		{ dup_policy, "NetworkPolicy ns/p: defined twice" },
		{ dup_addr, "address 10.0.0.1 also used" },
		{ pod_no_ns, "missing namespace or name" },
		{ pod_bad_ip, "podIPs[0]: bad family" },
		{ pol_no_name, "missing namespace or name" },
		{ dup_ns, "Namespace x: declared twice" },
		{ missing_arr, "missing array" },
	};
	struct acl_compile_opts o = { .name = "bad" };
	struct acl_model *m;
	struct acl_err err;
	uint32_t i;

	(void)state;
	at_eal_init();
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		m = small();
		rows[i].damage(m);
		if (acl_compile(m, &o, &err) != NULL)
			fail_msg("row %u (%s): compiled", i, rows[i].msg);
		assert_int_equal(err.code, -EINVAL);
		assert_int_equal(rte_errno, EINVAL);
		if (strstr(err.msg, rows[i].msg) == NULL)
			fail_msg("row %u: message \"%s\", want \"%s\"", i,
				err.msg, rows[i].msg);
		acl_model_free(m);
	}
	/* The undamaged model compiles: the breakers, not the base, fail. */
	m = small();
	acl_ruleset_free(at_compile(m, NULL));
	acl_model_free(m);
}

/* NULL everywhere; unsupported classify method; NULL err is fine. */
static void
test_null_args(void **state)
{
	struct acl_compile_opts o = { .name = "bad", .classify_alg = 99 };
	struct acl_model *m = small();
	struct acl_ruleset_stats st;
	struct acl_err err;
	uint32_t n = 7;

	(void)state;
	at_eal_init();
	assert_null(acl_compile(NULL, NULL, &err));
	assert_int_equal(err.code, -EINVAL);
	assert_null(acl_compile(NULL, NULL, NULL));
	assert_null(acl_compile(m, &o, &err));
	assert_int_equal(err.code, -EINVAL);
	acl_ruleset_free(NULL);
	assert_null(acl_ruleset_lookup(NULL, NULL));
	assert_null(acl_ruleset_endpoints(NULL, &n));
	assert_int_equal(n, 0);
	assert_null(acl_ruleset_origin(NULL, 1));
	acl_ruleset_get_stats(NULL, &st);
	assert_int_equal(st.n_rules, 0);
	assert_int_equal(acl_classify(NULL, ACL_DIR_INGRESS, ACL_AF_INET, 0,
		NULL, NULL, 0), -EINVAL);
	acl_model_free(m);
}

/* acl_classify refuses unknown groups, directions and families. */
static void
test_classify_args(void **state)
{
	struct acl_model *m = small();
	struct acl_ruleset *rs = at_compile(m, NULL);
	const struct acl_endpoint *e;
	struct acl_flow f = { .proto = TCP, .dport = 80 };
	struct acl_flow_verdict v;
	const uint8_t *kp[1];
	struct acl_key4 k;
	struct acl_addr a;
	uint32_t res[1], g;

	(void)state;
	at_addr(&a, "10.0.0.1");
	e = acl_ruleset_lookup(rs, &a);
	assert_non_null(e);
	g = e->group[ACL_DIR_INGRESS];
	assert_int_not_equal(g, ACL_GROUP_NONE);
	acl_key4_fill(&k, g, 0, TCP, 0, 0, rte_cpu_to_be_16(80));
	kp[0] = (const uint8_t *)&k;
	assert_int_equal(acl_classify(rs, ACL_DIR_INGRESS, ACL_AF_INET, g, kp,
		res, 1), 0);
	assert_int_equal(acl_classify(rs, ACL_DIR_INGRESS, ACL_AF_INET,
		g + 1000, kp, res, 1), -EINVAL);
	assert_int_equal(acl_classify(rs, ACL_DIR_MAX, ACL_AF_INET, g, kp,
		res, 1), -EINVAL);
	assert_int_equal(acl_classify(rs, ACL_DIR_INGRESS, 3, g, kp, res, 1),
		-EINVAL);
	assert_int_equal(acl_classify(rs, ACL_DIR_INGRESS, ACL_AF_INET, g,
		NULL, res, 1), -EINVAL);
	/* Group NONE: unisolated, whatever the keys. */
	assert_int_equal(acl_classify(rs, ACL_DIR_EGRESS, ACL_AF_INET,
		ACL_GROUP_NONE, kp, res, 1), 0);
	assert_int_equal(res[0], ACL_VERDICT_UNISOLATED);
	at_addr(&f.src, "10.0.0.2");
	at_addr(&f.dst, "fd00::1");
	assert_int_equal(acl_ruleset_check(rs, &f, &v), -EINVAL);
	assert_int_equal(acl_ruleset_check(rs, NULL, &v), -EINVAL);
	f.dst.family = 0;
	assert_null(acl_ruleset_lookup(rs, &f.dst));
	acl_ruleset_free(rs);
	acl_model_free(m);
}

int
test_acl_invalid_run(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bad_models),
		cmocka_unit_test(test_null_args),
		cmocka_unit_test(test_classify_args),
	};

	return cmocka_run_group_tests_name("acl_invalid", tests, NULL, NULL);
}
