/* `camwatch report --format pdf`: the report as the administrative
 * document a committee signs, typeset with cairo + pango (A4, Decree
 * 30/2020/ND-CP's layout: margins 20 mm top and bottom, 30 mm left, 15 mm
 * right; Liberation Serif, metric-compatible with Times New Roman, with
 * every Vietnamese letter; body 13 pt; page numbers from page 2).
 *
 * A small flow layout: paragraphs split between pages by lines (never a
 * heading alone at a page foot), tables whose rows never split and whose
 * header repeats on every page, the header and signature blocks kept
 * whole. */
#include <cairo-pdf.h>
#include <fontconfig/fontconfig.h>
#include <math.h>
#include <pango/pangocairo.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../daemon/clock.h"
#include "../daemon/report_fmt.h"
#include "../daemon/report_narrative.h"
#include "../daemon/report_view.h"

#define MM 2.8346456693
#define PAGE_W (210 * MM)
#define PAGE_H (297 * MM)
#define M_TOP (20 * MM)
#define M_BOTTOM (20 * MM)
#define M_LEFT (30 * MM)
#define M_RIGHT (15 * MM)
#define TEXT_W (PAGE_W - M_LEFT - M_RIGHT)
#define FONT "Liberation Serif"

enum { F_BOLD = 1, F_ITALIC = 2, F_CENTER = 4, F_RIGHT = 8, F_JUSTIFY = 16, F_INDENT = 32, F_UPPER = 64 };

struct pdf {
    cairo_surface_t *surf;
    cairo_t *cr;
    double y;
    int page;
    const struct cw_report_view *v;
};

static cairo_status_t write_file(void *closure, const unsigned char *data, unsigned int len)
{
    return fwrite(data, 1, len, closure) == len ? CAIRO_STATUS_SUCCESS : CAIRO_STATUS_WRITE_ERROR;
}

static PangoLayout *text_layout(struct pdf *d, const char *text, double size, int flags, double width)
{
    PangoLayout *l = pango_cairo_create_layout(d->cr);
    /* sizes are typographic points: pango's cairo context assumes 96 dpi
     * unless told, which set "13 pt" text at 17.3 pt on the page (a word's
     * box measured 17.7 pt high at "12 pt" in pdftotext -bbox) */
    pango_cairo_context_set_resolution(pango_layout_get_context(l), 72);
    pango_layout_context_changed(l);
    PangoFontDescription *fd = pango_font_description_new();
    pango_font_description_set_family(fd, FONT);
    pango_font_description_set_size(fd, (int)(size * PANGO_SCALE));
    pango_font_description_set_weight(fd, flags & F_BOLD ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
    pango_font_description_set_style(fd, flags & F_ITALIC ? PANGO_STYLE_ITALIC : PANGO_STYLE_NORMAL);
    pango_layout_set_font_description(l, fd);
    pango_font_description_free(fd);
    pango_layout_set_width(l, (int)(width * PANGO_SCALE));
    pango_layout_set_wrap(l, PANGO_WRAP_WORD_CHAR);
    pango_layout_set_alignment(l, flags & F_CENTER ? PANGO_ALIGN_CENTER : flags & F_RIGHT ? PANGO_ALIGN_RIGHT
                                                                                         : PANGO_ALIGN_LEFT);
    pango_layout_set_justify(l, (flags & F_JUSTIFY) != 0);
    if (flags & F_INDENT)
        pango_layout_set_indent(l, (int)(10 * MM * PANGO_SCALE));
    pango_layout_set_spacing(l, (int)(size * 0.15 * PANGO_SCALE));
    if (flags & F_UPPER) {
        char *up = g_utf8_strup(text, -1);
        pango_layout_set_text(l, up, -1);
        g_free(up);
    } else {
        pango_layout_set_text(l, text, -1);
    }
    return l;
}

static double layout_h(PangoLayout *l)
{
    int w, h;
    pango_layout_get_size(l, &w, &h);
    return h / (double)PANGO_SCALE;
}

/* A camera id ("bm-market-1") is never broken at its hyphens: pango may
 * break a line after '-', which left ids in pieces across lines. Each
 * occurrence of an id of the report's cameras (up to 30 bytes, so that
 * a line can still hold it) gets allow_breaks=false. Only the first
 * column's camera is looked for in table rows (id), the whole list in
 * paragraphs (id NULL). */
static void keep_ids(struct pdf *d, PangoLayout *l, const char *text, const char *id)
{
    const struct cw_report *r = d->v->r;
    PangoAttrList *attrs = NULL;
    for (int i = id ? -1 : 0; id ? i < 0 : i < r->n_cams; i++) {
        const char *cid = id ? id : r->cams[i].id;
        size_t n = strlen(cid);
        if (n == 0 || n > 30 || !strchr(cid, '-'))
            continue;
        for (const char *p = strstr(text, cid); p; p = strstr(p + n, cid)) {
            if (!attrs)
                attrs = pango_attr_list_new();
            PangoAttribute *a = pango_attr_allow_breaks_new(FALSE);
            a->start_index = (guint)(p - text);
            a->end_index = (guint)(p - text + n);
            pango_attr_list_insert(attrs, a);
        }
    }
    if (attrs) {
        pango_layout_set_attributes(l, attrs);
        pango_attr_list_unref(attrs);
    }
}

static void page_number(struct pdf *d)
{
    char n[16];
    snprintf(n, sizeof n, "%d", d->page);
    PangoLayout *l = text_layout(d, n, 13, F_CENTER, TEXT_W);
    cairo_move_to(d->cr, M_LEFT, 9 * MM);
    pango_cairo_show_layout(d->cr, l);
    g_object_unref(l);
}

static void new_page(struct pdf *d)
{
    cairo_show_page(d->cr);
    d->page++;
    d->y = M_TOP;
    page_number(d); /* from page 2 on, as the decree asks */
}

static double room(const struct pdf *d) { return PAGE_H - M_BOTTOM - d->y; }

/* Draws a layout at x, splitting it by lines across pages. */
static void flow(struct pdf *d, PangoLayout *l, double x, double space_after)
{
    PangoLayoutIter *it = pango_layout_get_iter(l);
    double shift = 0, seg_top = d->y, end = d->y;
    int first = 1;
    do {
        PangoRectangle lr;
        pango_layout_iter_get_line_extents(it, NULL, &lr);
        double ltop = lr.y / (double)PANGO_SCALE, lh = lr.height / (double)PANGO_SCALE;
        /* no single first line at a page foot: two lines or none */
        double need = first && pango_layout_get_line_count(l) > 1 ? 2 * lh : lh;
        if (seg_top + (ltop - shift) + need > PAGE_H - M_BOTTOM) {
            new_page(d);
            seg_top = d->y;
            shift = ltop;
        }
        first = 0;
        PangoLayoutLine *line = pango_layout_iter_get_line_readonly(it);
        cairo_move_to(d->cr, x + lr.x / (double)PANGO_SCALE,
                      seg_top + pango_layout_iter_get_baseline(it) / (double)PANGO_SCALE - shift);
        pango_cairo_show_layout_line(d->cr, line);
        end = seg_top + (ltop - shift) + lh;
    } while (pango_layout_iter_next_line(it));
    pango_layout_iter_free(it);
    d->y = end + space_after;
}

static void para(struct pdf *d, const char *text, double size, int flags, double space_after)
{
    PangoLayout *l = text_layout(d, text, size, flags, TEXT_W);
    if (!(flags & F_UPPER))
        keep_ids(d, l, text, NULL);
    flow(d, l, M_LEFT, space_after);
    g_object_unref(l);
}

/* A paragraph whose phrase `whole` is never broken across lines: the
 * title's period ("tháng 9 năm 2026"), so that no line of it ends in a
 * lone year. */
static void para_keep(struct pdf *d, const char *text, const char *whole, double size, int flags, double space_after)
{
    PangoLayout *l = text_layout(d, text, size, flags, TEXT_W);
    const char *p = whole && whole[0] ? strstr(text, whole) : NULL;
    if (p) {
        PangoAttrList *attrs = pango_attr_list_new();
        PangoAttribute *a = pango_attr_allow_breaks_new(FALSE);
        a->start_index = (guint)(p - text);
        a->end_index = (guint)(p - text + strlen(whole));
        pango_attr_list_insert(attrs, a);
        pango_layout_set_attributes(l, attrs);
        pango_attr_list_unref(attrs);
    }
    flow(d, l, M_LEFT, space_after);
    g_object_unref(l);
}

/* A heading is kept with what follows: it moves to the next page unless
 * `keep` points of the next block fit under it. */
static void heading(struct pdf *d, const char *text, double keep)
{
    PangoLayout *l = text_layout(d, text, 13, F_BOLD, TEXT_W);
    if (layout_h(l) + keep > room(d))
        new_page(d);
    flow(d, l, M_LEFT, 4);
    g_object_unref(l);
}

/* ---- tables: rows never split, the header repeats on each page ---- */

struct tcol {
    const char *head;
    double w; /* share of TEXT_W */
    int right;
};

static double row_height(struct pdf *d, const struct tcol *c, int n, const char *const *cells, int flags,
                         const char *id, PangoLayout **out)
{
    double h = 0;
    for (int i = 0; i < n; i++) {
        out[i] = text_layout(d, cells[i], 10, flags | (c[i].right ? F_RIGHT : 0), c[i].w * TEXT_W - 6);
        pango_layout_set_wrap(out[i], PANGO_WRAP_WORD); /* "Cameras", not "Came-ras" */
        if (i == 0 && id)
            keep_ids(d, out[i], cells[i], id);
        if (layout_h(out[i]) > h)
            h = layout_h(out[i]);
    }
    return h + 6;
}

static void draw_row(struct pdf *d, const struct tcol *c, int n, PangoLayout **ls, double h, int shade)
{
    double x = M_LEFT;
    for (int i = 0; i < n; i++) {
        double w = c[i].w * TEXT_W;
        if (shade) {
            cairo_set_source_rgb(d->cr, 0.92, 0.92, 0.92);
            cairo_rectangle(d->cr, x, d->y, w, h);
            cairo_fill(d->cr);
        }
        cairo_set_source_rgb(d->cr, 0, 0, 0);
        cairo_set_line_width(d->cr, 0.5);
        cairo_rectangle(d->cr, x, d->y, w, h);
        cairo_stroke(d->cr);
        cairo_move_to(d->cr, x + 3, d->y + 3);
        pango_cairo_show_layout(d->cr, ls[i]);
        g_object_unref(ls[i]);
        x += w;
    }
    d->y += h;
}

static void table_head(struct pdf *d, const struct tcol *c, int n)
{
    const char *cells[16];
    PangoLayout *ls[16];
    for (int i = 0; i < n; i++)
        cells[i] = c[i].head;
    double h = row_height(d, c, n, cells, F_BOLD, NULL, ls);
    draw_row(d, c, n, ls, h, 1);
}

/* A row; id: the camera its first cell names (kept whole), or NULL. */
static void table_row(struct pdf *d, const struct tcol *c, int n, const char *const *cells, const char *id)
{
    PangoLayout *ls[16];
    double h = row_height(d, c, n, cells, 0, id, ls);
    if (h > room(d)) {
        new_page(d);
        table_head(d, c, n);
    }
    draw_row(d, c, n, ls, h, 0);
}

/* ---- the document ---- */

static const char *L(const struct pdf *d, const char *vi, const char *en) { return d->v->lang_vi ? vi : en; }

/* One line that must not wrap (Decree 30 sets the national heading in one
 * line, and a clerk expects the place and date on one): the largest size
 * from max down to min, in half points, that fits the width; wrapped at
 * min only if even that does not fit (a very long place name). */
static PangoLayout *one_line(struct pdf *d, const char *text, double max, double min, int flags, double width)
{
    for (double size = max; size >= min - 0.01; size -= 0.5) {
        PangoLayout *l = text_layout(d, text, size, flags, width);
        if (pango_layout_get_line_count(l) == 1)
            return l;
        g_object_unref(l);
    }
    return text_layout(d, text, min, flags, width);
}

static void header_block(struct pdf *d, const struct cw_report_doc *doc)
{
    /* the right column is as wide as the national heading needs at 12 pt
     * (one line, as Decree 30 sets it), the left one has the rest */
    PangoLayout *m = text_layout(d, doc->national, 12, F_BOLD | F_UPPER, 2 * TEXT_W);
    PangoRectangle mink, mlog;
    pango_layout_get_extents(m, &mink, &mlog);
    g_object_unref(m);
    double need = (double)mlog.width / PANGO_SCALE + 2 * MM;
    const double rw = need > 0.58 * TEXT_W ? (need < 0.7 * TEXT_W ? need : 0.7 * TEXT_W) : 0.58 * TEXT_W;
    const double lw = TEXT_W - rw;
    double ly = d->y, ry = d->y;
    char line[CW_DOC_TEXT + 96];
    /* left: the issuing body under its parent, then the number */
    if (doc->issuer_parent[0]) {
        PangoLayout *l = one_line(d, doc->issuer_parent, 12.5, 12, F_CENTER | F_UPPER, lw);
        cairo_move_to(d->cr, M_LEFT, ly);
        pango_cairo_show_layout(d->cr, l);
        ly += layout_h(l);
        g_object_unref(l);
    }
    if (doc->issuer[0]) {
        PangoLayout *l = one_line(d, doc->issuer, 12.5, 12, F_CENTER | F_BOLD | F_UPPER, lw);
        cairo_move_to(d->cr, M_LEFT, ly);
        pango_cairo_show_layout(d->cr, l);
        ly += layout_h(l) + 2;
        g_object_unref(l);
        cairo_set_line_width(d->cr, 0.6);
        cairo_move_to(d->cr, M_LEFT + lw / 3, ly);
        cairo_line_to(d->cr, M_LEFT + 2 * lw / 3, ly);
        cairo_stroke(d->cr);
        ly += 8;
    }
    snprintf(line, sizeof line, "%s %s", L(d, "Số:", "No.:"), doc->number);
    PangoLayout *l = text_layout(d, line, 13, F_CENTER, lw);
    cairo_move_to(d->cr, M_LEFT, ly);
    pango_cairo_show_layout(d->cr, l);
    ly += layout_h(l);
    g_object_unref(l);
    /* right: the national heading, the motto underlined, place and date */
    l = one_line(d, doc->national, 13, 12, F_CENTER | F_BOLD | F_UPPER, rw);
    cairo_move_to(d->cr, M_LEFT + lw, ry);
    pango_cairo_show_layout(d->cr, l);
    ry += layout_h(l);
    g_object_unref(l);
    l = text_layout(d, doc->motto, 13, F_CENTER | F_BOLD, rw);
    cairo_move_to(d->cr, M_LEFT + lw, ry);
    pango_cairo_show_layout(d->cr, l);
    PangoRectangle ink, logical;
    pango_layout_get_pixel_extents(l, &ink, &logical);
    ry += layout_h(l) + 2;
    g_object_unref(l);
    cairo_move_to(d->cr, M_LEFT + lw + logical.x, ry);
    cairo_line_to(d->cr, M_LEFT + lw + logical.x + logical.width, ry);
    cairo_stroke(d->cr);
    ry += 8;
    cw_doc_place_date(d->v, line, sizeof line);
    l = one_line(d, line, 13, 12, F_CENTER | F_ITALIC, rw);
    cairo_move_to(d->cr, M_LEFT + lw, ry);
    pango_cairo_show_layout(d->cr, l);
    ry += layout_h(l);
    g_object_unref(l);
    d->y = (ly > ry ? ly : ry) + 18;
}

static void signature_block(struct pdf *d, const struct cw_report_doc *doc);

/* How much room the signature block takes (signature_block's own sums). */
static double signature_height(struct pdf *d, const struct cw_report_doc *doc)
{
    double y0 = d->y, h;
    cairo_surface_t *s = cairo_recording_surface_create(CAIRO_CONTENT_COLOR_ALPHA, NULL);
    cairo_t *cr = d->cr;
    int page = d->page;
    d->cr = cairo_create(s);
    d->y = 0;
    signature_block(d, doc);
    h = d->y;
    cairo_destroy(d->cr);
    cairo_surface_destroy(s);
    d->cr = cr;
    d->y = y0;
    d->page = page;
    return h;
}

static void signature_block(struct pdf *d, const struct cw_report_doc *doc)
{
    const double lw = 0.45 * TEXT_W, rw = TEXT_W - lw;
    PangoLayout *left[CW_DOC_LINES + 1], *right[4];
    int nl = 0, nr = 0;
    char line[2 * CW_DOC_TEXT + 8];
    left[nl++] = text_layout(d, L(d, "Nơi nhận:", "Recipients:"), 12, F_BOLD | F_ITALIC, lw);
    for (int i = 0; i < doc->n_copies_to; i++) {
        cw_doc_copy_line(doc, i, line, sizeof line);
        left[nl++] = text_layout(d, line, 11, 0, lw);
    }
    if (doc->signer_prefix[0]) {
        snprintf(line, sizeof line, "%s %s", doc->signer_prefix, doc->signer_authority);
        right[nr++] = text_layout(d, line, 13, F_CENTER | F_BOLD | F_UPPER, rw);
    }
    right[nr++] = text_layout(d, doc->signer_title[0] ? doc->signer_title : " ", 13, F_CENTER | F_BOLD | F_UPPER, rw);
    right[nr++] = text_layout(d, " ", 13, F_CENTER, rw); /* the signature and seal go here */
    right[nr++] = text_layout(d, doc->signer_name[0] ? doc->signer_name : " ", 13, F_CENTER | F_BOLD, rw);
    double hl = 0, hr = 60; /* 60 pt of room to sign */
    for (int i = 0; i < nl; i++)
        hl += layout_h(left[i]);
    for (int i = 0; i < nr; i++)
        hr += layout_h(right[i]);
    if ((hl > hr ? hl : hr) + 12 > room(d))
        new_page(d);
    d->y += 12;
    double y = d->y;
    for (int i = 0; i < nl; i++) {
        cairo_move_to(d->cr, M_LEFT, y);
        pango_cairo_show_layout(d->cr, left[i]);
        y += layout_h(left[i]);
        g_object_unref(left[i]);
    }
    double ry = d->y;
    for (int i = 0; i < nr; i++) {
        if (i == nr - 1)
            ry += 60;
        cairo_move_to(d->cr, M_LEFT + lw, ry);
        pango_cairo_show_layout(d->cr, right[i]);
        ry += layout_h(right[i]);
        g_object_unref(right[i]);
    }
    d->y = y > ry ? y : ry;
}

/* One commune's uptime over the earlier periods and this one: a small
 * chart, its axis fitted to the data and the target (dashed), a marker on
 * every period (the current one larger), so it reads in black and white. */
static void trend_chart(struct pdf *d, const struct cw_report_group *g, double lo, double x, double y, double w,
                        double h)
{
    const struct cw_report_view *v = d->v;
    double target = v->r->rules.uptime_target;
    int n = g->n_hist + 1;
    double val[CW_REPORT_HIST + 1]; /* oldest first */
    for (int i = 0; i < g->n_hist; i++)
        val[i] = g->hist[g->n_hist - 1 - i];
    val[n - 1] = g->cameras ? g->mean_uptime : -1;
    PangoLayout *t = text_layout(d, g->name, 9.5, F_BOLD, w);
    pango_layout_set_ellipsize(t, PANGO_ELLIPSIZE_END);
    cairo_move_to(d->cr, x, y);
    pango_cairo_show_layout(d->cr, t);
    double top = y + layout_h(t) + 2, left = x + 22, right = x + w - 4, bottom = y + h - 12;
    g_object_unref(t);
#define PY(p) (bottom - (bottom - top) * (((p) - lo) / (100 - lo)))
    cairo_set_line_width(d->cr, 0.4);
    cairo_set_source_rgb(d->cr, 0.6, 0.6, 0.6);
    cairo_rectangle(d->cr, left, top, right - left, bottom - top);
    cairo_stroke(d->cr);
    char lab[32];
    for (int k = 0; k < 2; k++) {
        double p = k ? 100 : lo;
        snprintf(lab, sizeof lab, "%.0f", p);
        PangoLayout *l = text_layout(d, lab, 7, F_RIGHT, 18);
        cairo_set_source_rgb(d->cr, 0, 0, 0);
        cairo_move_to(d->cr, x, PY(p) - 4);
        pango_cairo_show_layout(d->cr, l);
        g_object_unref(l);
    }
    /* the target */
    static const double dash[] = {3, 2};
    cairo_set_source_rgb(d->cr, 0.8, 0, 0);
    cairo_set_dash(d->cr, dash, 2, 0);
    cairo_move_to(d->cr, left, PY(target));
    cairo_line_to(d->cr, right, PY(target));
    cairo_stroke(d->cr);
    cairo_set_dash(d->cr, NULL, 0, 0);
    /* the line and its markers */
    double dx = n > 1 ? (right - left - 8) / (n - 1) : 0;
    cairo_set_source_rgb(d->cr, 0, 0, 0);
    cairo_set_line_width(d->cr, 1);
    int pen = 0;
    for (int i = 0; i < n; i++) {
        if (val[i] < 0) {
            pen = 0;
            continue;
        }
        double px = left + 4 + i * dx, py = PY(val[i]);
        if (pen)
            cairo_line_to(d->cr, px, py);
        else
            cairo_move_to(d->cr, px, py);
        pen = 1;
    }
    cairo_stroke(d->cr);
    for (int i = 0; i < n; i++)
        if (val[i] >= 0) {
            cairo_arc(d->cr, left + 4 + i * dx, PY(val[i]), i == n - 1 ? 2.6 : 1.5, 0, 2 * M_PI);
            cairo_fill(d->cr);
        }
#undef PY
    /* the first and the last period under the axis */
    char first[40], last[40];
    cw_rfmt_period_short(g->n_hist ? v->hist_label[g->n_hist - 1] : v->title_period, v->lang_vi, first, sizeof first);
    cw_rfmt_period_short(v->title_period, v->lang_vi, last, sizeof last);
    PangoLayout *l = text_layout(d, first, 7, 0, w / 2);
    cairo_move_to(d->cr, left, bottom + 1);
    pango_cairo_show_layout(d->cr, l);
    g_object_unref(l);
    l = text_layout(d, last, 7, F_RIGHT, w / 2);
    cairo_move_to(d->cr, right - w / 2, bottom + 1);
    pango_cairo_show_layout(d->cr, l);
    g_object_unref(l);
}

static void on_fontmap_gone(gpointer flag, GObject *where)
{
    (void)where;
    g_atomic_int_set((gint *)flag, 1);
}

/* pango and fontconfig keep their font caches for the life of the
 * process; the CLI renders one document, so it lets them go (and
 * LeakSanitizer and valgrind see nothing left behind). Not before the
 * font map is gone: pango 1.50 initialises fontconfig on a thread of its
 * own that holds a reference to the map, and resetting cairo while the
 * map's fonts lived aborted the CLI 2 % of the time (cairo-hash.c:
 * live_entries == 0 failed; 3 of 150 runs). The map is waited for (its
 * last reference goes within milliseconds); if it is not gone in 2 s the
 * caches are left to the exit. */
static void release_fonts(void)
{
    static gint gone;
    PangoFontMap *fm = pango_cairo_font_map_get_default();
    g_atomic_int_set(&gone, 0);
    g_object_weak_ref(G_OBJECT(fm), on_fontmap_gone, &gone);
    pango_cairo_font_map_set_default(NULL);
    for (int i = 0; i < 200 && !g_atomic_int_get(&gone); i++)
        g_usleep(10000);
    if (!g_atomic_int_get(&gone))
        return;
    cairo_debug_reset_static_data();
    FcFini();
}

int cw_report_render_pdf(FILE *f, const struct cw_report_view *v)
{
    const struct cw_report *r = v->r;
    static const struct cw_report_doc empty;
    const struct cw_report_doc *doc = v->doc ? v->doc : &empty;
    struct pdf d = {0};
    d.v = v;
    d.surf = cairo_pdf_surface_create_for_stream(write_file, f, PAGE_W, PAGE_H);
    if (cairo_surface_status(d.surf) != CAIRO_STATUS_SUCCESS)
        return -1;
    char title[1600], subject[2 * CW_DOC_TEXT + 200], text[2048];
    cw_doc_subject(v, subject, sizeof subject);
    snprintf(title, sizeof title, "%s — %s", cw_doc_title(v), subject);
    cairo_pdf_surface_set_metadata(d.surf, CAIRO_PDF_METADATA_TITLE, title);
    cairo_pdf_surface_set_metadata(d.surf, CAIRO_PDF_METADATA_CREATOR, "camwatch " CW_VERSION);
    d.cr = cairo_create(d.surf);
    d.page = 1;
    d.y = M_TOP;
    cairo_set_source_rgb(d.cr, 0, 0, 0);

    header_block(&d, doc);
    para(&d, cw_doc_title(v), 14, F_BOLD | F_CENTER | F_UPPER, 2);
    char period[160];
    para_keep(&d, subject, cw_report_period_words(v, period, sizeof period), 14, F_BOLD | F_CENTER, 4);
    snprintf(text, sizeof text, "(%s)", cw_doc_data_span(v, title, sizeof title));
    para(&d, text, 12, F_CENTER, 10);
    if (doc->n_recipients == 1) {
        snprintf(title, sizeof title, "%s %s", L(&d, "Kính gửi:", "To:"), doc->recipients[0]);
        para(&d, title, 13, F_CENTER, 10);
    } else if (doc->n_recipients > 1) {
        para(&d, L(&d, "Kính gửi:", "To:"), 13, F_CENTER, 2);
        for (int i = 0; i < doc->n_recipients; i++) {
            /* a list of recipients: ';' after each, '.' after the last */
            snprintf(title, sizeof title, "- %s%s", doc->recipients[i], i + 1 < doc->n_recipients ? ";" : ".");
            PangoLayout *l = text_layout(&d, title, 13, 0, TEXT_W * 0.6);
            flow(&d, l, M_LEFT + TEXT_W * 0.3, 0);
            g_object_unref(l);
        }
        d.y += 10;
    }

    struct cw_narrative nar;
    if (cw_narrative_build(v, &nar) == 0) {
        for (int i = 0; i < nar.n; i++)
            para(&d, nar.para[i], 13, F_JUSTIFY | F_INDENT, 6);
        cw_narrative_free(&nar);
    }
    /* I. groups (none above the place the report is about) */
    heading(&d, cw_doc_groups_heading(v), 60);
    struct tcol gc[CW_DOC_GROUP_COLS];
    for (int k = 0; k < CW_DOC_GROUP_COLS; k++)
        gc[k] = (struct tcol){cw_doc_group_heads(v->lang_vi)[k], cw_doc_group_widths()[k], k >= 2 && k <= 6};
    table_head(&d, gc, CW_DOC_GROUP_COLS);
    static char cells[CW_DOC_MAX_COLS][CW_DOC_CELL];
    const char *cp[CW_DOC_MAX_COLS];
    for (int i = 0; i < r->n_groups; i++) {
        if (!cw_doc_group_in_main(v, &r->groups[i]))
            continue;
        cw_doc_group_cells(v, &r->groups[i], cells);
        for (int k = 0; k < CW_DOC_GROUP_COLS; k++)
            cp[k] = cells[k];
        table_row(&d, gc, CW_DOC_GROUP_COLS, cp, NULL);
    }
    d.y += 10;

    /* II. the province's: a part per commune, its data's completeness in
     * its heading, its sites under it */
    static const char *const roman[] = {"", "I", "II", "III", "IV", "V"};
    int sec = 2;
    if (cw_doc_has_commune_parts(v)) {
        heading(&d, cw_doc_commune_parts_heading(v), 60);
        const struct cw_report_group **sites = calloc((size_t)r->n_groups + 1, sizeof *sites);
        for (int k = 0; sites && k < r->n_communes; k++) {
            heading(&d, cw_doc_commune_heading(v, k, text, sizeof text), 50);
            int ns = cw_doc_commune_sites(v, k, sites, r->n_groups);
            if (ns == 0) {
                para(&d, L(&d, "Không có số liệu trong kỳ.", "No data in the period."), 13, F_INDENT, 4);
                continue;
            }
            table_head(&d, gc, CW_DOC_GROUP_COLS);
            for (int i = 0; i < ns; i++) {
                cw_doc_group_cells(v, sites[i], cells);
                for (int c = 0; c < CW_DOC_GROUP_COLS; c++)
                    cp[c] = cells[c];
                table_row(&d, gc, CW_DOC_GROUP_COLS, cp, NULL);
            }
            d.y += 6;
        }
        free(sites);
        d.y += 4;
        sec++;
    }

    /* repairs */
    snprintf(text, sizeof text, "%s. %s", roman[sec++], L(&d, "Danh sách camera cần sửa chữa", "Cameras to repair"));
    heading(&d, text, 60);
    struct tcol rc[CW_DOC_REPAIR_COLS];
    for (int k = 0; k < CW_DOC_REPAIR_COLS; k++)
        rc[k] = (struct tcol){cw_doc_repair_heads(v->lang_vi)[k], cw_doc_repair_widths()[k], k == 3};
    int n_rep;
    const struct cw_report_camera **rl = cw_doc_repairs(r, &n_rep);
    if (n_rep == 0) {
        para(&d, L(&d, "Không có camera nào cần sửa chữa.", "No camera needs repair."), 13, F_INDENT, 4);
    } else {
        table_head(&d, rc, CW_DOC_REPAIR_COLS);
        for (int i = 0; rl && i < n_rep; i++) {
            cw_doc_repair_cells(v, rl[i], cells);
            for (int k = 0; k < CW_DOC_REPAIR_COLS; k++)
                cp[k] = cells[k];
            table_row(&d, rc, CW_DOC_REPAIR_COLS, cp, rl[i]->id);
        }
    }
    free(rl);
    d.y += 10;

    /* III. a line per commune over the earlier periods: small charts,
     * three a row, so that any number of communes fits; one y-range for
     * all of them, so that they compare at a glance */
    int n_trend = 0;
    double lo = r->rules.uptime_target;
    for (int i = 0; i < r->n_groups; i++) {
        const struct cw_report_group *g = &r->groups[i];
        if (g->level != 1 || !cw_report_view_shows(v, g))
            continue;
        n_trend++;
        for (int k = 0; k < g->n_hist; k++)
            if (g->hist[k] >= 0 && g->hist[k] < lo)
                lo = g->hist[k];
        if (g->cameras && g->mean_uptime < lo)
            lo = g->mean_uptime;
    }
    lo = floor(lo / 5) * 5;
    if (lo > 95)
        lo = 95;
    if (v->n_hist > 0 && n_trend > 0) {
        snprintf(text, sizeof text, "%s. %s", roman[sec++],
                 L(&d, "Xu hướng tỷ lệ hoạt động theo xã (%), đường đứt: mục tiêu",
                   "Uptime per commune over the periods (%), dashed: the target"));
        heading(&d, text, 100);
        const double cw = TEXT_W / 3, ch = 95;
        int k = 0;
        for (int i = 0; i < r->n_groups; i++) {
            if (r->groups[i].level != 1 || !cw_report_view_shows(v, &r->groups[i]))
                continue;
            if (k % 3 == 0 && k > 0)
                d.y += ch;
            if (k % 3 == 0 && ch > room(&d))
                new_page(&d);
            trend_chart(&d, &r->groups[i], lo, M_LEFT + (k % 3) * cw, d.y, cw - 8, ch - 6);
            k++;
        }
        d.y += ch + 6;
    }

    /* IV. the rules the statuses come from, kept on one page with the
     * signature: a signature alone on the last page signs nothing */
    char head[80];
    snprintf(head, sizeof head, "%s. %s", roman[sec], L(&d, "Quy tắc đánh giá", "Rules"));
    cw_doc_rules(v, text, sizeof text);
    PangoLayout *hl = text_layout(&d, head, 13, F_BOLD, TEXT_W), *rl_ = text_layout(&d, text, 12, F_JUSTIFY, TEXT_W);
    double need = layout_h(hl) + 4 + layout_h(rl_) + 4 + signature_height(&d, doc);
    g_object_unref(hl);
    g_object_unref(rl_);
    if (need > room(&d) && need < PAGE_H - M_TOP - M_BOTTOM)
        new_page(&d);
    heading(&d, head, 40);
    para(&d, text, 12, F_JUSTIFY, 4);

    signature_block(&d, doc);

    /* Appendix: every camera, name first, on pages of its own */
    new_page(&d);
    para(&d, L(&d, "PHỤ LỤC", "APPENDIX"), 13, F_BOLD | F_CENTER, 2);
    para(&d, L(&d, "SỐ LIỆU THEO CAMERA", "FIGURES PER CAMERA"), 13, F_BOLD | F_CENTER, 2);
    snprintf(text, sizeof text, "(%s %s)", L(&d, "Kèm theo", "Attached to"), subject);
    para(&d, text, 12, F_CENTER | F_ITALIC, 10);
    struct tcol cc[CW_DOC_CAMERA_COLS];
    for (int k = 0; k < CW_DOC_CAMERA_COLS; k++)
        cc[k] = (struct tcol){cw_doc_camera_heads(v->lang_vi)[k], cw_doc_camera_widths()[k], k >= 2 && k <= 6};
    table_head(&d, cc, CW_DOC_CAMERA_COLS);
    for (int i = 0; i < r->n_cams; i++) {
        if (!r->cams[i].has_data)
            continue;
        cw_doc_camera_cells(v, &r->cams[i], cells);
        for (int k = 0; k < CW_DOC_CAMERA_COLS; k++)
            cp[k] = cells[k];
        table_row(&d, cc, CW_DOC_CAMERA_COLS, cp, r->cams[i].id);
    }
    cairo_show_page(d.cr);
    cairo_destroy(d.cr);
    cairo_surface_finish(d.surf);
    int ok = cairo_surface_status(d.surf) == CAIRO_STATUS_SUCCESS;
    cairo_surface_destroy(d.surf);
    release_fonts();
    return ok ? 0 : -1;
}
