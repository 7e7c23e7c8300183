#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# test_cni_fake.sh: npvs-cni's whole life cycle against a stand-in npvsd
# (fake_npvsd.py: the control protocol without a data plane), so every
# step can be checked and every later step can be made to fail:
# ADD/CHECK/DEL/GC of kernel and DPDK pods, addressing styles, result
# versions, rollback when npvsd or IPAM fails or hangs, the endpoint
# guard, concurrency, STATUS.
#
#   test_cni_fake.sh PATH/TO/npvs-cni
CNI_PLUGIN=${1:-${CNI_PLUGIN:-}}
. "$(dirname "$0")/cni_lib.sh"

start_fake || exit 1
conf "$T/c.json"
for p in a b c d; do mkns $p; done

ports() { npvsd_req port_list | jget '" ".join(sorted(p["name"] for p in d["ports"]))'; }
endpoints() { npvsd_req endpoint_list | jget '" ".join(sorted(e["namespace"]+"/"+e["name"]+"@"+e["port"] for e in d["endpoints"]))'; }
# with_prev CONF RESULT OUTFILE: the config with prevResult (as for CHECK)
with_prev() {
	"$PY" -c 'import json,sys
c=json.load(open(sys.argv[1])); c["prevResult"]=json.loads(sys.argv[2])
json.dump(c,open(sys.argv[3],"w"))' "$1" "$2" "$3"
}
offloads_off() { # offloads_off [NS] IF
	local k
	if [ $# -eq 2 ]; then k=$(ip netns exec "$1" ethtool -k "$2"); else k=$(ethtool -k "$1"); fi
	! grep -qE '^(tx-checksumming|generic-segmentation-offload|generic-receive-offload): on' <<< "$k" &&
	! grep -qE '^\s+tx-tcp6?-segmentation: on' <<< "$k"
}
nothing_left() { # nothing_left WHAT NSNAME
	check "$1: no host veth left" [ -z "$(npv_links)" ]
	check "$1: no IP left in host-local" [ -z "$(ipam_ips)" ]
	check "$1: no interface in the pod" not pod_has "$2" eth0
	check "$1: no port or endpoint in npvsd" [ -z "$(ports)$(endpoints)" ]
	check "$1: no state left" [ -z "$(ls "$T/state/npvs-test" 2>/dev/null)" ]
}

# ---- ADD, kernel pod, calico addressing ----
cni ADD cida eth0 "$(nspath a)" "$T/c.json" "IgnoreUnknown=1;K8S_POD_UID=u1;K8S_POD_NAME=pod-a;K8S_POD_NAMESPACE=ns1;K8S_POD_INFRA_CONTAINER_ID=cida"
check "ADD pod a" is_ok
RES_A=$OUT
HOSTIF=$(jget 'd["interfaces"][0]["name"]' <<< "$RES_A")
IP_A=$(jget 'd["ips"][0]["address"]' <<< "$RES_A")
check "result: ips[0].interface points at eth0 in the sandbox" \
	[ "$(jget 'd["interfaces"][d["ips"][0]["interface"]]["name"]+" "+d["interfaces"][d["ips"][0]["interface"]]["sandbox"]' <<< "$RES_A")" = "eth0 $(nspath a)" ]
check "result: calico /32 with gateway 169.254.1.1" \
	[ "$(jget 'd["ips"][0]["gateway"]' <<< "$RES_A")" = "169.254.1.1" -a "${IP_A#*/}" = 32 ]
check "result: 1.1.0 interface carries the MTU" \
	[ "$(jget 'd["interfaces"][1]["mtu"]' <<< "$RES_A")" = 1450 ]
check "result: the pod MAC is eth0's" \
	[ "$(jget 'd["interfaces"][1]["mac"]' <<< "$RES_A")" = "$(ip -n $NSP-a -j link show eth0 | jget 'd[0]["address"]')" ]
check "pod: eth0 has the address" ip -n "$NSP-a" -o addr show eth0 | grep -q "inet $IP_A"
check "pod: eth0 MTU 1450, up" ip -n "$NSP-a" link show eth0 | grep -q "mtu 1450.*state UP"
check "pod: route to 169.254.1.1 on link" ip -n "$NSP-a" route show | grep -q "^169.254.1.1 dev eth0 scope link"
check "pod: default via 169.254.1.1" ip -n "$NSP-a" route show | grep -q "^default via 169.254.1.1 dev eth0"
check "host: $HOSTIF is up, 15 chars or fewer" \
	[ "$(ip -j link show "$HOSTIF" | jget '"UP" in d[0]["flags"]')" = True -a ${#HOSTIF} -le 15 ]
check "host: offloads off on $HOSTIF" offloads_off "$HOSTIF"
check "pod: offloads off on eth0" offloads_off "$NSP-a" eth0
check "npvsd: afpacket port on $HOSTIF" \
	[ "$(npvsd_req port_list | jget '[p["type"]+":"+p["detail"] for p in d["ports"]][0]')" = "afpacket:$HOSTIF" ]
check "npvsd: endpoint ns1/pod-a on the port, with IP and MAC" \
	[ "$(npvsd_req endpoint_list | jget 'd["endpoints"][0]["namespace"]+"/"+d["endpoints"][0]["name"]+" "+d["endpoints"][0]["port"]+" "+d["endpoints"][0]["ips"][0]+" "+d["endpoints"][0]["mac"]')" = \
	  "ns1/pod-a $HOSTIF ${IP_A%/*} $(jget 'd["interfaces"][1]["mac"]' <<< "$RES_A")" ]
check "host-local holds one IP" [ "$(ipam_ips)" = "${IP_A%/*}" ]

# ---- CHECK ----
with_prev "$T/c.json" "$RES_A" "$T/prev-a.json"
cni CHECK cida eth0 "$(nspath a)" "$T/prev-a.json" "IgnoreUnknown=1;K8S_POD_NAME=pod-a;K8S_POD_NAMESPACE=ns1"
check "CHECK passes right after ADD, with no output" eval 'is_ok && is_empty'
ip -n "$NSP-a" addr del "$IP_A" dev eth0
cni CHECK cida eth0 "$(nspath a)" "$T/prev-a.json" "IgnoreUnknown=1;K8S_POD_NAME=pod-a;K8S_POD_NAMESPACE=ns1"
check "CHECK fails when the pod lost its address" is_code 102
ip -n "$NSP-a" addr add "$IP_A" dev eth0
ethtool -K "$HOSTIF" tx on > /dev/null 2>&1
cni CHECK cida eth0 "$(nspath a)" "$T/prev-a.json" "IgnoreUnknown=1;K8S_POD_NAME=pod-a;K8S_POD_NAMESPACE=ns1"
check "CHECK fails when offloads came back on" is_code 102
ethtool -K "$HOSTIF" tx off > /dev/null 2>&1

# ---- a second ADD of the same attachment ----
cni ADD cida eth0 "$(nspath a)" "$T/c.json" "IgnoreUnknown=1;K8S_POD_NAME=pod-a;K8S_POD_NAMESPACE=ns1"
check "ADD twice: refused (code 101)" is_code 101
cni CHECK cida eth0 "$(nspath a)" "$T/prev-a.json" "IgnoreUnknown=1;K8S_POD_NAME=pod-a;K8S_POD_NAMESPACE=ns1"
check "  and the first attachment is intact" is_ok

# ---- subnet addressing, 0.4.0 and 1.0.0 results ----
VERSION=0.4.0 conf "$T/v040.json" '"addressing": "subnet", "mtu": 1400'
cni ADD cidb eth0 "$(nspath b)" "$T/v040.json"
check "ADD pod b (0.4.0, subnet)" is_ok
check "0.4.0 result: ips[].version is \"4\", no mtu field" \
	[ "$(jget 'd["ips"][0]["version"]+" "+str("mtu" in d["interfaces"][1])' <<< "$OUT")" = "4 False" ]
IP_B=$(jget 'd["ips"][0]["address"]' <<< "$OUT")
check "subnet: /24 on eth0, default via .1" eval \
	'[ "${IP_B#*/}" = 24 ] && ip -n $NSP-b route show | grep -q "^default via 10.123.0.1 dev eth0"'
check "mtu from config (1400)" ip -n "$NSP-b" link show eth0 | grep -q "mtu 1400"
VERSION=1.0.0 conf "$T/v100.json"
cni ADD cidc eth0 "$(nspath c)" "$T/v100.json"
check "1.0.0 result: no ips[].version, no mtu" eval \
	'is_ok && [ "$(jget "str(\"version\" in d[\"ips\"][0])+str(\"mtu\" in d[\"interfaces\"][1])" <<< "$OUT")" = FalseFalse ]'

# ---- DEL ----
cni DEL cidb eth0 "$(nspath b)" "$T/v040.json"
cni DEL cidc eth0 "$(nspath c)" "$T/v100.json"
cni DEL cida eth0 "$(nspath a)" "$T/c.json" "IgnoreUnknown=1;K8S_POD_NAME=pod-a;K8S_POD_NAMESPACE=ns1"
check "DEL pod a" eval 'is_ok && is_empty'
nothing_left "after DEL" a
cni DEL cida eth0 "$(nspath a)" "$T/c.json" "IgnoreUnknown=1;K8S_POD_NAME=pod-a;K8S_POD_NAMESPACE=ns1"
check "a second DEL succeeds" is_ok

# ---- rollback: every later step failing leaves nothing behind ----
stop_fake; start_fake --fail port_add
cni ADD cida eth0 "$(nspath a)" "$T/c.json"
check "npvsd refuses port_add: code 100" is_code 100
nothing_left "port_add refused" a
stop_fake; start_fake --fail endpoint_add
cni ADD cida eth0 "$(nspath a)" "$T/c.json"
check "npvsd refuses endpoint_add: code 100" is_code 100
nothing_left "endpoint_add refused" a
stop_fake; start_fake --hang port_add
cni ADD cida eth0 "$(nspath a)" "$T/c.json"
check "npvsd hangs on port_add: code 11 after the timeout" is_code 11
check "hang: no host veth, no IP, no pod interface" \
	eval '[ -z "$(npv_links)$(ipam_ips)" ] && ! pod_has a eth0'
stop_fake; start_fake
SUBNET=10.123.1.0/30 NETNAME=npvs-test conf "$T/small.json"
cni ADD cida eth0 "$(nspath a)" "$T/small.json"
check "(setup) the /30 has room for one pod" is_ok
cni ADD cidb eth0 "$(nspath b)" "$T/small.json"
check "IPAM exhausted: the IPAM plugin's error comes through" \
	eval '[ "$RC" -ne 0 ] && grep -q "no IP addresses available" <<< "$OUT"'
check "IPAM exhausted: pod b has no interface, no second veth" \
	eval '! pod_has b eth0 && [ "$(npv_links | wc -l)" -eq 1 ]'
cni DEL cida eth0 "$(nspath a)" "$T/small.json"
conf "$T/noipam.json"
sed -i 's/"type": "host-local"/"type": "no-such-ipam"/' "$T/noipam.json"
cni ADD cida eth0 "$(nspath a)" "$T/noipam.json"
check "IPAM plugin missing: code 4" is_code 4
nothing_left "IPAM missing" a
mkdir -p "$T/state/npvs-test"
echo '{"phase": "adding", "containerID": "cidd", "ifname": "eth0"}' > "$T/state/npvs-test/cidd@eth0.json"
cni DEL cidd eth0 "$(nspath d)" "$T/c.json"
check "DEL of a half-done ADD (state 'adding' only) succeeds, state gone" \
	eval 'is_ok && [ ! -e "$T/state/npvs-test/cidd@eth0.json" ]'

# ---- a plugin killed half-way: DEL cleans up from the state file ----
stop_fake; start_fake --hang endpoint_add
TIMEOUT=20000 conf "$T/slow.json"
env -i PATH="$PATH" CNI_COMMAND=ADD CNI_CONTAINERID=kill1 CNI_IFNAME=eth0 \
	CNI_NETNS="$(nspath a)" CNI_PATH="$IPAM_DIR" CNI_ARGS="IgnoreUnknown=1" \
	"$CNI_PLUGIN" < "$T/slow.json" > /dev/null 2>&1 &
KPID=$!
for _ in $(seq 100); do [ -n "$(ports)" ] && break; sleep 0.1; done
kill -KILL "$KPID"; wait "$KPID" 2>/dev/null
check "(setup) killed while npvsd held endpoint_add: veth, port, IP exist" \
	[ -n "$(npv_links)" -a -n "$(ports)" -a -n "$(ipam_ips)" ]
stop_fake; start_fake
npvsd_req port_list > /dev/null
cni DEL kill1 eth0 "$(nspath a)" "$T/slow.json"
check "DEL after the kill leaves nothing" eval \
	'is_ok && [ -z "$(npv_links)$(ipam_ips)" ] && ! pod_has a eth0 && [ -z "$(ls "$T/state/npvs-test")" ]'

# ---- CNI_IFNAME taken in the pod: refused, and DEL leaves it alone ----
ip -n "$NSP-c" link add eth0 type veth peer name other0
cni ADD taken eth0 "$(nspath c)" "$T/c.json"
check "ADD with eth0 already in the pod: code 101" is_code 101
cni DEL taken eth0 "$(nspath c)" "$T/c.json"
check "the runtime's DEL after it succeeds and keeps the pod's eth0" \
	eval 'is_ok && pod_has c eth0 && [ -z "$(npv_links)$(ipam_ips)$(ports)" ]'
ip -n "$NSP-c" link del eth0

# ---- the endpoint belongs to the newest sandbox of a pod ----
cni ADD old1 eth0 "$(nspath a)" "$T/c.json" "IgnoreUnknown=1;K8S_POD_NAME=web-0;K8S_POD_NAMESPACE=prod"
cni ADD new1 eth0 "$(nspath b)" "$T/c.json" "IgnoreUnknown=1;K8S_POD_NAME=web-0;K8S_POD_NAMESPACE=prod"
NEWPORT=$(jget 'd["interfaces"][0]["name"]' <<< "$OUT")
cni DEL old1 eth0 "$(nspath a)" "$T/c.json" "IgnoreUnknown=1;K8S_POD_NAME=web-0;K8S_POD_NAMESPACE=prod"
check "DEL of the old sandbox keeps the new sandbox's endpoint" \
	[ "$(endpoints)" = "prod/web-0@$NEWPORT" ]
cni DEL new1 eth0 "$(nspath b)" "$T/c.json" "IgnoreUnknown=1;K8S_POD_NAME=web-0;K8S_POD_NAMESPACE=prod"
check "DEL of the new one removes it" [ -z "$(endpoints)" ]

# ---- DPDK pod (vhost-user) ----
cni ADD dpdk1 eth0 "$(nspath d)" "$T/c.json" "IgnoreUnknown=1;K8S_POD_NAME=dp;K8S_POD_NAMESPACE=ns1;NPVS_INTERFACE_TYPE=vhost-user"
check "ADD DPDK pod (CNI_ARGS NPVS_INTERFACE_TYPE=vhost-user)" is_ok
SOCK=$(jget 'd["interfaces"][0]["socketPath"]' <<< "$OUT")
check "result: socketPath in the pod's directory" [ "$SOCK" = "$T/vhost/dpdk1-eth0/vhu.sock" ]
check "result: one interface, in the sandbox, ips point at it" \
	[ "$(jget 'str(len(d["interfaces"]))+d["interfaces"][0]["sandbox"]+str(d["ips"][0]["interface"])' <<< "$OUT")" = "1$(nspath d)0" ]
check "the pod's directory exists" [ -d "$T/vhost/dpdk1-eth0" ]
check "npvsd: vhost port, npvsd is client (default), the config's mtu" \
	[ "$(npvsd_req port_list | jget 'd["ports"][0]["type"]+" "+d["ports"][0]["detail"]')" = "vhost $SOCK (client, mtu 1450)" ]
check "no veth for a DPDK pod" [ -z "$(npv_links)" ]
with_prev "$T/c.json" "$OUT" "$T/prev-d.json"
cni CHECK dpdk1 eth0 "$(nspath d)" "$T/prev-d.json" "IgnoreUnknown=1;K8S_POD_NAME=dp;K8S_POD_NAMESPACE=ns1"
check "CHECK of the DPDK pod passes" is_ok
touch "$T/vhost/dpdk1-eth0/vhu.sock"     # as if the pod had served it
cni DEL dpdk1 eth0 "$(nspath d)" "$T/c.json" "IgnoreUnknown=1;K8S_POD_NAME=dp;K8S_POD_NAMESPACE=ns1"
check "DEL of the DPDK pod removes directory, port, IP" \
	eval 'is_ok && [ ! -e "$T/vhost/dpdk1-eth0" ] && [ -z "$(ports)$(endpoints)$(ipam_ips)" ]'
conf "$T/vs.json" '"interfaceType": "vhost-user", "vhostMode": "server", "mtu": 9000'
cni ADD dpdk2 eth0 "$(nspath d)" "$T/vs.json"
check "config interfaceType + vhostMode server + mtu 9000" \
	eval 'is_ok && npvsd_req port_list | grep -q "(server, mtu 9000)"'
cni DEL dpdk2 eth0 "" "$T/vs.json"
check "DEL with empty netns removes the DPDK pod" [ -z "$(ports)$(ipam_ips)" ]

# ---- concurrency: 8 pods at once, then 8 DELs at once ----
N=8
for i in $(seq $N); do mkns "p$i"; done
JOBS=()
for i in $(seq $N); do
	( cni ADD "par$i" eth0 "$(nspath p$i)" "$T/c.json"; echo "$RC" > "$T/rc.$i" ) &
	JOBS+=($!)
done
wait "${JOBS[@]}"
check "8 parallel ADDs succeed" [ "$(cat "$T"/rc.* | sort -u)" = 0 ]
check "  with 8 distinct IPs, 8 ports, 8 veths" \
	[ "$(ipam_ips | sort -u | wc -l)$(npvsd_req port_list | jget 'len(d["ports"])')$(npv_links | wc -l)" = "888" ]
rm -f "$T"/rc.*
JOBS=()
for i in $(seq $N); do
	( cni DEL "par$i" eth0 "$(nspath p$i)" "$T/c.json"; echo "$RC" > "$T/rc.$i" ) &
	JOBS+=($!)
done
wait "${JOBS[@]}"
check "8 parallel DELs succeed" [ "$(cat "$T"/rc.* | sort -u)" = 0 ]
check "  and leave nothing" [ -z "$(npv_links)$(ipam_ips)$(ports)$(endpoints)" ]

# ---- GC ----
cni ADD gc1 eth0 "$(nspath a)" "$T/c.json"
cni ADD gc2 eth0 "$(nspath b)" "$T/c.json"
cni ADD gc3 eth0 "$(nspath c)" "$T/c.json"
conf "$T/gc.json" '"cni.dev/valid-attachments": [{"containerID": "gc1", "ifname": "eth0"}, {"containerID": "gcX", "ifname": "eth0"}]'
cni GC "" "" "" "$T/gc.json"
check "GC succeeds with no output" eval 'is_ok && is_empty'
check "GC kept gc1 only: one veth, one port, one IP, pod a has eth0" \
	eval '[ "$(npv_links | wc -l)$(npvsd_req port_list | jget "len(d[\"ports\"])")$(ipam_ips | wc -l)" = 111 ] && pod_has a eth0 && ! pod_has b eth0'
cni GC "" "" "" "$T/gc.json"
check "a second GC succeeds" is_ok
cni DEL gc1 eth0 "$(nspath a)" "$T/c.json"

# ---- the example conflist, as a runtime derives the plugin's config ----
# (name and cniVersion injected from the list, runtimeConfig from the
# capability, prevResult of an earlier plugin present)
"$PY" - "$CNI_TESTS/../../docs/examples/10-npvs.conflist" "$T" > "$T/ex.json" <<'EOF'
import json, sys
lst = json.load(open(sys.argv[1]))
p = lst["plugins"][0]
p["name"], p["cniVersion"] = lst["name"], lst["cniVersion"]
t = sys.argv[2]
p.update(socket=t + "/npvsd.sock", stateDir=t + "/state", vhostDir=t + "/vhost",
         logFile=t + "/cni.log")
p["ipam"]["dataDir"] = t + "/ipam"
p["runtimeConfig"] = {"interfaceType": "vhost-user"}
p["prevResult"] = {"cniVersion": "1.1.0", "interfaces": [], "ips": []}
json.dump(p, sys.stdout)
EOF
cni ADD ex1 eth0 "$(nspath a)" "$T/ex.json"
check "example conflist + runtimeConfig capability: a DPDK pod" \
	eval 'is_ok && [ "$(jget "d[\"interfaces\"][0][\"socketPath\"]" <<< "$OUT")" = "$T/vhost/ex1-eth0/vhu.sock" ]'
cni DEL ex1 eth0 "$(nspath a)" "$T/ex.json"
check "  and its DEL" eval 'is_ok && [ -z "$(ports)$(ls "$T/ipam/npvs" | grep -E "^[0-9]")" ]'

# ---- dual stack ----
conf "$T/ds.json"
"$PY" -c 'import json,sys
c=json.load(open(sys.argv[1])); c["ipam"]["ranges"].append([{"subnet": "fd00:123::/64"}])
json.dump(c,open(sys.argv[1],"w"))' "$T/ds.json"
cni ADD ds1 eth0 "$(nspath a)" "$T/ds.json"
check "dual stack ADD: two addresses, both on eth0" eval \
	'is_ok && ip -n $NSP-a addr show eth0 | grep -q "inet 10.123.0" && ip -n $NSP-a addr show eth0 | grep -q "inet6 fd00:123::.*/128"'
check "dual stack: IPv6 default via the calico link-local gateway" \
	ip -n "$NSP-a" -6 route show default | grep -q "via fe80::ecee:eeff:feee:eeee dev eth0"
check "dual stack: both IPs in the endpoint" \
	[ "$(npvsd_req endpoint_list | jget 'len(d["endpoints"][0]["ips"])')" = 2 ]
cni DEL ds1 eth0 "$(nspath a)" "$T/ds.json"
check "dual stack DEL releases both" eval 'is_ok && [ -z "$(ipam_ips)" ]'

# ---- STATUS ----
cni STATUS "" "" "" "$T/c.json"
check "STATUS with npvsd up succeeds, no output" eval 'is_ok && is_empty'

# ---- npvsd gone between ADD and DEL ----
cni ADD late eth0 "$(nspath a)" "$T/c.json"
stop_fake
cni DEL late eth0 "$(nspath a)" "$T/c.json"
check "DEL with npvsd down still cleans up locally and succeeds" \
	eval 'is_ok && [ -z "$(npv_links)$(ipam_ips)" ] && ! pod_has a eth0'
cni STATUS "" "" "" "$T/c.json"
check "STATUS with npvsd down: code 50" is_code 50
finish
