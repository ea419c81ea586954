#!/usr/bin/python3
"""text-pages.py BINARY [LOG]: what of unitoomd's own code was resident in
the VM lab's idle scenario, by function and by section.

LOG (default: stdin) is a serial log of tools/vmlab/run.sh; its
"VMLAB-PAGES KILLER r-xp OFFSET+LENGTH ..." lines (guest/resident-pages.py)
give the mapped pages of the executable segment as file offsets. BINARY is
the same build (with symbols). A page counts for every function that
overlaps it; the kernel maps pages around each fault (fault-around, 64 KiB
by default), so a resident page is not proof that its code ran."""
import collections
import subprocess
import sys

PAGE = 4096


def load_segments(binary):
    """(file offset, vaddr, size) of the executable PT_LOAD segments."""
    out = subprocess.run(["readelf", "-lW", binary], capture_output=True, text=True, check=True).stdout
    segs = []
    for line in out.splitlines():
        f = line.split()
        if f and f[0] == "LOAD" and "E" in f[6:-1]:
            segs.append((int(f[1], 16), int(f[2], 16), int(f[4], 16)))
    return segs


def load_sections(binary):
    out = subprocess.run(["readelf", "-SW", binary], capture_output=True, text=True, check=True).stdout
    secs = []
    for line in out.splitlines():
        line = line.replace("[ ", "[")
        f = line.split()
        if len(f) > 6 and f[0].startswith("[") and f[0] != "[Nr]" and "X" in line.split()[7]:
            secs.append((f[1], int(f[3], 16), int(f[5], 16)))
    return secs


def load_functions(binary):
    out = subprocess.run(["nm", "-C", "-S", "--defined-only", binary], capture_output=True, text=True,
                         check=True).stdout
    funcs = []
    for line in out.splitlines():
        f = line.split(" ", 3)
        if len(f) == 4 and f[2] in "tTwW":
            funcs.append((int(f[0], 16), int(f[1], 16), f[3]))
    return funcs


def main():
    binary = sys.argv[1]
    log = open(sys.argv[2], errors="replace") if len(sys.argv) > 2 else sys.stdin
    segs = load_segments(binary)
    resident = set()  # virtual page addresses
    for line in log:
        if "VMLAB-PAGES" not in line:
            continue
        f = line.split("VMLAB-PAGES", 1)[1].split()
        if len(f) < 2 or f[1] != "r-xp":
            continue
        for r in f[2:]:
            off, length = (int(x, 16) for x in r.split("+"))
            for o in range(off, off + length, PAGE):
                for s_off, s_vaddr, s_size in segs:
                    if s_off <= o < s_off + s_size:
                        resident.add((o - s_off + s_vaddr) // PAGE)
        break  # the first run's pages: later runs of the same build repeat them
    text_pages = sum((size + PAGE - 1) // PAGE for _, _, size in segs)
    print("executable segment: %d of %d KiB resident" % (len(resident) * 4, text_pages * 4))
    for name, addr, size in load_sections(binary):
        pages = {p for p in range(addr // PAGE, (addr + size + PAGE - 1) // PAGE)}
        print("  %-16s %6d KiB, %6d KiB resident" % (name, size // 1024, len(pages & resident) * 4))
    funcs = load_functions(binary)
    touched = [(size, name) for addr, size, name in funcs
               if any(p in resident for p in range(addr // PAGE, (addr + max(size, 1) + PAGE - 1) // PAGE))]
    by_area = collections.Counter()
    for size, name in touched:
        base = name.split("(")[0]
        area = "::".join(base.split("::")[:2]) if base.startswith(("unitoomd::", "std::", "sdbus::")) else base.split("::")[0]
        by_area[area] += size
    print("functions on resident pages: %d, %d KiB of code; by namespace::first name (KiB):" %
          (len(touched), sum(s for s, _ in touched) // 1024))
    for area, size in by_area.most_common(25):
        print("  %6.1f  %s" % (size / 1024, area))
    print("largest of them (KiB):")
    for size, name in sorted(touched, reverse=True)[:25]:
        print("  %6.1f  %s" % (size / 1024, name[:150]))


main()
