#!/usr/bin/env bash
# Prepares the test and demo footage in media/ (never committed):
#  - vtest.avi, real pedestrian footage from Debian's opencv-doc package,
#    extracted from the .deb without installing it;
#  - vtest-720p15.h264: the same re-encoded once to H.264 1280x720 at 15 fps,
#    a keyframe every 2 s, no B-frames, with access-unit delimiters, which
#    is what camsim serves without re-encoding;
#  - small synthetic clips for tests.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
cd "$HERE/.."
mkdir -p media
cd media

if [ ! -s vtest.avi ]; then
  tmp=$(mktemp -d)
  chmod 755 "$tmp"
  # apt-get download needs package lists; a fresh machine may have none yet.
  ( cd "$tmp" && { apt-get download opencv-doc >/dev/null 2>&1 || { apt-get update -qq && apt-get download opencv-doc >/dev/null; }; } )
  dpkg-deb --fsys-tarfile "$tmp"/opencv-doc_*.deb | tar -xO ./usr/share/doc/opencv-doc/examples/data/vtest.avi > vtest.avi.part
  mv vtest.avi.part vtest.avi
  rm -rf "$tmp"
  echo "media: extracted vtest.avi from opencv-doc"
fi

# encode OUT INPUT-ARGS... : H.264 the way cheap IP cameras send it.
encode() {
  local out=$1; shift
  [ -s "$out" ] && return 0
  ffmpeg -nostdin -loglevel error -y "$@" -an -c:v libx264 -preset veryfast -profile:v main \
    -pix_fmt yuv420p -g 30 -keyint_min 30 -sc_threshold 0 -bf 0 \
    -x264-params aud=1:repeat-headers=1 -f h264 "$out.part"
  mv "$out.part" "$out"
  echo "media: made $out"
}

# A small version for many-camera tests and the demo (cheap to serve and to decode).
encode vtest-360p15.h264 -i vtest.avi -vf "scale=640:360,fps=15"
"$HERE/make-clips.sh"
# `scripts/media.sh demo`: what the demo serves and no more (the night clips
# take minutes to encode)
[ "${1:-}" = demo ] && exit 0
encode vtest-720p15.h264 -i vtest.avi -vf "scale=1280:720,fps=15"
"$HERE/make-night-clips.sh"
