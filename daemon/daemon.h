/* The daemon's root object: the only long-lived global state of camwatchd.
 * It owns the config, the loop's handles, the store and the cameras. */
#ifndef CW_DAEMON_H
#define CW_DAEMON_H
#include <stdint.h>
#include <uv.h>

#include "config.h"
#include "store.h"

struct cw_camera;

struct cw_daemon {
    char *config_path;
    struct cw_config *cfg;
    uv_loop_t *loop;
    struct cw_store *store;
    int64_t run_id;

    struct cw_camera **cameras;
    int n_cameras;

    /* Store writes: collected on the loop in `pending`, applied off the
     * loop on the thread pool one batch at a time. */
    struct cw_store_batch *pending;
    struct cw_store_batch *inflight;
    int inflight_rc;
    uv_work_t flush_work;
    uv_timer_t flush_timer;
    int64_t last_heartbeat_mono;

    uv_signal_t sig_term, sig_int;
    int stopping;
    int exit_code;
};

int cw_daemon_init(struct cw_daemon *d, uv_loop_t *loop, const char *config_path);
/* Runs until SIGTERM/SIGINT; returns the process exit code. */
int cw_daemon_run(struct cw_daemon *d);
void cw_daemon_free(struct cw_daemon *d);

/* The batch that the next flush writes (for cameras to append to). */
struct cw_store_batch *cw_daemon_batch(struct cw_daemon *d);

#endif
