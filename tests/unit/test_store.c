/* The SQLite store: spans tile time, a crash becomes `unmonitored` time,
 * migrations refuse a newer schema, and the verifier catches overlaps. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <sqlite3.h>

#include "../../daemon/error.h"
#include "../../daemon/log.h"
#include "../../daemon/store.h"

#define S 1000000LL

static char dbpath[256];

static int setup(void **state)
{
    (void)state;
    snprintf(dbpath, sizeof dbpath, "/tmp/cw-test-store-%d.db", (int)getpid());
    unlink(dbpath);
    return 0;
}

static int teardown(void **state)
{
    char p[300];
    (void)state;
    unlink(dbpath);
    snprintf(p, sizeof p, "%s-wal", dbpath);
    unlink(p);
    snprintf(p, sizeof p, "%s-shm", dbpath);
    unlink(p);
    return 0;
}

static const struct cw_camera_meta cam_a = {"a",
                                            {"Cam A", "s", "Cổng làng", "c", "Xã Hòa Bình", "d", "Huyện", "p", "Tỉnh"},
                                            "rtsp://u:***@h/a", 1, "", ""};
static const struct cw_camera_meta cam_b = {"b", {"Cam B", "s", "Cổng làng", "c", "Xã Hòa Bình", "", "", "p", "Tỉnh"},
                                            "rtsp://h/b", 1, "", ""};

/* Reads the spans of a camera as "state/cause:start-end;" (seconds). */
static void spans_of(const char *camera, char *out, size_t len)
{
    sqlite3 *db;
    sqlite3_stmt *s;
    size_t o = 0;
    out[0] = '\0';
    assert_int_equal(sqlite3_open(dbpath, &db), SQLITE_OK);
    sqlite3_prepare_v2(db, "SELECT state, cause, start_us, end_us FROM spans WHERE camera=? ORDER BY start_us, id",
                       -1, &s, NULL);
    sqlite3_bind_text(s, 1, camera, -1, SQLITE_STATIC);
    while (sqlite3_step(s) == SQLITE_ROW) {
        char end[32] = "open";
        if (sqlite3_column_type(s, 3) != SQLITE_NULL)
            snprintf(end, sizeof end, "%lld", (long long)(sqlite3_column_int64(s, 3) / S));
        o += (size_t)snprintf(out + o, len - o, "%s%s%s:%lld-%s;", sqlite3_column_text(s, 0),
                              sqlite3_column_bytes(s, 1) ? "/" : "", sqlite3_column_text(s, 1),
                              (long long)(sqlite3_column_int64(s, 2) / S), end);
    }
    sqlite3_finalize(s);
    sqlite3_close(db);
}

static void test_run_spans_and_clean_stop(void **state)
{
    struct cw_store *st;
    int64_t run;
    char buf[512], err[1024];
    (void)state;
    assert_int_equal(cw_store_open(dbpath, 0, &st), 0);
    assert_int_equal(cw_store_begin_run(st, 100 * S, 1, &run), 0);
    struct cw_store_batch *b = cw_store_batch_new();
    cw_store_batch_camera_start(b, &cam_a, 100 * S);
    cw_store_batch_transition(b, "a", 101 * S, "online", "", "");
    cw_store_batch_transition(b, "a", 150 * S, "offline", "unreachable", "Connection refused");
    cw_store_batch_heartbeat(b, run, 151 * S);
    assert_int_equal(cw_store_apply(st, b), 0);
    cw_store_batch_free(b);
    assert_int_equal(cw_store_end_run(st, run, 160 * S), 0);
    spans_of("a", buf, sizeof buf);
    assert_string_equal(buf, "starting:100-101;online:101-150;offline/unreachable:150-160;");
    assert_int_equal(cw_store_verify(st, err, sizeof err), 0);

    /* Next run after 40 s down: the gap is unmonitored, not offline. */
    assert_int_equal(cw_store_begin_run(st, 200 * S, 2, &run), 0);
    assert_int_equal(cw_store_camera_start(st, &cam_a, 200 * S), 0);
    spans_of("a", buf, sizeof buf);
    assert_string_equal(buf,
                        "starting:100-101;online:101-150;offline/unreachable:150-160;unmonitored:160-200;starting:200-open;");
    assert_int_equal(cw_store_verify(st, err, sizeof err), 0);
    cw_store_close(st);
}

static void test_crash_ends_spans_at_last_heartbeat(void **state)
{
    struct cw_store *st;
    int64_t run;
    char buf[512], err[1024];
    (void)state;
    assert_int_equal(cw_store_open(dbpath, 0, &st), 0);
    assert_int_equal(cw_store_begin_run(st, 100 * S, 1, &run), 0);
    struct cw_store_batch *b = cw_store_batch_new();
    cw_store_batch_camera_start(b, &cam_a, 100 * S);
    cw_store_batch_camera_start(b, &cam_b, 100 * S);
    cw_store_batch_transition(b, "a", 102 * S, "online", "", "");
    cw_store_batch_heartbeat(b, run, 130 * S);
    assert_int_equal(cw_store_apply(st, b), 0);
    cw_store_batch_free(b);
    cw_store_close(st); /* no end_run: the daemon was killed */

    assert_int_equal(cw_store_open(dbpath, 0, &st), 0);
    assert_int_equal(cw_store_begin_run(st, 300 * S, 2, &run), 0);
    assert_int_equal(cw_store_camera_start(st, &cam_a, 300 * S), 0);
    assert_int_equal(cw_store_camera_start(st, &cam_b, 300 * S), 0);
    spans_of("a", buf, sizeof buf);
    assert_string_equal(buf, "starting:100-102;online:102-130;unmonitored:130-300;starting:300-open;");
    spans_of("b", buf, sizeof buf);
    assert_string_equal(buf, "starting:100-130;unmonitored:130-300;starting:300-open;");
    assert_int_equal(cw_store_verify(st, err, sizeof err), 0);
    int64_t started, hb, stopped;
    assert_int_equal(cw_store_last_run(st, &started, &hb, &stopped), 0);
    assert_int_equal(started, 300 * S);
    assert_int_equal(stopped, 0);

    struct cw_status_row *rows;
    int n;
    assert_int_equal(cw_store_status(st, &rows, &n), 0);
    assert_int_equal(n, 2);
    assert_string_equal(rows[0].id, "a");
    assert_string_equal(rows[0].state, "starting");
    assert_string_equal(rows[0].names.commune_name, "Xã Hòa Bình");
    assert_string_equal(rows[0].names.province_name, "Tỉnh");
    assert_string_equal(rows[0].names.district, "d");
    assert_string_equal(rows[1].names.district, ""); /* no district level */
    free(rows);
    cw_store_close(st);
}

static void test_verify_catches_overlap_and_gap(void **state)
{
    struct cw_store *st;
    int64_t run;
    char err[1024];
    sqlite3 *db;
    (void)state;
    assert_int_equal(cw_store_open(dbpath, 0, &st), 0);
    assert_int_equal(cw_store_begin_run(st, 100 * S, 1, &run), 0);
    assert_int_equal(cw_store_camera_start(st, &cam_a, 100 * S), 0);
    assert_int_equal(cw_store_end_run(st, run, 110 * S), 0);
    cw_store_close(st);
    /* Damage the history behind the store's back. */
    assert_int_equal(sqlite3_open(dbpath, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db,
                                  "INSERT INTO spans(camera,state,start_us,end_us) VALUES ('a','online',105000000,120000000);"
                                  "INSERT INTO spans(camera,state,start_us,end_us) VALUES ('a','online',130000000,140000000);",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(db);
    assert_int_equal(cw_store_open(dbpath, 1, &st), 0);
    assert_int_equal(cw_store_verify(st, err, sizeof err), CW_ESTORE);
    assert_non_null(strstr(err, "overlaps"));
    assert_non_null(strstr(err, "leaves a gap"));
    cw_store_close(st);
}

/* An outage that ended exactly where a period begins is not one the period
 * inherits: the camera was online from its first instant. */
static void test_outage_ending_at_the_period_start(void **state)
{
    struct cw_store *st;
    sqlite3 *db;
    int64_t since, down;
    int rank;
    (void)state;
    assert_int_equal(cw_store_open(dbpath, 0, &st), 0);
    cw_store_close(st);
    assert_int_equal(sqlite3_open(dbpath, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db,
                                  "INSERT INTO spans(camera,state,cause,start_us,end_us) VALUES"
                                  " ('a','online','',100000000,200000000),"
                                  " ('a','offline','unreachable',200000000,300000000),"
                                  " ('a','online','',300000000,400000000);",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(db);
    assert_int_equal(cw_store_open(dbpath, 1, &st), 0);
    assert_int_equal(cw_store_outage_before(st, "a", 300 * S, &since, &down, &rank), 0);
    assert_int_equal(since, 0);
    assert_int_equal(down, 0);
    /* a period that begins inside the outage inherits it */
    assert_int_equal(cw_store_outage_before(st, "a", 250 * S, &since, &down, &rank), 0);
    assert_int_equal(since, 200 * S);
    assert_int_equal(down, 50 * S);
    cw_store_close(st);
}

static void test_newer_schema_is_refused(void **state)
{
    struct cw_store *st;
    sqlite3 *db;
    (void)state;
    assert_int_equal(cw_store_open(dbpath, 0, &st), 0);
    cw_store_close(st);
    assert_int_equal(sqlite3_open(dbpath, &db), SQLITE_OK);
    sqlite3_exec(db, "PRAGMA user_version = 99", NULL, NULL, NULL);
    sqlite3_close(db);
    assert_int_equal(cw_store_open(dbpath, 0, &st), CW_ESCHEMA);
    assert_null(st);
}

static void test_readonly_does_not_create(void **state)
{
    struct cw_store *st;
    (void)state;
    assert_int_equal(cw_store_open(dbpath, 1, &st), CW_ESTORE);
    assert_int_equal(access(dbpath, F_OK), -1);
}

/* The change log: off, nothing is written; on, every change of a shipped
 * row is logged in its own transaction; a batch sends each touched row
 * once, in its newest state; acknowledging deletes what was sent. */
struct got {
    char list[2048];
    int n;
};

static void on_row(void *ud, const char *tbl, const char *rkey, const char *json)
{
    struct got *g = ud;
    size_t o = strlen(g->list);
    const char *end = json ? strstr(json, "\"end_us\":") : NULL;
    snprintf(g->list + o, sizeof g->list - o, "%s/%s%s%.*s;", tbl, strcmp(tbl, "cameras") ? "" : rkey,
             end ? " " : "", end ? (int)strcspn(end, ",}") : 0, end ? end : "");
    g->n++;
}

static int64_t log_rows(void)
{
    sqlite3 *db;
    sqlite3_stmt *s;
    int64_t n = -1;
    assert_int_equal(sqlite3_open(dbpath, &db), SQLITE_OK);
    sqlite3_prepare_v2(db, "SELECT COUNT(*) FROM sync_log", -1, &s, NULL);
    if (sqlite3_step(s) == SQLITE_ROW)
        n = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    sqlite3_close(db);
    return n;
}

static void test_change_log(void **state)
{
    struct cw_store *st;
    struct cw_sync_info in;
    int64_t run, rows, first, last, complete;
    struct got g = {"", 0};
    (void)state;
    assert_int_equal(cw_store_open(dbpath, 0, &st), 0);
    assert_int_equal(cw_store_begin_run(st, 100 * S, 1, &run), 0);
    struct cw_store_batch *b = cw_store_batch_new();
    cw_store_batch_camera_start(b, &cam_a, 100 * S);
    cw_store_batch_transition(b, "a", 101 * S, "online", "", "");
    cw_store_batch_heartbeat(b, run, 102 * S);
    assert_int_equal(cw_store_apply(st, b), 0);
    cw_store_batch_free(b);
    /* no province: the log stays empty */
    assert_int_equal(log_rows(), 0);
    assert_int_equal(cw_store_sync_info(st, &in), 0);
    assert_int_equal(in.on, 0);
    assert_int_equal((int)strlen(in.epoch), 32);

    /* on: what was written before comes by the backfill */
    assert_int_equal(cw_store_sync_enable(st, 1), 0);
    assert_int_equal(cw_store_sync_info(st, &in), 0);
    assert_int_equal(in.on, 1);
    assert_int_equal(in.backfill, 1);
    assert_int_equal(cw_store_sync_backfill(st, &rows), 0);
    assert_int_equal(rows, 4); /* the camera, two spans, the run */

    /* a change: the open span gets its end, a new span opens; both logged
     * in the batch's own transaction */
    b = cw_store_batch_new();
    cw_store_batch_transition(b, "a", 150 * S, "offline", "unreachable", "Connection refused");
    cw_store_batch_heartbeat(b, run, 151 * S);
    assert_int_equal(cw_store_apply(st, b), 0);
    cw_store_batch_free(b);
    assert_int_equal(log_rows(), 6);
    assert_int_equal(cw_store_sync_info(st, &in), 0);
    assert_int_equal(in.waiting, 6);
    assert_true(in.oldest_us > 0);

    /* one batch of everything: each row once, in its newest state (the
     * online span closed at 150), in the order of its last change */
    assert_int_equal(cw_store_sync_batch(st, in.acked, 100, on_row, &g, &first, &last, &complete), 0);
    assert_string_equal(g.list, "cameras/a;spans/ \"end_us\":101000000;runs/;spans/ \"end_us\":150000000;"
                                "spans/ \"end_us\":null;");
    assert_int_equal(last - first + 1, 6);
    assert_int_equal(complete, 151 * S); /* the whole log: complete up to the heartbeat */

    /* a batch that stops short of the log's end claims no completeness */
    memset(&g, 0, sizeof g);
    assert_int_equal(cw_store_sync_batch(st, in.acked, 2, on_row, &g, &first, &last, &complete), 0);
    assert_int_equal(g.n, 2);
    assert_int_equal(complete, 0);

    /* acknowledged: the log up to it goes; nothing waits */
    memset(&g, 0, sizeof g);
    assert_int_equal(cw_store_sync_batch(st, in.acked, 100, on_row, &g, &first, &last, &complete), 0);
    assert_int_equal(cw_store_sync_acked(st, last, 200 * S), 0);
    assert_int_equal(log_rows(), 0);
    assert_int_equal(cw_store_sync_info(st, &in), 0);
    assert_int_equal(in.acked, last);
    assert_int_equal(in.waiting, 0);
    assert_int_equal(in.last_success_us, 200 * S);

    /* a camera's history again, with its marker after it */
    assert_int_equal(cw_store_sync_resend(st, "a"), 1);
    memset(&g, 0, sizeof g);
    assert_int_equal(cw_store_sync_batch(st, in.acked, 100, on_row, &g, &first, &last, &complete), 0);
    assert_int_equal(g.n, 5); /* camera, three spans, the marker */
    assert_non_null(strstr(g.list, "resent/;"));
    /* asked again before that is acknowledged (the province's answer to a
     * batch that did not yet hold the marker): not logged again, or a
     * camera longer than a batch would be sent again forever */
    int64_t before = log_rows();
    assert_int_equal(cw_store_sync_resend(st, "a"), 0);
    assert_int_equal(log_rows(), before);
    /* once the marker is acknowledged, a new request sends it again */
    assert_int_equal(cw_store_sync_acked(st, last, 210 * S), 0);
    assert_int_equal(cw_store_sync_resend(st, "a"), 1);
    assert_int_equal(log_rows(), 5);

    /* off again: the log is emptied and the next start backfills */
    assert_int_equal(cw_store_sync_enable(st, 0), 0);
    assert_int_equal(log_rows(), 0);
    assert_int_equal(cw_store_end_run(st, run, 160 * S), 0);
    assert_int_equal(log_rows(), 0);
    assert_int_equal(cw_store_sync_info(st, &in), 0);
    assert_int_equal(in.backfill, 1);
    cw_store_close(st);
}

int main(void)
{
    cw_log_set_level(-1);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_run_spans_and_clean_stop, setup, teardown),
        cmocka_unit_test_setup_teardown(test_crash_ends_spans_at_last_heartbeat, setup, teardown),
        cmocka_unit_test_setup_teardown(test_verify_catches_overlap_and_gap, setup, teardown),
        cmocka_unit_test_setup_teardown(test_outage_ending_at_the_period_start, setup, teardown),
        cmocka_unit_test_setup_teardown(test_newer_schema_is_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_readonly_does_not_create, setup, teardown),
        cmocka_unit_test_setup_teardown(test_change_log, setup, teardown),
    };
    return cmocka_run_group_tests_name("store", tests, NULL, NULL);
}
