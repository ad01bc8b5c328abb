/* `camwatch ack CAMERA`: someone takes a down camera on. The
 * acknowledgement goes into the database with who, when and a note;
 * camwatchd reads it with its next flush (about a second) and escalates
 * that outage no more. `camwatch ack --list` shows the recent ones. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../daemon/clock.h"
#include "../daemon/store.h"
#include "cli.h"

static void usage(FILE *f)
{
    fprintf(f, "usage: camwatch ack CAMERA [--note TEXT] [--by NAME]\n"
               "       camwatch ack --list [--since TIME]\n"
               "Acknowledges a down camera: its outage is no longer escalated (alerts.escalate_after).\n"
               "--by defaults to $SUDO_USER or $USER. --list shows the acknowledgements since TIME\n"
               "(default 7d ago).\n");
}

struct listing {
    int n;
    const struct cw_cli *g;
};

static void on_ack(void *ud, const char *camera, const char *note, const char *by, int64_t at)
{
    struct listing *l = ud;
    const struct cw_cli *g = l->g;
    char ts[40];
    if (l->n++ == 0) {
        cw_cli_col(CW_L(g, "NHẬN XỬ LÝ LÚC", "ACKNOWLEDGED"), 20), cw_cli_col("CAMERA", 16);
        cw_cli_col(CW_L(g, "NGƯỜI NHẬN", "BY"), 12);
        printf("%s\n", CW_L(g, "GHI CHÚ", "NOTE"));
    }
    cw_cli_col(cw_fmt_local(at, ts, sizeof ts), 20), cw_cli_col(camera, 16), cw_cli_col(by, 12);
    printf("%s\n", note);
}

int cw_cli_ack(int argc, char **argv, struct cw_cli *g)
{
    static const struct option longopts[] = {CW_CLI_COMMON_LONGOPTS,
                                             {"note", required_argument, NULL, 'n'},
                                             {"by", required_argument, NULL, 'b'},
                                             {"list", no_argument, NULL, 'l'},
                                             {"since", required_argument, NULL, 's'},
                                             {NULL, 0, NULL, 0}};
    const char *note = "", *by = NULL, *since_s = "7d";
    int list = 0, c;
    cw_cli_getopt_begin();
    while ((c = getopt_long(argc, argv, ":c:h", longopts, NULL)) != -1) {
        if (cw_cli_common(g, c, optarg))
            continue;
        switch (c) {
        case 'h': usage(stdout); return 0;
        case 'n': note = optarg; break;
        case 'b': by = optarg; break;
        case 'l': list = 1; break;
        case 's': since_s = optarg; break;
        default: return cw_cli_bad_option(g, argv, c);
        }
    }
    char db[4096];
    struct cw_store *st;
    int64_t now = cw_wall_us(), since;
    if (list) {
        int rc = cw_cli_open(g, 1, &st, db, sizeof db, NULL);
        if (rc != 0)
            return rc;
        if (cw_cli_time_arg(g, "--since", since_s, now, 1, &since) < 0) {
            cw_store_close(st);
            return CW_EXIT_USAGE;
        }
        struct listing l = {0, g};
        rc = cw_store_each_ack(st, since, on_ack, &l);
        cw_store_close(st);
        if (l.n == 0)
            printf("%s\n", CW_L(g, "(không có lần nhận xử lý nào)", "(no acknowledgement)"));
        return rc < 0 ? CW_EXIT_FAIL : 0;
    }
    if (optind + 1 != argc) {
        fprintf(stderr, "%s: name one CAMERA (%s --help)\n", g->cmd, g->cmd);
        return CW_EXIT_USAGE;
    }
    const char *camera = argv[optind];
    by = cw_cli_who(by);
    if (strlen(note) > 500 || strlen(by) > 60) {
        fprintf(stderr, "%s: the note (500) or the name (60) is too long\n", g->cmd);
        return CW_EXIT_USAGE;
    }
    int rc = cw_cli_open(g, 0, &st, db, sizeof db, NULL);
    if (rc != 0)
        return rc;
    int known = cw_store_hierarchy_has(st, CW_MAINT_CAMERA, camera);
    if (known <= 0) {
        cw_store_close(st);
        if (known == 0)
            fprintf(stderr, CW_L(g, "%s: không có camera '%s' trong %s\n", "%s: no camera '%s' in %s\n"), g->cmd, camera,
                    db);
        return known == 0 ? CW_EXIT_USAGE : CW_EXIT_FAIL;
    }
    rc = cw_store_ack_add(st, camera, note, by, now);
    if (rc < 0)
        fprintf(stderr, "%s: writing to %s failed: %s\n", g->cmd, db, cw_store_errmsg(st));
    cw_store_close(st);
    if (rc < 0)
        return CW_EXIT_FAIL;
    printf(CW_L(g, "%s: %s đã nhận xử lý%s%s\n", "%s acknowledged by %s%s%s\n"), camera, by, note[0] ? ": " : "", note);
    return 0;
}
