#!/bin/bash
# Soak benchmark (not a test): unitoomd under systemd 252 as PID 1 in the
# system container (tools/lab/system-container.sh), for MINUTES, with
# everything at once, on a fixed seed (SOAK_SEED, 6) so runs are comparable:
#   episodes  every 60-90 s a real memory-stall hog (pressure-gen under a 32M
#             limit, as test/e2e/system_hog_kill.sh) in soakhog.slice
#             (ManagedOOMMemoryPressure=kill, 20 %) beside a bystander; handled
#             = the hog ends Result=oom-kill within 60 s and the bystander lives
#   waves     every few minutes 1,000 transient services in soak.slice
#             (systemd-run --no-block ... sleep infinity; every 5th with
#             ManagedOOMMemoryPressure=kill), held 45-90 s, then stopped
#   knobs     every 3-7 s `systemctl reload unitoomd` or `systemctl
#             set-property soakknob.slice ManagedOOMMemoryPressureLimit=N%`
#   disrupt   now and then `systemctl restart dbus` and `systemctl daemon-reexec`
#             (alternately), each checked: the system running again, unitoomd
#             back on the bus
# Every 10 s, from outside (host /proc of the daemon; nothing added to it):
# RSS, PSS (anon/file), open fds by kind, the fds registered in its epoll
# sets (io sources, timerfds, signalfd: sd-event's sources that own an fd),
# inotify watches, threads, utime+stime, NRestarts and MainPID, and its
# Rulesets/MonitoredCGroups counts over the bus. All into OUT (JSON lines),
# then a summary (tools/lab/soak.sh prints it; `--summary OUT` reprints it):
# growth after warm-up (the first 10 % excluded) on quiet samples (no wave
# units, no hog), CPU per minute, episodes, wrong kills, restarts.
#   tools/lab/soak.sh MINUTES [BUILD_DIR] [OUT]   (tools/bench --soak MINUTES)
#   tools/lab/soak.sh --summary OUT
# Needs root; runs without the lab lock beside other containers (its own
# mount namespace, container root, cgroup names and thrash file).
set -u
SOAK_SCRIPT=$(readlink -f "$0")
SOAK_ROOT=$(cd "$(dirname "$SOAK_SCRIPT")/../.." && pwd)

soak_summary() {
  python3 - "$1" <<'PY'
import json, sys, statistics
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
start = next((r for r in rows if r["type"] == "start"), {})
S = [r for r in rows if r["type"] == "sample" and r.get("pid")]
E = [r for r in rows if r["type"] == "episode"]
W = [r for r in rows if r["type"] == "wave"]
D = [r for r in rows if r["type"] in ("dbus-restart", "reexec")]
K = [r for r in rows if r["type"] == "knobs"]
F = [r for r in rows if r["type"] == "final"]
if not S:
    print("soak: no samples"); sys.exit(1)
T = S[-1]["t"]
warm = 0.1 * T
post = [s for s in S if s["t"] >= warm]
quiet = [s for s in post if s.get("quiet")]
def med(xs, k):
    v = [x[k] for x in xs if x.get(k) is not None]
    return statistics.median(v) if v else None
def at(xs, k):  # median of 3 samples: the first 3 and the last 3 given
    return (med(xs[:3], k), med(xs[-3:], k))
res = {"minutes": round(T / 60, 1), "warmup_end_s": round(warm), "samples": len(S), "quiet_samples_after_warmup": len(quiet)}
print(f"soak: {T/60:.1f} min, {len(S)} samples, warm-up {warm:.0f} s; {start.get('git', '?')}")
print(f"{'':14s} {'warm-up end':>12s} {'end':>10s} {'growth':>8s} {'max after warm-up':>18s} {'fit per hour':>12s}")
print("(warm-up end and end: medians of the first and last 3 quiet samples after warm-up; fit: least squares over them)")
base = quiet if len(quiet) >= 2 else post
for k, unit in (("rss_kb", "KiB"), ("pss_kb", "KiB"), ("pss_anon_kb", "KiB"), ("fds", ""), ("epoll_fds", ""), ("inotify_watches", ""), ("threads", "")):
    a, b = at(base, k)
    mx = max((s.get(k) or 0) for s in post)
    g = (b - a) * 100.0 / a if a else None
    pts = [(s["t"], s[k]) for s in base if s.get(k) is not None]
    slope = None  # least squares over the samples compared, per hour
    if len(pts) >= 3 and pts[-1][0] > pts[0][0]:
        mt = sum(t for t, _ in pts) / len(pts); mv = sum(v for _, v in pts) / len(pts)
        slope = sum((t - mt) * (v - mv) for t, v in pts) / sum((t - mt) ** 2 for t, _ in pts) * 3600
    res[k] = {"warmup_end": a, "end": b, "growth_pct": None if g is None else round(g, 2), "max": mx,
              "slope_per_hour": None if slope is None else round(slope, 1)}
    gs = "-" if g is None else f"{g:+.1f}%"
    ss = "-" if slope is None else f"{slope:+.1f}"
    print(f"{k:14s} {a if a is not None else '-':>12} {b if b is not None else '-':>10} {gs:>8s} {mx:>18} {ss:>12s}")
# CPU after warm-up, per minute (within one daemon process)
p0 = next((s for s in post), None)
cpm = None
if p0 and post[-1]["pid"] == p0["pid"] and post[-1]["t"] > p0["t"]:
    cpm = (post[-1]["cpu_ms"] - p0["cpu_ms"]) * 60.0 / (post[-1]["t"] - p0["t"])
res["cpu_ms_per_min"] = None if cpm is None else round(cpm)
print(f"CPU after warm-up: {cpm:.0f} ms/min (utime+stime; noisy: 2 shared cores)" if cpm is not None else "CPU: n/a (daemon changed)")
handled = sum(1 for e in E if e["result"] == "handled")
missed = [e for e in E if e["result"] == "missed"]
invalid = [e for e in E if e["result"] == "invalid"]
ttd = [e["seconds_to_dead"] for e in E if e["result"] == "handled"]
wrong = F[-1].get("wrong_kills", []) if F else []
wrong_ep = [e for e in E if not e.get("bystander_alive", True)]
pids = sorted({s["main_pid"] for s in S if s.get("main_pid")})
nrest = max((s.get("n_restarts") or 0) for s in S)
res.update({"episodes": len(E), "handled": handled, "missed": len(missed), "invalid": len(invalid),
            "wrong_kills": len(wrong) + len(wrong_ep), "n_restarts": nrest, "main_pids": len(pids),
            "kill_s_median": round(statistics.median(ttd), 1) if ttd else None})
print(f"episodes: {len(E)}, handled {handled}, missed {len(missed)}, not run {len(invalid)}; hog start->dead median "
      f"{res['kill_s_median']} s [{min(ttd) if ttd else '-'}, {max(ttd) if ttd else '-'}]")
for e in missed: print(f"  MISSED episode {e['n']} at t={e['t']} s: {e.get('why', '')}")
for e in invalid: print(f"  not run: episode {e['n']} at t={e['t']} s: {e.get('why', '')}")
print(f"wrong kills: {len(wrong) + len(wrong_ep)}" + (f" ({', '.join(wrong)})" if wrong else "") +
      (f", bystander killed in episodes {[e['n'] for e in wrong_ep]}" if wrong_ep else ""))
print(f"daemon restarts: NRestarts {nrest}, main PIDs seen {len(pids)} {pids}")
print(f"waves: {len(W)} ({sum(w.get('created', 0) for w in W)} units; create median "
      f"{statistics.median([w['create_s'] for w in W]) if W else '-'} s, left after stop: {sum(w.get('left', 0) for w in W)})")
for kind in ("dbus-restart", "reexec"):
    d = [r for r in D if r["type"] == kind]
    bad = [r for r in d if not r.get("ok")]
    rec = [r["unitoomd_on_bus_s"] for r in d if r.get("unitoomd_on_bus_s") is not None]
    print(f"{kind}: {len(d)}, failed {len(bad)}" + (f"; unitoomd on the bus again after {rec} s" if rec else "") +
          "".join(f"\n  FAILED at t={r['t']}: {r.get('why', '')}" for r in bad))
    res[kind] = {"n": len(d), "failed": len(bad)}
if K: print(f"knobs: {K[-1].get('reloads', 0)} reloads, {K[-1].get('set_property', 0)} set-property, {K[-1].get('failed', 0)} failed")
goal = all(res[k]["growth_pct"] is not None and res[k]["growth_pct"] <= 2 for k in ("rss_kb", "pss_kb", "fds")) \
       and not missed and not res["wrong_kills"] and nrest == 0 and len(pids) == 1
print(f"goal (flat within 2 %, every episode handled, no wrong kill, no restart): {'met' if goal else 'NOT met'}")
res["goal_met"] = goal
print(json.dumps({"type": "summary", **res}))
PY
}

if [ "${1:-}" = --summary ]; then soak_summary "${2:-build/soak.jsonl}"; exit; fi

source "$SOAK_ROOT/test/e2e/lib/system.sh"
sc_reexec_in_namespace "$SOAK_SCRIPT" "$@"

MINUTES=${1:?usage: soak.sh MINUTES [BUILD_DIR] [OUT]}
BUILD=$(readlink -f "${2:-$SOAK_ROOT/build}")
OUT=${3:-$BUILD/soak.jsonl}
SEED=${SOAK_SEED:-6}
WAVE_UNITS=${SOAK_WAVE_UNITS:-1000}
# Its own thrash file: a hog of another container reading the same file would
# find pages cached (charged to its memory cgroup) and stall less, and so would
# this one's.
SC_THRASH_FILE=$UNITOOMD_LAB_CACHE/soak-thrash-256m.bin
KNOB_LOG=${OUT%.jsonl}-knobs.log
: > "$KNOB_LOG"

: > "$OUT"
T0=$EPOCHSECONDS  # again once the container is up
now() { echo $((EPOCHSECONDS - T0)); }
# nap SECONDS: sleeps, but not past the end of the run
nap() { local left=$((END - EPOCHSECONDS)); [ "$left" -gt 0 ] && sleep $(($1 < left ? $1 : left)); return 0; }
emit() { echo "$1" >> "$OUT"; }   # one line < PIPE_BUF: atomic with O_APPEND
log() { echo "[t=$(now)s] $*"; }

sc_start "unitoomd-soak-$$" "$BUILD"
SOAK_PIDS=()
V1_PARENT=/sys/fs/cgroup/memory$(sed -n 's/^[0-9]*:memory://p' /proc/self/cgroup)
soak_cleanup() {
  local p
  for p in "${SOAK_PIDS[@]}"; do pkill -P "$p" 2>/dev/null; kill "$p" 2>/dev/null; done
  for p in "${SOAK_PIDS[@]}"; do wait "$p" 2>/dev/null; done
}
# v1 memory cgroups of hogs are made in subshells: remove them after the container stopped
trap 'soak_cleanup; sc_cleanup; for d in "$V1_PARENT/$SC_NAME"-*; do [ -d "$d" ] && rmdir "$d"; done' EXIT

printf '[OOM]\nDefaultMemoryPressureDurationSec=2s\n' | container_write /etc/unitoomd/unitoomd.conf
# No dash in these names: soak-knob.slice would sit under soak.slice, whose
# stop at each wave's end would stop it too.
printf '[Slice]\nManagedOOMMemoryPressure=kill\nManagedOOMMemoryPressureLimit=50%%\n' |
  container_write /etc/systemd/system/soakknob.slice
monitored_slice soakhog.slice 20%
sc_in systemctl start soakknob.slice
bystander() { sc_in systemd-run --quiet --unit=soak-bystander.service --slice=soakhog.slice sleep infinity; }
bystander
sc_in systemd-run --quiet --unit=soakknob-sleeper.service --slice=soakknob.slice sleep infinity
unitoomd_start
wait_for_log "ruleset 'soakhog.slice/ManagedOOMMemoryPressure' added" 10 || fail "no ruleset for soakhog.slice"
emit "$(printf '{"type": "start", "minutes": %s, "seed": %s, "wave_units": %s, "git": "%s", "daemon_sha256": "%s"}' \
  "$MINUTES" "$SEED" "$WAVE_UNITS" "$(git -C "$SOAK_ROOT" describe --always --dirty 2>/dev/null)" \
  "$(sha256sum "$BUILD/src/unitoomd" | cut -c1-16)")"
T0=$EPOCHSECONDS
END=$((T0 + MINUTES * 60))
log "container up (PID 1 = $SC_PID1), unitoomd active; soak for $MINUTES min, seed $SEED, into $OUT"

UNIT_CG=$(sc_host_cgroup /system.slice/unitoomd.service)
daemon_pid() {
  local p
  for p in $(cat "$UNIT_CG/cgroup.procs" 2>/dev/null); do
    [ "$(cat "/proc/$p/comm" 2>/dev/null)" = unitoomd ] && { echo "$p"; return; }
  done
}
count_of() {  # the element count of an array property of org.unitoomd1
  sc_in busctl --timeout=3 get-property org.unitoomd1 /org/unitoomd1 org.unitoomd1.Manager "$1" 2>/dev/null | awk '{print $2}'
}

# --- sampler: every 10 s
SAMPLE_PY='
import json, os, re, sys
pid, t = sys.argv[1], int(sys.argv[2])
r = {"type": "sample", "t": t, "pid": int(pid) if pid else None}
extra = json.loads(sys.argv[3])
r.update(extra)
if pid:
    try:
        for l in open(f"/proc/{pid}/smaps_rollup"):
            k, _, v = l.partition(":")
            if k in ("Rss", "Pss", "Pss_Anon", "Pss_File"): r[{"Rss": "rss_kb", "Pss": "pss_kb", "Pss_Anon": "pss_anon_kb", "Pss_File": "pss_file_kb"}[k]] = int(v.split()[0])
        for l in open(f"/proc/{pid}/status"):
            if l.startswith("Threads:"): r["threads"] = int(l.split()[1])
        st = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
        r["cpu_ms"] = (int(st[11]) + int(st[12])) * 1000 // os.sysconf("SC_CLK_TCK")
        kinds, ep, iw = {}, 0, 0
        fds = os.listdir(f"/proc/{pid}/fd")
        for fd in fds:
            try: tgt = os.readlink(f"/proc/{pid}/fd/{fd}")
            except OSError: continue
            if tgt.endswith(".pressure"): k = "psi"
            elif tgt.startswith("socket:"): k = "socket"
            elif tgt.startswith("anon_inode:"): k = tgt[11:].strip("[]")
            elif tgt.startswith("/sys/fs/cgroup"): k = "cgroup"
            elif tgt.startswith("/proc"): k = "proc"
            else: k = "other"
            kinds[k] = kinds.get(k, 0) + 1
            if k in ("eventpoll", "inotify"):
                try:
                    for l in open(f"/proc/{pid}/fdinfo/{fd}"):
                        if k == "eventpoll" and l.startswith("tfd:"): ep += 1
                        if k == "inotify" and l.startswith("inotify wd:"): iw += 1
                except OSError: pass
        r.update({"fds": len(fds), "fd_kinds": kinds, "epoll_fds": ep, "inotify_watches": iw})
    except (OSError, IndexError) as e:
        r["error"] = str(e)
print(json.dumps(r))
'
sampler() {
  local pid main nrest state rs mc units hog quiet
  while :; do
    pid=$(daemon_pid)
    main="" nrest="" state=""
    while IFS='=' read -r k v; do
      case $k in MainPID) main=$v ;; NRestarts) nrest=$v ;; ActiveState) state=$v ;; esac
    done < <(sc_in systemctl show -p MainPID -p NRestarts -p ActiveState unitoomd.service)
    rs=$(count_of Rulesets); mc=$(count_of MonitoredCGroups)
    units=$(find "$(sc_host_cgroup /soak.slice)" -maxdepth 1 -name 'soak-*.service' 2>/dev/null | wc -l)
    hog=$(find "$(sc_host_cgroup /soakhog.slice)" -maxdepth 1 -name 'soak-hog-*' 2>/dev/null | wc -l)
    quiet=false; [ "$units" = 0 ] && [ "$hog" = 0 ] && quiet=true
    emit "$(python3 -c "$SAMPLE_PY" "$pid" "$(now)" "{\"main_pid\": ${main:-null}, \"n_restarts\": ${nrest:-null}, \"state\": \"$state\", \"rulesets\": ${rs:-null}, \"monitored\": ${mc:-null}, \"soak_units\": $units, \"hog\": $hog, \"quiet\": $quiet}")"
    [ -e "$SC_DIR/soak-stop-sampler" ] && return
    sleep 10
  done
}

# --- episodes: a hog beside the bystander, every 60-90 s
episode() {
  local n=$1 unit=soak-hog-$1.service t0 t1 res why="" dead by=true r v1
  t0=$(now)
  # shellcheck disable=SC2046  # the generator's words
  if ! sc_in systemd-run --quiet --unit="$unit" --slice=soakhog.slice $(hog_args "soak-hog-$n" 3); then
    emit "{\"type\": \"episode\", \"n\": $n, \"t\": $t0, \"result\": \"invalid\", \"why\": \"systemd-run failed\"}"; return
  fi
  v1=$V1_PARENT/$SC_NAME-$unit
  if ! sc_limit_memory "$(cgroup_of "$unit")" "$HOG_LIMIT" ||
     ! wait_until 10 test -s "/proc/$SC_PID1/root/tmp/soak-hog-$n.started"; then
    sc_in systemctl stop "$unit" 2>/dev/null; sc_in systemctl reset-failed "$unit" 2>/dev/null
    rmdir "$v1" 2>/dev/null
    emit "{\"type\": \"episode\", \"n\": $n, \"t\": $t0, \"result\": \"invalid\", \"why\": \"the hog did not start under its limit\"}"; return
  fi
  if wait_until 60 is_gone "$unit"; then
    t1=$(now)
    # Result is final once the unit is inactive or failed (not while deactivating)
    wait_until 5 settled "$unit"
    res=$(sc_in systemctl show -P Result "$unit")
    if [ "$res" = oom-kill ]; then r=handled; else r=missed; why="ended with Result=$res, not oom-kill"; fi
  else
    t1=$(now); r=missed; why="still running after 60 s; stopped by the soak"
    sc_in systemctl stop "$unit"
  fi
  dead=$((t1 - t0))
  if ! is_active soak-bystander.service; then
    by=false; why="$why bystander: Result=$(sc_in systemctl show -P Result soak-bystander.service)"
    sc_in systemctl reset-failed soak-bystander.service 2>/dev/null; bystander
  fi
  sc_in systemctl reset-failed "$unit" 2>/dev/null
  sc_in rm -f "/tmp/soak-hog-$n.started"
  rmdir "$v1" 2>/dev/null
  emit "{\"type\": \"episode\", \"n\": $n, \"t\": $t0, \"result\": \"$r\", \"seconds_to_dead\": $dead, \"bystander_alive\": $by, \"why\": \"$why\"}"
  log "episode $n: $r in $dead s${why:+ ($why)}; bystander alive: $by"
}
settled() { case $(sc_in systemctl show -P ActiveState "$1") in inactive|failed) return 0 ;; esac; return 1; }
episodes() {
  local n=0
  RANDOM=$((SEED * 10 + 1))
  sleep 20
  while [ "$EPOCHSECONDS" -lt "$END" ]; do
    n=$((n + 1)); episode $n
    nap $((60 + RANDOM % 31))
  done
}

# --- waves of units
waves() {
  local n=0 ta tb tc left active gap
  RANDOM=$((SEED * 10 + 2))
  gap=$((MINUTES >= 20 ? 180 : 90)) 
  sleep 40
  while [ "$EPOCHSECONDS" -lt "$END" ]; do
    n=$((n + 1)); ta=$EPOCHREALTIME
    sc_in bash -c 'for i in $(seq "$1"); do
        p=(); [ $((i % 5)) = 0 ] && p=(-p ManagedOOMMemoryPressure=kill -p ManagedOOMMemoryPressureLimit=$((30 + i % 50))%)
        systemd-run --quiet --no-block --unit="soak-$i.service" --slice=soak.slice "${p[@]}" sleep infinity 2>/dev/null
      done' _ "$WAVE_UNITS"
    for _ in $(seq 120); do
      active=$(find "$(sc_host_cgroup /soak.slice)" -maxdepth 1 -name 'soak-*.service' 2>/dev/null | wc -l)
      [ "$active" -ge "$WAVE_UNITS" ] && break; sleep 0.5
    done
    tb=$EPOCHREALTIME
    log "wave $n: $active units up in $(printf '%.1f' "$(echo "$tb - $ta" | bc)") s"
    nap $((45 + RANDOM % 46))
    tc=$EPOCHREALTIME
    sc_in systemctl stop soak.slice
    left=$(find "$(sc_host_cgroup /soak.slice)" -maxdepth 1 -name 'soak-*.service' 2>/dev/null | wc -l)
    sc_in systemctl reset-failed 'soak-*.service' 2>/dev/null
    emit "{\"type\": \"wave\", \"n\": $n, \"t\": $((${ta%.*} - T0)), \"created\": $active, \"create_s\": $(printf '%.1f' "$(echo "$tb - $ta" | bc)"), \"stop_s\": $(printf '%.1f' "$(echo "$EPOCHREALTIME - $tc" | bc)"), \"left\": $left}"
    nap $((gap + RANDOM % (gap / 2 + 1)))
  done
}

# --- reload / set-property every 3-7 s
knobs() {
  local reloads=0 props=0 failed=0 i=0 pct
  RANDOM=$((SEED * 10 + 3))
  while [ "$EPOCHSECONDS" -lt "$END" ]; do
    i=$((i + 1))
    # a call that meets a dbus restart or a re-exec is tried once more, 2 s later
    if [ $((i % 2)) = 1 ]; then
      { sc_in systemctl reload unitoomd.service || { sleep 2; sc_in systemctl reload unitoomd.service; }; } 2>>"$KNOB_LOG" &&
        reloads=$((reloads + 1)) || failed=$((failed + 1))
    else
      pct=$((10 + RANDOM % 80))
      { sc_in systemctl set-property soakknob.slice "ManagedOOMMemoryPressureLimit=$pct%" ||
        { sleep 2; sc_in systemctl set-property soakknob.slice "ManagedOOMMemoryPressureLimit=$pct%"; }; } 2>>"$KNOB_LOG" &&
        props=$((props + 1)) || failed=$((failed + 1))
    fi
    [ $((i % 20)) = 0 ] && emit "{\"type\": \"knobs\", \"t\": $(now), \"reloads\": $reloads, \"set_property\": $props, \"failed\": $failed}"
    nap $((3 + RANDOM % 5))
  done
  emit "{\"type\": \"knobs\", \"t\": $(now), \"reloads\": $reloads, \"set_property\": $props, \"failed\": $failed}"
}

# --- dbus restart and manager re-exec, alternately
on_bus() { sc_in busctl --timeout=2 list --acquired --no-legend 2>/dev/null | grep -q '^org.unitoomd1 '; }
running() { [ "$(sc_in systemctl is-system-running 2>/dev/null)" = running ]; }
disrupt() {
  local kind=$1 t ta ok=true why="" onbus=null
  t=$(now); ta=$EPOCHREALTIME
  if [ "$kind" = dbus-restart ]; then
    sc_in systemctl restart dbus.service || { ok=false; why="systemctl restart dbus failed"; }
  else
    sc_in systemctl daemon-reexec || { ok=false; why="daemon-reexec failed"; }
  fi
  if wait_until 30 on_bus; then onbus=$(printf '%.1f' "$(echo "$EPOCHREALTIME - $ta" | bc)")
  else ok=false; why="$why unitoomd not on the bus after 30 s"; fi
  if ! wait_until 30 running; then
    ok=false; why="$why system $(sc_in systemctl is-system-running 2>/dev/null): $(sc_in systemctl --failed --no-legend --plain 2>/dev/null | awk '{print $1}' | tr '\n' ' ')"
  fi
  sc_in systemctl -q is-active unitoomd.service || { ok=false; why="$why unitoomd not active"; }
  emit "{\"type\": \"$kind\", \"t\": $t, \"ok\": $ok, \"unitoomd_on_bus_s\": $onbus, \"why\": \"${why# }\"}"
  log "$kind: ok=$ok${why:+ ($why)}, unitoomd on the bus after ${onbus} s"
}
disruptions() {
  local every i=0
  RANDOM=$((SEED * 10 + 4))
  every=$((MINUTES >= 30 ? 600 : 60))
  nap $((every / 2))
  while [ "$EPOCHSECONDS" -lt "$END" ]; do
    i=$((i + 1))
    if [ $((i % 2)) = 1 ]; then disrupt dbus-restart; else disrupt reexec; fi
    nap $((every * 8 / 10 + RANDOM % (every * 4 / 10)))
  done
}

sampler & SOAK_PIDS+=($!)
episodes & SOAK_PIDS+=($!)
waves & SOAK_PIDS+=($!)
knobs & SOAK_PIDS+=($!)
disruptions & SOAK_PIDS+=($!)
# Each loop stops at END after its current action; then 30 s quiet for the last samples.
for p in "${SOAK_PIDS[@]:1}"; do wait "$p"; done
log "load stopped; 30 s of quiet samples"
sleep 30
touch "$SC_DIR/soak-stop-sampler"
wait "${SOAK_PIDS[0]}"
SOAK_PIDS=()
# Wrong kills: unitoomd's kill reports of anything but the hogs
wrong=$(sc_in journalctl --no-pager -o json MESSAGE_ID=d4851d7c1cfc4499865eb091d114165e | python3 -c '
import json, sys
# a hog killed with cgroup.kill (its unit not yet followed) has no UNIT= field
print(json.dumps([e.get("UNIT") or e.get("CGROUP", "?") for e in map(json.loads, sys.stdin)
                  if not e.get("CGROUP", "").startswith("/soakhog.slice/soak-hog-")]))')
kills=$(sc_in journalctl --no-pager -o cat MESSAGE_ID=d4851d7c1cfc4499865eb091d114165e | grep -c '^Killed')
emit "{\"type\": \"final\", \"t\": $(now), \"kill_reports\": $kills, \"wrong_kills\": ${wrong:-[]}, \"n_restarts\": $(sc_in systemctl show -P NRestarts unitoomd.service)}"
sc_in journalctl -u unitoomd --no-pager -o short-monotonic | grep -v "detector group .* fired" > "${OUT%.jsonl}-unitoomd.log"
soak_summary "$OUT" | tee "${OUT%.jsonl}-summary.txt"
