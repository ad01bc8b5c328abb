/* Event hysteresis (see events.h). */
#include "events.h"

#include "clock.h"
#include "config.h"

void cw_event_tracker_init(struct cw_event_tracker *t, const struct cw_event_rules *r)
{
    *t = (struct cw_event_tracker){.rules = *r};
}

static void finish(struct cw_event_tracker *t, struct cw_event_span *e, int64_t end)
{
    *e = (struct cw_event_span){t->start_us, end, t->peak, t->peak_us};
    t->active = 0;
    t->peak = 0;
}

int cw_event_feed(struct cw_event_tracker *t, int64_t now, int minute, int positive, double score,
                  struct cw_event_span *ended)
{
    int flags = 0;
    if (t->active) {
        /* quiet long enough: the event ended at its last positive analysis */
        if (now - t->last_positive_us >= t->rules.quiet_us) {
            finish(t, ended, t->last_positive_us);
            flags |= CW_EVENT_ENDED;
        } else if (now - t->start_us >= t->rules.max_us) {
            finish(t, ended, now);
            flags |= CW_EVENT_ENDED;
            if (positive) { /* still going: a new event continues it */
                t->active = 1;
                t->start_us = now;
                t->last_positive_us = now;
                t->peak = score;
                t->peak_us = now;
                return flags | CW_EVENT_STARTED | CW_EVENT_PEAK;
            }
        }
    }
    if (!positive) {
        t->run = 0;
        return flags;
    }
    if (t->run++ == 0)
        t->first_positive = now;
    if (t->active) {
        t->last_positive_us = now;
        if (score > t->peak) {
            t->peak = score;
            t->peak_us = now;
            flags |= CW_EVENT_PEAK;
        }
        return flags;
    }
    if (t->run >= t->rules.start_after &&
        cw_schedule_contains(t->rules.sched_from_min, t->rules.sched_to_min, minute)) {
        t->active = 1;
        t->start_us = t->first_positive;
        t->last_positive_us = now;
        t->peak = score;
        t->peak_us = now;
        flags |= CW_EVENT_STARTED | CW_EVENT_PEAK;
    }
    return flags;
}

int cw_event_flush(struct cw_event_tracker *t, struct cw_event_span *ended)
{
    t->run = 0;
    if (!t->active)
        return 0;
    finish(t, ended, t->last_positive_us);
    return 1;
}
