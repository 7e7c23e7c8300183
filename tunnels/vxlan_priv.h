/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vxlan_priv.h: helpers shared by vxlan_encap.c, vxlan_decap.c and
 * vxlan_mtu.c. Not part of the tunnels/ API.
 */
#ifndef NPVS_VXLAN_PRIV_H
#define NPVS_VXLAN_PRIV_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>

#include "vxlan.h"

/* Packets looked at ahead of the one being processed. */
#define VXLAN_PREFETCH_OFFSET 4

/*
 * Add to a counter of this lcore. Only the owning lcore writes it; the
 * relaxed atomic store (no read-modify-write needed) pairs with the relaxed
 * loads of vxlan_stats_add() on the control thread: no torn values.
 */
static inline void
vxlan_ctr_add(uint64_t *c, uint64_t n)
{
	__atomic_store_n(c, __atomic_load_n(c, __ATOMIC_RELAXED) + n,
			__ATOMIC_RELAXED);
}

/* Count a drop on this lcore and return its result code. */
static inline uint8_t
vxlan_count_drop(struct vxlan_lcore *lc, enum vxlan_drop d)
{
	vxlan_ctr_add(&lc->stats.drop[d], 1);
	return VXLAN_RES_DROP(d);
}

/*
 * The inner IPv4 header of an Ethernet frame, or NULL if the frame is not
 * IPv4 or its fixed 20-byte header is not in the first segment.
 */
static inline const struct rte_ipv4_hdr *
vxlan_inner_ipv4(const struct rte_mbuf *m)
{
	const struct rte_ether_hdr *eth;

	if (rte_pktmbuf_data_len(m) < RTE_ETHER_HDR_LEN + sizeof(struct rte_ipv4_hdr))
		return NULL;
	eth = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	if (eth->ether_type != rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4))
		return NULL;
	return (const struct rte_ipv4_hdr *)(eth + 1);
}

/* True if the frame is IPv4 with the DF bit set. */
static inline bool
vxlan_inner_df(const struct rte_mbuf *m)
{
	const struct rte_ipv4_hdr *ip = vxlan_inner_ipv4(m);

	return ip != NULL &&
		(ip->fragment_offset & rte_cpu_to_be_16(RTE_IPV4_HDR_DF_FLAG));
}

#endif /* NPVS_VXLAN_PRIV_H */
