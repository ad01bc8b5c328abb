/* camwatchd: watches RTSP cameras and records their state history. */
#include <curl/curl.h>
#include <stdio.h>
#include <string.h>
#include <uv.h>

#include "daemon.h"
#include "error.h"
#include "log.h"

static void usage(FILE *f)
{
    fprintf(f, "usage: camwatchd -c CONFIG\n"
               "Watches the cameras in CONFIG and records their state history.\n"
               "Stops cleanly on SIGTERM or SIGINT.\n");
}

int main(int argc, char **argv)
{
    const char *config = "/etc/camwatch/camwatch.yaml";
    struct cw_daemon d;
    int rc;

    for (int i = 1; i < argc; i++) {
        if ((strcmp(argv[i], "-c") == 0 || strcmp(argv[i], "--config") == 0) && i + 1 < argc) {
            config = argv[++i];
        } else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            usage(stdout);
            return 0;
        } else {
            usage(stderr);
            return 2;
        }
    }
    /* once, before any thread: libcurl's global state is not thread-safe */
    curl_global_init(CURL_GLOBAL_DEFAULT);
    rc = cw_daemon_init(&d, uv_default_loop(), config);
    if (rc < 0) {
        cw_error("daemon", NULL, "cannot start: %s", cw_strerror(rc));
        cw_daemon_free(&d);
        uv_loop_close(uv_default_loop());
        return rc == CW_ECONFIG ? 2 : 1;
    }
    rc = cw_daemon_run(&d);
    cw_daemon_free(&d);
    uv_loop_close(uv_default_loop());
    curl_global_cleanup();
    return rc;
}
