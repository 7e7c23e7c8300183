/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vtep.c: the table of remote VTEPs. Entries live in an array of slots
 * (vtep_get() is an index, for the data path); two rte_hash tables map a
 * public IP and a node name to a slot. Built on the control thread, then
 * read-only (see the thread-safety notes in vtep.h).
 */
#include "vtep.h"

#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_hash.h>
#include <rte_jhash.h>
#include <rte_malloc.h>

#include "tunnels_log.h"

struct vtep_table {
	struct vtep_entry *e;           /* [max] slots */
	bool *used;                     /* [max] */
	struct rte_hash *by_ip;         /* rte_be32_t public IP -> slot */
	struct rte_hash *by_node;       /* struct node_key -> slot */
	uint32_t max;
	uint32_t count;
	int socket_id;
};

/*
 * A node name as a fixed-size, zero-padded hash key. rte_jhash reads the
 * key 4 bytes at a time, the last word included: round the size up.
 */
struct node_key {
	char s[RTE_ALIGN_CEIL(VTEP_NODE_MAX, 4)];
};

static_assert(sizeof(struct node_key) % 4 == 0, "jhash reads 4-byte words");

static int
node_key_set(struct node_key *k, const char *node)
{
	size_t len = node != NULL ? strnlen(node, VTEP_NODE_MAX) : 0;

	if (len == 0 || len >= VTEP_NODE_MAX)
		return -EINVAL;
	memset(k, 0, sizeof(*k));
	memcpy(k->s, node, len);
	return 0;
}

static struct rte_hash *
hash_create(const char *name, const char *suffix, uint32_t key_len,
		uint32_t entries, int socket_id)
{
	char hname[RTE_HASH_NAMESIZE];
	struct rte_hash_parameters p = {
		.name = hname,
		/* rte_hash wants at least one bucket (8 entries). */
		.entries = RTE_MAX(entries, 8u),
		.key_len = key_len,
		.hash_func = rte_jhash,
		.socket_id = socket_id,
		/* Extendable buckets: room for every entry, whatever the keys. */
		.extra_flag = RTE_HASH_EXTRA_FLAGS_EXT_TABLE,
	};

	snprintf(hname, sizeof(hname), "%s_%s", name, suffix);
	return rte_hash_create(&p);
}

struct vtep_table *
vtep_table_create(const char *name, uint32_t max_entries, int socket_id)
{
	struct vtep_table *t;
	int err = ENOMEM;

	if (name == NULL || max_entries == 0 || max_entries > (1u << 24)) {
		rte_errno = EINVAL;
		return NULL;
	}
	if (strlen(name) > VTEP_TABLE_NAME_MAX) {
		rte_errno = ENAMETOOLONG;
		return NULL;
	}
	t = rte_zmalloc_socket("vtep_table", sizeof(*t), 0, socket_id);
	if (t == NULL)
		goto err_nomem;
	t->max = max_entries;
	t->socket_id = socket_id;
	t->e = rte_zmalloc_socket("vtep_entries",
			sizeof(*t->e) * max_entries, RTE_CACHE_LINE_SIZE, socket_id);
	t->used = rte_zmalloc_socket("vtep_used", max_entries, 0, socket_id);
	if (t->e == NULL || t->used == NULL)
		goto err_free;
	t->by_ip = hash_create(name, "ip", sizeof(rte_be32_t), max_entries,
			socket_id);
	t->by_node = hash_create(name, "nd", sizeof(struct node_key),
			max_entries, socket_id);
	if (t->by_ip == NULL || t->by_node == NULL) {
		err = rte_errno;
		goto err_free;
	}
	return t;

err_free:
	vtep_table_free(t);
err_nomem:
	TUNNELS_LOG(ERR, "vtep table %s (%u entries): %s", name, max_entries,
			rte_strerror(err));
	rte_errno = err;
	return NULL;
}

void
vtep_table_free(struct vtep_table *t)
{
	if (t == NULL)
		return;
	rte_hash_free(t->by_ip);
	rte_hash_free(t->by_node);
	rte_free(t->e);
	rte_free(t->used);
	rte_free(t);
}

/* Put e in slot s of t (the slot is free, the keys are not in use). */
static int
slot_fill(struct vtep_table *t, uint32_t s, const struct vtep_entry *e)
{
	struct node_key k;
	int rc;

	node_key_set(&k, e->node);
	rc = rte_hash_add_key_data(t->by_ip, &e->dst.ip,
			(void *)(uintptr_t)s);
	if (rc < 0)
		return rc;
	rc = rte_hash_add_key_data(t->by_node, &k, (void *)(uintptr_t)s);
	if (rc < 0) {
		rte_hash_del_key(t->by_ip, &e->dst.ip);
		return rc;
	}
	t->e[s] = *e;
	t->used[s] = true;
	t->count++;
	return 0;
}

/* Empty slot s. */
static void
slot_clear(struct vtep_table *t, uint32_t s)
{
	struct node_key k;

	node_key_set(&k, t->e[s].node);
	rte_hash_del_key(t->by_ip, &t->e[s].dst.ip);
	rte_hash_del_key(t->by_node, &k);
	memset(&t->e[s], 0, sizeof(t->e[s]));
	t->used[s] = false;
	t->count--;
}

struct vtep_table *
vtep_table_clone(const char *name, const struct vtep_table *src)
{
	struct vtep_table *t;
	uint32_t s;
	int rc;

	if (src == NULL) {
		rte_errno = EINVAL;
		return NULL;
	}
	t = vtep_table_create(name, src->max, src->socket_id);
	if (t == NULL)
		return NULL;
	for (s = 0; s < src->max; s++) {
		if (!src->used[s])
			continue;
		rc = slot_fill(t, s, &src->e[s]);
		if (rc < 0) {
			vtep_table_free(t);
			rte_errno = -rc;
			return NULL;
		}
	}
	return t;
}

static int32_t
slot_of_node(const struct vtep_table *t, const char *node)
{
	struct node_key k;
	void *data;

	if (node_key_set(&k, node) < 0 ||
			rte_hash_lookup_data(t->by_node, &k, &data) < 0)
		return -1;
	return (int32_t)(uintptr_t)data;
}

static int32_t
slot_of_ip(const struct vtep_table *t, rte_be32_t ip)
{
	void *data;

	if (rte_hash_lookup_data(t->by_ip, &ip, &data) < 0)
		return -1;
	return (int32_t)(uintptr_t)data;
}

/* The fields vtep_add() refuses. */
static int
entry_check(const struct vtep_entry *e)
{
	struct node_key k;
	uint32_t host_mask;

	if (node_key_set(&k, e->node) < 0 || e->dst.ip == 0 ||
			e->dst.vni > VXLAN_VNI_MAX || e->subnet_len > 32 ||
			!rte_is_valid_assigned_ether_addr(&e->dst.vtep_mac))
		return -EINVAL;
	host_mask = e->subnet_len == 32 ? 0 : UINT32_MAX >> e->subnet_len;
	if (rte_be_to_cpu_32(e->subnet) & host_mask)
		return -EINVAL;
	return 0;
}

static bool
subnets_overlap(rte_be32_t a, uint8_t alen, rte_be32_t b, uint8_t blen)
{
	uint8_t len = RTE_MIN(alen, blen);
	uint32_t mask = len == 0 ? 0 : UINT32_MAX << (32 - len);

	return ((rte_be_to_cpu_32(a) ^ rte_be_to_cpu_32(b)) & mask) == 0;
}

/* -EEXIST if a node other than the one in slot self has e's IP or subnet. */
static int
conflicts(const struct vtep_table *t, const struct vtep_entry *e,
		int32_t self)
{
	int32_t other = slot_of_ip(t, e->dst.ip);
	uint32_t s;

	if (other >= 0 && other != self)
		return -EEXIST;
	for (s = 0; s < t->max; s++) {
		if (t->used[s] && (int32_t)s != self &&
				subnets_overlap(t->e[s].subnet, t->e[s].subnet_len,
					e->subnet, e->subnet_len))
			return -EEXIST;
	}
	return 0;
}

static int32_t
free_slot(const struct vtep_table *t)
{
	uint32_t s;

	for (s = 0; s < t->max; s++)
		if (!t->used[s])
			return (int32_t)s;
	return -1;
}

int
vtep_add(struct vtep_table *t, const struct vtep_entry *e, uint32_t *slot)
{
	struct vtep_entry old;
	bool had;
	int32_t s;
	int rc;

	if (t == NULL || e == NULL || entry_check(e) < 0)
		return -EINVAL;
	s = slot_of_node(t, e->node);
	rc = conflicts(t, e, s);
	if (rc < 0)
		return rc;
	if (s < 0)
		s = free_slot(t);
	if (s < 0)
		return -ENOSPC;

	/* Replace: empty the node's slot, refill it, restore on failure. */
	old = t->e[s];
	had = t->used[s];
	if (had)
		slot_clear(t, (uint32_t)s);
	rc = slot_fill(t, (uint32_t)s, e);
	if (rc < 0) {
		if (had)
			slot_fill(t, (uint32_t)s, &old);
		return rc;
	}
	if (slot != NULL)
		*slot = (uint32_t)s;
	return 0;
}

int
vtep_del(struct vtep_table *t, const char *node)
{
	int32_t s;

	if (t == NULL)
		return -EINVAL;
	s = slot_of_node(t, node);
	if (s < 0)
		return -ENOENT;
	slot_clear(t, (uint32_t)s);
	return 0;
}

const struct vtep_entry *
vtep_lookup_node(const struct vtep_table *t, const char *node)
{
	int32_t s = slot_of_node(t, node);

	return s < 0 ? NULL : &t->e[s];
}

const struct vtep_entry *
vtep_lookup_ip(const struct vtep_table *t, rte_be32_t ip)
{
	int32_t s = slot_of_ip(t, ip);

	return s < 0 ? NULL : &t->e[s];
}

const struct vtep_entry *
vtep_get(const struct vtep_table *t, uint32_t slot)
{
	if (slot >= t->max || !t->used[slot])
		return NULL;
	return &t->e[slot];
}

uint32_t
vtep_count(const struct vtep_table *t)
{
	return t->count;
}

uint32_t
vtep_capacity(const struct vtep_table *t)
{
	return t->max;
}
