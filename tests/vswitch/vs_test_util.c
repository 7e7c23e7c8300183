/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vs_test_util.c: see vs_test_util.h.
 */
#include "vs_test_util.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include <cmocka.h>

#include <rte_arp.h>
#include <rte_eth_ring.h>
#include <rte_ip.h>
#include <rte_tcp.h>
#include <rte_udp.h>

#include "acl_ruleset.h"

void
tu_config(struct vs_config *c, const char *prefix, unsigned int workers)
{
	uint32_t net = rte_cpu_to_be_32(TU_IP(10, 0, 0, 0));
	uint32_t gw = rte_cpu_to_be_32(TU_IP(10, 0, 0, 1));

	vs_config_defaults(c);
	snprintf(c->file_prefix, sizeof(c->file_prefix), "%s", prefix);
	c->no_huge = true;
	c->in_memory = false;
	c->mem_mb = 512;
	c->n_mbufs = 4096;
	c->n_workers = workers;
	c->workers[0] = 1;
	c->pod_cidr.family = AF_INET;
	memcpy(c->pod_cidr.addr, &net, 4);
	c->pod_cidr_len = 24;
	c->gateway.family = AF_INET;
	memcpy(c->gateway.addr, &gw, 4);
	snprintf(c->log_level, sizeof(c->log_level), "warning");
}

void
tu_start(struct tu *t, const struct vs_config *c)
{
	char err[256] = "";

	memset(t, 0, sizeof(*t));
	t->vs = vs_create(c, "test", err, sizeof(err));
	if (t->vs == NULL)
		fail_msg("vs_create: %s", err);
	t->pool = rte_pktmbuf_pool_create("tu_pool", 4096, 0, 0,
			RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
	assert_non_null(t->pool);
}

void
tu_stop(struct tu *t)
{
	unsigned int i;

	/* Ports first (they use the rings), then the rings and the pool,
	 * then the switch, whose vs_destroy ends with rte_eal_cleanup. */
	for (i = 0; i < t->n_ports; i++)
		if (t->port[i].attached)
			tu_port_del(t, i);
	tu_drain(t);
	for (i = 0; i < t->n_ports; i++) {
		rte_ring_free(t->port[i].rx);
		rte_ring_free(t->port[i].tx);
	}
	rte_mempool_free(t->pool);
	vs_destroy(t->vs);
}

static void
attach(struct tu *t, unsigned int i, bool uplink)
{
	static unsigned int seq;
	struct tu_port *p = &t->port[i];
	struct vs_port_spec spec;
	char ethname[32], err[256] = "";
	int id;

	snprintf(ethname, sizeof(ethname), "%s_%u", p->name, seq++);
	id = rte_eth_from_rings(ethname, &p->rx, 1, &p->tx, 1, SOCKET_ID_ANY);
	assert_true(id >= 0);
	memset(&spec, 0, sizeof(spec));
	snprintf(spec.name, sizeof(spec.name), "%s", p->name);
	spec.type = VS_PORT_DEVARGS;
	snprintf(spec.devargs, sizeof(spec.devargs), "ring:%s", ethname);
	spec.uplink = uplink;
	if (vs_port_add_ethdev(t->vs, &spec, (uint16_t)id, err, sizeof(err)) < 0)
		fail_msg("vs_port_add_ethdev %s: %s", p->name, err);
	p->port_id = (uint16_t)id;
	p->attached = true;
}

unsigned int
tu_port_add(struct tu *t, const char *name, bool uplink)
{
	unsigned int i = t->n_ports++;
	struct tu_port *p = &t->port[i];
	char rname[RTE_RING_NAMESIZE];

	assert_true(i < TU_PORTS_MAX);
	snprintf(p->name, sizeof(p->name), "%s", name);
	snprintf(rname, sizeof(rname), "tu_rx_%s", name);
	p->rx = rte_ring_create(rname, 1024, SOCKET_ID_ANY,
			RING_F_SP_ENQ | RING_F_SC_DEQ);
	snprintf(rname, sizeof(rname), "tu_tx_%s", name);
	p->tx = rte_ring_create(rname, 1024, SOCKET_ID_ANY, RING_F_SC_DEQ);
	assert_non_null(p->rx);
	assert_non_null(p->tx);
	attach(t, i, uplink);
	return i;
}

void
tu_port_del(struct tu *t, unsigned int i)
{
	assert_int_equal(vs_port_del(t->vs, t->port[i].name), 0);
	t->port[i].attached = false;
}

void
tu_port_readd(struct tu *t, unsigned int i, bool uplink)
{
	attach(t, i, uplink);
}

int
tu_endpoint_add(struct tu *t, const char *name, const char *port,
		uint32_t ip, const uint8_t *mac)
{
	struct vs_endpoint_spec s;
	uint32_t be = rte_cpu_to_be_32(ip);
	char err[256] = "";

	memset(&s, 0, sizeof(s));
	snprintf(s.ns, sizeof(s.ns), "t");
	snprintf(s.name, sizeof(s.name), "%s", name);
	snprintf(s.port, sizeof(s.port), "%s", port);
	s.ips[0].family = AF_INET;
	memcpy(s.ips[0].addr, &be, 4);
	s.n_ips = 1;
	if (mac != NULL) {
		memcpy(s.mac, mac, 6);
		s.has_mac = true;
	}
	return vs_endpoint_add(t->vs, &s, err, sizeof(err));
}

void
tu_inject(struct tu *t, unsigned int i, struct rte_mbuf *m)
{
	assert_int_equal(rte_ring_enqueue(t->port[i].rx, m), 0);
}

unsigned int
tu_collect(struct tu *t, unsigned int i, struct rte_mbuf **out,
		unsigned int max)
{
	return rte_ring_dequeue_burst(t->port[i].tx, (void **)out, max, NULL);
}

void
tu_drain(struct tu *t)
{
	struct rte_mbuf *m[64];
	unsigned int i, n;

	for (i = 0; i < t->n_ports; i++)
		while ((n = tu_collect(t, i, m, 64)) > 0)
			rte_pktmbuf_free_bulk(m, n);
}

struct rte_mbuf *
tu_raw(struct tu *t, const void *data, uint16_t len)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(t->pool);
	void *p;

	assert_non_null(m);
	p = rte_pktmbuf_append(m, len);
	assert_non_null(p);
	memcpy(p, data, len);
	return m;
}

/*
 * A valid L4 header in a zeroed payload, so that conntrack takes the
 * packet as the first of a flow: UDP's length, TCP's data offset and SYN
 * (ports 0 unless the caller writes them).
 */
static void
l4_fill(void *l4, uint8_t proto, uint16_t payload)
{
	if (proto == IPPROTO_UDP && payload >= sizeof(struct rte_udp_hdr)) {
		struct rte_udp_hdr *u = l4;

		u->dgram_len = rte_cpu_to_be_16(payload);
	} else if (proto == IPPROTO_TCP &&
			payload >= sizeof(struct rte_tcp_hdr)) {
		struct rte_tcp_hdr *th = l4;

		th->data_off = 5 << 4;
		th->tcp_flags = RTE_TCP_SYN_FLAG;
	}
}

struct rte_mbuf *
tu_ip4(struct tu *t, const struct rte_ether_addr *src,
		const struct rte_ether_addr *dst, uint32_t sip, uint32_t dip,
		uint8_t ttl, uint8_t proto, uint16_t payload)
{
	uint8_t buf[1514];
	struct rte_ether_hdr *eth = (void *)buf;
	struct rte_ipv4_hdr *ip = (void *)(eth + 1);
	uint16_t len = sizeof(*eth) + sizeof(*ip) + payload;

	assert_true(len <= sizeof(buf));
	memset(buf, 0, sizeof(buf));
	eth->src_addr = *src;
	eth->dst_addr = *dst;
	eth->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV4);
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->total_length = rte_cpu_to_be_16(sizeof(*ip) + payload);
	ip->time_to_live = ttl;
	ip->next_proto_id = proto;
	ip->src_addr = rte_cpu_to_be_32(sip);
	ip->dst_addr = rte_cpu_to_be_32(dip);
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	l4_fill(ip + 1, proto, payload);
	return tu_raw(t, buf, len);
}

struct rte_mbuf *
tu_arp(struct tu *t, const struct rte_ether_addr *src, uint16_t op,
		uint32_t sip, uint32_t tip)
{
	uint8_t buf[sizeof(struct rte_ether_hdr) + sizeof(struct rte_arp_hdr)];
	struct rte_ether_hdr *eth = (void *)buf;
	struct rte_arp_hdr *arp = (void *)(eth + 1);

	memset(buf, 0, sizeof(buf));
	memset(&eth->dst_addr, 0xff, RTE_ETHER_ADDR_LEN);
	eth->src_addr = *src;
	eth->ether_type = RTE_BE16(RTE_ETHER_TYPE_ARP);
	arp->arp_hardware = RTE_BE16(RTE_ARP_HRD_ETHER);
	arp->arp_protocol = RTE_BE16(RTE_ETHER_TYPE_IPV4);
	arp->arp_hlen = 6;
	arp->arp_plen = 4;
	arp->arp_opcode = rte_cpu_to_be_16(op);
	arp->arp_data.arp_sha = *src;
	arp->arp_data.arp_sip = rte_cpu_to_be_32(sip);
	arp->arp_data.arp_tip = rte_cpu_to_be_32(tip);
	return tu_raw(t, buf, sizeof(buf));
}

uint64_t
tu_drops(struct tu *t, enum vs_drop d)
{
	uint64_t v[VS_DROP_MAX];

	vs_drop_stats(t->vs, v);
	return v[d];
}

struct acl_ruleset *
tu_policy_publish(struct tu *t, struct acl_model *m, const char *name)
{
	struct acl_compile_opts o = { .name = name,
		.socket_id = SOCKET_ID_ANY, .prev = vs_policy_get(t->vs) };
	struct acl_err e;
	struct acl_ruleset *rs = acl_compile(m, &o, &e);
	char err[256] = "";

	acl_model_free(m);
	if (rs == NULL)
		fail_msg("acl_compile: %s", e.msg);
	if (vs_policy_publish(t->vs, rs, err, sizeof(err)) != 0)
		fail_msg("publish: %s", err);
	return rs;
}
