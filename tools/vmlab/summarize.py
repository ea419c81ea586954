#!/usr/bin/env python3
"""Table of the VM lab's results (tools/vmlab/run.sh), per scenario and killer:
medians [min, max] in ms of hog start -> limit crossed -> decision -> unit dead,
the overhead ((decision - crossed) - duration, the systemd-oomd baseline's
yardstick), wrong or missing kills, and unitoomd's ratio to systemd-oomd.

    summarize.py RESULTS.jsonl
"""
import json
import statistics
import sys
from collections import defaultdict


def ms(a, b):
    return None if a is None or b is None else (b - a) / 1000.0


def cell(values):
    v = [x for x in values if x is not None]
    if not v:
        return "-", None
    med = statistics.median(v)
    return "%d [%d, %d]" % (med, min(v), max(v)), med


def main():
    runs = defaultdict(list)
    for line in open(sys.argv[1]):
        if line.strip():
            r = json.loads(line)
            runs[(r["scenario"], r["killer"])].append(r)
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
        wrong = sum(1 for r in rs if not r["bystander_alive"]) + (len(rs) - killed)
        print("| %s | %s | %d (%d) | %s | %s | %s | %s | %d |" % (scenario, killer, len(rs), killed, cells["start->cross"],
              cells["cross->decision"], cells["overhead"], cells["start->dead"], wrong))
    print()
    for scenario in sorted({s for s, _ in runs}):
        for k in ("overhead", "start->dead"):
            u, o = medians.get((scenario, "unitoomd", k)), medians.get((scenario, "systemd-oomd", k))
            if u is not None and o:
                print("%s %s: unitoomd / systemd-oomd = %.2f (%d ms / %d ms)" % (scenario, k, u / o, u, o))


if __name__ == "__main__":
    main()
