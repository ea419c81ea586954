#!/bin/bash
# The suite itself, run from checkouts where a root user might clone: under
# /root in a mode-700 directory (unreadable to the container's test user)
# and under /tmp (hidden inside the container by its own /tmp). The two
# scenarios that run helpers of the checkout inside the container (as root
# and as the test user) run from copies of this checkout placed there, with
# the same build. Before helpers were copied into the container, the first
# failed with "the listener did not start".
set -u
BUILD=$1
[ "$(id -u)" = 0 ] || { echo "SKIPPED: needs root (the scenarios run a system container)"; exit 77; }
SRC=$(cd "$(dirname "$0")/../.." && pwd)
PLACES=()
cleanup() { for p in "${PLACES[@]}"; do rm -rf "$p"; done; }
trap cleanup EXIT
trap 'exit 130' INT TERM

# copy_checkout DIR: the checkout's files (tracked and new, not build trees)
copy_checkout() {
  mkdir -m 700 "$1" || return 1
  PLACES+=("$1")
  (cd "$SRC" && git ls-files -z --cached --others --exclude-standard | xargs -0 cp --parents -t "$1" 2>/dev/null) ||
    (cd "$SRC" && tar --exclude='./build*' --exclude=./.git -cf - . | tar -C "$1" -xf -)
}

rc=0
run_from() {
  local place=$1 scenario=$2 out
  copy_checkout "$place" || { echo "FAIL: cannot copy the checkout to $place"; rc=1; return; }
  out=$(mktemp)
  if "$place/test/e2e/$scenario" "$BUILD" "$place/timelines" > "$out" 2>&1; then
    echo "ok: $scenario from $place ($(tail -1 "$out"))"
  else
    echo "FAIL: $scenario from $place:"; tail -30 "$out"; rc=1
  fi
  rm -f "$out"
}

run_from "/root/unitoomd-checkout-test.$$" system_desktop.sh
run_from "/tmp/unitoomd-checkout-test.$$" system_hostile_user.sh
exit $rc
