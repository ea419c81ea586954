#!/bin/bash
# The shipped examples pass --check-config. They are checked from a private
# copy: unitoomd refuses config files that others could write, and a
# checkout's own permissions (a clone made with umask 002) are not what this
# test is about (test/integration/untrusted_config.sh is).
set -u
UNITOOMD=$1 SRC=$2
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
install -m 644 "$SRC/examples/server.json" "$SRC/examples/desktop.json" "$SRC/examples/unitoomd.conf" "$W/"
exec "$UNITOOMD" --check-config "$W/server.json" "$W/desktop.json" "$W/unitoomd.conf"
