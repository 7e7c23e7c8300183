/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cni_netns.h: network namespaces for npvs-cni. A socket belongs to the
 * namespace it was created in, so the plugin enters the pod's namespace
 * only to create sockets (rtnetlink, ioctl) and returns at once; every
 * later call on such a socket acts inside the pod.
 *
 * Thread-safety: setns() changes the calling thread; the plugin has one.
 */
#ifndef NPVS_CNI_NETNS_H
#define NPVS_CNI_NETNS_H

/**
 * Open a network namespace by path (/proc/PID/ns/net, /run/netns/NAME).
 * @return an fd (O_CLOEXEC) or -ENOENT (no such file), -EINVAL (not a
 * network namespace), -errno.
 */
int cni_netns_open(const char *path);

/**
 * Create a socket inside the namespace nsfd (-1: the current one).
 * @return the socket fd or -errno. Aborts the process if it cannot
 * return to its own namespace afterwards (nothing could be trusted then).
 */
int cni_netns_socket(int nsfd, int domain, int type, int protocol);

#endif /* NPVS_CNI_NETNS_H */
