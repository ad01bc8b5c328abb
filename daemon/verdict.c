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
    char worst_camera[72];
    int64_t worst_down_us;
};

struct cw_verdict {
    uv_loop_t *loop;
    char *database;
    struct cw_report_rules rules;
    int64_t interval_us;
    void (*on_change)(void *ud, const struct cw_verdict_change *c);
    void *ud;
    uv_timer_t timer;
    uv_work_t work;
    int busy, stopping;
    int64_t last_us; /* the last judgement began */
    /* the work's result, read on the loop */
    struct judged *changed;
    int n_changed;
    char period[32];
};

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
        if (g->level > 2 || g->status == CW_STATUS_NA || g->mean_coverage < 50)
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
    if (v->busy || (v->last_us && now - v->last_us < v->interval_us))
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
