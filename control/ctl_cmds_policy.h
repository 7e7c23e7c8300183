/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ctl_cmds_policy.h: the cluster-state commands of npvsd (docs/api.md):
 * apply, delete and get, over the object store of ctl_store.h. Their rows
 * are in the command table of ctl_cmds.c.
 *
 * Thread-safety: control thread only.
 */
#ifndef NPVS_CTL_CMDS_POLICY_H
#define NPVS_CTL_CMDS_POLICY_H

#include "ctl_cmds.h"

struct ctl_store;

ctl_cmd_fn ctl_cmd_apply;
ctl_cmd_fn ctl_cmd_delete;
ctl_cmd_fn ctl_cmd_get;

/**
 * The context's object store, created on first use.
 * @return NULL for lack of memory.
 */
struct ctl_store *ctl_cmds_store(struct ctl_ctx *ctx);

#endif /* NPVS_CTL_CMDS_POLICY_H */
