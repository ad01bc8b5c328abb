#!/usr/bin/env bash
# Issue #27's yardstick, counted, not timed: callgrind's instructions for
# `camwatch analyze --plugin motion` over 20 s of the 1280x720 test stream
# against `ffmpeg -threads 1 -i CLIP -f null -` on the same clip, in one
# run; and the motion plugin's own instructions per analysed pixel
# (640x360 for this source), in all and per function of plugins/motion.c
# (what the compiler inlined counts in its caller). Instruction counts do
# not vary with the shared machine's load; CPU time does.
# Needs valgrind and the libhwy stand-in (tests/valgrind/hwy_shim.c).
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
make --no-print-directory -s "$BUILD/valgrind/libhwy.so.1" BUILD="$BUILD"
SECS=${MOTION_COST_SECONDS:-20}
# in MP4: frames with timestamps, so that the 5-a-second analysis gate works as in camwatchd
ffmpeg -v error -r 15 -i media/vtest-720p15.h264 -frames:v $((SECS * 15)) -c copy "$T/clip.mp4"
vg() { LD_LIBRARY_PATH="$BUILD/valgrind" valgrind --tool=callgrind --dump-line=yes --compress-strings=no \
  --compress-pos=no --callgrind-out-file="$1" "${@:2}" > /dev/null 2> "$1.log"; }
vg "$T/ff.out" ffmpeg -nostdin -threads 1 -i "$T/clip.mp4" -f null -
vg "$T/cw.out" "$BUILD/camwatch" analyze "$T/clip.mp4" --plugin-dir "$BUILD/plugins" --plugin motion
LD_LIBRARY_PATH="$BUILD/valgrind" "$BUILD/camwatch" analyze "$T/clip.mp4" --plugin-dir "$BUILD/plugins" --plugin motion \
  --gauges > "$T/an.txt"
analysed=$(sed -n 's/^summary .*analysed=\([0-9]*\).*/\1/p' "$T/an.txt")
python3 - "$T/ff.out" "$T/cw.out" "$analysed" "$SECS" <<'PY'
import re, sys
ff, cw, analysed, secs = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]

def total(path):
    for line in open(path):
        if line.startswith("summary:") or line.startswith("totals:"):
            return int(line.split()[1])
    raise SystemExit(path + ": no totals")

# self cost per function of the motion plugin (ob= names a function's
# object, fn= the function; what the compiler inlined counts in its
# caller, a row loop's AVX2 clone is "NAME.avx2"); by object, not by
# file: valgrind does not always read the plugin's line table, and then
# fl= is "???"; "LINE IR" lines are costs, except the one right after
# calls= (the call's inclusive cost)
cost, ob, fn, skip = {}, None, None, False
for line in open(cw):
    if line.startswith("ob="):
        ob = line[3:].strip()
        continue
    if line.startswith("fn="):
        fn = line[3:].strip()
        continue
    if line.startswith("calls="):
        skip = True
        continue
    m = re.match(r"^(\d+) (\d+)", line)
    if not m:
        continue
    if skip:
        skip = False
        continue
    if ob and ob.endswith("/motion.so"):
        cost[fn] = cost.get(fn, 0) + int(m.group(2))

tff, tcw = total(ff), total(cw)
plugin = sum(cost.values())
# the analysed picture: 640x360 for a 1280x720 source (analysis_width auto)
pixels = analysed * 640 * 360
print("| %-52s | %15s | %12s |" % ("callgrind, %s s of 1280x720 (vtest-720p15), %d analyses" % (secs, analysed), "instructions", "ratio"))
print("|%s|%s|%s|" % ("-" * 54, "-" * 17, "-" * 14))
print("| %-52s | %15s | %12s |" % ("ffmpeg -threads 1 -i CLIP -f null -", format(tff, ","), "1.00"))
print("| %-52s | %15s | %12s |" % ("camwatch analyze --plugin motion", format(tcw, ","), "%.2f x ffmpeg" % (tcw / tff)))
print("| %-52s | %15s | %12s |" % ("  of it the motion plugin (motion.so)", format(plugin, ","), "%.0f / pixel" % (plugin / pixels)))
for f, c in sorted(cost.items(), key=lambda kv: -kv[1]):
    if c >= plugin * 0.005:
        print("| %-52s | %15s | %12s |" % ("    " + f, format(c, ","), "%.1f / pixel" % (c / pixels)))
PY
