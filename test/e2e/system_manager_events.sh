#!/bin/bash
# System container: unitoomd keeps monitoring through what systemd does to it
# meanwhile. user@UID.service is monitored (a drop-in); `systemctl
# daemon-reload` runs, then the user manager is restarted; afterwards a hog
# app in the new user manager is still killed, its neighbour left alone.
set -u
source "$(dirname "$0")/lib/system.sh"
sc_reexec_in_namespace "$0" "$@"
system_scenario_start system-manager-events "$@"

printf '[OOM]\nDefaultMemoryPressureDurationSec=2s\n' | container_write /etc/unitoomd/unitoomd.conf
timeline duration_ms 2000
printf '[Service]\nManagedOOMMemoryPressure=kill\nManagedOOMMemoryPressureLimit=20%%\n' |
  container_write /etc/systemd/system/user@.service.d/10-unitoomd-test.conf
sc_in systemctl daemon-reload
sc_add_user || fail "no user manager for the test user"
USER_UNIT=user@$SC_UID.service
unitoomd_start
RULESET="ruleset '$USER_UNIT/ManagedOOMMemoryPressure'"
wait_for_log "$RULESET added" 10 || fail "no ruleset synthesized for $USER_UNIT"

sc_in systemctl daemon-reload
sleep 1
log_has "$RULESET removed" && fail "daemon-reload made the ruleset go away"
is_active unitoomd.service || fail "unitoomd died on daemon-reload"
echo "ok: daemon-reload"

sc_in systemctl restart "$USER_UNIT" || fail "cannot restart $USER_UNIT"
wait_until 10 sc_in systemctl -q is-active "$USER_UNIT" || fail "$USER_UNIT did not come back"
# A quick restart may come and go within unitoomd's 100 ms coalescing of unit
# changes; either way the ruleset must be there afterwards.
ruleset_present() { unitoomd_log | grep "$RULESET \(added\|removed\)" | tail -1 | grep -q added; }
sleep 1
wait_until 10 ruleset_present || fail "the ruleset did not come back after the user manager's restart"
echo "ok: user manager restarted"

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
# shellcheck disable=SC2046  # the generator's words
launch_app app-hog.scope $(hog_args app-hog 3)
HOG_CGROUP=$(sc_user systemctl --user show -P ControlGroup app-hog.scope)
sc_limit_memory "$HOG_CGROUP" "$HOG_LIMIT" || fail "cannot limit the hog's memory"
generator_started app-hog
wait_until 60 user_gone app-hog.scope || fail "app-hog.scope still runs after 60 s"
wait_for_log "Killed" 5 || fail "no kill report"
user_active app-editor.scope || fail "the other app was killed"
is_active unitoomd.service || fail "unitoomd died"
echo PASS
