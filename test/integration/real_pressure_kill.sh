#!/bin/bash
# Real memory pressure in a real cgroup2 group: unitoomd, configured with a
# pressure_above ruleset from a JSON file, kills the generator; an idle
# cgroup beside it is left alone. Exit 77 (skipped) names the missing
# capability. Everything started is stopped by PID, every cgroup removed.
set -u
UNITOOMD=$1 GEN=$2
skip() { echo "SKIPPED: $*"; exit 77; }
fail() { echo "FAILED: $*"; [ -f "${WORK:-/nonexistent}/daemon.log" ] && sed 's/^/  daemon| /' "$WORK/daemon.log"; exit 1; }

[ "$(id -u)" = 0 ] || skip "needs root (creates cgroups)"
ROOT=""
for r in /sys/fs/cgroup /sys/fs/cgroup/unified; do [ -e $r/cgroup.controllers ] && { ROOT=$r; break; }; done
[ -n "$ROOT" ] || skip "no cgroup2 hierarchy mounted"
NAME=unitoomd-itest-$$
CG=$ROOT/$NAME
PIDS=()
V1=""
WORK=""
cleanup() {
  for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null; done
  for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null; done
  [ -n "$V1" ] && rmdir "$V1" 2>/dev/null
  for d in "$CG/hog" "$CG/idle" "$CG"; do [ -d "$d" ] && rmdir "$d"; done
  [ -n "$WORK" ] && rm -rf "$WORK"
}
trap cleanup EXIT
mkdir "$CG" "$CG/hog" "$CG/idle" 2>/dev/null || skip "cannot create cgroups under $ROOT"
[ -e "$CG/hog/memory.pressure" ] || skip "kernel without PSI (no memory.pressure; boot with psi=1)"

# A memory limit makes page-cache thrashing, i.e. memory stall: cgroup2's
# memory.max where the memory controller is enabled, else (hybrid hosts) a
# child of our own v1 memory cgroup.
LIMIT=32M
if [ -e "$CG/hog/memory.max" ]; then
  echo $LIMIT > "$CG/hog/memory.max"
else
  MEMP=/sys/fs/cgroup/memory$(sed -n 's/^[0-9]*:memory://p' /proc/self/cgroup)
  [ -d "$MEMP" ] && mkdir "$MEMP/$NAME" 2>/dev/null || skip "no memory controller to limit the generator (neither cgroup2 memory.max nor a v1 memory cgroup)"
  V1=$MEMP/$NAME
  echo $LIMIT > "$V1/memory.limit_in_bytes"
fi

WORK=$(mktemp -d /var/tmp/unitoomd-itest.XXXXXX)
[ "$(stat -f -c %T "$WORK")" != tmpfs ] || skip "/var/tmp is tmpfs: its pages cannot be evicted without swap"
"$GEN" --file "$WORK/big.bin" --size-mib 256 --seconds 0.01 || fail "cannot create the generator's data file"

cat > "$WORK/rules.json" <<JSON
{
  "rulesets": [
    {
      "name": "itest pressure",
      "description": "A cgroup of $NAME that stalls on memory for 2 s is killed.",
      "detectors": [
        ["stall", {"name": "pressure_above", "args": {"cgroup": "$NAME/*", "resource": "memory", "threshold": "15", "duration": "2"}}]
      ],
      "actions": [
        {"name": "kill_by_memory_size_or_growth", "args": {"cgroup": "$NAME/*"}}
      ]
    }
  ]
}
JSON
printf '[Daemon]\nRulesets=%s\nCgroupRoot=%s\n' "$WORK/rules.json" "$ROOT" > "$WORK/unitoomd.conf"
"$UNITOOMD" --check-config "$WORK/unitoomd.conf" "$WORK/rules.json" || fail "config rejected"

"$UNITOOMD" --config "$WORK/unitoomd.conf" > "$WORK/daemon.log" 2>&1 &
PIDS+=($!)
DAEMON=$!
for _ in $(seq 50); do grep -q 'loaded 1 ruleset' "$WORK/daemon.log" && break; sleep 0.1; done
grep -q 'loaded 1 ruleset' "$WORK/daemon.log" || fail "daemon did not start"

bash -c "echo \$\$ > $CG/idle/cgroup.procs && exec sleep 300" &
PIDS+=($!)
IDLE=$!
T0=$(date +%s.%N)
bash -c "echo \$\$ > $CG/hog/cgroup.procs && { [ -z '$V1' ] || echo \$\$ > '$V1/cgroup.procs'; } && exec '$GEN' --file '$WORK/big.bin' --size-mib 256 --workers 3 --seconds 120" &
PIDS+=($!)
HOG=$!

for _ in $(seq 900); do kill -0 $HOG 2>/dev/null || break; sleep 0.1; done
kill -0 $HOG 2>/dev/null && fail "the generator is still alive after 90 s: $(cat $CG/hog/memory.pressure | tr '\n' ' ')"
wait $HOG
status=$?
T1=$(date +%s.%N)
[ $status = 137 ] || fail "the generator exited with status $status, not by SIGKILL"
grep -q "Killed /$NAME/hog: memory full pressure of /$NAME/hog" "$WORK/daemon.log" || fail "no kill report for /$NAME/hog"
grep -q "A cgroup of $NAME that stalls on memory for 2 s is killed." "$WORK/daemon.log" || fail "kill report lacks the ruleset description"
kill -0 $IDLE 2>/dev/null || fail "the idle bystander was killed"
grep -q "Killed /$NAME/idle" "$WORK/daemon.log" && fail "the idle bystander was chosen"
printf 'generator killed %.2f s after it started (ruleset duration 2 s); idle bystander alive\n' "$(echo "$T1 - $T0" | bc)"
grep -E 'Killed|victim' "$WORK/daemon.log" | cut -c1-200
kill -TERM $DAEMON
wait $DAEMON || fail "daemon exited with an error on SIGTERM"
exit 0
