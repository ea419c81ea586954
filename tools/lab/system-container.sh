# A real systemd system manager as PID 1 of a container, for tests and benchmarks.
#
# Why systemd-nspawn on an overlay of the host's root: nspawn already does what a
# container for systemd needs (PID, mount, cgroup and UTS namespaces, /dev, /proc,
# /sys, a clean shutdown on SIGTERM), and an overlay of / with a tmpfs upper layer
# reuses the host's own systemd, dbus and logind without a download, while every
# write (journald, useradd, systemd-tmpfiles --boot) lands in the tmpfs and is gone
# at stop. The upper layer's /etc/systemd/system is opaque, so none of the host's
# enabled services start: the container boots lab.target (journald, the system bus,
# logind) in about a second. Nothing is mounted in the host's namespace.
#
# Source it from a script, then:
#   sc_reexec_in_namespace "$0" "$@"   re-runs the script in a private mount namespace
#                                      (exits 77, skipped, naming what the machine lacks)
#   sc_start NAME BUILD_DIR            installs unitoomd from BUILD_DIR into the
#                                      container's root (meson install --destdir, so the
#                                      shipped unit file), boots it, waits for "running";
#                                      the desktop drop-ins only with SC_DESKTOP_DEFAULTS=1;
#                                      nothing of unitoomd's with SC_NO_INSTALL=1
#   sc_in CMD...                       runs CMD inside (all the container's namespaces)
#   sc_add_user                        a test user with a real user@UID.service (lingering)
#   sc_limit_memory CGROUP SIZE        caps the memory of the processes in a container cgroup
#   sc_host_cgroup PATH                the host path of a container cgroup path
# On exit everything is undone, also after a failure or an interrupt: the container
# powered off (SIGTERM to nspawn, cgroup.kill as the last resort), its cgroups and the
# v1 memory cgroups removed. The lab's cache (the unpacked systemd-nspawn and the
# thrash file) lives in /var/cache/unitoomd-lab.
# shellcheck shell=bash

SC_LAB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../lib/setup.sh
source "$SC_LAB_DIR/../lib/setup.sh"

SC_CG=""
SC_SYSTEMD_CG=""
SC_LAUNCHER=""
SC_PID1=""
SC_V1=()
SC_USER=unitoomd-lab
SC_UID=""
SC_THRASH_FILE=$UNITOOMD_LAB_CACHE/thrash-256m.bin
SC_PRESSURE_GEN=/usr/libexec/unitoomd-lab/pressure-gen

sc_skip() { echo "SKIPPED: $*"; exit 77; }

# The host's cgroup2 mount: /sys/fs/cgroup/unified on hybrid hosts.
sc_cgroup2_root() {
  if [ -e /sys/fs/cgroup/unified/cgroup.procs ]; then echo /sys/fs/cgroup/unified
  elif [ -e /sys/fs/cgroup/cgroup.procs ]; then echo /sys/fs/cgroup
  fi
}

sc_reexec_in_namespace() {
  [ "$(id -u)" = 0 ] || sc_skip "needs root (mount namespace, overlayfs, cgroups)"
  command -v unshare >/dev/null || sc_skip "needs unshare (util-linux)"
  [ -x "$(lab_nspawn_dir)/usr/bin/systemd-nspawn" ] ||
    sc_skip "systemd-nspawn is not unpacked in $(lab_nspawn_dir) (./tools/test fetches it)"
  [ -n "$(sc_cgroup2_root)" ] || sc_skip "needs cgroup2"
  [ -e /proc/pressure/memory ] || sc_skip "kernel without PSI (boot with psi=1)"
  grep -qw overlay /proc/filesystems || modprobe overlay 2>/dev/null || sc_skip "needs overlayfs"
  [ -n "${SC_IN_NAMESPACE:-}" ] && return 0
  SC_IN_NAMESPACE=1 exec unshare -m --propagation private "$@"
}

sc_in() {
  nsenter -t "$SC_PID1" -a env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    TERM=dumb LANG=C.UTF-8 SYSTEMD_COLORS=0 "$@"
}

sc_launcher_alive() { [ -n "$SC_LAUNCHER" ] && kill -0 "$SC_LAUNCHER" 2>/dev/null; }

sc_wait_launcher_gone() {
  local _
  for _ in $(seq "$1"); do sc_launcher_alive || return 0; sleep 0.1; done
  return 1
}

sc_cleanup() {
  local d
  trap '' INT TERM  # a second Ctrl-C must not cut the cleanup short
  if sc_launcher_alive; then
    # nspawn turns SIGTERM into a clean shutdown of the container
    kill -TERM "$SC_LAUNCHER" 2>/dev/null
    sc_wait_launcher_gone 150 || { echo 1 > "$SC_CG/cgroup.kill"; sc_wait_launcher_gone 50; }
  fi
  [ -n "$SC_LAUNCHER" ] && { wait "$SC_LAUNCHER"; } 2>/dev/null
  # Anything still in our subtree (a container PID 1 re-parented after nspawn died)
  if [ -n "$SC_CG" ] && [ -d "$SC_CG" ]; then
    echo 1 > "$SC_CG/cgroup.kill" 2>/dev/null
    for _ in $(seq 50); do [ -z "$(find "$SC_CG" -name cgroup.procs -exec cat {} + 2>/dev/null)" ] && break; sleep 0.1; done
  fi
  for d in "$SC_CG" "$SC_SYSTEMD_CG"; do
    [ -n "$d" ] && [ -d "$d" ] && find "$d" -depth -type d -exec rmdir {} \; 2>/dev/null
  done
  for d in "${SC_V1[@]}"; do rmdir "$d" 2>/dev/null; done
  # After the container stopped, so after the leak check at the daemon's exit.
  sc_sanitizer_reports || exit 1
  return 0
}

# A sanitized build (tools/test's build-asan) installs a drop-in that sends
# the daemon's sanitizer reports to /var/log/unitoomd-sanitizers in the
# container (test/sanitizers/90-sanitizers.conf): any report there fails the
# scenario, whatever it did.
sc_sanitizer_reports() {
  local dir=${SC_DIR:-}/upper/var/log/unitoomd-sanitizers f failed=0
  [ -n "${SC_DIR:-}" ] && [ -d "$dir" ] || return 0
  for f in "$dir"/*; do
    [ -s "$f" ] || continue
    echo "FAIL: the sanitized unitoomd in the container reported ($(basename "$f")):"
    head -80 "$f"
    failed=1
  done
  return $failed
}

# The root of the container: an overlay of / whose upper layer (tmpfs) holds a
# minimal unit set, a fresh machine id and unitoomd installed from the build tree.
sc_make_root() {
  local build=$1 run=$SC_DIR upper=$SC_DIR/upper u
  mkdir -p "$upper/etc/systemd/system" "$run/work" "$run/root" "$run/stage"
  # SC_NO_INSTALL=1: a bare root, for the scenarios that install unitoomd
  # themselves (from the Debian package).
  if [ -z "${SC_NO_INSTALL:-}" ]; then
    meson install -C "$build" --no-rebuild --quiet --destdir "$run/stage" >/dev/null ||
      { echo "meson install into the container's root failed" >&2; return 1; }
  fi
  install -D -m 755 "$build/tools/pressure-gen" "$run/stage$SC_PRESSURE_GEN"
  # The desktop defaults (user@ pressure at 50% for 20 s, -.slice swap) would
  # override what a scenario sets; only the desktop scenarios keep them.
  [ -n "${SC_DESKTOP_DEFAULTS:-}" ] || find "$run/stage" -name '50-unitoomd-desktop.conf' -delete -o -name 50-desktop.conf -delete
  cp -a "$run/stage/." "$upper/"
  python3 -c 'import os,sys; os.setxattr(sys.argv[1], "trusted.overlay.opaque", b"y")' "$upper/etc/systemd/system"
  cat > "$upper/etc/systemd/system/lab.target" <<'UNIT'
[Unit]
Description=unitoomd lab: journald, the system bus, logind
Requires=basic.target
After=basic.target
Wants=dbus.service systemd-logind.service systemd-user-sessions.service
AllowIsolate=yes
UNIT
  ln -s lab.target "$upper/etc/systemd/system/default.target"
  for u in getty.target console-getty.service getty@.service container-getty@.service \
           systemd-ask-password-wall.path systemd-firstboot.service; do
    ln -s /dev/null "$upper/etc/systemd/system/$u"
  done
  systemd-id128 new > "$upper/etc/machine-id"
  echo lab > "$upper/etc/hostname"
  mount -t overlay unitoomd-lab-root -o "lowerdir=/,upperdir=$upper,workdir=$run/work" "$run/root"
}

sc_start() {
  SC_NAME=$1
  local build=$2 nspawn p state
  trap sc_cleanup EXIT
  trap 'exit 130' INT TERM
  # nspawn keeps its runtime files under /run (a plain directory on some hosts):
  # a private tmpfs there also holds the container's upper layer.
  mount -t tmpfs -o mode=755 unitoomd-lab-run /run || sc_skip "cannot mount in a private namespace"
  SC_DIR=/run/unitoomd-lab
  mkdir -p "$SC_DIR"
  sc_make_root "$build" || exit 1
  if [ ! -s "$SC_THRASH_FILE" ]; then
    "$build/tools/pressure-gen" --file "$SC_THRASH_FILE" --size-mib 256 --seconds 0.01 >/dev/null
    chmod 644 "$SC_THRASH_FILE"  # the test user's apps read it too
  fi

  SC_CG=$(sc_cgroup2_root)/$SC_NAME
  [ -d /sys/fs/cgroup/systemd ] && SC_SYSTEMD_CG=/sys/fs/cgroup/systemd/$SC_NAME
  mkdir "$SC_CG" || sc_skip "cannot create a cgroup"
  nspawn=$(lab_nspawn_dir)/usr/bin/systemd-nspawn
  # --register=no --keep-unit: the host may not run systemd, and nspawn must not ask
  # it for a scope. --link-journal=no, --resolv-conf=off, --timezone=off: nothing of
  # the host's is bound in. SYSTEMD_NSPAWN_UNIFIED_HIERARCHY: pure cgroup2 inside.
  ( echo "$BASHPID" > "$SC_CG/cgroup.procs" &&
    SYSTEMD_NSPAWN_UNIFIED_HIERARCHY=1 exec "$nspawn" --directory="$SC_DIR/root" --machine=lab \
      --boot --register=no --keep-unit --link-journal=no --private-network --console=read-only \
      --resolv-conf=off --timezone=off --bind-ro="$UNITOOMD_LAB_CACHE" ${SC_NSPAWN_ARGS:-} ) > "$SC_DIR/console.log" 2>&1 < /dev/null &
  SC_LAUNCHER=$!
  for _ in $(seq 150); do
    sc_launcher_alive || break
    if [ "$(readlink "/proc/$SC_LAUNCHER/exe")" = "$nspawn" ]; then
      for p in $(ps -o pid= --ppid "$SC_LAUNCHER"); do
        [ "$(cat "/proc/$p/comm" 2>/dev/null)" = systemd ] && SC_PID1=$p
      done
      [ -n "$SC_PID1" ] && break
    fi
    sleep 0.1
  done
  if [ -z "$SC_PID1" ]; then
    echo "the container's systemd did not start; console:" >&2
    tail -20 "$SC_DIR/console.log" >&2
    exit 1
  fi
  for _ in $(seq 100); do [ -S "/proc/$SC_PID1/root/run/systemd/private" ] && break; sleep 0.1; done
  state=$(timeout 60 nsenter -t "$SC_PID1" -a systemctl is-system-running --wait 2>/dev/null)
  if [ "$state" != running ]; then
    echo "the container's systemd is '$state', not running:" >&2
    sc_in systemctl --failed --no-pager >&2
    exit 1
  fi
}

sc_host_cgroup() { echo "$SC_CG/payload$1"; }

# A user with a real user@UID.service under the container's user.slice.
sc_add_user() {
  sc_in useradd -m -s /bin/bash "$SC_USER" || return 1
  SC_UID=$(sc_in id -u "$SC_USER")
  sc_in loginctl enable-linger "$SC_USER" || return 1
  for _ in $(seq 100); do
    [ "$(sc_in systemctl --user -M "$SC_USER@" is-system-running 2>/dev/null)" = running ] && return 0
    sleep 0.1
  done
  echo "user@$SC_UID.service did not start" >&2
  return 1
}

# systemctl/busctl/systemd-run of the test user's manager, run as that user.
sc_user() {
  sc_in runuser -u "$SC_USER" -- env XDG_RUNTIME_DIR="/run/user/$SC_UID" \
    DBUS_SESSION_BUS_ADDRESS="unix:path=/run/user/$SC_UID/bus" "$@"
}

# Caps the memory of the processes in a container cgroup. The container has no
# memory controller of its own on a hybrid host (all controllers stay bound to the
# host's v1 hierarchies), so the processes are moved into a v1 memory cgroup with a
# limit, a child of ours. Their cgroup2 group, and so the PSI that unitoomd reads,
# stays the unit's. Start the generator with --await-memory-cgroup: only charges
# made after the move count. With PIDs (host pids in that cgroup) only those
# are moved: the rest of the cgroup stays unlimited.
sc_limit_memory() {
  local cgroup=$1 size=$2 v1 procs p
  shift 2
  v1=/sys/fs/cgroup/memory$(sed -n 's/^[0-9]*:memory://p' /proc/self/cgroup)
  [ -d "$v1" ] || sc_skip "needs a v1 memory hierarchy to limit a container unit's memory (hybrid host)"
  v1=$v1/$SC_NAME-$(basename "$cgroup")
  mkdir "$v1" || return 1
  SC_V1+=("$v1")
  echo "$size" > "$v1/memory.limit_in_bytes"
  procs=${*:-$(cat "$(sc_host_cgroup "$cgroup")/cgroup.procs")} || return 1
  [ -n "$procs" ] || { echo "no processes in $cgroup to limit" >&2; return 1; }
  for p in $procs; do echo "$p" > "$v1/cgroup.procs" || return 1; done
}
