#!/usr/bin/env bash
# Detection on clips with known ground truth (scripts/make-clips.sh, from
# real footage), through `camwatch analyze` - the daemon's own pipeline
# over a file:
#  - motion: recall >= 0.95 over the moving segments of tests/data/clips/
#    motion.truth and no event in still or brightness-ramp segments;
#  - activity (no decoding) raises no event on the motion clip nor on its
#    harder copies (more sensor noise; light falling through the whole
#    clip), and its 2-second levels are higher over every moving segment
#    than over every still or ramp segment of the motion and dusk clips
#    (printed for the noisy one, where they overlap: why it is a level);
#    it decodes no frame;
#  - imagehealth: black, frozen, covered and blurred clips each raise
#    exactly their own flag within 10 s of the condition starting (at 10 s),
#    the healthy clip none; keyframes only are decoded;
#  - event snapshots are JPEG files.
. "$(dirname "$0")/lib.sh"
CLIPS=$MEDIA/clips
TRUTH=$ROOT/tests/data/clips/motion.truth
A() { "$BIN/camwatch" analyze --plugin-dir "$BIN/plugins" "$@"; }

# levels TRUTH OUT : per truth segment (its first 2 s left out: the window
# still holds the cut), the lowest and highest 2-second level inside it;
# prints "moving_min other_max" and the segments on stderr.
levels() {
  awk '
    FNR == NR { if ($1 !~ /^#/ && NF == 3) { kind[++n] = $1; s[n] = $2; e[n] = $3 } next }
    $1 == "level" {
      split($3, a, "="); split($4, b, "="); split($5, m, "=")
      for (i = 1; i <= n; i++)
        if (a[2] >= s[i] + 2 && b[2] <= e[i]) {
          if (kind[i] == "moving") { if (mmin == "" || m[2] < mmin) mmin = m[2] }
          else if (omax == "" || m[2] > omax) omax = m[2]
        }
    }
    END { printf "%.3f %.3f\n", mmin, omax }' "$1" "$2"
}

A "$CLIPS/motion.mp4" --plugin motion --snapshots "$T" > "$T/motion.out"
# the same scorer as test_night_motion (found = in time or late)
motion_score "$TRUTH" "$T/motion.out" "$T/motion.score"
m_found=$((S_in_time + S_late)) m_total=$S_walking m_fp=$S_false
[ "$m_total" -gt 0 ] || fail "no moving segment in $TRUTH"
m_events=$(grep -c '^event motion ' "$T/motion.out" || true)
printf 'ok: %-9s recall %.2f (%d/%d moving segments), false alarms %d, %s\n' motion "$(awk -v f="$m_found" -v t="$m_total" 'BEGIN { print f / t }')" \
  "$m_found" "$m_total" "$m_fp" "$(sed -n 's/^summary //p' "$T/motion.out")"
awk -v f="$m_found" -v t="$m_total" 'BEGIN { exit !(f / t >= 0.95) }' || fail "motion found $m_found of $m_total moving segments: $(cat "$T/motion.score")"
[ "$m_fp" = 0 ] || fail "motion raised $m_fp event(s) outside the moving segments: $(cat "$T/motion.score")"
ok "motion meets recall >= 0.95 with no false alarm"

for c in motion motion-dusk motion-noise; do
  A "$CLIPS/$c.mp4" --plugin activity --levels 2 > "$T/activity-$c.out"
  grep -q '^summary mode=none .* decoded=0 ' "$T/activity-$c.out" || fail "activity decoded frames on $c: $(tail -1 "$T/activity-$c.out")"
  ! grep -q '^event' "$T/activity-$c.out" || fail "activity raised events on $c: $(grep '^event' "$T/activity-$c.out")"
  read -r lo_moving hi_still < <(levels "$TRUTH" "$T/activity-$c.out")
  if [ "$c" = motion-noise ]; then
    ok "activity on $c: no event; levels: moving segments from $lo_moving, still/ramp up to $hi_still (noise drowns the size signal)"
    continue
  fi
  awk -v m="$lo_moving" -v s="$hi_still" 'BEGIN { exit !(m > s) }' \
    || fail "activity on $c: a moving segment's level $lo_moving is not above every still one ($hi_still): $(grep '^level' "$T/activity-$c.out")"
  ok "activity on $c: no event, no frame decoded; 2 s levels over moving segments >= $lo_moving, still/ramp <= $hi_still"
done

n=0
for j in "$T"/motion-*.jpg; do
  [ -s "$j" ] || fail "no snapshot written"
  [ "$(head -c 2 "$j" | od -An -tx1 | tr -d ' ')" = ffd8 ] || fail "$j is not a JPEG"
  # the daemon's snapshot: the clip's frame, colour, at least 640 wide (test_snapshots looks closer)
  ffprobe -v error -select_streams v:0 -show_entries stream=codec_name,width -of csv=p=0 "$j" | grep -q '^mjpeg,640$' \
    || fail "$j does not decode as a 640-wide JPEG"
  n=$((n + 1))
done
[ "$n" = "$m_events" ] || fail "$n snapshots for $m_events events"
ok "$n event snapshots decode as JPEG"

for c in healthy black frozen covered blurred; do
  A "$CLIPS/$c.mp4" --plugin imagehealth > "$T/$c.out"
  grep -q '^summary mode=keyframes packets=450 decoded=15 ' "$T/$c.out" || fail "$c: $(tail -1 "$T/$c.out")"
  # every flag raised while the clip runs (the last line is the end of the file)
  flags=$(awk '$1 == "health" && $2 != "t=29.933" && $3 != "ok" { n = split($3, f, ","); for (i = 1; i <= n; i++) print f[i] }' "$T/$c.out" | sort -u | tr '\n' ' ')
  first=$(awk -v c="$c" '$1 == "health" && $3 ~ c { split($2, a, "="); print a[2]; exit }' "$T/$c.out")
  if [ "$c" = healthy ]; then
    [ -z "$flags" ] || fail "healthy clip raised: $flags"
    ok "healthy: no flag (15 keyframes decoded of 450 packets)"
    continue
  fi
  [ "$flags" = "$c " ] || fail "$c clip raised '$flags', want exactly '$c'"
  awk -v t="$first" 'BEGIN { exit !(t >= 10 && t <= 20) }' || fail "$c raised at ${first:-never} (condition from 10 s)"
  ok "$c: only '$c', raised $(awk -v t="$first" 'BEGIN { printf "%.1f", t - 10 }') s after the condition began"
done

# The frames no plugin takes before a keyframe are not decoded (motion
# takes every third of 15 a second; with a keyframe every 2 s the last two
# of each 30 are nobody's), and nothing is lost when the camera's keyframe
# interval changes: the packets held for a keyframe that comes late are
# decoded after all. The clip's keyframes come every 2 s for 20 s, every
# 3 s for 20 s, then every second; the analyses must be the rate gate's
# every third frame whatever the decoder skipped.
sum_field() { sed -n "s/^summary .* $1=\([0-9]*\).*/\1/p" "$2"; }
grep -q '^summary .* skipped=' "$T/motion.out" || fail "the summary says nothing of frames skipped: $(tail -1 "$T/motion.out")"
p=$(sum_field packets "$T/motion.out") d=$(sum_field decoded "$T/motion.out") k=$(sum_field skipped "$T/motion.out") a=$(sum_field analysed "$T/motion.out")
[ $((d + k)) = "$p" ] || fail "motion clip: $d decoded + $k skipped != $p packets"
# after the 4 keyframes that make the rhythm steady, 2 of every 30 frames
[ "$k" -ge $(( (p / 30 - 4) * 2 )) ] || fail "motion clip: only $k frames skipped of $p (keyframe every 2 s)"
[ "$a" = $(( (p + 2) / 3 )) ] || fail "motion clip: $a analyses, the rate gate takes $(( (p + 2) / 3 ))"
ok "motion clip: $k of $p frames not decoded (nobody's before a keyframe), $a analyses as the rate gate takes"
ffmpeg -v error -i "$MEDIA/vtest-360p15.h264" -t 60 -r 15 -c:v libx264 -preset veryfast -bf 0 -refs 1 -g 1000 -sc_threshold 0 \
  -force_key_frames 'expr:if(lt(t,20),gte(t,n_forced*2),if(lt(t,40),gte(t,20+(n_forced-10)*3),gte(t,40+(n_forced-17))))' \
  "$T/gop.mp4" || fail "could not make the clip with changing keyframe intervals"
A "$T/gop.mp4" --plugin motion > "$T/gop.out"
p=$(sum_field packets "$T/gop.out") k=$(sum_field skipped "$T/gop.out") a=$(sum_field analysed "$T/gop.out")
[ "$p" = 900 ] || fail "the clip has $p packets, want 900"
[ "$a" = 300 ] || fail "keyframe interval changing: $a analyses, want 300 (every third frame): frames held for a late keyframe were lost"
[ "$k" -gt 0 ] || fail "keyframe interval changing: no frame skipped"
ok "keyframes every 2, 3, then 1 s: all 300 analyses made, $k frames not decoded"
