#!/usr/bin/env bash
# The motion plugin's own time per analysis, without the decoder: the
# 720p test stream decoded and scaled once to the luma the host hands it
# (640x360, 5 a second: 80 s, 398 frames), then timed in the plugin alone
# (tests/bench/plugin_time.c, best and median of 5 passes). BASELINE=SO
# (another build's motion.so) adds its row, its passes alternating with
# this build's, to compare in one run.
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
${CC:-cc} -O2 -Iplugins -o "$T/plugin_time" tests/bench/plugin_time.c -ldl
# through MP4 for timestamps (the raw stream has none: the fps filter would repeat frames)
ffmpeg -v error -r 15 -i media/vtest-720p15.h264 -c copy "$T/clip.mp4"
ffmpeg -v error -i "$T/clip.mp4" -vf fps=5,scale=640:360 -pix_fmt gray -f rawvideo "$T/frames.raw"
printf '| plugin (640x360 luma of the 720p stream, 5/s) | frames | positive | best ms / frame | median ms / frame |\n'
printf '|---|---|---|---|---|\n'
"$T/plugin_time" "$T/frames.raw" 640 360 1280 720 5 "$BUILD/plugins/motion.so" ${BASELINE:+"$BASELINE"}
