/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vxlan_hdr.h: the VXLAN wire format (RFC 7348) over IPv4, as the Linux
 * kernel's vxlan device (and so Flannel's "vxlan" backend) sends it.
 *
 * This file owns the bytes only: header layout, constants and accessors.
 * vxlan.h has the burst functions that write and read these headers;
 * vtep.h the table of remote VTEPs. Nothing here allocates or has state.
 *
 * A VXLAN packet on the underlay (RFC 7348 section 5), 50 bytes of outer
 * headers in front of the inner Ethernet frame:
 *
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |   Outer Ethernet: destination MAC (underlay next hop) ...     |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |   ... destination MAC         |  source MAC (our uplink) ...  |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |   ... source MAC                                              |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |   EtherType = 0x0800 (IPv4)   |Ver=4 | IHL=5 |  ToS          |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |  Total Length (inner + 36)    |      Identification           |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |Flags| Fragment Offset = 0     |  TTL (64)     | Proto = 17    |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |     Header Checksum           |  Source IP (our VTEP) ...     |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |   ... Source IP               |  Destination IP (remote) ...  |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |   ... Destination IP          | UDP Source Port (flow hash)   |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   | UDP Dest Port (8472 / 4789)   |  UDP Length (inner + 16)      |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   | UDP Checksum (0 or valid)     |R|R|R|R|I|R|R|R|   Reserved    |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |   Reserved                    |  VXLAN Network Identifier ... |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |  ... VNI      |   Reserved    |  Inner Ethernet frame ...     |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * The VXLAN header itself (RFC 7348 section 5.1), 8 bytes:
 *
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |R|R|R|R|I|R|R|R|            Reserved                           |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |                VXLAN Network Identifier (VNI) |   Reserved    |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * I (0x08 in the first byte) must be 1; the R bits and Reserved fields
 * are sent as zero and ignored on receipt (RFC 7348; Linux is stricter and
 * drops packets with unknown bits set, see docs/tunnels.md).
 */
#ifndef NPVS_VXLAN_HDR_H
#define NPVS_VXLAN_HDR_H

#include <assert.h>
#include <stdint.h>

#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_udp.h>
#include <rte_vxlan.h>

/** UDP port of the Linux vxlan device and so of Flannel (default). */
#define VXLAN_PORT_LINUX 8472
/** IANA port (RFC 7348), selectable. */
#define VXLAN_PORT_IANA RTE_VXLAN_DEFAULT_PORT
/** Flannel's default VNI (flannel.1). */
#define VXLAN_VNI_FLANNEL 1
/** Largest VNI: 24 bits. */
#define VXLAN_VNI_MAX 0xffffffu

/** The I flag in the first byte of the VXLAN header (host order word). */
#define VXLAN_FLAG_I 0x08000000u

/** Outer UDP source ports: RFC 7348 section 5 recommends 49152-65535. */
#define VXLAN_SRC_PORT_MIN 49152
#define VXLAN_SRC_PORT_MAX 65535

/** Outer TTL when none is configured (Linux: ip4_dst_hoplimit, 64). */
#define VXLAN_TTL_DEFAULT 64

/** Bytes added in front of the inner frame: 14 + 20 + 8 + 8. */
#define VXLAN_OVERHEAD 50
/** Outer IPv4 total length minus inner frame length: 20 + 8 + 8. */
#define VXLAN_OUTER_IP_EXTRA 36
/** UDP length minus inner frame length: 8 + 8. */
#define VXLAN_UDP_EXTRA 16
/** Inner MTU for a given underlay MTU (1500 -> 1450, as flannel.1). */
#define VXLAN_INNER_MTU(underlay_mtu) ((underlay_mtu) - VXLAN_OVERHEAD)

/*
 * All outer headers, as encapsulation writes them (IHL 5, no options).
 * Not packed: the IP, UDP and VXLAN headers are byte-aligned packed
 * structs already, so no padding appears; the static_assert checks it.
 */
struct vxlan_outer {
	struct rte_ether_hdr eth;
	struct rte_ipv4_hdr ip;
	struct rte_udp_hdr udp;
	struct rte_vxlan_hdr vx;
};

static_assert(sizeof(struct vxlan_outer) == VXLAN_OVERHEAD,
	"outer headers must be 50 bytes");
static_assert(sizeof(struct rte_vxlan_hdr) == 8, "VXLAN header is 8 bytes");

/** VNI (host order, 24 bits) of a VXLAN header. */
static inline uint32_t
vxlan_vni_get(const struct rte_vxlan_hdr *h)
{
	return rte_be_to_cpu_32(h->vx_vni) >> 8;
}

/** Write a VNI (host order, only the low 24 bits are used). */
static inline void
vxlan_vni_set(struct rte_vxlan_hdr *h, uint32_t vni)
{
	h->vx_vni = rte_cpu_to_be_32((vni & VXLAN_VNI_MAX) << 8);
}

/** True if the I flag is set (the VNI is valid). */
static inline int
vxlan_flag_i(const struct rte_vxlan_hdr *h)
{
	return (rte_be_to_cpu_32(h->vx_flags) & VXLAN_FLAG_I) != 0;
}

/** Write the flags word as senders must: I set, everything else zero. */
static inline void
vxlan_flags_set(struct rte_vxlan_hdr *h)
{
	h->vx_flags = rte_cpu_to_be_32(VXLAN_FLAG_I);
}

#endif /* NPVS_VXLAN_HDR_H */
