#!/bin/bash
# A victim's cgroup removed and made again under the same name before
# unitoomd looks again (issue 16): the new one is not the old decision's.
# System container: work.slice with ManagedOOMMemoryPressure=kill, a
# memory-stall generator as hog.service with Restart=always (its restarted
# instance only sleeps) and an idle bystander. PID 1 (real systemd 252) is
# stopped 1 s after the hog starts, so the decision's KillUnit waits in its
# queue; unitoomd is then stopped too (a daemon starved under the pressure it
# fights) and PID 1 let go: systemd kills the hog, answers, and restarts it
# in a new cgroup at the same path. unitoomd resumes past the call's
# deadline (SystemdKillTimeoutSec=3s), with systemd's answer waiting on its
# bus. The old hog must count as killed (one report, a success); the new
# instance and the bystander must live past the confirm timeout (10 s), when
# a victim taken for "still there" would fail and the next candidate die.
set -u
source "$(dirname "$0")/lib/system.sh"
sc_reexec_in_namespace "$0" "$@"
system_scenario_start system-victim-restarted "$@"

host_procs() { cat "$(sc_host_cgroup "$1")/cgroup.procs"; }
inode() { stat -c %i "$(sc_host_cgroup "$1")" 2>/dev/null; }

printf '[OOM]\nDefaultMemoryPressureDurationSec=2s\nSystemdKillTimeoutSec=3s\n' | container_write /etc/unitoomd/unitoomd.conf
monitored_slice work.slice 20%
start_sleeper bystander.service work.slice
BYSTANDER_PID=$(host_procs /work.slice/bystander.service | head -1)
unitoomd_start
wait_for_log "ruleset 'work.slice/ManagedOOMMemoryPressure' added" 10 || fail "no ruleset synthesized for work.slice"
DAEMON=$(host_procs /system.slice/unitoomd.service | head -1)

# shellcheck disable=SC2046  # the generator's words
sc_in systemd-run --quiet --unit=hog.service --slice=work.slice -p Restart=always -p RestartSec=0 \
  sh -c 'test -e /run/hog.ran && exec sleep 600; touch /run/hog.ran; exec "$@"' sh $(hog_args hog.service 3) ||
  fail "cannot start hog.service"
HOG_CG=$(cgroup_of hog.service)
sc_limit_memory "$HOG_CG" "$HOG_LIMIT" || fail "cannot limit the memory of hog.service"
generator_started hog.service
OLD_INODE=$(inode "$HOG_CG")
sleep 1
stop_for_scenario "$SC_PID1"
wait_until 60 log_has "chose $HOG_CG" || fail "no decision within 60 s"
stop_for_scenario "$DAEMON"
CHOSEN=$(now_usec)
log_has "^Killed\|^Failed to kill" && fail "unitoomd acted before it was stopped: too slow a test"
resume_one "$SC_PID1"
restarted() { [ "$(inode "$HOG_CG")" != "$OLD_INODE" ] && [ -n "$(host_procs "$HOG_CG" 2>/dev/null)" ]; }
wait_until 10 restarted || fail "systemd did not restart hog.service in a new cgroup"
NEW_PID=$(host_procs "$HOG_CG" | head -1)
echo "hog.service restarted in a new cgroup (inode $OLD_INODE -> $(inode "$HOG_CG")), pid $NEW_PID"
# past the KillUnit deadline: its timer and systemd's answer are both due
sleep "$(python3 -c "print(max(0, 4 - ($(now_usec) - $CHOSEN) / 1e6))")"
resume_stopped
# a victim taken for "still there" fails at the confirm timeout (10 s)
wait_for_log "^Killed\|^Failed to kill" 15 || fail "no report 15 s after unitoomd resumed"
sleep 3
unitoomd_log | grep "^Killed\|^Failed to kill\|could not kill"
log_has "^Killed hog.service ($HOG_CG) with KillUnit" || fail "the old hog.service is not reported killed by KillUnit"
[ "$(unitoomd_log | grep -c "^Killed\|^Failed to kill")" = 1 ] || fail "not exactly one report for one decision"
kill -0 "$NEW_PID" 2>/dev/null || fail "the restarted hog.service was killed for the old one's decision"
kill -0 "$BYSTANDER_PID" 2>/dev/null || fail "the bystander was killed"
[ "$(sc_in systemctl show -P NRestarts hog.service)" = 1 ] || fail "hog.service was restarted more than once"
sc_in systemctl -q is-active unitoomd.service || fail "unitoomd died"
echo PASS
