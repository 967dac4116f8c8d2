#!/usr/bin/env bash
# Fails if a module includes a module above it: http → {ingest, query, alerting} → storage,
# alerting → {query, httpclient}; ingest → httpclient (scraping, the remote-write sender);
# httpclient (http/client, the outgoing HTTP client) → storage;
# app renders no JSON.
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
# app/ is wiring and main only: API JSON is rendered in http/.
json_hits=$(grep -rEn '#include [<"](nlohmann/json|tidemark/http/format\.h)' app || true)
if [[ -n "$json_hits" ]]; then
  echo "layering: app must not render JSON (http/ owns the API's responses):"; echo "$json_hits"; fail=1
fi
[[ $fail -eq 0 ]] && echo "layering: OK"
exit $fail
