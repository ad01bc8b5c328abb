/* Shipping a commune's history to the province's PostgreSQL (issue #25).
 *
 * The edge's SQLite change log (store.h, sync_*) is read in batches; each
 * batch goes to camwatch.apply_batch, which applies it in one transaction
 * keyed by (instance, epoch, local id) and answers how far it has the log.
 * Only then is the log trimmed, so a reply lost after COMMIT, a cut
 * connection or a restarted server costs a re-send, never a row.
 *
 * Blocking (libpq): called on a worker thread or by the CLI, never on the
 * loop. One short-lived connection per round; nothing here logs a
 * password (messages name the server by cw_upstream_describe). */
#ifndef CW_UPSTREAM_H
#define CW_UPSTREAM_H
#include <stddef.h>
#include <stdint.h>

#include "store.h"

struct cw_upstream_params {
    const char *conninfo;      /* postgresql:// URL or key=value conninfo, without its password */
    const char *password;      /* NULL: libpq's own (PGPASSWORD, ~/.pgpass) */
    const char *instance;      /* this commune's name in the province */
    const char *snapshot_root; /* where events' snapshots are (size and hash travel); NULL: neither */
    int batch;                 /* log entries per batch */
    int digests;               /* refresh the edge's digests first (digest.h): 1 this month's and the last (the
                                  daemon, hourly), 2 every month's (the CLI: an old database brought in) */
};

struct cw_upstream_round {
    int64_t rows, batches;     /* rows applied by the province this round */
    int64_t backfilled;        /* rows put in the log again (first shipment, or the province's gap) */
    int64_t acked;             /* the log is acknowledged up to here */
    int64_t complete_until_us; /* the province has everything up to this edge time */
    int gaps;                  /* the province had less than acknowledged (restored from a dump) */
    int resent;                /* cameras sent again on the province's request */
    int digests;               /* camera-months whose digest changed and went */
    char err[400];             /* why the round stopped early (no password in it) */
};

/* The server as messages may name it: user@host:port/dbname, never a
 * password, whichever form conninfo has. */
void cw_upstream_describe(const char *conninfo, char *out, size_t len);

/* NULL if conninfo is usable, else what is wrong with it (a password in
 * it is refused: it belongs in a file or PGPASSWORD). */
const char *cw_upstream_check_conninfo(const char *conninfo, char *err, size_t len);

/* The first line of a password file, malloc'd (possibly empty); NULL with
 * err naming the file when it cannot be read. Free with cw_upstream_wipe. */
char *cw_upstream_read_password(const char *path, char *err, size_t len);
/* Overwrites and frees a password (NULL: nothing). */
void cw_upstream_wipe(char *password);

/* 1 if name can be an instance (letters, digits, '.', '_', '-'; 64 at most). */
int cw_upstream_instance_ok(const char *name);

/* Creates or migrates the central schema and its roles; *version: the
 * schema's steps now applied. 0 or CW_EIO (err says why). */
int cw_upstream_init(const char *conninfo, const char *password, int *version, char *err, size_t errlen);

/* A login role for one commune: it may call apply_batch for `instance`
 * and nothing else. 0 or CW_EIO. */
int cw_upstream_add_edge(const char *conninfo, const char *password, const char *role, const char *role_password,
                         const char *instance, char *err, size_t errlen);

/* Ships the log until nothing waits (or an error). Turns the log on if it
 * was off. 0, or CW_EIO with r->err (also recorded in the store for
 * `camwatch upstream status`). */
int cw_upstream_ship(struct cw_store *st, const struct cw_upstream_params *p, struct cw_upstream_round *r);

#endif
