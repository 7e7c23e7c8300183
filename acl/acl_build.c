/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * acl_build.c: from slices and their compact rules to rte_acl contexts.
 *
 * Why buckets: on this machine kind an rte_acl context costs about 0.35 ms
 * before its first rule (rte_acl_create probes the CPU with CPUID, which
 * traps in a VM; rte_acl_build clears an 8 MiB scratch pool), and 20 to
 * 100 us per rule after that. One context per slice would spend a second
 * on 3,000 slices; one context for everything would rebuild 10,000 rules
 * for any change. So slices are packed into buckets of about
 * opts->bucket_rules rules; a bucket is one context per family, and every
 * rule carries its slice id as an exact field, so slices in a bucket never
 * see each other's rules.
 *
 * Reuse: a slice keeps its bucket from the previous ruleset; new slices go
 * to the last, still open bucket or to new ones. A bucket whose rule list
 * (every byte of every compact rule) equals the previous one's shares the
 * previous rte_acl context (refcount) instead of building one, so one
 * changed policy rebuilds only the buckets of its own slices.
 *
 * Merged contexts (acl_merge.c) are built here too (acl_shctx_build with
 * a group): the same conversion, the group in the slice field and
 * priorities that reproduce the slice-by-slice result.
 *
 * Thread-safety: the compile steps run on the control thread;
 * acl_shctx_build() on any thread (rte_acl_create/build lock what they
 * share); acl_shctx_put() and freeing on the control thread (refcounts).
 */
#include "acl_priv.h"

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_acl.h>
#include <rte_malloc.h>

#include "acl_fields.h"
#include "acl_log.h"

RTE_ACL_RULE_DEF(acl_rte_rule4, ACL_F4_NUM);
RTE_ACL_RULE_DEF(acl_rte_rule6, ACL_F6_NUM);

#define FDEF(t, sz, f, in, s, m) \
	{ .type = RTE_ACL_FIELD_TYPE_##t, .size = sz, .field_index = f, \
	  .input_index = in, .offset = offsetof(s, m) }

static const struct rte_acl_config cfg4 = {
	.num_categories = 1,
	.num_fields = ACL_F4_NUM,
	.defs = {
		FDEF(BITMASK, 1, ACL_F4_PROTO, 0, struct acl_key4, proto),
		FDEF(MASK, 4, ACL_F4_SLICE, 1, struct acl_key4, slice),
		FDEF(RANGE, 2, ACL_F4_SPORT, 2, struct acl_key4, sport),
		FDEF(RANGE, 2, ACL_F4_DPORT, 2, struct acl_key4, dport),
		FDEF(RANGE, 4, ACL_F4_IDENTITY, 3, struct acl_key4, identity),
		FDEF(MASK, 4, ACL_F4_ADDR, 4, struct acl_key4, peer_addr),
	},
};

static const struct rte_acl_config cfg6 = {
	.num_categories = 1,
	.num_fields = ACL_F6_NUM,
	.defs = {
		FDEF(BITMASK, 1, ACL_F6_PROTO, 0, struct acl_key6, proto),
		FDEF(MASK, 4, ACL_F6_SLICE, 1, struct acl_key6, slice),
		FDEF(RANGE, 2, ACL_F6_SPORT, 2, struct acl_key6, sport),
		FDEF(RANGE, 2, ACL_F6_DPORT, 2, struct acl_key6, dport),
		FDEF(RANGE, 4, ACL_F6_IDENTITY, 3, struct acl_key6, identity),
		FDEF(MASK, 4, ACL_F6_ADDR0, 4, struct acl_key6, peer_addr[0]),
		FDEF(MASK, 4, ACL_F6_ADDR1, 5, struct acl_key6, peer_addr[4]),
		FDEF(MASK, 4, ACL_F6_ADDR2, 6, struct acl_key6, peer_addr[8]),
		FDEF(MASK, 4, ACL_F6_ADDR3, 7, struct acl_key6, peer_addr[12]),
	},
};

const struct rte_acl_config *
acl_rte_config(int fam)
{
	return fam == ACL_FAM_4 ? &cfg4 : &cfg6;
}

/* Process-wide: rte_acl_create() with a live name returns the live context. */
static uint64_t ctx_seq;

/* ---- compact rule -> rte_acl rule ---- */

static uint32_t
word_at(const uint8_t *a, uint32_t i)
{
	return (uint32_t)a[4 * i] << 24 | (uint32_t)a[4 * i + 1] << 16 |
		(uint32_t)a[4 * i + 2] << 8 | a[4 * i + 3];
}

static void
rule_common(struct rte_acl_rule_data *d, struct rte_acl_field *f,
		const struct acl_crule *c, int f_proto, int f_slice, int f_id,
		int f_sport, int f_dport)
{
	d->category_mask = 1;
	d->priority = RTE_ACL_MAX_PRIORITY - (int32_t)c->origin;
	d->userdata = c->origin;
	f[f_proto].value.u8 = c->proto;
	f[f_proto].mask_range.u8 = c->proto ? 0xff : 0;
	f[f_slice].value.u32 = c->slice;
	f[f_slice].mask_range.u32 = 32;
	f[f_id].value.u32 = c->id_lo;
	f[f_id].mask_range.u32 = c->id_hi;
	f[f_sport].value.u16 = 0;
	f[f_sport].mask_range.u16 = UINT16_MAX;
	f[f_dport].value.u16 = c->port_lo;
	f[f_dport].mask_range.u16 = c->port_hi;
}

static void
rule4(struct acl_rte_rule4 *r, const struct acl_crule *c)
{
	memset(r, 0, sizeof(*r));
	rule_common(&r->data, r->field, c, ACL_F4_PROTO, ACL_F4_SLICE,
		ACL_F4_IDENTITY, ACL_F4_SPORT, ACL_F4_DPORT);
	r->field[ACL_F4_ADDR].value.u32 = c->plen ? word_at(c->addr, 0) : 0;
	r->field[ACL_F4_ADDR].mask_range.u32 = c->plen;
}

static void
rule6(struct acl_rte_rule6 *r, const struct acl_crule *c)
{
	int i, len;

	memset(r, 0, sizeof(*r));
	rule_common(&r->data, r->field, c, ACL_F6_PROTO, ACL_F6_SLICE,
		ACL_F6_IDENTITY, ACL_F6_SPORT, ACL_F6_DPORT);
	for (i = 0; i < 4; i++) {
		len = c->plen - 32 * i;
		len = len < 0 ? 0 : len > 32 ? 32 : len;
		r->field[ACL_F6_ADDR0 + i].value.u32 =
			len ? word_at(c->addr, i) : 0;
		r->field[ACL_F6_ADDR0 + i].mask_range.u32 = (uint32_t)len;
	}
}

/* ---- one context ---- */

uint64_t
acl_heap_used(void)
{
	struct rte_malloc_socket_stats st;
	unsigned int i, n = rte_socket_count();
	uint64_t sum = 0;

	for (i = 0; i < n; i++)
		if (rte_malloc_get_socket_stats(rte_socket_id_by_idx(i),
				&st) == 0)
			sum += st.heap_allocsz_bytes;
	return sum;
}

/*
 * Priorities of a merged context: the rules come slice by slice in the
 * group's order, and level 0 keeps the first slice that matches, then the
 * lowest origin within it. So each slice takes a block of priorities
 * below the previous slice's, one per origin of its range. @return 0, or
 * -ERANGE when the blocks do not fit rte_acl's priority range.
 */
static int
merged_prio(const struct acl_crule *c, uint32_t n, int32_t *prio)
{
	uint32_t i, j, k, lo, hi;
	uint64_t base = 0;

	for (i = 0; i < n; i = j) {
		lo = hi = c[i].origin;
		for (j = i; j < n && c[j].slice == c[i].slice; j++) {
			lo = c[j].origin < lo ? c[j].origin : lo;
			hi = c[j].origin > hi ? c[j].origin : hi;
		}
		if (base + (hi - lo) > RTE_ACL_MAX_PRIORITY)
			return -ERANGE;
		for (k = i; k < j; k++)
			prio[k] = RTE_ACL_MAX_PRIORITY -
				(int32_t)(base + c[k].origin - lo);
		base += (uint64_t)(hi - lo) + 1;
	}
	return 0;
}

static int
ctx_fill(struct rte_acl_ctx *ctx, int fam, uint32_t group,
		const struct acl_crule *c, uint32_t n)
{
	size_t sz = fam == ACL_FAM_4 ? sizeof(struct acl_rte_rule4) :
		sizeof(struct acl_rte_rule6);
	uint8_t *buf = malloc(sz * n);
	int32_t *prio = group ? malloc(sizeof(*prio) * n) : NULL;
	struct rte_acl_rule *r;
	uint32_t i;
	int rc = 0;

	if (buf == NULL || (group && prio == NULL))
		rc = -ENOMEM;
	if (rc == 0 && group)
		rc = merged_prio(c, n, prio);
	for (i = 0; i < n && rc == 0; i++) {
		r = (struct rte_acl_rule *)(buf + i * sz);
		if (fam == ACL_FAM_4)
			rule4((struct acl_rte_rule4 *)r, &c[i]);
		else
			rule6((struct acl_rte_rule6 *)r, &c[i]);
		if (group == 0)
			continue;
		/* Same index in both layouts: the key carries the group. */
		r->field[ACL_F4_SLICE].value.u32 = group;
		r->data.priority = prio[i];
	}
	if (rc == 0)
		rc = rte_acl_add_rules(ctx, (const struct rte_acl_rule *)buf, n);
	free(prio);
	free(buf);
	return rc;
}

int
acl_shctx_build(const char *name, int socket_id, int fam, uint32_t group,
		struct acl_crule *rules, uint32_t n, struct acl_shctx **out)
{
	struct rte_acl_param prm = { 0 };
	char cname[RTE_ACL_NAMESIZE];
	struct acl_shctx *s;
	int rc;

	*out = NULL;
	s = calloc(1, sizeof(*s));
	if (s == NULL)
		return -ENOMEM;
	s->seq = __atomic_add_fetch(&ctx_seq, 1, __ATOMIC_RELAXED);
	snprintf(cname, sizeof(cname), "%.18s-%" PRIx64, name, s->seq);
	prm.name = cname;
	prm.socket_id = socket_id;
	prm.rule_size = fam == ACL_FAM_4 ? RTE_ACL_RULE_SZ(ACL_F4_NUM) :
		RTE_ACL_RULE_SZ(ACL_F6_NUM);
	prm.max_rule_num = n;
	s->ctx = rte_acl_create(&prm);
	rc = s->ctx == NULL ? -rte_errno : ctx_fill(s->ctx, fam, group, rules,
		n);
	if (rc == 0)
		rc = rte_acl_build(s->ctx, acl_rte_config(fam));
	if (rc != 0) {
		ACL_LOG(ERR, "context %s (%u rules): %s", cname, n,
			strerror(-rc));
		rte_acl_free(s->ctx);
		free(s);
		return rc;
	}
	s->refcnt = 1;
	s->fam = fam;
	s->rules = rules;
	s->n_rules = n;
	*out = s;
	return 0;
}

/* One context to build; built contexts take ownership of rules. */
struct job {
	struct acl_bucket *bk;
	int fam;
	struct acl_crule *rules;
	uint32_t n;
	struct acl_shctx *out;
	int rc;
};

/* What the build threads share. */
struct jobs {
	struct job *v;
	uint32_t n;
	uint32_t cap;
	uint32_t next;          /* next job to take (atomic) */
	const char *name;
	int socket_id;
};

static void
job_run(const struct jobs *js, struct job *j)
{
	j->rc = acl_shctx_build(js->name, js->socket_id, j->fam, 0, j->rules,
		j->n, &j->out);
	if (j->rc == 0)
		j->rules = NULL;
}

static void *
jobs_worker(void *arg)
{
	struct jobs *js = arg;
	uint32_t i;

	while ((i = __atomic_fetch_add(&js->next, 1, __ATOMIC_RELAXED)) <
			js->n)
		job_run(js, &js->v[i]);
	return NULL;
}

/*
 * Run the jobs on the calling thread and up to threads - 1 helpers
 * (rte_acl_create takes EAL's tailq lock; builds of different contexts
 * share nothing else). Memory is measured for the whole run and shared
 * out by rule count: per-context figures are estimates.
 */
static void
jobs_run(struct jobs *js, uint32_t threads)
{
	pthread_t tid[ACL_BUILD_THREADS_MAX];
	uint32_t i, nt = 0;
	uint64_t before = acl_heap_used(), used, rules = 0;

	if (threads > ACL_BUILD_THREADS_MAX)
		threads = ACL_BUILD_THREADS_MAX;
	for (i = 1; i < threads && i < js->n; i++)
		if (pthread_create(&tid[nt], NULL, jobs_worker, js) == 0)
			nt++;
	jobs_worker(js);
	for (i = 0; i < nt; i++)
		pthread_join(tid[i], NULL);
	used = acl_heap_used() - before;
	for (i = 0; i < js->n; i++)
		rules += js->v[i].out ? js->v[i].n : 0;
	for (i = 0; i < js->n && rules > 0; i++)
		if (js->v[i].out != NULL)
			js->v[i].out->mem_size = used * js->v[i].n / rules;
}

void
acl_shctx_put(struct acl_shctx *s)
{
	if (s == NULL || --s->refcnt > 0)
		return;
	rte_acl_free(s->ctx);
	free(s->rules);
	free(s);
}

/* ---- buckets ---- */

static uint32_t
sl_rules(const struct acl_cslice *g)
{
	return g->n_rules[ACL_FAM_4] + g->n_rules[ACL_FAM_6];
}

/* Drop prev placements that no longer make sense: split fat buckets,
 * repack everything when buckets got too many. @return bucket count kept. */
static uint32_t
plan_keep(struct acl_cc *cc, enum acl_dir d, uint32_t *load)
{
	const struct acl_rs_dir *pd = cc->prev ? &cc->prev->dir[d] : NULL;
	uint32_t i, nb, t = cc->rs->bucket_rules, *ng;
	struct acl_cslice *gs = cc->slices[d];
	uint64_t total = 0;

	for (i = 0; i < cc->n_slices[d]; i++)
		total += sl_rules(&gs[i]);
	nb = pd != NULL ? pd->n_buckets : 0;
	if (pd != NULL && (cc->prev->bucket_rules != t ||
			nb > 2 * (total / t + 1) + 8))
		nb = 0;
	ng = calloc((size_t)nb + 1, sizeof(*ng));
	for (i = 0; i < cc->n_slices[d]; i++) {
		if (gs[i].bucket >= nb || ng == NULL) {
			gs[i].bucket = UINT32_MAX;
			continue;
		}
		load[gs[i].bucket] += sl_rules(&gs[i]);
		ng[gs[i].bucket]++;
	}
	for (i = 0; i < cc->n_slices[d]; i++) {
		if (gs[i].bucket == UINT32_MAX)
			continue;
		if (load[gs[i].bucket] > 4 * t && ng[gs[i].bucket] > 1)
			gs[i].bucket = UINT32_MAX - 1;  /* mark: split */
	}
	for (i = 0; i < nb; i++)
		if (load[i] > 4 * t && ng[i] > 1)
			load[i] = 0;
	for (i = 0; i < cc->n_slices[d]; i++)
		if (gs[i].bucket == UINT32_MAX - 1)
			gs[i].bucket = UINT32_MAX;
	free(ng);
	return nb;
}

/* Place slices without a bucket, in key order, into the open bucket. */
static uint32_t
plan_place(struct acl_cc *cc, enum acl_dir d, uint32_t nb, uint32_t *load)
{
	uint32_t i, r, open = nb ? nb - 1 : UINT32_MAX, t = cc->rs->bucket_rules;
	struct acl_cslice *g;
	uint32_t open_load = nb ? load[nb - 1] : 0;

	for (i = 0; i < cc->n_slices[d]; i++) {
		g = &cc->slices[d][i];
		if (g->bucket != UINT32_MAX)
			continue;
		r = sl_rules(g);
		if (open == UINT32_MAX || (open_load > 0 && open_load + r > t)) {
			open = nb++;
			open_load = 0;
		}
		g->bucket = open;
		open_load += r;
	}
	return nb;
}

static int
sl_bucket_cmp(const void *a, const void *b, void *arg)
{
	const struct acl_cslice *gs = arg;
	const struct acl_cslice *x = &gs[*(const uint32_t *)a];
	const struct acl_cslice *y = &gs[*(const uint32_t *)b];

	if (x->bucket != y->bucket)
		return x->bucket < y->bucket ? -1 : 1;
	return x->id < y->id ? -1 : x->id > y->id;
}

/* Are the rules of these slices, in order, exactly old's? (No copy.) */
static bool
same_rules(const struct acl_cc *cc, enum acl_dir d, int fam,
		const uint32_t *si, uint32_t ns, const struct acl_shctx *old,
		uint32_t n)
{
	const struct acl_cslice *s;
	uint32_t i, off = 0;

	if (old == NULL || old->n_rules != n)
		return false;
	for (i = 0; i < ns; i++) {
		s = &cc->slices[d][si[i]];
		if (memcmp(old->rules + off, cc->rules[fam] + s->rule_off[fam],
				s->n_rules[fam] * sizeof(*old->rules)) != 0)
			return false;
		off += s->n_rules[fam];
	}
	return true;
}

/* The context of one bucket and family: shared with prev, or a job. */
static int
bucket_fam(struct acl_cc *cc, enum acl_dir d, uint32_t b, int fam,
		const uint32_t *si, uint32_t ns, struct jobs *js)
{
	const struct acl_rs_dir *pd = cc->prev ? &cc->prev->dir[d] : NULL;
	struct acl_bucket *bk = &cc->rs->dir[d].buckets[b];
	struct acl_shctx *old = NULL;
	const struct acl_cslice *s;
	struct acl_crule *rules;
	uint32_t i, n = 0;

	for (i = 0; i < ns; i++)
		n += cc->slices[d][si[i]].n_rules[fam];
	bk->n_rules += n;
	if (n == 0)
		return 0;
	if (pd != NULL && b < pd->n_buckets)
		old = pd->buckets[b].fam[fam];
	if (same_rules(cc, d, fam, si, ns, old, n)) {
		old->refcnt++;
		bk->fam[fam] = old;
		cc->n_reused++;
		return 0;
	}
	rules = malloc((size_t)n * sizeof(*rules));
	if (rules == NULL || ACL_GROW(js->v, js->n, js->cap) != 0) {
		free(rules);
		return -ENOMEM;
	}
	for (i = 0, n = 0; i < ns; i++) {
		s = &cc->slices[d][si[i]];
		memcpy(rules + n, cc->rules[fam] + s->rule_off[fam],
			s->n_rules[fam] * sizeof(*rules));
		n += s->n_rules[fam];
	}
	js->v[js->n++] = (struct job){ bk, fam, rules, n, NULL, 0 };
	return 0;
}

static int
dir_contexts(struct acl_cc *cc, enum acl_dir d, const uint32_t *order,
		struct jobs *js)
{
	struct acl_rs_dir *rd = &cc->rs->dir[d];
	uint32_t i, j, b, fam;
	int rc;

	for (i = 0; i < cc->n_slices[d]; i = j) {
		b = cc->slices[d][order[i]].bucket;
		for (j = i; j < cc->n_slices[d] &&
				cc->slices[d][order[j]].bucket == b; j++)
			;
		rd->buckets[b].n_slices = j - i;
		for (fam = 0; fam < ACL_FAM_NUM; fam++) {
			rc = bucket_fam(cc, d, b, (int)fam, order + i, j - i,
				js);
			if (rc != 0)
				return rc;
		}
	}
	return 0;
}

/* Persist slice keys (sorted, as cc->slices) and the id -> bucket map. */
static int
dir_tables(struct acl_cc *cc, enum acl_dir d)
{
	struct acl_rs_dir *rd = &cc->rs->dir[d];
	struct acl_cslice *s;
	uint32_t i;

	rd->n_slots = rd->next_slice;
	rd->bucket_of = malloc((size_t)rd->n_slots * sizeof(*rd->bucket_of));
	rd->keys = calloc((size_t)cc->n_slices[d] + 1, sizeof(*rd->keys));
	if (rd->bucket_of == NULL || rd->keys == NULL)
		return -ENOMEM;
	for (i = 0; i < rd->n_slots; i++)
		rd->bucket_of[i] = UINT32_MAX;
	for (i = 0; i < cc->n_slices[d]; i++) {
		s = &cc->slices[d][i];
		rd->bucket_of[s->id] = s->bucket;
		rd->keys[i] = (struct acl_slkey){ s->key, s->key_len, s->id,
			s->bucket };
		s->key = NULL;
		rd->n_keys++;
	}
	return 0;
}

static int
dir_buckets(struct acl_cc *cc, enum acl_dir d, struct jobs *js)
{
	const struct acl_rs_dir *pd = cc->prev ? &cc->prev->dir[d] : NULL;
	uint32_t i, nb, cap = (pd ? pd->n_buckets : 0) + cc->n_slices[d] + 1;
	uint32_t *load, *order;
	int rc = -ENOMEM;

	load = calloc(cap, sizeof(*load));
	order = calloc((size_t)cc->n_slices[d] + 1, sizeof(*order));
	if (load == NULL || order == NULL)
		goto out;
	nb = plan_keep(cc, d, load);
	nb = plan_place(cc, d, nb, load);
	cc->rs->dir[d].buckets = calloc((size_t)nb + 1,
		sizeof(*cc->rs->dir[d].buckets));
	if (cc->rs->dir[d].buckets == NULL)
		goto out;
	cc->rs->dir[d].n_buckets = nb;
	for (i = 0; i < cc->n_slices[d]; i++)
		order[i] = i;
	qsort_r(order, cc->n_slices[d], sizeof(*order), sl_bucket_cmp,
		cc->slices[d]);
	rc = dir_contexts(cc, d, order, js);
	if (rc == 0)
		rc = dir_tables(cc, d);
out:
	free(load);
	free(order);
	return rc;
}

/* Hand built contexts to their buckets; free what failed. */
static int
jobs_finish(struct acl_cc *cc, struct jobs *js)
{
	uint32_t i;
	int rc = 0;

	for (i = 0; i < js->n; i++) {
		if (js->v[i].out != NULL) {
			js->v[i].bk->fam[js->v[i].fam] = js->v[i].out;
			cc->n_built++;
		} else if (rc == 0) {
			rc = js->v[i].rc != 0 ? js->v[i].rc : -ENOMEM;
		}
		free(js->v[i].rules);
	}
	free(js->v);
	return rc;
}

/* The per-group merged-context slots (all NULL) and the serial. */
static int
merged_slots(struct acl_ruleset *rs)
{
	static uint64_t serial;
	uint32_t d, f;

	rs->serial = __atomic_add_fetch(&serial, 1, __ATOMIC_RELAXED);
	for (d = 0; d < ACL_DIR_MAX; d++) {
		for (f = 0; f < ACL_FAM_NUM; f++) {
			rs->dir[d].merged[f] = calloc(
				(size_t)rs->dir[d].n_groups + 1,
				sizeof(*rs->dir[d].merged[f]));
			if (rs->dir[d].merged[f] == NULL)
				return -ENOMEM;
		}
	}
	return 0;
}

int
acl_cc_buckets(struct acl_cc *cc)
{
	struct jobs js = { .name = cc->opts->name,
		.socket_id = cc->opts->socket_id };
	uint32_t d;
	int rc, rc2;

	rc = merged_slots(cc->rs);
	for (d = 0; d < ACL_DIR_MAX && rc == 0; d++)
		rc = dir_buckets(cc, d, &js);
	if (rc == 0)
		jobs_run(&js, cc->opts->build_threads);
	rc2 = jobs_finish(cc, &js);
	rc = rc != 0 ? rc : rc2;
	if (rc != 0)
		return acl_cc_fail(cc, rc, "building rte_acl contexts: %s",
			strerror(-rc));
	return 0;
}

/* ---- freeing ---- */

static int
shctx_seq_cmp(const void *a, const void *b)
{
	const struct acl_shctx *x = *(struct acl_shctx *const *)a;
	const struct acl_shctx *y = *(struct acl_shctx *const *)b;

	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/*
 * rte_acl_free() finds its context in a global list from the head, and
 * contexts are appended at creation: freeing oldest first keeps each free
 * O(1) instead of O(contexts).
 */
static void
collect(struct acl_shctx **all, uint32_t *n, struct acl_shctx *s)
{
	if (s == NULL)
		return;
	if (all != NULL)
		all[(*n)++] = s;
	else
		acl_shctx_put(s);
}

/* Merged contexts go into all[] (or are put when all is NULL). */
static void
collect_merged(struct acl_ruleset *rs, struct acl_shctx **all, uint32_t *n)
{
	uint32_t d, f, g;

	for (d = 0; d < ACL_DIR_MAX; d++) {
		for (f = 0; f < ACL_FAM_NUM; f++) {
			if (rs->dir[d].merged[f] == NULL)
				continue;
			for (g = 0; g <= rs->dir[d].n_groups; g++)
				collect(all, n, rs->dir[d].merged[f][g]);
			free(rs->dir[d].merged[f]);
			rs->dir[d].merged[f] = NULL;
		}
	}
}

void
acl_rs_free_buckets(struct acl_ruleset *rs)
{
	struct acl_shctx **all;
	uint32_t d, b, f, n = 0, i;

	for (d = 0; d < ACL_DIR_MAX; d++)
		n += (rs->dir[d].n_buckets + rs->dir[d].n_groups + 1) *
			ACL_FAM_NUM;
	all = calloc((size_t)n + 1, sizeof(*all));
	n = 0;
	collect_merged(rs, all, &n);
	for (d = 0; d < ACL_DIR_MAX; d++) {
		for (b = 0; b < rs->dir[d].n_buckets; b++) {
			for (f = 0; f < ACL_FAM_NUM; f++)
				collect(all, &n, rs->dir[d].buckets[b].fam[f]);
		}
		free(rs->dir[d].buckets);
		rs->dir[d].buckets = NULL;
		rs->dir[d].n_buckets = 0;
	}
	if (all == NULL)
		return;
	qsort(all, n, sizeof(*all), shctx_seq_cmp);
	for (i = 0; i < n; i++)
		acl_shctx_put(all[i]);
	free(all);
}

/* ---- classify method ---- */

static int alg_state[RTE_ACL_CLASSIFY_AVX512X32 + 1]; /* 0 ?, 1 ok, -1 no */

static bool
alg_supported(int alg)
{
	struct rte_acl_param prm = { 0 };
	struct rte_acl_ctx *ctx;
	char name[RTE_ACL_NAMESIZE];

	if (alg_state[alg] != 0)
		return alg_state[alg] > 0;
	snprintf(name, sizeof(name), "npvs-probe-%" PRIx64, ++ctx_seq);
	prm.name = name;
	prm.socket_id = SOCKET_ID_ANY;
	prm.rule_size = RTE_ACL_RULE_SZ(ACL_F4_NUM);
	prm.max_rule_num = 1;
	ctx = rte_acl_create(&prm);
	if (ctx == NULL)
		return false;   /* not cached: may be transient */
	alg_state[alg] = rte_acl_set_ctx_classify(ctx, alg) == 0 ? 1 : -1;
	rte_acl_free(ctx);
	return alg_state[alg] > 0;
}

/*
 * The method every classify of the ruleset uses. 0 asks for SSE, faster
 * than AVX2 on the AMD EPYC machines we run on (DPDK-HOWTO.md); where SSE
 * is missing, -1 means "each context's own default".
 */
int
acl_alg_resolve(int want, int *alg)
{
	if (want < 0 || want > RTE_ACL_CLASSIFY_AVX512X32)
		return -EINVAL;
	if (want == RTE_ACL_CLASSIFY_DEFAULT) {
		*alg = alg_supported(RTE_ACL_CLASSIFY_SSE) ?
			RTE_ACL_CLASSIFY_SSE : -1;
		return 0;
	}
	if (!alg_supported(want))
		return -ENOTSUP;
	*alg = want;
	return 0;
}
