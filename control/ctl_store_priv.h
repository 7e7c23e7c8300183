/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ctl_store_priv.h: what ctl_store.c and ctl_store_model.c share.
 *
 * Thread-safety: control thread only.
 */
#ifndef NPVS_CTL_STORE_PRIV_H
#define NPVS_CTL_STORE_PRIV_H

#include <stdint.h>

#include <jansson.h>

#include "acl_model.h"
#include "ctl_store.h"
#include "manifest.h"

struct ctl_err;
struct vs_endpoint_info;
struct vs_endpoint_spec;

/** Put spec into v (replacing the endpoint of its ns/name, else as v[*n],
 * for which ctl_store_endpoints() left room). */
void ctl_store_endpoints_put(struct vs_endpoint_info *v, uint32_t *n,
		const struct vs_endpoint_spec *spec);

/**
 * The model of a set and a list of endpoints (ctl_store.h, "How pods are
 * found"). Warnings go into warnings (an array), or the log when NULL.
 * @return 0, or a negative errno with err filled and m empty.
 */
int ctl_store_model_build(const struct manifest_set *set,
		const struct vs_endpoint_info *eps, uint32_t n_eps,
		struct acl_model *m, json_t *warnings, struct ctl_err *err);

#endif /* NPVS_CTL_STORE_PRIV_H */
