/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ctl_client.c: one request, one reply over npvsd's control socket
 * (ctl_client.h). A non-blocking socket and poll(), against one deadline
 * for the whole exchange.
 */
#include "ctl_client.h"

#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "ctl_proto.h"

#define TIMEOUT_DEFAULT_MS 10000
#define REPLY_MAX (256u * 1024u * 1024u) /* refuse a larger reply */

static int
fail(char *err, size_t errlen, int rc, const char *fmt, ...)
{
	va_list ap;

	if (err != NULL && errlen > 0) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return rc;
}

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Wait for events on fd until the deadline. @return 0 or -ETIMEDOUT. */
static int
wait_fd(int fd, short events, int64_t deadline)
{
	struct pollfd p = { .fd = fd, .events = events };
	int64_t left;
	int rc;

	for (;;) {
		left = deadline - now_ms();
		if (left <= 0)
			return -ETIMEDOUT;
		rc = poll(&p, 1, (int)(left > INT32_MAX ? INT32_MAX : left));
		if (rc > 0)
			return 0;
		if (rc < 0 && errno != EINTR)
			return -errno;
	}
}

const char *
ctl_client_socket(const char *sock)
{
	const char *env;

	if (sock != NULL)
		return sock;
	env = getenv(CTL_SOCKET_ENV);
	return env != NULL && env[0] != '\0' ? env : CTL_SOCKET_DEFAULT;
}

/* Connect, retrying while the server's backlog is full. */
static int
connect_to(const char *path, int64_t deadline, char *err, size_t errlen)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd, rc;

	if (strlen(path) >= sizeof(sa.sun_path))
		return fail(err, errlen, -ENAMETOOLONG,
				"socket path too long: %s", path);
	memcpy(sa.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return fail(err, errlen, -errno, "socket: %s", strerror(errno));
	while (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		rc = -errno;
		if ((rc == -EAGAIN || rc == -EINTR) && now_ms() < deadline) {
			usleep(10000);
			continue;
		}
		close(fd);
		if (rc == -EAGAIN)
			rc = -ETIMEDOUT;
		return fail(err, errlen, rc, "cannot connect to %s: %s%s",
				path, strerror(-rc), rc == -ENOENT ||
				rc == -ECONNREFUSED ?
				" (is npvsd running?)" : "");
	}
	return fd;
}

static int
send_all(int fd, const char *buf, size_t len, int64_t deadline)
{
	ssize_t n;
	int rc;

	while (len > 0) {
		n = send(fd, buf, len, MSG_NOSIGNAL);
		if (n > 0) {
			buf += n;
			len -= (size_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
			return -errno;
		rc = wait_fd(fd, POLLOUT, deadline);
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* Read up to the first newline into *buf (NUL-terminated, no newline). */
static int
recv_line(int fd, char **buf, size_t *len, int64_t deadline)
{
	size_t cap = 0, used = 0;
	char *b = NULL, *p, *nl;
	ssize_t n;
	int rc;

	for (;;) {
		if (used + 4096 + 1 > cap) {
			cap = cap ? cap * 2 : 16384;
			if (cap > REPLY_MAX + 4096 + 1 ||
					(p = realloc(b, cap)) == NULL) {
				free(b);
				return cap > REPLY_MAX ? -EMSGSIZE : -ENOMEM;
			}
			b = p;
		}
		n = recv(fd, b + used, cap - used - 1, 0);
		if (n > 0) {
			nl = memchr(b + used, '\n', (size_t)n);
			used += (size_t)n;
			if (nl != NULL) {
				*nl = '\0';
				*buf = b;
				*len = (size_t)(nl - b);
				return 0;
			}
			continue;
		}
		if (n == 0) {
			free(b);
			return -ECONNRESET;
		}
		if (errno == EINTR)
			continue;
		rc = errno == EAGAIN || errno == EWOULDBLOCK ?
			wait_fd(fd, POLLIN, deadline) : -errno;
		if (rc < 0) {
			free(b);
			return rc;
		}
	}
}

/* Serialise req as one line; @return the malloc'ed line or NULL. */
static char *
request_line(const json_t *req, size_t *len)
{
	char *s = json_dumps(req, JSON_COMPACT), *line;

	if (s == NULL)
		return NULL;
	*len = strlen(s);
	line = realloc(s, *len + 2);
	if (line == NULL) {
		free(s);
		return NULL;
	}
	line[(*len)++] = '\n';
	line[*len] = '\0';
	return line;
}

int
ctl_client_call(const char *sock, const json_t *req, json_t **reply,
		int timeout_ms, char *err, size_t errlen)
{
	int64_t deadline = now_ms() + (timeout_ms > 0 ? timeout_ms :
			TIMEOUT_DEFAULT_MS);
	const char *path = ctl_client_socket(sock);
	char *line, *in = NULL;
	size_t len, in_len = 0;
	json_error_t jerr;
	int fd, rc;

	*reply = NULL;
	line = request_line(req, &len);
	if (line == NULL)
		return fail(err, errlen, -ENOMEM, "cannot encode the request");
	if (len - 1 > CTL_MSG_MAX) {
		free(line);
		return fail(err, errlen, -EMSGSIZE, "request larger than 1 MiB");
	}
	fd = connect_to(path, deadline, err, errlen);
	if (fd < 0) {
		free(line);
		return fd;
	}

	rc = send_all(fd, line, len, deadline);
	free(line);
	if (rc == 0)
		rc = recv_line(fd, &in, &in_len, deadline);
	close(fd);
	if (rc == -ETIMEDOUT)
		return fail(err, errlen, rc, "%s: no reply within %d ms", path,
				timeout_ms > 0 ? timeout_ms : TIMEOUT_DEFAULT_MS);
	if (rc == -ECONNRESET || rc == -EPIPE)
		return fail(err, errlen, -ECONNRESET,
				"%s: npvsd closed the connection without a "
				"reply", path);
	if (rc < 0)
		return fail(err, errlen, rc, "%s: %s", path, strerror(-rc));

	*reply = json_loadb(in, in_len, 0, &jerr);
	free(in);
	if (json_is_object(*reply))
		return 0;
	json_decref(*reply);
	*reply = NULL;
	return fail(err, errlen, -EPROTO, "%s: the reply is not a JSON object",
			path);
}

int
ctl_client_cmd(const char *sock, const char *cmd, json_t *args,
		json_t **reply, int timeout_ms, char *err, size_t errlen)
{
	json_t *req = json_pack("{s:s}", "cmd", cmd);
	int rc;

	*reply = NULL;
	if (req == NULL)
		json_decref(args);
	if (req == NULL || (args != NULL &&
			json_object_set_new(req, "args", args) < 0)) {
		json_decref(req);
		return fail(err, errlen, -ENOMEM, "cannot build the request");
	}
	rc = ctl_client_call(sock, req, reply, timeout_ms, err, errlen);
	json_decref(req);
	return rc;
}

int
ctl_client_status(const json_t *reply, char *err, size_t errlen)
{
	const char *msg, *code, *where;

	if (json_is_true(json_object_get(reply, "ok")))
		return 0;
	msg = json_string_value(json_object_get(reply, "error"));
	code = json_string_value(json_object_get(reply, "code"));
	where = json_string_value(json_object_get(reply, "where"));
	return fail(err, errlen, -ctl_errno_from_name(code), "%s%s%s%s",
			msg ? msg : "error", where && where[0] ? " (at " : "",
			where && where[0] ? where : "",
			where && where[0] ? ")" : "");
}
