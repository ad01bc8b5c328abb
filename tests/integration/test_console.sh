#!/usr/bin/env bash
# test-timeout: 300
# The web console in real headless Chromium (Debian's, driven by
# playwright-core; tests/node/console_check.mjs): log in (a wrong password
# refused), the grid shows every camera with its thumbnail, a camera whose
# camsim is killed shows as down on the open page without a reload and
# comes back, acknowledge it, declare and end maintenance, the timeline
# draws the outage, an event's snapshot opens, a viewer cannot act (403),
# a POST from another origin is refused, a camera named
# <script>alert(1)</script> shows as text, the pages fit a 360 px phone;
# screenshots of every page under $T/shots.
. "$(dirname "$0")/lib.sh"
command -v chromium > /dev/null || fail "chromium is not installed (make deps)"
export CW_CAM_PASS=$(secret console)
V=$MEDIA/vtest-360p15.h264
P1=$(free_port); P2=$(free_port)
start_camsim "$P1" "a=file=$V" "b=file=$V" "x=file=$V" "mot=file=$MEDIA/clips/motion.h264" "p=file=$V,auth=admin:$CW_CAM_PASS"
CAMSIM_A=$CAMSIM_PID
start_camsim "$P2" "gate=file=$V" "den=file=$MEDIA/clips/black.h264"
CAMSIM_GATE=$CAMSIM_PID
PW_T="tech-$RANDOM-pass"; PW_V="view-$RANDOM-pass"
CFG=$T/cw.yaml
write_head "$CFG"
sed -i "s|  log_level: debug|  log_level: info\n  plugin_dir: $BIN/plugins|" "$CFG"
cat >> "$CFG" <<EOT
  - {id: gate, name: "Cổng làng", site: cong-lang, url: "rtsp://127.0.0.1:$P2/gate", stall_timeout: 2s, connect_timeout: 2s, probe_interval: 0.5s, thumbnail_interval: 5s}
  - {id: a, name: "Ngã ba", site: cong-lang, url: "rtsp://127.0.0.1:$P1/a", thumbnail_interval: 5s}
  - {id: b, name: "Trường học", site: cong-lang, url: "rtsp://127.0.0.1:$P1/b", thumbnail_interval: 5s}
  - {id: xss, name: "<script>alert(1)</script>", site: cong-lang, url: "rtsp://127.0.0.1:$P1/x", thumbnail_interval: 5s}
  - {id: mot, name: "Cổng chợ", site: cong-lang, url: "rtsp://127.0.0.1:$P1/mot", plugins: [motion], thumbnail_interval: 5s}
  - {id: pw, name: "Cầu", site: cong-lang, url: "rtsp://admin:\${CW_CAM_PASS}@127.0.0.1:$P1/p", thumbnail_interval: 5s}
  - {id: den, name: "Chợ đêm", site: cong-lang, url: "rtsp://127.0.0.1:$P2/den", plugins: [imagehealth], thumbnail_interval: 5s}
users:
EOT
echo "$PW_T" | "$BIN/camwatch" passwd tech --role technician >> "$CFG"
echo "$PW_V" | "$BIN/camwatch" passwd viewer --role viewer >> "$CFG"
DB=$T/camwatch.db
start_daemon "$CFG"
wait_sql 20 "SELECT COUNT(*) = 7 FROM spans WHERE state = 'online' AND end_us IS NULL" \
  || fail "cameras not online: $(q "SELECT camera, state FROM spans WHERE end_us IS NULL")"
mkdir -p "$T/shots"
# what the browser script needs to kill and restart the gate's camsim
export CW_GATE_PID=$CAMSIM_GATE
export CW_GATE_RESTART="$BIN/camsim --port $P2 --ready-file $T/gate.ready --mount gate=file=$V --mount den=file=$MEDIA/clips/black.h264"
export CW_GATE_READY=$T/gate.ready
node "$ROOT/tests/node/console_check.mjs" "http://127.0.0.1:$HTTP_PORT" tech "$PW_T" viewer "$PW_V" "$T/shots" \
  > "$T/console.out" 2>&1 || { cat "$T/console.out"; fail "the console check failed (screenshots in $T/shots)"; }
sed 's/^/    /' "$T/console.out" | grep -v '^    ok:' || true
grep '^ok:' "$T/console.out" | while read -r line; do echo "$line"; done
stop_daemon
ls "$T/shots"/*.png > /dev/null || fail "no screenshots"
# who looked at whom (#26): the snapshot tech opened in the browser, and the
# thumbnails the grid showed, once per user and camera in 10 minutes
"$BIN/camwatch" -c "$CFG" audit --action view_snapshot --json > "$T/audit-snap.json"
jq -e 'map(select(.user == "tech" and .target == "mot" and (.detail | test("^event [0-9]+$")) and .address == "127.0.0.1")) | length >= 1' \
  "$T/audit-snap.json" > /dev/null || fail "the snapshot tech opened is not in the audit list: $(cat "$T/audit-snap.json")"
"$BIN/camwatch" -c "$CFG" audit --action view_thumbnail --user tech --json > "$T/audit-thumb.json"
jq -e 'length >= 3 and (group_by(.target) | all(length == 1))' "$T/audit-thumb.json" > /dev/null ||
  fail "tech's thumbnails in the audit list: $(jq -c 'map([.target, .at])' "$T/audit-thumb.json")"
ok "camwatch audit: tech opened mot's event snapshot in Chromium; the grid's thumbnails, once per camera ($(jq length "$T/audit-thumb.json"))"
# the page's answers are in shots/ (the suite's sweep reads them for camera
# passwords); console passwords, their hashes and the session id: here
SID=$(cat "$T/session-id"); rm -f "$T/session-id"
for s in "$PW_T" "$PW_V" $(sed -n 's/.*password_hash: "\(.*\)"/\1/p' "$CFG") "$SID"; do
  ! grep -rqF -- "$s" "$T/camwatchd.log" "$T/shots" "$T/console.out" || fail "a console secret (${s:0:8}...) in the log or the answers"
  ! sqlite3 "$DB" .dump | grep -qF -- "$s" || fail "a console secret (${s:0:8}...) in the database"
done
ok "no console password, hash or session id in the log, the page's answers or the database; $(ls "$T/shots"/*.png | wc -l) screenshots"
