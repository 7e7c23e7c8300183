/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ctl_store_model.c: the model the live policy is compiled from
 * (ctl_store.h): the stored Namespaces, Pods and NetworkPolicies
 * (manifest_set_model) with the switch's endpoints attached: the pods of
 * attached endpoints are local, endpoints without a Pod object become
 * label-less pods, and a local pod's address wins over a stale one.
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

/* A warning into the list, or into the log when there is no list. */
static void __attribute__((format(printf, 2, 3)))
warn(json_t *warnings, const char *fmt, ...)
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

/* ---- the model ---- */

static void
pod_key(char *buf, size_t size, const char *ns, const char *name)
{
	snprintf(buf, size, "%s/%s", ns, name);
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
pod_ips_from(struct acl_pod *p, const struct vs_endpoint_spec *s)
{
	uint32_t i, n = s->n_ips < VS_EP_IPS_MAX ? s->n_ips : VS_EP_IPS_MAX;

	if (n == 0)
		return 0;
	p->ips = calloc(n, sizeof(*p->ips));
	if (p->ips == NULL)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		p->ips[i].family = s->ips[i].family;
		memcpy(p->ips[i].addr, s->ips[i].addr, 16);
	}
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
pod_from_endpoint(struct acl_pod *p, const struct vs_endpoint_spec *s)
{
	memset(p, 0, sizeof(*p));
	p->ns = strndup(s->ns, VS_NS_MAX);
	p->name = strndup(s->name, VS_POD_MAX);
	p->local = true;
	if (p->ns == NULL || p->name == NULL)
		return -ENOMEM;
	return pod_ips_from(p, s);
}

/* Mark the pods of attached endpoints local; add endpoint-only pods. */
static int
model_attach(struct acl_model *m, const struct vs_endpoint_info *eps,
		uint32_t n, json_t *warnings)
{
	char key[VS_NS_MAX + VS_POD_MAX + 2];
	json_t *idx = json_object();
	struct acl_pod *grown;
	uint32_t i;
	int rc = 0;

	grown = n ? realloc(m->pods, (m->n_pods + n) * sizeof(*grown)) : m->pods;
	if (idx == NULL || (n > 0 && grown == NULL)) {
		json_decref(idx);
		return -ENOMEM;
	}
	m->pods = grown;
	for (i = 0; i < m->n_pods && rc == 0; i++) {
		pod_key(key, sizeof(key), m->pods[i].ns, m->pods[i].name);
		rc = json_object_set_new(idx, key, json_integer(i));
	}
	for (i = 0; i < n && rc == 0; i++) {
		const struct vs_endpoint_spec *s = &eps[i].spec;
		json_t *j;
		struct acl_pod *p;

		pod_key(key, sizeof(key), s->ns, s->name);
		j = json_object_get(idx, key);
		if (j == NULL) {
			rc = pod_from_endpoint(&m->pods[m->n_pods++], s);
			if (rc == 0)
				rc = json_object_set_new(idx, key,
					json_integer(m->n_pods - 1));
			continue;
		}
		p = &m->pods[json_integer_value(j)];
		p->local = true;
		if (p->n_ips == 0)
			rc = pod_ips_from(p, s);
		else if (ips_differ(p, s))
			warn(warnings, "Pod %s/%s: the endpoint's addresses "
				"are not all in status.podIPs; the policy uses "
				"status.podIPs", p->ns, p->name);
	}
	json_decref(idx);
	return rc < 0 ? -ENOMEM : 0;
}

/* Drop the addresses of pods that are not local when a local pod has them
 * (a stale Pod object of a reused address).
 */
static int
model_local_wins(struct acl_model *m, json_t *warnings)
{
	char a[64];
	json_t *owner = json_object();
	uint32_t i, j, k;

	if (owner == NULL)
		return -ENOMEM;
	for (i = 0; i < m->n_pods; i++)
		for (j = 0; m->pods[i].local && j < m->pods[i].n_ips; j++) {
			addr_str(&m->pods[i].ips[j], a, sizeof(a));
			json_object_set_new(owner, a, json_integer(i));
		}
	for (i = 0; json_object_size(owner) > 0 && i < m->n_pods; i++) {
		struct acl_pod *p = &m->pods[i];

		for (j = 0, k = 0; !p->local && j < p->n_ips; j++) {
			json_t *o;

			addr_str(&p->ips[j], a, sizeof(a));
			o = json_object_get(owner, a);
			if (o == NULL) {
				p->ips[k++] = p->ips[j];
				continue;
			}
			warn(warnings, "Pod %s/%s: address %s belongs to the "
				"local pod %s/%s; ignored for %s/%s", p->ns,
				p->name, a, m->pods[json_integer_value(o)].ns,
				m->pods[json_integer_value(o)].name, p->ns,
				p->name);
		}
		if (!p->local)
			p->n_ips = k;
	}
	json_decref(owner);
	return 0;
}

int
ctl_store_model_build(const struct manifest_set *set,
		const struct vs_endpoint_info *eps, uint32_t n_eps,
		struct acl_model *m, json_t *warnings, struct ctl_err *err)
{
	struct manifest_model_opts mo = { .all_local = false,
		.node_name = NULL };
	int rc;

	rc = manifest_set_model(set, &mo, m, err);
	if (rc < 0)
		return rc;
	rc = model_attach(m, eps, n_eps, warnings);
	if (rc == 0)
		rc = model_local_wins(m, warnings);
	if (rc < 0) {
		acl_model_clear(m);
		return ctl_err_set(err, rc, NULL, "out of memory");
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
	rc = ctl_store_model_build(ctl_store_set(st), eps, n, m, warnings, err);
	free(eps);
	return rc;
}

