/* The write pipeline (see writer.h). */
#include "writer.h"

#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "clock.h"
#include "error.h"
#include "log.h"

#define MAX_LISTENERS 4

/* What the loop owns is touched on the loop's thread only (the pool gets
 * the batch in flight, never the one being built). */
#define ON_LOOP(w)                                                                                                     \
    do {                                                                                                               \
        uv_thread_t self_ = uv_thread_self();                                                                         \
        assert(uv_thread_equal(&self_, &(w)->loop_thread));                                                            \
        (void)self_;                                                                                                   \
    } while (0)

struct cw_writer {
    struct cw_writer_params p;
    uv_thread_t loop_thread; /* the batches are the loop's: nobody else may touch them */
    char *database;
    struct cw_store *store; /* the writing connection; NULL until it opens */
    char open_err[256];     /* why it cannot be opened, while it cannot */
    dev_t db_dev;           /* the file as opened: a deleted or replaced */
    ino_t db_ino;           /* one is noticed before the next write */
    int64_t run_id;
    int run_pending; /* the run could not be recorded yet: the flush records it first */

    struct cw_store_batch *pending, *inflight;
    int inflight_rc;
    uint64_t batch_seq, inflight_seq, committed_seq;
    uv_work_t work;
    uv_timer_t timer;
    int busy;     /* work queued and not yet done: never queue it twice */
    int again;    /* flush_soon while a flush was in flight */
    int failures; /* flushes failed in a row (logged once a minute) */

    struct {
        void (*cb)(void *ud, uint64_t committed);
        void *ud;
    } listeners[MAX_LISTENERS];
    int n_listeners;

    int closing;
    void (*closed)(void *ud, int rc);
    void *closed_ud;
    int close_rc;
};

static void on_tick(uv_timer_t *t);

int cw_writer_open(const struct cw_writer_params *p, struct cw_writer **out, char *err, size_t errlen)
{
    struct cw_writer *w = calloc(1, sizeof *w);
    *out = NULL;
    if (!w || !(w->database = strdup(p->database)) || !(w->pending = cw_store_batch_new())) {
        if (w)
            free(w->database);
        free(w);
        return CW_ENOMEM;
    }
    w->p = *p;
    w->p.database = w->database;
    w->loop_thread = uv_thread_self();
    if (w->p.interval_ms <= 0)
        w->p.interval_ms = 1000;
    w->batch_seq = 1;
    err[0] = '\0';
    int rc = cw_store_open_quiet(w->database, &w->store, w->open_err, sizeof w->open_err);
    if (rc == CW_ESCHEMA) {
        snprintf(err, errlen, "%s", w->open_err);
        cw_store_batch_free(w->pending);
        free(w->database);
        free(w);
        return rc; /* a newer camwatch's database: never touch it */
    }
    if (rc < 0) {
        /* A full or failing disk must not stop the watching: the batches
         * wait in memory and every tick tries to open it again. */
        snprintf(err, errlen, "cannot open %s: %s", w->database, w->open_err);
        w->store = NULL;
        w->run_pending = 1;
        w->failures = 1; /* said by the caller: the flush need not say it again for a minute */
    } else {
        struct stat sb;
        if (stat(w->database, &sb) == 0) {
            w->db_dev = sb.st_dev;
            w->db_ino = sb.st_ino;
        }
        cw_store_set_quiet(w->store, 1); /* write failures are reported by the flush, once a minute */
        /* A system clock behind what the database already holds (stepped
         * back while camwatchd was down): never record into the past. */
        int64_t started, heartbeat, stopped;
        if (cw_store_last_run(w->store, &started, &heartbeat, &stopped) == 0)
            cw_clock_not_before(stopped > heartbeat ? stopped : heartbeat);
        if (cw_store_begin_run(w->store, cw_wall_us(), (int)getpid(), &w->run_id) < 0) {
            snprintf(err, errlen, "cannot record this run in %s: %s", w->database, cw_store_errmsg(w->store));
            w->run_pending = 1;
            w->failures = 1;
        }
    }
    uv_timer_init(p->loop, &w->timer);
    w->timer.data = w->work.data = w;
    *out = w;
    return 0;
}

void cw_writer_start(struct cw_writer *w)
{
    uv_timer_start(&w->timer, on_tick, 0, (uint64_t)w->p.interval_ms);
}

struct cw_store *cw_writer_store(struct cw_writer *w) { return w->busy ? NULL : w->store; }
struct cw_store_batch *cw_writer_batch(struct cw_writer *w)
{
    ON_LOOP(w);
    return w->pending;
}
uint64_t cw_writer_seq(const struct cw_writer *w) { return w->batch_seq; }
uint64_t cw_writer_committed(const struct cw_writer *w) { return w->committed_seq; }
int cw_writer_failures(const struct cw_writer *w) { return w->failures; }

int cw_writer_listen(struct cw_writer *w, void (*cb)(void *ud, uint64_t committed), void *ud)
{
    ON_LOOP(w);
    if (w->n_listeners == MAX_LISTENERS)
        return CW_ENOMEM;
    w->listeners[w->n_listeners].cb = cb;
    w->listeners[w->n_listeners++].ud = ud;
    return 0;
}

/* Whether the database file is still the one we opened: a deleted file
 * keeps taking writes that vanish at exit, a replaced one is not ours. */
static int database_gone(struct cw_writer *w)
{
    struct stat sb;
    if (!w->store)
        return 0; /* not opened yet (disk full at start): nothing to lose */
    if (stat(w->database, &sb) < 0)
        return errno == ENOENT ? 1 : 0; /* other errors (EACCES) say nothing about the file */
    if (w->db_ino == 0) { /* opened late, by a flush: this is the file */
        w->db_dev = sb.st_dev;
        w->db_ino = sb.st_ino;
        return 0;
    }
    return sb.st_dev != w->db_dev || sb.st_ino != w->db_ino;
}

/* On the thread pool: the run if it is not recorded yet, the batch, then
 * the owner's reads. The loop touches none of this while busy. */
static void flush_work(uv_work_t *req)
{
    struct cw_writer *w = req->data;
    if (!w->store && cw_store_open_quiet(w->database, &w->store, w->open_err, sizeof w->open_err) < 0) {
        w->inflight_rc = CW_ESTORE;
        if (w->p.after_write)
            w->p.after_write(w->p.ud, NULL, w->inflight_rc);
        return;
    }
    cw_store_set_quiet(w->store, 1);
    if (w->run_pending) {
        if (cw_store_begin_run(w->store, cw_wall_us(), (int)getpid(), &w->run_id) < 0) {
            w->inflight_rc = CW_ESTORE;
            if (w->p.after_write)
                w->p.after_write(w->p.ud, w->store, w->inflight_rc);
            return;
        }
        w->run_pending = 0;
    }
    w->inflight_rc = cw_store_apply(w->store, w->inflight);
    if (w->p.after_write)
        w->p.after_write(w->p.ud, w->store, w->inflight_rc);
}

static void finish(struct cw_writer *w);

static void flush_done(uv_work_t *req, int status)
{
    struct cw_writer *w = req->data;
    (void)status;
    w->busy = 0;
    if (w->inflight_rc < 0) {
        /* Keep the batch: it is applied again, before newer ones, on the
         * next tick. A full disk or another process holding the write lock
         * must not lose history. Said once, then every minute. */
        if (w->failures++ % 60 == 0)
            cw_error("store", NULL, "cannot write to %s: %s; keeping the changes in memory and retrying every second",
                     w->database, w->store ? cw_store_errmsg(w->store) : w->open_err);
    } else {
        if (w->failures > 0)
            cw_info("store", NULL, "writing to %s works again after %d failed attempt(s); nothing was lost",
                    w->database, w->failures);
        w->failures = 0;
        cw_store_batch_free(w->inflight);
        w->inflight = NULL;
        assert(w->inflight_seq > w->committed_seq); /* batches commit in order */
        w->committed_seq = w->inflight_seq;
    }
    if (w->p.written)
        w->p.written(w->p.ud, w->inflight_rc);
    if (!w->inflight)
        for (int i = 0; i < w->n_listeners; i++)
            w->listeners[i].cb(w->listeners[i].ud, w->committed_seq);
    if (w->closing)
        finish(w);
    else if (w->again && !w->inflight) {
        w->again = 0;
        uv_timer_start(&w->timer, on_tick, 0, (uint64_t)w->p.interval_ms);
    }
}

void cw_writer_flush_soon(struct cw_writer *w)
{
    ON_LOOP(w);
    if (w->closing)
        return;
    if (w->inflight)
        w->again = 1;
    else
        uv_timer_start(&w->timer, on_tick, 0, (uint64_t)w->p.interval_ms);
}

static void on_tick(uv_timer_t *t)
{
    struct cw_writer *w = t->data;
    if (w->closing)
        return;
    if (!w->busy && database_gone(w)) {
        /* Writing on would go into an unlinked file and vanish at exit. */
        if (w->p.gone)
            w->p.gone(w->p.ud);
        return;
    }
    int64_t now = cw_wall_us();
    if (w->p.tick)
        w->p.tick(w->p.ud, now);
    /* One flush at a time: a retry still waiting in SQLite's busy timeout
     * must not be queued again (the work item and the connection are one). */
    if (w->busy || w->closing)
        return;
    if (w->inflight) {
        if (w->inflight_rc < 0) { /* retry a failed batch first */
            w->busy = 1;
            uv_queue_work(w->p.loop, &w->work, flush_work, flush_done);
        }
        return;
    }
    /* Every batch carries the heartbeat: after a crash, spans end at the
     * last heartbeat, which is then never earlier than any change that was
     * recorded. */
    struct cw_store_batch *next = cw_store_batch_new();
    if (!next) {
        /* Out of memory: the changes stay in this batch, the next tick
         * tries again (no abort: the watching goes on). */
        cw_error("store", NULL, "out of memory starting a new batch; retrying at the next tick");
        return;
    }
    if (w->p.before)
        w->p.before(w->p.ud, w->pending, now);
    cw_store_batch_heartbeat(w->pending, w->run_id, now);
    w->inflight = w->pending;
    w->inflight_seq = w->batch_seq++;
    w->pending = next;
    w->busy = 1;
    uv_queue_work(w->p.loop, &w->work, flush_work, flush_done);
}

static void on_timer_closed(uv_handle_t *h)
{
    struct cw_writer *w = h->data;
    if (w->closed)
        w->closed(w->closed_ud, w->close_rc);
}

/* Runs once no flush is in flight, on the loop (the thread pool may be
 * gone): writes what is left and closes the run (every open span ends). */
static void finish(struct cw_writer *w)
{
    int64_t now = cw_wall_us();
    w->close_rc = 0;
    if (!w->store && cw_store_open(w->database, 0, &w->store) == 0 && w->run_pending &&
        cw_store_begin_run(w->store, now, (int)getpid(), &w->run_id) == 0)
        w->run_pending = 0;
    if (!w->store || w->run_pending) {
        cw_error("store", NULL, "the database %s never took a write: this run's history is lost", w->database);
        w->close_rc = CW_ESTORE;
    } else {
        if (w->inflight) { /* a failed batch: one last try */
            if (cw_store_apply(w->store, w->inflight) < 0)
                cw_error("store", NULL, "could not write the last changes: %s", cw_store_errmsg(w->store));
            cw_store_batch_free(w->inflight);
            w->inflight = NULL;
        }
        if (cw_store_apply(w->store, w->pending) < 0)
            cw_error("store", NULL, "could not write the last changes: %s", cw_store_errmsg(w->store));
        if (cw_store_end_run(w->store, w->run_id, now) < 0) {
            cw_error("store", NULL, "could not record the clean stop");
            w->close_rc = CW_ESTORE;
        }
    }
    if (!uv_is_closing((uv_handle_t *)&w->timer))
        uv_close((uv_handle_t *)&w->timer, on_timer_closed);
}

void cw_writer_close(struct cw_writer *w, void (*done)(void *ud, int rc), void *ud)
{
    ON_LOOP(w);
    w->closed = done;
    w->closed_ud = ud;
    if (w->closing)
        return;
    w->closing = 1;
    uv_timer_stop(&w->timer);
    if (!w->busy)
        finish(w);
    /* else flush_done finishes it */
}

void cw_writer_free(struct cw_writer *w)
{
    if (!w)
        return;
    cw_store_batch_free(w->pending);
    cw_store_batch_free(w->inflight);
    cw_store_close(w->store);
    free(w->database);
    free(w);
}
