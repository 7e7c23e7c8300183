/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ctl_proto.c: errno names for the "code" field of control replies
 * (ctl_proto.h). One table, read in both directions.
 */
#include "ctl_proto.h"

#include <errno.h>
#include <stddef.h>
#include <string.h>

#define CTL_ERRNO_NAMES(X) \
	X(EPERM) X(ENOENT) X(ESRCH) X(EIO) X(ENXIO) X(E2BIG) X(EAGAIN) \
	X(ENOMEM) X(EACCES) X(EFAULT) X(EBUSY) X(EEXIST) X(ENODEV) \
	X(ENOTDIR) X(EISDIR) X(EINVAL) X(ENFILE) X(EMFILE) X(ENOSPC) \
	X(ERANGE) X(ENAMETOOLONG) X(ENOSYS) X(ENOTEMPTY) X(ELOOP) \
	X(ENODATA) X(EPROTO) X(EBADMSG) X(EOVERFLOW) X(EMSGSIZE) \
	X(EPROTONOSUPPORT) X(EOPNOTSUPP) X(EADDRINUSE) X(EADDRNOTAVAIL) \
	X(ENETUNREACH) X(ECONNRESET) X(ENOBUFS) X(ENOTCONN) X(ETIMEDOUT) \
	X(ECONNREFUSED) X(EHOSTUNREACH) X(EALREADY) X(EINPROGRESS) \
	X(ECANCELED) X(EPIPE)

static const struct {
	int err;
	const char *name;
} errno_names[] = {
#define CTL_ERRNO_ROW(e) { e, #e },
	CTL_ERRNO_NAMES(CTL_ERRNO_ROW)
#undef CTL_ERRNO_ROW
};

#define N_ERRNO_NAMES (sizeof(errno_names) / sizeof(errno_names[0]))

const char *
ctl_errno_name(int err)
{
	size_t i;

	if (err < 0)
		err = -err;
	for (i = 0; i < N_ERRNO_NAMES; i++)
		if (errno_names[i].err == err)
			return errno_names[i].name;
	return "EIO";
}

int
ctl_errno_from_name(const char *name)
{
	size_t i;

	if (name == NULL)
		return EIO;
	for (i = 0; i < N_ERRNO_NAMES; i++)
		if (strcmp(errno_names[i].name, name) == 0)
			return errno_names[i].err;
	return EIO;
}
