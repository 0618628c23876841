# 5,000 server-sent-event subscribers on /live (override with SUBSCRIBERS) while referral-form
# submissions arrive at 200 a second (RATE) for 10 seconds (SECONDS), on SQLite and then
# PostgreSQL: p95 latency from an event's publication to each subscriber reading it, every
# event delivered to every subscriber, and the server's memory.
# Targets (SQLite): p95 under 250 ms, server memory under 200 MB.
set -euo pipefail
ulimit -n "$(ulimit -Hn)"
cargo leptos build --release --split --precompress >&2
RUSTFLAGS="--cfg erase_components" cargo build --profile server-release -p server --bin bench-stream >&2
BIN="$CARGO_TARGET_DIR/server-release/server"
CLIENT="$CARGO_TARGET_DIR/server-release/bench-stream"
source bench/lib.bash
verdict="pass"

run() { # name database_url
  local name="$1" url="$2"
  start_server "$url" ALLHANDS_LEAD_BURST_PER_MINUTE=100000000
  local out
  out=$(BASE="$SERVER_BASE" SERVER_PID=$SERVER_PID "$CLIENT")
  kill -TERM "$SERVER_PID"; wait "$SERVER_PID" || true
  sed "s/^/${name}_/" <<<"$out"
  local p95 rss delivered expected
  p95=$(awk -F': ' '/^p95_ms/ {print $2}' <<<"$out")
  rss=$(awk -F': ' '/^peak_rss_mb/ {print $2}' <<<"$out")
  delivered=$(awk -F': ' '/^delivered/ {print $2}' <<<"$out")
  expected=$(awk -F': ' '/^expected_deliveries/ {print $2}' <<<"$out")
  if [ "$name" = "sqlite" ]; then
    echo "$out"
    if [ "$delivered" -lt "$expected" ]; then verdict="fail (sqlite: $delivered of $expected deliveries)"; fi
    if awk -v p="$p95" 'BEGIN { exit !(p >= 250) }'; then verdict="fail (sqlite: p95 ${p95} ms >= 250 ms)"; fi
    if awk -v r="$rss" 'BEGIN { exit !(r >= 200) }'; then verdict="fail (sqlite: server memory ${rss} MB >= 200 MB)"; fi
  fi
}

dir=$(mktemp -d)
on_both_engines run "$dir"
rm -rf "$dir"
echo "verdict: $verdict"
