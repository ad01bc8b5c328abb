/* camwatch: the command-line tool. It reads the SQLite database (never the
 * daemon's memory), so it works while camwatchd runs, after it stopped,
 * and on a copy of the file.
 *
 * Global options (-c, --db) may come before or after the subcommand; every
 * subcommand parses its own with getopt_long and answers --help without
 * reading any config. Exit codes: 0 done, 1 a data failure, 2 a misuse. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../daemon/config.h"
#include "../daemon/log.h"
#include "../daemon/plugin.h"
#include "../daemon/report_narrative.h"
#include "../daemon/store.h"
#include "cli.h"

static int cmd_check_config(int argc, char **argv, struct cw_cli *g);
static int cmd_check_db(int argc, char **argv, struct cw_cli *g);
static int cmd_config_keys(int argc, char **argv, struct cw_cli *g);

static const struct command {
    const char *name;
    int (*run)(int argc, char **argv, struct cw_cli *g);
    const char *summary;
} commands[] = {
    {"status", cw_cli_status, "each camera's state now: since when, why, last packet, fps"},
    {"events", cw_cli_events, "detection events with their snapshots"},
    {"alerts", cw_cli_alerts, "the alert outbox: each alert per target, delivered or not"},
    {"report", cw_cli_report, "availability report of a month or period (text, csv, json, html)"},
    {"maintenance", cw_cli_maintenance, "declared repair windows: add, list, end"},
    {"ack", cw_cli_ack, "acknowledge a down camera: its outage escalates no more"},
    {"audit", cw_cli_audit, "who did what in the console, and who was served which camera's pictures"},
    {"inventory", cw_cli_inventory, "the cameras' makers, models, firmware, QCVN 135 certification and security warnings"},
    {"privacy", cw_cli_privacy, "a person's request: export a camera's or site's events and pictures, or erase them"},
    {"passwd", cw_cli_passwd, "a web console user's entry for the config (argon2id password hash)"},
    {"check-config", cmd_check_config, "validate a config file (FILE:LINE:COL messages)"},
    {"config-keys", cmd_config_keys, "every config key with its type, default and meaning"},
    {"check-db", cmd_check_db, "integrity check and span tiling check of the database"},
    {"analyze", cw_cli_analyze, "run detection plugins over a video file"},
    {"gen-history", cw_cli_gen_history, "write a synthetic history into --db (tests, benchmarks)"},
    {"upstream", cw_cli_upstream, "the province's PostgreSQL: init, add-edge, sync, status, check"},
};
#define N_COMMANDS (int)(sizeof commands / sizeof commands[0])

static void usage(FILE *f)
{
    fprintf(f, "usage: camwatch [-c FILE | --db FILE] COMMAND [options]\n\ncommands:\n");
    for (int i = 0; i < N_COMMANDS; i++)
        fprintf(f, "  %-13s %s\n", commands[i].name, commands[i].summary);
    fprintf(f, "\noptions (before or after COMMAND):\n"
               "  -c, --config FILE   config file (default " CW_CLI_DEFAULT_CONFIG "); gives the database\n"
               "  --db FILE           the database file itself (instead of the config); a postgresql:// URL:\n"
               "                      the province's database (report, status, events, check-db)\n"
               "  --tz ZONE           read and print times in ZONE; default: the config's daemon.timezone (with\n"
               "                      --db, the zone camwatchd recorded in the database), never the shell's TZ\n"
               "  --lang vi|en        the language of what the command prints (default: the config's, vi)\n"
               "  -h, --help          this text; COMMAND --help: the command's own options\n"
               "  --version           camwatch's version\n"
               "Exit status: 0 done, 1 a failure reading or writing data, 2 a misuse.\n"
               "See camwatch(1).\n");
}

static int cmd_config_keys(int argc, char **argv, struct cw_cli *g)
{
    int rc = cw_cli_no_options(argc, argv, g,
                               "usage: camwatch config-keys\nPrints every config key with its type, default and meaning.\n");
    if (rc >= 0)
        return rc;
    cw_config_print_keys(stdout);
    return 0;
}

/* Each camera's plugin options go to its plugin as camwatchd will hand
 * them (cw_plugin_instance_create), so a bad option is an error here and
 * not, later, a camera that camwatchd watches without its detection. A
 * config is often checked away from its machine: without plugin_dir the
 * options cannot be checked, which is a note (an error with --strict, as
 * camwatchd would run every such camera without its plugins). Returns the
 * number of errors printed. */
static int check_plugins(const char *path, const struct cw_config *cfg, int strict, int *notes)
{
    int errors = 0, wanted = 0;
    struct stat sb;
    for (int i = 0; i < cfg->n_cameras; i++)
        wanted += cfg->cameras[i].n_plugins;
    if (!wanted)
        return 0;
    errno = 0;
    if (stat(cfg->plugin_dir, &sb) < 0 || !S_ISDIR(sb.st_mode)) {
        fprintf(stderr, "%s%s: plugin_dir %s: %s; the cameras' plugin options were not checked\n",
                strict ? "" : "note: ", path, cfg->plugin_dir, errno ? strerror(errno) : "not a folder");
        if (strict)
            return 1;
        (*notes)++;
        return 0;
    }
    /* Each entry loads its plugin afresh (the dynamic loader keeps one
     * copy while it is open): no list of what is loaded to keep, and a
     * plugin that does not load is named for every camera that asks. */
    for (int i = 0; i < cfg->n_cameras; i++) {
        const struct cw_camera_config *cc = &cfg->cameras[i];
        for (int j = 0; j < cc->n_plugins; j++) {
            const struct cw_plugin_config *pc = &cc->plugins[j];
            struct cw_plugin *p = NULL;
            struct cw_plugin_instance *inst = NULL;
            char err[600];
            if (cw_plugin_load(cfg->plugin_dir, pc->name, &p, err, sizeof err) == 0 &&
                cw_plugin_instance_create(p, cc->id, pc->keys, pc->values, pc->n, &inst, err, sizeof err) == 0) {
                cw_plugin_instance_destroy(inst);
            } else {
                fprintf(stderr, "%s:%d:%d: camera %s: %s\n", path, pc->line, pc->column, cc->id, err);
                errors++;
            }
            cw_plugin_unload(p);
        }
    }
    return errors;
}

/* What check-config says about personal data: the limits in force per kind
 * (with each site and camera that keeps longer or shorter), and the sites
 * whose recording notice is not recorded. */
static void print_retention(const struct cw_config *cfg)
{
    char a[32];
    printf("retention (applied every %s):", cw_fmt_age(cfg->retention_every_us, a, sizeof a));
    for (int k = 0; k < CW_KEEP_N; k++)
        printf(" %s %s%s", cw_keep_kind_name(k), cw_fmt_age(cfg->retention.max_age_us[k], a, sizeof a),
               k + 1 < CW_KEEP_N ? "," : "\n");
    for (int i = 0; i < cfg->n_sites; i++) {
        const struct cw_site *s = &cfg->sites[i];
        if (!s->retention.set)
            continue;
        printf("  site %s:", s->id);
        for (int k = 0; k < CW_KEEP_N; k++)
            if (s->retention.set & (1u << k))
                printf(" %s %s", cw_keep_kind_name(k), cw_fmt_age(s->retention.max_age_us[k], a, sizeof a));
        printf("\n");
    }
    for (int i = 0; i < cfg->n_cameras; i++) {
        const struct cw_camera_config *c = &cfg->cameras[i];
        if (!c->retention.set)
            continue;
        printf("  camera %s:", c->id);
        for (int k = 0; k < CW_KEEP_N; k++)
            if (c->retention.set & (1u << k))
                printf(" %s %s", cw_keep_kind_name(k), cw_fmt_age(c->retention.max_age_us[k], a, sizeof a));
        printf("\n");
    }
    int missing = 0;
    for (int i = 0; i < cfg->n_sites; i++) {
        const struct cw_site *s = &cfg->sites[i];
        int cams = 0;
        for (int c = 0; c < cfg->n_cameras; c++)
            cams += cfg->cameras[c].site == i && cfg->cameras[c].enabled;
        if (!cams || (s->notice_where && s->notice_where[0]))
            continue;
        printf("%s %s", missing++ ? "," : "note: no recording notice recorded (sites[].notice) for site(s):", s->id);
    }
    if (missing)
        printf("\n");
}

static int cmd_check_config(int argc, char **argv, struct cw_cli *g)
{
    static const struct option longopts[] = {CW_CLI_COMMON_LONGOPTS, {"strict", no_argument, NULL, 's'},
                                             {NULL, 0, NULL, 0}};
    int strict = 0, c;
    cw_cli_getopt_begin();
    while ((c = getopt_long(argc, argv, ":c:h", longopts, NULL)) != -1) {
        if (cw_cli_common(g, c, optarg))
            continue;
        switch (c) {
        case 'h':
            printf("usage: camwatch check-config [--strict] [FILE]\n"
                   "Validates FILE (default: -c's, else " CW_CLI_DEFAULT_CONFIG ") as camwatchd would.\n"
                   "A ${VAR} not set in this shell is a note (the cameras' passwords live in the service's\n"
                   "environment, not here); --strict makes it an error, as it is for camwatchd.\n"
                   "Exit status: 0 valid, 1 not valid, 2 a misuse.\n");
            return 0;
        case 's': strict = 1; break;
        default: return cw_cli_bad_option(g, argv, c);
        }
    }
    if (argc - optind > 1) {
        fprintf(stderr, "%s: one FILE at most\n", g->cmd);
        return CW_EXIT_USAGE;
    }
    const char *path = optind < argc ? argv[optind] : g->config;
    struct cw_config *cfg;
    struct cw_config_errors errs = {0};
    int rc = cw_config_load(path, strict ? 0 : CW_CONFIG_NOTE_ENV, &cfg, &errs);
    for (int i = 0; i < errs.n; i++)
        fprintf(stderr, "%s\n", errs.msgs[i]);
    for (int i = 0; i < errs.n_notes; i++)
        fprintf(stderr, "note: %s\n", errs.notes[i]);
    if (rc < 0) {
        fprintf(stderr, "%s: %d error(s)\n", path, errs.n_errors ? errs.n_errors : errs.n);
        cw_config_errors_free(&errs);
        return CW_EXIT_FAIL;
    }
    int notes = errs.n_notes;
    cw_config_errors_free(&errs);
    char missing[400];
    if (cw_doc_missing(&cfg->report.doc, missing, sizeof missing)) {
        /* not an error: the daemon runs without them; the signed report
         * would be printed without its header or signature lines */
        fprintf(stderr, "note: %s: the report's document (report --format pdf|odt) will lack %s\n", path, missing);
        notes++;
    }
    int perrors = check_plugins(path, cfg, strict, &notes);
    if (perrors > 0) {
        fprintf(stderr, "%s: %d error(s)\n", path, perrors);
        cw_config_free(cfg);
        return CW_EXIT_FAIL;
    }
    int enabled = 0;
    for (int i = 0; i < cfg->n_cameras; i++)
        enabled += cfg->cameras[i].enabled;
    char where[160];
    if (cfg->n_districts)
        snprintf(where, sizeof where, "%d district(s)%s%s", cfg->n_districts,
                 cfg->province && cfg->province[0] ? ", province " : "", cfg->province ? cfg->province : "");
    else
        snprintf(where, sizeof where, "province %s", cfg->province ? cfg->province : "");
    printf("%s: ok (%d camera(s), %d enabled; %d site(s) in %d commune(s), %s)%s\n", path, cfg->n_cameras, enabled,
           cfg->n_sites, cfg->n_communes, where, notes ? "; see the notes above" : "");
    print_retention(cfg);
    cw_config_free(cfg);
    return 0;
}

static int cmd_check_db(int argc, char **argv, struct cw_cli *g)
{
    int orc = cw_cli_no_options(argc, argv, g,
                                "usage: camwatch check-db\nSQLite's integrity check, then that each camera's spans tile "
                                "time\n(no gap, no overlap). Exit status: 0 ok, 1 a problem (listed).\n");
    if (orc >= 0)
        return orc;
    char db[4096], err[8192];
    struct cw_store *st;
    int rc = cw_cli_open(g, 1, &st, db, sizeof db, NULL);
    if (rc != 0)
        return rc;
    rc = cw_store_verify(st, err, sizeof err);
    cw_store_close(st);
    if (rc < 0) {
        fprintf(stderr, "%s", err);
        char name[300];
        fprintf(stderr, "%s: FAILED\n", cw_cli_db_name(g, db, name, sizeof name));
        return CW_EXIT_FAIL;
    }
    char name[300];
    printf("%s: ok (integrity, spans tile time)\n", cw_cli_db_name(g, db, name, sizeof name));
    return 0;
}

int main(int argc, char **argv)
{
    static const struct option longopts[] = {CW_CLI_COMMON_LONGOPTS, {"version", no_argument, NULL, 'V'},
                                             {NULL, 0, NULL, 0}};
    struct cw_cli g = {.cmd = "camwatch", .config = CW_CLI_DEFAULT_CONFIG};
    int c;

    cw_log_set_level(CW_LOG_WARN);
    opterr = 0;
    /* '+': stop at the subcommand's name; what follows is its own. */
    while ((c = getopt_long(argc, argv, "+:c:h", longopts, NULL)) != -1) {
        if (cw_cli_common(&g, c, optarg))
            continue;
        if (c == 'h') {
            usage(stdout);
            return 0;
        }
        if (c == 'V') {
            printf("camwatch %s\n", CW_VERSION);
            return 0;
        }
        return cw_cli_bad_option(&g, argv, c);
    }
    if (optind >= argc) {
        usage(stderr);
        return CW_EXIT_USAGE;
    }
    const char *name = argv[optind];
    for (int i = 0; i < N_COMMANDS; i++) {
        if (strcmp(commands[i].name, name) != 0)
            continue;
        char cmd[64];
        snprintf(cmd, sizeof cmd, "camwatch %s", name);
        g.cmd = cmd;
        int rc = commands[i].run(argc - optind, argv + optind, &g);
        if (g.copy[0]) { /* the province's working copy (--db postgresql://) goes with the command */
            char side[80];
            unlink(g.copy);
            snprintf(side, sizeof side, "%s-wal", g.copy);
            unlink(side);
            snprintf(side, sizeof side, "%s-shm", g.copy);
            unlink(side);
        }
        return rc;
    }
    fprintf(stderr, "camwatch: unknown command '%s'\n", name);
    usage(stderr);
    return CW_EXIT_USAGE;
}
