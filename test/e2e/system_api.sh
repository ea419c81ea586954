#!/bin/bash
# System container: the interfaces people use. busctl introspect shows the
# documented org.unitoomd1.Manager; properties and methods answer; a real kill
# raises the Killed signal (and PressureWarning before it) and shows up in
# `unitoomctl kills`; Reload and SetDryRun are refused to a user who is not
# root; unitoomctl's tables and --json; a clear exit code when unitoomd is not
# running.
set -u
source "$(dirname "$0")/lib/system.sh"
sc_reexec_in_namespace "$0" "$@"
system_scenario_start system-api "$@"
CTL=/usr/bin/unitoomctl
BUSCTL=(busctl --no-pager)
MGR=(org.unitoomd1 /org/unitoomd1 org.unitoomd1.Manager)

printf '[OOM]\nDefaultMemoryPressureDurationSec=2s\n' | container_write /etc/unitoomd/unitoomd.conf
monitored_slice work.slice 20%
# Every signal of the interface, recorded by a monitor in the journal.
sc_in systemd-run --quiet --unit=api-monitor.service dbus-monitor --system \
  "type='signal',sender='org.unitoomd1',interface='org.unitoomd1.Manager'" || fail "cannot start dbus-monitor"
unitoomd_start
wait_for_log "ruleset 'work.slice/ManagedOOMMemoryPressure' added" 10 || fail "no ruleset synthesized for work.slice"
sc_in "${BUSCTL[@]}" status org.unitoomd1 >/dev/null || fail "org.unitoomd1 is not on the bus"

introspection=$(sc_in "${BUSCTL[@]}" introspect "${MGR[@]}") || fail "busctl introspect failed"
for member in .Dump .DumpJSON .ListKills .Reload .SetDryRun .Version .DryRun .KillCount .Rulesets .MonitoredCGroups \
              .Killed .PressureWarning; do
  grep -q "^$member " <<< "$introspection" || fail "busctl introspect does not show $member"
done
echo "ok: busctl introspect shows the documented interface"
sc_in systemd-analyze verify unitoomd.service || fail "systemd-analyze verify finds fault with the shipped unit"
sc_in man -P cat unitoomctl 2>/dev/null | grep -q "look at and steer unitoomd" || fail "man unitoomctl does not show the page"
[ "$(sc_in "${BUSCTL[@]}" get-property "${MGR[@]}" Version)" = 's "0.1.0"' ] || fail "Version is not the build's"
sc_in "${BUSCTL[@]}" get-property "${MGR[@]}" Rulesets | grep -q '"work.slice/ManagedOOMMemoryPressure"' ||
  fail "the Rulesets property lacks work.slice's ruleset"
sc_in "${BUSCTL[@]}" get-property "${MGR[@]}" MonitoredCGroups | grep -q '"/work.slice"' ||
  fail "MonitoredCGroups lacks /work.slice"

# unitoomctl, as root and as a plain user
sc_in "$CTL" rulesets | grep -q "^work.slice/ManagedOOMMemoryPressure  armed  unit work.slice" ||
  { sc_in "$CTL" rulesets; fail "unitoomctl rulesets does not show the ruleset as a table"; }
sc_in "$CTL" --json rulesets | python3 -c 'import json,sys; r=json.load(sys.stdin); assert r[0]["state"] == "armed", r' ||
  fail "unitoomctl --json rulesets"
sc_in useradd -M -s /bin/false unitoomd-plain
as_plain() { sc_in runuser -u unitoomd-plain -- "$@"; }
as_plain "$CTL" status | grep -q "^Following systemd: system bus" || fail "a plain user cannot read the status"
out=$(as_plain "$CTL" reload 2>&1); rc=$?
[ $rc = 4 ] && grep -q "permission denied" <<< "$out" || fail "reload by a plain user: exit $rc, '$out'"
out=$(as_plain "${BUSCTL[@]}" call "${MGR[@]}" SetDryRun b true 2>&1) && fail "SetDryRun by a plain user was allowed"
grep -qi "access denied" <<< "$out" || fail "SetDryRun by a plain user: '$out'"
echo "ok: reading is open, Reload and SetDryRun refused to a plain user ($out)"
sc_in "$CTL" reload || fail "unitoomctl reload as root failed"
printf '[OOM]\nDefaultMemoryPressureDurationSec=banana\n' | container_write /etc/unitoomd/unitoomd.conf
out=$(sc_in "$CTL" reload 2>&1) && fail "a broken configuration was accepted"
grep -q "/etc/unitoomd/unitoomd.conf:2: .*banana" <<< "$out" || fail "the refused reload does not name the file and line: '$out'"
printf '[OOM]\nDefaultMemoryPressureDurationSec=2s\n' | container_write /etc/unitoomd/unitoomd.conf
sc_in "$CTL" reload || fail "reload after the fix failed"
echo "ok: a broken reload is refused with the file and line ($out)"

# A real kill: the signals, the count, the history
start_hog hog.service work.slice 3
wait_until 60 is_gone hog.service || fail "hog.service still runs after 60 s"
wait_for_log "Killed hog.service" 5 || fail "no kill report"
[ "$(sc_in "${BUSCTL[@]}" get-property "${MGR[@]}" KillCount)" = "t 1" ] || fail "KillCount is not 1"
sc_in "$CTL" kills | grep -q "hog.service  /work.slice/hog.service  work.slice/ManagedOOMMemoryPressure  memory full pressure" ||
  { sc_in "$CTL" kills; fail "unitoomctl kills does not list the kill"; }
sc_in "$CTL" --json kills | python3 -c '
import json, sys
k = json.load(sys.stdin)[0]
assert k["unit"] == "hog.service" and k["cgroup"] == "/work.slice/hog.service", k
assert "OWN_MEMORY_STALL_PCT" in k["figures"], k' || fail "unitoomctl --json kills"
signals() { sc_in journalctl --no-pager -o cat -u api-monitor.service; }
signal_seen() { signals | grep -q "member=$1"; }
wait_until 5 signal_seen Killed || fail "no Killed signal on the bus"
signals | grep -A5 "member=Killed" | grep -q '"hog.service"' || fail "the Killed signal does not name hog.service"
signal_seen PressureWarning || fail "no PressureWarning before the kill"
echo "ok: Killed and PressureWarning signals, KillCount, unitoomctl kills"

sc_in "$CTL" dry-run on | grep -q "dry run on" || fail "unitoomctl dry-run on"
[ "$(sc_in "${BUSCTL[@]}" get-property "${MGR[@]}" DryRun)" = "b true" ] || fail "DryRun did not turn on"
sc_in "$CTL" --json status | python3 -c 'import json,sys; assert json.load(sys.stdin)["dry_run"] is True' ||
  fail "unitoomctl --json status does not say dry run"

sc_in systemctl stop unitoomd.service
out=$(sc_in "$CTL" status 2>&1); rc=$?
[ $rc = 3 ] && grep -q "unitoomd is not running on the system bus" <<< "$out" || fail "not running: exit $rc, '$out'"
echo "ok: unitoomctl says when unitoomd is not running ($out)"
echo PASS
