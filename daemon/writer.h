/* The write pipeline: everything camwatchd records goes to the database
 * through one writer.
 *
 * Modules append operations to the batch being built (cw_writer_batch);
 * once a second, or at once when asked (cw_writer_flush_soon: an alert
 * must be committed before it is sent), the batch goes to the thread pool
 * and is applied in one transaction with the run's heartbeat, never on
 * the loop. Batches are numbered: a module that must not act before its
 * row is on disk (the alert outbox) notes the number of the batch it
 * wrote to and is told, by a listener callback, each time a batch commits.
 * A batch that cannot be written (a full disk, another process holding
 * the write lock, the database not openable at start) is kept and tried
 * again every tick before newer ones: history is never dropped. The
 * writer also owns the run (its start, heartbeat and clean end) and
 * notices a database file deleted or replaced under it.
 *
 * Loop thread only, except the after_write hook (on the pool). */
#ifndef CW_WRITER_H
#define CW_WRITER_H
#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "store.h"

struct cw_writer;

struct cw_writer_params {
    uv_loop_t *loop;
    const char *database; /* copied */
    int64_t interval_ms;  /* how often the batch goes (1000) */
    /* On the loop at every tick, even while a slow flush is in flight
     * (the daemon publishes its live view and checks the clock). */
    void (*tick)(void *ud, int64_t now_us);
    /* On the loop, before each batch goes: add the tick's rows (stats). */
    void (*before)(void *ud, struct cw_store_batch *b, int64_t now_us);
    /* On the thread pool, after a batch was written (rc 0) or not, with
     * the writer's connection: read what the loop wants fresh. */
    void (*after_write)(void *ud, struct cw_store *st, int rc);
    /* On the loop once that flush is over: rc 0 committed, else kept. */
    void (*written)(void *ud, int rc);
    /* The database file was deleted or replaced while camwatchd ran. */
    void (*gone)(void *ud);
    void *ud;
};

/* Opens the database (migrating it) and records the run. A database that
 * cannot be opened or written now (a full disk) is not fatal: the writer
 * keeps the batches and retries every tick (*err says why, naming the
 * file, for the caller to say once); a
 * database of a newer camwatch is (CW_ESCHEMA). 0 or a negative code. */
int cw_writer_open(const struct cw_writer_params *p, struct cw_writer **out, char *err, size_t errlen);
/* Starts the ticks. */
void cw_writer_start(struct cw_writer *w);
/* The connection while no flush is in flight (at start: recovery reads);
 * NULL when the database is not open. */
struct cw_store *cw_writer_store(struct cw_writer *w);

/* The batch being built, and its number; the number of the last batch
 * committed (every batch up to it is on disk). */
struct cw_store_batch *cw_writer_batch(struct cw_writer *w);
uint64_t cw_writer_seq(const struct cw_writer *w);
uint64_t cw_writer_committed(const struct cw_writer *w);
/* A row in the batch must be committed soon (an alert waits for it):
 * write now rather than at the next tick. */
void cw_writer_flush_soon(struct cw_writer *w);
/* cb(ud, committed) on the loop after each commit; at most 4 listeners. */
int cw_writer_listen(struct cw_writer *w, void (*cb)(void *ud, uint64_t committed), void *ud);
/* Flushes that failed in a row (the disk is full, ...). */
int cw_writer_failures(const struct cw_writer *w);

/* Stops the ticks, waits for a flush in flight, writes what is left and
 * closes the run (every open span ends at now). done(ud, rc) then: rc < 0
 * when the run's history could not be written. */
void cw_writer_close(struct cw_writer *w, void (*done)(void *ud, int rc), void *ud);
/* After cw_writer_close's callback (or if the loop never ran). */
void cw_writer_free(struct cw_writer *w);

#endif
