/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vs_ct.c: the connection table, control side (vs_ct.h): creation with
 * the per-worker state, configuration defaults, reclaiming expired
 * entries, listing (vs_flow_list) and figures (vs_ct_info).
 *
 * Reclaim: every vs_housekeeping() call examines CT_RECLAIM_SLICE slots
 * from a cursor that goes round the entry array, and deletes the entries
 * idle longer than their state's timeout plus CT_RECLAIM_MARGIN_S
 * (rte_hash_del_key; the slot returns to the free list after a grace
 * period, through rte_hash's RCU defer queue on vs->qsv). The margin keeps
 * the control thread off entries a worker may be reusing in place (a
 * worker treats an entry past its timeout as gone, vs_ct_stage.c).
 *
 * Listing scans the same array while workers run: entries are read field
 * by field (relaxed), so one entry may be caught mid-update; the list is
 * not a snapshot of the table (docs/api.md, "flows").
 *
 * Thread-safety: control thread only.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_hash.h>
#include <rte_hash_crc.h>
#include <rte_lcore.h>
#include <rte_malloc.h>

#include "vs_log.h"
#include "vs_priv.h"

#define CT_MIN_ENTRIES 64

static const char *const state_names[CT_ST_MAX] = {
	[CT_ST_NONE] = "none",
	[CT_ST_SYN_SENT] = "SYN_SENT",
	[CT_ST_SYN_RECV] = "SYN_RECV",
	[CT_ST_ESTABLISHED] = "ESTABLISHED",
	[CT_ST_FIN_WAIT] = "FIN_WAIT",
	[CT_ST_CLOSED] = "CLOSED",
	[CT_ST_UDP] = "UDP",
	[CT_ST_SCTP] = "SCTP",
	[CT_ST_ICMP] = "ICMP",
};

const char *
vs_ct_state_name(uint8_t st)
{
	return st < CT_ST_MAX ? state_names[st] : "?";
}

void
vs_ct_config_defaults(struct vs_ct_config *c)
{
	c->max = 131072;
	c->recheck_flows = true;
	c->tcp_loose = false;
	c->tcp_syn = 30;
	c->tcp_established = 21600;
	c->tcp_fin = 30;
	c->tcp_closed = 10;
	c->udp = 60;
	c->sctp = 300;
	c->icmp = 30;
	c->frag_max = 1024;
	c->frag_timeout = 5;
	c->log_rate = 20;
	c->log_buffer = 1024;
}

static void
timeouts_set(struct vs_ct *ct, const struct vs_ct_config *c)
{
	uint64_t hz = rte_get_tsc_hz();

	ct->to_tsc[CT_ST_NONE] = 0;
	ct->to_tsc[CT_ST_SYN_SENT] = c->tcp_syn * hz;
	ct->to_tsc[CT_ST_SYN_RECV] = c->tcp_syn * hz;
	ct->to_tsc[CT_ST_ESTABLISHED] = c->tcp_established * hz;
	ct->to_tsc[CT_ST_FIN_WAIT] = c->tcp_fin * hz;
	ct->to_tsc[CT_ST_CLOSED] = c->tcp_closed * hz;
	ct->to_tsc[CT_ST_UDP] = c->udp * hz;
	ct->to_tsc[CT_ST_SCTP] = c->sctp * hz;
	ct->to_tsc[CT_ST_ICMP] = c->icmp * hz;
	ct->frag_to_tsc = c->frag_timeout * hz;
	ct->margin_tsc = CT_RECLAIM_MARGIN_S * hz;
	/* About a millisecond: timeouts are whole seconds. */
	ct->ts_grain = hz >> 10;
}

static int
config_check(const struct vs_ct_config *c, char *err, size_t errlen)
{
	if (c->max == 0 || c->max > (1u << 26)) {
		snprintf(err, errlen, "conntrack.max must be 1 to %u", 1u << 26);
		return -EINVAL;
	}
	if (c->frag_max == 0 || c->frag_max > (1u << 20)) {
		snprintf(err, errlen, "conntrack.fragments must be 1 to %u",
				1u << 20);
		return -EINVAL;
	}
	if (c->tcp_syn == 0 || c->tcp_established == 0 || c->tcp_fin == 0 ||
			c->tcp_closed == 0 || c->udp == 0 || c->sctp == 0 ||
			c->icmp == 0 || c->frag_timeout == 0) {
		snprintf(err, errlen, "conntrack timeouts must be at least 1 s");
		return -EINVAL;
	}
	return 0;
}

static int
table_create(struct vs *vs, struct vs_ct *ct)
{
	struct rte_hash_parameters hp = {
		.name = "vs_ct",
		.entries = RTE_MAX(ct->max, (uint32_t)CT_MIN_ENTRIES),
		.key_len = sizeof(struct ct_key),
		/* The workers hash keys themselves (vs_ct.h) */
		.hash_func = rte_hash_crc,
		.hash_func_init_val = VS_CT_HASH_INIT,
		.socket_id = (int)rte_socket_id(),
		.extra_flag = RTE_HASH_EXTRA_FLAGS_RW_CONCURRENCY_LF |
			RTE_HASH_EXTRA_FLAGS_MULTI_WRITER_ADD |
			RTE_HASH_EXTRA_FLAGS_EXT_TABLE,
	};
	struct rte_hash_rcu_config rc = {
		.v = vs->qsv,
		.mode = RTE_HASH_QSBR_MODE_DQ,
	};
	int32_t max_id;

	ct->h = rte_hash_create(&hp);
	if (ct->h == NULL)
		return -rte_errno;
	if (rte_hash_rcu_qsbr_add(ct->h, &rc) != 0)
		return -rte_errno;
	max_id = rte_hash_max_key_id(ct->h);
	if (max_id < 0)
		return -EINVAL;
	ct->n_slots = (uint32_t)max_id + 1;
	ct->e = rte_zmalloc("vs_ct_entries",
			(size_t)ct->n_slots * sizeof(*ct->e), RTE_CACHE_LINE_SIZE);
	return ct->e == NULL ? -ENOMEM : 0;
}

static int
worker_state_create(struct vs *vs, struct vs_worker *w)
{
	struct vs_ct_wk *cw = &w->ct;

	cw->rule_allowed = rte_zmalloc("vs_rule_ctr",
			VS_RULES_MAX * sizeof(uint64_t), RTE_CACHE_LINE_SIZE);
	cw->ep_denied = rte_zmalloc("vs_deny_ctr",
			2 * VS_EP_MAX * sizeof(uint64_t), RTE_CACHE_LINE_SIZE);
	cw->epc = rte_zmalloc("vs_ep_cache",
			VS_EP_MAX * sizeof(*cw->epc), RTE_CACHE_LINE_SIZE);
	if (cw->rule_allowed == NULL || cw->ep_denied == NULL ||
			cw->epc == NULL)
		return -ENOMEM;
	return vs_frag_create(cw, w->idx, vs->cfg.ct.frag_max);
}

int
vs_ct_create(struct vs *vs, char *err, size_t errlen)
{
	struct vs_ct *ct;
	unsigned int i;
	int rc;

	rc = config_check(&vs->cfg.ct, err, errlen);
	if (rc < 0)
		return rc;
	ct = rte_zmalloc("vs_ct", sizeof(*ct), RTE_CACHE_LINE_SIZE);
	if (ct == NULL) {
		snprintf(err, errlen, "no memory for the connection table");
		return -ENOMEM;
	}
	vs->ct = ct;
	ct->max = vs->cfg.ct.max;
	timeouts_set(ct, &vs->cfg.ct);
	rc = table_create(vs, ct);
	if (rc < 0) {
		snprintf(err, errlen, "cannot create a connection table of %u "
				"flows: %s", ct->max, rte_strerror(-rc));
		return rc;
	}
	for (i = 0; i < vs->n_wk; i++) {
		rc = worker_state_create(vs, vs->wk[i]);
		if (rc < 0) {
			snprintf(err, errlen, "worker %u: conntrack state: %s", i,
					rte_strerror(-rc));
			return rc;
		}
	}
	return 0;
}

void
vs_ct_free(struct vs *vs)
{
	unsigned int i;

	for (i = 0; i < vs->n_wk; i++) {
		struct vs_ct_wk *cw;

		if (vs->wk[i] == NULL)
			continue;
		cw = &vs->wk[i]->ct;
		vs_frag_free(cw);
		rte_free(cw->rule_allowed);
		rte_free(cw->ep_denied);
		rte_free(cw->epc);
		cw->rule_allowed = cw->ep_denied = NULL;
		cw->epc = NULL;
	}
	if (vs->ct == NULL)
		return;
	rte_hash_free(vs->ct->h);
	rte_free(vs->ct->e);
	rte_free(vs->ct);
	vs->ct = NULL;
}

/* Is entry e, last seen at last, past its timeout (plus margin)? */
static bool
expired(const struct vs_ct *ct, uint16_t st, uint64_t last, uint64_t now,
		uint64_t margin)
{
	return now > last && now - last > vs_ct_timeout(ct, CT_ST(st)) + margin;
}

static void
entry_delete(struct vs_ct *ct, uint32_t pos)
{
	struct ct_entry *e = &ct->e[pos];
	int32_t rc = rte_hash_del_key(ct->h, &e->key);

	if (rc != (int32_t)pos)
		VS_LOG(WARNING, "conntrack: slot %u: delete gave %d\n", pos, rc);
	/* Pairs with the acquire load in the stage and in listing. */
	__atomic_store_n(&e->in_use, CT_FREE, __ATOMIC_RELEASE);
	__atomic_fetch_sub(&ct->count, 1, __ATOMIC_RELAXED);
}

void
vs_ct_reclaim(struct vs *vs, uint64_t now)
{
	struct vs_ct *ct = vs->ct;
	uint32_t i, pos;

	if (ct == NULL)
		return;
	for (i = 0; i < CT_RECLAIM_SLICE && i < ct->n_slots; i++) {
		struct ct_entry *e;

		pos = ct->cursor;
		ct->cursor = pos + 1 < ct->n_slots ? pos + 1 : 0;
		e = &ct->e[pos];
		if (__atomic_load_n(&e->in_use, __ATOMIC_ACQUIRE) != CT_READY)
			continue;
		if (expired(ct, __atomic_load_n(&e->st, __ATOMIC_RELAXED),
				__atomic_load_n(&e->last_tsc, __ATOMIC_RELAXED),
				now, ct->margin_tsc))
			entry_delete(ct, pos);
	}
}

void
vs_ct_key_make(struct ct_key *k, uint8_t family, const uint8_t *src,
		const uint8_t *dst, rte_be16_t sport, rte_be16_t dport,
		uint8_t proto, uint8_t *from_a)
{
	bool a_src;
	int c;

	if (family == AF_INET) {
		rte_be32_t s4, d4;

		memcpy(&s4, src, 4);
		memcpy(&d4, dst, 4);
		vs_ct_key4_make(k, s4, d4, sport, dport, proto, from_a);
		return;
	}
	c = memcmp(src, dst, 16);
	a_src = c < 0 || (c == 0 &&
			rte_be_to_cpu_16(sport) <= rte_be_to_cpu_16(dport));
	memset(k, 0, sizeof(*k));
	memcpy(k->a, a_src ? src : dst, 16);
	memcpy(k->b, a_src ? dst : src, 16);
	k->ap = a_src ? sport : dport;
	k->bp = a_src ? dport : sport;
	k->proto = proto;
	k->family = family;
	*from_a = a_src;
}

void
vs_ct_flush(struct vs *vs)
{
	uint32_t pos;

	if (vs->ct == NULL)
		return;
	for (pos = 0; pos < vs->ct->n_slots; pos++)
		if (__atomic_load_n(&vs->ct->e[pos].in_use, __ATOMIC_ACQUIRE) ==
				CT_READY)
			entry_delete(vs->ct, pos);
}

/* ---- listing ---- */

static void
ip_set(struct vs_ip *ip, uint8_t family, const uint8_t *a)
{
	memset(ip, 0, sizeof(*ip));
	ip->family = family;
	memcpy(ip->addr, a, family == AF_INET ? 4 : 16);
}

static bool
ip_match(const struct vs_ip *want, const struct vs_ip *got)
{
	size_t len = want->family == AF_INET ? 4 : 16;

	return want->family == 0 || (want->family == got->family &&
			memcmp(want->addr, got->addr, len) == 0);
}

/* Fill o from e (read racily, see the file comment). */
static void
flow_fill(struct vs *vs, const struct ct_entry *e, uint64_t now,
		struct vs_flow_info *o)
{
	const struct vs_ct *ct = vs->ct;
	uint16_t st = __atomic_load_n(&e->st, __ATOMIC_RELAXED);
	uint64_t last = __atomic_load_n(&e->last_tsc, __ATOMIC_RELAXED);
	uint64_t hz = rte_get_tsc_hz(), to = vs_ct_timeout(ct, CT_ST(st));
	bool orig_a = CT_FL(st) & CT_F_ORIG_A;
	const struct ct_key *k = &e->key;
	const struct vs_port *p;
	int d;

	memset(o, 0, sizeof(*o));
	ip_set(&o->src, k->family, orig_a ? k->a : k->b);
	ip_set(&o->dst, k->family, orig_a ? k->b : k->a);
	o->sport = rte_be_to_cpu_16(orig_a ? k->ap : k->bp);
	o->dport = rte_be_to_cpu_16(orig_a ? k->bp : k->ap);
	o->proto = k->proto;
	snprintf(o->state, sizeof(o->state), "%s", vs_ct_state_name(CT_ST(st)));
	o->denied = CT_FL(st) & CT_F_DENIED;
	o->stale = __atomic_load_n(&e->pol_gen, __ATOMIC_RELAXED) != vs->pol_gen;
	o->age_s = now > e->created_tsc ? (now - e->created_tsc) / hz : 0;
	o->idle_s = now > last ? (now - last) / hz : 0;
	o->expires_s = now > last && now - last > to ? 0 :
			(uint32_t)((last + to - RTE_MIN(now, last)) / hz);
	for (d = 0; d < 2; d++) {
		o->packets[d] = __atomic_load_n(&e->pkts[d], __ATOMIC_RELAXED);
		o->bytes[d] = __atomic_load_n(&e->bytes[d], __ATOMIC_RELAXED);
		o->verdict[d] = __atomic_load_n(&e->verdict[d], __ATOMIC_RELAXED);
	}
	p = e->in_port < VS_PORTS_MAX && vs->snap != NULL ?
			vs->snap->port[e->in_port] : NULL;
	if (p != NULL)
		snprintf(o->in_port, sizeof(o->in_port), "%s", p->spec.name);
}

static bool
flow_match(const struct vs_flow_filter *f, const struct vs_flow_info *o)
{
	if (f == NULL)
		return true;
	if (f->proto != 0 && f->proto != o->proto)
		return false;
	if (f->src.family != 0 && !ip_match(&f->src, &o->src) &&
			!ip_match(&f->src, &o->dst))
		return false;
	if (f->dst.family != 0 && !ip_match(&f->dst, &o->src) &&
			!ip_match(&f->dst, &o->dst))
		return false;
	return true;
}

uint32_t
vs_flow_list(struct vs *vs, const struct vs_flow_filter *f,
		struct vs_flow_info *out, uint32_t max)
{
	const struct vs_ct *ct = vs->ct;
	uint64_t now = rte_get_tsc_cycles();
	struct vs_flow_info o;
	uint32_t pos, n = 0;

	if (ct == NULL)
		return 0;
	for (pos = 0; pos < ct->n_slots; pos++) {
		const struct ct_entry *e = &ct->e[pos];

		/* Pairs with the release store in the stage's admit. */
		if (__atomic_load_n(&e->in_use, __ATOMIC_ACQUIRE) != CT_READY)
			continue;
		if (expired(ct, __atomic_load_n(&e->st, __ATOMIC_RELAXED),
				__atomic_load_n(&e->last_tsc, __ATOMIC_RELAXED),
				now, 0))
			continue;       /* gone for the workers already */
		flow_fill(vs, e, now, &o);
		if (!flow_match(f, &o))
			continue;
		if (n < max)
			out[n] = o;
		n++;
	}
	return n;
}

void
vs_ct_info(struct vs *vs, struct vs_ct_info *out)
{
	unsigned int i;

	memset(out, 0, sizeof(*out));
	if (vs->ct == NULL)
		return;
	out->count = __atomic_load_n(&vs->ct->count, __ATOMIC_RELAXED);
	out->max = vs->ct->max;
	for (i = 0; i < vs->n_wk; i++)
		out->log_dropped += vs_ctr_get(&vs->wk[i]->ct.dlog_full);
	vs_dlog_info(vs, out);
}

/** Find the entry of a flow for trace. @return its slot or -ENOENT. */
int32_t
vs_ct_find(struct vs *vs, const struct ct_key *k)
{
	int32_t pos;

	if (vs->ct == NULL)
		return -ENOENT;
	pos = rte_hash_lookup(vs->ct->h, k);
	if (pos < 0 || __atomic_load_n(&vs->ct->e[pos].in_use,
			__ATOMIC_ACQUIRE) != CT_READY)
		return -ENOENT;
	return pos;
}
