/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bench_acl.c: figures of the policy compiler (acl/): full compile time and
 * memory for 100, 1,000 and 10,000 pods (10 pods per policy), the
 * recompile of one changed policy with opts->prev, the classify rate of
 * one core for 10, 50, 1,000 and 10,000 rules in one group, and a group of
 * 100 policies x 100 rules classified by level 0 (100 contexts) and by its
 * merged context (acl_merge.c).
 *
 * Run: bench_acl [--huge] [bucket_rules [build_threads]]
 * (default --no-huge -m 2048: first-touch page faults then count in the
 * compile times, so hugepages give somewhat better numbers.)
 *
 * The synthetic cluster: 200 pods per namespace (team=t<ns%4>), apps of 10
 * pods (app=a<k>, tier=<k%3>, version=v<i%2>: two identities per app),
 * every pod with http/TCP/8080, half with metrics/TCP/9090, one in ten
 * dual-stack. Policy k selects app a<k> and allows ingress from the
 * previous app (8080), from front-tier pods of two teams (named port http)
 * and from an ipBlock with an except (443); one in four also restricts
 * egress (next app 5432, DNS to kube-system, the internet but 10/8).
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <rte_acl.h>
#include <rte_byteorder.h>
#include <rte_eal.h>
#include <rte_lcore.h>

#include "acl_fields.h"
#include "acl_model.h"
#include "acl_ruleset.h"

static double
now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

/*
 * CPU time of this thread: the machine is shared, so wall time counts
 * other people's work too. Rates and compile costs are quoted in CPU time
 * (wall time printed beside). Build helper threads are not counted: with
 * build_threads > 1 read the wall time.
 */
static double
cpu_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
	return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static void *
xcalloc(size_t n, size_t sz)
{
	void *p = calloc(n ? n : 1, sz);

	if (p == NULL) {
		fprintf(stderr, "out of memory\n");
		exit(1);
	}
	return p;
}

static char *
xfmt(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static char *
xfmt(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0) {
		fprintf(stderr, "out of memory\n");
		exit(1);
	}
	va_end(ap);
	return s;
}

static void
label(struct acl_labels *l, const char *k, char *v)
{
	l->v[l->n].key = strdup(k);
	l->v[l->n++].value = v;
}

static void
sel1(struct acl_selector *s, const char *k, char *v)
{
	s->match_labels.v = xcalloc(1, sizeof(struct acl_label));
	label(&s->match_labels, k, v);
}

static void
pod_fill(struct acl_pod *p, uint32_t i)
{
	uint32_t ns = i / 200, app = i / 10;

	p->ns = xfmt("ns%u", ns);
	p->name = xfmt("pod%u", i);
	p->labels.v = xcalloc(3, sizeof(struct acl_label));
	label(&p->labels, "app", xfmt("a%u", app));
	label(&p->labels, "tier", xfmt("%u", app % 3));
	label(&p->labels, "version", xfmt("v%u", i % 2));
	p->n_ports = i % 2 ? 2 : 1;
	p->ports = xcalloc(2, sizeof(*p->ports));
	p->ports[0] = (struct acl_named_port){ strdup("http"),
		ACL_PROTO_TCP, 8080 };
	p->ports[1] = (struct acl_named_port){ strdup("metrics"),
		ACL_PROTO_TCP, 9090 };
	p->n_ips = i % 10 == 0 ? 2 : 1;
	p->ips = xcalloc(2, sizeof(*p->ips));
	p->ips[0].family = ACL_AF_INET;
	p->ips[0].addr[0] = 10;
	p->ips[0].addr[1] = (uint8_t)(i >> 16);
	p->ips[0].addr[2] = (uint8_t)(i >> 8);
	p->ips[0].addr[3] = (uint8_t)i;
	p->ips[1].family = ACL_AF_INET6;
	p->ips[1].addr[0] = 0xfd;
	p->ips[1].addr[14] = (uint8_t)(i >> 8);
	p->ips[1].addr[15] = (uint8_t)i;
	p->local = true;
}

static void
port_num(struct acl_port *p, uint8_t proto, uint16_t port)
{
	*p = (struct acl_port){ proto, true, port, 0, NULL };
}

static void
prefix(struct acl_prefix *p, uint8_t a, uint8_t b, uint8_t c, uint8_t len)
{
	*p = (struct acl_prefix){ ACL_AF_INET, len, { a, b, c, 0 } };
}

static void
ingress_fill(struct acl_netpol *p, uint32_t k, uint32_t n_apps, uint32_t ns)
{
	struct acl_rule *r;

	p->n_ingress = 3;
	p->ingress = xcalloc(3, sizeof(*r));
	r = &p->ingress[0];             /* previous app, same namespace */
	r->n_peers = r->n_ports = 1;
	r->peers = xcalloc(1, sizeof(*r->peers));
	r->peers[0].has_pod_sel = true;
	sel1(&r->peers[0].pod_sel, "app", xfmt("a%u", (k + n_apps - 1) % n_apps));
	r->ports = xcalloc(1, sizeof(*r->ports));
	port_num(&r->ports[0], ACL_PROTO_TCP, 8080);
	r = &p->ingress[1];             /* front tier of two teams, named */
	r->n_peers = 2;
	r->n_ports = 1;
	r->peers = xcalloc(2, sizeof(*r->peers));
	r->peers[0].has_ns_sel = r->peers[0].has_pod_sel = true;
	sel1(&r->peers[0].ns_sel, "team", xfmt("t%u", ns % 4));
	sel1(&r->peers[0].pod_sel, "tier", strdup("0"));
	r->peers[1].has_ns_sel = true;
	sel1(&r->peers[1].ns_sel, "kubernetes.io/metadata.name",
		strdup("monitoring"));
	r->ports = xcalloc(1, sizeof(*r->ports));
	r->ports[0] = (struct acl_port){ ACL_PROTO_TCP, true, 0, 0,
		strdup("http") };
	r = &p->ingress[2];             /* load balancers */
	r->n_peers = r->n_ports = 1;
	r->peers = xcalloc(1, sizeof(*r->peers));
	r->peers[0].has_ipblock = true;
	prefix(&r->peers[0].ipblock.cidr, 10, 200, 0, 16);
	r->peers[0].ipblock.n_except = 1;
	r->peers[0].ipblock.except = xcalloc(1, sizeof(struct acl_prefix));
	prefix(&r->peers[0].ipblock.except[0], 10, 200, (uint8_t)k, 24);
	r->ports = xcalloc(1, sizeof(*r->ports));
	port_num(&r->ports[0], ACL_PROTO_TCP, 443);
}

static void
egress_fill(struct acl_netpol *p, uint32_t k, uint32_t n_apps)
{
	struct acl_rule *r;

	p->type_egress = true;
	p->n_egress = 3;
	p->egress = xcalloc(3, sizeof(*r));
	r = &p->egress[0];              /* next app's database port */
	r->n_peers = r->n_ports = 1;
	r->peers = xcalloc(1, sizeof(*r->peers));
	r->peers[0].has_pod_sel = true;
	sel1(&r->peers[0].pod_sel, "app", xfmt("a%u", (k + 1) % n_apps));
	r->ports = xcalloc(1, sizeof(*r->ports));
	port_num(&r->ports[0], ACL_PROTO_TCP, 5432);
	r = &p->egress[1];              /* DNS */
	r->n_peers = r->n_ports = 1;
	r->peers = xcalloc(1, sizeof(*r->peers));
	r->peers[0].has_ns_sel = true;
	sel1(&r->peers[0].ns_sel, "kubernetes.io/metadata.name",
		strdup("kube-system"));
	r->ports = xcalloc(1, sizeof(*r->ports));
	port_num(&r->ports[0], ACL_PROTO_UDP, 53);
	r = &p->egress[2];              /* the internet, not the cluster */
	r->n_peers = r->n_ports = 1;
	r->peers = xcalloc(1, sizeof(*r->peers));
	r->peers[0].has_ipblock = true;
	prefix(&r->peers[0].ipblock.cidr, 0, 0, 0, 0);
	r->peers[0].ipblock.n_except = 1;
	r->peers[0].ipblock.except = xcalloc(1, sizeof(struct acl_prefix));
	prefix(&r->peers[0].ipblock.except[0], 10, 0, 0, 8);
	r->ports = xcalloc(1, sizeof(*r->ports));
	port_num(&r->ports[0], ACL_PROTO_TCP, 443);
}

static struct acl_model *
cluster(uint32_t n_pods)
{
	struct acl_model *m = xcalloc(1, sizeof(*m));
	uint32_t i, n_apps = n_pods / 10, n_ns = (n_pods + 199) / 200;
	struct acl_netpol *p;

	m->n_namespaces = n_ns;
	m->namespaces = xcalloc(n_ns, sizeof(*m->namespaces));
	for (i = 0; i < n_ns; i++) {
		m->namespaces[i].name = xfmt("ns%u", i);
		m->namespaces[i].labels.v = xcalloc(1, sizeof(struct acl_label));
		label(&m->namespaces[i].labels, "team", xfmt("t%u", i % 4));
	}
	m->n_pods = n_pods;
	m->pods = xcalloc(n_pods, sizeof(*m->pods));
	for (i = 0; i < n_pods; i++)
		pod_fill(&m->pods[i], i);
	m->n_policies = n_apps;
	m->policies = xcalloc(n_apps, sizeof(*m->policies));
	for (i = 0; i < n_apps; i++) {
		p = &m->policies[i];
		p->ns = xfmt("ns%u", i / 20);
		p->name = xfmt("allow-a%u", i);
		sel1(&p->pod_sel, "app", xfmt("a%u", i));
		p->type_ingress = true;
		ingress_fill(p, i, n_apps, i / 20);
		if (i % 4 == 0)
			egress_fill(p, i, n_apps);
	}
	return m;
}

static uint32_t build_threads;

static double last_wall;

static struct acl_ruleset *
compile(const struct acl_model *m, const struct acl_ruleset *prev,
		uint32_t bucket_rules, double *secs)
{
	struct acl_compile_opts o = { .name = "bench", .all_local = true,
		.prev = prev, .bucket_rules = bucket_rules,
		.socket_id = SOCKET_ID_ANY, .build_threads = build_threads };
	struct acl_ruleset *rs;
	struct acl_err err;
	double t0 = cpu_s(), w0 = now_s();

	rs = acl_compile(m, &o, &err);
	*secs = cpu_s() - t0;
	last_wall = now_s() - w0;
	if (rs == NULL) {
		fprintf(stderr, "compile: %s\n", err.msg);
		exit(1);
	}
	return rs;
}

static void
print_stats(const char *what, const struct acl_ruleset *rs, double secs)
{
	struct acl_ruleset_stats st;

	acl_ruleset_get_stats(rs, &st);
	printf("%-32s %7.1f ms cpu (%7.1f wall)  ids %5u  slices %4u+%-4u "
		"groups %4u+%-4u contexts %4u (built %4u, shared %4u)  rules %6"
		PRIu64 "  mem %5.1f MB (rte_acl %.1f MB)\n", what, secs * 1e3,
		last_wall * 1e3,
		st.n_identities, st.n_slices[ACL_DIR_INGRESS],
		st.n_slices[ACL_DIR_EGRESS], st.n_groups[ACL_DIR_INGRESS],
		st.n_groups[ACL_DIR_EGRESS],
		st.n_contexts, st.n_contexts_built, st.n_contexts_reused,
		st.n_rules, st.mem_size / 1048576.0,
		st.acl_mem_size / 1048576.0);
}

static int
dbl_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/*
 * Recompiles with prev: unchanged, then one policy's port flipping back
 * and forth (policy 501: its ingress[0] peer, app a500, is in its own
 * namespace, so the port is in its rules). Median and min of 9 runs.
 */
static void
bench_recompile(struct acl_model *m, struct acl_ruleset *rs,
		uint32_t bucket_rules)
{
	struct acl_ruleset *prev = rs, *next;
	double t[9], s;
	uint16_t *port = &m->policies[501].ingress[0].ports[0].port;
	int k, loops = getenv("ACL_BENCH_LOOPS") ? atoi(getenv("ACL_BENCH_LOOPS")) : 0;

	next = compile(m, prev, bucket_rules, &s);
	print_stats("  recompile, nothing changed", next, s);
	prev = next;
	for (k = 0; k < 9; k++) {
		*port = *port == 8080 ? 8081 : 8080;
		next = compile(m, prev, bucket_rules, &t[k]);
		if (k == 0)
			print_stats("  recompile, one policy changed", next,
				t[k]);
		acl_ruleset_free(prev);
		prev = next;
	}
	for (k = 0; k < loops; k++) {      /* for profiling: perf record */
		*port = *port == 8080 ? 8081 : 8080;
		next = compile(m, prev, bucket_rules, &s);
		acl_ruleset_free(prev);
		prev = next;
	}
	qsort(t, 9, sizeof(t[0]), dbl_cmp);
	printf("  one policy changed, 9 runs: median %.1f ms, min %.1f ms "
		"(cpu)\n", t[4] * 1e3, t[0] * 1e3);
	acl_ruleset_free(prev);
}

static void
bench_compile(uint32_t bucket_rules)
{
	static const uint32_t sizes[] = { 100, 1000, 10000 };
	struct acl_ruleset *rs;
	struct acl_model *m;
	char what[64];
	double s;
	uint32_t i;

	for (i = 0; i < 3; i++) {
		m = cluster(sizes[i]);
		rs = compile(m, NULL, bucket_rules, &s);
		snprintf(what, sizeof(what), "full %u pods %u policies",
			sizes[i], m->n_policies);
		print_stats(what, rs, s);
		if (sizes[i] == 10000)
			bench_recompile(m, rs, bucket_rules);
		acl_ruleset_free(rs);
		acl_model_free(m);
	}
}

/*
 * Ten pods of one app selected by one policy with n ingress rules (each an
 * ipBlock /24 and a port): one group, one context of n rules.
 */
static struct acl_model *
one_group(uint32_t n)
{
	struct acl_model *m = xcalloc(1, sizeof(*m));
	struct acl_netpol *p;
	struct acl_rule *r;
	uint32_t i;

	m->n_pods = 10;
	m->pods = xcalloc(10, sizeof(*m->pods));
	for (i = 0; i < 10; i++)
		pod_fill(&m->pods[i], i);
	m->n_policies = 1;
	m->policies = p = xcalloc(1, sizeof(*p));
	p->ns = strdup("ns0");
	p->name = strdup("many");
	sel1(&p->pod_sel, "app", strdup("a0"));
	p->type_ingress = true;
	p->ingress = xcalloc(n, sizeof(*r));
	p->n_ingress = n;
	for (i = 0; i < n; i++) {
		r = &p->ingress[i];
		r->n_peers = r->n_ports = 1;
		r->peers = xcalloc(1, sizeof(*r->peers));
		r->peers[0].has_ipblock = true;
		prefix(&r->peers[0].ipblock.cidr, 172, (uint8_t)(16 + i % 16),
			(uint8_t)(i / 16), 24);
		r->ports = xcalloc(1, sizeof(*r->ports));
		port_num(&r->ports[0], ACL_PROTO_TCP, (uint16_t)(1000 + i % 100));
	}
	return m;
}

static void
bench_classify_one(uint32_t n_rules)
{
	enum { N_KEYS = 4096, BURST = 64, ROUNDS = 300 };
	static struct acl_key4 keys[N_KEYS];
	static const uint8_t *kp[N_KEYS];
	static uint32_t res[BURST];
	struct acl_model *m = one_group(n_rules);
	struct acl_ruleset *rs;
	const struct acl_endpoint *e;
	struct acl_addr a = { ACL_AF_INET, { 10, 0, 0, 0 } };
	uint64_t allowed = 0;
	uint32_t i, r, g, k;
	double s, t0;

	rs = compile(m, NULL, 100000, &s);
	e = acl_ruleset_lookup(rs, &a);
	g = e->group[ACL_DIR_INGRESS];
	/* Half the keys hit some rule (its /24 and port), half miss. */
	srand(1);
	for (i = 0; i < N_KEYS; i++) {
		uint32_t x = (uint32_t)rand(), j = x % n_rules;
		uint32_t a4 = 0xac000000u | (16 + j % 16) << 16 |
			(j / 16 % 256) << 8 | (x >> 8 & 0xff);
		uint16_t port = (uint16_t)(1000 + j % 100 + (x & 1 ? 0 : 100));

		acl_key4_fill(&keys[i], g, 0, ACL_PROTO_TCP,
			rte_cpu_to_be_32(a4), rte_cpu_to_be_16(40000),
			rte_cpu_to_be_16(port));
		kp[i] = (const uint8_t *)&keys[i];
	}
	t0 = cpu_s();
	for (r = 0; r < ROUNDS; r++) {
		for (i = 0; i < N_KEYS; i += BURST) {
			acl_classify(rs, ACL_DIR_INGRESS, ACL_AF_INET, g,
				kp + i, res, BURST);
			if (r == 0)
				for (k = 0; k < BURST; k++)
					allowed += res[k] != ACL_VERDICT_DENY;
		}
	}
	s = cpu_s() - t0;
	printf("classify %5u rules in one context  %6.1f M lookups/s on one "
		"core (%.0f ns cpu each, bursts of %u; %.0f%% allowed)\n", n_rules,
		(double)ROUNDS * N_KEYS / s / 1e6,
		s * 1e9 / ((double)ROUNDS * N_KEYS), BURST,
		100.0 * (double)allowed / N_KEYS);
	acl_ruleset_free(rs);
	acl_model_free(m);
}

/*
 * The new-flow benchmark's shape (tests/bench/run.sh, mkpolicy.py): n_pol
 * policies of n_rules ingress rules each (ipBlock 10.<100+p>.<i>.0/24 and
 * a port), all selecting the same ten pods: one group of n_pol slices, in
 * n_pol buckets. Level 0 classifies a key once per slice; the merged
 * context once.
 */
static struct acl_model *
many_policies(uint32_t n_pol, uint32_t n_rules)
{
	struct acl_model *m = xcalloc(1, sizeof(*m));
	struct acl_netpol *p;
	struct acl_rule *r;
	uint32_t i, k;

	m->n_pods = 10;
	m->pods = xcalloc(10, sizeof(*m->pods));
	for (i = 0; i < 10; i++)
		pod_fill(&m->pods[i], i);
	m->n_policies = n_pol;
	m->policies = xcalloc(n_pol, sizeof(*m->policies));
	for (k = 0; k < n_pol; k++) {
		p = &m->policies[k];
		p->ns = strdup("ns0");
		p->name = xfmt("p%u", k);
		sel1(&p->pod_sel, "app", strdup("a0"));
		p->type_ingress = true;
		p->ingress = xcalloc(n_rules, sizeof(*r));
		p->n_ingress = n_rules;
		for (i = 0; i < n_rules; i++) {
			r = &p->ingress[i];
			r->n_peers = r->n_ports = 1;
			r->peers = xcalloc(1, sizeof(*r->peers));
			r->peers[0].has_ipblock = true;
			prefix(&r->peers[0].ipblock.cidr, 10,
				(uint8_t)(100 + k), (uint8_t)i, 24);
			r->ports = xcalloc(1, sizeof(*r->ports));
			port_num(&r->ports[0], ACL_PROTO_TCP,
				(uint16_t)(1000 + i));
		}
	}
	return m;
}

/* ns per key of rounds x n keys in bursts of 64 (CPU time). */
static double
classify_ns(const struct acl_ruleset *rs, uint32_t g, const uint8_t **kp,
		uint32_t n, uint32_t rounds, uint64_t *allowed)
{
	static uint32_t res[64];
	uint32_t r, i, k;
	double t0 = cpu_s();

	*allowed = 0;
	for (r = 0; r < rounds; r++) {
		for (i = 0; i + 64 <= n; i += 64) {
			acl_classify(rs, ACL_DIR_INGRESS, ACL_AF_INET, g,
				kp + i, res, 64);
			for (k = 0; k < 64 && r == 0; k++)
				*allowed += res[k] != ACL_VERDICT_DENY;
		}
	}
	return (cpu_s() - t0) * 1e9 / ((double)rounds * n);
}

static void
bench_classify_merged(uint32_t n_pol, uint32_t n_rules)
{
	enum { N_KEYS = 4096 };
	static struct acl_key4 keys[N_KEYS];
	static const uint8_t *kp[N_KEYS];
	struct acl_model *m = many_policies(n_pol, n_rules);
	struct acl_addr a = { ACL_AF_INET, { 10, 0, 0, 0 } };
	struct acl_ruleset_stats st;
	const struct acl_endpoint *e;
	struct acl_ruleset *rs;
	struct acl_merge *mg;
	uint64_t hit0, hit1;
	double s, ns0, ns1, t, tp;
	uint32_t i, g;

	rs = compile(m, NULL, 0, &s);
	e = acl_ruleset_lookup(rs, &a);
	g = e->group[ACL_DIR_INGRESS];
	srand(2);
	for (i = 0; i < N_KEYS; i++) {
		uint32_t x = (uint32_t)rand(), k = x % n_pol,
			j = (x >> 8) % n_rules;
		uint32_t a4 = 10u << 24 | (100 + k) << 16 | j << 8 | (x & 0xff);
		/* Half hit (the rule's port), half miss. */
		uint16_t port = (uint16_t)(1000 + j + (x >> 20 & 1) * 300);

		acl_key4_fill(&keys[i], g, 0, ACL_PROTO_TCP,
			rte_cpu_to_be_32(a4), rte_cpu_to_be_16(40000),
			rte_cpu_to_be_16(port));
		kp[i] = (const uint8_t *)&keys[i];
	}
	ns0 = classify_ns(rs, g, kp, N_KEYS, 10, &hit0);
	t = now_s();
	mg = acl_merge_plan(rs, NULL, NULL);
	tp = now_s() - t;
	if (mg == NULL || acl_merge_build(mg) != 0 ||
			acl_merge_attach(rs, mg) != 0) {
		printf("merge of %u x %u rules failed\n", n_pol, n_rules);
		exit(1);
	}
	t = now_s() - t;
	acl_merge_free(mg);
	acl_ruleset_get_stats(rs, &st);
	ns1 = classify_ns(rs, g, kp, N_KEYS, 300, &hit1);
	printf("classify one group of %u slices x %u rules: level 0 %.0f ns "
		"cpu a key, merged %.1f ns (%u merged context, %" PRIu64
		" rules, %.1f MB, planned in %.2f ms, built in %.0f ms wall); "
		"%.0f%% allowed, %s\n", n_pol, n_rules, ns0, ns1, st.n_merged,
		st.n_merged_rules, st.merged_mem_size / 1e6, tp * 1e3, t * 1e3,
		100.0 * (double)hit1 / N_KEYS,
		hit0 == hit1 ? "same allows" : "ALLOWS DIFFER");
	acl_ruleset_free(rs);
	acl_model_free(m);
}

int
main(int argc, char **argv)
{
	static const uint32_t rules[] = { 10, 50, 1000, 10000 };
	char *eal[] = { "bench_acl", "--no-huge", "-m", "2048", "--no-pci",
		"--no-shconf", "-l", "0", "--file-prefix=bench-acl",
		"--log-level=lib.eal:error", getenv("ACL_BENCH_DEBUG") ? "--log-level=npvs.acl:debug" : "--log-level=npvs.acl:warning",
		"--no-telemetry", NULL };
	uint32_t bucket_rules = 0, i;
	int n_eal = 12, a = 1;

	if (argc > 1 && strcmp(argv[1], "--huge") == 0) {
		eal[1] = "--in-memory";
		a++;
	}
	if (argc > a)
		bucket_rules = (uint32_t)atoi(argv[a]);
	if (argc > a + 1)
		build_threads = (uint32_t)atoi(argv[a + 1]);
	if (rte_eal_init(n_eal, eal) < 0) {
		fprintf(stderr, "rte_eal_init failed\n");
		return 1;
	}
	printf("acl bench: bucket_rules %u (0: default), build_threads %u\n",
		bucket_rules, build_threads);
	bench_compile(bucket_rules);
	for (i = 0; i < 4; i++)
		bench_classify_one(rules[i]);
	bench_classify_merged(100, 100);
	rte_eal_cleanup();
	return 0;
}
