#!/usr/bin/env bash
# `make demo`: runs camsim with the demo network and camwatchd on
# config/demo.yaml, and shows `camwatch status` as the cameras come up and
# fail in their different ways. Runs until Ctrl-C, or DEMO_SECONDS if set.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
: "${DEMO_SECONDS:=0}"
# Where the demo keeps its files, its camsim port and its config: the test
# of this script runs its own copy beside a running `make demo`.
DEMO_DIR=${DEMO_DIR:-demo-data}
DEMO_PORT=${DEMO_PORT:-18554}
DEMO_CONFIG=${DEMO_CONFIG:-config/demo.yaml}
export DEMO_CAM_PASS=${DEMO_CAM_PASS:-demo-secret}
mkdir -p "$DEMO_DIR"
M=media

pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT INT TERM

rm -f "$DEMO_DIR"/camsim.ready
ASAN_OPTIONS=detect_leaks=0 "$BUILD"/camsim --port "$DEMO_PORT" --ready-file "$DEMO_DIR"/camsim.ready \
  --mount gate=file=$M/clips/motion.h264 \
  --mount school=file=$M/vtest-360p15.h264 \
  --mount park=file=$M/clips/covered.h264,auth=admin:"$DEMO_CAM_PASS" \
  --mount border=file=$M/vtest-360p15.h264,stall=20 \
  --mount flap=file=$M/vtest-360p15.h264,flap=40:20 \
  > "$DEMO_DIR"/camsim.log 2>&1 &
pids+=($!)
for _ in $(seq 50); do [ -f "$DEMO_DIR"/camsim.ready ] && break; sleep 0.1; done
[ -f "$DEMO_DIR"/camsim.ready ] || { echo "demo: camsim did not start; see $DEMO_DIR/camsim.log"; exit 1; }

"$BUILD"/camwatchd -c "$DEMO_CONFIG" 2> "$DEMO_DIR"/camwatchd.log &
pids+=($!)
echo "demo: camsim and camwatchd are running (logs in $DEMO_DIR/)"
listen=$(sed -n 's/^ *listen: *\([^ #]*\).*/\1/p' "$DEMO_CONFIG" | tail -1 | tr -d '"')
echo "demo: the web console: http://${listen:-127.0.0.1:9780}/ in a browser on this machine (the demo config"
echo "      has no users, so it opens without a login; an installed camwatch has users and passwords:"
echo "      README.md, 'Lắp đặt cho một xã / Installing for a commune')"
echo "demo: the same view any time: $BUILD/camwatch -c $DEMO_CONFIG status"
start=$(date +%s)
while :; do
  sleep 5
  echo
  echo "== camwatch status ($(date +%T)) =="
  "$BUILD"/camwatch -c "$DEMO_CONFIG" status
  if [ "$DEMO_SECONDS" -gt 0 ] && [ $(( $(date +%s) - start )) -ge "$DEMO_SECONDS" ]; then
    break
  fi
done
echo
echo "== camwatch events =="
"$BUILD"/camwatch -c "$DEMO_CONFIG" events
