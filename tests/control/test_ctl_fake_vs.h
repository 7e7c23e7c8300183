/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_ctl_fake_vs.h: an in-memory stand-in for vs_api.h, so the control
 * command and server tests run without EAL. It keeps ports and endpoints
 * in arrays, records the last spec it was given and counts calls, and can
 * be told to fail the next add. vs_policy_publish keeps the ruleset
 * and frees the previous one at once (no readers here).
 */
#ifndef NPVS_TEST_CTL_FAKE_VS_H
#define NPVS_TEST_CTL_FAKE_VS_H

#include "vs_api.h"

#define FAKE_PORTS_MAX 64
#define FAKE_EPS_MAX 256

struct vs {
	struct vs_config cfg;
	struct vs_port_info ports[FAKE_PORTS_MAX];
	uint32_t n_ports;
	struct vs_endpoint_info eps[FAKE_EPS_MAX];
	uint32_t n_eps;
	uint64_t drops[VS_DROP_MAX];

	unsigned int calls;             /* every mutating call */
	struct vs_port_spec last_port;  /* spec of the last vs_port_add */
	struct vs_endpoint_spec last_ep;
	int fail_next;                  /* -errno for the next add, or 0 */

	struct acl_ruleset *policy;     /* live policy (vs_policy_publish) */
	unsigned int n_publish;         /* vs_policy_publish calls */
	int fail_publish;               /* -errno for the next publish, or 0 */
};

struct vs *fake_vs_create(void);
void fake_vs_free(struct vs *vs);

#endif /* NPVS_TEST_CTL_FAKE_VS_H */
