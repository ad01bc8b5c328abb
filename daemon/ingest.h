/* One camera's RTSP session, on its own thread.
 *
 * The ingest thread owns the libavformat context and never touches loop
 * state: it reports through a small message queue (drained on the loop with
 * cw_ingest_poll) and a stats block read under a mutex. No FFmpeg type
 * crosses this interface. An interrupt callback with per-phase deadlines
 * guarantees no read blocks past the connect or stall timeout. */
#ifndef CW_INGEST_H
#define CW_INGEST_H
#include <stdint.h>

#include "camstate.h"
#include "events.h"
#include "plugin.h"

struct cw_ingest;

struct cw_ingest_params {
    const char *camera_id; /* for log lines */
    const char *url;       /* with credentials; only handed to FFmpeg */
    int transport;         /* CW_TRANSPORT_* */
    int64_t connect_timeout_us;
    int64_t stall_timeout_us;
    int64_t stall_reconnect_us; /* give a stalled session up after this long (>= 2 x stall_timeout) */
    /* Called on the ingest thread after a message was queued: must only
     * wake the loop (uv_async_send). */
    void (*notify)(void *ud);
    void *ud;
    /* Detection: instances (ownership passes to the ingest), event rules,
     * and where event snapshots go (state_dir/snapshots/CAMERA). */
    struct cw_plugin_instance **plugins;
    int n_plugins;
    struct cw_event_rules rules;
    const char *snapshot_dir;
    const char *caption; /* event snapshots: "camera · site, commune" */
    int64_t level_interval_us; /* plugin levels this often (0: none) */
    int64_t thumbnail_interval_us; /* a thumbnail (snapshot_dir/thumb.jpg) this often (0: none) */
};

enum cw_ingest_msg_kind {
    CW_INGEST_CONNECTED, /* handshake done; codec/width/height known if given */
    CW_INGEST_VIDEO,     /* video flows (first packet, or after a stall) */
    CW_INGEST_STALLED,   /* connected, no video for stall_timeout */
    CW_INGEST_ENDED,     /* the session is over; see cause and detail */
    CW_INGEST_EVENT_START, /* a detection event began (plugin, start_us, peak) */
    CW_INGEST_EVENT,     /* a detection event ended: plugin, times, peak, regions, snapshot */
    CW_INGEST_HEALTH,    /* image conditions changed: health (CW_HEALTH_* flags) */
    CW_INGEST_PROBE,     /* a probe's result: cause NONE if the RTSP server answered */
    CW_INGEST_LEVEL,     /* a plugin's level over start_us..end_us: mean, peak (highest) */
    CW_INGEST_THUMBNAIL, /* a new thumbnail is in snapshot */
    CW_INGEST_GAUGE,     /* a plugin's named reading: detail (the name), mean (the value) */
};

struct cw_ingest_msg {
    enum cw_ingest_msg_kind kind;
    int64_t wall_us;  /* when it happened */
    enum cw_cause cause;
    int stall_gave_up; /* ENDED: the session was given up after a stall */
    char detail[200]; /* human-readable, never contains the URL */
    /* detection messages */
    char plugin[32];     /* which plugin (motion, activity, ...) */
    int64_t start_us, end_us;
    double peak;
    double mean;   /* LEVEL */
    int continues; /* EVENT_START: the same activity as the event just split */
    uint32_t health;
    int stream_ended;    /* HEALTH: conditions cleared because the session ended, not seen to end */
    char regions[400];   /* JSON: [[x,y,w,h],...] in a WxH frame */
    char snapshot[512];  /* path, or "" (state_dir is at most 300 bytes: it fits) */
};

struct cw_ingest_stats {
    int connected;
    int64_t packets, bytes, video_packets;
    int64_t last_packet_wall_us;
    double fps;                 /* from video packet timestamps */
    double keyframe_interval_s; /* between the last two keyframes */
    char codec[32];
    int width, height;
    int64_t sessions;           /* connection attempts */
    int64_t decoded_frames;
    int decode_mode;            /* enum cw_decode_mode */
};

int cw_ingest_start(const struct cw_ingest_params *p, struct cw_ingest **out);
/* Asks the thread to open a session now (ignored while one runs). */
void cw_ingest_connect(struct cw_ingest *ing);
/* Asks the thread for a probe while no session runs: TCP connect to the
 * camera's RTSP port and an OPTIONS request without credentials, within
 * min(connect_timeout, 3 s). The answer comes as a CW_INGEST_PROBE message.
 * A session asked for meanwhile takes precedence (the probe is dropped). */
void cw_ingest_probe(struct cw_ingest *ing);
/* Pops one message; returns 1 if msg was filled. */
int cw_ingest_poll(struct cw_ingest *ing, struct cw_ingest_msg *msg);
void cw_ingest_get_stats(struct cw_ingest *ing, struct cw_ingest_stats *out);
/* Asks the thread to abort its session and end, without waiting: stopping
 * many cameras, ask them all first, then cw_ingest_stop each (the joins
 * then overlap instead of adding up). */
void cw_ingest_request_stop(struct cw_ingest *ing);
/* Aborts any session, joins the thread and frees everything. */
void cw_ingest_stop(struct cw_ingest *ing);

/* Routes FFmpeg's own log lines into camwatch's log (masked, debug level). */
void cw_ingest_capture_ffmpeg_log(void);

/* Maps an AVERROR from opening or reading a session to a cause. */
enum cw_cause cw_ingest_cause_from_averror(int averr, int connecting);

#endif
