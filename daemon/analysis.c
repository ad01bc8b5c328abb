/* The per-frame path (see analysis.h): receive, decode, scale, analyse,
 * decide, emit - each a small step below. */
#include "analysis.h"

#include <libavcodec/avcodec.h>
#include <stdlib.h>
#include <string.h>
/* glibc's malloc_trim, not under a sanitizer: ASan's allocator replaces
 * glibc's, whose arenas malloc_trim would then walk uninitialised */
#if defined(__GLIBC__) && !defined(__SANITIZE_ADDRESS__)
#define CW_MALLOC_TRIM 1
#include <malloc.h>
#endif
#include <time.h>

#include "error.h"
#include "log.h"
#include "snapshot.h"

struct slot {
    struct cw_plugin_instance *inst;
    const struct cw_plugin_descriptor *d;
    struct cw_event_tracker tr;
    int64_t last_pts_us; /* of the last analysis (FRAMES) */
    int64_t last_gauge_us; /* the plugin's gauges last sent on */
    uint32_t health;
    /* the current event's peak */
    uint8_t *jpeg;
    size_t jpeg_len;
    struct cw_plugin_result peak_res;
    int peak_w, peak_h;
    /* the level: scores of the current interval (cw_analysis_set_level_interval) */
    int64_t lvl_start, lvl_last, lvl_floor;
    double lvl_sum, lvl_max;
    int64_t lvl_n;
};

#define HOLD_MAX 8 /* packets held for a keyframe (tail_skip): 0.5 s at 15 a second */

struct cw_analysis {
    struct slot *slots;
    int n;
    enum cw_decode_mode mode;
    int fast;
    int src_w, src_h; /* the last scaled frame's size before scaling */
    uint16_t *acc; /* scale(): a row of box sums */
    int acc_w;
    cw_analysis_cb cb;
    void *ud;
    AVCodecContext *dec;
    AVCodecParameters *par; /* the stream's, to open the decoder again (thumbnails only) */
    AVFrame *frame;
    AVRational tb;
    /* scaled luma of the last decoded frame */
    uint8_t *luma;
    int lw, lh, have_luma;
    int *xs; /* source column ranges for the box filter */
    int xs_src_w;
    struct cw_snapshot *snap; /* created at the first snapshot */
    char caption[1024];       /* "Cổng chợ · Cổng làng, Xã Hòa Bình" (the time is added) */
    int plain;                /* snapshots without boxes and caption (camwatch analyze --plain-snapshots) */
    uint32_t health;
    int64_t level_us; /* 0: no level outputs */
    int64_t thumb_us, last_thumb_us; /* thumbnails: how often, the last one (clock) */
    int64_t decoded, analysed;
    /* the keyframe rhythm, for the frames no plugin will take (tail_skip):
     * the last keyframe's and packet's times, the gaps between keyframes
     * and between frames (stream time) */
    int64_t key_pts_us, key_gap_us, pkt_pts_us, frame_gap_us;
    int key_steady; /* keyframe gaps in a row equal to the one before */
    int key_trust;  /* how many skipping needs: more after a keyframe came late */
    int skipping;   /* packets are held undecoded until the next keyframe */
    struct held {
        AVPacket *pkt;
        int64_t now;
        int minute;
    } held[HOLD_MAX];
    int n_held;
    int64_t skipped;
};

static void held_drop(struct cw_analysis *a);

/* A new session learns its keyframe rhythm afresh (key_trust stays: a
 * camera whose keyframe came late once is trusted less for good). */
static void rhythm_reset(struct cw_analysis *a)
{
    held_drop(a);
    a->key_pts_us = a->pkt_pts_us = INT64_MIN;
    a->key_steady = a->skipping = 0;
    a->key_gap_us = a->frame_gap_us = 0;
}

const char *cw_decode_mode_name(enum cw_decode_mode m)
{
    static const char *const n[] = {"none", "keyframes", "frames"};
    return n[m];
}

int cw_analysis_create(struct cw_plugin_instance **insts, int n, const struct cw_event_rules *rules,
                       cw_analysis_cb cb, void *ud, struct cw_analysis **out)
{
    struct cw_analysis *a = calloc(1, sizeof *a);
    *out = NULL;
    if (!a || !(a->slots = calloc((size_t)n + 1, sizeof *a->slots))) {
        free(a);
        return CW_ENOMEM;
    }
    a->n = n;
    a->cb = cb;
    a->ud = ud;
    a->fast = 1;
    rhythm_reset(a);
    a->key_trust = 3;
    for (int i = 0; i < n; i++) {
        struct slot *s = &a->slots[i];
        s->inst = insts[i];
        s->d = insts[i]->plugin->d;
        s->last_pts_us = INT64_MIN;
        cw_event_tracker_init(&s->tr, rules);
        /* The cheapest decode that satisfies every plugin. */
        if ((int)s->d->input > (int)a->mode)
            a->mode = (enum cw_decode_mode)s->d->input;
        if (s->d->input != CW_PLUGIN_INPUT_NONE)
            a->fast &= s->d->allow_fast_decode;
    }
    *out = a;
    return 0;
}

enum cw_decode_mode cw_analysis_mode(const struct cw_analysis *a) { return a->mode; }
int64_t cw_analysis_decoded(const struct cw_analysis *a) { return a->decoded; }
int64_t cw_analysis_skipped(const struct cw_analysis *a) { return a->skipped; }
int64_t cw_analysis_analysed(const struct cw_analysis *a) { return a->analysed; }

/* The decoder for the stream's parameters a->par, with the cheap options
 * where every plugin allows them. */
static int open_decoder(struct cw_analysis *a)
{
    const AVCodec *codec = avcodec_find_decoder(a->par->codec_id);
    if (!codec)
        return CW_EINVAL;
    a->dec = avcodec_alloc_context3(codec);
    if (!a->dec || avcodec_parameters_to_context(a->dec, a->par) < 0) {
        avcodec_free_context(&a->dec);
        return CW_ENOMEM;
    }
    /* One thread (one camera, one core share), no output delay. */
    a->dec->thread_count = 1;
    a->dec->flags |= AV_CODEC_FLAG_LOW_DELAY;
    a->dec->flags2 |= AV_CODEC_FLAG2_FAST;
    if (a->mode != CW_DECODE_FRAMES)
        a->dec->skip_frame = AVDISCARD_NONKEY;
    if (a->fast)
        a->dec->skip_loop_filter = AVDISCARD_ALL;
    if (avcodec_open2(a->dec, codec, NULL) < 0) {
        avcodec_free_context(&a->dec);
        return CW_EINVAL;
    }
    if (!a->frame && !(a->frame = av_frame_alloc()))
        return CW_ENOMEM;
    return 0;
}

int cw_analysis_start(struct cw_analysis *a, const AVCodecParameters *par, int tb_num, int tb_den)
{
    a->tb = (AVRational){tb_num, tb_den};
    avcodec_free_context(&a->dec);
    a->have_luma = 0;
    rhythm_reset(a);
    if (!a->par && !(a->par = avcodec_parameters_alloc()))
        return CW_ENOMEM;
    if (avcodec_parameters_copy(a->par, par) < 0)
        return CW_ENOMEM;
    if (!avcodec_find_decoder(par->codec_id))
        return CW_EINVAL;
    /* A camera whose plugins decode nothing gets a decoder for its
     * thumbnails only while it makes one: a keyframe per thumbnail
     * interval, then the decoder and the encoder go (at 720p they held
     * about 9 MiB per camera, for one picture a minute). */
    if (a->mode == CW_DECODE_NONE)
        return 0;
    return open_decoder(a);
}

/* One source row into the row of box sums, fx pixels per box. restrict:
 * the frame and the sums are separate allocations, and the vectoriser
 * (-fvect-cost-model=dynamic, see the Makefile) needs to know it; the
 * factors 2 and 4 have their own loops with constant strides, which it
 * turns into even/odd byte extraction. */
static void box_add(const uint8_t *restrict row, uint16_t *restrict acc, int w, int fx)
{
    if (fx == 2)
        for (int x = 0; x < w; x++)
            acc[x] = (uint16_t)(acc[x] + row[2 * x] + row[2 * x + 1]);
    else if (fx == 4)
        for (int x = 0; x < w; x++)
            acc[x] = (uint16_t)(acc[x] + row[4 * x] + row[4 * x + 1] + row[4 * x + 2] + row[4 * x + 3]);
    else
        for (int x = 0; x < w; x++)
            for (int k = 0; k < fx; k++)
                acc[x] = (uint16_t)(acc[x] + row[fx * x + k]);
}

/* The box sums' row into the picture: floor(sum / area), exactly. */
static void box_out(const uint16_t *restrict acc, uint8_t *restrict dst, int w, unsigned area)
{
    if ((area & (area - 1)) == 0) {
        int sh = __builtin_ctz(area);
        for (int x = 0; x < w; x++)
            dst[x] = (uint8_t)(acc[x] >> sh);
        return;
    }
    uint64_t m = ((1ull << 24) + area - 1) / area;
    for (int x = 0; x < w; x++)
        dst[x] = (uint8_t)((acc[x] * m) >> 24);
}

/* scale: box-filter the luma plane down to want_width (no colour work). */
static int scale(struct cw_analysis *a, const AVFrame *f)
{
    int sw = f->width, sh = f->height;
    /* the widest any plugin wants for this source (cw_plugin_analysis_width) */
    int want = 0;
    for (int i = 0; i < a->n; i++)
        if (a->slots[i].d->input != CW_PLUGIN_INPUT_NONE) {
            int pw = cw_plugin_analysis_width(a->slots[i].inst, sw);
            want = pw > want ? pw : want;
        }
    if (want == 0)
        want = 320;
    want &= ~1;
    int w = sw < want ? sw & ~1 : want;
    a->src_w = sw;
    a->src_h = sh;
    int h = ((int)((int64_t)sh * w / sw)) & ~1;
    if (w < 2 || h < 2)
        return -1;
    if (w != a->lw || h != a->lh || sw != a->xs_src_w) {
        free(a->luma);
        free(a->xs);
        a->luma = malloc((size_t)w * h);
        a->xs = malloc(sizeof(int) * (size_t)(w + 1));
        if (!a->luma || !a->xs)
            return -1;
        for (int x = 0; x <= w; x++)
            a->xs[x] = (int)((int64_t)x * sw / w);
        a->lw = w;
        a->lh = h;
        a->xs_src_w = sw;
    }
    /* Whole-number factors (1280x720 -> 640x360 is 2x2), the usual case:
     * every box has the same area, so the division becomes an exact
     * multiply-shift (floor(s / area) for every s < 2^16 with a 24-bit
     * shift, area < 256), a plain shift for an area that is a power of
     * two, and the box loops have fixed bounds (box_add, box_out). The
     * general path below divided once per output pixel, half the cost of
     * scaling. */
    int fx = sw / w, fy = sh / h;
    if (sw == fx * w && sh == fy * h && fx * fy < 256) {
        if (a->acc_w < w) {
            free(a->acc);
            if (!(a->acc = malloc(sizeof *a->acc * (size_t)w)))
                return -1;
            a->acc_w = w;
        }
        unsigned area = (unsigned)(fx * fy);
        for (int y = 0; y < h; y++) {
            memset(a->acc, 0, sizeof *a->acc * (size_t)w);
            for (int yy = y * fy; yy < (y + 1) * fy; yy++)
                box_add(f->data[0] + (size_t)yy * f->linesize[0], a->acc, w, fx);
            box_out(a->acc, a->luma + (size_t)y * w, w, area);
        }
        a->have_luma = 1;
        return 0;
    }
    for (int y = 0; y < h; y++) {
        int y0 = (int)((int64_t)y * sh / h), y1 = (int)((int64_t)(y + 1) * sh / h);
        if (y1 <= y0)
            y1 = y0 + 1;
        uint8_t *dst = a->luma + (size_t)y * w;
        for (int x = 0; x < w; x++) {
            int x0 = a->xs[x], x1 = a->xs[x + 1] > x0 ? a->xs[x + 1] : x0 + 1;
            unsigned sum = 0;
            for (int yy = y0; yy < y1; yy++) {
                const uint8_t *row = f->data[0] + (size_t)yy * f->linesize[0];
                for (int xx = x0; xx < x1; xx++)
                    sum += row[xx];
            }
            dst[x] = (uint8_t)(sum / (unsigned)((y1 - y0) * (x1 - x0)));
        }
    }
    a->have_luma = 1;
    return 0;
}

/* The frame that set the event off, for people (snapshot.c): in colour,
 * with the plugin's boxes and a caption; the analysis itself never
 * converts colour. now is the wall clock live, the stream time over a file. */
static int snapshot(struct cw_analysis *a, struct slot *s, const struct cw_plugin_result *r, int64_t now)
{
    if (!a->have_luma || !a->frame)
        return -1;
    if (!a->snap && cw_snapshot_create(&a->snap) < 0)
        return -1;
    char text[1100], when[40];
    if (now > 1000000000LL * 1000000) { /* a wall clock (after 2001): local date and time */
        time_t t = (time_t)(now / 1000000);
        struct tm tm;
        localtime_r(&t, &tm);
        strftime(when, sizeof when, "%d/%m/%Y %H:%M:%S", &tm);
    } else {
        snprintf(when, sizeof when, "t = %.1f s", now / 1e6);
    }
    snprintf(text, sizeof text, "%s%s%s", a->caption, a->caption[0] ? " · " : "", when);
    uint8_t *jpeg;
    size_t len;
    int w, h;
    if (cw_snapshot_encode(a->snap, a->frame, r->boxes, a->plain ? 0 : r->n_boxes, a->lw, a->lh, a->plain ? "" : text,
                           &jpeg, &len, &w, &h) < 0)
        return -1;
    free(s->jpeg);
    s->jpeg = jpeg;
    s->jpeg_len = len;
    s->peak_w = a->lw; /* the boxes stay in analysis coordinates */
    s->peak_h = a->lh;
    return 0;
}

void cw_analysis_set_thumbnail_interval(struct cw_analysis *a, int64_t us)
{
    a->thumb_us = us > 0 ? us : 0;
}

static int thumb_due(const struct cw_analysis *a, int64_t now)
{
    return a->thumb_us && (!a->last_thumb_us || now - a->last_thumb_us >= a->thumb_us || now < a->last_thumb_us);
}

/* The decoded keyframe in colour, captioned, as the camera's thumbnail. */
static void thumbnail(struct cw_analysis *a, const AVFrame *f, int64_t now)
{
    if (!a->snap && cw_snapshot_create(&a->snap) < 0)
        return;
    char text[1100], when[40];
    time_t t = (time_t)(now / 1000000);
    struct tm tm;
    localtime_r(&t, &tm);
    strftime(when, sizeof when, "%d/%m/%Y %H:%M", &tm);
    snprintf(text, sizeof text, "%s%s%s", a->caption, a->caption[0] ? " · " : "", when);
    uint8_t *jpeg;
    size_t len;
    int w, h;
    cw_snapshot_set_quality(a->snap, 10);
    int rc = cw_snapshot_encode(a->snap, f, NULL, 0, 0, 0, text, &jpeg, &len, &w, &h);
    cw_snapshot_set_quality(a->snap, 4); /* event snapshots keep theirs */
    if (rc < 0)
        return;
    a->last_thumb_us = now;
    struct cw_analysis_output o = {.kind = CW_ANALYSIS_THUMBNAIL, .plugin = "", .jpeg = jpeg, .jpeg_len = len,
                                   .frame_w = w, .frame_h = h, .t_us = now};
    a->cb(a->ud, &o);
    free(jpeg);
}

void cw_analysis_set_level_interval(struct cw_analysis *a, int64_t us)
{
    a->level_us = us > 0 ? us : 0;
}

/* The interval's mean and highest score go out; the next interval starts
 * where this one ended (a session that ended early leaves a short one). */
static void emit_level(struct cw_analysis *a, struct slot *s, int64_t end_us)
{
    if (s->lvl_n > 0) {
        struct cw_analysis_output o = {.kind = CW_ANALYSIS_LEVEL, .plugin = s->d->name, .start_us = s->lvl_start,
                                       .end_us = end_us, .peak = s->lvl_max, .mean = s->lvl_sum / s->lvl_n,
                                       .samples = s->lvl_n, .t_us = s->lvl_last};
        a->cb(a->ud, &o);
        s->lvl_floor = end_us;
    }
    s->lvl_n = 0;
    s->lvl_sum = s->lvl_max = 0;
}

/* Scores into intervals aligned on the clock (every 5 min: :00, :05...),
 * so that the rows of all cameras line up. */
static void level_feed(struct cw_analysis *a, struct slot *s, double score, int64_t now)
{
    if (!a->level_us)
        return;
    if (s->lvl_n > 0 && (now >= s->lvl_start - s->lvl_start % a->level_us + a->level_us || now < s->lvl_last))
        emit_level(a, s, now < s->lvl_last ? s->lvl_last : s->lvl_start - s->lvl_start % a->level_us + a->level_us);
    if (s->lvl_n == 0) {
        s->lvl_start = now - now % a->level_us;
        if (s->lvl_start < s->lvl_floor && s->lvl_floor <= now)
            s->lvl_start = s->lvl_floor;
    }
    s->lvl_sum += score;
    if (score > s->lvl_max)
        s->lvl_max = score;
    s->lvl_n++;
    s->lvl_last = now;
}

void cw_analysis_set_plain(struct cw_analysis *a, int plain)
{
    a->plain = plain;
}

void cw_analysis_set_caption(struct cw_analysis *a, const char *caption)
{
    snprintf(a->caption, sizeof a->caption, "%s", caption ? caption : "");
}

static void emit_end(struct cw_analysis *a, struct slot *s, const struct cw_event_span *e)
{
    struct cw_analysis_output o = {.kind = CW_ANALYSIS_EVENT_END, .plugin = s->d->name, .start_us = e->start_us,
                                   .end_us = e->end_us, .peak = e->peak, .jpeg = s->jpeg, .jpeg_len = s->jpeg_len,
                                   .frame_w = s->peak_w, .frame_h = s->peak_h, .t_us = e->end_us};
    o.n_boxes = s->peak_res.n_boxes;
    memcpy(o.boxes, s->peak_res.boxes, sizeof o.boxes);
    a->cb(a->ud, &o);
    free(s->jpeg);
    s->jpeg = NULL;
    s->jpeg_len = 0;
    memset(&s->peak_res, 0, sizeof s->peak_res);
}

/* decide + emit: one plugin verdict into events and health. */
static void decide(struct cw_analysis *a, struct slot *s, const struct cw_plugin_result *r, int64_t now, int minute)
{
    if (r->health_checked) {
        uint32_t h = (s->health & ~r->health_checked) | (r->health & r->health_checked);
        s->health = h;
        uint32_t all = 0;
        for (int i = 0; i < a->n; i++)
            all |= a->slots[i].health;
        if (all != a->health) {
            struct cw_analysis_output o = {.kind = CW_ANALYSIS_HEALTH, .plugin = s->d->name, .health = all,
                                           .health_changed = all ^ a->health, .t_us = now};
            a->health = all;
            a->cb(a->ud, &o);
        }
        return;
    }
    /* A negative score is no reading (a keyframe for `activity`, or a
     * plugin still learning): neither an event's nor the level's. */
    if (r->score < 0)
        return;
    level_feed(a, s, r->score, now);
    struct cw_event_span e;
    int fl = cw_event_feed(&s->tr, now, minute, r->positive, r->score, &e);
    if (fl & CW_EVENT_ENDED)
        emit_end(a, s, &e);
    /* A start is always a peak: the snapshot comes first so that the
     * start message carries the frame that set the event off (the alert
     * goes out at the start; the event is stored at its end). */
    if (fl & CW_EVENT_PEAK) {
        s->peak_res = *r;
        snapshot(a, s, r, now);
    }
    if (fl & CW_EVENT_STARTED) {
        struct cw_analysis_output o = {.kind = CW_ANALYSIS_EVENT_START, .plugin = s->d->name,
                                       .start_us = s->tr.start_us, .peak = r->score, .t_us = now,
                                       .jpeg = s->jpeg, .jpeg_len = s->jpeg_len, .frame_w = s->peak_w,
                                       .frame_h = s->peak_h, .continues = (fl & CW_EVENT_ENDED) != 0};
        a->cb(a->ud, &o);
    }
}

/* The plugin's gauges that changed, at most once a second each. */
static void send_gauges(struct cw_analysis *a, struct slot *s, int64_t now)
{
    struct cw_plugin_instance *inst = s->inst;
    if (!inst->n_gauges || (s->last_gauge_us && now - s->last_gauge_us < 1000000 && now >= s->last_gauge_us))
        return;
    for (int k = 0; k < inst->n_gauges; k++) {
        if (!inst->gauges[k].fresh)
            continue;
        inst->gauges[k].fresh = 0;
        struct cw_analysis_output o = {.kind = CW_ANALYSIS_GAUGE, .plugin = s->d->name, .t_us = now,
                                       .gauge = inst->gauges[k].name, .mean = inst->gauges[k].value};
        a->cb(a->ud, &o);
    }
    s->last_gauge_us = now;
}

/* Whether plugin slot s takes a frame now (its input and rate gate). */
/* The least stream time between two frames a FRAMES plugin takes (a
 * tenth under its period, so that a frame a little early still counts). */
static int64_t gate_us(const struct slot *s)
{
    return (int64_t)(0.9e6 / s->d->analysis_fps);
}

static int takes(const struct slot *s, int keyframe, int64_t pts_us)
{
    if (s->d->input == CW_PLUGIN_INPUT_NONE || (s->d->input == CW_PLUGIN_INPUT_KEYFRAMES && !keyframe))
        return 0;
    /* Rate gate for FRAMES plugins, on stream time; an unknown time
     * passes, and time going backwards (a new session, a wrapped clock)
     * restarts the gate. */
    if (s->d->input == CW_PLUGIN_INPUT_FRAMES && s->d->analysis_fps > 0 && pts_us != INT64_MIN &&
        s->last_pts_us != INT64_MIN && pts_us >= s->last_pts_us &&
        pts_us - s->last_pts_us < gate_us(s))
        return 0;
    return 1;
}

/* analyse: hand a decoded (and scaled) frame to the plugins that want it. */
static void analyse(struct cw_analysis *a, int keyframe, int64_t pts_us, int64_t now, int minute)
{
    struct cw_plugin_frame f = {a->luma, a->lw, a->lh, a->lw, pts_us != INT64_MIN ? pts_us : 0, now, keyframe,
                                a->src_w, a->src_h};
    for (int i = 0; i < a->n; i++) {
        struct slot *s = &a->slots[i];
        if (!takes(s, keyframe, pts_us))
            continue;
        if (pts_us != INT64_MIN)
            s->last_pts_us = pts_us;
        struct cw_plugin_result r;
        memset(&r, 0, sizeof r);
        if (s->d->process_frame(s->inst->state, &f, &r) < 0)
            continue;
        a->analysed++;
        send_gauges(a, s, now);
        decide(a, s, &r, now, minute);
    }
}

/* A keyframe at stream time p: the gap since the last one, and whether
 * it was the same as the one before (within half a frame). */
static void key_seen(struct cw_analysis *a, int64_t p)
{
    if (a->key_pts_us != INT64_MIN && p > a->key_pts_us) {
        int64_t gap = p - a->key_pts_us, tol = a->frame_gap_us > 0 ? a->frame_gap_us / 2 : 20000;
        if (a->key_gap_us > 0 && gap >= a->key_gap_us - tol && gap <= a->key_gap_us + tol)
            a->key_steady++;
        else
            a->key_steady = 0;
        a->key_gap_us = gap;
    } else {
        a->key_steady = 0; /* the first, or time went back: learn again */
    }
    a->key_pts_us = p;
}

/* The held packets: let go unread (a keyframe came, they are nobody's
 * reference), or decoded after all (it did not come in time). */
static void held_drop(struct cw_analysis *a)
{
    for (int i = 0; i < a->n_held; i++)
        av_packet_free(&a->held[i].pkt);
    a->n_held = 0;
}

static int hold(struct cw_analysis *a, const AVPacket *pkt, int64_t now, int minute)
{
    AVPacket *c;
    if (a->n_held == HOLD_MAX || !(c = av_packet_clone(pkt)))
        return -1;
    a->held[a->n_held++] = (struct held){c, now, minute};
    return 0;
}

/* From when the next keyframe is due in the rhythm (half a frame early). */
static int64_t key_due_us(const struct cw_analysis *a)
{
    return a->key_pts_us + a->key_gap_us - a->frame_gap_us / 2;
}

/* Whether the frame at stream time p, and every frame after it up to the
 * next keyframe, can wait undecoded: no plugin will take any of them. A
 * camera at 15 frames a second with a keyframe every 2 s has motion take
 * frames 0, 3, ... 27 of each 30; 28 and 29 are decoded only to be
 * references for frames nobody reads, since the keyframe after them
 * starts afresh. Only where that is certain: the keyframes have kept one
 * gap for key_trust gaps in a row, the stream has no B-frames and one
 * reference frame (a P-frame after the keyframe can refer to nothing
 * before it), and every frame-taking plugin's next frame is due after the
 * last frame before the keyframe. From there every packet is held (a
 * reference, no copy) until the keyframe, which lets them go undecoded;
 * should a frame come at the keyframe's time instead (the camera's
 * keyframe interval changed), the held packets are decoded then, in
 * order, and nothing is lost; the rhythm must then hold longer before
 * packets are held again. */
static int tail_skip(struct cw_analysis *a, int64_t p)
{
    if (a->key_steady < a->key_trust || a->frame_gap_us <= 0 || !a->dec || a->dec->refs > 1 ||
        a->dec->has_b_frames > 0)
        return 0;
    int64_t due = key_due_us(a);
    if (p >= due)
        return 0; /* the keyframe is due and this is not one: the rhythm broke */
    for (int i = 0; i < a->n; i++) {
        const struct slot *s = &a->slots[i];
        if (s->d->input != CW_PLUGIN_INPUT_FRAMES)
            continue;
        if (s->d->analysis_fps <= 0 || s->last_pts_us == INT64_MIN || s->last_pts_us > p)
            return 0;
        /* takes()'s gate: the first frame at or after this is taken */
        if (s->last_pts_us + gate_us(s) <= due)
            return 0;
    }
    return 1;
}

static int decode(struct cw_analysis *a, const AVPacket *pkt, int key, int64_t now, int minute);

int cw_analysis_packet(struct cw_analysis *a, const AVPacket *pkt, int64_t now, int minute)
{
    int key = (pkt->flags & AV_PKT_FLAG_KEY) != 0;
    int64_t ts = pkt->pts != AV_NOPTS_VALUE ? pkt->pts : pkt->dts;
    int64_t pts_us = ts != AV_NOPTS_VALUE ? av_rescale_q(ts, a->tb, (AVRational){1, 1000000}) : now;

    /* receive: packet-level plugins see every video packet */
    for (int i = 0; i < a->n; i++) {
        struct slot *s = &a->slots[i];
        if (s->d->input != CW_PLUGIN_INPUT_NONE)
            continue;
        struct cw_plugin_packet p = {pts_us, now, pkt->size, key};
        struct cw_plugin_result r;
        memset(&r, 0, sizeof r);
        if (s->d->process_packet(s->inst->state, &p, &r) == 0) {
            a->analysed++;
            decide(a, s, &r, now, minute);
        }
    }
    /* decode: keyframes only need keyframe packets (IDR frames stand alone);
     * with no plugin that decodes, only the keyframe a thumbnail is due for */
    if (a->mode == CW_DECODE_KEYFRAMES && !key)
        return 0;
    if (a->mode == CW_DECODE_FRAMES && ts != AV_NOPTS_VALUE) {
        if (a->pkt_pts_us != INT64_MIN && pts_us > a->pkt_pts_us && pts_us - a->pkt_pts_us < 1000000)
            a->frame_gap_us = pts_us - a->pkt_pts_us;
        a->pkt_pts_us = pts_us;
        if (key) {
            key_seen(a, pts_us);
            a->skipped += a->n_held; /* never decoded */
            held_drop(a);
            a->skipping = 0;
        } else if (a->skipping) {
            if (pts_us < key_due_us(a) && hold(a, pkt, now, minute) == 0)
                return 0;
            /* the keyframe is late: decode what was held, then this */
            a->key_trust = 12;
            a->key_steady = a->skipping = 0;
            for (int i = 0; i < a->n_held; i++)
                decode(a, a->held[i].pkt, 0, a->held[i].now, a->held[i].minute);
            held_drop(a);
        } else if (tail_skip(a, pts_us) && hold(a, pkt, now, minute) == 0) {
            a->skipping = 1;
            return 0;
        }
    }
    return decode(a, pkt, key, now, minute);
}

/* The decoder's part of a packet; key: a keyframe packet. */
static int decode(struct cw_analysis *a, const AVPacket *pkt, int key, int64_t now, int minute)
{
    if (a->mode == CW_DECODE_NONE) {
        if (!(key && thumb_due(a, now)) || !a->par)
            return 0;
        if (!a->dec && open_decoder(a) < 0)
            return 0;
    }
    if (!a->dec)
        return 0;
    if (avcodec_send_packet(a->dec, pkt) < 0)
        return 0; /* a corrupt packet: the decoder recovers at the next keyframe */
    while (avcodec_receive_frame(a->dec, a->frame) == 0) {
        a->decoded++;
        int fkey = a->frame->key_frame || a->frame->pict_type == AV_PICTURE_TYPE_I;
        int64_t fts = a->frame->best_effort_timestamp;
        /* RTSP's first frames may carry no timestamp (before RTCP sync):
         * INT64_MIN says "unknown" to the rate gate below. */
        int64_t fpts = fts != AV_NOPTS_VALUE ? av_rescale_q(fts, a->tb, (AVRational){1, 1000000}) : INT64_MIN;
        /* Scaling costs a pass over the full-size picture: only for a
         * frame some plugin takes (motion takes 5 of 15 a second). */
        int wanted = 0;
        for (int i = 0; i < a->n && !wanted; i++)
            wanted = takes(&a->slots[i], fkey, fpts);
        if (wanted && scale(a, a->frame) == 0)
            analyse(a, fkey, fpts, now, minute);
        if (fkey && thumb_due(a, now))
            thumbnail(a, a->frame, now);
        av_frame_unref(a->frame);
    }
    if (a->mode == CW_DECODE_NONE && a->dec && !thumb_due(a, now)) {
        avcodec_free_context(&a->dec); /* the thumbnail is made: until the next */
#ifdef CW_MALLOC_TRIM
        malloc_trim(0); /* its small blocks too, from this thread's arena */
#endif
    }
    return 0;
}

void cw_analysis_stop(struct cw_analysis *a, int64_t now)
{
    struct cw_event_span e;
    for (int i = 0; i < a->n; i++) {
        struct slot *s = &a->slots[i];
        if (cw_event_flush(&s->tr, &e))
            emit_end(a, s, &e);
        emit_level(a, s, s->lvl_last);
        s->health = 0;
        s->last_pts_us = INT64_MIN;
    }
    if (a->health) {
        struct cw_analysis_output o = {.kind = CW_ANALYSIS_HEALTH, .plugin = "", .health = 0,
                                       .health_changed = a->health, .t_us = now, .stream_ended = 1};
        a->health = 0;
        a->cb(a->ud, &o);
    }
    a->skipped += a->n_held; /* the frames before a keyframe that never came: nobody's */
    held_drop(a);
    avcodec_free_context(&a->dec);
}

void cw_analysis_free(struct cw_analysis *a)
{
    if (!a)
        return;
    for (int i = 0; i < a->n; i++) {
        cw_plugin_instance_destroy(a->slots[i].inst);
        free(a->slots[i].jpeg);
    }
    free(a->slots);
    held_drop(a);
    avcodec_free_context(&a->dec);
    avcodec_parameters_free(&a->par);
    av_frame_free(&a->frame);
    cw_snapshot_free(a->snap);
    free(a->luma);
    free(a->xs);
    free(a->acc);
    free(a);
}
