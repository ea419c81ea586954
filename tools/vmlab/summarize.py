#!/usr/bin/env python3
"""Table of the VM lab's results (tools/vmlab/run.sh), per scenario and killer:
medians [min, max] in ms of hog start -> limit crossed -> decision -> unit dead,
the overhead ((decision - crossed) - duration, the systemd-oomd baseline's
yardstick), wrong, extra or missing kills, and unitoomd's ratio to systemd-oomd.

    summarize.py RESULTS.jsonl
"""
import json
import statistics
import sys
from collections import defaultdict


def ms(a, b):
    """b - a in ms; None when either was not recorded (the guest writes 0
    for a timestamp it missed, e.g. a unit that never died)."""
    if not a or not b:
        return None
    return (b - a) / 1000.0


def cell(values):
    v = [x for x in values if x is not None]
    if not v:
        return "-", None
    med = statistics.median(v)
    return "%d [%d, %d]" % (med, min(v), max(v)), med


def print_idle(idle):
    """Idle cost per killer and number of followed units: medians. PSS is
    split into anonymous (the daemon's own) and file (code: page cache that
    other processes mapping the same libraries share) where recorded."""
    print("| idle, 60 s | killer | runs | units taken in after s | wake-ups/min | CPU ms | PSS KiB | anon | file |")
    print("|---|---|---|---|---|---|---|---|---|")
    med = {}
    def part(rs, key):
        v = [r[key] for r in rs if key in r]
        return "%d" % statistics.median(v) if v else "-"
    for (units, killer), rs in sorted(idle.items()):
        w = statistics.median(r["wakeups"] * 60 / r["seconds"] for r in rs)
        c = statistics.median(r["cpu_ms"] for r in rs)
        p = statistics.median(r["pss_kib"] for r in rs)
        med[(units, killer)] = (w, c, p)
        settled = [r["settled_s"] for r in rs if "settled_s" in r and units]
        taken = "-" if not settled else ("never (180)" if min(settled) < 0 else "%d" % statistics.median(settled))
        print("| %d units | %s | %d | %s | %.0f | %d | %d | %s | %s |" % (units, killer, len(rs), taken, w, c, p,
                                                                  part(rs, "pss_anon_kib"), part(rs, "pss_file_kib")))
    print()
    for units in sorted({u for u, _ in idle}):
        u, o = med.get((units, "unitoomd")), med.get((units, "systemd-oomd"))
        if u and o:
            print("idle, %d units: unitoomd / systemd-oomd: wake-ups %.2f, CPU %s, PSS %.2f" % (
                units, u[0] / o[0] if o[0] else float("nan"), "%.3f" % (u[1] / o[1]) if o[1] else "n/a (0 ms)", u[2] / o[2]))
    print()


COSTS = [("killer_cpu_ms", "killer CPU ms"), ("killer_wakeups", "killer wake-ups"),
         ("killer_majflt", "killer major faults"), ("killer_run_delay_ms", "killer run delay ms"),
         ("psimon_threads", "psimon threads"), ("psimon_cpu_ms", "psimon CPU ms"),
         ("kswapd_cpu_ms", "kswapd CPU ms"), ("pid1_cpu_ms", "PID 1 CPU ms"), ("pid1_majflt", "PID 1 major faults")]


def print_costs(runs):
    """Where the time went, for runs that recorded it (the swap scenario):
    decision -> dead, and medians [min, max] of what the killer, psimon,
    kswapd and PID 1 spent while the hog filled swap (start -> crossing)
    and while it was killed (crossing -> dead)."""
    keyed = {k: rs for k, rs in sorted(runs.items()) if any("fill_killer_cpu_ms" in r for r in rs)}
    if not keyed:
        return
    print("| scenario | killer | decision->dead | phase | " + " | ".join(t for _, t in COSTS) + " |")
    print("|---|---|---|---|" + "---|" * len(COSTS))
    for (scenario, killer), rs in keyed.items():
        rs = [r for r in rs if "fill_killer_cpu_ms" in r]
        dd = cell([ms(r["decision"], r["unit_dead"]) for r in rs])[0]
        for phase in ("fill", "kill"):
            # a run that never crossed (the hog hit its RuntimeMaxSec) has no kill phase
            ph = rs if phase == "fill" else [r for r in rs if r.get("limit_crossed")]
            cells = [cell([r.get(phase + "_" + k) for r in ph])[0] for k, _ in COSTS]
            print("| %s | %s | %s | %s | %s |" % (scenario, killer, dd if phase == "fill" else "", phase, " | ".join(cells)))
    print()


def print_kill_path(runs):
    """Where unitoomd's decision -> dead went, from its kill report: the
    signal went out at report - time to death (decision -> signal: the call
    to systemd), the report came when it saw the cgroup empty, and dead is
    the scenario's (systemd's InactiveEnter, or the cgroup emptied when the
    manager was stalled)."""
    keyed = {k: rs for k, rs in sorted(runs.items()) if any(r.get("killer_report") for r in rs)}
    if not keyed:
        return
    print("| scenario | killer | runs | decision->dead | decision->signal | signal->empty seen | empty seen->dead |")
    print("|---|---|---|---|---|---|---|")
    for (scenario, killer), rs in keyed.items():
        rs = [r for r in rs if r.get("killer_report")]
        # the daemon's own clock where the report carries it (killer_signalled):
        # journald's stamp of the report lags under pressure
        signal = [r.get("killer_signalled") or r["killer_report"] - r["killer_time_to_death_us"] for r in rs]
        seen = [t + r["killer_time_to_death_us"] if r.get("killer_signalled") else r["killer_report"] for r, t in zip(rs, signal)]
        print("| %s | %s | %d | %s | %s | %s | %s |" % (
            scenario, killer, len(rs), cell([ms(r["decision"], r["unit_dead"]) for r in rs])[0],
            cell([ms(r["decision"], t) for r, t in zip(rs, signal)])[0], cell([r["killer_time_to_death_us"] / 1000.0 for r in rs])[0],
            cell([ms(t, r["unit_dead"]) for r, t in zip(rs, seen)])[0]))
    print()


def print_stalled(runs):
    """Runs with a manager frozen (the stalled scenarios): when the hog's
    cgroup emptied ("dead" there), measured from the physical limit (limit
    crossed + duration) and from the decision; the unit's result after the
    thaw; whether the stall was real (the frozen cgroup said so and a call
    went unanswered) and the killer itself ran."""
    keyed = {k: rs for k, rs in sorted(runs.items()) if any("stalled" in r for r in rs)}
    if not keyed:
        return
    print("| scenario | killer | stalled | runs | (cross + duration)->empty | decision->empty | start->empty | "
          "oom-kill after thaw | stall real | killer frozen | bystander alive |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for (scenario, killer), rs in keyed.items():
        late = [None if ms(r["limit_crossed"], r["unit_dead"]) is None else ms(r["limit_crossed"], r["unit_dead"]) - r["duration_ms"]
                for r in rs]
        print("| %s | %s | %s | %d | %s | %s | %s | %d | %d | %d | %d |" % (
            scenario, killer, rs[0]["stalled"], len(rs), cell(late)[0], cell([ms(r["decision"], r["unit_dead"]) for r in rs])[0],
            cell([ms(r["generator_start"], r["unit_dead"]) for r in rs])[0], sum(r["result"] == "oom-kill" for r in rs),
            sum(r["stall_frozen"] and not r["stall_answered"] for r in rs), sum(r["killer_frozen"] for r in rs),
            sum(r["bystander_alive"] for r in rs)))
    print()


def main():
    runs = defaultdict(list)
    idle = defaultdict(list)
    for line in open(sys.argv[1]):
        if line.strip():
            r = json.loads(line)
            if r["scenario"] == "idle":
                idle[(r["units"], r["killer"])].append(r)
            else:
                runs[(r["scenario"], r["killer"])].append(r)
    if idle:
        print_idle(idle)
    if not runs:
        return
    medians = {}
    print("| scenario | killer | runs (oom-kill) | start->cross | cross->decision | overhead | start->dead | wrong/missing |")
    print("|---|---|---|---|---|---|---|---|")
    for (scenario, killer), rs in sorted(runs.items()):
        cols = {
            "start->cross": [ms(r["generator_start"], r["limit_crossed"]) for r in rs],
            "cross->decision": [ms(r["limit_crossed"], r["decision"]) for r in rs],
            "overhead": [None if ms(r["limit_crossed"], r["decision"]) is None else ms(r["limit_crossed"], r["decision"]) - r["duration_ms"] for r in rs],
            "start->dead": [ms(r["generator_start"], r["unit_dead"]) for r in rs],
        }
        cells = {}
        for k, v in cols.items():
            cells[k], medians[(scenario, killer, k)] = cell(v)
        killed = sum(1 for r in rs if r["result"] == "oom-kill")
        if rs[0].get("no_kill_expected"):  # a healthy unit: any kill is wrong
            wrong = sum(1 for r in rs if r["result"] != "success")
        else:
            wrong = sum(1 for r in rs if not r["bystander_alive"]) + (len(rs) - killed) + sum(r.get("extra_kills", 0) for r in rs)
        print("| %s | %s | %d (%d) | %s | %s | %s | %s | %d |" % (scenario, killer, len(rs), killed, cells["start->cross"],
              cells["cross->decision"], cells["overhead"], cells["start->dead"], wrong))
    print()
    for scenario in sorted({s for s, _ in runs}):
        for k in ("overhead", "start->dead"):
            u, o = medians.get((scenario, "unitoomd", k)), medians.get((scenario, "systemd-oomd", k))
            if u is not None and o:
                print("%s %s: unitoomd / systemd-oomd = %.2f (%d ms / %d ms)" % (scenario, k, u / o, u, o))
    print()
    print_costs(runs)
    print_kill_path(runs)
    print_stalled(runs)


if __name__ == "__main__":
    main()
