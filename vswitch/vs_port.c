/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vs_port.c: ports: vhost-user (net_vhost), af_packet on a veth
 * (net_af_packet) and any DPDK devargs, hot-plugged at run time.
 *
 * Adding a port: probe the device (rte_dev_probe), configure one rx queue
 * per worker at most and one tx queue per worker when the device has them
 * (else workers share queues under a per-queue lock taken once per burst:
 * net_vhost has one queue pair per pod), start it, then publish a snapshot
 * that includes it. Removing: publish a snapshot without it, which waits
 * for a grace period, and only then stop, close and detach the device, so
 * no worker can be inside its rx or tx burst. Other ports keep forwarding
 * throughout: workers never wait for the control thread.
 *
 * Link state: the control thread refreshes every port's link flag from
 * housekeeping (every VS_LINK_CHECK_MS); workers skip ports whose link is
 * down (a vhost port with no pod connected) and count link_down drops.
 *
 * Thread-safety: control thread only.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_bus.h>
#include <rte_cycles.h>
#include <rte_dev.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>

#include "vs_log.h"
#include "vs_port_afp.h"
#include "vs_priv.h"

#define VS_RX_DESC 1024
#define VS_TX_DESC 1024

static const char *const type_names[] = {
	[VS_PORT_AFPACKET] = "afpacket",
	[VS_PORT_VHOST] = "vhost",
	[VS_PORT_DEVARGS] = "devargs",
};

struct vs_port *
vs_port_find(struct vs *vs, const char *name)
{
	struct vs_port *p;

	TAILQ_FOREACH(p, &vs->ports, next)
		if (strcmp(p->spec.name, name) == 0)
			return p;
	return NULL;
}

static bool
str_ok(const char *s, size_t size)
{
	return s[0] != '\0' && memchr(s, '\0', size) != NULL;
}

/* Is the same veth, socket or devargs already a port? */
static const struct vs_port *
same_target(struct vs *vs, const struct vs_port_spec *spec)
{
	const struct vs_port *p;

	TAILQ_FOREACH(p, &vs->ports, next) {
		if (p->spec.type != spec->type)
			continue;
		if ((spec->type == VS_PORT_AFPACKET &&
				strcmp(p->spec.iface, spec->iface) == 0) ||
		    (spec->type == VS_PORT_VHOST &&
				strcmp(p->spec.path, spec->path) == 0) ||
		    (spec->type == VS_PORT_DEVARGS &&
				strcmp(p->spec.devargs, spec->devargs) == 0))
			return p;
	}
	return NULL;
}

static int
type_check(const struct vs_port_spec *spec, char *err, size_t errlen)
{
	switch (spec->type) {
	case VS_PORT_AFPACKET:
		if (str_ok(spec->iface, sizeof(spec->iface)))
			return 0;
		snprintf(err, errlen, "port %s: afpacket needs an iface",
				spec->name);
		return -EINVAL;
	case VS_PORT_VHOST:
		if (str_ok(spec->path, sizeof(spec->path)))
			return 0;
		snprintf(err, errlen, "port %s: vhost needs a path", spec->name);
		return -EINVAL;
	case VS_PORT_DEVARGS:
		if (str_ok(spec->devargs, sizeof(spec->devargs)))
			return 0;
		snprintf(err, errlen, "port %s: devargs must not be empty",
				spec->name);
		return -EINVAL;
	}
	snprintf(err, errlen, "port %s: unknown type %d", spec->name,
			(int)spec->type);
	return -EINVAL;
}

static int
spec_check(struct vs *vs, const struct vs_port_spec *spec, char *err,
		size_t errlen)
{
	const struct vs_port *p;
	int rc;

	if (!str_ok(spec->name, sizeof(spec->name))) {
		snprintf(err, errlen, "port name must not be empty");
		return -EINVAL;
	}
	rc = type_check(spec, err, errlen);
	if (rc == 0)
		rc = vs_port_afp_check(spec, err, errlen);
	if (rc < 0)
		return rc;
	if (vs_port_find(vs, spec->name) != NULL) {
		snprintf(err, errlen, "port %s exists", spec->name);
		return -EEXIST;
	}
	p = same_target(vs, spec);
	if (p != NULL) {
		snprintf(err, errlen, "port %s: port %s already uses that %s",
				spec->name, p->spec.name, type_names[spec->type]);
		return -EEXIST;
	}
	TAILQ_FOREACH(p, &vs->ports, next)
		if (spec->uplink && p->uplink) {
			snprintf(err, errlen, "port %s: %s is the uplink already",
					spec->name, p->spec.name);
			return -EEXIST;
		}
	if (vs->n_ports >= VS_PORTS_MAX) {
		snprintf(err, errlen, "port %s: at most %d ports", spec->name,
				VS_PORTS_MAX);
		return -ENOSPC;
	}
	return 0;
}

/* The devargs to probe: our vdev names carry a sequence number. */
static int
devargs_build(struct vs *vs, struct vs_port *p, char *err, size_t errlen)
{
	const struct vs_port_spec *s = &p->spec;
	unsigned int seq = vs->vdev_seq++;
	char extra[64];
	int n = 0;

	switch (s->type) {
	case VS_PORT_AFPACKET:
		n = vs_port_afp_devargs(p, extra, sizeof(extra));
		if (n == 0)
			n = snprintf(p->devargs, sizeof(p->devargs),
					"net_af_packet%u,iface=%s,qpairs=%u%s",
					seq, s->iface, vs->n_wk, extra);
		break;
	case VS_PORT_VHOST:
		n = snprintf(p->devargs, sizeof(p->devargs),
				"net_vhost%u,iface=%s,queues=1%s", seq, s->path,
				s->vhost_client ? ",client=1" : "");
		break;
	case VS_PORT_DEVARGS:
		n = snprintf(p->devargs, sizeof(p->devargs), "%s", s->devargs);
		break;
	}
	if (n < 0 || (size_t)n >= sizeof(p->devargs)) {
		snprintf(err, errlen, "port %s: devargs too long", s->name);
		return -ENAMETOOLONG;
	}
	return 0;
}

/* Is port_id one of ours already (a device probed twice)? */
static bool
port_id_used(struct vs *vs, uint16_t port_id)
{
	const struct vs_port *p;

	TAILQ_FOREACH(p, &vs->ports, next)
		if (p->port_id == port_id)
			return true;
	return false;
}

static int
port_probe(struct vs *vs, struct vs_port *p, char *err, size_t errlen)
{
	struct rte_dev_iterator it;
	struct rte_eth_dev_info info;
	bool found = false;
	uint16_t pid;
	int rc;

	rc = rte_dev_probe(p->devargs);
	if (rc < 0 && rc != -EEXIST) {
		snprintf(err, errlen, "port %s: cannot probe '%s': %s",
				p->spec.name, p->devargs, rte_strerror(-rc));
		return rc;
	}
	RTE_ETH_FOREACH_MATCHING_DEV(pid, p->devargs, &it) {
		if (!found && !port_id_used(vs, pid)) {
			p->port_id = pid;
			found = true;
		}
	}
	if (!found) {
		snprintf(err, errlen, "port %s: '%s' gave no free ethdev",
				p->spec.name, p->devargs);
		return -ENODEV;
	}
	if (rte_eth_dev_info_get(p->port_id, &info) == 0)
		p->dev = info.device;
	p->probed = true;
	return 0;
}

static int
queues_setup(struct vs *vs, struct vs_port *p)
{
	uint16_t nb_rxd = VS_RX_DESC, nb_txd = VS_TX_DESC, q;
	int socket = rte_eth_dev_socket_id(p->port_id);
	int rc;

	if (socket < 0)
		socket = (int)rte_socket_id();
	rc = rte_eth_dev_adjust_nb_rx_tx_desc(p->port_id, &nb_rxd, &nb_txd);
	if (rc < 0)
		return rc;
	for (q = 0; q < p->n_rxq; q++) {
		rc = rte_eth_rx_queue_setup(p->port_id, q, nb_rxd,
				(unsigned int)socket, NULL,
				p->pool != NULL ? p->pool : vs->pool);
		if (rc < 0)
			return rc;
	}
	for (q = 0; q < p->n_txq; q++) {
		rc = rte_eth_tx_queue_setup(p->port_id, q, nb_txd,
				(unsigned int)socket, NULL);
		if (rc < 0)
			return rc;
	}
	return 0;
}

static int
port_start(struct vs *vs, struct vs_port *p, char *err, size_t errlen)
{
	struct rte_eth_conf conf;
	struct rte_eth_dev_info info;
	unsigned int i;
	int rc;

	memset(&conf, 0, sizeof(conf));
	rc = rte_eth_dev_info_get(p->port_id, &info);
	if (rc < 0)
		goto err_dev;
	p->n_rxq = RTE_MIN((uint16_t)vs->n_wk, info.max_rx_queues);
	p->n_txq = RTE_MIN((uint16_t)vs->n_wk, info.max_tx_queues);
	if (p->n_rxq == 0 || p->n_txq == 0) {
		rc = -ENOTSUP;
		goto err_dev;
	}
	p->tx_shared = p->n_txq < vs->n_wk;
	for (i = 0; i < VS_WORKERS_MAX; i++)
		rte_spinlock_init(&p->txq_lock[i]);
	rc = rte_eth_dev_configure(p->port_id, p->n_rxq, p->n_txq, &conf);
	if (rc == 0)
		rc = queues_setup(vs, p);
	if (rc == 0)
		rc = rte_eth_dev_start(p->port_id);
	if (rc < 0)
		goto err_dev;
	p->started = true;
	/* Our router MAC is not the device's: accept every frame. */
	rte_eth_promiscuous_enable(p->port_id);
	return 0;

err_dev:
	snprintf(err, errlen, "port %s: cannot start ethdev %u ('%s'): %s",
			p->spec.name, p->port_id, p->devargs, rte_strerror(-rc));
	return rc;
}

void
vs_port_teardown(struct vs *vs, struct vs_port *p)
{
	if (p->started)
		rte_eth_dev_stop(p->port_id);
	if (p->dev != NULL) {
		rte_eth_dev_close(p->port_id);
		if (p->probed && rte_dev_remove(p->dev) < 0)
			VS_LOG(WARNING, "port %s: cannot detach '%s'\n",
					p->spec.name, p->devargs);
	}
	vs_port_afp_retire(vs, p);
	VS_LOG(INFO, "port %s removed\n", p->spec.name);
	free(p);
}

static void
link_refresh_one(struct vs_port *p)
{
	struct rte_eth_link link;
	uint32_t up = 0;

	if (rte_eth_link_get_nowait(p->port_id, &link) == 0)
		up = link.link_status == RTE_ETH_LINK_UP;
	if (up != __atomic_load_n(&p->link_up, __ATOMIC_RELAXED)) {
		VS_LOG(INFO, "port %s: link %s\n", p->spec.name,
				up ? "up" : "down");
		__atomic_store_n(&p->link_up, up, __ATOMIC_RELAXED);
	}
}

void
vs_port_link_refresh(struct vs *vs)
{
	uint64_t now = rte_get_tsc_cycles();
	struct vs_port *p;

	TAILQ_FOREACH(p, &vs->ports, next) {
		link_refresh_one(p);
		vs_port_trunc_check(vs, p, now);
	}
}

/*
 * Free whatever a new af_packet port received before it is published.
 * DPDK's af_packet PMD opens its socket for every interface and binds it
 * to its own only afterwards, so the ring can hold copies of other ports'
 * frames from that window; forwarding them would duplicate other pods'
 * packets. Other drivers receive only their own frames, kept (a pod's
 * first packets, a pcap's first frames). No worker polls the port yet,
 * so the control thread may read its queues.
 */
static void
port_drain(struct vs_port *p)
{
	struct rte_eth_dev_info info;
	struct rte_mbuf *pkts[32];
	uint16_t q, n;
	unsigned int rounds;

	if (rte_eth_dev_info_get(p->port_id, &info) != 0 ||
			info.driver_name == NULL ||
			strcmp(info.driver_name, "net_af_packet") != 0)
		return;
	for (q = 0; q < p->n_rxq; q++)
		for (rounds = 0; rounds < 1024; rounds++) {
			n = rte_eth_rx_burst(p->port_id, q, pkts, RTE_DIM(pkts));
			if (n == 0)
				break;
			rte_pktmbuf_free_bulk(pkts, n);
		}
}

/* The port is started: take its counters' baseline and publish it. */
static int
port_publish(struct vs *vs, struct vs_port *p, char *err, size_t errlen)
{
	int rc;

	port_drain(p);
	p->uplink = p->spec.uplink;
	vs_port_stats_sum(vs, p->port_id, &p->base);
	link_refresh_one(p);
	TAILQ_INSERT_TAIL(&vs->ports, p, next);
	vs->n_ports++;
	rc = vs_snap_update(vs);
	if (rc < 0) {
		TAILQ_REMOVE(&vs->ports, p, next);
		vs->n_ports--;
		snprintf(err, errlen, "port %s: cannot publish: %s",
				p->spec.name, strerror(-rc));
		return rc;
	}
	VS_LOG(INFO, "port %s added: ethdev %u '%s', %u rxq, %u txq%s\n",
			p->spec.name, p->port_id, p->devargs, p->n_rxq, p->n_txq,
			p->tx_shared ? " (shared)" : "");
	return 0;
}

int
vs_port_add(struct vs *vs, const struct vs_port_spec *spec, char *err,
		size_t errlen)
{
	struct vs_port *p;
	int rc;

	rc = spec_check(vs, spec, err, errlen);
	if (rc < 0)
		return rc;
	p = calloc(1, sizeof(*p));
	if (p == NULL)
		return -ENOMEM;
	p->spec = *spec;
	vs_port_afp_init(p);
	rc = devargs_build(vs, p, err, errlen);
	if (rc < 0) {
		free(p);
		return rc;
	}
	rc = vs_port_afp_pool(vs, p, err, errlen);
	if (rc == 0)
		rc = port_probe(vs, p, err, errlen);
	if (rc == 0)
		rc = port_start(vs, p, err, errlen);
	if (rc == 0)
		rc = port_publish(vs, p, err, errlen);
	if (rc < 0)
		vs_port_teardown(vs, p);
	return rc;
}

int
vs_port_add_ethdev(struct vs *vs, const struct vs_port_spec *spec,
		uint16_t port_id, char *err, size_t errlen)
{
	struct rte_eth_dev_info info;
	struct vs_port *p;
	int rc;

	rc = spec_check(vs, spec, err, errlen);
	if (rc < 0)
		return rc;
	if (port_id_used(vs, port_id) || !rte_eth_dev_is_valid_port(port_id)) {
		snprintf(err, errlen, "ethdev %u unusable", port_id);
		return -EINVAL;
	}
	p = calloc(1, sizeof(*p));
	if (p == NULL)
		return -ENOMEM;
	p->spec = *spec;
	p->port_id = port_id;
	p->tx_max = UINT32_MAX;
	if (rte_eth_dev_info_get(port_id, &info) == 0)
		p->dev = info.device;
	rc = port_start(vs, p, err, errlen);
	if (rc == 0)
		rc = port_publish(vs, p, err, errlen);
	if (rc < 0)
		vs_port_teardown(vs, p);
	return rc;
}

int
vs_port_del(struct vs *vs, const char *name)
{
	struct vs_port *p = vs_port_find(vs, name);
	int rc;

	if (p == NULL)
		return -ENOENT;
	TAILQ_REMOVE(&vs->ports, p, next);
	vs->n_ports--;
	/* After this returns no worker can be using p. */
	rc = vs_snap_update(vs);
	if (rc < 0) {
		TAILQ_INSERT_TAIL(&vs->ports, p, next);
		vs->n_ports++;
		return rc;
	}
	vs_port_teardown(vs, p);
	return 0;
}

static void
info_fill(struct vs *vs, const struct vs_port *p, struct vs_port_info *o)
{
	const struct vs_port_spec *s = &p->spec;

	memset(o, 0, sizeof(*o));
	snprintf(o->name, sizeof(o->name), "%s", s->name);
	o->type = s->type;
	o->uplink = p->uplink;
	o->link_up = __atomic_load_n(&p->link_up, __ATOMIC_RELAXED);
	o->port_id = p->port_id;
	if (s->type == VS_PORT_AFPACKET && s->max_frame != 0)
		snprintf(o->detail, sizeof(o->detail), "%s (max_frame %u)",
				s->iface, s->max_frame);
	else if (s->type == VS_PORT_AFPACKET)
		snprintf(o->detail, sizeof(o->detail), "%s", s->iface);
	else if (s->type == VS_PORT_VHOST && s->mtu != 0)
		snprintf(o->detail, sizeof(o->detail), "%s (%s, mtu %u)",
				s->path, s->vhost_client ? "client" : "server",
				s->mtu);
	else if (s->type == VS_PORT_VHOST)
		snprintf(o->detail, sizeof(o->detail), "%s (%s)", s->path,
				s->vhost_client ? "client" : "server");
	else
		snprintf(o->detail, sizeof(o->detail), "%s", s->devargs);
	vs_port_stats_sum(vs, p->port_id, &o->stats);
	o->stats.rx_packets -= p->base.rx_packets;
	o->stats.rx_bytes -= p->base.rx_bytes;
	o->stats.tx_packets -= p->base.tx_packets;
	o->stats.tx_bytes -= p->base.tx_bytes;
	o->stats.tx_full -= p->base.tx_full;
	o->stats.rx_truncated -= p->base.rx_truncated;
	o->stats.tx_frags -= p->base.tx_frags;
}

uint32_t
vs_port_list(struct vs *vs, struct vs_port_info *out, uint32_t max)
{
	const struct vs_port *p;
	uint32_t n = 0;

	TAILQ_FOREACH(p, &vs->ports, next) {
		if (n < max)
			info_fill(vs, p, &out[n]);
		n++;
	}
	return n;
}
