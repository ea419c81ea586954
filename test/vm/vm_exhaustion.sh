#!/bin/bash
# In the VM lab, one run each of memory running out where PSI warns late:
# - noswap: swap off, a grower taking anonymous memory as fast as the
#   emulated CPU lets it (asked 400 MiB/s) beside a 300 MiB holder;
# - zram: the same with swap only on zram (1 GiB, mem_limit 384 MiB), swapped
#   on after unitoomd started;
# - zramslow: a grower at 25 MiB/s whose pages compress 2:1, filling zram.
# Each time unitoomd must kill the grower (oom-kill) before the kernel's OOM
# killer fires, and the holder must live.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${1:-$ROOT/build}
[ "$(id -u)" = 0 ] || { echo "SKIPPED: needs root (debootstrap, chroot)"; exit 77; }
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
"$ROOT/tools/vmlab/build.sh" "$BUILD" > "$OUT/build.log" 2>&1 ||
  { tail -20 "$OUT/build.log"; echo "SKIPPED: the VM image could not be built (see above)"; exit 77; }
"$ROOT/tools/vmlab/run.sh" unitoomd noswap,zram,zramslow 1 2 "$OUT/results.jsonl"
rc=$?
[ $rc = 77 ] && exit 77
[ $rc = 0 ] || { echo "FAIL: the VM run failed"; exit 1; }
LOG=$(ls -t "$OUT"/results-unitoomd-*.log | head -1)
grep -a "VMLAB-LOG Killed grower.service" "$LOG"
grep -a -q "vmlab: no zram module" "$LOG" && { echo "SKIPPED: the guest kernel has no zram"; exit 77; }
python3 - "$OUT/results.jsonl" <<'PY' || { grep -a "VMLAB-LOG" "$LOG" | grep -v "timing towards" | tail -20; exit 1; }
import json, sys
runs = {r["scenario"]: r for r in map(json.loads, open(sys.argv[1]))}
assert set(runs) == {"noswap", "zram", "zramslow"}, runs
for scenario, r in sorted(runs.items()):
    assert r["kernel_oom"] is None or (r["decision"] and r["decision"] < r["kernel_oom"]), \
        "%s: the kernel's OOM killer fired first (victim %s)" % (scenario, r["kernel_oom_victim"])
    assert r["decision"], "%s: unitoomd never decided (result %s)" % (scenario, r["result"])
    assert r["result"] == "oom-kill", "%s: the grower ended with %s" % (scenario, r["result"])
    assert r["bystander_alive"], "%s: the holder died" % scenario
    print("%s: start->decision %.1f s, decision->dead %d ms, grower peak %d MiB at %s MiB/s" % (
        scenario, (r["decision"] - r["generator_start"]) / 1e6, (r["unit_dead"] - r["decision"]) / 1000,
        r["grower_peak_mib"], r["grower_mib_per_sec"]))
PY
echo PASS
