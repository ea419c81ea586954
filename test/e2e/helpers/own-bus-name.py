#!/usr/bin/python3
"""Owns a well-known name on the system bus until stopped, and does nothing
else: for the e2e tests, a stand-in for a daemon known by its bus name
(system-oomd-warning: org.freedesktop.oom1, systemd-oomd's name). Run it as a
Type=dbus service with BusName=NAME, so that starting it returns once the
name is owned.

It takes the name over from an owner that allows replacement, as unitoomd
holds org.freedesktop.oom1 while systemd-oomd is not running.

usage: own-bus-name.py NAME
"""
import sys

from gi.repository import Gio, GLib

loop = GLib.MainLoop()


def acquired(_conn, name):
    print("owns", name, flush=True)


def lost(_conn, name):
    print("could not own (or lost)", name, flush=True)
    sys.exit(1)


Gio.bus_own_name(Gio.BusType.SYSTEM, sys.argv[1], Gio.BusNameOwnerFlags.DO_NOT_QUEUE | Gio.BusNameOwnerFlags.REPLACE, None, acquired, lost)
loop.run()
