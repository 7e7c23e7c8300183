/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_vxlan_encap.c: vxlan_ctx checks and vxlan_encap_burst(): the outer
 * header bytes against bytes written by hand from RFC 7348/791/768,
 * checksums, DF modes, the ECMP source port, headroom, and an encap ->
 * decap round trip.
 */
#include "tun_test.h"

#include <errno.h>
#include <string.h>

#include <rte_udp.h>

/* The inner frame a pod 10.244.1.5 sends to 10.244.2.7 (UDP 1000 -> 2000,
 * 18 bytes of payload), as it reaches the route stage: to the gateway MAC,
 * TTL already decremented to 63 by the caller. 60 bytes. */
static const uint8_t pod_frame[60] = {
	0x02, 0, 0, 0, 0, 0xfe,                 /* dst: gateway MAC */
	0x02, 0, 0, 0, 0, 0xaa,                 /* src: pod MAC */
	0x08, 0x00,
	0x45, 0x00, 0x00, 0x2e, 0x00, 0x07, 0x00, 0x00, 0x3f, 0x11,
	0x00, 0x00,                             /* inner checksum: not ours */
	10, 244, 1, 5, 10, 244, 2, 7,
	0x03, 0xe8, 0x07, 0xd0, 0x00, 0x1a, 0x00, 0x00,
	0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17,
};

/* What must be on the wire, written from the RFCs: 50 outer bytes, then
 * the inner frame with dst = peer VtepMAC, src = our VtepMAC. Outer UDP
 * source port (bytes 34-35) depends on the hash: checked apart. */
static const uint8_t wire[110] = {
	/* Ethernet: peer uplink MAC, our uplink MAC, IPv4 */
	0x02, 0, 0, 0, 0, 0x02, 0x02, 0, 0, 0, 0, 0x01, 0x08, 0x00,
	/* IPv4: v4 IHL 5, ToS 0, length 60 + 36 = 96, ID 0x1234 (lc), no DF
	 * (Linux default), TTL 64, UDP, checksum 0x8305 (computed by hand),
	 * 192.168.50.1 -> 192.168.50.2 */
	0x45, 0x00, 0x00, 0x60, 0x12, 0x34, 0x00, 0x00, 0x40, 0x11,
	0x83, 0x05, 192, 168, 50, 1, 192, 168, 50, 2,
	/* UDP: source port (hash), 8472, length 60 + 16 = 76, checksum 0 */
	0x00, 0x00, 0x21, 0x18, 0x00, 0x4c, 0x00, 0x00,
	/* VXLAN: flags I (0x08), reserved, VNI 1, reserved */
	0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00,
	/* inner Ethernet: peer VtepMAC, our VtepMAC, IPv4 */
	0x0a, 0, 0, 0, 0, 0x02, 0x0a, 0, 0, 0, 0, 0x01, 0x08, 0x00,
	/* inner IPv4 and UDP: unchanged */
	0x45, 0x00, 0x00, 0x2e, 0x00, 0x07, 0x00, 0x00, 0x3f, 0x11,
	0x00, 0x00, 10, 244, 1, 5, 10, 244, 2, 7,
	0x03, 0xe8, 0x07, 0xd0, 0x00, 0x1a, 0x00, 0x00,
	0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17,
};

#define SPORT_OFF 34

static struct vxlan_ctx ctx;
static struct vxlan_lcore lc;
static struct vxlan_dst peer;

static int
setup(void **state)
{
	(void)state;
	tt_ctx(&ctx, false);
	memset(&lc, 0, sizeof(lc));
	lc.ip_id = 0x1234;
	tt_peer_dst(&peer);
	return 0;
}

/* Encapsulate one packet to the peer; returns its result. */
static uint8_t
encap1(struct rte_mbuf *m)
{
	const struct vxlan_dst *d = &peer;
	uint8_t res = 0xff;

	vxlan_encap_burst(&ctx, &lc, &m, &d, 1, &res);
	return res;
}

static uint16_t
sport_of(const struct rte_mbuf *m)
{
	const uint8_t *p = rte_pktmbuf_mtod(m, const uint8_t *);

	return (uint16_t)(p[SPORT_OFF] << 8 | p[SPORT_OFF + 1]);
}

/* ---- invalid input first ---- */

static void set_vni(struct vxlan_ctx *c) { c->vni = VXLAN_VNI_MAX + 1; }
static void set_ip0(struct vxlan_ctx *c) { c->local_ip = 0; }
static void set_port0(struct vxlan_ctx *c) { c->udp_port = 0; }
static void set_ttl0(struct vxlan_ctx *c) { c->ttl = 0; }
static void set_mtu(struct vxlan_ctx *c) { c->underlay_mtu = 117; }
static void set_range(struct vxlan_ctx *c) { c->src_port_min = 60001; c->src_port_max = 60000; }
static void set_df(struct vxlan_ctx *c) { c->df = 3; }
static void set_vmac(struct vxlan_ctx *c) { memset(&c->vtep_mac, 0, 6); }
static void set_mcast(struct vxlan_ctx *c) { c->local_mac.addr_bytes[0] = 0x01; }

static void
test_ctx_check(void **state)
{
	static void (*const bad[])(struct vxlan_ctx *) = {
		set_vni,        /* VNI has 24 bits */
		set_ip0,        /* no VTEP address */
		set_port0,      /* no port */
		set_ttl0,       /* TTL 0 would be dropped at the first hop */
		set_mtu,        /* below 68 + 50 */
		set_range,      /* min > max */
		set_df,         /* not an enum vxlan_df */
		set_vmac,       /* zero VtepMAC */
		set_mcast,      /* multicast uplink MAC */
	};
	struct vxlan_ctx c;
	size_t i;

	(void)state;
	assert_int_equal(vxlan_ctx_check(NULL), -EINVAL);
	vxlan_ctx_defaults(&c);
	assert_int_equal(vxlan_ctx_check(&c), -EINVAL);  /* addresses unset */
	for (i = 0; i < RTE_DIM(bad); i++) {
		tt_ctx(&c, true);
		bad[i](&c);
		assert_int_equal(vxlan_ctx_check(&c), -EINVAL);
	}
	tt_ctx(&c, true);
	assert_int_equal(vxlan_ctx_check(&c), 0);
}

static void
test_defaults(void **state)
{
	struct vxlan_ctx c;

	(void)state;
	vxlan_ctx_defaults(&c);
	/* Flannel on Linux: 8472, VNI 1, TTL 64, DF unset; checksum 0 as
	 * RFC 7348 recommends. */
	assert_int_equal(rte_be_to_cpu_16(c.udp_port), 8472);
	assert_int_equal(c.vni, 1);
	assert_int_equal(c.ttl, 64);
	assert_int_equal(c.df, VXLAN_DF_UNSET);
	assert_false(c.udp_csum);
	assert_int_equal(c.underlay_mtu, 1500);
	assert_int_equal(c.src_port_min, 49152);
	assert_int_equal(c.src_port_max, 65535);
	assert_int_equal(VXLAN_INNER_MTU(1500), 1450);
}

static void
test_drop_names(void **state)
{
	int i, j;

	(void)state;
	for (i = 0; i < VXLAN_DROP_MAX; i++) {
		const char *a = vxlan_drop_name(i);

		assert_non_null(a);
		assert_int_equal(strncmp(a, "vxlan_", 6), 0);
		for (j = 0; j < i; j++)
			assert_string_not_equal(a, vxlan_drop_name(j));
	}
	assert_string_equal(vxlan_drop_name(VXLAN_DROP_MAX), "?");
	assert_true(vxlan_res_is_drop(VXLAN_RES_DROP(0)));
	assert_false(vxlan_res_is_drop(VXLAN_RES_PASS));
	assert_int_equal(vxlan_res_reason(VXLAN_RES_DROP(VXLAN_DROP_BAD_VNI)),
			VXLAN_DROP_BAD_VNI);
}

/* ---- the bytes on the wire ---- */

static void
test_wire_bytes(void **state)
{
	struct rte_mbuf *m = tt_mbuf(pod_frame, sizeof(pod_frame));
	const uint8_t *p;
	uint16_t sport;

	(void)state;
	assert_int_equal(encap1(m), VXLAN_RES_OK);
	assert_int_equal(rte_pktmbuf_pkt_len(m), sizeof(wire));
	p = rte_pktmbuf_mtod(m, const uint8_t *);
	assert_memory_equal(p, wire, SPORT_OFF);
	assert_memory_equal(p + SPORT_OFF + 2, wire + SPORT_OFF + 2,
			sizeof(wire) - SPORT_OFF - 2);
	sport = sport_of(m);
	assert_in_range(sport, 49152, 65535);
	/* The IP checksum verifies with DPDK's own sum as well. */
	assert_int_equal(rte_ipv4_cksum((const struct rte_ipv4_hdr *)(p + 14)),
			0);
	assert_int_equal(lc.stats.encap, 1);
	assert_int_equal(lc.ip_id, 0x1235);
	rte_pktmbuf_free(m);
}

static void
test_vni_and_port(void **state)
{
	struct rte_mbuf *m = tt_mbuf(pod_frame, sizeof(pod_frame));
	const uint8_t *p;

	(void)state;
	ctx.udp_port = rte_cpu_to_be_16(4789);
	peer.vni = 0xabcdef;
	assert_int_equal(encap1(m), VXLAN_RES_OK);
	p = rte_pktmbuf_mtod(m, const uint8_t *);
	assert_int_equal(p[36], 0x12);          /* 4789 = 0x12b5 */
	assert_int_equal(p[37], 0xb5);
	assert_int_equal(p[42], 0x08);          /* flags */
	assert_int_equal(p[46], 0xab);          /* VNI, then a zero byte */
	assert_int_equal(p[47], 0xcd);
	assert_int_equal(p[48], 0xef);
	assert_int_equal(p[49], 0x00);
	rte_pktmbuf_free(m);
}

/* ToS, TTL and the ID (wrapping) follow ctx and lc; the checksum too. */
static void
test_ip_fields(void **state)
{
	int i;

	(void)state;
	ctx.tos = 0xb8;
	ctx.ttl = 1;
	ctx.df = VXLAN_DF_SET;
	lc.ip_id = 0xffff;
	for (i = 0; i < 2; i++) {
		struct rte_mbuf *m = tt_mbuf(pod_frame, sizeof(pod_frame));
		const uint8_t *p;

		assert_int_equal(encap1(m), VXLAN_RES_OK);
		p = rte_pktmbuf_mtod(m, const uint8_t *);
		assert_int_equal(p[15], 0xb8);
		assert_int_equal(p[18], i == 0 ? 0xff : 0x00);
		assert_int_equal(p[19], i == 0 ? 0xff : 0x00);
		assert_int_equal(p[20], 0x40);
		assert_int_equal(p[22], 1);
		assert_int_equal(rte_ipv4_cksum(
			(const struct rte_ipv4_hdr *)(p + 14)), 0);
		rte_pktmbuf_free(m);
	}
}

static void
test_udp_csum(void **state)
{
	struct rte_mbuf *m = tt_mbuf(pod_frame, sizeof(pod_frame));
	struct rte_ipv4_hdr *ip;
	struct rte_udp_hdr *udp;
	uint16_t sent;

	(void)state;
	ctx.udp_csum = true;
	assert_int_equal(encap1(m), VXLAN_RES_OK);
	ip = rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, 14);
	udp = (struct rte_udp_hdr *)(ip + 1);
	sent = udp->dgram_cksum;
	assert_int_not_equal(sent, 0);
	assert_int_equal(rte_ipv4_udptcp_cksum_verify(ip, udp), 0);
	/* Recompute from scratch (contiguous DPDK routine). */
	udp->dgram_cksum = 0;
	assert_int_equal(rte_ipv4_udptcp_cksum(ip, udp), sent);
	rte_pktmbuf_free(m);
}

/* A two-segment inner frame: the UDP checksum covers both segments. */
static void
test_udp_csum_multiseg(void **state)
{
	uint8_t big[1014];
	uint32_t len = tt_inner_udp(big, &tt_gw_mac, &tt_pod_mac, TT_POD_IP,
			TT_REMOTE_POD_IP, 1000, 2000, 1000, false);
	struct rte_mbuf *m = tt_mbuf(big, 400);
	struct rte_mbuf *tail = tt_mbuf(big + 400, len - 400);
	struct rte_ipv4_hdr *ip;

	(void)state;
	assert_int_equal(rte_pktmbuf_chain(m, tail), 0);
	ctx.udp_csum = true;
	assert_int_equal(encap1(m), VXLAN_RES_OK);
	ip = rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, 14);
	assert_int_equal(rte_be_to_cpu_16(ip->total_length), len + 36);
	assert_int_equal(rte_ipv4_udptcp_cksum_mbuf_verify(m, ip, 34), 0);
	rte_pktmbuf_free(m);
}

static void
test_df_modes(void **state)
{
	static const struct {
		uint8_t df;             /* ctx->df */
		bool inner_df;          /* DF on the inner packet */
		uint8_t byte;           /* expected outer flags byte (20) */
	} rows[] = {
		{ VXLAN_DF_UNSET, true, 0x00 },         /* Linux default */
		{ VXLAN_DF_UNSET, false, 0x00 },
		{ VXLAN_DF_SET, false, 0x40 },
		{ VXLAN_DF_INHERIT, true, 0x40 },
		{ VXLAN_DF_INHERIT, false, 0x00 },
	};
	uint8_t f[128];
	size_t i;

	(void)state;
	for (i = 0; i < RTE_DIM(rows); i++) {
		uint32_t len = tt_inner_udp(f, &tt_gw_mac, &tt_pod_mac,
				TT_POD_IP, TT_REMOTE_POD_IP, 1, 2, 46,
				rows[i].inner_df);
		struct rte_mbuf *m = tt_mbuf(f, len);
		const uint8_t *p;

		ctx.df = rows[i].df;
		assert_int_equal(encap1(m), VXLAN_RES_OK);
		p = rte_pktmbuf_mtod(m, const uint8_t *);
		assert_int_equal(p[20], rows[i].byte);
		assert_int_equal(p[21], 0);
		assert_int_equal(rte_ipv4_cksum(
			(const struct rte_ipv4_hdr *)(p + 14)), 0);
		rte_pktmbuf_free(m);
	}
}

/* Source port of a UDP flow sport -> 2000 under the current ctx. */
static uint16_t
flow_sport(uint16_t sport)
{
	uint8_t f[128];
	uint32_t len = tt_inner_udp(f, &tt_gw_mac, &tt_pod_mac, TT_POD_IP,
			TT_REMOTE_POD_IP, sport, 2000, 46, false);
	struct rte_mbuf *m = tt_mbuf(f, len);
	uint16_t port;

	assert_int_equal(encap1(m), VXLAN_RES_OK);
	port = sport_of(m);
	rte_pktmbuf_free(m);
	return port;
}

static void
test_src_port_per_flow(void **state)
{
	uint16_t ports[64];
	unsigned int distinct = 0;
	int i, j;

	(void)state;
	for (i = 0; i < 64; i++) {
		ports[i] = flow_sport((uint16_t)(1000 + i));
		assert_in_range(ports[i], 49152, 65535);
		/* Stable: the same flow again gets the same port. */
		assert_int_equal(flow_sport((uint16_t)(1000 + i)), ports[i]);
	}
	for (i = 0; i < 64; i++) {
		for (j = 0; j < i && ports[j] != ports[i]; j++)
			;
		distinct += j == i;
	}
	/* 64 flows over 16384 ports: collisions are rare. */
	assert_true(distinct >= 56);

	/* A configured range is honoured, both ends included. */
	ctx.src_port_min = 60000;
	ctx.src_port_max = 60003;
	for (i = 0; i < 64; i++)
		assert_in_range(flow_sport((uint16_t)i), 60000, 60003);
	ctx.src_port_max = 60000;
	assert_int_equal(flow_sport(5), 60000);
}

static void
test_non_ip_inner(void **state)
{
	uint8_t arp[60] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		0x02, 0, 0, 0, 0, 0xaa, 0x08, 0x06 };
	struct rte_mbuf *m = tt_mbuf(arp, sizeof(arp));

	(void)state;
	assert_int_equal(encap1(m), VXLAN_RES_OK);
	assert_in_range(sport_of(m), 49152, 65535);
	rte_pktmbuf_free(m);
}

static void
test_headroom(void **state)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(tt_pool);
	uint8_t *p;

	(void)state;
	assert_non_null(m);
	/* 49 bytes of headroom: one short. */
	m->data_off = VXLAN_OVERHEAD - 1;
	p = (uint8_t *)rte_pktmbuf_append(m, sizeof(pod_frame));
	memcpy(p, pod_frame, sizeof(pod_frame));
	assert_int_equal(encap1(m), VXLAN_RES_DROP(VXLAN_DROP_NO_HEADROOM));
	/* Untouched, counted. */
	assert_int_equal(rte_pktmbuf_pkt_len(m), sizeof(pod_frame));
	assert_memory_equal(rte_pktmbuf_mtod(m, void *), pod_frame,
			sizeof(pod_frame));
	assert_int_equal(lc.stats.drop[VXLAN_DROP_NO_HEADROOM], 1);
	assert_int_equal(lc.stats.encap, 0);
	/* Exactly 50 is enough. */
	rte_pktmbuf_reset(m);
	m->data_off = VXLAN_OVERHEAD;
	p = (uint8_t *)rte_pktmbuf_append(m, sizeof(pod_frame));
	memcpy(p, pod_frame, sizeof(pod_frame));
	assert_int_equal(encap1(m), VXLAN_RES_OK);
	assert_int_equal(m->data_off, 0);
	rte_pktmbuf_free(m);
}

static void
test_short_inner(void **state)
{
	struct rte_mbuf *m = tt_mbuf(pod_frame, 13);

	(void)state;
	assert_int_equal(encap1(m), VXLAN_RES_DROP(VXLAN_DROP_ENC_SHORT));
	assert_int_equal(lc.stats.drop[VXLAN_DROP_ENC_SHORT], 1);
	rte_pktmbuf_free(m);
}

static void
test_tx_flags_cleared(void **state)
{
	struct rte_mbuf *m = tt_mbuf(pod_frame, sizeof(pod_frame));

	(void)state;
	m->ol_flags |= RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_IP_CKSUM |
		RTE_MBUF_F_TX_UDP_CKSUM;
	assert_int_equal(encap1(m), VXLAN_RES_OK);
	assert_int_equal(m->ol_flags & RTE_MBUF_F_TX_OFFLOAD_MASK, 0);
	rte_pktmbuf_free(m);
}

/* A burst with mixed fates; packets stay in place. */
static void
test_burst_mixed(void **state)
{
	static uint8_t big[1600];
	uint32_t big_len = tt_inner_udp(big, &tt_gw_mac, &tt_pod_mac,
			TT_POD_IP, TT_REMOTE_POD_IP, 1, 2, 1451, true);
	struct rte_mbuf *pkts[4];
	const struct vxlan_dst *dst[4] = { &peer, &peer, &peer, &peer };
	uint8_t res[4];
	unsigned int i;

	(void)state;
	pkts[0] = tt_mbuf(pod_frame, sizeof(pod_frame));
	pkts[1] = tt_mbuf(pod_frame, 10);
	pkts[2] = tt_mbuf(big, big_len);
	pkts[3] = tt_mbuf(pod_frame, sizeof(pod_frame));
	struct rte_mbuf *orig[4] = { pkts[0], pkts[1], pkts[2], pkts[3] };

	assert_int_equal(vxlan_encap_burst(&ctx, &lc, pkts, dst, 4, res), 2);
	assert_int_equal(res[0], VXLAN_RES_OK);
	assert_int_equal(res[1], VXLAN_RES_DROP(VXLAN_DROP_ENC_SHORT));
	assert_int_equal(res[2], VXLAN_RES_DROP(VXLAN_DROP_TOO_BIG_DF));
	assert_int_equal(res[3], VXLAN_RES_OK);
	assert_int_equal(lc.stats.encap, 2);
	assert_int_equal(lc.stats.drop[VXLAN_DROP_TOO_BIG_DF], 1);
	assert_int_equal(lc.ip_id, 0x1236);
	/* The control thread sums lcores (here the same one twice). */
	struct vxlan_stats sum;
	memset(&sum, 0, sizeof(sum));
	vxlan_stats_add(&sum, &lc);
	vxlan_stats_add(&sum, &lc);
	assert_int_equal(sum.encap, 4);
	assert_int_equal(sum.drop[VXLAN_DROP_TOO_BIG_DF], 2);
	assert_int_equal(sum.drop[VXLAN_DROP_ENC_SHORT], 2);
	assert_int_equal(sum.decap, 0);
	for (i = 0; i < 4; i++) {
		assert_ptr_equal(pkts[i], orig[i]);
		rte_pktmbuf_free(pkts[i]);
	}
}

/* Encapsulate, then decapsulate as the peer: the inner frame comes back. */
static void
roundtrip(bool udp_csum)
{
	struct vxlan_ctx them;
	struct vxlan_lcore their_lc;
	struct rte_mbuf *m = tt_mbuf(pod_frame, sizeof(pod_frame));
	rte_be32_t remote = 0;
	uint8_t res;

	ctx.udp_csum = udp_csum;
	assert_int_equal(encap1(m), VXLAN_RES_OK);
	tt_ctx(&them, udp_csum);
	them.local_ip = rte_cpu_to_be_32(TT_PEER_IP);
	them.local_mac = tt_peer_mac;
	them.vtep_mac = tt_peer_vtep_mac;
	memset(&their_lc, 0, sizeof(their_lc));
	assert_int_equal(vxlan_decap_burst(&them, &their_lc, &m, 1, &res,
			&remote), 1);
	assert_int_equal(res, VXLAN_RES_OK);
	assert_int_equal(remote, rte_cpu_to_be_32(TT_LOCAL_IP));
	assert_int_equal(rte_pktmbuf_pkt_len(m), sizeof(pod_frame));
	assert_memory_equal(rte_pktmbuf_mtod(m, void *), wire + 50,
			sizeof(pod_frame));
	assert_int_equal(their_lc.stats.decap, 1);
	rte_pktmbuf_free(m);
}

static void test_roundtrip_zero_csum(void **state) { (void)state; roundtrip(false); }
static void test_roundtrip_udp_csum(void **state) { (void)state; roundtrip(true); }

int
tt_run_encap(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_ctx_check, setup),
		cmocka_unit_test_setup(test_defaults, setup),
		cmocka_unit_test_setup(test_drop_names, setup),
		cmocka_unit_test_setup(test_wire_bytes, setup),
		cmocka_unit_test_setup(test_vni_and_port, setup),
		cmocka_unit_test_setup(test_ip_fields, setup),
		cmocka_unit_test_setup(test_udp_csum, setup),
		cmocka_unit_test_setup(test_udp_csum_multiseg, setup),
		cmocka_unit_test_setup(test_df_modes, setup),
		cmocka_unit_test_setup(test_src_port_per_flow, setup),
		cmocka_unit_test_setup(test_non_ip_inner, setup),
		cmocka_unit_test_setup(test_headroom, setup),
		cmocka_unit_test_setup(test_short_inner, setup),
		cmocka_unit_test_setup(test_tx_flags_cleared, setup),
		cmocka_unit_test_setup(test_burst_mixed, setup),
		cmocka_unit_test_setup(test_roundtrip_zero_csum, setup),
		cmocka_unit_test_setup(test_roundtrip_udp_csum, setup),
	};

	return cmocka_run_group_tests_name("vxlan_encap", tests, NULL, NULL);
}
