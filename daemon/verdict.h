/* The network's verdict, as the report would give it: every
 * verdict_interval (default a day) camwatchd reads the month so far with
 * the report's rules and trends (report_feed.c) on a connection of its
 * own on the thread pool, and hands each site, commune (and district)
 * (watched for at least half of the month so far) whose status changed
 * to a callback: alerts turn a change into
 * network_deteriorated or network_improved. The last status of each group
 * is kept in the database (table verdicts), so a restart says nothing
 * twice.
 *
 * With a monthly digest wanted, the first judgement from digest_hour on the 1st
 * (or the first after a later start) also reads the finished month and
 * hands its headline figures to on_digest, once per month (the month told
 * is kept in the verdicts table as level 9, id "monthly_digest"). */
#ifndef CW_VERDICT_H
#define CW_VERDICT_H
#include <stdint.h>
#include <uv.h>

#include "config.h"
#include "report.h"

struct cw_verdict_change {
    int level; /* 0 site, 1 commune, 2 district */
    const char *id, *name;
    enum cw_report_status was, now;
    double uptime, change; /* %, and points from the previous month (change_known) */
    int change_known, cameras, at_target;
    enum cw_report_trend trend;
    double trend_drop;
    const char *worst_camera; /* a long outage's camera, when that is the reason */
    int64_t worst_down_us;
    const char *period; /* "2026-11" */
};

/* A finished month's headline figures (the whole network). */
#define CW_DIGEST_NAMES 4
struct cw_month_digest {
    int year, month;
    int cameras, at_target;
    double uptime, change, monitored; /* %, points from the month before (change_known), % watched */
    int change_known;
    int communes[4];  /* by status: OK, DEGRADED, DETERIORATED, NA */
    char deteriorated[CW_DIGEST_NAMES][CW_NAME_MAX_BYTES + 1]; /* communes (or sites) that got worse */
    int n_deteriorated;
    char down_all[CW_DIGEST_NAMES][72]; /* cameras not online once in the month */
    int n_down_all;
};

struct cw_verdict_params {
    uv_loop_t *loop;
    const char *database;
    const struct cw_report_rules *rules; /* copied */
    int64_t interval_us;                 /* 0: never */
    void (*on_change)(void *ud, const struct cw_verdict_change *c);
    void (*on_digest)(void *ud, const struct cw_month_digest *m); /* NULL: no monthly digest */
    int digest_hour; /* from this local hour (the committee reads it in the morning) */
    void *ud;
};

struct cw_verdict;
int cw_verdict_start(const struct cw_verdict_params *p, struct cw_verdict **out);
/* Stops the timer; a judgement under way finishes first (on close). */
void cw_verdict_stop(struct cw_verdict *v);

#endif
