#!/usr/bin/env bash
# test-parallel: yes
# HTTPS served by camwatchd itself (issue #26, Decision 724: a commune
# without a reverse proxy does not send passwords in clear), with a test
# certificate made here by openssl:
#  - check-config refuses a certificate without its key, and a file it
#    cannot read, naming the key;
#  - curl with the certificate as its CA gets /healthz and logs in over
#    https; the session cookie is Secure; plain http gets nothing;
#  - the certificate renewed under the same file names and SIGHUP: the new
#    one is served (the old CA no longer verifies), the user's session
#    lives on; a broken key at a reload leaves it serving with the old;
#  - the key is in no log.
. "$(dirname "$0")/lib.sh"
command -v openssl > /dev/null || fail "openssl is not installed"
cert() { # cert NAME: a self-signed certificate for 127.0.0.1 in $T/NAME.crt, its key in $T/NAME.key
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 -subj "/CN=camwatch test $1" \
    -addext "subjectAltName=IP:127.0.0.1" -keyout "$T/$1.key" -out "$T/$1.crt" > "$T/openssl.log" 2>&1 ||
    fail "openssl: $(cat "$T/openssl.log")"
}
cert one
cert two
cp "$T/one.crt" "$T/server.crt"
cp "$T/one.key" "$T/server.key"
chmod 600 "$T/server.key"
PW="Https-$RANDOM-pass"
CFG=$T/cw.yaml
write_head "$CFG"
cat >> "$CFG" <<EOT
  - {id: a, site: cong-lang, url: "rtsp://127.0.0.1:$(free_port)/a", connect_timeout: 1s}
users:
EOT
echo "$PW" | "$BIN/camwatch" passwd tech --role technician >> "$CFG"

# the key without the certificate, and an unreadable certificate
sed "s|^  listen: \(.*\)$|  listen: \1\n  tls_key: server.key|" "$CFG" > "$T/half.yaml"
rc=0; out=$("$BIN/camwatch" check-config "$T/half.yaml" 2>&1) || rc=$?
[ "$rc" != 0 ] && [[ "$out" == *"http.tls_cert: is needed with http.tls_key (HTTPS needs both)"* ]] ||
  fail "a key without its certificate: rc $rc, $out"
sed "s|^  listen: \(.*\)$|  listen: \1\n  tls_cert: nowhere.crt\n  tls_key: server.key|" "$CFG" > "$T/gone.yaml"
rc=0; out=$("$BIN/camwatch" check-config "$T/gone.yaml" 2>&1) || rc=$?
[ "$rc" != 0 ] && [[ "$out" == *"http.tls_cert: cannot read $T/nowhere.crt"* ]] || fail "an unreadable certificate: rc $rc, $out"
ok "check-config: a key without its certificate, and a certificate it cannot read, refused by name"

sed -i "s|^  listen: \(.*\)$|  listen: \1\n  tls_cert: server.crt\n  tls_key: server.key|" "$CFG"
"$BIN/camwatch" check-config "$CFG" > /dev/null || fail "check-config: $("$BIN/camwatch" check-config "$CFG" 2>&1)"
start_daemon "$CFG"
URL=https://127.0.0.1:$HTTP_PORT
for _ in $(seq 50); do curl -sf --cacert "$T/one.crt" "$URL/healthz" > /dev/null && break; sleep 0.1; done
[ "$(curl -s --cacert "$T/one.crt" "$URL/healthz")" = ok ] || fail "/healthz over https: $(curl -sv --cacert "$T/one.crt" "$URL/healthz" 2>&1 | tail -5)"
rc=0; curl -s --max-time 5 "http://127.0.0.1:$HTTP_PORT/healthz" > /dev/null 2>&1 || rc=$?
[ "$rc" != 0 ] || fail "plain http answered"
code=$(curl -s -o "$T/body" -D "$T/hdr" -w '%{http_code}' --cacert "$T/one.crt" -c "$T/jar" -X POST "$URL/api/v1/session" \
  -H 'Content-Type: application/json' --data "{\"user\": \"tech\", \"password\": \"$PW\"}")
[ "$code" = 200 ] || fail "login over https: $code $(cat "$T/body")"
grep -i '^Set-Cookie:' "$T/hdr" | grep -q '; Secure' || fail "the session cookie is not Secure: $(grep -i '^Set-Cookie' "$T/hdr" | sed 's/cw_session=[0-9a-f]*/cw_session=<id>/')"
grep -q "serving /metrics and /api/v1 on 127.0.0.1:$HTTP_PORT over HTTPS" "$T/camwatchd.log" || fail "the start line does not say HTTPS"
ok "HTTPS with a test certificate: /healthz and a login over https (cookie Secure), plain http refused"

# renewed under the same names, then SIGHUP
cp "$T/two.crt" "$T/server.crt"
cp "$T/two.key" "$T/server.key"
kill -HUP "$DAEMON_PID"
for _ in $(seq 100); do grep -q "reload: HTTPS, the certificate read anew" "$T/camwatchd.log" && break; sleep 0.05; done
grep -q "reload: HTTPS, the certificate read anew" "$T/camwatchd.log" || fail "the reload of the certificate is not logged"
for _ in $(seq 50); do curl -sf --cacert "$T/two.crt" "$URL/healthz" > /dev/null && break; sleep 0.1; done
[ "$(curl -s --cacert "$T/two.crt" "$URL/healthz")" = ok ] || fail "the renewed certificate is not served"
rc=0; curl -s --cacert "$T/one.crt" "$URL/healthz" > /dev/null 2>&1 || rc=$?
[ "$rc" = 60 ] || fail "the old certificate still verifies (curl exit $rc)"
[ "$(curl -s -o /dev/null -w '%{http_code}' --cacert "$T/two.crt" -b "$T/jar" "$URL/api/v1/session")" = 200 ] ||
  fail "the session did not outlive the certificate's renewal"
# a key that is no key at a reload: it goes back to the files it had
cp "$T/server.key" "$T/good.key"
echo "not a key" > "$T/server.key"
kill -HUP "$DAEMON_PID"
want="cannot serve with the new TLS files (is the key the certificate's?); still serving with the old ones"
for _ in $(seq 100); do grep -qF "$want" "$T/camwatchd.log" && break; sleep 0.05; done
grep -qF "$want" "$T/camwatchd.log" || fail "a broken key at a reload is not said: $(grep ' http: ' "$T/camwatchd.log" | tail -2)"
for _ in $(seq 50); do curl -sf --cacert "$T/two.crt" "$URL/healthz" > /dev/null && break; sleep 0.1; done
[ "$(curl -s --cacert "$T/two.crt" "$URL/healthz")" = ok ] || fail "a broken key at a reload stopped the server"
cp "$T/good.key" "$T/server.key"
note="; a broken key at a reload: still serving with the old files"
ok "the certificate renewed under the same names and SIGHUP: the new one served, the old CA refused (curl 60), the session lives on$note"

stop_daemon
for k in one two; do
  ! grep -qF -- "$(sed -n '2p' "$T/$k.key")" "$T/camwatchd.log" || fail "the TLS key is in the log"
done
ok "no TLS key in the log"
