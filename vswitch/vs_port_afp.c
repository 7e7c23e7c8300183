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
 * How we recognise a cut packet (vs_pipeline.c, bad_length, only on the
 * branch where parse already fails): it came in on an af_packet port, its
 * IPv4 total length is more than its frame holds, and its frame is at
 * least framesz - AFP_RX_OVERHEAD bytes long (the ring frame was full;
 * the slack covers any MAC offset the kernel may choose). It is dropped as
 * rx_truncated and counted on the port; a shorter frame that lies about
 * its length is malformed. The control thread logs, per port, the first
 * such drop and then at most one line a minute while they go on,
 * naming the frame size and the option that raises it.
 *
 * Thread-safety: control thread only.
 */
#include <inttypes.h>

#include <rte_cycles.h>

#include "vs_log.h"
#include "vs_port_afp.h"

#define AFP_FRAMESZ_DEFAULT 2048        /* the PMD's DFLT_FRAME_SIZE */
#define AFP_RX_MACOFF 66                /* where the kernel puts the frame */
#define AFP_RX_OVERHEAD 80              /* ... at most (netoff, TPACKET_V2) */
#define AFP_TRUNC_LOG_S 60              /* one log line a minute at most */

void
vs_port_afp_init(struct vs_port *p)
{
	if (p->spec.type != VS_PORT_AFPACKET)
		return;
	p->framesz = AFP_FRAMESZ_DEFAULT;
	p->rx_trunc = p->framesz - AFP_RX_OVERHEAD;
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
