#!/bin/bash
# Reaction without privileges: how long after (limit crossed + duration) the
# user instance decides, in a real user manager, the yardstick of the VM
# benchmarks (tools/lab/psi-cross.py: the end of the first 1 s window over the
# limit, from `full total=` sampled every 100 ms).
#   tools/lab/bench-reaction.sh UNITOOMD PRESSURE_GEN RUNS [LIMIT_PCT] [DURATION_MS]
# Runs test/e2e/user_pressure_kill.sh RUNS times (6 %, 3 s by default) and
# prints each run's overhead (decision - crossing - duration) and the median.
# Whether the PSI triggers were privileged shows in the last line: this
# machine's lab has no CAP_SYS_RESOURCE, so they have 2 s windows.
set -u
cd "$(dirname "$0")/../.."
UNITOOMD=$(realpath "$1") GEN=$(realpath "$2") RUNS=$3 LIMIT=${4:-6} DURATION_MS=${5:-3000}
OUT=$(mktemp -d /var/tmp/unitoomd-bench-reaction.XXXXXX)
trap 'rm -rf "$OUT"' EXIT
for i in $(seq "$RUNS"); do
  UNITOOMD_E2E_LIMIT=$LIMIT UNITOOMD_E2E_DURATION_MS=$DURATION_MS \
    test/e2e/user_pressure_kill.sh "$UNITOOMD" "$GEN" "$OUT/run$i" > "$OUT/run$i.log" 2>&1 ||
    { echo "run $i failed:"; tail -30 "$OUT/run$i.log"; exit 1; }
done
python3 -c '
import glob, json, statistics, sys
runs = [json.load(open(f)) for f in sorted(glob.glob(sys.argv[1] + "/run*/*.json"))]
over = [r["overhead_ms"] for r in runs if "overhead_ms" in r]
for r in runs:
    print("overhead %5s ms  crossing->decision %5s ms  decision->dead %4s ms" % (
        r.get("overhead_ms"), r.get("limit_crossed_to_decision_ms"), r.get("decision_to_unit_dead_ms")))
if len(over) < len(runs): print("%d runs without a crossing" % (len(runs) - len(over)))
print("median overhead %s ms [%s, %s] over %d runs" % (statistics.median(over), min(over), max(over), len(over)) if over else "no figures")
' "$OUT"
# CAP_SYS_RESOURCE (bit 24) decides the trigger window (the daemon logs it too)
if (( ($(printf '%d' "0x$(awk '/^CapEff/ {print $2}' /proc/self/status)") >> 24) & 1 )); then
  echo "triggers: privileged (500 ms windows)"
else
  echo "triggers: unprivileged (2 s windows, checked by the kernel every 2 s)"
fi
