/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * acl_merge.c: merged contexts, one rte_acl context per (direction,
 * family, group) holding every rule of the group's slices, so that a new
 * flow costs one rte_acl call instead of one per slice (acl_ruleset.h,
 * "merged contexts"; docs/architecture.md, "Policy compiler").
 *
 * Plan (control thread): for each group whose level-0 classify makes at
 * least 2 calls, copy its slices' compact rules out of the buckets'
 * contexts, in the group's slice order (each slice's rules are a run in
 * its bucket, which is sorted by slice id). A context of prev for the
 * same group with a byte-identical list is shared (refcount) and attached
 * at once; the others become jobs. Budget: most calls first, total merged
 * rules (carried ones included) at most opts->max_rules.
 *
 * Build (any thread): acl_shctx_build() with the group: the rules' slice
 * field becomes the group (the key already carries it: acl_key4_fill), and
 * priorities give slice order first, then the lowest origin, which is
 * exactly level 0's "first slice that matches, its lowest origin".
 *
 * Attach (control thread): the plan names its ruleset by serial (never
 * reused, unlike an address), so a plan can only ever land in the ruleset
 * it was made from.
 *
 * Thread-safety: as each function says; a plan is used by one thread at a
 * time (the caller hands it over), except acl_merge_cancel (atomic flag).
 */
#include "acl_priv.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <rte_acl.h>

#include "acl_log.h"

/* One merged context to build (or built). */
struct mjob {
	uint8_t dir;
	uint8_t fam;
	uint32_t group;
	uint32_t calls;         /* level-0 rte_acl calls it replaces */
	struct acl_crule *rules;
	uint32_t n;
	struct acl_shctx *out;
	uint64_t ns;
	uint64_t mem;
	int rc;
};

struct acl_merge {
	uint64_t serial;        /* of the ruleset planned for */
	int socket_id;
	struct mjob *jobs;      /* selected, carried ones excluded */
	uint32_t n_jobs;
	uint32_t n_skipped;
	bool attached;
	int cancel;             /* atomic */
};

/* The run of slice sl's rules in s (sorted by slice): *off, count. */
static uint32_t
slice_run(const struct acl_shctx *s, uint32_t sl, uint32_t *off)
{
	uint32_t lo = 0, hi = s->n_rules, e;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (s->rules[mid].slice < sl)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (e = lo; e < s->n_rules && s->rules[e].slice == sl; e++)
		;
	*off = lo;
	return e - lo;
}

/* The level-0 context of slice sl in family fam, or NULL. */
static const struct acl_shctx *
slice_ctx(const struct acl_rs_dir *rd, uint32_t sl, int fam)
{
	uint32_t b = sl < rd->n_slots ? rd->bucket_of[sl] : UINT32_MAX;

	return b < rd->n_buckets ? rd->buckets[b].fam[fam] : NULL;
}

/* Calls and rules of group g at level 0. */
static void
group_cost(const struct acl_rs_dir *rd, int fam, uint32_t g, uint32_t *calls,
		uint32_t *rules)
{
	const struct acl_shctx *s;
	uint32_t i, off;

	*calls = *rules = 0;
	for (i = rd->grp_off[g - 1]; i < rd->grp_off[g]; i++) {
		s = slice_ctx(rd, rd->grp_sl[i], fam);
		if (s == NULL)
			continue;
		(*calls)++;
		*rules += slice_run(s, rd->grp_sl[i], &off);
	}
}

/* The group's rules in slice order (malloc'ed), j->n of them. */
static int
group_rules(const struct acl_rs_dir *rd, struct mjob *j)
{
	const struct acl_shctx *s;
	uint32_t i, off, c, n = 0;

	j->rules = malloc((size_t)j->n * sizeof(*j->rules) + 1);
	if (j->rules == NULL)
		return -ENOMEM;
	for (i = rd->grp_off[j->group - 1]; i < rd->grp_off[j->group]; i++) {
		s = slice_ctx(rd, rd->grp_sl[i], j->fam);
		if (s == NULL)
			continue;
		c = slice_run(s, rd->grp_sl[i], &off);
		memcpy(j->rules + n, s->rules + off, c * sizeof(*j->rules));
		n += c;
	}
	return 0;
}

/* Most calls first; then direction, family, group (deterministic). */
static int
cand_cmp(const void *a, const void *b)
{
	const struct mjob *x = a, *y = b;

	if (x->calls != y->calls)
		return x->calls > y->calls ? -1 : 1;
	if (x->dir != y->dir)
		return x->dir < y->dir ? -1 : 1;
	if (x->fam != y->fam)
		return x->fam < y->fam ? -1 : 1;
	return x->group < y->group ? -1 : x->group > y->group;
}

/* Every group with >= 2 level-0 calls, sorted by cand_cmp. */
static int
candidates(const struct acl_ruleset *rs, struct mjob **out, uint32_t *n_out)
{
	struct mjob *v = NULL;
	uint32_t n = 0, cap = 0, d, g, calls, rules;
	int f;

	for (d = 0; d < ACL_DIR_MAX; d++) {
		const struct acl_rs_dir *rd = &rs->dir[d];

		for (f = 0; f < ACL_FAM_NUM; f++) {
			if (rd->merged[f] == NULL)
				continue;
			for (g = 1; g <= rd->n_groups; g++) {
				if (rd->merged[f][g] != NULL)
					continue;       /* planned before */
				group_cost(rd, f, g, &calls, &rules);
				/* No rules: level 0 denies; rte_acl wants some. */
				if (calls < 2 || rules == 0)
					continue;
				if (ACL_GROW(v, n, cap) != 0) {
					free(v);
					return -ENOMEM;
				}
				v[n++] = (struct mjob){ .dir = (uint8_t)d,
					.fam = (uint8_t)f, .group = g,
					.calls = calls, .n = rules };
			}
		}
	}
	if (n > 1)
		qsort(v, n, sizeof(*v), cand_cmp);
	*out = v;
	*n_out = n;
	return 0;
}

/* prev's merged context of j's group with exactly j's rules, or NULL. */
static struct acl_shctx *
carried(const struct acl_ruleset *prev, const struct mjob *j)
{
	const struct acl_rs_dir *pd;
	struct acl_shctx *s;

	if (prev == NULL)
		return NULL;
	pd = &prev->dir[j->dir];
	if (pd->merged[j->fam] == NULL || j->group > pd->n_groups)
		return NULL;
	s = pd->merged[j->fam][j->group];
	if (s == NULL || s->n_rules != j->n ||
			memcmp(s->rules, j->rules, j->n * sizeof(*j->rules)) != 0)
		return NULL;
	return s;
}

/* Publish s as group j's merged context and count it. */
static void
put_slot(struct acl_ruleset *rs, const struct mjob *j, struct acl_shctx *s)
{
	struct acl_ruleset_stats *st = &rs->stats;

	__atomic_store_n(&rs->dir[j->dir].merged[j->fam][j->group], s,
		__ATOMIC_RELEASE);
	st->n_merged++;
	st->n_merged_rules += s->n_rules;
	st->merged_mem_size += s->mem_size +
		(uint64_t)s->n_rules * sizeof(*s->rules);
}

static uint64_t
budget(const struct acl_ruleset *rs, const struct acl_merge_opts *o)
{
	uint64_t b = 4 * rs->stats.n_rules;

	if (o != NULL && o->max_rules != 0)
		return o->max_rules;
	return b > ACL_MERGE_RULES_MIN ? b : ACL_MERGE_RULES_MIN;
}

/* Take candidate c: carried over (attached now) or a job. */
static int
plan_one(struct acl_ruleset *rs, const struct acl_ruleset *prev,
		struct acl_merge *m, struct mjob *c)
{
	struct acl_shctx *s;
	int rc;

	rc = group_rules(&rs->dir[c->dir], c);
	if (rc != 0)
		return rc;
	s = carried(prev, c);
	if (s != NULL) {
		free(c->rules);
		c->rules = NULL;
		s->refcnt++;
		put_slot(rs, c, s);
		rs->stats.n_merge_carried++;
		return 0;
	}
	m->jobs[m->n_jobs++] = *c;
	c->rules = NULL;
	return 0;
}

struct acl_merge *
acl_merge_plan(struct acl_ruleset *rs, const struct acl_ruleset *prev,
		const struct acl_merge_opts *o)
{
	struct acl_merge *m;
	struct mjob *cand = NULL;
	uint64_t max = 0, used = 0;
	uint32_t i, n = 0;

	if (rs == NULL)
		return NULL;
	m = calloc(1, sizeof(*m));
	if (m == NULL || candidates(rs, &cand, &n) != 0)
		goto fail;
	m->serial = rs->serial;
	m->socket_id = o != NULL ? o->socket_id : 0;
	m->jobs = calloc((size_t)n + 1, sizeof(*m->jobs));
	if (m->jobs == NULL)
		goto fail;
	max = budget(rs, o);
	for (i = 0; i < n; i++) {
		if (used + cand[i].n > max) {
			m->n_skipped++;
			continue;
		}
		used += cand[i].n;
		if (plan_one(rs, prev, m, &cand[i]) != 0)
			goto fail;
		rs->stats.n_merge_planned++;
	}
	rs->stats.n_merge_skipped += m->n_skipped;
	free(cand);
	return m;
fail:
	free(cand);
	acl_merge_free(m);
	return NULL;
}

uint32_t
acl_merge_jobs(const struct acl_merge *m)
{
	return m != NULL ? m->n_jobs : 0;
}

int
acl_merge_build(struct acl_merge *m)
{
	struct mjob *j;
	uint64_t t, mem;
	uint32_t i;
	int rc = 0;

	if (m == NULL)
		return -EINVAL;
	for (i = 0; i < m->n_jobs; i++) {
		j = &m->jobs[i];
		if (j->out != NULL)
			continue;
		if (__atomic_load_n(&m->cancel, __ATOMIC_RELAXED)) {
			j->rc = -ECANCELED;
			rc = rc ? rc : j->rc;
			continue;
		}
		t = acl_now_ns();
		mem = acl_heap_used();
		j->rc = acl_shctx_build("npvs-merge", m->socket_id, j->fam,
			j->group, j->rules, j->n, &j->out);
		mem = acl_heap_used() - mem;
		j->ns = acl_now_ns() - t;
		/* Other threads allocate too: an estimate, never negative. */
		j->mem = (int64_t)mem > 0 ? mem : 0;
		if (j->rc == 0)
			j->rules = NULL;        /* the context owns them */
		else
			rc = rc ? rc : j->rc;
	}
	return rc;
}

void
acl_merge_cancel(struct acl_merge *m)
{
	if (m != NULL)
		__atomic_store_n(&m->cancel, 1, __ATOMIC_RELAXED);
}

int
acl_merge_attach(struct acl_ruleset *rs, struct acl_merge *m)
{
	struct mjob *j;
	uint32_t i;

	if (rs == NULL || m == NULL)
		return -EINVAL;
	if (rs->serial != m->serial)
		return -ESTALE;
	if (m->attached)
		return 0;
	m->attached = true;
	for (i = 0; i < m->n_jobs; i++) {
		j = &m->jobs[i];
		if (j->out == NULL ||
				rs->dir[j->dir].merged[j->fam][j->group] != NULL) {
			rs->stats.n_merge_failed += j->out == NULL;
			continue;
		}
		j->out->mem_size = j->mem;
		put_slot(rs, j, j->out);
		rs->stats.merge_build_ns += j->ns;
		j->out = NULL;
	}
	return 0;
}

void
acl_merge_free(struct acl_merge *m)
{
	uint32_t i;

	if (m == NULL)
		return;
	for (i = 0; i < m->n_jobs; i++) {
		acl_shctx_put(m->jobs[i].out);
		free(m->jobs[i].rules);
	}
	free(m->jobs);
	free(m);
}
