/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vs_stages.h: the data-path stages over one rx burst (vs_pipeline.c,
 * vs_arp.c, vs_route.c) and the helpers they share.
 *
 * A burst goes through the stages in order, each over the whole burst;
 * w->meta[i] says what the earlier stages decided about packet i:
 *
 *   parse   Ethernet, then IPv4 or ARP; garbage is dropped as malformed
 *   lookup  one rte_lpm_lookup_bulk for sources and destinations
 *   learn   a pod's source MAC into vs->neigh
 *   arp     answer requests with our MAC, consume replies
 *   ct      conntrack and policy (vs_ct_stage.c, vs_ct.h): flows of the
 *           connection table go on, new ones are classified
 *   route   local endpoint -> its port, TTL, MAC rewrite
 *   tx      into the per-port tx buffers, flushed once per iteration; a
 *           packet bigger than a pod port's MTU is fragmented or refused
 *           on the way in (vs_tx_frag.c)
 *
 * Runs of one flow's packets (vs_runs.c): parse marks a packet that is
 * the same as its run's first in everything the stages read as a
 * follower; the stages run without the followers, and after route the
 * followers of a forwarded packet go out with it (the others through the
 * stages afterwards).
 *
 * VXLAN decapsulation runs before parse on the uplink (vs_tunnel.h).
 *
 * Thread-safety: worker lcores (or a test thread standing in for one);
 * each call touches only w and reads snap.
 */
#ifndef NPVS_VS_STAGES_H
#define NPVS_VS_STAGES_H

#include <rte_ip.h>

#include "vs_priv.h"

/** runs: mark the followers of runs of one flow (vs_runs.h). */
void vs_stage_parse(struct vs_worker *w, const struct vs_snap *snap,
		struct rte_mbuf **pkts, uint16_t n, bool runs);
void vs_stage_lookup(struct vs_worker *w, const struct vs_snap *snap,
		uint16_t n);
void vs_stage_learn(struct vs_worker *w, const struct vs_snap *snap,
		uint16_t in_port, struct rte_mbuf **pkts, uint16_t n);
void vs_stage_arp(struct vs_worker *w, const struct vs_snap *snap,
		uint16_t in_port, struct rte_mbuf **pkts, uint16_t n);
void vs_stage_route(struct vs_worker *w, const struct vs_snap *snap,
		uint16_t in_port, struct rte_mbuf **pkts, uint16_t n);
void vs_stage_tx(struct vs_worker *w, const struct vs_snap *snap,
		struct rte_mbuf **pkts, uint16_t n);

/* vs_runs.c: runs of one flow's packets in a burst (parse marks the
 * followers: w->fol_mask, w->lead) */
/** The other packets into w->lp, their meta to the front: @return how
 *  many. */
uint16_t vs_runs_compact(struct vs_worker *w, uint16_t n,
		struct rte_mbuf **pkts);
/** Undo vs_runs_compact after the stages (followers marked again). */
void vs_runs_expand(struct vs_worker *w, uint16_t nl, struct rte_mbuf **pkts);
/** After route: followers of forwarded leaders rewritten, out and
 *  counted; the others into w->slow for a pass of their own. */
void vs_runs_finish(struct vs_worker *w, struct rte_mbuf **pkts);

/**
 * Turn m into a broadcast ARP request from sha/sip for tip (addresses in
 * network order). Pods are asked from our MAC and the gateway address
 * (vs_route.c), remote VTEPs from our VTEP MAC and underlay address
 * (vs_neigh.c). @return false when m cannot hold it (chained or too
 * small); m is then unchanged.
 */
bool vs_arp_request_build(struct rte_mbuf *m, const struct rte_ether_addr *sha,
		rte_be32_t sip, rte_be32_t tip);

/** Drop packet i of the burst, counting why. */
static inline void
vs_pkt_drop(struct vs_worker *w, struct rte_mbuf *m, struct vs_pkt_meta *pm,
		enum vs_drop why)
{
	vs_ctr_add(&w->drops[why], 1);
	w->free[w->n_free++] = m;
	pm->kind = VS_PK_DONE;
}

/** Free a packet that was handled (an ARP reply we consumed). */
static inline void
vs_pkt_consume(struct vs_worker *w, struct rte_mbuf *m, struct vs_pkt_meta *pm)
{
	w->free[w->n_free++] = m;
	pm->kind = VS_PK_DONE;
}

/* TTL - 1 and the checksum with it (RFC 1624, Linux ip_decrease_ttl). */
static inline void
vs_ttl_decrement(struct rte_ipv4_hdr *ip)
{
	uint32_t check = ip->hdr_checksum;

	check += RTE_BE16(0x0100);
	ip->hdr_checksum = (uint16_t)(check + (check >= 0xffff));
	ip->time_to_live--;
}

static inline void
vs_pkt_out(struct vs_pkt_meta *pm, uint16_t port_id)
{
	pm->kind = VS_PK_TX;
	pm->out_port = port_id;
}

#endif /* NPVS_VS_STAGES_H */
