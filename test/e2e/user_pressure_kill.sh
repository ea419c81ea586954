#!/bin/bash
# Against a real systemd user manager: work.slice says ManagedOOMMemoryPressure=kill
# with a 20% limit. A real memory-pressure generator runs as hog.scope in it, an idle
# bystander.scope beside it. unitoomd --user must kill hog.scope through systemd
# (KillUnit) and leave the bystander alone. tools/lab/bench-reaction.sh runs it
# with other limits (UNITOOMD_E2E_LIMIT percent, UNITOOMD_E2E_DURATION_MS).
set -u
LIMIT=${UNITOOMD_E2E_LIMIT:-20}
DURATION_MS=${UNITOOMD_E2E_DURATION_MS:-2000}
source "$(dirname "$0")/lib/user.sh"
um_reexec_in_namespace "$0" "$@"
user_scenario_start user-pressure-kill "$@"

printf '[Slice]\nManagedOOMMemoryPressure=kill\nManagedOOMMemoryPressureLimit=%s%%\n' "$LIMIT" > "$XDG_RUNTIME_DIR/systemd/user/work.slice"
systemctl --user daemon-reload
systemd-run --user --scope --quiet --slice=work.slice --unit=bystander.scope sleep 300 &
UM_PIDS+=("$!")
unitoomd_user_start "$(printf '[OOM]\nDefaultMemoryPressureDurationSec=%sms\n' "$DURATION_MS")"
timeline duration_ms "$DURATION_MS"
wait_log 10 "ruleset 'work.slice/ManagedOOMMemoryPressure' added" || fail "no ruleset synthesized for work.slice"

psi_cross_start "/sys/fs/cgroup$(um_cgroup_of work.slice)/memory.pressure" "$LIMIT"
um_hog hog.scope work.slice 32M "$GEN" --file "$THRASH_FILE" --size-mib 256 --workers 3 --seconds 120 \
  --started-file "$UM_DIR/hog.started"
wait_until 10 test -s "$UM_DIR/hog.started" || fail "the generator did not start"
timeline generator_start "$(cat "$UM_DIR/hog.started")"
hog_gone() { grep -q "Killed hog.scope" "$LOG" && ! systemctl --user -q is-active hog.scope; }
wait_until 60 hog_gone || fail "hog.scope was not killed within 60 s"
psi_cross_stop
grep "Killed hog.scope" "$LOG"
grep -q "Killed hog.scope (.*) with KillUnit" "$LOG" || fail "the kill did not go through systemd's KillUnit"
grep -q "ruleset 'work.slice/ManagedOOMMemoryPressure': Memory pressure in work.slice above $LIMIT%" "$LOG" ||
  fail "the kill report does not name the ruleset and its description"
systemctl --user -q is-active bystander.scope || fail "the bystander in the same slice was killed"
grep -q "chose .*bystander" "$LOG" && fail "the bystander was chosen"
kill -0 "$DAEMON" || fail "unitoomd died"
# The user instance's interfaces: its own org.unitoomd1 on the session bus.
CTL=$(dirname "$UNITOOMD")/../tools/unitoomctl
"$CTL" --user kills | grep -q "hog.scope .* work.slice/ManagedOOMMemoryPressure " ||
  { "$CTL" --user kills; fail "unitoomctl --user kills does not list the kill"; }
"$CTL" --user status | grep -q "^Following systemd: user's session bus" || fail "unitoomctl --user status"
busctl --user introspect org.unitoomd1 /org/unitoomd1 org.unitoomd1.Manager | grep -q "^.Killed " ||
  fail "busctl --user introspect does not show the interface"
timeline decision "$(log_usec "chose $(um_cgroup_of hog.scope)")"
timeline unit_dead "$(unit_dead_usec hog.scope)"
timeline_write
echo PASS
