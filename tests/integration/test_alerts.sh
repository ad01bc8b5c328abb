#!/usr/bin/env bash
# Alerts that arrive and are never lost, against receivers on loopback:
#  - a webhook receiver that is down for the first 60 s while 20 cameras go
#    offline (20 alerts), with camwatchd SIGKILLed and restarted in between:
#    all 20 arrive, duplicates only with the same Idempotency-Key;
#  - a flapping camera (about 10 flaps a minute) yields one offline, one
#    recovered and one flapping alert per target, no more;
#  - a fake Telegram Bot API receives sendMessage and, for the motion
#    event, sendPhoto with the chat id and a JPEG;
#  - a real Alertmanager lists the offline cameras' alerts as firing and the
#    flapping camera's offline alert no more (resolved);
#  - camwatch alerts --pending is empty at the end; nothing leaks secrets.
. "$(dirname "$0")/lib.sh"
export CW_TEST_PASS=$(secret alerts)
PORT=$(free_port); HOOK=$(free_port); TG=$(free_port); AM=$(free_port)
TG_TOKEN="4242:secret-$RANDOM"
V=$MEDIA/vtest-360p15.h264
start_camsim "$PORT" blink=file=$V,flap=3:3 mot=file=$MEDIA/clips/motion.h264

"$BIN/tests/receiver" --port "$TG" --log "$T/telegram.jsonl" --ready "$T/tg.ready" &
PIDS+=($!)
cat > "$T/am.yml" <<EOT
route: {receiver: "null", group_wait: 1s}
receivers: [{name: "null"}]
EOT
prometheus-alertmanager --config.file="$T/am.yml" --storage.path="$T/am" --web.listen-address=127.0.0.1:$AM \
  --cluster.listen-address= > "$T/alertmanager.log" 2>&1 &
PIDS+=($!)

CFG=$T/cw.yaml
write_head "$CFG"
sed -i "s|  log_level: debug|  log_level: info\n  plugin_dir: $BIN/plugins|" "$CFG"
cat >> "$CFG" <<EOT
  - {id: blink, site: cong-lang, url: "rtsp://127.0.0.1:$PORT/blink", stall_timeout: 2s}
  - {id: mot, site: cong-lang, url: "rtsp://viewer:\${CW_TEST_PASS}@127.0.0.1:$PORT/mot", plugins: [motion]}
EOT
for i in $(seq -w 1 20); do
  echo "  - {id: dead$i, site: cong-lang, url: \"rtsp://viewer:\${CW_TEST_PASS}@127.0.0.1:$(free_port)/x\", connect_timeout: 1s}" >> "$CFG"
done
cat >> "$CFG" <<EOT
alerts:
  offline_grace: 1s
  flap_window: 10m
  place_share: 0      # one alert per camera here: this test counts deliveries (test_alerts_quiet folds)
  cooldown: 0s
  language: en
  targets:
    - {name: hook, type: webhook, url: "http://127.0.0.1:$HOOK/hook"}
    - name: tg
      type: telegram
      url: "http://127.0.0.1:$TG"
      token: "\${CW_TG_TOKEN}"
      chat_id: "-1004242"
      kinds: [camera_offline, camera_recovered, camera_flapping, motion]
      sites: [cong-lang]
    - {name: am, type: alertmanager, url: "http://127.0.0.1:$AM"}
EOT
export CW_TG_TOKEN=$TG_TOKEN
DB=$T/camwatch.db
T0=$(date +%s)
start_daemon "$CFG"
wait_sql 20 "SELECT COUNT(*) = 20 FROM alerts WHERE kind = 'camera_offline' AND camera LIKE 'dead%'" \
  || fail "20 offline alerts not raised: $(q "SELECT COUNT(*) FROM alerts")"
ok "20 offline alerts in the outbox after $(( $(date +%s) - T0 )) s; the webhook receiver is down"
# let blink flap and mot see motion, then kill the daemon mid-way
wait_sql 25 "SELECT COUNT(*) FROM alerts WHERE kind = 'motion'" || fail "no motion alert"
sleep 2
kill -KILL "$DAEMON_PID"; wait "$DAEMON_PID" 2>/dev/null || true
pending=$(q "SELECT COUNT(*) FROM deliveries WHERE target = 'hook' AND state = 'pending'")
ok "camwatchd SIGKILLed at $(( $(date +%s) - T0 )) s with $pending webhook deliveries pending"
start_daemon "$CFG"
# the receiver comes up 60 s after the start
while [ $(( $(date +%s) - T0 )) -lt 60 ]; do sleep 1; done
"$BIN/tests/receiver" --port "$HOOK" --log "$T/hook.jsonl" --ready "$T/hook.ready" &
PIDS+=($!)
ok "webhook receiver up at $(( $(date +%s) - T0 )) s"
wait_sql 90 "SELECT COUNT(*) = 0 FROM deliveries WHERE state = 'pending'" \
  || fail "still pending: $(q "SELECT target, COUNT(*) FROM deliveries WHERE state='pending' GROUP BY target")"
ok "every delivery accepted at $(( $(date +%s) - T0 )) s"

kinds() { jq -r "select(.path == \"$2\") | .body | fromjson | select(.camera.id | test(\"$3\")) | \"\(.camera.id) \(.kind) \(.key)\"" "$1" | sort -u; }
keys=$(kinds "$T/hook.jsonl" /hook '^dead' | awk '$2 == "camera_offline"')
[ "$(awk '{print $1}' <<<"$keys" | sort -u | wc -l)" = 20 ] || fail "offline alerts for $(awk '{print $1}' <<<"$keys" | sort -u | wc -l) dead cameras"
[ "$(wc -l <<<"$keys")" = 20 ] || fail "some dead camera got two different keys: $(awk '{print $1}' <<<"$keys" | uniq -d)"
sent=$(jq -r 'select(.path == "/hook") | .idempotency_key' "$T/hook.jsonl" | wc -l)
diff <(jq -r 'select(.path == "/hook") | .idempotency_key' "$T/hook.jsonl" | sort -u) \
     <(jq -r 'select(.path == "/hook") | .body | fromjson | .key' "$T/hook.jsonl" | sort -u) > /dev/null \
  || fail "Idempotency-Key headers differ from the alerts' keys"
ok "all 20 offline alerts arrived, one key per camera ($sent webhook requests in all)"

blink=$(kinds "$T/hook.jsonl" /hook '^blink$' | awk '{print $2}' | sort | uniq -c | awk '{print $2 "=" $1}' | tr '\n' ' ')
[ "$blink" = "camera_flapping=1 camera_offline=1 camera_recovered=1 " ] || fail "blink on the webhook: $blink"
flaps=$(q "SELECT COUNT(*) FROM spans WHERE camera = 'blink' AND state = 'offline'")
for t in tg am; do
  per=$(q "SELECT group_concat(kind || '=' || n, ' ') FROM (SELECT a.kind, COUNT(*) n FROM deliveries d JOIN alerts a
           ON a.key = d.alert_key WHERE d.target = '$t' AND a.camera = 'blink' AND d.state = 'delivered'
           GROUP BY a.kind ORDER BY a.kind)")
  [ "$per" = "camera_flapping=1 camera_offline=1 camera_recovered=1" ] || fail "blink to $t: $per"
done
[ "$(grep -c 'Camera blink .* OFFLINE' <<<"$(jq -r 'select(.path | endswith("/sendMessage")) | .body | fromjson | .text' "$T/telegram.jsonl")")" = 1 ] \
  || fail "Telegram got blink OFFLINE more than once"
ok "blink flapped $flaps times: the webhook got $blink, and so did Telegram and Alertmanager"

tgm=$(jq -r 'select(.path | endswith("/sendMessage")) | .body | fromjson | "\(.chat_id) \(.text)"' "$T/telegram.jsonl")
grep -q "^-1004242 Camera blink (Cổng làng, Xã Hòa Bình) OFFLINE" <<<"$tgm" || fail "telegram sendMessage: $tgm"
[ "$(grep -c '^-1004242 ' <<<"$tgm")" = "$(wc -l <<<"$tgm")" ] || fail "a Telegram message without the chat id"
jq -e "select(.path == \"/bot$TG_TOKEN/sendPhoto\") | select(.form.chat_id == \"-1004242\" and (.form.photo.head | startswith(\"ffd8ff\")) and (.form.caption | test(\"MOTION\")))" \
  "$T/telegram.jsonl" > /dev/null || fail "no sendPhoto with a JPEG: $(grep sendPhoto "$T/telegram.jsonl" | head -c 400)"
ok "Telegram: $(wc -l <<<"$tgm") sendMessage and a sendPhoto (chat -1004242, JPEG) for the motion event"

am=$(curl -s "http://127.0.0.1:$AM/api/v2/alerts" | jq -r '.[] | "\(.labels.alertname) \(.labels.camera)"' | sort)
[ "$(grep -c '^CamwatchCameraOffline dead' <<<"$am")" = 20 ] || fail "Alertmanager firing: $am"
grep -q '^CamwatchCameraOffline blink$' <<<"$am" && fail "blink's offline alert still firing in Alertmanager"
[ "$(q "SELECT COUNT(*) FROM deliveries d JOIN alerts a ON a.key = d.alert_key WHERE d.target = 'am' AND a.camera = 'blink' AND a.kind IN ('camera_offline', 'camera_recovered') AND d.state = 'delivered'")" = 2 ] \
  || fail "blink's offline and recovery not both delivered to Alertmanager"
ok "Alertmanager: 20 offline cameras firing; blink's offline alert was fired then resolved"

"$BIN/camwatch" -c "$CFG" alerts --pending > "$T/pending.txt"
grep -q "(không có gì chờ gửi)" "$T/pending.txt" || fail "camwatch alerts --pending: $(cat "$T/pending.txt")"
"$BIN/camwatch" -c "$CFG" alerts > "$T/alerts.txt"
grep -q "dead01 .*camera mất kết nối .*hook .*đã gửi" "$T/alerts.txt" || fail "camwatch alerts: $(head -5 "$T/alerts.txt")"
for f in "$T/camwatchd.log" "$T/alerts.txt" "$T/hook.jsonl"; do
  grep -qF "$TG_TOKEN" "$f" && fail "the bot token appears in $(basename "$f")"
done
ok "camwatch alerts shows every delivery done; the bot token appears in no log or output"
stop_daemon
