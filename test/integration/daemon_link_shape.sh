#!/bin/bash
# The daemon's binary keeps the shape that makes it small in memory
# (BENCHMARKS.md, "Code size and PSS", issue 17): what a change to the code
# or the build could quietly undo.
#   daemon_link_shape.sh UNITOOMD SMALL_DAEMON(true|false) RELR(true|false)
# - No iostreams: their first use builds libstdc++'s locales, code and
#   data nothing else touches (about 350 KiB resident).
# - No sdbus-c++: the D-Bus code is on sd-bus (libsystemd).
# - With -Dsmall-daemon (the default): link-time optimised (its debug
#   information was produced from GIMPLE, not from C++ translation units),
#   unused sections dropped, relative relocations packed (DT_RELR) where the
#   linker can, libstdc++ and libgcc linked in (no libstdc++.so, whose
#   symbol tables alone are 700 KiB resident, and no libgcc_s.so).
set -u
BIN=$1 SMALL=$2 RELR=$3
fail() { echo "FAIL: $*"; exit 1; }
for tool in nm readelf; do command -v $tool >/dev/null || { echo "SKIPPED: needs $tool (binutils)"; exit 77; }; done
# Linked in, libstdc++'s iostreams would be the daemon's own symbols.
streams=$( (nm -D --undefined-only -C "$BIN"; nm -C "$BIN" 2>/dev/null) |
  grep -E 'std::(ios_base|basic_(i|o)?stream|basic_(i|o)?fstream|basic_(i|o)?stringstream|locale::classic|cout|cerr|clog)' || true)
[ -z "$streams" ] || fail "the daemon uses iostreams (libstdc++ builds its locales on first use):
$(head -5 <<< "$streams")"
needed=$(readelf -d "$BIN" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
grep -q '^libsdbus-c++' <<< "$needed" && fail "the daemon links sdbus-c++ (its D-Bus code is on sd-bus)"
if [ "$SMALL" = true ]; then
  readelf --debug-dump=info "$BIN" 2>/dev/null | grep -m1 -q 'DW_AT_producer.*GNU GIMPLE' ||
    fail "the daemon was not link-time optimised (no GIMPLE producer in its debug information)"
  shared=$(grep -E '^(libstdc\+\+|libgcc_s)\.so' <<< "$needed")
  [ -z "$shared" ] || fail "the daemon maps $(echo $shared) (small-daemon links libstdc++ and libgcc in)"
  if [ "$RELR" = true ]; then
    readelf -d "$BIN" | grep -q '(RELR)' || fail "the daemon's relative relocations are not packed (no DT_RELR)"
  fi
fi
echo "ok: no iostreams, no sdbus-c++; small-daemon=$SMALL (libstdc++ linked in) relr=$RELR; NEEDED: $(echo $needed)"
