/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * manifest_check.c: the pieces every kind's validator uses: the context
 * that formats located errors, typed member access, the Kubernetes name
 * formats (k8s.io/apimachinery/pkg/util/validation), IP and CIDR parsing
 * (strict, as with StrictIPCIDRValidation), labels and label selectors
 * (apimachinery's meta/v1/validation).
 *
 * Thread-safety: none; a context belongs to one load.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl_cmds.h"
#include "manifest_priv.h"

/* ---- context and errors ---- */

void manifest_ctx_init(struct manifest_ctx *c, const char *source, const json_t *pos,
		const char *base, struct ctl_err *err)
{
	memset(c, 0, sizeof(*c));
	c->source = source;
	c->pos = pos;
	c->base = base != NULL ? base : "";
	c->err = err;
}

static size_t path_add(struct manifest_ctx *c, const char *seg)
{
	size_t old = c->path_len;
	size_t n = strlen(seg);

	if (c->path_len + n + 1 < sizeof(c->path)) {
		memcpy(c->path + c->path_len, seg, n + 1);
		c->path_len += n;
	}
	return old;
}

/* Append n bytes of seg when they fit (with the NUL), as path_add(). */
static void path_addn(struct manifest_ctx *c, const char *seg, size_t n)
{
	if (c->path_len + n + 1 < sizeof(c->path)) {
		memcpy(c->path + c->path_len, seg, n);
		c->path_len += n;
		c->path[c->path_len] = '\0';
	}
}

size_t manifest_push(struct manifest_ctx *c, const char *key)
{
	size_t old = path_add(c, "/");

	for (const char *k = key; *k != '\0'; k++) {
		if (*k == '~')
			path_addn(c, "~0", 2);
		else if (*k == '/')
			path_addn(c, "~1", 2);
		else
			path_addn(c, k, 1);
	}
	return old;
}

/* "/idx" without snprintf: every element of every array comes here. */
size_t manifest_push_idx(struct manifest_ctx *c, size_t idx)
{
	char seg[24];
	size_t i = sizeof(seg);
	size_t old = c->path_len;

	do {
		seg[--i] = (char)('0' + idx % 10);
		idx /= 10;
	} while (idx > 0);
	seg[--i] = '/';
	path_addn(c, seg + i, sizeof(seg) - i);
	return old;
}

void manifest_pop(struct manifest_ctx *c, size_t len)
{
	c->path_len = len;
	c->path[len] = '\0';
}

bool manifest_pos_lookup(const json_t *pos, const char *ptr, uint32_t *line,
		uint32_t *col)
{
	char buf[MANIFEST_PATH_MAX + 256];
	const json_t *v;
	char *slash;

	if (pos == NULL)
		return false;
	snprintf(buf, sizeof(buf), "%s", ptr);
	for (;;) {
		v = json_object_get(pos, buf);
		if (v != NULL) {
			*line = MANIFEST_POS_LINE(json_integer_value(v));
			*col = MANIFEST_POS_COL(json_integer_value(v));
			return true;
		}
		slash = strrchr(buf, '/');
		if (slash == NULL)
			return false;
		*slash = '\0';
	}
}

/* Copy with truncation; a cut message ends in "..." */
static void copy_trunc(char *dst, size_t size, const char *src)
{
	size_t n = strlen(src);

	if (n < size) {
		memcpy(dst, src, n + 1);
		return;
	}
	memcpy(dst, src, size - 1);
	dst[size - 1] = '\0';
	if (size > 4)
		memcpy(dst + size - 4, "...", 3);
}

static void set_err(struct ctl_err *err, int code, const char *where,
		const char *msg)
{
	if (err == NULL)
		return;
	err->code = code;
	copy_trunc(err->msg, sizeof(err->msg), msg);
	copy_trunc(err->where, sizeof(err->where), where ? where : "");
}

int manifest_err_loc(struct ctl_err *err, int code, const char *source,
		uint32_t line, uint32_t col, const char *fmt, ...)
{
	char text[512], msg[768];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	if (line > 0)
		snprintf(msg, sizeof(msg), "%s:%u:%u: %s", source, line, col, text);
	else
		snprintf(msg, sizeof(msg), "%s: %s", source, text);
	set_err(err, code, NULL, msg);
	return -code;
}

/* "NetworkPolicy default/web", "Namespace x", "Pod (no name)". */
static void obj_label(const struct manifest_ctx *c, char *buf, size_t size)
{
	const char *kind = c->kind ? c->kind : "object";

	if (c->name == NULL)
		snprintf(buf, size, "%s (no name)", kind);
	else if (c->ns != NULL)
		snprintf(buf, size, "%s %s/%s", kind, c->ns, c->name);
	else
		snprintf(buf, size, "%s %s", kind, c->name);
}

static int fail_v(struct manifest_ctx *c, const char *fmt, va_list ap)
{
	char text[384], obj[320], where[MANIFEST_PATH_MAX + 256], loc[64] = "";
	char msg[1024];
	uint32_t line, col;
	int n;

	vsnprintf(text, sizeof(text), fmt, ap);
	obj_label(c, obj, sizeof(obj));
	snprintf(where, sizeof(where), "%s%s", c->base, c->path);
	if (manifest_pos_lookup(c->pos, where, &line, &col))
		snprintf(loc, sizeof(loc), ":%u:%u", line, col);
	if (c->path_len > 0)
		n = snprintf(msg, sizeof(msg), "%s%s: %s: %s: %s", c->source, loc,
				obj, c->path, text);
	else
		n = snprintf(msg, sizeof(msg), "%s%s: %s: %s", c->source, loc, obj,
				text);
	if (n < 0)
		msg[0] = '\0';
	set_err(c->err, EINVAL, c->path, msg);
	return -EINVAL;
}

int manifest_fail(struct manifest_ctx *c, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = fail_v(c, fmt, ap);
	va_end(ap);
	return rc;
}

int manifest_fail_at(struct manifest_ctx *c, const char *key, const char *fmt, ...)
{
	size_t saved = manifest_push(c, key);
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = fail_v(c, fmt, ap);
	va_end(ap);
	manifest_pop(c, saved);
	return rc;
}

int manifest_nomem(struct manifest_ctx *c)
{
	set_err(c->err, ENOMEM, c->path, "out of memory");
	return -ENOMEM;
}

int manifest_strdup(struct manifest_ctx *c, const char *s, char **out)
{
	*out = strdup(s);
	return *out == NULL ? manifest_nomem(c) : 0;
}

/* ---- typed access ---- */

const char *manifest_type_name(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT: return "object";
	case JSON_ARRAY: return "array";
	case JSON_STRING: return "string";
	case JSON_INTEGER: return "integer";
	case JSON_REAL: return "number";
	case JSON_TRUE:
	case JSON_FALSE: return "boolean";
	default: return "null";
	}
}

int manifest_only(struct manifest_ctx *c, const json_t *obj, const char *const *allowed)
{
	const char *k;
	const json_t *v;
	const char *const *a;

	json_object_foreach((json_t *)obj, k, v) {
		for (a = allowed; *a != NULL && strcmp(*a, k) != 0; a++)
			;
		if (*a == NULL)
			return manifest_fail_at(c, k, "unknown field \"%s\"", k);
	}
	return 0;
}

/* The member, or NULL when absent or null (Go decodes null as unset). */
static const json_t *member(const json_t *obj, const char *key)
{
	const json_t *v = json_object_get(obj, key);

	return v == NULL || json_is_null(v) ? NULL : v;
}

/* YAML 1.1 (Kubernetes' reader) turns plain y, n, yes, no, on, off... into booleans. */
#define BOOL_HINT " (YAML reads y/n/yes/no/on/off as booleans: quote it)"

static int wrong_type(struct manifest_ctx *c, const char *key, const char *want,
		const json_t *v)
{
	bool hint = json_is_boolean(v) && strcmp(want, "a string") == 0;

	return manifest_fail_at(c, key, "must be %s, not %s%s", want, manifest_type_name(v),
			hint ? BOOL_HINT : "");
}

int manifest_get_obj(struct manifest_ctx *c, const json_t *obj, const char *key,
		const json_t **out)
{
	const json_t *v = member(obj, key);

	if (v == NULL)
		return 0;
	if (!json_is_object(v))
		return wrong_type(c, key, "an object", v);
	*out = v;
	return 1;
}

int manifest_get_arr(struct manifest_ctx *c, const json_t *obj, const char *key,
		const json_t **out)
{
	const json_t *v = member(obj, key);

	if (v == NULL)
		return 0;
	if (!json_is_array(v))
		return wrong_type(c, key, "an array", v);
	*out = v;
	return 1;
}

int manifest_get_str(struct manifest_ctx *c, const json_t *obj, const char *key,
		const char **out)
{
	const json_t *v = member(obj, key);

	if (v == NULL)
		return 0;
	if (!json_is_string(v))
		return wrong_type(c, key, "a string", v);
	*out = json_string_value(v);
	return 1;
}

/* Integers; integral reals too (YAML 80.0 reaches the API server as 80). */
int manifest_get_int(struct manifest_ctx *c, const json_t *obj, const char *key,
		long long *out)
{
	const json_t *v = member(obj, key);
	double d;

	if (v == NULL)
		return 0;
	if (json_is_integer(v)) {
		*out = json_integer_value(v);
		return 1;
	}
	if (json_is_real(v)) {
		d = json_real_value(v);
		if (d == floor(d) && fabs(d) < 9e15) {
			*out = (long long)d;
			return 1;
		}
	}
	return wrong_type(c, key, "an integer", v);
}

/* ---- Kubernetes formats ---- */

static bool is_alnum_lc(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9');
}

static bool is_alnum(char ch)
{
	return isascii((unsigned char)ch) && isalnum((unsigned char)ch);
}

/* [a-z0-9]([-a-z0-9]*[a-z0-9])? over s[0..n) */
static bool dns_label_ok(const char *s, size_t n)
{
	if (n == 0 || !is_alnum_lc(s[0]) || !is_alnum_lc(s[n - 1]))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!is_alnum_lc(s[i]) && s[i] != '-')
			return false;
	return true;
}

#define DNS_LABEL_MSG "a lowercase RFC 1123 label must consist of lower case " \
	"alphanumeric characters or '-', and must start and end with an " \
	"alphanumeric character (e.g. 'my-name')"
#define DNS_SUBDOMAIN_MSG "a lowercase RFC 1123 subdomain must consist of " \
	"lower case alphanumeric characters, '-' or '.', and must start and " \
	"end with an alphanumeric character (e.g. 'example.com')"

const char *manifest_bad_dns_label(const char *s)
{
	size_t n = strlen(s);

	if (n > 63)
		return "must be no more than 63 characters";
	return dns_label_ok(s, n) ? NULL : DNS_LABEL_MSG;
}

const char *manifest_bad_dns_subdomain(const char *s)
{
	size_t n = strlen(s);
	const char *p = s, *dot;

	if (n > 253)
		return "must be no more than 253 characters";
	for (;;) {
		dot = strchr(p, '.');
		if (!dns_label_ok(p, dot ? (size_t)(dot - p) : strlen(p)))
			return DNS_SUBDOMAIN_MSG;
		if (dot == NULL)
			return NULL;
		p = dot + 1;
	}
}

/* ([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9] */
static bool name_part_ok(const char *s, size_t n)
{
	if (n == 0 || !is_alnum(s[0]) || !is_alnum(s[n - 1]))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!is_alnum(s[i]) && s[i] != '-' && s[i] != '_' && s[i] != '.')
			return false;
	return true;
}

const char *manifest_bad_qualified_name(const char *s)
{
	const char *slash = strchr(s, '/');
	const char *name = slash ? slash + 1 : s;
	static char prefix_msg[320];

	if (slash != NULL) {
		char prefix[300];
		size_t plen = (size_t)(slash - s);

		if (strchr(name, '/') != NULL)
			return "a qualified name must consist of alphanumeric " \
				"characters, '-', '_' or '.', and must start and end " \
				"with an alphanumeric character, with an optional DNS " \
				"subdomain prefix and '/' (e.g. 'example.com/MyName')";
		if (plen == 0)
			return "prefix part must be non-empty";
		if (plen >= sizeof(prefix))
			return "prefix part must be no more than 253 characters";
		memcpy(prefix, s, plen);
		prefix[plen] = '\0';
		if (manifest_bad_dns_subdomain(prefix) != NULL) {
			snprintf(prefix_msg, sizeof(prefix_msg), "prefix part %s",
					manifest_bad_dns_subdomain(prefix));
			return prefix_msg;
		}
	}
	if (*name == '\0')
		return "name part must be non-empty";
	if (strlen(name) > 63)
		return "name part must be no more than 63 characters";
	if (!name_part_ok(name, strlen(name)))
		return "name part must consist of alphanumeric characters, '-', " \
			"'_' or '.', and must start and end with an alphanumeric " \
			"character (e.g. 'MyName', 'my.name' or '123-abc')";
	return NULL;
}

const char *manifest_bad_label_value(const char *s)
{
	size_t n = strlen(s);

	if (n > 63)
		return "must be no more than 63 characters";
	if (n > 0 && !name_part_ok(s, n))
		return "a valid label must be an empty string or consist of " \
			"alphanumeric characters, '-', '_' or '.', and must start " \
			"and end with an alphanumeric character (e.g. 'MyValue', " \
			"'my_value' or '12345')";
	return NULL;
}

const char *manifest_bad_port_name(const char *s)
{
	size_t n = strlen(s);
	bool letter = false;

	if (n > 15)
		return "must be no more than 15 characters";
	for (size_t i = 0; i < n; i++) {
		if (!is_alnum_lc(s[i]) && s[i] != '-')
			return "must contain only alpha-numeric characters (a-z, " \
				"0-9), and hyphens (-)";
		letter |= s[i] >= 'a' && s[i] <= 'z';
	}
	if (!letter)
		return "must contain at least one letter (a-z)";
	if (strstr(s, "--") != NULL)
		return "must not contain consecutive hyphens";
	if (s[0] == '-' || s[n - 1] == '-')
		return "must not begin or end with a hyphen";
	return NULL;
}

/* ---- addresses ---- */

static const uint8_t v4_mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

const char *manifest_parse_ip(const char *s, struct acl_addr *out)
{
	memset(out, 0, sizeof(*out));
	if (strchr(s, ':') == NULL) {
		if (inet_pton(AF_INET, s, out->addr) != 1)
			return "must be a valid IP address, with no leading 0s " \
				"(e.g. 10.9.8.7 or 2001:db8::ffff)";
		out->family = ACL_AF_INET;
		return NULL;
	}
	if (inet_pton(AF_INET6, s, out->addr) != 1)
		return "must be a valid IP address (e.g. 10.9.8.7 or 2001:db8::ffff)";
	if (memcmp(out->addr, v4_mapped, sizeof(v4_mapped)) == 0)
		return "must not be an IPv4-mapped IPv6 address";
	out->family = ACL_AF_INET6;
	return NULL;
}

static bool host_bits_zero(const uint8_t *a, unsigned int len, unsigned int bits)
{
	for (unsigned int b = len; b < bits; b++)
		if (a[b / 8] & (0x80u >> (b % 8)))
			return false;
	return true;
}

const char *manifest_parse_cidr(const char *s, struct acl_prefix *out)
{
	const char *slash = strrchr(s, '/');
	char ip[64];
	struct acl_addr a;
	unsigned long len = 0, bits;
	const char *why;

	memset(out, 0, sizeof(*out));
	if (slash == NULL || (size_t)(slash - s) >= sizeof(ip) ||
			slash[1] == '\0' || strspn(slash + 1, "0123456789") !=
			strlen(slash + 1) || strlen(slash + 1) > 3)
		return "must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)";
	if (slash[1] == '0' && slash[2] != '\0')
		return "must not have leading 0s in IP or prefix length";
	memcpy(ip, s, (size_t)(slash - s));
	ip[slash - s] = '\0';
	why = manifest_parse_ip(ip, &a);
	if (why != NULL)
		return strstr(why, "IPv4-mapped") ? "must not have an IPv4-mapped " \
			"IPv6 address" : "must be a valid CIDR value, (e.g. " \
			"10.9.8.0/24 or 2001:db8::/64)";
	len = strtoul(slash + 1, NULL, 10);
	bits = a.family == ACL_AF_INET ? 32 : 128;
	if (len > bits)
		return "must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)";
	if (!host_bits_zero(a.addr, (unsigned int)len, (unsigned int)bits))
		return "must not have bits set beyond the prefix length";
	out->family = a.family;
	out->len = (uint8_t)len;
	memcpy(out->addr, a.addr, sizeof(out->addr));
	return NULL;
}

bool manifest_prefix_strict_subset(const struct acl_prefix *a,
		const struct acl_prefix *b)
{
	if (a->family != b->family || b->len <= a->len)
		return false;
	for (unsigned int i = 0; i < a->len; i++) {
		uint8_t m = 0x80u >> (i % 8);

		if ((a->addr[i / 8] & m) != (b->addr[i / 8] & m))
			return false;
	}
	return true;
}

/* ---- protocols ---- */

uint8_t manifest_proto(const char *s)
{
	if (strcmp(s, "TCP") == 0)
		return ACL_PROTO_TCP;
	if (strcmp(s, "UDP") == 0)
		return ACL_PROTO_UDP;
	if (strcmp(s, "SCTP") == 0)
		return ACL_PROTO_SCTP;
	return 0;
}

const char *manifest_proto_str(uint8_t proto)
{
	switch (proto) {
	case ACL_PROTO_TCP: return "TCP";
	case ACL_PROTO_UDP: return "UDP";
	case ACL_PROTO_SCTP: return "SCTP";
	default: return "?";
	}
}

/* ---- labels and selectors ---- */

int manifest_labels(struct manifest_ctx *c, const json_t *obj, const char *key,
		struct acl_labels *out)
{
	const json_t *map, *v;
	const char *k, *why;
	size_t saved;
	int rc = manifest_get_obj(c, obj, key, &map);

	if (rc <= 0)
		return rc;
	if (json_object_size(map) == 0)
		return 1;
	saved = manifest_push(c, key);
	out->v = calloc(json_object_size(map), sizeof(*out->v));
	if (out->v == NULL)
		return manifest_nomem(c);
	json_object_foreach((json_t *)map, k, v) {
		if ((why = manifest_bad_qualified_name(k)) != NULL)
			return manifest_fail_at(c, k, "invalid label key: %s", why);
		if (!json_is_string(v))
			return manifest_fail_at(c, k, "label value must be a string, not %s%s",
					manifest_type_name(v), json_is_boolean(v) ? BOOL_HINT : "");
		if ((why = manifest_bad_label_value(json_string_value(v))) != NULL)
			return manifest_fail_at(c, k, "invalid label value \"%s\": %s",
					json_string_value(v), why);
		struct acl_label *l = &out->v[out->n++];

		if ((rc = manifest_strdup(c, k, &l->key)) < 0 ||
				(rc = manifest_strdup(c, json_string_value(v), &l->value)) < 0)
			return rc;
	}
	manifest_pop(c, saved);
	return 1;
}

static const char *const expr_fields[] = { "key", "operator", "values", NULL };
static const char *const selector_fields[] = { "matchLabels",
	"matchExpressions", NULL };

static int sel_op(struct manifest_ctx *c, const json_t *e, enum acl_sel_op *op)
{
	const char *s;
	int rc = manifest_get_str(c, e, "operator", &s);

	if (rc == 0)
		return manifest_fail_at(c, "operator", "required value: must be one of " \
				"In, NotIn, Exists, DoesNotExist");
	if (rc < 0)
		return rc;
	if (strcmp(s, "In") == 0)
		*op = ACL_SEL_IN;
	else if (strcmp(s, "NotIn") == 0)
		*op = ACL_SEL_NOT_IN;
	else if (strcmp(s, "Exists") == 0)
		*op = ACL_SEL_EXISTS;
	else if (strcmp(s, "DoesNotExist") == 0)
		*op = ACL_SEL_DOES_NOT_EXIST;
	else
		return manifest_fail_at(c, "operator", "\"%s\" is not a valid selector " \
				"operator (In, NotIn, Exists, DoesNotExist)", s);
	return 0;
}

static int sel_values(struct manifest_ctx *c, const json_t *e, struct acl_sel_expr *x)
{
	const json_t *vals = NULL, *v;
	bool set_op = x->op == ACL_SEL_IN || x->op == ACL_SEL_NOT_IN;
	size_t i, saved;
	const char *why;
	int rc = manifest_get_arr(c, e, "values", &vals);

	if (rc < 0)
		return rc;
	if (set_op && json_array_size(vals) == 0)
		return manifest_fail_at(c, "values", "required value: must be specified " \
				"when `operator` is 'In' or 'NotIn'");
	if (!set_op && json_array_size(vals) > 0)
		return manifest_fail_at(c, "values", "forbidden: may not be specified " \
				"when `operator` is 'Exists' or 'DoesNotExist'");
	if (!set_op)
		return 0;
	x->values = calloc(json_array_size(vals), sizeof(*x->values));
	if (x->values == NULL)
		return manifest_nomem(c);
	saved = manifest_push(c, "values");
	json_array_foreach(vals, i, v) {
		size_t s2 = manifest_push_idx(c, i);

		if (!json_is_string(v))
			return manifest_fail(c, "must be a string, not %s%s", manifest_type_name(v),
					json_is_boolean(v) ? BOOL_HINT : "");
		if ((why = manifest_bad_label_value(json_string_value(v))) != NULL)
			return manifest_fail(c, "invalid label value \"%s\": %s",
					json_string_value(v), why);
		if ((rc = manifest_strdup(c, json_string_value(v), &x->values[i])) < 0)
			return rc;
		x->n_values++;
		manifest_pop(c, s2);
	}
	manifest_pop(c, saved);
	return 0;
}

static int sel_expr(struct manifest_ctx *c, const json_t *e, struct acl_sel_expr *x)
{
	const char *key = NULL, *why;
	int rc;

	if (!json_is_object(e))
		return manifest_fail(c, "must be an object, not %s", manifest_type_name(e));
	if ((rc = manifest_only(c, e, expr_fields)) < 0 || (rc = sel_op(c, e, &x->op)) < 0)
		return rc;
	if ((rc = sel_values(c, e, x)) < 0)
		return rc;
	if ((rc = manifest_get_str(c, e, "key", &key)) < 0)
		return rc;
	if (rc == 0)
		key = "";
	if ((why = manifest_bad_qualified_name(key)) != NULL)
		return manifest_fail_at(c, "key", "invalid label key \"%s\": %s", key, why);
	return manifest_strdup(c, key, &x->key);
}

int manifest_selector(struct manifest_ctx *c, const json_t *obj, const char *key,
		struct acl_selector *out)
{
	const json_t *sel, *exprs = NULL, *e;
	size_t saved, i;
	int rc = manifest_get_obj(c, obj, key, &sel);

	if (rc <= 0)
		return rc;
	saved = manifest_push(c, key);
	if ((rc = manifest_only(c, sel, selector_fields)) < 0 ||
			(rc = manifest_labels(c, sel, "matchLabels", &out->match_labels)) < 0 ||
			(rc = manifest_get_arr(c, sel, "matchExpressions", &exprs)) < 0)
		return rc;
	if (json_array_size(exprs) > 0) {
		out->exprs = calloc(json_array_size(exprs), sizeof(*out->exprs));
		if (out->exprs == NULL)
			return manifest_nomem(c);
		out->n_exprs = (uint32_t)json_array_size(exprs);
	}
	manifest_push(c, "matchExpressions");
	json_array_foreach(exprs, i, e) {
		size_t s2 = manifest_push_idx(c, i);

		if ((rc = sel_expr(c, e, &out->exprs[i])) < 0)
			return rc;
		manifest_pop(c, s2);
	}
	manifest_pop(c, saved);
	return 1;
}
