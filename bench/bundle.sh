# What a phone downloads (end2end/bench/bundle.mjs): the release build split by route
# (`cargo leptos build --split`, content-hashed names), the demo server on SQLite, and each
# prospect's page (landing, thank-you, code redemption) opened in Chromium until hydrated.
# Prints the wasm and JS each downloaded (brotli -q 11, all chunks), the largest wasm chunk of
# the build, and a verdict: the landing page at most 160 KB of wasm, no chunk over 300 KB.
set -euo pipefail
source bench/lib.bash
BIN=$(release_binary)
node_bench bundle.mjs BENCH_PKG_DIR="$PWD/target/site/pkg"
