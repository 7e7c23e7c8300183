/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cni_attach.c: what an attachment is made of, computed before anything
 * is created: its names (host veth, npvsd port, endpoint), the addresses
 * and routes the pod gets (docs/cni.md "Addressing"), the vhost-user
 * paths, and its state-file form.
 */
#include "cni_cmd.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

/*
 * Outside Kubernetes the container ID names the endpoint; npvsd wants a
 * DNS subdomain (lower case, digits, '-'), which an ID (upper case, '_',
 * '.') need not be: map the rest to '-', and end on a letter or digit.
 */
static void
endpoint_name_from_id(const char *id, char *out, size_t size)
{
	size_t i;

	for (i = 0; id[i] != '\0' && i + 1 < size; i++)
		out[i] = isalnum((unsigned char)id[i]) ?
			 (char)tolower((unsigned char)id[i]) : '-';
	out[i] = '\0';
	if (i > 0 && out[i - 1] == '-')
		out[i - 1] = '0';
}

void
cni_attach_names(const struct cni_env *env, enum cni_iftype type,
		struct cni_attach *a)
{
	a->type = type;
	cni_host_ifname(CNI_VETH_PREFIX, env->container_id, env->ifname,
			a->host_if);
	if (type == CNI_IFTYPE_VHOST)
		cni_host_ifname(CNI_VHOST_PREFIX, env->container_id,
				env->ifname, a->port);
	else
		strcpy(a->port, a->host_if);
	snprintf(a->ep_ns, sizeof(a->ep_ns), "%s",
		 env->k8s_ns[0] != '\0' ? env->k8s_ns : "default");
	if (env->k8s_pod[0] != '\0')
		snprintf(a->ep_name, sizeof(a->ep_name), "%s", env->k8s_pod);
	else
		endpoint_name_from_id(env->container_id, a->ep_name,
				      sizeof(a->ep_name));
}

/* ---- addressing ---- */

static int
plan_add_route(struct cni_attach *a, int family, const uint8_t *dst,
		uint8_t len, const uint8_t *gw)
{
	struct cni_route *r;
	unsigned int i;

	for (i = 0; i < a->n_routes; i++) {
		r = &a->routes[i];
		if (r->family == family && r->dst_len == len &&
		    memcmp(r->dst, dst, 16) == 0)
			return 0;       /* first one wins, like the kernel */
	}
	if (a->n_routes == CNI_ROUTES_MAX)
		return -ENOSPC;
	r = &a->routes[a->n_routes++];
	memset(r, 0, sizeof(*r));
	r->family = family;
	memcpy(r->dst, dst, 16);
	r->dst_len = len;
	if (gw != NULL) {
		r->has_gw = true;
		memcpy(r->gw, gw, 16);
	}
	return 0;
}

/* The gateway of a family: calico's link-local one, or IPAM's. */
static const uint8_t *
plan_gateway(const struct cni_conf *conf, const struct cni_attach *a,
		int family, uint8_t buf[16])
{
	unsigned int i;
	int f;

	if (conf->addressing == CNI_ADDR_CALICO) {
		cni_ip_parse(family == AF_INET ? CNI_CALICO_GW4 : CNI_CALICO_GW6,
			     &f, buf);
		return buf;
	}
	for (i = 0; i < a->n_ips; i++)
		if (a->ips[i].family == family && a->ips[i].has_gw)
			return a->ips[i].gw;
	return NULL;
}

static bool
plan_has_family(const struct cni_attach *a, int family)
{
	unsigned int i;

	for (i = 0; i < a->n_ips; i++)
		if (a->ips[i].family == family)
			return true;
	return false;
}

/* calico: 169.254.1.1/32 on link, then default via it (IPv4). */
static int
plan_calico_routes(const struct cni_conf *conf, struct cni_attach *a)
{
	static const uint8_t zero[16];
	uint8_t gw[16];
	int rc = 0;

	if (plan_has_family(a, AF_INET)) {
		plan_gateway(conf, a, AF_INET, gw);
		rc = plan_add_route(a, AF_INET, gw, 32, NULL);
		if (rc == 0)
			rc = plan_add_route(a, AF_INET, zero, 0, gw);
	}
	if (rc == 0 && plan_has_family(a, AF_INET6)) {
		plan_gateway(conf, a, AF_INET6, gw);
		rc = plan_add_route(a, AF_INET6, zero, 0, gw);
	}
	return rc;
}

int
cni_attach_plan(const struct cni_conf *conf,
		const struct cni_ipam_result *ipam, struct cni_attach *a,
		struct cni_err *err)
{
	static const uint8_t zero[16];
	const uint8_t *gw;
	uint8_t buf[16];
	unsigned int i;
	int rc = 0;

	a->n_ips = ipam->n_ips;
	a->n_routes = 0;
	a->dns = ipam->dns;
	for (i = 0; i < ipam->n_ips; i++) {
		a->ips[i] = ipam->ips[i];
		if (conf->addressing != CNI_ADDR_CALICO)
			continue;
		a->ips[i].prefix = a->ips[i].family == AF_INET ? 32 : 128;
		a->ips[i].has_gw = true;
		plan_gateway(conf, a, a->ips[i].family, a->ips[i].gw);
	}
	if (conf->addressing == CNI_ADDR_CALICO)
		rc = plan_calico_routes(conf, a);
	/* IPAM's routes, through the family's gateway unless they name one */
	for (i = 0; i < ipam->n_routes && rc == 0; i++) {
		const struct cni_route *r = &ipam->routes[i];

		gw = r->has_gw ? r->gw : plan_gateway(conf, a, r->family, buf);
		rc = plan_add_route(a, r->family, r->dst, r->dst_len, gw);
	}
	/* subnet: a default route via the gateway, if IPAM named none */
	for (i = 0; i < 2 && rc == 0 && conf->addressing == CNI_ADDR_SUBNET; i++) {
		int fam = i == 0 ? AF_INET : AF_INET6;

		gw = plan_gateway(conf, a, fam, buf);
		if (gw != NULL && plan_has_family(a, fam))
			rc = plan_add_route(a, fam, zero, 0, gw);
	}
	if (rc < 0)
		return cni_errf(err, CNI_ERR_UNSUPPORTED_FIELD, -rc,
				"more than %d routes", CNI_ROUTES_MAX);
	return 0;
}

/* ---- vhost-user ---- */

int
cni_attach_vhost_paths(const struct cni_conf *conf,
		const struct cni_env *env, struct cni_attach *a,
		struct cni_err *err)
{
	char hashed[CNI_IFNAME_MAX], sock[CNI_PATH_MAX + 16];
	int n;

	n = snprintf(a->vhost_dir, sizeof(a->vhost_dir), "%s/%s-%s",
		     conf->vhost_dir, env->container_id, env->ifname);
	if (n > 0 && (size_t)n + 1 + strlen(CNI_VHOST_SOCK) >=
		     sizeof(a->socket_path)) {
		/* sun_path is short: a long container ID gets the hash */
		cni_host_ifname("pod", env->container_id, env->ifname, hashed);
		n = snprintf(sock, sizeof(sock), "%s/%s", conf->vhost_dir,
			     hashed);
		if (n > 0 && (size_t)n < sizeof(a->vhost_dir))
			memcpy(a->vhost_dir, sock, (size_t)n + 1);
	}
	n = snprintf(sock, sizeof(sock), "%s/%s", a->vhost_dir, CNI_VHOST_SOCK);
	if (n < 0 || (size_t)n >= sizeof(a->socket_path))
		return cni_errf(err, CNI_ERR_INVALID_CONFIG, ENAMETOOLONG,
				"vhostDir %s is too long for a socket path",
				conf->vhost_dir);
	memcpy(a->socket_path, sock, (size_t)n + 1);
	return 0;
}

/* ---- JSON forms ---- */

json_t *
cni_attach_ips_json(const struct cni_attach *a)
{
	char addr[INET6_ADDRSTRLEN];
	json_t *ips = json_array();
	unsigned int i;

	for (i = 0; i < a->n_ips; i++)
		json_array_append_new(ips, json_string(cni_ip_str(
			a->ips[i].family, a->ips[i].addr, addr, sizeof(addr))));
	return ips;
}

json_t *
cni_attach_state(const struct cni_ctx *ctx, const struct cni_attach *a,
		const char *phase)
{
	json_t *s;

	s = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:o}",
		      "phase", phase,
		      "network", ctx->conf.name,
		      "containerID", ctx->env.container_id,
		      "ifname", ctx->env.ifname,
		      "netns", ctx->env.netns,
		      "interfaceType",
		      a->type == CNI_IFTYPE_VHOST ? "vhost-user" : "veth",
		      "hostIf", a->type == CNI_IFTYPE_VETH ? a->host_if : "",
		      "port", a->port,
		      "namespace", a->ep_ns,
		      "podName", a->ep_name,
		      "ips", cni_attach_ips_json(a));
	if (s != NULL && a->type == CNI_IFTYPE_VHOST) {
		json_object_set_new(s, "vhostDir", json_string(a->vhost_dir));
		json_object_set_new(s, "socketPath",
				    json_string(a->socket_path));
	}
	return s;
}

static void
state_str(json_t *state, const char *key, char *dst, size_t size)
{
	const char *v = json_string_value(json_object_get(state, key));

	if (v != NULL && strlen(v) < size)
		strcpy(dst, v);
}

void
cni_attach_from_state(json_t *state, struct cni_attach *a)
{
	const char *t = json_string_value(json_object_get(state, "interfaceType"));

	if (t != NULL)
		a->type = strcmp(t, "vhost-user") == 0 ? CNI_IFTYPE_VHOST :
			  CNI_IFTYPE_VETH;
	state_str(state, "hostIf", a->host_if, sizeof(a->host_if));
	state_str(state, "port", a->port, sizeof(a->port));
	state_str(state, "namespace", a->ep_ns, sizeof(a->ep_ns));
	state_str(state, "podName", a->ep_name, sizeof(a->ep_name));
	state_str(state, "vhostDir", a->vhost_dir, sizeof(a->vhost_dir));
	state_str(state, "socketPath", a->socket_path, sizeof(a->socket_path));
}
