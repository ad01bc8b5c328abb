/* The web console's server side: sessions (log in, who am I, log out) and
 * the actions people take (acknowledge a down camera, declare and end
 * maintenance), each written to the database with who, when and from
 * where, plus the lists the pages read (acknowledgements, maintenance,
 * the audit list, a camera's spans).
 *
 * Runs on the HTTP server's thread (http.c routes here). Actions go to the
 * database on a connection of its own, as `camwatch ack` and `camwatch
 * maintenance` do: camwatchd reads them with its next flush, so nothing
 * here touches the loop. */
#ifndef CW_CONSOLE_H
#define CW_CONSOLE_H
#include <microhttpd.h>
#include <stddef.h>
#include <stdint.h>

#include "auth.h"
#include "config.h"
#include "live.h"
#include "store.h"

/* One request as http.c saw it. */
struct cw_api_req {
    struct MHD_Connection *c;
    const char *method, *url;
    const char *body; /* NUL-terminated; "" when none */
    size_t body_len;
    int body_too_big;
    const char *cookie;                /* the session cookie's value, or NULL */
    const struct cw_session *session;  /* the live session it names, or NULL */
    int bearer;                        /* the configured bearer token was given */
    char addr[64];                     /* the client's address */
    int64_t now;
};

struct cw_console_params {
    struct cw_auth *auth; /* borrowed */
    const char *database;
    struct cw_live_box *live;
    int secure_cookies;
    int64_t session_max_us;
    const char *timezone; /* the config's: the page shows times in it */
    const struct cw_report_rules *rules; /* the report's (copied) */
    const char *snapshot_root;           /* state_dir/snapshots: a person's request reads and erases there */
    int lang_vi;                         /* the deployment's language: a person's archive is in it */
};

struct cw_console;
int cw_console_create(const struct cw_console_params *p, struct cw_console **out);
void cw_console_free(struct cw_console *x);

/* A picture (an event's snapshot, a camera's latest, its thumbnail) was
 * served: who (the session's user, "token", or "anonymous" on an open
 * API), action ("view_snapshot", "view_thumbnail"), camera and detail go
 * to the audit list (Personal Data Protection Law: who looked at whom). A
 * thumbnail seen again by the same one within 10 minutes is one view. */
void cw_console_picture_viewed(struct cw_console *x, const struct cw_api_req *r, const char *action,
                               const char *camera, const char *detail);

/* The console's resources, routed by http.c's table (which has checked
 * the method and who may: an action's session, role, CSRF token and
 * origin by cw_console_may_act). */
enum MHD_Result cw_console_session(struct cw_console *x, const struct cw_api_req *r);
enum MHD_Result cw_console_login(struct cw_console *x, const struct cw_api_req *r);
enum MHD_Result cw_console_logout(struct cw_console *x, const struct cw_api_req *r);
enum MHD_Result cw_console_acks(struct cw_console *x, const struct cw_api_req *r);
enum MHD_Result cw_console_ack(struct cw_console *x, const struct cw_api_req *r, const char *camera);
enum MHD_Result cw_console_spans(struct cw_console *x, const struct cw_api_req *r, const char *camera);
enum MHD_Result cw_console_maintenance(struct cw_console *x, const struct cw_api_req *r);
enum MHD_Result cw_console_maintenance_add(struct cw_console *x, const struct cw_api_req *r);
enum MHD_Result cw_console_maintenance_end(struct cw_console *x, const struct cw_api_req *r, const char *id);
enum MHD_Result cw_console_audit(struct cw_console *x, const struct cw_api_req *r);
enum MHD_Result cw_console_alerts(struct cw_console *x, const struct cw_api_req *r);
enum MHD_Result cw_console_report_page(struct cw_console *x, const struct cw_api_req *r);

/* Whether r may act with a role of at least `need`: a user session (the
 * bearer token only reads), from this site, with its CSRF token. 1, or 0
 * with the refusal sent in *ret. */
/* A person's request (admin): POST /api/v1/privacy/export answers the
 * archive (application/zip), POST /api/v1/privacy/erase erases; both
 * audited (privacy.c). */
/* POST /api/v1/session/password {"current", "new"}: the session's user
 * changes their own password (an initial one must be changed first). */
enum MHD_Result cw_console_password(struct cw_console *x, const struct cw_api_req *r);
enum MHD_Result cw_console_privacy(struct cw_console *x, const struct cw_api_req *r, int erase);
int cw_console_may_act(const struct cw_api_req *r, enum cw_role need, enum MHD_Result *ret);

#define CW_SESSION_COOKIE "cw_session"

/* GET /api/v1/report (console_report.c). */
enum MHD_Result cw_console_report(const struct cw_api_req *r, struct cw_store **ro, const char *database,
                                  const struct cw_report_rules *rules);

#endif
