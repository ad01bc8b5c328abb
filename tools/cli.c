/* The shared part of the `camwatch` subcommands (see cli.h). */
#include "cli.h"
#include "pgread.h"
#include "../daemon/upstream.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../daemon/clock.h"
#include "../daemon/config.h"
#include "../daemon/report_fmt.h"

void cw_cli_getopt_begin(void)
{
    /* glibc: 0 re-initialises getopt (main already ran it over the global
     * options); argv[0] is the subcommand's name, skipped as a program
     * name would be. */
    optind = 0;
    opterr = 0;
}

int cw_cli_common(struct cw_cli *g, int c, const char *arg)
{
    if (c == 'c')
        g->config = arg, g->config_given = 1;
    else if (c == CW_CLI_OPT_DB)
        g->db = arg;
    else if (c == CW_CLI_OPT_TZ)
        g->tz = arg;
    else if (c == CW_CLI_OPT_LANG)
        g->lang = arg;
    else
        return 0;
    return 1;
}

int cw_cli_bad_option(const struct cw_cli *g, char **argv, int c)
{
    const char *what = argv[optind - 1];
    if (c == ':')
        fprintf(stderr, "%s: option %s needs a value\n", g->cmd, what);
    else if (optopt && !strstr(what, "--"))
        fprintf(stderr, "%s: unknown option -%c\n", g->cmd, optopt);
    else
        fprintf(stderr, "%s: unknown option %s\n", g->cmd, what);
    fprintf(stderr, "(%s --help lists the options)\n", g->cmd);
    return CW_EXIT_USAGE;
}

int cw_cli_no_options(int argc, char **argv, struct cw_cli *g, const char *help)
{
    static const struct option longopts[] = {CW_CLI_COMMON_LONGOPTS, {NULL, 0, NULL, 0}};
    int c;
    cw_cli_getopt_begin();
    while ((c = getopt_long(argc, argv, ":c:h", longopts, NULL)) != -1) {
        if (cw_cli_common(g, c, optarg))
            continue;
        if (c == 'h') {
            fputs(help, stdout);
            return CW_EXIT_OK;
        }
        return cw_cli_bad_option(g, argv, c);
    }
    if (optind < argc) {
        fprintf(stderr, "%s: unexpected argument '%s'\n", g->cmd, argv[optind]);
        return CW_EXIT_USAGE;
    }
    return -1;
}

int64_t cw_cli_now(struct cw_store *st)
{
    char v[32];
    int64_t started, hb, stopped;
    if (!st || cw_store_setting(st, "clock_offset_us", v, sizeof v) != 1 ||
        cw_store_last_run(st, &started, &hb, &stopped) != 0 || stopped || !hb)
        return cw_wall_us();
    int64_t now = cw_system_wall_us() - strtoll(v, NULL, 10);
    /* camwatchd is running: its last heartbeat (each second) is within a
     * minute of the moment its offset gives */
    if (now - hb > 60000000 || hb - now > 60000000)
        return cw_wall_us();
    return now;
}

const char *cw_cli_who(const char *by)
{
    if (by && by[0])
        return by;
    const char *u = getenv("SUDO_USER");
    if (!u || !u[0])
        u = getenv("USER");
    return u && u[0] ? u : "unknown";
}

#define CW_DEFAULT_ZONE "Asia/Ho_Chi_Minh"

/* What camwatchd recorded of its deployment in the database (a copy read
 * with --db speaks as the commune does); nothing if it cannot be read. */
static void db_settings(struct cw_cli *g, const char *db, char *zone, size_t zlen, int *lang_vi)
{
    struct cw_store *st;
    char err[256], v[64];
    if (access(db, F_OK) != 0 || cw_store_open_msg(db, 1, &st, err, sizeof err) < 0)
        return;
    if (cw_store_setting(st, "timezone", v, sizeof v) == 1 && cw_zone_known(v))
        snprintf(zone, zlen, "%s", v);
    if (cw_store_setting(st, "language", v, sizeof v) == 1)
        *lang_vi = strcmp(v, "en") != 0;
    cw_store_close(st);
    (void)g;
}

const char *cw_cli_db_name(const struct cw_cli *g, const char *db, char *buf, size_t len)
{
    if (!g->copy[0])
        return db;
    cw_upstream_describe(g->db, buf, len);
    return buf;
}

int cw_cli_resolve(struct cw_cli *g, char *db, size_t dblen, struct cw_report_rules *rules)
{
    char zone[64] = CW_DEFAULT_ZONE;
    int lang_vi = 1;
    if (rules)
        cw_report_rules_default(rules);
    if (g->tz && !cw_zone_known(g->tz)) {
        fprintf(stderr, "%s: unknown time zone '%s' for --tz (no /usr/share/zoneinfo/%s; e.g. Asia/Ho_Chi_Minh)\n",
                g->cmd, g->tz, g->tz);
        return -1;
    }
    if (g->lang && strcmp(g->lang, "vi") != 0 && strcmp(g->lang, "en") != 0) {
        fprintf(stderr, "%s: unknown language '%s' (vi, en)\n", g->cmd, g->lang);
        return -1;
    }
    /* -c with --db: that database, read with the config's zone, language
     * and document fields (a clerk's copy of the commune's file) */
    int use_config = !g->db || g->config_given;
    if (use_config) {
        if (access(g->config, F_OK) != 0) {
            fprintf(stderr, "%s: no config file %s (%s); give one with -c FILE, or the database with --db FILE\n",
                    g->cmd, g->config, strerror(errno));
            return -1;
        }
        struct cw_config *cfg;
        struct cw_config_errors errs = {0};
        int rc = cw_config_load(g->config, CW_CONFIG_KEEP_ENV, &cfg, &errs);
        for (int i = 0; i < errs.n; i++)
            fprintf(stderr, "%s\n", errs.msgs[i]);
        cw_config_errors_free(&errs);
        if (rc < 0)
            return rc;
        snprintf(db, dblen, "%s", cfg->database);
        snprintf(zone, sizeof zone, "%s", cfg->timezone);
        lang_vi = cfg->lang_vi;
        if (rules)
            *rules = cfg->report;
        cw_config_free(cfg);
    }
    if (g->db && cw_pgread_is_url(g->db)) {
        /* the province's database: a private copy made by the same code
         * that reads a commune's (pgread.c) */
        char err[700];
        if (!g->copy[0]) {
            snprintf(g->copy, sizeof g->copy, "/tmp/camwatch-province-XXXXXX");
            int fd = mkstemp(g->copy);
            if (fd < 0) {
                fprintf(stderr, "%s: cannot make a working file in /tmp: %s\n", g->cmd, strerror(errno));
                g->copy[0] = '\0';
                return -1;
            }
            close(fd);
            if (cw_pgread_copy(g->db, g->copy, err, sizeof err) < 0) {
                fprintf(stderr, "%s: --db %s\n", g->cmd, err);
                return -1;
            }
        }
        snprintf(db, dblen, "%s", g->copy);
    } else if (g->db) {
        snprintf(db, dblen, "%s", g->db);
        if (!use_config)
            db_settings(g, db, zone, sizeof zone, &lang_vi);
    }
    /* The shell's TZ is the server's (often UTC), not the commune's: a
     * maintenance window typed as 08:00 must end at 08:00 in the commune. */
    snprintf(g->zone, sizeof g->zone, "%s", g->tz ? g->tz : zone);
    g->lang_vi = g->lang ? strcmp(g->lang, "en") != 0 : lang_vi;
    setenv("TZ", g->zone, 1);
    tzset();
    return 0;
}

int cw_cli_open(struct cw_cli *g, int readonly, struct cw_store **st, char *db, size_t dblen,
                struct cw_report_rules *rules)
{
    char err[512];
    if (cw_cli_resolve(g, db, dblen, rules) < 0)
        return CW_EXIT_USAGE;
    /* never create one: the CLI reads what camwatchd wrote */
    if (access(db, F_OK) != 0) {
        fprintf(stderr, "%s: no database at %s: camwatchd has not run with this config yet%s\n", g->cmd, db,
                g->db ? "" : " (or the config's database: points elsewhere; --db FILE reads another file)");
        return CW_EXIT_FAIL;
    }
    if (cw_store_open_msg(db, readonly, st, err, sizeof err) < 0) {
        fprintf(stderr, "%s: cannot open the database %s: %s\n", g->cmd, db, err);
        return CW_EXIT_FAIL;
    }
    return 0;
}

void cw_cli_col(const char *s, int cells)
{
    char cut[512];
    const char *t = cw_text_width(s) <= cells ? s : cw_text_fit(s, cells, cut, sizeof cut);
    fputs(t, stdout);
    printf("%*s", cells - cw_text_width(t) + 1, "");
}

char *cw_cli_dur(const struct cw_cli *g, int64_t us, char *buf, size_t len)
{
    return g->lang_vi ? cw_rfmt_duration(us, 1, buf, len) : cw_fmt_duration(us, buf, len);
}

void cw_cli_lang_only(struct cw_cli *g)
{
    g->lang_vi = 1;
    if (g->lang) {
        g->lang_vi = strcmp(g->lang, "en") != 0;
        return;
    }
    struct cw_config *cfg;
    struct cw_config_errors errs = {0};
    if (!g->db && access(g->config, R_OK) == 0 && cw_config_load(g->config, CW_CONFIG_KEEP_ENV, &cfg, &errs) == 0) {
        g->lang_vi = cfg->lang_vi;
        cw_config_free(cfg);
    }
    cw_config_errors_free(&errs);
}

int cw_cli_time_arg(const struct cw_cli *g, const char *what, const char *s, int64_t now, int bare_is_past,
                    int64_t *out)
{
    if (cw_cli_parse_time(s, now, bare_is_past, out) == 0)
        return 0;
    fprintf(stderr, "%s: cannot read the time '%s' given to %s\n" CW_CLI_TIME_HELP "\n", g->cmd, s, what);
    return -1;
}

/* "90m", "2h", "3d", "30s" in microseconds; -1 if it is not one. */
static int64_t duration_us(const char *s)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    double mul = !strcmp(end, "s") ? 1 : !strcmp(end, "m") ? 60 : !strcmp(end, "h") ? 3600 : !strcmp(end, "d") ? 86400 : -1;
    if (end == s || errno || mul < 0 || !isfinite(v) || v < 0 || v * mul > 20 * 366 * 86400.0 || !isdigit((unsigned char)s[0]))
        return -1;
    return (int64_t)(v * mul * 1e6);
}

int cw_cli_parse_time(const char *s, int64_t now, int bare_is_past, int64_t *out)
{
    char *end;
    int64_t d;
    if (!strcmp(s, "now")) {
        *out = now;
        return 0;
    }
    if (s[0] == '@') {
        errno = 0;
        double v = strtod(s + 1, &end);
        if (end == s + 1 || *end || errno || !isfinite(v) || v < 0 || v > 4102444800.0)
            return -1;
        *out = (int64_t)(v * 1e6);
        return 0;
    }
    if ((s[0] == '+' || s[0] == '-') && (d = duration_us(s + 1)) >= 0) {
        *out = s[0] == '+' ? now + d : now - d;
        return 0;
    }
    if (bare_is_past && (d = duration_us(s)) >= 0) {
        *out = now - d;
        return 0;
    }
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    const char *p = strptime(s, "%Y-%m-%d", &tm);
    if (!p || !isdigit((unsigned char)s[0]))
        return -1;
    if (*p == ' ' || *p == 'T') {
        p = strptime(p + 1, "%H:%M", &tm);
        if (!p)
            return -1;
        if (*p == ':') {
            long sec = strtol(p + 1, &end, 10);
            if (end != p + 3 || sec < 0 || sec > 60)
                return -1;
            tm.tm_sec = (int)sec;
            p = end;
        }
    }
    time_t t;
    if (*p == 'Z' || *p == '+' || *p == '-') {
        int oh = 0, om = 0, sign = *p == '-' ? -1 : 1;
        if (*p == 'Z')
            p++;
        else if (sscanf(p + 1, "%2d:%2d", &oh, &om) == 2 && strlen(p) == 6 && oh <= 14 && om < 60)
            p += 6;
        else
            return -1;
        if (*p)
            return -1;
        t = timegm(&tm) - sign * (oh * 3600 + om * 60);
    } else {
        if (*p)
            return -1;
        tm.tm_isdst = -1;
        t = mktime(&tm);
    }
    if (t == (time_t)-1 || t < 0 || t > 4102444800)
        return -1;
    *out = (int64_t)t * 1000000;
    return 0;
}
