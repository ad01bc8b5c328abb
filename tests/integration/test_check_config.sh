#!/usr/bin/env bash
# `camwatch check-config` on each broken file in tests/data/bad-configs:
# non-zero exit and every expected FILE:LINE:COL message; the example and
# the demo configs pass.
. "$(dirname "$0")/lib.sh"

n=0
for f in "$ROOT"/tests/data/bad-configs/*.yaml; do
  rc=0
  "$BIN/camwatch" check-config "$f" > "$T/out" 2>&1 || rc=$?
  [ "$rc" -ne 0 ] || fail "$(basename "$f"): exit 0"
  while IFS= read -r line; do
    grep -qF "$line" "$T/out" || fail "$(basename "$f"): missing '$line' in: $(cat "$T/out")"
  done < "${f%.yaml}.expect"
  grep -qE "^$f:[0-9]+:[0-9]+: " "$T/out" || fail "$(basename "$f"): no FILE:LINE:COL prefix"
  ok "$(basename "$f"): $(head -1 "$T/out" | sed "s|$ROOT/||")"
  n=$((n + 1))
done
[ "$n" -ge 5 ] || fail "only $n broken configs"
HB_GATE_PASS=x BM_PASS=y TG_BOT_TOKEN=z "$BIN/camwatch" check-config "$ROOT/config/camwatch.example.yaml" > /dev/null || fail "example config"
DEMO_CAM_PASS=x "$BIN/camwatch" check-config "$ROOT/config/demo.yaml" > /dev/null || fail "demo config"
ok "example and demo configs are valid"
