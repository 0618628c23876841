# Deal pushes through the JSON API with an API key, 50 connections on loopback, for SQLite and
# then PostgreSQL; every acknowledged (200) push must be stored.
# Target on SQLite: at least 3,000 deals/s.
set -euo pipefail
command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
source bench/lib.bash
BIN=$(release_binary)
SECONDS_RUN="${BENCH_SECONDS:-10}"
KEY="ak_bench$(python3 -c 'import secrets; print(secrets.token_hex(20))')"
KEY_HASH=$(python3 -c 'import hashlib,sys; print(hashlib.sha256(sys.argv[1].encode()).hexdigest())' "$KEY")
verdict="pass"

run() { # name database_url
  local name="$1" url="$2" out requests non2xx errors duration p99 acknowledged per_s stored
  start_server "$url" ALLHANDS_API_KEY_PER_MINUTE=100000000
  run_sql "$url" "INSERT INTO api_keys (name, prefix, key_hash, scopes, created_by, created_at) SELECT 'bench', 'ak_bench', '$KEY_HASH', 'deals:write', MIN(id), 0 FROM users"
  out=$(BENCH_KEY="$KEY" wrk -t2 -c50 -d"${SECONDS_RUN}s" --timeout 5s -s bench/api.lua "$SERVER_BASE" | grep '^WRK')
  kill -TERM "$SERVER_PID"; wait "$SERVER_PID" || true
  requests=$(sed -E 's/.*requests=([0-9]+).*/\1/' <<<"$out")
  non2xx=$(sed -E 's/.*non2xx=([0-9]+).*/\1/' <<<"$out")
  errors=$(sed -E 's/.* errors=([0-9]+).*/\1/' <<<"$out")
  duration=$(sed -E 's/.*duration_us=([0-9]+).*/\1/' <<<"$out")
  p99=$(sed -E 's/.*p99_us=([0-9]+).*/\1/' <<<"$out")
  acknowledged=$((requests - non2xx))
  per_s=$(awk -v n="$acknowledged" -v d="$duration" 'BEGIN { printf "%.0f", n / (d / 1e6) }')
  stored=$(count_rows "$url" "deals WHERE source = 'api'")
  echo "${name}_deals_per_s: $per_s"
  echo "${name}_acknowledged: $acknowledged"
  echo "${name}_stored: $stored"
  echo "${name}_lost: $((acknowledged > stored ? acknowledged - stored : 0))"
  echo "${name}_errors: $errors"
  echo "${name}_p99_ms: $(awk -v u="$p99" 'BEGIN { printf "%.2f", u / 1000 }')"
  if [ "$stored" -lt "$acknowledged" ]; then verdict="fail (${name}: acknowledged deals lost)"; fi
  if [ "$name" = "sqlite" ]; then SQLITE_RATE=$per_s; SQLITE_P99=$p99; SQLITE_LOST=$((acknowledged > stored ? acknowledged - stored : 0)); fi
}

dir=$(mktemp -d)
on_both_engines run "$dir"
echo "deals_per_s: $SQLITE_RATE"
echo "p99_ms: $(awk -v u="$SQLITE_P99" 'BEGIN { printf "%.2f", u / 1000 }')"
echo "lost: $SQLITE_LOST"
if [ "$verdict" = "pass" ] && [ "$SQLITE_RATE" -lt 3000 ]; then verdict="fail (SQLite: $SQLITE_RATE deals/s, target 3,000)"; fi
echo "verdict: $verdict"
