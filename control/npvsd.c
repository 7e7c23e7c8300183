/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * npvsd.c: the npvs daemon's main.
 *
 *   config file + flags (ctl_config.h) -> vs_create (EAL, workers) ->
 *   static ports and endpoints from the config -> control socket
 *   (ctl_server.h) -> loop { ctl_server_poll(10 ms); vs_housekeeping }
 *   until SIGTERM or SIGINT -> close the socket -> vs_destroy (ports
 *   closed, EAL cleaned up, hugepage memory released).
 *
 * Exit status: 0 after a signal or --help/--version/--check, 1 when
 * start-up fails (the message names the cause), 2 for a bad command line
 * or config.
 *
 * Thread-safety: this is the control thread (the EAL main lcore); the
 * signal handler only sets a flag.
 */
#include <errno.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ctl_config.h"
#include "ctl_server.h"
#include "vs_api.h"

#define POLL_MS 10

static volatile sig_atomic_t stop_signal;

static void
on_signal(int sig)
{
	stop_signal = sig;
}

static void
signals_install(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	/* A client that hangs up must not kill the daemon. */
	signal(SIGPIPE, SIG_IGN);
}

/* The config's static ports, then its endpoints. */
static int
static_objects_add(struct vs *vs, const struct ctl_config *c, char *err,
		size_t errlen)
{
	uint32_t i;
	int rc;

	for (i = 0; i < c->n_ports; i++) {
		rc = vs_port_add(vs, &c->ports[i], err, errlen);
		if (rc < 0)
			return rc;
	}
	for (i = 0; i < c->n_endpoints; i++) {
		rc = vs_endpoint_add(vs, &c->endpoints[i], err, errlen);
		if (rc < 0)
			return rc;
	}
	return 0;
}

static void
main_loop(struct vs *vs, struct ctl_server *srv)
{
	bool reported = false;
	int rc;

	while (!stop_signal) {
		rc = ctl_server_poll(srv, POLL_MS);
		if (rc < 0) {
			if (!reported)
				fprintf(stderr, "npvsd: control socket failed: %s; "
						"forwarding continues\n", strerror(-rc));
			reported = true;
			usleep(POLL_MS * 1000);
		}
		vs_housekeeping(vs);
	}
}

/* Everything after the config: the switch, its objects, the socket. */
static int
run(struct ctl_config *cfg, const char *argv0)
{
	struct ctl_server *srv;
	struct vs *vs;
	char err[512] = "";
	int rc;

	vs = vs_create(&cfg->vs, argv0, err, sizeof(err));
	if (vs == NULL) {
		fprintf(stderr, "npvsd: %s\n", err);
		return 1;
	}
	/* ctl_server_create() makes the socket's directory. */
	rc = static_objects_add(vs, cfg, err, sizeof(err));
	if (rc < 0) {
		fprintf(stderr, "npvsd: %s\n", err[0] ? err : strerror(-rc));
		vs_destroy(vs);
		return 1;
	}
	srv = ctl_server_create(vs, cfg->vs.socket_path, err, sizeof(err));
	if (srv == NULL) {
		fprintf(stderr, "npvsd: %s\n", err);
		vs_destroy(vs);
		return 1;
	}
	printf("npvsd: ready, node %s, control socket %s\n",
			cfg->vs.node_name, cfg->vs.socket_path);
	fflush(stdout);
	main_loop(vs, srv);
	printf("npvsd: signal %d, stopping\n", (int)stop_signal);
	fflush(stdout);
	ctl_server_free(srv);
	vs_destroy(vs);
	return 0;
}

/*
 * Every apply compiles the whole cluster: arrays of megabytes are
 * allocated and freed each time. glibc would mmap each of them afresh and
 * unmap it at free (page faults and zeroing on every apply, part of the
 * apply-to-active latency); keep them in the heap instead, and the heap's
 * top too.
 */
static void
heap_keep(void)
{
	mallopt(M_MMAP_THRESHOLD, 64 << 20);
	mallopt(M_TRIM_THRESHOLD, 256 << 20);
}

int
main(int argc, char **argv)
{
	struct ctl_config cfg;
	char err[512] = "";
	int rc;

	ctl_config_init(&cfg);
	rc = ctl_config_from_args(&cfg, argc, argv, err, sizeof(err));
	if (rc != 0) {
		if (rc < 0)
			fprintf(stderr, "npvsd: %s\n", err);
		ctl_config_uninit(&cfg);
		return rc < 0 ? 2 : 0;
	}
	if (cfg.check_only) {
		ctl_config_print(&cfg, stdout);
		ctl_config_uninit(&cfg);
		return 0;
	}
	signals_install();
	heap_keep();
	rc = run(&cfg, argv[0]);
	ctl_config_uninit(&cfg);
	return rc;
}
