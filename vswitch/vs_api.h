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

/**
 * Connection tracking and policy enforcement in the workers
 * (docs/operations.md, "conntrack"). Timeouts in seconds.
 */
struct vs_ct_config {
	unsigned int max;               /**< flows in the table (131072) */
	bool recheck_flows;             /**< re-check flows after a policy
					 * change on their next packet (true) */
	bool tcp_loose;                 /**< admit TCP without a handshake
					 * (mid-stream pickup; false) */
	unsigned int tcp_syn;           /**< half-open: SYN_SENT, SYN_RECV (30) */
	unsigned int tcp_established;   /**< 21600 */
	unsigned int tcp_fin;           /**< one FIN seen (30) */
	unsigned int tcp_closed;        /**< both FINs or an RST (10) */
	unsigned int udp;               /**< 60 */
	unsigned int sctp;              /**< 300 */
	unsigned int icmp;              /**< echo (30) */
	unsigned int frag_max;          /**< fragment table per worker (1024) */
	unsigned int frag_timeout;      /**< 5 */
	unsigned int log_rate;          /**< denial log lines per second (20) */
	unsigned int log_buffer;        /**< denials kept for `npvsctl log` (1024) */
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
	struct vs_ct_config ct;         /**< conntrack, policy, denial log */
	int classify_alg;               /**< rte_acl classify method:
					 * ACL_ALG_AUTO (0): measured at start
					 * (acl_alg_choose), else an enum
					 * rte_acl_classify_alg value */
	bool idle_backoff;              /**< sleep when idle (default on) */
	unsigned int idle_polls;        /**< empty polls before sleeping */
	unsigned int idle_sleep_max_us; /**< longest sleep */
	char log_level[32];             /**< EAL --log-level, e.g. "info" */
	char lcore_map[128];            /**< EAL --lcores instead of -l, e.g.
					 * "0@0,1@1,2@1" (more lcores than
					 * CPUs); "": -l main,workers */

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
	bool vxlan_udp_csum;            /**< compute the outer UDP checksum
					 *  (Linux does; default: 0, RFC 7348) */
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
	uint32_t max_frame;             /**< AFPACKET: largest Ethernet frame
					 * a pod may send, i.e. its largest
					 * (reassembled) datagram + 14;
					 * 0: the PMD's default frame (frames
					 * up to 1982 bytes); else
					 * VS_MAX_FRAME_MIN..VS_MAX_FRAME_MAX
					 * (docs/operations.md: memory) */
	uint32_t mtu;                   /**< VHOST: the DPDK pod's MTU, the
					 * largest IPv4 packet it takes
					 * (bigger ones are fragmented or
					 * dropped, vs_tx_frag.c); 0: 1500,
					 * virtio's default; else
					 * VS_VHOST_MTU_MIN..VS_VHOST_MTU_MAX */
};

#define VS_MAX_FRAME_MIN 1514           /**< an MTU 1500 pod's frame */
#define VS_MAX_FRAME_MAX 64432          /**< the ring frame (rounded up to
					 * 1 KiB) must fit a 16-bit mbuf */
#define VS_VHOST_MTU_MIN 576            /**< IPv4's least datagram every
					 * host takes (RFC 791) */
#define VS_VHOST_MTU_MAX 9698           /**< DPDK's virtio PMD's largest:
					 * VIRTIO_MAX_RX_PKTLEN 9728 - 14
					 * (Ethernet) - 4 (VLAN) - 12
					 * (virtio-net header) */

/** Counters of one port (sums over workers). */
struct vs_port_stats {
	uint64_t rx_packets, rx_bytes;
	uint64_t tx_packets, tx_bytes;
	uint64_t tx_full;               /**< dropped: tx queue full */
	uint64_t rx_truncated;          /**< dropped: cut by the af_packet
					 *  frame size (drop rx_truncated) */
	uint64_t tx_frags;              /**< IPv4 fragments made to fit the
					 *  port's MTU, or on the uplink the
					 *  tunnel's inner MTU (sent or tx_full) */
};

struct vs_port_info {
	char name[VS_NAME_MAX];
	enum vs_port_type type;
	bool uplink;
	bool link_up;                   /**< vhost: a pod is connected */
	uint16_t port_id;               /**< DPDK ethdev port id */
	char detail[VS_DEVARGS_MAX];    /**< iface (+max_frame), path (+mode,
					 *  mtu) or devargs */
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
	X(POLICY_DENIED, "policy_denied") \
	X(CT_FULL, "ct_full") \
	X(FRAGMENT, "fragment") \
	X(TCP_NO_FLOW, "tcp_no_flow") \
	X(ICMP_NO_FLOW, "icmp_no_flow") \
	X(L4_MALFORMED, "l4_malformed") \
	X(NO_NEIGH, "no_neighbour") \
	X(NOT_IP, "unsupported_ethertype") \
	X(NO_PORT, "no_port") \
	X(LINK_DOWN, "link_down") \
	X(NOT_FOR_US, "not_for_us") \
	X(UPLINK_OTHER, "uplink_not_vxlan") \
	X(TUN_NO_NEIGH, "tunnel_no_neighbour") \
	X(TUN_DROP, "tunnel_drop") \
	X(RX_TRUNCATED, "rx_truncated") \
	X(TOO_BIG, "too_big") \
	X(FRAG_FAILED, "frag_failed")

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

/* ---- conntrack, trace, counters, denial log (vs_ct*.c, vs_dlog.c) ---- */

#define VS_DIR_INGRESS 0                /**< = ACL_DIR_INGRESS */
#define VS_DIR_EGRESS 1                 /**< = ACL_DIR_EGRESS */

/** Where an allow came from (a copy of acl_origin). */
struct vs_rule_ref {
	char policy_ns[VS_NS_MAX];
	char policy_name[VS_POD_MAX];
	uint8_t dir;                    /**< VS_DIR_* */
	uint32_t rule;                  /**< index in ingress[] / egress[] */
	uint32_t peer;                  /**< UINT32_MAX: all */
	uint32_t port;                  /**< UINT32_MAX: all */
};

/** One side of a trace: the local endpoint's policy in one direction. */
struct vs_trace_side {
	bool pod;                       /**< the address is a known pod */
	bool local;                     /**< ... of this node */
	char ns[VS_NS_MAX];             /**< local endpoint's namespace/name */
	char name[VS_POD_MAX];
	uint32_t identity;
	uint32_t group;                 /**< 0: not isolated in this direction */
	uint32_t verdict;               /**< acl verdict (acl_ruleset.h) */
	bool allowed;
	bool has_rule;                  /**< rule is valid */
	struct vs_rule_ref rule;
};

/** A synthetic packet for vs_trace(); addresses network order. */
struct vs_trace_req {
	struct vs_ip src, dst;
	uint8_t proto;                  /**< 6, 17, 132, 1 */
	uint16_t sport, dport;          /**< host order; ICMP: identifier in sport */
};

struct vs_trace_result {
	bool routed;                    /**< to a local endpoint */
	char out_port[VS_NAME_MAX];     /**< its port, "" if absent */
	bool policy;                    /**< a policy is published */
	uint64_t policy_gen;
	struct vs_trace_side egress;    /**< the source's egress */
	struct vs_trace_side ingress;   /**< the destination's ingress */
	bool self;                      /**< source and destination: one pod */
	bool allowed;
	bool flow;                      /**< a connection-table entry exists */
	char flow_state[16];
	bool flow_denied;               /**< re-checked and denied */
	bool flow_stale;                /**< admitted under an older policy */
};

/**
 * Put one synthetic packet through the live snapshot: route, the same
 * acl_classify() calls and keys the workers make, and a connection-table
 * lookup. Nothing is forwarded or created. @return 0, -EINVAL (families).
 */
int vs_trace(struct vs *vs, const struct vs_trace_req *req,
		struct vs_trace_result *res);

/** A connection-table entry as listed. */
struct vs_flow_info {
	struct vs_ip src, dst;          /**< the opener, the peer */
	uint16_t sport, dport;          /**< host order */
	uint8_t proto;
	char state[16];
	bool denied;                    /**< re-checked and denied */
	bool stale;                     /**< policy changed since its check */
	uint32_t age_s, idle_s, expires_s;
	uint64_t packets[2], bytes[2];  /**< opener -> peer, replies */
	char in_port[VS_NAME_MAX];
	uint32_t verdict[2];            /**< [VS_DIR_INGRESS], [VS_DIR_EGRESS] */
};

/** Filter for vs_flow_list(): unset fields (family 0, proto 0) match all. */
struct vs_flow_filter {
	struct vs_ip src, dst;          /**< either end matches */
	uint8_t proto;
};

/**
 * Copy up to max matching entries into out (a scan of the table while the
 * workers run: each entry is read consistently enough, the set is not a
 * snapshot). @return the number of matching entries.
 */
uint32_t vs_flow_list(struct vs *vs, const struct vs_flow_filter *f,
		struct vs_flow_info *out, uint32_t max);

/** Connection-table figures. */
struct vs_ct_info {
	uint32_t count, max;
	uint64_t log_dropped;           /**< denial records lost: ring full */
	uint64_t log_suppressed;        /**< not logged: rate limit */
};
void vs_ct_info(struct vs *vs, struct vs_ct_info *out);

/** Packets allowed by one policy rule (sums over workers). */
struct vs_rule_ctr {
	uint32_t verdict;
	struct vs_rule_ref rule;
	uint64_t packets;
};

/**
 * Copy up to max rules of the live policy with their allowed-packet
 * counters into out. @return the number of rules with an origin.
 */
uint32_t vs_rule_stats(struct vs *vs, struct vs_rule_ctr *out, uint32_t max);

/** Packets denied against one local endpoint in one direction. */
struct vs_deny_ctr {
	char ns[VS_NS_MAX];
	char name[VS_POD_MAX];
	uint8_t dir;                    /**< VS_DIR_* */
	uint64_t packets;
};
uint32_t vs_deny_stats(struct vs *vs, struct vs_deny_ctr *out, uint32_t max);

/** One logged denial (npvsctl log). */
struct vs_deny_entry {
	uint64_t seq;                   /**< 1, 2, ... in drain order */
	int64_t time_ms;                /**< wall clock, ms since the epoch */
	struct vs_ip src, dst;
	uint16_t sport, dport;
	uint8_t proto;
	uint8_t reason;                 /**< enum vs_drop */
	uint8_t dir;                    /**< 1 egress, 2 ingress, 3 both, 0 n/a */
	char port[VS_NAME_MAX];         /**< where it came in */
	char ep[VS_NS_MAX + VS_POD_MAX];        /**< "ns/name" that denied, or "" */
};

/**
 * Copy the newest denials (at most max, oldest first, seq > after) into
 * out. @return how many were copied.
 */
uint32_t vs_deny_log(struct vs *vs, uint64_t after, struct vs_deny_entry *out,
		uint32_t max);

/** The live ruleset (for acl_compile_opts.prev), or NULL. */
const struct acl_ruleset *vs_policy_get(struct vs *vs);

struct acl_alg_report;

/**
 * The rte_acl classify method chosen at vs_create() (acl_alg_choose() with
 * vs_config.classify_alg): its chosen field goes into every acl_compile
 * (acl_compile_opts.classify_alg). Never NULL for a running switch.
 */
const struct acl_alg_report *vs_policy_classify(struct vs *vs);

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
