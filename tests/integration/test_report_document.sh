#!/usr/bin/env bash
# The document the committee signs: `camwatch report --format pdf` and its
# editable copy `--format odt`, in Vietnamese and English, from a fixed
# synthetic history (60 cameras, 4 months, seed 7). Checked from outside:
# pdftotext finds the header fields, the narrative's figures (equal to
# the CSV's), the trend column and the signature block; pdffonts shows
# Liberation Serif embedded; pdftoppm renders every page (saved here as
# PNG); LibreOffice headless converts the ODT to PDF without error and it
# reads the same.
. "$(dirname "$0")/lib.sh"
DB=$T/history.db
"$BIN/camwatch" gen-history --db "$DB" --cameras 60 --months 4 --seed 7 --end 2026-11-01 > /dev/null
cat > "$T/doc.yaml" <<EOT
daemon:
  database: $DB
report:
  issuer_parent: "CÔNG AN THÀNH PHỐ HÀ NỘI"
  issuer: "CÔNG AN XÃ HÒA BÌNH"
  number: "23/BC-CAX"
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
R() { "$BIN/camwatch" -c "$T/doc.yaml" report --month 2026-10 "$@"; }
R --format csv --lang en > "$T/r.csv"
# the whole network's row: cameras, at target, uptime (3 decimals)
# by the header's names: a deployment without districts has no district column
read -r cams at up < <(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
  $1 == "network" { print $col["cameras"], $col["at_target"], $col["uptime_pct"] }' "$T/r.csv")
up_vi=$(LC_ALL=C printf '%.1f' "$up" | tr . ,)
up_en=$(LC_ALL=C printf '%.1f' "$up")
today_vi=$(TZ=Asia/Ho_Chi_Minh date +'%d %m %Y' | awk '{ m = $2 + 0; printf "ngày %s tháng %s năm %s", $1, (m <= 2 ? $2 : m), $3 }')

# The layout a clerk expects (Decree 30): the national heading on one line,
# place and date on one line, no line of the first page that is a lone
# year (a wrapped title or date). $1: pdftotext -layout output.
layout_lines() {
  local first
  first=$(sed '/\f/q' "$1")
  grep -qF "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" <<<"$first" || fail "$2: the national heading is not on one line: $(head -4 <<<"$first")"
  if [ "$lang" = vi ]; then
    grep -qF "Hòa Bình, $today_vi" <<<"$first" || fail "$2: place and date not on one line: $(head -5 <<<"$first")"
  fi
  ! grep -qE '^\s*(năm )?20[0-9][0-9]\s*$' <<<"$first" || fail "$2: a line is a lone year: $(grep -nE '^\s*(năm )?20[0-9][0-9]\s*$' <<<"$first")"
}

for lang in vi en; do
  R --lang "$lang" --format pdf -o "$T/report-$lang.pdf" || fail "pdf $lang"
  pdftotext -layout "$T/report-$lang.pdf" "$T/report-$lang.txt"
  # pdftotext -layout keeps words; join the lines for phrases that wrap
  tr -s ' \n' '  ' < "$T/report-$lang.txt" > "$T/flat-$lang.txt"
  want=("CÔNG AN XÃ HÒA BÌNH" "23/BC-CAX" "CỘNG HÒA XÃ HỘI CHỦ NGHĨA" "Độc lập - Tự do - Hạnh phúc"
        "Công an thành phố Hà Nội" "KT. TRƯỞNG CÔNG AN XÃ" "PHÓ TRƯỞNG CÔNG AN XÃ" "Nguyễn Văn An" "Lưu: VT.")
  if [ "$lang" = vi ]; then
    want+=("Số: 23/BC-CAX" "Hòa Bình, $today_vi" "BÁO CÁO" "Kết quả hoạt động hệ thống camera an ninh tháng 10 năm 2026"
           "Kính gửi:" "Nơi nhận:" "gồm $cams camera" "Có $at/$cams camera" "bình quân toàn mạng đạt $up_vi" "so với kỳ trước, khi đạt")
  else
    want+=("No.: 23/BC-CAX" "REPORT" "results for October 2026" "To:" "Recipients:" "had $cams monitored cameras"
           "$at of $cams cameras" "mean uptime was $up_en%" "from the previous period")
  fi
  for w in "${want[@]}"; do
    grep -qF -- "$w" "$T/flat-$lang.txt" || fail "$lang PDF lacks '$w': $(head -c 1500 "$T/flat-$lang.txt")"
  done
  layout_lines "$T/report-$lang.txt" "$lang PDF"
  pdffonts "$T/report-$lang.pdf" > "$T/fonts-$lang.txt"
  grep -E 'LiberationSerif' "$T/fonts-$lang.txt" | awk '{ for (i = 1; i <= NF; i++) if ($i == "yes" || $i == "no") { print $i; break } }' \
    | sort -u | tr '\n' ' ' | grep -qx 'yes ' || fail "$lang: fonts not all embedded: $(cat "$T/fonts-$lang.txt")"
  pages=$(pdfinfo "$T/report-$lang.pdf" | awk '/^Pages:/ { print $2 }')
  [ "$pages" -ge 2 ] || fail "$lang: $pages page(s)"
  pdftoppm -r 50 -png "$T/report-$lang.pdf" "$T/page-$lang"
  [ "$(ls "$T"/page-"$lang"-*.png | wc -l)" = "$pages" ] || fail "$lang: pdftoppm rendered $(ls "$T"/page-"$lang"-*.png | wc -l) of $pages pages"
  # page numbers from page 2: the second page's first line is "2"
  [ "$(pdftotext -f 2 -l 2 "$T/report-$lang.pdf" - | grep -m1 -v '^\s*$' | tr -d ' ')" = 2 ] || fail "$lang: page 2 is not numbered"
  ok "$lang PDF: $pages A4 pages (PNG in $(basename "$T")/page-$lang-*.png), header, narrative ($cams cameras, $at at target, uptime ${up:0:5}), signature; Liberation Serif embedded"
done

# the editable copy, opened by LibreOffice
for lang in vi en; do
  R --lang "$lang" --format odt -o "$T/report-$lang.odt" || fail "odt $lang"
  [ "$(unzip -p "$T/report-$lang.odt" mimetype)" = application/vnd.oasis.opendocument.text ] || fail "odt mimetype"
  [ "$(unzip -Z1 "$T/report-$lang.odt" | head -1)" = mimetype ] || fail "odt: mimetype is not the first entry"
  mkdir -p "$T/lo-$lang"
  HOME=$T/lo-home timeout 180 soffice --headless --norestore --nolockcheck --convert-to pdf --outdir "$T/lo-$lang" \
    "$T/report-$lang.odt" > "$T/lo-$lang.log" 2>&1 || fail "LibreOffice failed on the $lang ODT: $(cat "$T/lo-$lang.log")"
  [ -s "$T/lo-$lang/report-$lang.pdf" ] || fail "LibreOffice made no PDF: $(cat "$T/lo-$lang.log")"
  pdftotext -layout "$T/lo-$lang/report-$lang.pdf" "$T/lo-$lang.layout"
  layout_lines "$T/lo-$lang.layout" "LibreOffice's rendering of the $lang ODT"
  pdftotext "$T/lo-$lang/report-$lang.pdf" - | tr -s ' \n' '  ' > "$T/lo-$lang.txt"
  for w in "CÔNG AN XÃ HÒA BÌNH" "23/BC-CAX" "Nguyễn Văn An" "$([ $lang = vi ] && echo "Có $at/$cams camera" || echo "$at of $cams cameras")"; do
    grep -qF -- "$w" "$T/lo-$lang.txt" || fail "LibreOffice's rendering of the $lang ODT lacks '$w'"
  done
  ok "$lang ODT: LibreOffice converts it ($(pdfinfo "$T/lo-$lang/report-$lang.pdf" | awk '/^Pages:/ { print $2 }') pages) with the header, figures and signature"
done
