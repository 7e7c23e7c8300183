/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ctl_cmds_dp.c: the handlers of trace, flows, log and policy_stats
 * (ctl_cmds_dp.h, docs/api.md). Each validates its args whole, asks the
 * switch (vs_trace, vs_flow_list, vs_deny_log, vs_rule_stats, ...) and
 * turns the answer into JSON; trace also says in words why each side
 * allows or denies, naming the policies that isolate a pod from the
 * store's model (ctl_store_model) when a side denies.
 *
 * Thread-safety: control thread only.
 */
#include "ctl_cmds_dp.h"

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "acl_model.h"
#include "acl_ruleset.h"
#include "ctl_cmds_policy.h"
#include "ctl_store.h"
#include "vs_api.h"

#define FLOWS_DEFAULT 1000
#define FLOWS_MAX 100000
#define LOG_DEFAULT 100
#define LOG_MAX 10000
#define RULES_MAX 65536

static const char *const protos[] = { "tcp", "udp", "sctp", "icmp", NULL };
static const uint8_t proto_nums[] = { IPPROTO_TCP, IPPROTO_UDP,
	IPPROTO_SCTP, IPPROTO_ICMP };

static const char *
proto_name(uint8_t p)
{
	unsigned int i;

	for (i = 0; i < sizeof(proto_nums); i++)
		if (proto_nums[i] == p)
			return protos[i];
	return "ip";
}

/* ---- arguments ---- */

/* An address argument: IPv4 or IPv6 text. 1 present, 0 absent. */
static int
arg_ip(const json_t *args, const char *key, bool required, struct vs_ip *ip,
		struct ctl_err *err)
{
	char s[64], where[64];
	int rc = ctl_arg_str(args, key, required, "0123456789abcdefABCDEF.:",
			s, sizeof(s), err);

	if (rc <= 0)
		return rc;
	memset(ip, 0, sizeof(*ip));
	if (inet_pton(AF_INET, s, ip->addr) == 1)
		ip->family = AF_INET;
	else if (inet_pton(AF_INET6, s, ip->addr) == 1)
		ip->family = AF_INET6;
	if (ip->family != 0)
		return 1;
	snprintf(where, sizeof(where), "/args/%s", key);
	return ctl_err_set(err, EINVAL, where, "'%s' is not an IP address: %s",
			key, s);
}

/* An integer argument in [0, max]. 1 present, 0 absent. */
static int
arg_uint(const json_t *args, const char *key, uint64_t max, uint64_t *out,
		struct ctl_err *err)
{
	return ctl_arg_uint(args, key, 0, max, out, err);
}

static int
arg_proto(const json_t *args, bool required, uint8_t *proto,
		struct ctl_err *err)
{
	unsigned int i;
	int rc = ctl_arg_enum(args, "proto", required, protos, &i, err);

	if (rc == 1)
		*proto = proto_nums[i];
	return rc;
}

static json_t *
ip_json(const struct vs_ip *ip)
{
	char s[INET6_ADDRSTRLEN];

	if (inet_ntop(ip->family, ip->addr, s, sizeof(s)) == NULL)
		return json_null();
	return json_string(s);
}

/* ---- trace ---- */

static json_t *
rule_json(const struct vs_rule_ref *r)
{
	char pol[VS_NS_MAX + VS_POD_MAX + 1];

	snprintf(pol, sizeof(pol), "%s/%s", r->policy_ns, r->policy_name);
	return json_pack("{s:s, s:s, s:i, s:o, s:o}", "policy", pol,
			"direction", r->dir == VS_DIR_EGRESS ? "egress" :
			"ingress", "rule", (json_int_t)r->rule,
			"peer", r->peer == UINT32_MAX ? json_null() :
			json_integer(r->peer),
			"port", r->port == UINT32_MAX ? json_null() :
			json_integer(r->port));
}

/*
 * The policies of the pod's namespace that select it for direction dir,
 * from the store's model, as "ns/a, ns/b"; "" when unknown.
 */
static void
isolating(struct ctl_ctx *ctx, const struct vs_trace_side *s, int dir,
		char *out, size_t size)
{
	struct ctl_store *st = ctl_cmds_store(ctx);
	json_t *warnings = json_array();
	struct acl_model m;
	struct ctl_err err;
	const struct acl_pod *pod = NULL;
	size_t used = 0;
	uint32_t i;

	out[0] = '\0';
	memset(&m, 0, sizeof(m));
	if (st == NULL || warnings == NULL ||
			ctl_store_model(st, ctx->vs, &m, warnings, &err) < 0)
		goto out;
	for (i = 0; i < m.n_pods && pod == NULL; i++)
		if (strcmp(m.pods[i].ns, s->ns) == 0 &&
				strcmp(m.pods[i].name, s->name) == 0)
			pod = &m.pods[i];
	for (i = 0; pod != NULL && i < m.n_policies && used < size; i++) {
		const struct acl_netpol *np = &m.policies[i];
		bool typed = dir == VS_DIR_INGRESS ? np->type_ingress :
				np->type_egress;

		if (!typed || strcmp(np->ns, pod->ns) != 0 ||
				!acl_selector_match(&np->pod_sel, &pod->labels, NULL))
			continue;
		used += (size_t)snprintf(out + used, size - used, "%s%s/%s",
				used ? ", " : "", np->ns, np->name);
	}
out:
	acl_model_clear(&m);
	json_decref(warnings);
}

/* One side as JSON, with a sentence saying why. */
static json_t *
side_json(struct ctl_ctx *ctx, const struct vs_trace_side *s, int dir)
{
	char why[640], pols[512], ep[VS_NS_MAX + VS_POD_MAX + 1] = "";
	json_t *o;

	if (s->local)
		snprintf(ep, sizeof(ep), "%s/%s", s->ns, s->name);
	if (s->verdict == ACL_VERDICT_SELF)
		snprintf(why, sizeof(why), "allowed: a pod's own traffic");
	else if (s->verdict == ACL_VERDICT_UNISOLATED)
		snprintf(why, sizeof(why), "%s", !s->pod ? "not a pod of this "
				"cluster: no policy" : !s->local ?
				"a pod of another node: its node decides" :
				"not isolated");
	else if (s->verdict == ACL_VERDICT_DENY) {
		isolating(ctx, s, dir, pols, sizeof(pols));
		snprintf(why, sizeof(why), "denied: no rule of %s allows",
				pols[0] ? pols : "the policies selecting it");
	} else if (s->has_rule)
		snprintf(why, sizeof(why), "allowed by %s/%s %s rule %u",
				s->rule.policy_ns, s->rule.policy_name,
				dir == VS_DIR_EGRESS ? "egress" : "ingress",
				s->rule.rule);
	else
		snprintf(why, sizeof(why), "allowed (verdict %u)", s->verdict);
	o = json_pack("{s:o, s:b, s:b, s:i, s:b, s:b, s:s}",
			"endpoint", ep[0] ? json_string(ep) : json_null(),
			"pod", s->pod, "local", s->local,
			"identity", (json_int_t)s->identity,
			"isolated", s->group != 0, "allowed", s->allowed,
			"why", why);
	if (o != NULL && s->has_rule)
		json_object_set_new(o, "rule", rule_json(&s->rule));
	return o;
}

static int
trace_args(const json_t *args, struct vs_trace_req *q, struct ctl_err *err)
{
	static const char *const allowed[] = { "src", "dst", "proto", "sport",
		"dport", NULL };
	uint64_t v = 0;
	int rc;

	memset(q, 0, sizeof(*q));
	q->proto = IPPROTO_TCP;
	rc = ctl_args_only(args, allowed, err);
	if (rc == 0)
		rc = arg_ip(args, "src", true, &q->src, err);
	if (rc >= 0)
		rc = arg_ip(args, "dst", true, &q->dst, err);
	if (rc >= 0)
		rc = arg_proto(args, false, &q->proto, err);
	if (rc >= 0 && (rc = arg_uint(args, "sport", 65535, &v, err)) > 0)
		q->sport = (uint16_t)v;
	if (rc >= 0 && (rc = arg_uint(args, "dport", 65535, &v, err)) > 0)
		q->dport = (uint16_t)v;
	if (rc < 0)
		return rc;
	if (q->src.family != q->dst.family)
		return ctl_err_set(err, EINVAL, "/args/dst",
				"'src' and 'dst' must be of one family");
	if (q->proto != IPPROTO_ICMP && q->dport == 0)
		return ctl_err_set(err, EINVAL, "/args/dport",
				"missing argument 'dport'");
	if (q->proto != IPPROTO_ICMP && q->sport == 0)
		q->sport = 40000;       /* any ephemeral port */
	return 0;
}

int
ctl_cmd_trace(struct ctl_ctx *ctx, const json_t *args, json_t *reply,
		struct ctl_err *err)
{
	struct vs_trace_req q;
	struct vs_trace_result r;
	int rc;

	rc = trace_args(args, &q, err);
	if (rc < 0)
		return rc;
	rc = vs_trace(ctx->vs, &q, &r);
	if (rc < 0)
		return ctl_err_set(err, -rc, NULL, "trace failed");
	json_object_set_new(reply, "packet", json_pack("{s:o, s:o, s:s, s:i, "
			"s:i}", "src", ip_json(&q.src), "dst", ip_json(&q.dst),
			"proto", proto_name(q.proto), "sport", (json_int_t)q.sport,
			"dport", (json_int_t)q.dport));
	json_object_set_new(reply, "route", json_pack("{s:b, s:o}", "local",
			r.routed, "port", r.out_port[0] ?
			json_string(r.out_port) : json_null()));
	json_object_set_new(reply, "policy", json_pack("{s:b, s:i}", "present",
			r.policy, "generation", (json_int_t)r.policy_gen));
	json_object_set_new(reply, "egress", side_json(ctx, &r.egress,
			VS_DIR_EGRESS));
	json_object_set_new(reply, "ingress", side_json(ctx, &r.ingress,
			VS_DIR_INGRESS));
	json_object_set_new(reply, "allowed", json_boolean(r.allowed));
	json_object_set_new(reply, "flow", r.flow ?
			json_pack("{s:b, s:s, s:b, s:b}", "exists", 1, "state",
			r.flow_state, "denied", r.flow_denied, "stale",
			r.flow_stale) : json_pack("{s:b}", "exists", 0));
	return 0;
}

/* ---- flows ---- */

static json_t *
flow_json(const struct vs_flow_info *f)
{
	return json_pack("{s:s, s:o, s:i, s:o, s:i, s:s, s:b, s:b, s:i, s:i, "
			"s:i, s:[I, I], s:[I, I], s:s}",
			"proto", proto_name(f->proto),
			"src", ip_json(&f->src), "sport", (json_int_t)f->sport,
			"dst", ip_json(&f->dst), "dport", (json_int_t)f->dport,
			"state", f->state, "denied", f->denied, "stale", f->stale,
			"age_s", (json_int_t)f->age_s,
			"idle_s", (json_int_t)f->idle_s,
			"expires_s", (json_int_t)f->expires_s,
			"packets", (json_int_t)f->packets[0],
			(json_int_t)f->packets[1],
			"bytes", (json_int_t)f->bytes[0], (json_int_t)f->bytes[1],
			"in_port", f->in_port);
}

int
ctl_cmd_flows(struct ctl_ctx *ctx, const json_t *args, json_t *reply,
		struct ctl_err *err)
{
	static const char *const allowed[] = { "src", "dst", "proto", "limit",
		NULL };
	struct vs_flow_filter f;
	struct vs_flow_info *v;
	uint64_t limit = FLOWS_DEFAULT;
	json_t *a;
	uint32_t n, i;
	int rc;

	memset(&f, 0, sizeof(f));
	rc = ctl_args_only(args, allowed, err);
	if (rc == 0)
		rc = arg_ip(args, "src", false, &f.src, err);
	if (rc >= 0)
		rc = arg_ip(args, "dst", false, &f.dst, err);
	if (rc >= 0)
		rc = arg_proto(args, false, &f.proto, err);
	if (rc >= 0)
		rc = arg_uint(args, "limit", FLOWS_MAX, &limit, err);
	if (rc < 0)
		return rc;
	v = calloc(limit ? limit : 1, sizeof(*v));
	a = json_array();
	if (v == NULL || a == NULL) {
		free(v);
		json_decref(a);
		return ctl_err_set(err, ENOMEM, NULL, "out of memory");
	}
	n = vs_flow_list(ctx->vs, &f, v, (uint32_t)limit);
	for (i = 0; i < n && i < limit; i++)
		json_array_append_new(a, flow_json(&v[i]));
	free(v);
	json_object_set_new(reply, "flows", a);
	json_object_set_new(reply, "count", json_integer(n));
	json_object_set_new(reply, "truncated", json_boolean(n > limit));
	return 0;
}

/* ---- log ---- */

static json_t *
deny_json(const struct vs_deny_entry *e)
{
	static const char *const sides[] = { NULL, "egress", "ingress",
		"egress+ingress" };
	char t[96];
	time_t s = (time_t)(e->time_ms / 1000);
	struct tm tm;

	gmtime_r(&s, &tm);
	snprintf(t, sizeof(t), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
			tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
			tm.tm_min, tm.tm_sec, (int)(e->time_ms % 1000));
	return json_pack("{s:I, s:s, s:s, s:s, s:o, s:i, s:o, s:i, s:o, s:o, "
			"s:o}", "seq", (json_int_t)e->seq, "time", t,
			"reason", vs_drop_name((enum vs_drop)e->reason),
			"proto", proto_name(e->proto),
			"src", ip_json(&e->src), "sport", (json_int_t)e->sport,
			"dst", ip_json(&e->dst), "dport", (json_int_t)e->dport,
			"port", e->port[0] ? json_string(e->port) : json_null(),
			"side", sides[e->dir & 3] ? json_string(sides[e->dir & 3]) :
			json_null(),
			"endpoint", e->ep[0] ? json_string(e->ep) : json_null());
}

int
ctl_cmd_log(struct ctl_ctx *ctx, const json_t *args, json_t *reply,
		struct ctl_err *err)
{
	static const char *const allowed[] = { "after", "limit", NULL };
	uint64_t after = 0, limit = LOG_DEFAULT, last = after;
	struct vs_deny_entry *v;
	json_t *a;
	uint32_t n, i;
	int rc;

	rc = ctl_args_only(args, allowed, err);
	if (rc == 0)
		rc = arg_uint(args, "after", INT64_MAX, &after, err);
	if (rc >= 0)
		rc = arg_uint(args, "limit", LOG_MAX, &limit, err);
	if (rc < 0)
		return rc;
	v = calloc(limit ? limit : 1, sizeof(*v));
	a = json_array();
	if (v == NULL || a == NULL) {
		free(v);
		json_decref(a);
		return ctl_err_set(err, ENOMEM, NULL, "out of memory");
	}
	last = after;
	n = vs_deny_log(ctx->vs, after, v, (uint32_t)limit);
	for (i = 0; i < n; i++) {
		json_array_append_new(a, deny_json(&v[i]));
		last = v[i].seq;
	}
	free(v);
	json_object_set_new(reply, "entries", a);
	json_object_set_new(reply, "last_seq", json_integer((json_int_t)last));
	return 0;
}

/* ---- policy_stats ---- */

static json_t *
rules_json(struct ctl_ctx *ctx)
{
	struct vs_rule_ctr *v = calloc(RULES_MAX, sizeof(*v));
	json_t *a = json_array(), *o;
	uint32_t n, i;

	if (v == NULL || a == NULL) {
		free(v);
		json_decref(a);
		return NULL;
	}
	n = vs_rule_stats(ctx->vs, v, RULES_MAX);
	for (i = 0; i < n && i < RULES_MAX; i++) {
		o = rule_json(&v[i].rule);
		if (o == NULL)
			continue;
		json_object_set_new(o, "packets",
				json_integer((json_int_t)v[i].packets));
		json_array_append_new(a, o);
	}
	free(v);
	return a;
}

static json_t *
denied_json(struct ctl_ctx *ctx)
{
	struct vs_deny_ctr *v = calloc(2 * 4096, sizeof(*v));
	char ep[VS_NS_MAX + VS_POD_MAX + 1];
	json_t *a = json_array();
	uint32_t n, i;

	if (v == NULL || a == NULL) {
		free(v);
		json_decref(a);
		return NULL;
	}
	n = vs_deny_stats(ctx->vs, v, 2 * 4096);
	for (i = 0; i < n && i < 2 * 4096; i++) {
		snprintf(ep, sizeof(ep), "%s/%s", v[i].ns, v[i].name);
		json_array_append_new(a, json_pack("{s:s, s:s, s:I}",
				"endpoint", ep, "direction",
				v[i].dir == VS_DIR_EGRESS ? "egress" : "ingress",
				"packets", (json_int_t)v[i].packets));
	}
	free(v);
	return a;
}

int
ctl_cmd_policy_stats(struct ctl_ctx *ctx, const json_t *args, json_t *reply,
		struct ctl_err *err)
{
	static const char *const allowed[] = { NULL };
	struct vs_ct_info ci;
	json_t *rules, *denied;
	int rc;

	rc = ctl_args_only(args, allowed, err);
	if (rc < 0)
		return rc;
	rules = rules_json(ctx);
	denied = denied_json(ctx);
	if (rules == NULL || denied == NULL) {
		json_decref(rules);
		json_decref(denied);
		return ctl_err_set(err, ENOMEM, NULL, "out of memory");
	}
	vs_ct_info(ctx->vs, &ci);
	json_object_set_new(reply, "rules", rules);
	json_object_set_new(reply, "denied", denied);
	json_object_set_new(reply, "conntrack", json_pack("{s:i, s:i, s:I, "
			"s:I}", "flows", (json_int_t)ci.count, "max",
			(json_int_t)ci.max, "log_dropped",
			(json_int_t)ci.log_dropped, "log_suppressed",
			(json_int_t)ci.log_suppressed));
	return 0;
}
