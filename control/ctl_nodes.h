/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ctl_nodes.h: the cluster's other nodes on npvsd: Node objects (v1, as
 * applied with `npvsctl apply`, with Flannel's annotations) become VXLAN
 * tunnels in the switch (vs_node_set/vs_node_del, vs_api.h), and this
 * node's own Node annotations for the Flannel side (`node_info`).
 *
 * Thread-safety: control thread only.
 */
#ifndef NPVS_CTL_NODES_H
#define NPVS_CTL_NODES_H

#include <jansson.h>

#include "ctl_cmds.h"

struct manifest_set;

/**
 * Make the switch's nodes those of set's Node objects: each Node with
 * backend-type vxlan, backend-data (VNI, VtepMAC), public-ip (or
 * public-ip-overwrite) and spec.podCIDR is set; nodes no longer in set are
 * removed; our own node (config node_name) is skipped. Call it after every
 * successful apply or delete (not for a dry run).
 * @param warnings if not NULL, a JSON array that receives one string per
 *   Node that could not be used (and why).
 * @return the number of nodes now set.
 */
unsigned int ctl_nodes_sync(struct ctl_ctx *ctx, const struct manifest_set *set,
		json_t *warnings);

/** node_list: nodes, tunnel state and counters. */
ctl_cmd_fn ctl_cmd_node_list;
/** node_info: this node's Node object for Flannel (annotations, podCIDR). */
ctl_cmd_fn ctl_cmd_node_info;

#endif /* NPVS_CTL_NODES_H */
