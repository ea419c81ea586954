# Scenarios in the system container: unitoomd installed from the build tree
# with its shipped unit file, run by a real systemd as PID 1.
#
#   source "$(dirname "$0")/lib/system.sh"
#   sc_reexec_in_namespace "$0" "$@"
#   system_scenario_start NAME "$@"      # args from meson: BUILD_DIR TIMELINE_DIR
# shellcheck shell=bash

# shellcheck source=scenario.sh
source "$(dirname "${BASH_SOURCE[0]}")/scenario.sh"
# shellcheck source=../../../tools/lab/system-container.sh
source "$E2E_LIB/../../../tools/lab/system-container.sh"

HOG_LIMIT=32M

system_scenario_start() {
  SCENARIO=$1 BUILD=$2 E2E_TIMELINE_DIR=${3:-}
  sc_start "unitoomd-e2e-$SCENARIO-$$" "$BUILD"
}

fail() {
  echo "FAIL: $*"
  echo "--- unitoomd's journal in the container:"
  sc_in journalctl -u unitoomd --no-pager -o short-monotonic | tail -40
  [ -n "${E2E_DEBUG:-}" ] && sc_in journalctl --no-pager -o short-monotonic | tail -60
  exit 1
}

# container_write PATH < content
container_write() { sc_in sh -c 'mkdir -p "$(dirname "$1")" && cat > "$1"' _ "$1"; }

# monitored_slice NAME LIMIT [more [Slice] lines]: a slice unit file with
# ManagedOOMMemoryPressure=kill, as an administrator writes it, started (a
# slice is live, and so monitored, only while started).
monitored_slice() {
  local name=$1 limit=$2
  shift 2
  printf '[Slice]\nManagedOOMMemoryPressure=kill\nManagedOOMMemoryPressureLimit=%s\n' "$limit" |
    cat - <(printf '%s\n' "$@") | container_write "/etc/systemd/system/$name"
  sc_in systemctl daemon-reload
  sc_in systemctl start "$name"
}

unitoomd_start() {
  sc_in systemctl start unitoomd.service || fail "systemctl start unitoomd failed"
  sc_in systemctl -q is-active unitoomd.service || fail "unitoomd.service is not active after start"
}

unitoomd_log() { sc_in journalctl -u unitoomd --no-pager -o cat "$@"; }
log_has() { unitoomd_log | grep -q -- "$1"; }
# wait_for_log PATTERN SECONDS
wait_for_log() { wait_until "$2" log_has "$1"; }

cgroup_of() { sc_in systemctl show -P ControlGroup "$1"; }
is_active() { sc_in systemctl -q is-active "$1"; }
is_gone() { ! sc_in systemctl -q is-active "$1"; }

# start_sleeper UNIT SLICE [systemd-run options]: an idle bystander.
start_sleeper() {
  local unit=$1 slice=$2
  shift 2
  sc_in systemd-run --quiet --unit="$unit" --slice="$slice" "$@" sleep 600 || fail "cannot start $unit"
}

# The generator's arguments: it waits to be moved under the memory limit,
# then says when its load began in /tmp/NAME.started (inside).
hog_args() {
  echo "$SC_PRESSURE_GEN --file $SC_THRASH_FILE --size-mib 256 --workers $2 --seconds 120"
  echo "--await-memory-cgroup 10 --started-file /tmp/$1.started"
}

# generator_started NAME: records when the generator NAME began its load.
generator_started() {
  local f=/proc/$SC_PID1/root/tmp/$1.started
  wait_until 10 test -s "$f" || fail "generator $1 did not start"
  [ -n "${TIMELINE[generator_start]:-}" ] || timeline generator_start "$(cat "$f")"
}

# start_hog UNIT SLICE WORKERS [systemd-run options]: a real memory-stall
# generator under a $HOG_LIMIT memory limit; records generator_start.
start_hog() {
  local unit=$1 slice=$2 workers=$3
  shift 3
  # shellcheck disable=SC2046  # the generator's words
  sc_in systemd-run --quiet --unit="$unit" --slice="$slice" "$@" $(hog_args "$unit" "$workers") ||
    fail "cannot start $unit"
  sc_limit_memory "$(cgroup_of "$unit")" "$HOG_LIMIT" || fail "cannot limit the memory of $unit"
  generator_started "$unit"
}

# The CLOCK_MONOTONIC microseconds of unitoomd's first journal entry whose
# message contains TEXT.
journal_usec() {
  unitoomd_log -o json | python3 -c '
import json, sys
for line in sys.stdin:
    e = json.loads(line)
    if sys.argv[1] in e.get("MESSAGE", ""):
        print(e["__MONOTONIC_TIMESTAMP"]); break' "$1"
}

# record_kill UNIT: the decision (unitoomd chose its cgroup) and the unit's
# death (systemd's InactiveEnterTimestampMonotonic) on the timeline.
record_kill() {
  local unit=$1 v
  v=$(journal_usec "chose $(cgroup_of "$unit")")
  [ -n "$v" ] && timeline decision "$v"
  v=$(sc_in systemctl show -P InactiveEnterTimestampMonotonic "$1")
  [ -n "$v" ] && [ "$v" != 0 ] && timeline unit_dead "$v"
  timeline_write
}
