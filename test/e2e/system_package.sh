#!/bin/bash
# The Debian package, as an administrator meets it. tools/deb builds it from a
# clean copy of the checkout (dpkg-buildpackage -us -uc -b) and fails on any
# lintian error or warning; then, in the system container, which has nothing
# of unitoomd's: apt installs the .deb files, the service is enabled and
# running, kills a real memory hog through systemd, `unitoomctl status`
# answers; an upgrade over itself keeps an edited conffile and restarts the
# daemon; purge leaves nothing of unitoomd's behind.
set -u
source "$(dirname "$0")/lib/system.sh"
sc_reexec_in_namespace "$0" "$@"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=$1
command -v dpkg-buildpackage >/dev/null && command -v lintian >/dev/null ||
  sc_skip "needs dpkg-dev, debhelper and lintian (tools/lib/setup.sh installs them)"

# The packages are rebuilt only when a file of the checkout changed (a build
# takes minutes on two cores); the stamp is the hash of every file git knows
# but the tests (not in the packages).
DEBS=$BUILD/deb
stamp=$(cd "$ROOT" && git ls-files -z --cached --others --exclude-standard -- . ":!test" | xargs -0 sha256sum 2>/dev/null | sha256sum | cut -c1-64)
if [ "$(cat "$DEBS/stamp" 2>/dev/null)" != "$stamp" ]; then
  echo "building the packages (tools/deb, DEB_BUILD_OPTIONS=nocheck: the unit tests run on their own)"
  DEB_BUILD_OPTIONS="nocheck parallel=$(nproc)" "$ROOT/tools/deb" "$DEBS" >/dev/null || { echo "FAIL: tools/deb failed"; exit 1; }
  echo "$stamp" > "$DEBS/stamp"
fi
grep -E '^[EWI]:' "$DEBS/lintian.txt" | sed 's/^/lintian: /'

SC_NO_INSTALL=1 system_scenario_start system-package "$@"
[ -e "/proc/$SC_PID1/root/usr/sbin/unitoomd" ] && fail "the container has unitoomd before the package is installed"
sc_in mkdir -p /var/tmp/debs
cp "$DEBS"/unitoomd_*.deb "$DEBS"/unitoomd-desktop_*.deb "/proc/$SC_PID1/root/var/tmp/debs/"
DEB=/var/tmp/debs/$(basename "$DEBS"/unitoomd_*.deb)
DESKTOP_DEB=/var/tmp/debs/$(basename "$DEBS"/unitoomd-desktop_*.deb)
# The lab's root is an overlay of this host's, and a host built as a Docker
# image carries Docker's /usr/sbin/policy-rc.d ("exit 101": start no service
# from a package's scripts). A real machine has none; without it, postinst
# starts the service as it would there.
sc_in rm -f /usr/sbin/policy-rc.d
apt_get() { sc_in env DEBIAN_FRONTEND=noninteractive apt-get -q -y -o Dpkg::Use-Pty=0 "$@" > "/proc/$SC_PID1/root/var/tmp/apt.log" 2>&1 ||
  { cat "/proc/$SC_PID1/root/var/tmp/apt.log"; fail "apt-get $* failed"; }; }

# --- install
apt_get install "$DEB" "$DESKTOP_DEB"
[ "$(sc_in systemctl is-enabled unitoomd.service)" = enabled ] || fail "unitoomd.service is not enabled after install"
wait_until 10 is_active unitoomd.service || fail "unitoomd.service is not running after install"
sc_in test -f /etc/unitoomd/unitoomd.conf || fail "no /etc/unitoomd/unitoomd.conf"
sc_in dpkg-query -W -f='${Conffiles}' unitoomd | grep -q /etc/unitoomd/unitoomd.conf || fail "unitoomd.conf is not a conffile"
echo "installed: $(sc_in dpkg-query -W -f='${Package} ${Version}\n' 'unitoomd*' | tr '\n' ' ')"

# --- an administrator's edits: the conffile, and a drop-in of the same name
# masking the desktop package's 20 s (a scenario should not wait that long)
sc_in sed -i 's/^#KillMethod=kill$/# edited by the package test\nKillMethod=kill/' /etc/unitoomd/unitoomd.conf
sc_in grep -q "edited by the package test" /etc/unitoomd/unitoomd.conf || fail "could not edit the conffile"
printf '[OOM]\nDefaultMemoryPressureDurationSec=2s\n' | container_write /etc/unitoomd/unitoomd.conf.d/50-desktop.conf
sc_in systemctl reload unitoomd.service
wait_for_log "^reloaded" 5 || fail "unitoomd did not take the edited configuration"
timeline duration_ms 2000
monitored_slice work.slice 20%
start_sleeper bystander.service work.slice
wait_for_log "ruleset 'work.slice/ManagedOOMMemoryPressure' added" 10 || fail "no ruleset synthesized for work.slice"

# --- it kills as before
hog_killed hog.service work.slice 3
[ "$(sc_in systemctl show -P Result hog.service)" = oom-kill ] || fail "hog.service's result is not oom-kill"
is_active bystander.service || fail "the bystander was killed"
status=$(sc_in unitoomctl status) || fail "unitoomctl status failed"
echo "$status" | grep -q "work.slice/ManagedOOMMemoryPressure" || { echo "$status"; fail "unitoomctl status lacks the work.slice ruleset"; }
echo "$status" | grep -qx "Kills since start: 1" || { echo "$status"; fail "unitoomctl status does not count the kill"; }
sc_in journalctl --no-pager -x MESSAGE_ID=d4851d7c1cfc4499865eb091d114165e | grep -q "unitoomd killed hog.service" ||
  fail "the catalog is not in journalctl -x (the systemd catalog trigger did not run?)"

# --- upgrade over itself
pid_before=$(sc_in systemctl show -P MainPID unitoomd.service)
apt_get install --reinstall "$DEB"
sc_in grep -q "edited by the package test" /etc/unitoomd/unitoomd.conf || fail "the upgrade lost the edited conffile"
[ -z "$(sc_in find /etc/unitoomd -name '*.dpkg-*')" ] || fail "the upgrade left $(sc_in find /etc/unitoomd -name '*.dpkg-*')"
wait_until 10 is_active unitoomd.service || fail "unitoomd.service is not running after the upgrade"
pid_after=$(sc_in systemctl show -P MainPID unitoomd.service)
[ "$pid_after" != "$pid_before" ] || fail "the upgrade did not restart unitoomd (MainPID $pid_before)"
[ "$(sc_in systemctl is-enabled unitoomd.service)" = enabled ] || fail "unitoomd.service is not enabled after the upgrade"
echo "upgrade: conffile kept, MainPID $pid_before -> $pid_after"

# --- purge: the administrator's own drop-in first (dpkg leaves what is not
# the package's), then nothing named unitoomd anywhere the container wrote
# (its root is an overlay: every file written is in the upper layer)
sc_in rm -f /etc/unitoomd/unitoomd.conf.d/50-desktop.conf
sc_in rmdir /etc/unitoomd/unitoomd.conf.d
apt_get purge unitoomd unitoomd-desktop
sc_in rm -rf /var/tmp/debs /var/tmp/apt.log
is_active unitoomd.service && fail "unitoomd.service still runs after purge"
sc_in dpkg-query -W 'unitoomd*' >/dev/null 2>&1 && fail "dpkg still knows unitoomd: $(sc_in dpkg-query -W 'unitoomd*')"
left=$(cd "$SC_DIR/upper" && find . -name '*unitoomd*' ! -type c ! -path './usr/libexec/unitoomd-lab*' ! -path './var/log/journal/*')
[ -z "$left" ] || fail "purge left behind: $left"
echo PASS
