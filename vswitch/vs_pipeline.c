/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vs_pipeline.c: one rx burst through the stages (vs_stages.h), and the
 * parse, lookup, learn and tx stages themselves. ARP is in vs_arp.c,
 * routing in vs_route.c.
 *
 * Parse checks only what the later stages rely on: the Ethernet header
 * fits; an IPv4 header has version 4, IHL >= 5 and fits in the first
 * segment, and total length lies between the header length and the frame;
 * an ARP packet is Ethernet/IPv4 with a known opcode. Anything else is
 * counted and dropped here, never looked at again: as rx_truncated when
 * an af_packet port's frame size cut the packet (parse_failed), else as
 * malformed.
 *
 * Thread-safety: worker lcores; see vs_stages.h.
 */
#include <rte_arp.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_prefetch.h>

#include "vs_runs.h"
#include "vs_stages.h"
#include "vs_tunnel.h"

#define PREFETCH_OFFSET 4

/*
 * An IPv4 packet parse refused. When its header is sound and only its
 * total length lies beyond the frame, and it came in on an af_packet port
 * whose ring slot it filled, the kernel cut it (a datagram the af_packet
 * socket reassembled, bigger than the port's max_frame): counted as
 * rx_truncated, on the port too, so that the control thread can say which
 * option raises the limit (vs_port_afp.c). Anything else is malformed.
 * Cold and out of line: parse_ip4's checks stay what they were.
 */
static __rte_noinline __rte_cold void
parse_failed(struct vs_worker *w, const struct vs_snap *snap,
		struct rte_mbuf *m, struct vs_pkt_meta *pm)
{
	const struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod_offset(m,
			const void *, sizeof(struct rte_ether_hdr));
	const struct vs_port *p = m->port < VS_PORTS_MAX ?
			snap->port[m->port] : NULL;
	uint32_t hlen, tot;

	if (p == NULL || p->rx_trunc == 0 || m->pkt_len < p->rx_trunc ||
			rte_pktmbuf_data_len(m) < sizeof(struct rte_ether_hdr) +
			sizeof(*ip) || (ip->version_ihl >> 4) != 4)
		goto malformed;
	hlen = (uint32_t)(ip->version_ihl & RTE_IPV4_HDR_IHL_MASK) *
			RTE_IPV4_IHL_MULTIPLIER;
	tot = rte_be_to_cpu_16(ip->total_length);
	if (hlen < sizeof(*ip) || hlen > rte_pktmbuf_data_len(m) -
			sizeof(struct rte_ether_hdr) || tot < hlen ||
			tot <= m->pkt_len - sizeof(struct rte_ether_hdr))
		goto malformed;
	vs_ctr_add(&w->ctr[m->port].rx_truncated, 1);
	vs_pkt_drop(w, m, pm, VS_DROP_RX_TRUNCATED);
	return;

malformed:
	vs_pkt_drop(w, m, pm, VS_DROP_MALFORMED);
}

static void
parse_ip4(struct vs_worker *w, const struct vs_snap *snap,
		struct rte_mbuf *m, struct vs_pkt_meta *pm)
{
	const struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, void *);
	const struct rte_ipv4_hdr *ip = (const void *)(eth + 1);
	uint32_t room = rte_pktmbuf_data_len(m) - sizeof(*eth);
	uint32_t hlen, tot;

	if (room < sizeof(*ip))
		goto malformed;
	hlen = (uint32_t)(ip->version_ihl & RTE_IPV4_HDR_IHL_MASK) *
			RTE_IPV4_IHL_MULTIPLIER;
	if ((ip->version_ihl >> 4) != 4 || hlen < sizeof(*ip) || hlen > room)
		goto malformed;
	tot = rte_be_to_cpu_16(ip->total_length);
	if (tot < hlen || tot > m->pkt_len - sizeof(*eth))
		goto malformed;
	if (unlikely(!rte_is_same_ether_addr(&eth->dst_addr, &snap->mac))) {
		vs_pkt_drop(w, m, pm, VS_DROP_NOT_FOR_US);
		return;
	}
	pm->kind = VS_PK_IP4;
	pm->l3_off = sizeof(*eth);
	pm->src_ip = rte_be_to_cpu_32(ip->src_addr);
	pm->dst_ip = rte_be_to_cpu_32(ip->dst_addr);
	return;

malformed:
	parse_failed(w, snap, m, pm);
}

static void
parse_arp(struct vs_worker *w, struct rte_mbuf *m, struct vs_pkt_meta *pm)
{
	const struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, void *);
	const struct rte_arp_hdr *arp = (const void *)(eth + 1);
	uint16_t op;

	if (rte_pktmbuf_data_len(m) < sizeof(*eth) + sizeof(*arp) ||
			arp->arp_hardware != RTE_BE16(RTE_ARP_HRD_ETHER) ||
			arp->arp_protocol != RTE_BE16(RTE_ETHER_TYPE_IPV4) ||
			arp->arp_hlen != RTE_ETHER_ADDR_LEN ||
			arp->arp_plen != sizeof(rte_be32_t)) {
		vs_pkt_drop(w, m, pm, VS_DROP_MALFORMED);
		return;
	}
	op = rte_be_to_cpu_16(arp->arp_opcode);
	if (op != RTE_ARP_OP_REQUEST && op != RTE_ARP_OP_REPLY) {
		vs_pkt_drop(w, m, pm, VS_DROP_MALFORMED);
		return;
	}
	pm->kind = VS_PK_ARP;
	pm->l3_off = sizeof(*eth);
	pm->src_ip = rte_be_to_cpu_32(arp->arp_data.arp_sip);
	pm->dst_ip = rte_be_to_cpu_32(arp->arp_data.arp_tip);
}

static void
parse_one(struct vs_worker *w, const struct vs_snap *snap,
		struct rte_mbuf *m, struct vs_pkt_meta *pm)
{
	const struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, void *);

	pm->src_nh = VS_NH_MISS;
	pm->dst_nh = VS_NH_MISS;
	pm->dst_vtep = VS_NH_MISS;
	if (unlikely(rte_pktmbuf_data_len(m) < sizeof(*eth))) {
		vs_pkt_drop(w, m, pm, VS_DROP_MALFORMED);
		return;
	}
	if (likely(eth->ether_type == RTE_BE16(RTE_ETHER_TYPE_IPV4)))
		parse_ip4(w, snap, m, pm);
	else if (eth->ether_type == RTE_BE16(RTE_ETHER_TYPE_ARP))
		parse_arp(w, m, pm);
	else
		vs_pkt_drop(w, m, pm, VS_DROP_NOT_IP);
}

void
vs_stage_parse(struct vs_worker *w, const struct vs_snap *snap,
		struct rte_mbuf **pkts, uint16_t n, bool runs)
{
	struct vs_run_lead lead = { .idx = -1 };
	uint16_t i;

	static_assert(VS_BURST <= 32, "fol_mask has a bit per packet");
	w->fol_mask = 0;
	for (i = 0; i < n && i < PREFETCH_OFFSET; i++)
		rte_prefetch0(rte_pktmbuf_mtod(pkts[i], void *));
	for (i = 0; i < n; i++) {
		if (i + PREFETCH_OFFSET < n)
			rte_prefetch0(rte_pktmbuf_mtod(pkts[i + PREFETCH_OFFSET],
					void *));
		/* a run of one flow: only its first packet is parsed */
		if (lead.idx >= 0 && vs_run_follows(&lead, pkts[i])) {
			w->meta[i].kind = VS_PK_FOLLOW;
			w->lead[i] = (uint8_t)lead.idx;
			w->fol_mask |= 1u << i;
			continue;
		}
		parse_one(w, snap, pkts[i], &w->meta[i]);
		if (runs)
			vs_run_lead_set(&lead, pkts[i], &w->meta[i], i);
	}
}

/* A packet's LPM results (rte_lpm_lookup_bulk words) into its meta. */
static inline void
lookup_set(struct vs_pkt_meta *pm, uint32_t s, uint32_t d)
{
	pm->src_nh = (s & RTE_LPM_LOOKUP_SUCCESS) ? s & 0x00ffffff :
			VS_NH_MISS;
	pm->dst_nh = (d & RTE_LPM_LOOKUP_SUCCESS) ? d & 0x00ffffff :
			VS_NH_MISS;
	/* a remote node's subnet (vs_tunnel.h): no local endpoint */
	pm->dst_vtep = VS_NH_MISS;
	if (unlikely(pm->src_nh != VS_NH_MISS && (pm->src_nh & VS_NH_TUNNEL)))
		pm->src_nh = VS_NH_MISS;
	if (unlikely(pm->dst_nh != VS_NH_MISS &&
			(pm->dst_nh & VS_NH_TUNNEL))) {
		pm->dst_vtep = pm->dst_nh & ~VS_NH_TUNNEL;
		pm->dst_nh = VS_NH_MISS;
	}
}

/*
 * Both addresses of every IPv4/ARP packet in one rte_lpm_lookup_bulk. A
 * packet with the addresses of the one before it (a flow's packets in a
 * row), or with them swapped (a request and its reply), takes that one's
 * results instead of two more lookups (lk_same: 1 same, 2 swapped).
 */
void
vs_stage_lookup(struct vs_worker *w, const struct vs_snap *snap, uint16_t n)
{
	uint32_t ps = 0, pd = 0, s = 0, d = 0;
	uint16_t i, k = 0;
	bool have = false;

	for (i = 0; i < n; i++) {
		const struct vs_pkt_meta *pm = &w->meta[i];

		if (pm->kind != VS_PK_IP4 && pm->kind != VS_PK_ARP)
			continue;
		w->lk_same[i] = !have ? 0 :
				pm->src_ip == ps && pm->dst_ip == pd ? 1 :
				pm->src_ip == pd && pm->dst_ip == ps ? 2 : 0;
		if (w->lk_same[i] != 0)
			continue;
		have = true;
		ps = pm->src_ip;
		pd = pm->dst_ip;
		w->lk_ip[k++] = ps;
		w->lk_ip[k++] = pd;
	}
	if (k == 0)
		return;
	rte_lpm_lookup_bulk(snap->routes->lpm, w->lk_ip, w->lk_nh, k);
	for (i = 0, k = 0; i < n; i++) {
		struct vs_pkt_meta *pm = &w->meta[i];

		if (pm->kind != VS_PK_IP4 && pm->kind != VS_PK_ARP)
			continue;
		if (w->lk_same[i] == 0) {
			s = w->lk_nh[k++];
			d = w->lk_nh[k++];
		}
		lookup_set(pm, w->lk_same[i] == 2 ? d : s,
				w->lk_same[i] == 2 ? s : d);
	}
}

/*
 * A packet from one of our endpoints, on that endpoint's port, teaches
 * us its MAC (unless configured). Store only on change: the word's cache
 * line stays shared among workers while nothing changes.
 */
void
vs_stage_learn(struct vs_worker *w, const struct vs_snap *snap,
		uint16_t in_port, struct rte_mbuf **pkts, uint16_t n)
{
	uint16_t i;

	for (i = 0; i < n; i++) {
		const struct vs_pkt_meta *pm = &w->meta[i];
		const struct rte_ether_hdr *eth;
		const struct vs_snap_ep *ep;
		uint64_t mac;

		if ((pm->kind != VS_PK_IP4 && pm->kind != VS_PK_ARP) ||
				pm->src_nh == VS_NH_MISS)
			continue;
		ep = &snap->ep[pm->src_nh];
		if (ep->port_id != in_port || ep->static_mac)
			continue;
		eth = rte_pktmbuf_mtod(pkts[i], const void *);
		if (!rte_is_unicast_ether_addr(&eth->src_addr))
			continue;
		mac = vs_neigh_pack(eth->src_addr.addr_bytes);
		if (__atomic_load_n(&snap->neigh[pm->src_nh], __ATOMIC_RELAXED)
				!= mac)
			__atomic_store_n(&snap->neigh[pm->src_nh], mac,
					__ATOMIC_RELAXED);
	}
}

/* Send what is buffered for one port; count what the queue refused. */
static void
tx_flush_port(struct vs_worker *w, const struct vs_snap *snap, uint16_t pid)
{
	struct vs_txbuf *b = &w->tx[pid];
	const struct vs_port *p = snap->port[pid];
	struct vs_port_ctr *c = &w->ctr[pid];
	uint64_t bytes = 0, unsent_bytes = 0;
	uint16_t q, sent, i;

	if (b->n == 0)
		return;
	for (i = 0; i < b->n; i++)
		bytes += b->pkts[i]->pkt_len;
	if (unlikely(p->tx_shared)) {
		q = (uint16_t)(w->idx % p->n_txq);
		rte_spinlock_lock((rte_spinlock_t *)&p->txq_lock[q]);
		sent = rte_eth_tx_burst(pid, q, b->pkts, b->n);
		rte_spinlock_unlock((rte_spinlock_t *)&p->txq_lock[q]);
	} else {
		sent = rte_eth_tx_burst(pid, (uint16_t)w->idx, b->pkts, b->n);
	}
	if (unlikely(sent < b->n)) {
		for (i = sent; i < b->n; i++)
			unsent_bytes += b->pkts[i]->pkt_len;
		rte_pktmbuf_free_bulk(&b->pkts[sent], b->n - sent);
		vs_ctr_add(&c->tx_full, b->n - sent);
		vs_ctr_add(&w->drops[VS_DROP_TX_FULL], b->n - sent);
	}
	vs_ctr_add(&c->tx_packets, sent);
	vs_ctr_add(&c->tx_bytes, bytes - unsent_bytes);
	b->n = 0;
}

void
vs_tx_flush_all(struct vs_worker *w, const struct vs_snap *snap)
{
	uint16_t i;

	for (i = 0; i < w->n_touched; i++) {
		tx_flush_port(w, snap, w->touched[i]);
		w->tx[w->touched[i]].listed = 0;
	}
	w->n_touched = 0;
}

/* One packet into its port's tx buffer (sent when full, or at the end
 * of the iteration). */
static inline void
tx_buf_put(struct vs_worker *w, const struct vs_snap *snap, uint16_t port,
		struct rte_mbuf *m)
{
	struct vs_txbuf *b = &w->tx[port];

	if (!b->listed) {
		b->listed = 1;
		w->touched[w->n_touched++] = port;
	}
	b->pkts[b->n++] = m;
	if (b->n == VS_BURST)
		tx_flush_port(w, snap, port);
}

void
vs_tx_put_one(struct vs_worker *w, const struct vs_snap *snap, uint16_t port,
		struct rte_mbuf *m)
{
	tx_buf_put(w, snap, port, m);
}

/* A packet bigger than the port's pod takes (its MTU) is fragmented or
 * dropped (vs_tx_frag.c): the one test the fast path pays for it. */
static inline void
tx_put(struct vs_worker *w, const struct vs_snap *snap, uint16_t port,
		struct rte_mbuf *m)
{
	if (unlikely(m->pkt_len > snap->port[port]->tx_max)) {
		vs_tx_big(w, snap, port, m);
		return;
	}
	tx_buf_put(w, snap, port, m);
}

void
vs_stage_tx(struct vs_worker *w, const struct vs_snap *snap,
		struct rte_mbuf **pkts, uint16_t n)
{
	uint16_t i;

	for (i = 0; i < n; i++) {
		const struct vs_pkt_meta *pm = &w->meta[i];

		if (pm->kind != VS_PK_TX)
			continue;
		tx_put(w, snap, pm->out_port, pkts[i]);
	}
}

/* The stages that decide, lookup to route, over n packets. */
static void
decide_stages(struct vs_worker *w, const struct vs_snap *snap,
		uint16_t in_port, struct rte_mbuf **pkts, uint16_t n)
{
	vs_stage_lookup(w, snap, n);
	vs_stage_learn(w, snap, in_port, pkts, n);
	vs_stage_arp(w, snap, in_port, pkts, n);
	vs_stage_ct(w, snap, in_port, pkts, n);
	vs_stage_route(w, snap, in_port, pkts, n);
}

/*
 * Parse to tx over pkts. With runs, parse marks the followers of runs of
 * one flow, the deciding stages run without them and they go out with
 * their leader (vs_runs.c); those that cannot are left in w->slow for a
 * pass of their own (runs false).
 */
static void
burst_stages(struct vs_worker *w, const struct vs_snap *snap,
		uint16_t in_port, struct rte_mbuf **pkts, uint16_t n,
		bool runs)
{
	uint16_t nl;

	vs_stage_parse(w, snap, pkts, n, runs);
	if (likely(w->fol_mask == 0)) {
		decide_stages(w, snap, in_port, pkts, n);
	} else {
		nl = vs_runs_compact(w, n, pkts);
		decide_stages(w, snap, in_port, w->lp, nl);
		vs_runs_expand(w, nl, pkts);
		vs_runs_finish(w, pkts);
	}
	vs_stage_tx(w, snap, pkts, n);
	if (w->n_free) {
		rte_pktmbuf_free_bulk(w->free, w->n_free);
		w->n_free = 0;
	}
}

void
vs_burst_process(struct vs_worker *w, const struct vs_snap *snap,
		uint16_t in_port, struct rte_mbuf **pkts, uint16_t n)
{
	RTE_ASSERT(n <= VS_BURST);
	w->n_free = 0;
	/* VXLAN from other nodes: only the inner frames go on (vs_tunnel.h) */
	if (unlikely(snap->tun != NULL && snap->tun->uplink == in_port &&
			snap->tun->enabled)) {
		n = vs_tunnel_rx(w, snap, pkts, n);
		if (w->n_free) {
			rte_pktmbuf_free_bulk(w->free, w->n_free);
			w->n_free = 0;
		}
		if (n == 0)
			return;
	}
	burst_stages(w, snap, in_port, pkts, n, true);
	if (unlikely(w->fol_mask != 0 && w->n_slow != 0))
		burst_stages(w, snap, in_port, w->slow, w->n_slow, false);
}
