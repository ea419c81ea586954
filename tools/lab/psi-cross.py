#!/usr/bin/env python3
"""When did a cgroup's memory stall cross a limit? The yardstick of the
systemd-oomd baseline (shared/reference/systemd-oomd-baseline.md), so that
figures compare: the cgroup's memory.pressure `full total=` counter is sampled
every 100 ms on absolute CLOCK_MONOTONIC ticks; t_cross is the end of the first
1 s window whose full-stall fraction exceeds the limit.

    psi-cross.py [--wait-for-file] PRESSURE_FILE LIMIT_PCT OUT_FILE [MAX_SECONDS]

Writes `limit_crossed_usec=<CLOCK_MONOTONIC microseconds>` to OUT_FILE as soon as
it is known (and `first_stall_usec=` before it), then keeps quiet. Ends at the
crossing, when the file disappears, or after MAX_SECONDS (default 120). Start it
a second or more before the load, so that whole windows exist; or, for a cgroup
that does not exist yet, with --wait-for-file: it then polls for the file every
10 ms, and since a new cgroup's counter starts at 0, windows reaching back
before its creation count that time as stall-free (as the baseline does).
"""
import ctypes
import os
import signal
import sys
import time

PERIOD = 0.1
WINDOW = 1.0


def full_total_usec(path):
    with open(path) as f:
        for line in f:
            if line.startswith("full"):
                return int(line.rsplit("total=", 1)[1])
    raise ValueError("no 'full' line in " + path)


def die_with_parent():
    # a test that fails or is interrupted must not leave its watcher behind
    PR_SET_PDEATHSIG = 1
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def main():
    die_with_parent()
    args = sys.argv[1:]
    wait_for_file = args[0] == "--wait-for-file"
    if wait_for_file:
        args = args[1:]
    path, limit, out = args[0], float(args[1]) / 100.0, args[2]
    deadline = time.monotonic() + (float(args[3]) if len(args) > 3 else 120.0)
    samples = []  # (t, full_total_usec)
    if wait_for_file:
        while not os.path.exists(path):
            if time.monotonic() > deadline:
                return 0
            time.sleep(0.01)
        samples.append((time.monotonic() - WINDOW, 0))  # before creation: no stall
    first_stall = None
    base = None
    tick = time.monotonic()
    while time.monotonic() < deadline:
        try:
            total = full_total_usec(path)
        except (OSError, ValueError):
            return 0
        now = time.monotonic()
        if base is None:
            base = total
        elif first_stall is None and total > base:
            first_stall = now
            with open(out, "a") as f:
                f.write("first_stall_usec=%d\n" % (now * 1e6))
        samples.append((now, total))
        # the latest sample at least a window old starts the window
        start = None
        for t, v in samples:
            if t <= now - WINDOW:
                start = (t, v)
        if start is not None:
            del samples[: samples.index(start)]
            fraction = (total - start[1]) / 1e6 / (now - start[0])
            if fraction > limit:
                with open(out, "a") as f:
                    f.write("limit_crossed_usec=%d\n" % (now * 1e6))
                return 0
        tick += PERIOD
        time.sleep(max(0.0, tick - time.monotonic()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
