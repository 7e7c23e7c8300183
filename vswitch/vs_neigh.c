/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vs_neigh.c: npvsd's neighbours on the underlay (the uplink's LAN).
 *
 * npvsd owns its underlay IP (tunnel.underlay in the config) on the
 * uplink: it answers ARP requests for it with its MAC (the outer source
 * MAC of everything it encapsulates), and it learns the MACs of remote
 * VTEPs (and of the underlay gateway) from every ARP packet they send
 * on the uplink, request or reply: the Linux kernel of a Flannel node
 * asks for our MAC before it sends its first VXLAN packet to us, and its
 * request carries its own. Unknown MACs are asked for by the encap path
 * (vs_tunnel_dp.c), whose packet's mbuf becomes the request.
 *
 * The table: one 64-bit word per VTEP slot plus one for the gateway
 * (struct vs_tun_snap.neigh), the same format as vs->neigh; workers store
 * relaxed, the last writer wins; the control thread resets a slot when a
 * node's IP changes. Ageing, as Linux's STALE/PROBE: every ARP from a
 * neighbour stamps seen[]; an entry not heard from for
 * VS_TUN_NEIGH_STALE_S is still used, but each worker that uses it sends
 * an ARP request (a new mbuf) at most every VS_TUN_PROBE_MS; after
 * VS_TUN_NEIGH_EXPIRE_S without an answer it counts as unresolved again.
 * See docs/tunnels.md.
 *
 * Thread-safety: worker lcores; see vs_stages.h.
 */
#include <string.h>

#include <rte_arp.h>
#include <rte_cycles.h>
#include <rte_ether.h>

#include "vs_stages.h"
#include "vs_tunnel.h"

uint32_t
vs_neigh_slot(const struct vs_tun_snap *ts, const struct vtep_entry *e,
		uint32_t slot, rte_be32_t *target)
{
	uint32_t ip = rte_be_to_cpu_32(e->dst.ip);

	if (ts->gw != 0 && (ip & ts->local_mask) != ts->local_net) {
		*target = ts->gw;
		return VS_TUN_NH_GW;
	}
	*target = e->dst.ip;
	return slot;
}

/* The neigh slot of an ARP sender, or UINT32_MAX if none of ours. */
static uint32_t
sender_slot(const struct vs_tun_snap *ts, rte_be32_t sip)
{
	const struct vtep_entry *e;
	uint32_t s;

	if (ts->gw != 0 && sip == ts->gw)
		return VS_TUN_NH_GW;
	e = vtep_lookup_ip(ts->vteps, sip);
	if (e == NULL)
		return UINT32_MAX;
	/* ARP is rare: a scan for the slot is fine. */
	for (s = 0; s < VS_TUN_NODES_MAX; s++)
		if (vtep_get(ts->vteps, s) == e)
			return s;
	return UINT32_MAX;
}

static void
learn(struct vs_worker *w, const struct vs_tun_snap *ts,
		const struct rte_arp_ipv4 *d)
{
	uint32_t s = sender_slot(ts, d->arp_sip);
	uint64_t mac, now;

	if (s == UINT32_MAX || !rte_is_unicast_ether_addr(&d->arp_sha))
		return;
	mac = vs_neigh_pack(d->arp_sha.addr_bytes);
	if (__atomic_load_n(&ts->neigh[s], __ATOMIC_RELAXED) != mac)
		__atomic_store_n(&ts->neigh[s], mac, __ATOMIC_RELAXED);
	/* Ageing: refreshed at most once a second (a shared cache line). */
	now = rte_get_tsc_cycles();
	if (now - __atomic_load_n(&ts->seen[s], __ATOMIC_RELAXED) > w->tsc_hz)
		__atomic_store_n(&ts->seen[s], now, __ATOMIC_RELAXED);
}

void
vs_neigh_probe(struct vs_worker *w, const struct vs_tun_snap *ts,
		rte_be32_t target)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(w->vs->pool);

	if (m == NULL)
		return;
	if (!vs_neigh_request_build(m, ts, target) ||
			!vs_tunnel_tx_extra(w, ts->uplink, m))
		rte_pktmbuf_free(m);
}

/* A request for our underlay address becomes our reply, in place. */
static void
reply_build(struct rte_mbuf *m, const struct vs_tun_snap *ts)
{
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, void *);
	struct rte_arp_hdr *arp = (void *)(eth + 1);
	struct rte_arp_ipv4 *d = &arp->arp_data;

	rte_ether_addr_copy(&d->arp_sha, &eth->dst_addr);
	rte_ether_addr_copy(&ts->vx.local_mac, &eth->src_addr);
	arp->arp_opcode = RTE_BE16(RTE_ARP_OP_REPLY);
	rte_ether_addr_copy(&d->arp_sha, &d->arp_tha);
	d->arp_tip = d->arp_sip;
	rte_ether_addr_copy(&ts->vx.local_mac, &d->arp_sha);
	d->arp_sip = ts->vx.local_ip;
}

void
vs_neigh_arp_input(struct vs_worker *w, const struct vs_snap *snap,
		struct rte_mbuf *m)
{
	const struct vs_tun_snap *ts = snap->tun;
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, void *);
	struct rte_arp_hdr *arp = (void *)(eth + 1);

	if (rte_pktmbuf_data_len(m) < sizeof(*eth) + sizeof(*arp) ||
			arp->arp_hardware != RTE_BE16(RTE_ARP_HRD_ETHER) ||
			arp->arp_protocol != RTE_BE16(RTE_ETHER_TYPE_IPV4) ||
			arp->arp_hlen != RTE_ETHER_ADDR_LEN ||
			arp->arp_plen != sizeof(rte_be32_t)) {
		vs_ctr_add(&w->drops[VS_DROP_MALFORMED], 1);
		rte_pktmbuf_free(m);
		return;
	}
	if (arp->arp_data.arp_sip != 0)
		learn(w, ts, &arp->arp_data);
	if (arp->arp_opcode == RTE_BE16(RTE_ARP_OP_REQUEST) &&
			arp->arp_data.arp_tip == ts->vx.local_ip &&
			arp->arp_data.arp_sip != 0 &&
			arp->arp_data.arp_sip != ts->vx.local_ip) {
		reply_build(m, ts);
		if (vs_tunnel_tx_extra(w, ts->uplink, m))
			return;
	}
	rte_pktmbuf_free(m);
}

bool
vs_neigh_request_build(struct rte_mbuf *m, const struct vs_tun_snap *ts,
		rte_be32_t tip)
{
	return vs_arp_request_build(m, &ts->vx.local_mac, ts->vx.local_ip, tip);
}
