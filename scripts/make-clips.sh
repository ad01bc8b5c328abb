#!/usr/bin/env bash
# Detection test clips from real footage (media/vtest.avi), 640x360 at
# 15 fps, keyframe every 2 s: written to media/clips/ as .mp4 (for
# `camwatch analyze`) and .h264 (for camsim). The ground truth of the motion
# clip is tests/data/clips/motion.truth; the recipe below is what makes it
# true, so the two change together.
set -euo pipefail
cd "$(dirname "$0")/../media"
mkdir -p clips
ENC=(-an -c:v libx264 -preset veryfast -profile:v main -pix_fmt yuv420p -g 30 -keyint_min 30 -sc_threshold 0
     -bf 0 -x264-params aud=1:repeat-headers=1 -r 15 -threads 1)
# One encoder thread and seeded noise: the same clips on every machine. With
# threads x264 gave other frames on every run (same input, two encodes of
# night-headlights differed from frame 1 on); with ffmpeg's default noise
# seed (random) every clone tested other footage.
BASE="scale=640:360,fps=15,format=yuv420p"
NOISE="noise=alls=6:allf=t:all_seed=1"   # sensor noise, different in every frame

# clip NAME FILTERGRAPH [INPUT]: encodes INPUT (vtest.avi) through the graph
# (output [v]).
clip() {
  local name=$1 graph=$2 input=${3:-vtest.avi}
  # the recipe: the graph, the encoder, and the input's own recipe when the
  # input is a clip; a clip made by another recipe is made again
  local recipe="$graph ${ENC[*]} $input $(cat "${input%.mp4}.recipe" 2>/dev/null || true)"
  if [ -s "clips/$name.mp4" ] && [ -s "clips/$name.h264" ] &&
     [ "$(cat "clips/$name.recipe" 2>/dev/null)" = "$recipe" ]; then
    return 0
  fi
  ffmpeg -nostdin -loglevel error -y -i "$input" -filter_complex "$graph" -map "[v]" "${ENC[@]}" "clips/$name.tmp.mp4"
  ffmpeg -nostdin -loglevel error -y -i "clips/$name.tmp.mp4" -c copy -bsf:v h264_mp4toannexb -f h264 "clips/$name.h264"
  mv "clips/$name.tmp.mp4" "clips/$name.mp4"
  printf '%s' "$recipe" > "clips/$name.recipe"
  echo "media: made clips/$name"
}

# still T DUR LABEL: vtest's frame at T frozen for DUR s, with sensor noise.
still() { echo "[0:v]trim=start=$1:duration=0.2,setpts=PTS-STARTPTS,$BASE,trim=end_frame=1,loop=loop=$(( $2 * 15 - 1 )):size=1,setpts=N/15/TB,$NOISE[$3]"; }
# moving A B LABEL: vtest from A to B s.
moving() { echo "[0:v]trim=start=$1:end=$2,setpts=PTS-STARTPTS,$BASE,$NOISE[$3]"; }
# ramp T DUR FROM TO LABEL: frozen frame with brightness going FROM -> TO.
ramp() { echo "[0:v]trim=start=$1:duration=0.2,setpts=PTS-STARTPTS,$BASE,trim=end_frame=1,loop=loop=$(( $2 * 15 - 1 )):size=1,setpts=N/15/TB,eq=brightness='$3+($4-($3))*t/$2':eval=frame,$NOISE[$5]"; }

# Motion: people walk (vtest runs on), stop (a still with noise), walk on;
# twice the light changes slowly over a still scene. See motion.truth.
clip motion "$(still 0 8 s0);$(moving 0 6 m1);$(still 6 8 s1);$(moving 6 12 m2);$(ramp 12 10 0 0.22 r1);\
$(moving 12 18 m3);$(still 18 8 s2);$(moving 18 24 m4);$(ramp 24 10 0 -0.22 r2);$(moving 24 30 m5);$(still 30 8 s3);\
[s0][m1][s1][m2][r1][m3][s2][m4][r2][m5][s3]concat=n=11:v=1:a=0[v]"

# The motion clip made harder, same truth: more sensor noise over everything
# (a cheap camera at dusk), and the light falling slowly through the whole
# clip (brightness -0.3 over its 82 s), still segments included.
clip motion-noise "[0:v]noise=alls=8:allf=t:all_seed=1[v]" clips/motion.mp4
clip motion-dusk "[0:v]eq=brightness='-0.3*t/82':eval=frame[v]" clips/motion.mp4

# Image health: 10 s of healthy picture, then 20 s of the condition.
HEALTHY="[0:v]trim=start=0:end=10,setpts=PTS-STARTPTS,$BASE[h]"
clip healthy "[0:v]trim=start=0:end=30,setpts=PTS-STARTPTS,$BASE[v]"
clip black "$HEALTHY;color=c=black:s=640x360:r=15:d=20,format=yuv420p,noise=alls=3:allf=t:all_seed=1[c];[h][c]concat=n=2:v=1:a=0[v]"
clip covered "$HEALTHY;color=c=0x3a3028:s=640x360:r=15:d=20,format=yuv420p,noise=alls=3:allf=t:all_seed=1[c];[h][c]concat=n=2:v=1:a=0[v]"
clip blurred "$HEALTHY;[0:v]trim=start=10:end=30,setpts=PTS-STARTPTS,$BASE,gblur=sigma=8[c];[h][c]concat=n=2:v=1:a=0[v]"
clip frozen "$HEALTHY;[0:v]trim=start=10:duration=0.2,setpts=PTS-STARTPTS,$BASE,trim=end_frame=1,loop=loop=299:size=1,setpts=N/15/TB[c];[h][c]concat=n=2:v=1:a=0[v]"
