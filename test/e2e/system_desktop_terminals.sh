#!/bin/bash
# System container, a user's desktop: terminals known by their process tree,
# not by their scope's name. A terminal-emulator stand-in (one process
# holding the pty masters, an interactive bash with job control in each tab)
# runs in app-launcher-ptyemu-4242.scope, a name no KillProcessesIn= pattern
# matches, as kitty, foot or anything started by a launcher would:
#   1. tab 0 runs a runaway job (a memory-stall generator piped into sleep):
#      the whole job dies; tab 0's shell (it still runs commands), tab 1's
#      shell, the emulator and the scope live;
#   2. a browser-like app (a parent and helpers, no pty) stalls the session:
#      its scope is killed whole, through the user's manager (oom-kill).
set -u
source "$(dirname "$0")/lib/system.sh"
sc_reexec_in_namespace "$0" "$@"
system_scenario_start system-desktop-terminals "$@"
EMULATOR=$(container_install_helper "$E2E_LIB/../helpers/pty-emulator.py") || fail "cannot copy the emulator into the container"
monitored_user_session
TERM_SCOPE=app-launcher-ptyemu-4242.scope
BROWSER_SCOPE=app-launcher-browser-4243.scope
STATE=/tmp/ptyemu.json
CONTROL=/tmp/ptyemu.ctl
in_container() { echo "/proc/$SC_PID1/root$1"; }
state_field() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$(in_container $STATE)" "$1"; }
alive() { sc_in kill -0 "$1" 2>/dev/null; }
# type TAB TEXT: as the user at that tab's keyboard
type_into() { sc_user sh -c 'printf "%s\n" "$2" > "$1"' _ "$CONTROL" "$1 $2"; }

# --- 1. the runaway job in a terminal tab
# shellcheck disable=SC2046  # the generator's words
launch_app "$TERM_SCOPE" /usr/bin/python3 "$EMULATOR" "$STATE" "$CONTROL" \
  "$(hog_args tab-hog 3 | tr '\n' ' ') | sleep 600" ""
wait_until 10 test -s "$(in_container $STATE)" || fail "the emulator did not start its tabs"
EMU_PID=$(state_field emulator)
read -r SHELL0 SHELL1 < <(python3 -c 'import json,sys; print(*json.load(open(sys.argv[1]))["shells"])' "$(in_container $STATE)")
TERM_CGROUP=$(sc_user systemctl --user show -P ControlGroup "$TERM_SCOPE")
[[ $TERM_CGROUP == */user@$SC_UID.service/app.slice/$TERM_SCOPE ]] || fail "the emulator's scope is $TERM_CGROUP"
echo "emulator $EMU_PID, shells $SHELL0 (the job's) and $SHELL1, in $TERM_CGROUP"
# the tabs' shells are real: session leaders on their own ptys
for s in "$SHELL0" "$SHELL1"; do
  read -r sid tty < <(sc_in ps -o sid=,tty= -p "$s")
  [ "$sid" = "$s" ] && [[ $tty == pts/* ]] || fail "shell $s is not a session leader on a pty (sid $sid, tty $tty)"
done
# only the generator is held under the memory limit: the emulator and shells stay free
gen_host_pids() {
  local p
  for p in $(cat "$(sc_host_cgroup "$TERM_CGROUP")/cgroup.procs"); do
    [ "$(cat "/proc/$p/comm" 2>/dev/null)" = pressure-gen ] && echo "$p"
  done
}
wait_until 10 test -n "$(gen_host_pids)" || fail "the runaway job did not start in tab 0"
# shellcheck disable=SC2046
sc_limit_memory "$TERM_CGROUP" "$HOG_LIMIT" $(gen_host_pids) || fail "cannot limit the job's memory"
JOB_PGID=$(sc_in ps -o pgid= -p "$(sc_in pgrep -x -n -u "$SC_USER" sleep)" | tr -d ' ')
[ "$JOB_PGID" != "$SHELL0" ] || fail "the job runs in the shell's own process group: no job control in the tab"
generator_started tab-hog
# The report names the job's largest process; under a loaded host the session's
# pressure can cross before the generator has grown past `sleep`, so the test
# asks for the job (its process group), not for one name in it.
wait_for_log "SIGKILL to its job (process group $JOB_PGID," 40 || fail "the runaway job (process group $JOB_PGID) in the terminal was not killed"
unitoomd_log | grep "SIGKILL to its job"
log_has "a terminal: 2 interactive shell(s) on pts/" || fail "the kill report does not say the scope is a terminal"
wait_until 5 eval '! sc_in pgrep -g "$JOB_PGID" >/dev/null' || fail "processes of the job still run: $(sc_in pgrep -a -g "$JOB_PGID")"
user_active "$TERM_SCOPE" || fail "the terminal's scope was killed whole"
alive "$EMU_PID" || fail "the terminal emulator died"
alive "$SHELL0" || fail "the job's shell died"
alive "$SHELL1" || fail "the other tab's shell died"
type_into 0 "echo alive > /tmp/tab0-after-kill"
type_into 1 "echo alive > /tmp/tab1-after-kill"
wait_until 5 test -s "$(in_container /tmp/tab0-after-kill)" || fail "tab 0's shell no longer runs commands: $(cat "$(in_container $STATE.out)")"
wait_until 5 test -s "$(in_container /tmp/tab1-after-kill)" || fail "tab 1's shell no longer runs commands"
echo "after the kill: emulator, both shells and $TERM_SCOPE live; both tabs run commands"

# --- 2. a browser-like app without ptys goes whole
launch_app "$BROWSER_SCOPE" bash -c "sleep 600 & sleep 600 & exec $(hog_args browser 3 | tr '\n' ' ')"
BROWSER_CGROUP=$(sc_user systemctl --user show -P ControlGroup "$BROWSER_SCOPE")
sc_limit_memory "$BROWSER_CGROUP" "$HOG_LIMIT" || fail "cannot limit the browser's memory"
generator_started browser
[ "$(wc -l < "$(sc_host_cgroup "$BROWSER_CGROUP")/cgroup.procs")" -ge 4 ] || fail "the browser-like app is not multi-process"
wait_until 60 user_gone "$BROWSER_SCOPE" || fail "$BROWSER_SCOPE still runs after 60 s"
wait_for_log "Killed $BROWSER_SCOPE of user@$SC_UID.service" 5 || fail "no kill report naming $BROWSER_SCOPE"
unitoomd_log | grep "Killed $BROWSER_SCOPE"
result=$(sc_user systemctl --user show -P Result "$BROWSER_SCOPE")
[ "$result" = oom-kill ] || fail "the user's manager says Result=$result for $BROWSER_SCOPE, not oom-kill"
user_active "$TERM_SCOPE" && alive "$SHELL0" && alive "$SHELL1" && alive "$EMU_PID" || fail "the terminal suffered for the browser"
sc_in systemctl -q is-active unitoomd.service || fail "unitoomd died"
echo PASS
