/* The report as text, aligned for a terminal (a technician's first look,
 * `camwatch report`). Its tables take their columns from the column
 * model (report_columns.h); the widths are this medium's. */
#include <stdlib.h>
#include <string.h>

#include "report_columns.h"
#include "report_fmt.h"
#include "report_narrative.h"
#include "report_render.h"

/* A column of a table here: which, and its width in display cells. */
struct tcol {
    enum cw_rcol id;
    int w;
};

/* Prints s left-aligned in a column of w display cells (cut with "…" if
 * longer; headings never are: widths grow to them). */
static void cell(FILE *f, const char *s, int w)
{
    char cut[512];
    const char *t = cw_text_width(s) <= w ? s : cw_text_fit(s, w, cut, sizeof cut);
    fputs(t, f);
    fprintf(f, "%*s", w - cw_text_width(t) + 1, "");
}

/* The heading line; the last column is unbounded. Widths grow to the
 * headings in the report's language ("Tỷ lệ hoạt động" whole). */
static void heads(FILE *f, const struct cw_report_view *v, struct tcol *t, int n)
{
    for (int k = 0; k < n; k++) {
        const char *h = cw_rcol_head(v, t[k].id, 0);
        if (k < n - 1 && cw_text_width(h) > t[k].w)
            t[k].w = cw_text_width(h);
        if (k < n - 1)
            cell(f, h, t[k].w);
        else
            fprintf(f, "%s\n", h);
    }
}

/* One row, of a group (g) or a camera (c); the last column unbounded. */
static void row(FILE *f, const struct cw_report_view *v, const struct tcol *t, int n, const struct cw_report_group *g,
                const struct cw_report_camera *c)
{
    char buf[200], label[CW_CAMERA_LABEL_MAX];
    struct cw_rval x;
    for (int k = 0; k < n; k++) {
        if (g)
            cw_rcol_group(v, t[k].id, g, &x);
        else
            cw_rcol_camera(v, t[k].id, c, &x);
        const char *s = cw_rcol_show(v, t[k].id, &x, buf, sizeof buf);
        if (t[k].id == CW_RC_CAMERA) /* the camera by its name, the id beside: "Cổng chợ (bm-market-1)" */
            s = cw_names_camera_label(c->id, &c->names, label, sizeof label);
        if (k < n - 1)
            cell(f, s, t[k].w);
        else
            fprintf(f, "%s\n", s);
    }
}

void cw_render_text(FILE *f, const struct cw_report_view *v)
{
    const struct cw_report *r = v->r;
    char note[16384], span[200], tnote[80];

    fprintf(f, "%s - %s %s%s%s%s\n", cw_rr_tr(v, CW_RM_TITLE), cw_rr_tr(v, CW_RM_PERIOD), v->title_period,
            cw_doc_title_note(v, tnote, sizeof tnote), v->filter[0] ? " - " : "", v->filter);
    fprintf(f, "%s.\n", cw_doc_data_span(v, span, sizeof span));
    /* the province's: whether it is final, every commune behind named */
    if ((r->province ? cw_doc_province_note(v, note, sizeof note) : cw_doc_data_note(v, note, sizeof note))[0])
        fprintf(f, "%s\n", note);
    fprintf(f, "%s: ", cw_rr_tr(v, CW_RM_RULES_HDR));
    cw_rr_rules_line(f, v);
    fprintf(f, ".\n\n%s\n", cw_rr_groups_heading(v));

    /* the province's: how far each commune's data has arrived, before the reason */
    struct tcol gt[] = {{CW_RC_LEVEL, 14}, {CW_RC_NAME, 28},   {CW_RC_CAMERAS, 9}, {CW_RC_AT_TARGET, 7},
                        {CW_RC_UPTIME, 9},  {CW_RC_CHANGE, 14}, {CW_RC_STATUS, 16}, {CW_RC_COMPLETE, 16},
                        {CW_RC_REASON, 0}};
    int ng = (int)(sizeof gt / sizeof gt[0]);
    if (!r->province)
        gt[ng - 2] = gt[ng - 1], ng--;
    heads(f, v, gt, ng);
    for (int i = 0; i < r->n_groups; i++) {
        const struct cw_report_group *g = &r->groups[i];
        if (cw_report_view_shows(v, g))
            row(f, v, gt, ng, g, NULL);
    }
    fprintf(f, "\n");

    struct tcol ct[] = {{CW_RC_ID, 14},       {CW_RC_SITE, 16},    {CW_RC_UPTIME, 8},    {CW_RC_MONITORED, 9},
                        {CW_RC_DOWN, 10},     {CW_RC_MAINT, 9},    {CW_RC_OUTAGES, 8},   {CW_RC_LONGEST, 12},
                        {CW_RC_MTTR, 12},     {CW_RC_BAD_IMAGE, 11}, {CW_RC_MOTION, 6},  {CW_RC_STATE_CAUSE, 0}};
    const int nc = (int)(sizeof ct / sizeof ct[0]);
    heads(f, v, ct, nc);
    for (int i = 0; i < r->n_cams; i++) {
        if (r->cams[i].has_data)
            row(f, v, ct, nc, NULL, &r->cams[i]);
    }

    int n;
    const struct cw_report_camera **rl = cw_doc_repairs(r, &n);
    fprintf(f, "\n");
    fprintf(f, cw_rr_tr(v, CW_RM_REPAIR), r->rules.repair_after_us / 86400e6);
    fprintf(f, "\n");
    if (n == 0)
        fprintf(f, "  (%s)\n", cw_rr_tr(v, CW_RM_NONE));
    struct tcol rt[] = {{CW_RC_CAMERA, 30},    {CW_RC_SITE_NAME, 24},   {CW_RC_COMMUNE_NAME, 16},
                        {CW_RC_REPAIR_FOR, 9}, {CW_RC_REPAIR_WHAT, 28}, {CW_RC_LAST_SEEN, 0}};
    const int nr = (int)(sizeof rt / sizeof rt[0]);
    for (int i = 0; i < n; i++)
        row(f, v, rt, nr, NULL, rl[i]);
    free(rl);
    char line[4096];
    if (cw_report_notice_line(v, line, sizeof line)[0])
        fprintf(f, "\n%s\n", line);
    fprintf(f, "\n%s: %s %s.\n", cw_rr_tr(v, CW_RM_DEFS_HDR), cw_rr_tr(v, CW_RM_DEFS), cw_rr_tr(v, CW_RM_NOT_RECORDED));
}
