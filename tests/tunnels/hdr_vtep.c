/* SPDX-License-Identifier: BSD-3-Clause */
/* Compiles vtep.h alone: public headers must be self-contained. */
#include "vtep.h"
