#!/usr/bin/env bash
# The suite-wide secrets check (issue #7, item 6), run by tests/run.sh after
# every integration test. Each test's camera passwords contain the suite's
# secret (lib.sh: `secret NAME`); this reads everything the run produced —
# every log, saved API answer and metrics scrape, webhook body — and, for
# every database the daemon wrote, a full .dump plus the monthly report in
# each format and language and the events and alerts listings. Any hit
# fails. The test's own inputs (its YAML configs, which name the password
# through ${VAR}, its password files *.pw, and camsim's log, the fake
# camera's side) are not ours and are skipped; PostgreSQL's log and dumps
# of the province's database (test_upstream) are swept like the rest.
#   tests/secrets_sweep.sh RUN_DIR SECRET
set -uo pipefail
RUN=$1 SECRET=$2
BIN=${BUILD:-build}
[ -n "$SECRET" ] && [ -d "$RUN" ] || { echo "usage: $0 RUN_DIR SECRET" >&2; exit 2; }

dbs=0 files=0 gen=0
month=$(date +%Y-%m)
while IFS= read -r db; do
  dbs=$((dbs + 1))
  out=$(dirname "$db")/sweep; mkdir -p "$out"; b=$(basename "$db" .db)
  sqlite3 -cmd ".timeout 5000" "$db" .dump > "$out/$b.dump.sql" 2>&1
  for fmt in text csv json html; do
    for lang in vi en; do
      "$BIN/camwatch" --db "$db" report --month "$month" --format "$fmt" --lang "$lang" > "$out/$b.report.$lang.$fmt" 2>&1
    done
  done
  "$BIN/camwatch" --db "$db" events --json > "$out/$b.events.json" 2>&1
  "$BIN/camwatch" --db "$db" alerts --json > "$out/$b.alerts.json" 2>&1
  "$BIN/camwatch" --db "$db" status --json > "$out/$b.status.json" 2>&1
  gen=$((gen + $(find "$out" -name "$b.*" -type f | wc -l)))
done < <(find "$RUN" -name '*.db' -type f)

# every config's camera inventory (issue #26), without asking the cameras:
# what it prints of the URLs must hold no password either
while IFS= read -r cfg; do
  grep -q '^cameras:' "$cfg" || continue
  out=$(dirname "$cfg")/sweep; mkdir -p "$out"; b=$(basename "$cfg" .yaml)
  "$BIN/camwatch" -c "$cfg" inventory --no-probe --format json > "$out/$b.inventory.json" 2>&1
  "$BIN/camwatch" -c "$cfg" inventory --no-probe --format csv > "$out/$b.inventory.csv" 2>&1
  gen=$((gen + 2))
done < <(find "$RUN" -name '*.yaml' -type f)

hits=() hashes=() halves=()
while IFS= read -r -d '' f; do
  files=$((files + 1))
  case "$f" in *.yaml|*.yml|*/camsim.log|*.ready|*.pw) continue ;; esac
  # binary files too (SQLite pages, JPEG snapshots): grep -a reads them as text
  if grep -aqF "$SECRET" "$f"; then hits+=("${f#"$RUN"/}"); fi
  # a masked URL with user info left after the mask ("admin:***@123#@host"):
  # the masker stopped at a delimiter inside the password and showed the
  # rest of it (issue #29), whatever that password was
  if grep -aqE '://[^[:space:]/"'"'"'<>]*\*\*\*@[^[:space:]/"'"'"'<>]*@' "$f"; then halves+=("${f#"$RUN"/}"); fi
  # console password hashes live in the configs only (issue #17), and the
  # ones users changed themselves in state_dir/passwords (issue #26): a
  # whole hash, not the "$argon2" the programs themselves check for
  if [[ $f != */state/passwords ]] && grep -aqE '\$argon2(id|i|d)\$v=[0-9]+\$m=[0-9]+,t=[0-9]+,p=[0-9]+\$[A-Za-z0-9+/]{8,}\$' "$f"; then
    hashes+=("${f#"$RUN"/}")
  fi
done < <(find "$RUN" -type f -print0)
if [ ${#halves[@]} -gt 0 ]; then
  echo "FAIL: a masked URL still shows part of its user info (after '***@') in:" >&2
  printf '  %s\n' "${halves[@]}" >&2
  exit 1
fi
if [ ${#hashes[@]} -gt 0 ]; then
  echo "FAIL: a console password hash appears in:" >&2
  printf '  %s\n' "${hashes[@]}" >&2
  exit 1
fi

echo "ok: swept $files files from this run ($dbs databases; $gen dumps, reports and listings made from them)"
if [ ${#hits[@]} -gt 0 ]; then
  echo "FAIL: a camera password appears in:" >&2
  printf '  %s\n' "${hits[@]}" >&2
  for f in "${hits[@]:0:3}"; do grep -anF "$SECRET" "$RUN/$f" | head -2 | sed "s/$SECRET/<the secret>/g" | cut -c1-200 | sed 's/^/    /' >&2; done
  exit 1
fi
# A sweep that finds nothing proves something only if the secret was
# handed to daemons: lib.sh's `secret` records each password it makes.
used=$(cat "$RUN/.secrets-used" 2>/dev/null | wc -l)
tests=$(cut -d' ' -f1 "$RUN/.secrets-used" 2>/dev/null | sort -u | tr '\n' ' ')
if [ "$dbs" -gt 0 ] && [ "$used" -eq 0 ]; then
  echo "FAIL: daemons ran but no test used a secret password: the sweep proves nothing" >&2; exit 1
fi
echo "ok: none of them holds any of the $used camera passwords made by: ${tests:-no test}; no console password hash outside the configs and state_dir/passwords"
