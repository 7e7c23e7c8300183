# shellcheck shell=bash
# tests/bench/update.sh: run.sh's section "update" (sourced by run.sh,
# which provides the helpers: pcap_make, np_sink_start, gen_add, stop,
# result, ...). Policy updates under load:
#
#   update   the throughput setup of section tput (one worker lcore,
#            net_pcap infinite_rx generator -> npvsd -> net_null, 1,000
#            two-way flows) with the 10,000-rule cluster of mkpolicy.py
#            applied and the flows established (warm-up); then update.py
#            measures the rate for a --window, runs 100 applies (--quick
#            20) with the traffic running, each changing ONE
#            NetworkPolicy in a way that keeps the traffic allowed, and
#            reports the drops of every npvsd counter over the applies
#            (the target is none; policy_denied apart), the rate during
#            the applies against the rate before, and the apply latency:
#            p50/p99/max at the client (npvsctl round trip) and on the
#            server (the reply's timing.active_us: request received -> new
#            policy published), with the median of every phase.

UPD_RULES=10000
UPD_FLOWS=1000
[ "$QUICK" = 1 ] && UPD_APPLIES=20 || UPD_APPLIES=100

section_update() {
	local pcap mbufs clients out
	if [ "$POLICY" = 0 ]; then
		result '"kind":"update"' "\"res\":$(na_json "$NA_POLICY")"
		return
	fi
	pcap=$(pcap_make "tput-$UPD_FLOWS" "$UPD_FLOWS" twoway) ||
		npvs_fail "mkpcap.py failed"
	mbufs=$((UPD_FLOWS * 2 + 32768))
	clients=$(clients_for "$UPD_FLOWS")
	if ! enough_huge "$mbufs"; then
		result '"kind":"update"' "\"res\":$(na_json \
			"not enough free hugepages ($(free_pages) free)")"
		return
	fi
	bench_log "update: $UPD_FLOWS flows, $UPD_RULES rules, $UPD_APPLIES applies"
	np_sink_start "$mbufs" "$UPD_RULES" "$clients" &&
		gen_add "net_pcap0,rx_pcap=$pcap,infinite_rx=1" ||
		{ result '"kind":"update"' "\"res\":$CELL"; return; }
	sleep $((WARMUP + 1))   # the flows established, the table warm
	# and the cluster's merged policy contexts built (run.sh merge_done)
	wait_for 60 merge_done || bench_log "update: policy merge not done"
	out=$(python3 "$BENCH_DIR/update.py" --npvsd "$NPVSD_SOCK" \
		--npvsctl "$NPVSCTL" --dir "$NPVS_TMP" --applies "$UPD_APPLIES" \
		--rules "$UPD_RULES" --window "$WINDOW" --dport "$DPORT") ||
		out=$(na_json "update.py failed")
	stop "$NPVSD_PID"
	result '"kind":"update"' "\"flows\":$UPD_FLOWS" "\"rules\":$UPD_RULES" \
		"\"applies\":$UPD_APPLIES" "\"res\":$out"
}
