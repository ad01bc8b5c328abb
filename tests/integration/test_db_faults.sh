#!/usr/bin/env bash
# Faults of the database file itself:
#  - a second camwatchd on the same database is refused with a message that
#    names the database and the running daemon's pid, and touches nothing:
#    the first's run is not marked crashed, its spans still tile;
#  - the database deleted while camwatchd runs: it says so at once and
#    stops (exit 1, for the supervisor to restart it on a new file) instead
#    of writing into an unlinked file that vanishes at exit.
. "$(dirname "$0")/lib.sh"
PORT=$(free_port)
V=$MEDIA/vtest-360p15.h264
start_camsim "$PORT" a=file=$V
CFG=$T/cw.yaml
write_head "$CFG"
echo "  - {id: cam-a, site: cong-lang, url: \"rtsp://127.0.0.1:$PORT/a\"}" >> "$CFG"
# Secrets outside user:password@ (the suite's secrets sweep reads everything
# this test leaves): XMeye's path form and a query.
export CW_X_PASS=$(secret db_faults)
cat >> "$CFG" <<EOT
  - {id: xmeye, site: cong-lang, url: "rtsp://127.0.0.1:$(free_port)/user=admin&password=\${CW_X_PASS}&channel=1", connect_timeout: 1s}
  - {id: query, site: cong-lang, url: "rtsp://127.0.0.1:$(free_port)/cam?user=admin&pwd=\${CW_X_PASS}", connect_timeout: 1s}
EOT
# A password with an unencoded '/' and '#' is refused at load (it would move
# the host), and the message does not quote it (the sweep reads the output).
sed 's|^cameras:$|cameras:\n  - {id: slash, site: cong-lang, url: "rtsp://admin:a/${CW_X_PASS}#b@127.0.0.1:9/s"}|' "$CFG" > "$T/slash.yaml"
rc=0; "$BIN/camwatch" check-config --strict "$T/slash.yaml" > "$T/slash.out" 2>&1 || rc=$?
[ "$rc" = 1 ] && grep -q "cameras\[0\].url: the user name or password holds an unencoded '#' and '/': write them as %23, %2F" \
  "$T/slash.out" || fail "slash password: rc $rc, $(cat "$T/slash.out")"
DB=$T/camwatch.db
start_daemon "$CFG"
FIRST=$DAEMON_PID
wait_sql 10 "SELECT COUNT(*) FROM spans WHERE state = 'online' AND end_us IS NULL" || fail "cam-a not online"

# The same config once more (its own log: start_daemon's would wait for a start line).
rc=0; timeout 20 "$BIN/camwatchd" -c "$CFG" > "$T/second.log" 2>&1 || rc=$?
[ "$rc" = 1 ] || fail "the second camwatchd exited with $rc"
grep -q "another camwatchd (pid $FIRST) is using the database $DB; not starting a second one" "$T/second.log" \
  || fail "second daemon said: $(cat "$T/second.log")"
ok "a second camwatchd is refused: $(grep -o 'another camwatchd.*' "$T/second.log")"
sleep 1.5
kill -0 "$FIRST" || fail "the first camwatchd died"
[ "$(q "SELECT COUNT(*) FROM runs")" = 1 ] && [ "$(q "SELECT crashed FROM runs")" = 0 ] \
  || fail "runs: $(q 'SELECT * FROM runs')"
[ "$(q "SELECT COUNT(*) FROM spans WHERE camera = 'cam-a' AND state = 'online' AND end_us IS NULL")" = 1 ] \
  || fail "the first daemon's open span was touched"
stop_daemon
"$BIN/camwatch" --db "$DB" check-db > /dev/null || fail "check-db after the refused second daemon"
[ "$(q "SELECT crashed FROM runs")" = 0 ] || fail "the first's clean run was marked crashed"
ok "the first daemon's history intact: one run, not crashed, check-db ok"
q .dump > "$T/dump.sql"
"$BIN/camwatch" --db "$DB" status --json > "$T/status.json"
grep -q 'password=\*\*\*&channel=1' "$T/dump.sql" || fail "the XMeye URL is not stored masked"

# The database deleted under a running daemon.
start_daemon "$CFG"
wait_sql 10 "SELECT COUNT(*) FROM spans WHERE state = 'online' AND end_us IS NULL" || fail "cam-a not online again"
rm -f "$DB" "$DB-wal" "$DB-shm"
GONE=$(now)
rc=0
for _ in $(seq 50); do kill -0 "$DAEMON_PID" 2>/dev/null || break; sleep 0.1; done
wait "$DAEMON_PID" || rc=$?
[ "$rc" = 1 ] || fail "camwatchd exited with $rc after its database was deleted"
grep -q "the database $DB was deleted or replaced while camwatchd was running; stopping" "$T/camwatchd.log" \
  || fail "no line about the deleted database"
ok "database deleted: camwatchd said so and stopped with exit 1 within $(elapsed "$GONE") s"
! grep -rl --exclude=cw.yaml -- "$CW_X_PASS" "$T" || fail "a password in a query, path or with a '/' leaked"
ok "no password (query, XMeye path, unencoded '/' and '#') in the logs or databases"
