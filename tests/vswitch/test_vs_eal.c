/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_vs_eal.c: the EAL command line npvsd builds from its config
 * (vswitch/vs_eal.c). No EAL is started.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "vs_priv.h"

/* The argument following flag, or NULL; "" when flag has no value. */
static const char *
arg_after(const struct vs_eal_args *a, const char *flag)
{
	int i;

	for (i = 0; i < a->argc; i++)
		if (strcmp(a->argv[i], flag) == 0)
			return i + 1 < a->argc ? a->argv[i + 1] : "";
	return NULL;
}

static void
build(const struct vs_config *c, struct vs_eal_args *a)
{
	char err[128] = "";

	assert_int_equal(vs_eal_args_build(c, "npvsd", a, err, sizeof(err)), 0);
	assert_string_equal(a->argv[0], "npvsd");
	assert_null(a->argv[a->argc]);
}

static void
test_empty_prefix_refused(void **state)
{
	struct vs_config c;
	struct vs_eal_args a;
	char err[128] = "";

	(void)state;
	vs_config_defaults(&c);
	c.file_prefix[0] = '\0';
	assert_int_equal(vs_eal_args_build(&c, "npvsd", &a, err, sizeof(err)),
			-EINVAL);
	assert_non_null(strstr(err, "file_prefix"));
}

static void
test_defaults(void **state)
{
	struct vs_config c;
	struct vs_eal_args a;

	(void)state;
	vs_config_defaults(&c);
	build(&c, &a);
	assert_string_equal(arg_after(&a, "-l"), "0,1");
	assert_string_equal(arg_after(&a, "--main-lcore"), "0");
	assert_string_equal(arg_after(&a, "--file-prefix"), "npvsd");
	assert_non_null(arg_after(&a, "--in-memory"));
	assert_non_null(arg_after(&a, "--no-pci"));
	assert_null(arg_after(&a, "--no-huge"));
	assert_null(arg_after(&a, "-a"));
	assert_null(arg_after(&a, "-m"));
}

static void
test_no_huge(void **state)
{
	struct vs_config c;
	struct vs_eal_args a;

	(void)state;
	vs_config_defaults(&c);
	c.no_huge = true;
	build(&c, &a);
	assert_non_null(arg_after(&a, "--no-huge"));
	assert_non_null(arg_after(&a, "--no-shconf"));
	/* --in-memory and --no-huge exclude each other in 22.11. */
	assert_null(arg_after(&a, "--in-memory"));
	assert_string_equal(arg_after(&a, "-m"), "512");
	c.mem_mb = 300;
	build(&c, &a);
	assert_string_equal(arg_after(&a, "-m"), "300");
}

static void
test_pci_replaces_no_pci(void **state)
{
	struct vs_config c;
	struct vs_eal_args a;
	int i, n = 0;

	(void)state;
	vs_config_defaults(&c);
	snprintf(c.pci[0], sizeof(c.pci[0]), "0000:00:04.0");
	snprintf(c.pci[1], sizeof(c.pci[1]), "0000:00:05.0");
	c.n_pci = 2;
	build(&c, &a);
	assert_null(arg_after(&a, "--no-pci"));
	for (i = 0; i < a.argc; i++)
		if (strcmp(a.argv[i], "-a") == 0) {
			assert_string_equal(a.argv[i + 1], c.pci[n]);
			n++;
		}
	assert_int_equal(n, 2);
}

static void
test_lcores_and_log_level(void **state)
{
	struct vs_config c;
	struct vs_eal_args a;
	int i;
	bool found = false;

	(void)state;
	vs_config_defaults(&c);
	c.main_lcore = 3;
	c.workers[0] = 5;
	c.workers[1] = 7;
	c.n_workers = 2;
	snprintf(c.log_level, sizeof(c.log_level), "npvs.*:debug");
	build(&c, &a);
	assert_string_equal(arg_after(&a, "-l"), "3,5,7");
	assert_string_equal(arg_after(&a, "--main-lcore"), "3");
	for (i = 0; i < a.argc; i++)
		found |= strcmp(a.argv[i], "--log-level=npvs.*:debug") == 0;
	assert_true(found);
}

static void
test_no_workers_is_main_only(void **state)
{
	struct vs_config c;
	struct vs_eal_args a;

	(void)state;
	vs_config_defaults(&c);
	c.n_workers = 0;
	build(&c, &a);
	assert_string_equal(arg_after(&a, "-l"), "0");
}

/* An lcore map replaces -l with --lcores (two workers on one CPU). */
static void
test_lcore_map(void **state)
{
	struct vs_config c;
	struct vs_eal_args a;

	(void)state;
	vs_config_defaults(&c);
	c.workers[1] = 2;
	c.n_workers = 2;
	snprintf(c.lcore_map, sizeof(c.lcore_map), "0@0,1@1,2@1");
	build(&c, &a);
	assert_string_equal(arg_after(&a, "--lcores"), "0@0,1@1,2@1");
	assert_null(arg_after(&a, "-l"));
	assert_string_equal(arg_after(&a, "--main-lcore"), "0");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty_prefix_refused),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_no_huge),
		cmocka_unit_test(test_pci_replaces_no_pci),
		cmocka_unit_test(test_lcores_and_log_level),
		cmocka_unit_test(test_no_workers_is_main_only),
		cmocka_unit_test(test_lcore_map),
	};

	return cmocka_run_group_tests_name("vs_eal", tests, NULL, NULL);
}
