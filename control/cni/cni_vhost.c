/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cni_vhost.c: a DPDK pod's vhost-user directory. The pod mounts the
 * directory (not the socket: in the default mode the pod creates the
 * socket itself, as server, and npvsd connects to it), so each attachment
 * gets its own directory under vhostDir, which DEL removes again with
 * whatever sockets are in it.
 */
#include "cni_cmd.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int
mkdir_parents(const char *dir)
{
	char buf[CNI_PATH_MAX];
	char *p;

	snprintf(buf, sizeof(buf), "%s", dir);
	for (p = buf + 1; *p != '\0'; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0755) < 0 && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	return 0;
}

int
cni_vhost_dir_create(const struct cni_attach *a, struct cni_err *err)
{
	int rc = mkdir_parents(a->vhost_dir);

	if (rc == 0 && mkdir(a->vhost_dir, 0755) < 0)
		rc = -errno;
	if (rc == -EEXIST)
		return cni_errf(err, CNI_ERR_EXISTS, EEXIST,
				"vhost-user directory %s already exists",
				a->vhost_dir);
	if (rc < 0)
		return cni_errf(err, CNI_ERR_IO, -rc, "cannot create %s: %s",
				a->vhost_dir, strerror(-rc));
	return 0;
}

int
cni_vhost_dir_remove(const char *dir, struct cni_err *err)
{
	struct dirent *de;
	int dfd, rc = 0;
	DIR *d;

	if (dir[0] == '\0')
		return 0;
	d = opendir(dir);
	if (d == NULL)
		return errno == ENOENT ? 0 :
		       cni_errf(err, CNI_ERR_IO, errno, "cannot open %s: %s",
				dir, strerror(errno));
	dfd = dirfd(d);
	/* sockets and files only: a pod never puts directories here */
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (unlinkat(dfd, de->d_name, 0) < 0 && errno != ENOENT)
			rc = -errno;
	}
	closedir(d);
	if (rc == 0 && rmdir(dir) < 0 && errno != ENOENT)
		rc = -errno;
	if (rc < 0)
		return cni_errf(err, CNI_ERR_IO, -rc, "cannot remove %s: %s",
				dir, strerror(-rc));
	return 0;
}
