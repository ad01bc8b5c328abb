/* camwatchd's shipping thread: see shipper.h. */
#include "shipper.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "error.h"
#include "log.h"
#include "store.h"
#include "upstream.h"

struct cw_shipper {
    char *database, *conninfo, *password_file, *instance, *snapshot_root;
    int64_t interval_us;
    int batch;
    int64_t digests_due_us; /* the worker's own: when the digests are next refreshed (hourly) */
    pthread_t thread;
    pthread_mutex_t mu; /* guards everything below */
    pthread_cond_t cond;
    int stopping, exited, detached;
    struct cw_shipper_stats st;
};

static void free_shipper(struct cw_shipper *s)
{
    free(s->database);
    free(s->conninfo);
    free(s->password_file);
    free(s->instance);
    free(s->snapshot_root);
    pthread_mutex_destroy(&s->mu);
    pthread_cond_destroy(&s->cond);
    free(s);
}

static void round_once(struct cw_shipper *s, int *failing)
{
    struct cw_upstream_round r;
    struct cw_store *st = NULL;
    char *pw = NULL;
    int rc;
    memset(&r, 0, sizeof r);
    /* the password file is read at every round: a password changed at the
     * province is taken without a restart */
    char why[300];
    if (s->password_file && s->password_file[0] && !(pw = cw_upstream_read_password(s->password_file, why, sizeof why))) {
        snprintf(r.err, sizeof r.err, "upstream: %s", why);
        rc = CW_EIO;
    }
    else if (cw_store_open(s->database, 0, &st) < 0) {
        snprintf(r.err, sizeof r.err, "upstream: cannot open %s", s->database);
        rc = CW_ESTORE;
    } else {
        /* the digests sum a month of history: hourly is often enough for
         * the province's check, and costs one report of the month */
        int64_t t = cw_wall_us();
        struct cw_upstream_params p = {s->conninfo, pw, s->instance, s->snapshot_root, s->batch,
                                       t >= s->digests_due_us};
        rc = cw_upstream_ship(st, &p, &r);
        if (rc == 0 && p.digests)
            s->digests_due_us = t + 3600 * 1000000LL;
    }
    cw_upstream_wipe(pw);
    struct cw_sync_info in;
    int have_info = st && cw_store_sync_info(st, &in) == 0;
    cw_store_close(st);
    int64_t now = cw_wall_us();
    pthread_mutex_lock(&s->mu);
    if (have_info) {
        s->st.waiting = in.waiting;
        s->st.oldest_us = in.waiting ? in.oldest_us : 0;
    }
    s->st.rows_total += r.rows;
    s->st.batches_total += r.batches;
    s->st.gaps_total += r.gaps;
    s->st.resent_total += r.resent;
    if (r.complete_until_us > s->st.complete_until_us)
        s->st.complete_until_us = r.complete_until_us;
    if (rc == 0) {
        s->st.last_success_us = now;
        s->st.up = 1;
    } else {
        s->st.failures_total++;
        s->st.up = 0;
    }
    pthread_mutex_unlock(&s->mu);
    /* one line per streak: a province out of reach for a week does not
     * fill the log; the metrics carry the rest */
    if (rc < 0 && !*failing)
        cw_error("upstream", NULL, "%s; the cameras are watched all the same, retrying every %lld s", r.err,
                 (long long)(s->interval_us / 1000000));
    else if (rc == 0 && *failing)
        cw_info("upstream", NULL, "shipping to the province works again; %lld row(s) sent, %lld waiting",
                (long long)r.rows, have_info ? (long long)in.waiting : 0LL);
    else if (rc == 0 && (r.rows > 0 || r.gaps > 0))
        cw_debug("upstream", NULL, "%lld row(s) in %lld batch(es) acknowledged up to %lld%s", (long long)r.rows,
                 (long long)r.batches, (long long)r.acked, r.gaps ? " (the province had less: all sent again)" : "");
    if (rc == 0 && r.gaps > 0)
        cw_warn("upstream", NULL, "the province held less than it had acknowledged (restored from an older "
                                  "backup?): this commune's history was sent again");
    *failing = rc < 0;
}

static void *run(void *arg)
{
    struct cw_shipper *s = arg;
    int failing = 0;
    pthread_mutex_lock(&s->mu);
    while (!s->stopping) {
        pthread_mutex_unlock(&s->mu);
        round_once(s, &failing);
        pthread_mutex_lock(&s->mu);
        if (s->stopping)
            break;
        struct timespec until;
        clock_gettime(CLOCK_MONOTONIC, &until);
        until.tv_sec += (time_t)(s->interval_us / 1000000);
        until.tv_nsec += (long)(s->interval_us % 1000000) * 1000;
        if (until.tv_nsec >= 1000000000) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000;
        }
        while (!s->stopping && pthread_cond_timedwait(&s->cond, &s->mu, &until) != ETIMEDOUT) {
        }
    }
    s->exited = 1;
    pthread_cond_broadcast(&s->cond);
    int detached = s->detached;
    pthread_mutex_unlock(&s->mu);
    if (detached) /* the daemon stopped without it: the last one out frees */
        free_shipper(s);
    return NULL;
}

static char *dup_or_empty(const char *x) { return strdup(x ? x : ""); }

int cw_shipper_start(const struct cw_shipper_params *p, struct cw_shipper **out)
{
    struct cw_shipper *s = calloc(1, sizeof *s);
    *out = NULL;
    if (!s)
        return CW_ENOMEM;
    s->database = dup_or_empty(p->database);
    s->conninfo = dup_or_empty(p->conninfo);
    s->password_file = dup_or_empty(p->password_file);
    s->instance = dup_or_empty(p->instance);
    s->snapshot_root = p->snapshot_root ? strdup(p->snapshot_root) : NULL;
    s->interval_us = p->interval_us > 0 ? p->interval_us : 30000000;
    s->batch = p->batch;
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC); /* a clock step must not stall or rush the rounds */
    pthread_mutex_init(&s->mu, NULL);
    pthread_cond_init(&s->cond, &ca);
    pthread_condattr_destroy(&ca);
    if (!s->database || !s->conninfo || !s->password_file || !s->instance ||
        pthread_create(&s->thread, NULL, run, s) != 0) {
        free_shipper(s);
        return CW_ETHREAD;
    }
    *out = s;
    return 0;
}

void cw_shipper_stats(struct cw_shipper *s, struct cw_shipper_stats *out)
{
    pthread_mutex_lock(&s->mu);
    *out = s->st;
    pthread_mutex_unlock(&s->mu);
}

void cw_shipper_stop(struct cw_shipper *s)
{
    if (!s)
        return;
    struct timespec until;
    clock_gettime(CLOCK_MONOTONIC, &until);
    until.tv_sec += 3;
    pthread_mutex_lock(&s->mu);
    s->stopping = 1;
    pthread_cond_broadcast(&s->cond);
    while (!s->exited && pthread_cond_timedwait(&s->cond, &s->mu, &until) != ETIMEDOUT) {
    }
    if (!s->exited) {
        /* a round stuck on a dead link (libpq's timeouts end it within
         * about 30 s): the daemon stops without waiting; the thread frees
         * itself if the process lives that long */
        s->detached = 1;
        pthread_mutex_unlock(&s->mu);
        pthread_detach(s->thread);
        cw_warn("upstream", NULL, "stopping while a shipment is in progress; it is sent again at the next start");
        return;
    }
    pthread_mutex_unlock(&s->mu);
    pthread_join(s->thread, NULL);
    free_shipper(s);
}
