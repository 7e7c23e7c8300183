/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vs_policy.c: the live policy (vs_api.h, issue 4): the compiled
 * acl_ruleset that the next snapshot carries.
 *
 * The switch owns the live ruleset. Publishing a new one builds and
 * publishes a snapshot that points to it (vs_snap_update waits for the
 * grace period), and only then frees the previous one, which no worker
 * can be reading any more; acl_ruleset_free keeps contexts shared with a
 * newer ruleset (acl_compile_opts.prev) alive by their refcounts.
 *
 * Not yet: the policy and conntrack stages of the data path; until they
 * land the ruleset is carried but not enforced.
 *
 * Thread-safety: control thread only.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "acl_ruleset.h"
#include "vs_log.h"
#include "vs_priv.h"

int
vs_policy_publish(struct vs *vs, struct acl_ruleset *rs, char *err,
		size_t errlen)
{
	struct acl_ruleset *old = vs->policy;
	int rc;

	vs->policy = rs;
	rc = vs_snap_update(vs);
	if (rc < 0) {
		vs->policy = old;
		acl_ruleset_free(rs);   /* ownership passed, also on failure */
		snprintf(err, errlen, "cannot publish the policy: %s",
				strerror(-rc));
		return rc;
	}
	/* No worker can see old after the grace period of the update. */
	acl_ruleset_free(old);
	VS_LOG(INFO, "policy published (snapshot g%" PRIu64 ")\n", vs->gen);
	return 0;
}

const struct acl_ruleset *
vs_policy_get(struct vs *vs)
{
	return vs->policy;
}
