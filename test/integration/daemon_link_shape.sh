#!/bin/bash
# The daemon's binary keeps the shape that makes it small in memory
# (BENCHMARKS.md, "Code size and PSS", issue 17): what a change to the code
# or the build could quietly undo.
#   daemon_link_shape.sh UNITOOMD SMALL_DAEMON(true|false) RELR(true|false)
# - No iostreams: their first use builds libstdc++'s locales, code and
#   data nothing else touches (about 350 KiB resident).
# - With -Dsmall-daemon (the default): link-time optimised (its debug
#   information was produced from GIMPLE, not from C++ translation units),
#   unused sections dropped, relative relocations packed (DT_RELR) where the
#   linker can.
set -u
BIN=$1 SMALL=$2 RELR=$3
fail() { echo "FAIL: $*"; exit 1; }
for tool in nm readelf; do command -v $tool >/dev/null || { echo "SKIPPED: needs $tool (binutils)"; exit 77; }; done
streams=$(nm -D --undefined-only -C "$BIN" | grep -E 'std::(ios_base|basic_(i|o)?stream|basic_(i|o)?fstream|basic_(i|o)?stringstream|locale::classic|cout|cerr|clog)' || true)
[ -z "$streams" ] || fail "the daemon uses iostreams (libstdc++ builds its locales on first use):
$streams"
if [ "$SMALL" = true ]; then
  readelf --debug-dump=info "$BIN" 2>/dev/null | grep -m1 -q 'DW_AT_producer.*GNU GIMPLE' ||
    fail "the daemon was not link-time optimised (no GIMPLE producer in its debug information)"
  if [ "$RELR" = true ]; then
    readelf -d "$BIN" | grep -q '(RELR)' || fail "the daemon's relative relocations are not packed (no DT_RELR)"
  fi
fi
echo "ok: no iostreams; small-daemon=$SMALL relr=$RELR"
