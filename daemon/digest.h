/* Per camera and month, the figures a commune and its province check each
 * other by (issue #25): seconds online, down by cause, stalled,
 * unmonitored and in maintenance, and the outages, as the report counts
 * them. The edge writes them into its digests table (shipped like any
 * row); `camwatch upstream check` makes the same figures from the
 * province's copy with this same code and compares. Months are UTC
 * months, so that an edge and a province in different zones agree on
 * them. Pure over a store: no network. */
#ifndef CW_DIGEST_H
#define CW_DIGEST_H
#include <stddef.h>
#include <stdint.h>

#include "names.h"
#include "store.h"

/* "2026-11": the UTC month holding us. */
void cw_digest_month_of(int64_t us, char month[8]);
/* The month's bounds [from, to) in UTC; -1 for a malformed month. */
int cw_digest_month_bounds(const char *month, int64_t *from_us, int64_t *to_us);

/* Each camera's figures (compact JSON, keys sorted) for month, counting
 * up to upto_us (open spans end there), for the cameras where lets
 * through (NULL: all) that have any history in it. 0 or negative. */
int cw_digest_read(struct cw_store *st, const char *month, int64_t upto_us, const struct cw_names_filter *where,
                   void (*cb)(void *ud, const char *camera, const char *figures), void *ud);

/* The edge's digests, up to upto_us, into its digests table (a row only
 * where its figures changed): of the month holding now_us and the one
 * before, or (all) of every month from its oldest span's. *written: how
 * many rows changed. 0 or negative. */
int cw_digest_update(struct cw_store *st, int64_t now_us, int64_t upto_us, int all, int *written);

#endif
