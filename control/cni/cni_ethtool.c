/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cni_ethtool.c: the SIOCETHTOOL ioctls behind cni_ethtool.h.
 *
 * Features are chosen by name from the kernel's own feature table
 * (ETH_SS_FEATURES), as `ethtool -K` does: every tx checksum feature,
 * every tx segmentation feature (TSO, GSO, USO, GSO lists and partial,
 * the tunnel and ECN variants new kernels keep adding, which the legacy
 * ETHTOOL_STSO misses) and GRO. Kernels without the table get the legacy per-feature commands.
 */
#include "cni_ethtool.h"
#include "cni_netns.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/ethtool.h>
#include <linux/if.h>
#include <linux/sockios.h>

static int
ethtool_ioctl(int fd, const char *ifname, void *data)
{
	struct ifreq ifr;

	memset(&ifr, 0, sizeof(ifr));
	strncpy(ifr.ifr_name, ifname, IFNAMSIZ - 1);
	ifr.ifr_data = data;
	return ioctl(fd, SIOCETHTOOL, &ifr) < 0 ? -errno : 0;
}

/* Is this feature one af_packet needs off? */
static bool
feature_unwanted(const char *name)
{
	size_t n = strlen(name);
	static const char seg[] = "-segmentation";

	if (strncmp(name, "tx-checksum-", 12) == 0 ||
	    strncmp(name, "tx-gso-", 7) == 0)      /* -list, -partial */
		return true;
	if (strncmp(name, "tx-", 3) == 0 && n > sizeof(seg) - 1 &&
	    strcmp(name + n - (sizeof(seg) - 1), seg) == 0)
		return true;
	return strcmp(name, "rx-gro") == 0 || strcmp(name, "rx-gro-list") == 0 ||
	       strcmp(name, "rx-udp-gro-forwarding") == 0;
}

/* The feature names. @return the count, or -errno; *out is malloc'd. */
static int
feature_names(int fd, const char *ifname, struct ethtool_gstrings **out)
{
	struct {
		struct ethtool_sset_info hdr;
		uint32_t len;
	} sset = { .hdr = { .cmd = ETHTOOL_GSSET_INFO,
			    .sset_mask = 1ULL << ETH_SS_FEATURES } };
	struct ethtool_gstrings *gs;
	int rc;

	rc = ethtool_ioctl(fd, ifname, &sset);
	if (rc < 0)
		return rc;
	if (sset.hdr.sset_mask == 0 || sset.len == 0)
		return -EOPNOTSUPP;
	gs = calloc(1, sizeof(*gs) + (size_t)sset.len * ETH_GSTRING_LEN);
	if (gs == NULL)
		return -ENOMEM;
	gs->cmd = ETHTOOL_GSTRINGS;
	gs->string_set = ETH_SS_FEATURES;
	gs->len = sset.len;
	rc = ethtool_ioctl(fd, ifname, gs);
	if (rc < 0) {
		free(gs);
		return rc;
	}
	*out = gs;
	return (int)gs->len;
}

static const char *
feature_name(const struct ethtool_gstrings *gs, int i)
{
	return (const char *)gs->data + (size_t)i * ETH_GSTRING_LEN;
}

static int
features_off(int fd, const char *ifname)
{
	struct ethtool_gstrings *gs = NULL;
	struct ethtool_sfeatures *sf;
	int n, blocks, i, rc;

	n = feature_names(fd, ifname, &gs);
	if (n < 0)
		return n;
	blocks = (n + 31) / 32;
	sf = calloc(1, sizeof(*sf) + (size_t)blocks * sizeof(sf->features[0]));
	if (sf == NULL) {
		free(gs);
		return -ENOMEM;
	}
	sf->cmd = ETHTOOL_SFEATURES;
	sf->size = (uint32_t)blocks;
	for (i = 0; i < n; i++)         /* valid bit set, requested 0: off */
		if (feature_unwanted(feature_name(gs, i)))
			sf->features[i / 32].valid |= 1u << (i % 32);
	/* > 0: some could not change (fixed); they are checked below */
	rc = ethtool_ioctl(fd, ifname, sf);
	free(sf);
	free(gs);
	return rc;
}

/* Legacy commands, for kernels without the feature table. */
static int
legacy_off(int fd, const char *ifname)
{
	static const uint32_t cmds[] = {
		ETHTOOL_STXCSUM, ETHTOOL_STSO, ETHTOOL_SGSO, ETHTOOL_SGRO,
	};
	struct ethtool_value ev;
	size_t i;
	int rc = 0, r;

	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		ev = (struct ethtool_value){ .cmd = cmds[i], .data = 0 };
		r = ethtool_ioctl(fd, ifname, &ev);
		if (r < 0 && r != -EOPNOTSUPP && rc == 0)
			rc = r;
	}
	return rc;
}

int
cni_ethtool_offloads_off(int nsfd, const char *ifname)
{
	int fd, rc;

	fd = cni_netns_socket(nsfd, AF_INET, SOCK_DGRAM, 0);
	if (fd < 0)
		return fd;
	rc = features_off(fd, ifname);
	if (rc == -EOPNOTSUPP)
		rc = legacy_off(fd, ifname);
	close(fd);
	return rc;
}

/* Every unwanted feature that can change is off. */
static int
features_are_off(int fd, const char *ifname)
{
	struct ethtool_gstrings *gs = NULL;
	struct ethtool_gfeatures *gf;
	int n, blocks, i, rc;

	n = feature_names(fd, ifname, &gs);
	if (n < 0)
		return n;
	blocks = (n + 31) / 32;
	gf = calloc(1, sizeof(*gf) + (size_t)blocks * sizeof(gf->features[0]));
	if (gf == NULL) {
		free(gs);
		return -ENOMEM;
	}
	gf->cmd = ETHTOOL_GFEATURES;
	gf->size = (uint32_t)blocks;
	rc = ethtool_ioctl(fd, ifname, gf);
	for (i = 0; i < n && rc == 0; i++) {
		uint32_t bit = 1u << (i % 32);
		const struct ethtool_get_features_block *b = &gf->features[i / 32];

		if (feature_unwanted(feature_name(gs, i)) &&
		    (b->available & bit) && (b->active & bit))
			rc = 1;         /* one is on */
	}
	free(gf);
	free(gs);
	return rc < 0 ? rc : rc == 0;
}

int
cni_ethtool_offloads_are_off(int nsfd, const char *ifname)
{
	struct ethtool_value ev = { .cmd = ETHTOOL_GTXCSUM };
	int fd, rc;

	fd = cni_netns_socket(nsfd, AF_INET, SOCK_DGRAM, 0);
	if (fd < 0)
		return fd;
	rc = features_are_off(fd, ifname);
	if (rc == -EOPNOTSUPP) {
		rc = ethtool_ioctl(fd, ifname, &ev);
		rc = rc < 0 ? rc : ev.data == 0;
	}
	close(fd);
	return rc;
}
