#!/bin/bash
# Cost of following systemd's unit tree: N live units (default 2,000) in a
# sandboxed user manager; how long unitoomd --user takes to follow them all at
# start, then its wake-ups and CPU while idle for SECS seconds (a 60 s resync
# falls inside a 70 s run). Prints one JSON object a run, on a line of its own.
#   tools/lab/bench-units.sh UNITOOMD[,UNITOOMD...] [N] [SECS] [KIND]
# unitoomctl (for what woke it): $BENCH_CTL, else beside the last binary's
# build tree (BUILD/tools/unitoomctl), else the one on PATH, else this
# checkout's build/tools/unitoomctl.
# KIND: service (default: N `sleep` services), slice (N started slices: no
# process, so 10,000 start in seconds), slice-kill (slices with
# ManagedOOMMemoryPressure=kill: every one a live unit ruleset).
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=user-manager.sh
source "$HERE/user-manager.sh"
um_reexec_in_namespace "$0" "$@"
UNITOOMD=$1 N=${2:-2000} SECS=${3:-70} KIND=${4:-service}
case $KIND in
  service | slice | slice-kill) ;;
  *) echo "unknown KIND '$KIND' (service, slice, slice-kill)" >&2; exit 2 ;;
esac
suffix=${KIND%-kill}

IFS=, read -r -a BINS <<< "$UNITOOMD"
for bin in "${BINS[@]}"; do [ -x "$bin" ] || { echo "not an executable: $bin" >&2; exit 2; }; done
find_ctl() {
  local beside
  beside=$(dirname "${BINS[-1]}")/../tools/unitoomctl
  for c in "${BENCH_CTL:-}" "$beside" "$(command -v unitoomctl)" "$HERE/../../build/tools/unitoomctl"; do
    [ -n "$c" ] && [ -x "$c" ] && { echo "$c"; return 0; }
  done
  return 1
}
CTL=$(find_ctl) || { echo "no unitoomctl: set BENCH_CTL=PATH (tried beside ${BINS[-1]}, PATH, $HERE/../../build/tools)" >&2; exit 2; }

# What this script starts beside the sandbox (the daemon under test, perf,
# the idle window's sleep) is stopped by PID on every way out, before the
# sandbox's own cleanup (um_cleanup: the manager, the bus, their cgroups).
BENCH_PIDS=()
bench_cleanup() {
  local p
  trap '' INT TERM
  [ -n "${PAUSE:-}" ] && kill "$PAUSE" 2>/dev/null
  for p in "${BENCH_PIDS[@]}"; do kill -TERM "$p" 2>/dev/null; done
  for p in "${BENCH_PIDS[@]}"; do
    for _ in $(seq 100); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$p" 2>/dev/null
    { wait "$p"; } 2>/dev/null
  done
  um_cleanup
}
um_start "unitoomd-bench-units-$$"
trap bench_cleanup EXIT
# A signal ends the run at once: the waits below are `wait` on a child, which
# a trapped signal interrupts (a foreground sleep would hold the trap back).
PAUSE=""
pause() { sleep "$1" & PAUSE=$!; wait "$PAUSE"; PAUSE=""; }
D=$XDG_RUNTIME_DIR/systemd/user
mkdir -p "$D"
# In groups of 100 under b.slice (b-G.slice, G = 0, 1, ...): systemd 252
# realizes every sibling's cgroup when one starts, so N flat siblings cost it
# N^2 (10,000 flat slices had not started after 2 minutes of its CPU).
wants=""
for i in $(seq "$N"); do
  g=$(( (i - 1) / 100 ))
  case $KIND in
    service) printf '[Service]\nSlice=b-%d.slice\nExecStart=/bin/sleep 3600\n' "$g" > "$D/b-$g-$i.service" ;;
    slice) printf '[Slice]\n' > "$D/b-$g-$i.slice" ;;
    slice-kill) printf '[Slice]\nManagedOOMMemoryPressure=kill\n' > "$D/b-$g-$i.slice" ;;
  esac
  wants+=" b-$g-$i.$suffix"
done
printf '[Unit]\nWants=%s\n' "$wants" > "$D/bench.target"
T_START=$(date +%s%N)
systemctl --user daemon-reload
systemctl --user start --no-block bench.target
# Ready when the manager's job queue is empty: one small property, not a list
# of every unit (list-units every 0.5 s at 10,000 kept the manager busy).
njobs() { busctl --user --timeout=10 get-property org.freedesktop.systemd1 /org/freedesktop/systemd1 org.freedesktop.systemd1.Manager NJobs | awk '{print $2}'; }
for _ in $(seq 1800); do
  sleep 0.5
  [ "$(njobs)" = 0 ] && break
done
active=$(systemctl --user list-units --state=active --no-legend "b-*-*.$suffix" | wc -l)
echo "$active ${KIND}s active after $(( ($(date +%s%N) - T_START) / 1000000 )) ms; manager RSS $(awk '/VmRSS/{print $2}' "/proc/$UM_MANAGER_PID/status") KiB" >&2
[ "$active" -ge "$N" ] || echo "WARNING: only $active of $N active" >&2

# systemd's own default for its services is DefaultLimitNOFILE=1024:524288
# (the daemon raises the soft limit to the hard one); this host's hard limit
# is 20,000 and cannot be raised here (no CAP_SYS_RESOURCE).
ulimit -Sn 1024
woken_by() { "$CTL" --user --json dump | python3 -c '
import json, sys
for w in json.load(sys.stdin).get("woken_by", []): print(w["source"], w["count"], int(w.get("cpu_seconds", 0) * 1000))'; }
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
ms_of() { echo $(( $1 * 1000 / $(getconf CLK_TCK) )); }
# the buses: ours and the one the manager's dbus.socket starts on the same path
bus_ticks() {
  local p t=0
  for p in "${UM_PIDS[0]}" $(pgrep -P "$UM_MANAGER_PID" -x dbus-daemon); do t=$((t + $(ticks "$p"))); done
  echo $t
}

# measure BINARY: one unitoomd --user from its start to its stop
measure() {
  local bin=$1 log=$UM_DIR/log.$RANDOM
  local bus0 mgr0 T0 T1 P PERF="" start_cpu followed start_ms settled S0 a b settled_cpu before s0 s1 c0 c1 cpu rss stop_ms bus_ms mgr_ms
  bus0=$(bus_ticks) mgr0=$(ticks "$UM_MANAGER_PID")
  T0=$(date +%s%N)
  "$bin" --user > "$log" 2>&1 &
  P=$!
  BENCH_PIDS+=("$P")
  # BENCH_PERF=FILE: perf record of the daemon from its start until settled
  if [ -n "${BENCH_PERF:-}" ]; then
    perf record -q -F 499 --call-graph dwarf,16384 -p "$P" -o "$BENCH_PERF" 2>/dev/null &
    PERF=$!
    BENCH_PIDS+=("$PERF")
  fi
  for _ in $(seq 3000); do grep -q "following [0-9]* live unit" "$log" && break; sleep 0.01; done
  T1=$(date +%s%N)
  start_cpu=$(ms_of "$(ticks $P)")
  bus_ms=$(ms_of $(( $(bus_ticks) - bus0 ))) mgr_ms=$(ms_of $(( $(ticks "$UM_MANAGER_PID") - mgr0 )))
  followed=$(sed -n 's/.*following \([0-9]*\) live unit.*/\1/p' "$log" | head -1)
  start_ms=$(( (T1 - T0) / 1000000 ))
  # Taken in: the rulesets compiled and the triggers armed after the units
  # were read; settled when its CPU falls under 5 % over 2 s (at most 120 s).
  settled=-1 S0=$SECONDS
  while [ $((SECONDS - S0)) -lt 120 ]; do
    a=$(ticks $P); pause 2; b=$(ticks $P)
    [ "$(ms_of $((b - a)))" -lt 100 ] && { settled=$(( (SECONDS - S0) * 1000 + start_ms )); break; }
  done
  [ -n "$PERF" ] && kill -INT "$PERF" && wait "$PERF"
  settled_cpu=$(ms_of "$(ticks $P)")
  before=$(woken_by)
  read -r _ _ s0 < /proc/$P/schedstat
  c0=$(ticks $P)
  # BENCH_PERF_IDLE=FILE: perf record of the idle window
  [ -n "${BENCH_PERF_IDLE:-}" ] && { perf record -q -F 999 --call-graph dwarf,16384 -p "$P" -o "$BENCH_PERF_IDLE" 2>/dev/null & PERF=$!; BENCH_PIDS+=("$PERF"); }
  pause "$SECS"
  [ -n "${BENCH_PERF_IDLE:-}" ] && kill -INT "$PERF" && wait "$PERF"
  read -r _ _ s1 < /proc/$P/schedstat
  c1=$(ticks $P)
  cpu=$(ms_of $((c1 - c0)))
  rss=$(awk '/VmRSS/{print $2}' /proc/$P/status)
  woken_by | awk 'NR == FNR {was[$1] = $2; ms[$1] = $3; next}
    {n = $2 - was[$1]; if (n > 0) print "woken by", $1, n, "times,", $3 - ms[$1], "ms of CPU"}' <(echo "$before") - >&2
  grep -v "^$" "$log" | sed -E 's/[0-9]+/N/g' | sort | uniq -c | sort -rn | head -8 >&2
  T0=$(date +%s%N)
  kill -TERM $P
  for _ in $(seq 300); do kill -0 $P 2>/dev/null || break; sleep 0.05; done
  kill -9 $P 2>/dev/null
  { wait $P; } 2>/dev/null
  BENCH_PIDS=()  # this run's are gone (perf was waited for above)
  stop_ms=$(( ($(date +%s%N) - T0) / 1000000 ))
  echo "{\"scenario\": \"follow units\", \"binary\": \"$bin\", \"kind\": \"$KIND\", \"units\": ${followed:-null}, \"start_ms\": $start_ms, \"start_cpu_ms\": $start_cpu," \
    "\"start_bus_cpu_ms\": $bus_ms, \"start_manager_cpu_ms\": $mgr_ms, \"settled_ms\": $settled, \"settled_cpu_ms\": $settled_cpu," \
    "\"idle_seconds\": $SECS, \"idle_wakeups\": $((s1 - s0)), \"idle_cpu_ms\": $cpu, \"rss_kib\": $rss, \"stop_ms\": $stop_ms}"
}

# BENCH_ROUNDS=R: every binary of UNITOOMD (a comma-separated list) R times,
# taking turns, against the same manager and units.
for _ in $(seq "${BENCH_ROUNDS:-1}"); do
  for bin in "${BINS[@]}"; do measure "$bin"; done
done
