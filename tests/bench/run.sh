#!/usr/bin/env bash
# `make bench`: prints one table of measurements (not part of make test).
# The report over synthetic histories (issue #6's target: 1,000 cameras x
# 12 months in under 2 s; #15's: the PDF with 12 months of trends in 5 s); SQLite events/s through the daemon's write path
# (bench_store); ingest cost against ffmpeg's floors and Motion (ingest.sh);
# the largest N the machine holds (maxn.sh); alert latency (latency.sh);
# recovery detection delay with the RTSP probe (recovery.py); the web
# console with 500 cameras (console.sh); the motion plugin's cost per analysis
# (analyze.sh), counted (motion_cost.sh) and alone (plugin_time.sh); shipping to the province's PostgreSQL and its report
# (upstream.sh).
set -euo pipefail
cd "$(dirname "$0")/../.."
echo "make bench on $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, $(awk '/model name/ { $1 = $2 = $3 = ""; print; exit }' /proc/cpuinfo | sed 's/^ *//')"
echo
BUILD=${BUILD:-build}
export TZ=Asia/Ho_Chi_Minh
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

printf '| %-34s | %8s | %7s | %10s | %9s | %9s |\n' benchmark cameras months spans "time (s)" "RSS (MiB)"
printf '|%s|%s|%s|%s|%s|%s|\n' "$(printf -- '-%.0s' {1..36})" ---------- --------- ------------ ----------- -----------
for size in "1000 12" "1000 1" "100 12"; do
  set -- $size
  db=$T/h-$1-$2.db
  gen=$("$BUILD"/camwatch --db "$db" gen-history --cameras "$1" --months "$2" --seed 1 --end 2026-11-01)
  spans=$(sed -E 's/.* ([0-9]+) spans.*/\1/' <<<"$gen")
  from=$(date -d "2026-11-01 -$2 months" +%Y-%m-%d)
  for fmt in text csv json html; do
    best=""
    for _ in 1 2 3; do   # best of three: the machine is shared
      /usr/bin/time -f "%e %M" -o "$T/t" "$BUILD"/camwatch --db "$db" report --from "$from" --to 2026-10-31 \
        --format "$fmt" > /dev/null
      read -r secs kb < "$T/t"
      if [ -z "$best" ] || awk -v a="$secs" -v b="$best" 'BEGIN { exit !(a < b) }'; then best=$secs; rss=$kb; fi
    done
    printf '| %-34s | %8s | %7s | %10s | %9s | %9.1f |\n' "report --format $fmt" "$1" "$2" "$spans" "$best" \
      "$(awk -v k="$rss" 'BEGIN { print k / 1024 }')"
  done
done

# The signed document for October with its 12 earlier months of trends
# (#15's target: 1,000 cameras x 12 months in under 5 s).
db=$T/h-1000-13.db
gen=$("$BUILD"/camwatch --db "$db" gen-history --cameras 1000 --months 13 --seed 1 --end 2026-11-01)
spans=$(sed -E 's/.* ([0-9]+) spans.*/\1/' <<<"$gen")
for fmt in pdf odt; do
  best=""
  for _ in 1 2 3; do
    /usr/bin/time -f "%e %M" -o "$T/t" "$BUILD"/camwatch --db "$db" report --month 2026-10 --lang vi \
      --format "$fmt" -o "$T/r.$fmt"
    read -r secs kb < "$T/t"
    if [ -z "$best" ] || awk -v a="$secs" -v b="$best" 'BEGIN { exit !(a < b) }'; then best=$secs; rss=$kb; fi
  done
  printf '| %-34s | %8s | %7s | %10s | %9s | %9.1f |\n' "report --month --format $fmt (+12 mo)" 1000 13 "$spans" "$best" \
    "$(awk -v k="$rss" 'BEGIN { print k / 1024 }')"
done

echo
"$BUILD"/bench_store "$T" 2> /dev/null
echo
tests/bench/ingest.sh
echo
tests/bench/maxn.sh
echo
tests/bench/latency.sh
echo
python3 tests/bench/recovery.py
echo
tests/bench/console.sh
echo
tests/bench/analyze.sh
echo
# issue #27's yardstick: instructions, not time (valgrind's callgrind)
if command -v valgrind > /dev/null; then tests/bench/motion_cost.sh; else echo "(motion_cost.sh: no valgrind)"; fi
echo
tests/bench/plugin_time.sh
echo
tests/bench/upstream.sh
