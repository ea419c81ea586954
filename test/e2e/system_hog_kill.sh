#!/bin/bash
# System container: work.slice says ManagedOOMMemoryPressure=kill with a 20%
# limit; a real memory-stall generator runs as hog.service in it beside an idle
# bystander.service. unitoomd (the shipped unit, started by systemd) must kill
# hog.service through systemd, so that systemd marks its result oom-kill, and
# leave the bystander alone. The kill report must be one journal entry with
# the unit, cgroup, ruleset and the figures that decided it.
set -u
source "$(dirname "$0")/lib/system.sh"
sc_reexec_in_namespace "$0" "$@"
system_scenario_start system-hog-kill "$@"

printf '[OOM]\nDefaultMemoryPressureDurationSec=2s\n' | container_write /etc/unitoomd/unitoomd.conf
timeline duration_ms 2000
monitored_slice work.slice 20%
start_sleeper bystander.service work.slice
unitoomd_start
wait_for_log "ruleset 'work.slice/ManagedOOMMemoryPressure' added" 10 || fail "no ruleset synthesized for work.slice"

hog_killed hog.service work.slice 3

[ "$(sc_in systemctl show -P Result hog.service)" = oom-kill ] ||
  fail "systemd says hog.service ended with '$(sc_in systemctl show -P Result hog.service)', not oom-kill"
is_active bystander.service || fail "the bystander in the same slice was killed"
log_has "chose /work.slice/bystander.service" && fail "the bystander was chosen"
sc_in systemctl -q is-active unitoomd.service || fail "unitoomd died"

# The report as journalctl shows it: one entry, its fields.
unitoomd_log -o json | python3 -c '
import json, sys
kills = [e for e in map(json.loads, sys.stdin) if e.get("MESSAGE", "").startswith("Killed hog.service")]
assert len(kills) == 1, "expected one kill report, got %d" % len(kills)
e = kills[0]
want = {"MESSAGE_ID": "d4851d7c1cfc4499865eb091d114165e", "UNIT": "hog.service", "OBJECT_SYSTEMD_UNIT": "hog.service", "CGROUP": "/work.slice/hog.service",
        "UNITOOMD_RULESET": "work.slice/ManagedOOMMemoryPressure", "UNITOOMD_KILL_METHOD": "KillUnit(all, SIGKILL)",
        "UNITOOMD_DRY_RUN": "no", "_SYSTEMD_UNIT": "unitoomd.service", "PRIORITY": "4"}
for k, v in want.items():
    assert e.get(k) == v, "%s=%r, expected %r" % (k, e.get(k), v)
for k in ("UNITOOMD_RULESET_DESCRIPTION", "UNITOOMD_REASON", "UNITOOMD_OWN_MEMORY_STALL_PCT", "N_PROCESSES",
          "UNITOOMD_TIME_TO_DEATH_USEC"):
    assert e.get(k), "field %s missing" % k
assert "memory full pressure of /work.slice" in e["UNITOOMD_REASON"], e["UNITOOMD_REASON"]
print("journal:", e["MESSAGE"])
' || fail "the kill report in the journal is not as expected"

# As an administrator finds it: every kill by its MESSAGE_ID, the victim's own
# journal, the catalog's explanation (installed; a package's trigger would run
# --update-catalog).
KILLED_ID=d4851d7c1cfc4499865eb091d114165e
[ "$(sc_in journalctl --no-pager -o cat MESSAGE_ID=$KILLED_ID | grep -c '^Killed hog.service')" = 1 ] ||
  fail "journalctl MESSAGE_ID=$KILLED_ID does not list the kill"
sc_in journalctl --no-pager -o cat -u hog.service | grep -q "^Killed hog.service" ||
  fail "journalctl -u hog.service does not show unitoomd's report"
sc_in journalctl --update-catalog || fail "journalctl --update-catalog failed"
sc_in journalctl --no-pager -x MESSAGE_ID=$KILLED_ID | grep -q "unitoomd killed hog.service to relieve memory pressure" ||
  fail "journalctl -x does not explain the kill from the catalog"
echo PASS
