#!/usr/bin/env bash
# The README's second command (and what CI runs): set up the host, build, and
# run every unit and integration test. Exits non-zero if any test fails.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)

"$top/tools/setup-host.sh"
"$top/tools/build.sh"

# One test at a time: the switch's PMD busy-polls a core and there are two.
rc=0
meson test -C "$top/build" --num-processes 1 --print-errorlogs "$@" || rc=$?

# A plain closing line that any CI log reader understands.
python3 - "$top/build/meson-logs/testlog.json" <<'PY'
import json, sys
passed = failed = skipped = 0
for line in open(sys.argv[1]):
    r = json.loads(line)["result"]
    if r in ("OK", "EXPECTEDFAIL"):
        passed += 1
    elif r == "SKIP":
        skipped += 1
    else:
        failed += 1
print(f"{passed} passed, {failed} failed, {skipped} skipped")
PY
exit $rc
