/* `camwatch report`: reads the state history of a period from the database
 * (read-only), computes the report (daemon/report.c) and renders it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../daemon/clock.h"
#include "../daemon/config.h"
#include "../daemon/error.h"
#include "../daemon/report.h"
#include "../daemon/report_feed.h"
#include "../daemon/store.h"
#include "cli.h"
#include "../daemon/report_narrative.h"
#include "../daemon/report_view.h"

static void usage(FILE *f)
{
    fprintf(f, "usage: camwatch report (--month YYYY-MM | --from YYYY-MM-DD --to YYYY-MM-DD)\n"
               "         [--province ID] [--district ID] [--commune ID] [--site ID]\n"
               "         [--format text|csv|json|html|pdf|odt] [--lang vi|en] [-o FILE]\n"
               "  pdf: the document a committee signs (A4; header and signature from the config's report:);\n"
               "  odt: its editable copy (LibreOffice, Word). Both want -o FILE or a redirect.\n"
               "  --commune also takes an id the commune absorbed in a merger (formerly:).\n"
               "  --to is inclusive. Times are in the config's time zone (default Asia/Ho_Chi_Minh; with --db\n"
               "  the one camwatchd recorded in the database; --tz ZONE to choose), whatever TZ says.\n"
               "  --lang: the config's daemon.language (default vi) unless given.\n"
               "Exit status: 0 done; 1 the database cannot be read or holds no history for the period;\n"
               "2 a misuse (bad option, a place no camera is in).\n");
}

/* "Trường tiểu học (hb-truong-hoc), ..." : the sites of the report's scope
 * with enabled cameras and no notice in the config; NULL when the config
 * cannot be read. */
static char *notice_missing(const char *config, const struct cw_names_filter *where)
{
    struct cw_config *cfg;
    struct cw_config_errors errs = {0};
    int rc = cw_config_load(config, CW_CONFIG_KEEP_ENV, &cfg, &errs);
    cw_config_errors_free(&errs);
    if (rc < 0)
        return NULL;
    size_t cap = 256, o = 0;
    char *s = calloc(1, cap);
    for (int i = 0; s && i < cfg->n_sites; i++) {
        const struct cw_site *site = &cfg->sites[i];
        const struct cw_commune *com = cw_config_site_commune(cfg, site);
        if ((site->notice_where && site->notice_where[0]) || (where->site && strcmp(where->site, site->id)) ||
            (where->commune && com && strcmp(where->commune, com->id)))
            continue;
        int cams = 0;
        for (int c = 0; c < cfg->n_cameras; c++)
            cams += cfg->cameras[c].site == i && cfg->cameras[c].enabled;
        if (!cams)
            continue;
        size_t need = o + strlen(site->name) + strlen(site->id) + 8;
        if (need > cap) {
            char *t = realloc(s, cap = need * 2);
            if (!t)
                break;
            s = t;
        }
        o += (size_t)snprintf(s + o, cap - o, "%s%s (%s)", o ? ", " : "", site->name[0] ? site->name : site->id, site->id);
    }
    cw_config_free(cfg);
    return s;
}

int cw_cli_report(int argc, char **argv, struct cw_cli *g)
{
    static const struct option longopts[] = {
        CW_CLI_COMMON_LONGOPTS,
        {"month", required_argument, NULL, 'm'},    {"from", required_argument, NULL, 'f'},
        {"to", required_argument, NULL, 't'},       {"province", required_argument, NULL, 'P'},
        {"district", required_argument, NULL, 'D'}, {"commune", required_argument, NULL, 'M'},
        {"site", required_argument, NULL, 'S'},     {"output", required_argument, NULL, 'o'},
        {"format", required_argument, NULL, 'F'},
        {NULL, 0, NULL, 0},
    };
    const char *month = NULL, *from = NULL, *to = NULL, *out = NULL;
    struct cw_names_filter where = {0}; /* --province/--district/--commune/--site */
    struct cw_store *st = NULL;
    enum cw_report_format fmt = CW_FMT_TEXT;
    int c;
    struct cw_report_rules rules;
    char dbpath[4096];

    cw_cli_getopt_begin();
    while ((c = getopt_long(argc, argv, ":c:ho:", longopts, NULL)) != -1) {
        if (cw_cli_common(g, c, optarg))
            continue;
        switch (c) {
        case 'h': usage(stdout); return 0;
        case 'm': month = optarg; break;
        case 'f': from = optarg; break;
        case 't': to = optarg; break;
        case 'P': where.province = optarg; break;
        case 'D': where.district = optarg; break;
        case 'M': where.commune = optarg; break;
        case 'S': where.site = optarg; break;
        case 'o': out = optarg; break;
        case 'F': {
            static const char *const names[] = {"text", "csv", "json", "html", "pdf", "odt"};
            int k;
            for (k = 0; k < 6 && strcmp(optarg, names[k]) != 0; k++)
                ;
            if (k == 6) {
                fprintf(stderr, "%s: unknown format '%s' (text, csv, json, html, pdf, odt)\n", g->cmd, optarg);
                return CW_EXIT_USAGE;
            }
            fmt = (enum cw_report_format)k;
            break;
        }
        default: return cw_cli_bad_option(g, argv, c);
        }
    }
    if (optind < argc) {
        fprintf(stderr, "%s: unexpected argument '%s'\n", g->cmd, argv[optind]);
        return CW_EXIT_USAGE;
    }
    if (!month && !(from && to)) {
        fprintf(stderr, "%s: say which period: --month YYYY-MM, or --from and --to\n", g->cmd);
        usage(stderr);
        return CW_EXIT_USAGE;
    }

    /* Rules, time zone and database from the config, unless --db. */
    if (cw_cli_resolve(g, dbpath, sizeof dbpath, &rules) < 0)
        return CW_EXIT_USAGE;

    struct cw_report_period per;
    char perr[200];
    if (cw_report_period_parse(month, from, to, &per, perr, sizeof perr) < 0) {
        fprintf(stderr, "%s: %s\n", g->cmd, perr);
        return CW_EXIT_USAGE;
    }
    int rc = cw_cli_open(g, 1, &st, dbpath, sizeof dbpath, NULL);
    if (rc != 0) {
        cw_report_period_free(&per);
        return rc;
    }
    /* The history is known up to the daemon's last sign of life. */
    int64_t started, heartbeat, stopped, data_end = cw_wall_us();
    if (cw_store_last_run(st, &started, &heartbeat, &stopped) == 0)
        data_end = stopped ? stopped : heartbeat;
    struct cw_report r;
    struct cw_report_query q = {&where, &rules, data_end};
    long spans = 0;
    int matched = 0;
    struct cw_report_view view = {&r, g->lang_vi, per.label, "", cw_wall_us(), 0, {{0}}, NULL};
    rc = cw_report_load(st, &q, &per, &r, &view, &spans, &matched);
    if (rc < 0) {
        fprintf(stderr, "%s: reading %s failed: %s\n", g->cmd, dbpath, cw_store_errmsg(st));
        cw_report_free(&r);
        cw_store_close(st);
        cw_report_period_free(&per);
        return 1;
    }
    cw_store_close(st);
    if (matched == 0 && cw_names_filter_set(&where)) {
        fprintf(stderr, "%s: no camera in %s is in that province, district, commune or site\n", g->cmd, dbpath);
        cw_report_free(&r);
        cw_report_period_free(&per);
        return 2;
    }

    /* A period before the first record or after the last is not a month of
     * 0 % availability: it is no data, and must not read as a report. */
    if (spans == 0) {
        fprintf(stderr, "%s: %s holds no history for %s%s: camwatchd recorded nothing then\n", g->cmd, dbpath,
                per.label, cw_names_filter_set(&where) ? " for those cameras" : "");
        cw_report_free(&r);
        cw_report_period_free(&per);
        return CW_EXIT_FAIL;
    }

    char filter[200];
    view.filter = cw_names_filter_label(&where, filter, sizeof filter);
    /* the narrowest place the filter names is what the report is about */
    view.scope = where.site ? 1 : where.commune ? 2 : where.district ? 3 : 0;
    view.doc = &rules.doc;
    if (fmt == CW_FMT_PDF || fmt == CW_FMT_ODT) {
        char missing[400];
        if (cw_doc_missing(&rules.doc, missing, sizeof missing))
            fprintf(stderr, "%s: warning: %s gives no %s: the document will be printed without them%s\n", g->cmd,
                    g->db ? "--db (no config)" : g->config, missing,
                    g->db ? " (give -c FILE for the config's document fields)" : " (camwatch config-keys lists them)");
    }
    FILE *f = out ? fopen(out, "w") : stdout;
    if (!f) {
        perror(out);
        cw_report_free(&r);
        cw_report_period_free(&per);
        return 1;
    }
    char *missing_notice = g->db && !g->config_given ? NULL : notice_missing(g->config, &where);
    view.notice_missing = missing_notice;
    rc = fmt == CW_FMT_PDF   ? cw_report_render_pdf(f, &view)
         : fmt == CW_FMT_ODT ? cw_report_render_odt(f, &view)
                             : cw_report_render(f, fmt, &view);
    if (out)
        fclose(f);
    free(missing_notice);
    cw_report_free(&r);
    cw_report_period_free(&per);
    return rc < 0 ? 1 : 0;
}
