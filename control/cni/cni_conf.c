/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cni_conf.c: the network configuration npvs-cni reads on stdin (one
 * plugin of a conflist, with name and cniVersion injected by the runtime;
 * docs/cni.md lists every field). Parsing is jansson's; this file checks
 * types and values, fills defaults, and merges the per-pod choices
 * (runtimeConfig, args.cni, CNI_ARGS) into the interface type.
 *
 * Error codes: 6 for text that is not JSON, 1 for a cniVersion the plugin
 * does not speak, 2 for a field it knows but does not support, 4 for
 * anything else wrong.
 */
#include "cni.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

/* Copy an optional string field; wrong type or too long: code 4. */
static int
conf_str(json_t *root, const char *key, char *dst, size_t size,
		bool required, struct cni_err *err)
{
	json_t *v = json_object_get(root, key);

	if (v == NULL) {
		if (required)
			return cni_errf(err, CNI_ERR_INVALID_CONFIG, EINVAL,
					"network config: \"%s\" is missing", key);
		return 0;
	}
	if (!json_is_string(v))
		return cni_errf(err, CNI_ERR_INVALID_CONFIG, EINVAL,
				"network config: \"%s\" must be a string", key);
	if (json_string_length(v) >= size)
		return cni_errf(err, CNI_ERR_INVALID_CONFIG, EINVAL,
				"network config: \"%s\" is too long", key);
	if (required && json_string_length(v) == 0)
		return cni_errf(err, CNI_ERR_INVALID_CONFIG, EINVAL,
				"network config: \"%s\" is empty", key);
	strcpy(dst, json_string_value(v));
	return 0;
}

static int
conf_abs_path(json_t *root, const char *key, char *dst, size_t size,
		struct cni_err *err)
{
	int rc = conf_str(root, key, dst, size, false, err);

	if (rc == 0 && dst[0] != '/')
		return cni_errf(err, CNI_ERR_INVALID_CONFIG, EINVAL,
				"network config: \"%s\" must be an absolute path",
				key);
	return rc;
}

static int
conf_uint(json_t *root, const char *key, unsigned int *dst,
		unsigned int min, unsigned int max, struct cni_err *err)
{
	json_t *v = json_object_get(root, key);

	if (v == NULL)
		return 0;
	if (!json_is_integer(v) || json_integer_value(v) < min ||
	    json_integer_value(v) > max)
		return cni_errf(err, CNI_ERR_INVALID_CONFIG, EINVAL,
				"network config: \"%s\" must be an integer from %u to %u",
				key, min, max);
	*dst = (unsigned int)json_integer_value(v);
	return 0;
}

static int
conf_version(struct cni_conf *conf, enum cni_cmd cmd, struct cni_err *err)
{
	int rc = conf_str(conf->root, "cniVersion", conf->version,
			  sizeof(conf->version), cmd != CNI_CMD_VERSION, err);

	if (rc < 0 || cmd == CNI_CMD_VERSION)
		return rc;
	if (!cni_version_supported(conf->version)) {
		cni_errf(err, CNI_ERR_INCOMPATIBLE_VERSION, EINVAL,
			 "incompatible CNI versions");
		cni_err_details(err,
			"config is \"%s\", plugin supports [\"0.4.0\" \"1.0.0\" \"1.1.0\"]",
			conf->version);
		return -EINVAL;
	}
	if ((cmd == CNI_CMD_STATUS || cmd == CNI_CMD_GC) &&
	    cni_version_cmp(conf->version, "1.1.0") < 0)
		return cni_errf(err, CNI_ERR_INCOMPATIBLE_VERSION, EINVAL,
				"%s needs cniVersion 1.1.0 or later, config is \"%s\"",
				cni_cmd_name(cmd), conf->version);
	return 0;
}

static int
conf_enums(struct cni_conf *conf, struct cni_err *err)
{
	char buf[32] = "";
	int rc;

	rc = conf_str(conf->root, "addressing", buf, sizeof(buf), false, err);
	if (rc < 0)
		return rc;
	if (buf[0] != '\0' && strcmp(buf, "calico") != 0 &&
	    strcmp(buf, "subnet") != 0)
		return cni_errf(err, CNI_ERR_INVALID_CONFIG, EINVAL,
				"network config: \"addressing\" must be \"calico\" or \"subnet\"");
	conf->addressing = strcmp(buf, "subnet") == 0 ? CNI_ADDR_SUBNET :
			   CNI_ADDR_CALICO;

	buf[0] = '\0';
	rc = conf_str(conf->root, "interfaceType", buf, sizeof(buf), false, err);
	if (rc == 0 && buf[0] != '\0' && cni_iftype_parse(buf, &conf->iftype) < 0)
		return cni_errf(err, CNI_ERR_INVALID_CONFIG, EINVAL,
				"network config: \"interfaceType\" must be \"veth\" or \"vhost-user\"");
	buf[0] = '\0';
	if (rc == 0)
		rc = conf_str(conf->root, "vhostMode", buf, sizeof(buf), false,
			      err);
	if (rc == 0 && buf[0] != '\0' &&
	    cni_vhost_mode_parse(buf, &conf->vhost_mode) < 0)
		return cni_errf(err, CNI_ERR_INVALID_CONFIG, EINVAL,
				"network config: \"vhostMode\" must be \"client\" or \"server\"");
	return rc;
}

static int
conf_ipam(struct cni_conf *conf, enum cni_cmd cmd, struct cni_err *err)
{
	bool needed = cmd == CNI_CMD_ADD || cmd == CNI_CMD_DEL ||
		      cmd == CNI_CMD_CHECK || cmd == CNI_CMD_GC;
	json_t *t;

	conf->ipam = json_object_get(conf->root, "ipam");
	if (conf->ipam == NULL) {
		if (needed)
			return cni_errf(err, CNI_ERR_INVALID_CONFIG, EINVAL,
					"network config: \"ipam\" is missing");
		return 0;
	}
	if (!json_is_object(conf->ipam))
		return cni_errf(err, CNI_ERR_INVALID_CONFIG, EINVAL,
				"network config: \"ipam\" must be an object");
	t = json_object_get(conf->ipam, "type");
	if (!json_is_string(t) || json_string_length(t) == 0 ||
	    json_string_length(t) >= sizeof(conf->ipam_type) ||
	    strchr(json_string_value(t), '/') != NULL)
		return cni_errf(err, CNI_ERR_INVALID_CONFIG, EINVAL,
				"network config: \"ipam.type\" must name a plugin");
	strcpy(conf->ipam_type, json_string_value(t));
	return 0;
}

static int
conf_special(struct cni_conf *conf, enum cni_cmd cmd, struct cni_err *err)
{
	json_t *v;

	v = json_object_get(conf->root, "ipMasq");
	if (json_is_true(v))
		return cni_errf(err, CNI_ERR_UNSUPPORTED_FIELD, EINVAL,
				"network config: \"ipMasq\" is not supported by npvs-cni (npvsd routes pod traffic)");
	conf->prev_result = json_object_get(conf->root, "prevResult");
	if (conf->prev_result != NULL && !json_is_object(conf->prev_result))
		return cni_errf(err, CNI_ERR_INVALID_CONFIG, EINVAL,
				"network config: \"prevResult\" must be an object");
	if (cmd == CNI_CMD_CHECK && conf->prev_result == NULL)
		return cni_errf(err, CNI_ERR_INVALID_CONFIG, EINVAL,
				"network config: CHECK needs \"prevResult\"");
	/* libcni sends both names (cni issue 1101). */
	v = json_object_get(conf->root, "cni.dev/valid-attachments");
	if (v == NULL)
		v = json_object_get(conf->root, "cni.dev/attachments");
	if (v != NULL && !json_is_array(v))
		return cni_errf(err, CNI_ERR_INVALID_CONFIG, EINVAL,
				"network config: \"cni.dev/valid-attachments\" must be an array");
	if (cmd == CNI_CMD_GC && v == NULL)
		return cni_errf(err, CNI_ERR_INVALID_CONFIG, EINVAL,
				"network config: GC needs \"cni.dev/valid-attachments\"");
	conf->valid_attachments = v;
	return 0;
}

static void
conf_defaults(struct cni_conf *conf)
{
	memset(conf, 0, sizeof(*conf));
	strcpy(conf->socket, CNI_SOCKET_DEFAULT);
	conf->mtu = CNI_MTU_DEFAULT;
	conf->addressing = CNI_ADDR_CALICO;
	strcpy(conf->vhost_dir, CNI_VHOST_DIR_DEFAULT);
	strcpy(conf->state_dir, CNI_STATE_DIR_DEFAULT);
	conf->timeout_ms = 5000;
}

static int
conf_fields(struct cni_conf *conf, enum cni_cmd cmd, struct cni_err *err)
{
	int rc;

	rc = conf_version(conf, cmd, err);
	if (rc < 0 || cmd == CNI_CMD_VERSION)
		return rc;
	rc = conf_str(conf->root, "name", conf->name, sizeof(conf->name),
		      true, err);
	if (rc == 0 && (strchr(conf->name, '/') != NULL ||
			strcmp(conf->name, ".") == 0 ||
			strcmp(conf->name, "..") == 0))
		rc = cni_errf(err, CNI_ERR_INVALID_CONFIG, EINVAL,
			      "network config: \"name\" must not contain '/'");
	if (rc == 0 && json_object_get(conf->root, "type") != NULL &&
	    !json_is_string(json_object_get(conf->root, "type")))
		rc = cni_errf(err, CNI_ERR_INVALID_CONFIG, EINVAL,
			      "network config: \"type\" must be a string");
	if (rc == 0)
		rc = conf_abs_path(conf->root, "socket", conf->socket,
				   sizeof(conf->socket), err);
	if (rc == 0)
		rc = conf_uint(conf->root, "mtu", &conf->mtu, 68, 65535, err);
	/* npvsd's bounds (vs_api.h, VS_MAX_FRAME_MIN/MAX) */
	if (rc == 0)
		rc = conf_uint(conf->root, "maxFrame", &conf->max_frame, 1514,
			       64432, err);
	if (rc == 0)
		rc = conf_uint(conf->root, "timeoutMs", &conf->timeout_ms, 100,
			       600000, err);
	if (rc == 0)
		rc = conf_enums(conf, err);
	if (rc == 0)
		rc = conf_abs_path(conf->root, "vhostDir", conf->vhost_dir,
				   sizeof(conf->vhost_dir), err);
	if (rc == 0)
		rc = conf_abs_path(conf->root, "stateDir", conf->state_dir,
				   sizeof(conf->state_dir), err);
	if (rc == 0)
		rc = conf_str(conf->root, "logFile", conf->log_file,
			      sizeof(conf->log_file), false, err);
	if (rc == 0)
		rc = conf_ipam(conf, cmd, err);
	if (rc == 0)
		rc = conf_special(conf, cmd, err);
	return rc;
}

int
cni_conf_parse(struct cni_conf *conf, const char *text, size_t len,
		enum cni_cmd cmd, struct cni_err *err)
{
	json_error_t jerr;

	conf_defaults(conf);
	if (cmd == CNI_CMD_VERSION && len == 0)
		return 0;       /* VERSION may come with nothing on stdin */
	if (len == 0)
		return cni_errf(err, CNI_ERR_DECODE, EINVAL,
				"no network configuration on stdin");
	conf->root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	if (conf->root == NULL) {
		cni_errf(err, CNI_ERR_DECODE, EINVAL,
			 "network config is not valid JSON");
		cni_err_details(err, "line %d, column %d: %s", jerr.line,
				jerr.column, jerr.text);
		return -EINVAL;
	}
	if (!json_is_object(conf->root))
		return cni_errf(err, CNI_ERR_DECODE, EINVAL,
				"network config must be a JSON object");
	return conf_fields(conf, cmd, err);
}

/* A per-pod override object ({"interfaceType": .., "vhostMode": ..}). */
static int
conf_override(struct cni_conf *conf, json_t *obj, const char *where,
		struct cni_err *err)
{
	json_t *t = json_object_get(obj, "interfaceType");
	json_t *m = json_object_get(obj, "vhostMode");

	if (t != NULL && (!json_is_string(t) ||
	    cni_iftype_parse(json_string_value(t), &conf->iftype) < 0))
		return cni_errf(err, CNI_ERR_INVALID_CONFIG, EINVAL,
				"%s.interfaceType must be \"veth\" or \"vhost-user\"",
				where);
	if (m != NULL && (!json_is_string(m) ||
	    cni_vhost_mode_parse(json_string_value(m), &conf->vhost_mode) < 0))
		return cni_errf(err, CNI_ERR_INVALID_CONFIG, EINVAL,
				"%s.vhostMode must be \"client\" or \"server\"",
				where);
	return 0;
}

int
cni_conf_resolve(struct cni_conf *conf, const struct cni_env *env,
		struct cni_err *err)
{
	json_t *args = json_object_get(conf->root, "args");
	json_t *rt = json_object_get(conf->root, "runtimeConfig");
	int rc = 0;

	/* lowest precedence first: config, CNI_ARGS, args.cni, runtimeConfig */
	if (env->iftype != CNI_IFTYPE_UNSET)
		conf->iftype = env->iftype;
	if (env->vhost_mode != CNI_VHOST_UNSET)
		conf->vhost_mode = env->vhost_mode;
	if (json_is_object(args) && json_is_object(json_object_get(args, "cni")))
		rc = conf_override(conf, json_object_get(args, "cni"),
				   "args.cni", err);
	if (rc == 0 && json_is_object(rt))
		rc = conf_override(conf, rt, "runtimeConfig", err);
	if (conf->iftype == CNI_IFTYPE_UNSET)
		conf->iftype = CNI_IFTYPE_VETH;
	if (conf->vhost_mode == CNI_VHOST_UNSET)
		conf->vhost_mode = CNI_VHOST_CLIENT;
	return rc;
}

void
cni_conf_free(struct cni_conf *conf)
{
	json_decref(conf->root);
	conf->root = NULL;
	conf->ipam = NULL;
	conf->prev_result = NULL;
	conf->valid_attachments = NULL;
}
