# Helpers for integration tests: a scratch folder, free loopback ports,
# camsim and camwatchd under the test's control, polling the database.
# Every process started here is stopped on exit.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUILD=${BUILD:-build}
BIN="$ROOT/$BUILD"
MEDIA="$ROOT/media"
# tests/run.sh gives every run its own folder (CW_TEST_RUN), which the
# secrets sweep reads at the end.
RUNDIR=${CW_TEST_RUN:-$ROOT/tests/tmp}
mkdir -p "$RUNDIR"
T=$(mktemp -d "$RUNDIR/$(basename "$0" .sh).XXXXXX")
# Every camera password a test makes contains the suite's secret, so one
# grep over everything the suite produced finds any that leaked.
CW_SUITE_SECRET=${CW_SUITE_SECRET:-sx$RANDOM$RANDOM}

# make memcheck (CW_VALGRIND=1): camwatchd and the camwatch CLI run under
# valgrind memcheck, each process logging to $T/valgrind.PID.log, which
# tests/run.sh reads afterwards. BIN becomes a folder of wrappers that
# look like the build (camsim and the fixtures stay native).
if [ -n "${CW_VALGRIND:-}" ]; then
  VG_BIN=$T/vg-bin
  mkdir -p "$VG_BIN"
  for f in "$BIN"/*; do ln -s "$f" "$VG_BIN/"; done
  for b in camwatchd camwatch; do
    rm -f "$VG_BIN/$b"
    cat > "$VG_BIN/$b" <<EOT
#!/bin/sh
LD_LIBRARY_PATH="$ROOT/$BUILD/valgrind" exec valgrind --tool=memcheck --leak-check=full --show-leak-kinds=definite --errors-for-leak-kinds=definite \\
  --track-origins=yes --num-callers=30 --suppressions="$ROOT/tests/valgrind/valgrind.supp" \\
  --log-file="$T/valgrind.%p.log" "$BIN/$b" "\$@"
EOT
    chmod +x "$VG_BIN/$b"
  done
  BIN=$VG_BIN
fi
secret() {
  echo "$(basename "$0" .sh) $1" >> "$RUNDIR/.secrets-used"
  echo "$1-$CW_SUITE_SECRET"
}
PIDS=()

# Every process this test started, however deep (socat's per-connection
# children, the scripts they run): listed before anything is killed, since
# an orphan leaves the tree.
descendants() {
  local c
  for c in $(pgrep -P "$1" 2>/dev/null); do descendants "$c"; echo "$c"; done
}
cleanup() {
  local all
  stop_pg immediate
  all=$(descendants $$)
  for p in "${PIDS[@]:-}"; do [ -n "$p" ] && kill -KILL "$p" 2>/dev/null || true; done
  for p in $all; do kill -KILL "$p" 2>/dev/null || true; done
  # Under tests/run.sh a test leads a session of its own: what an orphaned
  # socat child left running is still in it.
  if [ "$(ps -o sid= -p $$ | tr -d ' ')" = "$$" ]; then
    for p in $(pgrep -s $$ 2>/dev/null); do
      if [ "$p" != $$ ]; then kill -KILL "$p" 2>/dev/null || true; fi
    done
  fi
  wait 2>/dev/null || true
}
trap cleanup EXIT

# start_pg: a PostgreSQL of the test's own, from Debian's server binaries:
# initdb and pg_ctl in a temporary directory (under /tmp: the test's own
# folder is private to root, and the server runs as the postgres user when
# root). The Unix socket is in that directory, TCP listens on 127.0.0.1
# only. Local connections are trusted (the test's setup, as postgres); TCP
# ones need a password (SCRAM), which is what the edges use.
# Sets PG_DIR, PG_PORT, PG_URL (the superuser over the socket) and PG_AS.
PG_DIR=""
PG_AS=()
start_pg() {
  local bin
  bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
  [ -n "$bin" ] && [ -x "$bin/initdb" ] || fail "PostgreSQL's server is not installed (scripts/deps.sh installs postgresql)"
  PG_BIN=$bin
  PG_DIR=$(mktemp -d /tmp/cw-pg.XXXXXX)
  chmod 755 "$PG_DIR"
  PG_PORT=$(free_port)
  if [ "$(id -u)" = 0 ]; then chown postgres: "$PG_DIR"; PG_AS=(runuser -u postgres --); fi
  "${PG_AS[@]}" "$bin/initdb" -D "$PG_DIR/data" -U postgres --auth-local=trust --auth-host=scram-sha-256 \
    -E UTF8 --locale=C.UTF-8 > "$T/initdb.log" 2>&1 || fail "initdb: $(tail -3 "$T/initdb.log")"
  pg_start_again
  PG_URL="postgresql://postgres@/postgres?host=$PG_DIR&port=$PG_PORT"
}
# (re)starts the server made by start_pg
pg_start_again() {
  "${PG_AS[@]}" "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t 60 \
    -o "-k $PG_DIR -p $PG_PORT -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off" start \
    > "$T/pg_ctl.log" 2>&1 || fail "pg_ctl start: $(tail -3 "$T/pg_ctl.log"; tail -5 "$PG_DIR/server.log")"
}
# stop_pg [fast|immediate]: stops it; with no argument it can be started again
stop_pg() {
  [ -n "$PG_DIR" ] && [ -d "$PG_DIR/data" ] || return 0
  "${PG_AS[@]}" "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m "${1:-fast}" -w stop > /dev/null 2>&1 || true
  if [ "${1:-}" = immediate ]; then
    cp "$PG_DIR/server.log" "$T/postgresql.log" 2>/dev/null || true
    rm -rf "$PG_DIR"
    PG_DIR=""
  fi
}
# psql as the superuser, over the socket: psql_su DB ARGS...
psql_su() { local db=$1; shift; psql -X -q -v ON_ERROR_STOP=1 "postgresql://postgres@/$db?host=$PG_DIR&port=$PG_PORT" "$@"; }

fail() { echo "FAIL: $*" >&2; exit 1; }
ok() { echo "ok: $*"; }

# The longest the event loop may run late (camwatch_loop_lag_max_seconds),
# in seconds: 1, held by the plain build (make test); 5 in a sanitizer
# build. Under AddressSanitizer every malloc and free of the ingest threads
# goes through the sanitizer's shared size-class locks and its own
# mmap/madvise calls (large chunks, shadow memory, the quarantine), which
# take the process's one address-space lock; the loop waits for them in
# its own mallocs and even in page faults. perf (sched_switch, DWARF
# stacks) on the loop thread of test_fleet_churn, with test_truth and a
# second churn beside it: waits of 0.2-0.46 s there, lag 1.5-4.4 s over
# three runs, where the plain build ran at most 0.38 s late under the same
# load. CI saw 1.18 s (test_fleet_churn) and 1.12 s (test_fleet_stop) with
# test_truth alone beside them. A loop the daemon itself blocks for
# seconds still fails.
loop_lag_limit() {
  if "$BIN/camwatchd" --version | grep -q Sanitizer; then echo 5; else echo 1; fi
}

# motion_score TRUTH OUT SCORE: tests/tools/motion_score.py's verdict on
# camwatch analyze's OUT, per walk into SCORE; its summary's fields as
# S_in_time, S_late, S_missed, S_walking, S_false, S_latency_max...
motion_score() {
  local kv
  python3 "$ROOT/tests/tools/motion_score.py" "$1" "$2" > "$3" || fail "motion_score.py on $2: $(tail -3 "$3")"
  for kv in $(sed -n 's/^summary //p' "$3"); do
    [[ $kv =~ ^([a-z0-9_]+)=(.*)$ ]] && printf -v "S_${BASH_REMATCH[1]}" '%s' "${BASH_REMATCH[2]}"
  done
  grep -q '^summary ' "$3" || fail "motion_score.py gave no summary for $2: $(cat "$3")"
}

# A TCP port on 127.0.0.1 that nothing listens on right now, below the
# kernel's ephemeral range (32768 and up), where outgoing connections of the
# tests running beside this one could take it between the check and the bind,
# and above 24000: 20000-23999 are the truth test's (truth.py), whose cameras
# leave their ports free for 10-90 s at a time, when a check here would find
# them free.
free_port() {
  local p
  while :; do
    p=$(( 24000 + RANDOM % 8768 ))
    ss -Hltn "sport = :$p" 2>/dev/null | grep -q . || { echo "$p"; return; }
  done
}

# start_camsim PORT MOUNT... : starts camsim and waits until it listens.
start_camsim() {
  local port=$1; shift
  local args=()
  for m in "$@"; do args+=(--mount "$m"); done
  rm -f "$T/camsim.ready"
  # camsim is a test fixture; GLib's one-time allocations are not leaks of ours.
  ASAN_OPTIONS=detect_leaks=0 "$BIN/camsim" --port "$port" --ready-file "$T/camsim.ready" "${args[@]}" >> "$T/camsim.log" 2>&1 &
  CAMSIM_PID=$!
  PIDS+=("$CAMSIM_PID")
  for _ in $(seq 100); do [ -f "$T/camsim.ready" ] && return 0; sleep 0.05; done
  fail "camsim did not start: $(cat "$T/camsim.log")"
}

# start_daemon CONFIG [nowait] : starts camwatchd, logging to
# $T/camwatchd.log, and waits until it says it has started (its signal
# handlers are set by then), unless told not to.
start_daemon() {
  touch "$T/camwatchd.log"
  local before
  before=$(grep -c "camwatchd started" "$T/camwatchd.log" || true)
  "$BIN/camwatchd" -c "$1" >> "$T/camwatchd.log" 2>&1 &
  DAEMON_PID=$!
  PIDS+=("$DAEMON_PID")
  [ "${2:-}" = nowait ] && return 0
  for _ in $(seq 600); do
    [ "$(grep -c "camwatchd started" "$T/camwatchd.log" || true)" -gt "$before" ] && return 0
    kill -0 "$DAEMON_PID" 2>/dev/null || fail "camwatchd exited at start: $(tail -5 "$T/camwatchd.log")"
    sleep 0.05
  done
  fail "camwatchd did not start within 30 s"
}

stop_daemon() {
  kill -TERM "$DAEMON_PID"
  local rc=0
  wait "$DAEMON_PID" || rc=$?
  # the daemon's own last words say why (CI shows only this output)
  [ "$rc" -eq 0 ] || fail "camwatchd exited with $rc on SIGTERM; its log ends: $(grep -E ' (error|warn) |stopp|Sanitizer|leak of|^    #[0-9] .* in cw_' "$T/camwatchd.log" | tail -8)"
}

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

q() { sqlite3 -cmd ".timeout 5000" "$DB" "$@"; }

# Under valgrind (make memcheck) everything runs several times slower and
# one thread at a time: waits are stretched by SLOW; memcheck is there for
# memory errors, the plain run holds the timing.
SLOW=1
[ -n "${CW_VALGRIND:-}" ] && SLOW=4

# wait_sql SECONDS SQL : polls until SQL returns a non-empty, non-zero row
# (SECONDS x SLOW).
wait_sql() {
  local limit=$(( $1 * SLOW )) sql=$2 start
  start=$(now)
  while :; do
    local r
    r=$(q "$sql" 2>/dev/null || true)
    if [ -n "$r" ] && [ "$r" != "0" ]; then return 0; fi
    if awk -v a="$start" -v b="$(now)" -v l="$limit" 'BEGIN { exit !(b - a > l) }'; then return 1; fi
    sleep 0.1
  done
}

# write_head FILE : the daemon and http sections and a one-site hierarchy
# (the API on a free loopback port: $HTTP_PORT). The chain is the current
# two-level one (province -> commune -> site); CW_HIERARCHY=3 puts the
# optional district level in, CW_HIERARCHY=legacy the older district-first
# form, so that any test can run on each.
write_head() {
  HTTP_PORT=$(free_port)
  cat > "$1" <<EOT
http:
  listen: 127.0.0.1:$HTTP_PORT
daemon:
  database: $T/camwatch.db
  state_dir: $T/state
  log_level: debug
sites:
EOT
  # the commune, indented to where the chosen form puts it
  local commune='- commune: hoa-binh
  name: "Xã Hòa Bình"
  sites:
    - site: cong-lang
      name: "Cổng làng"'
  case "${CW_HIERARCHY:-2}" in
    3) printf '  - province: ha-noi\n    name: "Thành phố Hà Nội"\n    districts:\n      - district: thanh-oai\n        name: "Huyện Thanh Oai"\n        communes:\n' >> "$1"
       sed 's/^/          /' <<<"$commune" >> "$1" ;;
    legacy) printf '  - district: thanh-oai\n    name: "Huyện Thanh Oai"\n    communes:\n' >> "$1"
       sed 's/^/      /' <<<"$commune" >> "$1" ;;
    *) printf '  - province: ha-noi\n    name: "Thành phố Hà Nội"\n    communes:\n' >> "$1"
       sed 's/^/      /' <<<"$commune" | sed '2a\        formerly: [hoa-binh-cu]' >> "$1" ;;
  esac
  echo "cameras:" >> "$1"
}
