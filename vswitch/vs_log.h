/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vs_log.h: the vswitch log type, npvs.vswitch (registered in vs_main.c).
 *
 * --log-level='npvs.*:debug' turns on every npvs module. The data path
 * does not log (it counts); only the control thread calls VS_LOG.
 */
#ifndef NPVS_VS_LOG_H
#define NPVS_VS_LOG_H

#include <rte_log.h>

extern int npvs_logtype_vs;
#define RTE_LOGTYPE_NPVS_VS npvs_logtype_vs

/* On DPDK 23.11 and later this becomes RTE_LOG_LINE. */
#define VS_LOG(level, ...) \
	RTE_LOG(level, NPVS_VS, __VA_ARGS__)

#endif /* NPVS_VS_LOG_H */
