/* A toy plugin that exercises the ABI from outside: it counts what it is
 * given and reports a positive analysis on every `every`-th keyframe. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../plugins/camwatch_plugin.h"

struct state {
    int every, n;
};

static int create(const struct cw_plugin_host *host, void **out)
{
    struct state *s = calloc(1, sizeof *s);
    (void)host;
    if (!s)
        return -1;
    s->every = 2;
    *out = s;
    return 0;
}

static int configure(void *st, const char *key, const char *value, char *err, size_t errlen)
{
    struct state *s = st;
    if (strcmp(key, "every") == 0 && atoi(value) > 0) {
        s->every = atoi(value);
        return 0;
    }
    snprintf(err, errlen, "counter: unknown option %s", key);
    return -1;
}

static int process_frame(void *st, const struct cw_plugin_frame *f, struct cw_plugin_result *out)
{
    struct state *s = st;
    memset(out, 0, sizeof *out);
    if (!f->luma || f->width <= 0 || f->height <= 0 || f->stride < f->width)
        return -1;
    out->positive = ++s->n % s->every == 0;
    out->score = out->positive ? 1 : 0;
    return 0;
}

static void destroy(void *st) { free(st); }

static const struct cw_plugin_descriptor desc = {
    .abi_version = CW_PLUGIN_ABI_VERSION,
    .struct_size = sizeof(struct cw_plugin_descriptor),
    .name = "counter",
    .version = "0.1.0",
    .input = CW_PLUGIN_INPUT_KEYFRAMES,
    .analysis_width = 160,
    .create = create,
    .configure = configure,
    .process_frame = process_frame,
    .destroy = destroy,
};

__attribute__((visibility("default"))) const struct cw_plugin_descriptor *camwatch_plugin_descriptor(void)
{
    return &desc;
}
