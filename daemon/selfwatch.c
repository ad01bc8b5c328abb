/* Loop lag and process figures; see selfwatch.h. */
#include "selfwatch.h"

#include <dirent.h>
#include <stdio.h>
#include <unistd.h>

#include "clock.h"
#include "error.h"
#include "log.h"

static void on_tick(uv_timer_t *t)
{
    struct cw_selfwatch *w = t->data;
    int64_t now = cw_mono_us();
    int64_t lag = now - w->last_mono_us - (int64_t)CW_SELFWATCH_TICK_MS * 1000;
    w->last_mono_us = now;
    if (lag < 0)
        lag = 0;
    if (lag > w->lag_max_us)
        w->lag_max_us = lag;
    if (lag > w->lag_window_us)
        w->lag_window_us = lag;
    if (lag > CW_SELFWATCH_WARN_US) {
        w->stalls++;
        cw_warn("daemon", NULL, "the event loop was blocked for %.2f s", lag / 1e6);
    }
}

int cw_selfwatch_start(struct cw_selfwatch *w, uv_loop_t *loop)
{
    int rc = uv_timer_init(loop, &w->timer);
    if (rc < 0)
        return rc;
    w->timer.data = w;
    w->last_mono_us = cw_mono_us();
    /* The timer never keeps the loop alive on its own: shutdown waits only
     * for real work. */
    uv_unref((uv_handle_t *)&w->timer);
    return uv_timer_start(&w->timer, on_tick, CW_SELFWATCH_TICK_MS, CW_SELFWATCH_TICK_MS);
}

void cw_selfwatch_stop(struct cw_selfwatch *w)
{
    if (!uv_is_closing((uv_handle_t *)&w->timer))
        uv_close((uv_handle_t *)&w->timer, NULL);
}

int64_t cw_selfwatch_take_window(struct cw_selfwatch *w)
{
    int64_t v = w->lag_window_us;
    w->lag_window_us = 0;
    return v;
}

int cw_proc_rss_bytes(int64_t *out)
{
    FILE *f = fopen("/proc/self/statm", "r");
    long long size, resident;
    if (!f)
        return CW_EIO;
    int n = fscanf(f, "%lld %lld", &size, &resident);
    fclose(f);
    if (n != 2)
        return CW_EIO;
    *out = resident * (int64_t)sysconf(_SC_PAGESIZE);
    return 0;
}

int cw_proc_open_fds(int *out)
{
    DIR *d = opendir("/proc/self/fd");
    struct dirent *e;
    int n = 0;
    if (!d)
        return CW_EIO;
    while ((e = readdir(d)))
        n += e->d_name[0] != '.';
    closedir(d);
    *out = n - 1; /* the descriptor opendir itself holds */
    return 0;
}
