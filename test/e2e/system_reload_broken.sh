#!/bin/bash
# System container: a reload with a broken config keeps the last good rules.
# A JSON ruleset from /etc/unitoomd (not a unit directive) watches work.slice;
# the file is broken and `systemctl reload unitoomd` asked for: the journal
# names the file, line and problem, unitoomd keeps running, and a hog that
# comes afterwards is killed by the last good ruleset.
set -u
source "$(dirname "$0")/lib/system.sh"
sc_reexec_in_namespace "$0" "$@"
system_scenario_start system-reload-broken "$@"

printf '[Daemon]\nRulesets=/etc/unitoomd/rulesets.json\n' | container_write /etc/unitoomd/unitoomd.conf
container_write /etc/unitoomd/rulesets.json <<'JSON'
{"rulesets": [{
  "name": "work stalls",
  "description": "A hog in work.slice is killed when work.slice stalls on memory.",
  "detectors": [["work.slice stalls",
    {"name": "pressure_above", "args": {"cgroup": "work.slice", "resource": "memory", "threshold": "20", "duration": "2"}}]],
  "actions": [{"name": "kill_by_pressure_cause", "args": {"cgroup": "work.slice/*"}}]
}]}
JSON
timeline duration_ms 2000
sc_in systemd-run --quiet --unit=bystander.service --slice=work.slice sleep 600
unitoomd_start
wait_for_log "loaded 1 ruleset(s)" 10 || fail "the ruleset file was not loaded"

# Broken on line 3: a plugin that does not exist.
container_write /etc/unitoomd/rulesets.json <<'JSON'
{"rulesets": [{
  "name": "work stalls", "description": "Broken.",
  "detectors": [["g", {"name": "no_such_plugin"}]],
  "actions": [{"name": "kill_by_pressure_cause", "args": {"cgroup": "work.slice/*"}}]
}]}
JSON
sc_in systemctl reload unitoomd.service || fail "systemctl reload failed"
wait_for_log "/etc/unitoomd/rulesets.json:3: unknown plugin 'no_such_plugin'" 10 ||
  fail "the error does not name the file, line and problem"
wait_for_log "keeping the last good ones" 5 || fail "no word that the last good rules are kept"
unitoomd_log -p err | tail -2
is_active unitoomd.service || fail "unitoomd stopped on a broken config"

hog_killed hog.service work.slice 3
log_has "Killed hog.service .*(ruleset 'work stalls': A hog in work.slice is killed" ||
  fail "the kill was not made by the last good ruleset"
is_active bystander.service || fail "the bystander was killed"
echo PASS
