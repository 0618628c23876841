# The share poster on a phone-class CPU (end2end/bench/poster.mjs): the demo server on SQLite,
# an employee's "my promotion" page in Debian's Chromium at 390 px with the CPU throttled 4×
# through the DevTools protocol; prints poster_ms (median of BENCH_RUNS = 7, click to decoded
# image; target ≤ 1,000), whether every poster's QR decodes to the employee's link (jsQR),
# and a verdict.
set -euo pipefail
source bench/lib.bash
BIN=$(release_binary)
node_bench poster.mjs
