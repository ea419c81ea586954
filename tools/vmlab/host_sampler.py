#!/usr/bin/env python3
"""What the host gave the lab VM, beside its serial console: every 200 ms
the CPU time of each QEMU thread (its vCPUs by name), the host's busy and
total CPU time and load; and every VMLAB-SYNC mark the guest writes on its
console, stamped with the host's clock as it is read (every 20 ms), which
maps the guest's CLOCK_MONOTONIC onto these samples (exit_trace.py).

    host_sampler.py QEMU_PID CONSOLE_LOG OUT

Lines: "sync HOST_US GUEST_US"; "cpu HOST_US BUSY_TICKS TOTAL_TICKS LOAD1
NAME=RUNTIME_NS ..." (per QEMU thread, from schedstat). Ends with QEMU.
"""
import os, sys, time

pid, log, out = int(sys.argv[1]), sys.argv[2], open(sys.argv[3], "w", buffering=1)
now_us = lambda: int(time.monotonic() * 1e6)


def threads():
    res = {}
    for tid in os.listdir("/proc/%d/task" % pid):
        try:
            name = open("/proc/%d/task/%s/comm" % (pid, tid)).read().strip().replace(" ", "_")
            run_ns = int(open("/proc/%d/task/%s/schedstat" % (pid, tid)).read().split()[0])
        except OSError:
            continue
        res[name + ":" + tid if not name.startswith("CPU") else name] = run_ns
    return res


pos, partial, next_cpu = 0, b"", 0
while os.path.exists("/proc/%d" % pid):
    try:
        with open(log, "rb") as f:
            f.seek(pos)
            data = f.read()
            pos += len(data)
    except OSError:
        data = b""
    stamp = now_us()
    lines = (partial + data).split(b"\n")
    partial = lines.pop()
    for line in lines:
        i = line.find(b"VMLAB-SYNC ")
        if i >= 0:
            out.write("sync %d %s\n" % (stamp, line[i + 11:].split()[0].decode()))
    if stamp >= next_cpu:
        next_cpu = stamp + 200000
        try:
            f = open("/proc/stat").readline().split()[1:]
            busy, total = sum(int(x) for i, x in enumerate(f) if i not in (3, 4)), sum(int(x) for x in f)
            load = open("/proc/loadavg").read().split()[0]
            out.write("cpu %d %d %d %s %s\n" % (stamp, busy, total, load, " ".join("%s=%d" % kv for kv in sorted(threads().items()))))
        except OSError:
            break
    time.sleep(0.02)
