/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * acl_fields.h: the classify keys of compiled policy, the one place that
 * knows the rte_acl field layout.
 *
 * A key describes one packet as seen by one local endpoint (a pod) in one
 * direction: who the peer is (its identity and its address), the protocol
 * and the ports. acl_classify() (acl_ruleset.h) takes an array of pointers
 * to keys. The data path fills keys from parsed headers with
 * acl_key4_fill()/acl_key6_fill(); everything in a key is network order
 * (rte_acl's convention for input; rules are host order inside acl/).
 *
 * IPv4 key (20 bytes), one rte_acl input word per row:
 *
 *     0                   1                   2                   3
 *     0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *    |     proto     |             pad (zero)                        |
 *    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *    |     group (from acl_key4_fill); slice (acl_classify's copy)   |
 *    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *    |          source port          |        destination port       |
 *    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *    |            identity of the peer (0: not a known pod)          |
 *    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *    |            peer address                                       |
 *    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * The IPv6 key (32 bytes) is the same with a 16-byte peer address (four
 * input words). proto comes first because rte_acl wants a 1-byte first
 * field. The slice is one policy's rules for one direction (see
 * docs/architecture.md): slices share rte_acl contexts, each slice is an
 * exact value on its own branch of the trie, and acl_classify() writes it
 * into a copy of the key once per slice of the endpoint's group. The ports
 * come before identity and address because rte_acl builds such tries about
 * twice as fast (measured: fewer wide nodes above the range fields).
 *
 * Which address and port is which:
 *  - ingress (the local endpoint receives): peer = packet source;
 *  - egress (the local endpoint sends): peer = packet destination;
 *  - sport/dport are always the packet's source/destination ports (a
 *    NetworkPolicy port always names the destination port: the local
 *    pod's for ingress, the peer's for egress). Protocols without ports
 *    (ICMP...) put 0 in both.
 *
 * Thread-safety: plain data and pure inline functions; any lcore.
 */
#ifndef NPVS_ACL_FIELDS_H
#define NPVS_ACL_FIELDS_H

#include <assert.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <rte_byteorder.h>

/** IPv4 classify key; see the diagram above. */
struct acl_key4 {
	uint8_t proto;          /**< IP protocol number */
	uint8_t pad[3];         /**< zero */
	rte_be32_t slice;       /**< group; acl_classify() writes slices */
	rte_be16_t sport;       /**< packet source port, 0 if none */
	rte_be16_t dport;       /**< packet destination port, 0 if none */
	rte_be32_t identity;    /**< peer identity, ACL_IDENTITY_WORLD if none */
	rte_be32_t peer_addr;   /**< peer IPv4 address */
};

/** IPv6 classify key; as acl_key4 with a 16-byte peer address. */
struct acl_key6 {
	uint8_t proto;
	uint8_t pad[3];
	rte_be32_t slice;
	rte_be16_t sport;
	rte_be16_t dport;
	rte_be32_t identity;
	uint8_t peer_addr[16];  /**< peer IPv6 address, network order */
};

static_assert(sizeof(struct acl_key4) == 20, "acl_key4 layout");
static_assert(sizeof(struct acl_key6) == 32, "acl_key6 layout");
static_assert(offsetof(struct acl_key4, slice) == 4, "acl_key4 layout");
static_assert(offsetof(struct acl_key6, slice) == 4, "acl_key6 layout");
static_assert(offsetof(struct acl_key6, peer_addr) == 16, "acl_key6 layout");

/** Offset of the slice field, the same in both keys. */
#define ACL_KEY_SLICE_OFF 4

/** rte_acl field indices (the order of fields in a rule). */
enum acl_field4 {
	ACL_F4_PROTO,
	ACL_F4_SLICE,
	ACL_F4_SPORT,
	ACL_F4_DPORT,
	ACL_F4_IDENTITY,
	ACL_F4_ADDR,
	ACL_F4_NUM,
};

enum acl_field6 {
	ACL_F6_PROTO,
	ACL_F6_SLICE,
	ACL_F6_SPORT,
	ACL_F6_DPORT,
	ACL_F6_IDENTITY,
	ACL_F6_ADDR0,           /**< four 32-bit words, most significant first */
	ACL_F6_ADDR1,
	ACL_F6_ADDR2,
	ACL_F6_ADDR3,
	ACL_F6_NUM,
};

/**
 * Fill an IPv4 key. group and identity in host order (as acl_endpoint gives
 * them; identity ACL_IDENTITY_WORLD for an outside host); peer_addr, sport
 * and dport in network order (straight from the headers). group goes into
 * the slice field, where acl_classify() replaces it with each slice of that
 * group in turn (on its own copy): the key itself is never written.
 */
static inline void
acl_key4_fill(struct acl_key4 *k, uint32_t group, uint32_t identity,
		uint8_t proto, rte_be32_t peer_addr, rte_be16_t sport,
		rte_be16_t dport)
{
	k->proto = proto;
	k->pad[0] = k->pad[1] = k->pad[2] = 0;
	k->slice = rte_cpu_to_be_32(group);
	k->sport = sport;
	k->dport = dport;
	k->identity = rte_cpu_to_be_32(identity);
	k->peer_addr = peer_addr;
}

/** Fill an IPv6 key; as acl_key4_fill() with a 16-byte peer address. */
static inline void
acl_key6_fill(struct acl_key6 *k, uint32_t group, uint32_t identity,
		uint8_t proto, const uint8_t peer_addr[16], rte_be16_t sport,
		rte_be16_t dport)
{
	k->proto = proto;
	k->pad[0] = k->pad[1] = k->pad[2] = 0;
	k->slice = rte_cpu_to_be_32(group);
	k->sport = sport;
	k->dport = dport;
	k->identity = rte_cpu_to_be_32(identity);
	memcpy(k->peer_addr, peer_addr, 16);
}

#endif /* NPVS_ACL_FIELDS_H */
