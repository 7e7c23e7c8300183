/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vtep.h: the table of remote VTEPs (one per other node of the cluster)
 * and the helpers that read and write Flannel's node annotations.
 *
 * An entry says, for one Kubernetes node: its pod subnet (node.spec.
 * podCIDR), its underlay ("public") IP, its VtepMAC and VNI: what Flannel
 * publishes in the node's annotations and what encapsulation needs.
 * control/ parses the annotations (JSON stays there, with jansson), fills
 * entries with the helpers below and builds a table; vswitch/ puts the
 * table in its snapshot, adds a route per entry's subnet whose next hop is
 * the entry's slot, and on the fast path takes &vtep_get(t, slot)->dst
 * for vxlan_encap_burst(), and checks decapsulated sources with
 * vtep_lookup_ip() (vxlan_ctx.vteps).
 *
 * Thread-safety: a table is built by one thread (the control thread):
 * vtep_table_create/clone/free, vtep_add, vtep_del are not multi-thread
 * safe. Once published it is never written again (copy with
 * vtep_table_clone(), change the copy, publish the copy, free the old one
 * after the RCU grace period); vtep_get(), vtep_lookup_ip() and
 * vtep_lookup_node() may then run on any number of lcores at once.
 */
#ifndef NPVS_VTEP_H
#define NPVS_VTEP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rte_byteorder.h>
#include <rte_ether.h>

#include "vxlan.h"

/* Flannel's node annotations (kube subnet manager mode). */
#define VTEP_ANN_PREFIX "flannel.alpha.coreos.com/"
/** "vxlan" */
#define VTEP_ANN_BACKEND_TYPE VTEP_ANN_PREFIX "backend-type"
/** JSON {"VNI":1,"VtepMAC":"aa:bb:cc:dd:ee:ff"} */
#define VTEP_ANN_BACKEND_DATA VTEP_ANN_PREFIX "backend-data"
/** underlay IPv4 of the node, dotted quad */
#define VTEP_ANN_PUBLIC_IP VTEP_ANN_PREFIX "public-ip"
/** optional: a public IP that takes precedence over public-ip */
#define VTEP_ANN_PUBLIC_IP_OVERWRITE VTEP_ANN_PREFIX "public-ip-overwrite"
/** "true" */
#define VTEP_ANN_KUBE_SUBNET_MANAGER VTEP_ANN_PREFIX "kube-subnet-manager"
/** The backend type this table serves. */
#define VTEP_BACKEND_VXLAN "vxlan"
/** Keys of the backend-data JSON object. */
#define VTEP_JSON_VNI "VNI"
#define VTEP_JSON_VTEP_MAC "VtepMAC"

/** Longest node name (a DNS subdomain, 253) with its NUL. */
#define VTEP_NODE_MAX 254
/** Longest table name (its hashes are named "<name>_ip", "<name>_nd"). */
#define VTEP_TABLE_NAME_MAX 28

/** One remote node. */
struct vtep_entry {
	struct vxlan_dst dst;           /**< what encapsulation needs: public
					  *  IP, VNI, VtepMAC (inner dst) and
					  *  underlay next-hop MAC (outer dst) */
	rte_be32_t subnet;              /**< pod subnet, host bits zero */
	uint8_t subnet_len;             /**< its prefix length, 0..32 */
	bool mac_known;                 /**< dst.mac has been resolved */
	char node[VTEP_NODE_MAX];       /**< Kubernetes node name */
};

struct vtep_table;

/**
 * Create an empty table for up to max_entries nodes.
 * @param name unique among live tables (name it per snapshot generation,
 *   "vtep-g42"), at most VTEP_TABLE_NAME_MAX characters.
 * @return the table, or NULL with rte_errno set (EINVAL, ENAMETOOLONG,
 *   EEXIST, ENOMEM).
 */
struct vtep_table *vtep_table_create(const char *name, uint32_t max_entries,
		int socket_id);

/**
 * A new table (same capacity, socket) holding the entries of src in the
 * same slots. @return NULL with rte_errno set on failure.
 */
struct vtep_table *vtep_table_clone(const char *name,
		const struct vtep_table *src);

/** Free a table (NULL is fine). Only once no lcore can read it. */
void vtep_table_free(struct vtep_table *t);

/**
 * Add the entry, or replace the entry of the same node (it keeps its
 * slot). O(entries): the subnet overlap check scans the table (a full
 * build of 5,000 nodes is ~12 M comparisons, milliseconds).
 * @param slot out, may be NULL: the entry's slot.
 * @return 0, -EINVAL (empty or too long node name, zero IP, VNI > 2^24-1,
 *   VtepMAC not unicast, prefix length > 32 or host bits set), -EEXIST
 *   (another node has this IP or an overlapping subnet), -ENOSPC (full).
 *   On error the table is unchanged.
 */
int vtep_add(struct vtep_table *t, const struct vtep_entry *e,
		uint32_t *slot);

/** Remove a node's entry. @return 0 or -ENOENT. */
int vtep_del(struct vtep_table *t, const char *node);

/** The entry of a node, or NULL. */
const struct vtep_entry *vtep_lookup_node(const struct vtep_table *t,
		const char *node);

/** The entry whose public IP is ip (network order), or NULL. Lcore-safe. */
const struct vtep_entry *vtep_lookup_ip(const struct vtep_table *t,
		rte_be32_t ip);

/** The entry in a slot, or NULL if the slot is free or out of range. */
const struct vtep_entry *vtep_get(const struct vtep_table *t, uint32_t slot);

/** Number of entries. */
uint32_t vtep_count(const struct vtep_table *t);

/** Number of slots (max_entries): iterate slots 0..capacity-1. */
uint32_t vtep_capacity(const struct vtep_table *t);

/* ---- parse and print what the annotations hold ---- */

/** Size of a formatted MAC with its NUL. */
#define VTEP_MAC_STRLEN 18

/**
 * Parse "aa:bb:cc:dd:ee:ff" (either case) as Flannel writes VtepMAC.
 * @return 0 or -EINVAL.
 */
int vtep_mac_parse(const char *s, struct rte_ether_addr *mac);

/**
 * Print a MAC the way Flannel (Go's net.HardwareAddr) does: lowercase,
 * colon-separated. @return 0 or -ENOSPC if size < VTEP_MAC_STRLEN.
 */
int vtep_mac_format(char *buf, size_t size, const struct rte_ether_addr *mac);

/** Parse a dotted-quad IPv4 address. @return 0 or -EINVAL. */
int vtep_ip_parse(const char *s, rte_be32_t *ip);

/** Print an IPv4 address. @return 0 or -ENOSPC (size < 16). */
int vtep_ip_format(char *buf, size_t size, rte_be32_t ip);

/**
 * Parse "10.244.1.0/24" (node.spec.podCIDR). Host bits must be zero.
 * @return 0 or -EINVAL.
 */
int vtep_cidr_parse(const char *s, rte_be32_t *net, uint8_t *len);

/** Print a prefix as "a.b.c.d/n". @return 0 or -ENOSPC (size < 19). */
int vtep_cidr_format(char *buf, size_t size, rte_be32_t net, uint8_t len);

#endif /* NPVS_VTEP_H */
