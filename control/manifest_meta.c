/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * manifest_meta.c: ObjectMeta validation shared by every kind, as the API
 * server's ValidateObjectMeta does it for what npvs reads: a name (DNS
 * subdomain, or DNS label for Namespaces), a namespace (DNS label,
 * "default" when left out), labels (qualified names, values of 63
 * characters), annotations (qualified keys, 256 KiB in all), and no
 * unknown fields (kubectl --validate=strict).
 *
 * Thread-safety: none; a context belongs to one load.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "manifest_priv.h"

/** ObjectMeta's fields (k8s.io/apimachinery/pkg/apis/meta/v1). */
static const char *const meta_fields[] = {
	"name", "generateName", "namespace", "selfLink", "uid",
	"resourceVersion", "generation", "creationTimestamp",
	"deletionTimestamp", "deletionGracePeriodSeconds", "labels",
	"annotations", "ownerReferences", "finalizers", "managedFields",
	NULL,
};

/* Fields of ObjectMeta that are strings or integers; checked for type. */
static const char *const meta_strings[] = {
	"generateName", "selfLink", "uid", "resourceVersion",
	"creationTimestamp", "deletionTimestamp", NULL,
};
static const char *const meta_ints[] = {
	"generation", "deletionGracePeriodSeconds", NULL,
};
static const char *const meta_arrays[] = {
	"ownerReferences", "finalizers", "managedFields", NULL,
};

#define ANNOTATIONS_MAX (256 * 1024)

static int meta_types(struct manifest_ctx *c, const json_t *meta)
{
	const char *s;
	long long i;
	const json_t *a;
	int rc = 0;

	for (const char *const *f = meta_strings; rc >= 0 && *f; f++)
		rc = manifest_get_str(c, meta, *f, &s);
	for (const char *const *f = meta_ints; rc >= 0 && *f; f++)
		rc = manifest_get_int(c, meta, *f, &i);
	for (const char *const *f = meta_arrays; rc >= 0 && *f; f++)
		rc = manifest_get_arr(c, meta, *f, &a);
	return rc < 0 ? rc : 0;
}

/* Keys are qualified names (compared lower-cased), values strings. */
static int annotations(struct manifest_ctx *c, const json_t *meta)
{
	const json_t *map, *v;
	const char *k, *why;
	char low[320];
	size_t total = 0, saved;
	int rc = manifest_get_obj(c, meta, "annotations", &map);

	if (rc <= 0)
		return rc;
	saved = manifest_push(c, "annotations");
	json_object_foreach((json_t *)map, k, v) {
		size_t n = strlen(k);

		for (size_t i = 0; i < n && i < sizeof(low) - 1; i++)
			low[i] = (char)tolower((unsigned char)k[i]);
		low[n < sizeof(low) - 1 ? n : sizeof(low) - 1] = '\0';
		if (n >= sizeof(low) - 1)
			why = "must be no more than 316 characters";
		else
			why = manifest_bad_qualified_name(low);
		if (why != NULL)
			return manifest_fail_at(c, k, "invalid annotation key \"%s\": %s",
					k, why);
		if (!json_is_string(v))
			return manifest_fail_at(c, k, "annotation value must be a string, " \
					"not %s", manifest_type_name(v));
		total += n + json_string_length(v);
	}
	if (total > ANNOTATIONS_MAX)
		return manifest_fail(c, "annotations may not exceed %d bytes in all",
				ANNOTATIONS_MAX);
	manifest_pop(c, saved);
	return 0;
}

static int meta_name(struct manifest_ctx *c, const json_t *meta, bool name_is_label,
		struct manifest_meta *out)
{
	const char *gen = NULL, *why;

	if (out->name == NULL || out->name[0] == '\0') {
		if (manifest_get_str(c, meta, "generateName", &gen) > 0)
			return manifest_fail_at(c, "name", "required value: generateName " \
					"is not supported, give a name");
		return manifest_fail_at(c, "name", "required value: name is required");
	}
	why = name_is_label ? manifest_bad_dns_label(out->name) :
		manifest_bad_dns_subdomain(out->name);
	if (why != NULL)
		return manifest_fail_at(c, "name", "invalid name \"%s\": %s", out->name,
				why);
	return 0;
}

static int meta_namespace(struct manifest_ctx *c, bool namespaced,
		struct manifest_meta *out)
{
	const char *why;

	if (!namespaced) {
		/* kubectl ignores a namespace on cluster-scoped kinds */
		out->ns = NULL;
		c->ns = NULL;
		return 0;
	}
	why = manifest_bad_dns_label(out->ns);
	if (why != NULL)
		return manifest_fail_at(c, "namespace", "invalid namespace \"%s\": %s",
				out->ns, why);
	return 0;
}

/* Read name and namespace first, so that every message names the object. */
static int meta_ids(struct manifest_ctx *c, const json_t *meta, bool namespaced,
		struct manifest_meta *out)
{
	int rc;

	if ((rc = manifest_get_str(c, meta, "name", &out->name)) < 0 ||
			(rc = manifest_get_str(c, meta, "namespace", &out->ns)) < 0)
		return rc;
	if (namespaced && (out->ns == NULL || out->ns[0] == '\0'))
		out->ns = "default";
	if (out->name != NULL && out->name[0] != '\0')
		c->name = out->name;
	c->ns = namespaced ? out->ns : NULL;
	return 0;
}

int manifest_meta_check(struct manifest_ctx *c, const json_t *obj, bool namespaced,
		bool name_is_label, bool strict, struct manifest_meta *out)
{
	const json_t *meta;
	struct acl_labels scratch = { NULL, 0 };
	size_t saved;
	int rc = manifest_get_obj(c, obj, "metadata", &meta);

	memset(out, 0, sizeof(*out));
	if (rc < 0)
		return rc;
	if (rc == 0)
		return manifest_fail_at(c, "metadata", "required value: metadata with " \
				"a name is required");
	saved = manifest_push(c, "metadata");
	rc = meta_ids(c, meta, namespaced, out);
	if (rc == 0)
		rc = meta_namespace(c, namespaced, out);
	if (rc == 0)
		rc = meta_name(c, meta, name_is_label, out);
	if (rc == 0 && strict)
		rc = manifest_only(c, meta, meta_fields);
	if (rc == 0)
		rc = meta_types(c, meta);
	if (rc == 0)
		rc = annotations(c, meta);
	if (rc == 0)
		rc = manifest_labels(c, meta, "labels", &scratch);
	for (uint32_t i = 0; i < scratch.n; i++) {
		free(scratch.v[i].key);
		free(scratch.v[i].value);
	}
	free(scratch.v);
	if (rc < 0)
		return rc;
	manifest_pop(c, saved);
	return 0;
}
