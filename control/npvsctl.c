/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * npvsctl.c: the command-line client of npvsd (docs/api.md).
 *
 *     npvsctl [--socket PATH] [-o table|json|yaml] [--timeout MS] COMMAND ...
 *
 * Global options may stand anywhere on the line. Each COMMAND is one row
 * of the subcommand table below: a name, a function called with
 * (argc, argv) where argv[0] is the command's name, and a line of help.
 * The function parses its own arguments (getopt_long), talks to npvsd
 * through ctl_client.h and prints the reply: an aligned table by default
 * (npvsctl_table.c), the reply object itself with -o json.
 *
 * Exit status: 0 success, 1 npvsd answered with an error, 2 bad usage,
 * 3 npvsd could not be reached (not running, no permission, timeout).
 */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "ctl_client.h"
#include "ctl_proto.h"
#include "ctl_reach.h"
#include "npvsctl.h"

struct npvsctl_opts npvsctl_opts = { .timeout_ms = 10000 };

static npvsctl_fn cmd_version;
static npvsctl_fn cmd_port;
static npvsctl_fn cmd_endpoint;
static npvsctl_fn cmd_get;
static npvsctl_fn cmd_stats;

/* reach (ctl_reach.h) runs offline; -o is a global option here. */
static int
cmd_reach(int argc, char **argv)
{
	return ctl_reach_main_fmt(argc, argv, npvsctl_opts.json);
}

/* The subcommands: one row each. */
static const struct npvsctl_cmd subcmds[] = {
	{ "version", cmd_version, "show npvsctl's and npvsd's versions" },
	{ "port", cmd_port, "port add|del|list: the switch's ports" },
	{ "endpoint", cmd_endpoint, "endpoint add|del|list: pods and their "
	  "addresses" },
	{ "apply", npvsctl_cmd_apply, "apply -f PATH: add or update "
	  "Namespaces, Pods, NetworkPolicies (one transaction)" },
	{ "delete", npvsctl_cmd_delete, "delete -f PATH | KIND NAME: remove "
	  "objects" },
	{ "get", cmd_get, "get ports|endpoints|namespaces|pods|"
	  "networkpolicies|nodes: list objects" },
	{ "stats", cmd_stats, "port and drop counters; --rules: per policy "
	  "rule" },
	{ "trace", npvsctl_cmd_trace, "trace --src IP --dst IP --proto P "
	  "--dport N: a packet through the live policy" },
	{ "flows", npvsctl_cmd_flows, "connection-table entries" },
	{ "log", npvsctl_cmd_log, "recent denied packets" },
	{ "node-info", npvsctl_cmd_node_info, "this node's Node object with "
	  "Flannel's annotations" },
	{ "tunnel", npvsctl_cmd_tunnel, "other nodes, VXLAN state and "
	  "counters" },
	{ "reach", cmd_reach, "reach -f PATH...: who may reach whom under "
	  "some manifests (offline, no npvsd)" },
};

#define N_SUBCMDS (sizeof(subcmds) / sizeof(subcmds[0]))

static void
usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: npvsctl [--socket PATH] [-o table|json|yaml] "
		"[--timeout MS] COMMAND [ARGS]\n\n"
		"Drives npvsd over its control socket (default %s, or "
		"$%s).\n\ncommands:\n", CTL_SOCKET_DEFAULT, CTL_SOCKET_ENV);
	for (i = 0; i < N_SUBCMDS; i++)
		fprintf(f, "  %-10s %s\n", subcmds[i].name, subcmds[i].help);
	fprintf(f, "\n'npvsctl COMMAND --help' describes one command.\n"
		"exit status: 0 ok, 1 npvsd refused, 2 usage, "
		"3 npvsd unreachable\n");
}

/* ---- talking to npvsd ---- */

int
npvsctl_call(const char *cmd, json_t *args, json_t **reply)
{
	char err[512];
	int rc;

	rc = ctl_client_cmd(npvsctl_opts.socket, cmd, args, reply,
			npvsctl_opts.timeout_ms, err, sizeof(err));
	if (rc < 0) {
		fprintf(stderr, "npvsctl: %s\n", err);
		return NPVSCTL_EXIT_UNREACHABLE;
	}
	rc = ctl_client_status(*reply, err, sizeof(err));
	if (rc < 0) {
		if (npvsctl_opts.json)
			npvsctl_print_json(*reply);
		fprintf(stderr, "npvsctl: %s: %s (%s)\n", cmd, err,
				ctl_errno_name(rc));
		json_decref(*reply);
		*reply = NULL;
		return NPVSCTL_EXIT_REFUSED;
	}
	return 0;
}

void
npvsctl_print_json(const json_t *reply)
{
	json_dumpf(reply, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	fputc('\n', stdout);
}

/* Run cmd; print the reply as JSON or with print(). */
static int
call_and_print(const char *cmd, json_t *args, void (*print)(const json_t *))
{
	json_t *reply;
	int rc;

	rc = npvsctl_call(cmd, args, &reply);
	if (rc != 0)
		return rc;
	npvsctl_output(reply, print);
	json_decref(reply);
	return 0;
}

int
npvsctl_usage_error(const char *cmd, const char *fmt, const char *arg)
{
	fprintf(stderr, "npvsctl%s%s: ", cmd[0] ? " " : "", cmd);
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\n(try 'npvsctl %s%s--help')\n", cmd,
			cmd[0] ? " " : "");
	return NPVSCTL_EXIT_USAGE;
}

/* getopt_long from the start of a subcommand's argv. */
static void
getopt_reset(void)
{
	optind = 0;     /* glibc: full re-initialisation */
	opterr = 1;
}

/* A command with no argument but --help. */
static int
no_args(int argc, char **argv, const char *help)
{
	static const struct option lo[] = {
		{ "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 } };
	int c;

	getopt_reset();
	while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		if (c == 'h') {
			printf("%s", help);
			return -1;
		}
		return NPVSCTL_EXIT_USAGE;
	}
	if (optind < argc)
		return npvsctl_usage_error(argv[0], "unexpected argument '%s'",
				argv[optind]);
	return 0;
}

/* ---- version, stats ---- */

static void
print_version(const json_t *r)
{
	printf("npvsctl %s\nnpvsd   %s (node %s)\n", NPVS_VERSION,
			json_string_value(json_object_get(r, "version")),
			json_string_value(json_object_get(r, "node")));
}

static int
cmd_version(int argc, char **argv)
{
	int rc = no_args(argc, argv, "usage: npvsctl version\n\n"
			"Shows npvsctl's version and the running npvsd's "
			"version and node name.\n");

	if (rc != 0)
		return rc < 0 ? 0 : rc;
	return call_and_print("version", NULL, print_version);
}

static int
cmd_stats(int argc, char **argv)
{
	int rc;

	if (argc >= 2 && strcmp(argv[1], "--rules") == 0)
		return npvsctl_cmd_stats_rules(argc, argv);
	rc = no_args(argc, argv, "usage: npvsctl stats [--rules]\n\n"
			"Shows each port's packet counters and the switch's "
			"drop counters by reason;\n--rules: packets allowed "
			"per policy rule and denied per endpoint.\n");

	if (rc != 0)
		return rc < 0 ? 0 : rc;
	return call_and_print("stats", NULL, npvsctl_print_stats);
}

/* ---- ports ---- */

static const char port_help[] =
	"usage: npvsctl port add NAME --afpacket IFACE [--max-frame N] "
	"[--uplink]\n"
	"       npvsctl port add NAME --vhost PATH [--client|--server] "
	"[--mtu N] [--uplink]\n"
	"       npvsctl port add NAME --devargs STR [--uplink]\n"
	"       npvsctl port del NAME\n"
	"       npvsctl port list        (also: npvsctl get ports)\n\n"
	"  --afpacket IFACE  a kernel pod: IFACE is the host end of its veth\n"
	"  --vhost PATH      a DPDK pod on a vhost-user socket; npvsd serves\n"
	"                    it (--server, the default) or connects to it\n"
	"                    (--client)\n"
	"  --max-frame N     afpacket: the largest Ethernet frame the pod may\n"
	"                    send (its largest datagram + 14, 1514..64432;\n"
	"                    default about 1982; docs/operations.md: memory)\n"
	"  --mtu N           vhost: the DPDK pod's MTU, the largest IPv4\n"
	"                    packet it takes (576..9698, default 1500)\n"
	"  --devargs STR     any DPDK device, e.g. net_null0,no-rx=1\n"
	"  --uplink          this port is the node's uplink\n";

/* --OPT N as member key of a (which it consumes): a number, bounds are
 * npvsd's. */
static int
uint_arg(json_t *a, const char *opt, const char *key, const char *v,
		json_t **out)
{
	char *end, fmt[64];
	unsigned long n;

	errno = 0;
	n = strtoul(v, &end, 10);
	if (v[0] < '0' || v[0] > '9' || *end != '\0' || errno != 0 ||
			n > INT32_MAX) {
		json_decref(a);
		snprintf(fmt, sizeof(fmt), "--%s: '%%s' is not a number of "
				"bytes", opt);
		return npvsctl_usage_error("port add", fmt, v);
	}
	json_object_set_new(a, key, json_integer((json_int_t)n));
	*out = a;
	return 0;
}

/* Parse "port add" into the args object of port_add. */
static int
port_add_args(int argc, char **argv, json_t **out)
{
	static const struct option lo[] = {
		{ "afpacket", required_argument, NULL, 'a' },
		{ "vhost", required_argument, NULL, 'v' },
		{ "devargs", required_argument, NULL, 'd' },
		{ "client", no_argument, NULL, 'c' },
		{ "server", no_argument, NULL, 's' },
		{ "uplink", no_argument, NULL, 'u' },
		{ "max-frame", required_argument, NULL, 'm' },
		{ "mtu", required_argument, NULL, 'M' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 } };
	const char *type = NULL, *val = NULL, *mode = NULL, *maxf = NULL;
	const char *mtu = NULL;
	bool uplink = false;
	json_t *a;
	int c;

	getopt_reset();
	while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		switch (c) {
		case 'a': case 'v': case 'd':
			if (type != NULL)
				return npvsctl_usage_error("port add", "%s",
					"give one of --afpacket, --vhost, "
					"--devargs");
			type = c == 'a' ? "afpacket" : c == 'v' ? "vhost" :
				"devargs";
			val = optarg;
			break;
		case 'c': mode = "client"; break;
		case 's': mode = "server"; break;
		case 'u': uplink = true; break;
		case 'm': maxf = optarg; break;
		case 'M': mtu = optarg; break;
		case 'h': printf("%s", port_help); return -1;
		default: return NPVSCTL_EXIT_USAGE;
		}
	}
	if (optind + 1 != argc)
		return npvsctl_usage_error("port add", "%s",
				"give exactly one port NAME");
	if (type == NULL)
		return npvsctl_usage_error("port add", "%s",
				"give one of --afpacket, --vhost, --devargs");
	if (mode != NULL && strcmp(type, "vhost") != 0)
		return npvsctl_usage_error("port add", "%s",
				"--client/--server go with --vhost");
	if (maxf != NULL && strcmp(type, "afpacket") != 0)
		return npvsctl_usage_error("port add", "%s",
				"--max-frame goes with --afpacket");
	if (mtu != NULL && strcmp(type, "vhost") != 0)
		return npvsctl_usage_error("port add", "%s",
				"--mtu goes with --vhost");
	a = json_pack("{s:s, s:s, s:s, s:b}", "name", argv[optind],
			"type", type, strcmp(type, "afpacket") == 0 ? "iface" :
			strcmp(type, "vhost") == 0 ? "path" : "devargs", val,
			"uplink", uplink);
	if (a != NULL && mode != NULL)
		json_object_set_new(a, "mode", json_string(mode));
	if (a != NULL && maxf != NULL)
		return uint_arg(a, "max-frame", "max_frame", maxf, out);
	if (a != NULL && mtu != NULL)
		return uint_arg(a, "mtu", "mtu", mtu, out);
	*out = a;
	return a != NULL ? 0 : npvsctl_usage_error("port add", "%s",
			"arguments must be UTF-8");
}

static void
print_port_added(const json_t *r)
{
	json_t *list = json_array();

	json_array_append(list, json_object_get(r, "port"));
	npvsctl_print_ports(list, false);
	json_decref(list);
}

static void
print_port_list(const json_t *r)
{
	npvsctl_print_ports(json_object_get(r, "ports"), false);
}

static void
print_nothing(const json_t *r)
{
	(void)r;
}

/* "port del NAME": the one positional argument of a del command. */
static int
one_name(int argc, char **argv, const char *what, const char **name)
{
	static const struct option lo[] = {
		{ "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 } };
	int c;

	getopt_reset();
	while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		if (c == 'h')
			return -1;
		return NPVSCTL_EXIT_USAGE;
	}
	if (optind + 1 != argc)
		return npvsctl_usage_error(what, "%s", "give exactly one name");
	*name = argv[optind];
	return 0;
}

static int
cmd_port(int argc, char **argv)
{
	const char *sub = argc > 1 ? argv[1] : "";
	const char *name;
	json_t *args = NULL;
	int rc;

	if (strcmp(sub, "add") == 0) {
		rc = port_add_args(argc - 1, argv + 1, &args);
		if (rc != 0)
			return rc < 0 ? 0 : rc;
		return call_and_print("port_add", args, print_port_added);
	}
	if (strcmp(sub, "del") == 0 || strcmp(sub, "delete") == 0) {
		rc = one_name(argc - 1, argv + 1, "port del", &name);
		if (rc != 0) {
			if (rc < 0)
				printf("%s", port_help);
			return rc < 0 ? 0 : rc;
		}
		rc = call_and_print("port_del", json_pack("{s:s}", "name",
				name), print_nothing);
		if (rc == 0 && !npvsctl_opts.json)
			printf("port %s deleted\n", name);
		return rc;
	}
	if (strcmp(sub, "list") == 0 || strcmp(sub, "ls") == 0) {
		rc = no_args(argc - 1, argv + 1, port_help);
		if (rc != 0)
			return rc < 0 ? 0 : rc;
		return call_and_print("port_list", NULL, print_port_list);
	}
	if (strcmp(sub, "--help") == 0 || strcmp(sub, "-h") == 0) {
		printf("%s", port_help);
		return 0;
	}
	fprintf(stderr, "%s", port_help);
	return NPVSCTL_EXIT_USAGE;
}

/* ---- endpoints ---- */

static const char endpoint_help[] =
	"usage: npvsctl endpoint add NAMESPACE/NAME --port PORT --ip IP "
	"[--ip IP]... [--mac MAC]\n"
	"       npvsctl endpoint del NAMESPACE/NAME\n"
	"       npvsctl endpoint list    (also: npvsctl get endpoints)\n\n"
	"  --port PORT  the port the pod's traffic uses\n"
	"  --ip IP      an IPv4 or IPv6 address of the pod (1 to 4)\n"
	"  --mac MAC    the pod's MAC (aa:bb:cc:dd:ee:ff); else learned\n";

/* Split NAMESPACE/NAME into the object args. */
static json_t *
ns_name(const char *cmd, const char *arg)
{
	const char *slash = strchr(arg, '/');
	json_t *a;

	if (slash == NULL || slash == arg || slash[1] == '\0') {
		npvsctl_usage_error(cmd, "'%s' is not NAMESPACE/NAME", arg);
		return NULL;
	}
	a = json_object();
	json_object_set_new(a, "namespace", json_stringn(arg,
			(size_t)(slash - arg)));
	json_object_set_new(a, "name", json_string(slash + 1));
	if (json_object_size(a) != 2) {
		json_decref(a);
		npvsctl_usage_error(cmd, "'%s' is not UTF-8", arg);
		return NULL;
	}
	return a;
}

/* Parse "endpoint add" into the args object of endpoint_add. */
static int
endpoint_add_args(int argc, char **argv, json_t **out)
{
	static const struct option lo[] = {
		{ "port", required_argument, NULL, 'p' },
		{ "ip", required_argument, NULL, 'i' },
		{ "mac", required_argument, NULL, 'm' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 } };
	const char *port = NULL, *mac = NULL;
	json_t *ips = json_array(), *a;
	int c;

	getopt_reset();
	while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		switch (c) {
		case 'p': port = optarg; break;
		case 'i': json_array_append_new(ips, json_string(optarg));
			  break;
		case 'm': mac = optarg; break;
		case 'h': printf("%s", endpoint_help); json_decref(ips);
			  return -1;
		default: json_decref(ips); return NPVSCTL_EXIT_USAGE;
		}
	}
	if (optind + 1 != argc || port == NULL || json_array_size(ips) == 0) {
		json_decref(ips);
		return npvsctl_usage_error("endpoint add", "%s", "give "
				"NAMESPACE/NAME, --port and at least one --ip");
	}
	a = ns_name("endpoint add", argv[optind]);
	if (a == NULL) {
		json_decref(ips);
		return NPVSCTL_EXIT_USAGE;
	}
	json_object_set_new(a, "port", json_string(port));
	json_object_set_new(a, "ips", ips);
	if (mac != NULL)
		json_object_set_new(a, "mac", json_string(mac));
	*out = a;
	return 0;
}

static void
print_endpoint_added(const json_t *r)
{
	json_t *list = json_array();

	json_array_append(list, json_object_get(r, "endpoint"));
	npvsctl_print_endpoints(list);
	json_decref(list);
}

static void
print_endpoint_list(const json_t *r)
{
	npvsctl_print_endpoints(json_object_get(r, "endpoints"));
}

static int
cmd_endpoint(int argc, char **argv)
{
	const char *sub = argc > 1 ? argv[1] : "";
	const char *name;
	json_t *args = NULL;
	int rc;

	if (strcmp(sub, "add") == 0) {
		rc = endpoint_add_args(argc - 1, argv + 1, &args);
		if (rc != 0)
			return rc < 0 ? 0 : rc;
		return call_and_print("endpoint_add", args,
				print_endpoint_added);
	}
	if (strcmp(sub, "del") == 0 || strcmp(sub, "delete") == 0) {
		rc = one_name(argc - 1, argv + 1, "endpoint del", &name);
		if (rc != 0) {
			if (rc < 0)
				printf("%s", endpoint_help);
			return rc < 0 ? 0 : rc;
		}
		args = ns_name("endpoint del", name);
		if (args == NULL)
			return NPVSCTL_EXIT_USAGE;
		rc = call_and_print("endpoint_del", args, print_nothing);
		if (rc == 0 && !npvsctl_opts.json)
			printf("endpoint %s deleted\n", name);
		return rc;
	}
	if (strcmp(sub, "list") == 0 || strcmp(sub, "ls") == 0) {
		rc = no_args(argc - 1, argv + 1, endpoint_help);
		if (rc != 0)
			return rc < 0 ? 0 : rc;
		return call_and_print("endpoint_list", NULL,
				print_endpoint_list);
	}
	if (strcmp(sub, "--help") == 0 || strcmp(sub, "-h") == 0) {
		printf("%s", endpoint_help);
		return 0;
	}
	fprintf(stderr, "%s", endpoint_help);
	return NPVSCTL_EXIT_USAGE;
}

/* ---- get ---- */

static const char get_help[] =
	"usage: npvsctl get ports\n"
	"       npvsctl get namespaces|pods|networkpolicies|endpoints|nodes "
	"[-n NS]\n\n"
	"Lists the objects of one kind: ports as 'port list'; the others as\n"
	"npvsd stores them ('npvsctl get pods --help').\n";

static int
cmd_get(int argc, char **argv)
{
	const char *kind = argc > 1 ? argv[1] : "";
	int rc;

	if (strcmp(kind, "--help") == 0 || strcmp(kind, "-h") == 0) {
		printf("%s", get_help);
		return 0;
	}
	if (strcmp(kind, "ports") == 0 || strcmp(kind, "port") == 0) {
		rc = no_args(argc - 1, argv + 1, get_help);
		return rc != 0 ? (rc < 0 ? 0 : rc) :
			call_and_print("port_list", NULL, print_port_list);
	}
	if (kind[0] != '\0' && kind[0] != '-')
		return npvsctl_cmd_get_objects(argc - 1, argv + 1);
	fprintf(stderr, "npvsctl get: unknown kind '%s'\n%s", kind, get_help);
	return NPVSCTL_EXIT_USAGE;
}

/* ---- main ---- */

/* Take the global options out of argv, wherever they are. */
static int
global_opts(int *argc, char **argv)
{
	int i, o = 1;
	char *v;

	for (i = 1; i < *argc; i++) {
		const char *a = argv[i];
		const char *names[] = { "--socket", "-o", "--output",
			"--timeout" };
		size_t k, n;

		v = NULL;
		for (k = 0; k < 4 && v == NULL; k++) {
			n = strlen(names[k]);
			if (strcmp(a, names[k]) == 0) {
				if (i + 1 == *argc)
					return npvsctl_usage_error("", "%s needs "
							"a value", a);
				v = argv[++i];
			} else if (strncmp(a, names[k], n) == 0 && a[n] == '=') {
				v = (char *)a + n + 1;
			}
		}
		if (v == NULL) {
			argv[o++] = argv[i];
			continue;
		}
		if (strncmp(a, "--socket", 8) == 0) {
			npvsctl_opts.socket = v;
		} else if (strncmp(a, "--timeout", 9) == 0) {
			npvsctl_opts.timeout_ms = atoi(v);
			if (npvsctl_opts.timeout_ms <= 0)
				return npvsctl_usage_error("", "bad --timeout "
						"'%s' (milliseconds)", v);
		} else if (strcmp(v, "json") == 0 || strcmp(v, "table") == 0 ||
				strcmp(v, "yaml") == 0) {
			npvsctl_opts.json = strcmp(v, "json") == 0;
			npvsctl_opts.yaml = strcmp(v, "yaml") == 0;
		} else {
			return npvsctl_usage_error("", "-o '%s': use table, "
					"json or yaml", v);
		}
	}
	*argc = o;
	argv[o] = NULL;
	return 0;
}

int
main(int argc, char **argv)
{
	size_t i;
	int rc;

	rc = global_opts(&argc, argv);
	if (rc != 0)
		return rc;
	if (argc < 2) {
		usage(stderr);
		return NPVSCTL_EXIT_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
			strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return 0;
	}
	for (i = 0; i < N_SUBCMDS; i++)
		if (strcmp(subcmds[i].name, argv[1]) == 0)
			return subcmds[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "npvsctl: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return NPVSCTL_EXIT_USAGE;
}
