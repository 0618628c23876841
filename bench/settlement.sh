# Drafts a settlement over 1,000,000 deals with payments for 10,000 promoters (override with
# DEALS / PROMOTERS) on a fresh SQLite file and a fresh PostgreSQL schema, and times the same
# database's GROUP BY over the same rows. Target: the draft within 3× that aggregate, memory flat
# in the number of deals. deals_with_payments_s: the same database joining each deal with its
# payments by promoter, the least any draft reads. db_read_s / db_write_s: the draft's own reads
# and writes inside the database, without driver or engine, the floor for any draft that stores
# one row per statement line.
set -euo pipefail
RUSTFLAGS="--cfg erase_components" cargo build --profile server-release -p server --bin bench-settlement >&2
bin="$CARGO_TARGET_DIR/server-release/bench-settlement"
dir=$(mktemp -d)
echo "engine: sqlite"
sqlite_out=$(DATABASE_URL="sqlite://$dir/bench.db" "$bin")
echo "$sqlite_out"
ratio=$(echo "$sqlite_out" | awk -F': ' '/^ratio_vs_aggregate/ {print $2}')
floor=$(echo "$sqlite_out" | awk -F': ' '/^db_floor_ratio_vs_aggregate/ {print $2}')
join=$(echo "$sqlite_out" | awk -F': ' '/^deals_with_payments_ratio_vs_aggregate/ {print $2}')
rm -rf "$dir"
PG_URL="${ALLHANDS_TEST_PG_URL:-postgres://postgres@127.0.0.1:5432/test}"
if psql "$PG_URL" -Atc 'select 1' >/dev/null 2>&1; then
  schema="bench_$$"
  psql "$PG_URL" -qc "CREATE SCHEMA $schema" >/dev/null
  echo "engine: postgres"
  DATABASE_URL="$PG_URL?options=-c%20search_path%3D$schema" "$bin" || true
  psql "$PG_URL" -qc "DROP SCHEMA $schema CASCADE" >/dev/null
fi
echo "target_ratio_vs_aggregate: 3"
if awk -v r="$ratio" 'BEGIN { exit !(r <= 3) }'; then
  echo "verdict: pass"
else
  echo "verdict: fail (SQLite draft is ${ratio}× the aggregate; target 3×; joining each deal with its payments alone takes the database ${join}×; reading the draft's facts and writing one row per line inside the database takes ${floor}×)"
fi
