/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ctl_store.c: npvsd's object store (ctl_store.h): apply and delete as
 * transactions over a manifest_set, the model of (objects, endpoints), and
 * compile-and-publish of the live policy on every change, timed from the
 * request to the live policy.
 *
 * Each operation reads as its steps: load what the request names into a
 * staging set (validation) -> what it changes -> convert the new objects
 * (a delta) -> a view of the stored model with the delta, without what is
 * deleted, with the switch's endpoints attached (ctl_store_view.c) ->
 * acl_compile against the live ruleset -> vs_policy_publish -> commit the
 * change into the set and the stored model. Only the objects a request
 * brings are converted; the switch's endpoint list (vs_endpoint_list) is
 * read afresh every time: the switch is the one truth about what is
 * attached.
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
#include <rte_common.h>
#include <rte_memory.h>

#include "acl_ruleset.h"
#include "ctl_cmds.h"
#include "ctl_log.h"
#include "ctl_store_priv.h"
#include "vs_api.h"

struct ctl_store {
	struct manifest_set set;        /* the applied objects, as loaded */
	struct ctl_store_base base;     /* ... and converted (policy kinds) */
	uint32_t gen;                   /* policies published so far */
};

/* One change on its way: what it adds, what it deletes. */
struct change {
	struct acl_model d;             /* new objects, converted (owned) */
	json_t *dels;                   /* "K/key" of deleted objects */
	const struct vs_endpoint_spec *extra;   /* an endpoint to add */
};

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static uint64_t
cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static uint64_t
now_us(void)
{
	return now_ns() / 1000u;
}

/* End a phase: the time since the last one ended goes into *phase. */
static void
lap(struct ctl_store_report *r, uint64_t *phase)
{
	uint64_t now = now_ns();

	*phase += now - r->timing.mark;
	r->timing.mark = now;
}

/* ---- reports ---- */

int
ctl_store_report_init(struct ctl_store_report *r)
{
	memset(r, 0, sizeof(*r));
	r->timing.mark = now_ns();
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

	if (st == NULL)
		return NULL;
	manifest_set_init(&st->set);
	if (ctl_store_base_init(&st->base) < 0) {
		free(st);
		return NULL;
	}
	return st;
}

void
ctl_store_free(struct ctl_store *st)
{
	if (st == NULL)
		return;
	manifest_set_clear(&st->set);
	ctl_store_base_clear(&st->base);
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
 * The ruleset of the stored model with ch applied and the switch's
 * endpoints, compiled against the live one; *rs is NULL when no
 * NetworkPolicy is left (nobody isolated: no ruleset at all).
 */
static int
rebuild(struct ctl_store *st, struct vs *vs, const struct change *ch,
		struct acl_ruleset **rs, struct ctl_store_report *rep,
		struct ctl_err *err)
{
	struct acl_compile_opts co = { .socket_id = SOCKET_ID_ANY,
		.all_local = false };
	const struct acl_alg_report *alg;
	struct vs_endpoint_info *eps;
	struct ctl_store_view v;
	struct acl_err aerr = { 0 };
	char name[32];
	uint32_t n;
	int rc;

	*rs = NULL;
	eps = ctl_store_endpoints(vs, &n);
	if (eps == NULL)
		return ctl_err_set(err, ENOMEM, NULL, "out of memory");
	if (ch->extra != NULL)
		ctl_store_endpoints_put(eps, &n, ch->extra);
	lap(rep, &rep->timing.endpoints_ns);
	rc = ctl_store_view_build(&st->base, &ch->d, ch->dels, eps, n,
			rep->warnings, &v, err);
	free(eps);
	lap(rep, &rep->timing.view_ns);
	if (rc < 0 || v.m.n_policies == 0) {
		if (rc == 0)
			ctl_store_view_free(&v);
		lap(rep, &rep->timing.cleanup_ns);
		return rc;
	}

	snprintf(name, sizeof(name), "npvsd-g%u", st->gen + 1);
	co.name = name;
	co.prev = vs_policy_get(vs);
	alg = vs_policy_classify(vs);
	co.classify_alg = alg != NULL ? alg->chosen : 0;
	*rs = acl_compile(&v.m, &co, &aerr);
	lap(rep, &rep->timing.compile_ns);
	acl_compile_timing_last(&rep->timing.acl);
	if (*rs == NULL)
		rc = ctl_err_set(err, aerr.code ? aerr.code : -EINVAL, NULL,
				"policy refused: %s", aerr.msg);
	else
		report_model(rep, &v.m, *rs);
	ctl_store_view_free(&v);
	lap(rep, &rep->timing.cleanup_ns);
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
	lap(rep, &rep->timing.cleanup_ns);
	rc = vs_policy_publish(vs, rs, msg, sizeof(msg));
	lap(rep, &rep->timing.publish_ns);
	rep->publish_us = now_us() - t0;
	if (rc < 0)
		return ctl_err_set(err, rc, NULL, "policy publish: %s",
				msg[0] ? msg : strerror(-rc));
	st->gen++;
	rep->published = true;
	return 0;
}

/* Publish the policy of the store and the switch's endpoints as they are. */
static void
resync(struct ctl_store *st, struct vs *vs, const char *why)
{
	struct ctl_store_report rep;
	struct change ch = { .dels = NULL };
	struct acl_ruleset *rs;
	struct ctl_err err = { 0 };
	int rc;

	if (ctl_store_report_init(&rep) < 0) {
		CTL_LOG(ERR, "%s: policy not updated: out of memory", why);
		return;
	}
	json_decref(rep.warnings);
	rep.warnings = NULL;    /* warnings go to the log */
	rc = rebuild(st, vs, &ch, &rs, &rep, &err);
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

static void
change_clear(struct change *ch)
{
	acl_model_clear(&ch->d);
	json_decref(ch->dels);
	ch->dels = NULL;
}

/*
 * Start an operation's clock: the time since the request came in (if the
 * caller knows it) is the request phase. @return the start (ns).
 */
static uint64_t
timing_start(const struct ctl_store_opts *opts, struct ctl_store_report *rep)
{
	uint64_t now = now_ns();

	if (opts->received_ns != 0 && opts->received_ns <= now)
		rep->timing.request_ns = now - opts->received_ns;
	rep->timing.mark = now;
	rep->timing.cpu0 = cpu_ns();
	return now;
}

/*
 * Compile and publish the policy with ch (when the model changed; room
 * for the delta is reserved first, so that nothing after the publish can
 * fail but for an index entry). On failure or for a dry run, nothing
 * changed and ch is cleared; else the caller commits ch.
 */
static int
compile_publish(struct ctl_store *st, struct vs *vs, struct change *ch,
		bool model_changed, const struct ctl_store_opts *opts,
		uint64_t t0, struct ctl_store_report *rep, struct ctl_err *err)
{
	uint64_t t_recv = opts->received_ns ? opts->received_ns : t0;
	struct acl_ruleset *rs = NULL;
	uint64_t t1 = now_us();
	int rc = 0;

	lap(rep, &rep->timing.convert_ns);

	if (model_changed)
		rc = rebuild(st, vs, ch, &rs, rep, err);
	rep->compile_us = now_us() - t1;
	if (rc == 0 && !opts->dry_run &&
			ctl_store_base_reserve(&st->base, &ch->d) < 0)
		rc = ctl_err_set(err, ENOMEM, NULL, "out of memory");
	if (rc == 0 && model_changed && opts->dry_run)
		acl_ruleset_free(rs);
	else if (rc == 0 && model_changed)
		rc = publish(st, vs, rs, rep, err);
	else if (rc < 0)
		acl_ruleset_free(rs);
	lap(rep, &rep->timing.cleanup_ns);
	rep->timing.active_ns = rep->timing.mark - t_recv;
	rep->timing.active_cpu_ns = cpu_ns() - rep->timing.cpu0;
	rep->active_us = rep->timing.active_ns / 1000u;
	rep->generation = st->gen;
	if (rc < 0 || opts->dry_run)
		change_clear(ch);
	return rc;
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

/* Load every text into a staging set: every object validated, or none. */
static int
load_docs(const struct ctl_store_doc *docs, uint32_t n,
		struct manifest_set *s, struct ctl_err *err)
{
	uint32_t i;
	int rc = 0;

	manifest_set_init(s);
	for (i = 0; i < n && rc == 0; i++)
		rc = manifest_load_buffer(docs[i].source, docs[i].text,
				docs[i].len, s, err);
	if (rc < 0)
		manifest_set_clear(s);
	return rc;
}

/* What an apply does to each object it names. @return whether the policy
 * model changes.
 */
static bool
diff_applied(const struct manifest_set *live, const struct manifest_set *add,
		struct ctl_store_report *rep)
{
	bool model_changed = false;
	uint32_t i;

	for (i = 0; i < add->n_objs; i++) {
		const struct manifest_obj *o = &add->objs[i];
		const struct manifest_obj *p = find_same(live, o);
		bool same = p != NULL && json_equal(p->raw, o->raw);

		report_object(rep, o, p == NULL ? "created" :
				same ? "unchanged" : "configured");
		model_changed |= !same && ctl_store_k_of(o->kind) <
			CTL_STORE_K_MAX;
	}
	return model_changed;
}

/* One line: every phase of t and acl_compile's steps, in microseconds. */
static void
log_timing(const char *what, const struct ctl_store_timing *t)
{
	const struct {
		const char *name;
		uint64_t ns;
	} ph[] = {
		{ "request", t->request_ns }, { "load", t->load_ns },
		{ "diff", t->diff_ns }, { "convert", t->convert_ns },
		{ "endpoints", t->endpoints_ns }, { "view", t->view_ns },
		{ "compile", t->compile_ns }, { "cleanup", t->cleanup_ns },
		{ "publish", t->publish_ns }, { "commit", t->commit_ns },
	};
	char line[768];
	size_t len = 0;
	uint32_t i;

	for (i = 0; i < RTE_DIM(ph) && len < sizeof(line); i++)
		len += (size_t)snprintf(line + len, sizeof(line) - len, " %s %.0f",
				ph[i].name, ph[i].ns / 1e3);
	for (i = 0; i < t->acl.n_steps && len < sizeof(line); i++)
		len += (size_t)snprintf(line + len, sizeof(line) - len,
				"%s %s %.0f", i == 0 ? "; compile steps:" : "",
				t->acl.name[i], t->acl.ns[i] / 1e3);
	CTL_LOG(INFO, "%s: active in %.0f us (%.0f us on CPU); phases (us):%s",
			what, t->active_ns / 1e3, t->active_cpu_ns / 1e3, line);
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
	log_timing(what, &rep->timing);
}

/*
 * A compile refusal names an object ("policy refused: Pod ns/name: ...");
 * say where it was written, as the loader does: the applied texts first,
 * then what was stored before.
 */
static void
locate_refusal(struct ctl_err *err, const struct manifest_set *add,
		const struct manifest_set *live)
{
	static const enum manifest_kind kinds[] = { MANIFEST_POD,
		MANIFEST_NETPOL, MANIFEST_NAMESPACE };
	const char *p = strstr(err->msg, "policy refused: ");
	const struct manifest_obj *o = NULL;
	char kind[32], ns[VS_NS_MAX], name[VS_POD_MAX], msg[sizeof(err->msg)];
	unsigned int i;

	if (p == NULL || sscanf(p + 16, "%31s %63[^/ ]/%253[^: ]", kind, ns,
			name) != 3)
		return;
	for (i = 0; i < 3 && o == NULL; i++) {
		if (strcmp(kind, manifest_kind_str(kinds[i])) != 0)
			continue;
		o = manifest_set_find(add, kinds[i], ns, name);
		if (o == NULL)
			o = manifest_set_find(live, kinds[i], ns, name);
	}
	if (o == NULL)
		return;
	if (snprintf(msg, sizeof(msg), "%s:%u: %s", o->source, o->line,
			err->msg) >= (int)sizeof(msg))
		memcpy(msg + sizeof(msg) - 4, "...", 4);
	memcpy(err->msg, msg, sizeof(msg));
}

/* Commit an apply: the delta into the stored model, the staged objects
 * into the set (moved: only memory can fail now).
 */
static void
apply_commit(struct ctl_store *st, struct manifest_set *add,
		struct change *ch)
{
	ctl_store_base_merge(&st->base, &ch->d);
	change_clear(ch);
	if (manifest_set_move(&st->set, add) < 0)
		CTL_LOG(ERR, "apply: objects not all stored after their policy "
			"went live: out of memory");
	warnings_take(&st->set, 0, NULL);
}

int
ctl_store_apply(struct ctl_store *st, struct vs *vs,
		const struct ctl_store_doc *docs, uint32_t n,
		const struct ctl_store_opts *opts, struct ctl_store_report *rep,
		struct ctl_err *err)
{
	static const struct manifest_model_opts mo = { .all_local = false };
	struct change ch = { .dels = NULL };
	struct manifest_set add;
	uint64_t t0 = timing_start(opts, rep);
	bool model_changed;
	int rc;

	/* Load and convert: every object validated, or nothing. */
	rc = load_docs(docs, n, &add, err);
	lap(rep, &rep->timing.load_ns);
	if (rc < 0)
		return rc;
	model_changed = diff_applied(&st->set, &add, rep);
	warnings_take(&add, 0, rep->warnings);
	lap(rep, &rep->timing.diff_ns);
	if (json_array_size(rep->objects) == 0)
		rc = ctl_err_set(err, EINVAL, NULL,
				"no objects passed to apply");
	if (rc == 0 && model_changed)
		rc = manifest_set_model(&add, &mo, &ch.d, err);
	rep->parse_us = (now_ns() - t0) / 1000u;
	if (rc < 0) {
		manifest_set_clear(&add);
		return rc;
	}

	/* Compile, publish, keep. */
	rc = compile_publish(st, vs, &ch, model_changed, opts, t0, rep, err);
	if (rc < 0)
		locate_refusal(err, &add, &st->set);
	if (rc < 0 || opts->dry_run) {
		manifest_set_clear(&add);
		return rc;
	}
	apply_commit(st, &add, &ch);
	lap(rep, &rep->timing.commit_ns);
	log_done("apply", st, rep);
	return 0;
}

/* ---- delete ---- */

/* A delete being put together: what goes, by kind and name. */
struct dels {
	json_t *gone;           /* [[manifest kind, ns, name], ...] */
	json_t *seen;           /* identities already in gone */
	struct change *ch;
	bool changed;           /* a policy kind goes */
};

static void
obj_id(char *buf, size_t size, enum manifest_kind kind, const char *kn,
		const char *ns, const char *name)
{
	snprintf(buf, size, "%d/%s/%s/%s", (int)kind,
			kind == MANIFEST_CALICO ? kn : "", ns ? ns : "", name);
}

/* Mark o for deletion (once). */
static void
del_mark(struct dels *dl, const struct manifest_obj *o,
		struct ctl_store_report *rep)
{
	char id[CTL_STORE_KEY_MAX + 64], key[CTL_STORE_KEY_MAX + 2];
	enum ctl_store_k k = ctl_store_k_of(o->kind);

	obj_id(id, sizeof(id), o->kind, o->kind_name, o->ns, o->name);
	if (json_object_get(dl->seen, id) != NULL)
		return;
	json_object_set_new(dl->seen, id, json_true());
	json_array_append_new(dl->gone, json_pack("[i, s?, s]", (int)o->kind,
			o->ns, o->name));
	report_object(rep, o, "deleted");
	if (k == CTL_STORE_K_MAX)
		return;
	key[0] = (char)('0' + k);
	key[1] = '/';
	ctl_store_key(k, o->ns, o->name, key + 2, sizeof(key) - 2);
	json_object_set_new(dl->ch->dels, key, json_true());
	dl->changed = true;
}

/* Mark the object (kind, ns, name), and for a Namespace what is in it. */
static int
del_collect(const struct manifest_set *live, struct dels *dl,
		enum manifest_kind kind, const char *kn, const char *ns,
		const char *name, struct ctl_store_report *rep)
{
	char id[CTL_STORE_KEY_MAX + 64];
	const struct manifest_obj *o, *c;
	struct manifest_obj probe = { .kind = kind, .kind_name = (char *)kn,
		.ns = (char *)ns, .name = (char *)name };
	uint32_t i;

	o = kn != NULL ? find_same(live, &probe) :
		manifest_set_find(live, kind, ns, name);
	if (o == NULL) {
		obj_id(id, sizeof(id), kind, kn, ns, name);
		return json_object_get(dl->seen, id) != NULL ? 0 : -ENOENT;
	}
	del_mark(dl, o, rep);
	for (i = 0; kind == MANIFEST_NAMESPACE && i < live->n_objs; i++) {
		c = &live->objs[i];
		if (c->ns != NULL && strcmp(c->ns, name) == 0 &&
				c->kind != MANIFEST_NAMESPACE &&
				c->kind != MANIFEST_NODE)
			del_mark(dl, c, rep);
	}
	return 0;
}

/* Mark the objects of the texts' manifests. */
static int
del_docs(const struct manifest_set *live, struct dels *dl,
		const struct ctl_store_doc *docs, uint32_t n,
		const struct ctl_store_opts *opts,
		struct ctl_store_report *rep, struct ctl_err *err)
{
	struct manifest_set named;
	uint32_t i;
	int rc;

	rc = load_docs(docs, n, &named, err);
	if (rc < 0)
		return rc;
	warnings_take(&named, 0, rep->warnings);
	for (i = 0; i < named.n_objs && rc == 0; i++) {
		const struct manifest_obj *o = &named.objs[i];

		rc = del_collect(live, dl, o->kind, o->kind == MANIFEST_CALICO ?
				o->kind_name : NULL, o->ns, o->name, rep);
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

/* Mark the named objects. */
static int
del_refs(const struct manifest_set *live, struct dels *dl,
		const struct ctl_store_ref *refs, uint32_t n,
		const struct ctl_store_opts *opts,
		struct ctl_store_report *rep, struct ctl_err *err)
{
	uint32_t i;
	int rc = 0;

	for (i = 0; i < n && rc == 0; i++) {
		const struct ctl_store_ref *r = &refs[i];

		rc = del_collect(live, dl, r->kind, NULL, r->ns, r->name, rep);
		if (rc == -ENOENT && opts->ignore_missing)
			rc = 0;
		else if (rc == -ENOENT)
			ctl_err_set(err, ENOENT, NULL, "%s %s%s%s: not found",
				manifest_kind_str(r->kind), r->ns ? r->ns : "",
				r->ns ? "/" : "", r->name);
	}
	return rc;
}

/* Commit a delete: out of the set and the stored model. */
static void
del_commit(struct ctl_store *st, const struct dels *dl)
{
	size_t i;
	json_t *g;

	json_array_foreach(dl->gone, i, g) {
		enum manifest_kind kind = json_integer_value(json_array_get(g,
				0));
		const char *ns = json_string_value(json_array_get(g, 1));
		const char *name = json_string_value(json_array_get(g, 2));

		manifest_set_del(&st->set, kind, ns, name);
		if (ctl_store_k_of(kind) < CTL_STORE_K_MAX)
			ctl_store_base_del(&st->base, ctl_store_k_of(kind), ns,
					name);
	}
}

int
ctl_store_delete(struct ctl_store *st, struct vs *vs,
		const struct ctl_store_doc *docs, uint32_t n,
		const struct ctl_store_ref *refs, uint32_t n_refs,
		const struct ctl_store_opts *opts, struct ctl_store_report *rep,
		struct ctl_err *err)
{
	struct change ch = { .dels = json_object() };
	struct dels dl = { .gone = json_array(), .seen = json_object(),
		.ch = &ch };
	uint64_t t0 = timing_start(opts, rep);
	int rc = 0;

	if (ch.dels == NULL || dl.gone == NULL || dl.seen == NULL)
		rc = ctl_err_set(err, ENOMEM, NULL, "out of memory");
	if (rc == 0)
		rc = del_docs(&st->set, &dl, docs, n, opts, rep, err);
	if (rc == 0)
		rc = del_refs(&st->set, &dl, refs, n_refs, opts, rep, err);
	lap(rep, &rep->timing.load_ns);
	rep->parse_us = (now_ns() - t0) / 1000u;
	if (rc == 0)
		rc = compile_publish(st, vs, &ch, dl.changed, opts, t0, rep,
				err);
	else
		change_clear(&ch);
	if (rc == 0 && !opts->dry_run) {
		del_commit(st, &dl);
		change_clear(&ch);
		lap(rep, &rep->timing.commit_ns);
		log_done("delete", st, rep);
	}
	json_decref(dl.gone);
	json_decref(dl.seen);
	return rc;
}

/* ---- endpoint hooks ---- */

int
ctl_store_endpoint_add(struct ctl_store *st, struct vs *vs,
		const struct vs_endpoint_spec *spec, char *msg, size_t msglen)
{
	struct ctl_store_report rep;
	struct change ch = { .extra = spec };
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
	rc = rebuild(st, vs, &ch, &rs, &rep, &err);
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
