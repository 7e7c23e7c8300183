/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_vs_pipeline.c: the data path in process, on ring-backed ports,
 * with the test thread standing in for the worker (n_workers 0):
 * parsing and malformed frames, ARP answers, routing decisions (LPM,
 * TTL, MAC rewrite, no route, absent port), MAC learning and ARP
 * requests, the gateway's echo replies, counters, and the control-side
 * checks of ports and endpoints.
 *
 * EAL: --no-huge --no-shconf -m 512, main lcore only.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include <cmocka.h>

#include <rte_arp.h>
#include <rte_icmp.h>
#include <rte_ip.h>

#include "acl_ruleset.h"
#include "vs_port_afp.h"
#include "vs_test_util.h"

/* Ports (indexes into t->port) and addresses of the fixture. */
enum { PA, PB, PU, PL, PM };
#define GW TU_IP(10, 0, 0, 1)
#define IP_A TU_IP(10, 0, 0, 2)
#define IP_B TU_IP(10, 0, 0, 3)
#define IP_C TU_IP(10, 0, 0, 4)         /* its port pz does not exist */
#define IP_L TU_IP(10, 0, 0, 5)         /* on pl, MAC to learn */
#define IP_M TU_IP(10, 0, 0, 6)         /* on pm, MAC to learn */
#define IP_A2 TU_IP(10, 0, 0, 12)       /* another address on pa */

static const struct rte_ether_addr R = {{ 0x02, 0x6e, 0x70, 0x76, 0x73, 0x01 }};
static const struct rte_ether_addr A = {{ 0x02, 0, 0, 0, 0, 0x0a }};
static const struct rte_ether_addr A2 = {{ 0x02, 0, 0, 0, 0, 0xa2 }};
static const struct rte_ether_addr B = {{ 0x02, 0, 0, 0, 0, 0x0b }};
static const struct rte_ether_addr L = {{ 0x02, 0, 0, 0, 0, 0x11 }};
static const struct rte_ether_addr X = {{ 0x02, 0, 0, 0, 0, 0x99 }};

static struct tu T;

static int
setup(void **state)
{
	struct vs_config c;

	(void)state;
	tu_config(&c, "test_vs_pipeline", 0);
	tu_start(&T, &c);
	tu_port_add(&T, "pa", false);
	tu_port_add(&T, "pb", false);
	tu_port_add(&T, "pu", true);
	tu_port_add(&T, "pl", false);
	tu_port_add(&T, "pm", false);
	assert_int_equal(tu_endpoint_add(&T, "a", "pa", IP_A, A.addr_bytes), 0);
	assert_int_equal(tu_endpoint_add(&T, "a2", "pa", IP_A2, A2.addr_bytes), 0);
	assert_int_equal(tu_endpoint_add(&T, "b", "pb", IP_B, B.addr_bytes), 0);
	assert_int_equal(tu_endpoint_add(&T, "c", "pz", IP_C, NULL), 0);
	assert_int_equal(tu_endpoint_add(&T, "l", "pl", IP_L, NULL), 0);
	assert_int_equal(tu_endpoint_add(&T, "m", "pm", IP_M, NULL), 0);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	tu_stop(&T);
	return 0;
}

/* Run the worker once: everything injected is processed. */
static void
poll_once(void)
{
	vs_worker_poll(vs_worker_get(T.vs, 0));
}

/* The only frame sent anywhere, which must be on port out (or none). */
static struct rte_mbuf *
only_output(int out)
{
	struct rte_mbuf *m[8], *got = NULL;
	unsigned int i, n;

	for (i = 0; i < T.n_ports; i++) {
		n = tu_collect(&T, i, m, 8);
		if (n == 0)
			continue;
		if ((int)i != out || n != 1 || got != NULL) {
			rte_pktmbuf_free_bulk(m, n);
			rte_pktmbuf_free(got);
			fail_msg("%u frame(s) on port %s, expected %s", n,
					T.port[i].name, out < 0 ? "none" :
					T.port[out].name);
		}
		got = m[0];
	}
	if (out >= 0 && got == NULL)
		fail_msg("nothing on port %s", T.port[out].name);
	return got;
}

/* ---- frame builders for the table ---- */

static void
ip4_set(struct rte_mbuf *m, uint8_t vhl, uint16_t total)
{
	struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod_offset(m, void *,
			sizeof(struct rte_ether_hdr));

	ip->version_ihl = vhl;
	ip->total_length = rte_cpu_to_be_16(total);
}

static struct rte_mbuf *f_a_to_b(void) { return tu_ip4(&T, &A, &R, IP_A, IP_B, 64, 17, 18); }
static struct rte_mbuf *f_ttl1(void) { return tu_ip4(&T, &A, &R, IP_A, IP_B, 1, 17, 18); }
static struct rte_mbuf *f_ttl0(void) { return tu_ip4(&T, &A, &R, IP_A, IP_B, 0, 17, 18); }
static struct rte_mbuf *f_no_route(void) { return tu_ip4(&T, &A, &R, IP_A, TU_IP(10, 0, 0, 99), 64, 17, 18); }
static struct rte_mbuf *f_outside(void) { return tu_ip4(&T, &A, &R, IP_A, TU_IP(8, 8, 8, 8), 64, 6, 20); }
static struct rte_mbuf *f_port_absent(void) { return tu_ip4(&T, &A, &R, IP_A, IP_C, 64, 17, 18); }
static struct rte_mbuf *f_not_our_mac(void) { return tu_ip4(&T, &A, &B, IP_A, IP_B, 64, 17, 18); }
static struct rte_mbuf *f_hairpin(void) { return tu_ip4(&T, &A, &R, IP_A, IP_A2, 64, 17, 18); }
static struct rte_mbuf *f_gw_udp(void) { return tu_ip4(&T, &A, &R, IP_A, GW, 64, 17, 18); }

static struct rte_mbuf *
f_ethertype(uint16_t type)
{
	struct rte_mbuf *m = tu_ip4(&T, &A, &R, IP_A, IP_B, 64, 17, 18);
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, void *);

	eth->ether_type = rte_cpu_to_be_16(type);
	return m;
}
static struct rte_mbuf *f_ipv6(void) { return f_ethertype(RTE_ETHER_TYPE_IPV6); }
static struct rte_mbuf *f_vlan(void) { return f_ethertype(RTE_ETHER_TYPE_VLAN); }

static struct rte_mbuf *
f_runt(void)
{
	static const uint8_t b[10] = { 0x02, 0x6e, 0x70, 0x76, 0x73, 0x01 };

	return tu_raw(&T, b, sizeof(b));
}

static struct rte_mbuf *
f_cut_ip4(void)
{
	struct rte_mbuf *m = f_a_to_b();

	rte_pktmbuf_trim(m, m->pkt_len - (sizeof(struct rte_ether_hdr) + 10));
	return m;
}

static struct rte_mbuf *
f_ihl4(void)
{
	struct rte_mbuf *m = f_a_to_b();

	ip4_set(m, 0x44, 38);
	return m;
}

static struct rte_mbuf *
f_ihl15(void)
{
	struct rte_mbuf *m = tu_ip4(&T, &A, &R, IP_A, IP_B, 64, 17, 0);

	ip4_set(m, 0x4f, 60);
	return m;
}

static struct rte_mbuf *
f_total_long(void)
{
	struct rte_mbuf *m = f_a_to_b();

	ip4_set(m, 0x45, 1400);
	return m;
}

static struct rte_mbuf *
f_total_short(void)
{
	struct rte_mbuf *m = f_a_to_b();

	ip4_set(m, 0x45, 10);
	return m;
}

static struct rte_mbuf *
f_version6(void)
{
	struct rte_mbuf *m = f_a_to_b();

	ip4_set(m, 0x65, 38);
	return m;
}

static struct rte_mbuf *
f_gw_echo(void)
{
	struct rte_mbuf *m = tu_ip4(&T, &A, &R, IP_A, GW, 64, IPPROTO_ICMP, 16);
	struct rte_icmp_hdr *icmp = rte_pktmbuf_mtod_offset(m, void *,
			sizeof(struct rte_ether_hdr) + sizeof(struct rte_ipv4_hdr));

	icmp->icmp_type = RTE_IP_ICMP_ECHO_REQUEST;
	icmp->icmp_ident = RTE_BE16(0x1234);
	icmp->icmp_seq_nb = RTE_BE16(7);
	icmp->icmp_cksum = 0;
	icmp->icmp_cksum = ~rte_raw_cksum(icmp, sizeof(*icmp) + 16);
	return m;
}

static struct rte_mbuf *f_arp_gw(void) { return tu_arp(&T, &A, RTE_ARP_OP_REQUEST, IP_A, GW); }
static struct rte_mbuf *f_arp_b(void) { return tu_arp(&T, &A, RTE_ARP_OP_REQUEST, IP_A, IP_B); }
static struct rte_mbuf *f_arp_any(void) { return tu_arp(&T, &A, RTE_ARP_OP_REQUEST, IP_A, TU_IP(8, 8, 8, 8)); }
static struct rte_mbuf *f_arp_self(void) { return tu_arp(&T, &A, RTE_ARP_OP_REQUEST, IP_A, IP_A); }
static struct rte_mbuf *f_arp_probe(void) { return tu_arp(&T, &A, RTE_ARP_OP_REQUEST, 0, IP_A); }
static struct rte_mbuf *f_arp_own_port(void) { return tu_arp(&T, &A, RTE_ARP_OP_REQUEST, IP_A, IP_A2); }
static struct rte_mbuf *f_arp_reply(void) { return tu_arp(&T, &A, RTE_ARP_OP_REPLY, IP_A, GW); }
static struct rte_mbuf *f_arp_up_pod(void) { return tu_arp(&T, &X, RTE_ARP_OP_REQUEST, TU_IP(192, 168, 0, 9), IP_B); }
static struct rte_mbuf *f_arp_up_lan(void) { return tu_arp(&T, &X, RTE_ARP_OP_REQUEST, TU_IP(192, 168, 0, 9), TU_IP(192, 168, 0, 1)); }

static struct rte_mbuf *
f_arp_hlen7(void)
{
	struct rte_mbuf *m = f_arp_gw();
	struct rte_arp_hdr *arp = rte_pktmbuf_mtod_offset(m, void *,
			sizeof(struct rte_ether_hdr));

	arp->arp_hlen = 7;
	return m;
}

static struct rte_mbuf *
f_arp_cut(void)
{
	struct rte_mbuf *m = f_arp_gw();

	rte_pktmbuf_trim(m, 10);
	return m;
}

static struct rte_mbuf *
f_arp_op3(void)
{
	return tu_arp(&T, &A, RTE_ARP_OP_REVREQUEST, IP_A, GW);
}

/* ---- checks on the frame that came out ---- */

static void
ip_cksum_ok(const struct rte_ipv4_hdr *ip)
{
	struct rte_ipv4_hdr h = *ip;

	h.hdr_checksum = 0;
	assert_int_equal(rte_ipv4_cksum(&h), ip->hdr_checksum);
}

static void
c_routed_to_b(struct rte_mbuf *m)
{
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, void *);
	struct rte_ipv4_hdr *ip = (void *)(eth + 1);

	assert_true(rte_is_same_ether_addr(&eth->dst_addr, &B));
	assert_true(rte_is_same_ether_addr(&eth->src_addr, &R));
	assert_int_equal(ip->time_to_live, 63);
	ip_cksum_ok(ip);
}

static void
c_hairpin(struct rte_mbuf *m)
{
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, void *);

	assert_true(rte_is_same_ether_addr(&eth->dst_addr, &A2));
}

static void
c_gw_echo(struct rte_mbuf *m)
{
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, void *);
	struct rte_ipv4_hdr *ip = (void *)(eth + 1);
	struct rte_icmp_hdr *icmp = (void *)(ip + 1);

	assert_true(rte_is_same_ether_addr(&eth->dst_addr, &A));
	assert_true(rte_is_same_ether_addr(&eth->src_addr, &R));
	assert_int_equal(rte_be_to_cpu_32(ip->src_addr), GW);
	assert_int_equal(rte_be_to_cpu_32(ip->dst_addr), IP_A);
	assert_int_equal(icmp->icmp_type, RTE_IP_ICMP_ECHO_REPLY);
	assert_int_equal(icmp->icmp_seq_nb, RTE_BE16(7));
	ip_cksum_ok(ip);
	/* A correct ICMP checksum sums to all ones. */
	assert_int_equal(rte_raw_cksum(icmp, sizeof(*icmp) + 16), 0xffff);
}

/* An ARP reply from us, to asker (MAC, IP), saying we have tip. */
static void
arp_reply_check(struct rte_mbuf *m, const struct rte_ether_addr *asker,
		uint32_t asker_ip, uint32_t tip)
{
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, void *);
	struct rte_arp_hdr *arp = (void *)(eth + 1);

	assert_true(rte_is_same_ether_addr(&eth->dst_addr, asker));
	assert_true(rte_is_same_ether_addr(&eth->src_addr, &R));
	assert_int_equal(rte_be_to_cpu_16(arp->arp_opcode), RTE_ARP_OP_REPLY);
	assert_true(rte_is_same_ether_addr(&arp->arp_data.arp_sha, &R));
	assert_int_equal(rte_be_to_cpu_32(arp->arp_data.arp_sip), tip);
	assert_true(rte_is_same_ether_addr(&arp->arp_data.arp_tha, asker));
	assert_int_equal(rte_be_to_cpu_32(arp->arp_data.arp_tip), asker_ip);
}

static void c_arp_gw(struct rte_mbuf *m) { arp_reply_check(m, &A, IP_A, GW); }
static void c_arp_b(struct rte_mbuf *m) { arp_reply_check(m, &A, IP_A, IP_B); }
static void c_arp_any(struct rte_mbuf *m) { arp_reply_check(m, &A, IP_A, TU_IP(8, 8, 8, 8)); }
static void c_arp_up_pod(struct rte_mbuf *m) { arp_reply_check(m, &X, TU_IP(192, 168, 0, 9), IP_B); }

/* ---- the table ---- */

#define NONE (-1)

struct row {
	const char *what;
	struct rte_mbuf *(*frame)(void);
	unsigned int in;        /* port it enters on */
	int out;                /* port it leaves on, or NONE */
	int drop;               /* the one drop counter that grows, or NONE */
	void (*check)(struct rte_mbuf *m);
};

static const struct row rows[] = {
	/* routing */
	{ "pod to pod", f_a_to_b, PA, PB, NONE, c_routed_to_b },
	{ "TTL 1 expires", f_ttl1, PA, NONE, VS_DROP_TTL, NULL },
	{ "TTL 0 expires", f_ttl0, PA, NONE, VS_DROP_TTL, NULL },
	{ "unknown pod address", f_no_route, PA, NONE, VS_DROP_NO_ROUTE, NULL },
	{ "outside the node", f_outside, PA, NONE, VS_DROP_NO_ROUTE, NULL },
	{ "endpoint's port absent", f_port_absent, PA, NONE, VS_DROP_NO_PORT, NULL },
	{ "not our MAC", f_not_our_mac, PA, NONE, VS_DROP_NOT_FOR_US, NULL },
	{ "same port (hairpin)", f_hairpin, PA, PA, NONE, c_hairpin },
	{ "echo to the gateway", f_gw_echo, PA, PA, NONE, c_gw_echo },
	{ "UDP to the gateway", f_gw_udp, PA, NONE, VS_DROP_NO_ROUTE, NULL },
	/* parsing */
	{ "IPv6", f_ipv6, PA, NONE, VS_DROP_NOT_IP, NULL },
	{ "VLAN tag", f_vlan, PA, NONE, VS_DROP_NOT_IP, NULL },
	{ "10-byte runt", f_runt, PA, NONE, VS_DROP_MALFORMED, NULL },
	{ "IPv4 header cut", f_cut_ip4, PA, NONE, VS_DROP_MALFORMED, NULL },
	{ "IHL 4", f_ihl4, PA, NONE, VS_DROP_MALFORMED, NULL },
	{ "IHL 15 beyond frame", f_ihl15, PA, NONE, VS_DROP_MALFORMED, NULL },
	{ "total length > frame", f_total_long, PA, NONE, VS_DROP_MALFORMED, NULL },
	{ "total length < header", f_total_short, PA, NONE, VS_DROP_MALFORMED, NULL },
	{ "version 6 in IPv4", f_version6, PA, NONE, VS_DROP_MALFORMED, NULL },
	/* ARP */
	{ "ARP for the gateway", f_arp_gw, PA, PA, NONE, c_arp_gw },
	{ "ARP for another pod", f_arp_b, PA, PA, NONE, c_arp_b },
	{ "ARP for any address", f_arp_any, PA, PA, NONE, c_arp_any },
	{ "gratuitous ARP ignored", f_arp_self, PA, NONE, NONE, NULL },
	{ "ARP probe ignored", f_arp_probe, PA, NONE, NONE, NULL },
	{ "ARP for the asker's port", f_arp_own_port, PA, NONE, NONE, NULL },
	{ "ARP reply consumed", f_arp_reply, PA, NONE, NONE, NULL },
	{ "uplink ARP for a pod", f_arp_up_pod, PU, PU, NONE, c_arp_up_pod },
	{ "uplink ARP for the LAN", f_arp_up_lan, PU, NONE, NONE, NULL },
	{ "ARP hlen 7", f_arp_hlen7, PA, NONE, VS_DROP_MALFORMED, NULL },
	{ "ARP cut short", f_arp_cut, PA, NONE, VS_DROP_MALFORMED, NULL },
	{ "ARP opcode 3", f_arp_op3, PA, NONE, VS_DROP_MALFORMED, NULL },
};

static void
run_row(const struct row *r)
{
	uint64_t before[VS_DROP_MAX], after[VS_DROP_MAX];
	struct rte_mbuf *out;
	unsigned int d;

	print_message("  %s\n", r->what);
	vs_drop_stats(T.vs, before);
	tu_inject(&T, r->in, r->frame());
	poll_once();
	out = only_output(r->out);
	vs_drop_stats(T.vs, after);
	for (d = 0; d < VS_DROP_MAX; d++)
		if ((int)d == r->drop)
			assert_int_equal(after[d], before[d] + 1);
		else if (after[d] != before[d])
			fail_msg("%s: unexpected %s drop", r->what, vs_drop_name(d));
	if (out != NULL && r->check != NULL)
		r->check(out);
	rte_pktmbuf_free(out);
}

static void
test_table(void **state)
{
	unsigned int i;

	(void)state;
	for (i = 0; i < RTE_DIM(rows); i++)
		run_row(&rows[i]);
}

/* A burst of 32 mixed frames is handled as well as one at a time. */
static void
test_burst(void **state)
{
	struct rte_mbuf *m[64];
	unsigned int i, n, good = 0, to_b;

	(void)state;
	for (i = 0; i < VS_BURST; i++) {
		const struct row *r = &rows[i % RTE_DIM(rows)];

		tu_inject(&T, PA, r->in == PA ? r->frame() : f_a_to_b());
		good += r->in != PA || r->out == PB;
	}
	poll_once();
	to_b = 0;
	while ((n = tu_collect(&T, PB, m, 64)) > 0) {
		to_b += n;
		rte_pktmbuf_free_bulk(m, n);
	}
	assert_int_equal(to_b, good);
	tu_drain(&T);
}

/* ---- MAC learning ---- */

static uint64_t
neigh_of(const char *name, uint8_t mac[6])
{
	struct vs_endpoint_info e[16];
	uint32_t i, n = vs_endpoint_list(T.vs, e, 16);

	for (i = 0; i < n; i++)
		if (strcmp(e[i].spec.name, name) == 0) {
			memcpy(mac, e[i].mac, 6);
			return e[i].mac_known;
		}
	fail_msg("no endpoint %s", name);
	return 0;
}

/* Unknown MAC: drop, ask by ARP (once per interval), learn the reply. */
static void
test_learn_by_arp_request(void **state)
{
	uint64_t nn = tu_drops(&T, VS_DROP_NO_NEIGH);
	struct rte_ether_hdr *eth;
	struct rte_arp_hdr *arp;
	struct rte_mbuf *m;
	uint8_t mac[6];

	(void)state;
	assert_false(neigh_of("l", mac));
	tu_inject(&T, PA, tu_ip4(&T, &A, &R, IP_A, IP_L, 64, 17, 18));
	poll_once();
	m = only_output(PL);
	assert_int_equal(tu_drops(&T, VS_DROP_NO_NEIGH), nn + 1);
	eth = rte_pktmbuf_mtod(m, void *);
	arp = (void *)(eth + 1);
	assert_true(rte_is_broadcast_ether_addr(&eth->dst_addr));
	assert_int_equal(rte_be_to_cpu_16(arp->arp_opcode), RTE_ARP_OP_REQUEST);
	assert_true(rte_is_same_ether_addr(&arp->arp_data.arp_sha, &R));
	assert_int_equal(rte_be_to_cpu_32(arp->arp_data.arp_sip), GW);
	assert_int_equal(rte_be_to_cpu_32(arp->arp_data.arp_tip), IP_L);
	rte_pktmbuf_free(m);

	/* Again at once: dropped, but no second request (rate limit). */
	tu_inject(&T, PA, tu_ip4(&T, &A, &R, IP_A, IP_L, 64, 17, 18));
	poll_once();
	assert_null(only_output(NONE));
	assert_int_equal(tu_drops(&T, VS_DROP_NO_NEIGH), nn + 2);

	/* The pod answers; now traffic flows with its MAC. */
	tu_inject(&T, PL, tu_arp(&T, &L, RTE_ARP_OP_REPLY, IP_L, GW));
	poll_once();
	assert_null(only_output(NONE));
	assert_true(neigh_of("l", mac));
	assert_memory_equal(mac, L.addr_bytes, 6);
	tu_inject(&T, PA, tu_ip4(&T, &A, &R, IP_A, IP_L, 64, 17, 18));
	poll_once();
	m = only_output(PL);
	eth = rte_pktmbuf_mtod(m, void *);
	assert_true(rte_is_same_ether_addr(&eth->dst_addr, &L));
	rte_pktmbuf_free(m);
}

/* A pod's MAC is learned only from its own port, and follows changes. */
static void
test_learn_own_port_only(void **state)
{
	uint8_t mac[6];

	(void)state;
	/* m's address, but arriving on pa: not learned. */
	tu_inject(&T, PA, tu_ip4(&T, &X, &R, IP_M, IP_B, 64, 17, 18));
	poll_once();
	tu_drain(&T);
	assert_false(neigh_of("m", mac));
	/* From pm: learned. */
	tu_inject(&T, PM, tu_ip4(&T, &A2, &R, IP_M, IP_B, 64, 17, 18));
	poll_once();
	tu_drain(&T);
	assert_true(neigh_of("m", mac));
	assert_memory_equal(mac, A2.addr_bytes, 6);
	/* The pod restarts with a new MAC. */
	tu_inject(&T, PM, tu_arp(&T, &X, RTE_ARP_OP_REQUEST, IP_M, GW));
	poll_once();
	tu_drain(&T);
	assert_true(neigh_of("m", mac));
	assert_memory_equal(mac, X.addr_bytes, 6);
}

/* A configured MAC is never overwritten by learning. */
static void
test_static_mac_kept(void **state)
{
	uint8_t mac[6];

	(void)state;
	tu_inject(&T, PB, tu_ip4(&T, &X, &R, IP_B, IP_A, 64, 17, 18));
	poll_once();
	tu_drain(&T);
	assert_true(neigh_of("b", mac));
	assert_memory_equal(mac, B.addr_bytes, 6);
}

/* ---- counters ---- */

static const struct vs_port_info *
port_info(struct vs_port_info *all, uint32_t n, const char *name)
{
	uint32_t i;

	for (i = 0; i < n; i++)
		if (strcmp(all[i].name, name) == 0)
			return &all[i];
	fail_msg("no port %s", name);
	return NULL;
}

static void
test_counters(void **state)
{
	struct vs_port_info p0[8], p1[8];
	uint32_t n0, n1, len = 0;
	unsigned int i;

	(void)state;
	n0 = vs_port_list(T.vs, p0, 8);
	for (i = 0; i < 5; i++) {
		struct rte_mbuf *m = f_a_to_b();

		len += m->pkt_len;
		tu_inject(&T, PA, m);
	}
	poll_once();
	tu_drain(&T);
	n1 = vs_port_list(T.vs, p1, 8);
	assert_int_equal(n0, n1);
	assert_int_equal(port_info(p1, n1, "pa")->stats.rx_packets,
			port_info(p0, n0, "pa")->stats.rx_packets + 5);
	assert_int_equal(port_info(p1, n1, "pa")->stats.rx_bytes,
			port_info(p0, n0, "pa")->stats.rx_bytes + len);
	assert_int_equal(port_info(p1, n1, "pb")->stats.tx_packets,
			port_info(p0, n0, "pb")->stats.tx_packets + 5);
	assert_int_equal(port_info(p1, n1, "pb")->stats.tx_bytes,
			port_info(p0, n0, "pb")->stats.tx_bytes + len);
	assert_true(port_info(p1, n1, "pa")->link_up);
	assert_true(port_info(p1, n1, "pu")->uplink);
	assert_false(port_info(p1, n1, "pa")->uplink);
}

/* ---- bigger than the output port's MTU (vs_tx_frag.c) ---- */

#define FRAG_MTU 576

/* A frame a -> b with payload bytes of UDP after the IPv4 header. */
static struct rte_mbuf *
big_a_to_b(uint16_t payload, bool df)
{
	struct rte_mbuf *m = tu_ip4(&T, &A, &R, IP_A, IP_B, 64, 17, payload);
	struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod_offset(m, void *,
			sizeof(struct rte_ether_hdr));

	if (df) {
		ip->fragment_offset = RTE_BE16(RTE_IPV4_HDR_DF_FLAG);
		ip->hdr_checksum = 0;
		ip->hdr_checksum = rte_ipv4_cksum(ip);
	}
	return m;
}

static void
tx_max_set(const char *port, uint32_t v)
{
	struct vs_port *p = vs_port_find(T.vs, port);

	assert_non_null(p);
	p->tx_max = v;          /* read by the (test's) worker through snap */
}

static uint64_t
port_ctr(const char *name, size_t off)
{
	struct vs_port_info all[8];
	uint32_t n = vs_port_list(T.vs, all, 8);
	const struct vs_port_info *p = port_info(all, n, name);

	return *(const uint64_t *)((const char *)&p->stats + off);
}

/* One fragment as it left: its IPv4 header (checked) and payload. */
static uint16_t
frag_check(struct rte_mbuf *f, uint8_t *payload, uint16_t *off, bool *mf)
{
	uint8_t buf[1514];
	const struct rte_ether_hdr *e;
	struct rte_ipv4_hdr ip;
	uint16_t tot, fo;

	assert_true(f->pkt_len <= sizeof(buf));
	e = rte_pktmbuf_read(f, 0, f->pkt_len, buf);
	assert_non_null(e);
	assert_true(rte_is_same_ether_addr(&e->dst_addr, &B));
	assert_true(rte_is_same_ether_addr(&e->src_addr, &R));
	memcpy(&ip, e + 1, sizeof(ip));
	tot = rte_be_to_cpu_16(ip.total_length);
	assert_true(tot <= FRAG_MTU);
	assert_int_equal(f->pkt_len, sizeof(*e) + tot);
	assert_int_equal(ip.time_to_live, 63);
	assert_int_equal(rte_ipv4_cksum(&ip), 0);       /* valid: sums to 0 */
	fo = rte_be_to_cpu_16(ip.fragment_offset);
	*off = (uint16_t)((fo & RTE_IPV4_HDR_OFFSET_MASK) * 8);
	*mf = (fo & RTE_IPV4_HDR_MF_FLAG) != 0;
	memcpy(payload + *off, (const uint8_t *)(e + 1) + sizeof(ip),
			tot - sizeof(ip));
	return (uint16_t)(tot - sizeof(ip));
}

/* IPv4 without DF, bigger than pb's MTU: fragments on pb that put the
 * datagram back together, counted in pb's tx_frags. */
static void
test_tx_fragment(void **state)
{
	uint8_t want[1400], got[1400];
	struct rte_mbuf *m, *f[8];
	uint64_t frags = port_ctr("pb", offsetof(struct vs_port_stats, tx_frags));
	uint16_t off, len, total = 0;
	unsigned int n, i;
	bool mf, last_seen = false;

	(void)state;
	tx_max_set("pb", FRAG_MTU + 14);
	m = big_a_to_b(sizeof(want), false);
	memcpy(want, rte_pktmbuf_mtod_offset(m, void *, 14 + 20), sizeof(want));
	tu_inject(&T, PA, m);
	poll_once();
	n = tu_collect(&T, PB, f, 8);
	tx_max_set("pb", UINT32_MAX);
	/* 1400 bytes at 552 a fragment: 552, 552, 296 */
	assert_int_equal(n, 3);
	memset(got, 0, sizeof(got));
	for (i = 0; i < n; i++) {
		len = frag_check(f[i], got, &off, &mf);
		total += len;
		if (!mf) {
			assert_int_equal(off + len, sizeof(want));
			last_seen = true;
		}
	}
	rte_pktmbuf_free_bulk(f, n);
	assert_true(last_seen);
	assert_int_equal(total, sizeof(want));
	assert_memory_equal(got, want, sizeof(want));
	assert_int_equal(port_ctr("pb", offsetof(struct vs_port_stats,
			tx_frags)), frags + 3);
	assert_null(only_output(-1));
}

/* With DF: dropped as too_big, ICMP fragmentation needed to a on pa. */
static void
test_tx_too_big_df(void **state)
{
	uint64_t big = tu_drops(&T, VS_DROP_TOO_BIG);
	const struct rte_ether_hdr *e;
	const struct rte_ipv4_hdr *ip;
	const uint8_t *icmp;
	struct rte_mbuf *r;

	(void)state;
	tx_max_set("pb", FRAG_MTU + 14);
	tu_inject(&T, PA, big_a_to_b(1400, true));
	poll_once();
	tx_max_set("pb", UINT32_MAX);
	r = only_output(PA);
	assert_int_equal(tu_drops(&T, VS_DROP_TOO_BIG), big + 1);
	e = rte_pktmbuf_mtod(r, const struct rte_ether_hdr *);
	ip = (const struct rte_ipv4_hdr *)(e + 1);
	icmp = (const uint8_t *)(ip + 1);
	assert_true(rte_is_same_ether_addr(&e->dst_addr, &A));
	assert_int_equal(rte_be_to_cpu_32(ip->dst_addr), IP_A);
	assert_int_equal(rte_be_to_cpu_32(ip->src_addr), GW);
	assert_int_equal(icmp[0], 3);
	assert_int_equal(icmp[1], 4);
	assert_int_equal((icmp[6] << 8) | icmp[7], FRAG_MTU);
	rte_pktmbuf_free(r);
}

/* A frame an af_packet ring cut (full slot, total length beyond it) is
 * rx_truncated, on its port too; a short one that lies is malformed. */
static void
test_rx_truncated(void **state)
{
	struct vs_port *p = vs_port_find(T.vs, "pa");
	uint64_t tr = tu_drops(&T, VS_DROP_RX_TRUNCATED);
	uint64_t mal = tu_drops(&T, VS_DROP_MALFORMED);
	uint64_t ptr = port_ctr("pa", offsetof(struct vs_port_stats,
			rx_truncated));
	struct rte_mbuf *m;

	(void)state;
	p->rx_trunc = 200;
	m = big_a_to_b(300 - 14 - 20, false);   /* a 300-byte frame ... */
	ip4_set(m, 0x45, 4000);                 /* ... of a 4000-byte datagram */
	m->port = p->port_id;
	tu_inject(&T, PA, m);
	m = big_a_to_b(100 - 14 - 20, false);   /* below the slot size */
	ip4_set(m, 0x45, 4000);
	m->port = p->port_id;
	tu_inject(&T, PA, m);
	poll_once();
	p->rx_trunc = 0;
	assert_null(only_output(-1));
	assert_int_equal(tu_drops(&T, VS_DROP_RX_TRUNCATED), tr + 1);
	assert_int_equal(tu_drops(&T, VS_DROP_MALFORMED), mal + 1);
	assert_int_equal(port_ctr("pa", offsetof(struct vs_port_stats,
			rx_truncated)), ptr + 1);
}

/* tx_max (the test of tx_put, above) of a new port by type and options:
 * a vhost pod's is its mtu + 14, virtio's 1500 by default; none for an
 * uplink or a devargs port. */
static void
test_tx_max_by_port(void **state)
{
	static const struct {
		enum vs_port_type type;
		bool uplink;
		uint32_t mtu, tx_max;
	} rows[] = {
		{ VS_PORT_VHOST, false, 0, 1514 },
		{ VS_PORT_VHOST, false, 9000, 9014 },
		{ VS_PORT_VHOST, false, VS_VHOST_MTU_MIN, 590 },
		{ VS_PORT_VHOST, false, VS_VHOST_MTU_MAX, 9712 },
		{ VS_PORT_VHOST, true, 9000, UINT32_MAX },
		{ VS_PORT_DEVARGS, false, 0, UINT32_MAX },
	};
	struct vs_port p;
	size_t i;

	(void)state;
	for (i = 0; i < RTE_DIM(rows); i++) {
		memset(&p, 0, sizeof(p));
		snprintf(p.spec.name, sizeof(p.spec.name), "v%zu", i);
		p.spec.type = rows[i].type;
		p.spec.uplink = rows[i].uplink;
		p.spec.mtu = rows[i].mtu;
		vs_port_afp_init(&p);
		if (p.tx_max != rows[i].tx_max)
			fail_msg("row %zu: tx_max %u, want %u", i, p.tx_max,
					rows[i].tx_max);
	}
}

/* The per-port size options: each for its port type only, in bounds; the
 * error names the port and the option. */
static void
test_port_size_options(void **state)
{
	static const struct {
		enum vs_port_type type;
		uint32_t max_frame, mtu;
		const char *err;        /* NULL: accepted */
	} rows[] = {
		{ VS_PORT_VHOST, 0, 0, NULL },
		{ VS_PORT_VHOST, 0, 576, NULL },
		{ VS_PORT_VHOST, 0, 9698, NULL },
		{ VS_PORT_VHOST, 0, 575, "port q: mtu 575 is not in 576..9698" },
		{ VS_PORT_VHOST, 0, 9699, "port q: mtu 9699 is not in" },
		{ VS_PORT_AFPACKET, 0, 1500, "port q: mtu is only for vhost" },
		{ VS_PORT_DEVARGS, 0, 1500, "port q: mtu is only for vhost" },
		{ VS_PORT_AFPACKET, 9014, 0, NULL },
		{ VS_PORT_AFPACKET, 1513, 0, "port q: max_frame 1513 is not in" },
		{ VS_PORT_VHOST, 9014, 0, "port q: max_frame is only for afpacket" },
	};
	struct vs_port_spec s;
	char err[256];
	size_t i;
	int rc;

	(void)state;
	for (i = 0; i < RTE_DIM(rows); i++) {
		memset(&s, 0, sizeof(s));
		snprintf(s.name, sizeof(s.name), "q");
		s.type = rows[i].type;
		s.max_frame = rows[i].max_frame;
		s.mtu = rows[i].mtu;
		err[0] = '\0';
		rc = vs_port_afp_check(&s, err, sizeof(err));
		if (rows[i].err == NULL && rc != 0)
			fail_msg("row %zu: %d %s", i, rc, err);
		if (rows[i].err != NULL && (rc != -EINVAL ||
				strncmp(err, rows[i].err, strlen(rows[i].err))))
			fail_msg("row %zu: %d '%s', want '%s'", i, rc, err,
					rows[i].err);
	}
}

static void
test_drop_names(void **state)
{
	unsigned int d, e;

	(void)state;
	for (d = 0; d < VS_DROP_MAX; d++) {
		assert_true(strlen(vs_drop_name(d)) > 0);
		for (e = 0; e < d; e++)
			assert_string_not_equal(vs_drop_name(d), vs_drop_name(e));
	}
	assert_string_equal(vs_drop_name(VS_DROP_MAX), "unknown");
	assert_string_equal(vs_drop_name(VS_DROP_MALFORMED), "malformed");
}

/* ---- control side ---- */

static void
test_port_add_invalid(void **state)
{
	struct vs_port_spec s;
	char err[256];

	(void)state;
	memset(&s, 0, sizeof(s));
	s.type = VS_PORT_DEVARGS;
	snprintf(s.devargs, sizeof(s.devargs), "net_null0");
	assert_int_equal(vs_port_add(T.vs, &s, err, sizeof(err)), -EINVAL);

	snprintf(s.name, sizeof(s.name), "pa");
	assert_int_equal(vs_port_add(T.vs, &s, err, sizeof(err)), -EEXIST);

	snprintf(s.name, sizeof(s.name), "up2");
	s.uplink = true;
	assert_int_equal(vs_port_add(T.vs, &s, err, sizeof(err)), -EEXIST);
	assert_non_null(strstr(err, "pu"));

	s.uplink = false;
	snprintf(s.devargs, sizeof(s.devargs), "net_nosuchdriver0");
	err[0] = '\0';
	assert_true(vs_port_add(T.vs, &s, err, sizeof(err)) < 0);
	assert_non_null(strstr(err, "up2"));

	s.type = VS_PORT_VHOST;
	assert_int_equal(vs_port_add(T.vs, &s, err, sizeof(err)), -EINVAL);
	s.type = VS_PORT_AFPACKET;
	assert_int_equal(vs_port_add(T.vs, &s, err, sizeof(err)), -EINVAL);
	assert_int_equal(vs_port_del(T.vs, "nosuchport"), -ENOENT);
}

/* A devargs port (net_null) comes and goes; traffic is unaffected. */
static void
test_port_devargs_add_del(void **state)
{
	struct vs_port_info p[8];
	struct vs_port_spec s;
	char err[256] = "";
	uint32_t n, i;
	bool found = false;

	(void)state;
	memset(&s, 0, sizeof(s));
	snprintf(s.name, sizeof(s.name), "nul");
	s.type = VS_PORT_DEVARGS;
	snprintf(s.devargs, sizeof(s.devargs), "net_null7,no-rx=1");
	if (vs_port_add(T.vs, &s, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	n = vs_port_list(T.vs, p, 8);
	for (i = 0; i < n; i++)
		if (strcmp(p[i].name, "nul") == 0) {
			found = true;
			assert_int_equal(p[i].type, VS_PORT_DEVARGS);
			assert_string_equal(p[i].detail, "net_null7,no-rx=1");
		}
	assert_true(found);
	run_row(&rows[0]);
	assert_int_equal(vs_port_del(T.vs, "nul"), 0);
	assert_int_equal(vs_port_del(T.vs, "nul"), -ENOENT);
	run_row(&rows[0]);
	/* The same devargs again: the device was detached. */
	if (vs_port_add(T.vs, &s, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	assert_int_equal(vs_port_del(T.vs, "nul"), 0);
}

/* Removing a pod's port keeps the endpoint; re-adding restores traffic. */
static void
test_port_del_keeps_endpoint(void **state)
{
	struct vs_endpoint_info e[16];
	uint64_t np = tu_drops(&T, VS_DROP_NO_PORT);
	uint32_t i, n;

	(void)state;
	tu_port_del(&T, PB);
	tu_inject(&T, PA, f_a_to_b());
	poll_once();
	assert_null(only_output(NONE));
	assert_int_equal(tu_drops(&T, VS_DROP_NO_PORT), np + 1);
	n = vs_endpoint_list(T.vs, e, 16);
	for (i = 0; i < n; i++)
		if (strcmp(e[i].spec.name, "b") == 0)
			assert_false(e[i].port_present);
	tu_port_readd(&T, PB, false);
	run_row(&rows[0]);
}

/*
 * A port that is not af_packet keeps what it received before it was added
 * (vs_port.c port_drain drains af_packet ports only): a pod's first
 * frame, waiting in its ring, is forwarded once the port is back.
 */
static void
test_port_add_keeps_first_frames(void **state)
{
	struct rte_mbuf *out;

	(void)state;
	tu_port_del(&T, PA);
	tu_inject(&T, PA, f_a_to_b());  /* into the detached port's ring */
	tu_port_readd(&T, PA, false);
	poll_once();
	out = only_output(PB);
	assert_non_null(out);
	rte_pktmbuf_free(out);
}

static void
test_endpoint_invalid(void **state)
{
	static const uint8_t mcast[6] = { 0x01, 0, 0x5e, 0, 0, 1 };

	(void)state;
	assert_int_equal(tu_endpoint_add(&T, "dup", "pa", IP_B, NULL), -EEXIST);
	assert_int_equal(tu_endpoint_add(&T, "gw", "pa", GW, NULL), -EINVAL);
	assert_int_equal(tu_endpoint_add(&T, "bc", "pa", UINT32_MAX, NULL),
			-EINVAL);
	assert_int_equal(tu_endpoint_add(&T, "mc", "pa", TU_IP(224, 0, 0, 1),
			NULL), -EINVAL);
	assert_int_equal(tu_endpoint_add(&T, "mm", "pa", TU_IP(10, 0, 0, 50),
			mcast), -EINVAL);
	assert_int_equal(tu_endpoint_add(&T, "np", "", TU_IP(10, 0, 0, 51),
			NULL), -EINVAL);
	assert_int_equal(vs_endpoint_del(T.vs, "t", "nosuch"), -ENOENT);
}

/* Replacing an endpoint moves its route; deleting removes it. */
static void
test_endpoint_replace_del(void **state)
{
	uint32_t ip2 = TU_IP(10, 0, 0, 33);

	(void)state;
	assert_int_equal(tu_endpoint_add(&T, "b", "pb", ip2, B.addr_bytes), 0);
	tu_inject(&T, PA, tu_ip4(&T, &A, &R, IP_A, ip2, 64, 17, 18));
	poll_once();
	rte_pktmbuf_free(only_output(PB));
	run_row(&(struct row){ "old address gone", f_a_to_b, PA, NONE,
			VS_DROP_NO_ROUTE, NULL });
	assert_int_equal(vs_endpoint_del(T.vs, "t", "b"), 0);
	tu_inject(&T, PA, tu_ip4(&T, &A, &R, IP_A, ip2, 64, 17, 18));
	poll_once();
	assert_null(only_output(NONE));
	assert_int_equal(tu_endpoint_add(&T, "b", "pb", IP_B, B.addr_bytes), 0);
	run_row(&rows[0]);
}

static struct acl_ruleset *
empty_ruleset(const struct acl_ruleset *prev)
{
	struct acl_compile_opts o = { .name = "tp", .socket_id = SOCKET_ID_ANY,
		.prev = prev };
	struct acl_model m;
	struct acl_err e;
	struct acl_ruleset *rs;

	memset(&m, 0, sizeof(m));
	rs = acl_compile(&m, &o, &e);
	if (rs == NULL)
		fail_msg("acl_compile: %s", e.msg);
	return rs;
}

/* The live ruleset is carried by the snapshot and replaced under RCU;
 * the old one is freed by the switch (ASan would see a double free). */
static void
test_policy_publish(void **state)
{
	struct acl_ruleset *r1 = empty_ruleset(NULL), *r2;
	char err[128] = "";
	uint64_t gen = T.vs->snap->gen;

	(void)state;
	assert_null(vs_policy_get(T.vs));
	assert_int_equal(vs_policy_publish(T.vs, r1, err, sizeof(err)), 0);
	assert_ptr_equal(vs_policy_get(T.vs), r1);
	assert_ptr_equal(T.vs->snap->policy, r1);
	assert_true(T.vs->snap->gen > gen);
	r2 = empty_ruleset(r1);
	assert_int_equal(vs_policy_publish(T.vs, r2, err, sizeof(err)), 0);
	assert_ptr_equal(vs_policy_get(T.vs), r2);
	run_row(&rows[0]);      /* forwarding goes on */
	assert_int_equal(vs_policy_publish(T.vs, NULL, err, sizeof(err)), 0);
	assert_null(vs_policy_get(T.vs));
	assert_null(T.vs->snap->policy);
	/* Left live for vs_destroy to free. */
	assert_int_equal(vs_policy_publish(T.vs, empty_ruleset(NULL), err,
			sizeof(err)), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_drop_names),
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_burst),
		cmocka_unit_test(test_learn_by_arp_request),
		cmocka_unit_test(test_learn_own_port_only),
		cmocka_unit_test(test_static_mac_kept),
		cmocka_unit_test(test_counters),
		cmocka_unit_test(test_tx_fragment),
		cmocka_unit_test(test_tx_too_big_df),
		cmocka_unit_test(test_rx_truncated),
		cmocka_unit_test(test_tx_max_by_port),
		cmocka_unit_test(test_port_size_options),
		cmocka_unit_test(test_port_add_invalid),
		cmocka_unit_test(test_port_devargs_add_del),
		cmocka_unit_test(test_port_del_keeps_endpoint),
		cmocka_unit_test(test_port_add_keeps_first_frames),
		cmocka_unit_test(test_endpoint_invalid),
		cmocka_unit_test(test_endpoint_replace_del),
		cmocka_unit_test(test_policy_publish),
	};

	return cmocka_run_group_tests_name("vs_pipeline", tests, setup,
			teardown);
}
