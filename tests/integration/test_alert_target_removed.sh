#!/usr/bin/env bash
# A delivery still pending when its target leaves the config (a reload)
# must not stay pending forever: it is closed as failed, with the reason,
# and `camwatch alerts --pending` empties.
. "$(dirname "$0")/lib.sh"
CFG=$T/cw.yaml
write_head "$CFG"
DEAD=$(free_port)
cat >> "$CFG" <<EOT
  - {id: gone-cam, site: cong-lang, url: "rtsp://127.0.0.1:$(free_port)/x", connect_timeout: 1s}
alerts:
  offline_grace: 1s
  targets:
    - {name: old-hook, type: webhook, url: "http://127.0.0.1:$DEAD/hook"}
EOT
DB=$T/camwatch.db
start_daemon "$CFG"
wait_sql 15 "SELECT COUNT(*) FROM deliveries WHERE target = 'old-hook' AND state = 'pending' AND attempts >= 1" \
  || fail "no failing delivery to old-hook"
ok "a delivery to old-hook is pending (its receiver is down)"
sed -i '/^alerts:/,$d' "$CFG"   # the target (and the alerts section) removed
kill -HUP "$DAEMON_PID"
wait_sql 15 "SELECT COUNT(*) FROM deliveries WHERE target = 'old-hook' AND state = 'failed'
             AND last_error = 'target removed from the configuration'" \
  || fail "the delivery stays $(q "SELECT state FROM deliveries WHERE target = 'old-hook'")"
[ -z "$("$BIN/camwatch" --db "$DB" alerts --pending)" ] || [ "$("$BIN/camwatch" --db "$DB" alerts --pending | grep -c old-hook)" = 0 ] \
  || fail "alerts --pending still lists it"
grep -q "dropped, the target is no longer in the configuration" "$T/camwatchd.log" || fail "no log line"
stop_daemon
ok "after the reload it is closed as failed ('target removed from the configuration'), logged, no longer pending"
