/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cni_del.c: DEL and GC, which both tear attachments down.
 *
 * DEL is idempotent and tolerant (SPEC.md: "clean up as many resources as
 * possible"): the netns may be gone or CNI_NETNS empty, the state file or
 * npvsd's records may be missing. Names are derived from (containerID,
 * ifname), so DEL finds the host veth, the port and the vhost directory
 * without a state file. It removes only what carries those names, and an
 * endpoint only while it still points at this attachment's port (a pod
 * re-created under the same name may own the endpoint by now).
 *
 * npvsd down (no socket, connection refused) counts as "its records are
 * gone": its state lives in its memory. npvsd that does not answer in
 * time fails DEL with code 11 after the local clean-up, so the runtime
 * retries.
 *
 * GC (1.1.0) tears down every attachment of this network that has a state
 * file but is not in cni.dev/valid-attachments, then lets IPAM collect
 * (its own GC when it speaks 1.1.0, else a DEL per stale attachment).
 */
#include "cni_cmd.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Connect once; -ECONNREFUSED (npvsd down) is remembered as "gone". */
static int
npvsd_reach(struct cni_ctx *ctx, int *state, struct cni_err *err)
{
	struct cni_err e = { 0 };
	int rc;

	if (*state != 0)
		return *state > 0 ? 0 : *state;
	rc = cni_npvsd_connect(&ctx->npvsd, ctx->conf.socket,
			       ctx->conf.timeout_ms, &e);
	*state = rc == 0 ? 1 : rc;
	if (rc == -ECONNREFUSED)
		CNI_LOG(WARNING, "npvsd is not running (%s): nothing to remove there",
			e.msg);
	else if (rc < 0)
		*err = e;
	return rc;
}

/* The endpoint, if it is this attachment's, then the port(s). */
static int
teardown_npvsd(struct cni_ctx *ctx, const struct cni_attach *a,
		bool type_known, struct cni_err *err)
{
	char port[32], other[CNI_IFNAME_MAX];
	int rc;

	/* without a state file, the port may have either name */
	cni_host_ifname(a->type == CNI_IFTYPE_VHOST ? CNI_VETH_PREFIX :
			CNI_VHOST_PREFIX, ctx->env.container_id,
			ctx->env.ifname, other);
	rc = cni_npvsd_endpoint_get(&ctx->npvsd, a->ep_ns, a->ep_name, port,
				    err);
	if (rc == 1 && (strcmp(port, a->port) == 0 ||
			(!type_known && strcmp(port, other) == 0)))
		rc = cni_npvsd_endpoint_del(&ctx->npvsd, a->ep_ns, a->ep_name,
					    err);
	if (rc >= 0)
		rc = cni_npvsd_port_del(&ctx->npvsd, a->port, err);
	if (rc >= 0 && !type_known)
		rc = cni_npvsd_port_del(&ctx->npvsd, other, err);
	return rc < 0 ? rc : 0;
}

/*
 * Remove one attachment's npvsd records, veth and vhost directory (not
 * IPAM). *npvsd tracks the connection across calls (GC).
 * @return 0 or the first error (it goes on after one).
 */
static int
teardown(struct cni_ctx *ctx, struct cni_attach *a, bool type_known,
		int *npvsd, struct cni_err *err)
{
	struct cni_err e = { 0 };
	int rc = 0, r;

	r = npvsd_reach(ctx, npvsd, &e);
	if (r == 0)
		r = teardown_npvsd(ctx, a, type_known, &e);
	if (r < 0 && r != -ECONNREFUSED) {
		rc = r;
		*err = e;
	}
	memset(&e, 0, sizeof(e));
	if (!type_known || a->type == CNI_IFTYPE_VETH) {
		r = cni_veth_teardown(a->host_if, &e);
		if (r < 0 && rc == 0) {
			rc = r;
			*err = e;
		}
	}
	memset(&e, 0, sizeof(e));
	if (!type_known || a->type == CNI_IFTYPE_VHOST) {
		r = cni_vhost_dir_remove(a->vhost_dir, &e);
		if (r < 0 && rc == 0) {
			rc = r;
			*err = e;
		}
	}
	return rc;
}

/* The attachment of ctx->env: from its state file, else from names. */
static bool
del_attach(struct cni_ctx *ctx, const char *state_path, struct cni_attach *a)
{
	json_t *state = cni_state_read(state_path);
	struct cni_err e = { 0 };

	cni_conf_resolve(&ctx->conf, &ctx->env, &e);
	cni_attach_names(&ctx->env, ctx->conf.iftype, a);
	cni_attach_vhost_paths(&ctx->conf, &ctx->env, a, &e);
	if (state == NULL)
		return false;
	cni_attach_from_state(state, a);
	json_decref(state);
	return true;
}

int
cni_cmd_del(struct cni_ctx *ctx)
{
	char state_path[CNI_PATH_MAX + 512];
	struct cni_attach a = { 0 };
	struct cni_err e = { 0 };
	int npvsd = 0, rc, r;
	bool known;

	rc = cni_state_path(ctx->conf.state_dir, ctx->conf.name,
			    ctx->env.container_id, ctx->env.ifname, state_path,
			    sizeof(state_path));
	if (rc < 0)
		return cni_errf(&ctx->err, CNI_ERR_INVALID_CONFIG, -rc,
				"state path too long");
	ctx->lock_fd = cni_state_lock(ctx->conf.state_dir, false);
	if (ctx->lock_fd < 0)
		return cni_errf(&ctx->err, CNI_ERR_IO, -ctx->lock_fd,
				"cannot lock %s: %s", ctx->conf.state_dir,
				strerror(-ctx->lock_fd));
	known = del_attach(ctx, state_path, &a);
	rc = teardown(ctx, &a, known, &npvsd, &ctx->err);
	/* IPAM releases the address even if the rest failed */
	r = cni_ipam_exec(&ctx->conf, &ctx->env, "DEL", NULL, &e);
	if (r < 0 && rc == 0) {
		rc = r;
		ctx->err = e;
	}
	if (rc == 0)
		rc = cni_state_remove(state_path);
	if (rc == 0)
		CNI_LOG(INFO, "detached %s/%s (port %s)", a.ep_ns, a.ep_name,
			a.port);
	return rc < 0 && ctx->err.code == 0 ?
	       cni_errf(&ctx->err, CNI_ERR_IO, -rc, "cannot remove %s",
			state_path) : rc;
}

/* ---- GC ---- */

struct gc_walk {
	struct cni_ctx *ctx;
	bool ipam_del;          /* IPAM cannot GC: DEL each stale one */
	int npvsd;
	int rc;
};

static bool
gc_valid(json_t *valid, const char *cid, const char *ifname)
{
	json_t *v;
	size_t i;

	json_array_foreach(valid, i, v) {
		const char *c = json_string_value(json_object_get(v, "containerID"));
		const char *n = json_string_value(json_object_get(v, "ifname"));

		if (c != NULL && n != NULL && strcmp(c, cid) == 0 &&
		    strcmp(n, ifname) == 0)
			return true;
	}
	return false;
}

/* The attachment key from the file name "<cid>@<ifname>.json". */
static int
gc_key(const char *path, struct cni_env *env)
{
	const char *base = strrchr(path, '/') != NULL ? strrchr(path, '/') + 1 :
			   path;
	const char *at = strchr(base, '@');
	size_t cid_len, if_len;

	if (at == NULL)
		return -EINVAL;
	cid_len = (size_t)(at - base);
	if_len = strlen(at + 1) - 5;    /* ".json" */
	if (cid_len >= sizeof(env->container_id) || if_len >= sizeof(env->ifname))
		return -EINVAL;
	memcpy(env->container_id, base, cid_len);
	env->container_id[cid_len] = '\0';
	memcpy(env->ifname, at + 1, if_len);
	env->ifname[if_len] = '\0';
	return cni_container_id_valid(env->container_id) &&
	       cni_ifname_valid(env->ifname) ? 0 : -EINVAL;
}

static int
gc_one(const char *path, json_t *state, void *arg)
{
	struct gc_walk *w = arg;
	struct cni_ctx *ctx = w->ctx;
	struct cni_attach a = { 0 };
	struct cni_err e = { 0 };
	int rc;

	if (gc_key(path, &ctx->env) < 0 ||
	    gc_valid(ctx->conf.valid_attachments, ctx->env.container_id,
		     ctx->env.ifname))
		return 0;
	CNI_LOG(INFO, "GC: %s/%s is stale", ctx->env.container_id,
		ctx->env.ifname);
	cni_attach_names(&ctx->env, CNI_IFTYPE_VETH, &a);
	cni_attach_vhost_paths(&ctx->conf, &ctx->env, &a, &e);
	cni_attach_from_state(state, &a);
	rc = teardown(ctx, &a, json_object_get(state, "interfaceType") != NULL,
		      &w->npvsd, &e);
	if (rc == 0 && w->ipam_del) {
		/* the IPAM plugin reads the attachment from its environment */
		setenv("CNI_CONTAINERID", ctx->env.container_id, 1);
		setenv("CNI_IFNAME", ctx->env.ifname, 1);
		setenv("CNI_NETNS", "", 1);
		rc = cni_ipam_exec(&ctx->conf, &ctx->env, "DEL", NULL, &e);
	}
	if (rc == 0)
		rc = cni_state_remove(path);
	if (rc < 0 && w->rc == 0) {
		w->rc = rc;
		ctx->err = e;
	}
	return 0;
}

int
cni_cmd_gc(struct cni_ctx *ctx)
{
	struct gc_walk w = { .ctx = ctx };
	struct cni_err e = { 0 };
	char version[16];
	int rc;

	ctx->lock_fd = cni_state_lock(ctx->conf.state_dir, true);
	if (ctx->lock_fd < 0)
		return cni_errf(&ctx->err, CNI_ERR_IO, -ctx->lock_fd,
				"cannot lock %s: %s", ctx->conf.state_dir,
				strerror(-ctx->lock_fd));
	rc = cni_ipam_version(&ctx->conf, &ctx->env, version, sizeof(version),
			      &e);
	w.ipam_del = rc < 0 || cni_version_cmp(version, "1.1.0") < 0;
	rc = cni_state_foreach(ctx->conf.state_dir, ctx->conf.name, gc_one, &w);
	if (rc < 0 && w.rc == 0)
		w.rc = cni_errf(&ctx->err, CNI_ERR_IO, -rc,
				"cannot read state of network %s: %s",
				ctx->conf.name, strerror(-rc));
	if (!w.ipam_del) {
		memset(&e, 0, sizeof(e));
		rc = cni_ipam_exec_v11(&ctx->conf, &ctx->env, "GC", &e);
		if (rc < 0 && w.rc == 0) {
			w.rc = rc;
			ctx->err = e;
		}
	}
	return w.rc;
}
