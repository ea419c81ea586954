# A real systemd user manager in a sandbox, for tests and the demo.
# Source it from a script running in a private mount namespace
# (um_reexec_in_namespace does that), then:
#   um_start NAME        tmpfs /run, a pure cgroup2 view at /sys/fs/cgroup, a session
#                        dbus-daemon and `systemd --user` in the cgroup NAME; exits 77
#                        (skip) with the reason when the machine cannot do it
#   um_hog UNIT SLICE SIZE CMD...
#                        runs CMD as scope UNIT in SLICE, its memory limited to SIZE
#                        (a v1 memory cgroup: this host's cgroup2 has no memory controller)
#   um_restart           stops the manager and starts a new one on the same bus
# On exit everything is undone: the manager, the bus and leftover processes killed by
# PID (cgroup.kill), the cgroups and v1 limits removed deepest first. The host's /run
# and /sys/fs/cgroup are never touched: the mounts live in the namespace only.
# shellcheck shell=bash

UM_PIDS=()
UM_V1=()
UM_CG=""
UM_MANAGER_PID=""

um_skip() { echo "SKIPPED: $*"; exit 77; }

um_reexec_in_namespace() {
  [ "$(id -u)" = 0 ] || um_skip "needs root (mount namespace, cgroups)"
  command -v unshare >/dev/null || um_skip "needs unshare (util-linux)"
  [ -x /lib/systemd/systemd ] || um_skip "needs systemd (/lib/systemd/systemd)"
  command -v dbus-daemon >/dev/null || um_skip "needs dbus-daemon (package dbus)"
  [ -n "${UM_IN_NAMESPACE:-}" ] && return 0
  UM_IN_NAMESPACE=1 exec unshare -m --propagation private "$@"
}

um_any_alive() {
  local p
  for p in "${UM_PIDS[@]}"; do kill -0 "$p" 2>/dev/null && return 0; done
  return 1
}

um_cleanup() {
  local p d
  trap '' INT TERM  # a second Ctrl-C must not cut the cleanup short
  [ -n "$UM_MANAGER_PID" ] && kill -TERM "$UM_MANAGER_PID" 2>/dev/null
  for _ in $(seq 50); do kill -0 "$UM_MANAGER_PID" 2>/dev/null || break; sleep 0.1; done
  for p in "${UM_PIDS[@]}"; do kill -TERM "$p" 2>/dev/null; done
  for _ in $(seq 20); do um_any_alive || break; sleep 0.1; done
  for p in "${UM_PIDS[@]}"; do kill -9 "$p" 2>/dev/null; done
  if [ -n "$UM_CG" ] && [ -d "$UM_CG" ]; then
    echo 1 > "$UM_CG/cgroup.kill" 2>/dev/null
    sleep 0.2
    find "$UM_CG" -depth -type d -exec rmdir {} \; 2>/dev/null
  fi
  for p in "${UM_PIDS[@]}"; do { wait "$p"; } 2>/dev/null; done
  for d in "${UM_V1[@]}"; do rmdir "$d" 2>/dev/null; done
  [ -n "${UM_DIR:-}" ] && rm -rf "$UM_DIR"
  return 0
}

um_start_manager() {
  ( echo "$BASHPID" > "$UM_CG/cgroup.procs" && exec /lib/systemd/systemd --user ) >> "$UM_DIR/manager.log" 2>&1 &
  UM_MANAGER_PID=$!
  UM_PIDS+=("$UM_MANAGER_PID")
  disown
  local state=""
  for _ in $(seq 100); do
    state=$(systemctl --user is-system-running 2>/dev/null)
    case $state in running|degraded) return 0 ;; esac
    sleep 0.1
  done
  echo "systemd --user did not start (state '$state'); its log:" >&2
  tail -20 "$UM_DIR/manager.log" >&2
  exit 1
}

um_start() {
  UM_NAME=$1
  trap um_cleanup EXIT
  trap 'exit 130' INT TERM
  UM_DIR=$(mktemp -d /var/tmp/unitoomd-um.XXXXXX)
  local v1mem=/sys/fs/cgroup/memory
  mount -t tmpfs tmpfs /run || um_skip "cannot mount in a private namespace"
  if [ -d "$v1mem" ]; then
    mkdir /run/unitoomd-v1mem && mount --bind "$v1mem" /run/unitoomd-v1mem
  fi
  mount -t cgroup2 none /sys/fs/cgroup || um_skip "cannot mount cgroup2"
  [ -e /sys/fs/cgroup/cgroup.procs ] || um_skip "no cgroup2"
  mkdir -p /run/systemd/system /run/user/0 && chmod 700 /run/user/0
  export XDG_RUNTIME_DIR=/run/user/0
  export DBUS_SESSION_BUS_ADDRESS=unix:path=/run/user/0/bus
  UM_CG=/sys/fs/cgroup/$UM_NAME
  mkdir "$UM_CG" || um_skip "cannot create a cgroup"
  [ -e "$UM_CG/memory.pressure" ] || um_skip "kernel without PSI (boot with psi=1)"
  dbus-daemon --session --address="$DBUS_SESSION_BUS_ADDRESS" --nofork --nopidfile > "$UM_DIR/dbus.log" 2>&1 &
  UM_PIDS+=("$!")
  disown
  for _ in $(seq 50); do [ -S /run/user/0/bus ] && break; sleep 0.1; done
  [ -S /run/user/0/bus ] || { echo "dbus-daemon did not start" >&2; exit 1; }
  um_start_manager
}

um_restart() {
  kill -TERM "$UM_MANAGER_PID"
  for _ in $(seq 50); do kill -0 "$UM_MANAGER_PID" 2>/dev/null || break; sleep 0.1; done
  kill -9 "$UM_MANAGER_PID" 2>/dev/null
  { wait "$UM_MANAGER_PID"; } 2>/dev/null
  um_start_manager
}

# The unit's cgroup path as the manager reports it.
um_cgroup_of() { systemctl --user show -p ControlGroup --value "$1"; }

um_hog() {
  local unit=$1 slice=$2 size=$3 v1dir="" procs=""
  shift 3
  if [ -d /run/unitoomd-v1mem ]; then
    v1dir=/run/unitoomd-v1mem$(sed -n 's/^[0-9]*:memory://p' /proc/self/cgroup)/$UM_NAME-$unit
    mkdir "$v1dir" || um_skip "cannot create a v1 memory cgroup for the memory limit"
    UM_V1+=("$v1dir")
    echo "$size" > "$v1dir/memory.limit_in_bytes"
    procs=$v1dir/cgroup.procs
  fi
  bash -c '{ [ -z "$1" ] || echo $$ > "$1"; } && shift && exec "$@"' _ "$procs" \
    systemd-run --user --scope --quiet --slice="$slice" --unit="$unit" "$@" &
  UM_PIDS+=("$!")
  disown  # its death by our hand is the point: no "Killed" job notice
  for _ in $(seq 50); do systemctl --user -q is-active "$unit" && return 0; sleep 0.1; done
  echo "$unit did not start" >&2
  return 1
}

# Full memory stall of a unit's cgroup over the last second, in percent.
um_full_stall() {
  local f=/sys/fs/cgroup$(um_cgroup_of "$1")/memory.pressure a b
  a=$(awk '/^full/{split($5,t,"="); print t[2]}' "$f")
  sleep 1
  b=$(awk '/^full/{split($5,t,"="); print t[2]}' "$f")
  echo $(( (b - a) / 10000 ))
}
