#!/usr/bin/env bash
# test_ports_runtime.sh: ports removed and re-added at run time with
# npvsctl while traffic flows on another pair of pods, which must lose
# nothing. Pods a and b carry a fast ping (-i 0.01) and a numbered UDP
# stream counted at both ends; pod c's port is deleted and added back
# five times meanwhile. After each delete, c is unreachable and listed
# without its port; after each add, c answers again. The pair must see
# every packet exactly once: no loss, and no duplicates either (a port
# being added must not inject copies of other ports' traffic).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
npvs_init prt "$@"
npvs_need ping ethtool python3

pod_kernel_add a 10.244.3.2/24 10.244.3.1
pod_kernel_add b 10.244.3.3/24 10.244.3.1
pod_kernel_add c 10.244.3.4/32 169.254.1.1

npvsd_config_write CIDR=10.244.3.0/24 > "$NPVS_TMP/npvsd.yaml" </dev/null
npvsd_start "$NPVS_TMP/npvsd.yaml"
for p in a b c; do
	npvsctl port add "p$p" --afpacket "$(pod_veth $p)" >/dev/null ||
		npvs_fail "port add p$p"
	wait_for 5 npvs_port_up "p$p" || npvs_fail "port p$p not up"
done
npvsctl endpoint add t/a --port pa --ip 10.244.3.2 >/dev/null &&
npvsctl endpoint add t/b --port pb --ip 10.244.3.3 >/dev/null &&
npvsctl endpoint add t/c --port pc --ip 10.244.3.4 >/dev/null ||
	npvs_fail "endpoint add"
for p in b c; do
	pod_exec a ping -c 2 -i 0.2 -W 2 "10.244.3.$([ $p = b ] && echo 3 || echo 4)" \
		>/dev/null || npvs_fail "no ping a -> $p before the test"
done

# c answers a ping within 2 s (or, with "not", does not).
c_reachable() { pod_exec c ping -c 1 -W 1 10.244.3.2 >/dev/null 2>&1; }
# Field of endpoint t/c in endpoint_list.
c_port_present() {
	npvsctl -o json endpoint list | python3 -c '
import json, sys
eps = {e["name"]: e for e in json.load(sys.stdin)["endpoints"]}
print("yes" if eps["c"]["port_present"] else "no")'
}

# ---- traffic on a <-> b: a fast ping and a numbered UDP stream ----
pod_exec b python3 - "$NPVS_TMP/udp.count" <<'PY' &
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("10.244.3.3", 9999))
s.settimeout(5)
seen = set()
dups = 0
try:
    while True:
        data, _ = s.recvfrom(64)
        if data == b"end":
            break
        dups += int(data) in seen
        seen.add(int(data))
except socket.timeout:
    pass
open(sys.argv[1], "w").write(f"{len(seen)} {dups}\n")
PY
udp_rx_pid=$!
sleep 0.5
pod_exec a ping -c 1500 -i 0.01 -W 1 10.244.3.3 >"$NPVS_TMP/ping.log" 2>&1 &
ping_pid=$!
pod_exec a python3 - "$NPVS_TMP/udp.sent" <<'PY' &
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
n = 0
end = time.monotonic() + 12
while time.monotonic() < end:
    s.sendto(str(n).encode(), ("10.244.3.3", 9999))
    n += 1
    time.sleep(0.002)
time.sleep(0.5)
for i in range(3):
    s.sendto(b"end", ("10.244.3.3", 9999))
open(sys.argv[1], "w").write(f"{n}\n")
PY
udp_tx_pid=$!

# ---- meanwhile: pc out and back in, five times ----
for round in 1 2 3 4 5; do
	npvsctl port del pc >/dev/null || npvs_fail "round $round: port del pc"
	npvsctl port list | grep -q '^pc ' &&
		npvs_fail "round $round: pc still listed"
	[ "$(c_port_present)" = no ] ||
		npvs_fail "round $round: t/c still has its port"
	c_reachable && npvs_fail "round $round: c reachable without its port"
	npvsctl port add pc --afpacket "$(pod_veth c)" >/dev/null ||
		npvs_fail "round $round: port add pc"
	wait_for 5 npvs_port_up pc || npvs_fail "round $round: pc not up"
	[ "$(c_port_present)" = yes ] ||
		npvs_fail "round $round: t/c without its port after re-add"
	wait_for 5 c_reachable || npvs_fail "round $round: c unreachable after re-add"
	npvs_log "round $round: pc deleted and re-added"
done

# ---- nothing lost on a <-> b ----
wait "$ping_pid"
wait "$udp_tx_pid" || npvs_fail "UDP sender"
wait "$udp_rx_pid" || npvs_fail "UDP receiver"
summary=$(grep 'packets transmitted' "$NPVS_TMP/ping.log")
sent=$(cat "$NPVS_TMP/udp.sent")
read -r got udp_dups < "$NPVS_TMP/udp.count"
npvs_log "a -> b meanwhile: ping $summary; UDP $got of $sent datagrams" \
	"($udp_dups duplicates)"
grep -q ' 0% packet loss' <<<"$summary" || npvs_fail "ping a -> b lost packets"
[ "$sent" -gt 1000 ] || npvs_fail "UDP sender sent only $sent"
[ "$got" -eq "$sent" ] || npvs_fail "UDP a -> b: $got of $sent arrived"
# Copies, when seen, came right after a port add: DPDK's af_packet PMD
# opens its socket for every interface (ETH_P_ALL) and binds it to the
# veth only later, so frames of other ports land in the new port's ring
# and are forwarded again unless the switch drains or filters them.
grep -q 'duplicates' <<<"$summary" &&
	npvs_fail "ping a -> b got duplicates while pc was re-added"
[ "$udp_dups" -eq 0 ] ||
	npvs_fail "UDP a -> b: $udp_dups duplicates while pc was re-added"

npvsd_stop
npvs_pass
