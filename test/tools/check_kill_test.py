#!/usr/bin/env python3
"""tools/vmlab/check_kill.py: the swap hog taken by either of -.slice's
rulesets, before the yardstick's crossing or after it, passes; a wrong
victim, a wrong ruleset, a kill with no reason or a dead filler fails."""
import json
import subprocess
import sys
import tempfile

check = sys.argv[1]
pressure = {"scenario": "pressure", "result": "oom-kill", "bystander_alive": True, "generator_start": 30_000_000,
            "limit_crossed": 32_000_000, "decision": 34_000_000, "unit_dead": 34_200_000}
swap = {"scenario": "swap", "result": "oom-kill", "bystander_alive": True, "extra_kills": 0, "generator_start": 96_000_000,
        "limit_crossed": 112_000_000, "decision": 112_100_000, "unit_dead": 113_100_000, "fill_killer_wakeups": 60}
hog = ("VMLAB-LOG Killed hog.service (/system.slice/hog.service) with KillUnit(all, SIGKILL), gone 146ms after the signal: "
       "memory full pressure of /system.slice/hog.service 53.9% > 5% for 2.0s (1s window) (ruleset "
       "'hog.service/ManagedOOMMemoryPressure': Memory pressure in hog.service above 5% ...)")
by_swap = ("VMLAB-LOG Killed hogB.service (/system.slice/hogB.service) with cgroup.kill (systemd did not answer KillUnit "
           "within 300ms), gone 623ms after the signal: swap free 9.1% (46.5 MiB of 512.0 MiB) < 10%; memory use of / "
           "1.9 GiB > 1.7 GiB for 13.8s (ruleset '-.slice/ManagedOOMSwap': Memory and swap both more than 90% used ...)")
by_exhaustion = ("VMLAB-LOG Killed hogB.service (/system.slice/hogB.service) with KillUnit(all, SIGKILL), gone 2.5s after "
                 "the signal: memory runs out in 6.1s at 12.0 MiB/s, free swap 94.0 MiB under its reserve (ruleset "
                 "'-.slice/MemoryExhaustion': No usable swap and memory predicted to run out ...)")


def run(runs, console):
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl") as r, tempfile.NamedTemporaryFile("w", suffix=".log") as c:
        r.write("\n".join(json.dumps(x) for x in runs) + "\n")
        c.write("\n".join(["vmlab: boot"] + console) + "\n")
        r.flush()
        c.flush()
        p = subprocess.run([sys.executable, check, r.name, c.name], capture_output=True, text=True)
    return p.returncode, p.stdout


def passes(name, runs, console):
    rc, out = run(runs, console)
    assert rc == 0, "%s: should pass\n%s" % (name, out)


def fails(name, runs, console, why):
    rc, out = run(runs, console)
    assert rc == 1 and why in out, "%s: should fail with %r\n%s" % (name, why, out)


passes("the swap rule after the crossing", [pressure, swap], [hog, by_swap])
# the flaky case: the exhaustion rule took hogB before swap reached 90 %,
# so the guest recorded no crossing; its whole run counts as the fill
passes("the exhaustion rule before the crossing", [pressure, dict(swap, limit_crossed=None)], [hog, by_exhaustion])
fails("the filler killed", [pressure, dict(swap, bystander_alive=False, extra_kills=1)], [hog, by_swap], "the bystander died")
fails("hogB killed by another ruleset", [pressure, swap], [hog, by_swap.replace("-.slice/ManagedOOMSwap", "hog.service/ManagedOOMMemoryPressure")],
      "not one of -.slice/ManagedOOMSwap")
fails("no reason stated", [pressure, swap], [hog, by_swap.split(": swap free")[0] + ": rules fired (ruleset '-.slice/ManagedOOMSwap': x)"],
      "states no reason")
fails("no report of hogB at all", [pressure, swap], [hog], "no kill report of hogB.service")
fails("hogB not oom-kill", [pressure, dict(swap, result="timeout")], [hog, by_swap], "ended with timeout")
fails("sampling 4 times a second while swap fills", [pressure, dict(swap, fill_killer_wakeups=400)], [hog, by_swap],
      "woke 400 times")
print("PASS")
