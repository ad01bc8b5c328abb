/* The camera state machine and its reconnect backoff, on a fake clock. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "../../daemon/camstate.h"

#define S 1000000LL

static void test_transitions(void **state)
{
    struct cw_camstate cs;
    int64_t retry;
    (void)state;
    cw_camstate_init(&cs, 100 * S, 42);
    assert_int_equal(cs.state, CW_STATE_STARTING);
    assert_int_equal(cw_camstate_video(&cs, 101 * S, 1 * S), 1);
    assert_int_equal(cs.state, CW_STATE_ONLINE);
    assert_int_equal(cs.since_wall_us, 101 * S);
    assert_int_equal(cw_camstate_video(&cs, 102 * S, 2 * S), 0); /* no new span */
    assert_int_equal(cw_camstate_stalled(&cs, 110 * S), 1);
    assert_int_equal(cs.state, CW_STATE_STALLED);
    assert_int_equal(cw_camstate_ended(&cs, CW_CAUSE_STREAM_ERROR, 115 * S, 15 * S, &retry), 1);
    assert_int_equal(cs.state, CW_STATE_OFFLINE);
    assert_int_equal(cs.cause, CW_CAUSE_STREAM_ERROR);
    /* A camera that is down stays down while attempts fail the same way... */
    assert_int_equal(cw_camstate_ended(&cs, CW_CAUSE_STREAM_ERROR, 120 * S, 20 * S, &retry), 0);
    assert_int_equal(cs.since_wall_us, 115 * S);
    /* ...and while it connects without video (no stalled flicker)... */
    assert_int_equal(cw_camstate_stalled(&cs, 125 * S), 0);
    assert_int_equal(cs.state, CW_STATE_OFFLINE);
    /* ...but a different cause is a new span. */
    assert_int_equal(cw_camstate_ended(&cs, CW_CAUSE_UNREACHABLE, 130 * S, 30 * S, &retry), 1);
    assert_string_equal(cw_cause_name(cs.cause), "unreachable");
    assert_int_equal(cw_camstate_video(&cs, 140 * S, 40 * S), 1);
    assert_int_equal(cs.cause, CW_CAUSE_NONE);
    assert_string_equal(cw_state_name(cs.state), "online");
}

static void test_starting_can_stall_or_fail(void **state)
{
    struct cw_camstate cs;
    int64_t retry;
    (void)state;
    cw_camstate_init(&cs, 0, 1);
    assert_int_equal(cw_camstate_stalled(&cs, 10 * S), 1);
    assert_int_equal(cs.state, CW_STATE_STALLED);
    cw_camstate_init(&cs, 0, 1);
    assert_int_equal(cw_camstate_ended(&cs, CW_CAUSE_AUTH_FAILED, 1 * S, 1 * S, &retry), 1);
    assert_string_equal(cw_cause_name(cs.cause), "auth_failed");
}

static void test_backoff_doubles_with_jitter_to_cap(void **state)
{
    struct cw_camstate cs;
    int64_t retry, base = S;
    (void)state;
    cw_camstate_init(&cs, 0, 7);
    for (int i = 0; i < 12; i++) {
        cw_camstate_ended(&cs, CW_CAUSE_UNREACHABLE, i * S, i * S, &retry);
        int64_t lo = base - base / 4, hi = base + base / 4;
        if (hi > CW_BACKOFF_MAX_US)
            hi = CW_BACKOFF_MAX_US;
        if (retry < lo || retry > hi)
            fail_msg("attempt %d: retry %lld not in [%lld, %lld]", i, (long long)retry, (long long)lo, (long long)hi);
        base = base * 2 > CW_BACKOFF_MAX_US ? CW_BACKOFF_MAX_US : base * 2;
    }
    assert_int_equal(cs.backoff_us, CW_BACKOFF_MAX_US);
}

static void test_backoff_resets_after_a_minute_online(void **state)
{
    struct cw_camstate cs;
    int64_t retry;
    (void)state;
    cw_camstate_init(&cs, 0, 9);
    for (int i = 0; i < 6; i++)
        cw_camstate_ended(&cs, CW_CAUSE_UNREACHABLE, 0, 0, &retry);
    assert_true(cs.backoff_us >= 32 * S);
    /* Online for 30 s only: no reset. */
    cw_camstate_video(&cs, 0, 100 * S);
    cw_camstate_ended(&cs, CW_CAUSE_STREAM_ERROR, 0, 130 * S, &retry);
    assert_true(retry >= 45 * S);
    /* Online for 61 s: back to about one second. */
    cw_camstate_video(&cs, 0, 200 * S);
    cw_camstate_ended(&cs, CW_CAUSE_STREAM_ERROR, 0, 261 * S, &retry);
    assert_true(retry <= S + S / 4);
    assert_int_equal(cs.backoff_us, 2 * S);
}

static void test_jitter_differs_between_cameras(void **state)
{
    struct cw_camstate a, b;
    int64_t ra, rb;
    int differ = 0;
    (void)state;
    cw_camstate_init(&a, 0, 1234);
    cw_camstate_init(&b, 0, 98765);
    for (int i = 0; i < 5; i++) {
        cw_camstate_ended(&a, CW_CAUSE_UNREACHABLE, 0, 0, &ra);
        cw_camstate_ended(&b, CW_CAUSE_UNREACHABLE, 0, 0, &rb);
        differ += ra != rb;
    }
    assert_true(differ >= 4);
}

/* The outage's start survives cause changes (stalled -> offline, a probe's
 * refinement) and, through resume_outage, a daemon restart; evidence older
 * than the current state never dates a span backwards. */
static void test_outage_start_across_causes_and_restarts(void **state)
{
    struct cw_camstate cs;
    int64_t retry;
    (void)state;
    cw_camstate_init(&cs, 100 * S, 3);
    cw_camstate_video(&cs, 101 * S, 1 * S);
    assert_int_equal(cs.outage_since_wall_us, 0);
    /* stalled, dated from the last packet (108 s) though seen at 111 s */
    assert_int_equal(cw_camstate_stalled(&cs, 108 * S), 1);
    assert_int_equal(cs.since_wall_us, 108 * S);
    assert_int_equal(cs.outage_since_wall_us, 108 * S);
    /* the stalled session is given up: still stalled, retried soon */
    assert_int_equal(cw_camstate_stall_gave_up(&cs, &retry), 0);
    assert_int_equal(cs.state, CW_STATE_STALLED);
    assert_int_equal(retry, CW_STALL_RETRY_US);
    assert_int_equal(cw_camstate_ended(&cs, CW_CAUSE_STREAM_ERROR, 115 * S, 15 * S, &retry), 1);
    assert_int_equal(cw_camstate_recause(&cs, CW_CAUSE_UNREACHABLE, 116 * S), 1);
    assert_int_equal(cs.cause, CW_CAUSE_UNREACHABLE);
    assert_int_equal(cs.outage_since_wall_us, 108 * S);
    /* a recovery dated from its first packet ends the outage */
    assert_int_equal(cw_camstate_video(&cs, 120 * S, 20 * S), 1);
    assert_int_equal(cs.outage_since_wall_us, 0);
    assert_int_equal(cw_camstate_recause(&cs, CW_CAUSE_UNREACHABLE, 121 * S), 0); /* only while offline */
    /* evidence older than the current state's start is clamped */
    assert_int_equal(cw_camstate_stalled(&cs, 119 * S), 1);
    assert_int_equal(cs.since_wall_us, 120 * S);

    /* after a restart, a first result that is down continues the outage */
    cw_camstate_init(&cs, 500 * S, 4);
    cw_camstate_resume_outage(&cs, 200 * S);
    assert_int_equal(cw_camstate_ended(&cs, CW_CAUSE_UNREACHABLE, 501 * S, 1 * S, &retry), 1);
    assert_int_equal(cs.since_wall_us, 501 * S);
    assert_int_equal(cs.outage_since_wall_us, 200 * S);
    /* ...but one that is up ends it, and a later outage starts afresh */
    cw_camstate_init(&cs, 500 * S, 4);
    cw_camstate_resume_outage(&cs, 200 * S);
    cw_camstate_video(&cs, 501 * S, 1 * S);
    cw_camstate_ended(&cs, CW_CAUSE_UNREACHABLE, 600 * S, 100 * S, &retry);
    assert_int_equal(cs.outage_since_wall_us, 600 * S);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_transitions),
        cmocka_unit_test(test_starting_can_stall_or_fail),
        cmocka_unit_test(test_backoff_doubles_with_jitter_to_cap),
        cmocka_unit_test(test_backoff_resets_after_a_minute_online),
        cmocka_unit_test(test_jitter_differs_between_cameras),
        cmocka_unit_test(test_outage_start_across_causes_and_restarts),
    };
    return cmocka_run_group_tests_name("camstate", tests, NULL, NULL);
}
