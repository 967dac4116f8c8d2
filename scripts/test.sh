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

echo "== Release (-O3) build of one small target with GCC, as a packager builds"
# The scripts' builds are RelWithDebInfo (-O2); GCC warns about some things only at -O3. The
# default build does not use -Werror (TM_WERROR), so this one turns it on to catch them.
if [[ ! -f build-release/build.ninja ]]; then
  cmake -S . -B build-release -G Ninja -DCMAKE_BUILD_TYPE=Release -DTM_WERROR=ON \
    -DTM_BUILD_TESTS=OFF -DCMAKE_CXX_COMPILER=g++ >/dev/null
fi
cmake --build build-release -j "$TM_JOBS" --target tm_e2e_load

echo "== tests (unit + integration)"
(cd build && ctest --output-on-failure -j "$TM_JOBS" --timeout 900)

echo "== PromQL conformance"
scripts/conformance.sh

echo "== fuzzing (bounded)"
scripts/fuzz.sh

echo "== sanitizer build (ASan+UBSan), unit tests"
scripts/build.sh asan
(cd build-asan && ctest --output-on-failure -j "$TM_JOBS" -LE 'integration|bench' --timeout 900)
