#!/usr/bin/env bash
# The test suite on a fresh Debian 12 machine (as root): install, build with tests, run ctest.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh --test
scripts/build.sh
cd build && ctest --output-on-failure -j"$(nproc)"
