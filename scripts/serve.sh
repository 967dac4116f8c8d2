#!/usr/bin/env bash
# README command 1: install what is missing, build, and start the server on embedded defaults
# (data under ./data, Prometheus API on 127.0.0.1:9090, OTLP on 127.0.0.1:4318).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh release tidemark
mkdir -p data
exec build/app/tidemark serve --data-dir data "$@"
