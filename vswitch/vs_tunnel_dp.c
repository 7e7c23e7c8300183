/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vs_tunnel_dp.c: the data-path side of VXLAN between nodes (vs_tunnel.h).
 *
 * Uplink rx: vxlan_decap_burst over the whole burst. Inner frames stay in
 * the burst and go through every later stage (conntrack, policy, route)
 * exactly like a pod's packets; their Ethernet destination (our VtepMAC)
 * is rewritten to the router MAC so parse accepts them (inner ARP and
 * inner packets to the gateway address are ignored: the stages would
 * answer them unencapsulated on the uplink). ARP is handed to
 * vs_neigh.c; any other non-VXLAN frame on the uplink is counted as
 * uplink_not_vxlan and dropped (npvsd does not route to the underlay yet).
 *
 * Route: a destination in a remote node's subnet has dst_vtep set by the
 * lookup stage; route marks it VS_PK_VXLAN after the TTL check and
 * decrement; vs_tunnel_encap then encapsulates every marked packet of the
 * burst in one vxlan_encap_burst and sends it out on the uplink. The
 * outer destination MAC is the underlay neighbour of the VTEP (or of the
 * gateway, or the configured next-hop MAC); unresolved: the packet is
 * dropped (tunnel_no_neighbour) and, at most every VS_TUN_ARP_RETRY_MS per
 * slot and worker, its mbuf becomes an ARP request instead. Too big with
 * DF: ICMP "fragmentation needed" back to the sender. Too big without DF
 * (an af_packet port's reassembled datagram, vs_port_afp.c): an IPv4
 * packet is fragmented to the tunnel's inner MTU (underlay MTU - 50) as
 * the sending kernel would have (vs_tx_frag.c's vs_frag_split), each
 * fragment encapsulated and sent on the uplink, counted in the uplink's
 * tx_frags; the outer packet is never fragmented. Anything else too big
 * is dropped (tunnel_drop, and vxlan_too_big in the tunnel counters).
 * All of it on the refused path: the encapsulated packets pay nothing.
 * The receiving node needs nothing: the fragments decapsulate as any
 * packet, follow the first one's conntrack verdict and go to their pod.
 *
 * Thread-safety: worker lcores; see vs_stages.h.
 */
#include <rte_cycles.h>
#include <rte_ether.h>
#include <rte_ip.h>

#include "vs_stages.h"
#include "vs_tunnel.h"

bool
vs_tunnel_tx_extra(struct vs_worker *w, uint16_t port, struct rte_mbuf *m)
{
	struct vs_txbuf *b = &w->tx[port];

	/* Leave one place: vs_stage_tx appends before it flushes. */
	if (b->n >= VS_BURST - 1)
		return false;
	if (!b->listed) {
		b->listed = 1;
		w->touched[w->n_touched++] = port;
	}
	b->pkts[b->n++] = m;
	return true;
}

static inline void
tun_free(struct vs_tun_wk *tw, struct rte_mbuf *m)
{
	tw->free[tw->n_free++] = m;
}

static void
tun_free_flush(struct vs_tun_wk *tw)
{
	if (tw->n_free)
		rte_pktmbuf_free_bulk(tw->free, tw->n_free);
	tw->n_free = 0;
}

/*
 * Inner frames the later stages would answer on the port they came in
 * on, i.e. unencapsulated onto the underlay: an inner ARP (Flannel never
 * sends one: its neighbour entries are static) and anything to the pods'
 * gateway address. Ignored.
 */
static inline bool
inner_wanted(const struct vs_snap *snap, const struct rte_mbuf *m)
{
	const struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, const void *);
	const struct rte_ipv4_hdr *ip = (const void *)(eth + 1);

	if (eth->ether_type != RTE_BE16(RTE_ETHER_TYPE_IPV4))
		return false;
	/* parse drops the rest as malformed */
	if (rte_pktmbuf_data_len(m) < sizeof(*eth) + sizeof(*ip))
		return true;
	return ip->dst_addr != snap->gw_ip;
}

uint16_t
vs_tunnel_rx(struct vs_worker *w, const struct vs_snap *snap,
		struct rte_mbuf **pkts, uint16_t n)
{
	const struct vs_tun_snap *ts = snap->tun;
	struct vs_tun_wk *tw = w->tun;
	uint16_t i, k = 0;

	vxlan_decap_burst(&ts->vx, &tw->vx, pkts, n, tw->res, NULL);
	tw->n_free = 0;
	for (i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];
		struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, void *);

		if (likely(tw->res[i] == VXLAN_RES_OK)) {
			if (unlikely(!inner_wanted(snap, m))) {
				tun_free(tw, m);
				continue;
			}
			rte_ether_addr_copy(&snap->mac, &eth->dst_addr);
			pkts[k++] = m;
		} else if (tw->res[i] == VXLAN_RES_PASS &&
				rte_pktmbuf_data_len(m) >= sizeof(*eth) &&
				eth->ether_type == RTE_BE16(RTE_ETHER_TYPE_ARP)) {
			vs_neigh_arp_input(w, snap, m);
		} else {
			vs_ctr_add(&w->drops[tw->res[i] == VXLAN_RES_PASS ?
					VS_DROP_UPLINK_OTHER : VS_DROP_TUN_DROP], 1);
			tun_free(tw, m);
		}
	}
	tun_free_flush(tw);
	return k;
}

void
vs_tunnel_route_one(struct vs_worker *w, struct rte_mbuf *m,
		struct vs_pkt_meta *pm)
{
	struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod_offset(m, void *,
			pm->l3_off);

	if (unlikely(ip->time_to_live <= 1)) {
		vs_pkt_drop(w, m, pm, VS_DROP_TTL);
		return;
	}
	vs_ttl_decrement(ip);
	pm->kind = VS_PK_VXLAN;
}

/* The VTEP's underlay MAC is unknown: ask, with this packet's mbuf. */
static void
unresolved(struct vs_worker *w, const struct vs_tun_snap *ts,
		struct rte_mbuf *m, struct vs_pkt_meta *pm, uint32_t nslot,
		rte_be32_t target)
{
	struct vs_tun_wk *tw = w->tun;
	uint64_t now = rte_get_tsc_cycles();

	vs_ctr_add(&w->drops[VS_DROP_TUN_NO_NEIGH], 1);
	if (now - tw->arp_tsc[nslot] >= w->tsc_hz / 1000 * VS_TUN_ARP_RETRY_MS &&
			vs_neigh_request_build(m, ts, target)) {
		tw->arp_tsc[nslot] = now;
		vs_pkt_out(pm, ts->uplink);
		return;
	}
	vs_pkt_consume(w, m, pm);
}

/*
 * Ageing (vs_neigh.c): stale -> probe now and then, still usable;
 * expired -> true: treat as unresolved.
 */
static bool
neigh_aged(struct vs_worker *w, const struct vs_tun_snap *ts, uint32_t nslot,
		rte_be32_t target)
{
	uint64_t now = rte_get_tsc_cycles();
	uint64_t age = now - __atomic_load_n(&ts->seen[nslot], __ATOMIC_RELAXED);
	uint64_t *last = &w->tun->arp_tsc[nslot];

	if (likely(age < w->tsc_hz * VS_TUN_NEIGH_STALE_S))
		return false;
	if (age >= w->tsc_hz * VS_TUN_NEIGH_EXPIRE_S)
		return true;
	if (now - *last >= w->tsc_hz / 1000 * VS_TUN_PROBE_MS) {
		*last = now;
		vs_neigh_probe(w, ts, target);
	}
	return false;
}

/* Fill tw->dst[k] for packet i; false when it was consumed instead. */
static bool
dst_fill(struct vs_worker *w, const struct vs_tun_snap *ts,
		struct rte_mbuf *m, struct vs_pkt_meta *pm, uint16_t k)
{
	const struct vtep_entry *e = vtep_get(ts->vteps, pm->dst_vtep);
	struct vxlan_dst *d = &w->tun->dst[k];
	rte_be32_t target;
	uint32_t nslot;
	uint64_t nw;

	if (unlikely(e == NULL || !ts->enabled)) {
		vs_pkt_drop(w, m, pm, VS_DROP_NO_PORT);
		return false;
	}
	*d = e->dst;
	if (ts->static_mac) {
		d->mac = ts->nh_mac;
		return true;
	}
	nslot = vs_neigh_slot(ts, e, pm->dst_vtep, &target);
	nw = __atomic_load_n(&ts->neigh[nslot], __ATOMIC_RELAXED);
	if (unlikely(!(nw & VS_NEIGH_VALID) || neigh_aged(w, ts, nslot,
			target))) {
		unresolved(w, ts, m, pm, nslot, target);
		return false;
	}
	vs_neigh_unpack(nw, d->mac.addr_bytes);
	return true;
}

/*
 * Too big for the tunnel, IPv4 without DF: fragment it to the tunnel's
 * inner MTU, as the sending kernel would have, encapsulate each fragment
 * for d and send it on the uplink (vs_tx_put_one flushes a full buffer:
 * none is lost to a lack of room). m's meta is done with. Out of line:
 * its arrays stay off vs_tunnel_encap's stack.
 */
static __rte_noinline void
frag_encap(struct vs_worker *w, const struct vs_tun_snap *ts,
		const struct vs_snap *snap, struct rte_mbuf *m,
		struct vs_pkt_meta *pm, const struct vxlan_dst *d)
{
	struct rte_mbuf *f[VS_FRAG_OUT_MAX];
	const struct vxlan_dst *fd[VS_FRAG_OUT_MAX];
	uint8_t res[VS_FRAG_OUT_MAX];
	uint16_t n, i;

	n = vs_frag_split(w, ts->uplink, m,
			VXLAN_INNER_MTU(ts->vx.underlay_mtu), f);
	vs_pkt_consume(w, m, pm);       /* the fragments hold references */
	for (i = 0; i < n; i++)
		fd[i] = d;
	vxlan_encap_burst(&ts->vx, &w->tun->vx, f, fd, n, res);
	for (i = 0; i < n; i++) {
		if (likely(res[i] == VXLAN_RES_OK)) {
			vs_tx_put_one(w, snap, ts->uplink, f[i]);
		} else {
			vs_ctr_add(&w->drops[VS_DROP_TUN_DROP], 1);
			rte_pktmbuf_free(f[i]);
		}
	}
}

/* An IPv4 frame whose header encap left untouched (parse checked it). */
static bool
is_ipv4(const struct rte_mbuf *m)
{
	const struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, const void *);

	return rte_pktmbuf_data_len(m) >= sizeof(*eth) +
		sizeof(struct rte_ipv4_hdr) &&
		eth->ether_type == RTE_BE16(RTE_ETHER_TYPE_IPV4);
}

/*
 * Encap refused packet j (for d): too big without DF and IPv4: fragmented
 * and sent; too big with DF: ICMP back; else (and then) dropped.
 */
static void
encap_refused(struct vs_worker *w, const struct vs_snap *snap,
		uint16_t in_port, struct rte_mbuf *m, struct vs_pkt_meta *pm,
		uint8_t res, const struct vxlan_dst *d)
{
	struct rte_mbuf *reply;

	if (vxlan_res_reason(res) == VXLAN_DROP_TOO_BIG && is_ipv4(m)) {
		frag_encap(w, snap->tun, snap, m, pm, d);
		return;
	}
	if (vxlan_res_reason(res) == VXLAN_DROP_TOO_BIG_DF &&
			(reply = rte_pktmbuf_alloc(w->vs->pool)) != NULL) {
		if (vxlan_frag_needed(&snap->tun->vx, m, snap->gw_ip,
				&snap->mac, reply) != 0 ||
				!vs_tunnel_tx_extra(w, in_port, reply))
			rte_pktmbuf_free(reply);
	}
	vs_pkt_drop(w, m, pm, VS_DROP_TUN_DROP);
}

void
vs_tunnel_encap(struct vs_worker *w, const struct vs_snap *snap,
		uint16_t in_port, struct rte_mbuf **pkts, uint16_t n)
{
	const struct vs_tun_snap *ts = snap->tun;
	struct vs_tun_wk *tw = w->tun;
	uint16_t i, j, k = 0;

	for (i = 0; i < n; i++) {
		struct vs_pkt_meta *pm = &w->meta[i];

		if (pm->kind != VS_PK_VXLAN)
			continue;
		if (unlikely(ts == NULL)) {
			vs_pkt_drop(w, pkts[i], pm, VS_DROP_NO_PORT);
			continue;
		}
		if (!dst_fill(w, ts, pkts[i], pm, k))
			continue;
		tw->dstp[k] = &tw->dst[k];
		tw->pk[k] = pkts[i];
		tw->idx[k++] = i;
	}
	if (k == 0)
		return;
	vxlan_encap_burst(&ts->vx, &tw->vx, tw->pk, tw->dstp, k, tw->res);
	for (j = 0; j < k; j++) {
		struct vs_pkt_meta *pm = &w->meta[tw->idx[j]];

		if (likely(tw->res[j] == VXLAN_RES_OK))
			vs_pkt_out(pm, ts->uplink);
		else
			encap_refused(w, snap, in_port, tw->pk[j], pm,
					tw->res[j], tw->dstp[j]);
	}
}
