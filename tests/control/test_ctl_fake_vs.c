/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_ctl_fake_vs.c: the fake vs_api.h of test_ctl_fake_vs.h. Same
 * contract as the real one where the commands can tell: -EEXIST for a
 * second port of a name, -ENOENT for deleting what is not there, endpoints
 * replaced by namespace/name, lists that copy at most max entries and
 * return the total.
 */
#include "test_ctl_fake_vs.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acl_ruleset.h"

struct vs *
fake_vs_create(void)
{
	struct vs *vs = calloc(1, sizeof(*vs));

	if (vs != NULL)
		snprintf(vs->cfg.node_name, sizeof(vs->cfg.node_name),
				"node-test");
	return vs;
}

void
fake_vs_free(struct vs *vs)
{
	if (vs != NULL)
		acl_ruleset_free(vs->policy);
	free(vs);
}

const struct vs_config *
vs_get_config(struct vs *vs)
{
	return &vs->cfg;
}

static int
take_failure(struct vs *vs, char *err, size_t errlen)
{
	int rc = vs->fail_next;

	vs->fail_next = 0;
	if (rc != 0)
		snprintf(err, errlen, "fake failure");
	return rc;
}

int
vs_port_add(struct vs *vs, const struct vs_port_spec *spec, char *err,
		size_t errlen)
{
	struct vs_port_info *p;
	uint32_t i;
	int rc;

	vs->calls++;
	vs->last_port = *spec;
	rc = take_failure(vs, err, errlen);
	if (rc != 0)
		return rc;
	for (i = 0; i < vs->n_ports; i++)
		if (strcmp(vs->ports[i].name, spec->name) == 0)
			return -EEXIST;
	if (vs->n_ports == FAKE_PORTS_MAX)
		return -ENOSPC;
	p = &vs->ports[vs->n_ports];
	memset(p, 0, sizeof(*p));
	memcpy(p->name, spec->name, sizeof(p->name));
	p->type = spec->type;
	p->uplink = spec->uplink;
	p->port_id = (uint16_t)(vs->n_ports + 100);
	snprintf(p->detail, sizeof(p->detail), "%s",
			spec->type == VS_PORT_AFPACKET ? spec->iface :
			spec->type == VS_PORT_VHOST ? spec->path :
			spec->devargs);
	p->stats.rx_packets = 1000 + vs->n_ports;
	p->stats.tx_bytes = 5000000000ull + vs->n_ports; /* > 32 bits */
	vs->n_ports++;
	return 0;
}

int
vs_port_del(struct vs *vs, const char *name)
{
	uint32_t i;

	vs->calls++;
	for (i = 0; i < vs->n_ports; i++)
		if (strcmp(vs->ports[i].name, name) == 0) {
			vs->ports[i] = vs->ports[--vs->n_ports];
			return 0;
		}
	return -ENOENT;
}

uint32_t
vs_port_list(struct vs *vs, struct vs_port_info *out, uint32_t max)
{
	memcpy(out, vs->ports, (max < vs->n_ports ? max : vs->n_ports) *
			sizeof(*out));
	return vs->n_ports;
}

int
vs_endpoint_add(struct vs *vs, const struct vs_endpoint_spec *spec,
		char *err, size_t errlen)
{
	struct vs_endpoint_info *e = NULL;
	uint32_t i;
	int rc;

	vs->calls++;
	vs->last_ep = *spec;
	rc = take_failure(vs, err, errlen);
	if (rc != 0)
		return rc;
	for (i = 0; i < vs->n_eps && e == NULL; i++)
		if (strcmp(vs->eps[i].spec.ns, spec->ns) == 0 &&
				strcmp(vs->eps[i].spec.name, spec->name) == 0)
			e = &vs->eps[i];
	if (e == NULL && vs->n_eps == FAKE_EPS_MAX)
		return -ENOSPC;
	if (e == NULL)
		e = &vs->eps[vs->n_eps++];
	memset(e, 0, sizeof(*e));
	e->spec = *spec;
	e->mac_known = spec->has_mac;
	memcpy(e->mac, spec->mac, 6);
	for (i = 0; i < vs->n_ports; i++)
		if (strcmp(vs->ports[i].name, spec->port) == 0)
			e->port_present = true;
	return 0;
}

int
vs_endpoint_del(struct vs *vs, const char *ns, const char *name)
{
	uint32_t i;

	vs->calls++;
	for (i = 0; i < vs->n_eps; i++)
		if (strcmp(vs->eps[i].spec.ns, ns) == 0 &&
				strcmp(vs->eps[i].spec.name, name) == 0) {
			vs->eps[i] = vs->eps[--vs->n_eps];
			return 0;
		}
	return -ENOENT;
}

uint32_t
vs_endpoint_list(struct vs *vs, struct vs_endpoint_info *out, uint32_t max)
{
	memcpy(out, vs->eps, (max < vs->n_eps ? max : vs->n_eps) *
			sizeof(*out));
	return vs->n_eps;
}

const char *
vs_drop_name(enum vs_drop d)
{
	static const char *const names[] = {
#define FAKE_DROP_NAME(sym, str) str,
		VS_DROP_REASONS(FAKE_DROP_NAME)
#undef FAKE_DROP_NAME
	};

	return (unsigned int)d < VS_DROP_MAX ? names[d] : "?";
}

void
vs_drop_stats(struct vs *vs, uint64_t out[VS_DROP_MAX])
{
	memcpy(out, vs->drops, sizeof(vs->drops));
}

int
vs_policy_publish(struct vs *vs, struct acl_ruleset *rs, char *err,
		size_t errlen)
{
	int rc = vs->fail_publish;

	vs->calls++;
	vs->fail_publish = 0;
	if (rc != 0) {
		snprintf(err, errlen, "fake publish failure");
		acl_ruleset_free(rs);   /* ownership passed, also on failure */
		return rc;
	}
	vs->n_publish++;
	acl_ruleset_free(vs->policy);
	vs->policy = rs;
	return 0;
}

const struct acl_ruleset *
vs_policy_get(struct vs *vs)
{
	return vs->policy;
}

/* No measurement in the fake: compiles use acl_compile's default. */
const struct acl_alg_report *
vs_policy_classify(struct vs *vs)
{
	(void)vs;
	return NULL;
}
