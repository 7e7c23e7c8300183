/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vs_tunnel.h: VXLAN to other nodes inside the switch: the snapshot part
 * (vxlan_ctx, VTEP table, uplink, underlay neighbours), the per-worker
 * part, and the hooks the stages call (vs_pipeline.c, vs_route.c,
 * vs_snap.c). The packet functions themselves are tunnels/'s.
 *
 *   uplink rx -> vs_tunnel_rx: vxlan_decap_burst; inner frames go on into
 *     the normal stages (parse ... route) as if a pod had sent them;
 *     ARP for our underlay IP answered, ARP teaches underlay MACs
 *     (vs_neigh.c); anything else counted and dropped
 *   lookup: a node's pod subnet is an LPM route whose next hop is
 *     VS_NH_TUNNEL | VTEP slot (pm->dst_vtep)
 *   route: vs_tunnel_route_one (TTL), then vs_tunnel_encap over the
 *     burst: vxlan_encap_burst, out on the uplink
 *
 * Thread-safety: struct vs_tunnel and the vs_tunnel_* control functions:
 * control thread only. struct vs_tun_snap: immutable once published, in
 * the snapshot. neigh[] words: written by workers (ARP learning, relaxed
 * atomics, last writer wins) and reset by the control thread when a slot
 * changes hands. struct vs_tun_wk: its worker only (counters read relaxed).
 */
#ifndef NPVS_VS_TUNNEL_H
#define NPVS_VS_TUNNEL_H

#include "vs_priv.h"
#include "vtep.h"
#include "vxlan.h"

#define VS_TUN_NODES_MAX 1024                   /**< VTEP slots */
#define VS_TUN_NH_GW VS_TUN_NODES_MAX           /**< neigh slot of the gateway */
#define VS_TUN_NEIGH_MAX (VS_TUN_NODES_MAX + 1)
#define VS_NH_TUNNEL (UINT32_C(1) << 23)        /**< LPM next hop: a VTEP slot */
#define VS_TUN_ARP_RETRY_MS 200                 /**< per slot and worker */
#define VS_TUN_NEIGH_STALE_S 30                 /**< then probe while in use */
#define VS_TUN_NEIGH_EXPIRE_S 90                /**< then unresolved again */
#define VS_TUN_PROBE_MS 1000                    /**< probes per slot and worker */

/** The tunnel as a snapshot sees it. */
struct vs_tun_snap {
	struct vxlan_ctx vx;                    /**< local_ip 0: tunnel off */
	const struct vtep_table *vteps;
	uint16_t uplink;                        /**< VS_PORT_NONE: none */
	bool enabled;                           /**< vx valid and uplink */
	bool static_mac;                        /**< nh_mac configured */
	struct rte_ether_addr nh_mac;
	uint32_t local_net, local_mask;         /**< underlay prefix, host order */
	rte_be32_t gw;                          /**< off-link next hop, or 0 */
	uint64_t *neigh;                        /**< VS_TUN_NEIGH_MAX words */
	uint64_t *seen;                         /**< tsc of the last ARP from
						  *  each neighbour (ageing) */
};

/** One worker's tunnel state and scratch. */
struct vs_tun_wk {
	struct vxlan_lcore vx;
	struct rte_mbuf *pk[VS_BURST];
	uint16_t idx[VS_BURST];
	struct vxlan_dst dst[VS_BURST];
	const struct vxlan_dst *dstp[VS_BURST];
	uint8_t res[VS_BURST];
	uint16_t n_free;
	struct rte_mbuf *free[VS_BURST];
	uint64_t arp_tsc[VS_TUN_NEIGH_MAX];
} __rte_cache_aligned;

/** Control side. */
struct vs_tunnel {
	struct vtep_table *vteps;               /**< current table */
	uint64_t seq;                           /**< table names */
	uint64_t *neigh;                        /**< shared with workers */
	uint64_t *seen;                         /**< shared with workers */
};

/* vs_tunnel.c: control thread */
/** Fill s->tun for a snapshot being built. @return 0 or -ENOMEM. */
int vs_tunnel_snap_fill(struct vs *vs, struct vs_snap *s);
void vs_tunnel_snap_free(struct vs_snap *s);
/** Add every node's subnet to lpm, next hop VS_NH_TUNNEL | slot. */
int vs_tunnel_routes_fill(struct vs *vs, struct rte_lpm *lpm);
void vs_tunnel_free(struct vs *vs);

/* vs_tunnel_dp.c: worker lcores */
/**
 * Uplink burst: decapsulate; keep the inner frames at the front of pkts
 * (their Ethernet destination set to the router MAC) and consume the
 * rest (ARP handled, others dropped and counted).
 * @return the number of inner frames left in pkts.
 */
uint16_t vs_tunnel_rx(struct vs_worker *w, const struct vs_snap *snap,
		struct rte_mbuf **pkts, uint16_t n);
/** Route stage: packet i goes to a VTEP (TTL checked and decremented). */
void vs_tunnel_route_one(struct vs_worker *w, struct rte_mbuf *m,
		struct vs_pkt_meta *pm);
/** After routing: encapsulate the VS_PK_VXLAN packets of the burst. */
void vs_tunnel_encap(struct vs_worker *w, const struct vs_snap *snap,
		uint16_t in_port, struct rte_mbuf **pkts, uint16_t n);
/** Put m on port's tx buffer (an extra packet); false: full, not taken. */
bool vs_tunnel_tx_extra(struct vs_worker *w, uint16_t port,
		struct rte_mbuf *m);

/* vs_neigh.c: underlay ARP, worker lcores */
/** Send an ARP request for target as a refresh probe (a new mbuf). */
void vs_neigh_probe(struct vs_worker *w, const struct vs_tun_snap *ts,
		rte_be32_t target);
/** An ARP frame from the uplink: learn, answer, or free. */
void vs_neigh_arp_input(struct vs_worker *w, const struct vs_snap *snap,
		struct rte_mbuf *m);
/** Turn m into an ARP request for tip from our underlay address. */
bool vs_neigh_request_build(struct rte_mbuf *m, const struct vs_tun_snap *ts,
		rte_be32_t tip);
/** The neigh slot that resolves the VTEP in slot (itself or the gateway). */
uint32_t vs_neigh_slot(const struct vs_tun_snap *ts, const struct vtep_entry *e,
		uint32_t slot, rte_be32_t *target);

#endif /* NPVS_VS_TUNNEL_H */
