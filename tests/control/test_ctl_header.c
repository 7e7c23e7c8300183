/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_ctl_header.c: compiled once per public header of the control socket
 * with that header forced in first (-include, tests/control/meson.build),
 * so a header that is not self-contained breaks the build.
 */
typedef int test_ctl_header_nonempty;
