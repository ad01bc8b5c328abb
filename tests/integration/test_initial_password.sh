#!/usr/bin/env bash
# An initial password (issue #26 item 5, Decision 724): a user made with
# `camwatch passwd --initial` logs in, and until the password is changed
# every request of that session but the change (and logout) answers 403.
# The new password must be strong and different; it is kept in
# state_dir/passwords (0600), never in the database or a log; the old one
# stops working, the user's other sessions end, and the change survives a
# reload and a restart. A hash changed in the config afterwards (an admin's
# reset) wins over the file's.
. "$(dirname "$0")/lib.sh"
CFG=$T/cw.yaml
write_head "$CFG"
echo "  - {id: cam-a, site: cong-lang, url: \"rtsp://127.0.0.1:$(free_port)/x\", connect_timeout: 1s}" >> "$CFG"
echo "users:" >> "$CFG"
PW0="Init-$RANDOM-pw"; PW1="Mine-$RANDOM-pw!"
echo "$PW0" | "$BIN/camwatch" passwd newcomer --role technician --initial > "$T/entry.yaml" || fail "camwatch passwd --initial"
grep -q "^    initial: true$" "$T/entry.yaml" || fail "passwd --initial printed: $(cat "$T/entry.yaml")"
cat "$T/entry.yaml" >> "$CFG"
DB=$T/camwatch.db
start_daemon "$CFG"
API="http://127.0.0.1:$HTTP_PORT"
code() { local m=$1 p=$2; shift 2; curl -s -o "$T/body" -w '%{http_code}' -X "$m" "$@" "$API$p"; }
login() { code POST /api/v1/session -c "$T/jar${3:-}" -H 'Content-Type: application/json' --data "{\"user\": \"$1\", \"password\": \"$2\"}"; }

[ "$(login newcomer "$PW0")" = 200 ] || fail "login with the initial password: $(cat "$T/body")"
[ "$(jq .must_change_password "$T/body")" = true ] || fail "the session does not say the password must change: $(cat "$T/body")"
CSRF=$(jq -r .csrf "$T/body")
S=(-b "$T/jar" -H "X-CSRF-Token: $CSRF" -H 'Content-Type: application/json')
[ "$(code GET /api/v1/cameras -b "$T/jar")" = 403 ] && [ "$(jq .must_change_password "$T/body")" = true ] \
  || fail "an initial password's session reads the cameras: $(cat "$T/body")"
[ "$(code POST /api/v1/cameras/cam-a/ack "${S[@]}" --data '{}')" = 403 ] || fail "an initial password's session acts"
[ "$(code GET /api/v1/session -b "$T/jar")" = 200 ] || fail "the session itself is not readable"
ok "initial password: the session answers 403 (must_change_password) to everything but itself"

[ "$(code POST /api/v1/session/password "${S[@]}" --data "{\"current\": \"$PW0\", \"new\": \"short1A\"}")" = 400 ] \
  && grep -q "at least 8 characters" "$T/body" || fail "a short password: $(cat "$T/body")"
[ "$(code POST /api/v1/session/password "${S[@]}" --data "{\"current\": \"$PW0\", \"new\": \"alllowercase\"}")" = 400 ] \
  && grep -q "3 of 4 kinds" "$T/body" || fail "a password of one kind: $(cat "$T/body")"
[ "$(code POST /api/v1/session/password "${S[@]}" --data "{\"current\": \"$PW0\", \"new\": \"$PW0\"}")" = 400 ] || fail "the same password again"
[ "$(code POST /api/v1/session/password "${S[@]}" --data "{\"current\": \"wrong-$PW0\", \"new\": \"$PW1\"}")" = 400 ] || fail "a wrong current password"
[ "$(code GET /api/v1/cameras -b "$T/jar")" = 403 ] || fail "refused changes opened the session"
# a second session of the same user, to be ended by the change
[ "$(login newcomer "$PW0" 2)" = 200 ] || fail "second login"
[ "$(code POST /api/v1/session/password "${S[@]}" --data "{\"current\": \"$PW0\", \"new\": \"$PW1\"}")" = 200 ] \
  && [ "$(jq .must_change_password "$T/body")" = false ] || fail "the change: $(cat "$T/body")"
[ "$(code GET /api/v1/cameras -b "$T/jar")" = 200 ] || fail "after the change the session still cannot read: $(cat "$T/body")"
[ "$(code GET /api/v1/cameras -b "$T/jar2")" = 401 ] || fail "the user's other session lives on after the change"
[ "$(login newcomer "$PW0" 3)" = 401 ] || fail "the initial password still works"
[ "$(login newcomer "$PW1" 3)" = 200 ] && [ "$(jq .must_change_password "$T/body")" = false ] || fail "the new password: $(cat "$T/body")"
ok "weak, same or unverified changes refused; the change opens the session, ends the other one, the old password is dead"

P=$T/state/passwords
[ "$(stat -c %a "$P")" = 600 ] || fail "state_dir/passwords is mode $(stat -c %a "$P")"
grep -q "^newcomer	[0-9a-f]\{32\}	\$argon2id\\$" "$P" || fail "the passwords file: $(cut -c1-40 "$P")"
! grep -qF "$PW1" "$P" "$T/camwatchd.log" || fail "the password itself was written"
newhash=$(awk -F'\t' '/^newcomer/ {print $3}' "$P")
! grep -aqF "$newhash" "$DB" "$T/camwatch.db-wal" "$T/camwatchd.log" 2>/dev/null || fail "the new hash is in the database or the log"
[ "$(q "SELECT COUNT(*) FROM audit WHERE user = 'newcomer' AND action = 'password_changed'")" = 1 ] || fail "the change is not in the audit list"
ok "kept in state_dir/passwords (0600, argon2id), not in the database or the log; in the audit list"

kill -HUP "$DAEMON_PID"; sleep 1
[ "$(login newcomer "$PW1" 4)" = 200 ] && [ "$(jq .must_change_password "$T/body")" = false ] || fail "after SIGHUP: $(cat "$T/body")"
stop_daemon
start_daemon "$CFG"
[ "$(login newcomer "$PW1" 5)" = 200 ] && [ "$(jq .must_change_password "$T/body")" = false ] || fail "after a restart: $(cat "$T/body")"
ok "the new password holds after SIGHUP and a restart"

# an admin's reset: a new hash in the config wins over the file, initial again
PW2="Reset-$RANDOM-pw"
echo "$PW2" | "$BIN/camwatch" passwd newcomer --role technician --initial > "$T/entry2.yaml"
python3 - "$CFG" "$T/entry2.yaml" <<'PY'
import sys
cfg, entry = sys.argv[1], open(sys.argv[2]).read()
text = open(cfg).read()
open(cfg, "w").write(text[:text.index("  - name: newcomer")] + entry)
PY
kill -HUP "$DAEMON_PID"; sleep 1
[ "$(login newcomer "$PW1" 6)" = 401 ] || fail "the changed password outlives the admin's reset"
[ "$(login newcomer "$PW2" 6)" = 200 ] && [ "$(jq .must_change_password "$T/body")" = true ] || fail "the reset password: $(cat "$T/body")"
stop_daemon
ok "an admin's reset in the config wins over the file, and is initial again"
