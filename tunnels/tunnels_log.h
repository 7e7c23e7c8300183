/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tunnels_log.h: the log type of tunnels/ ("npvs.tunnels"), for the
 * control-side code only: the data path counts, it does not log.
 */
#ifndef NPVS_TUNNELS_LOG_H
#define NPVS_TUNNELS_LOG_H

#include <rte_log.h>

extern int npvs_logtype_tunnels;
#define RTE_LOGTYPE_NPVS_TUNNELS npvs_logtype_tunnels

/* On DPDK >= 23.11 this becomes RTE_LOG_LINE (no explicit newline). */
#define TUNNELS_LOG(level, fmt, ...) \
	RTE_LOG(level, NPVS_TUNNELS, fmt "\n", ##__VA_ARGS__)

#endif /* NPVS_TUNNELS_LOG_H */
