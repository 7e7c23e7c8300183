/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_acl_compile.c: NetworkPolicy semantics, one test per point of the
 * API (and of the choices upstream's e2e netpol tests make), each a table
 * of packets with the verdict expected from both the compiled ruleset and
 * the reference model (at_run).
 *
 * Expectations are two letters: the source's egress, then the
 * destination's ingress. A: a rule allows; D: isolated and no rule
 * allows; U: not isolated (or not a pod); S: a pod to itself.
 *
 * The cluster of most tests (cluster()):
 *   ns prod {team=a, env=prod}      ns dev {team=b, env=dev}
 *   ns other (never declared: only its automatic name label)
 *   prod/web  app=web     10.0.1.1 fd00::1:1  http/TCP/80 metrics/TCP/9090
 *   prod/db   app=db      10.0.1.2            sql/TCP/5432
 *   prod/cli  app=client  10.0.1.3 fd00::1:3
 *   dev/web   app=web     10.0.2.1            http/TCP/8080
 *   dev/cli   app=client  10.0.2.3
 *   other/x   app=client  10.0.3.1
 *   outside hosts: 10.0.9.9, 10.200.0.1, 192.168.1.1, fd00::9:9, 2001:db8::1
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "acl_test.h"

#define WEB "10.0.1.1"
#define WEB6 "fd00::1:1"
#define DB "10.0.1.2"
#define CLI "10.0.1.3"
#define CLI6 "fd00::1:3"
#define DWEB "10.0.2.1"
#define DCLI "10.0.2.3"
#define OX "10.0.3.1"
#define OUT "192.168.1.1"
#define OUT6 "2001:db8::1"

#define RUN(m, rows) at_run(m, rows, sizeof(rows) / sizeof(rows[0]))

static struct acl_model *
cluster(void)
{
	struct acl_model *m = at_model();

	at_ns(m, "prod", "team=a,env=prod");
	at_ns(m, "dev", "team=b,env=dev");
	at_pod(m, "prod", "web", "app=web", WEB "," WEB6,
		"http/TCP/80,metrics/TCP/9090", true);
	at_pod(m, "prod", "db", "app=db", DB, "sql/TCP/5432", true);
	at_pod(m, "prod", "cli", "app=client", CLI "," CLI6, "", true);
	at_pod(m, "dev", "web", "app=web", DWEB, "http/TCP/8080", true);
	at_pod(m, "dev", "cli", "app=client", DCLI, "", true);
	at_pod(m, "other", "x", "app=client", OX, "", true);
	return m;
}

/* No policy at all: nothing is isolated, everything flows. */
static void
test_no_policy(void **state)
{
	struct acl_model *m = cluster();
	static const struct at_pkt rows[] = {
		{ CLI, WEB, TCP, 80, "UU", "pod to pod" },
		{ OUT, WEB, UDP, 53, "UU", "outside to pod" },
		{ WEB, OUT, ICMP, 0, "UU", "pod to outside" },
	};

	(void)state;
	RUN(m, rows);
	acl_model_free(m);
}

/*
 * podSelector {} with Ingress and no rules: every pod of prod is isolated
 * for ingress and nothing is allowed in; egress is untouched, and pods of
 * other namespaces are not affected (a policy applies in its namespace).
 */
static void
test_deny_all_ingress(void **state)
{
	struct acl_model *m = cluster();
	static const struct at_pkt rows[] = {
		{ CLI, WEB, TCP, 80, "UD", "same namespace" },
		{ DCLI, DB, TCP, 5432, "UD", "other namespace to prod" },
		{ OUT, WEB, TCP, 80, "UD", "outside to prod" },
		{ WEB, DWEB, TCP, 8080, "UU", "prod egress is free, dev ingress too" },
		{ WEB, WEB, TCP, 80, "SS", "to itself: never blocked" },
	};

	(void)state;
	at_pol(m, "prod", "deny-all", "", "Ingress");
	RUN(m, rows);
	acl_model_free(m);
}

/* Egress deny-all: policyTypes [Egress] with no egress rules. */
static void
test_deny_all_egress(void **state)
{
	struct acl_model *m = cluster();
	static const struct at_pkt rows[] = {
		{ WEB, DB, TCP, 5432, "DU", "prod pod cannot send" },
		{ WEB, OUT, ICMP, 0, "DU", "not even ICMP outside" },
		{ DCLI, WEB, TCP, 80, "UU", "prod ingress untouched" },
		{ DCLI, OUT, UDP, 53, "UU", "dev untouched" },
	};

	(void)state;
	at_pol(m, "prod", "deny-egress", "", "Egress");
	RUN(m, rows);
	acl_model_free(m);
}

/*
 * A podSelector peer alone means pods of the policy's own namespace: a
 * client in dev with the very same labels is not allowed.
 */
static void
test_pod_selector_same_ns(void **state)
{
	struct acl_model *m = cluster();
	struct acl_netpol *p = at_pol(m, "prod", "web", "app=web", "Ingress");
	static const struct at_pkt rows[] = {
		{ CLI, WEB, TCP, 80, "UA", "client in prod" },
		{ CLI, WEB, UDP, 9999, "UA", "no ports: any port, any protocol" },
		{ DCLI, WEB, TCP, 80, "UD", "client in dev: other namespace" },
		{ DB, WEB, TCP, 80, "UD", "db does not match app=client" },
		{ OUT, WEB, TCP, 80, "UD", "outside host is no pod" },
		{ CLI, DB, TCP, 5432, "UU", "db is not selected: not isolated" },
	};

	(void)state;
	at_peer_pod(at_rule(p, ACL_DIR_INGRESS), "app=client");
	RUN(m, rows);
	acl_model_free(m);
}

/* A namespaceSelector peer alone: every pod of the matching namespaces. */
static void
test_ns_selector(void **state)
{
	struct acl_model *m = cluster();
	struct acl_netpol *p = at_pol(m, "prod", "web", "app=web", "Ingress");
	static const struct at_pkt rows[] = {
		{ DCLI, WEB, TCP, 80, "UA", "dev is team=b" },
		{ DWEB, WEB, TCP, 80, "UA", "any pod of dev" },
		{ CLI, WEB, TCP, 80, "UD", "prod is team=a: own namespace not implied" },
		{ OX, WEB, TCP, 80, "UD", "other has no team label" },
		{ OUT, WEB, TCP, 80, "UD", "outside host" },
	};

	(void)state;
	at_peer_ns(at_rule(p, ACL_DIR_INGRESS), "team=b");
	RUN(m, rows);
	acl_model_free(m);
}

/*
 * The classic trap: namespaceSelector and podSelector in ONE peer are
 * ANDed (clients of dev only); as TWO peers they are ORed (any pod of dev,
 * or clients of the policy's own namespace).
 */
static void
test_ns_and_pod_one_peer(void **state)
{
	struct acl_model *m = cluster();
	struct acl_netpol *p = at_pol(m, "prod", "web", "app=web", "Ingress");
	static const struct at_pkt rows[] = {
		{ DCLI, WEB, TCP, 80, "UA", "client in dev: both match" },
		{ DWEB, WEB, TCP, 80, "UD", "web in dev: pod selector fails" },
		{ CLI, WEB, TCP, 80, "UD", "client in prod: ns selector fails" },
		{ OX, WEB, TCP, 80, "UD", "client in other" },
	};

	(void)state;
	at_peer_both(at_rule(p, ACL_DIR_INGRESS), "team=b", "app=client");
	RUN(m, rows);
	acl_model_free(m);
}

static void
test_ns_and_pod_two_peers(void **state)
{
	struct acl_model *m = cluster();
	struct acl_netpol *p = at_pol(m, "prod", "web", "app=web", "Ingress");
	struct acl_rule *r = at_rule(p, ACL_DIR_INGRESS);
	static const struct at_pkt rows[] = {
		{ DCLI, WEB, TCP, 80, "UA", "dev: first peer" },
		{ DWEB, WEB, TCP, 80, "UA", "any pod of dev: first peer" },
		{ CLI, WEB, TCP, 80, "UA", "client in prod: second peer" },
		{ DB, WEB, TCP, 80, "UD", "db in prod: neither" },
		{ OX, WEB, TCP, 80, "UD", "client in other: podSelector is prod only" },
	};

	(void)state;
	at_peer_ns(r, "team=b");
	at_peer_pod(r, "app=client");
	RUN(m, rows);
	acl_model_free(m);
}

/*
 * Empty selectors versus missing fields: podSelector {} is every pod of the
 * namespace, namespaceSelector {} every pod of every namespace, and a rule
 * with no from at all is everyone, outside hosts included.
 */
static void
test_empty_vs_missing(void **state)
{
	struct acl_model *m = cluster();
	struct acl_netpol *a = at_pol(m, "prod", "a", "app=web", "Ingress");
	struct acl_netpol *b = at_pol(m, "prod", "b", "app=db", "Ingress");
	struct acl_netpol *c = at_pol(m, "dev", "c", "app=web", "Ingress");
	static const struct at_pkt rows[] = {
		{ CLI, WEB, TCP, 80, "UA", "podSelector {}: same namespace" },
		{ DCLI, WEB, TCP, 80, "UD", "podSelector {}: not dev" },
		{ OUT, WEB, TCP, 80, "UD", "podSelector {}: not outside" },
		{ DCLI, DB, TCP, 5432, "UA", "namespaceSelector {}: dev" },
		{ OX, DB, TCP, 5432, "UA", "namespaceSelector {}: undeclared ns" },
		{ OUT, DB, TCP, 5432, "UD", "namespaceSelector {}: not outside" },
		{ OUT, DWEB, TCP, 8080, "UA", "no from: outside too" },
		{ CLI, DWEB, TCP, 8080, "UA", "no from: any pod" },
	};

	(void)state;
	at_peer_pod(at_rule(a, ACL_DIR_INGRESS), "");
	at_peer_ns(at_rule(b, ACL_DIR_INGRESS), "");
	at_rule(c, ACL_DIR_INGRESS);
	RUN(m, rows);
	acl_model_free(m);
}

/*
 * A policy applies to pods of its own namespace only, whatever its
 * podSelector: a deny-all in dev leaves prod alone.
 */
static void
test_other_namespace_policy(void **state)
{
	struct acl_model *m = cluster();
	static const struct at_pkt rows[] = {
		{ CLI, WEB, TCP, 80, "UU", "prod not selected" },
		{ CLI, DWEB, TCP, 8080, "UD", "dev isolated" },
		{ DCLI, WEB, TCP, 80, "DU", "dev egress isolated, prod free" },
	};

	(void)state;
	at_pol(m, "dev", "deny", "", "Ingress,Egress");
	RUN(m, rows);
	acl_model_free(m);
}

/*
 * Ingress named port resolves against the destination (the selected pod):
 * "http" is 80 on prod/web; prod/db has no "http", so the entry allows it
 * nothing (it is still isolated). A named port also needs the protocol.
 */
static void
test_named_port_ingress(void **state)
{
	struct acl_model *m = cluster();
	struct acl_netpol *p = at_pol(m, "prod", "p", "app in (web,db)",
		"Ingress");
	struct acl_rule *r = at_rule(p, ACL_DIR_INGRESS);
	static const struct at_pkt rows[] = {
		{ CLI, WEB, TCP, 80, "UA", "http is 80 on web" },
		{ CLI, WEB, TCP, 9090, "UD", "metrics not listed" },
		{ CLI, WEB, TCP, 8080, "UD", "8080 is http elsewhere, not here" },
		{ CLI, DB, TCP, 80, "UD", "db has no http port" },
		{ CLI, DB, TCP, 5432, "UD", "db isolated, nothing allowed" },
		{ OUT, WEB, TCP, 80, "UA", "no from: outside too" },
		{ CLI, WEB, UDP, 80, "UD", "named port is TCP" },
	};

	(void)state;
	at_port_named(r, TCP, "http");
	RUN(m, rows);
	acl_model_free(m);
}

/*
 * Egress named port resolves against each destination pod: "http" is 80
 * on prod/web and 8080 on dev/web; a pod without it gets nothing.
 */
static void
test_named_port_egress(void **state)
{
	struct acl_model *m = cluster();
	struct acl_netpol *p = at_pol(m, "prod", "p", "app=client", "Egress");
	struct acl_rule *r = at_rule(p, ACL_DIR_EGRESS);
	static const struct at_pkt rows[] = {
		{ CLI, WEB, TCP, 80, "AU", "prod/web http=80" },
		{ CLI, DWEB, TCP, 8080, "AU", "dev/web http=8080" },
		{ CLI, DWEB, TCP, 80, "DU", "80 is not dev/web's http" },
		{ CLI, WEB, TCP, 8080, "DU", "8080 is not prod/web's http" },
		{ CLI, DB, TCP, 5432, "DU", "db has no http" },
		{ CLI, OUT, TCP, 80, "DU", "outside host: not selected by {}" },
	};

	(void)state;
	at_peer_ns(r, "");
	at_port_named(r, TCP, "http");
	RUN(m, rows);
	acl_model_free(m);
}

/*
 * Choice: an egress named port with an ipBlock peer (or no peer) matches
 * pods inside the block that define the port; an outside host has no
 * named ports, so it never matches (as upstream implementations do).
 */
static void
test_named_port_egress_ipblock(void **state)
{
	struct acl_model *m = cluster();
	struct acl_netpol *p = at_pol(m, "prod", "p", "app=client", "Egress");
	struct acl_netpol *q = at_pol(m, "dev", "q", "app=client", "Egress");
	struct acl_rule *r = at_rule(p, ACL_DIR_EGRESS);
	struct acl_rule *s = at_rule(q, ACL_DIR_EGRESS);
	static const struct at_pkt rows[] = {
		{ CLI, WEB, TCP, 80, "AU", "pod in block with http=80" },
		{ CLI, DWEB, TCP, 8080, "AU", "pod in block with http=8080" },
		{ CLI, "10.0.9.9", TCP, 80, "DU", "outside host in block" },
		{ CLI, DB, TCP, 80, "DU", "pod in block without http" },
		{ DCLI, WEB, TCP, 80, "AU", "no peers: any pod with http" },
		{ DCLI, OUT, TCP, 80, "DU", "no peers, but outside has no http" },
	};

	(void)state;
	at_peer_block(r, "10.0.0.0/16", "");
	at_port_named(r, TCP, "http");
	at_port_named(s, TCP, "http");
	RUN(m, rows);
	acl_model_free(m);
}

/*
 * A named port that only some selected pods define: the policy still
 * isolates them all; only the pods that define it open that port.
 */
static void
test_named_port_some_pods(void **state)
{
	struct acl_model *m = cluster();
	struct acl_netpol *p = at_pol(m, "prod", "p", "", "Ingress");
	struct acl_rule *r = at_rule(p, ACL_DIR_INGRESS);
	static const struct at_pkt rows[] = {
		{ CLI, WEB, TCP, 9090, "UA", "web defines metrics" },
		{ CLI, DB, TCP, 9090, "UD", "db does not" },
		{ DB, CLI, TCP, 9090, "UD", "cli does not" },
	};

	(void)state;
	at_peer_pod(r, "");
	at_port_named(r, TCP, "metrics");
	RUN(m, rows);
	acl_model_free(m);
}

/* port..endPort is inclusive at both ends, and only for its protocol. */
static void
test_end_port(void **state)
{
	struct acl_model *m = cluster();
	struct acl_netpol *p = at_pol(m, "prod", "p", "app=web", "Ingress");
	struct acl_rule *r = at_rule(p, ACL_DIR_INGRESS);
	static const struct at_pkt rows[] = {
		{ CLI, WEB, TCP, 8000, "UA", "low end" },
		{ CLI, WEB, TCP, 8050, "UA", "inside" },
		{ CLI, WEB, TCP, 8100, "UA", "high end" },
		{ CLI, WEB, TCP, 7999, "UD", "below" },
		{ CLI, WEB, TCP, 8101, "UD", "above" },
		{ CLI, WEB, UDP, 8050, "UD", "UDP not listed" },
		{ CLI, WEB, SCTP, 443, "UA", "single SCTP port" },
		{ CLI, WEB, SCTP, 444, "UD", "next SCTP port" },
	};

	(void)state;
	at_port(r, TCP, 8000, 8100);
	at_port(r, SCTP, 443, 0);
	RUN(m, rows);
	acl_model_free(m);
}

/*
 * A port entry with a protocol and no port: every port of that protocol.
 * No ports at all: every protocol, ICMP included.
 */
static void
test_protocol_only_and_no_ports(void **state)
{
	struct acl_model *m = cluster();
	struct acl_netpol *p = at_pol(m, "prod", "p", "app=web", "Ingress");
	struct acl_netpol *q = at_pol(m, "prod", "q", "app=db", "Ingress");
	static const struct at_pkt rows[] = {
		{ CLI, WEB, UDP, 1, "UA", "UDP any port" },
		{ CLI, WEB, UDP, 65535, "UA", "UDP any port" },
		{ CLI, WEB, TCP, 80, "UD", "TCP not listed" },
		{ CLI, WEB, ICMP, 0, "UD", "ICMP not listed" },
		{ CLI, DB, ICMP, 0, "UA", "no ports: ICMP too" },
		{ CLI, DB, SCTP, 9, "UA", "no ports: SCTP too" },
	};

	(void)state;
	at_port_proto(at_rule(p, ACL_DIR_INGRESS), UDP);
	at_peer_pod(at_rule(q, ACL_DIR_INGRESS), "");
	RUN(m, rows);
	acl_model_free(m);
}

/*
 * ipBlock: cidr minus except; it matches pod addresses too (upstream's
 * e2e tests allow pods by their IPs with ipBlock).
 */
static void
test_ipblock_except(void **state)
{
	struct acl_model *m = cluster();
	struct acl_netpol *p = at_pol(m, "prod", "p", "app=web", "Ingress");
	static const struct at_pkt rows[] = {
		{ CLI, WEB, TCP, 80, "UA", "pod address inside the block" },
		{ DCLI, WEB, TCP, 80, "UD", "pod address in the except" },
		{ "10.0.2.255", WEB, TCP, 80, "UD", "except's last address" },
		{ "10.0.3.0", WEB, TCP, 80, "UA", "just after the except" },
		{ "10.200.0.1", WEB, TCP, 80, "UA", "outside host inside" },
		{ "10.255.255.255", WEB, TCP, 80, "UD", "second except /32" },
		{ OUT, WEB, TCP, 80, "UD", "outside the cidr" },
		{ "11.0.0.0", WEB, TCP, 80, "UD", "just after the cidr" },
	};

	(void)state;
	at_peer_block(at_rule(p, ACL_DIR_INGRESS), "10.0.0.0/8",
		"10.0.2.0/24,10.255.255.255/32");
	RUN(m, rows);
	acl_model_free(m);
}

/*
 * IPv6: ipBlock v6 prefixes apply to v6 packets only; a v4 block says
 * nothing of v6 sources and vice versa. Selector peers are family-blind.
 */
static void
test_ipv6(void **state)
{
	struct acl_model *m = cluster();
	struct acl_netpol *p = at_pol(m, "prod", "p", "app=web", "Ingress");
	struct acl_rule *r = at_rule(p, ACL_DIR_INGRESS);
	static const struct at_pkt rows[] = {
		{ CLI6, WEB6, TCP, 443, "UA", "v6 pod in the v6 block" },
		{ "fd00::9:9", WEB6, TCP, 443, "UA", "v6 outside in the block" },
		{ "fd00:0:0:0:0:0:7:1", WEB6, TCP, 443, "UD", "in the except" },
		{ OUT6, WEB6, TCP, 443, "UD", "outside the block" },
		{ CLI, WEB, TCP, 443, "UD", "v4: the v6 block says nothing" },
		{ CLI6, WEB6, TCP, 80, "UD", "port" },
	};

	(void)state;
	at_peer_block(r, "fd00::/16", "fd00::7:0/112");
	at_port(r, TCP, 443, 0);
	RUN(m, rows);
	acl_model_free(m);
}

/*
 * Dual stack: both addresses of a pod share its identity, so a selector
 * peer allows the pod over v4 and v6 alike.
 */
static void
test_dual_stack(void **state)
{
	struct acl_model *m = cluster();
	struct acl_netpol *p = at_pol(m, "prod", "p", "app=web", "Ingress");
	static const struct at_pkt rows[] = {
		{ CLI, WEB, TCP, 80, "UA", "v4" },
		{ CLI6, WEB6, TCP, 80, "UA", "v6" },
		{ DB, WEB, TCP, 80, "UD", "v4, other pod" },
		{ "fd00::1:2", WEB6, TCP, 80, "UD", "v6 outside host" },
	};

	(void)state;
	at_peer_pod(at_rule(p, ACL_DIR_INGRESS), "app=client");
	RUN(m, rows);
	acl_model_free(m);
}

/*
 * Egress-only policy: egress is restricted, ingress of the same pods is
 * not isolated. Ingress rules of a policy whose policyTypes lack Ingress
 * are ignored.
 */
static void
test_egress_only(void **state)
{
	struct acl_model *m = cluster();
	struct acl_netpol *p = at_pol(m, "prod", "p", "app=client", "Egress");
	struct acl_rule *r = at_rule(p, ACL_DIR_EGRESS);
	static const struct at_pkt rows[] = {
		{ CLI, DB, TCP, 5432, "AU", "egress to db allowed" },
		{ CLI, WEB, TCP, 80, "DU", "egress to web denied" },
		{ WEB, CLI, TCP, 22, "UU", "ingress of cli not isolated" },
		{ DB, CLI, TCP, 22, "UU", "ingress rule ignored (no Ingress type)" },
	};

	(void)state;
	at_peer_pod(r, "app=db");
	at_port(r, TCP, 5432, 0);
	/* An ingress rule that would deny nothing but must be ignored. */
	at_peer_pod(at_rule(p, ACL_DIR_INGRESS), "app=nobody");
	RUN(m, rows);
	acl_model_free(m);
}

/* Several policies selecting one pod: the union of what they allow. */
static void
test_union(void **state)
{
	struct acl_model *m = cluster();
	struct acl_netpol *a = at_pol(m, "prod", "a", "app=web", "Ingress");
	struct acl_netpol *b = at_pol(m, "prod", "b", "", "Ingress");
	struct acl_rule *r;
	static const struct at_pkt rows[] = {
		{ CLI, WEB, TCP, 80, "UA", "from a" },
		{ DB, WEB, TCP, 9090, "UA", "from b" },
		{ CLI, WEB, TCP, 9090, "UD", "neither: cli only to 80" },
		{ DB, WEB, TCP, 80, "UD", "neither: db only to 9090" },
		{ WEB, DB, TCP, 9090, "UD", "db selected by b only: web not a peer" },
	};

	(void)state;
	r = at_rule(a, ACL_DIR_INGRESS);
	at_peer_pod(r, "app=client");
	at_port(r, TCP, 80, 0);
	r = at_rule(b, ACL_DIR_INGRESS);
	at_peer_pod(r, "app=db");
	at_port(r, TCP, 9090, 0);
	RUN(m, rows);
	acl_model_free(m);
}

/*
 * Traffic to self: "a pod cannot block access to itself" (Kubernetes
 * network policies concept page; the upstream e2e tests AllowLoopback()).
 * So a pod always reaches itself, whatever isolates it, while another pod
 * with the very same labels (same identity) is still subject to the rules.
 */
static void
test_self(void **state)
{
	struct acl_model *m = cluster();
	static const struct at_pkt rows[] = {
		{ WEB, WEB, TCP, 80, "SS", "web is isolated both ways: still itself" },
		{ WEB6, WEB6, UDP, 53, "SS", "v6 to itself alike" },
		{ "10.0.1.9", WEB, TCP, 80, "DD", "a twin with web's labels is not web" },
		{ WEB, "10.0.1.9", TCP, 80, "DD", "nor the other way" },
	};

	(void)state;
	at_pol(m, "prod", "a", "app=web", "Ingress,Egress");   /* deny all */
	at_pod(m, "prod", "web2", "app=web", "10.0.1.9",
		"http/TCP/80,metrics/TCP/9090", true);
	RUN(m, rows);
	acl_model_free(m);
}

/*
 * matchExpressions on pods and namespaces: In, NotIn (a pod lacking the
 * key matches NotIn), Exists, DoesNotExist, ANDed with matchLabels.
 */
static void
test_match_expressions(void **state)
{
	struct acl_model *m = cluster();
	struct acl_netpol *p = at_pol(m, "prod", "p", "app=web", "Ingress");
	struct acl_netpol *q = at_pol(m, "prod", "q", "app=db", "Ingress");
	static const struct at_pkt rows[] = {
		{ DCLI, WEB, TCP, 80, "UA", "env notin (prod): dev" },
		{ OX, WEB, TCP, 80, "UA", "env notin (prod): other lacks env" },
		{ CLI, WEB, TCP, 80, "UD", "prod is env=prod" },
		{ DWEB, WEB, TCP, 80, "UD", "app in (client): web is not" },
		{ CLI, DB, TCP, 5432, "UA", "tier missing, app exists" },
		{ DCLI, DB, TCP, 5432, "UD", "other namespace" },
	};

	(void)state;
	at_peer_both(at_rule(p, ACL_DIR_INGRESS), "env notin (prod)",
		"app in (client,other)");
	at_peer_pod(at_rule(q, ACL_DIR_INGRESS), "app,!tier,app notin (web)");
	RUN(m, rows);
	acl_model_free(m);
}

/*
 * Every namespace carries kubernetes.io/metadata.name=<name>, declared or
 * not, and a declared label cannot override it.
 */
static void
test_ns_name_label(void **state)
{
	struct acl_model *m = cluster();
	struct acl_netpol *p = at_pol(m, "prod", "p", "app=web", "Ingress");
	struct acl_rule *r = at_rule(p, ACL_DIR_INGRESS);
	static const struct at_pkt rows[] = {
		{ DCLI, WEB, TCP, 80, "UA", "dev by name" },
		{ OX, WEB, TCP, 80, "UA", "undeclared other by name" },
		{ CLI, WEB, TCP, 80, "UD", "prod not listed" },
		{ "10.0.4.1", WEB, TCP, 80, "UD", "fake claims name=dev: ignored" },
	};

	(void)state;
	at_ns(m, "fake", "kubernetes.io/metadata.name=dev");
	at_pod(m, "fake", "y", "app=client", "10.0.4.1", "", true);
	at_peer_ns(r, "kubernetes.io/metadata.name in (dev,other)");
	RUN(m, rows);
	acl_model_free(m);
}

/* Egress and ingress together: both checks must allow. */
static void
test_both_directions(void **state)
{
	struct acl_model *m = cluster();
	struct acl_netpol *e = at_pol(m, "prod", "e", "app=client", "Egress");
	struct acl_netpol *i = at_pol(m, "prod", "i", "app=db", "Ingress");
	struct acl_rule *r;
	static const struct at_pkt rows[] = {
		{ CLI, DB, TCP, 5432, "AA", "both allow" },
		{ CLI, DB, TCP, 22, "AD", "egress allows, ingress denies" },
		{ CLI, WEB, TCP, 80, "DU", "egress denies" },
		{ WEB, DB, TCP, 5432, "UD", "web not allowed into db" },
	};

	(void)state;
	r = at_rule(e, ACL_DIR_EGRESS);
	at_peer_pod(r, "app=db");
	r = at_rule(i, ACL_DIR_INGRESS);
	at_peer_pod(r, "app=client");
	at_port(r, TCP, 5432, 0);
	RUN(m, rows);
	acl_model_free(m);
}

/*
 * Only local pods get contexts (opts->all_local false): a remote pod's
 * checks are left to its own node (UNISOLATED here), but it still has an
 * identity, so local policies that name it work.
 */
static void
test_local_only(void **state)
{
	struct acl_model *m = cluster();
	struct acl_netpol *p = at_pol(m, "prod", "p", "", "Ingress,Egress");
	struct acl_compile_opts o = { .name = "t" };
	const struct acl_endpoint *e;
	struct acl_flow_verdict v;
	struct acl_ruleset *rs;
	struct acl_flow f = { .proto = TCP, .dport = 80 };
	struct acl_err err;

	(void)state;
	m->pods[1].local = false;       /* prod/db */
	at_peer_pod(at_rule(p, ACL_DIR_INGRESS), "app=db");
	at_peer_pod(at_rule(p, ACL_DIR_EGRESS), "app=web");
	at_eal_init();
	rs = acl_compile(m, &o, &err);
	assert_non_null(rs);
	at_addr(&f.src, DB);
	at_addr(&f.dst, WEB);
	assert_int_equal(acl_ruleset_check(rs, &f, &v), 0);
	assert_int_equal(at_letter(v.egress), 'U');     /* db not compiled */
	assert_int_equal(at_letter(v.ingress), 'A');    /* db has an identity */
	e = acl_ruleset_lookup(rs, &f.src);
	assert_non_null(e);
	assert_int_not_equal(e->identity, ACL_IDENTITY_WORLD);
	assert_int_equal(e->group[ACL_DIR_EGRESS], ACL_GROUP_NONE);
	e = acl_ruleset_lookup(rs, &f.dst);
	assert_non_null(e);
	assert_int_not_equal(e->group[ACL_DIR_INGRESS], ACL_GROUP_NONE);
	acl_ruleset_free(rs);
	acl_model_free(m);
}

/* The origin of an allow names the policy, direction, rule, peer, port. */
static void
test_origin(void **state)
{
	struct acl_model *m = cluster();
	struct acl_netpol *p = at_pol(m, "prod", "p", "app=web", "Ingress");
	const struct acl_origin *o;
	struct acl_flow_verdict v;
	struct acl_ruleset *rs;
	struct acl_flow f = { .proto = TCP, .dport = 8080 };
	struct acl_rule *r;

	(void)state;
	at_peer_pod(at_rule(p, ACL_DIR_INGRESS), "app=nobody");
	r = at_rule(p, ACL_DIR_INGRESS);
	at_peer_pod(r, "app=db");
	at_peer_pod(r, "app=client");
	at_port(r, TCP, 80, 0);
	at_port(r, TCP, 8080, 0);
	rs = at_compile(m, NULL);
	at_addr(&f.src, CLI);
	at_addr(&f.dst, WEB);
	assert_int_equal(acl_ruleset_check(rs, &f, &v), 0);
	o = acl_ruleset_origin(rs, v.ingress);
	assert_non_null(o);
	assert_string_equal(o->policy_ns, "prod");
	assert_string_equal(o->policy_name, "p");
	assert_int_equal(o->dir, ACL_DIR_INGRESS);
	assert_int_equal(o->rule, 1);
	assert_int_equal(o->peer, 1);
	assert_int_equal(o->port, 1);
	assert_null(acl_ruleset_origin(rs, ACL_VERDICT_DENY));
	assert_null(acl_ruleset_origin(rs, ACL_VERDICT_UNISOLATED));
	assert_null(acl_ruleset_origin(rs, 1000000));
	acl_ruleset_free(rs);
	acl_model_free(m);
}

int
test_acl_compile_run(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_policy),
		cmocka_unit_test(test_deny_all_ingress),
		cmocka_unit_test(test_deny_all_egress),
		cmocka_unit_test(test_pod_selector_same_ns),
		cmocka_unit_test(test_ns_selector),
		cmocka_unit_test(test_ns_and_pod_one_peer),
		cmocka_unit_test(test_ns_and_pod_two_peers),
		cmocka_unit_test(test_empty_vs_missing),
		cmocka_unit_test(test_other_namespace_policy),
		cmocka_unit_test(test_named_port_ingress),
		cmocka_unit_test(test_named_port_egress),
		cmocka_unit_test(test_named_port_egress_ipblock),
		cmocka_unit_test(test_named_port_some_pods),
		cmocka_unit_test(test_end_port),
		cmocka_unit_test(test_protocol_only_and_no_ports),
		cmocka_unit_test(test_ipblock_except),
		cmocka_unit_test(test_ipv6),
		cmocka_unit_test(test_dual_stack),
		cmocka_unit_test(test_egress_only),
		cmocka_unit_test(test_union),
		cmocka_unit_test(test_self),
		cmocka_unit_test(test_match_expressions),
		cmocka_unit_test(test_ns_name_label),
		cmocka_unit_test(test_both_directions),
		cmocka_unit_test(test_local_only),
		cmocka_unit_test(test_origin),
	};

	return cmocka_run_group_tests_name("acl_compile", tests, NULL, NULL);
}
