/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bench_vpod.c: both DPDK pods of the vhost-user run of tests/bench/run.sh
 * (tests/bench/vhost.sh, docs/benchmarks.md) in one process on one lcore.
 *
 *   bench_vpod EAL_ARGS -- --src-ip A --dst-ip B --dst-mac MAC
 *              [--src-mac MAC] [--sport N] [--dport N] [--burst N]
 *              [--seconds S] [--refused-wait-us U]
 *
 * EAL_ARGS name two ports, pod A's then pod B's (two net_virtio_user
 * vdevs on the switch's vhost-user sockets). One loop on the main lcore:
 * send a burst of 60-byte UDP frames A -> B (64 on the wire; Ethernet
 * destination MAC, IPv4 TTL 64) on port 0 as fast as the port takes them,
 * then receive, count and free whatever port 1 (and port 0) received. On a
 * two-core machine this makes two pollers for two cores (this process and
 * the switch's worker) instead of three (two testpmd pods and the switch),
 * where the receiving pod only ran while the sending one was descheduled.
 *
 * Frames are what testpmd's txonly sends with --txpkts=60 (one flow, the
 * same frame every time: IPv4 TTL 64 with its checksum, IP id 0, UDP
 * checksum 0, 18 bytes of payload, zeros here, whatever the mbuf held in
 * testpmd): mbufs from a pool, the prebuilt frame copied into each. A frame the port refuses (A's ring is full: the
 * switch is behind) is kept and sent again on the next try, not freed
 * and built again as testpmd does: a full ring costs a tx call, no
 * alloc, copy or free. That tx call is virtio's, which on a full ring
 * reads the ring's used index, a cache line the switch writes as it
 * takes frames; --refused-wait-us U (default 0: retry at once, as
 * testpmd's txonly does) makes the loop leave the tx port alone for U
 * microseconds after a refusal (it only polls B meanwhile), to see how
 * much that polling costs the switch. Neither path makes a system call
 * (strace of a run: none from the loop, so no kick either).
 *
 * Counters: the ports' ethdev stats, so DPDK telemetry (/ethdev/stats,
 * what rate.py reads) shows port 0's opackets (offered) and port 1's
 * ipackets (delivered). At exit (SIGINT, SIGTERM or --seconds) one JSON
 * line on stdout: tx, tx_refused (times a frame was refused and kept for
 * a retry), tx_calls (tx bursts tried), tx_waits (refusals followed by a
 * --refused-wait-us pause), rx (port 1), rx_other (port 0), secs.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include <rte_byteorder.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_memcpy.h>
#include <rte_udp.h>

#define VP_FRAME 60             /* 64 on the wire with the FCS */
#define VP_BURST_MAX 64
#define VP_DESC 1024
#define VP_MBUFS 8191
#define VP_TX 0                 /* pod A's port */
#define VP_RX 1                 /* pod B's port */

struct vp_opts {
	rte_be32_t src_ip, dst_ip;
	struct rte_ether_addr src_mac, dst_mac;
	uint16_t sport, dport;
	unsigned int burst;
	double seconds;         /* 0: until a signal */
	double refused_wait_us; /* after a refused frame, no tx for this long */
};

struct vp_counts {
	uint64_t tx, tx_refused, tx_calls, tx_waits, rx, rx_other;
};

static volatile sig_atomic_t vp_stop;

static void
on_signal(int sig)
{
	(void)sig;
	vp_stop = 1;
}

static void
usage(void)
{
	fprintf(stderr, "usage: bench_vpod EAL_ARGS -- --src-ip A --dst-ip B "
		"--dst-mac MAC [--src-mac MAC] [--sport N] [--dport N] "
		"[--burst N] [--seconds S] [--refused-wait-us U]\n");
}

static int
parse_ip(const char *s, rte_be32_t *out)
{
	struct in_addr a;

	if (inet_pton(AF_INET, s, &a) != 1)
		return -EINVAL;
	*out = a.s_addr;
	return 0;
}

static int
parse_port(const char *s, uint16_t *out)
{
	char *end;
	unsigned long v = strtoul(s, &end, 10);

	if (*s == '\0' || *end != '\0' || v == 0 || v > 65535)
		return -EINVAL;
	*out = (uint16_t)v;
	return 0;
}

static int
parse_opt(struct vp_opts *o, int c, const char *arg)
{
	switch (c) {
	case 's': return parse_ip(arg, &o->src_ip);
	case 'd': return parse_ip(arg, &o->dst_ip);
	case 'm': return rte_ether_unformat_addr(arg, &o->dst_mac);
	case 'M': return rte_ether_unformat_addr(arg, &o->src_mac);
	case 'p': return parse_port(arg, &o->sport);
	case 'P': return parse_port(arg, &o->dport);
	case 'b':
		o->burst = (unsigned int)atoi(arg);
		return o->burst >= 1 && o->burst <= VP_BURST_MAX ? 0 : -EINVAL;
	case 'S':
		o->seconds = atof(arg);
		return o->seconds >= 0 ? 0 : -EINVAL;
	case 'w':
		o->refused_wait_us = atof(arg);
		return o->refused_wait_us >= 0 &&
			o->refused_wait_us <= 1000 ? 0 : -EINVAL;
	default:
		return -EINVAL;
	}
}

static int
parse_args(struct vp_opts *o, int argc, char **argv)
{
	static const struct option lo[] = {
		{ "src-ip", required_argument, NULL, 's' },
		{ "dst-ip", required_argument, NULL, 'd' },
		{ "dst-mac", required_argument, NULL, 'm' },
		{ "src-mac", required_argument, NULL, 'M' },
		{ "sport", required_argument, NULL, 'p' },
		{ "dport", required_argument, NULL, 'P' },
		{ "burst", required_argument, NULL, 'b' },
		{ "seconds", required_argument, NULL, 'S' },
		{ "refused-wait-us", required_argument, NULL, 'w' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	memset(o, 0, sizeof(*o));
	o->sport = 1024;
	o->dport = 5000;
	o->burst = 32;
	optind = 1;
	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1)
		if (parse_opt(o, c, optarg) < 0)
			return -EINVAL;
	if (optind != argc || o->src_ip == 0 || o->dst_ip == 0 ||
			rte_is_zero_ether_addr(&o->dst_mac))
		return -EINVAL;
	return 0;
}

/* The frame every mbuf gets: Ethernet, IPv4 (checksum set), UDP (no
 * checksum), zero padding to VP_FRAME bytes. */
static void
frame_build(const struct vp_opts *o, uint8_t *f)
{
	struct rte_ether_hdr *eth = (struct rte_ether_hdr *)f;
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(eth + 1);
	struct rte_udp_hdr *udp = (struct rte_udp_hdr *)(ip + 1);
	uint16_t l3 = VP_FRAME - sizeof(*eth);

	memset(f, 0, VP_FRAME);
	eth->dst_addr = o->dst_mac;
	eth->src_addr = o->src_mac;
	eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->total_length = rte_cpu_to_be_16(l3);
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_UDP;
	ip->src_addr = o->src_ip;
	ip->dst_addr = o->dst_ip;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	udp->src_port = rte_cpu_to_be_16(o->sport);
	udp->dst_port = rte_cpu_to_be_16(o->dport);
	udp->dgram_len = rte_cpu_to_be_16(l3 - sizeof(*ip));
}

static int
port_init(uint16_t port, struct rte_mempool *mp)
{
	struct rte_eth_conf conf = { 0 };
	int rc;

	rc = rte_eth_dev_configure(port, 1, 1, &conf);
	if (rc == 0)
		rc = rte_eth_rx_queue_setup(port, 0, VP_DESC,
			rte_eth_dev_socket_id(port), NULL, mp);
	if (rc == 0)
		rc = rte_eth_tx_queue_setup(port, 0, VP_DESC,
			rte_eth_dev_socket_id(port), NULL);
	if (rc == 0)
		rc = rte_eth_dev_start(port);
	return rc;
}

/* Receive, count and free everything waiting on a port (a few bursts). */
static uint64_t
drain(uint16_t port)
{
	struct rte_mbuf *m[VP_BURST_MAX];
	uint64_t got = 0;
	uint16_t n;
	int i;

	for (i = 0; i < 4; i++) {
		n = rte_eth_rx_burst(port, 0, m, VP_BURST_MAX);
		if (n == 0)
			break;
		rte_pktmbuf_free_bulk(m, n);
		got += n;
	}
	return got;
}

/*
 * One burst on the tx port. Frames the port refuses (A's ring is full:
 * the switch is behind) are kept for the next call rather than freed and
 * built again, so a full ring costs a retry, not an alloc, copy and free.
 */
static unsigned int
send_burst(struct rte_mempool *mp, const uint8_t *frame, unsigned int burst,
		struct vp_counts *c)
{
	static struct rte_mbuf *m[VP_BURST_MAX];
	static unsigned int n;
	unsigned int i, add = burst - n;
	uint16_t sent;

	if (add > 0 && rte_pktmbuf_alloc_bulk(mp, m + n, add) == 0) {
		for (i = n; i < burst; i++) {
			rte_memcpy(rte_pktmbuf_mtod(m[i], void *), frame,
				VP_FRAME);
			m[i]->data_len = VP_FRAME;
			m[i]->pkt_len = VP_FRAME;
		}
		n = burst;
	}
	if (n == 0)
		return 0;
	sent = rte_eth_tx_burst(VP_TX, 0, m, (uint16_t)n);
	c->tx_calls++;
	c->tx += sent;
	c->tx_refused += n - sent;
	memmove(m, m + sent, (n - sent) * sizeof(m[0]));
	n -= sent;
	return n;
}

static void
run(const struct vp_opts *o, struct rte_mempool *mp, struct vp_counts *c)
{
	uint64_t end = o->seconds > 0 ? rte_get_tsc_cycles() +
		(uint64_t)(o->seconds * rte_get_tsc_hz()) : UINT64_MAX;
	uint64_t wait = (uint64_t)(o->refused_wait_us * 1e-6 *
		(double)rte_get_tsc_hz());
	uint64_t next_tx = 0, now;
	uint8_t frame[VP_FRAME];
	unsigned int k = 0;

	frame_build(o, frame);
	while (!vp_stop && (now = rte_get_tsc_cycles()) < end) {
		if (now >= next_tx && send_burst(mp, frame, o->burst, c) > 0 &&
				wait > 0) {
			next_tx = now + wait;
			c->tx_waits++;
		}
		c->rx += drain(VP_RX);
		if ((++k & 1023) == 0)  /* ARP or strays to pod A */
			c->rx_other += drain(VP_TX);
	}
}

int
main(int argc, char **argv)
{
	struct vp_counts c = { 0 };
	struct rte_mempool *mp;
	struct vp_opts o;
	uint64_t t0;
	int n;

	n = rte_eal_init(argc, argv);
	if (n < 0) {
		fprintf(stderr, "bench_vpod: EAL: %s\n", rte_strerror(rte_errno));
		return 1;
	}
	if (parse_args(&o, argc - n, argv + n) < 0) {
		usage();
		return 2;
	}
	if (rte_eth_dev_count_avail() != 2) {
		fprintf(stderr, "bench_vpod: need exactly two ports (--vdev), "
			"have %u\n", rte_eth_dev_count_avail());
		return 2;
	}
	if (rte_is_zero_ether_addr(&o.src_mac))
		rte_eth_macaddr_get(VP_TX, &o.src_mac);
	mp = rte_pktmbuf_pool_create("vpod", VP_MBUFS, 256, 0,
		RTE_MBUF_DEFAULT_BUF_SIZE, (int)rte_socket_id());
	if (mp == NULL || port_init(VP_TX, mp) != 0 ||
			port_init(VP_RX, mp) != 0) {
		fprintf(stderr, "bench_vpod: pool or ports: %s\n",
			rte_strerror(rte_errno));
		return 1;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	t0 = rte_get_tsc_cycles();
	run(&o, mp, &c);
	printf("{\"tx\": %" PRIu64 ", \"tx_refused\": %" PRIu64
		", \"tx_calls\": %" PRIu64 ", \"tx_waits\": %" PRIu64
		", \"rx\": %" PRIu64 ", \"rx_other\": %" PRIu64
		", \"secs\": %.3f}\n", c.tx, c.tx_refused, c.tx_calls,
		c.tx_waits, c.rx, c.rx_other,
		(double)(rte_get_tsc_cycles() - t0) / rte_get_tsc_hz());
	fflush(stdout);
	rte_eth_dev_stop(VP_TX);
	rte_eth_dev_stop(VP_RX);
	rte_eth_dev_close(VP_TX);
	rte_eth_dev_close(VP_RX);
	rte_eal_cleanup();
	return 0;
}
