#!/usr/bin/python3
"""resident-pages.py PID PATH: which pages of PATH's mappings in PID are
mapped (present in its page tables, so counted in its PSS), as ranges of
file offsets, one line per mapping: "PERMS OFFSET+LENGTH ..." in hex bytes.
The host maps the offsets of the executable mapping back to functions
(tools/vmlab/text-pages.py). Needs root (pagemap's frame bits are not
needed, only bit 63: present)."""
import struct
import sys

pid, path = sys.argv[1], sys.argv[2]
PAGE = 4096
with open(f"/proc/{pid}/maps") as maps, open(f"/proc/{pid}/pagemap", "rb") as pagemap:
    for line in maps:
        f = line.split()
        if len(f) < 6 or f[5] != path:
            continue
        start, end = (int(x, 16) for x in f[0].split("-"))
        offset = int(f[2], 16)
        pagemap.seek(start // PAGE * 8)
        entries = struct.unpack(f"{(end - start) // PAGE}Q", pagemap.read((end - start) // PAGE * 8))
        ranges, run = [], None
        for i, e in enumerate(entries):
            if e >> 63 & 1:
                if run and run[1] == i:
                    run[1] = i + 1
                else:
                    run = [i, i + 1]
                    ranges.append(run)
        print(f[1], " ".join("%x+%x" % (offset + a * PAGE, (b - a) * PAGE) for a, b in ranges))
