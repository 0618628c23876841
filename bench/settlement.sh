# Settlement over the reward ledger, on a fresh SQLite file and a fresh PostgreSQL schema:
# DEALS deals paid in November (default 1,000,000) and HISTORY deals in an earlier, approved
# period (default 3,000,000) for PROMOTERS promoters (10,000). Prints each engine's figures:
# accrual_per_s (the ledger taking the deals in), draft_s (November drafted from the ledger,
# with the history, while prospects send referral forms), aggregate_s (the same database's
# GROUP BY over November's deals, fastest of three on the database the draft reads: history
# included; aggregate_without_history_s is printed beside it, no target), ratio_vs_aggregate, history_ratio (the
# draft with the history ÷ the same draft before it), peak_rss_mb, lead_p99_during_draft_ms
# and lost (acknowledged forms not stored). Then November is approved, which writes its statement
# lines (a draft refers to the ledger instead of copying them): approve_s and
# lead_p99_during_approval_ms are printed, with no target.
# Before each timed draft the database is settled as a month of service would leave it (SQLite's
# write-ahead log checkpointed, PostgreSQL vacuumed and analyzed), timed apart: settle_s.
# Memory is printed per phase, each from a fresh high-water mark that counts what the process
# already holds: peak_rss_accrual_mb, peak_rss_mb (the measured draft, the target) and
# peak_rss_approval_mb; peak_rss_before_draft_mb is the process's until then (the bench's own
# loading and the approval of the history included).
# Targets: ratio ≤ 3 on both engines, history ≤ 1.25, ≤ 300 MB, and on SQLite accrual ≥ 5,000/s
# and form p99 ≤ 50 ms during the draft; nothing lost.
set -euo pipefail
RUSTFLAGS="--cfg erase_components" cargo build --profile server-release -p server --bin bench-settlement >&2
bin="$CARGO_TARGET_DIR/server-release/bench-settlement"
dir=$(mktemp -d)
verdict=""
fail() { verdict="${verdict:+$verdict; }$1"; }
figure() { echo "$1" | awk -F': ' -v k="$2" '$1 == k {print $2}'; }
check() { # engine output
  local engine="$1" out="$2"
  awk -v r="$(figure "$out" ratio_vs_aggregate)" 'BEGIN { exit !(r <= 3) }' || fail "$engine draft $(figure "$out" ratio_vs_aggregate)× the aggregate"
  awk -v r="$(figure "$out" history_ratio)" 'BEGIN { exit !(r <= 1.25) }' || fail "$engine history ratio $(figure "$out" history_ratio)"
  awk -v r="$(figure "$out" peak_rss_mb)" 'BEGIN { exit !(r <= 300) }' || fail "$engine peak RSS $(figure "$out" peak_rss_mb) MB"
  [ "$(figure "$out" lost)" = "0" ] || fail "$engine lost $(figure "$out" lost) forms"
}
echo "engine: sqlite"
sqlite_out=$(DATABASE_URL="sqlite://$dir/bench.db" "$bin")
echo "$sqlite_out"
rm -rf "$dir"
check sqlite "$sqlite_out"
awk -v r="$(figure "$sqlite_out" accrual_per_s)" 'BEGIN { exit !(r >= 5000) }' || fail "SQLite accrual $(figure "$sqlite_out" accrual_per_s)/s"
awk -v r="$(figure "$sqlite_out" lead_p99_during_draft_ms)" 'BEGIN { exit !(r <= 50) }' \
  || fail "SQLite form p99 $(figure "$sqlite_out" lead_p99_during_draft_ms) ms during the draft"
PG_URL="${ALLHANDS_TEST_PG_URL:-postgres://postgres@127.0.0.1:5432/test}"
if psql "$PG_URL" -Atc 'select 1' >/dev/null 2>&1; then
  schema="bench_$$"
  psql "$PG_URL" -qc "CREATE SCHEMA $schema" >/dev/null
  echo "engine: postgres"
  pg_out=$(DATABASE_URL="$PG_URL?options=-c%20search_path%3D$schema" "$bin" || true)
  echo "$pg_out"
  psql "$PG_URL" -qc "DROP SCHEMA $schema CASCADE" >/dev/null
  ratio=$(figure "$pg_out" ratio_vs_aggregate)
  check postgres "$pg_out"
fi
echo "targets: ratio_vs_aggregate ≤ 3, history_ratio ≤ 1.25, peak_rss_mb ≤ 300, sqlite accrual_per_s ≥ 5000, sqlite lead_p99_during_draft_ms ≤ 50, lost 0"
if [ -z "$verdict" ]; then echo "verdict: pass"; else echo "verdict: fail ($verdict)"; fi
