/* `camwatch privacy export|erase`: a person's request about their data
 * (PDPL, issue #26), answered in minutes: everything camwatch holds of a
 * camera or a site over a time range, as one archive for the person, or
 * the range's pictures erased (events keep their times, marked erased).
 * Safe while camwatchd runs; both are recorded in the audit list. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../daemon/clock.h"
#include "../daemon/config.h"
#include "../daemon/privacy.h"
#include "../daemon/store.h"
#include "cli.h"

static void usage(FILE *f)
{
    fprintf(f, "usage: camwatch privacy export (--camera ID | --site ID) --from TIME --to TIME [--out FILE.zip]\n"
               "       camwatch privacy erase  (--camera ID | --site ID) --from TIME --to TIME [--yes]\n"
               "export writes one archive: a listing for the person making the request, the events\n"
               "(events.csv) and their pictures (default FILE: yeu-cau-ID-YYYYMMDD-HHMM.zip here).\n"
               "erase deletes the range's pictures; the events keep their times and scores, marked\n"
               "erased. Without --yes it only says what would go. Both go into the audit list\n"
               "(--by NAME, default $SUDO_USER or $USER). Needs the config (-c): the pictures' folder.\n"
               CW_CLI_TIME_HELP "\n");
}

struct counter {
    int events, erased;
};

static void on_count(void *ud, const struct cw_event_row *e)
{
    struct counter *c = ud;
    c->events++;
    c->erased += e->erased_us != 0;
}

int cw_cli_privacy(int argc, char **argv, struct cw_cli *g)
{
    static const struct option longopts[] = {CW_CLI_COMMON_LONGOPTS,
                                             {"camera", required_argument, NULL, 'C'},
                                             {"site", required_argument, NULL, 'S'},
                                             {"from", required_argument, NULL, 'f'},
                                             {"to", required_argument, NULL, 't'},
                                             {"out", required_argument, NULL, 'o'},
                                             {"by", required_argument, NULL, 'b'},
                                             {"yes", no_argument, NULL, 'y'},
                                             {NULL, 0, NULL, 0}};
    const char *camera = NULL, *site = NULL, *from_s = NULL, *to_s = NULL, *out = NULL, *by = NULL;
    int yes = 0, c;
    if (argc < 2 || (strcmp(argv[1], "export") && strcmp(argv[1], "erase"))) {
        if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
            usage(stdout);
            return 0;
        }
        usage(stderr);
        return CW_EXIT_USAGE;
    }
    int erase = !strcmp(argv[1], "erase");
    argc--, argv++;
    cw_cli_getopt_begin();
    while ((c = getopt_long(argc, argv, ":c:h", longopts, NULL)) != -1) {
        if (cw_cli_common(g, c, optarg))
            continue;
        switch (c) {
        case 'h': usage(stdout); return 0;
        case 'C': camera = optarg; break;
        case 'S': site = optarg; break;
        case 'f': from_s = optarg; break;
        case 't': to_s = optarg; break;
        case 'o': out = optarg; break;
        case 'b': by = optarg; break;
        case 'y': yes = 1; break;
        default: return cw_cli_bad_option(g, argv, c);
        }
    }
    if (optind < argc || !camera == !site || !from_s || !to_s || (erase && out)) {
        fprintf(stderr, "%s: give --camera or --site, --from and --to%s (%s --help)\n", g->cmd,
                erase ? "; --out is export's" : "", g->cmd);
        return CW_EXIT_USAGE;
    }
    char db[4096];
    struct cw_store *st;
    int rc = cw_cli_open(g, 0, &st, db, sizeof db, NULL);
    if (rc != 0)
        return rc;
    int64_t now = cw_wall_us(), from, to;
    if (cw_cli_time_arg(g, "--from", from_s, now, 1, &from) < 0 || cw_cli_time_arg(g, "--to", to_s, now, 1, &to) < 0) {
        cw_store_close(st);
        return CW_EXIT_USAGE;
    }
    if (to <= from) {
        fprintf(stderr, "%s: --to must be after --from\n", g->cmd);
        cw_store_close(st);
        return CW_EXIT_USAGE;
    }
    /* the pictures' folder is the config's: a copied database names paths
     * that are not this machine's */
    struct cw_config *cfg = NULL;
    struct cw_config_errors errs = {0};
    if (cw_config_load(g->config, CW_CONFIG_KEEP_ENV, &cfg, &errs) < 0) {
        fprintf(stderr, "%s: %s needs the config (-c) for the pictures' folder:\n", g->cmd, g->cmd);
        for (int i = 0; i < errs.n && i < 5; i++)
            fprintf(stderr, "  %s\n", errs.msgs[i]);
        cw_config_errors_free(&errs);
        cw_store_close(st);
        return CW_EXIT_FAIL;
    }
    cw_config_errors_free(&errs);
    char root[4200], who[200];
    snprintf(root, sizeof root, "%s/snapshots", cfg->state_dir);
    snprintf(who, sizeof who, "cli:%s", cw_cli_who(by));
    const char *id = camera ? camera : site;
    int known = camera ? cw_store_hierarchy_has(st, CW_MAINT_CAMERA, camera) : cw_store_hierarchy_has(st, CW_MAINT_SITE, site);
    if (known <= 0) {
        if (known == 0)
            fprintf(stderr, CW_L(g, "%s: không có %s '%s' trong %s\n", "%s: no %s '%s' in %s\n"), g->cmd,
                    camera ? "camera" : CW_L(g, "điểm", "site"), id, db);
        cw_config_free(cfg);
        cw_store_close(st);
        return known == 0 ? CW_EXIT_USAGE : CW_EXIT_FAIL;
    }
    struct cw_privacy_req q = {camera, site, from, to, root, who, "", g->lang_vi, NULL};
    struct cw_privacy_result res;
    char a[40], b[40];
    cw_fmt_local(from, a, sizeof a);
    cw_fmt_local(to, b, sizeof b);
    if (!erase) {
        char path[4200], stamp[40];
        if (!out) {
            cw_fmt_local(now, stamp, sizeof stamp);
            snprintf(path, sizeof path, "yeu-cau-%s-%.4s%.2s%.2s-%.2s%.2s.zip", id, stamp, stamp + 5, stamp + 8,
                     stamp + 11, stamp + 14);
            out = path;
        }
        rc = cw_privacy_export(st, &q, out, now, &res);
        if (rc < 0)
            fprintf(stderr, "%s: %s\n", g->cmd, res.err);
        else
            printf(CW_L(g, "%s: %d sự kiện, %d ảnh của %s từ %s đến %s%s\n",
                        "%s: %d event(s), %d picture(s) of %s from %s to %s%s\n"),
                   out, res.events, res.pictures, id, a, b,
                   res.erased ? CW_L(g, " (có sự kiện đã xoá ảnh)", " (some events' pictures erased before)") : "");
    } else if (!yes) {
        struct counter n = {0, 0};
        char **cams = NULL, *one[2] = {(char *)camera, NULL};
        int nc = 0;
        if (site)
            cams = cw_store_site_cameras(st, site, &nc);
        rc = cw_store_each_event_of(st, (const char *const *)(site ? cams : one), from, to, on_count, &n);
        for (int i = 0; cams && cams[i]; i++)
            free(cams[i]);
        free(cams);
        if (rc >= 0)
            printf(CW_L(g, "Sẽ xoá ảnh của %d sự kiện (%d đã xoá trước) và mọi ảnh chụp của %s từ %s đến %s.\n"
                           "Chạy lại với --yes để xoá (không thể hoàn tác).\n",
                        "Would erase the pictures of %d event(s) (%d erased before) and every picture of %s from %s "
                        "to %s.\nRun again with --yes to erase (it cannot be undone).\n"),
                   n.events, n.erased, id, a, b);
        rc = rc < 0 ? rc : CW_EXIT_USAGE; /* nothing done */
    } else {
        rc = cw_privacy_erase(st, &q, now, &res);
        if (rc < 0)
            fprintf(stderr, "%s: %s\n", g->cmd, res.err);
        else
            printf(CW_L(g, "Đã xoá %d ảnh; %d sự kiện của %s từ %s đến %s giữ thời gian, đánh dấu đã xoá ảnh.\n",
                        "Erased %d picture(s); %d event(s) of %s from %s to %s keep their times, marked erased.\n"),
                   res.pictures, res.events, id, a, b);
    }
    cw_config_free(cfg);
    cw_store_close(st);
    return rc < 0 ? CW_EXIT_FAIL : rc;
}
