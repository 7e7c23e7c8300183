/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vs_dlog.c: denied packets, as the control thread sees them: the denial
 * log and the policy counters.
 *
 * Workers never format: the conntrack stage pushes a small binary record
 * (struct vs_dlog_rec: reason, sides, 5-tuple, port, endpoint) onto its
 * own single-producer/single-consumer rte_ring and drops it (counting)
 * when the ring is full. vs_housekeeping() drains every ring, names the
 * port and the endpoint, keeps the newest cfg.ct.log_buffer records in a
 * circular buffer for `npvsctl log` (vs_deny_log), and writes at most
 * cfg.ct.log_rate lines per second to the log (a token bucket; the rest
 * are counted as suppressed).
 *
 * Counters: each worker counts allowed packets per rule (verdict = origin
 * index) and denied packets per (direction, local endpoint); a deny has no
 * rule, it is the absence of one. vs_rule_stats/vs_deny_stats sum them.
 *
 * Thread-safety: control thread only (the rings' single consumer).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <arpa/inet.h>

#include <rte_cycles.h>
#include <rte_lcore.h>
#include <rte_ring.h>
#include <rte_ring_elem.h>

#include "acl_ruleset.h"
#include "vs_log.h"
#include "vs_priv.h"

#define DLOG_RING 1024          /* records per worker ring */
#define DLOG_DRAIN_MAX 256      /* records per worker per housekeeping */

struct vs_dlog {
	struct vs_deny_entry *buf;      /* [size], circular */
	uint32_t size;
	uint64_t seq;                   /* last sequence number given */
	uint64_t suppressed;            /* not logged: rate limit */
	double tokens;
	uint64_t refill_tsc;
	uint64_t tsc0;                  /* tsc at wall0_ms */
	int64_t wall0_ms;
};

static int64_t
wall_ms(void)
{
	struct timeval tv;

	gettimeofday(&tv, NULL);
	return (int64_t)tv.tv_sec * 1000 + tv.tv_usec / 1000;
}

int
vs_dlog_create(struct vs *vs, char *err, size_t errlen)
{
	struct vs_dlog *d = calloc(1, sizeof(*d));
	char name[RTE_RING_NAMESIZE];
	unsigned int i;

	if (d == NULL)
		goto err_mem;
	vs->dlog = d;
	d->size = RTE_MAX(vs->cfg.ct.log_buffer, 1u);
	d->buf = calloc(d->size, sizeof(*d->buf));
	if (d->buf == NULL)
		goto err_mem;
	d->tsc0 = rte_get_tsc_cycles();
	d->wall0_ms = wall_ms();
	d->refill_tsc = d->tsc0;
	d->tokens = vs->cfg.ct.log_rate;
	for (i = 0; i < vs->n_wk; i++) {
		snprintf(name, sizeof(name), "vs_dlog_w%u", i);
		vs->wk[i]->ct.dlog = rte_ring_create_elem(name,
				sizeof(struct vs_dlog_rec), DLOG_RING,
				(int)rte_socket_id(), RING_F_SP_ENQ | RING_F_SC_DEQ);
		if (vs->wk[i]->ct.dlog == NULL)
			goto err_mem;
	}
	return 0;

err_mem:
	snprintf(err, errlen, "no memory for the denial log");
	return -ENOMEM;
}

void
vs_dlog_free(struct vs *vs)
{
	unsigned int i;

	for (i = 0; i < vs->n_wk; i++) {
		if (vs->wk[i] == NULL)
			continue;
		rte_ring_free(vs->wk[i]->ct.dlog);
		vs->wk[i]->ct.dlog = NULL;
	}
	if (vs->dlog != NULL)
		free(vs->dlog->buf);
	free(vs->dlog);
	vs->dlog = NULL;
}

static void
ip_set(struct vs_ip *ip, uint8_t family, const uint8_t *a)
{
	memset(ip, 0, sizeof(*ip));
	ip->family = family;
	memcpy(ip->addr, a, family == AF_INET ? 4 : 16);
}

/* A record made readable: names of its port and endpoint. */
static void
entry_fill(struct vs *vs, const struct vs_dlog_rec *r, struct vs_deny_entry *o)
{
	struct vs_dlog *d = vs->dlog;
	const struct vs_port *p = r->in_port < VS_PORTS_MAX && vs->snap ?
			vs->snap->port[r->in_port] : NULL;
	int64_t dt = (int64_t)((r->tsc - d->tsc0) * 1000 / rte_get_tsc_hz());

	memset(o, 0, sizeof(*o));
	o->seq = ++d->seq;
	o->time_ms = d->wall0_ms + (r->tsc >= d->tsc0 ? dt : 0);
	ip_set(&o->src, r->family, r->src);
	ip_set(&o->dst, r->family, r->dst);
	o->sport = rte_be_to_cpu_16(r->sport);
	o->dport = rte_be_to_cpu_16(r->dport);
	o->proto = r->proto;
	o->reason = r->reason;
	o->dir = r->dir;
	if (p != NULL)
		snprintf(o->port, sizeof(o->port), "%s", p->spec.name);
	if (r->ep < VS_EP_MAX && vs->eps[r->ep].used)
		snprintf(o->ep, sizeof(o->ep), "%s/%s", vs->eps[r->ep].spec.ns,
				vs->eps[r->ep].spec.name);
}

static const char *
proto_name(uint8_t p)
{
	switch (p) {
	case IPPROTO_TCP: return "tcp";
	case IPPROTO_UDP: return "udp";
	case IPPROTO_SCTP: return "sctp";
	case IPPROTO_ICMP: return "icmp";
	default: return "ip";
	}
}

static void
entry_log(const struct vs_deny_entry *o)
{
	char s[INET6_ADDRSTRLEN], t[INET6_ADDRSTRLEN];
	static const char *const sides[] = { "", " (egress)", " (ingress)",
		" (egress, ingress)" };

	inet_ntop(o->src.family, o->src.addr, s, sizeof(s));
	inet_ntop(o->dst.family, o->dst.addr, t, sizeof(t));
	VS_LOG(NOTICE, "denied %s %s:%u -> %s:%u on %s: %s%s%s%s\n",
			proto_name(o->proto), s, o->sport, t, o->dport,
			o->port[0] ? o->port : "?", vs_drop_name(o->reason),
			sides[o->dir & 3], o->ep[0] ? " by " : "", o->ep);
}

/* May one more line be logged now? A token bucket of log_rate per s. */
static bool
rate_ok(struct vs *vs, uint64_t now)
{
	struct vs_dlog *d = vs->dlog;
	double rate = vs->cfg.ct.log_rate;

	d->tokens += (double)(now - d->refill_tsc) * rate / rte_get_tsc_hz();
	d->refill_tsc = now;
	if (d->tokens > rate)
		d->tokens = rate;
	if (d->tokens >= 1.0) {
		d->tokens -= 1.0;
		return true;
	}
	d->suppressed++;
	return false;
}

void
vs_dlog_drain(struct vs *vs)
{
	struct vs_dlog_rec r[32];
	struct vs_dlog *d = vs->dlog;
	uint64_t now = rte_get_tsc_cycles();
	unsigned int i, n, k, total;

	if (d == NULL)
		return;
	for (i = 0; i < vs->n_wk; i++) {
		struct rte_ring *ring = vs->wk[i]->ct.dlog;

		for (total = 0; total < DLOG_DRAIN_MAX; total += n) {
			n = rte_ring_dequeue_burst_elem(ring, r, sizeof(r[0]),
					RTE_DIM(r), NULL);
			if (n == 0)
				break;
			for (k = 0; k < n; k++) {
				struct vs_deny_entry *o =
						&d->buf[(d->seq) % d->size];

				entry_fill(vs, &r[k], o);
				if (rate_ok(vs, now))
					entry_log(o);
			}
		}
	}
}

void
vs_dlog_info(struct vs *vs, struct vs_ct_info *out)
{
	if (vs->dlog != NULL)
		out->log_suppressed = vs->dlog->suppressed;
}

uint32_t
vs_deny_log(struct vs *vs, uint64_t after, struct vs_deny_entry *out,
		uint32_t max)
{
	const struct vs_dlog *d = vs->dlog;
	uint64_t first, s;
	uint32_t n = 0;

	if (d == NULL || max == 0)
		return 0;
	/* Entries seq - size + 1 .. seq are in the buffer. */
	first = d->seq > d->size ? d->seq - d->size + 1 : 1;
	if (first <= after)
		first = after + 1;
	if (d->seq >= first && d->seq - first + 1 > max)
		first = d->seq - max + 1;
	for (s = first; s <= d->seq; s++)
		out[n++] = d->buf[(s - 1) % d->size];
	return n;
}

/* ---- counters ---- */

void
vs_rule_ref_fill(struct vs_rule_ref *r, const struct acl_origin *o)
{
	memset(r, 0, sizeof(*r));
	snprintf(r->policy_ns, sizeof(r->policy_ns), "%s", o->policy_ns);
	snprintf(r->policy_name, sizeof(r->policy_name), "%s", o->policy_name);
	r->dir = o->dir == ACL_DIR_EGRESS ? VS_DIR_EGRESS : VS_DIR_INGRESS;
	r->rule = o->rule;
	r->peer = o->peer;
	r->port = o->port;
}

uint32_t
vs_rule_stats(struct vs *vs, struct vs_rule_ctr *out, uint32_t max)
{
	const struct acl_ruleset *rs = vs_policy_get(vs);
	struct acl_ruleset_stats st;
	uint32_t v, i, n = 0;

	acl_ruleset_get_stats(rs, &st);
	for (v = 1; v <= st.n_origins; v++) {
		const struct acl_origin *o = acl_ruleset_origin(rs, v);
		uint64_t sum = 0;

		if (o == NULL)
			continue;
		for (i = 0; i < vs->n_wk && v < VS_RULES_MAX; i++)
			sum += vs_ctr_get(&vs->wk[i]->ct.rule_allowed[v]);
		if (n < max) {
			out[n].verdict = v;
			vs_rule_ref_fill(&out[n].rule, o);
			out[n].packets = sum;
		}
		n++;
	}
	return n;
}

uint32_t
vs_deny_stats(struct vs *vs, struct vs_deny_ctr *out, uint32_t max)
{
	uint32_t id, i, n = 0;
	int d;

	for (id = 0; id < VS_EP_MAX; id++) {
		if (!vs->eps[id].used)
			continue;
		for (d = 0; d < 2; d++) {
			uint64_t sum = 0;

			for (i = 0; i < vs->n_wk; i++)
				sum += vs_ctr_get(&vs->wk[i]->ct.ep_denied[
						d * VS_EP_MAX + id]);
			if (sum == 0)
				continue;
			if (n < max) {
				memset(&out[n], 0, sizeof(out[n]));
				snprintf(out[n].ns, sizeof(out[n].ns), "%s",
						vs->eps[id].spec.ns);
				snprintf(out[n].name, sizeof(out[n].name), "%s",
						vs->eps[id].spec.name);
				out[n].dir = (uint8_t)d;
				out[n].packets = sum;
			}
			n++;
		}
	}
	return n;
}
