/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vs_runs.h: runs of one flow's packets in a burst (vs_runs.c): the
 * checks the parse stage makes on every packet (vs_pipeline.c), inline.
 *
 * A run's first packet (its leader) must be parsed IPv4 with a 20-byte
 * header, no fragment, TCP or UDP. A later packet follows it when its
 * frame is long enough and holds the same words as the leader's (the
 * MACs and ethertype, version and header length, fragment field, TTL and
 * protocol, addresses and ports: all that a stage reads of it), a total
 * length that fits its frame, and an L4 header that is whole and
 * consistent, with the leader's TCP flags: then no stage can decide
 * differently for it. The leader's frame is compared as it is in the
 * burst: nothing writes to frames before route.
 *
 * Thread-safety: worker lcores; see vs_stages.h.
 */
#ifndef NPVS_VS_RUNS_H
#define NPVS_VS_RUNS_H

#include <netinet/in.h>
#include <string.h>

#include <rte_ip.h>
#include <rte_tcp.h>
#include <rte_udp.h>

#include "vs_stages.h"

#define VS_RUN_ETH 14                   /* Ethernet header */
#define VS_RUN_L4 (VS_RUN_ETH + 20)     /* L4 header: no IP options */

/** The run being followed: its first packet (the leader). */
struct vs_run_lead {
	const uint8_t *d;       /* its frame */
	uint16_t dlen;          /* its first segment's length */
	int8_t idx;             /* its index in the burst; -1: no run open */
	int8_t ok;              /* may lead: -1 not checked yet, 0 no, 1 yes */
};

static inline uint64_t
vs_run_ld64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static inline uint32_t
vs_run_ld32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

/** Packet i (parsed, meta pm) opens a run, unless it is not IPv4. */
static inline void
vs_run_lead_set(struct vs_run_lead *l, const struct rte_mbuf *m,
		const struct vs_pkt_meta *pm, uint16_t i)
{
	l->idx = -1;
	if (pm->kind != VS_PK_IP4)
		return;
	l->d = rte_pktmbuf_mtod(m, const uint8_t *);
	l->dlen = rte_pktmbuf_data_len(m);
	l->idx = (int8_t)i;
	l->ok = -1;             /* checked at its first candidate follower */
}

/* May the leader lead at all: a 20-byte IPv4 header, no fragment, TCP or
 * UDP, a TCP header's worth of frame past the IPv4 header. */
static inline bool
vs_run_lead_ok(const struct vs_run_lead *l)
{
	const struct rte_ipv4_hdr *ip = (const void *)(l->d + VS_RUN_ETH);

	return l->dlen >= VS_RUN_L4 + sizeof(struct rte_tcp_hdr) &&
		ip->version_ihl == RTE_IPV4_VHL_DEF &&
		(ip->fragment_offset & RTE_BE16(RTE_IPV4_HDR_MF_FLAG |
			RTE_IPV4_HDR_OFFSET_MASK)) == 0 &&
		(ip->next_proto_id == IPPROTO_UDP ||
		 ip->next_proto_id == IPPROTO_TCP);
}

/**
 * Does m follow the run l leads? (Everything parse would check of it.)
 * What differs most often between packets of a burst, the addresses and
 * ports, is compared first.
 */
static inline bool
vs_run_follows(struct vs_run_lead *l, const struct rte_mbuf *m)
{
	const uint8_t *d = rte_pktmbuf_mtod(m, const uint8_t *);
	const uint8_t *ld = l->d;
	uint32_t dlen = rte_pktmbuf_data_len(m), tot, l4len, avail, len;

	/* as long as a leader's frame must be, for the word compares */
	if (dlen < VS_RUN_L4 + sizeof(struct rte_tcp_hdr))
		return false;
	/* 26..37: source and destination address, ports */
	if (((vs_run_ld64(d + 26) ^ vs_run_ld64(ld + 26)) |
			(vs_run_ld32(d + 34) ^ vs_run_ld32(ld + 34))) != 0)
		return false;
	if (l->ok < 0)
		l->ok = vs_run_lead_ok(l);
	if (!l->ok)
		return false;
	/* 0..13: MACs, ethertype; 14: version and header length; 20..23:
	 * fragment field, TTL, protocol; TCP flags */
	if (((vs_run_ld64(d) ^ vs_run_ld64(ld)) |
			(vs_run_ld64(d + 6) ^ vs_run_ld64(ld + 6))) != 0 ||
			(vs_run_ld32(d + 20) ^ vs_run_ld32(ld + 20)) != 0 ||
			d[VS_RUN_ETH] != ld[VS_RUN_ETH])
		return false;
	/* parse: total length between the header's and the frame's */
	tot = rte_be_to_cpu_16(((const struct rte_ipv4_hdr *)
			(d + VS_RUN_ETH))->total_length);
	if (tot < 20 || tot > rte_pktmbuf_pkt_len(m) - VS_RUN_ETH)
		return false;
	/* conntrack: the L4 header whole and consistent */
	l4len = tot - 20;
	avail = RTE_MIN(dlen - VS_RUN_L4, l4len);
	if (d[VS_RUN_ETH + 9] == IPPROTO_UDP) {
		const struct rte_udp_hdr *u = (const void *)(d + VS_RUN_L4);

		len = rte_be_to_cpu_16(u->dgram_len);
		return avail >= sizeof(*u) && len >= sizeof(*u) &&
				len <= l4len;
	}
	{
		const struct rte_tcp_hdr *t = (const void *)(d + VS_RUN_L4);
		const struct rte_tcp_hdr *lt = (const void *)(ld + VS_RUN_L4);

		len = (uint32_t)(t->data_off >> 4) * 4;
		return avail >= sizeof(*t) && t->tcp_flags == lt->tcp_flags &&
				len >= sizeof(*t) && len <= l4len;
	}
}

#endif /* NPVS_VS_RUNS_H */
