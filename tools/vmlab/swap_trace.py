#!/usr/bin/env python3
"""Per swap run of a vmlab console log (VMLAB_APPEND=vmlab.debug=1): when the
hog got its signal (unitoomd: its report's own stamp; killer none: the
scenario's kill; systemd-oomd: its journal line, which comes after its kill),
what the hog held just before (the guest's 50 ms trace: VmRSS, VmSwap, its
cgroup's memory.current, memory.swap.current, memory.high, kernel stack),
when a process first showed an exit stack, when its cgroup emptied.

    swap_trace.py CONSOLE_LOG
"""
import json, re, sys
log = open(sys.argv[1], errors="replace").read()
results = [json.loads(m) for m in re.findall(r"VMLAB-RESULT (\{.*\})", log)]
floor = {}
for m in re.finditer(r"VMLAB-FLOOR at kill (\d+): (.*)", log):
    floor.setdefault(int(m.group(1)), []).append(m.group(2))
traces = {}
for m in re.finditer(r"VMLAB-TRACE swap (\d+) (\S+) (\d+) (.*)", log):
    traces.setdefault((int(m.group(1)), m.group(2)), []).append((int(m.group(3)), m.group(4)))
EXIT = re.compile(r"do_exit|exit_mmap|unmap_|do_group_exit|get_signal|release_pages|free_swap|swap_free|zap_")
for r in results:
    if r.get("scenario") != "swap":
        continue
    k, n = r["killer"], r["run"]
    dec = r.get("decision"); sig = r.get("killer_signalled"); sent = r.get("killer_line_sent"); dead = r.get("unit_dead")
    if k == "none":
        sig = dec
    tr = traces.get((n, k), [])
    empty = next((t for t, l in tr if l.startswith("empty")), None)
    ref = sig or sent or dec
    before = [(t, l) for t, l in tr if l.startswith("pid") and ref and t <= ref]
    last = {}
    for t, l in before:
        last[l.split()[1]] = (t, l)
    first_exit = next((t for t, l in tr if l.startswith("pid") and ref and t >= ref - 500000 and EXIT.search(l.split()[-1])), None)
    f = lambda a, b: "%6.0f" % ((b - a) / 1000) if a and b else "     -"
    print("run %d %-18s cross->dec %s dec->sig %s sig->line %s sig->exitstack %s sig->empty %s sig->dead %s dec->dead %s" % (
        n, k, f(r.get("limit_crossed"), dec), f(dec, sig), f(sig, sent), f(ref, first_exit), f(ref, empty), f(ref, dead), f(dec, dead)))
    for pid, (t, l) in sorted(last.items()):
        print("    at %s ms before ref: %s" % (f(t, ref), l))
    if k == "none":
        for t, ls in floor.items():
            if dec and abs(t - dec) < 1000:
                for l in ls:
                    print("    floor:", l)
