#!/usr/bin/env bash
# Configures and builds one build tree. Usage: scripts/build.sh [release|asan|fuzz] [ninja targets...]
set -euo pipefail
cd "$(dirname "$0")/.."
kind=${1:-release}
shift || true
jobs=${TM_JOBS:-$(nproc)}
case "$kind" in
  release) dir=build; flags=(-DCMAKE_BUILD_TYPE=RelWithDebInfo) ;;
  # The sanitizer and fuzz builds run no browser test, so they skip the web UI's npm build.
  asan) dir=build-asan; flags=(-DCMAKE_BUILD_TYPE=Debug -DTM_SANITIZE=ON -DTM_BUILD_BENCH=OFF -DTM_WEB_UI=OFF) ;;
  fuzz) dir=build-fuzz; flags=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DTM_FUZZ=ON -DTM_BUILD_TESTS=OFF
          "-DCMAKE_CXX_FLAGS=-fsanitize=fuzzer-no-link,address,undefined"
          -DTM_BUILD_BENCH=OFF -DTM_WEB_UI=OFF -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++) ;;
  *) echo "unknown build kind: $kind" >&2; exit 2 ;;
esac
# Compile through ccache when it is installed and the caller named no launcher: where the cache
# directory persists (CI on the same machine, a developer's tree), unchanged files cost nothing.
# Read when a tree is configured.
if command -v ccache >/dev/null 2>&1 && [[ -z ${CMAKE_CXX_COMPILER_LAUNCHER-} ]]; then
  export CMAKE_CXX_COMPILER_LAUNCHER=ccache CMAKE_C_COMPILER_LAUNCHER=ccache
fi
# The project's own builds treat warnings as errors (TM_WERROR); a tree configured before the
# option existed is reconfigured once to turn it on (likewise for TM_WEB_UI).
flags+=(-DTM_WERROR=ON)
if [[ ! -f "$dir/build.ninja" ]] || ! grep -q '^TM_WERROR:BOOL=ON' "$dir/CMakeCache.txt" ||
   ! grep -q '^TM_WEB_UI:BOOL=' "$dir/CMakeCache.txt"; then
  cmake -S . -B "$dir" -G Ninja "${flags[@]}" >/dev/null
fi
cmake --build "$dir" -j "$jobs" ${1:+--target "$@"}
