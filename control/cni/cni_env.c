/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cni_env.c: the CNI_* environment variables of one call (SPEC.md
 * "Parameters"): which are needed by which command, their validation
 * (error code 7), and CNI_ARGS ("K=V;K=V") with the keys npvs-cni reads:
 * K8S_POD_NAMESPACE, K8S_POD_NAME, NPVS_INTERFACE_TYPE, NPVS_VHOST_MODE.
 * CNI_ARGS itself is passed to the IPAM plugin unchanged.
 */
#include "cni.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const cmd_names[] = {
	[CNI_CMD_ADD] = "ADD",
	[CNI_CMD_DEL] = "DEL",
	[CNI_CMD_CHECK] = "CHECK",
	[CNI_CMD_VERSION] = "VERSION",
	[CNI_CMD_STATUS] = "STATUS",
	[CNI_CMD_GC] = "GC",
};

int
cni_cmd_parse(const char *s, enum cni_cmd *out)
{
	size_t i;

	if (s == NULL)
		return -EINVAL;
	for (i = 0; i < sizeof(cmd_names) / sizeof(cmd_names[0]); i++) {
		if (strcmp(s, cmd_names[i]) == 0) {
			*out = (enum cni_cmd)i;
			return 0;
		}
	}
	return -EINVAL;
}

const char *
cni_cmd_name(enum cni_cmd cmd)
{
	return (unsigned int)cmd < sizeof(cmd_names) / sizeof(cmd_names[0]) ?
		cmd_names[cmd] : "?";
}

bool
cni_ifname_valid(const char *s)
{
	size_t n;

	if (s == NULL)
		return false;
	n = strlen(s);
	if (n == 0 || n >= CNI_IFNAME_MAX || strcmp(s, ".") == 0 ||
	    strcmp(s, "..") == 0)
		return false;
	for (; *s != '\0'; s++)
		if (*s == '/' || *s == ':' || isspace((unsigned char)*s))
			return false;
	return true;
}

bool
cni_container_id_valid(const char *s)
{
	if (s == NULL || !isalnum((unsigned char)*s) ||
	    strlen(s) >= CNI_ID_MAX)
		return false;
	for (s++; *s != '\0'; s++)
		if (!isalnum((unsigned char)*s) && *s != '_' && *s != '.' &&
		    *s != '-')
			return false;
	return true;
}

int
cni_iftype_parse(const char *s, enum cni_iftype *out)
{
	if (strcmp(s, "veth") == 0)
		*out = CNI_IFTYPE_VETH;
	else if (strcmp(s, "vhost-user") == 0 || strcmp(s, "vhostuser") == 0)
		*out = CNI_IFTYPE_VHOST;
	else
		return -EINVAL;
	return 0;
}

int
cni_vhost_mode_parse(const char *s, enum cni_vhost_mode *out)
{
	if (strcmp(s, "client") == 0)
		*out = CNI_VHOST_CLIENT;
	else if (strcmp(s, "server") == 0)
		*out = CNI_VHOST_SERVER;
	else
		return -EINVAL;
	return 0;
}

/* ---- CNI_ARGS ---- */

/* One KEY=VALUE pair of CNI_ARGS; unknown keys are ignored. */
static int
args_pair(struct cni_env *env, const char *key, size_t klen,
		const char *val, struct cni_err *err)
{
	size_t vlen = strlen(val);

#define KEY_IS(k) (klen == sizeof(k) - 1 && strncmp(key, k, klen) == 0)
	if (KEY_IS("K8S_POD_NAMESPACE")) {
		if (vlen >= sizeof(env->k8s_ns))
			goto err_too_long;
		memcpy(env->k8s_ns, val, vlen + 1);
	} else if (KEY_IS("K8S_POD_NAME")) {
		if (vlen >= sizeof(env->k8s_pod))
			goto err_too_long;
		memcpy(env->k8s_pod, val, vlen + 1);
	} else if (KEY_IS("NPVS_INTERFACE_TYPE")) {
		if (cni_iftype_parse(val, &env->iftype) < 0)
			return cni_errf(err, CNI_ERR_INVALID_ENV, EINVAL,
				"CNI_ARGS: NPVS_INTERFACE_TYPE=%s: want veth or vhost-user",
				val);
	} else if (KEY_IS("NPVS_VHOST_MODE")) {
		if (cni_vhost_mode_parse(val, &env->vhost_mode) < 0)
			return cni_errf(err, CNI_ERR_INVALID_ENV, EINVAL,
				"CNI_ARGS: NPVS_VHOST_MODE=%s: want client or server",
				val);
	}
#undef KEY_IS
	return 0;

err_too_long:
	return cni_errf(err, CNI_ERR_INVALID_ENV, EINVAL,
			"CNI_ARGS: value of %.*s too long", (int)klen, key);
}

int
cni_args_parse(struct cni_env *env, const char *args, struct cni_err *err)
{
	char *copy, *pair, *save = NULL, *eq;
	int rc = 0;

	if (args == NULL || args[0] == '\0')
		return 0;
	copy = strdup(args);
	if (copy == NULL)
		return cni_errf(err, CNI_ERR_INTERNAL, ENOMEM, "out of memory");
	for (pair = strtok_r(copy, ";", &save); pair != NULL && rc == 0;
	     pair = strtok_r(NULL, ";", &save)) {
		eq = strchr(pair, '=');
		if (eq == NULL || eq == pair) {
			rc = cni_errf(err, CNI_ERR_INVALID_ENV, EINVAL,
				"CNI_ARGS: invalid pair \"%s\"", pair);
			break;
		}
		rc = args_pair(env, pair, (size_t)(eq - pair), eq + 1, err);
	}
	free(copy);
	return rc;
}

/* ---- the environment ---- */

static const char *
env_get(const char *(*get)(const char *), const char *name)
{
	const char *v = get != NULL ? get(name) : getenv(name);

	return v != NULL ? v : "";
}

static int
env_copy(char *dst, size_t size, const char *val, const char *name,
		struct cni_err *err)
{
	if (strlen(val) >= size)
		return cni_errf(err, CNI_ERR_INVALID_ENV, EINVAL,
				"%s too long", name);
	strcpy(dst, val);
	return 0;
}

/* Which variables a command needs (SPEC.md: ADD, DEL, CHECK need the
 * container ID and interface, ADD and CHECK the netns; DEL may have an
 * empty one; VERSION and STATUS need nothing; GC needs CNI_PATH). */
static int
env_check(const struct cni_env *env, struct cni_err *err)
{
	bool attach = env->cmd == CNI_CMD_ADD || env->cmd == CNI_CMD_DEL ||
		      env->cmd == CNI_CMD_CHECK;

	if (attach && env->container_id[0] == '\0')
		return cni_errf(err, CNI_ERR_INVALID_ENV, EINVAL,
				"CNI_CONTAINERID is not set");
	if (attach && !cni_container_id_valid(env->container_id))
		return cni_errf(err, CNI_ERR_INVALID_ENV, EINVAL,
				"CNI_CONTAINERID \"%s\" is not a valid container ID",
				env->container_id);
	if (attach && !cni_ifname_valid(env->ifname))
		return cni_errf(err, CNI_ERR_INVALID_ENV, EINVAL,
				"CNI_IFNAME \"%s\" is not a valid interface name",
				env->ifname);
	if ((env->cmd == CNI_CMD_ADD || env->cmd == CNI_CMD_CHECK) &&
	    env->netns[0] == '\0')
		return cni_errf(err, CNI_ERR_INVALID_ENV, EINVAL,
				"CNI_NETNS is not set");
	if ((attach || env->cmd == CNI_CMD_GC) && env->path[0] == '\0')
		return cni_errf(err, CNI_ERR_INVALID_ENV, EINVAL,
				"CNI_PATH is not set");
	return 0;
}

int
cni_env_load(struct cni_env *env, const char *(*get)(const char *),
		struct cni_err *err)
{
	int rc;

	memset(env, 0, sizeof(*env));
	env->command = env_get(get, "CNI_COMMAND");
	if (env->command[0] == '\0')
		return cni_errf(err, CNI_ERR_INVALID_ENV, EINVAL,
				"CNI_COMMAND is not set");
	if (cni_cmd_parse(env->command, &env->cmd) < 0)
		return cni_errf(err, CNI_ERR_INVALID_ENV, EINVAL,
				"unknown CNI_COMMAND \"%s\"", env->command);
	if (env->cmd == CNI_CMD_VERSION)
		return 0;       /* the others may be "dummy" or anything */

	rc = env_copy(env->container_id, sizeof(env->container_id),
		      env_get(get, "CNI_CONTAINERID"), "CNI_CONTAINERID", err);
	if (rc == 0)
		rc = env_copy(env->netns, sizeof(env->netns),
			      env_get(get, "CNI_NETNS"), "CNI_NETNS", err);
	if (rc == 0)
		rc = env_copy(env->ifname, sizeof(env->ifname),
			      env_get(get, "CNI_IFNAME"), "CNI_IFNAME", err);
	if (rc == 0)
		rc = env_copy(env->path, sizeof(env->path),
			      env_get(get, "CNI_PATH"), "CNI_PATH", err);
	if (rc < 0)
		return rc;
	env->args = env_get(get, "CNI_ARGS");
	rc = env_check(env, err);
	if (rc < 0)
		return rc;
	return cni_args_parse(env, env->args, err);
}
