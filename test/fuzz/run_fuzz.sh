#!/bin/bash
# run_fuzz.sh TARGET SEEDS_DIR REGRESSIONS_DIR [WORK_CORPUS_DIR]
# Replays every saved input of the target once (its seeds and the inputs that
# once crashed it), then fuzzes it for $UNITOOMD_FUZZ_SECONDS (default 15)
# from those inputs. New inputs go to WORK_CORPUS_DIR (default: a temporary
# directory, removed), never into the source tree. A crash, a sanitizer
# report, a leak, a hang of over 10 s or over 2 GiB of memory fails, with the
# input saved under $UNITOOMD_FUZZ_ARTIFACTS (default: fuzz-artifacts/ beside
# the target).
set -u
target=$1 seeds=$2 regressions=$3 work=${4:-}
seconds=${UNITOOMD_FUZZ_SECONDS:-15}
name=$(basename "$target")
artifacts=${UNITOOMD_FUZZ_ARTIFACTS:-$(dirname "$target")/fuzz-artifacts}/$name
mkdir -p "$artifacts"
if [ -z "$work" ]; then
  work=$(mktemp -d "/tmp/$name.XXXXXX")
  trap 'rm -rf "$work"' EXIT
fi
mkdir -p "$work"
dirs=()
for d in "$seeds" "$regressions"; do [ -d "$d" ] && dirs+=("$d"); done

opts=(-timeout=10 -rss_limit_mb=2048 -artifact_prefix="$artifacts/" -print_final_stats=1)
echo "== $name: replaying ${dirs[*]}"
"$target" "${opts[@]}" -runs=0 "${dirs[@]}" 2>&1 | tail -5
[ "${PIPESTATUS[0]}" = 0 ] || { echo "FAIL: $name crashed on a saved input (see above; artifacts in $artifacts)"; exit 1; }

echo "== $name: fuzzing for $seconds s"
log=$(mktemp "/tmp/$name-log.XXXXXX")
"$target" "${opts[@]}" -max_total_time="$seconds" "$work" "${dirs[@]}" > "$log" 2>&1
rc=$?
if [ $rc != 0 ]; then
  # the report, not thousands of progress lines
  grep -v -E '^#[0-9]+\s+(NEW|REDUCE|pulse|INITED)' "$log" | tail -80
  rm -f "$log"
  echo "FAIL: $name (exit $rc); the input is in $artifacts: keep it in $(dirname "$regressions")/$(basename "$regressions") once fixed"
  exit 1
fi
grep -E '^(stat::|Done|INFO: seed corpus)' "$log"
echo "corpus: $(find "$work" -type f | wc -l) new inputs"
rm -f "$log"
