#!/bin/bash
# `oomctl dump`, Debian's real oomctl (the systemd-oomd package, unpacked in
# the lab's cache, not installed), against unitoomd: while systemd-oomd is not
# running, unitoomd owns org.freedesktop.oom1 and answers
# DumpByFileDescriptor with its own dump, for root and for any user. That is
# no second killer: unitoomd does not warn about itself. When systemd-oomd
# (a stand-in owning the name) comes, it takes the name over, and unitoomd
# warns as before.
set -u
source "$(dirname "$0")/lib/system.sh"
sc_reexec_in_namespace "$0" "$@"
OOMCTL=$(lab_oomd_dir)/usr/bin/oomctl
[ -x "$OOMCTL" ] || sc_skip "Debian's oomctl is not unpacked in $(lab_oomd_dir) (./tools/test fetches it)"
system_scenario_start system-oomctl "$@"

monitored_slice work.slice 20%
unitoomd_start
wait_for_log "ruleset 'work.slice/ManagedOOMMemoryPressure' added" 10 || fail "no ruleset synthesized for work.slice"
wait_for_log "offering org.freedesktop.oom1's DumpByFileDescriptor" 10 || fail "unitoomd does not offer org.freedesktop.oom1"

# The lab's cache is bound into the container at the same path.
out=$(sc_in "$OOMCTL" dump) || fail "oomctl dump failed: $out"
echo "$out" | grep -q "^unitoomd answers for systemd-oomd" || { echo "$out"; fail "oomctl dump does not show unitoomd's dump"; }
echo "$out" | grep -q "work.slice/ManagedOOMMemoryPressure" || { echo "$out"; fail "oomctl dump lacks the work.slice ruleset"; }
user_out=$(sc_in runuser -u nobody -- "$OOMCTL" dump) || fail "oomctl dump as a user failed: $user_out"
[ "$user_out" = "$out" ] || echo "$user_out" | grep -q "^unitoomd answers" || fail "oomctl dump as a user differs"
log_has "systemd-oomd is running on this bus" && fail "unitoomd warned about its own org.freedesktop.oom1"
echo "oomctl dump (first lines):"
echo "$out" | head -12 | sed 's/^/  | /'

# systemd-oomd arrives (a stand-in, allowed to own the name as its package allows systemd-oom)
OWNER=$(container_install_helper "$E2E_LIB/../helpers/own-bus-name.py") || fail "cannot copy the bus name owner"
container_write /etc/dbus-1/system.d/unitoomd-test-oom1.conf <<'XML'
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-BUS Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig><policy user="root"><allow own="org.freedesktop.oom1"/></policy></busconfig>
XML
sc_in systemctl reload dbus.service || fail "cannot reload the bus's policy"
sc_in systemd-run --quiet --unit=fake-oomd.service -p Type=dbus -p BusName=org.freedesktop.oom1 "$OWNER" org.freedesktop.oom1 ||
  fail "the stand-in for systemd-oomd could not take org.freedesktop.oom1 from unitoomd"
wait_for_log "systemd-oomd is running on this bus" 5 || fail "no warning once another process owned org.freedesktop.oom1"
sc_in systemctl -q is-active unitoomd.service || fail "unitoomd died"
echo PASS
