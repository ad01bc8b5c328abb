/* A toy plugin built against a different ABI version: camwatchd must
 * refuse it, naming this file and both versions, and keep running. */
#include <stddef.h>

#include "../../plugins/camwatch_plugin.h"

static int create(const struct cw_plugin_host *host, void **state)
{
    (void)host;
    *state = NULL;
    return 0;
}

static const struct cw_plugin_descriptor desc = {
    .abi_version = CW_PLUGIN_ABI_VERSION + 998,
    .struct_size = sizeof(struct cw_plugin_descriptor),
    .name = "wrongabi",
    .version = "0.0.1",
    .input = CW_PLUGIN_INPUT_NONE,
    .create = create,
};

__attribute__((visibility("default"))) const struct cw_plugin_descriptor *camwatch_plugin_descriptor(void)
{
    return &desc;
}
