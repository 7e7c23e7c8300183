/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bench_udp_rtt.c: UDP ping-pong between two kernel pods, for the latency
 * run of tests/bench/run.sh (docs/benchmarks.md).
 *
 *   bench_udp_rtt server [--port P]
 *       echoes every datagram back to its sender, until killed.
 *   bench_udp_rtt client --to IP [--port P] [--count N] [--warmup W]
 *                 [--size B] [--timeout-ms T] [--max-seconds S]
 *       sends one datagram at a time (a sequence number and padding, B
 *       bytes of UDP payload), waits for its echo, and times the round trip
 *       with CLOCK_MONOTONIC. The first W round trips are not counted. A
 *       datagram not echoed within T ms is counted lost and the next one
 *       is sent; a stale echo (an older sequence number) is skipped.
 *       After S seconds (default: no limit) it stops early, so that a
 *       loaded machine cannot stretch a run without end; n says how many
 *       round trips were timed.
 *       Prints one JSON object: n, lost, p50_us, p90_us, p99_us, p999_us,
 *       max_us, mean_us, secs. Exit status 1 when more than 1% were lost.
 *
 * Plain libc and sockets: no DPDK, no project code.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define RTT_PAYLOAD_MAX 1400

struct rtt_opts {
	const char *to;
	uint16_t port;
	uint32_t count;
	uint32_t warmup;
	uint32_t size;
	uint32_t timeout_ms;
	uint32_t max_seconds;           /**< 0: no limit */
};

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int
udp_socket(uint16_t bind_port)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
		.sin_port = htons(bind_port) };
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
		perror("bench_udp_rtt: socket");
		exit(2);
	}
	return fd;
}

/* ---- server ---- */

static int
serve(uint16_t port)
{
	char buf[RTT_PAYLOAD_MAX];
	struct sockaddr_in from;
	socklen_t fl;
	ssize_t n;
	int fd = udp_socket(port);

	for (;;) {
		fl = sizeof(from);
		n = recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&from,
				&fl);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			perror("bench_udp_rtt: recvfrom");
			return 2;
		}
		sendto(fd, buf, (size_t)n, 0, (struct sockaddr *)&from, fl);
	}
}

/* ---- client ---- */

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* The value at quantile q of sorted v (nearest rank). */
static double
quantile_us(const uint64_t *v, uint32_t n, double q)
{
	uint32_t i = (uint32_t)(q * n);

	return v[i < n ? i : n - 1] / 1000.0;
}

/* One round trip: @return its duration in ns, or 0 when lost. */
static uint64_t
ping(int fd, char *buf, uint32_t size, uint64_t seq)
{
	uint64_t t0 = now_ns(), got;
	ssize_t n;

	memcpy(buf, &seq, sizeof(seq));
	if (send(fd, buf, size, 0) < 0)
		return 0;
	for (;;) {
		n = recv(fd, buf, RTT_PAYLOAD_MAX, 0);
		if (n < 0)
			return 0;               /* timeout (SO_RCVTIMEO) */
		if ((size_t)n < sizeof(got))
			continue;
		memcpy(&got, buf, sizeof(got));
		if (got == seq)
			return now_ns() - t0;
	}
}

static int
client_connect(const struct rtt_opts *o)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
		.sin_port = htons(o->port) };
	struct timeval tv = { .tv_sec = o->timeout_ms / 1000,
		.tv_usec = (o->timeout_ms % 1000) * 1000 };
	int fd = udp_socket(0);

	if (inet_pton(AF_INET, o->to, &a.sin_addr) != 1) {
		fprintf(stderr, "bench_udp_rtt: not an IPv4 address: %s\n", o->to);
		exit(2);
	}
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0 ||
			setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0) {
		perror("bench_udp_rtt: connect");
		exit(2);
	}
	return fd;
}

static void
report(uint64_t *rtt, uint32_t n, uint32_t lost, double secs)
{
	double sum = 0;
	uint32_t i;

	qsort(rtt, n, sizeof(*rtt), cmp_u64);
	for (i = 0; i < n; i++)
		sum += rtt[i];
	printf("{\"n\": %u, \"lost\": %u, \"p50_us\": %.1f, \"p90_us\": %.1f, "
			"\"p99_us\": %.1f, \"p999_us\": %.1f, \"max_us\": %.1f, "
			"\"mean_us\": %.1f, \"secs\": %.1f}\n", n, lost,
			quantile_us(rtt, n, 0.50), quantile_us(rtt, n, 0.90),
			quantile_us(rtt, n, 0.99), quantile_us(rtt, n, 0.999),
			n ? rtt[n - 1] / 1000.0 : 0.0, n ? sum / n / 1000.0 : 0.0,
			secs);
}

static int
client(const struct rtt_opts *o)
{
	char buf[RTT_PAYLOAD_MAX] = { 0 };
	uint64_t *rtt = calloc(o->count, sizeof(*rtt));
	uint64_t t0 = now_ns(), end = UINT64_MAX, seq, d;
	uint32_t n = 0, lost = 0;
	int fd = client_connect(o);

	if (rtt == NULL)
		return 2;
	if (o->max_seconds)
		end = t0 + (uint64_t)o->max_seconds * 1000000000u;
	for (seq = 1; seq <= (uint64_t)o->warmup + o->count; seq++) {
		d = ping(fd, buf, o->size, seq);
		if (seq <= o->warmup)
			continue;
		if (d == 0)
			lost++;
		else
			rtt[n++] = d;
		if ((seq & 1023) == 0 && now_ns() > end)
			break;
	}
	if (n == 0) {
		printf("{\"n\": 0, \"lost\": %u}\n", lost);
		free(rtt);
		return 1;
	}
	report(rtt, n, lost, (now_ns() - t0) / 1e9);
	free(rtt);
	close(fd);
	return (uint64_t)lost * 100 > (uint64_t)n + lost ? 1 : 0;
}

/* ---- command line ---- */

static void
usage(void)
{
	fprintf(stderr, "usage: bench_udp_rtt server [--port P]\n"
			"       bench_udp_rtt client --to IP [--port P] [--count N] "
			"[--warmup W] [--size B] [--timeout-ms T] [--max-seconds S]\n");
	exit(2);
}

static uint32_t
num(const char *s, uint32_t min, uint32_t max)
{
	char *end;
	unsigned long v = strtoul(s, &end, 10);

	if (*s == '\0' || *end != '\0' || v < min || v > max)
		usage();
	return (uint32_t)v;
}

int
main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "to", required_argument, NULL, 't' },
		{ "port", required_argument, NULL, 'p' },
		{ "count", required_argument, NULL, 'n' },
		{ "warmup", required_argument, NULL, 'w' },
		{ "size", required_argument, NULL, 's' },
		{ "timeout-ms", required_argument, NULL, 'T' },
		{ "max-seconds", required_argument, NULL, 'S' },
		{ NULL, 0, NULL, 0 } };
	struct rtt_opts o = { .port = 7777, .count = 100000, .warmup = 1000,
		.size = 18, .timeout_ms = 200 };
	int c;

	if (argc < 2)
		usage();
	while ((c = getopt_long(argc - 1, argv + 1, "", lo, NULL)) != -1) {
		switch (c) {
		case 't': o.to = optarg; break;
		case 'p': o.port = (uint16_t)num(optarg, 1, 65535); break;
		case 'n': o.count = num(optarg, 1, 100000000); break;
		case 'w': o.warmup = num(optarg, 0, 100000000); break;
		case 's': o.size = num(optarg, 8, RTT_PAYLOAD_MAX); break;
		case 'T': o.timeout_ms = num(optarg, 1, 60000); break;
		case 'S': o.max_seconds = num(optarg, 0, 86400); break;
		default: usage();
		}
	}
	if (strcmp(argv[1], "server") == 0)
		return serve(o.port);
	if (strcmp(argv[1], "client") == 0 && o.to != NULL)
		return client(&o);
	usage();
	return 2;
}
