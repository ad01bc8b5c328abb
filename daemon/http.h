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
    const char *tls_cert, *tls_key; /* PEM files: serve HTTPS; NULL or "": plain HTTP */
    const char *snapshot_root;      /* a person's request (the console's privacy actions) */
    const char *passwords_path;     /* passwords users changed themselves (auth.h) */
    int lang_vi;
};

int cw_http_start(const struct cw_http_params *p, struct cw_http **out);
/* A reload's TLS files (read again even under the same names: a renewed
 * certificate): the server restarts on its address with its users and
 * sessions. 0, or negative with the server off (logged). Loop thread. */
int cw_http_reload_tls(struct cw_http *h, const char *cert, const char *key);
/* A reload's users (copied), taken by the server's thread at its next
 * request; 0 or CW_ENOMEM. From any thread. */
int cw_http_set_users(struct cw_http *h, const struct cw_auth_user *users, int n);

/* Who may use a route: anybody, whoever may read (the bearer token, a
 * session, or anybody on an open API), or a logged-in user of at least
 * that role acting from the console (session, CSRF token, same site). */
enum cw_route_who { CW_WHO_ANYONE, CW_WHO_READER, CW_WHO_VIEWER, CW_WHO_TECHNICIAN, CW_WHO_ADMIN };
/* The route table, for its check against the OpenAPI document: route i's
 * methods ("GET, HEAD"), path template and who may; 0 past the end. */
int cw_http_route_info(int i, const char **methods, const char **path, enum cw_route_who *who);
void cw_http_stop(struct cw_http *h);

#endif
