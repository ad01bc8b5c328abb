#!/usr/bin/env bash
# The motion plugin's cost: `camwatch analyze --plugin motion` over the
# detection clips, CPU time (user + sys, best of 5) per analysed frame
# (5 a second; the decoding of the 3 frames between them included, as in
# the daemon), at default settings and with analysis_width=640.
# BASELINE=DIR (another build directory, e.g. of an older commit in a git
# worktree: its camwatch and plugins) adds its figures for comparison.
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

# run BUILD CLIP [ARGS...]: prints "ms_per_analysed_frame analysed"
run() {
  local dir=$1 clip=$2 best="" n=0; shift 2
  for _ in 1 2 3 4 5; do
    /usr/bin/time -f "%U %S" -o "$T/t" "$dir"/camwatch analyze "media/clips/$clip.mp4" --plugin-dir "$dir/plugins" \
      --plugin motion "$@" > "$T/out"
    read -r u s < "$T/t"
    n=$(sed -n 's/^summary .*analysed=\([0-9]*\).*/\1/p' "$T/out")
    c=$(awk -v u="$u" -v s="$s" 'BEGIN { print u + s }')
    if [ -z "$best" ] || awk -v a="$c" -v b="$best" 'BEGIN { exit !(a < b) }'; then best=$c; fi
  done
  awk -v c="$best" -v n="$n" 'BEGIN { printf "%.2f %d\n", 1000 * c / n, n }'
}

printf '| %-18s | %-34s | %9s | %18s |\n' clip settings analysed "CPU ms / analysis"
printf '|%s|%s|%s|%s|\n' -------------------- ------------------------------------ ----------- --------------------
for clip in motion night-headlights far-people; do
  for variant in default wide; do
    args=()
    [ "$variant" = wide ] && args=(--set motion.analysis_width=640)
    if [ -n "${BASELINE:-}" ] && [ "$variant" = default ]; then
      read -r ms n < <(run "$BASELINE" "$clip")
      printf '| %-18s | %-34s | %9s | %18s |\n' "$clip" "baseline ($(basename "$(dirname "$BASELINE")"))" "$n" "$ms"
    fi
    read -r ms n < <(run "$BUILD" "$clip" "${args[@]}")
    printf '| %-18s | %-34s | %9s | %18s |\n' "$clip" "${args[*]:-default}" "$n" "$ms"
  done
done
