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
# Decision 724: 8 characters at least, of three kinds at least
for weak in "Ab1-xyz" "abcdefghij" "abcdefgh12" "ABCDEFGH12"; do
  rc=0; out=$(echo "$weak" | "$BIN/camwatch" passwd ky-thuat --lang en 2>&1) || rc=$?
  [ "$rc" = 2 ] && [[ "$out" == *"the password is too weak"* ]] && ! grep -q argon2 <<<"$out" ||
    fail "camwatch passwd took '$weak': rc $rc, $out"
done
echo "Mật-khẩu-dài" | "$BIN/camwatch" passwd ky-thuat > /dev/null || fail "a long Vietnamese password with '-' was refused"
ok "camwatch passwd refuses a password under 8 characters or of fewer than 3 kinds (4 tried); takes 'example-N-pass'"
# --strict also loads each camera's plugins from plugin_dir (installed,
# it is the build's plugins): the copies here point at this build's.
sed "s|^  plugin_dir: .*|  plugin_dir: $BIN/plugins|" "$ROOT/config/camwatch.example.yaml" > "$T/example.yaml"
sed "s|^  plugin_dir: .*|  plugin_dir: $BIN/plugins|" "$ROOT/config/demo.yaml" > "$T/demo.yaml"
grep -q "^  plugin_dir: $BIN/plugins\$" "$T/example.yaml" && grep -q "^  plugin_dir: $BIN/plugins\$" "$T/demo.yaml" \
  || fail "no plugin_dir line to point at the build's plugins"
CW_HASH_KY_THUAT=$HASH HB_GATE_PASS=x BM_PASS=y TG_BOT_TOKEN=z "$BIN/camwatch" check-config --strict "$T/example.yaml" > /dev/null \
  || fail "example config: $(CW_HASH_KY_THUAT=$HASH HB_GATE_PASS=x BM_PASS=y TG_BOT_TOKEN=z "$BIN/camwatch" check-config --strict "$T/example.yaml" 2>&1)"
{ CW_HASH_KY_THUAT=not-a-hash HB_GATE_PASS=x BM_PASS=y TG_BOT_TOKEN=z "$BIN/camwatch" check-config --strict "$T/example.yaml" 2>&1 || true; } \
  | grep -q "users\[0\].password_hash: is not an argon2 hash (make one with: camwatch passwd ky-thuat)" || fail "a bad hash is not named"
DEMO_CAM_PASS=x "$BIN/camwatch" check-config --strict "$T/demo.yaml" > /dev/null \
  || fail "demo config: $(DEMO_CAM_PASS=x "$BIN/camwatch" check-config --strict "$T/demo.yaml" 2>&1)"
ok "example and demo configs are valid with their variables set and their plugins' options checked (--strict)"

# Plugin options are the plugin's to judge: check-config hands each
# camera's to its plugin as camwatchd would, and names the camera and the
# line; a plugin that does not load is an error too. Without plugin_dir
# (a config checked away from its machine) that is a note, --strict an error.
cat > "$T/plugins.yaml" <<EOT
daemon:
  plugin_dir: $BIN/plugins
sites:
  - {province: p, communes: [{commune: c, sites: [{site: s}]}]}
cameras:
  - id: cam-a
    site: s
    url: rtsp://127.0.0.1:1/a
    plugins:
      - name: motion
        sensitivity: 2
  - id: cam-b
    site: s
    url: rtsp://127.0.0.1:1/b
    plugins:
      - name: motion
        zone:
          - "0,0 1,0 1,1 min_size=0"
      - name: activity
        analysis_width: 640
      - name: nosuch
  - id: cam-c
    site: s
    url: rtsp://127.0.0.1:1/c
    plugins:
      - name: motion
        analysis_width: native
        min_size: 40
      - imagehealth
EOT
rc=0; "$BIN/camwatch" check-config "$T/plugins.yaml" > "$T/out" 2>&1 || rc=$?
[ "$rc" = 1 ] || fail "bad plugin options: rc $rc: $(cat "$T/out")"
for want in "$T/plugins.yaml:10:9: camera cam-a: plugin motion: option sensitivity: bad option sensitivity=2" \
            "$T/plugins.yaml:16:9: camera cam-b: plugin motion: option zone: zone '0,0 1,0 1,1 min_size=0': min_size wants a number" \
            "$T/plugins.yaml:19:9: camera cam-b: plugin activity decodes no picture: analysis_width does not apply" \
            "$T/plugins.yaml:21:9: camera cam-b: plugin $BIN/plugins/nosuch.so: cannot load" \
            "$T/plugins.yaml: 4 error(s)"; do
  grep -qF "$want" "$T/out" || fail "missing '$want' in: $(cat "$T/out")"
done
! grep -q "cam-c" "$T/out" || fail "cam-c's options are good: $(cat "$T/out")"
sed -i "s|^  plugin_dir: .*|  plugin_dir: $T/no-plugins-here|" "$T/plugins.yaml"
"$BIN/camwatch" check-config "$T/plugins.yaml" > "$T/out" 2>&1 || fail "no plugin_dir, not --strict: $(cat "$T/out")"
grep -q "^note: $T/plugins.yaml: plugin_dir $T/no-plugins-here: No such file or directory; the cameras' plugin options were not checked" "$T/out" \
  || fail "no note for the missing plugin_dir: $(cat "$T/out")"
rc=0; "$BIN/camwatch" check-config --strict "$T/plugins.yaml" > "$T/out" 2>&1 || rc=$?
[ "$rc" = 1 ] && grep -q "^$T/plugins.yaml: plugin_dir $T/no-plugins-here: No such" "$T/out" || fail "no plugin_dir, --strict: rc $rc, $(cat "$T/out")"
ok "plugin options checked by their plugins: 4 errors named by line and camera, good options pass; no plugin_dir is a note (--strict: an error)"

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

