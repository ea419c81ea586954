#!/bin/bash
# Boots the lab VM (tools/vmlab/build.sh made it) to run scenarios with one
# OOM killer, and collects the results the guest prints on its console.
#
#   tools/vmlab/run.sh KILLER SCENARIOS RUNS [DURATION_S] [RESULTS_FILE]
#     KILLER     unitoomd | systemd-oomd | earlyoom | nohang, or several
#                comma-separated (they take turns, run by run, in one boot)
#     SCENARIOS  comma-separated: pressure, stalled, stalleddbus, swap, ...
#                (guest/vmlab-run.sh lists them all)
#     RESULTS    appended, one JSON object per run (default build/vmlab-results.jsonl)
#
# VMLAB_APPEND: more on the guest's kernel command line (vmlab.debug=1: the
# idle scenarios log unitoomd at debug level in their window;
# vmlab.exittrace=1: each swap run's kernel trace from the crossing to the
# hog's death, for tools/vmlab/exit_trace.py).
# VMLAB_COLLECT=DIR: what the guest keeps per run (the exit traces) comes
# back through a results disk (its /dev/vdc) into DIR, and host_sampler.py
# records in DIR/host.txt what the host gave QEMU's threads meanwhile.
# The image is never changed (QEMU -snapshot); QEMU is bounded by a timeout
# and killed by PID on exit; the serial log is kept beside the results.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
# shellcheck source=../lib/setup.sh
source "$ROOT/tools/lib/setup.sh"
KILLER=$1 SCENARIOS=$2 RUNS=$3 DURATION=${4:-2} RESULTS=${5:-$ROOT/build/vmlab-results.jsonl}
VM=$UNITOOMD_LAB_CACHE/vm
[ -s "$VM/root.img" ] || { echo "SKIPPED: no VM image; run tools/vmlab/build.sh"; exit 77; }
command -v qemu-system-x86_64 >/dev/null || { echo "SKIPPED: needs qemu-system-x86_64"; exit 77; }
# Software emulation: this host's /dev/kvm exists but QEMU aborts on it
# ("failed to set MSR 0x10a"), with -cpu max and -cpu host alike.
ACCEL=(-accel tcg,thread=multi)
LOG=${RESULTS%.jsonl}-$KILLER-$(date +%H%M%S).log
mkdir -p "$(dirname "$RESULTS")"
QEMU=""
# QEMU is the child of `timeout`: both go, QEMU first (a killed timeout
# would leave it running).
cleanup() { [ -n "$QEMU" ] && { pkill -9 -P "$QEMU" 2>/dev/null; kill -9 "$QEMU" 2>/dev/null; }; wait 2>/dev/null; collect; }
COLLECT_DRIVE=()
if [ -n "${VMLAB_COLLECT:-}" ]; then
  mkdir -p "$VMLAB_COLLECT"
  rm -f "$VMLAB_COLLECT/results.img" && truncate -s 1536M "$VMLAB_COLLECT/results.img"
  # (snapshot=off: -snapshot would keep the guest's writes in a temporary file)
  COLLECT_DRIVE=(-drive "file=$VMLAB_COLLECT/results.img,format=raw,if=virtio,cache=unsafe,snapshot=off")
fi
# the guest wrote a tar into each 64 MiB slot of the results disk, in turn
collect() {
  [ -n "${VMLAB_COLLECT:-}" ] && [ -f "$VMLAB_COLLECT/results.img" ] || return 0
  local slot=0
  # (a slot never written reads as zeros)
  while [ $slot -lt 24 ] && [ -n "$(dd if="$VMLAB_COLLECT/results.img" bs=512 skip=$((slot * 131072)) count=1 status=none | tr -d '\0')" ]; do
    dd if="$VMLAB_COLLECT/results.img" bs=1M skip=$((slot * 64)) count=64 status=none | tar -C "$VMLAB_COLLECT" -x
    slot=$((slot + 1))
  done
  rm -f "$VMLAB_COLLECT/results.img"
  echo "collected $slot run(s) into $VMLAB_COLLECT"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
# A bound for the whole boot: 5 minutes a run and scenario (a swap run on a
# loaded host took 4), 10 for idle1000 (starting and stopping 1,000 units,
# up to 180 s of settling, the 60 s window), never under 25 minutes.
IFS=, read -ra SCENARIO_LIST <<< "$SCENARIOS"
BOUND=0
for s in "${SCENARIO_LIST[@]}"; do
  if [ "$s" = idle1000 ]; then BOUND=$((BOUND + 600 * RUNS)); else BOUND=$((BOUND + 300 * RUNS)); fi
done
[ "$BOUND" -ge 1500 ] || BOUND=1500
# (debug-threads: QEMU names its vCPU threads "CPU N/TCG", for host_sampler.py)
timeout "$BOUND" qemu-system-x86_64 "${ACCEL[@]}" -name vmlab,debug-threads=on -cpu max -m 2048 -smp 2 \
  -display none -monitor none -serial "file:$LOG" -no-reboot -nic none -snapshot \
  -kernel "$VM/vmlinuz" -initrd "$VM/initrd.img" \
  -drive "file=$VM/root.img,format=raw,if=virtio,cache=unsafe" \
  -drive "file=$VM/swap.img,format=raw,if=virtio,cache=unsafe" "${COLLECT_DRIVE[@]}" \
  -append "root=/dev/vda rw console=ttyS0 systemd.unified_cgroup_hierarchy=1 panic=-1 quiet vmlab.run=$SCENARIOS vmlab.killer=$KILLER vmlab.runs=$RUNS vmlab.duration=$DURATION ${VMLAB_APPEND:-}" \
  </dev/null >/dev/null 2>&1 &
QEMU=$!
SAMPLER=""
if [ -n "${VMLAB_COLLECT:-}" ]; then
  # QEMU itself, the child of timeout (once it has been exec'd)
  for _ in $(seq 50); do Q=$(pgrep -P "$QEMU" -x qemu-system-x86) && break; sleep 0.1; done
  [ -n "$Q" ] && { "$HERE/host_sampler.py" "$Q" "$LOG" "$VMLAB_COLLECT/host.txt" & SAMPLER=$!; }
fi
wait "$QEMU"
rc=$?
QEMU=""
[ -n "$SAMPLER" ] && wait "$SAMPLER"
collect
grep -a -o 'VMLAB-RESULT {.*}' "$LOG" | sed 's/^VMLAB-RESULT //' | tee -a "$RESULTS"
grep -a -q "vmlab: done" "$LOG" || { echo "the VM did not finish (qemu exit $rc); its console: $LOG"; tail -20 "$LOG"; exit 1; }
