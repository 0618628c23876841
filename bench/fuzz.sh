# Random input against every public form and server function (bench/fuzz.py), bounded
# (`FUZZ_REQUESTS`, default 3,000 per engine; `FUZZ_SEED`), on SQLite then PostgreSQL:
# no 5xx, every acknowledged lead stored, nothing stored that was not acknowledged.
set -euo pipefail
source bench/lib.bash
BIN=$(release_binary)
dir=$(mktemp -d)
verdict="pass"

run() { # name database_url
  local name="$1" url="$2"
  # Lead bursts are part of the surface: the form's own limit stays on.
  start_server "$url" ALLHANDS_SECURE_COOKIES=0
  local out
  out=$(SERVER_BASE="$SERVER_BASE" DATABASE_URL="$url" PG_SCHEMA="$PG_SCHEMA" python3 bench/fuzz.py)
  kill -TERM "$SERVER_PID"; wait "$SERVER_PID" || true
  sed "s/^/${name}_/" <<<"$out"
  local errors lost invalid
  errors=$(awk '/^server_errors:/{print $2}' <<<"$out")
  lost=$(awk '/^lost:/{print $2}' <<<"$out")
  invalid=$(awk '/^stored_invalid:/{print $2}' <<<"$out")
  if [ "$errors" != 0 ] || [ "$lost" != 0 ] || [ "$invalid" != 0 ]; then
    verdict="fail (${name}: $errors server errors, $lost lost, $invalid stored invalid)"
  fi
  if [ "$name" = sqlite ]; then SQLITE_OUT="$out"; fi
}

on_both_engines run "$dir"
grep -E '^(requests|server_errors|lost):' <<<"$SQLITE_OUT"
echo "verdict: $verdict"
