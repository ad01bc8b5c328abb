/* `camwatch events`: detection events from the database, oldest first. */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../daemon/clock.h"
#include "../daemon/store.h"
#include "../daemon/words.h"
#include "cli.h"

struct out {
    int json;
    json_t *arr;
    int n;
    const struct cw_cli *g;
};

static void on_event(void *ud, const struct cw_event_row *e)
{
    struct out *o = ud;
    int exists = e->snapshot[0] && access(e->snapshot, R_OK) == 0;
    char ts[40], dur[32];
    o->n++;
    if (o->json) {
        json_t *j = json_pack("{s:I, s:s, s:s, s:s, s:I, s:I, s:f, s:f}", "id", (json_int_t)e->id, "camera",
                              e->camera, "kind", e->kind, "start", cw_fmt_utc(e->start_us, ts, sizeof ts),
                              "start_us", (json_int_t)e->start_us, "end_us", (json_int_t)e->end_us, "duration_s",
                              (e->end_us - e->start_us) / 1e6, "peak_score", e->peak);
        json_error_t jerr;
        json_t *regions = json_loads(e->regions, 0, &jerr);
        json_object_set_new(j, "regions", regions ? regions : json_null());
        json_object_set_new(j, "snapshot", e->snapshot[0] ? json_string(e->snapshot) : json_null());
        json_object_set_new(j, "snapshot_exists", json_boolean(exists));
        json_object_set_new(j, "erased", e->erased_us ? json_string(cw_fmt_utc(e->erased_us, ts, sizeof ts)) : json_null());
        json_array_append_new(o->arr, j);
        return;
    }
    const struct cw_cli *g = o->g;
    char peak[16];
    snprintf(peak, sizeof peak, "%.3f", e->peak);
    cw_cli_col(cw_fmt_local(e->start_us, ts, sizeof ts), 20), cw_cli_col(e->camera, 16);
    cw_cli_col(cw_word_kind(e->kind, CW_WORD_EVENT, g->lang_vi), 12);
    cw_cli_col(cw_cli_dur(g, e->end_us - e->start_us, dur, sizeof dur), 12), cw_cli_col(peak, 6);
    if (e->erased_us) {
        char er[40];
        printf(CW_L(g, "(ảnh đã xoá theo yêu cầu lúc %s)\n", "(pictures erased on request at %s)\n"),
               cw_fmt_local(e->erased_us, er, sizeof er));
        return;
    }
    printf("%s%s\n", e->snapshot[0] ? e->snapshot : "-", e->snapshot[0] && !exists ? CW_L(g, " (đã xóa)", " (deleted)") : "");
}

static void usage(FILE *f)
{
    fprintf(f, "usage: camwatch events [--camera ID] [--kind KIND] [--since TIME] [--json]\n"
               "Detection events, oldest first, with their snapshot files.\n"
               "  --camera ID   one camera (an id the database does not know is an error)\n"
               "  --kind KIND   one kind (motion, activity, ... as recorded)\n"
               "  --since TIME  from TIME on; a bare duration (30m, 2h, 7d) means that long ago\n"
               CW_CLI_TIME_HELP "\n");
}

int cw_cli_events(int argc, char **argv, struct cw_cli *g)
{
    static const struct option longopts[] = {
        CW_CLI_COMMON_LONGOPTS,           {"json", no_argument, NULL, 'j'},
        {"camera", required_argument, NULL, 'C'}, {"kind", required_argument, NULL, 'k'},
        {"since", required_argument, NULL, 's'},  {NULL, 0, NULL, 0},
    };
    const char *camera = NULL, *kind = NULL, *since_s = NULL;
    int64_t since = 0;
    struct out o = {0};
    int c;
    cw_cli_getopt_begin();
    while ((c = getopt_long(argc, argv, ":c:h", longopts, NULL)) != -1) {
        if (cw_cli_common(g, c, optarg))
            continue;
        switch (c) {
        case 'h': usage(stdout); return 0;
        case 'j': o.json = 1; break;
        case 'C': camera = optarg; break;
        case 'k': kind = optarg; break;
        case 's': since_s = optarg; break;
        default: return cw_cli_bad_option(g, argv, c);
        }
    }
    if (optind < argc) {
        fprintf(stderr, "%s: unexpected argument '%s'\n", g->cmd, argv[optind]);
        return CW_EXIT_USAGE;
    }
    char db[4096];
    struct cw_store *st;
    int rc = cw_cli_open(g, 1, &st, db, sizeof db, NULL);
    if (rc != 0)
        return rc;
    /* read in the commune's zone, which cw_cli_open has just set */
    if (since_s && cw_cli_time_arg(g, "--since", since_s, cw_wall_us(), 1, &since) < 0) {
        cw_store_close(st);
        return CW_EXIT_USAGE;
    }
    /* A filter value nobody recorded is a typo, not "no events". */
    if (camera && cw_store_hierarchy_has(st, CW_MAINT_CAMERA, camera) == 0) {
        fprintf(stderr, "%s: no camera '%s' in %s\n", g->cmd, camera, db);
        cw_store_close(st);
        return CW_EXIT_USAGE;
    }
    if (kind && cw_store_event_kind_known(st, kind) == 0) {
        fprintf(stderr, "%s: no event of kind '%s' was ever recorded in %s\n", g->cmd, kind, db);
        cw_store_close(st);
        return CW_EXIT_USAGE;
    }

    o.g = g;
    if (o.json) {
        o.arr = json_array();
    } else {
        cw_cli_col(CW_L(g, "BẮT ĐẦU", "START"), 20), cw_cli_col("CAMERA", 16), cw_cli_col(CW_L(g, "LOẠI", "KIND"), 12);
        cw_cli_col(CW_L(g, "THỜI LƯỢNG", "LENGTH"), 12), cw_cli_col(CW_L(g, "ĐỈNH", "PEAK"), 6);
        printf("%s\n", CW_L(g, "ẢNH", "SNAPSHOT"));
    }
    struct cw_event_query q = CW_EVENT_QUERY_ALL;
    q.camera = camera;
    q.kind = kind;
    q.since_us = since;
    rc = cw_store_each_event(st, &q, on_event, &o);
    cw_store_close(st);
    if (o.json) {
        char *s = json_dumps(o.arr, JSON_INDENT(2));
        puts(s);
        free(s);
        json_decref(o.arr);
    } else if (o.n == 0) {
        printf("%s\n", CW_L(g, "(không có sự kiện)", "(no events)"));
    }
    return rc < 0 ? 1 : 0;
}
