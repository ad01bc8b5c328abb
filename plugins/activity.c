/* activity: a camera's activity level from compressed frame sizes, without
 * decoding. It raises no events.
 *
 * An inter (P) frame codes what changed since the previous frame, so its
 * size rises with movement. But sensor noise raises every frame too, and
 * measured on the project's motion clip re-encoded with more noise
 * (ffmpeg noise=alls=8), one-second means of inter-frame sizes were 5-12 %
 * above the quiet baseline while people walked and 0-10 % above it in
 * still scenes: no threshold separates the two, and an event that cannot
 * be trusted is worse than none. So the plugin reports a level that the
 * daemon keeps as a timeline and a metric (a busy gate at night, a scene
 * that went dead), and never says "motion": the `motion` plugin does that.
 *
 * The level, per packet: each inter frame's size, divided by what its
 * position after the last keyframe usually costs (encoders spend more on
 * the frames just after a keyframe: learned from every GOP's second half),
 * averaged over `window` seconds (frame-rate conversions repeat frames, so
 * single frames jump), against a baseline that is the quietest quarter of
 * the last `baseline` seconds of those means (so it follows night noise and
 * light within minutes, and hours of traffic do not raise it). The score is
 * how far above that baseline the scene is: 0 = as quiet as it gets, 0.3 =
 * inter frames 30 % bigger, capped at 1. An encoder at constant bitrate
 * spends the same on every frame and leaves the level near 0: the level
 * then says nothing, which is why it is a level and not an alarm.
 *
 * Options: window (0.2..10 s, default 1), baseline (10..3600 s, default
 * 120). `ratio` and `learn_packets` (the event threshold of 1.x) are
 * accepted and ignored, with a warning, so that old configs still load. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "camwatch_plugin.h"

#define PROFILE_LEN 64 /* positions after a keyframe with their own cost */
#define GOP_MAX 512    /* inter frames of one GOP kept to learn the profile */
#define WIN_MAX 256    /* inter frames in one window */
#define BASE_MAX 3600  /* one window mean per second of the baseline */

struct state {
    const struct cw_plugin_host *host;
    double window_s, baseline_s;
    /* cost of position i after a keyframe, relative to the GOP's second half */
    double profile[PROFILE_LEN];
    int gop_n, pos;
    double gop[GOP_MAX];
    /* the window: normalised sizes and their stream times */
    double win_v[WIN_MAX];
    int64_t win_t[WIN_MAX];
    int win_head, win_n;
    double win_sum;
    /* the baseline: one window mean per second */
    double base_v[BASE_MAX];
    int base_head, base_n;
    int64_t last_base_t, last_t;
    double base; /* the quietest quarter, recomputed once a second */
    double sorted[BASE_MAX];
};

static int create(const struct cw_plugin_host *host, void **out)
{
    struct state *s = calloc(1, sizeof *s);
    if (!s)
        return -1;
    s->host = host;
    s->window_s = 1;
    s->baseline_s = 120;
    for (int i = 0; i < PROFILE_LEN; i++)
        s->profile[i] = 1;
    s->last_base_t = s->last_t = INT64_MIN;
    *out = s;
    return 0;
}

static int configure(void *st, const char *key, const char *value, char *err, size_t errlen)
{
    struct state *s = st;
    char *end;
    double v = strtod(value, &end);
    if (end == value || *end) {
        snprintf(err, errlen, "'%s' is not a number", value);
        return -1;
    }
    if (strcmp(key, "window") == 0 && v >= 0.2 && v <= 10)
        s->window_s = v;
    else if (strcmp(key, "baseline") == 0 && v >= 10 && v <= BASE_MAX)
        s->baseline_s = v;
    else if (strcmp(key, "ratio") == 0 || strcmp(key, "learn_packets") == 0) {
        if (s->host && s->host->log)
            s->host->log(s->host->host_ud, 1,
                         "activity: option ignored: it raises no events since 2.0 (see README, Detection)");
    } else {
        snprintf(err, errlen, "bad option %s=%s (window 0.2..10 s, baseline 10..3600 s)", key, value);
        return -1;
    }
    return 0;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* At a keyframe: what each early position cost in the GOP that just ended,
 * relative to its second half, folds into the profile. */
static void learn_gop(struct state *s)
{
    int n = s->gop_n;
    if (n < 8)
        return;
    double tail[GOP_MAX];
    int m = 0;
    for (int i = n / 2; i < n; i++)
        tail[m++] = s->gop[i];
    double t = median(tail, m);
    if (t <= 0)
        return;
    for (int i = 0; i < n && i < PROFILE_LEN; i++)
        s->profile[i] += (s->gop[i] / t - s->profile[i]) * 0.2;
}

static void reset_window(struct state *s)
{
    s->win_head = s->win_n = 0;
    s->win_sum = 0;
}

static int process_packet(void *st, const struct cw_plugin_packet *p, struct cw_plugin_result *out)
{
    struct state *s = st;
    memset(out, 0, sizeof *out);
    out->score = -1; /* no reading unless one is made below */
    if (p->size <= 0)
        return 0;
    if (p->keyframe) {
        learn_gop(s);
        s->gop_n = s->pos = 0;
        return 0;
    }
    int64_t t = p->pts_us;
    if (s->last_t != INT64_MIN && (t < s->last_t || t - s->last_t > 10000000)) {
        /* a new session or a gap: the window starts again, the baseline and
         * the profile (the scene's and the encoder's) stay */
        reset_window(s);
        s->last_base_t = INT64_MIN;
    }
    s->last_t = t;
    if (s->gop_n < GOP_MAX)
        s->gop[s->gop_n++] = p->size;
    double norm = p->size / s->profile[s->pos < PROFILE_LEN ? s->pos : PROFILE_LEN - 1];
    s->pos++;

    /* the window: drop what is older than window_s, then add this frame */
    int64_t span = (int64_t)(s->window_s * 1e6);
    while (s->win_n > 0) {
        int old = (s->win_head - s->win_n + WIN_MAX) % WIN_MAX;
        if (t - s->win_t[old] < span && s->win_n < WIN_MAX)
            break;
        s->win_sum -= s->win_v[old];
        s->win_n--;
    }
    s->win_v[s->win_head] = norm;
    s->win_t[s->win_head] = t;
    s->win_head = (s->win_head + 1) % WIN_MAX;
    s->win_n++;
    s->win_sum += norm;
    double mean = s->win_sum / s->win_n;

    /* the baseline: a window mean per second, the quietest quarter */
    if (s->last_base_t == INT64_MIN || t - s->last_base_t >= 1000000) {
        s->last_base_t = t;
        s->base_v[s->base_head] = mean;
        s->base_head = (s->base_head + 1) % BASE_MAX;
        int keep = (int)s->baseline_s;
        if (s->base_n < keep)
            s->base_n++;
        else if (s->base_n > keep)
            s->base_n = keep;
        for (int i = 0; i < s->base_n; i++)
            s->sorted[i] = s->base_v[(s->base_head - 1 - i + BASE_MAX) % BASE_MAX];
        qsort(s->sorted, (size_t)s->base_n, sizeof s->sorted[0], cmp_double);
        s->base = s->sorted[(s->base_n - 1) / 4];
    }
    /* Until a few seconds are seen there is nothing to compare with. */
    if (s->base_n < 5)
        return 0;
    double base = s->base;
    double level = base > 0 ? mean / base - 1 : 0;
    out->score = level < 0 ? 0 : level > 1 ? 1 : level;
    out->positive = 0; /* a level, never an event: see the top of this file */
    return 0;
}

static void destroy(void *st) { free(st); }

static const struct cw_plugin_descriptor desc = {
    .abi_version = CW_PLUGIN_ABI_VERSION,
    .struct_size = sizeof(struct cw_plugin_descriptor),
    .name = "activity",
    .version = "2.0.0",
    .input = CW_PLUGIN_INPUT_NONE,
    .create = create,
    .configure = configure,
    .process_packet = process_packet,
    .destroy = destroy,
};

__attribute__((visibility("default"))) const struct cw_plugin_descriptor *camwatch_plugin_descriptor(void)
{
    return &desc;
}
