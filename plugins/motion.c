/* motion: something moves in the picture.
 *
 * Per analysed frame (luma, 320 wide by default, 5 per second):
 *  1. global brightness compensation: the frame's mean and spread are
 *     mapped onto the background's, so a lighting ramp, auto-exposure or
 *     the day/night IR switch does not read as motion;
 *  2. per-pixel background (running mean) and noise (running mean absolute
 *     deviation); a pixel is foreground when it differs from the background
 *     by more than k x its own noise (+ a floor), k set by `sensitivity`;
 *  3. morphological opening (3x3) removes speckle from sensor noise;
 *  4. connected components; those of at least `min_area` (a fraction of
 *     the frame) inside the zones and outside the masks are motion.
 * Background pixels adapt quickly, foreground ones slowly, so a parked
 * car becomes background in a minute or two.
 *
 * Options: sensitivity (0..1, 0.5), min_area (0.002), analysis_fps,
 * learn_frames (10), zone and mask: polygons "x,y x,y x,y ..." in 0..1
 * picture coordinates (repeat the key for several). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "camwatch_plugin.h"

#define MAX_POLY 8
#define MAX_PTS 32

struct poly {
    int n;
    double x[MAX_PTS], y[MAX_PTS];
};

struct state {
    const struct cw_plugin_host *host;
    double sensitivity, min_area;
    int learn;
    struct poly zones[MAX_POLY], masks[MAX_POLY];
    int n_zones, n_masks;
    /* model */
    int w, h, frames;
    float *bg, *noise, *prev;
    uint8_t *fg, *tmp, *hb, *area, *chg; /* area: 1 where motion counts */
    int *stack;
    long area_px;
};

static int create(const struct cw_plugin_host *host, void **out)
{
    struct state *s = calloc(1, sizeof *s);
    if (!s)
        return -1;
    s->host = host;
    s->sensitivity = 0.5;
    s->min_area = 0.002;
    s->learn = 10;
    *out = s;
    return 0;
}

static int parse_poly(const char *v, struct poly *p, char *err, size_t errlen)
{
    const char *c = v;
    p->n = 0;
    while (*c) {
        char *end;
        double x = strtod(c, &end);
        if (end == c || *end != ',')
            break;
        c = end + 1;
        double y = strtod(c, &end);
        if (end == c || p->n == MAX_PTS || x < 0 || x > 1 || y < 0 || y > 1) {
            snprintf(err, errlen, "polygon '%s': want up to %d points \"x,y\" within 0..1", v, MAX_PTS);
            return -1;
        }
        p->x[p->n] = x;
        p->y[p->n] = y;
        p->n++;
        c = end;
        while (*c == ' ')
            c++;
    }
    if (*c || p->n < 3) {
        snprintf(err, errlen, "polygon '%s': want at least 3 points \"x,y x,y x,y\" within 0..1", v);
        return -1;
    }
    return 0;
}

static int configure(void *st, const char *key, const char *value, char *err, size_t errlen)
{
    struct state *s = st;
    if (strcmp(key, "zone") == 0 || strcmp(key, "mask") == 0) {
        int *n = key[0] == 'z' ? &s->n_zones : &s->n_masks;
        struct poly *p = key[0] == 'z' ? s->zones : s->masks;
        if (*n == MAX_POLY) {
            snprintf(err, errlen, "at most %d %ss", MAX_POLY, key);
            return -1;
        }
        if (parse_poly(value, &p[*n], err, errlen) < 0)
            return -1;
        (*n)++;
        return 0;
    }
    char *end;
    double v = strtod(value, &end);
    if (end == value || *end) {
        snprintf(err, errlen, "'%s' is not a number", value);
        return -1;
    }
    if (strcmp(key, "sensitivity") == 0 && v >= 0 && v <= 1)
        s->sensitivity = v;
    else if (strcmp(key, "min_area") == 0 && v > 0 && v < 1)
        s->min_area = v;
    else if (strcmp(key, "learn_frames") == 0 && v >= 1 && v <= 1000)
        s->learn = (int)v;
    else {
        snprintf(err, errlen, "bad option %s=%s (sensitivity 0..1, min_area 0..1, learn_frames 1..1000, zone, mask)",
                 key, value);
        return -1;
    }
    return 0;
}

static int inside(const struct poly *p, double x, double y)
{
    int in = 0;
    for (int i = 0, j = p->n - 1; i < p->n; j = i++)
        if ((p->y[i] > y) != (p->y[j] > y) && x < (p->x[j] - p->x[i]) * (y - p->y[i]) / (p->y[j] - p->y[i]) + p->x[i])
            in = !in;
    return in;
}

static int setup(struct state *s, int w, int h)
{
    size_t n = (size_t)w * h;
    free(s->bg), free(s->noise), free(s->fg), free(s->tmp), free(s->hb), free(s->area), free(s->stack);
    free(s->prev), free(s->chg);
    s->prev = malloc(n * sizeof(float));
    s->chg = calloc(n, 1);
    s->bg = malloc(n * sizeof(float));
    s->noise = malloc(n * sizeof(float));
    s->fg = calloc(n, 1);
    s->tmp = calloc(n, 1);
    s->hb = calloc(n, 1);
    s->area = malloc(n);
    s->stack = malloc(n * sizeof(int));
    if (!s->bg || !s->noise || !s->fg || !s->tmp || !s->hb || !s->area || !s->stack || !s->prev || !s->chg)
        return -1;
    s->w = w;
    s->h = h;
    s->frames = 0;
    s->area_px = 0;
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            double px = (x + 0.5) / w, py = (y + 0.5) / h;
            int in = s->n_zones == 0;
            for (int i = 0; i < s->n_zones && !in; i++)
                in = inside(&s->zones[i], px, py);
            for (int i = 0; i < s->n_masks && in; i++)
                in = !inside(&s->masks[i], px, py);
            s->area[y * w + x] = (uint8_t)in;
            s->area_px += in;
        }
    return 0;
}

/* 3x3 erosion (min) of src into dst, then the caller dilates back. */
/* 3x3 binary erosion (erode = 1: AND) or dilation (OR) of a 0/1 mask; out
 * of the frame counts as `erode`, so borders neither erode nor grow. The
 * square window is separable: rows first into `hb`, then columns into
 * dst. Each pass is a branch-free loop the compiler vectorises; the
 * direct 9-neighbour version was 40 % of camwatchd's CPU in full mode. */
static void morph(const uint8_t *src, uint8_t *dst, uint8_t *hb, int w, int h, int erode)
{
    if (w < 2 || h < 2) {
        memcpy(dst, src, (size_t)w * (size_t)h);
        return;
    }
    for (int y = 0; y < h; y++) {
        const uint8_t *r = src + (size_t)y * w;
        uint8_t *o = hb + (size_t)y * w;
        if (erode) {
            o[0] = r[0] & r[1];
            for (int x = 1; x < w - 1; x++)
                o[x] = r[x - 1] & r[x] & r[x + 1];
            o[w - 1] = r[w - 2] & r[w - 1];
        } else {
            o[0] = r[0] | r[1];
            for (int x = 1; x < w - 1; x++)
                o[x] = r[x - 1] | r[x] | r[x + 1];
            o[w - 1] = r[w - 2] | r[w - 1];
        }
    }
    for (int y = 0; y < h; y++) {
        const uint8_t *a = hb + (size_t)(y > 0 ? y - 1 : y) * w, *b = hb + (size_t)y * w,
                      *c = hb + (size_t)(y < h - 1 ? y + 1 : y) * w;
        uint8_t *o = dst + (size_t)y * w;
        if (erode)
            for (int x = 0; x < w; x++)
                o[x] = a[x] & b[x] & c[x];
        else
            for (int x = 0; x < w; x++)
                o[x] = a[x] | b[x] | c[x];
    }
}

static int process_frame(void *st, const struct cw_plugin_frame *f, struct cw_plugin_result *out)
{
    struct state *s = st;
    int w = f->width, h = f->height;
    long n = (long)w * h;

    memset(out, 0, sizeof *out);
    if ((w != s->w || h != s->h) && setup(s, w, h) < 0)
        return -1;
    if (s->frames == 0) {
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++) {
                s->bg[y * w + x] = s->prev[y * w + x] = f->luma[(size_t)y * f->stride + x];
                s->noise[y * w + x] = 3;
            }
        s->frames++;
        return 0;
    }
    /* 1. global compensation: map the frame's mean and contrast onto the
     * background's. Contrast is compared on 8x8 block means: per pixel,
     * sensor noise inflates the frame's spread against the smooth
     * background, and a gain fed by that bias shrinks the background a
     * little more every frame. A dead band keeps small estimation errors
     * from accumulating at all. */
    double fs = 0, bs = 0, fb = 0, fb2 = 0, bb = 0, bb2 = 0;
    int nblk = 0;
    for (int by = 0; by + 8 <= h; by += 8)
        for (int bx = 0; bx + 8 <= w; bx += 8) {
            double a = 0, b = 0;
            for (int y = by; y < by + 8; y++)
                for (int x = bx; x < bx + 8; x++) {
                    a += f->luma[(size_t)y * f->stride + x];
                    b += s->bg[y * w + x];
                }
            a /= 64, b /= 64;
            fb += a, fb2 += a * a, bb += b, bb2 += b * b;
            nblk++;
        }
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
            fs += f->luma[(size_t)y * f->stride + x], bs += s->bg[y * w + x];
    double fm = fs / n, bm = bs / n;
    double gain = 1;
    if (nblk > 4) {
        double fbm = fb / nblk, bbm = bb / nblk;
        double fsd = sqrt(fmax(1e-6, fb2 / nblk - fbm * fbm)), bsd = sqrt(fmax(1e-6, bb2 / nblk - bbm * bbm));
        gain = fsd > 2 ? bsd / fsd : 1;
        if (gain < 0.25 || gain > 4 || fabs(gain - 1) < 0.08)
            gain = 1;
    }
    /* 2. foreground against a noise-adaptive threshold, where the picture
     * also changed since the last analysis: something that appeared and
     * stays (a parked car, a person standing still, the "ghost" where one
     * stood) differs from the background but does not move. */
    double k = 2.5 + (1 - s->sensitivity) * 5; /* sensitivity 1: 2.5 sigma, 0: 7.5 */
    int learning = s->frames < s->learn;
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            int i = y * w + x;
            float v = (float)((f->luma[(size_t)y * f->stride + x] - fm) * gain + bm);
            float d = fabsf(v - s->bg[i]);
            float thr = (float)(k * s->noise[i] + 6);
            int fg = !learning && d > thr;
            s->chg[i] = (uint8_t)(fabsf(v - s->prev[i]) > 1.4f * thr);
            s->prev[i] = v;
            s->fg[i] = (uint8_t)(fg && s->area[i]);
            /* the background follows quickly where nothing stands out,
             * and within some seconds where something stopped */
            s->bg[i] += (v - s->bg[i]) * (fg ? 1.0f / 48 : 1.0f / 12);
            if (!fg) {
                s->noise[i] += (d - s->noise[i]) * (1.0f / 32);
                if (s->noise[i] < 1)
                    s->noise[i] = 1;
            }
        }
    s->frames++;
    if (learning)
        return 0;
    /* frame differencing marks a moving object's edges: grow them (two 3x3
     * dilations) to cover it, then keep foreground that moved */
    morph(s->chg, s->tmp, s->hb, w, h, 0);
    morph(s->tmp, s->chg, s->hb, w, h, 0);
    for (long i = 0; i < n; i++)
        s->fg[i] = s->fg[i] && s->chg[i];
    /* 3. opening */
    morph(s->fg, s->tmp, s->hb, w, h, 1);
    morph(s->tmp, s->fg, s->hb, w, h, 0);
    /* 4. components */
    long min_px = (long)(s->min_area * n) > 4 ? (long)(s->min_area * n) : 4, moving = 0;
    for (long start = 0; start < n; start++) {
        if (s->fg[start] != 1)
            continue;
        int sp = 0, x0 = w, y0 = h, x1 = 0, y1 = 0;
        long cnt = 0;
        s->stack[sp++] = (int)start;
        s->fg[start] = 2;
        while (sp > 0) {
            int i = s->stack[--sp], x = i % w, y = i / w;
            cnt++;
            x0 = x < x0 ? x : x0, x1 = x > x1 ? x : x1, y0 = y < y0 ? y : y0, y1 = y > y1 ? y : y1;
            int nb[4] = {x > 0 ? i - 1 : -1, x < w - 1 ? i + 1 : -1, y > 0 ? i - w : -1, y < h - 1 ? i + w : -1};
            for (int k2 = 0; k2 < 4; k2++)
                if (nb[k2] >= 0 && s->fg[nb[k2]] == 1) {
                    s->fg[nb[k2]] = 2;
                    s->stack[sp++] = nb[k2];
                }
        }
        if (cnt < min_px)
            continue;
        moving += cnt;
        if (out->n_boxes < CW_PLUGIN_MAX_BOXES)
            out->boxes[out->n_boxes++] = (struct cw_plugin_box){x0, y0, x1 - x0 + 1, y1 - y0 + 1};
    }
    out->positive = out->n_boxes > 0;
    if (s->host && s->host->log) {
        char msg[160];
        long raw = 0;
        for (long i = 0; i < n; i++)
            raw += s->fg[i] != 0;
        snprintf(msg, sizeof msg, "t=%.2f gain %.3f offset %.1f fg(after opening) %ld moving %ld boxes %d",
                 f->pts_us / 1e6, gain, bm - fm, raw, moving, out->n_boxes);
        s->host->log(s->host->host_ud, 3, msg);
    }
    out->score = s->area_px ? (double)moving / s->area_px : 0;
    if (out->score > 1)
        out->score = 1;
    return 0;
}

static void destroy(void *st)
{
    struct state *s = st;
    free(s->bg), free(s->noise), free(s->fg), free(s->tmp), free(s->hb), free(s->area), free(s->stack);
    free(s->prev), free(s->chg);
    free(s);
}

static const struct cw_plugin_descriptor desc = {
    .abi_version = CW_PLUGIN_ABI_VERSION,
    .struct_size = sizeof(struct cw_plugin_descriptor),
    .name = "motion",
    .version = "1.0.0",
    .input = CW_PLUGIN_INPUT_FRAMES,
    .analysis_fps = 5,
    .analysis_width = 320,
    .allow_fast_decode = 1, /* blocky edges do not matter at 320 wide */
    .create = create,
    .configure = configure,
    .process_frame = process_frame,
    .destroy = destroy,
};

__attribute__((visibility("default"))) const struct cw_plugin_descriptor *camwatch_plugin_descriptor(void)
{
    return &desc;
}
