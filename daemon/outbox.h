/* Alerts that arrive and are never lost: the outbox and delivery.
 *
 * The policy (alert_policy.h) decides; the outbox makes each decided alert
 * a row (the alert and one delivery per target it is routed to: kinds,
 * sites, communes, districts, schedule; quiet hours hold it for a digest)
 * in the writer's batch, and sends it only once that batch is committed,
 * with an Idempotency-Key and exponential backoff until the target
 * answered 2xx (or 24 h passed). Alertmanager targets get firing alerts
 * posted again every repost_interval until they resolve. A delivery
 * later than late_after says so first. Pending deliveries are reloaded at
 * start, so a restart or a crash loses nothing that was committed.
 *
 * It knows no daemon, camera or clock: rows go through a sink (the
 * writer), requests through a send function (httpc), time comes with each
 * call; a test gives it fakes of all three. Loop thread only. */
#ifndef CW_OUTBOX_H
#define CW_OUTBOX_H
#include <stdint.h>

#include "alert_policy.h"
#include "config.h"
#include "httpc.h"
#include "store.h"

/* Where rows go (the writer, narrowly). */
struct cw_outbox_sink {
    struct cw_store_batch *(*batch)(void *ud); /* the batch being built */
    uint64_t (*seq)(void *ud);                 /* its number */
    void (*commit_soon)(void *ud);             /* a row must be on disk before it is sent: commit now */
    void *ud;
};

struct cw_outbox_params {
    const struct cw_alerts_config *cfg; /* borrowed (cw_outbox_reconfigure) */
    const char *listen;                 /* camwatchd's API address (Alertmanager's generatorURL), or "" */
    struct cw_outbox_sink sink;
    /* Sends one request; done is called later, on the loop. 0 or < 0 (then
     * done is never called). */
    int (*send)(void *ud, const struct cw_httpc_req *q, cw_httpc_cb done, void *done_ud);
    void *send_ud;
    /* The time when an answer comes (cw_wall_us if NULL; a test's clock). */
    int64_t (*clock)(void);
};

struct cw_outbox;

int cw_outbox_create(const struct cw_outbox_params *p, struct cw_outbox **out);
/* Frees it; in-flight requests must be abandoned first (their rows stay
 * pending: the next start sends them again, same Idempotency-Key). */
void cw_outbox_free(struct cw_outbox *o);
void cw_outbox_reconfigure(struct cw_outbox *o, const struct cw_alerts_config *cfg, const char *listen);
/* The deliveries still pending in the store (at start). 0 or < 0. */
int cw_outbox_restore(struct cw_outbox *o, struct cw_store *st);

/* An alert decided (the policy's raise callback): stored, routed,
 * committed soon. 1 when raised. */
int cw_outbox_raise(struct cw_outbox *o, const struct cw_alert_out *a);
/* Batches up to `committed` are on disk: what they hold may go. */
void cw_outbox_committed(struct cw_outbox *o, uint64_t committed, int64_t now);
/* Retries, quiet-hours digests, Alertmanager reposts, what is due. */
void cw_outbox_tick(struct cw_outbox *o, int64_t now);

/* Deliveries not yet done; per target (i from 0 while it returns 1) those
 * delivered since start. */
int64_t cw_outbox_pending(const struct cw_outbox *o);
int cw_outbox_delivered(const struct cw_outbox *o, int i, const char **target, int64_t *count);

#endif
