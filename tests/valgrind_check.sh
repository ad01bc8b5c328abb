#!/usr/bin/env bash
# Reads the valgrind logs one integration test left (make memcheck) and
# fails on any memcheck error or definitely lost block. A process the test
# SIGKILLed leaves no summary; its log is still read for error records.
#   tests/valgrind_check.sh TEST_DIR
set -uo pipefail
d=$1
logs=("$d"/valgrind.*.log)
[ -e "${logs[0]}" ] || { echo "no valgrind logs in $d: nothing ran under memcheck" >&2; exit 1; }
bad=0 complete=0
for f in "${logs[@]}"; do
  if grep -q 'ERROR SUMMARY:' "$f"; then
    complete=$((complete + 1))
    n=$(sed -n 's/.*ERROR SUMMARY: \([0-9,]*\) errors.*/\1/p' "$f" | tr -d ,)
    lost=$(sed -n 's/.*definitely lost: \([0-9,]*\) bytes.*/\1/p' "$f" | tr -d ,)
    if [ "${n:-0}" != 0 ] || [ "${lost:-0}" != 0 ]; then
      bad=$((bad + 1)); echo "$(basename "$f"): ${n:-0} errors, ${lost:-0} bytes definitely lost"
      grep -E '^==[0-9]+== ([A-Z].*(Invalid|uninitialised|Mismatched|overlap|definitely)|   (at|by) )' "$f" | head -30
    fi
  elif grep -qE '^==[0-9]+== (Invalid|Conditional jump|Use of uninitialised|Syscall param|Mismatched|Source and destination)' "$f"; then
    bad=$((bad + 1)); echo "$(basename "$f") (killed): memcheck errors before the kill"
    grep -A12 -E '^==[0-9]+== (Invalid|Conditional jump|Use of uninitialised|Syscall param|Mismatched)' "$f" | head -30
  fi
done
echo "valgrind: ${#logs[@]} processes ($complete ran to exit), $bad with errors or definite leaks"
[ "$bad" -eq 0 ]
