#!/bin/bash
# Data-parallel scaling on this machine, side by side in one run: the same training (preset, global
# batch, steps) as 1 process x T threads and as N processes x T/N threads (train --nproc N, c10d
# Gloo on loopback). Prints img/s of each (median over the logged windows after the first), their
# ratio, and the communication per step reported by rank 0 (bytes allreduced/broadcast, seconds in
# collectives), from which docs/distributed.md projects multi-node scaling.
#
#   bench/distributed.sh [--preset sprite] [--batch 64] [--steps 30] [--threads 2] [--nproc 2] [--data FILE]
#
# Writes out/bench/distributed.md.
set -euo pipefail
cd "$(dirname "$0")/.."
PRESET=sprite BATCH=64 STEPS=30 THREADS=2 NPROC=2 DATA=data/pokemon-64.safetensors
while [ $# -gt 0 ]; do
  case "$1" in
    --preset) PRESET=$2; shift 2 ;;
    --batch) BATCH=$2; shift 2 ;;
    --steps) STEPS=$2; shift 2 ;;
    --threads) THREADS=$2; shift 2 ;;
    --nproc) NPROC=$2; shift 2 ;;
    --data) DATA=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
BIN=${POKEGAN_BIN:-build/pokegan}
[ -x "$BIN" ] || { echo "error: $BIN not built (scripts/build.sh)" >&2; exit 1; }
[ -f "$DATA" ] || { echo "error: $DATA missing (pokegan data fetch + data prepare; see README)" >&2; exit 1; }
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
common=(train --preset "$PRESET" --data "$DATA" --batch "$BATCH" --steps "$STEPS" --quiet
        --set log_every=5 --set sample_every=0 --set checkpoint_every=0)
"$BIN" --threads "$THREADS" "${common[@]}" --outdir "$WORK/one" --name run >"$WORK/one.log" 2>&1
"$BIN" --threads $((THREADS / NPROC > 0 ? THREADS / NPROC : 1)) "${common[@]}" --outdir "$WORK/many" --name run \
  --nproc "$NPROC" >"$WORK/many.log" 2>&1
median_rate() {  # median img/s over the logged windows, the first (warm-up) left out
  python3 -c '
import json, statistics, sys
r = [json.loads(l)["img_per_s"] for l in open(sys.argv[1])][1:]
print(f"{statistics.median(r):.2f}")' "$1"
}
one=$(median_rate "$WORK/one/00000-run/stats.jsonl")
many=$(median_rate "$WORK/many/00000-run/stats.jsonl")
comm=$(grep -m1 "processes:" "$WORK/many.log" || true)
mkdir -p out/bench
{
  echo "| $PRESET, global batch $BATCH, $STEPS steps | img/s |"
  echo "|---|---:|"
  echo "| 1 process x $THREADS threads | $one |"
  echo "| $NPROC processes x $((THREADS / NPROC > 0 ? THREADS / NPROC : 1)) thread(s) (--nproc $NPROC) | $many |"
  echo "| ratio (processes / one process) | $(python3 -c "print(f'{$many / $one:.2f}')") |"
  echo
  echo "rank 0: $comm"
  echo
  echo "command: bench/distributed.sh --preset $PRESET --batch $BATCH --steps $STEPS --threads $THREADS --nproc $NPROC"
} | tee out/bench/distributed.md
