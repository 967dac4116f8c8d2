#!/usr/bin/env bash
# Fails if a module includes a module above it: http → {ingest, query, alerting} → storage,
# alerting → {query, httpclient}; httpclient (http/client, the outgoing HTTP client) → storage.
# (The linker enforces this too; this gives a readable message.)
set -euo pipefail
cd "$(dirname "$0")/.."
fail=0
check() {  # check <module> <forbidden modules regex>
  local hits
  hits=$(grep -rEn "#include [\"<](tidemark/($2)/|google/protobuf)" "$1" 2>/dev/null || true)
  if [[ -n "$hits" ]]; then
    echo "layering: $1 must not include $2:"; echo "$hits"; fail=1
  fi
}
check storage 'query|ingest|alerting|http|httpclient'
check query 'ingest|alerting|http|httpclient'
check ingest 'query|alerting|http'
check alerting 'ingest|http'
check http/client 'query|ingest|alerting|http'
[[ $fail -eq 0 ]] && echo "layering: OK"
exit $fail
