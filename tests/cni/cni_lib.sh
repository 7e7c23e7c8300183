# SPDX-License-Identifier: BSD-3-Clause
# cni_lib.sh: helpers for the npvs-cni scripts (sourced). They run the
# plugin exactly as a container runtime does (CNI_* variables, the config
# on stdin, one JSON document on stdout), in network namespaces they make
# themselves, with host-local IPAM keeping its data in a temp dir.
#
# Needs: CNI_PLUGIN (the npvs-cni binary; first argument of the script).
# Everything made here is removed by cni_cleanup (trap EXIT).

set -u      # no pipefail: "cmd | grep -q" would fail on SIGPIPE

CNI_PLUGIN=${CNI_PLUGIN:?CNI_PLUGIN must name the npvs-cni binary}
CNI_TESTS=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
IPAM_DIR=${IPAM_DIR:-/usr/lib/cni}
# the system's python (a version manager's shim costs ~0.5 s per call)
PY=$(command -v /usr/bin/python3 || command -v python3)
T=$(mktemp -d /tmp/cni-test.XXXXXX)
NSP=cnt$$                       # prefix of our namespaces
PIDS=()
NETNS_MADE=()
FAILS=0
PASSES=0

[ "$(id -u)" -eq 0 ] || { echo "SKIP: needs root"; exit 77; }
[ -x "$IPAM_DIR/host-local" ] || { echo "SKIP: no host-local in $IPAM_DIR"; exit 77; }

cni_cleanup() {
	local f hif pid ns
	for pid in "${PIDS[@]}"; do
		kill "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	done
	# host veth ends this test's attachments may still have
	for f in "$T"/state/*/*.json; do
		[ -f "$f" ] || continue
		hif=$(jget "d.get('hostIf','')" < "$f")
		[ -n "$hif" ] && ip link del "$hif" 2>/dev/null
	done
	for ns in "${NETNS_MADE[@]}"; do
		ip netns del "$ns" 2>/dev/null
	done
	rm -rf "$T"
}
trap cni_cleanup EXIT
trap 'exit 1' INT TERM

# jget EXPR: evaluate a Python expression over the JSON on stdin (as d).
jget() {
	"$PY" -c 'import json,sys
d=json.load(sys.stdin)
v=eval(sys.argv[1])
print(json.dumps(v) if isinstance(v,(dict,list)) else v)' "$1"
}

not() { ! "$@"; }
ok() { PASSES=$((PASSES + 1)); echo "ok - $*"; }
bad() { FAILS=$((FAILS + 1)); echo "FAIL - $*"; }
check() { # check DESCRIPTION COMMAND...
	local what=$1; shift
	if "$@"; then ok "$what"; else bad "$what"; fi
}

# mkns NAME: a network namespace of this test (name gets our prefix).
mkns() {
	ip netns add "$NSP-$1" || return 1
	NETNS_MADE+=("$NSP-$1")
	ip -n "$NSP-$1" link set lo up
}
pod_has() { ip -n "$NSP-$1" link show "$2" > /dev/null 2>&1; }
nspath() { echo "/run/netns/$NSP-$1"; }

# conf FILE [JSON-EXTRA]: write a network config (one plugin of a conflist
# as the runtime hands it over). SUBNET and VERSION may be set.
conf() {
	local file=$1 extra=${2:-}
	cat > "$file" <<EOF
{
  "cniVersion": "${VERSION:-1.1.0}",
  "name": "${NETNAME:-npvs-test}",
  "type": "npvs-cni",
  "socket": "$T/npvsd.sock",
  "stateDir": "$T/state",
  "vhostDir": "$T/vhost",
  "logFile": "$T/cni.log",
  "timeoutMs": ${TIMEOUT:-2000},
  "ipam": {
    "type": "host-local",
    "dataDir": "$T/ipam",
    "ranges": [[{"subnet": "${SUBNET:-10.123.0.0/24}"}]]
  }${extra:+,
  $extra}
}
EOF
}

# cni CMD CID IFNAME NETNS CONF [CNI_ARGS]: run the plugin; stdout in OUT,
# exit status in RC.
cni() {
	OUT=$(env -i PATH="$PATH" CNI_COMMAND="$1" CNI_CONTAINERID="$2" \
		CNI_IFNAME="$3" CNI_NETNS="$4" CNI_PATH="${CNI_PATH_DIRS:-$IPAM_DIR}" \
		CNI_ARGS="${6:-IgnoreUnknown=1;K8S_POD_NAMESPACE=default;K8S_POD_NAME=$2}" \
		"$CNI_PLUGIN" < "$5" 2>>"$T/stderr")
	RC=$?
}

# is_code N: the last run failed with CNI error code N (and one document).
is_code() {
	[ "$RC" -ne 0 ] || { echo "  exit 0, want code $1: $OUT"; return 1; }
	local c
	c=$(jget 'd["code"]' <<< "$OUT") || { echo "  not JSON: $OUT"; return 1; }
	[ "$c" = "$1" ] || { echo "  code $c, want $1: $OUT"; return 1; }
}
is_ok() { [ "$RC" -eq 0 ] || { echo "  exit $RC: $OUT"; return 1; }; }
is_empty() { [ -z "$OUT" ]; }

# ipam_ips: addresses host-local holds now (files named after IPs).
ipam_ips() {
	ls "$T/ipam/${NETNAME:-npvs-test}" 2>/dev/null | grep -E '^[0-9a-f.:]+$' || true
}
# npv_links: host veth ends of npvs-cni that exist now.
npv_links() { ip -o link show | awk -F': ' '{print $2}' | grep -E '^npv[0-9a-f]{12}' || true; }

# start_fake [ARGS]: a stand-in npvsd on $T/npvsd.sock (fake_npvsd.py).
start_fake() {
	"$PY" "$CNI_TESTS/fake_npvsd.py" "$T/npvsd.sock" "$@" &
	FAKE_PID=$!
	PIDS+=("$FAKE_PID")
	for _ in $(seq 50); do
		[ -S "$T/npvsd.sock" ] && return 0
		sleep 0.1
	done
	echo "fake npvsd did not start"; return 1
}
stop_fake() {
	kill "$FAKE_PID" 2>/dev/null
	wait "$FAKE_PID" 2>/dev/null
	rm -f "$T/npvsd.sock"
}
# npvsd_req CMD: one request to the socket, the reply on stdout.
npvsd_req() {
	"$PY" - "$T/npvsd.sock" "$1" <<'EOF'
import json, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(sys.argv[1])
s.sendall((json.dumps({"cmd": sys.argv[2]}) + "\n").encode())
print(s.makefile().readline().strip())
EOF
}

finish() {
	echo "$PASSES passed, $FAILS failed"
	[ "$FAILS" -eq 0 ]
}
