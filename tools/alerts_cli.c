/* `camwatch alerts [--pending] [--json]`: the outbox, one line per
 * delivery (an alert to one target), oldest first. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../daemon/clock.h"
#include "../daemon/store.h"
#include "../daemon/words.h"
#include "cli.h"

struct out {
    int json, n;
    json_t *arr;
    const struct cw_cli *g;
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
    const struct cw_cli *g = o->g;
    char tries[16];
    snprintf(tries, sizeof tries, "%d", d->attempts);
    cw_cli_col(cw_fmt_local(d->created_us, ts, sizeof ts), 20), cw_cli_col(d->camera[0] ? d->camera : "-", 14);
    cw_cli_col(cw_word_kind(d->kind, CW_WORD_ALERT, g->lang_vi), g->lang_vi ? 26 : 22), cw_cli_col(d->target, 14);
    cw_cli_col(cw_word_kind(d->state, CW_WORD_DELIVERY, g->lang_vi), g->lang_vi ? 22 : 18), cw_cli_col(tries, 4);
    cw_cli_col(when, 20);
    printf("%s\n", d->last_error);
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
    o.g = g;
    if (o.json) {
        o.arr = json_array();
    } else {
        cw_cli_col(CW_L(g, "LÚC", "RAISED"), 20), cw_cli_col("CAMERA", 14);
        cw_cli_col(CW_L(g, "LOẠI", "KIND"), g->lang_vi ? 26 : 22), cw_cli_col(CW_L(g, "NƠI NHẬN", "TARGET"), 14);
        cw_cli_col(CW_L(g, "TRẠNG THÁI GỬI", "STATE"), g->lang_vi ? 22 : 18), cw_cli_col(CW_L(g, "LẦN", "TRY"), 4);
        cw_cli_col(CW_L(g, "ĐÃ GỬI/GỬI LẠI LÚC", "DELIVERED/NEXT TRY"), 20);
        printf("%s\n", CW_L(g, "LỖI CUỐI", "LAST ERROR"));
    }
    rc = cw_store_each_delivery(st, pending, on_row, &o);
    cw_store_close(st);
    if (o.json) {
        char *s = json_dumps(o.arr, JSON_INDENT(2));
        puts(s);
        free(s);
        json_decref(o.arr);
    } else if (o.n == 0) {
        printf("(%s)\n", pending ? CW_L(g, "không có gì chờ gửi", "nothing pending") : CW_L(g, "không có cảnh báo", "no alerts"));
    }
    return rc < 0 ? 1 : 0;
}
