/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vs_port_afp.c: what is particular to af_packet ports (kernel pods on
 * the host end of a veth, DPDK's net_af_packet), next to vs_port.c:
 * the ring's frame size and the frames it cuts.
 *
 * DPDK's af_packet PMD joins a PACKET_FANOUT group with
 * PACKET_FANOUT_FLAG_DEFRAG, so the kernel reassembles IPv4 fragments
 * before the socket sees them, and the PMD's TPACKET_V2 ring copies at
 * most one ring frame of each packet into one mbuf. The kernel puts the
 * Ethernet frame AFP_RX_MACOFF bytes into the ring frame (TPACKET_V2
 * header and sockaddr_ll, 16-byte aligned, minus the 14-byte MAC
 * header), so with the PMD's default frame size of 2048 a pod's datagram
 * reassembled to more than 1982 bytes of Ethernet frame arrives cut.
 *
 * How we recognise a cut packet (vs_pipeline.c, parse_failed, only on the
 * branch where parse already fails): it came in on an af_packet port, its
 * IPv4 total length is more than its frame holds, and its frame is at
 * least framesz - AFP_RX_OVERHEAD bytes long (the ring frame was full;
 * the slack covers any MAC offset the kernel may choose). It is dropped as
 * rx_truncated and counted on the port; a shorter frame that lies about
 * its length is malformed. The control thread logs, per port, the first
 * such drop and then at most one line a minute while they go on,
 * naming the frame size and the option that raises it.
 *
 * max_frame (vs_port_spec): the largest Ethernet frame a pod may send,
 * i.e. its largest datagram, reassembled, + 14. The ring frame (framesz)
 * gets AFP_RX_OVERHEAD bytes more, rounded up to 1 KiB so that a block
 * (blocksz: a page multiple, as the kernel wants; and a multiple of
 * framesz, because the PMD addresses frame i at i * framesz) stays small:
 * the least common multiple of framesz and the page size, 1 to 4 frames.
 * framecnt stays the PMD's 512, so each queue pair maps 2 x 512 x framesz
 * bytes (rx and tx ring, MAP_LOCKED). The PMD copies a frame into one
 * mbuf and refuses a queue whose mbufs hold less than framesz - 32, so
 * such a port gets its own mempool of mbufs that big (AFP_POOL_MBUFS plus
 * some per worker). Ports without max_frame keep the PMD's 2048-byte
 * frames and the switch's shared mempool: their memory does not change.
 *
 * A port's own mempool outlives the port: when the port goes, mbufs of it
 * may still sit in another port's tx queue (a ring, a pcap), or be
 * referenced by fragments (vs_tx_frag.c). The pool is retired
 * (vs_port_afp_retire) and freed by housekeeping once every mbuf is back
 * in it and then a grace period has passed (rte_rcu_qsbr token), so that
 * no worker is still inside the mempool put that returned the last one.
 *
 * The largest frame a port's pod takes (tx_max, the one test on the tx
 * path: bigger IPv4 packets are fragmented or answered, vs_tx_frag.c):
 * for af_packet, the host interface's MTU read at port add (SIOCGIFMTU;
 * the pod's end must have the same MTU, which the CNI plugin sets) + 14,
 * and no more than the ring's tx slot; for vhost, the port's mtu option
 * (vs_port_spec, default 1500: virtio's; the pod's PMD must use the same)
 * + 14; none for the uplink (whatever its type: VXLAN checks its own
 * size, and vs_tunnel_dp.c fragments before encapsulating) and other
 * ports (pcap, rings).
 *
 * Thread-safety: control thread only.
 */
#include <errno.h>
#include <inttypes.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_rcu_qsbr.h>

#include "vs_log.h"
#include "vs_port_afp.h"

#define AFP_FRAMESZ_DEFAULT 2048        /* the PMD's DFLT_FRAME_SIZE */
#define AFP_RX_MACOFF 66                /* where the kernel puts the frame */
#define AFP_RX_OVERHEAD 80              /* ... at most (netoff, TPACKET_V2) */
#define AFP_TRUNC_LOG_S 60              /* one log line a minute at most */
#define AFP_FRAME_ALIGN 1024            /* framesz granularity, see above */
#define AFP_TX_HDR 32                   /* PMD: framesz - 32 per mbuf */
#define AFP_POOL_MBUFS 511              /* own mempool: base size ... */
#define AFP_POOL_PER_WORKER 64          /* ... plus per worker */
#define AFP_POOL_CACHE 32
#define VS_VHOST_MTU 1500               /* DPDK pods: virtio's default */

static_assert(RTE_PKTMBUF_HEADROOM + RTE_ALIGN_CEIL(VS_MAX_FRAME_MAX +
		AFP_RX_OVERHEAD, AFP_FRAME_ALIGN) - AFP_TX_HDR <= UINT16_MAX,
		"VS_MAX_FRAME_MAX: the mbuf data room is 16 bits");

/** A retired port mempool, freed when all its mbufs are back (see above). */
struct vs_pool_ret {
	struct rte_mempool *mp;
	uint64_t token;                 /* RCU token once found full */
	bool full;                      /* token taken */
	struct vs_pool_ret *next;
};

static uint32_t
gcd_u32(uint32_t a, uint32_t b)
{
	while (b != 0) {
		uint32_t t = a % b;

		a = b;
		b = t;
	}
	return a;
}

/* The host interface's MTU (SIOCGIFMTU), or 0. */
static uint32_t
iface_mtu(const char *iface)
{
	struct ifreq ifr;
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	uint32_t mtu = 0;

	if (fd < 0)
		return 0;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", iface);
	if (ioctl(fd, SIOCGIFMTU, &ifr) == 0 && ifr.ifr_mtu > 0)
		mtu = (uint32_t)ifr.ifr_mtu;
	close(fd);
	return mtu;
}

void
vs_port_afp_init(struct vs_port *p)
{
	uint32_t mtu;

	p->tx_max = UINT32_MAX;
	if (p->spec.type == VS_PORT_VHOST && !p->spec.uplink)
		p->tx_max = (p->spec.mtu != 0 ? p->spec.mtu : VS_VHOST_MTU) +
				RTE_ETHER_HDR_LEN;
	if (p->spec.type != VS_PORT_AFPACKET)
		return;
	p->framesz = p->spec.max_frame == 0 ? AFP_FRAMESZ_DEFAULT :
			RTE_ALIGN_CEIL(p->spec.max_frame + AFP_RX_OVERHEAD,
				AFP_FRAME_ALIGN);
	p->rx_trunc = p->framesz - AFP_RX_OVERHEAD;
	/* The uplink carries VXLAN, sized by the tunnel (vs_tunnel_dp.c). */
	if (p->spec.uplink)
		return;
	/* The PMD drops what its tx slot cannot hold; the kernel, what is
	 * bigger than the interface's MTU (the pod end has the same). */
	p->tx_max = p->framesz - AFP_TX_HDR;
	mtu = iface_mtu(p->spec.iface);
	if (mtu != 0)
		p->tx_max = RTE_MIN(p->tx_max, mtu + RTE_ETHER_HDR_LEN);
}

/* A per-port number option of spec: 0 (unset), or for ports of type
 * only and within [min, max]. */
static int
opt_check(const struct vs_port_spec *spec, const char *opt, uint32_t v,
		enum vs_port_type type, const char *tname, uint32_t min,
		uint32_t max, char *err, size_t errlen)
{
	if (v == 0)
		return 0;
	if (spec->type != type) {
		snprintf(err, errlen, "port %s: %s is only for %s ports",
				spec->name, opt, tname);
		return -EINVAL;
	}
	if (v < min || v > max) {
		snprintf(err, errlen, "port %s: %s %u is not in %u..%u",
				spec->name, opt, v, min, max);
		return -EINVAL;
	}
	return 0;
}

int
vs_port_afp_check(const struct vs_port_spec *spec, char *err, size_t errlen)
{
	int rc = opt_check(spec, "max_frame", spec->max_frame,
			VS_PORT_AFPACKET, "afpacket", VS_MAX_FRAME_MIN,
			VS_MAX_FRAME_MAX, err, errlen);

	if (rc == 0)
		rc = opt_check(spec, "mtu", spec->mtu, VS_PORT_VHOST, "vhost",
				VS_VHOST_MTU_MIN, VS_VHOST_MTU_MAX, err,
				errlen);
	return rc;
}

int
vs_port_afp_devargs(const struct vs_port *p, char *buf, size_t size)
{
	uint32_t page = (uint32_t)getpagesize();
	int n;

	if (p->spec.max_frame == 0) {
		n = snprintf(buf, size, "%s", "");
	} else {
		n = snprintf(buf, size, ",framesz=%u,blocksz=%u", p->framesz,
				p->framesz / gcd_u32(p->framesz, page) * page);
	}
	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

int
vs_port_afp_pool(struct vs *vs, struct vs_port *p, char *err, size_t errlen)
{
	static unsigned int seq;        /* retired pools keep their names */
	char name[RTE_MEMPOOL_NAMESIZE];
	unsigned int n = AFP_POOL_MBUFS + AFP_POOL_PER_WORKER * vs->n_wk;

	if (p->spec.max_frame == 0)
		return 0;
	snprintf(name, sizeof(name), "vs_afp%u", seq++);
	p->pool = rte_pktmbuf_pool_create(name, n, AFP_POOL_CACHE, 0,
			(uint16_t)(RTE_PKTMBUF_HEADROOM + p->framesz - AFP_TX_HDR),
			rte_socket_id());
	if (p->pool == NULL) {
		snprintf(err, errlen, "port %s: cannot create %u mbufs of %u "
				"bytes for max_frame %u: %s", p->spec.name, n,
				p->framesz, p->spec.max_frame,
				rte_strerror(rte_errno));
		return -ENOMEM;
	}
	return 0;
}

void
vs_port_afp_retire(struct vs *vs, struct vs_port *p)
{
	struct vs_pool_ret *r;

	if (p->pool == NULL)
		return;
	r = calloc(1, sizeof(*r));
	if (r == NULL) {
		/* Keep it until shutdown rather than free it too early. */
		VS_LOG(WARNING, "port %s: mempool kept\n", p->spec.name);
		p->pool = NULL;
		return;
	}
	r->mp = p->pool;
	r->next = vs->pools_retired;
	vs->pools_retired = r;
	p->pool = NULL;
}

/* all: the workers are stopped and every port closed (vs_destroy). */
void
vs_port_afp_reclaim(struct vs *vs, bool all)
{
	struct vs_pool_ret **pp = &vs->pools_retired, *r;

	while ((r = *pp) != NULL) {
		if (!all && !rte_mempool_full(r->mp)) {
			r->full = false;
			pp = &r->next;
			continue;
		}
		if (!all && !r->full) {
			r->token = rte_rcu_qsbr_start(vs->qsv);
			r->full = true;
			pp = &r->next;
			continue;
		}
		if (!all && rte_rcu_qsbr_check(vs->qsv, r->token, false) != 1) {
			pp = &r->next;
			continue;
		}
		*pp = r->next;
		if (!all)
			VS_LOG(INFO, "mempool %s of a removed port freed\n",
					r->mp->name);
		rte_mempool_free(r->mp);
		free(r);
	}
}

void
vs_port_trunc_check(struct vs *vs, struct vs_port *p, uint64_t now)
{
	struct vs_port_stats st;
	uint64_t n;

	if (p->rx_trunc == 0)
		return;
	vs_port_stats_sum(vs, p->port_id, &st);
	n = st.rx_truncated - p->base.rx_truncated;
	if (n == p->trunc_logged || (p->trunc_log_tsc != 0 &&
			now < p->trunc_log_tsc + rte_get_tsc_hz() *
			AFP_TRUNC_LOG_S))
		return;
	VS_LOG(WARNING, "port %s: %" PRIu64 " packet(s) dropped as "
			"rx_truncated: the af_packet frame size %u holds "
			"Ethernet frames up to %u bytes, smaller than a "
			"datagram the kernel reassembled; raise the port's "
			"max_frame (npvsctl port add --max-frame, config "
			"ports[].max_frame)\n", p->spec.name,
			n - p->trunc_logged, p->framesz,
			p->framesz - AFP_RX_MACOFF);
	p->trunc_logged = n;
	p->trunc_log_tsc = now;
}
