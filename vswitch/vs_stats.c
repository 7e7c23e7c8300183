/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vs_stats.c: counters as the control thread sees them: sums over the
 * workers' own counters (each written by its worker only, vs_priv.h).
 * Nothing here writes a counter; a port's numbers start from the baseline
 * taken when it was added, because ethdev port ids are reused.
 *
 * Thread-safety: control thread; reads race benignly with the workers'
 * relaxed stores (a sum may miss the packets of the current burst).
 */
#include <string.h>

#include "vs_priv.h"

static const char *const drop_names[VS_DROP_MAX] = {
#define VS_DROP_NAME(sym, str) [VS_DROP_##sym] = str,
	VS_DROP_REASONS(VS_DROP_NAME)
#undef VS_DROP_NAME
};

const char *
vs_drop_name(enum vs_drop d)
{
	return (unsigned int)d < VS_DROP_MAX ? drop_names[d] : "unknown";
}

void
vs_drop_stats(struct vs *vs, uint64_t out[VS_DROP_MAX])
{
	unsigned int i, d;

	memset(out, 0, VS_DROP_MAX * sizeof(out[0]));
	for (i = 0; i < vs->n_wk; i++)
		for (d = 0; d < VS_DROP_MAX; d++)
			out[d] += vs_ctr_get(&vs->wk[i]->drops[d]);
}

void
vs_port_stats_sum(struct vs *vs, uint16_t port_id, struct vs_port_stats *out)
{
	unsigned int i;

	memset(out, 0, sizeof(*out));
	if (port_id >= VS_PORTS_MAX)
		return;
	for (i = 0; i < vs->n_wk; i++) {
		const struct vs_port_ctr *c = &vs->wk[i]->ctr[port_id];

		out->rx_packets += vs_ctr_get(&c->rx_packets);
		out->rx_bytes += vs_ctr_get(&c->rx_bytes);
		out->tx_packets += vs_ctr_get(&c->tx_packets);
		out->tx_bytes += vs_ctr_get(&c->tx_bytes);
		out->tx_full += vs_ctr_get(&c->tx_full);
		out->rx_truncated += vs_ctr_get(&c->rx_truncated);
		out->tx_frags += vs_ctr_get(&c->tx_frags);
	}
}
