/* The published live view and its Prometheus rendering (see live.h). */
#include "live.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../plugins/camwatch_plugin.h"
#include "error.h"

#ifndef CW_VERSION
#define CW_VERSION "0.3.0"
#endif

int cw_live_box_init(struct cw_live_box *b)
{
    b->cur = NULL;
    return uv_mutex_init(&b->mu) == 0 ? 0 : CW_ENOMEM;
}

static void live_free(struct cw_live *l)
{
    if (!l)
        return;
    free(l->cams);
    free(l);
}

void cw_live_box_destroy(struct cw_live_box *b)
{
    live_free(b->cur);
    b->cur = NULL;
    uv_mutex_destroy(&b->mu);
}

static int cmp_id(const void *a, const void *b)
{
    return strcmp(((const struct cw_live_camera *)a)->id, ((const struct cw_live_camera *)b)->id);
}

void cw_live_publish(struct cw_live_box *b, struct cw_live *live)
{
    struct cw_live *old;
    /* ordered by id: the API pages with the last id as its cursor, and
     * metrics come out in a stable order */
    if (live->n > 1)
        qsort(live->cams, (size_t)live->n, sizeof *live->cams, cmp_id);
    uv_mutex_lock(&b->mu);
    old = b->cur;
    live->refs = 1;
    b->cur = live;
    if (old && --old->refs > 0)
        old = NULL; /* a reader still holds it: the last release frees it */
    uv_mutex_unlock(&b->mu);
    live_free(old);
}

struct cw_live *cw_live_acquire(struct cw_live_box *b)
{
    struct cw_live *l;
    uv_mutex_lock(&b->mu);
    l = b->cur;
    if (l)
        l->refs++;
    uv_mutex_unlock(&b->mu);
    return l;
}

void cw_live_release(struct cw_live_box *b, struct cw_live *live)
{
    int last;
    if (!live)
        return;
    uv_mutex_lock(&b->mu);
    last = --live->refs == 0;
    uv_mutex_unlock(&b->mu);
    if (last)
        live_free(live);
}

/* ---- Prometheus text format ---- */

struct buf {
    char *s;
    size_t n, cap;
    int oom;
};

__attribute__((format(printf, 2, 3))) static void bprintf(struct buf *b, const char *fmt, ...)
{
    va_list ap;
    for (;;) {
        size_t room = b->cap - b->n;
        va_start(ap, fmt);
        int k = vsnprintf(b->s ? b->s + b->n : NULL, b->s ? room : 0, fmt, ap);
        va_end(ap);
        if (k < 0) {
            b->oom = 1;
            return;
        }
        if (b->s && (size_t)k < room) {
            b->n += (size_t)k;
            return;
        }
        size_t cap = (b->cap + (size_t)k + 1) * 2;
        char *t = realloc(b->s, cap);
        if (!t) {
            b->oom = 1;
            return;
        }
        b->s = t;
        b->cap = cap;
    }
}

/* Label values escape backslash, quote and newline. */
static void lv(struct buf *b, const char *s)
{
    for (; *s; s++) {
        if (*s == '\\' || *s == '"')
            bprintf(b, "\\%c", *s);
        else if (*s == '\n')
            bprintf(b, "\\n");
        else
            bprintf(b, "%c", *s);
    }
}

/* The label set is stable per deployment: camera, site, commune and
 * province always; district only where the config has a district level. */
static void labels(struct buf *b, const struct cw_live *l, const struct cw_live_camera *c)
{
    bprintf(b, "camera=\"");
    lv(b, c->id);
    bprintf(b, "\",site=\"");
    lv(b, c->names.site);
    bprintf(b, "\",commune=\"");
    lv(b, c->names.commune);
    if (l->has_districts) {
        bprintf(b, "\",district=\"");
        lv(b, c->names.district);
    }
    bprintf(b, "\",province=\"");
    lv(b, c->names.province);
    bprintf(b, "\"");
}

static void head(struct buf *b, const char *name, const char *type, const char *help)
{
    bprintf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

char *cw_live_metrics(const struct cw_live *l)
{
    static const char *const states[] = {"starting", "online", "stalled", "offline"};
    static const char *const causes[] = {"unreachable", "auth_failed", "not_found", "no_video", "stream_error"};
    static const char *const kinds[] = {"motion", "activity", "other"};
    struct buf b = {0};

    head(&b, "camwatch_camera_up", "gauge", "1 if video packets arrive from the camera, else 0.");
    for (int i = 0; i < l->n; i++) {
        bprintf(&b, "camwatch_camera_up{"), labels(&b, l, &l->cams[i]);
        bprintf(&b, "} %d\n", strcmp(l->cams[i].state, "online") == 0);
    }
    /* names for dashboards, joined on the camera label: the other series
     * keep ids only, so renaming a camera does not start new series */
    head(&b, "camwatch_camera_info", "gauge", "Always 1; the camera's names up the chain as labels.");
    for (int i = 0; i < l->n; i++) {
        const struct cw_live_camera *c = &l->cams[i];
        bprintf(&b, "camwatch_camera_info{"), labels(&b, l, c);
        bprintf(&b, ",name=\""), lv(&b, c->names.name);
        bprintf(&b, "\",site_name=\""), lv(&b, c->names.site_name);
        bprintf(&b, "\",commune_name=\""), lv(&b, c->names.commune_name);
        if (l->has_districts)
            bprintf(&b, "\",district_name=\""), lv(&b, c->names.district_name);
        bprintf(&b, "\",province_name=\""), lv(&b, c->names.province_name);
        bprintf(&b, "\"} 1\n");
    }
    head(&b, "camwatch_camera_state", "gauge", "1 for the camera's current state and cause, 0 for the others.");
    for (int i = 0; i < l->n; i++) {
        const struct cw_live_camera *c = &l->cams[i];
        for (int s = 0; s < 4; s++) {
            int n_causes = s == 3 ? 5 : 1;
            for (int k = 0; k < n_causes; k++) {
                const char *cause = s == 3 ? causes[k] : "";
                bprintf(&b, "camwatch_camera_state{"), labels(&b, l, c);
                bprintf(&b, ",state=\"%s\",cause=\"%s\"} %d\n", states[s], cause,
                        strcmp(c->state, states[s]) == 0 && strcmp(c->cause, cause) == 0);
            }
        }
    }
    head(&b, "camwatch_camera_maintenance", "gauge",
         "1 while a declared maintenance window covers the camera (alerting rules hold back), else 0.");
    for (int i = 0; i < l->n; i++) {
        bprintf(&b, "camwatch_camera_maintenance{"), labels(&b, l, &l->cams[i]);
        bprintf(&b, "} %d\n", l->cams[i].maintenance);
    }
    head(&b, "camwatch_camera_security_warning", "gauge",
         "1 while the camera inventory warns of the camera's own security (factory_password, shared_password, "
         "old_firmware, rtsp_without_tls: camwatch inventory), else 0.");
    for (int i = 0; i < l->n; i++) {
        if (!l->cams[i].has_inventory)
            continue;
        for (int k = 0; k < CW_INV_N_WARNINGS; k++) {
            bprintf(&b, "camwatch_camera_security_warning{"), labels(&b, l, &l->cams[i]);
            bprintf(&b, ",warning=\"%s\"} %d\n", cw_inv_warning_name(k), (l->cams[i].inventory.warnings >> k) & 1);
        }
    }
    head(&b, "camwatch_camera_level", "gauge",
         "A detection plugin's mean score over the camera's last level_interval (activity: 0 = as quiet as the "
         "quietest quarter of the last 2 minutes, 0.3 = inter frames 30 % bigger); absent until one interval ends.");
    for (int i = 0; i < l->n; i++) {
        for (int k = 0; k < l->cams[i].n_levels; k++) {
            bprintf(&b, "camwatch_camera_level{"), labels(&b, l, &l->cams[i]);
            bprintf(&b, ",plugin=\"%s\"} %.4f\n", l->cams[i].levels[k].plugin, l->cams[i].levels[k].mean);
        }
    }
    head(&b, "camwatch_plugin_gauge", "gauge",
         "A detection plugin's own reading, by name: motion's compensation_gain and compensation_offset (the "
         "picture mapped onto the learned background as gain x background + offset; 1 and 0 in steady light).");
    for (int i = 0; i < l->n; i++) {
        for (int k = 0; k < l->cams[i].n_gauges; k++) {
            bprintf(&b, "camwatch_plugin_gauge{"), labels(&b, l, &l->cams[i]);
            bprintf(&b, ",plugin=\"%s\",name=\"%s\"} %.4f\n", l->cams[i].gauges[k].plugin, l->cams[i].gauges[k].name,
                    l->cams[i].gauges[k].value);
        }
    }
    head(&b, "camwatch_camera_fps", "gauge", "Video frame rate measured from packet timestamps.");
    for (int i = 0; i < l->n; i++) {
        bprintf(&b, "camwatch_camera_fps{"), labels(&b, l, &l->cams[i]);
        bprintf(&b, "} %.3f\n", l->cams[i].stats.connected ? l->cams[i].stats.fps : 0.0);
    }
    head(&b, "camwatch_camera_received_bytes_total", "counter", "Bytes of media received from the camera.");
    for (int i = 0; i < l->n; i++) {
        bprintf(&b, "camwatch_camera_received_bytes_total{"), labels(&b, l, &l->cams[i]);
        bprintf(&b, "} %lld\n", (long long)l->cams[i].stats.bytes);
    }
    head(&b, "camwatch_camera_reconnects_total", "counter", "Reconnection attempts since camwatchd started.");
    for (int i = 0; i < l->n; i++) {
        bprintf(&b, "camwatch_camera_reconnects_total{"), labels(&b, l, &l->cams[i]);
        bprintf(&b, "} %lld\n", (long long)l->cams[i].stats.reconnects);
    }
    head(&b, "camwatch_camera_last_packet_timestamp_seconds", "gauge",
         "Unix time of the last packet received (0: none yet).");
    for (int i = 0; i < l->n; i++) {
        bprintf(&b, "camwatch_camera_last_packet_timestamp_seconds{"), labels(&b, l, &l->cams[i]);
        bprintf(&b, "} %.3f\n", l->cams[i].stats.last_packet_us / 1e6);
    }
    head(&b, "camwatch_camera_decoded_frames_total", "counter",
         "Frames decoded for detection (0 when no plugin needs pictures).");
    for (int i = 0; i < l->n; i++) {
        bprintf(&b, "camwatch_camera_decoded_frames_total{"), labels(&b, l, &l->cams[i]);
        bprintf(&b, "} %lld\n", (long long)l->cams[i].stats.decoded_frames);
    }
    head(&b, "camwatch_camera_image_ok", "gauge",
         "1 if the picture is usable (not black, frozen, covered or blurred); only cameras running imagehealth.");
    for (int i = 0; i < l->n; i++) {
        if (!l->cams[i].image_checked)
            continue;
        bprintf(&b, "camwatch_camera_image_ok{"), labels(&b, l, &l->cams[i]);
        bprintf(&b, "} %d\n", l->cams[i].health == 0);
    }
    head(&b, "camwatch_events_total", "counter", "Detection events recorded since camwatchd started.");
    for (int i = 0; i < l->n; i++)
        for (int k = 0; k < 3; k++) {
            bprintf(&b, "camwatch_events_total{"), labels(&b, l, &l->cams[i]);
            bprintf(&b, ",kind=\"%s\"} %lld\n", kinds[k], (long long)l->cams[i].events[k]);
        }
    if (l->alerts_on) {
        head(&b, "camwatch_alerts_pending", "gauge", "Alert deliveries in the outbox not yet accepted by their target.");
        bprintf(&b, "camwatch_alerts_pending %lld\n", (long long)l->alerts_pending);
        head(&b, "camwatch_alerts_delivered_total", "counter", "Alert deliveries accepted, by target, since start.");
        for (int i = 0; i < l->n_targets; i++) {
            bprintf(&b, "camwatch_alerts_delivered_total{target=\"");
            lv(&b, l->targets[i].name);
            bprintf(&b, "\"} %lld\n", (long long)l->targets[i].delivered);
        }
    }
    head(&b, "camwatch_loop_lag_seconds", "gauge",
         "Longest the event loop ran late over the last publish interval (about 1 s).");
    bprintf(&b, "camwatch_loop_lag_seconds %.3f\n", l->loop_lag_us / 1e6);
    head(&b, "camwatch_loop_lag_max_seconds", "gauge", "Longest the event loop ran late since start.");
    bprintf(&b, "camwatch_loop_lag_max_seconds %.3f\n", l->loop_lag_max_us / 1e6);
    head(&b, "camwatch_loop_stalls_total", "counter", "Times the event loop was blocked for more than 1 s.");
    bprintf(&b, "camwatch_loop_stalls_total %lld\n", (long long)l->loop_stalls);
    if (l->rss_bytes >= 0) {
        head(&b, "process_resident_memory_bytes", "gauge", "Resident memory size in bytes.");
        bprintf(&b, "process_resident_memory_bytes %lld\n", (long long)l->rss_bytes);
    }
    if (l->open_fds >= 0) {
        head(&b, "process_open_fds", "gauge", "Number of open file descriptors.");
        bprintf(&b, "process_open_fds %d\n", l->open_fds);
    }
    if (l->upstream_on) {
        head(&b, "camwatch_upstream_up", "gauge", "1 if the last round of shipping to the province worked.");
        bprintf(&b, "camwatch_upstream_up %d\n", l->upstream_up);
        head(&b, "camwatch_upstream_rows_waiting", "gauge",
             "Changes recorded here and not yet acknowledged by the province.");
        bprintf(&b, "camwatch_upstream_rows_waiting %lld\n", (long long)l->upstream_waiting);
        head(&b, "camwatch_upstream_oldest_waiting_seconds", "gauge",
             "Age of the oldest change not yet acknowledged by the province (0: none waits).");
        bprintf(&b, "camwatch_upstream_oldest_waiting_seconds %.3f\n",
                l->upstream_oldest_us ? (l->built_us - l->upstream_oldest_us) / 1e6 : 0.0);
        head(&b, "camwatch_upstream_last_success_timestamp_seconds", "gauge",
             "Unix time of the last round the province acknowledged (0: none since start).");
        bprintf(&b, "camwatch_upstream_last_success_timestamp_seconds %.3f\n", l->upstream_last_success_us / 1e6);
        head(&b, "camwatch_upstream_complete_until_timestamp_seconds", "gauge",
             "The province holds this commune's data up to this Unix time.");
        bprintf(&b, "camwatch_upstream_complete_until_timestamp_seconds %.3f\n",
                l->upstream_complete_until_us / 1e6);
        head(&b, "camwatch_upstream_rows_total", "counter", "Rows the province acknowledged since start.");
        bprintf(&b, "camwatch_upstream_rows_total %lld\n", (long long)l->upstream_rows);
        head(&b, "camwatch_upstream_failures_total", "counter", "Rounds of shipping that failed since start.");
        bprintf(&b, "camwatch_upstream_failures_total %lld\n", (long long)l->upstream_failures);
        head(&b, "camwatch_upstream_gaps_total", "counter",
             "Times the province held less than it had acknowledged (all sent again).");
        bprintf(&b, "camwatch_upstream_gaps_total %lld\n", (long long)l->upstream_gaps);
        head(&b, "camwatch_upstream_resent_cameras_total", "counter",
             "Cameras whose history was sent again because the province's check disagreed with their digests.");
        bprintf(&b, "camwatch_upstream_resent_cameras_total %lld\n", (long long)l->upstream_resent);
    }
    head(&b, "camwatch_start_time_seconds", "gauge", "Unix time camwatchd started.");
    bprintf(&b, "camwatch_start_time_seconds %.3f\n", l->started_us / 1e6);
    head(&b, "camwatch_build_info", "gauge", "Always 1; the labels say which camwatch this is.");
    bprintf(&b, "camwatch_build_info{version=\"%s\",plugin_abi=\"%d\"} 1\n", CW_VERSION, CW_PLUGIN_ABI_VERSION);
    if (b.oom) {
        free(b.s);
        return NULL;
    }
    return b.s;
}
