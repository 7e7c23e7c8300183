/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vs_snap.h: snapshot publishes that do not wait for the grace period
 * (vs_snap.c). vs_snap_update() waits for every worker to leave the old
 * snapshot before it returns, because its callers free what the old one
 * points to (a port's queues, a tunnel table). A policy publish frees
 * nothing itself (the old vs_policy is reference counted by the
 * snapshots), so it need not wait: vs_snap_update_deferred() publishes
 * and returns at once; the old snapshot is freed by vs_snap_reclaim()
 * (from vs_housekeeping) once its grace period is over, or by the next
 * vs_snap_update(), whose wait covers it.
 *
 * Thread-safety: control thread only.
 */
#ifndef NPVS_VS_SNAP_H
#define NPVS_VS_SNAP_H

#include <stdbool.h>

struct vs;

/**
 * Build and publish a snapshot of the control state as vs_snap_update()
 * does, without waiting for the grace period of the old one.
 * @return 0 or -ENOMEM.
 */
int vs_snap_update_deferred(struct vs *vs);

/**
 * Free the snapshots replaced by vs_snap_update_deferred() whose grace
 * period is over (a non-blocking check), or, with all, every one of them:
 * for a caller that knows no worker can hold them (after a grace period
 * or with the workers stopped).
 */
void vs_snap_reclaim(struct vs *vs, bool all);

#endif /* NPVS_VS_SNAP_H */
