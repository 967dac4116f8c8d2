#!/usr/bin/env bash
# Builds the libFuzzer targets with clang and runs each for a bounded time (TM_FUZZ_SECONDS, default 30),
# starting from its checked-in corpus in tests/fuzz/corpus/<target>/. Any crash fails the run.
# TM_FUZZ_JOBS targets (default TM_JOBS, else one per core) run at once: each libFuzzer process is
# single-threaded, so every target still gets a whole core for its full time.
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${TM_FUZZ_SECONDS:-30}
# The targets are built with recoverable UBSan checks; halting makes undefined behaviour a finding
# (with an artifact) instead of a line in a log nobody reads.
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
jobs=${TM_FUZZ_JOBS:-${TM_JOBS:-$(nproc)}}
shopt -s nullglob
srcs=(tests/fuzz/*_fuzz.cc)
((${#srcs[@]})) || { echo "fuzz: no targets"; exit 0; }
targets=()
for s in "${srcs[@]}"; do targets+=("$(basename "$s" .cc)"); done
scripts/build.sh fuzz "${targets[@]}"

# Runs one target; prints its final status line, or on a finding the log's tail and where the
# artifacts are. The output is printed at once at the end, so parallel runs do not interleave.
fuzz_one() {
  local t=$1 corpus=tests/fuzz/corpus/$1 work seeds=()
  work=$(mktemp -d)
  [[ -d $corpus ]] && seeds=("$corpus")
  # -timeout: an input that loops is reported (with an artifact) long before the RSS limit, where
  # libFuzzer may hang without writing one.
  if build-fuzz/tests/fuzz/$t -max_total_time="$secs" -max_len=65536 -rss_limit_mb=2048 -timeout=30 \
       -artifact_prefix="$work/" "$work" "${seeds[@]}" >"$work/log" 2>&1; then
    echo "fuzz: $t: $(grep -E "^(#[0-9]+.*DONE|Done)" "$work/log" | tail -1)"
    rm -rf "$work"
  else
    printf '%s\nfuzz: %s FAILED (artifacts in %s)\n' "$(tail -50 "$work/log")" "$t" "$work"
    return 1
  fi
}

# TM_FUZZ_SKIP="a b" builds targets a and b but does not run them (while a finding is open).
skip=" ${TM_FUZZ_SKIP-} "
failed=0
running=0
for t in "${targets[@]}"; do
  if [[ "$skip" == *" $t "* ]]; then echo "fuzz: $t built, not run (TM_FUZZ_SKIP)"; continue; fi
  echo "fuzz: $t for ${secs}s"
  fuzz_one "$t" &
  running=$((running + 1))
  if ((running >= jobs)); then
    wait -n || failed=1
    running=$((running - 1))
  fi
done
while ((running > 0)); do
  wait -n || failed=1
  running=$((running - 1))
done
((failed == 0)) || { echo "fuzz: a target FAILED (see above)"; exit 1; }
