-- A small fixed history for the golden report test (September 2026, local
-- time Asia/Ho_Chi_Minh = UTC+7). Times are written local and converted.
-- gate-1: one 6 h outage. gate-2: a 9-day auth failure (DETERIORATED).
-- school-1: added on Sep 15. park-1: camwatchd down for a day, then the
-- camera disabled on Sep 25. border-1: stalled then offline since Sep 28,
-- still down at the end of the month (repair list).
CREATE TEMP VIEW IF NOT EXISTS _ AS SELECT 1;
INSERT INTO cameras(id, name, site, site_name, commune, commune_name, district, district_name, url, enabled, added_us, updated_us) VALUES
 ('gate-1',   'Cổng làng 1',  'cong-lang', 'Cổng làng Hòa Bình', 'hoa-binh',  'Xã Hòa Bình',  'thanh-oai', 'Huyện Thanh Oai', 'rtsp://h/1', 1, 0, 0),
 ('gate-2',   'Cổng làng 2',  'cong-lang', 'Cổng làng Hòa Bình', 'hoa-binh',  'Xã Hòa Bình',  'thanh-oai', 'Huyện Thanh Oai', 'rtsp://h/2', 1, 0, 0),
 ('school-1', 'Cổng trường',  'truong-hoc','Trường tiểu học',    'hoa-binh',  'Xã Hòa Bình',  'thanh-oai', 'Huyện Thanh Oai', 'rtsp://h/3', 1, 0, 0),
 ('park-1',   'Cụm CN',       'cum-cn',    'Cụm công nghiệp',    'binh-minh', 'Xã Bình Minh', 'thanh-oai', 'Huyện Thanh Oai', 'rtsp://h/4', 0, 0, 0),
 ('border-1', 'Ranh giới',    'ranh-gioi', 'Ranh giới xã',       'binh-minh', 'Xã Bình Minh', 'thanh-oai', 'Huyện Thanh Oai', 'rtsp://h/5', 1, 0, 0);
CREATE TEMP TABLE s(camera, state, cause, a, b);
INSERT INTO s VALUES
 ('gate-1',   'online',      '',             '2026-08-20 00:00:00', '2026-09-10 08:00:00'),
 ('gate-1',   'offline',     'unreachable',  '2026-09-10 08:00:00', '2026-09-10 14:00:00'),
 ('gate-1',   'online',      '',             '2026-09-10 14:00:00', '2026-10-05 00:00:00'),
 ('gate-2',   'online',      '',             '2026-08-25 00:00:00', '2026-09-03 00:00:00'),
 ('gate-2',   'offline',     'auth_failed',  '2026-09-03 00:00:00', '2026-09-12 00:00:00'),
 ('gate-2',   'online',      '',             '2026-09-12 00:00:00', '2026-10-05 00:00:00'),
 ('school-1', 'starting',    '',             '2026-09-15 00:00:00', '2026-09-15 00:00:02'),
 ('school-1', 'online',      '',             '2026-09-15 00:00:02', '2026-10-05 00:00:00'),
 ('park-1',   'online',      '',             '2026-09-01 00:00:00', '2026-09-20 00:00:00'),
 ('park-1',   'unmonitored', '',             '2026-09-20 00:00:00', '2026-09-21 00:00:00'),
 ('park-1',   'starting',    '',             '2026-09-21 00:00:00', '2026-09-21 00:00:02'),
 ('park-1',   'online',      '',             '2026-09-21 00:00:02', '2026-09-25 00:00:00'),
 ('border-1', 'online',      '',             '2026-08-01 00:00:00', '2026-09-28 00:00:00'),
 ('border-1', 'stalled',     '',             '2026-09-28 00:00:00', '2026-09-28 00:10:00'),
 ('border-1', 'offline',     'stream_error', '2026-09-28 00:10:00', '2026-10-02 00:00:00');
INSERT INTO spans(camera, state, cause, start_us, end_us)
 SELECT camera, state, cause, (strftime('%s', a) - 7 * 3600) * 1000000, (strftime('%s', b) - 7 * 3600) * 1000000 FROM s;
-- school-1 runs imagehealth and motion: blurred 10:00-12:00 and frozen
-- 11:00-13:00 on Sep 20 (3 h of bad image, not 4), covered since Sep 27
-- 00:00 and still (96 h in September, 4 days at the end: repair list);
-- three motion events in September, one in August (not counted).
UPDATE cameras SET plugins = 'imagehealth,motion' WHERE id = 'school-1';
CREATE TEMP TABLE c(camera, condition, a, b);
INSERT INTO c VALUES
 ('school-1', 'blurred', '2026-09-20 10:00:00', '2026-09-20 12:00:00'),
 ('school-1', 'frozen',  '2026-09-20 11:00:00', '2026-09-20 13:00:00'),
 ('school-1', 'covered', '2026-09-27 00:00:00', NULL);
INSERT INTO conditions(camera, condition, start_us, end_us)
 SELECT camera, condition, (strftime('%s', a) - 7 * 3600) * 1000000,
        CASE WHEN b IS NULL THEN NULL ELSE (strftime('%s', b) - 7 * 3600) * 1000000 END FROM c;
INSERT INTO events(camera, kind, start_us, end_us, peak_score) VALUES
 ('school-1', 'motion', (strftime('%s', '2026-08-31 23:00:00') - 7 * 3600) * 1000000, (strftime('%s', '2026-08-31 23:01:00') - 7 * 3600) * 1000000, 0.1),
 ('school-1', 'motion', (strftime('%s', '2026-09-16 22:30:00') - 7 * 3600) * 1000000, (strftime('%s', '2026-09-16 22:31:00') - 7 * 3600) * 1000000, 0.2),
 ('school-1', 'motion', (strftime('%s', '2026-09-17 01:00:00') - 7 * 3600) * 1000000, (strftime('%s', '2026-09-17 01:00:20') - 7 * 3600) * 1000000, 0.3),
 ('school-1', 'motion', (strftime('%s', '2026-09-30 23:59:00') - 7 * 3600) * 1000000, (strftime('%s', '2026-10-01 00:00:30') - 7 * 3600) * 1000000, 0.4);
