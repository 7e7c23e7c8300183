/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * manifest_yaml.c: YAML text to jansson trees, with the line and column
 * of every node, so that one validator (manifest_k8s*.c) serves YAML and
 * JSON and still reports where a bad field was written.
 *
 * libyaml's event API drives a stack of open containers. Each node's
 * JSON pointer is known when it starts, which is when its position is
 * recorded (the key's position for a mapping member). Scalars resolve as
 * Kubernetes' reader (sigs.k8s.io/yaml over go-yaml v2) does: plain ones
 * by YAML 1.1 rules, quoted ones stay strings. Aliases are deep copies,
 * counted against MANIFEST_NODES_MAX (no billion laughs); `<<` merge keys work.
 *
 * Thread-safety: none needed; everything lives in one call.
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "ctl_cmds.h"
#include "manifest_priv.h"

/** One open sequence or mapping. */
struct frame {
	json_t *node;           /* array or object being filled */
	char *anchor;           /* to register when it closes, or NULL */
	size_t path_len;        /* length of the path before this node */
	char *key;              /* pending mapping key */
	bool has_key;
	bool key_is_merge;      /* pending key is `<<` */
	yaml_mark_t key_mark;
	json_t *merges;         /* `<<` sources, in order, or NULL */
};

/** The state of one parse. */
struct yl {
	const char *source;
	struct ctl_err *err;
	struct frame stack[MANIFEST_DEPTH_MAX];
	uint32_t depth;
	char *path;             /* JSON pointer of the node being built */
	size_t path_len, path_cap;
	json_t *root;           /* the finished document root */
	bool have_root;
	json_t *pos;            /* pointer -> MANIFEST_POS(line, col) */
	uint32_t pos_depth;     /* deepest node whose position is kept */
	json_t *anchors;        /* name -> node */
	uint64_t n_nodes;       /* nodes made, aliases expanded */
	struct manifest_doc *docs;
	uint32_t n_docs;
	uint32_t doc_line;
};

static int fail(struct yl *y, yaml_mark_t m, const char *fmt, const char *arg)
{
	char text[192];

	snprintf(text, sizeof(text), fmt, arg);
	return manifest_err_loc(y->err, EINVAL, y->source, (uint32_t)m.line + 1,
			(uint32_t)m.column + 1, "YAML: %s", text);
}

static int nomem(struct yl *y)
{
	return manifest_err_loc(y->err, ENOMEM, y->source, 0, 0, "out of memory");
}

/* ---- path and positions ---- */

static int path_append(struct yl *y, const char *seg, size_t n)
{
	if (y->path_len + n + 1 > y->path_cap) {
		size_t cap = (y->path_len + n + 1) * 2;
		char *p = realloc(y->path, cap);

		if (p == NULL)
			return -ENOMEM;
		y->path = p;
		y->path_cap = cap;
	}
	memcpy(y->path + y->path_len, seg, n);
	y->path_len += n;
	y->path[y->path_len] = '\0';
	return 0;
}

/* Append "/" and key escaped per RFC 6901 (~ -> ~0, / -> ~1). */
static int path_push_key(struct yl *y, const char *key)
{
	int rc = path_append(y, "/", 1);

	for (const char *k = key; rc == 0 && *k != '\0'; k++) {
		if (*k == '~')
			rc = path_append(y, "~0", 2);
		else if (*k == '/')
			rc = path_append(y, "~1", 2);
		else
			rc = path_append(y, k, 1);
	}
	return rc;
}

static int path_push_idx(struct yl *y, size_t idx)
{
	char seg[32];
	int n = snprintf(seg, sizeof(seg), "/%zu", idx);

	return path_append(y, seg, (size_t)n);
}

static void path_pop(struct yl *y, size_t len)
{
	y->path_len = len;
	if (y->path != NULL)
		y->path[len] = '\0';
}

static int pos_record(struct yl *y, yaml_mark_t m)
{
	json_t *v;

	if (y->depth > y->pos_depth)
		return 0;
	v = json_integer(MANIFEST_POS(m.line + 1, m.column + 1));
	if (v == NULL || json_object_set_new(y->pos, y->path ? y->path : "", v))
		return -ENOMEM;
	return 0;
}

/* ---- scalars ---- */

static bool is_one_of(const char *s, const char *const *list)
{
	for (; *list != NULL; list++)
		if (strcmp(s, *list) == 0)
			return true;
	return false;
}

/* go-yaml v2 ints: sign, then 0x/0o/0b/leading-0 octal/decimal; '_' gone. */
static bool parse_int(const char *in, long long *out)
{
	char buf[80], *end;
	size_t n = 0;
	const char *s;
	int base = 10;
	bool neg = false;
	unsigned long long v;

	for (s = in; *s != '\0' && n < sizeof(buf) - 1; s++)
		if (*s != '_')
			buf[n++] = *s;
	if (*s != '\0' || n == 0)
		return false;
	buf[n] = '\0';
	s = buf;
	if (*s == '+' || *s == '-')
		neg = *s++ == '-';
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		base = 16, s += 2;
	else if (s[0] == '0' && (s[1] == 'o' || s[1] == 'O'))
		base = 8, s += 2;
	else if (s[0] == '0' && (s[1] == 'b' || s[1] == 'B'))
		base = 2, s += 2;
	else if (s[0] == '0' && s[1] != '\0')
		base = 8, s += 1;
	if (*s == '\0' || *s == '+' || *s == '-' || *s == ' ')
		return false;
	errno = 0;
	v = strtoull(s, &end, base);
	if (errno != 0 || *end != '\0')
		return false;
	if (v > (unsigned long long)LLONG_MAX + (neg ? 1 : 0))
		return false;
	*out = neg ? (long long)(0 - v) : (long long)v;
	return true;
}

/* ^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$ without '_' */
static bool parse_float(const char *in, double *out)
{
	char buf[80], *end;
	size_t n = 0, digits = 0;
	const char *s;

	for (s = in; *s != '\0' && n < sizeof(buf) - 1; s++)
		if (*s != '_')
			buf[n++] = *s;
	if (*s != '\0')
		return false;
	buf[n] = '\0';
	s = buf;
	if (*s == '+' || *s == '-')
		s++;
	for (; *s >= '0' && *s <= '9'; s++)
		digits++;
	if (*s == '.')
		for (s++; *s >= '0' && *s <= '9'; s++)
			digits++;
	if (digits == 0)
		return false;
	if (*s == 'e' || *s == 'E') {
		s++;
		if (*s == '+' || *s == '-')
			s++;
		if (*s < '0' || *s > '9')
			return false;
		while (*s >= '0' && *s <= '9')
			s++;
	}
	if (*s != '\0')
		return false;
	*out = strtod(buf, &end);
	return *end == '\0' && isfinite(*out);
}

static const char *const yaml_nulls[] = { "", "~", "null", "Null", "NULL", NULL };
static const char *const yaml_trues[] = { "y", "Y", "yes", "Yes", "YES",
	"true", "True", "TRUE", "on", "On", "ON", NULL };
static const char *const yaml_falses[] = { "n", "N", "no", "No", "NO",
	"false", "False", "FALSE", "off", "Off", "OFF", NULL };
static const char *const yaml_specials[] = { ".inf", ".Inf", ".INF",
	"+.inf", "+.Inf", "+.INF", "-.inf", "-.Inf", "-.INF",
	".nan", ".NaN", ".NAN", NULL };

/*
 * Whether a plain scalar can be anything but a string: every null, bool
 * and special word above is at most 5 bytes and starts with one of these
 * (or is empty); a number starts with a digit, sign or dot. Most keys and
 * values ("name", "ingress", "app") are strings at the first byte, with no
 * 40 string comparisons.
 */
static bool plain_maybe_typed(const char *s, size_t len)
{
	if (len == 0 || (s[0] >= '0' && s[0] <= '9') || s[0] == '-' ||
			s[0] == '+' || s[0] == '.')
		return true;
	return len <= 5 && strchr("~nNyYtTfFoO", s[0]) != NULL;
}

/* A plain scalar, resolved. *bad is set for values JSON cannot hold. */
static json_t *resolve_plain(const char *s, size_t len, bool *bad)
{
	/* No word of the lists is longer than 5 or starts with a digit. */
	bool word = len <= 5 && !(s[0] >= '0' && s[0] <= '9');
	long long i;
	double d;

	if (!plain_maybe_typed(s, len))
		return json_stringn(s, len);
	if (word && is_one_of(s, yaml_nulls))
		return json_null();
	if (word && is_one_of(s, yaml_trues))
		return json_true();
	if (word && is_one_of(s, yaml_falses))
		return json_false();
	if (word && is_one_of(s, yaml_specials)) {
		*bad = true;
		return NULL;
	}
	if ((s[0] >= '0' && s[0] <= '9') || s[0] == '-' || s[0] == '+' ||
			s[0] == '.') {
		if (parse_int(s, &i))
			return json_integer(i);
		if (parse_float(s, &d))
			return json_real(d);
	}
	return json_stringn(s, len);
}

/* A scalar event's value (ints, bools... per tag, style and YAML 1.1). */
static json_t *scalar_value(struct yl *y, const yaml_event_t *ev)
{
	const char *s = (const char *)ev->data.scalar.value;
	size_t len = ev->data.scalar.length;
	const char *tag = (const char *)ev->data.scalar.tag;
	bool bad = false;
	json_t *v = NULL;
	long long i;
	double d;

	if (strlen(s) != len) {
		fail(y, ev->start_mark, "%sNUL characters are not allowed", "");
		return NULL;
	}
	if (tag != NULL && strcmp(tag, YAML_STR_TAG) == 0)
		v = json_stringn(s, len);
	else if (tag != NULL && strcmp(tag, YAML_INT_TAG) == 0)
		v = parse_int(s, &i) ? json_integer(i) : (bad = true, NULL);
	else if (tag != NULL && strcmp(tag, YAML_FLOAT_TAG) == 0)
		v = parse_float(s, &d) ? json_real(d) : (bad = true, NULL);
	else if (tag != NULL && strcmp(tag, YAML_BOOL_TAG) == 0)
		v = is_one_of(s, yaml_trues) ? json_true() :
			is_one_of(s, yaml_falses) ? json_false() :
			(bad = true, NULL);
	else if (tag != NULL && strcmp(tag, YAML_NULL_TAG) == 0)
		v = json_null();
	else if (ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
			(tag == NULL || strcmp(tag, "!") != 0))
		v = resolve_plain(s, len, &bad);
	else
		v = json_stringn(s, len);
	if (bad)
		fail(y, ev->start_mark, "value \"%s\" cannot be represented in JSON",
				s);
	else if (v == NULL)
		nomem(y);
	return v;
}

/* A mapping key as Kubernetes sees it: scalars become their string form. */
static char *key_string(struct yl *y, const yaml_event_t *ev)
{
	const char *s = (const char *)ev->data.scalar.value;
	size_t len = ev->data.scalar.length;
	char buf[64];
	char *k = NULL;
	json_t *v;

	/* An untagged key that stays a string: copied, no JSON value made. */
	if (ev->data.scalar.tag == NULL && strlen(s) == len &&
			(ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE ||
			!plain_maybe_typed(s, len))) {
		if ((k = strdup(s)) == NULL)
			nomem(y);
		return k;
	}
	if ((v = scalar_value(y, ev)) == NULL)
		return NULL;
	if (json_is_string(v))
		k = strdup(json_string_value(v));
	else if (json_is_integer(v))
		snprintf(buf, sizeof(buf), "%lld", (long long)json_integer_value(v));
	else if (json_is_real(v))
		snprintf(buf, sizeof(buf), "%.17g", json_real_value(v));
	else if (json_is_boolean(v))
		snprintf(buf, sizeof(buf), "%s", json_is_true(v) ? "true" : "false");
	else
		snprintf(buf, sizeof(buf), "null");
	if (!json_is_string(v))
		k = strdup(buf);
	json_decref(v);
	if (k == NULL)
		nomem(y);
	return k;
}

/* ---- nodes ---- */

/* Nodes of a tree, stopping early past limit. */
static uint64_t count_nodes(const json_t *v, uint64_t limit)
{
	uint64_t n = 1;
	const char *k;
	const json_t *c;
	size_t i;

	if (json_is_object(v)) {
		json_object_foreach((json_t *)v, k, c) {
			n += count_nodes(c, limit);
			if (n > limit)
				return n;
		}
	} else if (json_is_array(v)) {
		json_array_foreach(v, i, c) {
			n += count_nodes(c, limit);
			if (n > limit)
				return n;
		}
	}
	return n;
}

static struct frame *top(struct yl *y)
{
	return y->depth > 0 ? &y->stack[y->depth - 1] : NULL;
}

/*
 * A node starts: work out its pointer and record its position. Returns
 * the path length to restore when it ends.
 */
static int node_begin(struct yl *y, yaml_mark_t mark, size_t *saved)
{
	struct frame *f = top(y);
	int rc = 0;

	*saved = y->path_len;
	if (f == NULL) {
		if (y->have_root)
			return fail(y, mark, "%smore than one root node", "");
		return pos_record(y, mark) ? nomem(y) : 0;
	}
	if (y->depth > y->pos_depth)
		return 0;       /* no position kept: no pointer needed */
	if (json_is_array(f->node)) {
		rc = path_push_idx(y, json_array_size(f->node));
	} else {
		rc = path_push_key(y, f->key);
		mark = f->key_mark;
	}
	if (rc == 0)
		rc = pos_record(y, mark);
	return rc ? nomem(y) : 0;
}

static int register_anchor(struct yl *y, const char *anchor, json_t *v)
{
	if (anchor == NULL)
		return 0;
	return json_object_set(y->anchors, anchor, v) ? nomem(y) : 0;
}

/* Add a `<<` value: a mapping, or a sequence of mappings. */
static int add_merge(struct yl *y, struct frame *f, json_t *v,
		yaml_mark_t mark)
{
	size_t i;
	json_t *m;

	if (json_is_array(v)) {
		json_array_foreach(v, i, m)
			if (!json_is_object(m))
				return fail(y, mark, "%s<< merges only mappings", "");
	} else if (!json_is_object(v)) {
		return fail(y, mark, "%s<< merges only mappings", "");
	}
	if (f->merges == NULL && (f->merges = json_array()) == NULL)
		return nomem(y);
	if (json_is_array(v))
		return json_array_extend(f->merges, v) ? nomem(y) : 0;
	return json_array_append(f->merges, v) ? nomem(y) : 0;
}

/* A node ends: put it into its parent (or make it the root). Steals v. */
static int node_end(struct yl *y, json_t *v, size_t saved, yaml_mark_t mark)
{
	struct frame *f = top(y);
	int rc = 0;

	path_pop(y, saved);
	if (f == NULL) {
		y->root = v;
		y->have_root = true;
		return 0;
	}
	if (json_is_array(f->node)) {
		rc = json_array_append_new(f->node, v) ? nomem(y) : 0;
	} else if (f->key_is_merge) {
		rc = add_merge(y, f, v, mark);
		json_decref(v);
	} else if (json_object_get(f->node, f->key) != NULL) {
		rc = fail(y, f->key_mark, "duplicate key \"%s\"", f->key);
		json_decref(v);
	} else {
		rc = json_object_set_new(f->node, f->key, v) ? nomem(y) : 0;
	}
	if (json_is_object(f->node)) {
		free(f->key);
		f->key = NULL;
		f->has_key = false;
		f->key_is_merge = false;
	}
	return rc;
}

/* In a mapping waiting for a key, a scalar is that key. */
static bool wants_key(struct yl *y)
{
	struct frame *f = top(y);

	return f != NULL && json_is_object(f->node) && !f->has_key;
}

static int on_key(struct yl *y, const yaml_event_t *ev)
{
	struct frame *f = top(y);

	if (ev->type != YAML_SCALAR_EVENT)
		return fail(y, ev->start_mark, "%scomplex mapping keys are not supported",
				"");
	f->key_is_merge = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
		ev->data.scalar.tag == NULL &&
		strcmp((const char *)ev->data.scalar.value, "<<") == 0;
	f->key = key_string(y, ev);
	if (f->key == NULL)
		return -EINVAL;
	f->has_key = true;
	f->key_mark = ev->start_mark;
	return 0;
}

static int on_scalar(struct yl *y, const yaml_event_t *ev)
{
	size_t saved;
	json_t *v;
	int rc;

	if (wants_key(y))
		return on_key(y, ev);
	rc = node_begin(y, ev->start_mark, &saved);
	if (rc < 0)
		return rc;
	v = scalar_value(y, ev);
	if (v == NULL)
		return -EINVAL;
	y->n_nodes++;
	rc = register_anchor(y, (const char *)ev->data.scalar.anchor, v);
	if (rc < 0) {
		json_decref(v);
		return rc;
	}
	return node_end(y, v, saved, ev->start_mark);
}

static int on_alias(struct yl *y, const yaml_event_t *ev)
{
	const char *name = (const char *)ev->data.alias.anchor;
	json_t *target = json_object_get(y->anchors, name);
	size_t saved;
	json_t *v;
	int rc;

	if (wants_key(y))
		return fail(y, ev->start_mark, "%saliases as keys are not supported",
				"");
	if (target == NULL)
		return fail(y, ev->start_mark, "unknown anchor \"%s\"", name);
	y->n_nodes += count_nodes(target, MANIFEST_NODES_MAX);
	if (y->n_nodes > MANIFEST_NODES_MAX)
		return fail(y, ev->start_mark, "%saliases expand to too many nodes",
				"");
	rc = node_begin(y, ev->start_mark, &saved);
	if (rc < 0)
		return rc;
	v = json_deep_copy(target);
	if (v == NULL)
		return nomem(y);
	return node_end(y, v, saved, ev->start_mark);
}

static int on_open(struct yl *y, const yaml_event_t *ev)
{
	bool seq = ev->type == YAML_SEQUENCE_START_EVENT;
	const yaml_char_t *anchor = seq ? ev->data.sequence_start.anchor :
		ev->data.mapping_start.anchor;
	struct frame *f;
	size_t saved;
	int rc;

	if (wants_key(y))
		return on_key(y, ev);
	if (y->depth == MANIFEST_DEPTH_MAX)
		return fail(y, ev->start_mark, "%snested too deeply", "");
	rc = node_begin(y, ev->start_mark, &saved);
	if (rc < 0)
		return rc;
	f = &y->stack[y->depth];
	memset(f, 0, sizeof(*f));
	f->path_len = saved;
	f->node = seq ? json_array() : json_object();
	if (f->node == NULL)
		return nomem(y);
	if (anchor != NULL && (f->anchor = strdup((const char *)anchor)) == NULL) {
		json_decref(f->node);
		return nomem(y);
	}
	y->depth++;
	y->n_nodes++;
	return 0;
}

/* Apply `<<` sources: keys not set explicitly, earlier sources first. */
static int apply_merges(struct yl *y, struct frame *f)
{
	size_t i;
	json_t *src, *v;
	const char *k;

	json_array_foreach(f->merges, i, src) {
		json_object_foreach(src, k, v) {
			if (json_object_get(f->node, k) == NULL &&
					json_object_set(f->node, k, v))
				return nomem(y);
		}
	}
	return 0;
}

static void frame_free(struct frame *f)
{
	json_decref(f->node);
	json_decref(f->merges);
	free(f->anchor);
	free(f->key);
	memset(f, 0, sizeof(*f));
}

static int on_close(struct yl *y, const yaml_event_t *ev)
{
	struct frame *f = top(y);
	json_t *v = f->node;
	size_t saved = f->path_len;
	int rc = 0;

	if (f->merges != NULL)
		rc = apply_merges(y, f);
	if (rc == 0)
		rc = register_anchor(y, f->anchor, v);
	f->node = NULL;
	frame_free(f);
	y->depth--;
	if (rc < 0) {
		json_decref(v);
		return rc;
	}
	return node_end(y, v, saved, ev->start_mark);
}

/* ---- documents ---- */

static void doc_reset(struct yl *y)
{
	while (y->depth > 0)
		frame_free(&y->stack[--y->depth]);
	json_decref(y->root);
	json_decref(y->pos);
	json_decref(y->anchors);
	y->root = y->pos = y->anchors = NULL;
	y->have_root = false;
	y->n_nodes = 0;
	path_pop(y, 0);
}

static int on_doc_start(struct yl *y, const yaml_event_t *ev)
{
	doc_reset(y);
	y->pos = json_object();
	y->anchors = json_object();
	y->doc_line = (uint32_t)ev->start_mark.line + 1;
	return y->pos && y->anchors ? 0 : nomem(y);
}

static int on_doc_end(struct yl *y)
{
	struct manifest_doc *d = realloc(y->docs, (y->n_docs + 1) * sizeof(*d));

	if (d == NULL)
		return nomem(y);
	y->docs = d;
	d += y->n_docs++;
	d->root = y->root;
	d->pos = y->pos;
	d->line = y->doc_line;
	y->root = y->pos = NULL;
	doc_reset(y);
	return 0;
}

static int on_event(struct yl *y, const yaml_event_t *ev)
{
	switch (ev->type) {
	case YAML_DOCUMENT_START_EVENT:
		return on_doc_start(y, ev);
	case YAML_DOCUMENT_END_EVENT:
		return on_doc_end(y);
	case YAML_SCALAR_EVENT:
		return on_scalar(y, ev);
	case YAML_ALIAS_EVENT:
		return on_alias(y, ev);
	case YAML_SEQUENCE_START_EVENT:
	case YAML_MAPPING_START_EVENT:
		return on_open(y, ev);
	case YAML_SEQUENCE_END_EVENT:
	case YAML_MAPPING_END_EVENT:
		return on_close(y, ev);
	default:
		return 0;
	}
}

static int parser_fail(struct yl *y, const yaml_parser_t *p)
{
	const char *what = p->problem ? p->problem : "syntax error";

	if (p->context != NULL)
		return manifest_err_loc(y->err, EINVAL, y->source,
				(uint32_t)p->problem_mark.line + 1,
				(uint32_t)p->problem_mark.column + 1,
				"YAML: %s %s (line %zu)", what, p->context,
				p->context_mark.line + 1);
	return manifest_err_loc(y->err, EINVAL, y->source,
			(uint32_t)p->problem_mark.line + 1,
			(uint32_t)p->problem_mark.column + 1, "YAML: %s", what);
}

void manifest_docs_free(struct manifest_doc *docs, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++) {
		json_decref(docs[i].root);
		json_decref(docs[i].pos);
	}
	free(docs);
}

int manifest_yaml_parse(const char *source, const char *buf, size_t len,
		struct manifest_doc **docs, uint32_t *n_docs, struct ctl_err *err)
{
	return manifest_yaml_parse_depth(source, buf, len, UINT32_MAX, docs,
			n_docs, err);
}

int manifest_yaml_parse_depth(const char *source, const char *buf,
		size_t len, uint32_t pos_depth, struct manifest_doc **docs,
		uint32_t *n_docs, struct ctl_err *err)
{
	struct yl *y = calloc(1, sizeof(*y));
	yaml_parser_t p;
	yaml_event_t ev;
	bool done = false;
	int rc = 0;

	if (y == NULL)
		return manifest_err_loc(err, ENOMEM, source, 0, 0, "out of memory");
	y->pos_depth = pos_depth;
	y->source = source;
	y->err = err;
	yaml_parser_initialize(&p);
	yaml_parser_set_input_string(&p, (const unsigned char *)buf, len);
	while (rc == 0 && !done) {
		if (!yaml_parser_parse(&p, &ev)) {
			rc = parser_fail(y, &p);
			break;
		}
		done = ev.type == YAML_STREAM_END_EVENT;
		rc = on_event(y, &ev);
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&p);
	doc_reset(y);
	free(y->path);
	if (rc < 0) {
		manifest_docs_free(y->docs, y->n_docs);
	} else {
		*docs = y->docs;
		*n_docs = y->n_docs;
	}
	free(y);
	return rc;
}
