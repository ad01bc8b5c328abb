/* The report's feed (report_feed.c) reads a month and its 12 trend months
 * in one pass over the store. Each trend figure must be what the month
 * read on its own gives: checked on a synthetic history with spans
 * crossing month edges, several spans starting at a month's first
 * instant, maintenance windows over an edge and months with no history
 * (where the trend stops). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <math.h>
#include <time.h>

#include "../../daemon/config.h"
#include "../../daemon/maintenance.h"
#include "../../daemon/report.h"
#include "../../daemon/report_feed.h"
#include "../../daemon/store.h"

#define S 1000000LL
#define H (3600 * S)

static char dbpath[64];

static void names(struct cw_names *n, const char *site, const char *commune)
{
    memset(n, 0, sizeof *n);
    snprintf(n->site, sizeof n->site, "%s", site);
    snprintf(n->site_name, sizeof n->site_name, "Điểm %s", site);
    snprintf(n->commune, sizeof n->commune, "%s", commune);
    snprintf(n->commune_name, sizeof n->commune_name, "Xã %s", commune);
    snprintf(n->province, sizeof n->province, "hn");
    snprintf(n->province_name, sizeof n->province_name, "Thành phố Hà Nội");
}

/* A camera's history from `from` to `to`: spans of a few hours to a few
 * days, each camera with its own mix of states (a fixed generator). */
static void history(struct cw_store *st, const char *cam, int k, int64_t from, int64_t to, unsigned *seed)
{
    static const char *states[] = {"online", "offline", "stalled", "unmonitored", "online", "online"};
    static const char *causes[] = {"", "unreachable", "frozen", "", "", ""};
    int64_t t = from;
    while (t < to) {
        *seed = *seed * 1103515245u + 12345u;
        int64_t len = (int64_t)(1 + (*seed >> 8) % (24 * (k + 2))) * H;
        int w = (int)((*seed >> 20) % 6);
        if (k == 0 && w != 0)
            w = (*seed >> 4) % 10 ? 0 : w; /* camera 0: almost always up */
        int64_t e = t + len < to ? t + len : to;
        assert_int_equal(cw_store_import_span(st, cam, states[w], causes[w], t, e), 0);
        t = e;
    }
}

static void test_trends_equal_each_month_read_alone(void **state)
{
    (void)state;
    setenv("TZ", "Asia/Ho_Chi_Minh", 1);
    tzset();
    snprintf(dbpath, sizeof dbpath, "/tmp/cw-test-feed-%d.db", (int)getpid());
    unlink(dbpath);
    struct cw_store *st;
    assert_int_equal(cw_store_open(dbpath, 0, &st), 0);
    assert_int_equal(cw_store_import_begin(st), 0);
    /* history from 2026-01-01 to 2026-12-01: December 2025 and before hold
     * none, so the trend of November 2026 has 10 months */
    int64_t start = cw_local_midnight(2026, 1, 1), end = cw_local_midnight(2026, 12, 1);
    unsigned seed = 7;
    const char *sites[] = {"s1", "s1", "s2", "s2", "s3", "s3", "s3"};
    const char *communes[] = {"x1", "x1", "x1", "x1", "x2", "x2", "x2"};
    for (int k = 0; k < 7; k++) {
        char id[8];
        snprintf(id, sizeof id, "cam%d", k);
        struct cw_camera_meta m = {.id = id, .url_redacted = "rtsp://h/", .enabled = 1, .plugins = "", .formerly = ""};
        names(&m.names, sites[k], communes[k]);
        assert_int_equal(cw_store_import_camera(st, &m, start), 0);
        if (k == 6) {
            /* at the first instant of March, June and September: an empty
             * span, then the next, both starting there */
            int64_t cuts[] = {cw_local_midnight(2026, 3, 1), cw_local_midnight(2026, 6, 1),
                              cw_local_midnight(2026, 9, 1), end};
            int64_t t = start;
            for (int i = 0; i < 4; i++) {
                history(st, id, k, t, cuts[i], &seed);
                if (i < 3)
                    assert_int_equal(cw_store_import_span(st, id, "offline", "unreachable", cuts[i], cuts[i]), 0);
                t = cuts[i];
            }
        } else {
            history(st, id, k, start, end, &seed);
        }
    }
    assert_int_equal(cw_store_import_end(st, 1), 0);
    /* a site's maintenance over the end of April and one camera's in July */
    struct cw_maint w;
    int64_t mid;
    memset(&w, 0, sizeof w);
    w.scope = CW_MAINT_SITE;
    snprintf(w.target, sizeof w.target, "s2");
    w.from_us = cw_local_midnight(2026, 4, 25);
    w.to_us = cw_local_midnight(2026, 5, 4);
    snprintf(w.by, sizeof w.by, "test");
    assert_int_equal(cw_store_maintenance_add(st, &w, &mid), 0);
    w.scope = CW_MAINT_CAMERA;
    snprintf(w.target, sizeof w.target, "cam4");
    w.from_us = cw_local_midnight(2026, 7, 10);
    w.to_us = cw_local_midnight(2026, 7, 20);
    assert_int_equal(cw_store_maintenance_add(st, &w, &mid), 0);

    /* maintenance left out of uptime: the windows change the figures */
    struct cw_report_rules rules = {.uptime_target = 90, .ok_share = 95, .deteriorated_share = 80,
                                    .max_down_us = 7 * 24 * H, .repair_after_us = 2 * 24 * H,
                                    .exclude_maintenance = 1};
    struct cw_report_query q = {.where = NULL, .rules = &rules, .data_end_us = end};
    struct cw_report r;
    long spans;
    int matched, n_hist = 0;
    int64_t edges[2] = {cw_local_midnight(2026, 11, 1), end};
    assert_int_equal(cw_report_read(st, &q, edges[0], edges[1], edges, 1, &r, &spans, &matched), 0);
    assert_int_equal(matched, 7);
    char labels[CW_REPORT_HIST][16];
    assert_int_equal(cw_report_read_history(st, &q, &r, 1, 2026, 11, 1, 30, labels, &n_hist), 0);
    assert_int_equal(n_hist, 10);
    assert_string_equal(labels[0], "2026-10");
    assert_string_equal(labels[9], "2026-01");
    int compared = 0, differing = 0;
    for (int k = 1; k <= n_hist; k++) {
        struct cw_report one;
        int64_t from = cw_local_midnight(2026, 11 - k, 1), to = cw_local_midnight(2026, 12 - k, 1);
        int64_t e2[2] = {from, to};
        assert_int_equal(cw_report_read(st, &q, from, to, e2, 1, &one, &spans, NULL), 0);
        assert_true(spans > 0);
        for (int i = 0; i < r.n_groups; i++) {
            const struct cw_report_group *g = cw_report_find_group(&one, r.groups[i].level, r.groups[i].id, r.groups[i].parent);
            double want = g && g->cameras > 0 && g->mean_monitored >= 50 ? g->mean_uptime : -1;
            if (fabs(r.groups[i].hist[k - 1] - want) > 1e-9)
                print_message("%s (level %d), %s: %.6f in the trend, %.6f read alone\n", r.groups[i].id,
                              r.groups[i].level, labels[k - 1], r.groups[i].hist[k - 1], want);
            differing += fabs(r.groups[i].hist[k - 1] - want) > 1e-9;
            compared++;
            if (k == 2 && i == 0) /* the months differ from one another: a real check */
                assert_true(fabs(r.groups[i].hist[0] - r.groups[i].hist[1]) > 1e-6);
        }
        cw_report_free(&one);
    }
    assert_int_equal(differing, 0);
    assert_true(compared >= 10 * 6); /* 3 sites, 2 communes, the province, each month */
    cw_report_free(&r);
    cw_store_close(st);
    unlink(dbpath);
    char side[80];
    snprintf(side, sizeof side, "%s-wal", dbpath);
    unlink(side);
    snprintf(side, sizeof side, "%s-shm", dbpath);
    unlink(side);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_trends_equal_each_month_read_alone),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
