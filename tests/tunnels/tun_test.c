/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tun_test.c: EAL, mempool and frame builders for the tunnels/ tests.
 * The builders follow RFC 791/768/7348 field by field; checksums come from
 * DPDK's rte_ipv4_cksum()/rte_ipv4_udptcp_cksum(), not from tunnels/.
 */
#include "tun_test.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_udp.h>
#include <rte_vxlan.h>

const struct rte_ether_addr tt_local_mac = {{ 0x02, 0, 0, 0, 0, 0x01 }};
const struct rte_ether_addr tt_peer_mac = {{ 0x02, 0, 0, 0, 0, 0x02 }};
const struct rte_ether_addr tt_local_vtep_mac = {{ 0x0a, 0, 0, 0, 0, 0x01 }};
const struct rte_ether_addr tt_peer_vtep_mac = {{ 0x0a, 0, 0, 0, 0, 0x02 }};
const struct rte_ether_addr tt_pod_mac = {{ 0x02, 0, 0, 0, 0, 0xaa }};
const struct rte_ether_addr tt_gw_mac = {{ 0x02, 0, 0, 0, 0, 0xfe }};

struct rte_mempool *tt_pool;

int
tt_eal_init(const char *prog)
{
	char prefix[64];
	char *argv[] = {
		(char *)prog, "--no-huge", "--no-pci", "--no-shconf",
		"-m", "256", "-l", "0", "--no-telemetry",
		"--log-level=error", prefix,
	};
	int argc = RTE_DIM(argv);

	snprintf(prefix, sizeof(prefix), "--file-prefix=test-tun-%d",
			(int)getpid());
	if (rte_eal_init(argc, argv) < 0)
		return -1;
	tt_pool = rte_pktmbuf_pool_create("tt_pool", 1023, 0, 0,
			RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
	return tt_pool != NULL ? 0 : -1;
}

void
tt_eal_fini(void)
{
	char dir[PATH_MAX];

	/* EAL leaves its (empty) runtime directory behind: remove ours. */
	snprintf(dir, sizeof(dir), "%s", rte_eal_get_runtime_dir());
	rte_mempool_free(tt_pool);
	rte_eal_cleanup();
	rmdir(dir);
}

struct rte_mbuf *
tt_mbuf(const void *bytes, uint32_t len)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(tt_pool);
	char *p;

	assert_non_null(m);
	p = rte_pktmbuf_append(m, len);
	assert_non_null(p);
	memcpy(p, bytes, len);
	return m;
}

void
tt_ctx(struct vxlan_ctx *ctx, bool udp_csum)
{
	vxlan_ctx_defaults(ctx);
	ctx->local_ip = rte_cpu_to_be_32(TT_LOCAL_IP);
	ctx->local_mac = tt_local_mac;
	ctx->vtep_mac = tt_local_vtep_mac;
	ctx->udp_csum = udp_csum;
}

void
tt_peer_dst(struct vxlan_dst *d)
{
	memset(d, 0, sizeof(*d));
	d->ip = rte_cpu_to_be_32(TT_PEER_IP);
	d->vni = 1;
	d->mac = tt_peer_mac;
	d->vtep_mac = tt_peer_vtep_mac;
}

uint32_t
tt_inner_udp(uint8_t *buf, const struct rte_ether_addr *dst,
		const struct rte_ether_addr *src, uint32_t sip, uint32_t dip,
		uint16_t sport, uint16_t dport, uint16_t ip_len, bool df)
{
	struct rte_ether_hdr *eth = (struct rte_ether_hdr *)buf;
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(eth + 1);
	struct rte_udp_hdr *udp = (struct rte_udp_hdr *)(ip + 1);
	uint8_t *pl = (uint8_t *)(udp + 1);
	uint16_t i;

	eth->dst_addr = *dst;
	eth->src_addr = *src;
	eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	memset(ip, 0, sizeof(*ip));
	ip->version_ihl = 0x45;
	ip->total_length = rte_cpu_to_be_16(ip_len);
	ip->packet_id = rte_cpu_to_be_16(7);
	ip->fragment_offset = rte_cpu_to_be_16(df ? 0x4000 : 0);
	ip->time_to_live = 63;
	ip->next_proto_id = IPPROTO_UDP;
	ip->src_addr = rte_cpu_to_be_32(sip);
	ip->dst_addr = rte_cpu_to_be_32(dip);
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	udp->src_port = rte_cpu_to_be_16(sport);
	udp->dst_port = rte_cpu_to_be_16(dport);
	udp->dgram_len = rte_cpu_to_be_16(ip_len - 20);
	udp->dgram_cksum = 0;
	for (i = 0; i < ip_len - 28; i++)
		pl[i] = (uint8_t)i;
	return RTE_ETHER_HDR_LEN + ip_len;
}

void
tt_vx_default(struct tt_vx *v, const uint8_t *inner, uint32_t len)
{
	memset(v, 0, sizeof(*v));
	v->src_ip = TT_PEER_IP;
	v->dst_ip = TT_LOCAL_IP;
	v->version = 4;
	v->ihl = 5;
	v->proto = IPPROTO_UDP;
	v->dport = 8472;
	v->udp_csum = TT_CSUM_ZERO;
	v->flags_word = 0x08000000;
	v->vni_word = 1 << 8;
	v->inner = inner;
	v->inner_len = len;
}

/* Outer Ethernet + IPv4 header (with NOP options past IHL 5). */
static uint8_t *
build_ip(const struct tt_vx *v, uint8_t *buf, struct rte_ipv4_hdr **ipp)
{
	struct rte_ether_hdr *eth = (struct rte_ether_hdr *)buf;
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(eth + 1);
	uint32_t hlen = v->ihl * 4u;
	uint32_t tot = hlen + 8 + 8 + v->inner_len + v->tot_delta;

	eth->dst_addr = tt_local_mac;
	eth->src_addr = tt_peer_mac;
	eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	memset(ip, 0, sizeof(*ip));
	if (hlen > sizeof(*ip))
		memset(ip + 1, 1, hlen - sizeof(*ip));     /* NOP options */
	ip->version_ihl = (uint8_t)(v->version << 4 | v->ihl);
	ip->total_length = rte_cpu_to_be_16((uint16_t)tot);
	ip->packet_id = rte_cpu_to_be_16(0x4242);
	ip->fragment_offset = rte_cpu_to_be_16(v->frag);
	ip->time_to_live = 64;
	ip->next_proto_id = v->proto;
	ip->src_addr = rte_cpu_to_be_32(v->src_ip);
	ip->dst_addr = rte_cpu_to_be_32(v->dst_ip);
	*ipp = ip;
	return buf + RTE_ETHER_HDR_LEN + (hlen >= 20 ? hlen : 20);
}

uint32_t
tt_vx_build(const struct tt_vx *v, uint8_t *buf)
{
	struct rte_ipv4_hdr *ip;
	uint8_t *l4 = build_ip(v, buf, &ip);
	struct rte_udp_hdr *udp = (struct rte_udp_hdr *)l4;
	struct rte_vxlan_hdr *vx = (struct rte_vxlan_hdr *)(udp + 1);
	uint32_t len = (uint32_t)(l4 - buf) + 16 + v->inner_len;

	udp->src_port = rte_cpu_to_be_16(50000);
	udp->dst_port = rte_cpu_to_be_16(v->dport);
	udp->dgram_len = rte_cpu_to_be_16(16 + v->inner_len + v->udp_len_delta);
	udp->dgram_cksum = 0;
	vx->vx_flags = rte_cpu_to_be_32(v->flags_word);
	vx->vx_vni = rte_cpu_to_be_32(v->vni_word);
	memcpy(vx + 1, v->inner, v->inner_len);
	memset(buf + len, 0, v->pad);

	/* Checksums last, over what is really there. */
	if (v->udp_csum != TT_CSUM_ZERO) {
		udp->dgram_cksum = rte_ipv4_udptcp_cksum(ip, udp);
		if (v->udp_csum == TT_CSUM_WRONG)
			udp->dgram_cksum ^= rte_cpu_to_be_16(0x0101);
	}
	if (v->ihl >= 5)
		ip->hdr_checksum = rte_ipv4_cksum(ip);
	if (v->ip_csum_wrong)
		ip->hdr_checksum ^= rte_cpu_to_be_16(0x0001);
	len += v->pad;
	return v->cut != 0 && v->cut < len ? v->cut : len;
}
