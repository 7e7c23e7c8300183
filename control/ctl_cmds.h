/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ctl_cmds.h: the control commands of npvsd (docs/api.md) and the helpers
 * that command handlers share.
 *
 * ctl_server.c frames the socket stream into lines and hands each line to
 * ctl_cmds_handle_line(), which parses it, checks the envelope
 * ({"cmd": ..., "args": {...}, "id": ...}), finds the command in one table
 * and runs its handler. A handler validates its args completely (with the
 * ctl_arg_* helpers, which name the faulty field by JSON pointer) and only
 * then calls vs_api.h. Adding a command is one row in the table of
 * ctl_cmds.c plus the handler, wherever it lives (declared in its own
 * header, which ctl_cmds.c includes).
 *
 * Nothing here touches sockets, so tests drive it with strings and a fake
 * vs_api.h implementation.
 *
 * Thread-safety: control thread only (handlers call vs_api.h).
 */
#ifndef NPVS_CTL_CMDS_H
#define NPVS_CTL_CMDS_H

#include <stdbool.h>
#include <stddef.h>

#include <stdint.h>

#include <jansson.h>

struct vs;

/** An error on its way into a reply: {"code", "error", "where"}. */
struct ctl_err {
	int code;               /**< positive errno */
	char msg[256];          /**< human-readable, one line */
	char where[128];        /**< JSON pointer into the request, or "" */
};

struct ctl_store;

/** What every handler may use. Later work adds its state (object store). */
struct ctl_ctx {
	struct vs *vs;          /**< the switch (vs_api.h) */
	struct ctl_store *store; /**< applied objects (ctl_store.h); created
				  * by the first command that needs it
				  * (ctl_cmds_store()), freed by whoever
				  * owns the ctx (ctl_store_free()) */
	uint64_t req_ns;        /**< CLOCK_MONOTONIC ns the request being run
				 * came in (ctl_cmds_handle_line sets it; 0:
				 * unknown) */
};

/**
 * A command handler. args is the request's "args" object (an empty object
 * when the request has none). On success, add the command's fields to reply
 * (which already holds "ok": true) and return 0. On failure return a
 * negative errno and fill err (ctl_err_set()); the reply is then replaced.
 */
typedef int ctl_cmd_fn(struct ctl_ctx *ctx, const json_t *args,
		json_t *reply, struct ctl_err *err);

/** One row of the command table. */
struct ctl_cmd {
	const char *name;       /**< the "cmd" string */
	ctl_cmd_fn *fn;
	const char *help;       /**< one line: args and what it does */
};

/* The switch commands (ctl_cmds_vs.c). A later file adds its own handlers
 * the same way: declare them in its header, add a row to the table. */
ctl_cmd_fn ctl_cmd_version;
ctl_cmd_fn ctl_cmd_port_add;
ctl_cmd_fn ctl_cmd_port_del;
ctl_cmd_fn ctl_cmd_port_list;
ctl_cmd_fn ctl_cmd_endpoint_add;
ctl_cmd_fn ctl_cmd_endpoint_del;
ctl_cmd_fn ctl_cmd_endpoint_list;
ctl_cmd_fn ctl_cmd_stats;

/** The table; *n receives its length. */
const struct ctl_cmd *ctl_cmds_table(size_t *n);

/** The row of a command name. @return NULL when unknown. */
const struct ctl_cmd *ctl_cmd_lookup(const char *name);

/**
 * Parse one request line (without its newline) and run it.
 * @return the reply object (owned by the caller), never NULL but for lack
 * of memory. Invalid JSON, a non-object, an unknown command or bad args
 * give an error reply; nothing in the line can make this fail otherwise.
 */
json_t *ctl_cmds_handle_line(struct ctl_ctx *ctx, const char *line,
		size_t len);

/** Run one parsed request. Same contract as ctl_cmds_handle_line(). */
json_t *ctl_cmds_handle(struct ctl_ctx *ctx, const json_t *req);

/** {"ok": false, "error": msg, "code": name, "where": where}. */
json_t *ctl_reply_error(const struct ctl_err *e);

/**
 * Fill err (printf-style message; where may be NULL).
 * @return -code, so a handler can `return ctl_err_set(...)`.
 */
int ctl_err_set(struct ctl_err *err, int code, const char *where,
		const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* ---- argument helpers for handlers: 1 present, 0 absent, <0 error ---- */

/** Refuse any member of args not named in allowed (NULL-terminated). */
int ctl_args_only(const json_t *args, const char *const *allowed,
		struct ctl_err *err);

/**
 * Copy a string member into out (size bytes with the NUL). It must be a
 * non-empty string that fits and, when charset is not NULL, consist only of
 * the characters of charset. A missing member is an error when required.
 */
int ctl_arg_str(const json_t *args, const char *key, bool required,
		const char *charset, char *out, size_t size, struct ctl_err *err);

/** A boolean member. Absent: *out untouched, returns 0. */
int ctl_arg_bool(const json_t *args, const char *key, bool *out,
		struct ctl_err *err);

/** An integer member in [min, max]. Absent: *out untouched, returns 0. */
int ctl_arg_uint(const json_t *args, const char *key, uint64_t min,
		uint64_t max, uint64_t *out, struct ctl_err *err);

/**
 * One of a list of strings (NULL-terminated choices); *idx receives its
 * index. Absent: *idx untouched and an error only when required.
 */
int ctl_arg_enum(const json_t *args, const char *key, bool required,
		const char *const *choices, unsigned int *idx,
		struct ctl_err *err);

/** Characters allowed in port names: [A-Za-z0-9_.-]. */
#define CTL_CHARSET_NAME \
	"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-"

#endif /* NPVS_CTL_CMDS_H */
