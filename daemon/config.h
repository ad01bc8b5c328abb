/* camwatch configuration: the YAML file's model and its loader.
 *
 * The loader is driven by one declarative key table per section (config.c);
 * the same tables validate, fill defaults and print the key reference
 * (`camwatch config-keys`). Errors are collected, not stopped at: a
 * technician fixing a file sees every problem at once, each as
 * "FILE:LINE:COLUMN: KEY: message". */
#ifndef CW_CONFIG_H
#define CW_CONFIG_H
#include <stdint.h>
#include <stdio.h>

enum cw_transport { CW_TRANSPORT_TCP = 0, CW_TRANSPORT_UDP = 1 };

#include "names.h"

struct cw_district {
    char *id;
    char *name;
};

struct cw_commune {
    char *id;
    char *name;
    int district;     /* index into cw_config.districts; -1 without a district level */
    char **formerly;  /* ids of the communes it absorbed (NULL-terminated) */
};

/* Retention by purpose (PDPL Art. 32): the longest each kind of personal
 * data is kept. The config's top `retention:` sets the deployment's; a site
 * or a camera may set its own (a border post keeping longer), which the
 * loader resolves into each camera's effective limits. */
enum cw_keep_kind { CW_KEEP_SNAPSHOTS = 0, CW_KEEP_THUMBNAILS, CW_KEEP_EVENTS, CW_KEEP_LEVELS, CW_KEEP_N };
struct cw_retention {
    int64_t max_age_us[CW_KEEP_N];
    unsigned set; /* bit k: set at this level (not inherited) */
};
/* "snapshots", "thumbnails", "events", "levels" */
const char *cw_keep_kind_name(int kind);
/* A retention limit as it was most likely written: "30d", "36h", "90m". Returns buf. */
const char *cw_fmt_age(int64_t us, char *buf, size_t len);

struct cw_site {
    char *id;
    char *name;
    int commune; /* index into cw_config.communes */
    struct cw_retention retention; /* effective for its cameras (before their own) */
    /* the recording notice (PDPL Art. 32: people recorded are told):
     * where it is posted and since when (YYYY-MM-DD); "" = none recorded */
    char *notice_where, *notice_since;
};

/* One plugin of a camera and its options, as strings for its configure(). */
struct cw_plugin_config {
    char *name;
    char **keys, **values;
    int n;
    int line, column; /* for messages */
};

struct cw_camera_config {
    char *id;
    char *name;
    char *site_id;
    int site;           /* index into cw_config.sites */
    char *url;          /* secrets expanded: never log or store this */
    char *url_redacted; /* what may be shown */
    int transport;
    double expected_fps; /* 0: unknown */
    int64_t connect_timeout_us;
    int64_t stall_timeout_us;
    int64_t probe_interval_us; /* while down: how often the cheap RTSP probe runs */
    int64_t stall_reconnect_us; /* a stalled session is given up after this long without video */
    int enabled;
    int line; /* where the camera is defined, for messages */
    struct cw_retention retention; /* effective: the camera's, its site's, then the deployment's */
    /* the inventory (inventory.h): what the config states of the device */
    char *onvif;  /* ONVIF device service URL; "auto": http://HOST/onvif/device_service; "": do not ask */
    char *maker, *model, *firmware, *serial, *certified, *certificate, *firmware_fixed;
    /* detection */
    struct cw_plugin_config *plugins;
    int n_plugins;
    int event_start_after;   /* positive analyses in a row to start an event */
    int64_t event_quiet_us;  /* an event ends after this long without one */
    int64_t event_max_us;    /* and is split at this length */
    int64_t level_interval_us; /* plugin score timeline: one row this often (0: none) */
    int64_t thumbnail_interval_us; /* the console's thumbnail this often (0: none) */
    char *motion_schedule;   /* "22:00-05:00" local time, or "" for always */
    int sched_from_min, sched_to_min; /* parsed; -1: always */
};

#define CW_DOC_TEXT (CW_NAME_MAX_BYTES + 1) /* one document field: 80 characters of any script */
#define CW_DOC_LINES 10 /* recipients, copies */

struct cw_config {
    char *path;
    /* daemon */
    char *database;
    char *state_dir;
    int log_level;
    char *timezone;
    char *language; /* "vi" or "en": the deployment's (reports, alerts, CLI) */
    int lang_vi;
    char *plugin_dir;
    int64_t snapshot_max_age_us; /* older name of retention.snapshots */
    double snapshot_max_mb;
    struct cw_retention retention; /* the deployment's (retention:) */
    int64_t retention_every_us;    /* how often the limits are applied */
    /* http: API, metrics and push */
    struct cw_http_config {
        char *listen;       /* "127.0.0.1:9780"; "" turns the server off */
        char *token;        /* bearer token; required for a non-loopback listen */
        char *push_url;     /* Pushgateway base URL; "" turns pushing off */
        int64_t push_interval_us;
        char *push_instance; /* instance label; "" = host name */
        int64_t session_idle_us, session_max_us; /* console sessions end after these */
        int secure_cookies;  /* the session cookie is Secure (TLS in front, or served here) */
        char *tls_cert, *tls_key; /* HTTPS served by camwatchd: PEM files (resolved); "" = plain HTTP */
    } http;
    /* upstream: the province's PostgreSQL (issue #25); url "" = none */
    struct cw_upstream_config {
        char *url;           /* postgresql:// URL or conninfo, without a password */
        char *password_file; /* resolved against the config's folder; "" = libpq's PGPASSWORD/~/.pgpass */
        char *instance;      /* this commune's name in the province */
        int64_t interval_us; /* a round of shipping this often */
        int batch;           /* log entries per batch */
    } upstream;
    /* users of the web console: name, role, libsodium password hash */
    struct cw_user_config {
        char *name, *role, *password_hash;
        int initial; /* must change it at the first login */
        int line;
    } *users;
    int n_users;
    /* alerts: where they go and how they are held back */
    struct cw_alerts_config {
        int64_t offline_grace_us; /* camera_offline after this long down */
        int64_t flap_window_us;   /* one offline/recovered pair per window, then one camera_flapping */
        int64_t cooldown_us;      /* motion: one alert per camera per cooldown, the rest counted */
        int64_t late_after_us;    /* a message delivered later than this says it is late */
        double place_share;       /* most of a site/commune down together: one alert (0: off) */
        int64_t place_window_us;
        char *runbook_url;        /* Alertmanager annotation */
        int64_t escalate_after_us; /* down, not acknowledged: to escalate_to (0: off) */
        int64_t verdict_interval_us; /* the month judged by the report's rules this often (0: never) */
        struct {
            char kind[24], severity[12];
        } severities[24]; /* alerts.severities overrides */
        int n_severities;
        char *escalate_to;
        char *monthly_digest_to; /* the finished month's headline figures go there on the 1st */
        int monthly_digest_hour; /* ...from this local hour */
        int64_t repost_us;        /* Alertmanager: firing alerts re-posted this often */
        int lang_vi;
        struct cw_alert_target {
            char *name, *type, *url, *token, *chat_id, *template_;
            char **kinds, **sites, **communes, **districts; /* NULL-terminated; empty: all */
            char *schedule;
            int sched_from_min, sched_to_min;
            char *quiet_hours, *quiet_pass;
            int quiet_from_min, quiet_to_min; /* -1: no quiet hours */
            int quiet_pass_rank;              /* 1 warning, 2 critical, 3 none: this rank and above go at once */
            int line;
        } *targets;
        int n_targets;
        char *language;
    } alerts;
    /* report: the committee's rules */
    struct cw_report_rules {
        double uptime_target;      /* % a camera must reach */
        double ok_share;           /* % of cameras at target for OK */
        double deteriorated_share; /* below this %: DETERIORATED */
        int64_t max_down_us;       /* any camera down this long: DETERIORATED */
        int64_t repair_after_us;   /* repair list: down or bad image longer */
        int exclude_maintenance;   /* uptime leaves out down time inside maintenance windows */
        double trend_drop;         /* points fallen from the previous period or the mean of 3: DETERIORATED (0: off) */
        /* The document's header and signature (PDF and ODT), fixed-size so
         * that the rules copy by value. */
        struct cw_report_doc {
            char issuer_parent[CW_DOC_TEXT], issuer[CW_DOC_TEXT];
            char national[CW_DOC_TEXT], motto[CW_DOC_TEXT];
            char number[CW_DOC_TEXT], place[CW_DOC_TEXT];
            char title[CW_DOC_TEXT], subject[CW_DOC_TEXT];
            char signer_prefix[CW_DOC_TEXT], signer_authority[CW_DOC_TEXT];
            char signer_title[CW_DOC_TEXT], signer_name[CW_DOC_TEXT];
            char recipients[CW_DOC_LINES][CW_DOC_TEXT];
            int n_recipients;
            char copies_to[CW_DOC_LINES][CW_DOC_TEXT];
            int n_copies_to;
        } doc;
    } report;
    /* the administrative chain: one province, optional districts */
    char *province, *province_name; /* "" in the older district-first form */
    struct cw_district *districts;
    int n_districts;
    struct cw_commune *communes;
    int n_communes;
    struct cw_site *sites;
    int n_sites;
    /* cameras */
    struct cw_camera_config *cameras;
    int n_cameras;
};

/* Error messages collected while loading. */
struct cw_config_errors {
    char **msgs;
    int n;        /* messages kept (at most 100 + a "... and N more" line) */
    int n_errors; /* problems found, kept or not */
    char **notes; /* not errors: e.g. ${VAR} unset under CW_CONFIG_NOTE_ENV */
    int n_notes;
};

/* Load flags. CW_CONFIG_KEEP_ENV leaves ${VAR} references to variables that
 * are not set as they are written (no error): the CLI reads the file for
 * paths and names and must work without the cameras' secrets in its
 * environment, while database: ${STATE}/cw.db still resolves as in the
 * daemon when the variable is set. */
#define CW_CONFIG_KEEP_ENV 1
/* As KEEP_ENV, and each unset variable is reported in errs->notes:
 * `camwatch check-config` on a machine without the deployment's secrets. */
#define CW_CONFIG_NOTE_ENV 2

/* Loads and validates a file. On success returns 0 and *out; otherwise a
 * negative code, with every problem in errs (caller frees with
 * cw_config_errors_free). */
int cw_config_load(const char *path, int flags, struct cw_config **out, struct cw_config_errors *errs);
/* The same from memory; name stands for the file in messages, and relative
 * paths resolve against base_dir. */
int cw_config_load_buffer(const char *name, const char *base_dir, const char *text, size_t len, int flags,
                          struct cw_config **out, struct cw_config_errors *errs);
void cw_config_free(struct cw_config *cfg);
void cw_config_errors_free(struct cw_config_errors *errs);

const struct cw_camera_config *cw_config_find_camera(const struct cw_config *cfg, const char *id);
/* Site and commune of a camera (never NULL). */
const struct cw_site *cw_config_camera_site(const struct cw_config *cfg, const struct cw_camera_config *cam);
const struct cw_commune *cw_config_site_commune(const struct cw_config *cfg, const struct cw_site *site);
/* The camera's names up the chain (district and province "" where absent). */
void cw_config_camera_names(const struct cw_config *cfg, const struct cw_camera_config *cam, struct cw_names *out);
/* The current commune id for `id`, which may be one it absorbed
 * (formerly:); NULL if the config knows neither. */
const char *cw_config_commune_current(const struct cw_config *cfg, const char *id);

/* Splits "host:port" (the last colon); 0 or -1. */
int cw_http_split_listen(const char *listen, char *host, size_t hlen, int *port);

/* Whether two camera configs would need a new RTSP session. */
int cw_camera_config_same_session(const struct cw_camera_config *a, const struct cw_camera_config *b);

/* The report rules' defaults (for a report run without a config file). */
void cw_report_rules_default(struct cw_report_rules *r);

/* Calls cb for each key marked [restart] (not reloadable) whose value
 * differs between old and cur. */
void cw_config_restart_changes(const struct cw_config *old, const struct cw_config *cur,
                               void (*cb)(void *ud, const char *section, const char *key), void *ud);

/* Prints the key reference generated from the tables. */
void cw_config_print_keys(FILE *f);

#endif
