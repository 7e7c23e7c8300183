/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_ctl_fake_vs_node.c: the fake switch's nodes (vs_node_*, vs_api.h)
 * for the control tests: a static table (the fake struct vs has no room
 * for it), the same contract as vswitch/vs_tunnel.c where the commands can
 * tell: set replaces by name, del of an unknown name is -ENOENT, a second
 * node with the same public IP is -EEXIST.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "test_ctl_fake_vs_node.h"

static struct vs_node_info nodes[FAKE_NODES_MAX];
static uint32_t n_nodes;

void
fake_nodes_reset(void)
{
	n_nodes = 0;
}

int
vs_node_set(struct vs *vs, const struct vs_node_spec *spec, char *err,
		size_t errlen)
{
	uint32_t i;

	(void)vs;
	for (i = 0; i < n_nodes; i++)
		if (strcmp(nodes[i].spec.name, spec->name) != 0 &&
				memcmp(nodes[i].spec.public_ip, spec->public_ip,
					4) == 0) {
			snprintf(err, errlen, "node %s: IP of another node",
					spec->name);
			return -EEXIST;
		}
	for (i = 0; i < n_nodes; i++)
		if (strcmp(nodes[i].spec.name, spec->name) == 0)
			break;
	if (i == FAKE_NODES_MAX)
		return -ENOSPC;
	if (i == n_nodes)
		n_nodes++;
	memset(&nodes[i], 0, sizeof(nodes[i]));
	nodes[i].spec = *spec;
	return 0;
}

int
vs_node_del(struct vs *vs, const char *name)
{
	uint32_t i;

	(void)vs;
	for (i = 0; i < n_nodes; i++)
		if (strcmp(nodes[i].spec.name, name) == 0) {
			nodes[i] = nodes[--n_nodes];
			return 0;
		}
	return -ENOENT;
}

uint32_t
vs_node_list(struct vs *vs, struct vs_node_info *out, uint32_t max)
{
	uint32_t i;

	(void)vs;
	for (i = 0; i < n_nodes && i < max; i++)
		out[i] = nodes[i];
	return n_nodes;
}

void
vs_tunnel_info(struct vs *vs, struct vs_tunnel_info *out)
{
	static const uint8_t mac[6] = { 0x02, 0x00, 0x00, 0x00, 0x0a, 0x01 };

	(void)vs;
	memset(out, 0, sizeof(*out));
	memcpy(out->vtep_mac, mac, sizeof(mac));
	out->encap = 7;
}
