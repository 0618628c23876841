# What a phone downloads (end2end/bench/bundle.mjs): the release build split by route
# (`cargo leptos build --split`, content-hashed names), the demo server on SQLite, and each
# prospect's page opened in Chromium. The landing page works as served and starts its wasm at
# the prospect's first input: prospect_* is what it downloads before it is interactive (loaded
# and idle), prospect_on_input_* what it downloads once the prospect taps the form, until
# hydrated; the thank-you page runs nothing; code redemption hydrates once loaded. Prints the
# wasm and JS each downloaded (brotli -q 11, all chunks), the main module, the largest wasm
# chunk of the build, and a verdict: the landing page at most 160 KB of wasm before it is
# interactive, no chunk over 300 KB.
set -euo pipefail
source bench/lib.bash
BIN=$(release_binary)
node_bench bundle.mjs BENCH_PKG_DIR="$PWD/target/site/pkg"
