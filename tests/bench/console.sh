#!/usr/bin/env bash
# The console with 500 cameras (#17's targets: first render under 1 s in
# Chromium, under 300 KB on first load): 50 cameras stream from camsim
# (360p, thumbnails every 60 s), 450 point at closed ports (offline), in 10
# communes of 5 sites. Prints server time per request (curl, median of 20)
# and, from headless Chromium (tests/node/console_bench.mjs), the time from
# navigation to the overview's counts and to the grid's 500 cards, and the
# bytes each page moved.
. "$(dirname "$0")/lib.sh"
N=500; LIVE=50
PORT=$(free_port); HTTP=$(free_port)
args=()
for i in $(seq "$LIVE"); do args+=(--mount "c$i=file=media/vtest-360p15.h264"); done
"$BUILD"/camsim --port "$PORT" --ready-file "$T/ready" "${args[@]}" > "$T/camsim.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 200); do [ -f "$T/ready" ] && break; sleep 0.05; done
PW="bench-$RANDOM-pass"
{
  echo "daemon: {database: $T/cw.db, state_dir: $T/state, log_level: warn}"
  echo "http: {listen: 127.0.0.1:$HTTP}"
  echo "sites:"
  echo "  - province: p"
  echo "    name: Tỉnh P"
  echo "    communes:"
  for k in $(seq 10); do
    echo "      - {commune: k$k, name: \"Xã số $k\", sites: ["
    for s in $(seq 5); do echo "          {site: k$k-s$s, name: \"Điểm $k.$s\"},"; done
    echo "        ]}"
  done
  echo "cameras:"
  for i in $(seq "$N"); do
    k=$(( (i - 1) % 10 + 1 )); s=$(( (i - 1) / 10 % 5 + 1 ))
    if [ "$i" -le "$LIVE" ]; then url="rtsp://127.0.0.1:$PORT/c$i"; else url="rtsp://127.0.0.1:9/c$i"; fi
    echo "  - {id: c$i, name: \"Camera $i\", site: k$k-s$s, url: \"$url\", connect_timeout: 2s}"
  done
  echo "users:"
  echo "$PW" | "$BUILD"/camwatch passwd bench --role viewer
} > "$T/cw.yaml"
"$BUILD"/camwatchd -c "$T/cw.yaml" > "$T/cwd.log" 2>&1 &
CWD=$!; PIDS+=($CWD)
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$HTTP/healthz" > /dev/null && break; sleep 0.1; done
sleep 8 # connected, offline decided, first thumbnails
jar=$T/jar
curl -s -c "$jar" -H 'Content-Type: application/json' --data "{\"user\": \"bench\", \"password\": \"$PW\"}" \
  "http://127.0.0.1:$HTTP/api/v1/session" > /dev/null
med() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
printf '| %-44s | %10s | %10s |\n' "console, $N cameras ($LIVE streaming)" "server (ms)" "bytes"
printf '|%s|%s|%s|\n' "$(printf -- '-%.0s' {1..46})" ------------ ------------
for path in / /app.js /app.css "/api/v1/cameras?limit=10000" /api/v1/acks "/api/v1/cameras/c1/thumbnail.jpg" \
            "/api/v1/cameras/c1/spans" /api/v1/session; do
  for _ in $(seq 20); do
    curl -s -b "$jar" -o /dev/null -w '%{time_total} %{size_download}\n' "http://127.0.0.1:$HTTP$path"
  done > "$T/times"
  printf '| %-44s | %10.1f | %10s |\n' "GET $path" "$(awk '{ print $1 * 1000 }' "$T/times" | med)" "$(awk 'NR == 1 { print $2 }' "$T/times")"
done
echo
node tests/node/console_bench.mjs "http://127.0.0.1:$HTTP" bench "$PW" "$N"
kill -TERM "$CWD"; wait "$CWD" || true
