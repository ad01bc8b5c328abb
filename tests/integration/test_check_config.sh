#!/usr/bin/env bash
# `camwatch check-config` on each broken file in tests/data/bad-configs:
# non-zero exit and every expected FILE:LINE:COL message; the example and
# the demo configs pass.
. "$(dirname "$0")/lib.sh"

n=0
for f in "$ROOT"/tests/data/bad-configs/*.yaml; do
  rc=0
  "$BIN/camwatch" check-config --strict "$f" > "$T/out" 2>&1 || rc=$?
  [ "$rc" -ne 0 ] || fail "$(basename "$f"): exit 0"
  while IFS= read -r line; do
    grep -qF "$line" "$T/out" || fail "$(basename "$f"): missing '$line' in: $(cat "$T/out")"
  done < "${f%.yaml}.expect"
  grep -qE "^$f:[0-9]+:[0-9]+: " "$T/out" || fail "$(basename "$f"): no FILE:LINE:COL prefix"
  ok "$(basename "$f"): $(head -1 "$T/out" | sed "s|$ROOT/||")"
  n=$((n + 1))
done
[ "$n" -ge 5 ] || fail "only $n broken configs"
# On a fresh machine none of the configs' ${VAR}s is set: each is a note,
# the file passes; --strict (what camwatchd applies) makes them errors.
for f in camwatch.example.yaml demo.yaml; do
  vars=$(sed 's/ #.*//; /^ *#/d' "$ROOT/config/$f" | grep -o '\${[A-Z_]*}' | tr -d '${}' | sort -u)
  [ -n "$vars" ] || fail "$f has no \${VAR} (the test means nothing)"
  unset_args=(); for v in $vars; do unset_args+=(-u "$v"); done
  env "${unset_args[@]}" "$BIN/camwatch" check-config "$ROOT/config/$f" > "$T/cc.out" 2> "$T/cc.err" \
    || fail "$f with no variable set: $(cat "$T/cc.err")"
  for v in $vars; do
    grep -q "^note: .*$f:[0-9]*:[0-9]*: .*environment variable $v is not set" "$T/cc.err" || fail "$f: no note for $v: $(cat "$T/cc.err")"
  done
  rc=0; env "${unset_args[@]}" "$BIN/camwatch" check-config --strict "$ROOT/config/$f" > /dev/null 2> "$T/cc.err" || rc=$?
  [ "$rc" = 1 ] && grep -q "environment variable .* is not set" "$T/cc.err" || fail "$f --strict: rc $rc, $(cat "$T/cc.err")"
  ok "$f passes with its $(echo $vars | wc -w) variable(s) unset, each a note; --strict fails (rc $rc)"
done
HASH=$(echo "example-$RANDOM-pass" | "$BIN/camwatch" passwd ky-thuat | sed -n 's/.*password_hash: "\(.*\)"/\1/p')
CW_HASH_KY_THUAT=$HASH HB_GATE_PASS=x BM_PASS=y TG_BOT_TOKEN=z "$BIN/camwatch" check-config --strict "$ROOT/config/camwatch.example.yaml" > /dev/null \
  || fail "example config: $(CW_HASH_KY_THUAT=$HASH HB_GATE_PASS=x BM_PASS=y TG_BOT_TOKEN=z "$BIN/camwatch" check-config --strict "$ROOT/config/camwatch.example.yaml" 2>&1)"
{ CW_HASH_KY_THUAT=not-a-hash HB_GATE_PASS=x BM_PASS=y TG_BOT_TOKEN=z "$BIN/camwatch" check-config --strict "$ROOT/config/camwatch.example.yaml" 2>&1 || true; } \
  | grep -q "users\[0\].password_hash: is not an argon2 hash (make one with: camwatch passwd ky-thuat)" || fail "a bad hash is not named"
DEMO_CAM_PASS=x "$BIN/camwatch" check-config --strict "$ROOT/config/demo.yaml" > /dev/null || fail "demo config"
ok "example and demo configs are valid with their variables set (--strict)"

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

