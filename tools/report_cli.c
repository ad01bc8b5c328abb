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
#include "../daemon/store.h"
#include "cli.h"
#include "report.h"

struct feed {
    struct cw_report *r;
    struct cw_store *st;
    struct cw_names_filter where; /* --province/--district/--commune/--site */
    int matched; /* cameras the filters let through */
    long spans;  /* of those cameras, in the period */
    int rc;
    struct cw_maint *maint; /* the period's maintenance windows */
    int n_maint;
};

static void on_maint(void *ud, const struct cw_maint *w)
{
    struct feed *fd = ud;
    struct cw_maint *m = realloc(fd->maint, sizeof *m * (size_t)(fd->n_maint + 1));
    if (!m) {
        fd->rc = CW_ENOMEM;
        return;
    }
    fd->maint = m;
    fd->maint[fd->n_maint++] = *w;
}

static void on_camera(void *ud, const struct cw_camera_meta *m)
{
    struct feed *fd = ud;
    int64_t since = 0, down = 0;
    int rank = 0;
    if (!cw_names_match(&m->names, m->formerly, &fd->where))
        return;
    fd->matched++;
    if (cw_store_outage_before(fd->st, m->id, fd->r->from_us, &since, &down, &rank) < 0)
        fd->rc = CW_ESTORE;
    struct cw_report_camera *c = cw_report_add_camera(fd->r, m->id, &m->names, since, down);
    if (!c) {
        fd->rc = CW_ENOMEM;
        return;
    }
    c->outage_rank = rank; /* the causes seen before the period count for the outage too */
    for (int i = 0; i < fd->n_maint; i++)
        if (cw_maint_applies(&fd->maint[i], m->id, &m->names) &&
            cw_report_add_maintenance(c, fd->maint[i].from_us, fd->maint[i].to_us) < 0)
            fd->rc = CW_ENOMEM;
    const char *pl = m->plugins ? m->plugins : "";
    c->image_checked = strstr(pl, "imagehealth") != NULL;
    c->motion_checked = strstr(pl, "motion") != NULL || strstr(pl, "activity") != NULL;
}

static struct cw_report_camera *find_cam(struct feed *fd, const char *camera);

static void on_condition(void *ud, const char *camera, const char *condition, int64_t s, int64_t e)
{
    struct feed *fd = ud;
    struct cw_report_camera *c = find_cam(fd, camera);
    if (c)
        cw_report_condition(fd->r, c, condition, s, e);
}

static void on_event_count(void *ud, const char *camera, int64_t n)
{
    struct feed *fd = ud;
    struct cw_report_camera *c = find_cam(fd, camera);
    if (c)
        c->motion_events = n;
}

static int cmp_cam_id(const void *key, const void *elem)
{
    return strcmp(key, ((const struct cw_report_camera *)elem)->id);
}

/* Cameras and spans both come ordered by id, so the lookup could be a
 * cursor; bsearch keeps it correct whatever the collation. */
static struct cw_report_camera *find_cam(struct feed *fd, const char *camera)
{
    if (fd->r->n_cams == 0) /* bsearch's base may not be NULL, even for zero elements */
        return NULL;
    return bsearch(camera, fd->r->cams, (size_t)fd->r->n_cams, sizeof(struct cw_report_camera), cmp_cam_id);
}

static void on_span(void *ud, const char *camera, const char *state, const char *cause, int64_t s, int64_t e)
{
    struct feed *fd = ud;
    struct cw_report_camera *c = find_cam(fd, camera);
    if (c) {
        fd->spans++;
        cw_report_span(fd->r, c, state, cause, s, e);
    }
}

/* Local midnight of y-m-d in the process's TZ, as UTC microseconds. */
static int64_t local_midnight(int y, int m, int d)
{
    struct tm tm = {.tm_year = y - 1900, .tm_mon = m - 1, .tm_mday = d, .tm_isdst = -1};
    return (int64_t)mktime(&tm) * 1000000;
}

static int parse_date(const char *s, int *y, int *m, int *d)
{
    char tail;
    return sscanf(s, "%4d-%2d-%2d%c", y, m, d, &tail) == 3 && *m >= 1 && *m <= 12 && *d >= 1 && *d <= 31 ? 0 : -1;
}

/* Reads [from, to) of the database into r (initialised here; the caller
 * frees it), for the cameras fd->where lets through. 0 or a negative code;
 * fd->spans says whether the period holds any history. */
static int compute(struct feed *fd, int64_t from, int64_t to, int64_t data_end, const int64_t *days, int n_days,
                   const struct cw_report_rules *rules, struct cw_report *r)
{
    fd->matched = 0;
    fd->spans = 0;
    fd->rc = 0;
    fd->n_maint = 0;
    int rc = cw_report_init(r, from, to, data_end, days, n_days, rules);
    if (rc < 0)
        return rc;
    fd->r = r;
    if (cw_store_each_maintenance(fd->st, from, to, on_maint, fd) < 0 || cw_store_each_camera(fd->st, on_camera, fd) < 0 ||
        fd->rc < 0 || cw_store_each_span(fd->st, from, to, on_span, fd) < 0 ||
        cw_store_each_condition(fd->st, from, to, on_condition, fd) < 0 ||
        cw_store_event_counts(fd->st, from, to, on_event_count, fd) < 0 || cw_report_finish(r) < 0)
        return fd->rc < 0 ? fd->rc : CW_ESTORE;
    return 0;
}

/* The earlier periods for trends: each group's uptime in up to
 * CW_REPORT_HIST periods before (months before a --month, else periods of
 * the same length), newest first, until one holds no history. */
static int add_history(struct feed *fd, struct cw_report *r, int monthly, int y1, int m1, int d1, int n_days,
                       int64_t data_end, const struct cw_report_rules *rules, struct cw_report_view *view)
{
    double (*hist)[CW_REPORT_HIST] = calloc((size_t)r->n_groups + 1, sizeof *hist);
    if (!hist)
        return CW_ENOMEM;
    for (int i = 0; i < r->n_groups; i++)
        for (int k = 0; k < CW_REPORT_HIST; k++)
            hist[i][k] = -1;
    int n = 0, rc = 0;
    for (int k = 1; k <= CW_REPORT_HIST; k++) {
        int64_t from = monthly ? local_midnight(y1, m1 - k, 1) : local_midnight(y1, m1, d1 - k * n_days);
        int64_t to = monthly ? local_midnight(y1, m1 - k + 1, 1) : local_midnight(y1, m1, d1 - (k - 1) * n_days);
        int64_t edges[2] = {from, to};
        struct cw_report h;
        if ((rc = compute(fd, from, to, data_end, edges, 1, rules, &h)) < 0) {
            cw_report_free(&h);
            break;
        }
        long spans = fd->spans;
        for (int i = 0; spans && i < r->n_groups; i++)
            for (int j = 0; j < h.n_groups; j++)
                /* a baseline needs half of its period watched: 100 % over
                 * the last day of a month is no month */
                if (h.groups[j].level == r->groups[i].level && strcmp(h.groups[j].id, r->groups[i].id) == 0 &&
                    h.groups[j].cameras > 0 && h.groups[j].mean_coverage >= 50)
                    hist[i][k - 1] = h.groups[j].mean_uptime;
        cw_report_free(&h);
        if (!spans)
            break; /* nothing recorded then: older periods neither */
        struct tm tm;
        time_t t = (time_t)(from / 1000000);
        localtime_r(&t, &tm);
        snprintf(view->hist_label[k - 1], sizeof view->hist_label[0], monthly ? "%04d-%02d" : "%04d-%02d-%02d",
                 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
        n = k;
    }
    view->n_hist = n;
    for (int i = 0; rc == 0 && i < r->n_groups; i++)
        cw_report_group_trend(r, &r->groups[i], hist[i], n);
    free(hist);
    return rc;
}

static void usage(FILE *f)
{
    fprintf(f, "usage: camwatch report (--month YYYY-MM | --from YYYY-MM-DD --to YYYY-MM-DD)\n"
               "         [--province ID] [--district ID] [--commune ID] [--site ID]\n"
               "         [--format text|csv|json|html|pdf|odt] [--lang vi|en] [-o FILE]\n"
               "  pdf: the document a committee signs (A4; header and signature from the config's report:);\n"
               "  odt: its editable copy (LibreOffice, Word). Both want -o FILE or a redirect.\n"
               "  --commune also takes an id the commune absorbed in a merger (formerly:).\n"
               "  --to is inclusive. Times are in the config's time zone (default Asia/Ho_Chi_Minh).\n"
               "Exit status: 0 done; 1 the database cannot be read or holds no history for the period;\n"
               "2 a misuse (bad option, a place no camera is in).\n");
}

int cw_cli_report(int argc, char **argv, struct cw_cli *g)
{
    static const struct option longopts[] = {
        CW_CLI_COMMON_LONGOPTS,
        {"month", required_argument, NULL, 'm'},    {"from", required_argument, NULL, 'f'},
        {"to", required_argument, NULL, 't'},       {"province", required_argument, NULL, 'P'},
        {"district", required_argument, NULL, 'D'}, {"commune", required_argument, NULL, 'M'},
        {"site", required_argument, NULL, 'S'},     {"output", required_argument, NULL, 'o'},
        {"lang", required_argument, NULL, 'l'},     {"format", required_argument, NULL, 'F'},
        {NULL, 0, NULL, 0},
    };
    const char *month = NULL, *from = NULL, *to = NULL, *out = NULL;
    struct feed fd = {0};
    enum cw_report_format fmt = CW_FMT_TEXT;
    int lang_vi = 0, c;
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
        case 'P': fd.where.province = optarg; break;
        case 'D': fd.where.district = optarg; break;
        case 'M': fd.where.commune = optarg; break;
        case 'S': fd.where.site = optarg; break;
        case 'o': out = optarg; break;
        case 'l':
            if (strcmp(optarg, "vi") != 0 && strcmp(optarg, "en") != 0) {
                fprintf(stderr, "%s: unknown language '%s' (vi, en)\n", g->cmd, optarg);
                return CW_EXIT_USAGE;
            }
            lang_vi = strcmp(optarg, "vi") == 0;
            break;
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

    int y1, m1, d1 = 1, y2, m2, d2;
    char period[64];
    if (month) {
        char tail;
        if (sscanf(month, "%4d-%2d%c", &y1, &m1, &tail) != 2 || m1 < 1 || m1 > 12) {
            fprintf(stderr, "%s: --month wants YYYY-MM, got '%s'\n", g->cmd, month);
            return 2;
        }
        y2 = m1 == 12 ? y1 + 1 : y1;
        m2 = m1 == 12 ? 1 : m1 + 1;
        d2 = 1;
        snprintf(period, sizeof period, "%04d-%02d", y1, m1);
    } else {
        if (parse_date(from, &y1, &m1, &d1) < 0 || parse_date(to, &y2, &m2, &d2) < 0) {
            fprintf(stderr, "%s: --from/--to want YYYY-MM-DD\n", g->cmd);
            return 2;
        }
        d2++; /* inclusive: mktime normalises the 32nd */
        snprintf(period, sizeof period, "%s – %s", from, to);
    }
    int64_t t_from = local_midnight(y1, m1, d1), t_to = local_midnight(y2, m2, d2);
    if (t_to <= t_from) {
        fprintf(stderr, "%s: the period is empty (--to is before --from)\n", g->cmd);
        return 2;
    }
    /* Local-day boundaries for the daily chart. */
    int n_days = 0, cap = 64;
    int64_t *days = malloc(sizeof(int64_t) * (size_t)cap);
    for (int k = 0;; k++) {
        int64_t t = local_midnight(y1, m1, d1 + k);
        if (n_days + 1 >= cap)
            days = realloc(days, sizeof(int64_t) * (size_t)(cap *= 2));
        days[n_days] = t < t_to ? t : t_to;
        if (t >= t_to)
            break;
        n_days++;
    }

    int rc = cw_cli_open(g, 1, &fd.st, dbpath, sizeof dbpath, NULL);
    if (rc != 0) {
        free(days);
        return rc;
    }
    /* The history is known up to the daemon's last sign of life. */
    int64_t started, heartbeat, stopped, data_end = cw_wall_us();
    if (cw_store_last_run(fd.st, &started, &heartbeat, &stopped) == 0)
        data_end = stopped ? stopped : heartbeat;
    struct cw_report r;
    rc = compute(&fd, t_from, t_to, data_end, days, n_days, &rules, &r);
    free(days);
    if (rc < 0) {
        fprintf(stderr, "%s: reading %s failed: %s\n", g->cmd, dbpath, cw_store_errmsg(fd.st));
        cw_report_free(&r);
        cw_store_close(fd.st);
        free(fd.maint);
        return 1;
    }
    int matched = fd.matched;
    long spans = fd.spans;
    struct cw_report_view view = {&r, lang_vi, period, "", cw_wall_us(), 0, {{0}}, NULL};
    if (spans && add_history(&fd, &r, month != NULL, y1, m1, d1, n_days, data_end, &rules, &view) < 0) {
        fprintf(stderr, "%s: reading earlier periods from %s failed: %s\n", g->cmd, dbpath, cw_store_errmsg(fd.st));
        cw_report_free(&r);
        cw_store_close(fd.st);
        free(fd.maint);
        return 1;
    }
    fd.matched = matched;
    fd.spans = spans;
    cw_store_close(fd.st);
    free(fd.maint);
    if (fd.matched == 0 && cw_names_filter_set(&fd.where)) {
        fprintf(stderr, "%s: no camera in %s is in that province, district, commune or site\n", g->cmd, dbpath);
        cw_report_free(&r);
        return 2;
    }

    /* A period before the first record or after the last is not a month of
     * 0 % availability: it is no data, and must not read as a report. */
    if (fd.spans == 0) {
        fprintf(stderr, "%s: %s holds no history for %s%s%s: camwatchd recorded nothing then\n", g->cmd, dbpath,
                period, cw_names_filter_set(&fd.where) ? " for those cameras" : "", "");
        cw_report_free(&r);
        return CW_EXIT_FAIL;
    }

    char filter[200] = "";
    const struct cw_names_filter *w = &fd.where;
    if (cw_names_filter_set(w))
        snprintf(filter, sizeof filter, "%s%s%s%s%s%s%s%s", w->province ? "province " : "", w->province ? w->province : "",
                 w->district ? " district " : "", w->district ? w->district : "", w->commune ? " commune " : "",
                 w->commune ? w->commune : "", w->site ? " site " : "", w->site ? w->site : "");
    view.filter = filter;
    view.doc = &rules.doc;
    FILE *f = out ? fopen(out, "w") : stdout;
    if (!f) {
        perror(out);
        cw_report_free(&r);
        return 1;
    }
    rc = cw_report_render(f, fmt, &view);
    if (out)
        fclose(f);
    cw_report_free(&r);
    return rc < 0 ? 1 : 0;
}
