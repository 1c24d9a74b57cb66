#!/usr/bin/env bash
# A smoke run of the program built with ASan + UBSan (build-asan/, as scripts/test.sh --sanitize
# configures it): distributed, micro-batched and AE-GAN training, a resume, sampling the shipped model.
set -u
cd /work/main
B=build-asan/pokegan; D=data/pokemon-64.safetensors; W=$(mktemp -d)
export ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1
T="--set g.base_channels=4 --set d.base_channels=4 --set g.z_dim=8 --batch 4 --steps 3 --quiet --data $D"
SP="--set g.z_dim=10 --set g.base_channels=4 --set g.class_embed_dim=4 --set g.mapping_hidden=8 --set g.w_dim=8 --set g.max_channels=16 --set g.lambda_c=[] --set d.base_channels=4 --set d.class_embed_dim=4 --set d.max_channels=16 --batch 8 --steps 2 --quiet --data $D"
run() { echo "== $*"; "$@" > $W/log 2>&1; rc=$?; tail -n 2 $W/log; echo "rc=$rc"; }
run $B --threads 1 train --preset cdcgan $T --outdir $W/a --name run --nproc 2
run $B --threads 1 train --preset sprite $SP --outdir $W/b --name run --set micro_batches=2
run $B --threads 1 train --preset aegan-ac $SP --outdir $W/c --name run --nproc 2
run $B --threads 1 train --resume $W/a/00000-run --steps 5 --quiet --nproc 2
run $B --threads 1 sample --type Fire --count 8 --seed 7 --out $W/fire.png
run $B --threads 1 eval --help
