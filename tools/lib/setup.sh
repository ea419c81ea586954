# Shared set-up for tools/test, tools/demo and tools/bench: install what is
# missing (Debian 12 packages only), then configure and build build/.
# shellcheck shell=bash

UNITOOMD_PACKAGES=(g++ gcc meson ninja-build pkg-config libsystemd-dev libsdbus-c++-dev libgtest-dev libgmock-dev python3 bc dbus systemd util-linux)

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

build_tree() {
  local root
  root=$(repo_root)
  if [ ! -f "$root/build/build.ninja" ]; then
    meson setup "$root/build" "$root" >/dev/null
  fi
  ninja -C "$root/build"
}
