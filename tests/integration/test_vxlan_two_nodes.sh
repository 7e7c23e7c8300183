#!/usr/bin/env bash
# test_vxlan_two_nodes.sh: two npvsd instances as two nodes (own EAL
# prefixes, sockets, --no-huge, idle back-off on), each with kernel pods,
# joined by a veth pair as the underlay (each end an af_packet uplink in
# the root namespace). Node objects with Flannel's annotations are applied
# on both sides (each skips its own). Checked: ping and a 2 MiB TCP
# transfer byte for byte across the nodes both ways, inner TTL, the
# tunnel counters on both sides, node-info's annotations, ICMP
# "fragmentation needed" for a too-big DF packet, big datagrams (ping -s
# 4000 both ways, a 6000-byte UDP datagram) between pods whose ports take
# 9014-byte frames, fragmented by npvsd before encapsulation and passed
# on by node B as they are, a NetworkPolicy on node
# B that admits one pod of node A and not the other, an egress policy on
# node A towards node B's pods, and that a Node
# deleted again takes its route with it.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
npvs_init vx2 "$@"
npvs_need nc sha256sum ping ethtool python3 ss

UA=nvvx2-ua UB=nvvx2-ub
MAC_A=02:00:00:77:00:0a MAC_B=02:00:00:77:00:0b

# ---- the underlay: a veth pair, no kernel addresses, offloads off ----
ip link add "$UA" index "$(npvs_ifindex)" type veth peer name "$UB" \
	index "$(npvs_ifindex)" || npvs_fail "underlay veth"
npvs_cleanup_add "ip link del $UA"
for v in "$UA" "$UB"; do
	sysctl -qw "net.ipv6.conf.$v.disable_ipv6=1"
	ethtool -K "$v" tx off tso off gso off gro off >/dev/null 2>&1
	ip link set "$v" up
done

# ---- pods: a1 on node A; b1, b2 on node B; tunnel MTU 1450 ----
pod_kernel_add a1 10.244.1.2/24 10.244.1.1
pod_kernel_add a2 10.244.1.3/24 10.244.1.1
pod_kernel_add b1 10.244.2.2/24 10.244.2.1
pod_kernel_add b2 10.244.2.3/24 10.244.2.1
for p in a1 a2 b1 b2; do ip -n "$(pod_ns $p)" link set eth0 mtu 1450; done

# node_conf NAME CIDR MAC UNDERLAY UPLINK PODS...: an npvsd config
node_conf() {
	local name=$1 cidr=$2 mac=$3 ul=$4 up=$5 p
	shift 5
	cat <<EOC
node: npvs-vx2-$name
pod_cidr: $cidr
mac: "$mac"
socket: $NPVS_TMP/$name.sock
lcores:
  main: 0
  workers: [1]
mbufs: 8192
eal:
  file_prefix: npvs-vx2-$name
  no_huge: true
tunnel:
  underlay: $ul
ports:
  - { name: up, type: afpacket, iface: $up, uplink: true }
EOC
	for p in "$@"; do
		echo "  - { name: p$p, type: afpacket, iface: $(pod_veth "$p"), max_frame: 9014 }"
	done
	echo "endpoints:"
	for p in "$@"; do
		echo "  - { namespace: t, name: $p, port: p$p, ips: [$(ip -n \
			"$(pod_ns "$p")" -4 -o addr show eth0 | awk '{print $4}' | \
			cut -d/ -f1)] }"
	done
}

# node_start NAME: start npvsd NAME in the background, wait for its socket.
node_start() {
	"$NPVSD" --config "$NPVS_TMP/$1.yaml" >"$NPVS_TMP/$1.log" 2>&1 &
	local pid=$!
	npvs_cleanup_add "npvsd_kill $pid"
	eval "PID_$1=$pid"
	NPVSD_PID=$pid
	NPVSD_LOG="$NPVS_TMP/$1.log"
	wait_for 30 ctl "$1" --timeout 1000 version ||
		npvs_fail "npvsd $1 did not come up"
}
ctl() { local n=$1; shift; "$NPVSCTL" --socket "$NPVS_TMP/$n.sock" "$@"; }

# tun NAME FIELD: a tunnel counter of node NAME
tun() {
	ctl "$1" tunnel | python3 -c '
import json, sys
print(json.load(sys.stdin)["tunnel"][sys.argv[1]])' "$2"
}

# tun_drop NAME REASON: a tunnel drop counter of node NAME
tun_drop() {
	ctl "$1" tunnel | python3 -c '
import json, sys
print(json.load(sys.stdin)["tunnel"]["drops"][sys.argv[1]])' "$2"
}

node_conf a 10.244.1.0/24 $MAC_A 192.168.77.1/24 $UA a1 a2 > "$NPVS_TMP/a.yaml"
node_conf b 10.244.2.0/24 $MAC_B 192.168.77.2/24 $UB b1 b2 > "$NPVS_TMP/b.yaml"
node_start a
node_start b

# ---- node-info: our own annotations, Flannel style ----
ctl a -o json node-info > "$NPVS_TMP/a-node.json" || npvs_fail "node-info"
python3 - "$NPVS_TMP/a-node.json" "$MAC_A" <<'PY' || npvs_fail "node-info content"
import json, sys
n = json.load(open(sys.argv[1]))
a = n["metadata"]["annotations"]
p = "flannel.alpha.coreos.com/"
assert n["kind"] == "Node" and n["metadata"]["name"] == "npvs-vx2-a", n
assert a[p + "backend-type"] == "vxlan", a
bd = json.loads(a[p + "backend-data"])
assert bd == {"VNI": 1, "VtepMAC": sys.argv[2]}, bd
assert a[p + "public-ip"] == "192.168.77.1", a
assert a[p + "kube-subnet-manager"] == "true", a
assert n["spec"]["podCIDR"] == "10.244.1.0/24", n
PY
ctl b -o json node-info > "$NPVS_TMP/b-node.json" || npvs_fail "node-info b"

# Before any Node: another node's pod is no route.
pod_exec a1 ping -c 1 -W 1 10.244.2.2 >/dev/null 2>&1 &&
	npvs_fail "ping across before Node objects"

# ---- Node objects: node-info's output applies as is, on both sides ----
for n in a b; do
	for f in a-node b-node; do
		ctl "$n" apply -f "$NPVS_TMP/$f.json" >/dev/null ||
			npvs_fail "apply $f on $n"
	done
done
[ "$(ctl a tunnel | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["nodes"]))')" = 1 ] ||
	npvs_fail "node a should know one other node: $(ctl a tunnel)"

# ---- ping across, both ways; the underlay MACs get resolved by ARP ----
wait_for 10 pod_exec a1 ping -c 1 -W 1 10.244.2.2 ||
	npvs_fail "ping a1 -> b1 (across)"
pod_exec a1 ping -c 3 -i 0.2 -W 2 10.244.2.3 || npvs_fail "ping a1 -> b2"
pod_exec b1 ping -c 3 -i 0.2 -W 2 10.244.1.2 || npvs_fail "ping b1 -> a1"
# TTL: one hop on each node (64 -> 62).
out=$(pod_exec b2 ping -c 1 -W 2 10.244.1.2)
grep -q 'ttl=62' <<<"$out" || npvs_fail "TTL across nodes: $out"

# ---- TCP, 2 MiB, byte for byte, both ways ----
head -c $((2 << 20)) /dev/urandom > "$NPVS_TMP/data"
want=$(sha256sum < "$NPVS_TMP/data" | cut -d' ' -f1)
tcp_check() { # FROM TO TO_IP
	rm -f "$NPVS_TMP/got"
	pod_exec "$2" sh -c "timeout 40 nc -d -l -p 5001 | sha256sum > $NPVS_TMP/got" &
	local rx=$!
	wait_for 5 pod_exec "$2" sh -c "ss -ltn | grep -q ':5001'" ||
		npvs_fail "receiver $2 did not listen"
	timeout 30 ip netns exec "$(pod_ns "$1")" nc -q 1 -N "$3" 5001 \
		< "$NPVS_TMP/data" || npvs_fail "nc $1 -> $2 failed"
	wait "$rx"
	got=$(cut -d' ' -f1 < "$NPVS_TMP/got")
	[ "$got" = "$want" ] || npvs_fail "TCP $1 -> $2 differs: $got != $want"
	npvs_log "2 MiB $1 -> $2 intact"
}
tcp_check a1 b1 10.244.2.2
tcp_check b2 a1 10.244.1.2

# ---- counters: both sides encapsulated and decapsulated ----
for n in a b; do
	e=$(tun "$n" encap) d=$(tun "$n" decap)
	[ "$e" -gt 1000 ] && [ "$d" -gt 1000 ] ||
		npvs_fail "node $n: encap $e decap $d"
done
ctl a tunnel | grep -q '"underlay_mac": "02:00:00:77:00:0b"' ||
	npvs_fail "node a did not learn node b's underlay MAC: $(ctl a tunnel)"

# ---- too big for the tunnel: with DF an ICMP "fragmentation needed"
# (MTU 1450) comes back; without DF npvsd fragments it (below) ----
ip -n "$(pod_ns a1)" link set eth0 mtu 1500
out=$(pod_exec a1 ping -c 2 -i 0.3 -W 1 -M do -s 1460 10.244.2.2 2>&1)
grep -Eqi 'mtu ?= ?1450' <<<"$out" || npvs_fail "no frag needed: $out"
tb=$(ctl a tunnel | python3 -c 'import json,sys; print(json.load(sys.stdin)["tunnel"]["drops"]["vxlan_too_big_df"])')
[ "$tb" -ge 1 ] || npvs_fail "vxlan_too_big_df not counted"
ip netns exec "$(pod_ns a1)" ip route flush cache
tb0=$(tun_drop a vxlan_too_big)
fa0=$(NPVSD_SOCK=$NPVS_TMP/a.sock npvs_port_stat up tx_frags)
pod_exec a1 ping -c 1 -W 2 -M dont -s 1460 10.244.2.2 >/dev/null ||
	npvs_fail "a 1488-byte packet without DF did not cross a 1450 tunnel"
ip -n "$(pod_ns a1)" link set eth0 mtu 1450

# ---- big datagrams across (pods' ports max_frame 9014, MTU 1450): the
# sending kernel fragments to 1450, its host kernel reassembles for the
# af_packet socket, npvsd decides on the whole datagram, fragments it to
# the tunnel's inner MTU (1450) and encapsulates each fragment; node B
# passes the fragments to its pod as they are (its pod ports make none) --
fb0=$(NPVSD_SOCK=$NPVS_TMP/b.sock npvs_port_stat up tx_frags)
fp0=$(NPVSD_SOCK=$NPVS_TMP/b.sock npvs_port_stat pb1 tx_frags)
pod_exec a1 ping -c 3 -i 0.2 -W 2 -s 4000 10.244.2.2 >/dev/null ||
	npvs_fail "ping -s 4000 a1 -> b1 (across)"
pod_exec b1 ping -c 3 -i 0.2 -W 2 -s 4000 10.244.1.2 >/dev/null ||
	npvs_fail "ping -s 4000 b1 -> a1 (across)"
udp_big_init 6000
got=$(udp_big a1 b1 10.244.2.2 7000)
[ "$got" = "$UDP_WANT" ] || npvs_fail "UDP a1 -> b1: got '$got', want '$UDP_WANT'"
# 4028-byte datagrams: 3 fragments each at 1450; node A sends 3 requests,
# 3 replies and the 6000-byte datagram's 5, node B 3 replies, 3 requests
fa=$(( $(NPVSD_SOCK=$NPVS_TMP/a.sock npvs_port_stat up tx_frags) - fa0 ))
fb=$(( $(NPVSD_SOCK=$NPVS_TMP/b.sock npvs_port_stat up tx_frags) - fb0 ))
[ "$fa" -ge 25 ] && [ "$fb" -ge 18 ] ||
	npvs_fail "uplink tx_frags: node A +$fa (want >= 25), node B +$fb (want >= 18)"
[ "$(tun_drop a vxlan_too_big)" = "$tb0" ] ||
	npvs_fail "vxlan_too_big moved on node A: $tb0 -> $(tun_drop a vxlan_too_big)"
[ "$(NPVSD_SOCK=$NPVS_TMP/b.sock npvs_port_stat pb1 tx_frags)" = "$fp0" ] ||
	npvs_fail "node B fragmented again for b1"
npvs_log "big datagrams across nodes; uplink fragments: A +$fa, B +$fb"

# ---- policy across nodes: on node B, b1 admits a2 but not a1 (both on
# node A, known to B by their Pod objects' IPs); b2 stays open ----
cat > "$NPVS_TMP/pol.yaml" <<EOP
apiVersion: v1
kind: Namespace
metadata: {name: t}
EOP
for p in a1:10.244.1.2 a2:10.244.1.3 b1:10.244.2.2 b2:10.244.2.3; do
	cat >> "$NPVS_TMP/pol.yaml" <<EOP
---
apiVersion: v1
kind: Pod
metadata: {name: ${p%%:*}, namespace: t, labels: {app: ${p%%:*}}}
spec: {containers: [{name: c, image: busybox}]}
status: {podIPs: [{ip: ${p#*:}}]}
EOP
done
cat >> "$NPVS_TMP/pol.yaml" <<EOP
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: b1-from-a2, namespace: t}
spec:
  podSelector: {matchLabels: {app: b1}}
  policyTypes: [Ingress]
  ingress: [{from: [{podSelector: {matchLabels: {app: a2}}}]}]
EOP
ctl b apply -f "$NPVS_TMP/pol.yaml" >/dev/null || npvs_fail "apply policy on b"
wait_for 5 pod_exec a2 ping -c 1 -W 1 10.244.2.2 ||
	npvs_fail "a2 -> b1 should be allowed"
pod_exec a1 ping -c 2 -i 0.2 -W 1 10.244.2.2 >/dev/null 2>&1 &&
	npvs_fail "a1 -> b1 should be denied on node B"
pod_exec a1 ping -c 1 -W 2 10.244.2.3 >/dev/null || npvs_fail "a1 -> b2"
d=$(ctl b -o json stats | python3 -c 'import json,sys; print(json.load(sys.stdin)["drops"]["policy_denied"])')
[ "$d" -ge 2 ] || npvs_fail "node B policy_denied $d"
ctl b delete --ignore-not-found -f "$NPVS_TMP/pol.yaml" >/dev/null || npvs_fail "delete policy"
wait_for 5 pod_exec a1 ping -c 1 -W 1 10.244.2.2 ||
	npvs_fail "a1 -> b1 after the policy was deleted"

# ---- egress across nodes: on node A, a1 may only reach b2 (policy on the
# packet before encapsulation); node B's Pods are known to A by their IPs --
sed -e 's/name: b1-from-a2/name: a1-to-b2/' \
    -e 's/matchLabels: {app: b1}}$/matchLabels: {app: a1}}/' \
    -e 's/policyTypes: \[Ingress\]/policyTypes: [Egress]/' \
    -e 's/ingress: \[{from: \[{podSelector: {matchLabels: {app: a2}}}\]}\]/egress: [{to: [{podSelector: {matchLabels: {app: b2}}}]}]/' \
    "$NPVS_TMP/pol.yaml" > "$NPVS_TMP/egress.yaml"
grep -q 'egress: \[{to:' "$NPVS_TMP/egress.yaml" || npvs_fail "egress.yaml"
ctl a apply -f "$NPVS_TMP/egress.yaml" >/dev/null || npvs_fail "apply egress on a"
wait_for 5 pod_exec a1 ping -c 1 -W 1 10.244.2.3 || npvs_fail "a1 -> b2 (egress allowed)"
pod_exec a1 ping -c 2 -i 0.2 -W 1 10.244.2.2 >/dev/null 2>&1 &&
	npvs_fail "a1 -> b1 should be denied by a1's egress on node A"
pod_exec a2 ping -c 1 -W 2 10.244.2.2 >/dev/null || npvs_fail "a2 -> b1 (a2 unselected)"
d=$(ctl a -o json stats | python3 -c 'import json,sys; print(json.load(sys.stdin)["drops"]["policy_denied"])')
[ "$d" -ge 2 ] || npvs_fail "node A policy_denied $d"
ctl a delete --ignore-not-found -f "$NPVS_TMP/egress.yaml" >/dev/null ||
	npvs_fail "delete egress policy"

# ---- a deleted Node takes its route with it (hitless update) ----
ctl a delete Node npvs-vx2-b >/dev/null || npvs_fail "delete Node on a"
pod_exec a1 ping -c 1 -W 1 10.244.2.2 >/dev/null 2>&1 &&
	npvs_fail "ping across after the Node was deleted"
ctl a apply -f "$NPVS_TMP/b-node.json" >/dev/null || npvs_fail "re-apply"
wait_for 10 pod_exec a1 ping -c 1 -W 1 10.244.2.2 ||
	npvs_fail "ping across after the Node came back"

npvs_pass
