/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cni_netns.c: opening a pod's network namespace and creating sockets in
 * it (cni_netns.h).
 */
#include "cni_netns.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <linux/nsfs.h>

int
cni_netns_open(const char *path)
{
	int fd, type;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	/* ENOTTY/EINVAL for a file that is no namespace at all */
	type = ioctl(fd, NS_GET_NSTYPE);
	if (type != CLONE_NEWNET) {
		close(fd);
		return -EINVAL;
	}
	return fd;
}

int
cni_netns_socket(int nsfd, int domain, int type, int protocol)
{
	int self, fd, rc;

	if (nsfd < 0) {
		fd = socket(domain, type | SOCK_CLOEXEC, protocol);
		return fd < 0 ? -errno : fd;
	}
	self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (self < 0)
		return -errno;
	if (setns(nsfd, CLONE_NEWNET) < 0) {
		rc = -errno;
		close(self);
		return rc;
	}
	fd = socket(domain, type | SOCK_CLOEXEC, protocol);
	rc = fd < 0 ? -errno : fd;
	if (setns(self, CLONE_NEWNET) < 0) {
		fprintf(stderr, "npvs-cni: cannot return to own netns\n");
		abort();
	}
	close(self);
	return rc;
}
