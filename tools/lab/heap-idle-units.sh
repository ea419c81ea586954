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
#      (heaptrack_print --print-leaks OUT_DIR/heaptrack.unitoomd.*).
# SC_NSPAWN_ARGS=--capability=CAP_IPC_LOCK: the daemon's memory locked as
# in the VM and on a real machine (nspawn drops the capability by default).
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
heap() { awk '/^[0-9a-f]+-[0-9a-f]+ / {h = /\[heap\]/} h && $1 == "Rss:" {r = $2} h && $1 == "Locked:" {l = $2}
  END {print r " (locked " l ")"}' "/proc/$1/smaps"; }

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
  # HEAP_DUMP=1: what a served dump leaves, and after the next idle sample
  if [ "${HEAP_DUMP:-0}" = 1 ]; then
    sc_in unitoomctl dump > /dev/null
    echo "after unitoomctl dump: Pss_Anon $(anon "$HPID") KiB, [heap] resident $(heap "$HPID") KiB"
    sleep 35
    echo "35 s later: Pss_Anon $(anon "$HPID") KiB, [heap] resident $(heap "$HPID") KiB"
  fi
  # malloc_stats() writes to the daemon's stderr: the journal
  gdb -p "$HPID" -batch -ex 'call (void) malloc_stats()' -ex 'call (int) malloc_trim(0)' >/dev/null 2>&1
  echo "after malloc_trim(0): Pss_Anon $(anon "$HPID") KiB, [heap] resident $(heap "$HPID") KiB"
  sleep 1
  sc_in journalctl -u unitoomd -o cat --no-pager | grep -E "^(Arena|system bytes|in use bytes|Total|max mmap)" | tail -40
  exit 0
fi

# In a unit of its own: started from sc_in's session, heaptrack and its
# interpreter went with that session and left an empty file.
sc_in systemd-run --quiet --unit=unitoomd-heaptrack -p StandardOutput=file:/var/tmp/heaptrack.log \
  -p StandardError=file:/var/tmp/heaptrack.log heaptrack -o /var/tmp/heaptrack.unitoomd /usr/sbin/unitoomd --dry-run || exit 1
[ "${UNITS_AFTER:-0}" = 1 ] && { sleep 2; start_units || exit 1; }
taken_in
# SIGKILL: what is live now is what heaptrack reports as leaked
DPID=$(sc_in pgrep -x unitoomd | head -1)
sc_in kill -KILL "$DPID"
for _ in $(seq 120); do sc_in systemctl -q is-active unitoomd-heaptrack || break; sleep 1; done
sc_in sh -c 'ls /var/tmp/heaptrack.unitoomd.*' | while read -r f; do sc_in cat "$f" > "$OUT/$(basename "$f")"; done
ls -la "$OUT"
