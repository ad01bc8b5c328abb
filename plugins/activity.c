/* activity: scene activity from compressed frame sizes, without decoding.
 *
 * An inter (P) frame codes what changed since the previous frame, so its
 * size rises with movement. The plugin keeps this camera's own baseline of
 * inter-frame sizes (an average that follows quiet periods quickly and busy
 * ones hardly at all) and reports activity when an inter frame is more
 * than `ratio` times the baseline. Keyframes are ignored: their size says
 * nothing about change. It is the cheapest motion signal there is, for
 * fleets where decoding every camera costs too much; it cannot say where
 * the motion is, and sensor noise at night raises every frame alike.
 *
 * Options: ratio (1.1..20, default 1.6), learn_packets (default 15). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "camwatch_plugin.h"

struct state {
    double ratio;
    int learn, seen;
    double base;
};

static int create(const struct cw_plugin_host *host, void **out)
{
    struct state *s = calloc(1, sizeof *s);
    (void)host;
    if (!s)
        return -1;
    s->ratio = 1.6;
    s->learn = 15;
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
    if (strcmp(key, "ratio") == 0 && v >= 1.1 && v <= 20)
        s->ratio = v;
    else if (strcmp(key, "learn_packets") == 0 && v >= 1 && v <= 10000)
        s->learn = (int)v;
    else {
        snprintf(err, errlen, "bad option %s=%s (ratio 1.1..20, learn_packets 1..10000)", key, value);
        return -1;
    }
    return 0;
}

static int process_packet(void *st, const struct cw_plugin_packet *p, struct cw_plugin_result *out)
{
    struct state *s = st;
    memset(out, 0, sizeof *out);
    if (p->keyframe || p->size <= 0)
        return 0;
    if (s->seen < s->learn) {
        /* the first packets set the baseline: their mean */
        s->base += (p->size - s->base) / (s->seen + 1);
        s->seen++;
        return 0;
    }
    double r = s->base > 0 ? p->size / s->base : 1;
    out->positive = r > s->ratio;
    out->score = r > 1 ? (r - 1) / (r + 1) : 0; /* 0..1, 0.33 at twice the baseline */
    /* quiet frames pull the baseline fast, busy ones barely */
    s->base += (p->size - s->base) * (out->positive ? 0.002 : 0.05);
    return 0;
}

static void destroy(void *st) { free(st); }

static const struct cw_plugin_descriptor desc = {
    .abi_version = CW_PLUGIN_ABI_VERSION,
    .struct_size = sizeof(struct cw_plugin_descriptor),
    .name = "activity",
    .version = "1.0.0",
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
