#!/usr/bin/env bash
# The main job on a fresh Debian 12 machine (as root): install, build, and
#   1. new sprites from the shipped model (models/sprite-64.safetensors), seconds after the build:
#      out/shipped-per-type.png (one row per type, one noise per column) and out/shipped-fire.png;
#   2. training shown: fetch the sprites, build the 64x64 typed dataset, train a short run;
#   3. `pokegan eval` of the shipped model and of the short run, side by side with the real floor.
# Everything lands in data/ and out/.
#   POKEGAN_PRESET (default cdcgan-quick), POKEGAN_STEPS, POKEGAN_MAX_MINUTES (default 5) set the run.
set -euo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)
scripts/install-deps.sh
scripts/build.sh --target pokegan
bin=build/pokegan
model=models/sprite-64.safetensors
if [[ -f "$model" ]]; then
  $bin sample --type all --count 8 --seed 7 --out out/shipped-per-type.png
  $bin sample --type Fire --count 16 --seed 7 --out out/shipped-fire.png
  echo "shipped model: out/shipped-per-type.png, out/shipped-fire.png after $(( $(date +%s) - start ))s"
  model_out="out/shipped-per-type.png, out/shipped-fire.png, "
else
  echo "no shipped model at $model: skipping the instant sprites"
fi
$bin data fetch --dir data/raw
$bin data prepare --raw data/raw --size 64 --frames 4 --out data/pokemon-64.safetensors
$bin data stats --data data/pokemon-64.safetensors --out out/dataset >/dev/null
preset=${POKEGAN_PRESET:-cdcgan-quick}
steps=${POKEGAN_STEPS:-}
$bin train --preset "$preset" --data data/pokemon-64.safetensors --outdir out/runs --name main \
  ${steps:+--steps "$steps"} --max-minutes "${POKEGAN_MAX_MINUTES:-5}"
run=$(ls -d out/runs/*-main | tail -n1)
$bin sample --checkpoint "$run" --type all --count 8 --seed 7 --out out/samples-per-type.png
$bin sample --checkpoint "$run" --type Fire --count 16 --seed 7 --out out/fire.png
# Evaluation: the type classifier (the feature space), then both models against the real floor.
# The shipped classifier (models/eval/), so that figures from any machine compare; a classifier
# trained here comes out slightly different from machine to machine (docs/results.md).
clf=models/eval/clf64.safetensors
if [[ ! -f "$clf" ]]; then
  clf=out/eval/clf64.safetensors
  $bin classifier train --data data/pokemon-64.safetensors --out "$clf" | tail -n 1
fi
$bin eval --checkpoint "$run" --data data/pokemon-64.safetensors --classifier "$clf" > out/eval/run.txt
files=("$run/metrics.json") names=("$preset-run")
if [[ -f "$model" ]]; then
  $bin eval --checkpoint "$model" --data data/pokemon-64.safetensors --classifier "$clf" \
    --out out/eval/shipped/metrics.json > out/eval/shipped.txt
  files=(out/eval/shipped/metrics.json "${files[@]}") names=(shipped "${names[@]}")
fi
$bin compare "${files[@]}" --names "$(IFS=,; echo "${names[*]}")"
echo "done in $(( $(date +%s) - start ))s: ${model_out:-}out/samples-per-type.png, out/fire.png, run in $run, metrics in out/eval/"
