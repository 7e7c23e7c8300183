/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vxlan.c: the tunnel configuration (defaults, validation) and the names
 * of the drop reasons. Control-thread code; the data path is in
 * vxlan_encap.c and vxlan_decap.c, the MTU handling in vxlan_mtu.c.
 */
#include "vxlan.h"

#include <errno.h>
#include <string.h>

#include "tunnels_log.h"

RTE_LOG_REGISTER(npvs_logtype_tunnels, npvs.tunnels, INFO);

static const char *const drop_names[VXLAN_DROP_MAX] = {
#define VXLAN_DROP_NAME(sym, str) [VXLAN_DROP_##sym] = str,
	VXLAN_DROP_REASONS(VXLAN_DROP_NAME)
#undef VXLAN_DROP_NAME
};

const char *
vxlan_drop_name(enum vxlan_drop d)
{
	if ((unsigned int)d >= VXLAN_DROP_MAX)
		return "?";
	return drop_names[d];
}

void
vxlan_ctx_defaults(struct vxlan_ctx *ctx)
{
	memset(ctx, 0, sizeof(*ctx));
	ctx->udp_port = rte_cpu_to_be_16(VXLAN_PORT_LINUX);
	ctx->vni = VXLAN_VNI_FLANNEL;
	ctx->ttl = VXLAN_TTL_DEFAULT;
	ctx->tos = 0;
	ctx->df = VXLAN_DF_UNSET;
	ctx->udp_csum = false;          /* RFC 7348: SHOULD be zero */
	ctx->underlay_mtu = RTE_ETHER_MTU;
	ctx->src_port_min = VXLAN_SRC_PORT_MIN;
	ctx->src_port_max = VXLAN_SRC_PORT_MAX;
}

/* A MAC we may use as a source: not zero, not multicast/broadcast. */
static bool
mac_is_unicast(const struct rte_ether_addr *a)
{
	return rte_is_valid_assigned_ether_addr(a);
}

int
vxlan_ctx_check(const struct vxlan_ctx *ctx)
{
	if (ctx == NULL)
		return -EINVAL;
	if (ctx->vni > VXLAN_VNI_MAX || ctx->local_ip == 0 ||
			ctx->udp_port == 0 || ctx->ttl == 0)
		return -EINVAL;
	/* 68: the smallest IPv4 MTU (RFC 791); the inner side needs it too. */
	if (ctx->underlay_mtu < 68 + VXLAN_OVERHEAD)
		return -EINVAL;
	if (ctx->src_port_min == 0 || ctx->src_port_min > ctx->src_port_max)
		return -EINVAL;
	if (ctx->df > VXLAN_DF_INHERIT)
		return -EINVAL;
	if (!mac_is_unicast(&ctx->local_mac) || !mac_is_unicast(&ctx->vtep_mac))
		return -EINVAL;
	return 0;
}

static inline uint64_t
ctr_get(const uint64_t *c)
{
	return __atomic_load_n(c, __ATOMIC_RELAXED);
}

void
vxlan_stats_add(struct vxlan_stats *sum, const struct vxlan_lcore *lc)
{
	int i;

	sum->encap += ctr_get(&lc->stats.encap);
	sum->decap += ctr_get(&lc->stats.decap);
	sum->pass += ctr_get(&lc->stats.pass);
	for (i = 0; i < VXLAN_DROP_MAX; i++)
		sum->drop[i] += ctr_get(&lc->stats.drop[i]);
}
