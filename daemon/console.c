/* The console's sessions, actions and lists (see console.h). */
#include "console.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api.h"
#include "clock.h"
#include "error.h"
#include "log.h"
#include "maintenance.h"
#include "privacy.h"

struct cw_console {
    struct cw_auth *auth;
    char *database;
    struct cw_live_box *live;
    int secure;
    int64_t max_us;
    char timezone[64];
    struct cw_report_rules rules;
    char *snapshot_root;
    int lang_vi;
    struct cw_store *ro, *rw; /* opened on first use, on this thread */
    /* thumbnails seen lately, by whom: a page that refreshes them every
     * minute is one view per user and camera in 10 minutes, not 60 rows
     * an hour per camera */
    struct seen {
        char who[64], camera[72];
        int64_t at_us;
    } seen[256];
};

int cw_console_create(const struct cw_console_params *p, struct cw_console **out)
{
    struct cw_console *x = calloc(1, sizeof *x);
    *out = NULL;
    if (!x || !(x->database = strdup(p->database))) {
        free(x);
        return CW_ENOMEM;
    }
    x->auth = p->auth;
    x->live = p->live;
    x->secure = p->secure_cookies;
    x->max_us = p->session_max_us;
    snprintf(x->timezone, sizeof x->timezone, "%s", p->timezone ? p->timezone : "UTC");
    if (p->rules)
        x->rules = *p->rules;
    x->lang_vi = p->lang_vi;
    if (!(x->snapshot_root = strdup(p->snapshot_root ? p->snapshot_root : ""))) {
        cw_console_free(x);
        return CW_ENOMEM;
    }
    *out = x;
    return 0;
}

void cw_console_free(struct cw_console *x)
{
    if (!x)
        return;
    cw_store_close(x->ro);
    cw_store_close(x->rw);
    free(x->database);
    free(x->snapshot_root);
    free(x);
}

static struct cw_store *ro(struct cw_console *x)
{
    if (!x->ro && cw_store_open(x->database, 1, &x->ro) < 0)
        return NULL;
    return x->ro;
}

static struct cw_store *rw(struct cw_console *x)
{
    if (!x->rw && cw_store_open(x->database, 0, &x->rw) < 0)
        return NULL;
    return x->rw;
}

/* Who did what, kept in the audit table; a failure to keep it is logged
 * (the action itself has happened). */
static void audit(struct cw_console *x, const struct cw_api_req *r, const char *user, const char *action,
                  const char *target, const char *detail)
{
    struct cw_store *st = rw(x);
    struct cw_audit_row a = {0, r->now, user, action, target ? target : "", detail ? detail : "", r->addr};
    if (!st || cw_store_audit_add(st, &a) < 0)
        cw_warn("console", NULL, "could not record %s by %s in the audit list: %s", action, user,
                st ? cw_store_errmsg(st) : "database not writable");
}

void cw_console_picture_viewed(struct cw_console *x, const struct cw_api_req *r, const char *action,
                               const char *camera, const char *detail)
{
    const char *who = r->session ? r->session->user : r->bearer ? "token" : "anonymous";
    if (!strcmp(action, "view_thumbnail")) {
        const int64_t again_us = 600 * 1000000LL;
        struct seen *slot = &x->seen[0];
        for (size_t i = 0; i < sizeof x->seen / sizeof x->seen[0]; i++) {
            struct seen *s = &x->seen[i];
            if (!strcmp(s->who, who) && !strcmp(s->camera, camera)) {
                if (r->now - s->at_us < again_us)
                    return; /* the same view */
                slot = s;
                break;
            }
            if (s->at_us < slot->at_us)
                slot = s; /* else the oldest goes */
        }
        snprintf(slot->who, sizeof slot->who, "%s", who);
        snprintf(slot->camera, sizeof slot->camera, "%s", camera);
        slot->at_us = r->now;
    }
    audit(x, r, who, action, camera, detail);
}

static const char *header(const struct cw_api_req *r, const char *name)
{
    return MHD_lookup_connection_value(r->c, MHD_HEADER_KIND, name);
}

/* The request body as a JSON object, or NULL with a 400 sent. */
static json_t *body_object(const struct cw_api_req *r, enum MHD_Result *ret)
{
    json_error_t err;
    if (r->body_too_big) {
        *ret = cw_api_error(r->c, MHD_HTTP_CONTENT_TOO_LARGE, "the request body is over 8 KiB");
        return NULL;
    }
    json_t *j = r->body_len ? json_loadb(r->body, r->body_len, 0, &err) : json_object();
    if (!j || !json_is_object(j)) {
        json_decref(j);
        *ret = cw_api_error(r->c, MHD_HTTP_BAD_REQUEST, "the body must be a JSON object");
        return NULL;
    }
    return j;
}

static const char *str_field(json_t *j, const char *k)
{
    json_t *v = json_object_get(j, k);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

/* Cross-site requests are refused before anything else: the browser says
 * where a request comes from (Origin, Sec-Fetch-Site), and a form on
 * another site cannot read the CSRF token it would need anyway. */
static int cross_site(const struct cw_api_req *r)
{
    const char *site = header(r, "Sec-Fetch-Site"), *origin = header(r, "Origin"), *host = header(r, "Host");
    if (site && strcmp(site, "cross-site") == 0)
        return 1;
    if (!origin)
        return 0;
    const char *o = strstr(origin, "://");
    return !host || !o || strcmp(o + 3, host) != 0;
}

/* Whether the request may change something as someone of at least
 * `need`; if not, the refusal is sent. */
int cw_console_may_act(const struct cw_api_req *r, enum cw_role need, enum MHD_Result *ret)
{
    if (!r->session) {
        *ret = r->bearer ? cw_api_error(r->c, MHD_HTTP_FORBIDDEN,
                                        "actions need a user session (POST /api/v1/session); the bearer token reads only")
                         : cw_api_error(r->c, MHD_HTTP_UNAUTHORIZED, "log in first (POST /api/v1/session)");
        return 0;
    }
    if (cross_site(r)) {
        *ret = cw_api_error(r->c, MHD_HTTP_FORBIDDEN, "a cross-site request is refused");
        return 0;
    }
    if (!cw_auth_csrf_ok(r->session, header(r, "X-CSRF-Token"))) {
        *ret = cw_api_error(r->c, MHD_HTTP_FORBIDDEN, "missing or wrong X-CSRF-Token (GET /api/v1/session gives it)");
        return 0;
    }
    if (r->session->role < need) {
        char msg[160];
        snprintf(msg, sizeof msg, "%s may not do this: it needs a %s", cw_role_name(r->session->role),
                 cw_role_name(need));
        *ret = cw_api_error(r->c, MHD_HTTP_FORBIDDEN, msg);
        return 0;
    }
    return 1;
}

static int camera_configured(struct cw_console *x, const char *id)
{
    struct cw_live *l = cw_live_acquire(x->live);
    int found = 0;
    for (int i = 0; l && i < l->n && !found; i++)
        found = strcmp(l->cams[i].id, id) == 0;
    cw_live_release(x->live, l);
    return found;
}

/* ---- sessions ---- */

/* Who the session is, and the CSRF token the page sends back with every
 * action (the cookie itself is HttpOnly: scripts never see it). */
static json_t *session_json(const struct cw_console *x, const struct cw_session *s)
{
    char t1[40];
    return json_pack("{s:s, s:s, s:s, s:s, s:I, s:s, s:b}", "user", s->user, "role", cw_role_name(s->role), "csrf",
                     s->csrf, "expires", cw_fmt_utc(s->created_us + x->max_us, t1, sizeof t1), "expires_us",
                     (json_int_t)(s->created_us + x->max_us), "timezone", x->timezone, "must_change_password",
                     s->must_change);
}

enum MHD_Result cw_console_login(struct cw_console *x, const struct cw_api_req *r)
{
    enum MHD_Result ret;
    if (cross_site(r))
        return cw_api_error(r->c, MHD_HTTP_FORBIDDEN, "a cross-site request is refused");
    json_t *j = body_object(r, &ret);
    if (!j)
        return ret;
    const char *user = str_field(j, "user"), *pw = str_field(j, "password");
    if (!user || !pw || !user[0] || strlen(user) > 64) {
        json_decref(j);
        return cw_api_error(r->c, MHD_HTTP_BAD_REQUEST, "give {\"user\": ..., \"password\": ...}");
    }
    char id[CW_SESSION_ID_LEN + 1];
    const struct cw_session *s;
    int retry;
    int rc = cw_auth_login(x->auth, r->addr, user, pw, r->now, id, &s, &retry);
    char who[65];
    snprintf(who, sizeof who, "%s", user);
    json_decref(j); /* the password goes with it */
    if (rc == CW_LOGIN_LIMITED) {
        char ra[16];
        snprintf(ra, sizeof ra, "%d", retry);
        const struct cw_api_hdr h[] = {{"Retry-After", ra}, {NULL, NULL}};
        audit(x, r, who, "login_refused", "", "too many attempts");
        return cw_api_json(r->c, MHD_HTTP_TOO_MANY_REQUESTS,
                           json_pack("{s:s, s:i, s:i}", "error", "too many login attempts: try again later", "status",
                                     429, "retry_after_s", retry),
                           h);
    }
    if (rc != CW_LOGIN_OK) {
        audit(x, r, who, "login_failed", "", "");
        cw_info("console", NULL, "failed login for '%s' from %s", who, r->addr);
        return cw_api_error(r->c, MHD_HTTP_UNAUTHORIZED, "wrong user name or password");
    }
    char cookie[256];
    snprintf(cookie, sizeof cookie, "%s=%s; Path=/; HttpOnly; SameSite=Strict; Max-Age=%lld%s", CW_SESSION_COOKIE, id,
             (long long)(x->max_us / 1000000), x->secure ? "; Secure" : "");
    const struct cw_api_hdr h[] = {{"Set-Cookie", cookie}, {NULL, NULL}};
    audit(x, r, s->user, "login", "", cw_role_name(s->role));
    cw_info("console", NULL, "%s (%s) logged in from %s", s->user, cw_role_name(s->role), r->addr);
    ret = cw_api_json(r->c, MHD_HTTP_OK, session_json(x, s), h);
    memset(cookie, 0, sizeof cookie);
    memset(id, 0, sizeof id);
    return ret;
}

enum MHD_Result cw_console_session(struct cw_console *x, const struct cw_api_req *r)
{
    if (!r->session)
        return cw_api_error(r->c, MHD_HTTP_UNAUTHORIZED, "not logged in");
    return cw_api_json(r->c, MHD_HTTP_OK, session_json(x, r->session), NULL);
}

enum MHD_Result cw_console_logout(struct cw_console *x, const struct cw_api_req *r)
{
    char user[64];
    snprintf(user, sizeof user, "%s", r->session->user);
    cw_auth_logout(x->auth, r->cookie);
    audit(x, r, user, "logout", "", "");
    char cookie[128];
    snprintf(cookie, sizeof cookie, "%s=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0%s", CW_SESSION_COOKIE,
             x->secure ? "; Secure" : "");
    const struct cw_api_hdr h[] = {{"Set-Cookie", cookie}, {NULL, NULL}};
    return cw_api_json(r->c, MHD_HTTP_OK, json_pack("{s:s}", "user", user), h);
}

enum MHD_Result cw_console_password(struct cw_console *x, const struct cw_api_req *r)
{
    enum MHD_Result ret;
    json_t *j = body_object(r, &ret);
    if (!j)
        return ret;
    const char *cur = str_field(j, "current"), *next = str_field(j, "new");
    char msg[200];
    int rc = CW_EINVAL;
    struct cw_pw_refusal why = {"", 0, 0};
    if (!cur || !next || strlen(next) > 256)
        snprintf(msg, sizeof msg, "give {\"current\": ..., \"new\": ...}");
    else
        rc = cw_auth_change_password(x->auth, r->session, cur, next, &why, msg, sizeof msg);
    json_decref(j); /* the passwords go with it */
    if (rc < 0) {
        if (!strcmp(why.reason, "wrong_current"))
            audit(x, r, r->session->user, "login_failed", "", "password change: wrong current password");
        if (why.reason[0]) /* the reason, for the console to say in the user's language */
            return cw_api_json(r->c, MHD_HTTP_BAD_REQUEST,
                               json_pack("{s:s, s:i, s:s, s:I, s:i}", "error", msg, "status", 400, "reason", why.reason,
                                         "chars", (json_int_t)why.chars, "kinds", why.kinds),
                               NULL);
        return cw_api_error(r->c, rc == CW_EINVAL ? MHD_HTTP_BAD_REQUEST : MHD_HTTP_SERVICE_UNAVAILABLE, msg);
    }
    audit(x, r, r->session->user, "password_changed", "", "");
    cw_info("console", NULL, "%s changed their password from %s", r->session->user, r->addr);
    return cw_api_json(r->c, MHD_HTTP_OK, session_json(x, r->session), NULL);
}

/* ---- acknowledgements ---- */

struct list_ctx {
    json_t *arr;
    int n, limit;
    int64_t last_start, last_id;
};

/* The arguments of a one-page list (acknowledgements, maintenance: short
 * by nature): since= and until= over the defaults given, limit=, the
 * database. Returns the store, or NULL with the error sent in *ret. */
static struct cw_store *one_page(struct cw_console *x, const struct cw_api_req *r, const char *const *allowed,
                                 int64_t *since, int64_t *until, int *limit, enum MHD_Result *ret)
{
    char msg[300];
    const char *s = cw_api_arg(r->c, "since"), *u = cw_api_arg(r->c, "until");
    struct cw_store *st = NULL;
    if (cw_api_unknown_arg(r->c, allowed, msg, sizeof msg))
        *ret = cw_api_error(r->c, MHD_HTTP_BAD_REQUEST, msg);
    else if ((s && cw_parse_time_api(s, since) < 0) || (u && cw_parse_time_api(u, until) < 0))
        *ret = cw_api_error(r->c, MHD_HTTP_BAD_REQUEST, "since and until are Unix seconds or ISO 8601 with an offset");
    else if ((*limit = cw_api_parse_limit(cw_api_arg(r->c, "limit"), CW_API_MAX_LIMIT, CW_API_MAX_LIMIT)) < 0)
        *ret = cw_api_error(r->c, MHD_HTTP_BAD_REQUEST, "limit must be a whole number from 1 to 1000");
    else if (!(st = ro(x)))
        *ret = cw_api_error(r->c, MHD_HTTP_SERVICE_UNAVAILABLE, "database not readable");
    return st;
}

static void on_ack(void *ud, const char *camera, const char *note, const char *by, int64_t at)
{
    struct list_ctx *l = ud;
    char ts[40];
    if (l->n++ >= l->limit)
        return;
    json_array_append_new(l->arr, json_pack("{s:s, s:s, s:s, s:s, s:I}", "camera", camera, "note", note, "by", by,
                                            "at", cw_fmt_utc(at, ts, sizeof ts), "at_us", (json_int_t)at));
}

enum MHD_Result cw_console_acks(struct cw_console *x, const struct cw_api_req *r)
{
    static const char *const allowed[] = {"since", "limit", NULL};
    int64_t since = r->now - 7 * 86400 * 1000000LL, until = 0;
    int limit;
    enum MHD_Result ret;
    struct cw_store *st = one_page(x, r, allowed, &since, &until, &limit, &ret);
    if (!st)
        return ret;
    struct list_ctx l = {json_array(), 0, limit, 0, 0};
    if (cw_store_each_ack(st, since, on_ack, &l) < 0) {
        json_decref(l.arr);
        return cw_api_error(r->c, MHD_HTTP_INTERNAL_SERVER_ERROR, "database error");
    }
    /* acknowledgements are few: one page, oldest first (next stays null) */
    return cw_api_json(r->c, MHD_HTTP_OK, json_pack("{s:o, s:n, s:i}", "items", l.arr, "next", "limit", limit), NULL);
}

enum MHD_Result cw_console_ack(struct cw_console *x, const struct cw_api_req *r, const char *camera)
{
    enum MHD_Result ret;
    if (!camera_configured(x, camera))
        return cw_api_error(r->c, MHD_HTTP_NOT_FOUND, "no such camera");
    json_t *j = body_object(r, &ret);
    if (!j)
        return ret;
    const char *note = str_field(j, "note");
    char n[256];
    snprintf(n, sizeof n, "%s", note ? note : "");
    json_decref(j);
    struct cw_store *st = rw(x);
    if (!st || cw_store_ack_add(st, camera, n, r->session->user, r->now) < 0)
        return cw_api_error(r->c, MHD_HTTP_SERVICE_UNAVAILABLE, "the database cannot be written now; try again");
    audit(x, r, r->session->user, "ack", camera, n);
    cw_info("console", camera, "acknowledged by %s", r->session->user);
    char ts[40];
    return cw_api_json(r->c, MHD_HTTP_CREATED,
                       json_pack("{s:s, s:s, s:s, s:s, s:I}", "camera", camera, "note", n, "by", r->session->user, "at",
                                 cw_fmt_utc(r->now, ts, sizeof ts), "at_us", (json_int_t)r->now),
                       NULL);
}

/* ---- maintenance ---- */

static json_t *maint_json(const struct cw_maint *w, int64_t now)
{
    char t1[40], t2[40], t3[40];
    return json_pack("{s:I, s:s, s:s, s:s, s:I, s:s, s:I, s:s, s:s, s:s, s:b}", "id", (json_int_t)w->id, "scope",
                     cw_maint_scope_name(w->scope), "target", w->target, "from", cw_fmt_utc(w->from_us, t1, sizeof t1),
                     "from_us", (json_int_t)w->from_us, "to", cw_fmt_utc(w->to_us, t2, sizeof t2), "to_us",
                     (json_int_t)w->to_us, "note", w->note, "by", w->by, "created",
                     cw_fmt_utc(w->created_us, t3, sizeof t3), "active", w->from_us <= now && now < w->to_us);
}

struct maint_ctx {
    json_t *arr;
    int64_t now;
    int n, limit;
};

static void on_maint(void *ud, const struct cw_maint *w)
{
    struct maint_ctx *m = ud;
    if (m->n++ < m->limit)
        json_array_append_new(m->arr, maint_json(w, m->now));
}

enum MHD_Result cw_console_maintenance_add(struct cw_console *x, const struct cw_api_req *r)
{
    enum MHD_Result ret;
    json_t *j = body_object(r, &ret);
    if (!j)
        return ret;
    const char *scope = str_field(j, "scope"), *target = str_field(j, "target"), *from = str_field(j, "from"),
               *to = str_field(j, "to"), *note = str_field(j, "note");
    json_t *hours = json_object_get(j, "hours");
    struct cw_maint w = {0};
    const char *bad = NULL;
    int sc = scope ? cw_maint_scope_parse(scope) : -1;
    w.from_us = r->now;
    if (sc < 0)
        bad = "scope must be camera, site, commune or district";
    else if (!target || !target[0] || strlen(target) >= sizeof w.target)
        bad = "target must name the camera, site, commune or district";
    else if (from && cw_parse_time_api(from, &w.from_us) < 0)
        bad = "from must be Unix seconds or ISO 8601 with an offset";
    else if (to && cw_parse_time_api(to, &w.to_us) < 0)
        bad = "to must be Unix seconds or ISO 8601 with an offset";
    else if (!to && !(json_is_number(hours) && json_number_value(hours) > 0 && json_number_value(hours) <= 24 * 90))
        bad = "give to (a time) or hours (more than 0, at most 2160)";
    if (!bad && !to)
        w.to_us = w.from_us + (int64_t)(json_number_value(hours) * 3600e6);
    if (!bad && (w.to_us <= w.from_us || w.to_us <= r->now))
        bad = "the window must end after it begins, and in the future";
    if (bad) {
        json_decref(j);
        return cw_api_error(r->c, MHD_HTTP_BAD_REQUEST, bad);
    }
    w.scope = (enum cw_maint_scope)sc;
    snprintf(w.target, sizeof w.target, "%s", target);
    snprintf(w.note, sizeof w.note, "%s", note ? note : "");
    snprintf(w.by, sizeof w.by, "%s", r->session->user);
    w.created_us = r->now;
    json_decref(j);
    struct cw_store *st = rw(x);
    if (!st)
        return cw_api_error(r->c, MHD_HTTP_SERVICE_UNAVAILABLE, "database not writable");
    if (cw_store_hierarchy_has(st, w.scope, w.target) <= 0) {
        char msg[200];
        snprintf(msg, sizeof msg, "no %s '%.80s' is known", cw_maint_scope_name(w.scope), w.target);
        return cw_api_error(r->c, MHD_HTTP_BAD_REQUEST, msg);
    }
    if (cw_store_maintenance_add(st, &w, &w.id) < 0)
        return cw_api_error(r->c, MHD_HTTP_SERVICE_UNAVAILABLE, "the database cannot be written now; try again");
    /* what people read in the audit list: the commune's local times (the
     * daemon runs in the config's zone), never raw UTC ISO */
    char detail[400], t1[40], t2[40];
    snprintf(detail, sizeof detail, "#%lld %s – %s: %s", (long long)w.id, cw_fmt_local(w.from_us, t1, sizeof t1),
             cw_fmt_local(w.to_us, t2, sizeof t2), w.note);
    audit(x, r, w.by, "maintenance_add", w.target, detail);
    cw_info("console", NULL, "maintenance #%lld for %s %s declared by %s", (long long)w.id,
            cw_maint_scope_name(w.scope), w.target, w.by);
    return cw_api_json(r->c, MHD_HTTP_CREATED, maint_json(&w, r->now), NULL);
}

enum MHD_Result cw_console_maintenance(struct cw_console *x, const struct cw_api_req *r)
{
    static const char *const allowed[] = {"since", "until", "limit", NULL};
    /* windows overlapping [since, until): by default the last 30 days and
     * everything declared ahead */
    int64_t since = r->now - 30 * 86400 * 1000000LL, until = INT64_MAX / 2;
    int limit;
    enum MHD_Result ret;
    struct cw_store *st = one_page(x, r, allowed, &since, &until, &limit, &ret);
    if (!st)
        return ret;
    struct maint_ctx m = {json_array(), r->now, 0, limit};
    if (cw_store_each_maintenance(st, since, until, on_maint, &m) < 0) {
        json_decref(m.arr);
        return cw_api_error(r->c, MHD_HTTP_INTERNAL_SERVER_ERROR, "database error");
    }
    return cw_api_json(r->c, MHD_HTTP_OK, json_pack("{s:o, s:n, s:i}", "items", m.arr, "next", "limit", limit), NULL);
}

enum MHD_Result cw_console_maintenance_end(struct cw_console *x, const struct cw_api_req *r, const char *id_text)
{
    char *end;
    long long id = strtoll(id_text, &end, 10);
    if (end == id_text || *end || id <= 0)
        return cw_api_error(r->c, MHD_HTTP_NOT_FOUND, "no such maintenance window");
    struct cw_store *st = rw(x);
    if (!st)
        return cw_api_error(r->c, MHD_HTTP_SERVICE_UNAVAILABLE, "database not writable");
    int rc = cw_store_maintenance_end(st, id, r->now, r->session->user);
    if (rc == CW_ENOTFOUND)
        return cw_api_error(r->c, MHD_HTTP_NOT_FOUND, "no such maintenance window");
    if (rc == CW_EINVAL)
        return cw_api_error(r->c, MHD_HTTP_CONFLICT, "that window is already over");
    if (rc < 0)
        return cw_api_error(r->c, MHD_HTTP_SERVICE_UNAVAILABLE, "the database cannot be written now; try again");
    char target[24];
    snprintf(target, sizeof target, "#%lld", (long long)id);
    audit(x, r, r->session->user, "maintenance_end", target, "");
    cw_info("console", NULL, "maintenance #%lld ended by %s", (long long)id, r->session->user);
    return cw_api_json(r->c, MHD_HTTP_OK, json_pack("{s:I, s:s}", "id", (json_int_t)id, "ended_by", r->session->user),
                       NULL);
}

/* ---- the alert outbox ---- */

static void on_delivery(void *ud, const struct cw_delivery_row *d)
{
    struct list_ctx *l = ud;
    char ts[40];
    l->n++;
    json_array_append_new(l->arr, json_pack("{s:s, s:s, s:I, s:s, s:s, s:s, s:s, s:s, s:i, s:s}", "key", d->key,
                                            "created", cw_fmt_utc(d->created_us, ts, sizeof ts), "created_us",
                                            (json_int_t)d->created_us, "camera", d->camera, "kind", d->kind,
                                            "severity", d->severity, "target", d->target, "state", d->state,
                                            "attempts", d->attempts, "last_error", d->last_error));
}

/* The newest alerts' deliveries, each target's state and last error. */
enum MHD_Result cw_console_alerts(struct cw_console *x, const struct cw_api_req *r)
{
    static const char *const allowed[] = {"limit", NULL};
    int64_t since = 0, until = 0;
    int limit;
    enum MHD_Result ret;
    struct cw_store *st = one_page(x, r, allowed, &since, &until, &limit, &ret);
    if (!st)
        return ret;
    if (!cw_api_arg(r->c, "limit"))
        limit = CW_API_DEFAULT_LIMIT;
    struct list_ctx l = {json_array(), 0, limit, 0, 0};
    if (cw_store_recent_deliveries(st, limit, on_delivery, &l) < 0) {
        json_decref(l.arr);
        return cw_api_error(r->c, MHD_HTTP_INTERNAL_SERVER_ERROR, "database error");
    }
    return cw_api_json(r->c, MHD_HTTP_OK, json_pack("{s:o, s:n, s:i}", "items", l.arr, "next", "limit", limit), NULL);
}

/* ---- audit and spans: time-ordered pages ---- */

static void on_audit(void *ud, const struct cw_audit_row *a)
{
    struct list_ctx *l = ud;
    char ts[40];
    if (l->n++ >= l->limit)
        return;
    l->last_start = a->at_us;
    l->last_id = a->id;
    json_array_append_new(l->arr, json_pack("{s:I, s:s, s:I, s:s, s:s, s:s, s:s, s:s}", "id", (json_int_t)a->id, "at",
                                            cw_fmt_utc(a->at_us, ts, sizeof ts), "at_us", (json_int_t)a->at_us, "user",
                                            a->user, "action", a->action, "target", a->target, "detail", a->detail,
                                            "address", a->address));
}

enum MHD_Result cw_console_audit(struct cw_console *x, const struct cw_api_req *r)
{
    static const char *const allowed[] = {"since", "until", "limit", "cursor", NULL};
    struct cw_event_query q = CW_EVENT_QUERY_ALL;
    int limit;
    enum MHD_Result ret;
    if (cw_api_begin_page(r->c, allowed, &q, &limit, &x->ro, x->database, &ret))
        return ret;
    struct list_ctx l = {json_array(), 0, limit, 0, 0};
    if (cw_store_each_audit(x->ro, &q, on_audit, &l) < 0) {
        json_decref(l.arr);
        return cw_api_error(r->c, MHD_HTTP_INTERNAL_SERVER_ERROR, "database error");
    }
    return cw_api_send_page(r->c, l.arr, l.n, limit, l.last_start, l.last_id);
}

static void on_span(void *ud, const struct cw_span_row *s)
{
    struct list_ctx *l = ud;
    char t1[40], t2[40];
    if (l->n++ >= l->limit)
        return;
    l->last_start = s->start_us;
    l->last_id = s->id;
    json_array_append_new(l->arr, json_pack("{s:s, s:s, s:s, s:s, s:I, s:o, s:o}", "state", s->state, "cause",
                                            s->cause, "detail", s->detail, "start",
                                            cw_fmt_utc(s->start_us, t1, sizeof t1), "start_us",
                                            (json_int_t)s->start_us,
                                            "end", s->end_us < 0 ? json_null() : json_string(cw_fmt_utc(s->end_us, t2, sizeof t2)),
                                            "end_us", s->end_us < 0 ? json_null() : json_integer(s->end_us)));
}

enum MHD_Result cw_console_spans(struct cw_console *x, const struct cw_api_req *r, const char *camera)
{
    static const char *const allowed[] = {"since", "until", "limit", "cursor", NULL};
    struct cw_event_query q = CW_EVENT_QUERY_ALL;
    int limit;
    enum MHD_Result ret;
    q.since_us = r->now - 86400 * 1000000LL; /* the last 24 h unless asked */
    if (cw_api_begin_page(r->c, allowed, &q, &limit, &x->ro, x->database, &ret))
        return ret;
    if (!camera_configured(x, camera) && cw_store_hierarchy_has(x->ro, CW_MAINT_CAMERA, camera) <= 0)
        return cw_api_error(r->c, MHD_HTTP_NOT_FOUND, "no such camera");
    q.camera = camera;
    struct list_ctx l = {json_array(), 0, limit, 0, 0};
    if (cw_store_each_camera_span(x->ro, &q, on_span, &l) < 0) {
        json_decref(l.arr);
        return cw_api_error(r->c, MHD_HTTP_INTERNAL_SERVER_ERROR, "database error");
    }
    return cw_api_send_page(r->c, l.arr, l.n, limit, l.last_start, l.last_id);
}

enum MHD_Result cw_console_report_page(struct cw_console *x, const struct cw_api_req *r)
{
    return cw_console_report(r, &x->ro, x->database, &x->rules);
}

/* ---- a person's request (privacy.c) ---- */

enum MHD_Result cw_console_privacy(struct cw_console *x, const struct cw_api_req *r, int erase)
{
    enum MHD_Result ret;
    json_t *j = body_object(r, &ret);
    if (!j)
        return ret;
    const char *camera = str_field(j, "camera"), *site = str_field(j, "site"), *from = str_field(j, "from"),
               *to = str_field(j, "to");
    struct cw_privacy_req q = {NULL, NULL, 0, 0, x->snapshot_root, r->session->user, r->addr, x->lang_vi};
    const char *bad = NULL;
    if (!camera == !site || (camera && !camera[0]) || (site && !site[0]))
        bad = "give camera or site";
    else if (!from || cw_parse_time_api(from, &q.from_us) < 0 || !to || cw_parse_time_api(to, &q.to_us) < 0)
        bad = "from and to must be Unix seconds or ISO 8601 with an offset";
    else if (q.to_us <= q.from_us)
        bad = "to must be after from";
    char id[80];
    snprintf(id, sizeof id, "%s", camera ? camera : site ? site : "");
    json_decref(j);
    if (bad)
        return cw_api_error(r->c, MHD_HTTP_BAD_REQUEST, bad);
    if (camera)
        q.camera = id;
    else
        q.site = id;
    struct cw_store *st = rw(x);
    if (!st)
        return cw_api_error(r->c, MHD_HTTP_SERVICE_UNAVAILABLE, "database not writable");
    if (cw_store_hierarchy_has(st, camera ? CW_MAINT_CAMERA : CW_MAINT_SITE, id) <= 0) {
        char msg[200];
        snprintf(msg, sizeof msg, "no %s '%.80s' is known", camera ? "camera" : "site", id);
        return cw_api_error(r->c, MHD_HTTP_BAD_REQUEST, msg);
    }
    struct cw_privacy_result res;
    if (erase) {
        if (cw_privacy_erase(st, &q, r->now, &res) < 0)
            return cw_api_error(r->c, MHD_HTTP_SERVICE_UNAVAILABLE, res.err);
        return cw_api_json(r->c, MHD_HTTP_OK, json_pack("{s:i, s:i}", "events", res.events, "pictures", res.pictures),
                           NULL);
    }
    /* the archive is made beside the pictures it holds (a dot name the
     * retention does not count), read whole and removed */
    char path[1200], name[200], disp[260];
    snprintf(path, sizeof path, "%s/.export-%lld-%d.zip", x->snapshot_root, (long long)r->now, (int)getpid());
    snprintf(name, sizeof name, "yeu-cau-%s.zip", id);
    q.archive_name = name; /* the audit names what the admin saved */
    if (cw_privacy_export(st, &q, path, r->now, &res) < 0)
        return cw_api_error(r->c, MHD_HTTP_SERVICE_UNAVAILABLE, res.err);
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    long len = -1;
    if (f && fseek(f, 0, SEEK_END) == 0 && (len = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0 &&
        (buf = malloc((size_t)len + 1)) && fread(buf, 1, (size_t)len, f) != (size_t)len) {
        free(buf);
        buf = NULL;
    }
    if (f)
        fclose(f);
    unlink(path);
    if (!buf)
        return cw_api_error(r->c, MHD_HTTP_INTERNAL_SERVER_ERROR, "the archive could not be read back");
    snprintf(disp, sizeof disp, "attachment; filename=\"%s\"", name);
    const struct cw_api_hdr h[] = {{"Content-Disposition", disp}, {NULL, NULL}};
    return cw_api_send(r->c, MHD_HTTP_OK, "application/zip", buf, (size_t)len, NULL, h);
}
