/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ctl_cmds_dp.h: the data-path commands of npvsd (docs/api.md): trace (a
 * synthetic packet through the live policy and connection table), flows
 * (connection-table entries), log (recent denials) and policy_stats
 * (allowed packets per rule, denied packets per endpoint, table figures).
 * Rows in the table of ctl_cmds.c; handlers in ctl_cmds_dp.c.
 *
 * Thread-safety: control thread only (handlers call vs_api.h).
 */
#ifndef NPVS_CTL_CMDS_DP_H
#define NPVS_CTL_CMDS_DP_H

#include "ctl_cmds.h"

ctl_cmd_fn ctl_cmd_trace;
ctl_cmd_fn ctl_cmd_flows;
ctl_cmd_fn ctl_cmd_log;
ctl_cmd_fn ctl_cmd_policy_stats;

#endif /* NPVS_CTL_CMDS_DP_H */
