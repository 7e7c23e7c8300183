/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_ctl_fake_vs_dp.h: the fake switch's data-path answers (vs_trace,
 * vs_flow_list, vs_deny_log, vs_rule_stats, vs_deny_stats, vs_ct_info)
 * for the control tests: canned values a test sets, and the last
 * request each function was given.
 */
#ifndef NPVS_TEST_CTL_FAKE_VS_DP_H
#define NPVS_TEST_CTL_FAKE_VS_DP_H

#include "vs_api.h"

#define FAKE_DP_MAX 16

struct fake_dp {
	struct vs_trace_req last_trace;
	struct vs_trace_result trace;
	int trace_rc;
	struct vs_flow_filter last_filter;
	struct vs_flow_info flows[FAKE_DP_MAX];
	uint32_t n_flows;
	uint64_t last_after;
	struct vs_deny_entry log[FAKE_DP_MAX];
	uint32_t n_log;
	struct vs_rule_ctr rules[FAKE_DP_MAX];
	uint32_t n_rules;
	struct vs_deny_ctr denies[FAKE_DP_MAX];
	uint32_t n_denies;
	struct vs_ct_info ct;
};

extern struct fake_dp fake_dp;

#endif /* NPVS_TEST_CTL_FAKE_VS_DP_H */
