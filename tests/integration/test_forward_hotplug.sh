#!/usr/bin/env bash
# test_forward_hotplug.sh: ports and endpoints added and removed at run
# time (npvsctl over the control socket) while two other pods ping each
# other every 20 ms (6 s): not one ping may be lost, and the pod that comes and
# goes is reachable exactly while it is there.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
npvs_init hp "$@"
npvs_need ping ethtool python3

pod_kernel_add a 10.244.1.2/24 10.244.1.1
pod_kernel_add b 10.244.1.3/32 169.254.1.1
pod_kernel_add c 10.244.1.4/24 10.244.1.1

npvsd_config_write > "$NPVS_TMP/npvsd.yaml" <<EOF
ports:
  - { name: pa, type: afpacket, iface: $(pod_veth a) }
  - { name: pb, type: afpacket, iface: $(pod_veth b) }
endpoints:
  - { namespace: t, name: a, port: pa, ips: [10.244.1.2] }
  - { namespace: t, name: b, port: pb, ips: [10.244.1.3] }
EOF
npvsd_start "$NPVS_TMP/npvsd.yaml"
pod_exec a ping -c 2 -i 0.2 -W 2 10.244.1.3 >/dev/null || npvs_fail "ping before"

pod_exec a ping -c 300 -i 0.02 -W 2 10.244.1.3 > "$NPVS_TMP/ping.out" 2>&1 &
ping_pid=$!
i=0
# Rounds of changes for as long as the pings go on (at least two).
while [ "$i" -lt 2 ] || kill -0 "$ping_pid" 2>/dev/null; do
	i=$((i + 1))
	npvsctl port add pc --afpacket "$(pod_veth c)" >/dev/null ||
		npvs_fail "port add, round $i"
	npvsctl endpoint add t/c --port pc --ip 10.244.1.4 >/dev/null ||
		npvs_fail "endpoint add, round $i"
	pod_exec c ping -c 1 -W 2 10.244.1.2 >/dev/null ||
		pod_exec c ping -c 1 -W 2 10.244.1.2 >/dev/null ||
		npvs_fail "c unreachable while present, round $i"
	npvsctl endpoint del t/c >/dev/null || npvs_fail "endpoint del, round $i"
	npvsctl port del pc >/dev/null || npvs_fail "port del, round $i"
	pod_exec c ping -c 1 -W 1 10.244.1.2 >/dev/null &&
		npvs_fail "c reachable after removal, round $i"
done
wait "$ping_pid" || npvs_fail "ping a -> b during changes: $(tail -3 "$NPVS_TMP/ping.out")"
grep -q ' 0% packet loss' "$NPVS_TMP/ping.out" ||
	npvs_fail "lost pings: $(grep loss "$NPVS_TMP/ping.out")"
npvs_log "300 pings a -> b, none lost, across $i add/del rounds"

npvsd_stop
npvs_pass
