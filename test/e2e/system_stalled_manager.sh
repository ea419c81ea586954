#!/bin/bash
# A stalled PID 1 does not delay the kill (issue 16). System container:
# work.slice with ManagedOOMMemoryPressure=kill (20 %, 2 s), a real
# memory-stall generator as hog.service, an idle bystander.service beside
# it. One second after the hog starts the container's PID 1 (the real
# systemd 252) is stopped with SIGSTOP from the host, as when PID 1 is
# swapped out. The hog's processes must die within 1 s after (limit crossed
# + duration) with privileged PSI triggers (3 s with unprivileged ones,
# whose 2 s windows delay the decision itself: issue 17), and at most
# SystemdKillTimeoutSec= (300 ms) + 200 ms after the decision; the report
# must say that systemd did not answer KillUnit. After SIGCONT systemd must
# record hog.service's result as oom-kill, and the bystander lives.
set -u
source "$(dirname "$0")/lib/system.sh"
sc_reexec_in_namespace "$0" "$@"
system_scenario_start system-stalled-manager "$@"
AWAIT_EMPTY=$E2E_LIB/../../../tools/lab/await-empty.py
DURATION_MS=2000

printf '[OOM]\nDefaultMemoryPressureDurationSec=2s\n' | container_write /etc/unitoomd/unitoomd.conf
timeline duration_ms "$DURATION_MS"
monitored_slice work.slice 20%
start_sleeper bystander.service work.slice
BYSTANDER_PID=$(head -1 "$(sc_host_cgroup "$(cgroup_of bystander.service)")/cgroup.procs")  # as the host sees it
unitoomd_start
wait_for_log "ruleset 'work.slice/ManagedOOMMemoryPressure' added" 10 || fail "no ruleset synthesized for work.slice"
if log_has "unprivileged PSI triggers"; then WHOLE_PATH_MS=3000; else WHOLE_PATH_MS=1000; fi

psi_cross_start "$(sc_host_cgroup /work.slice)/memory.pressure" 20
start_hog hog.service work.slice 3
HOG_CG=$(cgroup_of hog.service)
python3 "$AWAIT_EMPTY" "$(sc_host_cgroup "$HOG_CG")" "$SC_DIR/hog.dead" 90 &
WAITER=$!
sleep 1
stop_for_scenario "$SC_PID1"
echo "PID 1 stopped $(( ($(now_usec) - TIMELINE[generator_start]) / 1000 )) ms after hog.service started"
wait "$WAITER" || fail "hog.service's processes still ran 90 s after it started, with PID 1 stopped"
psi_cross_stop
DEAD=$(cat "$SC_DIR/hog.dead")
[ -n "${TIMELINE[limit_crossed]:-}" ] || fail "the pressure of work.slice never crossed 20 %"
wait_for_log "Killed hog.service" 5 || fail "no kill report for hog.service (PID 1 stopped)"
DECISION=$(journal_usec "chose $HOG_CG")
DEAD_AFTER_MS=$(( (DEAD - TIMELINE[limit_crossed]) / 1000 - DURATION_MS ))
DECISION_TO_DEAD_MS=$(( (DEAD - DECISION) / 1000 ))
echo "hog.service dead $DEAD_AFTER_MS ms after (limit crossed + $DURATION_MS ms), $DECISION_TO_DEAD_MS ms after the decision, PID 1 stopped"
unitoomd_log | grep "^Killed hog.service"
unitoomd_log | grep -q "^Killed hog.service (/work.slice/hog.service) with cgroup.kill (systemd did not answer KillUnit within 300ms)" ||
  fail "the report does not say that systemd did not answer KillUnit within 300 ms"
kill -0 "$BYSTANDER_PID" 2>/dev/null || fail "the bystander died"
resume_stopped
wait_until 10 test "$(sc_in systemctl show -P Result hog.service)" = oom-kill ||
  fail "after SIGCONT systemd says hog.service ended with '$(sc_in systemctl show -P Result hog.service)', not oom-kill"
is_active bystander.service || fail "the bystander in the same slice was killed"
sc_in systemctl -q is-active unitoomd.service || fail "unitoomd died"
[ "$DECISION_TO_DEAD_MS" -le 500 ] ||
  fail "hog.service died $DECISION_TO_DEAD_MS ms after the decision with PID 1 stopped: more than the 300 ms timeout + 200 ms"
[ "$DEAD_AFTER_MS" -le "$WHOLE_PATH_MS" ] ||
  fail "hog.service died $DEAD_AFTER_MS ms after (crossing + duration): more than $WHOLE_PATH_MS ms"
timeline decision "$DECISION"
timeline unit_dead "$DEAD"
timeline decision_to_dead_pid1_stopped_ms "$DECISION_TO_DEAD_MS"
timeline_write
echo PASS
