/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cni_result.c: the JSON npvs-cni prints, per spec version (SPEC.md
 * "Success", "Error", "Version success"):
 *   0.4.0  ips[] carry "version": "4"|"6"
 *   1.0.0  no "version"
 *   1.1.0  interfaces[] may carry "mtu" and "socketPath"
 * Kernel pods: interfaces = [host veth end, pod interface (sandbox =
 * CNI_NETNS)], ips[].interface = 1. DPDK pods: interfaces = [the pod's
 * vhost-user interface (sandbox = CNI_NETNS, socketPath)], ips[].interface
 * = 0. socketPath is also given for 0.4.0/1.0.0 (parsers ignore unknown
 * fields), so older runtimes can still find the socket.
 */
#include "cni_cmd.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

const char *
cni_mac_str(const uint8_t mac[6], char buf[18])
{
	snprintf(buf, 18, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1],
		 mac[2], mac[3], mac[4], mac[5]);
	return buf;
}

static json_t *
result_interfaces(const struct cni_ctx *ctx, const struct cni_attach *a,
		bool v11)
{
	json_t *ifs = json_array(), *pod;
	char mac[18];

	if (a->type == CNI_IFTYPE_VETH) {
		json_array_append_new(ifs, json_pack("{s:s, s:s}",
			"name", a->host_if, "mac", cni_mac_str(a->host_mac, mac)));
		pod = json_pack("{s:s, s:s, s:s}", "name", ctx->env.ifname,
				"mac", cni_mac_str(a->pod_mac, mac),
				"sandbox", ctx->env.netns);
	} else {
		pod = json_pack("{s:s, s:s, s:s}", "name", ctx->env.ifname,
				"sandbox", ctx->env.netns,
				"socketPath", a->socket_path);
	}
	if (v11)
		json_object_set_new(pod, "mtu", json_integer(ctx->conf.mtu));
	json_array_append_new(ifs, pod);
	return ifs;
}

static json_t *
result_ips(const struct cni_attach *a, int ifindex, bool v040)
{
	json_t *ips = json_array(), *o;
	char addr[INET6_ADDRSTRLEN], cidr[INET6_ADDRSTRLEN + 4];
	unsigned int i;

	for (i = 0; i < a->n_ips; i++) {
		const struct cni_ip *ip = &a->ips[i];

		snprintf(cidr, sizeof(cidr), "%s/%u",
			 cni_ip_str(ip->family, ip->addr, addr, sizeof(addr)),
			 ip->prefix);
		o = json_pack("{s:s, s:i}", "address", cidr, "interface",
			      ifindex);
		if (ip->has_gw)
			json_object_set_new(o, "gateway", json_string(
				cni_ip_str(ip->family, ip->gw, addr, sizeof(addr))));
		if (v040)
			json_object_set_new(o, "version", json_string(
				ip->family == AF_INET ? "4" : "6"));
		json_array_append_new(ips, o);
	}
	return ips;
}

static json_t *
result_routes(const struct cni_attach *a)
{
	json_t *routes = json_array(), *o;
	char addr[INET6_ADDRSTRLEN], cidr[INET6_ADDRSTRLEN + 4];
	unsigned int i;

	for (i = 0; i < a->n_routes; i++) {
		const struct cni_route *r = &a->routes[i];

		snprintf(cidr, sizeof(cidr), "%s/%u",
			 cni_ip_str(r->family, r->dst, addr, sizeof(addr)),
			 r->dst_len);
		o = json_pack("{s:s}", "dst", cidr);
		if (r->has_gw)
			json_object_set_new(o, "gw", json_string(
				cni_ip_str(r->family, r->gw, addr, sizeof(addr))));
		json_array_append_new(routes, o);
	}
	return routes;
}

json_t *
cni_result_build(const struct cni_ctx *ctx, const struct cni_attach *a)
{
	const char *v = ctx->conf.version;
	bool v11 = cni_version_cmp(v, "1.1.0") >= 0;
	bool v040 = cni_version_cmp(v, "1.0.0") < 0;
	int podif = a->type == CNI_IFTYPE_VETH ? 1 : 0;
	json_t *res;

	res = json_pack("{s:s}", "cniVersion", v);
	json_object_set_new(res, "interfaces", result_interfaces(ctx, a, v11));
	json_object_set_new(res, "ips", result_ips(a, podif, v040));
	json_object_set_new(res, "routes", result_routes(a));
	json_object_set_new(res, "dns", a->dns != NULL ? json_incref(a->dns) :
			    json_object());
	return res;
}

json_t *
cni_result_error(const char *version, const struct cni_err *err)
{
	json_t *res;

	res = json_pack("{s:s, s:i, s:s}", "cniVersion",
			cni_version_supported(version) ? version :
			CNI_VERSION_LATEST,
			"code", err->code != 0 ? err->code : CNI_ERR_INTERNAL,
			"msg", err->msg[0] != '\0' ? err->msg : "failed");
	if (err->details[0] != '\0')
		json_object_set_new(res, "details", json_string(err->details));
	return res;
}

json_t *
cni_result_version(const char *version)
{
	return json_pack("{s:s, s:o}", "cniVersion",
			 cni_version_supported(version) ? version :
			 CNI_VERSION_LATEST,
			 "supportedVersions", cni_versions_json());
}
