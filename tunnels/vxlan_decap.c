/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vxlan_decap.c: classification and decapsulation of a burst received on
 * the uplink (data path).
 *
 * Each packet goes through three steps:
 *   1. is it ours? IPv4 to our VTEP IP, UDP, to our port. Anything else is
 *      "pass": the caller handles it as if tunnels did not exist. We claim
 *      a UDP packet to our IP as soon as we cannot read its port (bad IHL,
 *      truncated UDP header): it is malformed either way. Non-first
 *      fragments carry no UDP header and are passed on (we do not
 *      reassemble; a first fragment to our port is dropped).
 *   2. is the outer packet sound? IP length and checksum, UDP length and
 *      checksum (zero = none, RFC 7348 allows it over IPv4), VXLAN flags
 *      (I set; reserved bits ignored, RFC 7348) and VNI.
 *   3. is the inner frame one a Flannel peer sends? Long enough, IPv4 or
 *      ARP, addressed to our VtepMAC (ARP broadcast also), not from our
 *      VtepMAC (a loop; Linux drops those too), from a known VTEP when
 *      ctx->vteps is set.
 * Then the outer headers are stripped. Every drop is counted by reason.
 */
#include "vxlan.h"

#include <rte_arp.h>
#include <rte_branch_prediction.h>
#include <rte_prefetch.h>

#include "vtep.h"
#include "vxlan_priv.h"

/* Offsets with an outer IP header of hlen bytes. */
#define UDP_OFF(hlen) (RTE_ETHER_HDR_LEN + (hlen))
#define VXLAN_OFF(hlen) (UDP_OFF(hlen) + sizeof(struct rte_udp_hdr))
#define INNER_OFF(hlen) (VXLAN_OFF(hlen) + sizeof(struct rte_vxlan_hdr))

/* Step 1. Returns VXLAN_RES_OK if the packet is VXLAN for us. */
static inline uint8_t
classify(const struct vxlan_ctx *ctx, struct vxlan_lcore *lc,
		const struct rte_mbuf *m)
{
	const uint8_t *p = rte_pktmbuf_mtod(m, const uint8_t *);
	const struct rte_ether_hdr *eth = (const struct rte_ether_hdr *)p;
	const struct rte_ipv4_hdr *ip;
	const struct rte_udp_hdr *udp;
	uint16_t dlen = rte_pktmbuf_data_len(m);
	uint32_t hlen;

	if (dlen < RTE_ETHER_HDR_LEN + sizeof(*ip) ||
			eth->ether_type != rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4))
		return VXLAN_RES_PASS;
	ip = (const struct rte_ipv4_hdr *)(eth + 1);
	if (ip->dst_addr != ctx->local_ip || ip->next_proto_id != IPPROTO_UDP)
		return VXLAN_RES_PASS;
	if (ip->fragment_offset & rte_cpu_to_be_16(RTE_IPV4_HDR_OFFSET_MASK))
		return VXLAN_RES_PASS;
	if ((ip->version_ihl >> 4) != IPVERSION ||
			(ip->version_ihl & RTE_IPV4_HDR_IHL_MASK) < RTE_IPV4_MIN_IHL)
		return vxlan_count_drop(lc, VXLAN_DROP_BAD_IP_HLEN);
	hlen = rte_ipv4_hdr_len(ip);
	if (dlen < UDP_OFF(hlen) + sizeof(*udp))
		return vxlan_count_drop(lc, VXLAN_DROP_TRUNC_OUTER);
	udp = (const struct rte_udp_hdr *)(p + UDP_OFF(hlen));
	if (udp->dst_port != ctx->udp_port)
		return VXLAN_RES_PASS;
	return VXLAN_RES_OK;
}

/* Outer IP checksum: trust the PMD's verdict if it gave one. */
static inline bool
ip_csum_ok(const struct rte_mbuf *m, const struct rte_ipv4_hdr *ip)
{
	uint64_t f = m->ol_flags & RTE_MBUF_F_RX_IP_CKSUM_MASK;

	if (f == RTE_MBUF_F_RX_IP_CKSUM_BAD)
		return false;
	if (f != RTE_MBUF_F_RX_IP_CKSUM_UNKNOWN)        /* GOOD or NONE */
		return true;
	return rte_ipv4_cksum(ip) == 0;
}

/* Outer UDP checksum: zero means none; else as for IP. */
static inline bool
udp_csum_ok(const struct rte_mbuf *m, const struct rte_ipv4_hdr *ip,
		const struct rte_udp_hdr *udp, uint32_t hlen)
{
	uint64_t f = m->ol_flags & RTE_MBUF_F_RX_L4_CKSUM_MASK;

	if (udp->dgram_cksum == 0)
		return true;
	if (f == RTE_MBUF_F_RX_L4_CKSUM_BAD)
		return false;
	if (f != RTE_MBUF_F_RX_L4_CKSUM_UNKNOWN)        /* GOOD or NONE */
		return true;
	if (likely(m->nb_segs == 1))
		return rte_ipv4_udptcp_cksum_verify(ip, udp) == 0;
	return rte_ipv4_udptcp_cksum_mbuf_verify(m, ip, UDP_OFF(hlen)) == 0;
}

/* Step 2: outer IP, UDP and VXLAN headers. 0 or VXLAN_RES_DROP(...). */
static uint8_t
check_outer(const struct vxlan_ctx *ctx, struct vxlan_lcore *lc,
		struct rte_mbuf *m)
{
	const uint8_t *p = rte_pktmbuf_mtod(m, const uint8_t *);
	const struct rte_ipv4_hdr *ip =
		(const struct rte_ipv4_hdr *)(p + RTE_ETHER_HDR_LEN);
	uint32_t hlen = rte_ipv4_hdr_len(ip);
	const struct rte_udp_hdr *udp =
		(const struct rte_udp_hdr *)(p + UDP_OFF(hlen));
	const struct rte_vxlan_hdr *vx =
		(const struct rte_vxlan_hdr *)(p + VXLAN_OFF(hlen));
	uint32_t tot = rte_be_to_cpu_16(ip->total_length);
	uint32_t l2_payload = rte_pktmbuf_pkt_len(m) - RTE_ETHER_HDR_LEN;

	if (ip->fragment_offset & rte_cpu_to_be_16(RTE_IPV4_HDR_MF_FLAG))
		return vxlan_count_drop(lc, VXLAN_DROP_IP_FRAGMENT);
	/* Padding after the IP packet must sit in the last segment (trim). */
	if (tot < hlen + sizeof(*udp) || tot > l2_payload ||
			l2_payload - tot > rte_pktmbuf_lastseg(m)->data_len)
		return vxlan_count_drop(lc, VXLAN_DROP_BAD_IP_LEN);
	if (!ip_csum_ok(m, ip))
		return vxlan_count_drop(lc, VXLAN_DROP_BAD_IP_CSUM);
	if (rte_be_to_cpu_16(udp->dgram_len) != tot - hlen)
		return vxlan_count_drop(lc, VXLAN_DROP_BAD_UDP_LEN);
	if (tot - hlen < VXLAN_UDP_EXTRA ||
			rte_pktmbuf_data_len(m) < INNER_OFF(hlen))
		return vxlan_count_drop(lc, VXLAN_DROP_TRUNC_VXLAN);
	if (!udp_csum_ok(m, ip, udp, hlen))
		return vxlan_count_drop(lc, VXLAN_DROP_BAD_UDP_CSUM);
	if (!vxlan_flag_i(vx))
		return vxlan_count_drop(lc, VXLAN_DROP_BAD_FLAGS);
	if (vxlan_vni_get(vx) != ctx->vni)
		return vxlan_count_drop(lc, VXLAN_DROP_BAD_VNI);
	return 0;
}

/* Step 3: the inner frame (len bytes, contig of them in segment 1). */
static uint8_t
check_inner(const struct vxlan_ctx *ctx, struct vxlan_lcore *lc,
		const struct rte_ether_hdr *eth, uint32_t len, uint32_t contig)
{
	uint32_t need;
	bool arp;

	if (len < RTE_ETHER_HDR_LEN || contig < RTE_ETHER_HDR_LEN)
		return vxlan_count_drop(lc, VXLAN_DROP_INNER_SHORT);
	arp = eth->ether_type == rte_cpu_to_be_16(RTE_ETHER_TYPE_ARP);
	if (arp)
		need = RTE_ETHER_HDR_LEN + sizeof(struct rte_arp_hdr);
	else if (eth->ether_type == rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4))
		need = RTE_ETHER_HDR_LEN + sizeof(struct rte_ipv4_hdr);
	else
		return vxlan_count_drop(lc, VXLAN_DROP_INNER_ETHERTYPE);
	if (len < need)
		return vxlan_count_drop(lc, VXLAN_DROP_INNER_SHORT);
	if (!rte_is_same_ether_addr(&eth->dst_addr, &ctx->vtep_mac) &&
			!(arp && rte_is_broadcast_ether_addr(&eth->dst_addr)))
		return vxlan_count_drop(lc, VXLAN_DROP_INNER_DST_MAC);
	if (rte_is_same_ether_addr(&eth->src_addr, &ctx->vtep_mac))
		return vxlan_count_drop(lc, VXLAN_DROP_INNER_LOOP);
	return 0;
}

/* Steps 2 and 3, then strip. */
static uint8_t
decap_one(const struct vxlan_ctx *ctx, struct vxlan_lcore *lc,
		struct rte_mbuf *m, rte_be32_t *remote)
{
	const uint8_t *p = rte_pktmbuf_mtod(m, const uint8_t *);
	const struct rte_ipv4_hdr *ip =
		(const struct rte_ipv4_hdr *)(p + RTE_ETHER_HDR_LEN);
	uint32_t hlen = rte_ipv4_hdr_len(ip);
	uint32_t inner_len, r;

	r = check_outer(ctx, lc, m);
	if (r != 0)
		return r;
	inner_len = rte_be_to_cpu_16(ip->total_length) - hlen - VXLAN_UDP_EXTRA;
	r = check_inner(ctx, lc,
		(const struct rte_ether_hdr *)(p + INNER_OFF(hlen)), inner_len,
		rte_pktmbuf_data_len(m) - INNER_OFF(hlen));
	if (r != 0)
		return r;
	if (ctx->vteps != NULL && vtep_lookup_ip(ctx->vteps, ip->src_addr) == NULL)
		return vxlan_count_drop(lc, VXLAN_DROP_UNKNOWN_VTEP);

	*remote = ip->src_addr;
	rte_pktmbuf_adj(m, INNER_OFF(hlen));
	if (rte_pktmbuf_pkt_len(m) > inner_len)
		rte_pktmbuf_trim(m, rte_pktmbuf_pkt_len(m) - inner_len);
	/* What the PMD said about the outer headers says nothing of these. */
	m->ol_flags &= ~(RTE_MBUF_F_RX_IP_CKSUM_MASK |
			RTE_MBUF_F_RX_L4_CKSUM_MASK |
			RTE_MBUF_F_RX_OUTER_IP_CKSUM_BAD |
			RTE_MBUF_F_RX_OUTER_L4_CKSUM_MASK);
	m->packet_type = RTE_PTYPE_UNKNOWN;
	return VXLAN_RES_OK;
}

uint16_t
vxlan_decap_burst(const struct vxlan_ctx *ctx, struct vxlan_lcore *lc,
		struct rte_mbuf **pkts, uint16_t n, uint8_t *res,
		rte_be32_t *remote_ip)
{
	uint16_t i, ok = 0, pass = 0;
	rte_be32_t remote;

	for (i = 0; i < n && i < VXLAN_PREFETCH_OFFSET; i++)
		rte_prefetch0(rte_pktmbuf_mtod(pkts[i], void *));
	for (i = 0; i < n; i++) {
		if (i + VXLAN_PREFETCH_OFFSET < n)
			rte_prefetch0(rte_pktmbuf_mtod(
				pkts[i + VXLAN_PREFETCH_OFFSET], void *));
		res[i] = classify(ctx, lc, pkts[i]);
		if (res[i] == VXLAN_RES_OK)
			res[i] = decap_one(ctx, lc, pkts[i], &remote);
		if (res[i] == VXLAN_RES_OK) {
			ok++;
			if (remote_ip != NULL)
				remote_ip[i] = remote;
		}
		pass += res[i] == VXLAN_RES_PASS;
	}
	vxlan_ctr_add(&lc->stats.decap, ok);
	vxlan_ctr_add(&lc->stats.pass, pass);
	return ok;
}
