#!/bin/bash
# The shipped system unit is no more exposed than systemd-oomd's, by
# `systemd-analyze security --offline=yes`: a dropped sandboxing line fails.
# systemd-oomd's figure is computed live from its unit (installed, or the
# Debian package of the installed systemd's version, unpacked, not installed);
# without it, the figure measured on systemd 252 stands in there, and on
# another systemd version (other weights) the test is skipped.
# usage: unit_hardening.sh BUILT_UNIT_FILE
set -u
UNIT=$1
# systemd 252.39-1~deb12u2 (Debian 12): systemd-analyze security --offline=yes
# on systemd-oomd.service from the package systemd-oomd of that version.
OOMD_252=2.0

skip() { echo "SKIPPED: $*"; exit 77; }
exposure() {  # UNIT_FILE -> the overall exposure, e.g. 1.9
  systemd-analyze security --offline=yes --no-pager "$1" 2>/dev/null |
    sed -n 's/^.*Overall exposure level for [^:]*: \([0-9.]*\) .*$/\1/p'
}

command -v systemd-analyze >/dev/null || skip "no systemd-analyze"
[ -s "$UNIT" ] || { echo "FAIL: no built unit at $UNIT"; exit 1; }
ours=$(exposure "$UNIT")
[ -n "$ours" ] || skip "systemd-analyze here has no 'security --offline=yes' (systemd < 250)"
sd_major=$(systemd-analyze --version | sed -n '1s/^systemd \([0-9]*\).*/\1/p')

oomd=""
for f in /usr/lib/systemd/system/systemd-oomd.service /lib/systemd/system/systemd-oomd.service; do
  [ -s "$f" ] && { oomd_unit=$f; break; }
done
if [ -z "${oomd_unit:-}" ] && command -v apt-get >/dev/null; then
  # shellcheck source=../../tools/lib/setup.sh
  source "$(dirname "$0")/../../tools/lib/setup.sh"
  ensure_oomd >&2
  dir=$(lab_oomd_dir)
  for f in "$dir"/usr/lib/systemd/system/systemd-oomd.service "$dir"/lib/systemd/system/systemd-oomd.service; do
    [ -s "$f" ] && { oomd_unit=$f; break; }
  done
fi
if [ -n "${oomd_unit:-}" ]; then
  oomd=$(exposure "$oomd_unit")
  from="$oomd_unit, systemd $sd_major"
elif [ "$sd_major" = 252 ]; then
  oomd=$OOMD_252
  from="measured on systemd 252 (systemd-oomd's unit not at hand)"
else
  skip "systemd-oomd's unit is neither installed nor downloadable, and the figure measured on 252 does not hold for systemd $sd_major"
fi
[ -n "$oomd" ] || { echo "FAIL: no exposure figure for $oomd_unit"; exit 1; }

echo "exposure: unitoomd.service $ours, systemd-oomd.service $oomd ($from)"
if awk -v a="$ours" -v b="$oomd" 'BEGIN { exit !(a > b) }'; then
  echo "FAIL: the shipped unit is more exposed than systemd-oomd's; what it lacks:"
  systemd-analyze security --offline=yes --no-pager "$UNIT" 2>/dev/null | grep '✗'
  exit 1
fi
echo PASS
