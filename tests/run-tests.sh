#!/usr/bin/env bash
# Runs every test suite (unit, then integration) of a built tree and ends
# with one line "tests: N passed, N failed". Exit status 0 only if all pass.
set -uo pipefail
build=${1:?usage: run-tests.sh BUILD_DIR}

rc=0
# One run, so testlog.json holds every result; integration tests are
# is_parallel: false and so run alone.
meson test -C "$build" --print-errorlogs --no-rebuild \
	--suite unit --suite integration || rc=1

python3 - "$build/meson-logs/testlog.json" <<'PY' || rc=1
import json, sys
passed = failed = skipped = 0
for line in open(sys.argv[1]):
    r = json.loads(line)
    if r["result"] in ("OK", "EXPECTEDFAIL"):
        passed += 1
    elif r["result"] == "SKIP":
        skipped += 1
    else:
        failed += 1
print(f"tests: {passed} passed, {failed} failed, {skipped} skipped")
sys.exit(1 if failed or passed == 0 else 0)
PY
exit $rc
