#!/bin/bash
# The daemon's idle cost while it follows N units with
# ManagedOOMMemoryPressure=kill (default 1,000), in the system container
# (system-container.sh): N started slices, then unitoomd.service; once it is
# done taking them in (under 5 % of a CPU over 5 s, at most 180 s), SECS
# seconds (default 60) of nothing: wake-ups (schedstat timeslices), CPU, PSS
# (anonymous and file) and what woke it, by event source. The host's cgroup2
# has no memory controller (no memory.events to watch) and no
# CAP_SYS_RESOURCE (2 s trigger windows): the VM lab's idle1000 is the real
# machine. Prints one JSON object on its last line. BENCH_PERF=FILE: a
# perf profile (call graphs) of the daemon over the idle window;
# BENCH_STRACE=FILE: its system calls counted instead (strace -c).
#   tools/lab/bench-idle-units.sh BUILD_DIR [N] [SECS]
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=system-container.sh
source "$HERE/system-container.sh"
sc_reexec_in_namespace "$0" "$@"
BUILD=$(cd "$1" && pwd) N=${2:-1000} SECS=${3:-60}

sc_start "unitoomd-bench-idle-units-$$" "$BUILD"
sc_in sh -c 'mkdir -p /run/systemd/system
  for i in $(seq "$1"); do printf "[Slice]\nManagedOOMMemoryPressure=kill\n" > /run/systemd/system/idle-$i.slice; done
  systemctl daemon-reload && systemctl start $(seq -f "idle-%g.slice" "$1")' _ "$N" || exit 1
sc_in systemctl start unitoomd.service || exit 1
T0=$SECONDS
PID=$(sc_in systemctl show -P MainPID unitoomd.service)
HZ=$(getconf CLK_TCK)
cpu_ticks() { sc_in awk '{print $14 + $15}' "/proc/$PID/stat"; }
metric() { sc_in unitoomctl metrics | awk -v k="$1" '$1 == k {print $2}'; }
# taken in: every slice's ruleset is there, then its CPU falls
for _ in $(seq 170); do [ "$(metric unitoomd_rulesets)" -ge "$N" ] 2>/dev/null && break; sleep 1; done
settled=-1
while [ $((SECONDS - T0)) -lt 180 ]; do
  c0=$(cpu_ticks); sleep 5; c1=$(cpu_ticks)
  [ $(( (c1 - c0) * 1000 / HZ )) -lt 250 ] && { settled=$((SECONDS - T0)); break; }
done
woken_by() { sc_in unitoomctl --json dump | python3 -c '
import json, sys
for w in json.load(sys.stdin).get("woken_by", []): print(w["source"], w["count"], int(w.get("cpu_seconds", 0) * 1000))'; }
before=$(woken_by)
read -r _ _ s0 < <(sc_in cat "/proc/$PID/schedstat")
c0=$(cpu_ticks)
HPID=$(head -1 "$(sc_host_cgroup /system.slice/unitoomd.service)/cgroup.procs")
if [ -n "${BENCH_PERF:-}" ]; then
  perf record -q --call-graph dwarf -p "$HPID" -o "$BENCH_PERF" -- sleep "$SECS" >/dev/null 2>&1
elif [ -n "${BENCH_STRACE:-}" ]; then
  timeout "$SECS" strace -f -c -o "$BENCH_STRACE" -p "$HPID" >/dev/null 2>&1
else
  sleep "$SECS"
fi
read -r _ _ s1 < <(sc_in cat "/proc/$PID/schedstat")
c1=$(cpu_ticks)
woken_by | awk 'NR == FNR {was[$1] = $2; ms[$1] = $3; next}
  {n = $2 - was[$1]; if (n > 0) print "woken by", $1, n, "times,", $3 - ms[$1], "ms of CPU"}' <(echo "$before") - >&2
followed=$(metric unitoomd_units_followed) triggers=$(metric unitoomd_triggers_armed)
sc_in journalctl -u unitoomd -o cat --no-pager | sed -E 's/[0-9]+/N/g' | sort | uniq -c | sort -rn | head -15 >&2
# resident KiB by what is mapped (the daemon, each library, [heap], anonymous)
sc_in awk '/^[0-9a-f]+-[0-9a-f]+ / {name = NF >= 6 ? $6 : "(anonymous)"} $1 == "Rss:" {rss[name] += $2}
  END {for (n in rss) if (rss[n] >= 64) printf "resident %6d KiB %s\n", rss[n], n}' "/proc/$PID/smaps" | sort -k2 -rn >&2
smaps() { sc_in awk -v k="$1:" '$1 == k {print $2}' "/proc/$PID/smaps_rollup"; }
echo "{\"scenario\": \"idle units\", \"units\": $N, \"followed\": ${followed:-null}, \"triggers\": ${triggers:-null}, \"settled_s\": $settled, \"seconds\": $SECS," \
  "\"wakeups\": $((s1 - s0)), \"cpu_ms\": $(( (c1 - c0) * 1000 / HZ )), \"pss_kib\": $(smaps Pss)," \
  "\"pss_anon_kib\": $(smaps Pss_Anon), \"pss_file_kib\": $(smaps Pss_File), \"rss_file_kib\": $(smaps Rss)}"
