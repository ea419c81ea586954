#!/bin/bash
# Builds the VM lab's image: Debian bookworm (the host's release, so binaries
# built here run there), Debian's kernel, systemd 252 as PID 1 with cgroup2 and
# the memory controller, swap, PSI, and the OOM killers to compare:
# systemd-oomd, earlyoom, nohang (all installed, all masked: a run unmasks the
# one it measures) and unitoomd from the build tree (meson install --destdir).
#
#   tools/vmlab/build.sh [BUILD_DIR]      (default: build)
#
# VMLAB_VARIANTS="NAME=DIR ...": more unitoomd daemons, each DIR's
# src/unitoomd, installed beside it as /usr/local/lib/vmlab/NAME/unitoomd;
# the killer unitoomd@NAME runs that binary in unitoomd.service (builds of
# one source with other flags, measured side by side in one boot).
#
# Output in /var/cache/unitoomd-lab/vm: root.img, swap.img, vmlinuz, initrd.img.
# The debootstrapped tree is cached and made again only when the package list
# below changes; every run re-installs unitoomd and the guest scripts and
# re-makes root.img (a few seconds).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
BUILD=$(cd "${1:-$ROOT/build}" && pwd)
# shellcheck source=../lib/setup.sh
source "$ROOT/tools/lib/setup.sh"
VM=$UNITOOMD_LAB_CACHE/vm
R=$VM/rootfs
# libsdbus-c++1: unitoomd no longer links it, but builds from before (main's,
# measured beside a branch's with VMLAB_VARIANTS) do; it goes when they are
# gone (the package list is the cached tree's stamp: changing it rebuilds it).
PACKAGES=systemd,systemd-sysv,systemd-oomd,dbus,udev,linux-image-cloud-amd64,procps,util-linux,kmod,stress-ng,\
libsdbus-c++1,python3,earlyoom,nohang
STAMP="$PACKAGES bookworm minbase"

[ "$(id -u)" = 0 ] || { echo "build.sh needs root (debootstrap, chroot)"; exit 1; }
ensure_packages qemu-system-x86 qemu-utils debootstrap e2fsprogs
mkdir -p "$VM"
if [ "$(cat "$VM/rootfs.stamp" 2>/dev/null)" != "$STAMP" ]; then
  echo "debootstrap of the guest (about 2 minutes)"
  rm -rf "$R" "$VM/rootfs.stamp"
  MIRROR=$(awk '/^URIs:/{print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
  debootstrap --variant=minbase --include="$PACKAGES" bookworm "$R" "${MIRROR:-http://deb.debian.org/debian}" > "$VM/debootstrap.log" 2>&1 ||
    { tail -20 "$VM/debootstrap.log"; exit 1; }
  echo "$STAMP" > "$VM/rootfs.stamp"
fi

# The guest's configuration (idempotent)
echo vmlab > "$R/etc/hostname"
printf '127.0.0.1 localhost\n127.0.1.1 vmlab\n' > "$R/etc/hosts"
printf '/dev/vda / ext4 rw,relatime 0 1\n/dev/vdb none swap sw 0 0\n' > "$R/etc/fstab"
chroot "$R" passwd -d root >/dev/null
rm -f "$R"/etc/systemd/system/timers.target.wants/{apt-daily-upgrade,apt-daily,dpkg-db-backup,e2scrub_all,fstrim}.timer
# the killers start masked; a run unmasks the one it measures (never two at once)
for u in systemd-oomd.service systemd-oomd.socket earlyoom.service nohang.service nohang-desktop.service; do
  ln -sf /dev/null "$R/etc/systemd/system/$u"
done
mkdir -p "$R/etc/systemd/system/systemd-oomd.service.d"
printf '[Unit]\nAfter=swap.target\n' > "$R/etc/systemd/system/systemd-oomd.service.d/after-swap.conf"
# unitoomd from the build tree, as a package would install it
meson install -C "$BUILD" --no-rebuild --quiet --destdir "$R" >/dev/null
rm -rf "$R/usr/local/lib/vmlab"
for v in ${VMLAB_VARIANTS:-}; do
  install -D -m 755 "$(cd "${v#*=}" && pwd)/src/unitoomd" "$R/usr/local/lib/vmlab/${v%%=*}/unitoomd"
done
install -D -m 755 "$BUILD/tools/pressure-gen" "$R/usr/local/bin/pressure-gen"
install -D -m 755 "$ROOT/tools/lab/psi-cross.py" "$R/usr/local/bin/psi-cross.py"
install -D -m 755 "$HERE/guest/cgroup-emptied.py" "$R/usr/local/bin/cgroup-emptied.py"
install -D -m 755 "$HERE/guest/resident-pages.py" "$R/usr/local/bin/resident-pages.py"
install -D -m 755 "$HERE/guest/vmlab-run.sh" "$R/usr/local/sbin/vmlab-run.sh"
install -D -m 644 "$HERE/guest/vmlab-run.service" "$R/etc/systemd/system/vmlab-run.service"
ln -sf /etc/systemd/system/vmlab-run.service "$R/etc/systemd/system/multi-user.target.wants/vmlab-run.service"
mkdir -p "$R/root/results"

cp "$R"/boot/vmlinuz-*-cloud-amd64 "$VM/vmlinuz"
cp "$R"/boot/initrd.img-*-cloud-amd64 "$VM/initrd.img"
rm -f "$VM/root.img" && truncate -s 3G "$VM/root.img"
mkfs.ext4 -q -F -L vmroot -d "$R" "$VM/root.img"
if [ ! -s "$VM/swap.img" ]; then truncate -s 512M "$VM/swap.img" && mkswap -L vmswap "$VM/swap.img" >/dev/null; fi
echo "image ready in $VM"
