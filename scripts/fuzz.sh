#!/usr/bin/env bash
# Builds the libFuzzer targets (clang, ASan + UBSan) into build-fuzz and runs each for --seconds
# (default 60) from its seed corpus in fuzz/corpus/<target>. New inputs go to build-fuzz/corpus;
# a crash leaves build-fuzz/crash-<target>-* and makes the script exit non-zero. Prints, per
# target: executions, executions per second, coverage (edges) and features.
#   scripts/fuzz.sh [--seconds N] [target ...]      targets: image safetensors checkpoint config tables imagefolder query
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=60
targets=()
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) seconds="$2"; shift 2 ;;
    -h|--help) sed -n '2,7p' "$0"; exit 0 ;;
    *) targets+=("$1"); shift ;;
  esac
done
[ ${#targets[@]} -gt 0 ] || targets=(image safetensors checkpoint config tables imagefolder query)
command -v clang++ >/dev/null || { echo "error: clang++ not found (apt-get install clang libfuzzer-14-dev)" >&2; exit 1; }
CC=clang CXX=clang++ cmake -S . -B build-fuzz -DPOKEGAN_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build-fuzz -j"$(nproc)" >/dev/null
status=0
printf '| target | seconds | executions | exec/s | coverage (edges) | features | crashes |\n|---|---:|---:|---:|---:|---:|---:|\n'
for t in "${targets[@]}"; do
  work=build-fuzz/corpus/$t
  mkdir -p "$work"
  log=build-fuzz/fuzz-$t.log
  set +e
  ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
    build-fuzz/fuzz/fuzz_$t "$work" "fuzz/corpus/$t" -max_total_time="$seconds" -rss_limit_mb=4096 \
    -max_len=262144 -timeout=20 -print_final_stats=1 -artifact_prefix="build-fuzz/crash-$t-" >"$log" 2>&1
  rc=$?
  set -e
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo 0)
  rate=$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo 0)
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | grep -o '[0-9]*' || echo 0)
  ft=$(grep -o 'ft: [0-9]*' "$log" | tail -1 | grep -o '[0-9]*' || echo 0)
  crashes=$( (ls build-fuzz/crash-$t-* 2>/dev/null || true) | wc -l)
  printf '| %s | %s | %s | %s | %s | %s | %s |\n' "$t" "$seconds" "$execs" "$rate" "$cov" "$ft" "$crashes"
  if [ $rc -ne 0 ]; then status=1; echo "fuzz_$t exited $rc; see $log" >&2; fi
done
exit $status
