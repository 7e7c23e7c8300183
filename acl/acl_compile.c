/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * acl_compile.c: acl_compile(), the outline of the policy compiler (the
 * steps live in acl_ident.c, acl_group.c, acl_peer.c and acl_build.c; see
 * acl_priv.h for the pipeline and docs/architecture.md, "Policy
 * compiler", for the scheme).
 */
#include "acl_priv.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <rte_errno.h>

#include "acl_log.h"
#include "acl_timing.h"

/* The steps of the last compile on this thread (acl_timing.h). */
static __thread struct acl_compile_timing last_timing;

RTE_LOG_REGISTER(npvs_logtype_acl, npvs.acl, INFO);

int
acl_cc_fail(struct acl_cc *cc, int code, const char *fmt, ...)
{
	va_list ap;

	if (cc->err->code != 0)         /* keep the first, most precise one */
		return code;
	cc->err->code = code;
	va_start(ap, fmt);
	vsnprintf(cc->err->msg, sizeof(cc->err->msg), fmt, ap);
	va_end(ap);
	return code;
}

void
acl_compile_timing_last(struct acl_compile_timing *t)
{
	*t = last_timing;
}

/* Record a step that took the time since *t, and restart the clock. */
static void
timing_step(const char *name, uint64_t *t)
{
	struct acl_compile_timing *tm = &last_timing;
	uint64_t now = acl_now_ns();

	if (tm->n_steps < ACL_TIMING_STEPS_MAX) {
		tm->name[tm->n_steps] = name;
		tm->ns[tm->n_steps++] = now - *t;
	}
	*t = now;
}

static void
cc_free(struct acl_cc *cc)
{
	uint32_t i, d;

	for (i = 0; i < cc->n_ns; i++)
		free(cc->ns[i].idents);
	free(cc->ns);
	free(cc->pod_ns);
	free(cc->pod_ident);
	for (i = 0; i < cc->n_idents; i++) {
		free(cc->idents[i].key);
		for (d = 0; d < ACL_DIR_MAX; d++) {
			free(cc->idents[i].pols[d]);
			free(cc->idents[i].sl[d]);
		}
	}
	free(cc->idents);
	free(cc->lab);
	free(cc->ident_of_id);
	free(cc->used_below);
	free(cc->pols);
	free(cc->pol_ns);
	for (i = 0; i < cc->n_targets; i++) {
		free(cc->targets[i].idx);
		free(cc->targets[i].ids);
		if (cc->targets[i].pfx != &cc->targets[i].one)
			free(cc->targets[i].pfx);
	}
	free(cc->targets);
	free(cc->rule_peer);
	for (d = 0; d < ACL_DIR_MAX; d++) {
		for (i = 0; i < cc->n_slices[d]; i++)
			free(cc->slices[d][i].key);
		free(cc->slices[d]);
	}
	for (d = 0; d < ACL_FAM_NUM; d++)
		free(cc->rules[d]);
}

static int
idkey_sort_cmp(const void *a, const void *b)
{
	const struct acl_idkey *x = a, *y = b;

	return acl_hkey_cmp(x->hash, x->key, x->len, y->hash, y->key, y->len);
}

/* Identity keys move to the ruleset, for the next compile's prev. */
static int
cc_persist(struct acl_cc *cc)
{
	struct acl_ruleset *rs = cc->rs;
	uint32_t i;

	rs->idkeys = calloc((size_t)cc->n_idents + 1, sizeof(*rs->idkeys));
	if (rs->idkeys == NULL)
		return acl_cc_fail(cc, -ENOMEM, "out of memory");
	for (i = 0; i < cc->n_idents; i++) {
		rs->idkeys[i] = (struct acl_idkey){ cc->idents[i].hash,
			cc->idents[i].key, cc->idents[i].key_len,
			cc->idents[i].id };
		cc->idents[i].key = NULL;
	}
	rs->n_idkeys = cc->n_idents;
	qsort(rs->idkeys, rs->n_idkeys, sizeof(*rs->idkeys), idkey_sort_cmp);
	return 0;
}

static uint64_t
tables_size(const struct acl_ruleset *rs)
{
	uint64_t sz = sizeof(*rs);
	uint32_t d, i;

	sz += (uint64_t)rs->n_eps * sizeof(*rs->eps);
	sz += (uint64_t)rs->n_origins * sizeof(*rs->origins);
	sz += (uint64_t)rs->n_polkeys * sizeof(*rs->polkeys);
	for (i = 0; i < rs->n_idkeys; i++)
		sz += sizeof(*rs->idkeys) + rs->idkeys[i].len;
	for (d = 0; d < ACL_DIR_MAX; d++) {
		sz += (uint64_t)rs->dir[d].n_slots * sizeof(uint32_t);
		sz += (uint64_t)(rs->dir[d].n_groups + 1) * sizeof(uint32_t);
		if (rs->dir[d].n_groups > 0)
			sz += (uint64_t)rs->dir[d].grp_off[rs->dir[d].n_groups] *
				sizeof(uint32_t);
		sz += (uint64_t)rs->dir[d].n_buckets *
			sizeof(*rs->dir[d].buckets);
		for (i = 0; i < rs->dir[d].n_keys; i++)
			sz += sizeof(*rs->dir[d].keys) + rs->dir[d].keys[i].len;
	}
	return sz;
}

static void
cc_stats(struct acl_cc *cc, uint64_t t0)
{
	struct acl_ruleset *rs = cc->rs;
	struct acl_ruleset_stats *st = &rs->stats;
	const struct acl_shctx *s;
	uint32_t d, b, f;

	st->n_identities = cc->n_idents;
	st->n_origins = rs->n_origins;
	st->n_contexts_built = cc->n_built;
	st->n_contexts_reused = cc->n_reused;
	for (d = 0; d < ACL_DIR_MAX; d++) {
		st->n_groups[d] = cc->rs->dir[d].n_groups;
		st->n_slices[d] = cc->n_slices[d];
		st->n_buckets[d] = rs->dir[d].n_buckets;
		for (b = 0; b < rs->dir[d].n_buckets; b++) {
			for (f = 0; f < ACL_FAM_NUM; f++) {
				s = rs->dir[d].buckets[b].fam[f];
				if (s == NULL)
					continue;
				st->n_contexts++;
				st->n_rules += s->n_rules;
				st->acl_mem_size += s->mem_size +
					(uint64_t)s->n_rules * sizeof(*s->rules);
			}
		}
	}
	st->mem_size = st->acl_mem_size + tables_size(rs);
	st->build_ns = acl_now_ns() - t0;
}

/* The compile steps, in order (see acl_priv.h). */
static const struct {
	const char *name;
	int (*fn)(struct acl_cc *cc);
} steps[] = {
	{ "namespaces", acl_cc_namespaces },
	{ "identities", acl_cc_identities },
	{ "policies", acl_cc_policies },
	{ "targets", acl_cc_targets },
	{ "number", acl_cc_number },
	{ "slices", acl_cc_slices },
	{ "groups", acl_cc_groups },
	{ "endpoints", acl_cc_endpoints },
	{ "rules", acl_cc_rules },
	{ "buckets", acl_cc_buckets },
	{ "persist", cc_persist },
};

static int
cc_run(struct acl_cc *cc)
{
	char line[512];
	size_t len = 0;
	uint64_t t;
	uint32_t i;
	int rc = 0;

	line[0] = '\0';
	t = acl_now_ns();
	for (i = 0; i < sizeof(steps) / sizeof(steps[0]) && rc == 0; i++) {
		rc = steps[i].fn(cc);
		timing_step(steps[i].name, &t);
		if (len < sizeof(line))
			len += (size_t)snprintf(line + len, sizeof(line) - len,
				" %s %.2f", steps[i].name,
				last_timing.ns[last_timing.n_steps - 1] / 1e6);
	}
	ACL_LOG(DEBUG, "%s: steps (ms):%s", cc->opts->name, line);
	return rc;
}

static void
log_done(const struct acl_cc *cc)
{
	const struct acl_ruleset_stats *st = &cc->rs->stats;

	ACL_LOG(INFO, "%s: %u pods, %u policies -> %u identities, %u+%u slices, "
		"%u+%u groups, %u contexts (%u built, %u shared), %llu rules, "
		"%.1f ms", cc->opts->name, cc->m->n_pods, cc->m->n_policies,
		st->n_identities, st->n_slices[ACL_DIR_INGRESS],
		st->n_slices[ACL_DIR_EGRESS], st->n_groups[ACL_DIR_INGRESS],
		st->n_groups[ACL_DIR_EGRESS], st->n_contexts,
		st->n_contexts_built, st->n_contexts_reused,
		(unsigned long long)st->n_rules, st->build_ns / 1e6);
}

struct acl_ruleset *
acl_compile(const struct acl_model *m, const struct acl_compile_opts *opts,
		struct acl_err *err)
{
	struct acl_compile_opts o = { 0 };
	struct acl_cc cc;
	struct acl_err tmp;
	uint64_t t0 = acl_now_ns(), t = t0;
	int rc;

	memset(&last_timing, 0, sizeof(last_timing));
	if (err == NULL)
		err = &tmp;
	memset(err, 0, sizeof(*err));
	if (opts != NULL)
		o = *opts;
	if (o.name == NULL)
		o.name = "acl";
	memset(&cc, 0, sizeof(cc));
	cc = (struct acl_cc){ .m = m, .opts = &o, .prev = o.prev, .err = err };

	rc = acl_model_check(m, err);
	timing_step("check", &t);
	if (rc != 0)
		goto fail;
	cc.rs = calloc(1, sizeof(*cc.rs));
	if (cc.rs == NULL) {
		rc = acl_cc_fail(&cc, -ENOMEM, "out of memory");
		goto fail;
	}
	cc.rs->bucket_rules = o.bucket_rules ? o.bucket_rules :
		ACL_BUCKET_RULES_DEFAULT;
	rc = acl_alg_resolve(o.classify_alg, &cc.rs->alg);
	if (rc != 0) {
		acl_cc_fail(&cc, rc, "classify_alg %d: not supported here",
			o.classify_alg);
		goto fail;
	}
	timing_step("setup", &t);
	rc = cc_run(&cc);
	if (rc != 0)
		goto fail;
	t = acl_now_ns();
	cc_stats(&cc, t0);
	log_done(&cc);
	cc_free(&cc);
	timing_step("stats", &t);
	last_timing.total_ns = acl_now_ns() - t0;
	return cc.rs;
fail:
	ACL_LOG(ERR, "compile %s: %s", o.name, err->msg);
	acl_ruleset_free(cc.rs);
	cc_free(&cc);
	last_timing.rc = rc;
	last_timing.total_ns = acl_now_ns() - t0;
	rte_errno = -rc;
	return NULL;
}
