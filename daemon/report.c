/* Uptime report computation (see report.h for the definitions). */
#include "report.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"

int cw_report_init(struct cw_report *r, int64_t from_us, int64_t to_us, int64_t data_end_us,
                   const int64_t *day_starts, int n_days, const struct cw_report_rules *rules)
{
    memset(r, 0, sizeof *r);
    if (to_us <= from_us || n_days < 1)
        return CW_EINVAL;
    r->from_us = from_us;
    r->to_us = to_us;
    r->data_end_us = data_end_us < to_us ? data_end_us : to_us;
    r->rules = *rules;
    r->n_days = n_days;
    r->day_start_us = malloc(sizeof(int64_t) * (size_t)(n_days + 1));
    if (!r->day_start_us)
        return CW_ENOMEM;
    memcpy(r->day_start_us, day_starts, sizeof(int64_t) * (size_t)(n_days + 1));
    return 0;
}

struct cw_report_camera *cw_report_add_camera(struct cw_report *r, const char *id, const struct cw_names *names,
                                              int64_t outage_since_us, int64_t down_before_us)
{
    if (r->n_cams % 64 == 0) {
        struct cw_report_camera *c = realloc(r->cams, sizeof *c * (size_t)(r->n_cams + 64));
        if (!c)
            return NULL;
        r->cams = c;
    }
    struct cw_report_camera *c = &r->cams[r->n_cams];
    memset(c, 0, sizeof *c);
    c->day_online_us = calloc((size_t)r->n_days, sizeof(int64_t));
    c->day_monitored_us = calloc((size_t)r->n_days, sizeof(int64_t));
    c->day_maint_us = calloc((size_t)r->n_days, sizeof(int64_t));
    if (!c->day_online_us || !c->day_monitored_us || !c->day_maint_us) {
        free(c->day_online_us);
        free(c->day_monitored_us);
        free(c->day_maint_us);
        return NULL;
    }
    c->maint_excluded = r->rules.exclude_maintenance;
    r->n_cams++;
    snprintf(c->id, sizeof c->id, "%s", id);
    c->names = *names;
    if (outage_since_us != 0) { /* 0: not in an outage at the period start */
        c->in_outage = 1;
        c->outage_down_us = down_before_us;
    }
    return c;
}

/* Adds [s, e) to the per-day arrays (the span is within the period). */
static void add_days(const struct cw_report *r, int64_t *days, int64_t s, int64_t e)
{
    int lo = 0, hi = r->n_days - 1;
    while (lo < hi) { /* last day starting at or before s */
        int mid = (lo + hi + 1) / 2;
        if (r->day_start_us[mid] <= s)
            lo = mid;
        else
            hi = mid - 1;
    }
    for (int d = lo; d < r->n_days && r->day_start_us[d] < e; d++) {
        int64_t a = s > r->day_start_us[d] ? s : r->day_start_us[d];
        int64_t b = e < r->day_start_us[d + 1] ? e : r->day_start_us[d + 1];
        if (b > a)
            days[d] += b - a;
    }
}

/* Gives the current outage's down time in the period to its one cause. */
static void attribute_outage(struct cw_report_camera *c)
{
    enum cw_cause cause = cw_outage_rank_cause(c->outage_rank);
    if (cause == CW_CAUSE_NONE)
        c->stalled_us += c->outage_unattributed_us;
    else
        c->offline_us[cause] += c->outage_unattributed_us;
    c->outage_unattributed_us = 0;
}

static enum cw_cause cause_of(const char *s)
{
    for (int i = 1; i < CW_CAUSE__COUNT; i++)
        if (strcmp(s, cw_cause_name((enum cw_cause)i)) == 0)
            return (enum cw_cause)i;
    return CW_CAUSE_STREAM_ERROR; /* an unknown cause is still downtime */
}

int cw_report_add_maintenance(struct cw_report_camera *c, int64_t from_us, int64_t to_us)
{
    return cw_maint_set_add(&c->maint, from_us, to_us);
}

/* snprintf(dst, n, "%s", src) without the format parsing: once per span
 * piece, it was a tenth of a province report's time. */
static void copy_word(char *dst, size_t n, const char *src)
{
    size_t k = strlen(src);
    if (k >= n)
        k = n - 1;
    memcpy(dst, src, k);
    dst[k] = '\0';
}

static void span_piece(struct cw_report *r, struct cw_report_camera *c, const char *state, const char *cause,
                       int64_t s, int64_t e);

void cw_report_span(struct cw_report *r, struct cw_report_camera *c, const char *state, const char *cause,
                    int64_t start_us, int64_t end_us)
{
    int64_t s = start_us < r->from_us ? r->from_us : start_us;
    int64_t e = end_us < 0 || end_us > r->data_end_us ? r->data_end_us : end_us;
    int down = strcmp(state, "offline") == 0 || strcmp(state, "stalled") == 0;
    if (!down || c->maint.n == 0 || e <= s || cw_maint_set_overlap(&c->maint, s, e) == 0) {
        span_piece(r, c, state, cause, start_us, end_us);
        return;
    }
    /* Down time inside a maintenance window is maintenance, not outage:
     * cut the span at the windows' edges. */
    int64_t at = s;
    for (int i = 0; i < c->maint.n && at < e; i++) {
        int64_t ws = c->maint.from[i], we = c->maint.to[i];
        if (we <= at || ws >= e)
            continue;
        if (ws > at) {
            span_piece(r, c, state, cause, at, ws);
            at = ws;
        }
        int64_t b = we < e ? we : e;
        span_piece(r, c, "maintenance", cause, at, b);
        at = b;
    }
    if (at < e)
        span_piece(r, c, state, cause, at, e);
}

static void span_piece(struct cw_report *r, struct cw_report_camera *c, const char *state, const char *cause,
                       int64_t start_us, int64_t end_us)
{
    int64_t s = start_us, e = end_us < 0 ? r->data_end_us : end_us;
    if (s < r->from_us)
        s = r->from_us;
    if (e > r->data_end_us)
        e = r->data_end_us;
    if (e <= s)
        return;
    int64_t d = e - s;
    int online = strcmp(state, "online") == 0;
    int down = strcmp(state, "offline") == 0 || strcmp(state, "stalled") == 0;
    int unmon = strcmp(state, "unmonitored") == 0;

    c->has_data = 1;
    c->watched_us += d;
    copy_word(c->state, sizeof c->state, state);
    copy_word(c->cause, sizeof c->cause, cause);
    if (unmon) {
        c->unmonitored_us += d;
        return; /* neither ends nor lengthens an outage */
    }
    if (!r->data_last_us || s < r->data_first_us)
        r->data_first_us = s;
    if (e > r->data_last_us)
        r->data_last_us = e;
    if (strcmp(state, "maintenance") == 0) {
        c->monitored_us += d;
        add_days(r, c->day_monitored_us, s, e);
        c->maint_us += d;
        add_days(r, c->day_maint_us, s, e);
        snprintf(c->state, sizeof c->state, "%s", "offline"); /* still down, under repair */
        return;
    }
    if (strcmp(state, "starting") == 0) {
        /* Until its first connection result the camera is neither up nor
         * down: not monitored time, and no effect on an outage. */
        c->starting_us += d;
        return;
    }
    c->monitored_us += d;
    add_days(r, c->day_monitored_us, s, e);
    if (online) {
        c->online_us += d;
        add_days(r, c->day_online_us, s, e);
        if (c->in_outage) {
            attribute_outage(c);
            if (c->outage_counted) {
                c->repaired++;
                c->repair_sum_us += c->outage_down_us;
            }
            if (c->outage_down_us > c->longest_us)
                c->longest_us = c->outage_down_us;
            c->in_outage = 0;
        }
        c->last_online_us = e;
        return;
    }
    if (down) {
        if (!c->in_outage) {
            c->in_outage = 1;
            c->outage_down_us = 0;
            c->outage_counted = 0;
            c->outage_rank = 0;
        }
        int rank = cw_outage_rank(state, cause);
        if (rank > c->outage_rank)
            c->outage_rank = rank;
        c->outage_unattributed_us += d;
        if (!c->outage_counted) {
            c->outage_counted = 1;
            c->outages++;
        }
        c->outage_down_us += d;
        c->current_cause = strcmp(state, "stalled") == 0 ? CW_CAUSE_NONE : cause_of(cause);
        return;
    }
    /* an unknown state: monitored, not online, not an outage */
}

void cw_report_condition(struct cw_report *r, struct cw_report_camera *c, const char *condition, int64_t start_us,
                         int64_t end_us)
{
    int64_t s = start_us > r->from_us ? start_us : r->from_us;
    int64_t e = end_us < 0 ? r->data_end_us : end_us < r->data_end_us ? end_us : r->data_end_us;
    if (s < c->bad_cursor_us)
        s = c->bad_cursor_us; /* conditions may overlap: count the time once */
    if (e > s) {
        c->bad_image_us += e - s;
        c->bad_cursor_us = e;
    }
    if (end_us < 0 && r->data_end_us - start_us > c->current_bad_us) {
        c->current_bad_us = r->data_end_us - start_us;
        snprintf(c->current_bad, sizeof c->current_bad, "%s", condition);
    }
}

double cw_report_uptime(const struct cw_report_camera *c)
{
    int64_t den = c->monitored_us - (c->maint_excluded ? c->maint_us : 0);
    return den > 0 ? 100.0 * (double)c->online_us / (double)den : -1;
}

double cw_report_monitored(const struct cw_report *r, const struct cw_report_camera *c)
{
    return c->has_data && r->to_us > r->from_us ? 100.0 * (double)c->monitored_us / (double)(r->to_us - r->from_us)
                                                : -1;
}

int cw_report_data_gaps(const struct cw_report *r, int64_t now_us)
{
    const int64_t slack = 60000000; /* a minute: a heartbeat, a clean stop */
    int64_t end = now_us < r->to_us ? now_us : r->to_us;
    int gaps = now_us < r->to_us ? CW_DATA_OPEN : 0;
    if (r->data_last_us < end - slack)
        gaps |= CW_DATA_ENDS_EARLY;
    if (!r->data_last_us || r->data_first_us > r->from_us + slack)
        gaps |= CW_DATA_LATE;
    return gaps;
}

int64_t cw_report_mttr_us(const struct cw_report_camera *c)
{
    return c->repaired > 0 ? c->repair_sum_us / c->repaired : -1;
}

int64_t cw_report_offline_total_us(const struct cw_report_camera *c)
{
    int64_t t = c->stalled_us;
    for (int i = 0; i < CW_CAUSE__COUNT; i++)
        t += c->offline_us[i];
    return t;
}

const char *cw_report_status_name(enum cw_report_status s)
{
    static const char *const n[] = {"N/A", "OK", "DEGRADED", "DETERIORATED"};
    return n[s];
}

static int64_t worst_down(const struct cw_report_camera *c)
{
    return c->current_down_us > c->longest_us ? c->current_down_us : c->longest_us;
}

/* Finds or adds the group (level, id); returns its index or -1. An index,
 * not a pointer: adding a group may move the array. */
static int group(struct cw_report *r, int level, const char *id, const char *name, const char *parent,
                 const char *parent_id)
{
    /* a group is its id under its parent: in a province two communes may
     * both have a site "truong-hoc", and they are two sites */
    for (int i = r->n_groups - 1; i >= 0; i--) /* recent first: cameras come grouped */
        if (r->groups[i].level == level && strcmp(r->groups[i].id, id) == 0 && strcmp(r->groups[i].parent, parent_id) == 0)
            return i;
    if (r->n_groups % 32 == 0) {
        struct cw_report_group *g = realloc(r->groups, sizeof *g * (size_t)(r->n_groups + 32));
        if (!g)
            return -1;
        r->groups = g;
    }
    struct cw_report_group *g = &r->groups[r->n_groups];
    memset(g, 0, sizeof *g);
    g->day_uptime = calloc((size_t)r->n_days, sizeof(double));
    g->day_cameras = calloc((size_t)r->n_days, sizeof(int));
    if (!g->day_uptime || !g->day_cameras) {
        free(g->day_uptime);
        free(g->day_cameras);
        return -1;
    }
    g->level = level;
    snprintf(g->id, sizeof g->id, "%s", id);
    snprintf(g->name, sizeof g->name, "%s", name);
    snprintf(g->parent_name, sizeof g->parent_name, "%s", parent);
    snprintf(g->parent, sizeof g->parent, "%s", parent_id);
    return r->n_groups++;
}

static int cmp_group(const void *a, const void *b)
{
    const struct cw_report_group *x = a, *y = b;
    if (x->level != y->level)
        return y->level - x->level; /* network, districts, communes, sites */
    int c = strcmp(x->id, y->id);
    return c ? c : strcmp(x->parent, y->parent);
}

int cw_report_finish(struct cw_report *r)
{
    const struct cw_report_rules *ru = &r->rules;
    /* Close the feed: ongoing outages. */
    for (int i = 0; i < r->n_cams; i++) {
        struct cw_report_camera *c = &r->cams[i];
        attribute_outage(c);
        if (c->in_outage && c->outage_counted) {
            c->current_down_us = c->outage_down_us;
            if (c->outage_down_us > c->longest_us)
                c->longest_us = c->outage_down_us;
        }
    }
    /* Rollups, camera-weighted: every camera counts once in its site, its
     * commune, its district (where the deployment has that level: no empty
     * district rows) and the province. */
    for (int i = 0; i < r->n_cams; i++) {
        struct cw_report_camera *c = &r->cams[i];
        if (!c->has_data)
            continue;
        const struct cw_names *n = &c->names;
        int has_district = n->district[0] != '\0';
        int gi[4] = {
            group(r, 0, n->site, n->site_name, n->commune_name, n->commune),
            group(r, 1, n->commune, n->commune_name, has_district ? n->district_name : n->province_name,
                  has_district ? n->district : ""),
            has_district ? group(r, 2, n->district, n->district_name, n->province_name, "") : -2,
            group(r, 3, "*", n->province_name, "", ""),
        };
        double up = cw_report_uptime(c);
        for (int k = 0; k < 4; k++) {
            if (gi[k] == -2)
                continue; /* no district level */
            if (gi[k] < 0)
                return CW_ENOMEM;
            struct cw_report_group *g = &r->groups[gi[k]];
            if (worst_down(c) > g->worst_down_us) {
                g->worst_down_us = worst_down(c);
                cw_names_camera_label(c->id, &c->names, g->worst_camera, sizeof g->worst_camera);
            }
            if (up < 0)
                continue; /* nothing monitored: no figure to count */
            g->cameras++;
            g->at_target += up >= ru->uptime_target;
            g->mean_uptime += up;
            g->mean_monitored += cw_report_monitored(r, c);
            for (int d = 0; d < r->n_days; d++) {
                int64_t den = c->day_monitored_us[d] - (c->maint_excluded ? c->day_maint_us[d] : 0);
                if (den > 0) {
                    g->day_uptime[d] += 100.0 * (double)c->day_online_us[d] / (double)den;
                    g->day_cameras[d]++;
                }
            }
        }
    }
    for (int i = 0; i < r->n_groups; i++) {
        struct cw_report_group *g = &r->groups[i];
        /* Per-day mean over the cameras monitored that day. */
        for (int d = 0; d < r->n_days; d++)
            g->day_uptime[d] = g->day_cameras[d] > 0 ? g->day_uptime[d] / g->day_cameras[d] : -1;
        if (g->cameras == 0) {
            g->status = CW_STATUS_NA;
            continue;
        }
        g->mean_uptime /= g->cameras;
        g->mean_monitored /= g->cameras;
        double share = 100.0 * g->at_target / g->cameras;
        if (g->worst_down_us >= ru->max_down_us || share < ru->deteriorated_share)
            g->status = CW_STATUS_DETERIORATED;
        else if (share < ru->ok_share)
            g->status = CW_STATUS_DEGRADED;
        else
            g->status = CW_STATUS_OK;
    }
    if (r->n_groups > 1) /* qsort's base may not be NULL, even for zero elements */
        qsort(r->groups, (size_t)r->n_groups, sizeof *r->groups, cmp_group);
    return 0;
}

int cw_report_set_complete(struct cw_report *r, const char *commune, int64_t complete_until_us)
{
    const struct cw_report_camera *cam = NULL;
    for (int i = 0; i < r->n_cams && !cam; i++)
        if (strcmp(r->cams[i].names.commune, commune) == 0)
            cam = &r->cams[i];
    if (!cam)
        return 0; /* none of this report's cameras (a filter left it out) */
    struct cw_report_commune *l = realloc(r->communes, sizeof *l * (size_t)(r->n_communes + 1));
    if (!l)
        return CW_ENOMEM;
    r->communes = l;
    l = &r->communes[r->n_communes++];
    copy_word(l->id, sizeof l->id, commune);
    copy_word(l->name, sizeof l->name, cam->names.commune_name);
    l->complete_until_us = complete_until_us;
    struct cw_report_group *c = (struct cw_report_group *)cw_report_find_group(r, 1, commune, cam->names.district);
    struct cw_report_group *top = (struct cw_report_group *)cw_report_find_group(r, 3, "*", "");
    if (c)
        c->complete_until_us = complete_until_us;
    if (top && (!r->province || complete_until_us < top->complete_until_us))
        top->complete_until_us = complete_until_us;
    r->province = 1;
    if (complete_until_us < r->to_us)
        r->n_incomplete++;
    return 0;
}

int cw_report_final(const struct cw_report *r, int64_t now_us)
{
    return r->province && now_us >= r->to_us && r->n_incomplete == 0;
}

const struct cw_report_group *cw_report_find_group(const struct cw_report *r, int level, const char *id,
                                                   const char *parent)
{
    struct cw_report_group key;
    key.level = level;
    snprintf(key.id, sizeof key.id, "%s", id);
    snprintf(key.parent, sizeof key.parent, "%s", parent);
    return r->n_groups ? bsearch(&key, r->groups, (size_t)r->n_groups, sizeof key, cmp_group) : NULL;
}

void cw_report_group_trend(const struct cw_report *r, struct cw_report_group *g, const double *hist, int n)
{
    if (n > CW_REPORT_HIST)
        n = CW_REPORT_HIST;
    for (int i = 0; i < n; i++)
        g->hist[i] = hist[i];
    g->n_hist = n;
    g->trend = CW_TREND_NONE;
    g->trend_drop = 0;
    double limit = r->rules.trend_drop;
    if (g->cameras == 0 || !(limit > 0) || n == 0)
        return;
    /* a tolerance below print precision: 84.0 after 89.0 is a 5-point fall */
    const double eps = 1e-9;
    if (hist[0] >= 0 && hist[0] - g->mean_uptime >= limit - eps) {
        g->trend = CW_TREND_PREV;
        g->trend_drop = hist[0] - g->mean_uptime;
    } else if (n >= 3 && hist[0] >= 0 && hist[1] >= 0 && hist[2] >= 0) {
        double mean3 = (hist[0] + hist[1] + hist[2]) / 3;
        if (mean3 - g->mean_uptime >= limit - eps) {
            g->trend = CW_TREND_MEAN3;
            g->trend_drop = mean3 - g->mean_uptime;
        }
    }
    if (g->trend != CW_TREND_NONE)
        g->status = CW_STATUS_DETERIORATED;
}

double cw_report_group_change(const struct cw_report_group *g, int *known)
{
    *known = g->cameras > 0 && g->n_hist > 0 && g->hist[0] >= 0;
    return *known ? g->mean_uptime - g->hist[0] : 0;
}

void cw_report_free(struct cw_report *r)
{
    for (int i = 0; i < r->n_cams; i++) {
        free(r->cams[i].day_online_us);
        free(r->cams[i].day_monitored_us);
        free(r->cams[i].day_maint_us);
        cw_maint_set_free(&r->cams[i].maint);
    }
    for (int i = 0; i < r->n_groups; i++) {
        free(r->groups[i].day_uptime);
        free(r->groups[i].day_cameras);
    }
    free(r->cams);
    free(r->groups);
    free(r->communes);
    free(r->day_start_us);
    memset(r, 0, sizeof *r);
}
