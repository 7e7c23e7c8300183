/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cni_veth.c: a kernel pod's veth pair. The host end (named by
 * cni_host_ifname) stays in the host namespace for npvsd's af_packet
 * port; the pod end is created directly inside the pod's namespace under
 * CNI_IFNAME, so no half-moved or temporarily named interface can be left
 * behind. Deleting the host end deletes the pair.
 */
#include "cni_cmd.h"
#include "cni_ethtool.h"
#include "cni_netns.h"
#include "cni_nl.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* Best effort: no IPv6 autoconfiguration chatter from the host end. */
static void
host_no_ipv6(const char *ifname)
{
	char path[96];
	int fd;

	snprintf(path, sizeof(path), "/proc/sys/net/ipv6/conf/%s/disable_ipv6",
		 ifname);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	if (write(fd, "1", 1) < 0)
		CNI_LOG(DEBUG, "%s: %s", path, strerror(errno));
	close(fd);
}

static int
veth_create(const struct cni_ctx *ctx, struct cni_nl *host,
		struct cni_nl *pod, int nsfd, const struct cni_attach *a,
		struct cni_err *err)
{
	struct cni_link l;
	int rc;

	if (cni_nl_link_get(pod, ctx->env.ifname, &l) == 0)
		return cni_errf(err, CNI_ERR_EXISTS, EEXIST,
				"interface %s already exists in %s",
				ctx->env.ifname, ctx->env.netns);
	rc = cni_nl_veth_add(host, a->host_if, ctx->env.ifname, nsfd,
			     ctx->conf.mtu);
	if (rc == -EEXIST)
		return cni_errf(err, CNI_ERR_EXISTS, EEXIST,
				"host interface %s already exists",
				a->host_if);
	if (rc < 0)
		return cni_errf(err, CNI_ERR_IO, -rc,
				"cannot create veth %s/%s: %s", a->host_if,
				ctx->env.ifname, strerror(-rc));
	return 0;
}

static int
pod_routes(struct cni_nl *pod, int ifindex, const struct cni_attach *a,
		struct cni_err *err)
{
	char buf[64];
	unsigned int i;
	int rc;

	for (i = 0; i < a->n_routes; i++) {
		const struct cni_route *r = &a->routes[i];

		rc = cni_nl_route_add(pod, ifindex, r->family, r->dst,
				      r->dst_len, r->has_gw ? r->gw : NULL);
		if (rc < 0 && rc != -EEXIST)
			return cni_errf(err, CNI_ERR_IO, -rc,
					"cannot add route %s/%u in pod: %s",
					cni_ip_str(r->family, r->dst, buf,
						   sizeof(buf)),
					r->dst_len, strerror(-rc));
	}
	return 0;
}

static int
pod_configure(const struct cni_ctx *ctx, struct cni_nl *pod, int nsfd,
		struct cni_attach *a, struct cni_err *err)
{
	struct cni_link l;
	char buf[64];
	unsigned int i;
	int rc;

	rc = cni_nl_link_get(pod, ctx->env.ifname, &l);
	if (rc < 0)
		return cni_errf(err, CNI_ERR_IO, -rc, "%s not found in pod: %s",
				ctx->env.ifname, strerror(-rc));
	memcpy(a->pod_mac, l.mac, 6);
	rc = cni_ethtool_offloads_off(nsfd, ctx->env.ifname);
	if (rc < 0)
		return cni_errf(err, CNI_ERR_IO, -rc,
				"cannot turn offloads off on %s: %s",
				ctx->env.ifname, strerror(-rc));
	rc = cni_nl_link_up(pod, l.ifindex);
	if (rc < 0)
		return cni_errf(err, CNI_ERR_IO, -rc, "cannot set %s up: %s",
				ctx->env.ifname, strerror(-rc));
	for (i = 0; i < a->n_ips; i++) {
		rc = cni_nl_addr_add(pod, l.ifindex, a->ips[i].family,
				     a->ips[i].addr, a->ips[i].prefix);
		if (rc < 0)
			return cni_errf(err, CNI_ERR_IO, -rc,
					"cannot add %s/%u to %s: %s",
					cni_ip_str(a->ips[i].family,
						   a->ips[i].addr, buf,
						   sizeof(buf)),
					a->ips[i].prefix, ctx->env.ifname,
					strerror(-rc));
	}
	return pod_routes(pod, l.ifindex, a, err);
}

static int
host_configure(struct cni_nl *host, struct cni_attach *a,
		struct cni_err *err)
{
	struct cni_link l;
	int rc;

	rc = cni_nl_link_get(host, a->host_if, &l);
	if (rc < 0)
		return cni_errf(err, CNI_ERR_IO, -rc, "%s not found: %s",
				a->host_if, strerror(-rc));
	memcpy(a->host_mac, l.mac, 6);
	host_no_ipv6(a->host_if);
	rc = cni_ethtool_offloads_off(-1, a->host_if);
	if (rc < 0)
		return cni_errf(err, CNI_ERR_IO, -rc,
				"cannot turn offloads off on %s: %s",
				a->host_if, strerror(-rc));
	rc = cni_nl_link_up(host, l.ifindex);
	if (rc < 0)
		return cni_errf(err, CNI_ERR_IO, -rc, "cannot set %s up: %s",
				a->host_if, strerror(-rc));
	return 0;
}

int
cni_veth_setup(const struct cni_ctx *ctx, int nsfd, struct cni_attach *a,
		struct cni_err *err)
{
	struct cni_nl host = { .fd = -1 }, pod = { .fd = -1 };
	int rc;

	rc = cni_nl_open(&host, -1);
	if (rc == 0)
		rc = cni_nl_open(&pod, nsfd);
	if (rc < 0) {
		cni_errf(err, CNI_ERR_IO, -rc, "rtnetlink: %s", strerror(-rc));
		goto out;
	}
	rc = veth_create(ctx, &host, &pod, nsfd, a, err);
	if (rc < 0)
		goto out;
	rc = pod_configure(ctx, &pod, nsfd, a, err);
	if (rc == 0)
		rc = host_configure(&host, a, err);
	if (rc < 0)
		cni_nl_link_del(&host, a->host_if);     /* undo: the pair */
out:
	cni_nl_close(&pod);
	cni_nl_close(&host);
	return rc;
}

int
cni_veth_teardown(const char *host_if, struct cni_err *err)
{
	struct cni_nl host = { .fd = -1 };
	int rc;

	rc = cni_nl_open(&host, -1);
	if (rc < 0)
		return cni_errf(err, CNI_ERR_IO, -rc, "rtnetlink: %s",
				strerror(-rc));
	rc = cni_nl_link_del(&host, host_if);
	cni_nl_close(&host);
	if (rc < 0 && rc != -ENODEV)
		return cni_errf(err, CNI_ERR_IO, -rc, "cannot delete %s: %s",
				host_if, strerror(-rc));
	return 0;
}

/* ---- CHECK ---- */

static int
check_link(struct cni_nl *nl, int nsfd, const char *name, const char *where,
		struct cni_link *l, struct cni_err *err)
{
	int rc = cni_nl_link_get(nl, name, l);

	if (rc < 0)
		return cni_errf(err, CNI_ERR_CHECK, -rc, "%s: %s is missing",
				where, name);
	if (strcmp(l->kind, "veth") != 0)
		return cni_errf(err, CNI_ERR_CHECK, EINVAL,
				"%s: %s is not a veth", where, name);
	if (!l->up)
		return cni_errf(err, CNI_ERR_CHECK, ENETDOWN, "%s: %s is down",
				where, name);
	if (cni_ethtool_offloads_are_off(nsfd, name) != 1)
		return cni_errf(err, CNI_ERR_CHECK, EINVAL,
				"%s: %s has checksum/segmentation offloads on",
				where, name);
	return 0;
}

static int
check_addrs(struct cni_nl *pod, int ifindex, const struct cni_ctx *ctx,
		const struct cni_attach *a, struct cni_err *err)
{
	char buf[64];
	unsigned int i;
	int rc;

	for (i = 0; i < a->n_ips; i++) {
		rc = cni_nl_addr_has(pod, ifindex, a->ips[i].family,
				     a->ips[i].addr, a->ips[i].prefix);
		if (rc != 1)
			return cni_errf(err, CNI_ERR_CHECK, ENOENT,
					"%s in pod lacks %s/%u", ctx->env.ifname,
					cni_ip_str(a->ips[i].family,
						   a->ips[i].addr, buf,
						   sizeof(buf)),
					a->ips[i].prefix);
	}
	return 0;
}

int
cni_veth_check(const struct cni_ctx *ctx, int nsfd,
		const struct cni_attach *a, struct cni_err *err)
{
	struct cni_nl host = { .fd = -1 }, pod = { .fd = -1 };
	struct cni_link hl, pl;
	int rc;

	rc = cni_nl_open(&host, -1);
	if (rc == 0)
		rc = cni_nl_open(&pod, nsfd);
	if (rc < 0) {
		cni_errf(err, CNI_ERR_IO, -rc, "rtnetlink: %s", strerror(-rc));
		goto out;
	}
	rc = check_link(&host, -1, a->host_if, "host", &hl, err);
	if (rc == 0)
		rc = check_link(&pod, nsfd, ctx->env.ifname, "pod", &pl, err);
	if (rc == 0 && pl.mtu != ctx->conf.mtu)
		rc = cni_errf(err, CNI_ERR_CHECK, EINVAL,
			      "pod: %s has MTU %u, config says %u",
			      ctx->env.ifname, pl.mtu, ctx->conf.mtu);
	if (rc == 0)
		rc = check_addrs(&pod, pl.ifindex, ctx, a, err);
out:
	cni_nl_close(&pod);
	cni_nl_close(&host);
	return rc;
}
