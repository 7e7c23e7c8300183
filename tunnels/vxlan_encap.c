/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vxlan_encap.c: VXLAN encapsulation of a burst (data path).
 *
 * For each packet: check its size against the underlay MTU and its
 * headroom, pick the outer UDP source port from a hash of the inner flow
 * (so that ECMP in the underlay keeps a flow on one path, as Linux's
 * udp_flow_src_port() does), rewrite the inner MACs the way a Flannel
 * peer expects them (dst = its VtepMAC, src = ours), then prepend and fill
 * the 50 bytes of outer headers. Checksums are computed in software: we do
 * not rely on TX offloads, and clear the TX offload flags so a PMD does not
 * apply stale inner offsets to the new frame.
 *
 * Inner TTL: untouched. The route stage that chose the tunnel has already
 * decremented it, as a router does before forwarding.
 */
#include "vxlan.h"

#include <string.h>

#include <rte_branch_prediction.h>
#include <rte_jhash.h>
#include <rte_prefetch.h>

#include "vxlan_priv.h"

/* Inner L4 protocols whose first 4 bytes are the two ports. */
static inline bool
has_ports(uint8_t proto)
{
	return proto == IPPROTO_TCP || proto == IPPROTO_UDP ||
		proto == IPPROTO_SCTP;
}

/*
 * Hash of the inner flow: the IPv4 5-tuple (ports only when the packet is
 * not a fragment, so all fragments of a datagram hash alike), else the two
 * inner MACs and the EtherType (Linux's fallback in udp_flow_src_port()).
 */
static uint32_t
inner_flow_hash(const struct rte_mbuf *m)
{
	const struct rte_ether_hdr *eth =
		rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	const struct rte_ipv4_hdr *ip = vxlan_inner_ipv4(m);
	const rte_be16_t frag = rte_cpu_to_be_16(RTE_IPV4_HDR_MF_FLAG |
			RTE_IPV4_HDR_OFFSET_MASK);
	uint32_t ports = 0, hlen;

	if (ip == NULL)
		return rte_jhash(eth, 2 * RTE_ETHER_ADDR_LEN, eth->ether_type);
	hlen = rte_ipv4_hdr_len(ip);
	if (!(ip->fragment_offset & frag) && has_ports(ip->next_proto_id) &&
			rte_pktmbuf_data_len(m) >= RTE_ETHER_HDR_LEN + hlen + 4)
		memcpy(&ports, (const uint8_t *)ip + hlen, sizeof(ports));
	return rte_jhash_3words(ip->src_addr, ip->dst_addr, ports,
			ip->next_proto_id);
}

/*
 * Scale a hash into [src_port_min, src_port_max] by multiplication, as
 * Linux does; the shift-xor spreads the low bits into the high ones.
 */
static inline rte_be16_t
src_port(const struct vxlan_ctx *ctx, uint32_t hash)
{
	uint32_t span = (uint32_t)ctx->src_port_max - ctx->src_port_min + 1;

	hash ^= hash << 16;
	return rte_cpu_to_be_16((uint16_t)(ctx->src_port_min +
			(((uint64_t)hash * span) >> 32)));
}

/* Outer fragment_offset field: DF per ctx->df, like Linux's "df" option. */
static inline rte_be16_t
outer_frag_off(const struct vxlan_ctx *ctx, const struct rte_mbuf *m)
{
	const struct rte_ether_hdr *eth;

	if (ctx->df == VXLAN_DF_SET)
		return rte_cpu_to_be_16(RTE_IPV4_HDR_DF_FLAG);
	if (ctx->df != VXLAN_DF_INHERIT)
		return 0;
	eth = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	/* Linux sets DF for inner IPv6, which routers never fragment. */
	if (vxlan_inner_df(m) ||
			eth->ether_type == rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV6))
		return rte_cpu_to_be_16(RTE_IPV4_HDR_DF_FLAG);
	return 0;
}

/*
 * The outer IP checksum, from the field values rather than by reading the
 * header back: only the length and the ID change between packets, so this
 * is a handful of additions (RFC 1071). Sums host-order 16-bit words of
 * the big-endian header; the result is returned in network order.
 */
static inline rte_be16_t
outer_ip_cksum(const struct vxlan_ctx *ctx, const struct vxlan_dst *d,
		uint16_t tot, uint16_t id, rte_be16_t frag_off)
{
	uint32_t src = rte_be_to_cpu_32(ctx->local_ip);
	uint32_t dst = rte_be_to_cpu_32(d->ip);
	uint32_t sum = (uint32_t)(RTE_IPV4_VHL_DEF << 8 | ctx->tos) + tot + id +
		rte_be_to_cpu_16(frag_off) + (uint32_t)(ctx->ttl << 8 | IPPROTO_UDP) +
		(src >> 16) + (src & 0xffff) + (dst >> 16) + (dst & 0xffff);

	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return rte_cpu_to_be_16((uint16_t)~sum);
}

/* Fill the outer headers at the (new) start of m. */
static void
write_outer(const struct vxlan_ctx *ctx, struct vxlan_lcore *lc,
		struct rte_mbuf *m, const struct vxlan_dst *d,
		uint16_t inner_len, rte_be16_t sport, rte_be16_t frag_off)
{
	struct vxlan_outer *o = rte_pktmbuf_mtod(m, struct vxlan_outer *);
	uint16_t tot = inner_len + VXLAN_OUTER_IP_EXTRA;
	uint16_t id = lc->ip_id++;

	rte_ether_addr_copy(&d->mac, &o->eth.dst_addr);
	rte_ether_addr_copy(&ctx->local_mac, &o->eth.src_addr);
	o->eth.ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);

	o->ip.version_ihl = RTE_IPV4_VHL_DEF;
	o->ip.type_of_service = ctx->tos;
	o->ip.total_length = rte_cpu_to_be_16(tot);
	o->ip.packet_id = rte_cpu_to_be_16(id);
	o->ip.fragment_offset = frag_off;
	o->ip.time_to_live = ctx->ttl;
	o->ip.next_proto_id = IPPROTO_UDP;
	o->ip.hdr_checksum = outer_ip_cksum(ctx, d, tot, id, frag_off);
	o->ip.src_addr = ctx->local_ip;
	o->ip.dst_addr = d->ip;

	o->udp.src_port = sport;
	o->udp.dst_port = ctx->udp_port;
	o->udp.dgram_len = rte_cpu_to_be_16(inner_len + VXLAN_UDP_EXTRA);
	o->udp.dgram_cksum = 0;

	vxlan_flags_set(&o->vx);
	vxlan_vni_set(&o->vx, d->vni);

	/* Over the whole datagram, all segments: after the VXLAN header. */
	if (!ctx->udp_csum)
		return;
	if (likely(m->nb_segs == 1))
		o->udp.dgram_cksum = rte_ipv4_udptcp_cksum(&o->ip, &o->udp);
	else
		o->udp.dgram_cksum = rte_ipv4_udptcp_cksum_mbuf(m, &o->ip,
				RTE_ETHER_HDR_LEN + sizeof(struct rte_ipv4_hdr));
}

/*
 * A packet that does not fit: which drop (the caller may answer DF). IPv4
 * without DF is not counted here: the caller fragments it (vswitch/).
 */
static __rte_noinline uint8_t
too_big(const struct vxlan_ctx *ctx, struct vxlan_lcore *lc,
		const struct rte_mbuf *m)
{
	if (vxlan_mtu_check(ctx, m) == VXLAN_MTU_TOO_BIG_DF)
		return vxlan_count_drop(lc, VXLAN_DROP_TOO_BIG_DF);
	if (vxlan_inner_ipv4(m) != NULL)
		return VXLAN_RES_DROP(VXLAN_DROP_TOO_BIG);
	return vxlan_count_drop(lc, VXLAN_DROP_TOO_BIG);
}

static inline uint8_t
encap_one(const struct vxlan_ctx *ctx, struct vxlan_lcore *lc,
		struct rte_mbuf *m, const struct vxlan_dst *d)
{
	uint32_t inner_len = rte_pktmbuf_pkt_len(m);
	struct rte_ether_hdr *eth;
	rte_be16_t sport, frag_off;

	/* Checks first: a rejected packet leaves here untouched. */
	if (unlikely(rte_pktmbuf_data_len(m) < RTE_ETHER_HDR_LEN))
		return vxlan_count_drop(lc, VXLAN_DROP_ENC_SHORT);
	if (unlikely(inner_len + VXLAN_OUTER_IP_EXTRA > ctx->underlay_mtu))
		return too_big(ctx, lc, m);
	if (unlikely(rte_pktmbuf_headroom(m) < VXLAN_OVERHEAD))
		return vxlan_count_drop(lc, VXLAN_DROP_NO_HEADROOM);

	/* Read the inner frame, then rewrite its MACs for the peer. */
	sport = src_port(ctx, inner_flow_hash(m));
	frag_off = outer_frag_off(ctx, m);
	eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	rte_ether_addr_copy(&d->vtep_mac, &eth->dst_addr);
	rte_ether_addr_copy(&ctx->vtep_mac, &eth->src_addr);

	/* Cannot fail: headroom checked above. */
	rte_pktmbuf_prepend(m, VXLAN_OVERHEAD);
	write_outer(ctx, lc, m, d, (uint16_t)inner_len, sport, frag_off);
	m->ol_flags &= ~RTE_MBUF_F_TX_OFFLOAD_MASK;
	return VXLAN_RES_OK;
}

/* The inner Ethernet header and the headroom line the outer one goes to. */
static inline void
prefetch_pkt(const struct rte_mbuf *m)
{
	const char *data = rte_pktmbuf_mtod(m, const char *);

	rte_prefetch0(data);
	rte_prefetch0(data - VXLAN_OVERHEAD);
}

uint16_t
vxlan_encap_burst(const struct vxlan_ctx *ctx, struct vxlan_lcore *lc,
		struct rte_mbuf **pkts, const struct vxlan_dst *const *dst,
		uint16_t n, uint8_t *res)
{
	uint16_t i, ok = 0;

	for (i = 0; i < n && i < VXLAN_PREFETCH_OFFSET; i++)
		prefetch_pkt(pkts[i]);
	for (i = 0; i < n; i++) {
		if (i + VXLAN_PREFETCH_OFFSET < n)
			prefetch_pkt(pkts[i + VXLAN_PREFETCH_OFFSET]);
		res[i] = encap_one(ctx, lc, pkts[i], dst[i]);
		ok += res[i] == VXLAN_RES_OK;
	}
	vxlan_ctr_add(&lc->stats.encap, ok);
	return ok;
}
