# Lighthouse 12.2.3 on the pages a phone opens (end2end/bench/lighthouse.mjs): the demo server
# on SQLite, Debian's Chromium, mobile emulation. Prints per page performance, accessibility,
# best_practices, seo (public pages), lcp_ms and tbt_ms, the audits that did not pass, and a
# verdict against the targets: performance ≥ 98 on the landing page and ≥ 90 on /me and
# /dashboard, accessibility and best practices 100 everywhere, SEO 100 on public pages, LCP
# ≤ 1,500 ms on the landing page.
set -euo pipefail
source bench/lib.bash
BIN=$(release_binary)
node_bench lighthouse.mjs
