#!/usr/bin/env bash
# Maintenance windows, declared with the CLI while camwatchd runs:
#  - a window on a site holds back every alert for its cameras (offline and
#    recovered), read by the daemon without a restart;
#  - a camera still down when its window ends is alerted then, not before;
#  - the report shows the down time inside windows as maintenance, apart
#    from outages, and states the rule (uptime leaves it out);
#  - the CLI refuses unknown targets and bad times, lists and ends windows.
. "$(dirname "$0")/lib.sh"
PORT=$(free_port); PORT_B=$(free_port); HOOK=$(free_port)
V=$MEDIA/vtest-360p15.h264
# a camsim per camera: cam-b can come and go alone
start_camsim "$PORT" a=file=$V; SIM_A=$CAMSIM_PID
start_camsim "$PORT_B" b=file=$V; SIM_B=$CAMSIM_PID
"$BIN/tests/receiver" --port "$HOOK" --log "$T/hook.jsonl" --ready "$T/hook.ready" &
PIDS+=($!)
CFG=$T/cw.yaml
write_head "$CFG"
cat >> "$CFG" <<EOT
  - {id: cam-a, site: cong-lang, url: "rtsp://127.0.0.1:$PORT/a", probe_interval: 0.5s}
  - {id: cam-b, site: cong-lang, url: "rtsp://127.0.0.1:$PORT_B/b", probe_interval: 0.5s}
alerts:
  offline_grace: 1s
  language: en
  targets:
    - {name: hook, type: webhook, url: "http://127.0.0.1:$HOOK/hook"}
report:
  exclude_maintenance: true
EOT
DB=$T/camwatch.db
CW=("$BIN/camwatch" -c "$CFG" --lang en) # its messages are read below in English
start_daemon "$CFG"
wait_sql 10 "SELECT COUNT(*) = 2 FROM spans WHERE state = 'online' AND end_us IS NULL" || fail "cameras not online"

# The CLI refuses what it cannot honour, each with a message.
out=$("${CW[@]}" maintenance add --camera nope --to +1h 2>&1) && fail "unknown camera accepted"
grep -q "no camera 'nope'" <<<"$out" || fail "unknown camera: $out"
out=$("${CW[@]}" maintenance add --site cong-lang --to 2001-01-01T00:00 2>&1) && fail "window in the past accepted"
grep -q "in the future" <<<"$out" || fail "past window: $out"
out=$("${CW[@]}" maintenance add --site cong-lang --to tomorrow 2>&1) && fail "bad time accepted"
grep -q "cannot read the time 'tomorrow'" <<<"$out" || fail "bad time: $out"
"${CW[@]}" maintenance add --to +1h 2>/dev/null && fail "no target accepted"
"${CW[@]}" maintenance --help | grep -q "maintenance add" || fail "maintenance --help"
ok "maintenance add refuses an unknown camera, a past window, an unreadable time, a missing target"

W0=$(date +%s.%N)
"${CW[@]}" maintenance add --site cong-lang --to +25s --note "thay bộ nguồn" --by "kt-an" > "$T/add.txt" \
  || fail "maintenance add: $(cat "$T/add.txt")"
grep -q "maintenance window #1: site cong-lang" "$T/add.txt" || fail "add said: $(cat "$T/add.txt")"
W1=$(awk -v a="$W0" 'BEGIN { printf "%.3f", a + 25 }')
"${CW[@]}" maintenance list | grep -q "kt-an.*thay bộ nguồn  (now)" || fail "list: $("${CW[@]}" maintenance list)"
ok "window #1 on site cong-lang for 25 s, listed with who and the note"
sleep 1.5   # the daemon reads windows with each flush (1 s)

# Both cameras go down inside the window and cam-a comes back inside it.
kill -KILL "$SIM_A" "$SIM_B"; wait "$SIM_A" "$SIM_B" 2>/dev/null || true
DOWN=$(now)
sleep 5
start_camsim "$PORT" a=file=$V; SIM_A=$CAMSIM_PID
start_camsim "$PORT_B" "b=file=$V,refuse"; SIM_B=$CAMSIM_PID
wait_sql 10 "SELECT COUNT(*) = 1 FROM spans WHERE camera = 'cam-a' AND state = 'online' AND end_us IS NULL" \
  || fail "cam-a not back"
sleep 2
n=$(q "SELECT COUNT(*) FROM alerts")
[ "$n" = 0 ] || fail "$n alert(s) raised inside the window: $(q 'SELECT camera, kind FROM alerts')"
[ ! -s "$T/hook.jsonl" ] || fail "the webhook got something inside the window"
grep -q "camera_offline held back: maintenance window #1 (site cong-lang)" "$T/camwatchd.log" \
  || fail "no 'held back' log line"
ok "inside the window: cam-a down and back, cam-b down: no alert raised or sent (held back, logged)"

# cam-b is still down when the window ends: alerted then, not before.
wait_sql 40 "SELECT COUNT(*) = 1 FROM alerts WHERE camera = 'cam-b' AND kind = 'camera_offline'" \
  || fail "cam-b not alerted after the window"
at=$(q "SELECT created_us / 1e6 FROM alerts WHERE camera = 'cam-b'")
awk -v a="$at" -v e="$W1" 'BEGIN { exit !(a >= e - 1.5 && a <= e + 3) }' || fail "cam-b alerted at $at, window ended $W1"
[ "$(q "SELECT COUNT(*) FROM alerts WHERE camera = 'cam-a'")" = 0 ] || fail "cam-a alerted"
for _ in $(seq 50); do grep -q camera_offline "$T/hook.jsonl" 2>/dev/null && break; sleep 0.1; done
grep -q 'camera_offline' "$T/hook.jsonl" || fail "the webhook did not get cam-b's offline alert"
ok "cam-b, still down when the window ended, alerted $(awk -v a="$at" -v e="$W1" 'BEGIN { printf "%+.1f", a - e }') s from its end"

# cam-b's offline alert went out; a technician declares a window on it and
# it comes back inside: the recovery is held, and told when the window ends
# (issue #29 item 6: the chat's last word must not stay "MẤT KẾT NỐI").
# A second outside both windows first, so the report has an outage to
# count (the alert arrives at window 1's end: without it the gap was a
# few tens of milliseconds, under a sanitizer build less than the 0.1 s
# the report check below asks for).
sleep 1
W2S=$(now)
"${CW[@]}" maintenance add --camera cam-b --to +12s --by kt-an > /dev/null || fail "window on cam-b"
W2=$(awk -v a="$W2S" 'BEGIN { printf "%.3f", a + 12 }')
sleep 1.5
# gone for 2 s (its 0.5 s probe sees it gone, so its return starts a session
# at once rather than after the backoff a refusing server earned)
kill -KILL "$SIM_B"; wait "$SIM_B" 2>/dev/null || true
sleep 2
start_camsim "$PORT_B" b=file=$V; SIM_B=$CAMSIM_PID
wait_sql 8 "SELECT COUNT(*) = 1 FROM spans WHERE camera = 'cam-b' AND state = 'online' AND end_us IS NULL" \
  || fail "cam-b not back inside its window"
B2=$(now)  # cam-b was down from W2S to here inside window 2: maintenance too
[ "$(q "SELECT COUNT(*) FROM alerts WHERE camera = 'cam-b' AND kind = 'camera_recovered'")" = 0 ] \
  || fail "cam-b's recovery was told inside the window"
wait_sql 20 "SELECT COUNT(*) FROM alerts WHERE camera = 'cam-b' AND kind = 'camera_recovered'" \
  || fail "cam-b's recovery never told after its window ended"
at=$(q "SELECT created_us / 1e6 FROM alerts WHERE camera = 'cam-b' AND kind = 'camera_recovered'")
awk -v a="$at" -v e="$W2" 'BEGIN { exit !(a >= e - 1.5 && a <= e + 3) }' || fail "cam-b's recovery told at $at, window ended $W2"
for _ in $(seq 50); do grep -q camera_recovered "$T/hook.jsonl" 2>/dev/null && break; sleep 0.1; done
jq -r 'select(.path == "/hook") | .body | fromjson | select(.kind == "camera_recovered") | .message_en' "$T/hook.jsonl" \
  | grep -q "BACK ONLINE at .* (during maintenance)" || fail "the recovery message: $(grep camera_recovered "$T/hook.jsonl")"
ok "cam-b back inside a window after its offline alert: camera_recovered told $(awk -v a="$at" -v e="$W2" 'BEGIN { printf "%+.1f", a - e }') s from the window's end"

# A third window, ended early from the CLI.
"${CW[@]}" maintenance add --camera cam-a --from +1h --to +2h > /dev/null || fail "future window"
"${CW[@]}" maintenance end 3 --by kt-binh | grep -q "ended" || fail "end"
out=$("${CW[@]}" maintenance end 3 2>&1) && fail "ended twice"
grep -q "already over" <<<"$out" || fail "ending twice: $out"
out=$("${CW[@]}" maintenance end 99 2>&1) && fail "ended a missing window"
grep -q "no window #99" <<<"$out" || fail "ending a missing window: $out"
[ "$(q "SELECT ended_by FROM maintenance WHERE id = 3")" = kt-binh ] || fail "ended_by not recorded"
ok "maintenance end: withdraws a future window (who recorded), refuses twice and unknown ids"
stop_daemon

D0=$(date -u +%Y-%m-%d -d @"${W0%.*}"); D1=$(date -u +%Y-%m-%d)
"$BIN/camwatch" --db "$DB" --tz UTC report --from "$D0" --to "$D1" --format json > "$T/report.json" || fail "report"
jq -e '.rules.exclude_maintenance == true' "$T/report.json" > /dev/null || fail "rule not in the JSON"
for c in cam-a cam-b; do
  m=$(jq -r ".cameras[] | select(.id == \"$c\") | .maintenance_h * 3600" "$T/report.json")
  o=$(jq -r ".cameras[] | select(.id == \"$c\") | .outages" "$T/report.json")
  down=$(jq -r ".cameras[] | select(.id == \"$c\") | [.down_h_by_cause[]] | add * 3600" "$T/report.json")
  up=$(jq -r ".cameras[] | select(.id == \"$c\") | .uptime_pct" "$T/report.json")
  echo "$c: maintenance ${m}s, down ${down}s, outages $o, uptime $up %"
  if [ $c = cam-a ]; then
    awk -v m="$m" 'BEGIN { exit !(m >= 4.5 && m <= 7) }' || fail "cam-a: maintenance $m s for a ~5 s outage"
    [ "$o" = 0 ] && awk -v d="$down" 'BEGIN { exit !(d < 0.01) }' || fail "cam-a: outage counted ($o, $down s)"
    awk -v u="$up" 'BEGIN { exit !(u == 100) }' || fail "cam-a: uptime $u, not 100 with maintenance left out"
  else
    # inside the window: maintenance; from its end on: one outage
    awk -v m="$m" -v a="$DOWN" -v e="$W1" -v w="$W2S" -v b="$B2" \
      'BEGIN { x = e - a + b - w; exit !(m >= x - 2.5 && m <= x + 2.5) }' || fail "cam-b: maintenance $m s"
    [ "$o" = 1 ] && awk -v d="$down" 'BEGIN { exit !(d > 0.5) }' || fail "cam-b: outages $o, down $down s"
  fi
done
ok "report: down time inside the window is maintenance, apart from outages; cam-a reads 100 % with it left out"
"$BIN/camwatch" --db "$DB" --tz UTC report --from "$D0" --to "$D1" --lang en > "$T/report.txt"
grep -q "Uptime leaves out maintenance time" "$T/report.txt" || fail "the text report does not state the rule"
grep -q "Maint. h" "$T/report.txt" || fail "no maintenance column in the text report"
ok "the text report states the rule and has a maintenance column"
