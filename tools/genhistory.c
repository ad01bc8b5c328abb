/* `camwatch gen-history`: writes a synthetic but plausible state history
 * for N cameras over M months into a database, for report tests and the
 * report benchmark. Deterministic for a given --seed.
 *
 * Cameras get a reliability profile (reliable, flaky, poor, dying);
 * outages have causes in rough field proportions; every ~6 weeks the
 * daemon itself is down for some hours (unmonitored for every camera),
 * followed by a short `starting` span, as a real restart leaves. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../daemon/error.h"
#include "../daemon/store.h"
#include "../daemon/upstream.h"
#include "cli.h"

#define H 3600000000LL
#define DAY (24 * H)

static uint64_t rng;
static double uni(void) /* (0, 1) */
{
    rng ^= rng >> 12, rng ^= rng << 25, rng ^= rng >> 27;
    return ((rng * 0x2545F4914F6CDD1DULL) >> 11) * (1.0 / 9007199254740992.0) + 1e-12;
}
static int64_t expo(double mean_us) { return (int64_t)(-mean_us * log(uni())); }

struct window { int64_t s, e; };

struct gen {
    struct cw_store *st;
    struct window *win;
    int n_win;
    int64_t start, end;
    const char *camera;
    int64_t emitted; /* spans written */
};

/* Writes [s, e) in `state`, cut around the daemon's down windows; each
 * window becomes `unmonitored` and is followed by 2 s of `starting`. */
static int emit(struct gen *g, const char *state, const char *cause, int64_t s, int64_t e)
{
    for (int i = 0; i < g->n_win && s < e; i++) {
        struct window w = g->win[i];
        if (w.e <= s || w.s >= e)
            continue;
        if (w.s > s) {
            if (cw_store_import_span(g->st, g->camera, state, cause, s, w.s) < 0)
                return -1;
            g->emitted++;
        }
        if (w.s >= s) { /* the window starts inside this piece: write it once */
            int64_t st_end = w.e + 2000000 < e ? w.e + 2000000 : e;
            if (cw_store_import_span(g->st, g->camera, "unmonitored", "", w.s, w.e) < 0 ||
                (st_end > w.e && cw_store_import_span(g->st, g->camera, "starting", "", w.e, st_end) < 0))
                return -1;
            g->emitted += 2;
            s = st_end;
        } else {
            s = w.e;
        }
    }
    if (s < e) {
        if (cw_store_import_span(g->st, g->camera, state, cause, s, e) < 0)
            return -1;
        g->emitted++;
    }
    return 0;
}

static const char *pick_cause(const char **state)
{
    double u = uni();
    *state = "offline";
    if (u < 0.60) return "unreachable";
    if (u < 0.80) return "stream_error";
    if (u < 0.90) { *state = "stalled"; return ""; }
    if (u < 0.95) return "auth_failed";
    return "not_found";
}

static void usage(FILE *f)
{
    fprintf(f, "usage: camwatch gen-history --db FILE [--cameras N] [--months M] [--seed S]\n"
               "                            [--end YYYY-MM-DD] [--districts] [--instance NAME]\n"
               "Writes a synthetic, reproducible state history (outages by cause, daemon gaps) into\n"
               "FILE, for tests and benchmarks. Defaults: 100 cameras, 1 month, seed 1, ending today.\n"
               "--instance NAME puts NAME- before every camera, site and commune id (and NAME in the\n"
               "commune's name), so that several synthetic communes make one province.\n");
}

/* A whole number in [lo, hi], or -1 with a message. */
static int parse_count(const struct cw_cli *g, const char *opt, const char *s, long lo, long hi, long *out)
{
    char *end;
    long v = strtol(s, &end, 10);
    if (end == s || *end || v < lo || v > hi) {
        fprintf(stderr, "%s: %s wants a whole number from %ld to %ld, got '%s'\n", g->cmd, opt, lo, hi, s);
        return -1;
    }
    *out = v;
    return 0;
}

int cw_cli_gen_history(int argc, char **argv, struct cw_cli *cli)
{
    static const struct option longopts[] = {
        CW_CLI_COMMON_LONGOPTS,
        {"cameras", required_argument, NULL, 'n'}, {"months", required_argument, NULL, 'm'},
        {"seed", required_argument, NULL, 's'},    {"end", required_argument, NULL, 'e'},
        {"districts", no_argument, NULL, 'd'},     {"instance", required_argument, NULL, 'i'},
        {NULL, 0, NULL, 0},
    };
    long cameras = 100, months = 1, seedl = 1;
    const char *end_s = NULL, *instance = NULL;
    int districts = 0, opt;
    unsigned long long seed = 1;
    int64_t end = (int64_t)time(NULL) / 86400 * 86400 * 1000000LL;
    cw_cli_getopt_begin();
    while ((opt = getopt_long(argc, argv, ":c:h", longopts, NULL)) != -1) {
        if (cw_cli_common(cli, opt, optarg))
            continue;
        switch (opt) {
        case 'h': usage(stdout); return 0;
        case 'd': districts = 1; break;
        case 'n': if (parse_count(cli, "--cameras", optarg, 1, 100000, &cameras) < 0) return CW_EXIT_USAGE; break;
        case 'm': if (parse_count(cli, "--months", optarg, 1, 120, &months) < 0) return CW_EXIT_USAGE; break;
        case 's':
            if (parse_count(cli, "--seed", optarg, 0, 2147483647L, &seedl) < 0)
                return CW_EXIT_USAGE;
            seed = (unsigned long long)seedl;
            break;
        case 'e': end_s = optarg; break;
        case 'i':
            if (!cw_upstream_instance_ok(optarg) || strlen(optarg) > 40) {
                fprintf(stderr, "%s: --instance '%s' is not a name (letters, digits, '.', '_', '-'; 40 at most)\n",
                        cli->cmd, optarg);
                return CW_EXIT_USAGE;
            }
            instance = optarg;
            break;
        default: return cw_cli_bad_option(cli, argv, opt);
        }
    }
    if (optind < argc) {
        fprintf(stderr, "%s: unexpected argument '%s'\n", cli->cmd, argv[optind]);
        return CW_EXIT_USAGE;
    }
    if (!cli->db) {
        fprintf(stderr, "%s: needs --db FILE (it writes a synthetic history there, never into a real database)\n",
                cli->cmd);
        return CW_EXIT_USAGE;
    }
    /* --end is a local midnight of the zone the history is recorded for
     * (--tz, else the database's, else Asia/Ho_Chi_Minh), which is written
     * into the database as camwatchd would. */
    char dbbuf[4096];
    if (cw_cli_resolve(cli, dbbuf, sizeof dbbuf, NULL) < 0)
        return CW_EXIT_USAGE;
    if (end_s) {
        struct tm tm = {0};
        const char *r = strptime(end_s, "%Y-%m-%d", &tm);
        if (!r || *r) {
            fprintf(stderr, "%s: --end wants YYYY-MM-DD, got '%s'\n", cli->cmd, end_s);
            return CW_EXIT_USAGE;
        }
        tm.tm_isdst = -1;
        end = (int64_t)mktime(&tm) * 1000000LL;
    }
    const char *db = cli->db;
    struct gen g = {0};
    if (cw_store_open(db, 0, &g.st) < 0)
        return 1;
    struct cw_store_batch *settings = cw_store_batch_new();
    if (!settings || cw_store_batch_setting(settings, "timezone", cli->zone) < 0 ||
        cw_store_batch_setting(settings, "language", cli->lang_vi ? "vi" : "en") < 0 ||
        cw_store_apply(g.st, settings) < 0) {
        cw_store_batch_free(settings);
        cw_store_close(g.st);
        return 1;
    }
    cw_store_batch_free(settings);
    rng = seed * 0x9E3779B97F4A7C15ULL + 1;
    g.end = end;
    g.start = end - (int64_t)(months * 30.44 * DAY);
    /* The daemon's own outages, shared by all cameras. */
    g.win = calloc((size_t)(months * 2 + 2), sizeof *g.win);
    for (int64_t t = g.start + expo(45.0 * DAY); t < g.end && g.n_win < months * 2 + 2;
         t += expo(45.0 * DAY)) {
        int64_t len = 2 * H + (int64_t)(uni() * 28 * H);
        g.win[g.n_win++] = (struct window){t, t + len < g.end ? t + len : g.end};
        t += len;
    }
    if (cw_store_import_begin(g.st) < 0) {
        cw_store_close(g.st);
        return 1;
    }
    int rc = 0;
    char id[64];
    const char *pre = instance ? instance : "", *dash = instance ? "-" : "";
    for (int c = 0; c < cameras && rc == 0; c++) {
        int s = c / 3, cm = s / 5, d = cm / 10;
        struct cw_camera_meta m = {id, {{0}}, "rtsp://sim/", 1, "", ""};
        struct cw_names *n = &m.names;
        snprintf(id, sizeof id, "%s%scam-%04d", pre, dash, c);
        snprintf(n->name, sizeof n->name, "%s", id);
        snprintf(n->site, sizeof n->site, "%s%ssite-%03d", pre, dash, s);
        snprintf(n->site_name, sizeof n->site_name, "Điểm %d", s);
        snprintf(n->commune, sizeof n->commune, "%s%scommune-%02d", pre, dash, cm);
        snprintf(n->commune_name, sizeof n->commune_name, "Xã %s%s%d", pre, instance ? " " : "", cm);
        if (districts) { /* the optional level, for deployments that keep it */
            snprintf(n->district, sizeof n->district, "district-%d", d);
            snprintf(n->district_name, sizeof n->district_name, "Huyện %d", d);
        }
        snprintf(n->province, sizeof n->province, "synthetic");
        snprintf(n->province_name, sizeof n->province_name, "Tỉnh Thử nghiệm");
        rc = cw_store_import_camera(g.st, &m, g.start);
        g.camera = id;
        /* profile: mean time between failures and to repair */
        double u = uni(), mtbf, mttr;
        int64_t dies_at = g.end;
        if (u < 0.70) mtbf = 10 * DAY, mttr = 1 * H;
        else if (u < 0.90) mtbf = 1 * DAY, mttr = 0.5 * H;
        else if (u < 0.98) mtbf = 5 * DAY, mttr = 2 * DAY;
        else mtbf = 10 * DAY, mttr = 1 * H, dies_at = g.start + (int64_t)(uni() * (g.end - g.start));
        int64_t t = g.start;
        if (rc == 0)
            rc = emit(&g, "starting", "", t, t + 2000000);
        t += 2000000;
        while (rc == 0 && t < g.end) {
            int64_t up = expo(mtbf);
            int64_t e = t + up < dies_at ? t + up : dies_at;
            if (e > g.end)
                e = g.end;
            if (e > t)
                rc = emit(&g, "online", "", t, e);
            t = e;
            if (t >= g.end || rc)
                break;
            const char *state;
            const char *cause = pick_cause(&state);
            int64_t down = t >= dies_at ? g.end - t : 60000000 + expo(mttr);
            e = t + down < g.end ? t + down : g.end;
            rc = emit(&g, state, cause, t, e);
            t = e;
        }
    }
    rc = cw_store_import_end(g.st, rc == 0);
    printf("gen-history: %ld cameras, %ld months, %lld spans, %d daemon outages -> %s\n", cameras, months,
           (long long)g.emitted, g.n_win, db);
    free(g.win);
    cw_store_close(g.st);
    return rc < 0 ? 1 : 0;
}
