/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vs_frag.c: IPv4 fragments. Only the first fragment of a datagram
 * carries the ports, so only it goes through conntrack and policy; its
 * verdict is remembered in a small per-worker table keyed by (source,
 * destination, IP id, protocol) for cfg.ct.frag_timeout seconds, and the
 * later fragments follow it: forwarded if the first was, else dropped and
 * counted ("fragment"). A later fragment whose first fragment has not
 * been seen (reordered, or seen by another worker) is dropped as well:
 * npvsd does not reassemble. Fragments of one datagram arrive on one
 * queue (the kernel's af_packet fanout hashes them alike; vhost ports
 * have one queue), hence one worker.
 *
 * The table is an rte_hash with no concurrency flags: its worker alone
 * reads and writes it. Entries hold (expiry tsc << 1 | allowed) as their
 * data; expired ones are deleted when met, and by a short sweep (a few
 * entries per recorded first fragment, more when the table is full).
 *
 * Thread-safety: the owning worker only (create/free: control thread,
 * workers stopped or not yet started).
 */
#include <stdio.h>
#include <string.h>

#include <rte_hash.h>
#include <rte_ip.h>
#include <rte_lcore.h>

#include "vs_priv.h"

#define FRAG_SWEEP 8            /* entries examined per recorded first */
#define FRAG_SWEEP_FULL 256     /* ... when the table is full */

struct frag_key {
	rte_be32_t src;
	rte_be32_t dst;
	rte_be16_t id;
	uint8_t proto;
	uint8_t zero;
};

int
vs_frag_create(struct vs_ct_wk *cw, unsigned int idx, uint32_t n)
{
	char name[RTE_HASH_NAMESIZE];
	struct rte_hash_parameters p = {
		.name = name,
		.entries = RTE_MAX(n, 64u),
		.key_len = sizeof(struct frag_key),
		.socket_id = (int)rte_socket_id(),
	};

	snprintf(name, sizeof(name), "vs_frag_w%u", idx);
	cw->frag = rte_hash_create(&p);
	return cw->frag == NULL ? -ENOMEM : 0;
}

void
vs_frag_free(struct vs_ct_wk *cw)
{
	rte_hash_free(cw->frag);
	cw->frag = NULL;
}

static void
key_make(struct frag_key *k, const struct rte_ipv4_hdr *ip)
{
	k->src = ip->src_addr;
	k->dst = ip->dst_addr;
	k->id = ip->packet_id;
	k->proto = ip->next_proto_id;
	k->zero = 0;
}

/* Delete up to max expired entries, from where the last sweep stopped. */
static void
sweep(struct vs_ct_wk *cw, uint64_t now, unsigned int max)
{
	const void *key;
	void *data;
	unsigned int i;

	for (i = 0; i < max; i++) {
		if (rte_hash_iterate(cw->frag, &key, &data, &cw->frag_cursor) < 0) {
			cw->frag_cursor = 0;
			return;
		}
		if (((uintptr_t)data >> 1) <= now)
			rte_hash_del_key(cw->frag, key);
	}
}

void
vs_frag_record(struct vs_ct_wk *cw, const struct vs_ct *ct,
		const struct rte_ipv4_hdr *ip, uint64_t now, bool allowed)
{
	uintptr_t v = (uintptr_t)((now + ct->frag_to_tsc) << 1) | allowed;
	struct frag_key k;

	key_make(&k, ip);
	sweep(cw, now, FRAG_SWEEP);
	if (rte_hash_add_key_data(cw->frag, &k, (void *)v) == -ENOSPC) {
		sweep(cw, now, FRAG_SWEEP_FULL);
		/* Still full: the later fragments will be dropped. */
		rte_hash_add_key_data(cw->frag, &k, (void *)v);
	}
}

bool
vs_frag_allowed(struct vs_ct_wk *cw, const struct rte_ipv4_hdr *ip,
		uint64_t now)
{
	struct frag_key k;
	void *data;

	key_make(&k, ip);
	if (rte_hash_lookup_data(cw->frag, &k, &data) < 0)
		return false;
	if (((uintptr_t)data >> 1) <= now) {
		rte_hash_del_key(cw->frag, &k);
		return false;
	}
	return (uintptr_t)data & 1;
}
