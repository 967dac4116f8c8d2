#!/usr/bin/env bash
# Installs every Debian package Tidemark's build, server and tests need.
# Idempotent: quiet and fast when everything is already present.
set -euo pipefail

PKGS=(
  build-essential g++ cmake ninja-build pkg-config git ca-certificates curl
  clang lld libclang-rt-14-dev clang-format
  librocksdb-dev libboost-dev libboost-system-dev libboost-iostreams-dev
  tao-pegtl-dev libzstd-dev libsnappy-dev zlib1g-dev libssl-dev openssl tzdata libcrypt-dev
  libgoogle-perftools-dev
  libprotobuf-dev protobuf-compiler libre2-dev libyaml-cpp-dev nlohmann-json3-dev
  libgtest-dev libgmock-dev googletest libbenchmark-dev
  prometheus prometheus-alertmanager victoria-metrics prometheus-node-exporter
  nodejs npm python3 python3-yaml chromium
  dpkg-dev debootstrap
)

# One dpkg-query for the whole list: each call reads dpkg's database (half a second apiece).
installed=" $(dpkg-query -W -f='${Package} ${Status}\n' "${PKGS[@]}" 2>/dev/null |
  awk '$2 == "install" && $3 == "ok" && $4 == "installed" {print $1}' | tr '\n' ' ' || true) "
missing=()
for p in "${PKGS[@]}"; do
  [[ "$installed" == *" $p "* ]] || missing+=("$p")
done

# nodejs may come from another source (e.g. nodesource) that bundles npm; accept any working node+npm.
if command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1; then
  filtered=()
  for p in "${missing[@]}"; do [[ "$p" == nodejs || "$p" == npm ]] || filtered+=("$p"); done
  missing=("${filtered[@]+"${filtered[@]}"}")
fi

if ((${#missing[@]})); then
  echo "install-deps: installing ${missing[*]}"
  SUDO=""
  [[ $(id -u) -eq 0 ]] || SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  # Debian's daemons start themselves on install where systemd runs; we never rely on that.
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
