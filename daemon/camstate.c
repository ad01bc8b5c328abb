/* Camera state transitions and reconnect backoff (see camstate.h). */
#include "camstate.h"

#include <string.h>

static const char *const state_names[] = {"starting", "online", "stalled", "offline"};
static const char *const cause_names[] = {"", "unreachable", "auth_failed", "not_found", "no_video", "stream_error"};

const char *cw_state_name(enum cw_state s) { return s < CW_STATE__COUNT ? state_names[s] : "?"; }
const char *cw_cause_name(enum cw_cause c) { return c < CW_CAUSE__COUNT ? cause_names[c] : "?"; }

void cw_camstate_init(struct cw_camstate *cs, int64_t now_wall_us, uint64_t seed)
{
    cs->state = CW_STATE_STARTING;
    cs->cause = CW_CAUSE_NONE;
    cs->since_wall_us = now_wall_us;
    cs->online_mono_us = 0;
    cs->backoff_us = CW_BACKOFF_MIN_US;
    cs->rng = seed ? seed : 0x9E3779B97F4A7C15ULL;
    cs->outage_since_wall_us = 0;
    cs->prior_outage_us = 0;
}

void cw_camstate_resume_outage(struct cw_camstate *cs, int64_t since_wall_us)
{
    cs->prior_outage_us = since_wall_us;
}

static int set(struct cw_camstate *cs, enum cw_state s, enum cw_cause c, int64_t now_wall_us)
{
    if (cs->state == s && cs->cause == c)
        return 0;
    /* Evidence may be older than the current state's start (a packet that
     * arrived just before a message was handled): never go back in time. */
    if (now_wall_us < cs->since_wall_us)
        now_wall_us = cs->since_wall_us;
    int down = s == CW_STATE_STALLED || s == CW_STATE_OFFLINE;
    int was_down = cs->state == CW_STATE_STALLED || cs->state == CW_STATE_OFFLINE;
    if (!down)
        cs->outage_since_wall_us = 0;
    else if (!was_down) {
        /* A camera whose first result here is down continues the outage
         * the store recorded before the restart. */
        cs->outage_since_wall_us = cs->state == CW_STATE_STARTING && cs->prior_outage_us > 0 &&
                                           cs->prior_outage_us <= now_wall_us
                                       ? cs->prior_outage_us
                                       : now_wall_us;
    }
    if (cs->state == CW_STATE_STARTING)
        cs->prior_outage_us = 0; /* only the first result may continue it */
    cs->state = s;
    cs->cause = c;
    cs->since_wall_us = now_wall_us;
    return 1;
}

int cw_camstate_video(struct cw_camstate *cs, int64_t now_wall_us, int64_t now_mono_us)
{
    if (cs->state != CW_STATE_ONLINE)
        cs->online_mono_us = now_mono_us;
    return set(cs, CW_STATE_ONLINE, CW_CAUSE_NONE, now_wall_us);
}

int cw_camstate_stalled(struct cw_camstate *cs, int64_t now_wall_us)
{
    if (cs->state == CW_STATE_OFFLINE)
        return 0;
    return set(cs, CW_STATE_STALLED, CW_CAUSE_NONE, now_wall_us);
}

/* xorshift64*: enough for jitter, and no shared state between cameras. */
static uint64_t next_rand(struct cw_camstate *cs)
{
    cs->rng ^= cs->rng >> 12;
    cs->rng ^= cs->rng << 25;
    cs->rng ^= cs->rng >> 27;
    return cs->rng * 0x2545F4914F6CDD1DULL;
}

int cw_camstate_ended(struct cw_camstate *cs, enum cw_cause cause, int64_t now_wall_us, int64_t now_mono_us,
                      int64_t *retry_us)
{
    /* A session that delivered video for long enough was a recovery: start
     * the backoff again from the bottom. */
    if (cs->state == CW_STATE_ONLINE && now_mono_us - cs->online_mono_us >= CW_BACKOFF_RESET_US)
        cs->backoff_us = CW_BACKOFF_MIN_US;
    int64_t base = cs->backoff_us;
    /* Full jitter in [0.75, 1.25) x base keeps a fleet that lost its uplink
     * together from reconnecting in lockstep. */
    int64_t jitter = (int64_t)(next_rand(cs) % (uint64_t)(base / 2 + 1)) - base / 4;
    int64_t d = base + jitter;
    if (d > CW_BACKOFF_MAX_US)
        d = CW_BACKOFF_MAX_US;
    if (d < CW_BACKOFF_MIN_US / 2)
        d = CW_BACKOFF_MIN_US / 2;
    *retry_us = d;
    cs->backoff_us = base * 2 > CW_BACKOFF_MAX_US ? CW_BACKOFF_MAX_US : base * 2;
    cs->online_mono_us = 0;
    return set(cs, CW_STATE_OFFLINE, cause, now_wall_us);
}

int cw_camstate_recause(struct cw_camstate *cs, enum cw_cause cause, int64_t now_wall_us)
{
    if (cs->state != CW_STATE_OFFLINE)
        return 0;
    return set(cs, CW_STATE_OFFLINE, cause, now_wall_us);
}

int cw_camstate_stall_gave_up(struct cw_camstate *cs, int64_t *retry_us)
{
    *retry_us = CW_STALL_RETRY_US;
    return cs->state == CW_STATE_STALLED ? 0 : -1;
}

/* Least to most specific; a stall is the one entry that is no offline
 * cause (CW_CAUSE_NONE). The rank is the index + 1. */
static const enum cw_cause outage_order[] = {CW_CAUSE_STREAM_ERROR, CW_CAUSE_NONE,     CW_CAUSE_UNREACHABLE,
                                             CW_CAUSE_NO_VIDEO,     CW_CAUSE_NOT_FOUND, CW_CAUSE_AUTH_FAILED};
#define N_RANKS ((int)(sizeof outage_order / sizeof outage_order[0]))

int cw_outage_rank(const char *state, const char *cause)
{
    int stalled = strcmp(state, "stalled") == 0;
    if (!stalled && strcmp(state, "offline") != 0)
        return 0;
    for (int i = 0; i < N_RANKS; i++)
        if (stalled ? outage_order[i] == CW_CAUSE_NONE
                    : outage_order[i] != CW_CAUSE_NONE && strcmp(cause, cw_cause_name(outage_order[i])) == 0)
            return i + 1;
    return 1; /* an unknown cause ranks with stream_error */
}

enum cw_cause cw_outage_rank_cause(int rank)
{
    return rank >= 1 && rank <= N_RANKS ? outage_order[rank - 1] : CW_CAUSE_STREAM_ERROR;
}
