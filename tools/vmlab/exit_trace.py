#!/usr/bin/env python3
"""Where the swap hog's death went, run by run, from what
`VMLAB_COLLECT=DIR VMLAB_APPEND=vmlab.exittrace=1 tools/vmlab/run.sh ... swap`
brought back: the guest's kernel trace from the crossing on (task switches
and wake-ups on both vCPUs, why a task slept), the swap levels every 100 ms,
and what the host gave QEMU's vCPU threads (host_sampler.py).

    exit_trace.py RESULTS.jsonl DIR

Per run, for the exit (the first SIGKILL to the hog -> its last process
exited): how full swap was at the signal; what ran on each vCPU (the hog,
the killer, PID 1, kswapd, ..., idle); the hog's processes running,
waiting for a CPU, and asleep (where, by the kernel's sched_blocked_reason);
block I/O; and the host CPU QEMU's vCPU threads got meanwhile. For the fill
(hog start -> crossing): the host CPU the vCPUs got, the host's other load,
and the hog's own CPU. Then medians per killer.
"""
import json, os, re, statistics, sys
from collections import defaultdict

LINE = re.compile(r"\s*(.+?)-(\d+)\s+\[(\d+)\]\s+\S+\s+([\d.]+): (\w+): (.*)")
FIELD = re.compile(r"(\w+)=(\S+)")


def group(comm, pid, killer_comms):
    if comm.startswith("stress-ng"):
        return "hog"  # and the filler (a stress-ng too, spinning beside it)
    if comm.startswith("swapper") or pid == 0:
        return "idle"
    if pid == 1:
        return "pid1"
    for c in killer_comms:
        if comm.startswith(c):
            return "killer"
    for prefix in ("kswapd", "psimon", "kworker", "systemd-journal", "python3", "systemctl", "dbus-daemon", "ksoftirqd", "rcu"):
        if comm.startswith(prefix):
            return prefix
    return "other"


STACK = re.compile(r"\s*(.+?)-(\d+)\s+\[(\d+)\]\s+\S+\s+([\d.]+): <stack trace>")
# frames that say a task is switching, not why
NOT_WHY = re.compile(r"^(trace_|__traceiter|__schedule|schedule|io_schedule|preempt_schedule|__cond_resched|_cond_resched)")


def parse_trace(path):
    """(time us, cpu, comm, pid, event, fields) in time order; a kernel
    stack (the guest's trigger on the hog's sleeps) is an event "stack"
    whose fields hold "why": its first frames below the scheduler."""
    events, stack = [], None
    for line in open(path, errors="replace"):
        if line.startswith(" => "):
            if stack is not None and len(stack[5]["frames"]) < 4:
                frame = line[4:].strip().split("+")[0]
                if not NOT_WHY.match(frame):
                    stack[5]["frames"].append(frame)
            continue
        m = STACK.match(line)
        if m:
            stack = (int(float(m.group(4)) * 1e6), int(m.group(3)), m.group(1).strip(), int(m.group(2)), "stack", {"frames": []})
            events.append(stack)
            continue
        m = LINE.match(line)
        if m:
            events.append((int(float(m.group(4)) * 1e6), int(m.group(3)), m.group(1).strip(), int(m.group(2)), m.group(5),
                           dict(FIELD.findall(m.group(6).replace(" ==> ", " ")))))
    events.sort(key=lambda e: e[0])
    return events


def exit_account(events, start, end, killer_comms):
    """CPU by group on each vCPU over [start, end]; the hog's processes'
    running, waiting-to-run and sleeping time, and where they slept."""
    busy = defaultdict(lambda: defaultdict(int))  # cpu -> group -> us
    running = {}  # cpu -> (group, since, pid, comm)
    hog = defaultdict(lambda: defaultdict(int))  # pid -> state -> us
    hog_state = {}  # pid -> (state, since)
    slept_at = defaultdict(int)  # caller -> us (hog)
    pending_sleep = {}  # pid -> since (asleep)
    io = defaultdict(int)
    reclaim = 0
    clip = lambda t: min(max(t, start), end)
    for t, cpu, comm, pid, ev, f in events:
        if ev == "sched_switch":
            prev, nxt = (f.get("prev_comm", ""), int(f.get("prev_pid", -1))), (f.get("next_comm", ""), int(f.get("next_pid", -1)))
            if cpu in running:
                g, since, _, _ = running[cpu]
                busy[cpu][g] += clip(t) - clip(since)
            else:
                busy[cpu][group(prev[0], prev[1], killer_comms)] += clip(t) - start if t > start else 0
            running[cpu] = (group(nxt[0], nxt[1], killer_comms), t, nxt[1], nxt[0])
            if prev[0].startswith("stress-ng"):
                st = f.get("prev_state", "R")
                was = hog_state.get(prev[1], ("run", start))
                hog[prev[1]][was[0]] += clip(t) - clip(was[1])
                state = "wait-cpu" if st.startswith("R") else ("exited" if st[0] in "XZ" else "asleep-" + st)
                hog_state[prev[1]] = (state, t)
                if state.startswith("asleep"):
                    pending_sleep[prev[1]] = (t, cpu, None)
            if nxt[0].startswith("stress-ng"):
                was = hog_state.get(nxt[1], ("wait-cpu", start))
                hog[nxt[1]][was[0]] += clip(t) - clip(was[1])
                hog_state[nxt[1]] = ("run", t)
        elif ev in ("sched_wakeup", "sched_wakeup_new") and f.get("comm", "").startswith("stress-ng"):
            p = int(f.get("pid", -1))
            was = hog_state.get(p)
            if was and was[0].startswith("asleep"):
                hog[p][was[0]] += clip(t) - clip(was[1])
                hog_state[p] = ("wait-cpu", t)
            if p in pending_sleep:
                since, _, why = pending_sleep.pop(p)
                slept_at[why or "?"] += clip(t) - clip(since)
        elif ev == "stack" and pid in pending_sleep and pending_sleep[pid][2] is None:
            since, c, _ = pending_sleep[pid]
            pending_sleep[pid] = (since, c, " < ".join(f["frames"][:3]) or "?")
        elif ev in ("block_rq_issue", "block_rq_complete") and start <= t <= end:
            io[ev] += 1
        elif ev == "mm_vmscan_memcg_reclaim_begin" and comm.startswith("stress-ng") and start <= t <= end:
            reclaim += 1
    for cpu, (g, since, _, _) in running.items():
        busy[cpu][g] += end - clip(since)
    for p, (state, since) in hog_state.items():
        hog[p][state] += end - clip(since)
    # the filler is a stress-ng too, and lives on: the hog is what exited
    exited = {pid for t, cpu, comm, pid, ev, f in events if ev == "sched_process_exit" and start <= t <= end}
    for p in list(hog):
        if p not in exited:
            hog.pop(p)
    return busy, hog, slept_at, io, reclaim


def host_samples(path):
    syncs, cpu = [], []
    for line in open(path):
        f = line.split()
        if f[0] == "sync":
            syncs.append(int(f[1]) - int(f[2]))
        elif f[0] == "cpu":
            threads = {k: int(v) for k, v in (kv.rsplit("=", 1) for kv in f[5:])}
            # QEMU names its vCPU threads (CPU_0/TCG) only with -name debug-threads=on;
            # else all of QEMU counts (its vCPUs are nearly all of it)
            per = {k: v for k, v in threads.items() if k.startswith("CPU_")} or threads
            vcpus = sum(per.values())
            cpu.append((int(f[1]), int(f[2]), int(f[3]), float(f[4]), vcpus, per))
    return (min(syncs) if syncs else None), cpu


def host_over(cpu, offset, a, b):
    """What the host did over guest [a, b] (CLOCK_MONOTONIC us): QEMU's
    vCPU threads' CPU (ms), per vCPU, the host's busy CPUs outside them,
    the mean load."""
    if offset is None or not a or not b:
        return None
    ha, hb = a + offset, b + offset
    before = [s for s in cpu if s[0] <= ha]
    after = [s for s in cpu if s[0] >= hb]
    inside = [s for s in cpu if ha <= s[0] <= hb]
    if not before or not after:
        return None
    s0, s1 = before[-1], after[0]
    wall = (s1[0] - s0[0]) / 1e6
    tick = 100.0
    host_busy = (s1[1] - s0[1]) / tick
    vcpu_s = (s1[4] - s0[4]) / 1e9
    return {"wall_s": wall, "vcpu_ms": vcpu_s * 1000, "per_vcpu_ms": {k: (s1[5].get(k, 0) - s0[5].get(k, 0)) / 1e6 for k in s1[5]},
            "others_cpus": max(0.0, (host_busy - vcpu_s) / wall), "load": statistics.mean(s[3] for s in (inside or [s0, s1]))}


def levels_at(path, t):
    last = None
    if not os.path.exists(path):
        return None
    for line in open(path):
        f = line.split()
        if int(f[0]) > t:
            break
        last = dict(kv.split("=") for kv in f[1:])
    return last


def main():
    results, d = sys.argv[1], sys.argv[2]
    offset, cpu = host_samples(os.path.join(d, "host.txt")) if os.path.exists(os.path.join(d, "host.txt")) else (None, [])
    per_killer = defaultdict(lambda: defaultdict(list))
    for line in open(results):
        r = json.loads(line)
        if r.get("scenario") != "swap":
            continue
        k, n = r["killer"], r["run"]
        fill = host_over(cpu, offset, r["generator_start"], r["limit_crossed"])
        fill_s = (r["limit_crossed"] - r["generator_start"]) / 1e6 if r.get("limit_crossed") else None
        print("run %d %s: fill %.1f s, hog CPU in it %s ms" % (n, k, fill_s or 0, r.get("fill_hog_cpu_ms")), end="")
        if fill:
            print(", vCPUs got %.1f s of host CPU (%.2f of 2 CPUs), others on the host %.2f CPUs, load %.1f" % (
                fill["vcpu_ms"] / 1000, fill["vcpu_ms"] / 1000 / fill["wall_s"] / 2, fill["others_cpus"], fill["load"]))
            per_killer[k]["fill host CPU s"].append(fill["vcpu_ms"] / 1000)
            per_killer[k]["fill host others CPUs"].append(fill["others_cpus"])
            per_killer[k]["fill vCPU share"].append(fill["vcpu_ms"] / 1000 / fill["wall_s"] / 2)
        else:
            print()
        if fill_s:
            per_killer[k]["fill s"].append(fill_s)
        if r.get("fill_hog_cpu_ms") is not None:
            per_killer[k]["fill hog CPU s"].append(r["fill_hog_cpu_ms"] / 1000)
        if r.get("fill_killer_cpu_ms") is not None:
            per_killer[k]["fill killer CPU ms"].append(r["fill_killer_cpu_ms"])
            per_killer[k]["fill psimon CPU ms"].append(r.get("fill_psimon_cpu_ms", 0))
            per_killer[k]["fill killer wake-ups"].append(r.get("fill_killer_wakeups", 0))
        sig, gone = r.get("sig_first"), r.get("hog_exited_last")
        if not sig or not gone:
            print("  no signal/exit in the trace")
            continue
        exit_ms = (gone - sig) / 1000
        per_killer[k]["SIGKILL->exited ms"].append(exit_ms)
        lv = levels_at(os.path.join(d, "swap-%d-%s.levels" % (n, k)), sig)
        if lv:
            print("  at the signal: swap used %d MiB, hog %d MiB in RAM, %d MiB in swap" % (
                int(lv["swap_used_kib"]) >> 10, int(lv["hog_current"] or 0) >> 20, int(lv["hog_swap"] or 0) >> 20))
            per_killer[k]["hog swap at signal MiB"].append(int(lv["hog_swap"] or 0) >> 20)
        ex = host_over(cpu, offset, sig, gone)
        if ex:
            print("  exit %.0f ms: QEMU got %.0f ms of host CPU (%s), others on the host %.2f CPUs, load %.1f" % (
                exit_ms, ex["vcpu_ms"], ", ".join("%s %.0f" % (c, v) for c, v in sorted(ex["per_vcpu_ms"].items()) if v >= 5),
                ex["others_cpus"], ex["load"]))
            per_killer[k]["exit host vCPU ms"].append(ex["vcpu_ms"])
        trace = os.path.join(d, "swap-%d-%s.trace" % (n, k))
        if not os.path.exists(trace):
            print("  exit %.0f ms (no trace)" % exit_ms)
            continue
        comms = ["unitoomd"] if k.startswith("unitoomd") else (["systemd-oomd"] if k == "systemd-oomd" else [])
        busy, hog, slept, io, reclaim = exit_account(parse_trace(trace), sig, gone, comms)
        for c in sorted(busy):
            tot = sum(busy[c].values()) or 1
            print("  vCPU %d: %s" % (c, ", ".join("%s %.0f" % (g, v / 1000) for g, v in sorted(busy[c].items(), key=lambda x: -x[1]) if v >= 5000)))
        for g in ("hog", "killer", "pid1", "dbus-daemon", "idle", "kswapd", "python3", "systemctl"):
            per_killer[k]["exit %s ms (both vCPUs)" % g].append(sum(busy[c].get(g, 0) for c in busy) / 1000)
        for p, st in sorted(hog.items()):
            st.pop("exited", None)
            print("  hog pid %d: %s" % (p, ", ".join("%s %.0f" % (s, v / 1000) for s, v in sorted(st.items(), key=lambda x: -x[1]) if v)))
        worker = max(hog.items(), key=lambda kv: sum(kv[1].values()), default=(None, {}))[1]
        per_killer[k]["exit hog running ms (max)"].append(max((st.get("run", 0) for st in hog.values()), default=0) / 1000)
        per_killer[k]["exit hog waiting for a CPU ms (max)"].append(max((st.get("wait-cpu", 0) for st in hog.values()), default=0) / 1000)
        asleep = max((sum(v for s, v in st.items() if s.startswith("asleep")) for st in hog.values()), default=0)
        per_killer[k]["exit hog asleep ms (max)"].append(asleep / 1000)
        if slept:
            print("  hog slept at: %s" % ", ".join("%s %.0f" % (c, v / 1000) for c, v in sorted(slept.items(), key=lambda x: -x[1])[:6]))
        print("  block I/O issued %d, completed %d; hog reclaim passes %d" % (io["block_rq_issue"], io["block_rq_complete"], reclaim))
    print()
    for k, cols in sorted(per_killer.items()):
        print("%s:" % k)
        for name, v in cols.items():
            print("  %-36s %s (%d)" % (name, "%.2f [%.2f, %.2f]" % (statistics.median(v), min(v), max(v)) if v else "-", len(v)))


if __name__ == "__main__":
    main()
