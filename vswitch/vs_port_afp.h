/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vs_port_afp.h: af_packet port specifics (vs_port_afp.c) for vs_port.c.
 *
 * Thread-safety: control thread only.
 */
#ifndef NPVS_VS_PORT_AFP_H
#define NPVS_VS_PORT_AFP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vs_priv.h"

/** Frame size, truncation threshold and tx_max (MTU + 14) of a new port
 *  (not probed yet). */
void vs_port_afp_init(struct vs_port *p);

/** max_frame and mtu of spec: each 0, or an afpacket port's max_frame,
 *  a vhost port's mtu, within its bounds (vs_api.h). */
int vs_port_afp_check(const struct vs_port_spec *spec, char *err,
		size_t errlen);

/** The devargs max_frame adds (",framesz=..,blocksz=.." or ""). */
int vs_port_afp_devargs(const struct vs_port *p, char *buf, size_t size);

/** The port's own mempool when it has a max_frame (p->pool). */
int vs_port_afp_pool(struct vs *vs, struct vs_port *p, char *err,
		size_t errlen);

/** The port is closed: its mempool waits for its mbufs (reclaim). */
void vs_port_afp_retire(struct vs *vs, struct vs_port *p);

/**
 * Free retired mempools whose mbufs are all back, a grace period after
 * that was first seen (housekeeping); all: free every one (shutdown, the
 * workers stopped).
 */
void vs_port_afp_reclaim(struct vs *vs, bool all);

/**
 * Log (rate-limited, per port) the packets the port's frame size cut
 * since the last line. now: TSC. No-op for other port types.
 */
void vs_port_trunc_check(struct vs *vs, struct vs_port *p, uint64_t now);

#endif /* NPVS_VS_PORT_AFP_H */
