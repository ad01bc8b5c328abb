#!/usr/bin/env bash
# Metrics and the HTTP API, with real Prometheus tools on loopback:
#  - `promtool check metrics` passes on /metrics with cameras in mixed states;
#  - a real Prometheus scrapes camwatchd and its query API returns
#    camwatch_camera_up for every camera with the right value;
#  - a real Pushgateway receives the pushed series;
#  - the API: bearer token (401 without), cameras, one camera, events, 404s,
#    405, no path traversal, no credentials anywhere;
#  - SIGHUP: editing one camera's URL reconnects only that camera (the
#    others' span counts do not change); a broken file is rejected and the
#    daemon goes on.
. "$(dirname "$0")/lib.sh"
PORT=$(free_port); PGW=$(free_port); PROM=$(free_port)
export CW_API_TOKEN="tok-$RANDOM$RANDOM" CW_CAM_PASS=$(secret http)
V=$MEDIA/vtest-360p15.h264
start_camsim "$PORT" ok=file=$V ok2=file=$V ok3=file=$V "auth=file=$V,auth=admin:right" stall=file=$V,stall=3

CFG=$T/cw.yaml
write_head "$CFG"
sed -i "s|^  listen: .*|  listen: 127.0.0.1:$HTTP_PORT\n  token: \${CW_API_TOKEN}\n  push_url: http://127.0.0.1:$PGW\n  push_interval: 1s\n  push_instance: commune-test|" "$CFG"
cat >> "$CFG" <<EOT
  - {id: up, site: cong-lang, url: "rtsp://127.0.0.1:$PORT/ok"}
  - {id: up2, site: cong-lang, url: "rtsp://127.0.0.1:$PORT/ok2"}
  - {id: badpass, site: cong-lang, url: "rtsp://admin:\${CW_CAM_PASS}@127.0.0.1:$PORT/auth", connect_timeout: 2s}
  - {id: dead, site: cong-lang, url: "rtsp://127.0.0.1:$(free_port)/x", connect_timeout: 2s}
  - {id: stalls, site: cong-lang, url: "rtsp://127.0.0.1:$PORT/stall", stall_timeout: 2s, stall_reconnect: 4s, connect_timeout: 2s}
EOT
# a console user next to the token: the OpenAPI check logs in and acts
TECH_PW="tech-$RANDOM-pw"
{ echo "users:"; echo "$TECH_PW" | "$BIN/camwatch" passwd tech --role technician; } > "$T/users.yaml"
cat "$T/users.yaml" >> "$CFG"
DB=$T/camwatch.db
# systemd's notification socket, played by socat
socat -u "UNIX-RECVFROM:$T/notify.sock,fork" "OPEN:$T/notify.log,creat,append" &
PIDS+=($!)
for _ in $(seq 50); do [ -S "$T/notify.sock" ] && break; sleep 0.05; done
NOTIFY_SOCKET=$T/notify.sock start_daemon "$CFG"
API=http://127.0.0.1:$HTTP_PORT
AUTH=(-H "Authorization: Bearer $CW_API_TOKEN")
wait_sql 15 "SELECT COUNT(*) FROM spans WHERE camera = 'stalls' AND state = 'offline' AND end_us IS NULL" \
  || fail "stalls never went offline"
wait_sql 5 "SELECT COUNT(*) = 2 FROM spans WHERE state = 'online' AND end_us IS NULL" || fail "up, up2 not online"
sleep 1.5 # one publish of the live view after the last change

code() { curl -s -o /dev/null -w '%{http_code}' "$@"; }
[ "$(code "$API/metrics")" = 401 ] || fail "/metrics without a token"
[ "$(code -H 'Authorization: Bearer wrong' "$API/metrics")" = 401 ] || fail "/metrics with a wrong token"
[ "$(code "$API/healthz")" = 200 ] || fail "/healthz"
curl -sf "${AUTH[@]}" "$API/metrics" > "$T/metrics.txt" || fail "/metrics with the token"
promtool check metrics < "$T/metrics.txt" > "$T/promtool.out" 2>&1 || fail "promtool: $(cat "$T/promtool.out")"
ok "promtool check metrics passes ($(grep -c '^camwatch_' "$T/metrics.txt") samples, 5 cameras in mixed states)"
# The label set: camera, site, commune, province; district only where the
# config has that level (write_head: CW_HIERARCHY 2, 3 or legacy).
case "${CW_HIERARCHY:-2}" in
  3) L='site="cong-lang",commune="hoa-binh",district="thanh-oai",province="ha-noi"' ;;
  legacy) L='site="cong-lang",commune="hoa-binh",district="thanh-oai",province=""' ;;
  *) L='site="cong-lang",commune="hoa-binh",province="ha-noi"' ;;
esac
for want in "camwatch_camera_up{camera=\"up\",$L} 1" \
            "camwatch_camera_up{camera=\"dead\",$L} 0" \
            "camwatch_camera_state{camera=\"badpass\",$L,state=\"offline\",cause=\"auth_failed\"} 1" \
            "camwatch_camera_state{camera=\"dead\",$L,state=\"offline\",cause=\"unreachable\"} 1"; do
  grep -qF "$want" "$T/metrics.txt" || fail "missing: $want"
done
if [ "${CW_HIERARCHY:-2}" = 2 ]; then
  ! grep -q 'district=' "$T/metrics.txt" || fail "a district label without a district level"
fi
ok "labels: $L"
# Place filters: by id, by a merged commune's former id, and a 400 for a
# place no camera is in.
[ "$(curl -sf "${AUTH[@]}" "$API/api/v1/cameras?commune=hoa-binh&site=cong-lang" | jq '.items | length')" = 5 ] \
  || fail "?commune=hoa-binh&site=cong-lang"
[ "$(code "${AUTH[@]}" "$API/api/v1/cameras?commune=nowhere")" = 400 ] || fail "?commune=nowhere is not a 400"
"$BIN/camwatch" -c "$CFG" status --commune hoa-binh | grep -q '^up ' || fail "status --commune"
"$BIN/camwatch" -c "$CFG" status --site nowhere > /dev/null 2>&1 && fail "status --site nowhere exits 0"
if [ "${CW_HIERARCHY:-2}" = 2 ]; then
  [ "$(curl -sf "${AUTH[@]}" "$API/api/v1/cameras?commune=hoa-binh-cu" | jq '.items | length')" = 5 ] \
    || fail "a former commune id does not find its cameras"
  "$BIN/camwatch" -c "$CFG" status --commune hoa-binh-cu | grep -q '^up ' || fail "status --commune FORMER"
  [ "$(curl -sf "${AUTH[@]}" "$API/api/v1/cameras/up" | jq -r '.province_name + "|" + (.district | tostring)')" \
    = "Thành phố Hà Nội|null" ] || fail "API: province name, no district"
else
  [ "$(curl -sf "${AUTH[@]}" "$API/api/v1/cameras?district=thanh-oai" | jq '.items | length')" = 5 ] || fail "?district="
fi
ok "API and status filter by province, district, commune (also a former id) and site; unknown places refused"
# stalls: stream_error when its stream went quiet; once a reconnect has
# waited out connect_timeout on the stalled mount (camsim cannot answer
# DESCRIBE without frames), unreachable. Slow runs (valgrind) see the second.
grep -qE '^camwatch_camera_state\{camera="stalls",[^}]*state="offline",cause="(stream_error|unreachable)"\} 1$' "$T/metrics.txt" \
  || fail "missing: stalls offline with stream_error or unreachable"
ok "metrics say which camera is up and why the others are not"

# the API
curl -sf "${AUTH[@]}" "$API/api/v1/cameras" > "$T/cameras.json"
[ "$(jq '.items | length' "$T/cameras.json")" = 5 ] || fail "cameras: $(cat "$T/cameras.json")"
[ "$(jq -r '.items[] | select(.id=="badpass") | "\(.state)/\(.cause)"' "$T/cameras.json")" = offline/auth_failed ] || fail "badpass"
# one envelope: items, next, limit; pages of 2 walk all 5 by their cursors
ids=""; cur=""
for _ in 1 2 3 4; do
  page=$(curl -sf "${AUTH[@]}" "$API/api/v1/cameras?limit=2${cur:+&cursor=$cur}")
  ids="$ids $(echo "$page" | jq -r '[.items[].id] | join(" ")')"
  cur=$(echo "$page" | jq -r '.next // empty')
  [ -n "$cur" ] || break
done
[ "$(echo $ids)" = "badpass dead stalls up up2" ] || fail "paged cameras: $ids"
[ "$(curl -sf "${AUTH[@]}" "$API/api/v1/cameras?state=online" | jq -r '[.items[].id] | join(" ")')" = "up up2" ] || fail "state=online"
[ "$(code "${AUTH[@]}" "$API/api/v1/cameras?state=sleepy")" = 400 ] || fail "state=sleepy is not a 400"
[ "$(code "${AUTH[@]}" "$API/api/v1/cameras?comune=hoa-binh")" = 400 ] || fail "an unknown parameter is not a 400"
curl -s -D "$T/405.h" -o /dev/null "${AUTH[@]}" -X POST -d x "$API/api/v1/cameras"
grep -qi '^Allow: GET, HEAD' "$T/405.h" || fail "405 without Allow: $(cat "$T/405.h")"
ok "cameras in one envelope (items/next/limit), paged by cursor: $(echo $ids); state= filters; 400 on unknown parameters; 405 says Allow"
curl -sf "${AUTH[@]}" "$API/api/v1/cameras/up" > "$T/up.json"
[ "$(jq -r '.state + " " + (.stats.fps|round|tostring) + " " + .stats.codec' "$T/up.json")" = "online 15 h264" ] \
  || fail "one camera: $(cat "$T/up.json")"
[ "$(code "${AUTH[@]}" "$API/api/v1/cameras/nope")" = 404 ] || fail "unknown camera"
[ "$(code "${AUTH[@]}" "$API/api/v1/cameras/up/snapshot.jpg")" = 404 ] || fail "snapshot without one"
[ "$(code "${AUTH[@]}" --path-as-is "$API/api/v1/cameras/../../../etc/passwd")" = 404 ] || fail "path traversal"
[ "$(code "${AUTH[@]}" --path-as-is "$API/api/v1/cameras/up/../../../../etc/passwd")" = 404 ] || fail "path traversal 2"
[ "$(code "${AUTH[@]}" -X POST -d x "$API/api/v1/cameras")" = 405 ] || fail "POST"
[ "$(code "${AUTH[@]}" "$API/nothing")" = 404 ] || fail "unknown path"
for bad in abc nan inf -1 1e300; do   # once nan/inf/1e300 answered as if no filter was given
  [ "$(code "${AUTH[@]}" "$API/api/v1/events?since=$bad")" = 400 ] || fail "since=$bad is not a 400"
done
for bad in nanh infd 3x --3h 1000000d 1969-01-01; do
  "$BIN/camwatch" -c "$CFG" events --since "$bad" > /dev/null 2>&1 && fail "events --since $bad accepted"
done
curl -sf "${AUTH[@]}" "$API/api/v1/events?camera=up&since=0" | jq -e '(.items | type == "array") and has("next")' > /dev/null || fail "events"
[ "$(code "${AUTH[@]}" "$API/api/v1/events?camera=nope")" = 400 ] || fail "events?camera=nope is not a 400"
[ "$(code "${AUTH[@]}" "$API/api/v1/events?since=2026-11-26T08:00:00%2B07:00")" = 200 ] || fail "ISO since"
# the document, checked against the live answers (tests/node/openapi_check.mjs)
node "$ROOT/tests/node/openapi_check.mjs" "$API" "$CW_API_TOKEN" up tech "$TECH_PW" > "$T/openapi.out" 2>&1 || fail "OpenAPI: $(cat "$T/openapi.out")"
sed 's/^/    /' "$T/openapi.out" | grep -v '^    ok:'
grep '^ok:' "$T/openapi.out" | while read -r line; do echo "$line"; done
big=$(head -c 20000 /dev/zero | tr '\0' a)
c=$(code "${AUTH[@]}" -H "X-Big: $big" "$API/api/v1/cameras")
[ "$c" = 431 ] || [ "$c" = 413 ] || [ "$c" = 400 ] || fail "a 20 kB header got $c"
ok "API: token enforced, cameras, one camera, events, 404/405/400/$c as due, no traversal"
for f in "$T/metrics.txt" "$T/cameras.json" "$T/up.json" "$T/camwatchd.log"; do
  grep -qF "$CW_CAM_PASS" "$f" && fail "camera password in $(basename "$f")"
  grep -qF "$CW_API_TOKEN" "$f" && fail "API token in $(basename "$f")"
done
jq -r '.items[] | select(.id=="badpass") | .url' "$T/cameras.json" | grep -qF 'admin:***@' || fail "URL not masked"
ok "no password or token in metrics, API answers or the log"

# a real Prometheus scrapes it, with the shipped rules (evaluated every
# second here instead of every minute) over the real series
sed 's/^    interval: 1m$/    interval: 1s/' "$ROOT/config/prometheus/camwatch-rules.yml" > "$T/rules.yml"
cat > "$T/prometheus.yml" <<EOT
global: {scrape_interval: 1s, evaluation_interval: 1s}
rule_files: ["$T/rules.yml"]
scrape_configs:
  - job_name: camwatch
    authorization: {credentials: "$CW_API_TOKEN"}
    static_configs: [{targets: ["127.0.0.1:$HTTP_PORT"]}]
EOT
prometheus --config.file="$T/prometheus.yml" --storage.tsdb.path="$T/prom" --web.listen-address=127.0.0.1:$PROM \
  > "$T/prometheus.log" 2>&1 &
PIDS+=($!)
got=""
for _ in $(seq 60); do
  got=$(curl -s "http://127.0.0.1:$PROM/api/v1/query?query=camwatch_camera_up" \
        | jq -r '[.data.result[] | "\(.metric.camera)=\(.value[1])"] | sort | join(" ")' 2>/dev/null || true)
  [ "$got" = "badpass=0 dead=0 stalls=0 up2=1 up=1" ] && break
  sleep 0.5
done
[ "$got" = "badpass=0 dead=0 stalls=0 up2=1 up=1" ] || fail "Prometheus query: '$got'; $(tail -3 "$T/prometheus.log")"
ok "Prometheus scraped it: camwatch_camera_up $got"
for _ in $(seq 40); do
  rec=$(curl -s "http://127.0.0.1:$PROM/api/v1/query?query=%7B__name__%3D~%22camwatch:commune_cameras.*%22%7D" \
        | jq -r '[.data.result[] | "\(.metric.__name__)=\(.value[1])"] | sort | join(" ")' 2>/dev/null || true)
  [ "$rec" = "camwatch:commune_cameras:count=5 camwatch:commune_cameras_down:count=3" ] && break
  sleep 0.5
done
[ "$rec" = "camwatch:commune_cameras:count=5 camwatch:commune_cameras_down:count=3" ] || fail "recording rules on real series: '$rec'"
names=$(curl -s "http://127.0.0.1:$PROM/api/v1/query?query=camwatch_camera_info%7Bcamera%3D%22up%22%7D" | jq -r '.data.result[0].metric.name')
[ "$names" != null ] && [ -n "$names" ] || fail "camwatch_camera_info has no name label"
ok "the shipped rules evaluate on the real series: $rec; camwatch_camera_info name=\"$names\""

# The gateway was down all along (pushes failed); it comes up now.
[ "$(grep -c 'push to .* failed' "$T/camwatchd.log")" = 1 ] || fail "push failures not logged once: $(grep -c 'push to' "$T/camwatchd.log")"
prometheus-pushgateway --web.listen-address=127.0.0.1:$PGW > "$T/pushgateway.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 120); do grep -q "works again" "$T/camwatchd.log" && break; sleep 0.25; done
grep -q "push to http://127.0.0.1:$PGW/metrics/job/camwatch/instance/commune-test works again" "$T/camwatchd.log" \
  || fail "push did not recover: $(grep push "$T/camwatchd.log" | tail -2)"
ok "push: failed while the gateway was down (logged once), retried, works again"
got=$(curl -s "http://127.0.0.1:$PGW/metrics" | grep '^camwatch_camera_up{' | sed -E 's/.*camera="([^"]+)".*instance="([^"]+)".*job="([^"]+)".*} ([0-9]+)$/\1@\2\/\3=\4/' | LC_ALL=C sort | tr '\n' ' ')
[ "$got" = "badpass@commune-test/camwatch=0 dead@commune-test/camwatch=0 stalls@commune-test/camwatch=0 up2@commune-test/camwatch=1 up@commune-test/camwatch=1 " ] \
  || fail "Pushgateway has: '$got' ($(grep -i push "$T/camwatchd.log" | tail -2))"
ok "Pushgateway received the pushed series: $got"

# reload: only up2's URL changes. First let `stalls` finish changing on its
# own: its first reconnect to the stalled mount waits out the 10 s connect
# timeout and then becomes offline/unreachable; a snapshot taken before
# that would count the camera's own transition against the reload.
wait_sql 20 "SELECT COUNT(*) FROM spans WHERE camera = 'stalls' AND cause = 'unreachable' AND end_us IS NULL" \
  || fail "stalls never settled: $(q "SELECT state, cause FROM spans WHERE camera = 'stalls' AND end_us IS NULL")"
before=$(q "SELECT group_concat(camera || '=' || n, ' ') FROM (SELECT camera, COUNT(*) n FROM spans GROUP BY camera ORDER BY camera)")
sed -i "s|$PORT/ok2\"|$PORT/ok3\"|" "$CFG"
kill -HUP "$DAEMON_PID"
wait_sql 8 "SELECT COUNT(*) FROM spans WHERE camera = 'up2' AND state = 'online' AND end_us IS NULL AND start_us > (SELECT MAX(start_us) FROM spans WHERE camera = 'up2' AND state = 'starting') - 1" \
  || fail "up2 did not reconnect"
sleep 1.5
after=$(q "SELECT group_concat(camera || '=' || n, ' ') FROM (SELECT camera, COUNT(*) n FROM spans GROUP BY camera ORDER BY camera)")
strip() { tr ' ' '\n' <<<"$1" | grep -v '^up2=' | tr '\n' ' '; }
[ "$(strip "$before")" = "$(strip "$after")" ] || fail "other cameras' spans changed: '$before' -> '$after'"
[ "$before" != "$after" ] || fail "up2 has no new spans"
grep -q "reloaded: 4 camera(s) kept, 1 reconnected" "$T/camwatchd.log" || fail "reload summary: $(grep reload "$T/camwatchd.log")"
"$BIN/camwatch" -c "$CFG" check-db > /dev/null || fail "spans do not tile after the reload"
ok "reload: only up2 reconnected ($before -> $after)"

cp "$CFG" "$T/good.yaml"
printf 'cameras:\n  - id: [oops\n' > "$CFG"
kill -HUP "$DAEMON_PID"
sleep 1.5
grep -q "reload rejected" "$T/camwatchd.log" || fail "broken config not rejected"
[ "$(code "$API/healthz")" = 200 ] || fail "daemon unhealthy after a rejected reload"
[ "$(curl -sf "${AUTH[@]}" "$API/api/v1/cameras" | jq '.items | length')" = 5 ] || fail "cameras lost after a rejected reload"
ok "a broken config is rejected ($(grep -m1 -o 'cw.yaml:[0-9]*:[0-9]*: YAML syntax error' "$T/camwatchd.log")) and the daemon goes on"
stop_daemon
sleep 0.3
# datagrams carry no newline and socat's children append in any order:
# look for the messages, not for lines
n=$(cat "$T/notify.log")
[[ "$n" == *READY=1* ]] || fail "no READY=1 to systemd: ${n:0:200}"
[[ "$n" == *"STATUS=2/5 cameras online"* ]] || fail "no STATUS=2/5 cameras online: ${n:0:200}"
[[ "$n" == *WATCHDOG=1* ]] || fail "no WATCHDOG=1"
[[ "$n" == *STOPPING=1* ]] || fail "no STOPPING=1"
ok "systemd notify: READY=1, STATUS=2/5 cameras online, WATCHDOG=1, STOPPING=1"
