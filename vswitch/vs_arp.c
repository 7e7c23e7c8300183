/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vs_arp.c: the ARP stage, and ARP requests towards pods.
 *
 * npvsd is every pod's router, Calico style: it answers an ARP request
 * for any address but the asker's own with its own MAC, so pods whose
 * gateway is the subnet's .1 (Flannel style, a /24 on eth0) and pods
 * whose gateway is 169.254.1.1 (Calico style, a /32 and an on-link
 * default route) both send everything to us. Not answered:
 *  - probes and gratuitous ARP (sender 0.0.0.0, or sender == target):
 *    answering a duplicate-address probe would make the pod give up its
 *    address;
 *  - a target that is an address of an endpoint on the asking port (the
 *    asker's own addresses);
 *  - on the uplink, a target that is not a local endpoint: we are not the
 *    LAN's proxy.
 * Replies addressed to us are consumed (the learn stage has taken the
 * sender's MAC). Replies are built in place in the request's mbuf.
 *
 * Thread-safety: worker lcores; see vs_stages.h.
 */
#include <string.h>

#include <rte_arp.h>
#include <rte_ether.h>

#include "vs_stages.h"

#define ARP_FRAME_LEN 60        /* minimum Ethernet frame, without FCS */

static bool
arp_answer(const struct vs_snap *snap, uint16_t in_port,
		const struct vs_pkt_meta *pm)
{
	const struct vs_port *p = snap->port[in_port];

	if (pm->src_ip == 0 || pm->src_ip == pm->dst_ip)
		return false;
	if (pm->dst_nh != VS_NH_MISS && snap->ep[pm->dst_nh].port_id == in_port)
		return false;
	if (p != NULL && p->uplink && pm->dst_nh == VS_NH_MISS)
		return false;
	return true;
}

/* Turn a request into our reply, in place. */
static void
arp_reply_build(struct rte_mbuf *m, const struct vs_snap *snap)
{
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, void *);
	struct rte_arp_hdr *arp = (void *)(eth + 1);
	struct rte_arp_ipv4 *d = &arp->arp_data;
	rte_be32_t tip = d->arp_tip;

	rte_ether_addr_copy(&eth->src_addr, &eth->dst_addr);
	rte_ether_addr_copy(&snap->mac, &eth->src_addr);
	arp->arp_opcode = RTE_BE16(RTE_ARP_OP_REPLY);
	rte_ether_addr_copy(&d->arp_sha, &d->arp_tha);
	d->arp_tip = d->arp_sip;
	rte_ether_addr_copy(&snap->mac, &d->arp_sha);
	d->arp_sip = tip;
}

void
vs_stage_arp(struct vs_worker *w, const struct vs_snap *snap,
		uint16_t in_port, struct rte_mbuf **pkts, uint16_t n)
{
	uint16_t i;

	for (i = 0; i < n; i++) {
		struct vs_pkt_meta *pm = &w->meta[i];
		const struct rte_arp_hdr *arp;

		if (pm->kind != VS_PK_ARP)
			continue;
		arp = rte_pktmbuf_mtod_offset(pkts[i], const void *, pm->l3_off);
		if (arp->arp_opcode != RTE_BE16(RTE_ARP_OP_REQUEST) ||
				!arp_answer(snap, in_port, pm)) {
			vs_pkt_consume(w, pkts[i], pm);
			continue;
		}
		arp_reply_build(pkts[i], snap);
		vs_pkt_out(pm, in_port);
	}
}

bool
vs_arp_request_build(struct rte_mbuf *m, const struct rte_ether_addr *sha,
		rte_be32_t sip, rte_be32_t tip)
{
	struct rte_ether_hdr *eth;
	struct rte_arp_hdr *arp;

	if (m->nb_segs != 1 || m->buf_len < m->data_off + ARP_FRAME_LEN)
		return false;
	m->data_len = ARP_FRAME_LEN;
	m->pkt_len = ARP_FRAME_LEN;
	m->ol_flags = 0;
	eth = rte_pktmbuf_mtod(m, void *);
	memset(eth, 0, ARP_FRAME_LEN);
	memset(&eth->dst_addr, 0xff, RTE_ETHER_ADDR_LEN);
	rte_ether_addr_copy(sha, &eth->src_addr);
	eth->ether_type = RTE_BE16(RTE_ETHER_TYPE_ARP);
	arp = (void *)(eth + 1);
	arp->arp_hardware = RTE_BE16(RTE_ARP_HRD_ETHER);
	arp->arp_protocol = RTE_BE16(RTE_ETHER_TYPE_IPV4);
	arp->arp_hlen = RTE_ETHER_ADDR_LEN;
	arp->arp_plen = sizeof(rte_be32_t);
	arp->arp_opcode = RTE_BE16(RTE_ARP_OP_REQUEST);
	rte_ether_addr_copy(sha, &arp->arp_data.arp_sha);
	arp->arp_data.arp_sip = sip;
	arp->arp_data.arp_tip = tip;
	return true;
}
