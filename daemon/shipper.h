/* camwatchd's shipping to the province (issue #25): a thread of its own
 * that, every interval, opens its own connection to the database and runs
 * a round of cw_upstream_ship (upstream.h). Never on the loop: libpq
 * blocks, and a province out of reach for a week must not slow the
 * cameras. The loop reads the figures (cw_shipper_stats) for /metrics. */
#ifndef CW_SHIPPER_H
#define CW_SHIPPER_H
#include <stdint.h>

struct cw_shipper_params {
    const char *database;
    const char *conninfo;      /* without a password */
    const char *password_file; /* "" or NULL: libpq's PGPASSWORD / ~/.pgpass */
    const char *instance;
    const char *snapshot_root;
    int64_t interval_us;
    int batch;
};

struct cw_shipper_stats {
    int64_t waiting;            /* log entries not yet acknowledged */
    int64_t oldest_us;          /* when the oldest of them was written; 0: none */
    int64_t last_success_us;    /* 0: never since start */
    int64_t complete_until_us;  /* the province has everything up to this edge time */
    int64_t rows_total, batches_total, failures_total, gaps_total;
    int64_t resent_total; /* cameras the province asked again: its check disagreed with their digests */
    int up;                     /* the last round worked */
};

struct cw_shipper;

/* Copies the params and starts the thread; 0 or a negative code. */
int cw_shipper_start(const struct cw_shipper_params *p, struct cw_shipper **out);
/* A consistent copy of the figures (any thread). */
void cw_shipper_stats(struct cw_shipper *s, struct cw_shipper_stats *out);
/* Stops the thread: waits for a round in progress up to a few seconds (a
 * dead link cannot hold the daemon's stop longer), then frees. NULL: no-op. */
void cw_shipper_stop(struct cw_shipper *s);

#endif
