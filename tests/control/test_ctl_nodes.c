/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_ctl_nodes.c: Node objects -> the switch's nodes (ctl_nodes_sync)
 * and the node_info / node_list commands, against the fake switch.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <arpa/inet.h>

#include <cmocka.h>
#include <jansson.h>

#include "ctl_cmds.h"
#include "ctl_nodes.h"
#include "manifest.h"
#include "test_ctl_fake_vs.h"
#include "test_ctl_fake_vs_node.h"

#define NODE(name, cidr, ip, mac, type) \
	"apiVersion: v1\nkind: Node\nmetadata:\n  name: " name "\n" \
	"  annotations:\n" \
	"    flannel.alpha.coreos.com/backend-type: " type "\n" \
	"    flannel.alpha.coreos.com/backend-data: '{\"VNI\":1,\"VtepMAC\":\"" \
	mac "\"}'\n" \
	"    flannel.alpha.coreos.com/public-ip: " ip "\n" \
	"spec:\n  podCIDR: " cidr "\n"

struct fx {
	struct vs *vs;
	struct ctl_ctx ctx;
	struct manifest_set set;
};

static int
setup(void **state)
{
	static struct fx f;

	memset(&f, 0, sizeof(f));
	f.vs = fake_vs_create();
	f.ctx.vs = f.vs;
	manifest_set_init(&f.set);
	fake_nodes_reset();
	*state = &f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;

	manifest_set_clear(&f->set);
	fake_vs_free(f->vs);
	return 0;
}

static void
load(struct fx *f, const char *text)
{
	struct ctl_err err;

	memset(&err, 0, sizeof(err));
	assert_int_equal(manifest_load_buffer("t.yaml", text, strlen(text),
			&f->set, &err), 0);
}

static const struct vs_node_info *
find(const struct vs_node_info *ni, uint32_t n, const char *name)
{
	uint32_t i;

	for (i = 0; i < n; i++)
		if (strcmp(ni[i].spec.name, name) == 0)
			return &ni[i];
	return NULL;
}

/* Good nodes are set with their fields; ours and bad ones are not. */
static void
test_sync_set(void **state)
{
	struct fx *f = *state;
	struct vs_node_info ni[8];
	const struct vs_node_info *a;
	json_t *w = json_array();
	uint8_t ip[4], sub[4];
	uint32_t n;

	load(f, NODE("node-a", "10.244.2.0/24", "192.168.50.3",
			"8E:02:1a:b3:ff:00", "vxlan") "---\n"
		NODE("node-test", "10.244.1.0/24", "192.168.50.2",
			"8e:02:1a:b3:ff:01", "vxlan") "---\n"
		NODE("node-b", "10.244.3.0/24", "192.168.50.4",
			"8e:02:1a:b3:ff:02", "host-gw") "---\n"
		NODE("node-c", "10.244.4.0/24", "192.168.50.5",
			"01:02:1a:b3:ff:02", "vxlan"));
	assert_int_equal(ctl_nodes_sync(&f->ctx, &f->set, w), 1);
	n = vs_node_list(f->vs, ni, 8);
	assert_int_equal(n, 1);
	a = find(ni, n, "node-a");
	assert_non_null(a);
	inet_pton(AF_INET, "192.168.50.3", ip);
	inet_pton(AF_INET, "10.244.2.0", sub);
	assert_memory_equal(a->spec.public_ip, ip, 4);
	assert_memory_equal(a->spec.subnet, sub, 4);
	assert_int_equal(a->spec.subnet_len, 24);
	assert_int_equal(a->spec.vni, 1);
	assert_int_equal(a->spec.vtep_mac[0], 0x8e);
	assert_int_equal(a->spec.vtep_mac[5], 0x00);
	/* node-b (not vxlan) and node-c (multicast VtepMAC) are warned */
	assert_int_equal(json_array_size(w), 2);
	json_decref(w);
}

/* A Node gone from the set is removed; public-ip-overwrite wins. */
static void
test_sync_del_and_overwrite(void **state)
{
	struct fx *f = *state;
	struct vs_node_info ni[8];
	uint8_t ip[4];

	load(f, NODE("node-a", "10.244.2.0/24", "192.168.50.3",
			"8e:02:1a:b3:ff:00", "vxlan"));
	assert_int_equal(ctl_nodes_sync(&f->ctx, &f->set, NULL), 1);
	assert_int_equal(manifest_set_del(&f->set, MANIFEST_NODE, NULL,
			"node-a"), 0);
	load(f, "apiVersion: v1\nkind: Node\nmetadata:\n  name: node-z\n"
		"  annotations:\n"
		"    flannel.alpha.coreos.com/backend-type: vxlan\n"
		"    flannel.alpha.coreos.com/backend-data: '{\"VNI\":7,"
		"\"VtepMAC\":\"aa:bb:cc:dd:ee:f0\"}'\n"
		"    flannel.alpha.coreos.com/public-ip: 192.168.50.9\n"
		"    flannel.alpha.coreos.com/public-ip-overwrite: 10.1.1.1\n"
		"spec:\n  podCIDR: 10.244.9.0/24\n");
	assert_int_equal(ctl_nodes_sync(&f->ctx, &f->set, NULL), 1);
	assert_int_equal(vs_node_list(f->vs, ni, 8), 1);
	assert_string_equal(ni[0].spec.name, "node-z");
	inet_pton(AF_INET, "10.1.1.1", ip);
	assert_memory_equal(ni[0].spec.public_ip, ip, 4);
	assert_int_equal(ni[0].spec.vni, 7);
	/* an empty set removes everything */
	manifest_set_clear(&f->set);
	assert_int_equal(ctl_nodes_sync(&f->ctx, &f->set, NULL), 0);
	assert_int_equal(vs_node_list(f->vs, ni, 8), 0);
}

static json_t *
run(struct fx *f, const char *line)
{
	return ctl_cmds_handle_line(&f->ctx, line, strlen(line));
}

/* node_info: refused without a tunnel; else Flannel's annotations. */
static void
test_node_info(void **state)
{
	struct fx *f = *state;
	json_t *r, *anns, *bd;
	uint8_t ip[4] = { 192, 168, 50, 2 }, net[4] = { 10, 244, 1, 0 };

	r = run(f, "{\"cmd\":\"node_info\"}");
	assert_false(json_is_true(json_object_get(r, "ok")));
	json_decref(r);

	f->vs->cfg.underlay_ip.family = AF_INET;
	memcpy(f->vs->cfg.underlay_ip.addr, ip, 4);
	f->vs->cfg.pod_cidr.family = AF_INET;
	memcpy(f->vs->cfg.pod_cidr.addr, net, 4);
	f->vs->cfg.pod_cidr_len = 24;
	f->vs->cfg.vni = 1;
	r = run(f, "{\"cmd\":\"node_info\"}");
	assert_true(json_is_true(json_object_get(r, "ok")));
	anns = json_object_get(json_object_get(json_object_get(r, "node"),
			"metadata"), "annotations");
	assert_string_equal(json_string_value(json_object_get(anns,
			"flannel.alpha.coreos.com/backend-type")), "vxlan");
	assert_string_equal(json_string_value(json_object_get(anns,
			"flannel.alpha.coreos.com/public-ip")), "192.168.50.2");
	assert_string_equal(json_string_value(json_object_get(anns,
			"flannel.alpha.coreos.com/kube-subnet-manager")), "true");
	bd = json_loads(json_string_value(json_object_get(anns,
			"flannel.alpha.coreos.com/backend-data")), 0, NULL);
	assert_non_null(bd);
	assert_int_equal(json_integer_value(json_object_get(bd, "VNI")), 1);
	/* the fake's VtepMAC, in Go's lowercase format */
	assert_string_equal(json_string_value(json_object_get(bd, "VtepMAC")),
			"02:00:00:00:0a:01");
	assert_string_equal(json_string_value(json_object_get(json_object_get(
			json_object_get(r, "node"), "spec"), "podCIDR")),
			"10.244.1.0/24");
	json_decref(bd);
	json_decref(r);
}

/* node_list reports nodes and the tunnel counters. */
static void
test_node_list(void **state)
{
	struct fx *f = *state;
	json_t *r, *nodes;

	load(f, NODE("node-a", "10.244.2.0/24", "192.168.50.3",
			"8e:02:1a:b3:ff:00", "vxlan"));
	ctl_nodes_sync(&f->ctx, &f->set, NULL);
	r = run(f, "{\"cmd\":\"node_list\"}");
	nodes = json_object_get(r, "nodes");
	assert_int_equal(json_array_size(nodes), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(
			nodes, 0), "subnet")), "10.244.2.0/24");
	assert_string_equal(json_string_value(json_object_get(json_array_get(
			nodes, 0), "vtep_mac")), "8e:02:1a:b3:ff:00");
	assert_int_equal(json_integer_value(json_object_get(json_object_get(r,
			"tunnel"), "encap")), 7);
	json_decref(r);
	r = run(f, "{\"cmd\":\"node_list\",\"args\":{\"x\":1}}");
	assert_false(json_is_true(json_object_get(r, "ok")));
	json_decref(r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_sync_set, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sync_del_and_overwrite,
				setup, teardown),
		cmocka_unit_test_setup_teardown(test_node_info, setup, teardown),
		cmocka_unit_test_setup_teardown(test_node_list, setup, teardown),
	};

	return cmocka_run_group_tests_name("ctl_nodes", tests, NULL, NULL);
}
