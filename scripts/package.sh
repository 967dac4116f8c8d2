#!/usr/bin/env bash
# Builds the Debian package from the normal release build; its path is the last line printed.
# Usage: scripts/package.sh   (needs dpkg-dev for dpkg-shlibdeps; scripts/install-deps.sh has it)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build.sh release tidemark >&2
cd build
rm -f tidemark_*.deb tidemark-dbgsym_*.ddeb
cpack -G DEB >&2
ls -1 "$PWD"/tidemark_*.deb | tail -1
