/* camwatchd's root object (see daemon.h): start-up, the periodic store
 * flush with its heartbeat, and an orderly shutdown on SIGTERM/SIGINT. */
#include "daemon.h"

#include <errno.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "camera.h"
#include "clock.h"
#include "error.h"
#include "ingest.h"
#include "log.h"

/* State changes, stats and the heartbeat reach the database this often; it
 * bounds what a crash can leave unaccounted (it becomes `unmonitored`). */
#define FLUSH_INTERVAL_MS 1000

struct cw_store_batch *cw_daemon_batch(struct cw_daemon *d) { return d->pending; }

static int mkdir_p(const char *path)
{
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s", path);
    for (char *p = tmp + 1; *p; p++) {
        if (*p == '/') {
            *p = '\0';
            if (mkdir(tmp, 0750) < 0 && errno != EEXIST)
                return -1;
            *p = '/';
        }
    }
    return mkdir(tmp, 0750) < 0 && errno != EEXIST ? -1 : 0;
}

static void flush_work(uv_work_t *w)
{
    struct cw_daemon *d = w->data;
    d->inflight_rc = cw_store_apply(d->store, d->inflight);
}

static void finish_shutdown(struct cw_daemon *d);

static void flush_done(uv_work_t *w, int status)
{
    struct cw_daemon *d = w->data;
    (void)status;
    if (d->inflight_rc < 0) {
        /* Keep the batch: it is applied again, before newer ones, on the
         * next tick. A full disk must not lose history. */
        cw_error("store", NULL, "writing to the database failed (%s); will retry", cw_strerror(d->inflight_rc));
    } else {
        cw_store_batch_free(d->inflight);
        d->inflight = NULL;
    }
    if (d->stopping)
        finish_shutdown(d);
}

static void collect_stats(struct cw_daemon *d, int64_t now)
{
    struct cw_stats_row row;
    for (int i = 0; i < d->n_cameras; i++) {
        cw_camera_stats(d->cameras[i], &row);
        cw_store_batch_stats(d->pending, d->cameras[i]->id, now, &row);
    }
}

static void on_flush(uv_timer_t *t)
{
    struct cw_daemon *d = t->data;
    int64_t mono = cw_mono_us();

    if (d->inflight) {
        if (d->inflight_rc < 0 && !d->stopping) /* retry a failed batch */
            uv_queue_work(d->loop, &d->flush_work, flush_work, flush_done);
        return;
    }
    /* Each tick writes the cameras' stats (so `camwatch status` is at most
     * a second or two behind) and a heartbeat. Every batch carries the
     * heartbeat: after a crash, spans end at the last heartbeat, which is
     * then never earlier than any change that was recorded. */
    collect_stats(d, cw_wall_us());
    cw_store_batch_heartbeat(d->pending, d->run_id, cw_wall_us());
    d->last_heartbeat_mono = mono;
    d->inflight = d->pending;
    d->pending = cw_store_batch_new();
    if (!d->pending) {
        cw_error("daemon", NULL, "out of memory");
        abort();
    }
    uv_queue_work(d->loop, &d->flush_work, flush_work, flush_done);
}

static void on_handle_closed(uv_handle_t *h) { (void)h; }

/* Runs once no flush is in flight: writes what is left, closes the run
 * (every open span ends now) and lets the loop end. */
static void finish_shutdown(struct cw_daemon *d)
{
    int64_t now = cw_wall_us();
    if (d->inflight) { /* a failed batch: one last try */
        if (cw_store_apply(d->store, d->inflight) < 0)
            cw_error("store", NULL, "could not write the last changes: %s", cw_store_errmsg(d->store));
        cw_store_batch_free(d->inflight);
        d->inflight = NULL;
    }
    if (cw_store_apply(d->store, d->pending) < 0)
        cw_error("store", NULL, "could not write the last changes: %s", cw_store_errmsg(d->store));
    if (cw_store_end_run(d->store, d->run_id, now) < 0) {
        cw_error("store", NULL, "could not record the clean stop");
        d->exit_code = 1;
    }
    if (!uv_is_closing((uv_handle_t *)&d->flush_timer))
        uv_close((uv_handle_t *)&d->flush_timer, on_handle_closed);
    cw_info("daemon", NULL, "stopped");
}

static void begin_shutdown(struct cw_daemon *d, const char *why)
{
    if (d->stopping)
        return;
    d->stopping = 1;
    cw_info("daemon", NULL, "%s: stopping %d camera(s)", why, d->n_cameras);
    uv_timer_stop(&d->flush_timer);
    uv_close((uv_handle_t *)&d->sig_term, on_handle_closed);
    uv_close((uv_handle_t *)&d->sig_int, on_handle_closed);
    collect_stats(d, cw_wall_us());
    for (int i = 0; i < d->n_cameras; i++)
        cw_camera_close(d->cameras[i], 0); /* end_run closes all spans at once */
    d->n_cameras = 0;
    if (!d->inflight || d->inflight_rc < 0)
        finish_shutdown(d);
    /* else flush_done finishes it */
}

static void on_signal(uv_signal_t *s, int signum)
{
    struct cw_daemon *d = s->data;
    begin_shutdown(d, signum == SIGTERM ? "SIGTERM" : "SIGINT");
}

int cw_daemon_init(struct cw_daemon *d, uv_loop_t *loop, const char *config_path)
{
    struct cw_config_errors errs = {0};
    int rc;

    memset(d, 0, sizeof *d);
    d->loop = loop;
    d->config_path = strdup(config_path);
    rc = cw_config_load(config_path, 0, &d->cfg, &errs);
    for (int i = 0; i < errs.n; i++)
        cw_error("config", NULL, "%s", errs.msgs[i]);
    cw_config_errors_free(&errs);
    if (rc < 0)
        return rc;
    cw_log_set_level(d->cfg->log_level);

    if (mkdir_p(d->cfg->state_dir) < 0) {
        cw_error("daemon", NULL, "cannot create state directory %s: %s", d->cfg->state_dir, strerror(errno));
        return CW_EIO;
    }
    char *dbdir = strdup(d->cfg->database);
    if (dbdir && mkdir_p(dirname(dbdir)) < 0) {
        cw_error("daemon", NULL, "cannot create the database's directory for %s: %s", d->cfg->database,
                 strerror(errno));
        free(dbdir);
        return CW_EIO;
    }
    free(dbdir);
    if ((rc = cw_store_open(d->cfg->database, 0, &d->store)) < 0)
        return rc;
    if ((rc = cw_store_begin_run(d->store, cw_wall_us(), (int)getpid(), &d->run_id)) < 0)
        return rc;
    d->pending = cw_store_batch_new();
    if (!d->pending)
        return CW_ENOMEM;

    cw_ingest_capture_ffmpeg_log();
    uv_timer_init(loop, &d->flush_timer);
    uv_signal_init(loop, &d->sig_term);
    uv_signal_init(loop, &d->sig_int);
    d->flush_timer.data = d->sig_term.data = d->sig_int.data = d->flush_work.data = d;

    d->cameras = calloc((size_t)d->cfg->n_cameras + 1, sizeof *d->cameras);
    if (!d->cameras)
        return CW_ENOMEM;
    for (int i = 0; i < d->cfg->n_cameras; i++) {
        const struct cw_camera_config *cc = &d->cfg->cameras[i];
        if (!cc->enabled) {
            struct cw_camera_meta meta;
            cw_camera_meta(d->cfg, cc, &meta);
            cw_store_batch_camera_start(d->pending, &meta, cw_wall_us());
            cw_info("camera", cc->id, "disabled in the config; not watched");
            continue;
        }
        /* One camera that cannot start never takes the others down. */
        rc = cw_camera_start(d, d->cfg, cc, &d->cameras[d->n_cameras]);
        if (rc < 0)
            cw_error("camera", cc->id, "cannot start: %s", cw_strerror(rc));
        else
            d->n_cameras++;
    }
    return 0;
}

int cw_daemon_run(struct cw_daemon *d)
{
    uv_signal_start(&d->sig_term, on_signal, SIGTERM);
    uv_signal_start(&d->sig_int, on_signal, SIGINT);
    uv_timer_start(&d->flush_timer, on_flush, 0, FLUSH_INTERVAL_MS);
    cw_info("daemon", NULL, "camwatchd started: %d camera(s), database %s", d->n_cameras, d->cfg->database);
    uv_run(d->loop, UV_RUN_DEFAULT);
    return d->exit_code;
}

void cw_daemon_free(struct cw_daemon *d)
{
    cw_store_batch_free(d->pending);
    cw_store_batch_free(d->inflight);
    cw_store_close(d->store);
    cw_config_free(d->cfg);
    free(d->cameras);
    free(d->config_path);
}
