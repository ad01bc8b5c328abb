/* `camwatch inventory`: the list a province asks for (Hanoi, 3 September
 * 2025): per camera its place, maker, model, firmware, serial, whether it
 * is certified to QCVN 135:2024/BTTTT, and its own security warnings
 * (inventory.h). Text, CSV, JSON or an ODT document. Never a password. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../daemon/clock.h"
#include "../daemon/config.h"
#include "../daemon/inventory.h"
#include "../daemon/report_fmt.h"
#include "../daemon/report_view.h"
#include "cli.h"

static void usage(FILE *f)
{
    fprintf(f, "usage: camwatch inventory [--format text|csv|json|odt] [--out FILE] [--no-probe] [--timeout S]\n"
               "Each camera's maker, model, firmware and serial (asked with ONVIF GetDeviceInformation at\n"
               "the camera's onvif: address, else the config's maker/model/firmware), its QCVN 135\n"
               "certification, and warnings: a maker's factory password, a password shared with other\n"
               "cameras (compared, never shown), a firmware older than firmware_fixed.\n"
               "--no-probe asks no camera. Exit status: 0, or 1 when a camera has a warning.\n");
}

static const char *warn_word(int i, int vi)
{
    static const char *const vi_w[] = {"mật khẩu mặc định của hãng", "dùng chung mật khẩu", "firmware cũ",
                                       "RTSP không mã hoá dù camera có RTSPS"};
    static const char *const en_w[] = {"factory password", "shared password", "old firmware",
                                       "RTSP without TLS though the camera offers RTSPS"};
    return vi ? vi_w[i] : en_w[i];
}

/* "mật khẩu mặc định của hãng; dùng chung mật khẩu (với cam-2)" */
static void warnings_text(const struct cw_inventory_row *r, int vi, char *out, size_t len)
{
    size_t o = 0;
    out[0] = '\0';
    for (int i = 0; i < CW_INV_N_WARNINGS; i++) {
        if (!(r->warnings & (1u << i)))
            continue;
        o += (size_t)snprintf(out + o, len - o, "%s%s", o ? "; " : "", warn_word(i, vi));
        if (o < len && (1u << i) == CW_INV_SHARED_PASSWORD)
            o += (size_t)snprintf(out + o, len - o, vi ? " (với %s)" : " (with %s)", r->shared_with);
        if (o >= len)
            break;
    }
}

static void csv_cell(FILE *f, const char *s, int last)
{
    cw_csv_quoted(f, s);
    fputc(last ? '\n' : ',', f);
}

int cw_cli_inventory(int argc, char **argv, struct cw_cli *g)
{
    static const struct option longopts[] = {CW_CLI_COMMON_LONGOPTS,
                                             {"format", required_argument, NULL, 'f'},
                                             {"out", required_argument, NULL, 'o'},
                                             {"no-probe", no_argument, NULL, 'n'},
                                             {"timeout", required_argument, NULL, 't'},
                                             {NULL, 0, NULL, 0}};
    const char *format = "text", *out = NULL;
    int probe = 1, timeout = 5, c;
    cw_cli_getopt_begin();
    while ((c = getopt_long(argc, argv, ":c:h", longopts, NULL)) != -1) {
        if (cw_cli_common(g, c, optarg))
            continue;
        switch (c) {
        case 'h': usage(stdout); return 0;
        case 'f': format = optarg; break;
        case 'o': out = optarg; break;
        case 'n': probe = 0; break;
        case 't': timeout = atoi(optarg); break;
        default: return cw_cli_bad_option(g, argv, c);
        }
    }
    int fmt = !strcmp(format, "text") ? 0 : !strcmp(format, "csv") ? 1 : !strcmp(format, "json") ? 2
                                                                   : !strcmp(format, "odt")  ? 3
                                                                                             : -1;
    if (fmt < 0 || optind < argc || timeout < 1 || timeout > 60) {
        fprintf(stderr, "%s: --format is text, csv, json or odt; --timeout 1 to 60 (%s --help)\n", g->cmd, g->cmd);
        return CW_EXIT_USAGE;
    }
    if (fmt == 3 && !out) {
        fprintf(stderr, "%s: an ODT document needs --out FILE.odt\n", g->cmd);
        return CW_EXIT_USAGE;
    }
    /* the cameras' passwords are needed to compare them: the service's
     * environment, as for camwatchd (a ${VAR} not set is compared as written) */
    struct cw_config *cfg;
    struct cw_config_errors errs = {0};
    if (cw_config_load(g->config, CW_CONFIG_KEEP_ENV, &cfg, &errs) < 0) {
        for (int i = 0; i < errs.n; i++)
            fprintf(stderr, "%s\n", errs.msgs[i]);
        cw_config_errors_free(&errs);
        return CW_EXIT_FAIL;
    }
    cw_config_errors_free(&errs);
    cw_cli_lang_only(g);
    /* the commune's times, whatever the machine's zone */
    setenv("TZ", g->tz ? g->tz : cfg->timezone, 1);
    tzset();
    int vi = g->lang_vi;
    struct cw_inventory_row *rows;
    int n, warned = 0;
    if (cw_inventory_make(cfg, probe, timeout, &rows, &n) < 0) {
        fprintf(stderr, "%s: out of memory\n", g->cmd);
        cw_config_free(cfg);
        return CW_EXIT_FAIL;
    }
    FILE *f = out ? fopen(out, fmt == 3 ? "wb" : "w") : stdout;
    if (!f) {
        fprintf(stderr, "%s: cannot write %s\n", g->cmd, out);
        free(rows);
        cw_config_free(cfg);
        return CW_EXIT_FAIL;
    }
    const char *heads_vi[] = {"Camera", "Tên", "Điểm", "Hãng", "Model", "Firmware", "Số sê-ri", "Nguồn",
                              "Chứng nhận", "Số chứng nhận", "Cảnh báo", "ONVIF"};
    const char *heads_en[] = {"Camera", "Name", "Site", "Maker", "Model", "Firmware", "Serial", "Source",
                              "Certified", "Certificate", "Warnings", "ONVIF"};
    const char *const *heads = vi ? heads_vi : heads_en;
    enum { NC = 12 };
    const char **cells = calloc((size_t)n * NC + 1, sizeof *cells);
    char(*warn)[600] = calloc((size_t)n + 1, sizeof *warn);
    json_t *arr = json_array();
    for (int i = 0; i < n && cells && warn; i++) {
        const struct cw_inventory_row *r = &rows[i];
        warned += r->warnings != 0;
        warnings_text(r, vi, warn[i], sizeof warn[i]);
        const char *src = !strcmp(r->source, "onvif") ? "ONVIF" : !strcmp(r->source, "config") ? (vi ? "cấu hình" : "config") : "-";
        const char *row[NC] = {r->camera, r->name, r->site, r->maker, r->model, r->firmware, r->serial, src,
                               r->certified[0] ? "QCVN 135:2024/BTTTT" : (vi ? "chưa rõ" : "not known"),
                               r->certificate, warn[i], r->onvif_error};
        memcpy(cells + (size_t)i * NC, row, sizeof row);
        json_t *w = json_array();
        for (int k = 0; k < CW_INV_N_WARNINGS; k++)
            if (r->warnings & (1u << k))
                json_array_append_new(w, json_string(cw_inv_warning_name(k)));
        json_array_append_new(arr, json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s?, s:s, s:o, s:s, s:s}",
                                             "camera", r->camera, "name", r->name, "site", r->site, "maker", r->maker,
                                             "model", r->model, "firmware", r->firmware, "serial", r->serial,
                                             "source", r->source, "certified", r->certified[0] ? r->certified : NULL,
                                             "certificate", r->certificate, "warnings", w, "shared_with",
                                             r->shared_with, "onvif_error", r->onvif_error));
    }
    int rc = 0;
    if (!cells || !warn) {
        rc = -1;
    } else if (fmt == 0) {
        char now[40];
        fprintf(f, vi ? "Danh sách camera (%d), lập lúc %s\n" : "Camera inventory (%d), made %s\n", n,
                cw_fmt_local(cw_wall_us(), now, sizeof now));
        for (int i = 0; i < n; i++) {
            const char **r = cells + (size_t)i * NC;
            fprintf(f, "\n%s (%s), %s %s\n", r[0], r[1], vi ? "điểm" : "site", r[2]);
            fprintf(f, "  %s: %s %s, firmware %s, %s %s (%s: %s)\n", vi ? "thiết bị" : "device", r[3][0] ? r[3] : "?",
                    r[4][0] ? r[4] : "?", r[5][0] ? r[5] : "?", vi ? "sê-ri" : "serial", r[6][0] ? r[6] : "?",
                    vi ? "nguồn" : "from", r[7]);
            fprintf(f, "  %s: %s%s%s\n", vi ? "chứng nhận" : "certified", r[8], r[9][0] ? ", " : "", r[9]);
            if (r[10][0])
                fprintf(f, "  %s: %s\n", vi ? "CẢNH BÁO" : "WARNING", r[10]);
            if (r[11][0])
                fprintf(f, "  ONVIF: %s\n", r[11]);
        }
        fprintf(f, vi ? "\n%d/%d camera có cảnh báo.\n" : "\n%d of %d cameras have a warning.\n", warned, n);
    } else if (fmt == 1) {
        for (int k = 0; k < NC; k++)
            csv_cell(f, heads[k], k == NC - 1);
        for (int i = 0; i < n; i++)
            for (int k = 0; k < NC; k++)
                csv_cell(f, cells[(size_t)i * NC + (size_t)k], k == NC - 1);
    } else if (fmt == 2) {
        json_t *top = json_pack("{s:O, s:i}", "cameras", arr, "warned", warned);
        char *s = top ? json_dumps(top, JSON_INDENT(2)) : NULL;
        fprintf(f, "%s\n", s ? s : "null");
        free(s);
        json_decref(top);
    } else {
        static const double shares[NC] = {0.08, 0.1, 0.08, 0.08, 0.09, 0.09, 0.09, 0.06, 0.08, 0.08, 0.1, 0.07};
        char title[200], intro[400], now[40];
        snprintf(title, sizeof title, vi ? "DANH SÁCH CAMERA AN NINH" : "SECURITY CAMERA INVENTORY");
        snprintf(intro, sizeof intro,
                 vi ? "Lập lúc %s. %d camera, %d có cảnh báo về bảo mật (QCVN 135:2024/BTTTT, Quyết định 724/QĐ-BTTTT)."
                    : "Made %s. %d cameras, %d with a security warning (QCVN 135:2024/BTTTT, Decision 724/QĐ-BTTTT).",
                 cw_fmt_local(cw_wall_us(), now, sizeof now), n, warned);
        rc = cw_odt_render_table(f, title, intro, heads, shares, NC, cells, n, vi);
    }
    json_decref(arr);
    free(cells);
    free(warn);
    free(rows);
    cw_config_free(cfg);
    if (out && fclose(f) != 0)
        rc = -1;
    if (rc < 0) {
        fprintf(stderr, "%s: writing %s failed\n", g->cmd, out ? out : "the list");
        return CW_EXIT_FAIL;
    }
    return warned ? CW_EXIT_FAIL : 0;
}
