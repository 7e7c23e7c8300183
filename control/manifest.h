/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * manifest.h: Kubernetes manifests (YAML or JSON, as kubectl users write
 * them) loaded, validated like the API server does, and turned into an
 * acl_model (acl/acl_model.h).
 *
 * A manifest_set holds the objects loaded so far, each as its raw JSON tree
 * (jansson) with where it came from. Loading is all or nothing: one bad
 * object in a file (or buffer, or directory) refuses the whole load, the
 * set is left as it was and err names the file, line and column, the object
 * and the field (JSON pointer). An object that is already in the set (same
 * kind, namespace and name) is replaced, as `kubectl apply` does.
 *
 * Kinds: Namespace, Pod (v1) and NetworkPolicy (networking.k8s.io/v1) are
 * validated and become part of the model. Node (v1) and every
 * projectcalico.org/v3 kind are checked only at the top level and kept raw
 * (with a warning) for later work. Any other kind is skipped with a
 * warning. See docs/manifests.md.
 *
 * Neighbours: manifest_yaml.c turns YAML into JSON trees with positions,
 * manifest_load.c reads files and splits documents, manifest_check.c holds
 * the field checks, manifest_k8s.c the per-kind validation and conversion.
 * npvsctl reach (ctl_reach.c) and npvsd's apply use this API.
 *
 * Thread-safety: none; a set is used by one thread at a time. Functions on
 * different sets may run concurrently.
 */
#ifndef NPVS_MANIFEST_H
#define NPVS_MANIFEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "acl_model.h"

struct ctl_err;         /* ctl_cmds.h: {code (positive errno), msg, where} */
struct json_t;          /* jansson's json_t */

/** What a loaded object is, for the model and for later work. */
enum manifest_kind {
	MANIFEST_NAMESPACE,     /**< v1 Namespace: in the model */
	MANIFEST_POD,           /**< v1 Pod: in the model */
	MANIFEST_NETPOL,        /**< networking.k8s.io/v1 NetworkPolicy: in the model */
	MANIFEST_NODE,          /**< v1 Node: kept raw; npvsd makes tunnels of them */
	MANIFEST_CALICO,        /**< any projectcalico.org/v3 kind: kept raw */
};

/** One loaded object. */
struct manifest_obj {
	enum manifest_kind kind;
	char *api_version;      /**< as written, e.g. "networking.k8s.io/v1" */
	char *kind_name;        /**< as written, e.g. "NetworkPolicy" */
	char *ns;               /**< namespace; NULL for cluster-scoped kinds */
	char *name;
	char *source;           /**< file name (or the buffer's name) */
	uint32_t line;          /**< where the object starts; 0: unknown */
	struct json_t *raw;     /**< the object as loaded (one reference owned) */
};

/**
 * Loaded objects in load order, plus the warnings of every load: a load
 * appends its own at the end (warnings[n before the load .. n_warnings)).
 */
struct manifest_set {
	struct manifest_obj *objs;
	uint32_t n_objs;
	char **warnings;        /**< one line each, e.g. skipped kinds */
	uint32_t n_warnings;
	struct json_t *index;   /**< internal: identity -> position in objs */
	uint32_t cap;           /**< internal: room in objs */
};

/** Start an empty set. */
void manifest_set_init(struct manifest_set *s);

/** Free everything a set holds and leave it empty. */
void manifest_set_clear(struct manifest_set *s);

/**
 * Load a file, a directory (its *.yaml, *.yml and *.json files, sorted by
 * name, not recursive, as `kubectl apply -f DIR`) or standard input ("-").
 * YAML (multi-document, `kind: List`) or JSON (one object, a List, or
 * several objects one after another); a file is JSON when its name ends
 * in .json, standard input when its first non-blank byte is '{' or '['.
 * @return 0, or a negative errno (-EINVAL invalid input, -ENOENT, -EIO,
 * -ENOMEM...) with err filled and the set unchanged.
 */
int manifest_load_path(const char *path, struct manifest_set *s,
		struct ctl_err *err);

/**
 * Load manifests from memory; name is used in messages as the file name
 * (npvsd passes the file name npvsctl apply read them from). The format is
 * sniffed as for standard input. buf need not be NUL-terminated.
 * @return as manifest_load_path().
 */
int manifest_load_buffer(const char *name, const char *buf, size_t len,
		struct manifest_set *s, struct ctl_err *err);

/**
 * Copy a set (for a load that may have to be undone: load into the copy,
 * keep whichever set wins, clear the other). Raw objects are shared with
 * src (reference counted; nothing here modifies them). A set is plain data:
 * `*a = *b` moves it.
 * @return 0, or -ENOMEM with dst empty.
 */
int manifest_set_copy(const struct manifest_set *src,
		struct manifest_set *dst);

/**
 * Move every object (and warning) of src into dst, each replacing an
 * object of the same identity (in place) or appended, as loading src's
 * texts into dst would; src is left empty. For a load validated in a
 * staging set and kept once the change went through.
 * @return 0, or -ENOMEM (dst then lacks some of src's objects).
 */
int manifest_set_move(struct manifest_set *dst, struct manifest_set *src);

/**
 * Find an object. ns is ignored for cluster-scoped kinds.
 * @return the object, or NULL.
 */
const struct manifest_obj *manifest_set_find(const struct manifest_set *s,
		enum manifest_kind kind, const char *ns, const char *name);

/**
 * Remove an object (for `delete`). @return 0, or -ENOENT.
 */
int manifest_set_del(struct manifest_set *s, enum manifest_kind kind,
		const char *ns, const char *name);

/** Options for manifest_set_model(). */
struct manifest_model_opts {
	bool all_local;         /**< mark every pod local (npvsctl reach) */
	const char *node_name;  /**< else: pods with spec.nodeName equal to this
	                             (or with no nodeName) are local; NULL: none */
};

/**
 * Build the policy model of every Namespace, Pod and NetworkPolicy in the
 * set (already validated when they were loaded). The model is filled
 * from scratch: call acl_model_clear() on it when done.
 * @return 0, or -ENOMEM with err filled (and m left empty).
 */
int manifest_set_model(const struct manifest_set *s,
		const struct manifest_model_opts *opts, struct acl_model *m,
		struct ctl_err *err);

/** "Namespace", "Pod", ... for messages. */
const char *manifest_kind_str(enum manifest_kind kind);

#endif /* NPVS_MANIFEST_H */
