#!/bin/bash
# System container: a busy but healthy unit is never killed. busy.service
# burns both CPUs for 15 s in a slice monitored with a low limit (5%); it has
# no memory stall, so unitoomd must neither choose nor kill anything, and
# busy.service must end on its own, successfully. Then, so that the quiet is
# unitoomd's judgement and not a daemon that does nothing: a real memory hog
# in the same slice, under the same ruleset, is killed.
set -u
source "$(dirname "$0")/lib/system.sh"
sc_reexec_in_namespace "$0" "$@"
system_scenario_start system-busy-unit "$@"

printf '[OOM]\nDefaultMemoryPressureDurationSec=2s\n' | container_write /etc/unitoomd/unitoomd.conf
monitored_slice work.slice 5%
unitoomd_start
wait_for_log "ruleset 'work.slice/ManagedOOMMemoryPressure' added" 10 || fail "no ruleset synthesized for work.slice"

sc_in systemd-run --quiet --unit=busy.service --slice=work.slice "$SC_PRESSURE_GEN" --spin --workers 2 --seconds 15 ||
  fail "cannot start busy.service"
sleep 1
is_active busy.service || fail "busy.service did not start"
cpu=$(awk '/^some/{split($5, t, "="); print t[2]}' "$(sc_host_cgroup /work.slice)/cpu.pressure")
wait_until 30 is_gone busy.service || fail "busy.service ran longer than asked"
[ "$(sc_in systemctl show -P Result busy.service)" = success ] ||
  fail "busy.service ended with '$(sc_in systemctl show -P Result busy.service)', not success"
log_has "chose\|Killed\|Would kill" && fail "unitoomd acted on a healthy unit"
printf 'busy.service ran 15 s on both CPUs (%s us of CPU stall in work.slice), not touched\n' "$cpu"
sc_in systemctl -q is-active unitoomd.service || fail "unitoomd died"

hog_killed hog.service work.slice 3
[ "$(sc_in systemctl show -P Result hog.service)" = oom-kill ] ||
  fail "the memory hog after it ended with '$(sc_in systemctl show -P Result hog.service)', not oom-kill"
echo "the same ruleset killed a memory hog in the same slice: it was watching"
echo PASS
