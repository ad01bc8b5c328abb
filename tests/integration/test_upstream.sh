#!/usr/bin/env bash
# test-parallel: yes
# The province's PostgreSQL (issue #25), a real server started here
# (initdb + pg_ctl in a temporary directory, socket and 127.0.0.1 only):
#  - `camwatch upstream init` makes the schema and is idempotent;
#    `add-edge` makes a role that may call apply_batch for its commune
#    only: it reads no table and cannot send for another commune;
#  - `upstream sync` ships a month of two communes' history: every row
#    central, row for row, once; a 1970 event is quarantined with its
#    reason and the rest arrives; nothing is sent twice;
#  - an update at the edge (a span's end) arrives as the row's new state;
#  - a proxy that drops the reply after COMMIT, and one that cuts a batch
#    in half: no duplicate, no loss, after the next sync;
#  - the central server down hard (-m immediate) in the middle of a batch
#    that has written part of its rows: none of them central, the next
#    sync brings them all;
#  - the central database restored from a dump older than the edge's
#    acknowledged log: the edge is told, sends everything again, equal;
#  - an edge database made anew (new epoch): its rows beside the old
#    ones, nothing overwritten;
#  - camwatchd with upstream: ships by itself (metrics pass promtool); the
#    province stopped for 60 s while a camera flaps and alerts fire, the
#    edge SIGKILLed and restarted meanwhile: it goes on watching, logs one
#    line per run, catches up when the province returns: every span, alert
#    and delivery central once, row for row; three communes' camwatchd
#    through it, the province's report equal to theirs camera row for row;
#  - a wrong password: one line naming the server, exit 1, recorded for
#    `upstream status`; no password in any output, dump or log.
. "$(dirname "$0")/lib.sh"
command -v psql > /dev/null || fail "psql is not installed (scripts/deps.sh installs postgresql)"
start_pg
psql_su postgres -c "CREATE DATABASE province"
ADMIN="postgresql://postgres@/province?host=$PG_DIR&port=$PG_PORT"
central() { psql_su province -At -F'|' -c "$1"; }

out=$("$BIN/camwatch" upstream init "$ADMIN")
[[ "$out" == *"phiên bản 2"* ]] || fail "init: $out"
out=$("$BIN/camwatch" upstream init "$ADMIN" --lang en)
[[ "$out" == *"schema is at version 2"* ]] || fail "second init: $out"
ok "upstream init: the schema at version 2, and again (idempotent)"

PW_A=$(secret edge-a); PW_B=$(secret edge-b)
echo "$PW_A" > "$T/a.pw"; echo "$PW_B" > "$T/b.pw"; echo "wrong-$CW_SUITE_SECRET" > "$T/bad.pw"
"$BIN/camwatch" upstream add-edge "$ADMIN" edge_a xa-a --edge-password-file "$T/a.pw" > /dev/null
"$BIN/camwatch" upstream add-edge "$ADMIN" edge_b xa-b --edge-password-file "$T/b.pw" > /dev/null
URL_A="postgresql://edge_a@127.0.0.1:$PG_PORT/province"
URL_B="postgresql://edge_b@127.0.0.1:$PG_PORT/province"
out=$(PGPASSWORD=$PW_A psql -X -At "$URL_A" -c "SELECT count(*) FROM camwatch.spans" 2>&1) && fail "an edge read a table: $out"
[[ "$out" == *"permission denied"* ]] || fail "an edge's read: $out"

# two communes' month (seeded), and a poison row: an event in 1970
"$BIN/camwatch" gen-history --db "$T/a.db" --cameras 6 --months 1 --seed 3 --end 2026-11-30 > /dev/null
"$BIN/camwatch" gen-history --db "$T/b.db" --cameras 4 --months 1 --seed 4 --end 2026-12-01 --instance xa-b > /dev/null
[ "$(sqlite3 "$T/b.db" "SELECT id || ' ' || site || ' ' || commune FROM cameras ORDER BY id LIMIT 1")" = \
  "xa-b-cam-0000 xa-b-site-000 xa-b-commune-00" ] || fail "gen-history --instance did not prefix the ids"
sqlite3 "$T/a.db" "INSERT INTO events (camera, kind, start_us, end_us, peak_score) VALUES ('cam-0001', 'motion', 1000000, 2000000, 0.5);
                   INSERT INTO events (camera, kind, start_us, end_us, peak_score)
                   VALUES ('cam-0001', 'motion', 1796000000000000, 1796000005000000, 0.5);"

# the proxy's modes are tried on edge a; b goes straight
PX=$(free_port)
python3 "$ROOT/tests/tools/pgproxy.py" "$PX" "$PG_PORT" drop-reply "$T/px.ready" > "$T/px.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 100); do [ -f "$T/px.ready" ] && break; sleep 0.05; done
VIA_A="postgresql://edge_a@127.0.0.1:$PX/province"

# rows of a table, local and central, in one form: "id|columns..."
compare() { # DB INSTANCE TABLE COLUMNS [WHERE]
  local db=$1 inst=$2 tbl=$3 cols=$4 where=${5:-1=1} epoch
  epoch=$(sqlite3 "$db" "SELECT value FROM sync_state WHERE key = 'epoch'")
  sqlite3 -separator '|' "$db" "SELECT id, $cols FROM $tbl WHERE $where ORDER BY id" > "$T/l.$tbl"
  central "SELECT local_id, $cols FROM camwatch.$tbl WHERE instance = '$inst' AND epoch = '$epoch' ORDER BY local_id" \
    > "$T/c.$tbl"
  cmp -s "$T/l.$tbl" "$T/c.$tbl" || { diff "$T/l.$tbl" "$T/c.$tbl" | head -5 >&2; return 1; }
}
SPAN_COLS="camera, state, cause, detail, start_us, COALESCE(CAST(end_us AS TEXT), '')"
check_equal() { # DB INSTANCE WHAT
  compare "$1" "$2" spans "$SPAN_COLS" || fail "$3: spans of $2 differ"
  compare "$1" "$2" events "camera, kind, start_us, end_us" "start_us > 1577836800000000" || fail "$3: events of $2 differ"
  local epoch
  epoch=$(sqlite3 "$1" "SELECT value FROM sync_state WHERE key = 'epoch'")
  [ "$(sqlite3 "$1" "SELECT group_concat(id, ',') FROM (SELECT id FROM cameras ORDER BY id)")" = \
    "$(central "SELECT string_agg(id, ',' ORDER BY id) FROM camwatch.cameras WHERE instance = '$2' AND epoch = '$epoch'")" ] ||
    fail "$3: cameras of $2 differ"
}

out=$("$BIN/camwatch" --db "$T/a.db" upstream sync --url "$VIA_A" --instance xa-a --password-file "$T/a.pw" --lang en 2>&1) &&
  fail "a sync whose reply was dropped said it worked: $out"
grep -q "dropped the reply to a committed batch" "$T/px.log" || fail "the proxy did not drop a reply: $(cat "$T/px.log")"
[[ "$out" == *"upstream postgresql://edge_a@127.0.0.1:$PX/province"* ]] || fail "the failure does not name the server: $out"
waiting=$("$BIN/camwatch" --db "$T/a.db" upstream status --lang en | awk '/rows waiting/ {print $3}')
[ "$waiting" -gt 0 ] || fail "the log was trimmed without an answer ($waiting waiting)"
n1=$(central "SELECT count(*) FROM camwatch.spans")
"$BIN/camwatch" --db "$T/a.db" upstream sync --url "$VIA_A" --instance xa-a --password-file "$T/a.pw" --lang en > "$T/sync.out"
[ "$(central "SELECT count(*) FROM camwatch.spans")" = "$n1" ] || fail "the batch sent again after its lost reply added rows"
check_equal "$T/a.db" xa-a "after a lost reply"
ok "reply lost after COMMIT: the batch sent again changed nothing ($n1 spans); every row central once: $(cat "$T/sync.out")"

# the 1970 event: quarantined with its reason; the 2026 one arrived
q=$(central "SELECT tbl || ': ' || reason FROM camwatch.quarantine WHERE instance = 'xa-a'")
[[ "$q" == "events: time 1970-01-01 00:00:01 UTC is before the edge was installed" ]] || fail "quarantine: '$q'"
ok "a 1970 event quarantined ('$q'); the rest arrived"

"$BIN/camwatch" --db "$T/b.db" upstream sync --url "$URL_B" --instance xa-b --password-file "$T/b.pw" > /dev/null
check_equal "$T/b.db" xa-b "commune b"
out=$("$BIN/camwatch" --db "$T/b.db" upstream sync --url "$URL_B" --instance xa-a --password-file "$T/b.pw" --lang en 2>&1) &&
  fail "edge_b sent for xa-a"
[[ "$out" == *"may not send for instance xa-a"* ]] || fail "edge_b for xa-a: $out"
out=$("$BIN/camwatch" --db "$T/b.db" upstream sync --url "$URL_B" --instance xa-b --password-file "$T/b.pw" --lang en)
[[ "$out" == *" 0 rows sent"* ]] || fail "a second sync sent again: $out"
ok "two communes central, row for row; edge_b may not send for xa-a; a second sync sends nothing"

# the province's report, read from PostgreSQL by the same code: every
# camera's and commune's row as in its commune's own report, in every
# column but those about the data's extent (the report's own, and the
# province's complete_until)
for x in a b; do "$BIN/camwatch" --db "$T/$x.db" report --month 2026-11 --format csv --lang en > "$T/$x.csv"; done
"$BIN/camwatch" --db "$ADMIN" report --month 2026-11 --format csv --lang en > "$T/province.csv"
cat > "$T/rows.py" <<'PY'
import csv, sys
def rows(path):
    r = list(csv.reader(open(path, encoding="utf-8-sig")))
    head = r[0]
    skip = {"data_from", "data_to", "data_note", "complete_until"}
    keep = [i for i, h in enumerate(head) if h not in skip]
    return {(x[0], x[1]): [x[i] for i in keep] for x in r[1:] if x[0] in ("camera", "commune")}
prov = rows(sys.argv[1])
n = 0
for path in sys.argv[2:]:
    for key, vals in rows(path).items():
        if prov.get(key) != vals:
            sys.exit("%s %s: local %s, province %s" % (key[0], key[1], vals, prov.get(key)))
        n += 1
print(n)
PY
n=$(python3 "$T/rows.py" "$T/province.csv" "$T/a.csv" "$T/b.csv") || fail "a row differs at the province: $n"
[ "$n" -ge 12 ] || fail "only $n camera and commune rows compared"
[ "$(grep -c '^camera,' "$T/province.csv")" = 10 ] || fail "the province's report has not 10 cameras"
out=$("$BIN/camwatch" --db "$ADMIN" check-db)
[[ "$out" == *"postgresql://postgres@"*"/province"*": ok"* ]] || fail "check-db --db postgresql://: $out"
ls /tmp/camwatch-province-* > /dev/null 2>&1 && fail "a working copy was left in /tmp"
ok "report --db postgresql://: all $n camera and commune rows equal the communes' own reports; check-db: $out"

# each commune's data as far as it has arrived: a's up to 30/11 (behind
# for November), b's to 1/12; the province's report is provisional and
# names a, a period both have whole is final; the province's document
# (its own config: the province police's issuer and signer) has a part
# per commune, its completeness in its heading, and "Toàn tỉnh"
a_name=$(sqlite3 "$T/a.db" "SELECT commune_name FROM cameras LIMIT 1")
b_name=$(sqlite3 "$T/b.db" "SELECT commune_name FROM cameras LIMIT 1")
got=$(python3 - "$T/province.csv" <<'PY'
import csv, sys
r = list(csv.reader(open(sys.argv[1], encoding="utf-8-sig")))
i = r[0].index("complete_until")
print(" ".join("%s=%s" % (x[1], x[i]) for x in r[1:] if x[0] in ("province", "commune")))
PY
)
[ "$got" = "*=2026-11-30T00:00:00+07:00 commune-00=2026-11-30T00:00:00+07:00 xa-b-commune-00=2026-12-01T00:00:00+07:00" ] ||
  fail "complete_until per commune: $got"
"$BIN/camwatch" --db "$ADMIN" report --month 2026-11 --format text > "$T/province.txt"
head -1 "$T/province.txt" | grep -qF "(chưa chính thức)" || fail "the title does not say provisional: $(head -1 "$T/province.txt")"
grep -qF "Chưa nhận đủ dữ liệu của 1/2 xã: $a_name (dữ liệu đầy đủ đến 30/11/2026 00:00)." "$T/province.txt" ||
  fail "commune a is not named as behind: $(sed -n 3p "$T/province.txt")"
! grep "Chưa nhận đủ" "$T/province.txt" | grep -qF "$b_name (" || fail "commune b, whole, is named as behind"
"$BIN/camwatch" --db "$ADMIN" report --from 2026-11-10 --to 2026-11-20 --format text > "$T/final.txt"
grep -qF "Báo cáo chính thức: dữ liệu của cả 2 xã đã đầy đủ đến hết kỳ báo cáo." "$T/final.txt" ||
  fail "a period both communes have whole is not final: $(sed -n 3p "$T/final.txt")"
cat > "$T/province.yaml" <<EOT
report:
  issuer_parent: "BỘ CÔNG AN"
  issuer: "CÔNG AN TỈNH THỬ NGHIỆM"
  number: "45/BC-CAT"
  place: "Thử Nghiệm"
  signer_title: "GIÁM ĐỐC"
  signer_name: "Trần Văn Bình"
  recipients: ["Bộ Công an"]
  copies_to: ["Như trên", "Lưu: VT."]
cameras: []
EOT
"$BIN/camwatch" -c "$T/province.yaml" --db "$ADMIN" report --month 2026-11 --format pdf -o "$T/province.pdf" 2> "$T/pdf.err" ||
  fail "the province's document: $(cat "$T/pdf.err")"
[ ! -s "$T/pdf.err" ] || fail "the province's document warned: $(cat "$T/pdf.err")"
pdftotext -layout "$T/province.pdf" - | tr -s ' \n' '  ' > "$T/province-pdf.txt"
"$BIN/camwatch" -c "$T/province.yaml" --db "$ADMIN" report --month 2026-11 --format odt -o "$T/province.odt"
unzip -p "$T/province.odt" content.xml | sed 's/<[^>]*>/ /g' | tr -s ' \n' '  ' > "$T/province-odt.txt"
for f in pdf odt; do
  for want in "CÔNG AN TỈNH THỬ NGHIỆM" "45/BC-CAT" "Trần Văn Bình" "Kính gửi: Bộ Công an" "(chưa chính thức)" \
              "I. Kết quả toàn tỉnh và theo xã" "Toàn tỉnh" "II. Kết quả từng xã theo điểm lắp đặt" \
              "1. $a_name (chưa nhận đủ dữ liệu; dữ liệu đầy đủ đến 30/11/2026 00:00)" \
              "2. $b_name (dữ liệu đầy đủ đến hết kỳ)" "Chưa nhận đủ dữ liệu của 1/2 xã: $a_name" \
              "III. Danh sách camera cần sửa chữa"; do
    grep -qF "$want" "$T/province-$f.txt" || fail "the province's $f lacks '$want'"
  done
done
ok "each commune's data as far as it arrived (a to 30/11, b whole): the November report provisional, a named; 10-20/11 final; the province's PDF and ODT: its issuer and signer, 'Toàn tỉnh', a part per commune with its completeness"

# reconciliation: every camera-month the communes sent a digest of agrees
# with what the province holds (the same code counting both); a span
# changed at the centre behind the edges' back is found, named, and its
# camera's history comes again at the commune's next sync
out=$("$BIN/camwatch" --db "$ADMIN" upstream check --lang en) || fail "check: $out"
checked=$(sed -nE 's/.*: ([0-9]+) digests checked, ([0-9]+) agree, 0 differ$/\1 \2/p' <<<"$out")
read -r n_checked n_agree <<<"$checked"
[ -n "$n_checked" ] && [ "$n_checked" = "$n_agree" ] && [ "$n_checked" -ge 10 ] || fail "check: $out"
victim=$(central "SELECT local_id FROM camwatch.spans WHERE instance = 'xa-a' AND camera = 'cam-0002' AND state = 'online'
                  AND start_us > 1793500000000000 ORDER BY local_id LIMIT 1")
central "UPDATE camwatch.spans SET state = 'offline', cause = 'unreachable' WHERE instance = 'xa-a' AND local_id = $victim" \
  > /dev/null
rc=0
out=$("$BIN/camwatch" --db "$ADMIN" upstream check --all --lang en) || rc=$?
[ "$rc" = 1 ] || fail "check after a span was changed at the centre: exit $rc: $out"
grep -q "^camwatch upstream check: xa-a/cam-0002 2026-11: the commune counts online .* the province holds online .*: the commune is asked to send its history again$" <<<"$out" ||
  fail "the differing camera is not named: $out"
grep -q " 1 differ$" <<<"$out" || fail "more than the one camera differs: $out"
[ "$(central "SELECT instance || ' ' || camera FROM camwatch.resend")" = "xa-a cam-0002" ] || fail "resend: not asked"
out=$("$BIN/camwatch" --db "$T/a.db" upstream sync --url "$URL_A" --instance xa-a --password-file "$T/a.pw" --lang en)
[[ "$out" == *"cameras sent again at the province's request"* ]] || fail "the edge did not send cam-0002 again: $out"
[ "$(central "SELECT count(*) FROM camwatch.resend")" = 0 ] || fail "the request was not answered"
check_equal "$T/a.db" xa-a "after the province's check"
out=$("$BIN/camwatch" --db "$ADMIN" upstream check --lang en) || fail "check after the resend: $out"
[[ "$out" == *" 0 differ" ]] && ! [[ "$out" == *" 0 digests checked"* ]] || fail "check after the resend: $out"
ok "upstream check: $n_checked camera-month digests agree with the province's copy; a span changed at the centre: cam-0002 named, sent again at the next sync, its digests checked anew and agreeing; every row equal"

# an update at the edge: the open span of one camera ends, a new one opens
last=$(sqlite3 "$T/a.db" "SELECT id FROM spans WHERE camera = 'cam-0002' ORDER BY start_us DESC LIMIT 1")
sqlite3 "$T/a.db" "UPDATE spans SET end_us = start_us + 60000000 WHERE id = $last;
                   INSERT INTO spans (camera, state, cause, detail, start_us)
                   SELECT camera, 'offline', 'unreachable', '', end_us FROM spans WHERE id = $last;"
# cut-request: the proxy cuts the next batch request in half
kill "${PIDS[-1]}"; wait "${PIDS[-1]}" 2>/dev/null || true
rm -f "$T/px.ready"
python3 "$ROOT/tests/tools/pgproxy.py" "$PX" "$PG_PORT" cut-request "$T/px.ready" >> "$T/px.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 100); do [ -f "$T/px.ready" ] && break; sleep 0.05; done
"$BIN/camwatch" --db "$T/a.db" upstream sync --url "$VIA_A" --instance xa-a --password-file "$T/a.pw" > /dev/null 2>&1 &&
  fail "a sync cut in half said it worked"
grep -q "cut a batch request" "$T/px.log" || fail "the proxy did not cut a request"
"$BIN/camwatch" --db "$T/a.db" upstream sync --url "$VIA_A" --instance xa-a --password-file "$T/a.pw" > /dev/null
check_equal "$T/a.db" xa-a "after a cut batch and an update"
ok "a batch cut mid-request: nothing applied, the next sync brings it; the updated span central as it is now"

# the central database restarted in the middle of a batch: the batch waits
# on a row another session holds, inside its transaction, with the rows
# before it already written; the server goes down hard (-m immediate,
# crash recovery at the start) and comes back
sqlite3 "$T/a.db" "UPDATE spans SET detail = 'checked ' || id WHERE camera = 'cam-0004'"
changed=$(sqlite3 "$T/a.db" "SELECT count(*) FROM spans WHERE camera = 'cam-0004'")
mid=$(sqlite3 "$T/a.db" "SELECT id FROM spans WHERE camera = 'cam-0004' ORDER BY id LIMIT 1 OFFSET $((changed / 2))")
[ "$changed" -ge 4 ] || fail "only $changed spans changed: no middle to hold"
acked=$(central "SELECT acked_seq FROM camwatch.edges WHERE instance = 'xa-a'")
psql_su province -c "BEGIN" -c "SELECT 1 FROM camwatch.spans WHERE instance = 'xa-a' AND local_id = $mid FOR UPDATE" \
  -c "SELECT pg_sleep(120)" > "$T/holder.log" 2>&1 &
holder=$!
PIDS+=($holder)
for _ in $(seq 100); do
  [ "$(central "SELECT count(*) FROM pg_stat_activity WHERE query LIKE 'SELECT pg_sleep%' AND state = 'active'")" = 1 ] && break
  sleep 0.05
done
"$BIN/camwatch" --db "$T/a.db" upstream sync --url "$URL_A" --instance xa-a --password-file "$T/a.pw" --lang en \
  > "$T/midbatch.out" 2>&1 &
syncer=$!
PIDS+=($syncer)
for _ in $(seq 200); do
  [ "$(central "SELECT count(*) FROM pg_stat_activity WHERE query LIKE '%apply_batch%' AND wait_event_type = 'Lock'")" = 1 ] &&
    break
  sleep 0.05
done
[ "$(central "SELECT count(*) FROM pg_stat_activity WHERE query LIKE '%apply_batch%' AND wait_event_type = 'Lock'")" = 1 ] ||
  fail "the batch never reached the held row"
"${PG_AS[@]}" "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m immediate -w stop > /dev/null 2>&1 || fail "pg_ctl stop -m immediate"
rc=0; wait "$syncer" || rc=$?
wait "$holder" 2>/dev/null || true
pg_start_again
[ "$rc" != 0 ] || fail "a sync whose server went down mid-batch said it worked: $(cat "$T/midbatch.out")"
[[ "$(cat "$T/midbatch.out")" == *"upstream postgresql://edge_a@127.0.0.1:$PG_PORT/province"* ]] ||
  fail "the failure does not name the server: $(cat "$T/midbatch.out")"
[ "$(central "SELECT count(*) FROM camwatch.spans WHERE instance = 'xa-a' AND detail LIKE 'checked %'")" = 0 ] ||
  fail "part of the interrupted batch is central"
[ "$(central "SELECT acked_seq FROM camwatch.edges WHERE instance = 'xa-a'")" = "$acked" ] ||
  fail "the interrupted batch moved the acknowledged sequence"
"$BIN/camwatch" --db "$T/a.db" upstream sync --url "$URL_A" --instance xa-a --password-file "$T/a.pw" > /dev/null
[ "$(central "SELECT count(*) FROM camwatch.spans WHERE instance = 'xa-a' AND detail LIKE 'checked %'")" = "$changed" ] ||
  fail "after the restart, not every changed span arrived"
check_equal "$T/a.db" xa-a "after a restart mid-batch"
ok "the central server went down in the middle of a batch (waiting at the $((changed / 2 + 1))th of $changed changed spans): nothing of it central, the acknowledged sequence unmoved; the next sync brought it all, row for row"

# the central database restored from a dump older than what the edge had acknowledged
PGDUMP=$(dirname "$(command -v psql)")/pg_dump
"${PG_AS[@]}" "$PG_BIN/pg_dump" -h "$PG_DIR" -p "$PG_PORT" -U postgres -Fc province > "$T/province.dump" 2>/dev/null ||
  pg_dump -h "$PG_DIR" -p "$PG_PORT" -U postgres -Fc province > "$T/province.dump"
sqlite3 "$T/a.db" "INSERT INTO spans (camera, state, cause, detail, start_us, end_us)
                   VALUES ('cam-0003', 'unmonitored', '', '', 1796500000000000, 1796500060000000);"
"$BIN/camwatch" --db "$T/a.db" upstream sync --url "$URL_A" --instance xa-a --password-file "$T/a.pw" > /dev/null
acked=$(central "SELECT acked_seq FROM camwatch.edges WHERE instance = 'xa-a'")
psql_su postgres -c "DROP DATABASE province" -c "CREATE DATABASE province"
pg_restore -h "$PG_DIR" -p "$PG_PORT" -U postgres -d province "$T/province.dump" 2> "$T/restore.err" ||
  fail "pg_restore: $(head -3 "$T/restore.err")"
old=$(central "SELECT acked_seq FROM camwatch.edges WHERE instance = 'xa-a'")
[ "$old" -lt "$acked" ] || fail "the dump is not older ($old vs $acked)"
compare "$T/a.db" xa-a spans "$SPAN_COLS" 2>/dev/null && fail "the restored database already had everything"
out=$("$BIN/camwatch" --db "$T/a.db" upstream sync --url "$URL_A" --instance xa-a --password-file "$T/a.pw" --lang en)
[[ "$out" == *"the province had less"* ]] || fail "the edge did not notice the older dump: $out"
check_equal "$T/a.db" xa-a "after the restore"
ok "central restored from a dump at $old < $acked acknowledged: the edge was told and sent all again; equal"

# an edge database made anew: a new epoch beside the old rows
epoch_a=$(sqlite3 "$T/a.db" "SELECT value FROM sync_state WHERE key = 'epoch'")
before=$(central "SELECT count(*) FROM camwatch.spans WHERE instance = 'xa-a'")
"$BIN/camwatch" gen-history --db "$T/a2.db" --cameras 6 --months 1 --seed 9 --end 2026-11-30 > /dev/null
"$BIN/camwatch" --db "$T/a2.db" upstream sync --url "$URL_A" --instance xa-a --password-file "$T/a.pw" > /dev/null
epoch_a2=$(sqlite3 "$T/a2.db" "SELECT value FROM sync_state WHERE key = 'epoch'")
[ "$epoch_a" != "$epoch_a2" ] || fail "a new database has the old epoch"
[ "$(central "SELECT count(*) FROM camwatch.spans WHERE instance = 'xa-a' AND epoch = '$epoch_a'")" = "$before" ] ||
  fail "the new epoch touched the old rows"
check_equal "$T/a.db" xa-a "the old epoch"
compare "$T/a2.db" xa-a spans "$SPAN_COLS" || fail "the new epoch's spans differ"
ok "a recreated edge database (epoch ${epoch_a2:0:8}…): its rows beside the old epoch's $before, none overwritten"

# camwatchd ships by itself (upstream: in its config), and goes on
# watching while the province is away; one edge SIGKILLed meanwhile
PW_C=$(secret edge-c); echo "$PW_C" > "$T/c.pw"
"$BIN/camwatch" upstream add-edge "$ADMIN" edge_c xa-c --edge-password-file "$T/c.pw" > /dev/null
CAM=$(free_port); HOOK=$(free_port)
start_camsim "$CAM" ok=file="$MEDIA/vtest-360p15.h264" blink=file="$MEDIA/vtest-360p15.h264",flap=3:3
"$BIN/tests/receiver" --port "$HOOK" --log "$T/hook.jsonl" --ready "$T/hook.ready" &
PIDS+=($!)
for _ in $(seq 100); do [ -f "$T/hook.ready" ] && break; sleep 0.05; done
CFG=$T/cw.yaml
write_head "$CFG"
cat >> "$CFG" <<EOT
  - {id: d-up, site: cong-lang, url: "rtsp://127.0.0.1:$CAM/ok", connect_timeout: 1s}
  - {id: d-blink, site: cong-lang, url: "rtsp://127.0.0.1:$CAM/blink", connect_timeout: 1s, stall_timeout: 2s}
  - {id: d-dead, site: cong-lang, url: "rtsp://127.0.0.1:$(free_port)/x", connect_timeout: 1s}
alerts:
  offline_grace: 1s
  flap_window: 20s
  place_share: 0
  targets:
    - {name: hook, type: webhook, url: "http://127.0.0.1:$HOOK/hook"}
upstream:
  url: postgresql://edge_c@127.0.0.1:$PG_PORT/province
  password_file: c.pw
  instance: xa-c
  interval: 1s
EOT
DB=$T/camwatch.db
start_daemon "$CFG"
C_PORT=$HTTP_PORT # write_head sets HTTP_PORT anew for each commune's config below
METRICS=http://127.0.0.1:$C_PORT/metrics
central_spans_c() { central "SELECT count(*) FROM camwatch.spans WHERE instance = 'xa-c'"; }
for _ in $(seq 150); do [ "$(central_spans_c)" -ge 3 ] && break; sleep 0.1; done
[ "$(central_spans_c)" -ge 3 ] || fail "camwatchd shipped nothing in 15 s: $(grep upstream "$T/camwatchd.log" | tail -3)"
# the live view is published every second: the first round shows in it within one
for _ in $(seq 50); do
  curl -sf "$METRICS" > "$T/metrics.1" || true
  grep -q "^camwatch_upstream_up 1$" "$T/metrics.1" && break
  sleep 0.1
done
grep -q "^camwatch_upstream_up 1$" "$T/metrics.1" || fail "metrics: $(grep '^camwatch_upstream' "$T/metrics.1")"
promtool check metrics < "$T/metrics.1" > "$T/promtool.out" 2>&1 || fail "promtool: $(cat "$T/promtool.out")"
ok "camwatchd ships by itself: $(central_spans_c) spans central within seconds; camwatch_upstream_up 1"

# two more communes' camwatchd beside it (three in all), through the same
# outage below
EDGE_PIDS=()
for x in d e; do
  mkdir -p "$T/$x"
  PW=$(secret "edge-$x"); echo "$PW" > "$T/$x/edge.pw"
  "$BIN/camwatch" upstream add-edge "$ADMIN" "edge_$x" "xa-$x" --edge-password-file "$T/$x/edge.pw" > /dev/null
  write_head "$T/$x/cw.yaml"
  # a commune of its own, whose site has the same id as xa-c's: two sites
  sed -i "s|^  database: .*|  database: $T/$x/camwatch.db|; s|^  state_dir: .*|  state_dir: $T/$x/state|;
          s|commune: hoa-binh\$|commune: hoa-binh-$x|" "$T/$x/cw.yaml"
  cat >> "$T/$x/cw.yaml" <<EOT
  - {id: cam-$x-up, site: cong-lang, url: "rtsp://127.0.0.1:$CAM/ok", connect_timeout: 1s}
  - {id: cam-$x-dead, site: cong-lang, url: "rtsp://127.0.0.1:$(free_port)/x", connect_timeout: 1s}
upstream:
  url: postgresql://edge_$x@127.0.0.1:$PG_PORT/province
  password_file: edge.pw
  instance: xa-$x
  interval: 1s
EOT
  "$BIN/camwatchd" -c "$T/$x/cw.yaml" > "$T/$x/camwatchd.log" 2>&1 &
  EDGE_PIDS+=($!); PIDS+=($!)
done
for _ in $(seq 150); do
  [ "$(central "SELECT count(DISTINCT instance) FROM camwatch.spans WHERE instance IN ('xa-d', 'xa-e')")" = 2 ] && break
  sleep 0.1
done

# PostgreSQL away for 60 s while d-blink flaps and alerts fire
stop_pg
pg_stopped=$(now)
alerts_before=$(q "SELECT count(*) FROM alerts")
for _ in $(seq 100); do
  curl -sf "$METRICS" > "$T/metrics.2" || true
  grep -q "^camwatch_upstream_up 0$" "$T/metrics.2" && ! grep -q "^camwatch_upstream_rows_waiting 0$" "$T/metrics.2" && break
  sleep 0.1
done
grep -q "^camwatch_upstream_up 0$" "$T/metrics.2" || fail "the province away, metrics still say up"
waiting=$(awk '/^camwatch_upstream_rows_waiting / {print $2}' "$T/metrics.2")
[ "$waiting" -gt 0 ] || fail "the province away: nothing waits"
[ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$C_PORT/healthz")" = 200 ] || fail "unhealthy"
sleep 20
kill -KILL "$DAEMON_PID"; wait "$DAEMON_PID" 2>/dev/null || true
start_daemon "$CFG"
while awk -v a="$pg_stopped" -v b="$(now)" 'BEGIN { exit !(b - a < 60) }'; do sleep 1; done
lines=$(grep -c "upstream: .*cannot connect" "$T/camwatchd.log" || true)
[ "$lines" -le 2 ] || fail "the outage logged $lines lines (one per run is enough)"
fired=$(( $(q "SELECT count(*) FROM alerts") - alerts_before ))
[ "$fired" -gt 0 ] || fail "no alert fired while the province was away"
pg_start_again
for _ in $(seq 200); do
  curl -sf "$METRICS" > "$T/metrics.3" || true
  grep -q "^camwatch_upstream_rows_waiting 0$" "$T/metrics.3" && grep -q "^camwatch_upstream_up 1$" "$T/metrics.3" && break
  sleep 0.1
done
grep -q "^camwatch_upstream_rows_waiting 0$" "$T/metrics.3" || fail "no catch-up: $(grep upstream_ "$T/metrics.3" | grep -v '^#')"
grep -q "works again" "$T/camwatchd.log" || fail "the recovery was not logged"
stop_daemon
"$BIN/camwatch" -c "$CFG" upstream sync --url "postgresql://edge_c@127.0.0.1:$PG_PORT/province" --instance xa-c \
  --password-file "$T/c.pw" > /dev/null
compare "$DB" xa-c spans "$SPAN_COLS" || fail "camwatchd's spans differ from the province's"
compare "$DB" xa-c alerts "key, camera, kind, severity, created_us" || fail "camwatchd's alerts differ from the province's"
epoch_c=$(sqlite3 "$DB" "SELECT value FROM sync_state WHERE key = 'epoch'")
sqlite3 -separator '|' "$DB" "SELECT alert_key, target, state, attempts FROM deliveries ORDER BY alert_key, target" > "$T/l.deliveries"
central "SELECT alert_key, target, state, attempts FROM camwatch.deliveries WHERE instance = 'xa-c' AND epoch = '$epoch_c'
         ORDER BY alert_key COLLATE \"C\", target COLLATE \"C\"" > "$T/c.deliveries"
cmp -s "$T/l.deliveries" "$T/c.deliveries" || fail "deliveries differ: $(diff "$T/l.deliveries" "$T/c.deliveries" | head -3)"
"$BIN/camwatch" --db "$DB" check-db > /dev/null || fail "the edge's spans do not tile"
ok "PostgreSQL away 60 s while a camera flapped and $fired alert(s) fired, the edge SIGKILLed and restarted meanwhile: $waiting change(s) waited ($lines line(s) logged), then every span ($(central_spans_c)), alert ($(wc -l < "$T/l.alerts")) and delivery ($(wc -l < "$T/l.deliveries")) central once, row for row"

# the three communes' own reports against the province's, camera row for
# camera row (all three stopped, their last changes shipped)
for i in 0 1; do
  x=$([ $i = 0 ] && echo d || echo e)
  kill -TERM "${EDGE_PIDS[$i]}"
  rc=0; wait "${EDGE_PIDS[$i]}" || rc=$?
  [ "$rc" = 0 ] || fail "camwatchd of xa-$x exited with $rc: $(grep -E ' (error|warn) ' "$T/$x/camwatchd.log" | tail -3)"
  grep -q "upstream: shipping to the province works again" "$T/$x/camwatchd.log" || fail "xa-$x never caught up after the outage"
  "$BIN/camwatch" -c "$T/$x/cw.yaml" upstream sync --url "postgresql://edge_$x@127.0.0.1:$PG_PORT/province" \
    --instance "xa-$x" --password-file "$T/$x/edge.pw" > /dev/null
  compare "$T/$x/camwatch.db" "xa-$x" spans "$SPAN_COLS" || fail "xa-$x: spans differ"
done
month=$(TZ=Asia/Ho_Chi_Minh date +%Y-%m)
"$BIN/camwatch" --db "$ADMIN" report --month "$month" --format csv --lang en > "$T/province-live.csv"
for x in c d e; do
  db=$([ $x = c ] && echo "$DB" || echo "$T/$x/camwatch.db")
  "$BIN/camwatch" --db "$db" report --month "$month" --format csv --lang en > "$T/local-$x.csv"
done
# every column of each camera and commune row but those about the data's
# extent (the whole report's, and each commune's complete_until)
n=$(python3 "$T/rows.py" "$T/province-live.csv" "$T/local-c.csv" "$T/local-d.csv" "$T/local-e.csv") ||
  fail "a row differs at the province: $n"
[ "$n" = 10 ] || fail "$n camera and commune rows compared, not 10"
# three communes' sites all called cong-lang are three sites, not one
[ "$(grep -c '^site,cong-lang,' "$T/province-live.csv")" = 3 ] ||
  fail "the three communes' cong-lang sites: $(grep '^site,cong-lang,' "$T/province-live.csv" | cut -c1-60)"
ok "three communes' camwatchd, one province: the province's report for $month equals the three local reports in every figure, camera and commune row for row ($n); three cong-lang sites kept apart"

# snapshots stay at the edge: their size and BLAKE2b-256 travel
mkdir -p "$T/snaps/cam-0001"
head -c 5000 /dev/urandom > "$T/snaps/cam-0001/snap.jpg"
sqlite3 "$T/a.db" "INSERT INTO events (camera, kind, start_us, end_us, peak_score, snapshot)
                   VALUES ('cam-0001', 'motion', 1796100000000000, 1796100004000000, 0.4, 'cam-0001/snap.jpg');"
"$BIN/camwatch" --db "$T/a.db" upstream sync --url "$URL_A" --instance xa-a --password-file "$T/a.pw" \
  --snapshots "$T/snaps" > /dev/null
got=$(central "SELECT snapshot_size || ' ' || snapshot_hash FROM camwatch.events WHERE snapshot = 'cam-0001/snap.jpg'")
want="5000 $(b2sum -l 256 "$T/snaps/cam-0001/snap.jpg" | cut -d' ' -f1)"
[ "$got" = "$want" ] || fail "snapshot: '$got', want '$want'"
ok "a snapshot stays at the edge; its size and BLAKE2b-256 arrive (${want:0:20}…)"

# a wrong password: one line, the server named, exit 1, kept for status
rc=0
out=$("$BIN/camwatch" --db "$T/a.db" upstream sync --url "$URL_A" --instance xa-a --password-file "$T/bad.pw" --lang en 2>&1) || rc=$?
[ "$rc" = 1 ] || fail "a wrong password: exit $rc"
[ "$(wc -l <<<"$out")" = 1 ] || fail "a wrong password: more than one line: $out"
[[ "$out" == *"upstream postgresql://edge_a@127.0.0.1:$PG_PORT/province: cannot connect"*"password authentication failed"* ]] ||
  fail "a wrong password: $out"
status=$("$BIN/camwatch" --db "$T/a.db" upstream status --lang en)
grep -q "last error.*password authentication failed" <<<"$status" || fail "status: $status"
ok "a wrong password: '$out'; upstream status keeps it"

# camwatchd with a wrong password: one line naming the server, and it goes
# on watching (its camera online, /healthz 200, upstream_up 0)
sed -i 's|^  password_file: c.pw$|  password_file: bad.pw|' "$CFG"
grep -q "password_file: bad.pw" "$CFG" || fail "the config was not changed"
start_daemon "$CFG"
for _ in $(seq 100); do
  curl -sf "$METRICS" > "$T/metrics.4" || true
  grep -q "^camwatch_upstream_up 0$" "$T/metrics.4" && grep -q 'camwatch_camera_state{camera="d-up".*state="online".*} 1' "$T/metrics.4" &&
    grep -q "password authentication failed" "$T/camwatchd.log" && break
  sleep 0.1
done
grep -q 'camwatch_camera_state{camera="d-up".*state="online".*} 1' "$T/metrics.4" || fail "with a wrong password, d-up is not watched"
grep -q "^camwatch_upstream_up 0$" "$T/metrics.4" || fail "with a wrong password, upstream_up is not 0"
sleep 3 # three more rounds (interval 1 s): still one line
line=$(grep "password authentication failed" "$T/camwatchd.log" | tail -1)
[ "$(grep -c "password authentication failed" "$T/camwatchd.log")" = 1 ] ||
  fail "a wrong password logged $(grep -c "password authentication failed" "$T/camwatchd.log") lines"
[[ "$line" == *"upstream postgresql://edge_c@127.0.0.1:$PG_PORT/province: cannot connect"*"the cameras are watched all the same"* ]] ||
  fail "the wrong password's line: $line"
code=$(curl -s -o "$T/healthz" -w '%{http_code}' "http://127.0.0.1:$C_PORT/healthz" || true)
[ "$code" = 200 ] || fail "unhealthy with a wrong password: $code $(cat "$T/healthz"); $(tail -5 "$T/camwatchd.log")"
stop_daemon
ok "camwatchd with a wrong PostgreSQL password: one line ('${line:0:120}…'), its cameras watched, upstream_up 0"

# no password anywhere: outputs, the edge databases, the central dump, the server's log
"${PG_AS[@]}" "$PG_BIN/pg_dump" -h "$PG_DIR" -p "$PG_PORT" -U postgres province > "$T/province.sql" 2>/dev/null ||
  pg_dump -h "$PG_DIR" -p "$PG_PORT" -U postgres province > "$T/province.sql"
cp "$PG_DIR/server.log" "$T/postgresql.log"
for f in "$T"/*.db "$T/province.sql" "$T/postgresql.log" "$T/px.log" "$T/sync.out" "$T/camwatchd.log" "$T"/[de]/camwatchd.log; do
  for pw in "$PW_A" "$PW_B" "$PW_C" "wrong-$CW_SUITE_SECRET"; do
    grep -qaF "$pw" "$f" && fail "a password in $(basename "$f")"
  done
done
ok "no edge password in the databases, the central dump, PostgreSQL's log or any output"
