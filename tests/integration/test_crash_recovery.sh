#!/usr/bin/env bash
# SIGKILL camwatchd, restart it: the database passes integrity_check, every
# camera's spans still tile time with no overlap, and the downtime is an
# `unmonitored` span (not offline).
. "$(dirname "$0")/lib.sh"
export CW_TEST_PASS=$(secret crash_recovery)

PORT=$(free_port)
V=$MEDIA/vtest-360p15.h264
start_camsim "$PORT" a=file=$V b=file=$V
CFG=$T/cw.yaml
write_head "$CFG"
cat >> "$CFG" <<EOT
  - {id: cam-a, site: cong-lang, url: "rtsp://viewer:\${CW_TEST_PASS}@127.0.0.1:$PORT/a"}
  - {id: cam-b, site: cong-lang, url: "rtsp://127.0.0.1:$PORT/b"}
  - {id: cam-dead, site: cong-lang, url: "rtsp://viewer:\${CW_TEST_PASS}@127.0.0.1:$(free_port)/x", connect_timeout: 1s}
EOT
DB=$T/camwatch.db
start_daemon "$CFG"
wait_sql 8 "SELECT COUNT(*) = 2 FROM spans WHERE state='online' AND end_us IS NULL" || fail "cameras not online"
sleep 2
kill -KILL "$DAEMON_PID"; wait "$DAEMON_PID" 2>/dev/null || true
KILLED=$(now)
ok "camwatchd killed with SIGKILL"
"$BIN/camwatch" -c "$CFG" status > "$T/status-down.txt"
grep -q "NOT running" "$T/status-down.txt" || sleep 0   # heartbeat may still look fresh
sleep 3
start_daemon "$CFG"
UP=$(elapsed "$KILLED")   # dead for this long, until the restart was up
wait_sql 8 "SELECT COUNT(*) = 2 FROM spans WHERE state='online' AND end_us IS NULL" || fail "not online after restart"
sleep 1
stop_daemon

[ "$(q 'PRAGMA integrity_check')" = ok ] || fail "integrity_check: $(q 'PRAGMA integrity_check')"
ok "PRAGMA integrity_check: ok"
# Tiling, checked here in SQL independently of camwatch check-db.
bad=$(q "SELECT COUNT(*) FROM (SELECT start_us, LAG(end_us) OVER (PARTITION BY camera ORDER BY start_us, id) AS pe,
         LAG(id) OVER (PARTITION BY camera ORDER BY start_us, id) AS pid FROM spans) WHERE pid IS NOT NULL AND pe != start_us")
[ "$bad" = 0 ] || fail "$bad span(s) do not meet their predecessor"
[ "$(q 'SELECT COUNT(*) FROM spans WHERE end_us IS NULL OR end_us < start_us')" = 0 ] || fail "open or negative spans"
"$BIN/camwatch" -c "$CFG" check-db > /dev/null || fail "camwatch check-db"
ok "spans of every camera tile time with no overlap or gap"
for c in cam-a cam-b cam-dead; do
  r=$(q "SELECT COUNT(*), MIN(end_us - start_us) / 1e6 FROM spans WHERE camera='$c' AND state='unmonitored'")
  n=${r%%|*}; d=${r##*|}
  [ "$n" = 1 ] || fail "$c: $n unmonitored spans"
  # from the last heartbeat (at most a second before the kill) to the
  # restart being up
  awk -v d="$d" -v up="$UP" 'BEGIN { exit !(d >= 2.9 && d <= up + 1.5) }' || fail "$c: unmonitored for $d s (dead $UP s)"
  ok "$c: one unmonitored span of $d s"
done
# The killed run's spans end at its last heartbeat: no offline span covers
# the time the daemon was dead.
n=$(q "SELECT COUNT(*) FROM spans WHERE state IN ('offline','stalled') AND camera IN ('cam-a','cam-b')")
[ "$n" = 0 ] || fail "healthy cameras got $n offline/stalled spans across the crash"
ok "healthy cameras show no downtime across the crash"
