/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * manifest_pod.c: Pod and Namespace (v1) validation and conversion into
 * struct acl_pod / acl_namespace, for the fields policy depends on: labels,
 * spec.containers[].ports[] (named ports), status.podIP(s), spec.nodeName.
 * Pods carry far more than npvs reads; only metadata is checked for
 * unknown fields, the rest is checked where it is read, as the API server
 * validates it (container port names are IANA_SVC_NAMEs unique in the pod,
 * containerPort 1..65535, at most one pod IP per family).
 *
 * Thread-safety: none; a context belongs to one load.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "manifest_priv.h"

/* ---- named ports ---- */

static int has_port_name(const struct acl_pod *pod, const char *name)
{
	for (uint32_t i = 0; i < pod->n_ports; i++)
		if (strcmp(pod->ports[i].name, name) == 0)
			return 1;
	return 0;
}

static int container_port(struct manifest_ctx *c, const json_t *pj,
		struct acl_pod *pod)
{
	const char *name = NULL, *proto = "TCP", *why;
	long long n;
	uint8_t p;
	int rc;

	if (!json_is_object(pj))
		return manifest_fail(c, "must be an object, not %s", manifest_type_name(pj));
	if ((rc = manifest_get_int(c, pj, "containerPort", &n)) < 0)
		return rc;
	if (rc == 0)
		return manifest_fail_at(c, "containerPort", "required value");
	if (n < 1 || n > 65535)
		return manifest_fail_at(c, "containerPort", "invalid value %lld: must " \
				"be between 1 and 65535, inclusive", n);
	if ((rc = manifest_get_str(c, pj, "protocol", &proto)) < 0)
		return rc;
	if ((p = manifest_proto(proto)) == 0)
		return manifest_fail_at(c, "protocol", "unsupported value \"%s\": " \
				"supported values: \"TCP\", \"UDP\", \"SCTP\"", proto);
	if ((rc = manifest_get_str(c, pj, "name", &name)) <= 0)
		return rc;
	if ((why = manifest_bad_port_name(name)) != NULL)
		return manifest_fail_at(c, "name", "invalid port name \"%s\": %s", name,
				why);
	if (has_port_name(pod, name))
		return manifest_fail_at(c, "name", "duplicate value \"%s\": port names " \
				"must be unique in a pod", name);
	pod->ports[pod->n_ports].proto = p;
	pod->ports[pod->n_ports].port = (uint16_t)n;
	rc = manifest_strdup(c, name, &pod->ports[pod->n_ports].name);
	pod->n_ports++;
	return rc;
}

static int container(struct manifest_ctx *c, const json_t *cj, struct acl_pod *pod)
{
	const json_t *ports = NULL, *pj;
	const char *name = NULL, *why;
	size_t i, saved;
	struct acl_named_port *grown;
	int rc;

	if (!json_is_object(cj))
		return manifest_fail(c, "must be an object, not %s", manifest_type_name(cj));
	if ((rc = manifest_get_str(c, cj, "name", &name)) < 0)
		return rc;
	if (rc == 0)
		return manifest_fail_at(c, "name", "required value");
	if ((why = manifest_bad_dns_label(name)) != NULL)
		return manifest_fail_at(c, "name", "invalid name \"%s\": %s", name, why);
	if ((rc = manifest_get_arr(c, cj, "ports", &ports)) <= 0 ||
			json_array_size(ports) == 0)
		return rc;
	grown = realloc(pod->ports, (pod->n_ports + json_array_size(ports)) *
			sizeof(*grown));
	if (grown == NULL)
		return manifest_nomem(c);
	pod->ports = grown;
	saved = manifest_push(c, "ports");
	json_array_foreach(ports, i, pj) {
		size_t s2 = manifest_push_idx(c, i);

		if ((rc = container_port(c, pj, pod)) < 0)
			return rc;
		manifest_pop(c, s2);
	}
	manifest_pop(c, saved);
	return 0;
}

static int pod_spec(struct manifest_ctx *c, const json_t *obj, struct acl_pod *pod)
{
	const json_t *spec, *cs = NULL, *cj;
	const char *node;
	size_t i, saved;
	int rc = manifest_get_obj(c, obj, "spec", &spec);

	if (rc < 0)
		return rc;
	if (rc == 0)
		return manifest_fail_at(c, "spec", "required value: a pod needs a spec " \
				"with containers");
	saved = manifest_push(c, "spec");
	if ((rc = manifest_get_str(c, spec, "nodeName", &node)) < 0 ||
			(rc = manifest_get_arr(c, spec, "containers", &cs)) < 0)
		return rc;
	if (json_array_size(cs) == 0)
		return manifest_fail_at(c, "containers", "required value: at least " \
				"one container");
	manifest_push(c, "containers");
	json_array_foreach(cs, i, cj) {
		size_t s2 = manifest_push_idx(c, i);

		if ((rc = container(c, cj, pod)) < 0)
			return rc;
		manifest_pop(c, s2);
	}
	manifest_pop(c, saved);
	return 0;
}

/* ---- addresses ---- */

static int add_ip(struct manifest_ctx *c, const char *key, const char *s,
		struct acl_pod *pod)
{
	struct acl_addr a;
	const char *why = manifest_parse_ip(s, &a);

	if (why != NULL)
		return manifest_fail_at(c, key, "invalid value \"%s\": %s", s, why);
	for (uint32_t i = 0; i < pod->n_ips; i++) {
		if (pod->ips[i].family == a.family)
			return manifest_fail_at(c, key, "invalid value \"%s\": may " \
					"specify no more than one IP for each IP family", s);
	}
	pod->ips[pod->n_ips++] = a;
	return 0;
}

static int pod_ips(struct manifest_ctx *c, const json_t *status, struct acl_pod *pod)
{
	const json_t *ips = NULL, *e;
	const char *ip;
	size_t i, saved;
	int rc;

	if ((rc = manifest_get_arr(c, status, "podIPs", &ips)) < 0)
		return rc;
	if (json_array_size(ips) > 2)
		return manifest_fail_at(c, "podIPs", "must have at most 2 entries " \
				"(one per IP family)");
	saved = manifest_push(c, "podIPs");
	json_array_foreach(ips, i, e) {
		size_t s2 = manifest_push_idx(c, i);

		if (!json_is_object(e))
			return manifest_fail(c, "must be an object, not %s", manifest_type_name(e));
		if ((rc = manifest_get_str(c, e, "ip", &ip)) < 0)
			return rc;
		if (rc == 0)
			return manifest_fail_at(c, "ip", "required value");
		if ((rc = add_ip(c, "ip", ip, pod)) < 0)
			return rc;
		manifest_pop(c, s2);
	}
	manifest_pop(c, saved);
	return 0;
}

static int pod_status(struct manifest_ctx *c, const json_t *obj, struct acl_pod *pod)
{
	const json_t *status;
	const char *ip = NULL;
	struct acl_addr a;
	size_t saved;
	int rc = manifest_get_obj(c, obj, "status", &status);

	if (rc <= 0)
		return rc;
	pod->ips = calloc(2, sizeof(*pod->ips));
	if (pod->ips == NULL)
		return manifest_nomem(c);
	saved = manifest_push(c, "status");
	if ((rc = manifest_get_str(c, status, "podIP", &ip)) < 0 ||
			(rc = pod_ips(c, status, pod)) < 0)
		return rc;
	if (ip != NULL && ip[0] != '\0') {
		if (pod->n_ips == 0)
			rc = add_ip(c, "podIP", ip, pod);
		else if (manifest_parse_ip(ip, &a) != NULL)
			rc = manifest_fail_at(c, "podIP", "invalid value \"%s\": %s", ip,
					manifest_parse_ip(ip, &a));
		else if (memcmp(&a, &pod->ips[0], sizeof(a)) != 0)
			rc = manifest_fail_at(c, "podIP", "must be equal to podIPs[0].ip");
		if (rc < 0)
			return rc;
	}
	if (pod->n_ips == 0) {
		free(pod->ips);
		pod->ips = NULL;
	}
	manifest_pop(c, saved);
	return 0;
}

/* ---- kinds ---- */

int manifest_pod_conv(struct manifest_ctx *c, const json_t *obj, struct acl_pod *pod)
{
	struct manifest_meta m;
	size_t saved;
	int rc;

	c->kind = "Pod";
	if ((rc = manifest_meta_check(c, obj, true, false, true, &m)) < 0)
		return rc;
	if ((rc = manifest_strdup(c, m.ns, &pod->ns)) < 0 ||
			(rc = manifest_strdup(c, m.name, &pod->name)) < 0)
		return rc;
	saved = manifest_push(c, "metadata");
	if ((rc = manifest_labels(c, json_object_get(obj, "metadata"), "labels",
			&pod->labels)) < 0)
		return rc;
	manifest_pop(c, saved);
	if ((rc = pod_spec(c, obj, pod)) < 0)
		return rc;
	return pod_status(c, obj, pod);
}

const char *manifest_pod_node(const json_t *obj)
{
	const json_t *v = json_object_get(json_object_get(obj, "spec"),
			"nodeName");

	return json_is_string(v) ? json_string_value(v) : NULL;
}

int manifest_namespace_conv(struct manifest_ctx *c, const json_t *obj,
		struct acl_namespace *ns)
{
	struct manifest_meta m;
	size_t saved;
	int rc;

	c->kind = "Namespace";
	if ((rc = manifest_meta_check(c, obj, false, true, true, &m)) < 0)
		return rc;
	if ((rc = manifest_strdup(c, m.name, &ns->name)) < 0)
		return rc;
	saved = manifest_push(c, "metadata");
	if ((rc = manifest_labels(c, json_object_get(obj, "metadata"), "labels",
			&ns->labels)) < 0)
		return rc;
	manifest_pop(c, saved);
	return 0;
}
