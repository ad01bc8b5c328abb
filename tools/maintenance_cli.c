/* `camwatch maintenance add|list|end`: declared maintenance windows.
 *
 * A technician says a camera, a site, a commune or a district is under
 * repair from-to, with a note; the window goes into the database with who
 * and when. camwatchd reads the windows with every flush (about once a
 * second, no restart): it holds alerts back for the cameras inside one,
 * and reports show their down time inside it as maintenance. */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../daemon/clock.h"
#include "../daemon/error.h"
#include "../daemon/store.h"
#include "../daemon/words.h"
#include "cli.h"

static void usage(FILE *f)
{
    fprintf(f, "usage: camwatch maintenance add (--camera ID | --site ID | --commune ID | --district ID)\n"
               "                               --to TIME [--from TIME] [--note TEXT] [--by NAME]\n"
               "       camwatch maintenance list [--all] [--json]\n"
               "       camwatch maintenance end ID [--by NAME]\n"
               CW_CLI_TIME_HELP "\n"
               "--from defaults to now; --by to $SUDO_USER or $USER. list shows the windows not yet over\n"
               "(--all: every one).\n");
}

struct listing {
    int json, n;
    int64_t now;
    json_t *arr;
    const struct cw_cli *g;
};

static void on_window(void *ud, const struct cw_maint *w)
{
    struct listing *l = ud;
    char a[40], b[40], c[40];
    l->n++;
    if (l->json) {
        json_array_append_new(l->arr, json_pack("{s:I, s:s, s:s, s:s, s:I, s:s, s:I, s:s, s:s, s:s, s:b}", "id",
                                                (json_int_t)w->id, "scope", cw_maint_scope_name(w->scope), "target",
                                                w->target, "from", cw_fmt_utc(w->from_us, a, sizeof a), "from_us",
                                                (json_int_t)w->from_us, "to", cw_fmt_utc(w->to_us, b, sizeof b),
                                                "to_us", (json_int_t)w->to_us, "note", w->note, "by", w->by,
                                                "created", cw_fmt_utc(w->created_us, c, sizeof c), "active",
                                                w->from_us <= l->now && l->now < w->to_us));
        return;
    }
    const struct cw_cli *g = l->g;
    char id[24];
    if (l->n == 1) {
        cw_cli_col("ID", 5), cw_cli_col(CW_L(g, "PHẠM VI", "SCOPE"), 9), cw_cli_col(CW_L(g, "ĐỐI TƯỢNG", "TARGET"), 16);
        cw_cli_col(CW_L(g, "TỪ", "FROM"), 19), cw_cli_col(CW_L(g, "ĐẾN", "TO"), 19);
        cw_cli_col(CW_L(g, "NGƯỜI KHAI", "BY"), 10);
        printf("%s\n", CW_L(g, "GHI CHÚ", "NOTE"));
    }
    snprintf(id, sizeof id, "%lld", (long long)w->id);
    cw_cli_col(id, 5), cw_cli_col(cw_word_kind(cw_maint_scope_name(w->scope), CW_WORD_SCOPE, g->lang_vi), 9);
    cw_cli_col(w->target, 16), cw_cli_col(cw_fmt_local(w->from_us, a, sizeof a), 19);
    cw_cli_col(cw_fmt_local(w->to_us, b, sizeof b), 19), cw_cli_col(w->by, 10);
    printf("%s%s\n", w->note, w->from_us <= l->now && l->now < w->to_us ? CW_L(g, "  (đang diễn ra)", "  (now)") : "");
}

int cw_cli_maintenance(int argc, char **argv, struct cw_cli *g)
{
    static const struct option longopts[] = {
        {"camera", required_argument, NULL, 'C'}, {"site", required_argument, NULL, 'S'},
        {"commune", required_argument, NULL, 'M'}, {"district", required_argument, NULL, 'D'},
        {"from", required_argument, NULL, 'f'},   {"to", required_argument, NULL, 't'},
        {"note", required_argument, NULL, 'n'},   {"by", required_argument, NULL, 'b'},
        {"all", no_argument, NULL, 'a'},          {"json", no_argument, NULL, 'j'},
        CW_CLI_COMMON_LONGOPTS,                   {NULL, 0, NULL, 0},
    };
    const char *from = "now", *to = NULL, *note = "", *by = NULL, *target = NULL;
    int scope = -1, all = 0, json = 0, c;
    if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        usage(stdout);
        return 0;
    }
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    const char *verb = argv[1];
    optind = 0; /* re-initialise: main's getopt ran first */
    opterr = 0;
    while ((c = getopt_long(argc - 1, argv + 1, ":c:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'c': case CW_CLI_OPT_DB: cw_cli_common(g, c, optarg); break;
        case 'C': case 'S': case 'M': case 'D':
            if (target) {
                fprintf(stderr, "camwatch maintenance: give one of --camera, --site, --commune, --district\n");
                return 2;
            }
            target = optarg;
            scope = c == 'C' ? CW_MAINT_CAMERA : c == 'S' ? CW_MAINT_SITE : c == 'M' ? CW_MAINT_COMMUNE : CW_MAINT_DISTRICT;
            break;
        case 'f': from = optarg; break;
        case 't': to = optarg; break;
        case 'n': note = optarg; break;
        case 'b': by = optarg; break;
        case 'a': all = 1; break;
        case 'j': json = 1; break;
        case 'h': usage(stdout); return 0;
        default: return cw_cli_bad_option(g, argv + 1, c);
        }
    }
    char db[4096];
    int orc;
    int64_t now = cw_wall_us();
    struct cw_store *st;
    if (strcmp(verb, "list") == 0) {
        if ((orc = cw_cli_open(g, 1, &st, db, sizeof db, NULL)) != 0)
            return orc;
        struct listing l = {json, 0, now, json ? json_array() : NULL, g};
        int rc = cw_store_each_maintenance(st, all ? INT64_MIN : now, INT64_MAX, on_window, &l);
        cw_store_close(st);
        if (json) {
            char *s = json_dumps(l.arr, JSON_INDENT(2));
            puts(s ? s : "[]");
            free(s);
            json_decref(l.arr);
        } else if (l.n == 0) {
            if (g->lang_vi)
                printf("(không có khoảng bảo trì nào%s)\n", all ? "" : " đang hoặc sắp diễn ra");
            else
                printf("(no maintenance window%s)\n", all ? "" : " now or to come");
        }
        return rc < 0 ? 1 : 0;
    }
    if (strcmp(verb, "end") == 0) {
        char *e;
        long long id = optind + 1 < argc ? strtoll(argv[optind + 1], &e, 10) : 0;
        if (optind + 1 >= argc || *e || id <= 0) {
            fprintf(stderr, "camwatch maintenance end: give the window's ID (see maintenance list)\n");
            return 2;
        }
        if ((orc = cw_cli_open(g, 0, &st, db, sizeof db, NULL)) != 0)
            return orc;
        now = cw_cli_now(st);
        int rc = cw_store_maintenance_end(st, id, now, cw_cli_who(by));
        cw_store_close(st);
        if (rc == CW_ENOTFOUND)
            fprintf(stderr, CW_L(g, "camwatch maintenance end: không có khoảng bảo trì #%lld\n",
                                 "camwatch maintenance end: no window #%lld\n"), id);
        else if (rc == CW_EINVAL)
            fprintf(stderr, CW_L(g, "camwatch maintenance end: khoảng bảo trì #%lld đã kết thúc rồi\n",
                                 "camwatch maintenance end: window #%lld is already over\n"), id);
        else if (rc == 0)
            printf(CW_L(g, "đã kết thúc khoảng bảo trì #%lld\n", "maintenance window #%lld ended\n"), id);
        return rc == 0 ? 0 : rc == CW_ESTORE ? 1 : 2;
    }
    if (strcmp(verb, "add") != 0) {
        fprintf(stderr, "camwatch maintenance: unknown action '%s' (add, list, end)\n", verb);
        return 2;
    }
    struct cw_maint w;
    memset(&w, 0, sizeof w);
    if (!target) {
        fprintf(stderr, "camwatch maintenance add: say what is under repair: --camera, --site, --commune or --district\n");
        return 2;
    }
    if (!to) {
        fprintf(stderr, "camwatch maintenance add: --to is required (e.g. --to +4h)\n");
        return 2;
    }
    if (strlen(target) >= sizeof w.target || strlen(note) >= sizeof w.note) {
        fprintf(stderr, "camwatch maintenance add: the id or the note is too long\n");
        return 2;
    }
    /* The times are the commune's (the config's zone, set by cw_cli_open),
     * whatever this shell's TZ says. */
    if ((orc = cw_cli_open(g, 0, &st, db, sizeof db, NULL)) != 0)
        return orc;
    now = cw_cli_now(st);
    g->cmd = "camwatch maintenance add";
    if (cw_cli_time_arg(g, "--from", from, now, 0, &w.from_us) < 0 ||
        cw_cli_time_arg(g, "--to", to, now, 0, &w.to_us) < 0) {
        cw_store_close(st);
        return 2;
    }
    if (w.to_us <= w.from_us || w.to_us <= now) {
        fprintf(stderr, "%s\n", CW_L(g, "camwatch maintenance add: khoảng bảo trì phải kết thúc sau khi bắt đầu, và ở tương lai",
                                      "camwatch maintenance add: the window must end after it starts, and in the future"));
        cw_store_close(st);
        return 2;
    }
    w.scope = (enum cw_maint_scope)scope;
    snprintf(w.target, sizeof w.target, "%s", target);
    snprintf(w.note, sizeof w.note, "%s", note);
    snprintf(w.by, sizeof w.by, "%s", cw_cli_who(by));
    w.created_us = now;
    int known = cw_store_hierarchy_has(st, w.scope, w.target);
    if (known <= 0) {
        cw_store_close(st);
        if (known == 0)
            fprintf(stderr, CW_L(g, "camwatch maintenance add: không có %s '%s' trong %s\n",
                                 "camwatch maintenance add: no %s '%s' in %s\n"),
                    cw_word_kind(cw_maint_scope_name(w.scope), CW_WORD_SCOPE, g->lang_vi), w.target, db);
        return known == 0 ? 2 : 1;
    }
    int64_t id = 0;
    int rc = cw_store_maintenance_add(st, &w, &id);
    cw_store_close(st);
    if (rc < 0)
        return 1;
    char a[40], b[40];
    printf(CW_L(g, "khoảng bảo trì #%lld: %s %s, từ %s đến %s\n", "maintenance window #%lld: %s %s, %s to %s\n"),
           (long long)id, cw_word_kind(cw_maint_scope_name(w.scope), CW_WORD_SCOPE, g->lang_vi), w.target,
           cw_fmt_local(w.from_us, a, sizeof a), cw_fmt_local(w.to_us, b, sizeof b));
    return 0;
}
