#!/usr/bin/env bash
# test_ct_bad_input.sh: conntrack under bad input, with kernel pods a, b,
# c (namespace t) and one policy: b accepts anything from a only.
#   1. a connection-table overflow (conntrack.max 16): new flows are
#      dropped and counted (ct_full) while an established TCP connection
#      keeps echoing; once the UDP flows expire (timeouts.udp 2 s) new
#      connections work again
#   2. fragments: ping -s 3000 a -> b passes (later fragments follow the
#      first); from c it is denied, its later fragments counted
#   3. TCP without a handshake (a raw ACK): dropped as tcp_no_flow
#   4. IP options (ping -R) pass
#   5. truncated TCP, UDP and ICMP headers: l4_malformed, exactly
# and npvsd forwards throughout.
#
# The pods are on net_pcap ports (libpcap on the host veth), not
# af_packet: DPDK's af_packet PMD joins a PACKET_FANOUT group with
# PACKET_FANOUT_FLAG_DEFRAG, so the kernel reassembles fragments before
# npvsd sees them (docs/architecture.md, "Connection tracking").
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$(dirname "${BASH_SOURCE[0]}")/policy_lib.sh"
npvs_init cb "$@"
npvs_need nc ping python3 ethtool ss

A=10.244.1.2 B=10.244.1.3 C=10.244.1.4
rmac=02:6e:70:76:73:cb
M=$NPVS_TMP

npvsd_config_write >"$M/npvsd.yaml" <<EOF
mac: "$rmac"
conntrack:
  max: 16
  timeouts: {udp: 2}
EOF
npvsd_start "$M/npvsd.yaml"
# pcap_pod POD IP N: a kernel pod on port POD (net_pcapN on its veth).
pcap_pod() {
	pod_kernel_add "$1" "$2/24" "$POL_CIDR_GW"
	npvsctl port add "$1" --devargs "net_pcap$3,iface=$(pod_veth "$1")" \
		>/dev/null || npvs_fail "port add $1"
	npvsctl endpoint add "t/$1" --port "$1" --ip "$2" \
		--mac "$(pod_mac "$1")" >/dev/null || npvs_fail "endpoint add $1"
}
pcap_pod a $A 0
pcap_pod b $B 1
pcap_pod c $C 2
for p in a b c; do
	wait_for 10 npvs_port_up "$p" || npvs_fail "port $p not up"
done
pol_serve b 8080/tcp 5353/udp

cat >"$M/policy.yaml" <<EOF
apiVersion: v1
kind: Namespace
metadata: {name: t}
EOF
for p in a:$A b:$B c:$C; do
	cat >>"$M/policy.yaml" <<EOF
---
apiVersion: v1
kind: Pod
metadata: {name: ${p%%:*}, namespace: t, labels: {app: ${p%%:*}}}
spec: {containers: [{name: c, image: busybox}]}
status: {podIPs: [{ip: ${p#*:}}]}
EOF
done
cat >>"$M/policy.yaml" <<EOF
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: b-from-a, namespace: t}
spec:
  podSelector: {matchLabels: {app: b}}
  ingress: [{from: [{podSelector: {matchLabels: {app: a}}}]}]
EOF
pol_apply "$M/policy.yaml"
pod_exec a ping -c 1 -W 1 $B >/dev/null 2>&1     # ARP warm-up
pol_ping ok a $B
pol_ping denied c $B

# ---- 1. overflow ----
flows() {
	npvsctl -o json stats --rules | python3 -c '
import json, sys; print(json.load(sys.stdin)["conntrack"]["flows"])'
}
pod_exec a python3 "$POL_PROBE" chat $B 8080 8 >"$M/chat.out" 2>&1 &
chat_pid=$!
sleep 1
full0=$(npvs_drops ct_full)
pod_exec a python3 - $B <<'PY' || npvs_fail "flood failed"
import socket, sys
socks = []
for i in range(40):                     # 40 flows into a table of 16
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("0.0.0.0", 20000 + i))
    s.sendto(b"x", (sys.argv[1], 5353))
    socks.append(s)
PY
pol_tcp denied a $B 8080               # a new flow while the table is full
full1=$(npvs_drops ct_full)
[ "$full1" -ge $((full0 + 20)) ] ||
	npvs_fail "ct_full went from $full0 to $full1 with 40 flows into 16"
[ "$(flows)" -le 16 ] || npvs_fail "$(flows) flows in a table of 16"
npvs_log "table full: $((full1 - full0)) new flows dropped"
wait $chat_pid || npvs_fail "established connection broke: $(tail -n 1 "$M/chat.out")"
npvs_log "established connection lasted: $(tail -n 1 "$M/chat.out")"
# The UDP flows expire (2 s + reclaim): room again.
wait_for 15 pod_exec a nc -z -w 1 $B 8080 ||
	npvs_fail "no new connection after the flows expired"
npvs_log "new connections after expiry"

# ---- 2. fragments ----
frag0=$(npvs_drops fragment)
den0=$(npvs_drops policy_denied)
pod_exec a ping -c 2 -i 0.3 -W 2 -s 3000 $B >/dev/null ||
	npvs_fail "ping -s 3000 a -> b"
npvs_log "ping -s 3000 a -> b: ok"
pod_exec c ping -c 2 -i 0.3 -W 1 -s 3000 $B >/dev/null &&
	npvs_fail "ping -s 3000 c -> b passed"
frag1=$(npvs_drops fragment)
den1=$(npvs_drops policy_denied)
[ "$den1" -ge $((den0 + 2)) ] ||
	npvs_fail "policy_denied went from $den0 to $den1 (2 first fragments)"
[ "$frag1" -ge $((frag0 + 2)) ] ||
	npvs_fail "fragment went from $frag0 to $frag1 (2 later fragments)"
npvs_log "ping -s 3000 c -> b: denied, $((frag1 - frag0)) later fragments dropped"

# ---- 3, 5: raw frames from a ----
nf0=$(npvs_drops tcp_no_flow)
mf0=$(npvs_drops l4_malformed)
pod_exec a python3 - "$rmac" "$(pod_mac a)" $A $B <<'PY' ||
import socket, struct, sys
dst = bytes.fromhex(sys.argv[1].replace(":", ""))
src = bytes.fromhex(sys.argv[2].replace(":", ""))
sa, da = socket.inet_aton(sys.argv[3]), socket.inet_aton(sys.argv[4])
def csum(b):
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    s = (s >> 16) + (s & 0xffff)
    return ~(s + (s >> 16)) & 0xffff
def ip(proto, l4):
    h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(l4), 1, 0, 64, proto,
                    0, sa, da)
    h = h[:10] + struct.pack("!H", csum(h)) + h[12:]
    return dst + src + b"\x08\x00" + h + l4
ack = struct.pack("!HHIIBBHHH", 33333, 8080, 1, 1, 0x50, 0x10, 1024, 0, 0)
frames = [
    ip(6, ack),                                   # TCP ACK, no handshake
    ip(6, ack[:10]),                              # TCP header cut at 10
    ip(17, struct.pack("!HHHH", 20001, 5353, 200, 0) + b"x" * 8),  # UDP len
    ip(1, b"\x08\x00\x00\x00"),                   # ICMP of 4 bytes
]
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind(("eth0", 0))
for f in frames:
    s.send(f.ljust(60, b"\0"))
PY
	npvs_fail "could not send the raw frames"
counted() {
	[ "$(npvs_drops tcp_no_flow)" -ge $((nf0 + 1)) ] &&
		[ "$(npvs_drops l4_malformed)" -ge $((mf0 + 3)) ]
}
wait_for 5 counted || true
nf1=$(npvs_drops tcp_no_flow)
mf1=$(npvs_drops l4_malformed)
[ "$nf1" -eq $((nf0 + 1)) ] || npvs_fail "tcp_no_flow went from $nf0 to $nf1"
[ "$mf1" -eq $((mf0 + 3)) ] || npvs_fail "l4_malformed went from $mf0 to $mf1"
npvs_log "TCP without handshake and 3 malformed L4 headers counted"

# ---- 4. IP options ----
out=$(pod_exec a ping -R -c 2 -i 0.3 -W 2 $B 2>&1) ||
	npvs_fail "ping -R a -> b: $out"
grep -q "RR:" <<<"$out" || npvs_fail "ping -R: no record route in: $out"
npvs_log "ping -R a -> b: ok"

# ---- forwarding goes on ----
kill -0 "$NPVSD_PID" || npvs_fail "npvsd died"
pol_ping ok a $B
pol_tcp_echo ok a $B 8080
pol_udp ok a $B 5353
npvsd_stop
npvs_pass
