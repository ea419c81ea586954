#!/bin/bash
# Against a real systemd user manager, one sandbox, in order:
#  1. a monitored slice with no pressure (calm.slice) sees no kill, ever;
#  2. `systemctl --user set-property pick.slice ManagedOOMMemoryPressure=kill` at run time
#     makes a ruleset appear within seconds (its drop-in is seen being written), without
#     restarting unitoomd;
#  3. in pick.slice, with real pressure from an `omit` hog and an `avoid` hog, a plain
#     scope goes first, the avoided hog second, the omitted one never;
#  4. stopping pick.slice removes its ruleset;
#  5. a user manager restart is survived: policies are suspended, then come back.
set -u
source "$(dirname "$0")/lib/user.sh"
um_reexec_in_namespace "$0" "$@"
user_scenario_start user-policies "$@"
printf '[Slice]\nManagedOOMMemoryPressure=kill\nManagedOOMMemoryPressureLimit=5%%\n' > "$XDG_RUNTIME_DIR/systemd/user/calm.slice"
systemctl --user daemon-reload
systemd-run --user --scope --quiet --slice=calm.slice --unit=idle.scope sleep 600 &
UM_PIDS+=("$!")
systemd-run --user --scope --quiet --slice=pick.slice --unit=plain.scope sleep 600 &
UM_PIDS+=("$!")

unitoomd_user_start "$(printf '[OOM]\nDefaultMemoryPressureDurationSec=2s\nDefaultMemoryPressureLimit=15%%\n')" --debug
wait_log 10 "ruleset 'calm.slice/ManagedOOMMemoryPressure' added" || fail "calm.slice is not monitored"
grep -q "pick.slice/ManagedOOMMemoryPressure" "$LOG" && fail "pick.slice is monitored before anyone asked"
echo "ok 1: calm.slice monitored, pick.slice not"

T0=$(date +%s.%N)
systemctl --user set-property --runtime pick.slice ManagedOOMMemoryPressure=kill
wait_log 5 "ruleset 'pick.slice/ManagedOOMMemoryPressure' added" || fail "set-property was not seen within 5 s (the control directory watch)"
printf 'ok 2: set-property honoured after %.1f s\n' "$(echo "$(date +%s.%N) - $T0" | bc)"
# what did not change keeps its PSI trigger: with a thousand units, re-arming
# every trigger at every unit change is what the kernel would spend its time on
[ "$(grep -c "armed trigger: [^ ]*/calm.slice memory" "$LOG")" = 1 ] ||
  fail "calm.slice's trigger was armed again when pick.slice's ruleset came: $(grep "armed trigger" "$LOG")"
echo "ok 2b: calm.slice's trigger stayed armed as it was"

um_hog omit.scope pick.slice 32M -p ManagedOOMPreference=omit "$GEN" --file "$THRASH_FILE" --size-mib 256 --workers 2 --seconds 120
um_hog avoid.scope pick.slice 32M -p ManagedOOMPreference=avoid "$GEN" --file "$THRASH_FILE" --size-mib 256 --workers 2 --seconds 120
wait_log 60 "Killed plain.scope" || fail "plain.scope (no preference) was not killed first"
grep -q "Killed \(avoid\|omit\).scope" "$LOG" && fail "a hog with a preference went before plain.scope"
wait_log 60 "Killed avoid.scope" || fail "avoid.scope was not killed after plain.scope"
grep -q "Killed omit.scope" "$LOG" && fail "omit.scope was killed"
systemctl --user -q is-active omit.scope || fail "omit.scope is gone"
echo "ok 3: plain.scope first, avoid.scope second, omit.scope never"
systemctl --user -q is-active idle.scope || fail "a scope in the calm slice died"
grep -q "Killed idle.scope" "$LOG" && fail "the calm slice saw a kill"

systemctl --user stop pick.slice
wait_log 10 "ruleset 'pick.slice/ManagedOOMMemoryPressure' removed" || fail "the stopped slice's ruleset stayed"
echo "ok 4: stopping pick.slice removed its ruleset"

FROM=$(wc -l < "$LOG")
um_restart
# The manager may take the session bus with it (socket-activated dbus.service): then
# the connection itself drops and is made again.
wait_log 10 "systemd left the bus\|lost the connection to systemd" || fail "the manager's exit went unnoticed"
wait_log 20 "following [0-9]* live unit" || fail "no resync with the new manager"
systemd-run --user --scope --quiet --slice=calm.slice --unit=idle2.scope sleep 600 &
UM_PIDS+=("$!")
wait_log 20 "ruleset 'calm.slice/ManagedOOMMemoryPressure' added" || fail "policies did not come back after the restart"
kill -0 "$DAEMON" || fail "unitoomd died"
grep -q "Killed idle" "$LOG" && fail "the calm slice saw a kill"
echo "ok 5: a user manager restart was survived"
echo PASS
