#!/bin/bash
# Side-by-side benchmark: pokegan (C++) against the PyTorch-Python twin (bench/torch_ref.py, run by
# Debian's /usr/bin/python3 with python3-torch 1.13) on this machine, same threads, batch, steps.
# Repetitions alternate which side goes first; the summary prints medians and C++/Python ratios,
# the model FLOP rate and its share of the sgemm ceiling measured in the same run.
#
#   bench/run.sh [--reps 3] [--steps 5] [--threads 2] [--size 64] [--batch 128] [--sample-reps 20]
#                [--presets "cdcgan stylegan ..."] [--cpp-only "..."]
#
# Presets named in --cpp-only are measured once, C++ only (every preset has a Python twin; this
# skips the slower Python side).
# Writes out/bench/results.jsonl (every measurement) and out/bench/summary.md.
set -euo pipefail
cd "$(dirname "$0")/.."
REPS=3 STEPS=5 THREADS=2 SIZE=64 BATCH=128 SAMPLE_REPS=20
PRESETS="cdcgan cdcgan-quick dcgan stylegan unet unet-proj acgan aegan aegan-ac mlp sprite"
CPP_ONLY=""
while [ $# -gt 0 ]; do
  case "$1" in
    --reps) REPS=$2; shift 2 ;;
    --steps) STEPS=$2; shift 2 ;;
    --threads) THREADS=$2; shift 2 ;;
    --size) SIZE=$2; shift 2 ;;
    --batch) BATCH=$2; shift 2 ;;
    --sample-reps) SAMPLE_REPS=$2; shift 2 ;;
    --presets) PRESETS=$2; shift 2 ;;
    --cpp-only) CPP_ONLY=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
BIN=${POKEGAN_BIN:-build/pokegan}
[ -x "$BIN" ] || { echo "error: $BIN not built (scripts/build.sh)" >&2; exit 1; }
PY=/usr/bin/python3
if ! $PY -c 'import torch' 2>/dev/null; then
  echo "note: $PY cannot import torch (apt-get install python3-torch); measuring C++ only" >&2
  CPP_ONLY="$PRESETS $CPP_ONLY"; PRESETS=""
fi
mkdir -p out/bench
RESULTS=out/bench/results.jsonl
: > "$RESULTS"
common="--size $SIZE --batch $BATCH --steps $STEPS --sample-reps $SAMPLE_REPS"
cpp() { "$BIN" --threads "$THREADS" bench --preset "$1" $common | tee -a "$RESULTS"; }
py() { $PY bench/torch_ref.py bench --preset "$1" $common --threads "$THREADS" | tee -a "$RESULTS"; }
# The Python twin twice: as a user runs it, and with the process settings pokegan gives itself
# (the OPENBLAS_CORETYPE it picks, and glibc malloc keeping freed memory: common/memory.h), so that
# those wins are not counted as the C++ side's own.
CORE=$("$BIN" bench --blas-core)
TUNED="GLIBC_TUNABLES=glibc.malloc.mmap_max=0:glibc.malloc.trim_threshold=2147483647"
[ -n "$CORE" ] && TUNED="$TUNED OPENBLAS_CORETYPE=$CORE"
pyt() {
  env $TUNED $PY bench/torch_ref.py bench --preset "$1" $common --threads "$THREADS" --tag pytorch-tuned | tee -a "$RESULTS"
}
for rep in $(seq 1 "$REPS"); do
  echo "== repetition $rep of $REPS" >&2
  for p in $PRESETS; do
    if [ $((rep % 2)) -eq 1 ]; then cpp "$p"; py "$p"; pyt "$p"; else pyt "$p"; py "$p"; cpp "$p"; fi
  done
  [ "$rep" -eq 1 ] && for p in $CPP_ONLY; do cpp "$p"; done  # C++ only: once
done
python3 bench/summarize.py "$RESULTS" | tee out/bench/summary.md
