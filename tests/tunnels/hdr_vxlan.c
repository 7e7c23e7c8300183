/* SPDX-License-Identifier: BSD-3-Clause */
/* Compiles vxlan.h alone: public headers must be self-contained. */
#include "vxlan.h"
