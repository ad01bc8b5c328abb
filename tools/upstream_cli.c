/* `camwatch upstream`: the province's central PostgreSQL (issue #25).
 *   init URL                 creates or migrates the central schema and roles
 *   add-edge URL ROLE INST   a login role that may send for one commune only
 *   sync [--url URL] [--instance NAME]
 *                            ships this database's backlog once and exits,
 *                            with the code camwatchd ships with
 *   status                   how far the province has this database
 *   check (with --db postgresql://…)
 *                            the province's copy against the communes'
 *                            digests (upstream_check.c)
 * Passwords come from --password-file or libpq's own PGPASSWORD/~/.pgpass,
 * never from the command line (it shows in ps) and never in output. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../daemon/clock.h"
#include "../daemon/error.h"
#include "../daemon/store.h"
#include "../daemon/upstream.h"
#include "cli.h"

static void usage(FILE *f)
{
    fprintf(f, "usage: camwatch upstream init URL [--password-file FILE]\n"
               "       camwatch upstream add-edge URL ROLE INSTANCE --edge-password-file FILE [--password-file FILE]\n"
               "       camwatch [-c FILE | --db FILE] upstream sync --url URL --instance NAME [--batch N]\n"
               "                [--password-file FILE] [--snapshots DIR]\n"
               "       camwatch [-c FILE | --db FILE] upstream status\n"
               "       camwatch --db postgresql://… upstream check [--all]\n"
               "URL: postgresql://USER@HOST[:PORT]/DB (sslmode=verify-full for a server across the network)\n"
               "or a key=value connection string, without its password: that comes from --password-file,\n"
               "else from PGPASSWORD or ~/.pgpass.\n"
               "init: creates or migrates the province's schema (versioned) and the roles camwatch_owner,\n"
               "camwatch_edge (may only call camwatch.apply_batch) and camwatch_reader (reads the tables).\n"
               "add-edge: a login role for one commune, sending for INSTANCE only.\n"
               "sync: ships the database's change log until nothing waits (an old database: all of it).\n"
               "status: rows waiting, the oldest's age, the last success and error.\n"
               "check: the province's figures per camera and month against each commune's digests (the unchecked\n"
               "ones; --all: every one); a camera that differs is named and its commune asked to send it again;\n"
               "exit 1 if any differs.\n");
}

/* The first line of a file, for a password; NULL with a message on error
 * (an empty file too: the CLI is given a file to use it). */
static char *read_secret(const char *cmd, const char *path)
{
    char err[300];
    char *pw = cw_upstream_read_password(path, err, sizeof err);
    if (!pw)
        fprintf(stderr, "%s: %s\n", cmd, err);
    else if (!pw[0]) {
        fprintf(stderr, "%s: the password file %s is empty\n", cmd, path);
        cw_upstream_wipe(pw);
        pw = NULL;
    }
    return pw;
}

static int check_url(const char *cmd, const char *url)
{
    char err[300];
    if (cw_upstream_check_conninfo(url, err, sizeof err)) {
        fprintf(stderr, "%s: --url %s\n", cmd, err);
        return -1;
    }
    return 0;
}

int cw_cli_upstream(int argc, char **argv, struct cw_cli *g)
{
    static const struct option longopts[] = {CW_CLI_COMMON_LONGOPTS,
                                             {"url", required_argument, NULL, 'u'},
                                             {"instance", required_argument, NULL, 'i'},
                                             {"batch", required_argument, NULL, 'B'},
                                             {"password-file", required_argument, NULL, 'p'},
                                             {"edge-password-file", required_argument, NULL, 'e'},
                                             {"snapshots", required_argument, NULL, 's'},
                                             {"all", no_argument, NULL, 'a'},
                                             {NULL, 0, NULL, 0}};
    const char *url = NULL, *instance = NULL, *pwfile = NULL, *edgefile = NULL, *snapshots = NULL;
    int batch = 1000, c, all = 0;
    if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
        usage(stdout);
        return 0;
    }
    if (argc < 2) {
        usage(stderr);
        return CW_EXIT_USAGE;
    }
    const char *verb = argv[1];
    const char *cmd = "camwatch upstream";
    optind = 0; /* re-initialise: main's getopt ran first */
    opterr = 0;
    while ((c = getopt_long(argc - 1, argv + 1, ":c:h", longopts, NULL)) != -1) {
        if (cw_cli_common(g, c, optarg))
            continue;
        switch (c) {
        case 'h': usage(stdout); return 0;
        case 'u': url = optarg; break;
        case 'i': instance = optarg; break;
        case 'p': pwfile = optarg; break;
        case 'e': edgefile = optarg; break;
        case 's': snapshots = optarg; break;
        case 'a': all = 1; break;
        case 'B': {
            char *e;
            long v = strtol(optarg, &e, 10);
            if (*e || v < 1 || v > 100000) {
                fprintf(stderr, "%s: --batch wants a number of rows from 1 to 100000, not '%s'\n", cmd, optarg);
                return CW_EXIT_USAGE;
            }
            batch = (int)v;
            break;
        }
        default: return cw_cli_bad_option(g, argv + 1, c);
        }
    }
    /* init and add-edge read no config: Vietnamese unless --lang en */
    g->lang_vi = !(g->lang && !strcmp(g->lang, "en"));
    char **pos = argv + 1 + optind; /* what is left after the verb's options */
    int npos = argc - 1 - optind;
    char *password = NULL;
    if (pwfile && !(password = read_secret(cmd, pwfile)))
        return CW_EXIT_USAGE;
    char err[512];
    int rc = 0;

    if (!strcmp(verb, "init") || !strcmp(verb, "add-edge")) {
        int add = verb[0] == 'a';
        if (npos != (add ? 3 : 1) || (add && !edgefile)) {
            usage(stderr);
            cw_upstream_wipe(password);
            return CW_EXIT_USAGE;
        }
        if (check_url(cmd, pos[0]) < 0) {
            cw_upstream_wipe(password);
            return CW_EXIT_USAGE;
        }
        char who[300];
        cw_upstream_describe(pos[0], who, sizeof who);
        if (!add) {
            int version = 0;
            rc = cw_upstream_init(pos[0], password, &version, err, sizeof err);
            if (rc == 0)
                printf("%s: %s: %s %d\n", cmd, who,
                       CW_L(g, "lược đồ của tỉnh ở phiên bản", "the province's schema is at version"), version);
        } else {
            char *edge_pw = read_secret(cmd, edgefile);
            if (!edge_pw) {
                cw_upstream_wipe(password);
                return CW_EXIT_USAGE;
            }
            rc = cw_upstream_add_edge(pos[0], password, pos[1], edge_pw, pos[2], err, sizeof err);
            cw_upstream_wipe(edge_pw);
            if (rc == 0)
                printf("%s: %s: %s %s → %s\n", cmd, who, CW_L(g, "vai trò", "role"), pos[1], pos[2]);
        }
        cw_upstream_wipe(password);
        if (rc < 0) {
            fprintf(stderr, "%s: %s\n", cmd, err);
            return rc == CW_EINVAL ? CW_EXIT_USAGE : CW_EXIT_FAIL;
        }
        return 0;
    }

    if (!strcmp(verb, "sync")) {
        if (npos != 0 || !url || !instance) {
            fprintf(stderr, "%s sync: --url and --instance are needed\n", cmd);
            cw_upstream_wipe(password);
            return CW_EXIT_USAGE;
        }
        if (check_url(cmd, url) < 0 || !cw_upstream_instance_ok(instance)) {
            if (!cw_upstream_instance_ok(instance))
                fprintf(stderr, "%s: --instance '%s' is not a name (letters, digits, '.', '_', '-'; 64 at most)\n",
                        cmd, instance);
            cw_upstream_wipe(password);
            return CW_EXIT_USAGE;
        }
        char db[4096];
        struct cw_store *st;
        if ((rc = cw_cli_open(g, 0, &st, db, sizeof db, NULL)) != 0) {
            cw_upstream_wipe(password);
            return rc;
        }
        struct cw_upstream_params p = {url, password, instance, snapshots, batch, 2};
        struct cw_upstream_round r;
        rc = cw_upstream_ship(st, &p, &r);
        cw_upstream_wipe(password);
        char until[40] = "-";
        if (r.complete_until_us > 0)
            cw_fmt_local(r.complete_until_us, until, sizeof until);
        if (rc == 0)
            printf("%s: %lld %s, %lld %s; %s %lld; %s %s%s%s\n", cmd, (long long)r.rows,
                   CW_L(g, "dòng đã gửi", "rows sent"), (long long)r.batches, CW_L(g, "lô", "batches"),
                   CW_L(g, "tỉnh đã nhận đến", "acknowledged up to"), (long long)r.acked,
                   CW_L(g, "dữ liệu đầy đủ đến", "data complete until"), until,
                   r.gaps ? CW_L(g, " (tỉnh thiếu dữ liệu: đã gửi lại tất cả)", " (the province had less: all sent again)")
                          : "",
                   r.resent ? CW_L(g, "; đã gửi lại lịch sử camera theo yêu cầu của tỉnh",
                                   "; cameras sent again at the province's request")
                            : "");
        else
            fprintf(stderr, "%s: %s\n", cmd, r.err);
        cw_store_close(st);
        return rc < 0 ? CW_EXIT_FAIL : 0;
    }

    if (!strcmp(verb, "check")) {
        cw_upstream_wipe(password);
        return cw_cli_upstream_check(g, all);
    }

    if (!strcmp(verb, "status")) {
        cw_upstream_wipe(password);
        char db[4096];
        struct cw_store *st;
        if ((rc = cw_cli_open(g, 1, &st, db, sizeof db, NULL)) != 0)
            return rc;
        struct cw_sync_info in;
        rc = cw_store_sync_info(st, &in);
        cw_store_close(st);
        if (rc < 0) {
            fprintf(stderr, "%s: cannot read the change log of %s\n", cmd, db);
            return CW_EXIT_FAIL;
        }
        char ok[40] = "-", tried[40] = "-";
        if (in.last_success_us)
            cw_fmt_local(in.last_success_us, ok, sizeof ok);
        if (in.last_attempt_us)
            cw_fmt_local(in.last_attempt_us, tried, sizeof tried);
        int64_t age = in.waiting && in.oldest_us ? (cw_wall_us() - in.oldest_us) / 1000000 : 0;
        cw_cli_col(CW_L(g, "gửi lên tỉnh", "shipping"), 22);
        printf("%s\n", in.on ? CW_L(g, "bật", "on") : CW_L(g, "tắt", "off"));
        cw_cli_col("epoch", 22);
        printf("%s\n", in.epoch);
        cw_cli_col(CW_L(g, "tỉnh đã nhận đến", "acknowledged up to"), 22);
        printf("%lld\n", (long long)in.acked);
        cw_cli_col(CW_L(g, "dòng đang chờ", "rows waiting"), 22);
        printf("%lld\n", (long long)in.waiting);
        cw_cli_col(CW_L(g, "dòng chờ lâu nhất", "oldest waiting"), 22);
        printf("%lld s\n", (long long)age);
        cw_cli_col(CW_L(g, "lần gửi được cuối", "last success"), 22);
        printf("%s\n", ok);
        cw_cli_col(CW_L(g, "lần thử cuối", "last attempt"), 22);
        printf("%s\n", tried);
        cw_cli_col(CW_L(g, "lỗi cuối", "last error"), 22);
        printf("%s\n", in.last_error[0] ? in.last_error : "-");
        return 0;
    }
    cw_upstream_wipe(password);
    fprintf(stderr, "%s: unknown '%s' (init, add-edge, sync, status, check)\n", cmd, verb);
    return CW_EXIT_USAGE;
}
