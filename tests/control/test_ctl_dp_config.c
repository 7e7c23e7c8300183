/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_ctl_dp_config.c: the conntrack section of npvsd's config file
 * (control/ctl_config.c): defaults, every field, and refusals naming the
 * line and field.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ctl_config.h"

static int
load(struct ctl_config *c, const char *yaml, char *err, size_t errlen)
{
	ctl_config_init(c);
	return ctl_config_load_string(c, "t.yaml", yaml, strlen(yaml), err,
			errlen);
}

static void
test_defaults(void **state)
{
	struct ctl_config c;
	char err[256] = "";

	(void)state;
	assert_int_equal(load(&c, "pod_cidr: 10.244.1.0/24\n", err,
			sizeof(err)), 0);
	assert_int_equal(c.vs.ct.max, 131072);
	assert_true(c.vs.ct.recheck_flows);
	assert_false(c.vs.ct.tcp_loose);
	assert_int_equal(c.vs.ct.tcp_syn, 30);
	assert_int_equal(c.vs.ct.tcp_established, 21600);
	assert_int_equal(c.vs.ct.udp, 60);
	assert_int_equal(c.vs.ct.frag_max, 1024);
	assert_int_equal(c.vs.ct.log_buffer, 1024);
	ctl_config_uninit(&c);
}

static void
test_fields(void **state)
{
	static const char y[] =
		"pod_cidr: 10.244.1.0/24\n"
		"conntrack:\n"
		"  max: 16\n"
		"  recheck_flows: false\n"
		"  tcp_loose: true\n"
		"  timeouts: {tcp_syn: 5, tcp_established: 600, tcp_fin: 7,\n"
		"    tcp_closed: 3, udp: 2, sctp: 9, icmp: 4, fragment: 1}\n"
		"  fragments: 64\n"
		"  log_rate: 5\n"
		"  log_buffer: 32\n";
	struct ctl_config c;
	char err[256] = "";

	(void)state;
	if (load(&c, y, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	assert_int_equal(c.vs.ct.max, 16);
	assert_false(c.vs.ct.recheck_flows);
	assert_true(c.vs.ct.tcp_loose);
	assert_int_equal(c.vs.ct.tcp_syn, 5);
	assert_int_equal(c.vs.ct.tcp_established, 600);
	assert_int_equal(c.vs.ct.tcp_fin, 7);
	assert_int_equal(c.vs.ct.tcp_closed, 3);
	assert_int_equal(c.vs.ct.udp, 2);
	assert_int_equal(c.vs.ct.sctp, 9);
	assert_int_equal(c.vs.ct.icmp, 4);
	assert_int_equal(c.vs.ct.frag_timeout, 1);
	assert_int_equal(c.vs.ct.frag_max, 64);
	assert_int_equal(c.vs.ct.log_rate, 5);
	assert_int_equal(c.vs.ct.log_buffer, 32);
	ctl_config_uninit(&c);
}

/* npvsd --check prints the section; loaded again, it gives the same. */
static void
test_print_round_trip(void **state)
{
	static const char y[] =
		"pod_cidr: 10.244.1.0/24\n"
		"conntrack: {max: 99, tcp_loose: true, log_rate: 7,\n"
		"  timeouts: {udp: 11, fragment: 2}}\n";
	struct ctl_config c, d;
	char err[256] = "", *text = NULL, *sect, *end;
	size_t len = 0;
	FILE *f;

	(void)state;
	if (load(&c, y, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	f = open_memstream(&text, &len);
	assert_non_null(f);
	ctl_config_print(&c, f);
	fclose(f);
	/* The section alone: up to the next top-level key. */
	sect = strstr(text, "conntrack:\n  max: 99\n");
	assert_non_null(sect);
	for (end = strchr(sect, '\n'); end != NULL && end[1] == ' ';
			end = strchr(end + 1, '\n'))
		;
	if (end != NULL)
		end[1] = '\0';
	ctl_config_init(&d);
	if (ctl_config_load_string(&d, "printed", sect, strlen(sect), err,
			sizeof(err)) != 0)
		fail_msg("%s\n%s", err, sect);
	assert_memory_equal(&c.vs.ct, &d.vs.ct, sizeof(c.vs.ct));
	free(text);
	ctl_config_uninit(&c);
	ctl_config_uninit(&d);
}

static void
test_refused(void **state)
{
	static const struct { const char *yaml, *want; } rows[] = {
		{ "conntrack:\n  maks: 3\n", "t.yaml:2: conntrack.maks" },
		{ "conntrack:\n  max: lots\n", "t.yaml:2: conntrack.max" },
		{ "conntrack:\n  max: 67108865\n", "t.yaml:2: conntrack.max" },
		{ "conntrack:\n  timeouts:\n    tcp: 3\n",
			"t.yaml:3: conntrack.timeouts.tcp" },
		{ "conntrack:\n  tcp_loose: maybe\n",
			"t.yaml:2: conntrack.tcp_loose" },
	};
	struct ctl_config c;
	char err[256];
	unsigned int i;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		err[0] = '\0';
		if (load(&c, rows[i].yaml, err, sizeof(err)) == 0 ||
				strncmp(err, rows[i].want, strlen(rows[i].want)) != 0)
			fail_msg("row %u: '%s'", i, err);
		ctl_config_uninit(&c);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_fields),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_print_round_trip),
	};

	return cmocka_run_group_tests_name("ctl_dp_config", tests, NULL, NULL);
}
