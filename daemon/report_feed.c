/* Reading a period of the store into a report (see report_feed.h):
 * shared by `camwatch report` and camwatchd's daily verdict. */
#include "report_feed.h"

#include "report_view.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "error.h"

/* One camera's spans, held until its last has come (see flush_spans). */
struct held_span {
    char *state, *cause;
    int64_t s, e;
};

/* Several periods read in one pass over the store: a month's report with
 * its 12 trend months read every camera's spans 12 times over (the
 * store's scans were most of a 3,000-camera province report). Every
 * period's report has the same cameras, in the same order. */
struct feed {
    struct cw_report **r; /* one per period */
    int n;
    struct cw_store *st;
    struct cw_names_filter where; /* which cameras */
    int matched; /* cameras the filters let through */
    long *spans; /* per period: of those cameras, spans in it */
    int rc;
    struct cw_maint *maint; /* the periods' maintenance windows */
    int n_maint;
    char held_cam[72];
    struct held_span *held;
    int n_held, cap_held;
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
    if (!cw_names_match(&m->names, m->formerly, &fd->where))
        return;
    fd->matched++;
    for (int k = 0; k < fd->n; k++) {
        struct cw_report *r = fd->r[k];
        int64_t since = 0, down = 0;
        int rank = 0;
        if (cw_store_outage_before(fd->st, m->id, r->from_us, &since, &down, &rank) < 0)
            fd->rc = CW_ESTORE;
        struct cw_report_camera *c = cw_report_add_camera(r, m->id, &m->names, since, down);
        if (!c) {
            fd->rc = CW_ENOMEM;
            return;
        }
        c->outage_rank = rank; /* the causes seen before the period count for the outage too */
        for (int i = 0; i < fd->n_maint; i++)
            if (fd->maint[i].to_us > r->from_us && fd->maint[i].from_us < r->to_us &&
                cw_maint_applies(&fd->maint[i], m->id, &m->names) &&
                cw_report_add_maintenance(c, fd->maint[i].from_us, fd->maint[i].to_us) < 0)
                fd->rc = CW_ENOMEM;
        const char *pl = m->plugins ? m->plugins : "";
        c->image_checked = strstr(pl, "imagehealth") != NULL;
        c->motion_checked = strstr(pl, "motion") != NULL || strstr(pl, "activity") != NULL;
    }
}

static int cmp_cam_id(const void *key, const void *elem)
{
    return strcmp(key, ((const struct cw_report_camera *)elem)->id);
}

/* A camera's index in every period's report, or -1. Cameras and spans
 * both come ordered by id, so the lookup could be a cursor; bsearch keeps
 * it correct whatever the collation. */
static int find_cam(struct feed *fd, const char *camera)
{
    struct cw_report *r = fd->r[0];
    if (r->n_cams == 0) /* bsearch's base may not be NULL, even for zero elements */
        return -1;
    struct cw_report_camera *c = bsearch(camera, r->cams, (size_t)r->n_cams, sizeof *c, cmp_cam_id);
    return c ? (int)(c - r->cams) : -1;
}

static void on_condition(void *ud, const char *camera, const char *condition, int64_t s, int64_t e)
{
    struct feed *fd = ud;
    int i = find_cam(fd, camera);
    for (int k = 0; i >= 0 && k < fd->n; k++) {
        struct cw_report *r = fd->r[k];
        if (s < r->to_us && (e < 0 || e > r->from_us))
            cw_report_condition(r, &r->cams[i], condition, s, e);
    }
}

/* Hands one camera's spans to each period: those from the span covering
 * the period's start (the last to start at or before it: spans tile a
 * camera's time) that begin before its end and end after its start, in
 * order. What cw_store_each_span gives for one period, for all at once. */
static void flush_spans(struct feed *fd)
{
    int i = fd->n_held ? find_cam(fd, fd->held_cam) : -1;
    for (int k = 0; i >= 0 && k < fd->n; k++) {
        struct cw_report *r = fd->r[k];
        int first = 0;
        for (int j = 0; j < fd->n_held; j++)
            if (fd->held[j].s <= r->from_us && fd->held[j].s > fd->held[first].s)
                first = j;
        while (first > 0 && fd->held[first - 1].s == fd->held[first].s)
            first--; /* every span starting at that moment, as the store gives them */
        if (fd->held[first].s > r->from_us)
            first = 0; /* none starts at or before it: all of them */
        for (int j = first; j < fd->n_held && fd->held[j].s < r->to_us; j++) {
            const struct held_span *h = &fd->held[j];
            if (h->e < 0 || h->e > r->from_us) {
                fd->spans[k]++;
                cw_report_span(r, &r->cams[i], h->state, h->cause, h->s, h->e);
            }
        }
    }
    for (int j = 0; j < fd->n_held; j++) {
        free(fd->held[j].state);
        free(fd->held[j].cause);
    }
    fd->n_held = 0;
}

static void on_span(void *ud, const char *camera, const char *state, const char *cause, int64_t s, int64_t e)
{
    struct feed *fd = ud;
    if (fd->n_held && strcmp(camera, fd->held_cam) != 0)
        flush_spans(fd);
    if (fd->n_held == fd->cap_held) {
        int cap = fd->cap_held ? fd->cap_held * 2 : 256;
        struct held_span *h = realloc(fd->held, sizeof *h * (size_t)cap);
        if (!h) {
            fd->rc = CW_ENOMEM;
            return;
        }
        fd->held = h;
        fd->cap_held = cap;
    }
    struct held_span *h = &fd->held[fd->n_held];
    h->state = strdup(state);
    h->cause = strdup(cause);
    if (!h->state || !h->cause) {
        free(h->state);
        free(h->cause);
        fd->rc = CW_ENOMEM;
        return;
    }
    h->s = s;
    h->e = e;
    if (fd->n_held++ == 0)
        snprintf(fd->held_cam, sizeof fd->held_cam, "%s", camera);
}

struct counts {
    struct feed *fd;
    struct cw_report *r;
};

static void on_event_count(void *ud, const char *camera, int64_t n)
{
    struct counts *x = ud;
    int i = find_cam(x->fd, camera);
    if (i >= 0)
        x->r->cams[i].motion_events = n;
}

int64_t cw_local_midnight(int y, int m, int d)
{
    struct tm tm = {.tm_year = y - 1900, .tm_mon = m - 1, .tm_mday = d, .tm_isdst = -1};
    return (int64_t)mktime(&tm) * 1000000;
}

/* Reads the n periods [from[k], to[k]) of the database into r[k] (each
 * initialised here; the caller frees them), for the cameras fd->where
 * lets through, in one pass over the spans. 0 or a negative code;
 * spans[k] says whether period k holds any history. The days apply to a
 * single period (n == 1); more periods get one "day" each. */
static int compute(struct feed *fd, int n, const int64_t *from, const int64_t *to, int64_t data_end,
                   const int64_t *days, int n_days, const struct cw_report_rules *rules, struct cw_report **r,
                   long *spans)
{
    int64_t lo = from[0], hi = to[0];
    int rc = 0, k;
    fd->r = r;
    fd->n = n;
    fd->spans = spans;
    fd->matched = 0;
    fd->rc = 0;
    fd->n_maint = 0;
    fd->n_held = 0;
    for (k = 0; k < n; k++) {
        int64_t edges[2] = {from[k], to[k]};
        spans[k] = 0;
        if ((rc = n == 1 ? cw_report_init(r[k], from[k], to[k], data_end, days, n_days, rules)
                         : cw_report_init(r[k], from[k], to[k], data_end, edges, 1, rules)) < 0) {
            for (int j = k + 1; j < n; j++)
                memset(r[j], 0, sizeof *r[j]); /* freeable */
            return rc;
        }
        lo = from[k] < lo ? from[k] : lo;
        hi = to[k] > hi ? to[k] : hi;
    }
    if (cw_store_each_maintenance(fd->st, lo, hi, on_maint, fd) < 0 || cw_store_each_camera(fd->st, on_camera, fd) < 0 ||
        fd->rc < 0 || cw_store_each_span(fd->st, lo, hi, on_span, fd) < 0 || (flush_spans(fd), fd->rc < 0) ||
        cw_store_each_condition(fd->st, lo, hi, on_condition, fd) < 0)
        return fd->rc < 0 ? fd->rc : CW_ESTORE;
    for (k = 0; k < n; k++) {
        struct counts x = {fd, r[k]};
        if (cw_store_event_counts(fd->st, from[k], to[k], on_event_count, &x) < 0 || cw_report_finish(r[k]) < 0)
            return CW_ESTORE;
    }
    return 0;
}

/* The earlier periods for trends: each group's uptime in up to
 * CW_REPORT_HIST periods before (months before a --month, else periods of
 * the same length), newest first, until one holds no history. */
static int add_history(struct feed *fd, struct cw_report *r, int monthly, int y1, int m1, int d1, int n_days,
                       int64_t data_end, const struct cw_report_rules *rules, char labels[][16], int *n_hist)
{
    double (*hist)[CW_REPORT_HIST] = calloc((size_t)r->n_groups + 1, sizeof *hist);
    struct cw_report *h = calloc(CW_REPORT_HIST, sizeof *h);
    struct cw_report *hp[CW_REPORT_HIST];
    int64_t from[CW_REPORT_HIST], to[CW_REPORT_HIST];
    long spans[CW_REPORT_HIST];
    if (!hist || !h) {
        free(hist);
        free(h);
        return CW_ENOMEM;
    }
    for (int i = 0; i < r->n_groups; i++)
        for (int k = 0; k < CW_REPORT_HIST; k++)
            hist[i][k] = -1;
    for (int k = 1; k <= CW_REPORT_HIST; k++) {
        from[k - 1] = monthly ? cw_local_midnight(y1, m1 - k, 1) : cw_local_midnight(y1, m1, d1 - k * n_days);
        to[k - 1] = monthly ? cw_local_midnight(y1, m1 - k + 1, 1) : cw_local_midnight(y1, m1, d1 - (k - 1) * n_days);
        hp[k - 1] = &h[k - 1];
    }
    int n = 0;
    int rc = compute(fd, CW_REPORT_HIST, from, to, data_end, NULL, 0, rules, hp, spans);
    for (int k = 1; rc == 0 && k <= CW_REPORT_HIST; k++) {
        struct cw_report *p = &h[k - 1];
        for (int i = 0; spans[k - 1] && i < r->n_groups; i++) {
            const struct cw_report_group *g = cw_report_find_group(p, r->groups[i].level, r->groups[i].id, r->groups[i].parent);
            /* a baseline needs half of its period watched: 100 % over the
             * last day of a month is no month */
            if (g && g->cameras > 0 && g->mean_monitored >= 50)
                hist[i][k - 1] = g->mean_uptime;
        }
        if (!spans[k - 1])
            break; /* nothing recorded then: older periods neither */
        struct tm tm;
        time_t t = (time_t)(from[k - 1] / 1000000);
        localtime_r(&t, &tm);
        snprintf(labels[k - 1], 16, monthly ? "%04d-%02d" : "%04d-%02d-%02d",
                 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
        n = k;
    }
    for (int k = 0; k < CW_REPORT_HIST; k++)
        cw_report_free(&h[k]);
    free(h);
    *n_hist = n;
    for (int i = 0; rc == 0 && i < r->n_groups; i++)
        cw_report_group_trend(r, &r->groups[i], hist[i], n);
    free(hist);
    return rc;
}

/* The province's copy: how far each commune's data has arrived. */
static void on_complete(void *ud, const char *commune, const char *instance, int64_t complete_until_us)
{
    struct feed *fd = ud;
    (void)instance;
    if (cw_report_set_complete(fd->r[0], commune, complete_until_us) < 0)
        fd->rc = CW_ENOMEM;
}

static void feed_free(struct feed *fd)
{
    for (int j = 0; j < fd->n_held; j++) { /* what an error left held */
        free(fd->held[j].state);
        free(fd->held[j].cause);
    }
    free(fd->held);
    free(fd->maint);
}

int cw_report_read(struct cw_store *st, const struct cw_report_query *q, int64_t from, int64_t to,
                   const int64_t *days, int n_days, struct cw_report *r, long *spans, int *matched)
{
    struct feed fd;
    long n_spans = 0;
    memset(&fd, 0, sizeof fd);
    fd.st = st;
    if (q->where)
        fd.where = *q->where;
    int rc = compute(&fd, 1, &from, &to, q->data_end_us, days, n_days, q->rules, &r, &n_spans);
    if (rc == 0 && cw_store_each_completeness(st, on_complete, &fd) < 0)
        rc = CW_ESTORE;
    if (rc == 0)
        rc = fd.rc;
    feed_free(&fd);
    if (spans)
        *spans = n_spans;
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
    feed_free(&fd);
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
