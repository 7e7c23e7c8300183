/* Compiles acl_model.h alone: public headers are self-contained. */
#include "acl_model.h"
