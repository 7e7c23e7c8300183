/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cni_nl.c: rtnetlink requests for npvs-cni (cni_nl.h). Each request is
 * built in one buffer (header, family struct, attributes), sent, and
 * answered by an ack (nlmsgerr) or, for lookups, by the object itself.
 */
#include "cni_nl.h"
#include "cni_netns.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <linux/if.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>

#define NL_BUF_SIZE 8192

struct nl_req {
	union {
		struct nlmsghdr h;
		char buf[NL_BUF_SIZE];
	};
};

int
cni_nl_open(struct cni_nl *nl, int nsfd)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	struct timeval tv = { .tv_sec = 5 };
	int fd;

	fd = cni_netns_socket(nsfd, AF_NETLINK, SOCK_RAW, NETLINK_ROUTE);
	if (fd < 0)
		return fd;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		close(fd);
		return -errno;
	}
	nl->fd = fd;
	nl->seq = 1;
	return 0;
}

void
cni_nl_close(struct cni_nl *nl)
{
	if (nl->fd >= 0)
		close(nl->fd);
	nl->fd = -1;
}

/* ---- message building ---- */

static void
req_init(struct nl_req *r, uint16_t type, uint16_t flags, const void *hdr,
		size_t hdr_len)
{
	memset(r->buf, 0, NLMSG_SPACE(hdr_len));
	r->h.nlmsg_len = NLMSG_LENGTH(hdr_len);
	r->h.nlmsg_type = type;
	r->h.nlmsg_flags = NLM_F_REQUEST | flags;
	memcpy(NLMSG_DATA(&r->h), hdr, hdr_len);
}

static struct rtattr *
attr_put(struct nl_req *r, uint16_t type, const void *data, size_t len)
{
	size_t off = NLMSG_ALIGN(r->h.nlmsg_len);
	struct rtattr *a = (struct rtattr *)(r->buf + off);

	if (off + RTA_SPACE(len) > sizeof(r->buf))
		return NULL;
	a->rta_type = type;
	a->rta_len = (unsigned short)RTA_LENGTH(len);
	if (len > 0)
		memcpy(RTA_DATA(a), data, len);
	r->h.nlmsg_len = (uint32_t)(off + RTA_SPACE(len));
	return a;
}

static struct rtattr *
attr_str(struct nl_req *r, uint16_t type, const char *s)
{
	return attr_put(r, type, s, strlen(s) + 1);
}

static struct rtattr *
attr_u32(struct nl_req *r, uint16_t type, uint32_t v)
{
	return attr_put(r, type, &v, sizeof(v));
}

/* A nested attribute ends where the message ends now. */
static void
nest_end(struct nl_req *r, struct rtattr *nest)
{
	nest->rta_len = (unsigned short)((char *)&r->h + r->h.nlmsg_len -
					 (char *)nest);
}

/* ---- transport ---- */

static int
nl_send(struct cni_nl *nl, struct nl_req *r)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };

	r->h.nlmsg_seq = ++nl->seq;
	if (sendto(nl->fd, r->buf, r->h.nlmsg_len, 0, (struct sockaddr *)&sa,
		   sizeof(sa)) < 0)
		return -errno;
	return 0;
}

/*
 * Receive the answers to the last request; call fn on each data message
 * (may be NULL). @return 0 on ack/done, a negative errno from the kernel
 * or the socket, or fn's negative value.
 */
static int
nl_recv(struct cni_nl *nl, int (*fn)(struct nlmsghdr *h, void *arg),
		void *arg)
{
	static char buf[32768];
	struct nlmsghdr *h;
	ssize_t n;
	int len, rc;

	for (;;) {
		n = recv(nl->fd, buf, sizeof(buf), 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		len = (int)n;
		for (h = (struct nlmsghdr *)buf; NLMSG_OK(h, len);
		     h = NLMSG_NEXT(h, len)) {
			if (h->nlmsg_seq != nl->seq)
				continue;
			if (h->nlmsg_type == NLMSG_DONE)
				return 0;
			if (h->nlmsg_type == NLMSG_ERROR)
				return ((struct nlmsgerr *)NLMSG_DATA(h))->error;
			if (fn != NULL) {
				rc = fn(h, arg);
				if (rc < 0)
					return rc;
			}
			if (!(h->nlmsg_flags & NLM_F_MULTI) && fn != NULL)
				return 0;
		}
	}
}

static int
nl_talk(struct cni_nl *nl, struct nl_req *r,
		int (*fn)(struct nlmsghdr *h, void *arg), void *arg)
{
	int rc = nl_send(nl, r);

	return rc < 0 ? rc : nl_recv(nl, fn, arg);
}

/* ---- links ---- */

int
cni_nl_veth_add(struct cni_nl *nl, const char *name, const char *peer,
		int peer_nsfd, unsigned int mtu)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC };
	struct rtattr *linkinfo, *data, *peer_attr;
	static struct nl_req r;

	req_init(&r, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL | NLM_F_ACK,
		 &ifi, sizeof(ifi));
	attr_str(&r, IFLA_IFNAME, name);
	attr_u32(&r, IFLA_MTU, mtu);
	linkinfo = attr_put(&r, IFLA_LINKINFO, NULL, 0);
	attr_str(&r, IFLA_INFO_KIND, "veth");
	data = attr_put(&r, IFLA_INFO_DATA, NULL, 0);
	/* VETH_INFO_PEER carries an ifinfomsg, then the peer's attributes */
	peer_attr = attr_put(&r, VETH_INFO_PEER, &ifi, sizeof(ifi));
	attr_str(&r, IFLA_IFNAME, peer);
	attr_u32(&r, IFLA_MTU, mtu);
	if (peer_nsfd >= 0)
		attr_u32(&r, IFLA_NET_NS_FD, (uint32_t)peer_nsfd);
	nest_end(&r, peer_attr);
	nest_end(&r, data);
	nest_end(&r, linkinfo);
	return nl_talk(nl, &r, NULL, NULL);
}

int
cni_nl_link_del(struct cni_nl *nl, const char *name)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC };
	static struct nl_req r;

	req_init(&r, RTM_DELLINK, NLM_F_ACK, &ifi, sizeof(ifi));
	attr_str(&r, IFLA_IFNAME, name);
	return nl_talk(nl, &r, NULL, NULL);
}

static void
link_info_kind(struct rtattr *info, struct cni_link *out)
{
	int len = RTA_PAYLOAD(info);
	struct rtattr *a;

	for (a = RTA_DATA(info); RTA_OK(a, len); a = RTA_NEXT(a, len))
		if (a->rta_type == IFLA_INFO_KIND &&
		    RTA_PAYLOAD(a) < sizeof(out->kind)) {
			memcpy(out->kind, RTA_DATA(a), RTA_PAYLOAD(a));
			out->kind[RTA_PAYLOAD(a)] = '\0';
		}
}

static int
link_parse(struct nlmsghdr *h, void *arg)
{
	struct ifinfomsg *ifi = NLMSG_DATA(h);
	struct cni_link *out = arg;
	int len = (int)IFLA_PAYLOAD(h);
	struct rtattr *a;

	if (h->nlmsg_type != RTM_NEWLINK)
		return 0;
	out->ifindex = ifi->ifi_index;
	out->up = (ifi->ifi_flags & IFF_UP) != 0;
	for (a = IFLA_RTA(ifi); RTA_OK(a, len); a = RTA_NEXT(a, len)) {
		if (a->rta_type == IFLA_MTU && RTA_PAYLOAD(a) >= 4)
			memcpy(&out->mtu, RTA_DATA(a), 4);
		else if (a->rta_type == IFLA_ADDRESS && RTA_PAYLOAD(a) == 6)
			memcpy(out->mac, RTA_DATA(a), 6);
		else if (a->rta_type == IFLA_LINKINFO)
			link_info_kind(a, out);
	}
	return 0;
}

int
cni_nl_link_get(struct cni_nl *nl, const char *name, struct cni_link *out)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC };
	static struct nl_req r;

	memset(out, 0, sizeof(*out));
	req_init(&r, RTM_GETLINK, 0, &ifi, sizeof(ifi));
	attr_str(&r, IFLA_IFNAME, name);
	return nl_talk(nl, &r, link_parse, out);
}

int
cni_nl_link_up(struct cni_nl *nl, int ifindex)
{
	struct ifinfomsg ifi = {
		.ifi_family = AF_UNSPEC,
		.ifi_index = ifindex,
		.ifi_flags = IFF_UP,
		.ifi_change = IFF_UP,
	};
	static struct nl_req r;

	req_init(&r, RTM_NEWLINK, NLM_F_ACK, &ifi, sizeof(ifi));
	return nl_talk(nl, &r, NULL, NULL);
}

/* ---- addresses ---- */

static size_t
family_len(int family)
{
	return family == AF_INET ? 4 : 16;
}

int
cni_nl_addr_add(struct cni_nl *nl, int ifindex, int family,
		const uint8_t *addr, uint8_t prefix)
{
	struct ifaddrmsg ifa = {
		.ifa_family = (uint8_t)family,
		.ifa_prefixlen = prefix,
		.ifa_index = (uint32_t)ifindex,
		.ifa_flags = family == AF_INET6 ? IFA_F_NODAD : 0,
	};
	static struct nl_req r;

	req_init(&r, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL | NLM_F_ACK,
		 &ifa, sizeof(ifa));
	attr_put(&r, IFA_LOCAL, addr, family_len(family));
	attr_put(&r, IFA_ADDRESS, addr, family_len(family));
	return nl_talk(nl, &r, NULL, NULL);
}

struct addr_match {
	int ifindex;
	int family;
	const uint8_t *addr;
	uint8_t prefix;
	bool found;
};

static int
addr_cmp(struct nlmsghdr *h, void *arg)
{
	struct ifaddrmsg *ifa = NLMSG_DATA(h);
	struct addr_match *m = arg;
	int len = (int)IFA_PAYLOAD(h);
	struct rtattr *a, *local = NULL, *address = NULL;

	if (h->nlmsg_type != RTM_NEWADDR || (int)ifa->ifa_index != m->ifindex ||
	    ifa->ifa_family != m->family || ifa->ifa_prefixlen != m->prefix)
		return 0;
	for (a = IFA_RTA(ifa); RTA_OK(a, len); a = RTA_NEXT(a, len)) {
		if (a->rta_type == IFA_LOCAL)
			local = a;
		else if (a->rta_type == IFA_ADDRESS)
			address = a;
	}
	a = local != NULL ? local : address;
	if (a != NULL && RTA_PAYLOAD(a) == family_len(m->family) &&
	    memcmp(RTA_DATA(a), m->addr, family_len(m->family)) == 0)
		m->found = true;
	return 0;
}

int
cni_nl_addr_has(struct cni_nl *nl, int ifindex, int family,
		const uint8_t *addr, uint8_t prefix)
{
	struct ifaddrmsg ifa = { .ifa_family = (uint8_t)family };
	struct addr_match m = {
		.ifindex = ifindex, .family = family, .addr = addr,
		.prefix = prefix,
	};
	static struct nl_req r;
	int rc;

	req_init(&r, RTM_GETADDR, NLM_F_DUMP, &ifa, sizeof(ifa));
	rc = nl_talk(nl, &r, addr_cmp, &m);
	if (rc < 0)
		return rc;
	return m.found ? 1 : 0;
}

/* ---- routes ---- */

int
cni_nl_route_add(struct cni_nl *nl, int ifindex, int family,
		const uint8_t *dst, uint8_t dst_len, const uint8_t *gw)
{
	struct rtmsg rtm = {
		.rtm_family = (uint8_t)family,
		.rtm_dst_len = dst_len,
		.rtm_table = RT_TABLE_MAIN,
		.rtm_protocol = RTPROT_BOOT,
		.rtm_scope = gw != NULL ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK,
		.rtm_type = RTN_UNICAST,
	};
	static struct nl_req r;

	req_init(&r, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL | NLM_F_ACK,
		 &rtm, sizeof(rtm));
	if (dst_len > 0)
		attr_put(&r, RTA_DST, dst, family_len(family));
	if (gw != NULL)
		attr_put(&r, RTA_GATEWAY, gw, family_len(family));
	attr_u32(&r, RTA_OIF, (uint32_t)ifindex);
	return nl_talk(nl, &r, NULL, NULL);
}
