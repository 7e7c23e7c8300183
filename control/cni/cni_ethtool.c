/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cni_ethtool.c: the SIOCETHTOOL ioctls behind cni_ethtool.h. The legacy
 * per-feature commands (ETHTOOL_STXCSUM, ...) are enough and need no
 * feature-name table.
 */
#include "cni_ethtool.h"
#include "cni_netns.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/ethtool.h>
#include <linux/if.h>
#include <linux/sockios.h>

/* get/set command pairs, in the order ethtool applies them */
static const struct {
	unsigned int get, set;
} offloads[] = {
	{ ETHTOOL_GTXCSUM, ETHTOOL_STXCSUM },
	{ ETHTOOL_GTSO, ETHTOOL_STSO },
	{ ETHTOOL_GGSO, ETHTOOL_SGSO },
	{ ETHTOOL_GGRO, ETHTOOL_SGRO },
};

static int
ethtool_value(int fd, const char *ifname, unsigned int cmd, uint32_t *data)
{
	struct ethtool_value ev = { .cmd = cmd, .data = *data };
	struct ifreq ifr;

	memset(&ifr, 0, sizeof(ifr));
	strncpy(ifr.ifr_name, ifname, IFNAMSIZ - 1);
	ifr.ifr_data = (void *)&ev;
	if (ioctl(fd, SIOCETHTOOL, &ifr) < 0)
		return -errno;
	*data = ev.data;
	return 0;
}

int
cni_ethtool_offloads_off(int nsfd, const char *ifname)
{
	uint32_t off;
	size_t i;
	int fd, rc = 0, r;

	fd = cni_netns_socket(nsfd, AF_INET, SOCK_DGRAM, 0);
	if (fd < 0)
		return fd;
	for (i = 0; i < sizeof(offloads) / sizeof(offloads[0]); i++) {
		off = 0;
		r = ethtool_value(fd, ifname, offloads[i].set, &off);
		if (r < 0 && r != -EOPNOTSUPP && rc == 0)
			rc = r;
	}
	close(fd);
	return rc;
}

int
cni_ethtool_offloads_are_off(int nsfd, const char *ifname)
{
	uint32_t val;
	size_t i;
	int fd, rc = 1, r;

	fd = cni_netns_socket(nsfd, AF_INET, SOCK_DGRAM, 0);
	if (fd < 0)
		return fd;
	for (i = 0; i < sizeof(offloads) / sizeof(offloads[0]) && rc == 1; i++) {
		val = 0;
		r = ethtool_value(fd, ifname, offloads[i].get, &val);
		if (r < 0 && r != -EOPNOTSUPP)
			rc = r;
		else if (r == 0 && val != 0)
			rc = 0;
	}
	close(fd);
	return rc;
}
