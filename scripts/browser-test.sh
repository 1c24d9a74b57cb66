#!/usr/bin/env bash
# The studio's real-browser test: starts `pokegan serve` on loopback and a free port with a model,
# drives the system chromium through the page (tests/browser/studio.mjs, puppeteer-core from npm,
# no browser download) and stops the server. Needs chromium and node; scripts/test.sh runs it.
#   scripts/browser-test.sh [MODEL] [SCREENSHOT]   (defaults: the shipped model, out/studio.png)
set -euo pipefail
cd "$(dirname "$0")/.."
model=${1:-models/sprite-64.safetensors}
shot=${2:-out/studio.png}
bin=${POKEGAN_BIN:-build/pokegan}
[[ -f "$model" ]] || { echo "browser test: no model at $model; skipped"; exit 0; }
command -v chromium >/dev/null || { echo "browser test: no chromium (apt-get install chromium); skipped"; exit 0; }
(cd tests/browser && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
mkdir -p "$(dirname "$shot")"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
log=$(mktemp)
"$bin" --threads 2 serve --checkpoint "$model" --port "$port" >"$log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true; rm -f "$log"' EXIT
for _ in $(seq 1 100); do
  grep -q "pokegan studio:" "$log" && break
  kill -0 $pid 2>/dev/null || { cat "$log"; echo "browser test: the server did not start"; exit 1; }
  sleep 0.2
done
timeout 180 node tests/browser/studio.mjs "http://127.0.0.1:$port/" "$shot"
kill -TERM $pid
wait $pid || { echo "browser test: the server did not stop cleanly on SIGTERM"; cat "$log"; exit 1; }
grep -q "stopped after" "$log" || { echo "browser test: no clean-stop line"; cat "$log"; exit 1; }
echo "browser test: screenshot in $shot"
