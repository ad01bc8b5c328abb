#!/usr/bin/env bash
# `camwatch report` on a small fixed history (tests/data/report): the CSV
# equals the golden file, the Vietnamese text has its diacritics, JSON
# parses, filters filter, bad arguments are refused, and the HTML report,
# opened in headless Chromium, has every camera row and both SVG charts
# in its DOM (a screenshot is saved next to the test's files).
. "$(dirname "$0")/lib.sh"
export TZ=Asia/Ho_Chi_Minh
DB=$T/report.db
# An empty database of the current schema, then the fixture.
"$BIN/camwatch" --db "$DB" gen-history --cameras 1 --months 1 > /dev/null
q "DELETE FROM spans; DELETE FROM cameras;"
q < "$ROOT/tests/data/report/small-history.sql"
"$BIN/camwatch" --db "$DB" check-db > /dev/null || fail "fixture does not tile"
# English unless a call says --lang vi (the deployment's default, vi, is
# tested where it is the point): the golden CSV is the machine form.
R() { "$BIN/camwatch" --db "$DB" report --month 2026-09 --lang en "$@"; }

R --format csv > "$T/report.csv"
diff -u "$ROOT/tests/data/golden/report-2026-09.csv" "$T/report.csv" || fail "CSV differs from the golden file"
ok "CSV equals tests/data/golden/report-2026-09.csv"
# Vietnamese CSV, as Excel in a vi-VN locale opens it: a BOM, ';' between
# cells, decimal commas, the headers and words in Vietnamese
R --format csv --lang vi > "$T/report-vi.csv"
[ "$(head -c 3 "$T/report-vi.csv" | od -An -tx1 | tr -d ' ')" = efbbbf ] || fail "vi CSV has no UTF-8 BOM"
sed -n 1p "$T/report-vi.csv" | grep -q ';Tỷ lệ hoạt động (%);' || fail "vi CSV header: $(sed -n 1p "$T/report-vi.csv")"
grep -q '^Toàn mạng;\*;;;;;5;4;Xuống cấp;91,833;' "$T/report-vi.csv" || fail "vi CSV network row: $(sed -n 2p "$T/report-vi.csv")"
grep -q '^Camera;border-1;.*;mất kết nối;lỗi luồng;' "$T/report-vi.csv" || fail "vi CSV camera row: $(grep border-1 "$T/report-vi.csv")"
ok "Vietnamese CSV: BOM, ';', decimal comma, Vietnamese headers and words"

R --lang vi > "$T/vi.txt"
for w in "Tỷ lệ hoạt động" "Xuống cấp" "Bình thường" "Xã Hòa Bình" "Danh sách cần sửa chữa"; do
  grep -qF "$w" "$T/vi.txt" || fail "Vietnamese report lacks '$w'"
done
R --lang en > "$T/en.txt"
grep -qE "^border-1 .* offline \(stream_error\)" "$T/en.txt" || fail "border-1 line: $(grep border-1 "$T/en.txt")"
# named first, the id beside (issue #29)
sed -n '/^Repair list/,/^$/p' "$T/en.txt" | grep -q "^Ranh giới (border-1) " || fail "border-1 not in the repair list by its name"
# the trend rule: border-1 worked all of August (100 %) and 90 % of
# September, so its site fell 10 points and is DETERIORATED though every
# one of its cameras reaches 90 %; hoa-binh's August (gate-1 from Aug 20,
# gate-2 from Aug 25) covers under half the month: no baseline, no trend
grep -qE "^Site +Ranh giới xã .*▼ 10.0 pts +DETERIORATED +uptime fell 10.0 points from the previous period" "$T/en.txt" \
  || fail "trend: $(grep 'Ranh giới xã' "$T/en.txt")"
grep -qE "^Commune +Xã Hòa Bình .* - +DETERIORATED" "$T/en.txt" || fail "hoa-binh has a baseline: $(grep 'Xã Hòa Bình' "$T/en.txt")"
grep -qF "giảm 10,0 điểm so với kỳ trước" "$T/vi.txt" || fail "vi trend reason: $(grep 'Ranh giới' "$T/vi.txt")"
ok "text report in Vietnamese and English; trends: a site 10 points down is DETERIORATED, a half-watched August is no baseline"

R --format json > "$T/r.json"
[ "$(jq '.cameras | length' "$T/r.json")" = 5 ] || fail "JSON cameras"
[ "$(jq -r '.groups[] | select(.level=="network") | .status' "$T/r.json")" = DETERIORATED ] || fail "JSON network status"
[ "$(jq -r '.cameras[] | select(.id=="gate-2") | .mttr_h' "$T/r.json")" = 216 ] || fail "JSON gate-2 MTTR"
[ "$(jq '.groups[] | select(.level=="commune" and .id=="hoa-binh") | .daily_uptime_pct | length' "$T/r.json")" = 30 ] \
  || fail "JSON daily series"
[ "$(jq -r '.cameras[] | select(.id=="school-1") | "\(.bad_image_h) \(.motion_events) \(.image_now)"' "$T/r.json")" = "99 3 covered" ] \
  || fail "JSON school-1 detection figures"
[ "$(jq -r '.cameras[] | select(.id=="gate-1") | "\(.bad_image_h) \(.motion_events)"' "$T/r.json")" = "null null" ] \
  || fail "JSON: a camera without plugins must show null, not 0"
[ "$(jq -r '[.repair_list[].camera] | join(",")' "$T/r.json")" = "school-1,border-1" ] || fail "JSON repair order"
ok "JSON: 5 cameras, statuses, MTTR, bad image hours and motion events, repair list, 30 daily points"

[ "$(R --commune binh-minh --format csv | grep -c '^camera,')" = 2 ] || fail "--commune filter"
[ "$(R --site cong-lang --format csv | grep -c '^camera,')" = 2 ] || fail "--site filter"
rc=0; R --district nowhere --format csv > /dev/null 2> "$T/err" || rc=$?
[ "$rc" = 2 ] && grep -q "no camera" "$T/err" || fail "--district nowhere: rc $rc, $(cat "$T/err")"
"$BIN/camwatch" --db "$DB" report --from 2026-09-10 --to 2026-09-10 --lang en --format csv > "$T/day.csv"
grep -q '^camera,gate-1,.*,24.000,18.000,6.000,6.000,' "$T/day.csv" || fail "one-day report: $(grep gate-1 "$T/day.csv")"
ok "filters (an unknown place refused) and a one-day --from/--to period"

# The same history in the current two-level chain (province -> commune ->
# site, no district), binh-minh formed by a merger: its own golden file, no
# district rows, and the former id still finds its cameras.
DB2=$T/report-2level.db
cp "$DB" "$DB2"
sqlite3 "$DB2" "UPDATE cameras SET district = '', district_name = '', province = 'ha-noi',
  province_name = 'Thành phố Hà Nội', commune_formerly = CASE commune WHEN 'binh-minh' THEN 'binh-minh-cu,cao-duong' ELSE '' END"
R2() { "$BIN/camwatch" --db "$DB2" report --month 2026-09 --lang en "$@"; }
R2 --format csv > "$T/report-2level.csv"
diff -u "$ROOT/tests/data/golden/report-2026-09-2level.csv" "$T/report-2level.csv" \
  || fail "two-level CSV differs from its golden file"
! grep -q '^district,' "$T/report-2level.csv" || fail "a district row without a district level"
ok "two-level CSV equals tests/data/golden/report-2026-09-2level.csv (no district rows)"
[ "$(R2 --commune cao-duong --format csv | grep -c '^camera,')" = 2 ] || fail "--commune by a former id"
[ "$(R2 --province ha-noi --format csv | grep -c '^camera,')" = 5 ] || fail "--province"
R2 --lang vi > "$T/vi-2level.txt"
grep -qF "Thành phố Hà Nội" "$T/vi-2level.txt" || fail "the province's name is not in the report"
ok "a merged commune's former id finds its cameras; the province names the top row"
# A name a spreadsheet would run as a formula stays text in the CSV.
sqlite3 "$DB2" "UPDATE cameras SET name = '=HYPERLINK(\"http://x\",\"y\")' WHERE id = 'gate-1'"
R2 --format csv | grep -q "^camera,gate-1,\"'=HYPERLINK(" || fail "formula cell: $(R2 --format csv | grep '^camera,gate-1')"
ok "a name starting with = is written as text ('=...) in the CSV"

rc=0; R --month 2026-13 > /dev/null 2> "$T/err" || rc=$?
[ "$rc" = 2 ] && grep -q "YYYY-MM" "$T/err" || fail "bad --month accepted (rc $rc)"
rc=0; "$BIN/camwatch" --db "$T/missing.db" report --month 2026-09 > /dev/null 2>&1 || rc=$?
[ "$rc" != 0 ] && [ ! -e "$T/missing.db" ] || fail "report on a missing database"
ok "bad arguments and a missing database are refused"

R --format html --lang vi -o "$T/report.html"
grep -q 'http' <(grep -oE '(src|href)="[^"]*"' "$T/report.html") && fail "HTML refers to external assets"
profile=$(mktemp -d)
CHROME=(chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking
        --disable-component-update --disable-sync --user-data-dir="$profile" --window-size=900,1400)
timeout 60 "${CHROME[@]}" --dump-dom "file://$T/report.html" > "$T/dom.html" 2> "$T/chromium.log" || fail "chromium --dump-dom failed"
rows=$(grep -o '<tr class="camera" data-camera="[^"]*"' "$T/dom.html" | sed 's/.*data-camera="//; s/"//' | sort | tr '\n' ' ')
[ "$rows" = "border-1 gate-1 gate-2 park-1 school-1 " ] || fail "camera rows in the DOM: '$rows'"
grep -q '<svg id="daily-chart"' "$T/dom.html" || fail "no daily chart in the DOM"
[ "$(grep -o 'class="commune-line"' "$T/dom.html" | wc -l)" = 2 ] || fail "daily chart should have 2 commune lines"
[ "$(grep -o 'class="camera-bar"' "$T/dom.html" | wc -l)" = 5 ] || fail "camera chart should have 5 bars"
timeout 60 "${CHROME[@]}" --screenshot="$T/report.png" "file://$T/report.html" > /dev/null 2>&1 || fail "screenshot"
[ -s "$T/report.png" ] || fail "empty screenshot"
rm -rf "$profile"
ok "HTML in Chromium: 5 camera rows, daily chart (2 communes), 5 camera bars; screenshot $(basename "$T")/report.png"
