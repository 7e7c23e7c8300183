/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ctl_server.h: npvsd's control socket (docs/api.md).
 *
 * A Unix stream socket (mode 0600) speaking newline-delimited JSON: one
 * request object per line, one reply object per line. The server is
 * non-blocking and single-threaded: npvsd's main loop calls
 * ctl_server_poll() on the control thread, between vs_housekeeping() calls,
 * and every command runs there (so vs_api.h's one-caller rule holds).
 *
 * Thread-safety: control thread only.
 */
#ifndef NPVS_CTL_SERVER_H
#define NPVS_CTL_SERVER_H

#include <stddef.h>

struct vs;
struct ctl_server;

/**
 * Create the socket at path (an old socket file there is replaced) and
 * listen. @return NULL with errno set and err filled on failure.
 */
struct ctl_server *ctl_server_create(struct vs *vs, const char *path,
		char *err, size_t errlen);

/**
 * Wait up to timeout_ms for socket events and serve them: accept clients,
 * read requests, run them, write replies. A bad client is answered with an
 * error or dropped; it never stops the server.
 * @return 0, or a negative errno only for a failure of the listening socket.
 */
int ctl_server_poll(struct ctl_server *s, int timeout_ms);

/** What one client may cost (docs/api.md, "Limits"). */
struct ctl_server_limits {
	unsigned int max_clients;       /**< connections at once (64); one
					 *   more is answered EBUSY and closed */
	size_t max_request;             /**< bytes in one request line
					 *   (CTL_MSG_MAX, 1 MiB): EMSGSIZE */
	unsigned int stall_timeout_ms;  /**< an unfinished request or an
					 *   unread reply waits this long
					 *   (10000): ETIMEDOUT */
	unsigned int idle_timeout_ms;   /**< a silent connection is closed
					 *   after this long (300000; 0: never) */
};

/** Fill l with the defaults above. */
void ctl_server_limits_default(struct ctl_server_limits *l);

/**
 * Change the limits (tests lower them). @return 0, or -EINVAL for a zero or
 * absurd value or fewer clients than are connected now, -ENOMEM.
 */
int ctl_server_set_limits(struct ctl_server *s,
		const struct ctl_server_limits *l);

/** Connections open now (tests). */
unsigned int ctl_server_n_clients(const struct ctl_server *s);

/** Close every client and the listening socket, unlink it. NULL: no-op. */
void ctl_server_free(struct ctl_server *s);

#endif /* NPVS_CTL_SERVER_H */
