/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ctl_proto.h: what both ends of the control socket agree on
 * (docs/api.md): the default socket path, the size limit of one message
 * and the errno names that replies carry in "code".
 *
 * The client library (ctl_client.c, used by npvsctl and npvs-cni) and the
 * server (ctl_server.c, ctl_cmds.c in npvsd) both use it; it needs nothing
 * but libc.
 *
 * Thread-safety: every function here is pure and thread-safe.
 */
#ifndef NPVS_CTL_PROTO_H
#define NPVS_CTL_PROTO_H

/** Where npvsd listens unless told otherwise. */
#define CTL_SOCKET_DEFAULT "/run/npvs/npvsd.sock"

/** Environment variable that overrides the default path for clients. */
#define CTL_SOCKET_ENV "NPVS_SOCKET"

/** Largest request line, in bytes, without its newline (1 MiB). */
#define CTL_MSG_MAX (1024u * 1024u)

/**
 * The name of an errno value, e.g. "EINVAL" for EINVAL or -EINVAL.
 * @return a static string; "EIO" for a value the table does not know.
 */
const char *ctl_errno_name(int err);

/**
 * The errno value of a name, e.g. EINVAL for "EINVAL".
 * @return a positive errno; EIO for NULL or a name the table does not know.
 */
int ctl_errno_from_name(const char *name);

#endif /* NPVS_CTL_PROTO_H */
