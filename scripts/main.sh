#!/usr/bin/env bash
# The main job on a fresh Debian 12 machine (as root): install, build, fetch the sprites, build the
# 64x64 typed dataset, train the default preset on a CPU budget, and draw one row of new sprites
# per type. Everything lands in data/ and out/.
#   POKEGAN_PRESET (default cdcgan-quick), POKEGAN_STEPS, POKEGAN_MAX_MINUTES override the budget.
set -euo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)
scripts/install-deps.sh
scripts/build.sh --target pokegan
bin=build/pokegan
$bin data fetch --dir data/raw
$bin data prepare --raw data/raw --size 64 --frames 4 --out data/pokemon-64.safetensors
$bin data stats --data data/pokemon-64.safetensors --out out/dataset >/dev/null
preset=${POKEGAN_PRESET:-cdcgan-quick}
steps=${POKEGAN_STEPS:-}
$bin train --preset "$preset" --data data/pokemon-64.safetensors --outdir out/runs --name main \
  ${steps:+--steps "$steps"} --max-minutes "${POKEGAN_MAX_MINUTES:-10}"
run=$(ls -d out/runs/*-main | tail -n1)
$bin sample --checkpoint "$run" --type all --count 8 --seed 7 --out out/samples-per-type.png
$bin sample --checkpoint "$run" --type Fire --count 16 --seed 7 --out out/fire.png
echo "done in $(( $(date +%s) - start ))s: out/samples-per-type.png, out/fire.png, run in $run, dataset charts in out/dataset/"
