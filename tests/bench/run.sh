#!/usr/bin/env bash
# tests/bench/run.sh: the data-path benchmark: npvsd against dpdk-testpmd
# io-forward as the limit, on the same traffic, in the same run. Prints a
# table (stdout; progress goes to stderr). Not part of the test suite.
# Method, machine and figures: docs/benchmarks.md.
#
#   tests/bench/run.sh [--quick] [BUILD_DIR] [options]
#
# Sections (--only LIST picks some: tput,newflow,vhost,latency,update):
#   tput     one worker lcore (1), 60-byte UDP frames (64 on the wire),
#            net_pcap (infinite_rx) -> switch -> net_null, two-way pcaps of
#            1, 1,000 and 100,000 flows; testpmd --forward-mode=io with the
#            same two vdevs; npvsd at 0, 10, 50, 1,000 and 10,000 rules:
#            --rounds rounds on one npvsd, each applying the counts in turn
#            and deleting them again (0 rules), and the rule-count effect:
#            each count against the 0-rule runs around it, with their spread.
#            Rate: sum of the ports' tx counters over a --window after a
#            --warmup (rate.py: testpmd's via DPDK telemetry /ethdev/stats,
#            npvsd's via its control socket `stats`, npvsctl's source).
#   newflow  every packet a new flow: a one-way pcap of 1,000,000 flows
#            (--quick 200,000) read once (no infinite_rx) into a
#            connection table that holds them; the rate is a straight-line
#            fit of the tx counter between 10% and 90% of the run.
#   vhost    two DPDK pods (virtio_user) A -> switch -> B, 60-byte UDP;
#            rates at A (offered), the switch (rx) and B (delivered);
#            npvsd vs testpmd io between the same two pods, --vhost-pairs
#            pairs of runs in alternating order (ratio per pair). Both
#            pods in one process on one lcore (bench_vpod; tests/bench/
#            vhost.sh), or --vhost-pods 2: testpmd txonly and rxonly pods.
#   latency  UDP ping-pong (bench_udp_rtt) between two kernel pods on
#            af_packet ports, through npvsd and through testpmd io;
#            p50/p99 of 100,000 round trips (at most 30 s a run); 0
#            rules, 50 and the largest count, interleaved with testpmd,
#            3 rounds (quick 1); the spread of each over the rounds.
#   update   100 applies (--quick 20) of one changed policy in the
#            10,000-rule cluster while 1,000 flows run: drops, rate, apply
#            latency (tests/bench/update.sh).
# Rule counts need the policy stage (`npvsctl apply` and a policy_denied
# counter in npvsd), which npvsd has; a build without it (an old tree run
# for comparison) prints "n/a (policy stage not built)" in those cells and
# the new-flow rate (no conntrack to make a flow new); --force runs the
# new-flow cells anyway (labelled "no conntrack"). With the policy stage,
# a policy check first shows that the generated rules are enforced.
#
# Options:
#   --quick          a few cells (1 to 2 minutes on a quiet machine):
#                    1,000 flows at 0 and 1,000 rules (2 rounds), 200,000
#                    new flows, 20,000 round trips of latency, no vhost
#                    (unless --only names it: then 2 pairs)
#   --window S       measuring window per cell (default 3; quick 2)
#   --warmup S       warm-up before it (default 1)
#   --repeat N       runs of each 0-rule cell, interleaved (default 2)
#   --rounds N       rounds of the rule counts on one npvsd (default 3;
#                    quick 2): apply each count, measure, delete, measure;
#                    window 2 s each (--window if smaller)
#   --vhost-pairs N  vhost-user: pairs of testpmd and npvsd runs (default
#                    4, quick 2), window 2 s each (--window if smaller)
#   --rules LIST     rule counts (default 0,10,50,1000,10000)
#   --flows LIST     flow counts (default 1,1000,100000)
#   --only LIST      sections to run
#   --force          run cells whose piece is missing (labelled)
#   --results FILE   keep the raw results, one JSON object a line
#                    (default /tmp/npvs-bench-results.jsonl)
#   --vhost-pods N   1 (default): both vhost-user pods in one process
#                    (bench_vpod) on lcore 0, two pollers on two cores;
#                    2: a testpmd txonly pod and a testpmd rxonly pod
#                    (three pollers: for machines with 4 cores or more)
#   --name NAME      names of everything it starts: npvs-NAME-* (EAL
#                    prefixes, netns), veths nvNAME-*; default bench; at
#                    most 8 letters or digits (two runs at once need two)
#   --nice N         run everything at nice -N (1 to 19; this shell, so
#                    every switch, pod and generator inherits it), to keep
#                    more of the cores against other people's work on a
#                    shared machine. Default 0 (off); the table says which.
#
# Needs root, hugepages (setup.sh), dpdk-testpmd, python3. Everything it
# starts is named npvs-bench-* (EAL prefixes, netns, veths nvbench-*) and
# removed at exit (tests/integration/lib.sh does the clean-up).

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$BENCH_DIR/../integration/lib.sh"

# ---- options ----

QUICK=0 WINDOW="" WARMUP=1 REPEAT="" FORCE=0 ONLY=""
RULES="" FLOWS="" RESULTS=/tmp/npvs-bench-results.jsonl BUILD_ARG="" NICE=0
RULE_ROUNDS="" VH_PAIRS=""
VH_PODS=1 BENCH_NAME=bench
while [ $# -gt 0 ]; do
	case "$1" in
	--quick) QUICK=1 ;;
	--window) WINDOW=$2; shift ;;
	--warmup) WARMUP=$2; shift ;;
	--repeat) REPEAT=$2; shift ;;
	--rounds) RULE_ROUNDS=$2; shift ;;
	--vhost-pairs) VH_PAIRS=$2; shift ;;
	--rules) RULES=$2; shift ;;
	--flows) FLOWS=$2; shift ;;
	--only) ONLY=$2; shift ;;
	--force) FORCE=1 ;;
	--results) RESULTS=$2; shift ;;
	--nice) NICE=$2; shift ;;
	--vhost-pods) VH_PODS=$2; shift ;;
	--name) BENCH_NAME=$2; shift ;;
	-h|--help) sed -n '2,/^$/s/^# \{0,1\}//p' "$0"; exit 0 ;;
	-*) echo "run.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
	*) BUILD_ARG=$1 ;;
	esac
	shift
done
if [ "$QUICK" = 1 ]; then
	: "${WINDOW:=2}" "${REPEAT:=1}" "${RULES:=0,1000}" "${FLOWS:=1000}"
	: "${RULE_ROUNDS:=2}" "${VH_PAIRS:=2}"
	: "${ONLY:=tput,newflow,latency,update}"
	LAT_COUNT=20000 LAT_REPEAT=1 LAT_MAX_S=15
else
	: "${WINDOW:=3}" "${REPEAT:=2}" "${RULES:=0,10,50,1000,10000}"
	: "${RULE_ROUNDS:=3}" "${VH_PAIRS:=4}"
	: "${FLOWS:=1,1000,100000}"
	: "${ONLY:=tput,newflow,vhost,latency,update}"
	LAT_COUNT=100000 LAT_REPEAT=3 LAT_MAX_S=30
fi
# New flows: 1,000,000 (--quick 200,000) in a connection table made 10%
# larger (conntrack.max), or, if npvsd has no such setting, 100,000 in
# the default table (131,072 flows), so that none is refused as ct_full.
[ "$QUICK" = 1 ] && NF_FLOWS=200000 || NF_FLOWS=1000000
NF_CT_MAX=$((NF_FLOWS + NF_FLOWS / 10))
# npvsd's `port add` drained a new port's first frames before its worker
# polled it (up to 1,024 bursts of 32: a one-shot pcap's first 32,768
# frames were lost); since 25 November it drains af_packet ports only
# (vswitch/vs_port.c port_drain). For an older npvsd, NF_PAD=32768 in the
# environment puts as many pad frames (mkpcap.py --pad, to a MAC no port
# has) before the flows, for the drain to take.
: "${NF_PAD:=0}"
IFS=, read -ra RULE_LIST <<<"$(tr ',' '\n' <<<"$RULES" | sort -nu | paste -sd,)"
IFS=, read -ra FLOW_LIST <<<"$FLOWS"
want() { [[ ",$ONLY," == *",$1,"* ]]; }
if [ "$NICE" != 0 ]; then
	[[ "$NICE" =~ ^[0-9]+$ ]] && [ "$NICE" -le 19 ] ||
		{ echo "run.sh: --nice takes 0 to 19" >&2; exit 2; }
	renice -n "-$NICE" -p $$ >/dev/null || exit 2
fi

# The windows of the rule-count rounds and of the vhost-user pairs: 2 s
# (or --window if shorter). There are many of them; the spread they show
# comes from the machine over seconds to minutes, not from a window's
# length.
SHORT_WINDOW=$(awk -v w="$WINDOW" 'BEGIN { print (w > 2 ? 2 : w) }')
# The rounds' warm-up: after the merge wait, the established flows have
# been re-checked already (a packet of each passed in the 200 ms before
# any merge starts), so half a second (--warmup if shorter).
ROUND_WARMUP=$(awk -v w="$WARMUP" 'BEGIN { print (w > 0.5 ? 0.5 : w) }')
[[ "$RULE_ROUNDS" =~ ^[1-9][0-9]*$ ]] && [[ "$VH_PAIRS" =~ ^[1-9][0-9]*$ ]] &&
	[[ "$REPEAT" =~ ^[1-9][0-9]*$ ]] ||
	{ echo "run.sh: --repeat, --rounds and --vhost-pairs take a count >= 1" >&2; exit 2; }
[[ "$VH_PODS" =~ ^[12]$ ]] ||
	{ echo "run.sh: --vhost-pods takes 1 or 2" >&2; exit 2; }
[[ "$BENCH_NAME" =~ ^[a-z0-9]{1,8}$ ]] ||
	{ echo "run.sh: --name takes 1 to 8 letters or digits" >&2; exit 2; }
npvs_init "$BENCH_NAME" "$BUILD_ARG" >&2
# EAL leaves its run-time directory (the telemetry socket) even with
# --in-memory; ours go last, after every process is stopped.
npvs_cleanup_add "rm -rf /var/run/dpdk/npvs-$NPVS_TEST-*"
npvs_need dpdk-testpmd python3 taskset
RTT="$NPVS_BUILD/tests/bench/bench_udp_rtt"
NPVSD_SOCK="$NPVS_TMP/npvsd.sock"

# Addresses (pod CIDR 10.244.1.0/24; pod MACs 02:00 + IPv4 address, the
# convention mkpcap.py follows).
SERVER_IP=10.244.1.2
CLIENT_BASE=10        # client k is 10.244.1.(10 + k)
DPORT=5000
ROUTER_MAC=02:6e:70:76:73:01

bench_log() { echo "[$(date +%T)] bench: $*" >&2; }
ip_mac() { printf '02:00:%02x:%02x:%02x:%02x' ${1//./ }; }
client_ip() { echo "10.244.1.$((CLIENT_BASE + $1))"; }
clients_for() { echo $(( ($1 + 62499) / 62500 )); }  # mkpcap.py's PORTS

# result JSON...: append one result object (fields as JSON members).
result() { echo "{$(IFS=,; echo "$*")}" >>"$RESULTS"; }
jstr() { python3 -c 'import json,sys; print(json.dumps(sys.argv[1]))' "$1"; }

: >"$RESULTS"
result "\"kind\":\"machine\"" \
	"\"date\":$(jstr "$(date -u '+%Y-%m-%d %H:%M UTC')")" \
	"\"cpu\":$(jstr "$(lscpu | sed -n 's/^Model name: *//p' | head -1)")" \
	"\"cpus\":$(nproc)" \
	"\"load\":$(jstr "$(cut -d' ' -f1-3 /proc/loadavg)")" \
	"\"dpdk\":$(jstr "$(pkg-config --modversion libdpdk 2>/dev/null)")" \
	"\"commit\":$(jstr "$(git -C "$NPVS_SRC" describe --always --dirty 2>/dev/null)")" \
	"\"built\":$(jstr "$(date -u -r "$NPVSD" '+%Y-%m-%d %H:%M UTC')")" \
	"\"window\":$WINDOW" "\"warmup\":$WARMUP" "\"quick\":$QUICK" \
	"\"nice\":$NICE"

# ---- what exists ----

# The policy stage is there when npvsctl can apply manifests and npvsd's
# data path counts policy drops (a policy_denied counter in `stats`):
# apply alone may land before the workers enforce anything.
# (The drop names of `stats` are strings in npvsd: looking for the name in
# the binary answers without starting it.)
policy_probe() {
	"$NPVSCTL" --help 2>&1 | grep -qE '^ +apply( |$)' ||
		{ POLICY_WHY="npvsctl has no apply"; return 1; }
	grep -qa policy_denied "$NPVSD" && return 0
	POLICY_WHY="npvsd counts no policy_denied drops"
	return 1
}

free_pages() { cat /sys/kernel/mm/hugepages/hugepages-2048kB/free_hugepages; }

# enough_huge MBUFS: enough free 2 MiB pages for MBUFS mbufs (+ 64 MiB).
enough_huge() {
	local need=$(( ($1 * 2560 >> 21) + 32 ))
	[ "$(free_pages)" -ge "$need" ]
}

# ---- processes ----

# tp_start NAME ARGS...: dpdk-testpmd on lcores 0,1 (forwarding on 1),
# prefix npvs-$NPVS_TEST-NAME, in memory, non-interactive; sets TP_PID.
tp_start() {
	local name=$1
	shift
	dpdk-testpmd -l 0,1 --no-pci --in-memory --file-prefix "npvs-$NPVS_TEST-$name" \
		"$@" >"$NPVS_TMP/$name.log" 2>&1 </dev/null &
	TP_PID=$!
	npvs_cleanup_add "npvsd_kill $TP_PID"
}

tel_sock() { echo "/var/run/dpdk/npvs-$NPVS_TEST-$1/dpdk_telemetry.v2"; }

# stop PID: SIGINT (testpmd and npvsd exit cleanly), KILL after 15 s.
stop() {
	kill -0 "$1" 2>/dev/null || return 0
	kill -INT "$1"
	wait_for 15 _npvs_gone "$1" || kill -KILL "$1"
	wait "$1" 2>/dev/null
	return 0
}

# np_start [FLAGS...]: npvsd on $NPVS_TMP/npvsd.yaml, no idle back-off;
# returns 1 (log kept) if it does not come up.
np_start() {
	NPVSD_LOG="$NPVS_TMP/npvsd.log"
	echo "=== npvsd $* $(date +%T)" >>"$NPVSD_LOG"
	"$NPVSD" --config "$NPVS_TMP/npvsd.yaml" --socket "$NPVSD_SOCK" \
		--no-idle-backoff "$@" >>"$NPVSD_LOG" 2>&1 &
	NPVSD_PID=$!
	npvs_cleanup_add "npvsd_kill $NPVSD_PID"
	wait_for 60 npvsd_ready && return 0
	bench_log "npvsd did not come up: $(tail -n 3 "$NPVSD_LOG" | tr '\n' ' ')"
	stop "$NPVSD_PID"
	return 1
}

# np_config HEAD_YAML_LINES: npvsd.yaml with the test's head and stdin.
np_config() { npvsd_config_write HUGE=1 >"$NPVS_TMP/npvsd.yaml"; }

# endpoints_yaml PORT_OF_CLIENTS PORT_OF_SERVER N_CLIENTS [SERVER_IP]
endpoints_yaml() {
	local k ip sip=${4:-$SERVER_IP}
	echo "endpoints:"
	echo "  - { namespace: bench, name: server, port: $2, ips: [$sip], mac: \"$(ip_mac "$sip")\" }"
	for ((k = 0; k < $3; k++)); do
		ip=$(client_ip "$k")
		echo "  - { namespace: bench, name: client-$k, port: $1, ips: [$ip], mac: \"$(ip_mac "$ip")\" }"
	done
}

# policy_apply RULES N_CLIENTS [SERVER_IP]: generate (once: kept in
# $NPVS_TMP for the next apply of the same cluster) and apply the
# manifest (npvsd running). Prints the error and returns 1 on failure.
# The manifests go in files of at most 2,000 rules (npvsd takes 1 MiB a
# request), applied one after the other; with RULES_ONLY=1 only the
# NetworkPolicy files (the Namespace and Pods are there already).
policy_apply() {
	local k f args=() sip=${3:-$SERVER_IP} dport=${ALLOW_DPORT:-$DPORT}
	local d="$NPVS_TMP/policy-$1-$2-$sip-$dport"
	for ((k = 0; k < $2; k++)); do args+=(--client "$(client_ip "$k")"); done
	if [ ! -e "$d/00-pods.yaml" ]; then
		rm -rf "$d"
		python3 "$BENCH_DIR/mkpolicy.py" --rules "$1" --server "$sip" \
			--dport "$dport" --split "$d" "${args[@]}" ||
			{ rm -rf "$d"; echo "mkpolicy.py failed"; return 1; }
	fi
	for f in "$d"/*.yaml; do
		[ "${RULES_ONLY:-0}" = 1 ] && [ "${f##*/}" = 00-pods.yaml ] &&
			continue
		npvsctl --timeout 120000 apply -f "$f" >"$NPVS_TMP/apply.log" 2>&1 &&
			continue
		tail -n 2 "$NPVS_TMP/apply.log" | tr '\n' ' '
		return 1
	done
}

# rate ARGS...: rate.py; prints its JSON (always one object).
rate() {
	python3 "$BENCH_DIR/rate.py" --warmup "$WARMUP" --window "$WINDOW" "$@" ||
		true
}

# na_json REASON: a cell that did not run; na_cell: the same into CELL.
na_json() { echo "{\"na\": $(jstr "$1")}"; }
na_cell() { CELL=$(na_json "$1"); }

# The cell functions below start processes, so they run in this shell
# (never inside $(...), where lib.sh's clean-up list would not see them)
# and leave their result, one JSON object, in CELL.
CELL="" 

POLICY=0 POLICY_WHY=""
NA_POLICY="n/a (policy stage not built)"
policy_probe && POLICY=1
bench_log "policy stage: $([ $POLICY = 1 ] && echo present || echo "absent ($POLICY_WHY)")"
result '"kind":"policy"' "\"present\":$POLICY" "\"why\":$(jstr "$POLICY_WHY")"

# ---- throughput ----

# pcap_make NAME FLOWS MODE: a pcap in $NPVS_TMP; prints its path.
pcap_make() {
	local f="$NPVS_TMP/$1.pcap" k args=()
	for ((k = 0; k < $(clients_for "$2"); k++)); do
		args+=(--client "$(client_ip "$k")")
	done
	python3 "$BENCH_DIR/mkpcap.py" "$f" --flows "$2" --mode "$3" \
		--server "$SERVER_IP" --dport "$DPORT" "${args[@]}" 2>/dev/null ||
		return 1
	echo "$f"
}

tput_testpmd() {
	local pcap=$1 mbufs=$2
	tp_start tp --vdev "net_pcap0,rx_pcap=$pcap,infinite_rx=1" \
		--vdev "net_null0,no-rx=1" -- --forward-mode=io --auto-start \
		--no-mlockall --no-flush-rx --stats-period 3600 \
		--total-num-mbufs="$mbufs"
	CELL=$(rate --telemetry "$(tel_sock tp)")
	stop "$TP_PID"
}

# np_sink_start MBUFS RULES CLIENTS: npvsd with the null sink (the
# server's port) and the endpoints, policy applied; CELL says why not.
np_sink_start() {
	local err
	{ echo "ports:"
	  echo "  - { name: sink, type: devargs, devargs: \"net_null0,no-rx=1\" }"
	  endpoints_yaml gen sink "$3"
	  [ -n "${CT_MAX:-}" ] && printf 'conntrack:\n  max: %s\n' "$CT_MAX"
	  true; } | np_config
	np_start --mbufs "$1" || { na_cell "npvsd did not start"; return 1; }
	if [ "$POLICY" = 1 ] && ! err=$(policy_apply "$2" "$3"); then
		stop "$NPVSD_PID"
		na_cell "apply failed: $err"
		return 1
	fi
}

# gen_add DEVARGS: the generator port, added last, once endpoints (and
# policy) are in place, so that no packet meets a half-made switch.
gen_add() {
	local err
	err=$(npvsctl port add gen --devargs "$1" 2>&1) && return 0
	stop "$NPVSD_PID"
	na_cell "port add: $err"
	return 1
}

# tput_npvsd PCAP MBUFS CLIENTS [KEEP]: the 0-rule cell; with KEEP=1
# npvsd stays up for tput_more (NPVSD_UP=1).
NPVSD_UP=0
tput_npvsd() {
	NPVSD_UP=0
	np_sink_start "$2" 0 "$3" || return
	gen_add "net_pcap0,rx_pcap=$1,infinite_rx=1" || return
	CELL=$(rate --npvsd "$NPVSD_SOCK")
	if [ "${4:-0}" = 1 ]; then
		NPVSD_UP=1
	else
		stop "$NPVSD_PID"
	fi
}

# tput_more RULES CLIENTS: apply RULES rules to the running npvsd, with
# the generator running, wait for the policy's merged contexts, and
# measure after the warm-up (which covers the re-check of the
# established flows). Rule counts go up within a round: the policies of
# a count are those of the smaller one, replaced, plus more, so each
# apply leaves exactly the count's rules.
tput_more() {
	local err t0=$EPOCHREALTIME
	ROUND_TIMES='"change_s":null'
	[ "$NPVSD_UP" = 1 ] || { na_cell "npvsd not running"; return; }
	if ! err=$(RULES_ONLY=1 policy_apply "$1" "$2"); then
		na_cell "apply failed: $err"
		return
	fi
	tput_measure "$t0"
}

# tput_measure T0: after a change begun at T0 ($EPOCHREALTIME): wait for
# the merged contexts, measure (SHORT_WINDOW) into CELL; ROUND_TIMES gets
# the seconds the change and the merge wait took (result fields).
tput_measure() {
	local t1 t2
	t1=$EPOCHREALTIME
	wait_for 60 merge_done || bench_log "tput: policy merge not done"
	t2=$EPOCHREALTIME
	ROUND_TIMES=$(awk -v a="$1" -v b="$t1" -v c="$t2" \
		'BEGIN { printf "\"change_s\":%.2f,\"merge_s\":%.2f", b - a, c - b }')
	CELL=$(WINDOW=$SHORT_WINDOW WARMUP=$ROUND_WARMUP rate --npvsd "$NPVSD_SOCK")
}

# tput_clear RULES: delete the NetworkPolicies of the RULES-rule cluster
# (bench/bench-rules-NNN, mkpolicy.py's 100 rules a policy; Namespace and
# Pods stay) from the running npvsd, one transaction, and measure again:
# the 0-rule state of the same npvsd, generator running.
tput_clear() {
	local k err names=() t0=$EPOCHREALTIME
	ROUND_TIMES='"change_s":null'
	[ "$NPVSD_UP" = 1 ] || { na_cell "npvsd not running"; return; }
	for ((k = 0; k < ($1 + 99) / 100; k++)); do
		names+=("$(printf 'bench-rules-%03d' "$k")")
	done
	if [ "${#names[@]}" -gt 0 ] && ! err=$(npvsctl --timeout 120000 \
			delete networkpolicy "${names[@]}" -n bench 2>&1); then
		na_cell "delete failed: $(tail -n 2 <<<"$err" | tr '\n' ' ')"
		return
	fi
	tput_measure "$t0"
}

# tput_rounds FLOWS FRAMES CLIENTS: the rule counts, on the npvsd the last
# 0-rule run left up (generator running). RULE_ROUNDS rounds; a round
# applies each count in turn, going up, measuring each, then deletes the
# policies and measures 0 rules again. So every count's run of round R
# lies between two 0-rule runs of the same npvsd: "round" R-1 (for R = 1,
# the 0-rule run that started this npvsd) and "round" R; report.py
# compares it with their mean (the rule-count effect) and shows the
# spread of the 0-rule runs next to it.
tput_rounds() {
	local flows=$1 frames=$2 clients=$3 round rules last out
	for ((round = 1; round <= RULE_ROUNDS; round++)); do
		last=0
		for rules in "${RULE_LIST[@]}"; do
			[ "$rules" -eq 0 ] && continue
			bench_log "tput: $flows flows, npvsd, $rules rules, round $round"
			tput_more "$rules" "$clients"; out=$CELL
			last=$rules
			result '"kind":"tput"' "\"flows\":$flows" "\"frames\":$frames" \
				"\"rules\":$rules" '"switch":"npvsd"' "\"rep\":$round" \
				"\"round\":$round" "\"window\":$SHORT_WINDOW" \
				"$ROUND_TIMES" "\"res\":$out"
		done
		[ "$last" -eq 0 ] && return
		bench_log "tput: $flows flows, npvsd, policies deleted (0 rules), round $round"
		tput_clear "$last"; out=$CELL
		result '"kind":"tput"' "\"flows\":$flows" "\"frames\":$frames" \
			'"rules":0' '"switch":"npvsd"' "\"rep\":$((REPEAT + round))" \
			"\"round\":$round" "\"window\":$SHORT_WINDOW" \
			"$ROUND_TIMES" "\"res\":$out"
	done
}

# policy_check: requests only (a one-way pcap of 1,000 flows) and 10
# rules, first as benchmarked (nothing may be denied), then with the one
# rule that allows the traffic moved to another port (everything must be
# policy_denied). Shows that the generated policies reach the data path
# and that the traffic meets them. (With two-way traffic the second case
# would pass after the first replies: a reply opens the connection from
# the server's side, and the requests are then its replies.)
policy_check() {
	local pcap out
	pcap=$(pcap_make check 1000 oneway) || return
	bench_log "tput: policy check (10 rules, none allows the traffic)"
	np_sink_start 34768 10 1 || { result '"kind":"check"' "\"res\":$CELL"; return; }
	gen_add "net_pcap0,rx_pcap=$pcap,infinite_rx=1" || { result '"kind":"check"' "\"res\":$CELL"; return; }
	sleep 1
	npvsctl -o json stats >"$NPVS_TMP/check-allow.json"
	stop "$NPVSD_PID"
	ALLOW_DPORT=$((DPORT + 1))
	np_sink_start 34768 10 1 && gen_add "net_pcap0,rx_pcap=$pcap,infinite_rx=1" && {
		sleep 1
		npvsctl -o json stats >"$NPVS_TMP/check-deny.json"
		stop "$NPVSD_PID"
	}
	unset ALLOW_DPORT
	out=$(python3 -c '
import json, sys
def get(f):
    d = json.load(open(f))
    return {"rx": sum(p["rx_packets"] for p in d["ports"]),
            "denied": d["drops"].get("policy_denied", 0)}
print(json.dumps({"allow": get(sys.argv[1]), "deny": get(sys.argv[2])}))' \
		"$NPVS_TMP/check-allow.json" "$NPVS_TMP/check-deny.json" 2>/dev/null ||
		na_json "no counters")
	result '"kind":"check"' "\"res\":$out"
}

section_tput() {
	local flows pcap frames mbufs clients rep rules out
	[ "$POLICY" = 1 ] && policy_check
	for flows in "${FLOW_LIST[@]}"; do
		pcap=$(pcap_make "tput-$flows" "$flows" twoway) ||
			npvs_fail "mkpcap.py failed"
		frames=$((flows * 2))
		mbufs=$((frames + 32768))
		clients=$(clients_for "$flows")
		if ! enough_huge "$mbufs"; then
			for rules in "${RULE_LIST[@]}"; do
				result '"kind":"tput"' "\"flows\":$flows" "\"rules\":$rules" \
					'"switch":"npvsd"' '"rep":1' "\"res\":$(na_json \
					"not enough free hugepages ($(free_pages) free)")"
			done
			continue
		fi
		for ((rep = 1; rep <= REPEAT; rep++)); do
			bench_log "tput: $flows flows, testpmd io, run $rep"
			tput_testpmd "$pcap" "$mbufs"; out=$CELL
			result '"kind":"tput"' "\"flows\":$flows" "\"frames\":$frames" \
				'"rules":0' '"switch":"testpmd"' "\"rep\":$rep" \
				"\"res\":$out"
			bench_log "tput: $flows flows, npvsd, 0 rules, run $rep"
			# The last run stays up for the rule counts.
			tput_npvsd "$pcap" "$mbufs" "$clients" \
				"$([ "$rep" -eq "$REPEAT" ] && [ "$POLICY" = 1 ] && echo 1)"
			out=$CELL
			# The run left up is round 0 of the rule counts.
			result '"kind":"tput"' "\"flows\":$flows" "\"frames\":$frames" \
				'"rules":0' '"switch":"npvsd"' "\"rep\":$rep" \
				"$([ "$NPVSD_UP" = 1 ] && echo '"round":0,')\"res\":$out"
		done
		if [ "$POLICY" = 1 ]; then
			tput_rounds "$flows" "$frames" "$clients"
		else
			for rules in "${RULE_LIST[@]}"; do
				[ "$rules" -eq 0 ] && continue
				result '"kind":"tput"' "\"flows\":$flows" \
					"\"frames\":$frames" "\"rules\":$rules" \
					'"switch":"npvsd"' '"rep":1' \
					"\"res\":$(na_json "$NA_POLICY")"
			done
		fi
		[ "$NPVSD_UP" = 1 ] && stop "$NPVSD_PID"
		NPVSD_UP=0
	done
}

# ---- new flows ----

# newflow_testpmd PCAP: testpmd interactive, its stdin a fifo, so that
# forwarding starts ("start") only once rate.py has its first reading.
newflow_testpmd() {
	local fifo="$NPVS_TMP/nf.in" rpid tp_in
	rm -f "$fifo" "$NPVS_TMP/nf.ready"
	mkfifo "$fifo"
	dpdk-testpmd -l 0,1 --no-pci --in-memory --file-prefix "npvs-$NPVS_TEST-nf" \
		--vdev "net_pcap0,rx_pcap=$1" --vdev "net_null0,no-rx=1" -- -i \
		--forward-mode=io --no-mlockall --no-flush-rx \
		--total-num-mbufs=32768 <"$fifo" >"$NPVS_TMP/nf.log" 2>&1 &
	TP_PID=$!
	npvs_cleanup_add "npvsd_kill $TP_PID"
	exec {tp_in}>"$fifo"
	rate --telemetry "$(tel_sock nf)" --mode oneshot --total "$NF_FLOWS" \
		--ready-file "$NPVS_TMP/nf.ready" >"$NPVS_TMP/nf.json" &
	rpid=$!
	wait_for 30 test -e "$NPVS_TMP/nf.ready"
	echo start >&"$tp_in"
	wait "$rpid"
	CELL=$(cat "$NPVS_TMP/nf.json")
	echo quit >&"$tp_in"
	exec {tp_in}>&-
	stop "$TP_PID"
}

# merge_done: the live policy's merged contexts are all built and
# attached (npvsctl stats: policy_merge.pending 0; none without policy).
merge_done() {
	npvsctl -o json stats | python3 -c '
import json, sys
sys.exit(json.load(sys.stdin).get("policy_merge", {}).get("pending", 0) != 0)'
}

# newflow_npvsd PCAP RULES CLIENTS: rate.py reads first, then the
# generator port is added and runs through the pcap once (after the
# policy's merged contexts are in: they are built in the background).
newflow_npvsd() {
	local rpid
	CT_MAX=$NF_CT_MAX np_sink_start 32768 "$2" "$3" || return
	wait_for 60 merge_done || bench_log "newflow: policy merge not done"
	rm -f "$NPVS_TMP/nf.ready"
	rate --npvsd "$NPVSD_SOCK" --mode oneshot --total "$NF_FLOWS" \
		--ready-file "$NPVS_TMP/nf.ready" >"$NPVS_TMP/nf.json" &
	rpid=$!
	wait_for 30 test -e "$NPVS_TMP/nf.ready"
	if ! gen_add "net_pcap0,rx_pcap=$1"; then
		kill "$rpid" 2>/dev/null
		return
	fi
	wait "$rpid"
	CELL=$(cat "$NPVS_TMP/nf.json")
	stop "$NPVSD_PID"
}

section_newflow() {
	local pcap rules out clients rep note=""
	if [ "$POLICY" = 0 ] && [ "$FORCE" = 0 ]; then
		for rules in "${RULE_LIST[@]}"; do
			result '"kind":"newflow"' "\"flows\":$NF_FLOWS" \
				"\"rules\":$rules" '"switch":"npvsd"' \
				"\"res\":$(na_json "$NA_POLICY")"
		done
		return
	fi
	[ "$POLICY" = 0 ] && note="no conntrack: every packet takes one path"
	if ! printf 'pod_cidr: 10.0.0.0/24\nconntrack:\n  max: %s\n' "$NF_CT_MAX" \
			>"$NPVS_TMP/ct-check.yaml" ||
			! "$NPVSD" --config "$NPVS_TMP/ct-check.yaml" --check \
			>/dev/null 2>&1; then
		NF_FLOWS=100000 NF_CT_MAX=""
	fi
	clients=$(clients_for "$NF_FLOWS")
	bench_log "newflow: making a $NF_FLOWS-flow one-way pcap"
	pcap=$(pcap_make newflow "$NF_FLOWS" oneway) || npvs_fail "mkpcap.py failed"
	# npvsd's: the same frames (after NF_PAD pad frames for an npvsd that
	# drains them at port add).
	npcap=$pcap
	if [ "$NF_PAD" != 0 ]; then
		npcap=$NPVS_TMP/newflow-pad.pcap
		python3 "$BENCH_DIR/mkpcap.py" "$npcap" \
			--pad "$NF_PAD" --then "$pcap" --client "$(client_ip 0)" \
			--server "$SERVER_IP" --dport "$DPORT" 2>/dev/null ||
			npvs_fail "mkpcap.py --pad failed"
	fi
	for ((rep = 1; rep <= REPEAT; rep++)); do
		bench_log "newflow: testpmd io, run $rep"
		newflow_testpmd "$pcap"; out=$CELL
		result '"kind":"newflow"' "\"flows\":$NF_FLOWS" '"rules":0' \
			'"switch":"testpmd"' "\"rep\":$rep" "\"res\":$out"
		bench_log "newflow: npvsd, 0 rules, run $rep"
		newflow_npvsd "$npcap" 0 "$clients"; out=$CELL
		result '"kind":"newflow"' "\"flows\":$NF_FLOWS" '"rules":0' \
			'"switch":"npvsd"' "\"rep\":$rep" "\"note\":$(jstr "$note")" \
			"\"pad\":$NF_PAD" "\"res\":$out"
	done
	for rules in "${RULE_LIST[@]}"; do
		[ "$rules" -eq 0 ] && continue
		if [ "$POLICY" = 0 ]; then
			out=$(na_json "$NA_POLICY")
		else
			bench_log "newflow: npvsd, $rules rules"
			newflow_npvsd "$npcap" "$rules" \
				"$clients"; out=$CELL
		fi
		result '"kind":"newflow"' "\"flows\":$NF_FLOWS" "\"rules\":$rules" \
			'"switch":"npvsd"' '"rep":1' "\"note\":$(jstr "$note")" \
			"\"pad\":$NF_PAD" "\"res\":$out"
	done
}

# ---- vhost-user pods (tests/bench/vhost.sh; VH_PODS from --vhost-pods) ----

source "$BENCH_DIR/vhost.sh"

# ---- latency ----

LAT_A_IP=$(client_ip 0)     # pod a: the client
LAT_B_IP=$SERVER_IP         # pod b: the server

# latency_pods: the two pods and the echo server, made again if they are
# gone (seen here once: a shared machine, a clean-up by someone else).
LAT_SERVER_PID=""
latency_pods() {
	local p
	if ip link show "$(pod_veth a)" >/dev/null 2>&1 &&
			ip link show "$(pod_veth b)" >/dev/null 2>&1 &&
			[ -n "$LAT_SERVER_PID" ] && kill -0 "$LAT_SERVER_PID" 2>/dev/null
	then
		return 0
	fi
	if [ -n "$LAT_SERVER_PID" ]; then
		bench_log "latency: the pods were gone; making them again"
		kill "$LAT_SERVER_PID" 2>/dev/null
		for p in a b; do
			ip netns del "$(pod_ns $p)" 2>/dev/null
			ip link del "$(pod_veth $p)" 2>/dev/null
		done
	fi
	pod_kernel_add a "$LAT_A_IP/24" 10.244.1.1 "$(ip_mac "$LAT_A_IP")"
	pod_kernel_add b "$LAT_B_IP/24" 10.244.1.1 "$(ip_mac "$LAT_B_IP")"
	ip netns exec "$(pod_ns b)" taskset -c 0 "$RTT" server --port "$DPORT" \
		>"$NPVS_TMP/rtt-server.log" 2>&1 &
	LAT_SERVER_PID=$!
	npvs_cleanup_add "kill $LAT_SERVER_PID"
}

# latency_run: flush the pods' neighbours (proxy ARP vs bridging), then
# the client, pinned to lcore 0 like the server.
latency_run() {
	pod_exec a ip neigh flush all
	pod_exec b ip neigh flush all
	pod_exec a taskset -c 0 "$RTT" client --to "$LAT_B_IP" --port "$DPORT" \
		--count "$LAT_COUNT" --warmup 1000 --max-seconds "$LAT_MAX_S" || true
}

latency_testpmd() {
	latency_pods
	tp_start lat --vdev "net_af_packet0,iface=$(pod_veth a),qpairs=1" \
		--vdev "net_af_packet1,iface=$(pod_veth b),qpairs=1" -- \
		--forward-mode=io --auto-start --no-mlockall --stats-period 3600
	sleep 2
	CELL=$(latency_run)
	stop "$TP_PID"
	[ -n "$CELL" ] || na_cell "no output from bench_udp_rtt"
}

latency_npvsd() {
	local rules=$1 err
	latency_pods
	{ echo "ports:"
	  echo "  - { name: pa, type: afpacket, iface: $(pod_veth a) }"
	  echo "  - { name: pb, type: afpacket, iface: $(pod_veth b) }"
	  endpoints_yaml pa pb 1 "$LAT_B_IP"; } | np_config
	np_start || { na_cell "npvsd did not start"; return; }
	if [ "$POLICY" = 1 ] && ! err=$(policy_apply "$rules" 1 "$LAT_B_IP"); then
		stop "$NPVSD_PID"
		na_cell "apply failed: $err"
		return
	fi
	# the merged contexts are built in the background after an apply
	# (a 10,000-rule one takes a few hundred ms of a core): measure the
	# steady state, not that build competing with the pods
	[ "$POLICY" = 1 ] && { wait_for 60 merge_done ||
		bench_log "latency: policy merge not done"; }
	CELL=$(latency_run)
	stop "$NPVSD_PID"
	[ -n "$CELL" ] || na_cell "no output from bench_udp_rtt"
}

section_latency() {
	local rep rules out last=${RULE_LIST[-1]} list=()
	[ -x "$RTT" ] || { result '"kind":"latency"' '"switch":"npvsd"' \
		"\"res\":$(na_json "bench_udp_rtt not built")"; return; }
	# 0 rules, 50 (the paper's Table 3 column) and the largest count,
	# interleaved with testpmd io in each of LAT_REPEAT rounds, so that
	# the spread of the 0-rule runs (the run-to-run noise) is measured in
	# the same minutes as the runs with rules
	for rules in "${RULE_LIST[@]}"; do
		[ "$rules" -eq 0 ] || [ "$rules" -eq 50 ] ||
			[ "$rules" -eq "$last" ] && list+=("$rules")
	done
	[ "${list[0]:-}" = 0 ] || list=(0 "${list[@]}")
	latency_pods
	for ((rep = 1; rep <= LAT_REPEAT; rep++)); do
		bench_log "latency: testpmd io, run $rep"
		latency_testpmd; out=$CELL
		result '"kind":"latency"' '"switch":"testpmd"' '"rules":0' \
			"\"rep\":$rep" "\"count\":$LAT_COUNT" "\"res\":$out"
		for rules in "${list[@]}"; do
			if [ "$rules" -gt 0 ] && [ "$POLICY" = 0 ]; then
				out=$(na_json "$NA_POLICY")
			else
				bench_log "latency: npvsd, $rules rules, run $rep"
				latency_npvsd "$rules"; out=$CELL
			fi
			result '"kind":"latency"' '"switch":"npvsd"' \
				"\"rules\":$rules" "\"rep\":$rep" \
				"\"count\":$LAT_COUNT" "\"res\":$out"
		done
	done
}

# ---- policy updates under load ----

source "$BENCH_DIR/update.sh"

# ---- main ----

START=$SECONDS
for s in tput newflow vhost latency update; do
	want "$s" || { result '"kind":"skipped"' "\"section\":\"$s\""; continue; }
	result '"kind":"load"' "\"before\":$(jstr "$s")" \
		"\"load\":$(jstr "$(cut -d' ' -f1-3 /proc/loadavg)")"
	"section_$s"
done
result '"kind":"load"' '"before":"end"' \
	"\"load\":$(jstr "$(cut -d' ' -f1-3 /proc/loadavg)")" \
	"\"secs\":$((SECONDS - START))"
python3 "$BENCH_DIR/report.py" "$RESULTS"
bench_log "raw results in $RESULTS ($((SECONDS - START)) s)"
