#!/usr/bin/env bash
# test_trace.sh: npvsctl trace, flows, log and stats --rules on a live
# npvsd with kernel pods a, b, c (namespace t) and one policy, b-web: b
# accepts TCP 8080 from app=a.
#   - trace a -> b:8080 names t/b-web's ingress rule and says ALLOWED;
#     c -> b:8080 says "denied: no rule of t/b-web allows"; a -> c is
#     not isolated
#   - a live connection a -> b:8080 is listed by flows (ESTABLISHED),
#     and trace with its source port finds the flow
#   - c's attempt on b:8080 shows up in log with its 5-tuple
#   - stats --rules counts packets against t/b-web's rule
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$(dirname "${BASH_SOURCE[0]}")/policy_lib.sh"
npvs_init tr "$@"
npvs_need nc python3 ethtool ss

M=$NPVS_TMP
pol_start_abc
pol_serve b 8080/tcp

{
	printf 'apiVersion: v1\nkind: Namespace\nmetadata: {name: t}\n'
	for p in a:$A b:$B c:$C; do
		cat <<EOF
---
apiVersion: v1
kind: Pod
metadata: {name: ${p%%:*}, namespace: t, labels: {app: ${p%%:*}}}
spec: {containers: [{name: c, image: busybox}]}
status: {podIPs: [{ip: ${p#*:}}]}
EOF
	done
	cat <<EOF
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: b-web, namespace: t}
spec:
  podSelector: {matchLabels: {app: b}}
  ingress:
  - from: [{podSelector: {matchLabels: {app: a}}}]
    ports: [{port: 8080}]
EOF
} >"$M/policy.yaml"
pol_apply "$M/policy.yaml"

# ---- trace: allowed, denied, not isolated ----
out=$(npvsctl trace --src $A --dst $B --proto tcp --dport 8080) ||
	npvs_fail "trace a -> b failed"
echo "$out"
grep -q "^ingress: t/b: allowed by t/b-web ingress rule 0" <<<"$out" ||
	npvs_fail "trace a -> b does not name t/b-web's rule 0"
grep -q "^egress:  t/a: not isolated" <<<"$out" ||
	npvs_fail "trace a -> b: a's egress should be unisolated"
grep -q "^verdict: ALLOWED" <<<"$out" || npvs_fail "trace a -> b not allowed"
grep -q "^route:   local endpoint, port b" <<<"$out" ||
	npvs_fail "trace a -> b: route"
out=$(npvsctl trace --src $C --dst $B --proto tcp --dport 8080) ||
	npvs_fail "trace c -> b failed"
grep -q "^ingress: t/b: denied: no rule of t/b-web allows" <<<"$out" ||
	npvs_fail "trace c -> b: $out"
grep -q "^verdict: DENIED" <<<"$out" || npvs_fail "trace c -> b not denied"
out=$(npvsctl trace --src $A --dst $B --proto udp --dport 8080)
grep -q "^verdict: DENIED" <<<"$out" || npvs_fail "trace a -> b udp: $out"
out=$(npvsctl trace --src $A --dst $C --proto icmp)
grep -q "^verdict: ALLOWED" <<<"$out" || npvs_fail "trace a -> c icmp: $out"
npvsctl -o json trace --src $A --dst $B --dport 8080 | python3 -c '
import json, sys
r = json.load(sys.stdin)
assert r["ingress"]["rule"]["policy"] == "t/b-web", r
assert r["ingress"]["rule"]["rule"] == 0 and r["ingress"]["rule"]["port"] == 0
assert r["allowed"] and not r["flow"]["exists"], r' ||
	npvs_fail "trace -o json"
npvsctl trace --src $A --dst nonsense --dport 1 >/dev/null 2>&1 &&
	npvs_fail "trace took a bad address"
npvs_log "trace: allowed and denied explained"

# ---- flows: a live connection ----
pod_exec a ping -c 1 -W 1 $B >/dev/null 2>&1 || true     # ARP warm-up
pod_exec a python3 "$POL_PROBE" chat $B 8080 6 >"$M/chat.out" 2>&1 &
chat_pid=$!
listed() {
	npvsctl -o json flows --src $A --proto tcp | python3 -c '
import json, sys
for f in json.load(sys.stdin)["flows"]:
    if f["dst"] == sys.argv[1] and f["dport"] == 8080 and \
            f["state"] == "ESTABLISHED" and f["packets"][1] > 0:
        print(f["sport"]); sys.exit(0)
sys.exit(1)' $B
}
wait_for 5 listed || npvs_fail "flows does not list a -> b:8080: $(npvsctl flows)"
sport=$(listed)
npvsctl flows --dst $B
out=$(npvsctl trace --src $A --dst $B --dport 8080 --sport "$sport")
grep -q "^flow:    ESTABLISHED" <<<"$out" ||
	npvs_fail "trace with sport $sport does not find the flow: $out"
# The reply direction names the same entry.
out=$(npvsctl trace --src $B --dst $A --dport "$sport" --sport 8080)
grep -q "^flow:    ESTABLISHED" <<<"$out" || npvs_fail "reply trace: $out"
wait $chat_pid || npvs_fail "connection broke: $(tail -n 1 "$M/chat.out")"
npvs_log "flows: a -> b:8080 from port $sport listed and traced"

# ---- log: a denied attempt ----
pol_tcp denied c $B 8080
logged() {
	npvsctl -o json log | python3 -c '
import json, sys
for e in json.load(sys.stdin)["entries"]:
    if e["src"] == sys.argv[1] and e["dst"] == sys.argv[2] and \
            e["dport"] == 8080 and e["proto"] == "tcp" and \
            e["reason"] == "policy_denied" and e["endpoint"] == "t/b" and \
            e["side"] == "ingress" and e["port"] == "c":
        sys.exit(0)
sys.exit(1)' $C $B
}
wait_for 5 logged || npvs_fail "log lacks c -> b:8080: $(npvsctl log)"
npvsctl log | tail -n 3
grep -q "denied tcp $C:[0-9]* -> $B:8080 on c: policy_denied (ingress) by t/b" \
	"$NPVSD_LOG" || npvs_fail "npvsd's log lacks the denial"
npvs_log "log: c -> b:8080 denied, logged"

# ---- stats --rules ----
npvsctl stats --rules
npvsctl -o json stats --rules | python3 -c '
import json, sys
r = json.load(sys.stdin)
rules = [x for x in r["rules"] if x["policy"] == "t/b-web"]
assert rules and rules[0]["packets"] >= 10, r["rules"]
den = [x for x in r["denied"] if x["endpoint"] == "t/b"]
assert den and den[0]["direction"] == "ingress" and den[0]["packets"] >= 1, r
assert r["conntrack"]["flows"] >= 1, r' || npvs_fail "stats --rules"
[ "$(npvs_drops policy_denied)" -ge 1 ] || npvs_fail "no policy_denied drop"
npvs_log "stats --rules: t/b-web counted"

npvsd_stop
npvs_pass
