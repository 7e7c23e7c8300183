/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_vs_ct.c: conntrack and policy in the data path, in process on
 * ring ports, the test thread standing in for the worker (n_workers 0):
 * the TCP state machine as packet sequences, timeouts (entries aged by
 * hand, reclaim run at a future time), replies, ICMP echo and related
 * errors, fragments, IP options, malformed L4 headers, a full table,
 * re-check after a publish, trace, counters and the denial log.
 *
 * Pods (namespace t): a 10.0.0.2 on pa, b 10.0.0.3 on pb, c 10.0.0.4 on
 * pc. Policy P1:
 *   b-in   ingress of app=b: from app=a, TCP 80, UDP 53, SCTP 9
 *   b-out  egress of app=b: nothing (b opens nothing)
 *   a-in   ingress of app=a: from app=c, all ports
 * P2 is P1 without TCP 80 in b-in.
 *
 * EAL: --no-huge --no-shconf -m 512, main lcore only.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include <cmocka.h>

#include <netinet/in.h>
#include <rte_cycles.h>
#include <rte_icmp.h>
#include <rte_ip.h>
#include <rte_sctp.h>
#include <rte_tcp.h>
#include <rte_udp.h>

#include "acl_test.h"
#include "vs_test_util.h"

enum { PA, PB, PC };
#define IP_A TU_IP(10, 0, 0, 2)
#define IP_B TU_IP(10, 0, 0, 3)
#define IP_C TU_IP(10, 0, 0, 4)
#define CT_MAX 24               /* small: the table fills in a test */
#define LOG_BUFFER 8

#define SYN RTE_TCP_SYN_FLAG
#define ACK RTE_TCP_ACK_FLAG
#define FIN RTE_TCP_FIN_FLAG
#define RST RTE_TCP_RST_FLAG

static const struct rte_ether_addr R = {{ 0x02, 0x6e, 0x70, 0x76, 0x73, 0x01 }};
static const struct rte_ether_addr MA = {{ 0x02, 0, 0, 0, 0, 0x0a }};
static const struct rte_ether_addr MB = {{ 0x02, 0, 0, 0, 0, 0x0b }};
static const struct rte_ether_addr MC = {{ 0x02, 0, 0, 0, 0, 0x0c }};

static struct tu T;
static struct acl_ruleset *P1_live;     /* what P1 compiled to last */

/* ---- policy ---- */

static struct acl_model *
model(bool with_tcp80)
{
	struct acl_model *m = at_model();
	struct acl_netpol *p;
	struct acl_rule *r;

	at_ns(m, "t", "");
	at_pod(m, "t", "a", "app=a", "10.0.0.2", "", true);
	at_pod(m, "t", "b", "app=b", "10.0.0.3", "", true);
	at_pod(m, "t", "c", "app=c", "10.0.0.4", "", true);
	p = at_pol(m, "t", "b-in", "app=b", "Ingress");
	r = at_rule(p, ACL_DIR_INGRESS);
	at_peer_pod(r, "app=a");
	if (with_tcp80)
		at_port(r, TCP, 80, 0);
	at_port(r, UDP, 53, 0);
	at_port(r, SCTP, 9, 0);
	at_pol(m, "t", "b-out", "app=b", "Egress");
	p = at_pol(m, "t", "a-in", "app=a", "Ingress");
	r = at_rule(p, ACL_DIR_INGRESS);
	at_peer_pod(r, "app=c");
	return m;
}

static void
publish(bool with_tcp80)
{
	struct acl_ruleset *rs = tu_policy_publish(&T, model(with_tcp80), "tct");

	if (with_tcp80)
		P1_live = rs;
}

/* ---- fixture ---- */

static int
setup(void **state)
{
	struct vs_config c;

	(void)state;
	tu_config(&c, "test_vs_ct", 0);
	c.ct.max = CT_MAX;
	c.ct.log_buffer = LOG_BUFFER;
	c.ct.log_rate = 2;
	tu_start(&T, &c);
	tu_port_add(&T, "pa", false);
	tu_port_add(&T, "pb", false);
	tu_port_add(&T, "pc", false);
	assert_int_equal(tu_endpoint_add(&T, "a", "pa", IP_A, MA.addr_bytes), 0);
	assert_int_equal(tu_endpoint_add(&T, "b", "pb", IP_B, MB.addr_bytes), 0);
	assert_int_equal(tu_endpoint_add(&T, "c", "pc", IP_C, MC.addr_bytes), 0);
	publish(true);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	tu_stop(&T);
	return 0;
}

/* Each test starts with an empty table, P1 live, re-check on. */
static int
fresh(void **state)
{
	(void)state;
	T.vs->cfg.ct.recheck_flows = true;
	T.vs->cfg.ct.tcp_loose = false;
	if (vs_policy_get(T.vs) != P1_live)
		publish(true);
	vs_ct_flush(T.vs);
	tu_drain(&T);
	return 0;
}

/* ---- frames ---- */

static const struct rte_ether_addr *
mac_of(uint32_t ip)
{
	return ip == IP_A ? &MA : ip == IP_B ? &MB : &MC;
}

static unsigned int
port_of(uint32_t ip)
{
	return ip == IP_A ? PA : ip == IP_B ? PB : PC;
}

static void *
l4_of(struct rte_mbuf *m)
{
	struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod_offset(m, void *,
			sizeof(struct rte_ether_hdr));

	return (uint8_t *)ip + rte_ipv4_hdr_len(ip);
}

static struct rte_mbuf *
tcp(uint32_t s, uint32_t d, uint16_t sp, uint16_t dp, uint8_t flags)
{
	struct rte_mbuf *m = tu_ip4(&T, mac_of(s), &R, s, d, 64, IPPROTO_TCP,
			sizeof(struct rte_tcp_hdr) + 8);
	struct rte_tcp_hdr *t = l4_of(m);

	t->src_port = rte_cpu_to_be_16(sp);
	t->dst_port = rte_cpu_to_be_16(dp);
	t->tcp_flags = flags;
	return m;
}

static struct rte_mbuf *
udp(uint32_t s, uint32_t d, uint16_t sp, uint16_t dp)
{
	struct rte_mbuf *m = tu_ip4(&T, mac_of(s), &R, s, d, 64, IPPROTO_UDP,
			sizeof(struct rte_udp_hdr) + 32);
	struct rte_udp_hdr *u = l4_of(m);

	u->src_port = rte_cpu_to_be_16(sp);
	u->dst_port = rte_cpu_to_be_16(dp);
	return m;
}

/* A UDP datagram with IP id and TTL of its own (checksum kept right). */
static struct rte_mbuf *
udp_id(uint32_t s, uint32_t d, uint16_t sp, uint16_t dp, uint16_t id,
		uint8_t ttl)
{
	struct rte_mbuf *m = udp(s, d, sp, dp);
	struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod_offset(m, void *,
			sizeof(struct rte_ether_hdr));

	ip->packet_id = rte_cpu_to_be_16(id);
	ip->time_to_live = ttl;
	ip->hdr_checksum = 0;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	return m;
}

static struct rte_mbuf *
sctp(uint32_t s, uint32_t d, uint16_t sp, uint16_t dp)
{
	struct rte_mbuf *m = tu_ip4(&T, mac_of(s), &R, s, d, 64, IPPROTO_SCTP,
			sizeof(struct rte_sctp_hdr) + 16);
	struct rte_sctp_hdr *h = l4_of(m);

	h->src_port = rte_cpu_to_be_16(sp);
	h->dst_port = rte_cpu_to_be_16(dp);
	return m;
}

static struct rte_mbuf *
echo(uint32_t s, uint32_t d, uint8_t type, uint16_t id)
{
	struct rte_mbuf *m = tu_ip4(&T, mac_of(s), &R, s, d, 64, IPPROTO_ICMP,
			sizeof(struct rte_icmp_hdr) + 16);
	struct rte_icmp_hdr *h = l4_of(m);

	h->icmp_type = type;
	h->icmp_ident = rte_cpu_to_be_16(id);
	return m;
}

/*
 * ICMP error s -> d quoting a UDP packet qs:qsp -> qd:qdp; quote: bytes
 * of the quoted packet included (28 = header and 8 bytes).
 */
static struct rte_mbuf *
icmp_err(uint32_t s, uint32_t d, uint8_t type, uint32_t qs, uint32_t qd,
		uint16_t qsp, uint16_t qdp, uint16_t quote)
{
	struct rte_mbuf *m = tu_ip4(&T, mac_of(s), &R, s, d, 64, IPPROTO_ICMP,
			sizeof(struct rte_icmp_hdr) + quote);
	struct rte_icmp_hdr *h = l4_of(m);
	uint8_t q[28];
	struct rte_ipv4_hdr *qi = (void *)q;
	struct rte_udp_hdr *qu = (void *)(qi + 1);

	memset(q, 0, sizeof(q));
	qi->version_ihl = RTE_IPV4_VHL_DEF;
	qi->total_length = rte_cpu_to_be_16(60);
	qi->next_proto_id = IPPROTO_UDP;
	qi->src_addr = rte_cpu_to_be_32(qs);
	qi->dst_addr = rte_cpu_to_be_32(qd);
	qu->src_port = rte_cpu_to_be_16(qsp);
	qu->dst_port = rte_cpu_to_be_16(qdp);
	qu->dgram_len = rte_cpu_to_be_16(40);
	h->icmp_type = type;
	h->icmp_code = 3;
	memcpy(h + 1, q, RTE_MIN(quote, (uint16_t)sizeof(q)));
	return m;
}

/* ---- running ---- */

static void
poll_once(void)
{
	vs_worker_poll(vs_worker_get(T.vs, 0));
}

/* Send m from its source's port; return where it went (-1: nowhere). */
static int
xmit(struct rte_mbuf *m)
{
	const struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod_offset(m,
			const void *, sizeof(struct rte_ether_hdr));
	struct rte_mbuf *out[8];
	unsigned int i, n;
	int where = -1;

	tu_inject(&T, port_of(rte_be_to_cpu_32(ip->src_addr)), m);
	poll_once();
	for (i = 0; i < T.n_ports; i++) {
		n = tu_collect(&T, i, out, 8);
		if (n == 0)
			continue;
		assert_int_equal(n, 1);
		assert_int_equal(where, -1);
		where = (int)i;
		rte_pktmbuf_free(out[0]);
	}
	return where;
}

static void
pass(struct rte_mbuf *m, unsigned int out, const char *what)
{
	int got = xmit(m);

	if (got != (int)out)
		fail_msg("%s: expected out on %s, got %s", what,
				T.port[out].name, got < 0 ? "a drop" :
				T.port[got].name);
}

static void
drop(struct rte_mbuf *m, enum vs_drop why, const char *what)
{
	uint64_t before = tu_drops(&T, why);
	int got = xmit(m);

	if (got >= 0)
		fail_msg("%s: forwarded on %s, expected a %s drop", what,
				T.port[got].name, vs_drop_name(why));
	if (tu_drops(&T, why) != before + 1)
		fail_msg("%s: dropped, but not counted as %s", what,
				vs_drop_name(why));
}

/* Trace of a flow (host-order addresses). */
static struct vs_trace_result
trace(uint8_t proto, uint32_t s, uint32_t d, uint16_t sp, uint16_t dp)
{
	struct vs_trace_req q;
	struct vs_trace_result r;
	uint32_t a;

	memset(&q, 0, sizeof(q));
	q.src.family = q.dst.family = AF_INET;
	a = rte_cpu_to_be_32(s);
	memcpy(q.src.addr, &a, 4);
	a = rte_cpu_to_be_32(d);
	memcpy(q.dst.addr, &a, 4);
	q.proto = proto;
	q.sport = sp;
	q.dport = dp;
	assert_int_equal(vs_trace(T.vs, &q, &r), 0);
	return r;
}

static const char *
ct_state_of(uint8_t proto, uint32_t s, uint32_t d, uint16_t sp, uint16_t dp)
{
	static char buf[16];
	struct vs_trace_result r = trace(proto, s, d, sp, dp);

	snprintf(buf, sizeof(buf), "%s", r.flow ? r.flow_state : "-");
	return buf;
}

/* The slot of a flow's entry, or <0. */
static int32_t
find(uint8_t proto, uint32_t s, uint32_t d, uint16_t sp, uint16_t dp)
{
	uint32_t bs = rte_cpu_to_be_32(s), bd = rte_cpu_to_be_32(d);
	struct ct_key k;
	uint8_t from_a;

	vs_ct_key_make(&k, AF_INET, (const uint8_t *)&bs,
			(const uint8_t *)&bd, rte_cpu_to_be_16(sp),
			rte_cpu_to_be_16(dp), proto, &from_a);
	return vs_ct_find(T.vs, &k);
}

/* The entry of a flow, to age it by hand. */
static struct ct_entry *
entry(uint8_t proto, uint32_t s, uint32_t d, uint16_t sp, uint16_t dp)
{
	int32_t pos = find(proto, s, d, sp, dp);

	assert_true(pos >= 0);
	return &T.vs->ct->e[pos];
}

static void
age(struct ct_entry *e, unsigned int seconds)
{
	e->last_tsc -= (uint64_t)seconds * rte_get_tsc_hz();
}

/* Run reclaim over the whole table as if it were now + seconds. */
static void
reclaim_at(unsigned int seconds)
{
	uint64_t now = rte_get_tsc_cycles() + (uint64_t)seconds *
			rte_get_tsc_hz();
	uint32_t i;

	for (i = 0; i <= T.vs->ct->n_slots / CT_RECLAIM_SLICE; i++)
		vs_ct_reclaim(T.vs, now);
}

/* ---- TCP state machine ---- */

struct tcp_step {
	bool from_a;            /* a -> b, else b -> a */
	uint8_t flags;
	bool forwarded;
	const char *state;      /* after the packet */
	const char *why;
};

static void
run_tcp(const struct tcp_step *s, unsigned int n, uint16_t sport)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		struct rte_mbuf *m = s[i].from_a ?
				tcp(IP_A, IP_B, sport, 80, s[i].flags) :
				tcp(IP_B, IP_A, 80, sport, s[i].flags);
		int got = xmit(m);

		if ((got >= 0) != s[i].forwarded)
			fail_msg("step %u (%s): %s", i, s[i].why,
					got >= 0 ? "forwarded" : "dropped");
		if (strcmp(ct_state_of(IPPROTO_TCP, IP_A, IP_B, sport, 80),
				s[i].state) != 0)
			fail_msg("step %u (%s): state %s, expected %s", i,
					s[i].why, ct_state_of(IPPROTO_TCP, IP_A, IP_B,
					sport, 80), s[i].state);
	}
}

static void
test_tcp_handshake_and_close(void **state)
{
	static const struct tcp_step steps[] = {
		{ true, SYN, true, "SYN_SENT", "SYN opens" },
		{ true, SYN, true, "SYN_SENT", "SYN retransmitted" },
		{ false, SYN | ACK, true, "SYN_RECV", "SYN+ACK from b" },
		{ true, ACK, true, "ESTABLISHED", "ACK completes" },
		{ true, ACK, true, "ESTABLISHED", "data a -> b" },
		{ false, ACK, true, "ESTABLISHED", "data b -> a (b opens nothing)" },
		{ true, FIN | ACK, true, "FIN_WAIT", "a closes" },
		{ false, ACK, true, "FIN_WAIT", "b acks" },
		{ false, FIN | ACK, true, "CLOSED", "b closes" },
		{ true, ACK, true, "CLOSED", "last ACK passes" },
		{ true, SYN, true, "SYN_SENT", "a new SYN reuses the entry" },
		{ false, SYN | ACK, true, "SYN_RECV", "" },
		{ true, ACK, true, "ESTABLISHED", "" },
		{ false, RST, true, "CLOSED", "RST closes" },
		{ true, ACK, true, "CLOSED", "a late ACK of a closed flow" },
	};

	(void)state;
	run_tcp(steps, RTE_DIM(steps), 40000);
}

static void
test_tcp_no_flow(void **state)
{
	(void)state;
	drop(tcp(IP_A, IP_B, 40001, 80, ACK), VS_DROP_TCP_NO_FLOW,
			"ACK without a flow");
	drop(tcp(IP_A, IP_B, 40001, 80, FIN | ACK), VS_DROP_TCP_NO_FLOW,
			"FIN without a flow");
	drop(tcp(IP_A, IP_B, 40001, 80, RST), VS_DROP_TCP_NO_FLOW,
			"RST without a flow");
	drop(tcp(IP_B, IP_A, 80, 40001, SYN | ACK), VS_DROP_TCP_NO_FLOW,
			"SYN+ACK without a SYN");
	assert_string_equal(ct_state_of(IPPROTO_TCP, IP_A, IP_B, 40001, 80), "-");

	/* Loose pickup: admitted as ESTABLISHED, policy still applies. */
	T.vs->cfg.ct.tcp_loose = true;
	pass(tcp(IP_A, IP_B, 40001, 80, ACK), PB, "loose pickup");
	assert_string_equal(ct_state_of(IPPROTO_TCP, IP_A, IP_B, 40001, 80),
			"ESTABLISHED");
	drop(tcp(IP_A, IP_B, 40001, 81, ACK), VS_DROP_POLICY_DENIED,
			"loose pickup of a denied port");
	drop(tcp(IP_A, IP_B, 40002, 80, RST), VS_DROP_TCP_NO_FLOW,
			"RST is never picked up");
}

static void
test_tcp_timeouts(void **state)
{
	(void)state;
	/* Half-open: gone after tcp_syn (30 s), reclaimed by control. */
	pass(tcp(IP_A, IP_B, 40010, 80, SYN), PB, "SYN");
	reclaim_at(29);
	assert_string_equal(ct_state_of(IPPROTO_TCP, IP_A, IP_B, 40010, 80),
			"SYN_SENT");
	reclaim_at(32);
	assert_string_equal(ct_state_of(IPPROTO_TCP, IP_A, IP_B, 40010, 80), "-");

	/* Established: survives 30 s, not 21600. */
	pass(tcp(IP_A, IP_B, 40011, 80, SYN), PB, "SYN");
	pass(tcp(IP_B, IP_A, 80, 40011, SYN | ACK), PA, "SYN+ACK");
	pass(tcp(IP_A, IP_B, 40011, 80, ACK), PB, "ACK");
	reclaim_at(3600);
	assert_string_equal(ct_state_of(IPPROTO_TCP, IP_A, IP_B, 40011, 80),
			"ESTABLISHED");
	/* A worker treats an entry past its timeout as gone at once. */
	age(entry(IPPROTO_TCP, IP_A, IP_B, 40011, 80), 21601);
	drop(tcp(IP_A, IP_B, 40011, 80, ACK), VS_DROP_TCP_NO_FLOW,
			"ACK of an expired flow");
	reclaim_at(0);
	assert_string_equal(ct_state_of(IPPROTO_TCP, IP_A, IP_B, 40011, 80), "-");

	/* Closed: tcp_closed (10 s). */
	pass(tcp(IP_A, IP_B, 40012, 80, SYN), PB, "SYN");
	pass(tcp(IP_B, IP_A, 80, 40012, RST | ACK), PA, "RST");
	reclaim_at(9);
	assert_string_equal(ct_state_of(IPPROTO_TCP, IP_A, IP_B, 40012, 80),
			"CLOSED");
	reclaim_at(12);
	assert_string_equal(ct_state_of(IPPROTO_TCP, IP_A, IP_B, 40012, 80), "-");
}

/* ---- UDP, SCTP, replies ---- */

static void
test_udp_sctp_replies(void **state)
{
	(void)state;
	pass(udp(IP_A, IP_B, 5000, 53), PB, "a -> b:53 allowed");
	pass(udp(IP_B, IP_A, 53, 5000), PA, "reply, though b opens nothing");
	drop(udp(IP_B, IP_A, 53, 5001), VS_DROP_POLICY_DENIED,
			"b -> a: a new flow");
	drop(udp(IP_A, IP_B, 5000, 54), VS_DROP_POLICY_DENIED, "a -> b:54");
	drop(udp(IP_C, IP_B, 5000, 53), VS_DROP_POLICY_DENIED, "c -> b:53");
	assert_string_equal(ct_state_of(IPPROTO_UDP, IP_A, IP_B, 5000, 53), "UDP");
	pass(sctp(IP_A, IP_B, 7000, 9), PB, "SCTP a -> b:9");
	pass(sctp(IP_B, IP_A, 9, 7000), PA, "SCTP reply");
	assert_string_equal(ct_state_of(IPPROTO_SCTP, IP_A, IP_B, 7000, 9), "SCTP");

	/* UDP 60 s, SCTP 300 s. */
	reclaim_at(62);
	assert_string_equal(ct_state_of(IPPROTO_UDP, IP_A, IP_B, 5000, 53), "-");
	assert_string_equal(ct_state_of(IPPROTO_SCTP, IP_A, IP_B, 7000, 9), "SCTP");
	reclaim_at(302);
	assert_string_equal(ct_state_of(IPPROTO_SCTP, IP_A, IP_B, 7000, 9), "-");
	drop(udp(IP_B, IP_A, 53, 5000), VS_DROP_POLICY_DENIED,
			"a reply after expiry is a new flow");
}

/* ---- ICMP ---- */

static void
test_icmp_echo(void **state)
{
	(void)state;
	pass(echo(IP_A, IP_C, RTE_IP_ICMP_ECHO_REQUEST, 7), PC, "a pings c");
	pass(echo(IP_C, IP_A, RTE_IP_ICMP_ECHO_REPLY, 7), PA, "c replies");
	assert_string_equal(ct_state_of(IPPROTO_ICMP, IP_A, IP_C, 7, 0), "ICMP");
	drop(echo(IP_C, IP_A, RTE_IP_ICMP_ECHO_REPLY, 8), VS_DROP_ICMP_NO_FLOW,
			"a reply with another id");
	drop(echo(IP_B, IP_C, RTE_IP_ICMP_ECHO_REPLY, 7), VS_DROP_ICMP_NO_FLOW,
			"a reply from another host");
	drop(echo(IP_B, IP_A, RTE_IP_ICMP_ECHO_REQUEST, 9),
			VS_DROP_POLICY_DENIED, "b pings a: denied");
	drop(echo(IP_A, IP_B, RTE_IP_ICMP_ECHO_REQUEST, 9),
			VS_DROP_POLICY_DENIED, "a pings b: ICMP not in b-in");
	reclaim_at(32);
	assert_string_equal(ct_state_of(IPPROTO_ICMP, IP_A, IP_C, 7, 0), "-");
}

static void
test_icmp_errors(void **state)
{
	(void)state;
	pass(udp(IP_A, IP_B, 5100, 53), PB, "a -> b:53");
	/* b's port unreachable back to a, though b opens nothing. */
	pass(icmp_err(IP_B, IP_A, 3, IP_A, IP_B, 5100, 53, 28), PA,
			"port unreachable for a known flow");
	pass(icmp_err(IP_B, IP_A, 11, IP_A, IP_B, 5100, 53, 28), PA,
			"time exceeded for a known flow");
	drop(icmp_err(IP_B, IP_A, 3, IP_A, IP_B, 5101, 53, 28),
			VS_DROP_ICMP_NO_FLOW, "unreachable for an unknown flow");
	drop(icmp_err(IP_C, IP_A, 3, IP_A, IP_C, 5100, 53, 28),
			VS_DROP_ICMP_NO_FLOW, "unreachable for a flow not seen");
	drop(icmp_err(IP_B, IP_A, 3, IP_A, IP_B, 5100, 53, 24),
			VS_DROP_L4_MALFORMED, "quote shorter than header + 8");
	/* Other ICMP types: policy per packet. */
	pass(echo(IP_A, IP_C, 13, 1), PC, "timestamp a -> c: unisolated");
	drop(echo(IP_A, IP_B, 13, 1), VS_DROP_POLICY_DENIED,
			"timestamp a -> b: denied");
}

/* ---- fragments and IP options ---- */

static struct rte_mbuf *
fragment(uint32_t s, uint32_t d, uint16_t id, bool first, uint16_t sp,
		uint16_t dp)
{
	struct rte_mbuf *m = udp_id(s, d, sp, dp, id, 64);
	struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod_offset(m, void *,
			sizeof(struct rte_ether_hdr));

	ip->fragment_offset = rte_cpu_to_be_16(first ? RTE_IPV4_HDR_MF_FLAG :
			185);
	if (first) {
		struct rte_udp_hdr *u = l4_of(m);

		u->dgram_len = rte_cpu_to_be_16(3000);
	} else {
		memset(l4_of(m), 0xee, 8);      /* payload, not a header */
	}
	ip->hdr_checksum = 0;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	return m;
}

static void
test_fragments(void **state)
{
	(void)state;
	pass(fragment(IP_A, IP_B, 7, true, 5200, 53), PB, "first, allowed");
	pass(fragment(IP_A, IP_B, 7, false, 0, 0), PB, "second follows");
	pass(fragment(IP_A, IP_B, 7, false, 0, 0), PB, "third follows");
	drop(fragment(IP_A, IP_B, 8, false, 0, 0), VS_DROP_FRAGMENT,
			"no first fragment seen");
	drop(fragment(IP_C, IP_B, 9, true, 5200, 53), VS_DROP_POLICY_DENIED,
			"first, denied");
	drop(fragment(IP_C, IP_B, 9, false, 0, 0), VS_DROP_FRAGMENT,
			"follows the denied first");
	drop(fragment(IP_A, IP_C, 7, false, 0, 0), VS_DROP_FRAGMENT,
			"same id, other destination");
}

/* A datagram's fragments in one burst: the later ones see the first. */
static void
test_fragments_one_burst(void **state)
{
	struct rte_mbuf *out[8];
	uint64_t before = tu_drops(&T, VS_DROP_FRAGMENT);

	(void)state;
	tu_inject(&T, PA, fragment(IP_A, IP_B, 20, true, 5201, 53));
	tu_inject(&T, PA, fragment(IP_A, IP_B, 20, false, 0, 0));
	tu_inject(&T, PA, fragment(IP_A, IP_B, 20, false, 0, 0));
	poll_once();
	assert_int_equal(tu_collect(&T, PB, out, 8), 3);
	rte_pktmbuf_free_bulk(out, 3);
	assert_int_equal(tu_drops(&T, VS_DROP_FRAGMENT), before);
}

static void
test_ip_options(void **state)
{
	uint8_t buf[sizeof(struct rte_ether_hdr) + 24 + 8 + 16];
	struct rte_ether_hdr *eth = (void *)buf;
	struct rte_ipv4_hdr *ip = (void *)(eth + 1);
	uint8_t *opt = (uint8_t *)(ip + 1);
	struct rte_udp_hdr *u = (void *)(opt + 4);

	(void)state;
	memset(buf, 0, sizeof(buf));
	eth->src_addr = MA;
	eth->dst_addr = R;
	eth->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV4);
	ip->version_ihl = 0x46;         /* 4 bytes of options */
	ip->total_length = rte_cpu_to_be_16(24 + 8 + 16);
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_UDP;
	ip->src_addr = rte_cpu_to_be_32(IP_A);
	ip->dst_addr = rte_cpu_to_be_32(IP_B);
	memset(opt, 1, 4);              /* NOP x 4 */
	u->src_port = rte_cpu_to_be_16(5300);
	u->dst_port = rte_cpu_to_be_16(53);
	u->dgram_len = rte_cpu_to_be_16(24);
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	pass(tu_raw(&T, buf, sizeof(buf)), PB, "UDP with IP options");
	/* The ports were read past the options. */
	assert_string_equal(ct_state_of(IPPROTO_UDP, IP_A, IP_B, 5300, 53), "UDP");
	u->dst_port = rte_cpu_to_be_16(54);
	drop(tu_raw(&T, buf, sizeof(buf)), VS_DROP_POLICY_DENIED,
			"options, denied port");
}

/* ---- malformed L4 ---- */

struct bad_l4 {
	const char *why;
	uint8_t proto;
	uint16_t l4len;         /* bytes after the IP header */
	int off;                /* a byte to set in the L4 header, or -1 */
	uint8_t val;
	int off2;
	uint8_t val2;
};

static void
test_malformed_l4(void **state)
{
	static const struct bad_l4 rows[] = {
		{ "TCP of 10 bytes", IPPROTO_TCP, 10, 12, 0x50, -1, 0 },
		{ "TCP data offset 4", IPPROTO_TCP, 28, 12, 0x40, 13, SYN },
		{ "TCP data offset past the end", IPPROTO_TCP, 28, 12, 0xf0,
			13, SYN },
		{ "TCP SYN+FIN", IPPROTO_TCP, 28, 12, 0x50, 13, SYN | FIN },
		{ "TCP SYN+RST", IPPROTO_TCP, 28, 12, 0x50, 13, SYN | RST },
		{ "UDP of 4 bytes", IPPROTO_UDP, 4, -1, 0, -1, 0 },
		{ "UDP length 4", IPPROTO_UDP, 16, 5, 4, -1, 0 },
		{ "UDP length past the end", IPPROTO_UDP, 16, 5, 200, -1, 0 },
		{ "SCTP of 8 bytes", IPPROTO_SCTP, 8, -1, 0, -1, 0 },
		{ "ICMP of 4 bytes", IPPROTO_ICMP, 4, 0, 8, -1, 0 },
		{ "ICMP error quoting 4 bytes", IPPROTO_ICMP, 12, 0, 3, -1, 0 },
	};
	unsigned int i;

	(void)state;
	for (i = 0; i < RTE_DIM(rows); i++) {
		const struct bad_l4 *r = &rows[i];
		struct rte_mbuf *m = tu_ip4(&T, &MA, &R, IP_A, IP_B, 64,
				r->proto, r->l4len);
		uint8_t *l4 = l4_of(m);

		/* tu_ip4 made a valid header where it could: spoil it. */
		if (r->proto == IPPROTO_UDP && r->l4len >= 8)
			l4[4] = 0;
		if (r->off >= 0)
			l4[r->off] = r->val;
		if (r->off2 >= 0)
			l4[r->off2] = r->val2;
		drop(m, VS_DROP_L4_MALFORMED, r->why);
	}
	pass(udp(IP_A, IP_B, 5400, 53), PB, "a good one still passes");
}

/* ---- a full table ---- */

static void
test_table_full(void **state)
{
	struct vs_ct_info ci;
	uint16_t i;

	(void)state;
	for (i = 0; i < CT_MAX; i++)
		pass(udp(IP_A, IP_C, 6000 + i, 7), PC, "filling");
	vs_ct_info(T.vs, &ci);
	assert_int_equal(ci.count, CT_MAX);
	assert_int_equal(ci.max, CT_MAX);
	drop(udp(IP_A, IP_C, 7000, 7), VS_DROP_CT_FULL, "one flow too many");
	drop(tcp(IP_A, IP_B, 7001, 80, SYN), VS_DROP_CT_FULL, "a SYN too");
	pass(udp(IP_A, IP_C, 6003, 7), PC, "an existing flow goes on");
	pass(udp(IP_C, IP_A, 7, 6010), PA, "and its replies");
	/* Expired entries are reclaimed and make room. */
	reclaim_at(62);
	vs_ct_info(T.vs, &ci);
	assert_int_equal(ci.count, 0);
	pass(udp(IP_A, IP_C, 7000, 7), PC, "room again");
}

/*
 * One burst of new UDP flows from A to C (ports sp[0..n)): how many were
 * forwarded; the rest must be ct_full drops.
 */
static unsigned int
burst_new(const uint16_t *sp, unsigned int n)
{
	uint64_t full = tu_drops(&T, VS_DROP_CT_FULL);
	struct rte_mbuf *out[16];
	unsigned int i, got;

	for (i = 0; i < n; i++)
		tu_inject(&T, PA, udp(IP_A, IP_C, sp[i], 7));
	poll_once();
	got = tu_collect(&T, PC, out, RTE_DIM(out));
	rte_pktmbuf_free_bulk(out, got);
	assert_int_equal(tu_drops(&T, VS_DROP_CT_FULL) - full, n - got);
	return got;
}

/* A burst reserves its new flows at once, or flow by flow near full. */
static void
test_table_full_burst(void **state)
{
	static const uint16_t dup[] = { 8000, 8001, 8000, 8002 };
	static const uint16_t six[] = { 8100, 8101, 8102, 8103, 8104, 8105 };
	struct vs_ct_info ci;
	uint16_t i;

	(void)state;
	for (i = 0; i < CT_MAX - 8; i++)
		pass(udp(IP_A, IP_C, 6000 + i, 7), PC, "filling");
	/* Fits: one reservation; the repeated key gives its count back. */
	assert_int_equal(burst_new(dup, RTE_DIM(dup)), 4);
	vs_ct_info(T.vs, &ci);
	assert_int_equal(ci.count, CT_MAX - 5);
	assert_int_equal(entry(IPPROTO_UDP, IP_A, IP_C, 8000, 7)->pkts[0], 2);
	/* Six new flows, five places: the first five, flow by flow. */
	assert_int_equal(burst_new(six, RTE_DIM(six)), 5);
	vs_ct_info(T.vs, &ci);
	assert_int_equal(ci.count, CT_MAX);
	assert_non_null(entry(IPPROTO_UDP, IP_A, IP_C, 8104, 7));
	assert_true(find(IPPROTO_UDP, IP_A, IP_C, 8105, 7) < 0);
}

/* ---- re-check after a publish ---- */

static void
establish_80(uint16_t sp)
{
	pass(tcp(IP_A, IP_B, sp, 80, SYN), PB, "SYN");
	pass(tcp(IP_B, IP_A, 80, sp, SYN | ACK), PA, "SYN+ACK");
	pass(tcp(IP_A, IP_B, sp, 80, ACK), PB, "ACK");
}

static void
test_recheck(void **state)
{
	struct vs_trace_result r;

	(void)state;
	establish_80(41000);
	pass(udp(IP_A, IP_B, 5500, 53), PB, "UDP a -> b:53");
	publish(false);         /* P2: b-in loses TCP 80 */
	r = trace(IPPROTO_TCP, IP_A, IP_B, 41000, 80);
	assert_true(r.flow && r.flow_stale);
	drop(tcp(IP_A, IP_B, 41000, 80, ACK), VS_DROP_POLICY_DENIED,
			"the removed allow stops the flow");
	drop(tcp(IP_B, IP_A, 80, 41000, ACK), VS_DROP_POLICY_DENIED,
			"and its replies");
	r = trace(IPPROTO_TCP, IP_A, IP_B, 41000, 80);
	assert_true(r.flow && r.flow_denied && !r.flow_stale);
	pass(udp(IP_B, IP_A, 53, 5500), PA, "UDP 53 is still allowed");
	publish(true);          /* P1 again: the flow comes back */
	pass(tcp(IP_A, IP_B, 41000, 80, ACK), PB, "allowed again");
	pass(tcp(IP_B, IP_A, 80, 41000, ACK), PA, "replies too");

	/* recheck_flows off: admitted flows keep their verdict. */
	T.vs->cfg.ct.recheck_flows = false;
	publish(false);
	pass(tcp(IP_A, IP_B, 41000, 80, ACK), PB, "no re-check");
	drop(tcp(IP_A, IP_B, 41001, 80, SYN), VS_DROP_POLICY_DENIED,
			"a new flow sees P2");

	/* No policy at all: everything unisolated, flows re-checked. */
	T.vs->cfg.ct.recheck_flows = true;
	{
		char err[128];

		assert_int_equal(vs_policy_publish(T.vs, NULL, err,
				sizeof(err)), 0);
	}
	pass(tcp(IP_A, IP_B, 41001, 80, SYN), PB, "no policy: allowed");
	pass(udp(IP_B, IP_A, 99, 99), PA, "b opens flows now");
}

/* ---- trace, counters, log ---- */

static void
test_trace(void **state)
{
	struct vs_trace_result r;

	(void)state;
	r = trace(IPPROTO_TCP, IP_A, IP_B, 1234, 80);
	assert_true(r.routed && r.policy && r.allowed && !r.flow);
	assert_string_equal(r.out_port, "pb");
	assert_int_equal(r.egress.verdict, ACL_VERDICT_UNISOLATED);
	assert_true(r.ingress.has_rule);
	assert_string_equal(r.ingress.rule.policy_name, "b-in");
	assert_int_equal(r.ingress.rule.rule, 0);
	assert_int_equal(r.ingress.rule.port, 0);      /* TCP 80: port 0 */
	assert_string_equal(r.ingress.name, "b");

	r = trace(IPPROTO_UDP, IP_A, IP_B, 1234, 53);
	assert_true(r.allowed && r.ingress.has_rule);
	assert_int_equal(r.ingress.rule.port, 1);

	r = trace(IPPROTO_TCP, IP_B, IP_A, 1234, 80);
	assert_false(r.allowed);
	assert_int_equal(r.egress.verdict, ACL_VERDICT_DENY);
	assert_int_equal(r.ingress.verdict, ACL_VERDICT_DENY);
	assert_true(r.egress.group != 0 && r.ingress.group != 0);

	r = trace(IPPROTO_TCP, IP_C, IP_A, 1234, 22);
	assert_true(r.allowed);
	assert_string_equal(r.ingress.rule.policy_name, "a-in");

	establish_80(1234);
	r = trace(IPPROTO_TCP, IP_A, IP_B, 1234, 80);
	assert_true(r.flow);
	assert_string_equal(r.flow_state, "ESTABLISHED");
	/* The other direction names the same flow. */
	r = trace(IPPROTO_TCP, IP_B, IP_A, 80, 1234);
	assert_true(r.flow);
}

static const struct vs_rule_ctr *
rule_find(const struct vs_rule_ctr *c, uint32_t n, const char *pol,
		uint32_t port)
{
	uint32_t i;

	for (i = 0; i < n; i++)
		if (strcmp(c[i].rule.policy_name, pol) == 0 &&
				c[i].rule.port == port)
			return &c[i];
	return NULL;
}

static void
test_counters(void **state)
{
	struct vs_rule_ctr c[64];
	struct vs_deny_ctr d[16];
	const struct vs_rule_ctr *r80;
	uint64_t before;
	uint32_t n, i;
	bool seen = false;

	(void)state;
	n = vs_rule_stats(T.vs, c, RTE_DIM(c));
	assert_true(n > 0 && n <= RTE_DIM(c));
	r80 = rule_find(c, n, "b-in", 0);
	assert_non_null(r80);
	before = r80->packets;
	establish_80(42000);    /* 3 packets of a flow b-in's TCP 80 allows */
	n = vs_rule_stats(T.vs, c, RTE_DIM(c));
	r80 = rule_find(c, n, "b-in", 0);
	assert_non_null(r80);
	assert_int_equal(r80->packets, before + 3);
	assert_int_equal(r80->rule.dir, VS_DIR_INGRESS);

	drop(udp(IP_C, IP_B, 1, 53), VS_DROP_POLICY_DENIED, "c -> b");
	n = vs_deny_stats(T.vs, d, RTE_DIM(d));
	for (i = 0; i < n; i++)
		if (strcmp(d[i].name, "b") == 0 && d[i].dir == VS_DIR_INGRESS &&
				d[i].packets > 0)
			seen = true;
	assert_true(seen);
}

/* Rows of one burst: a flow's packets in a row and apart, its replies. */
struct burst_row {
	unsigned int in;        /* port it comes in on */
	uint32_t s, d;
	uint16_t sp, dp;
};

static const struct burst_row burst_rows[] = {
	{ PA, IP_A, IP_B, 7000, 53 },   /* opens 7000 */
	{ PA, IP_A, IP_B, 7000, 53 },
	{ PA, IP_A, IP_B, 7000, 53 },
	{ PA, IP_A, IP_B, 7001, 53 },   /* opens 7001 */
	{ PA, IP_A, IP_B, 7000, 53 },
	{ PB, IP_B, IP_A, 53, 7000 },   /* replies: the next burst */
	{ PB, IP_B, IP_A, 53, 7000 },
	{ PB, IP_B, IP_A, 53, 7001 },
};

/*
 * Counters are added per run of one entry's packets in a burst: the
 * totals must be those of the packets, whatever the grouping.
 */
static void
test_counters_one_burst(void **state)
{
	struct vs_rule_ctr c[64];
	const struct vs_rule_ctr *r53;
	const struct ct_entry *e0, *e1;
	struct rte_mbuf *out[16];
	uint64_t before, len = 0;
	unsigned int i, got;
	uint32_t n;

	(void)state;
	n = vs_rule_stats(T.vs, c, RTE_DIM(c));
	r53 = rule_find(c, n, "b-in", 1);       /* UDP 53 */
	assert_non_null(r53);
	before = r53->packets;
	for (i = 0; i < RTE_DIM(burst_rows); i++) {
		const struct burst_row *b = &burst_rows[i];
		struct rte_mbuf *m = udp(b->s, b->d, b->sp, b->dp);

		len = rte_pktmbuf_pkt_len(m);
		tu_inject(&T, b->in, m);
	}
	poll_once();            /* one burst from pa, one from pb */
	got = tu_collect(&T, PB, out, RTE_DIM(out));
	assert_int_equal(got, 5);
	rte_pktmbuf_free_bulk(out, got);
	got = tu_collect(&T, PA, out, RTE_DIM(out));
	assert_int_equal(got, 3);
	rte_pktmbuf_free_bulk(out, got);

	e0 = entry(IPPROTO_UDP, IP_A, IP_B, 7000, 53);
	e1 = entry(IPPROTO_UDP, IP_A, IP_B, 7001, 53);
	assert_int_equal(e0->pkts[0], 4);
	assert_int_equal(e0->pkts[1], 2);
	assert_int_equal(e0->bytes[0], 4 * len);
	assert_int_equal(e0->bytes[1], 2 * len);
	assert_int_equal(e1->pkts[0], 1);
	assert_int_equal(e1->pkts[1], 1);
	assert_true(CT_FL(e0->st) & CT_F_REPLIED);
	assert_true(e0->last_tsc >= e0->created_tsc && e0->last_tsc > 0);
	n = vs_rule_stats(T.vs, c, RTE_DIM(c));
	r53 = rule_find(c, n, "b-in", 1);
	assert_non_null(r53);
	assert_int_equal(r53->packets, before + RTE_DIM(burst_rows));
}

/* Inject frames as one burst on port in, poll once; count what left. */
static void
one_burst(unsigned int in, struct rte_mbuf **m, unsigned int n,
		unsigned int out_count[])
{
	struct rte_mbuf *out[32];
	unsigned int i, got;

	for (i = 0; i < n; i++)
		tu_inject(&T, in, m[i]);
	poll_once();
	for (i = 0; i < T.n_ports; i++) {
		got = tu_collect(&T, i, out, RTE_DIM(out));
		out_count[i] = got;
		rte_pktmbuf_free_bulk(out, got);
	}
}

/*
 * A TCP flow's packets in one burst: packets in a row with the same flags
 * share their entry's decision and state step (vs_ct_stage.c), so the
 * state after the burst must be what the packets one by one give.
 */
static void
test_tcp_one_burst(void **state)
{
	struct rte_mbuf *m[6];
	unsigned int out[3];

	(void)state;
	pass(tcp(IP_A, IP_B, 7100, 80, SYN), PB, "SYN");
	pass(tcp(IP_B, IP_A, 80, 7100, SYN | ACK), PA, "SYN+ACK");
	/* the handshake's ACK, data, then a FIN: one burst from a */
	m[0] = tcp(IP_A, IP_B, 7100, 80, ACK);
	m[1] = tcp(IP_A, IP_B, 7100, 80, ACK);
	m[2] = tcp(IP_A, IP_B, 7100, 80, ACK);
	m[3] = tcp(IP_A, IP_B, 7100, 80, FIN | ACK);
	m[4] = tcp(IP_A, IP_B, 7100, 80, FIN | ACK);
	one_burst(PA, m, 5, out);
	assert_int_equal(out[PB], 5);
	assert_string_equal(ct_state_of(IPPROTO_TCP, IP_A, IP_B, 7100, 80),
			"FIN_WAIT");
	/* b's ACK and FIN, then an RST twice: closed */
	m[0] = tcp(IP_B, IP_A, 80, 7100, ACK);
	m[1] = tcp(IP_B, IP_A, 80, 7100, FIN | ACK);
	one_burst(PB, m, 2, out);
	assert_int_equal(out[PA], 2);
	assert_string_equal(ct_state_of(IPPROTO_TCP, IP_A, IP_B, 7100, 80),
			"CLOSED");
	/* a second flow: its SYN's retransmission in the same burst, then
	 * an ACK without a handshake (dropped: the flow is only SYN_SENT,
	 * but an ACK of a known entry passes; the state stays) */
	m[0] = tcp(IP_A, IP_B, 7101, 80, SYN);
	m[1] = tcp(IP_A, IP_B, 7101, 80, SYN);
	m[2] = tcp(IP_A, IP_B, 7102, 80, ACK);
	m[3] = tcp(IP_A, IP_B, 7102, 80, ACK);
	one_burst(PA, m, 4, out);
	assert_int_equal(out[PB], 2);
	assert_string_equal(ct_state_of(IPPROTO_TCP, IP_A, IP_B, 7101, 80),
			"SYN_SENT");
	assert_string_equal(ct_state_of(IPPROTO_TCP, IP_A, IP_B, 7102, 80),
			"-");
}

/*
 * Both directions of flows in one burst on one port (what an uplink or a
 * port with several pods sees): the route lookup reuses the addresses of
 * the packet before, swapped for a reply (vs_pipeline.c), and each packet
 * must still go to its own destination with its own MACs.
 */
static void
test_both_directions_one_burst(void **state)
{
	struct rte_mbuf *m[8], *o[8];
	const struct rte_ether_hdr *eth;
	const struct ct_entry *e;
	unsigned int i, got;

	(void)state;
	/* the flows are open (a reply in its request's burst would open a
	 * flow of its own, and b opens nothing) */
	pass(udp(IP_A, IP_B, 7200, 53), PB, "a -> b opens");
	pass(udp(IP_C, IP_A, 9, 7201), PA, "c -> a opens");
	m[0] = udp(IP_A, IP_B, 7200, 53);
	m[1] = udp(IP_B, IP_A, 53, 7200);       /* its reply, swapped */
	m[2] = udp(IP_B, IP_A, 53, 7200);
	m[3] = udp(IP_A, IP_B, 7200, 53);
	m[4] = udp(IP_C, IP_A, 9, 7201);        /* c -> a: other addresses */
	m[5] = udp(IP_A, IP_C, 7201, 9);        /* a -> c, swapped again */
	m[6] = udp(IP_A, IP_B, 7200, 53);
	for (i = 0; i < 7; i++)
		tu_inject(&T, PA, m[i]);
	poll_once();
	got = tu_collect(&T, PB, o, RTE_DIM(o));
	assert_int_equal(got, 3);
	for (i = 0; i < got; i++) {
		eth = rte_pktmbuf_mtod(o[i], const void *);
		assert_memory_equal(&eth->dst_addr, &MB, sizeof(MB));
	}
	rte_pktmbuf_free_bulk(o, got);
	got = tu_collect(&T, PA, o, RTE_DIM(o));
	assert_int_equal(got, 3);               /* two replies, c -> a */
	for (i = 0; i < got; i++) {
		eth = rte_pktmbuf_mtod(o[i], const void *);
		assert_memory_equal(&eth->dst_addr, &MA, sizeof(MA));
	}
	rte_pktmbuf_free_bulk(o, got);
	got = tu_collect(&T, PC, o, RTE_DIM(o));
	assert_int_equal(got, 1);
	eth = rte_pktmbuf_mtod(o[0], const void *);
	assert_memory_equal(&eth->dst_addr, &MC, sizeof(MC));
	rte_pktmbuf_free_bulk(o, got);
	e = entry(IPPROTO_UDP, IP_A, IP_B, 7200, 53);
	assert_int_equal(e->pkts[0], 1 + 3);
	assert_int_equal(e->pkts[1], 2);
	e = entry(IPPROTO_UDP, IP_C, IP_A, 9, 7201);
	assert_int_equal(e->pkts[0], 1 + 1);
	assert_int_equal(e->pkts[1], 1);
}

/*
 * A run of one flow's packets in a burst (vs_runs.c): the first is
 * decided, the rest follow it. Each must come out as if alone: in order,
 * its own TTL - 1 with a valid checksum, the pod's MAC; the entry and the
 * rule count every packet. A new flow's run: the first packet opens it.
 */
static void
test_run_forwarded(void **state)
{
	struct vs_rule_ctr c[64];
	const struct vs_rule_ctr *r53;
	struct rte_mbuf *m[8], *o[8];
	const struct ct_entry *e;
	uint64_t before;
	unsigned int i, got;
	uint32_t n;

	(void)state;
	n = vs_rule_stats(T.vs, c, RTE_DIM(c));
	r53 = rule_find(c, n, "b-in", 1);       /* UDP 53 */
	assert_non_null(r53);
	before = r53->packets;
	for (i = 0; i < 6; i++)
		m[i] = udp_id(IP_A, IP_B, 7300, 53, (uint16_t)(100 + i),
				64);
	for (i = 0; i < 6; i++)
		tu_inject(&T, PA, m[i]);
	poll_once();
	got = tu_collect(&T, PB, o, RTE_DIM(o));
	assert_int_equal(got, 6);
	for (i = 0; i < got; i++) {
		const struct rte_ether_hdr *eth = rte_pktmbuf_mtod(o[i],
				const void *);
		const struct rte_ipv4_hdr *ip = (const void *)(eth + 1);

		assert_memory_equal(&eth->dst_addr, &MB, sizeof(MB));
		assert_memory_equal(&eth->src_addr, &R, sizeof(R));
		assert_int_equal(rte_be_to_cpu_16(ip->packet_id), 100 + i);
		assert_int_equal(ip->time_to_live, 63);
		assert_int_equal(rte_ipv4_cksum(ip), 0);       /* verifies */
	}
	rte_pktmbuf_free_bulk(o, got);
	e = entry(IPPROTO_UDP, IP_A, IP_B, 7300, 53);
	assert_int_equal(e->pkts[0], 6);
	assert_int_equal(e->bytes[0], 6 * rte_pktmbuf_pkt_len(m[0]));
	n = vs_rule_stats(T.vs, c, RTE_DIM(c));
	r53 = rule_find(c, n, "b-in", 1);
	assert_int_equal(r53->packets, before + 6);
}

/*
 * Runs whose first packet is not forwarded: each follower is decided on
 * its own and counted (denied by policy, TTL exceeded); a packet that
 * differs from its run in what a stage checks (a UDP length past the
 * datagram, TTL 1, another destination MAC) is dropped alone.
 */
static void
test_run_not_forwarded(void **state)
{
	struct rte_mbuf *m[8];
	struct rte_ether_hdr *eth;
	struct rte_udp_hdr *u;
	unsigned int out[3];
	uint64_t denied, ttl, bad, other;
	unsigned int i;

	(void)state;
	denied = tu_drops(&T, VS_DROP_POLICY_DENIED);
	ttl = tu_drops(&T, VS_DROP_TTL);
	bad = tu_drops(&T, VS_DROP_L4_MALFORMED);
	/* b opens nothing (b-out): four denials */
	for (i = 0; i < 4; i++)
		m[i] = udp_id(IP_B, IP_A, 7400, 7401, (uint16_t)i, 64);
	one_burst(PB, m, 4, out);
	assert_int_equal(out[PA], 0);
	assert_int_equal(tu_drops(&T, VS_DROP_POLICY_DENIED), denied + 4);
	/* TTL 1: the flow opens, every packet is dropped at routing */
	for (i = 0; i < 4; i++)
		m[i] = udp_id(IP_A, IP_B, 7402, 53, (uint16_t)i, 1);
	one_burst(PA, m, 4, out);
	assert_int_equal(out[PB], 0);
	assert_int_equal(tu_drops(&T, VS_DROP_TTL), ttl + 4);
	assert_int_equal(entry(IPPROTO_UDP, IP_A, IP_B, 7402, 53)->pkts[0], 4);
	/* the third claims more UDP than the datagram has */
	for (i = 0; i < 5; i++)
		m[i] = udp_id(IP_A, IP_B, 7403, 53, (uint16_t)i, 64);
	u = l4_of(m[2]);
	u->dgram_len = rte_cpu_to_be_16(1000);
	one_burst(PA, m, 5, out);
	assert_int_equal(out[PB], 4);
	assert_int_equal(tu_drops(&T, VS_DROP_L4_MALFORMED), bad + 1);
	assert_int_equal(entry(IPPROTO_UDP, IP_A, IP_B, 7403, 53)->pkts[0], 4);
	/* in one run, a packet with TTL 1 and one not sent to our MAC: each
	 * dropped for its own reason, the others forwarded */
	ttl = tu_drops(&T, VS_DROP_TTL);
	other = tu_drops(&T, VS_DROP_NOT_FOR_US);
	for (i = 0; i < 6; i++)
		m[i] = udp_id(IP_A, IP_B, 7404, 53, (uint16_t)i,
				i == 2 ? 1 : 64);
	eth = rte_pktmbuf_mtod(m[4], void *);
	eth->dst_addr = MC;
	one_burst(PA, m, 6, out);
	assert_int_equal(out[PB], 4);
	assert_int_equal(tu_drops(&T, VS_DROP_TTL), ttl + 1);
	assert_int_equal(tu_drops(&T, VS_DROP_NOT_FOR_US), other + 1);
}

static void
test_deny_log(void **state)
{
	struct vs_deny_entry e[32];
	struct vs_ct_info ci;
	uint64_t last;
	uint32_t n, i;
	char ip[16];

	(void)state;
	vs_housekeeping(T.vs);          /* earlier tests' records */
	n = vs_deny_log(T.vs, 0, e, RTE_DIM(e));
	last = n > 0 ? e[n - 1].seq : 0;
	for (i = 0; i < 20; i++)
		drop(udp(IP_C, IP_B, (uint16_t)(100 + i), 53),
				VS_DROP_POLICY_DENIED, "c -> b");
	vs_housekeeping(T.vs);
	n = vs_deny_log(T.vs, last, e, RTE_DIM(e));
	assert_int_equal(n, LOG_BUFFER);        /* the newest only */
	for (i = 0; i < n; i++) {
		assert_int_equal(e[i].seq, last + 20 - LOG_BUFFER + 1 + i);
		assert_int_equal(e[i].sport, 100 + 20 - LOG_BUFFER + i);
		assert_int_equal(e[i].dport, 53);
		assert_int_equal(e[i].proto, IPPROTO_UDP);
		assert_int_equal(e[i].reason, VS_DROP_POLICY_DENIED);
		assert_int_equal(e[i].dir, 2);          /* b's ingress */
		assert_string_equal(e[i].port, "pc");
		assert_string_equal(e[i].ep, "t/b");
	}
	snprintf(ip, sizeof(ip), "%u.%u.%u.%u", e[0].src.addr[0],
			e[0].src.addr[1], e[0].src.addr[2], e[0].src.addr[3]);
	assert_string_equal(ip, "10.0.0.4");
	/* After the last one: nothing new. */
	assert_int_equal(vs_deny_log(T.vs, e[n - 1].seq, e, RTE_DIM(e)), 0);
	/* 2 lines per second: most were not written to the log. */
	vs_ct_info(T.vs, &ci);
	assert_true(ci.log_suppressed >= 15);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_tcp_handshake_and_close, fresh),
		cmocka_unit_test_setup(test_tcp_no_flow, fresh),
		cmocka_unit_test_setup(test_tcp_timeouts, fresh),
		cmocka_unit_test_setup(test_udp_sctp_replies, fresh),
		cmocka_unit_test_setup(test_icmp_echo, fresh),
		cmocka_unit_test_setup(test_icmp_errors, fresh),
		cmocka_unit_test_setup(test_fragments, fresh),
		cmocka_unit_test_setup(test_fragments_one_burst, fresh),
		cmocka_unit_test_setup(test_ip_options, fresh),
		cmocka_unit_test_setup(test_malformed_l4, fresh),
		cmocka_unit_test_setup(test_table_full, fresh),
		cmocka_unit_test_setup(test_table_full_burst, fresh),
		cmocka_unit_test_setup(test_recheck, fresh),
		cmocka_unit_test_setup(test_trace, fresh),
		cmocka_unit_test_setup(test_counters, fresh),
		cmocka_unit_test_setup(test_counters_one_burst, fresh),
		cmocka_unit_test_setup(test_tcp_one_burst, fresh),
		cmocka_unit_test_setup(test_both_directions_one_burst, fresh),
		cmocka_unit_test_setup(test_run_forwarded, fresh),
		cmocka_unit_test_setup(test_run_not_forwarded, fresh),
		cmocka_unit_test_setup(test_deny_log, fresh),
	};

	return cmocka_run_group_tests_name("vs_ct", tests, setup, teardown);
}
