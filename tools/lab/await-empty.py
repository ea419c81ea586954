#!/usr/bin/env python3
"""When did a cgroup's processes die? Polls CGROUP_DIR/cgroup.events every
10 ms and prints the CLOCK_MONOTONIC microseconds at which `populated 0`
was first seen (or the cgroup was gone), to OUT_FILE. A yardstick that needs
no systemd: it works while the manager is stopped.

    await-empty.py CGROUP_DIR OUT_FILE [MAX_SECONDS]
"""
import sys
import time


def populated(path):
    try:
        with open(path + "/cgroup.events") as f:
            for line in f:
                key, _, value = line.partition(" ")
                if key == "populated":
                    return value.strip() != "0"
    except FileNotFoundError:
        return False
    return True


def main():
    path, out = sys.argv[1], sys.argv[2]
    limit = time.monotonic() + float(sys.argv[3] if len(sys.argv) > 3 else 120)
    while time.monotonic() < limit:
        if not populated(path):
            with open(out, "w") as f:
                f.write("%d\n" % int(time.monotonic() * 1e6))
            return 0
        time.sleep(0.01)
    return 1


if __name__ == "__main__":
    sys.exit(main())
