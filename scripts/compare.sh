#!/usr/bin/env bash
# Equal-budget comparison of presets and variants (docs/models.md, docs/results.md): each variant
# trains for the same CPU time (process CPU minutes, all threads; --max-cpu-minutes, so other work on
# the machine does not shift the budget) on the same number of threads, then `pokegan eval` scores it
# against the species-disjoint real floor, and one markdown table is printed.
#   scripts/compare.sh OUTDIR CPU_MINUTES THREADS VARIANT...
#   VARIANT = name=preset[,key=value,...]   e.g.  unet-paper=unet,g.z_inject=input,d.mbstd_group=0
# Needs build/pokegan, data/pokemon-64.safetensors and the eval classifier (the shipped
# models/eval/clf64.safetensors, the same on every machine).
# POKEGAN_DATA and POKEGAN_CLASSIFIER choose another dataset (e.g. 32x32) and its classifier.
# A variant whose run directory already has metrics.json is skipped, so the script resumes.
set -euo pipefail
cd "$(dirname "$0")/.."
out=$1 minutes=$2 threads=$3
shift 3
bin=${POKEGAN_BIN:-build/pokegan} data=${POKEGAN_DATA:-data/pokemon-64.safetensors} clf=${POKEGAN_CLASSIFIER:-models/eval/clf64.safetensors}
mkdir -p "$out"
for v in "$@"; do
  name=${v%%=*} spec=${v#*=}
  preset=${spec%%,*}
  sets=()
  if [[ "$spec" == *,* ]]; then
    IFS=',' read -ra kv <<< "${spec#*,}"
    for s in "${kv[@]}"; do sets+=(--set "$s"); done
  fi
  run="$out/$name"
  if [[ -f "$run/metrics.json" ]]; then echo "skip $name (done)"; continue; fi
  rm -rf "$run.tmp"
  echo "== $name: $preset ${sets[*]:-} ($minutes CPU minutes, $threads threads)"
  # --steps large: the time budget ends the run.
  $bin --threads "$threads" train --preset "$preset" --data "$data" --outdir "$run.tmp" --name "$name" \
    --steps 1000000 --max-cpu-minutes "$minutes" "${sets[@]}" --set sample_every=0 --set checkpoint_every=0 --quiet
  mv "$run.tmp"/*-"$name" "$run" && rmdir "$run.tmp"
  $bin --threads "$threads" eval --checkpoint "$run" --data "$data" --classifier "$clf" > "$run/eval.txt"
  $bin sample --checkpoint "$run" --type all --count 8 --seed 7 --out "$run/grid.png" > /dev/null
done
python3 bench/compare_table.py "$out"/*/metrics.json
