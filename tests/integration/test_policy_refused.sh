#!/usr/bin/env bash
# test_policy_refused.sh: a refused apply (or delete) changes nothing,
# checked on real traffic and with npvsctl get.
#
# back/db accepts front/web on TCP 80 only. Each refused request below
# would, if any part of it were kept, open 81 (or close 80): a file with
# good objects and one bad one; a directory whose second file does not
# parse; objects the compiler refuses (two pods on one address); a delete
# naming a missing object beside a real one. After each, the stored
# objects (get -o json) are byte for byte the same and 80 open, 81
# closed. Last, the good part alone is accepted and does open 81: the
# refusals were of the bad part, and the probes can tell. Also: what
# get -o yaml prints applies back unchanged.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$(dirname "${BASH_SOURCE[0]}")/policy_lib.sh"
npvs_init pref "$@"
npvs_need nc python3 ethtool ss

WEB=10.244.1.20 DB=10.244.1.21
M=$NPVS_TMP

npvsd_config_write >"$M/npvsd.yaml" </dev/null
npvsd_start "$M/npvsd.yaml"
pol_pod web front $WEB
pol_pod db back $DB
wait_for 10 npvs_port_up web && wait_for 10 npvs_port_up db ||
	npvs_fail "ports not up"
pol_serve_bg db 80/tcp 81/tcp
pol_serve_ready

cat >"$M/base.yaml" <<EOF
apiVersion: v1
kind: Namespace
metadata: {name: front}
---
apiVersion: v1
kind: Namespace
metadata: {name: back}
---
apiVersion: v1
kind: Pod
metadata: {name: web, namespace: front, labels: {app: web, ok: "yes", port: "80", e: "", v: "1.0"}}
spec: {containers: [{name: c, image: i}]}
status: {podIPs: [{ip: $WEB}]}
---
apiVersion: v1
kind: Pod
metadata: {name: db, namespace: back, labels: {app: db}}
spec: {containers: [{name: c, image: i}]}
status: {podIPs: [{ip: $DB}]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: db-80, namespace: back}
spec:
  podSelector: {matchLabels: {app: db}}
  ingress:
  - from: [{namespaceSelector: {}}]
    ports: [{port: 80}]
EOF
# The policy that would open 81 (good on its own).
cat >"$M/open81.yaml" <<EOF
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: db-81, namespace: back}
spec:
  podSelector: {matchLabels: {app: db}}
  ingress:
  - ports: [{port: 81}]
EOF
pol_apply "$M/base.yaml"
pod_exec web ping -c 1 -W 1 $DB >/dev/null 2>&1       # ARP warm-up

# state: what npvsd stores, and what traffic does
snapshot() {
	npvsctl -o json get networkpolicies >"$M/$1.netpol" &&
		npvsctl -o json get pods >"$M/$1.pods" &&
		npvsctl get pods >>"$M/$1.pods" ||
		npvs_fail "get ($1)"
}
unchanged() {   # WHAT
	snapshot after
	cmp -s "$M/before.netpol" "$M/after.netpol" ||
		npvs_fail "$1: stored policies changed: $(diff "$M/before.netpol" "$M/after.netpol")"
	cmp -s "$M/before.pods" "$M/after.pods" ||
		npvs_fail "$1: stored pods changed: $(diff "$M/before.pods" "$M/after.pods")"
	pol_tcp ok web $DB 80
	pol_tcp denied web $DB 81
}
# refused WHAT WORDS CMD...: CMD must exit 1 with WORDS in its message.
refused() {
	local what=$1 words=$2 out rc
	shift 2
	out=$("$@" 2>&1)
	rc=$?
	[ "$rc" -eq 1 ] || npvs_fail "$what: exit status $rc: $out"
	grep -qF -- "$words" <<<"$out" ||
		npvs_fail "$what: message without '$words': $out"
	npvs_log "$what refused: $out"
}

pol_tcp ok web $DB 80
pol_tcp denied web $DB 81
snapshot before

# ---- get -o yaml reads back as what was applied (quoting: "yes", "80") ----
for kind in namespaces pods networkpolicies; do
	out=$(npvsctl -o yaml get $kind | npvsctl apply -f - 2>&1) ||
		npvs_fail "get $kind -o yaml | apply: $out"
	grep -v '^policy generation' <<<"$out" | grep -qv ' unchanged$' &&
		npvs_fail "get $kind -o yaml | apply changed something: $out"
	npvs_log "get $kind -o yaml | apply: all unchanged"
done

# ---- one bad object among good ones ----
{
	printf -- '---\napiVersion: v1\nkind: Pod\n'
	printf 'metadata: {name: extra, namespace: back, labels: {app: db}}\n'
	printf 'spec: {containers: [{name: c, image: i}]}\n'
	printf 'status: {podIPs: [{ip: 10.244.1.29}]}\n---\n'
	cat "$M/open81.yaml"
	cat <<EOF
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: broken, namespace: back}
spec:
  podSelector: {}
  ingress:
  - ports: [{port: 90, endPort: 85}]
EOF
} >"$M/mixed.yaml"
refused "mixed.yaml" \
	"mixed.yaml:22:24: NetworkPolicy back/broken: /spec/ingress/0/ports/0/endPort" \
	npvsctl apply -f "$M/mixed.yaml"
unchanged "mixed.yaml"

# ---- a directory whose second file does not parse ----
mkdir "$M/dir"
cp "$M/open81.yaml" "$M/dir/10-open81.yaml"
printf 'apiVersion: v1\nkind: Pod\nmetadata: {name: x\n' >"$M/dir/20-bad.yaml"
refused "dir/" "20-bad.yaml:" npvsctl apply -f "$M/dir"
unchanged "dir/"

# ---- objects the compiler refuses: two pods on one address ----
{
	cat "$M/open81.yaml"
	for p in ghost1 ghost2; do
		printf -- '---\napiVersion: v1\nkind: Pod\n'
		printf 'metadata: {name: %s, namespace: back}\n' $p
		printf 'spec: {containers: [{name: c, image: i}]}\n'
		printf 'status: {podIPs: [{ip: 10.244.2.9}]}\n'
	done
} >"$M/twins.yaml"
refused "twins.yaml" "twins.yaml:" npvsctl apply -f "$M/twins.yaml"
unchanged "twins.yaml"

# ---- a delete naming a missing object beside a real one ----
{
	cat "$M/base.yaml"
	printf -- '---\n'
	sed 's/name: db-81/name: not-there/' "$M/open81.yaml"
} >"$M/del.yaml"
refused "delete del.yaml" "NetworkPolicy back/not-there: not found" \
	npvsctl delete -f "$M/del.yaml"
unchanged "delete del.yaml"

# ---- the good part alone is accepted, and opens 81 ----
pol_apply "$M/open81.yaml"
pol_tcp ok web $DB 81
npvsctl get networkpolicies -n back | grep -q 'db-81' ||
	npvs_fail "db-81 not listed"

npvsd_stop
npvs_pass
