/* Shipping the change log to the province's PostgreSQL: see upstream.h. */
#include "upstream.h"

#include <ctype.h>
#include <errno.h>
#include <jansson.h>
#include <libpq-fe.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "digest.h"
#include "error.h"

extern const char cw_upstream_sql[]; /* daemon/upstream.sql, compiled in by make */

void cw_upstream_describe(const char *conninfo, char *out, size_t len)
{
    char *perr = NULL;
    PQconninfoOption *o = PQconninfoParse(conninfo ? conninfo : "", &perr);
    if (!o) {
        snprintf(out, len, "(an unreadable connection string)");
        PQfreemem(perr);
        return;
    }
    const char *user = "", *host = "", *port = "", *db = "";
    for (PQconninfoOption *i = o; i->keyword; i++) {
        if (!i->val)
            continue;
        if (!strcmp(i->keyword, "user"))
            user = i->val;
        else if (!strcmp(i->keyword, "host"))
            host = i->val;
        else if (!strcmp(i->keyword, "port"))
            port = i->val;
        else if (!strcmp(i->keyword, "dbname"))
            db = i->val;
    }
    snprintf(out, len, "postgresql://%s%s%s%s%s/%s", user, user[0] ? "@" : "", host[0] == '/' ? "" : host,
             port[0] ? ":" : "", port, db);
    if (host[0] == '/') { /* a Unix socket directory: said as libpq's URLs say it */
        size_t n = strlen(out);
        snprintf(out + n, len > n ? len - n : 0, "?host=%s", host);
    }
    PQconninfoFree(o);
}

const char *cw_upstream_check_conninfo(const char *conninfo, char *err, size_t len)
{
    char *perr = NULL;
    PQconninfoOption *o = PQconninfoParse(conninfo ? conninfo : "", &perr);
    if (!o) {
        /* libpq's own words, which quote no password */
        snprintf(err, len, "not a PostgreSQL URL or connection string: %s", perr ? perr : "unreadable");
        size_t n = strlen(err);
        while (n > 0 && (err[n - 1] == '\n' || err[n - 1] == ' '))
            err[--n] = '\0';
        PQfreemem(perr);
        return err;
    }
    int has_password = 0;
    for (PQconninfoOption *i = o; i->keyword; i++)
        if (!strcmp(i->keyword, "password") && i->val && i->val[0])
            has_password = 1;
    PQconninfoFree(o);
    if (has_password) {
        snprintf(err, len, "holds a password: put it in upstream.password_file (or PGPASSWORD), not in the URL");
        return err;
    }
    return NULL;
}

char *cw_upstream_read_password(const char *path, char *err, size_t len)
{
    FILE *f = fopen(path, "r");
    char line[1024];
    if (!f) {
        snprintf(err, len, "cannot read the password file %s: %s", path, strerror(errno));
        return NULL;
    }
    if (!fgets(line, sizeof line, f))
        line[0] = '\0';
    fclose(f);
    line[strcspn(line, "\r\n")] = '\0';
    char *pw = strdup(line);
    memset(line, 0, sizeof line);
    if (!pw)
        snprintf(err, len, "out of memory reading the password file %s", path);
    return pw;
}

void cw_upstream_wipe(char *password)
{
    if (password)
        memset(password, 0, strlen(password));
    free(password);
}

int cw_upstream_instance_ok(const char *name)
{
    size_t n = name ? strlen(name) : 0;
    if (n == 0 || n > 64 || !isalnum((unsigned char)name[0]))
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char)name[i]) && name[i] != '.' && name[i] != '_' && name[i] != '-')
            return 0;
    return 1;
}

/* libpq's message, first line only, after who we talked to. */
static void pg_error(char *err, size_t len, const char *conninfo, const char *what, const char *msg)
{
    char who[300];
    cw_upstream_describe(conninfo, who, sizeof who);
    size_t m = msg ? strcspn(msg, "\n") : 0;
    snprintf(err, len, "upstream %s: %s%s%.*s", who, what, m ? ": " : "", (int)m, msg ? msg : "");
}

static PGconn *pg_connect(const char *conninfo, const char *password, char *err, size_t len)
{
    /* expand_dbname: conninfo may be a URL or key=value pairs; the
     * password comes separately, so it is in no string we print. Keepalives
     * and a TCP timeout: a link that dies mid-batch fails in seconds, not
     * when the kernel gives up hours later. */
    const char *keys[] = {"dbname", "password", "connect_timeout", "application_name", "keepalives_idle",
                          "keepalives_interval", "keepalives_count", "tcp_user_timeout", NULL};
    const char *vals[] = {conninfo, password && password[0] ? password : NULL, "10", "camwatch", "10", "5", "3",
                          "30000", NULL};
    if (!vals[1]) { /* libpq then looks in PGPASSWORD and ~/.pgpass itself */
        keys[1] = "connect_timeout", vals[1] = "10";
    }
    PGconn *c = PQconnectdbParams(keys, vals, 1);
    if (!c || PQstatus(c) != CONNECTION_OK) {
        pg_error(err, len, conninfo, "cannot connect", c ? PQerrorMessage(c) : "out of memory");
        PQfinish(c);
        return NULL;
    }
    return c;
}

static int pg_ok(PGconn *c, PGresult *res, const char *conninfo, const char *what, char *err, size_t len)
{
    ExecStatusType s = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
    if (s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK)
        return 0;
    pg_error(err, len, conninfo, what, res ? PQresultErrorMessage(res) : PQerrorMessage(c));
    return -1;
}

static int pg_exec(PGconn *c, const char *sql, const char *conninfo, const char *what, char *err, size_t len)
{
    PGresult *res = PQexec(c, sql);
    int rc = pg_ok(c, res, conninfo, what, err, len);
    PQclear(res);
    return rc;
}

int cw_upstream_init(const char *conninfo, const char *password, int *version, char *err, size_t errlen)
{
    PGconn *c = pg_connect(conninfo, password, err, errlen);
    if (!c)
        return CW_EIO;
    int rc = 0, have = 0;
    PGresult *res = PQexec(c, "SELECT to_regclass('camwatch.meta') IS NOT NULL");
    if (pg_ok(c, res, conninfo, "reading the schema", err, errlen) < 0)
        rc = CW_EIO;
    else if (!strcmp(PQgetvalue(res, 0, 0), "t")) {
        PQclear(res);
        res = PQexec(c, "SELECT COALESCE((SELECT value::int FROM camwatch.meta WHERE key = 'schema'), 0)");
        if (pg_ok(c, res, conninfo, "reading the schema's version", err, errlen) < 0)
            rc = CW_EIO;
        else
            have = atoi(PQgetvalue(res, 0, 0));
    }
    PQclear(res);
    /* the steps: "-- @step N" lines cut the file; each runs once, in
     * order, in one transaction with the version's update */
    int n_steps = 0;
    for (const char *p = cw_upstream_sql; rc == 0 && (p = strstr(p, "-- @step ")) != NULL;) {
        int step = atoi(p + 9);
        const char *body = strchr(p, '\n');
        const char *next = body ? strstr(body, "-- @step ") : NULL;
        n_steps = step;
        if (!body)
            break;
        if (step > have) {
            size_t n = next ? (size_t)(next - body) : strlen(body);
            char *sql = malloc(n + 1);
            char ver[200];
            if (!sql) {
                rc = CW_ENOMEM;
                break;
            }
            memcpy(sql, body, n);
            sql[n] = '\0';
            snprintf(ver, sizeof ver,
                     "INSERT INTO camwatch.meta (key, value) VALUES ('schema', '%d')"
                     " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                     step);
            /* the advisory lock: two inits at once take turns */
            if (pg_exec(c, "BEGIN; SELECT pg_advisory_xact_lock(4242025)", conninfo, "starting", err, errlen) < 0 ||
                pg_exec(c, sql, conninfo, "applying the schema", err, errlen) < 0 ||
                pg_exec(c, ver, conninfo, "recording the schema's version", err, errlen) < 0 ||
                pg_exec(c, "COMMIT", conninfo, "committing the schema", err, errlen) < 0) {
                PQclear(PQexec(c, "ROLLBACK"));
                rc = CW_EIO;
            }
            free(sql);
            if (rc == 0)
                have = step;
        }
        p = next ? next : p + strlen(p);
    }
    if (rc == 0 && have > n_steps) {
        snprintf(err, errlen, "the province's schema is version %d, newer than this camwatch knows (%d): upgrade it",
                 have, n_steps);
        rc = CW_EIO;
    }
    *version = have;
    PQfinish(c);
    return rc;
}

int cw_upstream_add_edge(const char *conninfo, const char *password, const char *role, const char *role_password,
                         const char *instance, char *err, size_t errlen)
{
    if (!cw_upstream_instance_ok(instance) || !cw_upstream_instance_ok(role)) {
        snprintf(err, errlen, "instance and role names are letters, digits, '.', '_' and '-' (64 at most)");
        return CW_EINVAL;
    }
    PGconn *c = pg_connect(conninfo, password, err, errlen);
    if (!c)
        return CW_EIO;
    int rc = 0;
    /* the password travels hashed (SCRAM), so no server log holds it */
    char *hash = PQencryptPasswordConn(c, role_password, role, NULL);
    char *id = PQescapeIdentifier(c, role, strlen(role));
    char *lit = hash ? PQescapeLiteral(c, hash, strlen(hash)) : NULL;
    char sql[1024];
    if (!hash || !id || !lit) {
        pg_error(err, errlen, conninfo, "preparing the role", PQerrorMessage(c));
        rc = CW_EIO;
    } else {
        const char *params[2] = {role, instance};
        PGresult *res = PQexecParams(c, "SELECT 1 FROM pg_roles WHERE rolname = $1", 1, NULL, params, NULL, NULL, 0);
        int exists = res && PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) > 0;
        PQclear(res);
        snprintf(sql, sizeof sql, exists ? "ALTER ROLE %s LOGIN PASSWORD %s" : "CREATE ROLE %s LOGIN PASSWORD %s", id,
                 lit);
        if (pg_exec(c, "BEGIN", conninfo, "starting", err, errlen) < 0 ||
            pg_exec(c, sql, conninfo, "making the role", err, errlen) < 0)
            rc = CW_EIO;
        if (rc == 0) {
            snprintf(sql, sizeof sql, "GRANT camwatch_edge TO %s", id);
            if (pg_exec(c, sql, conninfo, "granting camwatch_edge", err, errlen) < 0)
                rc = CW_EIO;
        }
        if (rc == 0) {
            res = PQexecParams(c,
                               "INSERT INTO camwatch.edge_roles (role, instance) VALUES ($1, $2)"
                               " ON CONFLICT (role) DO UPDATE SET instance = excluded.instance",
                               2, NULL, params, NULL, NULL, 0);
            if (pg_ok(c, res, conninfo, "recording the role's instance", err, errlen) < 0)
                rc = CW_EIO;
            PQclear(res);
        }
        if (rc == 0 && pg_exec(c, "COMMIT", conninfo, "committing", err, errlen) < 0)
            rc = CW_EIO;
        if (rc < 0)
            PQclear(PQexec(c, "ROLLBACK"));
    }
    PQfreemem(hash);
    PQfreemem(id);
    PQfreemem(lit);
    PQfinish(c);
    return rc;
}

/* ---- shipping ---- */

struct buf {
    char *s;
    size_t n, cap;
    int oom;
};

static void put(struct buf *b, const char *s, size_t n)
{
    if (b->oom)
        return;
    if (b->n + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 65536;
        while (cap < b->n + n + 1)
            cap *= 2;
        char *t = realloc(b->s, cap);
        if (!t) {
            b->oom = 1;
            return;
        }
        b->s = t, b->cap = cap;
    }
    memcpy(b->s + b->n, s, n);
    b->n += n;
    b->s[b->n] = '\0';
}

static void put_str(struct buf *b, const char *s) { put(b, s, strlen(s)); }

static void put_json_string(struct buf *b, const char *s)
{
    json_t *j = json_string(s);
    char *t = j ? json_dumps(j, JSON_ENCODE_ANY) : NULL;
    if (t)
        put_str(b, t);
    else
        b->oom = 1;
    free(t);
    json_decref(j);
}

struct batch_ctx {
    struct buf rows;
    int n;
    const char *snapshot_root;
};

/* An event's snapshot stays at the edge: its size and BLAKE2b-256 go. */
static char *with_snapshot_digest(const char *json, const char *root)
{
    json_t *o = json_loads(json, 0, NULL);
    const char *snap = o ? json_string_value(json_object_get(o, "snapshot")) : NULL;
    char *out = NULL;
    if (snap && snap[0] && root) {
        char path[4096];
        if (snap[0] == '/')
            snprintf(path, sizeof path, "%s", snap);
        else
            snprintf(path, sizeof path, "%s/%s", root, snap);
        FILE *f = fopen(path, "rb");
        if (f) {
            crypto_generichash_state h;
            unsigned char d[32], chunk[16384];
            char hex[65];
            long long size = 0;
            size_t k;
            crypto_generichash_init(&h, NULL, 0, sizeof d);
            while ((k = fread(chunk, 1, sizeof chunk, f)) > 0) {
                crypto_generichash_update(&h, chunk, k);
                size += (long long)k;
            }
            int bad = ferror(f);
            fclose(f);
            if (!bad) {
                crypto_generichash_final(&h, d, sizeof d);
                sodium_bin2hex(hex, sizeof hex, d, sizeof d);
                json_object_set_new(o, "snapshot_size", json_integer(size));
                json_object_set_new(o, "snapshot_hash", json_string(hex));
                out = json_dumps(o, JSON_COMPACT);
            }
        }
    }
    json_decref(o);
    return out;
}

static void on_row(void *ud, const char *tbl, const char *rkey, const char *json)
{
    struct batch_ctx *x = ud;
    char *extra = NULL;
    put_str(&x->rows, x->n++ ? ",{\"t\":" : "{\"t\":");
    put_json_string(&x->rows, tbl);
    put_str(&x->rows, ",\"k\":");
    put_json_string(&x->rows, rkey);
    put_str(&x->rows, ",\"d\":");
    if (!strcmp(tbl, "resent")) { /* the camera whose history was sent again */
        put_str(&x->rows, "{\"camera\":");
        put_json_string(&x->rows, rkey);
        put_str(&x->rows, "}");
    } else if (!json) {
        put_str(&x->rows, "null"); /* deleted at the edge */
    } else {
        if (!strcmp(tbl, "events"))
            extra = with_snapshot_digest(json, x->snapshot_root);
        put_str(&x->rows, extra ? extra : json);
    }
    put_str(&x->rows, "}");
    free(extra);
}

/* Kept for `camwatch upstream status`; the caller has the message either way. */
static void record_failure(struct cw_store *st, const char *msg) { (void)cw_store_sync_failed(st, msg, cw_wall_us()); }

int cw_upstream_ship(struct cw_store *st, const struct cw_upstream_params *p, struct cw_upstream_round *r)
{
    memset(r, 0, sizeof *r);
    struct cw_sync_info in;
    if (!cw_upstream_instance_ok(p->instance)) {
        snprintf(r->err, sizeof r->err, "upstream: instance '%s' is not a name (letters, digits, '.', '_', '-')",
                 p->instance ? p->instance : "");
        return CW_EINVAL;
    }
    if (cw_store_sync_enable(st, 1) < 0) {
        snprintf(r->err, sizeof r->err, "upstream: cannot read this database's change log: %s", cw_store_errmsg(st));
        return CW_ESTORE;
    }
    /* the figures the province checks its copy by: written into the log
     * before this round reads it, so they travel after the rows they sum */
    if (p->digests && cw_digest_update(st, cw_wall_us(), cw_store_complete_until(st), p->digests == 2, &r->digests) < 0) {
        snprintf(r->err, sizeof r->err, "upstream: cannot make this commune's digests: %s", cw_store_errmsg(st));
        return CW_ESTORE;
    }
    PGconn *c = pg_connect(p->conninfo, p->password, r->err, sizeof r->err);
    if (!c) {
        record_failure(st, r->err);
        return CW_EIO;
    }
    int rc = 0, limit = p->batch > 0 ? p->batch : 1000;
    for (;;) {
        if (cw_store_sync_info(st, &in) < 0) {
            snprintf(r->err, sizeof r->err, "upstream: cannot read the change log: %s", cw_store_errmsg(st));
            rc = CW_ESTORE;
            break;
        }
        if (in.backfill) {
            int64_t n;
            if (cw_store_sync_backfill(st, &n) < 0) {
                snprintf(r->err, sizeof r->err, "upstream: cannot fill the change log: %s", cw_store_errmsg(st));
                rc = CW_ESTORE;
                break;
            }
            r->backfilled += n;
            continue;
        }
        struct batch_ctx x = {{NULL, 0, 0, 0}, 0, p->snapshot_root};
        int64_t first, last, complete;
        put_str(&x.rows, "[");
        if (cw_store_sync_batch(st, in.acked, limit, on_row, &x, &first, &last, &complete) < 0) {
            snprintf(r->err, sizeof r->err, "upstream: cannot read the change log: %s", cw_store_errmsg(st));
            free(x.rows.s);
            rc = CW_ESTORE;
            break;
        }
        put_str(&x.rows, "]");
        if (x.rows.oom) {
            free(x.rows.s);
            snprintf(r->err, sizeof r->err, "upstream: out of memory building a batch");
            rc = CW_ENOMEM;
            break;
        }
        if (first == 0) /* nothing waits: the call still says how far the data is whole */
            first = last = in.acked;
        char a[8][32];
        snprintf(a[0], 32, "%lld", (long long)in.whole_from);
        snprintf(a[1], 32, "%lld", (long long)(first == last && x.n == 0 ? in.acked + 1 : first));
        snprintf(a[2], 32, "%lld", (long long)last);
        snprintf(a[3], 32, "%lld", (long long)complete);
        snprintf(a[4], 32, "%lld", (long long)cw_wall_us());
        snprintf(a[5], 32, "%lld", (long long)in.installed_us);
        const char *params[9] = {p->instance, in.epoch, a[0], a[1], a[2], a[3], a[4], a[5], x.rows.s};
        PGresult *res = PQexecParams(c,
                                     "SELECT camwatch.apply_batch($1, $2, $3::bigint, $4::bigint, $5::bigint,"
                                     " $6::bigint, $7::bigint, $8::bigint, $9::jsonb)",
                                     9, NULL, params, NULL, NULL, 0);
        free(x.rows.s);
        if (pg_ok(c, res, p->conninfo, "sending a batch", r->err, sizeof r->err) < 0) {
            PQclear(res);
            rc = CW_EIO;
            break;
        }
        json_t *reply = json_loads(PQgetvalue(res, 0, 0), 0, NULL);
        PQclear(res);
        int64_t acked = reply ? json_integer_value(json_object_get(reply, "acked")) : -1;
        int gap = reply ? json_is_true(json_object_get(reply, "gap")) : 0;
        json_t *resend = reply ? json_object_get(reply, "resend") : NULL;
        size_t n_resend = json_array_size(resend);
        if (!reply) {
            snprintf(r->err, sizeof r->err, "upstream: the province's answer is not JSON");
            rc = CW_EIO;
        } else if (gap) {
            /* the province holds less than it once acknowledged (restored
             * from an older dump): everything goes again, idempotently */
            r->gaps++;
            if (cw_store_sync_need_backfill(st) < 0)
                rc = CW_ESTORE;
        } else if (x.n > 0 && acked < last) {
            snprintf(r->err, sizeof r->err, "upstream: the province acknowledged %lld of a batch up to %lld",
                     (long long)acked, (long long)last);
            rc = CW_EIO;
        } else {
            if (x.n > 0) {
                if (cw_store_sync_acked(st, last, cw_wall_us()) < 0)
                    rc = CW_ESTORE;
                r->rows += x.n;
                r->batches++;
            } else if (cw_store_sync_acked(st, in.acked, cw_wall_us()) < 0) {
                rc = CW_ESTORE;
            }
            r->acked = x.n > 0 ? last : in.acked;
            if (complete > r->complete_until_us)
                r->complete_until_us = complete;
            size_t i;
            json_t *v;
            json_array_foreach(resend, i, v) {
                if (json_is_string(v) && cw_store_sync_resend(st, json_string_value(v)) > 0)
                    r->resent++;
            }
        }
        json_decref(reply);
        if (rc < 0 && !r->err[0])
            snprintf(r->err, sizeof r->err, "upstream: cannot record the answer: %s", cw_store_errmsg(st));
        if (rc < 0 || (x.n == 0 && !gap && n_resend == 0))
            break; /* caught up, or failed */
    }
    PQfinish(c);
    if (rc < 0)
        record_failure(st, r->err);
    return rc;
}
