#!/usr/bin/env bash
# `make install DESTDIR=...` as a packager would run it, then what systemd
# says of the result: systemd-sysusers creates the camwatch user from the
# installed sysusers.d file, systemd-tmpfiles gives it its state
# directory and the config (0640 root:camwatch), `systemd-analyze verify`
# is clean and `systemd-analyze security --offline=yes` rates the unit
# at most 3.0 (printed). The man pages render without warnings and
# describe every subcommand and every option `--help` lists.
. "$(dirname "$0")/lib.sh"
D=$T/root
make -s -C "$ROOT" install DESTDIR="$D" PREFIX=/usr/local BUILD="$BUILD" > "$T/install.out" 2>&1 \
  || fail "make install: $(tail -5 "$T/install.out")"
U=$D/usr/local/lib/systemd/system/camwatchd.service
for f in usr/local/bin/camwatchd usr/local/bin/camwatch usr/local/lib/sysusers.d/camwatch.conf \
         usr/local/lib/tmpfiles.d/camwatch.conf usr/local/share/man/man1/camwatch.1 usr/local/share/man/man8/camwatchd.8 \
         usr/local/share/camwatch/prometheus/camwatch-rules.yml etc/camwatch/camwatch.yaml; do
  [ -e "$D/$f" ] || fail "not installed: $f"
done
[ -e "$U" ] || fail "no unit"

# the user and the directories, as systemd would make them on the target
mkdir -p "$D/etc" && touch "$D/etc/passwd" "$D/etc/group" "$D/etc/shadow" "$D/etc/gshadow"
systemd-sysusers --root="$D" > "$T/sysusers.out" 2>&1 || fail "systemd-sysusers: $(cat "$T/sysusers.out")"
uid=$(awk -F: '$1 == "camwatch" { print $3 }' "$D/etc/passwd")
gid=$(awk -F: '$1 == "camwatch" { print $3 }' "$D/etc/group")
[ -n "$uid" ] && [ -n "$gid" ] || fail "no camwatch user: $(cat "$T/sysusers.out")"
grep -q '^camwatch:.*:/usr/sbin/nologin$' "$D/etc/passwd" || fail "camwatch has a login shell"
systemd-tmpfiles --root="$D" --create > "$T/tmpfiles.out" 2>&1 || fail "systemd-tmpfiles: $(cat "$T/tmpfiles.out")"
[ "$(stat -c '%a %u:%g' "$D/var/lib/camwatch")" = "750 $uid:$gid" ] || fail "state dir: $(stat -c '%a %u:%g' "$D/var/lib/camwatch")"
[ "$(stat -c '%a %u:%g' "$D/etc/camwatch/camwatch.yaml")" = "640 0:$gid" ] || fail "config: $(stat -c '%a %u:%g' "$D/etc/camwatch/camwatch.yaml")"
ok "sysusers.d made user camwatch ($uid:$gid, no shell); tmpfiles.d: /var/lib/camwatch 0750 camwatch, config 0640 root:camwatch"

# verify: the installed unit with its paths under DESTDIR (ExecStart must
# exist; Documentation= man pages must be found)
sed "s|/usr/local|$D/usr/local|g" "$U" > "$T/camwatchd.service"
MANPATH=$D/usr/local/share/man systemd-analyze verify "$T/camwatchd.service" > "$T/verify.out" 2>&1 \
  || fail "systemd-analyze verify: $(cat "$T/verify.out")"
[ ! -s "$T/verify.out" ] || fail "systemd-analyze verify is not clean: $(cat "$T/verify.out")"
systemd-analyze security --offline=yes --root="$D" "$U" > "$T/security.out" 2>&1 || true
score=$(grep -o 'Overall exposure level for camwatchd.service: [0-9.]*' "$T/security.out" | awk '{ print $NF }')
[ -n "$score" ] || fail "no exposure level: $(tail -3 "$T/security.out")"
awk -v s="$score" 'BEGIN { exit !(s <= 3.0) }' || fail "exposure $score > 3.0: $(grep '✗' "$T/security.out")"
ok "systemd-analyze verify: clean; systemd-analyze security --offline=yes: exposure $score (at most 3.0)"

# man pages: no groff warnings; every subcommand and option is described
for m in man1/camwatch.1 man8/camwatchd.8; do
  LC_ALL=C.UTF-8 groff -man -ww -z -Tutf8 "$D/usr/local/share/man/$m" > "$T/groff.out" 2>&1
  [ ! -s "$T/groff.out" ] || fail "$m: $(cat "$T/groff.out")"
done
MANWIDTH=200 man -l "$D/usr/local/share/man/man1/camwatch.1" 2>/dev/null > "$T/man1.txt"
cmds=$("$BIN/camwatch" --help | awk '/^commands:/ { on = 1; next } on && /^  [a-z]/ { print $1 } on && /^$/ { exit }')
n=0
for c in $cmds; do
  grep -q "^   $c$" "$T/man1.txt" || fail "camwatch(1) has no section for $c"
  for o in $("$BIN/camwatch" "$c" --help | grep -o -- '--[a-z][a-z-]*' | sort -u); do
    grep -q -- "$o" "$T/man1.txt" || fail "camwatch(1) does not mention $c $o"
    n=$((n + 1))
  done
done
for o in $("$BIN/camwatchd" --help | grep -o -- '--[a-z][a-z-]*' | sort -u); do
  man -l "$D/usr/local/share/man/man8/camwatchd.8" 2>/dev/null | grep -q -- "$o" || fail "camwatchd(8) does not mention $o"
done
ok "man pages render without warnings; camwatch(1) covers $(echo $cmds | wc -w) commands and $n of their options"
