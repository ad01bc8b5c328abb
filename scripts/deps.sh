#!/usr/bin/env bash
# Installs the Debian packages camwatch needs to build, test and run the
# demo. Idempotent: when everything is present it only says so.
set -euo pipefail

# What camwatch needs to build and run, and what the demo needs (camsim,
# the footage's re-encoding): `scripts/deps.sh run` (make demo, and the
# README's installation) installs only these.
RUN_PKGS=(
  build-essential pkg-config
  libavformat-dev libavcodec-dev libavutil-dev libswscale-dev libfreetype-dev ffmpeg libmicrohttpd-dev libcurl4-openssl-dev libsystemd-dev libsodium-dev zlib1g-dev
  libuv1-dev libsqlite3-dev sqlite3 libyaml-dev libjansson-dev
  libgstrtspserver-1.0-dev libgstreamer1.0-dev libgstreamer-plugins-base1.0-dev
  gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-plugins-bad
  tzdata curl
  libcairo2-dev libpango1.0-dev fonts-liberation2 libzip-dev libxml2-dev libgnutls28-dev
  libpq-dev
)
# ...and what only the tests and benchmarks use: real Prometheus,
# Pushgateway and Alertmanager, Chromium, valgrind, Motion 4.5, clang's
# sanitizers and fuzzer, LibreOffice and poppler to open the documents,
# PostgreSQL as the province's server, openssl for test certificates, unzip
# to read an ODT.
TEST_PKGS=(
  libcmocka-dev prometheus prometheus-pushgateway prometheus-alertmanager socat
  procps iproute2 jq chromium time clang libclang-rt-14-dev
  valgrind motion libfaketime groff-base man-db
  poppler-utils libreoffice-writer-nogui postgresql openssl unzip
)
if [ "${1:-test}" = run ]; then
  PKGS=("${RUN_PKGS[@]}")
else
  PKGS=("${RUN_PKGS[@]}" "${TEST_PKGS[@]}")
fi

missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# Node.js runs only test tools (the OpenAPI validator, Playwright), never
# camwatch. A machine may have it from elsewhere (then its npm comes with
# it), so Debian's packages are asked for only when the commands are missing.
if [ "${1:-test}" != run ]; then
  command -v node > /dev/null || missing+=(nodejs)
  command -v npm > /dev/null || missing+=(npm)
fi
if [ ${#missing[@]} -eq 0 ]; then
  echo "deps: all ${#PKGS[@]} packages present"
else
  echo "deps: installing ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

[ "${1:-test}" = run ] && exit 0
# The tests' npm packages, exactly as package-lock.json pins them.
cd "$(dirname "$0")/../tests/node"
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "deps: npm ci (tests/node)"
  npm ci --no-audit --no-fund --loglevel=error
fi
