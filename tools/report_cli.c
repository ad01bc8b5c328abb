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
#include "report.h"

struct feed {
    struct cw_report *r;
    struct cw_store *st;
    struct cw_names_filter where; /* --province/--district/--commune/--site */
    int matched; /* cameras the filters let through */
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
    if (c)
        cw_report_span(fd->r, c, state, cause, s, e);
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

static void usage(FILE *f)
{
    fprintf(f, "usage: camwatch report (--month YYYY-MM | --from YYYY-MM-DD --to YYYY-MM-DD)\n"
               "         [--province ID] [--district ID] [--commune ID] [--site ID]\n"
               "  --commune also takes an id the commune absorbed in a merger (formerly:).\n"
               "         [--format text|csv|json|html] [--lang vi|en] [-o FILE]\n"
               "  --to is inclusive. Times are in the config's time zone (default Asia/Ho_Chi_Minh).\n");
}

int cw_cli_report(int argc, char **argv, const char *config, const char *db)
{
    const char *month = NULL, *from = NULL, *to = NULL, *out = NULL;
    struct feed fd = {0};
    enum cw_report_format fmt = CW_FMT_TEXT;
    int lang_vi = 0;
    struct cw_report_rules rules;
    char dbpath[4096];

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            usage(stdout);
            return 0;
        }
        if (!v) {
            fprintf(stderr, "camwatch report: %s needs a value\n", a);
            return 2;
        }
        i++;
        if (strcmp(a, "--month") == 0)
            month = v;
        else if (strcmp(a, "--from") == 0)
            from = v;
        else if (strcmp(a, "--to") == 0)
            to = v;
        else if (strcmp(a, "--province") == 0)
            fd.where.province = v;
        else if (strcmp(a, "--district") == 0)
            fd.where.district = v;
        else if (strcmp(a, "--commune") == 0)
            fd.where.commune = v;
        else if (strcmp(a, "--site") == 0)
            fd.where.site = v;
        else if (strcmp(a, "-o") == 0 || strcmp(a, "--output") == 0)
            out = v;
        else if (strcmp(a, "--lang") == 0 && (strcmp(v, "vi") == 0 || strcmp(v, "en") == 0))
            lang_vi = strcmp(v, "vi") == 0;
        else if (strcmp(a, "--format") == 0) {
            static const char *const names[] = {"text", "csv", "json", "html"};
            int k;
            for (k = 0; k < 4 && strcmp(v, names[k]) != 0; k++)
                ;
            if (k == 4) {
                fprintf(stderr, "camwatch report: unknown format '%s' (text, csv, json, html)\n", v);
                return 2;
            }
            fmt = (enum cw_report_format)k;
        } else {
            fprintf(stderr, "camwatch report: unknown option %s %s\n", a, v);
            usage(stderr);
            return 2;
        }
    }

    /* Rules, time zone and database from the config, unless --db. */
    if (cw_cli_resolve(config, db, dbpath, sizeof dbpath, &rules) < 0)
        return 2;

    int y1, m1, d1 = 1, y2, m2, d2;
    char period[64];
    if (month) {
        char tail;
        if (sscanf(month, "%4d-%2d%c", &y1, &m1, &tail) != 2 || m1 < 1 || m1 > 12) {
            fprintf(stderr, "camwatch report: --month wants YYYY-MM, got '%s'\n", month);
            return 2;
        }
        y2 = m1 == 12 ? y1 + 1 : y1;
        m2 = m1 == 12 ? 1 : m1 + 1;
        d2 = 1;
        snprintf(period, sizeof period, "%04d-%02d", y1, m1);
    } else if (from && to) {
        if (parse_date(from, &y1, &m1, &d1) < 0 || parse_date(to, &y2, &m2, &d2) < 0) {
            fprintf(stderr, "camwatch report: --from/--to want YYYY-MM-DD\n");
            return 2;
        }
        d2++; /* inclusive: mktime normalises the 32nd */
        snprintf(period, sizeof period, "%s – %s", from, to);
    } else {
        usage(stderr);
        return 2;
    }
    int64_t t_from = local_midnight(y1, m1, d1), t_to = local_midnight(y2, m2, d2);
    if (t_to <= t_from) {
        fprintf(stderr, "camwatch report: the period is empty\n");
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

    int rc = cw_store_open(dbpath, 1, &fd.st);
    if (rc < 0) {
        free(days);
        return 1;
    }
    /* The history is known up to the daemon's last sign of life. */
    int64_t started, heartbeat, stopped, data_end = cw_wall_us();
    if (cw_store_last_run(fd.st, &started, &heartbeat, &stopped) == 0)
        data_end = stopped ? stopped : heartbeat;
    struct cw_report r;
    rc = cw_report_init(&r, t_from, t_to, data_end, days, n_days, &rules);
    free(days);
    if (rc < 0) {
        cw_store_close(fd.st);
        return 1;
    }
    fd.r = &r;
    if (cw_store_each_maintenance(fd.st, t_from, t_to, on_maint, &fd) < 0 ||
        cw_store_each_camera(fd.st, on_camera, &fd) < 0 || fd.rc < 0 ||
        cw_store_each_span(fd.st, t_from, t_to, on_span, &fd) < 0 ||
        cw_store_each_condition(fd.st, t_from, t_to, on_condition, &fd) < 0 ||
        cw_store_event_counts(fd.st, t_from, t_to, on_event_count, &fd) < 0 || cw_report_finish(&r) < 0) {
        fprintf(stderr, "camwatch report: reading %s failed: %s\n", dbpath, cw_store_errmsg(fd.st));
        cw_report_free(&r);
        cw_store_close(fd.st);
        free(fd.maint);
        return 1;
    }
    cw_store_close(fd.st);
    free(fd.maint);
    if (fd.matched == 0 && cw_names_filter_set(&fd.where)) {
        fprintf(stderr, "camwatch report: no camera in %s is in that province, district, commune or site\n", dbpath);
        cw_report_free(&r);
        return 2;
    }

    char filter[200] = "";
    const struct cw_names_filter *w = &fd.where;
    if (cw_names_filter_set(w))
        snprintf(filter, sizeof filter, "%s%s%s%s%s%s%s%s", w->province ? "province " : "", w->province ? w->province : "",
                 w->district ? " district " : "", w->district ? w->district : "", w->commune ? " commune " : "",
                 w->commune ? w->commune : "", w->site ? " site " : "", w->site ? w->site : "");
    struct cw_report_view view = {&r, lang_vi, period, filter, cw_wall_us()};
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
