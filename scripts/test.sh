#!/usr/bin/env bash
# The test suite on a fresh Debian 12 machine (as root): install, build with tests, run ctest,
# then the studio's real-browser test (scripts/browser-test.sh: chromium, on the shipped one-type
# model and on the dual-type demo model).
#   scripts/test.sh              Release build in ./build, the whole ctest suite, the browser test
#   scripts/test.sh --sanitize   also an ASan + UBSan build in ./build-asan and the suite again under it
set -euo pipefail
cd "$(dirname "$0")/.."
sanitize=0
for a in "$@"; do
  case "$a" in
    --sanitize) sanitize=1 ;;
    -h|--help) sed -n '2,6p' "$0"; exit 0 ;;
    *) echo "error: unknown option $a (see --help)" >&2; exit 2 ;;
  esac
done
scripts/install-deps.sh --test
scripts/build.sh
(cd build && ctest --output-on-failure -j"$(nproc)")
scripts/browser-test.sh models/sprite-64.safetensors out/studio.png
# and on the dual-type demo model, where the second-type box is on and a pair's sheet must load
scripts/browser-test.sh models/sprite-dual-64.safetensors out/studio-dual.png
if [ "$sanitize" = 1 ]; then
  # LibTorch itself is not instrumented; its one-time allocations at exit are not ours to report.
  # -O1 and line tables only: the sanitizers' reports keep file:line, and the build takes less
  # time than RelWithDebInfo's -O2 -g (the tests' time is LibTorch's, which is not rebuilt).
  cmake -S . -B build-asan -DCMAKE_BUILD_TYPE= \
    -DCMAKE_CXX_FLAGS="-O1 -g1 -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer" \
    -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=address,undefined" >/dev/null
  cmake --build build-asan -j"$(nproc)"
  (cd build-asan && ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
     POKEGAN_SANITIZED=1 ctest --output-on-failure -j"$(nproc)" --timeout 900)
fi
