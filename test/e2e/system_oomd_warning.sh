#!/bin/bash
# System container: two OOM killers on one bus fight over the same cgroups,
# so unitoomd warns when org.freedesktop.oom1 (systemd-oomd's name) is owned
# on its bus: at start if it is already there, and while it runs when the
# name appears later. The owner here is a stand-in (helpers/own-bus-name.py),
# allowed by a bus policy drop-in to own the name, as systemd-oomd's package
# allows systemd-oomd.
set -u
source "$(dirname "$0")/lib/system.sh"
sc_reexec_in_namespace "$0" "$@"
system_scenario_start system-oomd-warning "$@"

WARNING="systemd-oomd is running on this bus"
OWNER=$(container_install_helper "$E2E_LIB/../helpers/own-bus-name.py") ||
  fail "cannot copy the bus name owner into the container"
container_write /etc/dbus-1/system.d/unitoomd-test-oom1.conf <<'EOF'
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-BUS Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <policy user="root">
    <allow own="org.freedesktop.oom1"/>
  </policy>
</busconfig>
EOF
sc_in systemctl reload dbus.service || fail "cannot reload the bus's policy"

# Type=dbus: the start returns once the name is owned.
start_fake_oomd() {
  sc_in systemd-run --quiet --unit=fake-oomd.service -p Type=dbus -p BusName=org.freedesktop.oom1 "$OWNER" org.freedesktop.oom1 ||
    fail "cannot start fake-oomd.service"
  sc_in busctl --no-pager status org.freedesktop.oom1 >/dev/null || fail "org.freedesktop.oom1 is not owned"
}
warnings() { unitoomd_log | grep -c -- "$WARNING"; }
connected() { [ "$(unitoomd_log | grep -c "connected to the system bus")" -ge "$1" ]; }

printf '[OOM]\nDefaultMemoryPressureDurationSec=2s\n' | container_write /etc/unitoomd/unitoomd.conf
monitored_slice work.slice 20%

## The name is owned when unitoomd starts
start_fake_oomd
owner=$(sc_in busctl --no-pager --json=short call org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus \
  GetNameOwner s org.freedesktop.oom1 | python3 -c 'import json,sys; print(json.load(sys.stdin)["data"][0])')
unitoomd_start
wait_for_log "$WARNING" 10 || fail "no warning at start while org.freedesktop.oom1 is owned"
log_has "$WARNING (org.freedesktop.oom1 is $owner)" || fail "the warning does not name the owner $owner"
log_has "systemctl disable --now systemd-oomd.service systemd-oomd.socket" || fail "the warning does not say how to keep one"
unitoomd_log -o json | python3 -c '
import json, sys
e = [e for e in map(json.loads, sys.stdin) if sys.argv[1] in e.get("MESSAGE", "")][0]
assert e.get("PRIORITY") == "4", "the warning has priority %r, not 4 (warning)" % e.get("PRIORITY")' "$WARNING" ||
  fail "the warning is not logged as a warning"
echo "ok: warned at start: $(unitoomd_log | grep -- "$WARNING" | head -1)"

## Not owned at start: no warning; then the name appears while it runs
sc_in systemctl stop fake-oomd.service || fail "cannot stop fake-oomd.service"
sc_in busctl --no-pager status org.freedesktop.oom1 >/dev/null 2>&1 && fail "org.freedesktop.oom1 is still owned"
sc_in systemctl restart unitoomd.service || fail "cannot restart unitoomd"
wait_until 10 connected 2 || fail "the restarted unitoomd did not connect to the bus"
wait_until 10 is_active unitoomd.service || fail "the restarted unitoomd is not active"
pid=$(sc_in systemctl show -P MainPID unitoomd.service)
sleep 2
[ "$(warnings)" = 1 ] || fail "unitoomd warned about systemd-oomd while org.freedesktop.oom1 was not owned"
start_fake_oomd
appeared() { [ "$(warnings)" -ge 2 ]; }
wait_until 5 appeared || fail "no warning when org.freedesktop.oom1 appeared while unitoomd ran"
[ "$(sc_in systemctl show -P MainPID unitoomd.service)" = "$pid" ] || fail "unitoomd was restarted meanwhile"
echo "ok: warned when the name appeared: $(unitoomd_log | grep -- "$WARNING" | tail -1)"
sc_in systemctl -q is-active unitoomd.service || fail "unitoomd died"
echo PASS
