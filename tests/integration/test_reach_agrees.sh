#!/usr/bin/env bash
# test_reach_agrees.sh: `npvsctl reach -o json` (offline, the compiled
# rules classifying one synthetic packet per pair) and real packets
# through npvsd agree on every ordered pair of pods and every port:
# 80/TCP, 81/TCP (nc -z), 80/UDP, 81/UDP (a datagram and its echo).
#
# Five kernel pods in namespaces x, y, z under four policies: default
# deny ingress in x; x/b open to namespace y on 80/TCP and 81/UDP; y's
# app=c may only send to x on 80/TCP and to z; z/d open to role=client
# pods anywhere on 81/TCP and 80/UDP. The same manifest directory goes
# to `npvsctl apply -f DIR` and `npvsctl reach -f DIR`. (YAML reads a
# bare y as true: the names are quoted.)
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$(dirname "${BASH_SOURCE[0]}")/policy_lib.sh"
npvs_init rag "$@"
npvs_need nc python3 ethtool ss

M=$NPVS_TMP
PODS="x/a:10.244.1.30:app=a x/b:10.244.1.31:app=b
y/a:10.244.1.32:app=a,role=client y/c:10.244.1.33:app=c
z/d:10.244.1.34:app=d"

npvsd_config_write >"$M/npvsd.yaml" </dev/null
npvsd_start "$M/npvsd.yaml"

# ---- manifests ----
mkdir "$M/m"
for ns in x y z; do
	printf 'apiVersion: v1\nkind: Namespace\nmetadata: {name: "%s", labels: {ns: "%s"}}\n---\n' \
		$ns $ns
done >"$M/m/00-namespaces.yaml"
for p in $PODS; do
	IFS=: read -r nsname ip labels <<<"$p"
	printf -- '---\napiVersion: v1\nkind: Pod\n'
	printf 'metadata: {name: %s, namespace: "%s", labels: {%s}}\n' \
		"${nsname#*/}" "${nsname%/*}" "$(sed 's/=/: /g' <<<"$labels")"
	printf 'spec: {containers: [{name: c, image: i}]}\n'
	printf 'status: {podIPs: [{ip: %s}]}\n' "$ip"
done >"$M/m/10-pods.yaml"
cat >"$M/m/20-policies.yaml" <<EOF
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny, namespace: "x"}
spec: {podSelector: {}}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: b-from-y, namespace: "x"}
spec:
  podSelector: {matchLabels: {app: b}}
  ingress:
  - from: [{namespaceSelector: {matchLabels: {ns: "y"}}}]
    ports: [{port: 80}, {port: 81, protocol: UDP}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: c-egress, namespace: "y"}
spec:
  podSelector: {matchLabels: {app: c}}
  egress:
  - to: [{namespaceSelector: {matchLabels: {ns: "x"}}}]
    ports: [{port: 80}]
  - to: [{namespaceSelector: {matchLabels: {ns: "z"}}}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: d-from-clients, namespace: "z"}
spec:
  podSelector: {matchLabels: {app: d}}
  ingress:
  - from: [{namespaceSelector: {}, podSelector: {matchLabels: {role: client}}}]
    ports: [{port: 81}, {port: 80, protocol: UDP}]
EOF

# ---- pods, servers, policy ----
for p in $PODS; do
	IFS=: read -r nsname ip _ <<<"$p"
	pod=${nsname/\//}                       # x/a -> xa
	pol_pod "$pod" "${nsname%/*}" "$ip" "${nsname#*/}"
done
for p in $PODS; do
	IFS=: read -r nsname _ _ <<<"$p"
	pod=${nsname/\//}
	wait_for 10 npvs_port_up "$pod" || npvs_fail "port $pod not up"
	pol_serve_bg "$pod" 80 81
done
pol_serve_ready
pol_apply "$M/m"

"$NPVSCTL" reach -f "$M/m" --port 80 --port 81 --port 80/UDP --port 81/UDP \
	-o json >"$M/reach.json" || npvs_fail "npvsctl reach"

# ---- probes: every ordered pair, every port ----
# ARP warm-up, then per source pod all its probes at once (nc -z for TCP,
# policy_probe.py for UDP), 1.5 s each.
for p in $PODS; do
	IFS=: read -r nsname _ _ <<<"$p"
	pod_exec "${nsname/\//}" ping -c 1 -W 1 10.244.1.1 >/dev/null 2>&1
done
: >"$M/probes"
for src in $PODS; do
	IFS=: read -r from _ _ <<<"$src"
	pod=${from/\//}
	udp=() pids=() names=()
	for dst in $PODS; do
		IFS=: read -r to ip _ <<<"$dst"
		[ "$to" = "$from" ] && continue
		for port in 80 81; do
			udp+=("$ip:$port/udp")
			pod_exec "$pod" nc -z -w 2 "$ip" $port >/dev/null 2>&1 &
			pids+=($!)
			names+=("$from $to $port TCP")
		done
	done
	pod_exec "$pod" python3 "$POL_PROBE" probe "$M/udp-$pod" 1.5 "${udp[@]}" ||
		npvs_fail "udp probes from $from"
	for i in "${!pids[@]}"; do
		if wait "${pids[$i]}"; then ok=1; else ok=0; fi
		echo "${names[$i]} $ok" >>"$M/probes"
	done
	while read -r spec ok; do
		ip=${spec%%:*} port=${spec#*:}; port=${port%/*}
		for dst in $PODS; do
			IFS=: read -r to dip _ <<<"$dst"
			[ "$dip" = "$ip" ] && echo "$from $to $port UDP $ok" >>"$M/probes"
		done
	done <"$M/udp-$pod"
done

# ---- compare ----
python3 - "$M/reach.json" "$M/probes" <<'EOF' || npvs_fail "reach and packets disagree"
import json, sys
reach = {}
for e in json.load(open(sys.argv[1])):
    if e["from"] != e["to"]:
        reach[(e["from"], e["to"], e["port"], e["protocol"])] = e
probes = {}
for line in open(sys.argv[2]):
    f, t, port, proto, ok = line.split()
    probes[(f, t, int(port), proto)] = ok == "1"
bad = 0
for k in sorted(set(reach) | set(probes)):
    if k not in reach or k not in probes:
        print("missing on one side:", k, k in reach, k in probes)
        bad += 1
        continue
    if reach[k]["allowed"] != probes[k]:
        e = reach[k]
        print("DISAGREE %s -> %s %d/%s: reach %s (egress: %s; ingress: %s),"
              " packets %s" % (k[0], k[1], k[2], k[3], e["allowed"],
              e["egress"], e["ingress"], probes[k]))
        bad += 1
n_ok = sum(1 for v in probes.values() if v)
print("%d checks, %d allowed, %d denied, %d disagreements"
      % (len(probes), n_ok, len(probes) - n_ok, bad))
# The policies must leave both kinds, or agreement would mean little.
sys.exit(1 if bad or len(probes) != 80 or n_ok < 10 or
         len(probes) - n_ok < 10 else 0)
EOF

npvsd_stop
npvs_pass
