#!/usr/bin/env bash
# test-parallel: yes
# A person's request (issue #26, PDPL): `camwatch privacy export` writes one
# archive with exactly the events of the range and their pictures;
# `camwatch privacy erase`, with camwatchd running, deletes the range's
# pictures (on disk and served: 404), the events stay listed as erased, and
# nothing outside the range changes. The console does both for an admin
# only; everything is in the audit list.
. "$(dirname "$0")/lib.sh"
export CW_API_TOKEN="tok-$RANDOM$RANDOM"
DB=$T/cw.db
SNAP=$T/state/snapshots
CFG=$T/cw.yaml
HTTP_PORT=$(free_port)
cat > "$CFG" <<EOT
http: {listen: 127.0.0.1:$HTTP_PORT, token: "\${CW_API_TOKEN}"}
daemon: {database: $DB, state_dir: $T/state, timezone: Asia/Ho_Chi_Minh}
sites:
  - province: ha-noi
    communes:
      - commune: hoa-binh
        sites:
          - {site: cong-lang}
          - {site: truong}
cameras:
  - {id: cam-a, site: cong-lang, url: "rtsp://127.0.0.1:$(free_port)/x", connect_timeout: 1s}
  - {id: cam-b, site: cong-lang, url: "rtsp://127.0.0.1:$(free_port)/x", connect_timeout: 1s}
  - {id: cam-c, site: truong, url: "rtsp://127.0.0.1:$(free_port)/x", connect_timeout: 1s}
users:
EOT
PW_A="Adm-$RANDOM-pass"; PW_T="Tech-$RANDOM-pass"
echo "$PW_A" | "$BIN/camwatch" passwd boss --role admin >> "$CFG" || fail "camwatch passwd"
echo "$PW_T" | "$BIN/camwatch" passwd tech --role technician >> "$CFG" || fail "camwatch passwd"
PW_N="First-$RANDOM-pw"
echo "$PW_N" | "$BIN/camwatch" passwd newbie --role viewer --initial >> "$CFG" || fail "camwatch passwd --initial"
"$BIN/camwatch" --db "$DB" gen-history --cameras 1 --months 1 > /dev/null   # the schema
NOW=$(date +%s)
# 47 hours of events every 10 minutes per camera, each with its picture and
# its start picture; cam-a's thumbnail taken 30 hours ago
python3 - "$DB" "$SNAP" "$NOW" <<'PY' || fail "could not make the events"
import os, sqlite3, sys
db, snap, now = sys.argv[1], sys.argv[2], int(sys.argv[3])
con = sqlite3.connect(db)
for cam in ("cam-a", "cam-b", "cam-c"):
    d = os.path.join(snap, cam)
    os.makedirs(d, exist_ok=True)
    for i in range(282):
        t = now - 48 * 3600 + i * 600 + 17
        base = os.path.join(d, "ev-%d" % t)
        for p, mt in ((base + "-start.jpg", t), (base + ".jpg", t + 40)):
            open(p, "wb").write(b"\xff\xd8" + os.urandom(64) + b"\xff\xd9")
            os.utime(p, (mt, mt))
        con.execute("INSERT INTO events(camera, kind, start_us, end_us, peak_score, snapshot) VALUES (?,?,?,?,?,?)",
                    (cam, "motion", t * 10**6, (t + 40) * 10**6, 0.4, base + ".jpg"))
th = os.path.join(snap, "cam-a", "thumb.jpg")
open(th, "wb").write(b"\xff\xd8thumb\xff\xd9")
os.utime(th, (now - 30 * 3600,) * 2)
con.commit()
PY
start_daemon "$CFG"
API="http://127.0.0.1:$HTTP_PORT"
AUTH=(-H "Authorization: Bearer $CW_API_TOKEN")
code() { local m=$1 p=$2; shift 2; curl -s -o "$T/body" -D "$T/hdr" -w '%{http_code}' -X "$m" "$@" "$API$p"; }
FROM=$((NOW - 30 * 3600)); TO=$((NOW - 20 * 3600))
# the events a request about [FROM, TO) is about: those overlapping it
want() { q "SELECT id FROM events WHERE camera IN ($1) AND start_us < $TO * 1000000 AND end_us >= $FROM * 1000000 ORDER BY id" | tr '\n' ' '; }

# export: exactly the range's events, each with its two pictures
cd "$T"
"$BIN/camwatch" -c "$CFG" privacy export --camera cam-a --from "@$FROM" --to "@$TO" --out "$T/a.zip" --by clerk > "$T/out.txt" \
  || fail "privacy export: $(cat "$T/out.txt")"
mkdir -p "$T/a" && (cd "$T/a" && unzip -q ../a.zip) || fail "the archive does not open"
got=$(tail -n +2 "$T/a/events.csv" | cut -d, -f1 | tr '\n' ' ')
[ "$got" = "$(want "'cam-a'")" ] || fail "the archive's events '$got', the range's '$(want "'cam-a'")'"
n=$(echo $got | wc -w)
[ "$(ls "$T/a/pictures/cam-a" | wc -l)" = $((2 * n)) ] || fail "$(ls "$T/a/pictures/cam-a" | wc -l) pictures for $n events"
cmp -s "$T/a/pictures/cam-a/$(ls "$T/a/pictures/cam-a" | head -1)" "$SNAP/cam-a/$(ls "$T/a/pictures/cam-a" | head -1)" \
  || fail "a picture in the archive is not the one on disk"
grep -q "DỮ LIỆU HÌNH ẢNH THEO YÊU CẦU" "$T/a/danh-sach.txt" && grep -q "Số sự kiện: $n, số ảnh: $((2 * n))" "$T/a/danh-sach.txt" \
  || fail "the listing for the person: $(head -5 "$T/a/danh-sach.txt")"
"$BIN/camwatch" -c "$CFG" privacy export --site cong-lang --from "@$FROM" --to "@$TO" --out "$T/site.zip" > /dev/null || fail "export --site"
got=$(unzip -p "$T/site.zip" events.csv | tail -n +2 | cut -d, -f1 | sort -n | tr '\n' ' ')
[ "$got" = "$(want "'cam-a','cam-b'")" ] || fail "the site's archive: '$got'"
ok "export: the archive holds exactly the $n events of the range with their $((2 * n)) pictures, a listing in Vietnamese; --site both cameras"

# before erasing: what is outside the range, and what the API serves
inside=$(want "'cam-a'" | awk '{print $1}'); last=$(want "'cam-a'" | awk '{print $NF}')
before=$(q "SELECT MIN(id) FROM events WHERE camera = 'cam-a'")
other=$(want "'cam-b'" | awk '{print $1}')
for e in $inside $before $other; do
  [ "$(code GET "/api/v1/events/$e/snapshot.jpg" "${AUTH[@]}")" = 200 ] || fail "event $e's snapshot not served before the erase"
done
sum_outside() {
  (cd "$SNAP" && find . -name '*.jpg' | sort | while read -r f; do
     m=$(stat -c %Y "$f"); c=${f#./}; c=${c%%/*}
     # cam-a's pictures of the range (by the time they were taken, or of an event in it) are the erase's
     if [ "$c" = cam-a ] && [ "$m" -ge $((FROM - 60)) ] && [ "$m" -le $((TO + 60)) ]; then continue; fi
     echo "$f $(md5sum < "$f")"
   done) | md5sum
}
rows_outside() { q "SELECT id, camera, start_us, end_us, peak_score, snapshot, COALESCE(erased_us, '') FROM events WHERE NOT (camera = 'cam-a' AND start_us < $TO * 1000000 AND end_us >= $FROM * 1000000) ORDER BY id" | md5sum; }
s0=$(sum_outside); r0=$(rows_outside); total=$(q "SELECT COUNT(*) FROM events")

set +e; "$BIN/camwatch" -c "$CFG" --lang en privacy erase --camera cam-a --from "@$FROM" --to "@$TO" > "$T/dry.txt" 2>&1; rc=$?; set -e
[ $rc = 2 ] && grep -q "^Would erase the pictures of $n event(s)" "$T/dry.txt" && [ -f "$SNAP/cam-a/thumb.jpg" ] \
  || fail "erase without --yes (exit $rc): $(cat "$T/dry.txt")"
"$BIN/camwatch" -c "$CFG" --lang en privacy erase --camera cam-a --from "@$FROM" --to "@$TO" --yes --by clerk > "$T/erase.txt" \
  || fail "privacy erase: $(cat "$T/erase.txt")"
grep -q "^Erased $((2 * n + 1)) picture(s); $n event(s) of cam-a" "$T/erase.txt" || fail "erase said: $(cat "$T/erase.txt")"
ok "erase (camwatchd running): $(cat "$T/erase.txt")"

# after: nothing of the range on disk or served; the events listed, erased; the rest as it was
for e in $inside $last; do
  [ "$(code GET "/api/v1/events/$e/snapshot.jpg" "${AUTH[@]}")" = 404 ] || fail "event $e's erased snapshot still served"
done
for e in $before $other; do
  [ "$(code GET "/api/v1/events/$e/snapshot.jpg" "${AUTH[@]}")" = 200 ] || fail "event $e (outside the range) no longer served"
done
left=$(cd "$SNAP/cam-a" && for f in *.jpg; do m=$(stat -c %Y "$f"); [ "$m" -ge "$FROM" ] && [ "$m" -lt "$TO" ] && echo "$f"; done; true)
[ -z "$left" ] || fail "pictures of the range left on disk: $left"
[ "$(sum_outside)" = "$s0" ] || fail "pictures outside the range changed"
[ "$(rows_outside)" = "$r0" ] && [ "$(q "SELECT COUNT(*) FROM events")" = "$total" ] || fail "events outside the range changed"
[ "$(code GET "/api/v1/events?camera=cam-a&since=$FROM&until=$TO&limit=1000" "${AUTH[@]}")" = 200 ] || fail "events API"
[ "$(jq '[.items[] | select(.erased != null and .has_snapshot == false)] | length' "$T/body")" = "$n" ] \
  || fail "the events are not listed as erased: $(jq -c '.items[0]' "$T/body")"
"$BIN/camwatch" -c "$CFG" --lang en events --camera cam-a --since "@$FROM" > "$T/events.txt"
grep -q "(pictures erased on request at " "$T/events.txt" \
  || fail "camwatch events does not say the pictures were erased"
"$BIN/camwatch" -c "$CFG" privacy export --camera cam-a --from "@$FROM" --to "@$TO" --out "$T/again.zip" > "$T/again.txt" || fail "export again"
[ "$(unzip -l "$T/again.zip" | grep -c 'pictures/')" = 0 ] && grep -q "$n sự kiện, 0 ảnh" "$T/again.txt" || fail "after the erase, an export: $(cat "$T/again.txt")"
ok "after: 404 for the range's snapshots, none on disk (the thumbnail taken in it too); outside unchanged (files and rows); events listed as erased"

# the console: an admin's action, refused to a technician
login() { code POST /api/v1/session -c "$T/jar-$1" -H 'Content-Type: application/json' --data "{\"user\": \"$1\", \"password\": \"$2\"}"; }
[ "$(login tech "$PW_T")" = 200 ] || fail "tech login"
TCSRF=$(jq -r .csrf "$T/body")
J=(-H 'Content-Type: application/json' --data "{\"camera\": \"cam-c\", \"from\": \"$FROM\", \"to\": \"$TO\"}")
[ "$(code POST /api/v1/privacy/export -b "$T/jar-tech" -H "X-CSRF-Token: $TCSRF" "${J[@]}")" = 403 ] || fail "a technician exported: $(head -c 200 "$T/body")"
[ "$(code POST /api/v1/privacy/erase -b "$T/jar-tech" -H "X-CSRF-Token: $TCSRF" "${J[@]}")" = 403 ] || fail "a technician erased"
[ "$(login boss "$PW_A")" = 200 ] || fail "admin login"
ACSRF=$(jq -r .csrf "$T/body")
[ "$(code POST /api/v1/privacy/export -b "$T/jar-boss" -H "X-CSRF-Token: $ACSRF" "${J[@]}")" = 200 ] || fail "admin export: $(head -c 300 "$T/body")"
grep -qi '^content-type: application/zip' "$T/hdr" && grep -qi 'filename="yeu-cau-cam-c.zip"' "$T/hdr" || fail "export headers: $(cat "$T/hdr")"
got=$(unzip -p "$T/body" events.csv | tail -n +2 | cut -d, -f1 | tr '\n' ' ')
[ "$got" = "$(want "'cam-c'")" ] || fail "the console's archive: '$got'"
[ "$(code POST /api/v1/privacy/erase -b "$T/jar-boss" -H "X-CSRF-Token: $ACSRF" "${J[@]}")" = 200 ] || fail "admin erase: $(cat "$T/body")"
answer=$(jq -c . "$T/body")
[ "$(jq .events "$T/body")" = "$(echo $(want "'cam-c'") | wc -w)" ] || fail "admin erase answered $answer"
[ "$(code GET "/api/v1/events/$(want "'cam-c'" | awk '{print $1}')/snapshot.jpg" "${AUTH[@]}")" = 404 ] || fail "cam-c's erased snapshot served"
ls "$SNAP" | grep -q '^\.export' && fail "the console's archive was left on disk"
ok "console: a technician gets 403; the admin's archive is cam-c's range; the admin's erase answers $answer"

"$BIN/camwatch" -c "$CFG" --lang en audit > "$T/audit.txt" || fail "camwatch audit"
[ "$(grep -c "exported personal data" "$T/audit.txt")" = 4 ] && [ "$(grep -c "erased pictures on re" "$T/audit.txt")" = 2 ] \
  || fail "the audit list: $(grep -i "privacy\|personal\|erased" "$T/audit.txt")"
grep -q "cli:clerk .*erased pictures on re.* cam-a .*$n event(s), $((2 * n + 1)) picture(s)" "$T/audit.txt" \
  && grep -q "boss .*exported personal data *cam-c .*archive yeu-cau-cam-c.zip" "$T/audit.txt" \
  || fail "the audit rows do not say who, what and how much: $(grep -i "personal\|erased" "$T/audit.txt")"
"$BIN/camwatch" -c "$CFG" --lang en audit --user token --action view_snapshot > "$T/audit-token.txt"
grep -qE "token +viewed a snapshot +cam-a +127\.0\.0\.1 +event $before$" "$T/audit-token.txt" || fail "the bearer token's snapshot fetches: $(cat "$T/audit-token.txt")"
ok "audit: every export and erase, by the CLI's user and the admin, with the range and the counts; the bearer token's snapshot fetches"

# the same in headless Chromium: an initial password changed first; the
# admin's form on the audit page exports and erases cam-b's range
mkdir -p "$T/shots"
node "$ROOT/tests/node/privacy_check.mjs" "$API" newbie "$PW_N" "Changed-$RANDOM-pw" boss "$PW_A" cam-b "$FROM" "$TO" \
  "$T/browser.zip" "$T/shots" > "$T/browser.out" 2>&1 || fail "in Chromium: $(cat "$T/browser.out")"
sed 's/^/    /' "$T/browser.out" | grep -v '^    ok:' || true
got=$(unzip -p "$T/browser.zip" events.csv | tail -n +2 | cut -d, -f1 | tr '\n' ' ')
[ "$got" = "$(want "'cam-b'")" ] || fail "the browser's archive: '$got'"
[ "$(code GET "/api/v1/events/$(want "'cam-b'" | awk '{print $1}')/snapshot.jpg" "${AUTH[@]}")" = 404 ] || fail "cam-b's snapshot served after the browser's erase"
[ "$(q "SELECT COUNT(*) FROM audit WHERE user = 'boss' AND action IN ('privacy_export', 'privacy_erase') AND target = 'cam-b'")" = 2 ] \
  && [ "$(q "SELECT COUNT(*) FROM audit WHERE user = 'newbie' AND action = 'password_changed'")" = 1 ] || fail "the browser's actions are not in the audit list"
stop_daemon
grep '^ok:' "$T/browser.out" | sed 's/^ok: /ok: Chromium: /' 
