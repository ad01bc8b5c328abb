/* plugin_time: one frame-taking plugin's own time per analysis, nothing
 * else in it: the frames are decoded and scaled beforehand (a raw file of
 * 8-bit luma frames, as the host hands them) and fed to each plugin given,
 * best of 5 passes, the passes of the plugins alternating so that the
 * machine's drift falls on all alike.
 *
 *   plugin_time FRAMES.raw WIDTH HEIGHT SRC_W SRC_H FPS PLUGIN.so...
 *
 * Prints one Markdown row per plugin: frames, positive analyses, best
 * and median ms per frame. */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "camwatch_plugin.h"

#define PASSES 5

static void quiet_log(void *ud, int level, const char *msg)
{
    (void)ud, (void)level, (void)msg;
}

static void no_gauge(void *ud, const char *name, double value)
{
    (void)ud, (void)name, (void)value;
}

static double seconds(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    if (argc < 8) {
        fprintf(stderr, "usage: plugin_time FRAMES.raw WIDTH HEIGHT SRC_W SRC_H FPS PLUGIN.so...\n");
        return 2;
    }
    int w = atoi(argv[2]), h = atoi(argv[3]), sw = atoi(argv[4]), sh = atoi(argv[5]);
    double fps = atof(argv[6]);
    size_t fs = (size_t)w * h;
    FILE *f = fopen(argv[1], "rb");
    if (!f || w <= 0 || h <= 0 || fps <= 0) {
        fprintf(stderr, "plugin_time: %s: cannot read\n", argv[1]);
        return 1;
    }
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    int nf = (int)(size / (long)fs);
    uint8_t *frames = malloc((size_t)nf * fs);
    if (!frames || nf < 1 || fread(frames, fs, (size_t)nf, f) != (size_t)nf) {
        fprintf(stderr, "plugin_time: %s: no whole %dx%d frame\n", argv[1], w, h);
        return 1;
    }
    fclose(f);
    int np = argc - 7;
    const struct cw_plugin_descriptor **d = calloc((size_t)np, sizeof *d);
    double *best = calloc((size_t)np * PASSES, sizeof *best);
    int *positive = calloc((size_t)np, sizeof *positive);
    for (int p = 0; p < np; p++) {
        void *dl = dlopen(argv[7 + p], RTLD_NOW | RTLD_LOCAL);
        const struct cw_plugin_descriptor *(*get)(void) = dl ? (const struct cw_plugin_descriptor *(*)(void))dlsym(dl, CW_PLUGIN_SYMBOL) : NULL;
        if (!get || !(d[p] = get()) || d[p]->abi_version != CW_PLUGIN_ABI_VERSION || !d[p]->process_frame) {
            fprintf(stderr, "plugin_time: %s: not a frame plugin of ABI %d (%s)\n", argv[7 + p], CW_PLUGIN_ABI_VERSION,
                    dl ? "its descriptor" : dlerror());
            return 1;
        }
    }
    struct cw_plugin_host host = {CW_PLUGIN_ABI_VERSION, sizeof host, quiet_log, NULL, no_gauge};
    for (int pass = 0; pass < PASSES; pass++)
        for (int p = 0; p < np; p++) {
            void *st;
            if (d[p]->create(&host, &st) < 0)
                return 1;
            int pos = 0;
            double t = seconds();
            for (int i = 0; i < nf; i++) {
                struct cw_plugin_frame fr = {frames + (size_t)i * fs, w, h, w, (int64_t)(i * 1e6 / fps),
                                             0, 0, sw, sh};
                struct cw_plugin_result r;
                if (d[p]->process_frame(st, &fr, &r) == 0)
                    pos += r.positive;
            }
            best[p * PASSES + pass] = (seconds() - t) / nf * 1e3;
            d[p]->destroy(st);
            positive[p] = pos;
        }
    for (int p = 0; p < np; p++) {
        qsort(best + p * PASSES, PASSES, sizeof *best, cmp_double);
        printf("| %s %s (%s) | %d | %d | %.3f | %.3f |\n", d[p]->name, d[p]->version, argv[7 + p], nf, positive[p],
               best[p * PASSES], best[p * PASSES + PASSES / 2]);
    }
    return 0;
}
