/* Ingest without a camera: the error-to-cause table, and a session
 * against a loopback port that refuses, started and stopped cleanly. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <errno.h>
#include <unistd.h>
#include <cmocka.h>
#include <libavutil/error.h>
#include <stdatomic.h>

#include "../../daemon/ingest.h"
#include "../../daemon/log.h"

static void test_cause_table(void **state)
{
    (void)state;
    assert_int_equal(cw_ingest_cause_from_averror(AVERROR_HTTP_UNAUTHORIZED, 1), CW_CAUSE_AUTH_FAILED);
    assert_int_equal(cw_ingest_cause_from_averror(AVERROR_HTTP_FORBIDDEN, 1), CW_CAUSE_AUTH_FAILED);
    assert_int_equal(cw_ingest_cause_from_averror(AVERROR_HTTP_NOT_FOUND, 1), CW_CAUSE_NOT_FOUND);
    assert_int_equal(cw_ingest_cause_from_averror(AVERROR(ECONNREFUSED), 1), CW_CAUSE_UNREACHABLE);
    assert_int_equal(cw_ingest_cause_from_averror(AVERROR(ETIMEDOUT), 0), CW_CAUSE_UNREACHABLE);
    assert_int_equal(cw_ingest_cause_from_averror(AVERROR(EIO), 1), CW_CAUSE_UNREACHABLE); /* DNS */
    assert_int_equal(cw_ingest_cause_from_averror(AVERROR(EIO), 0), CW_CAUSE_STREAM_ERROR);
    assert_int_equal(cw_ingest_cause_from_averror(AVERROR_INVALIDDATA, 1), CW_CAUSE_STREAM_ERROR);
    assert_int_equal(cw_ingest_cause_from_averror(AVERROR_EOF, 0), CW_CAUSE_STREAM_ERROR);
}

static atomic_int notified;
static void on_notify(void *ud)
{
    (void)ud;
    atomic_fetch_add(&notified, 1);
}

static void test_refused_session_reports_unreachable(void **state)
{
    struct cw_ingest *ing;
    struct cw_ingest_msg m;
    struct cw_ingest_params p = {
        .camera_id = "t", .url = "rtsp://user:pw@127.0.0.1:1/x", .transport = 0,
        .connect_timeout_us = 2000000, .stall_timeout_us = 2000000, .notify = on_notify, .ud = NULL,
    };
    (void)state;
    assert_int_equal(cw_ingest_start(&p, &ing), 0);
    cw_ingest_connect(ing);
    int got = 0;
    for (int i = 0; i < 300 && !got; i++) {
        got = cw_ingest_poll(ing, &m);
        if (!got)
            usleep(10000);
    }
    assert_true(got);
    assert_true(atomic_load(&notified) >= 1);
    assert_int_equal(m.kind, CW_INGEST_ENDED);
    assert_int_equal(m.cause, CW_CAUSE_UNREACHABLE);
    struct cw_ingest_stats st;
    cw_ingest_get_stats(ing, &st);
    assert_int_equal(st.sessions, 1);
    assert_int_equal(st.connected, 0);
    cw_ingest_stop(ing);
}

static void test_stop_while_idle(void **state)
{
    struct cw_ingest *ing;
    struct cw_ingest_params p = {.camera_id = "t", .url = "rtsp://127.0.0.1:1/x", .connect_timeout_us = 1000000,
                                 .stall_timeout_us = 1000000, .notify = on_notify};
    (void)state;
    assert_int_equal(cw_ingest_start(&p, &ing), 0);
    cw_ingest_stop(ing); /* never connected: joins at once */
}

int main(void)
{
    cw_log_set_level(-1);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cause_table),
        cmocka_unit_test(test_refused_session_reports_unreachable),
        cmocka_unit_test(test_stop_while_idle),
    };
    return cmocka_run_group_tests_name("ingest", tests, NULL, NULL);
}
