#!/usr/bin/env bash
# The network's verdict, by the report's own rules: a history where one of
# site s1's three cameras has been down since the 1st of this month (s1
# and its commune k1 are DETERIORATED: 2 of 3 cameras at target) and site
# s2 works. camwatchd judges the month every 2 s here: exactly one
# network_deteriorated for s1 and one for k1 reach the webhook, in
# Vietnamese and English, none for s2 or k2; after a restart, none again
# (the last status of each place is kept in the database).
. "$(dirname "$0")/lib.sh"
export TZ=Asia/Ho_Chi_Minh
HOOK=$(free_port)
"$BIN/tests/receiver" --port "$HOOK" --log "$T/hook.jsonl" --ready "$T/hook.ready" &
PIDS+=($!)
DB=$T/camwatch.db
"$BIN/camwatch" --db "$DB" gen-history --cameras 1 --months 1 > /dev/null
now=$(date +%s)
month=$(date -d "$(date +%Y-%m-01)" +%s)
prev=$(date -d "$(date +%Y-%m-01) -1 month" +%s)
end=$((now - 120))
[ "$end" -gt "$month" ] || { ok "skipped: the month began less than 2 minutes ago"; exit 0; }
{
  echo "DELETE FROM spans; DELETE FROM cameras; DELETE FROM runs; DELETE FROM alerts;"
  for c in c1 c2 c3 c4 c5 c6; do
    site=s1; commune=k1; [ "${c#c}" -gt 3 ] && site=s2 && commune=k2
    echo "INSERT INTO cameras(id, name, site, site_name, commune, commune_name, district, district_name, url, enabled, added_us, updated_us, province, province_name)
          VALUES ('$c', '$c', '$site', 'Điểm $site', '$commune', 'Xã $commune', '', '', 'rtsp://h/$c', 1, ${prev}000000, ${prev}000000, 'p', 'Tỉnh P');"
    if [ "$c" = c1 ]; then
      echo "INSERT INTO spans(camera, state, cause, start_us, end_us) VALUES ('$c', 'online', '', ${prev}000000, ${month}000000);"
      echo "INSERT INTO spans(camera, state, cause, start_us, end_us) VALUES ('$c', 'offline', 'unreachable', ${month}000000, ${end}000000);"
    else
      echo "INSERT INTO spans(camera, state, cause, start_us, end_us) VALUES ('$c', 'online', '', ${prev}000000, ${end}000000);"
    fi
  done
  echo "INSERT INTO runs(started_us, heartbeat_us, stopped_us) VALUES (${prev}000000, ${end}000000, ${end}000000);"
} | sqlite3 "$DB"
"$BIN/camwatch" --db "$DB" check-db > /dev/null || fail "the fixture does not tile"

CFG=$T/cw.yaml
cat > "$CFG" <<EOT
daemon:
  database: $DB
  state_dir: $T/state
sites:
  - province: p
    name: "Tỉnh P"
    communes:
      - {commune: k1, name: "Xã k1", sites: [{site: s1, name: "Điểm s1"}]}
      - {commune: k2, name: "Xã k2", sites: [{site: s2, name: "Điểm s2"}]}
cameras:
EOT
for c in c1 c2 c3 c4 c5 c6; do
  site=s1; [ "${c#c}" -gt 3 ] && site=s2
  echo "  - {id: $c, site: $site, url: \"rtsp://127.0.0.1:$(free_port)/x\", connect_timeout: 1s}" >> "$CFG"
done
cat >> "$CFG" <<EOT
alerts:
  verdict_interval: 2s
  language: vi
  targets:
    - {name: hook, type: webhook, url: "http://127.0.0.1:$HOOK/hook"}
EOT
start_daemon "$CFG"
wait_sql 20 "SELECT COUNT(*) = 2 FROM alerts WHERE kind = 'network_deteriorated'" \
  || fail "network_deteriorated: $(q "SELECT kind, body FROM alerts") $(grep verdict "$T/camwatchd.log" | tail -3)"
sleep 7 # three more judgements: nothing new
verdicts() { jq -r 'select(.path == "/hook") | .body | fromjson | select(.kind == "network_deteriorated") | "\(.place.level):\(.place.id)"' "$T/hook.jsonl" | sort | tr '\n' ' '; }
[ "$(verdicts)" = "commune:k1 site:s1 " ] || fail "network_deteriorated on the webhook: '$(verdicts)'"
vi=$(jq -r 'select(.path == "/hook") | .body | fromjson | select(.kind == "network_deteriorated" and .place.id == "s1") | .message_vi' "$T/hook.jsonl")
en=$(jq -r 'select(.path == "/hook") | .body | fromjson | select(.kind == "network_deteriorated" and .place.id == "s1") | .message_en' "$T/hook.jsonl")
grep -q "^ĐIỂM Điểm s1 XUỐNG CẤP (tháng [0-9]* năm [0-9]* đến nay): tỷ lệ hoạt động .*, 2/3 camera đạt" <<<"$vi" || fail "vi: $vi"
grep -q "^SITE Điểm s1 DETERIORATED (.* so far): uptime .*, 2 of 3 cameras at target" <<<"$en" || fail "en: $en"
ok "one network_deteriorated each for site s1 and commune k1 over 5 judgements: '$vi' / '$en'"
stop_daemon
start_daemon "$CFG"
sleep 8
[ "$(q "SELECT COUNT(*) FROM alerts WHERE kind = 'network_deteriorated'")" = 2 ] || fail "repeated after a restart: $(q "SELECT kind, camera FROM alerts")"
[ "$(q "SELECT group_concat(level || ':' || id || '=' || status, ' ') FROM (SELECT * FROM verdicts ORDER BY level, id)")" = "0:s1=DETERIORATED 0:s2=OK 1:k1=DETERIORATED 1:k2=OK" ] \
  || fail "verdicts: $(q 'SELECT * FROM verdicts')"
ok "after a restart nothing is said again; the verdicts table holds each place's status"
stop_daemon
