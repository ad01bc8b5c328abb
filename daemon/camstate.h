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
 * of attempts. */
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
};

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

#endif
