/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ctl_reach.h: `npvsctl reach`, offline reachability of the pods of some
 * manifests: who may open a connection to whom, on which port, and which
 * policy rule says so (docs/manifests.md).
 *
 *   npvsctl reach -f PATH [-f PATH ...] [--port 80/TCP ...] [--peer IP ...]
 *                 [-o table|json]
 *
 * It loads the manifests (manifest.h), compiles them with acl_compile()
 * (every pod local), starts a private EAL (--no-huge --in-memory, no
 * daemon), and decides every ordered pair of endpoints (pod addresses,
 * and --peer outside hosts) by classifying one synthetic packet through
 * the egress ruleset of the source and the ingress ruleset of the
 * destination with acl_classify(). Nothing evaluates policy any other way.
 *
 * ctl_reach.c holds the command and the decisions; ctl_reach_out.c prints
 * them (tables per port, or JSON).
 *
 * Thread-safety: a command: one call per process (it initialises EAL).
 */
#ifndef NPVS_CTL_REACH_H
#define NPVS_CTL_REACH_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "acl_model.h"

/**
 * Run `reach`; argv[0] is the command's name. -o table|json picks the
 * output (table by default).
 * @return exit status: 0 ran, 1 input refused or a failure, 2 bad usage.
 */
int ctl_reach_main(int argc, char **argv);

/**
 * As ctl_reach_main(), for npvsctl, which takes -o out of argv as a
 * global option: json gives the format unless argv has its own -o.
 */
int ctl_reach_main_fmt(int argc, char **argv, bool json);

/* ---- shared by ctl_reach.c and ctl_reach_out.c ---- */

/** One endpoint: a pod address or an outside host (--peer). */
struct ctl_reach_ep {
	char name[320];         /**< "ns/pod", or the address for outside hosts */
	struct acl_addr addr;
	bool outside;
	bool dual;              /**< the pod has an address of each family */
	uint32_t pod;           /**< index in the model's pods (not outside) */
};

/** One destination port and protocol. */
struct ctl_reach_port {
	uint16_t port;
	uint8_t proto;          /**< ACL_PROTO_* */
};

/** The decision for one (port, from, to). */
struct ctl_reach_verdict {
	bool valid;             /**< false: from and to differ in family */
	bool allowed;
	char egress[192];       /**< why the source may send (or not) */
	char ingress[192];      /**< why the destination may receive (or not) */
};

/** Everything one run decided. */
struct ctl_reach_result {
	struct ctl_reach_ep *eps;
	uint32_t n_eps;
	struct ctl_reach_port *ports;
	uint32_t n_ports;
	struct ctl_reach_verdict *v;        /**< [port][from][to] */
};

/** The verdict of (port p, from f, to t). */
static inline struct ctl_reach_verdict *
ctl_reach_at(const struct ctl_reach_result *r, uint32_t p, uint32_t f, uint32_t t)
{
	return &r->v[((size_t)p * r->n_eps + f) * r->n_eps + t];
}

/** Print as JSON: an array of {from, to, port, protocol, family, ...}. */
int ctl_reach_print_json(const struct ctl_reach_result *r, FILE *out);

/** Print one matrix per port/protocol (and family): "." allowed, "X" not. */
void ctl_reach_print_table(const struct ctl_reach_result *r, FILE *out);

#endif /* NPVS_CTL_REACH_H */
