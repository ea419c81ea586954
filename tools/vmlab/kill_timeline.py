#!/usr/bin/env python3
"""Where each kill's time went, per run, from the kernel's signal trace
(the guest's sigtrace_fields): decision -> SIGKILL sent and by whom,
SIGKILL -> taken by the hog's last process, -> its last process exited (its
memory torn down), -> unit dead (for the stalled scenarios: cgroup empty);
then medians [min, max] (count) per scenario and killer.

    kill_timeline.py RESULTS.jsonl...
"""
import json, statistics, sys
from collections import defaultdict
rows = defaultdict(lambda: defaultdict(list))
for path in sys.argv[1:]:
    for line in open(path):
        r = json.loads(line)
        k = r["killer"]
        d = lambda a, b: (r[b] - r[a]) / 1000 if r.get(a) and r.get(b) else None
        vals = {
            "cross->decision": d("limit_crossed", "decision"),
            "decision->SIGKILL": d("decision", "sig_first"),
            "cross->SIGKILL": d("limit_crossed", "sig_first"),
            "SIGKILL->taken": d("sig_first", "sig_delivered_last"),
            "SIGKILL->exited": d("sig_first", "hog_exited_last"),
            "SIGKILL->dead": d("sig_first", "unit_dead"),
            "decision->dead": d("decision", "unit_dead"),
            "cross->dead": d("limit_crossed", "unit_dead"),
            "start->dead": d("generator_start", "unit_dead"),
        }
        if r["scenario"] in ("stalled", "stalleddbus"):
            vals["SIGKILL->empty"] = d("sig_first", "unit_dead")
            vals["(cross+duration)->empty"] = (vals["cross->dead"] - r["duration_ms"]) if vals["cross->dead"] is not None else None
        print("%s %s run %d sender=%s %s" % (r["scenario"], k, r["run"], r.get("sig_sender"), " ".join("%s=%s" % (a, "%.0f" % v if v is not None else "-") for a, v in vals.items())))
        for a, v in vals.items():
            if v is not None:
                rows[(r["scenario"], k)][a].append(v)
print()
for (s, k), cols in sorted(rows.items()):
    print("| %s | %s | %s |" % (s, k, " | ".join("%s %d [%d, %d] (%d)" % (a, statistics.median(v), min(v), max(v), len(v)) for a, v in cols.items())))
