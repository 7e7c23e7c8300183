/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bench_ct.c: a deterministic driver of the data path with conntrack and
 * policy, for instruction counts (callgrind) and a rough ns/packet on an
 * idle core. No generator process, no second lcore: the calling thread is
 * the worker (n_workers 0), frames go in and out through ring ports
 * (tests/vswitch/vs_test_util.h), so run after run executes the same
 * instructions.
 *
 *   bench_ct tput FLOWS RULES BURSTS     two-way flows (request, reply),
 *                                        established by a first pass, then
 *                                        BURSTS bursts of 32 frames
 *   bench_ct newflow FLOWS RULES         FLOWS one-way requests, each a new
 *                                        flow, once
 *   bench_ct run FLOWS RULES BURSTS      as tput, then bursts of 32 requests
 *                                        of one flow each (runs of one
 *                                        flow, vswitch/vs_runs.c: what a
 *                                        pod sending one flow fast gives)
 *
 * The traffic and the policy are those of tests/bench/run.sh (mkpcap.py,
 * mkpolicy.py): clients app=bench-client 10.0.0.10.. on port "gen",
 * server app=bench-server 10.0.0.2:5000 on port "sink", 60-byte UDP
 * frames; RULES ingress rules isolate the server, the last one allows
 * the clients. RULES 0: pods only (nothing isolated). The run starts once
 * the policy's merged contexts are attached, as in run.sh
 * (NPVS_POLICY_MERGE=0: level 0 only).
 *
 * Instruction counts of the switch alone (valgrind has no AVX-512, so
 * name the method: what vs_create() measures under valgrind varies):
 *   BENCH_CT_ALG=sse valgrind --tool=callgrind \
 *       --toggle-collect=vs_burst_process \
 *       BUILD/tests/bench/bench_ct newflow 20000 10
 *   callgrind_annotate --inclusive=yes callgrind.out.PID | head -40
 * then divide by the packets (printed). For times (perf record -e
 * cpu-clock), set BENCH_CT_HUGE=1: EAL memory in hugepages (--in-memory),
 * as npvsd has it, instead of --no-huge, whose 4 KiB pages fault on the
 * first write of each table line. The classify method is the one
 * vs_create() chose (as npvsd's), or BENCH_CT_ALG (sse, avx512x16...).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include <rte_cycles.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_udp.h>

#include "acl_test.h"
#include "vs_test_util.h"

#define SERVER_IP TU_IP(10, 0, 0, 2)
#define CLIENT_IP0 10u                  /* 10.0.0.10 ... */
#define SERVER_PORT 5000
#define PORTS_PER_CLIENT 60000u
#define FRAME_LEN 60
#define BURST 32
#define RULES_PER_POL 100

enum { GEN, SINK };

static struct tu T;
static struct rte_mempool *pool;

static unsigned int
n_clients(unsigned int flows)
{
	return (flows + PORTS_PER_CLIENT - 1) / PORTS_PER_CLIENT;
}

static void
mac_of(uint32_t ip, uint8_t mac[6])
{
	mac[0] = 0x02;
	mac[1] = 0;
	mac[2] = (uint8_t)(ip >> 24);
	mac[3] = (uint8_t)(ip >> 16);
	mac[4] = (uint8_t)(ip >> 8);
	mac[5] = (uint8_t)ip;
}

static void
frame(uint8_t *buf, const uint8_t *router, uint32_t sip, uint32_t dip,
		uint16_t sp, uint16_t dp)
{
	struct rte_ether_hdr *eth = (void *)buf;
	struct rte_ipv4_hdr *ip = (void *)(eth + 1);
	struct rte_udp_hdr *u = (void *)(ip + 1);

	memset(buf, 0, FRAME_LEN);
	memcpy(&eth->dst_addr, router, 6);
	mac_of(sip, eth->src_addr.addr_bytes);
	eth->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV4);
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->total_length = rte_cpu_to_be_16(FRAME_LEN - sizeof(*eth));
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_UDP;
	ip->src_addr = rte_cpu_to_be_32(sip);
	ip->dst_addr = rte_cpu_to_be_32(dip);
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	u->src_port = rte_cpu_to_be_16(sp);
	u->dst_port = rte_cpu_to_be_16(dp);
	u->dgram_len = rte_cpu_to_be_16(FRAME_LEN - sizeof(*eth) -
			sizeof(*ip));
	u->dgram_cksum = rte_ipv4_udptcp_cksum(ip, u);
}

/*
 * As tests/bench/run.sh does, measure once the policy's merged contexts
 * are attached (built in the background): housekeeping attaches them.
 * NPVS_POLICY_MERGE=0 measures level 0.
 */
static void
merge_wait(const struct acl_ruleset *rs)
{
	struct acl_ruleset_stats st;
	uint64_t end = rte_get_timer_cycles() + 60 * rte_get_timer_hz();

	do {
		vs_housekeeping(T.vs);
		acl_ruleset_get_stats(rs, &st);
		if (st.n_merge_pending == 0)
			break;
		rte_delay_us_sleep(10000);
	} while (rte_get_timer_cycles() < end);
	printf("policy: %u merged contexts, %u pending\n", st.n_merged,
			st.n_merge_pending);
}

static void
policy(unsigned int clients, unsigned int rules)
{
	struct acl_model *m = at_model();
	struct acl_netpol *p = NULL;
	struct acl_compile_opts o = { .name = "bench", .all_local = true,
		.socket_id = SOCKET_ID_ANY, .prev = vs_policy_get(T.vs),
		.classify_alg = vs_policy_classify(T.vs)->chosen };
	struct acl_err e;
	struct acl_ruleset *rs;
	char name[32], ip[20], cidr[32];
	char err[256] = "";
	unsigned int k;

	/* As npvsd (ctl_store.c): the method vs_create chose, or this one. */
	if (getenv("BENCH_CT_ALG") != NULL &&
			acl_alg_from_name(getenv("BENCH_CT_ALG"),
			&o.classify_alg) < 0) {
		fprintf(stderr, "BENCH_CT_ALG: unknown method\n");
		exit(2);
	}
	printf("classify: %s\n", acl_alg_name(o.classify_alg));
	at_ns(m, "bench", "");
	at_pod(m, "bench", "server", "app=bench-server", "10.0.0.2", "", true);
	for (k = 0; k < clients; k++) {
		snprintf(name, sizeof(name), "client-%u", k);
		snprintf(ip, sizeof(ip), "10.0.0.%u", CLIENT_IP0 + k);
		at_pod(m, "bench", name, "app=bench-client", ip, "", true);
	}
	for (k = 0; k < rules; k++) {
		struct acl_rule *r;

		if (k % RULES_PER_POL == 0) {
			snprintf(name, sizeof(name), "rules-%03u",
					k / RULES_PER_POL);
			p = at_pol(m, "bench", name, "app=bench-server",
					"Ingress");
		}
		r = at_rule(p, ACL_DIR_INGRESS);
		if (k + 1 == rules) {
			at_peer_pod(r, "app=bench-client");
			at_port(r, UDP, SERVER_PORT, 0);
		} else {
			snprintf(cidr, sizeof(cidr), "172.16.%u.%u/32",
					k / 250, k % 250 + 1);
			at_peer_block(r, cidr, "");
			at_port(r, UDP, (uint16_t)(10000 + k), 0);
		}
	}
	rs = acl_compile(m, &o, &e);
	acl_model_free(m);
	if (rs == NULL) {
		fprintf(stderr, "acl_compile: %s\n", e.msg);
		exit(1);
	}
	if (vs_policy_publish(T.vs, rs, err, sizeof(err)) != 0) {
		fprintf(stderr, "publish: %s\n", err);
		exit(1);
	}
	merge_wait(rs);
}

static void
setup(unsigned int flows, unsigned int rules)
{
	struct vs_config c;
	uint8_t mac[6];
	unsigned int k;

	tu_config(&c, "bench_ct", 0);
	c.ct.max = flows + flows / 10 + 64;
	c.n_mbufs = 1024;
	c.mem_mb = 1024;
	/* Without hugepages, the first write to each 4 KiB page of the
	 * table faults: times then measure the kernel. */
	if (getenv("BENCH_CT_HUGE") != NULL) {
		c.no_huge = false;
		c.in_memory = true;
		c.mem_mb = 0;
	}
	tu_start(&T, &c);
	pool = rte_pktmbuf_pool_create("bench_ct", 4096, 256, 0,
			RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
	if (pool == NULL) {
		fprintf(stderr, "no mbuf pool\n");
		exit(1);
	}
	tu_port_add(&T, "gen", false);
	tu_port_add(&T, "sink", false);
	mac_of(SERVER_IP, mac);
	tu_endpoint_add(&T, "server", "sink", SERVER_IP, mac);
	for (k = 0; k < n_clients(flows); k++) {
		char name[32];
		uint32_t ip = TU_IP(10, 0, 0, CLIENT_IP0 + k);

		snprintf(name, sizeof(name), "client-%u", k);
		mac_of(ip, mac);
		tu_endpoint_add(&T, name, "gen", ip, mac);
	}
	policy(n_clients(flows), rules);
}

/* Frames: per flow its request, then (two_way) its reply. */
static uint8_t *
frames_make(unsigned int flows, bool two_way, unsigned int *n_out)
{
	const uint8_t *router = T.vs->snap->mac.addr_bytes;
	unsigned int per = two_way ? 2 : 1, f;
	uint8_t *buf = calloc((size_t)flows * per, FRAME_LEN);

	for (f = 0; f < flows; f++) {
		uint32_t cip = TU_IP(10, 0, 0, CLIENT_IP0 +
				f / PORTS_PER_CLIENT);
		uint16_t sp = (uint16_t)(1024 + f % PORTS_PER_CLIENT);
		uint8_t *b = buf + (size_t)f * per * FRAME_LEN;

		frame(b, router, cip, SERVER_IP, sp, SERVER_PORT);
		if (two_way)
			frame(b + FRAME_LEN, router, SERVER_IP, cip,
					SERVER_PORT, sp);
	}
	*n_out = flows * per;
	return buf;
}

/* From two-way frames: each flow's request BURST times in a row. */
static uint8_t *
frames_runs(uint8_t *two_way, unsigned int flows, unsigned int *n_out)
{
	uint8_t *buf = calloc((size_t)flows * BURST, FRAME_LEN);
	unsigned int f, k;

	for (f = 0; f < flows; f++)
		for (k = 0; k < BURST; k++)
			memcpy(buf + ((size_t)f * BURST + k) * FRAME_LEN,
					two_way + (size_t)f * 2 * FRAME_LEN,
					FRAME_LEN);
	free(two_way);
	*n_out = flows * BURST;
	return buf;
}

/* Frames [from, from + n) of the cycle into the switch, one poll. */
static void
burst(const uint8_t *frames, unsigned int n_frames, unsigned int from,
		unsigned int n)
{
	struct rte_mbuf *m[BURST];
	unsigned int i, got, p;

	if (rte_pktmbuf_alloc_bulk(pool, m, n) != 0) {
		fprintf(stderr, "out of mbufs\n");
		exit(1);
	}
	for (i = 0; i < n; i++) {
		char *d = rte_pktmbuf_append(m[i], FRAME_LEN);

		memcpy(d, frames + (size_t)((from + i) % n_frames) * FRAME_LEN,
				FRAME_LEN);
	}
	if (rte_ring_enqueue_burst(T.port[GEN].rx, (void **)m, n, NULL) != n) {
		fprintf(stderr, "rx ring full\n");
		exit(1);
	}
	vs_worker_poll(vs_worker_get(T.vs, 0));
	for (p = 0; p < T.n_ports; p++)
		while ((got = rte_ring_dequeue_burst(T.port[p].tx, (void **)m,
				BURST, NULL)) > 0)
			rte_pktmbuf_free_bulk(m, got);
}

static uint64_t
tx_total(void)
{
	struct vs_worker *w = vs_worker_get(T.vs, 0);
	uint64_t n = 0;
	unsigned int p;

	for (p = 0; p < T.n_ports; p++)
		n += w->ctr[T.port[p].port_id].tx_packets;
	return n;
}

static uint64_t
drops_total(void)
{
	uint64_t n = 0;
	int d;

	for (d = 0; d < VS_DROP_MAX; d++)
		n += tu_drops(&T, (enum vs_drop)d);
	return n;
}

/* This thread's CPU time: on a shared machine, without the time it
 * waited for a core (caches may still be shared). */
static uint64_t
thread_cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void
run(const uint8_t *frames, unsigned int n_frames, uint64_t packets,
		const char *what)
{
	uint64_t tx0 = tx_total(), d0 = drops_total(), t0, t1, i;
	double ns, cpu_ns;
	uint64_t c0 = thread_cpu_ns();

	t0 = rte_rdtsc();
	for (i = 0; i < packets; i += BURST)
		burst(frames, n_frames, (unsigned int)(i % n_frames),
				(unsigned int)RTE_MIN((uint64_t)BURST,
				packets - i));
	t1 = rte_rdtsc();
	ns = (double)(t1 - t0) * 1e9 / (double)rte_get_tsc_hz() /
			(double)packets;
	cpu_ns = (double)(thread_cpu_ns() - c0) / (double)packets;
	printf("%s: %" PRIu64 " packets, %" PRIu64 " forwarded, %" PRIu64
			" dropped, %.1f ns/packet (driver included), %.1f on "
			"the CPU\n", what, packets, tx_total() - tx0,
			drops_total() - d0, ns, cpu_ns);
}

int
main(int argc, char **argv)
{
	unsigned int flows, rules, n_frames;
	bool tput, runs;
	uint8_t *frames;

	runs = argc > 1 && strcmp(argv[1], "run") == 0;
	if (argc < 4 || (strcmp(argv[1], "tput") != 0 && !runs &&
			strcmp(argv[1], "newflow") != 0) ||
			(strcmp(argv[1], "newflow") != 0 && argc < 5)) {
		fprintf(stderr, "usage: bench_ct tput|run FLOWS RULES BURSTS | "
				"bench_ct newflow FLOWS RULES\n");
		return 2;
	}
	tput = strcmp(argv[1], "newflow") != 0;
	flows = (unsigned int)strtoul(argv[2], NULL, 0);
	rules = (unsigned int)strtoul(argv[3], NULL, 0);
	if (flows == 0 || n_clients(flows) > 200) {
		fprintf(stderr, "FLOWS: 1 to %u\n", 200 * PORTS_PER_CLIENT);
		return 2;
	}
	setup(flows, rules);
	frames = frames_make(flows, tput, &n_frames);
	if (tput) {
		/* The first pass establishes every flow. */
		run(frames, n_frames, n_frames, "establish");
		if (runs)
			frames = frames_runs(frames, flows, &n_frames);
		run(frames, n_frames, (uint64_t)strtoull(argv[4], NULL, 0) *
				BURST, runs ? "established, runs of 32" :
				"established");
	} else {
		run(frames, n_frames, n_frames, "new flows");
	}
	free(frames);
	tu_stop(&T);
	return 0;
}
