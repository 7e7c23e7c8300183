#!/usr/bin/env bash
# test_vxlan_flannel.sh: npvsd and a Flannel node interoperate over VXLAN.
# The Flannel node is a network namespace set up as flanneld's vxlan
# backend would (pkg/backend/vxlan): a Linux vxlan device flannel.1 (VNI 1,
# port 8472, nolearning, MTU 1450) with the subnet's .0 address, a bridge
# cni0 with a pod behind it (10.244.2.0/24), and for the npvs node the
# route, the permanent neighbour and the FDB entry flanneld programs from
# npvsd's Node annotations (taken from `npvsctl node-info`). npvsd gets the
# Flannel node's Node object. Checked: ping and 2 MiB TCP both ways, and
# on the wire (tcpdump on the underlay veth, Flannel's end): UDP port 8472, VNI 1, inner
# destination MAC = the receiver's VtepMAC, outer source = the underlay IPs,
# and npvsd's outer UDP checksum (udp_csum: true) accepted by the kernel.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
npvs_init vxf "$@"
npvs_need nc sha256sum ping ethtool python3 tcpdump bridge

FL=npvs-vxf-fl          # the Flannel node's namespace
UP=nvvxf-up             # underlay: npvsd's uplink (root ns) <-> FL's eth0
FL_VTEP=8e:02:1a:b3:ff:02
NPVS_MAC=02:00:00:78:00:0a
off() { ethtool -K "$1" tx off tso off gso off gro off >/dev/null 2>&1; }
offn() { ip netns exec "$1" ethtool -K "$2" tx off tso off gso off gro off >/dev/null 2>&1; }

# ---- the Flannel node ----
ip netns add "$FL" || npvs_fail "netns $FL"
npvs_cleanup_add "ip netns del $FL"
ip link add "$UP" index "$(npvs_ifindex)" type veth peer name eth0 \
	netns "$FL" || npvs_fail "veth"
npvs_cleanup_add "ip link del $UP"
sysctl -qw "net.ipv6.conf.$UP.disable_ipv6=1"
off "$UP"
ip link set "$UP" up
ip -n "$FL" addr add 192.168.78.2/24 dev eth0
ip -n "$FL" link set eth0 up
ip -n "$FL" link set lo up
offn "$FL" eth0
ip netns exec "$FL" sysctl -qw net.ipv4.ip_forward=1
ip netns exec "$FL" sysctl -qw net.ipv4.conf.all.rp_filter=1
ip -n "$FL" link add flannel.1 address "$FL_VTEP" type vxlan id 1 \
	dstport 8472 local 192.168.78.2 dev eth0 nolearning ||
	npvs_fail "vxlan device"
ip -n "$FL" link set flannel.1 mtu 1450
ip -n "$FL" addr add 10.244.2.0/32 dev flannel.1
ip -n "$FL" link set flannel.1 up
offn "$FL" flannel.1
ip -n "$FL" link add cni0 type bridge
ip -n "$FL" addr add 10.244.2.1/24 dev cni0
ip -n "$FL" link set cni0 mtu 1450
ip -n "$FL" link set cni0 up
# its pod
P2=npvs-vxf-p2
ip netns add "$P2" || npvs_fail "netns $P2"
npvs_cleanup_add "ip netns del $P2"
ip -n "$FL" link add vethp2 mtu 1450 type veth peer name eth0 netns "$P2"
ip -n "$FL" link set vethp2 master cni0 up
offn "$FL" vethp2
ip -n "$P2" addr add 10.244.2.2/24 dev eth0
ip -n "$P2" link set eth0 mtu 1450 up
ip -n "$P2" link set lo up
ip -n "$P2" route add default via 10.244.2.1
offn "$P2" eth0

# ---- npvsd with a pod ----
pod_kernel_add a1 10.244.1.2/24 10.244.1.1
ip -n "$(pod_ns a1)" link set eth0 mtu 1450
npvsd_config_write > "$NPVS_TMP/npvsd.yaml" <<EOC
mac: "$NPVS_MAC"
tunnel:
  underlay: 192.168.78.1/24
  udp_csum: true              # as Linux: the kernel checks it
ports:
  - { name: up, type: afpacket, iface: $UP, uplink: true }
  - { name: pa1, type: afpacket, iface: $(pod_veth a1) }
endpoints:
  - { namespace: t, name: a1, port: pa1, ips: [10.244.1.2] }
EOC
npvsd_start "$NPVS_TMP/npvsd.yaml"

# ---- what flanneld would program for the npvs node, from node-info ----
npvsctl -o json node-info > "$NPVS_TMP/node.json" || npvs_fail "node-info"
read -r vtep pip cidr < <(python3 -c '
import json, sys
n = json.load(open(sys.argv[1])); a = n["metadata"]["annotations"]
p = "flannel.alpha.coreos.com/"
print(json.loads(a[p + "backend-data"])["VtepMAC"], a[p + "public-ip"],
      n["spec"]["podCIDR"])' "$NPVS_TMP/node.json")
[ "$vtep" = "$NPVS_MAC" ] && [ "$pip" = 192.168.78.1 ] &&
	[ "$cidr" = 10.244.1.0/24 ] || npvs_fail "node-info: $vtep $pip $cidr"
ip -n "$FL" route add "$cidr" via 10.244.1.0 dev flannel.1 onlink ||
	npvs_fail "flannel route"
ip -n "$FL" neigh add 10.244.1.0 lladdr "$vtep" dev flannel.1 nud permanent ||
	npvs_fail "flannel neigh"
ip netns exec "$FL" bridge fdb add "$vtep" dev flannel.1 dst "$pip" \
	self permanent || npvs_fail "flannel fdb"

# ---- the Flannel node's Node object, applied on npvsd ----
cat > "$NPVS_TMP/fl-node.yaml" <<EOC
apiVersion: v1
kind: Node
metadata:
  name: flannel-node
  annotations:
    flannel.alpha.coreos.com/backend-type: vxlan
    flannel.alpha.coreos.com/backend-data: '{"VNI":1,"VtepMAC":"$FL_VTEP"}'
    flannel.alpha.coreos.com/public-ip: 192.168.78.2
    flannel.alpha.coreos.com/kube-subnet-manager: "true"
spec:
  podCIDR: 10.244.2.0/24
EOC
npvsctl apply -f "$NPVS_TMP/fl-node.yaml" >/dev/null || npvs_fail "apply Node"

# ---- capture on the underlay while the traffic below runs ----
# (on the Flannel side: af_packet's qdisc bypass hides npvsd's own
# transmissions from a capture on the root end)
ip netns exec "$FL" tcpdump -ni eth0 -U -w "$NPVS_TMP/ul.pcap" \
	udp port 8472 >/dev/null 2>&1 &
TD=$!
npvs_cleanup_add "kill $TD"
sleep 1

# ---- ping both ways ----
wait_for 10 pod_exec a1 ping -c 1 -W 1 10.244.2.2 ||
	npvs_fail "ping npvs pod -> flannel pod"
pod_exec a1 ping -c 3 -i 0.2 -W 2 10.244.2.2 || npvs_fail "ping a1 -> p2"
ip netns exec "$P2" ping -c 3 -i 0.2 -W 2 10.244.1.2 ||
	npvs_fail "ping flannel pod -> npvs pod"

# ---- TCP, 2 MiB, byte for byte, both ways ----
head -c $((2 << 20)) /dev/urandom > "$NPVS_TMP/data"
want=$(sha256sum < "$NPVS_TMP/data" | cut -d' ' -f1)
tcp_check() { # FROM_NS TO_NS TO_IP
	rm -f "$NPVS_TMP/got"
	ip netns exec "$2" sh -c "timeout 40 nc -d -l -p 5001 | sha256sum > $NPVS_TMP/got" &
	local rx=$!
	wait_for 5 ip netns exec "$2" sh -c "ss -ltn | grep -q ':5001'" ||
		npvs_fail "receiver in $2 did not listen"
	timeout 30 ip netns exec "$1" nc -q 1 -N "$3" 5001 \
		< "$NPVS_TMP/data" || npvs_fail "nc $1 -> $2 failed"
	wait "$rx"
	got=$(cut -d' ' -f1 < "$NPVS_TMP/got")
	[ "$got" = "$want" ] || npvs_fail "TCP $1 -> $2 differs"
	npvs_log "2 MiB $1 -> $2 intact"
}
tcp_check "$(pod_ns a1)" "$P2" 10.244.2.2
tcp_check "$P2" "$(pod_ns a1)" 10.244.1.2
sleep 0.5
kill "$TD"
wait "$TD" 2>/dev/null

# ---- the wire: outer IPs, port, VNI, inner MACs ----
python3 - "$NPVS_TMP/ul.pcap" "$FL_VTEP" "$NPVS_MAC" <<'PY' || npvs_fail "wire check"
import struct, sys
data = open(sys.argv[1], "rb").read()
mac = lambda b: ":".join("%02x" % x for x in b)
off, n, seen = 24, 0, {"to_fl": 0, "to_npvs": 0}
while off + 16 <= len(data):
    incl = struct.unpack_from("<I", data, off + 8)[0]
    f = data[off + 16: off + 16 + incl]
    off += 16 + incl
    if len(f) < 64 or f[12:14] != b"\x08\x00":
        continue
    ihl = (f[14] & 15) * 4
    src, dst = f[26:30], f[30:34]
    udp = 14 + ihl
    dport = struct.unpack_from(">H", f, udp + 2)[0]
    vx = udp + 8
    flags, vni = f[vx], struct.unpack_from(">I", f, vx + 4)[0] >> 8
    csum = struct.unpack_from(">H", f, udp + 6)[0]
    idst, isrc = mac(f[vx + 8: vx + 14]), mac(f[vx + 14: vx + 20])
    assert dport == 8472, dport
    assert flags & 0x08 and vni == 1, (flags, vni)
    n += 1
    if bytes(src) == bytes([192, 168, 78, 1]):
        assert bytes(dst) == bytes([192, 168, 78, 2])
        assert idst == sys.argv[2] and isrc == sys.argv[3], (idst, isrc)
        assert csum != 0, "udp_csum: true sends a checksum"
        seen["to_fl"] += 1
    else:
        assert bytes(src) == bytes([192, 168, 78, 2]), src
        assert idst == sys.argv[3] and isrc == sys.argv[2], (idst, isrc)
        seen["to_npvs"] += 1
assert seen["to_fl"] > 100 and seen["to_npvs"] > 100, seen
print("vxlan frames checked:", n, seen)
PY
[ "$(npvs_drops uplink_not_vxlan)" -lt 50 ] ||
	npvs_fail "uplink_not_vxlan: $(npvs_drops uplink_not_vxlan)"

npvsd_stop
npvs_pass
