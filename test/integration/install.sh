#!/bin/bash
# `meson install --destdir`: every file lands where systemd-based
# distributions look for it, and the files are well formed.
set -u
BUILD=$1
D=$(mktemp -d)
trap 'rm -rf "$D"' EXIT
fail() { echo "FAIL: $*"; (cd "$D" && find . -type f | sort); exit 1; }
meson install -C "$BUILD" --no-rebuild --quiet --destdir "$D" > "$D.log" 2>&1 || { cat "$D.log"; rm -f "$D.log"; fail "meson install failed"; }
rm -f "$D.log"
for f in usr/sbin/unitoomd usr/bin/unitoomctl \
         usr/lib/systemd/system/unitoomd.service usr/lib/systemd/user/unitoomd.service \
         usr/lib/systemd/catalog/unitoomd.catalog \
         usr/share/dbus-1/system.d/org.unitoomd1.conf usr/share/dbus-1/interfaces/org.unitoomd1.Manager.xml \
         usr/share/dbus-1/system-services/org.unitoomd1.service usr/share/dbus-1/services/org.unitoomd1.service \
         usr/share/man/man8/unitoomd.8 usr/share/man/man5/unitoomd.conf.5 usr/share/man/man1/unitoomctl.1; do
  [ -s "$D/$f" ] || fail "$f was not installed"
done
[ -x "$D/usr/sbin/unitoomd" ] && [ -x "$D/usr/bin/unitoomctl" ] || fail "the programs are not executable"
grep -qx "ExecStart=/usr/sbin/unitoomd" "$D/usr/lib/systemd/system/unitoomd.service" || fail "system unit's ExecStart"
grep -qx "ExecStart=/usr/sbin/unitoomd --user" "$D/usr/lib/systemd/user/unitoomd.service" || fail "user unit's ExecStart"
grep -q "^Alias=dbus-org.unitoomd1.service" "$D/usr/lib/systemd/system/unitoomd.service" || fail "no D-Bus activation alias"
python3 - "$D" <<'PY' || fail "an XML file is not well formed"
import sys, xml.etree.ElementTree as ET
for f in ("usr/share/dbus-1/system.d/org.unitoomd1.conf", "usr/share/dbus-1/interfaces/org.unitoomd1.Manager.xml"):
    ET.parse(sys.argv[1] + "/" + f)
PY
# every MESSAGE_ID the daemon logs is explained in the catalog
for id in $(grep -o '"[0-9a-f]\{32\}"' "$(dirname "$0")/../../src/util/message_ids.h" | tr -d '"'); do
  grep -q "^-- $id$" "$D/usr/lib/systemd/catalog/unitoomd.catalog" || fail "catalog lacks $id"
done
echo "all $(cd "$D" && find . -type f | wc -l) files installed"
