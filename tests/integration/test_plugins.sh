#!/usr/bin/env bash
# Detection in the daemon, over RTSP from camsim:
#  - a plugin built for another ABI version is refused with a message that
#    names the file and both versions, and every camera keeps running;
#  - a toy plugin (tests/plugins/counter.c) drives events through the ABI;
#  - motion events reach the database with JPEG snapshots, and
#    `camwatch events` lists them; motion's brightness compensation is the
#    gauge camwatch_plugin_gauge{name="compensation_gain"} (near 1);
#  - imagehealth's `black` becomes a condition span of that camera;
#  - decode modes: no plugin or only `activity` decodes nothing, only
#    `imagehealth` decodes keyframes only (decoded-frame counter);
#  - `activity` raises no event: its level reaches the database every
#    level_interval, /api/v1/cameras/act/levels and camwatch_camera_level,
#    higher while people walk than over the clip's still segments.
. "$(dirname "$0")/lib.sh"
export CW_TEST_PASS=$(secret plugins)
PORT=$(free_port)
mkdir -p "$T/plugins"
ln -s "$BIN"/plugins/*.so "$BIN"/tests/plugins/wrongabi.so "$BIN"/tests/plugins/counter.so "$T/plugins/"
V=$MEDIA/vtest-360p15.h264
start_camsim "$PORT" mot=file=$MEDIA/clips/motion.h264 blk=file=$MEDIA/clips/black.h264 a=file=$V b=file=$V \
  c=file=$MEDIA/clips/motion.h264 d=file=$V
CFG=$T/cw.yaml
write_head "$CFG"
sed -i "s|  log_level: debug|  log_level: info\n  plugin_dir: $T/plugins|" "$CFG"
cat >> "$CFG" <<EOT
  - {id: mot, site: cong-lang, url: "rtsp://viewer:\${CW_TEST_PASS}@127.0.0.1:$PORT/mot", plugins: [{name: motion}]}
  - {id: blk, site: cong-lang, url: "rtsp://127.0.0.1:$PORT/blk", plugins: [imagehealth]}
  - {id: nothing, site: cong-lang, url: "rtsp://127.0.0.1:$PORT/a", thumbnail_interval: 0}
  - {id: thumb, site: cong-lang, url: "rtsp://127.0.0.1:$PORT/a", thumbnail_interval: 5s}
  - {id: kf, site: cong-lang, url: "rtsp://127.0.0.1:$PORT/b", plugins: [imagehealth]}
  - {id: act, site: cong-lang, url: "rtsp://viewer:\${CW_TEST_PASS}@127.0.0.1:$PORT/c", plugins: [activity],
     level_interval: 2s, thumbnail_interval: 0}
  - id: toy
    site: cong-lang
    url: "rtsp://127.0.0.1:$PORT/d"
    plugins:
      - name: wrongabi
      - {name: counter, every: 1}
    event_start_after: 1
    event_max: 3s
EOT
DB=$T/camwatch.db
start_daemon "$CFG"

wait_sql 8 "SELECT COUNT(*) = 7 FROM spans WHERE state = 'online' AND end_us IS NULL" \
  || fail "not all cameras online: $(q "SELECT camera, state FROM spans WHERE end_us IS NULL")"
ok "all 7 cameras online"
# wrongabi declares the host's version + 998
abi=$(sed -n 's/^#define CW_PLUGIN_ABI_VERSION \([0-9]*\)$/\1/p' "$ROOT/plugins/camwatch_plugin.h")
grep -E "plugin .*/wrongabi.so: built for plugin ABI version $((abi + 998)), this camwatchd has version $abi" "$T/camwatchd.log" \
  > /dev/null || fail "no ABI refusal naming the file and both versions: $(grep -i wrongabi "$T/camwatchd.log")"
grep -q "\[toy\]: .*plugin 'wrongabi' is not available" "$T/camwatchd.log" || fail "toy camera did not report wrongabi"
ok "wrong ABI refused: $(grep -o 'plugin [^ ]*wrongabi.so: built for.*' "$T/camwatchd.log" | head -1 | sed "s|$T/||")"

wait_sql 10 "SELECT COUNT(*) >= 2 FROM events WHERE camera = 'toy' AND kind = 'counter'" || fail "no counter events"
ok "toy plugin through the ABI: $(q "SELECT COUNT(*) FROM events WHERE camera='toy'") counter event(s)"

# black: 10 s healthy, then black; imagehealth confirms within ~4 s
wait_sql 20 "SELECT COUNT(*) FROM conditions WHERE camera = 'blk' AND condition = 'black'" \
  || fail "no black condition for blk: $(grep '\[blk\]' "$T/camwatchd.log" | tail -3)"
ok "blk: condition 'black' recorded ($(q "SELECT COUNT(*) FROM conditions WHERE camera='blk'") condition span(s))"

# motion: the clip's first moving segment is 8-14 s in
wait_sql 25 "SELECT COUNT(*) FROM events WHERE camera = 'mot' AND kind = 'motion'" || fail "no motion event"
ok "mot: motion event recorded"

"$BIN/camwatch" -c "$CFG" events --camera mot --json > "$T/events.json"
"$BIN/camwatch" -c "$CFG" events --kind motion > "$T/events.txt"
n=$(jq 'length' "$T/events.json")
[ "$n" -ge 1 ] || fail "camwatch events --json: $(cat "$T/events.json")"
for snap in $(jq -r '.[].snapshot' "$T/events.json"); do
  [ -s "$snap" ] || fail "snapshot $snap missing"
  ffprobe -v error -show_entries stream=codec_name -of csv=p=0 "$snap" | grep -qx mjpeg || fail "$snap is not a JPEG"
done
grep -q "mot .* chuyển động .*\.jpg" "$T/events.txt" || fail "camwatch events text: $(cat "$T/events.txt")"
[ "$(jq -r '.[0].regions.frame | join("x")' "$T/events.json")" = 320x180 ] || fail "regions: $(jq -c '.[0].regions' "$T/events.json")"
ok "camwatch events lists $n motion event(s); their snapshots decode as JPEG"
curl -sf "http://127.0.0.1:$HTTP_PORT/metrics" > "$T/metrics.prom" || fail "/metrics"
g=$(sed -n 's/^camwatch_plugin_gauge{camera="mot",.*plugin="motion",name="compensation_gain"} \([0-9.]*\)$/\1/p' "$T/metrics.prom")
[ -n "$g" ] && awk -v g="$g" 'BEGIN { exit !(g > 0.9 && g < 1.1) }' \
  || fail "camwatch_plugin_gauge for mot: '$g' ($(grep plugin_gauge "$T/metrics.prom" | head -5))"
grep -q '^camwatch_plugin_gauge{camera="mot",.*name="compensation_offset"} ' "$T/metrics.prom" || fail "no compensation_offset gauge"
ok "mot: camwatch_plugin_gauge compensation_gain $g (and the offset)"

sleep 2
stat() { q "SELECT packets, decoded_frames FROM camera_stats WHERE camera = '$1'"; }
IFS='|' read -r p_n d_n <<<"$(stat nothing)"
IFS='|' read -r p_a d_a <<<"$(stat act)"
IFS='|' read -r p_k d_k <<<"$(stat kf)"
[ "$d_n" = 0 ] && [ "$p_n" -gt 100 ] || fail "no-plugin camera: packets $p_n decoded $d_n"
[ "$d_a" = 0 ] && [ "$p_a" -gt 100 ] || fail "activity camera: packets $p_a decoded $d_a"
# keyframes only: one decoded frame per 30-frame GOP (allow the first partial GOP)
[ "$d_k" -ge 3 ] && [ $((d_k * 20)) -le "$p_k" ] || fail "imagehealth camera: packets $p_k decoded $d_k"
ok "decoded frames: no plugin 0/$p_n, activity 0/$p_a, imagehealth (keyframes) $d_k/$p_k"
# thumbnails: a camera without plugins decodes one keyframe per thumbnail_interval, in colour
up_s=$(( $(date +%s) - $(q "SELECT start_us / 1000000 FROM spans WHERE camera = 'thumb' AND state = 'online' AND end_us IS NULL") ))
IFS='|' read -r p_t d_t <<<"$(stat thumb)"
[ "$d_t" -ge 1 ] && [ "$d_t" -le $(( up_s / 5 + 2 )) ] || fail "thumbnail camera: $d_t frames decoded in $up_s s (one per 5 s wanted)"
curl -sf "http://127.0.0.1:$HTTP_PORT/api/v1/cameras/thumb" | jq -e '.thumbnail == "/api/v1/cameras/thumb/thumbnail.jpg" and .decode_mode == "none"' > /dev/null \
  || fail "camera JSON: $(curl -s "http://127.0.0.1:$HTTP_PORT/api/v1/cameras/thumb" | jq -c '{thumbnail, decode_mode}')"
curl -sf -o "$T/thumb.jpg" "http://127.0.0.1:$HTTP_PORT/api/v1/cameras/thumb/thumbnail.jpg" || fail "thumbnail.jpg"
ffprobe -v error -select_streams v:0 -show_entries stream=codec_name,width,pix_fmt -of csv=p=0 "$T/thumb.jpg" | grep -q '^mjpeg,640,yuvj4[24][02]p$' \
  || fail "thumbnail: $(ffprobe -v error -show_entries stream=codec_name,width,pix_fmt -of csv=p=0 "$T/thumb.jpg")"
[ "$(jq -r .thumbnail <(curl -s "http://127.0.0.1:$HTTP_PORT/api/v1/cameras/nothing"))" = null ] || fail "thumbnail_interval 0 made one"
ok "thumbnails: no-plugin camera decoded $d_t keyframes of $p_t packets in $up_s s (interval 5 s); a 640 px colour JPEG at /api/v1/cameras/thumb/thumbnail.jpg"

# activity: a level, no events. The clip (camsim starts it when the camera
# connects) walks 8-14 s and 22-28 s, still 14-22 s: by 30 s both kinds
# of interval are in the table.
wait_sql 40 "SELECT COUNT(*) >= 12 FROM levels WHERE camera = 'act' AND plugin = 'activity'" \
  || fail "no activity levels: $(q "SELECT * FROM levels WHERE camera = 'act'")"
[ "$(q "SELECT COUNT(*) FROM events WHERE camera = 'act'")" = 0 ] || fail "activity raised events: $(q "SELECT * FROM events WHERE camera = 'act'")"
hi=$(q "SELECT printf('%.3f', MAX(mean)) FROM levels WHERE camera = 'act'")
lo=$(q "SELECT printf('%.3f', MIN(mean)) FROM levels WHERE camera = 'act'")
awk -v h="$hi" -v l="$lo" 'BEGIN { exit !(h >= 0.15 && l <= 0.05) }' \
  || fail "activity levels do not tell walking from still: $(q "SELECT start_us / 1000000 % 100, printf('%.3f', mean) FROM levels WHERE camera = 'act'" | tr '\n' ' ')"
curl -sf "http://127.0.0.1:$HTTP_PORT/api/v1/cameras/act/levels?plugin=activity&limit=3" > "$T/levels.json" || fail "levels API"
[ "$(jq '.items | length' "$T/levels.json")" = 3 ] && [ "$(jq -r '.next | type' "$T/levels.json")" = string ] \
  && [ "$(jq -r '.items[0].plugin' "$T/levels.json")" = activity ] || fail "levels API: $(cat "$T/levels.json")"
curl -sf "http://127.0.0.1:$HTTP_PORT/metrics" | grep -E '^camwatch_camera_level\{camera="act",.*plugin="activity"\} [0-9.]+$' > "$T/level.prom" \
  || fail "no camwatch_camera_level for act"
ok "activity: no event; $(q "SELECT COUNT(*) FROM levels WHERE camera = 'act'") levels of 2 s from $lo (still) to $hi (walking); API pages them; metric $(awk '{ print $2 }' "$T/level.prom")"

stop_daemon
"$BIN/camwatch" -c "$CFG" check-db > /dev/null || fail "check-db"
[ "$(q 'SELECT COUNT(*) FROM conditions WHERE end_us IS NULL')" = 0 ] || fail "open conditions after stop"
ok "clean stop: conditions closed"
