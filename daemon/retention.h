/* Retention by purpose (PDPL Art. 32, issue #26): pictures of people and
 * the traces of their movements are kept only as long as the config says,
 * per kind (event snapshots, thumbnails, events, activity levels) and per
 * camera where its site or itself says otherwise; then deleted. Spans,
 * outages, alerts and the audit list are not touched: they are the
 * committee's history, not personal data.
 *
 * A job is made on the loop from the config (the pool never reads it), run
 * on the thread pool over its own database connection in short
 * transactions (the daemon's writer never waits long behind it), and its
 * result written to the audit list back on the loop. */
#ifndef CW_RETENTION_H
#define CW_RETENTION_H
#include <stdint.h>

#include "config.h"

struct cw_store;

struct cw_retention_kind_result {
    int64_t removed;          /* rows or files deleted */
    int64_t first_us, last_us; /* the deleted data's times (INT64_MAX, INT64_MIN: none) */
};

struct cw_retention_job {
    char *db_path, *snap_root;
    int64_t now_us;
    int ages;          /* apply the age limits (else only the snapshot folder's size cap) */
    int64_t max_bytes; /* the snapshot folder's cap (daemon.snapshot_max_mb) */
    struct cw_retention deflt; /* for cameras no longer in the config */
    struct cw_retention_cam {
        char *id;
        struct cw_retention r;
    } *cams;
    int n_cams;
    char *overrides[CW_KEEP_N]; /* "site gate 365d, camera c1 1d": for the audit detail */
    volatile int stop;          /* set by the loop at shutdown: the job ends at its next step */
    /* results */
    struct cw_retention_kind_result kinds[CW_KEEP_N];
    int64_t space_removed, kept_bytes;
    int audit_rows;
    int failed;
    char err[512];
};

/* A job for cfg's limits as they are now. NULL when out of memory. */
struct cw_retention_job *cw_retention_job_new(const struct cw_config *cfg, const char *db_path, const char *snap_root,
                                              int64_t now_us, int ages);
/* Runs it (blocking: on the thread pool, or the CLI) over its own
 * connection, and records it: one audit row per kind that lost something
 * (user "camwatchd", action "retention", target the kind, detail how many
 * and the deleted data's dates), and one for pictures deleted to stay under
 * the folder's cap. failed and err say what went wrong. */
void cw_retention_run(struct cw_retention_job *j);
void cw_retention_job_free(struct cw_retention_job *j);

#endif
