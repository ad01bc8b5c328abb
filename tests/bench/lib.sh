# Helpers shared by the benchmark scripts: a scratch folder and cleanup,
# free loopback ports, CPU and RSS from /proc, camsim with N 720p15
# mounts, and a camwatchd config for N cameras on them.
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
T=$(mktemp -d)
PIDS=()
trap 'for p in "${PIDS[@]:-}"; do kill -KILL "$p" 2>/dev/null || true; done; rm -rf "$T"' EXIT
HZ=$(getconf CLK_TCK)

# (24000-32767: below the ephemeral range, above the truth test's own ports)
free_port() { while :; do p=$(( 24000 + RANDOM % 8768 )); ss -Hltn "sport = :$p" | grep -q . || { echo $p; return; }; done; }
# CPU seconds (user + system) a process has used so far
cpu_of() { awk -v hz="$HZ" '{ print ($14 + $15) / hz }' "/proc/$1/stat"; }
rss_of() { awk '/VmRSS/ { print $2 }' "/proc/$1/status"; }

# start_camsim_720 N : camsim on a free port ($PORT) with mounts c1..cN of
# the 720p15 footage; its pid in $CS.
start_camsim_720() {
  local args=()
  PORT=$(free_port)
  for i in $(seq "$1"); do args+=(--mount "c$i=file=media/vtest-720p15.h264"); done
  rm -f "$T/ready"
  "$BUILD"/camsim --port "$PORT" --ready-file "$T/ready" "${args[@]}" > "$T/camsim.log" 2>&1 &
  CS=$!; PIDS+=($CS)
  for _ in $(seq 200); do [ -f "$T/ready" ] && return 0; sleep 0.05; done
  echo "camsim did not start: $(tail -3 "$T/camsim.log")" >&2; return 1
}

# write_cw_config FILE DB N PLUGINS : cameras c1..cN on camsim's $PORT,
# each running PLUGINS (a YAML list), no HTTP.
write_cw_config() {
  cat > "$1" <<EOT
daemon: {database: $2, state_dir: $T/state, log_level: warn, plugin_dir: $PWD/$BUILD/plugins}
http: {listen: ""}
sites: [{district: d, communes: [{commune: c, sites: [{site: s}]}]}]
cameras:
EOT
  for i in $(seq "$3"); do
    echo "  - {id: c$i, site: s, url: \"rtsp://127.0.0.1:$PORT/c$i\", plugins: $4}" >> "$1"
  done
}
