#!/usr/bin/env bash
# test-parallel: yes
# Retention by purpose (issue #26, PDPL Art. 32): 100 days of synthetic
# events, activity levels and 100,000 pictures; camwatchd's first retention
# run leaves only what the config keeps (per kind, a site keeping longer, a
# camera keeping its thumbnail shorter), writes the run into the audit list,
# never touches spans, and its loop stays on time while the files go.
. "$(dirname "$0")/lib.sh"
DB=$T/cw.db
SNAP=$T/state/snapshots
CFG=$T/cw.yaml
HTTP_PORT=$(free_port)
cat > "$CFG" <<EOT
http: {listen: 127.0.0.1:$HTTP_PORT}
daemon: {database: $DB, state_dir: $T/state}
retention: {snapshots: 30d, thumbnails: 7d, events: 60d, levels: 45d}
sites:
  - province: ha-noi
    communes:
      - commune: hoa-binh
        sites:
          - {site: cong-lang, name: "Cổng làng", notice: {where: "Biển báo cạnh cột camera", since: 2026-01-15}}
          - {site: bien-gioi, name: "Đồn biên giới", retention: {events: 365d, snapshots: 90d}}
cameras:
  - {id: cam-a, site: cong-lang, url: "rtsp://127.0.0.1:$(free_port)/x", connect_timeout: 1s}
  - {id: cam-b, site: bien-gioi, url: "rtsp://127.0.0.1:$(free_port)/x", connect_timeout: 1s, retention: {thumbnails: 1d}}
EOT
"$BIN/camwatch" -c "$CFG" check-config > "$T/check.txt" 2>&1 || fail "check-config: $(cat "$T/check.txt")"
grep -q "^retention (applied every 1h): snapshots 30d, thumbnails 7d, events 60d, levels 45d$" "$T/check.txt" \
  || fail "check-config does not show the limits in force: $(cat "$T/check.txt")"
grep -q "^  site bien-gioi: snapshots 90d events 365d$" "$T/check.txt" && grep -q "^  camera cam-b: thumbnails 1d$" "$T/check.txt" \
  || fail "check-config does not show the site's and camera's own limits: $(cat "$T/check.txt")"
grep -q "^note: no recording notice recorded (sites\[\].notice) for site(s): bien-gioi$" "$T/check.txt" \
  || fail "check-config does not name the site without a recording notice: $(cat "$T/check.txt")"
ok "check-config shows the retention per kind, the site's and the camera's own, and the site without a notice"

"$BIN/camwatch" --db "$DB" gen-history --cameras 1 --months 4 > /dev/null   # the schema, and spans to keep
NOW=$(date +%s)
# 100 days: per camera 25,000 events (each with its snapshot and its -start
# picture: 100,000 files), a level row every 5 minutes, a thumbnail.
python3 - "$DB" "$SNAP" "$NOW" <<'PY' || fail "could not make the synthetic data"
import os, sqlite3, sys
db, snap, now = sys.argv[1], sys.argv[2], int(sys.argv[3])
con = sqlite3.connect(db)
day = 86400
for cam in ("cam-a", "cam-b"):
    d = os.path.join(snap, cam)
    os.makedirs(d, exist_ok=True)
    rows = []
    for i in range(25000):
        t = now - 100 * day + i * (100 * day // 25000) + 30
        base = os.path.join(d, "%d-motion-%03d" % (t, i % 1000))
        for p in (base + ".jpg", base + "-start.jpg"):
            with open(p, "wb") as f:
                f.write(b"\xff\xd8jpeg\xff\xd9")
            os.utime(p, (t, t))
        rows.append((cam, "motion", t * 10**6, (t + 20) * 10**6, 0.5, base + ".jpg"))
    con.executemany("INSERT INTO events(camera, kind, start_us, end_us, peak_score, snapshot) VALUES (?,?,?,?,?,?)", rows)
    con.executemany("INSERT INTO levels(camera, plugin, start_us, end_us, mean, max) VALUES (?,?,?,?,0.1,0.2)",
                    [(cam, "motion", (now - 100 * day + k * 300) * 10**6, (now - 100 * day + k * 300 + 300) * 10**6)
                     for k in range(100 * day // 300)])
    th = os.path.join(d, "thumb.jpg")
    open(th, "wb").write(b"\xff\xd8thumb\xff\xd9")
    os.utime(th, (now - 3 * day,) * 2)
con.commit()
PY
files_before=$(find "$SNAP" -name '*.jpg' | wc -l)
[ "$files_before" = 100002 ] || fail "the synthetic folder has $files_before pictures"
spans_before=$(q "SELECT COUNT(*) || ' ' || total(COALESCE(end_us, 0) - start_us) FROM spans")
ok "100 days made: $files_before pictures, $(q "SELECT COUNT(*) FROM events") events, $(q "SELECT COUNT(*) FROM levels") level rows, spans $spans_before"

# the monthly report names the sites with cameras and no recording notice
"$BIN/camwatch" -c "$CFG" report --month "$(date +%Y-%m)" > "$T/report.txt" 2>&1 || fail "report: $(tail -3 "$T/report.txt")"
grep -q "^Điểm có camera chưa ghi nhận thông báo ghi hình cho người dân (Luật Bảo vệ dữ liệu cá nhân, Điều 32): Đồn biên giới (bien-gioi).$" "$T/report.txt" \
  || fail "the report does not name the site without a notice: $(tail -5 "$T/report.txt")"
"$BIN/camwatch" -c "$CFG" report --month "$(date +%Y-%m)" --format json > "$T/report.json"
[ "$(jq -r .sites_without_notice "$T/report.json")" = "Đồn biên giới (bien-gioi)" ] || fail "JSON: $(jq .sites_without_notice "$T/report.json")"
ok "the monthly report (text, JSON) names the site with cameras and no recording notice"

start_daemon "$CFG"
t0=$(now)
for _ in $(seq 1200); do
  [ "$(q "SELECT COUNT(*) FROM audit WHERE action = 'retention'")" -ge 4 ] && break
  sleep 0.1
done
[ "$(q "SELECT COUNT(*) FROM audit WHERE action = 'retention'")" -ge 4 ] \
  || fail "no retention run in the audit list after 120 s: $(q "SELECT target, detail FROM audit"); log: $(grep retention "$T/camwatchd.log" | tail -3)"
sleep 1.5   # the next metrics publication covers the whole run
took=$(elapsed "$t0")
lag=$(curl -s "http://127.0.0.1:$HTTP_PORT/metrics" | awk '/^camwatch_loop_lag_max_seconds /{print $2}')
limit=$(loop_lag_limit)
awk -v l="$lag" -v m="$limit" 'BEGIN { exit !(l != "" && l < m) }' || fail "the loop ran $lag s late during the run (limit $limit s)"
ok "first retention run done within $took s of start; the loop at most $lag s late"
curl -s "http://127.0.0.1:$HTTP_PORT/api/v1/cameras" > "$T/cameras.json"
[ "$(jq -r '.items[] | select(.id == "cam-a") | .site_notice.where + " " + .site_notice.since' "$T/cameras.json")" = "Biển báo cạnh cột camera 2026-01-15" ] \
  && [ "$(jq -r '.items[] | select(.id == "cam-b") | .site_notice' "$T/cameras.json")" = null ] || fail "the API's site_notice: $(jq -c '.items[] | {id, site_notice}' "$T/cameras.json")"
ok "the API (and the console's camera page) give each camera's site notice, null where none"

# what must be left, exactly
cut() { echo $(( (NOW - $1 * 86400) * 1000000 )); }
python3 - "$DB" "$SNAP" "$NOW" <<'PY' || fail "what is left is not what the config keeps"
import os, sqlite3, sys, time
db, snap, now = sys.argv[1], sys.argv[2], int(sys.argv[3])
con = sqlite3.connect(db)
day = 86400
# the run happened within the last 3 minutes: a boundary this close is not judged
slack = 180
bad = []
def check(what, items, limit_days):
    for t, present in items:
        age = now - t
        if abs(age - limit_days * day) < slack:
            continue
        if (age > limit_days * day) == present:
            bad.append("%s dated %s %s" % (what, time.strftime("%Y-%m-%d %H:%M", time.gmtime(t)), "kept" if present else "deleted"))
            return
kept_ev = {c: {r[0] // 10**6 for r in con.execute("SELECT end_us FROM events WHERE camera = ?", (c,))} for c in ("cam-a", "cam-b")}
for cam, ev_days, pic_days, lv_days in (("cam-a", 60, 30, 45), ("cam-b", 365, 90, 45)):
    alltimes = [now - 100 * day + i * (100 * day // 25000) + 30 for i in range(25000)]
    check(cam + " event", [(t + 20, t + 20 in kept_ev[cam]) for t in alltimes], ev_days)
    d = os.path.join(snap, cam)
    names = set(os.listdir(d))
    pics = []
    for i, t in enumerate(alltimes):
        for suffix in (".jpg", "-start.jpg"):
            pics.append((t, ("%d-motion-%03d%s" % (t, i % 1000, suffix)) in names))
    check(cam + " picture", pics, min(pic_days, ev_days))
    # an event kept longer than its pictures no longer names one
    named = con.execute("SELECT COUNT(*) FROM events WHERE camera = ? AND snapshot != '' AND start_us < ?",
                        (cam, (now - pic_days * day - slack) * 10**6)).fetchone()[0]
    if named:
        bad.append("%s: %d events still name a deleted picture" % (cam, named))
    lv = [(r[0] // 10**6, True) for r in con.execute("SELECT end_us FROM levels WHERE camera = ?", (cam,))]
    if any(now - t > lv_days * day + slack for t, _ in lv):
        bad.append(cam + ": level rows older than %dd kept" % lv_days)
    if len(lv) < (lv_days * day - slack) // 300:
        bad.append(cam + ": only %d level rows kept" % len(lv))
thumbs = {c: os.path.exists(os.path.join(snap, c, "thumb.jpg")) for c in ("cam-a", "cam-b")}
if thumbs != {"cam-a": True, "cam-b": False}:
    bad.append("thumbnails (3 days old; cam-a keeps 7d, cam-b 1d): %s" % thumbs)
if bad:
    print("\n".join(bad[:10]))
    sys.exit(1)
print("ok")
PY
[ "$(q "SELECT COUNT(*) || ' ' || total(COALESCE(end_us, 0) - start_us) FROM spans WHERE start_us < $(cut 0) - 600000000")" \
  = "$spans_before" ] || fail "spans changed: $spans_before before, $(q "SELECT COUNT(*) FROM spans") now"
ok "left: cam-a's events 60d, pictures 30d; cam-b's events 365d, pictures 90d; levels 45d; thumbnails 7d and 1d; spans untouched"

# the audit list says what went and which period
"$BIN/camwatch" -c "$CFG" --lang en audit --action retention > "$T/audit.txt" || fail "camwatch audit failed"
for kind in snapshots events levels thumbnails; do
  grep -q "deleted by retention *$kind .*deleted, dated 20" "$T/audit.txt" || fail "no retention row for $kind: $(cat "$T/audit.txt")"
done
ev=$(q "SELECT detail FROM audit WHERE action = 'retention' AND target = 'events'")
want=$(( 50000 - $(q "SELECT COUNT(*) FROM events") ))
[[ $ev == "$want deleted, dated "*"; limit 60d (site bien-gioi 365d)" ]] || fail "the events' row says '$ev' ($want went)"
ok "audit: $(grep -c retention "$T/audit.txt") retention rows; events: $ev"

stop_daemon

# the folder's size cap: five recent 400 kB pictures and a 1 MiB cap: the
# oldest go until the rest fits, and that is in the audit list too (the
# small pictures left are older: they would go first)
find "$SNAP" -name "*.jpg" -delete
for i in 1 2 3 4 5; do
  head -c 409600 /dev/zero > "$SNAP/cam-a/big-$i.jpg"
  touch -d "@$(( NOW - 600 + i * 60 ))" "$SNAP/cam-a/big-$i.jpg"
done
sed -i "s|^daemon: {|daemon: {snapshot_max_mb: 1, |" "$CFG"
start_daemon "$CFG"
for _ in $(seq 200); do [ "$(q "SELECT COUNT(*) FROM audit WHERE action = 'retention'")" -ge 5 ] && break; sleep 0.1; done
left=$(cd "$SNAP/cam-a" && ls big-*.jpg 2>/dev/null | tr '\n' ' ')
[ "$left" = "big-4.jpg big-5.jpg " ] || fail "under a 1 MiB cap the pictures left are '$left'"
q "SELECT detail FROM audit WHERE action = 'retention' ORDER BY id DESC LIMIT 1" | grep -q "^3 deleted, oldest first, to keep the folder under daemon.snapshot_max_mb" \
  || fail "the cap's deletions are not in the audit list: $(q "SELECT detail FROM audit WHERE action = 'retention' ORDER BY id DESC LIMIT 1")"
stop_daemon
ok "size cap: the 3 oldest of 5 big pictures deleted to stay under 1 MiB, in the audit list"
rm -rf "$SNAP"   # 50,000 pictures: not for the secrets sweep to read
