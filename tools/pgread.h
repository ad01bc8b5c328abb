/* `--db postgresql://…`: the province's database read by the CLI's own
 * commands, through a private SQLite copy (pgread.c says why). */
#ifndef CW_TOOLS_PGREAD_H
#define CW_TOOLS_PGREAD_H
#include <libpq-fe.h>
#include <stddef.h>

/* 1 if --db names a PostgreSQL database rather than a file. */
int cw_pgread_is_url(const char *s);
/* A reader's connection to the province (password from PGPASSWORD or
 * ~/.pgpass), or NULL with err naming the server (never a password). */
PGconn *cw_pgread_connect(const char *conninfo, char *err, size_t len);
/* Copies the province's cameras, spans, conditions, events, maintenance,
 * acks and clock steps into a new SQLite file at path (camwatch's schema).
 * The password comes from PGPASSWORD or ~/.pgpass. 0, or a negative code
 * with err naming the server (never its password). */
int cw_pgread_copy(const char *conninfo, const char *path, char *err, size_t len);

#endif
