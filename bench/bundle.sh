# The hydrate wasm as a phone downloads it: raw, gzip -9 and brotli -q 11.
# Target: at most 300 KB brotli.
set -euo pipefail
cargo leptos build --release --precompress >&2
wasm=target/site/pkg/allhands.wasm
kb() { awk -v b="$1" 'BEGIN { printf "%.1f", b / 1024 }'; }
raw=$(stat -c %s "$wasm")
gz=$(gzip -9 -c "$wasm" | wc -c)
br=$(brotli -q 11 -c "$wasm" | wc -c)
js=$(brotli -q 11 -c target/site/pkg/allhands.js | wc -c)
echo "wasm_raw_kb: $(kb "$raw")"
echo "wasm_gzip_kb: $(kb "$gz")"
echo "wasm_brotli_kb: $(kb "$br")"
echo "js_brotli_kb: $(kb "$js")"
echo "target_brotli_kb: 300"
if [ "$br" -le $((300 * 1024)) ]; then
  echo "verdict: pass"
else
  echo "verdict: fail (brotli $(kb "$br") KB > 300 KB)"
fi
