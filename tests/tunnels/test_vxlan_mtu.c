/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_vxlan_mtu.c: the tunnel MTU (inner IPv4 + 50 <= underlay MTU) at its
 * boundary, and the ICMP "fragmentation needed" reply: header bytes
 * written by hand from RFC 792/1191, checksums, the quoted packet, and
 * every case where no ICMP error may be sent (RFC 1122 3.2.2).
 */
#include "tun_test.h"

#include <errno.h>
#include <string.h>

#include <rte_icmp.h>

static struct vxlan_ctx ctx;
static struct vxlan_lcore lc;
static struct vxlan_dst peer;
static uint8_t frame[2048];

static int
setup(void **state)
{
	(void)state;
	tt_ctx(&ctx, false);
	memset(&lc, 0, sizeof(lc));
	tt_peer_dst(&peer);
	return 0;
}

/* A pod's UDP packet of ip_len bytes of IP to a remote pod. */
static struct rte_mbuf *
pod_packet(uint16_t ip_len, bool df)
{
	uint32_t len = tt_inner_udp(frame, &tt_gw_mac, &tt_pod_mac, TT_POD_IP,
			TT_REMOTE_POD_IP, 1000, 2000, ip_len, df);

	return tt_mbuf(frame, len);
}

static uint8_t
encap1(struct rte_mbuf *m)
{
	const struct vxlan_dst *d = &peer;
	uint8_t res = 0xff;

	vxlan_encap_burst(&ctx, &lc, &m, &d, 1, &res);
	return res;
}

static void
test_boundary(void **state)
{
	static const struct {
		uint16_t mtu, ip_len;
		bool df;
		uint8_t res;
	} rows[] = {
		{ 1500, 1450, true, VXLAN_RES_OK },     /* exactly fits: 1500 out */
		{ 1500, 1451, true, VXLAN_RES_DROP(VXLAN_DROP_TOO_BIG_DF) },
		{ 1500, 1451, false, VXLAN_RES_DROP(VXLAN_DROP_TOO_BIG) },
		{ 1400, 1350, false, VXLAN_RES_OK },
		{ 1400, 1351, true, VXLAN_RES_DROP(VXLAN_DROP_TOO_BIG_DF) },
		{ 9000, 1500, true, VXLAN_RES_OK },     /* jumbo underlay */
	};
	size_t i;

	(void)state;
	for (i = 0; i < RTE_DIM(rows); i++) {
		struct rte_mbuf *m = pod_packet(rows[i].ip_len, rows[i].df);
		uint8_t res;

		ctx.underlay_mtu = rows[i].mtu;
		res = encap1(m);
		assert_int_equal(res, rows[i].res);
		if (res == VXLAN_RES_OK)
			assert_true(rte_pktmbuf_pkt_len(m) - 14 <= rows[i].mtu);
		else    /* untouched */
			assert_int_equal(rte_pktmbuf_pkt_len(m),
					14u + rows[i].ip_len);
		rte_pktmbuf_free(m);
	}
	assert_int_equal(lc.stats.drop[VXLAN_DROP_TOO_BIG_DF], 2);
	/* IPv4 without DF: the caller fragments it, no drop counted here */
	assert_int_equal(lc.stats.drop[VXLAN_DROP_TOO_BIG], 0);
}

static void
test_check_non_ip(void **state)
{
	struct rte_mbuf *m;

	(void)state;
	memset(frame, 0, 1500);
	frame[12] = 0x08;                       /* ARP, absurdly long */
	frame[13] = 0x06;
	m = tt_mbuf(frame, 1500);
	assert_int_equal(vxlan_mtu_check(&ctx, m), VXLAN_MTU_TOO_BIG);
	/* not IPv4: nobody fragments it, encap refuses and counts it */
	assert_int_equal(encap1(m), VXLAN_RES_DROP(VXLAN_DROP_TOO_BIG));
	assert_int_equal(lc.stats.drop[VXLAN_DROP_TOO_BIG], 1);
	assert_int_equal(rte_pktmbuf_pkt_len(m), 1500);
	rte_pktmbuf_trim(m, 100);
	assert_int_equal(vxlan_mtu_check(&ctx, m), VXLAN_MTU_OK);
	rte_pktmbuf_free(m);
}

/* The reply to a 1500-byte DF packet: every header byte, by hand. */
static const uint8_t want_hdr[42] = {
	/* Ethernet: to the pod's MAC, from the gateway MAC */
	0x02, 0, 0, 0, 0, 0xaa, 0x02, 0, 0, 0, 0, 0xfe, 0x08, 0x00,
	/* IPv4: ToS 0xc0, length 20 + 8 + 548 = 576, ID 0, DF, TTL 64,
	 * ICMP, checksum 0x2010 (by hand), 10.244.1.1 -> 10.244.1.5 */
	0x45, 0xc0, 0x02, 0x40, 0x00, 0x00, 0x40, 0x00, 0x40, 0x01,
	0x20, 0x10, 10, 244, 1, 1, 10, 244, 1, 5,
	/* ICMP: type 3 code 4, checksum (below), unused 0, MTU 1450 */
	0x03, 0x04, 0x00, 0x00, 0x00, 0x00, 0x05, 0xaa,
};

static struct rte_mbuf *
frag_reply(const struct rte_mbuf *orig, int *rc)
{
	struct rte_mbuf *r = rte_pktmbuf_alloc(tt_pool);

	assert_non_null(r);
	*rc = vxlan_frag_needed(&ctx, orig, rte_cpu_to_be_32(TT_GW_IP),
			&tt_gw_mac, r);
	return r;
}

static void
test_frag_needed(void **state)
{
	struct rte_mbuf *orig = pod_packet(1500, true);
	struct rte_mbuf *r;
	const uint8_t *p;
	uint8_t icmp[8 + 548];
	int rc;

	(void)state;
	assert_int_equal(encap1(orig), VXLAN_RES_DROP(VXLAN_DROP_TOO_BIG_DF));
	r = frag_reply(orig, &rc);
	assert_int_equal(rc, 0);
	assert_int_equal(rte_pktmbuf_pkt_len(r), 14 + 576);
	p = rte_pktmbuf_mtod(r, const uint8_t *);
	assert_memory_equal(p, want_hdr, 36);           /* up to the ICMP sum */
	assert_memory_equal(p + 38, want_hdr + 38, 4);
	/* Checksums verify: IP with DPDK's sum, ICMP over header + quote. */
	assert_int_equal(rte_ipv4_cksum((const struct rte_ipv4_hdr *)(p + 14)), 0);
	assert_int_equal(rte_raw_cksum(p + 34, 8 + 548), 0xffff);
	/* ... and the ICMP checksum is the one recomputed from zero. */
	memcpy(icmp, p + 34, sizeof(icmp));
	icmp[2] = icmp[3] = 0;
	assert_int_equal((uint16_t)~rte_raw_cksum(icmp, sizeof(icmp)),
			*(const uint16_t *)(p + 36));
	/* The quote: the original IP header and the first 528 bytes after. */
	assert_memory_equal(p + 42, frame + 14, 548);
	rte_pktmbuf_free(r);
	rte_pktmbuf_free(orig);
}

/* A small offending packet is quoted whole; the MTU follows the ctx. */
static void
test_frag_needed_small(void **state)
{
	struct rte_mbuf *orig = pod_packet(200, true);
	struct rte_mbuf *r;
	const uint8_t *p;
	int rc;

	(void)state;
	ctx.underlay_mtu = 200;
	r = frag_reply(orig, &rc);
	assert_int_equal(rc, 0);
	p = rte_pktmbuf_mtod(r, const uint8_t *);
	assert_int_equal(rte_pktmbuf_pkt_len(r), 14 + 20 + 8 + 200);
	assert_int_equal(p[16] << 8 | p[17], 228);      /* IP total length */
	assert_int_equal(p[40] << 8 | p[41], 150);      /* 200 - 50 */
	assert_memory_equal(p + 42, frame + 14, 200);
	assert_int_equal(rte_raw_cksum(p + 34, 8 + 200), 0xffff);
	rte_pktmbuf_free(r);
	rte_pktmbuf_free(orig);
}

/* The original in two segments: the quote is read across them. */
static void
test_frag_needed_multiseg(void **state)
{
	uint32_t len = tt_inner_udp(frame, &tt_gw_mac, &tt_pod_mac, TT_POD_IP,
			TT_REMOTE_POD_IP, 1000, 2000, 1500, true);
	struct rte_mbuf *orig = tt_mbuf(frame, 100);
	struct rte_mbuf *r;
	int rc;

	(void)state;
	assert_int_equal(rte_pktmbuf_chain(orig, tt_mbuf(frame + 100,
			len - 100)), 0);
	r = frag_reply(orig, &rc);
	assert_int_equal(rc, 0);
	assert_memory_equal(rte_pktmbuf_mtod_offset(r, void *, 42), frame + 14,
			548);
	rte_pktmbuf_free(r);
	rte_pktmbuf_free(orig);
}

/* Edit the IPv4 header of frame[] (and fix its checksum). */
static void
edit_ip(size_t off, const void *b, size_t n)
{
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(frame + 14);

	memcpy((uint8_t *)ip + off, b, n);
	ip->hdr_checksum = 0;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
}

static void
test_frag_needed_refused(void **state)
{
	static const struct {
		const char *what;
		size_t off;                     /* in the IP header */
		const char *bytes;
		size_t n;
	} rows[] = {
		{ "non-first fragment", 6, "\x40\x10", 2 },
		{ "source 0.0.0.0", 12, "\0\0\0\0", 4 },
		{ "source multicast", 12, "\xe0\0\0\x01", 4 },
		{ "source loopback", 12, "\x7f\0\0\x01", 4 },
		{ "destination broadcast", 16, "\xff\xff\xff\xff", 4 },
		{ "ICMP destination unreachable", 9, "\x01", 1 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < RTE_DIM(rows); i++) {
		uint32_t len = tt_inner_udp(frame, &tt_gw_mac, &tt_pod_mac,
				TT_POD_IP, TT_REMOTE_POD_IP, 1000, 2000, 1500,
				true);
		struct rte_mbuf *orig, *r;
		int rc;

		edit_ip(rows[i].off, rows[i].bytes, rows[i].n);
		frame[34] = 3;                  /* ICMP type, if ICMP */
		orig = tt_mbuf(frame, len);
		r = frag_reply(orig, &rc);
		if (rc != -EINVAL)
			fail_msg("%s: %d", rows[i].what, rc);
		assert_int_equal(rte_pktmbuf_pkt_len(r), 0);
		rte_pktmbuf_free(r);
		rte_pktmbuf_free(orig);
	}
}

/* An ICMP echo request (not an error) does get a reply. */
static void
test_frag_needed_echo(void **state)
{
	uint32_t len = tt_inner_udp(frame, &tt_gw_mac, &tt_pod_mac, TT_POD_IP,
			TT_REMOTE_POD_IP, 1000, 2000, 1500, true);
	struct rte_mbuf *orig, *r;
	int rc;

	(void)state;
	edit_ip(9, "\x01", 1);
	frame[34] = 8;                          /* echo request */
	orig = tt_mbuf(frame, len);
	r = frag_reply(orig, &rc);
	assert_int_equal(rc, 0);
	rte_pktmbuf_free(r);
	rte_pktmbuf_free(orig);
}

static void
test_frag_needed_bad_args(void **state)
{
	struct rte_mbuf *orig = pod_packet(1500, true);
	struct rte_mbuf *arp, *r;
	int rc;

	(void)state;
	/* Not IPv4. */
	memset(frame, 0, 60);
	frame[12] = 0x08;
	frame[13] = 0x06;
	arp = tt_mbuf(frame, 60);
	r = frag_reply(arp, &rc);
	assert_int_equal(rc, -EINVAL);
	rte_pktmbuf_free(r);
	/* A reply mbuf that is not empty. */
	r = rte_pktmbuf_alloc(tt_pool);
	rte_pktmbuf_append(r, 1);
	assert_int_equal(vxlan_frag_needed(&ctx, orig,
		rte_cpu_to_be_32(TT_GW_IP), &tt_gw_mac, r), -EINVAL);
	rte_pktmbuf_free(r);
	/* A reply mbuf without room for header + 8 bytes of quote. */
	r = rte_pktmbuf_alloc(tt_pool);
	r->data_off = r->buf_len - (42 + 27);
	assert_int_equal(vxlan_frag_needed(&ctx, orig,
		rte_cpu_to_be_32(TT_GW_IP), &tt_gw_mac, r), -ENOSPC);
	/* Room for 100 bytes of quote: quoted that far, still valid. */
	r->data_off = r->buf_len - (42 + 100);
	assert_int_equal(vxlan_frag_needed(&ctx, orig,
		rte_cpu_to_be_32(TT_GW_IP), &tt_gw_mac, r), 0);
	assert_int_equal(rte_pktmbuf_pkt_len(r), 42 + 100);
	assert_int_equal(rte_ipv4_cksum(rte_pktmbuf_mtod_offset(r,
		const struct rte_ipv4_hdr *, 14)), 0);
	rte_pktmbuf_free(r);
	rte_pktmbuf_free(arp);
	rte_pktmbuf_free(orig);
}

int
tt_run_mtu(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_frag_needed_bad_args, setup),
		cmocka_unit_test_setup(test_frag_needed_refused, setup),
		cmocka_unit_test_setup(test_boundary, setup),
		cmocka_unit_test_setup(test_check_non_ip, setup),
		cmocka_unit_test_setup(test_frag_needed, setup),
		cmocka_unit_test_setup(test_frag_needed_small, setup),
		cmocka_unit_test_setup(test_frag_needed_multiseg, setup),
		cmocka_unit_test_setup(test_frag_needed_echo, setup),
	};

	return cmocka_run_group_tests_name("vxlan_mtu", tests, NULL, NULL);
}
