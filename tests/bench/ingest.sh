#!/usr/bin/env bash
# Ingest cost next to ffmpeg's floors, on the same camsim streams in the
# same run (vtest.avi as H.264 1280x720 at 15 fps, keyframe every 2 s,
# served without re-encoding). For N cameras and each decode mode:
#   camwatchd's CPU seconds per stream-second (utime + stime from /proc),
#   the floor: N ffmpeg processes doing the same job (-c copy; keyframe-only
#   decode with -skip_frame nokey; full decode with -threads 1), and the
#   ratio camwatch / floor; and camwatchd's RSS per camera.
# The peer: Motion (Debian's motion, one netcam_url per camera, detection
# on, no pictures or movies) on the same streams; "streams/core vs Motion"
# is Motion's CPU per stream over camwatchd's (> 1: camwatch watches more
# cameras per core).
# The footage is not equally busy all through (people come and go):
# camwatchd with motion read 0.0270 to 0.0314 CPU-s per stream-s over
# successive 15 s of it, ffmpeg's decode 0.0283 to 0.0299. So every
# measured process gets a camsim of its own (camsim plays on from where
# its last viewer left the file), and full motion, its floor and Motion
# are measured over one whole loop of the footage (BENCH_LOOP_SECONDS,
# 79.5: 1193 frames at 15 fps), the other modes over BENCH_SECONDS (15),
# all after the same 6 s of warm-up.
# Prints a Markdown table. BENCH_N (default "1 4 16").
. "$(dirname "$0")/lib.sh"
NS=${BENCH_N:-1 4 16}
D=${BENCH_SECONDS:-15}
DL=${BENCH_LOOP_SECONDS:-79.5}

printf '| mode | N | camwatchd CPU s / stream-s | floor (ffmpeg) | floor CPU s / stream-s | ratio | camwatchd RSS / camera (MiB) | streams/core vs Motion |\n'
printf '|---|---|---|---|---|---|---|---|\n'
# fresh_camsim N: a new camsim (a new $PORT), the last one stopped
fresh_camsim() {
  if [ -n "${CAMSIM:-}" ]; then kill -TERM "$CAMSIM"; wait "$CAMSIM" 2>/dev/null || true; fi
  start_camsim_720 "$1" # (which clears the ready file itself)
  CAMSIM=$CS
}
CAMSIM=
for N in $NS; do
  fresh_camsim "$N"
  # Motion first: its CPU per stream is the peer figure for every mode.
  mkdir -p "$T/motion"
  cat > "$T/motion.conf" <<EOT
daemon off
setup_mode off
log_file $T/motion.log
log_level 6
target_dir $T/motion
picture_output off
movie_output off
webcontrol_port 0
stream_port 0
EOT
  for i in $(seq "$N"); do
    printf 'camera_id %d\nnetcam_url rtsp://127.0.0.1:%d/c%d\nnetcam_params rtsp_transport=tcp\nwidth 1280\nheight 720\nframerate 15\n' \
      "$i" "$PORT" "$i" > "$T/motion-c$i.conf"
    echo "camera $T/motion-c$i.conf" >> "$T/motion.conf"
  done
  : > "$T/motion.log"
  motion -n -c "$T/motion.conf" > /dev/null 2>&1 &
  MO=$!
  sleep 6
  mc0=$(cpu_of $MO)
  sleep "$DL"
  mc1=$(cpu_of $MO)
  mrss=$(rss_of $MO)
  kill -TERM $MO; wait $MO 2>/dev/null || true
  mcon=$(grep -c "netcam_rtsp_connect: .* connected" "$T/motion.log" || true)
  mcpu=$(awk -v a="$mc0" -v b="$mc1" -v n="$N" -v d="$DL" 'BEGIN { print (b - a) / (n * d) }')
  printf '| Motion 4.5.1 (peer: detection on, no output) | %d | %.4f | | | | %.1f | 1.00%s |\n' "$N" "$mcpu" \
    "$(awk -v k="$mrss" -v n="$N" 'BEGIN { print k / 1024 / n }')" "$([ "$mcon" -lt "$N" ] && echo " ($mcon/$N connected)")"
  for mode in none activity keyframes frames; do
    case $mode in
      none) plugins="[]"; floor="-c copy"; fargs=(-c copy) ;;
      activity) plugins="[activity]"; floor="-c copy"; fargs=(-c copy) ;;
      keyframes) plugins="[imagehealth]"; floor="-skip_frame nokey"; fargs=() ;;
      frames) plugins="[motion]"; floor="-threads 1"; fargs=() ;;
    esac
    d=$D; [ "$mode" = frames ] && d=$DL
    fresh_camsim "$N"
    write_cw_config "$T/cw.yaml" "$T/cw-$N-$mode.db" "$N" "$plugins"
    "$BUILD"/camwatchd -c "$T/cw.yaml" 2> "$T/cw.log" &
    CW=$!
    sleep 6 # connect and warm up
    online=$(sqlite3 "$T/cw-$N-$mode.db" "SELECT COUNT(*) FROM spans WHERE state='online' AND end_us IS NULL")
    c0=$(cpu_of $CW)
    sleep "$d"
    c1=$(cpu_of $CW)
    rss=$(rss_of $CW)
    kill -TERM $CW; wait $CW || true
    # the floor: one ffmpeg per stream, the same streams, the same length,
    # the same minutes of the footage
    fresh_camsim "$N"
    fpids=()
    for i in $(seq "$N"); do
      if [ "$mode" = keyframes ]; then
        ffmpeg -nostdin -loglevel error -rtsp_transport tcp -skip_frame nokey -i "rtsp://127.0.0.1:$PORT/c$i" -f null - 2> /dev/null &
      elif [ "$mode" = frames ]; then
        ffmpeg -nostdin -loglevel error -rtsp_transport tcp -threads 1 -i "rtsp://127.0.0.1:$PORT/c$i" -threads 1 -f null - 2> /dev/null &
      else
        ffmpeg -nostdin -loglevel error -rtsp_transport tcp -i "rtsp://127.0.0.1:$PORT/c$i" "${fargs[@]}" -f null - 2> /dev/null &
      fi
      fpids+=($!)
    done
    sleep 6
    f0=0; for p in "${fpids[@]}"; do f0=$(awk -v a="$f0" -v b="$(cpu_of "$p")" 'BEGIN { print a + b }'); done
    sleep "$d"
    f1=0; for p in "${fpids[@]}"; do f1=$(awk -v a="$f1" -v b="$(cpu_of "$p")" 'BEGIN { print a + b }'); done
    kill -INT "${fpids[@]}" 2>/dev/null || true
    wait "${fpids[@]}" 2>/dev/null || true
    awk -v m="$mode" -v n="$N" -v on="$online" -v c="$(awk -v a="$c0" -v b="$c1" 'BEGIN { print b - a }')" \
        -v f="$(awk -v a="$f0" -v b="$f1" 'BEGIN { print b - a }')" -v d="$d" -v fl="$floor" -v rss="$rss" \
        -v mo="$mcpu" 'BEGIN {
      cw = c / (n * d); ff = f / (n * d)
      printf "| %s%s | %d | %.4f | `ffmpeg %s` | %.4f | %.2f | %.1f | %.2f |\n", m, (on < n ? " (" on "/" n " online)" : ""),
             n, cw, fl, ff, (ff > 0 ? cw / ff : 0), rss / 1024 / n, (cw > 0 ? mo / cw : 0) }'
  done
done
kill -TERM "$CAMSIM"; wait "$CAMSIM" 2>/dev/null || true
