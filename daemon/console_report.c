/* The console's report page: GET /api/v1/report renders the monthly report
 * (or a span of days) as `camwatch report` does, from the same code
 * (report_feed.c, report_render.c), in HTML for the page's frame or as a
 * CSV/HTML/JSON download. The signed PDF and its ODT copy stay with the
 * CLI, which carries the typesetting libraries camwatchd does not. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "clock.h"
#include "console.h"
#include "report_feed.h"
#include "report_view.h"

enum MHD_Result cw_console_report(const struct cw_api_req *r, struct cw_store **ro, const char *database,
                                  const struct cw_report_rules *rules)
{
    static const char *const allowed[] = {"month", "from", "to", "province", "district", "commune", "site",
                                          "format", "lang", "download", NULL};
    char msg[300];
    struct MHD_Connection *c = r->c;
    if (strcmp(r->method, "GET") && strcmp(r->method, "HEAD"))
        return cw_api_not_allowed(c, "GET, HEAD");
    if (cw_api_unknown_arg(c, allowed, msg, sizeof msg))
        return cw_api_error(c, MHD_HTTP_BAD_REQUEST, msg);
    const char *fmt_s = cw_api_arg(c, "format"), *lang = cw_api_arg(c, "lang"), *dl = cw_api_arg(c, "download");
    enum cw_report_format fmt = CW_FMT_HTML;
    const char *type = "text/html; charset=utf-8", *ext = "html";
    if (fmt_s && !strcmp(fmt_s, "csv"))
        fmt = CW_FMT_CSV, type = "text/csv; charset=utf-8", ext = "csv";
    else if (fmt_s && !strcmp(fmt_s, "json"))
        fmt = CW_FMT_JSON, type = "application/json", ext = "json";
    else if (fmt_s && strcmp(fmt_s, "html"))
        return cw_api_error(c, MHD_HTTP_BAD_REQUEST,
                            "format is html, csv or json (the signed PDF: camwatch report --format pdf)");
    if (lang && strcmp(lang, "vi") && strcmp(lang, "en"))
        return cw_api_error(c, MHD_HTTP_BAD_REQUEST, "lang is vi or en");
    struct cw_report_period per;
    if (!cw_api_arg(c, "month") && !(cw_api_arg(c, "from") && cw_api_arg(c, "to")))
        return cw_api_error(c, MHD_HTTP_BAD_REQUEST, "say which period: month=YYYY-MM, or from= and to= (YYYY-MM-DD)");
    if (cw_report_period_parse(cw_api_arg(c, "month"), cw_api_arg(c, "from"), cw_api_arg(c, "to"), &per, msg,
                               sizeof msg) < 0)
        return cw_api_error(c, MHD_HTTP_BAD_REQUEST, msg);
    if (!*ro && cw_store_open(database, 1, ro) < 0) {
        cw_report_period_free(&per);
        return cw_api_error(c, MHD_HTTP_SERVICE_UNAVAILABLE, "database not readable");
    }
    struct cw_names_filter where = {cw_api_arg(c, "province"), cw_api_arg(c, "district"), cw_api_arg(c, "commune"),
                                    cw_api_arg(c, "site")};
    int64_t started, heartbeat, stopped, data_end = r->now;
    if (cw_store_last_run(*ro, &started, &heartbeat, &stopped) == 0 && stopped)
        data_end = stopped; /* a running daemon: its history runs up to now */
    struct cw_report rep;
    struct cw_report_query q = {&where, rules, data_end};
    struct cw_report_view view = {&rep, !lang || !strcmp(lang, "vi"), per.label, "", r->now, 0, {{0}}, NULL};
    long spans = 0;
    int matched = 0;
    int rc = cw_report_load(*ro, &q, &per, &rep, &view, &spans, &matched);
    enum MHD_Result ret;
    if (rc < 0)
        ret = cw_api_error(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "reading the database failed");
    else if (matched == 0 && cw_names_filter_set(&where))
        ret = cw_api_error(c, MHD_HTTP_BAD_REQUEST, "no camera is in that province, district, commune or site");
    else if (spans == 0) {
        snprintf(msg, sizeof msg, "camwatch holds no history for %s", per.label);
        ret = cw_api_error(c, MHD_HTTP_NOT_FOUND, msg);
    } else {
        char filter[300], *buf = NULL, disp[160];
        size_t len = 0;
        view.filter = cw_names_filter_label(&where, filter, sizeof filter);
        view.scope = where.site && where.site[0] ? 1 : where.commune && where.commune[0] ? 2
                     : where.district && where.district[0] ? 3 : 0;
        view.doc = &rules->doc;
        FILE *f = open_memstream(&buf, &len);
        if (!f || cw_report_render(f, fmt, &view) < 0) {
            if (f)
                fclose(f);
            free(buf);
            ret = cw_api_error(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "rendering failed");
        } else {
            fclose(f);
            snprintf(disp, sizeof disp, "attachment; filename=\"camwatch-report-%s.%s\"", per.monthly ? per.label : "days",
                     ext);
            /* the HTML report is one self-contained file with inline CSS and
             * SVG: shown in the console's frame, running no script */
            const struct cw_api_hdr h[] = {
                {"Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
                                            "frame-ancestors 'self'"},
                {"X-Frame-Options", "SAMEORIGIN"},
                {dl ? "Content-Disposition" : NULL, disp},
                {NULL, NULL}};
            ret = cw_api_send(c, MHD_HTTP_OK, type, buf, len, NULL, h);
        }
    }
    cw_report_free(&rep);
    cw_report_period_free(&per);
    return ret;
}
