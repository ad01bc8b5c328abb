/* A live view of every camera, for the HTTP API and metrics.
 *
 * The loop owns the cameras; the HTTP server runs on its own thread. Once
 * a second the loop builds an immutable cw_live and publishes it; readers
 * take a reference and never see loop state change under them. */
#ifndef CW_LIVE_H
#define CW_LIVE_H
#include <stdint.h>
#include <uv.h>

#include "inventory.h"
#include "store.h"

struct cw_live_camera {
    char id[72];
    struct cw_names names;
    char formerly[256];  /* ids its commune absorbed, comma-separated */
    char notice_where[CW_NAME_MAX_BYTES + 1], notice_since[12]; /* its site's recording notice; "" none */
    struct cw_inventory_row inventory; /* the device and its security warnings (inventory.h) */
    int has_inventory;
    char url[1100];      /* redacted */
    char state[24], cause[24], detail[200];
    int64_t since_us;        /* the current state's start */
    int64_t outage_since_us; /* down: the outage's start, across causes and restarts; else 0 */
    uint32_t health;     /* CW_HEALTH_* now */
    int64_t image_since_us; /* the picture bad (any condition) since; 0 when fine */
    int image_checked;   /* runs imagehealth */
    int maintenance;     /* inside a declared maintenance window now */
    char decode_mode[16];
    struct cw_stats_row stats;
    int64_t events[4];   /* motion, activity, other, all (since start) */
    char last_snapshot[512];
    char thumbnail[512];
    int64_t thumbnail_us; /* when it was taken */
    struct cw_level levels[CW_MAX_LEVELS];
    int n_levels;
    struct cw_gauge gauges[CW_MAX_GAUGES];
    int n_gauges;
};

#define CW_LIVE_MAX_TARGETS 32

struct cw_live {
    int refs; /* under the publisher's mutex */
    int64_t built_us, started_us;
    struct cw_live_camera *cams;
    int n;
    int has_districts; /* the config has a district level: metrics carry a district label */
    int alerts_on;
    int64_t alerts_pending;
    struct {
        char name[72];
        int64_t delivered;
    } targets[CW_LIVE_MAX_TARGETS];
    int n_targets;
    /* the daemon itself (selfwatch.h); -1 when unknown */
    int64_t loop_lag_us, loop_lag_max_us, loop_stalls;
    int64_t rss_bytes;
    int open_fds;
    /* shipping to the province (shipper.h); upstream_on 0: not configured */
    int upstream_on, upstream_up;
    int64_t upstream_waiting, upstream_oldest_us, upstream_last_success_us, upstream_complete_until_us;
    int64_t upstream_rows, upstream_failures, upstream_gaps, upstream_resent;
};

struct cw_live_box {
    uv_mutex_t mu;
    struct cw_live *cur;
};

int cw_live_box_init(struct cw_live_box *b);
void cw_live_box_destroy(struct cw_live_box *b);
/* Publishes live (the box takes the caller's reference). */
void cw_live_publish(struct cw_live_box *b, struct cw_live *live);
/* A reference to the current view, or NULL; release with cw_live_release. */
struct cw_live *cw_live_acquire(struct cw_live_box *b);
void cw_live_release(struct cw_live_box *b, struct cw_live *live);

/* Prometheus text exposition of a view (HELP and TYPE for every metric).
 * Returns a malloc'd string. */
char *cw_live_metrics(const struct cw_live *live);

#endif
