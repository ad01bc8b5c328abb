/* camwatchd's root object (see daemon.h): start-up, the periodic store
 * flush with its heartbeat, and an orderly shutdown on SIGTERM/SIGINT. */
#include "daemon.h"

#include <dirent.h>
#include <errno.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "camera.h"
#include "clock.h"
#include "error.h"
#include "ingest.h"
#include "alerts.h"
#include "verdict.h"
#include "http.h"
#include "httpc.h"
#include "push.h"
#include "log.h"
#include "plugin.h"
#include <systemd/sd-daemon.h>

/* State changes, stats and the heartbeat reach the database this often; it
 * bounds what a crash can leave unaccounted (it becomes `unmonitored`). */
#define FLUSH_INTERVAL_MS 1000

struct cw_store_batch *cw_daemon_batch(struct cw_daemon *d) { return d->pending; }

const struct cw_plugin *cw_daemon_plugin(struct cw_daemon *d, const char *name)
{
    for (int i = 0; i < d->n_plugins; i++)
        if (strcmp(d->plugins[i].name, name) == 0)
            return d->plugins[i].plugin;
    struct cw_daemon_plugin *p = realloc(d->plugins, sizeof *p * (size_t)(d->n_plugins + 1));
    if (!p)
        return NULL;
    d->plugins = p;
    p = &d->plugins[d->n_plugins++];
    p->name = strdup(name);
    p->plugin = NULL;
    char err[600];
    if (cw_plugin_load(d->cfg->plugin_dir, name, &p->plugin, err, sizeof err) < 0)
        cw_error("plugin", NULL, "%s", err);
    else
        cw_info("plugin", NULL, "loaded %s %s (input: %s)", p->plugin->d->name, p->plugin->d->version,
                p->plugin->d->input == CW_PLUGIN_INPUT_NONE ? "packets" : p->plugin->d->input == CW_PLUGIN_INPUT_KEYFRAMES ? "keyframes" : "frames");
    return p->plugin;
}

/* ---- snapshot retention: on the thread pool, once a minute ---- */

struct snap {
    char path[900];
    time_t mtime;
    off_t size;
};

static int cmp_snap(const void *a, const void *b)
{
    const struct snap *x = a, *y = b;
    return x->mtime < y->mtime ? -1 : x->mtime > y->mtime;
}

static void retention_work(uv_work_t *w)
{
    struct cw_daemon *d = w->data;
    DIR *top = opendir(d->snapshot_root);
    struct snap *all = NULL;
    int n = 0, cap = 0, removed = 0;
    off_t total = 0;
    time_t now = time(NULL), max_age = (time_t)(d->cfg->snapshot_max_age_us / 1000000);
    off_t max_bytes = (off_t)(d->cfg->snapshot_max_mb * 1048576.0);

    if (!top)
        return;
    for (struct dirent *cam; (cam = readdir(top));) {
        char dir[600];
        if (cam->d_name[0] == '.')
            continue;
        snprintf(dir, sizeof dir, "%s/%s", d->snapshot_root, cam->d_name);
        DIR *dd = opendir(dir);
        if (!dd)
            continue;
        for (struct dirent *e; (e = readdir(dd));) {
            size_t len = strlen(e->d_name);
            struct stat sb;
            if (len < 5 || strcmp(e->d_name + len - 4, ".jpg") != 0)
                continue;
            if (n == cap) {
                struct snap *t = realloc(all, sizeof *t * (size_t)(cap = cap ? cap * 2 : 256));
                if (!t)
                    break;
                all = t;
            }
            snprintf(all[n].path, sizeof all[n].path, "%s/%s", dir, e->d_name);
            if (stat(all[n].path, &sb) < 0)
                continue;
            all[n].mtime = sb.st_mtime;
            all[n].size = sb.st_size;
            total += sb.st_size;
            n++;
        }
        closedir(dd);
    }
    closedir(top);
    if (n > 1)
        qsort(all, (size_t)n, sizeof *all, cmp_snap);
    /* oldest first: past the age limit, then while over the size limit */
    for (int i = 0; i < n; i++) {
        if (now - all[i].mtime <= max_age && total <= max_bytes)
            break;
        if (unlink(all[i].path) == 0) {
            total -= all[i].size;
            removed++;
        }
    }
    free(all);
    if (removed)
        cw_info("retention", NULL, "deleted %d old snapshot(s); %lld MiB kept", removed, (long long)(total >> 20));
}

static void retention_done(uv_work_t *w, int status)
{
    struct cw_daemon *d = w->data;
    (void)status;
    d->retention_busy = 0;
}

static void on_retention(uv_timer_t *t)
{
    struct cw_daemon *d = t->data;
    if (d->retention_busy || d->stopping)
        return;
    d->retention_busy = 1;
    uv_queue_work(d->loop, &d->retention_work, retention_work, retention_done);
}

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

static void on_maint_row(void *ud, const struct cw_maint *w)
{
    struct cw_daemon *d = ud;
    if (d->n_maint_loaded == d->maint_cap_loaded) {
        int cap = d->maint_cap_loaded ? d->maint_cap_loaded * 2 : 16;
        struct cw_maint *m = realloc(d->maint_loaded, sizeof *m * (size_t)cap);
        if (!m)
            return;
        d->maint_loaded = m;
        d->maint_cap_loaded = cap;
    }
    d->maint_loaded[d->n_maint_loaded++] = *w;
}

static void on_verdict(void *ud, const struct cw_verdict_change *c)
{
    struct cw_daemon *d = ud;
    cw_alerts_verdict(d->alerts, c);
}

static void on_month_digest(void *ud, const struct cw_month_digest *m)
{
    struct cw_daemon *d = ud;
    cw_alerts_month_digest(d->alerts, m);
}

static void on_ack_row(void *ud, const char *camera, const char *note, const char *by, int64_t at)
{
    struct cw_daemon *d = ud;
    (void)note;
    for (int i = 0; i < d->n_acks_loaded; i++)
        if (strcmp(d->acks_loaded[i].camera, camera) == 0) { /* oldest first: the later one wins */
            d->acks_loaded[i].at_us = at;
            snprintf(d->acks_loaded[i].by, sizeof d->acks_loaded[i].by, "%s", by);
            return;
        }
    if (d->n_acks_loaded == d->acks_cap_loaded) {
        int cap = d->acks_cap_loaded ? d->acks_cap_loaded * 2 : 16;
        struct cw_ack *t = realloc(d->acks_loaded, sizeof *t * (size_t)cap);
        if (!t)
            return;
        d->acks_loaded = t;
        d->acks_cap_loaded = cap;
    }
    struct cw_ack *k = &d->acks_loaded[d->n_acks_loaded++];
    snprintf(k->camera, sizeof k->camera, "%s", camera);
    snprintf(k->by, sizeof k->by, "%s", by);
    k->at_us = at;
}

/* On the thread pool: the batch, then the maintenance windows that are on
 * or to come (cheap: an index on to_us), for the loop to pick up. */
static void flush_work(uv_work_t *w)
{
    struct cw_daemon *d = w->data;
    if (!d->store && cw_store_open_quiet(d->cfg->database, &d->store, d->open_err, sizeof d->open_err) < 0) {
        d->inflight_rc = CW_ESTORE;
        d->n_maint_loaded = -1;
        return;
    }
    if (d->run_pending) {
        /* The loop reads run_id only while no flush runs. */
        if (cw_store_begin_run(d->store, cw_wall_us(), (int)getpid(), &d->run_id) < 0) {
            d->inflight_rc = CW_ESTORE;
            d->n_maint_loaded = -1;
            return;
        }
        d->run_pending = 0;
    }
    d->inflight_rc = cw_store_apply(d->store, d->inflight);
    d->n_maint_loaded = 0;
    if (cw_store_each_maintenance(d->store, cw_wall_us(), INT64_MAX, on_maint_row, d) < 0)
        d->n_maint_loaded = -1;
    d->n_acks_loaded = 0;
    if (cw_store_each_ack(d->store, cw_wall_us() - 30 * 86400000000LL, on_ack_row, d) < 0)
        d->n_acks_loaded = -1;
}

static void finish_shutdown(struct cw_daemon *d);

static void on_flush(uv_timer_t *t);

static void flush_done(uv_work_t *w, int status)
{
    struct cw_daemon *d = w->data;
    (void)status;
    d->flush_running = 0;
    if (d->n_acks_loaded >= 0) { /* and the acknowledgements */
        free(d->acks);
        d->acks = d->acks_loaded;
        d->n_acks = d->n_acks_loaded;
        d->acks_loaded = NULL;
        d->acks_cap_loaded = d->n_acks_loaded = 0;
    }
    if (d->n_maint_loaded >= 0) { /* swap in the fresh windows */
        struct cw_maint *t = d->maint;
        int cap = d->maint_cap;
        d->maint = d->maint_loaded;
        d->maint_cap = d->maint_cap_loaded;
        d->n_maint = d->n_maint_loaded;
        d->maint_loaded = t;
        d->maint_cap_loaded = cap;
        d->n_maint_loaded = 0;
    }
    if (d->inflight_rc < 0) {
        /* Keep the batch: it is applied again, before newer ones, on the
         * next tick. A full disk or another process holding the write lock
         * must not lose history. Said once, then every minute. */
        if (d->write_failures++ % 60 == 0)
            cw_error("store", NULL, "cannot write to %s: %s; keeping the changes in memory and retrying every second",
                     d->cfg->database, d->store ? cw_store_errmsg(d->store) : d->open_err);
    } else {
        if (d->write_failures > 0)
            cw_info("store", NULL, "writing to %s works again after %d failed attempt(s); nothing was lost",
                    d->cfg->database, d->write_failures);
        d->write_failures = 0;
        cw_store_batch_free(d->inflight);
        d->inflight = NULL;
        d->committed_seq = d->inflight_seq;
        cw_alerts_send_due(d->alerts);
    }
    if (d->stopping)
        finish_shutdown(d);
    else if (d->flush_again && !d->inflight) {
        d->flush_again = 0;
        uv_timer_start(&d->flush_timer, on_flush, 0, FLUSH_INTERVAL_MS);
    }
}

void cw_daemon_flush_soon(struct cw_daemon *d)
{
    if (d->stopping)
        return;
    if (d->inflight)
        d->flush_again = 1;
    else
        uv_timer_start(&d->flush_timer, on_flush, 0, FLUSH_INTERVAL_MS);
}

static void collect_stats(struct cw_daemon *d, int64_t now)
{
    struct cw_stats_row row;
    for (int i = 0; i < d->n_cameras; i++) {
        cw_camera_stats(d->cameras[i], &row);
        cw_store_batch_stats(d->pending, d->cameras[i]->id, now, &row);
    }
}

/* Builds and publishes the live view; tells systemd how things stand. */
static void publish_live(struct cw_daemon *d)
{
    struct cw_live *l = calloc(1, sizeof *l);
    int online = 0;
    if (!l)
        return;
    l->cams = calloc((size_t)d->n_cameras + 1, sizeof *l->cams);
    if (!l->cams) {
        free(l);
        return;
    }
    l->built_us = cw_wall_us();
    l->started_us = d->started_us;
    l->alerts_on = d->alerts != NULL;
    l->has_districts = d->cfg->n_districts > 0;
    l->alerts_pending = cw_alerts_pending(d->alerts);
    l->loop_lag_us = cw_selfwatch_take_window(&d->selfwatch);
    l->loop_lag_max_us = d->selfwatch.lag_max_us;
    l->loop_stalls = d->selfwatch.stalls;
    if (cw_proc_rss_bytes(&l->rss_bytes) < 0)
        l->rss_bytes = -1;
    if (cw_proc_open_fds(&l->open_fds) < 0)
        l->open_fds = -1;
    const char *tn;
    int64_t cnt;
    for (int i = 0; l->n_targets < CW_LIVE_MAX_TARGETS && cw_alerts_delivered(d->alerts, i, &tn, &cnt); i++) {
        snprintf(l->targets[l->n_targets].name, sizeof l->targets[0].name, "%s", tn);
        l->targets[l->n_targets++].delivered = cnt;
    }
    for (int i = 0; i < d->n_cameras; i++) {
        struct cw_camera *cam = d->cameras[i];
        struct cw_live_camera *c = &l->cams[l->n++];
        snprintf(c->id, sizeof c->id, "%s", cam->id);
        c->names = cam->names;
        memcpy(c->formerly, cam->formerly, sizeof c->formerly);
        snprintf(c->url, sizeof c->url, "%s", cam->url_redacted);
        snprintf(c->state, sizeof c->state, "%s", cw_state_name(cam->cs.state));
        snprintf(c->cause, sizeof c->cause, "%s", cw_cause_name(cam->cs.cause));
        snprintf(c->detail, sizeof c->detail, "%s", cam->detail);
        snprintf(c->decode_mode, sizeof c->decode_mode, "%s", cw_camera_decode_mode(cam));
        snprintf(c->last_snapshot, sizeof c->last_snapshot, "%s", cam->last_snapshot);
        snprintf(c->thumbnail, sizeof c->thumbnail, "%s", cam->thumbnail);
        c->since_us = cam->cs.since_wall_us;
        c->outage_since_us = cam->cs.outage_since_wall_us;
        c->health = cam->health;
        c->image_since_us = cam->image_since_us;
        c->thumbnail_us = cam->thumbnail_us;
        c->image_checked = cam->image_checked;
        c->maintenance = cw_maint_active(d->maint, d->n_maint, cam->id, &cam->names, cw_wall_us()) != NULL;
        memcpy(c->events, cam->events, sizeof cam->events);
        memcpy(c->levels, cam->levels, sizeof cam->levels);
        c->n_levels = cam->n_levels;
        memcpy(c->gauges, cam->gauges, sizeof cam->gauges);
        c->n_gauges = cam->n_gauges;
        cw_camera_stats(cam, &c->stats);
        online += cam->cs.state == CW_STATE_ONLINE;
    }
    cw_live_publish(&d->live, l);
    if (d->notify) {
        sd_notifyf(0, "STATUS=%d/%d cameras online\nWATCHDOG=1", online, d->n_cameras);
    }
}

static void begin_shutdown(struct cw_daemon *d, const char *why);
static int database_gone(struct cw_daemon *d);

static void on_flush(uv_timer_t *t)
{
    struct cw_daemon *d = t->data;
    int64_t mono = cw_mono_us();

    /* One flush at a time: a retry still waiting in SQLite's busy timeout
     * must not be queued again (the work item and the connection are one). */
    if (d->flush_running) {
        publish_live(d);
        return;
    }
    if (!d->stopping && database_gone(d)) {
        /* Writing on would go into an unlinked file and vanish at exit:
         * say so and stop, so that the supervisor restarts camwatchd on a
         * new database rather than it watching into nothing. */
        cw_error("daemon", NULL,
                 "the database %s was deleted or replaced while camwatchd was running; stopping (restart it to "
                 "start a new database; history since the last backup is lost)",
                 d->cfg->database);
        d->exit_code = 1;
        begin_shutdown(d, "database gone");
        return;
    }

    int64_t step = cw_clock_check();
    if (step) {
        /* Spans, outages and alerts keep camwatch's steady clock; the step
         * is said and recorded, and absorbed at 1 % (see clock.h). */
        cw_warn("daemon", NULL,
                "the system clock stepped %s by %.1f s (NTP, RTC?); camwatch keeps its own clock steady and runs it "
                "1 %% %s until they agree (about %.0f h)",
                step > 0 ? "forward" : "back", (step > 0 ? step : -step) / 1e6, step > 0 ? "fast" : "slow",
                (step > 0 ? step : -step) / 1e6 / 36.0);
        cw_store_batch_clock_step(d->pending, cw_wall_us(), step);
    }
    publish_live(d);
    if (d->inflight) {
        if (d->inflight_rc < 0 && !d->stopping) { /* retry a failed batch */
            d->flush_running = 1;
            uv_queue_work(d->loop, &d->flush_work, flush_work, flush_done);
        }
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
    d->inflight_seq = d->batch_seq++;
    d->pending = cw_store_batch_new();
    if (!d->pending) {
        cw_error("daemon", NULL, "out of memory");
        abort();
    }
    d->flush_running = 1;
    uv_queue_work(d->loop, &d->flush_work, flush_work, flush_done);
}

static void on_handle_closed(uv_handle_t *h) { (void)h; }

/* Runs once no flush is in flight: writes what is left, closes the run
 * (every open span ends now) and lets the loop end. */
static void finish_shutdown(struct cw_daemon *d)
{
    int64_t now = cw_wall_us();
    if (!d->store && cw_store_open(d->cfg->database, 0, &d->store) == 0 && d->run_pending &&
        cw_store_begin_run(d->store, now, (int)getpid(), &d->run_id) == 0)
        d->run_pending = 0;
    if (!d->store || d->run_pending) {
        cw_error("store", NULL, "the database %s never took a write: this run's history is lost", d->cfg->database);
        if (!uv_is_closing((uv_handle_t *)&d->flush_timer))
            uv_close((uv_handle_t *)&d->flush_timer, on_handle_closed);
        d->exit_code = 1;
        cw_info("daemon", NULL, "stopped");
        return;
    }
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
    if (d->notify)
        sd_notify(0, "STOPPING=1");
    cw_http_stop(d->http); /* joins the server thread before the cameras go */
    d->http = NULL;
    cw_push_stop(d->push);
    d->push = NULL;
    cw_verdict_stop(d->verdict);
    d->verdict = NULL;
    cw_alerts_stop(d->alerts); /* pending deliveries stay in the outbox */
    d->alerts = NULL;
    cw_httpc_close(d->httpc); /* aborts a push in flight */
    d->httpc = NULL;
    uv_timer_stop(&d->flush_timer);
    uv_close((uv_handle_t *)&d->sig_term, on_handle_closed);
    uv_close((uv_handle_t *)&d->sig_int, on_handle_closed);
    uv_close((uv_handle_t *)&d->sig_hup, on_handle_closed);
    uv_close((uv_handle_t *)&d->retention_timer, on_handle_closed);
    cw_selfwatch_stop(&d->selfwatch);
    collect_stats(d, cw_wall_us());
    /* All threads are told first, so that their sessions wind down in
     * parallel: 300 cameras stuck in a handshake stop in one connect
     * poll interval, not 300 of them. */
    for (int i = 0; i < d->n_cameras; i++)
        cw_camera_stop_soon(d->cameras[i]);
    for (int i = 0; i < d->n_cameras; i++)
        cw_camera_close(d->cameras[i], 0); /* end_run closes all spans at once */
    d->n_cameras = 0;
    if (!d->flush_running)
        finish_shutdown(d);
    /* else flush_done finishes it */
}

/* The deployment's zone and language, in the database itself: the CLI
 * reading a copy of the file (--db) then speaks as the commune does. */
static void record_settings(struct cw_daemon *d)
{
    cw_store_batch_setting(d->pending, "timezone", d->cfg->timezone);
    cw_store_batch_setting(d->pending, "language", d->cfg->lang_vi ? "vi" : "en");
}

static void warn_restart(void *ud, const char *section, const char *key)
{
    (void)ud;
    cw_warn("daemon", NULL, "%s.%s changed: it takes effect at the next restart", section, key);
}

/* Whether a camera's running session survives a reload to config nc. */
static int keeps_session(const struct cw_config *old, const struct cw_config *nc, const char *id)
{
    const struct cw_camera_config *oc = cw_config_find_camera(old, id), *cc = cw_config_find_camera(nc, id);
    return cc && cc->enabled && oc && cw_camera_config_same(oc, cc);
}

static void on_sighup(uv_signal_t *s, int signum)
{
    struct cw_daemon *d = s->data;
    struct cw_config *nc;
    struct cw_config_errors errs = {0};
    (void)signum;
    if (d->stopping)
        return;
    cw_info("daemon", NULL, "SIGHUP: reloading %s", d->config_path);
    int rc = cw_config_load(d->config_path, 0, &nc, &errs);
    for (int i = 0; i < errs.n; i++)
        cw_error("config", NULL, "%s", errs.msgs[i]);
    cw_config_errors_free(&errs);
    if (rc < 0) {
        cw_error("daemon", NULL, "reload rejected (%s); the running configuration stays", cw_strerror(rc));
        return;
    }
    /* What the daemon set up once stays until a restart; the plugin
     * directory is the one such setting read again later (plugins load on
     * first use), so the running one is kept. */
    cw_config_restart_changes(d->cfg, nc, warn_restart, NULL);
    free(nc->plugin_dir);
    nc->plugin_dir = strdup(d->cfg->plugin_dir);
    cw_log_set_level(nc->log_level);

    int64_t now = cw_wall_us();
    struct cw_camera **cams = calloc((size_t)nc->n_cameras + 1, sizeof *cams);
    int n = 0, kept = 0, restarted = 0, added = 0, removed = 0;
    if (!cams || !nc->plugin_dir) {
        free(cams);
        cw_config_free(nc);
        cw_error("daemon", NULL, "reload: out of memory; the running configuration stays");
        return;
    }
    /* Cameras to close are told first, so that their threads end in
     * parallel (see begin_shutdown). */
    for (int i = 0; i < d->n_cameras; i++)
        if (!keeps_session(d->cfg, nc, d->cameras[i]->id))
            cw_camera_stop_soon(d->cameras[i]);
    for (int i = 0; i < d->n_cameras; i++) {
        struct cw_camera *cam = d->cameras[i];
        const struct cw_camera_config *cc = cw_config_find_camera(nc, cam->id);
        if (keeps_session(d->cfg, nc, cam->id)) {
            /* Unchanged session: keep it (no reconnect, no new span); the
             * names up the hierarchy may have changed. */
            struct cw_camera_meta meta;
            struct cw_camera_meta_buf mb;
            cw_camera_meta(nc, cc, &meta, &mb);
            cw_store_batch_camera_meta(d->pending, &meta, now);
            cam->names = meta.names;
            snprintf(cam->formerly, sizeof cam->formerly, "%s", mb.formerly);
            cams[n++] = cam;
            kept++;
            continue;
        }
        /* Changed or gone: its span ends now; a changed camera's new span
         * starts at the same instant, so its history stays tiled. */
        cw_camera_close(cam, now);
        if (cc && cc->enabled) {
            restarted++;
            cw_info("camera", cam->id, "configuration changed: reconnecting");
        } else {
            removed++;
            cw_info("camera", cam->id, "%s the configuration: no longer watched", cc ? "disabled in" : "removed from");
        }
    }
    for (int i = 0; i < nc->n_cameras; i++) {
        const struct cw_camera_config *cc = &nc->cameras[i];
        int have = 0;
        for (int k = 0; k < n; k++)
            have |= strcmp(cams[k]->id, cc->id) == 0;
        if (have)
            continue;
        if (!cc->enabled) {
            struct cw_camera_meta meta;
            struct cw_camera_meta_buf mb;
            cw_camera_meta(nc, cc, &meta, &mb);
            cw_store_batch_camera_meta(d->pending, &meta, now);
            continue;
        }
        const struct cw_camera_config *oc = cw_config_find_camera(d->cfg, cc->id);
        if (!oc || !oc->enabled)
            added++;
        if (cw_camera_start(d, nc, cc, now, &cams[n]) < 0) {
            cw_error("camera", cc->id, "cannot start");
            continue;
        }
        /* A reconnected camera that is still down continues its outage.
         * (The closed camera is freed only once its handles have closed,
         * after this callback.) */
        for (int k = 0; k < d->n_cameras; k++)
            if (strcmp(d->cameras[k]->id, cc->id) == 0 && d->cameras[k]->cs.outage_since_wall_us)
                cw_camstate_resume_outage(&cams[n]->cs, d->cameras[k]->cs.outage_since_wall_us);
        n++;
    }
    free(d->cameras);
    d->cameras = cams;
    d->n_cameras = n;
    cw_config_free(d->cfg);
    d->cfg = nc;
    record_settings(d);
    cw_info("daemon", NULL, "reloaded: %d camera(s) kept, %d reconnected, %d added, %d removed", kept, restarted, added,
            removed);
    publish_live(d);
}

static void on_signal(uv_signal_t *s, int signum)
{
    struct cw_daemon *d = s->data;
    begin_shutdown(d, signum == SIGTERM ? "SIGTERM" : "SIGINT");
}

/* One camwatchd per database: a second one would take the first's open
 * spans for a crash's and close them. DATABASE.lock is flock()ed for the
 * daemon's whole life (the kernel lets go at any exit, crash included) and
 * holds the owner's pid for the message the next one prints. */
static int lock_database(struct cw_daemon *d)
{
    char path[4200], pid[32] = "";
    snprintf(path, sizeof path, "%s.lock", d->cfg->database);
    d->lock_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0640);
    if (d->lock_fd < 0) {
        cw_error("daemon", NULL, "cannot create the lock file %s: %s", path, strerror(errno));
        return CW_EIO;
    }
    if (flock(d->lock_fd, LOCK_EX | LOCK_NB) < 0) {
        ssize_t n = pread(d->lock_fd, pid, sizeof pid - 1, 0);
        pid[n > 0 ? n : 0] = '\0';
        pid[strcspn(pid, "\n")] = '\0';
        cw_error("daemon", NULL, "another camwatchd (pid %s) is using the database %s; not starting a second one",
                 pid[0] ? pid : "?", d->cfg->database);
        close(d->lock_fd);
        d->lock_fd = -1;
        return CW_EBUSY;
    }
    int n = snprintf(pid, sizeof pid, "%d\n", (int)getpid());
    if (ftruncate(d->lock_fd, 0) < 0 || pwrite(d->lock_fd, pid, (size_t)n, 0) != n)
        cw_warn("daemon", NULL, "could not write the pid into %s: %s", path, strerror(errno));
    return 0;
}

/* Whether the database file is still the one we opened: a deleted file
 * keeps taking writes that vanish at exit, a replaced one is not ours. */
static int database_gone(struct cw_daemon *d)
{
    struct stat sb;
    if (!d->store)
        return 0; /* not opened yet (disk full at start): nothing to lose */
    if (stat(d->cfg->database, &sb) < 0)
        return errno == ENOENT ? 1 : 0; /* other errors (EACCES) say nothing about the file */
    if (d->db_ino == 0) { /* opened late, by a flush: this is the file */
        d->db_dev = sb.st_dev;
        d->db_ino = sb.st_ino;
        return 0;
    }
    return sb.st_dev != d->db_dev || sb.st_ino != d->db_ino;
}

int cw_daemon_init(struct cw_daemon *d, uv_loop_t *loop, const char *config_path)
{
    struct cw_config_errors errs = {0};
    int rc;

    memset(d, 0, sizeof *d);
    d->lock_fd = -1;
    d->loop = loop;
    d->config_path = strdup(config_path);
    rc = cw_config_load(config_path, 0, &d->cfg, &errs);
    for (int i = 0; i < errs.n; i++)
        cw_error("config", NULL, "%s", errs.msgs[i]);
    cw_config_errors_free(&errs);
    if (rc < 0)
        return rc;
    cw_log_set_level(d->cfg->log_level);
    /* Local time (event schedules, snapshot names) on every thread. */
    setenv("TZ", d->cfg->timezone, 1);
    tzset();

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
    size_t sl = strlen(d->cfg->state_dir) + 16;
    d->snapshot_root = malloc(sl);
    if (!d->snapshot_root)
        return CW_ENOMEM;
    snprintf(d->snapshot_root, sl, "%s/snapshots", d->cfg->state_dir);
    if (mkdir_p(d->snapshot_root) < 0) {
        cw_error("daemon", NULL, "cannot create %s: %s", d->snapshot_root, strerror(errno));
        return CW_EIO;
    }
    if ((rc = lock_database(d)) < 0)
        return rc;
    if ((rc = cw_store_open_quiet(d->cfg->database, &d->store, d->open_err, sizeof d->open_err)) < 0) {
        if (rc == CW_ESCHEMA) {
            cw_error("store", NULL, "%s: %s", d->cfg->database, d->open_err);
            return rc; /* a newer camwatch's database: never touch it */
        }
        /* A full or failing disk must not stop the watching: see below. */
        cw_error("store", NULL, "cannot open %s: %s; watching anyway, keeping the changes in memory and retrying "
                 "every second", d->cfg->database, d->open_err);
        d->store = NULL;
        d->run_pending = 1;
        d->write_failures = 1;
    } else {
        struct stat sb;
        if (stat(d->cfg->database, &sb) == 0) {
            d->db_dev = sb.st_dev;
            d->db_ino = sb.st_ino;
        }
    }
    cw_store_set_quiet(d->store, 1); /* write failures are reported by the flush, once a minute */
    if (d->store) {
        /* A system clock behind what the database already holds (stepped
         * back while camwatchd was down): never record into the past. */
        int64_t started, heartbeat, stopped;
        if (cw_store_last_run(d->store, &started, &heartbeat, &stopped) == 0)
            cw_clock_not_before(stopped > heartbeat ? stopped : heartbeat);
    }
    if (d->store && (rc = cw_store_begin_run(d->store, cw_wall_us(), (int)getpid(), &d->run_id)) < 0) {
        /* A full disk must not stop the watching (under systemd that was a
         * restart loop with nothing watched): cameras start, changes wait
         * in memory, and every flush tries to record the run first. */
        cw_error("store", NULL, "cannot record this run in %s: %s; watching anyway, keeping the changes in memory "
                 "and retrying every second", d->cfg->database, cw_store_errmsg(d->store));
        d->write_failures = 1; /* said: the flush need not say it again for a minute */
        d->run_pending = 1;
    }
    d->pending = cw_store_batch_new();
    if (!d->pending)
        return CW_ENOMEM;
    record_settings(d);
    d->started_us = cw_wall_us();
    d->batch_seq = 1;
    if (cw_live_box_init(&d->live) < 0)
        return CW_ENOMEM;

    cw_ingest_capture_ffmpeg_log();
    uv_timer_init(loop, &d->flush_timer);
    uv_signal_init(loop, &d->sig_term);
    uv_signal_init(loop, &d->sig_int);
    uv_signal_init(loop, &d->sig_hup);
    d->sig_hup.data = d;
    uv_timer_init(loop, &d->retention_timer);
    d->flush_timer.data = d->sig_term.data = d->sig_int.data = d->flush_work.data = d;
    d->retention_timer.data = d->retention_work.data = d;

    d->cameras = calloc((size_t)d->cfg->n_cameras + 1, sizeof *d->cameras);
    if (!d->cameras)
        return CW_ENOMEM;
    for (int i = 0; i < d->cfg->n_cameras; i++) {
        const struct cw_camera_config *cc = &d->cfg->cameras[i];
        if (!cc->enabled) {
            struct cw_camera_meta meta;
            struct cw_camera_meta_buf mb;
            cw_camera_meta(d->cfg, cc, &meta, &mb);
            cw_store_batch_camera_start(d->pending, &meta, cw_wall_us());
            cw_info("camera", cc->id, "disabled in the config; not watched");
            continue;
        }
        /* One camera that cannot start never takes the others down. */
        int64_t now = cw_wall_us(), since = 0, down = 0;
        rc = cw_camera_start(d, d->cfg, cc, now, &d->cameras[d->n_cameras]);
        if (rc < 0) {
            cw_error("camera", cc->id, "cannot start: %s", cw_strerror(rc));
            continue;
        }
        /* Down when camwatchd last stopped (or crashed)? If its first result
         * here is down too, that outage goes on. */
        if (d->store && cw_store_outage_before(d->store, cc->id, now + 1, &since, &down, NULL) == 0 && since > 0)
            cw_camstate_resume_outage(&d->cameras[d->n_cameras]->cs, since);
        d->n_cameras++;
    }
    return 0;
}

int cw_daemon_run(struct cw_daemon *d)
{
    publish_live(d);
    if (d->cfg->http.listen[0]) {
        const struct cw_config *cfg = d->cfg;
        struct cw_auth_user *users = calloc((size_t)cfg->n_users + 1, sizeof *users);
        for (int i = 0; users && i < cfg->n_users; i++)
            users[i] = (struct cw_auth_user){cfg->users[i].name, cfg->users[i].password_hash,
                                             cw_role_parse(cfg->users[i].role)};
        struct cw_http_params hp = {.listen = cfg->http.listen, .token = cfg->http.token, .database = cfg->database,
                                    .live = &d->live, .users = users, .n_users = users ? cfg->n_users : 0,
                                    .session_idle_us = cfg->http.session_idle_us,
                                    .session_max_us = cfg->http.session_max_us,
                                    .secure_cookies = cfg->http.secure_cookies, .timezone = cfg->timezone,
                                    .report_rules = &cfg->report};
        if (cw_http_start(&hp, &d->http) < 0)
            cw_error("daemon", NULL, "the HTTP API is off (see above); cameras are watched all the same");
        free(users); /* copied */
    }
    if (cw_alerts_start(d, &d->alerts) < 0)
        cw_error("daemon", NULL, "alerting is off: cannot start it");
    /* the month judged by the report's own rules, on a connection of its own */
    const char *digest_to = d->cfg->alerts.monthly_digest_to;
    struct cw_verdict_params vp = {.loop = d->loop, .database = d->cfg->database, .rules = &d->cfg->report,
                                   .interval_us = d->cfg->alerts.verdict_interval_us, .on_change = on_verdict,
                                   .on_digest = digest_to && digest_to[0] ? on_month_digest : NULL,
                                   .digest_hour = d->cfg->alerts.monthly_digest_hour, .ud = d};
    if (d->alerts && cw_verdict_start(&vp, &d->verdict) < 0)
        cw_error("daemon", NULL, "the network's verdict is off: cannot start it");
    if (d->cfg->http.push_url[0]) {
        if (cw_httpc_init(d->loop, &d->httpc) < 0 ||
            cw_push_start(d->loop, d->httpc, &d->live, d->cfg->http.push_url, d->cfg->http.push_instance,
                          d->cfg->http.push_interval_us, &d->push) < 0)
            cw_error("daemon", NULL, "metrics push is off: cannot start it");
    }
    /* systemd (Type=notify): READY once the cameras run; STATUS and the
     * watchdog ping ride on the one-second flush tick. */
    d->notify = getenv("NOTIFY_SOCKET") != NULL;
    if (d->notify)
        sd_notify(0, "READY=1");
    uv_signal_start(&d->sig_hup, on_sighup, SIGHUP);
    uv_signal_start(&d->sig_term, on_signal, SIGTERM);
    uv_signal_start(&d->sig_int, on_signal, SIGINT);
    uv_timer_start(&d->flush_timer, on_flush, 0, FLUSH_INTERVAL_MS);
    uv_timer_start(&d->retention_timer, on_retention, 5000, 60000);
    if (cw_selfwatch_start(&d->selfwatch, d->loop) < 0)
        cw_warn("daemon", NULL, "could not start the loop lag timer; camwatch_loop_lag_* will stay 0");
    cw_info("daemon", NULL, "camwatchd started: %d camera(s), database %s", d->n_cameras, d->cfg->database);
    uv_run(d->loop, UV_RUN_DEFAULT);
    return d->exit_code;
}

void cw_daemon_free(struct cw_daemon *d)
{
    cw_http_stop(d->http);
    if (d->pending) /* the live box is set up right after */
        cw_live_box_destroy(&d->live);
    cw_store_batch_free(d->pending);
    cw_store_batch_free(d->inflight);
    cw_store_close(d->store);
    cw_config_free(d->cfg);
    free(d->cameras);
    free(d->config_path);
    for (int i = 0; i < d->n_plugins; i++) {
        cw_plugin_unload(d->plugins[i].plugin);
        free(d->plugins[i].name);
    }
    free(d->plugins);
    free(d->snapshot_root);
    free(d->maint);
    free(d->maint_loaded);
    free(d->acks);
    free(d->acks_loaded);
    if (d->lock_fd >= 0)
        close(d->lock_fd); /* releases the flock */
}
