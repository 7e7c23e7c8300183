/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * manifest_load.c: the public side of manifest.h: reading files,
 * directories, standard input and buffers; splitting documents and Lists
 * into objects; dispatching each object to its kind's validator; and the
 * all-or-nothing commit of a load into a manifest_set.
 *
 * A load fills a staging set; only when every object of every file passed
 * does the staging set move into the caller's set, so a refused load leaves
 * it untouched.
 *
 * Thread-safety: none; a set is used by one thread at a time.
 */
#include "manifest.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "ctl_cmds.h"
#include "manifest_priv.h"

#define CALICO_API "projectcalico.org/v3"

/* ---- the set ---- */

void manifest_set_init(struct manifest_set *s)
{
	memset(s, 0, sizeof(*s));
}

static void obj_free(struct manifest_obj *o)
{
	free(o->api_version);
	free(o->kind_name);
	free(o->ns);
	free(o->name);
	free(o->source);
	json_decref(o->raw);
	memset(o, 0, sizeof(*o));
}

void manifest_set_clear(struct manifest_set *s)
{
	for (uint32_t i = 0; i < s->n_objs; i++)
		obj_free(&s->objs[i]);
	for (uint32_t i = 0; i < s->n_warnings; i++)
		free(s->warnings[i]);
	free(s->objs);
	free(s->warnings);
	json_decref(s->index);
	manifest_set_init(s);
}

const char *manifest_kind_str(enum manifest_kind kind)
{
	switch (kind) {
	case MANIFEST_NAMESPACE: return "Namespace";
	case MANIFEST_POD: return "Pod";
	case MANIFEST_NETPOL: return "NetworkPolicy";
	case MANIFEST_NODE: return "Node";
	case MANIFEST_CALICO: return "Calico";
	}
	return "?";
}

static bool same_str(const char *a, const char *b)
{
	return (a == NULL && b == NULL) ||
		(a != NULL && b != NULL && strcmp(a, b) == 0);
}

/*
 * The identity of an object: kind (and Calico kind), namespace, name. The
 * index maps it to the object's position, so that loading n objects costs
 * n lookups, not n^2/2 comparisons.
 */
static void id_key(char *buf, size_t size, enum manifest_kind kind,
		const char *kind_name, const char *ns, const char *name)
{
	bool namespaced = kind == MANIFEST_POD || kind == MANIFEST_NETPOL ||
		kind == MANIFEST_CALICO;

	snprintf(buf, size, "%d/%s/%s/%s", (int)kind,
			kind == MANIFEST_CALICO ? kind_name : "",
			namespaced && ns != NULL ? ns : "", name);
}

static int index_rebuild(struct manifest_set *s)
{
	char key[MANIFEST_KEY_MAX];

	json_decref(s->index);
	s->index = json_object();
	if (s->index == NULL)
		return -ENOMEM;
	for (uint32_t i = 0; i < s->n_objs; i++) {
		const struct manifest_obj *o = &s->objs[i];

		id_key(key, sizeof(key), o->kind, o->kind_name, o->ns, o->name);
		if (json_object_set_new(s->index, key, json_integer(i)) < 0)
			return -ENOMEM;
	}
	return 0;
}

/* Position of an object, or -1. Calico kinds without kind_name: a scan. */
static int find_idx(const struct manifest_set *s, enum manifest_kind kind,
		const char *kind_name, const char *ns, const char *name)
{
	char key[MANIFEST_KEY_MAX];
	const json_t *v;

	if (kind == MANIFEST_CALICO && kind_name == NULL) {
		for (uint32_t i = 0; i < s->n_objs; i++) {
			const struct manifest_obj *o = &s->objs[i];

			if (o->kind == kind && strcmp(o->name, name) == 0 &&
					(o->ns == NULL || same_str(o->ns, ns)))
				return (int)i;
		}
		return -1;
	}
	id_key(key, sizeof(key), kind, kind_name, ns, name);
	v = json_object_get(s->index, key);
	return v != NULL ? (int)json_integer_value(v) : -1;
}

static int obj_copy(const struct manifest_obj *o, struct manifest_obj *c)
{
	*c = (struct manifest_obj){ .kind = o->kind, .line = o->line };
	c->api_version = strdup(o->api_version);
	c->kind_name = strdup(o->kind_name);
	c->name = strdup(o->name);
	c->ns = o->ns ? strdup(o->ns) : NULL;
	c->source = strdup(o->source);
	c->raw = json_incref(o->raw);
	if (!c->api_version || !c->kind_name || !c->name ||
			(o->ns && !c->ns) || !c->source) {
		obj_free(c);
		return -ENOMEM;
	}
	return 0;
}

int manifest_set_copy(const struct manifest_set *src,
		struct manifest_set *dst)
{
	uint32_t i;

	manifest_set_init(dst);
	dst->objs = calloc(src->n_objs + 1, sizeof(*dst->objs));
	dst->warnings = calloc(src->n_warnings + 1, sizeof(*dst->warnings));
	if (dst->objs == NULL || dst->warnings == NULL)
		goto err_nomem;
	for (i = 0; i < src->n_objs; i++, dst->n_objs++)
		if (obj_copy(&src->objs[i], &dst->objs[i]) < 0)
			goto err_nomem;
	dst->cap = src->n_objs + 1;
	for (i = 0; i < src->n_warnings; i++, dst->n_warnings++)
		if ((dst->warnings[i] = strdup(src->warnings[i])) == NULL)
			goto err_nomem;
	if (index_rebuild(dst) < 0)
		goto err_nomem;
	return 0;

err_nomem:
	manifest_set_clear(dst);
	return -ENOMEM;
}

const struct manifest_obj *manifest_set_find(const struct manifest_set *s,
		enum manifest_kind kind, const char *ns, const char *name)
{
	int i = find_idx(s, kind, NULL, ns, name);

	return i < 0 ? NULL : &s->objs[i];
}

int manifest_set_del(struct manifest_set *s, enum manifest_kind kind,
		const char *ns, const char *name)
{
	int i = find_idx(s, kind, NULL, ns, name);

	if (i < 0)
		return -ENOENT;
	obj_free(&s->objs[i]);
	memmove(&s->objs[i], &s->objs[i + 1],
			(s->n_objs - (uint32_t)i - 1) * sizeof(*s->objs));
	s->n_objs--;
	return index_rebuild(s);
}

/* Move o into s, replacing an object of the same identity. */
static int set_put(struct manifest_set *s, struct manifest_obj *o)
{
	int i = find_idx(s, o->kind, o->kind_name, o->ns, o->name);
	struct manifest_obj *grown;

	char key[MANIFEST_KEY_MAX];

	if (i >= 0) {
		obj_free(&s->objs[i]);
		s->objs[i] = *o;
		return 0;
	}
	if (s->index == NULL && (s->index = json_object()) == NULL)
		return -ENOMEM;
	id_key(key, sizeof(key), o->kind, o->kind_name, o->ns, o->name);
	if (json_object_set_new(s->index, key, json_integer(s->n_objs)) < 0)
		return -ENOMEM;
	if (s->n_objs == s->cap) {
		uint32_t cap = s->cap ? s->cap * 2 : 16;

		grown = realloc(s->objs, cap * sizeof(*grown));
		if (grown == NULL) {
			json_object_del(s->index, key);
			return -ENOMEM;
		}
		s->objs = grown;
		s->cap = cap;
	}
	s->objs[s->n_objs++] = *o;
	return 0;
}

static int set_warn(struct manifest_set *s, const char *fmt, ...)
{
	char **grown = realloc(s->warnings, (s->n_warnings + 1) * sizeof(*grown));
	va_list ap;
	int rc;

	if (grown == NULL)
		return -ENOMEM;
	s->warnings = grown;
	va_start(ap, fmt);
	rc = vasprintf(&s->warnings[s->n_warnings], fmt, ap);
	va_end(ap);
	if (rc < 0)
		return -ENOMEM;
	s->n_warnings++;
	return 0;
}

/* Move everything staged into dst; staged is left empty. */
static int set_commit(struct manifest_set *dst, struct manifest_set *staged)
{
	uint32_t i;
	int rc = 0;

	for (i = 0; i < staged->n_objs && rc == 0; i++) {
		rc = set_put(dst, &staged->objs[i]);
		if (rc == 0)
			memset(&staged->objs[i], 0, sizeof(staged->objs[i]));
	}
	for (i = 0; i < staged->n_warnings && rc == 0; i++)
		rc = set_warn(dst, "%s", staged->warnings[i]);
	manifest_set_clear(staged);
	return rc;
}

int manifest_set_move(struct manifest_set *dst, struct manifest_set *src)
{
	return set_commit(dst, src);
}

/* ---- one object ---- */

/* A load in progress. */
struct load {
	struct manifest_set *staged;
	struct ctl_err *err;
};

/* Validate a model kind by converting it into a scratch model. */
static int check_model_kind(struct manifest_ctx *c, enum manifest_kind kind,
		const json_t *obj)
{
	struct acl_model m;
	int rc = -ENOMEM;

	memset(&m, 0, sizeof(m));
	m.policies = calloc(1, sizeof(*m.policies));
	m.pods = calloc(1, sizeof(*m.pods));
	m.namespaces = calloc(1, sizeof(*m.namespaces));
	if (m.policies != NULL && m.pods != NULL && m.namespaces != NULL) {
		m.n_policies = m.n_pods = m.n_namespaces = 1;
		if (kind == MANIFEST_NETPOL)
			rc = manifest_netpol_conv(c, obj, m.policies);
		else if (kind == MANIFEST_POD)
			rc = manifest_pod_conv(c, obj, m.pods);
		else
			rc = manifest_namespace_conv(c, obj, m.namespaces);
	} else {
		manifest_nomem(c);
	}
	acl_model_clear(&m);
	return rc;
}

/* Calico kinds that live in a namespace; the others are cluster-wide. */
static bool calico_namespaced(const char *kind)
{
	static const char *const kinds[] = { "NetworkPolicy", "NetworkSet",
		"StagedNetworkPolicy", "StagedKubernetesNetworkPolicy",
		"WorkloadEndpoint", NULL };

	for (const char *const *k = kinds; *k != NULL; k++)
		if (strcmp(*k, kind) == 0)
			return true;
	return false;
}

/*
 * A Calico object has apiVersion, kind, metadata and spec at the top, and
 * nothing else: name every misplaced field with its line in one error.
 */
static int check_calico_top(struct manifest_ctx *c, const json_t *obj)
{
	static const char *const top[] = { "apiVersion", "kind", "metadata",
		"spec", NULL };
	char list[160] = "", where[MANIFEST_PATH_MAX + 64], first[128] = "";
	const char *k;
	const json_t *v;
	size_t n = 0, used = 0;
	uint32_t line, col;

	json_object_foreach((json_t *)obj, k, v) {
		const char *const *a = top;

		while (*a != NULL && strcmp(*a, k) != 0)
			a++;
		if (*a != NULL)
			continue;
		if (n++ == 0)
			snprintf(first, sizeof(first), "%s", k);
		snprintf(where, sizeof(where), "%s/%s", c->base, k);
		if (used < sizeof(list) && manifest_pos_lookup(c->pos, where, &line, &col))
			used += (size_t)snprintf(list + used, sizeof(list) - used,
					"%s%s (line %u)", n > 1 ? ", " : "", k, line);
		else if (used < sizeof(list))
			used += (size_t)snprintf(list + used, sizeof(list) - used,
					"%s%s", n > 1 ? ", " : "", k);
	}
	if (n == 0)
		return 0;
	return manifest_fail_at(c, first, "misplaced field%s %s: only apiVersion, " \
			"kind, metadata, spec belong at the top level (move %s " \
			"under spec)", n > 1 ? "s" : "", list, n > 1 ? "them" : "it");
}

/* What an (apiVersion, kind) pair is to npvs; -1: not ours. */
static int classify(const char *api, const char *kind)
{
	if (strcmp(api, "v1") == 0 && strcmp(kind, "Namespace") == 0)
		return MANIFEST_NAMESPACE;
	if (strcmp(api, "v1") == 0 && strcmp(kind, "Pod") == 0)
		return MANIFEST_POD;
	if (strcmp(api, "networking.k8s.io/v1") == 0 &&
			strcmp(kind, "NetworkPolicy") == 0)
		return MANIFEST_NETPOL;
	if (strcmp(api, "v1") == 0 && strcmp(kind, "Node") == 0)
		return MANIFEST_NODE;
	if (strcmp(api, CALICO_API) == 0)
		return MANIFEST_CALICO;
	return -1;
}

static int type_header(struct manifest_ctx *c, const json_t *obj, const char **api,
		const char **kind)
{
	int rc;

	if ((rc = manifest_get_str(c, obj, "kind", kind)) < 0)
		return rc;
	if (rc == 0 || **kind == '\0')
		return manifest_fail_at(c, "kind", "required value: kind not set");
	c->kind = *kind;
	if ((rc = manifest_get_str(c, obj, "apiVersion", api)) < 0)
		return rc;
	if (rc == 0 || **api == '\0')
		return manifest_fail_at(c, "apiVersion", "required value: apiVersion " \
				"not set");
	return 0;
}

static int record(struct load *ld, struct manifest_ctx *c, enum manifest_kind kind,
		const char *api, const char *kind_name, const struct manifest_meta *m,
		const json_t *obj)
{
	struct manifest_obj o = { .kind = kind, .line = m->line };

	o.api_version = strdup(api);
	o.kind_name = strdup(kind_name);
	o.name = strdup(m->name);
	o.ns = m->ns ? strdup(m->ns) : NULL;
	o.source = strdup(c->source);
	o.raw = json_incref((json_t *)obj);     /* never modified: shared */
	if (!o.api_version || !o.kind_name || !o.name || (m->ns && !o.ns) ||
			!o.source || !o.raw || set_put(ld->staged, &o) < 0) {
		obj_free(&o);
		return manifest_nomem(c);
	}
	return 0;
}

/* A kind npvs does not use: a warning naming file, line, kind and name. */
static int warn_skipped(struct load *ld, struct manifest_ctx *c, const json_t *obj,
		const char *api, const char *kind)
{
	const json_t *meta = json_object_get(obj, "metadata");
	const char *name = json_string_value(json_object_get(meta, "name"));
	const char *ns = json_string_value(json_object_get(meta, "namespace"));
	uint32_t line = 0, col;

	manifest_pos_lookup(c->pos, c->base, &line, &col);
	if (set_warn(ld->staged, "%s:%u: %s %s%s%s (%s): skipped, npvs does " \
			"not use this kind", c->source, line, kind, ns ? ns : "",
			ns ? "/" : "", name ? name : "(no name)", api) < 0)
		return manifest_nomem(c);
	return 0;
}

static int load_obj(struct load *ld, struct manifest_ctx *c, const json_t *obj)
{
	const char *api, *kind;
	struct manifest_meta m;
	uint32_t col;
	int k, rc;

	if (!json_is_object(obj))
		return manifest_fail(c, "an object must be a mapping, not %s",
				manifest_type_name(obj));
	if ((rc = type_header(c, obj, &api, &kind)) < 0)
		return rc;
	k = classify(api, kind);
	if (k < 0 && (strcmp(kind, "NetworkPolicy") == 0 ||
			strcmp(kind, "Pod") == 0 || strcmp(kind, "Namespace") == 0))
		return manifest_fail_at(c, "apiVersion", "no %s in version \"%s\" " \
				"(use %s)", kind, api, strcmp(kind, "NetworkPolicy") == 0 ?
				"networking.k8s.io/v1" : "v1");
	if (k < 0)
		return warn_skipped(ld, c, obj, api, kind);
	rc = manifest_meta_check(c, obj, k == MANIFEST_POD || k == MANIFEST_NETPOL ||
			(k == MANIFEST_CALICO && calico_namespaced(kind)),
			k == MANIFEST_NAMESPACE, true, &m);
	if (rc < 0)
		return rc;
	if (k == MANIFEST_CALICO && (rc = check_calico_top(c, obj)) < 0)
		return rc;
	if (k <= MANIFEST_NETPOL && (rc = check_model_kind(c, k, obj)) < 0)
		return rc;
	if (!manifest_pos_lookup(c->pos, c->base, &m.line, &col))
		m.line = 0;
	if (k >= MANIFEST_CALICO && set_warn(ld->staged, "%s:%u: %s %s%s%s (%s): " \
			"kept, not enforced yet", c->source, m.line, kind,
			m.ns ? m.ns : "", m.ns ? "/" : "", m.name, api))
		return manifest_nomem(c);
	return record(ld, c, (enum manifest_kind)k, api, kind, &m, obj);
}

/* `kind: List` (or FooList) with items: each item is an object. */
static bool is_list(const json_t *root)
{
	const char *kind = json_string_value(json_object_get(root, "kind"));
	size_t n = kind ? strlen(kind) : 0;

	return n >= 4 && strcmp(kind + n - 4, "List") == 0 &&
		json_is_array(json_object_get(root, "items"));
}

static int load_doc(struct load *ld, const char *source, const struct manifest_doc *d)
{
	struct manifest_ctx c;
	const json_t *item;
	char base[32];
	size_t i;
	int rc;

	if (d->root == NULL || json_is_null(d->root))
		return 0;
	manifest_ctx_init(&c, source, d->pos, "", ld->err);
	if (!json_is_object(d->root) || !is_list(d->root))
		return load_obj(ld, &c, d->root);
	json_array_foreach(json_object_get(d->root, "items"), i, item) {
		snprintf(base, sizeof(base), "/items/%zu", i);
		manifest_ctx_init(&c, source, d->pos, base, ld->err);
		if ((rc = load_obj(ld, &c, item)) < 0)
			return rc;
	}
	return 0;
}

/* ---- formats ---- */

static bool looks_json(const char *buf, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (buf[i] == ' ' || buf[i] == '\t' || buf[i] == '\r' ||
				buf[i] == '\n')
			continue;
		return buf[i] == '{' || buf[i] == '[';
	}
	return false;
}

/* 0-based line and column of byte off. */
static void line_col(const char *buf, size_t off, uint32_t *line,
		uint32_t *col)
{
	*line = *col = 0;
	for (size_t i = 0; i < off; i++) {
		if (buf[i] == '\n') {
			(*line)++;
			*col = 0;
		} else {
			(*col)++;
		}
	}
}

static uint32_t lines_before(const char *buf, size_t off)
{
	uint32_t line, col;

	line_col(buf, off, &line, &col);
	return line;
}

/* Shift recorded positions by the place the value starts in the text. */
static int shift_positions(json_t *pos, uint32_t line0, uint32_t col0)
{
	const char *k;
	json_t *v;

	json_object_foreach(pos, k, v) {
		uint32_t l = MANIFEST_POS_LINE(json_integer_value(v));
		uint32_t c = MANIFEST_POS_COL(json_integer_value(v));

		if (l == 1)
			c += col0;
		if (json_integer_set(v, MANIFEST_POS(l + line0, c)) < 0)
			return -ENOMEM;
	}
	return 0;
}

/*
 * Positions for a JSON value at buf[off..off+len): the same text read as
 * YAML gives them, when it reads to the same value (JSON is nearly YAML).
 */
static void json_positions(const char *source, const char *buf, size_t off,
		size_t len, uint32_t pos_depth, struct manifest_doc *d)
{
	struct manifest_doc *ydocs = NULL;
	uint32_t yn = 0, line0, col0;
	struct ctl_err scratch;

	if (manifest_yaml_parse_depth(source, buf + off, len, pos_depth, &ydocs,
			&yn, &scratch) < 0)
		return;
	line_col(buf, off, &line0, &col0);
	if (yn == 1 && json_equal(d->root, ydocs[0].root) &&
			shift_positions(ydocs[0].pos, line0, col0) == 0) {
		d->pos = ydocs[0].pos;
		ydocs[0].pos = NULL;
	}
	manifest_docs_free(ydocs, yn);
}

/* manifest_json_parse() with positions down to pos_depth (manifest_priv.h) */
static int json_parse_depth(const char *source, const char *buf, size_t len,
		uint32_t pos_depth, struct manifest_doc **docs, uint32_t *n_docs,
		struct ctl_err *err)
{
	struct manifest_doc *d = NULL, *grown;
	uint32_t n = 0;
	size_t off = 0;
	json_error_t je;
	json_t *v;

	while (off < len && strchr(" \t\r\n", buf[off]) != NULL && buf[off])
		off++;
	while (off < len) {
		v = json_loadb(buf + off, len - off, JSON_DISABLE_EOF_CHECK |
				JSON_REJECT_DUPLICATES, &je);
		if (v == NULL) {
			uint32_t l0 = lines_before(buf, off);

			manifest_docs_free(d, n);
			return manifest_err_loc(err, EINVAL, source, l0 + (uint32_t)je.line,
					(uint32_t)je.column, "JSON: %s", je.text);
		}
		grown = realloc(d, (n + 1) * sizeof(*d));
		if (grown == NULL) {
			json_decref(v);
			manifest_docs_free(d, n);
			return manifest_err_loc(err, ENOMEM, source, 0, 0, "out of memory");
		}
		d = grown;
		d[n].root = v;
		d[n].pos = NULL;
		d[n].line = lines_before(buf, off) + 1;
		json_positions(source, buf, off, (size_t)je.position, pos_depth,
				&d[n]);
		n++;
		off += (size_t)je.position;
		while (off < len && strchr(" \t\r\n", buf[off]) != NULL && buf[off])
			off++;
	}
	*docs = d;
	*n_docs = n;
	return 0;
}

int manifest_json_parse(const char *source, const char *buf, size_t len,
		struct manifest_doc **docs, uint32_t *n_docs, struct ctl_err *err)
{
	return json_parse_depth(source, buf, len, UINT32_MAX, docs, n_docs, err);
}

/*
 * Positions a load keeps at first: the root's members and "/items/N",
 * which give every object's line; deeper ones only place an error.
 */
#define LOAD_POS_DEPTH 2

/* Parse a text and load its documents, positions down to pos_depth. */
static int parse_load(struct load *ld, const char *source, const char *buf,
		size_t len, bool json, uint32_t pos_depth)
{
	struct manifest_doc *docs = NULL;
	uint32_t n = 0;
	int rc;

	rc = json ? json_parse_depth(source, buf, len, pos_depth, &docs, &n,
			ld->err) : manifest_yaml_parse_depth(source, buf, len,
			pos_depth, &docs, &n, ld->err);
	for (uint32_t i = 0; rc == 0 && i < n; i++)
		rc = load_doc(ld, source, &docs[i]);
	manifest_docs_free(docs, n);
	return rc;
}

/*
 * Parse one text (a file, standard input or a buffer) into staged objects.
 * A refused object is loaded again from a parse with every position, for
 * the line and column of its error (the load fails either way; what the
 * second pass stages is dropped with the rest).
 */
static int load_text(struct load *ld, const char *source, const char *buf,
		size_t len, bool json)
{
	int rc;

	if (len > MANIFEST_INPUT_MAX)
		return manifest_err_loc(ld->err, EFBIG, source, 0, 0, "larger than %u " \
				"bytes", MANIFEST_INPUT_MAX);
	rc = parse_load(ld, source, buf, len, json, LOAD_POS_DEPTH);
	if (rc == -EINVAL)
		(void)parse_load(ld, source, buf, len, json, UINT32_MAX);
	return rc;
}

/* ---- files ---- */

static int read_stream(FILE *f, const char *source, char **out, size_t *len,
		struct ctl_err *err)
{
	size_t cap = 65536, n = 0, got;
	char *buf = malloc(cap), *grown;

	while (buf != NULL) {
		got = fread(buf + n, 1, cap - n, f);
		n += got;
		if (n < cap)
			break;
		if (cap > MANIFEST_INPUT_MAX) {
			free(buf);
			return manifest_err_loc(err, EFBIG, source, 0, 0, "larger than %u " \
					"bytes", MANIFEST_INPUT_MAX);
		}
		grown = realloc(buf, cap * 2);
		if (grown == NULL)
			free(buf);
		buf = grown;
		cap *= 2;
	}
	if (buf == NULL)
		return manifest_err_loc(err, ENOMEM, source, 0, 0, "out of memory");
	if (ferror(f)) {
		free(buf);
		return manifest_err_loc(err, EIO, source, 0, 0, "read error");
	}
	*out = buf;
	*len = n;
	return 0;
}

static bool has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && strcmp(s + n - m, suffix) == 0;
}

static int load_file(struct load *ld, const char *path)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	const char *source = f == stdin ? "<stdin>" : path;
	char *buf = NULL;
	size_t len = 0;
	int rc;

	if (f == NULL)
		return manifest_err_loc(ld->err, errno, path, 0, 0, "%s", strerror(errno));
	rc = read_stream(f, source, &buf, &len, ld->err);
	if (f != stdin)
		fclose(f);
	if (rc < 0)
		return rc;
	rc = load_text(ld, source, buf, len, f == stdin ? looks_json(buf, len) :
			has_suffix(path, ".json"));
	free(buf);
	return rc;
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A directory's *.yaml, *.yml and *.json, sorted, as kubectl apply -f DIR. */
static int load_dir(struct load *ld, const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;
	char **names = NULL, **grown, full[4096];
	size_t n = 0;
	int rc = 0;

	if (d == NULL)
		return manifest_err_loc(ld->err, errno, path, 0, 0, "%s", strerror(errno));
	while (rc == 0 && (e = readdir(d)) != NULL) {
		if (!has_suffix(e->d_name, ".yaml") && !has_suffix(e->d_name, ".yml") &&
				!has_suffix(e->d_name, ".json"))
			continue;
		grown = realloc(names, (n + 1) * sizeof(*names));
		if (grown == NULL || (grown[n] = strdup(e->d_name)) == NULL)
			rc = manifest_err_loc(ld->err, ENOMEM, path, 0, 0, "out of memory");
		if (grown != NULL)
			names = grown;
		if (rc == 0)
			n++;
	}
	closedir(d);
	if (n > 0)
		qsort(names, n, sizeof(*names), name_cmp);
	for (size_t i = 0; i < n; i++) {
		snprintf(full, sizeof(full), "%s%s%s", path,
				has_suffix(path, "/") ? "" : "/", names[i]);
		if (rc == 0)
			rc = load_file(ld, full);
		free(names[i]);
	}
	free(names);
	return rc;
}

/* ---- public loads ---- */

static int finish(struct load *ld, struct manifest_set *s, int rc)
{
	if (rc == 0) {
		rc = set_commit(s, ld->staged);
		if (rc < 0 && ld->err != NULL)
			manifest_err_loc(ld->err, ENOMEM, "manifests", 0, 0, "out of memory");
	}
	manifest_set_clear(ld->staged);
	return rc;
}

int manifest_load_path(const char *path, struct manifest_set *s,
		struct ctl_err *err)
{
	struct manifest_set staged;
	struct load ld = { .staged = &staged, .err = err };
	struct stat st;
	int rc;

	manifest_set_init(&staged);
	if (strcmp(path, "-") == 0)
		rc = load_file(&ld, path);
	else if (stat(path, &st) < 0)
		rc = manifest_err_loc(err, errno, path, 0, 0, "%s", strerror(errno));
	else if (S_ISDIR(st.st_mode))
		rc = load_dir(&ld, path);
	else
		rc = load_file(&ld, path);
	return finish(&ld, s, rc);
}

int manifest_load_buffer(const char *name, const char *buf, size_t len,
		struct manifest_set *s, struct ctl_err *err)
{
	struct manifest_set staged;
	struct load ld = { .staged = &staged, .err = err };
	int rc;

	manifest_set_init(&staged);
	rc = load_text(&ld, name, buf, len, looks_json(buf, len));
	return finish(&ld, s, rc);
}
