# What every end-to-end scenario shares: failing with the evidence, the
# timeline file the benchmarks reuse, waiting for things. Sourced by the
# scenario libraries for the user manager and the system container.
# shellcheck shell=bash

# The scenario's timeline: CLOCK_MONOTONIC microseconds of what happened (the
# clock of systemd's *TimestampMonotonic properties, the journal's
# __MONOTONIC_TIMESTAMP and psi-cross.py), written as JSON with the intervals
# a person reads (ms) beside them.
declare -A TIMELINE=()
timeline() { TIMELINE[$1]=$2; }

timeline_write() {
  local dir=${E2E_TIMELINE_DIR:-} key
  [ -n "$dir" ] || return 0
  mkdir -p "$dir"
  {
    printf '{"scenario": "%s"' "$SCENARIO"
    for key in "${!TIMELINE[@]}"; do printf ', "%s": %s' "$key" "${TIMELINE[$key]}"; done
    printf '}\n'
  } | python3 -c '
import json, sys
t = json.load(sys.stdin)
def ms(a, b):
    if t.get(a) and t.get(b): t[a + "_to_" + b + "_ms"] = round((t[b] - t[a]) / 1000)
for a, b in [("generator_start", "limit_crossed"), ("limit_crossed", "decision"), ("decision", "unit_dead"),
             ("generator_start", "unit_dead"), ("limit_crossed", "unit_dead")]:
    ms(a, b)
if t.get("limit_crossed") and t.get("decision") and "duration_ms" in t:
    t["overhead_ms"] = round((t["decision"] - t["limit_crossed"]) / 1000 - t["duration_ms"])
json.dump(t, sys.stdout, indent=1, sort_keys=True)
print()' > "$dir/$SCENARIO.json"
  python3 -c 'import json,sys; t=json.load(open(sys.argv[1])); print("timeline:", ", ".join("%s %s ms" % (k[:-3], v) for k, v in sorted(t.items()) if k.endswith("_ms") and k != "duration_ms"))' "$dir/$SCENARIO.json"
}

now_usec() { python3 -c 'import time; print(int(time.monotonic() * 1e6))'; }

# wait_until SECONDS CMD...: polls CMD every 0.2 s.
wait_until() {
  local secs=$1 _
  shift
  for _ in $(seq $((secs * 5))); do "$@" && return 0; sleep 0.2; done
  return 1
}

# Samples PRESSURE_FILE in the background and records when its full stall
# crossed LIMIT_PCT (tools/lab/psi-cross.py); psi_cross_result reads it.
PSI_CROSS_PID=""
psi_cross_start() {
  PSI_CROSS_OUT=$(mktemp /run/unitoomd-psi-cross.XXXXXX 2>/dev/null || mktemp)
  python3 "$E2E_LIB/../../../tools/lab/psi-cross.py" "$1" "$2" "$PSI_CROSS_OUT" 120 &
  PSI_CROSS_PID=$!
  sleep 1.2  # whole 1 s windows before the load starts
}
psi_cross_stop() {
  [ -n "$PSI_CROSS_PID" ] && { kill "$PSI_CROSS_PID" 2>/dev/null; wait "$PSI_CROSS_PID" 2>/dev/null; }
  PSI_CROSS_PID=""
  [ -f "${PSI_CROSS_OUT:-}" ] || return 0
  local v
  v=$(sed -n 's/^limit_crossed_usec=//p' "$PSI_CROSS_OUT")
  [ -n "$v" ] && timeline limit_crossed "$v"
  v=$(sed -n 's/^first_stall_usec=//p' "$PSI_CROSS_OUT")
  [ -n "$v" ] && timeline first_stall "$v"
  rm -f "$PSI_CROSS_OUT"
}

E2E_LIB=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
