#!/usr/bin/env bash
# test-parallel: yes
# test-timeout: 400
# Quiet hours: target `night` has quiet_hours from this minute to 2-3
# minutes ahead (quiet_pass: critical); target `day` has none. Inside the
# window a camera goes offline (critical: both get it at once) and comes
# back, and the motion clip raises motion events (info): `day` gets each at
# once, `night` none of them. camwatchd is restarted inside the window (the
# held deliveries are in the outbox as 'held' and come back). When the
# window ends `night` gets exactly one quiet_digest listing every alert it
# held, oldest first, and those deliveries are 'digested'.
. "$(dirname "$0")/lib.sh"
export TZ=Asia/Ho_Chi_Minh # camwatchd's default zone: quiet_hours are local
HOOK=$(free_port); PA=$(free_port); PM=$(free_port)
"$BIN/tests/receiver" --port "$HOOK" --log "$T/hook.jsonl" --ready "$T/hook.ready" &
PIDS+=($!)
start_camsim "$PM" mot=file=$MEDIA/clips/motion.h264
# the second camera on a camsim of its own, to kill and restart
cp "$T/camsim.log" "$T/camsim-mot.log"
start_camsim "$PA" a=file=$MEDIA/vtest-360p15.h264
CAM_A=$CAMSIM_PID
now_s=$(date +%s)
end_s=$(( (now_s / 60 + ($(date +%-S) < 30 ? 2 : 3)) * 60 ))
FROM=$(date -d "@$now_s" +%H:%M); TO=$(date -d "@$end_s" +%H:%M)
CFG=$T/cw.yaml
write_head "$CFG"
sed -i "s|  log_level: debug|  log_level: info\n  plugin_dir: $BIN/plugins|" "$CFG"
cat >> "$CFG" <<EOT
  - {id: a, name: "Cổng A", site: cong-lang, url: "rtsp://127.0.0.1:$PA/a", connect_timeout: 1s, probe_interval: 0.5s}
  - {id: mot, name: "Cổng chợ", site: cong-lang, url: "rtsp://127.0.0.1:$PM/mot", plugins: [motion]}
alerts:
  offline_grace: 2s
  cooldown: 0s
  place_share: 0
  language: en
  targets:
    - {name: day, type: webhook, url: "http://127.0.0.1:$HOOK/day"}
    - {name: night, type: webhook, url: "http://127.0.0.1:$HOOK/night", quiet_hours: "$FROM-$TO"}
EOT
DB=$T/camwatch.db
start_daemon "$CFG"
got() { jq -r --arg p "/$1" 'select(.path == $p) | .body | fromjson | .kind' "$T/hook.jsonl" 2>/dev/null; }
wait_sql 20 "SELECT COUNT(*) = 2 FROM spans WHERE state = 'online' AND end_us IS NULL" || fail "cameras not online"
for _ in $(seq 60); do got day | grep -qx motion && break; sleep 0.5; done
got day | grep -qx motion || fail "no motion alert to day"
kill -KILL "$CAM_A"; wait "$CAM_A" 2>/dev/null || true
for _ in $(seq 40); do got night | grep -qx camera_offline && break; sleep 0.5; done
got night | grep -qx camera_offline || fail "the critical camera_offline did not pass the quiet hours: $(got night | tr '\n' ' ')"
stop_daemon
start_daemon "$CFG" # inside the window: what is held stays held
start_camsim "$PA" a=file=$MEDIA/vtest-360p15.h264
for _ in $(seq 40); do got day | grep -qx camera_recovered && break; sleep 0.5; done
got day | grep -qx camera_recovered || fail "no camera_recovered to day"
[ "$(date +%s)" -lt "$end_s" ] || fail "the steps outlasted the quiet window (ends $TO): the test proves nothing"
held=$(q "SELECT COUNT(*) FROM deliveries WHERE target = 'night' AND state = 'held'")
[ "$(got night | tr '\n' ' ')" = "camera_offline " ] || fail "night got inside its quiet hours: $(got night | tr '\n' ' ')"
[ "$held" -ge 2 ] || fail "only $held deliveries held for night"
ok "quiet hours $FROM-$TO: night got only camera_offline (critical) at once; $held held ($(q "SELECT group_concat(a.kind, ' ') FROM deliveries d JOIN alerts a ON a.key = d.alert_key WHERE d.target = 'night' AND d.state = 'held' ORDER BY a.id")), across a restart"

# the window ends: one digest
left=$(( end_s - $(date +%s) ))
for _ in $(seq $(( left * 2 + 20 ))); do got night | grep -qx quiet_digest && break; sleep 0.5; done
got night | grep -qx quiet_digest || fail "no quiet_digest after $TO: $(got night | tr '\n' ' ')"
sleep 2
stop_daemon
digests=$(got night | grep -cx quiet_digest)
msg=$(jq -r 'select(.path == "/night") | .body | fromjson | select(.kind == "quiet_digest") | .message_en' "$T/hook.jsonl")
heldkeys=$(jq -r 'select(.path == "/night") | .body | fromjson | select(.kind == "quiet_digest") | .held[].key' "$T/hook.jsonl" | sort | tr '\n' ' ')
# what night held: every non-critical alert day got before the window ended
want=$(q "SELECT a.key FROM deliveries d JOIN alerts a ON a.key = d.alert_key WHERE d.target = 'day'
          AND a.severity != 'critical' AND a.created_us < ${end_s}000000 AND a.kind != 'quiet_digest' ORDER BY a.key" | tr '\n' ' ')
digested=$(q "SELECT alert_key FROM deliveries WHERE target = 'night' AND state = 'digested' ORDER BY alert_key" | tr '\n' ' ')
n=$(wc -w <<<"$want")
[ "$digests" = 1 ] || fail "$digests quiet_digest messages"
[ "$heldkeys" = "$want" ] || fail "the digest lists '$heldkeys', day's non-critical alerts were '$want'"
[ "$digested" = "$want" ] || fail "deliveries marked digested: '$digested', want '$want'"
grep -q "^QUIET HOURS DIGEST $FROM–$TO: $n alerts held back" <<<"$msg" || fail "digest text: $msg"
lines=$(( n < 20 ? n : 20 )) # then "... and N more"
[ "$(grep -c '^• ' <<<"$msg")" = "$lines" ] || fail "digest lines: $msg"
[ "$(q "SELECT COUNT(*) FROM deliveries WHERE state = 'held'")" = 0 ] || fail "deliveries still held"
ok "at $TO one digest to night with the $n alerts it held (each also went to day at once): $(head -3 <<<"$msg" | tr '\n' '|')"
