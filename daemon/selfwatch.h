/* The daemon watching itself: how late the event loop runs and what the
 * process holds (resident memory, open descriptors).
 *
 * A blocked loop is the failure a monitoring daemon cannot see from the
 * outside: cameras look frozen while camwatchd itself is stuck. A timer
 * that should fire every CW_SELFWATCH_TICK_MS measures how late it ran;
 * the lateness is the longest time the loop did nothing else. */
#ifndef CW_SELFWATCH_H
#define CW_SELFWATCH_H
#include <stdint.h>
#include <uv.h>

#define CW_SELFWATCH_TICK_MS 100
/* A lag above this is logged (once per stall) as a warning. */
#define CW_SELFWATCH_WARN_US 1000000

struct cw_selfwatch {
    uv_timer_t timer;
    int64_t last_mono_us;
    int64_t lag_max_us;     /* since start */
    int64_t lag_window_us;  /* largest since the last cw_selfwatch_take_window */
    int64_t stalls;         /* lags above CW_SELFWATCH_WARN_US */
};

int cw_selfwatch_start(struct cw_selfwatch *w, uv_loop_t *loop);
void cw_selfwatch_stop(struct cw_selfwatch *w);
/* The largest lag since the previous call; starts a new window. */
int64_t cw_selfwatch_take_window(struct cw_selfwatch *w);

/* This process's resident set size in bytes (from /proc/self/statm). */
int cw_proc_rss_bytes(int64_t *out);
/* How many file descriptors this process has open (/proc/self/fd). */
int cw_proc_open_fds(int *out);

#endif
