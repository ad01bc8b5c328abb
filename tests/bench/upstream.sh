#!/usr/bin/env bash
# Shipping to the province (issue #25), against a PostgreSQL started here
# (Debian's server, initdb + pg_ctl in a temporary directory, socket only,
# fsync on: a province's server keeps its data):
#   - throughput: one edge's month of 200 cameras (gen-history) shipped
#     by `camwatch upstream sync`, rows/s, at two batch sizes;
#   - catch-up: one week of 200 cameras' history after the edge was cut
#     off for that week;
#   - the province's report: BENCH_INSTANCES (100) communes x 30 cameras x
#     12 months at the centre, `report --db postgresql://... --month` (CSV),
#     best of three, and the central database's size.
# Prints Markdown tables.
. "$(dirname "$0")/lib.sh"
INSTANCES=${BENCH_INSTANCES:-100}
PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
PGD=$(mktemp -d /tmp/cw-bench-pg.XXXXXX)
chmod 755 "$PGD"
AS=()
if [ "$(id -u)" = 0 ]; then chown postgres: "$PGD"; AS=(runuser -u postgres --); fi
PGPORT=$(free_port)
"${AS[@]}" "$PGBIN/initdb" -D "$PGD/data" -U postgres --auth-local=trust -E UTF8 --locale=C.UTF-8 > "$T/initdb.log" 2>&1
"${AS[@]}" "$PGBIN/pg_ctl" -D "$PGD/data" -l "$PGD/log" -w -o "-k $PGD -p $PGPORT -c listen_addresses=''" start > /dev/null
trap '"${AS[@]}" "$PGBIN/pg_ctl" -D "$PGD/data" -m fast -w stop > /dev/null 2>&1; rm -rf "$PGD"; rm -rf "$T"' EXIT
# the shipping figures in one database, the province in another
psql -X -q "postgresql://postgres@/postgres?host=$PGD&port=$PGPORT" -c "CREATE DATABASE shipping" -c "CREATE DATABASE province"
U="postgresql://postgres@/shipping?host=$PGD&port=$PGPORT"
P="postgresql://postgres@/province?host=$PGD&port=$PGPORT"
"$BUILD"/camwatch upstream init "$U" > /dev/null
"$BUILD"/camwatch upstream init "$P" > /dev/null
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }
now() { date +%s.%N; }

echo "Shipping to the province's PostgreSQL $("$PGBIN/postgres" --version | awk '{print $3}') (one edge, Unix socket, fsync on):"
echo
printf '| shipment | cameras | rows | batch | time (s) | rows/s |\n|---|---|---|---|---|---|\n'
for batch in 1000 5000; do
  db=$T/edge-$batch.db
  "$BUILD"/camwatch gen-history --db "$db" --cameras 200 --months 1 --seed 7 --end 2026-11-01 --instance "t$batch" > /dev/null
  t0=$(now)
  out=$("$BUILD"/camwatch --db "$db" upstream sync --url "$U" --instance "t$batch" --batch "$batch" --lang en)
  t1=$(now)
  rows=$(sed -E 's/.*: ([0-9]+) rows sent.*/\1/' <<<"$out")
  printf '| a month, first shipment | 200 | %s | %s | %s | %s |\n' "$rows" "$batch" "$(secs "$t0" "$t1")" \
    "$(awk -v r="$rows" -v s="$(secs "$t0" "$t1")" 'BEGIN { printf "%.0f", r / s }')"
done

# catch-up: the edge shipped up to a week ago, then was cut off; the week's
# rows (new spans and the ends of the open ones) wait in its log
db=$T/week.db
"$BUILD"/camwatch gen-history --db "$db" --cameras 200 --months 1 --seed 8 --end 2026-11-01 --instance week > /dev/null
cut=$(date -d 2026-10-25 +%s)000000
sqlite3 "$db" "CREATE TABLE later AS SELECT * FROM spans WHERE start_us >= $cut;
               DELETE FROM spans WHERE start_us >= $cut;
               CREATE TABLE ends AS SELECT id, end_us FROM spans WHERE end_us > $cut;
               UPDATE spans SET end_us = NULL WHERE end_us > $cut;"
"$BUILD"/camwatch --db "$db" upstream sync --url "$U" --instance week > /dev/null
sqlite3 "$db" "UPDATE spans SET end_us = (SELECT end_us FROM ends WHERE ends.id = spans.id) WHERE id IN (SELECT id FROM ends);
               INSERT INTO spans SELECT * FROM later; DROP TABLE later; DROP TABLE ends;"
t0=$(now)
out=$("$BUILD"/camwatch --db "$db" upstream sync --url "$U" --instance week --lang en)
t1=$(now)
rows=$(sed -E 's/.*: ([0-9]+) rows sent.*/\1/' <<<"$out")
printf '| a week offline, catch-up | 200 | %s | 1000 | %s | %s |\n' "$rows" "$(secs "$t0" "$t1")" \
  "$(awk -v r="$rows" -v s="$(secs "$t0" "$t1")" 'BEGIN { printf "%.0f", r / s }')"

# the province: INSTANCES communes x 30 cameras x 12 months
echo
t0=$(now)
for i in $(seq -w 1 "$INSTANCES"); do
  db=$T/xa$i.db
  "$BUILD"/camwatch gen-history --db "$db" --cameras 30 --months 12 --seed "$((10#$i))" --end 2026-11-01 --instance "xa$i" > /dev/null
  "$BUILD"/camwatch --db "$db" upstream sync --url "$P" --instance "xa$i" --batch 5000 > /dev/null
  rm -f "$db" "$db"-wal "$db"-shm
done
t1=$(now)
# a province's server is a long-lived one whose autovacuum has run: the
# figures below are of that steady state, not of autovacuum busy on the
# year just loaded beside the report (2 cores)
psql -X -q "$P" -c "VACUUM (ANALYZE)"
spans=$(psql -X -At "$P" -c "SELECT count(*) FROM camwatch.spans")
size=$(psql -X -At "$P" -c "SELECT pg_database_size('province')")
best=""
for _ in 1 2 3; do
  /usr/bin/time -f "%e %M" -o "$T/t" "$BUILD"/camwatch --db "$P" report --month 2026-10 --format csv --lang en > "$T/r.csv"
  read -r s kb < "$T/t"
  if [ -z "$best" ] || awk -v a="$s" -v b="$best" 'BEGIN { exit !(a < b) }'; then best=$s; rss=$kb; fi
done
cams=$(grep -c '^camera,' "$T/r.csv" || true)
printf '| province | communes | cameras | months | spans at the centre | PostgreSQL size (MiB) | report --db postgresql:// --month (s) | RSS (MiB) |\n'
printf '|---|---|---|---|---|---|---|---|\n'
printf '| generated and shipped in %s s | %s | %s | 12 | %s | %.0f | %s | %.0f |\n' "$(secs "$t0" "$t1")" "$INSTANCES" "$cams" \
  "$spans" "$(awk -v b="$size" 'BEGIN { print b / 1048576 }')" "$best" "$(awk -v k="$rss" 'BEGIN { print k / 1024 }')"
# the same report over one SQLite file of as many cameras (no copy): what
# the report itself costs, for comparison
db=$T/one.db
"$BUILD"/camwatch gen-history --db "$db" --cameras "$cams" --months 12 --seed 1 --end 2026-11-01 > /dev/null
best=""
for _ in 1 2 3; do
  /usr/bin/time -f "%e %M" -o "$T/t" "$BUILD"/camwatch --db "$db" report --month 2026-10 --format csv --lang en > /dev/null
  read -r s kb < "$T/t"
  if [ -z "$best" ] || awk -v a="$s" -v b="$best" 'BEGIN { exit !(a < b) }'; then best=$s; rss=$kb; fi
done
printf '| one SQLite file, for comparison | 1 | %s | 12 | %s | - | %s | %.0f |\n' "$cams" \
  "$(sqlite3 "$db" 'SELECT count(*) FROM spans')" "$best" "$(awk -v k="$rss" 'BEGIN { print k / 1024 }')"
