#!/bin/bash
# System container: a service with Delegate=yes makes its own cgroups (itself
# in .../deleg.service/main, its worker in .../deleg.service/worker) and the
# worker is a memory hog in the monitored work.slice. The candidates are the
# leaves under work.slice, so the worker's cgroup is chosen; no unit owns it
# exactly (it is inside deleg.service), so unitoomd kills it with cgroup.kill
# and the report says so ("inside deleg.service, not a unit of its own", known from the units it follows, without asking systemd). The service's main process, the service
# and a bystander in the slice live on.
set -u
source "$(dirname "$0")/lib/system.sh"
sc_reexec_in_namespace "$0" "$@"
system_scenario_start system-delegated-kill "$@"

HELPER=$(container_install_helper "$E2E_LIB/../helpers/delegated-service.sh") ||
  fail "cannot copy the delegating service into the container"

printf '[OOM]\nDefaultMemoryPressureDurationSec=2s\n' | container_write /etc/unitoomd/unitoomd.conf
timeline duration_ms 2000
monitored_slice work.slice 20%
start_sleeper bystander.service work.slice
unitoomd_start
wait_for_log "ruleset 'work.slice/ManagedOOMMemoryPressure' added" 10 || fail "no ruleset synthesized for work.slice"

WORKER=/work.slice/deleg.service/worker
cgroup2_of() { sc_in grep '^0::' "/proc/$1/cgroup"; }
host_worker=$(sc_host_cgroup "$WORKER")
# shellcheck disable=SC2046  # the generator's words
sc_in systemd-run --quiet --unit=deleg.service --slice=work.slice -p Delegate=yes "$HELPER" $(hog_args deleg 3) ||
  fail "cannot start deleg.service"
worker_runs() { [ -n "$(cat "$host_worker/cgroup.procs" 2>/dev/null)" ]; }
wait_until 10 worker_runs || fail "deleg.service did not put its worker into $WORKER"
main_pid=$(sc_in systemctl show -P MainPID deleg.service)
[ "$(cgroup2_of "$main_pid")" = "0::/work.slice/deleg.service/main" ] ||
  fail "deleg.service's main process is in $(cgroup2_of "$main_pid"), not its main/ cgroup"
psi_cross_start "$(sc_host_cgroup /work.slice)/memory.pressure" 20
sc_limit_memory "$WORKER" "$HOG_LIMIT" || fail "cannot limit the memory of the worker"
generator_started deleg

worker_empty() { [ ! -e "$host_worker/cgroup.events" ] || grep -qx 'populated 0' "$host_worker/cgroup.events"; }
wait_until 60 worker_empty || fail "the worker in $WORKER still runs after 60 s"
psi_cross_stop
wait_for_log "Killed $WORKER" 5 || fail "no kill report for $WORKER"
v=$(journal_usec "chose $WORKER")
[ -n "$v" ] && timeline decision "$v"
timeline_write

unitoomd_log -o json | python3 -c '
import json, sys
kills = [e for e in map(json.loads, sys.stdin) if e.get("MESSAGE", "").startswith("Killed ")]
assert len(kills) == 1, "expected one kill report, got %d: %s" % (len(kills), [e["MESSAGE"] for e in kills])
e = kills[0]
print("journal:", e["MESSAGE"])
assert e.get("CGROUP") == sys.argv[1], "CGROUP=%r" % e.get("CGROUP")
m = e.get("UNITOOMD_KILL_METHOD", "")
assert m.startswith("cgroup.kill") and "not a unit of its own" in m, "UNITOOMD_KILL_METHOD=%r: not cgroup.kill for no unit" % m
assert "deleg.service" in m, "the method does not say which unit the cgroup is inside: %r" % m
assert "UNIT" not in e and "OBJECT_SYSTEMD_UNIT" not in e, "the report names a unit: %r" % e.get("UNIT")
assert e.get("UNITOOMD_RULESET") == "work.slice/ManagedOOMMemoryPressure", e.get("UNITOOMD_RULESET")
' "$WORKER" || fail "the kill report is not a cgroup.kill of a cgroup with no unit"

is_active deleg.service || fail "deleg.service died with its worker"
[ "$(sc_in systemctl show -P MainPID deleg.service)" = "$main_pid" ] ||
  fail "deleg.service's main process changed ($main_pid -> $(sc_in systemctl show -P MainPID deleg.service))"
sc_in kill -0 "$main_pid" || fail "deleg.service's main process $main_pid is gone"
[ "$(cgroup2_of "$main_pid")" = "0::/work.slice/deleg.service/main" ] ||
  fail "deleg.service's main process left its cgroup"
[ "$(sc_in systemctl show -P NRestarts deleg.service)" = 0 ] || fail "deleg.service was restarted"
is_active bystander.service || fail "the bystander in the same slice was killed"
log_has "chose /work.slice/deleg.service/main" && fail "the service's own main/ cgroup was chosen"
sc_in systemctl -q is-active unitoomd.service || fail "unitoomd died"
echo PASS
