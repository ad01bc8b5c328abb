/* SQLite state history (see store.h). All SQL of camwatch lives here, with
 * bound parameters only.
 *
 * Durability: WAL with synchronous=NORMAL. A power cut can lose the last
 * transactions (at most a few seconds: the flush interval), never corrupt
 * the file; the heartbeat is written in the same transaction as the spans,
 * so whatever survives is consistent with itself. */
#include "store.h"

#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "camstate.h"
#include "error.h"
#include "log.h"

struct cw_store {
    sqlite3 *db;
    int readonly;
    sqlite3_stmt *import_span; /* between import_begin and import_end */
    char last_err[256];        /* the last failure, kept past a ROLLBACK that succeeds */
    int quiet;                 /* failures are the caller's to report (logged at debug level) */
    /* Statements asked for once per camera and period (a month's report
     * with its 12 trend months asks 39,000 times for 3,000 cameras):
     * prepared once, kept by their SQL's address (a literal). Parsing them
     * every time was a fifth of the report's time. A store is used by one
     * thread (NOMUTEX), so one kept statement is never stepped twice. */
    struct {
        const char *sql;
        sqlite3_stmt *s;
    } kept[4];
};

/* The system clock in SQL, for the change log's ages (how old the
 * oldest row waiting for the province is). */
#define NOW "CAST((julianday('now') - 2440587.5) * 86400000000.0 AS INTEGER)"
/* The log is written only while a province is configured (`upstream:`):
 * a daemon without one writes nothing more than before. */
#define SYNC_ON "WHEN (SELECT value FROM sync_state WHERE key = 'on') = '1' "

/* Schema migrations: migrations[i] brings user_version i to i + 1. Append
 * only; a released migration is never edited. */
static const char *const migrations[] = {
    /* 0 -> 1: cameras, spans, runs, live stats */
    "CREATE TABLE cameras ("
    "  id TEXT PRIMARY KEY, name TEXT NOT NULL, site TEXT NOT NULL, site_name TEXT NOT NULL,"
    "  commune TEXT NOT NULL, commune_name TEXT NOT NULL, district TEXT NOT NULL,"
    "  district_name TEXT NOT NULL, url TEXT NOT NULL, enabled INTEGER NOT NULL,"
    "  added_us INTEGER NOT NULL, updated_us INTEGER NOT NULL);"
    "CREATE TABLE spans ("
    "  id INTEGER PRIMARY KEY, camera TEXT NOT NULL, state TEXT NOT NULL,"
    "  cause TEXT NOT NULL DEFAULT '', detail TEXT NOT NULL DEFAULT '',"
    "  start_us INTEGER NOT NULL, end_us INTEGER,"
    "  CHECK (end_us IS NULL OR end_us >= start_us));"
    "CREATE INDEX spans_camera_start ON spans(camera, start_us);"
    "CREATE UNIQUE INDEX spans_one_open ON spans(camera) WHERE end_us IS NULL;"
    "CREATE TABLE runs ("
    "  id INTEGER PRIMARY KEY, started_us INTEGER NOT NULL, heartbeat_us INTEGER NOT NULL,"
    "  stopped_us INTEGER, crashed INTEGER NOT NULL DEFAULT 0, pid INTEGER);"
    "CREATE TABLE camera_stats ("
    "  camera TEXT PRIMARY KEY, updated_us INTEGER NOT NULL, connected INTEGER NOT NULL,"
    "  last_packet_us INTEGER, fps REAL, packets INTEGER, bytes INTEGER, reconnects INTEGER,"
    "  decoded_frames INTEGER, keyframe_interval_s REAL, codec TEXT, width INTEGER, height INTEGER);",
    /* 1 -> 2: detection events and image conditions (imagehealth flags),
     * the latter as spans beside the connection state */
    "CREATE TABLE events ("
    "  id INTEGER PRIMARY KEY, camera TEXT NOT NULL, kind TEXT NOT NULL, start_us INTEGER NOT NULL,"
    "  end_us INTEGER NOT NULL, peak_score REAL NOT NULL, regions TEXT NOT NULL DEFAULT '[]',"
    "  snapshot TEXT NOT NULL DEFAULT '');"
    "CREATE INDEX events_camera_start ON events(camera, start_us);"
    "CREATE INDEX events_start ON events(start_us);"
    "CREATE TABLE conditions ("
    "  id INTEGER PRIMARY KEY, camera TEXT NOT NULL, condition TEXT NOT NULL,"
    "  start_us INTEGER NOT NULL, end_us INTEGER, CHECK (end_us IS NULL OR end_us >= start_us));"
    "CREATE INDEX conditions_camera_start ON conditions(camera, start_us);"
    "CREATE UNIQUE INDEX conditions_one_open ON conditions(camera, condition) WHERE end_us IS NULL;",
    /* 2 -> 3: which plugins a camera runs (comma-separated), so that a
     * report can tell "no bad image" from "image not checked" */
    "ALTER TABLE cameras ADD COLUMN plugins TEXT NOT NULL DEFAULT '';",
    /* 3 -> 4: the alert outbox. An alert is written before any attempt to
     * send it; one delivery row per target tracks its attempts. */
    "CREATE TABLE alerts ("
    "  id INTEGER PRIMARY KEY, key TEXT NOT NULL UNIQUE, created_us INTEGER NOT NULL, camera TEXT NOT NULL,"
    "  kind TEXT NOT NULL, severity TEXT NOT NULL, body TEXT NOT NULL);"
    "CREATE INDEX alerts_camera ON alerts(camera, id);"
    "CREATE TABLE deliveries ("
    "  alert_key TEXT NOT NULL, target TEXT NOT NULL, state TEXT NOT NULL DEFAULT 'pending',"
    "  attempts INTEGER NOT NULL DEFAULT 0, next_us INTEGER NOT NULL, last_error TEXT NOT NULL DEFAULT '',"
    "  delivered_us INTEGER, PRIMARY KEY (alert_key, target));"
    "CREATE INDEX deliveries_pending ON deliveries(state) WHERE state = 'pending';",
    /* 4 -> 5: declared maintenance windows, with who declared (and who
     * ended) them and when */
    "CREATE TABLE maintenance ("
    "  id INTEGER PRIMARY KEY, scope TEXT NOT NULL CHECK (scope IN ('camera', 'site', 'commune', 'district')),"
    "  target TEXT NOT NULL, from_us INTEGER NOT NULL, to_us INTEGER NOT NULL, note TEXT NOT NULL DEFAULT '',"
    "  created_by TEXT NOT NULL, created_us INTEGER NOT NULL, ended_by TEXT, ended_us INTEGER,"
    "  CHECK (to_us > from_us));"
    "CREATE INDEX maintenance_to ON maintenance(to_us);",
    /* 5 -> 6: the province (one per deployment since the 2025 reform; the
     * district level became optional: '' where a deployment has none) and
     * the former ids of merged communes */
    "ALTER TABLE cameras ADD COLUMN province TEXT NOT NULL DEFAULT '';"
    "ALTER TABLE cameras ADD COLUMN province_name TEXT NOT NULL DEFAULT '';"
    "ALTER TABLE cameras ADD COLUMN commune_formerly TEXT NOT NULL DEFAULT '';",
    /* 6 -> 7: steps of the system clock camwatch noticed (it keeps its own
     * clock steady and absorbs them slowly; see clock.h) */
    "CREATE TABLE clock_steps (id INTEGER PRIMARY KEY, at_us INTEGER NOT NULL, step_us INTEGER NOT NULL);",
    /* 7 -> 8: acknowledgements: someone saw the camera is down and takes
     * it on; escalation stops for that outage */
    "CREATE TABLE acks (id INTEGER PRIMARY KEY, camera TEXT NOT NULL, note TEXT NOT NULL DEFAULT '',"
    "  created_by TEXT NOT NULL, created_us INTEGER NOT NULL);"
    "CREATE INDEX acks_camera ON acks(camera, created_us);",
    /* 8 -> 9: the last status camwatchd gave each site, commune and
     * district by the report's rules (verdict.c): a restart repeats none */
    "CREATE TABLE verdicts (level INTEGER NOT NULL, id TEXT NOT NULL, status TEXT NOT NULL, at_us INTEGER NOT NULL,"
    "  PRIMARY KEY (level, id));",
    /* 9 -> 10: each plugin's level per camera and interval (the activity
     * timeline; `activity` raises no events since 2.0) */
    "CREATE TABLE levels (camera TEXT NOT NULL, plugin TEXT NOT NULL, start_us INTEGER NOT NULL,"
    "  end_us INTEGER NOT NULL, mean REAL NOT NULL, max REAL NOT NULL, CHECK (end_us >= start_us));"
    "CREATE INDEX levels_camera_start ON levels(camera, start_us);",
    /* 10 -> 11: what people did from the web console (and who tried to log
     * in): never a password, a hash or a session id */
    "CREATE TABLE audit (id INTEGER PRIMARY KEY, at_us INTEGER NOT NULL, user TEXT NOT NULL, action TEXT NOT NULL,"
    "  target TEXT NOT NULL DEFAULT '', detail TEXT NOT NULL DEFAULT '', address TEXT NOT NULL DEFAULT '');"
    "CREATE INDEX audit_at ON audit(at_us);",
    /* 11 -> 12: what the deployment that writes this database is set to
     * (time zone, language), so that a copy of the file read with --db
     * speaks in the commune's zone and language, not the reader's */
    "CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);",
    /* 12 -> 13: the change log the province's copy is fed from (issue
     * #25). Every insert, update and delete of a shipped table writes a
     * sync_log row in the same transaction (triggers: whoever writes, the
     * daemon or the CLI); the shipper sends each touched row's current
     * state in log order. The epoch is a random id made with the log: a
     * restored or recreated database never passes for its predecessor.
     * The rows already here are put in the log by the first shipment
     * (backfill). Without a province the log stays empty ('on' is 0). */
    "CREATE TABLE sync_log (seq INTEGER PRIMARY KEY AUTOINCREMENT, tbl TEXT NOT NULL, rkey TEXT NOT NULL,"
    "  at_us INTEGER NOT NULL);"
    "CREATE TABLE sync_state (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
    "INSERT INTO sync_state VALUES ('epoch', lower(hex(randomblob(16))));"
    "INSERT INTO sync_state VALUES ('created_us', " NOW ");"
    "INSERT INTO sync_state VALUES ('acked', '0');"
    "INSERT INTO sync_state VALUES ('backfill', '1');"
    "INSERT INTO sync_state VALUES ('on', '0');"
    "CREATE TRIGGER sync_cameras_i AFTER INSERT ON cameras " SYNC_ON "BEGIN INSERT INTO sync_log(tbl, rkey, at_us) VALUES ('cameras', NEW.id, " NOW "); END;"
    "CREATE TRIGGER sync_cameras_u AFTER UPDATE ON cameras " SYNC_ON "BEGIN INSERT INTO sync_log(tbl, rkey, at_us) VALUES ('cameras', NEW.id, " NOW "); END;"
    "CREATE TRIGGER sync_cameras_d AFTER DELETE ON cameras " SYNC_ON "BEGIN INSERT INTO sync_log(tbl, rkey, at_us) VALUES ('cameras', OLD.id, " NOW "); END;"
    "CREATE TRIGGER sync_spans_i AFTER INSERT ON spans " SYNC_ON "BEGIN INSERT INTO sync_log(tbl, rkey, at_us) VALUES ('spans', NEW.id, " NOW "); END;"
    "CREATE TRIGGER sync_spans_u AFTER UPDATE ON spans " SYNC_ON "BEGIN INSERT INTO sync_log(tbl, rkey, at_us) VALUES ('spans', NEW.id, " NOW "); END;"
    "CREATE TRIGGER sync_spans_d AFTER DELETE ON spans " SYNC_ON "BEGIN INSERT INTO sync_log(tbl, rkey, at_us) VALUES ('spans', OLD.id, " NOW "); END;"
    "CREATE TRIGGER sync_conditions_i AFTER INSERT ON conditions " SYNC_ON "BEGIN INSERT INTO sync_log(tbl, rkey, at_us) VALUES ('conditions', NEW.id, " NOW "); END;"
    "CREATE TRIGGER sync_conditions_u AFTER UPDATE ON conditions " SYNC_ON "BEGIN INSERT INTO sync_log(tbl, rkey, at_us) VALUES ('conditions', NEW.id, " NOW "); END;"
    "CREATE TRIGGER sync_conditions_d AFTER DELETE ON conditions " SYNC_ON "BEGIN INSERT INTO sync_log(tbl, rkey, at_us) VALUES ('conditions', OLD.id, " NOW "); END;"
    "CREATE TRIGGER sync_events_i AFTER INSERT ON events " SYNC_ON "BEGIN INSERT INTO sync_log(tbl, rkey, at_us) VALUES ('events', NEW.id, " NOW "); END;"
    "CREATE TRIGGER sync_events_u AFTER UPDATE ON events " SYNC_ON "BEGIN INSERT INTO sync_log(tbl, rkey, at_us) VALUES ('events', NEW.id, " NOW "); END;"
    "CREATE TRIGGER sync_events_d AFTER DELETE ON events " SYNC_ON "BEGIN INSERT INTO sync_log(tbl, rkey, at_us) VALUES ('events', OLD.id, " NOW "); END;"
    "CREATE TRIGGER sync_alerts_i AFTER INSERT ON alerts " SYNC_ON "BEGIN INSERT INTO sync_log(tbl, rkey, at_us) VALUES ('alerts', NEW.id, " NOW "); END;"
    "CREATE TRIGGER sync_alerts_u AFTER UPDATE ON alerts " SYNC_ON "BEGIN INSERT INTO sync_log(tbl, rkey, at_us) VALUES ('alerts', NEW.id, " NOW "); END;"
    "CREATE TRIGGER sync_alerts_d AFTER DELETE ON alerts " SYNC_ON "BEGIN INSERT INTO sync_log(tbl, rkey, at_us) VALUES ('alerts', OLD.id, " NOW "); END;"
    "CREATE TRIGGER sync_maintenance_i AFTER INSERT ON maintenance " SYNC_ON "BEGIN INSERT INTO sync_log(tbl, rkey, at_us) VALUES ('maintenance', NEW.id, " NOW "); END;"
    "CREATE TRIGGER sync_maintenance_u AFTER UPDATE ON maintenance " SYNC_ON "BEGIN INSERT INTO sync_log(tbl, rkey, at_us) VALUES ('maintenance', NEW.id, " NOW "); END;"
    "CREATE TRIGGER sync_maintenance_d AFTER DELETE ON maintenance " SYNC_ON "BEGIN INSERT INTO sync_log(tbl, rkey, at_us) VALUES ('maintenance', OLD.id, " NOW "); END;"
    "CREATE TRIGGER sync_acks_i AFTER INSERT ON acks " SYNC_ON "BEGIN INSERT INTO sync_log(tbl, rkey, at_us) VALUES ('acks', NEW.id, " NOW "); END;"
    "CREATE TRIGGER sync_acks_u AFTER UPDATE ON acks " SYNC_ON "BEGIN INSERT INTO sync_log(tbl, rkey, at_us) VALUES ('acks', NEW.id, " NOW "); END;"
    "CREATE TRIGGER sync_acks_d AFTER DELETE ON acks " SYNC_ON "BEGIN INSERT INTO sync_log(tbl, rkey, at_us) VALUES ('acks', OLD.id, " NOW "); END;"
    "CREATE TRIGGER sync_clock_steps_i AFTER INSERT ON clock_steps " SYNC_ON "BEGIN INSERT INTO sync_log(tbl, rkey, at_us) VALUES ('clock_steps', NEW.id, " NOW "); END;"
    "CREATE TRIGGER sync_clock_steps_u AFTER UPDATE ON clock_steps " SYNC_ON "BEGIN INSERT INTO sync_log(tbl, rkey, at_us) VALUES ('clock_steps', NEW.id, " NOW "); END;"
    "CREATE TRIGGER sync_clock_steps_d AFTER DELETE ON clock_steps " SYNC_ON "BEGIN INSERT INTO sync_log(tbl, rkey, at_us) VALUES ('clock_steps', OLD.id, " NOW "); END;"
    "CREATE TRIGGER sync_deliveries_i AFTER INSERT ON deliveries " SYNC_ON "BEGIN INSERT INTO sync_log(tbl, rkey, at_us) VALUES ('deliveries', NEW.alert_key || char(9) || NEW.target, " NOW "); END;"
    "CREATE TRIGGER sync_deliveries_d AFTER DELETE ON deliveries " SYNC_ON "BEGIN INSERT INTO sync_log(tbl, rkey, at_us) VALUES ('deliveries', OLD.alert_key || char(9) || OLD.target, " NOW "); END;"
    "CREATE TRIGGER sync_deliveries_u AFTER UPDATE ON deliveries " SYNC_ON "BEGIN INSERT INTO sync_log(tbl, rkey, at_us) VALUES ('deliveries', NEW.alert_key || char(9) || NEW.target, " NOW "); END;"
    "CREATE TRIGGER sync_runs_i AFTER INSERT ON runs " SYNC_ON "BEGIN INSERT INTO sync_log(tbl, rkey, at_us) VALUES ('runs', NEW.id, " NOW "); END;"
    /* the heartbeat (every second) travels as each batch's complete_until, not as a change */
    "CREATE TRIGGER sync_runs_u AFTER UPDATE OF stopped_us, crashed ON runs " SYNC_ON "BEGIN INSERT INTO sync_log(tbl, rkey, at_us) VALUES ('runs', NEW.id, " NOW "); END;"
    "CREATE TRIGGER sync_runs_d AFTER DELETE ON runs " SYNC_ON "BEGIN INSERT INTO sync_log(tbl, rkey, at_us) VALUES ('runs', OLD.id, " NOW "); END;",
    /* 13 -> 14: how far each commune's data has arrived at the province
     * (the edge's complete_until, issue #25). Filled only in the
     * province's working copy (pgread.c); a commune's own database keeps
     * it empty: its data is its own. A report over a database that has
     * rows here is the province's: it names each commune's "complete up
     * to" and whether it is final. Not shipped (no trigger). */
    "CREATE TABLE completeness (commune TEXT PRIMARY KEY, instance TEXT NOT NULL,"
    "  complete_until_us INTEGER NOT NULL);"
    /* ... and per camera and (UTC) month, this edge's own figures up to a
     * moment (seconds by state and cause, outages: cw_digest), shipped so
     * that the province can check what it holds against them */
    "CREATE TABLE digests (camera TEXT NOT NULL, month TEXT NOT NULL, upto_us INTEGER NOT NULL,"
    "  figures TEXT NOT NULL, PRIMARY KEY (camera, month));"
    "CREATE TRIGGER sync_digests_i AFTER INSERT ON digests " SYNC_ON "BEGIN INSERT INTO sync_log(tbl, rkey, at_us) VALUES ('digests', NEW.camera || char(9) || NEW.month, " NOW "); END;"
    "CREATE TRIGGER sync_digests_u AFTER UPDATE ON digests " SYNC_ON "BEGIN INSERT INTO sync_log(tbl, rkey, at_us) VALUES ('digests', NEW.camera || char(9) || NEW.month, " NOW "); END;",
    /* 14 -> 15: a person's request (PDPL, issue #26): an event whose
     * pictures were erased keeps its times and scores, marked with when */
    "ALTER TABLE events ADD COLUMN erased_us INTEGER;",
};
#define N_MIGRATIONS ((int)(sizeof migrations / sizeof migrations[0]))

const char *cw_store_errmsg(struct cw_store *st)
{
    if (!st || !st->db)
        return "no database";
    return st->last_err[0] ? st->last_err : sqlite3_errmsg(st->db);
}

/* A busy or locked database is the caller's to report (it retries); any
 * other failure is logged here, where its context is known. */
static int busy(struct cw_store *st)
{
    int e = sqlite3_errcode(st->db) & 0xff;
    return e == SQLITE_BUSY || e == SQLITE_LOCKED;
}

static int fail(struct cw_store *st, const char *what)
{
    snprintf(st->last_err, sizeof st->last_err, "%s", sqlite3_errmsg(st->db));
    if (busy(st) || st->quiet)
        cw_debug("store", NULL, "%s: %s", what, st->last_err);
    else
        cw_error("store", NULL, "%s: %s", what, st->last_err);
    return CW_ESTORE;
}

static int exec(struct cw_store *st, const char *sql)
{
    /* Used only for fixed statements without parameters (pragmas, schema,
     * transaction control); data always goes through bound statements. */
    char *msg = NULL;
    if (sqlite3_exec(st->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        snprintf(st->last_err, sizeof st->last_err, "%s", msg ? msg : "exec failed");
        if (busy(st) || st->quiet)
            cw_debug("store", NULL, "%s", st->last_err);
        else
            cw_error("store", NULL, "%s", st->last_err);
        sqlite3_free(msg);
        return CW_ESTORE;
    }
    return 0;
}

static int user_version(struct cw_store *st, int *v)
{
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(st->db, "PRAGMA user_version", -1, &s, NULL) != SQLITE_OK)
        return fail(st, "reading the schema version");
    /* A file that cannot be read (not a database, locked, unreadable) is
     * that error, never "schema version 0". */
    if (sqlite3_step(s) != SQLITE_ROW) {
        int rc = fail(st, "reading the schema version");
        sqlite3_finalize(s);
        return rc;
    }
    *v = sqlite3_column_int(s, 0);
    sqlite3_finalize(s);
    return 0;
}

static int migrate(struct cw_store *st)
{
    int v, rc;
    char sql[64];

    if ((rc = user_version(st, &v)) < 0)
        return rc;
    if (v > N_MIGRATIONS) {
        cw_error("store", NULL, "database schema version %d is newer than this camwatch (%d)", v, N_MIGRATIONS);
        return CW_ESCHEMA;
    }
    for (; v < N_MIGRATIONS; v++) {
        if (exec(st, "BEGIN IMMEDIATE") < 0)
            return CW_ESTORE;
        snprintf(sql, sizeof sql, "PRAGMA user_version = %d", v + 1);
        if (exec(st, migrations[v]) < 0 || exec(st, sql) < 0) {
            exec(st, "ROLLBACK");
            return CW_ESTORE;
        }
        if (exec(st, "COMMIT") < 0)
            return CW_ESTORE;
        cw_info("store", NULL, "database schema migrated to version %d", v + 1);
    }
    return 0;
}

void cw_store_set_quiet(struct cw_store *st, int quiet)
{
    if (st)
        st->quiet = quiet;
}

static int open_store(const char *path, int readonly, int quiet, struct cw_store **out, char *err, size_t errlen);

int cw_store_open(const char *path, int readonly, struct cw_store **out)
{
    return open_store(path, readonly, 0, out, NULL, 0);
}

int cw_store_open_quiet(const char *path, struct cw_store **out, char *err, size_t errlen)
{
    return open_store(path, 0, 1, out, err, errlen);
}

int cw_store_open_msg(const char *path, int readonly, struct cw_store **out, char *err, size_t errlen)
{
    return open_store(path, readonly, 1, out, err, errlen);
}

static int open_store(const char *path, int readonly, int quiet, struct cw_store **out, char *err, size_t errlen)
{
    struct cw_store *st = calloc(1, sizeof *st);
    int flags = readonly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
    int rc;

    *out = NULL;
    if (!st)
        return CW_ENOMEM;
    st->readonly = readonly;
    st->quiet = quiet;
    if (sqlite3_open_v2(path, &st->db, flags | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
        if (err)
            snprintf(err, errlen, "%s", st->db ? sqlite3_errmsg(st->db) : "?");
        if (!quiet)
            cw_error("store", NULL, "cannot open database %s: %s", path, st->db ? sqlite3_errmsg(st->db) : "?");
        sqlite3_close(st->db);
        free(st);
        return CW_ESTORE;
    }
    sqlite3_busy_timeout(st->db, 5000);
    if (!readonly) {
        rc = exec(st, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;");
        if (rc == 0)
            rc = migrate(st);
    } else {
        int v = 0;
        rc = user_version(st, &v);
        if (rc == 0 && v != N_MIGRATIONS) {
            if (v == 0)
                snprintf(st->last_err, sizeof st->last_err, "%s is not a camwatch database", path);
            else
                snprintf(st->last_err, sizeof st->last_err, "database %s has schema version %d; this camwatch reads %d%s",
                         path, v, N_MIGRATIONS, v < N_MIGRATIONS ? " (start camwatchd once to migrate it)" : "");
            if (!quiet)
                cw_error("store", NULL, "%s", st->last_err);
            rc = v > N_MIGRATIONS ? CW_ESCHEMA : CW_ESTORE;
        }
    }
    if (rc < 0) {
        if (err)
            snprintf(err, errlen, "%s", st->last_err[0] ? st->last_err : sqlite3_errmsg(st->db));
        cw_store_close(st);
        return rc;
    }
    *out = st;
    return 0;
}

void cw_store_close(struct cw_store *st)
{
    if (!st)
        return;
    for (size_t i = 0; i < sizeof st->kept / sizeof st->kept[0]; i++)
        sqlite3_finalize(st->kept[i].s);
    sqlite3_close(st->db);
    free(st);
}

static void bindv(sqlite3_stmt *s, const char *fmt, va_list ap)
{
    for (int i = 0; fmt[i]; i++) {
        if (fmt[i] == 'i')
            sqlite3_bind_int64(s, i + 1, va_arg(ap, int64_t));
        else if (fmt[i] == 'd')
            sqlite3_bind_double(s, i + 1, va_arg(ap, double));
        else
            sqlite3_bind_text(s, i + 1, va_arg(ap, const char *), -1, SQLITE_TRANSIENT);
    }
}

/* Prepares sql and binds the arguments described by fmt: 'i' int64,
 * 't' text (NULL allowed), 'd' double. */
static sqlite3_stmt *prep(struct cw_store *st, const char *sql, const char *fmt, ...)
{
    sqlite3_stmt *s;
    va_list ap;
    if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK) {
        fail(st, "prepare");
        return NULL;
    }
    va_start(ap, fmt);
    bindv(s, fmt, ap);
    va_end(ap);
    return s;
}

/* prep() for a statement asked for again and again: sql must be a string
 * literal (kept by its address). Handed back with put_kept(), not
 * finalized. */
static sqlite3_stmt *kept(struct cw_store *st, const char *sql, const char *fmt, ...)
{
    size_t i, n = sizeof st->kept / sizeof st->kept[0];
    for (i = 0; i < n && st->kept[i].sql && st->kept[i].sql != sql; i++)
        ;
    if (i == n)
        return NULL; /* more kept statements than slots: a programming error */
    if (!st->kept[i].sql) {
        if (sqlite3_prepare_v3(st->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st->kept[i].s, NULL) != SQLITE_OK) {
            fail(st, "prepare");
            sqlite3_finalize(st->kept[i].s);
            st->kept[i].s = NULL;
            return NULL;
        }
        st->kept[i].sql = sql;
    }
    va_list ap;
    va_start(ap, fmt);
    bindv(st->kept[i].s, fmt, ap);
    va_end(ap);
    return st->kept[i].s;
}

/* Ends a kept statement's use: reset (its read lock released), bindings
 * cleared (a text bound TRANSIENT is freed now, not at the next use). */
static void put_kept(sqlite3_stmt *s)
{
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
}

/* Runs a statement that returns no rows, then finalizes it. */
static int run(struct cw_store *st, sqlite3_stmt *s)
{
    int rc;
    if (!s)
        return CW_ESTORE;
    rc = sqlite3_step(s);
    sqlite3_finalize(s);
    if (rc != SQLITE_DONE)
        return fail(st, "step");
    return 0;
}

static int64_t query_i64(struct cw_store *st, sqlite3_stmt *s, int64_t dflt)
{
    int64_t v = dflt;
    (void)st;
    if (s && sqlite3_step(s) == SQLITE_ROW && sqlite3_column_type(s, 0) != SQLITE_NULL)
        v = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    return v;
}

int cw_store_begin_run(struct cw_store *st, int64_t now_us, int pid, int64_t *run_id)
{
    int rc = 0;
    if (exec(st, "BEGIN IMMEDIATE") < 0)
        return CW_ESTORE;
    /* A run that never recorded its stop crashed (or lost power): its
     * cameras' open spans end at its last heartbeat, the last moment the
     * daemon is known to have been watching. */
    int64_t hb = query_i64(st, prep(st, "SELECT heartbeat_us FROM runs WHERE stopped_us IS NULL "
                                        "ORDER BY id DESC LIMIT 1", ""), -1);
    if (hb >= 0) {
        cw_warn("store", NULL, "previous run did not stop cleanly; closing its spans at its last heartbeat");
        rc = run(st, prep(st, "UPDATE spans SET end_us = MAX(start_us, ?) WHERE end_us IS NULL", "i", hb));
        if (rc == 0)
            rc = run(st, prep(st, "UPDATE conditions SET end_us = MAX(start_us, ?) WHERE end_us IS NULL", "i", hb));
        if (rc == 0)
            rc = run(st, prep(st, "UPDATE runs SET stopped_us = heartbeat_us, crashed = 1 WHERE stopped_us IS NULL",
                              ""));
    }
    /* Spans left open by anything else (should not happen) end where they
     * started rather than swallow the gap. */
    if (rc == 0)
        rc = run(st, prep(st, "UPDATE spans SET end_us = start_us WHERE end_us IS NULL", ""));
    if (rc == 0)
        rc = run(st, prep(st, "UPDATE conditions SET end_us = start_us WHERE end_us IS NULL", ""));
    /* Cameras no longer in the config keep their history but leave the
     * status list; each configured camera is marked again as it starts. */
    if (rc == 0)
        rc = run(st, prep(st, "UPDATE cameras SET enabled = 0", ""));
    if (rc == 0)
        rc = run(st, prep(st, "INSERT INTO runs(started_us, heartbeat_us, pid) VALUES (?, ?, ?)", "iii", now_us,
                          now_us, (int64_t)pid));
    if (rc == 0)
        *run_id = sqlite3_last_insert_rowid(st->db);
    if (rc < 0 || exec(st, "COMMIT") < 0) {
        exec(st, "ROLLBACK");
        return CW_ESTORE;
    }
    return 0;
}

int cw_store_end_run(struct cw_store *st, int64_t run_id, int64_t now_us)
{
    int rc;
    if (exec(st, "BEGIN IMMEDIATE") < 0)
        return CW_ESTORE;
    rc = run(st, prep(st, "UPDATE spans SET end_us = MAX(start_us, ?) WHERE end_us IS NULL", "i", now_us));
    if (rc == 0)
        rc = run(st, prep(st, "UPDATE conditions SET end_us = MAX(start_us, ?) WHERE end_us IS NULL", "i", now_us));
    if (rc == 0)
        rc = run(st, prep(st, "UPDATE runs SET heartbeat_us = ?, stopped_us = ? WHERE id = ?", "iii", now_us,
                          now_us, run_id));
    if (rc == 0)
        rc = run(st, prep(st, "UPDATE camera_stats SET connected = 0", ""));
    if (rc < 0 || exec(st, "COMMIT") < 0) {
        exec(st, "ROLLBACK");
        return CW_ESTORE;
    }
    return 0;
}

static int open_span(struct cw_store *st, const char *camera, int64_t t, const char *state, const char *cause,
                     const char *detail)
{
    return run(st, prep(st, "INSERT INTO spans(camera, state, cause, detail, start_us) VALUES (?, ?, ?, ?, ?)",
                        "tttti", camera, state, cause ? cause : "",
                        detail ? detail : "", t));
}

static int close_span(struct cw_store *st, const char *camera, int64_t t)
{
    return run(st, prep(st, "UPDATE spans SET end_us = MAX(start_us, ?) WHERE camera = ? AND end_us IS NULL", "it",
                        t, camera));
}

static int upsert_camera(struct cw_store *st, const struct cw_camera_meta *m, int64_t now_us)
{
    return run(st, prep(st,
                      "INSERT INTO cameras(id, name, site, site_name, commune, commune_name, district,"
                      " district_name, url, enabled, added_us, updated_us, plugins, province, province_name,"
                      " commune_formerly) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"
                      " ON CONFLICT(id) DO UPDATE SET name=excluded.name, site=excluded.site,"
                      " site_name=excluded.site_name, commune=excluded.commune,"
                      " commune_name=excluded.commune_name, district=excluded.district,"
                      " district_name=excluded.district_name, url=excluded.url, enabled=excluded.enabled,"
                      " updated_us=excluded.updated_us, plugins=excluded.plugins, province=excluded.province,"
                      " province_name=excluded.province_name, commune_formerly=excluded.commune_formerly",
                      "tttttttttiiitttt", m->id, m->names.name, m->names.site, m->names.site_name, m->names.commune,
                      m->names.commune_name, m->names.district, m->names.district_name, m->url_redacted,
                      (int64_t)m->enabled, now_us, now_us, m->plugins ? m->plugins : "", m->names.province,
                      m->names.province_name, m->formerly ? m->formerly : ""));
}

static int camera_start(struct cw_store *st, const struct cw_camera_meta *m, int64_t now_us)
{
    int rc = upsert_camera(st, m, now_us);
    if (rc == 0 && m->enabled) {
        /* Whatever time since this camera's history last ended was not
         * watched by anyone: record it so that the history tiles. */
        int64_t last_end = query_i64(st, prep(st, "SELECT MAX(end_us) FROM spans WHERE camera = ?", "t", m->id), -1);
        rc = close_span(st, m->id, now_us);
        if (rc == 0 && last_end >= 0 && last_end < now_us)
            rc = run(st, prep(st, "INSERT INTO spans(camera, state, cause, detail, start_us, end_us)"
                                  " VALUES (?, 'unmonitored', '', 'camwatchd was not running', ?, ?)",
                              "tii", m->id, last_end, now_us));
        if (rc == 0)
            rc = open_span(st, m->id, now_us, "starting", "", "");
    }
    return rc;
}

int cw_store_camera_start(struct cw_store *st, const struct cw_camera_meta *m, int64_t now_us)
{
    int rc;
    if (exec(st, "BEGIN IMMEDIATE") < 0)
        return CW_ESTORE;
    rc = camera_start(st, m, now_us);
    if (rc < 0 || exec(st, "COMMIT") < 0) {
        exec(st, "ROLLBACK");
        return CW_ESTORE;
    }
    return 0;
}

/* ---- batches ---- */

enum op_kind {
    OP_TRANSITION, OP_CLOSE, OP_STATS, OP_HEARTBEAT, OP_CAMERA_START, OP_EVENT, OP_CONDITION, OP_CAMERA_META,
    OP_ALERT, OP_DELIVERY_ADD, OP_DELIVERY, OP_CLOCK_STEP, OP_LEVEL, OP_SETTING
};

#define META_FIELDS 4 /* id, url, plugins, formerly */

struct op {
    enum op_kind kind;
    char *camera, *state, *cause, *detail;
    int64_t t, run_id;
    struct cw_stats_row stats;
    char *meta[META_FIELDS];
    struct cw_names *names; /* OP_CAMERA_START / OP_CAMERA_META */
    int enabled;
    int64_t end_t; /* OP_EVENT */
    double score;
    double max;    /* OP_LEVEL (score: the mean) */
    int on;        /* OP_CONDITION */
};

struct cw_store_batch {
    struct op *ops;
    int n, cap;
};

struct cw_store_batch *cw_store_batch_new(void) { return calloc(1, sizeof(struct cw_store_batch)); }

void cw_store_batch_free(struct cw_store_batch *b)
{
    if (!b)
        return;
    for (int i = 0; i < b->n; i++) {
        free(b->ops[i].camera);
        free(b->ops[i].state);
        free(b->ops[i].cause);
        free(b->ops[i].detail);
        for (int j = 0; j < META_FIELDS; j++)
            free(b->ops[i].meta[j]);
        free(b->ops[i].names);
    }
    free(b->ops);
    free(b);
}

int cw_store_batch_empty(const struct cw_store_batch *b) { return b->n == 0; }

static struct op *push(struct cw_store_batch *b, enum op_kind kind, const char *camera, int64_t t)
{
    if (b->n == b->cap) {
        int cap = b->cap ? b->cap * 2 : 16;
        struct op *o = realloc(b->ops, sizeof *o * (size_t)cap);
        if (!o)
            return NULL;
        b->ops = o;
        b->cap = cap;
    }
    struct op *op = &b->ops[b->n];
    memset(op, 0, sizeof *op);
    op->kind = kind;
    op->t = t;
    if (camera && !(op->camera = strdup(camera)))
        return NULL;
    b->n++;
    return op;
}

int cw_store_batch_transition(struct cw_store_batch *b, const char *camera, int64_t t, const char *state,
                              const char *cause, const char *detail)
{
    struct op *op = push(b, OP_TRANSITION, camera, t);
    if (!op)
        return CW_ENOMEM;
    op->state = strdup(state);
    op->cause = strdup(cause ? cause : "");
    op->detail = strdup(detail ? detail : "");
    return op->state && op->cause && op->detail ? 0 : CW_ENOMEM;
}

static int push_meta(struct cw_store_batch *b, enum op_kind kind, const struct cw_camera_meta *m, int64_t t)
{
    const char *f[META_FIELDS] = {m->id, m->url_redacted, m->plugins, m->formerly};
    struct op *op = push(b, kind, m->id, t);
    if (!op)
        return CW_ENOMEM;
    op->enabled = m->enabled;
    if (!(op->names = malloc(sizeof *op->names)))
        return CW_ENOMEM;
    *op->names = m->names;
    for (int j = 0; j < META_FIELDS; j++)
        if (!(op->meta[j] = strdup(f[j] ? f[j] : "")))
            return CW_ENOMEM;
    return 0;
}

int cw_store_batch_camera_start(struct cw_store_batch *b, const struct cw_camera_meta *m, int64_t t)
{
    return push_meta(b, OP_CAMERA_START, m, t);
}

int cw_store_batch_camera_meta(struct cw_store_batch *b, const struct cw_camera_meta *m, int64_t t)
{
    return push_meta(b, OP_CAMERA_META, m, t);
}

int cw_store_batch_event(struct cw_store_batch *b, const char *camera, const char *kind, int64_t start_us,
                         int64_t end_us, double peak, const char *regions, const char *snapshot)
{
    struct op *op = push(b, OP_EVENT, camera, start_us);
    if (!op)
        return CW_ENOMEM;
    op->end_t = end_us;
    op->score = peak;
    op->state = strdup(kind);
    op->detail = strdup(regions ? regions : "[]");
    op->cause = strdup(snapshot ? snapshot : "");
    return op->state && op->detail && op->cause ? 0 : CW_ENOMEM;
}

int cw_store_batch_level(struct cw_store_batch *b, const char *camera, const char *plugin, int64_t start_us,
                         int64_t end_us, double mean, double max)
{
    struct op *op = push(b, OP_LEVEL, camera, start_us);
    if (!op)
        return CW_ENOMEM;
    op->end_t = end_us;
    op->score = mean;
    op->max = max;
    op->state = strdup(plugin);
    return op->state ? 0 : CW_ENOMEM;
}

int cw_store_batch_condition(struct cw_store_batch *b, const char *camera, const char *condition, int on, int64_t t)
{
    struct op *op = push(b, OP_CONDITION, camera, t);
    if (!op)
        return CW_ENOMEM;
    op->on = on;
    op->state = strdup(condition);
    return op->state ? 0 : CW_ENOMEM;
}

int cw_store_batch_alert(struct cw_store_batch *b, const char *key, int64_t created_us, const char *camera,
                         const char *kind, const char *severity, const char *body_json)
{
    struct op *op = push(b, OP_ALERT, camera, created_us);
    if (!op)
        return CW_ENOMEM;
    op->state = strdup(key);
    op->cause = strdup(kind);
    op->detail = strdup(body_json);
    op->meta[0] = strdup(severity);
    return op->state && op->cause && op->detail && op->meta[0] ? 0 : CW_ENOMEM;
}

int cw_store_batch_delivery(struct cw_store_batch *b, const char *key, const char *target, int add, const char *state,
                            int attempts, int64_t next_us, const char *last_error, int64_t delivered_us)
{
    struct op *op = push(b, add ? OP_DELIVERY_ADD : OP_DELIVERY, target, next_us);
    if (!op)
        return CW_ENOMEM;
    op->state = strdup(key);
    op->cause = strdup(state);
    op->detail = strdup(last_error ? last_error : "");
    op->on = attempts;
    op->end_t = delivered_us;
    return op->state && op->cause && op->detail ? 0 : CW_ENOMEM;
}

int cw_store_batch_close(struct cw_store_batch *b, const char *camera, int64_t t)
{
    return push(b, OP_CLOSE, camera, t) ? 0 : CW_ENOMEM;
}

int cw_store_batch_stats(struct cw_store_batch *b, const char *camera, int64_t t, const struct cw_stats_row *s)
{
    struct op *op = push(b, OP_STATS, camera, t);
    if (!op)
        return CW_ENOMEM;
    op->stats = *s;
    return 0;
}

int cw_store_batch_clock_step(struct cw_store_batch *b, int64_t t, int64_t step_us)
{
    struct op *op = push(b, OP_CLOCK_STEP, NULL, t);
    if (!op)
        return CW_ENOMEM;
    op->end_t = step_us;
    return 0;
}

int cw_store_batch_heartbeat(struct cw_store_batch *b, int64_t run_id, int64_t t)
{
    struct op *op = push(b, OP_HEARTBEAT, NULL, t);
    if (!op)
        return CW_ENOMEM;
    op->run_id = run_id;
    return 0;
}

int cw_store_batch_setting(struct cw_store_batch *b, const char *key, const char *value)
{
    struct op *op = push(b, OP_SETTING, key, 0);
    if (!op)
        return CW_ENOMEM;
    op->state = strdup(value);
    return op->state ? 0 : CW_ENOMEM;
}

int cw_store_setting(struct cw_store *st, const char *key, char *value, size_t len)
{
    sqlite3_stmt *s = prep(st, "SELECT value FROM settings WHERE key = ?", "t", key);
    if (!s)
        return CW_ESTORE;
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW)
        snprintf(value, len, "%s", (const char *)sqlite3_column_text(s, 0));
    sqlite3_finalize(s);
    if (rc == SQLITE_ROW)
        return 1;
    return rc == SQLITE_DONE ? 0 : fail(st, "reading a setting");
}

static int apply_op(struct cw_store *st, const struct op *op)
{
    const struct cw_stats_row *s = &op->stats;
    int rc;
    switch (op->kind) {
    case OP_TRANSITION:
        rc = close_span(st, op->camera, op->t);
        return rc ? rc : open_span(st, op->camera, op->t, op->state, op->cause, op->detail);
    case OP_CLOSE:
        rc = close_span(st, op->camera, op->t);
        return rc ? rc : run(st, prep(st, "UPDATE conditions SET end_us = MAX(start_us, ?) WHERE camera = ?"
                                          " AND end_us IS NULL", "it", op->t, op->camera));
    case OP_EVENT:
        return run(st, prep(st, "INSERT INTO events(camera, kind, start_us, end_us, peak_score, regions, snapshot)"
                                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                            "ttiidtt", op->camera, op->state, op->t, op->end_t, op->score, op->detail, op->cause));
    case OP_LEVEL:
        /* how long levels are kept is retention.levels (retention.c) */
        return run(st, prep(st, "INSERT INTO levels(camera, plugin, start_us, end_us, mean, max)"
                                " VALUES (?, ?, ?, ?, ?, ?)", "ttiidd", op->camera, op->state, op->t,
                                op->end_t, op->score, op->max));
    case OP_CONDITION:
        if (op->on)
            return run(st, prep(st, "INSERT OR IGNORE INTO conditions(camera, condition, start_us) VALUES (?, ?, ?)",
                                "tti", op->camera, op->state, op->t));
        return run(st, prep(st, "UPDATE conditions SET end_us = MAX(start_us, ?) WHERE camera = ? AND condition = ?"
                                " AND end_us IS NULL", "itt", op->t, op->camera, op->state));
    case OP_STATS:
        return run(st, prep(st,
                            "INSERT OR REPLACE INTO camera_stats(camera, updated_us, connected, last_packet_us,"
                            " fps, packets, bytes, reconnects, decoded_frames, keyframe_interval_s, codec, width,"
                            " height) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                            "tiiidiiiidtii", op->camera, op->t,
                            (int64_t)s->connected, s->last_packet_us, s->fps, s->packets, s->bytes, s->reconnects,
                            s->decoded_frames, s->keyframe_interval_s, s->codec, (int64_t)s->width,
                            (int64_t)s->height));
    case OP_CLOCK_STEP:
        return run(st, prep(st, "INSERT INTO clock_steps(at_us, step_us) VALUES (?, ?)", "ii", op->t, op->end_t));
    case OP_HEARTBEAT:
        return run(st, prep(st, "UPDATE runs SET heartbeat_us = ? WHERE id = ?", "ii", op->t, op->run_id));
    case OP_SETTING:
        return run(st, prep(st, "INSERT OR REPLACE INTO settings(key, value) VALUES (?, ?)", "tt", op->camera,
                            op->state));
    case OP_ALERT:
        return run(st, prep(st, "INSERT OR IGNORE INTO alerts(key, created_us, camera, kind, severity, body)"
                                " VALUES (?, ?, ?, ?, ?, ?)",
                            "tittt" "t", op->state, op->t, op->camera, op->cause, op->meta[0], op->detail));
    case OP_DELIVERY_ADD:
        return run(st, prep(st, "INSERT OR IGNORE INTO deliveries(alert_key, target, state, next_us) VALUES (?, ?, ?, ?)",
                            "ttti", op->state, op->camera, op->cause, op->t));
    case OP_DELIVERY:
        return run(st, prep(st, "UPDATE deliveries SET state = ?, attempts = ?, next_us = ?, last_error = ?,"
                                " delivered_us = NULLIF(?, 0) WHERE alert_key = ? AND target = ?",
                            "tiititt", op->cause, (int64_t)op->on, op->t, op->detail, op->end_t, op->state, op->camera));
    case OP_CAMERA_START:
    case OP_CAMERA_META: {
        struct cw_camera_meta m = {op->meta[0], *op->names, op->meta[1], op->enabled, op->meta[2], op->meta[3]};
        return op->kind == OP_CAMERA_START ? camera_start(st, &m, op->t) : upsert_camera(st, &m, op->t);
    }
    }
    return CW_EINVAL;
}

int cw_store_apply(struct cw_store *st, const struct cw_store_batch *b)
{
    if (b->n == 0)
        return 0;
    st->last_err[0] = '\0';
    if (exec(st, "BEGIN IMMEDIATE") < 0)
        return CW_ESTORE;
    for (int i = 0; i < b->n; i++) {
        if (apply_op(st, &b->ops[i]) < 0) {
            exec(st, "ROLLBACK");
            return CW_ESTORE;
        }
    }
    return exec(st, "COMMIT") < 0 ? (exec(st, "ROLLBACK"), CW_ESTORE) : 0;
}

/* ---- reading ---- */

static void copy_col(sqlite3_stmt *s, int col, char *dst, size_t len)
{
    const unsigned char *t = sqlite3_column_text(s, col);
    snprintf(dst, len, "%s", t ? (const char *)t : "");
}

/* name, site, site_name, commune, commune_name, district, district_name,
 * province, province_name from consecutive columns starting at col. */
static void read_names(sqlite3_stmt *s, int col, struct cw_names *n)
{
    copy_col(s, col, n->name, sizeof n->name);
    copy_col(s, col + 1, n->site, sizeof n->site);
    copy_col(s, col + 2, n->site_name, sizeof n->site_name);
    copy_col(s, col + 3, n->commune, sizeof n->commune);
    copy_col(s, col + 4, n->commune_name, sizeof n->commune_name);
    copy_col(s, col + 5, n->district, sizeof n->district);
    copy_col(s, col + 6, n->district_name, sizeof n->district_name);
    copy_col(s, col + 7, n->province, sizeof n->province);
    copy_col(s, col + 8, n->province_name, sizeof n->province_name);
}

int cw_store_status(struct cw_store *st, struct cw_status_row **rows, int *n)
{
    sqlite3_stmt *s = prep(st,
                           "SELECT c.id, c.name, c.site, c.site_name, c.commune, c.commune_name, c.district,"
                           " c.district_name, c.province, c.province_name, c.commune_formerly, c.enabled,"
                           " sp.state, sp.cause, sp.detail, sp.start_us,"
                           " cs.updated_us, cs.connected, cs.last_packet_us, cs.fps, cs.packets, cs.bytes,"
                           " cs.reconnects, cs.decoded_frames, cs.keyframe_interval_s, cs.codec, cs.width, cs.height,"
                           " (SELECT group_concat(condition, ',') FROM conditions WHERE camera = c.id"
                           "   AND end_us IS NULL)"
                           " FROM cameras c"
                           " LEFT JOIN spans sp ON sp.id = (SELECT id FROM spans WHERE camera = c.id"
                           "   ORDER BY start_us DESC, id DESC LIMIT 1)"
                           " LEFT JOIN camera_stats cs ON cs.camera = c.id"
                           " WHERE c.enabled = 1 ORDER BY c.id",
                           "");
    struct cw_status_row *r = NULL;
    int cnt = 0, cap = 0, rc;

    *rows = NULL;
    *n = 0;
    if (!s)
        return CW_ESTORE;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        if (cnt == cap) {
            cap = cap ? cap * 2 : 32;
            struct cw_status_row *t = realloc(r, sizeof *t * (size_t)cap);
            if (!t) {
                free(r);
                sqlite3_finalize(s);
                return CW_ENOMEM;
            }
            r = t;
        }
        struct cw_status_row *row = &r[cnt++];
        memset(row, 0, sizeof *row);
        copy_col(s, 0, row->id, sizeof row->id);
        read_names(s, 1, &row->names);
        copy_col(s, 10, row->formerly, sizeof row->formerly);
        row->enabled = sqlite3_column_int(s, 11);
        copy_col(s, 12, row->state, sizeof row->state);
        copy_col(s, 13, row->cause, sizeof row->cause);
        copy_col(s, 14, row->detail, sizeof row->detail);
        row->since_us = sqlite3_column_int64(s, 15);
        if (sqlite3_column_type(s, 16) != SQLITE_NULL) {
            row->has_stats = 1;
            row->stats_updated_us = sqlite3_column_int64(s, 16);
            row->stats.connected = sqlite3_column_int(s, 17);
            row->stats.last_packet_us = sqlite3_column_int64(s, 18);
            row->stats.fps = sqlite3_column_double(s, 19);
            row->stats.packets = sqlite3_column_int64(s, 20);
            row->stats.bytes = sqlite3_column_int64(s, 21);
            row->stats.reconnects = sqlite3_column_int64(s, 22);
            row->stats.decoded_frames = sqlite3_column_int64(s, 23);
            row->stats.keyframe_interval_s = sqlite3_column_double(s, 24);
            copy_col(s, 25, row->stats.codec, sizeof row->stats.codec);
            row->stats.width = sqlite3_column_int(s, 26);
            row->stats.height = sqlite3_column_int(s, 27);
        }
        copy_col(s, 28, row->image, sizeof row->image);
    }
    sqlite3_finalize(s);
    if (rc != SQLITE_DONE) {
        free(r);
        return fail(st, "status");
    }
    /* A down camera's outage start, by the one definition of it (the
     * daemon resumes outages across restarts with the same function).
     * "Before the end of time", but far enough from INT64_MAX that the
     * open span's share of the down-time sum cannot overflow SQLite's SUM. */
    for (int i = 0; i < cnt; i++) {
        int64_t down;
        if ((strcmp(r[i].state, "offline") == 0 || strcmp(r[i].state, "stalled") == 0) &&
            cw_store_outage_before(st, r[i].id, INT64_MAX / 4, &r[i].outage_since_us, &down, NULL) < 0) {
            free(r);
            return CW_ESTORE;
        }
    }
    *rows = r;
    *n = cnt;
    return 0;
}

int cw_store_last_run(struct cw_store *st, int64_t *started, int64_t *heartbeat, int64_t *stopped)
{
    sqlite3_stmt *s = prep(st, "SELECT started_us, heartbeat_us, stopped_us FROM runs ORDER BY id DESC LIMIT 1", "");
    int rc;
    *started = *heartbeat = *stopped = 0;
    if (!s)
        return CW_ESTORE;
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        *started = sqlite3_column_int64(s, 0);
        *heartbeat = sqlite3_column_int64(s, 1);
        *stopped = sqlite3_column_int64(s, 2);
    }
    sqlite3_finalize(s);
    return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? CW_ENOTFOUND : fail(st, "runs");
}

static void appendf(char *err, int errlen, int *used, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void appendf(char *err, int errlen, int *used, const char *fmt, ...)
{
    va_list ap;
    if (*used >= errlen - 1)
        return;
    va_start(ap, fmt);
    int n = vsnprintf(err + *used, (size_t)(errlen - *used), fmt, ap);
    va_end(ap);
    if (n > 0)
        *used += n < errlen - *used ? n : errlen - *used - 1;
}

int cw_store_verify(struct cw_store *st, char *err, int errlen)
{
    int used = 0, bad = 0, rc;
    sqlite3_stmt *s;

    err[0] = '\0';
    s = prep(st, "PRAGMA integrity_check", "");
    while (s && (rc = sqlite3_step(s)) == SQLITE_ROW) {
        const char *t = (const char *)sqlite3_column_text(s, 0);
        if (!t || strcmp(t, "ok") != 0) {
            appendf(err, errlen, &used, "integrity_check: %s\n", t ? t : "?");
            bad++;
        }
    }
    sqlite3_finalize(s);
    /* Consecutive spans of a camera must meet exactly: the next starts
     * where the previous ended. */
    s = prep(st,
             "SELECT camera, prev_end, start_us FROM ("
             "  SELECT camera, start_us, LAG(end_us) OVER w AS prev_end, LAG(id) OVER w AS prev_id"
             "  FROM spans WINDOW w AS (PARTITION BY camera ORDER BY start_us, id))"
             " WHERE prev_id IS NOT NULL AND (prev_end IS NULL OR prev_end != start_us)",
             "");
    while (s && sqlite3_step(s) == SQLITE_ROW) {
        int64_t pe = sqlite3_column_int64(s, 1), su = sqlite3_column_int64(s, 2);
        appendf(err, errlen, &used, "camera %s: span starting at %lld %s (previous ends at %s%lld)\n",
                sqlite3_column_text(s, 0), (long long)su,
                sqlite3_column_type(s, 1) == SQLITE_NULL ? "follows an open span" : pe > su ? "overlaps" : "leaves a gap",
                sqlite3_column_type(s, 1) == SQLITE_NULL ? "open " : "", (long long)pe);
        bad++;
    }
    sqlite3_finalize(s);
    s = prep(st, "SELECT camera, COUNT(*) FROM spans WHERE end_us IS NULL GROUP BY camera HAVING COUNT(*) > 1", "");
    while (s && sqlite3_step(s) == SQLITE_ROW) {
        appendf(err, errlen, &used, "camera %s: %d open spans\n", sqlite3_column_text(s, 0), sqlite3_column_int(s, 1));
        bad++;
    }
    sqlite3_finalize(s);
    return bad ? CW_ESTORE : 0;
}

/* ---- reports ---- */

int cw_store_each_camera(struct cw_store *st, void (*cb)(void *ud, const struct cw_camera_meta *m), void *ud)
{
    sqlite3_stmt *s = prep(st,
                           "SELECT id, name, site, site_name, commune, commune_name, district, district_name,"
                           " province, province_name, url, enabled, plugins, commune_formerly FROM cameras ORDER BY id",
                           "");
    int rc;
    if (!s)
        return CW_ESTORE;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        struct cw_camera_meta m = {(const char *)sqlite3_column_text(s, 0), {{0}},
                                   (const char *)sqlite3_column_text(s, 10), sqlite3_column_int(s, 11),
                                   (const char *)sqlite3_column_text(s, 12), (const char *)sqlite3_column_text(s, 13)};
        read_names(s, 1, &m.names);
        cb(ud, &m);
    }
    sqlite3_finalize(s);
    return rc == SQLITE_DONE ? 0 : fail(st, "cameras");
}

int cw_store_each_span(struct cw_store *st, int64_t from, int64_t to,
                       void (*cb)(void *ud, const char *camera, const char *state, const char *cause,
                                  int64_t start_us, int64_t end_us),
                       void *ud)
{
    /* Per camera, from the span that covers `from` (spans tile a camera's
     * time: it is the last to start at or before it) up to `to`, through
     * the (camera, start_us) index. Scanning every span before `to` made a
     * month's report with its 12 trend months read the whole history 13
     * times (2.1 s for 3,000 cameras x 12 months). Spans of cameras no
     * longer in the cameras table were never reported (the report's
     * cameras come from that table). CROSS JOIN keeps cameras the outer
     * loop, so that the subquery bounds each camera's index range; and
     * ordering by c.id (the same value as sp.camera) lets SQLite keep that
     * order, sorting each camera's few spans instead of the whole result. */
    sqlite3_stmt *s = prep(st,
                           "SELECT sp.camera, sp.state, sp.cause, sp.start_us, sp.end_us FROM cameras c"
                           " CROSS JOIN spans sp ON sp.camera = c.id AND sp.start_us < ?1"
                           " AND sp.start_us >= COALESCE((SELECT MAX(x.start_us) FROM spans x"
                           "   WHERE x.camera = c.id AND x.start_us <= ?2), 0)"
                           " WHERE sp.end_us IS NULL OR sp.end_us > ?2"
                           " ORDER BY c.id, sp.start_us, sp.id",
                           "ii", to, from);
    int rc;
    if (!s)
        return CW_ESTORE;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW)
        cb(ud, (const char *)sqlite3_column_text(s, 0), (const char *)sqlite3_column_text(s, 1),
           (const char *)sqlite3_column_text(s, 2), sqlite3_column_int64(s, 3),
           sqlite3_column_type(s, 4) == SQLITE_NULL ? -1 : sqlite3_column_int64(s, 4));
    sqlite3_finalize(s);
    return rc == SQLITE_DONE ? 0 : fail(st, "spans");
}

int cw_store_outage_before(struct cw_store *st, const char *camera, int64_t from, int64_t *since_us,
                           int64_t *down_us, int *rank)
{
    /* Down spans after the last online span that began before `from`, or
     * at it: an outage that ended exactly at the period's start is not the
     * period's (it would read as a month-long outage in a month with none). */
    sqlite3_stmt *s = kept(st,
                           "SELECT MIN(start_us), SUM(MIN(COALESCE(end_us, ?1), ?1) - start_us) FROM spans"
                           " WHERE camera = ?2 AND state IN ('offline', 'stalled') AND start_us < ?1"
                           " AND start_us >= COALESCE((SELECT MAX(start_us) FROM spans WHERE camera = ?2"
                           "   AND state = 'online' AND start_us <= ?1), 0)",
                           "it", from, camera);
    *since_us = *down_us = 0;
    if (!s)
        return CW_ESTORE;
    if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_type(s, 0) != SQLITE_NULL) {
        *since_us = sqlite3_column_int64(s, 0);
        *down_us = sqlite3_column_int64(s, 1);
    }
    put_kept(s);
    if (!rank)
        return 0;
    *rank = 0;
    if (*since_us == 0)
        return 0;
    s = kept(st, "SELECT DISTINCT state, cause FROM spans WHERE camera = ?2 AND state IN ('offline', 'stalled')"
                 " AND start_us >= ?3 AND start_us < ?1", "iti", from, camera, *since_us);
    if (!s)
        return CW_ESTORE;
    while (sqlite3_step(s) == SQLITE_ROW) {
        int r = cw_outage_rank((const char *)sqlite3_column_text(s, 0), (const char *)sqlite3_column_text(s, 1));
        if (r > *rank)
            *rank = r;
    }
    put_kept(s);
    return 0;
}

int cw_store_digest_put(struct cw_store *st, const char *camera, const char *month, int64_t upto_us,
                        const char *figures)
{
    /* only a change is written (and logged for the province) */
    int rc = run(st, prep(st, "INSERT INTO digests (camera, month, upto_us, figures) VALUES (?, ?, ?, ?)"
                              " ON CONFLICT (camera, month) DO UPDATE SET upto_us = excluded.upto_us,"
                              " figures = excluded.figures WHERE digests.figures <> excluded.figures",
                     "ttit", camera, month, upto_us, figures));
    return rc < 0 ? rc : sqlite3_changes(st->db) > 0;
}

int cw_store_each_completeness(struct cw_store *st,
                               void (*cb)(void *ud, const char *commune, const char *instance, int64_t complete_until_us),
                               void *ud)
{
    sqlite3_stmt *s = prep(st, "SELECT commune, instance, complete_until_us FROM completeness ORDER BY commune", "");
    int rc;
    if (!s)
        return CW_ESTORE;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW)
        cb(ud, (const char *)sqlite3_column_text(s, 0), (const char *)sqlite3_column_text(s, 1),
           sqlite3_column_int64(s, 2));
    sqlite3_finalize(s);
    return rc == SQLITE_DONE ? 0 : fail(st, "completeness");
}

/* ---- maintenance windows ---- */

int cw_store_maintenance_add(struct cw_store *st, const struct cw_maint *w, int64_t *id)
{
    int rc = run(st, prep(st, "INSERT INTO maintenance(scope, target, from_us, to_us, note, created_by, created_us)"
                              " VALUES (?, ?, ?, ?, ?, ?, ?)",
                          "ttiitti", cw_maint_scope_name(w->scope), w->target, w->from_us, w->to_us, w->note, w->by,
                          w->created_us));
    if (rc == 0 && id)
        *id = sqlite3_last_insert_rowid(st->db);
    return rc;
}

int cw_store_verdict_get(struct cw_store *st, int level, const char *id, char *status, size_t len, int64_t *at_us)
{
    sqlite3_stmt *s = prep(st, "SELECT status, at_us FROM verdicts WHERE level = ? AND id = ?", "it", (int64_t)level, id);
    if (!s)
        return CW_ESTORE;
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        copy_col(s, 0, status, len);
        *at_us = sqlite3_column_int64(s, 1);
    }
    sqlite3_finalize(s);
    return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : fail(st, "verdicts");
}

int cw_store_verdict_set(struct cw_store *st, int level, const char *id, const char *status, int64_t at_us)
{
    return run(st, prep(st, "INSERT INTO verdicts(level, id, status, at_us) VALUES (?, ?, ?, ?)"
                            " ON CONFLICT(level, id) DO UPDATE SET status = excluded.status, at_us = excluded.at_us",
                        "itti", (int64_t)level, id, status, at_us));
}

int cw_store_ack_add(struct cw_store *st, const char *camera, const char *note, const char *by, int64_t now_us)
{
    return run(st, prep(st, "INSERT INTO acks(camera, note, created_by, created_us) VALUES (?, ?, ?, ?)", "ttti", camera,
                        note, by, now_us));
}

int cw_store_each_ack(struct cw_store *st, int64_t since_us,
                      void (*cb)(void *ud, const char *camera, const char *note, const char *by, int64_t at_us),
                      void *ud)
{
    sqlite3_stmt *s = prep(st, "SELECT camera, note, created_by, created_us FROM acks WHERE created_us >= ?"
                               " ORDER BY created_us, id", "i", since_us);
    int rc;
    if (!s)
        return CW_ESTORE;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW)
        cb(ud, (const char *)sqlite3_column_text(s, 0), (const char *)sqlite3_column_text(s, 1),
           (const char *)sqlite3_column_text(s, 2), sqlite3_column_int64(s, 3));
    sqlite3_finalize(s);
    return rc == SQLITE_DONE ? 0 : fail(st, "acks");
}

int cw_store_maintenance_end(struct cw_store *st, int64_t id, int64_t now_us, const char *by)
{
    sqlite3_stmt *s = prep(st, "SELECT from_us, to_us, ended_us IS NOT NULL FROM maintenance WHERE id = ?", "i", id);
    if (!s)
        return CW_ESTORE;
    int found = sqlite3_step(s) == SQLITE_ROW;
    int64_t from = found ? sqlite3_column_int64(s, 0) : 0, to = found ? sqlite3_column_int64(s, 1) : 0;
    int ended = found && sqlite3_column_int(s, 2);
    sqlite3_finalize(s);
    if (!found)
        return CW_ENOTFOUND;
    if (to <= now_us || ended)
        return CW_EINVAL; /* already over (or withdrawn) */
    /* A window that has not begun yet is withdrawn: it ends where it starts
     * would break CHECK (to > from), so it gets one microsecond. */
    int64_t end = now_us > from ? now_us : from + 1;
    return run(st, prep(st, "UPDATE maintenance SET to_us = ?, ended_by = ?, ended_us = ? WHERE id = ?", "itii", end,
                        by, now_us, id));
}

int cw_store_hierarchy_has(struct cw_store *st, enum cw_maint_scope scope, const char *id)
{
    static const char *const sql[] = {"SELECT COUNT(*) FROM cameras WHERE id = ?",
                                      "SELECT COUNT(*) FROM cameras WHERE site = ?",
                                      "SELECT COUNT(*) FROM cameras WHERE commune = ?",
                                      "SELECT COUNT(*) FROM cameras WHERE district = ?"};
    int64_t n = query_i64(st, prep(st, sql[scope], "t", id), -1);
    return n < 0 ? CW_ESTORE : n > 0;
}

int cw_store_event_kind_known(struct cw_store *st, const char *kind)
{
    int64_t n = query_i64(st, prep(st, "SELECT EXISTS (SELECT 1 FROM events WHERE kind = ?)", "t", kind), -1);
    return n < 0 ? CW_ESTORE : n > 0;
}

int cw_store_each_maintenance(struct cw_store *st, int64_t from, int64_t to,
                              void (*cb)(void *ud, const struct cw_maint *w), void *ud)
{
    sqlite3_stmt *s = prep(st, "SELECT id, scope, target, from_us, to_us, note, created_by, created_us FROM maintenance"
                               " WHERE to_us > ? AND from_us < ? ORDER BY from_us, id", "ii", from, to);
    int rc;
    if (!s)
        return CW_ESTORE;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        struct cw_maint w;
        memset(&w, 0, sizeof w);
        w.id = sqlite3_column_int64(s, 0);
        int sc = cw_maint_scope_parse((const char *)sqlite3_column_text(s, 1));
        w.scope = sc < 0 ? CW_MAINT_CAMERA : (enum cw_maint_scope)sc;
        copy_col(s, 2, w.target, sizeof w.target);
        w.from_us = sqlite3_column_int64(s, 3);
        w.to_us = sqlite3_column_int64(s, 4);
        copy_col(s, 5, w.note, sizeof w.note);
        copy_col(s, 6, w.by, sizeof w.by);
        w.created_us = sqlite3_column_int64(s, 7);
        cb(ud, &w);
    }
    sqlite3_finalize(s);
    return rc == SQLITE_DONE ? 0 : fail(st, "maintenance");
}

int cw_store_import_begin(struct cw_store *st)
{
    if (exec(st, "BEGIN IMMEDIATE") < 0)
        return CW_ESTORE;
    if (sqlite3_prepare_v2(st->db,
                           "INSERT INTO spans(camera, state, cause, detail, start_us, end_us) VALUES (?, ?, ?, '', ?, ?)",
                           -1, &st->import_span, NULL) != SQLITE_OK) {
        exec(st, "ROLLBACK");
        return fail(st, "import");
    }
    return 0;
}

int cw_store_import_camera(struct cw_store *st, const struct cw_camera_meta *m, int64_t t)
{
    return upsert_camera(st, m, t);
}

int cw_store_import_span(struct cw_store *st, const char *camera, const char *state, const char *cause,
                         int64_t start_us, int64_t end_us)
{
    sqlite3_stmt *s = st->import_span;
    sqlite3_reset(s);
    sqlite3_bind_text(s, 1, camera, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 2, state, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 3, cause ? cause : "", -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(s, 4, start_us);
    sqlite3_bind_int64(s, 5, end_us);
    return sqlite3_step(s) == SQLITE_DONE ? 0 : fail(st, "import span");
}

int cw_store_import_end(struct cw_store *st, int commit)
{
    sqlite3_finalize(st->import_span);
    st->import_span = NULL;
    if (commit && exec(st, "COMMIT") == 0)
        return 0;
    exec(st, "ROLLBACK");
    return commit ? CW_ESTORE : 0;
}

/* The rows of an events query (id, camera, kind, start_us, end_us,
 * peak_score, regions, snapshot, erased_us) to cb; finalizes s. */
static int each_event_row(struct cw_store *st, sqlite3_stmt *s, void (*cb)(void *ud, const struct cw_event_row *e),
                          void *ud)
{
    int rc;
    if (!s)
        return CW_ESTORE;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        struct cw_event_row e = {
            sqlite3_column_int64(s, 0),           (const char *)sqlite3_column_text(s, 1),
            (const char *)sqlite3_column_text(s, 2), sqlite3_column_int64(s, 3),
            sqlite3_column_int64(s, 4),           sqlite3_column_double(s, 5),
            (const char *)sqlite3_column_text(s, 6), (const char *)sqlite3_column_text(s, 7),
            sqlite3_column_int64(s, 8)};
        cb(ud, &e);
    }
    sqlite3_finalize(s);
    return rc == SQLITE_DONE ? 0 : fail(st, "events");
}

int cw_store_each_event(struct cw_store *st, const struct cw_event_query *q,
                        void (*cb)(void *ud, const struct cw_event_row *e), void *ud)
{
    sqlite3_stmt *s = prep(st,
                           "SELECT id, camera, kind, start_us, end_us, peak_score, regions, snapshot,"
                           " COALESCE(erased_us, 0) FROM events WHERE start_us >= ?1 AND start_us < ?2 AND (?3 IS NULL OR camera = ?3)"
                           " AND (?4 IS NULL OR kind = ?4) AND (start_us > ?5 OR (start_us = ?5 AND id > ?6))"
                           " ORDER BY start_us, id LIMIT ?7",
                           "iittiii", q->since_us, q->until_us, q->camera, q->kind, q->after_start_us, q->after_id,
                           (int64_t)q->limit);
    return each_event_row(st, s, cb, ud);
}

int cw_store_each_level(struct cw_store *st, const struct cw_event_query *q,
                        void (*cb)(void *ud, const struct cw_level_row *r), void *ud)
{
    sqlite3_stmt *s = prep(st,
                           "SELECT rowid, camera, plugin, start_us, end_us, mean, max FROM levels"
                           " WHERE start_us >= ?1 AND start_us < ?2 AND (?3 IS NULL OR camera = ?3)"
                           " AND (?4 IS NULL OR plugin = ?4) AND (start_us > ?5 OR (start_us = ?5 AND rowid > ?6))"
                           " ORDER BY start_us, rowid LIMIT ?7",
                           "iittiii", q->since_us, q->until_us, q->camera, q->kind, q->after_start_us, q->after_id,
                           (int64_t)q->limit);
    int rc;
    if (!s)
        return CW_ESTORE;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        struct cw_level_row r = {sqlite3_column_int64(s, 0),  (const char *)sqlite3_column_text(s, 1),
                                 (const char *)sqlite3_column_text(s, 2), sqlite3_column_int64(s, 3),
                                 sqlite3_column_int64(s, 4),  sqlite3_column_double(s, 5),
                                 sqlite3_column_double(s, 6)};
        cb(ud, &r);
    }
    sqlite3_finalize(s);
    return rc == SQLITE_DONE ? 0 : fail(st, "levels");
}

/* ---- retention and erasure (retention.c, privacy.c) ---- */

int cw_store_expire_events(struct cw_store *st, const char *camera, int64_t before_us, int limit,
                           void (*cb)(void *ud, const char *snapshot, int64_t start_us), void *ud)
{
    if (exec(st, "BEGIN IMMEDIATE") < 0)
        return CW_ESTORE;
    sqlite3_stmt *s = prep(st,
                           "DELETE FROM events WHERE id IN (SELECT id FROM events WHERE camera = ?1 AND end_us < ?2"
                           " ORDER BY start_us LIMIT ?3) RETURNING snapshot, start_us",
                           "tii", camera, before_us, (int64_t)limit);
    int rc, n = 0;
    if (!s) {
        exec(st, "ROLLBACK");
        return CW_ESTORE;
    }
    /* RETURNING gives every row before the first step returns: the paths
     * are handed on only once the deletion is committed below */
    struct { char *path; int64_t start; } *rows = calloc((size_t)limit, sizeof *rows);
    while (rows && (rc = sqlite3_step(s)) == SQLITE_ROW && n < limit) {
        rows[n].path = strdup((const char *)sqlite3_column_text(s, 0));
        rows[n].start = sqlite3_column_int64(s, 1);
        n++;
    }
    sqlite3_finalize(s);
    int ok = rows && (rc == SQLITE_DONE || rc == SQLITE_ROW) && exec(st, "COMMIT") == 0;
    if (!ok)
        exec(st, "ROLLBACK");
    for (int i = 0; rows && i < n; i++) {
        if (ok && cb)
            cb(ud, rows[i].path ? rows[i].path : "", rows[i].start);
        free(rows[i].path);
    }
    free(rows);
    return ok ? n : (rows ? fail(st, "events") : CW_ENOMEM);
}

int cw_store_expire_levels(struct cw_store *st, const char *camera, int64_t before_us, int limit, int64_t *first_us,
                           int64_t *last_us)
{
    sqlite3_stmt *s = prep(st,
                           "DELETE FROM levels WHERE rowid IN (SELECT rowid FROM levels WHERE camera = ?1 AND"
                           " end_us < ?2 ORDER BY start_us LIMIT ?3) RETURNING start_us",
                           "tii", camera, before_us, (int64_t)limit);
    int rc, n = 0;
    if (!s)
        return CW_ESTORE;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        int64_t t = sqlite3_column_int64(s, 0);
        if (t < *first_us)
            *first_us = t;
        if (t > *last_us)
            *last_us = t;
        n++;
    }
    sqlite3_finalize(s);
    return rc == SQLITE_DONE ? n : fail(st, "levels");
}

int cw_store_forget_snapshots(struct cw_store *st, const char *camera, int64_t before_us, int limit)
{
    sqlite3_stmt *s = prep(st,
                           "UPDATE events SET snapshot = '' WHERE id IN (SELECT id FROM events WHERE camera = ?1 AND"
                           " start_us < ?2 AND snapshot != '' LIMIT ?3)",
                           "tii", camera, before_us, (int64_t)limit);
    if (run(st, s) < 0)
        return CW_ESTORE;
    return sqlite3_changes(st->db);
}

/* "camera IN (...)" for a NULL-terminated list, bound from ?first on */
static int in_list(char *sql, size_t len, const char *const *cameras, int first)
{
    size_t o = strlen(sql);
    int n = 0;
    o += (size_t)snprintf(sql + o, len - o, "camera IN (");
    for (; cameras[n] && o + 12 < len; n++)
        o += (size_t)snprintf(sql + o, len - o, "%s?%d", n ? "," : "", first + n);
    snprintf(sql + o, len - o, ")");
    return cameras[n] ? -1 : n;
}

static int bind_cameras(sqlite3_stmt *s, const char *const *cameras, int first)
{
    for (int i = 0; cameras[i]; i++)
        sqlite3_bind_text(s, first + i, cameras[i], -1, SQLITE_TRANSIENT);
    return 0;
}

int cw_store_each_event_of(struct cw_store *st, const char *const *cameras, int64_t from_us, int64_t to_us,
                           void (*cb)(void *ud, const struct cw_event_row *e), void *ud)
{
    char sql[8192] = "SELECT id, camera, kind, start_us, end_us, peak_score, regions, snapshot, COALESCE(erased_us, 0)"
                     " FROM events WHERE start_us < ?1 AND end_us >= ?2 AND ";
    if (!cameras[0])
        return 0;
    if (in_list(sql, sizeof sql - 40, cameras, 3) < 0)
        return CW_EINVAL;
    strcat(sql, " ORDER BY start_us, id");
    sqlite3_stmt *s = prep(st, sql, "ii", to_us, from_us);
    if (s)
        bind_cameras(s, cameras, 3);
    return each_event_row(st, s, cb, ud);
}

int cw_store_erase_events(struct cw_store *st, const char *const *cameras, int64_t from_us, int64_t to_us,
                          int64_t now_us, void (*cb)(void *ud, const char *snapshot), void *ud)
{
    char sql[8192] = "UPDATE events SET snapshot = '', erased_us = ?1 WHERE start_us < ?2 AND end_us >= ?3 AND ";
    if (!cameras[0])
        return 0;
    if (in_list(sql, sizeof sql - 40, cameras, 4) < 0)
        return CW_EINVAL;
    /* the snapshots the update forgets are read first, in its transaction */
    if (exec(st, "BEGIN IMMEDIATE") < 0)
        return CW_ESTORE;
    char sel[8192] = "SELECT snapshot FROM events WHERE snapshot != '' AND start_us < ?1 AND end_us >= ?2 AND ";
    in_list(sel, sizeof sel, cameras, 3);
    sqlite3_stmt *s = prep(st, sel, "ii", to_us, from_us);
    char **paths = NULL;
    int np = 0, rc = SQLITE_DONE, n = -1;
    if (s) {
        bind_cameras(s, cameras, 3);
        while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
            char **t = realloc(paths, sizeof *t * (size_t)(np + 1));
            if (!t)
                break;
            paths = t;
            paths[np++] = strdup((const char *)sqlite3_column_text(s, 0));
        }
        sqlite3_finalize(s);
    }
    if (s && rc == SQLITE_DONE) {
        sqlite3_stmt *u = prep(st, sql, "iii", now_us, to_us, from_us);
        if (u) {
            bind_cameras(u, cameras, 4);
            if (sqlite3_step(u) == SQLITE_DONE)
                n = sqlite3_changes(st->db);
            sqlite3_finalize(u);
        }
    }
    if (n >= 0 && exec(st, "COMMIT") == 0) {
        for (int i = 0; i < np; i++)
            if (paths[i] && cb)
                cb(ud, paths[i]);
    } else {
        exec(st, "ROLLBACK");
        n = fail(st, "events");
    }
    for (int i = 0; i < np; i++)
        free(paths[i]);
    free(paths);
    return n;
}

char **cw_store_site_cameras(struct cw_store *st, const char *site, int *n)
{
    sqlite3_stmt *s = prep(st, "SELECT id FROM cameras WHERE site = ? ORDER BY id", "t", site);
    char **list = calloc(1, sizeof *list);
    int rc;
    *n = 0;
    if (!s || !list) {
        sqlite3_finalize(s);
        free(list);
        return NULL;
    }
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        char **t = realloc(list, sizeof *t * (size_t)(*n + 2));
        if (!t)
            break;
        list = t;
        list[(*n)++] = strdup((const char *)sqlite3_column_text(s, 0));
        list[*n] = NULL;
    }
    sqlite3_finalize(s);
    if (rc != SQLITE_DONE) {
        for (int i = 0; i < *n; i++)
            free(list[i]);
        free(list);
        fail(st, "cameras");
        return NULL;
    }
    return list;
}

int cw_store_each_data_camera(struct cw_store *st, void (*cb)(void *ud, const char *camera), void *ud)
{
    sqlite3_stmt *s = prep(st, "SELECT id FROM cameras UNION SELECT DISTINCT camera FROM events"
                               " UNION SELECT DISTINCT camera FROM levels", "");
    int rc;
    if (!s)
        return CW_ESTORE;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW)
        cb(ud, (const char *)sqlite3_column_text(s, 0));
    sqlite3_finalize(s);
    return rc == SQLITE_DONE ? 0 : fail(st, "cameras");
}

int cw_store_audit_add(struct cw_store *st, const struct cw_audit_row *r)
{
    return run(st, prep(st, "INSERT INTO audit(at_us, user, action, target, detail, address) VALUES (?, ?, ?, ?, ?, ?)",
                        "ittttt", r->at_us, r->user, r->action, r->target, r->detail, r->address));
}

int cw_store_each_audit(struct cw_store *st, const struct cw_event_query *q,
                        void (*cb)(void *ud, const struct cw_audit_row *r), void *ud)
{
    sqlite3_stmt *s = prep(st,
                           "SELECT id, at_us, user, action, target, detail, address FROM audit"
                           " WHERE at_us >= ?1 AND at_us < ?2 AND (at_us > ?3 OR (at_us = ?3 AND id > ?4))"
                           " ORDER BY at_us, id LIMIT ?5",
                           "iiiii", q->since_us, q->until_us, q->after_start_us, q->after_id, (int64_t)q->limit);
    int rc;
    if (!s)
        return CW_ESTORE;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        struct cw_audit_row r = {sqlite3_column_int64(s, 0), sqlite3_column_int64(s, 1),
                                 (const char *)sqlite3_column_text(s, 2), (const char *)sqlite3_column_text(s, 3),
                                 (const char *)sqlite3_column_text(s, 4), (const char *)sqlite3_column_text(s, 5),
                                 (const char *)sqlite3_column_text(s, 6)};
        cb(ud, &r);
    }
    sqlite3_finalize(s);
    return rc == SQLITE_DONE ? 0 : fail(st, "audit");
}

int cw_store_each_camera_span(struct cw_store *st, const struct cw_event_query *q,
                              void (*cb)(void *ud, const struct cw_span_row *r), void *ud)
{
    sqlite3_stmt *s = prep(st,
                           "SELECT id, state, cause, detail, start_us, COALESCE(end_us, -1) FROM spans"
                           " WHERE camera = ?3 AND start_us < ?2 AND (end_us IS NULL OR end_us > ?1)"
                           " AND (start_us > ?4 OR (start_us = ?4 AND id > ?5)) ORDER BY start_us, id LIMIT ?6",
                           "iitiii", q->since_us, q->until_us, q->camera, q->after_start_us, q->after_id,
                           (int64_t)q->limit);
    int rc;
    if (!s)
        return CW_ESTORE;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        struct cw_span_row r = {sqlite3_column_int64(s, 0), (const char *)sqlite3_column_text(s, 1),
                                (const char *)sqlite3_column_text(s, 2), (const char *)sqlite3_column_text(s, 3),
                                sqlite3_column_int64(s, 4), sqlite3_column_int64(s, 5)};
        cb(ud, &r);
    }
    sqlite3_finalize(s);
    return rc == SQLITE_DONE ? 0 : fail(st, "spans");
}

int cw_store_each_condition(struct cw_store *st, int64_t from, int64_t to,
                            void (*cb)(void *ud, const char *camera, const char *condition, int64_t start_us,
                                       int64_t end_us),
                            void *ud)
{
    sqlite3_stmt *s = prep(st,
                           "SELECT camera, condition, start_us, end_us FROM conditions"
                           " WHERE start_us < ? AND (end_us IS NULL OR end_us > ?) ORDER BY camera, start_us",
                           "ii", to, from);
    int rc;
    if (!s)
        return CW_ESTORE;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW)
        cb(ud, (const char *)sqlite3_column_text(s, 0), (const char *)sqlite3_column_text(s, 1),
           sqlite3_column_int64(s, 2), sqlite3_column_type(s, 3) == SQLITE_NULL ? -1 : sqlite3_column_int64(s, 3));
    sqlite3_finalize(s);
    return rc == SQLITE_DONE ? 0 : fail(st, "conditions");
}

int cw_store_event_counts(struct cw_store *st, int64_t from, int64_t to,
                          void (*cb)(void *ud, const char *camera, int64_t n), void *ud)
{
    sqlite3_stmt *s = prep(st,
                           "SELECT camera, COUNT(*) FROM events WHERE start_us >= ? AND start_us < ?"
                           " AND kind IN ('motion', 'activity') GROUP BY camera",
                           "ii", from, to);
    int rc;
    if (!s)
        return CW_ESTORE;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW)
        cb(ud, (const char *)sqlite3_column_text(s, 0), sqlite3_column_int64(s, 1));
    sqlite3_finalize(s);
    return rc == SQLITE_DONE ? 0 : fail(st, "events");
}

/* Deliveries joined with their alerts, from a statement selecting the
 * columns in cw_delivery_row's order. */
static int each_delivery_row(struct cw_store *st, sqlite3_stmt *s, void (*cb)(void *ud, const struct cw_delivery_row *d),
                             void *ud)
{
    int rc;
    if (!s)
        return CW_ESTORE;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        struct cw_delivery_row d = {
            (const char *)sqlite3_column_text(s, 0), sqlite3_column_int64(s, 1),
            (const char *)sqlite3_column_text(s, 2), (const char *)sqlite3_column_text(s, 3),
            (const char *)sqlite3_column_text(s, 4), (const char *)sqlite3_column_text(s, 5),
            (const char *)sqlite3_column_text(s, 6), (const char *)sqlite3_column_text(s, 7),
            sqlite3_column_int(s, 8),                sqlite3_column_int64(s, 9),
            (const char *)sqlite3_column_text(s, 10), sqlite3_column_int64(s, 11)};
        cb(ud, &d);
    }
    sqlite3_finalize(s);
    return rc == SQLITE_DONE ? 0 : fail(st, "deliveries");
}

#define DELIVERY_COLS                                                                                                 \
    "SELECT a.key, a.created_us, a.camera, a.kind, a.severity, a.body, d.target, d.state, d.attempts, d.next_us,"     \
    " d.last_error, COALESCE(d.delivered_us, 0) FROM deliveries d JOIN alerts a ON a.key = d.alert_key"

int cw_store_each_delivery(struct cw_store *st, int pending_only,
                           void (*cb)(void *ud, const struct cw_delivery_row *d), void *ud)
{
    return each_delivery_row(st,
                             prep(st, DELIVERY_COLS " WHERE ? = 0 OR d.state IN ('pending', 'held') ORDER BY a.id, d.target",
                                  "i", (int64_t)pending_only),
                             cb, ud);
}

int cw_store_recent_deliveries(struct cw_store *st, int limit, void (*cb)(void *ud, const struct cw_delivery_row *d),
                               void *ud)
{
    return each_delivery_row(st,
                             prep(st, DELIVERY_COLS " WHERE a.id >= (SELECT COALESCE(MIN(id), 0) FROM (SELECT id FROM"
                                                    " alerts ORDER BY id DESC LIMIT ?)) ORDER BY a.id, d.target",
                                  "i", (int64_t)limit),
                             cb, ud);
}

int cw_store_event_snapshot(struct cw_store *st, int64_t id, char *path, size_t len)
{
    sqlite3_stmt *s = prep(st, "SELECT snapshot FROM events WHERE id = ?", "i", id);
    if (!s)
        return CW_ESTORE;
    int rc = sqlite3_step(s), found = 0;
    if (rc == SQLITE_ROW && sqlite3_column_bytes(s, 0) > 0) {
        snprintf(path, len, "%s", (const char *)sqlite3_column_text(s, 0));
        found = 1;
    }
    sqlite3_finalize(s);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? found : fail(st, "events");
}

int cw_store_last_alerts(struct cw_store *st, void (*cb)(void *ud, const char *camera, const char *kind,
                                                         const char *condition, int64_t created_us), void *ud)
{
    /* per camera its newest connectivity alert, and per camera and image
     * condition its newest picture alert */
    sqlite3_stmt *s = prep(st,
                           "SELECT camera, kind, created_us, COALESCE(json_extract(body, '$.condition'), '')"
                           " FROM alerts WHERE id IN ("
                           " SELECT MAX(id) FROM alerts WHERE kind IN ('camera_offline','camera_recovered',"
                           "  'camera_flapping') GROUP BY camera"
                           " UNION SELECT MAX(id) FROM alerts WHERE kind IN ('image_bad','image_ok','image_flapping')"
                           "  GROUP BY camera, json_extract(body, '$.condition'))",
                           "");
    int rc;
    if (!s)
        return CW_ESTORE;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW)
        cb(ud, (const char *)sqlite3_column_text(s, 0), (const char *)sqlite3_column_text(s, 1),
           (const char *)sqlite3_column_text(s, 3), sqlite3_column_int64(s, 2));
    sqlite3_finalize(s);
    return rc == SQLITE_DONE ? 0 : fail(st, "alerts");
}

/* ---- the change log (see store.h) ---- */

static int sync_get(struct cw_store *st, const char *key, char *v, size_t len)
{
    sqlite3_stmt *s = prep(st, "SELECT value FROM sync_state WHERE key = ?", "t", key);
    if (!s)
        return CW_ESTORE;
    int rc = sqlite3_step(s);
    v[0] = '\0';
    if (rc == SQLITE_ROW)
        snprintf(v, len, "%s", (const char *)sqlite3_column_text(s, 0));
    sqlite3_finalize(s);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : fail(st, "reading the change log's state");
}

static int sync_set(struct cw_store *st, const char *key, const char *v)
{
    return run(st, prep(st, "INSERT INTO sync_state(key, value) VALUES (?, ?)"
                            " ON CONFLICT(key) DO UPDATE SET value = excluded.value", "tt", key, v));
}

int cw_store_sync_info(struct cw_store *st, struct cw_sync_info *o)
{
    char v[320];
    memset(o, 0, sizeof *o);
    if (sync_get(st, "epoch", o->epoch, sizeof o->epoch) < 0 || sync_get(st, "acked", v, sizeof v) < 0)
        return CW_ESTORE;
    o->acked = strtoll(v, NULL, 10);
    sync_get(st, "backfill", v, sizeof v);
    o->backfill = v[0] == '1';
    sync_get(st, "on", v, sizeof v);
    o->on = v[0] == '1';
    sync_get(st, "whole_from", v, sizeof v);
    o->whole_from = strtoll(v, NULL, 10);
    sync_get(st, "last_success_us", v, sizeof v);
    o->last_success_us = strtoll(v, NULL, 10);
    sync_get(st, "last_attempt_us", v, sizeof v);
    o->last_attempt_us = strtoll(v, NULL, 10);
    sync_get(st, "last_error", o->last_error, sizeof o->last_error);
    sync_get(st, "created_us", v, sizeof v);
    int64_t created = strtoll(v, NULL, 10);
    /* the earliest the history itself goes back (a database brought in
     * from before camwatchd ran, gen-history's); the province floors it
     * (a box that booted in 1970) */
    o->installed_us = query_i64(st, prep(st, "SELECT MIN(t) FROM (SELECT MIN(started_us) AS t FROM runs"
                                             " UNION ALL SELECT MIN(start_us) FROM spans)", ""), created);
    o->last_seq = query_i64(st, prep(st, "SELECT MAX(seq) FROM sync_log", ""), o->acked);
    if (o->last_seq < o->acked)
        o->last_seq = o->acked;
    o->waiting = query_i64(st, prep(st, "SELECT COUNT(*) FROM sync_log WHERE seq > ?", "i", o->acked), 0);
    o->oldest_us = query_i64(st, prep(st, "SELECT MIN(at_us) FROM sync_log WHERE seq > ?", "i", o->acked), 0);
    return 0;
}

/* The shipped tables, their keys, and each row's current state as JSON. */
static const struct {
    const char *tbl, *key, *json;
} shipped[] = {
    {"cameras", "id",
     "json_object('id', id, 'name', name, 'site', site, 'site_name', site_name, 'commune', commune,"
     " 'commune_name', commune_name, 'district', district, 'district_name', district_name, 'url', url,"
     " 'enabled', enabled, 'added_us', added_us, 'updated_us', updated_us, 'plugins', plugins, 'province', province,"
     " 'province_name', province_name, 'commune_formerly', commune_formerly)"},
    {"spans", "id",
     "json_object('camera', camera, 'state', state, 'cause', cause, 'detail', detail, 'start_us', start_us,"
     " 'end_us', end_us)"},
    {"conditions", "id",
     "json_object('camera', camera, 'condition', condition, 'start_us', start_us, 'end_us', end_us)"},
    {"events", "id",
     "json_object('camera', camera, 'kind', kind, 'start_us', start_us, 'end_us', end_us, 'peak_score', peak_score,"
     " 'regions', regions, 'snapshot', snapshot)"},
    {"alerts", "id",
     "json_object('key', key, 'created_us', created_us, 'camera', camera, 'kind', kind, 'severity', severity,"
     " 'body', body)"},
    {"deliveries", "alert_key || char(9) || target",
     "json_object('alert_key', alert_key, 'target', target, 'state', state, 'attempts', attempts, 'next_us', next_us,"
     " 'last_error', last_error, 'delivered_us', delivered_us)"},
    {"maintenance", "id",
     "json_object('scope', scope, 'target', target, 'from_us', from_us, 'to_us', to_us, 'note', note,"
     " 'created_by', created_by, 'created_us', created_us, 'ended_by', ended_by, 'ended_us', ended_us)"},
    {"acks", "id", "json_object('camera', camera, 'note', note, 'created_by', created_by, 'created_us', created_us)"},
    {"clock_steps", "id", "json_object('at_us', at_us, 'step_us', step_us)"},
    {"runs", "id",
     "json_object('started_us', started_us, 'heartbeat_us', heartbeat_us, 'stopped_us', stopped_us,"
     " 'crashed', crashed)"},
    {"digests", "camera || char(9) || month",
     "json_object('camera', camera, 'month', month, 'upto_us', upto_us, 'figures', json(figures))"},
};
#define N_SHIPPED ((int)(sizeof shipped / sizeof shipped[0]))

int cw_store_sync_backfill(struct cw_store *st, int64_t *rows)
{
    char sql[400], w[32];
    *rows = 0;
    if (exec(st, "BEGIN IMMEDIATE") < 0)
        return CW_ESTORE;
    int64_t before = query_i64(st, prep(st, "SELECT COALESCE(MAX(seq), 0) FROM sync_log", ""), 0);
    char acked[32];
    if (sync_get(st, "acked", acked, sizeof acked) < 0)
        goto fail;
    if (before < strtoll(acked, NULL, 10)) /* the log was emptied since: numbers go on, never back */
        before = strtoll(acked, NULL, 10);
    /* AUTOINCREMENT: the next seq is above every one ever used */
    for (int i = 0; i < N_SHIPPED; i++) {
        snprintf(sql, sizeof sql, "INSERT INTO sync_log(tbl, rkey, at_us) SELECT '%s', %s, " NOW " FROM %s",
                 shipped[i].tbl, shipped[i].key, shipped[i].tbl);
        if (exec(st, sql) < 0)
            goto fail;
    }
    int64_t whole = query_i64(st, prep(st, "SELECT MIN(seq) FROM sync_log WHERE seq > ?", "i", before), before + 1);
    *rows = query_i64(st, prep(st, "SELECT COUNT(*) FROM sync_log WHERE seq > ?", "i", before), 0);
    /* From `whole` on the log holds every row: what waited before it is
     * in it again, and the province is told it may take it from there. */
    snprintf(w, sizeof w, "%lld", (long long)whole);
    snprintf(acked, sizeof acked, "%lld", (long long)(whole - 1));
    if (run(st, prep(st, "DELETE FROM sync_log WHERE seq < ?", "i", whole)) < 0 || sync_set(st, "backfill", "0") < 0 ||
        sync_set(st, "whole_from", w) < 0 || sync_set(st, "acked", acked) < 0 || exec(st, "COMMIT") < 0)
        goto fail;
    return 0;
fail:
    exec(st, "ROLLBACK");
    return CW_ESTORE;
}

int cw_store_sync_need_backfill(struct cw_store *st)
{
    return sync_set(st, "backfill", "1");
}

int cw_store_sync_resend(struct cw_store *st, const char *camera)
{
    static const char *const per_camera[] = {"spans", "conditions", "events", "alerts", "acks"};
    char sql[300];
    if (exec(st, "BEGIN IMMEDIATE") < 0)
        return CW_ESTORE;
    /* Already on its way (its marker logged, not yet acknowledged): the
     * province repeats its request in every answer until the marker
     * arrives, and a camera whose history spans several batches would be
     * logged again at each of them, for ever. */
    if (query_i64(st, prep(st, "SELECT COUNT(*) FROM sync_log WHERE tbl = 'resent' AND rkey = ?"
                               " AND seq > CAST((SELECT value FROM sync_state WHERE key = 'acked') AS INTEGER)",
                           "t", camera), 0) > 0) {
        exec(st, "COMMIT");
        return 0;
    }
    int rc = run(st, prep(st, "INSERT INTO sync_log(tbl, rkey, at_us) SELECT 'cameras', id, " NOW
                              " FROM cameras WHERE id = ?", "t", camera));
    for (size_t i = 0; rc == 0 && i < sizeof per_camera / sizeof per_camera[0]; i++) {
        snprintf(sql, sizeof sql, "INSERT INTO sync_log(tbl, rkey, at_us) SELECT '%s', id, " NOW
                                  " FROM %s WHERE camera = ?", per_camera[i], per_camera[i]);
        rc = run(st, prep(st, sql, "t", camera));
    }
    /* its digests again after its rows: the province checks them anew */
    if (rc == 0)
        rc = run(st, prep(st, "INSERT INTO sync_log(tbl, rkey, at_us) SELECT 'digests', camera || char(9) || month, " NOW
                              " FROM digests WHERE camera = ?", "t", camera));
    if (rc == 0)
        rc = run(st, prep(st, "INSERT INTO sync_log(tbl, rkey, at_us) VALUES ('resent', ?, " NOW ")", "t", camera));
    if (rc < 0 || exec(st, "COMMIT") < 0) {
        exec(st, "ROLLBACK");
        return CW_ESTORE;
    }
    return 1;
}

int cw_store_sync_enable(struct cw_store *st, int on)
{
    char was[8];
    if (exec(st, "BEGIN IMMEDIATE") < 0)
        return CW_ESTORE;
    int rc = sync_get(st, "on", was, sizeof was);
    if (rc == 0 && (was[0] == '1') != (on != 0)) {
        /* either way the next shipment starts with everything: rows
         * written while the log was off are in none of it */
        rc = sync_set(st, "on", on ? "1" : "0");
        if (rc == 0)
            rc = sync_set(st, "backfill", "1");
        if (rc == 0 && !on)
            rc = exec(st, "DELETE FROM sync_log");
    }
    if (rc < 0 || exec(st, "COMMIT") < 0) {
        exec(st, "ROLLBACK");
        return CW_ESTORE;
    }
    return 0;
}

/* A set of "tbl\trkey" strings (open addressing): which rows a batch has
 * already taken, so that each goes once. */
struct keyset {
    char **k;
    size_t cap;
};

static uint64_t hash_str(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

/* 1 if added, 0 if already there, -1 out of memory. */
static int keyset_add(struct keyset *ks, const char *key)
{
    size_t i = hash_str(key) & (ks->cap - 1);
    while (ks->k[i]) {
        if (!strcmp(ks->k[i], key))
            return 0;
        i = (i + 1) & (ks->cap - 1);
    }
    return (ks->k[i] = strdup(key)) ? 1 : -1;
}

struct logent {
    int64_t seq;
    char *tbl, *rkey;
};

static const char *row_sql(const char *tbl)
{
    for (int i = 0; i < N_SHIPPED; i++)
        if (!strcmp(shipped[i].tbl, tbl))
            return shipped[i].json;
    return NULL;
}

/* All data is in up to the last heartbeat (a database without runs:
 * the end of its latest span). */
static int64_t complete_until_now(struct cw_store *st)
{
    return query_i64(st, prep(st, "SELECT COALESCE((SELECT MAX(heartbeat_us) FROM runs),"
                                  " (SELECT MAX(end_us) FROM spans), 0)", ""), 0);
}

int64_t cw_store_complete_until(struct cw_store *st) { return complete_until_now(st); }

int64_t cw_store_first_span_us(struct cw_store *st)
{
    return query_i64(st, prep(st, "SELECT MIN(start_us) FROM spans", ""), 0);
}

int cw_store_sync_batch(struct cw_store *st, int64_t after, int limit,
                        void (*cb)(void *ud, const char *tbl, const char *rkey, const char *json), void *ud,
                        int64_t *first, int64_t *last, int64_t *complete_until)
{
    struct logent *v = NULL;
    int n = 0, rc = 0;
    struct keyset ks = {NULL, 0};
    *first = *last = *complete_until = 0;
    if (exec(st, "BEGIN") < 0) /* one snapshot: the log, the rows and the heartbeat agree */
        return CW_ESTORE;
    sqlite3_stmt *s = prep(st, "SELECT seq, tbl, rkey FROM sync_log WHERE seq > ? ORDER BY seq LIMIT ?", "ii", after,
                           (int64_t)limit);
    if (!s || !(v = calloc((size_t)limit + 1, sizeof *v)))
        rc = s ? CW_ENOMEM : CW_ESTORE;
    while (rc == 0 && sqlite3_step(s) == SQLITE_ROW) {
        v[n].seq = sqlite3_column_int64(s, 0);
        v[n].tbl = strdup((const char *)sqlite3_column_text(s, 1));
        v[n].rkey = strdup((const char *)sqlite3_column_text(s, 2));
        if (!v[n].tbl || !v[n].rkey)
            rc = CW_ENOMEM;
        n++;
    }
    sqlite3_finalize(s);
    if (rc == 0 && n == 0) /* nothing waits: everything up to the heartbeat is shipped */
        *complete_until = complete_until_now(st);
    if (rc == 0 && n > 0) {
        *first = v[0].seq;
        *last = v[n - 1].seq;
        int64_t newest = query_i64(st, prep(st, "SELECT MAX(seq) FROM sync_log", ""), *last);
        if (newest == *last) /* the batch reaches the end of the log: all data up to the heartbeat is in it */
            *complete_until = complete_until_now(st);
        ks.cap = 1;
        while (ks.cap < (size_t)n * 2 + 2)
            ks.cap <<= 1;
        if (!(ks.k = calloc(ks.cap, sizeof *ks.k)))
            rc = CW_ENOMEM;
    }
    /* newest first: a row changed many times goes once, where it last
     * changed; then in log order */
    char *taken = n > 0 ? calloc((size_t)n, 1) : NULL;
    for (int i = n - 1; rc == 0 && i >= 0; i--) {
        char key[600];
        snprintf(key, sizeof key, "%s\t%s", v[i].tbl, v[i].rkey);
        int a = keyset_add(&ks, key);
        if (a < 0)
            rc = CW_ENOMEM;
        else if (taken)
            taken[i] = (char)a;
    }
    for (int i = 0; rc == 0 && i < n; i++) {
        if (!taken || !taken[i])
            continue;
        if (!strcmp(v[i].tbl, "resent")) {
            cb(ud, "resent", v[i].rkey, NULL);
            continue;
        }
        const char *json = row_sql(v[i].tbl);
        if (!json) /* a table this camwatch does not ship (a newer one wrote it): skipped */
            continue;
        char sql[900];
        sqlite3_stmt *r;
        if (!strcmp(v[i].tbl, "deliveries") || !strcmp(v[i].tbl, "digests")) { /* two-part keys */
            char ak[300];
            const char *tab = strchr(v[i].rkey, '\t');
            snprintf(ak, sizeof ak, "%.*s", tab ? (int)(tab - v[i].rkey) : 0, v[i].rkey);
            snprintf(sql, sizeof sql,
                     !strcmp(v[i].tbl, "digests") ? "SELECT %s FROM digests WHERE camera = ? AND month = ?"
                                                  : "SELECT %s FROM deliveries WHERE alert_key = ? AND target = ?",
                     json);
            r = prep(st, sql, "tt", ak, tab ? tab + 1 : "");
        } else if (!strcmp(v[i].tbl, "cameras")) {
            snprintf(sql, sizeof sql, "SELECT %s FROM cameras WHERE id = ?", json);
            r = prep(st, sql, "t", v[i].rkey);
        } else {
            snprintf(sql, sizeof sql, "SELECT %s FROM %s WHERE id = ?", json, v[i].tbl);
            r = prep(st, sql, "i", (int64_t)strtoll(v[i].rkey, NULL, 10));
        }
        if (!r) {
            rc = CW_ESTORE;
            break;
        }
        int step = sqlite3_step(r);
        if (step == SQLITE_ROW)
            cb(ud, v[i].tbl, v[i].rkey, (const char *)sqlite3_column_text(r, 0));
        else if (step == SQLITE_DONE)
            cb(ud, v[i].tbl, v[i].rkey, NULL); /* deleted here since */
        else
            rc = fail(st, "reading a row for the province");
        sqlite3_finalize(r);
    }
    free(taken);
    for (size_t i = 0; i < ks.cap; i++)
        free(ks.k[i]);
    free(ks.k);
    for (int i = 0; i < n; i++)
        free(v[i].tbl), free(v[i].rkey);
    free(v);
    exec(st, rc == 0 ? "COMMIT" : "ROLLBACK");
    return rc;
}

int cw_store_sync_acked(struct cw_store *st, int64_t seq, int64_t now_us)
{
    char a[32], t[32];
    snprintf(a, sizeof a, "%lld", (long long)seq);
    snprintf(t, sizeof t, "%lld", (long long)now_us);
    if (exec(st, "BEGIN IMMEDIATE") < 0)
        return CW_ESTORE;
    int rc = sync_set(st, "acked", a);
    if (rc == 0)
        rc = sync_set(st, "last_success_us", t);
    if (rc == 0)
        rc = sync_set(st, "last_attempt_us", t);
    if (rc == 0)
        rc = sync_set(st, "last_error", "");
    if (rc == 0)
        rc = run(st, prep(st, "DELETE FROM sync_log WHERE seq <= ?", "i", seq));
    if (rc < 0 || exec(st, "COMMIT") < 0) {
        exec(st, "ROLLBACK");
        return CW_ESTORE;
    }
    return 0;
}

int cw_store_sync_failed(struct cw_store *st, const char *msg, int64_t now_us)
{
    char t[32];
    snprintf(t, sizeof t, "%lld", (long long)now_us);
    if (exec(st, "BEGIN IMMEDIATE") < 0)
        return CW_ESTORE;
    int rc = sync_set(st, "last_attempt_us", t);
    if (rc == 0)
        rc = sync_set(st, "last_error", msg);
    if (rc < 0 || exec(st, "COMMIT") < 0) {
        exec(st, "ROLLBACK");
        return CW_ESTORE;
    }
    return 0;
}
