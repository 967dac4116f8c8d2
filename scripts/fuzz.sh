#!/usr/bin/env bash
# Builds the libFuzzer targets with clang and runs each for a bounded time (TM_FUZZ_SECONDS, default 30),
# starting from its checked-in corpus in tests/fuzz/corpus/<target>/. Any crash fails the run.
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${TM_FUZZ_SECONDS:-30}
shopt -s nullglob
srcs=(tests/fuzz/*_fuzz.cc)
((${#srcs[@]})) || { echo "fuzz: no targets"; exit 0; }
targets=()
for s in "${srcs[@]}"; do targets+=("$(basename "$s" .cc)"); done
scripts/build.sh fuzz "${targets[@]}"
# TM_FUZZ_SKIP="a b" builds targets a and b but does not run them (while a finding is open).
skip=" ${TM_FUZZ_SKIP-} "
for t in "${targets[@]}"; do
  if [[ "$skip" == *" $t "* ]]; then echo "fuzz: $t built, not run (TM_FUZZ_SKIP)"; continue; fi
  corpus=tests/fuzz/corpus/$t
  work=$(mktemp -d)
  seeds=()
  [[ -d $corpus ]] && seeds=("$corpus")
  echo "fuzz: $t for ${secs}s"
  # -timeout: an input that loops is reported (with an artifact) long before the RSS limit, where
  # libFuzzer may hang without writing one.
  build-fuzz/tests/fuzz/$t -max_total_time="$secs" -max_len=65536 -rss_limit_mb=2048 -timeout=30 \
    -artifact_prefix="$work/" "$work" "${seeds[@]}" >"$work/log" 2>&1 || {
    tail -50 "$work/log"; echo "fuzz: $t FAILED (artifacts in $work)"; exit 1; }
  grep -E "^(#[0-9]+.*DONE|Done)" "$work/log" | tail -1 || true
  rm -rf "$work"
done
