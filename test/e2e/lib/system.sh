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
  trap 'resume_stopped; sc_cleanup' EXIT
}

# A scenario may stop a process (PID 1 swapped out, unitoomd itself) with
# stop_for_scenario PID; fail() and the exit resume it first, so nothing
# asks a stopped systemd and nothing stays stopped.
STOPPED=()
stop_for_scenario() { kill -STOP "$1" && STOPPED+=("$1"); }
resume_one() {
  local p keep=()
  kill -CONT "$1" 2>/dev/null
  for p in "${STOPPED[@]}"; do [ "$p" != "$1" ] && keep+=("$p"); done
  STOPPED=("${keep[@]}")
}
resume_stopped() { local p; for p in "${STOPPED[@]}"; do kill -CONT "$p" 2>/dev/null; done; STOPPED=(); }

fail() {
  resume_stopped
  echo "FAIL: $*"
  echo "--- unitoomd's journal in the container:"
  # the per-sample "fired" lines would hide the rest
  sc_in journalctl -u unitoomd --no-pager -o short-monotonic | grep -v "detector group .* fired" | tail -40
  [ -n "${E2E_DEBUG:-}" ] && sc_in journalctl --no-pager -o short-monotonic | tail -60
  exit 1
}

# container_write PATH < content
container_write() { sc_in sh -c 'mkdir -p "$(dirname "$1")" && cat > "$1"' _ "$1"; }

# container_install_helper FILE: copies a helper script of the checkout into
# the container (root-owned, world-readable and executable, in
# $SC_HELPER_DIR) and prints its path there. What runs in the container,
# as root or as the test user, runs from there: a checkout under /root (mode
# 700) is unreadable to the user, and one under /tmp is hidden by the
# container's own /tmp.
SC_HELPER_DIR=/usr/local/lib/unitoomd-test
container_install_helper() {
  local dest
  dest=$SC_HELPER_DIR/$(basename "$1")
  [ -r "$1" ] || { echo "no helper $1" >&2; return 1; }
  container_write "$dest" < "$1" && sc_in chmod 755 "$SC_HELPER_DIR" "$dest" || return 1
  echo "$dest"
}

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

# The desktop shape: user@.service monitored by a drop-in, as distributions
# ship it, and a test user whose real user manager runs under it, with
# unitoomd started and its ruleset for user@UID.service in place. Sets
# USER_UNIT and USER_RULESET.
monitored_user_session() {
  printf '[OOM]\nDefaultMemoryPressureDurationSec=2s\n' | container_write /etc/unitoomd/unitoomd.conf
  timeline duration_ms 2000
  printf '[Service]\nManagedOOMMemoryPressure=kill\nManagedOOMMemoryPressureLimit=20%%\n' |
    container_write /etc/systemd/system/user@.service.d/10-unitoomd-test.conf
  sc_in systemctl daemon-reload
  sc_add_user || fail "no user manager for the test user"
  USER_UNIT=user@$SC_UID.service
  USER_RULESET="ruleset '$USER_UNIT/ManagedOOMMemoryPressure'"
  unitoomd_start
  wait_for_log "$USER_RULESET added" 10 || fail "no ruleset synthesized for $USER_UNIT"
}

user_active() { sc_user systemctl --user -q is-active "$1"; }
user_gone() { ! user_active "$1"; }

# launch_app SCOPE CMD...: as a desktop launcher does, from inside the
# user's session: a scope in the user manager's app.slice.
launch_app() {
  local scope=$1
  shift
  sc_user systemd-run --user --quiet --collect --unit="launch-${scope%.scope}" \
    systemd-run --user --scope --quiet --slice=app.slice --unit="$scope" "$@" || fail "cannot launch $scope"
  wait_until 10 user_active "$scope" || fail "$scope did not start"
}

# launch_hog_app SCOPE: a memory-stall generator as an app; sets HOG_CGROUP.
launch_hog_app() {
  local scope=$1
  # shellcheck disable=SC2046  # the generator's words
  launch_app "$scope" $(hog_args "${scope%.scope}" 3)
  HOG_CGROUP=$(sc_user systemctl --user show -P ControlGroup "$scope")
  sc_limit_memory "$HOG_CGROUP" "$HOG_LIMIT" || fail "cannot limit the hog's memory"
  generator_started "${scope%.scope}"
}

# hog_killed UNIT SLICE WORKERS: a hog service in a monitored slice, watched
# from its start until unitoomd's report of its death; the timeline records
# it all.
hog_killed() {
  local unit=$1 slice=$2 workers=$3
  psi_cross_start "$(sc_host_cgroup "/$slice")/memory.pressure" 20
  start_hog "$unit" "$slice" "$workers"
  wait_until 60 is_gone "$unit" || fail "$unit still runs after 60 s"
  psi_cross_stop
  wait_for_log "Killed $unit" 5 || fail "no kill report for $unit"
  record_kill "$unit"
}
