#!/usr/bin/env bash
# Configures and builds pokegan into ./build (Release). Extra arguments go to cmake --build,
# e.g. `scripts/build.sh --target pokegan`.
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release ${POKEGAN_CMAKE_ARGS:-} >/dev/null
cmake --build build -j"$(nproc)" "$@"
