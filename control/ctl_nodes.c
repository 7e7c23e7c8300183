/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ctl_nodes.c: Node objects -> VXLAN tunnels (ctl_nodes.h), and the
 * node_list / node_info commands. The annotation keys are Flannel's
 * (kube subnet manager mode, docs/tunnels.md); backend-data is JSON inside
 * a string, parsed with jansson.
 *
 * Thread-safety: control thread only.
 */
#include "ctl_nodes.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include <jansson.h>
#include <rte_ether.h>

#include "manifest.h"
#include "vs_api.h"

#define ANN "flannel.alpha.coreos.com/"
#define NODES_MAX 1024

/* Go's net.HardwareAddr format: lowercase, colons (Flannel's VtepMAC). */
static void
mac_fmt(char *buf, size_t size, const uint8_t mac[6])
{
	snprintf(buf, size, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1],
			mac[2], mac[3], mac[4], mac[5]);
}

static const char *
ann_get(const json_t *anns, const char *key)
{
	return json_string_value(json_object_get(anns, key));
}

static int
mac_parse(const char *s, uint8_t mac[6])
{
	struct rte_ether_addr a;

	if (s == NULL || rte_ether_unformat_addr(s, &a) < 0 ||
			!rte_is_unicast_ether_addr(&a) || rte_is_zero_ether_addr(&a))
		return -EINVAL;
	memcpy(mac, a.addr_bytes, 6);
	return 0;
}

static int
cidr_parse(const char *s, uint8_t net[4], uint8_t *len)
{
	char buf[32];
	char *slash;
	unsigned int l;

	if (s == NULL || snprintf(buf, sizeof(buf), "%s", s) >= (int)sizeof(buf))
		return -EINVAL;
	slash = strchr(buf, '/');
	if (slash == NULL || sscanf(slash + 1, "%u", &l) != 1 || l == 0 || l > 32)
		return -EINVAL;
	*slash = '\0';
	if (inet_pton(AF_INET, buf, net) != 1)
		return -EINVAL;
	*len = (uint8_t)l;
	return 0;
}

/* Node object -> spec. @return 0 or -EINVAL with why set. */
static int
spec_from_node(const json_t *node, struct vs_node_spec *sp, const char **why)
{
	const json_t *anns = json_object_get(json_object_get(node, "metadata"),
			"annotations");
	const char *name = json_string_value(json_object_get(
			json_object_get(node, "metadata"), "name"));
	const char *s, *ip;
	json_t *bd;
	int rc;

	memset(sp, 0, sizeof(*sp));
	if (name == NULL || snprintf(sp->name, sizeof(sp->name), "%s", name) >=
			(int)sizeof(sp->name))
		return *why = "no metadata.name", -EINVAL;
	s = ann_get(anns, ANN "backend-type");
	if (s == NULL || strcmp(s, "vxlan") != 0)
		return *why = "backend-type is not vxlan", -EINVAL;
	if (cidr_parse(json_string_value(json_object_get(json_object_get(node,
			"spec"), "podCIDR")), sp->subnet, &sp->subnet_len) < 0)
		return *why = "spec.podCIDR missing or not IPv4", -EINVAL;
	ip = ann_get(anns, ANN "public-ip-overwrite");
	if (ip == NULL)
		ip = ann_get(anns, ANN "public-ip");
	if (ip == NULL || inet_pton(AF_INET, ip, sp->public_ip) != 1)
		return *why = "public-ip missing or not IPv4", -EINVAL;
	s = ann_get(anns, ANN "backend-data");
	bd = s ? json_loads(s, 0, NULL) : NULL;
	rc = json_is_integer(json_object_get(bd, "VNI")) &&
			mac_parse(json_string_value(json_object_get(bd, "VtepMAC")),
				sp->vtep_mac) == 0 ? 0 : -EINVAL;
	if (rc == 0)
		sp->vni = (uint32_t)json_integer_value(json_object_get(bd, "VNI"));
	json_decref(bd);
	if (rc < 0)
		*why = "backend-data needs VNI and a unicast VtepMAC";
	return rc;
}

static void
warn(json_t *warnings, const char *name, const char *why)
{
	char msg[384];

	snprintf(msg, sizeof(msg), "Node %.200s: %s", name ? name : "?", why);
	if (warnings != NULL)
		json_array_append_new(warnings, json_string(msg));
	fprintf(stderr, "npvsd: %s\n", msg);
}

static struct vs_node_info cur[NODES_MAX];     /* control thread only */
static uint32_t n_cur;

/* Remove the switch's nodes that set no longer has; remember the rest. */
static void
nodes_prune(struct ctl_ctx *ctx, const struct manifest_set *set)
{
	uint32_t i, n = vs_node_list(ctx->vs, cur, NODES_MAX);

	n_cur = n < NODES_MAX ? n : NODES_MAX;
	for (i = 0; i < n_cur; i++)
		if (set == NULL || manifest_set_find(set, MANIFEST_NODE, NULL,
				cur[i].spec.name) == NULL) {
			vs_node_del(ctx->vs, cur[i].spec.name);
			cur[i].spec.name[0] = '\0';
		}
}

/* Is sp already set, unchanged? Then no new snapshot for it. */
static bool
node_unchanged(const struct vs_node_spec *sp)
{
	uint32_t i;

	for (i = 0; i < n_cur; i++)
		if (strcmp(cur[i].spec.name, sp->name) == 0)
			return memcmp(&cur[i].spec, sp, sizeof(*sp)) == 0;
	return false;
}

unsigned int
ctl_nodes_sync(struct ctl_ctx *ctx, const struct manifest_set *set,
		json_t *warnings)
{
	const char *self = vs_get_config(ctx->vs)->node_name;
	unsigned int n = 0;
	char msg[256];
	uint32_t i;

	nodes_prune(ctx, set);
	for (i = 0; set != NULL && i < set->n_objs; i++) {
		const struct manifest_obj *o = &set->objs[i];
		struct vs_node_spec sp;
		const char *why = "";

		if (o->kind != MANIFEST_NODE || strcmp(o->name, self) == 0)
			continue;
		if (spec_from_node(o->raw, &sp, &why) < 0) {
			warn(warnings, o->name, why);
			continue;
		}
		if (node_unchanged(&sp)) {
			n++;
			continue;
		}
		msg[0] = '\0';
		if (vs_node_set(ctx->vs, &sp, msg, sizeof(msg)) < 0) {
			warn(warnings, o->name, msg);
			continue;
		}
		n++;
	}
	return n;
}

/* ---- commands ---- */

static json_t *
node_json(const struct vs_node_info *ni)
{
	char sub[INET_ADDRSTRLEN], ip[INET_ADDRSTRLEN], cidr[24];
	char mac[RTE_ETHER_ADDR_FMT_SIZE], nh[RTE_ETHER_ADDR_FMT_SIZE];

	inet_ntop(AF_INET, ni->spec.subnet, sub, sizeof(sub));
	inet_ntop(AF_INET, ni->spec.public_ip, ip, sizeof(ip));
	snprintf(cidr, sizeof(cidr), "%s/%u", sub, ni->spec.subnet_len);
	mac_fmt(mac, sizeof(mac), ni->spec.vtep_mac);
	mac_fmt(nh, sizeof(nh), ni->nexthop_mac);
	return json_pack("{s:s, s:s, s:s, s:s, s:I, s:s?}", "name",
			ni->spec.name, "subnet", cidr, "public_ip", ip,
			"vtep_mac", mac, "vni", (json_int_t)ni->spec.vni,
			"underlay_mac", ni->mac_known ? nh : NULL);
}

static json_t *
tunnel_json(struct vs *vs)
{
	struct vs_tunnel_info ti;
	json_t *t, *d;
	unsigned int i;

	vs_tunnel_info(vs, &ti);
	t = json_pack("{s:b, s:b, s:I, s:I, s:I}", "enabled", ti.enabled,
			"uplink", ti.uplink, "encap", (json_int_t)ti.encap,
			"decap", (json_int_t)ti.decap, "pass", (json_int_t)ti.pass);
	d = json_object();
	for (i = 0; i < 32 && ti.drop_name[i] != NULL; i++)
		json_object_set_new(d, ti.drop_name[i],
				json_integer((json_int_t)ti.drop[i]));
	json_object_set_new(t, "drops", d);
	return t;
}

int
ctl_cmd_node_list(struct ctl_ctx *ctx, const json_t *args, json_t *reply,
		struct ctl_err *err)
{
	static const char *const allowed[] = { NULL };
	static struct vs_node_info ni[NODES_MAX];
	uint32_t i, n;
	json_t *a;
	int rc;

	rc = ctl_args_only(args, allowed, err);
	if (rc < 0)
		return rc;
	n = vs_node_list(ctx->vs, ni, NODES_MAX);
	a = json_array();
	for (i = 0; i < n && i < NODES_MAX; i++)
		json_array_append_new(a, node_json(&ni[i]));
	json_object_set_new(reply, "nodes", a);
	json_object_set_new(reply, "tunnel", tunnel_json(ctx->vs));
	return 0;
}

/* Our Node object as Flannel's kube subnet manager would publish it. */
int
ctl_cmd_node_info(struct ctl_ctx *ctx, const json_t *args, json_t *reply,
		struct ctl_err *err)
{
	static const char *const allowed[] = { NULL };
	const struct vs_config *c = vs_get_config(ctx->vs);
	char ip[INET_ADDRSTRLEN], net[INET_ADDRSTRLEN], cidr[24], bd[96];
	char mac[RTE_ETHER_ADDR_FMT_SIZE];
	struct vs_tunnel_info ti;
	json_t *node;
	int rc;

	rc = ctl_args_only(args, allowed, err);
	if (rc < 0)
		return rc;
	if (c->underlay_ip.family != AF_INET || c->pod_cidr.family != AF_INET)
		return ctl_err_set(err, ENOENT, NULL, "no tunnel: the config has "
				"no tunnel.underlay or no pod_cidr");
	vs_tunnel_info(ctx->vs, &ti);
	mac_fmt(mac, sizeof(mac), ti.vtep_mac);
	inet_ntop(AF_INET, c->underlay_ip.addr, ip, sizeof(ip));
	inet_ntop(AF_INET, c->pod_cidr.addr, net, sizeof(net));
	snprintf(cidr, sizeof(cidr), "%s/%u", net, c->pod_cidr_len);
	snprintf(bd, sizeof(bd), "{\"VNI\":%u,\"VtepMAC\":\"%s\"}", c->vni, mac);
	node = json_pack("{s:s, s:s, s:{s:s, s:{s:s, s:s, s:s, s:s}}, s:{s:s}}",
			"apiVersion", "v1", "kind", "Node",
			"metadata", "name", c->node_name, "annotations",
			ANN "backend-type", "vxlan", ANN "backend-data", bd,
			ANN "public-ip", ip, ANN "kube-subnet-manager", "true",
			"spec", "podCIDR", cidr);
	if (node == NULL)
		return ctl_err_set(err, ENOMEM, NULL, "out of memory");
	json_object_set_new(reply, "node", node);
	return 0;
}
