/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cni_npvsd.h: what npvs-cni asks npvsd over its control socket
 * (docs/api.md): ports (afpacket for kernel pods, vhost for DPDK pods)
 * and endpoints (the pod's namespace/name and IPs, so policy applies to
 * it as soon as it has a port).
 *
 * Errors: -ECONNREFUSED when npvsd is not running (no socket, nobody
 * listening), -ETIMEDOUT when it does not answer in time, otherwise the
 * negative errno of the reply's "code" (-ENOENT, -EEXIST...), with err
 * filled (code 11 for the first two, 100 for a refusal).
 *
 * Thread-safety: one caller per struct cni_npvsd.
 */
#ifndef NPVS_CNI_NPVSD_H
#define NPVS_CNI_NPVSD_H

#include <stdbool.h>

#include <jansson.h>

#include "cni.h"

struct cni_npvsd {
	bool up;                        /**< npvsd answered `version` */
	unsigned int timeout_ms;        /**< per request */
	char path[108];
};

/**
 * Check that npvsd at path answers (`version`), and remember path for the
 * calls below. @return 0, -ECONNREFUSED (not running), -ETIMEDOUT...
 */
int cni_npvsd_connect(struct cni_npvsd *c, const char *path,
		unsigned int timeout_ms, struct cni_err *err);

void cni_npvsd_close(struct cni_npvsd *c);

/**
 * One request: {"cmd": cmd, "args": args} (args is stolen, may be NULL).
 * @return 0 with *reply (new reference, may pass NULL) or -errno.
 */
int cni_npvsd_call(struct cni_npvsd *c, const char *cmd, json_t *args,
		json_t **reply, struct cni_err *err);

/** max_frame: npvsd's port_add max_frame, or 0 for none. */
int cni_npvsd_port_add_afpacket(struct cni_npvsd *c, const char *name,
		const char *iface, unsigned int max_frame, struct cni_err *err);

/** mtu: npvsd's port_add mtu (the DPDK pod's MTU), or 0 for none. */
int cni_npvsd_port_add_vhost(struct cni_npvsd *c, const char *name,
		const char *path, bool npvsd_is_client, unsigned int mtu,
		struct cni_err *err);

/** Remove a port; one that is gone already is success. */
int cni_npvsd_port_del(struct cni_npvsd *c, const char *name,
		struct cni_err *err);

/** @return 1 if npvsd has a port of that name, 0 if not, or -errno. */
int cni_npvsd_port_exists(struct cni_npvsd *c, const char *name,
		struct cni_err *err);

/** Register a pod: ips is a JSON array of address strings (borrowed). */
int cni_npvsd_endpoint_add(struct cni_npvsd *c, const char *ns,
		const char *name, const char *port, json_t *ips,
		const char *mac, struct cni_err *err);

/**
 * Find an endpoint; port (size 32) receives its port name.
 * @return 1 if found, 0 if not, or -errno.
 */
int cni_npvsd_endpoint_get(struct cni_npvsd *c, const char *ns,
		const char *name, char port[32], struct cni_err *err);

/** Remove an endpoint; one that is gone already is success. */
int cni_npvsd_endpoint_del(struct cni_npvsd *c, const char *ns,
		const char *name, struct cni_err *err);

#endif /* NPVS_CNI_NPVSD_H */
