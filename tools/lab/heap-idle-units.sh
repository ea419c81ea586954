#!/bin/bash
# What holds the daemon's heap while it follows N units with
# ManagedOOMMemoryPressure=kill (default 1,000), in the system container
# (system-container.sh), after it has taken them in:
#   1. glibc's own account (malloc_stats through gdb): bytes in use against
#      bytes the arenas hold, so live data and fragmentation apart, and what
#      a malloc_trim(0) gives back;
#   2. with HEAP_PROFILE=1, the daemon run by hand under heaptrack instead of
#      unitoomd.service (--dry-run), SIGKILLed after SECS seconds of idle so
#      that what is live is reported as leaked, by allocating call stack
#      (not working yet: its one try, 2026-12-03, left an empty file).
#   tools/lab/heap-idle-units.sh BUILD_DIR [N] [SECS] [OUT_DIR]
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=system-container.sh
source "$HERE/system-container.sh"
sc_reexec_in_namespace "$0" "$@"
BUILD=$(cd "$1" && pwd) N=${2:-1000} SECS=${3:-30} OUT=${4:-$BUILD/heap-idle-units}
mkdir -p "$OUT"
command -v gdb >/dev/null || { echo "SKIPPED: needs gdb"; exit 77; }

sc_start "unitoomd-heap-idle-units-$$" "$BUILD"
start_units() {
  sc_in sh -c 'mkdir -p /run/systemd/system
    for i in $(seq "$1"); do printf "[Slice]\nManagedOOMMemoryPressure=kill\n" > /run/systemd/system/idle-$i.slice; done
    systemctl daemon-reload && systemctl start $(seq -f "idle-%g.slice" "$1")' _ "$N"
}
# UNITS_AFTER=1: the daemon runs first and follows the units as they come,
# as in the VM lab's idle1000 (many unit changes, many recompiles)
[ "${UNITS_AFTER:-0}" = 1 ] || start_units || exit 1
metric() { sc_in unitoomctl metrics | awk -v k="$1" '$1 == k {print $2}'; }
taken_in() {
  for _ in $(seq 170); do [ "$(metric unitoomd_rulesets 2>/dev/null)" -ge "$N" ] 2>/dev/null && break; sleep 1; done
  sleep "$SECS"
}
anon() { awk '$1 == "Pss_Anon:" {a = $2} $1 == "AnonHugePages:" {h = $2} END {print a " KiB (AnonHugePages " h}' "/proc/$1/smaps_rollup"; }
heap() { awk '/\[heap\]/ {h = 1} h && $1 == "Rss:" {print $2; exit}' "/proc/$1/smaps"; }

# HEAP_EXEC: another daemon binary in unitoomd.service (a path the
# container sees); HEAP_ENV: an Environment= line for it
# (GLIBC_TUNABLES=glibc.malloc.hugetlb=1 makes malloc ask for transparent
# huge pages, as a kernel with THP "always" gives them unasked).
if [ -n "${HEAP_EXEC:-}${HEAP_ENV:-}" ]; then
  { printf '[Service]\n'
    [ -n "${HEAP_EXEC:-}" ] && printf 'ExecStart=\nExecStart=%s\n' "$HEAP_EXEC"
    [ -n "${HEAP_ENV:-}" ] && printf 'Environment=%s\n' "$HEAP_ENV"
  } | sc_in sh -c 'mkdir -p /etc/systemd/system/unitoomd.service.d && cat > /etc/systemd/system/unitoomd.service.d/90-heap.conf'
  sc_in systemctl daemon-reload
fi
if [ "${HEAP_PROFILE:-0}" != 1 ]; then
  sc_in systemctl start unitoomd.service || exit 1
  [ "${UNITS_AFTER:-0}" = 1 ] && { sleep 2; start_units || exit 1; }
  taken_in
  HPID=$(head -1 "$(sc_host_cgroup /system.slice/unitoomd.service)/cgroup.procs")
  echo "units $N rulesets $(metric unitoomd_rulesets) triggers $(metric unitoomd_triggers_armed)"
  echo "before: Pss_Anon $(anon "$HPID") KiB, [heap] resident $(heap "$HPID") KiB"
  # malloc_stats() writes to the daemon's stderr: the journal
  gdb -p "$HPID" -batch -ex 'call (void) malloc_stats()' -ex 'call (int) malloc_trim(0)' >/dev/null 2>&1
  echo "after malloc_trim(0): Pss_Anon $(anon "$HPID") KiB, [heap] resident $(heap "$HPID") KiB"
  sleep 1
  sc_in journalctl -u unitoomd -o cat --no-pager | grep -E "^(Arena|system bytes|in use bytes|Total|max mmap)" | tail -40
  exit 0
fi

sc_in sh -c "heaptrack -o /var/tmp/heaptrack.unitoomd /usr/sbin/unitoomd --dry-run > /var/tmp/heaptrack.log 2>&1 &"
taken_in
DPID=$(sc_in pgrep -x unitoomd | head -1)
sc_in kill -KILL "$DPID"
sleep 5
sc_in sh -c 'ls /var/tmp/heaptrack.unitoomd.*' | while read -r f; do sc_in cat "$f" > "$OUT/$(basename "$f")"; done
ls -la "$OUT"
