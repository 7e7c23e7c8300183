#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# test_cni_ipam11.sh: delegation to an IPAM plugin that speaks CNI 1.1.0
# (fake_ipam.py), against a stand-in npvsd: the plugin gets the config's
# own version (host-local would get 1.0.0), GC is the IPAM plugin's own GC
# with the valid list (no DEL per stale attachment), and STATUS passes the
# IPAM plugin's failure on.
#
#   test_cni_ipam11.sh PATH/TO/npvs-cni
CNI_PLUGIN=${1:-${CNI_PLUGIN:-}}
. "$(dirname "$0")/cni_lib.sh"

start_fake || exit 1
mkdir -p "$T/bin"
{ echo "#!$PY"; tail -n +2 "$CNI_TESTS/fake_ipam.py"; } > "$T/bin/fake-ipam"
chmod +x "$T/bin/fake-ipam"
CNI_PATH_DIRS="$T/bin:$IPAM_DIR"
conf "$T/c.json"
"$PY" -c 'import json,sys
c=json.load(open(sys.argv[1])); c["ipam"]={"type": "fake-ipam", "dataDir": sys.argv[2]}
json.dump(c,open(sys.argv[1],"w"))' "$T/c.json" "$T/fipam"
mkns a
mkns b
allocs() { ls "$T/fipam" | grep -c @; }

cni ADD g1 eth0 "$(nspath a)" "$T/c.json"
check "ADD with a 1.1.0 IPAM plugin" is_ok
check "  the IPAM plugin got cniVersion 1.1.0" grep -q "^ADD g1 1.1.0$" "$T/fipam/log"
cni ADD g2 eth0 "$(nspath b)" "$T/c.json"
check "  second pod" is_ok
with_prev() {
	"$PY" -c 'import json,sys
c=json.load(open(sys.argv[1])); c["prevResult"]=json.loads(sys.argv[2])
json.dump(c,open(sys.argv[3],"w"))' "$1" "$2" "$3"
}
with_prev "$T/c.json" "$OUT" "$T/prev.json"
cni CHECK g2 eth0 "$(nspath b)" "$T/prev.json"
check "CHECK calls the IPAM plugin's CHECK" \
	eval 'is_ok && grep -q "^CHECK g2" "$T/fipam/log"'

conf "$T/gc.json" '"cni.dev/valid-attachments": [{"containerID": "g1", "ifname": "eth0"}]'
"$PY" -c 'import json,sys
c=json.load(open(sys.argv[1])); c["ipam"]={"type": "fake-ipam", "dataDir": sys.argv[2]}
json.dump(c,open(sys.argv[1],"w"))' "$T/gc.json" "$T/fipam"
cni GC "" "" "" "$T/gc.json"
check "GC succeeds" is_ok
check "  the IPAM plugin's GC ran, no DEL per stale attachment" \
	eval 'grep -q "^GC - 1.1.0$" "$T/fipam/log" && ! grep -q "^DEL" "$T/fipam/log"'
check "  it kept g1's allocation only" [ "$(ls "$T/fipam" | grep @)" = "g1@eth0" ]
check "  pod b's veth is gone, pod a's is there" \
	eval '! pod_has b eth0 && pod_has a eth0 && [ "$(npv_links | wc -l)" -eq 1 ]'

cni STATUS "" "" "" "$T/c.json"
check "STATUS asks the IPAM plugin too" \
	eval 'is_ok && grep -q "^STATUS" "$T/fipam/log"'
touch "$T/fipam/down"
cni STATUS "" "" "" "$T/c.json"
check "STATUS passes the IPAM plugin's code 50 on" is_code 50
rm "$T/fipam/down"

cni DEL g1 eth0 "$(nspath a)" "$T/c.json"
check "DEL" eval 'is_ok && [ "$(allocs)" -eq 0 ] && [ -z "$(npv_links)" ]'
finish
