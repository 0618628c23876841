# Sourced by the scripts: one build cache outside the clone, and binaryen 132's wasm-opt
# first on PATH (Debian's binaryen 108 makes a wasm that fails in the browser).
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/allhands/target}"
export PATH="$ROOT/end2end/node_modules/.bin:$HOME/.cargo/bin:$PATH"
# The same compile-time inputs cargo-leptos gives its builds, so that cargo test and clippy
# reuse its artifacts instead of rebuilding the whole graph.
export LEPTOS_OUTPUT_NAME=allhands
LEPTOS_RUSTFLAGS="--cfg erase_components"
