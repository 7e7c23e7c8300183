/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vs_endpoint.c: local endpoints (pods): their addresses, port and MAC.
 *
 * An endpoint's id is its slot in vs->eps; the LPM maps each of its IPv4
 * addresses (/32) to the id, and the snapshot and vs->neigh are indexed
 * by it. An id is reused only after the snapshot without the old
 * endpoint has been published (vs_snap_update waits for the grace
 * period), so no worker can confuse the two. IPv6 addresses are kept
 * (for listing and, later, policy) but not routed yet.
 *
 * Thread-safety: control thread only.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include <rte_ether.h>
#include <rte_ip.h>

#include "vs_log.h"
#include "vs_priv.h"

static int
ep_find(struct vs *vs, const char *ns, const char *name)
{
	uint32_t id;

	for (id = 0; id < VS_EP_MAX; id++)
		if (vs->eps[id].used && strcmp(vs->eps[id].spec.ns, ns) == 0 &&
				strcmp(vs->eps[id].spec.name, name) == 0)
			return (int)id;
	return -ENOENT;
}

static bool
ip_equal(const struct vs_ip *a, const struct vs_ip *b)
{
	size_t len = a->family == AF_INET ? 4 : 16;

	return a->family == b->family && memcmp(a->addr, b->addr, len) == 0;
}

/* Which endpoint other than skip_id owns ip? */
static int
ip_owner(struct vs *vs, const struct vs_ip *ip, int skip_id)
{
	uint32_t id, i;

	for (id = 0; id < VS_EP_MAX; id++) {
		const struct vs_ep *e = &vs->eps[id];

		if (!e->used || (int)id == skip_id)
			continue;
		for (i = 0; i < e->spec.n_ips; i++)
			if (ip_equal(&e->spec.ips[i], ip))
				return (int)id;
	}
	return -ENOENT;
}

/* An IPv4 address a pod may have: unicast, not ours. */
static int
ip4_check(struct vs *vs, const struct vs_ip *ip)
{
	uint32_t a;

	memcpy(&a, ip->addr, 4);
	a = rte_be_to_cpu_32(a);
	/* 224.0.0.0/4 by hand: RTE_IS_IPV4_MCAST shifts a signed int. */
	if (a == 0 || a == UINT32_MAX || (a >> 28) == 0xe)
		return -EINVAL;
	if (vs->cfg.gateway.family == AF_INET && ip_equal(ip, &vs->cfg.gateway))
		return -EADDRINUSE;
	return 0;
}

static int
ips_check(struct vs *vs, const struct vs_endpoint_spec *s, int self,
		char *err, size_t errlen)
{
	uint32_t i;
	int owner;

	if (s->n_ips == 0 || s->n_ips > VS_EP_IPS_MAX) {
		snprintf(err, errlen, "endpoint %s/%s: 1 to %d IPs", s->ns,
				s->name, VS_EP_IPS_MAX);
		return -EINVAL;
	}
	for (i = 0; i < s->n_ips; i++) {
		const struct vs_ip *ip = &s->ips[i];

		if ((ip->family != AF_INET && ip->family != AF_INET6) ||
				(ip->family == AF_INET && ip4_check(vs, ip) < 0)) {
			snprintf(err, errlen, "endpoint %s/%s: ips[%u] is not a "
					"usable pod address", s->ns, s->name, i);
			return -EINVAL;
		}
		owner = ip_owner(vs, ip, self);
		if (owner >= 0) {
			snprintf(err, errlen, "endpoint %s/%s: ips[%u] belongs to "
					"%s/%s", s->ns, s->name, i,
					vs->eps[owner].spec.ns,
					vs->eps[owner].spec.name);
			return -EEXIST;
		}
	}
	return 0;
}

static int
spec_check(struct vs *vs, const struct vs_endpoint_spec *s, int self,
		char *err, size_t errlen)
{
	if (s->ns[0] == '\0' || memchr(s->ns, 0, sizeof(s->ns)) == NULL ||
			s->name[0] == '\0' ||
			memchr(s->name, 0, sizeof(s->name)) == NULL) {
		snprintf(err, errlen, "endpoint needs a namespace and a name");
		return -EINVAL;
	}
	if (s->port[0] == '\0' || memchr(s->port, 0, sizeof(s->port)) == NULL) {
		snprintf(err, errlen, "endpoint %s/%s needs a port", s->ns,
				s->name);
		return -EINVAL;
	}
	if (s->has_mac && (!rte_is_unicast_ether_addr(
			(const struct rte_ether_addr *)s->mac) ||
			rte_is_zero_ether_addr((const struct rte_ether_addr *)s->mac))) {
		snprintf(err, errlen, "endpoint %s/%s: mac must be unicast",
				s->ns, s->name);
		return -EINVAL;
	}
	return ips_check(vs, s, self, err, errlen);
}

static bool
ips_same(const struct vs_endpoint_spec *a, const struct vs_endpoint_spec *b)
{
	uint32_t i;

	if (a->n_ips != b->n_ips)
		return false;
	for (i = 0; i < a->n_ips; i++)
		if (!ip_equal(&a->ips[i], &b->ips[i]))
			return false;
	return true;
}

static int
free_id(struct vs *vs)
{
	uint32_t id;

	for (id = 0; id < VS_EP_MAX; id++)
		if (!vs->eps[id].used)
			return (int)id;
	return -ENOSPC;
}

static uint64_t
neigh_initial(const struct vs_endpoint_spec *s)
{
	return s->has_mac ? vs_neigh_pack(s->mac) : 0;
}

int
vs_endpoint_add(struct vs *vs, const struct vs_endpoint_spec *spec,
		char *err, size_t errlen)
{
	int id = ep_find(vs, spec->ns, spec->name);
	struct vs_ep old;
	bool replace = id >= 0;
	int rc;

	rc = spec_check(vs, spec, id, err, errlen);
	if (rc < 0)
		return rc;
	if (!replace) {
		id = free_id(vs);
		if (id < 0) {
			snprintf(err, errlen, "at most %d endpoints", VS_EP_MAX);
			return id;
		}
	}
	old = vs->eps[id];
	if (!replace || !ips_same(&old.spec, spec))
		vs->routes_dirty = true;
	vs->eps[id].used = true;
	vs->eps[id].spec = *spec;
	if (!replace || spec->has_mac || strcmp(old.spec.port, spec->port) != 0)
		__atomic_store_n(&vs->neigh[id], neigh_initial(spec),
				__ATOMIC_RELAXED);
	if (!replace)
		vs->n_eps++;
	rc = vs_snap_update(vs);
	if (rc < 0) {
		vs->eps[id] = old;
		vs->n_eps -= !replace;
		vs->routes_dirty = true;
		snprintf(err, errlen, "endpoint %s/%s: cannot publish: %s",
				spec->ns, spec->name, strerror(-rc));
		return rc;
	}
	VS_LOG(INFO, "endpoint %s/%s %s on port %s (id %d)\n", spec->ns,
			spec->name, replace ? "replaced" : "added", spec->port, id);
	return 0;
}

int
vs_endpoint_del(struct vs *vs, const char *ns, const char *name)
{
	int id = ep_find(vs, ns, name);
	int rc;

	if (id < 0)
		return -ENOENT;
	vs->eps[id].used = false;
	vs->n_eps--;
	vs->routes_dirty = true;
	rc = vs_snap_update(vs);
	if (rc < 0) {
		vs->eps[id].used = true;
		vs->n_eps++;
		return rc;
	}
	__atomic_store_n(&vs->neigh[id], 0, __ATOMIC_RELAXED);
	VS_LOG(INFO, "endpoint %s/%s removed\n", ns, name);
	return 0;
}

uint32_t
vs_endpoint_list(struct vs *vs, struct vs_endpoint_info *out, uint32_t max)
{
	uint32_t id, n = 0;

	for (id = 0; id < VS_EP_MAX; id++) {
		const struct vs_ep *e = &vs->eps[id];
		uint64_t w;

		if (!e->used)
			continue;
		if (n < max) {
			struct vs_endpoint_info *o = &out[n];

			memset(o, 0, sizeof(*o));
			o->spec = e->spec;
			o->port_present = vs_port_find(vs, e->spec.port) != NULL;
			w = __atomic_load_n(&vs->neigh[id], __ATOMIC_RELAXED);
			o->mac_known = (w & VS_NEIGH_VALID) != 0;
			if (o->mac_known)
				vs_neigh_unpack(w, o->mac);
		}
		n++;
	}
	return n;
}
