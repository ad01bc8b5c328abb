/* The report as one self-contained HTML file (inline CSS and SVG, A4),
 * also served by camwatchd's console. Its tables take their columns from
 * the column model (report_columns.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "report_columns.h"
#include "report_fmt.h"
#include "report_narrative.h"
#include "report_render.h"

static void esc(FILE *f, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '&': fputs("&amp;", f); break;
        case '"': fputs("&quot;", f); break;
        default: fputc(*s, f);
        }
    }
}

static char *pct(const struct cw_report_view *v, double x, char *buf, size_t len)
{
    return cw_rfmt_pct(x, v->lang_vi, buf, len);
}

static const char *const palette[] = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd",
                                      "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"};

/* A point marker: circle, square, triangle, diamond (told apart in
 * black-and-white print, with the dash patterns). */
static void marker(FILE *f, int kind, double x, double y, const char *color)
{
    switch (kind % 4) {
    case 0: fprintf(f, "<circle class=\"mark\" cx=\"%.1f\" cy=\"%.1f\" r=\"2.6\" fill=\"%s\"/>", x, y, color); break;
    case 1: fprintf(f, "<rect class=\"mark\" x=\"%.1f\" y=\"%.1f\" width=\"5\" height=\"5\" fill=\"%s\"/>", x - 2.5, y - 2.5, color); break;
    case 2:
        fprintf(f, "<path class=\"mark\" d=\"M%.1f %.1fl3 5h-6z\" fill=\"%s\"/>", x, y - 3, color);
        break;
    default:
        fprintf(f, "<path class=\"mark\" d=\"M%.1f %.1fl3 3l-3 3l-3 -3z\" fill=\"none\" stroke=\"%s\"/>", x, y - 3, color);
    }
}

static void svg_daily(FILE *f, const struct cw_report_view *v)
{
    static const char *const dashes[] = {"", "6 3", "2 2", "8 3 2 3"};
    const struct cw_report *r = v->r;
    const int W = 680, H = 220, L = 40, B = 24, T = 10;
    double dx = r->n_days > 1 ? (double)(W - L - 10) / (r->n_days - 1) : 0;
    int n = 0;
    double lo = r->rules.uptime_target;
    for (int i = 0; i < r->n_groups; i++) {
        const struct cw_report_group *g = &r->groups[i];
        if (g->level != 1)
            continue;
        n++;
        for (int d = 0; d < r->n_days; d++)
            if (g->day_uptime[d] >= 0 && g->day_uptime[d] < lo)
                lo = g->day_uptime[d];
    }
    /* the axis fits the data and the target, in steps of 5 points */
    lo = floor(lo / 5) * 5;
    if (lo > 95)
        lo = 95;
    double step = 100 - lo > 40 ? 10 : 5;
    int rows = (n + 2) / 3;
    fprintf(f, "<svg id=\"daily-chart\" class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
               "viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"", W, H + 8 + rows * 16, W, H + 8 + rows * 16);
    esc(f, cw_rr_tr(v, CW_RM_CHART_DAILY));
    fputs("\">\n", f);
#define YOF(p) (T + (H - T - B) * (1 - ((p) - lo) / (100 - lo)))
    for (double p = lo; p <= 100.001; p += step)
        fprintf(f, "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>"
                   "<text x=\"%d\" y=\"%.1f\" font-size=\"10\" text-anchor=\"end\">%.0f</text>\n",
                L, W - 10, YOF(p), YOF(p), L - 4, YOF(p) + 3, p);
    char tgt[48];
    fprintf(f, "<line class=\"target\" x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#c00\" stroke-dasharray=\"4 3\"/>"
               "<text x=\"%d\" y=\"%.1f\" font-size=\"9\" fill=\"#c00\" text-anchor=\"end\">%s %s</text>\n",
            L, W - 10, YOF(r->rules.uptime_target), YOF(r->rules.uptime_target), W - 12, YOF(r->rules.uptime_target) - 3,
            v->lang_vi ? "mục tiêu" : "target", pct(v, r->rules.uptime_target, tgt, sizeof tgt));
    for (int d = 0; d < r->n_days; d += r->n_days > 40 ? 30 : 5) {
        char ts[40];
        cw_rfmt_date(r->day_start_us[d], v->lang_vi, ts, sizeof ts); /* 26/11/2026 or 2026-11-26 */
        const char *label = ts + 5;
        if (v->lang_vi)
            ts[5] = '\0', label = ts; /* dd/mm */
        fprintf(f, "<text x=\"%.1f\" y=\"%d\" font-size=\"9\" text-anchor=\"middle\">%s</text>\n", L + d * dx,
                H - B + 14, label);
    }
    int k = 0;
    for (int i = 0; i < r->n_groups; i++) {
        const struct cw_report_group *g = &r->groups[i];
        if (g->level != 1)
            continue;
        const char *color = palette[k % 10];
        const char *dash = dashes[(k / 2) % 4];
        fprintf(f, "<polyline class=\"commune-line\" data-commune=\"");
        esc(f, g->id);
        fprintf(f, "\" fill=\"none\" stroke=\"%s\" stroke-width=\"1.5\"%s%s%s points=\"", color,
                dash[0] ? " stroke-dasharray=\"" : "", dash, dash[0] ? "\"" : "");
        for (int d = 0; d < r->n_days; d++)
            if (g->day_uptime[d] >= 0)
                fprintf(f, "%.1f,%.1f ", L + d * dx, YOF(g->day_uptime[d]));
        fputs("\"/>\n", f);
        for (int d = 0; d < r->n_days; d++)
            if (g->day_uptime[d] >= 0 && (r->n_days <= 40 || d % 7 == 0))
                marker(f, k, L + d * dx, YOF(g->day_uptime[d]), color);
        /* the legend: three entries per row, as many rows as communes need */
        double lx = L + (k % 3) * 210, ly = H + 4 + (k / 3) * 16;
        fprintf(f, "\n<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" stroke-width=\"1.5\"%s%s%s/>",
                lx, lx + 22, ly + 5, ly + 5, color, dash[0] ? " stroke-dasharray=\"" : "", dash, dash[0] ? "\"" : "");
        marker(f, k, lx + 11, ly + 5, color);
        fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\">", lx + 26, ly + 9);
        esc(f, g->name);
        fputs("</text>\n", f);
        k++;
    }
#undef YOF
    fputs("</svg>\n", f);
}

/* One small chart per commune over the earlier periods and this one (a
 * grid, so that any number of communes fits): the axis fitted to the data
 * and the target (dashed), a marker per period, the current one larger. */
static void svg_trends(FILE *f, const struct cw_report_view *v)
{
    const struct cw_report *r = v->r;
    const int CW = 225, CH = 120, L = 26, T = 18, B = 16;
    int n = 0;
    for (int i = 0; i < r->n_groups; i++)
        n += r->groups[i].level == 1;
    if (n == 0 || v->n_hist == 0)
        return;
    int rows = (n + 2) / 3;
    fprintf(f, "<svg id=\"trend-charts\" class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" "
               "height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\">\n", 3 * CW, rows * CH, 3 * CW, rows * CH);
    /* one y-range for every commune's chart, so that they compare */
    double lo = r->rules.uptime_target;
    for (int i = 0; i < r->n_groups; i++) {
        const struct cw_report_group *g = &r->groups[i];
        if (g->level != 1)
            continue;
        for (int j = 0; j < g->n_hist; j++)
            if (g->hist[j] >= 0 && g->hist[j] < lo)
                lo = g->hist[j];
        if (g->cameras && g->mean_uptime < lo)
            lo = g->mean_uptime;
    }
    lo = floor(lo / 5) * 5;
    if (lo > 95)
        lo = 95;
    int k = 0;
    char tgt[48], first[40], last[40];
    cw_rfmt_period_short(v->title_period, v->lang_vi, last, sizeof last);
    for (int i = 0; i < r->n_groups; i++) {
        const struct cw_report_group *g = &r->groups[i];
        if (g->level != 1)
            continue;
        double ox = (k % 3) * CW, oy = (k / 3) * CH, val[CW_REPORT_HIST + 1];
        int m = g->n_hist + 1;
        for (int j = 0; j < g->n_hist; j++)
            val[j] = g->hist[g->n_hist - 1 - j];
        val[m - 1] = g->cameras ? g->mean_uptime : -1;
        double x0 = ox + L, x1 = ox + CW - 10, y0 = oy + T, y1 = oy + CH - B;
#define SY(p) (y1 - (y1 - y0) * (((p) - lo) / (100 - lo)))
        fprintf(f, "<g class=\"trend\" data-commune=\"");
        esc(f, g->id);
        fprintf(f, "\"><text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" font-weight=\"bold\">", ox + 4, oy + 12);
        esc(f, g->name);
        fprintf(f, "</text><rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"none\" stroke=\"#bbb\"/>"
                   "<text x=\"%.1f\" y=\"%.1f\" font-size=\"8\" text-anchor=\"end\">%.0f</text>"
                   "<text x=\"%.1f\" y=\"%.1f\" font-size=\"8\" text-anchor=\"end\">100</text>",
                x0, y0, x1 - x0, y1 - y0, x0 - 2, y1, lo, x0 - 2, y0 + 6);
        fprintf(f, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#c00\" stroke-dasharray=\"3 2\">"
                   "<title>%s %s</title></line>",
                x0, x1, SY(r->rules.uptime_target), SY(r->rules.uptime_target), v->lang_vi ? "mục tiêu" : "target",
                pct(v, r->rules.uptime_target, tgt, sizeof tgt));
        double dx = m > 1 ? (x1 - x0 - 8) / (m - 1) : 0;
        fputs("<polyline fill=\"none\" stroke=\"#222\" points=\"", f);
        for (int j = 0; j < m; j++)
            if (val[j] >= 0)
                fprintf(f, "%.1f,%.1f ", x0 + 4 + j * dx, SY(val[j]));
        fputs("\"/>", f);
        for (int j = 0; j < m; j++)
            if (val[j] >= 0)
                fprintf(f, "<circle class=\"trend-point\" cx=\"%.1f\" cy=\"%.1f\" r=\"%.1f\" fill=\"#222\"/>",
                        x0 + 4 + j * dx, SY(val[j]), j == m - 1 ? 3.0 : 1.8);
        fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"8\">%s</text><text x=\"%.1f\" y=\"%.1f\" "
                   "font-size=\"8\" text-anchor=\"end\">%s</text></g>\n",
                x0, y1 + 10,
                cw_rfmt_period_short(v->hist_label[g->n_hist - 1 < 0 ? 0 : g->n_hist - 1], v->lang_vi, first,
                                     sizeof first),
                x1, y1 + 10, last);
#undef SY
        k++;
    }
    fputs("</svg>\n", f);
}

static void svg_cameras(FILE *f, const struct cw_report_view *v)
{
    const struct cw_report *r = v->r;
    int n = 0;
    for (int i = 0; i < r->n_cams; i++)
        n += r->cams[i].has_data;
    const int W = 680, row = 14, L = 150;
    fprintf(f, "<svg id=\"camera-chart\" class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
               "role=\"img\" aria-label=\"", W, n * row + 10);
    esc(f, cw_rr_tr(v, CW_RM_CHART_CAMS));
    fputs("\">\n", f);
    int k = 0;
    for (int i = 0; i < r->n_cams; i++) {
        const struct cw_report_camera *c = &r->cams[i];
        if (!c->has_data)
            continue;
        double up = cw_report_uptime(c);
        const char *color = up < 0 ? "#bbb" : up >= r->rules.uptime_target ? "#2ca02c" : "#d62728";
        char fit[200];
        fprintf(f, "<text x=\"%d\" y=\"%d\" font-size=\"10\" text-anchor=\"end\"><title>", L - 6, k * row + 11);
        esc(f, c->id);
        fputs("</title>", f);
        esc(f, cw_text_fit(c->names.name[0] ? c->names.name : c->id, 26, fit, sizeof fit));
        fprintf(f, "</text><rect class=\"camera-bar\" data-camera=\"");
        esc(f, c->id);
        fprintf(f, "\" x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"%s\"/>"
                   "<text x=\"%.1f\" y=\"%d\" font-size=\"9\">%.1f</text>\n",
                L, k * row + 2, up < 0 ? 0 : (W - L - 40) * up / 100.0, row - 4, color,
                L + (up < 0 ? 0 : (W - L - 40) * up / 100.0) + 3, k * row + 11, up < 0 ? 0 : up);
        k++;
    }
    fputs("</svg>\n", f);
}

/* A table's heading row. */
static void thead(FILE *f, const struct cw_report_view *v, const char *id, const enum cw_rcol *cols, int n)
{
    fprintf(f, "<table id=\"%s\"><thead><tr>", id);
    for (int k = 0; k < n; k++)
        fputs("<th>", f), esc(f, cw_rcol_head(v, cols[k], 0)), fputs("</th>", f);
    fputs("</tr></thead>\n", f);
}

/* One cell: numbers right-aligned; a camera by its name, its id under. */
static void td(FILE *f, const struct cw_report_view *v, enum cw_rcol id, const struct cw_rval *x)
{
    char buf[200];
    enum cw_rcol_unit u = cw_report_column(id)->unit;
    int numeric = u == CW_RU_PCT || u == CW_RU_HOURS || u == CW_RU_DURATION || u == CW_RU_COUNT || u == CW_RU_POINTS;
    fputs(numeric ? "<td class=\"n\">" : "<td>", f);
    esc(f, cw_rcol_show(v, id, x, buf, sizeof buf));
    if (id == CW_RC_CAMERA && x->sub && x->sub[0])
        fputs("<br><small class=\"id\">", f), esc(f, x->sub), fputs("</small>", f);
    fputs("</td>", f);
}

void cw_render_html(FILE *f, const struct cw_report_view *v)
{
    const struct cw_report *r = v->r;
    char ts[40];
    struct cw_rval x;
    static const char *const status_class[] = {"na", "ok", "degraded", "deteriorated"};

    char tnote[80], note[16384], span[200];
    cw_doc_title_note(v, tnote, sizeof tnote);
    fprintf(f, "<!DOCTYPE html>\n<html lang=\"%s\"><head><meta charset=\"utf-8\"><title>", v->lang_vi ? "vi" : "en");
    esc(f, cw_rr_tr(v, CW_RM_TITLE));
    fprintf(f, " %s", v->title_period);
    esc(f, tnote);
    fprintf(f, "</title>\n<style>\n"
               "@page { size: A4; margin: 12mm; }\n"
               "body { font-family: 'DejaVu Sans', Arial, sans-serif; font-size: 10pt; color: #222; max-width: 190mm; margin: auto; }\n"
               "h1 { font-size: 15pt; margin-bottom: 2pt; } h2 { font-size: 12pt; margin-top: 14pt; }\n"
               "table { border-collapse: collapse; width: 100%%; margin: 4pt 0; page-break-inside: auto; }\n"
               "th, td { border: 1px solid #ccc; padding: 2pt 4pt; text-align: left; }\n"
               "th { background: #f0f0f0; } td.n { text-align: right; }\n"
               "tr { page-break-inside: avoid; break-inside: avoid; }\n"
               "thead { display: table-header-group; } /* repeated on every printed page */\n"
               "h1, h2 { break-after: avoid; page-break-after: avoid; }\n"
               ".ok { background: #d9f2d9; } .degraded { background: #fff2cc; } .deteriorated { background: #f8d0d0; }\n"
               ".na { background: #eee; } .meta { color: #555; } .defs { font-size: 8.5pt; color: #444; }\n"
               "svg.chart { display: block; margin: 6pt 0; } small.id { color: #666; }\n"
               "p.data-note { border-left: 4px solid #c00; padding: 2pt 6pt; background: #fdecea; font-weight: bold; }\n"
               "p.final-note { border-left: 4px solid #080; padding: 2pt 6pt; background: #eaf6ea; }\n"
               "</style></head><body>\n");
    fputs("<h1>", f);
    esc(f, cw_rr_tr(v, CW_RM_TITLE));
    esc(f, tnote);
    fputs("</h1>\n", f);
    if ((v->r->province ? cw_doc_province_note(v, note, sizeof note) : cw_doc_data_note(v, note, sizeof note))[0]) {
        fputs(v->r->province && !cw_doc_province_behind(v) && v->generated_us >= v->r->to_us
                  ? "<p class=\"final-note\" id=\"data-note\">" : "<p class=\"data-note\" id=\"data-note\">", f);
        esc(f, note);
        fputs("</p>\n", f);
    }
    fputs("<p class=\"meta\">", f);
    esc(f, cw_rr_tr(v, CW_RM_PERIOD));
    fprintf(f, ": <b>%s</b>", v->title_period);
    if (v->filter[0]) {
        fputs(" &middot; ", f);
        esc(f, cw_rr_tr(v, CW_RM_FILTER));
        fputs(": ", f);
        esc(f, v->filter);
    }
    fputs(" &middot; ", f);
    esc(f, cw_rr_tr(v, CW_RM_GENERATED));
    fprintf(f, " %s &middot; <span id=\"data-span\">", cw_rfmt_datetime(v->generated_us, v->lang_vi, ts, sizeof ts));
    esc(f, cw_doc_data_span(v, span, sizeof span));
    fputs("</span></p>\n<p class=\"rules\"><b>", f);
    esc(f, cw_rr_tr(v, CW_RM_RULES_HDR));
    fputs(":</b> ", f);
    cw_rr_rules_line(f, v);
    fputs(".</p>\n<h2>", f);
    esc(f, cw_rr_groups_heading(v));
    fputs("</h2>\n", f);
    /* the province's: how far each commune's data has arrived, before the reason */
    enum cw_rcol gc[] = {CW_RC_LEVEL,  CW_RC_NAME,      CW_RC_CAMERAS, CW_RC_AT_TARGET, CW_RC_UPTIME,
                         CW_RC_CHANGE, CW_RC_MONITORED, CW_RC_STATUS,  CW_RC_COMPLETE,  CW_RC_REASON};
    int ng = (int)(sizeof gc / sizeof gc[0]);
    if (!r->province)
        gc[ng - 2] = gc[ng - 1], ng--;
    thead(f, v, "groups", gc, ng);
    for (int i = 0; i < r->n_groups; i++) {
        const struct cw_report_group *g = &r->groups[i];
        if (!cw_report_view_shows(v, g))
            continue;
        fprintf(f, "<tr class=\"group %s\" data-level=\"%d\">", status_class[g->status], g->level);
        for (int k = 0; k < ng; k++) {
            cw_rcol_group(v, gc[k], g, &x);
            td(f, v, gc[k], &x);
        }
        fputs("</tr>\n", f);
    }
    fputs("</table>\n<h2>", f);
    esc(f, cw_rr_tr(v, CW_RM_CHART_DAILY));
    fputs("</h2>\n", f);
    svg_daily(f, v);
    if (v->n_hist > 0) {
        fputs("<h2>", f);
        esc(f, v->lang_vi ? "Xu hướng tỷ lệ hoạt động theo xã (%), đường đứt: mục tiêu"
                          : "Uptime per commune over the periods (%), dashed: the target");
        fputs("</h2>\n", f);
        svg_trends(f, v);
    }
    fputs("<h2>", f);
    esc(f, cw_rr_tr(v, CW_RM_CHART_CAMS));
    fputs("</h2>\n", f);
    svg_cameras(f, v);
    static const enum cw_rcol cc[] = {CW_RC_CAMERA,  CW_RC_SITE_NAME, CW_RC_COMMUNE_NAME, CW_RC_UPTIME,
                                      CW_RC_MONITORED, CW_RC_DOWN,    CW_RC_MAINT,        CW_RC_OUTAGES,
                                      CW_RC_LONGEST, CW_RC_MTTR,      CW_RC_BAD_IMAGE,    CW_RC_MOTION,
                                      CW_RC_STATE_CAUSE};
    const int nc = (int)(sizeof cc / sizeof cc[0]);
    thead(f, v, "cameras", cc, nc);
    for (int i = 0; i < r->n_cams; i++) {
        const struct cw_report_camera *c = &r->cams[i];
        if (!c->has_data)
            continue;
        fputs("<tr class=\"camera\" data-camera=\"", f);
        esc(f, c->id);
        fputs("\">", f);
        for (int k = 0; k < nc; k++) {
            cw_rcol_camera(v, cc[k], c, &x);
            td(f, v, cc[k], &x);
        }
        fputs("</tr>\n", f);
    }
    fputs("</table>\n<h2>", f);
    fprintf(f, cw_rr_tr(v, CW_RM_REPAIR), r->rules.repair_after_us / 86400e6);
    fputs("</h2>\n", f);
    static const enum cw_rcol rc[] = {CW_RC_CAMERA,     CW_RC_SITE_NAME,   CW_RC_COMMUNE_NAME,
                                      CW_RC_REPAIR_FOR, CW_RC_REPAIR_WHAT, CW_RC_LAST_SEEN};
    const int nr = (int)(sizeof rc / sizeof rc[0]);
    thead(f, v, "repairs", rc, nr);
    int n;
    const struct cw_report_camera **rl = cw_doc_repairs(r, &n);
    for (int i = 0; i < n; i++) {
        fputs("<tr class=\"repair\" data-camera=\"", f);
        esc(f, rl[i]->id);
        fputs("\">", f);
        for (int k = 0; k < nr; k++) {
            cw_rcol_camera(v, rc[k], rl[i], &x);
            td(f, v, rc[k], &x);
        }
        fputs("</tr>\n", f);
    }
    if (n == 0) {
        fprintf(f, "<tr><td colspan=\"%d\">", nr);
        esc(f, cw_rr_tr(v, CW_RM_NONE));
        fputs("</td></tr>\n", f);
    }
    free(rl);
    fputs("</table>\n", f);
    char line[4096];
    if (cw_report_notice_line(v, line, sizeof line)[0]) {
        fputs("<p class=\"notice-missing\">", f);
        esc(f, line);
        fputs("</p>\n", f);
    }
    fputs("<p class=\"defs\"><b>", f);
    esc(f, cw_rr_tr(v, CW_RM_DEFS_HDR));
    fputs(":</b> ", f);
    esc(f, cw_rr_tr(v, CW_RM_DEFS));
    fputs(" ", f);
    esc(f, cw_rr_tr(v, CW_RM_NOT_RECORDED));
    fputs(".</p>\n</body></html>\n", f);
}
