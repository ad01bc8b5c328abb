/* Reading a period of the database into a report: the spans, conditions,
 * event counts and maintenance windows of the cameras a filter lets
 * through, then the trends (the same groups in earlier periods). Used by
 * `camwatch report` and by camwatchd's daily verdict on the network, so
 * that both say the same. Runs on whatever thread owns the store. */
#ifndef CW_REPORT_FEED_H
#define CW_REPORT_FEED_H
#include <stdint.h>

#include "names.h"
#include "report.h"
#include "store.h"

struct cw_report_query {
    const struct cw_names_filter *where; /* NULL: every camera */
    const struct cw_report_rules *rules;
    int64_t data_end_us;                 /* spans still open end here */
};

/* Local midnight of y-m-d (mktime normalises: month 0 is last December)
 * in the process's TZ, as UTC microseconds: the reports' boundaries. */
int64_t cw_local_midnight(int y, int m, int d);

/* Reads [from, to) into r (initialised here; the caller frees it, also
 * on error). *spans: the period's spans (0: no history then); *matched:
 * cameras the filter let through. 0 or a negative code. */
int cw_report_read(struct cw_store *st, const struct cw_report_query *q, int64_t from, int64_t to,
                   const int64_t *days, int n_days, struct cw_report *r, long *spans, int *matched);

/* Trends for a finished r: up to CW_REPORT_HIST earlier periods (the months
 * before y-m when monthly, else n_days-day periods before y-m-d), until
 * one holds no history; a baseline needs half its period watched. Applies
 * the trend rule; labels[k] names period k ("2026-09"). 0 or negative. */
int cw_report_read_history(struct cw_store *st, const struct cw_report_query *q, struct cw_report *r, int monthly, int y,
                           int m, int d, int n_days, char labels[][16], int *n_hist);

/* A report's period: a month ("2026-11"), or days from..to inclusive
 * ("2026-11-01", "2026-11-15"); local midnights of the config's zone. */
struct cw_report_period {
    int monthly;
    int y, m, d;          /* the first day */
    int n_days;
    int64_t from_us, to_us;
    int64_t *days;        /* n_days + 1 local midnights (malloc'd: cw_report_period_free) */
    char label[64];       /* "2026-11" or "2026-11-01 – 2026-11-15" */
};
/* CW_EINVAL with a message in err for a malformed or empty period. */
int cw_report_period_parse(const char *month, const char *from, const char *to, struct cw_report_period *p,
                           char *err, size_t errlen);
void cw_report_period_free(struct cw_report_period *p);

struct cw_report_view;
/* The period read and its trends, as `camwatch report` and the console
 * show it: r filled (the caller frees it, also on error), v's report,
 * period label and history labels set. 0 or a negative code. */
int cw_report_load(struct cw_store *st, const struct cw_report_query *q, const struct cw_report_period *p,
                   struct cw_report *r, struct cw_report_view *v, long *spans, int *matched);

#endif
