/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * npvsctl.h: what npvsctl's files share: the subcommand row, the global
 * options, exit codes, the call helper (npvsctl.c) and the table printers
 * (npvsctl_table.c).
 *
 * Thread-safety: npvsctl is single-threaded.
 */
#ifndef NPVS_NPVSCTL_H
#define NPVS_NPVSCTL_H

#include <stdbool.h>

#include <jansson.h>

/** Exit statuses. */
#define NPVSCTL_EXIT_OK 0
#define NPVSCTL_EXIT_REFUSED 1          /**< npvsd answered with an error */
#define NPVSCTL_EXIT_USAGE 2
#define NPVSCTL_EXIT_UNREACHABLE 3      /**< no answer from npvsd */

/**
 * A subcommand: argv[0] is its name, the global options are already
 * removed. @return an exit status.
 */
typedef int npvsctl_fn(int argc, char **argv);

/** One row of npvsctl's subcommand table. */
struct npvsctl_cmd {
	const char *name;
	npvsctl_fn *fn;
	const char *help;       /**< one line for 'npvsctl --help' */
};

/** The global options. */
struct npvsctl_opts {
	const char *socket;     /**< --socket; NULL: $NPVS_SOCKET or default */
	bool json;              /**< -o json */
	bool yaml;              /**< -o yaml */
	int timeout_ms;         /**< --timeout */
};

extern struct npvsctl_opts npvsctl_opts;

/**
 * Send cmd with args (consumed; NULL for none). On an error reply, print
 * it (and the reply itself with -o json).
 * @return 0 with *reply set (json_decref it), or an exit status.
 */
int npvsctl_call(const char *cmd, json_t *args, json_t **reply);

/** Print a usage error ("npvsctl CMD: " fmt with arg); @return 2. */
int npvsctl_usage_error(const char *cmd, const char *fmt, const char *arg);

/** Print a reply as indented JSON. */
void npvsctl_print_json(const json_t *reply);

/* npvsctl_policy.c: apply, delete, get of objects; YAML output. */
npvsctl_fn npvsctl_cmd_apply;
npvsctl_fn npvsctl_cmd_delete;
/** get KIND [-n NS] of a kind npvsd stores (argv[0] is the kind). */
npvsctl_fn npvsctl_cmd_get_objects;
/** Print any JSON value as a YAML document (libyaml's emitter). */
void npvsctl_print_yaml(const json_t *v);
/** Print a reply: as JSON (-o json), YAML (-o yaml) or with print(). */
void npvsctl_output(const json_t *reply, void (*print)(const json_t *));

/* npvsctl_node.c: node-info, tunnel (VXLAN to other nodes). */
npvsctl_fn npvsctl_cmd_node_info;
npvsctl_fn npvsctl_cmd_tunnel;

/* npvsctl_dp.c: trace, flows, log, stats --rules (the data path). */
npvsctl_fn npvsctl_cmd_trace;
npvsctl_fn npvsctl_cmd_flows;
npvsctl_fn npvsctl_cmd_log;
npvsctl_fn npvsctl_cmd_stats_rules;

/* npvsctl_table.c: aligned tables from reply arrays. */
void npvsctl_print_ports(const json_t *ports, bool counters);
void npvsctl_print_endpoints(const json_t *endpoints);
void npvsctl_print_stats(const json_t *reply);

#endif /* NPVS_NPVSCTL_H */
