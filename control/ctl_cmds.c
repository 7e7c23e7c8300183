/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ctl_cmds.c: the command table, the request envelope and dispatch, and the
 * argument helpers that every handler validates with, each naming the
 * faulty field by JSON pointer (ctl_cmds.h, docs/api.md). The handlers of
 * the switch commands live in ctl_cmds_vs.c.
 *
 * Thread-safety: control thread only.
 */
#include "ctl_cmds.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "ctl_cmds_dp.h"
#include "ctl_cmds_policy.h"
#include "ctl_nodes.h"
#include "ctl_proto.h"

/* The command table: one row per command (docs/api.md lists them). */
static const struct ctl_cmd cmds[] = {
	{ "version", ctl_cmd_version, "npvsd's version and node name" },
	{ "port_add", ctl_cmd_port_add,
	  "name, type (afpacket: iface, max_frame | vhost: path, mode, mtu | "
	  "devargs: devargs), uplink: add a port" },
	{ "port_del", ctl_cmd_port_del, "name: remove a port" },
	{ "port_list", ctl_cmd_port_list, "every port with its counters" },
	{ "endpoint_add", ctl_cmd_endpoint_add,
	  "namespace, name, port, ips, mac: add or replace a pod" },
	{ "endpoint_del", ctl_cmd_endpoint_del, "namespace, name: remove a pod" },
	{ "endpoint_list", ctl_cmd_endpoint_list, "every pod" },
	{ "stats", ctl_cmd_stats, "port counters and drop counters" },
	{ "apply", ctl_cmd_apply, "source, text | documents, dry_run: add or "
	  "update objects from manifests, one transaction" },
	{ "delete", ctl_cmd_delete, "source, text | documents | objects, "
	  "ignore_not_found, dry_run: remove objects" },
	{ "node_list", ctl_cmd_node_list, "other nodes (VXLAN tunnels), "
	  "tunnel state and counters" },
	{ "node_info", ctl_cmd_node_info, "this node's Node object with "
	  "Flannel's annotations (apply it on the Flannel side)" },
	{ "get", ctl_cmd_get, "kind, namespace: stored objects and a table" },
	{ "trace", ctl_cmd_trace, "src, dst, proto, dport, sport: a synthetic "
	  "packet through the live policy and connection table" },
	{ "flows", ctl_cmd_flows, "src, dst, proto, limit: connection-table "
	  "entries" },
	{ "log", ctl_cmd_log, "after, limit: recent denied packets" },
	{ "policy_stats", ctl_cmd_policy_stats, "allowed packets per policy "
	  "rule, denied per endpoint, connection-table figures" },
};

#define N_CMDS (sizeof(cmds) / sizeof(cmds[0]))

const struct ctl_cmd *
ctl_cmds_table(size_t *n)
{
	*n = N_CMDS;
	return cmds;
}

const struct ctl_cmd *
ctl_cmd_lookup(const char *name)
{
	size_t i;

	for (i = 0; i < N_CMDS; i++)
		if (strcmp(cmds[i].name, name) == 0)
			return &cmds[i];
	return NULL;
}

/* ---- errors and replies ---- */

int
ctl_err_set(struct ctl_err *err, int code, const char *where,
		const char *fmt, ...)
{
	va_list ap;

	if (code < 0)
		code = -code;
	err->code = code;
	snprintf(err->where, sizeof(err->where), "%s", where ? where : "");
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return -code;
}

/* Messages are ours and ASCII; anything else (a byte cut in half by
 * truncation, a control character) becomes '?' so json_string() accepts it.
 */
static void
ascii_clean(char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
			*s = '?';
}

json_t *
ctl_reply_error(const struct ctl_err *e)
{
	struct ctl_err c = *e;
	json_t *r;

	c.msg[sizeof(c.msg) - 1] = '\0';
	c.where[sizeof(c.where) - 1] = '\0';
	ascii_clean(c.msg);
	ascii_clean(c.where);
	if (c.msg[0] == '\0')
		snprintf(c.msg, sizeof(c.msg), "%s", strerror(c.code));
	r = json_pack("{s:b, s:s, s:s}", "ok", 0, "error", c.msg,
			"code", ctl_errno_name(c.code));
	if (r != NULL && c.where[0] != '\0')
		json_object_set_new(r, "where", json_string(c.where));
	return r;
}

/* A user string, if it is short and made of name characters, to quote in
 * a message; else "...".
 */
static const char *
quotable(const char *s)
{
	size_t len = strlen(s);

	return len < 64 && strspn(s, CTL_CHARSET_NAME) == len ? s : "...";
}

/* ---- argument helpers ---- */

int
ctl_args_only(const json_t *args, const char *const *allowed,
		struct ctl_err *err)
{
	const char *key;
	const char *const *a;
	json_t *v;
	char where[128];

	json_object_foreach((json_t *)args, key, v) {
		for (a = allowed; *a != NULL; a++)
			if (strcmp(*a, key) == 0)
				break;
		if (*a != NULL)
			continue;
		if (strcmp(quotable(key), key) == 0) {
			snprintf(where, sizeof(where), "/args/%s", key);
			return ctl_err_set(err, EINVAL, where,
					"unknown argument '%s'", key);
		}
		return ctl_err_set(err, EINVAL, "/args", "unknown argument");
	}
	return 0;
}

int
ctl_arg_str(const json_t *args, const char *key, bool required,
		const char *charset, char *out, size_t size, struct ctl_err *err)
{
	char where[128];
	const json_t *v = json_object_get(args, key);
	const char *s;
	size_t len;

	snprintf(where, sizeof(where), "/args/%s", key);
	if (v == NULL) {
		if (required)
			return ctl_err_set(err, EINVAL, where,
					"missing argument '%s'", key);
		return 0;
	}
	if (!json_is_string(v))
		return ctl_err_set(err, EINVAL, where,
				"'%s' must be a string", key);
	s = json_string_value(v);
	len = json_string_length(v);
	if (len == 0)
		return ctl_err_set(err, EINVAL, where,
				"'%s' must not be empty", key);
	if (len >= size)
		return ctl_err_set(err, EINVAL, where,
				"'%s' is longer than %zu characters", key,
				size - 1);
	if (strlen(s) != len ||
			(charset != NULL && strspn(s, charset) != len))
		return ctl_err_set(err, EINVAL, where,
				"'%s' has a character that is not allowed",
				key);
	memcpy(out, s, len + 1);
	return 1;
}

int
ctl_arg_bool(const json_t *args, const char *key, bool *out,
		struct ctl_err *err)
{
	char where[128];
	const json_t *v = json_object_get(args, key);

	if (v == NULL)
		return 0;
	if (!json_is_boolean(v)) {
		snprintf(where, sizeof(where), "/args/%s", key);
		return ctl_err_set(err, EINVAL, where,
				"'%s' must be true or false", key);
	}
	*out = json_is_true(v);
	return 1;
}

int
ctl_arg_uint(const json_t *args, const char *key, uint64_t min, uint64_t max,
		uint64_t *out, struct ctl_err *err)
{
	const json_t *v = json_object_get(args, key);
	char where[128];

	if (v == NULL)
		return 0;
	snprintf(where, sizeof(where), "/args/%s", key);
	if (!json_is_integer(v) || json_integer_value(v) < 0 ||
			(uint64_t)json_integer_value(v) < min ||
			(uint64_t)json_integer_value(v) > max)
		return ctl_err_set(err, EINVAL, where,
				"'%s' must be an integer from %" PRIu64 " to %"
				PRIu64, key, min, max);
	*out = (uint64_t)json_integer_value(v);
	return 1;
}

int
ctl_arg_enum(const json_t *args, const char *key, bool required,
		const char *const *choices, unsigned int *idx,
		struct ctl_err *err)
{
	const json_t *v = json_object_get(args, key);
	const char *s = json_string_value(v);
	char where[128], list[256] = "";
	unsigned int i;

	snprintf(where, sizeof(where), "/args/%s", key);
	if (v == NULL && !required)
		return 0;
	if (v == NULL)
		return ctl_err_set(err, EINVAL, where,
				"missing argument '%s'", key);
	for (i = 0; s != NULL && choices[i] != NULL; i++)
		if (strcmp(choices[i], s) == 0) {
			*idx = i;
			return 1;
		}
	for (i = 0; choices[i] != NULL; i++)
		snprintf(list + strlen(list), sizeof(list) - strlen(list),
				"%s%s", i ? ", " : "", choices[i]);
	return ctl_err_set(err, EINVAL, where, "'%s' must be one of: %s",
			key, list);
}

/* ---- envelope and dispatch ---- */

/* {"cmd": string, "args": object (optional), "id": any (optional)}. */
static int
check_envelope(const json_t *req, const struct ctl_cmd **cmd,
		const json_t **args, struct ctl_err *err)
{
	static const char *const keys[] = { "cmd", "args", "id", NULL };
	const char *key, *const *k, *name;
	json_t *v;

	if (!json_is_object(req))
		return ctl_err_set(err, EINVAL, "",
				"a request must be a JSON object");
	json_object_foreach((json_t *)req, key, v) {
		for (k = keys; *k != NULL && strcmp(*k, key) != 0; k++)
			;
		if (*k == NULL)
			return ctl_err_set(err, EINVAL, "", "unknown member in "
					"request (only cmd, args, id)");
	}
	v = json_object_get(req, "cmd");
	if (v == NULL)
		return ctl_err_set(err, EINVAL, "/cmd", "missing 'cmd'");
	name = json_string_value(v);
	if (name == NULL)
		return ctl_err_set(err, EINVAL, "/cmd",
				"'cmd' must be a string");
	*cmd = ctl_cmd_lookup(name);
	if (*cmd == NULL)
		return ctl_err_set(err, ENOSYS, "/cmd", "unknown command '%s'",
				quotable(name));
	*args = json_object_get(req, "args");
	if (*args != NULL && !json_is_object(*args))
		return ctl_err_set(err, EINVAL, "/args",
				"'args' must be an object");
	return 0;
}

/* Copy the request's "id", if any, into the reply. */
static json_t *
with_id(json_t *reply, const json_t *req)
{
	json_t *id = json_is_object(req) ? json_object_get(req, "id") : NULL;

	if (reply != NULL && id != NULL)
		json_object_set(reply, "id", id);
	return reply;
}

json_t *
ctl_cmds_handle(struct ctl_ctx *ctx, const json_t *req)
{
	struct ctl_err err = { 0 };
	const struct ctl_cmd *cmd = NULL;
	const json_t *args = NULL;
	json_t *reply, *empty = NULL;
	int rc;

	rc = check_envelope(req, &cmd, &args, &err);
	if (rc < 0)
		return with_id(ctl_reply_error(&err), req);
	if (args == NULL)
		args = empty = json_object();
	reply = json_pack("{s:b}", "ok", 1);
	if (reply == NULL || args == NULL) {
		json_decref(reply);
		json_decref(empty);
		ctl_err_set(&err, ENOMEM, NULL, "out of memory");
		return ctl_reply_error(&err);
	}

	rc = cmd->fn(ctx, args, reply, &err);
	json_decref(empty);
	if (rc < 0) {
		json_decref(reply);
		if (err.code == 0)
			ctl_err_set(&err, rc, NULL, "%s", strerror(-rc));
		reply = ctl_reply_error(&err);
	}
	return with_id(reply, req);
}

json_t *
ctl_cmds_handle_line(struct ctl_ctx *ctx, const char *line, size_t len)
{
	struct ctl_err err;
	json_error_t jerr;
	json_t *req, *reply;
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	ctx->req_ns = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
	req = json_loadb(line, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY,
			&jerr);
	if (req == NULL) {
		ctl_err_set(&err, EBADMSG, "", "invalid JSON at column %d: %s",
				jerr.column, jerr.text);
		return ctl_reply_error(&err);
	}
	reply = ctl_cmds_handle(ctx, req);
	json_decref(req);
	ctx->req_ns = 0;
	return reply;
}
