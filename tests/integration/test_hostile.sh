#!/usr/bin/env bash
# Hostile "cameras" on loopback (socat): garbage, a 200 kB header, a bogus
# SDP, a slow drip that never completes an answer, and a valid stream of
# corrupted H.264 through the full decoder. Each hostile camera ends in
# offline with a cause (the corrupted one keeps delivering packets, so it
# stays online, and the decoder must survive it); the daemon and a healthy
# camera are unaffected: the healthy one keeps its single online span.
. "$(dirname "$0")/lib.sh"
export CW_TEST_PASS=$(secret hostile)
PORT=$(free_port)
# corrupted H.264: the healthy clip with 200 runs of random bytes written into it
cp "$MEDIA/vtest-360p15.h264" "$T/corrupt.h264"
size=$(stat -c %s "$T/corrupt.h264")
for i in $(seq 200); do
  dd if=/dev/urandom of="$T/corrupt.h264" bs=1 count=64 seek=$(( (RANDOM * 32768 + RANDOM) % size )) conv=notrunc status=none
done
start_camsim "$PORT" ok=file=$MEDIA/vtest-360p15.h264 bad=file=$T/corrupt.h264

serve() { # serve PORT SHELL-COMMAND: answers every connection with the command's output
  socat "TCP-LISTEN:$1,bind=127.0.0.1,fork,reuseaddr" "SYSTEM:$2" 2>/dev/null &
  PIDS+=($!)
}
G=$(free_port); serve "$G" "head -c 20000 /dev/urandom"
# (socat reads backslashes in SYSTEM: answers that need \r live in scripts)
cat > "$T/huge.sh" <<'EOS'
#!/usr/bin/env bash
printf 'RTSP/1.0 200 OK\r\nCSeq: 1\r\nX-Big: '
head -c 200000 /dev/zero | tr '\0' a
printf '\r\n\r\n'
sleep 30
EOS
H=$(free_port); serve "$H" "bash $T/huge.sh"
# a server that answers every request, with the right CSeq, by a bogus SDP
cat > "$T/bogus-sdp.sh" <<'EOS'
#!/usr/bin/env bash
while IFS= read -r l; do
  l=${l%$'\r'}
  case $l in
    CSeq:*) c=${l#CSeq: } ;;
    "") printf 'RTSP/1.0 200 OK\r\nCSeq: %s\r\nPublic: OPTIONS, DESCRIBE\r\nContent-Type: application/sdp\r\nContent-Length: 24\r\n\r\nv=0\r\nm=bogus 0 RTP/AVP x\r\n' "$c" ;;
  esac
done
EOS
S=$(free_port); serve "$S" "bash $T/bogus-sdp.sh"
# slowloris: a valid status line, then one more header line a second,
# never the blank line that ends the answer. Data keeps coming, so no
# socket timeout fires: only camwatch's own connect deadline ends it.
cat > "$T/drip.sh" <<'EOS'
#!/usr/bin/env bash
printf 'RTSP/1.0 200 OK\r\nCSeq: 1\r\n'
# (ends when the peer is gone: socat ignores SIGPIPE, so only the failed
# write stops the loop; it once ran on after the suite)
while printf 'X-Drip: 1\r\n'; do sleep 1; done
EOS
L=$(free_port); serve "$L" "bash $T/drip.sh"
for p in $G $H $S $L; do for _ in $(seq 50); do ss -Hltn "sport = :$p" | grep -q . && break; sleep 0.05; done; done

CFG=$T/cw.yaml
write_head "$CFG"
sed -i "s|  log_level: debug|  log_level: info\n  plugin_dir: $BIN/plugins|" "$CFG"
cat >> "$CFG" <<EOT
  - {id: healthy, site: cong-lang, url: "rtsp://127.0.0.1:$PORT/ok"}
  - {id: corrupt, site: cong-lang, url: "rtsp://viewer:\${CW_TEST_PASS}@127.0.0.1:$PORT/bad", plugins: [motion, imagehealth]}
  - {id: garbage, site: cong-lang, url: "rtsp://viewer:\${CW_TEST_PASS}@127.0.0.1:$G/x", connect_timeout: 3s}
  - {id: hugeheader, site: cong-lang, url: "rtsp://127.0.0.1:$H/x", connect_timeout: 3s}
  - {id: bogussdp, site: cong-lang, url: "rtsp://127.0.0.1:$S/x", connect_timeout: 3s}
  - {id: slowdrip, site: cong-lang, url: "rtsp://viewer:\${CW_TEST_PASS}@127.0.0.1:$L/x", connect_timeout: 3s}
EOT
DB=$T/camwatch.db
start_daemon "$CFG"
for c in garbage hugeheader bogussdp slowdrip; do
  wait_sql 10 "SELECT COUNT(*) FROM spans WHERE camera = '$c' AND state = 'offline' AND end_us IS NULL AND cause != ''" \
    || fail "$c: $(q "SELECT state, cause, detail FROM spans WHERE camera = '$c' AND end_us IS NULL")"
  ok "$c: $(q "SELECT state || '/' || cause || ' (' || detail || ')' FROM spans WHERE camera = '$c' AND end_us IS NULL")"
done
[ "$(q "SELECT cause FROM spans WHERE camera = 'slowdrip' AND end_us IS NULL")" = unreachable ] \
  || fail "slowdrip should end at the connect deadline (unreachable)"
sleep 12 # let the corrupt stream loop through the decoder and every hostile camera retry
kill -0 "$DAEMON_PID" || fail "camwatchd died"
[ "$(q "SELECT COUNT(*) FROM spans WHERE camera = 'healthy'")" = 2 ] \
  || fail "healthy camera disturbed: $(q "SELECT state, cause FROM spans WHERE camera = 'healthy'")"
[ "$(q "SELECT state FROM spans WHERE camera = 'healthy' AND end_us IS NULL")" = online ] || fail "healthy not online"
dec=$(q "SELECT decoded_frames FROM camera_stats WHERE camera = 'corrupt'")
[ "$dec" -gt 100 ] || fail "the corrupt stream was not decoded ($dec frames)"
ok "corrupt H.264: $dec frames through the decoder, state $(q "SELECT state FROM spans WHERE camera = 'corrupt' AND end_us IS NULL"); healthy camera: one online span throughout"
stop_daemon
"$BIN/camwatch" -c "$CFG" check-db > /dev/null || fail "check-db"
ok "clean stop; the database checks out"
