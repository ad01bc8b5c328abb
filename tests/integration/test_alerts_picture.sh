#!/usr/bin/env bash
# Picture alerts people can live with (issue #29 item 5). Two cameras
# flicker as the issue saw them (clips/black: 10 s good, 20 s black,
# looping): with offline_grace 15 s each sends one image_bad, not a
# bad/ok pair every 30 s. A camera that dies while black says nothing of
# its picture (no "hết tối đen" before the outage alert); back with a good
# picture, its image_ok comes once the picture has been good for the grace.
# Every message says when it happened; one delivered after the webhook was
# away for a while says first that it is late.
# test-parallel: yes
# test-timeout: 400
. "$(dirname "$0")/lib.sh"
PORT=$(free_port); PORT2=$(free_port); HOOK=$(free_port)
BLACK=$MEDIA/clips/black.h264; GOOD=$MEDIA/clips/healthy.h264
# a camsim per camera: each one can die alone
start_camsim "$PORT" f1=file=$BLACK; SIM1=$CAMSIM_PID
start_camsim "$PORT2" f2=file=$BLACK; SIM2=$CAMSIM_PID
start_receiver() {
  rm -f "$T/hook.ready"
  "$BIN/tests/receiver" --port "$HOOK" --log "$T/hook.jsonl" --ready "$T/hook.ready" &
  HOOK_PID=$!
  PIDS+=("$HOOK_PID")
  for _ in $(seq 50); do [ -f "$T/hook.ready" ] && return 0; sleep 0.1; done
  fail "receiver did not start"
}
start_receiver
CFG=$T/cw.yaml
write_head "$CFG"
cat >> "$CFG" <<EOT
  - {id: f1, name: "Cổng chợ", site: cong-lang, url: "rtsp://127.0.0.1:$PORT/f1", probe_interval: 0.5s, plugins: [imagehealth]}
  - {id: f2, name: "Trạm y tế", site: cong-lang, url: "rtsp://127.0.0.1:$PORT2/f2", probe_interval: 0.5s, plugins: [imagehealth]}
alerts:
  offline_grace: 15s
  flap_window: 10m
  late_after: 5s
  place_share: 0
  targets:
    - {name: hook, type: webhook, url: "http://127.0.0.1:$HOOK/hook"}
EOT
sed -i "s|^  log_level: debug|  log_level: debug\n  plugin_dir: $BIN/plugins|" "$CFG"
DB=$T/camwatch.db
start_daemon "$CFG"
wait_sql 15 "SELECT COUNT(*) = 2 FROM spans WHERE state = 'online' AND end_us IS NULL" || fail "cameras not online"
sleep $(( 65 * SLOW ))
n_cond=$(q "SELECT COUNT(*) FROM conditions WHERE condition = 'black'")
[ "$n_cond" -ge 4 ] || fail "only $n_cond black spans in 65 s: the clip did not flicker as meant"
for c in f1 f2; do
  got=$(q "SELECT group_concat(kind) FROM alerts WHERE camera = '$c' AND kind LIKE 'image%'")
  [ "$got" = image_bad ] || fail "$c: picture alerts '$got' in 65 s of flicker (want one image_bad)"
done
ok "two flickering cameras ($n_cond black spans in 65 s): one image_bad each, no bad/ok pair per flicker"

# f1 dies while black: no word about its picture, then the outage alert.
wait_sql 40 "SELECT COUNT(*) FROM conditions WHERE camera = 'f1' AND end_us IS NULL" || fail "f1 never black again"
kill -KILL "$SIM1"; wait "$SIM1" 2>/dev/null || true
wait_sql 30 "SELECT COUNT(*) FROM alerts WHERE camera = 'f1' AND kind = 'camera_offline'" || fail "f1 offline not alerted"
[ "$(q "SELECT COUNT(*) FROM alerts WHERE camera = 'f1' AND kind = 'image_ok'")" = 0 ] \
  || fail "f1: 'hết tối đen' told as the camera died: $(q "SELECT kind, created_us FROM alerts WHERE camera = 'f1'")"
ok "f1 died while black: no image_ok, then camera_offline"
# Back with a good picture: recovered at once, image_ok once the picture was good for the grace.
start_camsim "$PORT" f1=file=$GOOD; SIM1=$CAMSIM_PID
wait_sql 20 "SELECT COUNT(*) FROM alerts WHERE camera = 'f1' AND kind = 'camera_recovered'" || fail "f1 not recovered"
wait_sql 30 "SELECT COUNT(*) FROM alerts WHERE camera = 'f1' AND kind = 'image_ok'" || fail "f1: no image_ok after it came back good"
back=$(q "SELECT created_us FROM alerts WHERE camera = 'f1' AND kind = 'camera_recovered'")
okat=$(q "SELECT created_us FROM alerts WHERE camera = 'f1' AND kind = 'image_ok'")
awk -v a="$back" -v b="$okat" 'BEGIN { d = (b - a) / 1e6; exit !(d >= 14 && d < 25) }' \
  || fail "image_ok $(( (okat - back) / 1000000 )) s after the recovery (the grace is 15 s)"
ok "f1 back with a good picture: camera_recovered, then image_ok $(( (okat - back) / 1000000 )) s later (grace 15 s)"

# The webhook away for a while: the delivery that waited says it is late.
kill -KILL "$HOOK_PID"; wait "$HOOK_PID" 2>/dev/null || true
kill -KILL "$SIM2"; wait "$SIM2" 2>/dev/null || true
wait_sql 30 "SELECT COUNT(*) FROM alerts WHERE camera = 'f2' AND kind = 'camera_offline'" || fail "f2 offline not alerted"
wait_sql 20 "SELECT COUNT(*) FROM deliveries d JOIN alerts a ON a.key = d.alert_key WHERE a.camera = 'f2'
  AND a.kind = 'camera_offline' AND d.attempts >= 1" || fail "no attempt to the missing webhook"
sleep 6
start_receiver
f2_offline() { jq -c 'select(.path == "/hook") | .body | fromjson | select(.kind == "camera_offline" and .camera.id == "f2")' "$T/hook.jsonl" 2>/dev/null | tail -1; }
for _ in $(seq 300); do [ -n "$(f2_offline)" ] && break; sleep 0.2; done
line=$(f2_offline)
[ -n "$line" ] || fail "f2's offline alert never arrived"
jq -e '(.message_vi | test("^\\[Gửi muộn [0-9]+ (giây|phút)( [0-9]+ giây)?, sự việc lúc [0-9]{2}:[0-9]{2} [0-9]{2}/[0-9]{2}\\] Camera Trạm y tế"))
       and .late_s >= 5' <<<"$line" > /dev/null || fail "late delivery: $(jq -r '.message_vi' <<<"$line")"
ok "a delivery that waited for the webhook: '$(jq -r '.message_vi' <<<"$line" | cut -c1-70)...'"

# Every message says when it happened.
while IFS= read -r m; do
  grep -qE '[0-9]{2}:[0-9]{2} [0-9]{2}/[0-9]{2}' <<<"$m" || fail "a message without its time: $m"
done < <(jq -r '.body | fromjson | .message_vi' "$T/hook.jsonl")
ok "every message delivered ($(wc -l < "$T/hook.jsonl")) says when it happened"
