/* bench_store: detection events per second through the daemon's own write
 * path (cw_store_batch_event + cw_store_apply: one transaction per batch,
 * WAL, synchronous=NORMAL), on a fresh database with CAMERAS cameras.
 * Each batch also carries what every daemon flush carries: one stats row
 * per camera and a heartbeat. Prints Markdown table rows.
 *
 *   bench_store DIR */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../daemon/clock.h"
#include "../../daemon/store.h"

#define CAMERAS 200

/* The per-batch cost of a flush with no events (stats + heartbeat), so the
 * events' own cost can be told apart. */
static double base_batch_s = -1;

static int run(const char *dir, int per_batch, int batches)
{
    char path[512], id[CAMERAS][16];
    struct cw_store *st;
    int64_t run_id, t = cw_wall_us();
    snprintf(path, sizeof path, "%s/bench-store-%d.db", dir, per_batch);
    unlink(path);
    if (cw_store_open(path, 0, &st) < 0 || cw_store_begin_run(st, t, getpid(), &run_id) < 0) {
        fprintf(stderr, "bench_store: cannot open %s\n", path);
        return 1;
    }
    for (int c = 0; c < CAMERAS; c++) {
        snprintf(id[c], sizeof id[c], "cam%03d", c);
        struct cw_camera_meta m = {id[c], {.site = "s", .site_name = "Site", .commune = "c", .commune_name = "Commune",
                                           .province = "p", .province_name = "Province"},
                                   "rtsp://***@192.0.2.1/x", 1, "motion", ""};
        snprintf(m.names.name, sizeof m.names.name, "%s", id[c]);
        if (cw_store_camera_start(st, &m, t) < 0)
            return 1;
    }
    struct cw_stats_row stats = {.connected = 1, .fps = 15, .packets = 1000, .bytes = 1 << 20, .width = 1280,
                                 .height = 720, .keyframe_interval_s = 2, .codec = "h264"};
    int64_t busy = 0, worst = 0;
    long events = 0;
    for (int b = 0; b < batches; b++) {
        struct cw_store_batch *batch = cw_store_batch_new();
        for (int e = 0; e < per_batch; e++, events++) {
            char snap[128];
            int64_t s = t + events * 1000;
            snprintf(snap, sizeof snap, "/var/lib/camwatch/snapshots/%s/20261123-101010-motion-%03ld.jpg",
                     id[events % CAMERAS], events % 1000);
            cw_store_batch_event(batch, id[events % CAMERAS], "motion", s, s + 6500000, 0.021,
                                 "{\"frame\":[160,90],\"boxes\":[[12,30,20,40],[80,10,16,32]]}", snap);
        }
        for (int c = 0; c < CAMERAS; c++)
            cw_store_batch_stats(batch, id[c], t, &stats);
        cw_store_batch_heartbeat(batch, run_id, t);
        int64_t t0 = cw_mono_us();
        if (cw_store_apply(st, batch) < 0) {
            fprintf(stderr, "bench_store: %s\n", cw_store_errmsg(st));
            return 1;
        }
        int64_t dt = cw_mono_us() - t0;
        busy += dt;
        if (dt > worst)
            worst = dt;
        cw_store_batch_free(batch);
    }
    cw_store_close(st);
    if (per_batch == 0) {
        base_batch_s = busy / 1e6 / batches;
        printf("| no events: %d stats rows + heartbeat (every flush) | %d | 0 | %.3f | %.1f | – | – |\n", CAMERAS,
               batches, busy / 1e6, worst / 1e3);
        return 0;
    }
    double own = busy / 1e6 - base_batch_s * batches;
    printf("| %d events + %d stats rows + heartbeat | %d | %ld | %.3f | %.1f | %.0f | %.0f |\n", per_batch, CAMERAS,
           batches, events, busy / 1e6, worst / 1e3, events / (busy / 1e6), own > 0 ? events / own : 0);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: bench_store DIR\n");
        return 2;
    }
    printf("| batch (one transaction) | batches | events | time in cw_store_apply (s) | slowest batch (ms) | events/s "
           "| events/s beyond the flush's own cost |\n");
    printf("|---|---|---|---|---|---|---|\n");
    return run(argv[1], 0, 1000) || run(argv[1], 10, 1000) || run(argv[1], 1000, 100) || run(argv[1], 10000, 10);
}
