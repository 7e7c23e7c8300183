#!/usr/bin/env bash
# test_policy_enforce.sh: NetworkPolicies applied with npvsctl apply are
# enforced on real traffic between kernel pods (netns on veth/af_packet).
#
# Cluster: namespaces front, back, ops; pods front/web .10, back/db .11
# (named ports pg 5432/TCP, dns 5353/UDP), back/cache .12, ops/tool .13,
# ops/mon .14 (10.244.1.0/24), each with a Pod object (labels, podIPs)
# and an attached endpoint.
#   1. no policy: everything flows
#   2. default deny ingress in front and back: ping, TCP, UDP denied;
#      ops still reachable
#   3. db accepts front on pg (named, TCP) and dns (named, UDP): allowed
#      flows work with their replies (web's own ingress is isolated: the
#      replies pass as replies), other ports and directions stay denied
#   4. a policy applied during a 6 MiB echo transfer that it does not
#      concern leaves it intact (sha256 both ways); endPort 7000-7010
#   5. egress of web: all of back, and 10.244.1.0/28 except .13 on 9000
#   6. deleting db's policy cuts an established connection (re-check)
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$(dirname "${BASH_SOURCE[0]}")/policy_lib.sh"
npvs_init pen "$@"
npvs_need nc ping python3 ethtool ss sha256sum

WEB=10.244.1.10 DB=10.244.1.11 CACHE=10.244.1.12 TOOL=10.244.1.13
MON=10.244.1.14
M=$NPVS_TMP

npvsd_config_write >"$M/npvsd.yaml" </dev/null
npvsd_start "$M/npvsd.yaml"

pol_pod web front $WEB
pol_pod db back $DB
pol_pod cache back $CACHE
pol_pod tool ops $TOOL
pol_pod mon ops $MON
for p in web db cache tool mon; do
	wait_for 10 npvs_port_up "$p" || npvs_fail "port $p not up"
done
pol_serve_bg web 8080/tcp
pol_serve_bg db 5432/tcp 5353/udp 6000/tcp
pol_serve_bg cache 6999/tcp 7005/tcp 7011/tcp
pol_serve_bg tool 9000/tcp
pol_serve_bg mon 9000/tcp 9001/tcp
pol_serve_ready

# ---- the cluster's objects ----
pod_yaml() {   # NS NAME IP LABELS [PORTS]
	cat <<EOF
---
apiVersion: v1
kind: Pod
metadata: {name: $2, namespace: $1, labels: {$4}}
spec:
  containers:
  - name: c
    image: busybox
    ports: [${5:-}]
status: {podIPs: [{ip: $3}]}
EOF
}
{
	for ns in front back ops; do
		printf -- '---\napiVersion: v1\nkind: Namespace\n'
		printf 'metadata: {name: %s, labels: {team: %s}}\n' $ns $ns
	done
	pod_yaml front web $WEB "app: web"
	pod_yaml back db $DB "app: db" "{name: pg, containerPort: 5432}, \
{name: dns, containerPort: 5353, protocol: UDP}"
	pod_yaml back cache $CACHE "app: cache"
	pod_yaml ops tool $TOOL "app: tool"
	pod_yaml ops mon $MON "app: mon"
} >"$M/cluster.yaml"
pol_apply "$M/cluster.yaml"
npvsctl get pods | grep -q "^back  *db  *yes  *$DB" ||
	npvs_fail "db not local: $(npvsctl get pods)"

# ---- 1. no policy ----
pod_exec web ping -c 1 -W 1 $DB >/dev/null 2>&1       # ARP warm-up
pol_ping ok web $DB
pol_tcp ok web $DB 5432
pol_udp ok web $DB 5353

# ---- 2. default deny ingress in front and back ----
cat >"$M/deny.yaml" <<EOF
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: default-deny, namespace: front}
spec: {podSelector: {}, policyTypes: [Ingress]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: default-deny, namespace: back}
spec: {podSelector: {}, policyTypes: [Ingress]}
EOF
pol_apply "$M/deny.yaml"
pol_ping denied web $DB
pol_tcp denied web $DB 5432
pol_udp denied web $DB 5353
pol_tcp denied db $WEB 8080
pol_ping ok web $TOOL
pol_tcp ok web $TOOL 9000

# ---- 3. db accepts front on its named ports ----
cat >"$M/allow-db.yaml" <<EOF
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: db-from-front, namespace: back}
spec:
  podSelector: {matchLabels: {app: db}}
  ingress:
  - from: [{namespaceSelector: {matchLabels: {team: front}}}]
    ports: [{port: pg}, {port: dns, protocol: UDP}]
EOF
pol_apply "$M/allow-db.yaml"
pol_tcp ok web $DB 5432
pol_tcp_echo ok web $DB 5432
pol_udp ok web $DB 5353       # the echo comes back into isolated web
pol_tcp denied web $DB 6000   # a port db does not open to front
pol_tcp denied db $WEB 8080   # web's ingress stays isolated
pol_tcp denied tool $DB 5432  # ops is not front
pol_udp denied tool $DB 5353

# ---- 4. a policy applied during a transfer; endPort ----
head -c $((6 << 20)) /dev/urandom >"$M/data"
pod_exec web python3 "$POL_PROBE" send $DB 5432 "$M/data" 2097152 \
	>"$M/send.out" 2>&1 &
send_pid=$!
sleep 1
cat >"$M/allow-cache.yaml" <<EOF
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: cache-from-front, namespace: back}
spec:
  podSelector: {matchLabels: {app: cache}}
  ingress:
  - from: [{namespaceSelector: {matchLabels: {team: front}}}]
    ports: [{port: 7000, endPort: 7010}]
EOF
pol_apply "$M/allow-cache.yaml"
kill -0 $send_pid 2>/dev/null || npvs_fail "transfer ended before the apply"
wait $send_pid || npvs_fail "transfer failed: $(cat "$M/send.out")"
read -r sent echoed bytes <"$M/send.out"
[ "$bytes" = $((6 << 20)) ] && [ "$sent" = "$echoed" ] ||
	npvs_fail "transfer across the apply: $(cat "$M/send.out")"
npvs_log "6 MiB echoed intact across the apply"
pol_tcp ok web $CACHE 7005
pol_tcp denied web $CACHE 7011
pol_tcp denied web $CACHE 6999

# ---- 5. egress of web: back, and an ipBlock with except ----
cat >"$M/web-egress.yaml" <<EOF
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web-egress, namespace: front}
spec:
  podSelector: {matchLabels: {app: web}}
  policyTypes: [Egress]
  egress:
  - to: [{namespaceSelector: {matchLabels: {team: back}}}]
  - to: [{ipBlock: {cidr: 10.244.1.0/28, except: [$TOOL/32]}}]
    ports: [{port: 9000}]
EOF
pol_apply "$M/web-egress.yaml"
pol_tcp ok web $MON 9000
pol_tcp denied web $MON 9001     # not the ipBlock's port
pol_tcp denied web $TOOL 9000    # excepted
pol_ping denied web $TOOL
pol_tcp ok web $DB 5432          # back: every port by egress
pol_tcp ok tool $MON 9001        # others are not concerned

# ---- 6. deleting db's policy cuts an established connection ----
pod_exec web python3 "$POL_PROBE" chat $DB 5432 20 >"$M/chat.out" 2>&1 &
chat_pid=$!
chat_lines() { [ "$(grep -c '^line' "$M/chat.out")" -ge "$1" ]; }
wait_for 15 chat_lines 5 || npvs_fail "chat did not start: $(cat "$M/chat.out")"
before=$(grep -c '^line' "$M/chat.out")
out=$(npvsctl delete -f "$M/allow-db.yaml" 2>&1) ||
	npvs_fail "delete allow-db: $out"
npvs_log "delete: $(tr '\n' ' ' <<<"$out")"
wait $chat_pid && npvs_fail "connection survived the delete: $(tail -n 1 "$M/chat.out")"
read -r verdict lines < <(tail -n 1 "$M/chat.out")
# cut within a line or two of the delete (one may be in flight)
[ "$verdict" = cut ] && [ "$lines" -le $((before + 2)) ] ||
	npvs_fail "chat: $(tail -n 1 "$M/chat.out") ($before lines before the delete)"
npvs_log "established connection cut after $lines lines ($before before the delete)"
pol_tcp denied web $DB 5432
npvsctl get networkpolicies | grep -q db-from-front &&
	npvs_fail "db-from-front still listed"

npvsd_stop
npvs_pass
