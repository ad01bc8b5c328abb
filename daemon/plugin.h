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

struct cw_plugin_instance {
    const struct cw_plugin *plugin;
    void *state;
    struct cw_plugin_host host;
    char camera[72];
};

/* Creates an instance and configures it with the camera's options. */
int cw_plugin_instance_create(const struct cw_plugin *p, const char *camera, char *const *keys,
                              char *const *values, int n, struct cw_plugin_instance **out, char *err, size_t errlen);
void cw_plugin_instance_destroy(struct cw_plugin_instance *inst);

#endif
