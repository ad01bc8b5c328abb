/* `camwatch status`: each camera's state now, from the database the daemon
 * keeps (never its memory), so it answers after a crash too. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "../daemon/clock.h"
#include "../daemon/words.h"
#include "cli.h"

static void usage(FILE *f)
{
    fprintf(f, "usage: camwatch status [--offline] [--state STATE] [--json]\n"
               "                       [--province ID] [--district ID] [--commune ID] [--site ID]\n"
               "One line per camera: state, since when, how long, last packet, fps, image conditions,\n"
               "and the cause of a fault in plain words with its detail (401, refused, timeout).\n"
               "  --offline      only cameras not online, longest down first (the work list)\n"
               "  --state STATE  only cameras in STATE (online, offline, stalled, starting, disabled)\n"
               "  --json         the same as JSON (ids and names, Unix microseconds and ISO 8601)\n"
               "  -c, --config FILE / --db FILE   where the database is (default " CW_CLI_DEFAULT_CONFIG ")\n"
               "Times are in the config's time zone, named in the header.\n");
}

static int cmp_offline(const void *a, const void *b)
{
    const struct cw_status_row *x = a, *y = b;
    int64_t sx = x->outage_since_us ? x->outage_since_us : x->since_us;
    int64_t sy = y->outage_since_us ? y->outage_since_us : y->since_us;
    /* The technician's work list: longest down first. */
    return sx < sy ? -1 : sx > sy;
}

static json_t *iso_or_null(int64_t us)
{
    char b[40];
    return us ? json_string(cw_fmt_utc(us, b, sizeof b)) : json_null();
}

static json_t *row_json(const struct cw_status_row *r, int64_t upto)
{
    const struct cw_names *nm = &r->names;
    json_t *j = json_pack("{s:s, s:s, s:s, s:s, s:I, s:I}", "id", r->id, "state", r->state, "cause", r->cause,
                          "detail", r->detail, "since_us", (json_int_t)r->since_us, "duration_s",
                          (json_int_t)((upto - r->since_us) / 1000000));
    cw_names_json(j, nm);
    json_object_set_new(j, "since", iso_or_null(r->since_us));
    json_object_set_new(j, "outage_since_us", r->outage_since_us ? json_integer(r->outage_since_us) : json_null());
    json_object_set_new(j, "outage_since", iso_or_null(r->outage_since_us));
    json_object_set_new(j, "image", r->image[0] ? json_string(r->image) : json_null());
    if (r->has_stats) {
        json_object_set_new(j, "last_packet_us",
                            r->stats.last_packet_us ? json_integer(r->stats.last_packet_us) : json_null());
        json_object_set_new(j, "last_packet", iso_or_null(r->stats.last_packet_us));
        json_object_set_new(j, "fps", json_real(r->stats.fps));
        json_object_set_new(j, "codec", json_string(r->stats.codec));
        json_object_set_new(j, "width", json_integer(r->stats.width));
        json_object_set_new(j, "height", json_integer(r->stats.height));
        json_object_set_new(j, "keyframe_interval_s", json_real(r->stats.keyframe_interval_s));
        json_object_set_new(j, "packets", json_integer(r->stats.packets));
        json_object_set_new(j, "bytes", json_integer(r->stats.bytes));
        json_object_set_new(j, "reconnects", json_integer(r->stats.reconnects));
        json_object_set_new(j, "decoded_frames", json_integer(r->stats.decoded_frames));
    }
    return j;
}

int cw_cli_status(int argc, char **argv, struct cw_cli *g)
{
    static const struct option longopts[] = {
        CW_CLI_COMMON_LONGOPTS,
        {"json", no_argument, NULL, 'j'},
        {"offline", no_argument, NULL, 'o'},
        {"state", required_argument, NULL, 's'},
        {"province", required_argument, NULL, 'P'},
        {"district", required_argument, NULL, 'D'},
        {"commune", required_argument, NULL, 'M'},
        {"site", required_argument, NULL, 'S'},
        {NULL, 0, NULL, 0},
    };
    struct cw_names_filter where = {0};
    const char *state = NULL;
    int json = 0, offline = 0, c;
    cw_cli_getopt_begin();
    while ((c = getopt_long(argc, argv, ":c:h", longopts, NULL)) != -1) {
        if (cw_cli_common(g, c, optarg))
            continue;
        switch (c) {
        case 'h': usage(stdout); return 0;
        case 'j': json = 1; break;
        case 'o': offline = 1; break;
        case 's': state = optarg; break;
        case 'P': where.province = optarg; break;
        case 'D': where.district = optarg; break;
        case 'M': where.commune = optarg; break;
        case 'S': where.site = optarg; break;
        default: return cw_cli_bad_option(g, argv, c);
        }
    }
    if (optind < argc) {
        fprintf(stderr, "%s: unexpected argument '%s' (%s --help)\n", g->cmd, argv[optind], g->cmd);
        return CW_EXIT_USAGE;
    }
    static const char *const states[] = {"online", "offline", "stalled", "starting", "disabled", NULL};
    if (state) {
        int k = 0;
        while (states[k] && strcmp(states[k], state) != 0)
            k++;
        if (!states[k]) {
            fprintf(stderr, "%s: unknown state '%s' (online, offline, stalled, starting, disabled)\n", g->cmd, state);
            return CW_EXIT_USAGE;
        }
    }

    char db[4096], buf1[40], buf2[40], buf3[40], zone[80];
    struct cw_store *st;
    struct cw_status_row *rows;
    int n, rc;
    int64_t started, heartbeat, stopped, now = cw_wall_us();
    if ((rc = cw_cli_open(g, 1, &st, db, sizeof db, NULL)) != 0)
        return rc;
    rc = cw_store_status(st, &rows, &n);
    int have_run = cw_store_last_run(st, &started, &heartbeat, &stopped) == 0;
    if (rc < 0)
        fprintf(stderr, "%s: reading %s failed: %s\n", g->cmd, db, cw_store_errmsg(st));
    cw_store_close(st);
    if (rc < 0)
        return CW_EXIT_FAIL;
    /* the place filters: a value that matches no camera is an error */
    int k = 0;
    for (int i = 0; i < n; i++)
        if (cw_names_match(&rows[i].names, rows[i].formerly, &where))
            rows[k++] = rows[i];
    if (k == 0 && n > 0 && cw_names_filter_set(&where)) {
        fprintf(stderr, "%s: no camera in %s matches that province, district, commune or site\n", g->cmd, db);
        free(rows);
        return CW_EXIT_USAGE;
    }
    n = k;
    k = 0;
    for (int i = 0; i < n; i++)
        if ((!offline || strcmp(rows[i].state, "online") != 0) && (!state || strcmp(rows[i].state, state) == 0))
            rows[k++] = rows[i];
    n = k;
    if (offline && n > 1)
        qsort(rows, (size_t)n, sizeof *rows, cmp_offline);
    /* States are only live while the daemon writes heartbeats; when it is
     * down, durations end at its last sign of life. */
    int running = have_run && !stopped && now - heartbeat < 60000000;
    int64_t upto = running || !have_run ? now : heartbeat;
    if (json) {
        json_t *arr = json_array();
        for (int i = 0; i < n; i++)
            json_array_append_new(arr, row_json(&rows[i], upto));
        json_t *top = json_pack("{s:b, s:I, s:o, s:s, s:o}", "daemon_running", running, "heartbeat_us",
                                (json_int_t)(have_run ? heartbeat : 0), "heartbeat", iso_or_null(have_run ? heartbeat : 0),
                                "time_zone", getenv("TZ") ? getenv("TZ") : "", "cameras", arr);
        char *s = json_dumps(top, JSON_INDENT(2));
        puts(s);
        free(s);
        json_decref(top);
        free(rows);
        return 0;
    }
    printf("%s %s (%s)\n", CW_L(g, "bây giờ", "now"), cw_fmt_local(now, buf1, sizeof buf1),
           cw_fmt_zone(now, zone, sizeof zone));
    char name[300];
    if (g->copy[0]) /* the province's: each commune's cameras as its last batch left them */
        printf(CW_L(g, "cơ sở dữ liệu của tỉnh %s: mỗi xã đến lần gửi cuối\n",
                    "the province's database %s: each commune as of its last shipment\n"),
               cw_cli_db_name(g, db, name, sizeof name));
    else if (!have_run)
        printf(CW_L(g, "camwatchd chưa từng chạy với %s\n", "camwatchd has never run on %s\n"), db);
    else if (!running)
        printf(CW_L(g, "camwatchd KHÔNG chạy (tín hiệu cuối lúc %s, cách đây %s): trạng thái dưới đây là của lúc đó\n",
                    "camwatchd is NOT running (last heartbeat %s, %s ago): states below are as of then\n"),
               cw_fmt_local(heartbeat, buf1, sizeof buf1), cw_cli_dur(g, now - heartbeat, buf2, sizeof buf2));
    /* columns by display width: Vietnamese words take more bytes than cells */
    static const int w[] = {16, 16, 18, 19, 16, 16, 7, 12};
    const char *head[] = {"CAMERA", CW_L(g, "ĐIỂM", "SITE"), CW_L(g, "TRẠNG THÁI", "STATE"), CW_L(g, "TỪ", "SINCE"),
                          CW_L(g, "ĐÃ", "FOR"), CW_L(g, "GÓI TIN CUỐI", "LAST PACKET"), CW_L(g, "KHUNG/S", "FPS"),
                          CW_L(g, "HÌNH ẢNH", "IMAGE")};
    for (int h = 0; h < 8; h++)
        cw_cli_col(head[h], w[h]);
    printf("%s\n", CW_L(g, "NGUYÊN NHÂN (CHI TIẾT)", "CAUSE (DETAIL)"));
    for (int i = 0; i < n; i++) {
        struct cw_status_row *r = &rows[i];
        char last[64], fps[16] = "-", cause[400] = "-", image[160] = "-";
        snprintf(last, sizeof last, "%s", CW_L(g, "chưa có", "never"));
        /* A down camera's SINCE is its outage's start, whatever the cause
         * changes and daemon restarts since. */
        if (r->outage_since_us > 0)
            r->since_us = r->outage_since_us;
        if (r->has_stats && r->stats.last_packet_us > 0) {
            cw_cli_dur(g, now - r->stats.last_packet_us, buf3, sizeof buf3);
            snprintf(last, sizeof last, CW_L(g, "%s trước", "%s ago"), buf3);
        }
        if (r->has_stats && r->stats.fps > 0 && strcmp(r->state, "online") == 0)
            snprintf(fps, sizeof fps, "%.1f", r->stats.fps);
        const char *cw = r->cause[0] ? (g->lang_vi ? cw_word(r->cause, 1) : r->cause) : NULL;
        if (cw)
            snprintf(cause, sizeof cause, r->detail[0] ? "%s (%s)" : "%s", cw, r->detail);
        if (r->image[0]) { /* "black,frozen" */
            size_t o = 0;
            char list[64];
            snprintf(list, sizeof list, "%s", r->image);
            for (char *save = NULL, *cond = strtok_r(list, ",", &save); cond; cond = strtok_r(NULL, ",", &save))
                o += (size_t)snprintf(image + o, sizeof image - o, "%s%s", o ? "," : "",
                                      g->lang_vi ? cw_word(cond, 1) : cond);
        }
        cw_cli_col(r->id, w[0]), cw_cli_col(r->names.site, w[1]);
        cw_cli_col(r->state[0] ? (g->lang_vi ? cw_word(r->state, 1) : r->state) : "-", w[2]);
        cw_cli_col(r->since_us ? cw_fmt_local(r->since_us, buf1, sizeof buf1) : "-", w[3]);
        cw_cli_col(r->since_us ? cw_cli_dur(g, upto - r->since_us, buf2, sizeof buf2) : "-", w[4]);
        cw_cli_col(last, w[5]), cw_cli_col(fps, w[6]), cw_cli_col(image, w[7]);
        printf("%s\n", cause);
    }
    if (n == 0)
        printf("%s\n", g->lang_vi ? "(không có camera nào)" : offline ? "(no offline cameras)" : state ? "(no such cameras)"
                                                                                                  : "(no cameras)");
    free(rows);
    return 0;
}
