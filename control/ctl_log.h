/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ctl_log.h: the log type of the control socket and commands, npvs.ctl
 * (--log-level='npvs.ctl:debug'). Registered in ctl_server.c.
 */
#ifndef NPVS_CTL_LOG_H
#define NPVS_CTL_LOG_H

#include <rte_log.h>

extern int npvs_logtype_ctl;
#define RTE_LOGTYPE_NPVS_CTL npvs_logtype_ctl

/** CTL_LOG(ERR, "fmt", ...): one line, the newline is added. */
#define CTL_LOG(level, fmt, ...) \
	RTE_LOG(level, NPVS_CTL, "ctl: " fmt "\n", ##__VA_ARGS__)

#endif /* NPVS_CTL_LOG_H */
