/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vs_api.h: the switch as control/ sees it.
 *
 * npvsd's main (control/npvsd.c) loads the config, calls vs_create() (EAL,
 * mempool, workers), then serves the control socket, calling the functions
 * below, and vs_housekeeping() every few milliseconds from the same thread.
 * Every change builds a new immutable snapshot (ports, endpoints, routes),
 * publishes it under RCU and frees the old one after a grace period; the
 * workers never see half an update and never stop forwarding for one.
 *
 * Thread-safety: every function here is for the control thread only (the
 * main lcore), never for a worker lcore. They are not multi-thread safe
 * among themselves; one caller at a time.
 */
#ifndef NPVS_VS_API_H
#define NPVS_VS_API_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct vs;

#define VS_NAME_MAX 32          /**< port names, with the NUL */
#define VS_IFNAME_MAX 16        /**< IFNAMSIZ */
#define VS_PATH_MAX 108         /**< sun_path */
#define VS_DEVARGS_MAX 512
#define VS_NS_MAX 64            /**< Kubernetes namespace, with the NUL */
#define VS_POD_MAX 254          /**< Kubernetes object name, with the NUL */
#define VS_EP_IPS_MAX 4
#define VS_WORKERS_MAX 16
#define VS_PCI_MAX 8

/** An IPv4 or IPv6 address, network order. */
struct vs_ip {
	uint8_t family;         /**< AF_INET or AF_INET6 */
	uint8_t addr[16];
};

/** npvsd's configuration (control/ loads it from YAML and flags). */
struct vs_config {
	char node_name[64];
	struct vs_ip pod_cidr;          /**< this node's pod subnet */
	uint8_t pod_cidr_len;
	struct vs_ip gateway;           /**< e.g. 10.244.1.1 or 169.254.1.1 */
	uint8_t mac[6];                 /**< npvsd's router MAC */
	unsigned int main_lcore;        /**< control thread */
	unsigned int workers[VS_WORKERS_MAX];
	unsigned int n_workers;         /**< 0: no worker lcore (tests drive
					 * the data path themselves) */
	char socket_path[VS_PATH_MAX];  /**< control socket */
	char file_prefix[64];           /**< EAL --file-prefix */
	bool in_memory;                 /**< EAL --in-memory */
	bool no_huge;                   /**< EAL --no-huge (tests) */
	unsigned int mem_mb;            /**< EAL -m */
	char pci[VS_PCI_MAX][32];       /**< PCI devices; none: --no-pci */
	unsigned int n_pci;
	unsigned int n_mbufs;           /**< mempool size */
	bool idle_backoff;              /**< sleep when idle (default on) */
	unsigned int idle_polls;        /**< empty polls before sleeping */
	unsigned int idle_sleep_max_us; /**< longest sleep */
	char log_level[32];             /**< EAL --log-level, e.g. "info" */

	/* VXLAN to other nodes (docs/tunnels.md); underlay_ip unset: off */
	struct vs_ip underlay_ip;       /**< our VTEP (public) IPv4 */
	uint8_t underlay_len;           /**< its prefix: on-link VTEPs */
	struct vs_ip underlay_gw;       /**< optional next hop off-link */
	uint8_t vtep_mac[6];            /**< VtepMAC (default: mac) */
	bool has_vtep_mac;
	uint8_t nexthop_mac[6];         /**< static underlay next-hop MAC */
	bool has_nexthop_mac;           /**< else resolved with ARP */
	uint32_t vni;                   /**< 1 */
	uint16_t vxlan_port;            /**< 8472 (Linux, Flannel); 4789 */
	uint16_t underlay_mtu;          /**< 1500 */
};

/** Fill a config with the defaults docs/operations.md lists. */
void vs_config_defaults(struct vs_config *c);

/**
 * Start the switch: EAL (arguments built from c, always --no-pci unless
 * c names PCI devices), mempool, RCU, worker lcores.
 * argv0 is the program name for EAL. @return NULL with rte_errno set and a
 * message in err (size errlen) on failure.
 */
struct vs *vs_create(const struct vs_config *c, const char *argv0,
		char *err, size_t errlen);

/** Stop workers, close ports, free everything, rte_eal_cleanup(). */
void vs_destroy(struct vs *vs);

/** Periodic control-thread work: vhost reconnects, ARP, log ring. */
void vs_housekeeping(struct vs *vs);

/* ---- ports ---- */

enum vs_port_type {
	VS_PORT_AFPACKET,       /**< kernel pod: host end of a veth */
	VS_PORT_VHOST,          /**< DPDK pod: vhost-user socket */
	VS_PORT_DEVARGS,        /**< any DPDK devargs (pcap, null, ring, tap, PCI) */
};

struct vs_port_spec {
	char name[VS_NAME_MAX];
	enum vs_port_type type;
	char iface[VS_IFNAME_MAX];      /**< AFPACKET: host veth */
	char path[VS_PATH_MAX];         /**< VHOST: socket path */
	bool vhost_client;              /**< VHOST: npvsd connects, pod serves */
	char devargs[VS_DEVARGS_MAX];   /**< DEVARGS */
	bool uplink;                    /**< the node's uplink (one at most) */
};

/** Counters of one port (sums over workers). */
struct vs_port_stats {
	uint64_t rx_packets, rx_bytes;
	uint64_t tx_packets, tx_bytes;
	uint64_t tx_full;               /**< dropped: tx queue full */
};

struct vs_port_info {
	char name[VS_NAME_MAX];
	enum vs_port_type type;
	bool uplink;
	bool link_up;                   /**< vhost: a pod is connected */
	uint16_t port_id;               /**< DPDK ethdev port id */
	char detail[VS_DEVARGS_MAX];    /**< iface, path (+mode) or devargs */
	struct vs_port_stats stats;
};

/** Add a port. @return 0 or -EEXIST, -EINVAL, -ENODEV...; err says why. */
int vs_port_add(struct vs *vs, const struct vs_port_spec *spec,
		char *err, size_t errlen);

/**
 * Remove a port; endpoints on it stay known but unreachable until it comes
 * back. @return 0 or -ENOENT.
 */
int vs_port_del(struct vs *vs, const char *name);

/** Copy up to max ports into out. @return the number of ports. */
uint32_t vs_port_list(struct vs *vs, struct vs_port_info *out, uint32_t max);

/* ---- endpoints (pods) ---- */

struct vs_endpoint_spec {
	char ns[VS_NS_MAX];
	char name[VS_POD_MAX];
	char port[VS_NAME_MAX];         /**< the port its traffic uses */
	struct vs_ip ips[VS_EP_IPS_MAX];
	uint32_t n_ips;
	uint8_t mac[6];                 /**< the pod's MAC, if known */
	bool has_mac;                   /**< else learned from its packets */
};

struct vs_endpoint_info {
	struct vs_endpoint_spec spec;
	bool port_present;              /**< its port exists now */
	bool mac_known;
	uint8_t mac[6];                 /**< configured or learned */
};

/** Add or replace an endpoint (by ns/name). @return 0 or -errno. */
int vs_endpoint_add(struct vs *vs, const struct vs_endpoint_spec *spec,
		char *err, size_t errlen);

/** Remove an endpoint. @return 0 or -ENOENT. */
int vs_endpoint_del(struct vs *vs, const char *ns, const char *name);

/** Copy up to max endpoints into out. @return the number of endpoints. */
uint32_t vs_endpoint_list(struct vs *vs, struct vs_endpoint_info *out,
		uint32_t max);

/* ---- counters ---- */

/** Drop reasons, listed once (X-macro): enum and names come from here. */
#define VS_DROP_REASONS(X) \
	X(NO_ROUTE, "no_route") \
	X(TTL, "ttl_exceeded") \
	X(MALFORMED, "malformed") \
	X(TX_FULL, "tx_full") \
	X(NO_NEIGH, "no_neighbour") \
	X(NOT_IP, "unsupported_ethertype") \
	X(NO_PORT, "no_port") \
	X(LINK_DOWN, "link_down") \
	X(NOT_FOR_US, "not_for_us") \
	X(UPLINK_OTHER, "uplink_not_vxlan") \
	X(TUN_NO_NEIGH, "tunnel_no_neighbour") \
	X(TUN_DROP, "tunnel_drop")

enum vs_drop {
#define VS_DROP_ENUM(sym, str) VS_DROP_##sym,
	VS_DROP_REASONS(VS_DROP_ENUM)
#undef VS_DROP_ENUM
	VS_DROP_MAX
};

/** Name of a drop reason, as `npvsctl stats` prints it. */
const char *vs_drop_name(enum vs_drop d);

/** Sum of every worker's drop counters. */
void vs_drop_stats(struct vs *vs, uint64_t out[VS_DROP_MAX]);

/** The config the switch runs with. */
const struct vs_config *vs_get_config(struct vs *vs);

/* ---- policy (issue 4) ---- */

struct acl_ruleset;

/**
 * Make rs the live policy: it goes into the next snapshot, which is
 * published under RCU; the previous ruleset is freed (acl_ruleset_free)
 * after the grace period, unless it was passed as opts.prev to the
 * compile of rs and shares contexts with it (the ruleset's refcounts
 * handle that). Ownership of rs passes to the switch, also on failure.
 * rs NULL: no policy at all (every pod unisolated). Flows admitted under
 * an older ruleset are re-checked on their next packet (when
 * vs_config.recheck_flows, the default).
 * @return 0 or a negative errno with err filled.
 */
int vs_policy_publish(struct vs *vs, struct acl_ruleset *rs,
		char *err, size_t errlen);

/** The live ruleset (for acl_compile_opts.prev), or NULL. */
const struct acl_ruleset *vs_policy_get(struct vs *vs);

/* ---- nodes: VXLAN tunnels to other nodes (vs_tunnel.c) ---- */

/** Another node of the cluster, as its Flannel annotations say. */
struct vs_node_spec {
	char name[VS_POD_MAX];          /**< Kubernetes node name */
	uint8_t subnet[4];              /**< pod subnet (podCIDR), network order */
	uint8_t subnet_len;
	uint8_t public_ip[4];           /**< its VTEP (underlay) IPv4 */
	uint8_t vtep_mac[6];            /**< its VtepMAC */
	uint32_t vni;
};

struct vs_node_info {
	struct vs_node_spec spec;
	bool mac_known;                 /**< underlay next hop resolved */
	uint8_t nexthop_mac[6];
};

/** What the tunnel runs with, and its counters (sums over workers). */
struct vs_tunnel_info {
	bool enabled;                   /**< underlay_ip set and an uplink */
	bool uplink;                    /**< an uplink port exists */
	uint8_t vtep_mac[6];            /**< the VtepMAC in use */
	uint64_t encap, decap, pass;
	uint64_t drop[32];              /**< by vxlan_drop (tunnels/vxlan.h) */
	const char *drop_name[32];      /**< NULL past the last reason */
};

/**
 * Add or replace a node: its pod subnet is routed into a VXLAN tunnel to
 * its public IP (a new snapshot, published under RCU). Works without an
 * uplink too (packets are then dropped as no_port).
 * @return 0, -EINVAL (bad spec), -EEXIST (subnet or IP of another node, or
 *   the subnet overlaps our pod CIDR), -ENOSPC, -ENOMEM; err says why.
 */
int vs_node_set(struct vs *vs, const struct vs_node_spec *spec,
		char *err, size_t errlen);

/** Remove a node. @return 0 or -ENOENT. */
int vs_node_del(struct vs *vs, const char *name);

/** Copy up to max nodes into out. @return the number of nodes. */
uint32_t vs_node_list(struct vs *vs, struct vs_node_info *out, uint32_t max);

/** The tunnel's state and counters. */
void vs_tunnel_info(struct vs *vs, struct vs_tunnel_info *out);

#endif /* NPVS_VS_API_H */

