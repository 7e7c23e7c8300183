/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vs_tx_frag.c: a packet bigger than the MTU of the local pod port it
 * goes out of (vs_port.tx_max, MTU + 14; vs_port_afp.c).
 *
 * It happens when the kernel reassembled a pod's fragments for the
 * af_packet socket (PACKET_FANOUT_FLAG_DEFRAG, vs_port_afp.c): npvsd
 * decided on the whole datagram (conntrack and policy see it whole, as
 * they see any packet), and the pod on the other side takes no more than
 * its MTU. So on the way out:
 *  - IPv4 without DF: split with DPDK's rte_ipv4_fragment_packet (each
 *    fragment a direct mbuf from the switch's pool for the headers, and
 *    indirect ones, vs->pool_ind, pointing into the original's data), the
 *    Ethernet header put back in front of each, the IPv4 checksum
 *    computed; the fragments go into the port's tx buffer and count in
 *    the port's tx_frags. The af_packet and vhost PMDs send chained mbufs.
 *    Failure (no mbufs, more than VS_FRAG_OUT_MAX fragments for a tiny
 *    MTU): dropped as frag_failed.
 *  - IPv4 with DF: dropped as too_big, and when the sender is a local pod
 *    whose MAC is known, an ICMP "fragmentation needed" with the port's MTU
 *    goes back to it (tunnels/ builds it: vxlan_icmp_frag_needed); the
 *    packet's own Ethernet header was already rewritten for its next hop,
 *    so the sender's MAC comes from the neighbour table.
 *  - anything else (not IPv4): dropped as too_big.
 * The fragmenting step (vs_frag_split: split, Ethernet header back,
 * checksum, tx_frags) also serves the tunnel: vs_tunnel_dp.c fragments an
 * inner IPv4 packet without DF that VXLAN refused as too big to the
 * tunnel's inner MTU, then encapsulates each fragment (the outer packet
 * is never fragmented).
 *
 * Thread-safety: worker lcores (cold paths of vs_pipeline.c's tx_put and
 * of vs_tunnel_dp.c's refused encapsulations).
 */
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_ip_frag.h>
#include <rte_lpm.h>

#include "vs_stages.h"
#include "vs_tunnel.h"
#include "vxlan.h"

/* Count and free a packet that does not go out (tx_put has no meta). */
static void
big_drop(struct vs_worker *w, struct rte_mbuf *m, enum vs_drop why)
{
	vs_ctr_add(&w->drops[why], 1);
	rte_pktmbuf_free(m);
}

/*
 * The local endpoint that sent ip, its port and known MAC: where an ICMP
 * error about it goes. false: not a local pod's packet, or MAC unknown.
 */
static bool
sender_find(const struct vs_snap *snap, const struct rte_ipv4_hdr *ip,
		uint16_t *port, struct rte_ether_addr *mac)
{
	const struct vs_snap_ep *ep;
	uint32_t nh;
	uint64_t nw;

	if (rte_lpm_lookup(snap->routes->lpm, rte_be_to_cpu_32(ip->src_addr),
			&nh) != 0 || (nh & VS_NH_TUNNEL))
		return false;
	ep = &snap->ep[nh];
	if (!ep->valid || ep->port_id == VS_PORT_NONE ||
			snap->port[ep->port_id] == NULL)
		return false;
	nw = __atomic_load_n(&snap->neigh[nh], __ATOMIC_RELAXED);
	if (!(nw & VS_NEIGH_VALID))
		return false;
	vs_neigh_unpack(nw, mac->addr_bytes);
	*port = ep->port_id;
	return true;
}

/* DF set and too big: ICMP "fragmentation needed" to a local sender. */
static void
frag_needed(struct vs_worker *w, const struct vs_snap *snap,
		const struct rte_ipv4_hdr *ip, struct rte_mbuf *m, uint32_t mtu)
{
	struct rte_ether_addr mac;
	struct rte_mbuf *reply;
	uint16_t port;

	if (!sender_find(snap, ip, &port, &mac))
		return;
	reply = rte_pktmbuf_alloc(w->vs->pool);
	if (reply == NULL)
		return;
	if (vxlan_icmp_frag_needed(m, (uint16_t)mtu, snap->gw_ip, &snap->mac,
			&mac, reply) != 0) {
		rte_pktmbuf_free(reply);
		return;
	}
	vs_tx_put_one(w, snap, port, reply);
}

/* Each fragment: the Ethernet header back in front, the IPv4 checksum. */
static bool
frag_finish(struct rte_mbuf *f, const struct rte_ether_hdr *eth)
{
	struct rte_ether_hdr *e;
	struct rte_ipv4_hdr *ip;

	e = (struct rte_ether_hdr *)rte_pktmbuf_prepend(f, sizeof(*e));
	if (e == NULL)
		return false;
	*e = *eth;
	ip = (struct rte_ipv4_hdr *)(e + 1);
	ip->hdr_checksum = 0;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	return true;
}

uint16_t
vs_frag_split(struct vs_worker *w, uint16_t port, struct rte_mbuf *m,
		uint32_t mtu, struct rte_mbuf **out)
{
	struct rte_ether_hdr eth = *rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	const struct rte_ipv4_hdr *ip = (const void *)
		(rte_pktmbuf_mtod(m, struct rte_ether_hdr *) + 1);
	uint32_t tot = rte_be_to_cpu_16(ip->total_length);
	int32_t n, i;
	uint16_t k = 0;

	/* Ethernet padding is no part of the datagram (parse checked tot). */
	if (m->pkt_len > sizeof(eth) + tot)
		rte_pktmbuf_trim(m, (uint16_t)(m->pkt_len - sizeof(eth) - tot));
	rte_pktmbuf_adj(m, sizeof(eth));
	n = rte_ipv4_fragment_packet(m, out, VS_FRAG_OUT_MAX, (uint16_t)mtu,
			w->vs->pool, w->vs->pool_ind);
	if (n < 0) {
		vs_ctr_add(&w->drops[VS_DROP_FRAG_FAILED], 1);
		return 0;
	}
	for (i = 0; i < n; i++) {
		if (unlikely(!frag_finish(out[i], &eth))) {
			big_drop(w, out[i], VS_DROP_FRAG_FAILED);
			continue;
		}
		out[k++] = out[i];
	}
	vs_ctr_add(&w->ctr[port].tx_frags, (uint64_t)n);
	return k;
}

/* Split m (IPv4 without DF, whole in pkt_len) into fragments for port. */
static void
fragment(struct vs_worker *w, const struct vs_snap *snap, uint16_t port,
		struct rte_mbuf *m, uint32_t mtu)
{
	struct rte_mbuf *out[VS_FRAG_OUT_MAX];
	uint16_t n, i;

	n = vs_frag_split(w, port, m, mtu, out);
	rte_pktmbuf_free(m);    /* the fragments hold references to it */
	for (i = 0; i < n; i++)
		vs_tx_put_one(w, snap, port, out[i]);
}

void
vs_tx_big(struct vs_worker *w, const struct vs_snap *snap, uint16_t port,
		struct rte_mbuf *m)
{
	const struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, void *);
	const struct rte_ipv4_hdr *ip = (const void *)(eth + 1);
	uint32_t mtu = snap->port[port]->tx_max - RTE_ETHER_HDR_LEN;

	if (eth->ether_type != RTE_BE16(RTE_ETHER_TYPE_IPV4) ||
			rte_pktmbuf_data_len(m) < sizeof(*eth) + sizeof(*ip)) {
		big_drop(w, m, VS_DROP_TOO_BIG);
		return;
	}
	if (ip->fragment_offset & RTE_BE16(RTE_IPV4_HDR_DF_FLAG)) {
		frag_needed(w, snap, ip, m, mtu);
		big_drop(w, m, VS_DROP_TOO_BIG);
		return;
	}
	fragment(w, snap, port, m, mtu);
}
