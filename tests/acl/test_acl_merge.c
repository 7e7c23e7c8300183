/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_acl_merge.c: merged contexts (acl_merge.c) against level 0.
 *
 * Random clusters where pods are selected by several policies (so groups
 * have several slices, in several small buckets): every group's keys are
 * classified through level 0 (before the merge is attached) and through
 * the merged context (after), and the verdicts (origins) must be the very
 * same. Then: a plan never lands in another ruleset (-ESTALE, even for a
 * ruleset allocated where the planned one was freed), a plan outlives its
 * ruleset, unchanged groups are carried over from prev, and the budget
 * leaves groups at level 0 without changing a verdict.
 *
 * Seeds are fixed (a failure prints seed, direction, group and key).
 * Own executable (test_acl_merge), own EAL (acl_test.c).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <rte_byteorder.h>

#include "acl_fields.h"
#include "acl_priv.h"
#include "acl_test.h"

#define N_MODELS 60
#define N_KEYS 150              /* per group and family: > one chunk (64) */

static uint32_t
rnd(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

static uint32_t
pick(uint32_t *s, uint32_t n)
{
	return rnd(s) % n;
}

static const char *const lkeys[] = { "app", "tier" };
static const char *const lvals[] = { "a", "b", "c" };

/* A selector of 0 or 1 term: most policies select many pods. */
static void
rand_sel(uint32_t *s, char *buf, size_t size)
{
	switch (pick(s, 4)) {
	case 0:
		snprintf(buf, size, "%s", "");
		break;
	case 1:
		snprintf(buf, size, "%s in (%s,%s)", lkeys[pick(s, 2)],
			lvals[pick(s, 3)], lvals[pick(s, 3)]);
		break;
	default:
		snprintf(buf, size, "%s=%s", lkeys[pick(s, 2)],
			lvals[pick(s, 3)]);
		break;
	}
}

static const char *const blocks[][2] = {
	{ "10.0.0.0/16", "10.0.1.0/24" },
	{ "10.0.1.0/24", "" },
	{ "0.0.0.0/0", "10.0.0.0/8" },
	{ "fd00::/16", "" },
	{ "10.0.0.0/8", "10.0.0.0/24" },
};

static void
rand_rule(struct acl_netpol *p, enum acl_dir d, uint32_t *s)
{
	struct acl_rule *r = at_rule(p, d);
	uint32_t i, np = pick(s, 3), nq = pick(s, 3), x;
	char sel[64];
	uint16_t lo;

	for (i = 0; i < np; i++) {
		switch (pick(s, 3)) {
		case 0:
			rand_sel(s, sel, sizeof(sel));
			at_peer_pod(r, sel);
			break;
		case 1:
			at_peer_ns(r, pick(s, 2) ? "team=a" : "");
			break;
		default:
			x = pick(s, sizeof(blocks) / sizeof(blocks[0]));
			at_peer_block(r, blocks[x][0], blocks[x][1]);
			break;
		}
	}
	for (i = 0; i < nq; i++) {
		switch (pick(s, 4)) {
		case 0:
			at_port_proto(r, pick(s, 2) ? TCP : UDP);
			break;
		case 1:
			at_port_named(r, TCP, "http");
			break;
		case 2:
			lo = (uint16_t)(70 + pick(s, 20));
			at_port(r, TCP, lo, (uint16_t)(lo + pick(s, 20)));
			break;
		default:
			at_port(r, pick(s, 3) ? TCP : UDP,
				(uint16_t)(pick(s, 2) ? 80 : 53), 0);
			break;
		}
	}
}

/* A cluster of n_pods pods and n_pols policies; variant: policy var_pol
 * (1-based, 0 none) drawn from another seed. */
static struct acl_model *
gen(uint32_t seed, uint32_t n_pods, uint32_t n_pols, uint32_t var_pol)
{
	struct acl_model *m = at_model();
	char ns[8], name[16], labels[48], ips[64], sel[64];
	struct acl_netpol *p;
	uint32_t s, i, k, nr;

	at_ns(m, "n0", "team=a");
	at_ns(m, "n1", "team=b");
	for (i = 0; i < n_pods; i++) {
		s = seed * 7919u + i * 104729u + 1u;
		rnd(&s);
		snprintf(ns, sizeof(ns), "n%u", pick(&s, 2));
		snprintf(name, sizeof(name), "p%u", i);
		snprintf(labels, sizeof(labels), "app=%s,tier=%s",
			lvals[pick(&s, 3)], lvals[pick(&s, 3)]);
		snprintf(ips, sizeof(ips), pick(&s, 3) == 0 ?
			"10.0.%u.%u,fd00::%u" : "10.0.%u.%u", i % 3, i + 1,
			i + 1);
		at_pod(m, ns, name, labels, ips, pick(&s, 2) ? "http/TCP/80" :
			"http/TCP/8080", true);
	}
	for (i = 0; i < n_pols; i++) {
		s = seed * 31337u + i * 65537u + 7u;
		if (i + 1 == var_pol)
			s ^= 0x5bd1e995u;
		rnd(&s);
		snprintf(ns, sizeof(ns), "n%u", pick(&s, 2));
		snprintf(name, sizeof(name), "np%u", i);
		rand_sel(&s, sel, sizeof(sel));
		p = at_pol(m, ns, name, sel, pick(&s, 3) == 0 ? "Ingress,Egress"
			: pick(&s, 2) ? "Ingress" : "Egress");
		nr = 1 + pick(&s, 3);
		for (k = 0; k < nr; k++)
			rand_rule(p, ACL_DIR_INGRESS, &s);
		nr = pick(&s, 3);
		for (k = 0; k < nr; k++)
			rand_rule(p, ACL_DIR_EGRESS, &s);
	}
	return m;
}

static struct acl_ruleset *
compile(const struct acl_model *m, uint32_t bucket_rules,
		const struct acl_ruleset *prev)
{
	struct acl_compile_opts o = { .name = "mrg", .all_local = true,
		.prev = prev, .bucket_rules = bucket_rules };
	struct acl_ruleset *rs;
	struct acl_err err;

	rs = acl_compile(m, &o, &err);
	if (rs == NULL)
		fail_msg("acl_compile: %s", err.msg);
	return rs;
}

/* Keys of one (direction, family, group), drawn from seed. */
struct keyset {
	union {
		struct acl_key4 k4;
		struct acl_key6 k6;
	} k[N_KEYS];
	const uint8_t *kp[N_KEYS];
};

static void
keys_draw(struct keyset *ks, const struct acl_ruleset *rs, int fam,
		uint32_t group, uint32_t seed)
{
	static const uint16_t dports[] = { 53, 70, 80, 85, 95, 8080, 9000 };
	static const uint8_t protos[] = { TCP, UDP, SCTP, ICMP };
	const struct acl_endpoint *eps;
	uint32_t s = seed ? seed : 1, i, n_eps, id;
	uint8_t a6[16];
	rte_be32_t a4;
	uint8_t proto;

	eps = acl_ruleset_endpoints(rs, &n_eps);
	for (i = 0; i < N_KEYS; i++) {
		const struct acl_endpoint *e = NULL;

		rnd(&s);
		if (n_eps > 0 && pick(&s, 4) != 0) {
			e = &eps[pick(&s, n_eps)];
			if (acl_fam_index(e->addr.family) != fam)
				e = NULL;
		}
		id = e != NULL ? e->identity : pick(&s, 3) ? 0 :
			pick(&s, rs->next_ident + 2);
		memset(a6, 0, sizeof(a6));
		if (e != NULL) {
			memcpy(a6, e->addr.addr, 16);
		} else if (fam == ACL_FAM_4) {
			a6[0] = pick(&s, 4) ? 10 : 192;
			a6[1] = pick(&s, 2) ? 0 : 168;
			a6[2] = (uint8_t)pick(&s, 4);
			a6[3] = (uint8_t)pick(&s, 40);
		} else {
			a6[0] = 0xfd;
			a6[15] = (uint8_t)pick(&s, 40);
		}
		proto = protos[pick(&s, 4)];
		memcpy(&a4, a6, 4);
		if (fam == ACL_FAM_4)
			acl_key4_fill(&ks->k[i].k4, group, id, proto, a4,
				rte_cpu_to_be_16(33000),
				rte_cpu_to_be_16(dports[pick(&s, 7)]));
		else
			acl_key6_fill(&ks->k[i].k6, group, id, proto, a6,
				rte_cpu_to_be_16(33000),
				rte_cpu_to_be_16(dports[pick(&s, 7)]));
		ks->kp[i] = (const uint8_t *)&ks->k[i];
	}
}

/* Verdicts of every (direction, family, group) of rs, in that order. */
struct verds {
	uint32_t *v;
	uint32_t n;
};

static void
classify_all(const struct acl_ruleset *rs, uint32_t seed, struct verds *out)
{
	static struct keyset ks;
	uint32_t d, g, n = 0, total = 0;
	int f;

	for (d = 0; d < ACL_DIR_MAX; d++)
		total += rs->dir[d].n_groups * ACL_FAM_NUM * N_KEYS;
	out->v = calloc((size_t)total + 1, sizeof(*out->v));
	assert_non_null(out->v);
	for (d = 0; d < ACL_DIR_MAX; d++) {
		for (g = 1; g <= rs->dir[d].n_groups; g++) {
			for (f = 0; f < ACL_FAM_NUM; f++) {
				keys_draw(&ks, rs, f, g, seed * 977u + d * 131u
					+ g * 17u + (uint32_t)f);
				/* Odd bursts too: 1, then the rest. */
				assert_int_equal(acl_classify(rs, d, f == 0 ?
					ACL_AF_INET : ACL_AF_INET6, g, ks.kp,
					out->v + n, 1), 0);
				assert_int_equal(acl_classify(rs, d, f == 0 ?
					ACL_AF_INET : ACL_AF_INET6, g, ks.kp + 1,
					out->v + n + 1, N_KEYS - 1), 0);
				n += N_KEYS;
			}
		}
	}
	out->n = n;
}

static uint32_t tally_allow, tally_deny, tally_merged, tally_multi;

static void
verds_same(const struct verds *a, const struct verds *b, uint32_t seed,
		const char *what)
{
	uint32_t i;

	assert_int_equal(a->n, b->n);
	for (i = 0; i < a->n; i++) {
		if (a->v[i] != b->v[i])
			fail_msg("%s: seed %u, key %u (group and family %u, "
				"key %u): level 0 %u, merged %u", what, seed, i,
				i / N_KEYS, i % N_KEYS, a->v[i], b->v[i]);
		if (a->v[i] == ACL_VERDICT_DENY)
			tally_deny++;
		else
			tally_allow++;
	}
}

/* Level-0 calls of a (dir, fam, group): slices with a context. */
static uint32_t
calls_of(const struct acl_ruleset *rs, uint32_t d, int f, uint32_t g)
{
	const struct acl_rs_dir *rd = &rs->dir[d];
	const struct acl_shctx *s;
	uint32_t i, k, sl, n = 0, rules = 0;

	for (i = rd->grp_off[g - 1]; i < rd->grp_off[g]; i++) {
		sl = rd->grp_sl[i];
		s = rd->buckets[rd->bucket_of[sl]].fam[f];
		if (s == NULL)
			continue;
		n++;
		for (k = 0; k < s->n_rules; k++)
			rules += s->rules[k].slice == sl;
	}
	return rules > 0 ? n : 0;       /* no rules: nothing to merge */
}

/* Every group with >= 2 calls has a merged context (no budget hit). */
static void
all_merged(const struct acl_ruleset *rs)
{
	uint32_t d, g;
	int f;

	for (d = 0; d < ACL_DIR_MAX; d++) {
		for (g = 1; g <= rs->dir[d].n_groups; g++) {
			for (f = 0; f < ACL_FAM_NUM; f++) {
				bool want = calls_of(rs, d, f, g) >= 2;

				tally_multi += want;
				assert_int_equal(want,
					rs->dir[d].merged[f][g] != NULL);
			}
		}
	}
}

static struct acl_merge *
merge(struct acl_ruleset *rs, const struct acl_ruleset *prev,
		uint64_t max_rules)
{
	struct acl_merge_opts o = { .max_rules = max_rules };
	struct acl_merge *m = acl_merge_plan(rs, prev, &o);

	assert_non_null(m);
	assert_int_equal(acl_merge_build(m), 0);
	return m;
}

/* Level 0 and merged agree on random clusters and keys. */
static void
test_merge_equivalence(void **state)
{
	struct acl_ruleset_stats st;
	struct verds v0, v1;
	struct acl_ruleset *rs;
	struct acl_merge *m;
	struct acl_model *md;
	uint32_t seed;

	(void)state;
	at_eal_init();
	for (seed = 1; seed <= N_MODELS; seed++) {
		/*
		 * Odd seeds: a recompile after one changed policy, whose new
		 * slice ids no longer follow the origins' order.
		 */
		md = gen(seed, 6 + seed % 10, 3 + seed % 8, 0);
		rs = compile(md, seed % 3 == 0 ? 0 : 2 + seed % 4, NULL);
		if (seed % 2) {
			struct acl_ruleset *prev = rs;

			acl_model_free(md);
			md = gen(seed, 6 + seed % 10, 3 + seed % 8,
				1 + seed % (3 + seed % 8));
			rs = compile(md, seed % 3 == 0 ? 0 : 2 + seed % 4,
				prev);
			acl_ruleset_free(prev);
		}
		classify_all(rs, seed, &v0);
		m = merge(rs, NULL, UINT64_MAX);
		assert_int_equal(acl_merge_attach(rs, m), 0);
		acl_merge_free(m);
		all_merged(rs);
		acl_ruleset_get_stats(rs, &st);
		assert_int_equal(st.n_merge_pending, 0);
		assert_int_equal(st.n_merge_failed, 0);
		assert_int_equal(st.n_merged, st.n_merge_planned);
		tally_merged += st.n_merged;
		classify_all(rs, seed, &v1);
		verds_same(&v0, &v1, seed, "fresh");
		free(v0.v);
		free(v1.v);
		acl_ruleset_free(rs);
		acl_model_free(md);
	}
	print_message("merged contexts %u (groups with >= 2 calls %u); "
		"verdicts %u allowed, %u denied\n", tally_merged, tally_multi,
		tally_allow, tally_deny);
	/* Draws that merge nothing, or never allow or deny, test little. */
	assert_true(tally_merged > N_MODELS);
	assert_true(tally_allow > tally_deny / 20);
	assert_true(tally_deny > tally_allow / 20);
}

/* A plan lands only in the ruleset it was made from. */
static void
test_merge_stale(void **state)
{
	struct acl_ruleset_stats st;
	struct acl_ruleset *a, *b;
	struct verds v0, v1;
	struct acl_model *m1, *m2;
	struct acl_merge *m;

	(void)state;
	at_eal_init();
	m1 = gen(5, 12, 8, 0);
	m2 = gen(5, 12, 8, 3);
	a = compile(m1, 2, NULL);
	m = acl_merge_plan(a, NULL, NULL);
	assert_non_null(m);
	assert_true(acl_merge_jobs(m) > 0);
	/* The plan outlives its ruleset: it copied what it needs. */
	acl_ruleset_free(a);
	assert_int_equal(acl_merge_build(m), 0);
	/* The same model again, maybe at the same address: still not it. */
	a = compile(m1, 2, NULL);
	b = compile(m2, 2, a);
	classify_all(b, 77, &v0);
	assert_int_equal(acl_merge_attach(a, m), -ESTALE);
	assert_int_equal(acl_merge_attach(b, m), -ESTALE);
	acl_merge_free(m);
	acl_ruleset_get_stats(b, &st);
	assert_int_equal(st.n_merged, 0);
	acl_ruleset_get_stats(a, &st);
	assert_int_equal(st.n_merged, 0);
	classify_all(b, 77, &v1);
	verds_same(&v0, &v1, 77, "stale");
	free(v0.v);
	free(v1.v);
	/* Cancelled: nothing built, all counted as failed, level 0 stays. */
	m = acl_merge_plan(b, NULL, NULL);
	assert_true(acl_merge_jobs(m) > 0);
	acl_merge_cancel(m);
	assert_int_equal(acl_merge_build(m), -ECANCELED);
	assert_int_equal(acl_merge_attach(b, m), 0);
	acl_ruleset_get_stats(b, &st);
	assert_int_equal(st.n_merged, 0);
	assert_int_equal(st.n_merge_failed, st.n_merge_planned);
	assert_int_equal(st.n_merge_pending, 0);
	acl_merge_free(m);
	acl_ruleset_free(a);
	acl_ruleset_free(b);
	acl_model_free(m1);
	acl_model_free(m2);
}

/*
 * One changed policy: the next ruleset's plan shares prev's merged
 * contexts of the groups it does not touch (attached at once), builds
 * the others, and the result equals level 0 with prev freed first.
 */
static void
test_merge_carry(void **state)
{
	struct acl_ruleset_stats st;
	struct acl_ruleset *a, *b, *c;
	struct verds v0, v1;
	struct acl_model *m1, *m2;
	struct acl_merge *m;
	uint32_t seed, carried = 0, built = 0;

	(void)state;
	at_eal_init();
	for (seed = 1; seed <= 20; seed++) {
		m1 = gen(seed, 14, 10, 0);
		m2 = gen(seed, 14, 10, 1 + seed % 10);
		a = compile(m1, 3, NULL);
		m = merge(a, NULL, UINT64_MAX);
		assert_int_equal(acl_merge_attach(a, m), 0);
		acl_merge_free(m);
		/* The same model: everything carried, nothing to build. */
		c = compile(m1, 3, a);
		m = acl_merge_plan(c, a, NULL);
		assert_int_equal(acl_merge_jobs(m), 0);
		acl_ruleset_get_stats(c, &st);
		assert_int_equal(st.n_merge_carried, st.n_merge_planned);
		acl_merge_free(m);
		acl_ruleset_free(c);

		b = compile(m2, 3, a);
		classify_all(b, seed, &v0);
		m = acl_merge_plan(b, a, NULL);
		acl_ruleset_free(a);    /* shared contexts survive */
		assert_int_equal(acl_merge_build(m), 0);
		built += acl_merge_jobs(m);
		assert_int_equal(acl_merge_attach(b, m), 0);
		acl_merge_free(m);
		acl_ruleset_get_stats(b, &st);
		carried += st.n_merge_carried;
		assert_int_equal(st.n_merge_pending, 0);
		all_merged(b);
		classify_all(b, seed, &v1);
		verds_same(&v0, &v1, seed, "carried");
		free(v0.v);
		free(v1.v);
		acl_ruleset_free(b);
		acl_model_free(m1);
		acl_model_free(m2);
	}
	print_message("one policy changed: %u merged contexts carried over, "
		"%u built\n", carried, built);
	assert_true(carried > 0);
	assert_true(built > 0);
}

/* A small budget: most-called groups first, the rest stay level 0. */
static void
test_merge_budget(void **state)
{
	struct acl_ruleset_stats st;
	struct acl_ruleset *rs;
	struct verds v0, v1;
	struct acl_model *md;
	struct acl_merge *m;

	(void)state;
	at_eal_init();
	md = gen(11, 16, 12, 0);
	rs = compile(md, 2, NULL);
	classify_all(rs, 11, &v0);
	m = merge(rs, NULL, 12);
	assert_int_equal(acl_merge_attach(rs, m), 0);
	acl_merge_free(m);
	acl_ruleset_get_stats(rs, &st);
	assert_true(st.n_merge_skipped > 0);
	assert_true(st.n_merged_rules <= 12);
	classify_all(rs, 11, &v1);
	verds_same(&v0, &v1, 11, "budget");
	free(v0.v);
	free(v1.v);
	acl_ruleset_free(rs);
	acl_model_free(md);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_merge_equivalence),
		cmocka_unit_test(test_merge_stale),
		cmocka_unit_test(test_merge_carry),
		cmocka_unit_test(test_merge_budget),
	};

	return cmocka_run_group_tests_name("acl_merge", tests, NULL, NULL);
}
