#!/usr/bin/env bash
# Makes the fuzz targets' seed corpora (fuzz/corpus/<target>/) from real files: fetched sprites,
# the shipped type table and grouping, a tiny dataset and run config written by pokegan itself.
# Needs data/raw (pokegan data fetch) and build/pokegan. The corpora are committed; rerun this only
# to refresh them.
set -euo pipefail
cd "$(dirname "$0")/.."
B=build/pokegan
C=fuzz/corpus
rm -rf "$C" && mkdir -p "$C"/{image,safetensors,config,tables,imagefolder,query}
# Images: three small animated GIFs, a PNG and a BMP written by pokegan.
for f in $(ls -S data/raw/sprites/*.gif | tail -3); do cp "$f" "$C/image/"; done
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/tree/Fire" "$tmp/tree/Water"
cp "$(ls -S data/raw/sprites/*.gif | tail -1)" "$tmp/tree/Fire/a.gif"
cp "$(ls -S data/raw/sprites/*.gif | tail -2 | head -1)" "$tmp/tree/Water/b.gif"
$B data import --root "$tmp/tree" --out "$tmp/tiny.safetensors" --size 16 --frames 1 --held-out 0 >/dev/null
cp "$tmp/tiny.safetensors" "$C/safetensors/dataset.safetensors"
$B data export --data "$tmp/tiny.safetensors" --out "$tmp/png" >/dev/null
cp "$(find "$tmp/png" -name '*.png' | head -1)" "$C/image/sprite.png"
cp "$C/image/sprite.png" "$C/imagefolder/"
cp "$(ls -S data/raw/sprites/*.gif | tail -1)" "$C/imagefolder/"
# A config: a run's config.json, and --set lines.
$B train --preset cdcgan --data "$tmp/tiny.safetensors" --outdir "$tmp/runs" --steps 1 --batch 2 \
  --set g.base_channels=4 --set d.base_channels=4 --set g.z_dim=8 --quiet >/dev/null
cp "$tmp"/runs/*/config.json "$C/config/config.json"
printf 'g.base_channels=32\noptim.lr_g=1e-4\naugment.diffaug=color,translation\ng.lambda_c=[1,2]\nloss.kind=hinge\n' > "$C/config/sets.txt"
cp "$tmp"/runs/*/checkpoints/*.safetensors "$C/safetensors/checkpoint.safetensors"
mkdir -p "$C/checkpoint" && cp "$C/safetensors/checkpoint.safetensors" "$C/checkpoint/"
# Tables: the head of types.csv, a NUL, the study's grouping.
{ head -40 data/types.csv; printf '\0'; cat data/groups/study13.csv; } > "$C/tables/types-and-groups.csv"
# Queries: the query strings the studio page sends (docs/studio.md), one per endpoint.
printf 'type=Fire&seed=7' > "$C/query/sprite"
printf 'type=Water&seed=7&count=16&cols=4&scale=4&palette=16&transparent=1&outline=1' > "$C/query/sheet"
printf 'type=Grass&seed=18446744073709551615&index=3&strength=0.3&count=8&trunc=0.7' > "$C/query/variations"
printf 'type=Dragon&from=7&to=9&from_index=0&to_index=2&steps=8' > "$C/query/interpolate"
printf 'type=Fire%%20Water&seed=7&index=1&k=4&type2=Flying' > "$C/query/nearest"
du -sh "$C"/*
