/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vs_snap.c: building, publishing and freeing snapshots (vs_priv.h).
 *
 * Every change of ports or endpoints ends in vs_snap_update(): build a
 * complete new snapshot from the control state, publish it with a release
 * store, wait for a grace period (rte_rcu_qsbr_synchronize: every worker
 * has finished the loop iteration that might have used the old one), then
 * free the old one. The LPM is rebuilt only when endpoint addresses
 * changed (vs->routes_dirty); otherwise the new snapshot shares it. Its
 * name carries the generation it was built in ("vs_lpm_g42"), because
 * rte_lpm_create() refuses a name that is still in use, and the old LPM
 * lives until its last snapshot is freed.
 *
 * vs_snap_update_deferred() (vs_snap.h) publishes without the wait: the
 * old snapshot waits in a small queue with an RCU token
 * (rte_rcu_qsbr_start) and is freed by vs_snap_reclaim() from
 * housekeeping once rte_rcu_qsbr_check says every worker has moved on, or
 * by the next vs_snap_update(), whose grace period covers it.
 *
 * Thread-safety: control thread only; takes vs->publish_lock around the
 * swap so a future second publisher (a vhost callback) stays safe.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_malloc.h>

#include "vs_log.h"
#include "vs_priv.h"
#include "vs_snap.h"
#include "vs_tunnel.h"

#define VS_LPM_TBL8S 1024       /* /32 routes take one tbl8 per /24 */

void
vs_routes_unref(struct vs_routes *r)
{
	if (r == NULL || --r->refs > 0)
		return;
	rte_lpm_free(r->lpm);
	free(r);
}

/* Add the /32 of every IPv4 address of every endpoint, next hop = id. */
static int
routes_fill(struct vs *vs, struct rte_lpm *lpm)
{
	uint32_t id, i, ip;
	int rc;

	for (id = 0; id < VS_EP_MAX; id++) {
		const struct vs_ep *e = &vs->eps[id];

		if (!e->used)
			continue;
		for (i = 0; i < e->spec.n_ips; i++) {
			if (e->spec.ips[i].family != AF_INET)
				continue;
			memcpy(&ip, e->spec.ips[i].addr, 4);
			rc = rte_lpm_add(lpm, rte_be_to_cpu_32(ip), 32, id);
			if (rc < 0)
				return rc;
		}
	}
	return 0;
}

static struct vs_routes *
routes_build(struct vs *vs, uint64_t gen)
{
	struct rte_lpm_config conf = {
		.max_rules = VS_EP_MAX * VS_EP_IPS_MAX,
		.number_tbl8s = VS_LPM_TBL8S,
	};
	char name[RTE_LPM_NAMESIZE];
	struct vs_routes *r;
	int rc;

	r = calloc(1, sizeof(*r));
	if (r == NULL)
		return NULL;
	snprintf(name, sizeof(name), "vs_lpm_g%" PRIu64, gen);
	r->lpm = rte_lpm_create(name, (int)rte_socket_id(), &conf);
	if (r->lpm == NULL) {
		VS_LOG(ERR, "rte_lpm_create %s: %s\n", name,
				rte_strerror(rte_errno));
		free(r);
		return NULL;
	}
	rc = routes_fill(vs, r->lpm);
	if (rc == 0)
		rc = vs_tunnel_routes_fill(vs, r->lpm);  /* remote nodes */
	if (rc < 0) {
		VS_LOG(ERR, "rte_lpm_add in %s: %s\n", name, strerror(-rc));
		rte_lpm_free(r->lpm);
		free(r);
		return NULL;
	}
	r->refs = 1;
	r->gen = gen;
	return r;
}

/* The routes of the next snapshot: shared, or rebuilt when dirty. */
static struct vs_routes *
routes_get(struct vs *vs, uint64_t gen)
{
	struct vs_routes *r;

	if (!vs->routes_dirty && vs->routes != NULL) {
		vs->routes->refs++;
		return vs->routes;
	}
	r = routes_build(vs, gen);
	if (r == NULL)
		return NULL;
	/* vs->routes holds one reference of its own. */
	vs_routes_unref(vs->routes);
	vs->routes = r;
	vs->routes_dirty = false;
	r->refs++;
	return r;
}

/*
 * Give every rx queue of every port to exactly one worker, round robin
 * over all queues so that ports with one queue spread over the workers.
 */
static void
rxq_assign(struct vs *vs, struct vs_snap *s)
{
	struct vs_port *p;
	unsigned int k = 0;
	uint16_t q;

	TAILQ_FOREACH(p, &vs->ports, next) {
		for (q = 0; q < p->n_rxq; q++, k++) {
			struct vs_snap_worker *sw = &s->wk[k % vs->n_wk];

			if (sw->n_rxq >= VS_PORTS_MAX)
				continue;
			sw->rxq[sw->n_rxq++] = (struct vs_snap_rxq){
				.port = p, .port_id = p->port_id, .queue = q,
			};
		}
	}
}

static void
eps_fill(struct vs *vs, struct vs_snap *s)
{
	uint32_t id;

	for (id = 0; id < VS_EP_MAX; id++) {
		const struct vs_ep *e = &vs->eps[id];
		struct vs_port *p;

		s->ep[id].port_id = VS_PORT_NONE;
		if (!e->used)
			continue;
		s->ep[id].valid = 1;
		s->ep[id].static_mac = e->spec.has_mac;
		p = vs_port_find(vs, e->spec.port);
		if (p != NULL)
			s->ep[id].port_id = p->port_id;
	}
}

static struct vs_snap *
snap_build(struct vs *vs)
{
	struct vs_snap *s;
	struct vs_port *p;

	s = rte_zmalloc("vs_snap", sizeof(*s), RTE_CACHE_LINE_SIZE);
	if (s == NULL)
		return NULL;
	s->gen = ++vs->gen;
	s->routes = routes_get(vs, s->gen);
	if (s->routes == NULL) {
		rte_free(s);
		return NULL;
	}
	memcpy(s->mac.addr_bytes, vs->cfg.mac, RTE_ETHER_ADDR_LEN);
	if (vs->cfg.gateway.family == AF_INET)
		memcpy(&s->gw_ip, vs->cfg.gateway.addr, 4);
	s->neigh = vs->neigh;
	vs_policy_snap_set(vs, s);
	TAILQ_FOREACH(p, &vs->ports, next)
		s->port[p->port_id] = p;
	rxq_assign(vs, s);
	eps_fill(vs, s);
	if (vs_tunnel_snap_fill(vs, s) < 0) {
		vs_snap_free(vs, s);
		return NULL;
	}
	return s;
}

void
vs_snap_free(struct vs *vs, struct vs_snap *s)
{
	RTE_SET_USED(vs);
	if (s == NULL)
		return;
	vs_routes_unref(s->routes);
	vs_tunnel_snap_free(s);
	vs_policy_unref(s->pol);
	rte_free(s);
}

/*
 * Snapshots replaced without a wait, oldest first, each with the token of
 * its grace period. One vs per process (npvsd), so the queue is a static.
 */
#define SNAP_DEFER_MAX 64
static struct {
	struct vs_snap *s;
	uint64_t token;
} deferred[SNAP_DEFER_MAX];
static unsigned int n_deferred;

void
vs_snap_reclaim(struct vs *vs, bool all)
{
	unsigned int i = 0;

	if (n_deferred == 0)
		return;
	while (i < n_deferred && (all || rte_rcu_qsbr_check(vs->qsv,
			deferred[i].token, false) == 1))
		vs_snap_free(vs, deferred[i++].s);
	memmove(deferred, deferred + i, (n_deferred - i) * sizeof(deferred[0]));
	n_deferred -= i;
}

void
vs_snap_publish(struct vs *vs, struct vs_snap *next)
{
	struct vs_snap *old;

	rte_spinlock_lock(&vs->publish_lock);
	old = vs->snap;         /* writer-only plain read */
	/* Pairs with the acquire load in vs_worker_poll(). */
	__atomic_store_n(&vs->snap, next, __ATOMIC_RELEASE);
	rte_rcu_qsbr_synchronize(vs->qsv, RTE_QSBR_THRID_INVALID);
	rte_spinlock_unlock(&vs->publish_lock);
	vs_snap_free(vs, old);
	vs_snap_reclaim(vs, true);      /* their grace period is over too */
}

/* vs_snap_publish() without the wait; a full queue waits once. */
static void
snap_publish_deferred(struct vs *vs, struct vs_snap *next)
{
	struct vs_snap *old;
	uint64_t token;

	if (n_deferred == SNAP_DEFER_MAX) {
		vs_snap_publish(vs, next);
		return;
	}
	rte_spinlock_lock(&vs->publish_lock);
	old = vs->snap;
	__atomic_store_n(&vs->snap, next, __ATOMIC_RELEASE);
	token = rte_rcu_qsbr_start(vs->qsv);
	rte_spinlock_unlock(&vs->publish_lock);
	if (old == NULL)
		return;
	deferred[n_deferred].s = old;
	deferred[n_deferred++].token = token;
}

int
vs_snap_update_deferred(struct vs *vs)
{
	struct vs_snap *s = snap_build(vs);

	if (s == NULL)
		return -ENOMEM;
	snap_publish_deferred(vs, s);
	VS_LOG(DEBUG, "snapshot g%" PRIu64 " published (old one freed after "
			"its grace period): %u ports, %u endpoints\n", s->gen,
			vs->n_ports, vs->n_eps);
	return 0;
}

int
vs_snap_update(struct vs *vs)
{
	struct vs_snap *s = snap_build(vs);

	if (s == NULL)
		return -ENOMEM;
	vs_snap_publish(vs, s);
	VS_LOG(DEBUG, "snapshot g%" PRIu64 " published: %u ports, %u endpoints\n",
			s->gen, vs->n_ports, vs->n_eps);
	return 0;
}
