#!/usr/bin/env bash
# Alert latency, end to end, wall clock:
#  - motion: camsim serves media/clips/motion.h264 (640x360, 15 fps; still
#    scenes and people walking, segments in tests/data/clips/motion.truth)
#    on BENCH_LAT_CAMS mounts and prints the wall time each walking segment's
#    first frame is sent; the latency is from that to the webhook request
#    arriving at tests/tools/receiver (motion plugin defaults: 5 analyses/s,
#    an event after 2 positive ones).
#  - offline: mounts that stop sending at logged times; the latency is from
#    the stop to the camera_offline webhook, next to its timeout
#    (stall_timeout + offline_grace).
# Prints Markdown rows. BENCH_LAT_SECONDS (default 95: every onset of one
# loop of the clip, 5 per camera).
. "$(dirname "$0")/lib.sh"
CAMS=${BENCH_LAT_CAMS:-6}
SECS=${BENCH_LAT_SECONDS:-95}
STALL_TIMEOUT=3; GRACE=2

onsets=$(awk '$1 == "moving" { printf "%s%s", (n++ ? ":" : ""), $2 }' tests/data/clips/motion.truth)
PORT=$(free_port); HOOK=$(free_port)
args=()
for i in $(seq "$CAMS"); do
  args+=(--mount "m$i=file=media/clips/motion.h264,mark=$onsets")
  args+=(--mount "s$i=file=media/vtest-360p15.h264,stall=$((15 + 10 * i))")
done
"$BUILD"/camsim --port "$PORT" --ready-file "$T/ready" "${args[@]}" > "$T/camsim.log" 2>&1 &
PIDS+=($!)
"$BUILD"/tests/receiver --port "$HOOK" --log "$T/hook.jsonl" --ready "$T/hook.ready" &
PIDS+=($!)
for _ in $(seq 100); do [ -f "$T/ready" ] && [ -f "$T/hook.ready" ] && break; sleep 0.05; done

cat > "$T/cw.yaml" <<EOT
daemon: {database: $T/cw.db, state_dir: $T/state, log_level: info, plugin_dir: $PWD/$BUILD/plugins}
http: {listen: ""}
sites: [{district: d, communes: [{commune: c, sites: [{site: s}]}]}]
alerts:
  offline_grace: ${GRACE}s
  cooldown: 0s    # every onset alerts: this measures the delivery, not the cooldown
  targets:
    - {name: hook, type: webhook, url: "http://127.0.0.1:$HOOK/hook"}
cameras:
EOT
for i in $(seq "$CAMS"); do
  echo "  - {id: m$i, site: s, url: \"rtsp://127.0.0.1:$PORT/m$i\", plugins: [motion]}" >> "$T/cw.yaml"
  echo "  - {id: s$i, site: s, url: \"rtsp://127.0.0.1:$PORT/s$i\", stall_timeout: ${STALL_TIMEOUT}s}" >> "$T/cw.yaml"
done
"$BUILD"/camwatchd -c "$T/cw.yaml" 2> "$T/cw.log" &
CW=$!
PIDS+=($CW)
sleep "$SECS"
kill -TERM $CW; wait $CW || true
kill -TERM "${PIDS[@]}" 2>/dev/null; wait 2>/dev/null || true

# camsim: "camsim: m3 mark 8 wall=1763900000.123456" / "camsim: s2 stall wall=..."
sed -n 's/^camsim: \([^ ]*\) mark [^ ]* wall=\(.*\)/\1 \2/p' "$T/camsim.log" > "$T/onsets"
sed -n 's/^camsim: \([^ ]*\) stall wall=\(.*\)/\1 \2/p' "$T/camsim.log" > "$T/stalls"
jq -r 'select(.path == "/hook") | .body | fromjson | [.camera.id, .kind] | @tsv' "$T/hook.jsonl" > "$T/kinds"
jq -r 'select(.path == "/hook") | .received' "$T/hook.jsonl" | paste "$T/kinds" - > "$T/alerts"

# Each onset matched with the first motion alert of its camera that
# arrived after it and before the next onset (or 12 s).
awk -v kind=motion -v lim=12 -f - "$T/onsets" "$T/alerts" > "$T/motion.lat" <<'AWK'
FNR == NR { n[$1]++; t[$1, n[$1]] = $2; next }
$2 == kind { a[$1, ++m[$1]] = $3 }
END {
  for (c in n) for (i = 1; i <= n[c]; i++) {
    s = t[c, i]; e = (i < n[c] ? t[c, i + 1] : s + lim); if (e > s + lim) e = s + lim
    best = -1
    for (j = 1; j <= m[c]; j++) if (a[c, j] >= s && a[c, j] < e && (best < 0 || a[c, j] < best)) best = a[c, j]
    print c, (best < 0 ? "missed" : best - s)
  }
}
AWK
awk -v kind=camera_offline -v lim=30 -f - "$T/stalls" "$T/alerts" > "$T/offline.lat" <<'AWK'
FNR == NR { t[$1] = $2; next }
$2 == kind && ($1 in t) && $3 >= t[$1] && !($1 in d) { d[$1] = $3 - t[$1] }
END { for (c in t) print c, ((c in d) ? d[c] : "missed") }
AWK
pct() { sort -g | awk -v p="$1" '{ v[NR] = $1 } END { if (!NR) { print "n/a"; exit } i = int(p * NR + 0.999999); if (i < 1) i = 1; printf "%.2f", v[i] }'; }
stats() { # FILE -> "N measured, M missed, p50 X s, p95 Y s, max Z s"
  local got miss
  got=$(awk '$2 != "missed"' "$1" | wc -l); miss=$(awk '$2 == "missed"' "$1" | wc -l)
  echo "$got $miss $(awk '$2 != "missed" { print $2 }' "$1" | pct 0.50) $(awk '$2 != "missed" { print $2 }' "$1" | pct 0.95) $(awk '$2 != "missed" { print $2 }' "$1" | pct 1.0)"
}
read -r mg mm m50 m95 mmax < <(stats "$T/motion.lat")
read -r og om o50 o95 omax < <(stats "$T/offline.lat")
extra=$(awk '$2 == "motion"' "$T/alerts" | wc -l)
printf '| alert | onsets measured | missed | p50 (s) | p95 (s) | max (s) | target |\n|---|---|---|---|---|---|---|\n'
printf '| motion (still scene → people walking), %d cameras | %d | %d | %s | %s | %s | p95 < 1 s (%d motion alerts in all) |\n' \
  "$CAMS" "$mg" "$mm" "$m50" "$m95" "$mmax" "$extra"
printf '| camera_offline after the stream stops | %d | %d | %s | %s | %s | ≤ timeout + 1 s = %d s (stall_timeout %d s + offline_grace %d s) |\n' \
  "$og" "$om" "$o50" "$o95" "$omax" $((STALL_TIMEOUT + GRACE + 1)) "$STALL_TIMEOUT" "$GRACE"
