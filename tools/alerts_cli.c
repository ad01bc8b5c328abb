/* `camwatch alerts [--pending] [--json]`: the outbox, one line per
 * delivery (an alert to one target), oldest first. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../daemon/clock.h"
#include "../daemon/store.h"
#include "cli.h"

struct out {
    int json, n;
    json_t *arr;
};

static void on_row(void *ud, const struct cw_delivery_row *d)
{
    struct out *o = ud;
    char ts[40], nx[40];
    o->n++;
    if (o->json) {
        json_error_t err;
        json_t *body = json_loads(d->body, 0, &err);
        json_array_append_new(o->arr, json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:i, s:s, s:o, s:o}", "key", d->key,
                                                "created", cw_fmt_utc(d->created_us, ts, sizeof ts), "camera",
                                                d->camera, "kind", d->kind, "target", d->target, "state", d->state,
                                                "attempts", d->attempts, "last_error", d->last_error, "delivered",
                                                d->delivered_us ? json_string(cw_fmt_utc(d->delivered_us, nx, sizeof nx))
                                                                : json_null(),
                                                "alert", body ? body : json_null()));
        return;
    }
    const char *when = d->delivered_us ? cw_fmt_local(d->delivered_us, nx, sizeof nx)
                       : strcmp(d->state, "pending") == 0 || strcmp(d->state, "held") == 0
                           ? cw_fmt_local(d->next_us, nx, sizeof nx)
                                                          : "-";
    printf("%-19s  %-14s %-17s %-14s %-9s %3d  %-19s  %s\n", cw_fmt_local(d->created_us, ts, sizeof ts), d->camera,
           d->kind, d->target, d->state, d->attempts, when, d->last_error);
}

static void usage(FILE *f)
{
    fprintf(f, "usage: camwatch alerts [--pending] [--json]\n"
               "The alert outbox: each alert per target, delivered or not, with its last error.\n"
               "  --pending   only those not yet delivered\n");
}

int cw_cli_alerts(int argc, char **argv, struct cw_cli *g)
{
    static const struct option longopts[] = {CW_CLI_COMMON_LONGOPTS, {"pending", no_argument, NULL, 'p'},
                                             {"json", no_argument, NULL, 'j'}, {NULL, 0, NULL, 0}};
    struct out o = {0};
    int pending = 0, c;
    cw_cli_getopt_begin();
    while ((c = getopt_long(argc, argv, ":c:h", longopts, NULL)) != -1) {
        if (cw_cli_common(g, c, optarg))
            continue;
        switch (c) {
        case 'h': usage(stdout); return 0;
        case 'p': pending = 1; break;
        case 'j': o.json = 1; break;
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
    if (o.json)
        o.arr = json_array();
    else
        printf("%-19s  %-14s %-17s %-14s %-9s %3s  %-19s  %s\n", "RAISED", "CAMERA", "KIND", "TARGET", "STATE", "TRY",
               "DELIVERED/NEXT TRY", "LAST ERROR");
    rc = cw_store_each_delivery(st, pending, on_row, &o);
    cw_store_close(st);
    if (o.json) {
        char *s = json_dumps(o.arr, JSON_INDENT(2));
        puts(s);
        free(s);
        json_decref(o.arr);
    } else if (o.n == 0) {
        printf("(%s)\n", pending ? "nothing pending" : "no alerts");
    }
    return rc < 0 ? 1 : 0;
}
