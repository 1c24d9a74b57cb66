#!/usr/bin/env bash
# Training throughput of every preset at 64x64, batch 128, on this machine: 6 steps each, img/s
# per 2-step window; prints a markdown table (parameters, the windows after the first, their mean).
#   scripts/bench-presets.sh [DATA] [PRESET...]
set -euo pipefail
cd "$(dirname "$0")/.."
data=${1:-data/pokemon-64.safetensors}
shift || true
presets=("$@")
((${#presets[@]})) || mapfile -t presets < <(build/pokegan presets | awk '{print $1}')
out=$(mktemp -d)
echo "| preset | G params | D params | img/s (steps 3-4, 5-6) | mean |"
echo "|---|---:|---:|---|---:|"
for p in "${presets[@]}"; do
  build/pokegan train --preset "$p" --data "$data" --outdir "$out" --batch 128 --steps 6 \
    --set log_every=2 --set sample_every=0 --set checkpoint_every=0 --quiet 2> "$out/$p.log" >/dev/null
  params=$(grep -o 'G [0-9]* params, D [0-9]* params' "$out/$p.log" | awk '{print $2, $5}')
  rates=$(grep -ho '"img_per_s":[0-9.]*' "$out"/*-"$p"/stats.jsonl | tail -n 2 | cut -d: -f2 | tr '\n' ' ')
  echo "$p $params $rates" | awk '{printf "| `%s` | %\047d | %\047d | %.1f, %.1f | %.1f |\n", $1, $2, $3, $4, $5, ($4+$5)/2}'
done
rm -rf "$out"
