/* One watched camera on the loop: its state machine, its ingest thread and
 * its handles (retry timer, wake-up async). It records through the writer
 * it was given and tells its listener (the alert policy, through the
 * daemon) what happens; it knows no daemon. Owned by the daemon; freed in
 * the close callback of its last handle. */
#ifndef CW_CAMERA_H
#define CW_CAMERA_H
#include <stdint.h>
#include <uv.h>

#include "camstate.h"
#include "config.h"
#include "ingest.h"
#include "store.h"

struct cw_camera;
struct cw_writer;
struct cw_plugin_cache;

/* What a camera is given by whoever runs it (daemon.c), narrowly: where
 * its records go, its plugins, where its pictures go, and whom to tell of
 * what happens to it. Outlives every camera made with it. */
struct cw_camera_env {
    uv_loop_t *loop;
    struct cw_writer *writer;        /* spans, events, conditions, levels */
    struct cw_plugin_cache *plugins; /* loaded once, by name */
    const char *snapshot_root;       /* state_dir/snapshots (snapdir.h) */
    /* its state changed (cam->cs), at t (the evidence's time) */
    void (*on_state)(void *ud, const struct cw_camera *cam, int64_t t);
    /* an image condition began or ended; stream_ended: cleared with the session */
    void (*on_image)(void *ud, const struct cw_camera *cam, const char *condition, int on, int stream_ended,
                     int64_t t);
    /* a detection event started at start_us, confirmed at t */
    void (*on_event_start)(void *ud, const struct cw_camera *cam, const char *plugin, int64_t start_us, int64_t t,
                           double score, const char *snapshot, int continues);
    void *ud;
};

struct cw_camera {
    const struct cw_camera_env *env;
    char *id;
    char *url;          /* secret: handed only to the ingest */
    char *url_redacted;
    int transport;
    int64_t connect_timeout_us, stall_timeout_us, probe_interval_us;

    struct cw_camstate cs;
    char detail[200];   /* why it is in its state, for logs */
    struct cw_ingest *ing;
    int64_t reconnects;
    uint32_t health;    /* image conditions now (CW_HEALTH_*) */
    int64_t image_since_us; /* bad since (any condition); 0 when fine */
    /* for the live view (API, metrics) and alerts */
    struct cw_names names;
    char formerly[256]; /* ids its commune absorbed, comma-separated (filters by old ids) */
    int image_checked;
    int64_t events[3];  /* motion, activity, other: since start */
    struct cw_level levels[CW_MAX_LEVELS]; /* each plugin's last level (metric) */
    int n_levels;
    struct cw_gauge gauges[CW_MAX_GAUGES]; /* the plugins' readings now (metric) */
    int n_gauges;
    char last_snapshot[512];
    char thumbnail[512]; /* the latest thumbnail's file, or "" */
    int64_t thumbnail_us;

    uv_async_t wake;    /* the ingest thread has messages */
    uv_timer_t retry;   /* backoff before the next attempt */
    uv_timer_t probe;   /* while down: the next cheap probe */
    /* Probe bookkeeping. A probe's answer starts a session only after the
     * camera was seen unreachable (by a session or a probe): an RTSP server
     * that answers but refuses our session (401, 404, ...) is left to the
     * backoff and never hammered with credentials. */
    int session_busy;   /* a session was asked for and has not ended */
    int seen_gone;      /* unreachable since the last session attempt */
    int probe_started;  /* the running session was started by a probe */
    int open_handles;
    int closing;
};

/* What the store records of a camera: ids and names up the hierarchy. The
 * strings it points to (plugins, former commune ids) live in buf. */
struct cw_camera_meta_buf {
    char plugins[512], formerly[256];
};
void cw_camera_meta(const struct cw_config *cfg, const struct cw_camera_config *cc, struct cw_camera_meta *m,
                    struct cw_camera_meta_buf *buf);

/* Creates the camera, records its start in the writer's batch and starts
 * its first connection attempt. */
int cw_camera_start(const struct cw_camera_env *env, const struct cw_config *cfg, const struct cw_camera_config *cc,
                    int64_t now_us, struct cw_camera **out);
/* Tells the camera's ingest thread to end, without waiting (see
 * cw_ingest_request_stop): call it for every camera about to be closed. */
void cw_camera_stop_soon(struct cw_camera *cam);
/* Stops the ingest (joins its thread), closes the handles and frees the
 * camera once they are closed. With end_us > 0 its open span ends then. */
void cw_camera_close(struct cw_camera *cam, int64_t end_us);
/* Whether a new config of the camera needs a new session and detection
 * (URL, transport, timeouts, plugins and their options, event rules). */
int cw_camera_config_same(const struct cw_camera_config *a, const struct cw_camera_config *b);
/* Current stats in the store's row form. */
void cw_camera_stats(struct cw_camera *cam, struct cw_stats_row *row);
/* Decode mode name of the camera's plugins ("none", "keyframes", "frames"). */
const char *cw_camera_decode_mode(struct cw_camera *cam);

#endif
