#!/bin/bash
# systemd's conventions for daemons, as administrators drive them:
# `systemctl service-log-level` and `service-log-target` (org.freedesktop.
# LogControl1, found through the unit's BusName=) change the running daemon's
# logging, and only root may change it; every event source has a name, and
# `unitoomctl dump` says which woke the daemon.
set -u
source "$(dirname "$0")/lib/system.sh"
sc_reexec_in_namespace "$0" "$@"
system_scenario_start system-log-control "$@"

monitored_slice work.slice 20%
unitoomd_start
wait_for_log "ruleset 'work.slice/ManagedOOMMemoryPressure' added" 10 || fail "no ruleset synthesized for work.slice"
# What the daemon itself logged (journalctl -u also shows systemd's lines
# about the unit): native entries and its stderr both carry this identifier.
own_log() { sc_in journalctl --no-pager -o cat SYSLOG_IDENTIFIER=unitoomd "$@"; }
reloads() { own_log | grep -c "^reloaded"; }
reload_and_wait() {
  sc_in systemctl reload unitoomd.service || fail "reload failed"
  sleep 1
}

# --- the level
[ "$(sc_in systemctl service-log-level unitoomd)" = info ] || fail "log level is '$(sc_in systemctl service-log-level unitoomd)', not info"
sc_in systemctl service-log-level unitoomd err || fail "systemctl service-log-level unitoomd err failed"
[ "$(sc_in systemctl service-log-level unitoomd)" = err ] || fail "the level did not become err"
n=$(reloads)
reload_and_wait
[ "$(reloads)" = "$n" ] || fail "at level err, the reload's info line was still logged"
sc_in systemctl service-log-level unitoomd debug || fail "systemctl service-log-level unitoomd debug failed"
reload_and_wait
[ "$(reloads)" -gt "$n" ] || fail "at level debug, the reload's info line was not logged"
# a newly monitored slice gets a PSI trigger, which is said at debug level
monitored_slice other.slice 30%
debug_trigger() { own_log -p 7..7 | grep -q "other.slice"; }
wait_until 10 debug_trigger || fail "no debug line about other.slice's trigger at level debug"
sc_in busctl set-property org.unitoomd1 /org/freedesktop/LogControl1 org.freedesktop.LogControl1 LogLevel s loud 2>/dev/null &&
  fail "an unknown level was accepted"
sc_in runuser -u nobody -- busctl set-property org.unitoomd1 /org/freedesktop/LogControl1 org.freedesktop.LogControl1 \
  LogLevel s debug 2>/dev/null && fail "a user who is not root changed the log level"
[ "$(sc_in runuser -u nobody -- busctl get-property org.unitoomd1 /org/freedesktop/LogControl1 org.freedesktop.LogControl1 \
  LogLevel)" = 's "debug"' ] || fail "a user cannot read the log level"
sc_in systemctl service-log-level unitoomd info
echo "ok: service-log-level err/debug/info"

# --- the target: console sends plain lines to stderr (the journal's stream
# here, so they arrive without MESSAGE_ID and with the level in the text)
[ "$(sc_in systemctl service-log-target unitoomd)" = auto ] || fail "log target is not auto"
sc_in systemctl service-log-target unitoomd console || fail "systemctl service-log-target unitoomd console failed"
reload_and_wait
own_log | grep -q "^unitoomd\[info\]: reloaded" || fail "with target console, no plain stderr line for the reload"
sc_in systemctl service-log-target unitoomd null
n=$(own_log | wc -l)
reload_and_wait
[ "$(own_log | wc -l)" = "$n" ] || fail "with target null, unitoomd still logged: $(own_log | tail -1)"
sc_in systemctl service-log-target unitoomd journal
reload_and_wait
own_log -o json | python3 -c '
import json, sys
e = [e for e in map(json.loads, sys.stdin) if e.get("MESSAGE", "").startswith("reloaded")][-1]
assert e.get("MESSAGE_ID"), "the reload line after target journal has no MESSAGE_ID"' || fail "target journal does not log natively"
echo "ok: service-log-target console/null/journal"

# --- named event sources in the dump
dump=$(sc_in unitoomctl dump) || fail "unitoomctl dump failed"
echo "$dump" | grep -q "^Woken by" || { echo "$dump"; fail "the dump does not say what woke the daemon"; }
echo "$dump" | grep -qE "^ +[0-9]+ +systemd:bus-io$" || { echo "$dump"; fail "the bus to systemd is not named in the dump"; }
echo "$dump" | grep -qE "^ +[0-9]+ +api-bus-io$" || { echo "$dump"; fail "the API bus is not named in the dump"; }
echo "$dump" | grep -qE "^ +5 +sighup-reload$" || { echo "$dump"; fail "the five reloads are not counted under sighup-reload"; }
echo "$dump" | grep -q "(unnamed)" && { echo "$dump"; fail "an event source has no name"; }
sc_in unitoomctl dump --json | python3 -c '
import json, sys
d = json.load(sys.stdin)
names = {w["source"] for w in d["woken_by"]}
assert "systemd:bus-io" in names and "sighup-reload" in names, names' || fail "the JSON dump has no woken_by"
echo "ok: $(echo "$dump" | sed -n '/^Woken by/,/^$/p' | tr -s ' ' | tr '\n' ';')"
echo PASS
