/* The `camwatch report` and `camwatch gen-history` commands. */
#ifndef CW_TOOLS_REPORT_H
#define CW_TOOLS_REPORT_H
#include <stdio.h>

#include "../daemon/report.h"

enum cw_report_format { CW_FMT_TEXT, CW_FMT_CSV, CW_FMT_JSON, CW_FMT_HTML };

struct cw_report_view {
    const struct cw_report *r;
    int lang_vi;
    const char *title_period; /* "2026-11" or "2026-11-01 – 2026-11-15" */
    const char *filter;       /* "" or "district thanh-oai" */
    int64_t generated_us;
};

int cw_report_render(FILE *f, enum cw_report_format fmt, const struct cw_report_view *v);

#endif
