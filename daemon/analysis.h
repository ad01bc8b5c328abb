/* The per-frame path of one camera: decode only what its plugins need,
 * downscale the luma plane, run the plugins, turn their verdicts into
 * events and image-health changes, and keep a JPEG of each event's peak.
 *
 * Lives on the camera's ingest thread (and in `camwatch analyze`, which
 * runs it over a file). FFmpeg types stay inside: callers hand it packets
 * and get plain outputs back through a callback. */
#ifndef CW_ANALYSIS_H
#define CW_ANALYSIS_H
#include <stddef.h>
#include <stdint.h>

#include "events.h"
#include "plugin.h"

enum cw_decode_mode { CW_DECODE_NONE = 0, CW_DECODE_KEYFRAMES = 1, CW_DECODE_FRAMES = 2 };

enum cw_analysis_kind {
    CW_ANALYSIS_EVENT_START, CW_ANALYSIS_EVENT_END, CW_ANALYSIS_HEALTH, CW_ANALYSIS_LEVEL,
    CW_ANALYSIS_THUMBNAIL, /* jpeg: a keyframe of the camera now (cw_analysis_set_thumbnail_interval) */
    CW_ANALYSIS_GAUGE      /* a plugin's named reading (gauge: the name, mean: the value), at most 1/s */
};

struct cw_analysis_output {
    enum cw_analysis_kind kind;
    const char *plugin;          /* the plugin's name */
    int64_t start_us, end_us;    /* the event (END), or start (START) */
    double peak;
    int n_boxes;                 /* regions at the peak, in frame_w x frame_h */
    struct cw_plugin_box boxes[CW_PLUGIN_MAX_BOXES];
    int frame_w, frame_h;
    const uint8_t *jpeg;         /* snapshot at the peak, or NULL */
    size_t jpeg_len;
    uint32_t health, health_changed; /* HEALTH: all flags now, and which changed */
    int stream_ended;            /* HEALTH: cleared because the session ended (unknown, not seen to end) */
    int64_t t_us;
    int continues;               /* START: goes on from an event just split by event_max */
    const char *gauge;           /* GAUGE: the reading's name */
    double mean;                 /* LEVEL: the plugin's mean score over start..end (peak: its highest) */
    int64_t samples;             /* LEVEL: analyses it is made of */
};

typedef void (*cw_analysis_cb)(void *ud, const struct cw_analysis_output *o);

struct cw_analysis;
struct AVCodecParameters;
struct AVPacket;

/* Takes ownership of the instances (the array itself is copied). */
int cw_analysis_create(struct cw_plugin_instance **insts, int n, const struct cw_event_rules *rules,
                       cw_analysis_cb cb, void *ud, struct cw_analysis **out);
enum cw_decode_mode cw_analysis_mode(const struct cw_analysis *a);
/* The caption of event snapshots: camera and place; the time is added. */
void cw_analysis_set_caption(struct cw_analysis *a, const char *caption);
/* Every `us` (0: never) each event plugin's mean and highest score go out
 * as a LEVEL output: a camera's activity timeline. */
void cw_analysis_set_level_interval(struct cw_analysis *a, int64_t us);
/* Every `us` (0: never) one keyframe is decoded in colour into a captioned
 * JPEG (a THUMBNAIL output): the console's picture of the camera, also for
 * cameras whose plugins decode nothing. Call before cw_analysis_start. */
void cw_analysis_set_thumbnail_interval(struct cw_analysis *a, int64_t us);
/* Snapshots without boxes and caption: the reference a test compares to. */
void cw_analysis_set_plain(struct cw_analysis *a, int plain);
const char *cw_decode_mode_name(enum cw_decode_mode m);
/* A new session: (re)opens the decoder for these parameters. */
int cw_analysis_start(struct cw_analysis *a, const struct AVCodecParameters *par, int tb_num, int tb_den);
/* One video packet; clock_us is the time events are stamped with (wall
 * clock live, stream time over a file). */
int cw_analysis_packet(struct cw_analysis *a, const struct AVPacket *pkt, int64_t clock_us, int minute_of_day);
/* The session ended: active events end, image health is no longer known. */
void cw_analysis_stop(struct cw_analysis *a, int64_t clock_us);
int64_t cw_analysis_decoded(const struct cw_analysis *a);
/* Frames left undecoded: after the last one a plugin takes before a
 * keyframe, in a steady keyframe rhythm (see tail_skip in analysis.c). */
int64_t cw_analysis_skipped(const struct cw_analysis *a);
int64_t cw_analysis_analysed(const struct cw_analysis *a);
void cw_analysis_free(struct cw_analysis *a);

#endif
