#!/bin/bash
# In the VM lab (a real kernel with the memory controller and swap, systemd
# 252 as PID 1, unitoomd installed from the build tree and run as the real
# root it is in production), in one boot:
# - pressure: a hog under memory.high with ManagedOOMMemoryPressure=kill is
#   killed with result oom-kill, its bystander lives, and the kill report
#   ranks by memory.stat (refaults, reclaim scans), the path this host's
#   cgroup2 cannot exercise;
# - swap: with ManagedOOMSwap=kill on -.slice (Debian's default), a hog that
#   fills swap beside a filler that pins memory without swap is killed
#   (oom-kill) by one of -.slice's rulesets, saying why, and the filler,
#   which uses no swap, lives.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${1:-$ROOT/build}
[ "$(id -u)" = 0 ] || { echo "SKIPPED: needs root (debootstrap, chroot)"; exit 77; }
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
"$ROOT/tools/vmlab/build.sh" "$BUILD" > "$OUT/build.log" 2>&1 ||
  { tail -20 "$OUT/build.log"; echo "SKIPPED: the VM image could not be built (see above)"; exit 77; }
"$ROOT/tools/vmlab/run.sh" unitoomd pressure,swap 1 2 "$OUT/results.jsonl"
rc=$?
[ $rc = 77 ] && exit 77
[ $rc = 0 ] || { echo "FAIL: the VM run failed"; exit 1; }
LOG=$(ls -t "$OUT"/results-unitoomd-*.log | head -1)
# the right victims, killed for a stated reason, nothing else killed, and
# unitoomd's wake-ups while swap fills (tools/vmlab/check_kill.py says why
# either of -.slice's rulesets may take the swap hog)
python3 "$ROOT/tools/vmlab/check_kill.py" "$OUT/results.jsonl" "$LOG"
