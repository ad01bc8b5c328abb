#!/usr/bin/env bash
# 300 cameras behind a host that accepts TCP and never answers RTSP (a
# switch with dead cameras behind a NAT, a hung NVR): a reload that changes
# every camera and a SIGTERM must each finish within 5 s, and the event loop
# must not block meanwhile (loop lag < 1 s, /healthz answering throughout;
# 5 s in a sanitizer build, see loop_lag_limit in lib.sh).
# Before, cameras stopped one after another (~50 ms each): the reload
# blocked the loop for 14 s and SIGTERM took 20 s.
. "$(dirname "$0")/lib.sh"
N=${FLEET_STOP_CAMERAS:-300}
SINK=$(free_port)
# The silent host: accepts every connection and never says a word.
python3 - "$SINK" <<'PY' &
import socket, sys, time
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1])))
s.listen(2048)
held = []
s.settimeout(1.0)
end = time.time() + 240
while time.time() < end:
    try:
        c, _ = s.accept()
        held.append(c)
    except socket.timeout:
        pass
PY
PIDS+=($!)
for _ in $(seq 50); do ss -Hltn "sport = :$SINK" | grep -q . && break; sleep 0.1; done
CFG=$T/cw.yaml
write_head "$CFG"
sed -i 's|  log_level: debug|  log_level: info|' "$CFG"
for i in $(seq -w 1 "$N"); do
  echo "  - {id: c$i, site: cong-lang, url: \"rtsp://127.0.0.1:$SINK/a$i\", connect_timeout: 30s}" >> "$CFG"
done
DB=$T/camwatch.db
start_daemon "$CFG"
API=http://127.0.0.1:$HTTP_PORT
sleep 3   # every camera is now waiting for an RTSP answer that never comes
conns=$(ss -Htn state established "dport = :$SINK" | wc -l)
[ "$conns" -ge $((N * 9 / 10)) ] || fail "only $conns of $N cameras connected to the silent host"
ok "$conns cameras hold a connection the host never answers"

# /healthz polled every 0.2 s while the reload and the stop run.
( while :; do curl -s -o /dev/null -m 2 -w '%{http_code} %{time_total}\n' "$API/healthz" >> "$T/healthz.log"; sleep 0.2; done ) &
POLL=$!
PIDS+=("$POLL")
sed -i "s|/a\([0-9]*\)\"|/b\1\"|" "$CFG"   # every camera's URL changes: all reconnect
kill -HUP "$DAEMON_PID"
for _ in $(seq 300); do grep -q "daemon: reloaded:" "$T/camwatchd.log" && break; sleep 0.05; done
t=$(awk '/SIGHUP: reloading/ { a = $1 } /daemon: reloaded:/ { b = $1 } END { print a, b }' "$T/camwatchd.log")
secs=$(python3 -c "import sys, datetime as d; a, b = sys.argv[1:3]; f = lambda s: d.datetime.fromisoformat(s.rstrip('Z')); print('%.2f' % (f(b) - f(a)).total_seconds())" $t)
awk -v s="$secs" 'BEGIN { exit !(s < 5) }' || fail "the reload took $secs s"
grep -q "reloaded: 0 camera(s) kept, $N reconnected" "$T/camwatchd.log" || fail "reload: $(grep 'reloaded:' "$T/camwatchd.log")"
sleep 2
lag=$(curl -s "$API/metrics" | awk '/^camwatch_loop_lag_max_seconds / { print $2 }')
LIM=$(loop_lag_limit) # 1 s; a sanitizer build's, see lib.sh
awk -v l="$lag" -v m="$LIM" 'BEGIN { exit !(l != "" && l < m) }' || fail "loop lag max $lag s (limit $LIM s)"
ok "reload of $N cameras stuck in a handshake: $secs s; loop lag max ${lag} s (limit $LIM s)"

STOP0=$(now)
kill -TERM "$DAEMON_PID"
rc=0; wait "$DAEMON_PID" || rc=$?
took=$(elapsed "$STOP0")
kill "$POLL" 2>/dev/null || true; wait "$POLL" 2>/dev/null || true
[ "$rc" = 0 ] || fail "camwatchd exited with $rc"
awk -v s="$took" 'BEGIN { exit !(s < 5) }' || fail "SIGTERM took $took s"
bad=$(awk '$1 != 200 && NR > 1' "$T/healthz.log" | wc -l)
slow=$(awk -v m="$LIM" '$2 > m' "$T/healthz.log" | wc -l)
total=$(wc -l < "$T/healthz.log")
# the last poll may meet the stopped server: only answers before the stop count
[ "$slow" = 0 ] || fail "$slow of $total /healthz answers took over $LIM s"
ok "SIGTERM with $N cameras in a handshake: stopped in $took s; /healthz answered $total polls, none over $LIM s"
