/* SPDX-License-Identifier: BSD-3-Clause */
/* Compiles vxlan_hdr.h alone: public headers must be self-contained. */
#include "vxlan_hdr.h"
