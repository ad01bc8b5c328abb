/* The SQLite store: camera state history, live stats, daemon runs.
 *
 * This is the only module that speaks SQL. The daemon hands it batches of
 * operations (cw_store_batch) that it applies in one transaction together
 * with the heartbeat, so that after a crash the database is consistent as of
 * the last heartbeat: every span still open ends there, and the time until
 * the next start is recorded as `unmonitored`, never as camera downtime.
 *
 * A cw_store is used by one thread at a time (the daemon's loop, or the one
 * flush it has queued on the thread pool); the CLI opens its own. */
#ifndef CW_STORE_H
#define CW_STORE_H
#include <stddef.h>
#include <stdint.h>

struct cw_store;

#include "maintenance.h"
#include "names.h"

struct cw_camera_meta {
    const char *id;
    struct cw_names names; /* up the chain; district/province "" where absent */
    const char *url_redacted;
    int enabled;
    const char *plugins;  /* "motion,imagehealth" or "" */
    const char *formerly; /* the commune's former ids, comma-separated, or "" */
};

struct cw_stats_row {
    int connected;
    int64_t last_packet_us; /* wall clock; 0: never */
    double fps;
    int64_t packets, bytes, reconnects, decoded_frames;
    double keyframe_interval_s;
    char codec[32];
    int width, height;
};

/* Opening read-only is for the CLI: it never migrates or writes. */
int cw_store_open(const char *path, int readonly, struct cw_store **out);
void cw_store_close(struct cw_store *st);
/* The daemon's variant: failures are not logged (the caller retries and
 * reports them once); err gets SQLite's message. */
int cw_store_open_quiet(const char *path, struct cw_store **out, char *err, size_t errlen);
/* The CLI's variant: read-only or not, nothing logged, err says why. */
int cw_store_open_msg(const char *path, int readonly, struct cw_store **out, char *err, size_t errlen);
/* Quiet: failures are the caller's to report (logged at debug level only);
 * cw_store_errmsg still says what failed. */
void cw_store_set_quiet(struct cw_store *st, int quiet);
const char *cw_store_errmsg(struct cw_store *st);

/* Starts a daemon run: recovers from a previous crash (open spans end at
 * that run's last heartbeat) and records the new run. */
int cw_store_begin_run(struct cw_store *st, int64_t now_us, int pid, int64_t *run_id);
/* Clean stop: closes every open span at now_us and marks the run stopped. */
int cw_store_end_run(struct cw_store *st, int64_t run_id, int64_t now_us);

/* Registers (or updates) a camera and, if it is enabled, opens its first
 * span of this run (`starting`), after an `unmonitored` span covering any
 * gap since its history last ended. */
int cw_store_camera_start(struct cw_store *st, const struct cw_camera_meta *meta, int64_t now_us);

/* A batch of operations applied in one transaction. Built on the loop,
 * applied wherever the store's owner runs it. */
struct cw_store_batch;
struct cw_store_batch *cw_store_batch_new(void);
void cw_store_batch_free(struct cw_store_batch *b);
int cw_store_batch_empty(const struct cw_store_batch *b);
/* Ends the camera's open span at t and opens one in `state`. */
int cw_store_batch_transition(struct cw_store_batch *b, const char *camera, int64_t t, const char *state,
                              const char *cause, const char *detail);
/* Updates a camera's names and settings only (no new span). */
int cw_store_batch_camera_meta(struct cw_store_batch *b, const struct cw_camera_meta *meta, int64_t t);
/* cw_store_camera_start as a batch operation (the meta is copied). */
int cw_store_batch_camera_start(struct cw_store_batch *b, const struct cw_camera_meta *meta, int64_t t);
/* A finished detection event (kind = the plugin's name). */
int cw_store_batch_event(struct cw_store_batch *b, const char *camera, const char *kind, int64_t start_us,
                         int64_t end_us, double peak, const char *regions, const char *snapshot);
/* An image condition (black, frozen, covered, blurred) begins or ends. */
int cw_store_batch_condition(struct cw_store_batch *b, const char *camera, const char *condition, int on, int64_t t);
/* The alert outbox: an alert, then one delivery per target (add), and
 * delivery updates (state pending/delivered/failed, attempts, next try). */
int cw_store_batch_alert(struct cw_store_batch *b, const char *key, int64_t created_us, const char *camera,
                         const char *kind, const char *severity, const char *body_json);
int cw_store_batch_delivery(struct cw_store_batch *b, const char *key, const char *target, int add, const char *state,
                            int attempts, int64_t next_us, const char *last_error, int64_t delivered_us);
/* Ends the camera's open span (and conditions) at t (camera removed or disabled). */
int cw_store_batch_close(struct cw_store_batch *b, const char *camera, int64_t t);
/* A plugin's level over the last interval (camera level_interval). */
#define CW_MAX_LEVELS 4
struct cw_level {
    char plugin[32];
    double mean, max;
    int64_t end_us;
};

/* A plugin's named reading now (camwatch_plugin_gauge). */
struct cw_gauge {
    char plugin[32], name[32];
    double value;
};
#define CW_MAX_GAUGES 8

/* Levels (the activity timeline); retention.levels says how long they stay. */
int cw_store_batch_level(struct cw_store_batch *b, const char *camera, const char *plugin, int64_t start_us,
                         int64_t end_us, double mean, double max);
int cw_store_batch_stats(struct cw_store_batch *b, const char *camera, int64_t t, const struct cw_stats_row *s);
int cw_store_batch_heartbeat(struct cw_store_batch *b, int64_t run_id, int64_t t);
/* A step of the system clock noticed at t (camwatch's clock), step_us =
 * system minus camwatch. */
int cw_store_batch_clock_step(struct cw_store_batch *b, int64_t t, int64_t step_us);
/* What the deployment is set to (key "timezone", "language"): written by
 * camwatchd at start, read by the CLI on a database given with --db. */
int cw_store_batch_setting(struct cw_store_batch *b, const char *key, const char *value);
/* 1 and value, 0 if never set, or a negative code. */
int cw_store_setting(struct cw_store *st, const char *key, char *value, size_t len);
int cw_store_apply(struct cw_store *st, const struct cw_store_batch *b);

/* One row of `camwatch status`. */
struct cw_status_row {
    char id[72];
    struct cw_names names;
    char formerly[256]; /* the commune's former ids, comma-separated */
    char state[24], cause[24], detail[256];
    char image[64]; /* image conditions now: "black,frozen", or "" */
    int64_t since_us;        /* the current state's start */
    int64_t outage_since_us; /* down: the outage's start (across causes and restarts); else 0 */
    int enabled;
    int has_stats;
    int64_t stats_updated_us;
    struct cw_stats_row stats;
};

/* Rows for every enabled camera of the latest run, ordered by id. */
int cw_store_status(struct cw_store *st, struct cw_status_row **rows, int *n);
/* Latest run: start, last heartbeat, stop (0 while running or crashed). */
int cw_store_last_run(struct cw_store *st, int64_t *started, int64_t *heartbeat, int64_t *stopped);

/* ---- events ---- */

struct cw_event_row {
    int64_t id;
    const char *camera, *kind;
    int64_t start_us, end_us;
    double peak;
    const char *regions, *snapshot;
    int64_t erased_us; /* its pictures erased on a person's request then; 0: not */
};

/* Which events: [since_us, until_us), optionally of one camera and/or kind
 * (NULL: all), ordered by (start_us, id) and strictly after the cursor
 * (after_start_us, after_id) (INT64_MIN, 0: from the first); at most limit
 * rows (< 0: all). */
struct cw_event_query {
    const char *camera, *kind;
    int64_t since_us, until_us;
    int64_t after_start_us, after_id;
    int limit;
};
#define CW_EVENT_QUERY_ALL {NULL, NULL, 0, INT64_MAX, INT64_MIN, 0, -1}
int cw_store_each_event(struct cw_store *st, const struct cw_event_query *q,
                        void (*cb)(void *ud, const struct cw_event_row *e), void *ud);

/* Levels (the activity timeline): the same query, kind naming the plugin. */
struct cw_level_row {
    int64_t id;
    const char *camera, *plugin;
    int64_t start_us, end_us;
    double mean, max;
};
int cw_store_each_level(struct cw_store *st, const struct cw_event_query *q,
                        void (*cb)(void *ud, const struct cw_level_row *r), void *ud);

/* ---- retention (retention.c): each call one short transaction, so that
 * the daemon's writer never waits long behind a pool thread ---- */
/* Deletes up to limit of camera's events that ended before before_us,
 * oldest first; once committed, each one's snapshot path ("" for none) and
 * start go to cb. Returns how many, or a negative code. */
int cw_store_expire_events(struct cw_store *st, const char *camera, int64_t before_us, int limit,
                           void (*cb)(void *ud, const char *snapshot, int64_t start_us), void *ud);
/* Deletes up to limit of camera's level rows that ended before before_us;
 * widens [*first_us, *last_us] over their starts. Returns how many. */
int cw_store_expire_levels(struct cw_store *st, const char *camera, int64_t before_us, int limit, int64_t *first_us,
                           int64_t *last_us);
/* Events that began before before_us no longer name their snapshot (the
 * file is gone by age). Up to limit rows; returns how many. */
int cw_store_forget_snapshots(struct cw_store *st, const char *camera, int64_t before_us, int limit);
/* A person's request (privacy.c): the events of the cameras listed
 * (NULL-terminated) overlapping [from_us, to_us), oldest first. */
int cw_store_each_event_of(struct cw_store *st, const char *const *cameras, int64_t from_us, int64_t to_us,
                           void (*cb)(void *ud, const struct cw_event_row *e), void *ud);
/* Marks those events erased at now_us and forgets their snapshots, in one
 * transaction; each one's former snapshot path goes to cb once committed.
 * Returns how many events, or a negative code. */
int cw_store_erase_events(struct cw_store *st, const char *const *cameras, int64_t from_us, int64_t to_us,
                          int64_t now_us, void (*cb)(void *ud, const char *snapshot), void *ud);
/* The cameras of a site, as the database knows them (NULL-terminated,
 * caller frees each and the list); NULL on error. */
char **cw_store_site_cameras(struct cw_store *st, const char *site, int *n);
/* Every camera id with a row in cameras, events or levels. */
int cw_store_each_data_camera(struct cw_store *st, void (*cb)(void *ud, const char *camera), void *ud);

/* The console's audit list: who did what, when, from where. */
struct cw_audit_row {
    int64_t id, at_us;
    const char *user, *action, *target, *detail, *address;
};
int cw_store_audit_add(struct cw_store *st, const struct cw_audit_row *r);
/* since/until on at_us, cursor (after_start_us = at_us, after_id), limit. */
int cw_store_each_audit(struct cw_store *st, const struct cw_event_query *q,
                        void (*cb)(void *ud, const struct cw_audit_row *r), void *ud);

/* One camera's spans overlapping [since, until), oldest first (the console's
 * timeline); end_us -1 while open. q->camera is required. */
struct cw_span_row {
    int64_t id;
    const char *state, *cause, *detail;
    int64_t start_us, end_us;
};
int cw_store_each_camera_span(struct cw_store *st, const struct cw_event_query *q,
                              void (*cb)(void *ud, const struct cw_span_row *r), void *ud);

/* ---- alerts ---- */

struct cw_delivery_row {
    const char *key;
    int64_t created_us;
    const char *camera, *kind, *severity, *body;
    const char *target, *state;
    int attempts;
    int64_t next_us;
    const char *last_error;
    int64_t delivered_us;
};

/* pending_only: those still to send: 'pending', and 'held' for a target's
 * quiet-hours digest. */
int cw_store_each_delivery(struct cw_store *st, int pending_only,
                           void (*cb)(void *ud, const struct cw_delivery_row *d), void *ud);
/* The deliveries of the newest `limit` alerts, oldest first (the console). */
int cw_store_recent_deliveries(struct cw_store *st, int limit, void (*cb)(void *ud, const struct cw_delivery_row *d),
                               void *ud);
/* An event's snapshot file: 1 and path, 0 if none or no such event, or < 0. */
int cw_store_event_snapshot(struct cw_store *st, int64_t id, char *path, size_t len);
/* Each camera's newest connectivity alert (condition ""), and its newest
 * picture alert per image condition. */
int cw_store_last_alerts(struct cw_store *st, void (*cb)(void *ud, const char *camera, const char *kind,
                                                         const char *condition, int64_t created_us), void *ud);

/* ---- reports ---- */

/* Every camera ever recorded, ordered by id (meta strings valid during cb). */
int cw_store_each_camera(struct cw_store *st, void (*cb)(void *ud, const struct cw_camera_meta *m), void *ud);
/* Spans overlapping [from, to), ordered by camera then start; end_us is -1
 * for an open span. */
int cw_store_each_span(struct cw_store *st, int64_t from, int64_t to,
                       void (*cb)(void *ud, const char *camera, const char *state, const char *cause,
                                  int64_t start_us, int64_t end_us),
                       void *ud);
/* Whether the camera was in an outage (offline/stalled since it was last
 * online) at `from`: *since_us its start (0 if not), *down_us its down
 * time before `from`, and (rank not NULL) the most specific cause seen in
 * it so far (cw_outage_rank). */
int cw_store_outage_before(struct cw_store *st, const char *camera, int64_t from, int64_t *since_us,
                           int64_t *down_us, int *rank);

/* Image-condition spans overlapping [from, to), by camera then start. */
int cw_store_each_condition(struct cw_store *st, int64_t from, int64_t to,
                            void (*cb)(void *ud, const char *camera, const char *condition, int64_t start_us,
                                       int64_t end_us),
                            void *ud);
/* The province's working copy only (empty elsewhere): per commune, the
 * edge that sends it and how far its data has arrived. */
int cw_store_each_completeness(struct cw_store *st,
                               void (*cb)(void *ud, const char *commune, const char *instance, int64_t complete_until_us),
                               void *ud);
/* How far this database's history is whole: its last heartbeat (a
 * database without runs: the end of its latest span). */
int64_t cw_store_complete_until(struct cw_store *st);
/* The start of the oldest span (0: none). */
int64_t cw_store_first_span_us(struct cw_store *st);
/* A camera's digest for a month (digest.c): written, and logged for the
 * province, only when its figures changed. 1 if written, 0 if unchanged,
 * or negative. */
int cw_store_digest_put(struct cw_store *st, const char *camera, const char *month, int64_t upto_us,
                        const char *figures);
/* Motion and activity events starting in [from, to), counted per camera. */
int cw_store_event_counts(struct cw_store *st, int64_t from, int64_t to,
                          void (*cb)(void *ud, const char *camera, int64_t n), void *ud);

/* ---- maintenance windows ---- */

/* Records a window (scope, target, from, to, note, by, created_us). */
int cw_store_maintenance_add(struct cw_store *st, const struct cw_maint *w, int64_t *id);
/* Ends window id at now_us (a future one is withdrawn). CW_ENOTFOUND if
 * there is none, CW_EINVAL if it is already over. */
int cw_store_maintenance_end(struct cw_store *st, int64_t id, int64_t now_us, const char *by);
/* Whether any camera recorded has that id at that level: 1, 0, or < 0. */
int cw_store_hierarchy_has(struct cw_store *st, enum cw_maint_scope scope, const char *id);
/* The last status camwatchd gave a group (verdict.c): 1 and status/at_us,
 * 0 if none yet, or a negative code. */
int cw_store_verdict_get(struct cw_store *st, int level, const char *id, char *status, size_t len, int64_t *at_us);
int cw_store_verdict_set(struct cw_store *st, int level, const char *id, const char *status, int64_t at_us);
/* Acknowledgements: someone takes a down camera on (camwatch ack); its
 * outage then escalates no more. */
int cw_store_ack_add(struct cw_store *st, const char *camera, const char *note, const char *by, int64_t now_us);
/* Those made since since_us, oldest first. */
int cw_store_each_ack(struct cw_store *st, int64_t since_us,
                      void (*cb)(void *ud, const char *camera, const char *note, const char *by, int64_t at_us),
                      void *ud);
/* 1 if an event of `kind` was ever recorded, 0 if not, or a negative code:
 * a filter value nobody recorded is answered as a mistake. */
int cw_store_event_kind_known(struct cw_store *st, const char *kind);
/* Windows overlapping [from, to), by start. */
int cw_store_each_maintenance(struct cw_store *st, int64_t from, int64_t to,
                              void (*cb)(void *ud, const struct cw_maint *w), void *ud);

/* Bulk import of closed spans (the synthetic history generator and tests):
 * one transaction, one prepared statement. */
int cw_store_import_begin(struct cw_store *st);
int cw_store_import_camera(struct cw_store *st, const struct cw_camera_meta *m, int64_t t);
int cw_store_import_span(struct cw_store *st, const char *camera, const char *state, const char *cause,
                         int64_t start_us, int64_t end_us);
int cw_store_import_end(struct cw_store *st, int commit);

/* Checks integrity and that each camera's spans tile time: no overlap, no
 * gap, at most one open span. Problems are written to err (one per line).
 * Returns 0 when all holds, CW_ESTORE otherwise. */
int cw_store_verify(struct cw_store *st, char *err, int errlen);

/* ---- the change log the province's copy is fed from (upstream.c) ----
 * Triggers write it in the same transaction as every change of a shipped
 * table (cameras, spans, conditions, events, alerts, deliveries,
 * maintenance, acks, clock_steps, runs), while it is on. */
struct cw_sync_info {
    char epoch[40];        /* this database's random id */
    int64_t acked;         /* the province has the log up to here */
    int64_t whole_from;    /* from here on the log holds every row (the last backfill) */
    int64_t last_seq;      /* the log's newest entry */
    int64_t waiting;       /* entries after acked */
    int64_t oldest_us;     /* when the oldest waiting entry was written; 0: none */
    int64_t installed_us;  /* camwatchd's first run on this database (else the log's creation) */
    int64_t last_success_us, last_attempt_us;
    int on;                /* the log is being written */
    int backfill;          /* rows from before the log (or from a time without a province) to put in it first */
    char last_error[300];
};
int cw_store_sync_info(struct cw_store *st, struct cw_sync_info *out);
/* Puts every row of the shipped tables in the log (their current state
 * goes with the next batches), drops what waited before them (it is in
 * again), sets whole_from and clears the backfill flag; *rows: how many.
 * Also what the edge does when the province has less than it
 * acknowledged (restored from an older dump). */
int cw_store_sync_backfill(struct cw_store *st, int64_t *rows);
/* Sets the backfill flag (the province answered "gap"). */
int cw_store_sync_need_backfill(struct cw_store *st);
/* A camera's rows into the log again (the province asked: its history
 * there did not agree with this one), then its digests and a "resent"
 * marker. 1 if logged, 0 if already on its way (its marker waits in the
 * log), or negative. */
int cw_store_sync_resend(struct cw_store *st, const char *camera);
/* Turns the log on (a province is configured) or off (none: the log is
 * emptied, so that it never grows without a reader). A change either way
 * sets the backfill flag. */
int cw_store_sync_enable(struct cw_store *st, int on);
/* One batch of the log after `after`, at most `limit` entries, in one read
 * transaction: each touched row's current state once (a JSON object, or
 * NULL when the row is gone), in the order of its last change. *first and
 * *last: the log range covered (both 0: nothing waiting); *complete_until:
 * the latest heartbeat when the batch reaches the end of the log (all
 * data up to it is in), else 0. */
int cw_store_sync_batch(struct cw_store *st, int64_t after, int limit,
                        void (*cb)(void *ud, const char *tbl, const char *rkey, const char *json), void *ud,
                        int64_t *first, int64_t *last, int64_t *complete_until);
/* The province acknowledged the log up to seq: recorded with the time,
 * and the log up to it deleted. */
int cw_store_sync_acked(struct cw_store *st, int64_t seq, int64_t now_us);
/* A failed attempt, kept for `camwatch upstream status` (never a password:
 * the caller redacts). */
int cw_store_sync_failed(struct cw_store *st, const char *msg, int64_t now_us);

#endif
