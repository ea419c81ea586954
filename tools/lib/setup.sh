# Shared set-up for tools/test, tools/demo and tools/bench: install what is
# missing (Debian 12 packages only), then configure and build build/.
# shellcheck shell=bash

UNITOOMD_PACKAGES=(g++ gcc meson ninja-build pkg-config libsystemd-dev scdoc libgtest-dev libgmock-dev python3 bc dbus systemd util-linux procps passwd
  dbus-user-session python3-gi gir1.2-glib-2.0  # the desktop scenario: users' session buses, GLib's GMemoryMonitor
  clang libclang-rt-14-dev  # build-asan: ASan, UBSan and libFuzzer (tools/test, tools/fuzz)
  dpkg-dev debhelper fakeroot lintian cpio git  # tools/deb and the package test: dpkg-buildpackage, lintian
  python3-prometheus-client)  # the metrics test parses unitoomctl's OpenMetrics with the reference parser

# Files the tools and tests write (configs, rulesets) must not be writable
# by others: unitoomd refuses such config files, whatever the caller's umask.
umask 022

repo_root() { cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd; }

ensure_packages() {
  local missing=()
  for p in "${UNITOOMD_PACKAGES[@]}" "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "installing: ${missing[*]}"
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo=sudo
  $sudo apt-get update -q >/dev/null
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q "${missing[@]}" >/dev/null
}

# Both trees treat a warning as an error (gcc here, clang in build-asan, both
# at meson.build's warning_level): the code builds warning-free with both.
# Trees made before that keep their setting: `meson configure build -Dwerror=true`.
build_tree() {
  local root
  root=$(repo_root)
  if [ ! -f "$root/build/build.ninja" ]; then
    meson setup "$root/build" "$root" -Dwerror=true >/dev/null
  fi
  ninja -C "$root/build"
}

# build-asan: the same sources built by clang with ASan and UBSan (not
# libsystemd, which is not instrumented), and libFuzzer's
# instrumentation for the fuzz targets of test/fuzz (-Dfuzzing=true).
build_asan_tree() {
  local root
  root=$(repo_root)
  if [ ! -f "$root/build-asan/build.ninja" ]; then
    CC=clang CXX=clang++ meson setup "$root/build-asan" "$root" -Db_sanitize=address,undefined -Db_lundef=false \
      -Dfuzzing=true -Dwerror=true >/dev/null || return 1
  fi
  ninja -C "$root/build-asan"
}

# What a sanitizer finds fails the test that ran into it.
export_sanitizer_options() {
  export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
  export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
}

# The system-container lab runs systemd-nspawn, which Debian ships in
# systemd-container. Installing that package would enable machines.target on
# the host, so its .deb (the version matching the installed systemd, whose
# libsystemd-shared it links against) is unpacked into a cache instead.
UNITOOMD_LAB_CACHE=/var/cache/unitoomd-lab

lab_nspawn_dir() { echo "$UNITOOMD_LAB_CACHE/systemd-container-$(dpkg-query -W -f='${Version}' systemd 2>/dev/null)"; }

ensure_nspawn() {
  local dir
  dir=$(lab_nspawn_dir)
  [ -x "$dir/usr/bin/systemd-nspawn" ] && return 0
  unpack_systemd_package systemd-container "$dir" "the system-container lab"
}

# unpack_systemd_package PACKAGE DIR WHY: PACKAGE at the installed systemd's
# version (its binaries link against that libsystemd-shared), downloaded and
# unpacked into DIR, never installed. apt's lists are refreshed only if the
# first download fails; a download is bounded so a dead mirror fails quickly.
unpack_systemd_package() {
  local package=$1 dir=$2 why=$3 version tmp rc
  version=$(dpkg-query -W -f='${Version}' systemd) || return 1
  echo "fetching $package $version for $why (unpacked in $dir, not installed)"
  mkdir -p "$UNITOOMD_LAB_CACHE" && tmp=$(mktemp -d "$UNITOOMD_LAB_CACHE.XXXXXX") || return 1
  chmod 755 "$tmp"
  if ! (cd "$tmp" && timeout 120 apt-get download -q "$package=$version" >/dev/null 2>&1); then
    apt-get update -q >/dev/null && (cd "$tmp" && timeout 120 apt-get download -q "$package=$version" >/dev/null 2>&1) ||
      { echo "cannot download $package $version"; rm -rf "$tmp"; return 1; }
  fi
  dpkg-deb -x "$tmp/${package}_"*.deb "$tmp/x" && rm -rf "$dir" && mv "$tmp/x" "$dir"
  rc=$?
  rm -rf "$tmp"
  return $rc
}

# Debian's systemd-oomd (its oomctl and unit), unpacked beside nspawn, not
# installed: installing it would start a second OOM killer on the host. The
# system-conventions scenario runs its real oomctl against unitoomd.
lab_oomd_dir() { echo "$UNITOOMD_LAB_CACHE/systemd-oomd-$(dpkg-query -W -f='${Version}' systemd 2>/dev/null)"; }

ensure_oomd() {
  local dir
  dir=$(lab_oomd_dir)
  [ -x "$dir/usr/bin/oomctl" ] && return 0
  unpack_systemd_package systemd-oomd "$dir" "the lab"
}
