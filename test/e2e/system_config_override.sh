#!/bin/bash
# System container: a config ruleset with the same name as a synthesized one
# replaces it (README: "a deliberate override"). work.slice says
# ManagedOOMMemoryPressure=kill, so unitoomd would synthesize
# 'work.slice/ManagedOOMMemoryPressure'; /etc/unitoomd/rulesets.json has a
# ruleset of that very name with a description of its own. The journal says
# the config's takes the unit policy's place, busctl's Rulesets property
# lists that name once, with the config file as its origin, and the kill
# report of a hog names the config ruleset's description and origin.
set -u
source "$(dirname "$0")/lib/system.sh"
sc_reexec_in_namespace "$0" "$@"
system_scenario_start system-config-override "$@"

NAME=work.slice/ManagedOOMMemoryPressure
DESCRIPTION="The administrator's own rule for work.slice, in place of the unit's."
RULES=/etc/unitoomd/rulesets.json
container_write "$RULES" <<EOF
{
  "rulesets": [
    {
      "name": "$NAME",
      "description": "$DESCRIPTION",
      "detectors": [
        ["work.slice stalls on memory",
          {"name": "pressure_above", "args": {"cgroup": "work.slice", "resource": "memory", "pressure": "full", "threshold": "15", "duration": "2"}}
        ]
      ],
      "actions": [
        {"name": "kill_by_pressure_cause", "args": {"cgroup": "work.slice", "leaves": "true"}}
      ]
    }
  ]
}
EOF
printf '[OOM]\nDefaultMemoryPressureDurationSec=2s\n[Daemon]\nRulesets=%s\n' "$RULES" | container_write /etc/unitoomd/unitoomd.conf
sc_in unitoomd --check-config /etc/unitoomd/unitoomd.conf "$RULES" || fail "the config does not check"
timeline duration_ms 2000
monitored_slice work.slice 20%
start_sleeper bystander.service work.slice
unitoomd_start

wait_for_log "ruleset '$NAME' from the config file takes the place of the unit policy of the same name" 10 ||
  fail "the journal does not say that the config's '$NAME' replaces the unit's"
echo "ok: $(unitoomd_log | grep "takes the place of the unit policy" | head -1)"
log_has "ruleset '$NAME' added (unit work.slice" && fail "the unit's ruleset '$NAME' was added beside the config's"

check_rulesets_property() {
  sc_in busctl --no-pager --json=short get-property org.unitoomd1 /org/unitoomd1 org.unitoomd1.Manager Rulesets |
    python3 -c '
import json, sys
name, description, rules = sys.argv[1:]
rulesets = json.load(sys.stdin)["data"]
mine = [r for r in rulesets if r[0] == name]
assert len(mine) == 1, "the Rulesets property lists %r %d times: %r" % (name, len(mine), rulesets)
r = mine[0]
print("busctl Rulesets:", r)
assert r[1] == description, "description %r, not the config one" % r[1]
assert r[2].startswith("file ") and rules in r[2], "origin %r, not the config file %s" % (r[2], rules)
  ' "$NAME" "$DESCRIPTION" "$RULES" || fail "busctl's Rulesets property does not show the config's '$NAME'"
}
check_rulesets_property
# A reload (SIGHUP), with the units known by now, keeps the override.
sc_in systemctl reload unitoomd.service || fail "cannot reload unitoomd"
wait_for_log "^reloaded [0-9]* ruleset(s) from $RULES" 5 || fail "unitoomd did not say it reloaded"
log_has "ruleset '$NAME' added (unit work.slice" && fail "after a reload the unit's ruleset '$NAME' was added beside the config's"
check_rulesets_property

hog_killed hog.service work.slice 3
unitoomd_log -o json | python3 -c '
import json, sys
name, description, rules = sys.argv[1:]
kills = [e for e in map(json.loads, sys.stdin) if e.get("MESSAGE", "").startswith("Killed hog.service")]
assert len(kills) == 1, "expected one kill report, got %d" % len(kills)
e = kills[0]
print("journal:", e["MESSAGE"])
assert e.get("UNITOOMD_RULESET") == name, e.get("UNITOOMD_RULESET")
assert e.get("UNITOOMD_RULESET_DESCRIPTION") == description, "description %r" % e.get("UNITOOMD_RULESET_DESCRIPTION")
o = e.get("UNITOOMD_RULESET_ORIGIN", "")
assert o.startswith("file ") and rules in o, "origin %r" % o
assert ("(ruleset %r: %s)" % (name, description)) in e["MESSAGE"], "the message does not name the config ruleset and its description"
' "$NAME" "$DESCRIPTION" "$RULES" || fail "the kill report does not name the config's ruleset"
is_active bystander.service || fail "the bystander in the same slice was killed"
sc_in systemctl -q is-active unitoomd.service || fail "unitoomd died"
echo PASS
