#!/bin/bash
# KillUnit answered with an error (issue 16), from a real systemd: the test
# user's app scope holds, beside the user's memory hog, a process of root's,
# as `sudo CMD` typed in the user's terminal leaves one (sudo opens no
# session of its own). The user's manager, asked to KillUnit the scope,
# kills what it may and answers with an error for root's process (EPERM).
# The victim still runs, so unitoomd must kill it directly with cgroup.kill,
# the report must carry systemd's error, and nothing else may die: not the
# other app, not a second candidate for the same decision.
set -u
source "$(dirname "$0")/lib/system.sh"
sc_reexec_in_namespace "$0" "$@"
system_scenario_start system-kill-unit-error "$@"

monitored_user_session
launch_app app-editor.scope sleep 600
psi_cross_start "$(sc_host_cgroup "$(cgroup_of "$USER_UNIT")")/memory.pressure" 20
launch_hog_app app-hog.scope
# root's process, moved from the host (the common ancestor of the two
# cgroups lies outside the container's cgroup namespace)
sc_in systemd-run --quiet --unit=sudo-cmd.service sleep 600 || fail "cannot start root's process"
ROOT_PID=$(head -1 "$(sc_host_cgroup /system.slice/sudo-cmd.service)/cgroup.procs")
[ -n "$ROOT_PID" ] || fail "no process in sudo-cmd.service"
echo "$ROOT_PID" > "$(sc_host_cgroup "$HOG_CGROUP")/cgroup.procs" || fail "cannot move root's process into app-hog.scope"
[ "$(stat -c %u "/proc/$ROOT_PID")" = 0 ] || fail "the moved process is not root's"

wait_until 60 user_gone app-hog.scope || fail "app-hog.scope still runs after 60 s"
psi_cross_stop
wait_for_log "Killed" 5 || fail "no kill report"
unitoomd_log | grep "Killed\|could not kill"
sleep 0.5
kill -0 "$ROOT_PID" 2>/dev/null && fail "root's process in the victim still runs"
# The error text is systemd's own (unit_kill_common's), carried into the report.
log_has "Killed .*($HOG_CGROUP) with cgroup.kill (KillUnit failed: .*Operation not permitted" ||
  fail "the report does not say that KillUnit failed, with systemd's error"
[ "$(unitoomd_log | grep -c "^Killed")" = 1 ] || fail "more than one kill for one decision"
user_active app-editor.scope || fail "the other app was killed"
is_active "$USER_UNIT" || fail "the user manager died"
sc_in systemctl -q is-active unitoomd.service || fail "unitoomd died"
echo PASS
