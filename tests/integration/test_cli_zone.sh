#!/usr/bin/env bash
# Times on the command line are the commune's, whatever the shell's TZ
# (issue #29 item 1). A Debian server's clock is usually UTC; a technician
# typing `maintenance add --to "... 08:00"` means 08:00 at the commune
# (Asia/Ho_Chi_Minh, the config's default zone). Every time argument of every
# command is read, and every time printed, in the config's zone - or, with
# --db, in the zone camwatchd recorded in the database - under TZ=UTC and
# TZ=America/New_York alike; --tz ZONE says otherwise on purpose.
# test-parallel: yes
. "$(dirname "$0")/lib.sh"

DB=$T/h.db
CFG=$T/cw.yaml
# a small synthetic history: sites site-000.., cameras cam-0000..
TZ=America/New_York "$BIN/camwatch" gen-history --db "$DB" --cameras 3 --months 1 > /dev/null || fail "gen-history"
[ "$(sqlite3 "$DB" "SELECT value FROM settings WHERE key = 'timezone'")" = Asia/Ho_Chi_Minh ] \
  || fail "gen-history recorded the zone $(sqlite3 "$DB" "SELECT value FROM settings WHERE key = 'timezone'"), not the default"
# a config as a commune writes it (the default zone); the CLI reads its
# database and zone, never its cameras
cat > "$CFG" <<EOT
daemon:
  database: $DB
sites:
  - province: synthetic
    communes:
      - commune: commune-00
        sites:
          - site: site-000
cameras:
  - {id: cam-0000, site: site-000, url: "rtsp://127.0.0.1:1/x"}
EOT

# Tomorrow and yesterday at the commune, and what their local times are in
# Unix seconds (computed here with the zone named, never the shell's).
VN=Asia/Ho_Chi_Minh
D=$(TZ=$VN date -d tomorrow +%F)
Y=$(TZ=$VN date -d yesterday +%F)
at() { TZ=$VN date -d "$1" +%s; }
sqlite3 "$DB" "INSERT INTO events(camera, kind, start_us, end_us, peak_score) VALUES
  ('cam-0000', 'motion', $(at "$Y 21:10") * 1000000, $(at "$Y 21:11") * 1000000, 0.5),
  ('cam-0000', 'motion', $(at "$Y 21:30") * 1000000, $(at "$Y 21:31") * 1000000, 0.5);
  INSERT INTO acks(camera, note, created_by, created_us) VALUES
  ('cam-0001', 'sớm', 'an', $(at "$Y 21:10") * 1000000), ('cam-0001', 'muộn', 'binh', $(at "$Y 21:30") * 1000000);"

n=0
for zone in UTC America/New_York; do
  CW=(env TZ=$zone "$BIN/camwatch" -c "$CFG")
  n=$((n + 1))
  # maintenance add: --from/--to with a time, then --to as a bare date
  "${CW[@]}" maintenance add --site site-000 --from "$D 06:00" --to "$D 08:00" --by kt > "$T/add.$n" \
    || fail "TZ=$zone: maintenance add: $(cat "$T/add.$n")"
  row=$(sqlite3 "$DB" "SELECT from_us / 1000000, to_us / 1000000 FROM maintenance ORDER BY id DESC LIMIT 1")
  [ "$row" = "$(at "$D 06:00")|$(at "$D 08:00")" ] \
    || fail "TZ=$zone: '$D 06:00'-'$D 08:00' stored as $row, not $(at "$D 06:00")|$(at "$D 08:00") (the commune's)"
  grep -q "từ $D 06:00:00 đến $D 08:00:00" "$T/add.$n" || fail "TZ=$zone: add printed $(cat "$T/add.$n")"
  "${CW[@]}" maintenance add --camera cam-0002 --to "$D" > /dev/null || fail "TZ=$zone: --to $D"
  to=$(sqlite3 "$DB" "SELECT to_us / 1000000 FROM maintenance ORDER BY id DESC LIMIT 1")
  [ "$to" = "$(at "$D 00:00")" ] || fail "TZ=$zone: --to $D stored as $to, not the commune's midnight $(at "$D 00:00")"
  "${CW[@]}" maintenance list > "$T/list.$n"
  grep -q "$D 06:00:00 *$D 08:00:00" "$T/list.$n" || fail "TZ=$zone: list shows $(cat "$T/list.$n")"
  # events --since and ack --list --since: 21:20 at the commune
  "${CW[@]}" events --since "$Y 21:20" > "$T/ev.$n" || fail "TZ=$zone: events"
  [ "$(grep -c "chuyển động" "$T/ev.$n")" = 1 ] && grep -q "^$Y 21:30:00 " "$T/ev.$n" \
    || fail "TZ=$zone: events --since '$Y 21:20' gave: $(cat "$T/ev.$n")"
  "${CW[@]}" ack --list --since "$Y 21:20" > "$T/ack.$n" || fail "TZ=$zone: ack --list"
  grep -q "^$Y 21:30:00 .*binh" "$T/ack.$n" && ! grep -q sớm "$T/ack.$n" \
    || fail "TZ=$zone: ack --list --since '$Y 21:20' gave: $(cat "$T/ack.$n")"
  "${CW[@]}" status > "$T/st.$n" || fail "TZ=$zone: status"
  grep -q "(Asia/Ho_Chi_Minh, UTC+07:00)" "$T/st.$n" || fail "TZ=$zone: status says $(head -1 "$T/st.$n")"
  # the same database read with --db: the zone camwatchd (here gen-history) recorded in it
  env TZ=$zone "$BIN/camwatch" --db "$DB" events --since "$Y 21:20" > "$T/evdb.$n"
  [ "$(grep -c "chuyển động" "$T/evdb.$n")" = 1 ] && grep -q "^$Y 21:30:00 " "$T/evdb.$n" \
    || fail "TZ=$zone: --db events --since '$Y 21:20' gave: $(cat "$T/evdb.$n")"
  ok "TZ=$zone: maintenance add/list, events --since, ack --list --since and status in the commune's zone (-c and --db)"
done

# --tz reads and prints in the zone it names: 14:20 UTC is 21:20 at the commune
"$BIN/camwatch" --db "$DB" --tz UTC events --since "$Y 14:20" > "$T/ev.utc"
[ "$(grep -c "chuyển động" "$T/ev.utc")" = 1 ] && grep -q "^$Y 14:30:00 " "$T/ev.utc" || fail "--tz UTC: $(cat "$T/ev.utc")"
out=$("$BIN/camwatch" --db "$DB" --tz Mars/Olympus events 2>&1) && fail "an unknown --tz was taken"
grep -q "unknown time zone 'Mars/Olympus'" <<<"$out" || fail "unknown --tz: $out"
ok "--tz UTC reads and prints in UTC; an unknown zone is refused"
