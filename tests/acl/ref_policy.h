/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ref_policy.h: a reference evaluator of Kubernetes NetworkPolicy, written
 * straight from the API documentation with no identities, no groups, no
 * rte_acl and no code shared with acl/. Slow (linear in everything) and
 * obviously right is the point: the compiled ruleset must agree with it.
 */
#ifndef NPVS_REF_POLICY_H
#define NPVS_REF_POLICY_H

#include <stdbool.h>
#include <stdint.h>

#include "acl_model.h"

/**
 * Per direction: 'U' not isolated / not a pod, 'A' allowed, 'D' denied,
 * 'S' a pod to itself (always allowed).
 */
struct ref_verdict {
	char egress;            /* of the source pod */
	char ingress;           /* of the destination pod */
};

/**
 * Evaluate one connection attempt src -> dst (proto, destination port).
 * Only pods that are local (or all pods when all_local) are checked.
 */
void ref_check(const struct acl_model *m, const struct acl_addr *src,
		const struct acl_addr *dst, uint8_t proto, uint16_t dport,
		bool all_local, struct ref_verdict *v);

#endif /* NPVS_REF_POLICY_H */
