#!/usr/bin/env bash
# test_policy_merge.sh: merged policy contexts on a live npvsd (acl_merge.c,
# vswitch/vs_policy.c). Kernel pods a, b, c in namespace t; b is selected by
# three policies (its ingress group has three slices), c by two:
#   - after the apply, npvsctl stats shows the merge done (pending 0) with
#     both groups merged, and npvsd logged its "merged" line
#   - real packets then meet the merged contexts: each policy's port is
#     allowed only from the peer that policy names, the others denied,
#     and trace names the policy that allowed (the origin survives)
#   - one of c's policies changed: b's merged context is carried over
#     (not rebuilt), c's is rebuilt, and traffic follows the change
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$(dirname "${BASH_SOURCE[0]}")/policy_lib.sh"
npvs_init pmg "$@"
npvs_need nc python3 ethtool ss

M=$NPVS_TMP
pol_start_abc
pol_serve_bg b 8080/tcp 9090/tcp
pol_serve_bg c 7070/tcp 7071/tcp 7072/tcp
pol_serve_ready

# policy NAME TARGET FROM PORT: ingress of app=TARGET from app=FROM, TCP PORT.
policy() {
	cat <<EOF
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: $1, namespace: t}
spec:
  podSelector: {matchLabels: {app: $2}}
  ingress:
  - from: [{podSelector: {matchLabels: {app: $3}}}]
    ports: [{protocol: TCP, port: $4}]
EOF
}

# cluster C_PORT: the objects, c's second policy allowing b on C_PORT.
cluster() {
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
	policy b-from-a b a 8080
	policy b-from-c b c 9090
	policy b-from-a-too b a 8081
	policy c-from-a c a 7070
	policy c-from-b c b "$1"
}

# merge_stat KEY: one field of npvsctl stats' policy_merge.
merge_stat() {
	npvsctl -o json stats | python3 -c '
import json, sys
print(json.load(sys.stdin).get("policy_merge", {}).get(sys.argv[1], -1))' "$1"
}
merge_done() { [ "$(merge_stat pending)" = 0 ]; }

cluster 7071 >"$M/p1.yaml"
pol_apply "$M/p1.yaml"
wait_for 60 merge_done || npvs_fail "merge not done: $(npvsctl stats)"
npvsctl stats | grep "policy merge" || npvs_fail "no policy merge line in stats"
[ "$(merge_stat merged)" = 2 ] && [ "$(merge_stat planned)" = 2 ] ||
	npvs_fail "want b's and c's groups merged: $(npvsctl stats)"
grep -q "merged 2 group contexts" "$NPVSD_LOG" ||
	npvs_fail "npvsd did not log the merge"

check_b() {
	pol_tcp ok a $B 8080
	pol_tcp denied c $B 8080
	pol_tcp ok c $B 9090
	pol_tcp denied a $B 9090
}
check_b
pol_tcp ok a $C 7070
pol_tcp denied b $C 7070
pol_tcp ok b $C 7071
pol_tcp denied b $C 7072
out=$(npvsctl trace --src $C --dst $B --proto tcp --dport 9090)
grep -q "^ingress: t/b: allowed by t/b-from-c ingress rule 0" <<<"$out" ||
	npvs_fail "trace c -> b:9090 should name t/b-from-c: $out"
out=$(npvsctl trace --src $A --dst $B --proto tcp --dport 8080)
grep -q "^ingress: t/b: allowed by t/b-from-a ingress rule 0" <<<"$out" ||
	npvs_fail "trace a -> b:8080 should name t/b-from-a: $out"

# c-from-b moves to 7072: only c's group is built again.
cluster 7072 >"$M/p2.yaml"
pol_apply "$M/p2.yaml"
wait_for 60 merge_done || npvs_fail "second merge not done: $(npvsctl stats)"
[ "$(merge_stat merged)" = 2 ] && [ "$(merge_stat carried)" = 1 ] ||
	npvs_fail "want b's group carried over, c's rebuilt: $(npvsctl stats)"
pol_tcp ok b $C 7072
pol_tcp denied b $C 7071
pol_tcp ok a $C 7070
check_b
npvs_pass
