/* Compiles acl_ruleset.h alone: public headers are self-contained. */
#include "acl_ruleset.h"
