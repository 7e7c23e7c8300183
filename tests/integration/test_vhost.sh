#!/usr/bin/env bash
# test_vhost.sh: a DPDK pod (dpdk-testpmd on virtio_user, icmpecho mode:
# it answers ARP and ICMP echo) on a vhost-user port that npvsd serves,
# and a kernel pod on veth/af_packet. The DPDK pod's MAC is not
# configured: npvsd asks for it (no_neighbour, then an ARP request that
# testpmd answers) and learns it. Then pings from the kernel pod must all
# come back through npvsd, and the counters must say so. The DPDK pod's
# port has mtu 9000: it shows in the port list, and a 4000-byte ping
# (reassembled for af_packet, max_frame 9014) reaches testpmd whole (it
# does not reassemble fragments) and its reply comes back, fragmented for
# the kernel pod's MTU 1500.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
npvs_init vh "$@"
npvs_need dpdk-testpmd ping ethtool python3
npvs_need_hugepages 160

pod_kernel_add a 10.244.1.2/24 10.244.1.1
sock="$NPVS_TMP/d.sock"
dmac=02:00:00:00:0d:01

npvsd_config_write > "$NPVS_TMP/npvsd.yaml" <<EOF
ports:
  - { name: pa, type: afpacket, iface: $(pod_veth a), max_frame: 9014 }
  - { name: pd, type: vhost, path: $sock, mode: server, mtu: 9000 }
endpoints:
  - { namespace: t, name: a, port: pa, ips: [10.244.1.2] }
  - { namespace: t, name: d, port: pd, ips: [10.244.1.10] }
EOF
npvsd_start "$NPVS_TMP/npvsd.yaml"
[ -S "$sock" ] || npvs_fail "npvsd did not create $sock"
# pdetail PORT: the port's detail in the port list
pdetail() { npvsctl -o json port list | python3 -c 'import json, sys
print([p["detail"] for p in json.load(sys.stdin)["ports"] if p["name"] == sys.argv[1]][0])' "$1"; }
[ "$(pdetail pd)" = "$sock (server, mtu 9000)" ] ||
	npvs_fail "pd detail: $(pdetail pd)"
npvs_port_up pd && npvs_fail "vhost port up with no pod connected"

# Nothing connected yet: a ping is a link_down drop, not a crash.
pod_exec a ping -c 1 -W 1 10.244.1.10 >/dev/null &&
	npvs_fail "ping answered with no DPDK pod"
[ "$(npvs_drops link_down)" -ge 1 ] || npvs_fail "no link_down drop counted"

pod_dpdk_start d "path=$sock,queues=1,mac=$dmac" \
	--forward-mode=icmpecho --auto-start
wait_for 20 npvs_port_up pd || npvs_fail "vhost link did not come up"
npvs_log "DPDK pod connected (pid $POD_PID)"

# First ping may be spent on ARP; then every ping must come back.
pod_exec a ping -c 1 -W 2 10.244.1.10 >/dev/null
out=$(pod_exec a ping -c 10 -i 0.1 -W 2 10.244.1.10) ||
	npvs_fail "ping kernel pod -> DPDK pod: $out"
grep -q ' 0% packet loss' <<<"$out" || npvs_fail "loss: $out"
[ "$(npvs_drops no_neighbour)" -ge 1 ] ||
	npvs_fail "the DPDK pod's MAC was never asked for"
npvsctl -o json endpoint list | grep -qi "$dmac" ||
	npvs_fail "npvsd did not learn the DPDK pod's MAC"
frags=$(npvs_port_stat pd tx_frags)
out=$(pod_exec a ping -c 3 -i 0.3 -W 2 -s 4000 10.244.1.10) ||
	npvs_fail "ping -s 4000 kernel pod -> DPDK pod (mtu 9000): $out"
[ "$(npvs_port_stat pd tx_frags)" = "$frags" ] ||
	npvs_fail "fragmented towards the mtu 9000 DPDK pod"
[ "$(npvs_port_stat pa tx_frags)" -ge 3 ] ||
	npvs_fail "the 4000-byte replies were not fragmented for pa"

tx=$(npvs_port_stat pd tx_packets)
rx=$(npvs_port_stat pd rx_packets)
[ "$tx" -ge 10 ] && [ "$rx" -ge 10 ] || npvs_fail "vhost counters tx $tx rx $rx"
kill -0 "$POD_PID" || npvs_fail "the DPDK pod died"

# npvsctl port add --mtu: in the port's detail; vhost only; npvsd's bounds.
npvsctl port add pe --vhost "$NPVS_TMP/e.sock" --mtu 1400 >/dev/null ||
	npvs_fail "port add --vhost --mtu 1400"
[ "$(pdetail pe)" = "$NPVS_TMP/e.sock (server, mtu 1400)" ] ||
	npvs_fail "pe detail: $(pdetail pe)"
npvsctl port del pe >/dev/null || npvs_fail "port del pe"
out=$(npvsctl port add pf --afpacket lo --mtu 1500 2>&1)
rc=$?
[ "$rc" -eq 2 ] && grep -q -- "--mtu goes with --vhost" <<<"$out" ||
	npvs_fail "--mtu on an afpacket port: status $rc: $out"
out=$(npvsctl port add pf --vhost "$NPVS_TMP/f.sock" --mtu 9699 2>&1)
rc=$?
[ "$rc" -eq 1 ] && grep -q "/args/mtu" <<<"$out" ||
	npvs_fail "--mtu 9699: status $rc: $out"

npvsd_stop
[ ! -e "$sock" ] || npvs_fail "vhost socket left behind"
npvs_pass
