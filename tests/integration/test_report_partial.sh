#!/usr/bin/env bash
# A partly watched month is never signed as a watched month (issue #29
# item 3). A history that stops on the 20th (a dead server): every format -
# text, CSV, JSON, HTML, PDF, ODT - states where the data begins and ends,
# says in its first lines (and the document in its title) that the data
# stops early, and the monitored share is over the whole month, not 100 %.
# A month the history covers says nothing of the kind; the month still
# running says it is not over.
# test-parallel: yes
. "$(dirname "$0")/lib.sh"

DB=$T/h.db
"$BIN/camwatch" gen-history --db "$DB" --cameras 6 --months 3 --seed 3 --end 2026-11-20 > /dev/null || fail "gen-history"
R() { "$BIN/camwatch" --db "$DB" report --month 2026-11 "$@"; }

R > "$T/r.txt" || fail "text report"
head -1 "$T/r.txt" | grep -q "Kỳ báo cáo 2026-11 (số liệu đến 20/11/2026)" || fail "text: title says $(head -1 "$T/r.txt")"
sed -n 2p "$T/r.txt" | grep -q "^Số liệu từ 01/11/2026 00:00 đến 20/11/2026 00:00\.$" || fail "text: line 2: $(sed -n 2p "$T/r.txt")"
sed -n 3p "$T/r.txt" | grep -q "^Số liệu đến 20/11/2026 00:00: từ đó đến 01/12/2026 00:00 camwatch không ghi nhận gì" \
  || fail "text: line 3: $(sed -n 3p "$T/r.txt")"
R --lang en > "$T/r-en.txt"
head -3 "$T/r-en.txt" | grep -q "^Data up to 2026-11-20 00:00: from then until 2026-12-01 00:00 camwatch recorded nothing" \
  || fail "text (en): $(head -3 "$T/r-en.txt")"
ok "text, vi and en: the title carries 'data up to 20/11', the next lines where the data begins, ends and why"

R --format csv > "$T/r.csv"
head -1 "$T/r.csv" | grep -q ";Số liệu từ;Số liệu đến;Ghi chú số liệu$" || fail "csv header: $(head -1 "$T/r.csv")"
[ "$(tail -n +2 "$T/r.csv" | grep -c ';2026-11-01T00:00:00+07:00;2026-11-20T00:00:00+07:00;"\?Số liệu đến 20/11/2026 00:00')" \
  = "$(tail -n +2 "$T/r.csv" | wc -l)" ] || fail "csv: not every row carries the data's span and note: $(sed -n 2p "$T/r.csv")"
R --format csv --lang en | sed -n 2p | grep -q ',2026-11-01T00:00:00+07:00,2026-11-20T00:00:00+07:00,"\?Data up to' \
  || fail "csv (en): $(R --format csv --lang en | sed -n 2p)"
ok "csv: every row carries data_from, data_to and the note"

R --format json > "$T/r.json"
jq -e '.data_complete == false and .period_over == true and .data_from == "2026-10-31T17:00:00.000Z"
       and .data_to == "2026-11-19T17:00:00.000Z" and (.data_note | startswith("Số liệu đến 20/11/2026 00:00"))' \
  "$T/r.json" > /dev/null || fail "json: $(jq -c '{data_complete, period_over, data_from, data_to, data_note}' "$T/r.json")"
jq -e '[.cameras[].monitored_pct] | max < 64' "$T/r.json" > /dev/null \
  || fail "json: a camera reads $(jq '[.cameras[].monitored_pct] | max' "$T/r.json") % monitored of a month watched 19 days"
ok "json: data_complete false, data_from/data_to, the note; monitored at most $(jq '[.cameras[].monitored_pct] | max | floor' "$T/r.json") % (19 of 30 days)"

R --format html > "$T/r.html"
grep -q "<title>.*2026-11 (số liệu đến 20/11/2026)</title>" "$T/r.html" || fail "html title: $(grep -o '<title>.*</title>' "$T/r.html")"
grep -q '<p class="data-note" id="data-note">Số liệu đến 20/11/2026 00:00' "$T/r.html" || fail "html: no data note"
grep -q '<span id="data-span">Số liệu từ 01/11/2026 00:00 đến 20/11/2026 00:00</span>' "$T/r.html" || fail "html: no data span"
ok "html: the title, a note above everything, the data's span"

R --format pdf -o "$T/r.pdf" || fail "pdf"
pdftotext -layout "$T/r.pdf" - | tr -s ' \n' '  ' > "$T/pdf.txt"
for w in "Kết quả hoạt động hệ thống camera an ninh tháng 11 năm 2026 (số liệu đến 20/11/2026)" \
         "(Số liệu từ 01/11/2026 00:00 đến 20/11/2026 00:00)" "Số liệu đến 20/11/2026 00:00: từ đó đến 01/12/2026 00:00"; do
  grep -qF "$w" "$T/pdf.txt" || fail "pdf lacks '$w': $(head -c 1200 "$T/pdf.txt")"
done
share=$(grep -oE "đã giám sát [0-9]+,[0-9] % thời gian của kỳ" "$T/pdf.txt" | grep -oE '[0-9]+,[0-9]' | tr , .)
[ -n "$share" ] && awk -v s="$share" 'BEGIN { exit !(s > 55 && s < 64) }' || fail "pdf: monitored share '$share' (19 of 30 days)"
# the subject line is the document's title in its metadata too
pdfinfo "$T/r.pdf" | grep -q "^Title:.*(số liệu đến 20/11/2026)" || fail "pdf metadata: $(pdfinfo "$T/r.pdf" | grep Title)"
R --format odt -o "$T/r.odt" || fail "odt"
unzip -p "$T/r.odt" content.xml > "$T/odt.xml"
grep -qF "tháng 11 năm 2026 (số liệu đến 20/11/2026)" "$T/odt.xml" && grep -qF "Số liệu đến 20/11/2026 00:00: từ đó" "$T/odt.xml" \
  || fail "odt: no title note or data note"
ok "pdf and odt: the title says 'số liệu đến 20/11/2026', the body says why first; watched $share % of the month"

# A month the history covers whole: nothing of the kind.
"$BIN/camwatch" --db "$DB" report --month 2026-10 --format json | jq -e '.data_complete and .data_note == ""' > /dev/null \
  || fail "October (whole) reads as incomplete"
"$BIN/camwatch" --db "$DB" report --month 2026-10 | sed -n 3p | grep -q "^Quy tắc:" || fail "October: an extra line"
# The month still running: a history that reaches into tomorrow.
DB2=$T/now.db
"$BIN/camwatch" gen-history --db "$DB2" --cameras 3 --months 1 --end "$(TZ=Asia/Ho_Chi_Minh date -d tomorrow +%F)" > /dev/null
month=$(TZ=Asia/Ho_Chi_Minh date +%Y-%m)
"$BIN/camwatch" --db "$DB2" report --month "$month" > "$T/now.txt"
sed -n 3p "$T/now.txt" | grep -q "^Kỳ báo cáo chưa kết thúc (kết thúc .*): số liệu đến " || fail "this month: $(head -3 "$T/now.txt")"
ok "a whole month says nothing extra; this month says it is not over"
