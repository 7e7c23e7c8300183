/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * manifest_netpol.c: NetworkPolicy (networking.k8s.io/v1) validation and
 * conversion into struct acl_netpol, following the API server
 * (pkg/apis/networking/validation: ValidateNetworkPolicySpec, ...Port,
 * ...Peer, ValidateIPBlock) with kubectl --validate=strict on top: no
 * unknown field anywhere.
 *
 * Defaulting (pkg/apis/networking/v1/defaults.go): a port's protocol is
 * TCP; with no policyTypes, Ingress always and Egress when there are
 * egress rules.
 *
 * Thread-safety: none; a context belongs to one load.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "manifest_priv.h"

static const char *const np_top[] = { "apiVersion", "kind", "metadata",
	"spec", "status", NULL };
static const char *const np_spec[] = { "podSelector", "ingress", "egress",
	"policyTypes", NULL };
static const char *const np_ingress[] = { "from", "ports", NULL };
static const char *const np_egress[] = { "to", "ports", NULL };
static const char *const np_peer[] = { "podSelector", "namespaceSelector",
	"ipBlock", NULL };
static const char *const np_ipblock[] = { "cidr", "except", NULL };
static const char *const np_port[] = { "protocol", "port", "endPort", NULL };

/* ---- ports ---- */

static int port_protocol(struct manifest_ctx *c, const json_t *pj, struct acl_port *p)
{
	const char *s;
	int rc = manifest_get_str(c, pj, "protocol", &s);

	p->proto = ACL_PROTO_TCP;
	if (rc <= 0)
		return rc;
	p->proto = manifest_proto(s);
	if (p->proto == 0)
		return manifest_fail_at(c, "protocol", "unsupported value \"%s\": " \
				"supported values: \"TCP\", \"UDP\", \"SCTP\"", s);
	return 0;
}

static int port_number(struct manifest_ctx *c, const json_t *pj, struct acl_port *p,
		bool *numeric)
{
	const json_t *v = json_object_get(pj, "port");
	long long n;
	const char *why;
	int rc;

	*numeric = false;
	if (v == NULL || json_is_null(v))
		return 0;
	if (json_is_string(v)) {
		why = manifest_bad_port_name(json_string_value(v));
		if (why != NULL)
			return manifest_fail_at(c, "port", "invalid port name \"%s\": %s",
					json_string_value(v), why);
		p->has_port = true;
		return manifest_strdup(c, json_string_value(v), &p->named_port);
	}
	if ((rc = manifest_get_int(c, pj, "port", &n)) < 0)
		return manifest_fail_at(c, "port", "must be an integer or a string " \
				"(a port name), not %s", manifest_type_name(v));
	if (n < 1 || n > 65535)
		return manifest_fail_at(c, "port", "invalid value %lld: must be " \
				"between 1 and 65535, inclusive", n);
	p->has_port = true;
	p->port = (uint16_t)n;
	*numeric = true;
	return 0;
}

static int port_end(struct manifest_ctx *c, const json_t *pj, struct acl_port *p,
		bool numeric)
{
	long long n;
	int rc = manifest_get_int(c, pj, "endPort", &n);

	if (rc <= 0)
		return rc;
	if (!p->has_port)
		return manifest_fail_at(c, "endPort", "may not be specified when " \
				"`port` is not specified");
	if (!numeric)
		return manifest_fail_at(c, "endPort", "may not be specified when " \
				"`port` is non-numeric (a named port)");
	if (n < p->port)
		return manifest_fail_at(c, "endPort", "invalid value %lld: must be " \
				"greater than or equal to `port` (%u)", n, p->port);
	if (n > 65535)
		return manifest_fail_at(c, "endPort", "invalid value %lld: must be " \
				"between 1 and 65535, inclusive", n);
	p->end_port = (uint16_t)n;
	return 0;
}

static int np_port_conv(struct manifest_ctx *c, const json_t *pj, struct acl_port *p)
{
	bool numeric;
	int rc;

	if (!json_is_object(pj))
		return manifest_fail(c, "must be an object, not %s", manifest_type_name(pj));
	if ((rc = manifest_only(c, pj, np_port)) < 0 ||
			(rc = port_protocol(c, pj, p)) < 0 ||
			(rc = port_number(c, pj, p, &numeric)) < 0)
		return rc;
	return port_end(c, pj, p, numeric);
}

/* ---- peers ---- */

static int ipblock_except(struct manifest_ctx *c, const json_t *ib,
		struct acl_ipblock *b)
{
	const json_t *ex = NULL, *v;
	const char *why;
	size_t i, saved;
	int rc = manifest_get_arr(c, ib, "except", &ex);

	if (rc <= 0 || json_array_size(ex) == 0)
		return rc;
	b->except = calloc(json_array_size(ex), sizeof(*b->except));
	if (b->except == NULL)
		return manifest_nomem(c);
	saved = manifest_push(c, "except");
	json_array_foreach(ex, i, v) {
		size_t s2 = manifest_push_idx(c, i);

		if (!json_is_string(v))
			return manifest_fail(c, "must be a string, not %s", manifest_type_name(v));
		why = manifest_parse_cidr(json_string_value(v), &b->except[i]);
		if (why != NULL)
			return manifest_fail(c, "invalid value \"%s\": %s",
					json_string_value(v), why);
		if (!manifest_prefix_strict_subset(&b->cidr, &b->except[i]))
			return manifest_fail(c, "invalid value \"%s\": must be a strict " \
					"subset of `cidr`", json_string_value(v));
		b->n_except++;
		manifest_pop(c, s2);
	}
	manifest_pop(c, saved);
	return 0;
}

static int ipblock(struct manifest_ctx *c, const json_t *peer, struct acl_peer *p)
{
	const json_t *ib;
	const char *cidr = NULL, *why;
	size_t saved;
	int rc = manifest_get_obj(c, peer, "ipBlock", &ib);

	if (rc <= 0)
		return rc;
	p->has_ipblock = true;
	saved = manifest_push(c, "ipBlock");
	if ((rc = manifest_only(c, ib, np_ipblock)) < 0 ||
			(rc = manifest_get_str(c, ib, "cidr", &cidr)) < 0)
		return rc;
	if (rc == 0 || cidr[0] == '\0')
		return manifest_fail_at(c, "cidr", "required value: a CIDR is required");
	why = manifest_parse_cidr(cidr, &p->ipblock.cidr);
	if (why != NULL)
		return manifest_fail_at(c, "cidr", "invalid value \"%s\": %s", cidr, why);
	if ((rc = ipblock_except(c, ib, &p->ipblock)) < 0)
		return rc;
	manifest_pop(c, saved);
	return 0;
}

static int np_peer_conv(struct manifest_ctx *c, const json_t *pj, struct acl_peer *p)
{
	int rc;

	if (!json_is_object(pj))
		return manifest_fail(c, "must be an object, not %s", manifest_type_name(pj));
	if ((rc = manifest_only(c, pj, np_peer)) < 0)
		return rc;
	if ((rc = manifest_selector(c, pj, "podSelector", &p->pod_sel)) < 0)
		return rc;
	p->has_pod_sel = rc > 0;
	if ((rc = manifest_selector(c, pj, "namespaceSelector", &p->ns_sel)) < 0)
		return rc;
	p->has_ns_sel = rc > 0;
	if ((rc = ipblock(c, pj, p)) < 0)
		return rc;
	if (!p->has_pod_sel && !p->has_ns_sel && !p->has_ipblock)
		return manifest_fail(c, "required value: must specify a peer " \
				"(podSelector, namespaceSelector or ipBlock)");
	if (p->has_ipblock && (p->has_pod_sel || p->has_ns_sel))
		return manifest_fail(c, "forbidden: may not specify both ipBlock and " \
				"another peer");
	return 0;
}

/* ---- rules ---- */

/* Convert the array at key with fn into a calloc'ed array of size each. */
typedef int conv_fn(struct manifest_ctx *c, const json_t *j, void *out);

static int conv_array(struct manifest_ctx *c, const json_t *obj, const char *key,
		size_t size, conv_fn *fn, void **out, uint32_t *n)
{
	const json_t *arr = NULL, *v;
	size_t i, saved;
	int rc = manifest_get_arr(c, obj, key, &arr);

	if (rc <= 0 || json_array_size(arr) == 0)
		return rc;
	*out = calloc(json_array_size(arr), size);
	if (*out == NULL)
		return manifest_nomem(c);
	*n = (uint32_t)json_array_size(arr);
	saved = manifest_push(c, key);
	json_array_foreach(arr, i, v) {
		size_t s2 = manifest_push_idx(c, i);
		/* a null element decodes, in Go, as the zero value: {} */
		json_t *zero = json_is_null(v) ? json_object() : NULL;

		if (json_is_null(v) && zero == NULL)
			return manifest_nomem(c);
		rc = fn(c, zero != NULL ? zero : v, (char *)*out + i * size);
		json_decref(zero);
		if (rc < 0)
			return rc;
		manifest_pop(c, s2);
	}
	manifest_pop(c, saved);
	return 1;
}

static int port_fn(struct manifest_ctx *c, const json_t *j, void *out)
{
	return np_port_conv(c, j, out);
}

static int peer_fn(struct manifest_ctx *c, const json_t *j, void *out)
{
	return np_peer_conv(c, j, out);
}

static int rule_conv(struct manifest_ctx *c, const json_t *rj, bool ingress,
		struct acl_rule *r)
{
	int rc;

	if (!json_is_object(rj))
		return manifest_fail(c, "must be an object, not %s", manifest_type_name(rj));
	if ((rc = manifest_only(c, rj, ingress ? np_ingress : np_egress)) < 0)
		return rc;
	rc = conv_array(c, rj, "ports", sizeof(*r->ports), port_fn,
			(void **)&r->ports, &r->n_ports);
	if (rc < 0)
		return rc;
	rc = conv_array(c, rj, ingress ? "from" : "to", sizeof(*r->peers),
			peer_fn, (void **)&r->peers, &r->n_peers);
	return rc < 0 ? rc : 0;
}

static int ingress_fn(struct manifest_ctx *c, const json_t *j, void *out)
{
	return rule_conv(c, j, true, out);
}

static int egress_fn(struct manifest_ctx *c, const json_t *j, void *out)
{
	return rule_conv(c, j, false, out);
}

/* ---- spec ---- */

static int policy_types(struct manifest_ctx *c, const json_t *spec,
		struct acl_netpol *np)
{
	const json_t *types = NULL, *t;
	size_t i, saved;
	int rc = manifest_get_arr(c, spec, "policyTypes", &types);

	if (rc < 0)
		return rc;
	if (json_array_size(types) == 0) {
		np->type_ingress = true;
		np->type_egress = np->n_egress > 0;
		return 0;
	}
	if (json_array_size(types) > 2)
		return manifest_fail_at(c, "policyTypes", "may not specify more than " \
				"two policyTypes");
	saved = manifest_push(c, "policyTypes");
	json_array_foreach(types, i, t) {
		const char *s = json_is_string(t) ? json_string_value(t) : NULL;
		char idx[24];

		snprintf(idx, sizeof(idx), "%zu", i);
		if (s != NULL && strcmp(s, "Ingress") == 0)
			np->type_ingress = true;
		else if (s != NULL && strcmp(s, "Egress") == 0)
			np->type_egress = true;
		else if (s == NULL)
			return manifest_fail_at(c, idx, "must be a string, not %s",
					manifest_type_name(t));
		else
			return manifest_fail_at(c, idx, "unsupported value \"%s\": " \
					"supported values: \"Ingress\", \"Egress\"", s);
	}
	manifest_pop(c, saved);
	return 0;
}

static int spec_conv(struct manifest_ctx *c, const json_t *spec,
		struct acl_netpol *np)
{
	int rc;

	if ((rc = manifest_only(c, spec, np_spec)) < 0 ||
			(rc = manifest_selector(c, spec, "podSelector", &np->pod_sel)) < 0)
		return rc;
	rc = conv_array(c, spec, "ingress", sizeof(*np->ingress), ingress_fn,
			(void **)&np->ingress, &np->n_ingress);
	if (rc < 0)
		return rc;
	rc = conv_array(c, spec, "egress", sizeof(*np->egress), egress_fn,
			(void **)&np->egress, &np->n_egress);
	if (rc < 0)
		return rc;
	return policy_types(c, spec, np);
}

int manifest_netpol_conv(struct manifest_ctx *c, const json_t *obj, struct acl_netpol *np)
{
	const json_t *spec = NULL, *status;
	struct manifest_meta m;
	size_t saved;
	int rc;

	c->kind = "NetworkPolicy";
	if ((rc = manifest_meta_check(c, obj, true, false, true, &m)) < 0 ||
			(rc = manifest_only(c, obj, np_top)) < 0 ||
			(rc = manifest_get_obj(c, obj, "status", &status)) < 0 ||
			(rc = manifest_get_obj(c, obj, "spec", &spec)) < 0)
		return rc;
	if ((rc = manifest_strdup(c, m.ns, &np->ns)) < 0 ||
			(rc = manifest_strdup(c, m.name, &np->name)) < 0)
		return rc;
	if (spec == NULL) {
		/* no spec: podSelector {} and Ingress, i.e. deny all ingress */
		np->type_ingress = true;
		return 0;
	}
	saved = manifest_push(c, "spec");
	if ((rc = spec_conv(c, spec, np)) < 0)
		return rc;
	manifest_pop(c, saved);
	return 0;
}
