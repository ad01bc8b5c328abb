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

# The CLI reads the config like the daemon: ${VAR} in database: resolves when
# the variable is set (an unset camera password stays as written), and a
# file that is no database is said to be so, not "schema version 0".
mkdir -p "$T/state"
"$BIN/camwatch" --db "$T/state/cw.db" gen-history --cameras 1 --months 1 > /dev/null
printf 'daemon:\n  database: ${CW_STATE}/cw.db\nsites:\n  - {province: p, communes: [{commune: c, sites: [{site: s}]}]}\ncameras:\n  - {id: a, site: s, url: "rtsp://u:${NOT_SET_HERE}@h/x"}\n' > "$T/env.yaml"
CW_STATE=$T/state "$BIN/camwatch" -c "$T/env.yaml" status > "$T/status.txt" 2>&1 || fail "status with \${CW_STATE}: $(cat "$T/status.txt")"
grep -q "cam-0000" "$T/status.txt" || fail "status did not read \${CW_STATE}/cw.db: $(cat "$T/status.txt")"
echo "plain text" > "$T/not-a.db"
rc=0; "$BIN/camwatch" --db "$T/not-a.db" status > "$T/out" 2>&1 || rc=$?
[ "$rc" != 0 ] && grep -q "file is not a database" "$T/out" && ! grep -q "schema version 0" "$T/out" \
  || fail "a non-database file: rc $rc, $(cat "$T/out")"
ok "the CLI expands \${VAR} in database: like the daemon; a non-database file is named as such"

