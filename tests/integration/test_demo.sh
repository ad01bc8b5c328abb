#!/usr/bin/env bash
# `make demo`'s script: camsim and camwatchd on config/demo.yaml, with
# `camwatch status` showing live cameras and each demo failure.
. "$(dirname "$0")/lib.sh"
# Its own copy of the demo (files, camsim port, API port), so that it runs
# beside a `make demo` and never touches demo-data/.
DD=$T/demo-data
DPORT=$(free_port)
mkdir -p "$DD"
sed -e "s|18554|$DPORT|g" -e "s|\.\./demo-data|$DD|g" -e "s|\.\./build/plugins|$BIN/plugins|" \
  "$ROOT/config/demo.yaml" > "$T/demo.yaml"
printf 'http:\n  listen: 127.0.0.1:%s\n' "$(free_port)" >> "$T/demo.yaml"
(cd "$ROOT" && DEMO_SECONDS=28 BUILD=$BIN DEMO_DIR=$DD DEMO_PORT=$DPORT DEMO_CONFIG=$T/demo.yaml \
  timeout ${DEMO_TIMEOUT:-90} scripts/demo.sh) > "$T/demo.out" 2>&1 || fail "demo failed: $(tail -20 "$T/demo.out")"
last=$(awk '/== camwatch status/ { buf = "" } { buf = buf $0 "\n" } END { printf "%s", buf }' "$T/demo.out")
echo "$last"
# the demo's status speaks the deployment's language, Vietnamese
for c in hb-gate-1 hb-school-1 bm-park-1; do
  echo "$last" | grep -qE "^$c +[^ ]+ +hoạt động " || fail "$c not online in the demo"
done
echo "$last" | grep -qE "^bm-park-2 .* mất kết nối .* sai mật khẩu \(" || fail "bm-park-2 not auth_failed"
echo "$last" | grep -qE "^bm-market-1 .* mất kết nối .* không kết nối được \(" || fail "bm-market-1 not unreachable"
echo "$last" | grep -qE "^bm-border-1 .* (luồng bị treo|mất kết nối) " || fail "bm-border-1 did not stall"
grep -q "demo-secret" "$DD"/*.log && fail "demo password in a log"
ok "demo shows live cameras and each failure"
