/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * acl_log.h: the log type of the policy compiler, npvs.acl
 * (--log-level='npvs.acl:debug'). Registered in acl_compile.c. Only the
 * control side logs; acl_classify() never does.
 */
#ifndef NPVS_ACL_LOG_H
#define NPVS_ACL_LOG_H

#include <rte_log.h>

extern int npvs_logtype_acl;
#define RTE_LOGTYPE_NPVS_ACL npvs_logtype_acl

/** ACL_LOG(ERR, "fmt", ...): one line, the newline is added. */
#define ACL_LOG(level, fmt, ...) \
	RTE_LOG(level, NPVS_ACL, "acl: " fmt "\n", ##__VA_ARGS__)

#endif /* NPVS_ACL_LOG_H */
