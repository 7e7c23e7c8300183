/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * acl_ruleset.c: using a compiled ruleset: classify (the one function
 * lcores call), address lookup, origins, the two-way flow check, stats and
 * freeing. Everything but acl_ruleset_free() only reads the ruleset (the
 * merged-context slots, written by acl_merge.c, are read with acquire).
 */
#include "acl_priv.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_acl.h>
#include <rte_common.h>

#include "acl_fields.h"

static void
fill(uint32_t *v, uint32_t n, uint32_t x)
{
	uint32_t i;

	for (i = 0; i < n; i++)
		v[i] = x;
}

/* One rte_acl call with the ruleset's method (rs->alg > 0) or the context's. */
static inline int
ctx_classify(const struct acl_ruleset *rs, const struct acl_shctx *s,
		const uint8_t **kp, uint32_t *res, uint32_t n)
{
	return rs->alg > 0 ?
		rte_acl_classify_alg(s->ctx, kp, res, n, 1,
			(enum rte_acl_classify_alg)rs->alg) :
		rte_acl_classify(s->ctx, kp, res, n, 1);
}

/* Keys classified per rte_acl call: a copy of this many lives on the stack. */
#define CHUNK 64

/*
 * Classify keys[0..n) (n <= CHUNK) against one slice: a copy of each key
 * with the slice id written in. Verdicts already allowing are kept.
 */
static int
classify_slice(const struct acl_ruleset *rs, const struct acl_shctx *s,
		uint32_t slice, int fam, const uint8_t **keys,
		uint32_t *verdicts, uint32_t n)
{
	union {
		struct acl_key4 k4[CHUNK];
		struct acl_key6 k6[CHUNK];
	} buf;
	const uint8_t *kp[CHUNK];
	uint32_t res[CHUNK], i;
	rte_be32_t sl = rte_cpu_to_be_32(slice);
	int rc;

	for (i = 0; i < n; i++) {
		if (fam == ACL_FAM_4) {
			memcpy(&buf.k4[i], keys[i], sizeof(buf.k4[i]));
			buf.k4[i].slice = sl;
			kp[i] = (const uint8_t *)&buf.k4[i];
		} else {
			memcpy(&buf.k6[i], keys[i], sizeof(buf.k6[i]));
			buf.k6[i].slice = sl;
			kp[i] = (const uint8_t *)&buf.k6[i];
		}
	}
	rc = ctx_classify(rs, s, kp, res, n);
	if (rc != 0)
		return rc;
	for (i = 0; i < n; i++)
		if (verdicts[i] == ACL_VERDICT_DENY)
			verdicts[i] = res[i];
	return 0;
}

/* One chunk of keys through every slice of group g. */
static int
classify_group(const struct acl_ruleset *rs, const struct acl_rs_dir *rd,
		int fam, uint32_t g, const uint8_t **keys, uint32_t *verdicts,
		uint32_t n)
{
	const struct acl_shctx *s;
	uint32_t i, sl;
	int rc;

	fill(verdicts, n, ACL_VERDICT_DENY);
	for (i = rd->grp_off[g - 1]; i < rd->grp_off[g]; i++) {
		sl = rd->grp_sl[i];
		s = rd->buckets[rd->bucket_of[sl]].fam[fam];
		if (s == NULL)
			continue;
		rc = classify_slice(rs, s, sl, fam, keys, verdicts, n);
		if (rc != 0)
			return rc;
	}
	return 0;
}

/*
 * A merged context: the group's rules in one context, tagged with the
 * group, which the keys carry already (acl_key4_fill): the keys as they
 * are, one call for all n, and a miss is 0 = DENY.
 */
static int
classify_merged(const struct acl_ruleset *rs, const struct acl_shctx *s,
		const uint8_t **keys, uint32_t *verdicts, uint32_t n)
{
	return n == 0 ? 0 : ctx_classify(rs, s, keys, verdicts, n);
}

int
acl_classify(const struct acl_ruleset *rs, enum acl_dir dir, uint8_t family,
		uint32_t group, const uint8_t **keys, uint32_t *verdicts,
		uint32_t n)
{
	const struct acl_shctx *mc = NULL;
	const struct acl_rs_dir *rd;
	int fam = acl_fam_index(family);
	uint32_t i, c;
	int rc;

	if (rs == NULL || (unsigned int)dir >= ACL_DIR_MAX || fam < 0 ||
			(n > 0 && (keys == NULL || verdicts == NULL)))
		return -EINVAL;
	if (group == ACL_GROUP_NONE) {
		fill(verdicts, n, ACL_VERDICT_UNISOLATED);
		return 0;
	}
	rd = &rs->dir[dir];
	if (group > rd->n_groups)
		return -EINVAL;
	if (rd->merged[fam] != NULL)
		mc = __atomic_load_n(&rd->merged[fam][group], __ATOMIC_ACQUIRE);
	if (mc != NULL)
		return classify_merged(rs, mc, keys, verdicts, n);
	for (i = 0; i < n; i += c) {
		c = n - i < CHUNK ? n - i : CHUNK;
		rc = classify_group(rs, rd, fam, group, keys + i, verdicts + i,
			c);
		if (rc != 0)
			return rc;
	}
	return 0;
}

static int
ep_key_cmp(const void *key, const void *elt)
{
	const struct acl_addr *a = key;
	const struct acl_endpoint *e = elt;

	if (a->family != e->addr.family)
		return a->family < e->addr.family ? -1 : 1;
	return memcmp(a->addr, e->addr.addr, 16);
}

const struct acl_endpoint *
acl_ruleset_lookup(const struct acl_ruleset *rs, const struct acl_addr *addr)
{
	struct acl_addr k;
	int fam;

	if (rs == NULL || addr == NULL)
		return NULL;
	fam = acl_fam_index(addr->family);
	if (fam < 0)
		return NULL;
	memset(&k, 0, sizeof(k));
	k.family = addr->family;
	memcpy(k.addr, addr->addr, acl_fam_addr_len(fam));
	return bsearch(&k, rs->eps, rs->n_eps, sizeof(*rs->eps), ep_key_cmp);
}

const struct acl_endpoint *
acl_ruleset_endpoints(const struct acl_ruleset *rs, uint32_t *n)
{
	if (rs == NULL) {
		if (n != NULL)
			*n = 0;
		return NULL;
	}
	if (n != NULL)
		*n = rs->n_eps;
	return rs->eps;
}

const struct acl_origin *
acl_ruleset_origin(const struct acl_ruleset *rs, uint32_t verdict)
{
	const struct acl_origin *o;

	if (rs == NULL || verdict == ACL_VERDICT_DENY ||
			verdict == ACL_VERDICT_UNISOLATED ||
			verdict == ACL_VERDICT_SELF || verdict > rs->n_origins)
		return NULL;
	o = &rs->origins[verdict - 1];
	return o->policy_ns != NULL ? o : NULL;
}

/* One direction of a flow: the local endpoint le, the peer pe/peer_addr. */
static int
check_dir(const struct acl_ruleset *rs, enum acl_dir d,
		const struct acl_flow *f, const struct acl_endpoint *le,
		const struct acl_endpoint *pe, const struct acl_addr *peer,
		uint32_t *verdict)
{
	uint32_t id = pe != NULL ? pe->identity : ACL_IDENTITY_WORLD;
	struct acl_key4 k4;
	struct acl_key6 k6;
	const uint8_t *kp;
	rte_be32_t a4;

	if (le == NULL || le->group[d] == ACL_GROUP_NONE) {
		*verdict = ACL_VERDICT_UNISOLATED;
		return 0;
	}
	if (f->src.family == ACL_AF_INET) {
		memcpy(&a4, peer->addr, 4);
		acl_key4_fill(&k4, le->group[d], id, f->proto, a4,
			rte_cpu_to_be_16(f->sport), rte_cpu_to_be_16(f->dport));
		kp = (const uint8_t *)&k4;
	} else {
		acl_key6_fill(&k6, le->group[d], id, f->proto, peer->addr,
			rte_cpu_to_be_16(f->sport), rte_cpu_to_be_16(f->dport));
		kp = (const uint8_t *)&k6;
	}
	return acl_classify(rs, d, f->src.family, le->group[d], &kp, verdict,
		1);
}

int
acl_ruleset_check(const struct acl_ruleset *rs, const struct acl_flow *f,
		struct acl_flow_verdict *v)
{
	const struct acl_endpoint *se, *de;
	int rc;

	if (rs == NULL || f == NULL || v == NULL ||
			acl_fam_index(f->src.family) < 0 ||
			f->src.family != f->dst.family)
		return -EINVAL;
	se = acl_ruleset_lookup(rs, &f->src);
	de = acl_ruleset_lookup(rs, &f->dst);
	if (se != NULL && de != NULL && se->pod == de->pod) {
		v->egress = v->ingress = ACL_VERDICT_SELF;
		v->allowed = true;
		return 0;
	}
	rc = check_dir(rs, ACL_DIR_EGRESS, f, se, de, &f->dst, &v->egress);
	if (rc == 0)
		rc = check_dir(rs, ACL_DIR_INGRESS, f, de, se, &f->src,
			&v->ingress);
	if (rc != 0)
		return rc;
	v->allowed = v->egress != ACL_VERDICT_DENY &&
		v->ingress != ACL_VERDICT_DENY;
	return 0;
}

void
acl_ruleset_get_stats(const struct acl_ruleset *rs,
		struct acl_ruleset_stats *st)
{
	if (st == NULL)
		return;
	if (rs == NULL) {
		memset(st, 0, sizeof(*st));
		return;
	}
	*st = rs->stats;
	st->n_merge_pending = st->n_merge_planned -
		RTE_MIN(st->n_merge_planned, st->n_merged + st->n_merge_failed);
}

void
acl_ruleset_free(struct acl_ruleset *rs)
{
	uint32_t d, i;

	if (rs == NULL)
		return;
	acl_rs_free_buckets(rs);
	for (d = 0; d < ACL_DIR_MAX; d++) {
		free(rs->dir[d].grp_off);
		free(rs->dir[d].grp_sl);
		free(rs->dir[d].bucket_of);
		for (i = 0; i < rs->dir[d].n_keys; i++)
			free(rs->dir[d].keys[i].key);
		free(rs->dir[d].keys);
	}
	free(rs->eps);
	free(rs->origins);
	for (i = 0; i < rs->n_idkeys; i++)
		free(rs->idkeys[i].key);
	free(rs->idkeys);
	for (i = 0; i < rs->n_polkeys; i++) {
		free(rs->polkeys[i].ns);
		free(rs->polkeys[i].name);
	}
	free(rs->polkeys);
	free(rs);
}
