#!/usr/bin/env bash
# test_two_workers.sh: npvsd with two worker lcores. The connection table
# is one lock-free rte_hash shared by the workers (docs/architecture.md,
# "Connection tracking"), and a flow's request and its reply may be polled
# by different workers: ports get rx queues round robin in the order they
# were added (vswitch/vs_snap.c rxq_assign; af_packet ports have one), so
# pods a, b, c, d here are served by workers 1, 2, 1, 2.
#
# On two cores the workers share CPU 1: eal.lcore_map "0@0,1@1,2@1"
# (EAL --lcores), main lcore 0, workers 1 and 2, idle back-off on.
#   1. both worker threads run; no policy: ping, TCP and UDP with their
#      replies between pods of different workers, both ways
#   2. iperf3 c -> b and b -> c (-R) across workers, data intact in count
#   3. a policy: b's ingress only from c on TCP 5201 and UDP 5353: those
#      work (requests on worker 1, replies on worker 2, flow entries
#      listed), a -> b and d -> b are denied and counted, a <-> d is not
#      concerned
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$(dirname "${BASH_SOURCE[0]}")/policy_lib.sh"
npvs_init wk2 "$@"
npvs_need nc ping python3 ethtool ss iperf3

A=10.244.1.20 B=10.244.1.21 C=10.244.1.22 D=10.244.1.23
M=$NPVS_TMP
NPVSD_SOCK="$M/npvsd.sock"

cat >"$M/npvsd.yaml" <<EOF
node: npvs-$NPVS_TEST
pod_cidr: 10.244.1.0/24
socket: $NPVSD_SOCK
lcores:
  main: 0
  workers: [1, 2]
mbufs: 8192
eal:
  file_prefix: npvs-$NPVS_TEST-npvsd
  no_huge: true
  lcore_map: "0@0,1@1,2@1"
EOF
npvsd_start "$M/npvsd.yaml"
npvs_cleanup_add "rm -rf /var/run/dpdk/npvs-$NPVS_TEST-npvsd"

# ---- 1. two workers; no policy ----
threads=$(cat /proc/"$NPVSD_PID"/task/*/comm | tr '\n' ' ')
for w in 1 2; do
	grep -qE "(rte|lcore)-worker-$w" <<<"$threads" ||
		npvs_fail "no worker thread $w: $threads"
done
npvs_log "threads: $threads"

pol_pod a one $A
pol_pod b one $B
pol_pod c two $C
pol_pod d two $D
for p in a b c d; do
	wait_for 10 npvs_port_up "$p" || npvs_fail "port $p not up"
done
pol_serve_bg a 7000/tcp
pol_serve_bg b 5201/tcp 5353/udp 6000/tcp
pol_serve_bg d 7000/tcp 5353/udp
pol_serve_ready
ip netns exec "$(pod_ns c)" iperf3 -s -p 5202 >"$M/iperf-c.log" 2>&1 &
npvs_cleanup_add "kill $!"

{
	for ns in one two; do
		printf -- '---\napiVersion: v1\nkind: Namespace\n'
		printf 'metadata: {name: %s, labels: {ns: %s}}\n' $ns $ns
	done
	for p in "one a $A" "one b $B" "two c $C" "two d $D"; do
		set -- $p
		printf -- '---\napiVersion: v1\nkind: Pod\n'
		printf 'metadata: {name: %s, namespace: %s, labels: {app: %s}}\n' \
			"$2" "$1" "$2"
		printf 'spec: {containers: [{name: c, image: busybox}]}\n'
		printf 'status: {podIPs: [{ip: %s}]}\n' "$3"
	done
} >"$M/cluster.yaml"
pol_apply "$M/cluster.yaml"

for p in a b c d; do       # ARP warm-up (npvsd answers for the gateway)
	pod_exec $p ping -c 1 -W 1 10.244.1.1 >/dev/null 2>&1
done
pol_ping ok a $B             # worker 1 -> worker 2 and back
pol_ping ok b $C
pol_tcp_echo ok a $B 6000
pol_tcp_echo ok b $A 7000    # the other way
pol_udp ok c $B 5353
pol_udp ok b $D 5353
pol_tcp_echo ok d $A 7000

# ---- 2. bulk TCP both ways across workers ----
# iperf3 in c (worker 1) serving, b (worker 2) the client: data b -> c,
# then -R: c -> b; every ACK crosses the other way.
iperf_bytes() {   # CLIENT_POD SERVER_IP [-R]
	pod_exec "$1" iperf3 -c "$2" -p 5202 -t 2 -J --connect-timeout 3000 \
		"${@:3}" >"$M/iperf.json" 2>&1 || return 1
	python3 -c '
import json, sys
e = json.load(open(sys.argv[1]))["end"]
s, r = e["sum_sent"]["bytes"], e["sum_received"]["bytes"]
print(r)
sys.exit(0 if r > 1000000 and r <= s else 1)' "$M/iperf.json"
}
got=$(iperf_bytes b $C) || npvs_fail "iperf3 b -> c: $(tail -c 300 "$M/iperf.json")"
npvs_log "iperf3 b -> c: $got bytes received"
got=$(iperf_bytes b $C -R) || npvs_fail "iperf3 c -> b: $(tail -c 300 "$M/iperf.json")"
npvs_log "iperf3 c -> b (-R): $got bytes received"

# ---- 3. a policy denies some flows, the allowed ones work across workers ----
cat >"$M/b-from-c.yaml" <<EOF
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: b-from-c, namespace: one}
spec:
  podSelector: {matchLabels: {app: b}}
  policyTypes: [Ingress]
  ingress:
  - from:
    - namespaceSelector: {matchLabels: {ns: two}}
      podSelector: {matchLabels: {app: c}}
    ports:
    - {protocol: TCP, port: 5201}
    - {protocol: UDP, port: 5353}
EOF
denied0=$(npvs_drops policy_denied)
pol_apply "$M/b-from-c.yaml"
pol_tcp_echo ok c $B 5201
pol_udp ok c $B 5353
pol_tcp_echo denied c $B 6000        # not the allowed port
pol_tcp_echo denied a $B 6000        # not from c
pol_ping denied a $B
pol_udp denied d $B 5353             # c's namespace, not c
pol_tcp_echo ok b $A 7000            # b's egress is not isolated
pol_tcp_echo ok a $D 7000            # not concerned
denied1=$(npvs_drops policy_denied)
[ "$denied1" -gt "$denied0" ] ||
	npvs_fail "policy_denied did not grow ($denied0 -> $denied1)"
npvs_log "policy_denied: $denied0 -> $denied1"

# A long-lived allowed flow: its entry is in the shared table, and it
# keeps working while both workers see its packets.
pod_exec c python3 "$POL_PROBE" chat $B 5201 3 >"$M/chat.out" 2>&1 &
chat_pid=$!
chat_lines() { [ "$(grep -c '^line' "$M/chat.out")" -ge "$1" ]; }
wait_for 10 chat_lines 2 || npvs_fail "chat c -> b: $(cat "$M/chat.out")"
npvsctl flows >"$M/flows.txt" 2>&1 || npvs_fail "npvsctl flows: $(cat "$M/flows.txt")"
grep -q "$C" "$M/flows.txt" && grep -q "$B" "$M/flows.txt" ||
	npvs_fail "no flow c -> b listed: $(cat "$M/flows.txt")"
wait $chat_pid || npvs_fail "chat c -> b: $(tail -n 2 "$M/chat.out")"
npvs_log "chat c -> b: $(tail -n 1 "$M/chat.out")"

npvsd_stop
npvs_pass
