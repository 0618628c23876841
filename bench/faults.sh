# Faults survived under a steady load of referral forms and personal-link clicks
# (bench/faults.py): PostgreSQL stopped for 5 s and started again, then on SQLite a full disk
# (a 256 MB tmpfs filled up for 5 s). The server must recover by itself within 10 s, report the
# outage on /healthz, answer 503 (never another 5xx) while it lasts, and store every lead it
# acknowledged and every click it answered.
set -euo pipefail
source bench/lib.bash
BIN=$(release_binary)
dir=$(mktemp -d)
verdict="pass"
fail() { verdict="fail ($*)"; }

link_code() {
  curl -fs -c "$dir/jar" -H "Origin: $SERVER_BASE" -d "login=employee@demo.allhands.cn&password=demo1234" "$SERVER_BASE/api/sign_in" >/dev/null
  curl -fs -b "$dir/jar" -X POST -H "Accept: application/json" -H "Origin: $SERVER_BASE" "$SERVER_BASE/api/load_my_promotion" \
    | python3 -c "import json,sys; print(json.load(sys.stdin)[0]['code'])"
}

query() { # url sql
  case "$1" in
    postgres*) PGOPTIONS="-c search_path=$PG_SCHEMA" psql "${1%%\?*}" -Atc "$2" ;;
    *) python3 -c "import sqlite3,sys; [print(r[0]) for r in sqlite3.connect(sys.argv[1]).execute(sys.argv[2])]" "${1#sqlite://}" "$2" ;;
  esac
}

# run NAME URL FAULT_START FAULT_END
run() {
  local name="$1" url="$2"
  start_server "$url" ALLHANDS_LEAD_BURST_PER_MINUTE=100000000 ALLHANDS_SECURE_COOKIES=0
  local code out
  code=$(link_code)
  out=$(SERVER_BASE="$SERVER_BASE" LINK_CODE="$code" FAULT_START="$3" FAULT_END="$4" ACK_FILE="$dir/$name.ack" python3 bench/faults.py)
  kill -TERM "$SERVER_PID"; wait "$SERVER_PID" || true   # clean shutdown: queued clicks are written
  sed "s/^/${name}_/" <<<"$out"
  query "$url" "select phone from leads where phone like '+86137%'" | sort > "$dir/$name.stored"
  sort "$dir/$name.ack" > "$dir/$name.acked"
  local lost_leads answered recorded lost_clicks
  lost_leads=$(comm -23 "$dir/$name.acked" "$dir/$name.stored" | wc -l)
  answered=$(awk '/^clicks_answered:/{print $2}' <<<"$out")
  recorded=$(query "$url" "select count(*) from clicks")
  lost_clicks=$((answered > recorded ? answered - recorded : 0))
  echo "${name}_clicks_recorded: $recorded"
  echo "${name}_lost: $((lost_leads + lost_clicks))"
  local errors recovery down
  errors=$(awk '/^server_errors:/{print $2}' <<<"$out")
  recovery=$(awk '/^recovery_s:/{print $2}' <<<"$out")
  down=$(awk '/^healthz_down:/{print $2}' <<<"$out")
  [ "$errors" = 0 ] || fail "$name: $errors server errors"
  [ $((lost_leads + lost_clicks)) = 0 ] || fail "$name: $lost_leads leads and $lost_clicks clicks lost"
  if [ "$recovery" = never ] || awk -v r="$recovery" 'BEGIN { exit !(r > 10) }'; then fail "$name: recovered after ${recovery} s"; fi
  if [ "$name" = postgres ] && [ "$down" != yes ]; then fail "postgres: /healthz did not report the outage"; fi
  TOTAL_REQUESTS=$(( ${TOTAL_REQUESTS:-0} + $(awk '/^requests:/{print $2}' <<<"$out") ))
  TOTAL_ERRORS=$(( ${TOTAL_ERRORS:-0} + errors ))
  TOTAL_LOST=$(( ${TOTAL_LOST:-0} + lost_leads + lost_clicks ))
}

# PostgreSQL stopped and started under load.
cluster="$(ls /etc/postgresql | head -1)"
pg_ctl_cmd="pg_ctlcluster --skip-systemctl-redirect $cluster main"
if psql "$PG_URL" -Atc "create schema $PG_SCHEMA" >/dev/null 2>&1; then
  sep='?'; case "$PG_URL" in *\?*) sep='&' ;; esac
  run postgres "$PG_URL${sep}options=-c%20search_path%3D$PG_SCHEMA" "$pg_ctl_cmd stop -m fast" "$pg_ctl_cmd start"
  psql "$PG_URL" -q -Atc "drop schema $PG_SCHEMA cascade" >/dev/null 2>&1 || true
else
  echo "postgres_skipped: unreachable"
fi

# SQLite on a small file system that fills up.
mkdir -p "$dir/small"
if mount -t tmpfs -o size=256m tmpfs "$dir/small" 2>/dev/null; then
  fill="avail=\$(df --output=avail -B1 '$dir/small' | tail -1); fallocate -l \$avail '$dir/small/filler' 2>/dev/null || dd if=/dev/zero of='$dir/small/filler' bs=1M 2>/dev/null || true"
  run sqlite "sqlite://$dir/small/faults.db" "$fill" "rm -f '$dir/small/filler'"
  umount "$dir/small" || true
else
  echo "sqlite_full_disk_skipped: cannot mount a small file system here"
fi

echo "requests: ${TOTAL_REQUESTS:-0}"
echo "server_errors: ${TOTAL_ERRORS:-0}"
echo "lost: ${TOTAL_LOST:-0}"
echo "verdict: $verdict"
