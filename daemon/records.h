/* The people's records camwatchd honours while it runs: the declared
 * maintenance windows (now or to come) and each camera's latest
 * acknowledgement. The CLI and the console write them to the database;
 * camwatchd reads them again after every write (on the thread pool, with
 * the writer's connection) and swaps the fresh lists in on the loop, so
 * a window or an acknowledgement takes effect within a second, no restart.
 * The lookups (which window covers a camera now; who took it on, when) are
 * what the alert policy and the live view are handed. */
#ifndef CW_RECORDS_H
#define CW_RECORDS_H
#include <stdint.h>

#include "maintenance.h"
#include "names.h"
#include "store.h"

struct cw_records;

int cw_records_create(struct cw_records **out);
void cw_records_free(struct cw_records *r);
/* On the thread pool (the writer's after_write): reads the records now or
 * to come into the loaded buffers. A failed read keeps the current ones. */
void cw_records_read(struct cw_records *r, struct cw_store *st, int64_t now);
/* On the loop once the read is done: the fresh lists take over. */
void cw_records_swap(struct cw_records *r);

/* The declared window covering the camera at t, or NULL. */
const struct cw_maint *cw_records_maintenance(const struct cw_records *r, const char *camera,
                                              const struct cw_names *names, int64_t t);
/* The camera's latest acknowledgement (last 30 days): 1 with when and
 * who, else 0. */
int cw_records_ack(const struct cw_records *r, const char *camera, int64_t *at_us, const char **by);

#endif
