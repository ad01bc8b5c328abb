/* Digests of a camera's month (see digest.h). */
#include "digest.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "error.h"
#include "report.h"
#include "report_feed.h"

void cw_digest_month_of(int64_t us, char month[8])
{
    time_t t = (time_t)(us / 1000000);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(month, 8, "%Y-%m", &tm);
}

int cw_digest_month_bounds(const char *month, int64_t *from_us, int64_t *to_us)
{
    int y, m;
    char tail;
    if (!month || sscanf(month, "%4d-%2d%c", &y, &m, &tail) != 2 || m < 1 || m > 12 || y < 1970)
        return -1;
    struct tm a = {.tm_year = y - 1900, .tm_mon = m - 1, .tm_mday = 1};
    struct tm b = {.tm_year = (m == 12 ? y + 1 : y) - 1900, .tm_mon = m % 12, .tm_mday = 1};
    *from_us = (int64_t)timegm(&a) * 1000000;
    *to_us = (int64_t)timegm(&b) * 1000000;
    return 0;
}

/* What both sides count: the report's own per-camera figures, raw
 * (microseconds and a count), so that equal histories give equal text. */
static char *figures(const struct cw_report_camera *c)
{
    json_t *down = json_object();
    for (int i = 0; i < CW_CAUSE__COUNT; i++)
        if (c->offline_us[i])
            json_object_set_new(down, cw_cause_name((enum cw_cause)i), json_integer(c->offline_us[i]));
    json_t *o = json_pack("{s:I, s:o, s:I, s:I, s:I, s:i}", "online_us", (json_int_t)c->online_us, "offline_us", down,
                          "stalled_us", (json_int_t)c->stalled_us, "unmonitored_us", (json_int_t)c->unmonitored_us,
                          "maintenance_us", (json_int_t)c->maint_us, "outages", c->outages);
    char *s = o ? json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    json_decref(o);
    return s;
}

int cw_digest_read(struct cw_store *st, const char *month, int64_t upto_us, const struct cw_names_filter *where,
                   void (*cb)(void *ud, const char *camera, const char *figures), void *ud)
{
    int64_t from, to;
    if (cw_digest_month_bounds(month, &from, &to) < 0)
        return CW_EINVAL;
    if (upto_us <= from)
        return 0; /* nothing of that month is known yet */
    /* the rules shape statuses, not these figures */
    struct cw_report_rules rules;
    memset(&rules, 0, sizeof rules);
    rules.uptime_target = 90;
    struct cw_report_query q = {.where = where, .rules = &rules, .data_end_us = upto_us < to ? upto_us : to};
    int64_t edges[2] = {from, to};
    struct cw_report r;
    long spans = 0;
    int rc = cw_report_read(st, &q, from, to, edges, 1, &r, &spans, NULL);
    for (int i = 0; rc == 0 && i < r.n_cams; i++) {
        if (!r.cams[i].has_data)
            continue;
        char *f = figures(&r.cams[i]);
        if (!f) {
            rc = CW_ENOMEM;
            break;
        }
        cb(ud, r.cams[i].id, f);
        free(f);
    }
    cw_report_free(&r);
    return rc;
}

struct put {
    struct cw_store *st;
    const char *month;
    int64_t upto_us;
    int written, rc;
};

static void on_figures(void *ud, const char *camera, const char *f)
{
    struct put *p = ud;
    int rc = cw_store_digest_put(p->st, camera, p->month, p->upto_us, f);
    if (rc < 0)
        p->rc = rc;
    else
        p->written += rc;
}

int cw_digest_update(struct cw_store *st, int64_t now_us, int64_t upto_us, int all, int *written)
{
    char month[8];
    int64_t from, to, first = all ? cw_store_first_span_us(st) : 0;
    cw_digest_month_of(now_us, month);
    cw_digest_month_bounds(month, &from, &to);
    *written = 0;
    /* newest first: this month, the one before (its last hours may have
     * come late), and with all every month back to the oldest span's */
    for (int k = 0; k < 2 || (all && first > 0 && to > first); k++) {
        struct put p = {st, month, upto_us, 0, 0};
        int rc = cw_digest_read(st, month, upto_us, NULL, on_figures, &p);
        *written += p.written;
        if (rc < 0 || p.rc < 0)
            return rc < 0 ? rc : p.rc;
        cw_digest_month_of(from - 1, month);
        cw_digest_month_bounds(month, &from, &to);
        if (k > 240)
            break; /* twenty years: a clock in 1970 is no history */
    }
    return 0;
}
