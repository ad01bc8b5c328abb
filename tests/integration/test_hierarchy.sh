#!/usr/bin/env bash
# The administrative chain in its three accepted shapes. Every other test
# runs on the current two-level form (province -> commune -> site, see
# write_head); this one runs the metrics/API/status suite (test_http.sh:
# promtool, label set, place filters, reload) again on the three-level form
# (a district level under the province) and on the older district-first
# form, which must load unchanged, and the maintenance suite on the
# three-level form. test_report.sh holds both golden CSVs.
. "$(dirname "$0")/lib.sh"
for h in 3 legacy; do
  out=$(CW_HIERARCHY=$h bash "$ROOT/tests/integration/test_http.sh" 2>&1) || {
    echo "$out" | sed 's/^/    /'
    fail "test_http.sh on the $h form"
  }
  ok "test_http.sh on the $h form: $(grep -c '^ok:' <<<"$out") checks passed; $(grep '^ok: labels:' <<<"$out" | sed 's/^ok: //')"
done
# Maintenance windows, alerts held back and the report's maintenance hours
# with a district level in the chain.
out=$(CW_HIERARCHY=3 bash "$ROOT/tests/integration/test_maintenance.sh" 2>&1) || {
  echo "$out" | sed 's/^/    /'
  fail "test_maintenance.sh on the three-level form"
}
ok "test_maintenance.sh on the three-level form: $(grep -c '^ok:' <<<"$out") checks passed"
