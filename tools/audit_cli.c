/* `camwatch audit`: who did what and who looked at whom (issue #26), from
 * the database's audit list, oldest first: logins and their failures,
 * acknowledgements and maintenance from the console, and every picture
 * served (an event's snapshot, a camera's latest, its thumbnail) with the
 * user, the token or "anonymous", and the address. */
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
    const char *user, *action, *camera;
    const struct cw_cli *g;
};

static void on_row(void *ud, const struct cw_audit_row *a)
{
    struct out *o = ud;
    if ((o->user && strcmp(o->user, a->user) != 0) || (o->action && strcmp(o->action, a->action) != 0) ||
        (o->camera && strcmp(o->camera, a->target) != 0))
        return;
    o->n++;
    char ts[40];
    if (o->json) {
        json_array_append_new(o->arr, json_pack("{s:I, s:s, s:I, s:s, s:s, s:s, s:s, s:s}", "id", (json_int_t)a->id,
                                                "at", cw_fmt_utc(a->at_us, ts, sizeof ts), "at_us",
                                                (json_int_t)a->at_us, "user", a->user, "action", a->action, "target",
                                                a->target, "detail", a->detail, "address", a->address));
        return;
    }
    const struct cw_cli *g = o->g;
    cw_cli_col(cw_fmt_local(a->at_us, ts, sizeof ts), 20), cw_cli_col(a->user, 14);
    cw_cli_col(cw_word_kind(a->action, CW_WORD_AUDIT, g->lang_vi), 22), cw_cli_col(a->target[0] ? a->target : "-", 16);
    cw_cli_col(a->address, 16);
    printf("%s\n", a->detail[0] ? a->detail : "-");
}

static void usage(FILE *f)
{
    fprintf(f, "usage: camwatch audit [--since TIME] [--until TIME] [--user NAME] [--action ACTION] [--camera ID]\n"
               "                      [--json]\n"
               "Who did what in the console and the API, and who was served which camera's pictures, oldest\n"
               "first. --user: a console user, 'token' (the bearer token) or 'anonymous' (an open API).\n"
               "ACTION: login, login_failed, login_refused, logout, ack, maintenance_add, maintenance_end,\n"
               "view_snapshot, view_thumbnail (a thumbnail seen again within 10 minutes is one view).\n"
               "  --since TIME  from TIME on; a bare duration (30m, 2h, 7d) means that long ago\n" CW_CLI_TIME_HELP
               "\n");
}

int cw_cli_audit(int argc, char **argv, struct cw_cli *g)
{
    static const struct option longopts[] = {
        CW_CLI_COMMON_LONGOPTS,
        {"json", no_argument, NULL, 'j'},
        {"since", required_argument, NULL, 's'},
        {"until", required_argument, NULL, 'u'},
        {"user", required_argument, NULL, 'U'},
        {"action", required_argument, NULL, 'a'},
        {"camera", required_argument, NULL, 'C'},
        {NULL, 0, NULL, 0},
    };
    const char *since_s = NULL, *until_s = NULL;
    struct out o = {0};
    int c;
    cw_cli_getopt_begin();
    while ((c = getopt_long(argc, argv, ":c:h", longopts, NULL)) != -1) {
        if (cw_cli_common(g, c, optarg))
            continue;
        switch (c) {
        case 'h': usage(stdout); return 0;
        case 'j': o.json = 1; break;
        case 's': since_s = optarg; break;
        case 'u': until_s = optarg; break;
        case 'U': o.user = optarg; break;
        case 'a': o.action = optarg; break;
        case 'C': o.camera = optarg; break;
        default: return cw_cli_bad_option(g, argv, c);
        }
    }
    if (optind < argc) {
        fprintf(stderr, "%s: unexpected argument '%s'\n", g->cmd, argv[optind]);
        return CW_EXIT_USAGE;
    }
    if (o.action && !cw_word_find_kind(o.action, CW_WORD_AUDIT)) {
        fprintf(stderr, "%s: --action '%s' is none of the audit list's actions (%s --help)\n", g->cmd, o.action,
                g->cmd);
        return CW_EXIT_USAGE;
    }
    char db[4096];
    struct cw_store *st;
    int rc = cw_cli_open(g, 1, &st, db, sizeof db, NULL);
    if (rc != 0)
        return rc;
    struct cw_event_query q = CW_EVENT_QUERY_ALL;
    int64_t now = cw_wall_us();
    if ((since_s && cw_cli_time_arg(g, "--since", since_s, now, 1, &q.since_us) < 0) ||
        (until_s && cw_cli_time_arg(g, "--until", until_s, now, 1, &q.until_us) < 0)) {
        cw_store_close(st);
        return CW_EXIT_USAGE;
    }
    o.g = g;
    if (o.json) {
        o.arr = json_array();
    } else {
        cw_cli_col(CW_L(g, "LÚC", "AT"), 20), cw_cli_col(CW_L(g, "AI", "WHO"), 14);
        cw_cli_col(CW_L(g, "VIỆC", "ACTION"), 22), cw_cli_col(CW_L(g, "CAMERA/ĐỐI TƯỢNG", "TARGET"), 16);
        cw_cli_col(CW_L(g, "ĐỊA CHỈ", "ADDRESS"), 16);
        printf("%s\n", CW_L(g, "CHI TIẾT", "DETAIL"));
    }
    rc = cw_store_each_audit(st, &q, on_row, &o);
    cw_store_close(st);
    if (o.json) {
        char *s = json_dumps(o.arr, JSON_INDENT(2));
        puts(s);
        free(s);
        json_decref(o.arr);
    } else if (o.n == 0) {
        printf("%s\n", CW_L(g, "(không có mục nào)", "(nothing recorded)"));
    }
    return rc < 0 ? CW_EXIT_FAIL : 0;
}
