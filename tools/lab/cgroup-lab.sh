# A sandbox of real cgroup2 groups for tests, the demo and benchmarks.
# Source it, then:
#   lab_init NAME            creates <cgroup2>/NAME, sets LAB_ROOT LAB_CG LAB_WORK; exits 77 (skip)
#                            with the reason when the machine cannot do it
#   lab_group SUB            creates LAB_CG/SUB
#   lab_limit SUB SIZE       memory limit for processes later started in SUB (cgroup2 memory.max,
#                            else a child of our own v1 memory cgroup on hybrid hosts)
#   lab_spawn SUB CMD...     runs CMD in SUB (and its limit) in the background; sets LAB_PID
# Everything is undone on exit: processes killed by PID, cgroups removed deepest first.
# shellcheck shell=bash

LAB_PIDS=()
LAB_V1=()
LAB_GROUPS=()
LAB_WORK=""

lab_skip() { echo "SKIPPED: $*"; exit 77; }

lab_cleanup() {
  local p d
  for p in "${LAB_PIDS[@]}"; do kill -9 "$p" 2>/dev/null; done
  for p in "${LAB_PIDS[@]}"; do wait "$p" 2>/dev/null; done
  for d in "${LAB_V1[@]}"; do rmdir "$d" 2>/dev/null; done
  for ((i = ${#LAB_GROUPS[@]} - 1; i >= 0; i--)); do rmdir "${LAB_GROUPS[i]}" 2>/dev/null; done
  [ -n "$LAB_WORK" ] && rm -rf "$LAB_WORK"
  return 0
}

lab_init() {
  local name=$1 r
  [ "$(id -u)" = 0 ] || lab_skip "needs root (creates cgroups)"
  LAB_ROOT=""
  for r in /sys/fs/cgroup /sys/fs/cgroup/unified; do [ -e $r/cgroup.controllers ] && { LAB_ROOT=$r; break; }; done
  [ -n "$LAB_ROOT" ] || lab_skip "no cgroup2 hierarchy mounted"
  LAB_NAME=$name
  LAB_CG=$LAB_ROOT/$name
  trap lab_cleanup EXIT
  trap 'exit 130' INT TERM
  mkdir "$LAB_CG" 2>/dev/null || lab_skip "cannot create cgroups under $LAB_ROOT"
  LAB_GROUPS+=("$LAB_CG")
  [ -e "$LAB_CG/memory.pressure" ] || lab_skip "kernel without PSI (no memory.pressure; boot with psi=1)"
  LAB_WORK=$(mktemp -d /var/tmp/unitoomd-lab.XXXXXX)
  [ "$(stat -f -c %T "$LAB_WORK")" != tmpfs ] || lab_skip "/var/tmp is tmpfs: its pages cannot be evicted without swap"
}

lab_group() {
  mkdir -p "$LAB_CG/$1"
  LAB_GROUPS+=("$LAB_CG/$1")
}

declare -A LAB_LIMIT_PROCS
lab_limit() {
  local sub=$1 size=$2 memp
  if [ -e "$LAB_CG/$sub/memory.max" ]; then
    echo "$size" > "$LAB_CG/$sub/memory.max"
    return
  fi
  memp=/sys/fs/cgroup/memory$(sed -n 's/^[0-9]*:memory://p' /proc/self/cgroup)
  [ -d "$memp" ] && mkdir "$memp/$LAB_NAME-${sub//\//-}" 2>/dev/null ||
    lab_skip "no memory controller to limit $sub (neither cgroup2 memory.max nor a v1 memory cgroup)"
  LAB_V1+=("$memp/$LAB_NAME-${sub//\//-}")
  echo "$size" > "$memp/$LAB_NAME-${sub//\//-}/memory.limit_in_bytes"
  LAB_LIMIT_PROCS[$sub]="$memp/$LAB_NAME-${sub//\//-}/cgroup.procs"
}

lab_spawn() {
  local sub=$1
  shift
  local v1=${LAB_LIMIT_PROCS[$sub]:-}
  bash -c 'echo $$ > "$1/cgroup.procs" && { [ -z "$2" ] || echo $$ > "$2"; } && shift 2 && exec "$@"' _ "$LAB_CG/$sub" "$v1" "$@" &
  LAB_PID=$!
  LAB_PIDS+=("$LAB_PID")
}

# The last 1 s of full memory stall of a group, in percent, from two reads of total=.
lab_full_stall() {
  awk '/^full/{split($5,t,"="); print t[2]}' "$LAB_CG/$1/memory.pressure"
}
