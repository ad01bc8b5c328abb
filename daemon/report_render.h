/* What the report's renderers share (report_text.c, report_csv.c,
 * report_json.c, report_html.c; the document's are tools/report_pdf.c and
 * tools/report_odt.c): the report's sentences in Vietnamese and English,
 * the rules line, the groups' heading. The columns of every table are the
 * column model's (report_columns.h). Internal to the renderers. */
#ifndef CW_REPORT_RENDER_H
#define CW_REPORT_RENDER_H
#include <stdio.h>

#include "report_view.h"

enum cw_rmsg {
    CW_RM_TITLE, CW_RM_PERIOD, CW_RM_GENERATED, CW_RM_RULES_HDR, CW_RM_RULES, CW_RM_GROUPS, CW_RM_LEVEL, CW_RM_NAME, CW_RM_CAMERAS, CW_RM_AT_TARGET,
    CW_RM_UPTIME, CW_RM_STATUS, CW_RM_REASON, CW_RM_CAMERA, CW_RM_SITE, CW_RM_COMMUNE, CW_RM_DISTRICT, CW_RM_NETWORK, CW_RM_MONITORED, CW_RM_OFFLINE_H,
    CW_RM_OUTAGES, CW_RM_LONGEST, CW_RM_MTTR, CW_RM_BAD_IMAGE, CW_RM_MOTION, CW_RM_STATE, CW_RM_REPAIR, CW_RM_DOWN_FOR, CW_RM_CAUSE, CW_RM_LAST_SEEN,
    CW_RM_NONE, CW_RM_DEFS_HDR, CW_RM_DEFS, CW_RM_NOT_RECORDED, CW_RM_CHART_DAILY, CW_RM_CHART_CAMS, CW_RM_FILTER, CW_RM_MAINT_H, CW_RM_MAINT_RULE,
    CW_RM_MAINT_RULE_IN, CW_RM_CHANGE, CW_RM__COUNT
};

/* A sentence in the report's language. */
const char *cw_rr_tr(const struct cw_report_view *v, enum cw_rmsg m);
/* The rules as one sentence (no final stop). */
void cw_rr_rules_line(FILE *f, const struct cw_report_view *v);
/* "Huyện, xã và điểm lắp đặt" where districts exist, "Xã và điểm lắp
 * đặt" where not, "Điểm lắp đặt" in a commune's own report. */
const char *cw_rr_groups_heading(const struct cw_report_view *v);
/* Whether any camera of the report has a district: without the level no
 * heading, column or row speaks of one. */
int cw_rr_has_districts(const struct cw_report *r);

void cw_render_text(FILE *f, const struct cw_report_view *v);
void cw_render_csv(FILE *f, const struct cw_report_view *v);
int cw_render_json(FILE *f, const struct cw_report_view *v);
void cw_render_html(FILE *f, const struct cw_report_view *v);

#endif
