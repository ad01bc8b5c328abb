#!/usr/bin/env bash
# Escalation and acknowledgement: three cameras that never answer.
#  - a is acknowledged (camwatch ack) right after its offline alert: it is
#    never escalated;
#  - b is not: it goes to the escalation target every escalate_after (3 s)
#    until `camwatch ack b`, then no more;
#  - m is inside a maintenance window: no alert at all, nor escalation;
#  - escalations reach only escalate_to, the other target never.
. "$(dirname "$0")/lib.sh"
HOOK=$(free_port)
"$BIN/tests/receiver" --port "$HOOK" --log "$T/hook.jsonl" --ready "$T/hook.ready" &
PIDS+=($!)
CFG=$T/cw.yaml
write_head "$CFG"
for c in a b m; do
  echo "  - {id: $c, site: cong-lang, url: \"rtsp://127.0.0.1:$(free_port)/x\", connect_timeout: 1s}" >> "$CFG"
done
cat >> "$CFG" <<EOT
alerts:
  offline_grace: 4s
  place_share: 0
  language: en
  escalate_after: 3s
  escalate_to: boss
  targets:
    - {name: hook, type: webhook, url: "http://127.0.0.1:$HOOK/hook"}
    - {name: boss, type: webhook, url: "http://127.0.0.1:$HOOK/boss", kinds: [motion]}
EOT
DB=$T/camwatch.db
start_daemon "$CFG"
"$BIN/camwatch" -c "$CFG" maintenance add --camera m --to +1h --note "thay nguồn" > /dev/null || fail "maintenance add"
wait_sql 15 "SELECT COUNT(*) = 1 FROM alerts WHERE kind = 'camera_offline' AND camera = 'a'" || fail "no offline alert for a"
"$BIN/camwatch" -c "$CFG" ack a --note "đang xử lý" --by "Trung úy Minh" > "$T/ack.out" || fail "ack a: $(cat "$T/ack.out")"
grep -q "^a: Trung úy Minh đã nhận xử lý: đang xử lý$" "$T/ack.out" || fail "ack output: $(cat "$T/ack.out")"
sleep 10
esc() { jq -r "select(.path == \"$1\") | .body | fromjson | select(.kind == \"camera_escalated\") | .camera.id" "$T/hook.jsonl" | sort | uniq -c | awk '{print $2 "=" $1}' | tr '\n' ' '; }
boss=$(esc /boss)
nb=$(sed -n 's/.*b=\([0-9]*\).*/\1/p' <<<"$boss")
[ -n "$nb" ] && [ "$nb" -ge 2 ] && [ "$nb" -le 4 ] || fail "escalations of b to boss in 10 s: '$boss' (every 3 s after the first)"
! grep -q 'a=' <<<"$boss" || fail "a was escalated after its acknowledgement: $boss"
! grep -q 'm=' <<<"$boss" || fail "m was escalated inside its maintenance window: $boss"
[ -z "$(esc /hook)" ] || fail "escalations reached the other target: $(esc /hook)"
[ "$(jq -r 'select(.body | fromjson | .camera.id == "m") | .path' "$T/hook.jsonl" | wc -l)" = 0 ] || fail "an alert for m inside its maintenance window"
msg=$(jq -r 'select(.path == "/boss") | .body | fromjson | .message_en' "$T/hook.jsonl" | head -1)
grep -q '^NOBODY HAS TAKEN IT ON: camera b .* has been down since .*cannot be reached.*Acknowledge: camwatch ack b$' <<<"$msg" \
  || fail "escalation message: $msg"
ok "b escalated $nb times in 10 s ('$msg'); a acknowledged: never; m in maintenance: nothing; hook: no escalation"
"$BIN/camwatch" -c "$CFG" ack b > /dev/null || fail "ack b"
sleep 2
before=$(sed -n 's/.*b=\([0-9]*\).*/\1/p' <<<"$(esc /boss)")
sleep 7
after=$(sed -n 's/.*b=\([0-9]*\).*/\1/p' <<<"$(esc /boss)")
[ "$before" = "$after" ] || fail "b escalated after its acknowledgement: $before -> $after"
"$BIN/camwatch" -c "$CFG" ack --list > "$T/list.out"
[ "$(grep -c '^20.* [ab] ' "$T/list.out")" = 2 ] || fail "ack --list: $(cat "$T/list.out")"
ok "acknowledging b stopped its escalations ($before before, $after 7 s later); ack --list shows both"
stop_daemon
