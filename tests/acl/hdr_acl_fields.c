/* Compiles acl_fields.h alone: public headers are self-contained. */
#include "acl_fields.h"
