/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * manifest_model.c: a manifest_set's Namespaces, Pods and NetworkPolicies
 * as one struct acl_model, for acl_compile() (acl/acl_ruleset.h).
 *
 * Objects were validated when they were loaded; here each is converted
 * again from its raw tree by the same functions (manifest_netpol.c,
 * manifest_pod.c), so that the set keeps one representation (JSON) and the
 * model is always built fresh. The only failure left is lack of memory.
 *
 * Thread-safety: none; reads the set, writes the caller's model.
 */
#include "manifest.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ctl_cmds.h"
#include "manifest_priv.h"

static void count_kinds(const struct manifest_set *s, uint32_t n[3])
{
	n[0] = n[1] = n[2] = 0;
	for (uint32_t i = 0; i < s->n_objs; i++)
		if (s->objs[i].kind <= MANIFEST_NETPOL)
			n[s->objs[i].kind]++;
}

static bool pod_local(const struct manifest_model_opts *opts,
		const json_t *raw)
{
	const char *node;

	if (opts == NULL)
		return false;
	if (opts->all_local)
		return true;
	if (opts->node_name == NULL)
		return false;
	node = manifest_pod_node(raw);
	return node == NULL || strcmp(node, opts->node_name) == 0;
}

static int alloc_arrays(struct acl_model *m, const uint32_t n[3])
{
	if (n[MANIFEST_NAMESPACE] > 0)
		m->namespaces = calloc(n[MANIFEST_NAMESPACE], sizeof(*m->namespaces));
	if (n[MANIFEST_POD] > 0)
		m->pods = calloc(n[MANIFEST_POD], sizeof(*m->pods));
	if (n[MANIFEST_NETPOL] > 0)
		m->policies = calloc(n[MANIFEST_NETPOL], sizeof(*m->policies));
	if ((n[MANIFEST_NAMESPACE] > 0 && m->namespaces == NULL) ||
			(n[MANIFEST_POD] > 0 && m->pods == NULL) ||
			(n[MANIFEST_NETPOL] > 0 && m->policies == NULL))
		return -ENOMEM;
	return 0;
}

/* Convert one object into the next free slot of its array. */
static int convert(struct manifest_ctx *c, const struct manifest_obj *o,
		const struct manifest_model_opts *opts, struct acl_model *m)
{
	int rc;

	switch (o->kind) {
	case MANIFEST_NAMESPACE:
		return manifest_namespace_conv(c, o->raw, &m->namespaces[m->n_namespaces++]);
	case MANIFEST_POD:
		rc = manifest_pod_conv(c, o->raw, &m->pods[m->n_pods]);
		m->pods[m->n_pods++].local = pod_local(opts, o->raw);
		return rc;
	case MANIFEST_NETPOL:
		return manifest_netpol_conv(c, o->raw, &m->policies[m->n_policies++]);
	default:
		return 0;
	}
}

int manifest_set_model(const struct manifest_set *s,
		const struct manifest_model_opts *opts, struct acl_model *m,
		struct ctl_err *err)
{
	struct manifest_ctx c;
	uint32_t n[3];
	int rc;

	memset(m, 0, sizeof(*m));
	count_kinds(s, n);
	rc = alloc_arrays(m, n);
	for (uint32_t i = 0; rc == 0 && i < s->n_objs; i++) {
		manifest_ctx_init(&c, s->objs[i].source, NULL, "", err);
		rc = convert(&c, &s->objs[i], opts, m);
	}
	if (rc < 0) {
		acl_model_clear(m);
		if (rc == -ENOMEM)
			manifest_err_loc(err, ENOMEM, "manifests", 0, 0, "out of memory");
	}
	return rc;
}
