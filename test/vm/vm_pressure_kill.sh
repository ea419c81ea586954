#!/bin/bash
# In the VM lab (a real kernel with the memory controller and swap, systemd
# 252 as PID 1, unitoomd installed from the build tree and run as the real
# root it is in production): a hog under memory.high with
# ManagedOOMMemoryPressure=kill is killed with result oom-kill, its bystander
# lives, and the kill report ranks by memory.stat (refaults, reclaim scans),
# the path this host's cgroup2 cannot exercise.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${1:-$ROOT/build}
[ "$(id -u)" = 0 ] || { echo "SKIPPED: needs root (debootstrap, chroot)"; exit 77; }
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
"$ROOT/tools/vmlab/build.sh" "$BUILD" > "$OUT/build.log" 2>&1 ||
  { tail -20 "$OUT/build.log"; echo "SKIPPED: the VM image could not be built (see above)"; exit 77; }
"$ROOT/tools/vmlab/run.sh" unitoomd pressure 1 2 "$OUT/results.jsonl"
rc=$?
[ $rc = 77 ] && exit 77
[ $rc = 0 ] || { echo "FAIL: the VM run failed"; exit 1; }
python3 - "$OUT/results.jsonl" <<'PY' || exit 1
import json, sys
r = [json.loads(l) for l in open(sys.argv[1])]
assert len(r) == 1, r
r = r[0]
assert r["result"] == "oom-kill", "hog ended with %s" % r["result"]
assert r["bystander_alive"], "the bystander died"
assert r["decision"] and r["limit_crossed"], r
print("crossed->decision %d ms (duration 2000 ms), decision->dead %d ms" % (
    (r["decision"] - r["limit_crossed"]) / 1000, (r["unit_dead"] - r["decision"]) / 1000))
PY
LOG=$(ls -t "$OUT"/results-unitoomd-*.log | head -1)
grep -a "VMLAB-LOG Killed hog.service" "$LOG" | head -1
grep -a "VMLAB-LOG Killed hog.service" "$LOG" | grep -q "memory.stat unavailable" &&
  { echo "FAIL: unitoomd did not use memory.stat in the VM"; exit 1; }
grep -a -q "VMLAB-LOG Killed hog.service .*with KillUnit" "$LOG" || { echo "FAIL: no kill report through KillUnit"; exit 1; }
echo PASS
