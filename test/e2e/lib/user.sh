# Scenarios against a real systemd user manager in a private mount namespace
# (tools/lab/user-manager.sh), with `unitoomd --user` run from the build tree.
#
#   source "$(dirname "$0")/lib/user.sh"
#   um_reexec_in_namespace "$0" "$@"
#   user_scenario_start NAME "$@"     # args from meson: UNITOOMD GENERATOR TIMELINE_DIR
# shellcheck shell=bash

# shellcheck source=scenario.sh
source "$(dirname "${BASH_SOURCE[0]}")/scenario.sh"
# shellcheck source=../../../tools/lab/user-manager.sh
source "$E2E_LIB/../../../tools/lab/user-manager.sh"

user_scenario_start() {
  SCENARIO=$1 UNITOOMD=$2 GEN=$3 E2E_TIMELINE_DIR=${4:-}
  um_start "unitoomd-e2e-$SCENARIO-$$"
  LOG=$UM_DIR/unitoomd.log
  : > "$LOG"
  THRASH_FILE=$UM_DIR/big.bin
  "$GEN" --file "$THRASH_FILE" --size-mib 256 --seconds 0.01 >/dev/null || fail "cannot create the generator's data file"
  mkdir -p "$XDG_RUNTIME_DIR/systemd/user"
}

fail() { echo "FAIL: $*"; echo "--- unitoomd log:"; cat "$LOG"; exit 1; }

# wait_log SECONDS PATTERN: true once PATTERN appears in the daemon's log after line $FROM
FROM=0
wait_log() {
  local i
  for ((i = 0; i < $1 * 10; i++)); do tail -n +"$((FROM + 1))" "$LOG" | grep -q -- "$2" && return 0; sleep 0.1; done
  return 1
}

# unitoomd_user_start CONF_TEXT [ARGS...]: runs `unitoomd --user` with that
# unitoomd.conf (and ARGS), its log lines stamped with CLOCK_MONOTONIC (for
# the timeline).
unitoomd_user_start() {
  printf '%s\n' "$1" > "$UM_DIR/unitoomd.conf"
  UNITOOMD_LOG_TIME=1 "$UNITOOMD" --user --config "$UM_DIR/unitoomd.conf" "${@:2}" > "$LOG" 2>&1 &
  DAEMON=$!
  UM_PIDS+=("$DAEMON")
  disown
}

# The CLOCK_MONOTONIC microseconds of the first log line containing TEXT.
log_usec() { grep -m1 -F -- "$1" "$LOG" | awk '{split($1, t, "."); print t[1] t[2]}'; }

# The unit's death on the timeline: systemd's InactiveEnterTimestampMonotonic.
unit_dead_usec() { systemctl --user show -P InactiveEnterTimestampMonotonic "$1"; }
