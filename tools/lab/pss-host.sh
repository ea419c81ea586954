#!/bin/bash
# Memory of daemons side by side on the host, without a VM: each
# UNITOOMD runs --dry-run with an empty config on a private dbus-daemon (as
# its system bus; no systemd answers there), and ROUNDS times, taking turns,
# SECS seconds after its start: Pss and Rss (smaps_rollup) and the Rss of
# the libraries that matter for issue 17. The host's other processes share
# the libraries' pages, so Pss understates what a library costs alone; Rss
# by library does not.
#   tools/lab/pss-host.sh UNITOOMD[,UNITOOMD...] [ROUNDS] [SECS]
set -u
IFS=, read -ra BINS <<< "$1"
ROUNDS=${2:-5} SECS=${3:-8}
command -v dbus-daemon >/dev/null || { echo "SKIPPED: needs dbus-daemon"; exit 77; }
D=$(mktemp -d /tmp/pss-host.XXXXXX)
: > "$D/empty.conf"
chmod 644 "$D/empty.conf"
dbus-daemon --session --nofork --nopidfile --address="unix:path=$D/bus" 2>/dev/null &
BUSPID=$!
P=""
cleanup() { [ -n "$P" ] && kill "$P" 2>/dev/null; kill "$BUSPID" 2>/dev/null; wait 2>/dev/null; rm -rf "$D"; }
trap cleanup EXIT
sleep 1
export DBUS_SYSTEM_BUS_ADDRESS="unix:path=$D/bus"
for round in $(seq "$ROUNDS"); do
  for bin in "${BINS[@]}"; do
    "$bin" --dry-run -c "$D/empty.conf" >"$D/log" 2>&1 &
    P=$!
    sleep "$SECS"
    python3 - "$P" "$bin" "$round" <<'PY'
import re, sys
pid, binary, rnd = sys.argv[1:]
roll = {l.split()[0].rstrip(':'): int(l.split()[1]) for l in open(f"/proc/{pid}/smaps_rollup") if l.split()[0] in ("Rss:", "Pss:")}
libs, current = {}, None
for line in open(f"/proc/{pid}/smaps"):
    f = line.split()
    if re.match(r"^[0-9a-f]+-[0-9a-f]+ ", line):
        current = f[5].split("/")[-1] if len(f) > 5 else ""
    elif f[0] == "Rss:" and current:
        for k in ("libstdc++", "libsdbus-c++", "libgcc_s", "libsystemd", "unitoomd"):
            if current.startswith(k):
                libs[k] = libs.get(k, 0) + int(f[1])
print(f"round {rnd} {binary}: pss {roll['Pss']} rss {roll['Rss']} KiB; rss by file: " + " ".join(f"{k} {v}" for k, v in sorted(libs.items())))
PY
    kill "$P"; wait "$P" 2>/dev/null; P=""
  done
done
