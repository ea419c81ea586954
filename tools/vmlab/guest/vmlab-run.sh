#!/bin/bash
# Runs inside the lab VM at boot when the kernel command line says what:
#   vmlab.run=pressure,stalled,stalleddbus,swap,reclaim,busy,idle,idle1000,noswap,zram,zramslow  vmlab.killer=unitoomd|systemd-oomd|earlyoom|nohang
#   (or several, comma-separated: they take turns, run by run; unitoomd@NAME is
#   unitoomd.service running the variant build.sh installed as NAME)
#   vmlab.runs=N  vmlab.duration=SECONDS
# Each run prints one line "VMLAB-RESULT {json}" on the console (the host reads
# them from the serial log; the image itself is never changed: QEMU -snapshot),
# then the VM powers off. Times are CLOCK_MONOTONIC microseconds of the guest.
set -u
arg() { tr ' ' '\n' < /proc/cmdline | sed -n "s/^vmlab\.$1=//p" | tail -1; }
SCENARIOS=$(arg run | tr ',' ' ')
KILLER=$(arg killer)
RUNS=$(arg runs)
DURATION=$(arg duration)
RUNS=${RUNS:-3} DURATION=${DURATION:-2}
say() { echo "vmlab: $*" > /dev/console; }
mono_usec() { python3 -c 'import time; print(int(time.monotonic() * 1e6))'; }
result() { echo "VMLAB-RESULT $1" > /dev/console; }
# A mark the host stamps with its own clock as it reads the console
# (tools/vmlab/host_sampler.py): the guest's CLOCK_MONOTONIC read and written
# in one step, so that the smallest host - guest difference over the marks
# maps guest times onto the host's CPU samples.
sync_mark() { python3 -c 'import time; open("/dev/console", "w").write("VMLAB-SYNC %d\n" % (time.monotonic() * 1e6))'; }
# vmlab.exittrace=1: each swap run's kernel trace from the crossing on
# (every task switch and wake-up on both vCPUs, why the hog blocked, block
# I/O, reclaim) and the swap levels every 100 ms, kept per run in
# /root/results and copied to the results disk (/dev/vdc, run.sh's
# VMLAB_COLLECT) in a 64 MiB slot a run: too much for the serial console.
EXIT_TRACE=false
[ "$(arg exittrace)" = 1 ] && EXIT_TRACE=true
SLOT=0
save_results() {
  [ -b /dev/vdc ] || return 0
  tar -C /root/results -c "$@" | dd of=/dev/vdc bs=1M iflag=fullblock seek=$((SLOT * 64)) conv=fsync,notrunc status=none
  SLOT=$((SLOT + 1))
}
# The killer's own account of its kills, for the host to read.
# (earlyoom and nohang say "sending SIGTERM to ..." rather than "kill")
# The killer's kill lines since the last call, to the console, after each
# scenario: left to the end, a swap scenario's pressure lost the earlier
# scenario's lines from the journal once (vm-pressure-kill found none).
# ("ruleset ... added (unit idle-N.slice (ManagedOOMMemoryPressure=kill))"
# is no kill: the 1,000 units of idle1000 made 2,000 such lines, and the
# emulated serial console took longer over them than the runs.)
killer_log() {
  journalctl -b -u "$UNIT" -o cat --no-pager --cursor-file=/run/vmlab-log.cursor |
    grep -iE "kill|sending|sigterm" | grep -vE "^ruleset '[^']*' (added|removed) " | sed 's/^/VMLAB-LOG /' > /dev/console
}
finish() { [ -n "${UNIT:-}" ] && killer_log; say "done"; sync; systemctl poweroff; }
trap finish EXIT

systemctl is-system-running --wait >/dev/null
say "killer=$KILLER scenarios=$SCENARIOS runs=$RUNS duration=${DURATION}s kernel=$(uname -r)"

# use_killer K: K (alone) from now on. Several killers, comma-separated
# (vmlab.killer=systemd-oomd,unitoomd), take turns run by run in one boot:
# the host's noise (TCG, shared cores) then falls on all of them alike.
use_killer() {
  # (systemd-oomd's socket would start it again). Masked again, not only
  # stopped: systemd gives every unit with ManagedOOM*=kill Wants= and
  # After=systemd-oomd.service, so the idle1000 scenario's 1,000 slices
  # started it, and unitoomd.service (Conflicts=systemd-oomd.service) was
  # stopped for it, after systemd-oomd's turn in the same boot.
  if [ -n "${UNIT:-}" ]; then
    killer_log
    systemctl stop "$UNIT"
    [ "$KILLER" = systemd-oomd ] && systemctl stop systemd-oomd.socket && ln -sf /dev/null /etc/systemd/system/systemd-oomd.socket
    ln -sf /dev/null "/etc/systemd/system/$UNIT"
  fi
  KILLER=$1
  rm -f /etc/systemd/system/unitoomd.service.d/90-vmlab-variant.conf
  case $KILLER in
    unitoomd | unitoomd@*)
      if [ "$KILLER" != unitoomd ]; then
        mkdir -p /etc/systemd/system/unitoomd.service.d
        printf '[Service]\nExecStart=\nExecStart=/usr/local/lib/vmlab/%s/unitoomd\n' "${KILLER#unitoomd@}" \
          > /etc/systemd/system/unitoomd.service.d/90-vmlab-variant.conf
      fi
      # a drop-in, as the desktop defaults' 50-desktop.conf would win over the main file
      mkdir -p /etc/unitoomd/unitoomd.conf.d
      printf '[OOM]\nDefaultMemoryPressureDurationSec=%ss\n' "$DURATION" > /etc/unitoomd/unitoomd.conf.d/90-vmlab.conf
      UNIT=unitoomd.service ;;
    systemd-oomd)
      mkdir -p /etc/systemd/oomd.conf.d
      printf '[OOM]\nDefaultMemoryPressureDurationSec=%ss\n' "$DURATION" > /etc/systemd/oomd.conf.d/90-vmlab.conf
      UNIT=systemd-oomd.service ;;
    earlyoom | nohang) UNIT=$KILLER.service ;;
    # no killer: the scenario itself kills at its yardstick's crossing (the
    # floor: how long the victim's own death takes); a placeholder unit so
    # that the per-killer bookkeeping has a process to look at
    none)
      mkdir -p /run/systemd/system
      printf '[Service]\nExecStart=/bin/sleep infinity\n' > /run/systemd/system/vmlab-none.service
      UNIT=vmlab-none.service ;;
    *) say "unknown killer '$KILLER'"; exit 1 ;;
  esac
  rm -f "/etc/systemd/system/$UNIT"
  [ "$KILLER" = systemd-oomd ] && rm -f /etc/systemd/system/systemd-oomd.socket
  systemctl daemon-reload
  systemctl start "$UNIT" || { say "cannot start $UNIT"; systemctl status "$UNIT" > /dev/console; exit 1; }
  sleep 2
}
IFS=, read -ra KILLERS <<< "$KILLER"
# turns: A B, then B A, ... (each killer as often first as last)
killer_for_run() {
  local i=$(($1 - 1)) k=${#KILLERS[@]}
  (( (i / k) % 2 )) && echo "${KILLERS[k - 1 - i % k]}" || echo "${KILLERS[i % k]}"
}
use_killer "${KILLERS[0]}"

# Waits until the whole system's memory stall has settled (avg10 below 1 %),
# so one run's aftermath is not the next one's start.
settle() {
  for _ in $(seq 120); do
    awk '{split($2, a, "="); if (a[2] + 0 >= 1.0) bad = 1} END {exit bad}' /proc/pressure/memory && break
    sleep 1
  done
  sleep 2
}

# journal_entry PATTERN SINCE [FIELD]: the killer's first journal entry
# after SINCE whose message matches PATTERN: its CLOCK_MONOTONIC timestamp,
# then FIELD's value.
journal_entry() {
  journalctl -b -u "$UNIT" -o json --no-pager | python3 -c '
import json, re, sys
for line in sys.stdin:
    e = json.loads(line)
    if re.search(sys.argv[1], e.get("MESSAGE", "")) and int(e["__MONOTONIC_TIMESTAMP"]) > int(sys.argv[2]):
        print(e["__MONOTONIC_TIMESTAMP"], e.get(sys.argv[3], "") if len(sys.argv) > 3 else ""); break' "$@"
}

# The killer's journal line that records its decision about CGROUP. For
# unitoomd, the decision's own time from its kill report when there is one
# (UNITOOMD_DECIDED_MONOTONIC_USEC): journald stamps an entry when it reads
# it, which under the pressure of the swap scenario came 0.5 s after a line
# logged in the same sample.
decision_usec() {
  local cgroup=$1 pattern own
  [ "$KILLER" = none ] && { cat "$FLOOR_KILLED" 2>/dev/null; return; }
  if [ "${KILLER%@*}" = unitoomd ]; then
    own=$(journal_entry "^Killed .*$cgroup" "$2" UNITOOMD_DECIDED_MONOTONIC_USEC | cut -d' ' -f2)
    [ -n "$own" ] && [ "$own" != 0 ] && { echo "$own"; return; }
  fi
  case $KILLER in
    unitoomd | unitoomd@*) pattern="chose $cgroup" ;;
    systemd-oomd) pattern="Killed $cgroup" ;;
    *) pattern="[Ss]ending SIG|SIGTERM|SIGKILL to|[Kk]illed" ;;
  esac
  journal_entry "$pattern" "$2" | cut -d' ' -f1
}

# extra_kills CGROUP SINCE: how many kills the killer reported since SINCE
# of anything but CGROUP: a second victim beside the right one.
extra_kills() {
  journalctl -b -u "$UNIT" -o json --no-pager | python3 -c '
import json, sys
n = 0
for line in sys.stdin:
    e = json.loads(line)
    m = e.get("MESSAGE", "")
    if isinstance(m, str) and m.startswith("Killed ") and sys.argv[1] not in m and int(e["__MONOTONIC_TIMESTAMP"]) > int(sys.argv[2]):
        n += 1
print(n)' "$1" "$2"
}

# kill_report_fields CGROUP SINCE: where unitoomd's kill of CGROUP spent its
# time, as JSON fields: when it reported the kill (it saw the cgroup empty)
# and how long after its signal that was. The signal went out at report -
# time_to_death: decision -> signal is the call to systemd, report -> dead
# is systemd's own catching up. null for the other killers.
kill_report_fields() {
  local r="" at ttd sig
  [ "${KILLER%@*}" = unitoomd ] && r=$(journal_entry "^Killed .*$1" "$2" UNITOOMD_TIME_TO_DEATH_USEC)
  read -r at ttd <<< "$r"
  # the signal by the daemon's own clock (journald's stamp lags under pressure)
  [ "${KILLER%@*}" = unitoomd ] && sig=$(journal_entry "^Killed .*$1" "$2" UNITOOMD_SIGNALLED_MONOTONIC_USEC | cut -d' ' -f2)
  printf '"killer_report": %s, "killer_time_to_death_us": %s, "killer_signalled": %s' "${at:-null}" "${ttd:-null}" "${sig:-null}"
}

# killer_line_sent CGROUP SINCE: when the killer sent its journal line about
# killing CGROUP, by the kernel's stamp on the datagram
# (_SOURCE_REALTIME_TIMESTAMP, made CLOCK_MONOTONIC here): journald reads
# its socket late under swap pressure, so the entry's own stamp can be
# seconds after the line was written. systemd-oomd writes "Killed" after its
# kill; unitoomd after the victim is gone (its decision and signal are in
# the report's own fields).
killer_line_sent() {
  journalctl -b -u "$UNIT" -o json --no-pager | python3 -c '
import json, re, sys, time
offset = time.time() - time.monotonic()
for line in sys.stdin:
    e = json.loads(line)
    if re.search(r"^Killed .*" + re.escape(sys.argv[1]), e.get("MESSAGE", "")) and int(e["__MONOTONIC_TIMESTAMP"]) > int(sys.argv[2]):
        src = e.get("_SOURCE_REALTIME_TIMESTAMP")
        print(int(int(src) - offset * 1e6) if src else "null", e["__MONOTONIC_TIMESTAMP"]); break' "$@"
}

# unitoomd's wake-ups by event source since it started ("NAME COUNT CPU_MS" lines;
# none for another killer)
woken_by() {
  [ "${KILLER%@*}" = unitoomd ] || return 0
  unitoomctl --json dump | python3 -c '
import json, sys
for w in json.load(sys.stdin).get("woken_by", []): print(w["source"], w["count"], int(w.get("cpu_seconds", 0) * 1000))'
}

# woken_diff BEFORE AFTER: what woke unitoomd between two woken_by lists,
# as "SOURCE COUNT CPU_MS" lines, most wake-ups first
woken_diff() {
  awk 'NR == FNR {was[$1] = $2; ms[$1] = $3; next} {n = $2 - was[$1]; if (n > 0) print $1, n, $3 - ms[$1]}' "$1" "$2" | sort -k2 -rn
}
# woken_json NAME BEFORE AFTER: the same as one JSON field ("NAME": {"source": [count, cpu_ms], ...})
woken_json() {
  printf '"%s": {%s}' "$1" "$(woken_diff "$2" "$3" | awk '{printf "%s\"%s\": [%d, %d]", (NR > 1 ? ", " : ""), $1, $2, $3}')"
}

# The pressure hog: it thrashes under memory.high in its own unit with
# ManagedOOMMemoryPressure=kill and a 5 % limit.
pressure_hog() {
  systemd-run -q --unit=hog -p MemoryHigh=64M -p MemoryMax=600M -p ManagedOOMMemoryPressure=kill \
    -p ManagedOOMMemoryPressureLimit=5% -p RuntimeMaxSec=90 stress-ng --vm 1 --vm-bytes 300M --vm-keep
}

# run_pressure N: a hog under memory.high thrashes in its own unit with
# ManagedOOMMemoryPressure=kill and a 5 % limit (the systemd-oomd baseline's
# recipe), beside an idle bystander.
run_pressure() {
  local n=$1 cg=/system.slice/hog.service out started dead
  settle
  systemctl reset-failed hog.service 2>/dev/null
  out=$(mktemp)
  psi-cross.py --wait-for-file "/sys/fs/cgroup$cg/memory.pressure" 5 "$out" 100 &
  local watcher=$!
  sleep 0.3
  pressure_hog
  for _ in $(seq 950); do systemctl -q is-active hog.service || break; sleep 0.1; done
  wait "$watcher" 2>/dev/null
  started=$(systemctl show -P ExecMainStartTimestampMonotonic hog.service)
  dead=$(systemctl show -P InactiveEnterTimestampMonotonic hog.service)
  result "$(printf '{"killer": "%s", "scenario": "pressure", "run": %d, "duration_ms": %d, "generator_start": %s, "limit_crossed": %s, "decision": %s, "unit_dead": %s, "result": "%s", "bystander_alive": %s}' \
    "$KILLER" "$n" $((DURATION * 1000)) "${started:-null}" "$(sed -n 's/^limit_crossed_usec=//p' "$out" | head -1 | grep . || echo null)" \
    "$(decision_usec "$cg" "$started" | grep . || echo null)" "${dead:-null}" "$(systemctl show -P Result hog.service)" \
    "$(systemctl -q is-active bystander.service && echo true || echo false)")"
  rm -f "$out"
}

# stall_trace PRESSURE_FILE OUT: the cgroup's PSI totals every 100 ms
# ("MONOTONIC_USEC SOME_USEC FULL_USEC"), until it is gone or 60 s passed
stall_trace() {
  python3 - "$1" "$2" <<'PY'
import os, sys, time
path, out = sys.argv[1], open(sys.argv[2], "w", buffering=1)
end = time.monotonic() + 60
while not os.path.exists(path) and time.monotonic() < end:
    time.sleep(0.01)
tick = time.monotonic()
while time.monotonic() < end:
    try:
        lines = open(path).read().split("\n")
    except OSError:
        break
    totals = [int(l.rsplit("total=", 1)[1]) for l in lines if "total=" in l]
    out.write("%d %d %d\n" % (time.monotonic() * 1e6, totals[0], totals[1]))
    tick += 0.1
    time.sleep(max(0.0, tick - time.monotonic()))
PY
}

# print_stall_trace LABEL START TRACE FROZEN CROSSED EMPTIED: to the console,
# in ms after START, the stall over the last 1 s at every trace point, the
# scenario's marks and unitoomd's journal (VMLAB-TRACE lines)
print_stall_trace() {
  {
    python3 - "$@" <<'PY'
import sys
label, start = sys.argv[1], int(sys.argv[2])
points = [tuple(map(int, l.split())) for l in open(sys.argv[3]) if l.strip()]
rel = lambda t: (int(t) - start) / 1000.0
for name, t in (("frozen", sys.argv[4]), ("crossed", sys.argv[5]), ("emptied", sys.argv[6])):
    if t:
        print("VMLAB-TRACE %s mark %s at %.0f ms" % (label, name, rel(t)))
for i, (t, some, full) in enumerate(points):
    base = next((p for p in reversed(points[:i]) if t - p[0] >= 1e6), None)
    if base:
        print("VMLAB-TRACE %s psi at %.0f ms: some %.1f%% full %.1f%% (1 s)" % (
            label, rel(t), (some - base[1]) / (t - base[0]) * 100, (full - base[2]) / (t - base[0]) * 100))
PY
    journalctl -b -u "$UNIT" -o json --no-pager | python3 -c '
import json, sys
label, start = sys.argv[1], int(sys.argv[2])
for line in sys.stdin:
    e = json.loads(line)
    t = int(e["__MONOTONIC_TIMESTAMP"])
    if t >= start - 2000000:
        print("VMLAB-TRACE %s journal at %.0f ms: %s" % (label, (t - start) / 1000.0, e.get("MESSAGE", "")))' "$1" "$2"
  } > /dev/console
}

# run_stalled KIND N: the pressure scenario with a stalled manager. 1 s after
# the hog starts, PID 1 (KIND stalled: init.scope) or the bus daemon (KIND
# stalleddbus: dbus.service) is frozen with cgroup.freeze (SIGSTOP to PID 1
# is ignored, even from root), and thawed once the hog's cgroup is empty or
# after 60 s. The hog's death is when its cgroup emptied (systemd, stalled,
# cannot say); its unit's result is read after the thaw.
run_stalled() {
  local kind=$1 n=$2 cg=/system.slice/hog.service target probe=() out empty started frozen_at thawed_at
  case $kind in
    stalled) target=init.scope probe=(systemctl show -P Id init.scope) ;;
    stalleddbus) target=system.slice/dbus.service probe=(busctl call org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus GetId) ;;
  esac
  settle
  systemctl reset-failed hog.service 2>/dev/null
  out=$(mktemp) empty=$(mktemp)
  psi-cross.py --wait-for-file "/sys/fs/cgroup$cg/memory.pressure" 5 "$out" 100 &
  local watcher=$!
  cgroup-emptied.py "/sys/fs/cgroup$cg" "$empty" 100 &
  local emptier=$!
  # vmlab.debug=1: the hog's stall every 100 ms and unitoomd's debug log
  # (what each sample saw, what woke it), printed after the run
  local debug=false trace="" tracer=""
  if [ "$(arg debug)" = 1 ]; then
    debug=true trace=$(mktemp)
    [ "${KILLER%@*}" = unitoomd ] && systemctl service-log-level "$UNIT" debug
    stall_trace "/sys/fs/cgroup$cg/memory.pressure" "$trace" &
    tracer=$!
  fi
  sleep 0.3
  sigtrace_start
  pressure_hog
  sleep 1
  echo 1 > "/sys/fs/cgroup/$target/cgroup.freeze"
  # /proc/uptime: CLOCK_BOOTTIME, the monotonic clock in a guest never suspended
  frozen_at=$(awk '{printf "%d", $1 * 1e6}' /proc/uptime)
  # stalled for real: its cgroup says frozen and a call to it goes unanswered;
  # the killer's own cgroup is not frozen with it
  local frozen=false answered=true killer_frozen
  for _ in $(seq 20); do grep -q '^frozen 1' "/sys/fs/cgroup/$target/cgroup.events" && frozen=true && break; sleep 0.1; done
  timeout 1 "${probe[@]}" > /dev/null 2>&1; [ $? = 124 ] && answered=false
  grep -q '^frozen 1' "/sys/fs/cgroup/system.slice/$UNIT/cgroup.events" && killer_frozen=true || killer_frozen=false
  for _ in $(seq 600); do [ -s "$empty" ] && break; sleep 0.1; done
  echo 0 > "/sys/fs/cgroup/$target/cgroup.freeze"
  thawed_at=$(awk '{printf "%d", $1 * 1e6}' /proc/uptime)
  for _ in $(seq 300); do systemctl -q is-active hog.service || break; sleep 0.1; done
  kill "$watcher" "$emptier" $tracer 2>/dev/null; wait "$watcher" "$emptier" $tracer 2>/dev/null
  started=$(systemctl show -P ExecMainStartTimestampMonotonic hog.service)
  if $debug; then
    [ "${KILLER%@*}" = unitoomd ] && systemctl service-log-level "$UNIT" info
    print_stall_trace "$kind $n $KILLER" "$started" "$trace" "$frozen_at" \
      "$(sed -n 's/^limit_crossed_usec=//p' "$out" | head -1)" "$(sed -n 's/^emptied_usec=//p' "$empty")"
    rm -f "$trace"
  fi
  result "$(printf '{"killer": "%s", "scenario": "%s", "run": %d, "duration_ms": %d, "generator_start": %s, "limit_crossed": %s, "decision": %s, "unit_dead": %s, "result": "%s", "bystander_alive": %s, "stalled": "%s", "frozen_at": %s, "thawed_at": %s, "stall_frozen": %s, "stall_answered": %s, "killer_frozen": %s, %s, %s}' \
    "$KILLER" "$kind" "$n" $((DURATION * 1000)) "${started:-null}" "$(sed -n 's/^limit_crossed_usec=//p' "$out" | head -1 | grep . || echo null)" \
    "$(decision_usec "$cg" "$started" | grep . || echo null)" "$(sed -n 's/^emptied_usec=//p' "$empty" | grep . || echo null)" \
    "$(systemctl -q is-active hog.service && echo running || systemctl show -P Result hog.service)" \
    "$(systemctl -q is-active bystander.service && echo true || echo false)" "$target" "$frozen_at" "$thawed_at" \
    "$frozen" "$answered" "$killer_frozen" "$(kill_report_fields "$cg" "$started")" "$(sigtrace_fields "$kind $n $KILLER")")"
  systemctl stop hog.service 2>/dev/null
  rm -f "$out" "$empty"
}

# What the killer and the kernel spend while a hog fills swap. kthreads
# lists the PIDs of the kernel's psimon threads (privileged PSI triggers
# create one per cgroup with triggers) and kswapd; snapshot PID then prints
# "cpu_us majflt minflt run_ns delay_ns slices psimon_ticks psimon_threads
# kswapd_ticks pid1_ticks pid1_majflt busy_ticks iowait_ticks": the killer's cgroup CPU,
# its faults and the schedstat of all its threads, psimon, kswapd and PID 1,
# the guest's busy CPU. Builtins only: measuring costs little beside either
# killer.
KTHREADS=""
kthreads() {
  local p comm
  KTHREADS=""
  for p in /proc/[0-9]*; do
    read -r comm < "$p/comm" 2>/dev/null || continue
    case $comm in psimon) KTHREADS+=" p${p#/proc/}" ;; kswapd*) KTHREADS+=" k${p#/proc/}" ;; esac
  done
}
stat_fields() { local line; read -r line < "$1" 2>/dev/null || line="x) 0 0 0 0 0 0 0 0 0 0 0 0 0"; read -ra F <<< "${line##*) }"; }
snapshot() {
  local pid=$1 cg cpu=0 k v t a b c w run=0 delay=0 slices=0 ps=0 pn=0 ks=0 busy F
  while IFS= read -r k; do [[ $k == 0::* ]] && cg=${k#0::}; done < "/proc/$pid/cgroup" 2>/dev/null
  [ -r "/sys/fs/cgroup$cg/cpu.stat" ] && while read -r k v; do [ "$k" = usage_usec ] && cpu=$v; done < "/sys/fs/cgroup$cg/cpu.stat"
  for t in /proc/"$pid"/task/*/schedstat; do
    read -r a b c < "$t" && { run=$((run + a)); delay=$((delay + b)); slices=$((slices + c)); }
  done
  for t in $KTHREADS; do
    stat_fields "/proc/${t#?}/stat"
    case $t in p*) ps=$((ps + F[11] + F[12])); pn=$((pn + 1)) ;; k*) ks=$((ks + F[11] + F[12])) ;; esac
  done
  read -r _ a b c _ w t v _ < /proc/stat
  busy="$((a + b + c + t + v)) $w"
  stat_fields /proc/1/stat; a=$((F[11] + F[12])); b=${F[9]}
  stat_fields "/proc/$pid/stat"
  echo "$cpu ${F[9]} ${F[7]} $run $delay $slices $ps $pn $ks $a $b $busy"
}

# cost_fields NAME BEFORE AFTER: the JSON fields of the difference between
# two snapshots ("fill_": hog start to crossing; "kill_": crossing to dead).
cost_fields() {
  local n=$1 tick=$((1000 / $(getconf CLK_TCK)))
  read -ra x <<< "$2"; read -ra y <<< "$3"
  printf '"%skiller_cpu_ms": %d, "%skiller_majflt": %d, "%skiller_minflt": %d, "%skiller_wakeups": %d, "%skiller_run_delay_ms": %d, "%spsimon_cpu_ms": %d, "%spsimon_threads": %d, "%skswapd_cpu_ms": %d, "%spid1_cpu_ms": %d, "%spid1_majflt": %d, "%sguest_busy_ms": %d, "%sguest_iowait_ms": %d' \
    "$n" $(( (y[0] - x[0]) / 1000 )) "$n" $((y[1] - x[1])) "$n" $((y[2] - x[2])) "$n" $((y[5] - x[5])) \
    "$n" $(( (y[4] - x[4]) / 1000000 )) "$n" $(( (y[6] - x[6]) * tick )) "$n" "${y[7]}" "$n" $(( (y[8] - x[8]) * tick )) \
    "$n" $(( (y[9] - x[9]) * tick )) "$n" $((y[10] - x[10])) "$n" $(( (y[11] - x[11]) * tick )) "$n" $(( (y[12] - x[12]) * tick ))
}

# exec_trace CGROUP OUT (vmlab.debug=1): where the hog's processes are,
# every 50 ms from swap 75 % used (polled every 200 ms) until the cgroup is
# empty (at most 200 s in all):
# "MONOTONIC_USEC pid PID STATE WCHAN VmRSS VmSwap STACK", a line when a
# process's state, wait channel or kernel stack top changes, else every
# 500 ms
exec_trace() {
  python3 - "$1" "$2" <<'PY'
import sys, time
cg, out = sys.argv[1], open(sys.argv[2], "w", buffering=1)
end, last, n = time.monotonic() + 200, {}, 0
def read(p):
    try:
        return open(p).read()
    except OSError:
        return ""
def mib(p):
    v = read(p).strip()
    return v if not v.isdigit() else "%dM" % (int(v) >> 20)
def swap_used():
    f = [l.split() for l in read("/proc/swaps").splitlines()[1:]]
    total = sum(int(x[2]) for x in f)
    return sum(int(x[3]) for x in f) / total if total else 0
while swap_used() < 0.75 and time.monotonic() < end:
    time.sleep(0.2)
out.write("%d swap 75 %% used\n" % (time.monotonic() * 1e6))
while time.monotonic() < end:
    pids = read(cg + "/cgroup.procs").split()
    if not pids and "populated 0" in read(cg + "/cgroup.events"):
        out.write("%d empty\n" % (time.monotonic() * 1e6)); break
    for pid in pids:
        stat = read("/proc/%s/stat" % pid)
        state = stat.rsplit(")", 1)[1].split()[0] if ")" in stat else "?"
        st = dict(l.split(":", 1) for l in read("/proc/%s/status" % pid).splitlines() if ":" in l)
        stack = ",".join(l.split()[1].split("+")[0] for l in read("/proc/%s/stack" % pid).splitlines()[:4] if len(l.split()) > 1)
        key = (state, read("/proc/%s/wchan" % pid), stack)
        if last.get(pid) != key or n % 10 == 0:
            out.write("%d pid %s %s %s rss=%s swap=%s cg[cur=%s swap=%s high=%s] %s\n" % (time.monotonic() * 1e6, pid, state, key[1] or "-",
                      st.get("VmRSS", "-").split()[0], st.get("VmSwap", "-").split()[0],
                      mib(cg + "/memory.current"), mib(cg + "/memory.swap.current"), mib(cg + "/memory.high"), stack or "-"))
            last[pid] = key
    n += 1
    time.sleep(0.05)
PY
}

# Who sent the hog its SIGKILL and when, when each of its processes took it
# and when each had exited (its memory torn down), from the kernel's own
# tracepoints (tracefs, CLOCK_MONOTONIC): the same account for every killer,
# whatever its log says and whenever journald reads it, and nearly free.
# sigtrace_start arms it (a no-op without tracefs); sigtrace_fields prints
# the JSON fields and sends the raw lines to the console.
TRACEFS=/sys/kernel/tracing
sigtrace_start() {
  [ -d $TRACEFS/events ] || mount -t tracefs nodev $TRACEFS 2>/dev/null
  [ -w $TRACEFS/trace_clock ] || return 0
  echo 0 > $TRACEFS/tracing_on
  echo mono > $TRACEFS/trace_clock
  echo > $TRACEFS/trace
  echo 'sig == 9 && comm ~ "stress-ng*"' > $TRACEFS/events/signal/signal_generate/filter
  echo 'sig == 9' > $TRACEFS/events/signal/signal_deliver/filter
  echo 'comm ~ "stress-ng*"' > $TRACEFS/events/sched/sched_process_exit/filter
  for e in signal/signal_generate signal/signal_deliver sched/sched_process_exit; do echo 1 > "$TRACEFS/events/$e/enable"; done
  # the exit trace's events: off until the yardstick crosses (exit_trace_on),
  # so that the fill runs untraced; a buffer for several seconds of both vCPUs
  if $EXIT_TRACE; then
    echo 4096 > $TRACEFS/buffer_size_kb
    for e in $EXIT_EVENTS; do echo 0 > "$TRACEFS/events/$e/filter" 2>/dev/null; echo 0 > "$TRACEFS/events/$e/enable"; done
    echo "!$HOG_SLEEPS" > $TRACEFS/events/sched/sched_switch/trigger 2>/dev/null
  fi
  echo 1 > $TRACEFS/tracing_on
}
EXIT_EVENTS="sched/sched_switch sched/sched_wakeup sched/sched_wakeup_new sched/sched_migrate_task
  block/block_rq_issue block/block_rq_complete vmscan/mm_vmscan_memcg_reclaim_begin vmscan/mm_vmscan_memcg_reclaim_end"
# where the hog's processes go to sleep: a kernel stack with each switch
# away from them that is not a preemption (this kernel has no
# sched_blocked_reason); set at the crossing, with the events
HOG_SLEEPS='stacktrace if prev_comm ~ "stress-ng*" && prev_state & 3'
sigtrace_fields() {
  local label=$1
  [ -r $TRACEFS/trace ] || { printf '"sig_first": null'; return; }
  echo 0 > $TRACEFS/tracing_on
  grep -E 'signal_generate|signal_deliver|sched_process_exit' $TRACEFS/trace | sed "s/^/VMLAB-SIGTRACE $label /" > /dev/console
  $EXIT_TRACE && { cp $TRACEFS/trace "/root/results/${label// /-}.trace"; echo "!$HOG_SLEEPS" > $TRACEFS/events/sched/sched_switch/trigger; }
  python3 - <<'PY'
import re
gen = deliver = exits = None
sender, n_exit = None, 0
for line in open("/sys/kernel/tracing/trace"):
    m = re.match(r"\s*(.+?)-(\d+)\s+\[\d+\]\s+\S+\s+([\d.]+): (\w+): (.*)", line)
    if not m:
        continue
    who, t, ev, rest = m.group(1).strip(), int(float(m.group(3)) * 1e6), m.group(4), m.group(5)
    # (the same checks as the filters, should the kernel have refused them)
    if ev in ("signal_generate", "signal_deliver") and "sig=9 " not in rest:
        continue
    if ev == "signal_generate" and gen is None and "comm=stress-ng" in rest:
        gen, sender = t, who
    elif ev == "signal_deliver" and who.startswith("stress-ng"):
        deliver = t
    elif ev == "sched_process_exit" and gen is not None and t >= gen:
        exits, n_exit = t, n_exit + 1
print('"sig_first": %s, "sig_sender": "%s", "sig_delivered_last": %s, "hog_exited_last": %s, "hog_exits": %d' % (
    gen if gen else "null", sender or "", deliver if deliver else "null", exits if exits else "null", n_exit))
PY
  echo 0 > $TRACEFS/events/enable
}

# run_swap N: Debian's default ManagedOOMSwap=kill on -.slice. A filler pins
# 1720 MiB in RAM (MemorySwapMax=0), then hogB, squeezed by MemoryHigh=32M,
# fills swap. The filler uses no swap and must live; hogB must go.
run_swap() {
  local n=$1 cg=/system.slice/hogB.service started dead c
  settle
  swapoff -a && swapon -a
  systemctl reset-failed filler.service hogB.service 2>/dev/null
  systemd-run -q --unit=filler -p MemorySwapMax=0 -p RuntimeMaxSec=200 stress-ng --vm 1 --vm-bytes 1720M --vm-keep
  for _ in $(seq 90); do
    c=$(( $(cat /sys/fs/cgroup/system.slice/filler.service/memory.current 2>/dev/null || echo 0) >> 20 ))
    [ "$c" -ge 1700 ] && break
    sleep 1
  done
  # the yardstick: the first 100 ms sample with swap AND memory both over 90 % used
  local out
  out=$(mktemp)
  # killer none: the yardstick itself kills the hog at its crossing, with
  # cgroup.kill, and notes what the hog held then
  FLOOR_KILLED=$out.killed
  EXIT_EVENTS=$EXIT_EVENTS HOG_SLEEPS=$HOG_SLEEPS python3 - "$out" "$([ "$KILLER" = none ] && echo "/sys/fs/cgroup$cg")" "$($EXIT_TRACE && echo "/sys/fs/cgroup$cg")" <<'PY' &
import os, sys, time
def read(p):
    try:
        return open(p).read()
    except OSError:
        return ""
def floor_kill(cg, out):
    pids = read(cg + "/cgroup.procs").split()
    state = ["cg cur=%s swap=%s high=%s" % tuple(read(cg + "/memory." + f).strip() for f in ("current", "swap.current", "high"))]
    for pid in pids:
        st = dict(l.split(":", 1) for l in read("/proc/%s/status" % pid).splitlines() if ":" in l)
        stack = ",".join(l.split()[1].split("+")[0] for l in read("/proc/%s/stack" % pid).splitlines()[:4] if len(l.split()) > 1)
        state.append("pid %s rss=%s swap=%s %s" % (pid, st.get("VmRSS", "-").strip(), st.get("VmSwap", "-").strip(), stack or "-"))
    open(cg + "/cgroup.kill", "w").write("1")
    killed = int(time.monotonic() * 1e6)
    open(out + ".killed", "w").write("%d\n" % killed)
    open("/dev/console", "w").write("".join("VMLAB-FLOOR at kill %d: %s\n" % (killed, l) for l in state))
def exit_trace_on():
    # (what this kernel lacks is left out: the kill must follow whatever happens here)
    for path, value in [("/sys/kernel/tracing/events/%s/enable" % e, "1") for e in os.environ.get("EXIT_EVENTS", "").split()] + [
            ("/sys/kernel/tracing/events/sched/sched_switch/trigger", os.environ.get("HOG_SLEEPS", ""))]:
        try:
            open(path, "w").write(value)
        except OSError as e:
            open("/dev/console", "w").write("VMLAB-EXITTRACE cannot write %r to %s: %s\n" % (value, path, e))
def levels(cg, path):
    # swap used, the hog's memory and swap every 250 ms until its cgroup is
    # empty (at most 30 s): how full swap was at the signal (every 100 ms,
    # this loop took 150-280 ms of CPU a second of the hog's exit)
    out, end = open(path, "w", buffering=1), time.monotonic() + 30
    while time.monotonic() < end and "populated 1" in read(cg + "/cgroup.events"):
        used = sum(int(l.split()[3]) for l in open("/proc/swaps").readlines()[1:])
        out.write("%d swap_used_kib=%d hog_current=%s hog_swap=%s\n" % (time.monotonic() * 1e6, used,
                  read(cg + "/memory.current").strip(), read(cg + "/memory.swap.current").strip()))
        time.sleep(0.25)
def kb(path, key):
    for line in open(path):
        if line.startswith(key + ":"):
            return int(line.split()[1])
end = time.monotonic() + 130
while time.monotonic() < end:
    total = used = 0
    for line in open("/proc/swaps").readlines()[1:]:
        f = line.split()
        total += int(f[2]); used += int(f[3])
    mem_total, avail = kb("/proc/meminfo", "MemTotal"), kb("/proc/meminfo", "MemAvailable")
    if total and used > 0.9 * total and avail < 0.1 * mem_total:
        crossed = time.monotonic()
        open(sys.argv[1], "w").write("%d\n" % (crossed * 1e6))
        if sys.argv[3]:
            exit_trace_on()
        open("/dev/console", "w").write("VMLAB-SYNC %d\n" % (time.monotonic() * 1e6))
        if sys.argv[2]:
            floor_kill(sys.argv[2], sys.argv[1])
        if sys.argv[3]:
            levels(sys.argv[3], sys.argv[1] + ".levels")
        break
    time.sleep(0.1)
PY
  local watcher=$! kpid s0 s1="" s2
  kpid=$(systemctl show -P MainPID "$UNIT")
  say "swap run $n: $UNIT pid $kpid: $(systemctl show -P StatusText "$UNIT")"
  kthreads
  s0=$(snapshot "$kpid")
  # what woke unitoomd, by event source: before the hog and after its
  # death. Not at the crossing: that dump (unitoomctl started, the daemon
  # serving it) fell on unitoomd's decision and the hog's exit alone, where
  # systemd-oomd's turns ran nothing (so the fill and kill phases are no
  # longer told apart by source; their CPU still is, by the snapshots)
  woken_by > "$out.w0"
  # the crossing's snapshot, taken as soon as the watcher writes it (read -t
  # on a pipe that stays silent: a sleep without a fork every 50 ms)
  ( exec {q}<> <(:); until [ -s "$out" ]; do read -r -t 0.05 -u "$q"; done; snapshot "$kpid" > "$out.s1"
    # the hog's own CPU in the fill: the work of swapping out, whatever the host gave the guest
    while read -r k v; do [ "$k" = usage_usec ] && echo $((v / 1000)) > "$out.hogcpu"; done < "/sys/fs/cgroup$cg/cpu.stat" ) &
  local snapper=$! tracer=""
  [ "$(arg debug)" = 1 ] && { exec_trace "/sys/fs/cgroup$cg" "$out.t" & tracer=$!; }
  sigtrace_start
  sync_mark
  systemd-run -q --unit=hogB -p MemoryHigh=32M -p MemoryMax=800M -p RuntimeMaxSec=120 \
    stress-ng --vm 1 --vm-bytes 540M --vm-keep
  # Until the hog's cgroup is empty, without a process started: the guest's
  # two vCPUs are busy (the filler spins on one), so whatever runs here is
  # taken from the fill and from the hog's exit (a systemctl every 100 ms,
  # as before, ran for 150 ms of a 1.4 s exit). Then until PID 1 has seen
  # it (inactive; "deactivating" comes once the main process is gone).
  local ev q i
  exec {q}<> <(:)
  for ((i = 0; i < 1250; i++)); do
    read -r ev < "/sys/fs/cgroup$cg/cgroup.events" 2>/dev/null || break
    [ "$ev" = "populated 1" ] || break
    read -r -t 0.1 -u "$q"
  done
  exec {q}<&-
  # the exit trace ends with the hog's last process (the buffer keeps what came first)
  $EXIT_TRACE && echo 0 > $TRACEFS/tracing_on
  for _ in $(seq 100); do
    case $(systemctl show -P ActiveState hogB.service) in active | activating | deactivating | reloading) sleep 0.1 ;; *) break ;; esac
  done
  s2=$(snapshot "$kpid")
  # a hog that never crossed: its whole run counts as the fill
  [ -s "$out" ] || kill "$snapper" 2>/dev/null
  wait "$snapper" $tracer 2>/dev/null
  woken_by > "$out.w2"
  kill "$watcher" 2>/dev/null; wait "$watcher" 2>/dev/null
  s1=$(cat "$out.s1" 2>/dev/null); [ -n "$s1" ] || s1=$s2
  [ -s "$out.w1" ] || cp "$out.w2" "$out.w1"
  [ -s "$out.t" ] && { sed "s/^/VMLAB-TRACE swap $n $KILLER /" "$out.t"
    journalctl -b -u "$UNIT" -o json --no-pager | python3 -c '
import json, sys
for line in sys.stdin:
    e = json.loads(line)
    if int(e["__MONOTONIC_TIMESTAMP"]) >= int(sys.argv[1]):
        print("%s journal at %d: %s" % (sys.argv[2], int(e["__MONOTONIC_TIMESTAMP"]), e.get("MESSAGE", "")))' "$(head -1 "$out.t" | cut -d' ' -f1)" "VMLAB-TRACE swap $n $KILLER"
    echo "VMLAB-TRACE swap $n $KILLER crossed at $(cat "$out") dead at $(systemctl show -P InactiveEnterTimestampMonotonic hogB.service)"
  } > /dev/console
  woken_diff "$out.w0" "$out.w2" | awk -v n="$n" '{print "VMLAB-WOKEN swap run", n, "fill and kill:", $2, "times", $3, "ms", $1}' > /dev/console
  started=$(systemctl show -P ExecMainStartTimestampMonotonic hogB.service)
  dead=$(systemctl show -P InactiveEnterTimestampMonotonic hogB.service)
  local sent sigs
  read -r sent _ <<< "$(killer_line_sent "$cg" "$started")"
  sigs=$(sigtrace_fields "swap $n $KILLER")
  result "$(printf '{"killer": "%s", "scenario": "swap", "run": %d, "duration_ms": 0, "generator_start": %s, "limit_crossed": %s, "decision": %s, "unit_dead": %s, "result": "%s", "bystander_alive": %s, "extra_kills": %s, "killer_line_sent": %s, %s, %s, %s, %s, %s, "fill_hog_cpu_ms": %s}' \
    "$KILLER" "$n" "${started:-null}" "$(grep . "$out" || echo null)" "$(decision_usec "$cg" "$started" | grep . || echo null)" "${dead:-null}" \
    "$(systemctl show -P Result hogB.service)" "$(systemctl -q is-active filler.service && echo true || echo false)" "$(extra_kills "$cg" "$started")" "${sent:-null}" "$sigs" \
    "$(cost_fields fill_ "$s0" "$s1")" "$(cost_fields kill_ "$s1" "$s2")" "$(kill_report_fields "$cg" "$started")" \
    "$(woken_json woken_by "$out.w0" "$out.w2")" "$(grep . "$out.hogcpu" 2>/dev/null || echo null)")"
  systemctl stop filler.service hogB.service 2>/dev/null
  if $EXIT_TRACE; then
    cp "$out.levels" "/root/results/swap-$n-$KILLER.levels" 2>/dev/null
    save_results "swap-$n-$KILLER.trace" "swap-$n-$KILLER.levels"
    rm -f /root/results/"swap-$n-$KILLER".*
  fi
  sync_mark
  rm -f "$out" "$out".s1 "$out".w[012] "$out.t" "$out.killed" "$out.levels"
}

# A monitored slice, as an administrator writes it (5 % limit, as the
# pressure scenario).
monitored_slice() {
  mkdir -p /run/systemd/system
  printf '[Slice]\nManagedOOMMemoryPressure=kill\nManagedOOMMemoryPressureLimit=5%%\n' > /run/systemd/system/work.slice
  systemctl daemon-reload
  systemctl start work.slice
}

# run_reclaim N: in one monitored slice, the pressure hog and a bystander
# that merely reclaims: it streams a 400 MiB file under MemoryHigh=64M, so
# its page cache is scanned and dropped all the time (high pgscan) while it
# hardly stalls (clean cache is cheap to drop). The hog must go, the
# reclaimer live.
run_reclaim() {
  local n=$1 cg=/work.slice/hog.service started dead out
  monitored_slice
  [ -s /var/tmp/reclaim.bin ] || head -c 400M /dev/zero > /var/tmp/reclaim.bin
  settle
  systemctl reset-failed hog.service reclaimer.service 2>/dev/null
  systemd-run -q --unit=reclaimer --slice=work.slice -p MemoryHigh=64M -p RuntimeMaxSec=120 \
    sh -c 'while :; do cat /var/tmp/reclaim.bin > /dev/null; done'
  sleep 5
  out=$(mktemp)
  psi-cross.py --wait-for-file "/sys/fs/cgroup$cg/memory.pressure" 5 "$out" 100 &
  local watcher=$!
  sleep 0.3
  systemd-run -q --unit=hog --slice=work.slice -p MemoryHigh=64M -p MemoryMax=600M -p RuntimeMaxSec=90 \
    stress-ng --vm 1 --vm-bytes 300M --vm-keep
  for _ in $(seq 950); do
    systemctl -q is-active hog.service && systemctl -q is-active reclaimer.service || break
    sleep 0.1
  done
  wait "$watcher" 2>/dev/null
  started=$(systemctl show -P ExecMainStartTimestampMonotonic hog.service)
  dead=$(systemctl show -P InactiveEnterTimestampMonotonic hog.service)
  result "$(printf '{"killer": "%s", "scenario": "reclaim", "run": %d, "duration_ms": %d, "generator_start": %s, "limit_crossed": %s, "decision": %s, "unit_dead": %s, "result": "%s", "bystander_alive": %s}' \
    "$KILLER" "$n" $((DURATION * 1000)) "${started:-null}" "$(sed -n 's/^limit_crossed_usec=//p' "$out" | head -1 | grep . || echo null)" \
    "$(decision_usec "$cg" "$started" | grep . || echo null)" "${dead:-null}" "$(systemctl show -P Result hog.service)" \
    "$(systemctl -q is-active reclaimer.service && echo true || echo false)")"
  systemctl stop hog.service reclaimer.service 2>/dev/null
  rm -f "$out"
}

# run_busy N: a busy, healthy unit (two CPU spinners for 20 s) in a
# monitored slice: no memory stall of its own, so nothing may be killed.
run_busy() {
  local n=$1 res
  monitored_slice
  settle
  systemctl reset-failed busy.service 2>/dev/null
  systemd-run -q --unit=busy --slice=work.slice -p RuntimeMaxSec=60 stress-ng --cpu 2 --timeout 20s
  for _ in $(seq 300); do systemctl -q is-active busy.service || break; sleep 0.1; done
  res=$(systemctl show -P Result busy.service)
  result "$(printf '{"killer": "%s", "scenario": "busy", "run": %d, "duration_ms": %d, "generator_start": null, "limit_crossed": null, "decision": null, "unit_dead": null, "result": "%s", "bystander_alive": %s, "no_kill_expected": true}' \
    "$KILLER" "$n" $((DURATION * 1000)) "$res" "$([ "$res" = success ] && echo true || echo false)")"
}

# run_idle UNITS: the killer's cost while nothing happens, over 60 s: times
# it was scheduled (schedstat timeslices = wake-ups), CPU time, and its PSS.
# With UNITS > 0, as many started slices with ManagedOOMMemoryPressure=kill
# are followed first (one reload, one start: fast even under TCG).
run_idle() {
  local units=$1 pid s0 s1 c0 c1 i names=() units_at
  units_at=$(date +%s)
  if [ "$units" -gt 0 ]; then
    mkdir -p /run/systemd/system
    for i in $(seq "$units"); do
      printf '[Slice]\nManagedOOMMemoryPressure=kill\n' > "/run/systemd/system/idle-$i.slice"
      names+=("idle-$i.slice")
    done
    systemctl daemon-reload
    systemctl start "${names[@]}"
  fi
  pid=$(systemctl show -P MainPID "$UNIT")
  # Idle means the killer is done taking in the units (its unit reads, its
  # rulesets): at least 30 s, then until it uses under 5 % of a CPU over 5 s,
  # for at most 180 s (a killer that polls every cgroup never gets there).
  local t0 settled_s=-1 busy_ms
  t0=$SECONDS
  if [ "$units" -gt 0 ]; then
    sleep 30
    while [ $((SECONDS - t0)) -lt 180 ]; do
      c0=$(awk '{print $14 + $15}' "/proc/$pid/stat")
      sleep 5
      c1=$(awk '{print $14 + $15}' "/proc/$pid/stat")
      busy_ms=$(( (c1 - c0) * 1000 / $(getconf CLK_TCK) ))
      [ "$busy_ms" -lt 250 ] && { settled_s=$((SECONDS - t0)); break; }
    done
  fi
  settle
  # vmlab.debug=1: its debug log in the window (costs it CPU: not for figures)
  [ "$(arg debug)" = 1 ] && [ "${KILLER%@*}" = unitoomd ] && systemctl service-log-level "$UNIT" debug
  # PSS before the dump below (unitoomctl's first call runs code idle never does)
  local pss_before_dump
  pss_before_dump=$(awk '/^Pss:/ {print $2}' "/proc/$pid/smaps_rollup")
  woken_by > /run/vmlab-woken-before
  # what the idle samples read (read syscalls, bytes), whether the kernel
  # reclaimed meanwhile (a rule gated on reclaim then reads more), and the
  # daemon's page faults (heap handed back and touched again)
  idle_io() { awk '$1 == "syscr:" {r = $2} $1 == "rchar:" {c = $2} END {print r, c}' "/proc/$pid/io"
    awk '$1 ~ /^pgscan_(kswapd|direct|khugepaged)$/ {s += $2} END {print s}' /proc/vmstat
    awk '{print $10}' "/proc/$pid/stat"; }
  local io0 io1
  io0=$(idle_io | tr '\n' ' ')
  read -r _ _ s0 < "/proc/$pid/schedstat"
  c0=$(awk '{print $14 + $15}' "/proc/$pid/stat")
  sleep 60
  read -r _ _ s1 < "/proc/$pid/schedstat"
  c1=$(awk '{print $14 + $15}' "/proc/$pid/stat")
  io1=$(idle_io | tr '\n' ' ')
  echo "$io0 $io1" | awk '{print "VMLAB-IDLE-IO read syscalls", $5 - $1, "bytes", $6 - $2, "pgscan", $7 - $3, "minor faults", $8 - $4}' > /dev/console
  # What woke it in the window, by event source, and what it said then
  # (the host keeps these lines in the serial log)
  woken_by > /run/vmlab-woken-after
  woken_diff /run/vmlab-woken-before /run/vmlab-woken-after | awk '{print "VMLAB-WOKEN", $2, "times", $3, "ms", $1}' > /dev/console
  journalctl -b -u "$UNIT" -o cat --no-pager --since "@$units_at" | sed -E 's/[0-9]+/N/g' | sort | uniq -c | sort -rn |
    head -30 | sed 's/^/VMLAB-JOURNAL /' > /dev/console
  systemctl show -p NRestarts,Result,ExecMainStatus,ExecMainCode "$UNIT" | sed 's/^/VMLAB-JOURNAL /' > /dev/console
  [ "$(arg debug)" = 1 ] && [ "${KILLER%@*}" = unitoomd ] && systemctl service-log-level "$UNIT" info
  # PSS by what is mapped: the daemon, each library (by segment: r-xp is
  # code, r--p read-only data and, first, the ELF tables the loader reads),
  # the heap, anonymous
  awk '/^[0-9a-f]+-[0-9a-f]+ / {name = NF >= 6 ? $6 " " $2 : "(anonymous)"} $1 == "Pss:" {pss[name] += $2}
    END {for (n in pss) if (pss[n] >= 16) printf "VMLAB-PSS %d KiB %s\n", pss[n], n}' "/proc/$pid/smaps" | sort -k2 -rn > /dev/console
  # Which pages of the daemon's own file are mapped (the host maps them to functions)
  [ "${KILLER%@*}" = unitoomd ] && resident-pages.py "$pid" "$(readlink "/proc/$pid/exe")" | sed "s/^/VMLAB-PAGES $KILLER /" > /dev/console
  # PSS, and its parts: anonymous (the daemon's own data) and file (code
  # and read-only data, page cache shared with whoever else maps it)
  result "$(printf '{"killer": "%s", "scenario": "idle", "units": %d, "settled_s": %d, "seconds": 60, "wakeups": %d, "cpu_ms": %d, "pss_kib": %d, "pss_anon_kib": %d, "pss_file_kib": %d, "pss_before_dump_kib": %d}' \
    "$KILLER" "$units" "$settled_s" $((s1 - s0)) $(( (c1 - c0) * 1000 / $(getconf CLK_TCK) )) \
    "$(awk '/^Pss:/ {print $2}' "/proc/$pid/smaps_rollup")" \
    "$(awk '/^Pss_Anon:/ {print $2}' "/proc/$pid/smaps_rollup")" \
    "$(awk '/^Pss_File:/ {print $2}' "/proc/$pid/smaps_rollup")" "$pss_before_dump")"
  if [ "$units" -gt 0 ]; then
    systemctl stop "${names[@]}"
    rm -f /run/systemd/system/idle-*.slice
    systemctl daemon-reload
  fi
}

# Swap only on zram (the disk swap off): 1 GiB device, compressed data
# capped at 384 MiB (mem_limit). Made after the killer started, as a
# zram-generator or an administrator's swapon later would.
zram_swap() {
  swapoff -a
  if [ ! -e /sys/block/zram0 ]; then modprobe zram num_devices=1 || { say "no zram module"; return 1; }; fi
  swapoff /dev/zram0 2>/dev/null
  echo 1 > /sys/block/zram0/reset
  echo 1G > /sys/block/zram0/disksize
  echo 384M > /sys/block/zram0/mem_limit
  mkswap /dev/zram0 >/dev/null && swapon -p 100 /dev/zram0
}

# run_exhaust KIND N: memory running out with no swap (KIND noswap) or
# swap on zram only (zram: the same fast grower; zramslow: a slow one
# whose pages compress about 2:1, filling zram). A holder keeps 300 MiB
# beside it (the bystander: it must live). Recorded: whether the kernel's
# OOM killer fired before the killer decided, and whom it killed.
run_exhaust() {
  local kind=$1 n=$2 cg=/system.slice/grower.service rate=400 extra="" started dead c peak=0 peak_t=0 t0
  settle
  case $kind in
    noswap) swapoff -a ;;
    zram | zramslow) zram_swap || return ;;
  esac
  # the slow grower needs about 160 s to fill RAM and zram under TCG: bounded
  # later, so that the bound does not end it first (it did, at 150 s). The
  # fast one crossed after 145 s on a loaded host and its bound ended it
  # while it died (Result=timeout): 240 s.
  local bound=240
  [ "$kind" = zramslow ] && rate=25 extra=--grow-half-random bound=330
  systemctl reset-failed holder.service grower.service 2>/dev/null
  systemd-run -q --unit=holder -p RuntimeMaxSec=400 stress-ng --vm 1 --vm-bytes 300M --vm-keep
  for _ in $(seq 60); do
    c=$(( $(cat /sys/fs/cgroup/system.slice/holder.service/memory.current 2>/dev/null || echo 0) >> 20 ))
    [ "$c" -ge 290 ] && break
    sleep 1
  done
  sleep 2
  local mark; mark=$(mono_usec)
  # bounded: a machine thrashing without swap may neither kill nor OOM for minutes
  systemd-run -q --unit=grower -p RuntimeMaxSec=$bound pressure-gen --grow-anon-mib-per-sec $rate $extra
  t0=$(cut -d' ' -f1 /proc/uptime)
  while awk -v a="$t0" -v b="$(cut -d' ' -f1 /proc/uptime)" 'BEGIN{exit !(b - a < '"$((bound + 20))"')}'; do
    systemctl -q is-active grower.service || break
    c=$(cat /sys/fs/cgroup$cg/memory.current 2>/dev/null || echo 0)
    [ "$c" -gt "$peak" ] && peak=$c peak_t=$(cut -d' ' -f1 /proc/uptime)
    sleep 0.1
  done
  started=$(systemctl show -P ExecMainStartTimestampMonotonic grower.service)
  dead=$(systemctl show -P InactiveEnterTimestampMonotonic grower.service)
  # the kernel's first OOM kill since the grower started, and its victim
  local kernel
  kernel=$(journalctl -k -b -o json --no-pager | python3 -c '
import json, re, sys
for line in sys.stdin:
    e = json.loads(line)
    m = re.search(r"Out of memory: Killed process \d+ \((\S+)\)|oom-kill:.*task=(\S+?),", e.get("MESSAGE", ""))
    if m and int(e["__MONOTONIC_TIMESTAMP"]) > int(sys.argv[1]):
        print(e["__MONOTONIC_TIMESTAMP"], m.group(1) or m.group(2)); break' "$mark")
  local zram_used=null
  [ -r /sys/block/zram0/mm_stat ] && [ "$kind" != noswap ] && zram_used=$(awk '{print $3}' /sys/block/zram0/mm_stat)
  result "$(printf '{"killer": "%s", "scenario": "%s", "run": %d, "duration_ms": 0, "generator_start": %s, "limit_crossed": null, "decision": %s, "unit_dead": %s, "result": "%s", "bystander_alive": %s, "kernel_oom": %s, "kernel_oom_victim": "%s", "grower_peak_mib": %d, "grower_mib_per_sec": %s, "zram_mem_used_at_end": %s}' \
    "$KILLER" "$kind" "$n" "${started:-null}" "$(decision_usec "$cg" "$started" | grep . || echo null)" "${dead:-null}" \
    "$(systemctl show -P Result grower.service)" "$(systemctl -q is-active holder.service && echo true || echo false)" \
    "$(echo "$kernel" | awk '{print ($1 == "" ? "null" : $1)}')" "$(echo "$kernel" | awk '{print $2}')" $((peak >> 20)) \
    "$(awk -v p=$peak -v a=$t0 -v b=$peak_t 'BEGIN{printf "%.0f", (b > a ? p / 1048576 / (b - a) : 0)}')" "$zram_used")"
  systemctl stop grower.service holder.service 2>/dev/null
  swapoff /dev/zram0 2>/dev/null
  swapon -a
}

systemd-run -q --unit=bystander sleep infinity
for scenario in $SCENARIOS; do
  for n in $(seq "$RUNS"); do
    [ ${#KILLERS[@]} -gt 1 ] && [ "$(killer_for_run "$n")" != "$KILLER" ] && use_killer "$(killer_for_run "$n")"
    case $scenario in
      pressure) run_pressure "$n" ;;
      stalled | stalleddbus) run_stalled "$scenario" "$n" ;;
      swap) run_swap "$n" ;;
      reclaim) run_reclaim "$n" ;;
      busy) run_busy "$n" ;;
      idle) run_idle 0 ;;
      idle1000) run_idle 1000 ;;
      noswap | zram | zramslow) run_exhaust "$scenario" "$n" ;;
      *) say "unknown scenario '$scenario'" ;;
    esac
  done
  [ -n "${UNIT:-}" ] && killer_log
done
