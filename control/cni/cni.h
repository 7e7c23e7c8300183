/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cni.h: the pieces of npvs-cni, the CNI plugin that attaches pods to
 * npvsd (docs/cni.md).
 *
 * The plugin is one short-lived, single-threaded process per CNI call:
 * cni_main.c reads the CNI_* environment (cni_env.c) and the network
 * configuration on stdin (cni_conf.c), runs the command (cni_cmd_*.c),
 * and prints exactly one JSON document (cni_result.c). The work is split
 * by what it touches:
 *   cni_ipam.c    delegated IPAM plugin (fork/exec, CNI_PATH, versions)
 *   cni_netns.c   network namespaces (setns, sockets inside a netns)
 *   cni_nl.c      rtnetlink: veth pair, addresses, routes, link state
 *   cni_ethtool.c offloads off (SIOCETHTOOL), as af_packet needs
 *   cni_npvsd.c   npvsd's control socket (ports, endpoints)
 *   cni_state.c   per-attachment state files and the state-dir lock
 *
 * Errors: functions return 0 or a negative errno, and fill a struct
 * cni_err with the CNI error code and a message for the caller's output.
 *
 * Thread-safety: none needed; the plugin has one thread. cni_netns.c
 * switches the thread's network namespace for short moments only.
 */
#ifndef NPVS_CNI_H
#define NPVS_CNI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

/* ---- errors ---- */

/** Well-known CNI error codes (SPEC.md "Error"), plus ours from 100. */
enum cni_code {
	CNI_ERR_INCOMPATIBLE_VERSION = 1,
	CNI_ERR_UNSUPPORTED_FIELD = 2,
	CNI_ERR_UNKNOWN_CONTAINER = 3,
	CNI_ERR_INVALID_CONFIG = 4,
	CNI_ERR_IO = 5,
	CNI_ERR_DECODE = 6,
	CNI_ERR_INVALID_ENV = 7,
	CNI_ERR_TRY_AGAIN = 11,
	CNI_ERR_NOT_AVAILABLE = 50,
	CNI_ERR_NPVSD = 100,            /**< npvsd refused a request */
	CNI_ERR_EXISTS = 101,           /**< attachment or interface exists */
	CNI_ERR_CHECK = 102,            /**< CHECK found a difference */
	CNI_ERR_INTERNAL = 103,
};

struct cni_err {
	int code;                       /**< enum cni_code, or an IPAM's */
	char msg[256];
	char details[1024];
};

/**
 * Fill err (if it holds no error yet) with code and a formatted message.
 * @return -errnum (errnum > 0), so callers can `return cni_errf(...)`.
 */
int cni_errf(struct cni_err *err, int code, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/** Set err->details (if empty) from a format. */
void cni_err_details(struct cni_err *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* ---- logging (stderr, or the config's logFile) ---- */

/** Log to path (append) instead of stderr; NULL or "": stderr. */
void cni_log_open(const char *path);
void cni_log_set_context(const char *cmd, const char *container_id,
		const char *ifname);
void cni_log(const char *level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
#define CNI_LOG(level, ...) cni_log(#level, __VA_ARGS__)

/* ---- versions ---- */

#define CNI_VERSION_LATEST "1.1.0"

/** Is v one of the versions this plugin speaks (0.4.0, 1.0.0, 1.1.0)? */
bool cni_version_supported(const char *v);

/** The supportedVersions array, as a new JSON reference. */
json_t *cni_versions_json(void);

/** Compare two "a.b.c" versions: <0, 0, >0 (unparsable sorts first). */
int cni_version_cmp(const char *a, const char *b);

/* ---- environment (cni_env.c) ---- */

enum cni_cmd {
	CNI_CMD_ADD,
	CNI_CMD_DEL,
	CNI_CMD_CHECK,
	CNI_CMD_VERSION,
	CNI_CMD_STATUS,
	CNI_CMD_GC,
};

#define CNI_IFNAME_MAX 16               /**< IFNAMSIZ, with the NUL */
#define CNI_ID_MAX 256
#define CNI_PATH_MAX 4096
#define CNI_K8S_NS_MAX 64
#define CNI_K8S_NAME_MAX 254

enum cni_iftype {
	CNI_IFTYPE_UNSET,
	CNI_IFTYPE_VETH,                /**< kernel pod: veth + af_packet */
	CNI_IFTYPE_VHOST,               /**< DPDK pod: vhost-user socket */
};

enum cni_vhost_mode {
	CNI_VHOST_UNSET,
	CNI_VHOST_CLIENT,               /**< npvsd connects, pod serves */
	CNI_VHOST_SERVER,               /**< npvsd serves, pod connects */
};

struct cni_env {
	enum cni_cmd cmd;
	const char *command;            /**< CNI_COMMAND as given */
	char container_id[CNI_ID_MAX];
	char netns[CNI_PATH_MAX];       /**< "" if unset */
	char ifname[CNI_IFNAME_MAX];
	char path[CNI_PATH_MAX];        /**< CNI_PATH */
	const char *args;               /**< CNI_ARGS, unchanged ("" if unset) */
	/* from CNI_ARGS */
	char k8s_ns[CNI_K8S_NS_MAX];
	char k8s_pod[CNI_K8S_NAME_MAX];
	enum cni_iftype iftype;         /**< NPVS_INTERFACE_TYPE */
	enum cni_vhost_mode vhost_mode; /**< NPVS_VHOST_MODE */
};

/** Parse a command name. @return 0 or -EINVAL. */
int cni_cmd_parse(const char *s, enum cni_cmd *out);
const char *cni_cmd_name(enum cni_cmd cmd);

/**
 * Read and validate the CNI_* variables through getenv-like get (NULL:
 * getenv), as the command needs them. @return 0 or -errno, err filled
 * (code 7).
 */
int cni_env_load(struct cni_env *env, const char *(*get)(const char *),
		struct cni_err *err);

/**
 * Parse CNI_ARGS ("K=V;K=V", any order, unknown keys ignored) into env.
 * @return 0 or -EINVAL (a pair without '=', a value too long), err filled.
 */
int cni_args_parse(struct cni_env *env, const char *args,
		struct cni_err *err);

/** Is s a valid interface name (non-empty, < 16, no / : or spaces)? */
bool cni_ifname_valid(const char *s);

/** Is s a valid container ID (alnum first, then alnum _ . -)? */
bool cni_container_id_valid(const char *s);

int cni_iftype_parse(const char *s, enum cni_iftype *out);
int cni_vhost_mode_parse(const char *s, enum cni_vhost_mode *out);

/* ---- configuration (cni_conf.c) ---- */

enum cni_addressing {
	CNI_ADDR_CALICO,                /**< /32, gateway 169.254.1.1 on link */
	CNI_ADDR_SUBNET,                /**< IPAM prefix and gateway */
};

#define CNI_SOCKET_DEFAULT "/run/npvs/npvsd.sock"
#define CNI_VHOST_DIR_DEFAULT "/run/npvs/vhost"
#define CNI_STATE_DIR_DEFAULT "/var/lib/cni/npvs"
#define CNI_MTU_DEFAULT 1450
#define CNI_NAME_MAX 128

struct cni_conf {
	json_t *root;                   /**< the whole config, owned */
	char version[16];               /**< cniVersion */
	char name[CNI_NAME_MAX];        /**< network name */
	char socket[108];               /**< npvsd's control socket */
	unsigned int mtu;
	unsigned int max_frame;         /**< maxFrame: npvsd port max_frame
					 *  (veth pods), 0: npvsd's default */
	enum cni_addressing addressing;
	enum cni_iftype iftype;         /**< resolved with env and runtime */
	enum cni_vhost_mode vhost_mode;
	char vhost_dir[CNI_PATH_MAX];
	char state_dir[CNI_PATH_MAX];
	char log_file[CNI_PATH_MAX];
	unsigned int timeout_ms;        /**< npvsd request timeout */
	json_t *ipam;                   /**< borrowed from root, may be NULL */
	char ipam_type[64];
	json_t *prev_result;            /**< borrowed, may be NULL */
	json_t *valid_attachments;      /**< GC: borrowed array, may be NULL */
};

/**
 * Parse the config text for cmd: JSON (code 6), the fields and their
 * types (code 4), cniVersion (code 1). VERSION needs only valid JSON or
 * nothing. @return 0 or -errno, err filled. cni_conf_free() in any case.
 */
int cni_conf_parse(struct cni_conf *conf, const char *text, size_t len,
		enum cni_cmd cmd, struct cni_err *err);

/**
 * Apply per-pod choices: runtimeConfig / args.cni / CNI_ARGS override
 * the config's interfaceType and vhostMode, in that order of precedence.
 */
int cni_conf_resolve(struct cni_conf *conf, const struct cni_env *env,
		struct cni_err *err);

void cni_conf_free(struct cni_conf *conf);

/* ---- addresses and IPAM results (cni_ipam.c) ---- */

#define CNI_IPS_MAX 4
#define CNI_ROUTES_MAX 32

struct cni_ip {
	int family;                     /**< AF_INET or AF_INET6 */
	uint8_t addr[16];
	uint8_t prefix;
	bool has_gw;
	uint8_t gw[16];
};

struct cni_route {
	int family;
	uint8_t dst[16];
	uint8_t dst_len;
	bool has_gw;
	uint8_t gw[16];
};

struct cni_ipam_result {
	struct cni_ip ips[CNI_IPS_MAX];
	unsigned int n_ips;
	struct cni_route routes[CNI_ROUTES_MAX];
	unsigned int n_routes;
	json_t *dns;                    /**< owned, may be NULL */
};

/** Parse "a.b.c.d" or an IPv6 address. @return 0 or -EINVAL. */
int cni_ip_parse(const char *s, int *family, uint8_t addr[16]);

/** Parse "addr/len". @return 0 or -EINVAL. */
int cni_cidr_parse(const char *s, int *family, uint8_t addr[16],
		uint8_t *len);

/** Format an address (no prefix) into buf. */
const char *cni_ip_str(int family, const uint8_t addr[16], char *buf,
		size_t size);

/** Parse an IPAM (or chained plugin) result object. @return 0 or -EINVAL. */
int cni_ipam_result_parse(json_t *res, struct cni_ipam_result *out,
		struct cni_err *err);

void cni_ipam_result_free(struct cni_ipam_result *r);

/**
 * Run the delegated IPAM plugin conf->ipam_type, found in env->path, with
 * the CNI_* environment, CNI_COMMAND=command, and conf->root on stdin
 * (cniVersion lowered to one the plugin speaks if needed). For ADD, *out
 * receives the parsed result. @return 0 or -errno, err filled (the
 * plugin's own error code and message when it printed one).
 */
int cni_ipam_exec(const struct cni_conf *conf, const struct cni_env *env,
		const char *command, struct cni_ipam_result *out,
		struct cni_err *err);

/**
 * The version to give the IPAM plugin: the config's if the plugin speaks
 * it, else the highest one it speaks below (asked with VERSION only for a
 * 1.1.0 config). @return 0, or -errno with err filled (code 1 if none fits).
 */
int cni_ipam_version(const struct cni_conf *conf, const struct cni_env *env,
		char *out, size_t size, struct cni_err *err);

/**
 * A 1.1.0 command (GC, STATUS) through IPAM, when the plugin speaks 1.1.0.
 * @return 0, 1 if the plugin does not speak 1.1.0 (for GC the caller
 * falls back to DEL per stale attachment), or -errno, err filled.
 */
int cni_ipam_exec_v11(const struct cni_conf *conf, const struct cni_env *env,
		const char *command, struct cni_err *err);

/**
 * Find an executable named type in the ':'-separated dirs.
 * @return 0 with the path in out, or -ENOENT.
 */
int cni_find_plugin(const char *dirs, const char *type, char *out,
		size_t size);

/**
 * Run the program at path with envp and input on stdin; collect stdout
 * (*out, malloc'd, NUL-terminated) and the exit status. Stderr is passed
 * through. @return 0 or -errno (exec failure).
 */
int cni_run(const char *path, char *const envp[], const char *input,
		char **out, int *status);

/* ---- names (cni_state.c) ---- */

/**
 * The host-side name of an attachment: prefix + 12 hex digits of a hash
 * of (containerID, ifname); fits IFNAMSIZ. Also npvsd's port name.
 */
void cni_host_ifname(const char *prefix, const char *container_id,
		const char *ifname, char out[CNI_IFNAME_MAX]);

/* ---- state (cni_state.c) ---- */

/**
 * Take the state-dir lock (created if needed): shared for ADD, DEL and
 * CHECK of one attachment, exclusive for GC. @return an fd >= 0 or -errno.
 */
int cni_state_lock(const char *dir, bool exclusive);
void cni_state_unlock(int fd);

/** Path of the state file of (network, containerID, ifname). */
int cni_state_path(const char *dir, const char *net, const char *cid,
		const char *ifname, char *out, size_t size);

/** Write obj to path atomically (temp file + rename). @return 0 or -errno. */
int cni_state_write(const char *path, json_t *obj);

/** Read a state file. @return a new reference, or NULL (errno ENOENT...). */
json_t *cni_state_read(const char *path);

/** Remove a state file; a missing one is fine. @return 0 or -errno. */
int cni_state_remove(const char *path);

/**
 * Call fn for each state file of network net.
 * @return 0 or the first negative value fn returned (it goes on anyway).
 */
int cni_state_foreach(const char *dir, const char *net,
		int (*fn)(const char *path, json_t *state, void *arg),
		void *arg);

#endif /* NPVS_CNI_H */
