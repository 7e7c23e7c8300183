/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vs_policy.c: the live compiled policy (vs_api.h "policy"): publishing a
 * new acl_ruleset, and the per-policy address table the workers use.
 *
 * A struct vs_policy (vs_priv.h) wraps one acl_ruleset with what the data
 * path needs beside it: two read-only rte_hash tables, IPv4 and IPv6
 * address -> struct acl_endpoint (identity and groups), built from
 * acl_ruleset_endpoints(), and the policy generation that flow entries
 * record (re-check, docs/architecture.md "Connection tracking"). It is
 * shared, by reference count, by every snapshot published while it is the
 * live policy, as the LPM is (vs_routes): a port or endpoint change does
 * not rebuild it.
 *
 * rs NULL (no policy at all) is no vs_policy; the generation still moves
 * on, so flows admitted under the last policy are re-checked (and pass).
 *
 * vs_policy_publish(): wrap the ruleset, make it vs->policy, publish a
 * snapshot (vs_snap_update: release store, grace period, old snapshot
 * freed). The old policy loses its last snapshot reference there and
 * vs's own reference here; its ruleset is freed with acl_ruleset_free(),
 * which keeps the rte_acl contexts the new ruleset shares with it.
 *
 * Thread-safety: control thread only. Workers read a vs_policy through a
 * published snapshot; it is never written after vs_policy_create().
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_hash.h>
#include <rte_jhash.h>
#include <rte_lcore.h>

#include "acl_ruleset.h"
#include "vs_log.h"
#include "vs_priv.h"
#include "vs_snap.h"

#define EP_HASH_MIN 64          /* rte_hash wants some room */

static struct rte_hash *
ep_hash_create(const char *kind, uint64_t name_gen, uint32_t key_len,
		uint32_t n)
{
	char name[RTE_HASH_NAMESIZE];
	struct rte_hash_parameters p = {
		.name = name,
		/* Half full at most: no insert can fail on a full bucket. */
		.entries = RTE_MAX(2 * n, (uint32_t)EP_HASH_MIN),
		.key_len = key_len,
		.hash_func = rte_jhash,
		.socket_id = (int)rte_socket_id(),
	};

	snprintf(name, sizeof(name), "vs_%s_g%" PRIu64, kind, name_gen);
	return rte_hash_create(&p);
}

/* Both tables, every pod address of the ruleset in one of them. */
static int
ep_hashes_fill(struct vs_policy *p, uint64_t name_gen)
{
	const struct acl_endpoint *eps;
	uint32_t n, i, n4 = 0;
	int rc;

	eps = acl_ruleset_endpoints(p->rs, &n);
	for (i = 0; i < n; i++)
		n4 += eps[i].addr.family == ACL_AF_INET;
	p->ep4 = ep_hash_create("ep4", name_gen, 4, n4);
	p->ep6 = ep_hash_create("ep6", name_gen, 16, n - n4);
	if (p->ep4 == NULL || p->ep6 == NULL)
		return -rte_errno;
	for (i = 0; i < n; i++) {
		struct rte_hash *h = eps[i].addr.family == ACL_AF_INET ?
				p->ep4 : p->ep6;
		uint32_t key[4];        /* hash functions read words */

		memcpy(key, eps[i].addr.addr, sizeof(key));
		rc = rte_hash_add_key_data(h, key, (void *)(uintptr_t)&eps[i]);
		if (rc < 0)
			return rc;
	}
	return 0;
}

struct vs_policy *
vs_policy_create(struct acl_ruleset *rs, uint32_t gen, uint64_t name_gen)
{
	struct vs_policy *p = calloc(1, sizeof(*p));
	int rc;

	if (p == NULL) {
		acl_ruleset_free(rs);
		rte_errno = ENOMEM;
		return NULL;
	}
	p->rs = rs;
	p->gen = gen;
	p->refs = 1;
	rc = ep_hashes_fill(p, name_gen);
	if (rc < 0) {
		VS_LOG(ERR, "policy %u: address table: %s\n", gen,
				rte_strerror(-rc));
		vs_policy_unref(p);
		rte_errno = -rc;
		return NULL;
	}
	return p;
}

void
vs_policy_unref(struct vs_policy *p)
{
	if (p == NULL || --p->refs > 0)
		return;
	rte_hash_free(p->ep4);
	rte_hash_free(p->ep6);
	acl_ruleset_free(p->rs);
	free(p);
}

int
vs_policy_publish(struct vs *vs, struct acl_ruleset *rs, char *err,
		size_t errlen)
{
	struct vs_policy *p = NULL, *old = vs->policy;
	uint32_t old_gen = vs->pol_gen;
	int rc;

	/* Names carry the generation of the snapshot that publishes p. */
	if (rs != NULL) {
		p = vs_policy_create(rs, old_gen + 1, vs->gen + 1);
		if (p == NULL) {
			rc = -rte_errno;
			snprintf(err, errlen, "policy: cannot build the address "
					"table: %s", rte_strerror(rte_errno));
			return rc;
		}
	}
	vs->policy = p;
	vs->pol_gen = old_gen + 1;
	rc = vs_snap_update_deferred(vs);       /* no grace-period wait */
	if (rc < 0) {
		vs->policy = old;
		vs->pol_gen = old_gen;
		vs_policy_unref(p);
		snprintf(err, errlen, "policy: cannot publish: %s", strerror(-rc));
		return rc;
	}
	/* The old snapshot keeps old until its grace period is over. */
	vs_policy_unref(old);
	VS_LOG(INFO, "policy %u published%s\n", vs->pol_gen,
			p == NULL ? " (none: every pod unisolated)" : "");
	return 0;
}

void
vs_policy_snap_set(struct vs *vs, struct vs_snap *s)
{
	s->pol = vs->policy;
	s->policy = vs->policy != NULL ? vs->policy->rs : NULL;
	s->pol_gen = vs->pol_gen;
	if (s->pol != NULL)
		s->pol->refs++;
}

const struct acl_ruleset *
vs_policy_get(struct vs *vs)
{
	return vs->policy != NULL ? vs->policy->rs : NULL;
}
