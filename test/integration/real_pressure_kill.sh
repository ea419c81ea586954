#!/bin/bash
# Real memory pressure in a real cgroup2 group: unitoomd, configured with a
# pressure_above ruleset from a JSON file, kills the generator; an idle
# cgroup beside it is left alone. Exit 77 (skipped) names the missing
# capability. Everything started is stopped by PID, every cgroup removed.
set -u
umask 022  # unitoomd refuses config files others may write
UNITOOMD=$1 GEN=$2
source "$(dirname "$0")/../../tools/lab/cgroup-lab.sh"
fail() { echo "FAILED: $*"; [ -f "$LAB_WORK/daemon.log" ] && sed 's/^/  daemon| /' "$LAB_WORK/daemon.log"; exit 1; }

lab_init unitoomd-itest-$$
lab_group hog
lab_group idle
lab_limit hog 32M
"$GEN" --file "$LAB_WORK/big.bin" --size-mib 256 --seconds 0.01 || fail "cannot create the generator's data file"

cat > "$LAB_WORK/rules.json" <<JSON
{
  "rulesets": [
    {
      "name": "itest pressure",
      "description": "A cgroup of $LAB_NAME that stalls on memory for 2 s is killed.",
      "detectors": [
        ["stall", {"name": "pressure_above", "args": {"cgroup": "$LAB_NAME/*", "resource": "memory", "threshold": "15", "duration": "2"}}]
      ],
      "actions": [
        {"name": "kill_by_memory_size_or_growth", "args": {"cgroup": "$LAB_NAME/*"}}
      ]
    }
  ]
}
JSON
printf '[Daemon]\nRulesets=%s\nCgroupRoot=%s\n' "$LAB_WORK/rules.json" "$LAB_ROOT" > "$LAB_WORK/unitoomd.conf"
"$UNITOOMD" --check-config "$LAB_WORK/unitoomd.conf" "$LAB_WORK/rules.json" || fail "config rejected"

"$UNITOOMD" --no-systemd --config "$LAB_WORK/unitoomd.conf" > "$LAB_WORK/daemon.log" 2>&1 &
DAEMON=$!
LAB_PIDS+=($DAEMON)
for _ in $(seq 50); do grep -q 'loaded 1 ruleset' "$LAB_WORK/daemon.log" && break; sleep 0.1; done
grep -q 'loaded 1 ruleset' "$LAB_WORK/daemon.log" || fail "daemon did not start"

lab_spawn idle sleep 300
IDLE=$LAB_PID
T0=$(date +%s.%N)
lab_spawn hog "$GEN" --file "$LAB_WORK/big.bin" --size-mib 256 --workers 3 --seconds 120
HOG=$LAB_PID

for _ in $(seq 900); do kill -0 $HOG 2>/dev/null || break; sleep 0.1; done
kill -0 $HOG 2>/dev/null && fail "the generator is still alive after 90 s: $(tr '\n' ' ' < "$LAB_CG/hog/memory.pressure")"
{ wait $HOG; } 2>/dev/null
status=$?
T1=$(date +%s.%N)
[ $status = 137 ] || fail "the generator exited with status $status, not by SIGKILL"
# The report comes once the kill is confirmed (the cgroup emptied), a sample later.
for _ in $(seq 30); do grep -q "Killed /$LAB_NAME/hog" "$LAB_WORK/daemon.log" && break; sleep 0.1; done
grep -q "Killed /$LAB_NAME/hog with .*: memory full pressure of /$LAB_NAME/hog" "$LAB_WORK/daemon.log" || fail "no kill report for /$LAB_NAME/hog"
grep -q "A cgroup of $LAB_NAME that stalls on memory for 2 s is killed." "$LAB_WORK/daemon.log" || fail "kill report lacks the ruleset description"
kill -0 $IDLE 2>/dev/null || fail "the idle bystander was killed"
grep -q "Killed /$LAB_NAME/idle" "$LAB_WORK/daemon.log" && fail "the idle bystander was chosen"
printf 'generator killed %.2f s after it started (ruleset duration 2 s); idle bystander alive\n' "$(echo "$T1 - $T0" | bc)"
grep -E 'Killed|victim' "$LAB_WORK/daemon.log" | cut -c1-200
kill -TERM $DAEMON
wait $DAEMON || fail "daemon exited with an error on SIGTERM"
exit 0
