/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bench_vxlan.c: one core's VXLAN encapsulation and decapsulation rates,
 * next to a "local forwarding" baseline doing a router's work on the same
 * frames without a tunnel (MAC rewrite, TTL decrement with an incremental
 * checksum update). Prints Mpps, ns/packet and the ratio to the baseline.
 *
 * Method: a working set of 1024 mbufs holding 60-byte inner frames (64 on
 * the wire with the FCS), 1024 flows, processed in bursts of 32. Only the
 * burst call is timed (rdtsc around it); between passes the work is undone
 * untimed (encap: adj 50 bytes; decap: prepend them back, the bytes are
 * still there), so every pass sees the same frames. Each figure is the best
 * of 5 runs, to keep other load on the machine out of it.
 *
 * Usage: bench_vxlan [--no-huge] [passes]   (default 2000 passes)
 * Built by meson, not run by the test suite (docs/tunnels.md has figures).
 */
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_udp.h>

#include "vxlan.h"

#define NB_MBUF 1024
#define BURST 32
#define RUNS 5
#define INNER_LEN 60

static struct rte_mbuf *pkts[NB_MBUF];
static const struct vxlan_dst *dsts[BURST];
static uint8_t res[BURST];
static struct vxlan_ctx node_a, node_b;
static struct vxlan_dst to_b;
static struct vxlan_lcore lc;

/* ---- setup ---- */

static int
eal_init(const char *prog, int no_huge)
{
	char prefix[64];
	char *argv[16];
	int argc = 0;

	snprintf(prefix, sizeof(prefix), "--file-prefix=bench-tun-%d",
			(int)getpid());
	argv[argc++] = (char *)prog;
	argv[argc++] = "-l";
	argv[argc++] = "0";
	argv[argc++] = "--no-pci";
	argv[argc++] = no_huge ? "--no-shconf" : "--in-memory";
	if (no_huge)
		argv[argc++] = "--no-huge";
	argv[argc++] = "-m";
	argv[argc++] = "256";
	argv[argc++] = "--no-telemetry";
	argv[argc++] = "--log-level=error";
	argv[argc++] = prefix;
	return rte_eal_init(argc, argv);
}

/* Node A 192.168.50.1 sends to node B 192.168.50.2, VNI 1, port 8472. */
static void
ctx_init(void)
{
	static const struct rte_ether_addr a_mac = {{ 2, 0, 0, 0, 0, 1 }};
	static const struct rte_ether_addr b_mac = {{ 2, 0, 0, 0, 0, 2 }};
	static const struct rte_ether_addr a_vtep = {{ 0xa, 0, 0, 0, 0, 1 }};
	static const struct rte_ether_addr b_vtep = {{ 0xa, 0, 0, 0, 0, 2 }};

	vxlan_ctx_defaults(&node_a);
	node_a.local_ip = rte_cpu_to_be_32(RTE_IPV4(192, 168, 50, 1));
	node_a.local_mac = a_mac;
	node_a.vtep_mac = a_vtep;
	node_b = node_a;
	node_b.local_ip = rte_cpu_to_be_32(RTE_IPV4(192, 168, 50, 2));
	node_b.local_mac = b_mac;
	node_b.vtep_mac = b_vtep;
	to_b.ip = node_b.local_ip;
	to_b.vni = 1;
	to_b.mac = b_mac;
	to_b.vtep_mac = b_vtep;
}

/* A pod's UDP frame 10.244.1.5:sport -> 10.244.2.7:2000, 60 bytes. */
static void
fill_inner(struct rte_mbuf *m, uint16_t sport)
{
	uint8_t *p = (uint8_t *)rte_pktmbuf_append(m, INNER_LEN);
	struct rte_ether_hdr *eth = (struct rte_ether_hdr *)p;
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(eth + 1);
	struct rte_udp_hdr *udp = (struct rte_udp_hdr *)(ip + 1);

	if (p == NULL)
		exit(1);
	memset(p, 0, INNER_LEN);
	eth->dst_addr = (struct rte_ether_addr){{ 2, 0, 0, 0, 0, 0xfe }};
	eth->src_addr = (struct rte_ether_addr){{ 2, 0, 0, 0, 0, 0xaa }};
	eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->total_length = rte_cpu_to_be_16(INNER_LEN - RTE_ETHER_HDR_LEN);
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_UDP;
	ip->src_addr = rte_cpu_to_be_32(RTE_IPV4(10, 244, 1, 5));
	ip->dst_addr = rte_cpu_to_be_32(RTE_IPV4(10, 244, 2, 7));
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	udp->src_port = rte_cpu_to_be_16(sport);
	udp->dst_port = rte_cpu_to_be_16(2000);
	udp->dgram_len = rte_cpu_to_be_16(INNER_LEN - 34);
}

/* ---- the baseline: what a router does to a frame it forwards ---- */

static const struct rte_ether_addr fwd_dst = {{ 2, 0, 0, 0, 0, 0xbb }};
static const struct rte_ether_addr fwd_src = {{ 2, 0, 0, 0, 0, 0xfe }};

/* TTL - 1 with the checksum updated incrementally (RFC 1624, eqn. 3). */
static inline void
ttl_dec(struct rte_ipv4_hdr *ip)
{
	uint32_t sum = (uint16_t)~rte_be_to_cpu_16(ip->hdr_checksum);

	sum += (uint16_t)~0x0100;       /* the TTL byte is the high one */
	ip->time_to_live--;
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	ip->hdr_checksum = rte_cpu_to_be_16((uint16_t)~sum);
}

static uint16_t
fwd_burst(struct rte_mbuf **p, uint16_t n)
{
	uint16_t i;

	for (i = 0; i < n; i++) {
		struct rte_ether_hdr *eth =
			rte_pktmbuf_mtod(p[i], struct rte_ether_hdr *);

		rte_ether_addr_copy(&fwd_dst, &eth->dst_addr);
		rte_ether_addr_copy(&fwd_src, &eth->src_addr);
		ttl_dec((struct rte_ipv4_hdr *)(eth + 1));
	}
	return n;
}

/* ---- timed passes ---- */

enum phase { FWD, ENCAP, DECAP };

/* One pass over the working set; returns the cycles spent in bursts. */
static uint64_t
pass(enum phase ph, const struct vxlan_ctx *ctx)
{
	uint64_t cycles = 0, t0;
	uint16_t ok = 0;
	unsigned int b, i;

	for (b = 0; b < NB_MBUF; b += BURST) {
		struct rte_mbuf **bp = &pkts[b];

		t0 = rte_rdtsc();
		if (ph == FWD)
			ok = fwd_burst(bp, BURST);
		else if (ph == ENCAP)
			ok = vxlan_encap_burst(ctx, &lc, bp, dsts, BURST, res);
		else
			ok = vxlan_decap_burst(ctx, &lc, bp, BURST, res, NULL);
		cycles += rte_rdtsc() - t0;
		if (ok != BURST) {
			fprintf(stderr, "bench_vxlan: burst result %u\n", res[0]);
			exit(1);
		}
		/* Undo, untimed. */
		for (i = 0; i < BURST && ph != FWD; i++) {
			if (ph == ENCAP)
				rte_pktmbuf_adj(bp[i], VXLAN_OVERHEAD);
			else
				rte_pktmbuf_prepend(bp[i], VXLAN_OVERHEAD);
		}
	}
	return cycles;
}

/* Best ns/packet over RUNS runs of `passes` passes. */
static double
measure(enum phase ph, const struct vxlan_ctx *ctx, unsigned int passes)
{
	double best = 1e9;
	unsigned int r, p;

	pass(ph, ctx);                          /* warm-up */
	for (r = 0; r < RUNS; r++) {
		uint64_t cyc = 0;
		double ns;

		for (p = 0; p < passes; p++)
			cyc += pass(ph, ctx);
		ns = (double)cyc * 1e9 / rte_get_tsc_hz() /
			((double)passes * NB_MBUF);
		if (ns < best)
			best = ns;
	}
	return best;
}

/* Put the working set in encapsulated form (A -> B) or back. */
static void
encap_all(const struct vxlan_ctx *ctx)
{
	unsigned int b;

	for (b = 0; b < NB_MBUF; b += BURST)
		if (vxlan_encap_burst(ctx, &lc, &pkts[b], dsts, BURST, res) !=
				BURST)
			exit(1);
}

static void
decap_all(void)
{
	unsigned int b;

	for (b = 0; b < NB_MBUF; b += BURST)
		if (vxlan_decap_burst(&node_b, &lc, &pkts[b], BURST, res,
				NULL) != BURST)
			exit(1);
}

static void
row(const char *what, double ns, double base)
{
	printf("  %-34s %7.2f Mpps %7.2f ns/pkt %6.2fx\n", what, 1e3 / ns, ns,
			ns / base);
}

int
main(int argc, char **argv)
{
	struct rte_mempool *mp;
	char rundir[PATH_MAX];
	unsigned int passes = 2000, i;
	int no_huge = argc > 1 && strcmp(argv[1], "--no-huge") == 0;
	double base, ns;

	if (argc > 1 + no_huge)
		passes = (unsigned int)atoi(argv[1 + no_huge]);
	if (eal_init(argv[0], no_huge) < 0 || passes == 0)
		return 1;
	mp = rte_pktmbuf_pool_create("bench_vx", NB_MBUF * 2 - 1, 256, 0,
			RTE_MBUF_DEFAULT_BUF_SIZE, rte_socket_id());
	if (mp == NULL || rte_pktmbuf_alloc_bulk(mp, pkts, NB_MBUF) != 0)
		return 1;
	ctx_init();
	for (i = 0; i < NB_MBUF; i++)
		fill_inner(pkts[i], (uint16_t)(1024 + i));
	for (i = 0; i < BURST; i++)
		dsts[i] = &to_b;

	printf("bench_vxlan: 1 core, %u mbufs (%u flows), bursts of %u, "
		"%u-byte inner frames, best of %d x %u passes\n", NB_MBUF,
		NB_MBUF, BURST, INNER_LEN, RUNS, passes);
	printf("  %-34s %12s %14s %7s\n", "", "rate", "cost", "vs fwd");
	base = measure(FWD, NULL, passes);
	row("local forwarding (MAC + TTL)", base, base);

	node_a.udp_csum = false;
	row("encap, UDP checksum 0", measure(ENCAP, &node_a, passes), base);
	node_a.udp_csum = true;
	row("encap, UDP checksum computed", measure(ENCAP, &node_a, passes),
			base);

	node_a.udp_csum = false;
	encap_all(&node_a);
	row("decap, UDP checksum 0", measure(DECAP, &node_b, passes), base);
	decap_all();
	node_a.udp_csum = true;
	encap_all(&node_a);
	ns = measure(DECAP, &node_b, passes);
	row("decap, UDP checksum verified", ns, base);

	rte_pktmbuf_free_bulk(pkts, NB_MBUF);
	rte_mempool_free(mp);
	/* EAL leaves its (empty) runtime directory behind: remove ours. */
	snprintf(rundir, sizeof(rundir), "%s", rte_eal_get_runtime_dir());
	rte_eal_cleanup();
	rmdir(rundir);
	return 0;
}
