/* Uptime report computation: pure, no SQL and no I/O.
 *
 * The caller feeds each camera's spans in time order (from the store) and
 * gets per-camera figures, camera-weighted rollups per site, commune and
 * district with an OK / DEGRADED / DETERIORATED status from the configured
 * rules, daily uptime per commune, and a repair list.
 *
 * Definitions (printed in the report's footnote):
 *  - watched time: the part of the period covered by the camera's history
 *    (a camera added mid-month, or disabled, is watched only while it was
 *    in the config);
 *  - monitored time: watched time minus `unmonitored` (camwatchd was not
 *    running) and minus `starting` (from camwatchd's start to the camera's
 *    first connection result: neither up nor down); uptime = online /
 *    monitored; monitored % = monitored / the whole period (a month of
 *    which camwatch watched 8 minutes, or whose data stops on the 20th, is
 *    never "100 % monitored");
 *  - an outage runs from a camera leaving `online` for `offline` or
 *    `stalled` until it is next `online`; its length counts only monitored
 *    down time, never time camwatchd was not running; MTTR is the mean
 *    length of the outages that ended within the period;
 *  - one cause per outage: its whole down time is attributed to the most
 *    specific cause seen in it (cw_outage_rank: auth_failed > not_found >
 *    no_video > unreachable > stalled > stream_error), so that one fault
 *    gives the same hours by cause however its detail unfolded;
 *  - maintenance: down time (offline or stalled) inside a declared
 *    maintenance window of the camera, its site, commune or district. It
 *    is shown apart, is no outage (neither counted nor lengthened), and
 *    with rules.exclude_maintenance is left out of the uptime's
 *    denominator: uptime = online / (monitored - maintenance). */
#ifndef CW_REPORT_H
#define CW_REPORT_H
#include <stdint.h>

#include "camstate.h"
#include "config.h"
#include "maintenance.h"
#include "names.h"

#define CW_REPORT_HIST 12 /* earlier periods kept for trends */

enum cw_report_status { CW_STATUS_NA = 0, CW_STATUS_OK, CW_STATUS_DEGRADED, CW_STATUS_DETERIORATED };

struct cw_report_camera {
    char id[72];
    struct cw_names names;
    int has_data;     /* some of its history falls in the period */
    int64_t watched_us, monitored_us, online_us, unmonitored_us, starting_us, stalled_us;
    int64_t offline_us[CW_CAUSE__COUNT]; /* by cause */
    int outages;          /* outages with down time in the period */
    int repaired;         /* outages that ended (online again) in the period */
    int64_t repair_sum_us;
    int64_t longest_us;   /* longest outage (down time, up to the period end) */
    int64_t current_down_us; /* ongoing outage at the period end; 0 if none */
    enum cw_cause current_cause;
    int64_t last_online_us;  /* last moment seen online; 0: not in the known history */
    char state[24], cause[24]; /* at the end of the period's data */
    /* detection (issue #3): only meaningful where the camera runs the plugin */
    int image_checked, motion_checked;
    int64_t bad_image_us;      /* union of black/frozen/covered/blurred time in the period */
    int64_t current_bad_us;    /* a condition still on at the period end: for how long */
    char current_bad[24];      /* ...and which */
    int64_t motion_events;
    int64_t bad_cursor_us;     /* feed state: bad time counted up to here */
    int64_t *day_online_us, *day_monitored_us, *day_maint_us;
    int64_t maint_us;          /* down time inside maintenance windows */
    int maint_excluded;        /* rules.exclude_maintenance, for cw_report_uptime */
    struct cw_maint_set maint; /* the camera's windows (cw_report_add_maintenance) */

    /* feed state */
    int in_outage, outage_counted;
    int64_t outage_down_us;
    int outage_rank;             /* the most specific cause seen in the current outage */
    int64_t outage_unattributed_us; /* its down time in the period, not yet given a cause */
};

struct cw_report_group {
    int level; /* 0 site, 1 commune, 2 district (only where configured), 3 the province (whole network) */
    char id[72], name[CW_NAME_MAX_BYTES + 1], parent_name[CW_NAME_MAX_BYTES + 1];
    int cameras;       /* with monitored time */
    int at_target;     /* reaching uptime_target */
    double mean_uptime; /* camera-weighted, % */
    double mean_monitored; /* monitored time / the whole period, camera-weighted, %: a trend baseline
                              needs half the period (cameras added late, or camwatch newly installed) */
    int64_t worst_down_us;
    char worst_camera[CW_CAMERA_LABEL_MAX]; /* whose outage that was: "name (id)" */
    enum cw_report_status status;
    double *day_uptime; /* camera-weighted per day; < 0 where nothing was monitored */
    int *day_cameras;   /* cameras monitored that day */
    /* trends (cw_report_group_trend): the same group's uptime in the
     * periods before, newest first; < 0 where it had none */
    double hist[CW_REPORT_HIST];
    int n_hist;
    enum cw_report_trend { CW_TREND_NONE = 0, CW_TREND_PREV, CW_TREND_MEAN3 } trend; /* what made it DETERIORATED */
    double trend_drop;  /* points fallen, for that rule */
    char parent[72];    /* the id of the group above: a site's commune, a commune's district or "" */
    int64_t complete_until_us; /* the province's report: this commune's data has arrived up to here (0: n/a) */
};

struct cw_report {
    int64_t from_us, to_us, data_end_us;
    /* The first and last moment of the period camwatch was watching any
     * camera (data_last_us 0: never): a report says where its data begins
     * and ends. */
    int64_t data_first_us, data_last_us;
    struct cw_report_rules rules;
    int n_days;
    int64_t *day_start_us; /* n_days + 1 local-midnight boundaries */
    struct cw_report_camera *cams;
    int n_cams;
    struct cw_report_group *groups; /* sites, communes, districts, network */
    int n_groups;
    /* The province's report (read from its PostgreSQL): each commune's
     * data has arrived up to its group's complete_until_us. Time after it
     * is not yet known: never down time, and the report is final only
     * when the period is over and every commune's data reaches its end. */
    int province;
    struct cw_report_commune {
        char id[72], name[CW_NAME_MAX_BYTES + 1];
        int64_t complete_until_us;
    } *communes; /* every commune of the report's cameras, with or without data in the period */
    int n_communes;
    int n_incomplete; /* of them, those whose data stops before the period's end */
};

/* day_starts: n_days + 1 boundaries (local midnights), the first = from,
 * the last = to. data_end: spans still open end there (the daemon's last
 * heartbeat, or now). */
int cw_report_init(struct cw_report *r, int64_t from_us, int64_t to_us, int64_t data_end_us,
                   const int64_t *day_starts, int n_days, const struct cw_report_rules *rules);
/* Adds a camera (in the order its spans will come). outage_since_us != 0
 * says the camera was already in an outage when the period began, with
 * down_before_us of down time before it. */
struct cw_report_camera *cw_report_add_camera(struct cw_report *r, const char *id, const struct cw_names *names,
                                              int64_t outage_since_us, int64_t down_before_us);
/* A maintenance window that applies to the camera (before its spans). */
int cw_report_add_maintenance(struct cw_report_camera *c, int64_t from_us, int64_t to_us);
/* One span of that camera; end_us < 0 for an open span. */
void cw_report_span(struct cw_report *r, struct cw_report_camera *c, const char *state, const char *cause,
                    int64_t start_us, int64_t end_us);
/* An image-condition span of that camera (in start order); end_us < 0 if
 * still open. */
void cw_report_condition(struct cw_report *r, struct cw_report_camera *c, const char *condition, int64_t start_us,
                         int64_t end_us);
/* Closes the feed: rollups, statuses. */
int cw_report_finish(struct cw_report *r);
/* The province's report: commune (an id in the cameras' names) has data
 * up to complete_until_us (call after cw_report_finish; a commune none of
 * the report's cameras is in is left out). Its group, if it has one, says
 * so; the province's group takes the earliest. 0 or CW_ENOMEM. */
int cw_report_set_complete(struct cw_report *r, const char *commune, int64_t complete_until_us);
/* Whether the province's report is final: its period over at now_us and
 * every commune's data reaching its end. */
int cw_report_final(const struct cw_report *r, int64_t now_us);
/* A finished report's group (by level, id and its parent's id), or NULL. */
const struct cw_report_group *cw_report_find_group(const struct cw_report *r, int level, const char *id,
                                                   const char *parent);
/* Gives a finished group its uptime in the n periods before (hist[0] the
 * previous one; < 0 where it had nothing monitored), then the trend rule:
 * with rules.trend_drop > 0, a group whose uptime is at least trend_drop
 * points below the previous period's, or below the mean of the 3 periods
 * before (all 3 known), becomes DETERIORATED. "Deteriorated" means got
 * worse: one month's threshold alone cannot say that. */
void cw_report_group_trend(const struct cw_report *r, struct cw_report_group *g, const double *hist, int n);
/* Change from the previous period in points; 0 with *known = 0 if none. */
double cw_report_group_change(const struct cw_report_group *g, int *known);
void cw_report_free(struct cw_report *r);

double cw_report_uptime(const struct cw_report_camera *c);    /* %, or -1 if nothing monitored */
double cw_report_monitored(const struct cw_report *r, const struct cw_report_camera *c); /* % of the period, or -1 */
/* Whether the period's data is whole, seen at now_us: 0, or
 * CW_DATA_OPEN (the period is not over), CW_DATA_ENDS_EARLY (the data
 * stops before the period, or now, does: a dead server), CW_DATA_LATE
 * (it begins after the period did), or'ed. A minute either way is whole. */
enum { CW_DATA_OPEN = 1, CW_DATA_ENDS_EARLY = 2, CW_DATA_LATE = 4 };
int cw_report_data_gaps(const struct cw_report *r, int64_t now_us);
int64_t cw_report_mttr_us(const struct cw_report_camera *c);  /* -1 if no repair */
int64_t cw_report_offline_total_us(const struct cw_report_camera *c);
const char *cw_report_status_name(enum cw_report_status s);

#endif
