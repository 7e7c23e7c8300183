/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * manifest_priv.h: what the manifest_*.c files share and nobody else
 * uses: parsed documents with node positions, the validation context that
 * formats located errors, and the field checks.
 *
 * Error format (docs/manifests.md):
 *   FILE:LINE:COL: KIND NS/NAME: /json/pointer: message
 * LINE:COL is where the field (its key, for a mapping member) was written;
 * it is left out when unknown. The pointer is relative to the object (an
 * item of a List gives /spec/..., not /items/3/spec/...).
 *
 * Thread-safety: none; one context per load.
 */
#ifndef NPVS_MANIFEST_PRIV_H
#define NPVS_MANIFEST_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "acl_model.h"
#include "manifest.h"

struct ctl_err;

/** Deepest nesting a document may have (YAML or JSON). */
#define MANIFEST_DEPTH_MAX 256

/** Most nodes one YAML document may expand to through aliases. */
#define MANIFEST_NODES_MAX (1u << 22)

/** Room for an object's identity: kind, Calico kind, namespace, name. */
#define MANIFEST_KEY_MAX 512

/** Largest input file or buffer. */
#define MANIFEST_INPUT_MAX (64u << 20)

/** A position in a document's pos map: line << 32 | column (1-based). */
#define MANIFEST_POS(line, col) (((json_int_t)(line) << 32) | (json_int_t)(col))
#define MANIFEST_POS_LINE(p) ((uint32_t)((p) >> 32))
#define MANIFEST_POS_COL(p) ((uint32_t)((p) & 0xffffffff))

/** One parsed document. */
struct manifest_doc {
	json_t *root;           /**< NULL for an empty document */
	json_t *pos;            /**< pointer -> MANIFEST_POS(); NULL: unknown */
	uint32_t line;          /**< 1-based line where the document starts */
};

/* ---- manifest_yaml.c ---- */

/**
 * Parse a YAML stream into documents, recording the 1-based line and
 * column of every node by JSON pointer (of the key, for mapping members).
 * Plain scalars resolve as Kubernetes' YAML reader does (YAML 1.1: null,
 * bools y/yes/on..., ints 0x/0o/0b/octal with _, floats); quoted ones stay
 * strings. Duplicate keys are an error.
 * @return 0, or -EINVAL with err filled ("source:line:col: YAML: ...").
 */
int manifest_yaml_parse(const char *source, const char *buf, size_t len,
		struct manifest_doc **docs, uint32_t *n_docs, struct ctl_err *err);

/**
 * manifest_yaml_parse() recording positions only down to depth pos_depth
 * (0: the root, 1: its members, 2: "/items/N"...; UINT32_MAX: all). Enough
 * for the lines of objects; a load does this first and parses again with
 * every position only to place an error (a position map costs two
 * allocations per node).
 */
int manifest_yaml_parse_depth(const char *source, const char *buf,
		size_t len, uint32_t pos_depth, struct manifest_doc **docs,
		uint32_t *n_docs, struct ctl_err *err);

/** Free documents from manifest_yaml_parse() or manifest_json_parse(). */
void manifest_docs_free(struct manifest_doc *docs, uint32_t n);

/* ---- manifest_load.c ---- */

/**
 * Parse a JSON stream (one value or several in a row) with jansson; node
 * positions come from parsing the same text as YAML when that gives the
 * same values.
 */
int manifest_json_parse(const char *source, const char *buf, size_t len,
		struct manifest_doc **docs, uint32_t *n_docs, struct ctl_err *err);

/* ---- validation context (manifest_check.c) ---- */

#define MANIFEST_PATH_MAX 1024

/** Where the validator is: the object, the field, and where to report. */
struct manifest_ctx {
	const char *source;     /**< file name */
	const json_t *pos;      /**< the document's positions, or NULL */
	const char *base;       /**< pointer of the object in the document */
	const char *kind;       /**< for messages: "NetworkPolicy" */
	const char *ns;         /**< known namespace, or NULL */
	const char *name;       /**< known name, or NULL */
	char path[MANIFEST_PATH_MAX]; /**< pointer of the current field in the object */
	size_t path_len;
	struct ctl_err *err;
};

/** Start a context for one object. */
void manifest_ctx_init(struct manifest_ctx *c, const char *source, const json_t *pos,
		const char *base, struct ctl_err *err);

/**
 * Append a member name (escaped as RFC 6901 says) to the current path.
 * @return the previous length, for manifest_pop().
 */
size_t manifest_push(struct manifest_ctx *c, const char *key);

/** Append an array index to the current path. @return as manifest_push(). */
size_t manifest_push_idx(struct manifest_ctx *c, size_t idx);

/** Go back to a length manifest_push() returned. */
void manifest_pop(struct manifest_ctx *c, size_t len);

/**
 * Fail at the current path: fill err with the located message.
 * @return -EINVAL.
 */
int manifest_fail(struct manifest_ctx *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/** Fail at the current path plus key (the path is left unchanged). */
int manifest_fail_at(struct manifest_ctx *c, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/** Fail for lack of memory. @return -ENOMEM. */
int manifest_nomem(struct manifest_ctx *c);

/**
 * Fill err with a located message that names no object (parse errors).
 * line 0: no position. @return -code.
 */
int manifest_err_loc(struct ctl_err *err, int code, const char *source,
		uint32_t line, uint32_t col, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));

/** 1-based line and column of a pointer (or its nearest ancestor). */
bool manifest_pos_lookup(const json_t *pos, const char *ptr, uint32_t *line,
		uint32_t *col);

/* ---- typed access: 1 present, 0 absent or null, <0 error (reported) ---- */

/** Refuse members not in allowed (NULL-terminated), like --validate=strict. */
int manifest_only(struct manifest_ctx *c, const json_t *obj, const char *const *allowed);

int manifest_get_obj(struct manifest_ctx *c, const json_t *obj, const char *key,
		const json_t **out);
int manifest_get_arr(struct manifest_ctx *c, const json_t *obj, const char *key,
		const json_t **out);
int manifest_get_str(struct manifest_ctx *c, const json_t *obj, const char *key,
		const char **out);
int manifest_get_int(struct manifest_ctx *c, const json_t *obj, const char *key,
		long long *out);

/** The JSON type of a value, for messages ("string", "integer"...). */
const char *manifest_type_name(const json_t *v);

/* ---- Kubernetes formats: NULL when valid, else why not ---- */

const char *manifest_bad_dns_label(const char *s);      /* RFC 1123 label, 63 */
const char *manifest_bad_dns_subdomain(const char *s);  /* RFC 1123 subdomain, 253 */
const char *manifest_bad_qualified_name(const char *s); /* label key */
const char *manifest_bad_label_value(const char *s);
const char *manifest_bad_port_name(const char *s);      /* IANA_SVC_NAME */

/**
 * Parse an IP address strictly (no leading zeros, no IPv4-mapped IPv6).
 * @return NULL, or why not.
 */
const char *manifest_parse_ip(const char *s, struct acl_addr *out);

/**
 * Parse a CIDR strictly, as Kubernetes' StrictIPCIDRValidation does: no
 * leading zeros, no bits set beyond the prefix length.
 * @return NULL, or why not.
 */
const char *manifest_parse_cidr(const char *s, struct acl_prefix *out);

/** Whether b is a strict subset of a (same family, longer, inside). */
bool manifest_prefix_strict_subset(const struct acl_prefix *a,
		const struct acl_prefix *b);

/** Validate a string-to-string label map at key and copy it to out. */
int manifest_labels(struct manifest_ctx *c, const json_t *obj, const char *key,
		struct acl_labels *out);

/** Validate a LabelSelector at key (strictly) and copy it to out. */
int manifest_selector(struct manifest_ctx *c, const json_t *obj, const char *key,
		struct acl_selector *out);

/** "TCP"/"UDP"/"SCTP" to ACL_PROTO_*; 0 when none of them. */
uint8_t manifest_proto(const char *s);

/** ACL_PROTO_* to "TCP"/"UDP"/"SCTP". */
const char *manifest_proto_str(uint8_t proto);

/* ---- per kind (manifest_meta.c, manifest_netpol.c, manifest_pod.c) ---- */

/** What metadata gave. Strings point into the JSON tree. */
struct manifest_meta {
	const char *name;
	const char *ns;         /**< defaulted to "default" when namespaced */
	uint32_t line;
};

/**
 * Validate metadata: name present and valid (DNS subdomain, or label for
 * Namespaces), namespace a DNS label, labels and annotations valid;
 * strict: no unknown ObjectMeta fields. Sets c->ns and c->name.
 */
int manifest_meta_check(struct manifest_ctx *c, const json_t *obj, bool namespaced,
		bool name_is_label, bool strict, struct manifest_meta *out);

/** Validate and convert a NetworkPolicy into *np (zeroed by the caller). */
int manifest_netpol_conv(struct manifest_ctx *c, const json_t *obj, struct acl_netpol *np);

/** Validate and convert a Pod into *pod (zeroed by the caller). */
int manifest_pod_conv(struct manifest_ctx *c, const json_t *obj, struct acl_pod *pod);

/** Validate and convert a Namespace into *ns (zeroed by the caller). */
int manifest_namespace_conv(struct manifest_ctx *c, const json_t *obj,
		struct acl_namespace *ns);

/** The spec.nodeName of a Pod, or NULL. */
const char *manifest_pod_node(const json_t *obj);

/** strdup that reports -ENOMEM through c. */
int manifest_strdup(struct manifest_ctx *c, const char *s, char **out);

#endif /* NPVS_MANIFEST_PRIV_H */
