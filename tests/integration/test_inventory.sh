#!/usr/bin/env bash
# The camera inventory (issue #26 item 6, QCVN 135 / Decision 724): an ONVIF
# responder behind HTTP digest authentication answers GetDeviceInformation;
# camwatch inventory shows its maker, model and firmware (a firmware older
# than the fixed one is a warning), takes the config's facts for a camera
# that does not answer, flags a factory password and two cameras sharing a
# password, says why ONVIF said nothing where it did not, and writes CSV,
# JSON and an ODT. No password appears in any of it, nor in camwatchd's log
# or database (the suite's secrets sweep reads them all).
. "$(dirname "$0")/lib.sh"
export CAM1_PASS; CAM1_PASS=$(secret cam1)
export SHARED_PASS; SHARED_PASS=$(secret shared)
OPORT=$(free_port)
rm -f "$T/onvif.ready"
ONVIF_PASSWORD="$CAM1_PASS" python3 "$ROOT/tests/tools/onvif_responder.py" "$OPORT" "$T/onvif.ready" admin - \
  "HIKVISION" "DS-2CD1023G0E-I" "V5.5.0 build 180111" "DS-2CD1023G0E-I20190101AAWRD12345678" 2> "$T/onvif.log" &
PIDS+=("$!")
for _ in $(seq 100); do [ -f "$T/onvif.ready" ] && break; sleep 0.05; done
[ -f "$T/onvif.ready" ] || fail "the ONVIF responder did not start: $(cat "$T/onvif.log")"
# a camera that also offers RTSPS (its port 322 listens) but is watched over rtsp://
RTSPS=""
if [ "$(id -u)" = 0 ]; then
  python3 -c 'import socket, sys, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(("127.0.0.9", 322)); s.listen(8)
open(sys.argv[1], "w").close()
while True:
    c, _ = s.accept(); c.close()' "$T/rtsps.ready" 2> "$T/rtsps.log" &
  PIDS+=("$!")
  for _ in $(seq 50); do [ -f "$T/rtsps.ready" ] && break; sleep 0.05; done
  [ -f "$T/rtsps.ready" ] && RTSPS=yes
fi
CFG=$T/cw.yaml
write_head "$CFG"
P=$(free_port); DEAD=$(free_port)
cat >> "$CFG" <<EOT
  - {id: cam-1, name: "Cổng 1", site: cong-lang, url: "rtsp://admin:\${CAM1_PASS}@127.0.0.1:$P/1", connect_timeout: 1s,
     onvif: "http://127.0.0.1:$OPORT/onvif/device_service", firmware_fixed: "V5.5.800"}
  - {id: cam-2, name: "=1+1 (cổng phụ)", site: cong-lang, url: "rtsp://admin:12345@127.0.0.1:$P/2", connect_timeout: 1s, onvif: "",
     maker: Dahua, model: IPC-HFW1230S, firmware: "2.800.0000000.16.R", certified: QCVN135, certificate: "CN-135/2026/001"}
  - {id: cam-3, site: cong-lang, url: "rtsp://op:\${SHARED_PASS}@127.0.0.1:$P/3", connect_timeout: 1s, onvif: ""}
  - {id: cam-4, site: cong-lang, url: "rtsp://viewer:\${SHARED_PASS}@127.0.0.1:$P/4", connect_timeout: 1s,
     onvif: "http://127.0.0.1:$DEAD/onvif/device_service"}
  - {id: cam-5, site: cong-lang, url: "rtsp://admin:wrong-\${CAM1_PASS}@127.0.0.1:$P/5", connect_timeout: 1s,
     onvif: "http://127.0.0.1:$OPORT/onvif/device_service"}
EOT
[ -n "$RTSPS" ] && echo "  - {id: cam-6, site: cong-lang, url: \"rtsp://op6:Only-6-pw@127.0.0.9:$P/6\", connect_timeout: 1s, onvif: \"\"}" >> "$CFG"
DB=$T/camwatch.db
start_daemon "$CFG"   # its log and database are swept for the passwords too

set +e
"$BIN/camwatch" -c "$CFG" --lang en inventory --format json --timeout 3 > "$T/inv.json" 2> "$T/inv.err"; rc=$?
set -e
[ $rc = 1 ] || fail "inventory with warnings exited $rc: $(cat "$T/inv.err")"
j() { jq -r "$1" "$T/inv.json"; }
[ "$(j '.cameras[0] | [.maker, .model, .firmware, .source] | join("|")')" = "HIKVISION|DS-2CD1023G0E-I|V5.5.0 build 180111|onvif" ] \
  || fail "cam-1 from ONVIF: $(j '.cameras[0]')"
grep -q "GetDeviceInformation answered (digest + UsernameToken)" "$T/onvif.log" || fail "the responder saw no authenticated request: $(cat "$T/onvif.log")"
[ "$(j '.cameras[0].warnings | join(",")')" = old_firmware ] || fail "cam-1's firmware older than V5.5.800: $(j '.cameras[0].warnings')"
[ "$(j '.cameras[1] | [.maker, .model, .source, .certified, .certificate] | join("|")')" = "Dahua|IPC-HFW1230S|config|QCVN135|CN-135/2026/001" ] \
  || fail "cam-2 from the config: $(j '.cameras[1]')"
[ "$(j '.cameras[1].warnings | join(",")')" = factory_password ] || fail "cam-2's admin/12345 not flagged: $(j '.cameras[1].warnings')"
[ "$(j '.cameras[2].warnings | join(",")')" = shared_password ] && [ "$(j '.cameras[2].shared_with')" = cam-4 ] \
  && [ "$(j '.cameras[3].shared_with')" = cam-3 ] || fail "cam-3 and cam-4 share a password: $(j '.cameras[2,3]')"
[ "$(j '.cameras[0].shared_with')" = "" ] && [ "$(j '.cameras[4].warnings | length')" = 0 ] || fail "unshared passwords flagged"
j '.cameras[3].onvif_error' | grep -q "^no answer" || fail "cam-4's dead ONVIF port: $(j '.cameras[3].onvif_error')"
[ "$(j '.cameras[4].onvif_error')" = "refuses the user and password (HTTP 401)" ] && [ "$(j '.cameras[4].source')" = "" ] \
  || fail "cam-5's wrong password: $(j '.cameras[4]')"
if [ -n "$RTSPS" ]; then
  [ "$(j '.cameras[5].warnings | join(",")')" = rtsp_without_tls ] || fail "cam-6 offers RTSPS: $(j '.cameras[5]')"
  [ "$(j .warned)" = 5 ] || fail "warned: $(j .warned)"
else
  [ "$(j .warned)" = 4 ] || fail "warned: $(j .warned)"
fi
ok "ONVIF with digest: cam-1 HIKVISION DS-2CD1023G0E-I V5.5.0 (old firmware); cam-2 from the config, QCVN135, factory password; cam-3/cam-4 share one; a dead port and a refused password said"

"$BIN/camwatch" -c "$CFG" inventory --format csv --no-probe > "$T/inv.csv" || true
head -1 "$T/inv.csv" | grep -q '^"Camera","Tên","Điểm","Hãng","Model","Firmware"' || fail "CSV header: $(head -1 "$T/inv.csv")"
[ "$(wc -l < "$T/inv.csv")" = $(( $(j '.cameras | length') + 1 )) ] && grep -q '^"cam-2",.*"mật khẩu mặc định của hãng"' "$T/inv.csv" || fail "CSV: $(cat "$T/inv.csv")"
# a name a spreadsheet would run as a formula is written as text (as in the report's CSV)
grep -q '^"cam-2","'"'"'=1+1 (cổng phụ)",' "$T/inv.csv" || fail "CSV: cam-2's name '=1+1 ...' not kept from running as a formula: $(grep cam-2 "$T/inv.csv")"
"$BIN/camwatch" -c "$CFG" inventory --timeout 3 > "$T/inv.txt" || true
grep -q "CẢNH BÁO: dùng chung mật khẩu (với cam-4)" "$T/inv.txt" || fail "text: $(cat "$T/inv.txt")"
"$BIN/camwatch" -c "$CFG" inventory --format odt --out "$T/inv.odt" --timeout 3 || true
unzip -p "$T/inv.odt" mimetype | grep -qx "application/vnd.oasis.opendocument.text" && unzip -p "$T/inv.odt" content.xml > "$T/inv.content.xml" \
  || fail "the ODT is not a document"
grep -q "DANH SÁCH CAMERA AN NINH" "$T/inv.content.xml" && grep -q "DS-2CD1023G0E-I" "$T/inv.content.xml" \
  && grep -q "QCVN 135:2024/BTTTT" "$T/inv.content.xml" || fail "the ODT's table"
# the province opens it: LibreOffice reads it as a document with the table
if command -v soffice > /dev/null; then
  HOME=$T/lo-home timeout 180 soffice --headless --norestore --nolockcheck --convert-to txt:Text --outdir "$T/lo" "$T/inv.odt" > "$T/lo.log" 2>&1 \
    || fail "LibreOffice could not open the inventory: $(tail -3 "$T/lo.log")"
  grep -q "DS-2CD1023G0E-I" "$T/lo/inv.txt" && grep -q "mật khẩu mặc định của hãng" "$T/lo/inv.txt" || fail "LibreOffice's text of it: $(head -c 400 "$T/lo/inv.txt")"
fi
ok "CSV (Vietnamese headers, a row per camera), text and an ODT document ($(stat -c %s "$T/inv.odt") bytes)"

# camwatchd's own inventory: the API, the camera's answer and a metric
API="http://127.0.0.1:$HTTP_PORT"
for _ in $(seq 100); do
  curl -s "$API/api/v1/inventory" > "$T/api-inv.json"
  [ "$(jq -r '.cameras[0].source' "$T/api-inv.json")" = onvif ] && break
  sleep 0.2
done
[ "$(jq -r '.cameras[0] | [.maker, .model, .firmware] | join("|")' "$T/api-inv.json")" = "HIKVISION|DS-2CD1023G0E-I|V5.5.0 build 180111" ] \
  || fail "camwatchd's inventory: $(jq -c '.cameras[0]' "$T/api-inv.json")"
[ "$(jq -r '[.cameras[] | .camera + ":" + (.warnings | join(","))] | join(" ")' "$T/api-inv.json" | cut -d' ' -f1-5)" \
  = "cam-1:old_firmware cam-2:factory_password cam-3:shared_password cam-4:shared_password cam-5:" ] \
  || fail "camwatchd's warnings: $(jq -c '[.cameras[] | {camera, warnings}]' "$T/api-inv.json")"
[ "$(curl -s "$API/api/v1/cameras/cam-2" | jq -r '.security_warnings | join(",")')" = factory_password ] || fail "cam-2's security_warnings"
curl -s "$API/metrics" > "$T/metrics.txt"
grep -q '^camwatch_camera_security_warning{camera="cam-2",.*warning="factory_password"} 1$' "$T/metrics.txt" \
  && grep -q '^camwatch_camera_security_warning{camera="cam-5",.*warning="shared_password"} 0$' "$T/metrics.txt" \
  || fail "the metric: $(grep security_warning "$T/metrics.txt" | head -4)"
grep -q "inventory: $( [ -n "$RTSPS" ] && echo 6 || echo 5 ) camera(s), 1 described over ONVIF" "$T/camwatchd.log" || fail "camwatchd's log: $(grep inventory "$T/camwatchd.log")"
ok "camwatchd: /api/v1/inventory from ONVIF, each camera's security_warnings, camwatch_camera_security_warning; the same warnings as the CLI"

for f in inv.json inv.csv inv.txt inv.content.xml inv.err camwatchd.log api-inv.json metrics.txt; do
  ! grep -aqF -e "$CAM1_PASS" -e "$SHARED_PASS" -e ":12345@" "$T/$f" || fail "a password in $f"
done
stop_daemon
ok "no password in the lists, the document or the log (the sweep reads the database)"
