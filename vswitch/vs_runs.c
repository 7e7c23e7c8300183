/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vs_runs.c: runs of one flow's packets in a burst.
 *
 * A pod that sends fast sends bursts of one flow (a TCP window, a UDP
 * stream, testpmd's txonly): every packet of such a run takes the same
 * decisions as the first, in every stage. The parse stage marks a packet
 * that is, in everything a stage reads of it, the same as its run's first
 * packet (its leader) as a follower (vs_runs.h says exactly what is
 * compared), and parses nothing more of it.
 *
 * When a burst has followers, the stages from lookup to route run on the
 * other packets alone (vs_runs_compact: their mbufs in w->lp, their meta
 * moved to the front; vs_runs_expand puts them back). Then
 * (vs_runs_finish) a leader the route stage forwarded the ordinary way
 * (pm->fast: to a local endpoint, MACs rewritten, TTL decremented) takes
 * its followers along: each gets the leader's MACs and its own TTL - 1
 * (checksum updated), goes out on the same port in its place in the burst
 * (the order is kept), and is added to the leader's connection-table
 * entry and rule counters; moving the TCP state machine on a follower
 * would not move it further (it moves on direction and flags only).
 * Followers of any other leader (dropped, denied, turned into an ARP
 * request, sent into a tunnel) go through every stage again as a burst of
 * their own after this one, so each such case stays exactly what it is
 * packet by packet.
 *
 * Thread-safety: worker lcores; see vs_stages.h.
 */
#include <string.h>

#include <rte_ether.h>
#include <rte_ip.h>

#include "vs_runs.h"

uint16_t
vs_runs_compact(struct vs_worker *w, uint16_t n, struct rte_mbuf **pkts)
{
	uint16_t i, j = 0;

	for (i = 0; i < n; i++) {
		if (w->fol_mask & (1u << i))
			continue;
		w->lp[j] = pkts[i];
		w->lorig[j] = (uint8_t)i;
		if (j != i)
			w->meta[j] = w->meta[i];
		j++;
	}
	return j;
}

void
vs_runs_expand(struct vs_worker *w, uint16_t nl, struct rte_mbuf **pkts)
{
	uint32_t m = w->fol_mask;
	uint16_t j;

	/* backwards: a leader's place is at or after its compacted one */
	for (j = nl; j-- > 0;) {
		pkts[w->lorig[j]] = w->lp[j];   /* a stage may replace it */
		if (w->lorig[j] != j)
			w->meta[w->lorig[j]] = w->meta[j];
	}
	for (; m != 0; m &= m - 1)
		w->meta[__builtin_ctz(m)].kind = VS_PK_FOLLOW;
}

/* A forwarded leader's followers so far: into its entry's counters. */
static inline void
run_count(struct vs_worker *w, int lead, uint32_t cnt, uint64_t bytes)
{
	const struct vs_pkt_meta *lpm;

	if (lead < 0 || cnt == 0)
		return;
	lpm = &w->meta[lead];
	if (lpm->ct_pos >= 0)
		vs_ct_run_add(w, lpm->ct_pos, lpm->ct_dir, cnt, bytes);
}

void
vs_runs_finish(struct vs_worker *w, struct rte_mbuf **pkts)
{
	uint32_t m = w->fol_mask, cnt = 0;
	uint64_t bytes = 0;
	int cur = -1;           /* the leader being counted */

	w->n_slow = 0;
	for (; m != 0; m &= m - 1) {
		unsigned int i = (unsigned int)__builtin_ctz(m);
		struct vs_pkt_meta *pm = &w->meta[i];
		uint8_t lead = w->lead[i];
		const struct vs_pkt_meta *lpm = &w->meta[lead];
		struct rte_ether_hdr *e;

		if (lpm->kind != VS_PK_TX || !lpm->fast) {
			/* through the stages after this burst; tx skips it */
			w->slow[w->n_slow++] = pkts[i];
			continue;
		}
		if (lead != cur) {
			run_count(w, cur, cnt, bytes);
			cur = lead;
			cnt = 0;
			bytes = 0;
		}
		e = rte_pktmbuf_mtod(pkts[i], void *);
		/* destination and source MAC: the leader's, rewritten */
		memcpy(e, rte_pktmbuf_mtod(pkts[lead], const void *),
				2 * RTE_ETHER_ADDR_LEN);
		vs_ttl_decrement((struct rte_ipv4_hdr *)(e + 1));
		vs_pkt_out(pm, lpm->out_port);
		cnt++;
		bytes += pkts[i]->pkt_len;
	}
	run_count(w, cur, cnt, bytes);
}
