#!/bin/bash
# System container: the shipped unit is Type=notify with a watchdog and
# Restart=on-failure. With a drop-in giving WatchdogSec=3s, an idle, healthy
# unitoomd pings on time (not killed over 10 s); a stopped one (SIGSTOP) is
# killed by systemd's watchdog ("Watchdog timeout") and restarted, and the new
# instance is active and takes up its work again (its rulesets are added
# again).
set -u
source "$(dirname "$0")/lib/system.sh"
sc_reexec_in_namespace "$0" "$@"
system_scenario_start system-watchdog "$@"

RULESET="ruleset 'work.slice/ManagedOOMMemoryPressure' added"
prop() { sc_in systemctl show -P "$1" unitoomd.service; }
STOPPED=""
# A failure with the daemon stopped must not leave it stopped.
fail_cont() {
  [ -n "$STOPPED" ] && sc_in kill -CONT "$STOPPED" 2>/dev/null
  fail "$@"
}

printf '[OOM]\nDefaultMemoryPressureDurationSec=2s\n' | container_write /etc/unitoomd/unitoomd.conf
printf '[Service]\nWatchdogSec=3s\n' | container_write /etc/systemd/system/unitoomd.service.d/50-test-watchdog.conf
sc_in systemctl daemon-reload
[ "$(prop Restart)" = on-failure ] || fail "the shipped unit says Restart=$(prop Restart), not on-failure"
monitored_slice work.slice 20%
unitoomd_start
wait_for_log "$RULESET" 10 || fail "no ruleset synthesized for work.slice"
# (systemd shows the watchdog of a running service only)
[ "$(prop WatchdogUSec)" = 3s ] || fail "the drop-in did not set WatchdogSec=3s (WatchdogUSec=$(prop WatchdogUSec))"

## Idle and healthy: it pings on time
pid=$(prop MainPID)
sleep 10
[ "$(prop MainPID)" = "$pid" ] && [ "$(prop NRestarts)" = 0 ] && is_active unitoomd.service ||
  fail "an idle unitoomd with WatchdogSec=3s did not live 10 s (MainPID $pid -> $(prop MainPID), NRestarts $(prop NRestarts))"
log_has "Watchdog timeout" && fail "systemd's watchdog fired on an idle unitoomd"
echo "ok: idle for 10 s with WatchdogSec=3s, not killed"

## Stopped: the watchdog kills it and systemd restarts it
sc_in kill -STOP "$pid" || fail "cannot stop unitoomd"
STOPPED=$pid
restarted() {
  local now
  now=$(prop MainPID)
  is_active unitoomd.service && [ "$now" != 0 ] && [ "$now" != "$pid" ] && [ "$(prop NRestarts)" -ge 1 ]
}
wait_until 20 restarted ||
  fail_cont "unitoomd was not restarted after SIGSTOP (state $(prop ActiveState), MainPID $(prop MainPID), NRestarts $(prop NRestarts), result $(prop Result))"
sc_in kill -0 "$pid" 2>/dev/null && fail_cont "the stopped unitoomd ($pid) still exists beside the new one"
STOPPED=""
log_has "Watchdog timeout" || fail "systemd did not log its watchdog timeout"
unitoomd_log | grep "Watchdog timeout\|Failed with result\|Scheduled restart"
unitoomd_log | grep -q "Failed with result 'watchdog'" || fail "systemd does not say the result was 'watchdog'"
again() { [ "$(unitoomd_log | grep -c -- "$RULESET")" -ge 2 ]; }
wait_until 10 again || fail "the new instance did not add its rulesets again"
sc_in unitoomctl rulesets | grep -q "work.slice/ManagedOOMMemoryPressure" || fail "the new instance does not list work.slice's ruleset"
is_active unitoomd.service || fail "the new instance is not active"
echo "ok: stopped $pid, watchdog timeout, restarted as $(prop MainPID) (NRestarts $(prop NRestarts))"
echo PASS
