/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ctl_client.h: the client side of npvsd's control socket (docs/api.md),
 * shared by npvsctl and npvs-cni.
 *
 * One call is one exchange: connect, write one request line, read one
 * reply line, close, all within a timeout. Two kinds of failure stay
 * apart: ctl_client_call() fails (negative errno) when no reply came
 * (npvsd not running: -ENOENT or -ECONNREFUSED), and succeeds with the
 * reply when npvsd answered, even with an error; ctl_client_status() then
 * turns the reply into 0 or the negative errno npvsd named.
 *
 *     json_t *reply;
 *     char err[256];
 *     int rc = ctl_client_cmd(NULL, "port_list", NULL, &reply, 5000,
 *                             err, sizeof(err));
 *     if (rc == 0)
 *             rc = ctl_client_status(reply, err, sizeof(err));
 *     ... use reply when rc == 0 ...
 *     json_decref(reply);     (NULL-safe)
 *
 * Needs only libc and jansson (no DPDK).
 * Thread-safety: every function may be called from any thread; calls
 * share nothing.
 */
#ifndef NPVS_CTL_CLIENT_H
#define NPVS_CTL_CLIENT_H

#include <stddef.h>

#include <jansson.h>

/**
 * The socket path to use: sock if not NULL, else $NPVS_SOCKET if set, else
 * CTL_SOCKET_DEFAULT (/run/npvs/npvsd.sock).
 */
const char *ctl_client_socket(const char *sock);

/**
 * Send one request object and read its reply.
 * @param sock socket path, or NULL (ctl_client_socket()).
 * @param req the request, {"cmd": ..., "args": {...}}; not consumed.
 * @param reply receives the reply object (json_decref it), or NULL on
 *   failure.
 * @param timeout_ms the whole exchange; <= 0 means 10000.
 * @param err receives a one-line message on failure (may be NULL).
 * @return 0 when a reply object came back (whatever its "ok"), or:
 *   -ENOENT no socket file (npvsd is not running), -ECONNREFUSED nobody
 *   listens on it (a stale socket), -EACCES not allowed (not root),
 *   -ETIMEDOUT no reply in time, -EMSGSIZE request over 1 MiB,
 *   -ECONNRESET npvsd closed the connection without a reply, -EPROTO the
 *   reply is not a JSON object, -ENOMEM, other connect/send errors.
 */
int ctl_client_call(const char *sock, const json_t *req, json_t **reply,
		int timeout_ms, char *err, size_t errlen);

/**
 * ctl_client_call() with a request built from cmd and args (args is
 * consumed, as with json_object_set_new; NULL for none).
 */
int ctl_client_cmd(const char *sock, const char *cmd, json_t *args,
		json_t **reply, int timeout_ms, char *err, size_t errlen);

/**
 * The outcome a reply reports. @return 0 for {"ok": true}; else the
 * negative errno of its "code" (-EIO if absent or unknown), with "error"
 * and "where" in err.
 */
int ctl_client_status(const json_t *reply, char *err, size_t errlen);

#endif /* NPVS_CTL_CLIENT_H */
