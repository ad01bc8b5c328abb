/* camwatchd: watches RTSP cameras and records their state history. */
#include <curl/curl.h>
#include <getopt.h>
#include <malloc.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <uv.h>

#include "daemon.h"
#include "error.h"
#include "log.h"

/* A sanitizer build is for tests: it is several times slower and its
 * allocator serialises threads, so it says so wherever it is asked. */
#if defined(__SANITIZE_ADDRESS__)
#define CW_BUILD_NOTE " (AddressSanitizer build, for testing)"
#else
#define CW_BUILD_NOTE ""
#endif

static void usage(FILE *f)
{
    fprintf(f, "usage: camwatchd [-c CONFIG]\n"
               "Watches the cameras in CONFIG (default /etc/camwatch/camwatch.yaml) and records\n"
               "their state history. Stops cleanly on SIGTERM or SIGINT. See camwatchd(8).\n"
               "  -c, --config FILE   the config file\n"
               "  -h, --help          this text\n"
               "  --version           camwatchd's version\n"
               "Exit status: 0 stopped cleanly, 1 a failure, 2 a bad config or option.\n");
}

int main(int argc, char **argv)
{
    static const struct option longopts[] = {{"config", required_argument, NULL, 'c'},
                                             {"help", no_argument, NULL, 'h'},
                                             {"version", no_argument, NULL, 'V'},
                                             {NULL, 0, NULL, 0}};
    const char *config = "/etc/camwatch/camwatch.yaml";
    struct cw_daemon d;
    int rc, c;

    /* Every camera's ingest thread allocates in a malloc arena of its own.
     * glibc raises its mmap threshold each time a large block is freed, so
     * that a decoder's or encoder's buffers (1.4 MiB a 720p picture), once
     * freed, would come from and stay in the thread's arena; a fixed
     * threshold gives them back to the system when they are freed (the
     * thumbnail-only decoder and the snapshot encoder between uses). */
#if defined(M_MMAP_THRESHOLD) && !defined(__SANITIZE_ADDRESS__) /* (glibc's allocator only) */
    mallopt(M_MMAP_THRESHOLD, 256 * 1024);
    /* glibc gives threads arenas of their own, up to eight per core: with
     * a thread per camera, each keeps its own free lists and slack. As
     * many arenas as cores is what avoids contention (no more threads run
     * at once); measured at 16 cameras: 0.5-0.8 MiB less per camera, the
     * same CPU (README, "Benchmarks"). */
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    mallopt(M_ARENA_MAX, cores > 1 ? (int)cores : 1);
#endif
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":c:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'c': config = optarg; break;
        case 'h': usage(stdout); return 0;
        case 'V': printf("camwatchd %s%s\n", CW_VERSION, CW_BUILD_NOTE); return 0;
        default:
            fprintf(stderr, "camwatchd: %s %s\n", c == ':' ? "option needs a value:" : "unknown option",
                    argv[optind - 1]);
            usage(stderr);
            return 2;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "camwatchd: unexpected argument '%s'\n", argv[optind]);
        usage(stderr);
        return 2;
    }
    cw_log_detect_journal();
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
