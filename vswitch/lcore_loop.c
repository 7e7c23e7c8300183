/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lcore_loop.c: a worker lcore's loop.
 *
 * Each iteration: load the published snapshot (acquire), poll the rx
 * queues it gives this worker (skipping ports whose link is down), run
 * every burst through the stages (vs_pipeline.c), flush the tx buffers,
 * then report a quiescent state: from then on the worker holds no pointer
 * into that snapshot.
 *
 * Idle back-off (cfg.idle_backoff): after cfg.idle_polls empty iterations
 * the worker goes RCU-offline (so a publisher never waits for a sleeper)
 * and sleeps, 10 us first, doubling up to cfg.idle_sleep_max_us, until a
 * poll finds packets. This lets npvsd, pods and tests share two cores;
 * the cost is up to idle_sleep_max_us of extra latency for the first
 * packet after a quiet spell.
 *
 * Thread-safety: each worker runs this on its own lcore with its own
 * struct vs_worker; vs_worker_poll() may also be called by a test thread
 * in place of a worker (n_workers 0).
 */
#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_pause.h>

#include "vs_priv.h"

#define IDLE_SLEEP_MIN_US 10

uint32_t
vs_worker_poll(struct vs_worker *w)
{
	/* Pairs with the release store in vs_snap_publish(). */
	const struct vs_snap *snap = __atomic_load_n(&w->vs->snap,
			__ATOMIC_ACQUIRE);
	const struct vs_snap_worker *sw = &snap->wk[w->idx];
	uint32_t total = 0;
	uint16_t i, n, k;

	for (i = 0; i < sw->n_rxq; i++) {
		const struct vs_snap_rxq *rq = &sw->rxq[i];
		struct vs_port_ctr *c = &w->ctr[rq->port_id];
		uint64_t bytes = 0;

		if (!__atomic_load_n(&rq->port->link_up, __ATOMIC_RELAXED))
			continue;
		n = rte_eth_rx_burst(rq->port_id, rq->queue, w->rx, VS_BURST);
		if (n == 0)
			continue;
		for (k = 0; k < n; k++)
			bytes += w->rx[k]->pkt_len;
		vs_ctr_add(&c->rx_packets, n);
		vs_ctr_add(&c->rx_bytes, bytes);
		vs_burst_process(w, snap, rq->port_id, w->rx, n);
		total += n;
	}
	vs_tx_flush_all(w, snap);
	return total;
}

static void
idle_backoff(struct vs_worker *w, uint32_t n)
{
	const struct vs_config *c = &w->vs->cfg;

	if (n != 0) {
		w->empty_polls = 0;
		w->sleep_us = 0;
		return;
	}
	if (!c->idle_backoff || ++w->empty_polls < c->idle_polls) {
		rte_pause();
		return;
	}
	w->sleep_us = RTE_MIN(w->sleep_us == 0 ? IDLE_SLEEP_MIN_US :
			w->sleep_us * 2, RTE_MAX(c->idle_sleep_max_us, 1u));
	rte_rcu_qsbr_thread_offline(w->vs->qsv, w->idx);
	rte_delay_us_sleep(w->sleep_us);
	rte_rcu_qsbr_thread_online(w->vs->qsv, w->idx);
}

int
vs_worker_main(void *arg)
{
	struct vs_worker *w = arg;
	struct vs *vs = w->vs;

	rte_rcu_qsbr_thread_register(vs->qsv, w->idx);
	rte_rcu_qsbr_thread_online(vs->qsv, w->idx);
	while (!__atomic_load_n(&vs->stop, __ATOMIC_RELAXED)) {
		uint32_t n = vs_worker_poll(w);

		rte_rcu_qsbr_quiescent(vs->qsv, w->idx);
		idle_backoff(w, n);
	}
	rte_rcu_qsbr_thread_offline(vs->qsv, w->idx);
	rte_rcu_qsbr_thread_unregister(vs->qsv, w->idx);
	return 0;
}
