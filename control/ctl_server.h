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

/** Close every client and the listening socket, unlink it. NULL: no-op. */
void ctl_server_free(struct ctl_server *s);

#endif /* NPVS_CTL_SERVER_H */
