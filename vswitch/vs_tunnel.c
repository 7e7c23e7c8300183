/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vs_tunnel.c: the control side of VXLAN between nodes (vs_tunnel.h):
 * the nodes (vs_node_set/del/list: one VTEP table entry and one LPM route
 * per node), the tunnel part of every snapshot, and the counters.
 *
 * A node change copies the VTEP table (vtep_table_clone, named per change
 * "vs_vtep<N>"), changes the copy, marks the routes dirty and publishes a
 * new snapshot; the old table is freed once vs_snap_update() returns (it
 * has waited for the grace period). Hitless as every other update.
 *
 * Thread-safety: control thread only (vs_api.h).
 */
#include "vs_tunnel.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_malloc.h>

#include "vs_log.h"

static int
tunnel_create(struct vs *vs)
{
	struct vs_tunnel *t;
	unsigned int i;

	t = rte_zmalloc("vs_tunnel", sizeof(*t), RTE_CACHE_LINE_SIZE);
	if (t == NULL)
		return -ENOMEM;
	t->neigh = rte_zmalloc("vs_tun_neigh",
			VS_TUN_NEIGH_MAX * sizeof(uint64_t), RTE_CACHE_LINE_SIZE);
	t->seen = rte_zmalloc("vs_tun_seen",
			VS_TUN_NEIGH_MAX * sizeof(uint64_t), RTE_CACHE_LINE_SIZE);
	t->vteps = vtep_table_create("vs_vtep0", VS_TUN_NODES_MAX,
			(int)rte_socket_id());
	if (t->neigh == NULL || t->seen == NULL || t->vteps == NULL)
		goto err_nomem;
	for (i = 0; i < vs->n_wk; i++) {
		if (vs->wk[i]->tun != NULL)
			continue;
		vs->wk[i]->tun = rte_zmalloc("vs_tun_wk",
				sizeof(struct vs_tun_wk), RTE_CACHE_LINE_SIZE);
		if (vs->wk[i]->tun == NULL)
			goto err_nomem;
	}
	vs->tun = t;
	return 0;

err_nomem:
	vtep_table_free(t->vteps);
	rte_free(t->neigh);
	rte_free(t->seen);
	rte_free(t);
	return -ENOMEM;
}

void
vs_tunnel_free(struct vs *vs)
{
	unsigned int i;

	if (vs->tun == NULL)
		return;
	for (i = 0; i < vs->n_wk; i++) {
		rte_free(vs->wk[i]->tun);
		vs->wk[i]->tun = NULL;
	}
	vtep_table_free(vs->tun->vteps);
	rte_free(vs->tun->neigh);
	rte_free(vs->tun->seen);
	rte_free(vs->tun);
	vs->tun = NULL;
}

static struct vs_port *
uplink_find(struct vs *vs)
{
	struct vs_port *p;

	TAILQ_FOREACH(p, &vs->ports, next)
		if (p->uplink)
			return p;
	return NULL;
}

/* The vxlan_ctx of the config; false when the tunnel is not configured. */
static bool
ctx_fill(struct vs *vs, struct vs_tun_snap *ts)
{
	const struct vs_config *c = &vs->cfg;
	uint32_t ip;

	vxlan_ctx_defaults(&ts->vx);
	if (c->underlay_ip.family != AF_INET)
		return false;
	memcpy(&ts->vx.local_ip, c->underlay_ip.addr, 4);
	memcpy(ts->vx.local_mac.addr_bytes, c->mac, RTE_ETHER_ADDR_LEN);
	memcpy(ts->vx.vtep_mac.addr_bytes, c->has_vtep_mac ? c->vtep_mac :
			c->mac, RTE_ETHER_ADDR_LEN);
	ts->vx.vni = c->vni;
	ts->vx.udp_port = rte_cpu_to_be_16(c->vxlan_port);
	ts->vx.underlay_mtu = c->underlay_mtu;
	ts->vx.udp_csum = c->vxlan_udp_csum;
	ts->vx.vteps = vs->tun->vteps;
	ip = rte_be_to_cpu_32(ts->vx.local_ip);
	ts->local_mask = c->underlay_len ? ~UINT32_C(0) << (32 - c->underlay_len)
			: 0;
	ts->local_net = ip & ts->local_mask;
	if (c->underlay_gw.family == AF_INET)
		memcpy(&ts->gw, c->underlay_gw.addr, 4);
	ts->static_mac = c->has_nexthop_mac;
	memcpy(ts->nh_mac.addr_bytes, c->nexthop_mac, RTE_ETHER_ADDR_LEN);
	return vxlan_ctx_check(&ts->vx) == 0;
}

int
vs_tunnel_snap_fill(struct vs *vs, struct vs_snap *s)
{
	struct vs_tun_snap *ts;
	struct vs_port *up;
	int rc;

	if (vs->tun == NULL && vs->cfg.underlay_ip.family != AF_INET)
		return 0;
	if (vs->tun == NULL) {
		rc = tunnel_create(vs);
		if (rc < 0)
			return rc;
	}
	ts = rte_zmalloc("vs_tun_snap", sizeof(*ts), RTE_CACHE_LINE_SIZE);
	if (ts == NULL)
		return -ENOMEM;
	ts->vteps = vs->tun->vteps;
	ts->neigh = vs->tun->neigh;
	ts->seen = vs->tun->seen;
	up = uplink_find(vs);
	ts->uplink = up != NULL ? up->port_id : VS_PORT_NONE;
	ts->enabled = ctx_fill(vs, ts) && up != NULL;
	s->tun = ts;
	return 0;
}

void
vs_tunnel_snap_free(struct vs_snap *s)
{
	rte_free((void *)(uintptr_t)s->tun);
	s->tun = NULL;
}

int
vs_tunnel_routes_fill(struct vs *vs, struct rte_lpm *lpm)
{
	uint32_t slot;
	int rc;

	if (vs->tun == NULL)
		return 0;
	for (slot = 0; slot < VS_TUN_NODES_MAX; slot++) {
		const struct vtep_entry *e = vtep_get(vs->tun->vteps, slot);

		if (e == NULL)
			continue;
		rc = rte_lpm_add(lpm, rte_be_to_cpu_32(e->subnet),
				e->subnet_len, VS_NH_TUNNEL | slot);
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* ---- nodes ---- */

static bool
overlaps(uint32_t a, uint8_t alen, uint32_t b, uint8_t blen)
{
	uint8_t l = alen < blen ? alen : blen;
	uint32_t m = l ? ~UINT32_C(0) << (32 - l) : 0;

	return (a & m) == (b & m);
}

static int
spec_check(struct vs *vs, const struct vs_node_spec *spec, char *err,
		size_t errlen)
{
	const struct vs_config *c = &vs->cfg;
	uint32_t sub, pod;

	if (strcmp(spec->name, c->node_name) == 0) {
		snprintf(err, errlen, "node %s is this node", spec->name);
		return -EINVAL;
	}
	if (spec->subnet_len == 0 || spec->subnet_len > 32) {
		snprintf(err, errlen, "node %s: bad subnet length", spec->name);
		return -EINVAL;
	}
	memcpy(&sub, spec->subnet, 4);
	memcpy(&pod, c->pod_cidr.addr, 4);
	if (c->pod_cidr.family == AF_INET && overlaps(rte_be_to_cpu_32(sub),
			spec->subnet_len, rte_be_to_cpu_32(pod), c->pod_cidr_len)) {
		snprintf(err, errlen, "node %s: subnet overlaps our pod CIDR",
				spec->name);
		return -EEXIST;
	}
	return 0;
}

static void
entry_fill(struct vtep_entry *e, const struct vs_node_spec *spec)
{
	memset(e, 0, sizeof(*e));
	snprintf(e->node, sizeof(e->node), "%s", spec->name);
	memcpy(&e->dst.ip, spec->public_ip, 4);
	e->dst.vni = spec->vni;
	memcpy(e->dst.vtep_mac.addr_bytes, spec->vtep_mac, RTE_ETHER_ADDR_LEN);
	memcpy(&e->subnet, spec->subnet, 4);
	e->subnet_len = spec->subnet_len;
}

/* Publish next as the table; free the old one after the grace period. */
static int
table_publish(struct vs *vs, struct vtep_table *next)
{
	struct vtep_table *old = vs->tun->vteps;
	int rc;

	vs->tun->vteps = next;
	vs->routes_dirty = true;
	rc = vs_snap_update(vs);
	if (rc < 0) {
		vs->tun->vteps = old;
		vtep_table_free(next);
		vs->routes_dirty = true;
		return rc;
	}
	vtep_table_free(old);
	return 0;
}

static struct vtep_table *
table_copy(struct vs *vs)
{
	char name[VTEP_TABLE_NAME_MAX + 1];

	snprintf(name, sizeof(name), "vs_vtep%" PRIu64, ++vs->tun->seq);
	return vtep_table_clone(name, vs->tun->vteps);
}

int
vs_node_set(struct vs *vs, const struct vs_node_spec *spec, char *err,
		size_t errlen)
{
	const struct vtep_entry *old;
	struct vtep_table *next;
	struct vtep_entry e;
	uint32_t slot;
	bool reset;
	int rc;

	rc = spec_check(vs, spec, err, errlen);
	if (rc < 0)
		return rc;
	if (vs->tun == NULL && (rc = tunnel_create(vs)) < 0)
		goto err_nomem;
	next = table_copy(vs);
	if (next == NULL)
		goto err_nomem;
	old = vtep_lookup_node(vs->tun->vteps, spec->name);
	reset = old == NULL || memcmp(&old->dst.ip, spec->public_ip, 4) != 0;
	entry_fill(&e, spec);
	rc = vtep_add(next, &e, &slot);
	if (rc < 0) {
		vtep_table_free(next);
		snprintf(err, errlen, "node %s: %s", spec->name, rc == -EEXIST ?
				"its IP or subnet belongs to another node" :
				rc == -ENOSPC ? "too many nodes" :
				"invalid (IP, VNI, VtepMAC or subnet)");
		return rc;
	}
	rc = table_publish(vs, next);
	if (rc < 0)
		goto err_nomem;
	if (reset) {
		__atomic_store_n(&vs->tun->neigh[slot], 0, __ATOMIC_RELAXED);
		__atomic_store_n(&vs->tun->seen[slot], 0, __ATOMIC_RELAXED);
	}
	VS_LOG(INFO, "node %s: VTEP slot %u\n", spec->name, slot);
	return 0;

err_nomem:
	snprintf(err, errlen, "node %s: out of memory", spec->name);
	return -ENOMEM;
}

int
vs_node_del(struct vs *vs, const char *name)
{
	struct vtep_table *next;
	int rc;

	if (vs->tun == NULL || vtep_lookup_node(vs->tun->vteps, name) == NULL)
		return -ENOENT;
	next = table_copy(vs);
	if (next == NULL)
		return -ENOMEM;
	rc = vtep_del(next, name);
	if (rc < 0) {
		vtep_table_free(next);
		return rc;
	}
	return table_publish(vs, next);
}

uint32_t
vs_node_list(struct vs *vs, struct vs_node_info *out, uint32_t max)
{
	uint32_t slot, n = 0;

	if (vs->tun == NULL)
		return 0;
	for (slot = 0; slot < VS_TUN_NODES_MAX; slot++) {
		const struct vtep_entry *e = vtep_get(vs->tun->vteps, slot);
		struct vs_node_info *o;
		uint64_t w;

		if (e == NULL)
			continue;
		if (n++ >= max)
			continue;
		o = &out[n - 1];
		memset(o, 0, sizeof(*o));
		snprintf(o->spec.name, sizeof(o->spec.name), "%s", e->node);
		memcpy(o->spec.subnet, &e->subnet, 4);
		o->spec.subnet_len = e->subnet_len;
		memcpy(o->spec.public_ip, &e->dst.ip, 4);
		memcpy(o->spec.vtep_mac, e->dst.vtep_mac.addr_bytes, 6);
		o->spec.vni = e->dst.vni;
		w = __atomic_load_n(&vs->tun->neigh[slot], __ATOMIC_RELAXED);
		o->mac_known = (w & VS_NEIGH_VALID) != 0;
		vs_neigh_unpack(w, o->nexthop_mac);
	}
	return n;
}

void
vs_tunnel_info(struct vs *vs, struct vs_tunnel_info *out)
{
	const struct vs_tun_snap *ts = vs->snap ? vs->snap->tun : NULL;
	struct vxlan_stats sum;
	unsigned int i;

	memset(out, 0, sizeof(*out));
	memset(&sum, 0, sizeof(sum));
	memcpy(out->vtep_mac, vs->cfg.has_vtep_mac ? vs->cfg.vtep_mac :
			vs->cfg.mac, 6);
	if (ts != NULL) {
		out->enabled = ts->enabled;
		out->uplink = ts->uplink != VS_PORT_NONE;
	}
	for (i = 0; vs->tun != NULL && i < vs->n_wk; i++)
		if (vs->wk[i]->tun != NULL)
			vxlan_stats_add(&sum, &vs->wk[i]->tun->vx);
	out->encap = sum.encap;
	out->decap = sum.decap;
	out->pass = sum.pass;
	for (i = 0; i < VXLAN_DROP_MAX && i < RTE_DIM(out->drop); i++) {
		out->drop[i] = sum.drop[i];
		out->drop_name[i] = vxlan_drop_name((enum vxlan_drop)i);
	}
}
