/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cni_npvsd.c: npvs-cni's side of npvsd's control socket (cni_npvsd.h):
 * requests through ctl_client (one exchange per call), each with a
 * deadline so a hung npvsd cannot hang the container runtime.
 */
#include "cni_npvsd.h"

#include <errno.h>
#include <string.h>

#include "ctl_client.h"

static int
unreachable(struct cni_err *err, const char *path, int rc)
{
	return cni_errf(err, CNI_ERR_TRY_AGAIN, -rc,
			"npvsd is not reachable at %s: %s", path, strerror(-rc));
}

int
cni_npvsd_connect(struct cni_npvsd *c, const char *path,
		unsigned int timeout_ms, struct cni_err *err)
{
	int rc;

	memset(c, 0, sizeof(*c));
	c->timeout_ms = timeout_ms;
	if (strlen(path) >= sizeof(c->path))
		return cni_errf(err, CNI_ERR_INVALID_CONFIG, ENAMETOOLONG,
				"socket path %s is too long", path);
	strcpy(c->path, path);
	c->up = true;
	rc = cni_npvsd_call(c, "version", NULL, NULL, err);
	if (rc < 0)
		c->up = false;
	return rc;
}

void
cni_npvsd_close(struct cni_npvsd *c)
{
	c->up = false;
}

int
cni_npvsd_call(struct cni_npvsd *c, const char *cmd, json_t *args,
		json_t **reply, struct cni_err *err)
{
	char msg[256] = "";
	json_t *res = NULL;
	int rc;

	if (reply != NULL)
		*reply = NULL;
	if (!c->up) {
		json_decref(args);
		return unreachable(err, c->path, -ENOTCONN);
	}
	rc = ctl_client_cmd(c->path, cmd, args, &res, (int)c->timeout_ms, msg,
			    sizeof(msg));
	if (rc < 0) {
		/* no socket or nobody listening: npvsd is not running */
		if (rc == -ENOENT || rc == -ECONNREFUSED || rc == -ENOTSOCK)
			rc = -ECONNREFUSED;
		cni_errf(err, CNI_ERR_TRY_AGAIN, -rc,
			 "npvsd is not reachable at %s: %s", c->path, msg);
		return rc;
	}
	rc = ctl_client_status(res, msg, sizeof(msg));
	/* ENOENT is often an answer, not a failure: callers decide */
	if (rc < 0 && rc != -ENOENT)
		cni_errf(err, CNI_ERR_NPVSD, -rc, "npvsd %s: %s", cmd, msg);
	if (rc == 0 && reply != NULL)
		*reply = res;
	else
		json_decref(res);
	return rc;
}

int
cni_npvsd_port_add_afpacket(struct cni_npvsd *c, const char *name,
		const char *iface, unsigned int max_frame, struct cni_err *err)
{
	json_t *a = json_pack("{s:s, s:s, s:s}", "name", name, "type",
			"afpacket", "iface", iface);

	if (a != NULL && max_frame != 0)
		json_object_set_new(a, "max_frame", json_integer(max_frame));
	return cni_npvsd_call(c, "port_add", a, NULL, err);
}

int
cni_npvsd_port_add_vhost(struct cni_npvsd *c, const char *name,
		const char *path, bool npvsd_is_client, unsigned int mtu,
		struct cni_err *err)
{
	json_t *a = json_pack("{s:s, s:s, s:s, s:s}", "name", name, "type",
			"vhost", "path", path, "mode",
			npvsd_is_client ? "client" : "server");

	if (a != NULL && mtu != 0)
		json_object_set_new(a, "mtu", json_integer(mtu));
	return cni_npvsd_call(c, "port_add", a, NULL, err);
}

int
cni_npvsd_port_del(struct cni_npvsd *c, const char *name,
		struct cni_err *err)
{
	int rc = cni_npvsd_call(c, "port_del",
				json_pack("{s:s}", "name", name), NULL, err);

	return rc == -ENOENT || rc == -ENODEV ? 0 : rc;
}

int
cni_npvsd_port_exists(struct cni_npvsd *c, const char *name,
		struct cni_err *err)
{
	json_t *reply, *ports, *p;
	size_t i;
	int rc, found = 0;

	rc = cni_npvsd_call(c, "port_list", NULL, &reply, err);
	if (rc < 0)
		return rc == -ENOENT ? cni_errf(err, CNI_ERR_NPVSD, ENOENT,
					"npvsd port_list failed") : rc;
	ports = json_object_get(reply, "ports");
	json_array_foreach(ports, i, p) {
		const char *n = json_string_value(json_object_get(p, "name"));

		if (n != NULL && strcmp(n, name) == 0)
			found = 1;
	}
	json_decref(reply);
	return found;
}

int
cni_npvsd_endpoint_add(struct cni_npvsd *c, const char *ns,
		const char *name, const char *port, json_t *ips,
		const char *mac, struct cni_err *err)
{
	json_t *args = json_pack("{s:s, s:s, s:s, s:O}", "namespace", ns,
				 "name", name, "port", port, "ips", ips);
	int rc;

	if (args != NULL && mac != NULL)
		json_object_set_new(args, "mac", json_string(mac));
	rc = cni_npvsd_call(c, "endpoint_add", args, NULL, err);
	if (rc == -ENOENT)
		return cni_errf(err, CNI_ERR_NPVSD, ENOENT,
				"npvsd endpoint_add %s/%s: not found", ns, name);
	return rc;
}

int
cni_npvsd_endpoint_get(struct cni_npvsd *c, const char *ns,
		const char *name, char port[32], struct cni_err *err)
{
	json_t *reply, *eps, *e;
	size_t i;
	int rc, found = 0;

	port[0] = '\0';
	rc = cni_npvsd_call(c, "endpoint_list", NULL, &reply, err);
	if (rc < 0)
		return rc == -ENOENT ? cni_errf(err, CNI_ERR_NPVSD, ENOENT,
					"npvsd endpoint_list failed") : rc;
	eps = json_object_get(reply, "endpoints");
	json_array_foreach(eps, i, e) {
		const char *n = json_string_value(json_object_get(e, "name"));
		const char *s = json_string_value(json_object_get(e, "namespace"));
		const char *p = json_string_value(json_object_get(e, "port"));

		if (n == NULL || s == NULL || strcmp(n, name) != 0 ||
		    strcmp(s, ns) != 0)
			continue;
		found = 1;
		if (p != NULL && strlen(p) < 32)
			strcpy(port, p);
	}
	json_decref(reply);
	return found;
}

int
cni_npvsd_endpoint_del(struct cni_npvsd *c, const char *ns,
		const char *name, struct cni_err *err)
{
	int rc = cni_npvsd_call(c, "endpoint_del",
				json_pack("{s:s, s:s}", "namespace", ns,
					  "name", name), NULL, err);

	return rc == -ENOENT ? 0 : rc;
}
