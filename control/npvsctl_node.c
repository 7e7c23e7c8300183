/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * npvsctl_node.c: `npvsctl node-info` (this node's Node object with
 * Flannel's annotations, to apply on the Flannel side) and `npvsctl
 * tunnel` (the other nodes, the tunnel's state and counters).
 *
 * Thread-safety: npvsctl is single-threaded.
 */
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "npvsctl.h"

static int
help_or_args(int argc, char **argv, const char *help)
{
	if (argc == 2 && (strcmp(argv[1], "-h") == 0 ||
			strcmp(argv[1], "--help") == 0)) {
		printf("%s", help);
		return -1;
	}
	if (argc > 1)
		return npvsctl_usage_error(argv[0], "unexpected argument '%s'",
				argv[1]);
	return 0;
}

int
npvsctl_cmd_node_info(int argc, char **argv)
{
	json_t *reply;
	int rc = help_or_args(argc, argv, "usage: npvsctl [-o json|yaml] "
			"node-info\n\nPrints this node's Node object with "
			"Flannel's annotations (backend-type, backend-data,\n"
			"public-ip, kube-subnet-manager) and spec.podCIDR, as "
			"YAML (default) or JSON.\n");

	if (rc != 0)
		return rc < 0 ? 0 : rc;
	rc = npvsctl_call("node_info", NULL, &reply);
	if (rc != 0)
		return rc;
	if (npvsctl_opts.json)
		npvsctl_print_json(json_object_get(reply, "node"));
	else
		npvsctl_print_yaml(json_object_get(reply, "node"));
	json_decref(reply);
	return 0;
}

int
npvsctl_cmd_tunnel(int argc, char **argv)
{
	json_t *reply;
	int rc = help_or_args(argc, argv, "usage: npvsctl tunnel\n\n"
			"Shows the other nodes (pod subnet, public IP, VtepMAC, "
			"underlay MAC), the tunnel's\nstate and its counters, "
			"as JSON.\n");

	if (rc != 0)
		return rc < 0 ? 0 : rc;
	rc = npvsctl_call("node_list", NULL, &reply);
	if (rc != 0)
		return rc;
	json_object_del(reply, "ok");
	npvsctl_print_json(reply);
	json_decref(reply);
	return 0;
}
