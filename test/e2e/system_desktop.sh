#!/bin/bash
# System container, a desktop as installed: the shipped desktop drop-ins
# (meson option desktop-defaults), a real user manager under user@UID.service,
# and the user's desktop as far as unitoomd's messages go (a listener that
# owns org.freedesktop.Notifications on the user's bus, records PressureWarning
# there and GLib's GMemoryMonitor warnings). One session, three situations:
#   1. a protected session service (in session.slice) stalls the session:
#      never chosen, the report says what was protected;
#   2. a terminal-like scope (a shell with a hog job): the job dies, the
#      shell and its scope live;
#   3. a hog app beside another app: the hog's scope is killed through the
#      user's manager (its own systemctl --user says oom-kill), the other app
#      lives, the user is warned before and notified after;
# and a per-user instance stands by while the system instance follows its user.
set -u
source "$(dirname "$0")/lib/system.sh"
sc_reexec_in_namespace "$0" "$@"
SC_DESKTOP_DEFAULTS=1 system_scenario_start system-desktop "$@"
EVENTS=/tmp/desktop-events.jsonl
/usr/bin/python3 -c 'from gi.repository import Gio' 2>/dev/null || sc_skip "needs python3-gi (GLib's GMemoryMonitor)"
# run by the user inside the container: a copy there, not the checkout
LISTENER=$(container_install_helper "$E2E_LIB/../helpers/desktop-listener.py") || fail "cannot copy the listener into the container"

# The unit's full memory stall stayed under 5% over the last second.
pressure_quiet() {
  local f t1 t2
  f=$(sc_host_cgroup "$(cgroup_of "$1")")/memory.pressure
  t1=$(sed -n 's/^full .*total=//p' "$f"); sleep 1; t2=$(sed -n 's/^full .*total=//p' "$f")
  [ $((t2 - t1)) -lt 50000 ]
}
events() { cat "/proc/$SC_PID1/root$EVENTS" 2>/dev/null; }
has_event() { events | grep -q -- "$1"; }
# the CLOCK_MONOTONIC usec of the first event matching PATTERN
event_usec() { events | grep -m1 -- "$1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["usec"])'; }

# --- the shipped defaults are in force
sc_add_user || fail "no user manager for the test user"
USER_UNIT=user@$SC_UID.service
[ "$(sc_in systemctl show -P ManagedOOMMemoryPressure "$USER_UNIT")" = kill ] || fail "user@.service drop-in not in force"
limit=$(sc_in systemctl show -P ManagedOOMMemoryPressureLimit "$USER_UNIT")
# systemd shows the scaled fraction: 50% of 2^32
[ "$limit" = 2147483648 ] || fail "user@.service limit is $limit/2^32, not 50%"
[ "$(sc_in systemctl show -P ManagedOOMSwap -- -.slice)" = kill ] || fail "-.slice drop-in not in force"
[ "$(sc_user systemctl --user show -P ManagedOOMPreference session.slice)" = omit ] || fail "session.slice is not omitted"

# --- an administrator's override, as the README's Desktop section shows:
# a lower limit and a shorter duration, so the test does not wait 20 s
printf '[Service]\nManagedOOMMemoryPressureLimit=20%%\n' | container_write "/etc/systemd/system/user@.service.d/90-test.conf"
printf '[OOM]\nDefaultMemoryPressureDurationSec=2s\n' | container_write /etc/unitoomd/unitoomd.conf.d/90-test.conf
sc_in systemctl daemon-reload
timeline duration_ms 2000
unitoomd_start
wait_for_log "ruleset '$USER_UNIT/ManagedOOMMemoryPressure' added" 10 || fail "no ruleset for $USER_UNIT"
wait_for_log "connected to the session bus of user $SC_UID" 10 || fail "the user's manager is not followed"
log_has "offering org.freedesktop.LowMemoryMonitor" || fail "org.freedesktop.LowMemoryMonitor not offered though the name is free"

sc_user systemd-run --user --quiet --unit=desktop-listener --slice=session.slice /usr/bin/python3 "$LISTENER" "$EVENTS" ||
  fail "cannot start the listener"
wait_until 10 has_event '"ready"' || fail "the listener did not start"
has_event GMemoryMonitorDBus || fail "GLib does not use the D-Bus memory monitor: $(events)"

# --- 1. a protected session service under pressure is never chosen
# shellcheck disable=SC2046  # the generator's words
sc_user systemd-run --user --quiet --unit=session-hog.service --slice=session.slice $(hog_args session-hog 3) ||
  fail "cannot start session-hog.service"
sc_limit_memory "$(sc_user systemctl --user show -P ControlGroup session-hog.service)" "$HOG_LIMIT" || fail "cannot limit session-hog"
generator_started session-hog
wait_for_log "found nothing to kill under .*protected, so never killed: .*session.slice" 30 ||
  fail "no 'nothing to kill' report naming the protected session services"
unitoomd_log | grep "found nothing to kill" | head -1
user_active session-hog.service || fail "the protected session service was killed"
user_active desktop-listener.service || fail "the listener (in session.slice) was killed"
sc_user systemctl --user stop session-hog.service
unitoomd_log | grep -q "Killed" && fail "something was killed while only protected services stalled"
wait_until 20 pressure_quiet "$USER_UNIT" || fail "the session did not calm down after session-hog stopped"

# --- 2. a terminal tab: a shell runs a hog as a job (its own process group)
launch_app vte-spawn-tab1.scope bash -c "set -m; $(hog_args tab-hog 3 | tr '\n' ' ') & wait; while :; do sleep 1; done"
TAB_CGROUP=$(sc_user systemctl --user show -P ControlGroup vte-spawn-tab1.scope)
# the shell, as the host sees it (the tab's cgroup holds only the shell yet)
SHELL_PID=$(head -1 "$(sc_host_cgroup "$TAB_CGROUP")/cgroup.procs")
[ "$(cat "/proc/$SHELL_PID/comm" 2>/dev/null)" = bash ] || fail "the tab's first process is not the shell"
sc_limit_memory "$TAB_CGROUP" "$HOG_LIMIT" || fail "cannot limit the tab's memory"
generator_started tab-hog
wait_for_log "Killed process pressure-gen" 40 || fail "the hog job in the terminal scope was not killed"
unitoomd_log | grep "Killed process"
user_active vte-spawn-tab1.scope || fail "the terminal scope was killed whole"
kill -0 "$SHELL_PID" || fail "the shell died with its job"
sc_in pgrep -x pressure-gen >/dev/null && fail "the hog job still runs"
wait_until 5 has_event '"summary": "pressure-gen (pid' || fail "no notification for the terminal kill: $(events)"

# --- 3. apps: the hog's scope is killed through the user's manager
launch_app app-editor.scope sleep 600
APPS_START=$(now_usec)
psi_cross_start "$(sc_host_cgroup "$(cgroup_of "$USER_UNIT")")/memory.pressure" 20
launch_hog_app app-hog.scope   # waits out the post-action delay of the kill in 2 in its own time
wait_until 60 user_gone app-hog.scope || fail "app-hog.scope still runs after 60 s"
psi_cross_stop
wait_for_log "Killed app-hog.scope of $USER_UNIT" 5 || fail "no kill report naming app-hog.scope of $USER_UNIT"
unitoomd_log | grep "Killed app-hog"
v=$(journal_usec "chose $HOG_CGROUP")
[ -n "$v" ] && timeline decision "$v"
DECISION=$v
v=$(sc_user systemctl --user show -P InactiveEnterTimestampMonotonic app-hog.scope)
[ -n "$v" ] && [ "$v" != 0 ] && timeline unit_dead "$v"
timeline_write

result=$(sc_user systemctl --user show -P Result app-hog.scope)
[ "$result" = oom-kill ] || fail "the user's manager says Result=$result for app-hog.scope, not oom-kill"
sc_in journalctl --no-pager -o cat USER_UNIT=app-hog.scope | grep -q "Killed app-hog.scope" ||
  fail "the kill report does not carry USER_UNIT=app-hog.scope"
user_active app-editor.scope || fail "the other app was killed"
is_active "$USER_UNIT" || fail "the user manager died"
user_active desktop-listener.service || fail "the listener died"

# told before: PressureWarning on the user's bus and GMemoryMonitor's warning
wait_until 5 has_event '"summary": "hog was closed to free memory"' || fail "no notification naming the app: $(events)"
events | grep '"notify"' | tail -1
has_event 'waiting for memory' || fail "the notification does not say why in plain words"
echo "--- the desktop's events:"; events
warned=$(events | python3 -c '
import json, sys
start, decision = int(sys.argv[1]), int(sys.argv[2])
ev = [json.loads(l) for l in sys.stdin]
print(" ".join(sorted({e["event"] for e in ev if start < e["usec"] < decision})))' "$APPS_START" "$DECISION")
case " $warned " in *" pressure-warning "*) ;; *) fail "no PressureWarning on the user's bus before the kill: $(events)" ;; esac
case " $warned " in *" low-memory-warning "*) ;; *) fail "no GMemoryMonitor warning before the kill: $(events)" ;; esac
events | grep -m1 '"low-memory-warning"'
# org.freedesktop.LowMemoryMonitor's levels, as GLib hands them to apps: 50
# (LOW) while a ruleset times towards a kill, 255 (CRITICAL) once the kill
# is under way (100 is for swap rulesets: no swap in the container)
levels=$(events | python3 -c '
import json, sys
print(" ".join(str(e["level"]) for e in map(json.loads, sys.stdin) if e["event"] == "low-memory-warning"))')
case " $levels " in *" 50 "*) ;; *) fail "no LowMemoryWarning 50 (a ruleset timing towards a kill) (levels: $levels)" ;; esac
case " $levels " in *" 255 "*) ;; *) fail "no LowMemoryWarning 255 for the kill (levels: $levels)" ;; esac
echo "LowMemoryWarning levels seen: $levels"
sc_in systemctl -q is-active unitoomd.service || fail "unitoomd died"

# --- a per-user instance stands by while the system instance follows its user
user_status() { sc_user systemctl --user show -P StatusText unitoomd.service; }
standing_by() { user_status | grep -q "Standing by"; }
# Acting: no longer standing by. (Known gap, stop 22: here the per-user
# instance's unit tracker stays "waiting for systemd" once it acts, though
# standalone it follows the user's units at once; not yet explained.)
acting() { user_status | grep -q "ruleset(s)"; }
user_instance_log() { sc_in journalctl --no-pager -o cat _SYSTEMD_USER_UNIT=unitoomd.service | tail -20; }
[ "$(sc_in busctl get-property org.unitoomd1 /org/unitoomd1 org.unitoomd1.Manager FollowedUsers)" = "au 1 $SC_UID" ] ||
  fail "FollowedUsers does not list the user"
sc_user systemctl --user start unitoomd.service || fail "the per-user instance does not start"
wait_until 10 standing_by || fail "the per-user instance does not stand by: '$(user_status)'"
printf '[Desktop]\nFollowUserManagers=no\n' | container_write /etc/unitoomd/unitoomd.conf.d/91-test.conf
sc_in systemctl reload unitoomd.service
wait_until 10 acting ||
  fail "the per-user instance does not act once the system instance lets go: '$(user_status)'; its log: $(user_instance_log)"
echo "per-user instance: $(user_status)"
# ... and takes over when the system instance stops
sc_in rm /etc/unitoomd/unitoomd.conf.d/91-test.conf
sc_in systemctl reload unitoomd.service
wait_until 10 standing_by || fail "the per-user instance does not stand by again: '$(user_status)'"
sc_in systemctl stop unitoomd.service
wait_until 10 acting || fail "the per-user instance does not act once the system instance stops: '$(user_status)'"
echo "after the system instance stopped, per-user instance: $(user_status)"
echo PASS
