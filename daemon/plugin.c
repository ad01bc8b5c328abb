/* Plugin loading and instances (see plugin.h). */
#include "plugin.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "log.h"

int cw_plugin_load(const char *dir, const char *name, struct cw_plugin **out, char *err, size_t errlen)
{
    char path[4096];
    struct cw_plugin *p;

    *out = NULL;
    snprintf(path, sizeof path, "%s/%s.so", dir, name);
    void *dl = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!dl) {
        snprintf(err, errlen, "plugin %s: cannot load: %s", path, dlerror());
        return CW_ENOTFOUND;
    }
    cw_plugin_descriptor_fn fn;
    *(void **)&fn = dlsym(dl, CW_PLUGIN_SYMBOL);
    const struct cw_plugin_descriptor *d = fn ? fn() : NULL;
    if (!d) {
        snprintf(err, errlen, "plugin %s: no %s() in it", path, CW_PLUGIN_SYMBOL);
        dlclose(dl);
        return CW_EINVAL;
    }
    /* Only the first two fields are read before the version is known. */
    if (d->abi_version != CW_PLUGIN_ABI_VERSION) {
        snprintf(err, errlen, "plugin %s: built for plugin ABI version %u, this camwatchd has version %d; rebuild it",
                 path, d->abi_version, CW_PLUGIN_ABI_VERSION);
        dlclose(dl);
        return CW_EINVAL;
    }
    if (d->struct_size < sizeof *d || !d->name || !d->create || !d->destroy ||
        (d->input == CW_PLUGIN_INPUT_NONE ? !d->process_packet : !d->process_frame) ||
        d->input > CW_PLUGIN_INPUT_FRAMES) {
        snprintf(err, errlen, "plugin %s: incomplete descriptor (size %u, want %zu)", path, d->struct_size, sizeof *d);
        dlclose(dl);
        return CW_EINVAL;
    }
    if (strcmp(d->name, name) != 0) {
        snprintf(err, errlen, "plugin %s: calls itself '%s'", path, d->name);
        dlclose(dl);
        return CW_EINVAL;
    }
    p = calloc(1, sizeof *p);
    if (!p || !(p->path = strdup(path))) {
        free(p);
        dlclose(dl);
        return CW_ENOMEM;
    }
    p->dl = dl;
    p->d = d;
    *out = p;
    return 0;
}

void cw_plugin_unload(struct cw_plugin *p)
{
    if (!p)
        return;
    dlclose(p->dl);
    free(p->path);
    free(p);
}

static void host_log(void *ud, int level, const char *msg)
{
    struct cw_plugin_instance *inst = ud;
    int l = level <= 0 ? CW_LOG_ERROR : level == 1 ? CW_LOG_WARN : level == 2 ? CW_LOG_INFO : CW_LOG_DEBUG;
    if (cw_log_enabled(l))
        cw_log(l, inst->plugin->d->name, inst->camera, "%s", msg);
}

static void host_gauge(void *ud, const char *name, double value)
{
    struct cw_plugin_instance *inst = ud;
    size_t len = name ? strlen(name) : 0;
    if (len == 0 || len >= sizeof inst->gauges[0].name || strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789_") != len)
        return;
    int k = 0;
    while (k < inst->n_gauges && strcmp(inst->gauges[k].name, name) != 0)
        k++;
    if (k == CW_PLUGIN_MAX_GAUGES)
        return;
    if (k == inst->n_gauges) {
        snprintf(inst->gauges[k].name, sizeof inst->gauges[k].name, "%s", name);
        inst->n_gauges++;
    }
    inst->gauges[k].value = value;
    inst->gauges[k].fresh = 1;
}

int cw_plugin_analysis_width(const struct cw_plugin_instance *inst, int source_w)
{
    int w = inst->analysis_width ? inst->analysis_width : inst->plugin->d->analysis_width;
    if (w == CW_PLUGIN_WIDTH_NATIVE)
        return source_w;
    if (w == CW_PLUGIN_WIDTH_AUTO)
        return source_w > 640 ? (source_w / 2 < 640 ? source_w / 2 : 640) : 320;
    return w > 0 ? w : 320;
}

/* The host's own option. */
static int parse_width(const struct cw_plugin *p, const char *v, int *out, char *err, size_t errlen)
{
    char *end;
    long n;
    if (p->d->input == CW_PLUGIN_INPUT_NONE) {
        snprintf(err, errlen, "plugin %s decodes no picture: analysis_width does not apply", p->d->name);
        return -1;
    }
    if (strcmp(v, "auto") == 0)
        *out = CW_PLUGIN_WIDTH_AUTO;
    else if (strcmp(v, "native") == 0)
        *out = CW_PLUGIN_WIDTH_NATIVE;
    else if ((n = strtol(v, &end, 10)) >= 64 && n <= 7680 && end != v && !*end)
        *out = (int)n & ~1;
    else {
        snprintf(err, errlen, "plugin %s: option analysis_width: '%s' (want 320, 640, native, auto, or 64..7680)",
                 p->d->name, v);
        return -1;
    }
    return 0;
}

int cw_plugin_instance_create(const struct cw_plugin *p, const char *camera, char *const *keys,
                              char *const *values, int n, struct cw_plugin_instance **out, char *err, size_t errlen)
{
    struct cw_plugin_instance *inst = calloc(1, sizeof *inst);
    *out = NULL;
    if (!inst)
        return CW_ENOMEM;
    inst->plugin = p;
    snprintf(inst->camera, sizeof inst->camera, "%s", camera);
    inst->host = (struct cw_plugin_host){CW_PLUGIN_ABI_VERSION, sizeof inst->host, host_log, inst, host_gauge};
    if (p->d->create(&inst->host, &inst->state) < 0) {
        snprintf(err, errlen, "plugin %s: create failed", p->d->name);
        free(inst);
        return CW_EINVAL;
    }
    for (int i = 0; i < n; i++) {
        char why[256] = "";
        if (strcmp(keys[i], "analysis_width") == 0) {
            if (parse_width(p, values[i], &inst->analysis_width, err, errlen) < 0) {
                p->d->destroy(inst->state);
                free(inst);
                return CW_ECONFIG;
            }
            continue;
        }
        if (!p->d->configure || p->d->configure(inst->state, keys[i], values[i], why, sizeof why) < 0) {
            snprintf(err, errlen, "plugin %s: option %s: %s", p->d->name, keys[i],
                     why[0] ? why : "the plugin takes no options");
            p->d->destroy(inst->state);
            free(inst);
            return CW_ECONFIG;
        }
    }
    *out = inst;
    return 0;
}

void cw_plugin_instance_destroy(struct cw_plugin_instance *inst)
{
    if (!inst)
        return;
    inst->plugin->d->destroy(inst->state);
    free(inst);
}

/* ---- the daemon's plugins, by name ---- */

struct cw_plugin_cache {
    char *dir;
    struct {
        char *name;
        struct cw_plugin *plugin; /* NULL: failed to load (reported) */
    } *items;
    int n;
};

int cw_plugin_cache_create(const char *dir, struct cw_plugin_cache **out)
{
    struct cw_plugin_cache *c = calloc(1, sizeof *c);
    *out = NULL;
    if (!c || !(c->dir = strdup(dir))) {
        free(c);
        return CW_ENOMEM;
    }
    *out = c;
    return 0;
}

const struct cw_plugin *cw_plugin_cache_get(struct cw_plugin_cache *c, const char *name)
{
    for (int i = 0; i < c->n; i++)
        if (strcmp(c->items[i].name, name) == 0)
            return c->items[i].plugin;
    void *t = realloc(c->items, sizeof *c->items * (size_t)(c->n + 1));
    if (!t)
        return NULL;
    c->items = t;
    char *nm = strdup(name);
    if (!nm)
        return NULL;
    c->items[c->n].name = nm;
    c->items[c->n].plugin = NULL;
    struct cw_plugin **p = &c->items[c->n++].plugin;
    char err[600];
    if (cw_plugin_load(c->dir, name, p, err, sizeof err) < 0)
        cw_error("plugin", NULL, "%s", err);
    else
        cw_info("plugin", NULL, "loaded %s %s (input: %s)", (*p)->d->name, (*p)->d->version,
                (*p)->d->input == CW_PLUGIN_INPUT_NONE ? "packets"
                : (*p)->d->input == CW_PLUGIN_INPUT_KEYFRAMES ? "keyframes" : "frames");
    return *p;
}

void cw_plugin_cache_free(struct cw_plugin_cache *c)
{
    if (!c)
        return;
    for (int i = 0; i < c->n; i++) {
        cw_plugin_unload(c->items[i].plugin);
        free(c->items[i].name);
    }
    free(c->items);
    free(c->dir);
    free(c);
}
