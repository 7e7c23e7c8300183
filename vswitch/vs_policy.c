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
 * Merged contexts (acl_ruleset.h, docs/architecture.md "Policy
 * compiler"): after each publish, acl_merge_plan() on the new ruleset
 * (carrying over the old one's merged contexts of unchanged groups,
 * attached at once); what is left to build goes to one background thread,
 * "npvs-merge" (an EAL control thread, so on the control thread's cores,
 * never a worker's; nice 10, so that an apply's compile comes first). One
 * job at a time, started once no newer ruleset came for
 * VS_MERGE_SETTLE_MS; a newer ruleset replaces a job not started yet and
 * cancels the running one (its result would be for a ruleset no longer
 * live). vs_housekeeping() calls vs_policy_merge_poll(), which attaches a
 * finished job to the live ruleset (acl_merge_attach refuses any other)
 * and logs one line. An apply never waits for a merge. The environment
 * variable NPVS_POLICY_MERGE=0 turns merging off (level 0 only: for A/B
 * benchmarks of one binary).
 *
 * Thread-safety: control thread only, except the builder thread, which
 * touches nothing but the plans handed to it (under merger->lock). Workers
 * read a vs_policy through a published snapshot; the ruleset is never
 * written after vs_policy_create() except its merged-context slots
 * (acl_merge_attach: release stores, classify's acquire loads).
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

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

/* ---- merged contexts: the builder thread ---- */

/*
 * A plan waits this long for a newer one before its build starts: during
 * a burst of applies (each supersedes the last) nothing is built, so the
 * builder takes neither CPU nor cache from the applies' compiles, and no
 * build is thrown away half-done (rte_acl_build cannot be interrupted).
 */
#define VS_MERGE_SETTLE_MS 200

struct vs_merger {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	pthread_t tid;
	bool started;
	bool quit;
	/* Under lock: */
	struct acl_merge *pending;      /* newest plan, not started */
	struct acl_merge *running;      /* being built */
	struct acl_merge *done;         /* built, to attach */
	uint32_t pending_gen, running_gen, done_gen;    /* policy gens */
	uint64_t pending_at;            /* mono_ns when pending was set */
	uint64_t done_ns;               /* its build, wall time */
	/* Control thread: */
	uint64_t t_plan;                /* when the newest plan was made */
};

static uint64_t
mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Build one job; keep it for the control thread unless superseded. */
static void
merger_run_one(struct vs_merger *mg)
{
	struct acl_merge *m = mg->pending, *drop;
	uint32_t gen = mg->pending_gen;
	uint64_t t;

	mg->pending = NULL;
	mg->running = m;
	mg->running_gen = gen;
	pthread_mutex_unlock(&mg->lock);
	t = mono_ns();
	acl_merge_build(m);
	t = mono_ns() - t;
	pthread_mutex_lock(&mg->lock);
	mg->running = NULL;
	if (mg->pending != NULL || mg->quit) {
		drop = m;               /* a newer ruleset is live */
	} else {
		drop = mg->done;        /* never attached: older */
		mg->done = m;
		mg->done_gen = gen;
		mg->done_ns = t;
	}
	pthread_mutex_unlock(&mg->lock);
	acl_merge_free(drop);           /* unattached: any thread may */
	pthread_mutex_lock(&mg->lock);
}

/* Wait (lock held) until pending has been the newest plan for
 * VS_MERGE_SETTLE_MS, or something changes. @return true: build it now. */
static bool
merger_settled(struct vs_merger *mg)
{
	uint64_t due = mg->pending_at + VS_MERGE_SETTLE_MS * 1000000ull;
	struct timespec ts;

	if (mono_ns() >= due)
		return true;
	/* The condition variable's clock: CLOCK_MONOTONIC (merger_get). */
	ts.tv_sec = (time_t)(due / 1000000000ull);
	ts.tv_nsec = (long)(due % 1000000000ull);
	pthread_cond_timedwait(&mg->cond, &mg->lock, &ts);
	return false;
}

static void *
merger_main(void *arg)
{
	struct vs_merger *mg = arg;

	/* Behind the control thread's own work (an apply's compile). */
	if (setpriority(PRIO_PROCESS, (id_t)gettid(), 10) != 0)
		VS_LOG(DEBUG, "policy merge: nice: %s\n", strerror(errno));
	pthread_mutex_lock(&mg->lock);
	while (!mg->quit) {
		if (mg->pending == NULL)
			pthread_cond_wait(&mg->cond, &mg->lock);
		else if (merger_settled(mg))
			merger_run_one(mg);
	}
	pthread_mutex_unlock(&mg->lock);
	return NULL;
}

static struct vs_merger *
merger_get(struct vs *vs)
{
	struct vs_merger *mg = vs->merger;
	pthread_condattr_t ca;
	int rc;

	if (mg != NULL)
		return mg->started ? mg : NULL;
	mg = calloc(1, sizeof(*mg));
	if (mg == NULL)
		return NULL;
	pthread_mutex_init(&mg->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&mg->cond, &ca);
	pthread_condattr_destroy(&ca);
	vs->merger = mg;
	rc = rte_ctrl_thread_create(&mg->tid, "npvs-merge", NULL, merger_main,
			mg);
	if (rc != 0) {
		VS_LOG(WARNING, "policy merge: no builder thread (%s): "
				"level-0 classify only\n", strerror(rc));
		return NULL;
	}
	mg->started = true;
	return mg;
}

/* One line per merge: what classify now has. */
static void
merge_log(struct vs *vs, const struct acl_ruleset *rs, uint32_t gen,
		double build_ms)
{
	struct acl_ruleset_stats st;
	struct vs_merger *mg = vs->merger;

	acl_ruleset_get_stats(rs, &st);
	VS_LOG(INFO, "policy %u: merged %u group contexts (%u carried over, "
			"%u failed, %u over budget), %" PRIu64 " rules, %.1f MB; "
			"build %.1f ms, %.1f ms since publish\n", gen,
			st.n_merged, st.n_merge_carried, st.n_merge_failed,
			st.n_merge_skipped, st.n_merged_rules,
			st.merged_mem_size / 1e6, build_ms, mg != NULL ?
			(mono_ns() - mg->t_plan) / 1e6 : 0.0);
}

static bool
merge_enabled(void)
{
	const char *e = getenv("NPVS_POLICY_MERGE");

	return e == NULL || strcmp(e, "0") != 0;
}

/*
 * After publishing p (old: the policy it replaced, still alive): plan its
 * merged contexts and hand the build to the builder thread.
 */
static void
merge_start(struct vs *vs, struct vs_policy *p, struct vs_policy *old)
{
	struct acl_merge_opts o = { .socket_id = (int)rte_socket_id() };
	struct vs_merger *mg = vs->merger;
	struct acl_merge *m = NULL, *drop = NULL;

	if (mg != NULL)
		mg->t_plan = mono_ns();
	/* A/B switch for benchmarks: NPVS_POLICY_MERGE=0 keeps level 0. */
	if (p != NULL && merge_enabled()) {
		m = acl_merge_plan(p->rs, old != NULL ? old->rs : NULL, &o);
		if (m == NULL)
			VS_LOG(WARNING, "policy %u: no merge plan (out of "
					"memory): level-0 classify\n", p->gen);
	}
	if (m != NULL && acl_merge_jobs(m) == 0) {
		acl_merge_attach(p->rs, m);
		merge_log(vs, p->rs, p->gen, 0);
		acl_merge_free(m);
		m = NULL;
	}
	mg = m != NULL ? merger_get(vs) : vs->merger;
	if (mg == NULL || !mg->started) {
		acl_merge_free(m);
		return;
	}
	mg->t_plan = mono_ns();
	pthread_mutex_lock(&mg->lock);
	drop = mg->pending;
	mg->pending = m;
	mg->pending_gen = p != NULL ? p->gen : 0;
	mg->pending_at = mono_ns();
	if (mg->running != NULL)
		acl_merge_cancel(mg->running);
	pthread_cond_signal(&mg->cond);
	pthread_mutex_unlock(&mg->lock);
	acl_merge_free(drop);
}

void
vs_policy_merge_poll(struct vs *vs)
{
	struct vs_merger *mg = vs->merger;
	struct acl_merge *m;
	uint32_t gen;
	uint64_t ns;

	if (mg == NULL || !mg->started)
		return;
	pthread_mutex_lock(&mg->lock);
	m = mg->done;
	gen = mg->done_gen;
	ns = mg->done_ns;
	mg->done = NULL;
	pthread_mutex_unlock(&mg->lock);
	if (m == NULL)
		return;
	if (vs->policy != NULL && vs->policy->gen == gen &&
			acl_merge_attach(vs->policy->rs, m) == 0)
		merge_log(vs, vs->policy->rs, gen, ns / 1e6);
	acl_merge_free(m);
}

void
vs_policy_merge_stop(struct vs *vs)
{
	struct vs_merger *mg = vs->merger;

	if (mg == NULL)
		return;
	if (mg->started) {
		pthread_mutex_lock(&mg->lock);
		mg->quit = true;
		if (mg->running != NULL)
			acl_merge_cancel(mg->running);
		pthread_cond_signal(&mg->cond);
		pthread_mutex_unlock(&mg->lock);
		pthread_join(mg->tid, NULL);
	}
	acl_merge_free(mg->pending);
	acl_merge_free(mg->done);
	pthread_mutex_destroy(&mg->lock);
	pthread_cond_destroy(&mg->cond);
	free(mg);
	vs->merger = NULL;
}

/* ---- publishing ---- */

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
	/* Before old goes: the plan shares its unchanged merged contexts. */
	merge_start(vs, p, old);
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
