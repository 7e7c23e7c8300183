/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cni_ethtool.h: turning off the offloads that break af_packet on a veth.
 *
 * With checksum and segmentation offloads on, the kernel hands af_packet
 * 64 KiB super-frames with no checksum; npvsd forwards them as they are
 * and TCP stalls while ping still works (DPDK-HOWTO.md). So both ends of
 * a kernel pod's veth get tx checksumming, every tx segmentation offload
 * (TSO, GSO, USO...) and GRO turned off, as `ethtool -K IF tx off tso off
 * gso off gro off` would, and a few newer ones it leaves on.
 */
#ifndef NPVS_CNI_ETHTOOL_H
#define NPVS_CNI_ETHTOOL_H

/**
 * Turn the offloads off on ifname in namespace nsfd (-1: current).
 * @return 0 or -errno of the first setting that failed (-EOPNOTSUPP for
 * a driver without it is ignored).
 */
int cni_ethtool_offloads_off(int nsfd, const char *ifname);

/**
 * @return 1 if every one of those offloads is off on ifname, 0 if one is
 * on, or -errno.
 */
int cni_ethtool_offloads_are_off(int nsfd, const char *ifname);

#endif /* NPVS_CNI_ETHTOOL_H */
