# What-if replay of a quarter, on a fresh SQLite file and a fresh PostgreSQL schema: DEALS
# deals with payments in 2026-Q3 (default 1,000,000) for PROMOTERS promoters (10,000), replayed
# under a draft of employees' rule as marketing's what-if does. Prints each engine's whatif_s,
# deals_with_payments_s (the same database joining the quarter's payments with their deals,
# every row fetched, fastest of three), ratio and peak_rss_mb (the replay's own high-water mark).
# Targets: ratio ≤ 3 and ≤ 300 MB on both engines.
set -euo pipefail
RUSTFLAGS="--cfg erase_components" cargo build --profile server-release -p server --bin bench-whatif >&2
bin="$CARGO_TARGET_DIR/server-release/bench-whatif"
dir=$(mktemp -d)
verdict=""
fail() { verdict="${verdict:+$verdict; }$1"; }
figure() { echo "$1" | awk -F': ' -v k="$2" '$1 == k {print $2}'; }
check() { # engine output
  local engine="$1" out="$2"
  [ -n "$(figure "$out" ratio)" ] || { fail "$engine did not finish"; return; }
  awk -v r="$(figure "$out" ratio)" 'BEGIN { exit !(r <= 3) }' || fail "$engine replay $(figure "$out" ratio)× the join"
  awk -v r="$(figure "$out" peak_rss_mb)" 'BEGIN { exit !(r <= 300) }' || fail "$engine peak RSS $(figure "$out" peak_rss_mb) MB"
}
echo "engine: sqlite"
sqlite_out=$(DATABASE_URL="sqlite://$dir/bench.db" "$bin" || true)
echo "$sqlite_out"
rm -rf "$dir"
check sqlite "$sqlite_out"
PG_URL="${ALLHANDS_TEST_PG_URL:-postgres://postgres@127.0.0.1:5432/test}"
if psql "$PG_URL" -Atc 'select 1' >/dev/null 2>&1; then
  schema="bench_$$"
  psql "$PG_URL" -qc "CREATE SCHEMA $schema" >/dev/null
  echo "engine: postgres"
  pg_out=$(DATABASE_URL="$PG_URL?options=-c%20search_path%3D$schema" "$bin" || true)
  echo "$pg_out"
  psql "$PG_URL" -qc "DROP SCHEMA $schema CASCADE" >/dev/null
  check postgres "$pg_out"
fi
echo "targets: ratio ≤ 3, peak_rss_mb ≤ 300 (both engines)"
if [ -z "$verdict" ]; then echo "verdict: pass"; else echo "verdict: fail ($verdict)"; fi
