/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cni_add.c: ADD. The steps, each undone in reverse order if a later one
 * fails, so a failed ADD leaves nothing behind (no veth, no port, no
 * endpoint, no IP allocation, no state):
 *
 *   1. check the netns (kernel pods), take the state-dir lock (shared), reach npvsd
 *   2. write the state file ("adding"), so a killed plugin is cleanable
 *   3. IPAM ADD
 *   4. kernel pod: veth pair, pod end configured; DPDK pod: its directory
 *   5. npvsd port_add (afpacket on the host veth, or vhost)
 *   6. npvsd endpoint_add (namespace/name from CNI_ARGS, IPs, port, MAC)
 *   7. state file "ready", result on stdout
 */
#include "cni_cmd.h"
#include "cni_netns.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

struct add_done {
	bool state, ipam, veth, vhost_dir, port, endpoint;
};

static int
add_netns(struct cni_ctx *ctx, int *nsfd)
{
	int fd = cni_netns_open(ctx->env.netns);

	if (fd == -ENOENT)
		return cni_errf(&ctx->err, CNI_ERR_INVALID_ENV, ENOENT,
				"CNI_NETNS %s does not exist", ctx->env.netns);
	if (fd < 0)
		return cni_errf(&ctx->err, CNI_ERR_INVALID_ENV, -fd,
				"CNI_NETNS %s is not a network namespace: %s",
				ctx->env.netns, strerror(-fd));
	*nsfd = fd;
	return 0;
}

static void
add_undo(struct cni_ctx *ctx, const struct add_done *d,
		const struct cni_attach *a, const char *state_path)
{
	struct cni_err e;

#define UNDO(cond, call) do { \
		memset(&e, 0, sizeof(e)); \
		if ((cond) && (call) < 0) \
			CNI_LOG(ERR, "undo: %s", e.msg); \
	} while (0)
	UNDO(d->endpoint, cni_npvsd_endpoint_del(&ctx->npvsd, a->ep_ns,
						 a->ep_name, &e));
	UNDO(d->port, cni_npvsd_port_del(&ctx->npvsd, a->port, &e));
	UNDO(d->veth, cni_veth_teardown(a->host_if, &e));
	UNDO(d->vhost_dir, cni_vhost_dir_remove(a->vhost_dir, &e));
	UNDO(d->ipam, cni_ipam_exec(&ctx->conf, &ctx->env, "DEL", NULL, &e));
#undef UNDO
	if (d->state && cni_state_remove(state_path) < 0)
		CNI_LOG(ERR, "undo: cannot remove %s", state_path);
}

/* Steps 4 to 6: the interface, the port and the endpoint. */
static int
add_attach(struct cni_ctx *ctx, int nsfd, struct cni_attach *a,
		struct add_done *d)
{
	struct cni_err *err = &ctx->err;
	char mac[18];
	json_t *ips;
	int rc;

	if (a->type == CNI_IFTYPE_VETH) {
		rc = cni_veth_setup(ctx, nsfd, a, err);
		d->veth = rc == 0;
		if (rc == 0)
			rc = cni_npvsd_port_add_afpacket(&ctx->npvsd, a->port,
					a->host_if, ctx->conf.max_frame, err);
	} else {
		rc = cni_vhost_dir_create(a, err);
		d->vhost_dir = rc == 0;
		if (rc == 0)
			rc = cni_npvsd_port_add_vhost(&ctx->npvsd, a->port,
				a->socket_path,
				ctx->conf.vhost_mode == CNI_VHOST_CLIENT,
				ctx->conf.mtu, err);
	}
	if (rc < 0)
		return rc;
	d->port = true;
	ips = cni_attach_ips_json(a);
	rc = cni_npvsd_endpoint_add(&ctx->npvsd, a->ep_ns, a->ep_name, a->port,
			ips, a->type == CNI_IFTYPE_VETH ?
			cni_mac_str(a->pod_mac, mac) : NULL, err);
	json_decref(ips);
	d->endpoint = rc == 0;
	return rc;
}

/* Steps 2 to 7, under the lock and with npvsd reached. */
static int
add_locked(struct cni_ctx *ctx, int nsfd, struct cni_attach *a,
		const char *state_path)
{
	struct cni_ipam_result ipam = { 0 };
	struct add_done d = { 0 };
	json_t *state;
	int rc;

	state = cni_attach_state(ctx, a, "adding");
	rc = cni_state_write(state_path, state);
	json_decref(state);
	if (rc < 0)
		return cni_errf(&ctx->err, CNI_ERR_IO, -rc, "cannot write %s: %s",
				state_path, strerror(-rc));
	d.state = true;
	rc = cni_ipam_exec(&ctx->conf, &ctx->env, "ADD", &ipam, &ctx->err);
	d.ipam = rc == 0;
	if (rc == 0)
		rc = cni_attach_plan(&ctx->conf, &ipam, a, &ctx->err);
	if (rc == 0)
		rc = add_attach(ctx, nsfd, a, &d);
	if (rc == 0) {
		state = cni_attach_state(ctx, a, "ready");
		rc = cni_state_write(state_path, state);
		json_decref(state);
		if (rc < 0)
			cni_errf(&ctx->err, CNI_ERR_IO, -rc,
				 "cannot write %s: %s", state_path,
				 strerror(-rc));
	}
	if (rc == 0)
		ctx->result = cni_result_build(ctx, a);
	else
		add_undo(ctx, &d, a, state_path);
	cni_ipam_result_free(&ipam);
	return rc;
}

int
cni_cmd_add(struct cni_ctx *ctx)
{
	char state_path[CNI_PATH_MAX + 512];
	struct cni_attach a = { 0 };
	int nsfd = -1, rc;

	rc = cni_conf_resolve(&ctx->conf, &ctx->env, &ctx->err);
	if (rc < 0)
		return rc;
	cni_attach_names(&ctx->env, ctx->conf.iftype, &a);
	if (a.type == CNI_IFTYPE_VHOST)
		rc = cni_attach_vhost_paths(&ctx->conf, &ctx->env, &a, &ctx->err);
	/* a DPDK pod's sandbox is never entered (it may be a VM's) */
	if (rc == 0 && a.type == CNI_IFTYPE_VETH)
		rc = add_netns(ctx, &nsfd);
	if (rc == 0)
		rc = cni_state_path(ctx->conf.state_dir, ctx->conf.name,
				    ctx->env.container_id, ctx->env.ifname,
				    state_path, sizeof(state_path));
	if (rc < 0)
		goto out;
	ctx->lock_fd = cni_state_lock(ctx->conf.state_dir, false);
	if (ctx->lock_fd < 0) {
		rc = cni_errf(&ctx->err, CNI_ERR_IO, -ctx->lock_fd,
			      "cannot lock %s: %s", ctx->conf.state_dir,
			      strerror(-ctx->lock_fd));
		goto out;
	}
	if (access(state_path, F_OK) == 0) {
		rc = cni_errf(&ctx->err, CNI_ERR_EXISTS, EEXIST,
			      "container %s is attached on %s already (DEL it first)",
			      ctx->env.container_id, ctx->env.ifname);
		goto out;
	}
	rc = cni_npvsd_connect(&ctx->npvsd, ctx->conf.socket,
			       ctx->conf.timeout_ms, &ctx->err);
	if (rc == 0)
		rc = add_locked(ctx, nsfd, &a, state_path);
	if (rc == 0)
		CNI_LOG(INFO, "attached %s/%s on port %s", a.ep_ns, a.ep_name,
			a.port);
out:
	if (nsfd >= 0)
		close(nsfd);
	return rc;
}
