/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_ctl_fake_vs_dp.c: see test_ctl_fake_vs_dp.h. The list functions
 * keep vs_api.h's contract: they return how many there are, copy at most
 * max, and the log copies the entries after 'after', oldest first.
 */
#include <string.h>

#include "test_ctl_fake_vs_dp.h"

struct fake_dp fake_dp;

int
vs_trace(struct vs *vs, const struct vs_trace_req *req,
		struct vs_trace_result *res)
{
	(void)vs;
	fake_dp.last_trace = *req;
	*res = fake_dp.trace;
	return fake_dp.trace_rc;
}

uint32_t
vs_flow_list(struct vs *vs, const struct vs_flow_filter *f,
		struct vs_flow_info *out, uint32_t max)
{
	uint32_t i;

	(void)vs;
	fake_dp.last_filter = *f;
	for (i = 0; i < fake_dp.n_flows && i < max; i++)
		out[i] = fake_dp.flows[i];
	return fake_dp.n_flows;
}

void
vs_ct_info(struct vs *vs, struct vs_ct_info *out)
{
	(void)vs;
	*out = fake_dp.ct;
}

uint32_t
vs_rule_stats(struct vs *vs, struct vs_rule_ctr *out, uint32_t max)
{
	uint32_t i;

	(void)vs;
	for (i = 0; i < fake_dp.n_rules && i < max; i++)
		out[i] = fake_dp.rules[i];
	return fake_dp.n_rules;
}

uint32_t
vs_deny_stats(struct vs *vs, struct vs_deny_ctr *out, uint32_t max)
{
	uint32_t i;

	(void)vs;
	for (i = 0; i < fake_dp.n_denies && i < max; i++)
		out[i] = fake_dp.denies[i];
	return fake_dp.n_denies;
}

uint32_t
vs_deny_log(struct vs *vs, uint64_t after, struct vs_deny_entry *out,
		uint32_t max)
{
	uint32_t i, n = 0;

	(void)vs;
	fake_dp.last_after = after;
	for (i = 0; i < fake_dp.n_log; i++)
		if (fake_dp.log[i].seq > after && n < max)
			out[n++] = fake_dp.log[i];
	return n;
}
