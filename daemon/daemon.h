/* The daemon's root object: the only long-lived global state of camwatchd.
 * It owns the config, the loop's handles, the store and the cameras. */
#ifndef CW_DAEMON_H
#define CW_DAEMON_H
#include <stdint.h>
#include <sys/types.h>
#include <uv.h>

#include "config.h"
#include "live.h"
#include "selfwatch.h"
#include "maintenance.h"
#include "store.h"

struct cw_camera;
struct cw_plugin;

struct cw_verdict;

struct cw_daemon {
    char *config_path;
    struct cw_config *cfg;
    uv_loop_t *loop;
    struct cw_store *store;
    int64_t run_id;
    int lock_fd;         /* DATABASE.lock, flock()ed for the daemon's life; -1 none */
    dev_t db_dev;        /* the database file as opened: a deleted or replaced */
    ino_t db_ino;        /* file is noticed at the next flush */

    struct cw_camera **cameras;
    int n_cameras;
    struct cw_verdict *verdict; /* the month judged by the report's rules */

    /* Detection plugins, loaded on first use; a failed load is remembered
     * (plugin NULL) so that it is reported once, not per camera. */
    struct cw_daemon_plugin {
        char *name;
        struct cw_plugin *plugin;
    } *plugins;
    int n_plugins;
    char *snapshot_root; /* state_dir/snapshots */
    uv_timer_t retention_timer;
    uv_work_t retention_work;
    int retention_busy;

    /* Store writes: collected on the loop in `pending`, applied off the
     * loop on the thread pool one batch at a time. */
    struct cw_store_batch *pending;
    struct cw_store_batch *inflight;
    int inflight_rc;
    uv_work_t flush_work;
    int flush_running;  /* flush_work queued and not yet done: never queue it twice */
    int write_failures; /* flushes failed in a row (logged once a minute) */
    int run_pending;    /* the run could not be recorded at start (disk full): the flush retries it */
    char open_err[256]; /* why the database could not be opened, while it cannot */
    /* Maintenance windows now or to come, read from the store with each
     * flush (the CLI writes them; no restart needed). */
    struct cw_maint *maint, *maint_loaded;
    int n_maint, maint_cap, n_maint_loaded, maint_cap_loaded;
    /* the latest acknowledgement per camera (last 30 days), read like the
     * windows: loaded with each flush, swapped in on the loop */
    struct cw_ack {
        char camera[72], by[64];
        int64_t at_us;
    } *acks, *acks_loaded;
    int n_acks, n_acks_loaded, acks_cap_loaded;
    uv_timer_t flush_timer;
    int64_t last_heartbeat_mono;
    struct cw_selfwatch selfwatch; /* loop lag, RSS, fds for the metrics */

    /* the live view for the HTTP server, published every flush tick */
    struct cw_live_box live;
    struct cw_http *http;
    struct cw_httpc *httpc;
    struct cw_push *push;
    struct cw_alerts *alerts;
    /* batch numbers: alerts may be sent once the batch holding them is
     * committed (the outbox comes first) */
    uint64_t batch_seq, inflight_seq, committed_seq;
    int flush_again; /* an urgent flush was asked for while one was in flight */
    int64_t started_us;
    int notify;   /* running under systemd with Type=notify */

    uv_signal_t sig_term, sig_int, sig_hup;
    int stopping;
    int exit_code;
};

int cw_daemon_init(struct cw_daemon *d, uv_loop_t *loop, const char *config_path);
/* Runs until SIGTERM/SIGINT; returns the process exit code. */
int cw_daemon_run(struct cw_daemon *d);
void cw_daemon_free(struct cw_daemon *d);

/* The loaded plugin of that name, or NULL (already reported) if it cannot
 * be loaded. */
const struct cw_plugin *cw_daemon_plugin(struct cw_daemon *d, const char *name);

/* Writes the pending batch now instead of at the next tick (an alert is
 * in it and must be committed before it is sent). */
void cw_daemon_flush_soon(struct cw_daemon *d);

/* The batch that the next flush writes (for cameras to append to). */
struct cw_store_batch *cw_daemon_batch(struct cw_daemon *d);

#endif
