#!/usr/bin/python3
"""A user's desktop, as far as unitoomd's messages go, for the e2e tests.

Runs in the user's session (as the user, with their session bus):
- owns org.freedesktop.Notifications and records every Notify call, as a
  notification daemon would show it;
- records unitoomd's PressureWarning signals on the session bus;
- records GLib's GMemoryMonitor "low-memory-warning" (which GLib gets from
  org.freedesktop.LowMemoryMonitor on the system bus), as a GLib or Flatpak
  application would free its caches on it.
Each event is one JSON line in OUT, with CLOCK_MONOTONIC microseconds. It
writes {"event": "ready"} once the name is owned.

A notification with actions is a question (pause and ask): the user's answer
is read from ANSWER at that moment, "close" or "keep" (clicked a second
later, as ActionInvoked), anything else or no file: never answered.
CloseNotification calls are recorded as "withdrawn".

usage: desktop-listener.py OUT [ANSWER]
"""
import json
import sys
import time

from gi.repository import Gio, GLib

OUT = sys.argv[1]
ANSWER = sys.argv[2] if len(sys.argv) > 2 else None
NOTIFICATIONS_XML = """
<node>
  <interface name="org.freedesktop.Notifications">
    <method name="Notify">
      <arg type="s" direction="in"/><arg type="u" direction="in"/><arg type="s" direction="in"/>
      <arg type="s" direction="in"/><arg type="s" direction="in"/><arg type="as" direction="in"/>
      <arg type="a{sv}" direction="in"/><arg type="i" direction="in"/><arg type="u" direction="out"/>
    </method>
    <method name="CloseNotification"><arg type="u" direction="in"/></method>
    <method name="GetCapabilities"><arg type="as" direction="out"/></method>
    <signal name="ActionInvoked"><arg type="u"/><arg type="s"/></signal>
    <method name="GetServerInformation">
      <arg type="s" direction="out"/><arg type="s" direction="out"/>
      <arg type="s" direction="out"/><arg type="s" direction="out"/>
    </method>
  </interface>
</node>
"""
count = 0


def record(event, **fields):
    fields["event"] = event
    fields["usec"] = time.clock_gettime_ns(time.CLOCK_MONOTONIC) // 1000
    with open(OUT, "a") as f:
        f.write(json.dumps(fields) + "\n")


def on_call(conn, sender, path, iface, method, params, invocation):
    global count
    if method == "Notify":
        app, _replaces, icon, summary, body, actions, hints, timeout = params.unpack()
        count += 1
        record("notify", app=app, icon=icon, summary=summary, body=body, urgency=hints.get("urgency"), id=count,
               actions=actions, timeout=timeout)
        invocation.return_value(GLib.Variant("(u)", (count,)))
        if actions:
            answer_later(conn, count)
    elif method == "CloseNotification":
        record("withdrawn", id=params.unpack()[0])
        invocation.return_value(None)
    elif method == "GetCapabilities":
        invocation.return_value(GLib.Variant("(as)", (["body", "actions"],)))
    else:
        invocation.return_value(GLib.Variant("(ssss)", ("desktop-listener", "unitoomd tests", "1", "1.2")))


def answer_later(conn, nid):
    try:
        with open(ANSWER) as f:
            key = f.read().strip()
    except (OSError, TypeError):
        key = ""
    if key not in ("close", "keep"):
        record("not-answering", id=nid)
        return

    def click():
        conn.emit_signal(None, "/org/freedesktop/Notifications", "org.freedesktop.Notifications", "ActionInvoked",
                         GLib.Variant("(us)", (nid, key)))
        record("answered", id=nid, action=key)
        return False
    GLib.timeout_add(1000, click)


def on_bus(conn, name):
    info = Gio.DBusNodeInfo.new_for_xml(NOTIFICATIONS_XML)
    conn.register_object("/org/freedesktop/Notifications", info.interfaces[0], on_call)
    conn.signal_subscribe(None, "org.unitoomd1.Manager", "PressureWarning", None, None, Gio.DBusSignalFlags.NONE,
                          lambda c, s, p, i, sig, params: record("pressure-warning", ruleset=params[0], reason=params[2]))


monitor = Gio.MemoryMonitor.dup_default()
monitor.connect("low-memory-warning", lambda m, level: record("low-memory-warning", level=int(level)))
Gio.bus_own_name(Gio.BusType.SESSION, "org.freedesktop.Notifications", Gio.BusNameOwnerFlags.NONE, on_bus,
                 lambda c, n: record("ready", monitor=type(monitor).__name__), lambda c, n: record("name-lost"))
GLib.MainLoop().run()
