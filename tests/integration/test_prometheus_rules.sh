#!/usr/bin/env bash
# The Prometheus kit in config/prometheus/: promtool checks the rules and
# runs their unit tests (camera, site and commune down, bad picture,
# maintenance held back, camwatchd down or absent, the watchdog, the
# availability recording rules). test_http loads the same rules into a
# real Prometheus over camwatchd's real series.
. "$(dirname "$0")/lib.sh"
P=$ROOT/config/prometheus
promtool check rules "$P/camwatch-rules.yml" > "$T/check.out" 2>&1 || fail "promtool check rules: $(cat "$T/check.out")"
ok "promtool check rules: $(grep -o '[0-9]* rules found' "$T/check.out")"
promtool test rules "$P/tests/camwatch-rules.test.yml" > "$T/test.out" 2>&1 || fail "promtool test rules: $(cat "$T/test.out")"
n=$(grep -c 'eval_time' "$P/tests/camwatch-rules.test.yml")
ok "promtool test rules: SUCCESS ($n evaluations in $(grep -c '^  - interval' "$P/tests/camwatch-rules.test.yml") scenarios)"
