/* The network's verdict (see verdict.h). */
#include "verdict.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "error.h"
#include "log.h"
#include "report_feed.h"
#include "store.h"

struct judged {
    int level;
    char id[72], name[CW_NAME_MAX_BYTES + 1];
    enum cw_report_status was, now;
    double uptime, change;
    int change_known, cameras, at_target;
    enum cw_report_trend trend;
    double trend_drop;
    char worst_camera[CW_CAMERA_LABEL_MAX];
    int64_t worst_down_us;
};

struct cw_verdict {
    uv_loop_t *loop;
    char *database;
    struct cw_report_rules rules;
    int64_t interval_us;
    void (*on_change)(void *ud, const struct cw_verdict_change *c);
    void (*on_digest)(void *ud, const struct cw_month_digest *m);
    void *ud;
    int digest_hour;      /* from this local hour on the 1st */
    char digest_month[24]; /* "YYYY-MM" whose previous month is told (or had nothing to tell) */
    struct cw_month_digest digest;
    int have_digest;
    uv_timer_t timer;
    uv_work_t work;
    int busy, stopping;
    int64_t last_us; /* the last judgement began */
    /* the work's result, read on the loop */
    struct judged *changed;
    int n_changed;
    char period[32];
};

#define DIGEST_LEVEL 9

/* The month before y-m, read whole with the report's rules and trends,
 * into v->digest; once per month (the verdicts table remembers). */
static void month_digest(struct cw_verdict *v, struct cw_store *st, int y, int m, int64_t now)
{
    int py = m == 1 ? y - 1 : y, pm = m == 1 ? 12 : m - 1;
    char told[24] = "", key[24];
    int64_t at;
    snprintf(key, sizeof key, "%04d-%02d", py, pm);
    if (cw_store_verdict_get(st, DIGEST_LEVEL, "monthly_digest", told, sizeof told, &at) > 0 && !strcmp(told, key))
        goto done;
    int64_t from = cw_local_midnight(py, pm, 1), to = cw_local_midnight(y, m, 1), edges[2] = {from, to};
    struct cw_report_query q = {NULL, &v->rules, now};
    struct cw_report r;
    long spans = 0;
    char labels[CW_REPORT_HIST][16];
    int n_hist = 0;
    int rc = cw_report_read(st, &q, from, to, edges, 1, &r, &spans, NULL);
    if (rc == 0 && spans)
        rc = cw_report_read_history(st, &q, &r, 1, py, pm, 1, 1, labels, &n_hist);
    if (rc < 0) {
        cw_warn("verdict", NULL, "reading %s for the monthly digest failed: %s", key, cw_store_errmsg(st));
        cw_report_free(&r);
        goto done; /* tried again at the next judgement (verdict_interval) */
    }
    struct cw_month_digest *d = &v->digest;
    memset(d, 0, sizeof *d);
    d->year = py;
    d->month = pm;
    for (int i = 0; spans && i < r.n_groups; i++) {
        const struct cw_report_group *g = &r.groups[i];
        if (g->level == 3) {
            d->cameras = g->cameras;
            d->at_target = g->at_target;
            d->uptime = g->mean_uptime;
            d->monitored = g->mean_monitored;
            d->change = cw_report_group_change(g, &d->change_known);
        } else if (g->level == 1) {
            d->communes[g->status == CW_STATUS_OK ? 0 : g->status == CW_STATUS_DEGRADED ? 1
                        : g->status == CW_STATUS_DETERIORATED ? 2 : 3]++;
            if (g->status == CW_STATUS_DETERIORATED && d->n_deteriorated < CW_DIGEST_NAMES)
                snprintf(d->deteriorated[d->n_deteriorated++], sizeof d->deteriorated[0], "%s", g->name);
        }
    }
    for (int i = 0; spans && i < r.n_cams; i++) {
        const struct cw_report_camera *c = &r.cams[i];
        if (c->has_data && c->monitored_us > 0 && c->online_us == 0) {
            if (d->n_down_all < CW_DIGEST_NAMES)
                snprintf(d->down_all[d->n_down_all], sizeof d->down_all[0], "%s", c->id);
            d->n_down_all++;
        }
    }
    v->have_digest = spans > 0 && d->cameras > 0;
    cw_report_free(&r);
    if (!v->have_digest)
        cw_info("verdict", NULL, "no monthly digest for %s: camwatch holds no history of it", key);
    if (cw_store_verdict_set(st, DIGEST_LEVEL, "monthly_digest", key, now) < 0)
        cw_warn("verdict", NULL, "could not record the monthly digest of %s: %s", key, cw_store_errmsg(st));
done:
    snprintf(v->digest_month, sizeof v->digest_month, "%04d-%02d", y, m);
}

static void judge(uv_work_t *w)
{
    struct cw_verdict *v = w->data;
    struct cw_store *st;
    char err[256];
    v->n_changed = 0;
    if (cw_store_open_msg(v->database, 0, &st, err, sizeof err) < 0) {
        cw_warn("verdict", NULL, "cannot open the database: %s; the next try in %lld s", err,
                (long long)(v->interval_us / 1000000));
        return;
    }
    cw_store_set_quiet(st, 1);
    int64_t now = cw_wall_us();
    time_t t = (time_t)(now / 1000000);
    struct tm tm;
    localtime_r(&t, &tm);
    int y = tm.tm_year + 1900, m = tm.tm_mon + 1;
    snprintf(v->period, sizeof v->period, "%04d-%02d", y, m);
    int64_t from = cw_local_midnight(y, m, 1), edges[2] = {from, now};
    struct cw_report_query q = {NULL, &v->rules, now};
    struct cw_report r;
    long spans = 0;
    char labels[CW_REPORT_HIST][16];
    int n_hist = 0;
    if (v->on_digest && tm.tm_hour >= v->digest_hour)
        month_digest(v, st, y, m, now);
    int rc = cw_report_read(st, &q, from, now, edges, 1, &r, &spans, NULL);
    if (rc == 0 && spans)
        rc = cw_report_read_history(st, &q, &r, 1, y, m, 1, 1, labels, &n_hist);
    if (rc < 0 || !spans) {
        if (rc < 0)
            cw_warn("verdict", NULL, "reading the month failed: %s", cw_store_errmsg(st));
        cw_report_free(&r);
        cw_store_close(st);
        return;
    }
    free(v->changed);
    v->changed = calloc((size_t)r.n_groups + 1, sizeof *v->changed);
    for (int i = 0; v->changed && i < r.n_groups; i++) {
        const struct cw_report_group *g = &r.groups[i];
        /* a month camwatch watched less than half of so far is no
         * verdict (a new install, cameras added late, the 1st at 06:00) */
        if (g->level > 2 || g->status == CW_STATUS_NA || g->mean_monitored < 50)
            continue;
        const char *status = cw_report_status_name(g->status);
        char was[24] = "";
        int64_t at;
        int known = cw_store_verdict_get(st, g->level, g->id, was, sizeof was, &at);
        if (known > 0 && strcmp(was, status) == 0)
            continue;
        /* first judgement of a group: only a bad status is news */
        if (known == 0 && g->status == CW_STATUS_OK)
            goto remember;
        struct judged *j = &v->changed[v->n_changed++];
        j->level = g->level;
        snprintf(j->id, sizeof j->id, "%s", g->id);
        snprintf(j->name, sizeof j->name, "%s", g->name);
        j->was = known > 0 ? (!strcmp(was, "OK") ? CW_STATUS_OK : !strcmp(was, "DEGRADED") ? CW_STATUS_DEGRADED
                              : !strcmp(was, "DETERIORATED") ? CW_STATUS_DETERIORATED : CW_STATUS_NA)
                           : CW_STATUS_NA;
        j->now = g->status;
        j->uptime = g->mean_uptime;
        j->change = cw_report_group_change(g, &j->change_known);
        j->cameras = g->cameras;
        j->at_target = g->at_target;
        j->trend = g->trend;
        j->trend_drop = g->trend_drop;
        snprintf(j->worst_camera, sizeof j->worst_camera, "%s", g->worst_camera);
        j->worst_down_us = g->worst_down_us;
    remember:
        if (cw_store_verdict_set(st, g->level, g->id, status, now) < 0)
            cw_warn("verdict", NULL, "could not record %s's status: %s", g->id, cw_store_errmsg(st));
    }
    cw_report_free(&r);
    cw_store_close(st);
}

static void judged(uv_work_t *w, int status)
{
    struct cw_verdict *v = w->data;
    (void)status;
    v->busy = 0;
    for (int i = 0; !v->stopping && i < v->n_changed; i++) {
        const struct judged *j = &v->changed[i];
        struct cw_verdict_change c = {j->level, j->id, j->name, j->was, j->now, j->uptime, j->change,
                                      j->change_known, j->cameras, j->at_target, j->trend, j->trend_drop,
                                      j->worst_camera, j->worst_down_us, v->period};
        v->on_change(v->ud, &c);
    }
    v->n_changed = 0;
    if (v->have_digest && !v->stopping)
        v->on_digest(v->ud, &v->digest);
    v->have_digest = 0;
    if (v->stopping) {
        free(v->changed);
        free(v->database);
        free(v);
    }
}

static void on_timer(uv_timer_t *t)
{
    struct cw_verdict *v = t->data;
    int64_t now = cw_mono_us();
    if (v->busy)
        return;
    int due = !v->last_us || now - v->last_us >= v->interval_us;
    if (!due && v->on_digest) {
        /* a new month (from 07:00): its digest need not wait a day */
        time_t secs = (time_t)(cw_wall_us() / 1000000);
        struct tm tm;
        char cur[24];
        localtime_r(&secs, &tm);
        snprintf(cur, sizeof cur, "%04d-%02d", tm.tm_year + 1900, tm.tm_mon + 1);
        due = tm.tm_hour >= v->digest_hour && strcmp(cur, v->digest_month) != 0;
    }
    if (!due)
        return;
    v->last_us = now;
    v->busy = 1;
    v->work.data = v;
    if (uv_queue_work(v->loop, &v->work, judge, judged) != 0)
        v->busy = 0;
}

int cw_verdict_start(const struct cw_verdict_params *p, struct cw_verdict **out)
{
    *out = NULL;
    if (p->interval_us <= 0)
        return 0;
    struct cw_verdict *v = calloc(1, sizeof *v);
    if (!v || !(v->database = strdup(p->database))) {
        free(v);
        return CW_ENOMEM;
    }
    v->loop = p->loop;
    v->rules = *p->rules;
    v->interval_us = p->interval_us;
    v->on_change = p->on_change;
    v->on_digest = p->on_digest;
    v->digest_hour = p->digest_hour;
    v->ud = p->ud;
    uv_timer_init(p->loop, &v->timer);
    v->timer.data = v;
    /* the first judgement a few seconds after the start, then checked
     * every second against the interval */
    uv_timer_start(&v->timer, on_timer, 3000, 1000);
    *out = v;
    return 0;
}

static void on_closed(uv_handle_t *h)
{
    struct cw_verdict *v = h->data;
    if (v->busy)
        return; /* judged() frees it */
    free(v->changed);
    free(v->database);
    free(v);
}

void cw_verdict_stop(struct cw_verdict *v)
{
    if (!v)
        return;
    v->stopping = 1;
    uv_timer_stop(&v->timer);
    uv_close((uv_handle_t *)&v->timer, on_closed);
}
