#!/usr/bin/env bash
# The clips a commune camera faces through a night (issue #18), made from the
# real footage (media/vtest.avi) with ffmpeg, into media/clips/ (.mp4, for
# `camwatch analyze`). Each clip's frame-exact truth is written beside the
# recipe to tests/data/clips/NAME.truth by this script, so the two cannot
# drift apart: every segment is a whole number of seconds at 15 fps.
#
#   night-dark        IR night: grey, dark, heavy sensor noise; people walk
#   night-headlights  the same night, a headlight pool sweeps across the
#                     still scene between the walks
#   day-shadows       daylight, soft cloud shadows drift over the still scene
#   night-insects     IR night, bright out-of-focus insects dart near the lens
#   far-people        1280x720, the people 20-45 px tall (vtest at 1/4 inset
#                     into a wider view)
#   night-still       10 minutes of a dark noisy still scene (no truth file:
#                     all of it is still)
#   ir-switch         the camera switches between day (colour) and IR night
#                     (grey, a third of the gain, noisy) and back: on a still
#                     scene, in the middle of a walk, as a walk begins (#27)
#   rain              daylight; rain streaks over the whole picture all along,
#                     people walk through it (#27)
#   wind              daylight; the camera shakes in the wind (the picture
#                     displaced by up to 6 px at 1.3-2 Hz) all along, people
#                     walk (#27)
#
# Segment kinds: moving (people walking), still (a frozen frame with noise),
# and the nuisance kinds headlights, shadow, insects over a frozen frame.
# Every nuisance segment is kept 6 s from the nearest walking segment.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
TRUTHDIR=$HERE/../tests/data/clips
cd "$HERE/../media"
mkdir -p clips
ENC=(-an -c:v libx264 -preset ultrafast -profile:v main -pix_fmt yuv420p -g 30 -keyint_min 30 -sc_threshold 0
     -bf 0 -r 15 -crf 23 -maxrate 1000k -bufsize 1000k -threads 1) # one thread: see make-clips.sh

# Cheap cameras send 1 Mbit/s at 640x360 (3 at 720p): the noise is partly
# coded away, as on a real substream.
# Looks: what the camera makes of the scene. A night in IR is grey, dark and
# noisy (gain turned up); the day is the footage with light sensor noise.
NIGHT_DARK="hue=s=0,lutyuv=y='val*0.32+10'"
# The noise has a fixed seed: ffmpeg draws a random one otherwise, and every
# clone tested other clips (a clean clone's night-headlights once raised a
# false alarm the same test had never shown here). Seeds 1-12 under the
# motion plugin: 11 clean, seed 7 one event too many (see motion.c's light
# fragment rule); 1 is the one used.
NIGHT_NOISE="noise=alls=14:allf=t:all_seed=1"
DAY_DARK="null"
DAY_NOISE="noise=alls=6:allf=t:all_seed=1"

# Nuisances, as ffmpeg geq expressions over a frozen frame (T: seconds into
# the segment). PRE acts on the scene's light before the camera's look (a
# cloud shadow takes daylight away); POST acts on the sensor's reading (a
# headlight multiplies what the wall reflects above the black level, and
# clips at white where the sensor does; an insect lit by the IR LEDs adds
# light inside the lens).
# Headlights: an elliptic pool 3.5x the ambient light crossing the view
# left to right in 4 s, twice per segment.
HEADLIGHTS="geq=lum='min(255,10+(lum(X,Y)-10)*(1+2.5*exp(-(pow(X-(mod(T*235,940)-150),2)/9800+pow(Y-210,2)/4050))))':cb=128:cr=128"
# Cloud shadow: a broad patch taking 55 % of the light, its edge ~40 px wide, drifting
# across at 80 px/s.
SHADOW="geq=lum='lum(X,Y)*(1-0.6*exp(-pow(pow((X+220-80*T)/190,2)+pow((Y-170)/130,2),3)))':cb='cb(X,Y)':cr='cr(X,Y)'"
# Insects: two defocused bright discs (sigma 9 and 13 px), darting on fast
# irregular paths and in and out of the IR light.
INSECTS="geq=lum='min(255,lum(X,Y)+gt(sin(T*1.3),-0.4)*190*exp(-(pow(X-320-250*sin(T*2.3)-60*sin(T*9.1),2)+pow(Y-180-110*sin(T*1.7+1)-40*sin(T*7.3),2))/162)+gt(sin(T*0.9+2),0)*160*exp(-(pow(X-200-180*sin(T*3.1+2),2)+pow(Y-120-90*sin(T*2.2),2))/338))':cb=128:cr=128"

BASE="scale=640:360,fps=15,format=yuv420p"

# Segment builders; each echoes one labelled filter chain and appends a truth
# line. $at is the clip time so far, $n the label counter.
# look [day|night]: the segment's dark and noise filters (none: the
# caller's $dark and $noise), for clips whose camera switches between them
look() {
  case ${1:-} in
    day) sdark=$DAY_DARK snoise=$DAY_NOISE ;;
    night) sdark=$NIGHT_DARK snoise=$NIGHT_NOISE ;;
    *) sdark=$dark snoise=$noise ;;
  esac
}
seg_still() { # T DUR [LOOK]: vtest's frame at T held
  local t=$1 d=$2 sdark snoise
  look "${3:-}"
  parts+="[0:v]trim=start=$t:duration=0.2,setpts=PTS-STARTPTS,$base,trim=end_frame=1,loop=loop=$((d * 15 - 1)):size=1,setpts=N/15/TB,$sdark,$snoise[s$n];"
  truth+="still $at $((at + d))"$'\n'; at=$((at + d)); n=$((n + 1))
}
seg_moving() { # A B [LOOK]: vtest from A to B s; a walk that goes on from the
  # last segment (another look: the camera switched during it) is one walk
  local a=$1 b=$2 sdark snoise
  look "${3:-}"
  parts+="[0:v]trim=start=$a:end=$b,setpts=PTS-STARTPTS,$base,$sdark,$snoise[s$n];"
  local prev=${truth%$'\n'}
  prev=${prev##*$'\n'}
  if [ "${prev%% *}" = moving ] && [ "${prev##* }" = "$at" ] && [ "$a" = "${last_moving_end:-}" ]; then
    truth=${truth%"$prev"$'\n'}
    truth+="${prev% *} $((at + b - a))"$'\n'
  else
    truth+="moving $at $((at + b - a))"$'\n'
  fi
  last_moving_end=$b; at=$((at + b - a)); n=$((n + 1))
}
seg_nuisance() { # KIND T DUR PRE POST: a frozen frame at T with a nuisance
  local kind=$1 t=$2 d=$3 pre=$4 post=$5
  parts+="[0:v]trim=start=$t:duration=0.2,setpts=PTS-STARTPTS,$base,trim=end_frame=1,loop=loop=$((d * 15 - 1)):size=1,setpts=N/15/TB,$pre,$dark,$post,$noise[s$n];"
  truth+="$kind $at $((at + d))"$'\n'; at=$((at + d)); n=$((n + 1))
}

# build NAME DESCRIPTION PLAN...: PLAN words are still:T:D[:LOOK],
# moving:A:B[:LOOK], nuis:KIND:T:D (the nuisance comes from $pre/$post of
# the caller).
build() {
  local name=$1 desc=$2; shift 2
  parts="" truth="" at=0 n=0 last_moving_end=""
  local w
  for w in "$@"; do
    IFS=: read -r k a b c <<<"$w"
    case $k in
      still) seg_still "$a" "$b" "$c" ;;
      moving) seg_moving "$a" "$b" "$c" ;;
      nuis) seg_nuisance "$a" "$b" "$c" "$pre" "$post" ;;
    esac
  done
  local labels="" i
  for ((i = 0; i < n; i++)); do labels+="[s$i]"; done
  if [ -n "$desc" ]; then
    { echo "# Segments of media/clips/$name.mp4 (seconds): kind start end"
      echo "# $desc"
      echo "# Made by scripts/make-night-clips.sh (frame-exact: whole seconds at 15 fps)."
      printf '%s' "$truth"; } > "$TRUTHDIR/$name.truth.new"
    if ! cmp -s "$TRUTHDIR/$name.truth.new" "$TRUTHDIR/$name.truth" 2>/dev/null; then
      mv "$TRUTHDIR/$name.truth.new" "$TRUTHDIR/$name.truth"
      rm -f "clips/$name.mp4" # the recipe changed: make the clip again
    else
      rm -f "$TRUTHDIR/$name.truth.new"
    fi
  fi
  # the whole filter graph is the recipe: a clip made by another one
  # (another seed, another look) is made again
  local recipe="${parts}${labels}concat=n=$n:v=1:a=0${final:+,$final}"
  local made="$recipe ${ENC[*]}"
  if [ -s "clips/$name.mp4" ] && [ "$(cat "clips/$name.recipe" 2>/dev/null)" = "$made" ]; then
    return 0
  fi
  rm -f "clips/$name.mp4"
  # as many encodes at once as there are cores: the filters run on one
  while [ "$(jobs -rp | wc -l)" -ge "$(nproc)" ]; do wait -n || exit 1; done
  ( ffmpeg -nostdin -loglevel error -y -i vtest.avi -filter_complex "$recipe[v]" \
      -map "[v]" "${ENC[@]}" "clips/$name.tmp.mp4" &&
    mv "clips/$name.tmp.mp4" "clips/$name.mp4" && printf '%s' "$made" > "clips/$name.recipe" &&
    echo "media: made clips/$name" ) &
}

# The walks and the gaps between them are the same in every clip: 8 s to
# learn, then four walks of 6 s; each gap is a still frame of 6 s, the
# nuisance (8 s, shadows 12 s), 6 s still again.
plan() { # NUISANCE-DURATION (0: none, the gap is 14 s of still)
  local d=$1 w=() t
  w+=(still:0:8)
  for t in 0 12 30 48; do
    w+=("moving:$t:$((t + 6))")
    if [ "$d" = 0 ]; then
      w+=("still:$((t + 6)):14")
    else
      w+=("still:$((t + 6)):6" "nuis:X:$((t + 6)):$d" "still:$((t + 6)):6")
    fi
  done
  printf '%s\n' "${w[@]}"
}
# nuis:X:T:D -> nuis:KIND:T:D
kind_plan() { plan "$2" | sed "s/^nuis:X:/nuis:$1:/"; }

base=$BASE final=""
dark=$NIGHT_DARK noise=$NIGHT_NOISE pre=null post=null
mapfile -t P < <(plan 0)
build night-dark "IR night (grey, dark, heavy sensor noise); people walk, the scene stands still between." "${P[@]}"

pre=null post=$HEADLIGHTS
mapfile -t P < <(kind_plan headlights 8)
build night-headlights "IR night; between the walks a headlight pool sweeps across the still scene twice." "${P[@]}"

dark=$DAY_DARK noise=$DAY_NOISE pre=$SHADOW post=null
mapfile -t P < <(kind_plan shadow 12)
build day-shadows "Daylight; between the walks a cloud shadow (55 % of the light) drifts across the still scene." "${P[@]}"

dark=$NIGHT_DARK noise=$NIGHT_NOISE pre=null post=$INSECTS
mapfile -t P < <(kind_plan insects 8)
build night-insects "IR night; between the walks bright out-of-focus insects dart in front of the lens." "${P[@]}"

# Far people: the footage at a quarter of its size (192x144) inset into the
# same scene enlarged to 1280x720, the rest of which stands still.
dark=null noise=null pre=null post=null
base="scale=192:144,fps=15,format=yuv420p"
final="null"
mapfile -t P < <(plan 0)
FARBG="[1:v]trim=start=0:duration=0.2,setpts=PTS-STARTPTS,scale=1280:720,fps=15,format=yuv420p,trim=end_frame=1,loop=loop=-1:size=1,setpts=N/15/TB[bg];"
# the inset clip is made first, then laid over the still background
build far-inset "" "${P[@]}"
far_truth=$truth
while [ ! -s clips/far-inset.mp4 ] && [ -n "$(jobs -rp)" ]; do wait -n || exit 1; done
[ -s clips/far-inset.mp4 ] || { echo "media: far-inset was not made" >&2; exit 1; }
ENC_HD=("${ENC[@]/1000k/3000k}") # a 720p main stream gets more bits than a 360p one
far_graph="${FARBG}[bg][0:v]overlay=x=700:y=300:shortest=1,$DAY_NOISE[v]"
far_made="$(cat clips/far-inset.recipe) $far_graph ${ENC_HD[*]}"
if [ ! -s clips/far-people.mp4 ] || ! printf '%s' "$far_truth" | cmp -s - <(grep -v '^#' "$TRUTHDIR/far-people.truth" 2>/dev/null) ||
   [ "$(cat clips/far-people.recipe 2>/dev/null)" != "$far_made" ]; then
  ffmpeg -nostdin -loglevel error -y -i clips/far-inset.mp4 -i vtest.avi -filter_complex \
    "$far_graph" -map "[v]" "${ENC_HD[@]}" clips/far-people.tmp.mp4
  mv clips/far-people.tmp.mp4 clips/far-people.mp4
  printf '%s' "$far_made" > clips/far-people.recipe
  { echo "# Segments of media/clips/far-people.mp4 (seconds): kind start end"
    echo "# 1280x720: vtest at 1/4 (people 20-45 px tall) inset at 700,300 into the same scene enlarged."
    echo "# Made by scripts/make-night-clips.sh (frame-exact: whole seconds at 15 fps)."
    printf '%s' "$far_truth"; } > "$TRUTHDIR/far-people.truth"
  echo "media: made clips/far-people"
fi

# The IR switch (#27): the camera's look changes at once, day (colour) to
# IR night (grey, a third of the gain, heavy noise) and back: on the still
# scene (day to night at 20 s, night to day at 66 s), in the middle of a
# walk (night to day at 43 s), as a walk begins (day to night at 52 s).
# Walks before, during and after.
base=$BASE final="" dark=$DAY_DARK noise=$DAY_NOISE pre=null post=null
build ir-switch "The camera switches between day and IR night: on a still scene, during a walk, as a walk begins." \
  still:0:8:day moving:0:6:day still:6:6:day still:6:8:night moving:12:18:night still:18:6:night \
  moving:30:33:night moving:33:36:day still:36:6:day moving:48:54:night still:54:8:night still:54:6:day

# Rain (#27): streaks 12 px long falling 35 px a frame in 2 px columns, a
# ninth of the columns raining at a time and changing every 4 frames (short-
# lived, scattered), 45 levels brighter, over the whole clip; people walk.
RAIN="geq=lum='min(255,lum(X,Y)+45*lt(mod(floor(X/2)*7919+floor(N/4)*104729,9),1)*lt(mod(Y+mod(floor(X/2)*137,70)+70-mod(N*35,70),70),12))':cb='cb(X,Y)':cr='cr(X,Y)'"
final=$RAIN
mapfile -t P < <(plan 0)
build rain "Daylight; rain streaks fall over the whole picture all along; people walk through it." "${P[@]}"

# Wind (#27): the camera shakes, the picture displaced by up to 6 px
# across at 2 Hz and 4 px down at 1.3 Hz (cropped 8 px in, scaled back).
final="crop=624:344:'8+6*sin(2*PI*2*t)':'8+4*sin(2*PI*1.3*t+1)',scale=640:360,format=yuv420p"
mapfile -t P < <(plan 0)
build wind "Daylight; the camera shakes in the wind (up to 6 px at 1.3-2 Hz) all along; people walk." "${P[@]}"
final=""

# Ten minutes of a dark noisy still night: no event, and the motion plugin's
# brightness compensation must not drift.
base=$BASE final="" dark=$NIGHT_DARK noise=$NIGHT_NOISE
build night-still "" still:20:600
while [ -n "$(jobs -rp)" ]; do wait -n || exit 1; done
for c in night-dark night-headlights day-shadows night-insects far-people night-still ir-switch rain wind; do
  [ -s "clips/$c.mp4" ] || { echo "media: clips/$c.mp4 was not made" >&2; exit 1; }
done
