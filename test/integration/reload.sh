#!/bin/bash
# The real daemon on a fixture cgroup tree (no kernel feature needed):
# a broken config on SIGHUP is reported with file and line and the last good
# rules keep deciding; a drop-in dropped into the directory is picked up
# without a restart.
set -u
umask 022  # unitoomd refuses config files others may write
UNITOOMD=$1
W=$(mktemp -d)
DAEMON=""
cleanup() { [ -n "$DAEMON" ] && kill -9 "$DAEMON" 2>/dev/null && wait "$DAEMON" 2>/dev/null; rm -rf "$W"; }
trap cleanup EXIT
fail() { echo "FAILED: $*"; sed 's/^/  daemon| /' "$W/daemon.log"; exit 1; }
wait_log() { for _ in $(seq 50); do grep -q -- "$1" "$W/daemon.log" && return 0; sleep 0.1; done; fail "log never said: $1"; }

mkdir -p "$W/cg/work/hog" "$W/proc/pressure" "$W/rules.d"
touch "$W/cg/cgroup.procs" "$W/cg/work/cgroup.procs" "$W/cg/work/hog/cgroup.procs"
printf 'some avg10=90.00 avg60=50.00 avg300=10.00 total=100\nfull avg10=90.00 avg60=50.00 avg300=10.00 total=100\n' > "$W/cg/work/memory.pressure"
cp "$W/cg/work/memory.pressure" "$W/cg/work/hog/memory.pressure"
cp "$W/cg/work/memory.pressure" "$W/proc/pressure/memory"
printf 'MemTotal: 1000 kB\nMemAvailable: 500 kB\n' > "$W/proc/meminfo"
rules() {
  cat > "$W/rules.json" <<JSON
{"rulesets": [{"name": "$1", "description": "Ruleset $1.", "post_action_delay": 1, "drop-in": {"actions": true},
  "detectors": [["stall", {"name": "pressure_above", "args": {"cgroup": "work", "resource": "memory", "threshold": 50, "window": "avg10"}}]],
  "actions": [{"name": "kill_by_pressure", "args": {"cgroup": "work/*", "resource": "memory"}}]}]}
JSON
}
rules good
printf '[Daemon]\nRulesets=%s\nRulesetDropInDirectory=%s\nIdleIntervalSec=1s\nDryRun=yes\n' "$W/rules.json" "$W/rules.d" > "$W/u.conf"
"$UNITOOMD" --no-systemd --config "$W/u.conf" --cgroup-root "$W/cg" --proc-root "$W/proc" > "$W/daemon.log" 2>&1 &
DAEMON=$!
wait_log "Would kill /work/hog: .*(ruleset 'good'"

printf '{"rulesets": [{"name": "broken",\n  "detectors": [["g", {"name": "no_such_plugin"}]],\n  "actions": []}]}' > "$W/rules.json"
kill -HUP $DAEMON
wait_log "$W/rules.json:2: unknown plugin 'no_such_plugin'"
wait_log "rulesets not reloaded: keeping the last good ones"
: > "$W/mark"; n=$(wc -l < "$W/daemon.log")
sleep 2.5
tail -n +$((n + 1)) "$W/daemon.log" | grep -q "Would kill /work/hog: .*(ruleset 'good'" || fail "the last good ruleset stopped deciding"

rules better
kill -HUP $DAEMON
wait_log "reloaded 1 ruleset(s)"
wait_log "(ruleset 'better'"

cat > "$W/rules.d/.tmp" <<'JSON'
{"rulesets": [{"name": "better", "description": "Drop-in: nothing is killed.", "actions": [{"name": "stop"}]}]}
JSON
mv "$W/rules.d/.tmp" "$W/rules.d/quiet.json"
wait_log "+ 1 drop-in(s)"
kill -0 $DAEMON || fail "daemon died"
kill -TERM $DAEMON
wait $DAEMON || fail "daemon exited with an error"
DAEMON=""
echo "reload keeps the last good rules; drop-ins are picked up without a restart"
