/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_tunnels.c: the tunnels/ unit tests in one executable (one EAL for
 * all groups: encap, decap, MTU/ICMP, VTEP table). Exit status: the
 * number of failed tests (0 = all passed).
 */
#include "tun_test.h"

#include <stdio.h>

int
main(int argc, char **argv)
{
	int failed = 0;

	(void)argc;
	if (tt_eal_init(argv[0]) < 0) {
		fprintf(stderr, "test_tunnels: EAL or mempool init failed\n");
		return 1;
	}
	failed += tt_run_encap();
	failed += tt_run_decap();
	failed += tt_run_mtu();
	failed += tt_run_vtep();
	tt_eal_fini();
	return failed;
}
