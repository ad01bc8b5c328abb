#!/usr/bin/env bash
# test-timeout: 480
# test-parallel: yes
# The truth test (tests/integration/truth.py): scripted outages on camsim
# cameras against camwatch's spans and report, two runs side by side.
set -euo pipefail
cd "$(dirname "$0")/../.."
exec python3 tests/integration/truth.py
