/* RTSP ingest on a per-camera thread (see ingest.h).
 *
 * The thread sleeps until the loop asks for a session, then runs one:
 * open (connect deadline), pick the video stream, read packets and keep
 * stats, until the stream ends, errors, stalls for too long or the daemon
 * stops it. The loop decides when to retry; this file only reports. */
#include "ingest.h"

#include <assert.h>
#include <errno.h>
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/log.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <uv.h>

#include "analysis.h"
#include "clock.h"
#include "config.h"
#include "error.h"
#include "log.h"
#include "snapdir.h"
#include "probe.h"

#define QUEUE_LEN 48
#define FPS_WINDOW 32
/* FFmpeg's RTSP and H.264 code keeps a few KB on the stack; 512 KiB is
 * plenty and, unlike the 8 MiB default, costs little across 200 cameras. */
#define INGEST_STACK (512 * 1024)

enum phase { PHASE_IDLE, PHASE_CONNECT, PHASE_STREAM };

struct cw_ingest {
    char *camera_id, *url;
    int transport;
    int64_t connect_timeout_us, stall_timeout_us, stall_give_up_us;
    void (*notify)(void *ud);
    void *ud;

    uv_thread_t thread;
    uv_mutex_t mu;
    uv_cond_t cond;
    int go;             /* under mu */
    int probe_req;      /* under mu: a probe is asked for */
    atomic_int stop;

    struct cw_ingest_msg q[QUEUE_LEN]; /* under mu */
    int qhead, qlen;
    struct cw_ingest_stats stats;      /* under mu */

    /* Session state, touched only by the ingest thread (the interrupt
     * callback runs on it too). */
    enum phase phase;
    int64_t deadline_mono;
    int64_t last_video_mono;
    int64_t last_video_wall; /* arrival of the last video packet (or the PLAY answer) */
    int stall_reported;
    int gave_up_stall;
    int connect_timed_out;
    struct cw_analysis *analysis; /* NULL: no plugins */
    char *snapshot_dir;
    double pts_ring[FPS_WINDOW];
    int pts_n, pts_pos;
    double last_key_pts;
};

static void post_msg(struct cw_ingest *ing, const struct cw_ingest_msg *msg)
{
    uv_mutex_lock(&ing->mu);
    if (ing->qlen == QUEUE_LEN) {
        /* The loop drains within milliseconds; a full queue means it is
         * stuck. Keep the newest: it is the state that matters. */
        ing->qhead = (ing->qhead + 1) % QUEUE_LEN;
        ing->qlen--;
    }
    ing->q[(ing->qhead + ing->qlen) % QUEUE_LEN] = *msg;
    ing->qlen++;
    assert(ing->qlen <= QUEUE_LEN); /* under the mutex: the loop drains as the thread fills */
    uv_mutex_unlock(&ing->mu);
    ing->notify(ing->ud);
}

/* A message dated `wall_us`: the evidence (a packet's arrival), which may
 * be earlier than now. */
static void post_at(struct cw_ingest *ing, enum cw_ingest_msg_kind kind, enum cw_cause cause, const char *detail,
                    int64_t wall_us, int stall_gave_up)
{
    struct cw_ingest_msg m;
    memset(&m, 0, sizeof m);
    m.kind = kind;
    m.wall_us = wall_us;
    m.cause = cause;
    m.stall_gave_up = stall_gave_up;
    snprintf(m.detail, sizeof m.detail, "%s", detail ? detail : "");
    post_msg(ing, &m);
}

static void post(struct cw_ingest *ing, enum cw_ingest_msg_kind kind, enum cw_cause cause, const char *detail)
{
    post_at(ing, kind, cause, detail, cw_wall_us(), 0);
}

int cw_ingest_poll(struct cw_ingest *ing, struct cw_ingest_msg *msg)
{
    int got = 0;
    uv_mutex_lock(&ing->mu);
    if (ing->qlen > 0) {
        *msg = ing->q[ing->qhead];
        ing->qhead = (ing->qhead + 1) % QUEUE_LEN;
        ing->qlen--;
        got = 1;
    }
    uv_mutex_unlock(&ing->mu);
    return got;
}

void cw_ingest_get_stats(struct cw_ingest *ing, struct cw_ingest_stats *out)
{
    uv_mutex_lock(&ing->mu);
    *out = ing->stats;
    uv_mutex_unlock(&ing->mu);
}

/* Called by FFmpeg, on the ingest thread, at least every 100 ms while it
 * waits for the network. Returning 1 aborts the blocking call. */
static int interrupt_cb(void *opaque)
{
    struct cw_ingest *ing = opaque;
    int64_t now = cw_mono_us();

    if (atomic_load(&ing->stop))
        return 1;
    if (ing->phase == PHASE_CONNECT) {
        if (now > ing->deadline_mono) {
            ing->connect_timed_out = 1;
            return 1;
        }
        return 0;
    }
    if (ing->phase == PHASE_STREAM) {
        int64_t quiet = now - ing->last_video_mono;
        if (quiet > ing->stall_timeout_us && !ing->stall_reported) {
            char d[96];
            ing->stall_reported = 1;
            snprintf(d, sizeof d, "no video packets for %.1f s", ing->stall_timeout_us / 1e6);
            post_at(ing, CW_INGEST_STALLED, CW_CAUSE_NONE, d, ing->last_video_wall, 0);
        }
        if (quiet > ing->stall_give_up_us) {
            ing->gave_up_stall = 1;
            return 1;
        }
    }
    return 0;
}

/* An event's snapshot under snapshot_dir (snapdir.h): 0 and the path. */
static int write_snapshot(struct cw_ingest *ing, const struct cw_analysis_output *o, const char *suffix, char *path,
                          size_t len)
{
    if (!ing->snapshot_dir)
        return -1;
    int rc = cw_snapdir_write_event(ing->snapshot_dir, o->plugin, o->start_us, suffix, o->jpeg, o->jpeg_len, path, len);
    if (rc == CW_EINVAL && o->jpeg)
        cw_warn("ingest", ing->camera_id, "snapshot path too long under %s; not saved", ing->snapshot_dir);
    else if (rc < 0)
        cw_warn("ingest", ing->camera_id, "could not save a snapshot under %s: %s", ing->snapshot_dir, strerror(errno));
    return rc < 0 ? -1 : 0;
}

/* The camera's thumbnail: snapshot_dir/thumb.jpg, replaced whole. */
static int write_thumbnail(struct cw_ingest *ing, const struct cw_analysis_output *o, char *path, size_t len)
{
    if (!ing->snapshot_dir)
        return -1;
    return cw_snapdir_write_thumbnail(ing->snapshot_dir, o->jpeg, o->jpeg_len, path, len);
}

/* Analysis outputs, on the ingest thread: snapshot to disk, message to the loop. */
static void on_analysis(void *ud, const struct cw_analysis_output *o)
{
    struct cw_ingest *ing = ud;
    struct cw_ingest_msg m;
    memset(&m, 0, sizeof m);
    m.wall_us = o->t_us;
    snprintf(m.plugin, sizeof m.plugin, "%s", o->plugin);
    m.start_us = o->start_us;
    m.end_us = o->end_us;
    m.peak = o->peak;
    m.continues = o->continues;
    switch (o->kind) {
    case CW_ANALYSIS_EVENT_START:
        if (write_snapshot(ing, o, "-start", m.snapshot, sizeof m.snapshot) < 0)
            m.snapshot[0] = '\0';
        m.kind = CW_INGEST_EVENT_START;
        break;
    case CW_ANALYSIS_EVENT_END: {
        size_t off = 0;
        off += (size_t)snprintf(m.regions + off, sizeof m.regions - off, "{\"frame\":[%d,%d],\"boxes\":[",
                                o->frame_w, o->frame_h);
        for (int i = 0; i < o->n_boxes && off < sizeof m.regions - 40; i++)
            off += (size_t)snprintf(m.regions + off, sizeof m.regions - off, "%s[%d,%d,%d,%d]", i ? "," : "",
                                    o->boxes[i].x, o->boxes[i].y, o->boxes[i].w, o->boxes[i].h);
        snprintf(m.regions + off, sizeof m.regions - off, "]}");
        if (write_snapshot(ing, o, "", m.snapshot, sizeof m.snapshot) < 0)
            m.snapshot[0] = '\0';
        m.kind = CW_INGEST_EVENT;
        break;
    }
    case CW_ANALYSIS_HEALTH:
        m.kind = CW_INGEST_HEALTH;
        m.health = o->health;
        m.stream_ended = o->stream_ended;
        break;
    case CW_ANALYSIS_LEVEL:
        m.kind = CW_INGEST_LEVEL;
        m.mean = o->mean;
        break;
    case CW_ANALYSIS_GAUGE:
        m.kind = CW_INGEST_GAUGE;
        snprintf(m.detail, sizeof m.detail, "%s", o->gauge);
        m.mean = o->mean;
        break;
    case CW_ANALYSIS_THUMBNAIL:
        if (write_thumbnail(ing, o, m.snapshot, sizeof m.snapshot) < 0)
            return;
        m.kind = CW_INGEST_THUMBNAIL;
        break;
    }
    post_msg(ing, &m);
}

enum cw_cause cw_ingest_cause_from_averror(int e, int connecting)
{
    if (e == AVERROR_HTTP_UNAUTHORIZED || e == AVERROR_HTTP_FORBIDDEN)
        return CW_CAUSE_AUTH_FAILED;
    if (e == AVERROR_HTTP_NOT_FOUND)
        return CW_CAUSE_NOT_FOUND;
    if (e == AVERROR(ECONNREFUSED) || e == AVERROR(ETIMEDOUT) || e == AVERROR(EHOSTUNREACH) ||
        e == AVERROR(ENETUNREACH) || e == AVERROR(EHOSTDOWN))
        return CW_CAUSE_UNREACHABLE;
    /* FFmpeg reports a failed name lookup as EIO; while connecting that is
     * what it means. */
    if (connecting && e == AVERROR(EIO))
        return CW_CAUSE_UNREACHABLE;
    return CW_CAUSE_STREAM_ERROR;
}

static void describe_error(int e, char *buf, size_t len)
{
    char msg[AV_ERROR_MAX_STRING_SIZE] = "";
    av_strerror(e, msg, sizeof msg);
    snprintf(buf, len, "%s", msg);
}

static void stats_reset_session(struct cw_ingest *ing)
{
    uv_mutex_lock(&ing->mu);
    ing->stats.connected = 0;
    ing->stats.fps = 0;
    ing->stats.sessions++;
    uv_mutex_unlock(&ing->mu);
    ing->pts_n = ing->pts_pos = 0;
    ing->last_key_pts = -1;
}

/* Width and height from the parameter sets, using FFmpeg's bitstream
 * parser (no decoding): extradata (from the SDP) followed by a keyframe. */
static void probe_size(const AVCodecParameters *par, const AVPacket *pkt, int *w, int *h)
{
    AVCodecParserContext *pc = av_parser_init(par->codec_id);
    AVCodecContext *cc = avcodec_alloc_context3(NULL);
    uint8_t *buf = NULL, *out;
    int out_size, n = par->extradata_size + pkt->size;

    if (!pc || !cc)
        goto done;
    pc->flags |= PARSER_FLAG_COMPLETE_FRAMES;
    buf = av_malloc((size_t)n + AV_INPUT_BUFFER_PADDING_SIZE);
    if (!buf)
        goto done;
    if (par->extradata_size)
        memcpy(buf, par->extradata, (size_t)par->extradata_size);
    memcpy(buf + par->extradata_size, pkt->data, (size_t)pkt->size);
    memset(buf + n, 0, AV_INPUT_BUFFER_PADDING_SIZE);
    av_parser_parse2(pc, cc, &out, &out_size, buf, n, AV_NOPTS_VALUE, AV_NOPTS_VALUE, 0);
    if (pc->width > 0 && pc->height > 0) {
        *w = pc->width;
        *h = pc->height;
    } else if (cc->width > 0) {
        *w = cc->width;
        *h = cc->height;
    }
done:
    av_free(buf);
    avcodec_free_context(&cc);
    av_parser_close(pc);
}

static void on_video_packet(struct cw_ingest *ing, const AVStream *st, const AVPacket *pkt)
{
    int64_t ts = pkt->pts != AV_NOPTS_VALUE ? pkt->pts : pkt->dts;
    double t = ts != AV_NOPTS_VALUE ? ts * av_q2d(st->time_base) : -1;
    double fps = -1, kfi = -1;

    if (t >= 0) {
        ing->pts_ring[ing->pts_pos] = t;
        ing->pts_pos = (ing->pts_pos + 1) % FPS_WINDOW;
        if (ing->pts_n < FPS_WINDOW)
            ing->pts_n++;
        if (ing->pts_n >= 2) {
            /* Oldest and newest in the ring; frames between them. */
            double newest = t;
            double oldest = ing->pts_ring[ing->pts_n < FPS_WINDOW ? 0 : ing->pts_pos];
            if (newest > oldest)
                fps = (ing->pts_n - 1) / (newest - oldest);
        }
        if (pkt->flags & AV_PKT_FLAG_KEY) {
            if (ing->last_key_pts >= 0 && t > ing->last_key_pts)
                kfi = t - ing->last_key_pts;
            ing->last_key_pts = t;
        }
    }
    uv_mutex_lock(&ing->mu);
    ing->stats.video_packets++;
    if (fps > 0)
        ing->stats.fps = fps;
    if (kfi > 0)
        ing->stats.keyframe_interval_s = kfi;
    uv_mutex_unlock(&ing->mu);
}

static void run_session(struct cw_ingest *ing)
{
    AVFormatContext *fmt = NULL;
    AVDictionary *opts = NULL;
    AVPacket *pkt = NULL;
    int rc, vidx = -1;
    char detail[200];

    stats_reset_session(ing);
    fmt = avformat_alloc_context();
    pkt = av_packet_alloc();
    if (!fmt || !pkt) {
        post(ing, CW_INGEST_ENDED, CW_CAUSE_STREAM_ERROR, "out of memory");
        goto out;
    }
    fmt->interrupt_callback.callback = interrupt_cb;
    fmt->interrupt_callback.opaque = ing;
    av_dict_set(&opts, "rtsp_transport", ing->transport == CW_TRANSPORT_UDP ? "udp" : "tcp", 0);
    /* The interrupt callback enforces our deadlines; FFmpeg's own socket
     * timeout is only a backstop behind it. */
    av_dict_set_int(&opts, "timeout", ing->connect_timeout_us + ing->stall_give_up_us + 1000000, 0);
    ing->phase = PHASE_CONNECT;
    ing->connect_timed_out = 0;
    ing->deadline_mono = cw_mono_us() + ing->connect_timeout_us;

    rc = avformat_open_input(&fmt, ing->url, NULL, &opts);
    av_dict_free(&opts);
    if (rc < 0) {
        fmt = NULL; /* freed by avformat_open_input on failure */
        if (atomic_load(&ing->stop))
            goto out;
        if (ing->connect_timed_out) {
            snprintf(detail, sizeof detail, "no RTSP answer within %.1f s", ing->connect_timeout_us / 1e6);
            post(ing, CW_INGEST_ENDED, CW_CAUSE_UNREACHABLE, detail);
        } else {
            describe_error(rc, detail, sizeof detail);
            post(ing, CW_INGEST_ENDED, cw_ingest_cause_from_averror(rc, 1), detail);
        }
        goto out;
    }
    for (unsigned i = 0; i < fmt->nb_streams; i++) {
        if (fmt->streams[i]->codecpar->codec_type == AVMEDIA_TYPE_VIDEO && vidx < 0)
            vidx = (int)i;
        else
            fmt->streams[i]->discard = AVDISCARD_ALL;
    }
    if (vidx < 0) {
        snprintf(detail, sizeof detail, "the stream description has %u stream(s), none of them video",
                 fmt->nb_streams);
        post(ing, CW_INGEST_ENDED, CW_CAUSE_NO_VIDEO, detail);
        goto out;
    }
    AVStream *vs = fmt->streams[vidx];
    uv_mutex_lock(&ing->mu);
    ing->stats.connected = 1;
    snprintf(ing->stats.codec, sizeof ing->stats.codec, "%s", avcodec_get_name(vs->codecpar->codec_id));
    if (vs->codecpar->width > 0) {
        ing->stats.width = vs->codecpar->width;
        ing->stats.height = vs->codecpar->height;
    }
    uv_mutex_unlock(&ing->mu);
    snprintf(detail, sizeof detail, "%s over %s", avcodec_get_name(vs->codecpar->codec_id),
             ing->transport == CW_TRANSPORT_UDP ? "udp" : "tcp");
    post(ing, CW_INGEST_CONNECTED, CW_CAUSE_NONE, detail);

    if (ing->analysis &&
        cw_analysis_start(ing->analysis, vs->codecpar, vs->time_base.num, vs->time_base.den) < 0)
        cw_warn("ingest", ing->camera_id, "cannot decode %s: detection is off for this session",
                avcodec_get_name(vs->codecpar->codec_id));
    ing->phase = PHASE_STREAM;
    ing->last_video_mono = cw_mono_us();
    ing->last_video_wall = cw_wall_us(); /* no video yet: a stall dates from PLAY */
    ing->stall_reported = 0;
    ing->gave_up_stall = 0;
    int seen_video = 0, size_known = vs->codecpar->width > 0;
    for (;;) {
        rc = av_read_frame(fmt, pkt);
        /* After the interrupt callback aborted a read, FFmpeg may still hand
         * out a packet it had buffered; the session is over all the same. */
        if (rc < 0 || ing->gave_up_stall || atomic_load(&ing->stop)) {
            if (rc >= 0)
                av_packet_unref(pkt);
            break;
        }
        int64_t now_wall = cw_wall_us();
        uv_mutex_lock(&ing->mu);
        ing->stats.packets++;
        ing->stats.bytes += pkt->size;
        ing->stats.last_packet_wall_us = now_wall;
        uv_mutex_unlock(&ing->mu);
        if (pkt->stream_index == vidx) {
            ing->last_video_mono = cw_mono_us();
            ing->last_video_wall = now_wall;
            on_video_packet(ing, vs, pkt);
            if (!size_known && (pkt->flags & AV_PKT_FLAG_KEY)) {
                int w = 0, h = 0;
                probe_size(vs->codecpar, pkt, &w, &h);
                if (w > 0) {
                    size_known = 1;
                    uv_mutex_lock(&ing->mu);
                    ing->stats.width = w;
                    ing->stats.height = h;
                    uv_mutex_unlock(&ing->mu);
                }
            }
            if (!seen_video || ing->stall_reported) {
                seen_video = 1;
                ing->stall_reported = 0;
                post_at(ing, CW_INGEST_VIDEO, CW_CAUSE_NONE, "", now_wall, 0); /* the first packet's arrival */
            }
            if (ing->analysis) {
                time_t tt = (time_t)(now_wall / 1000000);
                struct tm tm;
                localtime_r(&tt, &tm);
                cw_analysis_packet(ing->analysis, pkt, now_wall, tm.tm_hour * 60 + tm.tm_min);
                int64_t dec = cw_analysis_decoded(ing->analysis);
                uv_mutex_lock(&ing->mu);
                ing->stats.decoded_frames = dec; /* cumulative: the analysis outlives sessions */
                uv_mutex_unlock(&ing->mu);
            }
        }
        av_packet_unref(pkt);
    }
    if (!atomic_load(&ing->stop)) {
        if (ing->gave_up_stall)
            snprintf(detail, sizeof detail, "no video packets for %.1f s; reconnecting",
                     ing->stall_give_up_us / 1e6);
        else if (rc == AVERROR_EOF)
            snprintf(detail, sizeof detail, "the camera ended the stream");
        else
            describe_error(rc, detail, sizeof detail);
        /* A session that was delivering video ends, as evidence goes, when
         * its last video packet arrived (the camera was lost after that);
         * one that had stalled ends now (the stall is already dated). */
        int64_t when = seen_video && !ing->stall_reported ? ing->last_video_wall : cw_wall_us();
        post_at(ing, CW_INGEST_ENDED, ing->gave_up_stall ? CW_CAUSE_STREAM_ERROR : cw_ingest_cause_from_averror(rc, 0),
                detail, when, ing->gave_up_stall);
    }
out:
    if (ing->analysis) {
        /* events in progress end, image health is unknown without video */
        cw_analysis_stop(ing->analysis, cw_wall_us());
    }
    ing->phase = PHASE_IDLE;
    uv_mutex_lock(&ing->mu);
    ing->stats.connected = 0;
    ing->stats.fps = 0;
    uv_mutex_unlock(&ing->mu);
    /* Closing sends TEARDOWN; with stop set the interrupt callback cuts it
     * short instead of waiting on a dead peer. */
    ing->phase = PHASE_CONNECT;
    ing->deadline_mono = cw_mono_us() + 1000000;
    avformat_close_input(&fmt);
    ing->phase = PHASE_IDLE;
    av_packet_free(&pkt);
}

static void run_probe(struct cw_ingest *ing)
{
    char detail[200];
    int64_t limit = ing->connect_timeout_us < 3000000 ? ing->connect_timeout_us : 3000000;
    int ok = cw_rtsp_probe(ing->url, cw_mono_us() + limit, &ing->stop, detail, sizeof detail);
    if (!atomic_load(&ing->stop))
        post(ing, CW_INGEST_PROBE, ok ? CW_CAUSE_NONE : CW_CAUSE_UNREACHABLE, detail);
}

static void thread_main(void *arg)
{
    struct cw_ingest *ing = arg;
    uv_mutex_lock(&ing->mu);
    for (;;) {
        while (!ing->go && !ing->probe_req && !atomic_load(&ing->stop))
            uv_cond_wait(&ing->cond, &ing->mu);
        if (atomic_load(&ing->stop))
            break;
        int session = ing->go;
        ing->go = 0;
        ing->probe_req = 0; /* a session answers the same question, better */
        uv_mutex_unlock(&ing->mu);
        if (session)
            run_session(ing);
        else
            run_probe(ing);
        uv_mutex_lock(&ing->mu);
    }
    uv_mutex_unlock(&ing->mu);
}

int cw_ingest_start(const struct cw_ingest_params *p, struct cw_ingest **out)
{
    struct cw_ingest *ing = calloc(1, sizeof *ing);
    uv_thread_options_t topt = {.flags = UV_THREAD_HAS_STACK_SIZE, .stack_size = INGEST_STACK};

    *out = NULL;
    if (!ing)
        return CW_ENOMEM;
    ing->camera_id = strdup(p->camera_id);
    ing->url = strdup(p->url);
    ing->transport = p->transport;
    ing->connect_timeout_us = p->connect_timeout_us;
    ing->stall_timeout_us = p->stall_timeout_us;
    ing->stall_give_up_us = p->stall_reconnect_us > 2 * p->stall_timeout_us ? p->stall_reconnect_us
                                                                              : 2 * p->stall_timeout_us;
    ing->notify = p->notify;
    ing->ud = p->ud;
    atomic_init(&ing->stop, 0);
    /* Plugins, or only thumbnails: both go through the analysis. */
    if (p->n_plugins > 0 || p->thumbnail_interval_us > 0) {
        /* the instances belong to the analysis from here on */
        if (cw_analysis_create(p->plugins, p->n_plugins, &p->rules, on_analysis, ing, &ing->analysis) < 0) {
            for (int i = 0; i < p->n_plugins; i++)
                cw_plugin_instance_destroy(p->plugins[i]);
        } else {
            ing->stats.decode_mode = cw_analysis_mode(ing->analysis);
            cw_analysis_set_caption(ing->analysis, p->caption);
            cw_analysis_set_level_interval(ing->analysis, p->level_interval_us);
            cw_analysis_set_thumbnail_interval(ing->analysis, p->thumbnail_interval_us);
        }
        if (p->snapshot_dir)
            ing->snapshot_dir = strdup(p->snapshot_dir);
    }
    if (!ing->camera_id || !ing->url) {
        cw_analysis_free(ing->analysis);
        free(ing->snapshot_dir);
        free(ing->camera_id);
        free(ing->url);
        free(ing);
        return CW_ENOMEM;
    }
    uv_mutex_init(&ing->mu);
    uv_cond_init(&ing->cond);
    if (uv_thread_create_ex(&ing->thread, &topt, thread_main, ing) != 0) {
        uv_cond_destroy(&ing->cond);
        uv_mutex_destroy(&ing->mu);
        cw_analysis_free(ing->analysis);
        free(ing->snapshot_dir);
        free(ing->camera_id);
        free(ing->url);
        free(ing);
        return CW_ETHREAD;
    }
    *out = ing;
    return 0;
}

void cw_ingest_connect(struct cw_ingest *ing)
{
    uv_mutex_lock(&ing->mu);
    ing->go = 1;
    uv_cond_signal(&ing->cond);
    uv_mutex_unlock(&ing->mu);
}

void cw_ingest_probe(struct cw_ingest *ing)
{
    uv_mutex_lock(&ing->mu);
    ing->probe_req = 1;
    uv_cond_signal(&ing->cond);
    uv_mutex_unlock(&ing->mu);
}

void cw_ingest_request_stop(struct cw_ingest *ing)
{
    if (!ing)
        return;
    uv_mutex_lock(&ing->mu);
    atomic_store(&ing->stop, 1);
    uv_cond_signal(&ing->cond);
    uv_mutex_unlock(&ing->mu);
}

void cw_ingest_stop(struct cw_ingest *ing)
{
    if (!ing)
        return;
    cw_ingest_request_stop(ing);
    uv_thread_join(&ing->thread);
    uv_cond_destroy(&ing->cond);
    uv_mutex_destroy(&ing->mu);
    /* Wipe the URL: it holds a password. */
    memset(ing->url, 0, strlen(ing->url));
    cw_analysis_free(ing->analysis);
    free(ing->snapshot_dir);
    free(ing->url);
    free(ing->camera_id);
    free(ing);
}

/* FFmpeg's log lines arrive in pieces; assemble them per thread. */
static _Thread_local char ff_line[1024];
static _Thread_local size_t ff_len;

static void ffmpeg_log_cb(void *avcl, int level, const char *fmt, va_list vl)
{
    static _Thread_local int print_prefix = 1;
    char piece[1024];

    if (level > AV_LOG_VERBOSE || !cw_log_enabled(CW_LOG_DEBUG))
        return;
    av_log_format_line2(avcl, level, fmt, vl, piece, sizeof piece, &print_prefix);
    size_t n = strlen(piece);
    if (ff_len + n >= sizeof ff_line)
        n = sizeof ff_line - ff_len - 1;
    memcpy(ff_line + ff_len, piece, n);
    ff_len += n;
    ff_line[ff_len] = '\0';
    if (ff_len > 0 && (ff_line[ff_len - 1] == '\n' || ff_len >= sizeof ff_line - 1)) {
        cw_log(CW_LOG_DEBUG, "ffmpeg", NULL, "%s", ff_line); /* cw_log masks URLs */
        ff_len = 0;
    }
}

void cw_ingest_capture_ffmpeg_log(void)
{
    av_log_set_callback(ffmpeg_log_cb);
}
