#!/usr/bin/env bash
# One alert per site outage, and Alertmanager alerts that resolve by
# themselves when camwatchd dies:
#  - 5 cameras of site cong-lang (one camsim, killed) go down together: the
#    webhook gets exactly one site_down listing them and no camera_offline
#    for any of them; a lone camera of another commune killed at the same
#    moment gets its own camera_offline; when they come back, one
#    site_recovered (no camera_recovered for the five) and the lone
#    camera's camera_recovered. The 4 cameras of truong-hoc stay up, so
#    the commune (5 of 9 down) is not "most".
#  - Alertmanager gets the firing alerts with description, runbook_url and
#    generatorURL; after camwatchd is SIGKILLed they resolve by themselves
#    within 3 repost intervals (endsAt is kept 3 intervals ahead).
. "$(dirname "$0")/lib.sh"
HOOK=$(free_port); AM=$(free_port); PA=$(free_port); PB=$(free_port); PC=$(free_port); HTTP=$(free_port)
V=$MEDIA/vtest-360p15.h264
"$BIN/tests/receiver" --port "$HOOK" --log "$T/hook.jsonl" --ready "$T/hook.ready" &
PIDS+=($!)
cat > "$T/am.yml" <<EOT
route: {receiver: "null", group_wait: 1s}
receivers: [{name: "null"}]
EOT
prometheus-alertmanager --config.file="$T/am.yml" --storage.path="$T/am" --web.listen-address=127.0.0.1:$AM \
  --cluster.listen-address= > "$T/alertmanager.log" 2>&1 &
PIDS+=($!)
camsim_on() {  # name port mounts...
  local name=$1 port=$2; shift 2
  start_camsim "$port" "$@"
  eval "PID_$name=$CAMSIM_PID"
}
camsim_on A "$PA" g1=file=$V g2=file=$V g3=file=$V g4=file=$V g5=file=$V
camsim_on B "$PB" s1=file=$V s2=file=$V s3=file=$V s4=file=$V
camsim_on C "$PC" lone=file=$V

CFG=$T/cw.yaml
cat > "$CFG" <<EOT
http:
  listen: 127.0.0.1:$HTTP
daemon:
  database: $T/camwatch.db
  state_dir: $T/state
sites:
  - province: ha-noi
    name: "Thành phố Hà Nội"
    communes:
      - commune: hoa-binh
        name: "Xã Hòa Bình"
        sites:
          - {site: cong-lang, name: "Cổng làng"}
          - {site: truong-hoc, name: "Trường học"}
      - commune: binh-minh
        name: "Xã Bình Minh"
        sites:
          - {site: cho, name: "Chợ"}
cameras:
EOT
for i in 1 2 3 4 5; do echo "  - {id: gate$i, name: \"Cổng $i\", site: cong-lang, url: \"rtsp://127.0.0.1:$PA/g$i\", connect_timeout: 1s, probe_interval: 0.5s}" >> "$CFG"; done
for i in 1 2 3 4; do echo "  - {id: school$i, site: truong-hoc, url: \"rtsp://127.0.0.1:$PB/s$i\", connect_timeout: 1s}" >> "$CFG"; done
echo "  - {id: lone, site: cho, url: \"rtsp://127.0.0.1:$PC/lone\", connect_timeout: 1s, probe_interval: 0.5s}" >> "$CFG"
cat >> "$CFG" <<EOT
alerts:
  offline_grace: 2s
  language: en
  place_share: 0.6
  place_window: 2m
  repost_interval: 2s
  severities: [camera_offline=warning]
  runbook_url: "https://wiki.example.internal/camwatch/runbook"
  targets:
    - {name: hook, type: webhook, url: "http://127.0.0.1:$HOOK/hook"}
    - {name: am, type: alertmanager, url: "http://127.0.0.1:$AM"}
EOT
DB=$T/camwatch.db
start_daemon "$CFG"
wait_sql 20 "SELECT COUNT(*) = 10 FROM spans WHERE state = 'online' AND end_us IS NULL" || fail "cameras not online"

kill -KILL "$PID_A" "$PID_C"
KILLED=$(now)
wait_sql 20 "SELECT COUNT(*) = 1 FROM alerts WHERE kind = 'site_down'" || fail "no site_down: $(q 'SELECT kind, camera FROM alerts')"
wait_sql 10 "SELECT COUNT(*) = 1 FROM alerts WHERE kind = 'camera_offline' AND camera = 'lone'" || fail "lone camera not alerted"
sleep 3 # deliveries; and room for any wrong per-camera alert to show up
hook() { jq -r 'select(.path == "/hook") | .body | fromjson | "\(.kind) \(.camera.id)"' "$T/hook.jsonl" | sort; }
[ "$(hook | grep -c '^site_down ')" = 1 ] || fail "site_down on the webhook: $(hook)"
[ "$(hook | grep -c '^camera_offline gate')" = 0 ] || fail "per-camera offline alerts for the site's cameras: $(hook)"
[ "$(hook | grep -c '^camera_offline lone')" = 1 ] || fail "the lone camera's own alert: $(hook)"
[ "$(hook | grep -c '^commune_down')" = 0 ] || fail "a commune_down for 5 of 9 cameras: $(hook)"
msg=$(jq -r 'select(.path == "/hook") | .body | fromjson | select(.kind == "site_down") | .message_en' "$T/hook.jsonl")
grep -q '^SITE Cổng làng DOWN: 5 of 5 cameras stopped together at .* (Cổng 1, Cổng 2, Cổng 3, Cổng 4, Cổng 5) - likely power or uplink$' <<<"$msg" \
  || fail "site_down message: $msg"
[ "$(jq -r 'select(.path == "/hook") | .body | fromjson | select(.kind == "site_down") | .cameras | join(",")' "$T/hook.jsonl")" = gate1,gate2,gate3,gate4,gate5 ] \
  || fail "site_down cameras list"
ok "5 cameras of a site killed together: one site_down ('$msg'), no per-camera alert; the lone camera its own"

# Alertmanager: annotations and the link
am_active() { curl -s "http://127.0.0.1:$AM/api/v2/alerts?active=true&silenced=false&inhibited=false" ; }
for _ in $(seq 20); do [ "$(am_active | jq 'length')" = 2 ] && break; sleep 0.5; done
am_active > "$T/am.json"
jq -e '.[] | select(.labels.alertname == "CamwatchSiteDown" and .labels.site == "cong-lang" and .labels.severity == "critical")
       | select((.annotations.description | test("DOWN")) and .annotations.runbook_url == "https://wiki.example.internal/camwatch/runbook")' \
  "$T/am.json" > /dev/null || fail "Alertmanager site alert: $(cat "$T/am.json")"
jq -e ".[] | select(.labels.alertname == \"CamwatchCameraOffline\" and .labels.camera == \"lone\" and .labels.severity == \"warning\")
       | select(.generatorURL == \"http://127.0.0.1:$HTTP/api/v1/cameras/lone\" and (.annotations.description | test(\"cause: cannot be reached\")))" \
  "$T/am.json" > /dev/null || fail "Alertmanager camera alert: $(cat "$T/am.json")"
ok "Alertmanager: site and camera alerts firing with description, runbook_url and generatorURL; the camera's severity from alerts.severities (warning)"

camsim_on A "$PA" g1=file=$V g2=file=$V g3=file=$V g4=file=$V g5=file=$V
camsim_on C "$PC" lone=file=$V
wait_sql 20 "SELECT COUNT(*) = 1 FROM alerts WHERE kind = 'site_recovered'" || fail "no site_recovered"
wait_sql 10 "SELECT COUNT(*) = 1 FROM alerts WHERE kind = 'camera_recovered' AND camera = 'lone'" || fail "lone not recovered"
sleep 2
[ "$(hook | grep -c '^site_recovered ')" = 1 ] || fail "site_recovered on the webhook: $(hook)"
[ "$(hook | grep -c '^camera_recovered gate')" = 0 ] || fail "per-camera recoveries for the site's cameras: $(hook)"
for _ in $(seq 20); do [ "$(am_active | jq 'length')" = 0 ] && break; sleep 0.5; done
[ "$(am_active | jq 'length')" = 0 ] || fail "Alertmanager still firing after the recoveries: $(am_active)"
ok "back: one site_recovered, no per-camera recovery for the five; Alertmanager resolved both"

# once more down, then camwatchd dies: Alertmanager must not keep the site
# down forever
kill -KILL "$PID_A"
wait_sql 20 "SELECT COUNT(*) = 2 FROM alerts WHERE kind = 'site_down'" || fail "no second site_down"
for _ in $(seq 20); do [ "$(am_active | jq '[.[] | select(.labels.alertname == "CamwatchSiteDown")] | length')" = 1 ] && break; sleep 0.5; done
[ "$(am_active | jq '[.[] | select(.labels.alertname == "CamwatchSiteDown")] | length')" = 1 ] || fail "second site_down not firing"
sleep 3 # at least one repost has moved endsAt on
kill -KILL "$DAEMON_PID"; wait "$DAEMON_PID" 2>/dev/null || true
DIED=$(now)
gone=""
for _ in $(seq 40); do
  if [ "$(am_active | jq 'length')" = 0 ]; then gone=$(elapsed "$DIED"); break; fi
  sleep 0.5
done
[ -n "$gone" ] || fail "Alertmanager still fires 20 s after camwatchd died: $(am_active)"
awk -v g="$gone" 'BEGIN { exit !(g <= 3 * 2 + 1.5) }' || fail "resolved $gone s after the kill; 3 repost intervals are 6 s"
ok "camwatchd SIGKILLed: its firing site alert resolved by itself after $gone s (3 x repost_interval = 6 s)"
