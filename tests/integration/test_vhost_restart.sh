#!/usr/bin/env bash
# test_vhost_restart.sh: vhost-user client mode. The DPDK pod's
# virtio_user is the socket server (server=1) and npvsd connects to it:
#  1. npvsd restarts while the pod keeps running: the pod is still alive
#     and traffic resumes once npvsd is back;
#  2. the pod restarts while npvsd keeps running: npvsd reconnects by
#     itself and traffic resumes.
# The pod's MAC is configured on its endpoint this time (no learning), and
# npvsd runs as in production: hugepages, --in-memory.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
npvs_init vr "$@"
npvs_need dpdk-testpmd ping ethtool python3
npvs_need_hugepages 300

pod_kernel_add a 10.244.1.2/24 10.244.1.1
sock="$NPVS_TMP/d.sock"
dmac=02:00:00:00:0d:02

npvsd_config_write HUGE=1 > "$NPVS_TMP/npvsd.yaml" <<EOF
ports:
  - { name: pa, type: afpacket, iface: $(pod_veth a) }
  - { name: pd, type: vhost, path: $sock, mode: client }
endpoints:
  - { namespace: t, name: a, port: pa, ips: [10.244.1.2] }
  - { namespace: t, name: d, port: pd, ips: [10.244.1.10], mac: "$dmac" }
EOF

# ping_ok: 5 pings kernel pod -> DPDK pod, after one that may be lost.
# Traffic has resumed when a run of 5 pings loses none. A pod that has
# just (re)connected may still be enabling its queues, and the machine may
# be loaded: a second run is allowed, and the first one's loss is logged.
ping_ok() {
	pod_exec a ping -c 1 -W 2 10.244.1.10 >/dev/null
	local out try
	for try in 1 2; do
		out=$(pod_exec a ping -c 5 -i 0.1 -W 2 10.244.1.10)
		if grep -q ' 0% packet loss' <<<"$out"; then
			npvs_log "$1: 5/5 pings (run $try)"
			return 0
		fi
		npvs_log "$1: run $try lost pings: $(grep 'packet loss' <<<"$out")"
	done
	npvs_fail "$1: loss: $out"
}

pod_dpdk_start d "path=$sock,queues=1,server=1,mac=$dmac" \
	--forward-mode=icmpecho --auto-start
pod1=$POD_PID
wait_for 20 test -S "$sock" || npvs_fail "the pod did not create $sock"

npvsd_start "$NPVS_TMP/npvsd.yaml"
wait_for 20 npvs_port_up pd || npvs_fail "vhost link did not come up"
ping_ok "first start"

# 1. npvsd restarts, the pod stays.
npvsd_stop
sleep 1
kill -0 "$pod1" || npvs_fail "the pod died when npvsd stopped"
npvsd_start "$NPVS_TMP/npvsd.yaml"
wait_for 20 npvs_port_up pd || npvs_fail "no reconnection after restart"
ping_ok "npvsd restarted"
kill -0 "$pod1" || npvs_fail "the pod died"

# 2. The pod restarts, npvsd stays.
npvsd_kill "$pod1"
wait_for 10 npvs_port_down pd || npvs_fail "link still up without the pod"
pod_dpdk_start d "path=$sock,queues=1,server=1,mac=$dmac" \
	--forward-mode=icmpecho --auto-start
wait_for 30 npvs_port_up pd || npvs_fail "npvsd did not reconnect to the new pod"
ping_ok "pod restarted"

npvsd_stop
npvs_pass
