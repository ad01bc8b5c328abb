#!/usr/bin/env bash
# `make demo`'s script: camsim and camwatchd on config/demo.yaml, with
# `camwatch status` showing live cameras and each demo failure.
. "$(dirname "$0")/lib.sh"
if ss -Hltn "sport = :18554" | grep -q .; then fail "port 18554 (the demo's) is busy"; fi
rm -rf "$ROOT/demo-data"
(cd "$ROOT" && DEMO_SECONDS=28 BUILD=$BIN timeout ${DEMO_TIMEOUT:-90} scripts/demo.sh) > "$T/demo.out" 2>&1 || fail "demo failed: $(tail -20 "$T/demo.out")"
last=$(awk '/== camwatch status/ { buf = "" } { buf = buf $0 "\n" } END { printf "%s", buf }' "$T/demo.out")
echo "$last"
for c in hb-gate-1 hb-school-1 bm-park-1; do
  echo "$last" | grep -qE "^$c +[^ ]+ +online " || fail "$c not online in the demo"
done
echo "$last" | grep -qE "^bm-park-2 .* offline +auth_failed" || fail "bm-park-2 not auth_failed"
echo "$last" | grep -qE "^bm-market-1 .* offline +unreachable" || fail "bm-market-1 not unreachable"
echo "$last" | grep -qE "^bm-border-1 .* (stalled|offline) " || fail "bm-border-1 did not stall"
grep -q "demo-secret" "$ROOT"/demo-data/*.log && fail "demo password in a log"
ok "demo shows live cameras and each failure"
