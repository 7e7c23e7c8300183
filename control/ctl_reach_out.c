/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ctl_reach_out.c: printing what `npvsctl reach` decided (ctl_reach.h).
 *
 * -o json: one array, an entry per (port, from, to) of the same family:
 *   {"from": "x/a", "to": "y/b", "port": 80, "protocol": "TCP",
 *    "family": "IPv4", "allowed": true,
 *    "egress": "not isolated", "ingress": "y/allow ingress[0] peer[1] port[0]"}
 * table: one matrix per port/protocol (and family, when both occur), rows
 * are sources, columns destinations, "." allowed, "X" denied, as the
 * Kubernetes e2e network policy tests print their reachability.
 *
 * Thread-safety: none needed.
 */
#include "ctl_reach.h"

#include <string.h>

#include <jansson.h>

#include "manifest_priv.h"

static const char *family_str(uint8_t family)
{
	return family == ACL_AF_INET6 ? "IPv6" : "IPv4";
}

static json_t *entry(const struct ctl_reach_result *r, uint32_t p, uint32_t f,
		uint32_t t)
{
	const struct ctl_reach_verdict *v = ctl_reach_at(r, p, f, t);

	return json_pack("{s:s, s:s, s:i, s:s, s:s, s:b, s:s, s:s}",
			"from", r->eps[f].name, "to", r->eps[t].name,
			"port", (int)r->ports[p].port,
			"protocol", manifest_proto_str(r->ports[p].proto),
			"family", family_str(r->eps[f].addr.family),
			"allowed", v->allowed, "egress", v->egress,
			"ingress", v->ingress);
}

int ctl_reach_print_json(const struct ctl_reach_result *r, FILE *out)
{
	json_t *arr = json_array(), *e;
	int rc = 0;

	for (uint32_t p = 0; arr != NULL && p < r->n_ports; p++)
		for (uint32_t f = 0; f < r->n_eps; f++)
			for (uint32_t t = 0; t < r->n_eps; t++) {
				if (!ctl_reach_at(r, p, f, t)->valid)
					continue;
				e = entry(r, p, f, t);
				if (e == NULL || json_array_append_new(arr, e) < 0)
					rc = -1;
			}
	if (arr == NULL || rc < 0 || json_dumpf(arr, out, JSON_INDENT(1)) < 0)
		rc = -1;
	fputc('\n', out);
	json_decref(arr);
	return rc;
}

static bool both_families(const struct ctl_reach_result *r)
{
	bool v4 = false, v6 = false;

	for (uint32_t i = 0; i < r->n_eps; i++) {
		v4 |= r->eps[i].addr.family == ACL_AF_INET;
		v6 |= r->eps[i].addr.family == ACL_AF_INET6;
	}
	return v4 && v6;
}

/* One cell of a row, padded to w unless it ends the row. */
static void cell(FILE *out, const char *s, size_t w, bool last)
{
	if (last)
		fprintf(out, "  %s\n", s);
	else
		fprintf(out, "  %-*s", (int)w, s);
}

/* One matrix: port p, endpoints of family fam. */
static void matrix(const struct ctl_reach_result *r, uint32_t p, uint8_t fam,
		bool show_family, FILE *out)
{
	size_t w = 1;
	uint32_t f, t, last = 0;

	for (f = 0; f < r->n_eps; f++) {
		if (r->eps[f].addr.family != fam)
			continue;
		last = f;
		if (strlen(r->eps[f].name) > w)
			w = strlen(r->eps[f].name);
	}
	fprintf(out, "%u/%s%s%s:\n", r->ports[p].port,
			manifest_proto_str(r->ports[p].proto), show_family ? " " : "",
			show_family ? family_str(fam) : "");
	fprintf(out, "%-*s", (int)w, "");
	for (t = 0; t < r->n_eps; t++)
		if (r->eps[t].addr.family == fam)
			cell(out, r->eps[t].name, w, t == last);
	for (f = 0; f < r->n_eps; f++) {
		if (r->eps[f].addr.family != fam)
			continue;
		fprintf(out, "%-*s", (int)w, r->eps[f].name);
		for (t = 0; t < r->n_eps; t++) {
			const struct ctl_reach_verdict *v = ctl_reach_at(r, p, f, t);

			if (r->eps[t].addr.family == fam)
				cell(out, !v->valid ? "-" : v->allowed ? "." : "X", w,
						t == last);
		}
	}
	fputc('\n', out);
}

void ctl_reach_print_table(const struct ctl_reach_result *r, FILE *out)
{
	bool both = both_families(r);
	uint8_t fam1 = r->n_eps > 0 ? r->eps[0].addr.family : ACL_AF_INET;

	if (r->n_eps == 0) {
		fprintf(out, "no pods with addresses (status.podIP) and no --peer\n");
		return;
	}
	for (uint32_t p = 0; p < r->n_ports; p++) {
		if (both) {
			matrix(r, p, ACL_AF_INET, true, out);
			matrix(r, p, ACL_AF_INET6, true, out);
		} else {
			matrix(r, p, fam1, false, out);
		}
	}
	fprintf(out, "rows: from, columns: to; \".\" allowed, \"X\" denied\n");
}
