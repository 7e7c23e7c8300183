/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cni_check.c: CHECK and STATUS.
 *
 * CHECK (SPEC.md): the attachment must be known (state file; else code 3),
 * the addresses prevResult lists for the pod interface must be on it, the
 * veth ends must exist, be up and have the offloads off (kernel pods) or
 * the socket directory must exist (DPDK pods), npvsd must have the port
 * and the endpoint on it, and IPAM's own CHECK must pass. Routes are not
 * checked: a later plugin of the chain may change them.
 *
 * STATUS (1.1.0): npvsd answers `version` (else code 50), and IPAM's
 * STATUS passes when the IPAM plugin speaks 1.1.0.
 */
#include "cni_cmd.h"
#include "cni_netns.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Index of our interface in prevResult.interfaces, or -1. */
static int
prev_ifindex(json_t *prev, const struct cni_env *env)
{
	json_t *ifs = json_object_get(prev, "interfaces"), *i;
	size_t k;

	json_array_foreach(ifs, k, i) {
		const char *name = json_string_value(json_object_get(i, "name"));
		const char *sb = json_string_value(json_object_get(i, "sandbox"));

		if (name != NULL && sb != NULL && sb[0] != '\0' &&
		    strcmp(name, env->ifname) == 0)
			return (int)k;
	}
	return -1;
}

/* The addresses prevResult gives our interface, into a->ips. */
static int
prev_ips(json_t *prev, const struct cni_env *env, struct cni_attach *a,
		struct cni_err *err)
{
	json_t *ips = json_object_get(prev, "ips"), *ip;
	int idx = prev_ifindex(prev, env);
	size_t k;

	if (idx < 0)
		return cni_errf(err, CNI_ERR_CHECK, ENOENT,
				"prevResult has no interface %s in a sandbox",
				env->ifname);
	a->n_ips = 0;
	json_array_foreach(ips, k, ip) {
		json_t *i = json_object_get(ip, "interface");
		struct cni_ip *p = &a->ips[a->n_ips];

		if (!json_is_integer(i) || json_integer_value(i) != idx)
			continue;
		if (a->n_ips == CNI_IPS_MAX ||
		    cni_cidr_parse(json_string_value(json_object_get(ip, "address")),
				   &p->family, p->addr, &p->prefix) < 0)
			return cni_errf(err, CNI_ERR_INVALID_CONFIG, EINVAL,
					"prevResult: bad ips[%zu]", k);
		a->n_ips++;
	}
	return 0;
}

static int
check_npvsd(struct cni_ctx *ctx, const struct cni_attach *a)
{
	char port[32];
	int rc;

	rc = cni_npvsd_connect(&ctx->npvsd, ctx->conf.socket,
			       ctx->conf.timeout_ms, &ctx->err);
	if (rc == 0)
		rc = cni_npvsd_port_exists(&ctx->npvsd, a->port, &ctx->err);
	if (rc == 0)
		return cni_errf(&ctx->err, CNI_ERR_CHECK, ENOENT,
				"npvsd has no port %s", a->port);
	if (rc < 0)
		return rc;
	rc = cni_npvsd_endpoint_get(&ctx->npvsd, a->ep_ns, a->ep_name, port,
				    &ctx->err);
	if (rc == 0 || (rc == 1 && strcmp(port, a->port) != 0))
		return cni_errf(&ctx->err, CNI_ERR_CHECK, ENOENT,
				"npvsd has no endpoint %s/%s on port %s",
				a->ep_ns, a->ep_name, a->port);
	return rc < 0 ? rc : 0;
}

static int
check_iface(struct cni_ctx *ctx, const struct cni_attach *a)
{
	struct stat st;
	int nsfd, rc;

	if (a->type == CNI_IFTYPE_VHOST) {
		if (stat(a->vhost_dir, &st) < 0 || !S_ISDIR(st.st_mode))
			return cni_errf(&ctx->err, CNI_ERR_CHECK, ENOENT,
					"vhost-user directory %s is missing",
					a->vhost_dir);
		return 0;
	}
	nsfd = cni_netns_open(ctx->env.netns);
	if (nsfd < 0)
		return cni_errf(&ctx->err, CNI_ERR_CHECK, -nsfd,
				"CNI_NETNS %s: %s", ctx->env.netns,
				strerror(-nsfd));
	rc = cni_veth_check(ctx, nsfd, a, &ctx->err);
	close(nsfd);
	return rc;
}

int
cni_cmd_check(struct cni_ctx *ctx)
{
	char state_path[CNI_PATH_MAX + 512];
	struct cni_attach a = { 0 };
	json_t *state;
	int rc;

	rc = cni_conf_resolve(&ctx->conf, &ctx->env, &ctx->err);
	if (rc == 0)
		rc = cni_state_path(ctx->conf.state_dir, ctx->conf.name,
				    ctx->env.container_id, ctx->env.ifname,
				    state_path, sizeof(state_path));
	if (rc < 0)
		return cni_errf(&ctx->err, CNI_ERR_INVALID_CONFIG, -rc,
				"bad configuration");
	ctx->lock_fd = cni_state_lock(ctx->conf.state_dir, false);
	state = ctx->lock_fd >= 0 ? cni_state_read(state_path) : NULL;
	if (state == NULL)
		return cni_errf(&ctx->err, CNI_ERR_UNKNOWN_CONTAINER, ENOENT,
				"container %s is not attached on %s",
				ctx->env.container_id, ctx->env.ifname);
	cni_attach_names(&ctx->env, ctx->conf.iftype, &a);
	cni_attach_from_state(state, &a);
	json_decref(state);
	rc = prev_ips(ctx->conf.prev_result, &ctx->env, &a, &ctx->err);
	if (rc == 0)
		rc = check_iface(ctx, &a);
	if (rc == 0)
		rc = check_npvsd(ctx, &a);
	if (rc == 0)
		rc = cni_ipam_exec(&ctx->conf, &ctx->env, "CHECK", NULL,
				   &ctx->err);
	return rc;
}

int
cni_cmd_status(struct cni_ctx *ctx)
{
	struct cni_err e = { 0 };
	int rc;

	rc = cni_npvsd_connect(&ctx->npvsd, ctx->conf.socket,
			       ctx->conf.timeout_ms, &e);
	if (rc == 0)
		rc = cni_npvsd_call(&ctx->npvsd, "version", NULL, NULL, &e);
	if (rc < 0) {
		cni_errf(&ctx->err, CNI_ERR_NOT_AVAILABLE, -rc,
			 "plugin not available: %s", e.msg);
		return rc;
	}
	if (ctx->conf.ipam_type[0] == '\0' || ctx->env.path[0] == '\0')
		return 0;       /* no IPAM plugin to ask */
	rc = cni_ipam_exec_v11(&ctx->conf, &ctx->env, "STATUS", &ctx->err);
	return rc < 0 ? rc : 0;
}
