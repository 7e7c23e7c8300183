/* SPDX-License-Identifier: BSD-3-Clause */
/* test_ctl_fake_vs_node.h: the fake switch's node table (tests only). */
#ifndef NPVS_TEST_CTL_FAKE_VS_NODE_H
#define NPVS_TEST_CTL_FAKE_VS_NODE_H

#include "vs_api.h"

#define FAKE_NODES_MAX 16

/** Forget every node (between tests). */
void fake_nodes_reset(void);

#endif /* NPVS_TEST_CTL_FAKE_VS_NODE_H */
