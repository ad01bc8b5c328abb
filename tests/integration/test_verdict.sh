#!/usr/bin/env bash
# The network's verdict, by the report's own rules: a history where one of
# site s1's three cameras has been down since the 1st of this month (s1
# and its commune k1 are DETERIORATED: 2 of 3 cameras at target) and site
# s2 works. camwatchd judges the month every 2 s here: exactly one
# network_deteriorated for s1 and one for k1 reach the webhook, in
# Vietnamese and English, none for s2 or k2; after a restart, none again
# (the last status of each place is kept in the database).
# The monthly digest: camera c6 was down the whole previous month, so that
# month reads 6 cameras, 5 at target, commune k2 DETERIORATED; exactly one
# monthly_digest with those figures reaches the committee's target (and
# only it), in both languages, and a restart does not send it again.
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
    if [ "$c" = c6 ]; then
      echo "INSERT INTO spans(camera, state, cause, start_us, end_us) VALUES ('$c', 'offline', 'unreachable', ${prev}000000, ${month}000000);"
      echo "INSERT INTO spans(camera, state, cause, start_us, end_us) VALUES ('$c', 'online', '', ${month}000000, ${end}000000);"
    elif [ "$c" = c1 ]; then
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
  monthly_digest_to: committee
  monthly_digest_hour: 0
  targets:
    - {name: hook, type: webhook, url: "http://127.0.0.1:$HOOK/hook", kinds: [network_deteriorated, network_improved]}
    - {name: committee, type: webhook, url: "http://127.0.0.1:$HOOK/committee", kinds: [monthly_digest]}
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
digest() { jq -r --arg p "$1" 'select(.path == $p) | .body | fromjson | select(.kind == "monthly_digest") | .'"$2" "$T/hook.jsonl"; }
[ "$(digest /committee kind | wc -l)" = 1 ] && [ -z "$(digest /hook kind)" ] \
  || fail "monthly_digest: committee $(digest /committee kind | wc -l), hook $(digest /hook kind | wc -l): $(q "SELECT kind, body FROM alerts WHERE kind = 'monthly_digest'")"
pm=$(date -d "$(date +%Y-%m-01) -1 month" +%-m); py=$(date -d "$(date +%Y-%m-01) -1 month" +%Y)
dv=$(digest /committee message_vi); de=$(digest /committee message_en)
NB=$(printf '\302\240') # Vietnamese figures: a no-break space before %
grep -q "^TỔNG HỢP tháng $pm năm $py: 6 camera, tỷ lệ hoạt động 83,3$NB%; 5/6 camera đạt mục tiêu 90$NB%\. Xã: 1 đạt, 0 cần theo dõi, 1 xuống cấp\. Xuống cấp: Xã k2\. 1 camera không hoạt động cả tháng: c6 " <<<"$dv" || fail "digest vi: $dv"
grep -q "^SUMMARY OF .* $py: 6 cameras, uptime 83.3%; 5 of 6 cameras reached the 90% target\. Communes: 1 OK, 0 degraded, 1 deteriorated\. Deteriorated: Xã k2\. 1 camera not working all month: c6 " <<<"$de" || fail "digest en: $de"
[ "$(digest /committee 'period')" = "$(date -d "$(date +%Y-%m-01) -1 month" +%Y-%m)" ] || fail "digest period: $(digest /committee period)"
ok "one monthly digest, to the committee only: '$dv'"
stop_daemon
start_daemon "$CFG"
sleep 8
[ "$(q "SELECT COUNT(*) FROM alerts WHERE kind = 'network_deteriorated'")" = 2 ] || fail "repeated after a restart: $(q "SELECT kind, camera FROM alerts")"
[ "$(q "SELECT COUNT(*) FROM alerts WHERE kind = 'monthly_digest'")" = 1 ] || fail "monthly digest repeated after a restart"
[ "$(q "SELECT group_concat(level || ':' || id || '=' || status, ' ') FROM (SELECT * FROM verdicts ORDER BY level, id)")" = "0:s1=DETERIORATED 0:s2=OK 1:k1=DETERIORATED 1:k2=OK 9:monthly_digest=$(date -d "$(date +%Y-%m-01) -1 month" +%Y-%m)" ] \
  || fail "verdicts: $(q 'SELECT * FROM verdicts')"
ok "after a restart nothing is said again; the verdicts table holds each place's status"
stop_daemon
