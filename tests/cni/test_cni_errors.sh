#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# test_cni_errors.sh: npvs-cni's error paths with no npvsd running: bad
# input gets the right CNI error code in exactly one JSON document, ADD
# with npvsd down leaves nothing behind, VERSION takes dummy values, DEL
# succeeds with an empty or stale CNI_NETNS and releases the IP.
#
#   test_cni_errors.sh PATH/TO/npvs-cni
CNI_PLUGIN=${1:-${CNI_PLUGIN:-}}
. "$(dirname "$0")/cni_lib.sh"

mkns a
NS=$(nspath a)
conf "$T/c.json"

# ---- VERSION ----
OUT=$(env -i CNI_COMMAND=VERSION CNI_CONTAINERID=dummy CNI_NETNS=dummy \
	CNI_IFNAME=dummy CNI_PATH=dummy "$CNI_PLUGIN" <<< '{"cniVersion":"1.0.0"}')
RC=$?
check "VERSION with dummy values succeeds" is_ok
check "VERSION lists 0.4.0 1.0.0 1.1.0" \
	[ "$(jget '" ".join(d["supportedVersions"])' <<< "$OUT")" = "0.4.0 1.0.0 1.1.0" ]
check "VERSION answers in the input's version" \
	[ "$(jget 'd["cniVersion"]' <<< "$OUT")" = "1.0.0" ]
OUT=$(env -i CNI_COMMAND=VERSION "$CNI_PLUGIN" < /dev/null); RC=$?
check "VERSION with empty stdin succeeds" is_ok

# ---- bad input ----
echo '{"cniVersion": "1.0.0", "name": ' > "$T/bad.json"
cni ADD c1 eth0 "$NS" "$T/bad.json"
check "truncated JSON: code 6" is_code 6
echo '{"cniVersion": "1.1.0", "type": "npvs-cni", "ipam": {"type": "host-local"}}' > "$T/noname.json"
cni ADD c1 eth0 "$NS" "$T/noname.json"
check "missing name: code 4" is_code 4
echo '{"cniVersion": "1.1.0", "name": "n", "type": "npvs-cni"}' > "$T/noipam.json"
cni ADD c1 eth0 "$NS" "$T/noipam.json"
check "missing ipam: code 4" is_code 4
VERSION=0.3.1 conf "$T/old.json"
cni ADD c1 eth0 "$NS" "$T/old.json"
check "cniVersion 0.3.1: code 1" is_code 1
VERSION=0.4.0 conf "$T/v040.json"
cni ADD c1 eth0 "" "$T/v040.json"
check "ADD without CNI_NETNS: code 7" is_code 7
check "the error is in the config's version" \
	[ "$(jget 'd["cniVersion"]' <<< "$OUT")" = "0.4.0" ]
cni FOO c1 eth0 "$NS" "$T/c.json"
check "unknown CNI_COMMAND: code 7" is_code 7
cni ADD c1 "bad/if" "$NS" "$T/c.json"
check "invalid CNI_IFNAME: code 7" is_code 7
cni ADD c1 eth0 "$NS" "$T/c.json" "K8S_POD_NAME=a;junk"
check "malformed CNI_ARGS: code 7" is_code 7
cni ADD c1 eth0 /run/netns/$NSP-does-not-exist "$T/c.json"
check "ADD with a netns that does not exist: code 7" is_code 7
cni ADD c1 eth0 /etc/hostname "$T/c.json"
check "ADD with a file that is no netns: code 7" is_code 7
conf "$T/masq.json" '"ipMasq": true'
cni ADD c1 eth0 "$NS" "$T/masq.json"
check "ipMasq: code 2 (unsupported field)" is_code 2

# ---- npvsd down ----
cni ADD c1 eth0 "$NS" "$T/c.json"
check "ADD with npvsd down: code 11" is_code 11
check "  no host veth left" [ -z "$(npv_links)" ]
check "  no IP allocated" [ -z "$(ipam_ips)" ]
check "  no interface in the pod" not pod_has a eth0
check "  no state left" [ -z "$(ls "$T/state/npvs-test" 2>/dev/null)" ]
: > "$T/npvsd.sock"
cni ADD c1 eth0 "$NS" "$T/c.json"
check "ADD with a dead socket file: code 11" is_code 11
rm -f "$T/npvsd.sock"

# ---- STATUS ----
cni STATUS "" "" "" "$T/c.json"
check "STATUS with npvsd down: code 50" is_code 50

# ---- DEL ----
# an allocation as an earlier ADD would have left it
env -i CNI_COMMAND=ADD CNI_CONTAINERID=c9 CNI_NETNS="$NS" CNI_IFNAME=eth0 \
	CNI_PATH="$IPAM_DIR" "$IPAM_DIR/host-local" < "$T/c.json" > /dev/null 2>&1 ||
	sed 's/"1.1.0"/"1.0.0"/' "$T/c.json" | env -i CNI_COMMAND=ADD \
	CNI_CONTAINERID=c9 CNI_NETNS="$NS" CNI_IFNAME=eth0 CNI_PATH="$IPAM_DIR" \
	"$IPAM_DIR/host-local" > /dev/null
check "(setup) host-local holds an IP for c9" [ -n "$(ipam_ips)" ]
cni DEL c9 eth0 "" "$T/c.json"
check "DEL with empty CNI_NETNS succeeds" is_ok
check "  with no output" is_empty
check "  and releases the IP" [ -z "$(ipam_ips)" ]
cni DEL c9 eth0 /run/netns/$NSP-gone "$T/c.json"
check "DEL with a stale CNI_NETNS succeeds" is_ok
cni DEL c9 eth0 "$NS" "$T/c.json"
check "DEL of an unknown container succeeds" is_ok
CNI_PATH_DIRS=/nonexistent cni DEL c9 eth0 "" "$T/c.json"
check "DEL without the IPAM plugin fails (cannot release)" is_code 4

# ---- CHECK ----
conf "$T/prev.json" '"prevResult": {"cniVersion": "1.1.0", "interfaces": [{"name": "eth0", "sandbox": "'"$NS"'"}], "ips": [{"address": "10.123.0.2/32", "interface": 0}]}'
cni CHECK c1 eth0 "$NS" "$T/prev.json"
check "CHECK of an unknown container: code 3" is_code 3
cni CHECK c1 eth0 "$NS" "$T/c.json"
check "CHECK without prevResult: code 4" is_code 4

check "nothing logged to stdout but the documents (stderr has the log)" \
	grep -q "npvs-cni" "$T/cni.log"
finish
