#!/usr/bin/env bash
# Snapshots people can read: `camwatch analyze` runs the daemon's own
# snapshot path over the motion clip (real footage), once as the daemon
# does and once without overlay (--plain-snapshots). Each event's JPEG is
# colour, at least 640 px wide; its box lines differ from the plain frame
# (red, where the plain one has the scene); the caption band under it has
# white text on black; elsewhere the two pictures agree.
. "$(dirname "$0")/lib.sh"
A() { "$BIN/camwatch" analyze --plugin-dir "$BIN/plugins" --plugin motion "$MEDIA/clips/motion.mp4" "$@"; }
mkdir -p "$T/over" "$T/plain"
A --snapshots "$T/over" > "$T/over.out" || fail "analyze: $(tail -3 "$T/over.out")"
A --snapshots "$T/plain" --plain-snapshots > "$T/plain.out" || fail "analyze --plain-snapshots"
n=$(ls "$T/over"/*.jpg | wc -l)
[ "$n" -ge 3 ] || fail "only $n snapshots"
for f in "$T/over"/*.jpg; do
  b=$(basename "$f")
  [ -f "$T/plain/$b" ] || fail "no plain twin of $b"
  read -r w h fmt < <(ffprobe -v error -show_entries stream=width,height,pix_fmt -of csv=p=0 "$f" | tr , ' ')
  read -r pw ph _ < <(ffprobe -v error -show_entries stream=width,height,pix_fmt -of csv=p=0 "$T/plain/$b" | tr , ' ')
  [ "$w" -ge 640 ] || fail "$b is $w px wide"
  [ "$fmt" = yuvj420p ] || fail "$b is $fmt"
  [ "$w" = "$pw" ] && [ "$h" -gt "$ph" ] || fail "$b: ${w}x$h with overlay, ${pw}x$ph plain: no caption band"
  ffmpeg -v error -y -i "$f" -f rawvideo -pix_fmt rgb24 "$T/o.rgb"
  ffmpeg -v error -y -i "$T/plain/$b" -f rawvideo -pix_fmt rgb24 "$T/p.rgb"
  python3 - "$T/o.rgb" "$T/p.rgb" "$w" "$h" "$ph" <<'PY' > "$T/check.out" || fail "$b: $(cat "$T/check.out")"
import sys
o = open(sys.argv[1], "rb").read(); p = open(sys.argv[2], "rb").read()
w, h, ph = int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
def px(buf, x, y): i = (y * w + x) * 3; return buf[i], buf[i + 1], buf[i + 2]
red = same = colour = 0
for y in range(0, ph, 2):
    for x in range(0, w, 2):
        r, g, b = px(o, x, y); pr, pg, pb = px(p, x, y)
        colour += abs(r - g) + abs(g - b) > 30
        if r > 170 and g < 90 and b < 90 and (pr < 150 or pg > 100):
            red += 1          # a box line over the scene
        elif abs(r - pr) + abs(g - pg) + abs(b - pb) < 40:
            same += 1
total = (ph // 2) * (w // 2)
band = [px(o, x, y) for y in range(ph + 2, h - 2) for x in range(w)]
white = sum(1 for c in band if min(c) > 200); black = sum(1 for c in band if max(c) < 40)
ok = red > 100 and same > 0.85 * total and colour > 0.05 * total and white > 50 and black > 0.6 * len(band)
print(f"red box pixels {red}, unchanged {same}/{total}, coloured {colour}, caption band white {white} black {black}/{len(band)}")
sys.exit(0 if ok else 1)
PY
  echo "    $b ${w}x$h: $(cat "$T/check.out")"
done
ok "$n event snapshots: colour JPEG >= 640 px, red boxes over the scene, a caption band; the rest equals the plain frame"
