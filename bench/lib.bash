# Shared by the server benchmarks: run a function once on a fresh SQLite file and once in a
# fresh PostgreSQL schema, and count a table's rows in either.
PG_URL="${ALLHANDS_TEST_PG_URL:-postgres://postgres@127.0.0.1:5432/test}"
PG_SCHEMA="bench_$$"

# release_binary: the server to measure. `BENCH_BIN=/path/to/server` measures another build
# (an earlier commit's, side by side on the same machine); otherwise this checkout's release
# build, built first.
release_binary() {
  if [ -n "${BENCH_BIN:-}" ]; then
    echo "$BENCH_BIN"
  else
    cargo leptos build --release --split --precompress >&2
    echo "$CARGO_TARGET_DIR/server-release/server"
  fi
}

# count_rows DATABASE_URL TABLE
count_rows() {
  case "$1" in
    postgres*) psql "${1%%\?*}" -Atc "select count(*) from $PG_SCHEMA.$2" ;;
    *) python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('select count(*) from ' + sys.argv[2]).fetchone()[0])" "${1#sqlite://}" "$2" ;;
  esac
}

# run_sql DATABASE_URL SQL: one statement against the benchmark's database.
run_sql() {
  case "$1" in
    postgres*) psql "${1%%\?*}" -q -Atc "set search_path = $PG_SCHEMA; $2" ;;
    *) python3 -c "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute(sys.argv[2]); c.commit()" "${1#sqlite://}" "$2" ;;
  esac
}

# start_server DATABASE_URL [ENV=VALUE…]: the release server ($BIN) on a free loopback port,
# once it answers its health check. Sets SERVER_PID and SERVER_BASE.
start_server() {
  local url="$1"; shift
  local port=$((20000 + RANDOM % 20000))
  env DATABASE_URL="$url" LEPTOS_SITE_ADDR="127.0.0.1:$port" LEPTOS_OUTPUT_NAME=allhands RUST_LOG=warn ALLHANDS_DEMO_DATA=1 ALLHANDS_DEMO_ACTIVITY=0 ALLHANDS_SCHEDULED_DRAFTS=0 "$@" \
    "$BIN" >/dev/null 2>&1 &
  SERVER_PID=$!
  SERVER_BASE="http://127.0.0.1:$port"
  for _ in $(seq 1 100); do curl -fs "$SERVER_BASE/healthz" >/dev/null && break; sleep 0.1; done
}

# on_both_engines FUNCTION DIR: FUNCTION sqlite URL, then FUNCTION postgres URL (if reachable).
# BENCH_ENGINES (default "sqlite postgres") runs one of them alone.
on_both_engines() {
  local engines="${BENCH_ENGINES:-sqlite postgres}"
  if [[ " $engines " == *" sqlite "* ]]; then
    "$1" sqlite "sqlite://$2/bench.db"
  fi
  if [[ " $engines " != *" postgres "* ]]; then
    return 0
  fi
  if psql "$PG_URL" -Atc "create schema $PG_SCHEMA" >/dev/null 2>&1; then
    local sep='?'; case "$PG_URL" in *\?*) sep='&' ;; esac
    "$1" postgres "$PG_URL${sep}options=-c%20search_path%3D$PG_SCHEMA"
    psql "$PG_URL" -q -Atc "drop schema $PG_SCHEMA cascade" >/dev/null 2>&1
  else
    echo "postgres_skipped: unreachable"
  fi
}

# node_bench SCRIPT [ENV=VALUE…]: the demo server ($BIN) on a fresh SQLite file, and a
# benchmark that drives Chromium against it (end2end/bench/SCRIPT).
node_bench() {
  local script="$1"; shift
  NODE_BENCH_DIR=$(mktemp -d)
  start_server "sqlite://$NODE_BENCH_DIR/bench.db"
  trap 'kill -TERM $SERVER_PID 2>/dev/null; rm -rf "$NODE_BENCH_DIR"' EXIT
  (cd end2end && env ALLHANDS_E2E_URL="$SERVER_BASE" "$@" node "bench/$script")
}
