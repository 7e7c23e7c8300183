/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cni_cmd.h: the commands of npvs-cni and what they share.
 *
 * cni_main.c fills a struct cni_ctx (environment, configuration) and
 * calls one cni_cmd_*(); the command leaves its JSON result (ADD,
 * VERSION) in ctx->result or an error in ctx->err. An attachment is the
 * pair (containerID, ifname) of one network; struct cni_attach is what
 * ADD built for it, as written to the state file and the result.
 */
#ifndef NPVS_CNI_CMD_H
#define NPVS_CNI_CMD_H

#include "cni.h"
#include "cni_npvsd.h"

#define CNI_VETH_PREFIX "npv"           /**< host veth and its port */
#define CNI_VHOST_PREFIX "vhu"          /**< vhost-user port */
#define CNI_VHOST_SOCK "vhu.sock"       /**< socket in the pod's dir */
#define CNI_CALICO_GW4 "169.254.1.1"
#define CNI_CALICO_GW6 "fe80::ecee:eeff:feee:eeee"

struct cni_ctx {
	struct cni_env env;
	struct cni_conf conf;
	struct cni_err err;
	json_t *result;                 /**< printed on success, if set */
	struct cni_npvsd npvsd;
	int lock_fd;
};

/** What one attachment consists of. */
struct cni_attach {
	enum cni_iftype type;
	char host_if[CNI_IFNAME_MAX];   /**< veth: host end */
	char port[CNI_IFNAME_MAX];      /**< npvsd's port name */
	char ep_ns[CNI_K8S_NS_MAX];     /**< npvsd endpoint */
	char ep_name[CNI_K8S_NAME_MAX];
	uint8_t host_mac[6];
	uint8_t pod_mac[6];
	char vhost_dir[CNI_PATH_MAX];   /**< vhost: the pod's directory */
	char socket_path[108];          /**< vhost: the socket in it */
	struct cni_ip ips[CNI_IPS_MAX]; /**< as set on the pod interface */
	unsigned int n_ips;
	struct cni_route routes[CNI_ROUTES_MAX];
	unsigned int n_routes;
	json_t *dns;                    /**< borrowed from IPAM's result */
};

int cni_cmd_add(struct cni_ctx *ctx);
int cni_cmd_del(struct cni_ctx *ctx);
int cni_cmd_check(struct cni_ctx *ctx);
int cni_cmd_gc(struct cni_ctx *ctx);
int cni_cmd_status(struct cni_ctx *ctx);

/* ---- helpers shared by the commands (cni_attach.c) ---- */

/** Names and endpoint identity of (env's containerID, ifname, type). */
void cni_attach_names(const struct cni_env *env, enum cni_iftype type,
		struct cni_attach *a);

/**
 * Pod addressing from the IPAM result and conf->addressing: the
 * addresses and routes to set (calico: /32 and 169.254.1.1 on link).
 */
int cni_attach_plan(const struct cni_conf *conf,
		const struct cni_ipam_result *ipam, struct cni_attach *a,
		struct cni_err *err);

/** The vhost-user directory and socket of an attachment. */
int cni_attach_vhost_paths(const struct cni_conf *conf,
		const struct cni_env *env, struct cni_attach *a,
		struct cni_err *err);

/** The addresses as a JSON array of strings, for endpoint_add. */
json_t *cni_attach_ips_json(const struct cni_attach *a);

/** The state file content of an attachment. */
json_t *cni_attach_state(const struct cni_ctx *ctx,
		const struct cni_attach *a, const char *phase);

/** Fill what DEL needs back from a state file. */
void cni_attach_from_state(json_t *state, struct cni_attach *a);

/* ---- kernel pods (cni_veth.c) ---- */

/**
 * Create the veth pair (pod end named ifname inside nsfd), configure both
 * ends (MTU, offloads, up, addresses, routes), record the MACs.
 * On failure, the pair is gone again. @return 0 or -errno, err filled.
 */
int cni_veth_setup(const struct cni_ctx *ctx, int nsfd, struct cni_attach *a,
		struct cni_err *err);

/** Delete the host end (and so the pair). Missing: success. */
int cni_veth_teardown(const char *host_if, struct cni_err *err);

/** CHECK: both ends exist, are up, offloads off, addresses present. */
int cni_veth_check(const struct cni_ctx *ctx, int nsfd,
		const struct cni_attach *a, struct cni_err *err);

/* ---- vhost-user pods (cni_vhost.c) ---- */

/** Create the pod's socket directory. Existing: -EEXIST. */
int cni_vhost_dir_create(const struct cni_attach *a, struct cni_err *err);

/** Remove the directory and the sockets in it. Missing: success. */
int cni_vhost_dir_remove(const char *dir, struct cni_err *err);

/* ---- results (cni_result.c) ---- */

/** The ADD result for conf->version. */
json_t *cni_result_build(const struct cni_ctx *ctx, const struct cni_attach *a);

/** The error document for err. */
json_t *cni_result_error(const char *version, const struct cni_err *err);

/** VERSION's answer. */
json_t *cni_result_version(const char *version);

/** MAC as "aa:bb:cc:dd:ee:ff". */
const char *cni_mac_str(const uint8_t mac[6], char buf[18]);

#endif /* NPVS_CNI_CMD_H */
