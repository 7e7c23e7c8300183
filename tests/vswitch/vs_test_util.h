/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vs_test_util.h: what the in-process data-path tests share: a switch on
 * an EAL without hugepages, ports backed by rte_rings (rte_eth_from_rings,
 * as dpdk:app/test/sample_packet_forward.c), and frame builders.
 *
 * A ring port "pX" has two rings: the test enqueues frames on rx (the
 * switch receives them) and dequeues what the switch sent from tx.
 */
#ifndef NPVS_VS_TEST_UTIL_H
#define NPVS_VS_TEST_UTIL_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_ether.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include "vs_api.h"
#include "vs_priv.h"

#define TU_PORTS_MAX 8

struct tu_port {
	char name[VS_NAME_MAX];
	struct rte_ring *rx;    /* test -> switch */
	struct rte_ring *tx;    /* switch -> test */
	uint16_t port_id;
	bool attached;
};

struct tu {
	struct vs *vs;
	struct rte_mempool *pool;       /* the test's frames */
	struct tu_port port[TU_PORTS_MAX];
	unsigned int n_ports;
};

/* The switch's configuration for tests: 10.0.0.0/24, gateway 10.0.0.1. */
void tu_config(struct vs_config *c, const char *prefix, unsigned int workers);

/* vs_create with that config; fails the test on error. */
void tu_start(struct tu *t, const struct vs_config *c);
void tu_stop(struct tu *t);

/* A ring-backed port attached to the switch as name; returns its index. */
unsigned int tu_port_add(struct tu *t, const char *name, bool uplink);
/* Detach it from the switch (vs_port_del), keep the rings for reuse. */
void tu_port_del(struct tu *t, unsigned int i);
/* Attach it again (a new ethdev over the same rings). */
void tu_port_readd(struct tu *t, unsigned int i, bool uplink);

/* An endpoint ns "t", one IPv4 address (host order), optional MAC. */
int tu_endpoint_add(struct tu *t, const char *name, const char *port,
		uint32_t ip, const uint8_t *mac);

/* Enqueue one frame on port i's rx ring. */
void tu_inject(struct tu *t, unsigned int i, struct rte_mbuf *m);
/* Dequeue up to max frames the switch sent on port i. */
unsigned int tu_collect(struct tu *t, unsigned int i, struct rte_mbuf **out,
		unsigned int max);
/* Drop whatever is queued on every tx ring. */
void tu_drain(struct tu *t);

/* Frame builders; IPs in host order. */
struct rte_mbuf *tu_ip4(struct tu *t, const struct rte_ether_addr *src,
		const struct rte_ether_addr *dst, uint32_t sip, uint32_t dip,
		uint8_t ttl, uint8_t proto, uint16_t payload);
struct rte_mbuf *tu_arp(struct tu *t, const struct rte_ether_addr *src,
		uint16_t op, uint32_t sip, uint32_t tip);
struct rte_mbuf *tu_raw(struct tu *t, const void *data, uint16_t len);

struct acl_model;
struct acl_ruleset;

/*
 * Compile model m (freed here) with the live ruleset as prev (rte_acl
 * names from name) and publish it; fails the test on an error.
 * @return the published ruleset (the switch owns it).
 */
struct acl_ruleset *tu_policy_publish(struct tu *t, struct acl_model *m,
		const char *name);

/* Drop counters, summed. */
uint64_t tu_drops(struct tu *t, enum vs_drop d);

#define TU_IP(a, b, c, d) \
	(((uint32_t)(a) << 24) | ((uint32_t)(b) << 16) | ((uint32_t)(c) << 8) | (d))

#endif /* NPVS_VS_TEST_UTIL_H */
