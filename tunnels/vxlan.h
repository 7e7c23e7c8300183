/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vxlan.h: VXLAN encapsulation and decapsulation of mbuf bursts, the
 * tunnel MTU check and the ICMP "fragmentation needed" reply it calls for.
 *
 * The data path (vswitch/) calls these from its worker pipeline:
 *   uplink rx -> vxlan_decap_burst() -> classify/conntrack/policy -> route
 *   -> (remote pod subnet) vxlan_encap_burst() -> uplink tx.
 * The wire format is in vxlan_hdr.h, the table of remote VTEPs in vtep.h.
 * docs/tunnels.md explains the choices (Linux/Flannel interoperability).
 *
 * Shape of every burst function: (ctx, lc, pkts, ..., n, res[]) -> count.
 * - ctx is a const struct vxlan_ctx, built by the control thread and
 *   published read-only (vswitch keeps it in its RCU snapshot);
 * - lc is the calling lcore's own struct vxlan_lcore (counters, IP ID);
 * - res[i] says what happened to pkts[i]: VXLAN_RES_OK, VXLAN_RES_PASS
 *   or VXLAN_RES_DROP(reason). Packets stay in place in pkts[] (the
 *   "nexts[]" style of VPP): the caller sends, hands on or frees each one
 *   according to res[i]. The functions never free, allocate or lock.
 * - the return value is the number of packets with VXLAN_RES_OK.
 *
 * Thread-safety: the burst functions may run on any number of lcores at
 * once, each with its own struct vxlan_lcore, over a shared const ctx.
 * vxlan_ctx_defaults()/vxlan_ctx_check() are for the control thread.
 */
#ifndef NPVS_VXLAN_H
#define NPVS_VXLAN_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_common.h>
#include <rte_ether.h>
#include <rte_mbuf.h>

#include "vxlan_hdr.h"

struct vtep_table;

/**
 * Why a packet was dropped (X-macro: the enum and the names for
 * `npvsctl stats` come from this one list). Encapsulation reasons first.
 */
#define VXLAN_DROP_REASONS(X) \
	X(ENC_SHORT, "vxlan_encap_short")          /* inner frame < 14 B */ \
	X(NO_HEADROOM, "vxlan_no_headroom")        /* < 50 B headroom */ \
	X(TOO_BIG_DF, "vxlan_too_big_df")          /* send ICMP frag needed */ \
	X(TOO_BIG, "vxlan_too_big")                /* not IPv4 (IPv4: fragmented) */ \
	X(TRUNC_OUTER, "vxlan_truncated_outer")    /* IP+UDP header cut off */ \
	X(TRUNC_VXLAN, "vxlan_truncated_vxlan")    /* VXLAN header cut off */ \
	X(BAD_IP_HLEN, "vxlan_bad_ip_hlen")        /* version != 4 or IHL < 5 */ \
	X(BAD_IP_LEN, "vxlan_bad_ip_len")          /* total length vs frame */ \
	X(IP_FRAGMENT, "vxlan_ip_fragment")        /* outer first fragment */ \
	X(BAD_IP_CSUM, "vxlan_bad_ip_csum") \
	X(BAD_UDP_LEN, "vxlan_bad_udp_len")        /* UDP length != IP payload */ \
	X(BAD_UDP_CSUM, "vxlan_bad_udp_csum")      /* nonzero and wrong */ \
	X(BAD_FLAGS, "vxlan_bad_flags")            /* I flag not set */ \
	X(BAD_VNI, "vxlan_bad_vni") \
	X(INNER_SHORT, "vxlan_inner_short")        /* inner Eth/IP/ARP cut off */ \
	X(INNER_ETHERTYPE, "vxlan_inner_ethertype") /* not IPv4 or ARP */ \
	X(INNER_DST_MAC, "vxlan_inner_dst_mac")    /* not our VtepMAC */ \
	X(INNER_LOOP, "vxlan_inner_src_is_us")     /* inner src = our VtepMAC */ \
	X(UNKNOWN_VTEP, "vxlan_unknown_vtep")      /* source not in ctx->vteps */

enum vxlan_drop {
#define VXLAN_DROP_ENUM(sym, str) VXLAN_DROP_##sym,
	VXLAN_DROP_REASONS(VXLAN_DROP_ENUM)
#undef VXLAN_DROP_ENUM
	VXLAN_DROP_MAX
};

/** Name of a drop reason ("vxlan_bad_vni"), or "?" if out of range. */
const char *vxlan_drop_name(enum vxlan_drop d);

/* Per-packet results of a burst (uint8_t res[]). */
#define VXLAN_RES_OK 0          /**< encapsulated / decapsulated */
#define VXLAN_RES_PASS 1        /**< decap: not VXLAN for us, untouched */
#define VXLAN_RES_DROP(d) ((uint8_t)(2 + (d)))  /**< dropped for reason d */

static_assert(VXLAN_DROP_MAX + 2 <= UINT8_MAX, "results fit in a byte");

/** True if res says "drop" (the caller frees the packet). */
static inline bool
vxlan_res_is_drop(uint8_t res)
{
	return res >= VXLAN_RES_DROP(0);
}

/** The drop reason of a drop result. */
static inline enum vxlan_drop
vxlan_res_reason(uint8_t res)
{
	return (enum vxlan_drop)(res - VXLAN_RES_DROP(0));
}

/** Outer DF bit, as the Linux vxlan device's "df" option. */
enum vxlan_df {
	VXLAN_DF_UNSET = 0,     /**< never set (Linux default) */
	VXLAN_DF_SET,           /**< always set */
	VXLAN_DF_INHERIT,       /**< copied from an inner IPv4 header */
};

/**
 * Tunnel configuration of this node. Built by the control thread, then
 * read-only; every lcore reads the same one.
 */
struct vxlan_ctx {
	/* hot: every packet */
	rte_be32_t local_ip;            /**< our VTEP (underlay) IPv4 */
	rte_be16_t udp_port;            /**< VXLAN destination port */
	uint8_t ttl;                    /**< outer TTL (64) */
	uint8_t tos;                    /**< outer ToS (0) */
	struct rte_ether_addr local_mac; /**< our uplink MAC: outer source */
	struct rte_ether_addr vtep_mac; /**< our VtepMAC: inner src on encap,
					  *  the only inner dst on decap */
	uint32_t vni;                   /**< VNI decap accepts (1) */
	uint16_t underlay_mtu;          /**< uplink IP MTU (1500) */
	uint16_t src_port_min;          /**< outer UDP source range, */
	uint16_t src_port_max;          /**< inclusive (49152..65535) */
	uint8_t df;                     /**< enum vxlan_df */
	bool udp_csum;                  /**< compute outer UDP checksum;
					  *  false: send 0 (RFC 7348, IPv4) */
	/* optional */
	const struct vtep_table *vteps; /**< decap: if set, drop packets whose
					  *  outer source is not a known VTEP */
};

/**
 * Fill ctx with the defaults: those of Flannel on Linux (port 8472, VNI 1,
 * TTL 64, ToS 0, DF unset, underlay MTU 1500), source ports 49152..65535
 * (RFC 7348), and an outer UDP checksum of zero (RFC 7348: it SHOULD be
 * sent as zero; Linux sends one by default, and accepts both; set
 * udp_csum to match it). local_ip, local_mac and vtep_mac are left zero:
 * the caller sets them.
 */
void vxlan_ctx_defaults(struct vxlan_ctx *ctx);

/**
 * Check a ctx before publishing it.
 * @return 0, or -EINVAL if a field is out of range (VNI > 2^24 - 1,
 *   local_ip 0, port 0, TTL 0, MTU < 68 + 50, min > max source port,
 *   bad df, or a vtep_mac/local_mac that is zero or multicast).
 */
int vxlan_ctx_check(const struct vxlan_ctx *ctx);

/** Counters of one lcore; only that lcore writes them. */
struct vxlan_stats {
	uint64_t encap;                 /**< packets encapsulated */
	uint64_t decap;                 /**< packets decapsulated */
	uint64_t pass;                  /**< decap: not VXLAN, handed back */
	uint64_t drop[VXLAN_DROP_MAX];  /**< by reason */
};

/**
 * Per-lcore tunnel state: give each worker its own, zeroed.
 * Thread-safety: written only by its lcore (counters with relaxed atomic
 * stores); other threads read the counters with vxlan_stats_add().
 */
struct vxlan_lcore {
	struct vxlan_stats stats;
	uint16_t ip_id;                 /**< next outer IPv4 Identification */
} __rte_cache_aligned;

/**
 * Add one lcore's counters into sum (relaxed atomic loads), for `stats
 * show` on the control thread while the lcore runs. Clear by keeping a
 * baseline and subtracting it; never write another lcore's counters.
 */
void vxlan_stats_add(struct vxlan_stats *sum, const struct vxlan_lcore *lc);

/** Where one packet goes: everything encapsulation needs per packet. */
struct vxlan_dst {
	rte_be32_t ip;                  /**< remote VTEP (public) IP: outer dst */
	uint32_t vni;                   /**< VNI to send with (host order) */
	struct rte_ether_addr mac;      /**< underlay next-hop MAC: outer dst */
	struct rte_ether_addr vtep_mac; /**< remote VtepMAC: inner dst */
};

/**
 * Encapsulate a burst. pkts[i] holds an inner Ethernet frame (already
 * routed: the caller has decremented the inner TTL); it goes to dst[i].
 * On success the mbuf holds the outer frame, ready for the uplink: inner
 * dst MAC = dst[i]->vtep_mac, inner src MAC = ctx->vtep_mac, outer headers
 * as vxlan_hdr.h draws them, IP checksum (and the UDP checksum if
 * ctx->udp_csum) computed in software, TX offload flags cleared.
 *
 * Rejected packets are untouched and counted:
 * - VXLAN_DROP_TOO_BIG_DF: an IPv4 packet with DF that does not fit the
 *   underlay MTU: answer with vxlan_frag_needed(), then free it;
 * - VXLAN_DROP_TOO_BIG, not IPv4: free it;
 * - VXLAN_DROP_TOO_BIG, IPv4 without DF: NOT counted: the caller
 *   fragments it to VXLAN_INNER_MTU(ctx->underlay_mtu) and encapsulates
 *   the fragments (vswitch/vs_tunnel_dp.c), or counts its own drop;
 *   the outer packet is never fragmented;
 * - VXLAN_DROP_NO_HEADROOM, VXLAN_DROP_ENC_SHORT: free it.
 *
 * @param dst per-packet destinations (may repeat the same pointer).
 * @param res out: one result per packet.
 * @return the number of packets encapsulated.
 * Lcore-safe with a per-lcore lc; no allocation, no locks.
 */
uint16_t vxlan_encap_burst(const struct vxlan_ctx *ctx,
		struct vxlan_lcore *lc, struct rte_mbuf **pkts,
		const struct vxlan_dst *const *dst, uint16_t n, uint8_t *res);

/**
 * Decapsulate a burst received on the uplink. A packet is VXLAN for us
 * when it is IPv4 to ctx->local_ip, UDP, to ctx->udp_port; then:
 * - valid: the outer headers are stripped (the inner Ethernet frame starts
 *   at the mbuf data, trailing padding trimmed), remote_ip[i] = the outer
 *   source IP (the remote VTEP), res[i] = VXLAN_RES_OK;
 * - malformed or not for us: res[i] = VXLAN_RES_DROP(reason), untouched.
 * Anything else (ARP, other IP traffic, other UDP ports, non-first
 * fragments): res[i] = VXLAN_RES_PASS, untouched: handle it as before.
 * Outer headers (Ethernet, IP, UDP, VXLAN, inner Ethernet) must be in the
 * first segment; the UDP checksum is checked over all segments.
 *
 * Checksums: outer IP and (when nonzero) UDP checksums are verified in
 * software unless the PMD marked them GOOD or BAD in ol_flags.
 *
 * @param remote_ip out, may be NULL: outer source of each OK packet.
 * @return the number of packets decapsulated.
 * Lcore-safe with a per-lcore lc; no allocation, no locks.
 */
uint16_t vxlan_decap_burst(const struct vxlan_ctx *ctx,
		struct vxlan_lcore *lc, struct rte_mbuf **pkts, uint16_t n,
		uint8_t *res, rte_be32_t *remote_ip);

/** Result of vxlan_mtu_check(). */
enum vxlan_mtu {
	VXLAN_MTU_OK = 0,               /**< fits the underlay MTU */
	VXLAN_MTU_TOO_BIG_DF,           /**< IPv4 with DF: send frag needed */
	VXLAN_MTU_TOO_BIG,              /**< too big, no DF (or not IPv4): drop */
};

/**
 * Would this inner frame fit the tunnel? The outer IP packet is the inner
 * frame + 36 bytes, i.e. an inner IPv4 packet + 50; it must not exceed
 * ctx->underlay_mtu. vxlan_encap_burst() calls this itself.
 */
enum vxlan_mtu vxlan_mtu_check(const struct vxlan_ctx *ctx,
		const struct rte_mbuf *m);

/** Largest ICMP error we build (RFC 1812 4.3.2.3: 576 bytes of IP). */
#define VXLAN_ICMP_MAX_IP 576

/**
 * Build an ICMP "destination unreachable, fragmentation needed" (type 3,
 * code 4, RFC 792/1191) answering orig, whose inner IPv4 packet was too
 * big for the tunnel (res VXLAN_DROP_TOO_BIG_DF). The reply is a complete
 * Ethernet frame for the port orig came from: Ethernet dst = orig's source
 * MAC, src = gw_mac; IPv4 from gw_ip (the pod gateway address) to orig's
 * source, TTL 64, ToS 0xc0; next-hop MTU = ctx->underlay_mtu - 50; it
 * quotes as much of orig's IP packet as fits in 576 bytes (and in reply).
 *
 * Call it before orig's Ethernet header is rewritten (encap leaves
 * rejected packets untouched). orig is not modified or freed.
 * @param reply an empty mbuf the caller took from its mempool (reset).
 * @return 0, -EINVAL if no ICMP error may be sent about orig (not IPv4,
 *   truncated, an ICMP error itself, a non-first fragment, or a source
 *   address that is zero, multicast, broadcast or loopback; RFC 1122
 *   3.2.2), or -ENOSPC if reply cannot hold the minimum (IP hdr + 8 B).
 * Lcore-safe; no allocation.
 */
int vxlan_frag_needed(const struct vxlan_ctx *ctx, const struct rte_mbuf *orig,
		rte_be32_t gw_ip, const struct rte_ether_addr *gw_mac,
		struct rte_mbuf *reply);

/**
 * The same ICMP "fragmentation needed" for any link: next-hop MTU mtu,
 * Ethernet destination dst_mac (NULL: orig's source MAC, as
 * vxlan_frag_needed; the switch passes the sender's MAC when orig's
 * Ethernet header was already rewritten for its next hop). Same returns.
 * Lcore-safe; no allocation.
 */
int vxlan_icmp_frag_needed(const struct rte_mbuf *orig, uint16_t mtu,
		rte_be32_t gw_ip, const struct rte_ether_addr *gw_mac,
		const struct rte_ether_addr *dst_mac, struct rte_mbuf *reply);

#endif /* NPVS_VXLAN_H */
