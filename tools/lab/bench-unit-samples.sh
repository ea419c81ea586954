#!/bin/bash
# The cost of one sample with N unit rulesets: N real cgroups under one
# parent, each with the ruleset a unit with ManagedOOMMemoryPressure=kill
# gets (policy/unit_policy.cpp: pressure_above and memory_reclaim on the
# unit's own cgroup, kill_by_pressure_cause under it), sampled by each given
# bench-sample build in turn, ROUNDS rounds (a busy machine weighs on them
# alike). "calm": the rules as a unit gets them (the parent is calm);
# "all": threshold 0, which no bound can clear, so every cgroup is read.
# No lab lock needed: plain cgroups of our own, removed on exit.
#   tools/lab/bench-unit-samples.sh NAME=BENCH_SAMPLE[,NAME=BENCH_SAMPLE...] [N] [ROUNDS] [SAMPLES]
# Prints one JSON line a build, variant and round.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=cgroup-lab.sh
source "$HERE/cgroup-lab.sh"
BUILDS=$1 N=${2:-1000} ROUNDS=${3:-3} SAMPLES=${4:-40}
lab_init "unitoomd-unit-samples-$$"
lab_group units
for i in $(seq "$N"); do mkdir "$LAB_CG/units/u$i.slice"; LAB_GROUPS+=("$LAB_CG/units/u$i.slice"); done
ruleset() {  # CGROUP THRESHOLD
  printf '{"name": "%s/ManagedOOMMemoryPressure", "description": "A unit.", "detectors": [["memory pressure",
  {"name": "pressure_above", "args": {"cgroup": "%s", "resource": "memory", "pressure": "full", "threshold": %s, "duration": "30s", "window": "1s"}},
  {"name": "memory_reclaim", "args": {"cgroup": "%s", "duration": "30s"}}]],
  "actions": [{"name": "kill_by_pressure_cause", "args": {"cgroup": "%s", "leaves": true}}]}' "$1" "$1" "$2" "$1" "$1"
}
for variant in calm all; do
  threshold=60
  [ $variant = all ] && threshold=0
  {
    printf '{"rulesets": ['
    for i in $(seq "$N"); do
      [ "$i" -gt 1 ] && printf ','
      ruleset "$LAB_NAME/units/u$i.slice" "$threshold"
    done
    printf ']}\n'
  } > "$LAB_WORK/rules-$variant.json"
done
IFS=, read -ra PEERS <<< "$BUILDS"
for variant in calm all; do
  for round in $(seq "$ROUNDS"); do
    for peer in "${PEERS[@]}"; do
      cost=$("${peer#*=}" "$LAB_ROOT" "$LAB_WORK/rules-$variant.json" "$SAMPLES" 250 2>/dev/null)
      echo "{\"units\": $N, \"reads\": \"$variant\", \"build\": \"${peer%%=*}\", \"round\": $round, \"cost\": ${cost:-null}}"
    done
  done
done
