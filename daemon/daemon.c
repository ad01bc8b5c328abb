/* camwatchd's root object (see daemon.h): it wires. Start-up creates the
 * modules and hands each the narrow thing it needs (a writer, callbacks, a
 * config slice); a reload hands them the new config; SIGTERM stops them in
 * order. The decisions live in the modules: camera state (camera.c,
 * camstate.c), what deserves an alert (alert_policy.c), delivering it
 * (outbox.c), the month's verdict (verdict.c). */
#include "daemon.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "alert_policy.h"
#include "clock.h"
#include "error.h"
#include "http.h"
#include "httpc.h"
#include "ingest.h"
#include "log.h"
#include "outbox.h"
#include "plugin.h"
#include "push.h"
#include "records.h"
#include "shipper.h"
#include "inventory.h"
#include "retention.h"
#include "retention.h"
#include "snapdir.h"
#include "upstream.h"
#include "verdict.h"
#include "writer.h"
#include <systemd/sd-daemon.h>

/* State changes, stats and the heartbeat reach the database this often; it
 * bounds what a crash can leave unaccounted (it becomes `unmonitored`). */
#define FLUSH_INTERVAL_MS 1000
/* The offline grace is checked on this tick: it bounds how late an
 * offline alert can be. */
#define ALERT_TICK_MS 250

static void begin_shutdown(struct cw_daemon *d, const char *why);

/* ---- retention (retention.c): on the thread pool. The snapshot folder's
 * size cap is checked every minute (a disk filling up cannot wait); the
 * age limits are applied every retention.every, the first time soon after
 * start. ---- */

static void retention_work(uv_work_t *w)
{
    cw_retention_run(w->data);
}

static void retention_done(uv_work_t *w, int status)
{
    struct cw_daemon *d = (struct cw_daemon *)(void *)((char *)w - offsetof(struct cw_daemon, retention_work));
    struct cw_retention_job *j = w->data;
    (void)status;
    for (int k = 0; k < CW_KEEP_N; k++)
        if (j->kinds[k].removed)
            cw_info("retention", NULL, "deleted %lld %s past their limit", (long long)j->kinds[k].removed,
                    cw_keep_kind_name(k));
    if (j->space_removed)
        cw_info("retention", NULL, "deleted %lld old snapshot(s) for space; %lld MiB kept", (long long)j->space_removed,
                (long long)(j->kept_bytes >> 20));
    if (j->failed)
        cw_warn("retention", NULL, "%s", j->err);
    d->retention_job = NULL;
    cw_retention_job_free(j);
}

static void on_retention(uv_timer_t *t)
{
    struct cw_daemon *d = t->data;
    if (d->retention_job || d->stopping)
        return;
    int64_t now = cw_wall_us();
    int ages = now >= d->retention_next_us;
    /* the limits as they are now: the pool never reads the config */
    struct cw_retention_job *j = cw_retention_job_new(d->cfg, d->cfg->database, d->snapshot_root, now, ages);
    if (!j)
        return;
    if (ages)
        d->retention_next_us = now + d->cfg->retention_every_us;
    d->retention_work.data = j;
    d->retention_job = j;
    if (uv_queue_work(d->loop, &d->retention_work, retention_work, retention_done) < 0) {
        d->retention_job = NULL;
        cw_retention_job_free(j);
    }
}

/* ---- the camera inventory (inventory.c) ---- */

struct cw_inventory_job {
    struct cw_inventory_plan *plan;
    struct cw_inventory_row *rows;
    int n;
};

static void set_inventory(struct cw_daemon *d, struct cw_inventory_row *rows, int n)
{
    free(d->inventory);
    d->inventory = rows;
    d->n_inventory = n;
}

/* The config's facts now (no network): the warnings that need no camera
 * are there from the first scrape. */
static void inventory_from_config(struct cw_daemon *d)
{
    struct cw_inventory_row *rows;
    int n;
    if (cw_inventory_make(d->cfg, 0, 1, &rows, &n) == 0)
        set_inventory(d, rows, n);
}

static void inventory_work(uv_work_t *w)
{
    struct cw_inventory_job *j = w->data;
    cw_inventory_run(j->plan, 1, 5, &j->rows, &j->n);
}

static void start_inventory(struct cw_daemon *d);

static void inventory_done(uv_work_t *w, int status)
{
    struct cw_daemon *d = (struct cw_daemon *)(void *)((char *)w - offsetof(struct cw_daemon, inventory_work));
    struct cw_inventory_job *j = w->data;
    (void)status;
    d->inventory_job = NULL;
    int warned = 0, onvif = 0;
    for (int i = 0; i < j->n; i++)
        warned += j->rows[i].warnings != 0, onvif += !strcmp(j->rows[i].source, "onvif");
    if (j->rows && !d->stopping && !d->inventory_again) {
        set_inventory(d, j->rows, j->n);
        j->rows = NULL;
        cw_info("inventory", NULL, "%d camera(s), %d described over ONVIF, %d with a security warning (camwatch "
                "inventory)", j->n, onvif, warned);
    }
    free(j->rows);
    cw_inventory_plan_free(j->plan);
    free(j);
    if (d->inventory_again && !d->stopping) {
        d->inventory_again = 0;
        start_inventory(d);
    }
}

static void start_inventory(struct cw_daemon *d)
{
    if (d->stopping)
        return;
    if (d->inventory_job) {
        d->inventory_again = 1; /* the running one asks by the old config */
        return;
    }
    struct cw_inventory_job *j = calloc(1, sizeof *j);
    if (!j || !(j->plan = cw_inventory_plan_new(d->cfg))) {
        free(j);
        return;
    }
    d->inventory_work.data = j;
    d->inventory_job = j;
    if (uv_queue_work(d->loop, &d->inventory_work, inventory_work, inventory_done) < 0) {
        d->inventory_job = NULL;
        cw_inventory_plan_free(j->plan);
        free(j);
    }
}

static void on_inventory(uv_timer_t *t) { start_inventory(t->data); }

/* ---- the live view ---- */

static void collect_stats(struct cw_daemon *d, struct cw_store_batch *b, int64_t now)
{
    struct cw_stats_row row;
    for (int i = 0; i < d->n_cameras; i++) {
        cw_camera_stats(d->cameras[i], &row);
        cw_store_batch_stats(b, d->cameras[i]->id, now, &row);
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
    int64_t now = cw_wall_us();
    l->built_us = now;
    l->started_us = d->started_us;
    l->alerts_on = d->outbox != NULL;
    l->has_districts = d->cfg->n_districts > 0;
    l->alerts_pending = cw_outbox_pending(d->outbox);
    l->loop_lag_us = cw_selfwatch_take_window(&d->selfwatch);
    l->loop_lag_max_us = d->selfwatch.lag_max_us;
    l->loop_stalls = d->selfwatch.stalls;
    if (d->shipper) {
        struct cw_shipper_stats ss;
        cw_shipper_stats(d->shipper, &ss);
        l->upstream_on = 1;
        l->upstream_up = ss.up;
        l->upstream_waiting = ss.waiting;
        l->upstream_oldest_us = ss.oldest_us;
        l->upstream_last_success_us = ss.last_success_us;
        l->upstream_complete_until_us = ss.complete_until_us;
        l->upstream_rows = ss.rows_total;
        l->upstream_failures = ss.failures_total;
        l->upstream_gaps = ss.gaps_total;
        l->upstream_resent = ss.resent_total;
    }
    if (cw_proc_rss_bytes(&l->rss_bytes) < 0)
        l->rss_bytes = -1;
    if (cw_proc_open_fds(&l->open_fds) < 0)
        l->open_fds = -1;
    const char *tn;
    int64_t cnt;
    for (int i = 0; l->n_targets < CW_LIVE_MAX_TARGETS && cw_outbox_delivered(d->outbox, i, &tn, &cnt); i++) {
        snprintf(l->targets[l->n_targets].name, sizeof l->targets[0].name, "%s", tn);
        l->targets[l->n_targets++].delivered = cnt;
    }
    for (int i = 0; i < d->n_cameras; i++) {
        struct cw_camera *cam = d->cameras[i];
        struct cw_live_camera *c = &l->cams[l->n++];
        snprintf(c->id, sizeof c->id, "%s", cam->id);
        c->names = cam->names;
        memcpy(c->formerly, cam->formerly, sizeof c->formerly);
        c->has_inventory = 0;
        for (int k = 0; k < d->n_inventory; k++)
            if (!strcmp(d->inventory[k].camera, cam->id)) {
                c->inventory = d->inventory[k];
                c->has_inventory = 1;
                break;
            }
        c->notice_where[0] = c->notice_since[0] = '\0';
        for (int k = 0; k < d->cfg->n_sites; k++) {
            const struct cw_site *site = &d->cfg->sites[k];
            if (!strcmp(site->id, cam->names.site) && site->notice_where) {
                snprintf(c->notice_where, sizeof c->notice_where, "%s", site->notice_where);
                snprintf(c->notice_since, sizeof c->notice_since, "%s", site->notice_since);
                break;
            }
        }
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
        c->maintenance = cw_records_maintenance(d->records, cam->id, &cam->names, now) != NULL;
        memcpy(c->events, cam->events, sizeof cam->events);
        memcpy(c->levels, cam->levels, sizeof cam->levels);
        c->n_levels = cam->n_levels;
        memcpy(c->gauges, cam->gauges, sizeof cam->gauges);
        c->n_gauges = cam->n_gauges;
        cw_camera_stats(cam, &c->stats);
        online += cam->cs.state == CW_STATE_ONLINE;
    }
    cw_live_publish(&d->live, l);
    if (d->notify)
        sd_notifyf(0, "STATUS=%d/%d cameras online\nWATCHDOG=1", online, d->n_cameras);
}

/* ---- what the writer does for the daemon ---- */

static void on_write_tick(void *ud, int64_t now)
{
    struct cw_daemon *d = ud;
    int64_t step = cw_clock_check();
    if (step) {
        /* Spans, outages and alerts keep camwatch's steady clock; the step
         * is said and recorded, and absorbed at 1 % (see clock.h). */
        cw_warn("daemon", NULL,
                "the system clock stepped %s by %.1f s (NTP, RTC?); camwatch keeps its own clock steady and runs it "
                "1 %% %s until they agree (about %.0f h)",
                step > 0 ? "forward" : "back", (step > 0 ? step : -step) / 1e6, step > 0 ? "fast" : "slow",
                (step > 0 ? step : -step) / 1e6 / 36.0);
        cw_store_batch_clock_step(cw_writer_batch(d->writer), now, step);
    }
    /* How far the system clock is from camwatch's, for the command line:
     * a maintenance window it opens "now" must start now on this clock
     * (cw_cli_now), not hours off after a step. Recorded when it moved by
     * more than 50 ms (while slewing, every few seconds). */
    int64_t off = cw_clock_offset();
    if (d->clock_offset_saved == INT64_MIN || off - d->clock_offset_saved > 50000 ||
        off - d->clock_offset_saved < -50000) {
        char v[32];
        snprintf(v, sizeof v, "%lld", (long long)off);
        if (cw_store_batch_setting(cw_writer_batch(d->writer), "clock_offset_us", v) == 0)
            d->clock_offset_saved = off;
    }
    publish_live(d);
}

/* Each batch carries the cameras' stats: `camwatch status` is at most a
 * second or two behind. */
static void before_write(void *ud, struct cw_store_batch *b, int64_t now)
{
    collect_stats(ud, b, now);
}

/* After each write, on the pool: the maintenance windows and
 * acknowledgements the CLI or the console wrote meanwhile. */
static void after_write(void *ud, struct cw_store *st, int rc)
{
    struct cw_daemon *d = ud;
    (void)rc;
    cw_records_read(d->records, st, cw_wall_us());
}

static void written(void *ud, int rc)
{
    struct cw_daemon *d = ud;
    (void)rc;
    cw_records_swap(d->records);
}

static void database_gone(void *ud)
{
    struct cw_daemon *d = ud;
    if (d->stopping)
        return;
    /* Writing on would go into an unlinked file and vanish at exit: say so
     * and stop, so that the supervisor restarts camwatchd on a new
     * database rather than it watching into nothing. */
    cw_error("daemon", NULL,
             "the database %s was deleted or replaced while camwatchd was running; stopping (restart it to start a "
             "new database; history since the last backup is lost)",
             d->cfg->database);
    d->exit_code = 1;
    begin_shutdown(d, "database gone");
}

/* ---- the cameras' news goes to the alert policy ---- */

static void camera_view(const struct cw_camera *cam, struct cw_alert_camera *v)
{
    *v = (struct cw_alert_camera){cam->id, &cam->names, cam->formerly, cam->cs.state, cam->cs.cause, cam->detail,
                                  cam->cs.since_wall_us, cam->cs.outage_since_wall_us};
}

static void on_camera_state(void *ud, const struct cw_camera *cam, int64_t t)
{
    struct cw_daemon *d = ud;
    struct cw_alert_camera v;
    if (!d->policy)
        return;
    camera_view(cam, &v);
    cw_alert_policy_state(d->policy, &v, t);
}

static void on_camera_image(void *ud, const struct cw_camera *cam, const char *condition, int on, int stream_ended,
                            int64_t t)
{
    struct cw_daemon *d = ud;
    if (d->policy)
        cw_alert_policy_image(d->policy, cam->id, condition, on, stream_ended, t);
}

static void on_camera_event(void *ud, const struct cw_camera *cam, const char *plugin, int64_t start_us, int64_t t,
                            double score, const char *snapshot, int continues)
{
    struct cw_daemon *d = ud;
    if (d->policy)
        cw_alert_policy_motion(d->policy, cam->id, plugin, start_us, t, score, snapshot, continues);
}

/* ---- alerts: the policy decides, the outbox stores and sends ---- */

static const struct cw_maint *policy_maintenance(void *ud, const struct cw_alert_camera *cam, int64_t now)
{
    struct cw_daemon *d = ud;
    return cw_records_maintenance(d->records, cam->id, cam->names, now);
}

static int policy_ack(void *ud, const char *camera, int64_t *at_us, const char **by)
{
    struct cw_daemon *d = ud;
    return cw_records_ack(d->records, camera, at_us, by);
}

static int policy_raise(void *ud, const struct cw_alert_out *a)
{
    struct cw_daemon *d = ud;
    return cw_outbox_raise(d->outbox, a);
}

static struct cw_store_batch *sink_batch(void *ud) { return cw_writer_batch(((struct cw_daemon *)ud)->writer); }
static uint64_t sink_seq(void *ud) { return cw_writer_seq(((struct cw_daemon *)ud)->writer); }
static void sink_commit_soon(void *ud) { cw_writer_flush_soon(((struct cw_daemon *)ud)->writer); }

static int outbox_send(void *ud, const struct cw_httpc_req *q, cw_httpc_cb done, void *done_ud)
{
    struct cw_daemon *d = ud;
    return cw_httpc_send(d->alert_httpc, q, done, done_ud);
}

/* A commit starts the sends it unblocks: none waits for a tick. */
static void on_committed(void *ud, uint64_t committed)
{
    struct cw_daemon *d = ud;
    if (d->outbox)
        cw_outbox_committed(d->outbox, committed, cw_wall_us());
}

static void on_alert_tick(uv_timer_t *t)
{
    struct cw_daemon *d = t->data;
    int64_t now = cw_wall_us();
    cw_alert_policy_tick(d->policy, now);
    cw_outbox_tick(d->outbox, now);
}

static void on_last_alert(void *ud, const char *camera, const char *kind, const char *condition, int64_t created)
{
    struct cw_daemon *d = ud;
    cw_alert_policy_restore(d->policy, camera, kind, condition, created);
}

static void on_verdict(void *ud, const struct cw_verdict_change *c)
{
    struct cw_daemon *d = ud;
    if (d->policy)
        cw_alert_policy_verdict(d->policy, c, cw_wall_us());
}

static void on_month_digest(void *ud, const struct cw_month_digest *m)
{
    struct cw_daemon *d = ud;
    if (d->policy)
        cw_alert_policy_month_digest(d->policy, m, cw_wall_us());
}

static int start_alerts(struct cw_daemon *d)
{
    const struct cw_config *cfg = d->cfg;
    if (cw_httpc_init(d->loop, &d->alert_httpc) < 0)
        return CW_ENOMEM;
    struct cw_outbox_params op = {.cfg = &cfg->alerts, .listen = cfg->http.listen,
                                  .sink = {sink_batch, sink_seq, sink_commit_soon, d}, .send = outbox_send,
                                  .send_ud = d};
    struct cw_alert_policy_params pp = {.cfg = &cfg->alerts, .report = &cfg->report, .maintenance = policy_maintenance,
                                        .ack = policy_ack, .raise = policy_raise, .ud = d};
    if (cw_outbox_create(&op, &d->outbox) < 0 || cw_alert_policy_create(&pp, &d->policy) < 0)
        return CW_ENOMEM;
    for (int i = 0; i < d->n_cameras; i++) {
        struct cw_alert_camera v;
        camera_view(d->cameras[i], &v);
        cw_alert_policy_camera(d->policy, &v);
    }
    /* before the loop runs, the writer's connection is the loop's to use */
    struct cw_store *st = cw_writer_store(d->writer);
    if (!st) /* the database could not be opened yet (disk full): nothing to reload */
        cw_warn("alert", NULL, "the database is not writable yet: alerts wait until their outbox row is written");
    else if (cw_outbox_restore(d->outbox, st) < 0 || cw_store_last_alerts(st, on_last_alert, d) < 0)
        cw_error("alert", NULL, "could not read the outbox; pending alerts will be sent after the next restart");
    cw_writer_listen(d->writer, on_committed, d);
    uv_timer_init(d->loop, &d->alert_tick);
    d->alert_tick.data = d;
    uv_timer_start(&d->alert_tick, on_alert_tick, ALERT_TICK_MS, ALERT_TICK_MS);
    return 0;
}

/* ---- the province (upstream:) ---- */

/* Shipping on a thread of its own; without a province the change log is
 * switched off, so that it never grows without a reader. */
static void start_upstream(struct cw_daemon *d)
{
    const struct cw_upstream_config *u = &d->cfg->upstream;
    if (!u->url || !u->url[0]) {
        struct cw_store *st = cw_writer_store(d->writer); /* the loop's, before the loop runs */
        if (st && cw_store_sync_enable(st, 0) < 0)
            cw_warn("upstream", NULL, "could not switch the change log off: %s", cw_store_errmsg(st));
        return;
    }
    struct cw_shipper_params p = {d->cfg->database, u->url, u->password_file, u->instance, d->snapshot_root,
                                  u->interval_us, u->batch};
    char who[300];
    cw_upstream_describe(u->url, who, sizeof who);
    if (cw_shipper_start(&p, &d->shipper) < 0)
        cw_error("upstream", NULL, "cannot start shipping to %s; the history stays here until a restart", who);
    else
        cw_info("upstream", NULL, "shipping history to %s as %s every %lld s", who, u->instance,
                (long long)(u->interval_us / 1000000));
}

/* ---- shutdown ---- */

static void on_handle_closed(uv_handle_t *h) { (void)h; }

static void on_writer_closed(void *ud, int rc)
{
    struct cw_daemon *d = ud;
    if (rc < 0)
        d->exit_code = 1;
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
    cw_shipper_stop(d->shipper);
    d->shipper = NULL;
    cw_verdict_stop(d->verdict);
    d->verdict = NULL;
    if (d->policy) {
        /* In-flight deliveries are abandoned (their callbacks never come):
         * their rows stay pending and the next start sends them again, with
         * the same Idempotency-Key. */
        uv_timer_stop(&d->alert_tick);
        uv_close((uv_handle_t *)&d->alert_tick, on_handle_closed);
    }
    cw_httpc_close(d->alert_httpc);
    d->alert_httpc = NULL;
    cw_outbox_free(d->outbox);
    d->outbox = NULL;
    cw_alert_policy_free(d->policy);
    d->policy = NULL;
    cw_httpc_close(d->httpc); /* aborts a push in flight */
    d->httpc = NULL;
    uv_close((uv_handle_t *)&d->sig_term, on_handle_closed);
    uv_close((uv_handle_t *)&d->sig_int, on_handle_closed);
    uv_close((uv_handle_t *)&d->sig_hup, on_handle_closed);
    uv_close((uv_handle_t *)&d->retention_timer, on_handle_closed);
    uv_timer_stop(&d->inventory_timer);
    uv_close((uv_handle_t *)&d->inventory_timer, on_handle_closed);
    if (d->inventory_job)
        cw_inventory_plan_stop(d->inventory_job->plan);
    if (d->retention_job)
        d->retention_job->stop = 1; /* ends at its next step; its done callback frees it */
    cw_selfwatch_stop(&d->selfwatch);
    collect_stats(d, cw_writer_batch(d->writer), cw_wall_us());
    /* All threads are told first, so that their sessions wind down in
     * parallel: 300 cameras stuck in a handshake stop in one connect poll
     * interval, not 300 of them. */
    for (int i = 0; i < d->n_cameras; i++)
        cw_camera_stop_soon(d->cameras[i]);
    for (int i = 0; i < d->n_cameras; i++)
        cw_camera_close(d->cameras[i], 0); /* the run's end closes all spans at once */
    d->n_cameras = 0;
    /* what is left is written, the run closed; then the loop ends */
    cw_writer_close(d->writer, on_writer_closed, d);
}

static void on_signal(uv_signal_t *s, int signum)
{
    struct cw_daemon *d = s->data;
    begin_shutdown(d, signum == SIGTERM ? "SIGTERM" : "SIGINT");
}

/* ---- reload ---- */

/* The deployment's zone and language, in the database itself: the CLI
 * reading a copy of the file (--db) then speaks as the commune does. */
static void record_settings(struct cw_daemon *d)
{
    cw_store_batch_setting(cw_writer_batch(d->writer), "timezone", d->cfg->timezone);
    cw_store_batch_setting(cw_writer_batch(d->writer), "language", d->cfg->lang_vi ? "vi" : "en");
}

static void warn_restart(void *ud, const char *section, const char *key)
{
    (void)ud;
    cw_warn("daemon", NULL, "%s.%s changed: it takes effect at the next restart", section, key);
}

/* The config's console users as auth.h takes them: the strings borrowed
 * from cfg, the array the caller's to free (NULL on no memory). */
static struct cw_auth_user *console_users(const struct cw_config *cfg)
{
    struct cw_auth_user *users = calloc((size_t)cfg->n_users + 1, sizeof *users);
    for (int i = 0; users && i < cfg->n_users; i++)
        users[i] = (struct cw_auth_user){cfg->users[i].name, cfg->users[i].password_hash,
                                         cw_role_parse(cfg->users[i].role), cfg->users[i].initial};
    return users;
}

/* Whether a reload changes the console's users (names, roles, hashes). */
static int users_differ(const struct cw_config *a, const struct cw_config *b)
{
    if (a->n_users != b->n_users)
        return 1;
    for (int i = 0; i < a->n_users; i++)
        if (strcmp(a->users[i].name, b->users[i].name) != 0 || strcmp(a->users[i].role, b->users[i].role) != 0 ||
            strcmp(a->users[i].password_hash, b->users[i].password_hash) != 0 ||
            a->users[i].initial != b->users[i].initial)
            return 1;
    return 0;
}

/* Whether a camera's running session survives a reload to config nc. */
static int keeps_session(const struct cw_config *old, const struct cw_config *nc, const char *id)
{
    const struct cw_camera_config *oc = cw_config_find_camera(old, id), *cc = cw_config_find_camera(nc, id);
    return cc && cc->enabled && oc && cw_camera_config_same(oc, cc);
}

static void tell_policy(struct cw_daemon *d, const struct cw_camera *cam)
{
    struct cw_alert_camera v;
    if (!d->policy)
        return;
    camera_view(cam, &v);
    cw_alert_policy_camera(d->policy, &v);
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
    struct cw_store_batch *b = cw_writer_batch(d->writer);
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
            cw_store_batch_camera_meta(b, &meta, now);
            cam->names = meta.names;
            snprintf(cam->formerly, sizeof cam->formerly, "%s", mb.formerly);
            tell_policy(d, cam);
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
            if (d->policy)
                cw_alert_policy_camera_gone(d->policy, cam->id);
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
            cw_store_batch_camera_meta(b, &meta, now);
            continue;
        }
        const struct cw_camera_config *oc = cw_config_find_camera(d->cfg, cc->id);
        if (!oc || !oc->enabled)
            added++;
        if (cw_camera_start(&d->env, nc, cc, now, &cams[n]) < 0) {
            cw_error("camera", cc->id, "cannot start");
            continue;
        }
        /* A reconnected camera that is still down continues its outage.
         * (The closed camera is freed only once its handles have closed,
         * after this callback.) */
        for (int k = 0; k < d->n_cameras; k++)
            if (strcmp(d->cameras[k]->id, cc->id) == 0 && d->cameras[k]->cs.outage_since_wall_us)
                cw_camstate_resume_outage(&cams[n]->cs, d->cameras[k]->cs.outage_since_wall_us);
        tell_policy(d, cams[n]);
        n++;
    }
    free(d->cameras);
    d->cameras = cams;
    d->n_cameras = n;
    /* the modules that borrow the config get the new one before the old goes */
    if (d->policy)
        cw_alert_policy_reconfigure(d->policy, &nc->alerts, &nc->report);
    if (d->outbox)
        cw_outbox_reconfigure(d->outbox, &nc->alerts, nc->http.listen);
    /* HTTPS: the certificate read again (renewed under the same name), or
     * TLS turned on or off */
    if (d->http && ((nc->http.tls_cert && nc->http.tls_cert[0]) || (d->cfg->http.tls_cert && d->cfg->http.tls_cert[0])))
        cw_http_reload_tls(d->http, nc->http.tls_cert, nc->http.tls_key);
    /* the console's users: taken by the HTTP thread at its next request */
    if (d->http && users_differ(d->cfg, nc)) {
        struct cw_auth_user *users = console_users(nc);
        if (!users || cw_http_set_users(d->http, users, nc->n_users) < 0)
            cw_error("daemon", NULL, "reload: out of memory; the console keeps its users");
        free(users); /* copied */
    }
    cw_config_free(d->cfg);
    d->cfg = nc;
    record_settings(d);
    inventory_from_config(d);
    start_inventory(d);
    cw_info("daemon", NULL, "reloaded: %d camera(s) kept, %d reconnected, %d added, %d removed", kept, restarted, added,
            removed);
    publish_live(d);
}

/* ---- start ---- */

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

int cw_daemon_init(struct cw_daemon *d, uv_loop_t *loop, const char *config_path)
{
    struct cw_config_errors errs = {0};
    int rc;

    memset(d, 0, sizeof *d);
    d->lock_fd = -1;
    d->clock_offset_saved = INT64_MIN;
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

    if (cw_snapdir_init(d->cfg->state_dir) < 0) {
        cw_error("daemon", NULL, "cannot create state directory %s: %s", d->cfg->state_dir, strerror(errno));
        return CW_EIO;
    }
    char *dbdir = strdup(d->cfg->database);
    if (dbdir && cw_snapdir_init(dirname(dbdir)) < 0) {
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
    if (!(d->passwords_path = malloc(sl)))
        return CW_ENOMEM;
    snprintf(d->passwords_path, sl, "%s/passwords", d->cfg->state_dir);
    if (cw_snapdir_init(d->snapshot_root) < 0) {
        cw_error("daemon", NULL, "cannot create %s: %s", d->snapshot_root, strerror(errno));
        return CW_EIO;
    }
    if ((rc = lock_database(d)) < 0)
        return rc;
    if (cw_records_create(&d->records) < 0 || cw_plugin_cache_create(d->cfg->plugin_dir, &d->plugins) < 0)
        return CW_ENOMEM;
    char err[300];
    struct cw_writer_params wp = {.loop = loop, .database = d->cfg->database, .interval_ms = FLUSH_INTERVAL_MS,
                                  .tick = on_write_tick, .before = before_write, .after_write = after_write,
                                  .written = written, .gone = database_gone, .ud = d};
    rc = cw_writer_open(&wp, &d->writer, err, sizeof err);
    if (rc == CW_ESCHEMA) {
        cw_error("store", NULL, "%s: %s", d->cfg->database, err);
        return rc; /* a newer camwatch's database: never touch it */
    }
    if (rc < 0)
        return rc;
    if (err[0])
        /* A full or failing disk must not stop the watching (under systemd
         * that was a restart loop with nothing watched): cameras start,
         * changes wait in memory, and every flush tries again. */
        cw_error("store", NULL, "%s; watching anyway, keeping the changes in memory and retrying every second", err);
    record_settings(d);
    d->started_us = cw_wall_us();
    if (cw_live_box_init(&d->live) < 0)
        return CW_ENOMEM;
    d->live_ready = 1;

    cw_ingest_capture_ffmpeg_log();
    uv_signal_init(loop, &d->sig_term);
    uv_signal_init(loop, &d->sig_int);
    uv_signal_init(loop, &d->sig_hup);
    uv_timer_init(loop, &d->retention_timer);
    uv_timer_init(loop, &d->inventory_timer);
    d->sig_hup.data = d->sig_term.data = d->sig_int.data = d->retention_timer.data = d->inventory_timer.data = d;
    d->handles_ready = 1;

    d->env = (struct cw_camera_env){.loop = loop, .writer = d->writer, .plugins = d->plugins,
                                    .snapshot_root = d->snapshot_root, .on_state = on_camera_state,
                                    .on_image = on_camera_image, .on_event_start = on_camera_event, .ud = d};
    d->cameras = calloc((size_t)d->cfg->n_cameras + 1, sizeof *d->cameras);
    if (!d->cameras)
        return CW_ENOMEM;
    struct cw_store *st = cw_writer_store(d->writer);
    for (int i = 0; i < d->cfg->n_cameras; i++) {
        const struct cw_camera_config *cc = &d->cfg->cameras[i];
        if (!cc->enabled) {
            struct cw_camera_meta meta;
            struct cw_camera_meta_buf mb;
            cw_camera_meta(d->cfg, cc, &meta, &mb);
            cw_store_batch_camera_start(cw_writer_batch(d->writer), &meta, cw_wall_us());
            cw_info("camera", cc->id, "disabled in the config; not watched");
            continue;
        }
        /* One camera that cannot start never takes the others down. */
        int64_t now = cw_wall_us(), since = 0, down = 0;
        rc = cw_camera_start(&d->env, d->cfg, cc, now, &d->cameras[d->n_cameras]);
        if (rc < 0) {
            cw_error("camera", cc->id, "cannot start: %s", cw_strerror(rc));
            continue;
        }
        /* Down when camwatchd last stopped (or crashed)? If its first result
         * here is down too, that outage goes on. */
        if (st && cw_store_outage_before(st, cc->id, now + 1, &since, &down, NULL) == 0 && since > 0)
            cw_camstate_resume_outage(&d->cameras[d->n_cameras]->cs, since);
        d->n_cameras++;
    }
    return 0;
}

int cw_daemon_run(struct cw_daemon *d)
{
    const struct cw_config *cfg = d->cfg;
    publish_live(d);
    if (cfg->http.listen[0]) {
        struct cw_auth_user *users = console_users(cfg);
        struct cw_http_params hp = {.listen = cfg->http.listen, .token = cfg->http.token, .database = cfg->database,
                                    .live = &d->live, .users = users, .n_users = users ? cfg->n_users : 0,
                                    .session_idle_us = cfg->http.session_idle_us,
                                    .session_max_us = cfg->http.session_max_us,
                                    .secure_cookies = cfg->http.secure_cookies, .timezone = cfg->timezone,
                                    .report_rules = &cfg->report, .tls_cert = cfg->http.tls_cert,
                                    .tls_key = cfg->http.tls_key, .snapshot_root = d->snapshot_root,
                                    .passwords_path = d->passwords_path,
                                    .lang_vi = cfg->lang_vi};
        if (cw_http_start(&hp, &d->http) < 0)
            cw_error("daemon", NULL, "the HTTP API is off (see above); cameras are watched all the same");
        free(users); /* copied */
    }
    if (start_alerts(d) < 0) {
        cw_error("daemon", NULL, "alerting is off: cannot start it");
        cw_outbox_free(d->outbox);
        cw_alert_policy_free(d->policy);
        d->outbox = NULL;
        d->policy = NULL;
    }
    /* the month judged by the report's own rules, on a connection of its own */
    const char *digest_to = cfg->alerts.monthly_digest_to;
    struct cw_verdict_params vp = {.loop = d->loop, .database = cfg->database, .rules = &cfg->report,
                                   .interval_us = cfg->alerts.verdict_interval_us, .on_change = on_verdict,
                                   .on_digest = digest_to && digest_to[0] ? on_month_digest : NULL,
                                   .digest_hour = cfg->alerts.monthly_digest_hour, .ud = d};
    if (d->policy && cw_verdict_start(&vp, &d->verdict) < 0)
        cw_error("daemon", NULL, "the network's verdict is off: cannot start it");
    start_upstream(d);
    if (cfg->http.push_url[0]) {
        if (cw_httpc_init(d->loop, &d->httpc) < 0 ||
            cw_push_start(d->loop, d->httpc, &d->live, cfg->http.push_url, cfg->http.push_instance,
                          cfg->http.push_interval_us, &d->push) < 0)
            cw_error("daemon", NULL, "metrics push is off: cannot start it");
    }
    /* systemd (Type=notify): READY once the cameras run; STATUS and the
     * watchdog ping ride on the one-second write tick. */
    d->notify = getenv("NOTIFY_SOCKET") != NULL;
    if (d->notify)
        sd_notify(0, "READY=1");
    uv_signal_start(&d->sig_hup, on_sighup, SIGHUP);
    uv_signal_start(&d->sig_term, on_signal, SIGTERM);
    uv_signal_start(&d->sig_int, on_signal, SIGINT);
    cw_writer_start(d->writer);
    uv_timer_start(&d->retention_timer, on_retention, 5000, 60000);
    inventory_from_config(d);
    uv_timer_start(&d->inventory_timer, on_inventory, 2000, 86400000);
    if (cw_selfwatch_start(&d->selfwatch, d->loop) < 0)
        cw_warn("daemon", NULL, "could not start the loop lag timer; camwatch_loop_lag_* will stay 0");
    cw_info("daemon", NULL, "camwatchd started: %d camera(s), database %s", d->n_cameras, cfg->database);
    uv_run(d->loop, UV_RUN_DEFAULT);
    return d->exit_code;
}

void cw_daemon_free(struct cw_daemon *d)
{
    cw_http_stop(d->http);
    if (d->live_ready)
        cw_live_box_destroy(&d->live);
    cw_writer_free(d->writer);
    cw_records_free(d->records);
    cw_outbox_free(d->outbox);
    cw_alert_policy_free(d->policy);
    cw_config_free(d->cfg);
    free(d->cameras);
    free(d->config_path);
    cw_plugin_cache_free(d->plugins);
    free(d->snapshot_root);
    free(d->passwords_path);
    free(d->inventory);
    if (d->lock_fd >= 0)
        close(d->lock_fd); /* releases the flock */
}
