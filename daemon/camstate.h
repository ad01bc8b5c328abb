/* The camera state machine: what a camera is doing, and when to retry.
 *
 * Pure logic, no I/O: the camera module feeds it what the ingest thread
 * reported and gets back whether the state changed (a new span) and how
 * long to wait before reconnecting. Times are passed in, so tests drive it
 * with a fake clock.
 *
 *   starting --video--> online --no video for stall_timeout--> stalled
 *      |                  ^  \                                   |
 *      |                  |   `--session ended--> offline <------'
 *      `--session ended---+--------------------> (cause)
 *                         `---video after a reconnect---'
 *
 * A camera that is offline stays offline (with its cause) while reconnect
 * attempts fail or connect without delivering video; only video brings it
 * back online. That keeps a dead camera's history one span, not a flicker
 * of attempts. A stalled session that is given up and reconnected stays
 * `stalled` while the new session also brings no video.
 *
 * Boundaries are dated from evidence, by the caller: a stall (and an outage
 * that begins with a lost session) from the last video packet's arrival, a
 * recovery from the first video packet. The outage start survives cause
 * changes and, through cw_camstate_resume_outage, daemon restarts. */
#ifndef CW_CAMSTATE_H
#define CW_CAMSTATE_H
#include <stdint.h>

enum cw_state { CW_STATE_STARTING = 0, CW_STATE_ONLINE, CW_STATE_STALLED, CW_STATE_OFFLINE, CW_STATE__COUNT };

enum cw_cause {
    CW_CAUSE_NONE = 0,
    CW_CAUSE_UNREACHABLE, /* refused, timed out, no route, DNS */
    CW_CAUSE_AUTH_FAILED, /* 401 (or 403) */
    CW_CAUSE_NOT_FOUND,   /* 404: wrong stream path */
    CW_CAUSE_NO_VIDEO,    /* the SDP has no video stream */
    CW_CAUSE_STREAM_ERROR, /* anything else: protocol errors, resets, no data */
    CW_CAUSE__COUNT
};

/* Backoff: 1 s doubling to a 60 s cap; reset after 60 s online. */
#define CW_BACKOFF_MIN_US 1000000LL
#define CW_BACKOFF_MAX_US 60000000LL
#define CW_BACKOFF_RESET_US 60000000LL

struct cw_camstate {
    enum cw_state state;
    enum cw_cause cause;
    int64_t since_wall_us;    /* when the current state began */
    int64_t online_mono_us;   /* when video last (re)started; 0 if not online */
    int64_t backoff_us;       /* the next retry's base delay */
    uint64_t rng;             /* jitter; per camera so cameras de-synchronise */
    int64_t outage_since_wall_us; /* start of the current outage (any cause); 0 while not down */
    int64_t prior_outage_us;  /* an outage still going on when camwatchd last stopped */
};

/* The retry after a stalled session was given up: soon, because the
 * camera's RTSP server still answered a moment ago and a stall usually ends
 * on its own; the next session is the quickest way to see video again. */
#define CW_STALL_RETRY_US 200000LL

const char *cw_state_name(enum cw_state s);
const char *cw_cause_name(enum cw_cause c);

void cw_camstate_init(struct cw_camstate *cs, int64_t now_wall_us, uint64_t seed);

/* Video packets arrived (first after connect, or after a stall).
 * Returns 1 if the state changed. */
int cw_camstate_video(struct cw_camstate *cs, int64_t now_wall_us, int64_t now_mono_us);

/* Connected, but no video for stall_timeout. Returns 1 if the state changed
 * (an offline camera stays offline). */
int cw_camstate_stalled(struct cw_camstate *cs, int64_t now_wall_us);

/* The session ended (or never started) for cause. Returns 1 if the state
 * or cause changed. *retry_us gets the delay before the next attempt. */
int cw_camstate_ended(struct cw_camstate *cs, enum cw_cause cause, int64_t now_wall_us, int64_t now_mono_us,
                      int64_t *retry_us);

/* An offline camera's cause, refined by other evidence than a session (a
 * probe): no effect on the backoff. Returns 1 if the cause changed. */
int cw_camstate_recause(struct cw_camstate *cs, enum cw_cause cause, int64_t now_wall_us);

/* The session given up after a stall (no video for stall_reconnect): a
 * stalled camera stays stalled (no new span) and is retried after
 * CW_STALL_RETRY_US: returns 0. Returns -1 if the camera was not stalled:
 * the caller then treats it as any ended session. */
int cw_camstate_stall_gave_up(struct cw_camstate *cs, int64_t *retry_us);

/* The store says this camera was down since `since_wall_us` when camwatchd
 * last stopped: if its first result here is down too, the outage goes on
 * from then (status, API and alerts show the real start). */
void cw_camstate_resume_outage(struct cw_camstate *cs, int64_t since_wall_us);

/* The report's one-cause-per-outage rule: an outage is attributed whole to
 * the most specific cause seen in it, auth_failed > not_found > no_video >
 * unreachable > stalled > stream_error. Returns that rank (higher wins; 0
 * for a state that is not down) of a span's state and cause. */
int cw_outage_rank(const char *state, const char *cause);
/* The cause an outage of that rank is attributed to; CW_CAUSE_NONE means
 * a stall (the one rank with no offline cause). */
enum cw_cause cw_outage_rank_cause(int rank);

#endif
