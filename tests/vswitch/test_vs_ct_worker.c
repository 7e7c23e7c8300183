/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_vs_ct_worker.c: hitless policy updates. A real worker lcore
 * (lcore 1) forwards eight UDP flows a -> b:53 and their replies while
 * the control thread (this one) publishes new rulesets in a loop, two
 * models in turn that both allow the flows (the second adds an unrelated
 * policy, so the contexts and the policy generation change every time
 * and every flow is re-checked on its next packet). b's egress and a's
 * ingress are isolated: the replies pass only through the connection
 * table. Not one packet may be lost, reordered or counted as a drop.
 *
 * EAL: --no-huge --no-shconf -m 512, lcores 0 (this thread) and 1.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include <netinet/in.h>
#include <rte_cycles.h>
#include <rte_ip.h>
#include <rte_udp.h>

#include "acl_test.h"
#include "vs_test_util.h"

#define N_PACKETS 20000
#define N_FLOWS 8
#define IN_FLIGHT 128
#define PUBLISH_EVERY 200       /* packets between two publishes */
#define IP_A TU_IP(10, 0, 0, 2)
#define IP_B TU_IP(10, 0, 0, 3)

static const struct rte_ether_addr R = {{ 0x02, 0x6e, 0x70, 0x76, 0x73, 0x01 }};
static const struct rte_ether_addr MA = {{ 0x02, 0, 0, 0, 0, 0x0a }};
static const struct rte_ether_addr MB = {{ 0x02, 0, 0, 0, 0, 0x0b }};

static struct tu T;
enum { PA, PB };

static struct acl_model *
model(bool extra)
{
	struct acl_model *m = at_model();
	struct acl_netpol *p;
	struct acl_rule *r;

	at_ns(m, "t", "");
	at_pod(m, "t", "a", "app=a", "10.0.0.2", "", true);
	at_pod(m, "t", "b", "app=b", "10.0.0.3", "", true);
	p = at_pol(m, "t", "b-in", "app=b", "Ingress");
	r = at_rule(p, ACL_DIR_INGRESS);
	at_peer_pod(r, "app=a");
	at_port(r, UDP, 53, 0);
	at_pol(m, "t", "b-out", "app=b", "Egress");
	at_pol(m, "t", "a-in", "app=a", "Ingress");
	if (extra) {
		p = at_pol(m, "t", "b-extra", "app=b", "Ingress");
		r = at_rule(p, ACL_DIR_INGRESS);
		at_peer_block(r, "192.168.0.0/16", "");
		at_port(r, TCP, 443, 0);
	}
	return m;
}

static void
publish(bool extra)
{
	tu_policy_publish(&T, model(extra), "tctw");
}

static int
setup(void **state)
{
	struct vs_config c;

	(void)state;
	tu_config(&c, "test_vs_ct_worker", 1);
	tu_start(&T, &c);
	tu_port_add(&T, "pa", false);
	tu_port_add(&T, "pb", false);
	assert_int_equal(tu_endpoint_add(&T, "a", "pa", IP_A, MA.addr_bytes), 0);
	assert_int_equal(tu_endpoint_add(&T, "b", "pb", IP_B, MB.addr_bytes), 0);
	publish(false);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	tu_stop(&T);
	return 0;
}

/* Packet seq of flow seq % N_FLOWS: a -> b, or its reply b -> a. */
static struct rte_mbuf *
numbered(uint32_t seq, bool reply)
{
	uint16_t port = (uint16_t)(5000 + seq % N_FLOWS);
	struct rte_mbuf *m = reply ?
		tu_ip4(&T, &MB, &R, IP_B, IP_A, 64, IPPROTO_UDP, 32) :
		tu_ip4(&T, &MA, &R, IP_A, IP_B, 64, IPPROTO_UDP, 32);
	struct rte_udp_hdr *u = rte_pktmbuf_mtod_offset(m, void *,
			sizeof(struct rte_ether_hdr) + sizeof(struct rte_ipv4_hdr));

	u->src_port = rte_cpu_to_be_16(reply ? 53 : port);
	u->dst_port = rte_cpu_to_be_16(reply ? port : 53);
	memcpy(u + 1, &seq, sizeof(seq));
	return m;
}

static uint32_t
seq_of(struct rte_mbuf *m)
{
	const struct rte_udp_hdr *u = rte_pktmbuf_mtod_offset(m, const void *,
			sizeof(struct rte_ether_hdr) + sizeof(struct rte_ipv4_hdr));
	uint32_t seq;

	memcpy(&seq, u + 1, sizeof(seq));
	return seq;
}

/* Collect what arrived on port i, checking the order. */
static uint32_t
collect(unsigned int i, uint32_t *next)
{
	struct rte_mbuf *m[64];
	uint32_t n, k;

	n = tu_collect(&T, i, m, 64);
	for (k = 0; k < n; k++) {
		if (seq_of(m[k]) != *next)
			fail_msg("port %s: got %u, expected %u", T.port[i].name,
					seq_of(m[k]), *next);
		(*next)++;
		rte_pktmbuf_free(m[k]);
	}
	return n;
}

static void
test_hitless_publish(void **state)
{
	uint64_t drops[VS_DROP_MAX], deadline;
	uint32_t sent = 0, got_b = 0, got_a = 0, sent_r = 0, pubs = 0, i;

	(void)state;
	deadline = rte_get_timer_cycles() + 60 * rte_get_timer_hz();
	/* Open the flows first: a reply must find its entry. */
	for (; sent < N_FLOWS; sent++)
		tu_inject(&T, PA, numbered(sent, false));
	while (got_b < N_FLOWS && rte_get_timer_cycles() < deadline)
		collect(PB, &got_b);
	assert_int_equal(got_b, N_FLOWS);

	while (got_b < N_PACKETS || got_a < N_PACKETS) {
		while (sent < N_PACKETS && sent - got_b < IN_FLIGHT) {
			tu_inject(&T, PA, numbered(sent++, false));
			if (sent % PUBLISH_EVERY == 0)
				publish(++pubs % 2);
		}
		while (sent_r < sent && sent_r - got_a < IN_FLIGHT)
			tu_inject(&T, PB, numbered(sent_r++, true));
		collect(PB, &got_b);
		collect(PA, &got_a);
		if (rte_get_timer_cycles() > deadline)
			fail_msg("stuck: %u/%u sent, %u/%u received", sent,
					sent_r, got_b, got_a);
	}
	vs_drop_stats(T.vs, drops);
	for (i = 0; i < VS_DROP_MAX; i++)
		if (drops[i] != 0)
			fail_msg("%" PRIu64 " %s drops", drops[i],
					vs_drop_name(i));
	assert_true(pubs >= N_PACKETS / PUBLISH_EVERY - 1);
	print_message("%u publishes while %u packets each way went through\n",
			pubs, N_PACKETS);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hitless_publish),
	};

	return cmocka_run_group_tests_name("vs_ct_worker", tests, setup,
			teardown);
}
