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

/* Database path, time zone (set in the environment) and report rules
 * from --db or the config file; 0 or a negative code (messages printed). */
int cw_cli_resolve(const char *config, const char *db_opt, char *db, size_t dblen, struct cw_report_rules *rules);

/* argv[0] is the command name; config/db as resolved by camwatch. */
int cw_cli_report(int argc, char **argv, const char *config, const char *db);
int cw_cli_gen_history(int argc, char **argv, const char *db);
int cw_cli_analyze(int argc, char **argv);
int cw_cli_events(int argc, char **argv, const char *db);
int cw_cli_alerts(int argc, char **argv, const char *db);
int cw_cli_maintenance(int argc, char **argv, const char *db);

#endif
