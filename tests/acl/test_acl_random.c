/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_acl_random.c: the compiled ruleset against the reference model
 * (ref_policy.c) on random small clusters and random packets, and
 * recompiles with opts->prev against fresh compiles.
 *
 * Models are drawn from fixed seeds (reproducible: a failure prints the
 * seed and the packet). Every object has its own sub-seed, so a "variant"
 * of a model changes exactly one pod or one policy: that is how the
 * recompile tests change one thing at a time.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "acl_test.h"
#include "ref_policy.h"

#define N_MODELS 250
#define N_PACKETS 200

/* xorshift32: tiny, fixed, independent of libc's rand(). */
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

static uint32_t
seed_of(uint32_t model, uint32_t obj)
{
	uint32_t s = model * 7919u + obj * 104729u + 1u;

	rnd(&s);
	return s ? s : 1;
}

static const char *const keys[] = { "app", "tier", "role" };
static const char *const vals[] = { "a", "b", "c" };

/* A random selector in kubectl syntax, 0 to 2 terms. */
static void
rand_sel(uint32_t *s, char *buf, size_t size, bool ns, uint32_t max_terms)
{
	const char *k, *v, *w;
	uint32_t i, n = pick(s, max_terms + 1);
	size_t len = 0;

	buf[0] = '\0';
	for (i = 0; i < n; i++) {
		k = ns ? (pick(s, 2) ? "team" : "kubernetes.io/metadata.name") :
			keys[pick(s, 3)];
		v = ns && k[0] == 'k' ? (pick(s, 2) ? "n0" : "n1") :
			vals[pick(s, 3)];
		w = ns && k[0] == 'k' ? "n3" : vals[pick(s, 3)];
		switch (pick(s, 5)) {
		case 0:
			len += (size_t)snprintf(buf + len, size - len, "%s%s=%s",
				i ? "," : "", k, v);
			break;
		case 1:
			len += (size_t)snprintf(buf + len, size - len,
				"%s%s in (%s,%s)", i ? "," : "", k, v, w);
			break;
		case 2:
			len += (size_t)snprintf(buf + len, size - len,
				"%s%s notin (%s)", i ? "," : "", k, v);
			break;
		case 3:
			len += (size_t)snprintf(buf + len, size - len, "%s%s",
				i ? "," : "", k);
			break;
		default:
			len += (size_t)snprintf(buf + len, size - len, "%s!%s",
				i ? "," : "", k);
			break;
		}
	}
}

static void
rand_pod(struct acl_model *m, uint32_t *s, uint32_t i)
{
	char ns[8], name[8], labels[64] = "", ips[64], ports[64] = "";
	uint32_t k, n = pick(s, 4);
	size_t len = 0;

	snprintf(ns, sizeof(ns), "n%u", n);
	snprintf(name, sizeof(name), "p%u", i);
	for (k = 0; k < 3; k++)
		if (pick(s, 5) < 3)
			len += (size_t)snprintf(labels + len, sizeof(labels) - len,
				"%s%s=%s", len ? "," : "", keys[k],
				vals[pick(s, 3)]);
	snprintf(ips, sizeof(ips), pick(s, 3) == 0 ?
		"10.0.%u.%u,fd00::%u:%u" : "10.0.%u.%u", n, i + 1, n, i + 1);
	len = 0;
	if (pick(s, 2))
		len += (size_t)snprintf(ports, sizeof(ports), "http/TCP/%u",
			pick(s, 2) ? 80 : 8080);
	if (pick(s, 2))
		len += (size_t)snprintf(ports + len, sizeof(ports) - len,
			"%sdns/UDP/53", len ? "," : "");
	if (pick(s, 3) == 0)
		snprintf(ports + len, sizeof(ports) - len, "%sweb/TCP/81",
			len ? "," : "");
	at_pod(m, ns, name, labels, ips, ports, pick(s, 4) != 0);
}

static const char *const blocks[][2] = {
	{ "10.0.0.0/16", "" },
	{ "10.0.1.0/24", "" },
	{ "10.0.0.0/8", "10.0.1.0/24,10.0.2.128/25" },
	{ "0.0.0.0/0", "10.0.0.0/16" },
	{ "fd00::/16", "fd00::1:0/112" },
	{ "::/0", "" },
	{ "192.168.0.0/16", "" },
};

static void
rand_peer(struct acl_rule *r, uint32_t *s)
{
	char a[96], b[96];
	uint32_t x;

	switch (pick(s, 4)) {
	case 0:
		rand_sel(s, a, sizeof(a), false, 2);
		at_peer_pod(r, a);
		break;
	case 1:
		rand_sel(s, a, sizeof(a), true, 2);
		at_peer_ns(r, a);
		break;
	case 2:
		rand_sel(s, a, sizeof(a), true, 2);
		rand_sel(s, b, sizeof(b), false, 2);
		at_peer_both(r, a, b);
		break;
	default:
		x = pick(s, sizeof(blocks) / sizeof(blocks[0]));
		at_peer_block(r, blocks[x][0], blocks[x][1]);
		break;
	}
}

static const uint8_t protos[] = { TCP, UDP, SCTP };

static void
rand_port(struct acl_rule *r, uint32_t *s)
{
	static const char *const names[] = { "http", "dns", "web", "none" };
	uint8_t proto = protos[pick(s, 3)];
	uint16_t lo;

	switch (pick(s, 4)) {
	case 0:
		at_port_proto(r, proto);
		break;
	case 1:
		at_port_named(r, pick(s, 2) ? TCP : UDP, names[pick(s, 4)]);
		break;
	case 2:
		lo = (uint16_t)(50 + pick(s, 40));
		at_port(r, proto, lo, (uint16_t)(lo + pick(s, 40)));
		break;
	default:
		at_port(r, proto, (uint16_t)(pick(s, 2) ? 80 : 53), 0);
		break;
	}
}

static void
rand_rules(struct acl_netpol *p, enum acl_dir d, uint32_t *s)
{
	uint32_t i, j, n = pick(s, 3), np, nq;
	struct acl_rule *r;

	for (i = 0; i < n; i++) {
		r = at_rule(p, d);
		np = pick(s, 3);
		nq = pick(s, 3);
		for (j = 0; j < np; j++)
			rand_peer(r, s);
		for (j = 0; j < nq; j++)
			rand_port(r, s);
	}
}

static void
rand_policy(struct acl_model *m, uint32_t *s, uint32_t i)
{
	static const char *const types[] = { "Ingress", "Egress",
		"Ingress,Egress" };
	char ns[8], name[8], sel[96];
	struct acl_netpol *p;

	snprintf(ns, sizeof(ns), "n%u", pick(s, 4));
	snprintf(name, sizeof(name), "np%u", i);
	rand_sel(s, sel, sizeof(sel), false, 1);
	p = at_pol(m, ns, name, sel, types[pick(s, 3)]);
	rand_rules(p, ACL_DIR_INGRESS, s);
	rand_rules(p, ACL_DIR_EGRESS, s);
}

/*
 * Model 'seed'; variant (obj, alt) redraws object obj (1..: pods, then
 * policies) from another sub-seed. obj 0: no variant.
 */
static struct acl_model *
gen(uint32_t seed, uint32_t n_pods, uint32_t n_pols, uint32_t var_obj)
{
	struct acl_model *m = at_model();
	uint32_t s, i, obj;

	s = seed_of(seed, 0);
	at_ns(m, "n0", pick(&s, 2) ? "team=a" : "team=b");
	at_ns(m, "n1", pick(&s, 2) ? "team=a" : "");
	at_ns(m, "n2", "team=b");       /* n3 stays undeclared */
	for (i = 0; i < n_pods; i++) {
		obj = 1 + i;
		s = seed_of(seed, obj) ^ (obj == var_obj ? 0x5bd1e995u : 0);
		rand_pod(m, &s, i);
	}
	for (i = 0; i < n_pols; i++) {
		obj = 1 + n_pods + i;
		s = seed_of(seed, obj) ^ (obj == var_obj ? 0x5bd1e995u : 0);
		rand_policy(m, &s, i);
	}
	return m;
}

static void
rand_addr(uint32_t *s, const struct acl_model *m, bool v6,
		struct acl_addr *a)
{
	static const char *const out4[] = { "10.0.9.9", "192.168.3.4",
		"10.0.1.200", "8.8.8.8" };
	static const char *const out6[] = { "fd00::9:9", "2001:db8::1",
		"fd00::1:77" };
	const struct acl_pod *p;
	uint32_t i, k;

	if (pick(s, 5) != 0 && m->n_pods > 0) {
		for (k = 0; k < 8; k++) {
			p = &m->pods[pick(s, m->n_pods)];
			for (i = 0; i < p->n_ips; i++) {
				if ((p->ips[i].family == ACL_AF_INET6) == v6) {
					*a = p->ips[i];
					return;
				}
			}
		}
	}
	at_addr(a, v6 ? out6[pick(s, 3)] : out4[pick(s, 4)]);
}

/* Letters seen (A, D, U), to show the draws exercise every outcome. */
static uint32_t tally[128];

/* Draw packets; compare each direction with the reference. */
static void
compare(const struct acl_model *m, const struct acl_ruleset *rs,
		bool all_local, uint32_t seed, uint32_t n_packets)
{
	static const uint16_t dports[] = { 53, 80, 81, 90, 8080, 9000 };
	static const uint8_t pr[] = { TCP, UDP, SCTP, ICMP };
	uint32_t s = seed_of(seed, 999), i;
	struct acl_flow_verdict v;
	struct ref_verdict rv;
	struct acl_flow f;

	for (i = 0; i < n_packets; i++) {
		bool v6 = pick(&s, 4) == 0;

		memset(&f, 0, sizeof(f));
		rand_addr(&s, m, v6, &f.src);
		rand_addr(&s, m, v6, &f.dst);
		f.proto = pr[pick(&s, 4)];
		f.dport = f.proto == ICMP ? 0 : dports[pick(&s, 6)];
		f.sport = f.proto == ICMP ? 0 : 33000;
		assert_int_equal(acl_ruleset_check(rs, &f, &v), 0);
		ref_check(m, &f.src, &f.dst, f.proto, f.dport, all_local, &rv);
		tally[(int)rv.egress]++;
		tally[(int)rv.ingress]++;
		if (at_letter(v.egress) != rv.egress ||
				at_letter(v.ingress) != rv.ingress)
			fail_msg("seed %u packet %u (proto %u dport %u, %s): "
				"compiled %c%c, reference %c%c", seed, i,
				f.proto, f.dport, v6 ? "v6" : "v4",
				at_letter(v.egress), at_letter(v.ingress),
				rv.egress, rv.ingress);
	}
}

static struct acl_ruleset *
compile(const struct acl_model *m, bool all_local, uint32_t bucket_rules,
		const struct acl_ruleset *prev)
{
	/* Two build threads now and then: the result must not change. */
	struct acl_compile_opts o = { .name = "rnd", .all_local = all_local,
		.prev = prev, .bucket_rules = bucket_rules,
		.build_threads = bucket_rules % 3 == 2 ? 2 : 1 };
	struct acl_ruleset *rs;
	struct acl_err err;

	rs = acl_compile(m, &o, &err);
	if (rs == NULL)
		fail_msg("acl_compile: %s", err.msg);
	return rs;
}

/* Random clusters, fresh compiles, only-local and all-local. */
static void
test_random_vs_reference(void **state)
{
	struct acl_ruleset *rs;
	struct acl_model *m;
	uint32_t seed;
	bool all;

	(void)state;
	at_eal_init();
	for (seed = 1; seed <= N_MODELS; seed++) {
		all = seed % 3 != 0;
		m = gen(seed, 3 + seed % 9, 2 + seed % 5, 0);
		/* Tiny buckets in some: many groups share contexts. */
		rs = compile(m, all, seed % 2 ? 2 : 0, NULL);
		compare(m, rs, all, seed, N_PACKETS);
		acl_ruleset_free(rs);
		acl_model_free(m);
	}
	print_message("verdicts seen: %u allowed, %u denied, %u not isolated\n",
		tally['A'], tally['D'], tally['U']);
	/* A draw that never allows or never denies would test little. */
	assert_true(tally['A'] > N_MODELS * N_PACKETS / 20);
	assert_true(tally['D'] > N_MODELS * N_PACKETS / 20);
}

/*
 * Recompile with prev after changing one pod or one policy: the result
 * must match the reference for the new model, whatever was shared; prev
 * is freed first, so shared contexts must survive it.
 */
static void
test_random_recompile(void **state)
{
	struct acl_ruleset *a, *b, *c;
	struct acl_model *m1, *m2;
	uint32_t seed, np, nq;

	(void)state;
	at_eal_init();
	for (seed = 1; seed <= N_MODELS / 2; seed++) {
		np = 4 + seed % 7;
		nq = 2 + seed % 4;
		m1 = gen(seed, np, nq, 0);
		m2 = gen(seed, np, nq, 1 + seed % (np + nq));
		a = compile(m1, true, seed % 2 ? 3 : 0, NULL);
		b = compile(m2, true, seed % 2 ? 3 : 0, a);
		acl_ruleset_free(a);
		compare(m2, b, true, seed, N_PACKETS / 2);
		c = compile(m1, true, seed % 2 ? 3 : 0, b);     /* and back */
		acl_ruleset_free(b);
		compare(m1, c, true, seed, N_PACKETS / 2);
		acl_ruleset_free(c);
		acl_model_free(m1);
		acl_model_free(m2);
	}
}

/*
 * Many independent namespaces; one changed policy rebuilds only its own
 * buckets: most contexts are shared, few are built, and the same model
 * recompiled against itself builds nothing.
 */
static void
test_recompile_shares(void **state)
{
	struct acl_ruleset_stats st;
	struct acl_ruleset *a, *b, *c;
	struct acl_model *m = at_model();
	struct acl_netpol *p;
	struct acl_rule *r;
	char ns[16], ip[32];
	uint32_t i;

	(void)state;
	for (i = 0; i < 40; i++) {
		snprintf(ns, sizeof(ns), "ns%u", i);
		snprintf(ip, sizeof(ip), "10.1.%u.1", i);
		at_pod(m, ns, "srv", "app=srv", ip, "", true);
		snprintf(ip, sizeof(ip), "10.1.%u.2", i);
		at_pod(m, ns, "cli", "app=cli", ip, "", true);
		p = at_pol(m, ns, "p", "app=srv", "Ingress");
		r = at_rule(p, ACL_DIR_INGRESS);
		at_peer_pod(r, "app=cli");
		at_port(r, TCP, (uint16_t)(1000 + i), 0);
	}
	at_eal_init();
	a = compile(m, true, 8, NULL);
	acl_ruleset_get_stats(a, &st);
	assert_true(st.n_contexts >= 5);        /* 40 rules / 8 per bucket */
	assert_int_equal(st.n_contexts_reused, 0);

	b = compile(m, true, 8, a);
	acl_ruleset_get_stats(b, &st);
	assert_int_equal(st.n_contexts_built, 0);
	assert_true(st.n_contexts_reused >= 5);

	m->policies[7].ingress[0].ports[0].port = 7;
	c = compile(m, true, 8, b);
	acl_ruleset_get_stats(c, &st);
	assert_int_equal(st.n_contexts_built, 1);
	assert_true(st.n_contexts_reused >= 4);
	acl_ruleset_free(a);
	acl_ruleset_free(b);
	compare(m, c, true, 7, N_PACKETS);
	acl_ruleset_free(c);
	acl_model_free(m);
}

int
test_acl_random_run(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_random_vs_reference),
		cmocka_unit_test(test_random_recompile),
		cmocka_unit_test(test_recompile_shares),
	};

	return cmocka_run_group_tests_name("acl_random", tests, NULL, NULL);
}
