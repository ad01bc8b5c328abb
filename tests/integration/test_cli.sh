#!/usr/bin/env bash
# The command line as a new user meets it: every subcommand's --help exits 0
# with no config file anywhere; global options work before and after the
# subcommand; misuses exit non-zero (2 for a misuse, 1 for missing data)
# with a message that names the problem; status labels its time zone and
# shows the reason for a fault.
. "$(dirname "$0")/lib.sh"

CW=$BIN/camwatch
cd "$T"   # no config here, and /etc/camwatch is not read for --help

cmds=$("$CW" --help | awk '/^commands:/ { on = 1; next } on && /^  [a-z]/ { print $1 } on && /^$/ { exit }')
[ "$(echo "$cmds" | wc -w)" -ge 10 ] || fail "camwatch --help lists: $cmds"
for c in $cmds; do
  rc=0; "$CW" -c "$T/none.yaml" "$c" --help > "$T/help.$c" 2>&1 || rc=$?
  [ "$rc" = 0 ] || fail "$c --help exits $rc: $(cat "$T/help.$c")"
  grep -q "^usage: camwatch $c" "$T/help.$c" || fail "$c --help prints no usage: $(head -3 "$T/help.$c")"
done
"$BIN/camwatchd" --help | grep -q '^usage: camwatchd' || fail "camwatchd --help"
"$CW" --version | grep -qE '^camwatch [0-9]' || fail "camwatch --version"
ok "--help exits 0 for camwatch, camwatchd and each of: $(echo $cmds)"

# Misuse table: command | expected exit | text the message must contain.
DB=$T/h.db
"$CW" gen-history --db "$DB" --cameras 4 --months 1 --end 2026-10-01 > /dev/null \
  || fail "gen-history with --db after the subcommand"
"$CW" --db "$DB" check-db > /dev/null || fail "--db before the subcommand"
"$CW" check-db --db "$DB" > /dev/null || fail "--db after the subcommand"
commune=$(sqlite3 "$DB" "SELECT commune FROM cameras LIMIT 1")
check() {  # expected-rc needle command...
  local want=$1 needle=$2; shift 2
  local rc=0; "$@" > "$T/m.out" 2>&1 || rc=$?
  [ "$rc" = "$want" ] || fail "'${*#$CW }' exits $rc, not $want: $(cat "$T/m.out")"
  grep -qF -- "$needle" "$T/m.out" || fail "'${*#$CW }': no '$needle' in: $(cat "$T/m.out")"
  echo "    $(echo "${*#$BIN/}" | sed "s|$T/||g")  ->  $rc: $(grep -F -- "$needle" "$T/m.out" | head -1 | sed "s|$T/||g")"
}
check 2 "unknown option --bogus" "$CW" status --db "$DB" --bogus
check 2 "needs a value" "$CW" report --db "$DB" --month
check 2 "unknown command 'stauts'" "$CW" stauts
check 2 "say which period" "$CW" report --db "$DB"
check 2 "no camera in" "$CW" report --db "$DB" --month 2026-09 --commune nope
check 1 "holds no history for 2026-02" "$CW" report --db "$DB" --month 2026-02
check 2 "unknown format 'pdfx'" "$CW" report --db "$DB" --month 2026-09 --format pdfx
check 2 "no camera 'nope'" "$CW" events --db "$DB" --camera nope
check 2 "no event of kind 'motoin'" "$CW" events --db "$DB" --kind motoin
check 2 "cannot read the time 'yesterday-ish' given to --since" "$CW" events --db "$DB" --since yesterday-ish
check 2 "no camera in" "$CW" status --db "$DB" --commune nope
check 2 "unknown state 'broken'" "$CW" status --db "$DB" --state broken
check 2 "--cameras wants a whole number" "$CW" gen-history --db "$T/x.db" --cameras lots
check 2 "needs --db FILE" "$CW" gen-history
check 2 "no --plugin given" "$CW" analyze "$MEDIA/vtest-360p15.h264"
check 2 "which video FILE" "$CW" analyze --plugin motion
check 2 "no config file $T/none.yaml" "$CW" -c "$T/none.yaml" status
check 1 "no database at $T/missing.db" "$CW" --db "$T/missing.db" status
check 1 "no database at $T/missing.db" "$CW" --db "$T/missing.db" maintenance list
[ ! -e "$T/missing.db" ] || fail "a read of a missing database created it"
check 2 "không có xã 'nope'" "$CW" --db "$DB" maintenance add --commune nope --to +1h
check 0 "ok (integrity" "$CW" check-db --db "$DB"
check 0 "(no events)" "$CW" events --db "$DB" --lang en --since 2026-09-01T00:00+07:00
ok "misuses exit 2, missing data 1, each with a message that names the problem"

# A month with data reports normally, filtered by a commune the data has.
"$CW" report --db "$DB" --month 2026-09 --commune "$commune" --format csv > "$T/r.csv" || fail "report --commune $commune"
[ "$(wc -l < "$T/r.csv")" -gt 3 ] || fail "report: $(cat "$T/r.csv")"

# status labels its clock and shows the cause with its detail.
sqlite3 "$DB" "INSERT INTO runs(started_us, heartbeat_us) VALUES (strftime('%s','now')*1000000, strftime('%s','now')*1000000)" 2>/dev/null || true
TZ=Asia/Ho_Chi_Minh "$CW" status --db "$DB" --lang en > "$T/status.txt"
grep -qE '^now [0-9-]+ [0-9:]+ \(Asia/Ho_Chi_Minh, UTC\+07:00\)' "$T/status.txt" || fail "status names no time zone: $(head -2 "$T/status.txt")"
grep -q 'CAUSE (DETAIL)' "$T/status.txt" || fail "status has no cause column: $(head -3 "$T/status.txt")"
ok "status labels its time zone: $(head -1 "$T/status.txt")"

# Vietnamese first (issue #29 item 8): with no --lang, a deployment's CLI
# and report speak Vietnamese (daemon.language, vi by default; the
# database records it for --db); daemon.language: en, or --lang en, English.
printf 'daemon:\n  database: %s\n%s\n' "$DB" "sites: [{province: p, communes: [{commune: c, sites: [{site: s}]}]}]
cameras: [{id: a, site: s, url: 'rtsp://10.0.0.1/x'}]" > "$T/vi.yaml"
sed 's|^daemon:|daemon:\n  language: en|' "$T/vi.yaml" > "$T/en.yaml"
for how in "--db $DB" "-c $T/vi.yaml"; do
  # shellcheck disable=SC2086
  set -- $how
  "$CW" "$@" status > "$T/st.txt"
  grep -q "^CAMERA  *ĐIỂM  *TRẠNG THÁI  *TỪ " "$T/st.txt" || fail "$how status: $(head -3 "$T/st.txt")"
  grep -qE " (hoạt động|mất kết nối|luồng bị treo) " "$T/st.txt" || fail "$how status: states not in Vietnamese"
  "$CW" "$@" events > "$T/ev.txt"
  head -1 "$T/ev.txt" | grep -q "^BẮT ĐẦU " || fail "$how events: $(head -1 "$T/ev.txt")"
  "$CW" "$@" alerts | grep -qF "(không có cảnh báo)" || fail "$how alerts: $("$CW" "$@" alerts)"
  "$CW" "$@" maintenance list | grep -qF "(không có khoảng bảo trì nào đang hoặc sắp diễn ra)" || fail "$how maintenance list"
  "$CW" "$@" ack --list | grep -qF "(không có lần nhận xử lý nào)" || fail "$how ack --list"
  "$CW" "$@" report --month 2026-09 > "$T/vi.txt"
  head -1 "$T/vi.txt" | grep -q "^Báo cáo mạng camera an ninh - Kỳ báo cáo 2026-09" || fail "$how report: $(head -1 "$T/vi.txt")"
done
"$CW" -c "$T/vi.yaml" report --month 2026-09 --format pdf -o "$T/vi.pdf" 2> /dev/null || fail "pdf"
pdftotext "$T/vi.pdf" - | tr -s ' \n' '  ' > "$T/vi.pdf.txt"
grep -qF "Kết quả theo xã và điểm lắp đặt" "$T/vi.pdf.txt" && ! grep -qiE "Results by|Cameras to repair|Rules|Recipients" "$T/vi.pdf.txt" \
  || fail "the PDF with no --lang is not all Vietnamese: $(head -c 600 "$T/vi.pdf.txt")"
rc=0; echo short | "$CW" -c "$T/vi.yaml" passwd kt > /dev/null 2> "$T/pw.err" || rc=$?
[ "$rc" = 2 ] && grep -qF "mật khẩu cần ít nhất 8 ký tự" "$T/pw.err" || fail "passwd: rc $rc, $(cat "$T/pw.err")"
"$CW" -c "$T/en.yaml" status > "$T/st-en.txt"
grep -q "^CAMERA  *SITE  *STATE " "$T/st-en.txt" || fail "daemon.language: en: $(head -3 "$T/st-en.txt")"
"$CW" -c "$T/vi.yaml" --lang en report --month 2026-09 > "$T/en.txt"
head -1 "$T/en.txt" | grep -q "^Camera network report" || fail "--lang en: $(head -1 "$T/en.txt")"
ok "no --lang: status, events, alerts, maintenance, ack, passwd, the report and its PDF in Vietnamese; daemon.language: en and --lang en in English"

# journald: with stderr being the stream JOURNAL_STREAM names, each line
# carries its syslog priority (<3> error ... <7> debug) and no timestamp of
# its own; anywhere else lines are plain with a timestamp.
BAD=$ROOT/tests/data/bad-configs/bad-values.yaml
: > "$T/j.log"
rc=0; JOURNAL_STREAM=$(stat -c '%d:%i' "$T/j.log") "$BIN/camwatchd" -c "$BAD" 2>> "$T/j.log" || rc=$?
[ "$rc" = 2 ] || fail "camwatchd on a bad config exits $rc"
[ "$(grep -cv '^<3>error [a-z]*: ' "$T/j.log")" = 0 ] || fail "journal lines: $(cat "$T/j.log")"
: > "$T/j2.log"
JOURNAL_STREAM=1:1 "$BIN/camwatchd" -c "$BAD" 2>> "$T/j2.log" || true
grep -qE '^20[0-9-]+T[0-9:.]+Z error config: ' "$T/j2.log" && ! grep -q '^<' "$T/j2.log" \
  || fail "a JOURNAL_STREAM that is not stderr still got priorities: $(head -2 "$T/j2.log")"
ok "journald lines: '$(head -1 "$T/j.log" | cut -c1-40)...'; elsewhere '$(head -1 "$T/j2.log" | cut -c1-45)...'"
