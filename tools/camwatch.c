/* camwatch: the command-line tool. It reads the SQLite database (never the
 * daemon's memory), so it works while camwatchd runs, after it stopped,
 * and on a copy of the file. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../daemon/clock.h"
#include "../daemon/config.h"
#include "../daemon/error.h"
#include "../daemon/log.h"
#include "../daemon/store.h"
#include "report.h"

#define DEFAULT_CONFIG "/etc/camwatch/camwatch.yaml"

static void usage(FILE *f)
{
    fprintf(f, "usage: camwatch COMMAND [options]\n\n"
               "commands:\n"
               "  status [--json] [--offline] [--province|--district|--commune|--site ID]\n"
               "                                one line per camera: state, cause, since, last packet, fps\n"
               "  check-config [FILE]           validate a config file; prints FILE:LINE:COL messages\n"
               "  config-keys                   print every config key with type, default and help\n"
               "  check-db                      integrity check and span tiling check of the database\n"
               "  events [--camera ID] [--since T] [--kind K] [--json]   detection events with snapshots\n"
               "  alerts [--pending] [--json]   the alert outbox: each alert per target, delivered or not\n"
               "  report --month YYYY-MM ...    uptime report per camera, site, commune, district (report --help)\n"
               "  gen-history [--cameras N] [--months M] [--seed S] [--end YYYY-MM-DD]\n"
               "                                write a synthetic history into --db (tests, benchmarks)\n"
               "  analyze FILE --plugin NAME... run detection plugins over a video file (analyze --help)\n"
               "  maintenance add|list|end      declared repair windows: alerts held back, reported apart\n\n"
               "options:\n"
               "  -c, --config FILE   config file (default " DEFAULT_CONFIG "); gives the database path\n"
               "  --db FILE           database file (instead of reading the config)\n");
}

struct opts {
    const char *config;
    const char *db;
    int json, offline;
    const char *arg;
    struct cw_names_filter where; /* status --province/--district/--commune/--site */
};

/* Resolves the database path, the time zone and (if rules is not NULL)
 * the report rules from --db or the config; shared by every command that
 * reads the database. */
int cw_cli_resolve(const char *config, const char *db_opt, char *db, size_t dblen, struct cw_report_rules *rules)
{
    if (rules)
        cw_report_rules_default(rules);
    if (db_opt) {
        snprintf(db, dblen, "%s", db_opt);
        if (!getenv("TZ"))
            setenv("TZ", "Asia/Ho_Chi_Minh", 1);
        tzset();
        return 0;
    }
    struct cw_config *cfg;
    struct cw_config_errors errs = {0};
    int rc = cw_config_load(config, CW_CONFIG_KEEP_ENV, &cfg, &errs);
    for (int i = 0; i < errs.n; i++)
        fprintf(stderr, "%s\n", errs.msgs[i]);
    cw_config_errors_free(&errs);
    if (rc < 0)
        return rc;
    snprintf(db, dblen, "%s", cfg->database);
    setenv("TZ", cfg->timezone, 1);
    tzset();
    if (rules)
        *rules = cfg->report;
    cw_config_free(cfg);
    return 0;
}

static int resolve(const struct opts *o, char *db, size_t dblen)
{
    return cw_cli_resolve(o->config, o->db, db, dblen, NULL);
}

static int cmp_offline(const void *a, const void *b)
{
    const struct cw_status_row *x = a, *y = b;
    /* The technician's work list: longest down first. */
    return x->since_us < y->since_us ? -1 : x->since_us > y->since_us;
}

static int cmd_status(const struct opts *o)
{
    char db[4096], buf1[40], buf2[40], buf3[40];
    struct cw_store *st;
    struct cw_status_row *rows;
    int n, rc;
    int64_t started, heartbeat, stopped, now = cw_wall_us();

    if ((rc = resolve(o, db, sizeof db)) < 0)
        return 2;
    if ((rc = cw_store_open(db, 1, &st)) < 0)
        return 1;
    rc = cw_store_status(st, &rows, &n);
    int have_run = cw_store_last_run(st, &started, &heartbeat, &stopped) == 0;
    cw_store_close(st);
    if (rc < 0)
        return 1;
    {   /* the place filters: a value that matches no camera is an error */
        int k = 0;
        for (int i = 0; i < n; i++)
            if (cw_names_match(&rows[i].names, rows[i].formerly, &o->where))
                rows[k++] = rows[i];
        if (k == 0 && n > 0 && cw_names_filter_set(&o->where)) {
            fprintf(stderr, "camwatch status: no camera in %s matches that province, district, commune or site\n", db);
            free(rows);
            return 2;
        }
        n = k;
    }
    if (o->offline) {
        int k = 0;
        for (int i = 0; i < n; i++)
            if (strcmp(rows[i].state, "online") != 0)
                rows[k++] = rows[i];
        n = k;
        if (n > 1)
            qsort(rows, (size_t)n, sizeof *rows, cmp_offline);
    }
    /* States are only live while the daemon writes heartbeats. */
    int running = have_run && !stopped && now - heartbeat < 60000000;
    int64_t upto_json = running || !have_run ? now : heartbeat;
    if (o->json) {
        json_t *arr = json_array();
        for (int i = 0; i < n; i++) {
            struct cw_status_row *r = &rows[i];
            const struct cw_names *nm = &r->names;
            json_t *j = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:I}", "id", r->id,
                                  "name", nm->name, "site", nm->site, "site_name", nm->site_name, "commune",
                                  nm->commune, "commune_name", nm->commune_name, "province", nm->province,
                                  "province_name", nm->province_name, "state", r->state, "cause", r->cause, "detail",
                                  r->detail, "since_us", (json_int_t)r->since_us, "duration_s",
                                  (json_int_t)((upto_json - r->since_us) / 1000000));
            json_object_set_new(j, "district", nm->district[0] ? json_string(nm->district) : json_null());
            json_object_set_new(j, "district_name", nm->district[0] ? json_string(nm->district_name) : json_null());
            json_object_set_new(j, "outage_since_us",
                                r->outage_since_us ? json_integer(r->outage_since_us) : json_null());
            json_object_set_new(j, "image", r->image[0] ? json_string(r->image) : json_null());
            if (r->has_stats) {
                json_object_set_new(j, "last_packet_us",
                                    r->stats.last_packet_us ? json_integer(r->stats.last_packet_us) : json_null());
                json_object_set_new(j, "fps", json_real(r->stats.fps));
                json_object_set_new(j, "codec", json_string(r->stats.codec));
                json_object_set_new(j, "width", json_integer(r->stats.width));
                json_object_set_new(j, "height", json_integer(r->stats.height));
                json_object_set_new(j, "keyframe_interval_s", json_real(r->stats.keyframe_interval_s));
                json_object_set_new(j, "packets", json_integer(r->stats.packets));
                json_object_set_new(j, "bytes", json_integer(r->stats.bytes));
                json_object_set_new(j, "reconnects", json_integer(r->stats.reconnects));
                json_object_set_new(j, "decoded_frames", json_integer(r->stats.decoded_frames));
            }
            json_array_append_new(arr, j);
        }
        json_t *top = json_pack("{s:b, s:I, s:o}", "daemon_running", running, "heartbeat_us",
                                (json_int_t)(have_run ? heartbeat : 0), "cameras", arr);
        char *s = json_dumps(top, JSON_INDENT(2));
        puts(s);
        free(s);
        json_decref(top);
        free(rows);
        return 0;
    }
    if (!have_run)
        printf("camwatchd has never run on %s\n", db);
    else if (!running)
        printf("camwatchd is NOT running (last heartbeat %s, %s ago): states below are as of then\n",
               cw_fmt_local(heartbeat, buf1, sizeof buf1), cw_fmt_duration(now - heartbeat, buf2, sizeof buf2));
    printf("%-16s %-16s %-9s %-13s %-19s %-8s %-12s %5s  %s\n", "CAMERA", "SITE", "STATE", "CAUSE", "SINCE", "FOR",
           "LAST PACKET", "FPS", "IMAGE");
    /* When the daemon is down, durations end at its last sign of life. */
    int64_t upto = running || !have_run ? now : heartbeat;
    for (int i = 0; i < n; i++) {
        struct cw_status_row *r = &rows[i];
        char last[64] = "never", fps[16] = "-";
        /* A down camera's SINCE is its outage's start, whatever the cause
         * changes and daemon restarts since. */
        if (r->outage_since_us > 0)
            r->since_us = r->outage_since_us;
        if (r->has_stats && r->stats.last_packet_us > 0) {
            cw_fmt_duration(now - r->stats.last_packet_us, buf3, sizeof buf3);
            snprintf(last, sizeof last, "%s ago", buf3);
        }
        if (r->has_stats && r->stats.fps > 0 && strcmp(r->state, "online") == 0)
            snprintf(fps, sizeof fps, "%.1f", r->stats.fps);
        printf("%-16s %-16s %-9s %-13s %-19s %-8s %-12s %5s  %s\n", r->id, r->names.site, r->state[0] ? r->state : "-",
               r->cause[0] ? r->cause : "-", r->since_us ? cw_fmt_local(r->since_us, buf1, sizeof buf1) : "-",
               r->since_us ? cw_fmt_duration(upto - r->since_us, buf2, sizeof buf2) : "-", last, fps,
               r->image[0] ? r->image : "-");
    }
    if (n == 0)
        printf("(no %scameras)\n", o->offline ? "offline " : "");
    free(rows);
    return 0;
}

static int cmd_check_config(const struct opts *o)
{
    const char *path = o->arg ? o->arg : o->config;
    struct cw_config *cfg;
    struct cw_config_errors errs = {0};
    int rc = cw_config_load(path, 0, &cfg, &errs);
    for (int i = 0; i < errs.n; i++)
        fprintf(stderr, "%s\n", errs.msgs[i]);
    if (rc < 0) {
        fprintf(stderr, "%s: %d error(s)\n", path, errs.n);
        cw_config_errors_free(&errs);
        return 1;
    }
    cw_config_errors_free(&errs);
    int enabled = 0;
    for (int i = 0; i < cfg->n_cameras; i++)
        enabled += cfg->cameras[i].enabled;
    if (cfg->n_districts)
        printf("%s: ok (%d camera(s), %d enabled; %d site(s) in %d commune(s), %d district(s)%s%s)\n", path,
               cfg->n_cameras, enabled, cfg->n_sites, cfg->n_communes, cfg->n_districts,
               cfg->province && cfg->province[0] ? ", province " : "", cfg->province ? cfg->province : "");
    else
        printf("%s: ok (%d camera(s), %d enabled; %d site(s) in %d commune(s), province %s)\n", path, cfg->n_cameras,
               enabled, cfg->n_sites, cfg->n_communes, cfg->province ? cfg->province : "");
    cw_config_free(cfg);
    return 0;
}

static int cmd_check_db(const struct opts *o)
{
    char db[4096], err[8192];
    struct cw_store *st;
    if (resolve(o, db, sizeof db) < 0)
        return 2;
    if (cw_store_open(db, 1, &st) < 0)
        return 1;
    int rc = cw_store_verify(st, err, sizeof err);
    cw_store_close(st);
    if (rc < 0) {
        fprintf(stderr, "%s", err);
        fprintf(stderr, "%s: FAILED\n", db);
        return 1;
    }
    printf("%s: ok (integrity, spans tile time)\n", db);
    return 0;
}

int main(int argc, char **argv)
{
    struct opts o = {.config = DEFAULT_CONFIG};
    const char *cmd = NULL;

    cw_log_set_level(CW_LOG_WARN);
    /* Commands with options of their own get everything after their name
     * (global -c/--db may come before it). */
    for (int i = 1; i < argc; i++) {
        if ((strcmp(argv[i], "-c") == 0 || strcmp(argv[i], "--config") == 0 || strcmp(argv[i], "--db") == 0) &&
            i + 1 < argc) {
            if (strcmp(argv[i], "--db") == 0)
                o.db = argv[i + 1];
            else
                o.config = argv[i + 1];
            i++;
            continue;
        }
        if (strcmp(argv[i], "report") == 0)
            return cw_cli_report(argc - i, argv + i, o.config, o.db);
        if (strcmp(argv[i], "gen-history") == 0)
            return cw_cli_gen_history(argc - i, argv + i, o.db);
        if (strcmp(argv[i], "analyze") == 0)
            return cw_cli_analyze(argc - i, argv + i);
        if (strcmp(argv[i], "events") == 0 || strcmp(argv[i], "alerts") == 0) {
            char db[4096];
            if (resolve(&o, db, sizeof db) < 0)
                return 2;
            return argv[i][0] == 'e' ? cw_cli_events(argc - i, argv + i, db) : cw_cli_alerts(argc - i, argv + i, db);
        }
        if (strcmp(argv[i], "maintenance") == 0) {
            char db[4096];
            if (i + 1 < argc && (strcmp(argv[i + 1], "--help") == 0 || strcmp(argv[i + 1], "-h") == 0))
                return cw_cli_maintenance(argc - i, argv + i, ""); /* usage needs no config */
            if (resolve(&o, db, sizeof db) < 0)
                return 2;
            return cw_cli_maintenance(argc - i, argv + i, db);
        }
        break;
    }
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if ((strcmp(a, "-c") == 0 || strcmp(a, "--config") == 0) && i + 1 < argc)
            o.config = argv[++i];
        else if (strcmp(a, "--db") == 0 && i + 1 < argc)
            o.db = argv[++i];
        else if (strcmp(a, "--json") == 0)
            o.json = 1;
        else if (strcmp(a, "--offline") == 0)
            o.offline = 1;
        else if (strcmp(a, "--province") == 0 && i + 1 < argc)
            o.where.province = argv[++i];
        else if (strcmp(a, "--district") == 0 && i + 1 < argc)
            o.where.district = argv[++i];
        else if (strcmp(a, "--commune") == 0 && i + 1 < argc)
            o.where.commune = argv[++i];
        else if (strcmp(a, "--site") == 0 && i + 1 < argc)
            o.where.site = argv[++i];
        else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            usage(stdout);
            return 0;
        } else if (a[0] == '-') {
            fprintf(stderr, "camwatch: unknown option %s\n", a);
            usage(stderr);
            return 2;
        } else if (!cmd)
            cmd = a;
        else if (!o.arg)
            o.arg = a;
        else {
            usage(stderr);
            return 2;
        }
    }
    if (!cmd) {
        usage(stderr);
        return 2;
    }
    if (strcmp(cmd, "status") == 0)
        return cmd_status(&o);
    if (strcmp(cmd, "check-config") == 0)
        return cmd_check_config(&o);
    if (strcmp(cmd, "config-keys") == 0) {
        cw_config_print_keys(stdout);
        return 0;
    }
    if (strcmp(cmd, "check-db") == 0)
        return cmd_check_db(&o);
    fprintf(stderr, "camwatch: unknown command '%s'\n", cmd);
    usage(stderr);
    return 2;
}
