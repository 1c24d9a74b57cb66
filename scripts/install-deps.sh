#!/usr/bin/env bash
# Installs what pokegan needs on Debian 12, skipping what is already there. Run as root.
#   scripts/install-deps.sh          build + run dependencies
#   scripts/install-deps.sh --test   also GoogleTest, python3-torch and chromium (browser test)
set -euo pipefail
pkgs=(cmake g++ make pkg-config libtorch-dev libopenblas0-pthread libstb-dev nlohmann-json3-dev libcli11-dev libcpp-httplib-dev
      libgloo-dev)  # libgloo-dev: distributed training (c10d's Gloo backend; docs/distributed.md)
# --test adds GoogleTest, python3-torch for the equivalence test against PyTorch-Python, and
# chromium for the studio's real-browser test (driven by puppeteer-core from npm; nothing downloads a
# browser).
[[ "${1:-}" == "--test" ]] && pkgs+=(libgtest-dev python3-torch chromium)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# node and npm are only needed by `pokegan data fetch`; a node that bundles npm (NodeSource) is fine.
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)
if ((${#missing[@]})); then
  echo "installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# ConvTranspose goes through BLAS: make sure OpenBLAS, not the reference BLAS, is the one in use.
blas=$(update-alternatives --query libblas.so.3-x86_64-linux-gnu 2>/dev/null | awk '/^Value:/{print $2}')
if [[ "$blas" != *openblas* ]]; then
  alt=$(update-alternatives --list libblas.so.3-x86_64-linux-gnu | grep openblas | head -n1)
  [[ -n "$alt" ]] && update-alternatives --set libblas.so.3-x86_64-linux-gnu "$alt"
fi
echo "dependencies ok (BLAS: $(update-alternatives --query libblas.so.3-x86_64-linux-gnu | awk '/^Value:/{print $2}'))"
