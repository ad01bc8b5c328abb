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
#include "report.h"

struct out {
    int json;
    json_t *arr;
    int n;
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
        json_array_append_new(o->arr, j);
        return;
    }
    printf("%-19s  %-16s %-10s %8s  %6.3f  %s%s\n", cw_fmt_local(e->start_us, ts, sizeof ts), e->camera, e->kind,
           cw_fmt_duration(e->end_us - e->start_us, dur, sizeof dur), e->peak, e->snapshot[0] ? e->snapshot : "-",
           e->snapshot[0] && !exists ? " (deleted)" : "");
}

/* "2026-11-23", "2026-11-23 22:00" (local), or "30m", "2h", "7d" ago. */
static int parse_since(const char *s, int64_t *out)
{
    char *end;
    double v = strtod(s, &end);
    if (end != s && (!strcmp(end, "m") || !strcmp(end, "h") || !strcmp(end, "d"))) {
        if (!isfinite(v) || v <= 0 || v > 100000) /* nan, inf, negative: no filter, silently */
            return -1;
        double mult = *end == 'm' ? 60 : *end == 'h' ? 3600 : 86400;
        *out = cw_wall_us() - (int64_t)(v * mult * 1e6);
        return 0;
    }
    struct tm tm = {0};
    const char *r = strptime(s, "%Y-%m-%d %H:%M", &tm);
    if (!r || *r) {
        memset(&tm, 0, sizeof tm);
        r = strptime(s, "%Y-%m-%d", &tm);
    }
    if (!r || *r)
        return -1;
    tm.tm_isdst = -1;
    time_t t = mktime(&tm);
    if (t == (time_t)-1 || tm.tm_year < 70 || tm.tm_year > 200)
        return -1;
    *out = (int64_t)t * 1000000;
    return 0;
}

int cw_cli_events(int argc, char **argv, const char *db)
{
    const char *camera = NULL, *kind = NULL;
    int64_t since = 0;
    struct out o = {0};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--json") == 0)
            o.json = 1;
        else if (strcmp(a, "--camera") == 0 && v)
            camera = v, i++;
        else if (strcmp(a, "--kind") == 0 && v)
            kind = v, i++;
        else if (strcmp(a, "--since") == 0 && v) {
            if (parse_since(v, &since) < 0) {
                fprintf(stderr, "camwatch events: --since wants YYYY-MM-DD[ HH:MM] or 30m/2h/7d, got '%s'\n", v);
                return 2;
            }
            i++;
        } else {
            fprintf(stderr, "usage: camwatch events [--camera ID] [--since T] [--kind K] [--json]\n");
            return 2;
        }
    }
    struct cw_store *st;
    if (cw_store_open(db, 1, &st) < 0)
        return 1;
    if (o.json)
        o.arr = json_array();
    else
        printf("%-19s  %-16s %-10s %8s  %6s  %s\n", "START", "CAMERA", "KIND", "LENGTH", "PEAK", "SNAPSHOT");
    int rc = cw_store_each_event(st, camera, kind, since, on_event, &o);
    cw_store_close(st);
    if (o.json) {
        char *s = json_dumps(o.arr, JSON_INDENT(2));
        puts(s);
        free(s);
        json_decref(o.arr);
    } else if (o.n == 0) {
        printf("(no events)\n");
    }
    return rc < 0 ? 1 : 0;
}
