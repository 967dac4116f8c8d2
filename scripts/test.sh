#!/usr/bin/env bash
# README command 2: install what is missing, build, and run the whole test suite:
# unit + integration tests (ctest), the sanitizer build of the unit tests, PromQL conformance
# against ../shared/promql-tests (when present) with its ratchet, and short fuzz runs.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
export TM_JOBS=${TM_JOBS:-$(nproc)}

echo "== release build"
scripts/build.sh release

echo "== tests (unit + integration)"
(cd build && ctest --output-on-failure -j "$TM_JOBS" --timeout 900)

echo "== sanitizer build (ASan+UBSan), unit tests"
scripts/build.sh asan
(cd build-asan && ctest --output-on-failure -j "$TM_JOBS" -LE integration --timeout 900)

if [[ -x scripts/conformance.sh ]]; then
  echo "== PromQL conformance"
  scripts/conformance.sh
fi

if [[ -x scripts/fuzz.sh ]]; then
  echo "== fuzzing (bounded)"
  scripts/fuzz.sh
fi
echo "== all tests passed"
