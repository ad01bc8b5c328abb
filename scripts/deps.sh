#!/usr/bin/env bash
# Installs the Debian packages camwatch needs to build, test and run the
# demo. Idempotent: when everything is present it only says so.
set -euo pipefail

PKGS=(
  build-essential pkg-config
  libavformat-dev libavcodec-dev libavutil-dev ffmpeg libmicrohttpd-dev libcurl4-openssl-dev libsystemd-dev
  prometheus prometheus-pushgateway prometheus-alertmanager curl socat
  libuv1-dev libsqlite3-dev sqlite3 libyaml-dev libjansson-dev libcmocka-dev
  libgstrtspserver-1.0-dev libgstreamer1.0-dev libgstreamer-plugins-base1.0-dev
  gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-plugins-bad
  tzdata procps iproute2 jq chromium time clang libclang-rt-14-dev
  valgrind motion libfaketime
)

missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "deps: all ${#PKGS[@]} packages present"
  exit 0
fi
echo "deps: installing ${missing[*]}"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
