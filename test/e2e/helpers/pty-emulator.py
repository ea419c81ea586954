#!/usr/bin/python3
"""A terminal emulator stand-in for the e2e tests, as kitty or foot are to a
desktop: one process holding the pty masters of its tabs, each tab an
interactive bash (its own session, the pty its controlling terminal, job
control on). Run in an app-*.scope as the user.

usage: pty-emulator.py STATE CONTROL FIRST-LINE...

One tab per FIRST-LINE (typed into it at once; "" for an idle tab). STATE
gets {"emulator": PID, "shells": [PID, ...]} once the tabs run; lines
"N TEXT" written to the FIFO CONTROL are typed into tab N, as a user would.
What the shells print goes to STATE.out.
"""
import json
import os
import pty
import select
import sys

state, control, first_lines = sys.argv[1], sys.argv[2], sys.argv[3:]
masters, shells = [], []
for line in first_lines:
    pid, fd = pty.fork()  # the child: setsid(), the pty slave its controlling terminal
    if pid == 0:
        os.execve("/bin/bash", ["bash", "--norc", "--noprofile", "-i"], dict(os.environ, PS1="$ ", TERM="dumb"))
    masters.append(fd)
    shells.append(pid)
    if line:
        os.write(fd, (line + "\n").encode())
os.mkfifo(control)
ctl = os.open(control, os.O_RDWR | os.O_NONBLOCK)  # read-write: never at end of file
with open(state + ".tmp", "w") as f:
    json.dump({"emulator": os.getpid(), "shells": shells}, f)
os.rename(state + ".tmp", state)
out = open(state + ".out", "ab", buffering=0)
pending = b""
while True:
    live = [fd for fd in masters if fd >= 0]
    ready, _, _ = select.select(live + [ctl], [], [])
    for fd in ready:
        if fd == ctl:
            pending += os.read(ctl, 4096)
            while b"\n" in pending:
                cmd, pending = pending.split(b"\n", 1)
                tab, _, text = cmd.partition(b" ")
                if masters[int(tab)] >= 0:
                    os.write(masters[int(tab)], text + b"\n")
            continue
        tab = masters.index(fd)
        try:
            data = os.read(fd, 4096)
        except OSError:  # EIO: the tab's shell is gone
            data = b""
        if not data:
            out.write(b"[tab %d closed]\n" % tab)
            os.close(fd)
            masters[tab] = -1
        else:
            out.write(b"[tab %d] " % tab + data)
