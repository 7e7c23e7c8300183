/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_ctl_server.c: the control socket server (control/ctl_server.c) and
 * the client library (control/ctl_client.c) over a real Unix socket in a
 * temporary directory, with the fake switch of test_ctl_fake_vs.c.
 *
 * A thread runs the server loop (ctl_server_poll, as npvsd's main loop
 * does); the test thread plays clients: good ones through ctl_client_call(),
 * bad ones with raw sockets (malformed lines, half a request then gone,
 * oversized lines, a line never finished, too many connections, replies
 * never read). After each misbehaviour a good request must still work.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "ctl_client.h"
#include "ctl_cmds.h"
#include "ctl_proto.h"
#include "ctl_server.h"
#include "test_ctl_fake_vs.h"

struct fixture {
	char dir[64];
	char path[128];         /* dir/sub/npvsd.sock: parent made by server */
	struct vs *vs;
	struct ctl_server *s;
	pthread_t thread;
	atomic_bool stop;
	bool running;
};

static void *
server_loop(void *arg)
{
	struct fixture *f = arg;

	while (!atomic_load(&f->stop))
		assert_int_equal(ctl_server_poll(f->s, 10), 0);
	return NULL;
}

static void
server_start(struct fixture *f)
{
	atomic_store(&f->stop, false);
	assert_int_equal(pthread_create(&f->thread, NULL, server_loop, f), 0);
	f->running = true;
}

static void
server_stop(struct fixture *f)
{
	if (!f->running)
		return;
	atomic_store(&f->stop, true);
	pthread_join(f->thread, NULL);
	f->running = false;
}

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	char err[256];

	assert_non_null(f);
	snprintf(f->dir, sizeof(f->dir), "/tmp/npvs-ctl-test.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->path, sizeof(f->path), "%s/sub/npvsd.sock", f->dir);
	f->vs = fake_vs_create();
	f->s = ctl_server_create(f->vs, f->path, err, sizeof(err));
	if (f->s == NULL)
		fail_msg("ctl_server_create: %s", err);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;
	char sub[160];

	server_stop(f);
	ctl_server_free(f->s);
	snprintf(sub, sizeof(sub), "%s/sub", f->dir);
	rmdir(sub);
	rmdir(f->dir);
	fake_vs_free(f->vs);
	free(f);
	return 0;
}

/* Change the limits; the server thread must not be running. */
static void
set_limits(struct fixture *f, unsigned int max_clients,
		unsigned int stall_ms)
{
	struct ctl_server_limits l;

	ctl_server_limits_default(&l);
	l.max_clients = max_clients;
	l.stall_timeout_ms = stall_ms;
	assert_int_equal(ctl_server_set_limits(f->s, &l), 0);
}

/* ---- raw client helpers ---- */

static struct sockaddr_un
sun_of(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };

	assert_true(strlen(path) < sizeof(sa.sun_path));
	memcpy(sa.sun_path, path, strlen(path) + 1);
	return sa;
}

/* A socket file nobody listens on; @return its fd (close it later). */
static int
bind_stale(const char *path)
{
	struct sockaddr_un sa = sun_of(path);
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	return fd;
}

static int
raw_connect(const struct fixture *f)
{
	struct sockaddr_un sa = sun_of(f->path);
	struct timeval tv = { .tv_sec = 5 };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	assert_true(fd >= 0);
	assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	return fd;
}

static void
raw_send(int fd, const char *s, size_t len)
{
	ssize_t n;

	while (len > 0) {
		n = send(fd, s, len, MSG_NOSIGNAL);
		assert_true(n > 0);
		s += n;
		len -= (size_t)n;
	}
}

/* Read one reply line; NULL at end of stream. */
static json_t *
raw_reply(int fd)
{
	char buf[65536];
	size_t len = 0;
	json_t *r;
	ssize_t n;

	while (len < sizeof(buf) - 1) {
		n = recv(fd, buf + len, 1, 0);
		if (n == 0)
			return NULL;
		if (n < 0)
			fail_msg("recv: %s", strerror(errno));
		if (buf[len] == '\n')
			break;
		len++;
	}
	r = json_loadb(buf, len, 0, NULL);
	assert_non_null(r);
	return r;
}

/* The reply must be an error with this code. */
static void
expect_error(int fd, const char *code)
{
	json_t *r = raw_reply(fd);

	assert_non_null(r);
	assert_true(json_is_false(json_object_get(r, "ok")));
	assert_string_equal(json_string_value(json_object_get(r, "code")),
			code);
	json_decref(r);
}

/* The server closed the connection (after any reply): end of stream, or
 * ECONNRESET when it closed with our unread bytes still queued.
 */
static void
expect_closed(int fd)
{
	ssize_t n;
	char c;

	n = recv(fd, &c, 1, 0);
	if (n != 0 && !(n < 0 && errno == ECONNRESET))
		fail_msg("connection still open (recv %zd, %s)", n,
				strerror(errno));
}

/* A good request through the client library works. */
static void
expect_serving(struct fixture *f)
{
	char err[256];
	json_t *reply;
	int rc;

	rc = ctl_client_cmd(f->path, "version", NULL, &reply, 5000, err,
			sizeof(err));
	if (rc != 0)
		fail_msg("version: %s", err);
	assert_int_equal(ctl_client_status(reply, err, sizeof(err)), 0);
	assert_string_equal(json_string_value(json_object_get(reply, "node")),
			"node-test");
	json_decref(reply);
}

static uint64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Wait until the server holds n connections (it reaps asynchronously). */
static void
wait_clients(struct fixture *f, unsigned int n)
{
	uint64_t end = now_ms() + 3000;

	while (ctl_server_n_clients(f->s) != n && now_ms() < end)
		usleep(5000);
	assert_int_equal(ctl_server_n_clients(f->s), n);
}

/* ---- tests ---- */

static void
test_socket_file(void **state)
{
	struct fixture *f = *state;
	struct stat st;
	char err[256];

	assert_int_equal(lstat(f->path, &st), 0);
	assert_true(S_ISSOCK(st.st_mode));
	assert_int_equal(st.st_mode & 0777, 0600);

	/* a second server on a live socket refuses */
	assert_null(ctl_server_create(f->vs, f->path, err, sizeof(err)));
	assert_int_equal(errno, EADDRINUSE);
	assert_int_equal(lstat(f->path, &st), 0);
}

static void
test_create_errors(void **state)
{
	struct fixture *f = *state;
	char path[160], err[256];
	struct ctl_server *s;
	int fd;

	/* not a socket: left alone */
	snprintf(path, sizeof(path), "%s/file", f->dir);
	fd = open(path, O_CREAT | O_WRONLY, 0600);
	assert_true(fd >= 0);
	close(fd);
	assert_null(ctl_server_create(f->vs, path, err, sizeof(err)));
	assert_int_equal(errno, EEXIST);
	assert_non_null(strstr(err, "not a socket"));
	unlink(path);

	/* too long for sun_path */
	memset(path, 'a', sizeof(path) - 1);
	path[0] = '/';
	path[sizeof(path) - 1] = '\0';
	assert_null(ctl_server_create(f->vs, path, err, sizeof(err)));
	assert_int_equal(errno, ENAMETOOLONG);

	/* a stale socket file (server gone) is replaced; free unlinks it */
	ctl_server_free(f->s);
	f->s = NULL;
	close(bind_stale(f->path));
	s = ctl_server_create(f->vs, f->path, err, sizeof(err));
	assert_non_null(s);
	ctl_server_free(s);
	assert_int_equal(access(f->path, F_OK), -1);
	f->s = ctl_server_create(f->vs, f->path, err, sizeof(err));
	assert_non_null(f->s);
}

static void
test_client_no_server(void **state)
{
	struct fixture *f = *state;
	char path[160], err[256];
	json_t *reply = (json_t *)1;
	int fd;

	snprintf(path, sizeof(path), "%s/none.sock", f->dir);
	assert_int_equal(ctl_client_cmd(path, "version", NULL, &reply, 1000,
			err, sizeof(err)), -ENOENT);
	assert_null(reply);
	assert_non_null(strstr(err, "npvsd running"));

	/* a socket file nobody listens on */
	fd = bind_stale(path);
	assert_int_equal(ctl_client_cmd(path, "version", NULL, &reply, 1000,
			err, sizeof(err)), -ECONNREFUSED);
	close(fd);
	unlink(path);

	/* a server that never answers: -ETIMEDOUT (the thread is stopped) */
	assert_int_equal(ctl_client_cmd(f->path, "version", NULL, &reply, 200,
			err, sizeof(err)), -ETIMEDOUT);
}

static void
test_good_requests(void **state)
{
	struct fixture *f = *state;
	char err[256];
	json_t *reply;

	server_start(f);
	expect_serving(f);

	/* an error reply is a successful call; status gives the errno */
	assert_int_equal(ctl_client_cmd(f->path, "port_del",
			json_pack("{s:s}", "name", "nope"), &reply, 5000, err,
			sizeof(err)), 0);
	assert_int_equal(ctl_client_status(reply, err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "/args/name"));
	json_decref(reply);

	assert_int_equal(ctl_client_cmd(f->path, "port_add",
			json_pack("{s:s, s:s, s:s}", "name", "a", "type",
			"afpacket", "iface", "va"), &reply, 5000, err,
			sizeof(err)), 0);
	assert_int_equal(ctl_client_status(reply, err, sizeof(err)), 0);
	json_decref(reply);
	server_stop(f);
	assert_int_equal(f->vs->n_ports, 1);
}

/* Bad lines, blank lines and pipelined requests on one connection. */
static void
test_bad_then_good_same_connection(void **state)
{
	struct fixture *f = *state;
	static const char lines[] =
		"{not json\n"
		"\n\r\n"
		"[1,2]\n"
		"{\"cmd\":\"nope\"}\n"
		"{\"cmd\":\"version\",\"id\":1}\n"
		"{\"cmd\":\"version\",\"id\":2}\r\n";
	json_t *r;
	int fd;

	server_start(f);
	fd = raw_connect(f);
	raw_send(fd, lines, sizeof(lines) - 1);
	expect_error(fd, "EBADMSG");
	expect_error(fd, "EINVAL");
	expect_error(fd, "ENOSYS");
	r = raw_reply(fd);
	assert_int_equal(json_integer_value(json_object_get(r, "id")), 1);
	json_decref(r);
	r = raw_reply(fd);
	assert_int_equal(json_integer_value(json_object_get(r, "id")), 2);
	assert_true(json_is_true(json_object_get(r, "ok")));
	json_decref(r);
	close(fd);
	expect_serving(f);
}

/* Half a request, then gone; a request ended by end of stream. */
static void
test_disconnects(void **state)
{
	struct fixture *f = *state;
	json_t *r;
	int fd, i;

	server_start(f);
	for (i = 0; i < 20; i++) {
		fd = raw_connect(f);
		raw_send(fd, "{\"cmd\":\"port_add\",\"args\":{\"na", 30);
		close(fd);
	}
	/* a request and gone before the reply */
	fd = raw_connect(f);
	raw_send(fd, "{\"cmd\":\"port_list\"}\n", 21);
	close(fd);
	expect_serving(f);
	wait_clients(f, 0);

	/* no newline, but the write side shut: still one request */
	fd = raw_connect(f);
	raw_send(fd, "{\"cmd\":\"version\"}", 17);
	shutdown(fd, SHUT_WR);
	r = raw_reply(fd);
	assert_true(json_is_true(json_object_get(r, "ok")));
	json_decref(r);
	expect_closed(fd);
	close(fd);
	server_stop(f);
	assert_int_equal(f->vs->calls, 0);
}

/* Over 1 MiB: EMSGSIZE, then the connection is closed. */
static void
test_oversized(void **state)
{
	struct fixture *f = *state;
	size_t len = CTL_MSG_MAX + 4096;
	char *big = malloc(len);
	size_t off = 0;
	ssize_t n;
	int fd;

	assert_non_null(big);
	memset(big, ' ', len);
	memcpy(big, "{\"cmd\":\"version\",\"x\":\"", 22);
	server_start(f);

	/* without a newline: refused as soon as the limit is passed */
	fd = raw_connect(f);
	while (off < len) {
		n = send(fd, big + off, len - off, MSG_NOSIGNAL);
		if (n <= 0)
			break;  /* the server may close before we finish */
		off += (size_t)n;
	}
	expect_error(fd, "EMSGSIZE");
	expect_closed(fd);
	close(fd);

	/* with a newline after 2 MiB: same */
	fd = raw_connect(f);
	for (off = 0; off < 2; off++)
		if (send(fd, big, len, MSG_NOSIGNAL) < 0)
			break;
	send(fd, "\n", 1, MSG_NOSIGNAL);
	expect_error(fd, "EMSGSIZE");
	expect_closed(fd);
	close(fd);
	free(big);
	expect_serving(f);
}

/* A line never finished is dropped after the stall timeout. */
static void
test_unfinished_line(void **state)
{
	struct fixture *f = *state;
	uint64_t t0;
	int fd;

	set_limits(f, 64, 300);
	server_start(f);
	fd = raw_connect(f);
	raw_send(fd, "{\"cmd\":", 7);
	t0 = now_ms();
	expect_serving(f);      /* meanwhile others are served */
	expect_error(fd, "ETIMEDOUT");
	expect_closed(fd);
	assert_true(now_ms() - t0 >= 250);
	close(fd);
	/* a request finished within the timeout is served */
	fd = raw_connect(f);
	raw_send(fd, "{\"cmd\":", 7);
	usleep(200000);
	raw_send(fd, "\"version\"}\n", 11);
	usleep(200000);
	{
		json_t *r = raw_reply(fd);

		assert_true(json_is_true(json_object_get(r, "ok")));
		json_decref(r);
	}
	close(fd);
}

/* One connection over the limit gets EBUSY; a freed slot is reused. */
static void
test_too_many_clients(void **state)
{
	struct fixture *f = *state;
	int fd[3], i;
	json_t *r;

	set_limits(f, 2, 10000);
	server_start(f);
	for (i = 0; i < 2; i++) {
		fd[i] = raw_connect(f);
		raw_send(fd[i], "{\"cmd\":\"version\"}\n", 18);
		r = raw_reply(fd[i]);
		assert_non_null(r);
		json_decref(r);
	}
	fd[2] = raw_connect(f);
	expect_error(fd[2], "EBUSY");
	expect_closed(fd[2]);
	close(fd[2]);
	close(fd[0]);
	wait_clients(f, 1);
	expect_serving(f);
	close(fd[1]);
	wait_clients(f, 0);
}

/* A client that sends and never reads stalls only itself. */
static void
test_reader_never_reads(void **state)
{
	struct fixture *f = *state;
	static const char req[] = "{\"cmd\":\"port_list\"}\n";
	int fd, i, sndbuf = 4096;
	uint64_t end;

	/* replies bigger than socket buffers */
	for (i = 0; i < 60; i++) {
		char line[128];

		snprintf(line, sizeof(line), "{\"cmd\":\"port_add\",\"args\":"
				"{\"name\":\"p%d\",\"type\":\"devargs\","
				"\"devargs\":\"net_null%d\"}}", i, i);
		json_decref(ctl_cmds_handle_line(&(struct ctl_ctx){ .vs = f->vs },
				line, strlen(line)));
	}
	set_limits(f, 64, 500);
	server_start(f);
	fd = raw_connect(f);
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sndbuf, sizeof(sndbuf));
	for (i = 0; i < 2000; i++)
		if (send(fd, req, sizeof(req) - 1, MSG_NOSIGNAL |
				MSG_DONTWAIT) < 0)
			break;
	expect_serving(f);
	/* dropped once its reply has waited longer than the stall timeout */
	end = now_ms() + 5000;
	while (ctl_server_n_clients(f->s) > 0 && now_ms() < end)
		usleep(10000);
	assert_int_equal(ctl_server_n_clients(f->s), 0);
	close(fd);
	expect_serving(f);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_socket_file, setup,
				teardown),
		cmocka_unit_test_setup_teardown(test_create_errors, setup,
				teardown),
		cmocka_unit_test_setup_teardown(test_client_no_server, setup,
				teardown),
		cmocka_unit_test_setup_teardown(test_good_requests, setup,
				teardown),
		cmocka_unit_test_setup_teardown(
				test_bad_then_good_same_connection, setup,
				teardown),
		cmocka_unit_test_setup_teardown(test_disconnects, setup,
				teardown),
		cmocka_unit_test_setup_teardown(test_oversized, setup,
				teardown),
		cmocka_unit_test_setup_teardown(test_unfinished_line, setup,
				teardown),
		cmocka_unit_test_setup_teardown(test_too_many_clients, setup,
				teardown),
		cmocka_unit_test_setup_teardown(test_reader_never_reads, setup,
				teardown),
	};

	return cmocka_run_group_tests_name("ctl_server", tests, NULL, NULL);
}
