/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vs_route.c: the route stage: IPv4 packets to local endpoints.
 *
 * For each parsed IPv4 packet, in this order:
 *  - no route (LPM miss): an ICMP echo request to the gateway address is
 *    answered (pods ping their gateway); anything else is a no_route
 *    drop (later: remote pod subnets via VXLAN, the rest via the uplink);
 *  - the endpoint's port absent: no_port; its link down: link_down;
 *  - TTL <= 1: ttl_exceeded;
 *  - the pod's MAC unknown: no_neighbour, and the packet's mbuf becomes
 *    an ARP request to the pod (at most one per endpoint and worker every
 *    VS_ARP_RETRY_MS), so the reply teaches us the MAC;
 *  - else rewrite: source MAC ours, destination the pod's, TTL - 1 with
 *    the checksum updated incrementally (RFC 1624, as Linux's
 *    ip_decrease_ttl), and out on the endpoint's port.
 *
 * Thread-safety: worker lcores; see vs_stages.h.
 */
#include <netinet/in.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_ether.h>
#include <rte_icmp.h>
#include <rte_ip.h>

#include "vs_stages.h"
#include "vs_tunnel.h"

#define ICMP_ECHO_TTL 64

/*
 * The MACs of a routed frame: destination the pod's (a vs_neigh_pack
 * word: byte i in bits 8i..8i+7, so on a little-endian CPU its first six
 * bytes in memory), source ours.
 */
static inline void
macs_set(struct rte_ether_hdr *eth, uint64_t nw,
		const struct rte_ether_addr *ours)
{
#if RTE_BYTE_ORDER == RTE_LITTLE_ENDIAN
	memcpy(&eth->dst_addr, &nw, RTE_ETHER_ADDR_LEN);
#else
	vs_neigh_unpack(nw, eth->dst_addr.addr_bytes);
#endif
	rte_ether_addr_copy(ours, &eth->src_addr);
}

/* An ICMP echo request to the gateway address becomes its reply. */
static bool
gateway_echo(const struct vs_snap *snap, struct rte_mbuf *m,
		const struct vs_pkt_meta *pm)
{
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, void *);
	struct rte_ipv4_hdr *ip = (void *)(eth + 1);
	uint32_t hlen = rte_ipv4_hdr_len(ip);
	struct rte_icmp_hdr *icmp = (void *)((uint8_t *)ip + hlen);
	uint32_t check;
	rte_be32_t a;

	if (snap->gw_ip == 0 || pm->dst_ip != rte_be_to_cpu_32(snap->gw_ip) ||
			ip->next_proto_id != IPPROTO_ICMP ||
			(ip->fragment_offset & RTE_BE16(RTE_IPV4_HDR_MF_FLAG |
				RTE_IPV4_HDR_OFFSET_MASK)) != 0 ||
			rte_be_to_cpu_16(ip->total_length) < hlen + sizeof(*icmp) ||
			rte_pktmbuf_data_len(m) < sizeof(*eth) + hlen + sizeof(*icmp) ||
			icmp->icmp_type != RTE_IP_ICMP_ECHO_REQUEST ||
			icmp->icmp_code != 0)
		return false;
	icmp->icmp_type = RTE_IP_ICMP_ECHO_REPLY;
	check = icmp->icmp_cksum;
	check += RTE_BE16(RTE_IP_ICMP_ECHO_REQUEST << 8);
	icmp->icmp_cksum = (uint16_t)(check + (check >= 0xffff));
	a = ip->src_addr;
	ip->src_addr = ip->dst_addr;
	ip->dst_addr = a;
	ip->time_to_live = ICMP_ECHO_TTL;
	ip->hdr_checksum = 0;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	rte_ether_addr_copy(&eth->src_addr, &eth->dst_addr);
	rte_ether_addr_copy(&snap->mac, &eth->src_addr);
	return true;
}

/* The pod's MAC is unknown: ask for it with this packet's mbuf. */
static void
no_neighbour(struct vs_worker *w, const struct vs_snap *snap,
		struct rte_mbuf *m, struct vs_pkt_meta *pm, uint16_t out)
{
	uint64_t now = rte_get_tsc_cycles();

	vs_ctr_add(&w->drops[VS_DROP_NO_NEIGH], 1);
	if (now - w->arp_tsc[pm->dst_nh] >= w->tsc_hz / 1000 * VS_ARP_RETRY_MS &&
			vs_arp_request_build(m, &snap->mac, snap->gw_ip,
				rte_cpu_to_be_32(pm->dst_ip))) {
		w->arp_tsc[pm->dst_nh] = now;
		vs_pkt_out(pm, out);
		return;
	}
	vs_pkt_consume(w, m, pm);
}

static void
route_one(struct vs_worker *w, const struct vs_snap *snap, uint16_t in_port,
		struct rte_mbuf *m, struct vs_pkt_meta *pm)
{
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, void *);
	struct rte_ipv4_hdr *ip = (void *)(eth + 1);
	const struct vs_snap_ep *ep;
	const struct vs_port *p;
	uint64_t nw;

	pm->fast = 0;
	if (pm->dst_nh == VS_NH_MISS || !snap->ep[pm->dst_nh].valid) {
		if (pm->dst_vtep != VS_NH_MISS) {      /* another node's pod */
			vs_tunnel_route_one(w, m, pm);
			return;
		}
		if (gateway_echo(snap, m, pm))
			vs_pkt_out(pm, in_port);
		else
			vs_pkt_drop(w, m, pm, VS_DROP_NO_ROUTE);
		return;
	}
	ep = &snap->ep[pm->dst_nh];
	p = ep->port_id == VS_PORT_NONE ? NULL : snap->port[ep->port_id];
	if (unlikely(p == NULL)) {
		vs_pkt_drop(w, m, pm, VS_DROP_NO_PORT);
		return;
	}
	if (unlikely(!__atomic_load_n(&p->link_up, __ATOMIC_RELAXED))) {
		vs_pkt_drop(w, m, pm, VS_DROP_LINK_DOWN);
		return;
	}
	if (unlikely(ip->time_to_live <= 1)) {
		vs_pkt_drop(w, m, pm, VS_DROP_TTL);
		return;
	}
	nw = __atomic_load_n(&snap->neigh[pm->dst_nh], __ATOMIC_RELAXED);
	if (unlikely(!(nw & VS_NEIGH_VALID))) {
		no_neighbour(w, snap, m, pm, ep->port_id);
		return;
	}
	macs_set(eth, nw, &snap->mac);
	vs_ttl_decrement(ip);
	vs_pkt_out(pm, ep->port_id);
	pm->fast = 1;           /* its run's followers may follow (vs_runs.c) */
}

void
vs_stage_route(struct vs_worker *w, const struct vs_snap *snap,
		uint16_t in_port, struct rte_mbuf **pkts, uint16_t n)
{
	uint16_t i;

	for (i = 0; i < n; i++)
		if (w->meta[i].kind == VS_PK_IP4)
			route_one(w, snap, in_port, pkts[i], &w->meta[i]);
	if (snap->tun != NULL)
		vs_tunnel_encap(w, snap, in_port, pkts, n);
}
