#!/usr/bin/env bash
# The database's file system is full when camwatchd starts (a commune box
# whose disk filled up): it must watch anyway, keep the changes in memory,
# say so once, and write everything once there is room again. Before, it
# exited 1 with nothing watched (a restart loop under systemd).
# Needs root for a small tmpfs (CI runs as root); skipped otherwise.
. "$(dirname "$0")/lib.sh"
if [ "$(id -u)" != 0 ]; then ok "skipped: mounting a small file system needs root"; exit 0; fi
FS=$T/fs
mkdir -p "$FS"
mount -t tmpfs -o size=1m tmpfs "$FS" || { ok "skipped: cannot mount a tmpfs here"; exit 0; }
trap 'cleanup; umount "$FS" 2>/dev/null || umount -l "$FS" 2>/dev/null || true' EXIT
PORT=$(free_port)
start_camsim "$PORT" a=file=$MEDIA/vtest-360p15.h264
CFG=$T/cw.yaml
write_head "$CFG"
sed -i "s|  database: .*|  database: $FS/cw.db|" "$CFG"
echo "  - {id: cam-a, site: cong-lang, url: \"rtsp://127.0.0.1:$PORT/a\"}" >> "$CFG"
DB=$FS/cw.db
"$BIN/camwatch" --db "$DB" gen-history --cameras 1 --months 1 > /dev/null   # a database of this schema
dd if=/dev/zero of="$FS/filler" bs=4k > /dev/null 2>&1 || true           # fills the rest
start_daemon "$CFG"
grep -qE "cannot (record this run in|open) $DB: .*; watching anyway" "$T/camwatchd.log" \
  || fail "no clear line about the full disk: $(grep -i 'store\|error' "$T/camwatchd.log" | head -3)"
for _ in $(seq 100); do grep -q "camera \[cam-a\]: online" "$T/camwatchd.log" && break; sleep 0.1; done
grep -q "camera \[cam-a\]: online" "$T/camwatchd.log" || fail "cam-a not watched while the disk is full"
kill -0 "$DAEMON_PID" || fail "camwatchd exited"
ok "disk full at start: camwatchd watches anyway (cam-a online), said once: $(grep -oE "cannot (record this run in|open) [^;]*" "$T/camwatchd.log" | head -1 | sed "s|$T/||")"
sleep 2
rm -f "$FS/filler"
wait_sql 10 "SELECT COUNT(*) FROM spans WHERE camera = 'cam-a' AND state = 'online' AND end_us IS NULL" \
  || fail "cam-a's history not written after room came back"
grep -q "writing to $DB works again" "$T/camwatchd.log" || fail "no line saying writes work again"
stop_daemon
"$BIN/camwatch" --db "$DB" check-db > "$T/check.txt" || fail "check-db: $(cat "$T/check.txt")"
[ "$(q "SELECT COUNT(*) FROM runs WHERE stopped_us IS NOT NULL")" -ge 1 ] || fail "the run was never recorded"
ok "room again: the run, cam-a's spans and the clean stop are written; check-db ok"
