#!/usr/bin/env python3
"""When did a cgroup lose its last process? For a scenario where the manager
is stalled: then the unit's InactiveEnterTimestamp says when systemd caught up,
not when the processes died, so the cgroup itself is watched.

    cgroup-emptied.py CGROUP_DIR OUT_FILE [MAX_SECONDS]

Waits (polling every 10 ms) for CGROUP_DIR to exist, then for its
cgroup.events to say `populated 0`, woken by the kernel's notification on that
file (poll() POLLPRI) with a 100 ms backstop. Writes
`emptied_usec=<CLOCK_MONOTONIC microseconds>` to OUT_FILE (the cgroup removed
counts as emptied) and ends; after MAX_SECONDS (default 120) it ends silently.
"""
import ctypes
import os
import select
import signal
import sys
import time


def die_with_parent():
    # an interrupted scenario must not leave its watcher behind
    PR_SET_PDEATHSIG = 1
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def populated(fd):
    """True, False, or None when the cgroup is gone."""
    try:
        data = os.pread(fd, 4096, 0).decode()
    except OSError:
        return None
    for line in data.splitlines():
        key, _, value = line.partition(" ")
        if key == "populated":
            return value.strip() != "0"
    return None


def main():
    die_with_parent()
    directory, out = sys.argv[1], sys.argv[2]
    deadline = time.monotonic() + (float(sys.argv[3]) if len(sys.argv) > 3 else 120.0)
    events = os.path.join(directory, "cgroup.events")
    while not os.path.exists(events):
        if time.monotonic() > deadline:
            return 0
        time.sleep(0.01)
    # a cgroup is made empty and filled a moment later: wait for its first process
    fd = os.open(events, os.O_RDONLY)
    while populated(fd) is False and time.monotonic() < deadline:
        time.sleep(0.01)
    poller = select.poll()
    poller.register(fd, select.POLLPRI | select.POLLERR)
    while time.monotonic() < deadline:
        if not populated(fd):
            with open(out, "w") as f:
                f.write("emptied_usec=%d\n" % (time.monotonic() * 1e6))
            return 0
        poller.poll(100)
    return 0


if __name__ == "__main__":
    sys.exit(main())
