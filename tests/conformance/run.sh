#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Conformance of npvs's policy compiler to the NetworkPolicy specification,
# checked offline through `npvsctl reach -o json` (no npvsd, no hugepages):
# every directory in scenarios/ holds manifests and an expected.txt whose
# reachability matrices were written by hand from the specification, with a
# comment saying why (check_reach.py compares them). Then a few checks of
# the command itself: refused input, usage errors, table output.
#
# usage: run.sh NPVSCTL
set -uo pipefail
npvsctl=${1:?usage: run.sh NPVSCTL}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

bad() { echo "FAIL: $*"; fail=1; }
# npvsctl reach's private EAL run-time directories (manifest-reach-PID)
# that exist now: other people's runs may be using theirs (check 6)
eal_dirs_before=$(ls -d /var/run/dpdk/manifest-reach-* 2> /dev/null)

# 1. the scenarios
n=0
for s in "$here"/scenarios/*/; do
	n=$((n + 1))
	python3 "$here/check_reach.py" "$npvsctl" "$s" || bad "$(basename "$s")"
done
[ "$n" -ge 15 ] || bad "only $n scenarios found"

# 2. the checker can fail: a deliberately wrong expectation must be caught
if python3 "$here/check_reach.py" "$npvsctl" "$here/selftest-wrong" \
		> "$tmp/self.out" 2>&1; then
	bad "check_reach.py accepted a wrong expectation"
elif ! grep -q "y/a -> x/a: expected allowed, got denied" "$tmp/self.out"; then
	bad "check_reach.py did not name the wrong verdict: $(cat "$tmp/self.out")"
fi

# 3. refused input: exit 1, the file, line, object and field named,
#    nothing printed on stdout
cat > "$tmp/bad.yaml" <<'YAML'
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: web
spec:
  ingress:
  - ports:
    - port: 80
      endPort: 79
YAML
"$npvsctl" reach -f "$here/cluster.yaml" -f "$tmp/bad.yaml" -o json \
	> "$tmp/out" 2> "$tmp/err"
rc=$?
[ "$rc" -eq 1 ] || bad "refused input: exit $rc, not 1"
grep -q "bad.yaml:9:7: NetworkPolicy default/web: /spec/ingress/0/ports/0/endPort:" \
	"$tmp/err" || bad "refused input: message: $(cat "$tmp/err")"
[ ! -s "$tmp/out" ] || bad "refused input: printed a result"

# 4. usage errors: exit 2
"$npvsctl" reach -o json > /dev/null 2>&1
[ $? -eq 2 ] || bad "reach without -f: not exit 2"
"$npvsctl" reach -f "$here/cluster.yaml" --port 0/TCP > /dev/null 2>&1
[ $? -eq 2 ] || bad "reach --port 0: not exit 2"

# 5. the table says what the JSON says (scenario 04, port 80/TCP)
s="$here/scenarios/04-allow-from-namespace-label"
"$npvsctl" reach -f "$here/cluster.yaml" -f "$s/policy.yaml" --port 80/TCP \
	-o table > "$tmp/table" || bad "table output failed"
"$npvsctl" reach -f "$here/cluster.yaml" -f "$s/policy.yaml" --port 80/TCP \
	-o json > "$tmp/json" || bad "json output failed"
python3 - "$tmp/table" "$tmp/json" <<'PY' || bad "table and JSON disagree"
import json, sys
lines = [l.split() for l in open(sys.argv[1]) if l.strip()]
assert lines[0] == ["80/TCP:"], lines[0]
cols = lines[1]
table = {}
for row in lines[2:2 + len(cols)]:
    for dst, cell in zip(cols, row[1:]):
        table[(row[0], dst)] = cell
for e in json.load(open(sys.argv[2])):
    want = "." if e["allowed"] else "X"
    assert table[(e["from"], e["to"])] == want, e
assert table[("z/a", "x/a")] == "X" and table[("y/c", "x/a")] == "."
PY

# 6. no run-time directory left behind by the private EAL: one that
# appeared during this run and whose process is gone (a concurrent run's
# live process keeps its own until it exits)
for d in /var/run/dpdk/manifest-reach-*; do
	[ -e "$d" ] || continue
	grep -qxF "$d" <<<"$eal_dirs_before" && continue
	kill -0 "${d##*-}" 2> /dev/null && continue
	bad "EAL run-time directory left behind: $d"
done

[ "$fail" -eq 0 ] && echo "conformance: all checks passed"
exit "$fail"
