/* libFuzzer target: the config loader must turn any bytes into either a
 * config or error messages, without crashing, leaking or reading out of
 * bounds. `make fuzz` runs it for a bounded time on the committed seed
 * corpus (tests/fuzz/corpus/config: the example, demo and broken files). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "../../daemon/config.h"
#include "../../daemon/log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int init;
    struct cw_config *cfg = NULL;
    struct cw_config_errors errs = {0};
    if (!init) {
        cw_log_set_level(-1);
        setenv("CAM_PASS", "fuzz-pass", 1);
        init = 1;
    }
    cw_config_load_buffer("fuzz.yaml", "/nonexistent", (const char *)data, size, 0, &cfg, &errs);
    cw_config_free(cfg);
    cw_config_errors_free(&errs);
    return 0;
}
