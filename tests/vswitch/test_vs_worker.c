/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_vs_worker.c: a real worker lcore (lcore 1) forwards a stream of
 * pod-to-pod packets while the control thread (this one) keeps changing
 * the switch: another port added and removed, other endpoints added and
 * removed, each change a new snapshot published under RCU. Not one packet
 * of the stream may be lost or damaged, and no drop may be counted.
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

#include <rte_cycles.h>
#include <rte_ip.h>
#include <rte_lcore.h>

#include "vs_test_util.h"

#define N_PACKETS 20000
#define IN_FLIGHT 256
#define CHANGE_EVERY 400        /* packets between two control changes */
#define IP_A TU_IP(10, 0, 0, 2)
#define IP_B TU_IP(10, 0, 0, 3)

static const struct rte_ether_addr R = {{ 0x02, 0x6e, 0x70, 0x76, 0x73, 0x01 }};
static const struct rte_ether_addr A = {{ 0x02, 0, 0, 0, 0, 0x0a }};
static const struct rte_ether_addr B = {{ 0x02, 0, 0, 0, 0, 0x0b }};

static struct tu T;
enum { PA, PB, PC };

static int
setup(void **state)
{
	struct vs_config c;

	(void)state;
	tu_config(&c, "test_vs_worker", 1);
	tu_start(&T, &c);
	tu_port_add(&T, "pa", false);
	tu_port_add(&T, "pb", false);
	tu_port_add(&T, "pc", false);
	assert_int_equal(tu_endpoint_add(&T, "a", "pa", IP_A, A.addr_bytes), 0);
	assert_int_equal(tu_endpoint_add(&T, "b", "pb", IP_B, B.addr_bytes), 0);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	tu_stop(&T);
	return 0;
}

/* One control change; i picks which. */
static void
control_change(unsigned int i)
{
	char name[16];

	switch (i % 4) {
	case 0:
		tu_port_del(&T, PC);
		break;
	case 1:
		tu_port_readd(&T, PC, false);
		break;
	case 2:
		snprintf(name, sizeof(name), "e%u", i);
		assert_int_equal(tu_endpoint_add(&T, name, "pc",
				TU_IP(10, 0, 1, 1 + (i / 4) % 250), NULL), 0);
		break;
	default:
		snprintf(name, sizeof(name), "e%u", i - 1);
		assert_int_equal(vs_endpoint_del(T.vs, "t", name), 0);
		break;
	}
}

/* Check a forwarded packet: b's MAC, TTL 63, sequence number in order. */
static void
check_forwarded(struct rte_mbuf *m, uint32_t expect_seq)
{
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, void *);
	struct rte_ipv4_hdr *ip = (void *)(eth + 1);
	uint32_t seq;

	assert_true(rte_is_same_ether_addr(&eth->dst_addr, &B));
	assert_int_equal(ip->time_to_live, 63);
	memcpy(&seq, ip + 1, sizeof(seq));
	assert_int_equal(seq, expect_seq);
}

static struct rte_mbuf *
numbered(uint32_t seq)
{
	struct rte_mbuf *m = tu_ip4(&T, &A, &R, IP_A, IP_B, 64, 17, 32);
	struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod_offset(m, void *,
			sizeof(struct rte_ether_hdr));

	memcpy(ip + 1, &seq, sizeof(seq));
	return m;
}

static void
test_no_loss_across_updates(void **state)
{
	uint64_t drops[VS_DROP_MAX], deadline;
	struct rte_mbuf *m[64];
	uint32_t sent = 0, got = 0, changes = 0, n, i;

	(void)state;
	deadline = rte_get_timer_cycles() + 30 * rte_get_timer_hz();
	while (got < N_PACKETS) {
		while (sent < N_PACKETS && sent - got < IN_FLIGHT) {
			tu_inject(&T, PA, numbered(sent));
			sent++;
			if (sent % CHANGE_EVERY == 0)
				control_change(changes++);
		}
		n = tu_collect(&T, PB, m, 64);
		for (i = 0; i < n; i++) {
			check_forwarded(m[i], got++);
			rte_pktmbuf_free(m[i]);
		}
		if (rte_get_timer_cycles() > deadline)
			fail_msg("stuck: %u sent, %u received", sent, got);
	}
	vs_drop_stats(T.vs, drops);
	for (i = 0; i < VS_DROP_MAX; i++)
		if (drops[i] != 0)
			fail_msg("%" PRIu64 " %s drops", drops[i], vs_drop_name(i));
	print_message("  %u packets, %u control changes\n", got, changes);
	assert_true(changes >= N_PACKETS / CHANGE_EVERY - 1);
	if (!T.port[PC].attached)
		tu_port_readd(&T, PC, false);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_loss_across_updates),
	};

	return cmocka_run_group_tests_name("vs_worker", tests, setup, teardown);
}
