#!/bin/bash
# System container: unitoomd keeps monitoring through what systemd does to it
# meanwhile. user@UID.service is monitored (a drop-in); `systemctl
# daemon-reload` runs, then the user manager is restarted; afterwards a hog
# app in the new user manager is still killed, its neighbour left alone.
set -u
source "$(dirname "$0")/lib/system.sh"
sc_reexec_in_namespace "$0" "$@"
system_scenario_start system-manager-events "$@"

monitored_user_session

sc_in systemctl daemon-reload
sleep 1
log_has "$USER_RULESET removed" && fail "daemon-reload made the ruleset go away"
is_active unitoomd.service || fail "unitoomd died on daemon-reload"
echo "ok: daemon-reload"

sc_in systemctl restart "$USER_UNIT" || fail "cannot restart $USER_UNIT"
wait_until 10 sc_in systemctl -q is-active "$USER_UNIT" || fail "$USER_UNIT did not come back"
# A quick restart may come and go within unitoomd's 100 ms coalescing of unit
# changes; either way the ruleset must be there afterwards.
ruleset_present() { unitoomd_log | grep "$USER_RULESET \(added\|removed\)" | tail -1 | grep -q added; }
sleep 1
wait_until 10 ruleset_present || fail "the ruleset did not come back after the user manager's restart"
echo "ok: user manager restarted"

launch_app app-editor.scope sleep 600
launch_hog_app app-hog.scope
wait_until 60 user_gone app-hog.scope || fail "app-hog.scope still runs after 60 s"
wait_for_log "Killed" 5 || fail "no kill report"
user_active app-editor.scope || fail "the other app was killed"
is_active unitoomd.service || fail "unitoomd died"
echo PASS
