#!/bin/bash
# System container: [OOM] KillMethod= of unitoomd.conf(5), against a real
# systemd. KillMethod=stop: the victim gets StopUnit (systemd runs a stop job
# for it); a hog that ignores its stop signal (KillSignal=SIGCONT,
# TimeoutStopSec=infinity: systemd would wait forever) is escalated by
# unitoomd to KillUnit(all, SIGKILL) after StopTimeoutSec=2s, and the kill
# report says "StopUnit, then KillUnit(all, SIGKILL) after 2s".
# KillMethod=restart: the victim gets RestartUnit, so it runs again afterwards
# (new MainPID and invocation), and the report names RestartUnit.
set -u
source "$(dirname "$0")/lib/system.sh"
sc_reexec_in_namespace "$0" "$@"
system_scenario_start system-kill-methods "$@"

# The JSON fields of unitoomd's one kill report whose message starts with
# "Killed UNIT", as KEY=VALUE lines.
report_fields() {
  unitoomd_log -o json | python3 -c '
import json, sys
kills = [e for e in map(json.loads, sys.stdin) if e.get("MESSAGE", "").startswith("Killed " + sys.argv[1] + " ")]
if len(kills) != 1:
    sys.exit("expected one kill report for %s, got %d" % (sys.argv[1], len(kills)))
for k, v in sorted(kills[0].items()):
    if k.startswith("UNITOOMD_") or k in ("MESSAGE", "UNIT"):
        print("%s=%s" % (k, v))' "$1"
}
field() { sed -n "s/^$1=//p" <<< "$2"; }

## KillMethod=stop, with a hog that does not stop
printf '[OOM]\nDefaultMemoryPressureDurationSec=2s\nKillMethod=stop\nStopTimeoutSec=2s\n' |
  container_write /etc/unitoomd/unitoomd.conf
timeline duration_ms 2000
monitored_slice work.slice 20%
unitoomd_start
wait_for_log "ruleset 'work.slice/ManagedOOMMemoryPressure' added" 10 || fail "no ruleset synthesized for work.slice"

# systemd's stop of this unit sends SIGCONT (ignored) and never times out:
# only unitoomd's escalation ends it.
start_hog stubborn.service work.slice 3 -p KillSignal=SIGCONT -p TimeoutStopSec=infinity
# (is-active is false already while it is "deactivating": wait for the report)
wait_for_log "Killed stubborn.service" 60 || fail "no kill report for stubborn.service after 60 s"
dead() { case $(sc_in systemctl show -P ActiveState stubborn.service) in inactive|failed) ;; *) return 1 ;; esac; }
wait_until 5 dead || fail "stubborn.service is $(sc_in systemctl show -P ActiveState stubborn.service) after its kill report"
record_kill stubborn.service

# StopUnit: systemd ran a stop job for the unit (KillUnit alone runs no job).
[ -n "$(sc_in journalctl --no-pager -o cat UNIT=stubborn.service JOB_TYPE=stop)" ] ||
  fail "systemd ran no stop job for stubborn.service: unitoomd did not call StopUnit"
log_has "stubborn.service did not stop within 2s: sending SIGKILL" || fail "unitoomd did not say it escalated to SIGKILL"
r=$(report_fields stubborn.service) || fail "the kill report of stubborn.service is not as expected"
echo "$r"
[ "$(field UNITOOMD_KILL_METHOD "$r")" = "StopUnit, then KillUnit(all, SIGKILL) after 2s" ] ||
  fail "the report's method is '$(field UNITOOMD_KILL_METHOD "$r")', not 'StopUnit, then KillUnit(all, SIGKILL) after 2s'"
grep -q "^MESSAGE=Killed stubborn.service (/work.slice/stubborn.service) with StopUnit, then KillUnit(all, SIGKILL) after 2s, gone" <<< "$r" ||
  fail "the report's message does not name the stop and its escalation"
# It waited StopTimeoutSec= before the SIGKILL: gone at least 2 s after StopUnit.
ttd=$(field UNITOOMD_TIME_TO_DEATH_USEC "$r")
[ -n "$ttd" ] && [ "$ttd" -ge 2000000 ] || fail "stubborn.service was gone ${ttd:-?} us after StopUnit: the SIGKILL did not wait StopTimeoutSec=2s"
echo "ok: KillMethod=stop: StopUnit, SIGKILL after 2s (gone after $((ttd / 1000)) ms), result $(sc_in systemctl show -P Result stubborn.service)"

## KillMethod=restart
printf '[OOM]\nDefaultMemoryPressureDurationSec=2s\nKillMethod=restart\n' | container_write /etc/unitoomd/unitoomd.conf
sc_in systemctl restart unitoomd.service || fail "cannot restart unitoomd"
sc_in systemctl -q is-active unitoomd.service || fail "unitoomd is not active after its restart"
added() { [ "$(unitoomd_log | grep -c "ruleset 'work.slice/ManagedOOMMemoryPressure' added")" -ge 2 ]; }
wait_until 10 added || fail "no ruleset for work.slice after unitoomd's restart"

# The hog loads memory on its first start only; started again it idles.
# shellcheck disable=SC2046  # the generator's words
sc_in systemd-run --quiet --unit=phoenix.service --slice=work.slice sh -c \
  "if [ -e /run/phoenix.ran ]; then exec sleep 600; fi; touch /run/phoenix.ran; exec $(hog_args phoenix 3 | tr '\n' ' ')" ||
  fail "cannot start phoenix.service"
sc_limit_memory "$(cgroup_of phoenix.service)" "$HOG_LIMIT" || fail "cannot limit the memory of phoenix.service"
generator_started phoenix
old_pid=$(sc_in systemctl show -P MainPID phoenix.service)
old_inv=$(sc_in systemctl show -P InvocationID phoenix.service)
old_enter=$(sc_in systemctl show -P ActiveEnterTimestampMonotonic phoenix.service)
wait_for_log "Killed phoenix.service" 60 || fail "no kill report for phoenix.service after 60 s"
restarted() {
  is_active phoenix.service && [ "$(sc_in systemctl show -P MainPID phoenix.service)" != "$old_pid" ] &&
    [ "$(sc_in systemctl show -P MainPID phoenix.service)" != 0 ]
}
wait_until 10 restarted ||
  fail "phoenix.service is not running again with a new MainPID (state $(sc_in systemctl show -P ActiveState phoenix.service), MainPID $(sc_in systemctl show -P MainPID phoenix.service), was $old_pid)"
new_pid=$(sc_in systemctl show -P MainPID phoenix.service)
new_inv=$(sc_in systemctl show -P InvocationID phoenix.service)
new_enter=$(sc_in systemctl show -P ActiveEnterTimestampMonotonic phoenix.service)
[ "$new_inv" != "$old_inv" ] || fail "phoenix.service has the same invocation as before: not restarted"
[ "$new_enter" -gt "$old_enter" ] || fail "phoenix.service's ActiveEnterTimestamp did not move ($old_enter -> $new_enter)"
[ "$(sc_in cat /proc/"$new_pid"/comm)" = sleep ] || fail "the running phoenix.service is not its second start"
r=$(report_fields phoenix.service) || fail "the kill report of phoenix.service is not as expected"
echo "$r"
[ "$(field UNITOOMD_KILL_METHOD "$r")" = RestartUnit ] ||
  fail "the report's method is '$(field UNITOOMD_KILL_METHOD "$r")', not RestartUnit"
grep -q "^MESSAGE=Killed phoenix.service (/work.slice/phoenix.service) with RestartUnit, gone" <<< "$r" ||
  fail "the report's message does not name RestartUnit"
# Restarted, it idles: no second kill.
sleep 3
[ "$(unitoomd_log | grep -c '^Killed phoenix.service')" = 1 ] || fail "phoenix.service was killed more than once"
is_active phoenix.service || fail "phoenix.service did not stay up after its restart"
echo "ok: KillMethod=restart: MainPID $old_pid -> $new_pid, invocation $old_inv -> $new_inv"
sc_in systemctl -q is-active unitoomd.service || fail "unitoomd died"
echo PASS
