#!/bin/bash
# Cost of following systemd's unit tree: N live services (default 2,000) in a
# sandboxed user manager; how long unitoomd --user takes to follow them all at
# start, then its wake-ups and CPU while idle for SECS seconds (a 60 s resync
# falls inside a 70 s run). Prints one JSON object on its last line.
#   tools/lab/bench-units.sh UNITOOMD [N] [SECS]
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=user-manager.sh
source "$HERE/user-manager.sh"
um_reexec_in_namespace "$0" "$@"
UNITOOMD=$1 N=${2:-2000} SECS=${3:-70}

um_start "unitoomd-bench-units-$$"
D=$XDG_RUNTIME_DIR/systemd/user
mkdir -p "$D"
wants=""
for i in $(seq "$N"); do
  printf '[Service]\nExecStart=/bin/sleep 3600\n' > "$D/b-$i.service"
  wants+=" b-$i.service"
done
printf '[Unit]\nWants=%s\n' "$wants" > "$D/bench.target"
systemctl --user daemon-reload
systemctl --user start bench.target
for _ in $(seq 600); do
  [ "$(systemctl --user list-units --state=active --no-legend 'b-*.service' | wc -l)" -ge "$N" ] && break
  sleep 0.5
done
echo "$(systemctl --user list-units --state=active --no-legend 'b-*.service' | wc -l) services active" >&2

T0=$(date +%s%N)
"$UNITOOMD" --user > "$UM_DIR/log" 2>&1 &
P=$!
UM_PIDS+=("$P")
for _ in $(seq 600); do grep -q "following [0-9]* live unit" "$UM_DIR/log" && break; sleep 0.01; done
T1=$(date +%s%N)
start_cpu=$(( $(awk '{print $14 + $15}' /proc/$P/stat) * 1000 / $(getconf CLK_TCK) ))
followed=$(sed -n 's/.*following \([0-9]*\) live unit.*/\1/p' "$UM_DIR/log" | head -1)
start_ms=$(( (T1 - T0) / 1000000 ))
sleep 2
read -r _ _ s0 < /proc/$P/schedstat
c0=$(awk '{print $14 + $15}' /proc/$P/stat)
sleep "$SECS"
read -r _ _ s1 < /proc/$P/schedstat
c1=$(awk '{print $14 + $15}' /proc/$P/stat)
cpu=$(( (c1 - c0) * 1000 / $(getconf CLK_TCK) ))
rss=$(awk '/VmRSS/{print $2}' /proc/$P/status)
echo "{\"scenario\": \"follow units\", \"units\": $followed, \"start_ms\": $start_ms, \"start_cpu_ms\": $start_cpu, \"idle_seconds\": $SECS, \"idle_wakeups\": $((s1 - s0)), \"idle_cpu_ms\": $cpu, \"rss_kib\": $rss}"
