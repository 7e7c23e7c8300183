/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_vxlan_decap.c: vxlan_decap_burst() on frames built field by field
 * (tun_test.c): a table of one well-formed frame and one change per row,
 * each with the result it must get (OK, PASS untouched, or one drop
 * reason counted alone); then checksums, hardware checksum flags, the
 * VTEP check, stripping with options and padding, a mixed burst.
 */
#include "tun_test.h"

#include <string.h>

#include "vtep.h"

static struct vxlan_ctx ctx;
static struct vxlan_lcore lc;
static uint8_t inner[128];
static uint32_t inner_len;

static int
setup(void **state)
{
	(void)state;
	tt_ctx(&ctx, false);
	memset(&lc, 0, sizeof(lc));
	/* What a Flannel peer sends: pod 10.244.2.7 -> our pod 10.244.1.5,
	 * inner dst = our VtepMAC, inner src = its VtepMAC. */
	inner_len = tt_inner_udp(inner, &tt_local_vtep_mac, &tt_peer_vtep_mac,
			TT_REMOTE_POD_IP, TT_POD_IP, 2000, 1000, 46, false);
	return 0;
}

/* ---- one row per case ---- */

struct row {
	const char *what;
	void (*change)(struct tt_vx *v);
	uint8_t res;
};

#define DROP(r) VXLAN_RES_DROP(VXLAN_DROP_##r)

static void none(struct tt_vx *v) { (void)v; }
static void csum_valid(struct tt_vx *v) { v->udp_csum = TT_CSUM_VALID; }
static void csum_wrong(struct tt_vx *v) { v->udp_csum = TT_CSUM_WRONG; }
static void reserved_bits(struct tt_vx *v) { v->flags_word = 0xffffffff; v->vni_word |= 0xff; }
static void port_53(struct tt_vx *v) { v->dport = 53; }
static void port_4789(struct tt_vx *v) { v->dport = 4789; }
static void other_ip(struct tt_vx *v) { v->dst_ip = RTE_IPV4(192, 168, 50, 3); }
static void tcp(struct tt_vx *v) { v->proto = IPPROTO_TCP; }
static void non_first_frag(struct tt_vx *v) { v->frag = 0x0010; }
static void vni_2(struct tt_vx *v) { v->vni_word = 2 << 8; }
static void no_i_flag(struct tt_vx *v) { v->flags_word = 0; }
static void other_flags(struct tt_vx *v) { v->flags_word = 0x80000000; }
static void cut_udp(struct tt_vx *v) { v->cut = 14 + 20 + 4; }
static void cut_vxlan(struct tt_vx *v) { v->cut = 14 + 20 + 8 + 4; }
static void short_udp_vxlan(struct tt_vx *v) { v->inner_len = 0; v->tot_delta = -4; v->udp_len_delta = -4; }
static void ihl_4(struct tt_vx *v) { v->ihl = 4; }
static void version_6(struct tt_vx *v) { v->version = 6; }
static void tot_long(struct tt_vx *v) { v->tot_delta = 1; }
static void tot_short(struct tt_vx *v) { v->tot_delta = -(int)(v->inner_len + 16 - 4); v->udp_len_delta = 0; }
static void more_frags(struct tt_vx *v) { v->frag = 0x2000; }
static void df_ok(struct tt_vx *v) { v->frag = 0x4000; }
static void ip_csum(struct tt_vx *v) { v->ip_csum_wrong = true; }
static void udp_len_big(struct tt_vx *v) { v->udp_len_delta = 2; }
static void udp_len_small(struct tt_vx *v) { v->udp_len_delta = -2; }
static void options(struct tt_vx *v) { v->ihl = 6; }
static void options_csum(struct tt_vx *v) { v->ihl = 7; v->udp_csum = TT_CSUM_VALID; }
static void padded(struct tt_vx *v) { v->pad = 6; }

static uint8_t scratch[2048];

static void inner_cut(struct tt_vx *v) { v->inner_len = 10; }
static void inner_ip_cut(struct tt_vx *v) { v->inner_len = 14 + 19; }

static void
inner_edit(struct tt_vx *v, size_t off, const void *b, size_t n)
{
	memcpy(scratch, v->inner, v->inner_len);
	memcpy(scratch + off, b, n);
	v->inner = scratch;
}

static void inner_ipv6(struct tt_vx *v) { inner_edit(v, 12, "\x86\xdd", 2); }
static void inner_vlan(struct tt_vx *v) { inner_edit(v, 12, "\x81\x00", 2); }
static void inner_other_dst(struct tt_vx *v) { inner_edit(v, 0, "\x0a\0\0\0\0\x03", 6); }
static void inner_bcast_ip(struct tt_vx *v) { inner_edit(v, 0, "\xff\xff\xff\xff\xff\xff", 6); }
static void inner_loop(struct tt_vx *v) { inner_edit(v, 6, "\x0a\0\0\0\0\x01", 6); }

/* An ARP request from the peer's VtepMAC: 14 + 28 bytes. */
static void
inner_arp(struct tt_vx *v, const char *dst)
{
	memset(scratch, 0, 42);
	memcpy(scratch, dst, 6);
	memcpy(scratch + 6, "\x0a\0\0\0\0\x02", 6);
	memcpy(scratch + 12, "\x08\x06\x00\x01\x08\x00\x06\x04\x00\x01", 10);
	v->inner = scratch;
	v->inner_len = 42;
}

static void arp_bcast(struct tt_vx *v) { inner_arp(v, "\xff\xff\xff\xff\xff\xff"); }
static void arp_to_us(struct tt_vx *v) { inner_arp(v, "\x0a\0\0\0\0\x01"); }
static void arp_cut(struct tt_vx *v) { inner_arp(v, "\x0a\0\0\0\0\x01"); v->inner_len = 41; }

static const struct row rows[] = {
	{ "well-formed, UDP checksum 0", none, VXLAN_RES_OK },
	{ "valid UDP checksum", csum_valid, VXLAN_RES_OK },
	{ "reserved bits set (ignored, RFC 7348)", reserved_bits, VXLAN_RES_OK },
	{ "outer DF set", df_ok, VXLAN_RES_OK },
	{ "outer IP options", options, VXLAN_RES_OK },
	{ "options and UDP checksum", options_csum, VXLAN_RES_OK },
	{ "Ethernet padding after the IP packet", padded, VXLAN_RES_OK },
	{ "inner ARP broadcast", arp_bcast, VXLAN_RES_OK },
	{ "inner ARP to our VtepMAC", arp_to_us, VXLAN_RES_OK },
	{ "other UDP port", port_53, VXLAN_RES_PASS },
	{ "IANA port while we use 8472", port_4789, VXLAN_RES_PASS },
	{ "another destination IP", other_ip, VXLAN_RES_PASS },
	{ "TCP to our IP", tcp, VXLAN_RES_PASS },
	{ "non-first fragment", non_first_frag, VXLAN_RES_PASS },
	{ "wrong UDP checksum", csum_wrong, DROP(BAD_UDP_CSUM) },
	{ "VNI 2", vni_2, DROP(BAD_VNI) },
	{ "flags without I", no_i_flag, DROP(BAD_FLAGS) },
	{ "only a reserved flag", other_flags, DROP(BAD_FLAGS) },
	{ "UDP header cut", cut_udp, DROP(TRUNC_OUTER) },
	{ "frame cut in the VXLAN header", cut_vxlan, DROP(BAD_IP_LEN) },
	{ "UDP payload shorter than VXLAN", short_udp_vxlan, DROP(TRUNC_VXLAN) },
	{ "IHL 4", ihl_4, DROP(BAD_IP_HLEN) },
	{ "IP version 6 in an IPv4 frame", version_6, DROP(BAD_IP_HLEN) },
	{ "total length past the frame", tot_long, DROP(BAD_IP_LEN) },
	{ "total length below IP + UDP", tot_short, DROP(BAD_IP_LEN) },
	{ "first fragment (MF)", more_frags, DROP(IP_FRAGMENT) },
	{ "bad IP checksum", ip_csum, DROP(BAD_IP_CSUM) },
	{ "UDP length > IP payload", udp_len_big, DROP(BAD_UDP_LEN) },
	{ "UDP length < IP payload", udp_len_small, DROP(BAD_UDP_LEN) },
	{ "inner frame of 10 bytes", inner_cut, DROP(INNER_SHORT) },
	{ "inner IPv4 header cut", inner_ip_cut, DROP(INNER_SHORT) },
	{ "inner ARP cut", arp_cut, DROP(INNER_SHORT) },
	{ "inner IPv6", inner_ipv6, DROP(INNER_ETHERTYPE) },
	{ "inner VLAN tag", inner_vlan, DROP(INNER_ETHERTYPE) },
	{ "inner dst another VtepMAC", inner_other_dst, DROP(INNER_DST_MAC) },
	{ "inner IPv4 to broadcast MAC", inner_bcast_ip, DROP(INNER_DST_MAC) },
	{ "inner src is our VtepMAC", inner_loop, DROP(INNER_LOOP) },
};

/* Build the row's frame, decapsulate it, check result and counters. */
static void
run_row(const struct row *r)
{
	struct tt_vx v;
	uint8_t frame[2048];
	uint32_t len;
	struct rte_mbuf *m;
	rte_be32_t remote = 0;
	uint8_t res = 0xff;
	int i;

	memset(&lc, 0, sizeof(lc));
	tt_vx_default(&v, inner, inner_len);
	r->change(&v);
	len = tt_vx_build(&v, frame);
	m = tt_mbuf(frame, len);
	vxlan_decap_burst(&ctx, &lc, &m, 1, &res, &remote);
	if (res != r->res)
		fail_msg("%s: result %u, expected %u", r->what, res, r->res);
	if (res == VXLAN_RES_OK) {
		assert_int_equal(remote, rte_cpu_to_be_32(TT_PEER_IP));
		assert_int_equal(rte_pktmbuf_pkt_len(m), v.inner_len);
		assert_memory_equal(rte_pktmbuf_mtod(m, void *), v.inner,
				v.inner_len);
		assert_int_equal(lc.stats.decap, 1);
	} else {
		/* Untouched, whatever happened. */
		assert_int_equal(rte_pktmbuf_pkt_len(m), len);
		assert_memory_equal(rte_pktmbuf_mtod(m, void *), frame, len);
		assert_int_equal(lc.stats.decap, 0);
	}
	assert_int_equal(lc.stats.pass, res == VXLAN_RES_PASS);
	/* A drop is counted under its own reason, and only there. */
	for (i = 0; i < VXLAN_DROP_MAX; i++)
		if (lc.stats.drop[i] != (res == VXLAN_RES_DROP(i)))
			fail_msg("%s: counter %s = %lu", r->what,
				vxlan_drop_name(i), (unsigned long)lc.stats.drop[i]);
	rte_pktmbuf_free(m);
}

static void
test_table(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < RTE_DIM(rows); i++)
		run_row(&rows[i]);
}

/* Every decapsulation drop reason has at least one row. */
static void
test_table_covers_reasons(void **state)
{
	static const enum vxlan_drop encap_only[] = { VXLAN_DROP_ENC_SHORT,
		VXLAN_DROP_NO_HEADROOM, VXLAN_DROP_TOO_BIG_DF,
		VXLAN_DROP_TOO_BIG, VXLAN_DROP_UNKNOWN_VTEP /* own test */ };
	bool seen[VXLAN_DROP_MAX] = { false };
	size_t i;

	(void)state;
	for (i = 0; i < RTE_DIM(rows); i++)
		if (vxlan_res_is_drop(rows[i].res))
			seen[vxlan_res_reason(rows[i].res)] = true;
	for (i = 0; i < RTE_DIM(encap_only); i++)
		seen[encap_only[i]] = true;
	for (i = 0; i < VXLAN_DROP_MAX; i++)
		if (!seen[i])
			fail_msg("no decap row for %s", vxlan_drop_name(i));
}

/* Not VXLAN at all: ARP on the uplink, a runt, IPv6. */
static void
test_pass_non_ip(void **state)
{
	static const uint8_t arp[42] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		0x02, 0, 0, 0, 0, 0x02, 0x08, 0x06, 0x00, 0x01, 0x08, 0x00 };
	static const uint8_t ip6[60] = { [12] = 0x86, [13] = 0xdd };
	struct rte_mbuf *pkts[3] = { tt_mbuf(arp, sizeof(arp)),
		tt_mbuf(arp, 20), tt_mbuf(ip6, sizeof(ip6)) };
	uint8_t res[3];
	int i;

	(void)state;
	assert_int_equal(vxlan_decap_burst(&ctx, &lc, pkts, 3, res, NULL), 0);
	for (i = 0; i < 3; i++) {
		assert_int_equal(res[i], VXLAN_RES_PASS);
		rte_pktmbuf_free(pkts[i]);
	}
	assert_int_equal(lc.stats.pass, 3);
}

/* The PMD's checksum verdicts are used when it gives them. */
static void
test_hw_csum_flags(void **state)
{
	static const struct {
		enum tt_csum udp;
		bool ip_wrong;
		uint64_t flags;
		uint8_t res;
	} cases[] = {
		/* hardware says bad IP: dropped though the sum is right */
		{ TT_CSUM_VALID, false, RTE_MBUF_F_RX_IP_CKSUM_BAD, DROP(BAD_IP_CSUM) },
		/* hardware says good IP: trusted */
		{ TT_CSUM_ZERO, true, RTE_MBUF_F_RX_IP_CKSUM_GOOD, VXLAN_RES_OK },
		{ TT_CSUM_VALID, false, RTE_MBUF_F_RX_L4_CKSUM_BAD, DROP(BAD_UDP_CSUM) },
		{ TT_CSUM_WRONG, false, RTE_MBUF_F_RX_L4_CKSUM_GOOD, VXLAN_RES_OK },
		/* zero UDP checksum: no checksum, whatever the flag */
		{ TT_CSUM_ZERO, false, RTE_MBUF_F_RX_L4_CKSUM_BAD, VXLAN_RES_OK },
	};
	uint8_t frame[256];
	size_t i;

	(void)state;
	for (i = 0; i < RTE_DIM(cases); i++) {
		struct tt_vx v;
		struct rte_mbuf *m;
		uint8_t res;

		tt_vx_default(&v, inner, inner_len);
		v.udp_csum = cases[i].udp;
		v.ip_csum_wrong = cases[i].ip_wrong;
		m = tt_mbuf(frame, tt_vx_build(&v, frame));
		m->ol_flags |= cases[i].flags;
		vxlan_decap_burst(&ctx, &lc, &m, 1, &res, NULL);
		assert_int_equal(res, cases[i].res);
		if (res == VXLAN_RES_OK)        /* stale outer flags cleared */
			assert_int_equal(m->ol_flags & (RTE_MBUF_F_RX_IP_CKSUM_MASK |
				RTE_MBUF_F_RX_L4_CKSUM_MASK), 0);
		rte_pktmbuf_free(m);
	}
}

/* The UDP checksum covers a frame in two segments. */
static void
test_csum_multiseg(void **state)
{
	static uint8_t big_inner[1200], frame[1400];
	uint32_t ilen = tt_inner_udp(big_inner, &tt_local_vtep_mac,
			&tt_peer_vtep_mac, TT_REMOTE_POD_IP, TT_POD_IP, 1, 2,
			1100, false);
	enum tt_csum kinds[2] = { TT_CSUM_VALID, TT_CSUM_WRONG };
	uint8_t want[2] = { VXLAN_RES_OK, DROP(BAD_UDP_CSUM) };
	int k;

	(void)state;
	for (k = 0; k < 2; k++) {
		struct tt_vx v;
		uint32_t len;
		struct rte_mbuf *m, *tail;
		uint8_t res;

		tt_vx_default(&v, big_inner, ilen);
		v.udp_csum = kinds[k];
		len = tt_vx_build(&v, frame);
		m = tt_mbuf(frame, 300);
		tail = tt_mbuf(frame + 300, len - 300);
		assert_int_equal(rte_pktmbuf_chain(m, tail), 0);
		vxlan_decap_burst(&ctx, &lc, &m, 1, &res, NULL);
		assert_int_equal(res, want[k]);
		if (res == VXLAN_RES_OK)
			assert_int_equal(rte_pktmbuf_pkt_len(m), ilen);
		rte_pktmbuf_free(m);
	}
}

/* Headers must be in the first segment: VXLAN header split -> truncated. */
static void
test_headers_split(void **state)
{
	uint8_t frame[256];
	struct tt_vx v;
	uint32_t len;
	struct rte_mbuf *m, *tail;
	uint8_t res;

	(void)state;
	tt_vx_default(&v, inner, inner_len);
	len = tt_vx_build(&v, frame);
	m = tt_mbuf(frame, 14 + 20 + 8 + 4);
	tail = tt_mbuf(frame + 46, len - 46);
	assert_int_equal(rte_pktmbuf_chain(m, tail), 0);
	vxlan_decap_burst(&ctx, &lc, &m, 1, &res, NULL);
	assert_int_equal(res, DROP(TRUNC_VXLAN));
	rte_pktmbuf_free(m);
}

/* With ctx->vteps, only known VTEPs may send to us. */
static void
test_unknown_vtep(void **state)
{
	struct vtep_table *t = vtep_table_create("tt_dec", 4, SOCKET_ID_ANY);
	struct vtep_entry e = { .subnet = rte_cpu_to_be_32(RTE_IPV4(10, 244, 2, 0)),
		.subnet_len = 24, .node = "peer" };
	uint8_t frame[256];
	struct tt_vx v;
	struct rte_mbuf *m;
	uint8_t res;
	int pass;

	(void)state;
	assert_non_null(t);
	tt_peer_dst(&e.dst);
	ctx.vteps = t;
	for (pass = 0; pass < 2; pass++) {
		if (pass == 1)
			assert_int_equal(vtep_add(t, &e, NULL), 0);
		tt_vx_default(&v, inner, inner_len);
		m = tt_mbuf(frame, tt_vx_build(&v, frame));
		vxlan_decap_burst(&ctx, &lc, &m, 1, &res, NULL);
		assert_int_equal(res, pass == 0 ? DROP(UNKNOWN_VTEP) :
				VXLAN_RES_OK);
		rte_pktmbuf_free(m);
	}
	assert_int_equal(lc.stats.drop[VXLAN_DROP_UNKNOWN_VTEP], 1);
	ctx.vteps = NULL;
	vtep_table_free(t);
}

/* VNI and port follow the ctx (4789, VNI 42). */
static void
test_ctx_port_vni(void **state)
{
	uint8_t frame[256];
	struct tt_vx v;
	struct rte_mbuf *m;
	uint8_t res;

	(void)state;
	ctx.udp_port = rte_cpu_to_be_16(4789);
	ctx.vni = 42;
	tt_vx_default(&v, inner, inner_len);
	v.dport = 4789;
	v.vni_word = 42 << 8;
	m = tt_mbuf(frame, tt_vx_build(&v, frame));
	vxlan_decap_burst(&ctx, &lc, &m, 1, &res, NULL);
	assert_int_equal(res, VXLAN_RES_OK);
	rte_pktmbuf_free(m);
}

/* A burst: results per packet, in place, counted once each. */
static void
test_burst_mixed(void **state)
{
	uint8_t f[4][256];
	uint32_t len[4];
	struct rte_mbuf *pkts[4];
	rte_be32_t remote[4] = { 0 };
	uint8_t res[4];
	struct tt_vx v;
	int i;

	(void)state;
	for (i = 0; i < 4; i++) {
		tt_vx_default(&v, inner, inner_len);
		if (i == 1)
			v.dport = 53;
		if (i == 2)
			v.vni_word = 7 << 8;
		len[i] = tt_vx_build(&v, f[i]);
		pkts[i] = tt_mbuf(f[i], len[i]);
	}
	assert_int_equal(vxlan_decap_burst(&ctx, &lc, pkts, 4, res, remote), 2);
	assert_int_equal(res[0], VXLAN_RES_OK);
	assert_int_equal(res[1], VXLAN_RES_PASS);
	assert_int_equal(res[2], DROP(BAD_VNI));
	assert_int_equal(res[3], VXLAN_RES_OK);
	assert_int_equal(remote[0], rte_cpu_to_be_32(TT_PEER_IP));
	assert_int_equal(remote[3], rte_cpu_to_be_32(TT_PEER_IP));
	assert_int_equal(lc.stats.decap, 2);
	assert_int_equal(lc.stats.pass, 1);
	assert_int_equal(lc.stats.drop[VXLAN_DROP_BAD_VNI], 1);
	for (i = 0; i < 4; i++)
		rte_pktmbuf_free(pkts[i]);
}

int
tt_run_decap(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_table, setup),
		cmocka_unit_test_setup(test_table_covers_reasons, setup),
		cmocka_unit_test_setup(test_pass_non_ip, setup),
		cmocka_unit_test_setup(test_hw_csum_flags, setup),
		cmocka_unit_test_setup(test_csum_multiseg, setup),
		cmocka_unit_test_setup(test_headers_split, setup),
		cmocka_unit_test_setup(test_unknown_vtep, setup),
		cmocka_unit_test_setup(test_ctx_port_vni, setup),
		cmocka_unit_test_setup(test_burst_mixed, setup),
	};

	return cmocka_run_group_tests_name("vxlan_decap", tests, NULL, NULL);
}
