/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ctl_store.c: npvsd's object store (ctl_store.h): apply and delete as
 * transactions over a manifest_set, the model of (objects, endpoints), and
 * compile-and-publish of the live policy on every change, timed from the
 * request to the live policy.
 *
 * Each operation reads as its steps: load (or delete) into a copy of the
 * set -> what changed -> model -> acl_compile against the live ruleset ->
 * vs_policy_publish -> the copy becomes the set. The model is always built
 * fresh from the set and the switch's endpoint list (vs_endpoint_list):
 * the switch is the one truth about what is attached.
 *
 * Thread-safety: control thread only.
 */
#include "ctl_store.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>
#include <rte_memory.h>

#include "acl_ruleset.h"
#include "ctl_cmds.h"
#include "ctl_log.h"
#include "ctl_store_priv.h"
#include "vs_api.h"

struct ctl_store {
	struct manifest_set set;        /* the applied objects */
	uint32_t gen;                   /* policies published so far */
};

static uint64_t
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

/* ---- reports ---- */

int
ctl_store_report_init(struct ctl_store_report *r)
{
	memset(r, 0, sizeof(*r));
	r->objects = json_array();
	r->warnings = json_array();
	if (r->objects == NULL || r->warnings == NULL) {
		ctl_store_report_clear(r);
		return -ENOMEM;
	}
	return 0;
}

void
ctl_store_report_clear(struct ctl_store_report *r)
{
	json_decref(r->objects);
	json_decref(r->warnings);
	memset(r, 0, sizeof(*r));
}

static void
report_object(struct ctl_store_report *r, const struct manifest_obj *o,
		const char *action)
{
	json_t *e = json_pack("{s:s, s:s, s:s?, s:s, s:s}",
			"kind", o->kind_name, "apiVersion", o->api_version,
			"namespace", o->ns, "name", o->name, "action", action);

	if (e != NULL)
		json_array_append_new(r->objects, e);
}

/* Move the warnings a load added (from w0 on) into the report, and drop
 * every warning the set holds: the store keeps objects, not messages.
 */
static void
warnings_take(struct manifest_set *s, uint32_t w0, json_t *out)
{
	uint32_t i;

	for (i = 0; i < s->n_warnings; i++) {
		if (i >= w0 && out != NULL)
			json_array_append_new(out, json_string(s->warnings[i]));
		free(s->warnings[i]);
	}
	free(s->warnings);
	s->warnings = NULL;
	s->n_warnings = 0;
}

/* ---- the store ---- */

struct ctl_store *
ctl_store_create(void)
{
	struct ctl_store *st = calloc(1, sizeof(*st));

	if (st != NULL)
		manifest_set_init(&st->set);
	return st;
}

void
ctl_store_free(struct ctl_store *st)
{
	if (st == NULL)
		return;
	manifest_set_clear(&st->set);
	free(st);
}

const struct manifest_set *
ctl_store_set(const struct ctl_store *st)
{
	return &st->set;
}

uint32_t
ctl_store_generation(const struct ctl_store *st)
{
	return st->gen;
}

/* ---- compile and publish ---- */

static bool
set_has_policies(const struct manifest_set *s)
{
	uint32_t i;

	for (i = 0; i < s->n_objs; i++)
		if (s->objs[i].kind == MANIFEST_NETPOL)
			return true;
	return false;
}

static void
report_model(struct ctl_store_report *rep, const struct acl_model *m,
		const struct acl_ruleset *rs)
{
	struct acl_ruleset_stats s;
	uint32_t i;

	rep->n_policies = m->n_policies;
	rep->n_pods = m->n_pods;
	rep->n_local = 0;
	for (i = 0; i < m->n_pods; i++)
		rep->n_local += m->pods[i].local;
	acl_ruleset_get_stats(rs, &s);
	rep->n_rules = s.n_rules;
	rep->n_contexts_built = s.n_contexts_built;
	rep->n_contexts_reused = s.n_contexts_reused;
}

/*
 * The ruleset of (set, the switch's endpoints, plus extra if not NULL),
 * compiled against the live one; *rs is NULL when there is no policy.
 */
static int
rebuild(struct ctl_store *st, struct vs *vs, const struct manifest_set *set,
		const struct vs_endpoint_spec *extra, struct acl_ruleset **rs,
		struct ctl_store_report *rep, struct ctl_err *err)
{
	struct acl_compile_opts co = { .socket_id = SOCKET_ID_ANY,
		.all_local = false };
	struct vs_endpoint_info *eps;
	struct acl_model m;
	struct acl_err aerr = { 0 };
	char name[32];
	uint32_t n;
	int rc;

	*rs = NULL;
	if (!set_has_policies(set))
		return 0;       /* nobody isolated: no ruleset at all */
	eps = ctl_store_endpoints(vs, &n);
	if (eps == NULL)
		return ctl_err_set(err, ENOMEM, NULL, "out of memory");
	if (extra != NULL)
		ctl_store_endpoints_put(eps, &n, extra);
	rc = ctl_store_model_build(set, eps, n, &m, rep->warnings, err);
	free(eps);
	if (rc < 0)
		return rc;

	snprintf(name, sizeof(name), "npvsd-g%u", st->gen + 1);
	co.name = name;
	co.prev = vs_policy_get(vs);
	*rs = acl_compile(&m, &co, &aerr);
	if (*rs == NULL)
		rc = ctl_err_set(err, aerr.code ? aerr.code : -EINVAL, NULL,
				"policy refused: %s", aerr.msg);
	else
		report_model(rep, &m, *rs);
	acl_model_clear(&m);
	rep->compiled = rc == 0;
	return rc;
}

/* Make rs live (ownership passes to the switch); nothing to do when there
 * is no policy before or after.
 */
static int
publish(struct ctl_store *st, struct vs *vs, struct acl_ruleset *rs,
		struct ctl_store_report *rep, struct ctl_err *err)
{
	char msg[256] = "";
	uint64_t t0 = now_us();
	int rc;

	if (rs == NULL && vs_policy_get(vs) == NULL)
		return 0;
	rc = vs_policy_publish(vs, rs, msg, sizeof(msg));
	rep->publish_us = now_us() - t0;
	if (rc < 0)
		return ctl_err_set(err, rc, NULL, "policy publish: %s",
				msg[0] ? msg : strerror(-rc));
	st->gen++;
	rep->published = true;
	return 0;
}

/* Publish the policy of the set and the switch's endpoints as they are. */
static void
resync(struct ctl_store *st, struct vs *vs, const char *why)
{
	struct ctl_store_report rep;
	struct acl_ruleset *rs;
	struct ctl_err err = { 0 };
	int rc;

	if (ctl_store_report_init(&rep) < 0) {
		CTL_LOG(ERR, "%s: policy not updated: out of memory", why);
		return;
	}
	json_decref(rep.warnings);
	rep.warnings = NULL;    /* warnings go to the log */
	rc = rebuild(st, vs, &st->set, NULL, &rs, &rep, &err);
	if (rc == 0)
		rc = publish(st, vs, rs, &rep, &err);
	if (rc < 0)
		CTL_LOG(ERR, "%s: policy not updated: %s", why, err.msg);
	else if (rep.published)
		CTL_LOG(INFO, "%s: policy g%u active in %lu us", why, st->gen,
			(unsigned long)rep.publish_us);
	ctl_store_report_clear(&rep);
}

/* ---- transactions ---- */

/*
 * Compile and publish the policy of next (when the model changed), then
 * make next the set; on any failure next is cleared and nothing changed.
 */
static int
commit(struct ctl_store *st, struct vs *vs, struct manifest_set *next,
		bool model_changed, const struct ctl_store_opts *opts,
		uint64_t t0, struct ctl_store_report *rep, struct ctl_err *err)
{
	struct acl_ruleset *rs = NULL;
	uint64_t t1 = now_us();
	int rc = 0;

	if (model_changed)
		rc = rebuild(st, vs, next, NULL, &rs, rep, err);
	rep->compile_us = now_us() - t1;
	if (rc == 0 && model_changed && opts->dry_run)
		acl_ruleset_free(rs);
	else if (rc == 0 && model_changed)
		rc = publish(st, vs, rs, rep, err);
	if (rc < 0 || opts->dry_run) {
		manifest_set_clear(next);
		rep->generation = st->gen;
		return rc;
	}
	rep->active_us = now_us() - t0;
	manifest_set_clear(&st->set);
	st->set = *next;        /* a set moves by assignment */
	rep->generation = st->gen;
	return 0;
}

/* Load every text into a copy of the live set. */
static int
load_docs(const struct manifest_set *live, const struct ctl_store_doc *docs,
		uint32_t n, struct manifest_set *next, struct ctl_err *err)
{
	uint32_t i;
	int rc;

	rc = manifest_set_copy(live, next);
	if (rc < 0)
		return ctl_err_set(err, rc, NULL, "out of memory");
	for (i = 0; i < n; i++) {
		rc = manifest_load_buffer(docs[i].source, docs[i].text,
				docs[i].len, next, err);
		if (rc < 0) {
			manifest_set_clear(next);
			return rc;
		}
	}
	return 0;
}

/* The live object of o's identity (Calico: also of o's kind), or NULL. */
static const struct manifest_obj *
find_same(const struct manifest_set *live, const struct manifest_obj *o)
{
	const struct manifest_obj *p;
	uint32_t i;

	if (o->kind != MANIFEST_CALICO)
		return manifest_set_find(live, o->kind, o->ns, o->name);
	for (i = 0; i < live->n_objs; i++) {
		p = &live->objs[i];
		if (p->kind == MANIFEST_CALICO && strcmp(p->name, o->name) == 0 &&
				strcmp(p->kind_name, o->kind_name) == 0 &&
				(p->ns == NULL) == (o->ns == NULL) &&
				(p->ns == NULL || strcmp(p->ns, o->ns) == 0))
			return p;
	}
	return NULL;
}

/* What an apply did to each object it named: an object whose raw tree is
 * not the live one's was loaded by it (copies share the trees).
 */
static bool
diff_applied(const struct manifest_set *live, const struct manifest_set *next,
		struct ctl_store_report *rep)
{
	bool model_changed = false;
	uint32_t i;

	for (i = 0; i < next->n_objs; i++) {
		const struct manifest_obj *o = &next->objs[i];
		const struct manifest_obj *p = find_same(live, o);
		bool same;

		if (p != NULL && p->raw == o->raw)
			continue;
		same = p != NULL && json_equal(p->raw, o->raw);
		report_object(rep, o, p == NULL ? "created" :
				same ? "unchanged" : "configured");
		model_changed |= !same && o->kind <= MANIFEST_NETPOL;
	}
	return model_changed;
}

static void
log_done(const char *what, const struct ctl_store *st,
		const struct ctl_store_report *rep)
{
	if (!rep->published) {
		CTL_LOG(INFO, "%s: %zu objects, policy unchanged (g%u)", what,
			json_array_size(rep->objects), st->gen);
		return;
	}
	if (!rep->compiled) {
		CTL_LOG(INFO, "%s: %zu objects, policy g%u active in %lu us: no "
			"NetworkPolicy left, nobody isolated", what,
			json_array_size(rep->objects), st->gen,
			(unsigned long)rep->active_us);
		return;
	}
	CTL_LOG(INFO, "%s: %zu objects, policy g%u active in %lu us (parse "
		"%lu, compile %lu, publish %lu): %u policies, %u pods (%u "
		"local), %lu rules, %u contexts built, %u reused", what,
		json_array_size(rep->objects), st->gen,
		(unsigned long)rep->active_us, (unsigned long)rep->parse_us,
		(unsigned long)rep->compile_us, (unsigned long)rep->publish_us,
		rep->n_policies, rep->n_pods, rep->n_local,
		(unsigned long)rep->n_rules, rep->n_contexts_built,
		rep->n_contexts_reused);
}

int
ctl_store_apply(struct ctl_store *st, struct vs *vs,
		const struct ctl_store_doc *docs, uint32_t n,
		const struct ctl_store_opts *opts, struct ctl_store_report *rep,
		struct ctl_err *err)
{
	struct manifest_set next;
	uint64_t t0 = now_us();
	bool model_changed;
	int rc;

	/* Load: every object validated, or nothing. */
	rc = load_docs(&st->set, docs, n, &next, err);
	if (rc < 0)
		return rc;
	model_changed = diff_applied(&st->set, &next, rep);
	warnings_take(&next, st->set.n_warnings, rep->warnings);
	rep->parse_us = now_us() - t0;
	if (json_array_size(rep->objects) == 0) {
		manifest_set_clear(&next);
		return ctl_err_set(err, EINVAL, NULL,
				"no objects passed to apply");
	}

	/* Compile, publish, keep. */
	rc = commit(st, vs, &next, model_changed, opts, t0, rep, err);
	if (rc == 0 && !opts->dry_run)
		log_done("apply", st, rep);
	return rc;
}

/* ---- delete ---- */

/* Remove one object (and, for a Namespace, what is in it) from next. */
static int
del_one(struct manifest_set *next, enum manifest_kind kind, const char *ns,
		const char *name, struct ctl_store_report *rep, bool *changed)
{
	const struct manifest_obj *o = manifest_set_find(next, kind, ns, name);
	uint32_t i;
	int rc;

	if (o == NULL)
		return -ENOENT;
	report_object(rep, o, "deleted");
	*changed |= kind <= MANIFEST_NETPOL;
	rc = manifest_set_del(next, kind, ns, name);
	for (i = next->n_objs; rc == 0 && kind == MANIFEST_NAMESPACE && i > 0;
			i--) {
		struct manifest_obj *c = &next->objs[i - 1];

		if (c->ns == NULL || strcmp(c->ns, name) != 0 ||
				c->kind == MANIFEST_NAMESPACE ||
				c->kind == MANIFEST_NODE)
			continue;
		report_object(rep, c, "deleted");
		*changed |= c->kind <= MANIFEST_NETPOL;
		rc = manifest_set_del(next, c->kind, c->ns, c->name);
	}
	return rc;
}

/* Delete the objects of the texts' manifests from next. */
static int
del_docs(struct manifest_set *next, const struct ctl_store_doc *docs,
		uint32_t n, const struct ctl_store_opts *opts,
		struct ctl_store_report *rep, bool *changed, struct ctl_err *err)
{
	struct manifest_set named;
	uint32_t i;
	int rc = 0;

	manifest_set_init(&named);
	for (i = 0; i < n && rc == 0; i++)
		rc = manifest_load_buffer(docs[i].source, docs[i].text,
				docs[i].len, &named, err);
	if (rc == 0)
		warnings_take(&named, 0, rep->warnings);
	for (i = 0; i < named.n_objs && rc == 0; i++) {
		const struct manifest_obj *o = &named.objs[i];

		rc = del_one(next, o->kind, o->ns, o->name, rep, changed);
		if (rc == -ENOENT && opts->ignore_missing)
			rc = 0;
		else if (rc == -ENOENT)
			ctl_err_set(err, ENOENT, NULL, "%s:%u: %s %s%s%s: not "
				"found", o->source, o->line, o->kind_name,
				o->ns ? o->ns : "", o->ns ? "/" : "", o->name);
	}
	manifest_set_clear(&named);
	return rc;
}

/* Delete the named objects from next. */
static int
del_refs(struct manifest_set *next, const struct ctl_store_ref *refs,
		uint32_t n, const struct ctl_store_opts *opts,
		struct ctl_store_report *rep, bool *changed, struct ctl_err *err)
{
	uint32_t i;
	int rc = 0;

	for (i = 0; i < n && rc == 0; i++) {
		const struct ctl_store_ref *r = &refs[i];

		rc = del_one(next, r->kind, r->ns, r->name, rep, changed);
		if (rc == -ENOENT && opts->ignore_missing)
			rc = 0;
		else if (rc == -ENOENT)
			ctl_err_set(err, ENOENT, NULL, "%s %s%s%s: not found",
				manifest_kind_str(r->kind), r->ns ? r->ns : "",
				r->ns ? "/" : "", r->name);
	}
	return rc;
}

int
ctl_store_delete(struct ctl_store *st, struct vs *vs,
		const struct ctl_store_doc *docs, uint32_t n,
		const struct ctl_store_ref *refs, uint32_t n_refs,
		const struct ctl_store_opts *opts, struct ctl_store_report *rep,
		struct ctl_err *err)
{
	struct manifest_set next;
	uint64_t t0 = now_us();
	bool changed = false;
	int rc;

	rc = manifest_set_copy(&st->set, &next);
	if (rc < 0)
		return ctl_err_set(err, rc, NULL, "out of memory");
	rc = del_docs(&next, docs, n, opts, rep, &changed, err);
	if (rc == 0)
		rc = del_refs(&next, refs, n_refs, opts, rep, &changed, err);
	if (rc < 0) {
		manifest_set_clear(&next);
		if (err->code == 0)
			ctl_err_set(err, rc, NULL, "out of memory");
		return rc;
	}
	rep->parse_us = now_us() - t0;
	rc = commit(st, vs, &next, changed, opts, t0, rep, err);
	if (rc == 0 && !opts->dry_run)
		log_done("delete", st, rep);
	return rc;
}

/* ---- endpoint hooks ---- */

int
ctl_store_endpoint_add(struct ctl_store *st, struct vs *vs,
		const struct vs_endpoint_spec *spec, char *msg, size_t msglen)
{
	struct ctl_store_report rep;
	struct acl_ruleset *rs;
	struct ctl_err err = { 0 };
	char why[VS_NS_MAX + VS_POD_MAX + 32];
	uint64_t t0 = now_us();
	int rc;

	/* The policy with the pod local goes live before its endpoint. */
	if (ctl_store_report_init(&rep) < 0)
		return -ENOMEM;
	json_decref(rep.warnings);
	rep.warnings = NULL;    /* warnings go to the log */
	rc = rebuild(st, vs, &st->set, spec, &rs, &rep, &err);
	if (rc == 0)
		rc = publish(st, vs, rs, &rep, &err);
	rep.active_us = now_us() - t0;
	if (rc < 0) {
		snprintf(msg, msglen, "endpoint %s/%.120s: %s", spec->ns,
				spec->name, err.msg);
		ctl_store_report_clear(&rep);
		return rc;
	}

	snprintf(why, sizeof(why), "endpoint_add %s/%s", spec->ns,
			spec->name);
	rc = vs_endpoint_add(vs, spec, msg, msglen);
	if (rc < 0 && rep.published)
		resync(st, vs, why);
	else if (rep.published)
		CTL_LOG(INFO, "%s: policy g%u active in %lu us (compile %lu, "
			"publish %lu)", why, st->gen,
			(unsigned long)rep.active_us,
			(unsigned long)(rep.active_us - rep.publish_us),
			(unsigned long)rep.publish_us);
	ctl_store_report_clear(&rep);
	return rc;
}

int
ctl_store_endpoint_del(struct ctl_store *st, struct vs *vs, const char *ns,
		const char *name)
{
	char why[VS_NS_MAX + VS_POD_MAX + 32];
	int rc;

	rc = vs_endpoint_del(vs, ns, name);
	if (rc < 0)
		return rc;
	snprintf(why, sizeof(why), "endpoint_del %s/%s", ns, name);
	resync(st, vs, why);
	return 0;
}
