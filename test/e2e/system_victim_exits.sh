#!/bin/bash
# The victim ends by itself between the decision and the kill (issue 16).
# System container: work.slice with ManagedOOMMemoryPressure=kill, two
# memory-stall generators (hog-a.service, hog-b.service) and an idle
# bystander in it. The container's PID 1 (real systemd 252) is stopped 1 s
# after the hogs start, so the KillUnit of the decision goes unanswered for
# SystemdKillTimeoutSec= (3 s here, to leave the test time to act); the
# chosen hog then ends on its own (here SIGKILL from the test: it crashed, or
# shed its load as a service that watches pressure would). When the timeout passes, the victim has
# no processes left: unitoomd must not report it killed, must go on to the
# next candidate and kill that one (cgroup.kill, PID 1 being stopped), and
# must not kill a third: one kill for one decision. The bystander lives.
# PID 1 has just let the victim's KillUnit go unanswered, so the next
# candidate's is waited on a quarter as long (750 ms: act/reply_deadline.h).
set -u
source "$(dirname "$0")/lib/system.sh"
sc_reexec_in_namespace "$0" "$@"
system_scenario_start system-victim-exits "$@"
AWAIT_EMPTY=$E2E_LIB/../../../tools/lab/await-empty.py


printf '[OOM]\nDefaultMemoryPressureDurationSec=2s\nSystemdKillTimeoutSec=3s\n' | container_write /etc/unitoomd/unitoomd.conf
monitored_slice work.slice 20%
start_sleeper bystander.service work.slice
BYSTANDER_PID=$(head -1 "$(sc_host_cgroup "$(cgroup_of bystander.service)")/cgroup.procs")
unitoomd_start
wait_for_log "ruleset 'work.slice/ManagedOOMMemoryPressure' added" 10 || fail "no ruleset synthesized for work.slice"

start_hog hog-a.service work.slice 2
start_hog hog-b.service work.slice 2
declare -A CG
for u in hog-a.service hog-b.service; do CG[$u]=$(cgroup_of "$u"); done
sleep 1
stop_for_scenario "$SC_PID1"
chosen() { unitoomd_log | grep -o "chose /work.slice/hog-[ab].service" | head -1; }
decided() { [ -n "$(chosen)" ]; }
wait_until 60 decided || fail "no decision within 60 s"
VICTIM=$(chosen) VICTIM=${VICTIM##*/}
if [ "$VICTIM" = hog-a.service ]; then NEXT=hog-b.service; else NEXT=hog-a.service; fi
VICTIM_HOST=$(sc_host_cgroup "${CG[$VICTIM]}")
kill -KILL $(cat "$VICTIM_HOST/cgroup.procs") 2>/dev/null
emptied() { grep -q "populated 0" "$VICTIM_HOST/cgroup.events"; }
wait_until 2 emptied || {
  for p in $(cat "$VICTIM_HOST/cgroup.procs"); do echo "$p: $(grep State /proc/$p/status)"; done
  fail "$VICTIM did not end within 2 s of SIGKILL"; }
log_has "^Killed\|^Failed to kill" && fail "unitoomd acted on $VICTIM before it had exited: too slow a test"
echo "$VICTIM chosen, then exited by itself; $NEXT is next"
python3 "$AWAIT_EMPTY" "$(sc_host_cgroup "${CG[$NEXT]}")" "$SC_DIR/next.dead" 20 ||
  fail "$NEXT, the next candidate, still ran 20 s after the victim exited"
sleep 1
unitoomd_log | grep "Killed\|Failed to kill\|could not kill"
log_has "Killed $VICTIM" && fail "$VICTIM, which had exited by itself, is reported killed"
log_has "Failed to kill ${CG[$VICTIM]} (${CG[$VICTIM]} had no processes left" ||
  fail "the report does not say that $VICTIM had no processes left"
log_has "Killed $NEXT (${CG[$NEXT]}) with cgroup.kill (systemd did not answer KillUnit within 750ms)" ||
  fail "no report of $NEXT killed with cgroup.kill"
[ "$(unitoomd_log | grep -c "^Killed")" = 1 ] || fail "not exactly one kill for one decision"
kill -0 "$BYSTANDER_PID" 2>/dev/null || fail "the bystander died"
resume_stopped
wait_until 10 test "$(sc_in systemctl show -P Result "$NEXT")" = oom-kill ||
  fail "after SIGCONT systemd says $NEXT ended with '$(sc_in systemctl show -P Result "$NEXT")', not oom-kill"
is_active bystander.service || fail "the bystander in the same slice was stopped"
sc_in systemctl -q is-active unitoomd.service || fail "unitoomd died"
echo PASS
