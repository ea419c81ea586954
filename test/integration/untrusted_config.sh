#!/bin/bash
# Config files that someone other than root may change are refused, as sudo
# refuses such a sudoers: `--check-config` names them and fails; the daemon
# does not start on one; and on SIGHUP it keeps its last good rulesets and
# says which file was refused and why. A fixture cgroup tree: no kernel
# feature needed.
set -u
UNITOOMD=$1
umask 022
W=$(mktemp -d)
chmod 755 "$W"
DAEMON=""
cleanup() { [ -n "$DAEMON" ] && kill -9 "$DAEMON" 2>/dev/null && wait "$DAEMON" 2>/dev/null; rm -rf "$W"; }
trap cleanup EXIT
fail() { echo "FAILED: $*"; [ -f "$W/daemon.log" ] && sed 's/^/  daemon| /' "$W/daemon.log"; exit 1; }
wait_log() { for _ in $(seq 50); do grep -q -- "$1" "$W/daemon.log" && return 0; sleep 0.1; done; fail "log never said: $1"; }

mkdir -p "$W/cg/work/hog" "$W/proc/pressure"
touch "$W/cg/cgroup.procs" "$W/cg/work/cgroup.procs" "$W/cg/work/hog/cgroup.procs"
printf 'some avg10=90.00 avg60=50.00 avg300=10.00 total=100\nfull avg10=90.00 avg60=50.00 avg300=10.00 total=100\n' > "$W/cg/work/memory.pressure"
cp "$W/cg/work/memory.pressure" "$W/cg/work/hog/memory.pressure"
cp "$W/cg/work/memory.pressure" "$W/proc/pressure/memory"
printf 'MemTotal: 1000 kB\nMemAvailable: 500 kB\n' > "$W/proc/meminfo"
rules() {
  cat > "$W/rules.json" <<JSON
{"rulesets": [{"name": "$1", "description": "Ruleset $1.", "post_action_delay": 1,
  "detectors": [["stall", {"name": "pressure_above", "args": {"cgroup": "work", "resource": "memory", "threshold": 50, "window": "avg10"}}]],
  "actions": [{"name": "kill_by_pressure", "args": {"cgroup": "work/*", "resource": "memory"}}]}]}
JSON
}
rules good
printf '[Daemon]\nRulesets=%s\nIdleIntervalSec=1s\nDryRun=yes\n' "$W/rules.json" > "$W/u.conf"

# --check-config: a world-writable file is refused, named, and fails the check
"$UNITOOMD" --check-config "$W/u.conf" "$W/rules.json" > "$W/check.out" 2>&1 || { cat "$W/check.out"; fail "good files refused"; }
chmod 666 "$W/rules.json"
"$UNITOOMD" --check-config "$W/u.conf" "$W/rules.json" > "$W/check.out" 2>&1 && fail "--check-config passed a world-writable file"
grep -q -- "^$W/rules.json: refused: is writable by others (mode 0666)" "$W/check.out" || { cat "$W/check.out"; fail "--check-config did not name the file"; }
chmod 666 "$W/u.conf"
"$UNITOOMD" --check-config "$W/u.conf" > "$W/check.out" 2>&1 && fail "--check-config passed a world-writable unitoomd.conf"
grep -q -- "^$W/u.conf: refused: is writable by others (mode 0666)" "$W/check.out" || { cat "$W/check.out"; fail "--check-config did not name unitoomd.conf"; }
chmod 644 "$W/u.conf"

# At start: refused, as a syntax error would be
"$UNITOOMD" --no-systemd --config "$W/u.conf" --cgroup-root "$W/cg" --proc-root "$W/proc" > "$W/daemon.log" 2>&1 &
DAEMON=$!
for _ in $(seq 50); do kill -0 $DAEMON 2>/dev/null || break; sleep 0.1; done
kill -0 $DAEMON 2>/dev/null && fail "the daemon started with a world-writable rulesets file"
wait $DAEMON && fail "the daemon exited 0 with a world-writable rulesets file"
DAEMON=""
grep -q -- "$W/rules.json: refused: is writable by others (mode 0666)" "$W/daemon.log" || fail "start-up refusal not logged"

# On SIGHUP: a group-writable rulesets file is refused, the last good one runs on
chmod 644 "$W/rules.json"
"$UNITOOMD" --no-systemd --config "$W/u.conf" --cgroup-root "$W/cg" --proc-root "$W/proc" > "$W/daemon.log" 2>&1 &
DAEMON=$!
wait_log "Would kill /work/hog: .*(ruleset 'good'"
rules intruder
chmod 664 "$W/rules.json"
kill -HUP $DAEMON
wait_log "$W/rules.json: refused: is writable by group [0-9]* (mode 0664)"
wait_log "rulesets not reloaded: keeping the last good ones"
n=$(wc -l < "$W/daemon.log")
sleep 2.5
tail -n +$((n + 1)) "$W/daemon.log" | grep -q "Would kill /work/hog: .*(ruleset 'good'" || fail "the last good ruleset stopped deciding"
grep -q "ruleset 'intruder'" "$W/daemon.log" && fail "the refused ruleset ran"

# Made safe again, it is taken
chmod 644 "$W/rules.json"
kill -HUP $DAEMON
wait_log "(ruleset 'intruder'"
kill -TERM $DAEMON
wait $DAEMON || fail "daemon exited with an error"
DAEMON=""
echo "files others may change are refused by --check-config, at start and on reload"
