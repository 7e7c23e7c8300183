/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vtep_addr.c: parse and print the addresses found in Flannel's node
 * annotations (VtepMAC, public-ip) and in node.spec.podCIDR. The JSON
 * around them is control/'s business (jansson); this is only the strings.
 * Parsing uses DPDK (rte_ether_unformat_addr) and libc (inet_pton); the
 * wrappers add the strictness an annotation deserves.
 */
#include "vtep.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Flannel's form, 6 colon-separated pairs of hex digits: 17 characters. */
#define MAC_STR_LEN (VTEP_MAC_STRLEN - 1)

int
vtep_mac_parse(const char *s, struct rte_ether_addr *mac)
{
	/* rte_ether_unformat_addr also takes "XXXX:XXXX:XXXX": the length
	 * leaves only the form Flannel writes, 6 groups of 2 digits. */
	if (s == NULL || strlen(s) != MAC_STR_LEN)
		return -EINVAL;
	if (rte_ether_unformat_addr(s, mac) != 0)
		return -EINVAL;
	return 0;
}

int
vtep_mac_format(char *buf, size_t size, const struct rte_ether_addr *mac)
{
	const uint8_t *b = mac->addr_bytes;

	if (size < VTEP_MAC_STRLEN)
		return -ENOSPC;
	snprintf(buf, size, "%02x:%02x:%02x:%02x:%02x:%02x",
			b[0], b[1], b[2], b[3], b[4], b[5]);
	return 0;
}

int
vtep_ip_parse(const char *s, rte_be32_t *ip)
{
	struct in_addr a;

	if (s == NULL || inet_pton(AF_INET, s, &a) != 1)
		return -EINVAL;
	*ip = a.s_addr;
	return 0;
}

int
vtep_ip_format(char *buf, size_t size, rte_be32_t ip)
{
	struct in_addr a = { .s_addr = ip };

	if (size < INET_ADDRSTRLEN)
		return -ENOSPC;
	return inet_ntop(AF_INET, &a, buf, size) != NULL ? 0 : -ENOSPC;
}

/* The prefix length after the '/': 0..32, digits only. */
static int
prefix_len_parse(const char *s, uint8_t *len)
{
	char *end;
	long v;

	if (*s < '0' || *s > '9' || strlen(s) > 2)
		return -EINVAL;
	v = strtol(s, &end, 10);
	if (*end != '\0' || v > 32)
		return -EINVAL;
	*len = (uint8_t)v;
	return 0;
}

int
vtep_cidr_parse(const char *s, rte_be32_t *net, uint8_t *len)
{
	char addr[INET_ADDRSTRLEN];
	const char *slash = s != NULL ? strchr(s, '/') : NULL;
	uint32_t host_mask;
	rte_be32_t ip;
	uint8_t l;

	if (slash == NULL || (size_t)(slash - s) >= sizeof(addr))
		return -EINVAL;
	memcpy(addr, s, slash - s);
	addr[slash - s] = '\0';
	if (vtep_ip_parse(addr, &ip) < 0 || prefix_len_parse(slash + 1, &l) < 0)
		return -EINVAL;
	host_mask = l == 32 ? 0 : UINT32_MAX >> l;
	if (rte_be_to_cpu_32(ip) & host_mask)
		return -EINVAL;
	*net = ip;
	*len = l;
	return 0;
}

int
vtep_cidr_format(char *buf, size_t size, rte_be32_t net, uint8_t len)
{
	char addr[INET_ADDRSTRLEN];

	if (size < INET_ADDRSTRLEN + 3)
		return -ENOSPC;
	vtep_ip_format(addr, sizeof(addr), net);
	snprintf(buf, size, "%s/%u", addr, len);
	return 0;
}
