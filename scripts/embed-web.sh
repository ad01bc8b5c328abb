#!/bin/sh
# Writes a C file that holds the console's assets (daemon/web/*) as string
# constants, so that camwatchd serves its page with nothing to install or
# find at run time: embed-web.sh OUT.c FILE...
set -eu
out=$1; shift
{
  echo '/* generated from daemon/web by scripts/embed-web.sh (make) */'
  echo '#include "../../daemon/web.h"'
  i=0
  for f in "$@"; do
    echo "static const char a$i[] ="
    sed 's/\\/\\\\/g; s/"/\\"/g; s/^/"/; s/$/\\n"/' "$f"
    echo ';'
    i=$((i + 1))
  done
  echo 'const struct cw_web_asset cw_web_assets[] = {'
  i=0
  for f in "$@"; do
    name=/$(basename "$f")
    case $f in
      *.html) type='text/html; charset=utf-8'; [ "$name" = /index.html ] && name=/ ;;
      *.js) type='text/javascript; charset=utf-8' ;;
      *.css) type='text/css; charset=utf-8' ;;
      *.svg) type='image/svg+xml' ;;
      *) echo "embed-web.sh: no type for $f" >&2; exit 1 ;;
    esac
    echo "    {\"$name\", \"$type\", a$i, sizeof a$i - 1},"
    i=$((i + 1))
  done
  echo '    {0, 0, 0, 0},'
  echo '};'
} > "$out"
