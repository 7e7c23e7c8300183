/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_acl_alg.c: acl_alg_choose() (acl/acl_alg.c). Auto returns a method
 * this CPU supports and a time for every supported method; a configured
 * method this CPU lacks is refused; names round-trip. No timing
 * thresholds: the machine is shared.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "acl_test.h"

/* Out of range first. */
static void
test_alg_invalid(void **state)
{
	static const int bad[] = { -1, ACL_ALG_NUM, 1000 };
	struct acl_alg_report r;
	unsigned int i;
	int alg = -1;

	(void)state;
	at_eal_init();
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(acl_alg_choose(bad[i], &r), -EINVAL);
	assert_null(acl_alg_name(-1));
	assert_null(acl_alg_name(ACL_ALG_NUM));
	assert_int_equal(acl_alg_from_name("avx3", &alg), -EINVAL);
	assert_int_equal(acl_alg_from_name("", &alg), -EINVAL);
	assert_int_equal(alg, -1);
}

/* Every name parses back to its value; auto is 0. */
static void
test_alg_names(void **state)
{
	int a, back;

	(void)state;
	assert_int_equal(acl_alg_from_name("auto", &back), 0);
	assert_int_equal(back, ACL_ALG_AUTO);
	for (a = 0; a < ACL_ALG_NUM; a++) {
		assert_non_null(acl_alg_name(a));
		assert_int_equal(acl_alg_from_name(acl_alg_name(a), &back), 0);
		assert_int_equal(back, a);
	}
}

/* Auto: a supported choice, a time for each supported method and none
 * for the others, the choice the fastest; then configured methods. */
static void
test_alg_auto(void **state)
{
	struct acl_alg_report r, c;
	int a, n_sup = 0, n_unsup = 0;

	(void)state;
	at_eal_init();
	assert_int_equal(acl_alg_choose(ACL_ALG_AUTO, &r), 0);
	assert_true(r.measured);
	assert_int_equal(r.wanted, ACL_ALG_AUTO);
	assert_true(r.chosen > 0 && r.chosen < ACL_ALG_NUM);
	assert_true(r.supported[r.chosen]);
	assert_false(r.supported[0]);
	for (a = 1; a < ACL_ALG_NUM; a++) {
		if (r.supported[a]) {
			n_sup++;
			assert_true(r.ns_per_key[a] > 0);
			assert_true(r.ns_per_key[r.chosen] <= r.ns_per_key[a]);
		} else {
			n_unsup++;
			assert_true(r.ns_per_key[a] == 0);
		}
	}
	assert_true(n_sup >= 1);
	/* neon and altivec cannot both exist on one CPU */
	assert_true(n_unsup >= 1);

	for (a = 1; a < ACL_ALG_NUM; a++) {
		memset(&c, 0xff, sizeof(c));
		if (!r.supported[a]) {
			assert_int_equal(acl_alg_choose(a, &c), -ENOTSUP);
			continue;
		}
		assert_int_equal(acl_alg_choose(a, &c), 0);
		assert_int_equal(c.chosen, a);
		assert_false(c.measured);
	}
}

/* The chosen method compiles and classifies as the default does. */
static void
test_alg_compile(void **state)
{
	struct acl_compile_opts o = { .name = "alg" };
	struct acl_flow f = { .proto = 6, .sport = 1234, .dport = 80 };
	struct acl_flow_verdict v1, v2;
	struct acl_ruleset *rs1, *rs2;
	struct acl_alg_report r;
	struct acl_model *m = at_model();
	struct acl_netpol *p;
	struct acl_rule *rule;
	struct acl_err err;

	(void)state;
	at_eal_init();
	at_pod(m, "ns", "a", "app=a", "10.0.0.1", "", true);
	at_pod(m, "ns", "b", "app=b", "10.0.0.2", "", true);
	p = at_pol(m, "ns", "p", "app=a", "Ingress");
	rule = at_rule(p, ACL_DIR_INGRESS);
	at_peer_pod(rule, "app=b");
	at_port(rule, 6, 80, 0);
	assert_int_equal(acl_alg_choose(ACL_ALG_AUTO, &r), 0);
	rs1 = acl_compile(m, &o, &err);
	o.classify_alg = r.chosen;
	rs2 = acl_compile(m, &o, &err);
	assert_non_null(rs1);
	assert_non_null(rs2);
	at_addr(&f.src, "10.0.0.2");
	at_addr(&f.dst, "10.0.0.1");
	assert_int_equal(acl_ruleset_check(rs1, &f, &v1), 0);
	assert_int_equal(acl_ruleset_check(rs2, &f, &v2), 0);
	assert_true(v2.allowed);
	assert_int_equal(v1.ingress, v2.ingress);
	f.dport = 81;
	assert_int_equal(acl_ruleset_check(rs2, &f, &v2), 0);
	assert_false(v2.allowed);
	acl_ruleset_free(rs1);
	acl_ruleset_free(rs2);
	acl_model_free(m);
}

int
test_acl_alg_run(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_alg_invalid),
		cmocka_unit_test(test_alg_names),
		cmocka_unit_test(test_alg_auto),
		cmocka_unit_test(test_alg_compile),
	};

	return cmocka_run_group_tests_name("acl_alg", tests, NULL, NULL);
}
