#!/bin/bash
# System container: ManagedOOMPreference= respected. In work.slice (monitored,
# 20%) two real hogs run, omit.service (ManagedOOMPreference=omit) and
# avoid.service (avoid), beside an idle plain.service. The stall is theirs, but
# the preferences rule: plain.service goes first, avoid.service second (after
# the post-action delay), omit.service never.
set -u
source "$(dirname "$0")/lib/system.sh"
sc_reexec_in_namespace "$0" "$@"
system_scenario_start system-preferences "$@"

printf '[OOM]\nDefaultMemoryPressureDurationSec=2s\n' | container_write /etc/unitoomd/unitoomd.conf
monitored_slice work.slice 20%
start_sleeper plain.service work.slice
unitoomd_start
wait_for_log "ruleset 'work.slice/ManagedOOMMemoryPressure' added" 10 || fail "no ruleset synthesized for work.slice"

start_hog omit.service work.slice 2 -p ManagedOOMPreference=omit
start_hog avoid.service work.slice 2 -p ManagedOOMPreference=avoid
wait_until 60 is_gone plain.service || fail "plain.service (no preference) was not killed first"
log_has "chose /work.slice/\(avoid\|omit\).service" && fail "a hog with a preference went before plain.service"
echo "ok: plain.service first"
wait_until 60 is_gone avoid.service || fail "avoid.service was not killed after plain.service"
[ "$(sc_in systemctl show -P Result avoid.service)" = oom-kill ] || fail "avoid.service did not end with oom-kill"
echo "ok: avoid.service second"
log_has "chose /work.slice/omit.service" && fail "omit.service was chosen"
is_active omit.service || fail "omit.service is gone"
echo "ok: omit.service never"
sc_in systemctl -q is-active unitoomd.service || fail "unitoomd died"
echo PASS
