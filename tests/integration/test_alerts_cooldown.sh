#!/usr/bin/env bash
# test-parallel: yes
# test-timeout: 600
# Quiet by design: the motion clip loops for 3 minutes on a camera with a
# 60 s cooldown. At most 3 motion messages reach the webhook in those 3
# minutes; each later one says "and N more since HH:MM"; after the clip
# stops, one message tells the events still counted. Messages plus their
# counts equal the events stored (an event split by event_max is the same
# event for alerting: not counted again).
. "$(dirname "$0")/lib.sh"
PORT=$(free_port); HOOK=$(free_port)
"$BIN/tests/receiver" --port "$HOOK" --log "$T/hook.jsonl" --ready "$T/hook.ready" &
PIDS+=($!)
start_camsim "$PORT" mot=file=$MEDIA/clips/motion.h264
CAMSIM=$CAMSIM_PID
CFG=$T/cw.yaml
write_head "$CFG"
sed -i "s|  log_level: debug|  log_level: info\n  plugin_dir: $BIN/plugins|" "$CFG"
cat >> "$CFG" <<EOT
  - {id: mot, name: "Cổng chợ", site: cong-lang, url: "rtsp://127.0.0.1:$PORT/mot", plugins: [motion]}
alerts:
  cooldown: 60s
  language: en
  targets:
    - {name: hook, type: webhook, url: "http://127.0.0.1:$HOOK/hook"}
EOT
DB=$T/camwatch.db
start_daemon "$CFG"
msgs() { jq -r 'select(.path == "/hook") | (.received | floor | tostring) + " " + (.body | fromjson | select(.kind == "motion") | "\(.more) \(.message_en)")' "$T/hook.jsonl" 2>/dev/null; }
for _ in $(seq 120); do [ -n "$(msgs)" ] && break; sleep 0.5; done
[ -n "$(msgs)" ] || fail "no motion alert within 60 s"
T1=$(now)
sleep 180
in_window=$(msgs | wc -l)
kill -TERM "$CAMSIM"; wait "$CAMSIM" 2>/dev/null || true
# the counted rest is told once the camera has been quiet for a cooldown
sleep 75
stop_daemon
msgs > "$T/motion-messages.txt"
n=$(wc -l < "$T/motion-messages.txt")
more=$(jq -s 'map(select(.path == "/hook") | .body | fromjson | select(.kind == "motion") | .more) | add' "$T/hook.jsonl")
stored=$(q "SELECT COUNT(*) FROM events e WHERE camera = 'mot'
            AND NOT EXISTS (SELECT 1 FROM events p WHERE p.camera = e.camera AND p.kind = e.kind AND p.end_us = e.start_us)")
splits=$(q "SELECT COUNT(*) FROM events e WHERE camera = 'mot'
            AND EXISTS (SELECT 1 FROM events p WHERE p.camera = e.camera AND p.kind = e.kind AND p.end_us = e.start_us)")
sed 's/^/    /' "$T/motion-messages.txt" | cut -c1-160
[ "$in_window" -le 3 ] || fail "$in_window motion messages in the 3 minutes (at most 3)"
[ "$stored" -gt "$n" ] || fail "only $stored events stored for $n messages: the clip did not exercise the cooldown"
# a message for an event has its plugin; the closing count has none
told=$(jq -s 'map(select(.path == "/hook") | .body | fromjson | select(.kind == "motion" and .plugin != "")) | length' "$T/hook.jsonl")
[ $((told + more)) = "$stored" ] || fail "$told events told + $more counted = $((told + more)), but $stored events stored"
grep -q 'and [0-9]* more since' "$T/motion-messages.txt" || fail "no message says how many more"
ok "3 minutes of looping motion, 60 s cooldown: $in_window messages in the window, $n in all; $told events told + $more counted = $stored stored ($splits continuations by event_max)"
