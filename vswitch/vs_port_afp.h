/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vs_port_afp.h: af_packet port specifics (vs_port_afp.c) for vs_port.c.
 *
 * Thread-safety: control thread only.
 */
#ifndef NPVS_VS_PORT_AFP_H
#define NPVS_VS_PORT_AFP_H

#include <stdint.h>

#include "vs_priv.h"

/** Frame size and truncation threshold of a new port (not probed yet). */
void vs_port_afp_init(struct vs_port *p);

/**
 * Log (rate-limited, per port) the packets the port's frame size cut
 * since the last line. now: TSC. No-op for other port types.
 */
void vs_port_trunc_check(struct vs *vs, struct vs_port *p, uint64_t now);

#endif /* NPVS_VS_PORT_AFP_H */
