/* HTTP API and metrics (see http.h). Requests are served one at a time on
 * libmicrohttpd's polling thread, which also owns the read-only store
 * connection used for events. */
#include "http.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <jansson.h>
#include <math.h>
#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../plugins/camwatch_plugin.h"
#include "api.h"
#include "auth.h"
#include "console.h"
#include "web.h"
#include "words.h"
#include "clock.h"
#include "config.h"
#include "error.h"
#include "log.h"
#include "store.h"

/* The OpenAPI document (daemon/openapi.json), compiled in by the build. */
extern const char cw_openapi_json[];

struct cw_http {
    struct MHD_Daemon *mhd;
    char *token, *database;
    struct cw_live_box *live;
    struct cw_store *store; /* opened on first /api/v1/events, on the server thread */
    struct cw_auth *auth;   /* users and sessions (none: token or open API only) */
    struct cw_console *console;
};

static const char *const health_names[] = {"black", "frozen", "covered", "blurred"};

static json_t *camera_json(const struct cw_live_camera *cam)
{
    char ts[40];
    json_t *img = json_array();
    for (int i = 0; i < 4; i++)
        if (cam->health & (1u << i))
            json_array_append_new(img, json_string(health_names[i]));
    const struct cw_stats_row *s = &cam->stats;
    const struct cw_names *n = &cam->names;
    json_t *j = json_pack(
        "{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:o, s:b, s:s, s:b}", "id", cam->id,
        "name", n->name, "url", cam->url, "site", n->site, "site_name", n->site_name, "commune", n->commune,
        "commune_name", n->commune_name, "province", n->province, "province_name", n->province_name, "state",
        cam->state, "cause", cam->cause, "detail", cam->detail, "since", cw_fmt_utc(cam->since_us, ts, sizeof ts),
        "since_us", (json_int_t)cam->since_us, "image", img, "image_checked", cam->image_checked, "decode_mode",
        cam->decode_mode, "maintenance", cam->maintenance);
    /* the district level is optional: null where the deployment has none */
    json_object_set_new(j, "district", n->district[0] ? json_string(n->district) : json_null());
    json_object_set_new(j, "district_name", n->district[0] ? json_string(n->district_name) : json_null());
    json_object_set_new(j, "outage_since",
                        cam->outage_since_us ? json_string(cw_fmt_utc(cam->outage_since_us, ts, sizeof ts)) : json_null());
    json_object_set_new(j, "outage_since_us", cam->outage_since_us ? json_integer(cam->outage_since_us) : json_null());
    json_object_set_new(j, "stats",
                        json_pack("{s:b, s:f, s:I, s:I, s:I, s:I, s:f, s:s, s:i, s:i, s:o}", "connected",
                                  s->connected, "fps", s->fps, "packets", (json_int_t)s->packets, "bytes",
                                  (json_int_t)s->bytes, "reconnects", (json_int_t)s->reconnects, "decoded_frames",
                                  (json_int_t)s->decoded_frames, "keyframe_interval_s", s->keyframe_interval_s,
                                  "codec", s->codec, "width", s->width, "height", s->height, "last_packet",
                                  s->last_packet_us ? json_string(cw_fmt_utc(s->last_packet_us, ts, sizeof ts))
                                                    : json_null()));
    json_object_set_new(j, "events", json_pack("{s:I, s:I, s:I}", "motion", (json_int_t)cam->events[0], "activity",
                                               (json_int_t)cam->events[1], "other", (json_int_t)cam->events[2]));
    char url[200];
    snprintf(url, sizeof url, "/api/v1/cameras/%s/snapshot.jpg", cam->id);
    json_object_set_new(j, "snapshot", cam->last_snapshot[0] ? json_string(url) : json_null());
    snprintf(url, sizeof url, "/api/v1/cameras/%s/thumbnail.jpg", cam->id);
    json_object_set_new(j, "thumbnail", cam->thumbnail[0] ? json_string(url) : json_null());
    json_object_set_new(j, "thumbnail_us", cam->thumbnail[0] && cam->thumbnail_us ? json_integer(cam->thumbnail_us)
                                                                                   : json_null());
    json_object_set_new(j, "image_since", cam->image_since_us ? json_string(cw_fmt_utc(cam->image_since_us, ts, sizeof ts))
                                                              : json_null());
    json_object_set_new(j, "image_since_us", cam->image_since_us ? json_integer(cam->image_since_us) : json_null());
    return j;
}

static json_t *words_json(void)
{
    static const char *const kinds[] = {"state", "cause", "condition", "alert", "delivery", "audit", "scope", "event"};
    int n;
    const struct cw_word *w = cw_words_all(&n);
    json_t *o = json_object();
    for (int i = 0; i < n; i++)
        json_object_set_new(o, w[i].key,
                            json_pack("{s:s, s:s, s:s, s:s?, s:s?}", "kind", kinds[w[i].kind], "vi", w[i].vi, "en",
                                      w[i].en, "fix_vi", w[i].fix_vi, "fix_en", w[i].fix_en));
    return o;
}

static const struct cw_live_camera *find(const struct cw_live *l, const char *id, size_t idlen)
{
    for (int i = 0; l && i < l->n; i++)
        if (strlen(l->cams[i].id) == idlen && memcmp(l->cams[i].id, id, idlen) == 0)
            return &l->cams[i];
    return NULL;
}

static enum MHD_Result serve_snapshot(struct MHD_Connection *c, const char *path)
{
    /* The path comes from the daemon's own record of the camera's last
     * event, never from the request: a request names only a camera id. */
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat sb;
    if (fd < 0 || fstat(fd, &sb) < 0) {
        if (fd >= 0)
            close(fd);
        return cw_api_error(c, MHD_HTTP_NOT_FOUND, "the snapshot file is gone (retention)");
    }
    struct MHD_Response *r = MHD_create_response_from_fd((uint64_t)sb.st_size, fd);
    if (!r) {
        close(fd);
        return MHD_NO;
    }
    MHD_add_response_header(r, "Content-Type", "image/jpeg");
    /* the page asks for a new picture with a new URL (?t=): the browser may
     * keep this one a minute instead of fetching it at every poll */
    MHD_add_response_header(r, "Cache-Control", "private, max-age=60");
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    enum MHD_Result ret = MHD_queue_response(c, MHD_HTTP_OK, r);
    MHD_destroy_response(r);
    return ret;
}

/* ---- events ---- */

struct ev_ctx {
    json_t *arr;
    int n, limit;
    int64_t last_start, last_id; /* the cursor after the last item sent */
};

static void on_event(void *ud, const struct cw_event_row *e)
{
    struct ev_ctx *x = ud;
    char ts[40], te[40];
    json_error_t err;
    if (x->n++ >= x->limit)
        return; /* the one past the page: only says there is a next */
    x->last_start = e->start_us;
    x->last_id = e->id;
    json_t *reg = json_loads(e->regions, 0, &err);
    json_array_append_new(x->arr, json_pack("{s:I, s:s, s:s, s:s, s:I, s:s, s:I, s:f, s:f, s:o, s:b}", "id",
                                            (json_int_t)e->id, "camera", e->camera, "kind", e->kind, "start",
                                            cw_fmt_utc(e->start_us, ts, sizeof ts), "start_us",
                                            (json_int_t)e->start_us, "end", cw_fmt_utc(e->end_us, te, sizeof te),
                                            "end_us", (json_int_t)e->end_us, "duration_s",
                                            (e->end_us - e->start_us) / 1e6, "peak_score", e->peak, "regions",
                                            reg ? reg : json_array(), "has_snapshot", e->snapshot[0] != 0));
}

static int camera_known(struct cw_http *h, const char *id)
{
    struct cw_live *l = cw_live_acquire(h->live);
    int found = find(l, id, strlen(id)) != NULL;
    cw_live_release(h->live, l);
    /* a camera removed from the config still has its history */
    return found || cw_store_hierarchy_has(h->store, CW_MAINT_CAMERA, id) > 0;
}

static enum MHD_Result serve_events(struct cw_http *h, struct MHD_Connection *c)
{
    static const char *const allowed[] = {"camera", "kind", "since", "until", "limit", "cursor", NULL};
    const char *camera = cw_api_arg(c, "camera"), *kind = cw_api_arg(c, "kind");
    struct cw_event_query q = CW_EVENT_QUERY_ALL;
    int limit;
    enum MHD_Result ret;
    char msg[300];
    if (cw_api_begin_page(c, allowed, &q, &limit, &h->store, h->database, &ret))
        return ret;
    if (camera && (!camera[0] || !camera_known(h, camera))) {
        snprintf(msg, sizeof msg, "no camera '%.80s'", camera);
        return cw_api_error(c, MHD_HTTP_BAD_REQUEST, msg);
    }
    if (kind && cw_store_event_kind_known(h->store, kind) <= 0) {
        snprintf(msg, sizeof msg, "no event of kind '%.80s' was ever recorded", kind);
        return cw_api_error(c, MHD_HTTP_BAD_REQUEST, msg);
    }
    q.camera = camera;
    q.kind = kind;
    struct ev_ctx x = {json_array(), 0, limit, 0, 0};
    if (cw_store_each_event(h->store, &q, on_event, &x) < 0) {
        json_decref(x.arr);
        return cw_api_error(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "database error");
    }
    return cw_api_send_page(c, x.arr, x.n, limit, x.last_start, x.last_id);
}

/* ---- levels: a camera's activity timeline ---- */

static void on_level(void *ud, const struct cw_level_row *r)
{
    struct ev_ctx *x = ud;
    char ts[40], te[40];
    if (x->n++ >= x->limit)
        return;
    x->last_start = r->start_us;
    x->last_id = r->id;
    json_array_append_new(x->arr, json_pack("{s:s, s:s, s:I, s:s, s:I, s:f, s:f}", "plugin", r->plugin, "start",
                                            cw_fmt_utc(r->start_us, ts, sizeof ts), "start_us",
                                            (json_int_t)r->start_us, "end", cw_fmt_utc(r->end_us, te, sizeof te),
                                            "end_us", (json_int_t)r->end_us, "mean", r->mean, "max", r->max));
}

static enum MHD_Result serve_levels(struct cw_http *h, struct MHD_Connection *c, const char *camera)
{
    static const char *const allowed[] = {"plugin", "since", "until", "limit", "cursor", NULL};
    struct cw_event_query q = CW_EVENT_QUERY_ALL;
    int limit;
    enum MHD_Result ret;
    if (cw_api_begin_page(c, allowed, &q, &limit, &h->store, h->database, &ret))
        return ret;
    q.camera = camera;
    q.kind = cw_api_arg(c, "plugin");
    struct ev_ctx x = {json_array(), 0, limit, 0, 0};
    if (cw_store_each_level(h->store, &q, on_level, &x) < 0) {
        json_decref(x.arr);
        return cw_api_error(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "database error");
    }
    return cw_api_send_page(c, x.arr, x.n, limit, x.last_start, x.last_id);
}

/* ---- cameras ---- */

#define CAMERAS_MAX_LIMIT 10000

static enum MHD_Result serve_cameras(struct cw_http *h, struct MHD_Connection *c)
{
    static const char *const allowed[] = {"province", "district", "commune", "site", "state", "limit", "cursor", NULL};
    static const char *const states[] = {"online", "offline", "stalled", "starting", "disabled", NULL};
    char msg[300];
    if (cw_api_unknown_arg(c, allowed, msg, sizeof msg))
        return cw_api_error(c, MHD_HTTP_BAD_REQUEST, msg);
    /* ?province= &district= &commune= (a former id finds its cameras too)
     * &site=: a value that names no camera is a 400, not an empty list
     * that looks like "all down". */
    struct cw_names_filter f = {cw_api_arg(c, "province"), cw_api_arg(c, "district"), cw_api_arg(c, "commune"), cw_api_arg(c, "site")};
    const char *state = cw_api_arg(c, "state"), *cursor = cw_api_arg(c, "cursor");
    int k = 0;
    while (state && states[k] && strcmp(states[k], state) != 0)
        k++;
    if (state && !states[k])
        return cw_api_error(c, MHD_HTTP_BAD_REQUEST, "state must be one of online, offline, stalled, starting, disabled");
    int limit = cw_api_parse_limit(cw_api_arg(c, "limit"), CAMERAS_MAX_LIMIT, CAMERAS_MAX_LIMIT);
    if (limit < 0)
        return cw_api_error(c, MHD_HTTP_BAD_REQUEST, "limit must be a whole number from 1 to 10000");
    struct cw_live *l = cw_live_acquire(h->live);
    json_t *arr = json_array();
    int placed = 0, n = 0;
    const char *last = NULL;
    /* the live view is ordered by id: the cursor is the last id sent */
    for (int i = 0; l && i < l->n; i++) {
        const struct cw_live_camera *cam = &l->cams[i];
        if (!cw_names_match(&cam->names, cam->formerly, &f))
            continue;
        placed++;
        if ((state && strcmp(cam->state, state) != 0) || (cursor && strcmp(cam->id, cursor) <= 0))
            continue;
        if (n++ < limit) {
            json_array_append_new(arr, camera_json(cam));
            last = cam->id;
        }
    }
    json_t *next = n > limit && last ? json_string(last) : json_null();
    cw_live_release(h->live, l);
    if (placed == 0 && cw_names_filter_set(&f)) {
        json_decref(arr);
        json_decref(next);
        return cw_api_error(c, MHD_HTTP_BAD_REQUEST, "no camera matches that province, district, commune or site");
    }
    return cw_api_json(c, MHD_HTTP_OK, json_pack("{s:o, s:o, s:i}", "items", arr, "next", next, "limit", limit), NULL);
}

/* The configured bearer token was given (compared in constant time: it
 * is a secret). */
static int bearer_ok(struct cw_http *h, struct MHD_Connection *c)
{
    if (!h->token || !h->token[0])
        return 0;
    const char *a = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
    if (!a || strncmp(a, "Bearer ", 7) != 0)
        return 0;
    const char *t = a + 7;
    size_t n = strlen(h->token), m = strlen(t);
    unsigned diff = (unsigned)(n ^ m);
    for (size_t i = 0; i < n; i++)
        diff |= (unsigned)(h->token[i] ^ (i < m ? t[i] : 0));
    return diff == 0;
}

#define BODY_MAX 8192

/* A request's body, gathered across libmicrohttpd's calls. */
struct conn {
    char body[BODY_MAX + 1];
    size_t len;
    int too_big;
};

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls, enum MHD_RequestTerminationCode t)
{
    (void)cls;
    (void)c;
    (void)t;
    free(*con_cls);
    *con_cls = NULL;
}

static void client_address(struct MHD_Connection *c, char *buf, size_t len)
{
    const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    snprintf(buf, len, "?");
    if (!ci || !ci->client_addr)
        return;
    if (ci->client_addr->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)ci->client_addr)->sin_addr, buf, (socklen_t)len);
    else if (ci->client_addr->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)ci->client_addr)->sin6_addr, buf, (socklen_t)len);
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *c, const char *url, const char *method,
                              const char *version, const char *upload, size_t *upload_size, void **con_cls)
{
    struct cw_http *h = cls;
    (void)version;
    if (!*con_cls) { /* first call: headers only; answer on the next */
        *con_cls = calloc(1, sizeof(struct conn));
        return *con_cls ? MHD_YES : MHD_NO;
    }
    struct conn *cn = *con_cls;
    if (*upload_size) {
        /* bodies (logins and actions) are small: what is over 8 KiB is refused whole */
        if (cn->len + *upload_size > BODY_MAX)
            cn->too_big = 1;
        else {
            memcpy(cn->body + cn->len, upload, *upload_size);
            cn->len += *upload_size;
        }
        *upload_size = 0;
        return MHD_YES;
    }
    cn->body[cn->len] = '\0';
    if (strcmp(url, "/healthz") == 0) {
        if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
            return cw_api_not_allowed(c, "GET, HEAD");
        struct cw_live *l = cw_live_acquire(h->live);
        int fresh = l && cw_wall_us() - l->built_us < 5000000;
        cw_live_release(h->live, l);
        char *body = strdup(fresh ? "ok\n" : "stale: the daemon's loop has not published for 5 s\n");
        return cw_api_send(c, fresh ? MHD_HTTP_OK : MHD_HTTP_SERVICE_UNAVAILABLE, "text/plain", body,
                           body ? strlen(body) : 0, NULL, NULL);
    }
    /* The console's page, script and stylesheet hold no data: anyone may
     * load them (the data behind them needs a session). */
    for (const struct cw_web_asset *w = cw_web_assets; w->path; w++) {
        if (strcmp(url, w->path) != 0 && !(strcmp(url, "/index.html") == 0 && strcmp(w->path, "/") == 0))
            continue;
        if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
            return cw_api_not_allowed(c, "GET, HEAD");
        static const struct cw_api_hdr csp[] = {
            {"Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
                                        "connect-src 'self'; frame-src 'self'; frame-ancestors 'none'; base-uri 'none'; "
                                        "form-action 'self'"},
            {"Referrer-Policy", "no-referrer"},
            {NULL, NULL}};
        char *body = malloc(w->len + 1);
        if (!body)
            return MHD_NO;
        memcpy(body, w->data, w->len);
        return cw_api_send(c, MHD_HTTP_OK, w->type, body, w->len, NULL, csp);
    }
    /* The words the console shows (states, causes, kinds) hold no data:
     * the login page may read them too. */
    if (strcmp(url, "/api/v1/words") == 0) {
        if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
            return cw_api_not_allowed(c, "GET, HEAD");
        return cw_api_json(c, MHD_HTTP_OK, words_json(), NULL);
    }
    /* Who asks: the bearer token (scripts, Prometheus), a console session
     * (its cookie), or nobody; with neither a token nor users configured
     * the API is open, as on a loopback-only install. */
    struct cw_api_req r = {.c = c, .method = method, .url = url, .body = cn->body, .body_len = cn->len,
                           .body_too_big = cn->too_big, .now = cw_wall_us()};
    r.bearer = bearer_ok(h, c);
    r.cookie = MHD_lookup_connection_value(c, MHD_COOKIE_KIND, CW_SESSION_COOKIE);
    r.session = r.cookie ? cw_auth_session(h->auth, r.cookie, r.now) : NULL;
    client_address(c, r.addr, sizeof r.addr);
    int open = (!h->token || !h->token[0]) && !cw_auth_has_users(h->auth);
    enum MHD_Result ret;
    if (strcmp(url, "/api/v1/session") == 0 && cw_console_route(h->console, &r, &ret))
        return ret; /* logging in needs no earlier credentials */
    if (!r.bearer && !r.session && !open)
        return cw_api_error(c, MHD_HTTP_UNAUTHORIZED,
                            cw_auth_has_users(h->auth) ? "log in (POST /api/v1/session) or give the bearer token"
                                                       : "a bearer token is required");
    if (cw_console_route(h->console, &r, &ret))
        return ret;
    if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
        return cw_api_error(c, MHD_HTTP_METHOD_NOT_ALLOWED, "this resource is read-only: GET or HEAD");

    if (strcmp(url, "/metrics") == 0) {
        struct cw_live *l = cw_live_acquire(h->live);
        char *m = l ? cw_live_metrics(l) : NULL;
        cw_live_release(h->live, l);
        if (!m)
            return cw_api_error(c, MHD_HTTP_SERVICE_UNAVAILABLE, "not ready");
        return cw_api_send(c, MHD_HTTP_OK, "text/plain; version=0.0.4; charset=utf-8", m, strlen(m), NULL, NULL);
    }
    if (strcmp(url, "/api/v1/events") == 0)
        return serve_events(h, c);
    static const char evp[] = "/api/v1/events/";
    if (strncmp(url, evp, sizeof evp - 1) == 0) {
        char *end;
        long long id = strtoll(url + sizeof evp - 1, &end, 10);
        char path[600];
        if (end == url + sizeof evp - 1 || strcmp(end, "/snapshot.jpg") != 0 || id <= 0)
            return cw_api_error(c, MHD_HTTP_NOT_FOUND, "no such resource");
        if (!h->store && cw_store_open(h->database, 1, &h->store) < 0)
            return cw_api_error(c, MHD_HTTP_SERVICE_UNAVAILABLE, "database not readable");
        int rc = cw_store_event_snapshot(h->store, id, path, sizeof path);
        if (rc < 0)
            return cw_api_error(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "database error");
        /* the path comes from the database's record of the event, never
         * from the request */
        return rc ? serve_snapshot(c, path) : cw_api_error(c, MHD_HTTP_NOT_FOUND, "no such event, or it has no snapshot");
    }
    if (strcmp(url, "/api/v1/cameras") == 0)
        return serve_cameras(h, c);
    if (strcmp(url, "/api/v1/openapi.json") == 0) {
        char *doc = strdup(cw_openapi_json);
        return doc ? cw_api_send(c, MHD_HTTP_OK, "application/json", doc, strlen(doc), NULL, NULL) : MHD_NO;
    }
    static const char prefix[] = "/api/v1/cameras/";
    if (strncmp(url, prefix, sizeof prefix - 1) == 0) {
        const char *id = url + sizeof prefix - 1, *slash = strchr(id, '/');
        size_t idlen = slash ? (size_t)(slash - id) : strlen(id);
        const char *rest = slash ? slash : "";
        if (idlen == 0 || idlen > 64 ||
            (rest[0] && strcmp(rest, "/snapshot.jpg") != 0 && strcmp(rest, "/levels") != 0 &&
             strcmp(rest, "/thumbnail.jpg") != 0))
            return cw_api_error(c, MHD_HTTP_NOT_FOUND, "no such resource");
        struct cw_live *l = cw_live_acquire(h->live);
        const struct cw_live_camera *cam = find(l, id, idlen);
        if (!cam)
            ret = cw_api_error(c, MHD_HTTP_NOT_FOUND, "no such camera");
        else if (strcmp(rest, "/levels") == 0) {
            char cid[72];
            snprintf(cid, sizeof cid, "%s", cam->id);
            cw_live_release(h->live, l);
            return serve_levels(h, c, cid);
        } else if (!rest[0]) {
            ret = cw_api_json(c, MHD_HTTP_OK, camera_json(cam), NULL);
        } else {
            const char *file = strcmp(rest, "/thumbnail.jpg") == 0 ? cam->thumbnail : cam->last_snapshot;
            ret = file[0] ? serve_snapshot(c, file) : cw_api_error(c, MHD_HTTP_NOT_FOUND, "no picture yet");
        }
        cw_live_release(h->live, l);
        return ret;
    }
    return cw_api_error(c, MHD_HTTP_NOT_FOUND, "no such resource");
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
    char msg[512];
    (void)cls;
    vsnprintf(msg, sizeof msg, fmt, ap);
    cw_debug("http", NULL, "%s", msg);
}

int cw_http_start(const struct cw_http_params *p, struct cw_http **out)
{
    char host[128];
    int port;
    struct sockaddr_in sin = {.sin_family = AF_INET};
    struct sockaddr_in6 sin6 = {.sin6_family = AF_INET6};
    struct sockaddr *sa;
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL | MHD_USE_ERROR_LOG;

    *out = NULL;
    if (cw_http_split_listen(p->listen, host, sizeof host, &port) < 0)
        return CW_EINVAL;
    if (strcmp(host, "localhost") == 0)
        snprintf(host, sizeof host, "127.0.0.1");
    size_t hl = strlen(host);
    if (hl > 2 && host[0] == '[' && host[hl - 1] == ']') {
        memmove(host, host + 1, hl - 2);
        host[hl - 2] = '\0';
    }
    if (inet_pton(AF_INET, host, &sin.sin_addr) == 1) {
        sin.sin_port = htons((uint16_t)port);
        sa = (struct sockaddr *)&sin;
    } else if (inet_pton(AF_INET6, host, &sin6.sin6_addr) == 1) {
        sin6.sin6_port = htons((uint16_t)port);
        sa = (struct sockaddr *)&sin6;
        flags |= MHD_USE_IPv6;
    } else {
        cw_error("http", NULL, "listen %s: the address must be an IP address", p->listen);
        return CW_EINVAL;
    }
    struct cw_http *h = calloc(1, sizeof *h);
    if (!h)
        return CW_ENOMEM;
    h->token = strdup(p->token ? p->token : "");
    h->database = strdup(p->database);
    h->live = p->live;
    struct cw_auth_params ap = {p->users, p->n_users, p->session_idle_us, p->session_max_us};
    struct cw_console_params cp = {NULL, p->database, p->live, p->secure_cookies, p->session_max_us, p->timezone,
                                   p->report_rules};
    if (cw_auth_create(&ap, &h->auth) < 0 || (cp.auth = h->auth, cw_console_create(&cp, &h->console)) < 0) {
        cw_error("http", NULL, "cannot set up the console's users and sessions");
        cw_auth_free(h->auth);
        free(h->token);
        free(h->database);
        free(h);
        return CW_ENOMEM;
    }
    h->mhd = MHD_start_daemon(flags, (uint16_t)port, NULL, NULL, handle, h, MHD_OPTION_SOCK_ADDR, sa,
                              /* Slow-header clients hold a slot until the timeout: a
                               * small share per address and a large pool keep a few
                               * such addresses from taking the API from everyone (a
                               * slot costs at most the 16 KiB memory limit). */
                              MHD_OPTION_CONNECTION_LIMIT, (unsigned)512, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)10,
                              MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)8,
                              /* headers beyond 16 KiB get 431: nothing legitimate sends more */
                              MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)16384, MHD_OPTION_EXTERNAL_LOGGER, mhd_log,
                              NULL, MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL, MHD_OPTION_END);
    if (!h->mhd) {
        cw_error("http", NULL, "cannot listen on %s", p->listen);
        cw_console_free(h->console);
        cw_auth_free(h->auth);
        free(h->token);
        free(h->database);
        free(h);
        return CW_EIO;
    }
    cw_info("http", NULL, "serving /metrics and /api/v1 on %s%s%s", p->listen,
            h->token[0] ? " (bearer token required)" : "", p->n_users ? "; console users can log in" : "");
    *out = h;
    return 0;
}

void cw_http_stop(struct cw_http *h)
{
    if (!h)
        return;
    MHD_stop_daemon(h->mhd); /* joins the server thread */
    cw_store_close(h->store);
    cw_console_free(h->console);
    cw_auth_free(h->auth);
    memset(h->token, 0, strlen(h->token));
    free(h->token);
    free(h->database);
    free(h);
}
