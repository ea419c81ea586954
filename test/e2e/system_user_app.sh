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

printf '[OOM]\nDefaultMemoryPressureDurationSec=2s\n' | container_write /etc/unitoomd/unitoomd.conf
timeline duration_ms 2000
printf '[Service]\nManagedOOMMemoryPressure=kill\nManagedOOMMemoryPressureLimit=20%%\n' |
  container_write /etc/systemd/system/user@.service.d/10-unitoomd-test.conf
sc_in systemctl daemon-reload
sc_add_user || fail "no user manager for the test user"
USER_UNIT=user@$SC_UID.service
unitoomd_start
wait_for_log "ruleset '$USER_UNIT/ManagedOOMMemoryPressure' added" 10 || fail "no ruleset synthesized for $USER_UNIT"

# start_app SCOPE CMD...: as a desktop launcher does, from inside the user's session
launch_app() {
  local scope=$1
  shift
  sc_user systemd-run --user --quiet --collect --unit="launch-${scope%.scope}" \
    systemd-run --user --scope --quiet --slice=app.slice --unit="$scope" "$@" || fail "cannot launch $scope"
  wait_until 10 user_active "$scope" || fail "$scope did not start"
}
user_active() { sc_user systemctl --user -q is-active "$1"; }
user_gone() { ! user_active "$1"; }

launch_app app-editor.scope sleep 600
psi_cross_start "$(sc_host_cgroup "$(cgroup_of "$USER_UNIT")")/memory.pressure" 20
# shellcheck disable=SC2046  # the generator's words
launch_app app-hog.scope $(hog_args app-hog 3)
HOG_CGROUP=$(sc_user systemctl --user show -P ControlGroup app-hog.scope)
sc_limit_memory "$HOG_CGROUP" "$HOG_LIMIT" || fail "cannot limit the hog's memory"
generator_started app-hog
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
