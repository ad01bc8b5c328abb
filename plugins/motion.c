/* motion: something moves in the picture.
 *
 * Per analysed frame (luma, 5 per second; 320 wide for a source up to 640,
 * half the source's width above that, at most 640: analysis_width):
 *  0. shake: 40 textured blocks of the background vote for the whole-pixel
 *     shift (up to 4 each way) that lays the frame onto it; when most
 *     agree on one, the frame is moved back by it. For 5 s after a shake
 *     a pixel has changed (step 2) only when it differs from all nine
 *     around it in the last frame: the half pixel left over is not
 *     motion. A still camera's frame is never moved;
 *  1. global compensation: the frame is mapped onto the background by a
 *     gain and offset fitted on 8x8 block means of the background only
 *     (blocks with foreground last time left out; from the median offset,
 *     least squares on the blocks that fit, twice), moving a quarter of
 *     the way to that fit and by at most 3 % and 3 levels per analysis. The
 *     background itself follows the raw picture, so the fit stays near 1:
 *     the compensation covers fast changes (auto-exposure, the IR switch)
 *     and has nothing to drift with;
 *  2. per-pixel background (running mean) and noise (running mean absolute
 *     deviation); a pixel is a candidate when it differs from the
 *     background by more than k x its own noise (+ a floor), k set by
 *     `sensitivity`, and also changed since the last analysis;
 *  3. light is not motion: around each candidate cell, a 12x12 window of
 *     the frame is fitted as (gain + slope) x background + a smooth
 *     surface (see structure_changed). A moving headlight pool, a cloud
 *     shadow or a lamp keeps the background's texture under a smoothly
 *     varying light, so the fit leaves only sensor noise; a person leaves
 *     shapes the background did not have. Candidates count only where the
 *     residual is well above the window's noise;
 *  4. morphological opening (3x3) removes speckle; connected components
 *     of at least `min_size` of the camera's own pixels (or `min_area` of
 *     the frame, or a zone's own min_size) inside the zones and outside
 *     the masks; a component amid three times its size of light-explained
 *     change is a fragment of that light (a deep shadow's edge); one of
 *     which a fifth or less changed since the last analysis is something
 *     standing still that rain streaks past;
 *  5. near-lens light: a component much brighter than the background
 *     there (an insect or a moth lit by the IR LEDs right in front of the
 *     lens) counts only once it has held a path for 5 analyses (1 s),
 *     moving less than its own size each time; insects dart; the pieces of
 *     its halo are held with it. What this may miss: a person in IR-bright
 *     clothing is found 1 s later; something bright crawling slowly across
 *     the lens is motion.
 * Background pixels adapt quickly, foreground ones slowly, so a parked
 * car becomes background in a minute or two.
 *
 * Options: sensitivity (0..1, 0.5), min_size (camera pixels, 120),
 * min_area (a fraction of the frame, instead of min_size), learn_frames
 * (10), zone and mask: polygons "x,y x,y x,y ..." in 0..1 picture
 * coordinates (repeat the key for several); a zone may end in
 * "min_size=N" for its own minimum (a far zone). analysis_width is the
 * host's (320, 640, native, auto). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "camwatch_plugin.h"

/* The per-pixel row loops are also compiled for AVX2 and chosen when
 * the plugin is loaded (GCC's function multiversioning, an ifunc) where
 * the processor has it: twice the lanes of SSE2, the x86-64 baseline.
 * AVX2 alone does not enable FMA, so no multiply-add is fused: the same
 * arithmetic, the same results. */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define CW_ROWS __attribute__((target_clones("avx2", "default")))
#else
#define CW_ROWS
#endif

#define MAX_POLY 8
#define MAX_PTS 32
#define CELL 4        /* the light test's cells (pixels), windows of 3x3 cells */
#define MAX_TRACKS 16 /* bright blobs followed from one analysis to the next */
#define HOLD 5        /* analyses a bright blob must hold its path */
#define SHAKE 4       /* the largest shake looked for (analysed pixels) */
#define SHAKE_HOLD 25 /* analyses a camera counts as shaking after a shake (5 s) */

struct poly {
    int n;
    double x[MAX_PTS], y[MAX_PTS];
    double min_size; /* zones: camera pixels, 0: the camera's */
};

#define NP 9 /* the light model's parameters (see structure_changed) */
/* its sums (struct lfam): families, and where v^2 and noise^2 are */
#define LS_B 0
#define LS_BB 1
#define LS_F 2
#define LS_FB 3
#define LS_FF 38
#define LS_NN 39
#define LS_N 40 /* sums per cell */

struct track {
    double x, y, size;
    int age;
};

/* A connected component that passed the size and light-fragment rules. */
struct comp {
    int x0, y0, x1, y1;
    long cnt;
    double cx, cy;
    int bright, held;
};
#define MAX_COMPS 256

struct state {
    const struct cw_plugin_host *host;
    double sensitivity, min_area, min_size;
    int learn;
    struct poly zones[MAX_POLY], masks[MAX_POLY];
    int n_zones, n_masks;
    /* model */
    int w, h, frames;
    /* background and noise: levels in 8.8 fixed point (q8), half the
     * memory of floats (0.9 MiB a camera at 640x360); read into floats
     * where used (q8f), stored rounded (fq8; the noise clamped, noise_q8) */
    uint16_t *bg, *noise;
    /* the compensated frame v = (luma - fo) x ig is not kept as floats
     * but made again from the luma where it is read (vcomp): the current
     * analysis's from the host's frame (cur, with fo, ig), the last one's
     * from a copy of its luma (last, with last_fo, last_ig) */
    const uint8_t *cur;
    int cur_stride;
    float fo, ig, last_fo, last_ig;
    uint8_t *last;
    /* area: 1 where motion counts, zone_of: the zone a pixel is in; with
     * no zone and no mask one row of ones (area_stride 0) and no zone_of */
    uint8_t *fg, *hb, *area, *chg, *zone_of;
    int area_stride;
    uint8_t *lit; /* moving candidates the light test explained, this analysis */
    int *stack;
    long area_px;
    /* compensation: frame = gain x background + offset */
    double gain, offset;
    /* light test */
    int cw, ch; /* cells across and down */
    int8_t *cell_light; /* -1 unknown, 0 structure changed, 1 light only */
    uint8_t *blk_fg;    /* 8x8 blocks that held foreground last time */
    uint16_t *band_f; uint32_t *band_b; /* compensation: a band's column sums (the background's in q8) */
    uint8_t *aligned; /* shake: the frame moved back onto the background (made when first needed) */
    int shake_x, shake_y; /* the last analysis's shake */
    int shaking;          /* analyses left in which the camera counts as shaking */
    double *ls_cell, *ls_row;        /* the light test's sums: rings of 3 cell rows */
    int64_t *ls_cell_key, *ls_row_key; /* (analysis, cell row) each slot holds */
    double *blk_f, *blk_b, *blk_r; /* the compensation's block means, residuals */
    struct track tracks[MAX_TRACKS], next[MAX_TRACKS];
    struct comp comps[MAX_COMPS];
    int n_tracks;
};

/* A q8 plane's value as a float, and a float (0..255) stored in q8:
 * through int, which vectorises (SSE2, AVX2) where unsigned does not. */
static inline float q8f(uint16_t v)
{
    return (float)(int)v * (1.0f / 256);
}

static inline uint16_t fq8(float v)
{
    return (uint16_t)(int)(v * 256 + 0.5f); /* 0 <= v <= 255 */
}

/* The noise in q8: at least lo, at most 255.996 (the noise of a picture
 * at gain 4 can pass 255); clamped as ints, since a float clamp or a
 * conditional 16-bit store stops the vectoriser. */
static inline uint16_t noise_q8(float v, int lo)
{
    int q = (int)(v * 256 + 0.5f);
    q = q > lo ? q : lo;
    return (uint16_t)(q < 65535 ? q : 65535);
}

/* The compensated frame at one pixel of a luma row: one expression
 * wherever it is made, so the same float each time. */
static inline float vcomp(uint8_t luma, float fo, float ig)
{
    return (luma - fo) * ig;
}

/* The current analysis's compensated frame at (x, y). */
static inline float vcur(const struct state *s, int x, int y)
{
    return vcomp(s->cur[(size_t)y * s->cur_stride + x], s->fo, s->ig);
}

static int create(const struct cw_plugin_host *host, void **out)
{
    struct state *s = calloc(1, sizeof *s);
    if (!s)
        return -1;
    s->host = host;
    s->sensitivity = 0.5;
    s->min_size = 120;
    s->learn = 10;
    s->gain = 1;
    *out = s;
    return 0;
}

static int parse_poly(const char *v, struct poly *p, int zone, char *err, size_t errlen)
{
    const char *c = v;
    p->n = 0;
    p->min_size = 0;
    while (*c) {
        char *end;
        if (zone && strncmp(c, "min_size=", 9) == 0) {
            p->min_size = strtod(c + 9, &end);
            if (end == c + 9 || p->min_size < 1 || p->min_size > 1e6) {
                snprintf(err, errlen, "zone '%s': min_size wants a number of camera pixels (1..1000000)", v);
                return -1;
            }
            c = end;
            while (*c == ' ')
                c++;
            break;
        }
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
        snprintf(err, errlen, "polygon '%s': want at least 3 points \"x,y x,y x,y\" within 0..1%s", v,
                 zone ? " (then optionally min_size=N)" : "");
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
        if (parse_poly(value, &p[*n], key[0] == 'z', err, errlen) < 0)
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
    else if (strcmp(key, "min_size") == 0 && v >= 1 && v <= 1e6)
        s->min_size = v;
    else if (strcmp(key, "learn_frames") == 0 && v >= 1 && v <= 1000)
        s->learn = (int)v;
    else {
        snprintf(err, errlen,
                 "bad option %s=%s (sensitivity 0..1, min_size 1..1000000 camera pixels, min_area 0..1, "
                 "learn_frames 1..1000, zone, mask)",
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

static void free_model(struct state *s)
{
    free(s->bg), free(s->noise), free(s->fg), free(s->lit), free(s->hb), free(s->area), free(s->stack);
    free(s->last), free(s->chg), free(s->zone_of), free(s->cell_light);
    free(s->blk_fg), free(s->blk_f), free(s->blk_b), free(s->blk_r);
    free(s->band_f), free(s->band_b), free(s->aligned);
    s->aligned = NULL;
    free(s->ls_cell), free(s->ls_row), free(s->ls_cell_key), free(s->ls_row_key);
}

static int setup(struct state *s, int w, int h)
{
    size_t n = (size_t)w * h;
    free_model(s);
    s->cw = (w + CELL - 1) / CELL;
    s->ch = (h + CELL - 1) / CELL;
    size_t nc = (size_t)s->cw * s->ch;
    s->last = malloc(n);
    s->chg = calloc(n, 1);
    s->bg = malloc(n * sizeof *s->bg);
    s->noise = malloc(n * sizeof *s->noise);
    s->fg = calloc(n, 1);
    s->lit = calloc(n, 1);
    s->hb = calloc((size_t)5 * w, 1);
    int whole = s->n_zones == 0 && s->n_masks == 0;
    s->area_stride = whole ? 0 : w;
    s->area = malloc(whole ? (size_t)w : n);
    s->zone_of = whole ? NULL : malloc(n);
    s->stack = malloc(n * sizeof(int));
    s->cell_light = malloc(nc);
    s->blk_fg = calloc((size_t)(w / 8 + 1) * (size_t)(h / 8 + 1), 1);
    size_t nblk = (size_t)(w / 8) * (size_t)(h / 8) + 1;
    s->blk_f = malloc(nblk * sizeof(double));
    s->blk_b = malloc(nblk * sizeof(double));
    s->blk_r = malloc(nblk * sizeof(double));
    s->band_f = malloc((size_t)w * sizeof(uint16_t));
    s->band_b = malloc((size_t)w * sizeof(uint32_t));
    s->ls_cell = malloc((size_t)3 * s->cw * LS_N * sizeof(double));
    s->ls_row = malloc((size_t)3 * s->cw * LS_N * sizeof(double));
    s->ls_cell_key = malloc((size_t)3 * s->cw * sizeof(int64_t));
    s->ls_row_key = malloc((size_t)3 * s->cw * sizeof(int64_t));
    if (!s->bg || !s->noise || !s->fg || !s->lit || !s->hb || !s->area || !s->stack || !s->last || !s->chg ||
        (!whole && !s->zone_of) || !s->cell_light || !s->blk_fg ||
        !s->blk_f || !s->blk_b || !s->blk_r || !s->band_f || !s->band_b || !s->ls_cell || !s->ls_row || !s->ls_cell_key || !s->ls_row_key)
        return -1;
    for (size_t i = 0; i < (size_t)3 * s->cw; i++)
        s->ls_cell_key[i] = s->ls_row_key[i] = -1;
    s->w = w;
    s->h = h;
    s->frames = 0;
    s->area_px = 0;
    s->gain = 1;
    s->offset = 0;
    s->n_tracks = 0;
    s->shaking = 0;
    if (whole) {
        memset(s->area, 1, (size_t)w);
        s->area_px = (long)n;
        return 0;
    }
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            double px = (x + 0.5) / w, py = (y + 0.5) / h;
            int in = s->n_zones == 0, zone = 255;
            for (int i = 0; i < s->n_zones && !in; i++)
                if ((in = inside(&s->zones[i], px, py)))
                    zone = i;
            for (int i = 0; i < s->n_masks && in; i++)
                in = !inside(&s->masks[i], px, py);
            s->area[y * w + x] = (uint8_t)in;
            s->zone_of[y * w + x] = (uint8_t)zone;
            s->area_px += in;
        }
    return 0;
}

/* One row's horizontal 3-pixel AND (erode) or OR: out of the frame
 * counts as `erode`. */
static inline __attribute__((always_inline)) void morph_row(const uint8_t *restrict r, uint8_t *restrict o, int w,
                                                          int erode)
{
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

/* 3x3 binary erosion (erode = 1: AND) or dilation (OR) of a 0/1 mask, in
 * place; out of the frame counts as `erode`, so borders neither erode nor
 * grow. The square window is separable: rows first, into a ring of three
 * rows (ring, 3 w bytes), then columns back into the mask. Row y + 1 is
 * taken into the ring before row y is written, so no row is read after it
 * changed. Each pass is a branch-free loop the compiler vectorises; the
 * direct 9-neighbour version was 40 % of camwatchd's CPU in full mode. */
CW_ROWS static void morph(uint8_t *m, uint8_t *ring, int w, int h, int erode)
{
    if (w < 2 || h < 2)
        return;
    morph_row(m, ring, w, erode);
    for (int y = 0; y < h; y++) {
        if (y + 1 < h)
            morph_row(m + (size_t)(y + 1) * w, ring + (size_t)((y + 1) % 3) * w, w, erode);
        const uint8_t *a = ring + (size_t)((y > 0 ? y - 1 : y) % 3) * w, *b = ring + (size_t)(y % 3) * w,
                      *c = ring + (size_t)((y < h - 1 ? y + 1 : y) % 3) * w;
        uint8_t *o = m + (size_t)y * w;
        if (erode)
            for (int x = 0; x < w; x++)
                o[x] = a[x] & b[x] & c[x];
        else
            for (int x = 0; x < w; x++)
                o[x] = a[x] | b[x] | c[x];
    }
}

/* 5x5 binary dilation of a 0/1 mask in place: two 3x3 dilations (morph)
 * in one pass, the same result (out of the frame counts as 0 in both)
 * for two thirds of the work. As in morph: rows first into a ring of five
 * rows (ring, 5 w bytes), then columns; row y + 2 is taken before row y is
 * written. */
CW_ROWS static void dilate5(uint8_t *m, uint8_t *ring, int w, int h)
{
    if (w < 5 || h < 2) {
        morph(m, ring, w, h, 0);
        morph(m, ring, w, h, 0);
        return;
    }
    for (int y = -2; y < h; y++) {
        if (y + 2 < h) {
            const uint8_t *r = m + (size_t)(y + 2) * w;
            uint8_t *o = ring + (size_t)((y + 2) % 5) * w;
            o[0] = r[0] | r[1] | r[2], o[1] = r[0] | r[1] | r[2] | r[3];
            for (int x = 2; x < w - 2; x++)
                o[x] = r[x - 2] | r[x - 1] | r[x] | r[x + 1] | r[x + 2];
            o[w - 2] = r[w - 4] | r[w - 3] | r[w - 2] | r[w - 1], o[w - 1] = r[w - 3] | r[w - 2] | r[w - 1];
        }
        if (y < 0)
            continue;
        /* rows out of the frame: a row inside repeated (OR is idempotent) */
        int k[5];
        for (int j = 0; j < 5; j++) {
            int yy = y - 2 + j;
            k[j] = (yy < 0 ? 0 : yy >= h ? h - 1 : yy) % 5;
        }
        const uint8_t *a = ring + (size_t)k[0] * w, *b = ring + (size_t)k[1] * w, *c = ring + (size_t)k[2] * w,
                      *d = ring + (size_t)k[3] * w, *e = ring + (size_t)k[4] * w;
        uint8_t *o = m + (size_t)y * w;
        for (int x = 0; x < w; x++)
            o[x] = a[x] | b[x] | c[x] | d[x] | e[x];
    }
}

/* The first i' >= i with p[i'] != 0, or n: 32 bytes at a time, since
 * masks are mostly zero. */
static long next_set(const uint8_t *p, long i, long n)
{
    while (i < n && (i & 7))
        if (p[i++])
            return i - 1;
    while (i + 32 <= n) {
        uint64_t v[4];
        memcpy(v, p + i, 32);
        if (v[0] | v[1] | v[2] | v[3])
            break;
        i += 32;
    }
    while (i + 8 <= n) {
        uint64_t v;
        memcpy(&v, p + i, 8);
        if (v)
            break;
        i += 8;
    }
    while (i < n && !p[i])
        i++;
    return i;
}

/* The k-th smallest of v[0..n-1] (reordered): Hoare's selection. */
static double select_kth(double *v, int n, int k)
{
    for (int lo = 0, hi = n - 1; lo < hi;) {
        double piv = v[(lo + hi) / 2];
        int i = lo, j = hi;
        while (i <= j) {
            while (v[i] < piv)
                i++;
            while (v[j] > piv)
                j--;
            if (i <= j) {
                double t = v[i];
                v[i] = v[j], v[j] = t;
                i++, j--;
            }
        }
        if (k <= j)
            hi = j;
        else if (k >= i)
            lo = i;
        else
            break;
    }
    return v[k];
}

/* The median of v[0..n-1] (v is scratch: overwritten). The values are
 * levels, mostly within a few of each other: a histogram in eighths of a
 * level over -128..128 (beyond: the end bins) finds the bin the median is
 * in, and only that bin's values are selected among. Bins are ordered
 * ranges, so it is the same value Hoare's selection over all of them
 * gives, for a fraction of the mispredicted comparisons (the selection
 * over 3,600 blocks was a tenth of the plugin's time). */
#define MED_BINS 2048
static inline int med_bin(double x)
{
    double b = x * 8 + MED_BINS / 2;
    return b < 0 ? 0 : b >= MED_BINS ? MED_BINS - 1 : (int)b;
}

static double median(double *v, int n)
{
    uint16_t cnt[MED_BINS];
    int k = n / 2, below = 0, bin = 0, m = 0;
    if (n > 65535)
        return select_kth(v, n, k);
    memset(cnt, 0, sizeof cnt);
    for (int i = 0; i < n; i++)
        cnt[med_bin(v[i])]++;
    while (below + cnt[bin] <= k)
        below += cnt[bin++];
    for (int i = 0; i < n; i++)
        if (med_bin(v[i]) == bin)
            v[m++] = v[i];
    return select_kth(v, m, k - below);
}

/* Shake blocks: a grid of SHAKE_BX x SHAKE_BY blocks of 16x16 pixels
 * (every other pixel sampled), each searched over -SHAKE..SHAKE both
 * ways. */
#define SHAKE_BX 8
#define SHAKE_BY 5

/* The block's mismatch at one shift: the sum of absolute differences of
 * the frame's samples from the background's (b, 64, rounded), both less
 * their means (in whole levels). */
static int block_sad(const struct cw_plugin_frame *f, int bx, int by, const int *b, int sb, int dx, int dy)
{
    const uint8_t *p = f->luma + (size_t)(by + dy) * f->stride + bx + dx;
    int a[64], sa = 0, sad = 0;
    for (int j = 0; j < 8; j++)
        for (int i = 0; i < 8; i++)
            sa += a[j * 8 + i] = p[(size_t)2 * j * f->stride + 2 * i];
    int dm = (sa - sb + 32) >> 6;
    for (int k = 0; k < 64; k++)
        sad += abs(a[k] - b[k] - dm);
    return sad;
}

/* One block's vote: the shift (*vx, *vy) that lays the frame's block onto
 * the background's (both less their means: a gain or an offset change,
 * the IR switch, a lamp, does not move texture) clearly better than none;
 * (0, 0) when none does. A camera not shaking lately is asked first
 * whether none beats a pixel's shift each way (nearly always: the whole
 * search then runs for no block), a shaking one searches -SHAKE..SHAKE
 * both ways (a coarse grid refined around its best missed the shift on
 * one frame in three: too few blocks then agreed). Returns 0 when the
 * background there is too flat to say anything. */
static int block_vote(const struct state *s, const struct cw_plugin_frame *f, int bx, int by, int *vx, int *vy)
{
    int b[64], sb = 0;
    for (int j = 0; j < 8; j++)
        for (int i = 0; i < 8; i++)
            sb += b[j * 8 + i] = (s->bg[(size_t)(by + 2 * j) * s->w + bx + 2 * i] + 128) >> 8;
    long vb = 0;
    for (int k = 0; k < 64; k++)
        vb += (long)(64 * b[k] - sb) * (64 * b[k] - sb);
    *vx = *vy = 0;
    if (vb < 16L * 64 * 64 * 64) /* spread under 4 levels: flat */
        return 0;
    int at0 = block_sad(f, bx, by, b, sb, 0, 0), best = at0, bxs = 0, bys = 0;
    if (!s->shaking) {
        static const int nb[4][2] = {{1, 0}, {-1, 0}, {0, 1}, {0, -1}};
        int still = 1;
        for (int k = 0; k < 4 && still; k++)
            still = block_sad(f, bx, by, b, sb, nb[k][0], nb[k][1]) >= at0;
        if (still)
            return 1;
    }
    for (int dy = -SHAKE; dy <= SHAKE; dy++)
        for (int dx = -SHAKE; dx <= SHAKE; dx++) {
            int v = dx || dy ? block_sad(f, bx, by, b, sb, dx, dy) : at0;
            if (v < best)
                best = v, bxs = dx, bys = dy;
        }
    if (10 * best < 8 * at0)
        *vx = bxs, *vy = bys;
    return 1;
}

/* 0. Shake: a camera on a pole in the wind sees its whole picture move by
 * a few pixels, back and forth; every edge in it would change. The
 * textured blocks of the background vote for the shift that lays the
 * frame onto it; when at least half of them (and 6) agree on one shift
 * other than none, the frame is moved back by it (whole pixels, the
 * border repeated) for everything after, into s->aligned. People and
 * lights move some blocks, never most; a still camera's picture is never
 * moved. Returns the frame to analyse: f itself when there is no shake. */
static const struct cw_plugin_frame *shake(struct state *s, const struct cw_plugin_frame *f,
                                           struct cw_plugin_frame *moved)
{
    int w = s->w, h = s->h, votes[2 * SHAKE + 1][2 * SHAKE + 1] = {{0}}, textured = 0;
    s->shake_x = s->shake_y = 0;
    if (w >= SHAKE_BX * 16 + 2 * SHAKE + 2 && h >= SHAKE_BY * 16 + 2 * SHAKE + 2) {
        for (int j = 0; j < SHAKE_BY; j++)
            for (int i = 0; i < SHAKE_BX; i++) {
                /* spread over the picture, SHAKE + 1 in from its edges */
                int bx = SHAKE + 1 + i * (w - 2 * SHAKE - 2 - 16) / (SHAKE_BX - 1);
                int by = SHAKE + 1 + j * (h - 2 * SHAKE - 2 - 16) / (SHAKE_BY - 1);
                int vx, vy;
                if (block_vote(s, f, bx, by, &vx, &vy))
                    textured++, votes[vy + SHAKE][vx + SHAKE]++;
            }
        int bx = 0, by = 0;
        for (int y = -SHAKE; y <= SHAKE; y++)
            for (int x = -SHAKE; x <= SHAKE; x++)
                if (votes[y + SHAKE][x + SHAKE] > votes[by + SHAKE][bx + SHAKE])
                    bx = x, by = y;
        if ((bx || by) && textured >= 6 && 2 * votes[by + SHAKE][bx + SHAKE] >= textured)
            s->shake_x = bx, s->shake_y = by;
    }
    if (s->shake_x || s->shake_y)
        s->shaking = SHAKE_HOLD;
    else if (s->shaking > 0)
        s->shaking--;
    if (!s->shake_x && !s->shake_y)
        return f;
    if (!s->aligned && !(s->aligned = malloc((size_t)w * h)))
        return f;
    for (int y = 0; y < h; y++) {
        int sy = y + s->shake_y;
        sy = sy < 0 ? 0 : sy >= h ? h - 1 : sy;
        const uint8_t *row = f->luma + (size_t)sy * f->stride;
        uint8_t *o = s->aligned + (size_t)y * w;
        for (int x = 0; x < w; x++) {
            int sx = x + s->shake_x;
            o[x] = row[sx < 0 ? 0 : sx >= w ? w - 1 : sx];
        }
    }
    *moved = *f;
    moved->luma = s->aligned;
    moved->stride = w;
    return moved;
}

/* The column sums of a band of 8 rows, of the frame and of the
 * background: the 8x8 blocks' sums are then 8 of them each. Row by row,
 * so that the loops vectorise (the background's sum in another order than
 * block by block: the same up to float rounding). */
CW_ROWS static void band_sums(const uint8_t *restrict luma, long stride, const uint16_t *restrict bg, int w,
                              uint16_t *restrict sf, uint32_t *restrict sb)
{
    for (int x = 0; x < w; x++)
        sf[x] = luma[x], sb[x] = bg[x];
    for (int y = 1; y < 8; y++) {
        const uint8_t *r = luma + (size_t)y * stride;
        const uint16_t *b = bg + (size_t)y * w;
        for (int x = 0; x < w; x++)
            sf[x] = (uint16_t)(sf[x] + r[x]), sb[x] += b[x];
    }
}

/* 1. The compensation. Block means of the frame against the background's,
 * over blocks that held no foreground last time; fitted, the blocks that
 * do not fit (local light, an object the last mask missed) dropped, fitted
 * again. The gain is pulled towards 1 where the blocks barely differ (a
 * dark flat scene says nothing about contrast), and the state moves
 * towards the fit at a bounded rate: it never jumps, so it never snaps
 * back either. */
static void compensation(struct state *s, const struct cw_plugin_frame *f)
{
    int w = s->w, h = s->h, bw = w / 8, bh = h / 8, nb = 0;
    if (bw * bh < 8)
        return;
    double *fm = s->blk_f, *bm = s->blk_b, *r = s->blk_r;
    for (int by = 0; by < bh; by++) {
        band_sums(f->luma + (size_t)by * 8 * f->stride, f->stride, s->bg + (size_t)by * 8 * w, w, s->band_f, s->band_b);
        for (int bx = 0; bx < bw; bx++) {
            if (s->blk_fg[by * (w / 8 + 1) + bx])
                continue;
            unsigned a = 0, b = 0;
            for (int x = bx * 8; x < bx * 8 + 8; x++)
                a += s->band_f[x], b += s->band_b[x];
            fm[nb] = a / 64.0;
            bm[nb] = b / (64.0 * 256);
            nb++;
        }
    }
    if (nb < 8)
        return;
    /* start from the median offset at gain 1, which a light pool over a
     * minority of the blocks cannot move; then least squares on the blocks
     * within 3 robust deviations of the last fit, twice */
    for (int i = 0; i < nb; i++)
        r[i] = fm[i] - bm[i];
    double g = 1, o = median(r, nb);
    for (int pass = 0; pass < 2; pass++) {
        for (int i = 0; i < nb; i++)
            r[i] = fabs(fm[i] - (g * bm[i] + o));
        double cut = 3 * 1.4826 * median(r, nb) + 1, sf = 0, sb = 0, sbb = 0, sfb = 0;
        int m = 0;
        for (int i = 0; i < nb; i++) {
            if (fabs(fm[i] - (g * bm[i] + o)) > cut)
                continue;
            sf += fm[i], sb += bm[i], sbb += bm[i] * bm[i], sfb += fm[i] * bm[i];
            m++;
        }
        if (m < 8)
            break;
        double mb = sb / m, mf = sf / m, vb = sbb / m - mb * mb, cfb = sfb / m - mf * mb;
        /* ridge towards gain 1: 25 levels^2 of block spread is what it
         * takes to say anything about contrast */
        g = (cfb + 25) / (vb + 25);
        o = mf - g * mb;
    }
    if (g < 0.25 || g > 4)
        return; /* no fit: keep the state */
    /* a quarter of the way each analysis (the fit's own noise averages
     * out over about a second), and never more than the bound */
    double dg = 0.25 * (g - s->gain), dofs = 0.25 * (o - s->offset);
    s->gain += dg > 0.03 ? 0.03 : dg < -0.03 ? -0.03 : dg;
    s->offset += dofs > 3 ? 3 : dofs < -3 ? -3 : dofs;
}

/* 3. The light test for the cell (cx, cy), on a window of 3x3 cells
 * around it: the frame v is fitted as
 *     v = (g + gx x + gy y) b + o + ox x + oy y + oxx x^2 + oyy y^2 + oxy x y
 * (b the background; light that varies smoothly in gain, and in added
 * level up to a curve - a pool's rim, a soft shadow edge - across the
 * window), by least squares with a small ridge (a flat
 * background leaves the gain undetermined). Returns 1 when what the fit
 * leaves is well above the window's sensor noise (a shape the background
 * did not have), 0 when light explains the change. Evaluated only for
 * cells that hold a moving candidate: its cost follows what moves.
 *
 * The normal equations are made of sums over the window of b, b^2, v and
 * v b times powers of x and y (struct lsums). Windows of neighbouring
 * cells overlap nine times over, so the sums are taken once per cell,
 * about the cell's own centre (cell_sums), and moved to the window's
 * centre by the binomial theorem (shift): first along x for the cells of
 * one row (row_sums, shared by the windows above and below), then along
 * y. This made the test 5x cheaper than summing each window's 144
 * pixels; the sums are the same up to rounding. */

/* The sums' layout: four families of sums g x^i y^j, each a square of
 * side deg + 1 (x^i y^j at i (deg + 1) + j; only i + j <= deg is used):
 * b for i + j <= 3, b^2 and v for i + j <= 2, v b for i + j <= 1; then
 * v^2 and noise^2 (no powers). */
static const struct lfam {
    int deg, off;
} lfam[4] = {{3, 0}, {2, 16}, {2, 25}, {1, 34}};

static inline __attribute__((always_inline)) int lpos(int d, int i, int j)
{
    return i * (d + 1) + j;
}

/* o[k s] += the k-th of len sums moved by t: sum (x + t)^k g =
 * sum_i C(k,i) t^(k-i) sum x^i g (the binomial theorem). */
static inline __attribute__((always_inline)) void shift_col(double *o, const double *m, int st, int len, double t,
                                                            double t2, double t3)
{
    double m0 = m[0], m1 = len > 1 ? m[st] : 0, m2 = len > 2 ? m[2 * st] : 0, m3 = len > 3 ? m[3 * st] : 0;
    o[0] += m0;
    if (len > 1)
        o[st] += m1 + t * m0;
    if (len > 2)
        o[2 * st] += m2 + 2 * t * m1 + t2 * m0;
    if (len > 3)
        o[3 * st] += m3 + 3 * t * m2 + 3 * t2 * m1 + t3 * m0;
}

static inline __attribute__((always_inline)) void shift_fam(double *o, const double *m, int d, int along_y, double t,
                                                            double t2, double t3)
{
    for (int k = 0; k <= d; k++)
        if (along_y) /* the sums of x^k y^0..y^(d-k) */
            shift_col(o + lpos(d, k, 0), m + lpos(d, k, 0), 1, d + 1 - k, t, t2, t3);
        else /* of x^0..x^(d-k) y^k */
            shift_col(o + lpos(d, 0, k), m + lpos(d, 0, k), d + 1, d + 1 - k, t, t2, t3);
}

/* out += in moved by t along x (along y: along_y), family by family; the
 * window's central cell (t = 0) only adds. */
static void shift_add(double *out, const double *in, double t, int along_y)
{
    if (t == 0) {
        for (int k = 0; k < LS_N; k++)
            out[k] += in[k];
        return;
    }
    double t2 = t * t, t3 = t2 * t;
    if (along_y) {
        shift_fam(out + 0, in + 0, 3, 1, t, t2, t3);
        shift_fam(out + 16, in + 16, 2, 1, t, t2, t3);
        shift_fam(out + 25, in + 25, 2, 1, t, t2, t3);
        shift_fam(out + 34, in + 34, 1, 1, t, t2, t3);
    } else {
        shift_fam(out + 0, in + 0, 3, 0, t, t2, t3);
        shift_fam(out + 16, in + 16, 2, 0, t, t2, t3);
        shift_fam(out + 25, in + 25, 2, 0, t, t2, t3);
        shift_fam(out + 34, in + 34, 1, 0, t, t2, t3);
    }
    out[LS_FF] += in[LS_FF];
    out[LS_NN] += in[LS_NN];
}

/* One cell's sums, about its centre (cx CELL + 1.5, cy CELL + 1.5) in
 * units of the window's half-width (sc): per pixel row, the row's sums
 * of each quantity times x^i, then those times y^j into the cell's. */
static void cell_sums(const struct state *s, int cx, int cy, double sc, double *restrict m)
{
    memset(m, 0, LS_N * sizeof *m);
    int x0 = cx * CELL, y0 = cy * CELL, x1 = x0 + CELL > s->w ? s->w : x0 + CELL, y1 = y0 + CELL > s->h ? s->h : y0 + CELL;
    for (int y = y0; y < y1; y++) {
        const uint16_t *bg = s->bg + (size_t)y * s->w, *nz = s->noise + (size_t)y * s->w;
        const uint8_t *lum = s->cur + (size_t)y * s->cur_stride;
        double rb[4] = {0}, rbb[3] = {0}, rf[3] = {0}, rfb[2] = {0}, rff = 0, rnn = 0;
        for (int x = x0; x < x1; x++) {
            double u = (x - x0 - 1.5) * sc, u2 = u * u, b = bg[x] / (64.0 * 256), f = vcomp(lum[x], s->fo, s->ig), bb = b * b,
                   fb = f * b;
            rb[0] += b, rb[1] += b * u, rb[2] += b * u2, rb[3] += b * u2 * u;
            rbb[0] += bb, rbb[1] += bb * u, rbb[2] += bb * u2;
            rf[0] += f, rf[1] += f * u, rf[2] += f * u2;
            rfb[0] += fb, rfb[1] += fb * u;
            rff += f * f, rnn += (double)q8f(nz[x]) * q8f(nz[x]);
        }
        double v = (y - y0 - 1.5) * sc, v2 = v * v, v3 = v2 * v;
        for (int i = 0; i < 4; i++) {
            m[lpos(3, i, 0)] += rb[i];
            if (i < 3)
                m[lpos(3, i, 1)] += rb[i] * v;
            if (i < 2)
                m[lpos(3, i, 2)] += rb[i] * v2;
            if (i < 1)
                m[lpos(3, i, 3)] += rb[i] * v3;
        }
        for (int i = 0; i < 3; i++) {
            m[16 + lpos(2, i, 0)] += rbb[i], m[25 + lpos(2, i, 0)] += rf[i];
            if (i < 2)
                m[16 + lpos(2, i, 1)] += rbb[i] * v, m[25 + lpos(2, i, 1)] += rf[i] * v;
            if (i < 1)
                m[16 + lpos(2, i, 2)] += rbb[i] * v2, m[25 + lpos(2, i, 2)] += rf[i] * v2;
        }
        m[34 + lpos(1, 0, 0)] += rfb[0], m[34 + lpos(1, 1, 0)] += rfb[1], m[34 + lpos(1, 0, 1)] += rfb[0] * v;
        m[LS_FF] += rff, m[LS_NN] += rnn;
    }
}

/* The sums of one cell, and of one row of a window (its cells' sums
 * moved to the window's centre column xc), from rings of three cell rows:
 * the light test visits cells in raster order, so a window's three rows
 * are in the ring; the key (analysis, cell row) says whether a slot is
 * current. */
static const double *cell_cached(struct state *s, int cx, int cy, double sc)
{
    size_t slot = (size_t)(cy % 3) * s->cw + cx;
    int64_t key = ((int64_t)s->frames << 24) | cy;
    double *m = s->ls_cell + slot * LS_N;
    if (s->ls_cell_key[slot] != key) {
        cell_sums(s, cx, cy, sc, m);
        s->ls_cell_key[slot] = key;
    }
    return m;
}

static const double *row_sums(struct state *s, int cx, int cy, double xc, double sc)
{
    size_t slot = (size_t)(cy % 3) * s->cw + cx;
    int64_t key = ((int64_t)s->frames << 24) | cy;
    double *h = s->ls_row + slot * LS_N;
    if (s->ls_row_key[slot] != key) {
        memset(h, 0, LS_N * sizeof *h);
        for (int c = cx > 0 ? cx - 1 : 0; c <= cx + 1 && c < s->cw; c++)
            shift_add(h, cell_cached(s, c, cy, sc), (c * CELL + 1.5 - xc) * sc, 0);
        s->ls_row_key[slot] = key;
    }
    return h;
}

static int structure_changed(struct state *s, int cx, int cy, double kr)
{
    int x0 = (cx - 1) * CELL, y0 = (cy - 1) * CELL, x1 = (cx + 2) * CELL, y1 = (cy + 2) * CELL;
    x0 = x0 < 0 ? 0 : x0, y0 = y0 < 0 ? 0 : y0, x1 = x1 > s->w ? s->w : x1, y1 = y1 > s->h ? s->h : y1;
    int n = (x1 - x0) * (y1 - y0);
    if (n < 16)
        return 1;
    double xc = (x0 + x1 - 1) / 2.0, yc = (y0 + y1 - 1) / 2.0, sc = 2.0 / (3 * CELL);
    /* the window's sums: its rows moved to the centre row */
    double W[LS_N] = {0};
    for (int c = cy > 0 ? cy - 1 : 0; c <= cy + 1 && c < s->ch; c++)
        shift_add(W, row_sums(s, cx, c, xc, sc), (c * CELL + 1.5 - yc) * sc, 1);
    /* the window's geometry alone: sum x^i y^j = (sum x^i)(sum y^j) */
    double gx[5] = {0}, gy[5] = {0};
    for (int x = x0; x < x1; x++) {
        double u = (x - xc) * sc;
        gx[0] += 1, gx[1] += u, gx[2] += u * u, gx[3] += u * u * u, gx[4] += u * u * u * u;
    }
    for (int y = y0; y < y1; y++) {
        double v = (y - yc) * sc;
        gy[0] += 1, gy[1] += v, gy[2] += v * v, gy[3] += v * v * v, gy[4] += v * v * v * v;
    }
    /* the model's terms: (0: geometry alone, 1: times b, power of x, of y) */
    static const int zt[NP][3] = {{0, 0, 0}, {0, 1, 0}, {0, 0, 1}, {1, 0, 0}, {1, 1, 0},
                                   {1, 0, 1}, {0, 2, 0}, {0, 0, 2}, {0, 1, 1}};
    double A[NP][NP], r[NP];
    for (int p = 0; p < NP; p++) {
        for (int q = p; q < NP; q++) {
            int i = zt[p][1] + zt[q][1], j = zt[p][2] + zt[q][2], fam = zt[p][0] + zt[q][0];
            A[p][q] = fam == 0   ? gx[i] * gy[j]
                      : fam == 1 ? W[lfam[LS_B].off + lpos(3, i, j)]
                                 : W[lfam[LS_BB].off + lpos(2, i, j)];
        }
        r[p] = zt[p][0] == 0 ? W[lfam[LS_F].off + lpos(2, zt[p][1], zt[p][2])]
                             : W[lfam[LS_FB].off + lpos(1, zt[p][1], zt[p][2])];
    }
    double ff = W[LS_FF], nn = W[LS_NN], sf = W[lfam[LS_F].off], sb = 64 * W[lfam[LS_B].off],
           sbb = 64 * 64 * W[lfam[LS_BB].off];
    double sigma2 = 1.57 * nn / n; /* mean absolute deviation -> variance */
    if (sigma2 < 1)
        sigma2 = 1;
    /* Cholesky of the (ridged) normal equations; the ridge is a tenth of
     * a pixel's worth on each coefficient of b. Each diagonal's
     * reciprocal is taken once (inv): dividing by the diagonals, 54 times
     * a cell (36 in the factorisation, 9 in each solve) in dependent
     * chains, was much of the test's time. */
    double L[NP][NP] = {{0}}, inv[NP], yv[NP], beta[NP];
    for (int p = 0; p < NP; p++)
        for (int q = 0; q < p; q++)
            A[p][q] = A[q][p];
    for (int p = 3; p < 6; p++)
        A[p][p] += 0.1 * n / 64.0;
    for (int p = 0; p < NP; p++)
        A[p][p] += 1e-6 * n;
    /* unrolled whole (NP is 9): the short loops' branches, not their
     * arithmetic, were most of the factorisation's time; the same
     * operations in the same order */
#pragma GCC unroll 9
    for (int p = 0; p < NP; p++) {
#pragma GCC unroll 9
        for (int q = 0; q <= p; q++) {
            double v = A[p][q];
#pragma GCC unroll 9
            for (int k = 0; k < q; k++)
                v -= L[p][k] * L[q][k];
            if (p == q) {
                if (v <= 1e-12)
                    return 1;
                L[p][p] = sqrt(v);
                inv[p] = 1 / L[p][p];
            } else {
                L[p][q] = v * inv[q];
            }
        }
    }
#pragma GCC unroll 9
    for (int p = 0; p < NP; p++) {
        double v = r[p];
#pragma GCC unroll 9
        for (int k = 0; k < p; k++)
            v -= L[p][k] * yv[k];
        yv[p] = v * inv[p];
    }
#pragma GCC unroll 9
    for (int p = NP - 1; p >= 0; p--) {
        double v = yv[p];
#pragma GCC unroll 9
        for (int k = p + 1; k < NP; k++)
            v -= L[k][p] * beta[k];
        beta[p] = v * inv[p];
    }
    /* the residual sum of squares: f.f - 2 beta.r + beta' A beta, with
     * A without the ridge on b's coefficients (it only steadies beta);
     * since the ridged A times beta is r, beta' A beta is beta.r less
     * that ridge's share */
    double fit = 0, ridge = 0;
    for (int p = 0; p < NP; p++)
        fit += beta[p] * r[p];
    for (int p = 3; p < 6; p++)
        ridge += beta[p] * beta[p];
    double quad = fit - 0.1 * n / 64.0 * ridge;
    double res = (ff - 2 * fit + quad) / n;
    if (res > kr * sigma2)
        return 1;
    /* texture gone: the background had shapes the frame no longer
     * follows (something flat stands in front), unless the frame is
     * clipped black or white (light too strong or gone) */
    double mf = sf / n, vb = sbb / n - (sb / n) * (sb / n);
    if (vb > 8 * sigma2 && beta[3] / 64.0 < 0.2 && mf > 24 && mf < 230)
        return 1;
    return 0;
}

/* The first frame: the background, noise at 3; the previous frame is
 * this one uncompensated (keep_last, fo 0, ig 1). */
static void first_frame(struct state *s, const struct cw_plugin_frame *f)
{
    for (int y = 0; y < s->h; y++)
        for (int x = 0; x < s->w; x++) {
            s->bg[y * s->w + x] = (uint16_t)(f->luma[(size_t)y * f->stride + x] << 8);
            s->noise[y * s->w + x] = 3 << 8;
        }
    s->fo = 0, s->ig = 1;
}

/* After each analysis: its luma and compensation, the next one's
 * previous frame. */
static void keep_last(struct state *s, const struct cw_plugin_frame *f)
{
    for (int y = 0; y < s->h; y++)
        memcpy(s->last + (size_t)y * s->w, f->luma + (size_t)y * f->stride, (size_t)s->w);
    s->last_fo = s->fo, s->last_ig = s->ig;
}

/* 2. Candidates against a noise-adaptive threshold, where the picture
 * also changed since the last analysis: something that appeared and stays
 * (a parked car, a person standing still, the "ghost" where one stood)
 * differs from the background but does not move. Marks fg (none while
 * learning) and chg (changed since the last analysis). */
/* One row of candidates; restrict: the planes are separate allocations
 * (setup), and without it the vectoriser gives up on this many arrays
 * that might overlap. */
CW_ROWS static void candidates_row(const uint8_t *restrict row, const uint16_t *restrict bg, const uint16_t *restrict nz,
                                   const uint8_t *restrict last, uint8_t *restrict chg, uint8_t *restrict fg,
                                   const uint8_t *restrict area, int w, float k, float ig, float fo, float lig,
                                   float lfo, int live)
{
    for (int x = 0; x < w; x++) {
        float v = vcomp(row[x], fo, ig);
        float d = v - q8f(bg[x]);
        float thr = k * q8f(nz[x]) + 6;
        chg[x] = (uint8_t)(fabsf(v - vcomp(last[x], lfo, lig)) > 1.4f * thr);
        /* & rather than &&: no branch */
        fg[x] = (uint8_t)(live & (fabsf(d) > thr) & (area[x] != 0));
    }
}

/* A shaking camera's candidates: the frame moved back by whole pixels
 * still sits up to half a pixel off, and every strong edge would read as
 * changed. There a pixel has changed only when it differs from all nine
 * pixels around it in the last frame (a pixel's jitter is not a walk). */
static void changed_shaking(struct state *s, const struct cw_plugin_frame *f, float k)
{
    int w = s->w, h = s->h;
    for (int y = 0; y < h; y++) {
        const uint8_t *row = f->luma + (size_t)y * f->stride;
        const uint16_t *nz = s->noise + (size_t)y * w;
        uint8_t *chg = s->chg + (size_t)y * w;
        for (int x = 0; x < w; x++) {
            float v = vcomp(row[x], s->fo, s->ig), thr = 1.4f * (k * q8f(nz[x]) + 6), best = 1e9f;
            for (int dy = -1; dy <= 1; dy++) {
                int yy = y + dy < 0 ? 0 : y + dy >= h ? h - 1 : y + dy;
                const uint8_t *lr = s->last + (size_t)yy * w;
                for (int dx = -1; dx <= 1; dx++) {
                    int xx = x + dx < 0 ? 0 : x + dx >= w ? w - 1 : x + dx;
                    float d = fabsf(v - vcomp(lr[xx], s->last_fo, s->last_ig));
                    best = d < best ? d : best;
                }
            }
            chg[x] = best > thr;
        }
    }
}

static void candidates(struct state *s, const struct cw_plugin_frame *f, int learning)
{
    int w = s->w, h = s->h;
    float k = (float)(2.5 + (1 - s->sensitivity) * 5); /* sensitivity 1: 2.5 sigma, 0: 7.5 */
    s->ig = (float)(1 / s->gain), s->fo = (float)s->offset;
    s->cur = f->luma, s->cur_stride = f->stride;
    for (int y = 0; y < h; y++) {
        size_t o = (size_t)y * w;
        candidates_row(f->luma + (size_t)y * f->stride, s->bg + o, s->noise + o, s->last + o, s->chg + o, s->fg + o,
                       s->area + (size_t)y * s->area_stride, w, k, s->ig, s->fo, s->last_ig, s->last_fo, !learning);
    }
    if (s->shaking)
        changed_shaking(s, f, k);
}

/* The first learn_frames analyses: background and noise follow the
 * picture quickly, nothing is reported. */
static void learn(struct state *s, const struct cw_plugin_frame *f)
{
    int w = s->w;
    for (int y = 0; y < s->h; y++) {
        const uint8_t *row = f->luma + (size_t)y * f->stride;
        uint16_t *bg = s->bg + (size_t)y * w, *nz = s->noise + (size_t)y * w;
        for (int x = 0; x < w; x++) {
            float b = q8f(bg[x]), n = q8f(nz[x]);
            float d = vcomp(row[x], s->fo, s->ig) - b; /* the compensated difference (candidates) */
            bg[x] = fq8(b + (row[x] - b) * (1.0f / 4));
            nz[x] = noise_q8(n + (fabsf(d) - n) * (1.0f / 4), 256); /* at least 1 */
        }
    }
}

/* 3. The light test, once per cell that holds a moving candidate: frame
 * differencing marks a moving object's edges, grown (two 3x3 dilations)
 * to cover it; candidates that did not move are dropped, those the light
 * model explains are moved to lit. Returns how many were lit. */
static long light_test(struct state *s)
{
    int w = s->w, h = s->h;
    long n = (long)w * h, light = 0;
    /* lit's bit 1: changed since the last analysis, before the growing
     * (the components' moving share, 4b); bit 0: lit, below */
    uint8_t *restrict lit = s->lit;
    const uint8_t *restrict chg = s->chg;
    for (long i = 0; i < n; i++)
        lit[i] = (uint8_t)(chg[i] << 1);
    dilate5(s->chg, s->hb, w, h);
    double kr = 3 + (1 - s->sensitivity) * 4; /* 0.5: the residual 5x the noise variance */
    memset(s->cell_light, -1, (size_t)s->cw * s->ch);
    for (long i = next_set(s->fg, 0, n); i < n; i = next_set(s->fg, i + 1, n)) {
        if (!s->chg[i]) {
            s->fg[i] = 0;
            continue;
        }
        int x = (int)(i % w), y = (int)(i / w);
        int8_t *cl = &s->cell_light[(y / CELL) * s->cw + x / CELL];
        if (*cl < 0)
            *cl = (int8_t)!structure_changed(s, x / CELL, y / CELL, kr);
        if (*cl) {
            s->fg[i] = 0;
            s->lit[i] |= 1;
            light++;
        }
    }
    return light;
}

/* The background follows quickly where nothing stands out (light
 * included), within some seconds where something stopped; the noise
 * learns from background pixels outside the cells the light test found
 * lit, each step bounded, so that a passing light pool does not blind the
 * pixels it crossed. The background follows the raw picture (the
 * compensation undone), so the compensation's fit returns to 1 once the
 * background has caught up: it covers fast changes only and has nothing
 * to drift with. */
/* The background's step for one pixel: fg, it held a candidate (after
 * the light test, before the opening). The components (4b) ask for it
 * before the background takes it (adapt_bg, after them): one expression,
 * the same float result in both. */
static inline float bg_step(uint16_t bg, uint8_t v, uint8_t fg)
{
    float b = q8f(bg);
    return b + (v - b) * (fg ? 1.0f / 48 : 1.0f / 12);
}

/* One row of the noise's step (restrict as in candidates_row); unlit[x]:
 * x's cell was not found lit; the difference is the compensated frame's
 * from the background before its step. The noise is computed
 * everywhere and kept where it applies: no branch, the same arithmetic
 * where it applies. */
CW_ROWS static void adapt_noise_row(const uint8_t *restrict fg, const uint8_t *restrict unlit,
                                    const uint16_t *restrict bg, uint16_t *restrict nz, const uint8_t *restrict row,
                                    float fo, float ig, int w)
{
    for (int x = 0; x < w; x++) {
        float n = q8f(nz[x]);
        float d = fabsf(vcomp(row[x], fo, ig) - q8f(bg[x])), lim = 2.5f * n + 2;
        uint16_t q = noise_q8(n + ((d < lim ? d : lim) - n) * (1.0f / 32), 256); /* at least 1 */
        uint16_t keep = (uint16_t)-((fg[x] == 0) & unlit[x]); /* a mask: see noise_q8 */
        nz[x] = (uint16_t)((q & keep) | (nz[x] & ~keep));
    }
}

static void adapt_noise(struct state *s)
{
    int w = s->w;
    /* the cells' light verdicts spread to their pixels once per row of
     * cells, a cell at a time (a cell[x / CELL] lookup in the pixel loop
     * keeps it scalar); hb (5 w >= cw CELL bytes) is free between the
     * light test and the opening */
    uint8_t *unlit = s->hb;
    for (int y = 0; y < s->h; y++) {
        if (y % CELL == 0) {
            const int8_t *cl = s->cell_light + (size_t)(y / CELL) * s->cw;
            for (int cx = 0; cx < s->cw; cx++)
                memset(unlit + (size_t)cx * CELL, cl[cx] != 1, CELL);
        }
        size_t o = (size_t)y * w;
        adapt_noise_row(s->fg + o, unlit, s->bg + o, s->noise + o, s->cur + (size_t)y * s->cur_stride, s->fo, s->ig, w);
    }
}

CW_ROWS static void adapt_bg_row(const uint8_t *restrict row, const uint8_t *restrict fg, uint16_t *restrict bg, int w)
{
    for (int x = 0; x < w; x++)
        bg[x] = fq8(bg_step(bg[x], row[x], fg[x]));
}

/* The background's step, once the components have read the difference
 * from the background before it; fg0: the candidates before the opening. */
static void adapt_bg(struct state *s, const struct cw_plugin_frame *f, const uint8_t *fg0)
{
    for (int y = 0; y < s->h; y++)
        adapt_bg_row(f->luma + (size_t)y * f->stride, fg0 + (size_t)y * s->w, s->bg + (size_t)y * s->w, s->w);
}

/* The OR of n rows of a mask, into acc. */
CW_ROWS static void or_rows(const uint8_t *restrict m, int w, int n, uint8_t *restrict acc)
{
    memcpy(acc, m, (size_t)w);
    for (int y = 1; y < n; y++)
        for (int x = 0; x < w; x++)
            acc[x] |= m[(size_t)y * w + x];
}

/* 4a. Opening; the 8x8 blocks left with foreground stay out of the next
 * compensation: a band of 8 rows ORed into one (hb is free after the
 * opening), then tested 8 bytes at a time. */
static void opening(struct state *s)
{
    int w = s->w, h = s->h;
    morph(s->fg, s->hb, w, h, 1);
    morph(s->fg, s->hb, w, h, 0);
    int bstride = w / 8 + 1;
    uint8_t *acc = s->hb;
    for (int y = 0; y < h; y += 8) {
        or_rows(s->fg + (size_t)y * w, w, h - y < 8 ? h - y : 8, acc);
        uint8_t *blk = s->blk_fg + (size_t)(y / 8) * bstride;
        memset(blk, 0, (size_t)bstride);
        int x = 0;
        for (; x + 8 <= w; x += 8) {
            uint64_t v;
            memcpy(&v, acc + x, 8);
            blk[x / 8] = v != 0;
        }
        for (; x < w; x++)
            blk[x / 8] |= acc[x];
    }
}

/* What one analysis found, for the debug line. */
struct tally {
    long light, raw, moving, min_px;
    int held_back, light_fragments, still_parts;
};

/* 4b. Connected components of at least the minimum size (the camera's,
 * or the zone's where the object stands), minus fragments of a light
 * change, into s->comps; each marked bright when it is far brighter than
 * the background (step 5). Returns how many. */
static int components(struct state *s, const struct cw_plugin_frame *f, struct tally *t)
{
    int w = s->w, h = s->h, nc = 0;
    long n = (long)w * h;
    int sw = f->source_width > 0 ? f->source_width : w, sh = f->source_height > 0 ? f->source_height : h;
    double px_per_src = (double)w * h / ((double)sw * sh); /* analysed pixels per camera pixel */
    long min_px = s->min_area > 0 ? (long)(s->min_area * n) : (long)(s->min_size * px_per_src + 0.5);
    if (min_px < 4)
        min_px = 4;
    t->min_px = min_px;
    for (long start = next_set(s->fg, 0, n); start < n && nc < MAX_COMPS; start = next_set(s->fg, start + 1, n)) {
        if (s->fg[start] != 1)
            continue;
        int sp = 0, x0 = w, y0 = h, x1 = 0, y1 = 0;
        long cnt = 0, moved = 0;
        double sx = 0, sy = 0, sd = 0, sbg = 0, peak = -1e9;
        s->stack[sp++] = (int)start;
        s->fg[start] = 2;
        while (sp > 0) {
            int i = s->stack[--sp], x = i % w, y = i / w;
            cnt++;
            moved += s->lit[i] >> 1;
            /* the difference from the background before its step (as
             * the candidates had it), the background after it */
            float dif = vcur(s, x, y) - q8f(s->bg[i]);
            sx += x, sy += y, sd += dif;
            sbg += bg_step(s->bg[i], f->luma[(size_t)y * f->stride + x], s->chg[i]);
            peak = dif > peak ? dif : peak;
            x0 = x < x0 ? x : x0, x1 = x > x1 ? x : x1, y0 = y < y0 ? y : y0, y1 = y > y1 ? y : y1;
            int nb[4] = {x > 0 ? i - 1 : -1, x < w - 1 ? i + 1 : -1, y > 0 ? i - w : -1, y < h - 1 ? i + w : -1};
            for (int k2 = 0; k2 < 4; k2++)
                if (nb[k2] >= 0 && s->fg[nb[k2]] == 1) {
                    s->fg[nb[k2]] = 2;
                    s->stack[sp++] = nb[k2];
                }
        }
        /* a zone's own minimum, by where the object stands (its lowest
         * point: the feet of a person far away) */
        long need = min_px;
        int zi = s->zone_of ? s->zone_of[y1 * w + (x0 + x1) / 2] : 255;
        if (zi < s->n_zones && s->zones[zi].min_size > 0) {
            need = (long)(s->zones[zi].min_size * px_per_src + 0.5);
            if (need < 4)
                need = 4;
        }
        t->raw += cnt;
        if (cnt < need)
            continue;
        /* mostly still: a fifth or less of it changed since the last
         * analysis (before the growing). Rain falling past something that
         * stopped (a person who stood still, a parked car not yet in the
         * background) changes its thin streaks there, 7-18 % of such a
         * component on the rain clip (scripts/make-night-clips.sh), which
         * kept its event running 2.6 s past the walk; a walking person's
         * components changed 34 % or more in nine cases of ten. */
        if (5 * moved < cnt) {
            t->still_parts++;
            continue;
        }
        /* a fragment of a light change: around it (as far again as its
         * own size) the light test explained twice as many moving pixels
         * as it holds; the edge of a deep shadow or of a headlight's pool
         * leaves such fragments where the light model fits worst. Three
         * times let too many through: night-headlights made with noise
         * seeds 1-12 (scripts/make-night-clips.sh) raised 4 false alarms
         * under three times, 1 under twice; every truth clip's walks are
         * still in time. What this may miss: a small
         * figure walking inside a moving light pool. */
        int ex = x1 - x0 + 1, ey = y1 - y0 + 1;
        int ax = x0 - ex < 0 ? 0 : x0 - ex, bx = x1 + ex >= w ? w - 1 : x1 + ex;
        int ay = y0 - ey < 0 ? 0 : y0 - ey, by = y1 + ey >= h ? h - 1 : y1 + ey;
        long lit = 0;
        for (int y = ay; y <= by; y++)
            for (int x = ax; x <= bx; x++)
                lit += s->lit[y * w + x] & 1;
        if (lit >= 2 * cnt) {
            t->light_fragments++;
            continue;
        }
        double mdif = sd / cnt, mbg = sbg / cnt;
        /* 5. near-lens light: far brighter than the background there, on
         * the whole or at its core (an out-of-focus insect's bright
         * centre, clipped white) */
        int bright = (mdif > 60 && mdif > mbg) || (peak > 120 && peak > 2 * mbg);
        s->comps[nc++] = (struct comp){x0, y0, x1, y1, cnt, sx / cnt, sy / cnt, bright, 0};
    }
    return nc;
}

/* 5. Bright components count once they held a path (the last analysis's
 * tracks) for HOLD analyses; the rest of a held light's halo is held with
 * it. What is not held becomes a box of the result. */
static void hold_bright(struct state *s, int nc, struct cw_plugin_result *out, struct tally *t)
{
    int n_next = 0;
    for (int c = 0; c < nc; c++) {
        struct comp *q = &s->comps[c];
        if (!q->bright)
            continue;
        double size = sqrt((double)q->cnt);
        int age = 1;
        for (int k = 0; k < s->n_tracks; k++) {
            double dx = q->cx - s->tracks[k].x, dy = q->cy - s->tracks[k].y;
            if (sqrt(dx * dx + dy * dy) <= 0.75 * (size > s->tracks[k].size ? size : s->tracks[k].size) + 2 &&
                s->tracks[k].age + 1 > age)
                age = s->tracks[k].age + 1;
        }
        if (n_next < MAX_TRACKS)
            s->next[n_next++] = (struct track){q->cx, q->cy, size, age};
        q->held = age < HOLD;
    }
    for (int c = 0; c < nc; c++) {
        struct comp *q = &s->comps[c];
        for (int d = 0; d < nc && !q->held; d++) {
            const struct comp *b = &s->comps[d];
            if (d == c || !b->bright || !b->held)
                continue;
            int mx = b->x1 - b->x0 + 1, my = b->y1 - b->y0 + 1;
            q->held = q->x1 >= b->x0 - mx && q->x0 <= b->x1 + mx && q->y1 >= b->y0 - my && q->y0 <= b->y1 + my;
        }
        if (q->held) {
            t->held_back++;
            continue;
        }
        t->moving += q->cnt;
        if (out->n_boxes < CW_PLUGIN_MAX_BOXES)
            out->boxes[out->n_boxes++] = (struct cw_plugin_box){q->x0, q->y0, q->x1 - q->x0 + 1, q->y1 - q->y0 + 1};
    }
    memcpy(s->tracks, s->next, sizeof(struct track) * (size_t)n_next);
    s->n_tracks = n_next;
}

/* The debug line, and the compensation as gauges for the metrics (the
 * host keeps the last value and sends it on at most once a second). */
static void tell_host(const struct state *s, const struct cw_plugin_frame *f, const struct cw_plugin_result *out,
                      const struct tally *t)
{
    if (!s->host)
        return;
    if (s->host->log) {
        char msg[256];
        snprintf(msg, sizeof msg,
                 "t=%.2f gain %.3f offset %.1f light %ld fg(after opening) %ld moving %ld boxes %d bright-held %d "
                 "light-fragments %d still-parts %d min %ld px shake %d,%d",
                 f->pts_us / 1e6, s->gain, s->offset, t->light, t->raw, t->moving, out->n_boxes, t->held_back,
                 t->light_fragments, t->still_parts, t->min_px, s->shake_x, s->shake_y);
        s->host->log(s->host->host_ud, 3, msg);
    }
    if (s->host->struct_size >= offsetof(struct cw_plugin_host, gauge) + sizeof s->host->gauge && s->host->gauge) {
        s->host->gauge(s->host->host_ud, "compensation_gain", s->gain);
        s->host->gauge(s->host->host_ud, "compensation_offset", s->offset);
    }
}

/* One analysis, in the steps the header lists. */
static int process_frame(void *st, const struct cw_plugin_frame *f, struct cw_plugin_result *out)
{
    struct state *s = st;
    memset(out, 0, sizeof *out);
    if ((f->width != s->w || f->height != s->h) && setup(s, f->width, f->height) < 0)
        return -1;
    if (s->frames++ == 0) {
        first_frame(s, f);
        keep_last(s, f);
        out->score = -1;
        return 0;
    }
    struct cw_plugin_frame moved;
    f = shake(s, f, &moved);                              /* 0 */
    compensation(s, f);                                   /* 1 */
    int learning = s->frames - 1 < s->learn;
    candidates(s, f, learning);                           /* 2 */
    if (learning) {
        learn(s, f);
        keep_last(s, f);
        out->score = -1;
        return 0;
    }
    struct tally t = {0};
    t.light = light_test(s);                              /* 3 */
    adapt_noise(s);
    /* chg is free after the light test: the candidates before the
     * opening, for the background's step after the components */
    memcpy(s->chg, s->fg, (size_t)s->w * s->h);
    opening(s);                                           /* 4 */
    int nc = components(s, f, &t);
    adapt_bg(s, f, s->chg);
    keep_last(s, f);
    hold_bright(s, nc, out, &t);                          /* 5 */
    out->positive = out->n_boxes > 0;
    tell_host(s, f, out, &t);
    out->score = s->area_px ? (double)t.moving / s->area_px : 0;
    if (out->score > 1)
        out->score = 1;
    return 0;
}

static void destroy(void *st)
{
    struct state *s = st;
    free_model(s);
    free(s);
}

static const struct cw_plugin_descriptor desc = {
    .abi_version = CW_PLUGIN_ABI_VERSION,
    .struct_size = sizeof(struct cw_plugin_descriptor),
    .name = "motion",
    .version = "2.1.0",
    .input = CW_PLUGIN_INPUT_FRAMES,
    .analysis_fps = 5,
    .analysis_width = CW_PLUGIN_WIDTH_AUTO,
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
