/* A computed report ready to render, and its renderers: text, CSV, JSON
 * and HTML in the library (report_text.c, report_csv.c, report_json.c,
 * report_html.c; the HTML also served by camwatchd's console), PDF and
 * ODT in the camwatch CLI only (cairo, pango, libzip). Every table takes
 * its columns from report_columns.h. */
#ifndef CW_REPORT_VIEW_H
#define CW_REPORT_VIEW_H
#include <stdio.h>

#include "report.h"

enum cw_report_format { CW_FMT_TEXT, CW_FMT_CSV, CW_FMT_JSON, CW_FMT_HTML, CW_FMT_PDF, CW_FMT_ODT };

struct cw_report_view {
    const struct cw_report *r;
    int lang_vi;
    const char *title_period; /* "2026-11" or "2026-11-01 – 2026-11-15" */
    const char *filter;       /* "" or "district thanh-oai" */
    int64_t generated_us;
    int n_hist;               /* earlier periods with history (groups' hist[]) */
    char hist_label[CW_REPORT_HIST][16]; /* their starts, newest first: "2026-09" */
    const struct cw_report_doc *doc;     /* the document's header (pdf, odt) */
    /* What the report is about: 0 the whole network, else 1 + the level a
     * filter names (1 a site, 2 a commune, 3 a district). A --commune
     * report speaks of that commune, never of the province or "toàn
     * mạng": groups above it are not shown. */
    int scope;
    /* The sites with cameras and no recording notice recorded (PDPL Art.
     * 32), "Name (id), ..." from the config; NULL: not known (--db alone). */
    const char *notice_missing;
};
/* The line that names them, in the view's language, into buf ("" when
 * every site has one or it is not known). */
char *cw_report_notice_line(const struct cw_report_view *v, char *buf, size_t len);

/* Whether a group is shown (not above the report's scope). */
int cw_report_view_shows(const struct cw_report_view *v, const struct cw_report_group *g);
/* The group the report is about: the network, or the one place its
 * filter names; NULL if none. */
const struct cw_report_group *cw_report_view_top(const struct cw_report_view *v);

/* Text, CSV, JSON or HTML; -1 for PDF and ODT (their renderers below are
 * the CLI's). */
int cw_report_render(FILE *f, enum cw_report_format fmt, const struct cw_report_view *v);
/* The signed document: A4 PDF (report_pdf.c); 0 or -1. */
int cw_report_render_pdf(FILE *f, const struct cw_report_view *v);
/* ... and its editable copy: OpenDocument Text (report_odt.c); 0 or -1. */
int cw_report_render_odt(FILE *f, const struct cw_report_view *v);
/* A document of a title, a paragraph and one table (the camera inventory),
 * with the report's styles: cells row by row (nrows x ncols), column widths
 * as shares of the text width. In the CLI only, like the report's. */
int cw_odt_render_table(FILE *f, const char *title, const char *intro, const char *const *heads, const double *shares,
                        int ncols, const char *const *cells, int nrows, int lang_vi);

#endif
