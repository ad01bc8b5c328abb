/* A camera on the loop (see camera.h): turns what its ingest thread reports
 * into state transitions, store operations and log lines, and schedules
 * reconnects with backoff. */
#include "camera.h"

#include <stdlib.h>
#include <string.h>

#include <assert.h>

#include "analysis.h"
#include "clock.h"
#include "error.h"
#include "log.h"
#include "plugin.h"
#include "snapdir.h"
#include "store.h"
#include "words.h"
#include "writer.h"

static void record(struct cw_camera *cam)
{
    int64_t t = cam->cs.since_wall_us; /* the evidence's time, as camstate kept it */
    const char *cause = cw_cause_name(cam->cs.cause);
    struct cw_store_batch *b = cw_writer_batch(cam->env->writer);
    cw_store_batch_transition(b, cam->id, t, cw_state_name(cam->cs.state), cause, cam->detail);
    if (cam->cs.state == CW_STATE_OFFLINE)
        cw_warn("camera", cam->id, "offline (%s: %s)", cause, cam->detail);
    else if (cam->cs.state == CW_STATE_STALLED)
        cw_warn("camera", cam->id, "stalled (%s)", cam->detail);
    else
        cw_info("camera", cam->id, "%s%s%s", cw_state_name(cam->cs.state), cam->detail[0] ? " - " : "", cam->detail);
    if (cam->env->on_state)
        cam->env->on_state(cam->env->ud, cam, t);
}

static void start_session(struct cw_camera *cam)
{
    uv_timer_stop(&cam->probe);
    uv_timer_stop(&cam->retry);
    cam->session_busy = 1;
    cw_ingest_connect(cam->ing);
}

static void on_retry(uv_timer_t *t)
{
    struct cw_camera *cam = t->data;
    cam->reconnects++;
    cam->probe_started = 0;
    cw_debug("camera", cam->id, "reconnecting (attempt %lld)", (long long)cam->reconnects);
    start_session(cam);
}

static void on_probe(uv_timer_t *t)
{
    struct cw_camera *cam = t->data;
    if (cam->session_busy || cam->closing)
        return;
    cw_ingest_probe(cam->ing);
}

/* Arms the next probe: probe_interval with +-10 % jitter, so that a fleet
 * behind one switch does not knock in step. */
static void arm_probe(struct cw_camera *cam)
{
    int64_t base = cam->probe_interval_us;
    int64_t j = (int64_t)(cw_mono_us() % (base / 5 + 1)) - base / 10;
    uv_timer_start(&cam->probe, on_probe, (uint64_t)((base + j) / 1000), 0);
}

/* Causes after which the camera may come back by itself, unseen by a
 * backoff that has grown: the ones a probe can tell apart. */
static int probe_worthy(enum cw_cause c)
{
    return c == CW_CAUSE_UNREACHABLE || c == CW_CAUSE_STREAM_ERROR;
}

/* ---- what the ingest thread reports, one small handler per kind ---- */

static void on_video(struct cw_camera *cam, const struct cw_ingest_msg *m)
{
    snprintf(cam->detail, sizeof cam->detail, "%s", "");
    uv_timer_stop(&cam->probe);
    cam->seen_gone = 0;
    if (cw_camstate_video(&cam->cs, m->wall_us, cw_mono_us()))
        record(cam);
}

static void on_stalled(struct cw_camera *cam, const struct cw_ingest_msg *m)
{
    if (cw_camstate_stalled(&cam->cs, m->wall_us)) {
        snprintf(cam->detail, sizeof cam->detail, "%s", m->detail);
        record(cam);
    }
}

static void on_event_start(struct cw_camera *cam, const struct cw_ingest_msg *m)
{
    /* The police want to know now, not when the intruder has left: the
     * alert goes out at the start, the event is stored at its end. */
    cw_info("camera", cam->id, "%s event started", m->plugin);
    if (cam->env->on_event_start)
        cam->env->on_event_start(cam->env->ud, cam, m->plugin, m->start_us, m->wall_us, m->peak, m->snapshot,
                                 m->continues);
}

static void on_event(struct cw_camera *cam, const struct cw_ingest_msg *m)
{
    cam->events[strcmp(m->plugin, "motion") == 0 ? 0 : strcmp(m->plugin, "activity") == 0 ? 1 : 2]++;
    if (m->snapshot[0])
        snprintf(cam->last_snapshot, sizeof cam->last_snapshot, "%s", m->snapshot);
    cw_store_batch_event(cw_writer_batch(cam->env->writer), cam->id, m->plugin, m->start_us, m->end_us, m->peak,
                         m->regions, m->snapshot);
    cw_info("camera", cam->id, "%s event: %.1f s, peak %.3f%s%s", m->plugin, (m->end_us - m->start_us) / 1e6, m->peak,
            m->snapshot[0] ? ", snapshot " : "", m->snapshot);
}

static void on_health(struct cw_camera *cam, const struct cw_ingest_msg *m)
{
    for (int i = 0; i < CW_N_CONDITIONS; i++) {
        uint32_t bit = 1u << i;
        if (!((m->health ^ cam->health) & bit))
            continue;
        int on = (m->health & bit) != 0;
        cw_store_batch_condition(cw_writer_batch(cam->env->writer), cam->id, cw_condition_key(i), on, m->wall_us);
        if (cam->env->on_image)
            cam->env->on_image(cam->env->ud, cam, cw_condition_key(i), on, m->stream_ended, m->wall_us);
        if (on)
            cw_warn("camera", cam->id, "image %s", cw_condition_key(i));
        else
            cw_info("camera", cam->id, "image no longer %s", cw_condition_key(i));
    }
    if (!cam->health && m->health)
        cam->image_since_us = m->wall_us;
    else if (!m->health)
        cam->image_since_us = 0;
    cam->health = m->health;
}

static void on_ended(struct cw_camera *cam, const struct cw_ingest_msg *m)
{
    int64_t retry;
    cam->session_busy = 0;
    if (m->stall_gave_up && cw_camstate_stall_gave_up(&cam->cs, &retry) == 0) {
        /* Still stalled: reconnect at once rather than after a backoff, so
         * that the picture's return is seen on the next session. */
        cw_debug("camera", cam->id, "stalled session given up; reconnecting in %.1f s", retry / 1e6);
        if (!cam->closing)
            uv_timer_start(&cam->retry, on_retry, (uint64_t)(retry / 1000), 0);
        return;
    }
    int changed = cw_camstate_ended(&cam->cs, m->cause, m->wall_us, cw_mono_us(), &retry);
    snprintf(cam->detail, sizeof cam->detail, "%s", m->detail);
    if (changed)
        record(cam);
    /* A probe-started session that failed for another reason than
     * reachability needs a probe to fail before the next one. */
    if (cam->probe_started && m->cause != CW_CAUSE_UNREACHABLE)
        cam->seen_gone = 0;
    else
        cam->seen_gone = probe_worthy(m->cause);
    cam->probe_started = 0;
    cw_debug("camera", cam->id, "session ended (%s: %s); retry in %.1f s", cw_cause_name(m->cause), m->detail,
             retry / 1e6);
    if (!cam->closing) {
        uv_timer_start(&cam->retry, on_retry, (uint64_t)(retry / 1000), 0);
        if (probe_worthy(m->cause) && retry > cam->probe_interval_us)
            arm_probe(cam);
    }
}

static void on_level(struct cw_camera *cam, const struct cw_ingest_msg *m)
{
    cw_store_batch_level(cw_writer_batch(cam->env->writer), cam->id, m->plugin, m->start_us, m->end_us, m->mean,
                         m->peak);
    int k = 0;
    while (k < cam->n_levels && strcmp(cam->levels[k].plugin, m->plugin) != 0)
        k++;
    if (k == CW_MAX_LEVELS)
        return;
    if (k == cam->n_levels)
        cam->n_levels++;
    snprintf(cam->levels[k].plugin, sizeof cam->levels[k].plugin, "%s", m->plugin);
    cam->levels[k].mean = m->mean;
    cam->levels[k].max = m->peak;
    cam->levels[k].end_us = m->end_us;
}

static void on_gauge(struct cw_camera *cam, const struct cw_ingest_msg *m)
{
    int k = 0;
    while (k < cam->n_gauges &&
           (strcmp(cam->gauges[k].plugin, m->plugin) != 0 || strcmp(cam->gauges[k].name, m->detail) != 0))
        k++;
    if (k == CW_MAX_GAUGES)
        return;
    if (k == cam->n_gauges) {
        cam->n_gauges++;
        snprintf(cam->gauges[k].plugin, sizeof cam->gauges[k].plugin, "%s", m->plugin);
        snprintf(cam->gauges[k].name, sizeof cam->gauges[k].name, "%.31s", m->detail);
    }
    cam->gauges[k].value = m->mean;
}

static void on_probe_answer(struct cw_camera *cam, const struct cw_ingest_msg *m)
{
    if (cam->session_busy || cam->closing || cam->cs.state == CW_STATE_ONLINE)
        return;
    if (m->cause == CW_CAUSE_NONE && cam->seen_gone) {
        cam->probe_started = 1;
        cam->reconnects++;
        cw_debug("camera", cam->id, "%s: the camera answers again; connecting now", m->detail);
        start_session(cam);
        return;
    }
    if (m->cause != CW_CAUSE_NONE) {
        cam->seen_gone = 1;
        /* A lost session says "stream error"; a port that then refuses (or
         * never answers) says why. Recording it makes one fault one cause,
         * whether or not a session retry happened to fall inside the outage. */
        if (cam->cs.state == CW_STATE_OFFLINE && cam->cs.cause == CW_CAUSE_STREAM_ERROR &&
            cw_camstate_recause(&cam->cs, CW_CAUSE_UNREACHABLE, m->wall_us)) {
            snprintf(cam->detail, sizeof cam->detail, "%s", m->detail);
            record(cam);
        }
    }
    cw_debug("camera", cam->id, "%s", m->detail);
    arm_probe(cam);
}

static void handle_msg(struct cw_camera *cam, const struct cw_ingest_msg *m)
{
    switch (m->kind) {
    case CW_INGEST_CONNECTED:
        /* The state changes on video, not on the handshake: a camera that
         * answers RTSP but sends nothing is not online. */
        cw_debug("camera", cam->id, "connected (%s)", m->detail);
        break;
    case CW_INGEST_VIDEO: on_video(cam, m); break;
    case CW_INGEST_STALLED: on_stalled(cam, m); break;
    case CW_INGEST_EVENT_START: on_event_start(cam, m); break;
    case CW_INGEST_EVENT: on_event(cam, m); break;
    case CW_INGEST_HEALTH: on_health(cam, m); break;
    case CW_INGEST_ENDED: on_ended(cam, m); break;
    case CW_INGEST_THUMBNAIL:
        snprintf(cam->thumbnail, sizeof cam->thumbnail, "%s", m->snapshot);
        cam->thumbnail_us = m->wall_us;
        break;
    case CW_INGEST_LEVEL: on_level(cam, m); break;
    case CW_INGEST_GAUGE: on_gauge(cam, m); break;
    case CW_INGEST_PROBE: on_probe_answer(cam, m); break;
    }
}

static void on_wake(uv_async_t *a)
{
    struct cw_camera *cam = a->data;
    struct cw_ingest_msg m;
    while (!cam->closing && cw_ingest_poll(cam->ing, &m))
        handle_msg(cam, &m);
}

/* Runs on the ingest thread: uv_async_send is the one libuv call that is
 * safe from another thread. */
static void wake_loop(void *ud)
{
    uv_async_send(ud);
}

static void cam_free(struct cw_camera *cam)
{
    if (cam->url)
        memset(cam->url, 0, strlen(cam->url));
    free(cam->url);
    free(cam->url_redacted);
    free(cam->id);
    free(cam);
}

static void on_close(uv_handle_t *h)
{
    struct cw_camera *cam = h->data;
    if (--cam->open_handles == 0)
        cam_free(cam);
}

void cw_camera_meta(const struct cw_config *cfg, const struct cw_camera_config *cc, struct cw_camera_meta *m,
                    struct cw_camera_meta_buf *buf)
{
    buf->plugins[0] = buf->formerly[0] = '\0';
    for (int i = 0; i < cc->n_plugins; i++)
        snprintf(buf->plugins + strlen(buf->plugins), sizeof buf->plugins - strlen(buf->plugins), "%s%s",
                 i ? "," : "", cc->plugins[i].name);
    const struct cw_commune *com = cw_config_site_commune(cfg, cw_config_camera_site(cfg, cc));
    for (int i = 0; com->formerly && com->formerly[i]; i++)
        snprintf(buf->formerly + strlen(buf->formerly), sizeof buf->formerly - strlen(buf->formerly), "%s%s",
                 i ? "," : "", com->formerly[i]);
    memset(m, 0, sizeof *m);
    m->id = cc->id;
    cw_config_camera_names(cfg, cc, &m->names);
    m->url_redacted = cc->url_redacted;
    m->enabled = cc->enabled;
    m->plugins = buf->plugins;
    m->formerly = buf->formerly;
}

int cw_camera_config_same(const struct cw_camera_config *a, const struct cw_camera_config *b)
{
    if (!cw_camera_config_same_session(a, b) || a->n_plugins != b->n_plugins ||
        a->event_start_after != b->event_start_after || a->event_quiet_us != b->event_quiet_us ||
        a->event_max_us != b->event_max_us || strcmp(a->motion_schedule, b->motion_schedule) != 0)
        return 0;
    for (int i = 0; i < a->n_plugins; i++) {
        const struct cw_plugin_config *x = &a->plugins[i], *y = &b->plugins[i];
        if (strcmp(x->name, y->name) != 0 || x->n != y->n)
            return 0;
        for (int k = 0; k < x->n; k++)
            if (strcmp(x->keys[k], y->keys[k]) != 0 || strcmp(x->values[k], y->values[k]) != 0)
                return 0;
    }
    return 1;
}

int cw_camera_start(const struct cw_camera_env *env, const struct cw_config *cfg, const struct cw_camera_config *cc,
                    int64_t now_us, struct cw_camera **out)
{
    struct cw_camera *cam = calloc(1, sizeof *cam);
    int rc;

    *out = NULL;
    if (!cam)
        return CW_ENOMEM;
    cam->env = env;
    cam->id = strdup(cc->id);
    cam->url = strdup(cc->url);
    cam->url_redacted = strdup(cc->url_redacted);
    cam->transport = cc->transport;
    cam->connect_timeout_us = cc->connect_timeout_us;
    cam->stall_timeout_us = cc->stall_timeout_us;
    cam->probe_interval_us = cc->probe_interval_us > 0 ? cc->probe_interval_us : 5000000;
    if (!cam->id || !cam->url || !cam->url_redacted) {
        cam_free(cam);
        return CW_ENOMEM;
    }
    int64_t now = now_us;
    /* Seed the jitter from the id and the clock: cameras must not share it. */
    uint64_t seed = (uint64_t)cw_mono_us();
    for (const char *p = cam->id; *p; p++)
        seed = seed * 131 + (unsigned char)*p;
    cw_camstate_init(&cam->cs, now, seed);

    /* Detection: one instance per plugin of this camera. A plugin that
     * cannot be loaded or rejects an option is reported, and the camera is
     * watched without it. */
    struct cw_plugin_instance *insts[16];
    int n_insts = 0;
    for (int i = 0; i < cc->n_plugins && n_insts < 16; i++) {
        const struct cw_plugin_config *pc = &cc->plugins[i];
        const struct cw_plugin *p = cw_plugin_cache_get(env->plugins, pc->name);
        char err[400];
        if (!p) {
            cw_error("camera", cam->id, "%s:%d:%d: plugin '%s' is not available (see above); watching without it",
                     cfg->path, pc->line, pc->column, pc->name);
            continue;
        }
        if (cw_plugin_instance_create(p, cam->id, pc->keys, pc->values, pc->n, &insts[n_insts], err, sizeof err) < 0) {
            cw_error("camera", cam->id, "%s:%d:%d: %s; watching without it", cfg->path, pc->line, pc->column, err);
            continue;
        }
        cam->image_checked |= strcmp(p->d->name, "imagehealth") == 0;
        n_insts++;
    }
    char snapdir[4200], caption[2048];
    cw_snapdir_camera(env->snapshot_root, cam->id, snapdir, sizeof snapdir);
    /* what a police officer reads under the picture on a phone */
    struct cw_names names;
    cw_config_camera_names(cfg, cc, &names);
    const struct cw_names *nm = &names;
    snprintf(caption, sizeof caption, "%.320s · %.320s, %.320s", nm->name, nm->site_name[0] ? nm->site_name : nm->site,
             nm->commune_name[0] ? nm->commune_name : nm->commune);
    struct cw_ingest_params ip = {
        .plugins = insts,
        .n_plugins = n_insts,
        .rules = {cc->event_start_after, cc->event_quiet_us, cc->event_max_us, cc->sched_from_min, cc->sched_to_min},
        .snapshot_dir = snapdir,
        .caption = caption,
        .level_interval_us = cc->level_interval_us,
        .thumbnail_interval_us = cc->thumbnail_interval_us,
        .camera_id = cam->id,
        .url = cam->url,
        .transport = cam->transport,
        .connect_timeout_us = cam->connect_timeout_us,
        .stall_timeout_us = cam->stall_timeout_us,
        .stall_reconnect_us = cc->stall_reconnect_us,
        .notify = wake_loop,
        .ud = &cam->wake,
    };
    uv_async_init(env->loop, &cam->wake, on_wake);
    uv_timer_init(env->loop, &cam->retry);
    uv_timer_init(env->loop, &cam->probe);
    cam->wake.data = cam->retry.data = cam->probe.data = cam;
    cam->open_handles = 3;
    rc = cw_ingest_start(&ip, &cam->ing);
    if (rc < 0) {
        cam->closing = 1;
        uv_close((uv_handle_t *)&cam->wake, on_close);
        uv_close((uv_handle_t *)&cam->retry, on_close);
        uv_close((uv_handle_t *)&cam->probe, on_close);
        return rc;
    }

    struct cw_camera_meta meta;
    struct cw_camera_meta_buf mb;
    cw_camera_meta(cfg, cc, &meta, &mb);
    cam->names = meta.names;
    snprintf(cam->formerly, sizeof cam->formerly, "%s", mb.formerly);

    cw_store_batch_camera_start(cw_writer_batch(env->writer), &meta, now);
    cw_info("camera", cam->id, "watching %s (%s)", cam->url_redacted, cam->transport ? "udp" : "tcp");
    start_session(cam);
    *out = cam;
    return 0;
}

void cw_camera_stop_soon(struct cw_camera *cam)
{
    if (!cam->closing)
        cw_ingest_request_stop(cam->ing);
}

void cw_camera_close(struct cw_camera *cam, int64_t end_us)
{
    if (cam->closing)
        return;
    cam->closing = 1;
    cw_ingest_stop(cam->ing); /* joins: from here no message can arrive */
    cam->ing = NULL;
    if (end_us > 0)
        cw_store_batch_close(cw_writer_batch(cam->env->writer), cam->id, end_us);
    uv_timer_stop(&cam->retry);
    uv_timer_stop(&cam->probe);
    uv_close((uv_handle_t *)&cam->wake, on_close);
    uv_close((uv_handle_t *)&cam->retry, on_close);
    uv_close((uv_handle_t *)&cam->probe, on_close);
}

const char *cw_camera_decode_mode(struct cw_camera *cam)
{
    struct cw_ingest_stats s;
    if (!cam->ing)
        return "none";
    cw_ingest_get_stats(cam->ing, &s);
    return cw_decode_mode_name((enum cw_decode_mode)s.decode_mode);
}

void cw_camera_stats(struct cw_camera *cam, struct cw_stats_row *row)
{
    struct cw_ingest_stats s;
    memset(row, 0, sizeof *row);
    if (!cam->ing)
        return;
    cw_ingest_get_stats(cam->ing, &s);
    row->connected = s.connected;
    row->last_packet_us = s.last_packet_wall_us;
    row->fps = s.fps;
    row->packets = s.packets;
    row->bytes = s.bytes;
    row->reconnects = cam->reconnects;
    row->decoded_frames = s.decoded_frames;
    row->keyframe_interval_s = s.keyframe_interval_s;
    snprintf(row->codec, sizeof row->codec, "%s", s.codec);
    row->width = s.width;
    row->height = s.height;
}
