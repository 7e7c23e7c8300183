#!/usr/bin/env bash
# test_forward_frag.sh: datagrams bigger than the MTU between kernel pods
# on af_packet ports. The pods' kernels fragment them (MTU 1500), the host
# kernel reassembles them for the af_packet socket, npvsd decides on the
# whole datagram and fragments it again for the pod on the other side.
#   1. ports with max_frame 9014: ping -s 4000 both ways, a 6000-byte UDP
#      datagram arrives whole (sha256), the ports' tx_frags moved, nothing
#      counted as rx_truncated or malformed
#   2. a port at the default frame size: the reply of ping -s 4000 arrives
#      cut (rx_truncated counts it, malformed does not, npvsd says once
#      which option raises the limit), so the ping fails
#   3. DF set and too big for the destination's MTU (a jumbo pod): dropped
#      as too_big and answered with ICMP fragmentation needed, MTU 1500
#   4. a NetworkPolicy that allows b only UDP 7000: the big datagram to
#      7001 is denied (policy_denied, once: one datagram), to 7000 it
#      still arrives whole
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
npvs_init ffr "$@"
npvs_need ping python3 ethtool ss sha256sum

A=10.244.1.2 B=10.244.1.3 C=10.244.1.4 D=10.244.1.5
pod_kernel_add a $A/24 10.244.1.1
pod_kernel_add b $B/24 10.244.1.1
pod_kernel_add c $C/24 10.244.1.1
pod_kernel_add d $D/24 10.244.1.1
# d is a jumbo pod: both ends of its veth at MTU 9000 (read at port add)
ip link set "$(pod_veth d)" mtu 9000
ip -n "$(pod_ns d)" link set eth0 mtu 9000

npvsd_config_write >"$NPVS_TMP/npvsd.yaml" <<EOF
ports:
  - { name: pa, type: afpacket, iface: $(pod_veth a), max_frame: 9014 }
  - { name: pb, type: afpacket, iface: $(pod_veth b), max_frame: 9014 }
  - { name: pc, type: afpacket, iface: $(pod_veth c) }
  - { name: pd, type: afpacket, iface: $(pod_veth d), max_frame: 9014 }
endpoints:
  - { namespace: t, name: a, port: pa, ips: [$A] }
  - { namespace: t, name: b, port: pb, ips: [$B] }
  - { namespace: t, name: c, port: pc, ips: [$C] }
  - { namespace: t, name: d, port: pd, ips: [$D] }
EOF
npvsd_start "$NPVS_TMP/npvsd.yaml"
for p in pa pb pc pd; do
	wait_for 5 npvs_port_up $p || npvs_fail "port $p not up"
done
# MACs learned (and ARP answered) both ways before the counting starts
pod_exec a ping -c 1 -W 1 $B >/dev/null 2>&1
pod_exec a ping -c 1 -W 1 $C >/dev/null 2>&1
pod_exec d ping -c 1 -W 1 $B >/dev/null 2>&1

# the 6000-byte datagram (lib.sh: udp_big_init, udp_big)
udp_big_init 6000
WANT=$UDP_WANT

# ---- 1. max_frame 9014 on both sides ----
mal0=$(npvs_drops malformed)
tr0=$(npvs_drops rx_truncated)
fa0=$(npvs_port_stat pa tx_frags)
fb0=$(npvs_port_stat pb tx_frags)
pod_exec a ping -c 3 -i 0.2 -W 2 -s 4000 $B >/dev/null ||
	npvs_fail "ping -s 4000 a -> b"
pod_exec b ping -c 3 -i 0.2 -W 2 -s 4000 $A >/dev/null ||
	npvs_fail "ping -s 4000 b -> a"
got=$(udp_big a b $B 7000)
[ "$got" = "$WANT" ] || npvs_fail "UDP a -> b: got '$got', want '$WANT'"
# 4028-byte datagrams: 3 fragments each at MTU 1500 (6 to b, 6 to a,
# and the UDP datagram's 5 to b)
fa=$(( $(npvs_port_stat pa tx_frags) - fa0 ))
fb=$(( $(npvs_port_stat pb tx_frags) - fb0 ))
[ "$fb" -ge 23 ] && [ "$fa" -ge 18 ] ||
	npvs_fail "tx_frags: pa +$fa (want >= 18), pb +$fb (want >= 23)"
[ "$(npvs_drops rx_truncated)" -eq "$tr0" ] ||
	npvs_fail "rx_truncated moved with max_frame 9014"
npvs_log "big pings and a 6000-byte datagram through; fragments made: pa $fa, pb $fb"

# ---- 2. c at the default frame size: its replies arrive cut ----
if pod_exec a ping -c 2 -i 0.2 -W 1 -s 4000 $C >/dev/null; then
	npvs_fail "ping -s 4000 a -> c went through a 2048-byte frame port"
fi
tr=$(( $(npvs_drops rx_truncated) - tr0 ))
[ "$tr" -ge 2 ] || npvs_fail "rx_truncated +$tr, want >= 2"
[ "$(npvs_port_stat pc rx_truncated)" -ge 2 ] ||
	npvs_fail "port pc's rx_truncated did not count"
# the text table shows both port counters, the same as the JSON
tbl=$(npvsctl stats)
echo "$tbl" | awk -v want="$(npvs_port_stat pc rx_truncated)" '
	$1 == "PORT" { for (i = 1; i <= NF; i++) col[$i] = i }
	$1 == "pc" && col["RX-TRUNC"] && $col["RX-TRUNC"] == want { ok = 1 }
	END { exit !ok }' ||
	npvs_fail "npvsctl stats: no RX-TRUNC column with port pc's count"
echo "$tbl" | awk -v want="$(npvs_port_stat pa tx_frags)" '
	$1 == "PORT" { for (i = 1; i <= NF; i++) col[$i] = i }
	$1 == "pa" && col["TX-FRAGS"] && $col["TX-FRAGS"] == want { ok = 1 }
	END { exit !ok }' ||
	npvs_fail "npvsctl stats: no TX-FRAGS column with port pa's count"
[ "$(npvs_drops malformed)" -eq "$mal0" ] ||
	npvs_fail "malformed moved: $mal0 -> $(npvs_drops malformed)"
wait_for 3 grep -q "port pc: .*rx_truncated.*max_frame" "$NPVSD_LOG" ||
	npvs_fail "no log line about pc's frame size"
[ "$(grep -c "port pc: .*rx_truncated" "$NPVSD_LOG")" -eq 1 ] ||
	npvs_fail "rx_truncated logged more than once"
pod_exec a ping -c 1 -W 2 $C >/dev/null || npvs_fail "small ping a -> c"
npvs_log "default frame: big ping cut ($tr rx_truncated), small ping fine"

# ---- 3. DF and too big: ICMP fragmentation needed to the sender ----
big0=$(npvs_drops too_big)
out=$(pod_exec d ping -c 2 -i 0.3 -W 1 -M do -s 4000 $B 2>&1)
grep -q "mtu = 1500\|mtu=1500" <<<"$out" ||
	npvs_fail "no fragmentation needed with MTU 1500: $out"
[ "$(npvs_drops too_big)" -gt "$big0" ] || npvs_fail "too_big did not count"
pod_exec d ping -c 2 -i 0.2 -W 2 -s 4000 $B >/dev/null ||
	npvs_fail "ping -s 4000 d -> b without DF"
npvs_log "DF too big: ICMP MTU 1500 back to d; without DF it passes"

# ---- 4. policy on the whole datagram ----
cat >"$NPVS_TMP/pol.yaml" <<EOF
apiVersion: v1
kind: Namespace
metadata: {name: t}
---
apiVersion: v1
kind: Pod
metadata: {name: b, namespace: t, labels: {app: b}}
spec: {containers: [{name: c, image: busybox}]}
status: {podIPs: [{ip: $B}]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: b-udp-7000, namespace: t}
spec:
  podSelector: {matchLabels: {app: b}}
  policyTypes: [Ingress]
  ingress:
  - ports: [{protocol: UDP, port: 7000}]
EOF
out=$(npvsctl apply -f "$NPVS_TMP/pol.yaml" 2>&1) || npvs_fail "apply: $out"
den0=$(npvs_drops policy_denied)
got=$(udp_big a b $B 7001)
[ "$got" = "0 none" ] || npvs_fail "UDP to 7001 not denied: $got"
den=$(( $(npvs_drops policy_denied) - den0 ))
[ "$den" -eq 1 ] || npvs_fail "policy_denied +$den, want 1 (one datagram)"
got=$(udp_big a b $B 7000)
[ "$got" = "$WANT" ] || npvs_fail "UDP to allowed 7000: got '$got'"
npvs_log "policy: the big datagram denied once on 7001, whole on 7000"

kill -0 "$NPVSD_PID" || npvs_fail "npvsd died"
npvsd_stop
npvs_pass
