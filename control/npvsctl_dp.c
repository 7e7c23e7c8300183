/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * npvsctl_dp.c: the data-path subcommands of npvsctl (docs/api.md):
 *
 *   npvsctl trace --src IP --dst IP [--proto tcp|udp|sctp|icmp]
 *                 [--dport N] [--sport N]
 *   npvsctl flows [--src IP] [--dst IP] [--proto P] [--limit N]
 *   npvsctl log [--after SEQ] [--limit N]
 *   npvsctl stats --rules
 *
 * Each parses its options into the args of one npvsd command (trace,
 * flows, log, policy_stats) and prints the reply as text, or as JSON/YAML
 * with -o.
 *
 * Thread-safety: npvsctl is single-threaded.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "npvsctl.h"

static const char trace_help[] =
	"usage: npvsctl trace --src IP --dst IP [--proto tcp|udp|sctp|icmp]\n"
	"                     [--dport N] [--sport N]\n\n"
	"Puts one synthetic packet through npvsd's live policy, as a worker\n"
	"decides a new flow: the route, the source's egress and the\n"
	"destination's ingress verdicts with the policy rule that decided,\n"
	"and whether the connection table has the flow (and its state).\n"
	"--proto defaults to tcp; --dport is needed but for icmp (whose\n"
	"echo identifier --sport gives).\n";

static const char flows_help[] =
	"usage: npvsctl flows [--src IP] [--dst IP] [--proto P] [--limit N]\n\n"
	"Lists connection-table entries: opener and peer, state, packets\n"
	"each way (opener -> peer / replies), age, idle time, time left.\n"
	"--src and --dst match either end. At most --limit entries (1000).\n";

static const char log_help[] =
	"usage: npvsctl log [--after SEQ] [--limit N]\n\n"
	"Shows the most recent denied packets npvsd kept (a bounded buffer,\n"
	"oldest first): reason, 5-tuple, port and the endpoint whose policy\n"
	"denied. --after SEQ shows only newer ones (for polling).\n";

static const char stats_rules_help[] =
	"usage: npvsctl stats --rules\n\n"
	"Shows packets allowed per policy rule, packets denied per endpoint\n"
	"and direction, and the connection table's figures.\n";

/* Parse a number option into args[key]. */
static int
opt_uint(json_t *args, const char *cmd, const char *key, const char *val)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(val, &end, 10);
	if (errno != 0 || end == val || *end != '\0' || val[0] == '-' ||
			v > INT64_MAX)
		return npvsctl_usage_error(cmd, "not a number: '%s'", val);
	json_object_set_new(args, key, json_integer((json_int_t)v));
	return 0;
}

static const struct option dp_opts[] = {
	{ "src", required_argument, NULL, 's' },
	{ "dst", required_argument, NULL, 'd' },
	{ "proto", required_argument, NULL, 'p' },
	{ "dport", required_argument, NULL, 'D' },
	{ "sport", required_argument, NULL, 'S' },
	{ "limit", required_argument, NULL, 'l' },
	{ "after", required_argument, NULL, 'a' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 } };

/*
 * Options into an args object; allowed: the option letters this command
 * takes. @return 0, -1 for --help (printed), or an exit status.
 */
static int
parse(int argc, char **argv, const char *allowed, const char *help,
		json_t **out)
{
	json_t *args = json_object();
	int c, rc = 0;

	optind = 1;
	opterr = 0;
	while (rc == 0 && (c = getopt_long(argc, argv, "h", dp_opts,
			NULL)) != -1) {
		if (c == 'h') {
			printf("%s", help);
			rc = -1;
		} else if (c == '?' || strchr(allowed, c) == NULL) {
			rc = npvsctl_usage_error(argv[0], "unknown option '%s'",
					argv[optind - 1]);
		} else if (c == 's' || c == 'd' || c == 'p') {
			json_object_set_new(args, c == 's' ? "src" : c == 'd' ?
					"dst" : "proto", json_string(optarg));
		} else {
			rc = opt_uint(args, argv[0], c == 'D' ? "dport" :
					c == 'S' ? "sport" : c == 'l' ? "limit" :
					"after", optarg);
		}
	}
	if (rc == 0 && optind < argc)
		rc = npvsctl_usage_error(argv[0], "unexpected argument '%s'",
				argv[optind]);
	if (rc != 0) {
		json_decref(args);
		return rc;
	}
	*out = args;
	return 0;
}

static const char *
str(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s != NULL ? s : "-";
}

static long long
num(const json_t *o, const char *key)
{
	return (long long)json_integer_value(json_object_get(o, key));
}

/* ---- trace ---- */

static void
print_side(const char *label, const json_t *s)
{
	const json_t *ep = json_object_get(s, "endpoint");

	printf("%-9s%s%s%s\n", label, json_is_string(ep) ?
			json_string_value(ep) : "", json_is_string(ep) ? ": " : "",
			str(s, "why"));
}

static void
print_trace(const json_t *r)
{
	const json_t *p = json_object_get(r, "packet");
	const json_t *rt = json_object_get(r, "route");
	const json_t *fl = json_object_get(r, "flow");
	const json_t *pol = json_object_get(r, "policy");

	printf("%-9s%s %s:%lld -> %s:%lld\n", "packet:", str(p, "proto"),
			str(p, "src"), num(p, "sport"), str(p, "dst"),
			num(p, "dport"));
	if (json_is_true(json_object_get(rt, "local")))
		printf("%-9slocal endpoint, port %s\n", "route:", str(rt, "port"));
	else
		printf("%-9snot to a local endpoint\n", "route:");
	if (json_is_true(json_object_get(pol, "present")))
		printf("%-9sgeneration %lld\n", "policy:", num(pol, "generation"));
	else
		printf("%-9snone (every pod unisolated)\n", "policy:");
	print_side("egress:", json_object_get(r, "egress"));
	print_side("ingress:", json_object_get(r, "ingress"));
	printf("%-9s%s\n", "verdict:",
			json_is_true(json_object_get(r, "allowed")) ? "ALLOWED" :
			"DENIED");
	if (json_is_true(json_object_get(fl, "exists")))
		printf("%-9s%s%s%s\n", "flow:", str(fl, "state"),
				json_is_true(json_object_get(fl, "denied")) ?
				" (denied on re-check)" : "",
				json_is_true(json_object_get(fl, "stale")) ?
				" (policy changed: re-checked on its next "
				"packet)" : "");
	else
		printf("%-9snone\n", "flow:");
}

int
npvsctl_cmd_trace(int argc, char **argv)
{
	json_t *args, *reply;
	int rc = parse(argc, argv, "sdpDS", trace_help, &args);

	if (rc != 0)
		return rc < 0 ? 0 : rc;
	rc = npvsctl_call("trace", args, &reply);
	if (rc != 0)
		return rc;
	npvsctl_output(reply, print_trace);
	json_decref(reply);
	return 0;
}

/* ---- flows ---- */

static void
print_flows(const json_t *r)
{
	const json_t *a = json_object_get(r, "flows"), *f;
	size_t i;

	printf("%-5s %-22s %-22s %-12s %17s %8s %8s %8s %s\n", "PROTO",
			"SRC", "DST", "STATE", "PACKETS(>/<)", "AGE", "IDLE",
			"EXPIRES", "PORT");
	json_array_foreach(a, i, f) {
		char s[64], d[64], pk[48];
		const json_t *p = json_object_get(f, "packets");

		snprintf(s, sizeof(s), "%s:%lld", str(f, "src"), num(f, "sport"));
		snprintf(d, sizeof(d), "%s:%lld", str(f, "dst"), num(f, "dport"));
		snprintf(pk, sizeof(pk), "%lld/%lld",
				(long long)json_integer_value(json_array_get(p, 0)),
				(long long)json_integer_value(json_array_get(p, 1)));
		printf("%-5s %-22s %-22s %-12s %17s %7llds %7llds %7llds %s%s\n",
				str(f, "proto"), s, d, str(f, "state"), pk,
				num(f, "age_s"), num(f, "idle_s"),
				num(f, "expires_s"), str(f, "in_port"),
				json_is_true(json_object_get(f, "denied")) ?
				" denied" : "");
	}
	printf("%lld flow(s)%s\n", num(r, "count"),
			json_is_true(json_object_get(r, "truncated")) ?
			" (list truncated: --limit)" : "");
}

int
npvsctl_cmd_flows(int argc, char **argv)
{
	json_t *args, *reply;
	int rc = parse(argc, argv, "sdpl", flows_help, &args);

	if (rc != 0)
		return rc < 0 ? 0 : rc;
	rc = npvsctl_call("flows", args, &reply);
	if (rc != 0)
		return rc;
	npvsctl_output(reply, print_flows);
	json_decref(reply);
	return 0;
}

/* ---- log ---- */

static void
print_log(const json_t *r)
{
	const json_t *a = json_object_get(r, "entries"), *e;
	size_t i;

	json_array_foreach(a, i, e) {
		const json_t *side = json_object_get(e, "side");
		const json_t *ep = json_object_get(e, "endpoint");

		printf("%lld %s %s %s %s:%lld -> %s:%lld port %s%s%s%s%s\n",
				num(e, "seq"), str(e, "time"), str(e, "reason"),
				str(e, "proto"), str(e, "src"), num(e, "sport"),
				str(e, "dst"), num(e, "dport"), str(e, "port"),
				json_is_string(side) ? " " : "",
				json_is_string(side) ? json_string_value(side) : "",
				json_is_string(ep) ? " of " : "",
				json_is_string(ep) ? json_string_value(ep) : "");
	}
}

int
npvsctl_cmd_log(int argc, char **argv)
{
	json_t *args, *reply;
	int rc = parse(argc, argv, "la", log_help, &args);

	if (rc != 0)
		return rc < 0 ? 0 : rc;
	rc = npvsctl_call("log", args, &reply);
	if (rc != 0)
		return rc;
	npvsctl_output(reply, print_log);
	json_decref(reply);
	return 0;
}

/* ---- stats --rules ---- */

static void
print_rules(const json_t *r)
{
	const json_t *a = json_object_get(r, "rules"), *o;
	const json_t *ct = json_object_get(r, "conntrack");
	size_t i;

	printf("rules:\n%-40s %-8s %5s %5s %5s %12s\n", "POLICY", "DIR",
			"RULE", "PEER", "PORT", "PACKETS");
	json_array_foreach(a, i, o) {
		char peer[16] = "*", port[16] = "*";

		if (json_is_integer(json_object_get(o, "peer")))
			snprintf(peer, sizeof(peer), "%lld", num(o, "peer"));
		if (json_is_integer(json_object_get(o, "port")))
			snprintf(port, sizeof(port), "%lld", num(o, "port"));
		printf("%-40s %-8s %5lld %5s %5s %12lld\n", str(o, "policy"),
				str(o, "direction"), num(o, "rule"), peer, port,
				num(o, "packets"));
	}
	printf("\ndenied:\n%-40s %-8s %12s\n", "ENDPOINT", "DIR", "PACKETS");
	json_array_foreach(json_object_get(r, "denied"), i, o)
		printf("%-40s %-8s %12lld\n", str(o, "endpoint"),
				str(o, "direction"), num(o, "packets"));
	printf("\nconntrack: %lld of %lld flows; denial log: %lld lost (ring "
			"full), %lld not logged (rate limit)\n", num(ct, "flows"),
			num(ct, "max"), num(ct, "log_dropped"),
			num(ct, "log_suppressed"));
}

int
npvsctl_cmd_stats_rules(int argc, char **argv)
{
	json_t *reply;
	int rc;

	if (argc > 2 || (argc == 2 && strcmp(argv[1], "--rules") != 0)) {
		printf("%s", stats_rules_help);
		return NPVSCTL_EXIT_USAGE;
	}
	rc = npvsctl_call("policy_stats", NULL, &reply);
	if (rc != 0)
		return rc;
	npvsctl_output(reply, print_rules);
	json_decref(reply);
	return 0;
}
