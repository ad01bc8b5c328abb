/* Loading detection plugins (plugins/camwatch_plugin.h is the contract)
 * and making per-camera instances of them. */
#ifndef CW_PLUGIN_H
#define CW_PLUGIN_H
#include <stddef.h>

#include "../plugins/camwatch_plugin.h"

struct cw_plugin {
    char *path;
    void *dl;
    const struct cw_plugin_descriptor *d;
};

/* Loads DIR/NAME.so and checks its ABI. On failure returns a negative
 * code with the reason (naming the file and, for a version mismatch, both
 * versions) in err. */
int cw_plugin_load(const char *dir, const char *name, struct cw_plugin **out, char *err, size_t errlen);
void cw_plugin_unload(struct cw_plugin *p);

/* The plugins a daemon has loaded, by name: each loaded once, on first
 * use; one that does not load is reported once (not per camera) and
 * remembered as missing. */
struct cw_plugin_cache;
int cw_plugin_cache_create(const char *dir, struct cw_plugin_cache **out);
/* The loaded plugin, or NULL (already reported) if it cannot be loaded. */
const struct cw_plugin *cw_plugin_cache_get(struct cw_plugin_cache *c, const char *name);
void cw_plugin_cache_free(struct cw_plugin_cache *c);

#define CW_PLUGIN_MAX_GAUGES 8

struct cw_plugin_gauge {
    char name[32];
    double value;
    int fresh; /* set since the analysis last sent it on */
};

struct cw_plugin_instance {
    const struct cw_plugin *plugin;
    void *state;
    struct cw_plugin_host host;
    char camera[72];
    int analysis_width; /* the camera's option: 0 the plugin's, or a width or CW_PLUGIN_WIDTH_* */
    /* the plugin's gauges (host.gauge), written and read on the camera's
     * ingest thread */
    struct cw_plugin_gauge gauges[CW_PLUGIN_MAX_GAUGES];
    int n_gauges;
};

/* The luma width a plugin instance is given for a source `source_w` wide. */
int cw_plugin_analysis_width(const struct cw_plugin_instance *inst, int source_w);

/* Creates an instance and configures it with the camera's options; the
 * option analysis_width (320, 640, native, auto or a number of pixels) is
 * the host's, for any plugin that takes frames. */
int cw_plugin_instance_create(const struct cw_plugin *p, const char *camera, char *const *keys,
                              char *const *values, int n, struct cw_plugin_instance **out, char *err, size_t errlen);
void cw_plugin_instance_destroy(struct cw_plugin_instance *inst);

#endif
