/* Reading a period of the store into a report (see report_feed.h):
 * shared by `camwatch report` and camwatchd's daily verdict. */
#include "report_feed.h"

#include "report_view.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "error.h"

struct feed {
    struct cw_report *r;
    struct cw_store *st;
    struct cw_names_filter where; /* which cameras */
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

int64_t cw_local_midnight(int y, int m, int d)
{
    struct tm tm = {.tm_year = y - 1900, .tm_mon = m - 1, .tm_mday = d, .tm_isdst = -1};
    return (int64_t)mktime(&tm) * 1000000;
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
                       int64_t data_end, const struct cw_report_rules *rules, char labels[][16], int *n_hist)
{
    double (*hist)[CW_REPORT_HIST] = calloc((size_t)r->n_groups + 1, sizeof *hist);
    if (!hist)
        return CW_ENOMEM;
    for (int i = 0; i < r->n_groups; i++)
        for (int k = 0; k < CW_REPORT_HIST; k++)
            hist[i][k] = -1;
    int n = 0, rc = 0;
    for (int k = 1; k <= CW_REPORT_HIST; k++) {
        int64_t from = monthly ? cw_local_midnight(y1, m1 - k, 1) : cw_local_midnight(y1, m1, d1 - k * n_days);
        int64_t to = monthly ? cw_local_midnight(y1, m1 - k + 1, 1) : cw_local_midnight(y1, m1, d1 - (k - 1) * n_days);
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
                    h.groups[j].cameras > 0 && h.groups[j].mean_monitored >= 50)
                    hist[i][k - 1] = h.groups[j].mean_uptime;
        cw_report_free(&h);
        if (!spans)
            break; /* nothing recorded then: older periods neither */
        struct tm tm;
        time_t t = (time_t)(from / 1000000);
        localtime_r(&t, &tm);
        snprintf(labels[k - 1], 16, monthly ? "%04d-%02d" : "%04d-%02d-%02d",
                 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
        n = k;
    }
    *n_hist = n;
    for (int i = 0; rc == 0 && i < r->n_groups; i++)
        cw_report_group_trend(r, &r->groups[i], hist[i], n);
    free(hist);
    return rc;
}


int cw_report_read(struct cw_store *st, const struct cw_report_query *q, int64_t from, int64_t to,
                   const int64_t *days, int n_days, struct cw_report *r, long *spans, int *matched)
{
    struct feed fd;
    memset(&fd, 0, sizeof fd);
    fd.st = st;
    if (q->where)
        fd.where = *q->where;
    int rc = compute(&fd, from, to, q->data_end_us, days, n_days, q->rules, r);
    free(fd.maint);
    if (spans)
        *spans = fd.spans;
    if (matched)
        *matched = fd.matched;
    return rc;
}

int cw_report_read_history(struct cw_store *st, const struct cw_report_query *q, struct cw_report *r, int monthly, int y,
                           int m, int d, int n_days, char labels[][16], int *n_hist)
{
    struct feed fd;
    memset(&fd, 0, sizeof fd);
    fd.st = st;
    if (q->where)
        fd.where = *q->where;
    int rc = add_history(&fd, r, monthly, y, m, d, n_days, q->data_end_us, q->rules, labels, n_hist);
    free(fd.maint);
    return rc;
}

static int parse_date(const char *s, int *y, int *m, int *d)
{
    char tail;
    return sscanf(s, "%4d-%2d-%2d%c", y, m, d, &tail) == 3 && *m >= 1 && *m <= 12 && *d >= 1 && *d <= 31 ? 0 : -1;
}

int cw_report_period_parse(const char *month, const char *from, const char *to, struct cw_report_period *p,
                           char *err, size_t errlen)
{
    int y2, m2, d2;
    memset(p, 0, sizeof *p);
    if (month) {
        char tail;
        if (sscanf(month, "%4d-%2d%c", &p->y, &p->m, &tail) != 2 || p->m < 1 || p->m > 12) {
            snprintf(err, errlen, "a month is YYYY-MM, not '%s'", month);
            return CW_EINVAL;
        }
        p->monthly = 1;
        p->d = 1;
        y2 = p->m == 12 ? p->y + 1 : p->y;
        m2 = p->m == 12 ? 1 : p->m + 1;
        d2 = 1;
        snprintf(p->label, sizeof p->label, "%04d-%02d", p->y, p->m);
    } else {
        if (!from || !to || parse_date(from, &p->y, &p->m, &p->d) < 0 || parse_date(to, &y2, &m2, &d2) < 0) {
            snprintf(err, errlen, "days are YYYY-MM-DD");
            return CW_EINVAL;
        }
        d2++; /* inclusive: mktime normalises the 32nd */
        snprintf(p->label, sizeof p->label, "%s – %s", from, to);
    }
    p->from_us = cw_local_midnight(p->y, p->m, p->d);
    p->to_us = cw_local_midnight(y2, m2, d2);
    if (p->to_us <= p->from_us) {
        snprintf(err, errlen, "the period is empty (its end is before its start)");
        return CW_EINVAL;
    }
    /* local-day boundaries for the daily chart */
    int cap = 64;
    p->days = malloc(sizeof(int64_t) * (size_t)cap);
    for (int k = 0; p->days; k++) {
        int64_t t = cw_local_midnight(p->y, p->m, p->d + k);
        if (p->n_days + 1 >= cap) {
            int64_t *nd = realloc(p->days, sizeof(int64_t) * (size_t)(cap *= 2));
            if (!nd)
                break;
            p->days = nd;
        }
        p->days[p->n_days] = t < p->to_us ? t : p->to_us;
        if (t >= p->to_us)
            return 0;
        p->n_days++;
    }
    free(p->days);
    p->days = NULL;
    snprintf(err, errlen, "out of memory");
    return CW_ENOMEM;
}

void cw_report_period_free(struct cw_report_period *p)
{
    free(p->days);
    p->days = NULL;
}

int cw_report_load(struct cw_store *st, const struct cw_report_query *q, const struct cw_report_period *p,
                   struct cw_report *r, struct cw_report_view *v, long *spans, int *matched)
{
    int rc = cw_report_read(st, q, p->from_us, p->to_us, p->days, p->n_days, r, spans, matched);
    v->r = r;
    v->title_period = p->label;
    v->n_hist = 0;
    if (rc == 0 && *spans)
        rc = cw_report_read_history(st, q, r, p->monthly, p->y, p->m, p->d, p->n_days, v->hist_label, &v->n_hist);
    return rc;
}
