/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vs_trace.c: `npvsctl trace`: one synthetic packet through the live
 * snapshot, decided the way a worker decides a new flow: the route (LPM),
 * both ends looked up in the policy's address table, the same key
 * (vs_ct_acl_key) classified by the same acl_classify() in each
 * direction, and a connection-table lookup with the same canonical key.
 * Nothing is forwarded, created or counted.
 *
 * Thread-safety: control thread (it reads vs->snap, which only this
 * thread replaces).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include <rte_cycles.h>
#include <rte_hash.h>
#include <rte_lpm.h>

#include "acl_fields.h"
#include "acl_ruleset.h"
#include "vs_priv.h"

/* The local endpoint id of an IPv4 address, or VS_NH_MISS. */
static uint32_t
local_id(const struct vs_snap *snap, const struct vs_ip *ip)
{
	uint32_t a, nh;

	if (ip->family != AF_INET)
		return VS_NH_MISS;
	memcpy(&a, ip->addr, 4);
	if (rte_lpm_lookup(snap->routes->lpm, rte_be_to_cpu_32(a), &nh) != 0 ||
			!snap->ep[nh].valid)
		return VS_NH_MISS;
	return nh;
}

static const struct acl_endpoint *
pol_lookup(const struct vs_policy *pol, const struct vs_ip *ip)
{
	uint32_t key[4];        /* hash functions read words */
	void *data;

	memcpy(key, ip->addr, sizeof(key));
	if (pol == NULL || rte_hash_lookup_data(ip->family == AF_INET ?
			pol->ep4 : pol->ep6, key, &data) < 0)
		return NULL;
	return data;
}

static void
side_names(struct vs *vs, struct vs_trace_side *s, uint32_t id,
		const struct acl_endpoint *ep)
{
	s->pod = ep != NULL;
	s->identity = ep != NULL ? ep->identity : ACL_IDENTITY_WORLD;
	if (id == VS_NH_MISS)
		return;
	s->local = true;
	snprintf(s->ns, sizeof(s->ns), "%s", vs->eps[id].spec.ns);
	snprintf(s->name, sizeof(s->name), "%s", vs->eps[id].spec.name);
}

/* One direction: local's rules for the flow (opener src -> peer dst). */
static int
side_classify(const struct vs_policy *pol, struct vs_trace_side *s, int d,
		const struct vs_trace_req *q, const struct acl_endpoint *local,
		const struct acl_endpoint *peer)
{
	uint8_t buf[32] __rte_aligned(8);
	const uint8_t *kp = buf;
	const struct acl_origin *o;
	int rc;

	s->group = local != NULL ? local->group[d] : ACL_GROUP_NONE;
	s->verdict = ACL_VERDICT_UNISOLATED;
	if (pol != NULL && s->group != ACL_GROUP_NONE) {
		vs_ct_acl_key(buf, q->src.family, d, s->group, peer, q->proto,
				q->src.addr, q->dst.addr,
				rte_cpu_to_be_16(q->sport),
				rte_cpu_to_be_16(q->dport));
		rc = acl_classify(pol->rs, (enum acl_dir)d, q->src.family,
				s->group, &kp, &s->verdict, 1);
		if (rc < 0)
			return rc;
	}
	s->allowed = s->verdict != ACL_VERDICT_DENY;
	o = pol != NULL ? acl_ruleset_origin(pol->rs, s->verdict) : NULL;
	if (o != NULL) {
		s->has_rule = true;
		vs_rule_ref_fill(&s->rule, o);
	}
	return 0;
}

/* Is there a live entry for this flow? */
static void
flow_find(struct vs *vs, const struct vs_trace_req *q,
		struct vs_trace_result *r)
{
	rte_be16_t sp = rte_cpu_to_be_16(q->sport);
	rte_be16_t dp = q->proto == IPPROTO_ICMP ? sp :
			rte_cpu_to_be_16(q->dport);
	uint64_t now = rte_get_tsc_cycles(), last;
	const struct ct_entry *e;
	struct ct_key k;
	uint8_t from_a;
	int32_t pos;
	uint16_t st;

	vs_ct_key_make(&k, q->src.family, q->src.addr, q->dst.addr, sp, dp,
			q->proto, &from_a);
	pos = vs_ct_find(vs, &k);
	if (pos < 0)
		return;
	e = &vs->ct->e[pos];
	st = __atomic_load_n(&e->st, __ATOMIC_RELAXED);
	last = __atomic_load_n(&e->last_tsc, __ATOMIC_RELAXED);
	if (now > last && now - last > vs_ct_timeout(vs->ct, CT_ST(st)))
		return;         /* expired: the next packet starts anew */
	r->flow = true;
	snprintf(r->flow_state, sizeof(r->flow_state), "%s",
			vs_ct_state_name(CT_ST(st)));
	r->flow_denied = CT_FL(st) & CT_F_DENIED;
	r->flow_stale = __atomic_load_n(&e->pol_gen, __ATOMIC_RELAXED) !=
			vs->pol_gen;
}

int
vs_trace(struct vs *vs, const struct vs_trace_req *q,
		struct vs_trace_result *r)
{
	const struct vs_snap *snap = vs->snap;
	const struct vs_policy *pol = snap->pol;
	const struct acl_endpoint *se, *de;
	uint32_t sid, did;
	int rc;

	memset(r, 0, sizeof(*r));
	if ((q->src.family != AF_INET && q->src.family != AF_INET6) ||
			q->src.family != q->dst.family)
		return -EINVAL;
	sid = local_id(snap, &q->src);
	did = local_id(snap, &q->dst);
	r->routed = did != VS_NH_MISS;
	if (r->routed && snap->ep[did].port_id != VS_PORT_NONE &&
			snap->port[snap->ep[did].port_id] != NULL)
		snprintf(r->out_port, sizeof(r->out_port), "%s",
				snap->port[snap->ep[did].port_id]->spec.name);
	r->policy = pol != NULL;
	r->policy_gen = snap->pol_gen;
	se = pol_lookup(pol, &q->src);
	de = pol_lookup(pol, &q->dst);
	side_names(vs, &r->egress, sid, se);
	side_names(vs, &r->ingress, did, de);
	r->self = se != NULL && de != NULL && se->pod == de->pod;
	if (r->self) {
		r->egress.verdict = r->ingress.verdict = ACL_VERDICT_SELF;
		r->egress.allowed = r->ingress.allowed = true;
	} else {
		rc = side_classify(pol, &r->egress, ACL_DIR_EGRESS, q, se, de);
		if (rc == 0)
			rc = side_classify(pol, &r->ingress, ACL_DIR_INGRESS, q,
					de, se);
		if (rc < 0)
			return rc;
	}
	r->allowed = r->egress.allowed && r->ingress.allowed;
	flow_find(vs, q, r);
	return 0;
}
