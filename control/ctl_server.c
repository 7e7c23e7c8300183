/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ctl_server.c: npvsd's control socket (ctl_server.h, docs/api.md).
 *
 * One non-blocking listening Unix socket and up to max_clients connections,
 * served by poll() from npvsd's control thread. Each connection has an
 * input buffer that is cut into lines (one request each, handed to
 * ctl_cmds_handle_line()) and an output buffer of replies. A connection is
 * served one request at a time: the next line is run only once the
 * previous reply has been written, and nothing more is read while a reply
 * waits, so a client that does not read its replies costs one reply of
 * memory and no more.
 *
 * What a bad client gets (docs/api.md, "Limits"): a line longer than
 * max_request, an unfinished request or an unread reply older than
 * stall_timeout_ms, or one connection too many: an error reply, best
 * effort, then the connection is closed. A connection silent for
 * idle_timeout_ms is closed. Nothing a client sends stops the server.
 *
 * Thread-safety: control thread only; no locks.
 */
#include "ctl_server.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <rte_log.h>

#include "ctl_cmds.h"
#include "ctl_log.h"
#include "ctl_proto.h"
#include "ctl_store.h"

RTE_LOG_REGISTER(npvs_logtype_ctl, npvs.ctl, INFO);

#define READ_CHUNK (64u * 1024u)  /* bytes per recv() */
#define READS_PER_POLL 4          /* recv() calls per connection per poll */
#define REQS_PER_POLL 16          /* requests per connection per poll */
#define ACCEPTS_PER_POLL 16
#define CLOSE_LINGER_MS 1000      /* to deliver a last error reply */

struct conn {
	int fd;
	bool eof;               /* the peer has finished sending */
	bool closing;           /* close once out is written */
	bool dead;              /* close now */
	bool more;              /* complete lines wait in in */
	char *in;               /* bytes received, not yet handled */
	size_t in_len, in_cap;
	size_t scan;            /* in[0, scan) holds no newline */
	char *out;              /* replies not yet written */
	size_t out_len, out_off, out_cap;
	uint64_t active_ms;     /* last progress in either direction */
	uint64_t stall_ms;      /* since when a request or reply waits; 0 */
	uint64_t closing_ms;
};

struct ctl_server {
	int fd;                         /* listening socket */
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	dev_t dev;                      /* of the socket file we made */
	ino_t ino;
	struct ctl_ctx ctx;
	struct ctl_server_limits lim;
	struct conn **conns;            /* lim.max_clients slots */
	unsigned int n_conns;
	struct pollfd *pfds;            /* 1 + lim.max_clients */
};

static uint64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

void
ctl_server_limits_default(struct ctl_server_limits *l)
{
	l->max_clients = 64;
	l->max_request = CTL_MSG_MAX;
	l->stall_timeout_ms = 10000;
	l->idle_timeout_ms = 300000;
}

/* ---- one connection: buffers ---- */

static void
conn_free(struct conn *c)
{
	if (c == NULL)
		return;
	if (c->fd >= 0)
		close(c->fd);
	free(c->in);
	free(c->out);
	free(c);
}

/* Grow *buf to hold need bytes. @return 0 or -ENOMEM. */
static int
buf_reserve(char **buf, size_t *cap, size_t need)
{
	size_t n = *cap ? *cap : 4096;
	char *p;

	if (need <= *cap)
		return 0;
	while (n < need)
		n *= 2;
	p = realloc(*buf, n);
	if (p == NULL)
		return -ENOMEM;
	*buf = p;
	*cap = n;
	return 0;
}

/* Append one reply line to the output buffer. */
static void
conn_queue(struct conn *c, json_t *reply)
{
	char *s = reply ? json_dumps(reply, JSON_COMPACT) : NULL;
	size_t len;

	json_decref(reply);
	if (s == NULL) {
		CTL_LOG(ERR, "out of memory for a reply: closing client %d",
				c->fd);
		c->dead = true;
		return;
	}
	len = strlen(s);
	if (c->out_off == c->out_len)
		c->out_off = c->out_len = 0;
	if (buf_reserve(&c->out, &c->out_cap, c->out_len + len + 1) < 0) {
		c->dead = true;
	} else {
		memcpy(c->out + c->out_len, s, len);
		c->out[c->out_len + len] = '\n';
		c->out_len += len + 1;
	}
	free(s);
}

/* Queue an error reply and close the connection after writing it. */
static void
conn_fail(struct conn *c, int code, const char *msg)
{
	struct ctl_err err;

	ctl_err_set(&err, code, "", "%s", msg);
	CTL_LOG(NOTICE, "client %d: %s", c->fd, err.msg);
	conn_queue(c, ctl_reply_error(&err));
	c->closing = true;
	c->closing_ms = now_ms();
}

/* Write what the output buffer holds, as far as the socket takes it. */
static void
conn_flush(struct conn *c, uint64_t now)
{
	ssize_t n;

	while (!c->dead && c->out_off < c->out_len) {
		n = send(c->fd, c->out + c->out_off, c->out_len - c->out_off,
				MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n > 0) {
			c->out_off += (size_t)n;
			c->active_ms = now;
			c->stall_ms = 0; /* progress */
		} else if (n < 0 && errno == EINTR) {
			continue;
		} else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			return;
		} else {
			c->dead = true; /* the peer is gone */
		}
	}
	if (c->out_off == c->out_len)
		c->out_off = c->out_len = 0;
}

/* Read what the socket has, up to a bounded amount per poll. */
static void
conn_read(struct ctl_server *s, struct conn *c, uint64_t now)
{
	size_t limit = s->lim.max_request + 1 + READ_CHUNK;
	unsigned int i;
	ssize_t n;

	for (i = 0; i < READS_PER_POLL && !c->eof && c->in_len < limit; i++) {
		if (buf_reserve(&c->in, &c->in_cap, c->in_len + READ_CHUNK)) {
			c->dead = true;
			return;
		}
		n = recv(c->fd, c->in + c->in_len, READ_CHUNK, MSG_DONTWAIT);
		if (n > 0) {
			c->in_len += (size_t)n;
			c->active_ms = now;
		} else if (n == 0) {
			c->eof = true;
		} else if (errno == EINTR) {
			continue;
		} else if (errno == EAGAIN || errno == EWOULDBLOCK) {
			return;
		} else {
			c->dead = true; /* ECONNRESET and friends */
			return;
		}
	}
}

/* ---- one connection: requests ---- */

static bool
blank(const char *p, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (p[i] != ' ' && p[i] != '\t' && p[i] != '\r')
			return false;
	return true;
}

/* Run one request line and queue its reply. */
static void
conn_request(struct ctl_server *s, struct conn *c, const char *line,
		size_t len)
{
	json_t *reply, *code;
	char msg[64];

	if (len > s->lim.max_request) {
		snprintf(msg, sizeof(msg), "request larger than %zu bytes",
				s->lim.max_request);
		conn_fail(c, EMSGSIZE, msg);
		return;
	}
	if (blank(line, len))
		return;
	reply = ctl_cmds_handle_line(&s->ctx, line, len);
	code = json_object_get(reply, "code");
	if (code != NULL)
		CTL_LOG(INFO, "client %d: request refused: %s: %s", c->fd,
				json_string_value(code), json_string_value(
				json_object_get(reply, "error")));
	conn_queue(c, reply);
}

/* Run the complete lines that wait, one reply at a time. */
static void
conn_process(struct ctl_server *s, struct conn *c, uint64_t now)
{
	size_t start = 0;
	unsigned int n = 0;
	bool all = false;       /* no complete line is left */
	char *nl;

	while (!c->closing && !c->dead && c->out_len == 0 &&
			n++ < REQS_PER_POLL) {
		nl = memchr(c->in + c->scan, '\n', c->in_len - c->scan);
		if (nl == NULL) {
			c->scan = c->in_len;
			all = true;
			break;
		}
		conn_request(s, c, c->in + start, (size_t)(nl - c->in) - start);
		start = c->scan = (size_t)(nl - c->in) + 1;
		c->stall_ms = 0; /* progress */
		conn_flush(c, now);
	}
	memmove(c->in, c->in + start, c->in_len - start);
	c->in_len -= start;
	c->scan -= start;
	c->more = !all && !c->closing && !c->dead && c->out_len == 0;
	if (!all || c->closing || c->dead)
		return;

	/* What remains is one unfinished request. */
	if (c->in_len > s->lim.max_request) {
		conn_request(s, c, c->in, c->in_len);
	} else if (c->eof) {
		/* End of stream ends the last request too. */
		if (c->in_len > 0)
			conn_request(s, c, c->in, c->in_len);
		c->in_len = c->scan = 0;
		c->closing = true;
		c->closing_ms = now;
	}
}

/* Start, stop or enforce the stall and idle clocks of a connection. */
static void
conn_timers(struct ctl_server *s, struct conn *c, uint64_t now)
{
	bool waiting = c->in_len > 0 || c->out_len > 0;

	if (c->closing && c->out_len == 0)
		c->dead = true;
	if (c->dead)
		return;
	if (c->closing) {
		if (now - c->closing_ms > CLOSE_LINGER_MS)
			c->dead = true;
		return;
	}
	if (!waiting) {
		c->stall_ms = 0;
		if (s->lim.idle_timeout_ms &&
				now - c->active_ms > s->lim.idle_timeout_ms)
			c->dead = true;
		return;
	}
	if (c->stall_ms == 0)
		c->stall_ms = now;
	else if (now - c->stall_ms > s->lim.stall_timeout_ms)
		conn_fail(c, ETIMEDOUT, c->out_len ? "reply not read in time" :
				"request not finished in time");
}

/* The next moment conn_timers() may have work; UINT64_MAX: none. */
static uint64_t
conn_deadline(const struct ctl_server *s, const struct conn *c)
{
	if (c->closing)
		return c->closing_ms + CLOSE_LINGER_MS + 1;
	if (c->stall_ms)
		return c->stall_ms + s->lim.stall_timeout_ms + 1;
	if (c->in_len > 0 || c->out_len > 0)
		return 0; /* the stall clock starts on the next poll */
	if (s->lim.idle_timeout_ms)
		return c->active_ms + s->lim.idle_timeout_ms + 1;
	return UINT64_MAX;
}

/* ---- the listening socket ---- */

/* Accept what waits; one connection too many gets EBUSY and is closed. */
static int
serve_listener(struct ctl_server *s, uint64_t now)
{
	struct conn *c;
	unsigned int i;
	int fd;

	for (i = 0; i < ACCEPTS_PER_POLL; i++) {
		fd = accept4(s->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0 && (errno == EINTR || errno == ECONNABORTED))
			continue;
		if (fd < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return 0;
		if (fd < 0 && (errno == EMFILE || errno == ENFILE ||
				errno == ENOBUFS || errno == ENOMEM)) {
			CTL_LOG(WARNING, "accept: %s", strerror(errno));
			return 0;
		}
		if (fd < 0)
			return -errno;
		c = calloc(1, sizeof(*c));
		if (c == NULL) {
			close(fd);
			continue;
		}
		c->fd = fd;
		c->active_ms = now;
		if (s->n_conns == s->lim.max_clients) {
			conn_fail(c, EBUSY, "too many clients");
			conn_flush(c, now);
			conn_free(c);
			continue;
		}
		s->conns[s->n_conns++] = c;
	}
	return 0;
}

/* Build the poll set; @return the poll timeout to use. */
static int
poll_prepare(struct ctl_server *s, int timeout_ms, uint64_t now)
{
	uint64_t next = UINT64_MAX, d;
	unsigned int i;

	s->pfds[0] = (struct pollfd){ .fd = s->fd, .events = POLLIN };
	for (i = 0; i < s->n_conns; i++) {
		struct conn *c = s->conns[i];

		s->pfds[i + 1].fd = c->fd;
		s->pfds[i + 1].revents = 0;
		if (c->out_len > 0)
			s->pfds[i + 1].events = POLLOUT;
		else if (!c->closing && !c->eof)
			s->pfds[i + 1].events = POLLIN;
		else
			s->pfds[i + 1].events = 0;
		d = c->more ? 0 : conn_deadline(s, c);
		if (d < next)
			next = d;
	}
	if (next == UINT64_MAX)
		return timeout_ms;
	if (next <= now)
		return 0;
	if (timeout_ms < 0 || next - now < (uint64_t)timeout_ms)
		return (int)(next - now);
	return timeout_ms;
}

/* Drop the connections that are done, keeping the array dense. */
static void
reap(struct ctl_server *s)
{
	unsigned int i = 0;

	while (i < s->n_conns) {
		if (s->conns[i]->dead) {
			conn_free(s->conns[i]);
			s->conns[i] = s->conns[--s->n_conns];
		} else {
			i++;
		}
	}
}

int
ctl_server_poll(struct ctl_server *s, int timeout_ms)
{
	unsigned int i, n = s->n_conns;
	uint64_t now = now_ms();
	int rc;

	rc = poll(s->pfds, n + 1, poll_prepare(s, timeout_ms, now));
	if (rc < 0 && errno != EINTR)
		return -errno;
	now = now_ms();
	if (rc > 0 && (s->pfds[0].revents & (POLLERR | POLLNVAL)))
		return -EIO;

	/* Existing connections first: their slots match pfds[1..n]. */
	for (i = 0; rc > 0 && i < n; i++) {
		struct conn *c = s->conns[i];
		short ev = s->pfds[i + 1].revents;

		if (ev & POLLNVAL)
			c->dead = true;
		if (ev & POLLOUT)
			conn_flush(c, now);
		else if (ev & (POLLIN | POLLHUP | POLLERR))
			conn_read(s, c, now);
	}
	for (i = 0; i < n; i++) {
		conn_process(s, s->conns[i], now);
		conn_flush(s->conns[i], now);
		conn_timers(s, s->conns[i], now);
	}
	reap(s);

	if (rc > 0 && (s->pfds[0].revents & POLLIN))
		return serve_listener(s, now);
	return 0;
}

/* ---- create and free ---- */

/* mkdir -p for the socket's directory (mode 0755). */
static int
make_parent(const char *path)
{
	char dir[PATH_MAX];
	char *p;

	snprintf(dir, sizeof(dir), "%s", path);
	p = strrchr(dir, '/');
	if (p == NULL || p == dir)
		return 0;
	*p = '\0';
	for (p = dir + 1; *p != '\0'; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(dir, 0755) < 0 && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(dir, 0755) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

/* An old socket file may be replaced, unless a server still answers on
 * it; anything else at path is left alone.
 */
static int
clear_old_socket(const struct sockaddr_un *sa, char *err, size_t errlen)
{
	struct stat st;
	int fd, rc;

	if (lstat(sa->sun_path, &st) < 0)
		return errno == ENOENT ? 0 : -errno;
	if (!S_ISSOCK(st.st_mode)) {
		snprintf(err, errlen, "%s exists and is not a socket",
				sa->sun_path);
		return -EEXIST;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	rc = connect(fd, (const struct sockaddr *)sa, sizeof(*sa));
	close(fd);
	if (rc == 0) {
		snprintf(err, errlen, "%s: another server is listening",
				sa->sun_path);
		return -EADDRINUSE;
	}
	return unlink(sa->sun_path) < 0 && errno != ENOENT ? -errno : 0;
}

/* Bind and listen on path, mode 0600. @return the fd or -errno. */
static int
listen_on(struct ctl_server *s, char *err, size_t errlen)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct stat st;
	mode_t old;
	int fd, rc;

	memcpy(sa.sun_path, s->path, sizeof(sa.sun_path));
	rc = make_parent(s->path);
	if (rc == 0)
		rc = clear_old_socket(&sa, err, errlen);
	if (rc < 0)
		return rc;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	old = umask(0177); /* no window in which others could connect */
	rc = bind(fd, (struct sockaddr *)&sa, sizeof(sa));
	umask(old);
	if (rc == 0 && chmod(s->path, 0600) == 0 && lstat(s->path, &st) == 0 &&
			listen(fd, 64) == 0) {
		s->dev = st.st_dev;
		s->ino = st.st_ino;
		return fd;
	}
	rc = -errno;
	close(fd);
	return rc;
}

struct ctl_server *
ctl_server_create(struct vs *vs, const char *path, char *err, size_t errlen)
{
	struct ctl_server *s;
	int rc;

	snprintf(err, errlen, "%s", "");
	if (path == NULL || path[0] == '\0' ||
			strlen(path) >= sizeof(s->path)) {
		snprintf(err, errlen, "socket path empty or longer than %zu",
				sizeof(s->path) - 1);
		errno = ENAMETOOLONG;
		return NULL;
	}
	s = calloc(1, sizeof(*s));
	if (s == NULL)
		return NULL;
	s->fd = -1;
	s->ctx.vs = vs;
	snprintf(s->path, sizeof(s->path), "%s", path);
	ctl_server_limits_default(&s->lim);
	rc = ctl_server_set_limits(s, &s->lim);
	if (rc < 0)
		goto err_free;
	rc = listen_on(s, err, errlen);
	if (rc < 0)
		goto err_free;
	s->fd = rc;
	CTL_LOG(INFO, "control socket %s listening", s->path);
	return s;

err_free:
	if (err[0] == '\0')
		snprintf(err, errlen, "control socket %s: %s", path,
				strerror(-rc));
	free(s->conns);
	free(s->pfds);
	free(s);
	errno = -rc;
	return NULL;
}

int
ctl_server_set_limits(struct ctl_server *s, const struct ctl_server_limits *l)
{
	struct conn **conns;
	struct pollfd *pfds;

	if (l->max_clients == 0 || l->max_clients > 4096 ||
			l->max_request == 0 || l->max_request > 64 * CTL_MSG_MAX ||
			l->stall_timeout_ms == 0 || l->max_clients < s->n_conns)
		return -EINVAL;
	conns = realloc(s->conns, l->max_clients * sizeof(*conns));
	if (conns == NULL)
		return -ENOMEM;
	s->conns = conns;
	pfds = realloc(s->pfds, (l->max_clients + 1) * sizeof(*pfds));
	if (pfds == NULL)
		return -ENOMEM;
	s->pfds = pfds;
	s->lim = *l;
	return 0;
}

unsigned int
ctl_server_n_clients(const struct ctl_server *s)
{
	return s->n_conns;
}

void
ctl_server_free(struct ctl_server *s)
{
	struct stat st;
	unsigned int i;

	if (s == NULL)
		return;
	for (i = 0; i < s->n_conns; i++)
		conn_free(s->conns[i]);
	if (s->fd >= 0) {
		close(s->fd);
		/* Unlink only our own socket, not a successor's. */
		if (lstat(s->path, &st) == 0 && st.st_dev == s->dev &&
				st.st_ino == s->ino)
			unlink(s->path);
	}
	free(s->conns);
	free(s->pfds);
	ctl_store_free(s->ctx.store);
	free(s);
}
