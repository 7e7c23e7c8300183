/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * acl_test.h: helpers shared by the acl/ unit tests: EAL start-up without
 * hugepages, a terse model builder (selectors in kubectl's string syntax,
 * addresses as text), and a table runner that checks every packet row
 * against both the compiled ruleset and the reference model
 * (ref_policy.h).
 */
#ifndef NPVS_ACL_TEST_H
#define NPVS_ACL_TEST_H

#include <stdbool.h>
#include <stdint.h>

#include "acl_model.h"
#include "acl_ruleset.h"

/** Start EAL once per process: --no-huge --no-pci -m 256, own prefix. */
void at_eal_init(void);

/** Parse "10.0.0.1" or "fd00::1" into a; aborts the test on bad text. */
void at_addr(struct acl_addr *a, const char *text);

/** Parse "10.0.0.0/8" or "fd00::/64". */
void at_prefix(struct acl_prefix *p, const char *text);

/**
 * Parse a selector in kubectl syntax: "app=web,tier in (a,b),env notin
 * (x),has,!lacks". "" is {} (everything).
 */
void at_selector(struct acl_selector *s, const char *text);

/* ---- model builder: every string is copied (the model owns it) ---- */

struct acl_model *at_model(void);
/** Namespace with labels "k=v,k2=v2" (may be ""). */
void at_ns(struct acl_model *m, const char *name, const char *labels);
/**
 * Pod with labels "k=v,...", addresses "10.0.0.1,fd00::1", named ports
 * "http/TCP/80,dns/UDP/53" (may be ""); local: on this node.
 */
struct acl_pod *at_pod(struct acl_model *m, const char *ns, const char *name,
		const char *labels, const char *ips, const char *ports,
		bool local);
/** Policy selecting pods by sel; types "Ingress", "Egress", "Ingress,Egress". */
struct acl_netpol *at_pol(struct acl_model *m, const char *ns,
		const char *name, const char *sel, const char *types);
/** Append a rule (no peers, no ports yet) in that direction. */
struct acl_rule *at_rule(struct acl_netpol *p, enum acl_dir dir);
/** Peers: pod selector only, namespace selector only, both, ipBlock. */
void at_peer_pod(struct acl_rule *r, const char *pod_sel);
void at_peer_ns(struct acl_rule *r, const char *ns_sel);
void at_peer_both(struct acl_rule *r, const char *ns_sel, const char *pod_sel);
/** ipBlock "10.0.0.0/8" minus excepts "10.1.0.0/16,10.2.0.0/16" (or ""). */
void at_peer_block(struct acl_rule *r, const char *cidr, const char *except);
/** Ports: a number (end 0: single), a name, or a protocol alone. */
void at_port(struct acl_rule *r, uint8_t proto, uint16_t port, uint16_t end);
void at_port_named(struct acl_rule *r, uint8_t proto, const char *name);
void at_port_proto(struct acl_rule *r, uint8_t proto);

/* ---- packet tables ---- */

/**
 * One packet and the verdicts expected. expect is two letters, egress of
 * the source then ingress of the destination: A allowed by a rule, D
 * denied, U not isolated (or not a pod), '*' either.
 */
struct at_pkt {
	const char *src;
	const char *dst;
	uint8_t proto;
	uint16_t dport;
	const char *expect;
	const char *why;        /* printed when the row fails */
};

/**
 * Compile m (all pods local unless only_local) and check every row
 * against the ruleset and the reference model. Fails the test on the
 * first mismatch, naming the row.
 */
void at_run(const struct acl_model *m, const struct at_pkt *rows,
		uint32_t n);

/** Compile with default options (all_local), asserting success. */
struct acl_ruleset *at_compile(const struct acl_model *m,
		const struct acl_ruleset *prev);

/** The letter (A, D, U, S) of a verdict. */
char at_letter(uint32_t verdict);

#define ICMP 1
#define TCP ACL_PROTO_TCP
#define UDP ACL_PROTO_UDP
#define SCTP ACL_PROTO_SCTP

#endif /* NPVS_ACL_TEST_H */
