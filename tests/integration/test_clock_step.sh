#!/usr/bin/env bash
# The system clock stepped forward an hour and then back two (an NTP
# correction, an RTC reset) while a camera flaps: spans stay in order and
# tile (check-db), no span is longer than the run, outages keep their real
# lengths, the offline alert comes after its grace and not an hour off, and
# every step is logged and recorded. libfaketime moves camwatchd's
# CLOCK_REALTIME only (the monotonic clock is left alone, as NTP does).
. "$(dirname "$0")/lib.sh"
FT=/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1
[ -r "$FT" ] || fail "libfaketime is not installed (make deps)"
V=$MEDIA/vtest-360p15.h264
PORT=$(free_port); FPORT=$(free_port)
start_camsim "$PORT" ok=file=$V
# The flapping camera: its own camsim, killed for 2 s every 6 s.
flap_start() {
  rm -f "$T/f.ready"
  ASAN_OPTIONS=detect_leaks=0 "$BIN/camsim" --port "$FPORT" --ready-file "$T/f.ready" --mount f=file=$V >> "$T/camsim-f.log" 2>&1 &
  FLAP_PID=$!
  PIDS+=("$FLAP_PID")
  for _ in $(seq 100); do [ -f "$T/f.ready" ] && return 0; sleep 0.05; done
  fail "camsim f did not start"
}
flap_start
CFG=$T/cw.yaml
write_head "$CFG"
sed -i 's|  log_level: debug|  log_level: info|' "$CFG"
cat >> "$CFG" <<EOT
  - {id: ok, site: cong-lang, url: "rtsp://127.0.0.1:$PORT/ok"}
  - {id: f, site: cong-lang, url: "rtsp://127.0.0.1:$FPORT/f", probe_interval: 0.2s, connect_timeout: 2s}
alerts:
  offline_grace: 1s
  flap_window: 10s
EOT
DB=$T/camwatch.db
echo "+0" > "$T/faketime"
# (under make asan, ASan must be told that libfaketime comes first)
OLD_ASAN=${ASAN_OPTIONS:-}
export FAKETIME_TIMESTAMP_FILE=$T/faketime FAKETIME_NO_CACHE=1 FAKETIME_DONT_FAKE_MONOTONIC=1 LD_PRELOAD=$FT \
  ASAN_OPTIONS=${OLD_ASAN:+$OLD_ASAN:}verify_asan_link_order=0
start_daemon "$CFG"
unset FAKETIME_TIMESTAMP_FILE FAKETIME_NO_CACHE FAKETIME_DONT_FAKE_MONOTONIC LD_PRELOAD
export ASAN_OPTIONS=$OLD_ASAN
T0=$(now)
wait_sql 10 "SELECT COUNT(*) = 2 FROM spans WHERE state = 'online' AND end_us IS NULL" || fail "cameras not online"
# 24 s: the camera is down 2 s in every 6; the clock steps at 7, 13 and 19 s.
declare -a KILLS=()
for i in 1 2 3 4; do
  sleep 2
  if [ "$i" = 2 ]; then
    # An hour after the step forward camwatchd's clock is still an hour
    # behind the system's (it catches up at 1 %): a window opened "now"
    # from the command line, on the same stepped system clock, must start
    # now on camwatchd's clock, not an hour into its future.
    FAKETIME_TIMESTAMP_FILE=$T/faketime FAKETIME_NO_CACHE=1 FAKETIME_DONT_FAKE_MONOTONIC=1 LD_PRELOAD=$FT \
      ASAN_OPTIONS=${OLD_ASAN:+$OLD_ASAN:}verify_asan_link_order=0 \
      "$BIN/camwatch" -c "$CFG" maintenance add --camera ok --to +10m --note "after the step" > "$T/maint.out" 2>&1 \
      || fail "maintenance add: $(cat "$T/maint.out")"
    MAINT_HB=$(q "SELECT heartbeat_us FROM runs ORDER BY id DESC LIMIT 1")
  fi
  kill -KILL "$FLAP_PID"; wait "$FLAP_PID" 2>/dev/null || true
  KILLS+=("$(now)")
  sleep 2
  flap_start
  sleep 2
  case $i in 1) echo "+3600" > "$T/faketime" ;; 2) echo "-3600" > "$T/faketime" ;; 3) echo "+0" > "$T/faketime" ;; esac
done
sleep 2
RUN=$(elapsed "$T0")
stop_daemon
ok "4 outages of 2 s; system clock steps: +1 h, -2 h, +1 h; run of $RUN s"

n=$(grep -c "the system clock stepped" "$T/camwatchd.log" || true)
[ "$n" = 3 ] || fail "$n step lines logged: $(grep 'clock stepped' "$T/camwatchd.log")"
steps=$(q "SELECT group_concat(ROUND(step_us / 3600e6), ',') FROM (SELECT step_us FROM clock_steps ORDER BY id)")
[ "$steps" = "1.0,-2.0,1.0" ] || fail "clock_steps: $steps"
ok "every step logged and recorded: $(grep -o 'stepped [a-z]* by [0-9.]* s' "$T/camwatchd.log" | paste -sd ';' | sed 's/;/; /g')"
"$BIN/camwatch" --db "$DB" check-db > "$T/check.txt" || fail "check-db: $(cat "$T/check.txt")"
long=$(q "SELECT MAX(end_us - start_us) / 1e6 FROM spans")
awk -v l="$long" -v r="$RUN" 'BEGIN { exit !(l <= r + 5) }' || fail "a span of $long s in a $RUN s run"
ok "check-db ok; the longest span is $long s in a $RUN s run"
# outages of the flapping camera: each about its 2 s (recovery within the
# probe bound), none stretched or shrunk by an hour
outs=$(q "SELECT state, (end_us - start_us) / 1e6 FROM spans WHERE camera = 'f' ORDER BY start_us, id" |
       awk -F'|' '$1 == "offline" || $1 == "stalled" { d += $2; down = 1; next }
                  down { printf "%.2f ", d; d = 0; down = 0 } END { if (down) printf "%.2f", d }')
for o in $outs; do
  awk -v o="$o" 'BEGIN { exit !(o >= 1.5 && o <= 3.5) }' || fail "an outage of $o s (all: $outs)"
done
[ "$(wc -w <<<"$outs")" -ge 4 ] || fail "outages: $outs"
ok "the flapping camera's outages keep their lengths: $outs s"
lag=$(q "SELECT MAX((created_us - json_extract(body, '$.outage_since_us')) / 1e6) FROM alerts WHERE kind = 'camera_offline'")
awk -v l="$lag" 'BEGIN { exit !(l >= 1 && l <= 2) }' || fail "offline alert $lag s after the outage began (grace 1 s)"
ok "offline alerts $lag s (at most) after their outage began, grace 1 s"
from=$(q "SELECT from_us FROM maintenance WHERE note = 'after the step'")
d=$(awk -v f="$from" -v h="$MAINT_HB" 'BEGIN { printf "%.1f", (f - h) / 1e6 }')
awk -v d="$d" 'BEGIN { exit !(d > -5 && d < 5) }' || fail "a window opened from the command line an hour after the step starts $d s from camwatchd's heartbeat"
ok "a window opened from the command line after the step starts $d s from camwatchd's heartbeat (on its clock)"
