/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * npvsctl_table.c: npvsctl's default output, aligned text tables built
 * from the arrays of npvsd's replies (npvsctl.h). Missing fields print
 * as "-", so an older or newer npvsd still prints.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "npvsctl.h"

#define COLS_MAX 12
#define SLOT_SIZE 192     /* 4 IPv6 addresses and commas */

struct col {
	const char *head;
	bool right;             /* numbers are right-aligned */
};

struct table {
	const struct col *cols;
	size_t ncols, nrows, cap;
	char **cells;           /* nrows * ncols, row by row */
};

/* Add one row of ncols strings (copied). */
static void
table_row(struct table *t, ...)
{
	va_list ap;
	char **p;
	size_t i;

	if (t->nrows == t->cap) {
		t->cap = t->cap ? 2 * t->cap : 16;
		p = realloc(t->cells, t->cap * t->ncols * sizeof(*p));
		if (p == NULL) {
			perror("npvsctl");
			exit(1);
		}
		t->cells = p;
	}
	va_start(ap, t);
	for (i = 0; i < t->ncols; i++) {
		const char *s = va_arg(ap, const char *);

		t->cells[t->nrows * t->ncols + i] = strdup(s ? s : "-");
	}
	va_end(ap);
	t->nrows++;
}

static void
print_cell(const struct col *c, const char *s, size_t w, bool last)
{
	if (c->right)
		printf("%*s", (int)w, s);
	else if (last)
		printf("%s", s);
	else
		printf("%-*s", (int)w, s);
	printf("%s", last ? "\n" : "  ");
}

/* Print (header, then rows) and free the cells. */
static void
table_print(struct table *t)
{
	size_t w[COLS_MAX], r, i;
	char *s;

	for (i = 0; i < t->ncols; i++)
		w[i] = strlen(t->cols[i].head);
	for (r = 0; r < t->nrows; r++)
		for (i = 0; i < t->ncols; i++) {
			s = t->cells[r * t->ncols + i];
			if (s != NULL && strlen(s) > w[i])
				w[i] = strlen(s);
		}
	for (i = 0; i < t->ncols; i++)
		print_cell(&t->cols[i], t->cols[i].head, w[i],
				i + 1 == t->ncols);
	for (r = 0; r < t->nrows; r++)
		for (i = 0; i < t->ncols; i++) {
			s = t->cells[r * t->ncols + i];
			print_cell(&t->cols[i], s ? s : "?", w[i],
					i + 1 == t->ncols);
			free(s);
		}
	free(t->cells);
	t->cells = NULL;
	t->nrows = t->cap = 0;
}

/* ---- field formatting: each returns a pointer into a small ring ---- */

static char *
slot(void)
{
	static char ring[COLS_MAX][SLOT_SIZE];
	static unsigned int next;

	return ring[next++ % COLS_MAX];
}

static const char *
f_str(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

static const char *
f_int(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);
	char *s;

	if (!json_is_integer(v))
		return NULL;
	s = slot();
	snprintf(s, SLOT_SIZE, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
	return s;
}

static const char *
f_bool(const json_t *o, const char *key, const char *yes, const char *no)
{
	const json_t *v = json_object_get(o, key);

	return json_is_boolean(v) ? (json_is_true(v) ? yes : no) : NULL;
}

/* The "ips" array joined with commas. */
static const char *
f_ips(const json_t *o)
{
	const json_t *a = json_object_get(o, "ips"), *v;
	char *s = slot();
	size_t i;

	s[0] = '\0';
	json_array_foreach(a, i, v)
		snprintf(s + strlen(s), SLOT_SIZE - strlen(s), "%s%s", i ? "," : "",
				json_string_value(v) ? json_string_value(v) :
				"?");
	return s[0] ? s : NULL;
}

/* ---- the tables ---- */

void
npvsctl_print_ports(const json_t *ports, bool counters)
{
	static const struct col info[] = { { "NAME", false },
		{ "TYPE", false }, { "UPLINK", false }, { "LINK", false },
		{ "ID", true }, { "DETAIL", false } };
	static const struct col ctr[] = { { "PORT", false },
		{ "RX-PACKETS", true }, { "RX-BYTES", true },
		{ "TX-PACKETS", true }, { "TX-BYTES", true },
		{ "TX-FULL", true }, { "RX-TRUNC", true },
		{ "TX-FRAGS", true } };
	struct table t = { .cols = counters ? ctr : info,
		.ncols = counters ? sizeof(ctr) / sizeof(ctr[0]) :
			sizeof(info) / sizeof(info[0]) };
	const json_t *p;
	size_t i;

	if (json_array_size(ports) == 0) {
		printf("(no ports)\n");
		return;
	}
	json_array_foreach(ports, i, p) {
		if (counters)
			table_row(&t, f_str(p, "name"), f_int(p, "rx_packets"),
					f_int(p, "rx_bytes"),
					f_int(p, "tx_packets"),
					f_int(p, "tx_bytes"), f_int(p, "tx_full"),
					f_int(p, "rx_truncated"),
					f_int(p, "tx_frags"));
		else
			table_row(&t, f_str(p, "name"), f_str(p, "type"),
					f_bool(p, "uplink", "yes", "no"),
					f_bool(p, "link_up", "up", "down"),
					f_int(p, "port_id"), f_str(p, "detail"));
	}
	table_print(&t);
}

void
npvsctl_print_endpoints(const json_t *endpoints)
{
	static const struct col cols[] = { { "NAMESPACE", false },
		{ "NAME", false }, { "PORT", false }, { "PORT-PRESENT", false },
		{ "MAC", false }, { "IPS", false } };
	struct table t = { .cols = cols, .ncols = 6 };
	const json_t *e;
	size_t i;

	if (json_array_size(endpoints) == 0) {
		printf("(no endpoints)\n");
		return;
	}
	json_array_foreach(endpoints, i, e)
		table_row(&t, f_str(e, "namespace"), f_str(e, "name"),
				f_str(e, "port"),
				f_bool(e, "port_present", "yes", "no"),
				f_str(e, "mac"), f_ips(e));
	table_print(&t);
}

/* "classify: sse (fastest measured; ns/key: scalar 41.0 sse 18.2 ...)" */
static void
print_classify(const json_t *c)
{
	const json_t *t = json_object_get(c, "ns_per_key"), *v;
	const char *key;

	if (!json_is_object(c))
		return;
	printf("\nclassify: %s (%s", json_string_value(
			json_object_get(c, "method")),
			json_is_true(json_object_get(c, "measured")) ?
			"fastest measured" : "configured");
	if (json_object_size(t) > 0) {
		printf("; ns/key:");
		json_object_foreach((json_t *)t, key, v)
			printf(" %s %.1f", key, json_real_value(v));
	}
	printf(")\n");
}

/* "policy merge: 1 of 1 group contexts merged (...), 10000 rules, ..." */
static void
print_merge(const json_t *m)
{
#define I(k) (long long)json_integer_value(json_object_get(m, k))
	if (!json_is_object(m))
		return;
	printf("\npolicy merge: %lld of %lld group contexts merged (%lld "
			"carried over, %lld pending, %lld failed, %lld over "
			"budget), %lld rules, %.1f MB, build %.1f ms\n",
			I("merged"), I("planned"), I("carried"), I("pending"),
			I("failed"), I("skipped"), I("rules"),
			I("mem_bytes") / 1e6,
			json_real_value(json_object_get(m, "build_ms")));
#undef I
}

void
npvsctl_print_stats(const json_t *reply)
{
	static const struct col cols[] = { { "DROP-REASON", false },
		{ "PACKETS", true } };
	struct table t = { .cols = cols, .ncols = 2 };
	const json_t *drops = json_object_get(reply, "drops"), *v;
	const char *key;

	printf("ports:\n");
	npvsctl_print_ports(json_object_get(reply, "ports"), true);
	print_merge(json_object_get(reply, "policy_merge"));
	printf("\ndrops:\n");
	json_object_foreach((json_t *)drops, key, v) {
		char n[32];

		snprintf(n, sizeof(n), "%" JSON_INTEGER_FORMAT,
				json_integer_value(v));
		table_row(&t, key, n);
	}
	table_print(&t);
	print_classify(json_object_get(reply, "classify"));
}
