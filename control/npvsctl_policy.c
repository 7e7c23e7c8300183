/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * npvsctl_policy.c: npvsctl's cluster-state commands (docs/api.md):
 *
 *     npvsctl apply -f PATH [-f PATH]... [--dry-run]
 *     npvsctl delete -f PATH [-f PATH]... [--ignore-not-found] [--dry-run]
 *     npvsctl delete KIND NAME... [-n NS] [--ignore-not-found] [--dry-run]
 *     npvsctl get namespaces|pods|networkpolicies|endpoints|nodes [-n NS]
 *
 * PATH is a file, a directory (its *.yaml, *.yml, *.json, sorted, not
 * recursive, as kubectl) or "-" (standard input). npvsctl only reads the
 * files: every text goes to npvsd in one request ({"documents":
 * [{"source", "text"}...]}), so that one transaction covers them all and
 * npvsd's loader reports errors by file, line and column.
 *
 * Output: kubectl's lines ("pod/a created"), then the policy's generation
 * and how long it took to be live; get prints npvsd's table, or with
 * -o json / -o yaml the objects as stored, as a v1 List. The YAML printer
 * (libyaml's emitter) is also -o yaml of every other command.
 *
 * Thread-safety: npvsctl is single-threaded.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include <jansson.h>
#include <yaml.h>

#include "npvsctl.h"

#define FILES_MAX 4096          /* texts in one request (npvsd's limit) */

/* ---- reading manifests ---- */

/* Read a whole stream. @return the text (free it), or NULL with errno. */
static char *
read_all(FILE *f, size_t *len)
{
	size_t cap = 65536, n = 0, got;
	char *buf = malloc(cap), *p;

	while (buf != NULL) {
		got = fread(buf + n, 1, cap - n, f);
		n += got;
		if (n < cap) {
			if (ferror(f)) {
				free(buf);
				errno = EIO;
				return NULL;
			}
			*len = n;
			return buf;
		}
		p = realloc(buf, cap * 2);
		if (p == NULL)
			free(buf);
		buf = p;
		cap *= 2;
	}
	errno = ENOMEM;
	return NULL;
}

/* Append {"source", "text"} of one file ("-": standard input). */
static int
doc_add(json_t *docs, const char *path)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	const char *source = f == stdin ? "<stdin>" : path;
	json_t *text;
	size_t len;
	char *buf;

	if (f == NULL) {
		fprintf(stderr, "npvsctl: %s: %s\n", path, strerror(errno));
		return -1;
	}
	buf = read_all(f, &len);
	if (f != stdin)
		fclose(f);
	if (buf == NULL) {
		fprintf(stderr, "npvsctl: %s: %s\n", source, strerror(errno));
		return -1;
	}
	text = json_stringn(buf, len);
	free(buf);
	if (text == NULL) {
		fprintf(stderr, "npvsctl: %s: not UTF-8 text (or holds a NUL "
				"byte)\n", source);
		return -1;
	}
	if (json_array_size(docs) == FILES_MAX) {
		json_decref(text);
		fprintf(stderr, "npvsctl: more than %d files\n", FILES_MAX);
		return -1;
	}
	json_array_append_new(docs, json_pack("{s:s, s:o}", "source", source,
			"text", text));
	return 0;
}

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool
manifest_name(const char *n)
{
	size_t len = strlen(n);
	static const char *const sfx[] = { ".yaml", ".yml", ".json" };
	unsigned int i;

	for (i = 0; i < 3; i++)
		if (len > strlen(sfx[i]) &&
				strcmp(n + len - strlen(sfx[i]), sfx[i]) == 0)
			return true;
	return false;
}

/* The manifests of a directory, sorted by name, not recursive. */
static int
dir_add(json_t *docs, const char *path)
{
	struct dirent **ents;
	char file[4096];
	int n, i, rc = 0;

	n = scandir(path, &ents, NULL, NULL);
	if (n < 0) {
		fprintf(stderr, "npvsctl: %s: %s\n", path, strerror(errno));
		return -1;
	}
	qsort(ents, (size_t)n, sizeof(*ents), name_cmp);
	for (i = 0; i < n; i++) {
		if (rc == 0 && ents[i]->d_name[0] != '.' &&
				manifest_name(ents[i]->d_name)) {
			snprintf(file, sizeof(file), "%s%s%s", path,
					path[strlen(path) - 1] == '/' ? "" : "/",
					ents[i]->d_name);
			rc = doc_add(docs, file);
		}
		free(ents[i]);
	}
	free(ents);
	return rc;
}

/* One -f PATH. */
static int
path_add(json_t *docs, const char *path)
{
	struct stat st;

	if (strcmp(path, "-") != 0 && stat(path, &st) == 0 &&
			S_ISDIR(st.st_mode))
		return dir_add(docs, path);
	return doc_add(docs, path);
}

/* ---- apply and delete ---- */

static const char apply_help[] =
	"usage: npvsctl apply -f PATH [-f PATH]... [--dry-run] [-v]\n\n"
	"Adds or updates the objects of Kubernetes manifests in npvsd, as one\n"
	"transaction: if any object is refused, nothing changes. PATH is a\n"
	"file, a directory (its *.yaml, *.yml, *.json) or - (standard input).\n"
	"Kinds: Namespace, Pod, NetworkPolicy (compiled into the live policy);\n"
	"Node and projectcalico.org/v3 kinds (kept). Pods of endpoints attached\n"
	"to this npvsd are local (their policy is enforced here).\n\n"
	"  --dry-run   validate and compile, change nothing\n"
	"  -v          also print where the time went (phases, compile steps)\n";

static const char delete_help[] =
	"usage: npvsctl delete -f PATH [-f PATH]... [--ignore-not-found] "
	"[--dry-run]\n"
	"       npvsctl delete KIND NAME... [-n NAMESPACE] "
	"[--ignore-not-found] [--dry-run]\n\n"
	"Removes objects from npvsd, as one transaction: the objects of the\n"
	"manifests, or those named (KIND: namespace, pod, networkpolicy, node;\n"
	"-n defaults to 'default'). Deleting a Namespace deletes what is in it.\n"
	"An object npvsd does not have is an error, unless --ignore-not-found.\n"
	"-v also prints where the time went (phases, compile steps).\n";

/* "networkpolicy.networking.k8s.io/web" as kubectl names objects. */
static void
print_object(const json_t *o, bool dry_run)
{
	const char *kind = json_string_value(json_object_get(o, "kind"));
	const char *api = json_string_value(json_object_get(o, "apiVersion"));
	const char *slash = api ? strchr(api, '/') : NULL;
	char k[64];
	size_t i;

	snprintf(k, sizeof(k), "%s", kind ? kind : "?");
	for (i = 0; k[i] != '\0'; i++)
		k[i] = (char)tolower((unsigned char)k[i]);
	printf("%s%s%.*s/%s %s%s\n", k, slash ? "." : "",
			slash ? (int)(slash - api) : 0, slash ? api : "",
			json_string_value(json_object_get(o, "name")),
			json_string_value(json_object_get(o, "action")),
			dry_run ? " (dry run)" : "");
}

/* -v: print where the time went (the reply's "timing", docs/api.md). */
static bool verbose;

static void
print_timing(const json_t *t)
{
	static const char *const phases[] = { "request", "load", "diff",
		"convert", "endpoints", "view", "compile", "cleanup", "publish",
		"commit" };
	char key[32];
	const char *name;
	const json_t *v;
	size_t i;

	if (!json_is_object(t))
		return;
	printf("timing (us): active %.0f:", json_number_value(
			json_object_get(t, "active_us")));
	for (i = 0; i < sizeof(phases) / sizeof(phases[0]); i++) {
		snprintf(key, sizeof(key), "%s_us", phases[i]);
		printf(" %s %.0f", phases[i], json_number_value(
				json_object_get(t, key)));
	}
	printf("\n");
	if (json_object_size(json_object_get(t, "compile_steps")) == 0)
		return;
	printf("compile steps (us):");
	json_object_foreach((json_t *)json_object_get(t, "compile_steps"),
			name, v)
		printf(" %s %.0f", name, json_number_value(v));
	printf("\n");
}

static void
print_changes(const json_t *r)
{
	bool dry = json_is_true(json_object_get(r, "dry_run"));
	const json_t *o;
	size_t i;

	json_array_foreach(json_object_get(r, "warnings"), i, o)
		fprintf(stderr, "Warning: %s\n", json_string_value(o));
	json_array_foreach(json_object_get(r, "objects"), i, o)
		print_object(o, dry);
	if (json_is_true(json_object_get(r, "published")))
		printf("policy generation %lld active in %lld us (parse %lld, "
			"compile %lld, publish %lld)\n",
			json_integer_value(json_object_get(r, "generation")),
			json_integer_value(json_object_get(r, "active_us")),
			json_integer_value(json_object_get(r, "parse_us")),
			json_integer_value(json_object_get(r, "compile_us")),
			json_integer_value(json_object_get(r, "publish_us")));
	if (verbose)
		print_timing(json_object_get(r, "timing"));
}

/* Send cmd with args (consumed) and print the outcome. */
static int
call_changes(const char *cmd, json_t *args)
{
	json_t *reply;
	int rc;

	rc = npvsctl_call(cmd, args, &reply);
	if (rc != 0)
		return rc;
	npvsctl_output(reply, print_changes);
	json_decref(reply);
	return 0;
}

/* The options apply and delete share. */
struct change_opts {
	json_t *docs;
	const char *ns;
	bool dry_run;
	bool ignore;
	bool help;
};

static int
change_opts_parse(int argc, char **argv, const char *cmd,
		struct change_opts *o)
{
	static const struct option lo[] = {
		{ "filename", required_argument, NULL, 'f' },
		{ "namespace", required_argument, NULL, 'n' },
		{ "dry-run", no_argument, NULL, 'd' },
		{ "ignore-not-found", no_argument, NULL, 'i' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 } };
	int c;

	memset(o, 0, sizeof(*o));
	o->docs = json_array();
	optind = 0;
	while ((c = getopt_long(argc, argv, "f:n:vh", lo, NULL)) != -1) {
		switch (c) {
		case 'f':
			if (path_add(o->docs, optarg) < 0)
				return NPVSCTL_EXIT_USAGE;
			break;
		case 'n': o->ns = optarg; break;
		case 'd': o->dry_run = true; break;
		case 'v': verbose = true; break;
		case 'i':
			if (strcmp(cmd, "apply") == 0)
				return npvsctl_usage_error(cmd, "%s", "unknown "
						"option --ignore-not-found");
			o->ignore = true;
			break;
		case 'h': o->help = true; return 0;
		default: return NPVSCTL_EXIT_USAGE;
		}
	}
	return 0;
}

int
npvsctl_cmd_apply(int argc, char **argv)
{
	struct change_opts o;
	int rc;

	rc = change_opts_parse(argc, argv, "apply", &o);
	if (rc == 0 && o.help)
		printf("%s", apply_help);
	else if (rc == 0 && (optind < argc || o.ns != NULL))
		rc = npvsctl_usage_error("apply", "%s", "only -f PATH and "
				"--dry-run (namespaces come from the manifests)");
	else if (rc == 0 && json_array_size(o.docs) == 0)
		rc = npvsctl_usage_error("apply", "%s", "give -f PATH");
	if (rc != 0 || o.help) {
		json_decref(o.docs);
		return rc;
	}
	return call_changes("apply", json_pack("{s:o, s:b}", "documents",
			o.docs, "dry_run", o.dry_run));
}

/* delete KIND NAME...: the "objects" of the request. */
static json_t *
delete_refs(int argc, char **argv, const struct change_opts *o)
{
	json_t *refs = json_array();
	int i;

	for (i = optind + 1; i < argc; i++) {
		json_t *r = json_pack("{s:s, s:s}", "kind", argv[optind],
				"name", argv[i]);

		if (r != NULL && o->ns != NULL)
			json_object_set_new(r, "namespace",
					json_string(o->ns));
		if (r == NULL || json_array_append_new(refs, r) < 0) {
			json_decref(refs);
			return NULL;
		}
	}
	return refs;
}

int
npvsctl_cmd_delete(int argc, char **argv)
{
	struct change_opts o;
	json_t *args;
	int rc;

	rc = change_opts_parse(argc, argv, "delete", &o);
	if (rc == 0 && o.help)
		printf("%s", delete_help);
	else if (rc == 0 && json_array_size(o.docs) > 0 &&
			(optind < argc || o.ns != NULL))
		rc = npvsctl_usage_error("delete", "%s", "give -f PATH or "
				"KIND NAME..., not both");
	else if (rc == 0 && json_array_size(o.docs) == 0 &&
			argc - optind < 2)
		rc = npvsctl_usage_error("delete", "%s", "give -f PATH or "
				"KIND NAME...");
	if (rc != 0 || o.help) {
		json_decref(o.docs);
		return rc;
	}
	args = json_pack("{s:b, s:b}", "dry_run", o.dry_run,
			"ignore_not_found", o.ignore);
	if (json_array_size(o.docs) > 0) {
		json_object_set_new(args, "documents", o.docs);
	} else {
		json_decref(o.docs);
		json_object_set_new(args, "objects", delete_refs(argc, argv,
				&o));
		if (json_object_get(args, "objects") == NULL) {
			json_decref(args);
			return npvsctl_usage_error("delete", "%s", "names "
					"must be UTF-8");
		}
	}
	return call_changes("delete", args);
}

/* ---- get ---- */

/* npvsd's table: "columns" and "rows" of strings, aligned. */
static void
print_rows(const json_t *r)
{
	const json_t *cols = json_object_get(r, "columns"), *row, *c;
	const json_t *rows = json_object_get(r, "rows");
	size_t w[16] = { 0 }, nc = json_array_size(cols), i, j;

	if (nc > 16)
		nc = 16;
	if (json_array_size(rows) == 0) {
		fprintf(stderr, "No resources found.\n");
		return;
	}
	for (j = 0; j < nc; j++)
		w[j] = strlen(json_string_value(json_array_get(cols, j)));
	json_array_foreach(rows, i, row)
		for (j = 0; j < nc; j++) {
			c = json_array_get(row, j);
			if (json_is_string(c) && json_string_length(c) > w[j])
				w[j] = json_string_length(c);
		}
	for (j = 0; j < nc; j++)
		printf("%-*s%s", j + 1 < nc ? (int)w[j] : 0,
				json_string_value(json_array_get(cols, j)),
				j + 1 < nc ? "   " : "\n");
	json_array_foreach(rows, i, row)
		for (j = 0; j < nc; j++) {
			c = json_array_get(row, j);
			printf("%-*s%s", j + 1 < nc ? (int)w[j] : 0,
					json_is_string(c) ?
					json_string_value(c) : "-",
					j + 1 < nc ? "   " : "\n");
		}
}

static const char get_objects_help[] =
	"usage: npvsctl get namespaces|pods|networkpolicies|endpoints|nodes "
	"[-n NAMESPACE] [-o json|yaml]\n\n"
	"Lists what npvsd knows: the objects applied (npvsctl apply) and the\n"
	"endpoints attached. pods lists every pod the policy sees: Pod objects\n"
	"(LOCAL yes when an endpoint of that namespace/name is attached here)\n"
	"and endpoints with no Pod object. Without -n, every namespace.\n"
	"-o json / -o yaml print the stored objects as a v1 List.\n";

int
npvsctl_cmd_get_objects(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "namespace", required_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 } };
	const char *ns = NULL;
	json_t *args, *reply, *list;
	int c, rc;

	optind = 0;
	while ((c = getopt_long(argc, argv, "n:h", lo, NULL)) != -1) {
		if (c == 'n') {
			ns = optarg;
			continue;
		}
		if (c == 'h')
			printf("%s", get_objects_help);
		return c == 'h' ? 0 : NPVSCTL_EXIT_USAGE;
	}
	if (optind < argc)
		return npvsctl_usage_error("get", "unexpected argument '%s'",
				argv[optind]);
	args = json_pack("{s:s}", "kind", argv[0]);
	if (ns != NULL)
		json_object_set_new(args, "namespace", json_string(ns));
	rc = npvsctl_call("get", args, &reply);
	if (rc != 0)
		return rc;
	list = json_pack("{s:s, s:s, s:O}", "apiVersion", "v1", "kind",
			"List", "items", json_object_get(reply, "items"));
	if (npvsctl_opts.json)
		npvsctl_print_json(list);
	else if (npvsctl_opts.yaml)
		npvsctl_print_yaml(list);
	else
		print_rows(reply);
	json_decref(list);
	json_decref(reply);
	return 0;
}

/* ---- YAML output ---- */

/* Whether a string, written plain, would read back as something else
 * (YAML 1.1, as Kubernetes reads it): null, a boolean, a number.
 */
static bool
plain_ambiguous(const char *s, size_t len)
{
	static const char *const words[] = { "~", "null", "y", "yes", "n",
		"no", "true", "false", "on", "off", NULL };
	char buf[64], *end;
	size_t i, k = 0;

	if (len == 0)
		return true;
	for (i = 0; words[i] != NULL; i++)
		if (strcasecmp(s, words[i]) == 0)
			return true;
	if (len >= sizeof(buf) || strchr("0123456789+-.", s[0]) == NULL)
		return false;
	for (i = 0; i < len; i++)       /* 1_000, 1:20 (sexagesimal) */
		if (s[i] != '_' && s[i] != ':')
			buf[k++] = s[i];
	buf[k] = '\0';
	if (strncmp(buf, "0o", 2) == 0 || strncmp(buf, "0b", 2) == 0)
		return true;
	strtod(buf, &end);
	return *end == '\0' || strcasecmp(buf, ".inf") == 0 ||
		strcasecmp(buf, ".nan") == 0 || strcasecmp(buf, "-.inf") == 0;
}

static int
emit_scalar(yaml_emitter_t *e, const char *s, size_t len, bool quote)
{
	yaml_event_t ev;

	yaml_scalar_event_initialize(&ev, NULL, NULL, (yaml_char_t *)s,
			(int)len, !quote, 1, quote ?
			YAML_DOUBLE_QUOTED_SCALAR_STYLE :
			YAML_ANY_SCALAR_STYLE);
	return yaml_emitter_emit(e, &ev) ? 0 : -1;
}

static int emit_value(yaml_emitter_t *e, const json_t *v);

static int
emit_object(yaml_emitter_t *e, const json_t *v)
{
	yaml_event_t ev;
	const char *k;
	json_t *x;

	yaml_mapping_start_event_initialize(&ev, NULL, NULL, 1,
			json_object_size(v) ? YAML_BLOCK_MAPPING_STYLE :
			YAML_FLOW_MAPPING_STYLE);
	if (!yaml_emitter_emit(e, &ev))
		return -1;
	json_object_foreach((json_t *)v, k, x)
		if (emit_scalar(e, k, strlen(k), plain_ambiguous(k,
				strlen(k))) < 0 || emit_value(e, x) < 0)
			return -1;
	yaml_mapping_end_event_initialize(&ev);
	return yaml_emitter_emit(e, &ev) ? 0 : -1;
}

static int
emit_array(yaml_emitter_t *e, const json_t *v)
{
	yaml_event_t ev;
	size_t i;
	json_t *x;

	yaml_sequence_start_event_initialize(&ev, NULL, NULL, 1,
			json_array_size(v) ? YAML_BLOCK_SEQUENCE_STYLE :
			YAML_FLOW_SEQUENCE_STYLE);
	if (!yaml_emitter_emit(e, &ev))
		return -1;
	json_array_foreach(v, i, x)
		if (emit_value(e, x) < 0)
			return -1;
	yaml_sequence_end_event_initialize(&ev);
	return yaml_emitter_emit(e, &ev) ? 0 : -1;
}

static int
emit_value(yaml_emitter_t *e, const json_t *v)
{
	char num[64];

	switch (json_typeof(v)) {
	case JSON_OBJECT:
		return emit_object(e, v);
	case JSON_ARRAY:
		return emit_array(e, v);
	case JSON_STRING:
		return emit_scalar(e, json_string_value(v),
				json_string_length(v), plain_ambiguous(
				json_string_value(v), json_string_length(v)));
	case JSON_INTEGER:
		snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT,
				json_integer_value(v));
		return emit_scalar(e, num, strlen(num), false);
	case JSON_REAL:
		snprintf(num, sizeof(num), "%.17g", json_real_value(v));
		return emit_scalar(e, num, strlen(num), false);
	case JSON_TRUE:
		return emit_scalar(e, "true", 4, false);
	case JSON_FALSE:
		return emit_scalar(e, "false", 5, false);
	default:
		return emit_scalar(e, "null", 4, false);
	}
}

/* One document: stream start, document start, v, ends. */
static int
emit_document(yaml_emitter_t *e, const json_t *v)
{
	yaml_event_t ev;

	yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING);
	if (!yaml_emitter_emit(e, &ev))
		return -1;
	yaml_document_start_event_initialize(&ev, NULL, NULL, NULL, 1);
	if (!yaml_emitter_emit(e, &ev) || emit_value(e, v) < 0)
		return -1;
	yaml_document_end_event_initialize(&ev, 1);
	if (!yaml_emitter_emit(e, &ev))
		return -1;
	yaml_stream_end_event_initialize(&ev);
	return yaml_emitter_emit(e, &ev) ? 0 : -1;
}

void
npvsctl_print_yaml(const json_t *v)
{
	yaml_emitter_t e;

	if (!yaml_emitter_initialize(&e)) {
		fprintf(stderr, "npvsctl: out of memory\n");
		return;
	}
	yaml_emitter_set_output_file(&e, stdout);
	yaml_emitter_set_unicode(&e, 1);
	yaml_emitter_set_indent(&e, 2);
	yaml_emitter_set_width(&e, -1);
	if (emit_document(&e, v) < 0)
		fprintf(stderr, "npvsctl: YAML output failed: %s\n",
				e.problem ? e.problem : "?");
	yaml_emitter_flush(&e);
	yaml_emitter_delete(&e);
}

void
npvsctl_output(const json_t *reply, void (*print)(const json_t *))
{
	if (npvsctl_opts.json)
		npvsctl_print_json(reply);
	else if (npvsctl_opts.yaml)
		npvsctl_print_yaml(reply);
	else
		print(reply);
}
