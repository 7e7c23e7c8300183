/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * acl_timing.h: where the time of the last acl_compile() went, step by
 * step (the steps of acl_priv.h, plus the model check before them and the
 * statistics after). npvsd puts them in the reply of apply and delete
 * (docs/api.md, "timing") so that apply-to-active latency can be taken
 * apart without a profiler.
 *
 * Thread-safety: the record is per thread (the thread that ran
 * acl_compile()); read it on that thread.
 */
#ifndef NPVS_ACL_TIMING_H
#define NPVS_ACL_TIMING_H

#include <stdint.h>

/** Most steps a timing record holds. */
#define ACL_TIMING_STEPS_MAX 16

/** The steps of one acl_compile(), in the order they ran. */
struct acl_compile_timing {
	uint32_t n_steps;
	const char *name[ACL_TIMING_STEPS_MAX]; /**< static strings */
	uint64_t ns[ACL_TIMING_STEPS_MAX];      /**< wall time of each */
	uint64_t total_ns;      /**< the whole call (>= the sum of ns) */
	int rc;                 /**< 0, or the compile's error */
};

/**
 * Copy the record of the last acl_compile() on this thread into t (zeroed
 * when none ran). A failed compile records the steps that ran.
 */
void acl_compile_timing_last(struct acl_compile_timing *t);

#endif /* NPVS_ACL_TIMING_H */
