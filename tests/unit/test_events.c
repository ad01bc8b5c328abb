/* Event hysteresis: start after N positives in a row, end after a quiet
 * period (at the last positive), split at the maximum length, and only
 * start inside the schedule (which may wrap midnight). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "../../daemon/clock.h"
#include "../../daemon/config.h"
#include "../../daemon/events.h"

#define S 1000000LL

static void test_start_quiet_end(void **state)
{
    struct cw_event_rules r = {3, 2 * S, 60 * S, -1, -1};
    struct cw_event_tracker t;
    struct cw_event_span e;
    (void)state;
    cw_event_tracker_init(&t, &r);
    assert_int_equal(cw_event_feed(&t, 0, 0, 1, 0.1, &e), 0);
    assert_int_equal(cw_event_feed(&t, 1 * S / 5, 0, 0, 0, &e), 0); /* a gap resets the run */
    assert_int_equal(cw_event_feed(&t, 2 * S / 5, 0, 1, 0.1, &e), 0);
    assert_int_equal(cw_event_feed(&t, 3 * S / 5, 0, 1, 0.3, &e), 0);
    int f = cw_event_feed(&t, 4 * S / 5, 0, 1, 0.2, &e);
    assert_true(f & CW_EVENT_STARTED);
    assert_int_equal(t.start_us, 2 * S / 5); /* starts at the run's first positive */
    assert_int_equal(cw_event_feed(&t, 1 * S, 0, 1, 0.5, &e), CW_EVENT_PEAK);
    assert_int_equal(cw_event_feed(&t, 2 * S, 0, 0, 0, &e), 0);          /* quiet 1 s: still on */
    assert_int_equal(cw_event_feed(&t, 3 * S, 0, 0, 0, &e), CW_EVENT_ENDED); /* quiet 2 s: over */
    assert_int_equal(e.start_us, 2 * S / 5);
    assert_int_equal(e.end_us, 1 * S);
    assert_true(e.peak == 0.5);
    assert_int_equal(e.peak_us, 1 * S);
}

static void test_split_at_max(void **state)
{
    struct cw_event_rules r = {1, 5 * S, 10 * S, -1, -1};
    struct cw_event_tracker t;
    struct cw_event_span e;
    int ended = 0;
    (void)state;
    cw_event_tracker_init(&t, &r);
    for (int i = 0; i <= 25; i++)
        if (cw_event_feed(&t, i * S, 0, 1, 0.2, &e) & CW_EVENT_ENDED) {
            ended++;
            assert_int_equal(e.end_us - e.start_us, 10 * S);
        }
    assert_int_equal(ended, 2);
    assert_int_equal(cw_event_flush(&t, &e), 1);
    assert_int_equal(e.start_us, 20 * S);
    assert_int_equal(e.end_us, 25 * S);
    assert_int_equal(cw_event_flush(&t, &e), 0);
}

static void test_schedule_wraps_midnight(void **state)
{
    struct cw_event_rules r = {1, 1 * S, 60 * S, 0, 0};
    struct cw_event_tracker t;
    struct cw_event_span e;
    (void)state;
    assert_int_equal(cw_parse_schedule("22:00-05:00", &r.sched_from_min, &r.sched_to_min), 0);
    assert_int_equal(cw_parse_schedule("25:00-05", &r.sched_from_min, &r.sched_to_min) < 0, 1);
    assert_int_equal(cw_parse_schedule("22:00-05:00", &r.sched_from_min, &r.sched_to_min), 0);
    assert_true(cw_schedule_contains(r.sched_from_min, r.sched_to_min, 23 * 60));
    assert_true(cw_schedule_contains(r.sched_from_min, r.sched_to_min, 4 * 60 + 59));
    assert_false(cw_schedule_contains(r.sched_from_min, r.sched_to_min, 5 * 60));
    assert_false(cw_schedule_contains(r.sched_from_min, r.sched_to_min, 12 * 60));
    cw_event_tracker_init(&t, &r);
    assert_int_equal(cw_event_feed(&t, 0, 12 * 60, 1, 0.5, &e), 0); /* noon: no event */
    assert_true(cw_event_feed(&t, 1 * S, 23 * 60, 1, 0.5, &e) & CW_EVENT_STARTED);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_start_quiet_end),
        cmocka_unit_test(test_split_at_max),
        cmocka_unit_test(test_schedule_wraps_midnight),
    };
    return cmocka_run_group_tests_name("events", tests, NULL, NULL);
}
