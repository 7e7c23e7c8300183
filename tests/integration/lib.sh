# shellcheck shell=bash
# tests/integration/lib.sh: shared helpers for integration tests: kernel
# pods (network namespaces on veth pairs), DPDK pods (dpdk-testpmd on
# virtio_user), npvsd start/stop, npvsctl and counters, clean-up.
#
# Use from a test script (bash, run as root by meson with the build dir
# as $1):
#
#   source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
#   npvs_init fw "$@"                 # tag: short, unique per test
#   pod_kernel_add a 10.244.1.2/24 10.244.1.1
#   pod_kernel_add b 10.244.1.3/32 169.254.1.1
#   npvsd_config_write > "$NPVS_TMP/npvsd.yaml" <<EOF
#   ports: ...
#   EOF
#   npvsd_start "$NPVS_TMP/npvsd.yaml"
#   pod_exec a ping -c 3 10.244.1.3 || npvs_fail "ping a -> b"
#   npvs_pass
#
# Naming (so that tests never touch anything they did not make):
#   netns         npvs-<tag>-<pod>
#   host veth     nv<tag>-<pod>    (at most 15 characters: keep tag and
#                                   pod names short)
#   DPDK prefixes npvs-<tag>-npvsd, npvs-<tag>-<pod>
#   files         $NPVS_TMP (a fresh directory, removed at exit unless
#                 NPVS_KEEP=1)
# Everything made through these functions is removed at exit (trap), in
# reverse order: processes by their PID, namespaces, veths, files.
#
# Exit codes follow meson: 0 pass, 1 fail, 77 skip.

set -uo pipefail

NPVS_LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
NPVS_SRC=$(cd "$NPVS_LIB_DIR/../.." && pwd)
NPVS_CLEANUP=()         # commands, run last-first at exit
NPVSD_PID=""
NPVSD_LOG=""
NPVSD_SOCK=""

# ---- messages and exit ----

npvs_log() { echo "[$(date +%T)] ${NPVS_TEST:-test}: $*"; }

# Fail the test: print why, the tail of npvsd's log, and exit 1.
npvs_fail() {
	echo "FAIL: ${NPVS_TEST:-test}: $*" >&2
	if [ -n "$NPVSD_LOG" ] && [ -f "$NPVSD_LOG" ]; then
		echo "--- npvsd log (last 30 lines) ---" >&2
		tail -n 30 "$NPVSD_LOG" >&2
	fi
	exit 1
}

npvs_skip() { echo "SKIP: ${NPVS_TEST:-test}: $*"; exit 77; }

npvs_pass() { npvs_log "PASS"; exit 0; }

# Register a clean-up command (a string, eval'd at exit).
npvs_cleanup_add() { NPVS_CLEANUP+=("$1"); }

npvs_cleanup_run() {
	local i
	for ((i = ${#NPVS_CLEANUP[@]} - 1; i >= 0; i--)); do
		eval "${NPVS_CLEANUP[$i]}" >/dev/null 2>&1 || true
	done
	NPVS_CLEANUP=()
	if [ "${NPVS_KEEP:-0}" != 1 ] && [ -n "${NPVS_TMP:-}" ]; then
		rm -rf "$NPVS_TMP"
	fi
	# EAL leaves its run-time directory behind (with --in-memory only the
	# telemetry sockets of a killed process are in it): remove ours (file
	# prefixes npvs-TAG-*); rmdir keeps anything else there.
	if [ -n "${NPVS_TEST:-}" ]; then
		rm -f /var/run/dpdk/npvs-"$NPVS_TEST"-*/telemetry \
			/var/run/dpdk/npvs-"$NPVS_TEST"-*/dpdk_telemetry.v2
		rmdir /var/run/dpdk/npvs-"$NPVS_TEST"-* 2>/dev/null || true
	fi
}

# ---- set-up ----

# npvs_init TAG [BUILD_DIR]: checks (root, binaries), the temp dir, the
# exit trap. BUILD_DIR defaults to $NPVS_BUILD_DIR, then ./build.
npvs_init() {
	NPVS_TEST=$1
	NPVS_BUILD=$(cd "${2:-${NPVS_BUILD_DIR:-$NPVS_SRC/build}}" && pwd) ||
		npvs_fail "no build directory"
	NPVSD="$NPVS_BUILD/control/npvsd"
	NPVSCTL="$NPVS_BUILD/control/npvsctl"
	[ "$(id -u)" -eq 0 ] || npvs_skip "needs root (network namespaces)"
	[ -x "$NPVSD" ] || npvs_fail "$NPVSD not built"
	NPVS_TMP=$(mktemp -d "/tmp/npvs-$NPVS_TEST.XXXXXX")
	trap npvs_cleanup_run EXIT
	trap 'exit 1' INT TERM
	# Leftovers of an earlier run that was killed: same names, ours.
	_npvs_leftovers_remove
	npvs_log "build $NPVS_BUILD, files in $NPVS_TMP"
}

_npvs_leftovers_remove() {
	local ns
	for ns in $(ip netns list 2>/dev/null | awk '{print $1}' |
			grep "^npvs-$NPVS_TEST-"); do
		ip netns del "$ns" 2>/dev/null
	done
}

# npvs_need CMD...: skip the test unless every command exists.
npvs_need() {
	local c
	for c in "$@"; do
		command -v "$c" >/dev/null 2>&1 || npvs_skip "$c not installed"
	done
}

# npvs_need_hugepages N: skip unless N free 2 MiB hugepages (DPDK pods).
npvs_need_hugepages() {
	local f=/sys/kernel/mm/hugepages/hugepages-2048kB/free_hugepages
	[ -r "$f" ] && [ "$(cat "$f")" -ge "$1" ] ||
		npvs_skip "needs $1 free 2 MiB hugepages (setup.sh reserves them)"
	mountpoint -q /dev/hugepages || npvs_skip "/dev/hugepages not mounted"
}

# wait_for SECONDS CMD...: retry CMD every 0.1 s until it succeeds, for
# at most SECONDS (wall clock).
wait_for() {
	local end=$((SECONDS + $1))
	shift
	while :; do
		"$@" >/dev/null 2>&1 && return 0
		[ "$SECONDS" -lt "$end" ] || return 1
		sleep 0.1
	done
}

# ---- kernel pods ----

pod_ns() { echo "npvs-$NPVS_TEST-$1"; }
pod_veth() { echo "nv$NPVS_TEST-$1"; }

# pod_exec POD CMD...: run CMD inside the pod's network namespace.
pod_exec() {
	local ns
	ns=$(pod_ns "$1")
	shift
	ip netns exec "$ns" "$@"
}

# pod_kernel_add POD ADDR/LEN GATEWAY [MAC]: a network namespace with
# eth0 (MAC optional) on a veth whose host end is $(pod_veth POD), the
# address, and a default route via GATEWAY (on-link, so a /32 address and
# a 169.254.1.1 gateway work: Calico style). Offloads are off on both
# ends (docs/operations.md), IPv6 off on the host end.
# npvs_ifindex: a random free interface index for a host veth end that
# npvsd opens with af_packet. DPDK 22.11's af_packet PMD names its
# PACKET_FANOUT group (pid ^ ifindex) & 0xffff; two npvsd processes (two
# nodes in one test) with nearby pids and sequential ifindexes can pick the
# same group for different interfaces, and the second probe then fails
# with EINVAL. Random indexes make that as unlikely as any 16-bit clash.
npvs_ifindex() {
	local i
	while :; do
		i=$((20000 + RANDOM % 40000))
		ip -o link show | grep -q "^$i:" || break
	done
	echo "$i"
}

pod_kernel_add() {
	local pod=$1 addr=$2 gw=$3 mac=${4:-}
	local ns veth
	ns=$(pod_ns "$pod")
	veth=$(pod_veth "$pod")
	[ ${#veth} -le 15 ] || npvs_fail "veth name $veth longer than 15"
	ip netns add "$ns" || npvs_fail "netns add $ns"
	npvs_cleanup_add "ip netns del $ns"
	ip link add "$veth" index "$(npvs_ifindex)" type veth peer name eth0 \
		netns "$ns" || npvs_fail "veth $veth"
	npvs_cleanup_add "ip link del $veth"
	[ -n "$mac" ] && ip -n "$ns" link set eth0 address "$mac"
	sysctl -qw "net.ipv6.conf.$veth.disable_ipv6=1" 2>/dev/null
	ip -n "$ns" addr add "$addr" dev eth0
	ip -n "$ns" link set lo up
	ip -n "$ns" link set eth0 up
	ip link set "$veth" up
	ip -n "$ns" route add default via "$gw" dev eth0 onlink ||
		npvs_fail "route in $ns"
	ip netns exec "$ns" ethtool -K eth0 tx off tso off gso off >/dev/null 2>&1
	ethtool -K "$veth" tx off tso off gso off gro off >/dev/null 2>&1
}

# pod_mac POD: the MAC of the pod's eth0.
pod_mac() { ip -n "$(pod_ns "$1")" -o link show eth0 | sed -n 's/.*link\/ether \([0-9a-f:]*\).*/\1/p'; }

# ---- npvsd ----

# npvsd_config_write [KEY=VALUE...]: print the common head of an npvsd
# config for this test (node, pod CIDR, lcores 0 and 1, a socket and
# EAL prefix of its own, --no-huge unless HUGE=1), then copy stdin (the
# test's ports: and endpoints:). Variables: CIDR (10.244.1.0/24),
# GATEWAY (first address of CIDR), HUGE (0).
npvsd_config_write() {
	local kv cidr=10.244.1.0/24 gw="" huge=0
	for kv in "$@"; do
		case "$kv" in
		CIDR=*) cidr=${kv#CIDR=} ;;
		GATEWAY=*) gw=${kv#GATEWAY=} ;;
		HUGE=*) huge=${kv#HUGE=} ;;
		esac
	done
	NPVSD_SOCK="$NPVS_TMP/npvsd.sock"
	cat <<EOF
node: npvs-$NPVS_TEST
pod_cidr: $cidr
socket: $NPVSD_SOCK
lcores:
  main: 0
  workers: [1]
mbufs: 8192
eal:
  file_prefix: npvs-$NPVS_TEST-npvsd
$( [ "$huge" = 1 ] && echo "  in_memory: true" || echo "  no_huge: true")
EOF
	[ -n "$gw" ] && echo "gateway: $gw"
	cat
}

# npvsd_start CONFIG [FLAGS...]: start npvsd in the background (log in
# $NPVS_TMP/npvsd.log, appended across restarts) and wait until its
# control socket answers. Sets NPVSD_PID and NPVSD_SOCK.
npvsd_start() {
	local conf=$1
	shift
	NPVSD_LOG="$NPVS_TMP/npvsd.log"
	[ -n "$NPVSD_SOCK" ] || NPVSD_SOCK="$NPVS_TMP/npvsd.sock"
	echo "=== npvsd start $(date +%T)" >>"$NPVSD_LOG"
	"$NPVSD" --config "$conf" --socket "$NPVSD_SOCK" "$@" \
		>>"$NPVSD_LOG" 2>&1 &
	NPVSD_PID=$!
	npvs_cleanup_add "npvsd_kill $NPVSD_PID"
	if ! wait_for 30 npvsd_ready; then
		npvs_fail "npvsd did not come up"
	fi
	npvs_log "npvsd up (pid $NPVSD_PID)"
}

npvsd_ready() {
	kill -0 "$NPVSD_PID" 2>/dev/null || return 2
	"$NPVSCTL" --socket "$NPVSD_SOCK" --timeout 1000 version >/dev/null 2>&1
}

# npvsd_kill PID: clean-up helper: TERM, then KILL after 10 s.
npvsd_kill() {
	kill -0 "$1" 2>/dev/null || return 0
	kill -TERM "$1"
	wait_for 10 _npvs_gone "$1" || kill -KILL "$1"
}
_npvs_gone() { ! kill -0 "$1" 2>/dev/null; }

# npvsd_stop: SIGTERM; fail unless npvsd exits 0 within 10 s and removes
# its control socket.
npvsd_stop() {
	local rc
	[ -n "$NPVSD_PID" ] || return 0
	kill -TERM "$NPVSD_PID"
	if ! wait_for 10 _npvs_gone "$NPVSD_PID"; then
		kill -KILL "$NPVSD_PID"
		npvs_fail "npvsd ignored SIGTERM"
	fi
	wait "$NPVSD_PID"
	rc=$?
	[ "$rc" -eq 0 ] || npvs_fail "npvsd exited with status $rc"
	[ ! -e "$NPVSD_SOCK" ] || npvs_fail "npvsd left $NPVSD_SOCK behind"
	npvs_log "npvsd stopped cleanly"
	NPVSD_PID=""
}

# npvsctl ARGS...: npvsctl on this test's socket.
npvsctl() { "$NPVSCTL" --socket "$NPVSD_SOCK" "$@"; }

# npvs_drops REASON: a drop counter (npvsctl stats).
npvs_drops() {
	npvsctl -o json stats | python3 -c '
import json, sys
print(json.load(sys.stdin)["drops"].get(sys.argv[1], 0))' "$1"
}

# npvs_port_stat PORT FIELD: one counter of a port (rx_packets, ...).
npvs_port_stat() {
	npvsctl -o json stats | python3 -c '
import json, sys
ports = {p["name"]: p for p in json.load(sys.stdin)["ports"]}
print(ports[sys.argv[1]][sys.argv[2]])' "$1" "$2"
}

# udp_big_init BYTES: a random datagram of BYTES in $NPVS_TMP/dgram and
# the script that sends or receives one; UDP_WANT="<length> <sha256>".
udp_big_init() {
	cat >"$NPVS_TMP/udp.py" <<'PY'
import hashlib, socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
if sys.argv[1] == "recv":
    s.bind(("0.0.0.0", int(sys.argv[2])))
    s.settimeout(3)
    try:
        d, _ = s.recvfrom(65535)
        print(len(d), hashlib.sha256(d).hexdigest())
    except socket.timeout:
        print(0, "none")
else:
    s.sendto(open(sys.argv[4], "rb").read(), (sys.argv[2], int(sys.argv[3])))
PY
	head -c "$1" /dev/urandom >"$NPVS_TMP/dgram"
	UDP_WANT="$1 $(sha256sum <"$NPVS_TMP/dgram" | cut -d' ' -f1)"
}
_udp_listening() { pod_exec "$1" ss -lun | grep -q ":$2 "; }
# udp_big SRC DST_POD DST_IP PORT: udp_big_init's datagram from pod SRC;
# prints what the receiver on DST_POD got ("0 none" after 3 s).
udp_big() {
	pod_exec "$2" python3 "$NPVS_TMP/udp.py" recv "$4" >"$NPVS_TMP/got" &
	local rx=$!
	wait_for 5 _udp_listening "$2" "$4" || npvs_fail "no receiver on $4"
	pod_exec "$1" python3 "$NPVS_TMP/udp.py" send "$3" "$4" \
		"$NPVS_TMP/dgram" || npvs_fail "udp send $1 -> $3:$4"
	wait "$rx"
	cat "$NPVS_TMP/got"
}

# npvs_port_up PORT: succeeds when the port's link is up.
npvs_port_up() {
	npvsctl -o json port list | python3 -c '
import json, sys
ports = {p["name"]: p for p in json.load(sys.stdin)["ports"]}
sys.exit(0 if ports[sys.argv[1]]["link_up"] else 1)' "$1"
}

# npvs_port_down PORT: succeeds when the port exists and its link is down.
npvs_port_down() {
	npvsctl -o json port list | python3 -c '
import json, sys
ports = {p["name"]: p for p in json.load(sys.stdin)["ports"]}
sys.exit(1 if ports[sys.argv[1]]["link_up"] else 0)' "$1"
}

# ---- DPDK pods ----

# pod_dpdk_start POD VDEV_ARGS TESTPMD_ARGS...: a DPDK pod: dpdk-testpmd
# with its own prefix, in memory, --single-file-segments (needed for
# vhost-user), 256 MiB, one virtio_user port given by VDEV_ARGS (e.g.
# "path=$NPVS_TMP/p.sock,queues=1,server=1"). Its main lcore is 1 and it
# forwards on lcore 0, away from npvsd's worker on 1 (two cores shared).
# Its output goes to $NPVS_TMP/POD.log; sets POD_PID.
pod_dpdk_start() {
	local pod=$1 vdev=$2
	shift 2
	dpdk-testpmd -l 0,1 --main-lcore 1 --no-pci --in-memory \
		--single-file-segments \
		--file-prefix "npvs-$NPVS_TEST-$pod" -m 256 \
		--vdev "net_virtio_user0,$vdev" -- \
		--no-mlockall --stats-period 1 "$@" \
		>"$NPVS_TMP/$pod.log" 2>&1 </dev/null &
	POD_PID=$!
	npvs_cleanup_add "npvsd_kill $POD_PID"
}
