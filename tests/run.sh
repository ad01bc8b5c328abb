#!/usr/bin/env bash
# Runs every test: the unit test binaries (cmocka, TAP output) and the
# integration scripts, then prints "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
export BUILD CW_TEST_DATA="$PWD/tests/data"
pass=0; failed=0; failures=()
mkdir -p tests/tmp
# This run's scratch folders (the last five runs are kept for reading) and
# the secret every test camera's password contains (see secrets_sweep.sh).
ls -dt tests/tmp/run.* 2>/dev/null | tail -n +5 | xargs -r rm -rf
CW_TEST_RUN=$(mktemp -d "$PWD/tests/tmp/run.$(date +%Y%m%d-%H%M%S).XXXX")
CW_SUITE_SECRET="sx$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')"
export CW_TEST_RUN CW_SUITE_SECRET

for t in "$BUILD"/tests/test_*; do
  [ -x "$t" ] || continue
  vg=()
  [ -n "${CW_VALGRIND:-}" ] && vg=(env LD_LIBRARY_PATH="$PWD/$BUILD/valgrind" valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite
                                  --suppressions=tests/valgrind/valgrind.supp)
  out=$(CMOCKA_MESSAGE_OUTPUT=TAP "${vg[@]}" "$t" 2>&1); rc=$?
  p=$(grep -cE '^ok [0-9]+' <<<"$out"); f=$(grep -cE '^not ok [0-9]+' <<<"$out")
  if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi   # crashed before reporting
  pass=$((pass + p)); failed=$((failed + f))
  printf '%-40s %d passed, %d failed\n' "unit/$(basename "$t")" "$p" "$f"
  if [ "$f" -gt 0 ]; then echo "$out"; failures+=("$(basename "$t")"); fi
done

# How long a test may take ("# test-timeout: N" in it, or TEST_TIMEOUT).
limit_of() {
  local l
  l=$(sed -n 's/^# test-timeout: \([0-9]*\)$/\1/p' "$1")
  [ -n "${TEST_TIMEOUT:-}" ] && l=$TEST_TIMEOUT
  echo "${l:-300}"
}

# Every test runs in a session of its own, so that whatever it started can
# be found afterwards: a process still in that session when the test has
# ended was left behind (the test fails, the process is killed).
in_session() { # TEST SIDFILE
  timeout "$(limit_of "$1")" setsid -w bash -c 'echo $$ > "$1"; exec bash "$2"' _ "$2" "$1"
}
leftovers() { # SIDFILE: lists and kills what is still in the session
  local sid l
  sid=$(cat "$1" 2>/dev/null) || return 0
  [ -n "$sid" ] || return 0
  sleep 0.2 # what the test killed on its way out may still be exiting
  # (zombies do not count: they are dead, only not yet reaped by PID 1)
  l=$(ps -o pid=,stat=,args= -s "$sid" 2>/dev/null | awk '$2 !~ /^Z/' || true)
  [ -n "$l" ] || return 0
  echo "$l"
  pkill -KILL -s "$sid" 2>/dev/null || true
}

report() { # NAME SECONDS RC OUTPUT
  local t=$1 secs=$2 rc=$3 out=$4
  if [ -n "${CW_VALGRIND:-}" ]; then
    d=$(ls -dt "$CW_TEST_RUN/$(basename "$t" .sh)".* 2>/dev/null | head -1)
    if vg=$(tests/valgrind_check.sh "$d" 2>&1); then
      out+=$'\n'"ok: $vg"
    else
      out+=$'\n'"FAIL: memcheck: $vg"
      [ "$rc" -eq 0 ] && rc=90
    fi
  fi
  if [ "$rc" -eq 0 ]; then
    pass=$((pass + 1)); printf '%-40s PASS (%ds)\n' "integration/$(basename "$t" .sh)" "$secs"
    sed 's/^/    /' <<<"$out" | grep -E '^    ok:' || true
  else
    failed=$((failed + 1)); failures+=("$(basename "$t")")
    printf '%-40s FAIL (%ds, exit %d)\n' "integration/$(basename "$t" .sh)" "$secs" "$rc"
    sed 's/^/    /' <<<"$out"
    d=$(ls -dt "$CW_TEST_RUN/$(basename "$t" .sh)".* 2>/dev/null | head -1)
    [ -n "$d" ] && [ -f "$d/camwatchd.log" ] && { echo "    --- camwatchd.log (tail) ---"; tail -25 "$d/camwatchd.log" | sed 's/^/    /'; }
  fi
}

# Long tests that only watch their own processes on their own ports
# ("# test-parallel: yes": the truth test's 5-minute schedule) run in the
# background beside the others and are reported at the end.
bg=()
# `make check` (TEST_QUICK=1): only the tests tests/quick.list names.
selected() {
  [ -n "${TEST_FILTER:-}" ] && [[ "$1" != *"$TEST_FILTER"* ]] && return 1
  [ -z "${TEST_QUICK:-}" ] || grep -qx "$(basename "$1" .sh)" tests/quick.list
}

for t in tests/integration/test_*.sh; do
  selected "$t" || continue
  grep -q '^# test-parallel: yes$' "$t" || continue
  [ -n "${CW_VALGRIND:-}" ] && continue   # under valgrind everything runs in turn
  name=$(basename "$t" .sh)
  ( s=$(date +%s); in_session "$t" "$CW_TEST_RUN/.$name.sid" > "$CW_TEST_RUN/.$name.out" 2>&1; rc=$?
    echo "$rc $(( $(date +%s) - s ))" > "$CW_TEST_RUN/.$name.rc" ) &
  bg+=("$t:$!")
done

for t in tests/integration/test_*.sh; do
  selected "$t" || continue
  [[ " ${bg[*]:-} " == *" $t:"* ]] && continue
  start=$(date +%s)
  sidf=$CW_TEST_RUN/.$(basename "$t" .sh).sid
  # into a file, not $(...): a process left behind would hold the pipe open
  in_session "$t" "$sidf" > "$CW_TEST_RUN/.$(basename "$t" .sh).out" 2>&1; rc=$?
  left=$(leftovers "$sidf")
  out=$(cat "$CW_TEST_RUN/.$(basename "$t" .sh).out")
  if [ -n "$left" ]; then
    out+=$'\n'"FAIL: the test left processes behind (killed now):"$'\n'"$left"
    [ "$rc" -eq 0 ] && rc=91
  fi
  report "$t" $(( $(date +%s) - start )) "$rc" "$out"
done

for b in "${bg[@]:-}"; do
  [ -n "$b" ] || continue
  t=${b%%:*}; name=$(basename "$t" .sh)
  wait "${b##*:}" 2>/dev/null || true
  read -r rc secs < "$CW_TEST_RUN/.$name.rc" || { rc=99; secs=0; }
  left=$(leftovers "$CW_TEST_RUN/.$name.sid")
  out=$(cat "$CW_TEST_RUN/.$name.out")
  if [ -n "$left" ]; then
    out+=$'\n'"FAIL: the test left processes behind (killed now):"$'\n'"$left"
    [ "$rc" -eq 0 ] && rc=91
  fi
  report "$t" "$secs" "$rc" "$out"
done

# Last, over everything the tests above produced.
out=$(tests/secrets_sweep.sh "$CW_TEST_RUN" "$CW_SUITE_SECRET" 2>&1); rc=$?
if [ "$rc" -eq 0 ]; then
  pass=$((pass + 1)); printf '%-40s PASS\n' "secrets_sweep"; sed 's/^/    /' <<<"$out"
else
  failed=$((failed + 1)); failures+=(secrets_sweep)
  printf '%-40s FAIL (exit %d)\n' "secrets_sweep" "$rc"; sed 's/^/    /' <<<"$out"
fi

[ ${#failures[@]} -eq 0 ] || echo "failed: ${failures[*]}"
echo "$pass passed, $failed failed"
[ "$failed" -eq 0 ]
