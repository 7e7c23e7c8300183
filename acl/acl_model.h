/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * acl_model.h: the cluster state that policy is compiled from, as plain C.
 *
 * Namespaces, pods and Kubernetes NetworkPolicies (networking.k8s.io/v1),
 * already validated and defaulted. control/ fills a model from YAML or JSON
 * manifests; tests fill it from C tables; acl_compile() (acl_ruleset.h)
 * turns it into rte_acl contexts. Nothing here knows about YAML, JSON,
 * sockets, ports or mbufs.
 *
 * Ownership: every pointer in a model (strings and arrays) is allocated
 * with malloc/calloc/realloc/strdup and owned by the model;
 * acl_model_free() frees it all. Arrays are (pointer, count) pairs; a count
 * of 0 with a NULL pointer is an empty array.
 *
 * Defaulting done before a model reaches acl/ (by whoever fills it):
 *  - NetworkPolicy policyTypes: Ingress always unless listed otherwise;
 *    Egress when the policy has egress rules (or lists Egress).
 *  - A port entry without protocol is TCP.
 *  - A pod's namespace need not be a declared Namespace: acl/ treats an
 *    undeclared one as existing with no labels but the automatic one.
 * acl/ itself adds the label kubernetes.io/metadata.name=<name> to every
 * namespace, as the API server does, so namespaceSelectors may use it.
 *
 * Thread-safety: none; a model is built and read by one thread.
 */
#ifndef NPVS_ACL_MODEL_H
#define NPVS_ACL_MODEL_H

#include <stdbool.h>
#include <stdint.h>

/** Address families, numerically equal to AF_INET and AF_INET6. */
#define ACL_AF_INET 2
#define ACL_AF_INET6 10

/** IP protocol numbers used by NetworkPolicy ports. */
#define ACL_PROTO_TCP 6
#define ACL_PROTO_UDP 17
#define ACL_PROTO_SCTP 132

/** One label, key=value. */
struct acl_label {
	char *key;
	char *value;
};

/** A label set; keys are unique. */
struct acl_labels {
	struct acl_label *v;
	uint32_t n;
};

/** matchExpressions operators. */
enum acl_sel_op {
	ACL_SEL_IN,
	ACL_SEL_NOT_IN,
	ACL_SEL_EXISTS,
	ACL_SEL_DOES_NOT_EXIST,
};

/** One matchExpressions entry; values is empty for Exists/DoesNotExist. */
struct acl_sel_expr {
	char *key;
	enum acl_sel_op op;
	char **values;
	uint32_t n_values;
};

/**
 * A label selector: matchLabels AND every matchExpressions entry.
 * Both empty: matches everything ({}).
 */
struct acl_selector {
	struct acl_labels match_labels;
	struct acl_sel_expr *exprs;
	uint32_t n_exprs;
};

/** An IPv4 or IPv6 address; addr holds 4 or 16 bytes in network order. */
struct acl_addr {
	uint8_t family;         /**< ACL_AF_INET or ACL_AF_INET6 */
	uint8_t addr[16];
};

/** A prefix: address (host bits zero) and length. */
struct acl_prefix {
	uint8_t family;         /**< ACL_AF_INET or ACL_AF_INET6 */
	uint8_t len;            /**< 0..32 or 0..128 */
	uint8_t addr[16];       /**< network order */
};

/** ipBlock: cidr minus every except (each inside cidr, same family). */
struct acl_ipblock {
	struct acl_prefix cidr;
	struct acl_prefix *except;
	uint32_t n_except;
};

/**
 * One NetworkPolicyPeer. Exactly one of these shapes:
 *  - has_pod_sel only: pods of the policy's namespace matching pod_sel;
 *  - has_ns_sel only: all pods of namespaces matching ns_sel;
 *  - both: pods matching pod_sel in namespaces matching ns_sel;
 *  - has_ipblock only: addresses in ipblock.
 */
struct acl_peer {
	bool has_pod_sel;
	bool has_ns_sel;
	bool has_ipblock;
	struct acl_selector pod_sel;
	struct acl_selector ns_sel;
	struct acl_ipblock ipblock;
};

/**
 * One NetworkPolicyPort. has_port false: every port of proto.
 * named_port non-NULL: a container port name (port and end_port unused).
 * end_port 0: the single port 'port'; else the range port..end_port.
 */
struct acl_port {
	uint8_t proto;          /**< ACL_PROTO_TCP/UDP/SCTP */
	bool has_port;
	uint16_t port;
	uint16_t end_port;
	char *named_port;
};

/**
 * One ingress or egress rule. n_peers 0: all peers (from/to missing or
 * empty). n_ports 0: all ports and protocols.
 */
struct acl_rule {
	struct acl_peer *peers;
	uint32_t n_peers;
	struct acl_port *ports;
	uint32_t n_ports;
};

/** A NetworkPolicy after defaulting. */
struct acl_netpol {
	char *ns;
	char *name;
	struct acl_selector pod_sel;    /**< spec.podSelector */
	bool type_ingress;              /**< policyTypes has Ingress */
	bool type_egress;               /**< policyTypes has Egress */
	struct acl_rule *ingress;
	uint32_t n_ingress;
	struct acl_rule *egress;
	uint32_t n_egress;
};

/** A named container port (spec.containers[].ports[] with a name). */
struct acl_named_port {
	char *name;
	uint8_t proto;
	uint16_t port;
};

/** A pod; ips from status.podIPs (or podIP). */
struct acl_pod {
	char *ns;
	char *name;
	struct acl_labels labels;
	struct acl_named_port *ports;
	uint32_t n_ports;
	struct acl_addr *ips;
	uint32_t n_ips;
	bool local;     /**< on this node: its contexts are compiled */
};

/** A Namespace. */
struct acl_namespace {
	char *name;
	struct acl_labels labels;
};

/** Everything policy depends on. */
struct acl_model {
	struct acl_namespace *namespaces;
	uint32_t n_namespaces;
	struct acl_pod *pods;
	uint32_t n_pods;
	struct acl_netpol *policies;
	uint32_t n_policies;
};

/**
 * Does selector s match the label set l? ns_name non-NULL: l is the
 * labels of namespace ns_name, which also carries the automatic label
 * kubernetes.io/metadata.name=ns_name. For explanations (trace, reach);
 * verdicts come from the compiled ruleset only.
 */
bool acl_selector_match(const struct acl_selector *s,
		const struct acl_labels *l, const char *ns_name);

/** Free everything a model owns, and the model itself. NULL is a no-op. */
void acl_model_free(struct acl_model *m);

/** Free what a model owns and leave it empty (for models on the stack). */
void acl_model_clear(struct acl_model *m);

#endif /* NPVS_ACL_MODEL_H */
