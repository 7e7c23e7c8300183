/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ctl_cmds_policy.c: the handlers of apply, delete and get (docs/api.md),
 * over the object store of ctl_store.h. Each validates its args whole,
 * calls the store once, and turns its report into the reply; the
 * transaction itself (all or nothing, compile, publish) is the store's.
 *
 * get answers with the objects as stored ("items", for -o json and -o
 * yaml) and a table the daemon worked out ("columns", "rows"), so that
 * npvsctl prints any kind the same way; the pod rows are the pods the
 * policy sees (Pod objects and endpoints, matched), not only the objects.
 *
 * Thread-safety: control thread only.
 */
#include "ctl_cmds_policy.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "acl_model.h"
#include "ctl_nodes.h"
#include "ctl_store.h"
#include "manifest.h"
#include "vs_api.h"

#define DOCS_MAX 4096           /* texts in one request */
#define SOURCE_MAX 256          /* a text's name, with the NUL */
#define REFS_MAX 4096           /* objects named in one delete */

struct ctl_store *
ctl_cmds_store(struct ctl_ctx *ctx)
{
	if (ctx->store == NULL)
		ctx->store = ctl_store_create();
	return ctx->store;
}

/* ---- arguments ---- */

/* The texts of a request: "text" (+ "source") or "documents". */
struct docs {
	struct ctl_store_doc *v;
	uint32_t n;
};

/* A text's name: printable ASCII, as it goes into messages. */
static int
doc_source(const json_t *o, const char *where, const char **out,
		struct ctl_err *err)
{
	const json_t *v = json_object_get(o, "source");
	const char *s;
	size_t i, len;

	*out = "request";
	if (v == NULL)
		return 0;
	s = json_string_value(v);
	len = json_string_length(v);
	if (s == NULL || len == 0 || len >= SOURCE_MAX)
		return ctl_err_set(err, EINVAL, where, "'source' must be a "
				"string of 1 to %d characters", SOURCE_MAX - 1);
	for (i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] > 0x7e)
			return ctl_err_set(err, EINVAL, where, "'source' must "
					"be printable ASCII");
	*out = s;
	return 0;
}

/* One {"source", "text"}; prefix is the JSON pointer of o. */
static int
doc_parse(const json_t *o, const char *prefix, struct ctl_store_doc *d,
		struct ctl_err *err)
{
	static const char *const allowed[] = { "source", "text", NULL };
	const json_t *t = json_object_get(o, "text");
	char where[128];
	int rc;

	if (prefix[0] != '\0') {
		if (!json_is_object(o))
			return ctl_err_set(err, EINVAL, prefix, "a document "
					"must be an object {source, text}");
		rc = ctl_args_only(o, allowed, err);
		if (rc < 0) {
			snprintf(where, sizeof(where), "%s", prefix);
			return ctl_err_set(err, EINVAL, where, "a document "
					"has only 'source' and 'text'");
		}
	}
	snprintf(where, sizeof(where), "%s/text", prefix[0] ? prefix : "/args");
	if (!json_is_string(t))
		return ctl_err_set(err, EINVAL, where, t == NULL ?
				"missing argument 'text'" :
				"'text' must be a string");
	d->text = json_string_value(t);
	d->len = json_string_length(t);
	snprintf(where, sizeof(where), "%s/source",
			prefix[0] ? prefix : "/args");
	return doc_source(o, where, &d->source, err);
}

/* The texts of args; none is fine when optional (delete by name). */
static int
docs_parse(const json_t *args, bool optional, struct docs *d,
		struct ctl_err *err)
{
	const json_t *arr = json_object_get(args, "documents"), *o;
	char where[64];
	size_t i;
	int rc;

	memset(d, 0, sizeof(*d));
	if (arr != NULL && (json_object_get(args, "text") != NULL ||
			json_object_get(args, "source") != NULL))
		return ctl_err_set(err, EINVAL, "/args/documents", "give "
				"either 'documents' or 'text' (and 'source')");
	if (arr == NULL && json_object_get(args, "text") == NULL) {
		if (optional)
			return 0;
		return ctl_err_set(err, EINVAL, "/args/text",
				"missing argument 'text' (or 'documents')");
	}
	if (arr == NULL) {
		d->v = calloc(1, sizeof(*d->v));
		if (d->v == NULL)
			return ctl_err_set(err, ENOMEM, NULL, "out of memory");
		d->n = 1;
		return doc_parse(args, "", &d->v[0], err);
	}
	if (!json_is_array(arr) || json_array_size(arr) == 0 ||
			json_array_size(arr) > DOCS_MAX)
		return ctl_err_set(err, EINVAL, "/args/documents", "'documents' "
				"must be an array of 1 to %d objects", DOCS_MAX);
	d->v = calloc(json_array_size(arr), sizeof(*d->v));
	if (d->v == NULL)
		return ctl_err_set(err, ENOMEM, NULL, "out of memory");
	json_array_foreach(arr, i, o) {
		snprintf(where, sizeof(where), "/args/documents/%zu", i);
		rc = doc_parse(o, where, &d->v[i], err);
		if (rc < 0)
			return rc;
		d->n++;
	}
	return 0;
}

/* Kind names as kubectl takes them (singular, plural, short, Kind). */
static const struct {
	const char *names[4];
	enum manifest_kind kind;
	bool namespaced;
} kinds[] = {
	{ { "namespaces", "namespace", "ns", NULL }, MANIFEST_NAMESPACE,
	  false },
	{ { "pods", "pod", "po", NULL }, MANIFEST_POD, true },
	{ { "networkpolicies", "networkpolicy", "netpol", NULL },
	  MANIFEST_NETPOL, true },
	{ { "nodes", "node", "no", NULL }, MANIFEST_NODE, false },
};

#define N_KINDS (sizeof(kinds) / sizeof(kinds[0]))

/* Index into kinds[] of a name, or -1. */
static int
kind_find(const char *s)
{
	unsigned int i, j;

	for (i = 0; s != NULL && i < N_KINDS; i++)
		for (j = 0; j < 4 && kinds[i].names[j] != NULL; j++)
			if (strcasecmp(s, kinds[i].names[j]) == 0)
				return (int)i;
	return -1;
}

/* One {"kind", "namespace", "name"} of delete's "objects". */
static int
ref_parse(const json_t *o, size_t i, struct ctl_store_ref *r,
		struct ctl_err *err)
{
	static const char *const allowed[] = { "kind", "namespace", "name",
		NULL };
	const char *kn = json_string_value(json_object_get(o, "kind"));
	const char *ns = json_string_value(json_object_get(o, "namespace"));
	const char *name = json_string_value(json_object_get(o, "name"));
	char where[96];
	int k;

	snprintf(where, sizeof(where), "/args/objects/%zu", i);
	if (!json_is_object(o) || ctl_args_only(o, allowed, err) < 0)
		return ctl_err_set(err, EINVAL, where, "an object is "
				"{kind, namespace, name}");
	k = kind_find(kn);
	snprintf(where, sizeof(where), "/args/objects/%zu/kind", i);
	if (k < 0)
		return ctl_err_set(err, EINVAL, where, "'kind' must be one of "
				"Namespace, Pod, NetworkPolicy, Node");
	snprintf(where, sizeof(where), "/args/objects/%zu/name", i);
	if (name == NULL || name[0] == '\0' || strlen(name) >= VS_POD_MAX)
		return ctl_err_set(err, EINVAL, where, "'name' must be a "
				"string of 1 to %d characters", VS_POD_MAX - 1);
	snprintf(where, sizeof(where), "/args/objects/%zu/namespace", i);
	if (json_object_get(o, "namespace") != NULL &&
			(ns == NULL || ns[0] == '\0'))
		return ctl_err_set(err, EINVAL, where, "'namespace' must be "
				"a non-empty string");
	r->kind = kinds[k].kind;
	r->name = name;
	r->ns = !kinds[k].namespaced ? NULL : ns != NULL ? ns : "default";
	return 0;
}

static int
refs_parse(const json_t *args, struct ctl_store_ref **refs, uint32_t *n,
		struct ctl_err *err)
{
	const json_t *arr = json_object_get(args, "objects"), *o;
	size_t i;
	int rc;

	*refs = NULL;
	*n = 0;
	if (arr == NULL)
		return 0;
	if (!json_is_array(arr) || json_array_size(arr) == 0 ||
			json_array_size(arr) > REFS_MAX)
		return ctl_err_set(err, EINVAL, "/args/objects", "'objects' "
				"must be an array of 1 to %d objects", REFS_MAX);
	*refs = calloc(json_array_size(arr), sizeof(**refs));
	if (*refs == NULL)
		return ctl_err_set(err, ENOMEM, NULL, "out of memory");
	json_array_foreach(arr, i, o) {
		rc = ref_parse(o, i, &(*refs)[i], err);
		if (rc < 0)
			return rc;
		(*n)++;
	}
	return 0;
}

/* ---- replies of apply and delete ---- */

static json_t *
us_of(uint64_t ns)
{
	return json_real((double)ns / 1e3);
}

/* The "timing" object (docs/api.md): the phases, then acl's steps. */
static json_t *
timing_json(const struct ctl_store_timing *t)
{
	json_t *o = json_object(), *steps = json_object();
	uint32_t i;

	if (o == NULL || steps == NULL) {
		json_decref(o);
		json_decref(steps);
		return NULL;
	}
	json_object_set_new(o, "request_us", us_of(t->request_ns));
	json_object_set_new(o, "load_us", us_of(t->load_ns));
	json_object_set_new(o, "diff_us", us_of(t->diff_ns));
	json_object_set_new(o, "convert_us", us_of(t->convert_ns));
	json_object_set_new(o, "endpoints_us", us_of(t->endpoints_ns));
	json_object_set_new(o, "view_us", us_of(t->view_ns));
	json_object_set_new(o, "compile_us", us_of(t->compile_ns));
	json_object_set_new(o, "cleanup_us", us_of(t->cleanup_ns));
	json_object_set_new(o, "publish_us", us_of(t->publish_ns));
	json_object_set_new(o, "active_us", us_of(t->active_ns));
	json_object_set_new(o, "active_cpu_us", us_of(t->active_cpu_ns));
	json_object_set_new(o, "commit_us", us_of(t->commit_ns));
	for (i = 0; i < t->acl.n_steps; i++)
		json_object_set_new(steps, t->acl.name[i], us_of(t->acl.ns[i]));
	json_object_set_new(o, "compile_steps", steps);
	return o;
}

static void
report_reply(const struct ctl_store_report *rep, bool dry_run,
		json_t *reply)
{
	json_object_set(reply, "objects", rep->objects);
	json_object_set(reply, "warnings", rep->warnings);
	json_object_set_new(reply, "dry_run", json_boolean(dry_run));
	json_object_set_new(reply, "published", json_boolean(rep->published));
	json_object_set_new(reply, "generation", json_integer(rep->generation));
	json_object_set_new(reply, "parse_us", json_integer(
			(json_int_t)rep->parse_us));
	json_object_set_new(reply, "compile_us", json_integer(
			(json_int_t)rep->compile_us));
	json_object_set_new(reply, "publish_us", json_integer(
			(json_int_t)rep->publish_us));
	json_object_set_new(reply, "active_us", json_integer(
			(json_int_t)rep->active_us));
	json_object_set_new(reply, "timing", timing_json(&rep->timing));
	if (!rep->compiled)
		return;
	json_object_set_new(reply, "policy", json_pack("{s:i, s:i, s:i, "
			"s:I, s:i, s:i}", "policies", (json_int_t)rep->n_policies,
			"pods", (json_int_t)rep->n_pods,
			"local_pods", (json_int_t)rep->n_local,
			"rules", (json_int_t)rep->n_rules,
			"contexts_built", (json_int_t)rep->n_contexts_built,
			"contexts_reused", (json_int_t)rep->n_contexts_reused));
}

/* Options common to apply and delete. */
static int
opts_parse(const json_t *args, struct ctl_store_opts *o, struct ctl_err *err)
{
	int rc;

	memset(o, 0, sizeof(*o));
	rc = ctl_arg_bool(args, "dry_run", &o->dry_run, err);
	if (rc >= 0)
		rc = ctl_arg_bool(args, "ignore_not_found", &o->ignore_missing,
				err);
	return rc < 0 ? rc : 0;
}

int
ctl_cmd_apply(struct ctl_ctx *ctx, const json_t *args, json_t *reply,
		struct ctl_err *err)
{
	static const char *const allowed[] = { "source", "text", "documents",
		"dry_run", NULL };
	struct ctl_store *st = ctl_cmds_store(ctx);
	struct ctl_store_report rep;
	struct ctl_store_opts o;
	struct docs d = { 0 };
	int rc;

	rc = ctl_args_only(args, allowed, err);
	if (rc >= 0)
		rc = opts_parse(args, &o, err);
	if (rc >= 0)
		rc = docs_parse(args, false, &d, err);
	if (rc >= 0 && (st == NULL || ctl_store_report_init(&rep) < 0))
		rc = ctl_err_set(err, ENOMEM, NULL, "out of memory");
	if (rc < 0) {
		free(d.v);
		return rc;
	}
	o.received_ns = ctx->req_ns;
	rc = ctl_store_apply(st, ctx->vs, d.v, d.n, &o, &rep, err);
	if (rc == 0 && !o.dry_run)      /* Node objects -> tunnels (vx) */
		ctl_nodes_sync(ctx, ctl_store_set(st), rep.warnings);
	if (rc == 0)
		report_reply(&rep, o.dry_run, reply);
	ctl_store_report_clear(&rep);
	free(d.v);
	return rc;
}

int
ctl_cmd_delete(struct ctl_ctx *ctx, const json_t *args, json_t *reply,
		struct ctl_err *err)
{
	static const char *const allowed[] = { "source", "text", "documents",
		"objects", "dry_run", "ignore_not_found", NULL };
	struct ctl_store *st = ctl_cmds_store(ctx);
	struct ctl_store_ref *refs = NULL;
	struct ctl_store_report rep;
	struct ctl_store_opts o;
	struct docs d = { 0 };
	uint32_t n_refs = 0;
	int rc;

	rc = ctl_args_only(args, allowed, err);
	if (rc >= 0)
		rc = opts_parse(args, &o, err);
	if (rc >= 0)
		rc = docs_parse(args, true, &d, err);
	if (rc >= 0)
		rc = refs_parse(args, &refs, &n_refs, err);
	if (rc >= 0 && d.n == 0 && n_refs == 0)
		rc = ctl_err_set(err, EINVAL, "/args/objects", "give 'text', "
				"'documents' or 'objects'");
	if (rc >= 0 && (st == NULL || ctl_store_report_init(&rep) < 0))
		rc = ctl_err_set(err, ENOMEM, NULL, "out of memory");
	if (rc < 0)
		goto out;
	o.received_ns = ctx->req_ns;
	rc = ctl_store_delete(st, ctx->vs, d.v, d.n, refs, n_refs, &o, &rep,
			err);
	if (rc == 0 && !o.dry_run)      /* Node objects -> tunnels (vx) */
		ctl_nodes_sync(ctx, ctl_store_set(st), rep.warnings);
	if (rc == 0)
		report_reply(&rep, o.dry_run, reply);
	ctl_store_report_clear(&rep);
out:
	free(refs);
	free(d.v);
	return rc;
}

/* ---- get ---- */

/* Strings for table cells, in a growing buffer. */
struct cell {
	char buf[1024];
	size_t len;
};

static void __attribute__((format(printf, 2, 3)))
cell_add(struct cell *c, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (c->len >= sizeof(c->buf) - 1)
		return;
	va_start(ap, fmt);
	n = vsnprintf(c->buf + c->len, sizeof(c->buf) - c->len, fmt, ap);
	va_end(ap);
	if (n > 0)
		c->len += (size_t)n;
	if (c->len >= sizeof(c->buf) - 1) {
		c->len = sizeof(c->buf) - 1;
		memcpy(c->buf + sizeof(c->buf) - 4, "...", 4);
	}
}

static json_t *
cell_json(const struct cell *c)
{
	json_t *j = json_stringn(c->buf, c->len);

	return j != NULL ? j : json_string("?");
}

/* k=v,k2=v2 or <none>. */
static json_t *
labels_cell(const struct acl_labels *l)
{
	struct cell c = { .len = 0 };
	uint32_t i;

	for (i = 0; i < l->n; i++)
		cell_add(&c, "%s%s=%s", i ? "," : "", l->v[i].key,
				l->v[i].value);
	if (l->n == 0)
		cell_add(&c, "<none>");
	return cell_json(&c);
}

/* A selector as kubectl prints one: app=web,tier in (a,b),!x. */
static json_t *
selector_cell(const struct acl_selector *s)
{
	static const char *const ops[] = { " in ", " notin ", "", "" };
	struct cell c = { .len = 0 };
	uint32_t i, j;

	for (i = 0; i < s->match_labels.n; i++)
		cell_add(&c, "%s%s=%s", c.len ? "," : "",
				s->match_labels.v[i].key,
				s->match_labels.v[i].value);
	for (i = 0; i < s->n_exprs; i++) {
		const struct acl_sel_expr *e = &s->exprs[i];

		cell_add(&c, "%s%s%s%s", c.len ? "," : "",
				e->op == ACL_SEL_DOES_NOT_EXIST ? "!" : "",
				e->key, ops[e->op]);
		for (j = 0; e->op <= ACL_SEL_NOT_IN && j < e->n_values; j++)
			cell_add(&c, "%s%s", j ? "," : "(", e->values[j]);
		if (e->op <= ACL_SEL_NOT_IN)
			cell_add(&c, ")");
	}
	if (c.len == 0)
		cell_add(&c, "<none>");
	return cell_json(&c);
}

static json_t *
ips_cell(const struct acl_addr *ips, uint32_t n)
{
	struct cell c = { .len = 0 };
	char a[INET6_ADDRSTRLEN];
	uint32_t i;

	for (i = 0; i < n; i++)
		if (inet_ntop(ips[i].family == ACL_AF_INET6 ? AF_INET6 :
				AF_INET, ips[i].addr, a, sizeof(a)) != NULL)
			cell_add(&c, "%s%s", i ? "," : "", a);
	if (n == 0)
		cell_add(&c, "<none>");
	return cell_json(&c);
}

static json_t *
str_or_none(const char *s)
{
	return json_string(s != NULL && s[0] != '\0' ? s : "<none>");
}

/* What one get builds: the stored objects, and the table. */
struct get {
	struct ctl_ctx *ctx;
	const char *ns;         /* NULL: every namespace */
	json_t *items;
	json_t *rows;
	struct acl_model m;     /* the policy's view (pods, policies) */
};

/* The table's column names (names is consumed). */
static void
columns_set(json_t *columns, json_t *names)
{
	json_array_extend(columns, names);
	json_decref(names);
}

static bool
ns_match(const struct get *g, const char *ns)
{
	return g->ns == NULL || (ns != NULL && strcmp(ns, g->ns) == 0);
}

/* The stored objects of one kind (in the namespace asked for). */
static void
items_of(struct get *g, enum manifest_kind kind)
{
	const struct manifest_set *s = ctl_store_set(g->ctx->store);
	uint32_t i;

	for (i = 0; i < s->n_objs; i++)
		if (s->objs[i].kind == kind && (kind == MANIFEST_NAMESPACE ||
				kind == MANIFEST_NODE ||
				ns_match(g, s->objs[i].ns)))
			json_array_append(g->items, s->objs[i].raw);
}

static void
rows_namespaces(struct get *g, json_t *columns)
{
	uint32_t i;

	columns_set(columns, json_pack("[s, s]", "NAME", "LABELS"));
	for (i = 0; i < g->m.n_namespaces; i++)
		json_array_append_new(g->rows, json_pack("[s, o]",
				g->m.namespaces[i].name,
				labels_cell(&g->m.namespaces[i].labels)));
}

static const char *
pod_node(const struct manifest_set *s, const struct acl_pod *p)
{
	const struct manifest_obj *o = manifest_set_find(s, MANIFEST_POD,
			p->ns, p->name);

	if (o == NULL)
		return NULL;
	return json_string_value(json_object_get(json_object_get(o->raw,
			"spec"), "nodeName"));
}

static void
rows_pods(struct get *g, json_t *columns)
{
	const struct manifest_set *s = ctl_store_set(g->ctx->store);
	uint32_t i;

	columns_set(columns, json_pack("[s, s, s, s, s, s]",
			"NAMESPACE", "NAME", "LOCAL", "IPS", "NODE", "LABELS"));
	for (i = 0; i < g->m.n_pods; i++) {
		const struct acl_pod *p = &g->m.pods[i];
		bool object = manifest_set_find(s, MANIFEST_POD, p->ns,
				p->name) != NULL;

		if (!ns_match(g, p->ns))
			continue;
		json_array_append_new(g->rows, json_pack("[s, s, s, o, o, o]",
				p->ns, p->name, p->local ? "yes" : "no",
				ips_cell(p->ips, p->n_ips),
				str_or_none(pod_node(s, p)),
				object ? labels_cell(&p->labels) :
				json_string("<no Pod object>")));
	}
}

static json_t *
types_cell(const struct acl_netpol *p)
{
	return json_string(p->type_ingress && p->type_egress ?
			"Ingress,Egress" : p->type_egress ? "Egress" :
			"Ingress");
}

static void
rows_policies(struct get *g, json_t *columns)
{
	uint32_t i;

	columns_set(columns, json_pack("[s, s, s, s]", "NAMESPACE",
			"NAME", "POD-SELECTOR", "POLICY-TYPES"));
	for (i = 0; i < g->m.n_policies; i++) {
		const struct acl_netpol *p = &g->m.policies[i];

		if (ns_match(g, p->ns))
			json_array_append_new(g->rows, json_pack("[s, s, o, o]",
					p->ns, p->name,
					selector_cell(&p->pod_sel),
					types_cell(p)));
	}
}

static void
rows_nodes(struct get *g, json_t *columns)
{
	size_t i;
	json_t *o;

	columns_set(columns, json_pack("[s]", "NAME"));
	json_array_foreach(g->items, i, o)
		json_array_append_new(g->rows, json_pack("[O]",
				json_object_get(json_object_get(o, "metadata"),
					"name")));
}

/* An endpoint as endpoint_list shows it, plus what the policy knows;
 * its addresses also as one cell.
 */
static json_t *
endpoint_item(const struct vs_endpoint_info *e, const struct acl_pod *p,
		bool object, json_t **ips_cell)
{
	const struct vs_endpoint_spec *s = &e->spec;
	json_t *ips = json_array(), *labels = json_object();
	char a[INET6_ADDRSTRLEN];
	struct cell c = { .len = 0 };
	uint32_t i;

	for (i = 0; i < s->n_ips && i < VS_EP_IPS_MAX; i++)
		if (inet_ntop(s->ips[i].family, s->ips[i].addr, a,
				sizeof(a)) != NULL) {
			json_array_append_new(ips, json_string(a));
			cell_add(&c, "%s%s", i ? "," : "", a);
		}
	*ips_cell = cell_json(&c);
	for (i = 0; p != NULL && i < p->labels.n; i++)
		json_object_set_new(labels, p->labels.v[i].key,
				json_string(p->labels.v[i].value));
	return json_pack("{s:s%, s:s%, s:s%, s:o, s:b, s:b, s:o}",
			"namespace", s->ns, strnlen(s->ns, VS_NS_MAX),
			"name", s->name, strnlen(s->name, VS_POD_MAX),
			"port", s->port, strnlen(s->port, VS_NAME_MAX),
			"ips", ips, "port_present", e->port_present,
			"pod_object", object, "labels", labels);
}

static const struct acl_pod *
model_pod(const struct acl_model *m, const char *ns, const char *name)
{
	uint32_t i;

	for (i = 0; i < m->n_pods; i++)
		if (strcmp(m->pods[i].ns, ns) == 0 &&
				strcmp(m->pods[i].name, name) == 0)
			return &m->pods[i];
	return NULL;
}

static int
rows_endpoints(struct get *g, json_t *columns, struct ctl_err *err)
{
	const struct manifest_set *s = ctl_store_set(g->ctx->store);
	struct vs_endpoint_info *v;
	uint32_t n, i;

	v = ctl_store_endpoints(g->ctx->vs, &n);
	if (v == NULL)
		return ctl_err_set(err, ENOMEM, NULL, "out of memory");
	columns_set(columns, json_pack("[s, s, s, s, s, s]",
			"NAMESPACE", "NAME", "PORT", "IPS", "POD", "LABELS"));
	for (i = 0; i < n; i++) {
		const struct vs_endpoint_spec *e = &v[i].spec;
		const struct acl_pod *p;
		json_t *it, *ips;
		bool object;

		if (!ns_match(g, e->ns))
			continue;
		p = model_pod(&g->m, e->ns, e->name);
		object = manifest_set_find(s, MANIFEST_POD, e->ns,
				e->name) != NULL;
		it = endpoint_item(&v[i], p, object, &ips);
		json_array_append_new(g->rows, json_pack("[O, O, O, o, s, o]",
				json_object_get(it, "namespace"),
				json_object_get(it, "name"),
				json_object_get(it, "port"), ips,
				object ? "object" : "<none>",
				p != NULL && object ? labels_cell(&p->labels) :
				json_string("<none>")));
		json_array_append_new(g->items, it);
	}
	free(v);
	return 0;
}

int
ctl_cmd_get(struct ctl_ctx *ctx, const json_t *args, json_t *reply,
		struct ctl_err *err)
{
	static const char *const allowed[] = { "kind", "namespace", NULL };
	static const char *const kind_names[] = { "Namespace", "Pod",
		"NetworkPolicy", "Node" };
	struct get g = { .ctx = ctx };
	char ns[VS_NS_MAX];
	json_t *columns = json_array();
	const char *kn;
	int rc, k = -1;

	rc = ctl_args_only(args, allowed, err);
	kn = json_string_value(json_object_get(args, "kind"));
	if (rc >= 0 && kn != NULL && strcasecmp(kn, "endpoints") != 0 &&
			strcasecmp(kn, "endpoint") != 0 &&
			strcasecmp(kn, "ep") != 0 && (k = kind_find(kn)) < 0)
		kn = NULL;
	if (rc >= 0 && kn == NULL)
		rc = ctl_err_set(err, EINVAL, "/args/kind", "'kind' must be one "
				"of namespaces, pods, networkpolicies, "
				"endpoints, nodes");
	if (rc >= 0)
		rc = ctl_arg_str(args, "namespace", false, NULL, ns, sizeof(ns),
				err);
	g.ns = rc > 0 ? ns : NULL;
	if (rc >= 0 && ctl_cmds_store(ctx) == NULL)
		rc = ctl_err_set(err, ENOMEM, NULL, "out of memory");
	if (rc >= 0)
		rc = ctl_store_model(ctx->store, ctx->vs, &g.m, NULL, err);
	if (rc < 0) {
		json_decref(columns);
		return rc;
	}

	g.items = json_array();
	g.rows = json_array();
	if (k >= 0)
		items_of(&g, kinds[k].kind);
	if (k < 0)
		rc = rows_endpoints(&g, columns, err);
	else if (kinds[k].kind == MANIFEST_NAMESPACE)
		rows_namespaces(&g, columns);
	else if (kinds[k].kind == MANIFEST_POD)
		rows_pods(&g, columns);
	else if (kinds[k].kind == MANIFEST_NETPOL)
		rows_policies(&g, columns);
	else
		rows_nodes(&g, columns);
	acl_model_clear(&g.m);
	json_object_set_new(reply, "kind", json_string(k < 0 ? "Endpoint" :
			kind_names[k]));
	json_object_set_new(reply, "items", g.items);
	json_object_set_new(reply, "columns", columns);
	json_object_set_new(reply, "rows", g.rows);
	return rc;
}
