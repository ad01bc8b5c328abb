/* What every JSON resource of the HTTP server shares: answers (with the
 * headers camwatch always sends), query parameters, and the list envelope
 * with its cursor. Used by http.c (read-only resources) and console.c
 * (sessions and actions), on libmicrohttpd's thread. */
#ifndef CW_API_H
#define CW_API_H
#include <jansson.h>
#include <microhttpd.h>
#include <stdint.h>

#include "store.h"

/* An extra response header; lists end with {NULL, NULL}. */
struct cw_api_hdr {
    const char *name, *value;
};

/* Takes body (malloc'd). A 405 names `allow` (NULL: "GET, HEAD"). */
enum MHD_Result cw_api_send(struct MHD_Connection *c, unsigned status, const char *type, char *body, size_t len,
                            const char *allow, const struct cw_api_hdr *hdrs);
/* Takes j. */
enum MHD_Result cw_api_json(struct MHD_Connection *c, unsigned status, json_t *j, const struct cw_api_hdr *hdrs);
/* {"error": msg, "status": status} */
enum MHD_Result cw_api_error(struct MHD_Connection *c, unsigned status, const char *msg);
/* 405 for a resource that takes only `allow`. */
enum MHD_Result cw_api_not_allowed(struct MHD_Connection *c, const char *allow);

const char *cw_api_arg(struct MHD_Connection *c, const char *key);
/* A query parameter not in allowed (NULL-terminated): 1 and a message
 * naming it and what the resource takes. */
int cw_api_unknown_arg(struct MHD_Connection *c, const char *const *allowed, char *msg, size_t len);
/* limit=: 1..max, default def; -1 if malformed. */
int cw_api_parse_limit(const char *s, int def, int max);

#define CW_API_DEFAULT_LIMIT 100
#define CW_API_MAX_LIMIT 1000

/* The start of a time-ordered list: parameters it does not take, since=,
 * until=, limit= and cursor= into q, and the read-only database (*store,
 * opened on first use). Returns 0, or 1 when an error was sent in *ret. */
int cw_api_begin_page(struct MHD_Connection *c, const char *const *allowed, struct cw_event_query *q, int *limit,
                      struct cw_store **store, const char *database, enum MHD_Result *ret);
/* The list envelope: items, the cursor of the next page (null on the last),
 * limit. n counts the rows read (limit + 1 says there is a next). */
enum MHD_Result cw_api_send_page(struct MHD_Connection *c, json_t *items, int n, int limit, int64_t last_start,
                                 int64_t last_id);

#endif
