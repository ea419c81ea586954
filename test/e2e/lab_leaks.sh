#!/bin/bash
# Runs after every other end-to-end scenario (lowest priority): fails if any of
# them left something behind — processes of the lab, cgroups it made (cgroup2,
# the name=systemd mirror, v1 memory limits), scratch directories.
set -u
leaks=()
for p in $(pgrep -x systemd-nspawn) $(pgrep -x pressure-gen) $(pgrep -x unitoomd) $(pgrep -f 'tools/lab/psi-cross.py') \
         $(pgrep -x qemu-system-x86); do  # comm is cut at 15 characters
  [ "$(awk '{print $3}' "/proc/$p/stat" 2>/dev/null)" = Z ] && continue  # exiting, reaped in a moment
  leaks+=("process $p ($(tr '\0' ' ' < "/proc/$p/cmdline" 2>/dev/null))")
done
for p in $(pgrep -f 'dbus-daemon --session --address=unix:path=/run/user/0/bus'); do leaks+=("process $p (a lab's dbus-daemon)"); done
v1=/sys/fs/cgroup/memory$(sed -n 's/^[0-9]*:memory://p' /proc/self/cgroup)
for d in /sys/fs/cgroup/unified/unitoomd-* /sys/fs/cgroup/systemd/unitoomd-* /sys/fs/cgroup/unitoomd-* "$v1"/unitoomd-*; do
  [ -d "$d" ] && leaks+=("cgroup $d")
done
# What the labs make: tools/lab/cgroup-lab.sh (integration tests, benchmarks),
# tools/lab/user-manager.sh, and the PSI yardstick's output.
for d in /var/tmp/unitoomd-lab.* /var/tmp/unitoomd-um.* /run/unitoomd-psi-cross.* /root/unitoomd-checkout-test.* \
         /tmp/unitoomd-checkout-test.*; do [ -e "$d" ] && leaks+=("scratch $d"); done
if [ ${#leaks[@]} -gt 0 ]; then
  printf 'LEAKED: %s\n' "${leaks[@]}"
  exit 1
fi
echo "nothing left behind by the end-to-end scenarios"
