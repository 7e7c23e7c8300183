/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ctl_store_model.c: endpoints in the model (ctl_store.h, "How pods are
 * found"): the pods of attached endpoints are local, endpoints without a
 * Pod object become label-less pods, a local pod's address wins over a
 * stale one. The same attach serves the views that compiles read
 * (ctl_store_view.c) and the deep model of ctl_store_model() (get, trace),
 * which converts every stored object afresh.
 *
 * Thread-safety: control thread only (vs_endpoint_list).
 */
#include "ctl_store_priv.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "ctl_cmds.h"
#include "ctl_log.h"
#include "vs_api.h"

void
ctl_store_warn(json_t *warnings, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (warnings != NULL)
		json_array_append_new(warnings, json_string(buf));
	else
		CTL_LOG(WARNING, "%s", buf);
}

/* ---- endpoints ---- */

struct vs_endpoint_info *
ctl_store_endpoints(struct vs *vs, uint32_t *n)
{
	struct vs_endpoint_info *v;
	uint32_t cap = 16, got;

	for (;;) {
		v = calloc(cap + 1, sizeof(*v));
		if (v == NULL)
			return NULL;
		got = vs_endpoint_list(vs, v, cap);
		if (got < cap || cap >= (1u << 20)) {
			*n = got < cap ? got : cap;
			return v;
		}
		free(v);
		cap *= 2;
	}
}

void
ctl_store_endpoints_put(struct vs_endpoint_info *v, uint32_t *n,
		const struct vs_endpoint_spec *spec)
{
	uint32_t i;

	for (i = 0; i < *n; i++)
		if (strncmp(v[i].spec.ns, spec->ns, VS_NS_MAX) == 0 &&
				strncmp(v[i].spec.name, spec->name,
					VS_POD_MAX) == 0)
			break;
	memset(&v[i], 0, sizeof(v[i]));
	v[i].spec = *spec;
	if (i == *n)
		(*n)++;
}

/* ---- keys ---- */

enum ctl_store_k
ctl_store_k_of(enum manifest_kind kind)
{
	switch (kind) {
	case MANIFEST_NAMESPACE: return CTL_STORE_K_NS;
	case MANIFEST_POD: return CTL_STORE_K_POD;
	case MANIFEST_NETPOL: return CTL_STORE_K_POL;
	default: return CTL_STORE_K_MAX;
	}
}

void
ctl_store_key(enum ctl_store_k k, const char *ns, const char *name,
		char *buf, size_t size)
{
	if (k == CTL_STORE_K_NS)
		snprintf(buf, size, "%s", name);
	else
		snprintf(buf, size, "%s/%s", ns, name);
}

/* ---- attaching endpoints ---- */

/* calloc, tracked by x when there is one. */
static void *
x_calloc(struct ctl_store_extras *x, size_t n, size_t size)
{
	void *p = calloc(n, size), **grown;

	if (p == NULL || x == NULL)
		return p;
	if (x->n == x->cap) {
		grown = realloc(x->v, (x->cap ? 2 * x->cap : 16) * sizeof(*grown));
		if (grown == NULL) {
			free(p);
			return NULL;
		}
		x->v = grown;
		x->cap = x->cap ? 2 * x->cap : 16;
	}
	x->v[x->n++] = p;
	return p;
}

static char *
x_strndup(struct ctl_store_extras *x, const char *s, size_t max)
{
	size_t len = strnlen(s, max);
	char *d = x_calloc(x, len + 1, 1);

	if (d != NULL)
		memcpy(d, s, len);
	return d;
}

static void
addr_str(const struct acl_addr *a, char *buf, size_t size)
{
	if (inet_ntop(a->family == ACL_AF_INET6 ? AF_INET6 : AF_INET,
			a->addr, buf, (socklen_t)size) == NULL)
		snprintf(buf, size, "?");
}

/* Give a pod the endpoint's addresses. */
static int
pod_ips_from(struct acl_pod *p, const struct vs_endpoint_spec *s,
		struct ctl_store_extras *x)
{
	uint32_t i, n = s->n_ips < VS_EP_IPS_MAX ? s->n_ips : VS_EP_IPS_MAX;
	struct acl_addr *ips;

	if (n == 0)
		return 0;
	ips = x_calloc(x, n, sizeof(*ips));
	if (ips == NULL)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		ips[i].family = s->ips[i].family;
		memcpy(ips[i].addr, s->ips[i].addr, 16);
	}
	if (x == NULL)
		free(p->ips);   /* an empty array, if any */
	p->ips = ips;
	p->n_ips = n;
	return 0;
}

/* Whether the endpoint has an address the pod does not list. */
static bool
ips_differ(const struct acl_pod *p, const struct vs_endpoint_spec *s)
{
	uint32_t i, j;

	for (i = 0; i < s->n_ips && i < VS_EP_IPS_MAX; i++) {
		for (j = 0; j < p->n_ips; j++)
			if (p->ips[j].family == s->ips[i].family &&
					memcmp(p->ips[j].addr, s->ips[i].addr,
						16) == 0)
				break;
		if (j == p->n_ips)
			return true;
	}
	return false;
}

/* A local pod for an endpoint that has no Pod object: no labels. */
static int
pod_from_endpoint(struct acl_pod *p, const struct vs_endpoint_spec *s,
		struct ctl_store_extras *x)
{
	memset(p, 0, sizeof(*p));
	p->ns = x_strndup(x, s->ns, VS_NS_MAX);
	p->name = x_strndup(x, s->name, VS_POD_MAX);
	p->local = true;
	if (p->ns == NULL || p->name == NULL)
		return -ENOMEM;
	return pod_ips_from(p, s, x);
}

/* Mark the pods of attached endpoints local; add endpoint-only pods. */
static int
attach_endpoints(struct acl_model *m,
		int64_t (*find)(void *ctx, const char *ns, const char *name),
		void *ctx, const struct vs_endpoint_info *eps, uint32_t n,
		struct ctl_store_extras *x, json_t *warnings)
{
	uint32_t i, n0 = m->n_pods;
	int rc = 0;

	for (i = 0; i < n && rc == 0; i++) {
		const struct vs_endpoint_spec *s = &eps[i].spec;
		int64_t j = find(ctx, s->ns, s->name);
		struct acl_pod *p;

		if (j < 0) {
			rc = pod_from_endpoint(&m->pods[m->n_pods], s, x);
			m->n_pods++;    /* also on failure: a clear frees it */
			continue;
		}
		if (j >= n0)
			continue;       /* an endpoint listed twice */
		p = &m->pods[j];
		p->local = true;
		if (p->n_ips == 0)
			rc = pod_ips_from(p, s, x);
		else if (ips_differ(p, s))
			ctl_store_warn(warnings, "Pod %s/%s: the endpoint's "
				"addresses are not all in status.podIPs; the "
				"policy uses status.podIPs", p->ns, p->name);
	}
	return rc;
}

/* A local address and its pod, sorted for bsearch. */
struct owned_addr {
	struct acl_addr a;
	uint32_t pod;
};

static int
owned_cmp(const void *x, const void *y)
{
	const struct acl_addr *a = x, *b = y;

	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	return memcmp(a->addr, b->addr, 16);
}

/* The addresses of local pods, sorted; *n receives their number. */
static struct owned_addr *
local_addrs(const struct acl_model *m, uint32_t *n)
{
	struct owned_addr *v;
	uint32_t i, j, k = 0;

	for (i = 0; i < m->n_pods; i++)
		k += m->pods[i].local ? m->pods[i].n_ips : 0;
	*n = k;
	v = calloc(k + 1, sizeof(*v));
	if (v == NULL)
		return NULL;
	for (i = 0, k = 0; i < m->n_pods; i++)
		for (j = 0; m->pods[i].local && j < m->pods[i].n_ips; j++) {
			memset(&v[k].a, 0, sizeof(v[k].a));
			v[k].a.family = m->pods[i].ips[j].family;
			memcpy(v[k].a.addr, m->pods[i].ips[j].addr, 16);
			v[k++].pod = i;
		}
	qsort(v, k, sizeof(*v), owned_cmp);
	return v;
}

/* Pod p without the addresses that local pods have. */
static int
drop_owned(const struct acl_model *m, struct acl_pod *p,
		const struct owned_addr *own, uint32_t n_own,
		struct ctl_store_extras *x, json_t *warnings)
{
	struct acl_addr *kept = NULL, key;
	const struct owned_addr *o;
	char a[64];
	uint32_t j, k = 0;

	for (j = 0; j < p->n_ips; j++) {
		memset(&key, 0, sizeof(key));
		key.family = p->ips[j].family;
		memcpy(key.addr, p->ips[j].addr, 16);
		o = bsearch(&key, own, n_own, sizeof(*own), owned_cmp);
		if (o == NULL && kept != NULL)
			kept[k++] = p->ips[j];
		if (o == NULL)
			continue;
		if (kept == NULL) {     /* first loss: copy what went before */
			kept = x_calloc(x, p->n_ips, sizeof(*kept));
			if (kept == NULL)
				return -ENOMEM;
			memcpy(kept, p->ips, j * sizeof(*kept));
			k = j;
		}
		addr_str(&p->ips[j], a, sizeof(a));
		ctl_store_warn(warnings, "Pod %s/%s: address %s belongs to the "
			"local pod %s/%s; ignored for %s/%s", p->ns, p->name, a,
			m->pods[o->pod].ns, m->pods[o->pod].name, p->ns,
			p->name);
	}
	if (kept == NULL)
		return 0;
	if (x == NULL)
		free(p->ips);
	p->ips = kept;
	p->n_ips = k;
	return 0;
}

/* Drop the addresses of pods that are not local when a local pod has them
 * (a stale Pod object of a reused address).
 */
static int
local_wins(struct acl_model *m, struct ctl_store_extras *x,
		json_t *warnings)
{
	struct owned_addr *own;
	uint32_t i, n;
	int rc = 0;

	own = local_addrs(m, &n);
	if (own == NULL)
		return -ENOMEM;
	for (i = 0; n > 0 && i < m->n_pods && rc == 0; i++)
		if (!m->pods[i].local && m->pods[i].n_ips > 0)
			rc = drop_owned(m, &m->pods[i], own, n, x, warnings);
	free(own);
	return rc;
}

int
ctl_store_attach(struct acl_model *m,
		int64_t (*find)(void *ctx, const char *ns, const char *name),
		void *ctx, const struct vs_endpoint_info *eps, uint32_t n,
		struct ctl_store_extras *x, json_t *warnings)
{
	int rc;

	rc = attach_endpoints(m, find, ctx, eps, n, x, warnings);
	if (rc == 0)
		rc = local_wins(m, x, warnings);
	return rc;
}

/* ---- the deep model (ctl_store_model) ---- */

static int64_t
json_find(void *ctx, const char *ns, const char *name)
{
	char key[CTL_STORE_KEY_MAX];
	json_t *j;

	ctl_store_key(CTL_STORE_K_POD, ns, name, key, sizeof(key));
	j = json_object_get(ctx, key);
	return j != NULL ? json_integer_value(j) : -1;
}

/* The model of a set and a list of endpoints, owning all it holds. */
static int
deep_model(const struct manifest_set *set, const struct vs_endpoint_info *eps,
		uint32_t n_eps, struct acl_model *m, json_t *warnings,
		struct ctl_err *err)
{
	struct manifest_model_opts mo = { .all_local = false,
		.node_name = NULL };
	char key[CTL_STORE_KEY_MAX];
	json_t *idx = json_object();
	struct acl_pod *grown;
	uint32_t i;
	int rc;

	rc = manifest_set_model(set, &mo, m, err);
	if (rc < 0) {
		json_decref(idx);
		return rc;
	}
	grown = realloc(m->pods, (m->n_pods + n_eps + 1) * sizeof(*grown));
	rc = idx == NULL || grown == NULL ? -ENOMEM : 0;
	if (grown != NULL)
		m->pods = grown;
	for (i = 0; i < m->n_pods && rc == 0; i++) {
		ctl_store_key(CTL_STORE_K_POD, m->pods[i].ns, m->pods[i].name,
				key, sizeof(key));
		rc = json_object_set_new(idx, key, json_integer(i));
	}
	if (rc == 0)
		rc = ctl_store_attach(m, json_find, idx, eps, n_eps, NULL,
				warnings);
	json_decref(idx);
	if (rc < 0) {
		acl_model_clear(m);
		return ctl_err_set(err, ENOMEM, NULL, "out of memory");
	}
	return 0;
}

int
ctl_store_model(struct ctl_store *st, struct vs *vs, struct acl_model *m,
		json_t *warnings, struct ctl_err *err)
{
	struct vs_endpoint_info *eps;
	uint32_t n;
	int rc;

	memset(m, 0, sizeof(*m));
	eps = ctl_store_endpoints(vs, &n);
	if (eps == NULL)
		return ctl_err_set(err, ENOMEM, NULL, "out of memory");
	rc = deep_model(ctl_store_set(st), eps, n, m, warnings, err);
	free(eps);
	return rc;
}
