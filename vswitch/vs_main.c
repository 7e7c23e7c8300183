/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vs_main.c: the switch's life: config defaults, vs_create (EAL, mempool,
 * RCU, workers, the first snapshot), vs_housekeeping and vs_destroy.
 *
 * Neighbours: vs_eal.c builds the EAL command line, vs_port.c and
 * vs_endpoint.c change the state, vs_snap.c publishes it, lcore_loop.c
 * runs on the worker lcores.
 *
 * Thread-safety: control thread only (vs_api.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <rte_byteorder.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>

#include "acl_ruleset.h"
#include "vs_api.h"
#include "vs_log.h"
#include "vs_port_afp.h"
#include "vs_priv.h"
#include "vs_snap.h"
#include "vs_tunnel.h"

RTE_LOG_REGISTER(npvs_logtype_vs, npvs.vswitch, INFO);

#define VS_MBUF_CACHE 256
#define VS_IND_MBUFS 4095       /* indirect mbufs for fragments */
#define VS_IND_CACHE 64

void
vs_config_defaults(struct vs_config *c)
{
	static const uint8_t mac[6] = { 0x02, 0x6e, 0x70, 0x76, 0x73, 0x01 };

	memset(c, 0, sizeof(*c));
	memcpy(c->mac, mac, sizeof(mac));
	c->main_lcore = 0;
	c->workers[0] = 1;
	c->n_workers = 1;
	snprintf(c->socket_path, sizeof(c->socket_path), "/run/npvs/npvsd.sock");
	snprintf(c->file_prefix, sizeof(c->file_prefix), "npvsd");
	c->in_memory = true;
	c->n_mbufs = 16384;
	c->idle_backoff = true;
	c->idle_polls = 256;
	c->idle_sleep_max_us = 250;
	c->vni = 1;                     /* Flannel's VXLAN defaults */
	c->vxlan_port = 8472;
	c->underlay_mtu = 1500;
	vs_ct_config_defaults(&c->ct);
}

const struct vs_config *
vs_get_config(struct vs *vs)
{
	return &vs->cfg;
}

/* Checks the EAL cannot do for us. */
static int
config_check(const struct vs_config *c, char *err, size_t errlen)
{
	unsigned int i, j;

	if (c->n_workers > VS_WORKERS_MAX) {
		snprintf(err, errlen, "at most %d workers", VS_WORKERS_MAX);
		return -EINVAL;
	}
	for (i = 0; i < c->n_workers; i++) {
		if (c->workers[i] == c->main_lcore) {
			snprintf(err, errlen, "worker lcore %u is the main lcore",
					c->workers[i]);
			return -EINVAL;
		}
		for (j = 0; j < i; j++)
			if (c->workers[j] == c->workers[i]) {
				snprintf(err, errlen, "worker lcore %u listed twice",
						c->workers[i]);
				return -EINVAL;
			}
	}
	if (c->gateway.family != 0 && c->gateway.family != AF_INET) {
		snprintf(err, errlen, "gateway must be IPv4");
		return -EINVAL;
	}
	if (c->n_mbufs < 2 * VS_MBUF_CACHE) {
		snprintf(err, errlen, "mbufs must be at least %d", 2 * VS_MBUF_CACHE);
		return -EINVAL;
	}
	return 0;
}

/* No gateway given: the first address of the pod CIDR (Flannel's cni0). */
static void
config_fill(struct vs_config *c)
{
	uint32_t net, mask;

	if (c->gateway.family != 0 || c->pod_cidr.family != AF_INET)
		return;
	mask = c->pod_cidr_len ? ~UINT32_C(0) << (32 - c->pod_cidr_len) : 0;
	memcpy(&net, c->pod_cidr.addr, 4);
	net = (rte_be_to_cpu_32(net) & mask) + 1;
	net = rte_cpu_to_be_32(net);
	c->gateway.family = AF_INET;
	memcpy(c->gateway.addr, &net, 4);
}

static int
eal_start(struct vs *vs, const char *argv0, char *err, size_t errlen)
{
	struct vs_eal_args a;
	char *argv[VS_EAL_ARGV_MAX + 1];
	int rc;

	rc = vs_eal_args_build(&vs->cfg, argv0, &a, err, errlen);
	if (rc < 0)
		return rc;
	/* rte_eal_init may permute argv: give it a copy. */
	memcpy(argv, a.argv, sizeof(argv));
	if (rte_eal_init(a.argc, argv) < 0) {
		rc = -rte_errno;
		snprintf(err, errlen, "EAL initialisation failed: %s",
				rte_strerror(rte_errno));
		return rc;
	}
	return 0;
}

/*
 * The rte_acl classify method for every compile (acl_alg_choose: measured
 * when cfg.classify_alg is auto). Before the workers start, so that the
 * measurement has this core to itself.
 */
static int
classify_choose(struct vs *vs, char *err, size_t errlen)
{
	const char *name = acl_alg_name(vs->cfg.classify_alg);
	int rc, a, len;

	vs->alg = calloc(1, sizeof(*vs->alg));
	if (vs->alg == NULL) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	rc = acl_alg_choose(vs->cfg.classify_alg, vs->alg);
	if (rc == -ENOTSUP) {
		len = snprintf(err, errlen, "policy.classify: method '%s' is "
				"not supported here (CPU or EAL SIMD width); "
				"supported:", name ? name : "?");
		for (a = 1; a < ACL_ALG_NUM; a++)
			if (vs->alg->supported[a] && len >= 0 &&
					(size_t)len < errlen)
				len += snprintf(err + len, errlen - len, " %s",
						acl_alg_name(a));
	} else if (rc < 0)
		snprintf(err, errlen, "policy.classify: %s", strerror(-rc));
	if (rc < 0) {
		free(vs->alg);
		vs->alg = NULL;
	}
	return rc;
}

const struct acl_alg_report *
vs_policy_classify(struct vs *vs)
{
	return vs->alg;
}

static int
workers_alloc(struct vs *vs, char *err, size_t errlen)
{
	unsigned int i;

	for (i = 0; i < vs->n_wk; i++) {
		unsigned int lcore = vs->cfg.n_workers ? vs->cfg.workers[i] :
				rte_lcore_id();
		struct vs_worker *w;

		w = rte_zmalloc_socket("vs_worker", sizeof(*w),
				RTE_CACHE_LINE_SIZE, rte_lcore_to_socket_id(lcore));
		if (w == NULL) {
			snprintf(err, errlen, "no memory for worker %u", i);
			return -ENOMEM;
		}
		w->vs = vs;
		w->idx = i;
		w->lcore_id = lcore;
		w->tsc_hz = rte_get_tsc_hz();
		vs->wk[i] = w;
	}
	return 0;
}

static int
rcu_create(struct vs *vs, char *err, size_t errlen)
{
	size_t sz = rte_rcu_qsbr_get_memsize(vs->n_wk);

	vs->qsv = rte_zmalloc("vs_qsbr", sz, RTE_CACHE_LINE_SIZE);
	if (vs->qsv == NULL || rte_rcu_qsbr_init(vs->qsv, vs->n_wk) != 0) {
		snprintf(err, errlen, "cannot create the RCU variable");
		return -ENOMEM;
	}
	return 0;
}

/* Mempool, RCU, tables, workers' memory and the first snapshot. */
static int
state_create(struct vs *vs, char *err, size_t errlen)
{
	int rc;

	vs->pool = rte_pktmbuf_pool_create("vs_mbufs", vs->cfg.n_mbufs,
			VS_MBUF_CACHE, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
			rte_socket_id());
	if (vs->pool == NULL) {
		snprintf(err, errlen, "cannot create %u mbufs: %s",
				vs->cfg.n_mbufs, rte_strerror(rte_errno));
		return -ENOMEM;
	}
	/* Fragments (vs_tx_frag.c): indirect mbufs, no data room. */
	vs->pool_ind = rte_pktmbuf_pool_create("vs_mbufs_ind", VS_IND_MBUFS,
			VS_IND_CACHE, 0, 0, rte_socket_id());
	if (vs->pool_ind == NULL) {
		snprintf(err, errlen, "cannot create %u indirect mbufs: %s",
				VS_IND_MBUFS, rte_strerror(rte_errno));
		return -ENOMEM;
	}
	vs->eps = calloc(VS_EP_MAX, sizeof(*vs->eps));
	vs->neigh = rte_zmalloc("vs_neigh", VS_EP_MAX * sizeof(uint64_t),
			RTE_CACHE_LINE_SIZE);
	if (vs->eps == NULL || vs->neigh == NULL) {
		snprintf(err, errlen, "no memory for the endpoint table");
		return -ENOMEM;
	}
	vs->n_wk = vs->cfg.n_workers ? vs->cfg.n_workers : 1;
	rc = rcu_create(vs, err, errlen);
	if (rc == 0)
		rc = workers_alloc(vs, err, errlen);
	if (rc == 0)
		rc = vs_ct_create(vs, err, errlen);
	if (rc == 0)
		rc = vs_dlog_create(vs, err, errlen);
	if (rc < 0)
		return rc;
	vs->routes_dirty = true;
	rc = vs_snap_update(vs);
	if (rc < 0)
		snprintf(err, errlen, "cannot build the first snapshot: %s",
				strerror(-rc));
	return rc;
}

static int
workers_launch(struct vs *vs, char *err, size_t errlen)
{
	unsigned int i;
	int rc;

	for (i = 0; i < vs->cfg.n_workers; i++) {
		rc = rte_eal_remote_launch(vs_worker_main, vs->wk[i],
				vs->cfg.workers[i]);
		if (rc != 0) {
			snprintf(err, errlen, "cannot launch worker on lcore %u",
					vs->cfg.workers[i]);
			return rc;
		}
		vs->launched = true;
	}
	return 0;
}

static void
workers_stop(struct vs *vs)
{
	unsigned int i;

	if (!vs->launched)
		return;
	__atomic_store_n(&vs->stop, 1, __ATOMIC_RELAXED);
	for (i = 0; i < vs->cfg.n_workers; i++)
		rte_eal_wait_lcore(vs->cfg.workers[i]);
	vs->launched = false;
}

/* Free what state_create made; workers are stopped. */
static void
state_free(struct vs *vs)
{
	struct vs_port *p;
	unsigned int i;

	while ((p = TAILQ_FIRST(&vs->ports)) != NULL) {
		TAILQ_REMOVE(&vs->ports, p, next);
		vs_port_teardown(vs, p);
	}
	vs_snap_reclaim(vs, true);      /* the workers are stopped */
	vs_port_afp_reclaim(vs, true);
	vs_snap_free(vs, vs->snap);
	vs->snap = NULL;
	vs_routes_unref(vs->routes);
	vs->routes = NULL;
	vs_tunnel_free(vs);
	vs_policy_merge_stop(vs);
	vs_policy_unref(vs->policy);
	vs->policy = NULL;
	vs_ct_free(vs);
	vs_dlog_free(vs);
	for (i = 0; i < vs->n_wk; i++)
		rte_free(vs->wk[i]);
	rte_free(vs->qsv);
	rte_free(vs->neigh);
	free(vs->eps);
	rte_mempool_free(vs->pool);
	rte_mempool_free(vs->pool_ind);
	free(vs->alg);
	vs->alg = NULL;
}

struct vs *
vs_create(const struct vs_config *c, const char *argv0, char *err,
		size_t errlen)
{
	struct vs *vs;
	int rc;

	rc = config_check(c, err, errlen);
	if (rc < 0) {
		rte_errno = -rc;
		return NULL;
	}
	/* cache-line aligned: the workers' line of struct vs (vs_priv.h) */
	vs = aligned_alloc(RTE_CACHE_LINE_SIZE, sizeof(*vs));
	if (vs == NULL) {
		snprintf(err, errlen, "out of memory");
		rte_errno = ENOMEM;
		return NULL;
	}
	memset(vs, 0, sizeof(*vs));
	vs->cfg = *c;
	config_fill(&vs->cfg);
	TAILQ_INIT(&vs->ports);
	rte_spinlock_init(&vs->publish_lock);

	rc = eal_start(vs, argv0, err, errlen);
	if (rc < 0)
		goto err_eal;
	rc = classify_choose(vs, err, errlen);
	if (rc < 0) {
		rte_eal_cleanup();
		goto err_eal;
	}
	rc = state_create(vs, err, errlen);
	if (rc == 0)
		rc = workers_launch(vs, err, errlen);
	if (rc < 0)
		goto err_state;
	VS_LOG(INFO, "started: %u worker(s), %u mbufs, router MAC "
			RTE_ETHER_ADDR_PRT_FMT "\n", c->n_workers, c->n_mbufs,
			c->mac[0], c->mac[1], c->mac[2], c->mac[3], c->mac[4],
			c->mac[5]);
	return vs;

err_state:
	workers_stop(vs);
	state_free(vs);
	rte_eal_cleanup();
err_eal:
	free(vs);
	rte_errno = -rc;
	return NULL;
}

void
vs_destroy(struct vs *vs)
{
	if (vs == NULL)
		return;
	workers_stop(vs);
	state_free(vs);
	VS_LOG(INFO, "stopped\n");
	rte_eal_cleanup();
	free(vs);
}

void
vs_housekeeping(struct vs *vs)
{
	uint64_t now = rte_get_tsc_cycles();

	if (now >= vs->next_link_check) {
		vs_port_link_refresh(vs);
		vs->next_link_check = now +
				rte_get_tsc_hz() * VS_LINK_CHECK_MS / 1000;
	}
	vs_ct_reclaim(vs, now);
	vs_snap_reclaim(vs, false);
	vs_port_afp_reclaim(vs, false);
	vs_dlog_drain(vs);
	vs_policy_merge_poll(vs);
}

struct vs_worker *
vs_worker_get(struct vs *vs, unsigned int i)
{
	return i < vs->n_wk ? vs->wk[i] : NULL;
}
