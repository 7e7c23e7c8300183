/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cni_state.c: what npvs-cni remembers between calls, and the names it
 * derives.
 *
 * Layout: <stateDir>/lock (flock: shared for ADD/DEL/CHECK, which touch
 * one attachment each, exclusive for GC, which looks at all of them) and
 * <stateDir>/<network>/<containerID>@<ifname>.json, one file per
 * attachment, keyed as SPEC.md asks by (network name, container ID,
 * interface name); '@' cannot occur in a container ID, so the key splits
 * back unambiguously. ADD writes the file before it creates anything, so
 * a plugin killed half-way leaves a record DEL and GC can clean up from.
 *
 * Names: the host end of a veth and npvsd's port are named after a hash
 * of (containerID, ifname), so DEL finds them even without a state file.
 */
#include "cni.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <rte_jhash.h>

void
cni_host_ifname(const char *prefix, const char *container_id,
		const char *ifname, char out[CNI_IFNAME_MAX])
{
	char key[CNI_ID_MAX + CNI_IFNAME_MAX + 1];
	uint32_t h1 = 0x6e707673, h2 = 0x636e6921;    /* seeds: "npvs" "cni!" */
	int n;

	/* '@' cannot be in a container ID: the key is unambiguous */
	n = snprintf(key, sizeof(key), "%s@%s", container_id, ifname);
	if (n < 0 || (size_t)n >= sizeof(key))
		n = (int)sizeof(key) - 1;
	rte_jhash_2hashes(key, (uint32_t)n, &h1, &h2);
	snprintf(out, CNI_IFNAME_MAX, "%.3s%08x%04x", prefix, h1, h2 & 0xffff);
}

/* ---- lock ---- */

static int
mkdir_p(const char *path, mode_t mode)
{
	char buf[CNI_PATH_MAX];
	char *p;

	if (strlen(path) >= sizeof(buf))
		return -ENAMETOOLONG;
	strcpy(buf, path);
	for (p = buf + 1; *p != '\0'; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, mode) < 0 && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(buf, mode) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

int
cni_state_lock(const char *dir, bool exclusive)
{
	char path[CNI_PATH_MAX + 8];
	int fd, rc;

	rc = mkdir_p(dir, 0700);
	if (rc < 0)
		return rc;
	snprintf(path, sizeof(path), "%s/lock", dir);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	while (flock(fd, exclusive ? LOCK_EX : LOCK_SH) < 0) {
		if (errno != EINTR) {
			rc = -errno;
			close(fd);
			return rc;
		}
	}
	return fd;
}

void
cni_state_unlock(int fd)
{
	if (fd >= 0)
		close(fd);      /* releases the flock */
}

/* ---- files ---- */

int
cni_state_path(const char *dir, const char *net, const char *cid,
		const char *ifname, char *out, size_t size)
{
	int n = snprintf(out, size, "%s/%s/%s@%s.json", dir, net, cid, ifname);

	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

int
cni_state_write(const char *path, json_t *obj)
{
	char tmp[CNI_PATH_MAX + 16], dir[CNI_PATH_MAX];
	char *slash;
	int rc;

	if (strlen(path) >= sizeof(dir))
		return -ENAMETOOLONG;
	strcpy(dir, path);
	slash = strrchr(dir, '/');
	if (slash != NULL) {
		*slash = '\0';
		rc = mkdir_p(dir, 0700);
		if (rc < 0)
			return rc;
	}
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	if (json_dump_file(obj, tmp, JSON_INDENT(1)) < 0) {
		unlink(tmp);
		return -EIO;
	}
	if (rename(tmp, path) < 0) {
		rc = -errno;
		unlink(tmp);
		return rc;
	}
	return 0;
}

json_t *
cni_state_read(const char *path)
{
	json_t *o;

	if (access(path, F_OK) < 0)
		return NULL;
	o = json_load_file(path, 0, NULL);
	if (o != NULL && !json_is_object(o)) {
		json_decref(o);
		o = NULL;
	}
	if (o == NULL)
		errno = EINVAL;
	return o;
}

int
cni_state_remove(const char *path)
{
	if (unlink(path) < 0 && errno != ENOENT)
		return -errno;
	return 0;
}

int
cni_state_foreach(const char *dir, const char *net,
		int (*fn)(const char *path, json_t *state, void *arg),
		void *arg)
{
	char sub[CNI_PATH_MAX], path[CNI_PATH_MAX + 300];
	struct dirent *de;
	json_t *state;
	size_t len;
	DIR *d;
	int rc = 0, r;

	snprintf(sub, sizeof(sub), "%s/%s", dir, net);
	d = opendir(sub);
	if (d == NULL)
		return errno == ENOENT ? 0 : -errno;
	while ((de = readdir(d)) != NULL) {
		len = strlen(de->d_name);
		if (len < 6 || strcmp(de->d_name + len - 5, ".json") != 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", sub, de->d_name);
		state = cni_state_read(path);
		if (state == NULL)
			state = json_object();  /* unreadable: fn decides */
		r = fn(path, state, arg);
		json_decref(state);
		if (r < 0 && rc == 0)
			rc = r;
	}
	closedir(d);
	return rc;
}
