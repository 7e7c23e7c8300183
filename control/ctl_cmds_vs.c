/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ctl_cmds_vs.c: the handlers of the switch commands (docs/api.md):
 * version, port_add/del/list, endpoint_add/del/list, stats. Each validates
 * all its args into a vs_api.h spec first and only then calls vs_api.h, so
 * a refused request changes nothing. The table that names them is in
 * ctl_cmds.c.
 *
 * Thread-safety: control thread only (vs_api.h's one-caller rule).
 */
#include "ctl_cmds.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <jansson.h>

#include "acl_ruleset.h"
#include "ctl_cmds_policy.h"
#include "ctl_store.h"
#include "vs_api.h"

/* Kubernetes names: DNS-1123 label (namespace), subdomain (pod). */
#define CHARSET_DNS_LABEL "abcdefghijklmnopqrstuvwxyz0123456789-"
#define CHARSET_DNS_SUBDOMAIN CHARSET_DNS_LABEL "."
/* Interface names: no '/', ',', '=', ':' or blanks (they go into devargs). */
#define CHARSET_IFACE CTL_CHARSET_NAME "@"

/* A string for a reply, from a fixed-size field that should be NUL
 * terminated and UTF-8; never NULL but for lack of memory.
 */
static json_t *
jstr(const char *s, size_t max)
{
	json_t *j = json_stringn(s, strnlen(s, max));

	return j != NULL ? j : json_string("?");
}

/* A DNS-1123 name: charset, alphanumeric at both ends. */
static int
arg_dns_name(const json_t *args, const char *key, const char *charset,
		char *out, size_t size, struct ctl_err *err)
{
	char where[128];
	size_t len;
	int rc;

	rc = ctl_arg_str(args, key, true, charset, out, size, err);
	if (rc < 0)
		return rc;
	len = strlen(out);
	if (out[0] == '-' || out[0] == '.' || out[len - 1] == '-' ||
			out[len - 1] == '.') {
		snprintf(where, sizeof(where), "/args/%s", key);
		return ctl_err_set(err, EINVAL, where, "'%s' must start and "
				"end with a lower-case letter or digit", key);
	}
	return 1;
}

/* A port name: [A-Za-z0-9_.-], not starting with '-' or '.'. */
static int
arg_port_name(const json_t *args, const char *key, char *out,
		struct ctl_err *err)
{
	char where[128];
	int rc;

	rc = ctl_arg_str(args, key, true, CTL_CHARSET_NAME, out,
			VS_NAME_MAX, err);
	if (rc < 0)
		return rc;
	if (out[0] == '-' || out[0] == '.') {
		snprintf(where, sizeof(where), "/args/%s", key);
		return ctl_err_set(err, EINVAL, where,
				"'%s' must not start with '-' or '.'", key);
	}
	return 1;
}

/* ---- version ---- */

int
ctl_cmd_version(struct ctl_ctx *ctx, const json_t *args, json_t *reply,
		struct ctl_err *err)
{
	static const char *const allowed[] = { NULL };
	const struct vs_config *c;
	int rc;

	rc = ctl_args_only(args, allowed, err);
	if (rc < 0)
		return rc;
	c = vs_get_config(ctx->vs);
	json_object_set_new(reply, "version", json_string(NPVS_VERSION));
	json_object_set_new(reply, "node", jstr(c ? c->node_name : "",
			c ? sizeof(c->node_name) : 1));
	return 0;
}

/* ---- ports ---- */

static const char *const port_types[] = { "afpacket", "vhost", "devargs",
	NULL };
static const enum vs_port_type port_type_of[] = { VS_PORT_AFPACKET,
	VS_PORT_VHOST, VS_PORT_DEVARGS };

static const char *
port_type_name(enum vs_port_type t)
{
	unsigned int i;

	for (i = 0; port_types[i] != NULL; i++)
		if (port_type_of[i] == t)
			return port_types[i];
	return "unknown";
}

/* A vhost-user socket path: absolute, printable, no ',' (devargs). */
static int
check_vhost_path(const char *p, struct ctl_err *err)
{
	const char *c;

	if (p[0] != '/')
		return ctl_err_set(err, EINVAL, "/args/path",
				"'path' must be absolute");
	for (c = p; *c != '\0'; c++)
		if (*c == ',' || (unsigned char)*c <= 0x20 ||
				(unsigned char)*c >= 0x7f)
			return ctl_err_set(err, EINVAL, "/args/path",
					"'path' has a character that is not "
					"allowed (',', blank, non-ASCII)");
	return 0;
}

/* devargs: printable ASCII without blanks, e.g. net_null0,no-rx=1. */
static int
check_devargs(const char *d, struct ctl_err *err)
{
	for (; *d != '\0'; d++)
		if ((unsigned char)*d <= 0x20 || (unsigned char)*d >= 0x7f)
			return ctl_err_set(err, EINVAL, "/args/devargs",
					"'devargs' must be printable ASCII "
					"without blanks");
	return 0;
}

/* The type-specific part of port_add. */
static int
parse_port_type_args(const json_t *args, struct vs_port_spec *spec,
		struct ctl_err *err)
{
	static const char *const afp[] = { "name", "type", "uplink",
		"iface", "max_frame", NULL };
	static const char *const vh[] = { "name", "type", "uplink", "path",
		"mode", "mtu", NULL };
	static const char *const dev[] = { "name", "type", "uplink",
		"devargs", NULL };
	static const char *const modes[] = { "server", "client", NULL };
	unsigned int mode = 0;
	uint64_t v = 0;
	int rc;

	switch (spec->type) {
	case VS_PORT_AFPACKET:
		rc = ctl_args_only(args, afp, err);
		if (rc >= 0)
			rc = ctl_arg_str(args, "iface", true, CHARSET_IFACE,
					spec->iface, sizeof(spec->iface), err);
		if (rc >= 0)
			rc = ctl_arg_uint(args, "max_frame", VS_MAX_FRAME_MIN,
					VS_MAX_FRAME_MAX, &v, err);
		spec->max_frame = (uint32_t)v;
		return rc;
	case VS_PORT_VHOST:
		rc = ctl_args_only(args, vh, err);
		if (rc >= 0)
			rc = ctl_arg_str(args, "path", true, NULL, spec->path,
					sizeof(spec->path), err);
		if (rc >= 0)
			rc = check_vhost_path(spec->path, err);
		if (rc >= 0)
			rc = ctl_arg_enum(args, "mode", false, modes, &mode,
					err);
		spec->vhost_client = mode == 1;
		if (rc >= 0)
			rc = ctl_arg_uint(args, "mtu", VS_VHOST_MTU_MIN,
					VS_VHOST_MTU_MAX, &v, err);
		spec->mtu = (uint32_t)v;
		return rc;
	case VS_PORT_DEVARGS:
		rc = ctl_args_only(args, dev, err);
		if (rc >= 0)
			rc = ctl_arg_str(args, "devargs", true, NULL,
					spec->devargs, sizeof(spec->devargs),
					err);
		if (rc >= 0)
			rc = check_devargs(spec->devargs, err);
		return rc;
	}
	return ctl_err_set(err, EINVAL, "/args/type", "bad port type");
}

/* Validate port_add's args into spec; no side effect. */
static int
parse_port_spec(const json_t *args, struct vs_port_spec *spec,
		struct ctl_err *err)
{
	unsigned int type = 0;
	int rc;

	memset(spec, 0, sizeof(*spec));
	rc = arg_port_name(args, "name", spec->name, err);
	if (rc >= 0)
		rc = ctl_arg_enum(args, "type", true, port_types, &type, err);
	if (rc < 0)
		return rc;
	spec->type = port_type_of[type];
	rc = ctl_arg_bool(args, "uplink", &spec->uplink, err);
	if (rc < 0)
		return rc;
	return parse_port_type_args(args, spec, err);
}

static json_t *
port_json(const struct vs_port_info *p)
{
	json_t *o = json_object();

	if (o == NULL)
		return NULL;
	json_object_set_new(o, "name", jstr(p->name, sizeof(p->name)));
	json_object_set_new(o, "type", json_string(port_type_name(p->type)));
	json_object_set_new(o, "uplink", json_boolean(p->uplink));
	json_object_set_new(o, "link_up", json_boolean(p->link_up));
	json_object_set_new(o, "port_id", json_integer(p->port_id));
	json_object_set_new(o, "detail", jstr(p->detail, sizeof(p->detail)));
	json_object_set_new(o, "rx_packets",
			json_integer((json_int_t)p->stats.rx_packets));
	json_object_set_new(o, "rx_bytes",
			json_integer((json_int_t)p->stats.rx_bytes));
	json_object_set_new(o, "tx_packets",
			json_integer((json_int_t)p->stats.tx_packets));
	json_object_set_new(o, "tx_bytes",
			json_integer((json_int_t)p->stats.tx_bytes));
	json_object_set_new(o, "tx_full",
			json_integer((json_int_t)p->stats.tx_full));
	json_object_set_new(o, "rx_truncated",
			json_integer((json_int_t)p->stats.rx_truncated));
	json_object_set_new(o, "tx_frags",
			json_integer((json_int_t)p->stats.tx_frags));
	return o;
}

/* All ports, in a buffer that grows until vs_port_list() fits in it. */
static struct vs_port_info *
ports_get(struct vs *vs, uint32_t *n)
{
	struct vs_port_info *v;
	uint32_t cap = 16, got;

	for (;;) {
		v = calloc(cap, sizeof(*v));
		if (v == NULL)
			return NULL;
		got = vs_port_list(vs, v, cap);
		if (got < cap || cap >= 65536) {
			*n = got < cap ? got : cap;
			return v;
		}
		free(v);
		cap *= 2;
	}
}

/* {"ports": [...]} into reply; if only is not NULL, "port": that one. */
static int
add_ports(struct ctl_ctx *ctx, json_t *reply, const char *only,
		struct ctl_err *err)
{
	struct vs_port_info *v;
	json_t *arr;
	uint32_t n, i;

	v = ports_get(ctx->vs, &n);
	arr = json_array();
	if (v == NULL || arr == NULL) {
		free(v);
		json_decref(arr);
		return ctl_err_set(err, ENOMEM, NULL, "out of memory");
	}
	for (i = 0; i < n; i++) {
		if (only == NULL)
			json_array_append_new(arr, port_json(&v[i]));
		else if (strncmp(v[i].name, only, sizeof(v[i].name)) == 0)
			json_object_set_new(reply, "port", port_json(&v[i]));
	}
	free(v);
	if (only == NULL)
		json_object_set_new(reply, "ports", arr);
	else
		json_decref(arr);
	return 0;
}

/* Whether a port of that name exists (to blame /args/name for EEXIST). */
static bool
port_exists(struct vs *vs, const char *name)
{
	struct vs_port_info *v;
	uint32_t n, i;
	bool found = false;

	v = ports_get(vs, &n);
	for (i = 0; v != NULL && i < n && !found; i++)
		found = strncmp(v[i].name, name, sizeof(v[i].name)) == 0;
	free(v);
	return found;
}

int
ctl_cmd_port_add(struct ctl_ctx *ctx, const json_t *args, json_t *reply,
		struct ctl_err *err)
{
	struct vs_port_spec spec;
	char msg[256] = "";
	int rc;

	rc = parse_port_spec(args, &spec, err);
	if (rc < 0)
		return rc;
	rc = vs_port_add(ctx->vs, &spec, msg, sizeof(msg));
	if (rc < 0 && msg[0] == '\0')
		snprintf(msg, sizeof(msg), "port %s: %s", spec.name,
				strerror(-rc));
	if (rc < 0)
		return ctl_err_set(err, rc, rc == -EEXIST &&
				port_exists(ctx->vs, spec.name) ?
				"/args/name" : NULL, "%s", msg);
	return add_ports(ctx, reply, spec.name, err);
}

int
ctl_cmd_port_del(struct ctl_ctx *ctx, const json_t *args, json_t *reply,
		struct ctl_err *err)
{
	static const char *const allowed[] = { "name", NULL };
	char name[VS_NAME_MAX];
	int rc;

	(void)reply;
	rc = ctl_args_only(args, allowed, err);
	if (rc >= 0)
		rc = arg_port_name(args, "name", name, err);
	if (rc < 0)
		return rc;
	rc = vs_port_del(ctx->vs, name);
	if (rc == -ENOENT)
		return ctl_err_set(err, rc, "/args/name", "no port %s", name);
	if (rc < 0)
		return ctl_err_set(err, rc, NULL, "port %s: %s", name,
				strerror(-rc));
	return 0;
}

int
ctl_cmd_port_list(struct ctl_ctx *ctx, const json_t *args, json_t *reply,
		struct ctl_err *err)
{
	static const char *const allowed[] = { NULL };
	int rc;

	rc = ctl_args_only(args, allowed, err);
	if (rc < 0)
		return rc;
	return add_ports(ctx, reply, NULL, err);
}

/* ---- endpoints ---- */

/* aa:bb:cc:dd:ee:ff, unicast and not all zero. */
static int
parse_mac(const char *s, uint8_t mac[6], struct ctl_err *err)
{
	static const char hex[] = "0123456789abcdef";
	unsigned int i;
	const char *h, *l;

	if (strlen(s) != 17)
		goto err_bad_mac;
	for (i = 0; i < 6; i++) {
		h = strchr(hex, s[3 * i] | 0x20);
		l = strchr(hex, s[3 * i + 1] | 0x20);
		if (s[3 * i] == '\0' || s[3 * i + 1] == '\0' || h == NULL ||
				l == NULL || (i < 5 && s[3 * i + 2] != ':'))
			goto err_bad_mac;
		mac[i] = (uint8_t)((h - hex) << 4 | (l - hex));
	}
	if (mac[0] & 1)
		return ctl_err_set(err, EINVAL, "/args/mac",
				"'mac' must be a unicast address");
	if ((mac[0] | mac[1] | mac[2] | mac[3] | mac[4] | mac[5]) == 0)
		return ctl_err_set(err, EINVAL, "/args/mac",
				"'mac' must not be 00:00:00:00:00:00");
	return 0;

err_bad_mac:
	return ctl_err_set(err, EINVAL, "/args/mac",
			"'mac' must look like aa:bb:cc:dd:ee:ff");
}

/* "ips": 1 to VS_EP_IPS_MAX distinct IPv4/IPv6 addresses. */
static int
parse_ips(const json_t *args, struct vs_endpoint_spec *spec,
		struct ctl_err *err)
{
	const json_t *a = json_object_get(args, "ips"), *v;
	char where[64];
	size_t i, j;

	if (a == NULL)
		return ctl_err_set(err, EINVAL, "/args/ips",
				"missing argument 'ips'");
	if (!json_is_array(a) || json_array_size(a) == 0 ||
			json_array_size(a) > VS_EP_IPS_MAX)
		return ctl_err_set(err, EINVAL, "/args/ips", "'ips' must be "
				"an array of 1 to %d addresses", VS_EP_IPS_MAX);
	json_array_foreach(a, i, v) {
		struct vs_ip *ip = &spec->ips[i];
		const char *s = json_string_value(v);

		snprintf(where, sizeof(where), "/args/ips/%zu", i);
		memset(ip, 0, sizeof(*ip));
		if (s != NULL && inet_pton(AF_INET, s, ip->addr) == 1)
			ip->family = AF_INET;
		else if (s != NULL && inet_pton(AF_INET6, s, ip->addr) == 1)
			ip->family = AF_INET6;
		else
			return ctl_err_set(err, EINVAL, where,
					"not an IPv4 or IPv6 address");
		for (j = 0; j < i; j++)
			if (memcmp(&spec->ips[j], ip, sizeof(*ip)) == 0)
				return ctl_err_set(err, EINVAL, where,
						"address listed twice");
	}
	spec->n_ips = (uint32_t)json_array_size(a);
	return 0;
}

/* Validate endpoint_add's args into spec; no side effect. */
static int
parse_endpoint_spec(const json_t *args, struct vs_endpoint_spec *spec,
		struct ctl_err *err)
{
	static const char *const allowed[] = { "namespace", "name", "port",
		"ips", "mac", NULL };
	char mac[32];
	int rc;

	memset(spec, 0, sizeof(*spec));
	rc = ctl_args_only(args, allowed, err);
	if (rc >= 0)
		rc = arg_dns_name(args, "namespace", CHARSET_DNS_LABEL,
				spec->ns, sizeof(spec->ns), err);
	if (rc >= 0)
		rc = arg_dns_name(args, "name", CHARSET_DNS_SUBDOMAIN,
				spec->name, sizeof(spec->name), err);
	if (rc >= 0)
		rc = arg_port_name(args, "port", spec->port, err);
	if (rc >= 0)
		rc = parse_ips(args, spec, err);
	if (rc >= 0)
		rc = ctl_arg_str(args, "mac", false, NULL, mac, sizeof(mac),
				err);
	if (rc > 0) {
		rc = parse_mac(mac, spec->mac, err);
		spec->has_mac = rc == 0;
	}
	return rc < 0 ? rc : 0;
}

static json_t *
ip_json(const struct vs_ip *ip)
{
	char buf[INET6_ADDRSTRLEN];

	if (inet_ntop(ip->family == AF_INET6 ? AF_INET6 : AF_INET, ip->addr,
			buf, sizeof(buf)) == NULL)
		return json_string("?");
	return json_string(buf);
}

static json_t *
endpoint_json(const struct vs_endpoint_info *e)
{
	const struct vs_endpoint_spec *s = &e->spec;
	json_t *o = json_object(), *ips = json_array();
	char mac[18];
	uint32_t i;

	if (o == NULL || ips == NULL) {
		json_decref(o);
		json_decref(ips);
		return NULL;
	}
	for (i = 0; i < s->n_ips && i < VS_EP_IPS_MAX; i++)
		json_array_append_new(ips, ip_json(&s->ips[i]));
	snprintf(mac, sizeof(mac), "%02x:%02x:%02x:%02x:%02x:%02x",
			e->mac[0], e->mac[1], e->mac[2], e->mac[3], e->mac[4],
			e->mac[5]);
	json_object_set_new(o, "namespace", jstr(s->ns, sizeof(s->ns)));
	json_object_set_new(o, "name", jstr(s->name, sizeof(s->name)));
	json_object_set_new(o, "port", jstr(s->port, sizeof(s->port)));
	json_object_set_new(o, "ips", ips);
	json_object_set_new(o, "mac", e->mac_known ? json_string(mac) :
			json_null());
	json_object_set_new(o, "port_present", json_boolean(e->port_present));
	return o;
}

static struct vs_endpoint_info *
endpoints_get(struct vs *vs, uint32_t *n)
{
	struct vs_endpoint_info *v;
	uint32_t cap = 16, got;

	for (;;) {
		v = calloc(cap, sizeof(*v));
		if (v == NULL)
			return NULL;
		got = vs_endpoint_list(vs, v, cap);
		if (got < cap || cap >= 65536) {
			*n = got < cap ? got : cap;
			return v;
		}
		free(v);
		cap *= 2;
	}
}

/* {"endpoints": [...]}, or "endpoint": the one named ns/name. */
static int
add_endpoints(struct ctl_ctx *ctx, json_t *reply, const char *ns,
		const char *name, struct ctl_err *err)
{
	struct vs_endpoint_info *v;
	json_t *arr;
	uint32_t n, i;

	v = endpoints_get(ctx->vs, &n);
	arr = json_array();
	if (v == NULL || arr == NULL) {
		free(v);
		json_decref(arr);
		return ctl_err_set(err, ENOMEM, NULL, "out of memory");
	}
	for (i = 0; i < n; i++) {
		if (ns == NULL)
			json_array_append_new(arr, endpoint_json(&v[i]));
		else if (strncmp(v[i].spec.ns, ns, VS_NS_MAX) == 0 &&
				strncmp(v[i].spec.name, name, VS_POD_MAX) == 0)
			json_object_set_new(reply, "endpoint",
					endpoint_json(&v[i]));
	}
	free(v);
	if (ns == NULL)
		json_object_set_new(reply, "endpoints", arr);
	else
		json_decref(arr);
	return 0;
}

int
ctl_cmd_endpoint_add(struct ctl_ctx *ctx, const json_t *args, json_t *reply,
		struct ctl_err *err)
{
	struct vs_endpoint_spec spec;
	char msg[256] = "";
	int rc;

	rc = parse_endpoint_spec(args, &spec, err);
	if (rc < 0)
		return rc;
	if (ctl_cmds_store(ctx) == NULL)
		return ctl_err_set(err, ENOMEM, NULL, "out of memory");
	/* the policy learns the pod is local (ctl_store.h) */
	rc = ctl_store_endpoint_add(ctx->store, ctx->vs, &spec, msg,
			sizeof(msg));
	if (rc < 0 && msg[0] == '\0')
		snprintf(msg, sizeof(msg), "endpoint %s/%.120s: %s", spec.ns,
				spec.name, strerror(-rc));
	if (rc < 0)
		return ctl_err_set(err, rc, NULL, "%s", msg);
	return add_endpoints(ctx, reply, spec.ns, spec.name, err);
}

int
ctl_cmd_endpoint_del(struct ctl_ctx *ctx, const json_t *args, json_t *reply,
		struct ctl_err *err)
{
	static const char *const allowed[] = { "namespace", "name", NULL };
	char ns[VS_NS_MAX], name[VS_POD_MAX];
	int rc;

	(void)reply;
	rc = ctl_args_only(args, allowed, err);
	if (rc >= 0)
		rc = arg_dns_name(args, "namespace", CHARSET_DNS_LABEL, ns,
				sizeof(ns), err);
	if (rc >= 0)
		rc = arg_dns_name(args, "name", CHARSET_DNS_SUBDOMAIN, name,
				sizeof(name), err);
	if (rc < 0)
		return rc;
	if (ctl_cmds_store(ctx) == NULL)
		return ctl_err_set(err, ENOMEM, NULL, "out of memory");
	rc = ctl_store_endpoint_del(ctx->store, ctx->vs, ns, name);
	if (rc == -ENOENT)
		return ctl_err_set(err, rc, "/args/name", "no endpoint %s/%s",
				ns, name);
	if (rc < 0)
		return ctl_err_set(err, rc, NULL, "endpoint %s/%s: %s", ns,
				name, strerror(-rc));
	return 0;
}

int
ctl_cmd_endpoint_list(struct ctl_ctx *ctx, const json_t *args, json_t *reply,
		struct ctl_err *err)
{
	static const char *const allowed[] = { NULL };
	int rc;

	rc = ctl_args_only(args, allowed, err);
	if (rc < 0)
		return rc;
	return add_endpoints(ctx, reply, NULL, NULL, err);
}

/* ---- counters ---- */

/* The rte_acl classify method in use and, when it was measured, every
 * method's ns per key: {"method", "configured", "measured", "ns_per_key"}. */
static void
add_classify(struct ctl_ctx *ctx, json_t *reply)
{
	const struct acl_alg_report *r = vs_policy_classify(ctx->vs);
	json_t *o, *t;
	int a;

	if (r == NULL || (o = json_object()) == NULL)
		return;
	t = json_object();
	for (a = 1; a < ACL_ALG_NUM && t != NULL; a++)
		if (r->supported[a] && r->ns_per_key[a] > 0)
			json_object_set_new(t, acl_alg_name(a),
					json_real(r->ns_per_key[a]));
	json_object_set_new(o, "method", json_string(acl_alg_name(r->chosen)));
	json_object_set_new(o, "configured",
			json_string(acl_alg_name(r->wanted)));
	json_object_set_new(o, "measured", json_boolean(r->measured));
	if (t != NULL)
		json_object_set_new(o, "ns_per_key", t);
	json_object_set_new(reply, "classify", o);
}

/* The live policy's merged contexts (acl_merge.c), when there is one:
 * "policy_merge": {"planned", "merged", "pending", ...}. */
static void
add_merge(struct ctl_ctx *ctx, json_t *reply)
{
	const struct acl_ruleset *rs = vs_policy_get(ctx->vs);
	struct acl_ruleset_stats st;
	json_t *o;

	if (rs == NULL || (o = json_object()) == NULL)
		return;
	acl_ruleset_get_stats(rs, &st);
#define SET(k, v) json_object_set_new(o, k, json_integer((json_int_t)(v)))
	SET("planned", st.n_merge_planned);
	SET("merged", st.n_merged);
	SET("carried", st.n_merge_carried);
	SET("pending", st.n_merge_pending);
	SET("failed", st.n_merge_failed);
	SET("skipped", st.n_merge_skipped);
	SET("rules", st.n_merged_rules);
	SET("mem_bytes", st.merged_mem_size);
#undef SET
	json_object_set_new(o, "build_ms", json_real(st.merge_build_ns / 1e6));
	json_object_set_new(reply, "policy_merge", o);
}

int
ctl_cmd_stats(struct ctl_ctx *ctx, const json_t *args, json_t *reply,
		struct ctl_err *err)
{
	static const char *const allowed[] = { NULL };
	uint64_t drops[VS_DROP_MAX] = { 0 };
	json_t *d;
	int rc, i;

	rc = ctl_args_only(args, allowed, err);
	if (rc < 0)
		return rc;
	rc = add_ports(ctx, reply, NULL, err);
	if (rc < 0)
		return rc;
	add_merge(ctx, reply);
	d = json_object();
	if (d == NULL)
		return ctl_err_set(err, ENOMEM, NULL, "out of memory");
	vs_drop_stats(ctx->vs, drops);
	for (i = 0; i < VS_DROP_MAX; i++)
		json_object_set_new(d, vs_drop_name((enum vs_drop)i),
				json_integer((json_int_t)drops[i]));
	json_object_set_new(reply, "drops", d);
	add_classify(ctx, reply);
	return 0;
}

