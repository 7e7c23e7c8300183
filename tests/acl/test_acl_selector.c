/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_acl_selector.c: label selectors and ipBlock prefixes, the two pure
 * building blocks of the compiler (acl_selector.c, acl_prefix.c), as
 * tables. No EAL.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "acl_priv.h"
#include "acl_test.h"

struct sel_row {
	const char *sel;        /* kubectl syntax */
	const char *labels;     /* "k=v,..." */
	const char *ns_name;    /* non-NULL: labels of that namespace */
	bool match;
	const char *why;
};

static void
labels_of(struct acl_labels *l, const char *text)
{
	struct acl_selector s;

	/* A selector of only k=v terms is a label set in matchLabels. */
	at_selector(&s, text);
	*l = s.match_labels;
	free(s.exprs);
}

static void
labels_free(struct acl_labels *l)
{
	uint32_t i;

	for (i = 0; i < l->n; i++) {
		free(l->v[i].key);
		free(l->v[i].value);
	}
	free(l->v);
}

static void
selector_free(struct acl_selector *s)
{
	uint32_t i, j;

	labels_free(&s->match_labels);
	for (i = 0; i < s->n_exprs; i++) {
		free(s->exprs[i].key);
		for (j = 0; j < s->exprs[i].n_values; j++)
			free(s->exprs[i].values[j]);
		free(s->exprs[i].values);
	}
	free(s->exprs);
}

static void
test_selector_table(void **state)
{
	static const struct sel_row rows[] = {
		{ "", "", NULL, true, "{} matches a pod without labels" },
		{ "", "a=1", NULL, true, "{} matches anything" },
		{ "a=1", "a=1,b=2", NULL, true, "matchLabels subset" },
		{ "a=1", "a=2", NULL, false, "matchLabels value differs" },
		{ "a=1", "b=1", NULL, false, "matchLabels key missing" },
		{ "a=1,b=2", "a=1", NULL, false, "matchLabels all ANDed" },
		{ "a in (1,2)", "a=2", NULL, true, "In" },
		{ "a in (1,2)", "a=3", NULL, false, "In, other value" },
		{ "a in (1,2)", "", NULL, false, "In needs the key" },
		{ "a notin (1,2)", "a=3", NULL, true, "NotIn, other value" },
		{ "a notin (1,2)", "a=1", NULL, false, "NotIn, listed value" },
		{ "a notin (1,2)", "b=1", NULL, true, "NotIn matches a missing key" },
		{ "a", "a=", NULL, true, "Exists, empty value" },
		{ "a", "b=1", NULL, false, "Exists, missing" },
		{ "!a", "b=1", NULL, true, "DoesNotExist" },
		{ "!a", "a=1", NULL, false, "DoesNotExist, present" },
		{ "a=1,b in (2),!c", "a=1,b=2", NULL, true, "labels AND expressions" },
		{ "a=1,b in (2),!c", "a=1,b=2,c=3", NULL, false, "one expression fails" },
		{ "kubernetes.io/metadata.name=dev", "", "dev", true,
			"automatic namespace label" },
		{ "kubernetes.io/metadata.name=dev", "kubernetes.io/metadata.name=dev",
			"prod", false, "a declared name label is overridden" },
		{ "kubernetes.io/metadata.name=dev", "kubernetes.io/metadata.name=dev",
			NULL, true, "pods have no automatic label: their own counts" },
		{ "kubernetes.io/metadata.name notin (dev)", "", "prod", true,
			"NotIn on the name label" },
	};
	struct acl_selector s;
	struct acl_labels l;
	uint32_t i;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		at_selector(&s, rows[i].sel);
		labels_of(&l, rows[i].labels);
		if (acl_selector_match(&s, &l, rows[i].ns_name) != rows[i].match)
			fail_msg("row %u: %s", i, rows[i].why);
		selector_free(&s);
		labels_free(&l);
	}
}

struct pfx_row {
	const char *cidr;
	const char *except;     /* comma-separated */
	uint32_t n_prefixes;    /* expected count */
	const char *in;         /* addresses inside the result */
	const char *out;        /* addresses outside */
};

static bool
covered(const struct acl_prefix *v, uint32_t n, const char *addr)
{
	struct acl_prefix p;
	struct acl_addr a;
	uint32_t i;

	at_addr(&a, addr);
	memset(&p, 0, sizeof(p));
	p.family = a.family;
	p.len = a.family == ACL_AF_INET ? 32 : 128;
	memcpy(p.addr, a.addr, 16);
	for (i = 0; i < n; i++)
		if (acl_prefix_contains(&v[i], &p))
			return true;
	return false;
}

static void
check_addrs(const struct acl_prefix *v, uint32_t n, const char *list,
		bool want, uint32_t row)
{
	char *dup = strdup(list), *save = NULL, *t;

	assert_non_null(dup);
	for (t = strtok_r(dup, ",", &save); t; t = strtok_r(NULL, ",", &save))
		if (covered(v, n, t) != want)
			fail_msg("row %u: %s should be %s", row, t,
				want ? "in" : "out");
	free(dup);
}

/*
 * cidr minus except as disjoint prefixes: a /8 minus one /24 is 16
 * prefixes (one per level between), minus a /9 is the other /9; an
 * except covering a /16 twice over changes nothing more; host bits of the
 * cidr are ignored.
 */
static void
test_ipblock_prefixes(void **state)
{
	static const struct pfx_row rows[] = {
		{ "10.0.0.0/8", "", 1, "10.0.0.0,10.255.255.255", "11.0.0.0,9.255.255.255" },
		{ "10.0.0.0/8", "10.0.0.0/9", 1, "10.128.0.0,10.255.0.1", "10.0.0.1,10.127.255.255" },
		{ "10.0.0.0/8", "10.1.2.0/24", 16, "10.1.1.255,10.1.3.0,10.0.0.1", "10.1.2.0,10.1.2.255" },
		{ "10.0.0.0/8", "10.1.0.0/16,10.1.2.0/24", 8, "10.2.0.0,10.0.255.255", "10.1.0.0,10.1.2.3,10.1.255.255" },
		{ "10.0.0.0/8", "10.0.0.0/8", 0, "", "10.0.0.1" },
		{ "10.1.2.3/16", "", 1, "10.1.0.0,10.1.255.255", "10.2.0.0" },
		{ "0.0.0.0/0", "10.0.0.0/8", 8, "9.9.9.9,11.0.0.0,255.255.255.255", "10.9.9.9" },
		{ "1.2.3.4/32", "", 1, "1.2.3.4", "1.2.3.5" },
		{ "fd00::/16", "fd00::/17", 1, "fd00:8000::1", "fd00::1,fd01::" },
		{ "fd00::/16", "fd00::7:0/112", 96, "fd00::6:ffff,fd00::8:0", "fd00::7:0,fd00::7:ffff" },
		{ "::/0", "", 1, "::,ffff::1", "" },
	};
	struct acl_ipblock b;
	struct acl_prefix *v;
	uint32_t i, n, j;
	char *dup, *save, *t;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		memset(&b, 0, sizeof(b));
		at_prefix(&b.cidr, rows[i].cidr);
		b.except = calloc(4, sizeof(*b.except));
		dup = strdup(rows[i].except);
		assert_non_null(dup);
		for (t = strtok_r(dup, ",", &save); t;
				t = strtok_r(NULL, ",", &save))
			at_prefix(&b.except[b.n_except++], t);
		free(dup);
		assert_int_equal(acl_ipblock_prefixes(&b, &v, &n), 0);
		if (n != rows[i].n_prefixes)
			fail_msg("row %u: %u prefixes, want %u", i, n,
				rows[i].n_prefixes);
		for (j = 0; j < n; j++) {       /* host bits clear */
			struct acl_prefix c = v[j];

			acl_prefix_mask(&c);
			assert_memory_equal(c.addr, v[j].addr, 16);
		}
		check_addrs(v, n, rows[i].in, true, i);
		check_addrs(v, n, rows[i].out, false, i);
		free(v);
		free(b.except);
	}
}

int
test_acl_selector_run(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_selector_table),
		cmocka_unit_test(test_ipblock_prefixes),
	};

	return cmocka_run_group_tests_name("acl_selector", tests, NULL, NULL);
}
