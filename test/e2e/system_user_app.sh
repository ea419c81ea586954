#!/bin/bash
# System container, the desktop shape: user@.service says
# ManagedOOMMemoryPressure=kill (a drop-in, as distributions ship it), a real
# user manager runs under it, and the user's launcher starts two apps as scopes
# in app.slice, one of them a memory hog. The system instance of unitoomd must
# handle it: the hog's scope dies, the other app and the user manager live.
set -u
source "$(dirname "$0")/lib/system.sh"
sc_reexec_in_namespace "$0" "$@"
system_scenario_start system-user-app "$@"

monitored_user_session

launch_app app-editor.scope sleep 600
psi_cross_start "$(sc_host_cgroup "$(cgroup_of "$USER_UNIT")")/memory.pressure" 20
launch_hog_app app-hog.scope
wait_until 60 user_gone app-hog.scope || fail "app-hog.scope still runs after 60 s"
psi_cross_stop
wait_for_log "Killed" 5 || { sc_in journalctl --no-pager -n 20 _UID="$SC_UID" + _SYSTEMD_USER_UNIT=app-hog.scope; fail "no kill report"; }
unitoomd_log | grep "Killed"
v=$(journal_usec "chose $HOG_CGROUP")
[ -n "$v" ] && timeline decision "$v"
v=$(sc_user systemctl --user show -P InactiveEnterTimestampMonotonic app-hog.scope)
[ -n "$v" ] && [ "$v" != 0 ] && timeline unit_dead "$v"
timeline_write

log_has "Killed .*($HOG_CGROUP)\|Killed $HOG_CGROUP" || fail "the report does not name the hog's cgroup"
user_active app-editor.scope || fail "the other app was killed"
is_active "$USER_UNIT" || fail "the user manager died"
# "degraded" is right: the killed scope is failed, as after any OOM kill
case $(sc_in systemctl --user -M "$SC_USER@" is-system-running) in
  running|degraded) ;;
  *) fail "the user manager is not running" ;;
esac
sc_in systemctl -q is-active unitoomd.service || fail "unitoomd died"
echo PASS
