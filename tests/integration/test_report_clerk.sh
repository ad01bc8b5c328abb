#!/usr/bin/env bash
# The report as a committee clerk reads it (issue #29 items 7 and 10), on
# the small fixture history whose cameras have the names the commune gave
# them: cameras named first (id beside) in the narrative and the repair
# list, a per-camera appendix in the document; the signature kept with the
# body's last lines; the last "Kính gửi" line ending in '.'; the blank after
# "Số:" kept in the ODT; a warning naming the document fields a config
# lacks; a --commune report speaking of that commune; no "Huyện" where there
# is no district; no zero counts; trend charts on one y-range with months
# in Vietnamese.
# test-parallel: yes
. "$(dirname "$0")/lib.sh"

DB=$T/report.db
"$BIN/camwatch" --db "$DB" gen-history --cameras 1 --months 1 > /dev/null
q "DELETE FROM spans; DELETE FROM cameras;"
q < "$ROOT/tests/data/report/small-history.sql"
cat > "$T/doc.yaml" <<EOT
daemon:
  database: $DB
report:
  issuer_parent: "CÔNG AN THÀNH PHỐ HÀ NỘI"
  issuer: "CÔNG AN XÃ HÒA BÌNH"
  number: "     /BC-CAX"
  place: "Hòa Bình"
  signer_prefix: "KT."
  signer_authority: "TRƯỞNG CÔNG AN XÃ"
  signer_title: "PHÓ TRƯỞNG CÔNG AN XÃ"
  signer_name: "Nguyễn Văn An"
  recipients: ["Công an thành phố Hà Nội", "Ủy ban nhân dân xã Hòa Bình"]
  copies_to: ["Như trên", "Lưu: VT."]
sites:
  - {province: p, communes: [{commune: c, sites: [{site: s}]}]}
cameras:
  - {id: a, site: s, url: "rtsp://10.0.0.1/x"}
EOT
R() { "$BIN/camwatch" -c "$T/doc.yaml" report --month 2026-09 "$@"; }

# --- names first ---
R --format pdf -o "$T/r.pdf" 2> "$T/pdf.err" || fail "pdf: $(cat "$T/pdf.err")"
[ ! -s "$T/pdf.err" ] || fail "a complete config warned: $(cat "$T/pdf.err")"
pdftotext -layout "$T/r.pdf" "$T/r.txt"
tr -s ' \n' '  ' < "$T/r.txt" > "$T/flat.txt"
grep -qF "Xã Hòa Bình (camera Cổng làng 2 (gate-2) ngừng 9 ngày liên tục)" "$T/flat.txt" \
  || fail "the narrative does not name gate-2 by its name: $(grep -o 'Xã Hòa Bình (camera[^)]*)' "$T/flat.txt")"
# the repair list: the name on the first line of the cell, the id under it
grep -A1 "Cổng trường" "$T/r.txt" | grep -q "school-1" || fail "repair list: $(grep -A1 'Cổng trường' "$T/r.txt")"
# the appendix: a page of its own with every camera, by name
appendix=$(pdftotext -layout -f "$(pdfinfo "$T/r.pdf" | awk '/^Pages:/ { print $2 }')" "$T/r.pdf" - | tr -s ' \n' '  ')
for w in "PHỤ LỤC" "SỐ LIỆU THEO CAMERA" "Ranh giới" border-1 "Cổng làng 1" gate-1 "Cổng làng 2" gate-2 "Cụm CN" park-1 \
         "Cổng trường" school-1; do
  grep -qF "$w" <<<"$appendix" || fail "appendix lacks '$w': $appendix"
done
ok "pdf: cameras named first in the narrative and the repair list; an appendix with every camera"

# --- the document's clerk errors ---
grep -qF -- "- Công an thành phố Hà Nội;" "$T/flat.txt" && grep -qF -- "- Ủy ban nhân dân xã Hòa Bình." "$T/flat.txt" \
  || fail "Kính gửi lines: $(grep -A3 'Kính gửi' "$T/r.txt")"
pages=$(pdfinfo "$T/r.pdf" | awk '/^Pages:/ { print $2 }')
for p in $(seq 1 "$pages"); do
  pg=$(pdftotext -f "$p" -l "$p" "$T/r.pdf" - | tr -s ' \n' '  ')
  grep -qF "Nguyễn Văn An" <<<"$pg" || continue
  grep -qF "Quy tắc đánh giá" <<<"$pg" && grep -qF "Thời gian bảo trì đã khai báo" <<<"$pg" \
    || fail "the signature stands on page $p without the body's last lines: $pg"
  sig=$p
done
[ -n "${sig:-}" ] || fail "no page holds the signature"
R --format odt -o "$T/r.odt" || fail "odt"
unzip -p "$T/r.odt" content.xml > "$T/odt.xml"
grep -qF 'Số: <text:s text:c="5"/>/BC-CAX' "$T/odt.xml" || fail "odt: the blank after Số: collapsed: $(grep -o 'Số:[^<]*<[^>]*>[^<]*' "$T/odt.xml" | head -1)"
grep -qF -- "- Ủy ban nhân dân xã Hòa Bình." "$T/odt.xml" && grep -qF "PHỤ LỤC" "$T/odt.xml" \
  && grep -qF "Cổng trường<text:line-break/>school-1" "$T/odt.xml" || fail "odt: last recipient, appendix or names"
ok "'Kính gửi' ends in '.', the signature shares page $sig with the rules, the ODT keeps 'Số:      /BC-CAX'"

# a document from a database alone (no config's report: fields) says what it lacks
"$BIN/camwatch" --db "$DB" report --month 2026-09 --format pdf -o "$T/bare.pdf" 2> "$T/bare.err" || fail "bare pdf"
grep -q "warning: .*gives no report.issuer_parent, report.issuer, report.place, report.signer_title, report.signer_name, report.recipients, report.copies_to" \
  "$T/bare.err" || fail "no warning for the missing document fields: $(cat "$T/bare.err")"
# -c with --db: a copy of the database, read with the config's document
# fields (before: the config was silently ignored and the document lost
# its issuer, signer and recipients)
cp "$DB" "$T/copy.db"
"$BIN/camwatch" -c "$T/doc.yaml" --db "$T/copy.db" report --month 2026-09 --format pdf -o "$T/copy.pdf" 2> "$T/copy.err" \
  || fail "-c with --db: $(cat "$T/copy.err")"
[ ! -s "$T/copy.err" ] || fail "-c with --db warned: $(cat "$T/copy.err")"
pdftotext "$T/copy.pdf" - | tr -s ' \n' '  ' > "$T/copy.flat"
grep -qF "CÔNG AN XÃ HÒA BÌNH" "$T/copy.flat" && grep -qF "Nguyễn Văn An" "$T/copy.flat" \
  || fail "-c with --db: the document lacks the config's issuer or signer"
sed '/^report:/,/^sites:/{/^sites:/!d}' "$T/doc.yaml" > "$T/nodoc.yaml"
"$BIN/camwatch" check-config "$T/nodoc.yaml" > "$T/nodoc.out" 2>&1 || fail "check-config: $(cat "$T/nodoc.out")"
grep -q "^note: .*will lack report.issuer_parent" "$T/nodoc.out" || fail "check-config: $(cat "$T/nodoc.out")"
ok "a config without the document's fields: report and check-config name what the document will lack; -c with --db keeps the config's"

# --- a commune's own report ---
R --commune hoa-binh > "$T/hb.txt"
R --commune hoa-binh --format pdf -o "$T/hb.pdf"
pdftotext "$T/hb.pdf" - | tr -s ' \n' '  ' > "$T/hb.flat"
for f in "$T/hb.txt" "$T/hb.flat"; do
  ! grep -qiE "toàn mạng|Huyện Thanh Oai" "$f" || fail "$(basename "$f"): a commune's report speaks of the network or the district: $(grep -oiE '.{40}(toàn mạng|Huyện Thanh Oai).{20}' "$f" | head -2)"
done
grep -qF "hệ thống camera an ninh Xã Hòa Bình gồm 3 camera" "$T/hb.flat" && grep -qF "bình quân toàn xã đạt" "$T/hb.flat" \
  || fail "the commune's narrative: $(head -c 800 "$T/hb.flat")"
ok "--commune hoa-binh: the narrative and tables speak of Xã Hòa Bình, not the network or the district"

# --- no district level: no "Huyện"; zero counts not listed ---
sqlite3 "$DB" "UPDATE cameras SET district = '', district_name = ''"
R > "$T/nd.txt"
R --format csv > "$T/nd.csv"
! grep -q "Huyện" "$T/nd.txt" "$T/nd.csv" || fail "'Huyện' in a deployment without districts: $(grep -h Huyện "$T/nd.txt" "$T/nd.csv" | head -3)"
grep -q "^Xã và điểm lắp đặt$" "$T/nd.txt" || fail "groups heading: $(grep -n 'điểm lắp đặt' "$T/nd.txt")"
R --site cum-cn --format pdf -o "$T/cum.pdf"
pdftotext "$T/cum.pdf" - | tr -s ' \n' '  ' > "$T/cum.flat"
grep -qF "Không có camera nào cần sửa chữa" "$T/cum.flat" || fail "no 'Không có camera nào cần sửa chữa'"
! grep -qE "Có 0 camera|, 0 (điểm|xã)|: 0 (điểm|xã)" "$T/cum.flat" "$T/flat.txt" || fail "a zero count is listed"
ok "no 'Huyện' heading or column without districts; 'Không có camera nào cần sửa chữa', no zero counts"

# --- trends: one y-range, months in Vietnamese ---
R --format html -o "$T/r.html"
lows=$(grep -o '<g class="trend"[^>]*>.*</g>' "$T/r.html" | grep -oE 'text-anchor="end">[0-9]+</text>' | sort -u | grep -v '>100<' | wc -l)
[ "$lows" = 1 ] || fail "the trend charts have $lows different lower bounds"
grep -q '>T8/2026</text>' "$T/r.html" && grep -q '>T9/2026</text>' "$T/r.html" || fail "trend months not in Vietnamese"
grep -qF "T8/2026" "$T/flat.txt" || fail "pdf trend months not in Vietnamese"
ok "trend charts share one y-range; months read T8/2026, T9/2026"
