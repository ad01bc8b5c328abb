/* Loads camwatch's YAML configuration (see config.h).
 *
 * libyaml builds the node tree, which keeps each node's line and column;
 * everything after that is driven by the key tables below: one row per key,
 * with its type, default, bounds, whether a reload can change it without a
 * restart, and the help text that `camwatch config-keys` prints. Fields are
 * reached through offsetof() only inside this file; the rest of camwatch
 * reads the typed structs. */
#include "config.h"

#include <ctype.h>
#include <math.h>
#include <search.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <curl/curl.h>
#include <yaml.h>

#include "auth.h"
#include "clock.h"
#include "error.h"
#include "log.h"
#include "redact.h"
#include "upstream.h"
#include "words.h"

enum key_type {
    T_STR,       /* any non-empty string */
    T_ID,        /* [A-Za-z0-9_.-]{1,64} */
    T_PATH,      /* relative paths resolve against the config file's folder */
    T_URL,       /* rtsp:// or rtsps:// */
    T_DURATION,  /* "10s", "500ms", "2m", "1h" or a number of seconds */
    T_DOUBLE,    /* a number within [min, max] */
    T_BOOL,      /* true/false/yes/no/on/off */
    T_LOGLEVEL,  /* error|warn|info|debug */
    T_TRANSPORT, /* tcp|udp */
    T_LIST,      /* a sequence handled by the caller */
    T_INT,       /* a whole number within [min, max] */
    T_SCHEDULE,  /* "HH:MM-HH:MM" or "" */
    T_TEXT,      /* display text into a fixed char[CW_DOC_TEXT] (UTF-8, no control characters) */
    T_MAP,       /* a mapping handled by the caller */
};

struct key {
    const char *name;
    enum key_type type;
    const char *def; /* NULL: required (unless T_LIST) */
    size_t off;
    double min, max; /* for T_DURATION (seconds) and T_DOUBLE */
    int reloadable;  /* can change on SIGHUP without a restart */
    const char *help;
};

#define NOOFF ((size_t)-1)

static const struct key daemon_keys[] = {
    {"database", T_PATH, "/var/lib/camwatch/camwatch.db", offsetof(struct cw_config, database), 0, 0, 0,
     "SQLite database file (state history, events, alert outbox); relative to this file"},
    {"state_dir", T_PATH, "/var/lib/camwatch", offsetof(struct cw_config, state_dir), 0, 0, 0,
     "directory for snapshots and other state; relative to this file"},
    {"log_level", T_LOGLEVEL, "info", offsetof(struct cw_config, log_level), 0, 0, 1,
     "error, warn, info or debug"},
    {"timezone", T_STR, "Asia/Ho_Chi_Minh", offsetof(struct cw_config, timezone), 0, 0, 0,
     "time zone of the commune: every time the CLI, reports, alerts and the console show or read is in it, "
     "whatever the machine's own zone"},
    {"language", T_STR, "vi", offsetof(struct cw_config, language), 0, 0, 1,
     "vi or en: the language of reports, alerts, the CLI and the console's first page (report --lang and "
     "alerts.language override it)"},
    {"plugin_dir", T_PATH, "/usr/lib/camwatch/plugins", offsetof(struct cw_config, plugin_dir), 0, 0, 0,
     "directory of detection plugins (NAME.so); relative to this file"},
    {"snapshot_max_age", T_DURATION, "30d", offsetof(struct cw_config, snapshot_max_age_us), 3600, 3660 * 86400.0, 1,
     "event snapshots older than this are deleted"},
    {"snapshot_max_mb", T_DOUBLE, "1024", offsetof(struct cw_config, snapshot_max_mb), 1, 1e7, 1,
     "and the oldest are deleted while all of them take more than this many MiB"},
    {NULL, 0, NULL, 0, 0, 0, 0, NULL},
};

static const struct key http_keys[] = {
    {"listen", T_STR, "127.0.0.1:9780", offsetof(struct cw_http_config, listen), 0, 0, 0,
     "address:port of the metrics and JSON API server; empty string: no server"},
    {"token", T_STR, "", offsetof(struct cw_http_config, token), 0, 0, 0,
     "bearer token required by the API (use ${VAR}); mandatory when listen is not a loopback address"},
    {"push_url", T_STR, "", offsetof(struct cw_http_config, push_url), 0, 0, 0,
     "Prometheus Pushgateway base URL (e.g. http://10.1.2.3:9091); empty: no push"},
    {"push_interval", T_DURATION, "15s", offsetof(struct cw_http_config, push_interval_us), 1, 3600, 0,
     "how often metrics are pushed"},
    {"push_instance", T_STR, "", offsetof(struct cw_http_config, push_instance), 0, 0, 0,
     "instance label of pushed metrics; empty: the host name"},
    {"session_idle", T_DURATION, "30m", offsetof(struct cw_http_config, session_idle_us), 1, 7 * 86400.0, 0,
     "a console session ends after this long without a request"},
    {"session_max", T_DURATION, "12h", offsetof(struct cw_http_config, session_max_us), 1, 30 * 86400.0, 0,
     "...and this long after its login, whatever happens"},
    {"secure_cookies", T_BOOL, "false", offsetof(struct cw_http_config, secure_cookies), 0, 0, 0,
     "mark the session cookie Secure: set it when a TLS proxy is in front (browsers then send it over https only)"},
    {"tls_cert", T_STR, "", offsetof(struct cw_http_config, tls_cert), 0, 0, 1,
     "serve HTTPS: the certificate chain (PEM file; relative to this file); with tls_key. Read again on SIGHUP"},
    {"tls_key", T_STR, "", offsetof(struct cw_http_config, tls_key), 0, 0, 1,
     "...and its private key (PEM file, readable by camwatchd only)"},
    {NULL, 0, NULL, 0, 0, 0, 0, NULL},
};

static const struct key alerts_keys[] = {
    {"offline_grace", T_DURATION, "60s", offsetof(struct cw_alerts_config, offline_grace_us), 0, 86400, 1,
     "a camera must be down this long before camera_offline is sent (short blips stay quiet); a picture must be "
     "bad this long before image_bad, and good this long before image_ok (a flickering picture is one episode)"},
    {"flap_window", T_DURATION, "30m", offsetof(struct cw_alerts_config, flap_window_us), 10, 7 * 86400.0, 1,
     "at most one offline/recovered pair per camera per window, the next outage sends one camera_flapping; "
     "the same for a picture condition (image_bad/image_ok, then one image_flapping)"},
    {"language", T_STR, "", offsetof(struct cw_alerts_config, language), 0, 0, 1,
     "vi or en: the messages' language (empty: daemon.language)"},
    {"late_after", T_DURATION, "2m", offsetof(struct cw_alerts_config, late_after_us), 1, 86400, 1,
     "a message delivered this long after its alert was raised (the chat service was away, the uplink down) "
     "says so first: [Gửi muộn 35 phút], with the time it happened"},
    {"cooldown", T_DURATION, "5m", offsetof(struct cw_alerts_config, cooldown_us), 0, 86400, 1,
     "per camera, motion alerts inside this time after one are counted, not sent; the next says \"and N more "
     "since HH:MM\" (0: every event)"},
    {"place_share", T_DOUBLE, "0.6", offsetof(struct cw_alerts_config, place_share), 0, 1, 1,
     "when at least this share (and 2 or more) of a site's or commune's cameras go down within place_window, "
     "one site_down/commune_down alert lists them instead of one alert per camera (0: off)"},
    {"place_window", T_DURATION, "2m", offsetof(struct cw_alerts_config, place_window_us), 0, 3600, 1,
     "how close together their outages must begin to be one"},
    {"escalate_after", T_DURATION, "0s", offsetof(struct cw_alerts_config, escalate_after_us), 0, 7 * 86400.0, 1,
     "a camera still down and not acknowledged (camwatch ack) this long after its offline alert is sent to "
     "escalate_to, and again every escalate_after until someone acknowledges it or it recovers (0: off)"},
    {"escalate_to", T_STR, "", offsetof(struct cw_alerts_config, escalate_to), 0, 0, 1,
     "the target (by name) escalations go to, and only they"},
    {"monthly_digest_to", T_STR, "", offsetof(struct cw_alerts_config, monthly_digest_to), 0, 0, 1,
     "the target (by name, e.g. the committee's chat) that gets one message with the finished month's headline "
     "figures on the 1st (empty: none)"},
    {"monthly_digest_hour", T_INT, "7", offsetof(struct cw_alerts_config, monthly_digest_hour), 0, 23, 1,
     "the local hour from which the 1st's monthly digest goes out (the committee reads it in the morning)"},
    {"verdict_interval", T_DURATION, "1d", offsetof(struct cw_alerts_config, verdict_interval_us), 0, 30 * 86400.0, 1,
     "how often camwatchd judges the month so far by the report's rules; a site, commune or district that turns "
     "DETERIORATED raises network_deteriorated, one that leaves it network_improved (0: never)"},
    {"runbook_url", T_STR, "man:camwatchd(8)", offsetof(struct cw_alerts_config, runbook_url), 0, 0, 1,
     "Alertmanager: the runbook_url annotation (your own instructions page)"},
    {"repost_interval", T_DURATION, "5m", offsetof(struct cw_alerts_config, repost_us), 1, 86400, 1,
     "Alertmanager: firing alerts are posted again this often with endsAt 3 intervals ahead, so that they resolve "
     "by themselves if camwatchd dies"},
    {"severities", T_LIST, NULL, NOOFF, 0, 0, 1,
     "KIND=SEVERITY overrides (critical, warning or info), e.g. [motion=warning]; defaults: camera_offline, "
     "site_down, commune_down, camera_escalated critical; camera_flapping, image_bad, network_deteriorated "
     "warning; the rest info"},
    {"targets", T_LIST, NULL, NOOFF, 0, 0, 1, "where alerts go: a list of webhook, telegram or alertmanager targets"},
    {NULL, 0, NULL, 0, 0, 0, 0, NULL},
};

static const struct key target_keys[] = {
    {"name", T_ID, NULL, offsetof(struct cw_alert_target, name), 0, 0, 1, "target name (in the outbox)"},
    {"type", T_STR, NULL, offsetof(struct cw_alert_target, type), 0, 0, 1, "webhook, telegram or alertmanager"},
    {"url", T_STR, "", offsetof(struct cw_alert_target, url), 0, 0, 1,
     "webhook: the URL to POST to; alertmanager: its base URL; telegram: API base (default https://api.telegram.org)"},
    {"token", T_STR, "", offsetof(struct cw_alert_target, token), 0, 0, 1, "telegram: the bot token (use ${VAR})"},
    {"chat_id", T_STR, "", offsetof(struct cw_alert_target, chat_id), 0, 0, 1, "telegram: the chat (group) id"},
    {"template", T_STR, "", offsetof(struct cw_alert_target, template_), 0, 0, 1,
     "webhook: body template with {{key}} {{kind}} {{severity}} {{camera}} {{camera_name}} {{site}} {{site_name}} "
     "{{commune}} {{commune_name}} {{district}} {{message}} {{time}} (JSON-escaped); empty: the documented JSON"},
    {"kinds", T_LIST, NULL, NOOFF, 0, 0, 1,
     "only these kinds (camera_offline, camera_recovered, camera_flapping, image_bad, image_ok, motion); default all"},
    {"sites", T_LIST, NULL, NOOFF, 0, 0, 1, "only cameras of these site ids; default all"},
    {"communes", T_LIST, NULL, NOOFF, 0, 0, 1,
     "only cameras of these commune ids (a merged commune's former id works too); default all"},
    {"districts", T_LIST, NULL, NOOFF, 0, 0, 1,
     "only cameras of these district ids, where the config has a district level; default all"},
    {"schedule", T_SCHEDULE, "", offsetof(struct cw_alert_target, schedule), 0, 0, 1,
     "only alerts raised in this local time window, e.g. \"22:00-05:00\"; empty: always"},
    {"quiet_hours", T_SCHEDULE, "", offsetof(struct cw_alert_target, quiet_hours), 0, 0, 1,
     "alerts raised in this local time window are held and sent as one digest when it ends (those of "
     "quiet_pass severity still go at once), e.g. \"22:00-06:00\"; empty: none"},
    {"quiet_pass", T_STR, "critical", offsetof(struct cw_alert_target, quiet_pass), 0, 0, 1,
     "during quiet_hours, alerts of this severity or above still go at once: critical, warning or none"},
    {NULL, 0, NULL, 0, 0, 0, 0, NULL},
};

static const struct key user_keys[] = {
    {"name", T_ID, NULL, offsetof(struct cw_user_config, name), 0, 0, 0, "the login name (letters, digits, . _ -)"},
    {"role", T_STR, NULL, offsetof(struct cw_user_config, role), 0, 0, 0,
     "viewer (sees everything), technician (also acknowledges and declares maintenance) or admin"},
    {"password_hash", T_STR, NULL, offsetof(struct cw_user_config, password_hash), 0, 0, 0,
     "made by `camwatch passwd NAME` (argon2id, salted); the password itself is never in the config"},
    {"initial", T_BOOL, "false", offsetof(struct cw_user_config, initial), 0, 0, 0,
     "an initial password (camwatch passwd --initial): the user must change it at the first login before anything "
     "else; the new one is kept in state_dir/passwords (0600), never in the database"},
    {NULL, 0, NULL, 0, 0, 0, 0, NULL},
};

static const struct key report_keys[] = {
    {"uptime_target", T_DOUBLE, "90", offsetof(struct cw_report_rules, uptime_target), 0, 100, 1,
     "uptime (%) a camera must reach in the period to count as working"},
    {"ok_share", T_DOUBLE, "95", offsetof(struct cw_report_rules, ok_share), 0, 100, 1,
     "a site, commune or district is OK when at least this % of its cameras reach uptime_target"},
    {"deteriorated_share", T_DOUBLE, "80", offsetof(struct cw_report_rules, deteriorated_share), 0, 100, 1,
     "... and DETERIORATED when fewer than this % do (DEGRADED in between)"},
    {"max_down", T_DURATION, "7d", offsetof(struct cw_report_rules, max_down_us), 3600, 366 * 86400.0, 1,
     "any camera down this long in one outage also makes its groups DETERIORATED"},
    {"repair_after", T_DURATION, "2d", offsetof(struct cw_report_rules, repair_after_us), 0, 366 * 86400.0, 1,
     "the repair list shows cameras down (or with a bad image) for longer than this"},
    {"exclude_maintenance", T_BOOL, "true", offsetof(struct cw_report_rules, exclude_maintenance), 0, 0, 1,
     "true: down time inside a declared maintenance window is left out of uptime (shown apart as maintenance); "
     "false: it counts against uptime, and is still shown apart"},
    {"trend_drop", T_DOUBLE, "5", offsetof(struct cw_report_rules, trend_drop), 0, 100, 1,
     "a group whose uptime fell by at least this many points from the previous period, or from the mean of "
     "the 3 before it, is DETERIORATED (0: no trend rule)"},
    /* the document (PDF, ODT): Decree 30/2020/ND-CP's header and signature */
    {"issuer_parent", T_TEXT, "", offsetof(struct cw_report_rules, doc.issuer_parent), 0, 0, 1,
     "document header: the issuing body's parent (e.g. \"CÔNG AN THÀNH PHỐ HÀ NỘI\")"},
    {"issuer", T_TEXT, "", offsetof(struct cw_report_rules, doc.issuer), 0, 0, 1,
     "the issuing body (e.g. \"CÔNG AN XÃ HÒA BÌNH\")"},
    {"national", T_TEXT, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", offsetof(struct cw_report_rules, doc.national), 0, 0, 1,
     "the national heading"},
    {"motto", T_TEXT, "Độc lập - Tự do - Hạnh phúc", offsetof(struct cw_report_rules, doc.motto), 0, 0, 1,
     "the motto under it"},
    {"number", T_TEXT, "     /BC", offsetof(struct cw_report_rules, doc.number), 0, 0, 1,
     "number and symbol after \"Số:\" (e.g. \"23/BC-CAX\"; spaces leave room to write the number by hand)"},
    {"place", T_TEXT, "", offsetof(struct cw_report_rules, doc.place), 0, 0, 1,
     "place before the date (\"Hòa Bình, ngày 26 tháng 11 năm 2026\")"},
    {"title", T_TEXT, "BÁO CÁO", offsetof(struct cw_report_rules, doc.title), 0, 0, 1, "the document's kind"},
    {"subject", T_TEXT, "Kết quả hoạt động hệ thống camera an ninh", offsetof(struct cw_report_rules, doc.subject), 0,
     0, 1, "the subject line; the period is added (\"... tháng 10 năm 2026\")"},
    {"signer_prefix", T_TEXT, "", offsetof(struct cw_report_rules, doc.signer_prefix), 0, 0, 1,
     "\"KT.\", \"TM.\", \"TL.\", \"TUQ.\" or \"Q.\" when signing for signer_authority, else empty"},
    {"signer_authority", T_TEXT, "", offsetof(struct cw_report_rules, doc.signer_authority), 0, 0, 1,
     "who is signed for, after the prefix (e.g. \"TRƯỞNG CÔNG AN XÃ\")"},
    {"signer_title", T_TEXT, "", offsetof(struct cw_report_rules, doc.signer_title), 0, 0, 1,
     "the signer's title (e.g. \"PHÓ TRƯỞNG CÔNG AN XÃ\")"},
    {"signer_name", T_TEXT, "", offsetof(struct cw_report_rules, doc.signer_name), 0, 0, 1, "the signer's name"},
    {"recipients", T_LIST, NULL, NOOFF, 0, 0, 1, "\"Kính gửi\": a list of up to 10 addressees"},
    {"copies_to", T_LIST, NULL, NOOFF, 0, 0, 1, "\"Nơi nhận\": a list of up to 10 lines (e.g. \"Lưu: VT.\")"},
    {NULL, 0, NULL, 0, 0, 0, 0, NULL},
};

static const struct key province_keys[] = {
    {"province", T_ID, NULL, 0, 0, 0, 1, "province id: one province per deployment, its name heads reports"},
    {"name", T_STR, "", sizeof(char *), 0, 0, 1, "display name, UTF-8 (e.g. \"Tỉnh Ninh Bình\")"},
    {"districts", T_LIST, NULL, NOOFF, 0, 0, 1,
     "optional district level (historical groupings): a list of {district, name, communes}"},
    {"communes", T_LIST, NULL, NOOFF, 0, 0, 1, "the province's communes (when it has no district level)"},
    {NULL, 0, NULL, 0, 0, 0, 0, NULL},
};

static const struct key district_keys[] = {
    {"district", T_ID, NULL, offsetof(struct cw_district, id), 0, 0, 1, "district id (used by report filters)"},
    {"name", T_STR, "", offsetof(struct cw_district, name), 0, 0, 1, "display name, UTF-8 (e.g. \"Huyện Thanh Oai\")"},
    {"communes", T_LIST, NULL, NOOFF, 0, 0, 1, "list of communes in the district"},
    {NULL, 0, NULL, 0, 0, 0, 0, NULL},
};

static const struct key commune_keys[] = {
    {"commune", T_ID, NULL, offsetof(struct cw_commune, id), 0, 0, 1, "commune id"},
    {"name", T_STR, "", offsetof(struct cw_commune, name), 0, 0, 1, "display name (e.g. \"Xã Hòa Bình\")"},
    {"sites", T_LIST, NULL, NOOFF, 0, 0, 1, "list of sites in the commune"},
    {"formerly", T_LIST, NULL, NOOFF, 0, 0, 1,
     "ids of the communes this one absorbed in a merger: filters and reports by an old id find its cameras"},
    {NULL, 0, NULL, 0, 0, 0, 0, NULL},
};

static const struct key site_keys[] = {
    {"site", T_ID, NULL, offsetof(struct cw_site, id), 0, 0, 1, "site id, unique in the file; cameras name it"},
    {"name", T_STR, "", offsetof(struct cw_site, name), 0, 0, 1, "display name (e.g. \"Cổng làng\")"},
    {"retention", T_MAP, NULL, NOOFF, 0, 0, 1,
     "this site's own limits (any of snapshots, thumbnails, events, levels), e.g. a border post that must keep "
     "its events longer; the rest as under retention"},
    {"notice", T_MAP, NULL, NOOFF, 0, 0, 1,
     "the recording notice posted for the people recorded (PDPL Art. 32): {where: \"...\", since: YYYY-MM-DD}; "
     "the monthly report lists the sites with cameras and none"},
    {NULL, 0, NULL, 0, 0, 0, 0, NULL},
};

static const struct key camera_keys[] = {
    {"id", T_ID, NULL, offsetof(struct cw_camera_config, id), 0, 0, 0, "camera id, unique in the file"},
    {"name", T_STR, "", offsetof(struct cw_camera_config, name), 0, 0, 1, "display name"},
    {"site", T_ID, NULL, offsetof(struct cw_camera_config, site_id), 0, 0, 1, "id of the site the camera watches"},
    {"url", T_URL, NULL, offsetof(struct cw_camera_config, url), 0, 0, 1,
     "rtsp:// URL; put the password in an environment variable: rtsp://admin:${CAM_PASS}@10.0.0.5/stream1"},
    {"transport", T_TRANSPORT, "tcp", offsetof(struct cw_camera_config, transport), 0, 0, 1,
     "RTP transport: tcp (interleaved, robust through NAT) or udp"},
    {"expected_fps", T_DOUBLE, "0", offsetof(struct cw_camera_config, expected_fps), 0, 240, 1,
     "frame rate the camera is set to; 0 if unknown"},
    {"connect_timeout", T_DURATION, "10s", offsetof(struct cw_camera_config, connect_timeout_us), 0.5, 300, 1,
     "longest wait for the RTSP handshake before the camera counts as unreachable"},
    {"stall_timeout", T_DURATION, "10s", offsetof(struct cw_camera_config, stall_timeout_us), 0.5, 300, 1,
     "a connected camera with no video packet for this long is stalled"},
    {"stall_reconnect", T_DURATION, "60s", offsetof(struct cw_camera_config, stall_reconnect_us), 1, 3600, 1,
     "a stalled session is kept open this long (at least twice stall_timeout) before camwatch reconnects: video "
     "that resumes on the open session is seen at its first packet, while a new session during a stall often "
     "gets no answer until the camera recovers"},
    {"probe_interval", T_DURATION, "5s", offsetof(struct cw_camera_config, probe_interval_us), 0.1, 300, 1,
     "while the camera is unreachable, a TCP connect and RTSP OPTIONS (no credentials) this often, jittered: "
     "an answer starts a full session at once, so a recovery is seen within about this long"},
    {"enabled", T_BOOL, "true", offsetof(struct cw_camera_config, enabled), 0, 0, 1,
     "false keeps the camera in the file but unwatched (not counted in uptime)"},
    {"plugins", T_LIST, NULL, NOOFF, 0, 0, 1,
     "detection plugins: a list of {name: motion|imagehealth|activity|..., OPTION: value...}"},
    {"event_start_after", T_INT, "2", offsetof(struct cw_camera_config, event_start_after), 1, 100, 1,
     "an event starts after this many positive analyses in a row"},
    {"event_quiet", T_DURATION, "3s", offsetof(struct cw_camera_config, event_quiet_us), 0.1, 3600, 1,
     "an event ends after this long without a positive analysis"},
    {"event_max", T_DURATION, "60s", offsetof(struct cw_camera_config, event_max_us), 1, 86400, 1,
     "a longer event is ended and a new one started"},
    {"thumbnail_interval", T_DURATION, "60s", offsetof(struct cw_camera_config, thumbnail_interval_us), 0, 86400, 1,
     "the console's picture of the camera: one keyframe decoded in colour this often, also when no plugin decodes "
     "(0: none)"},
    {"level_interval", T_DURATION, "5m", offsetof(struct cw_camera_config, level_interval_us), 0, 86400, 1,
     "each plugin's mean and highest score are kept this often (the camera's activity timeline, "
     "/api/v1/cameras/ID/levels, camwatch_camera_level); 0 keeps none"},
    {"motion_schedule", T_SCHEDULE, "", offsetof(struct cw_camera_config, motion_schedule), 0, 0, 1,
     "motion/activity events only start in this local time window, e.g. \"22:00-05:00\"; empty: always"},
    {"retention", T_MAP, NULL, NOOFF, 0, 0, 1,
     "this camera's own limits (any of snapshots, thumbnails, events, levels); the rest from its site or retention"},
    {"onvif", T_STR, "auto", offsetof(struct cw_camera_config, onvif), 0, 0, 1,
     "camwatch inventory asks the camera's maker, model, firmware and serial here (ONVIF GetDeviceInformation, "
     "digest authentication with the url's user and password): auto = http://HOST/onvif/device_service; \"\" = "
     "do not ask"},
    {"maker", T_STR, "", offsetof(struct cw_camera_config, maker), 0, 0, 1,
     "the inventory's maker, model, firmware and serial when the camera does not answer ONVIF"},
    {"model", T_STR, "", offsetof(struct cw_camera_config, model), 0, 0, 1, "(see maker)"},
    {"firmware", T_STR, "", offsetof(struct cw_camera_config, firmware), 0, 0, 1, "(see maker)"},
    {"serial", T_STR, "", offsetof(struct cw_camera_config, serial), 0, 0, 1, "(see maker)"},
    {"certified", T_STR, "", offsetof(struct cw_camera_config, certified), 0, 0, 1,
     "QCVN135 when the model is certified to QCVN 135:2024/BTTTT; empty: not known to be"},
    {"certificate", T_STR, "", offsetof(struct cw_camera_config, certificate), 0, 0, 1,
     "the certificate's number"},
    {"firmware_fixed", T_STR, "", offsetof(struct cw_camera_config, firmware_fixed), 0, 0, 1,
     "the first firmware version without a known flaw: an older one is an inventory warning (versions compare "
     "number by number)"},
    {NULL, 0, NULL, 0, 0, 0, 0, NULL},
};

struct loader {
    yaml_document_t doc;
    const char *name;
    const char *base_dir;
    struct cw_config_errors *errs;
    int n_err;
    int suppressed; /* errors past MAX_SHOWN: counted, not kept */
    int flags;
};

/* A technician reads the first screenful; a file with 1,000 copies of one
 * camera must not print half a million lines. */
#define MAX_SHOWN 100

static const char *const rtsp_schemes[] = {"rtsp", "rtsps", NULL};
static const char *const http_schemes[] = {"http", "https", NULL};

static const struct key upstream_keys[] = {
    {"url", T_STR, "", offsetof(struct cw_upstream_config, url), 0, 0, 0,
     "the province's PostgreSQL: postgresql://USER@HOST[:PORT]/DB?sslmode=verify-full (or key=value pairs), "
     "without the password; empty: history is not shipped"},
    {"password_file", T_STR, "", offsetof(struct cw_upstream_config, password_file), 0, 0, 0,
     "file whose first line is the password (relative to this file); empty: PGPASSWORD or ~/.pgpass"},
    {"instance", T_STR, "", offsetof(struct cw_upstream_config, instance), 0, 0, 0,
     "this commune's name in the province (letters, digits, '.', '_', '-'; unique in the province)"},
    {"interval", T_DURATION, "30s", offsetof(struct cw_upstream_config, interval_us), 1, 86400, 0,
     "how often waiting history is shipped"},
    {"batch", T_INT, "1000", offsetof(struct cw_upstream_config, batch), 1, 100000, 0,
     "rows per batch (one transaction at the province)"},
    {NULL, 0, NULL, 0, 0, 0, 0, NULL},
};

/* retention: the longest each kind of personal data is kept. The defaults
 * follow PDPL Art. 32 (kept only as long as the purpose, security and
 * order, needs): a month of pictures is what a complaint or an
 * investigation usually reaches back to; the events' times and scores a
 * quarter, so that the month's report and its predecessor can be checked;
 * the last picture of a camera a week. Spans and outages are not personal
 * data and are never deleted. */
struct retention_top {
    struct cw_retention r;
    int64_t every_us;
};
static const struct key retention_keys[] = {
    {"snapshots", T_DURATION, "30d", offsetof(struct retention_top, r.max_age_us[CW_KEEP_SNAPSHOTS]), 3600,
     3660 * 86400.0, 1, "event snapshots (pictures of people) older than this are deleted (daemon.snapshot_max_age "
     "is its older name)"},
    {"thumbnails", T_DURATION, "7d", offsetof(struct retention_top, r.max_age_us[CW_KEEP_THUMBNAILS]), 3600,
     3660 * 86400.0, 1, "a camera's console picture (its last keyframe) older than this is deleted"},
    {"events", T_DURATION, "90d", offsetof(struct retention_top, r.max_age_us[CW_KEEP_EVENTS]), 3600,
     3660 * 86400.0, 1, "detection events (times, scores, regions: traces of people's movements) and their snapshots"},
    {"levels", T_DURATION, "90d", offsetof(struct retention_top, r.max_age_us[CW_KEEP_LEVELS]), 3600,
     3660 * 86400.0, 1, "the activity timeline (each plugin's level per interval)"},
    {"every", T_DURATION, "1h", offsetof(struct retention_top, every_us), 60, 86400, 1,
     "how often camwatchd applies the limits (off its loop); each run that deletes something is in the audit list"},
    {NULL, 0, NULL, 0, 0, 0, 0, NULL},
};

const char *cw_fmt_age(int64_t us, char *buf, size_t len)
{
    int64_t s = us / 1000000;
    if (s % 86400 == 0)
        snprintf(buf, len, "%lldd", (long long)(s / 86400));
    else if (s % 3600 == 0)
        snprintf(buf, len, "%lldh", (long long)(s / 3600));
    else
        snprintf(buf, len, "%lldm", (long long)(s / 60));
    return buf;
}

const char *cw_keep_kind_name(int kind)
{
    return kind >= 0 && kind < CW_KEEP_N ? retention_keys[kind].name : "?";
}

/* Appends a copy of msg to a list of messages (errors or notes). */
static void push_msg(char ***list, int *n, const char *msg)
{
    char **m = realloc(*list, sizeof(char *) * (size_t)(*n + 1));
    if (!m)
        return;
    *list = m;
    m[*n] = strdup(msg);
    if (m[*n])
        (*n)++;
}

static void add_note(struct cw_config_errors *errs, const char *msg) { push_msg(&errs->notes, &errs->n_notes, msg); }
static void add_error(struct cw_config_errors *errs, const char *msg) { push_msg(&errs->msgs, &errs->n, msg); }

__attribute__((format(printf, 4, 5))) static void err_at(struct loader *ld, const yaml_node_t *node,
                                                          const char *key, const char *fmt, ...)
{
    char msg[1024], full[1400], masked[1400];
    va_list ap;
    ld->n_err++;
    ld->errs->n_errors++;
    if (ld->errs->n >= MAX_SHOWN) {
        ld->suppressed++;
        return;
    }
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (node)
        snprintf(full, sizeof full, "%s:%lu:%lu: %s: %s", ld->name, (unsigned long)node->start_mark.line + 1,
                 (unsigned long)node->start_mark.column + 1, key, msg);
    else
        snprintf(full, sizeof full, "%s: %s: %s", ld->name, key, msg);
    /* A message may quote a value, and a value may be a URL with a password. */
    cw_redact_text(full, masked, sizeof masked);
    add_error(ld->errs, masked);
}

/* Expands ${VAR} from the environment; "$$" is a literal '$'. */
static char *expand_env(struct loader *ld, const yaml_node_t *node, const char *key, const char *in)
{
    size_t cap = strlen(in) + 1, o = 0;
    char *out = malloc(cap);
    if (!out)
        return NULL;
    for (const char *p = in; *p;) {
        const char *add = p;
        size_t n = 1;
        char var[128];
        if (p[0] == '$' && p[1] == '$') {
            add = "$";
            p += 2;
        } else if (p[0] == '$' && p[1] == '{') {
            const char *end = strchr(p + 2, '}');
            size_t vn = end ? (size_t)(end - p - 2) : 0;
            if (!end || vn == 0 || vn >= sizeof var) {
                err_at(ld, node, key, "malformed ${...} reference");
                free(out);
                return NULL;
            }
            memcpy(var, p + 2, vn);
            var[vn] = '\0';
            add = getenv(var);
            if (!add && (ld->flags & (CW_CONFIG_KEEP_ENV | CW_CONFIG_NOTE_ENV))) {
                /* the CLI: a variable it does not have (a camera's
                 * password) stays as written; one it has (database:
                 * ${STATE}/cw.db) is used like the daemon does */
                add = p;
                n = (size_t)(end + 1 - p);
                if (ld->flags & CW_CONFIG_NOTE_ENV) {
                    char note[400];
                    if (node)
                        snprintf(note, sizeof note, "%s:%lu:%lu: %s: environment variable %s is not set here "
                                 "(camwatchd needs it; --strict makes this an error)", ld->name,
                                 (unsigned long)node->start_mark.line + 1,
                                 (unsigned long)node->start_mark.column + 1, key, var);
                    else
                        snprintf(note, sizeof note, "%s: %s: environment variable %s is not set here", ld->name, key,
                                 var);
                    add_note(ld->errs, note);
                }
            } else if (!add) {
                err_at(ld, node, key, "environment variable %s is not set", var);
                free(out);
                return NULL;
            } else {
                n = strlen(add);
            }
            p = end + 1;
        } else {
            p++;
        }
        if (o + n + 1 > cap) {
            cap = (o + n + 1) * 2;
            char *t = realloc(out, cap);
            if (!t) {
                free(out);
                return NULL;
            }
            out = t;
        }
        memcpy(out + o, add, n);
        o += n;
    }
    out[o] = '\0';
    return out;
}

static int parse_duration(const char *s, double *sec)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    /* strtod takes "nan" and "inf": a nan timeout compares false with
     * every bound and would keep a camera offline forever */
    if (end == s || errno || !isfinite(v))
        return -1;
    while (*end == ' ')
        end++;
    if (*end == '\0' || strcmp(end, "s") == 0)
        *sec = v;
    else if (strcmp(end, "ms") == 0)
        *sec = v / 1000.0;
    else if (strcmp(end, "m") == 0 || strcmp(end, "min") == 0)
        *sec = v * 60;
    else if (strcmp(end, "h") == 0)
        *sec = v * 3600;
    else if (strcmp(end, "d") == 0)
        *sec = v * 86400;
    else
        return -1;
    return 0;
}

static int parse_bool(const char *s, int *b)
{
    static const char *const yes[] = {"true", "yes", "on", "1"}, *const no[] = {"false", "no", "off", "0"};
    for (int i = 0; i < 4; i++) {
        if (strcmp(s, yes[i]) == 0)
            return *b = 1, 0;
        if (strcmp(s, no[i]) == 0)
            return *b = 0, 0;
    }
    return -1;
}

/* Ids name files and folders (snapshots/ID/, plugin_dir/NAME.so): one safe
 * path component. No '/', and no leading '.' ("..", ".", hidden names that
 * the snapshot retention skips). */
static int valid_id(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 64 || s[0] == '.')
        return 0;
    for (; *s; s++)
        if (!isalnum((unsigned char)*s) && *s != '_' && *s != '-' && *s != '.')
            return 0;
    return 1;
}

static char *resolve_path(const char *base, const char *p)
{
    if (p[0] == '/' || !base || !base[0])
        return strdup(p);
    /* base is a realpath (no symlinks), so leading "./" and "../" can be
     * taken off lexically: the path the daemon records for a snapshot
     * reads /srv/demo-data/..., not /srv/config/../demo-data/... */
    size_t blen = strlen(base);
    for (;;) {
        if (strncmp(p, "./", 2) == 0) {
            p += 2;
        } else if (strncmp(p, "../", 3) == 0 || strcmp(p, "..") == 0) {
            while (blen > 1 && base[blen - 1] != '/')
                blen--;
            if (blen > 1)
                blen--; /* the slash, unless it is the root's */
            p += p[2] ? 3 : 2;
        } else {
            break;
        }
    }
    size_t n = blen + strlen(p) + 2;
    char *r = malloc(n);
    if (r)
        snprintf(r, n, "%.*s%s%s", (int)blen, base, blen == 1 && base[0] == '/' ? "" : "/", p);
    return r;
}

/* A display name reaches logs, chat messages, CSV and typeset reports:
 * valid UTF-8, no control characters (a newline in a name forges log
 * lines), and short enough to be kept whole (names are stored in fixed
 * buffers; a cut in the middle of a multibyte character is garbage). */
#define NAME_MAX_CHARS 80
static int check_text(struct loader *ld, const yaml_node_t *node, const char *keypath, const char *s)
{
    size_t chars = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; chars++) {
        int n = *p < 0x80 ? 1 : (*p & 0xe0) == 0xc0 ? 2 : (*p & 0xf0) == 0xe0 ? 3 : (*p & 0xf8) == 0xf0 ? 4 : 0;
        if (n == 0 || (n == 2 && *p < 0xc2)) {
            err_at(ld, node, keypath, "is not valid UTF-8");
            return -1;
        }
        for (int i = 1; i < n; i++)
            if ((p[i] & 0xc0) != 0x80) {
                err_at(ld, node, keypath, "is not valid UTF-8");
                return -1;
            }
        if (*p < 0x20 || *p == 0x7f || (n == 2 && p[0] == 0xc2 && p[1] < 0xa0)) {
            err_at(ld, node, keypath, "contains a control character (U+%04X)", n == 1 ? *p : p[1]);
            return -1;
        }
        p += n;
    }
    if (chars > NAME_MAX_CHARS || strlen(s) > CW_NAME_MAX_BYTES) {
        err_at(ld, node, keypath, "is %zu characters long; names may have at most %d", chars, NAME_MAX_CHARS);
        return -1;
    }
    return 0;
}

/* Checks a URL with libcurl's parser (the one that will use it for http;
 * FFmpeg's RTSP client reads the same RFC 3986 form): a scheme from
 * `schemes`, a host, a port in range, and user info that needs no
 * percent-encoding. Messages never quote the URL (it may hold a password).
 * ${VAR} references the CLI left unexpanded stand for "x". 0 or -1. */
static int check_url(struct loader *ld, const yaml_node_t *node, const char *keypath, const char *url,
                     const char *const *schemes)
{
    char buf[1100];
    size_t o = 0;
    for (const char *p = url; *p && o + 2 < sizeof buf; p++) {
        const char *end;
        if (p[0] == '$' && p[1] == '{' && (end = strchr(p, '}')) != NULL) {
            buf[o++] = 'x';
            p = end;
        } else {
            buf[o++] = *p;
        }
    }
    buf[o] = '\0';
    const char *sep = strstr(buf, "://");
    int scheme_ok = 0;
    for (int i = 0; sep && schemes[i]; i++)
        if (strlen(schemes[i]) == (size_t)(sep - buf) && strncasecmp(buf, schemes[i], (size_t)(sep - buf)) == 0)
            scheme_ok = 1;
    if (!scheme_ok) {
        err_at(ld, node, keypath, "must be an %s:// or %s:// URL", schemes[0], schemes[1]);
        return -1;
    }
    /* The user info ends at the last '@' of the URL. An unencoded '@',
     * '#', '?' or '/' before it (an installer's "Admin@123#") makes each
     * reader see another URL: curl and FFmpeg take the host from inside
     * the password ("123"), the camera looks like a broken stream, and a
     * masker that stops at the first delimiter shows half the password.
     * Refuse it, naming the encoding, never the characters around it. */
    const char *auth = sep + 3;
    const char *at = strrchr(auth, '@');
    if (at) {
        static const char amb[] = "@#?/", *const enc[] = {"%40", "%23", "%3F", "%2F"};
        char which[64] = "", how[64] = "";
        int n = 0;
        for (int k = 0; amb[k]; k++) {
            if (!memchr(auth, amb[k], (size_t)(at - auth)))
                continue;
            size_t w = strlen(which), hw = strlen(how);
            snprintf(which + w, sizeof which - w, "%s'%c'", n ? " and " : "", amb[k]);
            snprintf(how + hw, sizeof how - hw, "%s%s", n ? ", " : "", enc[k]);
            n++;
        }
        if (n) {
            err_at(ld, node, keypath,
                   "the user name or password holds an unencoded %s: write %s %s (as written, the host would be "
                   "read from inside the password; an '@' that belongs to the path is written %%40 too)",
                   which, n > 1 ? "them as" : "it as", how);
            return -1;
        }
        for (const char *p = auth; p < at; p++) {
            unsigned char c = (unsigned char)*p;
            if (isalnum(c) || strchr("-._~!$&'()*+,;=:%", c))
                continue;
            err_at(ld, node, keypath, "the user name or password contains '%c' (byte 0x%02x): write it as %%%02X",
                   c >= 32 && c < 127 ? c : '?', c, c);
            return -1;
        }
    }
    CURLU *h = curl_url();
    if (!h)
        return -1;
    CURLUcode uc = curl_url_set(h, CURLUPART_URL, buf, CURLU_NON_SUPPORT_SCHEME);
    char *host = NULL;
    int rc = 0;
    if (uc != CURLUE_OK) {
        err_at(ld, node, keypath, "is not a valid URL: %s", curl_url_strerror(uc));
        rc = -1;
    } else if (curl_url_get(h, CURLUPART_HOST, &host, 0) != CURLUE_OK || !host || !host[0]) {
        err_at(ld, node, keypath, "has no host");
        rc = -1;
    }
    curl_free(host);
    curl_url_cleanup(h);
    return rc;
}

/* Converts one scalar (from the file or a default) into its field. */
static int set_value(struct loader *ld, const yaml_node_t *node, const char *keypath, const struct key *k,
                     const char *raw, void *obj)
{
    char *s = expand_env(ld, node, keypath, raw);
    char *field = (char *)obj + k->off;
    double d;
    int b, rc = 0;

    if (!s)
        return -1;
    switch (k->type) {
    case T_STR: /* may be empty: http.listen "" turns the server off */
        if (s && strcmp(k->name, "name") == 0 && check_text(ld, node, keypath, s) < 0) {
            free(s);
            return -1;
        }
        *(char **)field = s;
        return 0;
    case T_ID:
        if (!valid_id(s)) {
            err_at(ld, node, keypath, "'%s' is not a valid id (1-64 of A-Z a-z 0-9 _ - ., not starting with '.')", s);
            rc = -1;
            break;
        }
        *(char **)field = s;
        return 0;
    case T_PATH:
        if (!s[0]) {
            err_at(ld, node, keypath, "must not be empty");
            rc = -1;
            break;
        }
        *(char **)field = resolve_path(ld->base_dir, s);
        break;
    case T_URL:
        if (strlen(s) > 1000) {
            err_at(ld, node, keypath, "URL is longer than 1000 bytes");
            rc = -1;
            break;
        }
        if (check_url(ld, node, keypath, s, rtsp_schemes) < 0) {
            rc = -1;
            break;
        }
        *(char **)field = s;
        return 0;
    case T_DURATION:
        if (parse_duration(s, &d) < 0) {
            err_at(ld, node, keypath, "'%s' is not a duration (e.g. 10s, 500ms, 2m, 1h, 7d)", s);
            rc = -1;
        } else if (d < k->min || d > k->max) {
            err_at(ld, node, keypath, "%s is out of range (%g s to %g s)", s, k->min, k->max);
            rc = -1;
        } else {
            *(int64_t *)field = (int64_t)(d * 1e6 + 0.5);
        }
        break;
    case T_DOUBLE: {
        char *end;
        d = strtod(s, &end);
        if (end == s || *end || !isfinite(d)) {
            err_at(ld, node, keypath, "'%s' is not a finite number", s);
            rc = -1;
        } else if (d < k->min || d > k->max) {
            err_at(ld, node, keypath, "%s is out of range (%g to %g)", s, k->min, k->max);
            rc = -1;
        } else {
            *(double *)field = d;
        }
        break;
    }
    case T_BOOL:
        if (parse_bool(s, &b) < 0) {
            err_at(ld, node, keypath, "'%s' is not true or false", s);
            rc = -1;
        } else {
            *(int *)field = b;
        }
        break;
    case T_LOGLEVEL:
        b = cw_log_level_parse(s);
        if (b < 0) {
            err_at(ld, node, keypath, "'%s' is not one of error, warn, info, debug", s);
            rc = -1;
        } else {
            *(int *)field = b;
        }
        break;
    case T_TRANSPORT:
        if (strcmp(s, "tcp") == 0)
            *(int *)field = CW_TRANSPORT_TCP;
        else if (strcmp(s, "udp") == 0)
            *(int *)field = CW_TRANSPORT_UDP;
        else {
            err_at(ld, node, keypath, "'%s' is not tcp or udp", s);
            rc = -1;
        }
        break;
    case T_INT: {
        char *end;
        long v = strtol(s, &end, 10);
        if (end == s || *end) {
            err_at(ld, node, keypath, "'%s' is not a whole number", s);
            rc = -1;
        } else if (v < k->min || v > k->max) {
            err_at(ld, node, keypath, "%s is out of range (%g to %g)", s, k->min, k->max);
            rc = -1;
        } else {
            *(int *)field = (int)v;
        }
        break;
    }
    case T_SCHEDULE: {
        int from_m, to_m;
        if (cw_parse_schedule(s, &from_m, &to_m) < 0) {
            err_at(ld, node, keypath, "'%s' is not a time window like 22:00-05:00", s);
            rc = -1;
            break;
        }
        *(char **)field = s;
        return 0;
    }
    case T_TEXT:
        if (check_text(ld, node, keypath, s) < 0) {
            rc = -1;
            break;
        }
        snprintf(field, CW_DOC_TEXT, "%s", s);
        break;
    case T_LIST:
    case T_MAP:
        break;
    }
    free(s);
    return rc;
}

/* Applies a key table to a mapping node: every key must be known and
 * appear once; missing keys take their defaults; required ones are errors.
 * T_LIST and T_MAP keys are not converted: their nodes are returned in
 * lists[] in table order. Returns the number of errors found. */
static int apply_table(struct loader *ld, yaml_node_t *map, const char *path, const struct key *table, void *obj,
                       yaml_node_t **lists)
{
    int nkeys = 0, before = ld->n_err;
    while (table[nkeys].name)
        nkeys++;
    yaml_node_t *seen[32] = {0};
    char keypath[512];

    if (!map || map->type != YAML_MAPPING_NODE) {
        err_at(ld, map, path, "expected a mapping of keys");
        return ld->n_err - before;
    }
    for (yaml_node_pair_t *pr = map->data.mapping.pairs.start; pr < map->data.mapping.pairs.top; pr++) {
        yaml_node_t *kn = yaml_document_get_node(&ld->doc, pr->key);
        yaml_node_t *vn = yaml_document_get_node(&ld->doc, pr->value);
        if (!kn || kn->type != YAML_SCALAR_NODE) {
            err_at(ld, kn, path, "keys must be plain names");
            continue;
        }
        const char *kname = (const char *)kn->data.scalar.value;
        snprintf(keypath, sizeof keypath, "%s%s%s", path, path[0] ? "." : "", kname);
        int i;
        for (i = 0; i < nkeys; i++)
            if (strcmp(table[i].name, kname) == 0)
                break;
        if (i == nkeys) {
            err_at(ld, kn, keypath, "unknown key");
            continue;
        }
        if (seen[i]) {
            err_at(ld, kn, keypath, "duplicate key (first at line %lu)", (unsigned long)seen[i]->start_mark.line + 1);
            continue;
        }
        seen[i] = kn;
        if (table[i].type == T_LIST || table[i].type == T_MAP) {
            int li = 0;
            for (int j = 0; j < i; j++)
                li += table[j].type == T_LIST || table[j].type == T_MAP;
            if (table[i].type == T_LIST && vn->type != YAML_SEQUENCE_NODE) {
                err_at(ld, vn, keypath, "expected a list");
                continue;
            }
            if (table[i].type == T_MAP && vn->type != YAML_MAPPING_NODE) {
                err_at(ld, vn, keypath, "expected a mapping of keys");
                continue;
            }
            lists[li] = vn;
            continue;
        }
        if (vn->type != YAML_SCALAR_NODE) {
            err_at(ld, vn, keypath, "expected a single value");
            continue;
        }
        set_value(ld, vn, keypath, &table[i], (const char *)vn->data.scalar.value, obj);
    }
    for (int i = 0; i < nkeys; i++) {
        if (seen[i] || table[i].type == T_LIST || table[i].type == T_MAP)
            continue;
        snprintf(keypath, sizeof keypath, "%s%s%s", path, path[0] ? "." : "", table[i].name);
        if (!table[i].def)
            err_at(ld, map, keypath, "required key is missing");
        else
            set_value(ld, map, keypath, &table[i], table[i].def, obj);
    }
    return ld->n_err - before;
}

static yaml_node_t *map_get(struct loader *ld, yaml_node_t *map, const char *key, yaml_node_t **keynode)
{
    for (yaml_node_pair_t *pr = map->data.mapping.pairs.start; pr < map->data.mapping.pairs.top; pr++) {
        yaml_node_t *kn = yaml_document_get_node(&ld->doc, pr->key);
        if (kn && kn->type == YAML_SCALAR_NODE && strcmp((const char *)kn->data.scalar.value, key) == 0) {
            if (keynode)
                *keynode = kn;
            return yaml_document_get_node(&ld->doc, pr->value);
        }
    }
    return NULL;
}

static int seq_len(yaml_node_t *seq)
{
    return seq ? (int)(seq->data.sequence.items.top - seq->data.sequence.items.start) : 0;
}

static yaml_node_t *seq_item(struct loader *ld, yaml_node_t *seq, int i)
{
    return yaml_document_get_node(&ld->doc, seq->data.sequence.items.start[i]);
}

static char **string_list(struct loader *ld, yaml_node_t *seq, const char *path);

/* The communes of a district (d >= 0) or straight under the province (-1),
 * with their sites. */
/* A site's or camera's retention: only the kinds it names, over what it
 * inherits (r holds the inherited limits on entry). */
static void load_retention_override(struct loader *ld, yaml_node_t *map, const char *path, struct cw_retention *r)
{
    char keypath[320];
    for (yaml_node_pair_t *pr = map->data.mapping.pairs.start; pr < map->data.mapping.pairs.top; pr++) {
        yaml_node_t *kn = yaml_document_get_node(&ld->doc, pr->key);
        yaml_node_t *vn = yaml_document_get_node(&ld->doc, pr->value);
        const char *k = kn && kn->type == YAML_SCALAR_NODE ? (const char *)kn->data.scalar.value : "?";
        snprintf(keypath, sizeof keypath, "%s.retention.%s", path, k);
        int kind = 0;
        while (kind < CW_KEEP_N && strcmp(retention_keys[kind].name, k) != 0)
            kind++;
        if (kind == CW_KEEP_N) {
            err_at(ld, kn, keypath, "unknown key (expected snapshots, thumbnails, events or levels)");
            continue;
        }
        if (!vn || vn->type != YAML_SCALAR_NODE) {
            err_at(ld, vn, keypath, "expected a single value");
            continue;
        }
        struct retention_top t = {.r = *r};
        if (set_value(ld, vn, keypath, &retention_keys[kind], (const char *)vn->data.scalar.value, &t) == 0) {
            r->max_age_us[kind] = t.r.max_age_us[kind];
            r->set |= 1u << kind;
        }
    }
}

struct notice {
    char *where, *since;
};
static const struct key notice_keys[] = {
    {"where", T_STR, NULL, offsetof(struct notice, where), 0, 0, 1,
     "where the notice is posted (e.g. \"Biển báo tại cổng làng\")"},
    {"since", T_STR, NULL, offsetof(struct notice, since), 0, 0, 1, "the day it was posted, YYYY-MM-DD"},
    {NULL, 0, NULL, 0, 0, 0, 0, NULL},
};

static void load_notice(struct loader *ld, yaml_node_t *map, const char *path, struct cw_site *site)
{
    struct notice n = {NULL, NULL};
    char kp[320];
    snprintf(kp, sizeof kp, "%s.notice", path);
    apply_table(ld, map, kp, notice_keys, &n, NULL);
    int y, m, d;
    char tail;
    if (n.where && (!n.where[0] || check_text(ld, map, kp, n.where) < 0)) {
        if (!n.where[0])
            err_at(ld, map, kp, "where: must say where the notice is posted");
    } else if (n.since && (sscanf(n.since, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3 || strlen(n.since) != 10 ||
                           m < 1 || m > 12 || d < 1 || d > 31 || y < 2000)) {
        snprintf(kp, sizeof kp, "%s.notice.since", path);
        err_at(ld, map_get(ld, map, "since", NULL), kp, "'%s' is not a day (YYYY-MM-DD)", n.since);
    } else if (n.where && n.since) {
        site->notice_where = n.where;
        site->notice_since = n.since;
        return;
    }
    free(n.where);
    free(n.since);
}

static void load_communes(struct loader *ld, struct cw_config *cfg, yaml_node_t *communes, const char *path, int d)
{
    int nc = seq_len(communes);
    struct cw_commune *cm = realloc(cfg->communes, sizeof *cm * (size_t)(cfg->n_communes + nc + 1));
    if (!cm)
        return;
    cfg->communes = cm;
    for (int c = 0; c < nc; c++) {
        yaml_node_t *lists[2] = {NULL, NULL}; /* sites, formerly */
        char cpath[192];
        snprintf(cpath, sizeof cpath, "%s.communes[%d]", path, c);
        struct cw_commune *com = &cfg->communes[cfg->n_communes++];
        memset(com, 0, sizeof *com);
        com->district = d;
        yaml_node_t *item = seq_item(ld, communes, c);
        apply_table(ld, item, cpath, commune_keys, com, lists);
        char fpath[224];
        snprintf(fpath, sizeof fpath, "%s.formerly", cpath);
        com->formerly = lists[1] ? string_list(ld, lists[1], fpath) : calloc(1, sizeof(char *));
        for (int o = 0; com->id && o < cfg->n_communes - 1; o++)
            if (cfg->communes[o].id && strcmp(cfg->communes[o].id, com->id) == 0)
                err_at(ld, item, cpath, "duplicate commune id '%s'", com->id);
        yaml_node_t *sites = lists[0];
        int ns = seq_len(sites);
        struct cw_site *st = realloc(cfg->sites, sizeof *st * (size_t)(cfg->n_sites + ns + 1));
        if (!st)
            return;
        cfg->sites = st;
        for (int s = 0; s < ns; s++) {
            char spath[256];
            snprintf(spath, sizeof spath, "%s.sites[%d]", cpath, s);
            struct cw_site *site = &cfg->sites[cfg->n_sites++];
            memset(site, 0, sizeof *site);
            site->commune = cfg->n_communes - 1;
            yaml_node_t *si = seq_item(ld, sites, s);
            yaml_node_t *maps[2] = {NULL, NULL}; /* retention, notice */
            apply_table(ld, si, spath, site_keys, site, maps);
            site->retention = cfg->retention;
            site->retention.set = 0;
            if (maps[0])
                load_retention_override(ld, maps[0], spath, &site->retention);
            if (maps[1])
                load_notice(ld, maps[1], spath, site);
            for (int o = 0; site->id && o < cfg->n_sites - 1; o++)
                if (cfg->sites[o].id && strcmp(cfg->sites[o].id, site->id) == 0)
                    err_at(ld, si, spath, "duplicate site id '%s'", site->id);
        }
    }
}

static void load_district(struct loader *ld, struct cw_config *cfg, yaml_node_t *item, const char *path)
{
    yaml_node_t *communes = NULL;
    struct cw_district *dist = realloc(cfg->districts, sizeof *dist * (size_t)(cfg->n_districts + 1));
    if (!dist)
        return;
    cfg->districts = dist;
    dist = &cfg->districts[cfg->n_districts++];
    memset(dist, 0, sizeof *dist);
    apply_table(ld, item, path, district_keys, dist, &communes);
    load_communes(ld, cfg, communes, path, cfg->n_districts - 1);
}

/* sites: one `- province:` item with its communes (or districts, each with
 * communes); the older form, a list of `- district:` items, still loads. */
static void load_sites(struct loader *ld, struct cw_config *cfg, yaml_node_t *seq)
{
    char path[128];
    int n = seq_len(seq), provinces = 0, legacy = 0;

    for (int i = 0; i < n; i++) {
        yaml_node_t *item = seq_item(ld, seq, i);
        snprintf(path, sizeof path, "sites[%d]", i);
        if (item->type != YAML_MAPPING_NODE) {
            err_at(ld, item, path, "expected a mapping (- province: ID, name: ..., communes: [...])");
            continue;
        }
        if (map_get(ld, item, "province", NULL)) {
            if (provinces++ || legacy) {
                err_at(ld, item, path, provinces > 1 ? "one province per deployment (run one camwatchd per province)"
                                                     : "mixes a province with districts of the older form");
                continue;
            }
            yaml_node_t *lists[2] = {NULL, NULL}; /* districts, communes */
            struct { char *id, *name; } pv = {NULL, NULL};
            apply_table(ld, item, path, province_keys, &pv, lists);
            free(cfg->province);
            free(cfg->province_name);
            cfg->province = pv.id;
            cfg->province_name = pv.name;
            if (lists[0] && lists[1])
                err_at(ld, item, path, "give communes or districts, not both");
            else if (!lists[0] && !lists[1])
                err_at(ld, item, path, "required key is missing: communes (or districts)");
            for (int d = 0; lists[0] && d < seq_len(lists[0]); d++) {
                char dpath[160];
                snprintf(dpath, sizeof dpath, "%s.districts[%d]", path, d);
                load_district(ld, cfg, seq_item(ld, lists[0], d), dpath);
            }
            if (lists[1])
                load_communes(ld, cfg, lists[1], path, -1);
        } else if (map_get(ld, item, "district", NULL)) {
            if (provinces) {
                err_at(ld, item, path, "mixes districts of the older form with a province");
                continue;
            }
            legacy++;
            load_district(ld, cfg, item, path);
        } else {
            char kp[160];
            snprintf(kp, sizeof kp, "%s.province", path);
            err_at(ld, item, kp, "required key is missing (or, in the older form, district)");
        }
    }
    /* A former commune id must not name a current commune. */
    for (int c = 0; c < cfg->n_communes; c++)
        for (int f = 0; cfg->communes[c].formerly && cfg->communes[c].formerly[f]; f++)
            for (int o = 0; o < cfg->n_communes; o++)
                if (cfg->communes[o].id && strcmp(cfg->communes[o].id, cfg->communes[c].formerly[f]) == 0)
                    err_at(ld, seq, "sites", "commune '%s' lists '%s' as formerly, but '%s' is a current commune",
                           cfg->communes[c].id, cfg->communes[c].formerly[f], cfg->communes[c].formerly[f]);
}

/* A camera's `plugins:` list: each item a mapping with `name` and the
 * plugin's own options (a scalar, or a list of scalars for repeatable
 * options such as motion zones). Options are checked by the plugin itself
 * when the daemon starts the camera. */
static void load_plugins(struct loader *ld, struct cw_camera_config *cam, yaml_node_t *seq, const char *cpath)
{
    int n = seq_len(seq);
    char path[200], kp[300];
    cam->plugins = calloc((size_t)n + 1, sizeof *cam->plugins);
    for (int i = 0; i < n && cam->plugins; i++) {
        yaml_node_t *item = seq_item(ld, seq, i);
        struct cw_plugin_config *pc = &cam->plugins[cam->n_plugins++];
        snprintf(path, sizeof path, "%s.plugins[%d]", cpath, i);
        pc->line = (int)item->start_mark.line + 1;
        pc->column = (int)item->start_mark.column + 1;
        if (item->type == YAML_SCALAR_NODE) { /* "- motion" with no options */
            const char *nm = (const char *)item->data.scalar.value;
            if (!valid_id(nm)) { /* a path here would load a .so from outside plugin_dir */
                err_at(ld, item, path, "'%s' is not a plugin name", nm);
                continue;
            }
            pc->name = strdup(nm);
        } else if (item->type != YAML_MAPPING_NODE) {
            err_at(ld, item, path, "expected a plugin name or {name: ..., options}");
            continue;
        }
        for (yaml_node_pair_t *pr = item->type == YAML_MAPPING_NODE ? item->data.mapping.pairs.start : NULL;
             pr && pr < item->data.mapping.pairs.top; pr++) {
            yaml_node_t *kn = yaml_document_get_node(&ld->doc, pr->key);
            yaml_node_t *vn = yaml_document_get_node(&ld->doc, pr->value);
            const char *k = kn->type == YAML_SCALAR_NODE ? (const char *)kn->data.scalar.value : "?";
            snprintf(kp, sizeof kp, "%s.%s", path, k);
            int nv = vn->type == YAML_SEQUENCE_NODE ? seq_len(vn) : 1;
            for (int j = 0; j < nv; j++) {
                yaml_node_t *v = vn->type == YAML_SEQUENCE_NODE ? seq_item(ld, vn, j) : vn;
                if (v->type != YAML_SCALAR_NODE) {
                    err_at(ld, v, kp, "expected a value or a list of values");
                    continue;
                }
                char *val = expand_env(ld, v, kp, (const char *)v->data.scalar.value);
                if (!val)
                    continue;
                if (strcmp(k, "name") == 0) {
                    if (pc->name || !valid_id(val)) {
                        err_at(ld, v, kp, pc->name ? "duplicate name" : "'%s' is not a plugin name", val);
                        free(val);
                        continue;
                    }
                    pc->name = val;
                    continue;
                }
                char **ks = realloc(pc->keys, sizeof(char *) * (size_t)(pc->n + 1));
                char **vs = ks ? realloc(pc->values, sizeof(char *) * (size_t)(pc->n + 1)) : NULL;
                if (ks)
                    pc->keys = ks;
                if (!vs) {
                    free(val);
                    continue;
                }
                pc->values = vs;
                pc->keys[pc->n] = strdup(k);
                pc->values[pc->n] = val;
                pc->n++;
            }
        }
        if (!pc->name)
            err_at(ld, item, path, "plugin without a name");
        for (int o = 0; pc->name && o < cam->n_plugins - 1; o++)
            if (cam->plugins[o].name && strcmp(cam->plugins[o].name, pc->name) == 0)
                err_at(ld, item, path, "plugin '%s' listed twice", pc->name);
    }
}

/* Index of the site with that id, or -1 (find_district: the same for districts). */
static int find_site(const struct cw_config *cfg, const char *id)
{
    for (int s = 0; s < cfg->n_sites; s++)
        if (cfg->sites[s].id && strcmp(cfg->sites[s].id, id) == 0)
            return s;
    return -1;
}

static int find_district(const struct cw_config *cfg, const char *id)
{
    for (int d = 0; d < cfg->n_districts; d++)
        if (cfg->districts[d].id && strcmp(cfg->districts[d].id, id) == 0)
            return d;
    return -1;
}

static void load_cameras(struct loader *ld, struct cw_config *cfg, yaml_node_t *seq)
{
    int n = seq_len(seq);
    char path[64];

    cfg->cameras = calloc((size_t)n + 1, sizeof *cfg->cameras);
    /* Duplicate ids in linear time: a hash table of the ids seen. And a
     * YAML alias (*cam) of a camera block is the same node again: refused
     * once, not expanded (20,000 aliases must not become 20,000 cameras). */
    struct hsearch_data ids;
    memset(&ids, 0, sizeof ids);
    int have_ids = hcreate_r((size_t)n * 2 + 16, &ids) != 0;
    size_t n_nodes = (size_t)(ld->doc.nodes.top - ld->doc.nodes.start);
    unsigned char *seen = calloc(n_nodes + 1, 1);
    for (int i = 0; i < n && cfg->cameras; i++) {
        yaml_node_t *item = seq_item(ld, seq, i);
        int node_id = seq->data.sequence.items.start[i];
        snprintf(path, sizeof path, "cameras[%d]", i);
        if (seen && node_id > 0 && (size_t)node_id <= n_nodes) {
            if (seen[node_id]) {
                err_at(ld, item, path, "a YAML alias of an earlier camera block: give each camera its own block");
                continue;
            }
            seen[node_id] = 1;
        }
        struct cw_camera_config *cam = &cfg->cameras[cfg->n_cameras++];
        cam->site = -1;
        cam->line = (int)item->start_mark.line + 1;
        snprintf(path, sizeof path, "cameras[%d]", i);
        yaml_node_t *maps[2] = {NULL, NULL}; /* plugins, retention */
        apply_table(ld, item, path, camera_keys, cam, maps);
        if (maps[0])
            load_plugins(ld, cam, maps[0], path);
        if (cam->motion_schedule)
            cw_parse_schedule(cam->motion_schedule, &cam->sched_from_min, &cam->sched_to_min);
        if (cam->id) {
            char p2[160];
            snprintf(p2, sizeof p2, "cameras[%d].id", i);
            ENTRY e = {.key = cam->id, .data = cam}, *found = NULL;
            if (have_ids && hsearch_r(e, FIND, &found, &ids) && found)
                err_at(ld, map_get(ld, item, "id", NULL), p2, "duplicate camera id '%s' (first at line %d)",
                       cam->id, ((struct cw_camera_config *)found->data)->line);
            else if (have_ids)
                hsearch_r(e, ENTER, &found, &ids);
            if (cam->name && !cam->name[0]) {
                free(cam->name);
                cam->name = strdup(cam->id);
            }
        }
        if (cam->site_id) {
            cam->site = find_site(cfg, cam->site_id);
            if (cam->site < 0) {
                char p2[160];
                snprintf(p2, sizeof p2, "cameras[%d].site", i);
                err_at(ld, map_get(ld, item, "site", NULL), p2, "unknown site '%s' (not under sites:)", cam->site_id);
            }
        }
        if (cam->certified && cam->certified[0] && strcmp(cam->certified, "QCVN135") != 0) {
            char p2[160];
            snprintf(p2, sizeof p2, "%s.certified", path);
            err_at(ld, map_get(ld, item, "certified", NULL), p2, "'%s' is not QCVN135 (or empty)", cam->certified);
        }
        cam->retention = cam->site >= 0 ? cfg->sites[cam->site].retention : cfg->retention;
        cam->retention.set = 0;
        if (maps[1])
            load_retention_override(ld, maps[1], path, &cam->retention);
        if (cam->url) {
            char red[1100];
            cam->url_redacted = strdup(cw_redact_url(cam->url, red, sizeof red));
        }
    }
    if (have_ids)
        hdestroy_r(&ids); /* the keys are the cameras' own ids */
    free(seen);
}

/* Whether host (an IP literal or "localhost") is a loopback address. */
static int is_loopback(const char *host)
{
    return strcmp(host, "localhost") == 0 || strncmp(host, "127.", 4) == 0 || strcmp(host, "::1") == 0 ||
           strcmp(host, "[::1]") == 0;
}

int cw_http_split_listen(const char *listen, char *host, size_t hlen, int *port)
{
    const char *colon = strrchr(listen, ':');
    char *end;
    if (!colon || colon == listen || (size_t)(colon - listen) >= hlen)
        return -1;
    long p = strtol(colon + 1, &end, 10);
    if (*end || p < 1 || p > 65535)
        return -1;
    memcpy(host, listen, (size_t)(colon - listen));
    host[colon - listen] = '\0';
    *port = (int)p;
    return 0;
}

static void check_http(struct loader *ld, struct cw_config *cfg, yaml_node_t *node)
{
    char host[128];
    int port;
    if (!cfg->http.listen || !cfg->http.listen[0])
        return;
    if (cw_http_split_listen(cfg->http.listen, host, sizeof host, &port) < 0) {
        err_at(ld, node, "http.listen", "'%s' is not ADDRESS:PORT", cfg->http.listen);
        return;
    }
    /* An API that tells anyone where every camera is and which are down is
     * not left open on a network. */
    if (!is_loopback(host) && (!cfg->http.token || !cfg->http.token[0]) && cfg->n_users == 0)
        err_at(ld, node, "http.token", "listening on %s (not loopback) requires a token or users", cfg->http.listen);
    if (cfg->http.push_url && cfg->http.push_url[0])
        check_url(ld, node, "http.push_url", cfg->http.push_url, http_schemes);
    /* HTTPS: both files or neither, each readable now (not at the first
     * request); the cookie then goes over https only */
    char **tls[2] = {&cfg->http.tls_cert, &cfg->http.tls_key};
    const char *names[2] = {"http.tls_cert", "http.tls_key"};
    int given = 0;
    for (int i = 0; i < 2; i++) {
        if (!*tls[i] || !(*tls[i])[0])
            continue;
        given |= 1 << i;
        char *p = resolve_path(ld->base_dir, *tls[i]);
        if (p) {
            free(*tls[i]);
            *tls[i] = p;
        }
        if (access(*tls[i], R_OK) != 0)
            err_at(ld, node, names[i], "cannot read %s: %s", *tls[i], strerror(errno));
    }
    if (given == 1 || given == 2)
        err_at(ld, node, given == 1 ? "http.tls_key" : "http.tls_cert", "is needed with %s (HTTPS needs both)",
               given == 1 ? "http.tls_cert" : "http.tls_key");
    if (given == 3)
        cfg->http.secure_cookies = 1;
}

static void check_upstream(struct loader *ld, struct cw_config *cfg, yaml_node_t *node)
{
    struct cw_upstream_config *u = &cfg->upstream;
    char err[300];
    if (!u->url || !u->url[0])
        return;
    /* each message at its own key's line when the section has it */
#define AT(key) (node->type == YAML_MAPPING_NODE && map_get(ld, node, key, NULL) ? map_get(ld, node, key, NULL) : node)
    if (cw_upstream_check_conninfo(u->url, err, sizeof err))
        err_at(ld, AT("url"), "upstream.url", "%s", err);
    if (!u->instance || !u->instance[0])
        err_at(ld, node, "upstream.instance", "is needed with upstream.url (this commune's name in the province)");
    else if (!cw_upstream_instance_ok(u->instance))
        err_at(ld, AT("instance"), "upstream.instance", "'%s' is not a name (letters, digits, '.', '_', '-'; 64 at most)",
               u->instance);
    if (u->password_file && u->password_file[0]) {
        char *p = resolve_path(ld->base_dir, u->password_file);
        if (p) {
            free(u->password_file);
            u->password_file = p;
        }
        if (access(u->password_file, R_OK) != 0)
            err_at(ld, AT("password_file"), "upstream.password_file", "cannot read %s: %s", u->password_file, strerror(errno));
    }
#undef AT
}

/* A list of plain strings (target filters) as a NULL-terminated array. */
static char **string_list(struct loader *ld, yaml_node_t *seq, const char *path)
{
    int n = seq_len(seq);
    char **out = calloc((size_t)n + 1, sizeof *out);
    int k = 0; /* no holes: the list ends at its first NULL */
    for (int i = 0; out && i < n; i++) {
        yaml_node_t *v = seq_item(ld, seq, i);
        if (v->type != YAML_SCALAR_NODE || !valid_id((const char *)v->data.scalar.value)) {
            err_at(ld, v, path, "expected a list of names");
            continue;
        }
        if ((out[k] = strdup((const char *)v->data.scalar.value)))
            k++;
    }
    return out;
}

/* Alert target filters name places that exist (a commune also by a former
 * id); a district filter needs a district level. */
static void check_alert_filters(struct loader *ld, struct cw_config *cfg, yaml_node_t *alerts)
{
    for (int i = 0; i < cfg->alerts.n_targets; i++) {
        const struct cw_alert_target *t = &cfg->alerts.targets[i];
        char path[64];
        snprintf(path, sizeof path, "alerts.targets[%d]", i);
        for (int k = 0; t->sites && t->sites[k]; k++)
            if (find_site(cfg, t->sites[k]) < 0)
                err_at(ld, alerts, path, "sites: unknown site '%s'", t->sites[k]);
        for (int k = 0; t->communes && t->communes[k]; k++)
            if (!cw_config_commune_current(cfg, t->communes[k]))
                err_at(ld, alerts, path, "communes: unknown commune '%s'", t->communes[k]);
        for (int k = 0; t->districts && t->districts[k]; k++)
            if (find_district(cfg, t->districts[k]) < 0)
                err_at(ld, alerts, path, "districts: %s '%s'",
                       cfg->n_districts ? "unknown district" : "this config has no district level, so no", t->districts[k]);
    }
    const struct cw_alerts_config *a = &cfg->alerts;
    const char *refs[][2] = {{"alerts.escalate_to", a->escalate_to}, {"alerts.monthly_digest_to", a->monthly_digest_to}};
    for (int r = 0; r < 2; r++) {
        int found = 0;
        for (int i = 0; refs[r][1] && refs[r][1][0] && i < a->n_targets; i++)
            found |= a->targets[i].name && strcmp(a->targets[i].name, refs[r][1]) == 0;
        if (refs[r][1] && refs[r][1][0] && !found)
            err_at(ld, alerts, refs[r][0], "no target named '%s'", refs[r][1]);
    }
    if (a->escalate_after_us > 0 && (!a->escalate_to || !a->escalate_to[0]))
        err_at(ld, alerts, "alerts.escalate_after", "is set, but escalate_to names no target");
}

static void load_alerts(struct loader *ld, struct cw_config *cfg, yaml_node_t *node)
{
    yaml_node_t *targets = NULL;
    struct cw_alerts_config *a = &cfg->alerts;
    char path[64], kp[96];
    yaml_node_t *alists[2] = {NULL, NULL}; /* severities, targets (table order) */
    apply_table(ld, node, "alerts", alerts_keys, a, alists);
    targets = alists[1];
    for (int i = 0; alists[0] && i < seq_len(alists[0]); i++) {
        yaml_node_t *v = seq_item(ld, alists[0], i);
        snprintf(kp, sizeof kp, "alerts.severities[%d]", i);
        const char *txt = v->type == YAML_SCALAR_NODE ? (const char *)v->data.scalar.value : "";
        const char *eq = strchr(txt, '=');
        char kind[32] = "";
        if (eq && eq - txt < (ptrdiff_t)sizeof kind)
            snprintf(kind, sizeof kind, "%.*s", (int)(eq - txt), txt);
        const struct cw_alert_kind *ak = cw_alert_kind(kind);
        if (!eq || !ak || (strcmp(eq + 1, "critical") && strcmp(eq + 1, "warning") && strcmp(eq + 1, "info"))) {
            err_at(ld, v, kp, "'%s' is not KIND=critical|warning|info with a known kind", txt);
            continue;
        }
        if (a->n_severities < (int)(sizeof a->severities / sizeof a->severities[0])) {
            snprintf(a->severities[a->n_severities].kind, sizeof a->severities[0].kind, "%s", ak->key);
            snprintf(a->severities[a->n_severities].severity, sizeof a->severities[0].severity, "%s", eq + 1);
            a->n_severities++;
        }
    }
    if (a->language && a->language[0] && strcmp(a->language, "vi") != 0 && strcmp(a->language, "en") != 0)
        err_at(ld, node, "alerts.language", "'%s' is not vi or en", a->language);
    a->lang_vi = a->language && a->language[0] ? strcmp(a->language, "en") != 0 : cfg->lang_vi;
    int n = seq_len(targets);
    a->targets = calloc((size_t)n + 1, sizeof *a->targets);
    for (int i = 0; i < n && a->targets; i++) {
        yaml_node_t *item = seq_item(ld, targets, i), *lists[4] = {NULL, NULL, NULL, NULL};
        struct cw_alert_target *t = &a->targets[a->n_targets++];
        t->line = (int)item->start_mark.line + 1;
        t->sched_from_min = t->sched_to_min = -1;
        snprintf(path, sizeof path, "alerts.targets[%d]", i);
        apply_table(ld, item, path, target_keys, t, lists);
        snprintf(kp, sizeof kp, "%s.kinds", path);
        t->kinds = lists[0] ? string_list(ld, lists[0], kp) : calloc(1, sizeof(char *));
        snprintf(kp, sizeof kp, "%s.sites", path);
        t->sites = lists[1] ? string_list(ld, lists[1], kp) : calloc(1, sizeof(char *));
        snprintf(kp, sizeof kp, "%s.communes", path);
        t->communes = lists[2] ? string_list(ld, lists[2], kp) : calloc(1, sizeof(char *));
        snprintf(kp, sizeof kp, "%s.districts", path);
        t->districts = lists[3] ? string_list(ld, lists[3], kp) : calloc(1, sizeof(char *));
        for (int k = 0; t->kinds && t->kinds[k]; k++) {
            if (!cw_alert_kind(t->kinds[k]))
                err_at(ld, lists[0], path, "unknown alert kind '%s'", t->kinds[k]);
        }
        if (t->schedule)
            cw_parse_schedule(t->schedule, &t->sched_from_min, &t->sched_to_min);
        t->quiet_from_min = t->quiet_to_min = -1;
        if (t->quiet_hours)
            cw_parse_schedule(t->quiet_hours, &t->quiet_from_min, &t->quiet_to_min);
        t->quiet_pass_rank = !t->quiet_pass || !strcmp(t->quiet_pass, "critical") ? 2
                             : !strcmp(t->quiet_pass, "warning")                  ? 1
                             : !strcmp(t->quiet_pass, "none")                     ? 3
                                                                                  : -1;
        if (t->quiet_hours && t->quiet_hours[0] && t->type && !strcmp(t->type, "alertmanager")) {
            snprintf(kp, sizeof kp, "%s.quiet_hours", path);
            err_at(ld, item, kp, "Alertmanager mutes by itself (time_intervals in its route); quiet_hours is for "
                                 "chats and webhooks");
        }
        if (t->quiet_pass_rank < 0) {
            snprintf(kp, sizeof kp, "%s.quiet_pass", path);
            err_at(ld, item, kp, "'%s' is not critical, warning or none", t->quiet_pass);
        }
        if (!t->type)
            continue;
        snprintf(kp, sizeof kp, "%s.type", path);
        if (strcmp(t->type, "webhook") == 0 || strcmp(t->type, "alertmanager") == 0) {
            if (!t->url || !t->url[0])
                err_at(ld, item, path, "%s needs url: http(s)://...", t->type);
            else {
                snprintf(kp, sizeof kp, "%s.url", path);
                check_url(ld, map_get(ld, item, "url", NULL), kp, t->url, http_schemes);
            }
        } else if (strcmp(t->type, "telegram") == 0) {
            if (t->url && t->url[0]) {
                snprintf(kp, sizeof kp, "%s.url", path);
                check_url(ld, map_get(ld, item, "url", NULL), kp, t->url, http_schemes);
            }
            if (!t->token || !t->token[0] || !t->chat_id || !t->chat_id[0])
                err_at(ld, item, path, "telegram needs token and chat_id");
        } else {
            err_at(ld, item, kp, "'%s' is not webhook, telegram or alertmanager", t->type);
        }
        for (int o = 0; t->name && o < a->n_targets - 1; o++)
            if (a->targets[o].name && strcmp(a->targets[o].name, t->name) == 0)
                err_at(ld, item, path, "duplicate target name '%s'", t->name);
    }
}

static const char *const top_keys[] = {"daemon", "sites", "cameras", "report", "http", "alerts", "users", "upstream",
                                       "retention", NULL};

/* users: the console's people. A hash libsodium cannot read, or two users
 * of one name, is an error: a login that can never work is found now, not
 * at the gate at night. */
static void load_users(struct loader *ld, struct cw_config *cfg, yaml_node_t *users)
{
    if (!users)
        return;
    if (users->type != YAML_SEQUENCE_NODE) {
        err_at(ld, users, "users", "expected a list of {name, role, password_hash}");
        return;
    }
    int n = seq_len(users);
    cfg->users = calloc((size_t)n + 1, sizeof *cfg->users);
    for (int i = 0; i < n && cfg->users; i++) {
        yaml_node_t *item = seq_item(ld, users, i);
        struct cw_user_config *u = &cfg->users[cfg->n_users++];
        char path[48], kp[80];
        snprintf(path, sizeof path, "users[%d]", i);
        u->line = (int)item->start_mark.line + 1;
        apply_table(ld, item, path, user_keys, u, NULL);
        if (u->role && cw_role_parse(u->role) == CW_ROLE_NONE) {
            snprintf(kp, sizeof kp, "%s.role", path);
            err_at(ld, item, kp, "'%s' is not viewer, technician or admin", u->role);
        }
        if (u->password_hash && !cw_auth_hash_valid(u->password_hash) &&
            !(ld->flags & (CW_CONFIG_KEEP_ENV | CW_CONFIG_NOTE_ENV) && strstr(u->password_hash, "${"))) {
            snprintf(kp, sizeof kp, "%s.password_hash", path);
            err_at(ld, item, kp, "is not an argon2 hash (make one with: camwatch passwd %s)", u->name ? u->name : "NAME");
        }
        for (int o = 0; u->name && o < cfg->n_users - 1; o++)
            if (cfg->users[o].name && strcmp(cfg->users[o].name, u->name) == 0)
                err_at(ld, item, path, "duplicate user name '%s'", u->name);
    }
}

/* A list of display lines into fixed rows (report.recipients, ...). */
static void load_doc_lines(struct loader *ld, yaml_node_t *seq, const char *path, char rows[][CW_DOC_TEXT], int *n)
{
    *n = 0;
    if (!seq)
        return;
    int len = seq_len(seq);
    if (len > CW_DOC_LINES) {
        err_at(ld, seq, path, "has %d lines; at most %d", len, CW_DOC_LINES);
        len = CW_DOC_LINES;
    }
    for (int i = 0; i < len; i++) {
        yaml_node_t *v = seq_item(ld, seq, i);
        char kp[64];
        snprintf(kp, sizeof kp, "%s[%d]", path, i);
        if (v->type != YAML_SCALAR_NODE) {
            err_at(ld, v, kp, "expected a line of text");
            continue;
        }
        char *s = expand_env(ld, v, kp, (const char *)v->data.scalar.value);
        if (s && check_text(ld, v, kp, s) == 0)
            snprintf(rows[(*n)++], CW_DOC_TEXT, "%s", s);
        free(s);
    }
}

static void load_root(struct loader *ld, struct cw_config *cfg)
{
    yaml_node_t *root = yaml_document_get_root_node(&ld->doc);
    yaml_node_t *daemon = NULL, *sites = NULL, *cameras = NULL, *report = NULL, *http = NULL, *alerts = NULL,
                *users = NULL, *upstream = NULL, *retention = NULL;

    if (!root) {
        err_at(ld, NULL, "(file)", "the file is empty");
        return;
    }
    if (root->type != YAML_MAPPING_NODE) {
        err_at(ld, root, "(top)", "expected a mapping with daemon, sites and cameras");
        return;
    }
    for (yaml_node_pair_t *pr = root->data.mapping.pairs.start; pr < root->data.mapping.pairs.top; pr++) {
        yaml_node_t *kn = yaml_document_get_node(&ld->doc, pr->key);
        yaml_node_t *vn = yaml_document_get_node(&ld->doc, pr->value);
        const char *k = kn && kn->type == YAML_SCALAR_NODE ? (const char *)kn->data.scalar.value : "?";
        int i;
        for (i = 0; top_keys[i]; i++)
            if (strcmp(top_keys[i], k) == 0)
                break;
        if (!top_keys[i]) {
            err_at(ld, kn, k, "unknown key (expected daemon, sites, cameras, report, http, alerts, users, upstream or "
                              "retention)");
            continue;
        }
        yaml_node_t **const slots[] = {&daemon, &sites, &cameras, &report, &http, &alerts, &users, &upstream,
                                       &retention};
        yaml_node_t **slot = slots[i];
        if (*slot) {
            err_at(ld, kn, k, "duplicate section");
            continue;
        }
        *slot = vn;
    }
    /* An absent daemon section means all defaults. (A node is not added to
     * the document for that: adding reallocates its node array under the
     * pointers held here.) */
    static yaml_node_t empty_map = {.type = YAML_MAPPING_NODE};
    apply_table(ld, daemon ? daemon : &empty_map, "daemon", daemon_keys, cfg, NULL);
    /* Snapshot paths are state_dir/snapshots/ID/DATE-PLUGIN-MS.jpg and
     * must fit whole in their fixed buffers. */
    if (cfg->state_dir && strlen(cfg->state_dir) > 300)
        err_at(ld, daemon ? map_get(ld, daemon, "state_dir", NULL) : root, "daemon.state_dir",
               "is %zu bytes long; at most 300", strlen(cfg->state_dir));
    /* glibc takes an unknown TZ silently as UTC: every local time in status
     * and reports would be off by hours, unnoticed. */
    if (cfg->timezone && !(ld->flags & (CW_CONFIG_KEEP_ENV | CW_CONFIG_NOTE_ENV) && strstr(cfg->timezone, "${"))) {
        if (!cw_zone_known(cfg->timezone))
            err_at(ld, daemon ? map_get(ld, daemon, "timezone", NULL) : root, "daemon.timezone",
                   "unknown time zone '%s' (no /usr/share/zoneinfo/%s; e.g. Asia/Ho_Chi_Minh)", cfg->timezone,
                   cfg->timezone);
    }
    if (cfg->language && strcmp(cfg->language, "vi") != 0 && strcmp(cfg->language, "en") != 0)
        err_at(ld, daemon ? map_get(ld, daemon, "language", NULL) : root, "daemon.language", "'%s' is not vi or en",
               cfg->language);
    cfg->lang_vi = !cfg->language || strcmp(cfg->language, "en") != 0;
    {
        struct retention_top t;
        memset(&t, 0, sizeof t);
        apply_table(ld, retention ? retention : &empty_map, "retention", retention_keys, &t, NULL);
        /* the older daemon.snapshot_max_age still counts where retention
         * does not name snapshots */
        if (daemon && daemon->type == YAML_MAPPING_NODE && map_get(ld, daemon, "snapshot_max_age", NULL) &&
            !(retention && retention->type == YAML_MAPPING_NODE && map_get(ld, retention, "snapshots", NULL)))
            t.r.max_age_us[CW_KEEP_SNAPSHOTS] = cfg->snapshot_max_age_us;
        t.r.set = (1u << CW_KEEP_N) - 1;
        cfg->retention = t.r;
        cfg->snapshot_max_age_us = t.r.max_age_us[CW_KEEP_SNAPSHOTS];
        cfg->retention_every_us = t.every_us;
    }
    yaml_node_t *doc_lists[2] = {NULL, NULL}; /* recipients, copies_to */
    apply_table(ld, report ? report : &empty_map, "report", report_keys, &cfg->report, doc_lists);
    load_doc_lines(ld, doc_lists[0], "report.recipients", cfg->report.doc.recipients, &cfg->report.doc.n_recipients);
    load_doc_lines(ld, doc_lists[1], "report.copies_to", cfg->report.doc.copies_to, &cfg->report.doc.n_copies_to);
    {
        static const char *const prefixes[] = {"", "KT.", "TM.", "TL.", "TUQ.", "Q.", NULL};
        int k = 0;
        while (prefixes[k] && strcmp(prefixes[k], cfg->report.doc.signer_prefix) != 0)
            k++;
        if (!prefixes[k])
            err_at(ld, report, "report.signer_prefix", "'%s' is not one of KT., TM., TL., TUQ., Q. (or empty)",
                   cfg->report.doc.signer_prefix);
        else if (k > 0 && !cfg->report.doc.signer_authority[0])
            err_at(ld, report, "report.signer_authority", "%s needs the authority signed for (e.g. TRƯỞNG CÔNG AN XÃ)",
                   cfg->report.doc.signer_prefix);
    }
    apply_table(ld, http ? http : &empty_map, "http", http_keys, &cfg->http, NULL);
    load_users(ld, cfg, users);
    check_http(ld, cfg, http);
    apply_table(ld, upstream ? upstream : &empty_map, "upstream", upstream_keys, &cfg->upstream, NULL);
    check_upstream(ld, cfg, upstream ? upstream : root);
    load_alerts(ld, cfg, alerts ? alerts : &empty_map);
    if (cfg->report.deteriorated_share > cfg->report.ok_share)
        err_at(ld, report, "report.deteriorated_share", "must not be above ok_share (%g)", cfg->report.ok_share);
    if (sites && sites->type != YAML_SEQUENCE_NODE)
        err_at(ld, sites, "sites", "expected a list: - province: ID with its communes");
    else if (sites)
        load_sites(ld, cfg, sites);
    check_alert_filters(ld, cfg, alerts);
    if (!cameras)
        err_at(ld, root, "cameras", "required section is missing");
    else if (cameras->type != YAML_SEQUENCE_NODE)
        err_at(ld, cameras, "cameras", "expected a list of cameras");
    else
        load_cameras(ld, cfg, cameras);
}

int cw_config_load_buffer(const char *name, const char *base_dir, const char *text, size_t len, int flags,
                          struct cw_config **out, struct cw_config_errors *errs)
{
    struct loader ld = {.name = name, .base_dir = base_dir, .errs = errs, .flags = flags};
    yaml_parser_t parser;
    struct cw_config *cfg;

    *out = NULL;
    cfg = calloc(1, sizeof *cfg);
    if (!cfg || !yaml_parser_initialize(&parser)) {
        free(cfg);
        return CW_ENOMEM;
    }
    cfg->path = strdup(name);
    yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
    if (!yaml_parser_load(&parser, &ld.doc)) {
        char msg[700], ctx[300] = "";
        /* libyaml names where the broken construct began (e.g. the opening
         * quote); that is usually the line to fix. */
        if (parser.context)
            snprintf(ctx, sizeof ctx, " %s (which began at line %lu, column %lu)", parser.context,
                     (unsigned long)parser.context_mark.line + 1, (unsigned long)parser.context_mark.column + 1);
        snprintf(msg, sizeof msg, "%s:%lu:%lu: YAML syntax error: %s%s", name,
                 (unsigned long)parser.problem_mark.line + 1, (unsigned long)parser.problem_mark.column + 1,
                 parser.problem ? parser.problem : "unknown", ctx);
        add_error(errs, msg);
        yaml_parser_delete(&parser);
        cw_config_free(cfg);
        return CW_ECONFIG;
    }
    yaml_parser_delete(&parser);
    load_root(&ld, cfg);
    yaml_document_delete(&ld.doc);
    if (ld.suppressed > 0) {
        char msg[160];
        snprintf(msg, sizeof msg, "%s: ... and %d more problem(s) not shown", name, ld.suppressed);
        add_error(errs, msg);
    }
    if (ld.n_err > 0) {
        cw_config_free(cfg);
        return CW_ECONFIG;
    }
    *out = cfg;
    return 0;
}

int cw_config_load(const char *path, int flags, struct cw_config **out, struct cw_config_errors *errs)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL, *dir, *slash;
    size_t len = 0, cap = 0;
    int rc;

    *out = NULL;
    if (!f) {
        char msg[600];
        snprintf(msg, sizeof msg, "%s: cannot open: %s", path, strerror(errno));
        add_error(errs, msg);
        return CW_EIO;
    }
    for (;;) {
        if (len + 4096 > cap) {
            cap = (len + 4096) * 2;
            char *t = realloc(buf, cap);
            if (!t) {
                free(buf);
                fclose(f);
                return CW_ENOMEM;
            }
            buf = t;
        }
        size_t n = fread(buf + len, 1, cap - len, f);
        len += n;
        if (n == 0)
            break;
    }
    fclose(f);
    dir = strdup(path);
    slash = dir ? strrchr(dir, '/') : NULL;
    if (slash)
        *slash = '\0';
    else if (dir)
        strcpy(dir, ".");
    /* Relative paths in the file resolve against its folder, made absolute
     * so that what the daemon records (snapshot paths) means the same from
     * any working directory. */
    char *abs = dir ? realpath(dir[0] ? dir : "/", NULL) : NULL;
    rc = cw_config_load_buffer(path, abs ? abs : dir, buf, len, flags, out, errs);
    free(abs);
    free(dir);
    free(buf);
    return rc;
}

void cw_config_free(struct cw_config *cfg)
{
    if (!cfg)
        return;
    free(cfg->path);
    free(cfg->database);
    free(cfg->state_dir);
    free(cfg->timezone);
    free(cfg->language);
    free(cfg->plugin_dir);
    free(cfg->http.listen);
    free(cfg->http.token);
    free(cfg->http.push_url);
    free(cfg->http.push_instance);
    free(cfg->http.tls_cert);
    free(cfg->http.tls_key);
    free(cfg->upstream.url);
    free(cfg->upstream.password_file);
    free(cfg->upstream.instance);
    for (int i = 0; i < cfg->n_users; i++) {
        free(cfg->users[i].name);
        free(cfg->users[i].role);
        if (cfg->users[i].password_hash)
            memset(cfg->users[i].password_hash, 0, strlen(cfg->users[i].password_hash));
        free(cfg->users[i].password_hash);
    }
    free(cfg->users);
    free(cfg->alerts.language);
    free(cfg->alerts.runbook_url);
    free(cfg->alerts.escalate_to);
    free(cfg->alerts.monthly_digest_to);
    for (int i = 0; i < cfg->alerts.n_targets; i++) {
        struct cw_alert_target *t = &cfg->alerts.targets[i];
        char **lists[4] = {t->kinds, t->sites, t->communes, t->districts};
        for (int k = 0; k < 4; k++) {
            for (int j = 0; lists[k] && lists[k][j]; j++)
                free(lists[k][j]);
            free(lists[k]);
        }
        free(t->name), free(t->type), free(t->url), free(t->token), free(t->chat_id), free(t->template_);
        free(t->schedule);
        free(t->quiet_hours);
        free(t->quiet_pass);
    }
    free(cfg->alerts.targets);
    for (int i = 0; i < cfg->n_districts; i++) {
        free(cfg->districts[i].id);
        free(cfg->districts[i].name);
    }
    for (int i = 0; i < cfg->n_communes; i++) {
        free(cfg->communes[i].id);
        free(cfg->communes[i].name);
        for (int f = 0; cfg->communes[i].formerly && cfg->communes[i].formerly[f]; f++)
            free(cfg->communes[i].formerly[f]);
        free(cfg->communes[i].formerly);
    }
    free(cfg->province);
    free(cfg->province_name);
    for (int i = 0; i < cfg->n_sites; i++) {
        free(cfg->sites[i].id);
        free(cfg->sites[i].name);
        free(cfg->sites[i].notice_where);
        free(cfg->sites[i].notice_since);
    }
    for (int i = 0; i < cfg->n_cameras; i++) {
        struct cw_camera_config *c = &cfg->cameras[i];
        free(c->id);
        free(c->name);
        free(c->site_id);
        free(c->url);
        free(c->url_redacted);
        free(c->motion_schedule);
        free(c->onvif);
        free(c->maker);
        free(c->model);
        free(c->firmware);
        free(c->serial);
        free(c->certified);
        free(c->certificate);
        free(c->firmware_fixed);
        for (int j = 0; j < c->n_plugins; j++) {
            struct cw_plugin_config *pc = &c->plugins[j];
            free(pc->name);
            for (int k = 0; k < pc->n; k++) {
                free(pc->keys[k]);
                free(pc->values[k]);
            }
            free(pc->keys);
            free(pc->values);
        }
        free(c->plugins);
    }
    free(cfg->districts);
    free(cfg->communes);
    free(cfg->sites);
    free(cfg->cameras);
    free(cfg);
}

void cw_config_errors_free(struct cw_config_errors *errs)
{
    for (int i = 0; i < errs->n; i++)
        free(errs->msgs[i]);
    free(errs->msgs);
    for (int i = 0; i < errs->n_notes; i++)
        free(errs->notes[i]);
    free(errs->notes);
    memset(errs, 0, sizeof *errs);
}

const struct cw_camera_config *cw_config_find_camera(const struct cw_config *cfg, const char *id)
{
    for (int i = 0; i < cfg->n_cameras; i++)
        if (strcmp(cfg->cameras[i].id, id) == 0)
            return &cfg->cameras[i];
    return NULL;
}

const struct cw_site *cw_config_camera_site(const struct cw_config *cfg, const struct cw_camera_config *cam)
{
    return &cfg->sites[cam->site];
}

const struct cw_commune *cw_config_site_commune(const struct cw_config *cfg, const struct cw_site *site)
{
    return &cfg->communes[site->commune];
}

void cw_config_camera_names(const struct cw_config *cfg, const struct cw_camera_config *cam, struct cw_names *out)
{
    const struct cw_site *site = cw_config_camera_site(cfg, cam);
    const struct cw_commune *com = cw_config_site_commune(cfg, site);
    const struct cw_district *dis = com->district >= 0 ? &cfg->districts[com->district] : NULL;
    memset(out, 0, sizeof *out);
#define CW_PUT(f, v) snprintf(out->f, sizeof out->f, "%s", (v) ? (v) : "")
    CW_PUT(name, cam->name);
    CW_PUT(site, site->id);
    CW_PUT(site_name, site->name);
    CW_PUT(commune, com->id);
    CW_PUT(commune_name, com->name);
    CW_PUT(district, dis ? dis->id : "");
    CW_PUT(district_name, dis ? dis->name : "");
    CW_PUT(province, cfg->province);
    CW_PUT(province_name, cfg->province_name);
#undef CW_PUT
}

const char *cw_config_commune_current(const struct cw_config *cfg, const char *id)
{
    for (int c = 0; c < cfg->n_communes; c++) {
        if (!cfg->communes[c].id)
            continue;
        if (strcmp(cfg->communes[c].id, id) == 0)
            return cfg->communes[c].id;
        for (int f = 0; cfg->communes[c].formerly && cfg->communes[c].formerly[f]; f++)
            if (strcmp(cfg->communes[c].formerly[f], id) == 0)
                return cfg->communes[c].id;
    }
    return NULL;
}

int cw_camera_config_same_session(const struct cw_camera_config *a, const struct cw_camera_config *b)
{
    return strcmp(a->url, b->url) == 0 && a->transport == b->transport &&
           a->connect_timeout_us == b->connect_timeout_us && a->stall_timeout_us == b->stall_timeout_us &&
           a->probe_interval_us == b->probe_interval_us && a->stall_reconnect_us == b->stall_reconnect_us &&
           a->enabled == b->enabled;
}

static const char *type_name(enum key_type t)
{
    static const char *const n[] = {"string", "id", "path", "rtsp-url", "duration", "number", "bool",
                                    "log-level", "tcp|udp", "list", "integer", "HH:MM-HH:MM", "text", "mapping"};
    return n[t];
}

static void print_table(FILE *f, const char *section, const struct key *t)
{
    for (; t->name; t++)
        fprintf(f, "%s.%-*s %-10s default %-24s %s%s\n", section, (int)(30 - strlen(section)), t->name,
                type_name(t->type), t->def ? (t->def[0] ? t->def : "\"\"") : (t->type == T_LIST || t->type == T_MAP ? "-" : "(required)"),
                t->help, t->reloadable ? "" : " [restart]");
}

/* Whether field k differs between two structs of the same table. */
static int field_differs(const struct key *k, const void *a, const void *b)
{
    const char *fa = (const char *)a + k->off, *fb = (const char *)b + k->off;
    switch (k->type) {
    case T_STR: case T_ID: case T_PATH: case T_URL: case T_SCHEDULE: {
        const char *x = *(char *const *)fa, *y = *(char *const *)fb;
        return strcmp(x ? x : "", y ? y : "") != 0;
    }
    case T_DURATION:
        return *(const int64_t *)fa != *(const int64_t *)fb;
    case T_DOUBLE:
        return *(const double *)fa != *(const double *)fb;
    case T_BOOL: case T_LOGLEVEL: case T_TRANSPORT: case T_INT:
        return *(const int *)fa != *(const int *)fb;
    case T_TEXT:
        return strcmp(fa, fb) != 0;
    case T_LIST:
    case T_MAP:
        break;
    }
    return 0;
}

void cw_config_restart_changes(const struct cw_config *old, const struct cw_config *cur,
                               void (*cb)(void *ud, const char *section, const char *key), void *ud)
{
    /* The tables' `reloadable` column is the one record of what a reload
     * cannot change; cameras' keys are handled per camera by the daemon. */
    const struct { const char *section; const struct key *table; const void *a, *b; } sections[] = {
        {"daemon", daemon_keys, old, cur},
        {"http", http_keys, &old->http, &cur->http},
        {"upstream", upstream_keys, &old->upstream, &cur->upstream},
        {"report", report_keys, &old->report, &cur->report},
        {"alerts", alerts_keys, &old->alerts, &cur->alerts},
    };
    for (size_t i = 0; i < sizeof sections / sizeof sections[0]; i++)
        for (const struct key *k = sections[i].table; k->name; k++)
            if (!k->reloadable && k->type != T_LIST && k->type != T_MAP && field_differs(k, sections[i].a, sections[i].b))
                cb(ud, sections[i].section, k->name);
}

void cw_report_rules_default(struct cw_report_rules *r)
{
    struct cw_config_errors errs = {0};
    struct loader ld = {.name = "(defaults)", .errs = &errs};
    static yaml_node_t empty_map = {.type = YAML_MAPPING_NODE};
    memset(r, 0, sizeof *r);
    apply_table(&ld, &empty_map, "report", report_keys, r, NULL);
    cw_config_errors_free(&errs);
}

void cw_config_print_keys(FILE *f)
{
    print_table(f, "daemon", daemon_keys);
    print_table(f, "sites[]", province_keys);
    print_table(f, "sites[].districts[]", district_keys);
    print_table(f, "sites[].communes[]", commune_keys);
    print_table(f, "sites[].communes[].sites[]", site_keys);
    print_table(f, "sites[].communes[].sites[].notice", notice_keys);
    print_table(f, "cameras[]", camera_keys);
    print_table(f, "report", report_keys);
    print_table(f, "http", http_keys);
    print_table(f, "upstream", upstream_keys);
    print_table(f, "retention", retention_keys);
    print_table(f, "alerts", alerts_keys);
    print_table(f, "alerts.targets[]", target_keys);
}
