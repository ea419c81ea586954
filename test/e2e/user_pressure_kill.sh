#!/bin/bash
# Against a real systemd user manager: work.slice says ManagedOOMMemoryPressure=kill
# with a 20% limit. A real memory-pressure generator runs as hog.scope in it, an idle
# bystander.scope beside it. unitoomd --user must kill hog.scope through systemd
# (KillUnit) and leave the bystander alone. Prints how long the hog lived after the
# slice's pressure crossed the limit.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../../tools/lab/user-manager.sh
source "$HERE/../../tools/lab/user-manager.sh"
um_reexec_in_namespace "$0" "$@"
UNITOOMD=$1 GEN=$2

fail() { echo "FAIL: $*"; echo "--- unitoomd log:"; cat "$UM_DIR/unitoomd.log"; exit 1; }

um_start "unitoomd-e2e-kill-$$"
"$GEN" --file "$UM_DIR/big.bin" --size-mib 256 --seconds 0.01 >/dev/null || fail "cannot create the generator's data file"
mkdir -p "$XDG_RUNTIME_DIR/systemd/user"
printf '[Slice]\nManagedOOMMemoryPressure=kill\nManagedOOMMemoryPressureLimit=20%%\n' > "$XDG_RUNTIME_DIR/systemd/user/work.slice"
printf '[OOM]\nDefaultMemoryPressureDurationSec=2s\n' > "$UM_DIR/unitoomd.conf"
systemctl --user daemon-reload
systemd-run --user --scope --quiet --slice=work.slice --unit=bystander.scope sleep 300 &
UM_PIDS+=("$!")

"$UNITOOMD" --user --config "$UM_DIR/unitoomd.conf" > "$UM_DIR/unitoomd.log" 2>&1 &
DAEMON=$!
UM_PIDS+=("$DAEMON")
for _ in $(seq 100); do grep -q "ruleset 'work.slice/ManagedOOMMemoryPressure' added" "$UM_DIR/unitoomd.log" && break; sleep 0.1; done
grep -q "ruleset 'work.slice/ManagedOOMMemoryPressure' added" "$UM_DIR/unitoomd.log" || fail "no ruleset synthesized for work.slice"

SLICE_PSI=/sys/fs/cgroup$(um_cgroup_of work.slice)/memory.pressure
um_hog hog.scope work.slice 32M "$GEN" --file "$UM_DIR/big.bin" --size-mib 256 --workers 3 --seconds 120
START=$(date +%s.%N)
# Watch the slice's full stall over 2 s windows (the ruleset's own window) and the hog.
CROSSED="" GONE="" prev="" prev_t=""
for _ in $(seq 300); do
  now=$(date +%s.%N)
  total=$(awk '/^full/{split($5,t,"="); print t[2]}' "$SLICE_PSI")
  if [ -n "$prev" ] && [ -z "$CROSSED" ]; then
    pct=$(echo "($total - $prev) / (($now - $prev_t) * 10000)" | bc -l)
    [ "$(echo "$pct > 20" | bc)" = 1 ] && CROSSED=$now
  fi
  prev=$total prev_t=$now
  if grep -q "Killed hog.scope" "$UM_DIR/unitoomd.log" && ! systemctl --user -q is-active hog.scope; then GONE=$(date +%s.%N); break; fi
  sleep 0.2
done
[ -n "$GONE" ] || fail "hog.scope was not killed within 60 s"
grep "Killed hog.scope" "$UM_DIR/unitoomd.log"
grep -q "Killed hog.scope (.*) with KillUnit" "$UM_DIR/unitoomd.log" || fail "the kill did not go through systemd's KillUnit"
grep -q "ruleset 'work.slice/ManagedOOMMemoryPressure': Memory pressure in work.slice above 20%" "$UM_DIR/unitoomd.log" ||
  fail "the kill report does not name the ruleset and its description"
systemctl --user -q is-active bystander.scope || fail "the bystander in the same slice was killed"
grep -q "Killed bystander" "$UM_DIR/unitoomd.log" && fail "the bystander was chosen"
kill -0 "$DAEMON" || fail "unitoomd died"
printf 'hog started at 0 s; slice full stall crossed 20%% at %.1f s; hog gone at %.1f s (%.1f s after crossing)\n' \
  "$(echo "${CROSSED:-$START} - $START" | bc)" "$(echo "$GONE - $START" | bc)" "$(echo "$GONE - ${CROSSED:-$START}" | bc)"
echo PASS
