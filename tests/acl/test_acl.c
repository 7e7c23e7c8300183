/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_acl.c: main of the acl/ unit tests (one executable, one cmocka
 * group per file). EAL starts once, without hugepages (acl_test.c).
 */
#include <stdlib.h>
#include <string.h>

int test_acl_selector_run(void);
int test_acl_compile_run(void);
int test_acl_invalid_run(void);
int test_acl_random_run(void);
int test_acl_alg_run(void);

int
main(int argc, char **argv)
{
	int rc = 0;

	/* "random" alone, or everything else: two meson tests, in parallel. */
	if (argc > 1 && strcmp(argv[1], "random") == 0)
		return test_acl_random_run() != 0;
	rc |= test_acl_selector_run();
	rc |= test_acl_compile_run();
	rc |= test_acl_invalid_run();
	rc |= test_acl_alg_run();
	return rc != 0;
}
