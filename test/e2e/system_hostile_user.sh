#!/bin/bash
# System container: a hostile user. The system instance of unitoomd (root)
# follows every user manager on that user's own session bus, and whatever
# answers there as org.freedesktop.systemd1 is the user's. Here the test user
# stops their session bus, serves their own at /run/user/UID/bus with a fake
# systemd (helpers/fake-systemd.py) and claims, with
# ManagedOOMMemoryPressure=kill at 1 %, a root service under real memory
# pressure (/system.slice/victim.service, also through "..", the user's
# whole slice, the manager itself), ManagedOOMPreference=omit on the system
# service a trusted policy must kill, invalid unit names (control
# characters, 300 bytes, 100 KB), a property of the wrong type, replies that
# come 30 s late or never, 10,000 units in ListUnits and a storm of UnitNew.
# One unit is legit: app-legit.scope inside the user's subtree.
#
# unitoomd must: never kill victim.service; keep no ruleset and monitor no
# cgroup for a refused claim, and say "refused unit" in the journal; still
# kill the trusted policy's hog in work.slice on time while the user floods;
# add the ruleset of the legit unit (which proves the fake bus is followed);
# stay up with bounded memory. Every check is made and all that failed are
# listed at the end.
set -u
source "$(dirname "$0")/lib/system.sh"
sc_reexec_in_namespace "$0" "$@"
system_scenario_start system-hostile-user "$@"
/usr/bin/python3 -c 'from gi.repository import Gio' 2>/dev/null || sc_skip "needs python3-gi (the fake systemd)"

FAKE_LOG=/tmp/fake-systemd.log   # inside the container
RSS_LIMIT_MIB=64
HOG_BOUND_S=30                   # generator start -> hog.service dead
PROBLEMS=()
problem() { echo "PROBLEM: $*"; PROBLEMS+=("$*"); }

# --- a system: a trusted policy (work.slice), a victim, a user with an app
printf '[OOM]\nDefaultMemoryPressureDurationSec=2s\n' | container_write /etc/unitoomd/unitoomd.conf
timeline duration_ms 2000
monitored_slice work.slice 20%
sc_add_user || fail "no user manager for the test user"
USER_UNIT=user@$SC_UID.service
# victim.service: started by root, under real memory pressure, no OOM policy
start_hog victim.service system.slice 1
unset 'TIMELINE[generator_start]'  # the trusted hog's start is the timeline's
VICTIM_PID=$(sc_in systemctl show -P MainPID victim.service)
VICTIM_STARTED=$(sc_in systemctl show -P ExecMainStartTimestampMonotonic victim.service)
launch_app app-legit.scope sleep 600
unitoomd_start
wait_for_log "ruleset 'work.slice/ManagedOOMMemoryPressure' added" 10 || fail "no ruleset synthesized for work.slice"
wait_for_log "connected to the session bus of user $SC_UID" 10 || fail "the user's manager is not followed"

# --- the user takes over their own session bus (as the user, from the
# user's manager, as any user can)
FAKE=$(container_install_helper "$E2E_LIB/../helpers/fake-systemd.py") || fail "cannot copy the fake systemd into the container"
container_write "$SC_HELPER_DIR/hostile-session.sh" <<'SCRIPT' || fail "cannot write the hostile session script"
#!/bin/sh
# usage: hostile-session.sh FAKE LOG: the user's session bus, replaced by
# their own dbus-daemon, where FAKE answers as org.freedesktop.systemd1.
bus=/run/user/$(id -u)/bus
systemctl --user stop dbus.socket dbus.service
rm -f "$bus"
dbus-daemon --session --address="unix:path=$bus" --nofork &
echo $! > /tmp/hostile-dbus.pid
for _ in $(seq 50); do [ -S "$bus" ] && break; sleep 0.1; done
exec /usr/bin/python3 "$1" --address "unix:path=$bus" --uid "$(id -u)" --log "$2"
SCRIPT
sc_in chmod 755 "$SC_HELPER_DIR/hostile-session.sh"
fake_log() { cat "/proc/$SC_PID1/root$FAKE_LOG" 2>/dev/null; }
fake_has() { fake_log | grep -q -- "$1"; }
sc_user systemd-run --user --quiet --unit=hostile-session.service "$SC_HELPER_DIR/hostile-session.sh" "$FAKE" "$FAKE_LOG" ||
  fail "cannot start the hostile session"
hostile_journal() { sc_in journalctl --no-pager -o cat _UID="$SC_UID" + _SYSTEMD_USER_UNIT=hostile-session.service | tail -15; }
wait_until 30 fake_has '^owned' || fail "the fake systemd did not take the user's bus: $(fake_log) $(hostile_journal)"
FAKE_PID=$(fake_log | sed -n 's/^pid //p' | head -1)
DBUS_PID=$(sc_in cat /tmp/hostile-dbus.pid)
wait_until 15 fake_has '^listunits' || fail "unitoomd did not list the fake's units: $(fake_log)"
LISTED_AT=$(date +%s)
echo "the fake systemd (pid $FAKE_PID in the container) answers on the user's bus: $(fake_log | grep -m1 '^listunits')"

# --- the legit unit's ruleset: the fake bus is followed, its claims read
LEGIT_RULESET="$USER_UNIT:app-legit.scope/ManagedOOMMemoryPressure"
if wait_for_log "ruleset '$LEGIT_RULESET' added" 60; then
  echo "the legit unit's ruleset added $(($(date +%s) - LISTED_AT)) s after the fake's units were listed"
else
  problem "no ruleset for the legit app-legit.scope in 60 s: unitoomd did not follow the user's (fake) manager"
fi

# --- the trusted policy acts on time while the user floods (the storm: new
# units past the bound, invalid names, then a reload that has every unit
# read again) and claims ManagedOOMPreference=omit on its target
sc_in kill -USR1 "$FAKE_PID"
wait_until 5 fake_has '^storm start' || problem "the fake's storm did not start"
psi_cross_start "$(sc_host_cgroup /work.slice)/memory.pressure" 20
start_hog hog.service work.slice 3
hog_killed=no
wait_until $((HOG_BOUND_S + 15)) is_gone hog.service && hog_killed=yes
psi_cross_stop
if [ $hog_killed = yes ]; then
  wait_for_log "Killed hog.service" 5 || problem "no kill report for hog.service"
  record_kill hog.service
  took=$(( (${TIMELINE[unit_dead]:-0} - ${TIMELINE[generator_start]:-0}) / 1000 ))
  echo "trusted kill: hog.service dead ${took} ms after its load began"
  [ "$took" -le $((HOG_BOUND_S * 1000)) ] || problem "the trusted kill took ${took} ms (bound ${HOG_BOUND_S} s)"
else
  problem "hog.service (work.slice's ManagedOOMMemoryPressure=kill, set by root) still runs $((HOG_BOUND_S + 15)) s after its load began"
  unitoomd_log | grep -m3 "found nothing to kill\|protected" || true
  sc_in systemctl stop hog.service
fi

wait_until 20 fake_has '^storm done' || problem "the fake's storm did not end: $(fake_log | tail -3)"
# the late replies (30 s after the reads began) arrive before the checks
sleep $((LISTED_AT + 32 - $(date +%s))) 2>/dev/null
echo "the fake systemd's counts every 5 s:"; fake_log | grep '^stats' | cut -d' ' -f2- | sed 's/^/  /' | uniq
fake_log | grep -E '^(KillUnit|StopUnit|RestartUnit|GetUnitByControlGroup)' | head -5

# --- victim.service lives
is_active victim.service || problem "victim.service was killed: $(sc_in systemctl show -P Result victim.service)"
if [ "$(sc_in systemctl show -P MainPID victim.service)" != "$VICTIM_PID" ] ||
   [ "$(sc_in systemctl show -P ExecMainStartTimestampMonotonic victim.service)" != "$VICTIM_STARTED" ]; then
  problem "victim.service is not the one started (restarted or killed)"
fi
unitoomd_log | grep -q "chose [^ ]*victim.service\|Killed [^ ]*victim.service" &&
  problem "victim.service was chosen: $(unitoomd_log | grep -m1 "chose [^ ]*victim.service\|Killed [^ ]*victim.service")"

# --- no ruleset and no monitored cgroup for a refused claim
api() { sc_in busctl --json=short get-property org.unitoomd1 /org/unitoomd1 org.unitoomd1.Manager "$1"; }
api Rulesets > "$SC_DIR/rulesets.json" || problem "cannot read unitoomd's Rulesets"
api MonitoredCGroups > "$SC_DIR/monitored.json" || problem "cannot read unitoomd's MonitoredCGroups"
verdict=$(python3 -c '
import json, sys
legit, user = sys.argv[1], sys.argv[2] + ":"
names = [r[0] for r in json.load(open(sys.argv[3]))["data"]]
cgroups = [c[0] for c in json.load(open(sys.argv[4]))["data"]]
out = []
if legit not in names: out.append("no ruleset %r" % legit)
if "work.slice/ManagedOOMMemoryPressure" not in names: out.append("no ruleset for work.slice")
bad = [n for n in names if n.startswith(user) and n != legit] + [n for n in names if not n.isprintable()]
if bad: out.append("rulesets for refused claims: %s" % ", ".join(repr(n[:80]) for n in bad[:8]))
badcg = [c for c in cgroups if "victim" in c or "/.." in c or not c.isprintable()]
if badcg: out.append("monitored cgroups of refused claims: %s" % ", ".join(repr(c[:100]) for c in badcg[:8]))
print("%d ruleset(s), %d of the user; %d monitored cgroup(s)" % (len(names), sum(n.startswith(user) for n in names), len(cgroups)))
for o in out: print("PROBLEM " + o)
 ' "$LEGIT_RULESET" "$USER_UNIT" "$SC_DIR/rulesets.json" "$SC_DIR/monitored.json" 2>&1)
echo "$verdict" | grep -v '^PROBLEM '
while read -r line; do problem "${line#PROBLEM }"; done < <(echo "$verdict" | grep '^PROBLEM ')

# --- the journal names the refused claims. Refusals are rate-limited (a few
# a minute), so only the first claims are sure to be named: the fake lists
# victim.service and shield.service first (the real manager's units, read
# before the takeover, may take a turn before them).
refusals=$(unitoomd_log | grep "refused unit")
echo "refusals in the journal: $(echo -n "$refusals" | grep -c .)"; echo "$refusals" | head -8 | cut -c1-220
[ -n "$refusals" ] || problem "no refusal in the journal (no 'refused unit')"
for claim in victim.service:/system.slice/victim.service shield.service:/work.slice/hog.service; do
  echo "$refusals" | grep -F "${claim%%:*}" | grep -F "${claim#*:}" | grep -qw "$SC_UID" ||
    problem "the journal does not name the refused ${claim%%:*} (uid $SC_UID, cgroup ${claim#*:})"
done
[ "$(echo -n "$refusals" | grep -c .)" -le 200 ] || problem "$(echo "$refusals" | wc -l) refusal lines: not rate-limited"

# --- unitoomd stayed up, with bounded memory
sc_in systemctl -q is-active unitoomd.service || problem "unitoomd died"
[ "$(sc_in systemctl show -P NRestarts unitoomd.service)" = 0 ] || problem "unitoomd was restarted (watchdog?)"
MAIN=$(sc_in systemctl show -P MainPID unitoomd.service)
rss=$(sc_in sed -n 's/^VmRSS:[^0-9]*\([0-9]*\) kB/\1/p' "/proc/$MAIN/status")
hwm=$(sc_in sed -n 's/^VmHWM:[^0-9]*\([0-9]*\) kB/\1/p' "/proc/$MAIN/status")
echo "unitoomd: VmRSS $((rss / 1024)) MiB, VmHWM $((hwm / 1024)) MiB; $(unitoomd_log | wc -l) journal lines"
if [ -z "$rss" ] || [ "$rss" -ge $((RSS_LIMIT_MIB * 1024)) ]; then
  problem "unitoomd's RSS is ${rss:-?} kB (bound $RSS_LIMIT_MIB MiB)"
fi

# --- the hostile session ends (by PID); the container's stop does the rest
sc_in kill "$FAKE_PID" "$DBUS_PID" 2>/dev/null
sc_in systemctl stop victim.service

if [ ${#PROBLEMS[@]} -gt 0 ]; then
  fail "$(printf '%s; ' "${PROBLEMS[@]}")"
fi
echo PASS
