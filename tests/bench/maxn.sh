#!/usr/bin/env bash
# The largest N this machine holds: N cameras on camsim's 720p15 streams,
# for each decode mode in BENCH_MAXN_MODES, N rising through the steps until
# camwatchd no longer keeps every camera online (all online within 30 s of
# the start, no camera leaves online during the next BENCH_SECONDS, and
# every camera receives at least 14 of the 15 frames a second). camsim
# runs on the same cores, so its CPU is printed too: at high N it competes
# with camwatchd for the machine.
. "$(dirname "$0")/lib.sh"
D=${BENCH_SECONDS:-15}

printf '| mode | N | held? | slowest camera (frames/s received) | camwatchd cores | camwatchd CPU s / stream-s | camsim cores | camwatchd RSS (MiB) |\n'
printf '|---|---|---|---|---|---|---|---|\n'
for spec in ${BENCH_MAXN_MODES:-"none:128,256,384,512" "frames:40,48,56,64"}; do
  mode=${spec%%:*}
  case $mode in none) plugins="[]" ;; keyframes) plugins="[imagehealth]" ;; frames) plugins="[motion]" ;; esac
  best=0 broke=0
  for N in $(tr ',' ' ' <<<"${spec#*:}"); do
    start_camsim_720 "$N"
    db=$T/cw-$mode-$N.db
    write_cw_config "$T/cw.yaml" "$db" "$N" "$plugins"
    "$BUILD"/camwatchd -c "$T/cw.yaml" 2> "$T/cw.log" &
    CW=$!; PIDS+=($CW)
    t0=$(date +%s)
    for _ in $(seq 30); do
      sleep 1
      on0=$(sqlite3 "$db" "SELECT COUNT(*) FROM spans WHERE state = 'online' AND end_us IS NULL" 2>/dev/null || echo 0)
      [ "$on0" = "$N" ] && break
    done
    upin=$(( $(date +%s) - t0 ))
    w=$(date +%s%6N)
    c0=$(cpu_of $CW); s0=$(cpu_of $CS)
    sqlite3 "$db" "SELECT camera, packets, updated_us FROM camera_stats" > "$T/p0"
    sleep "$D"
    c1=$(cpu_of $CW); s1=$(cpu_of $CS)
    sqlite3 "$db" "SELECT camera, packets, updated_us FROM camera_stats" > "$T/p1"
    minfps=$(awk -F'|' 'FNR == NR { a[$1] = $2; t[$1] = $3; next }
                        ($1 in a) && $3 > t[$1] { f = ($2 - a[$1]) / (($3 - t[$1]) / 1e6); if (n++ == 0 || f < m) m = f }
                                   END { printf "%.1f", n ? m : 0 }' "$T/p0" "$T/p1")
    rss=$(awk '/VmRSS/ { print $2 }' "/proc/$CW/status")
    kill -TERM $CW; wait $CW || true
    kill -TERM $CS; wait $CS 2>/dev/null || true
    left=$(sqlite3 "$db" "SELECT COUNT(DISTINCT camera) FROM spans WHERE state != 'online' AND start_us > $w AND state != 'unmonitored'")
    held=no
    [ "$on0" = "$N" ] && [ "$left" = 0 ] && awk -v f="$minfps" 'BEGIN { exit !(f >= 14) }' && held=yes
    awk -v m="$mode" -v n="$N" -v h="$held ($on0 online after ${upin} s; then $left left online)" -v c="$c0" -v c1="$c1" \
        -v s="$s0" -v s1="$s1" -v d="$D" -v r="$rss" -v mf="$minfps" 'BEGIN {
      printf "| %s | %d | %s | %s | %.2f | %.4f | %.2f | %.0f |\n", m, n, h, mf, (c1 - c) / d, (c1 - c) / d / n, (s1 - s) / d, r / 1024 }'
    rm -f "$db" "$db"-wal "$db"-shm
    [ "$held" = yes ] || { broke=1; break; }
    best=$N
  done
  if [ "$broke" = 1 ]; then
    echo "| **$mode: largest N held** | **$best** | | | | | | |"
  else
    echo "| **$mode: largest N held** | **≥ $best** (every step held) | | | | | | |"
  fi
done
