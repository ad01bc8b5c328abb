#!/usr/bin/env bash
# Another process holds the database's write lock for 20 s (a backup, or
# sqlite3 by hand) while cameras flap: camwatchd must not crash or run one
# flush twice at once, must say clearly what is wrong (once, not every
# second), keep every change in memory and commit all of them once the lock
# is gone; a clean stop afterwards logs "stopped" once.
. "$(dirname "$0")/lib.sh"
PORT=$(free_port)
V=$MEDIA/vtest-360p15.h264
start_camsim "$PORT" f1=file=$V,flap=2:2 f2=file=$V,flap=3:2 ok=file=$V
CFG=$T/cw.yaml
write_head "$CFG"
sed -i 's|  log_level: debug|  log_level: info|' "$CFG"
cat >> "$CFG" <<EOT
  - {id: f1, site: cong-lang, url: "rtsp://127.0.0.1:$PORT/f1", probe_interval: 0.5s}
  - {id: f2, site: cong-lang, url: "rtsp://127.0.0.1:$PORT/f2", probe_interval: 0.5s}
  - {id: ok, site: cong-lang, url: "rtsp://127.0.0.1:$PORT/ok"}
EOT
DB=$T/camwatch.db
start_daemon "$CFG"
wait_sql 10 "SELECT COUNT(*) = 3 FROM spans WHERE state = 'online'" || fail "cameras not online"
before=$(q "SELECT COUNT(*) FROM spans")

# The lock: a second connection in an exclusive transaction for 20 s.
python3 - "$DB" <<'PY' &
import sqlite3, sys, time
con = sqlite3.connect(sys.argv[1], timeout=10, isolation_level=None)
con.execute("BEGIN EXCLUSIVE")
time.sleep(20)
con.execute("ROLLBACK")
PY
LOCKER=$!
PIDS+=("$LOCKER")
wait "$LOCKER" || fail "could not take the write lock"
ok "another connection held the write lock for 20 s"
kill -0 "$DAEMON_PID" 2>/dev/null || fail "camwatchd died while the database was locked: $(tail -5 "$T/camwatchd.log")"
sleep 3
n=$(grep -c "cannot write to $DB: database is locked" "$T/camwatchd.log" || true)
[ "$n" -ge 1 ] && [ "$n" -le 2 ] || fail "$n 'cannot write' lines (want one, at most one a minute)"
grep -q "writing to $DB works again after [0-9]* failed attempt(s); nothing was lost" "$T/camwatchd.log" \
  || fail "no line saying writes work again"
ok "one clear line when the lock blocked writes, one when they worked again"
[ "$(q "SELECT COUNT(*) FROM spans")" -gt "$before" ] || fail "no span written after the lock"
stop_daemon
[ "$(grep -c 'daemon: stopped' "$T/camwatchd.log")" = 1 ] || fail "'stopped' logged $(grep -c 'daemon: stopped' "$T/camwatchd.log") times"
! grep -q "not an error" "$T/camwatchd.log" || fail "'not an error' in the log"
ok "camwatchd alive throughout and stopped cleanly, once"
# Every transition the daemon logged is a span in the database: nothing
# recorded while the lock was held was lost.
for c in f1 f2 ok; do
  logged=$(grep -cE "camera \[$c\]: (online|offline|stalled)" "$T/camwatchd.log" || true)
  spans=$(q "SELECT COUNT(*) FROM spans WHERE camera = '$c' AND state != 'starting'")
  [ "$logged" = "$spans" ] || fail "$c: $logged transitions logged, $spans spans stored"
  ok "$c: $spans transitions, each stored"
done
"$BIN/camwatch" --db "$DB" check-db > "$T/check-db.txt" || fail "check-db: $(cat "$T/check-db.txt")"
[ "$(q 'PRAGMA integrity_check')" = ok ] || fail "integrity_check"
ok "check-db and integrity_check: ok"
