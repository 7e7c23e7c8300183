/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tun_test.h: what the tunnels/ unit tests share: EAL (no hugepages) and a
 * mempool, the test topology's addresses, and a VXLAN frame builder that
 * writes every field from the RFCs (it does not call tunnels/ code, so it
 * can be the reference the decapsulation is checked against).
 *
 * Topology: this node 192.168.50.1 (uplink MAC 02:00:00:00:00:01, VtepMAC
 * 0a:00:00:00:00:01, pods 10.244.1.0/24); the peer 192.168.50.2 (uplink
 * 02:00:00:00:00:02, VtepMAC 0a:00:00:00:00:02, pods 10.244.2.0/24).
 */
#ifndef NPVS_TUN_TEST_H
#define NPVS_TUN_TEST_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdint.h>

#include <cmocka.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>

#include "vxlan.h"

#define TT_LOCAL_IP RTE_IPV4(192, 168, 50, 1)
#define TT_PEER_IP RTE_IPV4(192, 168, 50, 2)
#define TT_GW_IP RTE_IPV4(10, 244, 1, 1)
#define TT_POD_IP RTE_IPV4(10, 244, 1, 5)
#define TT_REMOTE_POD_IP RTE_IPV4(10, 244, 2, 7)

extern const struct rte_ether_addr tt_local_mac;      /* 02:..:01 */
extern const struct rte_ether_addr tt_peer_mac;       /* 02:..:02 */
extern const struct rte_ether_addr tt_local_vtep_mac; /* 0a:..:01 */
extern const struct rte_ether_addr tt_peer_vtep_mac;  /* 0a:..:02 */
extern const struct rte_ether_addr tt_pod_mac;        /* 02:..:aa */
extern const struct rte_ether_addr tt_gw_mac;         /* 02:..:fe */

extern struct rte_mempool *tt_pool;

/*
 * EAL with --no-huge --no-pci --no-shconf -m 256 and a mempool. (DPDK 22.11
 * refuses --in-memory with --no-huge; --no-shconf keeps the no-files part.)
 */
int tt_eal_init(const char *prog);
void tt_eal_fini(void);

/* An mbuf holding a copy of len bytes (fails the test if it cannot). */
struct rte_mbuf *tt_mbuf(const void *bytes, uint32_t len);

/* This node's ctx: defaults, our addresses, UDP checksum as given. */
void tt_ctx(struct vxlan_ctx *ctx, bool udp_csum);

/* The peer as a destination. */
void tt_peer_dst(struct vxlan_dst *d);

/*
 * An inner Ethernet/IPv4/UDP frame of ip_len bytes of IP (>= 28) with the
 * given MACs, addresses, ports and DF; payload bytes 0, 1, 2... Returns
 * the frame length (14 + ip_len). buf must hold it.
 */
uint32_t tt_inner_udp(uint8_t *buf, const struct rte_ether_addr *dst,
		const struct rte_ether_addr *src, uint32_t sip, uint32_t dip,
		uint16_t sport, uint16_t dport, uint16_t ip_len, bool df);

/* UDP checksum choices of the builder. */
enum tt_csum { TT_CSUM_ZERO, TT_CSUM_VALID, TT_CSUM_WRONG };

/* A VXLAN frame to build, field by field (host order values). */
struct tt_vx {
	uint32_t src_ip, dst_ip;
	uint8_t version, ihl;           /* 4, 5; ihl > 5 adds NOP options */
	uint16_t frag;                  /* flags + offset field */
	uint8_t proto;                  /* 17 */
	int tot_delta;                  /* added to the right total length */
	bool ip_csum_wrong;
	uint16_t dport;                 /* 8472 */
	int udp_len_delta;              /* added to the right UDP length */
	enum tt_csum udp_csum;
	uint32_t flags_word;            /* 0x08000000 */
	uint32_t vni_word;              /* VNI << 8 */
	const uint8_t *inner;
	uint32_t inner_len;
	uint32_t cut;                   /* keep only this many bytes, 0: all */
	uint32_t pad;                   /* zero bytes after the IP packet */
};

/* A well-formed frame from the peer to us, VNI 1, around inner. */
void tt_vx_default(struct tt_vx *v, const uint8_t *inner, uint32_t len);

/* Write the frame into buf (room for 2048); returns its length. */
uint32_t tt_vx_build(const struct tt_vx *v, uint8_t *buf);

/* Test groups, each run by test_tunnels.c; return cmocka's failures. */
int tt_run_encap(void);
int tt_run_decap(void);
int tt_run_mtu(void);
int tt_run_vtep(void);

#endif /* NPVS_TUN_TEST_H */
