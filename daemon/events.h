/* Turning a plugin's per-analysis verdicts into events, with hysteresis:
 * an event starts after `start_after` positive analyses in a row (inside
 * the schedule), ends `quiet` after the last positive one, and is split at
 * `max` length. Pure logic on caller-supplied times. */
#ifndef CW_EVENTS_H
#define CW_EVENTS_H
#include <stdint.h>

struct cw_event_rules {
    int start_after;
    int64_t quiet_us, max_us;
    int sched_from_min, sched_to_min; /* -1: always */
};

struct cw_event_tracker {
    struct cw_event_rules rules;
    int active;
    int run;                /* positive analyses in a row */
    int64_t first_positive; /* of the current run */
    int64_t start_us, last_positive_us;
    double peak;
    int64_t peak_us;
};

enum {
    CW_EVENT_STARTED = 1, /* an event began (at start_us) */
    CW_EVENT_ENDED = 2,   /* the previous event ended: see *ended */
    CW_EVENT_PEAK = 4,    /* this analysis is the event's new peak */
};

struct cw_event_span {
    int64_t start_us, end_us;
    double peak;
    int64_t peak_us;
};

void cw_event_tracker_init(struct cw_event_tracker *t, const struct cw_event_rules *r);
/* One analysis at time t (local minute of day for the schedule). Returns
 * CW_EVENT_* flags; when ENDED, *ended describes the finished event. */
int cw_event_feed(struct cw_event_tracker *t, int64_t t_us, int minute_of_day, int positive, double score,
                  struct cw_event_span *ended);
/* Ends an active event now (the session ended); returns 1 if it did. */
int cw_event_flush(struct cw_event_tracker *t, struct cw_event_span *ended);

#endif
