/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_vs_tunnel.c: VXLAN between nodes in the switch (vs_tunnel*.c,
 * vs_neigh.c) over ring ports: a pod's packet to another node's subnet
 * (unresolved: an ARP request on the uplink; resolved: a VXLAN frame with
 * the right outer and inner headers; too big without DF: fragmented and
 * each fragment encapsulated), ARP for our underlay IP, VXLAN from
 * a known node to a local pod, from an unknown one, non-VXLAN on the
 * uplink, TTL, and vs_node_set/del's checks. One switch for the whole
 * group (EAL starts once per process): the tests run in order and build
 * on each other (the peer's MAC is unknown in the first, learned after).
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
#include <rte_ip.h>
#include <rte_udp.h>

#include "vs_test_util.h"
#include "vs_tunnel.h"

enum { PA, PU };
#define IP_A TU_IP(10, 0, 0, 2)
#define REMOTE_POD TU_IP(10, 244, 2, 5)
#define UL_US TU_IP(192, 168, 77, 1)
#define UL_PEER TU_IP(192, 168, 77, 2)
#define UL_OTHER TU_IP(192, 168, 77, 9)
#define UL_MTU 1000

static const struct rte_ether_addr R = {{ 0x02, 0x6e, 0x70, 0x76, 0x73, 0x01 }};
static const struct rte_ether_addr A = {{ 0x02, 0, 0, 0, 0, 0x0a }};
static const struct rte_ether_addr V = {{ 0x02, 0, 0, 0, 0x77, 0x02 }};  /* peer uplink */
static const struct rte_ether_addr PV = {{ 0x8e, 0, 0, 0, 0x77, 0x02 }}; /* peer VtepMAC */

static struct tu T;

static int
setup(void **state)
{
	struct vs_config c;
	struct vs_node_spec n;
	uint32_t ip = rte_cpu_to_be_32(UL_US);
	char err[128];

	(void)state;
	tu_config(&c, "test_vs_tunnel", 0);
	c.underlay_ip.family = AF_INET;
	memcpy(c.underlay_ip.addr, &ip, 4);
	c.underlay_len = 24;
	c.underlay_mtu = UL_MTU;        /* inner MTU 950: tu_ip4's frames */
	c.vxlan_udp_csum = true;        /* over the fragments' chains too */
	tu_start(&T, &c);
	tu_port_add(&T, "pa", false);
	tu_port_add(&T, "pu", true);
	assert_int_equal(tu_endpoint_add(&T, "a", "pa", IP_A, A.addr_bytes), 0);
	memset(&n, 0, sizeof(n));
	snprintf(n.name, sizeof(n.name), "node-b");
	ip = rte_cpu_to_be_32(TU_IP(10, 244, 2, 0));
	memcpy(n.subnet, &ip, 4);
	n.subnet_len = 24;
	ip = rte_cpu_to_be_32(UL_PEER);
	memcpy(n.public_ip, &ip, 4);
	memcpy(n.vtep_mac, PV.addr_bytes, 6);
	n.vni = 1;
	assert_int_equal(vs_node_set(T.vs, &n, err, sizeof(err)), 0);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	tu_stop(&T);
	return 0;
}

static void
poll_once(void)
{
	vs_worker_poll(vs_worker_get(T.vs, 0));
}

/* Exactly one frame on port i (and none elsewhere). */
static struct rte_mbuf *
one_on(unsigned int i)
{
	struct rte_mbuf *m[8];
	unsigned int n, j, k;
	struct rte_mbuf *got = NULL;

	for (j = 0; j < T.n_ports; j++) {
		n = tu_collect(&T, j, m, 8);
		for (k = 0; k < n; k++) {
			if (j == i && got == NULL) {
				got = m[k];
				continue;
			}
			rte_pktmbuf_free(m[k]);
			fail_msg("unexpected frame on %s", T.port[j].name);
		}
	}
	assert_non_null(got);
	return got;
}

static void
nothing_sent(void)
{
	struct rte_mbuf *m[8];
	unsigned int j, n;

	for (j = 0; j < T.n_ports; j++) {
		n = tu_collect(&T, j, m, 8);
		rte_pktmbuf_free_bulk(m, n);
		assert_int_equal(n, 0);
	}
}

/* The peer tells its MAC with an ARP request for our underlay IP. */
static void
peer_arps(void)
{
	struct rte_mbuf *m;
	const struct rte_arp_hdr *arp;

	tu_inject(&T, PU, tu_arp(&T, &V, RTE_ARP_OP_REQUEST, UL_PEER, UL_US));
	poll_once();
	m = one_on(PU);
	arp = rte_pktmbuf_mtod_offset(m, const void *, 14);
	assert_int_equal(rte_be_to_cpu_16(arp->arp_opcode), RTE_ARP_OP_REPLY);
	assert_memory_equal(&arp->arp_data.arp_sha, &R, 6);
	assert_int_equal(rte_be_to_cpu_32(arp->arp_data.arp_sip), UL_US);
	assert_int_equal(rte_be_to_cpu_32(arp->arp_data.arp_tip), UL_PEER);
	assert_memory_equal(&arp->arp_data.arp_tha, &V, 6);
	rte_pktmbuf_free(m);
}

/* Unresolved: dropped, and an ARP request for the VTEP goes out. */
static void
test_unresolved_arps(void **state)
{
	struct rte_mbuf *m;
	const struct rte_arp_hdr *arp;

	(void)state;
	tu_inject(&T, PA, tu_ip4(&T, &A, &R, IP_A, REMOTE_POD, 64,
			IPPROTO_UDP, 32));
	poll_once();
	m = one_on(PU);
	arp = rte_pktmbuf_mtod_offset(m, const void *, 14);
	assert_int_equal(rte_be_to_cpu_16(arp->arp_opcode), RTE_ARP_OP_REQUEST);
	assert_int_equal(rte_be_to_cpu_32(arp->arp_data.arp_sip), UL_US);
	assert_int_equal(rte_be_to_cpu_32(arp->arp_data.arp_tip), UL_PEER);
	rte_pktmbuf_free(m);
	assert_int_equal(tu_drops(&T, VS_DROP_TUN_NO_NEIGH), 1);
}

/* Resolved: the VXLAN frame as docs/tunnels.md draws it. */
static void
test_encap(void **state)
{
	const struct rte_ether_hdr *oe, *ie;
	const struct rte_ipv4_hdr *oi, *ii;
	const struct rte_udp_hdr *u;
	const uint8_t *vx;
	struct rte_mbuf *m;

	(void)state;
	peer_arps();
	tu_inject(&T, PA, tu_ip4(&T, &A, &R, IP_A, REMOTE_POD, 64,
			IPPROTO_UDP, 32));
	poll_once();
	m = one_on(PU);
	assert_int_equal(m->pkt_len, 50 + 14 + 20 + 32);
	oe = rte_pktmbuf_mtod(m, const void *);
	oi = (const void *)(oe + 1);
	u = (const void *)(oi + 1);
	vx = (const uint8_t *)(u + 1);
	ie = (const void *)(vx + 8);
	ii = (const void *)(ie + 1);
	assert_memory_equal(&oe->dst_addr, &V, 6);
	assert_memory_equal(&oe->src_addr, &R, 6);
	assert_int_equal(rte_be_to_cpu_32(oi->src_addr), UL_US);
	assert_int_equal(rte_be_to_cpu_32(oi->dst_addr), UL_PEER);
	assert_int_equal(rte_ipv4_cksum(oi), 0);
	assert_int_equal(rte_be_to_cpu_16(u->dst_port), 8472);
	assert_int_equal(vx[0], 0x08);
	assert_int_equal((vx[4] << 16) | (vx[5] << 8) | vx[6], 1);
	assert_memory_equal(&ie->dst_addr, &PV, 6);
	assert_memory_equal(&ie->src_addr, &R, 6);      /* VtepMAC = mac */
	assert_int_equal(ii->time_to_live, 63);
	assert_int_equal(rte_ipv4_cksum(ii), 0);
	rte_pktmbuf_free(m);
}

/*
 * One VXLAN frame of a fragmented datagram: outer headers and checksums
 * (UDP over the whole chain), within the underlay MTU; the inner
 * fragment's payload copied into payload at its offset.
 */
static uint16_t
frag_frame_check(const struct rte_mbuf *m, uint8_t *payload, uint16_t *off,
		bool *mf)
{
	uint8_t buf[UL_MTU + 14];
	const struct rte_ether_hdr *oe;
	const struct rte_ipv4_hdr *oi, *ii;
	const struct rte_udp_hdr *u;
	uint16_t tot, fo;

	assert_true(m->pkt_len <= sizeof(buf));
	oe = rte_pktmbuf_read(m, 0, m->pkt_len, buf);
	assert_non_null(oe);
	oi = (const void *)(oe + 1);
	u = (const void *)(oi + 1);
	ii = (const void *)((const uint8_t *)(u + 1) + 8 + 14);
	assert_true(rte_be_to_cpu_16(oi->total_length) <= UL_MTU);
	assert_int_equal(m->pkt_len, 14 + rte_be_to_cpu_16(oi->total_length));
	assert_int_equal(oi->fragment_offset, 0);       /* outer: never */
	assert_int_equal(rte_ipv4_cksum(oi), 0);
	assert_int_not_equal(u->dgram_cksum, 0);
	assert_int_equal(rte_ipv4_udptcp_cksum_verify(oi, u), 0);
	assert_int_equal(rte_be_to_cpu_32(oi->dst_addr), UL_PEER);
	tot = rte_be_to_cpu_16(ii->total_length);
	assert_int_equal(m->pkt_len, 50 + 14 + tot);
	assert_int_equal(rte_ipv4_cksum(ii), 0);
	assert_int_equal(ii->time_to_live, 63);
	fo = rte_be_to_cpu_16(ii->fragment_offset);
	assert_false(fo & RTE_IPV4_HDR_DF_FLAG);
	*off = (uint16_t)((fo & RTE_IPV4_HDR_OFFSET_MASK) * 8);
	*mf = (fo & RTE_IPV4_HDR_MF_FLAG) != 0;
	memcpy(payload + *off, ii + 1, tot - sizeof(*ii));
	return (uint16_t)(tot - sizeof(*ii));
}

/*
 * Too big for the tunnel without DF: fragmented to the inner MTU (950),
 * each fragment encapsulated; NB datagrams in one burst make more frames
 * than a tx buffer holds and all of them go out. tx_frags of the uplink,
 * no drop, no vxlan_too_big.
 */
static void
test_encap_fragments(void **state)
{
	enum { NB = 20, PAY = 1400 };   /* 1420 B of IP: 948 + 492 */
	uint8_t want[PAY], got[PAY];
	struct rte_mbuf *f[2 * NB + 1];
	struct vs_port_info pi[4];
	struct vs_tunnel_info ti;
	uint64_t drops = 0, encap;
	uint16_t off, len, total = 0;
	unsigned int n, i, d, last = 0;
	bool mf;

	(void)state;
	for (d = 0; d < VS_DROP_MAX; d++)
		drops += tu_drops(&T, d);
	vs_tunnel_info(T.vs, &ti);
	encap = ti.encap;
	for (i = 0; i < NB; i++) {
		struct rte_mbuf *m = tu_ip4(&T, &A, &R, IP_A, REMOTE_POD, 64,
				IPPROTO_UDP, PAY - 20);

		if (i == 0)
			memcpy(want, rte_pktmbuf_mtod_offset(m, void *, 14 + 20),
					PAY - 20);
		tu_inject(&T, PA, m);
	}
	poll_once();
	n = tu_collect(&T, PU, f, RTE_DIM(f));
	assert_int_equal(n, 2 * NB);
	memset(got, 0, sizeof(got));
	for (i = 0; i < 2; i++) {       /* the first datagram's two */
		len = frag_frame_check(f[i], got, &off, &mf);
		total += len;
		last += !mf;
		if (!mf)
			assert_int_equal(off + len, PAY - 20);
	}
	for (i = 2; i < n; i++)
		assert_true(f[i]->pkt_len <= UL_MTU + 14);
	rte_pktmbuf_free_bulk(f, n);
	assert_int_equal(last, 1);
	assert_int_equal(total, PAY - 20);
	assert_memory_equal(got, want, PAY - 20);
	for (d = 0; d < VS_DROP_MAX; d++)
		drops -= tu_drops(&T, d);
	assert_int_equal(drops, 0);
	n = vs_port_list(T.vs, pi, RTE_DIM(pi));
	for (i = 0; i < n && strcmp(pi[i].name, "pu") != 0; i++)
		;
	assert_true(i < n);
	assert_int_equal(pi[i].stats.tx_frags, 2 * NB);
	vs_tunnel_info(T.vs, &ti);
	assert_int_equal(ti.drop[VXLAN_DROP_TOO_BIG], 0);
	assert_int_equal(ti.encap, encap + 2 * NB);
}

/* Put outer headers from src (network order IPs) in front of inner. */
static struct rte_mbuf *
vxlan_frame(uint32_t src, uint32_t vni, struct rte_mbuf *inner)
{
	uint8_t hdr[50];
	struct rte_ether_hdr *e = (void *)hdr;
	struct rte_ipv4_hdr *ip;
	struct rte_udp_hdr *u;
	uint8_t *vx;
	uint16_t ilen = (uint16_t)inner->pkt_len;
	char *room;

	memset(hdr, 0, sizeof(hdr));
	e->dst_addr = R;
	e->src_addr = V;
	e->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV4);
	ip = (void *)(e + 1);
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->total_length = rte_cpu_to_be_16(ilen + 36);
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_UDP;
	ip->src_addr = rte_cpu_to_be_32(src);
	ip->dst_addr = rte_cpu_to_be_32(UL_US);
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	u = (void *)(ip + 1);
	u->src_port = RTE_BE16(50000);
	u->dst_port = RTE_BE16(8472);
	u->dgram_len = rte_cpu_to_be_16(ilen + 16);
	vx = (void *)(u + 1);
	vx[0] = 0x08;
	vx[4] = (uint8_t)(vni >> 16);
	vx[5] = (uint8_t)(vni >> 8);
	vx[6] = (uint8_t)vni;
	room = rte_pktmbuf_prepend(inner, sizeof(hdr));
	assert_non_null(room);
	memcpy(room, hdr, sizeof(hdr));
	return inner;
}

/* VXLAN from the peer to a local pod: routed to the pod's port. */
static void
test_decap_to_pod(void **state)
{
	const struct rte_ether_hdr *e;
	const struct rte_ipv4_hdr *ip;
	struct rte_mbuf *m;

	(void)state;
	m = tu_ip4(&T, &PV, &R, REMOTE_POD, IP_A, 64, IPPROTO_UDP, 32);
	tu_inject(&T, PU, vxlan_frame(UL_PEER, 1, m));
	poll_once();
	m = one_on(PA);
	e = rte_pktmbuf_mtod(m, const void *);
	ip = (const void *)(e + 1);
	assert_int_equal(m->pkt_len, 14 + 20 + 32);
	assert_memory_equal(&e->dst_addr, &A, 6);
	assert_memory_equal(&e->src_addr, &R, 6);
	assert_int_equal(rte_be_to_cpu_32(ip->src_addr), REMOTE_POD);
	assert_int_equal(ip->time_to_live, 63);
	rte_pktmbuf_free(m);
}

/* Refused on the uplink: one row per case, each counted. */
static void
test_uplink_refused(void **state)
{
	uint64_t tun0 = tu_drops(&T, VS_DROP_TUN_DROP);
	uint64_t oth0 = tu_drops(&T, VS_DROP_UPLINK_OTHER);
	struct rte_mbuf *m;

	(void)state;
	/* an unknown VTEP */
	m = tu_ip4(&T, &PV, &R, REMOTE_POD, IP_A, 64, IPPROTO_UDP, 32);
	tu_inject(&T, PU, vxlan_frame(UL_OTHER, 1, m));
	/* a wrong VNI */
	m = tu_ip4(&T, &PV, &R, REMOTE_POD, IP_A, 64, IPPROTO_UDP, 32);
	tu_inject(&T, PU, vxlan_frame(UL_PEER, 2, m));
	/* plain IP on the uplink */
	tu_inject(&T, PU, tu_ip4(&T, &V, &R, UL_PEER, IP_A, 64,
			IPPROTO_UDP, 32));
	/* inner ARP, and an inner ping of our gateway: ignored, not
	 * answered raw on the uplink */
	m = tu_arp(&T, &PV, RTE_ARP_OP_REQUEST, REMOTE_POD, IP_A);
	tu_inject(&T, PU, vxlan_frame(UL_PEER, 1, m));
	m = tu_ip4(&T, &PV, &R, REMOTE_POD, TU_IP(10, 0, 0, 1), 64,
			IPPROTO_ICMP, 32);
	tu_inject(&T, PU, vxlan_frame(UL_PEER, 1, m));
	/* ARP for someone else: not answered */
	tu_inject(&T, PU, tu_arp(&T, &V, RTE_ARP_OP_REQUEST, UL_PEER,
			UL_OTHER));
	poll_once();
	nothing_sent();
	assert_int_equal(tu_drops(&T, VS_DROP_TUN_DROP) - tun0, 2);
	assert_int_equal(tu_drops(&T, VS_DROP_UPLINK_OTHER) - oth0, 1);
}

/* TTL 1 towards another node: ttl_exceeded, nothing sent. */
static void
test_ttl(void **state)
{
	uint64_t t0 = tu_drops(&T, VS_DROP_TTL);

	(void)state;
	peer_arps();
	tu_inject(&T, PA, tu_ip4(&T, &A, &R, IP_A, REMOTE_POD, 1,
			IPPROTO_UDP, 32));
	poll_once();
	nothing_sent();
	assert_int_equal(tu_drops(&T, VS_DROP_TTL) - t0, 1);
}

/* Ageing: stale -> the frame goes and a probe too; expired -> dropped. */
static void
test_ageing(void **state)
{
	uint64_t hz = rte_get_tsc_hz(), n0 = tu_drops(&T, VS_DROP_TUN_NO_NEIGH);
	struct rte_mbuf *m[8];
	unsigned int n, i, vxlan = 0, arp = 0;

	(void)state;
	peer_arps();
	/* the first test's request was < VS_TUN_PROBE_MS ago */
	vs_worker_get(T.vs, 0)->tun->arp_tsc[0] = 0;
	T.vs->tun->seen[0] = rte_get_tsc_cycles() -
			hz * (VS_TUN_NEIGH_STALE_S + 5);
	tu_inject(&T, PA, tu_ip4(&T, &A, &R, IP_A, REMOTE_POD, 64,
			IPPROTO_UDP, 32));
	poll_once();
	n = tu_collect(&T, PU, m, 8);
	for (i = 0; i < n; i++) {
		const struct rte_ether_hdr *e = rte_pktmbuf_mtod(m[i],
				const void *);

		if (e->ether_type == RTE_BE16(RTE_ETHER_TYPE_ARP))
			arp++;
		else
			vxlan++;
	}
	rte_pktmbuf_free_bulk(m, n);
	assert_int_equal(vxlan, 1);
	assert_int_equal(arp, 1);
	T.vs->tun->seen[0] = rte_get_tsc_cycles() -
			hz * (VS_TUN_NEIGH_EXPIRE_S + 5);
	tu_inject(&T, PA, tu_ip4(&T, &A, &R, IP_A, REMOTE_POD, 64,
			IPPROTO_UDP, 32));
	poll_once();
	nothing_sent();         /* the probe just went: no request yet */
	assert_int_equal(tu_drops(&T, VS_DROP_TUN_NO_NEIGH) - n0, 1);
	peer_arps();            /* fresh again */
	tu_inject(&T, PA, tu_ip4(&T, &A, &R, IP_A, REMOTE_POD, 64,
			IPPROTO_UDP, 32));
	poll_once();
	rte_pktmbuf_free(one_on(PU));
}

/* vs_node_set/del refuse what they must; a deleted node is no route. */
static void
test_node_checks(void **state)
{
	struct vs_node_spec n;
	struct vs_node_info ni[4];
	uint32_t ip;
	char err[128];

	(void)state;
	memset(&n, 0, sizeof(n));
	snprintf(n.name, sizeof(n.name), "node-c");
	ip = rte_cpu_to_be_32(TU_IP(10, 0, 0, 0));     /* our pod CIDR */
	memcpy(n.subnet, &ip, 4);
	n.subnet_len = 16;
	ip = rte_cpu_to_be_32(UL_OTHER);
	memcpy(n.public_ip, &ip, 4);
	memcpy(n.vtep_mac, PV.addr_bytes, 6);
	n.vni = 1;
	assert_int_equal(vs_node_set(T.vs, &n, err, sizeof(err)), -EEXIST);
	ip = rte_cpu_to_be_32(TU_IP(10, 244, 2, 128));  /* inside node-b's */
	memcpy(n.subnet, &ip, 4);
	n.subnet_len = 25;
	assert_int_equal(vs_node_set(T.vs, &n, err, sizeof(err)), -EEXIST);
	n.vtep_mac[0] = 0x01;                           /* multicast */
	ip = rte_cpu_to_be_32(TU_IP(10, 244, 3, 0));
	memcpy(n.subnet, &ip, 4);
	n.subnet_len = 24;
	assert_int_equal(vs_node_set(T.vs, &n, err, sizeof(err)), -EINVAL);
	assert_int_equal(vs_node_list(T.vs, ni, 4), 1);
	assert_int_equal(vs_node_del(T.vs, "nope"), -ENOENT);
	assert_int_equal(vs_node_del(T.vs, "node-b"), 0);
	assert_int_equal(vs_node_list(T.vs, ni, 4), 0);
	tu_inject(&T, PA, tu_ip4(&T, &A, &R, IP_A, REMOTE_POD, 64,
			IPPROTO_UDP, 32));
	poll_once();
	nothing_sent();
	assert_true(tu_drops(&T, VS_DROP_NO_ROUTE) >= 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_unresolved_arps),
		cmocka_unit_test(test_encap),
		cmocka_unit_test(test_encap_fragments),
		cmocka_unit_test(test_decap_to_pod),
		cmocka_unit_test(test_uplink_refused),
		cmocka_unit_test(test_ttl),
		cmocka_unit_test(test_ageing),
		cmocka_unit_test(test_node_checks),
	};

	/* One EAL per process: one switch for the group, tests in order. */
	return cmocka_run_group_tests_name("vs_tunnel", tests, setup, teardown);
}
