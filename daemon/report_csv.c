/* The report as CSV, one row per group and per camera, every column of
 * the column model that is CSV's (report_columns.h), then where the
 * period's data begins and ends. English is the machine form (',' between
 * cells, '.' in numbers, stored keys for levels, statuses and states);
 * Vietnamese is what Excel in a vi-VN locale opens as columns and numbers
 * (';' between cells, ',' in numbers) with Vietnamese headers and words.
 * Both start with a UTF-8 BOM: without it Excel reads the names as
 * Windows-1252. */
#include "report_columns.h"
#include "report_fmt.h"
#include "report_narrative.h"
#include "report_render.h"

struct csv {
    FILE *f;
    int vi, col;
};

static void sep(struct csv *c)
{
    if (c->col++)
        fputc(c->vi ? ';' : ',', c->f);
}

static void str(struct csv *c, const char *s)
{
    sep(c);
    cw_csv_cell(c->f, s, c->vi ? ';' : ',');
}

static void end(struct csv *c)
{
    fputc('\n', c->f);
    c->col = 0;
}

/* A value: numbers with 3 decimals (counts whole), words in the row's
 * language; an empty cell where there is none. */
static void value(struct csv *c, const struct cw_report_view *v, enum cw_rcol id, const struct cw_rval *x)
{
    const struct cw_report_column *col = cw_report_column(id);
    if (!x->known) {
        sep(c);
        return;
    }
    switch (col->unit) {
    case CW_RU_TEXT: str(c, x->text); return;
    case CW_RU_WORD: str(c, cw_rcol_word(v, id, x->text)); return;
    case CW_RU_COUNT:
        sep(c);
        fprintf(c->f, "%lld", (long long)x->num);
        return;
    case CW_RU_TIME: { /* local ISO 8601 with its offset, as data_from and data_to */
        char b[48];
        str(c, cw_rfmt_iso_local(x->us, b, sizeof b));
        return;
    }
    default: {
        char b[64];
        snprintf(b, sizeof b, "%.3f", x->num);
        if (c->vi)
            for (char *p = b; *p; p++)
                if (*p == '.')
                    *p = ',';
        sep(c);
        fputs(b, c->f);
    }
    }
}

/* Whether the column is a CSV one in this report. */
static int shown(const struct cw_report_view *v, enum cw_rcol id)
{
    return (cw_report_column(id)->in & CW_RC_IN_CSV) && cw_rcol_present(v, id);
}

void cw_render_csv(FILE *f, const struct cw_report_view *v)
{
    const struct cw_report *r = v->r;
    struct csv c = {f, v->lang_vi, 0};
    struct cw_rval x;
    /* Every row says where the period's data begins and ends, and whether
     * it is whole: a spreadsheet keeps no preamble, a filtered row keeps
     * its own columns. */
    char dfrom[48] = "", dto[48] = "", note[1200];
    if (r->data_last_us) {
        cw_rfmt_iso_local(r->data_first_us, dfrom, sizeof dfrom);
        cw_rfmt_iso_local(r->data_last_us, dto, sizeof dto);
    }
    cw_doc_data_note(v, note, sizeof note);
    fputs("\xEF\xBB\xBF", f);
    for (int id = 0; id < CW_RC__COUNT; id++) {
        const struct cw_report_column *col = cw_report_column((enum cw_rcol)id);
        if (shown(v, (enum cw_rcol)id))
            str(&c, v->lang_vi ? col->csv_vi : col->key);
    }
    str(&c, v->lang_vi ? "Số liệu từ" : "data_from"), str(&c, v->lang_vi ? "Số liệu đến" : "data_to");
    str(&c, v->lang_vi ? "Ghi chú số liệu" : "data_note");
    end(&c);
    for (int i = 0; i < r->n_groups; i++) {
        const struct cw_report_group *g = &r->groups[i];
        if (!cw_report_view_shows(v, g))
            continue;
        for (int id = 0; id < CW_RC__COUNT; id++) {
            if (!shown(v, (enum cw_rcol)id))
                continue;
            /* a group's row holds its own figures; the per-camera columns
             * (hours, outages, and the monitored share) stay empty */
            if (id == CW_RC_MONITORED)
                x.known = 0;
            else
                cw_rcol_group(v, (enum cw_rcol)id, g, &x);
            value(&c, v, (enum cw_rcol)id, &x);
        }
        str(&c, dfrom), str(&c, dto), str(&c, note);
        end(&c);
    }
    for (int i = 0; i < r->n_cams; i++) {
        const struct cw_report_camera *cm = &r->cams[i];
        if (!cm->has_data)
            continue;
        for (int id = 0; id < CW_RC__COUNT; id++) {
            if (!shown(v, (enum cw_rcol)id))
                continue;
            cw_rcol_camera(v, (enum cw_rcol)id, cm, &x);
            value(&c, v, (enum cw_rcol)id, &x);
        }
        str(&c, dfrom), str(&c, dto), str(&c, note);
        end(&c);
    }
}
