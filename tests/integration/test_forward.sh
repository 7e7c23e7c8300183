#!/usr/bin/env bash
# test_forward.sh: routed forwarding between two kernel pods on
# veth/af_packet ports, one addressed Flannel style (a /24 and the
# subnet's .1 as gateway), one Calico style (a /32 and 169.254.1.1):
# ping both ways and to the gateway, a 4 MiB TCP transfer checked byte
# for byte, the port counters, and a clean stop on SIGTERM.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
npvs_init fw "$@"
npvs_need nc sha256sum ping ethtool python3

# A bad config stops npvsd before anything starts, naming line and field.
printf 'pod_cidr: 10.244.1.0/24\nlcores:\n  workers: [1, x]\n' > "$NPVS_TMP/bad.yaml"
out=$("$NPVSD" --config "$NPVS_TMP/bad.yaml" 2>&1)
rc=$?
[ "$rc" -eq 2 ] || npvs_fail "bad config: exit status $rc"
grep -q "bad.yaml:3: lcores.workers\[1\]" <<<"$out" ||
	npvs_fail "bad config message: $out"
# --check prints the effective config (gateway derived from the CIDR).
"$NPVSD" --check --pod-cidr 10.244.7.0/24 | grep -q 'gateway: "10.244.7.1"' ||
	npvs_fail "--check"

pod_kernel_add a 10.244.1.2/24 10.244.1.1
pod_kernel_add b 10.244.1.3/32 169.254.1.1

npvsd_config_write > "$NPVS_TMP/npvsd.yaml" <<EOF
ports:
  - { name: pa, type: afpacket, iface: $(pod_veth a) }
  - { name: pb, type: afpacket, iface: $(pod_veth b) }
endpoints:
  - { namespace: t, name: a, port: pa, ips: [10.244.1.2] }
  - { namespace: t, name: b, port: pb, ips: [10.244.1.3] }
EOF
npvsd_start "$NPVS_TMP/npvsd.yaml"
wait_for 5 npvs_port_up pa && wait_for 5 npvs_port_up pb ||
	npvs_fail "ports not up"

# ---- ping ----
pod_exec a ping -c 3 -i 0.2 -W 2 10.244.1.3 || npvs_fail "ping a -> b"
pod_exec b ping -c 3 -i 0.2 -W 2 10.244.1.2 || npvs_fail "ping b -> a"
pod_exec a ping -c 1 -W 2 10.244.1.1 || npvs_fail "ping a -> its gateway"
# TTL went down by one on the way (64 -> 63).
out=$(pod_exec a ping -c 1 -W 2 10.244.1.3)
grep -q 'ttl=63' <<<"$out" || npvs_fail "TTL not decremented: $out"

# ---- TCP, 4 MiB, byte for byte ----
head -c $((4 << 20)) /dev/urandom > "$NPVS_TMP/data"
want=$(sha256sum < "$NPVS_TMP/data" | cut -d' ' -f1)
pod_exec b sh -c "timeout 40 nc -d -l -p 5001 | sha256sum > $NPVS_TMP/got" &
rx_pid=$!
wait_for 5 pod_exec b sh -c "ss -ltn | grep -q ':5001'" ||
	npvs_fail "receiver did not listen"
timeout 30 ip netns exec "$(pod_ns a)" nc -q 1 -N 10.244.1.3 5001 \
	< "$NPVS_TMP/data" || npvs_fail "nc a -> b failed"
wait "$rx_pid"
got=$(cut -d' ' -f1 < "$NPVS_TMP/got")
[ "$got" = "$want" ] || npvs_fail "TCP data differ: $got != $want"
npvs_log "4 MiB a -> b intact"

# ---- counters ----
rx=$(npvs_port_stat pa rx_packets)
tx=$(npvs_port_stat pb tx_packets)
[ "$rx" -gt 1000 ] && [ "$tx" -gt 1000 ] ||
	npvs_fail "counters: pa rx $rx, pb tx $tx"
[ "$(npvs_drops no_route)" -eq 0 ] || npvs_fail "unexpected no_route drops"

npvsd_stop
npvs_pass
