# tests/bench/vhost.sh: the vhost-user section of tests/bench/run.sh
# (sourced by it; uses its helpers: tp_start, np_start, rate, stop...).
# Method: docs/benchmarks.md, "vhost-user pods".
#
# Two DPDK pods on virtio_user ports, A (client-0) sending 60-byte UDP to
# B (server) through the switch's two vhost-user ports; the switch is
# npvsd, then dpdk-testpmd io-forward between the same two sockets (the
# limit). Rates in the same window: offered (A's tx), switch rx (what the
# switch took from A) and delivered (B's rx, the figure).
#
#   VH_PODS=1 (default, --vhost-pods 1): both pods in one process on one
#     lcore, tests/bench/bench_vpod (A -> B on its port 0, B's port 1
#     received and freed): two pollers on two cores (the pods' process on
#     lcore 0, the switch's worker on lcore 1).
#   VH_PODS=2 (--vhost-pods 2): a testpmd txonly pod and a testpmd rxonly
#     pod (lib.sh's pod_dpdk_start, both forwarding on lcore 0) and the
#     switch on lcore 1: three pollers, for machines with at least 4 cores
#     (on 2 the rx pod only drains while the tx pod is descheduled).

: "${VH_PODS:=1}" "${VH_PAIRS:=4}"
# VH_PAIRS pairs of runs (--vhost-pairs), testpmd and npvsd, in
# alternating order (testpmd first in odd pairs, npvsd first in even
# ones, so a drift of the machine over the section does not favour
# either), each over a short window (run.sh's SHORT_WINDOW: 2 s, or
# --window if shorter): the cross-core cost of this VM's two vCPUs
# changes from minute to minute (testpmd alone gave 14.1 and 7.4 Mpps
# minutes apart), so the figure is the ratio of each pair and their
# median, with the best of each switch.
VH_WINDOW=${SHORT_WINDOW:-2}
VH_TX_IP=$(client_ip 0)
VH_RX_IP=$SERVER_IP
VPOD="$NPVS_BUILD/tests/bench/bench_vpod"

# vhost_vdev SOCK IP: a pod's virtio_user devargs (client of the switch).
vhost_vdev() {
	echo "path=$1,queues=1,queue_size=1024,mac=$(ip_mac "$2")"
}

# vhost_pods_two: the rx pod, then the tx pod (testpmd each).
vhost_pods_two() {
	pod_dpdk_start prx "$(vhost_vdev "$NPVS_TMP/vrx.sock" "$VH_RX_IP")" \
		--forward-mode=rxonly --auto-start
	PRX_PID=$POD_PID
	pod_dpdk_start ptx "$(vhost_vdev "$NPVS_TMP/vtx.sock" "$VH_TX_IP")" \
		--forward-mode=txonly --auto-start --txpkts=60 \
		--tx-ip="$VH_TX_IP,$VH_RX_IP" --tx-udp="1024,$DPORT" \
		--eth-peer="0,$ROUTER_MAC"
	PTX_PID=$POD_PID
}

# vhost_pods_one: bench_vpod, pod A's port 0 then pod B's port 1, on
# lcore 0 (the switch's worker is on 1). VH_REFUSED_WAIT_US in run.sh's
# environment: bench_vpod --refused-wait-us (default 0, retry at once).
vhost_pods_one() {
	"$VPOD" -l 0 --no-pci --in-memory --single-file-segments -m 256 \
		--file-prefix "npvs-$NPVS_TEST-vpod" \
		--vdev "net_virtio_user0,$(vhost_vdev "$NPVS_TMP/vtx.sock" "$VH_TX_IP")" \
		--vdev "net_virtio_user1,$(vhost_vdev "$NPVS_TMP/vrx.sock" "$VH_RX_IP")" \
		-- --src-ip "$VH_TX_IP" --dst-ip "$VH_RX_IP" \
		--dst-mac "$ROUTER_MAC" --dport "$DPORT" \
		--refused-wait-us "${VH_REFUSED_WAIT_US:-0}" \
		>"$NPVS_TMP/vpod.out" 2>"$NPVS_TMP/vpod.log" </dev/null &
	PTX_PID=$! PRX_PID=$!
	npvs_cleanup_add "npvsd_kill $PTX_PID"
}

vhost_pods() {
	if [ "$VH_PODS" = 2 ]; then vhost_pods_two; else vhost_pods_one; fi
}

# vhost_measure SWITCH_SOURCE...: the three rates in the same window;
# stops the pods.
vhost_measure() {
	local p1 p2 tx rx
	if [ "$VH_PODS" = 2 ]; then
		tx=(--telemetry "$(tel_sock ptx)")
		rx=(--telemetry "$(tel_sock prx)")
	else
		tx=(--telemetry "$(tel_sock vpod)" --ports 0)
		rx=(--telemetry "$(tel_sock vpod)" --ports 1)
	fi
	rate "${tx[@]}" --count tx >"$NPVS_TMP/vtx.json" &
	p1=$!
	rate "$@" --count rx >"$NPVS_TMP/vsw.json" &
	p2=$!
	CELL=$(rate "${rx[@]}" --count rx)
	wait "$p1" "$p2"
	stop "$PTX_PID"
	stop "$PRX_PID"
	# bench_vpod's own totals (tx_refused > 0: the switch was the
	# bottleneck, A's ring was full) go into the raw results as "pods".
	CELL=$(python3 -c '
import json, sys
a = json.loads(sys.argv[1])
a["offered"] = json.load(open(sys.argv[2]))
a["switch_rx"] = json.load(open(sys.argv[3]))
try:
    a["pods"] = json.loads(open(sys.argv[4]).read().strip().splitlines()[-1])
except (OSError, ValueError, IndexError):
    pass
print(json.dumps(a))' "$CELL" "$NPVS_TMP/vtx.json" "$NPVS_TMP/vsw.json" \
		"$NPVS_TMP/vpod.out" 2>/dev/null || echo "$CELL")
}

vhost_testpmd() {
	local sw
	rm -f "$NPVS_TMP/vtx.sock" "$NPVS_TMP/vrx.sock" "$NPVS_TMP/vpod.out"
	tp_start vsw --vdev "net_vhost0,iface=$NPVS_TMP/vtx.sock,queues=1" \
		--vdev "net_vhost1,iface=$NPVS_TMP/vrx.sock,queues=1" -- \
		--forward-mode=io --auto-start --no-mlockall --stats-period 3600
	sw=$TP_PID
	if ! wait_for 20 test -S "$NPVS_TMP/vrx.sock"; then
		stop "$sw"
		na_cell "testpmd vhost sockets missing"
		return
	fi
	vhost_pods
	vhost_measure --telemetry "$(tel_sock vsw)"
	stop "$sw"
}

vhost_npvsd() {
	local err
	rm -f "$NPVS_TMP/vtx.sock" "$NPVS_TMP/vrx.sock" "$NPVS_TMP/vpod.out"
	{ echo "ports:"
	  echo "  - { name: vtx, type: vhost, path: $NPVS_TMP/vtx.sock }"
	  echo "  - { name: vrx, type: vhost, path: $NPVS_TMP/vrx.sock }"
	  echo "endpoints:"
	  echo "  - { namespace: bench, name: server, port: vrx, ips: [$VH_RX_IP], mac: \"$(ip_mac "$VH_RX_IP")\" }"
	  echo "  - { namespace: bench, name: client-0, port: vtx, ips: [$VH_TX_IP], mac: \"$(ip_mac "$VH_TX_IP")\" }"
	} | np_config
	np_start || { na_cell "npvsd did not start"; return; }
	if [ "$POLICY" = 1 ] && ! err=$(policy_apply 0 1); then
		stop "$NPVSD_PID"
		na_cell "apply failed: $err"
		return
	fi
	vhost_pods
	vhost_measure --npvsd "$NPVSD_SOCK"
	stop "$NPVSD_PID"
}

section_vhost() {
	local rep
	if [ "$(free_pages)" -lt 600 ]; then
		result '"kind":"vhost"' '"switch":"npvsd"' "\"pods\":$VH_PODS" \
			"\"res\":$(na_json "not enough free hugepages ($(free_pages))")"
		return
	fi
	if [ "$VH_PODS" != 2 ] && [ ! -x "$VPOD" ]; then
		result '"kind":"vhost"' '"switch":"npvsd"' "\"pods\":$VH_PODS" \
			"\"res\":$(na_json "bench_vpod not built")"
		return
	fi
	for ((rep = 1; rep <= VH_PAIRS; rep++)); do
		if ((rep % 2)); then
			vhost_cell testpmd 1; vhost_cell npvsd 2
		else
			vhost_cell npvsd 1; vhost_cell testpmd 2
		fi
	done
}

# vhost_cell SWITCH ORDER: one run of pair $rep (ORDER: 1st or 2nd in it).
vhost_cell() {
	bench_log "vhost ($VH_PODS pod process(es)): $1 between the pods, pair $rep"
	WINDOW=$VH_WINDOW "vhost_$1"
	result '"kind":"vhost"' "\"switch\":\"$1\"" "\"rep\":$rep" \
		"\"pair\":$rep" "\"order\":$2" "\"window\":$VH_WINDOW" \
		"\"pods\":$VH_PODS" "\"res\":$CELL"
}
