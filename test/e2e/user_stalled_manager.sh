#!/bin/bash
# A stalled systemd does not delay the kill (issue 16). Against a real user
# manager: work.slice with ManagedOOMMemoryPressure=kill (6 %, 3 s), a real
# memory-stall generator as hog.scope, an idle bystander beside it. One
# second after the hog starts, what the kill goes through is stopped with
# SIGSTOP: first the user manager itself, then (a second hog) the session's
# dbus-daemon. Each time the hog's processes must be dead within 1 s after
# (limit crossed + duration) - systemd's KillUnit goes unanswered, so after
# SystemdKillTimeoutSec= (300 ms) unitoomd kills the cgroup itself - the
# report must say so, and once systemd runs again it must record the unit's
# result as oom-kill (user.oomd_ooms was bumped first). The bystander lives.
# The second kill comes 16 s after the manager missed the first one's call:
# it waits a quarter as long (75 ms, act/reply_deadline.h).
set -u
source "$(dirname "$0")/lib/user.sh"
um_reexec_in_namespace "$0" "$@"
user_scenario_start user-stalled-manager "$@"
AWAIT_EMPTY=$E2E_LIB/../../../tools/lab/await-empty.py
LIMIT=6
DURATION_MS=3000

printf '[Slice]\nManagedOOMMemoryPressure=kill\nManagedOOMMemoryPressureLimit=%s%%\n' "$LIMIT" \
  > "$XDG_RUNTIME_DIR/systemd/user/work.slice"
systemctl --user daemon-reload
systemd-run --user --scope --quiet --slice=work.slice --unit=bystander.scope sleep 600 &
UM_PIDS+=("$!")
BYSTANDER=$!
unitoomd_user_start "$(printf '[OOM]\nDefaultMemoryPressureDurationSec=3s\n')"
wait_log 10 "ruleset 'work.slice/ManagedOOMMemoryPressure' added" || fail "no ruleset synthesized for work.slice"
SLICE_CG=/sys/fs/cgroup$(um_cgroup_of work.slice)
# The bus unitoomd and the manager talk over: the user manager's own
# dbus.service when dbus-user-session made it take over the socket, else
# um_start's.
DBUS_PID=$(systemctl --user show -P MainPID dbus.service)
[ -n "$DBUS_PID" ] && [ "$DBUS_PID" != 0 ] || DBUS_PID=${UM_PIDS[0]}
[ "$(cat "/proc/$DBUS_PID/comm")" = dbus-daemon ] || fail "pid $DBUS_PID is not the session dbus-daemon"
# PSI triggers with 500 ms windows need CAP_SYS_RESOURCE; with 2 s windows
# the trigger may wake the daemon up to a window late, so the decision
# itself comes later (0.5-1.7 s here; issue 17) and the whole-path bound is
# looser there. What a stalled systemd may add after the decision is bounded
# the same either way.
if grep -q "unprivileged PSI triggers" "$LOG"; then WHOLE_PATH_MS=3000; else WHOLE_PATH_MS=1000; fi

STOPPED=""
resume() { [ -n "$STOPPED" ] && kill -CONT "$STOPPED" 2>/dev/null; STOPPED=""; }
trap 'resume; um_cleanup' EXIT

# stalled_kill UNIT PID WHAT WAIT_MS: the hog UNIT, PID stopped 1 s after its
# start, KillUnit waited on for WAIT_MS; sets DEAD_AFTER_MS (death - (crossing
# + duration)).
stalled_kill() {
  local unit=$1 pid=$2 what=$3 wait_ms=$4 cg crossed dead
  FROM=$(wc -l < "$LOG")
  psi_cross_start "$SLICE_CG/memory.pressure" "$LIMIT"
  um_hog "$unit" work.slice 32M "$GEN" --file "$THRASH_FILE" --size-mib 256 --workers 3 --seconds 120 \
    --started-file "$UM_DIR/$unit.started" || fail "$unit did not start"
  cg=/sys/fs/cgroup$(um_cgroup_of "$unit")
  python3 "$AWAIT_EMPTY" "$cg" "$UM_DIR/$unit.dead" 90 &
  local waiter=$!
  wait_until 10 test -s "$UM_DIR/$unit.started" || fail "the generator did not start"
  sleep 1
  kill -STOP "$pid" && STOPPED=$pid
  echo "$what (pid $pid) stopped $(( ($(now_usec) - $(cat "$UM_DIR/$unit.started")) / 1000 )) ms after $unit started"
  wait "$waiter" || { resume; fail "$unit's processes still ran 90 s after it started, with $what stopped"; }
  psi_cross_stop
  crossed=${TIMELINE[limit_crossed]:-}
  dead=$(cat "$UM_DIR/$unit.dead")
  [ -n "$crossed" ] || { resume; fail "the pressure of work.slice never crossed $LIMIT %"; }
  DEAD_AFTER_MS=$(( (dead - crossed) / 1000 - DURATION_MS ))
  wait_log 5 "Killed $unit" || { resume; fail "no kill report for $unit"; }
  DECISION_TO_DEAD_MS=$(( (dead - $(log_usec "chose ${cg#/sys/fs/cgroup}")) / 1000 ))
  echo "$unit dead $DEAD_AFTER_MS ms after (limit crossed + ${DURATION_MS} ms), $DECISION_TO_DEAD_MS ms after the decision, $what stopped"
  tail -n +"$((FROM + 1))" "$LOG" | grep "Killed $unit"
  # the unit is named (known from the tracker, systemd was not asked), the unanswered call too
  tail -n +"$((FROM + 1))" "$LOG" | grep -q "Killed $unit (.*) with cgroup.kill (systemd did not answer KillUnit within ${wait_ms}ms)" ||
    { resume; fail "the report does not say that systemd did not answer KillUnit within $wait_ms ms"; }
  kill -0 "$BYSTANDER" || { resume; fail "the bystander died"; }
  resume
  wait_until 10 test "$(systemctl --user show -P Result "$unit")" = oom-kill ||
    fail "after SIGCONT systemd says $unit ended with '$(systemctl --user show -P Result "$unit")', not oom-kill"
  systemctl --user -q is-active bystander.scope || fail "the bystander scope is not active"
  [ "$DECISION_TO_DEAD_MS" -le $((wait_ms + 200)) ] ||
    fail "$unit died $DECISION_TO_DEAD_MS ms after the decision with $what stopped: more than the $wait_ms ms timeout + 200 ms"
  [ "$DEAD_AFTER_MS" -le "$WHOLE_PATH_MS" ] ||
    fail "$unit died $DEAD_AFTER_MS ms after (crossing + duration): more than $WHOLE_PATH_MS ms"
  timeline "${what// /_}_dead_after_ms" "$DEAD_AFTER_MS"
  timeline "${what// /_}_decision_to_dead_ms" "$DECISION_TO_DEAD_MS"
}

stalled_kill hog.scope "$UM_MANAGER_PID" "the user manager" 300
# the next ruleset pause (post-action delay) must pass before the second hog
sleep 16
stalled_kill hog2.scope "$DBUS_PID" "the session dbus-daemon" 75

kill -0 "$DAEMON" || fail "unitoomd died"
unset 'TIMELINE[limit_crossed]' 'TIMELINE[first_stall]'
timeline_write
echo PASS
