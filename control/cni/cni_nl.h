/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cni_nl.h: the little rtnetlink npvs-cni needs: a veth pair whose peer
 * is born inside the pod's namespace (IFLA_NET_NS_FD, so no temporary
 * name ever exists), link lookup, up, delete, addresses and routes. One
 * struct cni_nl is one NETLINK_ROUTE socket, bound to the namespace it
 * was opened in (cni_netns_socket()).
 *
 * Every function returns 0 or a negative errno as the kernel gave it
 * (-EEXIST, -ENODEV, ...).
 *
 * Thread-safety: one caller per struct cni_nl.
 */
#ifndef NPVS_CNI_NL_H
#define NPVS_CNI_NL_H

#include <stdbool.h>
#include <stdint.h>

struct cni_nl {
	int fd;
	uint32_t seq;
};

struct cni_link {
	int ifindex;
	unsigned int mtu;
	uint8_t mac[6];
	bool up;                        /**< IFF_UP set */
	char kind[16];                  /**< "veth", ... ("" if none) */
};

/** Open a rtnetlink socket in namespace nsfd (-1: the current one). */
int cni_nl_open(struct cni_nl *nl, int nsfd);
void cni_nl_close(struct cni_nl *nl);

/**
 * Create veth name (here, mtu) with its peer peer_name (mtu) created
 * directly in namespace peer_nsfd. @return 0, -EEXIST, -errno.
 */
int cni_nl_veth_add(struct cni_nl *nl, const char *name, const char *peer,
		int peer_nsfd, unsigned int mtu);

/** Delete a link by name. @return 0 or -ENODEV if there is none. */
int cni_nl_link_del(struct cni_nl *nl, const char *name);

/** Look a link up by name. @return 0 or -ENODEV. */
int cni_nl_link_get(struct cni_nl *nl, const char *name,
		struct cni_link *out);

/** Set IFF_UP. */
int cni_nl_link_up(struct cni_nl *nl, int ifindex);

/** Add addr/prefix to a link (IPv6: no DAD, usable at once). */
int cni_nl_addr_add(struct cni_nl *nl, int ifindex, int family,
		const uint8_t *addr, uint8_t prefix);

/** @return 1 if the link has addr/prefix, 0 if not, or -errno. */
int cni_nl_addr_has(struct cni_nl *nl, int ifindex, int family,
		const uint8_t *addr, uint8_t prefix);

/**
 * Add a route dst/dst_len via gw (NULL: directly on the link, scope
 * link) out of ifindex, main table. @return 0, -EEXIST, -errno.
 */
int cni_nl_route_add(struct cni_nl *nl, int ifindex, int family,
		const uint8_t *dst, uint8_t dst_len, const uint8_t *gw);

#endif /* NPVS_CNI_NL_H */
