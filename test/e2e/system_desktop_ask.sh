#!/bin/bash
# System container, [Desktop] AskBeforeKill=yes: a user's hog app is frozen
# and the user asked "Close <app>" / "Keep running" on their desktop (the
# listener owns org.freedesktop.Notifications on the user's bus and answers
# as told). Each way it can go:
#   close    - answered Close: killed (oom-kill), the question withdrawn never
#   keep     - answered Keep running: thawed, lives, spared for the cool-down
#   timeout  - never answered: killed after AskTimeoutSec=, question withdrawn
#   rising   - pressure does not fall while frozen (another hog): killed
#   no server- no notification server: killed at once, never frozen
#   restart  - unitoomd restarted while an app is frozen: thawed on its way out
#   crash    - unitoomd SIGKILLed while an app is frozen: thawed by the unit's
#              ExecStopPost= (unitoomd --thaw-frozen), and, without it, by the
#              restarted daemon from its record
# unitoomctl status shows what is frozen; DumpJSON has every question.
set -u
source "$(dirname "$0")/lib/system.sh"
sc_reexec_in_namespace "$0" "$@"
system_scenario_start system-desktop-ask "$@"
/usr/bin/python3 -c 'from gi.repository import Gio' 2>/dev/null || sc_skip "needs python3-gi (the desktop listener)"
LISTENER=$(container_install_helper "$E2E_LIB/../helpers/desktop-listener.py") || fail "cannot copy the listener into the container"
EVENTS=/tmp/desktop-events.jsonl
ANSWER=/tmp/ask-answer
TIMEOUT=6
printf '[Desktop]\nAskBeforeKill=yes\nAskTimeoutSec=%ss\n' "$TIMEOUT" | container_write /etc/unitoomd/unitoomd.conf.d/90-ask.conf
monitored_user_session
wait_for_log "connected to the session bus of user $SC_UID" 10 || fail "the user's manager is not followed"

events() { cat "/proc/$SC_PID1/root$EVENTS" 2>/dev/null; }
has_event() { events | grep -q -- "$1"; }
start_listener() {
  sc_user systemd-run --user --quiet --unit=desktop-listener --slice=session.slice /usr/bin/python3 "$LISTENER" "$EVENTS" "$ANSWER" ||
    fail "cannot start the listener"
  wait_until 10 has_event '"ready"' || fail "the listener did not start"
}
answer() { echo "$1" | container_write "$ANSWER"; }
host_events() { cat "$(sc_host_cgroup "$1")/cgroup.events" 2>/dev/null; }
frozen() { host_events "$1" | grep -qx "frozen 1"; }
thawed() { host_events "$1" | grep -qx "frozen 0"; }
records() { sc_in sh -c 'ls /run/unitoomd/frozen 2>/dev/null'; }
# ask APP: launches the hog app-APP.scope and waits until unitoomd asked (it is frozen then)
ask() {
  launch_hog_app "app-$1.scope"
  wait_for_log "asked user $SC_UID: close $1 " 60 || fail "unitoomd did not ask about $1"
  unitoomd_log | grep "asked user $SC_UID: close $1 "
  frozen "$HOG_CGROUP" || fail "$1 is not frozen while unitoomd asks: $(host_events "$HOG_CGROUP")"
}
seconds_between() { python3 -c 'import sys; print("%.1f" % ((int(sys.argv[2]) - int(sys.argv[1])) / 1e6))' "$1" "$2"; }
calm() {
  local f t1 t2 _
  f=$(sc_host_cgroup "$(cgroup_of "$USER_UNIT")")/memory.pressure
  for _ in $(seq 30); do
    t1=$(sed -n 's/^full .*total=//p' "$f"); sleep 1; t2=$(sed -n 's/^full .*total=//p' "$f")
    [ $((t2 - t1)) -lt 20000 ] && return 0
  done
  fail "the session did not calm down"
}

start_listener

# --- close: the user answers Close
answer close
ask closeme
sc_in unitoomctl status | grep -A1 "Frozen, waiting for the user's answer" | tee /dev/stderr | grep -q "closeme of user $SC_UID" ||
  fail "unitoomctl status does not show closeme frozen"
[ -n "$(records)" ] || fail "no record of the freeze in /run/unitoomd/frozen"
has_event '"actions": \["close", "Close closeme", "keep", "Keep running"\]' || fail "the question has not the two actions: $(events)"
wait_until 10 user_gone app-closeme.scope || fail "closeme was not killed after Close"
wait_for_log "closeme .*killed: the user chose Close" 5 || fail "no journal entry for the answer Close"
wait_for_log "Killed app-closeme.scope of $USER_UNIT" 5 || fail "no kill report for closeme"
unitoomd_log | grep "Killed app-closeme.scope"
a=$(events | python3 -c 'import json,sys; print([e["usec"] for e in map(json.loads, sys.stdin) if e["event"] == "answered"][-1])')
d=$(sc_user systemctl --user show -P InactiveEnterTimestampMonotonic app-closeme.scope)
echo "closeme: answer to dead $(seconds_between "$a" "$d") s"
[ "$(sc_user systemctl --user show -P Result app-closeme.scope)" = oom-kill ] || fail "closeme's result is not oom-kill"
[ -z "$(records)" ] || fail "the freeze record outlived the kill: $(records)"
calm

# --- keep: the user answers Keep running
answer keep
ask keepme
wait_until 10 thawed "$HOG_CGROUP" || fail "keepme was not thawed after Keep running"
wait_for_log "keepme .*thawed: the user chose Keep running" 5 || fail "no journal entry for the answer Keep running"
unitoomd_log | grep "keepme .*thawed"
user_active app-keepme.scope || fail "keepme was killed though the user chose to keep it"
wait_for_log "protected, so never killed: .*kept running by its user" 40 ||
  fail "keepme, still stalling the session, is not reported as spared"
unitoomd_log | grep -m1 "kept running by its user"
user_active app-keepme.scope || fail "keepme was killed during its cool-down"
sc_in busctl call org.unitoomd1 /org/unitoomd1 org.unitoomd1.Manager DumpJSON | grep -q '\\"answer\\": \\"Keep running\\"' ||
  fail "DumpJSON does not report the answer Keep running"
[ -z "$(records)" ] || fail "a freeze record outlived the thaw"
sc_user systemctl --user stop app-keepme.scope
calm

# --- timeout: never answered
answer none
ask waitme
T0=$(now_usec)
wait_until 20 user_gone app-waitme.scope || fail "waitme was not killed after no answer"
echo "waitme: killed $(seconds_between "$T0" "$(now_usec)") s after it was seen frozen (AskTimeoutSec=${TIMEOUT}s)"
wait_for_log "waitme .*killed: no answer within ${TIMEOUT}s" 5 || fail "no journal entry for the timeout"
wait_until 5 has_event '"withdrawn"' || fail "the unanswered question was not withdrawn: $(events)"
calm

# --- pressure still rising while frozen: a second hog goes on stalling the
# session, so the frozen one is killed before its (now long) timeout
printf '[Desktop]\nAskBeforeKill=yes\nAskTimeoutSec=60s\n' | container_write /etc/unitoomd/unitoomd.conf.d/90-ask.conf
sc_in systemctl reload unitoomd.service
launch_hog_app app-riseone.scope
launch_hog_app app-risetwo.scope
wait_for_log "killed: memory pressure did not fall while it was frozen" 60 ||
  fail "the frozen app was not killed though the session kept stalling"
unitoomd_log | grep "did not fall"
a=$(journal_usec "asked user $SC_UID: close rise")
k=$(journal_usec "killed: memory pressure did not fall")
echo "rising: killed $(seconds_between "$a" "$k") s after it was frozen (AskTimeoutSec=60s)"
for s in app-riseone.scope app-risetwo.scope; do sc_user systemctl --user kill -s SIGKILL "$s" 2>/dev/null; done
wait_until 10 eval 'user_gone app-riseone.scope && user_gone app-risetwo.scope' || fail "the rising hogs do not go"
calm

# --- no notification server: killed at once, never frozen
sc_user systemctl --user stop desktop-listener.service
launch_hog_app app-noserver.scope
wait_until 60 user_gone app-noserver.scope || fail "noserver was not killed with no notification server"
wait_for_log "noserver .*killed: no notification server answered, so it was not frozen" 5 || fail "no journal entry for the missing server"
log_has "asked user $SC_UID: close noserver " && fail "noserver was frozen though no notification server answered"
echo "--- the questions, as unitoomctl shows them:"
sc_in unitoomctl status | sed -n '/Recent questions/,$p'
sc_in unitoomctl status | grep -q "noserver of user $SC_UID .*answer none; killed: no notification server" ||
  fail "unitoomctl status does not show the question that could not be asked"
calm

# --- unitoomd stopped, or crashing, while an app is frozen
start_listener
answer none
ask stopme
sc_in systemctl restart unitoomd.service
wait_until 10 thawed "$HOG_CGROUP" || fail "stopme stays frozen after unitoomd was restarted: $(host_events "$HOG_CGROUP")"
wait_for_log "stopme .*thawed: unitoomd stopped asking" 5 || fail "the stopping unitoomd did not say it thawed stopme"
sc_user systemctl --user kill -s SIGKILL app-stopme.scope  # it may be frozen again: SIGTERM would wait
calm
ask crashme
sc_in systemctl kill -s SIGKILL unitoomd.service
wait_until 10 thawed "$HOG_CGROUP" || fail "crashme stays frozen after unitoomd was killed: $(host_events "$HOG_CGROUP")"
wait_until 10 log_has "unitoomd --thaw-frozen: thawed crashme" || fail "ExecStopPost= did not say it thawed crashme"
unitoomd_log | grep "thawed crashme"
sc_user systemctl --user kill -s SIGKILL app-crashme.scope  # it may be frozen again: SIGTERM would wait
wait_until 10 is_active unitoomd.service || fail "unitoomd was not restarted"
calm
# ... and without ExecStopPost=, the restarted daemon thaws it from its record
printf '[Service]\nExecStopPost=\n' | container_write /etc/systemd/system/unitoomd.service.d/90-no-thaw.conf
sc_in systemctl daemon-reload
ask restartme
sc_in systemctl kill -s SIGKILL unitoomd.service
wait_until 10 thawed "$HOG_CGROUP" || fail "restartme stays frozen after unitoomd was restarted: $(host_events "$HOG_CGROUP")"
wait_until 10 log_has "unitoomd: thawed restartme" || fail "the restarted unitoomd did not say it thawed restartme"
unitoomd_log | grep "thawed restartme"
sc_user systemctl --user kill -s SIGKILL app-restartme.scope  # it may be frozen again: SIGTERM would wait
wait_until 10 is_active unitoomd.service || fail "unitoomd was not restarted"
[ -z "$(records)" ] || fail "freeze records left: $(records)"
echo PASS
