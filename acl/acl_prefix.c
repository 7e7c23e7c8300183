/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * acl_prefix.c: address prefixes for ipBlock peers. An ipBlock is a cidr
 * minus a list of excepts; rte_acl matches prefixes, so the block becomes
 * the disjoint prefixes that cover exactly cidr \ excepts: split the cidr
 * in halves until each half is either clear of every except (kept) or
 * inside one (dropped). At most about (except length - cidr length) prefixes
 * per except.
 */
#include "acl_priv.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static uint32_t
max_len(uint8_t family)
{
	return family == ACL_AF_INET ? 32 : 128;
}

static void
bit_set(uint8_t *a, uint32_t i)
{
	a[i / 8] |= (uint8_t)(1u << (7 - i % 8));
}

void
acl_prefix_mask(struct acl_prefix *p)
{
	uint32_t i, n = max_len(p->family) / 8;

	for (i = 0; i < 16; i++) {
		if (i >= n || i * 8 >= p->len)
			p->addr[i] = 0;
		else if (p->len < (i + 1) * 8)
			p->addr[i] &= (uint8_t)(0xff << ((i + 1) * 8 - p->len));
	}
}

/* Do the first len bits of a and b agree? */
static bool
same_bits(const uint8_t *a, const uint8_t *b, uint32_t len)
{
	uint32_t full = len / 8, rest = len % 8;

	if (memcmp(a, b, full) != 0)
		return false;
	if (rest == 0)
		return true;
	return ((a[full] ^ b[full]) & (uint8_t)(0xff << (8 - rest))) == 0;
}

bool
acl_prefix_contains(const struct acl_prefix *outer,
		const struct acl_prefix *inner)
{
	return outer->family == inner->family && outer->len <= inner->len &&
		same_bits(outer->addr, inner->addr, outer->len);
}

static bool
overlaps(const struct acl_prefix *a, const struct acl_prefix *b)
{
	return acl_prefix_contains(a, b) || acl_prefix_contains(b, a);
}

struct pfx_out {
	struct acl_prefix *v;
	uint32_t n;
	uint32_t cap;
};

static int
pfx_push(struct pfx_out *o, const struct acl_prefix *p)
{
	if (ACL_GROW(o->v, o->n, o->cap) != 0)
		return -ENOMEM;
	o->v[o->n++] = *p;
	return 0;
}

/* p minus the excepts in ex[0..n) that may overlap it. */
static int
subtract(struct pfx_out *o, const struct acl_prefix *p,
		const struct acl_prefix *ex, uint32_t n)
{
	struct acl_prefix half;
	bool any = false;
	uint32_t i;
	int rc, b;

	for (i = 0; i < n; i++) {
		if (!overlaps(p, &ex[i]))
			continue;
		if (acl_prefix_contains(&ex[i], p))
			return 0;
		any = true;
	}
	if (!any)
		return pfx_push(o, p);
	for (b = 0; b < 2; b++) {
		half = *p;
		half.len = p->len + 1;
		if (b)
			bit_set(half.addr, p->len);
		rc = subtract(o, &half, ex, n);
		if (rc != 0)
			return rc;
	}
	return 0;
}

int
acl_ipblock_prefixes(const struct acl_ipblock *b, struct acl_prefix **out,
		uint32_t *n_out)
{
	struct pfx_out o = { NULL, 0, 0 };
	struct acl_prefix cidr = b->cidr;
	int rc;

	acl_prefix_mask(&cidr);
	rc = subtract(&o, &cidr, b->except, b->n_except);
	if (rc != 0) {
		free(o.v);
		return rc;
	}
	*out = o.v;
	*n_out = o.n;
	return 0;
}
