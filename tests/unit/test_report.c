/* Report figures on small histories with answers computed by hand: spans
 * crossing the period's edges, a camera added mid-period, the daemon down
 * for a day, a disabled camera, an outage older than the period, and the
 * status rules exactly at their thresholds. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <stdlib.h>
#include <time.h>

#include "../../daemon/report.h"
#include "../../daemon/report_narrative.h"

#define S 1000000LL
#define H (3600 * S)
#define D (24 * H)

static struct cw_report_rules rules = {90, 95, 80, 7 * D, 2 * D};
static int64_t days[31];

/* A 30-day period [0, 30 D) with data up to its end. */
static void init(struct cw_report *r)
{
    for (int i = 0; i <= 30; i++)
        days[i] = i * D;
    assert_int_equal(cw_report_init(r, 0, 30 * D, 30 * D, days, 30, &rules), 0);
}

static struct cw_report_camera *cam_in(struct cw_report *r, const char *id, const char *site, const char *district,
                                       int64_t since, int64_t down_before)
{
    struct cw_names n;
    memset(&n, 0, sizeof n);
    snprintf(n.name, sizeof n.name, "%s", id);
    snprintf(n.site, sizeof n.site, "%s", site);
    snprintf(n.site_name, sizeof n.site_name, "%s", site);
    snprintf(n.commune, sizeof n.commune, "c1");
    snprintf(n.commune_name, sizeof n.commune_name, "Xã Hòa Bình");
    snprintf(n.district, sizeof n.district, "%s", district);
    snprintf(n.district_name, sizeof n.district_name, "%s", district[0] ? "Huyện" : "");
    snprintf(n.province, sizeof n.province, "hn");
    snprintf(n.province_name, sizeof n.province_name, "Thành phố Hà Nội");
    struct cw_report_camera *c = cw_report_add_camera(r, id, &n, since, down_before);
    assert_non_null(c);
    return c;
}

static struct cw_report_camera *cam(struct cw_report *r, const char *id, const char *site, int64_t since,
                                    int64_t down_before)
{
    return cam_in(r, id, site, "d1", since, down_before);
}

/* Since the 2025 reform most deployments have no district level: their
 * rollups are site, commune and province, with no empty district row; a
 * deployment that keeps districts gets its district rows. */
static void test_levels_with_and_without_districts(void **state)
{
    (void)state;
    for (int with = 0; with < 2; with++) {
        struct cw_report r;
        init(&r);
        struct cw_report_camera *a = cam_in(&r, "a", "s1", with ? "d1" : "", 0, 0);
        cw_report_span(&r, a, "online", "", 0, 30 * D);
        assert_int_equal(cw_report_finish(&r), 0);
        int levels[4] = {0};
        for (int i = 0; i < r.n_groups; i++)
            levels[r.groups[i].level]++;
        assert_int_equal(levels[0], 1);
        assert_int_equal(levels[1], 1);
        assert_int_equal(levels[2], with);
        assert_int_equal(levels[3], 1);
        /* the top row is the province, named */
        assert_int_equal(r.groups[0].level, 3);
        assert_string_equal(r.groups[0].name, "Thành phố Hà Nội");
        cw_report_free(&r);
    }
}

static void test_spans_crossing_the_period_edges(void **state)
{
    struct cw_report r;
    (void)state;
    init(&r);
    struct cw_report_camera *a = cam(&r, "a", "s1", 0, 0);
    cw_report_span(&r, a, "online", "", -5 * D, 2 * D);
    cw_report_span(&r, a, "offline", "unreachable", 2 * D, 3 * D);
    cw_report_span(&r, a, "online", "", 3 * D, 40 * D);
    assert_int_equal(cw_report_finish(&r), 0);
    a = &r.cams[0];
    assert_int_equal(a->watched_us, 30 * D);
    assert_int_equal(a->monitored_us, 30 * D);
    assert_int_equal(a->online_us, 29 * D);
    assert_int_equal(a->offline_us[CW_CAUSE_UNREACHABLE], 1 * D);
    assert_true(cw_report_uptime(a) > 96.6666 && cw_report_uptime(a) < 96.6667); /* 29/30 */
    assert_true(cw_report_monitored(&r, a) == 100.0);
    assert_int_equal(a->outages, 1);
    assert_int_equal(a->repaired, 1);
    assert_int_equal(cw_report_mttr_us(a), 1 * D);
    assert_int_equal(a->longest_us, 1 * D);
    assert_int_equal(a->current_down_us, 0);
    /* day 2 is all offline, day 1 all online */
    assert_int_equal(a->day_online_us[2], 0);
    assert_int_equal(a->day_monitored_us[2], D);
    assert_int_equal(a->day_online_us[1], D);
    cw_report_free(&r);
}

static void test_added_mid_period_and_disabled(void **state)
{
    struct cw_report r;
    (void)state;
    init(&r);
    struct cw_report_camera *b = cam(&r, "b", "s1", 0, 0);
    cw_report_span(&r, b, "starting", "", 15 * D, 15 * D + 2 * S);
    cw_report_span(&r, b, "online", "", 15 * D + 2 * S, -1); /* open: ends at data end */
    struct cw_report_camera *d = cam(&r, "d", "s1", 0, 0);
    cw_report_span(&r, d, "online", "", -1 * D, 20 * D); /* disabled at day 20: no later span */
    assert_int_equal(cw_report_finish(&r), 0);
    b = &r.cams[0];
    d = &r.cams[1];
    assert_int_equal(b->watched_us, 15 * D);
    /* `starting` is neither up nor down: out of monitored time, so a camera
     * that was never down reads exactly 100 % */
    assert_int_equal(b->monitored_us, 15 * D - 2 * S);
    assert_int_equal(b->online_us, 15 * D - 2 * S);
    assert_int_equal(b->starting_us, 2 * S);
    assert_true(cw_report_uptime(b) == 100.0);
    assert_true(cw_report_monitored(&r, b) < 100.0);
    assert_int_equal(b->outages, 0);
    assert_int_equal(cw_report_mttr_us(b), -1);
    assert_int_equal(b->day_monitored_us[14], 0); /* not watched before day 15 */
    assert_int_equal(d->watched_us, 20 * D);
    assert_true(cw_report_uptime(d) == 100.0);
    assert_int_equal(d->day_monitored_us[25], 0);
    cw_report_free(&r);
}

/* Issue #29: a month whose data stops on the 20th (a dead server), or that
 * holds 8 minutes of history, was "100,0 % monitored" (the share was over
 * the time the camera was in the config). The share is over the whole
 * period, and the report says where its data ends, first. */
static void test_partial_month(void **state)
{
    (void)state;
    setenv("TZ", "UTC", 1);
    tzset();
    for (int i = 0; i <= 30; i++)
        days[i] = i * D;
    struct cw_report r;
    assert_int_equal(cw_report_init(&r, 0, 30 * D, 20 * D, days, 30, &rules), 0);
    struct cw_report_camera *a = cam(&r, "a", "s1", 0, 0);
    cw_report_span(&r, a, "online", "", -1 * D, -1); /* open: the server died on day 20 */
    assert_int_equal(cw_report_finish(&r), 0);
    a = &r.cams[0];
    assert_true(cw_report_uptime(a) == 100.0);
    assert_true(cw_report_monitored(&r, a) > 66.66 && cw_report_monitored(&r, a) < 66.67);
    assert_int_equal(r.data_first_us, 0 + 0);
    assert_int_equal(r.data_last_us, 20 * D);
    assert_int_equal(cw_report_data_gaps(&r, 35 * D), CW_DATA_ENDS_EARLY);
    assert_int_equal(cw_report_data_gaps(&r, 20 * D), CW_DATA_OPEN);
    struct cw_report_view v = {&r, 1, "1970-01", "", 35 * D, 0, {{0}}, NULL};
    struct cw_narrative n;
    char buf[1200];
    assert_int_equal(cw_narrative_build(&v, &n), 0);
    assert_true(strncmp(n.para[0], "Số liệu đến 21/01/1970 00:00:", strlen("Số liệu đến 21/01/1970 00:00:")) == 0);
    assert_non_null(strstr(n.para[n.n - 1], "đã giám sát 66,7"));
    cw_narrative_free(&n);
    assert_string_equal(cw_doc_title_note(&v, buf, sizeof buf), " (số liệu đến 21/01/1970)");
    v.lang_vi = 0;
    v.generated_us = 20 * D; /* the period not over, data to now */
    assert_non_null(strstr(cw_doc_data_note(&v, buf, sizeof buf), "The period is not over (it ends 1970-01-31 00:00): data up to 1970-01-21 00:00"));
    v.generated_us = 31 * D;
    assert_string_equal(cw_doc_data_span(&v, buf, sizeof buf), "Data from 1970-01-01 00:00 to 1970-01-21 00:00");
    cw_report_free(&r);

    /* 8 minutes of history in the month */
    assert_int_equal(cw_report_init(&r, 0, 30 * D, 30 * D, days, 30, &rules), 0);
    a = cam(&r, "a", "s1", 0, 0);
    cw_report_span(&r, a, "unmonitored", "", 0, 29 * D);
    cw_report_span(&r, a, "online", "", 29 * D, 29 * D + 480 * S);
    cw_report_span(&r, a, "unmonitored", "", 29 * D + 480 * S, 30 * D);
    assert_int_equal(cw_report_finish(&r), 0);
    assert_true(cw_report_monitored(&r, &r.cams[0]) < 0.02);
    assert_int_equal(cw_report_data_gaps(&r, 40 * D), CW_DATA_ENDS_EARLY | CW_DATA_LATE);
    v = (struct cw_report_view){&r, 1, "1970-01", "", 40 * D, 0, {{0}}, NULL};
    assert_non_null(strstr(cw_doc_data_note(&v, buf, sizeof buf), "Số liệu bắt đầu từ 30/01/1970 00:00"));
    cw_report_free(&r);
}

static void test_daemon_down_for_a_day_is_not_downtime(void **state)
{
    struct cw_report r;
    (void)state;
    init(&r);
    struct cw_report_camera *c = cam(&r, "c", "s1", 0, 0);
    cw_report_span(&r, c, "online", "", 0, 10 * D);
    cw_report_span(&r, c, "unmonitored", "", 10 * D, 11 * D);
    cw_report_span(&r, c, "starting", "", 11 * D, 11 * D + 1 * S);
    cw_report_span(&r, c, "online", "", 11 * D + 1 * S, 30 * D);
    /* e: an outage that the daemon's own downtime interrupts */
    struct cw_report_camera *e = cam(&r, "e", "s1", 0, 0);
    cw_report_span(&r, e, "online", "", 0, 5 * D);
    cw_report_span(&r, e, "offline", "stream_error", 5 * D, 6 * D);
    cw_report_span(&r, e, "unmonitored", "", 6 * D, 7 * D);
    cw_report_span(&r, e, "starting", "", 7 * D, 7 * D);
    cw_report_span(&r, e, "stalled", "", 7 * D, 8 * D);
    cw_report_span(&r, e, "online", "", 8 * D, 30 * D);
    assert_int_equal(cw_report_finish(&r), 0);
    c = &r.cams[0];
    e = &r.cams[1];
    assert_int_equal(c->monitored_us, 29 * D - 1 * S);
    assert_int_equal(c->unmonitored_us, 1 * D);
    assert_int_equal(c->online_us, 29 * D - 1 * S);
    assert_int_equal(c->outages, 0);
    assert_true(cw_report_monitored(&r, c) > 96.6666 && cw_report_monitored(&r, c) < 96.6667);
    assert_true(cw_report_uptime(c) == 100.0);
    assert_int_equal(e->outages, 1);
    assert_int_equal(cw_report_mttr_us(e), 2 * D); /* 1 D offline + 1 D stalled; the unmonitored day is not counted */
    /* one cause per outage: stalled outranks stream_error for the whole of it */
    assert_int_equal(e->offline_us[CW_CAUSE_STREAM_ERROR], 0);
    assert_int_equal(e->stalled_us, 2 * D);
    assert_int_equal(cw_report_offline_total_us(e), 2 * D);
    assert_int_equal(e->online_us, 27 * D);
    assert_int_equal(e->monitored_us, 29 * D);
    cw_report_free(&r);
}

/* One fault, told apart differently from run to run (a port that closed is
 * stream_error until the first refused retry; a stall becomes stream_error
 * after the reconnect): the whole outage goes to its most specific cause. */
static void test_one_cause_per_outage(void **state)
{
    struct cw_report r;
    (void)state;
    init(&r);
    struct cw_report_camera *a = cam(&r, "a", "s1", 0, 0);
    cw_report_span(&r, a, "online", "", 0, 1 * D);
    cw_report_span(&r, a, "offline", "stream_error", 1 * D, 1 * D + 5 * S);
    cw_report_span(&r, a, "offline", "unreachable", 1 * D + 5 * S, 2 * D);
    cw_report_span(&r, a, "online", "", 2 * D, 3 * D);
    cw_report_span(&r, a, "stalled", "", 3 * D, 3 * D + 60 * S);
    cw_report_span(&r, a, "offline", "stream_error", 3 * D + 60 * S, 3 * D + 90 * S);
    cw_report_span(&r, a, "online", "", 3 * D + 90 * S, 4 * D);
    /* a wrong password seen once in an outage names it */
    cw_report_span(&r, a, "offline", "unreachable", 4 * D, 5 * D);
    cw_report_span(&r, a, "offline", "auth_failed", 5 * D, 6 * D);
    cw_report_span(&r, a, "offline", "unreachable", 6 * D, 7 * D);
    cw_report_span(&r, a, "online", "", 7 * D, 30 * D);
    assert_int_equal(cw_report_finish(&r), 0);
    a = &r.cams[0];
    assert_int_equal(a->outages, 3);
    assert_int_equal(a->offline_us[CW_CAUSE_UNREACHABLE], 1 * D);
    assert_int_equal(a->offline_us[CW_CAUSE_STREAM_ERROR], 0);
    assert_int_equal(a->stalled_us, 90 * S);
    assert_int_equal(a->offline_us[CW_CAUSE_AUTH_FAILED], 3 * D);
    assert_int_equal(cw_report_offline_total_us(a), 4 * D + 90 * S);
    assert_true(cw_outage_rank("offline", "auth_failed") > cw_outage_rank("offline", "not_found"));
    assert_true(cw_outage_rank("offline", "not_found") > cw_outage_rank("offline", "no_video"));
    assert_true(cw_outage_rank("offline", "no_video") > cw_outage_rank("offline", "unreachable"));
    assert_true(cw_outage_rank("offline", "unreachable") > cw_outage_rank("stalled", ""));
    assert_true(cw_outage_rank("stalled", "") > cw_outage_rank("offline", "stream_error"));
    assert_int_equal(cw_outage_rank("online", ""), 0);
    cw_report_free(&r);
}

static void test_outage_older_than_the_period(void **state)
{
    struct cw_report r;
    (void)state;
    init(&r);
    /* down since 3 days before the period, back on day 5: 8 days */
    struct cw_report_camera *f = cam(&r, "f", "s2", -3 * D, 3 * D);
    cw_report_span(&r, f, "offline", "auth_failed", -3 * D, 5 * D);
    cw_report_span(&r, f, "online", "", 5 * D, 30 * D);
    /* g: still down at the end, since day 27 */
    struct cw_report_camera *g = cam(&r, "g", "s1", 0, 0);
    cw_report_span(&r, g, "online", "", 0, 27 * D);
    cw_report_span(&r, g, "offline", "not_found", 27 * D, -1);
    assert_int_equal(cw_report_finish(&r), 0);
    f = &r.cams[0];
    g = &r.cams[1];
    assert_int_equal(f->outages, 1);
    assert_int_equal(f->repaired, 1);
    assert_int_equal(cw_report_mttr_us(f), 8 * D);
    assert_int_equal(f->longest_us, 8 * D);
    assert_int_equal(f->offline_us[CW_CAUSE_AUTH_FAILED], 5 * D); /* in the period */
    assert_int_equal(g->current_down_us, 3 * D);
    assert_int_equal(g->repaired, 0);
    assert_int_equal(g->last_online_us, 27 * D);
    assert_string_equal(g->state, "offline");
    assert_string_equal(g->cause, "not_found");
    /* f's 8-day outage makes its site (and everything above) DETERIORATED */
    for (int i = 0; i < r.n_groups; i++) {
        const struct cw_report_group *gr = &r.groups[i];
        if (gr->level == 0 && strcmp(gr->id, "s2") == 0)
            assert_int_equal(gr->status, CW_STATUS_DETERIORATED);
        if (gr->level == 0 && strcmp(gr->id, "s1") == 0)
            assert_int_equal(gr->status, CW_STATUS_OK); /* g: 90% uptime, down 3 d < 7 d */
        if (gr->level == 3)
            assert_int_equal(gr->status, CW_STATUS_DETERIORATED);
    }
    cw_report_free(&r);
}

/* n cameras in one site, k of them at exactly 90.0% uptime and the rest
 * just below; a status per share. */
static enum cw_report_status site_status(int n, int k, int64_t extra_down)
{
    struct cw_report r;
    char id[8];
    init(&r);
    for (int i = 0; i < n; i++) {
        snprintf(id, sizeof id, "k%d", i);
        struct cw_report_camera *c = cam(&r, id, "s", 0, 0);
        int64_t down = i < k ? 3 * D : 3 * D + 1 * S; /* 27/30 = 90.0% exactly, or just under */
        if (i == 0)
            down = extra_down ? extra_down : down;
        cw_report_span(&r, c, "online", "", 0, 30 * D - down);
        cw_report_span(&r, c, "offline", "unreachable", 30 * D - down, 30 * D);
    }
    assert_int_equal(cw_report_finish(&r), 0);
    enum cw_report_status st = CW_STATUS_NA;
    for (int i = 0; i < r.n_groups; i++)
        if (r.groups[i].level == 0)
            st = r.groups[i].status;
    cw_report_free(&r);
    return st;
}

static void test_status_rules_at_thresholds(void **state)
{
    (void)state;
    assert_int_equal(site_status(20, 20, 0), CW_STATUS_OK);           /* 100% */
    assert_int_equal(site_status(20, 19, 0), CW_STATUS_OK);           /* 95% = ok_share */
    assert_int_equal(site_status(20, 18, 0), CW_STATUS_DEGRADED);     /* 90% */
    assert_int_equal(site_status(20, 16, 0), CW_STATUS_DEGRADED);     /* 80% = deteriorated_share */
    assert_int_equal(site_status(20, 15, 0), CW_STATUS_DETERIORATED); /* 75% */
    /* one camera down exactly max_down (7 d) in one outage, the others fine */
    assert_int_equal(site_status(1, 1, 7 * D), CW_STATUS_DETERIORATED);
    /* 7 d - 1 s is under max_down; that camera misses the target, 19/20 = 95% do: OK */
    assert_int_equal(site_status(20, 20, 7 * D - 1 * S), CW_STATUS_OK);
}

/* The trend rule at its edges: a fall of exactly trend_drop points from
 * the previous period, or from the mean of the 3 before, makes a group
 * DETERIORATED; a hair less does not; unknown periods count for nothing. */
static void test_trend_rule_edges(void **state)
{
    (void)state;
    struct cw_report r;
    init(&r);
    r.rules.trend_drop = 5;
    struct cw_report_camera *c = cam(&r, "a", "s1", 0, 0);
    /* 27 of 30 days online: 90.0 % */
    cw_report_span(&r, c, "online", "", 0, 27 * D);
    cw_report_span(&r, c, "offline", "unreachable", 27 * D, 30 * D);
    assert_int_equal(cw_report_finish(&r), 0);
    struct cw_report_group *g = NULL;
    for (int i = 0; i < r.n_groups; i++)
        if (r.groups[i].level == 0)
            g = &r.groups[i];
    assert_non_null(g);
    assert_true(g->mean_uptime > 89.999 && g->mean_uptime < 90.001);
    assert_int_equal(g->status, CW_STATUS_OK);
    static const struct {
        double hist[3];
        int n;
        enum cw_report_trend want;
    } cases[] = {
        {{95.0, -1, -1}, 1, CW_TREND_PREV},        /* exactly 5 points down */
        {{94.99, -1, -1}, 1, CW_TREND_NONE},       /* 4.99 */
        {{-1, 99, 99}, 3, CW_TREND_NONE},          /* the previous period unknown: no mean either */
        {{93, 96, 96}, 3, CW_TREND_MEAN3},         /* 3 from the last, 5 from the mean of 3 */
        {{93, 96, 95.97}, 3, CW_TREND_NONE},       /* mean 94.99 */
        {{93, 96, 96}, 2, CW_TREND_NONE},          /* only 2 periods known: no mean of 3 */
        {{80, 80, 80}, 3, CW_TREND_NONE},          /* better than before */
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        g->status = CW_STATUS_OK;
        cw_report_group_trend(&r, g, cases[k].hist, cases[k].n);
        print_message("case %zu: trend %d drop %.3f\n", k, g->trend, g->trend_drop);
        assert_int_equal(g->trend, cases[k].want);
        assert_int_equal(g->status, cases[k].want ? CW_STATUS_DETERIORATED : CW_STATUS_OK);
    }
    int known;
    cw_report_group_trend(&r, g, (double[]){92.5}, 1);
    double ch = cw_report_group_change(g, &known);
    assert_true(known && ch > -2.501 && ch < -2.499);
    /* trend_drop 0: no trend rule at all */
    r.rules.trend_drop = 0;
    g->status = CW_STATUS_OK;
    cw_report_group_trend(&r, g, (double[]){100}, 1);
    assert_int_equal(g->trend, CW_TREND_NONE);
    assert_int_equal(g->status, CW_STATUS_OK);
    cw_report_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_spans_crossing_the_period_edges),
        cmocka_unit_test(test_trend_rule_edges),
        cmocka_unit_test(test_added_mid_period_and_disabled),
        cmocka_unit_test(test_daemon_down_for_a_day_is_not_downtime),
        cmocka_unit_test(test_partial_month),
        cmocka_unit_test(test_one_cause_per_outage),
        cmocka_unit_test(test_levels_with_and_without_districts),
        cmocka_unit_test(test_outage_older_than_the_period),
        cmocka_unit_test(test_status_rules_at_thresholds),
    };
    return cmocka_run_group_tests_name("report", tests, NULL, NULL);
}
