/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vxlan_mtu.c: what happens to an inner packet too big for the tunnel.
 *
 * The tunnel adds 50 bytes, so with a 1500-byte underlay an inner IPv4
 * packet may have 1450 bytes (Flannel sets flannel.1's MTU, and pods get
 * an MTU, of 1450 for this reason). A bigger one with DF set is answered
 * with ICMP "fragmentation needed" carrying next-hop MTU 1450, so the
 * sender's path MTU discovery adapts (RFC 1191). Without DF, encap
 * refuses it (VXLAN_DROP_TOO_BIG): an inner IPv4 packet is not counted
 * here, the caller fragments it as the sending kernel would have
 * (vswitch/vs_tunnel_dp.c: the reassembled datagrams of af_packet ports);
 * anything else is counted and dropped. The outer packet is never
 * fragmented (Linux would, with its default DF unset, but the receiver
 * would then have to reassemble).
 *
 * The ICMP builder takes the MTU to announce (vxlan_icmp_frag_needed), so
 * the switch answers with it too when a packet with DF is too big for a
 * local pod's port (vswitch/vs_tx_frag.c).
 */
#include "vxlan.h"

#include <errno.h>
#include <string.h>

#include <rte_icmp.h>

#include "vxlan_priv.h"

/* ICMP destination unreachable (RFC 792), code 4 (RFC 1191). */
#define ICMP_DEST_UNREACH 3
#define ICMP_FRAG_NEEDED 4
/* ToS of ICMP errors: precedence "internetwork control", as Linux. */
#define ICMP_ERR_TOS 0xc0
#define ICMP_ERR_TTL 64

/* ICMP "fragmentation needed" header (RFC 1191 section 4). */
struct icmp_frag_hdr {
	uint8_t type;
	uint8_t code;
	rte_be16_t cksum;
	rte_be16_t unused;              /* zero */
	rte_be16_t mtu;                 /* next-hop MTU */
} __rte_packed;

/* The reply's headers in front of the quoted packet (no padding). */
struct frag_reply {
	struct rte_ether_hdr eth;
	struct rte_ipv4_hdr ip;
	struct icmp_frag_hdr icmp;
};

static_assert(sizeof(struct icmp_frag_hdr) == 8, "ICMP header is 8 bytes");
static_assert(sizeof(struct frag_reply) == 42, "reply headers are 42 bytes");

enum vxlan_mtu
vxlan_mtu_check(const struct vxlan_ctx *ctx, const struct rte_mbuf *m)
{
	if (rte_pktmbuf_pkt_len(m) + VXLAN_OUTER_IP_EXTRA <= ctx->underlay_mtu)
		return VXLAN_MTU_OK;
	return vxlan_inner_df(m) ? VXLAN_MTU_TOO_BIG_DF : VXLAN_MTU_TOO_BIG;
}

/* ICMP types that are errors (RFC 792; RFC 1122 3.2.2: no error about one). */
static bool
icmp_type_is_error(uint8_t type)
{
	return type == 3 || type == 4 || type == 5 || type == 11 || type == 12;
}

/* A source we may send an ICMP error to (RFC 1122 3.2.2, RFC 1812 4.3.2.7). */
static bool
addr_is_unicast(rte_be32_t a)
{
	uint32_t h = rte_be_to_cpu_32(a);

	return h != 0 && h != UINT32_MAX &&
		(h >> 24) != 127 &&             /* loopback */
		(h >> 28) < 0xe;                /* multicast, class E */
}

/* May we send an ICMP error about this IPv4 packet? */
static bool
icmp_allowed(const struct rte_mbuf *orig, const struct rte_ipv4_hdr *ip)
{
	uint32_t hlen = rte_ipv4_hdr_len(ip);
	uint8_t type_buf;
	const uint8_t *type;

	/* Header and the 8 bytes every ICMP error quotes must be there. */
	if ((ip->version_ihl >> 4) != IPVERSION || hlen < sizeof(*ip) ||
			rte_be_to_cpu_16(ip->total_length) < hlen + 8 ||
			rte_pktmbuf_pkt_len(orig) < RTE_ETHER_HDR_LEN + hlen + 8)
		return false;
	if (ip->fragment_offset & rte_cpu_to_be_16(RTE_IPV4_HDR_OFFSET_MASK))
		return false;
	if (!addr_is_unicast(ip->src_addr) || !addr_is_unicast(ip->dst_addr))
		return false;
	if (ip->next_proto_id != IPPROTO_ICMP)
		return true;
	type = rte_pktmbuf_read(orig, RTE_ETHER_HDR_LEN + hlen, 1, &type_buf);
	return type != NULL && !icmp_type_is_error(*type);
}

/* Bytes of orig's IP packet to quote: all that fits in 576 and in reply. */
static uint32_t
quote_len(const struct rte_mbuf *orig, const struct rte_ipv4_hdr *ip,
		const struct rte_mbuf *reply)
{
	uint32_t len = rte_be_to_cpu_16(ip->total_length);
	uint32_t room = rte_pktmbuf_tailroom(reply);

	len = RTE_MIN(len, rte_pktmbuf_pkt_len(orig) - RTE_ETHER_HDR_LEN);
	len = RTE_MIN(len, (uint32_t)VXLAN_ICMP_MAX_IP -
			sizeof(struct rte_ipv4_hdr) - sizeof(struct icmp_frag_hdr));
	room = room > sizeof(struct frag_reply) ?
		room - sizeof(struct frag_reply) : 0;
	return RTE_MIN(len, room);
}

static void
write_reply(uint16_t mtu, struct frag_reply *r,
		const struct rte_ether_addr *dst_mac,
		const struct rte_ipv4_hdr *oip,
		rte_be32_t gw_ip, const struct rte_ether_addr *gw_mac,
		uint32_t quote)
{
	rte_ether_addr_copy(dst_mac, &r->eth.dst_addr);
	rte_ether_addr_copy(gw_mac, &r->eth.src_addr);
	r->eth.ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);

	r->icmp.type = ICMP_DEST_UNREACH;
	r->icmp.code = ICMP_FRAG_NEEDED;
	r->icmp.cksum = 0;
	r->icmp.unused = 0;
	r->icmp.mtu = rte_cpu_to_be_16(mtu);
	/* Over the ICMP header and the quote that follows it. */
	r->icmp.cksum = (rte_be16_t)~rte_raw_cksum(&r->icmp,
			sizeof(r->icmp) + quote);

	/* At most 576 bytes: an atomic datagram, DF and ID 0 (RFC 6864). */
	r->ip.version_ihl = RTE_IPV4_VHL_DEF;
	r->ip.type_of_service = ICMP_ERR_TOS;
	r->ip.total_length = rte_cpu_to_be_16(sizeof(r->ip) +
			sizeof(r->icmp) + quote);
	r->ip.packet_id = 0;
	r->ip.fragment_offset = rte_cpu_to_be_16(RTE_IPV4_HDR_DF_FLAG);
	r->ip.time_to_live = ICMP_ERR_TTL;
	r->ip.next_proto_id = IPPROTO_ICMP;
	r->ip.hdr_checksum = 0;
	r->ip.src_addr = gw_ip;
	r->ip.dst_addr = oip->src_addr;
	r->ip.hdr_checksum = rte_ipv4_cksum(&r->ip);
}

int
vxlan_frag_needed(const struct vxlan_ctx *ctx, const struct rte_mbuf *orig,
		rte_be32_t gw_ip, const struct rte_ether_addr *gw_mac,
		struct rte_mbuf *reply)
{
	return vxlan_icmp_frag_needed(orig,
			(uint16_t)VXLAN_INNER_MTU(ctx->underlay_mtu), gw_ip,
			gw_mac, NULL, reply);
}

int
vxlan_icmp_frag_needed(const struct rte_mbuf *orig, uint16_t mtu,
		rte_be32_t gw_ip, const struct rte_ether_addr *gw_mac,
		const struct rte_ether_addr *dst_mac, struct rte_mbuf *reply)
{
	const struct rte_ether_hdr *oeth;
	const struct rte_ipv4_hdr *oip = vxlan_inner_ipv4(orig);
	const void *src;
	struct frag_reply *r;
	uint32_t quote;

	if (oip == NULL || !icmp_allowed(orig, oip) ||
			rte_pktmbuf_pkt_len(reply) != 0)
		return -EINVAL;
	quote = quote_len(orig, oip, reply);
	if (quote < (uint32_t)rte_ipv4_hdr_len(oip) + 8)
		return -ENOSPC;

	r = (struct frag_reply *)rte_pktmbuf_append(reply, sizeof(*r) + quote);
	if (r == NULL)
		return -ENOSPC;
	/* Copy the quote first: the ICMP checksum covers it. */
	src = rte_pktmbuf_read(orig, RTE_ETHER_HDR_LEN, quote, r + 1);
	if (src != r + 1)
		memcpy(r + 1, src, quote);
	oeth = rte_pktmbuf_mtod(orig, const struct rte_ether_hdr *);
	write_reply(mtu, r, dst_mac != NULL ? dst_mac : &oeth->src_addr, oip,
			gw_ip, gw_mac, quote);
	return 0;
}
