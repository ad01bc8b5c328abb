#!/usr/bin/env bash
# Fleet churn: 200 cameras — camsim mounts that flap every few seconds,
# mounts that refuse, ports where nothing listens, a listener that never
# answers, names that do not resolve — for CHURN_SECONDS (60 in make test,
# 600 in make soak) after a warm-up. camwatchd's RSS and open descriptors
# (read from /proc) must stay flat: the largest value in the second half
# of the run may not exceed the first half's by more than a small margin,
# which one leaked descriptor or buffer per reconnect would blow through
# within seconds. The event loop may never run more than 1 s late
# (camwatch_loop_lag_max_seconds, from selfwatch's 100 ms timer; 5 s in a
# sanitizer build, see loop_lag_limit in lib.sh).
. "$(dirname "$0")/lib.sh"
SECS=${CHURN_SECONDS:-60}
WARMUP=${CHURN_WARMUP:-15}
N=200
PORT=$(free_port); HOLE=$(free_port)
V=$MEDIA/vtest-360p15.h264

# 24 flapping mounts with different cycles, 4 that refuse, 4 steady.
mounts=()
for i in $(seq 0 23); do mounts+=("fl$i=file=$V,flap=$((2 + i % 4)):$((1 + i % 3))"); done
for i in 0 1 2 3; do mounts+=("rf$i=file=$V,refuse" "ok$i=file=$V"); done
start_camsim "$PORT" "${mounts[@]}"

# A listener that accepts and never says a word (a camera whose RTSP
# server hangs): each connection ends at the camera's connect_timeout.
socat TCP-LISTEN:"$HOLE",bind=127.0.0.1,fork,reuseaddr SYSTEM:"sleep 3600" 2>/dev/null &
PIDS+=($!)

CFG=$T/cw.yaml
write_head "$CFG"
sed -i "s|  log_level: debug|  log_level: info|" "$CFG"
export CW_FLEET_PASS=$(secret fleet)
{
  for i in $(seq 0 119); do   # 5 cameras on each flapping mount
    echo "  - {id: fl$i, site: cong-lang, url: \"rtsp://viewer:\${CW_FLEET_PASS}@127.0.0.1:$PORT/fl$((i % 24))\", stall_timeout: 1s}"
  done
  for i in $(seq 0 19); do echo "  - {id: rf$i, site: cong-lang, url: \"rtsp://127.0.0.1:$PORT/rf$((i % 4))\"}"; done
  for i in $(seq 0 19); do echo "  - {id: ok$i, site: cong-lang, url: \"rtsp://127.0.0.1:$PORT/ok$((i % 4))\"}"; done
  for i in $(seq 0 24); do echo "  - {id: dead$i, site: cong-lang, url: \"rtsp://viewer:\${CW_FLEET_PASS}@127.0.0.1:$(free_port)/x\"}"; done
  for i in $(seq 0 9); do echo "  - {id: hole$i, site: cong-lang, url: \"rtsp://127.0.0.1:$HOLE/x\", connect_timeout: 2s}"; done
  for i in $(seq 0 4); do echo "  - {id: nxdomain$i, site: cong-lang, url: \"rtsp://cam$i.invalid/x\"}"; done
} >> "$CFG"
[ "$(grep -c '  - {id: ' "$CFG")" = $N ] || fail "config has $(grep -c '  - {id: ' "$CFG") cameras, not $N"

DB=$T/camwatch.db
start_daemon "$CFG"
sleep "$WARMUP"
kill -0 "$DAEMON_PID" 2>/dev/null || fail "camwatchd died during warm-up"

# Samples: elapsed seconds, RSS (kB), open fds, online cameras (API).
sample() {
  local rss fds online
  rss=$(awk '/^VmRSS:/ { print $2 }' "/proc/$DAEMON_PID/status")
  fds=$(ls "/proc/$DAEMON_PID/fd" | wc -l)
  online=$(curl -s -m 2 "http://127.0.0.1:$HTTP_PORT/api/v1/cameras" | jq "[.items[] | select(.state == \"online\")] | length" 2>/dev/null || echo "?")
  echo "$1 $rss $fds $online" >> "$T/samples.txt"
}
: > "$T/samples.txt"
T0=$(date +%s)
while :; do
  e=$(( $(date +%s) - T0 ))
  kill -0 "$DAEMON_PID" 2>/dev/null || fail "camwatchd died after $e s of churn"
  sample "$e"
  [ "$e" -ge "$SECS" ] && break
  sleep 2
done
curl -s -m 5 "http://127.0.0.1:$HTTP_PORT/metrics" > "$T/metrics.txt" || fail "no /metrics"
stop_daemon
{ echo "secs rss_kB fds online"; cat "$T/samples.txt"; } | column -t > "$T/samples.table"

half=$(( SECS / 2 ))
read -r rss1 fds1 < <(awk -v h="$half" '$1 < h { if ($2 > r) r = $2; if ($3 > f) f = $3 } END { print r, f }' "$T/samples.txt")
read -r rss2 fds2 < <(awk -v h="$half" '$1 >= h { if ($2 > r) r = $2; if ($3 > f) f = $3 } END { print r, f }' "$T/samples.txt")
first=$(head -1 "$T/samples.txt"); last=$(tail -1 "$T/samples.txt")
ok "RSS first $(awk '{ printf "%.1f", $2 / 1024 }' <<<"$first") MiB, last $(awk '{ printf "%.1f", $2 / 1024 }' <<<"$last") MiB; peak $((rss1 / 1024)) MiB in the first half, $((rss2 / 1024)) MiB in the second"
ok "open fds first $(awk '{ print $3 }' <<<"$first"), last $(awk '{ print $3 }' <<<"$last"); peak $fds1 in the first half, $fds2 in the second"
# Margins: glibc keeps per-thread arenas that settle over the first
# minute; a leak per reconnect grows without bound (see the closing note
# of #7 for the deliberate leak this caught).
[ "$rss2" -le $(( rss1 + rss1 / 10 + 16384 )) ] || fail "RSS grew: peak $rss1 kB, then $rss2 kB"
[ "$fds2" -le $(( fds1 + fds1 / 10 + 10 )) ] || fail "open descriptors grew: peak $fds1, then $fds2"

lag=$(awk '$1 == "camwatch_loop_lag_max_seconds" { print $2 }' "$T/metrics.txt")
stalls=$(awk '$1 == "camwatch_loop_stalls_total" { print $2 }' "$T/metrics.txt")
[ -n "$lag" ] || fail "no camwatch_loop_lag_max_seconds in /metrics"
on=$(awk '$4 ~ /^[0-9]+$/' "$T/samples.txt" | awk 'NR == 1 || $4 < lo { lo = $4 } $4 > hi { hi = $4 } END { print lo "-" hi }')
miss=$(awk '$4 !~ /^[0-9]+$/ { print $1 "s" }' "$T/samples.txt" | tr '\n' ' ')
if [ -n "${CW_VALGRIND:-}" ]; then
  # valgrind runs all of camwatchd's threads on one core, one at a time:
  # lateness there says nothing about camwatchd itself
  ok "longest event-loop lag: $lag s; API unanswered at: ${miss:-never} (under valgrind: timing not held to limits)"
elif [ "$(loop_lag_limit)" != 1 ]; then
  # a sanitizer build (see loop_lag_limit in lib.sh)
  lim=$(loop_lag_limit)
  awk -v l="$lag" -v m="$lim" 'BEGIN { exit !(l < m) }' || fail "the event loop stalled for $lag s (sanitizer build, limit $lim s)"
  ok "longest event-loop lag over the run: $lag s, $stalls over 1 s; API unanswered within 2 s at: ${miss:-never} (sanitizer build: limit $lim s)"
else
  awk -v l="$lag" 'BEGIN { exit !(l < 1.0) }' || fail "the event loop stalled for $lag s"
  [ "$stalls" = 0 ] || fail "$stalls loop stalls over 1 s"
  grep -q "event loop was blocked" "$T/camwatchd.log" && fail "the log reports a blocked loop"
  [ -z "$miss" ] || fail "the API did not answer within 2 s at $miss"
  ok "the API answered every 2 s: $on cameras online at a time"
  ok "longest event-loop lag over the run: $lag s (limit 1 s)"
fi

# The churn really happened: cameras went offline and came back many
# times, every steady camera stayed online, every dead one stayed down.
downs=$(q "SELECT COUNT(*) FROM spans WHERE camera LIKE 'fl%' AND state = 'offline'")
ups=$(q "SELECT COUNT(*) FROM spans WHERE camera LIKE 'fl%' AND state = 'online'")
[ "$downs" -ge $(( 200 / SLOW )) ] || fail "only $downs offline spans on the flapping cameras: no churn"
steady=$(q "SELECT COUNT(DISTINCT camera) FROM spans WHERE camera LIKE 'ok%' AND state = 'online'")
[ "$steady" = 20 ] || fail "only $steady of 20 steady cameras were online"
deadup=$(q "SELECT COUNT(*) FROM spans WHERE (camera LIKE 'dead%' OR camera LIKE 'hole%' OR camera LIKE 'nx%' OR camera LIKE 'rf%') AND state = 'online'")
[ "$deadup" = 0 ] || fail "$deadup online spans on cameras that cannot be online"
"$BIN/camwatch" -c "$CFG" check-db > /dev/null || fail "check-db after the churn"
ok "$N cameras for ${SECS} s: $ups online and $downs offline spans on the 120 flapping ones; spans tile"
