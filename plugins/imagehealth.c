/* imagehealth: is an online camera's picture any use?
 *
 * Works on keyframes only (cheap: one decoded frame per GOP). For each it
 * measures mean and spread of luma, edge energy (mean |gradient|) and
 * sharpness (mean squared gradient), and the mean absolute difference to
 * the previous keyframe. A condition holds after `confirm` keyframes in a
 * row show it and clears after as many that do not:
 *   black   - dark and flat (mean < black_luma, stddev < black_stddev)
 *   covered - not black, but flat and without edges (a hand, a cloth, paint)
 *   blurred - sharpness below blur_ratio x this camera's own baseline,
 *             learned from its first healthy keyframes and updated slowly
 *   frozen  - frozen_keyframes keyframes in a row with (almost) no pixel
 *             change, while packets still arrive (a hung encoder repeats
 *             the same picture; live sensor noise never does). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "camwatch_plugin.h"

struct state {
    const struct cw_plugin_host *host;
    double black_luma, black_stddev, covered_stddev, covered_edges, blur_ratio, frozen_mad;
    int frozen_keyframes, confirm, learn;
    /* running */
    uint8_t *prev;
    int pw, ph;
    int same_run;       /* keyframes in a row equal to their predecessor */
    double sharp_base;  /* learned sharpness baseline; 0 until learned */
    int learned;
    double learn_sum;
    int yes[4], no[4];  /* consecutive keyframes for / against each condition */
    uint32_t flags;
};

static int create(const struct cw_plugin_host *host, void **out)
{
    struct state *s = calloc(1, sizeof *s);
    if (!s)
        return -1;
    s->host = host;
    s->black_luma = 24;
    s->black_stddev = 10;
    s->covered_stddev = 12;
    s->covered_edges = 4;
    s->blur_ratio = 0.35;
    s->frozen_mad = 0.25;
    s->frozen_keyframes = 3;
    s->confirm = 2;
    s->learn = 3;
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
    struct { const char *k; double *d; int *i; double lo, hi; } keys[] = {
        {"black_luma", &s->black_luma, NULL, 0, 255},       {"black_stddev", &s->black_stddev, NULL, 0, 128},
        {"covered_stddev", &s->covered_stddev, NULL, 0, 128}, {"covered_edges", &s->covered_edges, NULL, 0, 255},
        {"blur_ratio", &s->blur_ratio, NULL, 0.01, 1},      {"frozen_mad", &s->frozen_mad, NULL, 0, 10},
        {"frozen_keyframes", NULL, &s->frozen_keyframes, 2, 100}, {"confirm", NULL, &s->confirm, 1, 100},
        {"learn_keyframes", NULL, &s->learn, 1, 1000},
    };
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        if (strcmp(key, keys[i].k) != 0)
            continue;
        if (v < keys[i].lo || v > keys[i].hi) {
            snprintf(err, errlen, "%s must be within %g..%g", key, keys[i].lo, keys[i].hi);
            return -1;
        }
        if (keys[i].d)
            *keys[i].d = v;
        else
            *keys[i].i = (int)v;
        return 0;
    }
    snprintf(err, errlen, "unknown option '%s' (black_luma, black_stddev, covered_stddev, covered_edges, "
                          "blur_ratio, frozen_mad, frozen_keyframes, confirm, learn_keyframes)", key);
    return -1;
}

/* One condition's vote, with hysteresis. */
static void vote(struct state *s, int idx, uint32_t flag, int now)
{
    if (now) {
        s->yes[idx]++;
        s->no[idx] = 0;
        if (s->yes[idx] >= s->confirm)
            s->flags |= flag;
    } else {
        s->no[idx]++;
        s->yes[idx] = 0;
        if (s->no[idx] >= s->confirm)
            s->flags &= ~flag;
    }
}

static int process_frame(void *st, const struct cw_plugin_frame *f, struct cw_plugin_result *out)
{
    struct state *s = st;
    int w = f->width, h = f->height;
    double sum = 0, sum2 = 0, edges = 0, sharp = 0, mad = 0;
    long n = (long)w * h, ne = 0;

    for (int y = 0; y < h; y++) {
        const uint8_t *row = f->luma + (size_t)y * f->stride;
        for (int x = 0; x < w; x++) {
            sum += row[x];
            sum2 += (double)row[x] * row[x];
        }
        if (y == 0)
            continue;
        const uint8_t *up = row - f->stride;
        for (int x = 1; x < w; x++) {
            int dx = row[x] - row[x - 1], dy = row[x] - up[x];
            edges += abs(dx) + abs(dy);
            sharp += dx * dx + dy * dy;
            ne++;
        }
    }
    double mean = sum / n, sd = sqrt(fmax(0, sum2 / n - mean * mean));
    edges /= ne > 0 ? ne : 1;
    sharp /= ne > 0 ? ne : 1;

    /* frozen: compare with the previous keyframe */
    int same = 0;
    if (s->prev && s->pw == w && s->ph == h) {
        for (int y = 0; y < h; y++) {
            const uint8_t *a = f->luma + (size_t)y * f->stride, *b = s->prev + (size_t)y * w;
            for (int x = 0; x < w; x++)
                mad += abs(a[x] - b[x]);
        }
        mad /= n;
        same = mad < s->frozen_mad;
    }
    if (!s->prev || s->pw != w || s->ph != h) {
        free(s->prev);
        s->prev = malloc((size_t)n);
        s->pw = w;
        s->ph = h;
        same = 0;
    }
    if (s->prev)
        for (int y = 0; y < h; y++)
            memcpy(s->prev + (size_t)y * w, f->luma + (size_t)y * f->stride, (size_t)w);
    s->same_run = same ? s->same_run + 1 : 0;

    int black = mean < s->black_luma && sd < s->black_stddev;
    int covered = !black && sd < s->covered_stddev && edges < s->covered_edges;
    /* A frozen picture keeps whatever sharpness it had; a black or covered
     * one has none to speak of: neither says anything about focus. */
    int blurred = 0;
    if (!black && !covered && !(s->flags & CW_HEALTH_FROZEN)) {
        if (s->learned < s->learn) {
            s->learn_sum += sharp;
            if (++s->learned == s->learn)
                s->sharp_base = s->learn_sum / s->learn;
        } else {
            blurred = sharp < s->blur_ratio * s->sharp_base;
            /* Follow slow changes (day, night, weather) but never learn a
             * blurred picture as the new normal. */
            if (!blurred && sharp > 0.6 * s->sharp_base)
                s->sharp_base += (sharp - s->sharp_base) * 0.05;
        }
    }
    vote(s, 0, CW_HEALTH_BLACK, black);
    vote(s, 1, CW_HEALTH_COVERED, covered);
    vote(s, 2, CW_HEALTH_BLURRED, blurred);
    /* frozen holds as soon as the run is long enough; no extra confirm. A
     * black or covered picture is flat and so "unchanging" by nature: it
     * is reported as what it is, not also as frozen. */
    if (black || covered)
        s->same_run = 0;
    if (s->same_run >= s->frozen_keyframes - 1)
        s->flags |= CW_HEALTH_FROZEN;
    else if (!same)
        s->flags &= ~CW_HEALTH_FROZEN;

    memset(out, 0, sizeof *out);
    out->health_checked = CW_HEALTH_BLACK | CW_HEALTH_FROZEN | CW_HEALTH_COVERED | CW_HEALTH_BLURRED;
    out->health = s->flags;
    if (s->host && s->host->log) {
        char msg[200];
        snprintf(msg, sizeof msg, "keyframe mean %.1f sd %.1f edges %.2f sharp %.1f (base %.1f) mad %.2f flags %x",
                 mean, sd, edges, sharp, s->sharp_base, mad, s->flags);
        s->host->log(s->host->host_ud, 3, msg);
    }
    return 0;
}

static void destroy(void *st)
{
    struct state *s = st;
    free(s->prev);
    free(s);
}

static const struct cw_plugin_descriptor desc = {
    .abi_version = CW_PLUGIN_ABI_VERSION,
    .struct_size = sizeof(struct cw_plugin_descriptor),
    .name = "imagehealth",
    .version = "1.0.0",
    .input = CW_PLUGIN_INPUT_KEYFRAMES,
    .analysis_width = 320,
    .allow_fast_decode = 0, /* the loop filter matters for sharpness */
    .create = create,
    .configure = configure,
    .process_frame = process_frame,
    .destroy = destroy,
};

__attribute__((visibility("default"))) const struct cw_plugin_descriptor *camwatch_plugin_descriptor(void)
{
    return &desc;
}
