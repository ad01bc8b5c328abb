/* `--db postgresql://…`: the CLI reads the province's database.
 *
 * The province's rows are copied into a private SQLite file with
 * camwatch's own schema, and the command then runs unchanged on it: the
 * report, status, events and check-db of the province are made by the
 * same C code as a commune's, so the figures cannot drift apart. Every
 * instance's cameras land in one hierarchy (camera ids are unique in a
 * province: the centre quarantines a camera id another commune owns). A
 * span still open at the centre ends where that commune's data is known
 * to be complete (its last batch's heartbeat): time after it is not
 * counted as anything, least of all as down time. */
#include "pgread.h"

#include <libpq-fe.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../daemon/error.h"
#include "../daemon/store.h"
#include "../daemon/upstream.h"

int cw_pgread_is_url(const char *s)
{
    return s && (!strncmp(s, "postgresql://", 13) || !strncmp(s, "postgres://", 11));
}

static int pg_failed(PGresult *res, ExecStatusType want, char *err, size_t len)
{
    if (PQresultStatus(res) == want)
        return 0;
    const char *m = PQresultErrorMessage(res);
    snprintf(err, len, "reading the province's database: %.*s", (int)strcspn(m, "\n"), m);
    return CW_EIO;
}

/* Rows fetched per round trip: big enough that the round trips do not
 * count, small enough that a round's result stays a few MB. */
#define CHUNK "20000"

/* One SELECT at the centre into one INSERT here, as text (SQLite's column
 * affinity makes numbers of them again: cheaper than strtoll here). Read through a cursor, one chunk
 * ahead: while this process writes one chunk into SQLite, the server makes
 * the next (for a province's year, 670,000 spans, reading all before
 * writing any left each side idle half the time). */
static int copy(PGconn *c, sqlite3 *db, const char *select, const char *insert, char *err, size_t len)
{
    char *declare = malloc(strlen(select) + 64);
    if (!declare)
        return CW_ENOMEM;
    sprintf(declare, "DECLARE cw_copy NO SCROLL CURSOR FOR %s", select);
    PGresult *res = PQexec(c, declare);
    free(declare);
    int rc = pg_failed(res, PGRES_COMMAND_OK, err, len);
    PQclear(res);
    if (rc < 0)
        return rc;
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(db, insert, -1, &s, NULL) != SQLITE_OK) {
        snprintf(err, len, "preparing the copy: %s", sqlite3_errmsg(db));
        PQclear(PQexec(c, "CLOSE cw_copy"));
        return CW_ESTORE;
    }
    int sent = PQsendQuery(c, "FETCH " CHUNK " FROM cw_copy");
    while (rc == 0) {
        if (!sent) {
            const char *m = PQerrorMessage(c);
            snprintf(err, len, "reading the province's database: %.*s", (int)strcspn(m, "\n"), m);
            rc = CW_EIO;
            break;
        }
        res = PQgetResult(c);
        PQclear(PQgetResult(c)); /* the NULL that ends the command */
        if ((rc = pg_failed(res, PGRES_TUPLES_OK, err, len)) < 0) {
            PQclear(res);
            break;
        }
        int rows = PQntuples(res), cols = PQnfields(res);
        if (rows > 0) /* the next chunk is made while this one is written */
            sent = PQsendQuery(c, "FETCH " CHUNK " FROM cw_copy");
        for (int r = 0; rc == 0 && r < rows; r++) {
            sqlite3_reset(s);
            for (int k = 0; k < cols; k++) {
                if (PQgetisnull(res, r, k))
                    sqlite3_bind_null(s, k + 1);
                else
                    sqlite3_bind_text(s, k + 1, PQgetvalue(res, r, k), -1, SQLITE_STATIC);
            }
            if (sqlite3_step(s) != SQLITE_DONE) {
                snprintf(err, len, "copying a row: %s", sqlite3_errmsg(db));
                rc = CW_ESTORE;
            }
        }
        sqlite3_reset(s);
        PQclear(res);
        if (rows == 0)
            break;
        if (rc < 0) /* a FETCH is under way: its answer is read and dropped */
            while ((res = PQgetResult(c)) != NULL)
                PQclear(res);
    }
    sqlite3_finalize(s);
    PQclear(PQexec(c, "CLOSE cw_copy"));
    return rc;
}

PGconn *cw_pgread_connect(const char *conninfo, char *err, size_t len)
{
    char who[300];
    cw_upstream_describe(conninfo, who, sizeof who);
    const char *keys[] = {"dbname", "connect_timeout", "application_name", NULL};
    const char *vals[] = {conninfo, "10", "camwatch", NULL};
    PGconn *c = PQconnectdbParams(keys, vals, 1);
    if (c && PQstatus(c) == CONNECTION_OK)
        return c;
    const char *m = c ? PQerrorMessage(c) : "out of memory";
    snprintf(err, len, "%s: cannot connect: %.*s", who, (int)strcspn(m, "\n"), m);
    PQfinish(c);
    return NULL;
}

/* Each commune's current database: the epoch that sent last. An older
 * epoch (a database since recreated) stays at the centre untouched, but is
 * not read here: its history and the new one's may cover the same hours. */
#define CUR_EDGES                                                                                                 \
    "WITH e AS (SELECT DISTINCT ON (instance) instance, epoch, complete_until_us FROM camwatch.edges"             \
    " ORDER BY instance, last_batch_us DESC NULLS LAST) "
#define LATEST_EDGE " JOIN e USING (instance, epoch)"

int cw_pgread_copy(const char *conninfo, const char *path, char *err, size_t len)
{
    struct cw_store *st;
    char who[300];
    cw_upstream_describe(conninfo, who, sizeof who);
    unlink(path);
    if (cw_store_open(path, 0, &st) < 0) { /* the schema, made by camwatch's own migrations */
        snprintf(err, len, "cannot make a working copy at %s", path);
        return CW_ESTORE;
    }
    cw_store_close(st);
    PGconn *c = cw_pgread_connect(conninfo, err, len);
    if (!c)
        return CW_EIO;
    sqlite3 *db;
    if (sqlite3_open(path, &db) != SQLITE_OK) {
        snprintf(err, len, "cannot open the working copy %s", path);
        sqlite3_close(db);
        PQfinish(c);
        return CW_ESTORE;
    }
    /* one snapshot of the centre; the copy is private, so no journal */
    int rc = 0;
    PQclear(PQexec(c, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"));
    /* the copy is never shipped anywhere: its change-log triggers go
     * (each would look its switch up once per row copied) */
    sqlite3_stmt *tr;
    char drop[3200];
    if (sqlite3_prepare_v2(db, "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'sync_%'", -1, &tr,
                           NULL) == SQLITE_OK) {
        char names[64][48];
        int nt = 0;
        while (nt < 64 && sqlite3_step(tr) == SQLITE_ROW)
            snprintf(names[nt++], sizeof names[0], "%s", (const char *)sqlite3_column_text(tr, 0));
        sqlite3_finalize(tr);
        for (int i = 0; i < nt; i++) {
            snprintf(drop, sizeof drop, "DROP TRIGGER \"%s\"", names[i]);
            sqlite3_exec(db, drop, NULL, NULL, NULL);
        }
    }
    sqlite3_exec(db, "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA cache_size=-65536; BEGIN", NULL, NULL,
                 NULL);
    struct {
        const char *select, *insert;
    } steps[] = {
        {CUR_EDGES "SELECT c.id, c.name, c.site, c.site_name, c.commune, c.commune_name, c.district,"
         " c.district_name, c.url, c.enabled, c.added_us, c.updated_us, c.plugins, c.province, c.province_name,"
         " c.commune_formerly FROM camwatch.cameras c" LATEST_EDGE " ORDER BY c.id",
         "INSERT INTO cameras (id, name, site, site_name, commune, commune_name, district, district_name, url, enabled,"
         " added_us, updated_us, plugins, province, province_name, commune_formerly)"
         " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"},
        {CUR_EDGES "SELECT s.camera, s.state, s.cause, s.detail, s.start_us,"
         " COALESCE(s.end_us, GREATEST(e.complete_until_us, s.start_us)) FROM camwatch.spans s" LATEST_EDGE,
         "INSERT INTO spans (camera, state, cause, detail, start_us, end_us) VALUES (?,?,?,?,?,?)"},
        {CUR_EDGES "SELECT x.camera, x.condition, x.start_us, COALESCE(x.end_us, GREATEST(e.complete_until_us, x.start_us))"
         " FROM camwatch.conditions x" LATEST_EDGE " ORDER BY x.camera, x.start_us",
         "INSERT INTO conditions (camera, condition, start_us, end_us) VALUES (?,?,?,?)"},
        {CUR_EDGES "SELECT x.camera, x.kind, x.start_us, x.end_us, x.peak_score, x.regions, x.snapshot"
         " FROM camwatch.events x" LATEST_EDGE " ORDER BY x.start_us",
         "INSERT INTO events (camera, kind, start_us, end_us, peak_score, regions, snapshot) VALUES (?,?,?,?,?,?,?)"},
        {CUR_EDGES "SELECT x.scope, x.target, x.from_us, x.to_us, x.note, x.created_by, x.created_us, x.ended_by,"
         " x.ended_us FROM camwatch.maintenance x" LATEST_EDGE " ORDER BY x.from_us",
         "INSERT INTO maintenance (scope, target, from_us, to_us, note, created_by, created_us, ended_by, ended_us)"
         " VALUES (?,?,?,?,?,?,?,?,?)"},
        {CUR_EDGES "SELECT x.camera, x.note, x.created_by, x.created_us FROM camwatch.acks x" LATEST_EDGE
         " ORDER BY x.created_us",
         "INSERT INTO acks (camera, note, created_by, created_us) VALUES (?,?,?,?)"},
        {CUR_EDGES "SELECT x.at_us, x.step_us FROM camwatch.clock_steps x" LATEST_EDGE " ORDER BY x.at_us",
         "INSERT INTO clock_steps (at_us, step_us) VALUES (?,?)"},
        /* how far each commune's data has arrived (a commune sent by two
         * edges: the one behind) */
        {CUR_EDGES "SELECT c.commune, min(c.instance), min(e.complete_until_us) FROM camwatch.cameras c" LATEST_EDGE
         " GROUP BY c.commune",
         "INSERT INTO completeness (commune, instance, complete_until_us) VALUES (?,?,?)"},
    };
    /* The spans' index is made once at the end, from rows that arrive
     * ordered by commune, not by camera: one sort instead of 670,000
     * inserts into it (ordering them at the centre cost more). Made again
     * from its own definition, as the migrations wrote it. */
    char index_sql[512] = "";
    sqlite3_stmt *ix;
    if (sqlite3_prepare_v2(db, "SELECT sql FROM sqlite_master WHERE type = 'index' AND name = 'spans_camera_start'",
                           -1, &ix, NULL) == SQLITE_OK) {
        if (sqlite3_step(ix) == SQLITE_ROW && sqlite3_column_text(ix, 0))
            snprintf(index_sql, sizeof index_sql, "%s", (const char *)sqlite3_column_text(ix, 0));
        sqlite3_finalize(ix);
    }
    if (index_sql[0])
        sqlite3_exec(db, "DROP INDEX spans_camera_start", NULL, NULL, NULL);
    for (size_t i = 0; rc == 0 && i < sizeof steps / sizeof steps[0]; i++)
        rc = copy(c, db, steps[i].select, steps[i].insert, err, len);
    if (rc == 0 && index_sql[0] && sqlite3_exec(db, index_sql, NULL, NULL, NULL) != SQLITE_OK) {
        snprintf(err, len, "indexing the working copy: %s", sqlite3_errmsg(db));
        rc = CW_ESTORE;
    }
    if (rc == 0 && sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
        snprintf(err, len, "writing the working copy: %s", sqlite3_errmsg(db));
        rc = CW_ESTORE;
    }
    if (rc < 0) {
        char m[600];
        snprintf(m, sizeof m, "%s: %s", who, err);
        snprintf(err, len, "%s", m);
    }
    sqlite3_close(db);
    PQclear(PQexec(c, "COMMIT"));
    PQfinish(c);
    return rc;
}
