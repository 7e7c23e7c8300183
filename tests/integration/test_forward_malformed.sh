#!/usr/bin/env bash
# test_forward_malformed.sh: garbage into a port. A kernel pod sends, on
# a raw socket, frames npvsd must count as malformed and drop: a
# truncated IPv4 header, a bad IHL, a total length beyond the frame, a
# version 6 header in an IPv4 frame, a truncated ARP and an ARP with the
# wrong address lengths. The malformed counter must grow by exactly that
# many, and forwarding between the pods must go on.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
npvs_init fm "$@"
npvs_need ping ethtool python3

rmac=02:6e:70:76:73:aa
pod_kernel_add a 10.244.1.2/24 10.244.1.1
pod_kernel_add b 10.244.1.3/24 10.244.1.1

npvsd_config_write > "$NPVS_TMP/npvsd.yaml" <<EOF
mac: "$rmac"
ports:
  - { name: pa, type: afpacket, iface: $(pod_veth a) }
  - { name: pb, type: afpacket, iface: $(pod_veth b) }
endpoints:
  - { namespace: t, name: a, port: pa, ips: [10.244.1.2] }
  - { namespace: t, name: b, port: pb, ips: [10.244.1.3] }
EOF
npvsd_start "$NPVS_TMP/npvsd.yaml"
wait_for 5 npvs_port_up pa || npvs_fail "port pa not up"
pod_exec a ping -c 2 -i 0.2 -W 2 10.244.1.3 >/dev/null || npvs_fail "ping before"

before=$(npvs_drops malformed)
sent=$(pod_exec a python3 - "$rmac" "$(pod_mac a)" <<'PY'
import socket, struct, sys
dst = bytes.fromhex(sys.argv[1].replace(":", ""))
src = bytes.fromhex(sys.argv[2].replace(":", ""))
ip4 = dst + src + b"\x08\x00"
arp = dst + src + b"\x08\x06"
def ipv4(ver_ihl, total):
    return struct.pack("!BBHHHBBH4s4s", ver_ihl, 0, total, 0, 0, 64, 17, 0,
                       bytes([10, 244, 1, 2]), bytes([10, 244, 1, 3]))
frames = [
    ip4 + b"\x45\x00\x00",                          # IPv4 header cut short
    ip4 + ipv4(0x43, 40) + bytes(20),               # IHL 3 (< 5)
    ip4 + ipv4(0x45, 1400) + bytes(26),             # total length > frame
    ip4 + ipv4(0x65, 46) + bytes(26),               # version 6 in IPv4
    arp + b"\x00\x01\x08\x00\x06\x04\x00\x01",      # ARP cut short
    arp + b"\x00\x01\x08\x00\x07\x04\x00\x01" + bytes(40),  # hlen 7
]
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind(("eth0", 0))
for f in frames:
    s.send(f)
print(len(frames))
PY
) || npvs_fail "could not send the frames"
counted() { [ "$(npvs_drops malformed)" -ge $((before + sent)) ]; }
wait_for 5 counted || true
after=$(npvs_drops malformed)
[ "$after" -eq $((before + sent)) ] ||
	npvs_fail "malformed went from $before to $after, $sent sent"
npvs_log "$sent malformed frames counted"

kill -0 "$NPVSD_PID" || npvs_fail "npvsd died"
pod_exec a ping -c 3 -i 0.2 -W 2 10.244.1.3 >/dev/null || npvs_fail "ping after"
pod_exec b ping -c 3 -i 0.2 -W 2 10.244.1.2 >/dev/null || npvs_fail "ping b -> a after"

npvsd_stop
npvs_pass
