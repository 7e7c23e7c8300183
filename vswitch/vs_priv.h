/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vs_priv.h: the switch's private types, shared by the files of vswitch/
 * and by the in-process tests in tests/vswitch/. control/ never includes
 * it: it sees only vs_api.h.
 *
 * Objects and who owns them:
 *  - struct vs: the switch. Control thread only, except vs->snap (workers
 *    load it with acquire), vs->stop and vs->neigh (see below).
 *  - struct vs_port: one ethdev. Created and freed by the control thread;
 *    workers reach it only through a published snapshot, so it is freed
 *    only after a grace period that follows a snapshot without it.
 *  - struct vs_snap: what workers read. Immutable once published (copy,
 *    modify the copy, publish the copy). The LPM inside is shared between
 *    consecutive snapshots while the routes do not change (vs_routes,
 *    reference-counted by the control thread).
 *  - struct vs_worker: one per worker lcore; its counters are written by
 *    that worker only and read (summed) by the control thread.
 *  - vs->neigh[id]: the MAC of endpoint id, one 64-bit word each. The only
 *    switch state workers write besides their own counters: a worker that
 *    sees a pod's packet stores the source MAC when it differs (relaxed
 *    atomic store; the last writer wins, which is right for MAC learning).
 *    The control thread resets a slot before it publishes an endpoint that
 *    reuses the id.
 *
 * Thread-safety: see each struct.
 */
#ifndef NPVS_VS_PRIV_H
#define NPVS_VS_PRIV_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/queue.h>

#include <rte_ethdev.h>
#include <rte_ether.h>
#include <rte_lpm.h>
#include <rte_mbuf.h>
#include <rte_rcu_qsbr.h>
#include <rte_spinlock.h>

#include "vs_api.h"
#include "vs_ct.h"

struct acl_ruleset;
struct vs_tunnel;
struct vs_tun_snap;
struct vs_tun_wk;
struct vs_pool_ret;

#define VS_BURST 32                     /**< rx burst and tx buffer size;
					  *  at most 32 (a bit each, vs_runs.c) */
#define VS_EP_MAX 4096                  /**< local endpoints (LPM next hop ids) */
#define VS_PORTS_MAX RTE_MAX_ETHPORTS
#define VS_PORT_NONE UINT16_MAX         /**< endpoint whose port is absent */
#define VS_ARP_RETRY_MS 100             /**< per endpoint and worker */
#define VS_LINK_CHECK_MS 100            /**< housekeeping link refresh */

/* vs->neigh[] words: bit 63 valid, bits 0..47 the MAC (wire order). */
#define VS_NEIGH_VALID (UINT64_C(1) << 63)

/* ---- ports ---- */

/**
 * One ethdev. The first group is read by workers through snapshots and
 * never changes while any snapshot points to the port (link_up excepted:
 * the control thread refreshes it, workers read it relaxed).
 */
struct vs_port {
	uint16_t port_id;
	uint16_t n_rxq;
	uint16_t n_txq;
	bool tx_shared;         /**< n_txq < workers: lock the queue per burst */
	bool uplink;
	uint32_t link_up;       /**< atomic: 1 when up */
	uint32_t rx_trunc;      /**< af_packet: an IPv4 packet whose frame is
				  *  at least this long and shorter than its
				  *  total length was cut by the ring's frame
				  *  size (vs_port_afp.c); 0: never */
	uint32_t tx_max;        /**< largest frame the port's pod takes (MTU
				  *  + 14): bigger IPv4 packets are
				  *  fragmented (vs_tx_frag.c); UINT32_MAX:
				  *  no limit */
	rte_spinlock_t txq_lock[VS_WORKERS_MAX];

	/* Control thread only. */
	struct vs_port_spec spec;
	char devargs[VS_DEVARGS_MAX];   /**< what was probed */
	struct rte_device *dev;
	bool probed;                    /**< we probed it: detach on removal */
	bool started;
	struct vs_port_stats base;      /**< counters at add: port ids are reused */
	uint32_t framesz;               /**< af_packet: ring frame size */
	struct rte_mempool *pool;       /**< own mempool (max_frame), or NULL:
					  *  vs->pool; retired at removal */
	uint64_t trunc_logged;          /**< rx_truncated when last logged */
	uint64_t trunc_log_tsc;         /**< when; rate limit of that log */
	TAILQ_ENTRY(vs_port) next;
};
TAILQ_HEAD(vs_port_list, vs_port);

/* ---- snapshots ---- */

/** An LPM shared by consecutive snapshots. Control thread only. */
struct vs_routes {
	struct rte_lpm *lpm;    /**< IPv4 /32 of each endpoint -> endpoint id */
	uint32_t refs;          /**< snapshots pointing here */
	uint64_t gen;           /**< generation it was built in (its name) */
};

/** What a snapshot knows of one endpoint id. */
struct vs_snap_ep {
	uint16_t port_id;       /**< VS_PORT_NONE: port absent */
	uint8_t valid;          /**< id in use */
	uint8_t static_mac;     /**< configured MAC: do not learn */
};

/** One rx queue that a worker polls. */
struct vs_snap_rxq {
	struct vs_port *port;
	uint16_t port_id;
	uint16_t queue;
};

struct vs_snap_worker {
	uint16_t n_rxq;
	struct vs_snap_rxq rxq[VS_PORTS_MAX];
};

/**
 * An immutable view of the switch, read by workers. gen names its DPDK
 * objects. Future stages add here: the compiled acl_ruleset and the
 * address -> endpoint hash for policy, VTEP and remote-subnet routes.
 */
struct vs_snap {
	uint64_t gen;
	struct rte_ether_addr mac;      /**< router MAC */
	rte_be32_t gw_ip;               /**< pods' gateway (IPv4) */
	struct vs_routes *routes;
	uint64_t *neigh;                /**< vs->neigh, VS_EP_MAX words */
	struct vs_port *port[VS_PORTS_MAX];     /**< by ethdev port id */
	struct vs_snap_worker wk[VS_WORKERS_MAX];
	const struct acl_ruleset *policy;       /**< owned by vs; may be NULL */
	struct vs_policy *pol;          /**< policy and address table, or NULL */
	uint32_t pol_gen;               /**< policy generation (flows record it) */
	struct vs_snap_ep ep[VS_EP_MAX];        /**< by endpoint id */
	const struct vs_tun_snap *tun;          /**< VXLAN (vs_tunnel.h), or NULL */
};

/* ---- workers ---- */

/** Per port counters of one worker. */
struct vs_port_ctr {
	uint64_t rx_packets, rx_bytes;
	uint64_t tx_packets, tx_bytes;
	uint64_t tx_full;
	uint64_t rx_truncated;
	uint64_t tx_frags;
};

/** Packets waiting for one output port in this iteration. */
struct vs_txbuf {
	uint16_t n;
	uint8_t listed;         /**< in w->touched this iteration */
	struct rte_mbuf *pkts[VS_BURST];
};

/** What the stages know of one packet of a burst. */
enum vs_pkt_kind {
	VS_PK_IP4,      /**< parsed IPv4 packet, to route */
	VS_PK_ARP,      /**< parsed ARP packet */
	VS_PK_TX,       /**< decided: goes out on out_port */
	VS_PK_DONE,     /**< dropped or consumed: already in the free list */
	VS_PK_VXLAN,    /**< routed into a tunnel: dst_vtep (vs_tunnel.h) */
	VS_PK_FOLLOW,   /**< like the packet before it: w->lead (vs_runs.c) */
};

struct vs_pkt_meta {
	uint8_t kind;           /**< enum vs_pkt_kind */
	uint8_t fast;           /**< route: forwarded the ordinary way */
	uint16_t l3_off;        /**< offset of the IPv4/ARP header */
	uint16_t out_port;      /**< VS_PK_TX: output ethdev */
	uint8_t ct_dir;         /**< ct: its direction in the entry, */
	uint32_t src_ip;        /**< IPv4 source / ARP sender, host order */
	uint32_t dst_ip;        /**< IPv4 destination / ARP target, host order */
	uint32_t src_nh;        /**< LPM results, VS_NH_MISS if none */
	uint32_t dst_nh;
	uint32_t dst_vtep;      /**< VTEP slot of a remote node's subnet, or
				  *  VS_NH_MISS (then dst_nh is MISS too) */
	int32_t ct_pos;         /**< ct: its entry (a passed packet), or -1 */
};
#define VS_NH_MISS UINT32_MAX

/**
 * One worker lcore. Thread-safety: everything here is written by its
 * worker only; the control thread reads the counters (relaxed loads).
 */
struct vs_worker {
	struct vs *vs;
	unsigned int idx;               /**< RCU thread id; tx queue index */
	unsigned int lcore_id;
	uint64_t tsc_hz;

	/* counters */
	uint64_t drops[VS_DROP_MAX];
	struct vs_port_ctr ctr[VS_PORTS_MAX];

	/* idle back-off */
	uint32_t empty_polls;
	uint32_t sleep_us;

	/* per-burst scratch */
	struct rte_mbuf *rx[VS_BURST];
	struct vs_pkt_meta meta[VS_BURST];
	uint32_t lk_ip[2 * VS_BURST];
	uint32_t lk_nh[2 * VS_BURST];
	uint8_t lk_same[VS_BURST];      /**< vs_stage_lookup */
	uint16_t n_free;
	struct rte_mbuf *free[VS_BURST];

	/* runs of one flow's packets (vs_runs.c) */
	uint32_t fol_mask;              /**< bit i: packet i is a follower */
	uint16_t n_slow;
	uint8_t lead[VS_BURST];         /**< a follower's leader */
	uint8_t lorig[VS_BURST];        /**< lp[j]'s index in the burst */
	struct rte_mbuf *lp[VS_BURST];  /**< the burst without followers */
	struct rte_mbuf *slow[VS_BURST]; /**< followers for a pass of their own */

	/* per-iteration tx buffers */
	uint16_t n_touched;
	uint16_t touched[VS_PORTS_MAX];
	struct vs_txbuf tx[VS_PORTS_MAX];

	/* last ARP request sent per endpoint id (tsc), rate limit */
	uint64_t arp_tsc[VS_EP_MAX];

	struct vs_ct_wk ct;             /**< conntrack and policy (vs_ct.h) */

	struct vs_tun_wk *tun;          /**< VXLAN state (vs_tunnel.h), set by
					  *  the control thread before the first
					  *  snapshot with a tunnel */
} __rte_cache_aligned;

/* ---- the switch ---- */

/** An endpoint as the control thread keeps it; id = index in vs->eps. */
struct vs_ep {
	bool used;
	struct vs_endpoint_spec spec;
};

struct vs {
	struct vs_config cfg;
	/* What the workers load on every poll, on a line of its own: no
	 * store of the control thread's makes them fetch it again. */
	struct vs_snap *snap __rte_cache_aligned; /**< published: workers
						     *  load-acquire */
	uint32_t stop;                  /**< atomic: workers leave their loop */

	struct rte_rcu_qsbr *qsv;
	struct rte_mempool *pool;
	struct rte_mempool *pool_ind;   /**< indirect mbufs: fragments */
	struct vs_worker *wk[VS_WORKERS_MAX];
	unsigned int n_wk;              /**< max(n_workers, 1) */
	bool launched;

	/* control thread state */
	uint64_t gen __rte_cache_aligned;
	struct vs_port_list ports;
	uint32_t n_ports;
	unsigned int vdev_seq;          /**< net_vhost<N>, net_af_packet<N> */
	struct vs_ep *eps;              /**< VS_EP_MAX */
	uint32_t n_eps;
	struct vs_routes *routes;       /**< the current LPM */
	bool routes_dirty;              /**< endpoint addresses changed */
	uint64_t *neigh;                /**< VS_EP_MAX words, see above */
	uint64_t next_link_check;       /**< tsc */
	struct vs_policy *policy;       /**< live policy (vs_policy.c), or NULL */
	struct vs_merger *merger;       /**< merged-context builder (vs_policy.c) */
	uint32_t pol_gen;               /**< bumped by every policy publish */
	struct vs_ct *ct;               /**< connection table (vs_ct.c) */
	struct vs_dlog *dlog;           /**< denial log buffer (vs_dlog.c) */
	rte_spinlock_t publish_lock;    /**< any snapshot publisher takes it */
	struct vs_tunnel *tun;          /**< nodes and VTEPs (vs_tunnel.c) */
	struct acl_alg_report *alg;     /**< classify method (vs_main.c) */
	struct vs_pool_ret *pools_retired; /**< removed ports' mempools
					     *  (vs_port_afp.c) */
};

/* vs_snap.c */
/** Build a snapshot of the current control state and publish it. */
int vs_snap_update(struct vs *vs);
/** Publish next, wait for a grace period, free the old snapshot. */
void vs_snap_publish(struct vs *vs, struct vs_snap *next);
void vs_snap_free(struct vs *vs, struct vs_snap *s);
void vs_routes_unref(struct vs_routes *r);

/* vs_policy.c: attach a finished merge (housekeeping); stop the builder. */
void vs_policy_merge_poll(struct vs *vs);
void vs_policy_merge_stop(struct vs *vs);

/* vs_port.c */
void vs_port_link_refresh(struct vs *vs);
void vs_port_teardown(struct vs *vs, struct vs_port *p);
struct vs_port *vs_port_find(struct vs *vs, const char *name);
/** Attach an existing ethdev (tests: rte_eth_from_rings) as a port. */
int vs_port_add_ethdev(struct vs *vs, const struct vs_port_spec *spec,
		uint16_t port_id, char *err, size_t errlen);

/* vs_stats.c */
void vs_port_stats_sum(struct vs *vs, uint16_t port_id,
		struct vs_port_stats *out);

/* vs_eal.c */
#define VS_EAL_ARGV_MAX (24 + 2 * VS_PCI_MAX)
struct vs_eal_args {
	int argc;
	char *argv[VS_EAL_ARGV_MAX + 1];
	char buf[2048];
};
int vs_eal_args_build(const struct vs_config *c, const char *argv0,
		struct vs_eal_args *a, char *err, size_t errlen);

/* lcore_loop.c */
int vs_worker_main(void *arg);
/** One iteration of a worker: poll its queues, process, flush tx. */
uint32_t vs_worker_poll(struct vs_worker *w);
/** The test hook: the worker context of index i (n_workers 0: index 0). */
struct vs_worker *vs_worker_get(struct vs *vs, unsigned int i);

/* vs_pipeline.c */
void vs_burst_process(struct vs_worker *w, const struct vs_snap *snap,
		uint16_t in_port, struct rte_mbuf **pkts, uint16_t n);
void vs_tx_flush_all(struct vs_worker *w, const struct vs_snap *snap);
/** One packet into port's tx buffer, unchecked (cold paths). */
void vs_tx_put_one(struct vs_worker *w, const struct vs_snap *snap,
		uint16_t port, struct rte_mbuf *m);

/* vs_tx_frag.c */
/** A packet bigger than its port's tx_max: fragment, or drop. */
void vs_tx_big(struct vs_worker *w, const struct vs_snap *snap,
		uint16_t port, struct rte_mbuf *m);
/** Most fragments vs_frag_split makes (64 KiB at MTU 1100 and up). */
#define VS_FRAG_OUT_MAX 64
/**
 * Split m (Ethernet + IPv4 without DF, the whole datagram) into IPv4
 * fragments of at most mtu bytes of IP each, m's Ethernet header in
 * front of each and its IPv4 checksum computed, into out (room for
 * VS_FRAG_OUT_MAX); counted in port's tx_frags. The fragments are chains
 * (a direct header mbuf from vs->pool, indirect ones from vs->pool_ind on
 * m's data); m is the caller's to free. Failures count as frag_failed.
 * @return the number of fragments in out (0: none).
 * Cold path of worker lcores.
 */
uint16_t vs_frag_split(struct vs_worker *w, uint16_t port,
		struct rte_mbuf *m, uint32_t mtu, struct rte_mbuf **out);

/** A counter written by one thread, read by another: no torn values. */
static inline void
vs_ctr_add(uint64_t *c, uint64_t n)
{
	__atomic_store_n(c, __atomic_load_n(c, __ATOMIC_RELAXED) + n,
			__ATOMIC_RELAXED);
}

static inline uint64_t
vs_ctr_get(const uint64_t *c)
{
	return __atomic_load_n(c, __ATOMIC_RELAXED);
}

/** A MAC as a vs->neigh word (VS_NEIGH_VALID set). */
static inline uint64_t
vs_neigh_pack(const uint8_t mac[RTE_ETHER_ADDR_LEN])
{
	uint64_t w = 0;
	int i;

	for (i = 0; i < RTE_ETHER_ADDR_LEN; i++)
		w |= (uint64_t)mac[i] << (8 * i);
	return w | VS_NEIGH_VALID;
}

static inline void
vs_neigh_unpack(uint64_t w, uint8_t mac[RTE_ETHER_ADDR_LEN])
{
	int i;

	for (i = 0; i < RTE_ETHER_ADDR_LEN; i++)
		mac[i] = (uint8_t)(w >> (8 * i));
}

#endif /* NPVS_VS_PRIV_H */
