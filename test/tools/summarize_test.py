#!/usr/bin/env python3
"""tools/vmlab/summarize.py: a timestamp the guest missed (written as 0) is
no figure, not a negative one."""
import json
import subprocess
import sys
import tempfile

summarize = sys.argv[1]
base = {"scenario": "pressure", "duration_ms": 2000, "result": "oom-kill", "bystander_alive": True,
        "generator_start": 10_000_000, "limit_crossed": 11_000_000, "decision": 13_100_000}
runs = [dict(base, killer="unitoomd", unit_dead=13_200_000), dict(base, killer="unitoomd", unit_dead=0),
        dict(base, killer="systemd-oomd", unit_dead=15_000_000)]
with tempfile.NamedTemporaryFile("w", suffix=".jsonl") as f:
    f.write("\n".join(json.dumps(r) for r in runs) + "\n")
    f.flush()
    out = subprocess.run([sys.executable, summarize, f.name], check=True, capture_output=True, text=True).stdout
print(out)
# the run without a death time is left out: the median is the one real run's 3200 ms
assert "start->dead: unitoomd / systemd-oomd = 0.64 (3200 ms / 5000 ms)" in out, out
print("PASS")
