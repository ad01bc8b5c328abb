/* The HTTP server: Prometheus /metrics and the JSON API, on libmicrohttpd's
 * own thread. It reads only the published live view (live.h) and, for
 * events, its own read-only database connection; it never touches loop
 * state. */
#ifndef CW_HTTP_H
#define CW_HTTP_H

#include "auth.h"
#include "config.h"
#include "live.h"

struct cw_http;

struct cw_http_params {
    const char *listen;   /* "127.0.0.1:9780" */
    const char *token;    /* "" or NULL: no auth */
    const char *database; /* for /api/v1/events */
    struct cw_live_box *live;
    const struct cw_auth_user *users; /* the console's (copied); none: no login */
    int n_users;
    int64_t session_idle_us, session_max_us;
    int secure_cookies;
    const char *timezone;
    const struct cw_report_rules *report_rules;
};

int cw_http_start(const struct cw_http_params *p, struct cw_http **out);
void cw_http_stop(struct cw_http *h);

#endif
