#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# test_cni_npvsd.sh: npvs-cni with the real npvsd, invoked exactly as a
# container runtime invokes it (CNI_* variables, the config on stdin,
# network namespaces made here, host-local IPAM): two kernel pods (one
# "subnet", one "calico" addressed) exchange ping and a 4 MiB TCP
# transfer through npvsd, CHECK passes, DEL removes veth, port, endpoint
# and IP, a second DEL succeeds; then a DPDK pod added through the plugin
# (dpdk-testpmd serving the returned socket) answers a kernel pod's pings.
#
#   test_cni_npvsd.sh BUILD_DIR
source "$(dirname "${BASH_SOURCE[0]}")/../integration/lib.sh"
npvs_init cn "$@"
npvs_need nc sha256sum ping ethtool python3
CNI_PLUGIN="$NPVS_BUILD/control/npvs-cni"
[ -x "$CNI_PLUGIN" ] || npvs_fail "$CNI_PLUGIN not built"
[ -x /usr/lib/cni/host-local ] || npvs_skip "no host-local in /usr/lib/cni"
PY=$(command -v /usr/bin/python3 || command -v python3)

jget() {
	"$PY" -c 'import json,sys
d=json.load(sys.stdin)
v=eval(sys.argv[1])
print(json.dumps(v) if isinstance(v,(dict,list)) else v)' "$1"
}

npvsd_config_write > "$NPVS_TMP/npvsd.yaml" <<EOF
EOF
npvsd_start "$NPVS_TMP/npvsd.yaml"

# conf FILE ADDRESSING [FIELD]: the network config, as in docs/examples
# (FIELD: one more line, e.g. '"maxFrame": 9014,').
conf() {
	cat > "$1" <<EOF
{
  ${3:-}
  "cniVersion": "1.1.0",
  "name": "npvs-cn",
  "type": "npvs-cni",
  "socket": "$NPVSD_SOCK",
  "addressing": "$2",
  "stateDir": "$NPVS_TMP/state",
  "vhostDir": "$NPVS_TMP/vhost",
  "logFile": "$NPVS_TMP/cni.log",
  "ipam": {
    "type": "host-local",
    "dataDir": "$NPVS_TMP/ipam",
    "ranges": [[{"subnet": "10.244.1.0/24", "rangeStart": "10.244.1.10"}]]
  }
}
EOF
}
conf "$NPVS_TMP/subnet.json" subnet '"maxFrame": 9014,'
conf "$NPVS_TMP/calico.json" calico

# cni CMD CONTAINER POD CONF [EXTRA_ARGS]: as a runtime calls it.
cni() {
	OUT=$(env -i PATH="$PATH" CNI_COMMAND="$1" CNI_CONTAINERID="$2" \
		CNI_NETNS="$( [ -n "$3" ] && echo "/run/netns/$(pod_ns "$3")")" \
		CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni \
		CNI_ARGS="IgnoreUnknown=1;K8S_POD_NAMESPACE=cn;K8S_POD_NAME=$3${5:+;$5};K8S_POD_INFRA_CONTAINER_ID=$2" \
		"$CNI_PLUGIN" < "$4" 2>>"$NPVS_TMP/cni.stderr")
	RC=$?
}
# pod POD: a network namespace, as the runtime makes one.
pod() {
	ip netns add "$(pod_ns "$1")" || npvs_fail "netns $1"
	npvs_cleanup_add "ip netns del $(pod_ns "$1")"
}
# with_prev CONF RESULT OUT: CONF plus prevResult (as for CHECK).
with_prev() {
	"$PY" -c 'import json,sys
c=json.load(open(sys.argv[1])); c["prevResult"]=json.loads(sys.argv[2])
json.dump(c,open(sys.argv[3],"w"))' "$1" "$2" "$3"
}
# (here-strings, not pipes: lib.sh sets pipefail and grep -q may close early)
has_port() { grep -q "\"$1\"" <<< "$(npvsctl -o json port list)"; }
ipam_has() { [ -e "$NPVS_TMP/ipam/npvs-cn/$1" ]; }

# ---- two kernel pods ----
pod a
pod b
npvs_cleanup_add "cni DEL ctr-a a $NPVS_TMP/subnet.json"
npvs_cleanup_add "cni DEL ctr-b b $NPVS_TMP/calico.json"
cni ADD ctr-a a "$NPVS_TMP/subnet.json"
[ "$RC" -eq 0 ] || npvs_fail "ADD a: $OUT"
RES_A=$OUT
cni ADD ctr-b b "$NPVS_TMP/calico.json"
[ "$RC" -eq 0 ] || npvs_fail "ADD b: $OUT"
RES_B=$OUT
IP_A=$(jget 'd["ips"][0]["address"].split("/")[0]' <<< "$RES_A")
IP_B=$(jget 'd["ips"][0]["address"].split("/")[0]' <<< "$RES_B")
PORT_A=$(jget 'd["interfaces"][0]["name"]' <<< "$RES_A")
PORT_B=$(jget 'd["interfaces"][0]["name"]' <<< "$RES_B")
npvs_log "pod a $IP_A on $PORT_A, pod b $IP_B on $PORT_B"
wait_for 5 npvs_port_up "$PORT_A" && wait_for 5 npvs_port_up "$PORT_B" ||
	npvs_fail "ports not up"
# maxFrame reaches npvsd's port_add (a's config has it, b's not)
detail() { npvsctl -o json port list | jget "[p['detail'] for p in d['ports'] if p['name']=='$1'][0]"; }
[ "$(detail "$PORT_A")" = "$PORT_A (max_frame 9014)" ] ||
	npvs_fail "port $PORT_A: $(detail "$PORT_A"), want max_frame 9014"
[ "$(detail "$PORT_B")" = "$PORT_B" ] || npvs_fail "port $PORT_B: $(detail "$PORT_B")"
grep -q '"cn"' <<< "$(npvsctl -o json endpoint list)" ||
	npvs_fail "no endpoint registered: $(npvsctl -o json endpoint list)"

# ---- traffic through npvsd ----
pod_exec a ping -c 3 -i 0.2 -W 2 "$IP_B" || npvs_fail "ping a -> b"
pod_exec b ping -c 3 -i 0.2 -W 2 "$IP_A" || npvs_fail "ping b -> a"
head -c $((4 << 20)) /dev/urandom > "$NPVS_TMP/data"
want=$(sha256sum < "$NPVS_TMP/data" | cut -d' ' -f1)
pod_exec a sh -c "timeout 40 nc -d -l -p 5001 | sha256sum > $NPVS_TMP/got" &
rx_pid=$!
wait_for 5 pod_exec a sh -c "ss -ltn | grep -q ':5001'" ||
	npvs_fail "receiver did not listen"
timeout 30 ip netns exec "$(pod_ns b)" nc -q 1 -N "$IP_A" 5001 \
	< "$NPVS_TMP/data" || npvs_fail "nc b -> a failed"
wait "$rx_pid"
[ "$(cut -d' ' -f1 < "$NPVS_TMP/got")" = "$want" ] ||
	npvs_fail "TCP data differ"
npvs_log "ping both ways, 4 MiB b -> a intact"
[ "$(npvs_port_stat "$PORT_B" rx_packets)" -gt 1000 ] ||
	npvs_fail "npvsd did not carry the transfer"

# ---- CHECK ----
with_prev "$NPVS_TMP/subnet.json" "$RES_A" "$NPVS_TMP/prev-a.json"
cni CHECK ctr-a a "$NPVS_TMP/prev-a.json"
[ "$RC" -eq 0 ] && [ -z "$OUT" ] || npvs_fail "CHECK a: $OUT"

# ---- DEL ----
cni DEL ctr-a a "$NPVS_TMP/subnet.json"
[ "$RC" -eq 0 ] || npvs_fail "DEL a: $OUT"
ip link show "$PORT_A" >/dev/null 2>&1 && npvs_fail "veth $PORT_A left"
has_port "$PORT_A" && npvs_fail "npvsd still has port $PORT_A"
grep -q "\"$PORT_A\"" <<< "$(npvsctl -o json endpoint list)" &&
	npvs_fail "npvsd still has the endpoint on $PORT_A"
ipam_has "$IP_A" && npvs_fail "IP $IP_A not released"
cni DEL ctr-a a "$NPVS_TMP/subnet.json"
[ "$RC" -eq 0 ] || npvs_fail "second DEL a: $OUT"
cni CHECK ctr-a a "$NPVS_TMP/prev-a.json"
[ "$RC" -ne 0 ] || npvs_fail "CHECK passed after DEL"
pod_exec b ping -c 1 -W 1 "$IP_A" >/dev/null && npvs_fail "a answers after DEL"
npvs_log "DEL a: veth, port, endpoint, IP gone; second DEL fine"

# ---- a DPDK pod through the plugin ----
npvs_need dpdk-testpmd
npvs_need_hugepages 160
pod d
npvs_cleanup_add "cni DEL ctr-d d $NPVS_TMP/calico.json"
cni ADD ctr-d d "$NPVS_TMP/calico.json" "NPVS_INTERFACE_TYPE=vhost-user"
[ "$RC" -eq 0 ] || npvs_fail "ADD d: $OUT"
SOCK=$(jget 'd["interfaces"][0]["socketPath"]' <<< "$OUT")
PORT_D=$(npvsctl -o json port list | jget '[p["name"] for p in d["ports"] if p["type"]=="vhost"][0]')
IP_D=$(jget 'd["ips"][0]["address"].split("/")[0]' <<< "$OUT")
npvs_log "DPDK pod $IP_D on $PORT_D, socket $SOCK"
# the config's mtu (default 1450) is the DPDK pod's: npvsd's port mtu
[ "$(detail "$PORT_D")" = "$SOCK (client, mtu 1450)" ] ||
	npvs_fail "port $PORT_D: $(detail "$PORT_D"), want mtu 1450"
pod_dpdk_start d "path=$SOCK,queues=1,server=1,mac=02:00:00:00:cd:01" \
	--forward-mode=icmpecho --auto-start
wait_for 30 npvs_port_up "$PORT_D" || npvs_fail "vhost link did not come up"
pod_exec b ping -c 1 -W 2 "$IP_D" >/dev/null
out=$(pod_exec b ping -c 10 -i 0.1 -W 2 "$IP_D") ||
	npvs_fail "ping kernel pod -> DPDK pod: $out"
grep -q ' 0% packet loss' <<< "$out" || npvs_fail "loss: $out"
npvs_log "kernel pod <-> DPDK pod: 10/10 pings"
kill "$POD_PID"; wait "$POD_PID" 2>/dev/null
cni DEL ctr-d d "$NPVS_TMP/calico.json"
[ "$RC" -eq 0 ] || npvs_fail "DEL d: $OUT"
has_port "$PORT_D" && npvs_fail "npvsd still has port $PORT_D"
[ -e "$(dirname "$SOCK")" ] && npvs_fail "socket directory left"
ipam_has "$IP_D" && npvs_fail "IP $IP_D not released"

cni DEL ctr-b b "$NPVS_TMP/calico.json"
[ "$RC" -eq 0 ] || npvs_fail "DEL b: $OUT"
[ -z "$(npvsctl -o json port list | jget 'd["ports"]' | tr -d '[]')" ] ||
	npvs_fail "ports left: $(npvsctl port list)"
npvsd_stop
npvs_pass
