# Shared by the server benchmarks: run a function once on a fresh SQLite file and once in a
# fresh PostgreSQL schema, and count a table's rows in either.
PG_URL="${ALLHANDS_TEST_PG_URL:-postgres://postgres@127.0.0.1:5432/test}"
PG_SCHEMA="bench_$$"

# count_rows DATABASE_URL TABLE
count_rows() {
  case "$1" in
    postgres*) psql "${1%%\?*}" -Atc "select count(*) from $PG_SCHEMA.$2" ;;
    *) python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('select count(*) from ' + sys.argv[2]).fetchone()[0])" "${1#sqlite://}" "$2" ;;
  esac
}

# on_both_engines FUNCTION DIR: FUNCTION sqlite URL, then FUNCTION postgres URL (if reachable).
on_both_engines() {
  "$1" sqlite "sqlite://$2/bench.db"
  if psql "$PG_URL" -Atc "create schema $PG_SCHEMA" >/dev/null 2>&1; then
    "$1" postgres "$PG_URL?options=-c%20search_path%3D$PG_SCHEMA"
    psql "$PG_URL" -q -Atc "drop schema $PG_SCHEMA cascade" >/dev/null 2>&1
  else
    echo "postgres_skipped: unreachable"
  fi
}
