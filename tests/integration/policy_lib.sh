# shellcheck shell=bash
# tests/integration/policy_lib.sh: helpers of the policy tests
# (test_policy_enforce.sh, test_policy_refused.sh, test_reach_agrees.sh,
# test_trace.sh, test_policy_merge.sh),
# on top of lib.sh: kernel pods attached to npvsd with a MAC, echo servers
# in them (policy_probe.py), and probes that must pass or must be denied.
#
#   source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
#   source "$(dirname "${BASH_SOURCE[0]}")/policy_lib.sh"
#   npvs_init pen "$@"
#   ... npvsd_start ...
#   pol_pod web front 10.244.1.10          # netns, port, endpoint
#   pol_serve web 8080/tcp 5353/udp        # echo servers, listening
#   pol_tcp ok web 10.244.1.11 5432        # nc -z, 1 s
#   pol_udp denied web 10.244.1.11 5353    # a datagram and its echo
#   pol_ping denied web 10.244.1.11

POL_PROBE="$NPVS_LIB_DIR/policy_probe.py"
POL_CIDR_GW=10.244.1.1

# pol_pod POD NAMESPACE IP [NAME]: a kernel pod (IP/24, gateway .1), its
# port (named POD) and its endpoint NAMESPACE/NAME (NAME: POD) with its
# MAC.
pol_pod() {
	local pod=$1 ns=$2 ip=$3 name=${4:-$1}
	pod_kernel_add "$pod" "$ip/24" "$POL_CIDR_GW"
	npvsctl port add "$pod" --afpacket "$(pod_veth "$pod")" >/dev/null ||
		npvs_fail "port add $pod"
	npvsctl endpoint add "$ns/$name" --port "$pod" --ip "$ip" \
		--mac "$(pod_mac "$pod")" >/dev/null ||
		npvs_fail "endpoint add $ns/$name"
}

# pol_start_abc: npvsd with the default configuration and three pods of
# namespace t, a, b and c, at $A, $B and $C (set here: 10.244.1.2 to .4),
# their ports up.
pol_start_abc() {
	local p
	A=10.244.1.2 B=10.244.1.3 C=10.244.1.4
	npvsd_config_write >"$NPVS_TMP/npvsd.yaml" </dev/null
	npvsd_start "$NPVS_TMP/npvsd.yaml"
	pol_pod a t "$A"
	pol_pod b t "$B"
	pol_pod c t "$C"
	for p in a b c; do
		wait_for 10 npvs_port_up "$p" || npvs_fail "port $p not up"
	done
}

# pol_serve POD PORT[/tcp|/udp]...: echo servers in the pod (both
# protocols when none is named), until exit; returns when they listen.
# pol_serve_bg starts them only; pol_serve_ready waits until every server
# started so far listens (start many, then wait once).
POL_SERVING=()
pol_serve() {
	pol_serve_bg "$@"
	pol_serve_ready
}

pol_serve_bg() {
	local pod=$1 spec
	shift
	# ip netns exec execs python: $! is the server's PID
	ip netns exec "$(pod_ns "$pod")" python3 "$POL_PROBE" serve "$@" \
		>>"$NPVS_TMP/serve-$pod.log" 2>&1 &
	npvs_cleanup_add "kill $!"
	for spec in "$@"; do
		POL_SERVING+=("$pod:$spec")
	done
}

pol_serve_ready() {
	local s pod spec port opt
	for s in "${POL_SERVING[@]}"; do
		pod=${s%%:*} spec=${s#*:} port=${spec%/*}
		case "$spec" in
		*/udp) opt=-lun ;;
		*/tcp) opt=-ltn ;;
		*) opt=-ltun ;;
		esac
		wait_for 15 _pol_listening "$pod" "$opt" "$port" "$spec" ||
			npvs_fail "echo server $pod:$spec did not start"
	done
	POL_SERVING=()
}

# _pol_listening POD SS_OPT PORT SPEC: the port is bound (both protocols
# when SPEC names none).
_pol_listening() {
	local n
	n=$(pod_exec "$1" ss -H "$2" "sport = :$3" | wc -l)
	case "$4" in
	*/*) [ "$n" -ge 1 ] ;;
	*) [ "$n" -ge 2 ] ;;
	esac
}

# _pol_expect WANT WHAT CMD...: CMD must succeed (ok) or fail (denied).
_pol_expect() {
	local want=$1 what=$2
	shift 2
	if "$@" >/dev/null 2>&1; then
		[ "$want" = ok ] || npvs_fail "$what: allowed, must be denied"
	else
		[ "$want" = denied ] || npvs_fail "$what: denied, must be allowed"
	fi
	npvs_log "$what: $want"
}

# pol_tcp ok|denied FROM IP PORT: nc -z from pod FROM (1 s timeout).
pol_tcp() {
	_pol_expect "$1" "TCP $2 -> $3:$4" \
		pod_exec "$2" nc -z -w 1 "$3" "$4"
}

# pol_tcp_echo ok|denied FROM IP PORT: a line there and back over TCP.
pol_tcp_echo() {
	_pol_expect "$1" "TCP echo $2 -> $3:$4" \
		pod_exec "$2" python3 "$POL_PROBE" tcp "$3" "$4" 1
}

# pol_udp ok|denied FROM IP PORT: a datagram and its echo (1 s).
pol_udp() {
	_pol_expect "$1" "UDP $2 -> $3:$4" \
		pod_exec "$2" python3 "$POL_PROBE" udp "$3" "$4" 1
}

# pol_ping ok|denied FROM IP.
pol_ping() {
	_pol_expect "$1" "ping $2 -> $3" \
		pod_exec "$2" ping -c 1 -W 1 "$3"
}

# pol_apply FILE: npvsctl apply -f FILE, which must succeed.
pol_apply() {
	local out
	out=$(npvsctl apply -f "$1" 2>&1) || npvs_fail "apply $1: $out"
	npvs_log "apply $(basename "$1"): $(tr '\n' ' ' <<<"$out")"
}
