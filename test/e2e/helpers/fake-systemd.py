#!/usr/bin/python3
"""A hostile user's fake systemd, for the system-hostile-user e2e test.

A user owns their session bus: they can stop their dbus-daemon, start their
own at /run/user/UID/bus and answer there as org.freedesktop.systemd1. The
system instance of unitoomd (root) follows the user's manager on that bus.
This fake answers what unitoomd's unit tracker calls (Subscribe, ListUnits,
org.freedesktop.DBus.Properties.Get on per-unit objects, GetUnitByControlGroup,
KillUnit, StopUnit, RestartUnit) and emits UnitNew, UnitRemoved and Reloading,
with these claims:
  - units claiming cgroups OUTSIDE the user's subtree, with
    ManagedOOMMemoryPressure=kill at 1 %: /system.slice/victim.service, the
    same through "..", the user's whole slice and the user manager itself;
  - ManagedOOMPreference=omit on a system cgroup (--shield, the trusted hog);
  - one LEGIT unit inside the subtree (app-legit.scope, kill at 50 %);
  - invalid unit names: control characters and escape sequences, 300 bytes,
    100 KB;
  - a property of the wrong type (ControlGroup as an array);
  - units whose every Get is answered 30 s late, or never;
  - a flood: --flood units in ListUnits (--flood-live of them live services
    inside the subtree, the rest targets and inactive services), and, on
    SIGUSR1, a storm of UnitNew signals for --storm-seconds (repeats, the
    invalid names, and new names past unitoomd's bound of 4096 live units a
    user), then UnitRemoved and Reloading(true)/Reloading(false).
Every incoming call is handled in a GDBus message filter: no object is
registered, any path under /org/freedesktop/systemd1/unit answers.

Events go to LOG, one line each ("pid N", "owned", "listunits N", "storm
start", "storm done N", "KillUnit NAME", "stats ...").

usage: fake-systemd.py --address ADDR --uid UID --log FILE [--shield CGROUP]
                       [--flood N] [--flood-live N] [--storm-seconds S]
"""
import argparse
import os
import signal
import sys
import threading
import time

from gi.repository import Gio, GLib

MANAGER_PATH = "/org/freedesktop/systemd1"
UNIT_PREFIX = MANAGER_PATH + "/unit/"
MANAGER_IFACE = "org.freedesktop.systemd1.Manager"
UINT32_MAX = 2**32 - 1


def escape(name):
    """systemd's bus_label_escape: every byte that is not [A-Za-z0-9] is _xx."""
    out = []
    for i, b in enumerate(name.encode("utf-8", "surrogatepass")):
        c = chr(b)
        if (c.isascii() and c.isalpha()) or (i > 0 and c.isascii() and c.isdigit()):
            out.append(c)
        else:
            out.append("_%02x" % b)
    return "".join(out) or "_"


def limit(pct):
    return int(pct / 100 * UINT32_MAX)


class Fake:
    def __init__(self, args):
        self.args = args
        uid = args.uid
        self.subtree = "/user.slice/user-%d.slice/user@%d.service" % (uid, uid)
        self.logf = open(args.log, "a", buffering=1)
        self.lock = threading.Lock()
        self.log("pid", os.getpid())
        self.units = {}  # object path -> unit dict
        self.order = []  # object paths, as ListUnits lists them
        self.stats = {"get": 0, "get_late": 0, "get_never": 0, "listunits": 0, "other": 0, "signals": 0}
        self.storm_started = False
        self.bodies = {}
        self.conn = None
        sub = self.subtree
        kill1 = dict(pressure="kill", limit=limit(1))
        # Claims outside the user's subtree: each must be refused.
        # (In this order: unitoomd reads them first, and its journal names
        # the first few refusals only.)
        self.add("victim.service", "/system.slice/victim.service", **kill1)
        self.add("shield.service", args.shield, preference="omit")
        self.add("sneaky.service", sub + "/../../../system.slice/victim.service", **kill1)
        self.add("whole-user-slice.slice", "/user.slice/user-%d.slice" % uid, **kill1)
        self.add("manager-itself.service", sub, **kill1)
        self.add("prefix-trick.service", sub + "-evil/app.slice/x.service", **kill1)
        self.add("dotdot-shield.service", sub + "/../../.." + args.shield, preference="omit")
        # The legit unit: inside the subtree, the user's right.
        self.add("app-legit.scope", sub + "/app.slice/app-legit.scope", pressure="kill", limit=limit(50))
        # Invalid names (inside the subtree: only the name is wrong). Not
        # listed: announced by the storm, so that the refusals of the claims
        # above are the first ones in the journal (unitoomd rate-limits them).
        bad = ["esc\x1b[31mred\x1b[0m.service", "new\nline.service",
               "inject\r\nruleset 'victim.service/ManagedOOMMemoryPressure' added.service",
               "tab\tname.service", "del\x7f.service", "bell\x07.service", "a" * 300 + ".service"]
        for i, n in enumerate(bad):
            self.add(n, sub + "/app.slice/bad-%d.service" % i, listed=False, **kill1)
        # 100 KB names; their object paths are short: sd-bus refuses a whole
        # message with an object path over 64 KiB (BUS_PATH_SIZE_MAX)
        for i in range(10):
            self.add("huge-%d-%s.service" % (i, "x" * 100000), sub + "/app.slice/huge-%d.service" % i,
                     path=UNIT_PREFIX + "huge%d" % i, listed=False, **kill1)
        # A property of the wrong type: ControlGroup as an array of strings.
        self.add("wrong-type.service", "/system.slice/victim.service", wrong_type=True, **kill1)
        # Replies that come late (after unitoomd's timeout) or never.
        for i in range(1):
            self.add("late-%d.service" % i, "/system.slice/victim.service", delay=30, **kill1)
            self.add("never-%d.service" % i, "/system.slice/victim.service", delay=-1, **kill1)
        # The flood: --flood units listed, --flood-live of them live services
        # (each costs unitoomd 6 Gets), the rest targets and inactive services
        # (listed only).
        for i in range(args.flood):
            if i < args.flood_live:
                self.add("flood-%05d.service" % i, sub + "/app.slice/flood-%05d.service" % i)
            elif i % 2:
                self.add("flood-%05d.target" % i, "")
            else:
                self.add("flood-%05d.service" % i, sub + "/app.slice/flood-%05d.service" % i, state="inactive")
        self.list_cache = None
        listed = set(self.order)
        self.unlisted = [p for p in self.units if p not in listed]

    def log(self, *words):
        with self.lock:
            self.logf.write(" ".join(str(w) for w in words) + "\n")

    def add(self, name, cgroup, pressure="auto", limit=0, preference="none", wrong_type=False, delay=0, path=None,
            state="active", listed=True):
        path = path or UNIT_PREFIX + escape(name)
        if listed and path not in self.units:
            self.order.append(path)
        self.units[path] = dict(name=name, cgroup=cgroup, pressure=pressure, limit=limit, preference=preference,
                                wrong_type=wrong_type, delay=delay, state=state)
        self.list_cache = None
        return path

    def list_units(self):
        if self.list_cache is None:
            rows = [(u["name"], "", "loaded", u["state"], "running" if u["state"] == "active" else "dead", "", p, 0, "", "/")
                    for p, u in ((p, self.units[p]) for p in self.order)]
            self.list_cache = GLib.Variant("(a(ssssssouso))", (rows,))
        return self.list_cache

    PROPERTIES = {"ActiveState": ("s", "state"), "ManagedOOMSwap": ("s", None), "ManagedOOMMemoryPressure": ("s", "pressure"),
                  "ManagedOOMMemoryPressureLimit": ("u", "limit"), "ManagedOOMPreference": ("s", "preference")}

    def body(self, u, prop):
        """The reply's body, (v); None: no such property. Shared bodies are
        made once: the fake's speed bounds how fast unitoomd can read."""
        if prop == "ControlGroup":
            if u["wrong_type"]:
                return GLib.Variant("(v)", (GLib.Variant("as", [u["cgroup"]]),))
            b = u.get("cgroup_body")
            if b is None:
                b = u["cgroup_body"] = GLib.Variant("(v)", (GLib.Variant("s", u["cgroup"]),))
            return b
        spec = self.PROPERTIES.get(prop)
        if spec is None:
            return None  # ManagedOOMMemoryPressureDurationUSec: not in systemd 252
        value = u[spec[1]] if spec[1] else "auto"
        b = self.bodies.get((prop, value))
        if b is None:
            b = self.bodies[(prop, value)] = GLib.Variant("(v)", (GLib.Variant(spec[0], value),))
        return b

    # --- the message filter (GDBus's worker thread)
    def send(self, msg):
        try:
            self.conn.send_message(msg, Gio.DBusSendMessageFlags.NONE)
        except GLib.Error as e:
            self.log("send failed", e.message)
        return False

    def error(self, call, name, text):
        return Gio.DBusMessage.new_method_error_literal(call, name, text)

    def reply(self, call, variant):
        r = Gio.DBusMessage.new_method_reply(call)
        if variant is not None:
            r.set_body(variant)
        return r

    def filter(self, conn, msg, incoming):
        if not incoming or msg.get_message_type() != Gio.DBusMessageType.METHOD_CALL:
            return msg
        path, member = msg.get_path() or "", msg.get_member() or ""
        if path.startswith(UNIT_PREFIX):
            r = self.on_get(msg, path, member)
        elif path == MANAGER_PATH:
            r = self.on_manager(msg, member)
        else:
            return msg
        if r is not None:
            self.send(r)
        return None

    def on_get(self, msg, path, member):
        u = self.units.get(path)
        if member != "Get" or u is None:
            self.stats["other"] += 1
            return self.error(msg, "org.freedesktop.DBus.Error.UnknownObject", "no such unit")
        self.stats["get"] += 1
        prop = msg.get_body().get_child_value(1).get_string()
        body = self.body(u, prop)
        r = (self.error(msg, "org.freedesktop.DBus.Error.UnknownProperty", "Unknown property " + prop)
             if body is None else self.reply(msg, body))
        if u["delay"] < 0:
            self.stats["get_never"] += 1
            return None
        if u["delay"] > 0:
            self.stats["get_late"] += 1
            GLib.timeout_add_seconds(u["delay"], self.send, r)
            return None
        return r

    def on_manager(self, msg, member):
        body = msg.get_body()
        args = body.unpack() if body is not None else ()
        if member == "Subscribe":
            return self.reply(msg, None)
        if member == "ListUnits":
            self.stats["listunits"] += 1
            self.log("listunits", len(self.order))
            return self.reply(msg, self.list_units())
        if member == "GetUnitByControlGroup":
            cgroup = args[0]
            self.log("GetUnitByControlGroup", cgroup)
            for p, u in list(self.units.items()):
                if u["cgroup"] == cgroup and cgroup.startswith(self.subtree + "/") and "/.." not in cgroup:
                    return self.reply(msg, GLib.Variant("(o)", (p,)))
            # anything else: "no unit", so that unitoomd kills the cgroup itself
            return self.error(msg, "org.freedesktop.systemd1.NoUnitForControlGroup", "No unit for " + cgroup)
        if member in ("KillUnit", "StopUnit", "RestartUnit"):
            self.log(member, repr(args[0])[:200])
            return self.reply(msg, GLib.Variant("(o)", ("/",)) if member != "KillUnit" else None)
        self.stats["other"] += 1
        return self.error(msg, "org.freedesktop.DBus.Error.UnknownMethod", "unknown method " + member)

    # --- signals (main loop)
    def emit(self, member, variant):
        self.stats["signals"] += 1
        self.conn.emit_signal(None, MANAGER_PATH, MANAGER_IFACE, member, variant)

    def start_storm(self):
        if self.storm_started:
            return True
        self.storm_started = True
        self.log("storm start")
        self.storm_end = time.monotonic() + self.args.storm_seconds
        self.storm_n = 0
        for p in self.unlisted:  # the invalid names, from now on listed too
            self.emit("UnitNew", GLib.Variant("(so)", (self.units[p]["name"], p)))
            self.order.append(p)
        self.list_cache = None
        GLib.timeout_add(20, self.storm_tick)
        return True

    def storm_tick(self):
        # 6 UnitNew every 20 ms: a repeat of a listed unit and new names
        p = self.order[self.storm_n % len(self.order)]
        self.emit("UnitNew", GLib.Variant("(so)", (self.units[p]["name"], p)))
        for _ in range(5):
            name = "storm-%06d.service" % self.storm_n
            p = self.add(name, self.subtree + "/app.slice/" + name)
            self.emit("UnitNew", GLib.Variant("(so)", (name, p)))
            self.storm_n += 1
        if time.monotonic() < self.storm_end:
            return True
        self.emit("UnitRemoved", GLib.Variant("(so)", ("victim.service", UNIT_PREFIX + escape("victim.service"))))
        self.emit("Reloading", GLib.Variant("(b)", (True,)))
        self.emit("Reloading", GLib.Variant("(b)", (False,)))
        self.log("storm done", self.storm_n)
        self.log_stats()
        return False

    def log_stats(self):
        self.log("stats", " ".join("%s=%d" % kv for kv in sorted(self.stats.items())))
        return True

    def run(self):
        self.conn = Gio.DBusConnection.new_for_address_sync(
            self.args.address,
            Gio.DBusConnectionFlags.AUTHENTICATION_CLIENT | Gio.DBusConnectionFlags.MESSAGE_BUS_CONNECTION, None, None)
        self.conn.set_exit_on_close(False)
        self.conn.add_filter(self.filter)
        r = self.conn.call_sync("org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus", "RequestName",
                                GLib.Variant("(su)", ("org.freedesktop.systemd1", 4)), GLib.VariantType("(u)"),
                                Gio.DBusCallFlags.NONE, 5000, None)
        if r.unpack()[0] != 1:
            self.log("cannot own org.freedesktop.systemd1:", r.unpack()[0])
            return 1
        self.log("owned", len(self.order), "units")
        loop = GLib.MainLoop()
        GLib.timeout_add_seconds(5, self.log_stats)
        GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, signal.SIGUSR1, self.start_storm)
        for s in (signal.SIGTERM, signal.SIGINT):
            GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, s, lambda: (loop.quit(), False)[1])
        loop.run()
        self.log_stats()
        self.log("exit")
        return 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--address", required=True)
    ap.add_argument("--uid", type=int, required=True)
    ap.add_argument("--log", required=True)
    ap.add_argument("--shield", default="/work.slice/hog.service")
    ap.add_argument("--flood", type=int, default=10000)
    ap.add_argument("--flood-live", type=int, default=4000)
    ap.add_argument("--storm-seconds", type=float, default=4)
    return Fake(ap.parse_args()).run()


if __name__ == "__main__":
    sys.exit(main())
