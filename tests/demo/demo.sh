#!/usr/bin/env bash
# tests/demo/demo.sh BUILD_DIR: npvs in two minutes (`./setup.sh demo`).
#
# Starts npvsd, attaches with npvsctl two kernel pods (network namespaces
# on veth/af_packet: one Flannel style, a /24 with the subnet's .1 as
# gateway; one Calico style, a /32 with 169.254.1.1) and a DPDK pod
# (dpdk-testpmd on virtio_user over vhost-user, answering ARP and ICMP
# echo), then shows ping between the kernel pods, a short TCP transfer,
# the DPDK pod's traffic and the counters. Everything it made is removed
# at the end, also on failure or Ctrl-C (lib.sh's exit trap).
#
# It reuses tests/integration/lib.sh (pods, npvsd start/stop, clean-up);
# its names carry the tag "demo" (netns npvs-demo-*, veths nvdemo-*).
# Exit status: 0 when every step worked, 1 otherwise, 77 when something
# it needs is missing (root, hugepages for the DPDK pod).
build=${1:-}
[ -n "$build" ] || { echo "usage: $0 BUILD_DIR" >&2; exit 2; }
source "$(dirname "${BASH_SOURCE[0]}")/../integration/lib.sh"
npvs_init demo "$build"
npvs_need ping ethtool python3 dpdk-testpmd
npvs_need_hugepages 160

if [ -t 1 ]; then B=$'\e[1m' G=$'\e[32m' R=$'\e[0m'; else B="" G="" R=""; fi

step=0
heading() {
	step=$((step + 1))
	printf '\n%s==== %d. %s ====%s\n' "$B" "$step" "$*" "$R"
}
say() { printf '%s\n' "$*"; }
# show CMD...: print a command as a user would type it, then run it.
show() {
	printf '%s$ %s%s\n' "$G" "$*" "$R"
	"$@"
}
# in_pod POD CMD...: the same, inside a pod's network namespace.
in_pod() {
	local pod=$1
	shift
	printf '%s[pod %s] $ %s%s\n' "$G" "$pod" "$*" "$R"
	pod_exec "$pod" "$@"
}
# npvsctl as the user types it: the demo's socket comes from $NPVS_SOCKET.
ctl() {
	printf '%s$ npvsctl %s%s\n' "$G" "$*" "$R"
	"$NPVSCTL" "$@"
}

WEB=10.244.1.10         # kernel pod, Flannel style
DB=10.244.1.11          # kernel pod, Calico style
DPDK=10.244.1.20        # DPDK pod
DPDK_MAC=02:00:00:00:01:20

# ---------------------------------------------------------------------------
heading "npvsd starts"
say "One DPDK process switches and routes this node's pods (pod CIDR"
say "10.244.1.0/24). Its worker lcore backs off when idle, so the demo"
say "shares the machine politely."
npvsd_config_write CIDR=10.244.1.0/24 HUGE=1 >"$NPVS_TMP/npvsd.yaml" </dev/null
npvsd_start "$NPVS_TMP/npvsd.yaml"
export NPVS_SOCKET=$NPVSD_SOCK
say "(npvsd's control socket: $NPVS_SOCKET; npvsctl finds it through \$NPVS_SOCKET)"
ctl version || npvs_fail "npvsctl version"

# ---------------------------------------------------------------------------
heading "Two kernel pods on veth/af_packet"
pod_kernel_add web $WEB/24 10.244.1.1
pod_kernel_add db $DB/32 169.254.1.1
say "web: Flannel style, a /24 and the subnet's .1 as its gateway:"
in_pod web ip -br addr show dev eth0
in_pod web ip route
say "db: Calico style, a /32 and 169.254.1.1 as an on-link gateway:"
in_pod db ip -br addr show dev eth0
in_pod db ip route
say "Attach them: a port on the host end of each veth, and an endpoint"
say "(the pod, its addresses, its port). web's MAC is given; db's is learned."
ctl port add web --afpacket "$(pod_veth web)" || npvs_fail "port add web"
ctl port add db --afpacket "$(pod_veth db)" || npvs_fail "port add db"
ctl endpoint add demo/web --port web --ip $WEB --mac "$(pod_mac web)" ||
	npvs_fail "endpoint add demo/web"
ctl endpoint add demo/db --port db --ip $DB || npvs_fail "endpoint add demo/db"

# ---------------------------------------------------------------------------
heading "A DPDK pod on vhost-user"
say "npvsd serves a vhost-user socket; the pod is dpdk-testpmd on"
say "virtio_user in icmpecho mode (it answers ARP and ping itself)."
sock="$NPVS_TMP/dpdk.sock"
ctl port add dpdk --vhost "$sock" || npvs_fail "port add dpdk"
ctl endpoint add demo/dpdk --port dpdk --ip $DPDK --mac $DPDK_MAC ||
	npvs_fail "endpoint add demo/dpdk"
printf '%s$ dpdk-testpmd --no-pci --in-memory --single-file-segments \\\n' "$G"
printf '    --vdev net_virtio_user0,path=%s,mac=%s \\\n' "$sock" "$DPDK_MAC"
printf '    -- --forward-mode=icmpecho --auto-start &%s\n' "$R"
pod_dpdk_start dpdk "path=$sock,queues=1,mac=$DPDK_MAC" \
	--forward-mode=icmpecho --auto-start
for p in web db dpdk; do
	wait_for 20 npvs_port_up $p || npvs_fail "port $p did not come up"
done
ctl port list
ctl endpoint list

# ---------------------------------------------------------------------------
heading "Ping between the kernel pods"
# The first packet to a pod whose MAC npvsd has not seen yet is spent on
# ARP (npvsd asks, then forwards the next ones): warm up quietly.
pod_exec web ping -c 1 -W 1 $DB >/dev/null 2>&1
pod_exec db ping -c 1 -W 1 $WEB >/dev/null 2>&1
in_pod web ping -c 3 -i 0.3 $DB || npvs_fail "ping web -> db"
in_pod db ping -c 3 -i 0.3 $WEB || npvs_fail "ping db -> web"
say "(ttl=63: npvsd routed the packets, one hop, even within the /24)"

# ---------------------------------------------------------------------------
heading "A TCP transfer between the kernel pods"
if command -v iperf3 >/dev/null 2>&1; then
	pod_exec db iperf3 -s -1 -B $DB >"$NPVS_TMP/iperf3-server.log" 2>&1 &
	npvs_cleanup_add "kill $! 2>/dev/null"
	wait_for 5 pod_exec db sh -c "ss -ltn | grep -q ':5201'" ||
		npvs_fail "iperf3 server did not start"
	say "db runs 'iperf3 -s'; web sends for 3 s (summary lines):"
	printf '%s[pod web] $ iperf3 -c %s -t 3%s\n' "$G" "$DB" "$R"
	pod_exec web iperf3 -c $DB -t 3 -f m >"$NPVS_TMP/iperf3.log" 2>&1 ||
		{ cat "$NPVS_TMP/iperf3.log"; npvs_fail "iperf3 web -> db"; }
	grep -E 'sender|receiver' "$NPVS_TMP/iperf3.log"
else
	head -c $((8 << 20)) /dev/urandom >"$NPVS_TMP/data"
	pod_exec db sh -c "timeout 20 nc -l -p 5001 | wc -c >$NPVS_TMP/got" &
	rx_pid=$!
	wait_for 5 pod_exec db sh -c "ss -ltn | grep -q ':5001'"
	in_pod web sh -c "nc -q 1 -N $DB 5001 <$NPVS_TMP/data" ||
		npvs_fail "nc web -> db"
	wait "$rx_pid"
	say "sent 8388608 bytes, db received $(cat "$NPVS_TMP/got")"
fi

# ---------------------------------------------------------------------------
heading "The DPDK pod's traffic"
say "web pings the DPDK pod; testpmd answers from userspace, through npvsd:"
pod_exec web ping -c 1 -W 1 $DPDK >/dev/null 2>&1
in_pod web ping -c 5 -i 0.2 $DPDK || npvs_fail "ping web -> DPDK pod"
say "testpmd's own view of its port (from its periodic stats):"
sleep 1.2
grep -E 'RX-packets|TX-packets' "$NPVS_TMP/dpdk.log" | tail -n 2

# ---------------------------------------------------------------------------
heading "Network policy"
# POLICY: a NetworkPolicy loaded with npvsctl apply; one connection
# allowed and one denied (the deny shows in the counters below). Keep this
# step's place in the story: after traffic flows freely, before the
# counters.
say "npvsd takes the manifests kubectl users write. The Pod objects carry"
say "labels only: their addresses come from the attached endpoints. The"
say "policy: db accepts TCP 6000 from app=web pods, nothing else."
cat >"$NPVS_TMP/policy.yaml" <<EOF
apiVersion: v1
kind: Namespace
metadata: {name: demo}
---
apiVersion: v1
kind: Pod
metadata: {name: web, namespace: demo, labels: {app: web}}
spec: {containers: [{name: web, image: nginx}]}
---
apiVersion: v1
kind: Pod
metadata: {name: db, namespace: demo, labels: {app: db}}
spec: {containers: [{name: db, image: postgres}]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: db-from-web, namespace: demo}
spec:
  podSelector: {matchLabels: {app: db}}
  ingress:
  - from: [{podSelector: {matchLabels: {app: web}}}]
    ports: [{port: 6000}]
EOF
sed -n '/NetworkPolicy/,$p' "$NPVS_TMP/policy.yaml"
ctl apply -f "$NPVS_TMP/policy.yaml" || npvs_fail "npvsctl apply"
ctl get pods
ctl get networkpolicies
pod_exec db sh -c "timeout 20 nc -l -p 6000 >/dev/null" &
npvs_cleanup_add "kill $! 2>/dev/null"
wait_for 5 pod_exec db sh -c "ss -ltn | grep -q ':6000'" ||
	npvs_fail "listener on db:6000 did not start"
say "Allowed: web opens a TCP connection to db:6000."
in_pod web nc -z -v -w 2 $DB 6000 || npvs_fail "web -> db:6000 denied"
say "Denied: the policy opens no other port (ping is ICMP, no port at all)."
in_pod web ping -c 2 -W 1 $DB && npvs_fail "ping web -> db allowed"
say "(no reply: npvsd dropped the echo requests at db's ingress)"
say "Deleting the policy opens db again:"
ctl delete networkpolicy db-from-web -n demo || npvs_fail "npvsctl delete"
in_pod web ping -c 1 -W 2 $DB || npvs_fail "ping web -> db after delete"

# ---------------------------------------------------------------------------
heading "Counters"
ctl stats || npvs_fail "npvsctl stats"

# ---------------------------------------------------------------------------
heading "Clean-up"
npvsd_stop
say "npvsd stopped; the pods, veths, DPDK pod and files go at exit."
printf '\n%sdemo: every step worked%s\n' "$B" "$R"
exit 0
