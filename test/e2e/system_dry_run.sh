#!/bin/bash
# System container: with DryRun=yes unitoomd decides as usual but kills
# nothing, and its report says what it would have killed and why.
set -u
source "$(dirname "$0")/lib/system.sh"
sc_reexec_in_namespace "$0" "$@"
system_scenario_start system-dry-run "$@"

printf '[OOM]\nDefaultMemoryPressureDurationSec=2s\n[Daemon]\nDryRun=yes\n' | container_write /etc/unitoomd/unitoomd.conf
timeline duration_ms 2000
monitored_slice work.slice 20%
unitoomd_start
wait_for_log "ruleset 'work.slice/ManagedOOMMemoryPressure' added" 10 || fail "no ruleset synthesized for work.slice"

psi_cross_start "$(sc_host_cgroup /work.slice)/memory.pressure" 20
start_hog hog.service work.slice 3
wait_for_log "Would kill /work.slice/hog.service" 60 || fail "no dry-run report within 60 s"
psi_cross_stop
v=$(journal_usec "Would kill /work.slice/hog.service")
[ -n "$v" ] && timeline decision "$v"
timeline_write
unitoomd_log | grep "Would kill"
sleep 2
is_active hog.service || fail "hog.service was killed in a dry run"
log_has "Killed" && fail "a dry run killed something"
unitoomd_log -o json | python3 -c '
import json, sys
e = next(e for e in map(json.loads, sys.stdin) if e.get("MESSAGE", "").startswith("Would kill"))
assert e.get("UNITOOMD_DRY_RUN") == "yes", e.get("UNITOOMD_DRY_RUN")
assert e.get("CGROUP") == "/work.slice/hog.service", e.get("CGROUP")
assert "memory full pressure of /work.slice" in e.get("UNITOOMD_REASON", ""), e.get("UNITOOMD_REASON")
' || fail "the dry-run report lacks its fields"
sc_in systemctl stop hog.service
echo PASS
