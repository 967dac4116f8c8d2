#!/usr/bin/env bash
# README command 2: install what is missing, build, and run the whole test suite:
# unit + integration tests (ctest), PromQL conformance against ../shared/promql-tests (when
# present) with its ratchet, short fuzz runs, and the sanitizer build of the unit tests.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
export TM_JOBS=${TM_JOBS:-$(nproc)}

scripts/check-layering.sh

echo "== release build"
scripts/build.sh release

echo "== tests (unit + integration)"
(cd build && ctest --output-on-failure -j "$TM_JOBS" --timeout 900)

echo "== PromQL conformance"
scripts/conformance.sh

echo "== fuzzing (bounded)"
scripts/fuzz.sh

echo "== sanitizer build (ASan+UBSan), unit tests"
scripts/build.sh asan
(cd build-asan && ctest --output-on-failure -j "$TM_JOBS" -LE 'integration|bench' --timeout 900)
