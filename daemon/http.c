/* HTTP API and metrics (see http.h). Requests are served one at a time on
 * libmicrohttpd's polling thread, which also owns the read-only store
 * connection used for events. */
#include "http.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <jansson.h>
#include <math.h>
#include <microhttpd.h>
#include <errno.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
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
    /* users from a reload, handed from the loop to the server's thread,
     * which takes them at its next request (auth.c has no lock) */
    pthread_mutex_t mu;
    struct cw_auth_user *pending;
    int n_pending, has_pending;
    /* where and how it listens, to start again with new TLS files */
    struct sockaddr_storage sa;
    unsigned mhd_flags;
    uint16_t port;
    char *tls_cert, *tls_key; /* PEM in memory while it serves HTTPS; NULL: plain HTTP */
    /* the header deadline: every connection waiting for a request's
     * headers, watched by the sweeper thread */
    pthread_mutex_t wmu;
    pthread_cond_t wcv;
    struct watch *watched;
    pthread_t sweeper;
    int sweeping, stop_sweep;
};

/* ---- the header deadline ----
 * MHD's own timeout is an idle one: a client that trickles a byte of a
 * header that never ends every few seconds keeps its slot for ever, and 8
 * such (the per-address limit) shut that address's users out. So a
 * request's headers must be complete within HEADER_DEADLINE_US of the
 * connection's start, or of the previous request's end, whatever arrives
 * meanwhile; the sweeper shuts the socket down, and MHD, reading its end,
 * closes the connection. */
#define HEADER_DEADLINE_US (5 * 1000000LL)

struct watch {
    int fd;
    int waiting; /* for a request's headers */
    int64_t since_us;
    struct watch *prev, *next;
};

static void on_connection(void *cls, struct MHD_Connection *c, void **socket_context,
                          enum MHD_ConnectionNotificationCode code)
{
    struct cw_http *h = cls;
    struct watch *w = *socket_context;
    if (code == MHD_CONNECTION_NOTIFY_STARTED) {
        const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
        if (!ci || !(w = calloc(1, sizeof *w)))
            return;
        w->fd = ci->connect_fd;
        w->waiting = 1;
        w->since_us = cw_mono_us();
        pthread_mutex_lock(&h->wmu);
        w->next = h->watched;
        if (h->watched)
            h->watched->prev = w;
        h->watched = w;
        pthread_mutex_unlock(&h->wmu);
        *socket_context = w;
    } else if (code == MHD_CONNECTION_NOTIFY_CLOSED && w) {
        /* before MHD closes the descriptor: the sweeper, under the same
         * lock, never shuts down a number reused by another connection */
        pthread_mutex_lock(&h->wmu);
        if (w->prev)
            w->prev->next = w->next;
        else
            h->watched = w->next;
        if (w->next)
            w->next->prev = w->prev;
        pthread_mutex_unlock(&h->wmu);
        free(w);
        *socket_context = NULL;
    }
}

/* A connection's request headers are in (waiting 0), or its request is
 * over and the next one's clock starts (waiting 1). */
static void headers_wait(struct cw_http *h, struct MHD_Connection *c, int waiting)
{
    const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    struct watch *w = ci ? ci->socket_context : NULL;
    if (!w)
        return;
    pthread_mutex_lock(&h->wmu);
    w->waiting = waiting;
    w->since_us = cw_mono_us();
    pthread_mutex_unlock(&h->wmu);
}

static void *sweep(void *arg)
{
    struct cw_http *h = arg;
    pthread_mutex_lock(&h->wmu);
    while (!h->stop_sweep) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_nsec += 500000000;
        if (ts.tv_nsec >= 1000000000) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000;
        }
        pthread_cond_timedwait(&h->wcv, &h->wmu, &ts);
        int64_t now = cw_mono_us();
        for (struct watch *w = h->watched; w; w = w->next)
            if (w->waiting && now - w->since_us > HEADER_DEADLINE_US) {
                shutdown(w->fd, SHUT_RDWR);
                w->waiting = 0;
            }
    }
    pthread_mutex_unlock(&h->wmu);
    return NULL;
}

int cw_http_set_users(struct cw_http *h, const struct cw_auth_user *users, int n)
{
    struct cw_auth_user *u = cw_auth_users_copy(users, n);
    if (!u)
        return CW_ENOMEM;
    pthread_mutex_lock(&h->mu);
    cw_auth_users_free(h->pending, h->n_pending);
    h->pending = u;
    h->n_pending = n;
    h->has_pending = 1;
    pthread_mutex_unlock(&h->mu);
    return 0;
}

/* On the server's thread: the users a reload handed over, if any. */
static void take_users(struct cw_http *h)
{
    pthread_mutex_lock(&h->mu);
    struct cw_auth_user *u = h->has_pending ? h->pending : NULL;
    int n = h->n_pending, had = h->has_pending, ended = 0;
    h->pending = NULL;
    h->n_pending = h->has_pending = 0;
    pthread_mutex_unlock(&h->mu);
    if (!had)
        return;
    if (cw_auth_set_users(h->auth, u, n, &ended) < 0)
        cw_error("http", NULL, "reload: out of memory; the console keeps its users");
    else
        cw_info("http", NULL, "the console's users reloaded: %d user(s); %d session(s) ended (user gone, or its role "
                              "or password changed)", n, ended);
    cw_auth_users_free(u, n);
}

static json_t *camera_json(const struct cw_live_camera *cam)
{
    char ts[40];
    json_t *img = json_array();
    for (int i = 0; i < CW_N_CONDITIONS; i++)
        if (cam->health & (1u << i))
            json_array_append_new(img, json_string(cw_condition_key(i)));
    const struct cw_stats_row *s = &cam->stats;
    const struct cw_names *n = &cam->names;
    json_t *j = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:o, s:b, s:s, s:b}", "id", cam->id, "url", cam->url,
                          "state", cam->state, "cause", cam->cause, "detail", cam->detail, "since",
                          cw_fmt_utc(cam->since_us, ts, sizeof ts), "since_us", (json_int_t)cam->since_us, "image",
                          img, "image_checked", cam->image_checked, "decode_mode", cam->decode_mode, "maintenance",
                          cam->maintenance);
    cw_names_json(j, n);
    json_t *warns = json_array();
    for (int k = 0; cam->has_inventory && k < CW_INV_N_WARNINGS; k++)
        if (cam->inventory.warnings & (1u << k))
            json_array_append_new(warns, json_string(cw_inv_warning_name(k)));
    json_object_set_new(j, "security_warnings", warns);
    json_object_set_new(j, "site_notice", cam->notice_where[0] ? json_pack("{s:s, s:s}", "where", cam->notice_where,
                                                                           "since", cam->notice_since)
                                                               : json_null());
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

/* *served: 1 if the picture was sent (200), for the audit list. */
static enum MHD_Result serve_snapshot(struct MHD_Connection *c, const char *path, int *served)
{
    *served = 0;
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
    *served = ret == MHD_YES;
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
    char tx[40];
    json_array_append_new(x->arr, json_pack("{s:I, s:s, s:s, s:s, s:I, s:s, s:I, s:f, s:f, s:o, s:b, s:o}", "id",
                                            (json_int_t)e->id, "camera", e->camera, "kind", e->kind, "start",
                                            cw_fmt_utc(e->start_us, ts, sizeof ts), "start_us",
                                            (json_int_t)e->start_us, "end", cw_fmt_utc(e->end_us, te, sizeof te),
                                            "end_us", (json_int_t)e->end_us, "duration_s",
                                            (e->end_us - e->start_us) / 1e6, "peak_score", e->peak, "regions",
                                            reg ? reg : json_array(), "has_snapshot", e->snapshot[0] != 0,
                                            "erased", e->erased_us ? json_string(cw_fmt_utc(e->erased_us, tx, sizeof tx))
                                                                   : json_null()));
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
    (void)t;
    headers_wait(cls, c, 1);
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

/* ---- the resources ---- */

static enum MHD_Result get_healthz(struct cw_http *h, const struct cw_api_req *r, const char *id)
{
    (void)id;
    struct cw_live *l = cw_live_acquire(h->live);
    int fresh = l && cw_wall_us() - l->built_us < 5000000;
    cw_live_release(h->live, l);
    char *body = strdup(fresh ? "ok\n" : "stale: the daemon's loop has not published for 5 s\n");
    return cw_api_send(r->c, fresh ? MHD_HTTP_OK : MHD_HTTP_SERVICE_UNAVAILABLE, "text/plain", body,
                       body ? strlen(body) : 0, NULL, NULL);
}

/* The words the console shows (states, causes, kinds) hold no data: the
 * login page may read them too. */
static enum MHD_Result get_words(struct cw_http *h, const struct cw_api_req *r, const char *id)
{
    (void)h, (void)id;
    return cw_api_json(r->c, MHD_HTTP_OK, words_json(), NULL);
}

static enum MHD_Result get_metrics(struct cw_http *h, const struct cw_api_req *r, const char *id)
{
    (void)id;
    struct cw_live *l = cw_live_acquire(h->live);
    char *m = l ? cw_live_metrics(l) : NULL;
    cw_live_release(h->live, l);
    if (!m)
        return cw_api_error(r->c, MHD_HTTP_SERVICE_UNAVAILABLE, "not ready");
    return cw_api_send(r->c, MHD_HTTP_OK, "text/plain; version=0.0.4; charset=utf-8", m, strlen(m), NULL, NULL);
}

static enum MHD_Result get_openapi(struct cw_http *h, const struct cw_api_req *r, const char *id)
{
    (void)h, (void)id;
    char *doc = strdup(cw_openapi_json);
    return doc ? cw_api_send(r->c, MHD_HTTP_OK, "application/json", doc, strlen(doc), NULL, NULL) : MHD_NO;
}

static enum MHD_Result get_events(struct cw_http *h, const struct cw_api_req *r, const char *id)
{
    (void)id;
    return serve_events(h, r->c);
}

static enum MHD_Result get_event_snapshot(struct cw_http *h, const struct cw_api_req *r, const char *id)
{
    char *end, path[600];
    long long ev = strtoll(id, &end, 10);
    if (end == id || *end || ev <= 0)
        return cw_api_error(r->c, MHD_HTTP_NOT_FOUND, "no such resource");
    if (!h->store && cw_store_open(h->database, 1, &h->store) < 0)
        return cw_api_error(r->c, MHD_HTTP_SERVICE_UNAVAILABLE, "database not readable");
    int rc = cw_store_event_snapshot(h->store, ev, path, sizeof path);
    if (rc < 0)
        return cw_api_error(r->c, MHD_HTTP_INTERNAL_SERVER_ERROR, "database error");
    /* the path comes from the database's record of the event, never from
     * the request */
    if (!rc)
        return cw_api_error(r->c, MHD_HTTP_NOT_FOUND, "no such event, or it has no snapshot");
    int served;
    enum MHD_Result ret = serve_snapshot(r->c, path, &served);
    if (served) { /* who looked at whom: the camera is the snapshot's folder */
        char camera[72] = "", detail[40];
        const char *slash = strrchr(path, '/');
        if (slash) {
            const char *start = slash;
            while (start > path && start[-1] != '/')
                start--;
            snprintf(camera, sizeof camera, "%.*s", (int)(slash - start), start);
        }
        snprintf(detail, sizeof detail, "event %lld", ev);
        cw_console_picture_viewed(h->console, r, "view_snapshot", camera, detail);
    }
    return ret;
}

static enum MHD_Result get_cameras(struct cw_http *h, const struct cw_api_req *r, const char *id)
{
    (void)id;
    return serve_cameras(h, r->c);
}

/* The camera inventory (inventory.h) as camwatchd last made it: the
 * config's facts at once, the cameras' ONVIF answers soon after start. */
static enum MHD_Result get_inventory(struct cw_http *h, const struct cw_api_req *r, const char *id)
{
    (void)id;
    struct cw_live *l = cw_live_acquire(h->live);
    json_t *arr = json_array();
    int warned = 0;
    for (int i = 0; l && i < l->n; i++) {
        const struct cw_live_camera *c = &l->cams[i];
        if (!c->has_inventory)
            continue;
        const struct cw_inventory_row *v = &c->inventory;
        json_t *w = json_array();
        for (int k = 0; k < CW_INV_N_WARNINGS; k++)
            if (v->warnings & (1u << k))
                json_array_append_new(w, json_string(cw_inv_warning_name(k)));
        warned += v->warnings != 0;
        json_array_append_new(arr, json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s?, s:s, s:o, s:s, s:s}",
                                             "camera", v->camera, "name", v->name, "site", v->site, "maker",
                                             v->maker, "model", v->model, "firmware", v->firmware, "serial",
                                             v->serial, "source", v->source, "certified",
                                             v->certified[0] ? v->certified : NULL, "certificate", v->certificate,
                                             "warnings", w, "shared_with", v->shared_with, "onvif_error",
                                             v->onvif_error));
    }
    cw_live_release(h->live, l);
    return cw_api_json(r->c, MHD_HTTP_OK, json_pack("{s:o, s:i}", "cameras", arr, "warned", warned), NULL);
}

static enum MHD_Result get_camera(struct cw_http *h, const struct cw_api_req *r, const char *id)
{
    struct cw_live *l = cw_live_acquire(h->live);
    const struct cw_live_camera *cam = find(l, id, strlen(id));
    enum MHD_Result ret = cam ? cw_api_json(r->c, MHD_HTTP_OK, camera_json(cam), NULL)
                              : cw_api_error(r->c, MHD_HTTP_NOT_FOUND, "no such camera");
    cw_live_release(h->live, l);
    return ret;
}

/* The camera's latest event snapshot or its thumbnail: a path the daemon
 * recorded, never one from the request. */
static enum MHD_Result camera_picture(struct cw_http *h, const struct cw_api_req *r, const char *id, int thumbnail)
{
    struct cw_live *l = cw_live_acquire(h->live);
    const struct cw_live_camera *cam = find(l, id, strlen(id));
    enum MHD_Result ret;
    if (!cam)
        ret = cw_api_error(r->c, MHD_HTTP_NOT_FOUND, "no such camera");
    else {
        const char *file = thumbnail ? cam->thumbnail : cam->last_snapshot;
        int served = 0;
        ret = file[0] ? serve_snapshot(r->c, file, &served) : cw_api_error(r->c, MHD_HTTP_NOT_FOUND, "no picture yet");
        if (served)
            cw_console_picture_viewed(h->console, r, thumbnail ? "view_thumbnail" : "view_snapshot", cam->id,
                                      thumbnail ? "" : "latest");
    }
    cw_live_release(h->live, l);
    return ret;
}

static enum MHD_Result get_camera_snapshot(struct cw_http *h, const struct cw_api_req *r, const char *id)
{
    return camera_picture(h, r, id, 0);
}

static enum MHD_Result get_camera_thumbnail(struct cw_http *h, const struct cw_api_req *r, const char *id)
{
    return camera_picture(h, r, id, 1);
}

static enum MHD_Result get_camera_levels(struct cw_http *h, const struct cw_api_req *r, const char *id)
{
    struct cw_live *l = cw_live_acquire(h->live);
    int known = find(l, id, strlen(id)) != NULL;
    cw_live_release(h->live, l);
    return known ? serve_levels(h, r->c, id) : cw_api_error(r->c, MHD_HTTP_NOT_FOUND, "no such camera");
}

/* the console's (console.c) */
static enum MHD_Result c_session(struct cw_http *h, const struct cw_api_req *r, const char *id)
{
    (void)id;
    return cw_console_session(h->console, r);
}
static enum MHD_Result c_login(struct cw_http *h, const struct cw_api_req *r, const char *id)
{
    (void)id;
    return cw_console_login(h->console, r);
}
static enum MHD_Result c_logout(struct cw_http *h, const struct cw_api_req *r, const char *id)
{
    (void)id;
    return cw_console_logout(h->console, r);
}
static enum MHD_Result c_acks(struct cw_http *h, const struct cw_api_req *r, const char *id)
{
    (void)id;
    return cw_console_acks(h->console, r);
}
static enum MHD_Result c_ack(struct cw_http *h, const struct cw_api_req *r, const char *id)
{
    return cw_console_ack(h->console, r, id);
}
static enum MHD_Result c_spans(struct cw_http *h, const struct cw_api_req *r, const char *id)
{
    return cw_console_spans(h->console, r, id);
}
static enum MHD_Result c_maintenance(struct cw_http *h, const struct cw_api_req *r, const char *id)
{
    (void)id;
    return cw_console_maintenance(h->console, r);
}
static enum MHD_Result c_maintenance_add(struct cw_http *h, const struct cw_api_req *r, const char *id)
{
    (void)id;
    return cw_console_maintenance_add(h->console, r);
}
static enum MHD_Result c_maintenance_end(struct cw_http *h, const struct cw_api_req *r, const char *id)
{
    return cw_console_maintenance_end(h->console, r, id);
}
static enum MHD_Result c_password(struct cw_http *h, const struct cw_api_req *r, const char *id)
{
    (void)id;
    return cw_console_password(h->console, r);
}
static enum MHD_Result c_privacy_export(struct cw_http *h, const struct cw_api_req *r, const char *id)
{
    (void)id;
    return cw_console_privacy(h->console, r, 0);
}
static enum MHD_Result c_privacy_erase(struct cw_http *h, const struct cw_api_req *r, const char *id)
{
    (void)id;
    return cw_console_privacy(h->console, r, 1);
}
static enum MHD_Result c_audit(struct cw_http *h, const struct cw_api_req *r, const char *id)
{
    (void)id;
    return cw_console_audit(h->console, r);
}
static enum MHD_Result c_alerts(struct cw_http *h, const struct cw_api_req *r, const char *id)
{
    (void)id;
    return cw_console_alerts(h->console, r);
}
static enum MHD_Result c_report(struct cw_http *h, const struct cw_api_req *r, const char *id)
{
    (void)id;
    return cw_console_report_page(h->console, r);
}

/* ---- the routes: every resource once, with who may use it ----
 * Checked against daemon/openapi.json by tests/unit/test_routes.c: every
 * route documented, every documented path and method routed. */

typedef enum MHD_Result (*route_fn)(struct cw_http *h, const struct cw_api_req *r, const char *id);

struct route {
    const char *methods; /* "GET, HEAD": also the Allow header of a 405 */
    const char *path;    /* OpenAPI's template: {id} is one path segment */
    enum cw_route_who who;
    route_fn fn;
};

static const struct route routes[] = {
    {"GET, HEAD", "/healthz", CW_WHO_ANYONE, get_healthz},
    {"GET, HEAD", "/api/v1/words", CW_WHO_ANYONE, get_words},
    {"GET, HEAD", "/api/v1/session", CW_WHO_ANYONE, c_session},
    {"POST", "/api/v1/session", CW_WHO_ANYONE, c_login},
    {"DELETE", "/api/v1/session", CW_WHO_VIEWER, c_logout},
    {"POST", "/api/v1/session/password", CW_WHO_VIEWER, c_password},
    {"GET, HEAD", "/metrics", CW_WHO_READER, get_metrics},
    {"GET, HEAD", "/api/v1/openapi.json", CW_WHO_READER, get_openapi},
    {"GET, HEAD", "/api/v1/cameras", CW_WHO_READER, get_cameras},
    {"GET, HEAD", "/api/v1/cameras/{id}", CW_WHO_READER, get_camera},
    {"GET, HEAD", "/api/v1/inventory", CW_WHO_READER, get_inventory},
    {"GET, HEAD", "/api/v1/cameras/{id}/snapshot.jpg", CW_WHO_READER, get_camera_snapshot},
    {"GET, HEAD", "/api/v1/cameras/{id}/thumbnail.jpg", CW_WHO_READER, get_camera_thumbnail},
    {"GET, HEAD", "/api/v1/cameras/{id}/levels", CW_WHO_READER, get_camera_levels},
    {"GET, HEAD", "/api/v1/cameras/{id}/spans", CW_WHO_READER, c_spans},
    {"POST", "/api/v1/cameras/{id}/ack", CW_WHO_TECHNICIAN, c_ack},
    {"GET, HEAD", "/api/v1/events", CW_WHO_READER, get_events},
    {"GET, HEAD", "/api/v1/events/{id}/snapshot.jpg", CW_WHO_READER, get_event_snapshot},
    {"GET, HEAD", "/api/v1/acks", CW_WHO_READER, c_acks},
    {"GET, HEAD", "/api/v1/maintenance", CW_WHO_READER, c_maintenance},
    {"POST", "/api/v1/maintenance", CW_WHO_TECHNICIAN, c_maintenance_add},
    {"POST", "/api/v1/maintenance/{id}/end", CW_WHO_TECHNICIAN, c_maintenance_end},
    {"GET, HEAD", "/api/v1/audit", CW_WHO_READER, c_audit},
    {"GET, HEAD", "/api/v1/alerts", CW_WHO_READER, c_alerts},
    {"GET, HEAD", "/api/v1/report", CW_WHO_READER, c_report},
    {"POST", "/api/v1/privacy/export", CW_WHO_ADMIN, c_privacy_export},
    {"POST", "/api/v1/privacy/erase", CW_WHO_ADMIN, c_privacy_erase},
};
#define N_ROUTES (int)(sizeof routes / sizeof routes[0])

int cw_http_route_info(int i, const char **methods, const char **path, enum cw_route_who *who)
{
    if (i < 0 || i >= N_ROUTES)
        return 0;
    *methods = routes[i].methods;
    *path = routes[i].path;
    *who = routes[i].who;
    return 1;
}

/* Whether url fits the template; {id} (one segment, 1 to 64 bytes) is
 * copied into id. */
static int path_match(const char *tpl, const char *url, char *id, size_t idlen)
{
    while (*tpl && *url) {
        if (!strncmp(tpl, "{id}", 4)) {
            size_t n = strcspn(url, "/");
            if (n == 0 || n > 64 || n >= idlen)
                return 0;
            memcpy(id, url, n);
            id[n] = '\0';
            url += n;
            tpl += 4;
        } else if (*tpl++ != *url++) {
            return 0;
        }
    }
    return !*tpl && !*url;
}

/* Whether method is one of "GET, HEAD". */
static int method_in(const char *methods, const char *method)
{
    size_t n = strlen(method);
    for (const char *p = methods; (p = strstr(p, method)); p += n)
        if ((p == methods || p[-1] == ' ') && (p[n] == ',' || !p[n]))
            return 1;
    return 0;
}

/* Who may read: the bearer token (scripts, Prometheus), a console session
 * (its cookie), or anybody when neither a token nor users are configured
 * (a loopback-only install). */
static int may_read(struct cw_http *h, const struct cw_api_req *r)
{
    return r->bearer || r->session || ((!h->token || !h->token[0]) && !cw_auth_has_users(h->auth));
}

static enum MHD_Result unauthorized(struct cw_http *h, const struct cw_api_req *r)
{
    return cw_api_error(r->c, MHD_HTTP_UNAUTHORIZED, cw_auth_has_users(h->auth)
                                                         ? "log in (POST /api/v1/session) or give the bearer token"
                                                         : "a bearer token is required");
}

/* The console's page, script and stylesheet hold no data: anyone may load
 * them (the data behind them needs a session). NULL if url is none. */
static const struct cw_web_asset *asset_of(const char *url)
{
    for (const struct cw_web_asset *w = cw_web_assets; w->path; w++)
        if (!strcmp(url, w->path) || (!strcmp(url, "/index.html") && !strcmp(w->path, "/")))
            return w;
    return NULL;
}

static enum MHD_Result serve_asset(struct MHD_Connection *c, const struct cw_web_asset *w)
{
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

static enum MHD_Result route(struct cw_http *h, struct cw_api_req *r)
{
    const struct route *hit = NULL;
    const char *allow = NULL;
    char id[72] = "", allowed[64] = "";
    int anyone = 1; /* every route of the path is public: a 405 needs no credentials */
    for (int i = 0; i < N_ROUTES; i++) {
        if (!path_match(routes[i].path, r->url, id, sizeof id))
            continue;
        anyone &= routes[i].who == CW_WHO_ANYONE;
        if (method_in(routes[i].methods, r->method))
            hit = &routes[i];
        /* the path's methods, for a 405's Allow */
        size_t o = strlen(allowed);
        snprintf(allowed + o, sizeof allowed - o, "%s%s", o ? ", " : "", routes[i].methods);
        allow = allowed;
    }
    const struct cw_web_asset *w = allow ? NULL : asset_of(r->url);
    if (w)
        return method_in("GET, HEAD", r->method) ? serve_asset(r->c, w) : cw_api_not_allowed(r->c, "GET, HEAD");
    if (!allow) /* no such path: say so only to whom may read */
        return may_read(h, r) ? cw_api_error(r->c, MHD_HTTP_NOT_FOUND, "no such resource") : unauthorized(h, r);
    if (!hit)
        return anyone || may_read(h, r) ? cw_api_not_allowed(r->c, allow) : unauthorized(h, r);
    /* an initial password (camwatch passwd --initial) is changed before
     * anything else is done with the session (Decision 724) */
    if (r->session && r->session->must_change && !r->bearer && hit->who != CW_WHO_ANYONE && hit->fn != c_logout &&
        hit->fn != c_password)
        return cw_api_json(r->c, MHD_HTTP_FORBIDDEN,
                           json_pack("{s:s, s:i, s:b}", "error",
                                     "change the initial password first (POST /api/v1/session/password)", "status",
                                     403, "must_change_password", 1),
                           NULL);
    enum MHD_Result ret;
    switch (hit->who) {
    case CW_WHO_ANYONE:
        break;
    case CW_WHO_READER:
        if (!may_read(h, r))
            return unauthorized(h, r);
        break;
    case CW_WHO_VIEWER:
    case CW_WHO_TECHNICIAN:
    case CW_WHO_ADMIN:
        if (!cw_console_may_act(r,
                                hit->who == CW_WHO_VIEWER       ? CW_ROLE_VIEWER
                                : hit->who == CW_WHO_TECHNICIAN ? CW_ROLE_TECHNICIAN
                                                                : CW_ROLE_ADMIN,
                                &ret))
            return ret;
        break;
    }
    return hit->fn(h, r, id);
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *c, const char *url, const char *method,
                              const char *version, const char *upload, size_t *upload_size, void **con_cls)
{
    struct cw_http *h = cls;
    (void)version;
    if (!*con_cls) { /* first call: headers only; answer on the next */
        headers_wait(h, c, 0);
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
    take_users(h);
    struct cw_api_req r = {.c = c, .method = method, .url = url, .body = cn->body, .body_len = cn->len,
                           .body_too_big = cn->too_big, .now = cw_wall_us()};
    r.bearer = bearer_ok(h, c);
    r.cookie = MHD_lookup_connection_value(c, MHD_COOKIE_KIND, CW_SESSION_COOKIE);
    r.session = r.cookie ? cw_auth_session(h->auth, r.cookie, r.now) : NULL;
    client_address(c, r.addr, sizeof r.addr);
    return route(h, &r);
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
    char msg[512];
    (void)cls;
    vsnprintf(msg, sizeof msg, fmt, ap);
    cw_debug("http", NULL, "%s", msg);
}

/* A whole file into memory (NUL-terminated), or NULL with errno. */
static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = NULL;
    size_t n = 0, cap = 0, k;
    char chunk[4096];
    while ((k = fread(chunk, 1, sizeof chunk, f)) > 0) {
        if (n + k + 1 > cap) {
            cap = (n + k + 1) * 2;
            char *t = realloc(buf, cap);
            if (!t) {
                free(buf);
                fclose(f);
                return NULL;
            }
            buf = t;
        }
        memcpy(buf + n, chunk, k);
        n += k;
    }
    fclose(f);
    if (!buf)
        buf = calloc(1, 1);
    else
        buf[n] = '\0';
    return buf;
}

static void wipe_tls(struct cw_http *h)
{
    if (h->tls_key)
        sodium_memzero(h->tls_key, strlen(h->tls_key));
    free(h->tls_key);
    free(h->tls_cert);
    h->tls_key = h->tls_cert = NULL;
}

/* Reads the certificate and key (paths "": plain HTTP). 0 or CW_EIO, the
 * file named in the log (never its content). */
static int load_tls(struct cw_http *h, const char *cert, const char *key)
{
    wipe_tls(h);
    if (!cert || !cert[0])
        return 0;
    h->tls_cert = slurp(cert);
    if (!h->tls_cert) {
        cw_error("http", NULL, "cannot read the TLS certificate %s: %s", cert, strerror(errno));
        return CW_EIO;
    }
    h->tls_key = slurp(key);
    if (!h->tls_key) {
        cw_error("http", NULL, "cannot read the TLS key %s: %s", key, strerror(errno));
        wipe_tls(h);
        return CW_EIO;
    }
    return 0;
}

/* The server proper, on h's address, with h's certificate if any. */
static int start_mhd(struct cw_http *h)
{
    unsigned flags = h->mhd_flags | (h->tls_cert ? MHD_USE_TLS : 0);
    /* Slow-header clients hold a slot until the timeout: a small share per
     * address and a large pool keep a few such addresses from taking the
     * API from everyone (a slot costs at most the 16 KiB memory limit);
     * headers beyond 16 KiB get 431: nothing legitimate sends more. */
    struct MHD_OptionItem opts[] = {
        {MHD_OPTION_SOCK_ADDR, 0, &h->sa},
        {MHD_OPTION_CONNECTION_LIMIT, 512, NULL},
        {MHD_OPTION_CONNECTION_TIMEOUT, 10, NULL},
        {MHD_OPTION_PER_IP_CONNECTION_LIMIT, 8, NULL},
        {MHD_OPTION_CONNECTION_MEMORY_LIMIT, 16384, NULL},
        {MHD_OPTION_EXTERNAL_LOGGER, (intptr_t)mhd_log, NULL},
        {MHD_OPTION_NOTIFY_COMPLETED, (intptr_t)on_completed, h},
        {MHD_OPTION_NOTIFY_CONNECTION, (intptr_t)on_connection, h},
        /* HTTPS: the certificate and key in memory (they end the list
         * when there is none) */
        {h->tls_cert ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END, 0, h->tls_cert},
        {h->tls_cert ? MHD_OPTION_HTTPS_MEM_KEY : MHD_OPTION_END, 0, h->tls_key},
        {MHD_OPTION_END, 0, NULL},
    };
    h->mhd = MHD_start_daemon(flags, h->port, NULL, NULL, handle, h, MHD_OPTION_ARRAY, opts, MHD_OPTION_END);
    return h->mhd ? 0 : CW_EIO;
}

int cw_http_start(const struct cw_http_params *p, struct cw_http **out)
{
    char host[128];
    int port;
    struct sockaddr_in sin = {.sin_family = AF_INET};
    struct sockaddr_in6 sin6 = {.sin6_family = AF_INET6};
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL | MHD_USE_ERROR_LOG;
    int loopback;

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
    struct cw_http *h = calloc(1, sizeof *h);
    if (!h)
        return CW_ENOMEM;
    if (inet_pton(AF_INET, host, &sin.sin_addr) == 1) {
        sin.sin_port = htons((uint16_t)port);
        memcpy(&h->sa, &sin, sizeof sin);
        loopback = (ntohl(sin.sin_addr.s_addr) >> 24) == 127;
    } else if (inet_pton(AF_INET6, host, &sin6.sin6_addr) == 1) {
        sin6.sin6_port = htons((uint16_t)port);
        memcpy(&h->sa, &sin6, sizeof sin6);
        flags |= MHD_USE_IPv6;
        loopback = IN6_IS_ADDR_LOOPBACK(&sin6.sin6_addr);
    } else {
        cw_error("http", NULL, "listen %s: the address must be an IP address", p->listen);
        free(h);
        return CW_EINVAL;
    }
    h->mhd_flags = flags;
    h->port = (uint16_t)port;
    h->token = strdup(p->token ? p->token : "");
    h->database = strdup(p->database);
    h->live = p->live;
    pthread_mutex_init(&h->mu, NULL);
    pthread_mutex_init(&h->wmu, NULL);
    pthread_cond_init(&h->wcv, NULL);
    struct cw_auth_params ap = {p->users, p->n_users, p->session_idle_us, p->session_max_us, p->passwords_path};
    struct cw_console_params cp = {NULL, p->database, p->live, p->secure_cookies, p->session_max_us, p->timezone,
                                   p->report_rules, p->snapshot_root, p->lang_vi};
    int rc = CW_ENOMEM;
    if (cw_auth_create(&ap, &h->auth) < 0 || (cp.auth = h->auth, cw_console_create(&cp, &h->console)) < 0)
        cw_error("http", NULL, "cannot set up the console's users and sessions");
    else if ((rc = load_tls(h, p->tls_cert, p->tls_key)) == 0 && (rc = start_mhd(h)) < 0)
        cw_error("http", NULL, "cannot listen on %s%s", p->listen, h->tls_cert ? " with TLS (is the key the "
                                                                                   "certificate's?)" : "");
    if (rc < 0) {
        cw_console_free(h->console);
        cw_auth_free(h->auth);
        wipe_tls(h);
        free(h->token);
        free(h->database);
        pthread_mutex_destroy(&h->mu);
        pthread_mutex_destroy(&h->wmu);
        pthread_cond_destroy(&h->wcv);
        free(h);
        return rc;
    }
    /* without the sweeper, slow headers are held to MHD's idle timeout only */
    h->sweeping = pthread_create(&h->sweeper, NULL, sweep, h) == 0;
    if (!h->sweeping)
        cw_warn("http", NULL, "cannot start the header deadline's thread; slow clients keep their slots longer");
    cw_info("http", NULL, "serving /metrics and /api/v1 on %s%s%s%s", p->listen, h->tls_cert ? " over HTTPS" : "",
            h->token[0] ? " (bearer token required)" : "", p->n_users ? "; console users can log in" : "");
    /* Beyond this machine without TLS: said at every start, so that nobody
     * runs it so unknowingly */
    if (!loopback && !h->tls_cert)
        cw_warn("http", NULL,
                "listening on %s, beyond this machine, without TLS: passwords, session cookies and the bearer "
                "token cross the network in clear; set http.tls_cert and http.tls_key, or listen on 127.0.0.1 "
                "behind a TLS reverse proxy%s",
                p->listen, !h->token[0] && !p->n_users ? "; with no token and no user, anyone who reaches it reads "
                                                         "every camera" : "");
    *out = h;
    return 0;
}

int cw_http_reload_tls(struct cw_http *h, const char *cert, const char *key)
{
    /* The files are read again whatever their names (a renewed certificate
     * keeps its path). New files that cannot be read leave the server as
     * it is; read, the server restarts on the same address with the same
     * users and sessions (requests under way are cut), and if it cannot
     * start with them it goes back to the files it had. */
    struct cw_http next = {0};
    if (load_tls(&next, cert, key) < 0) {
        cw_error("http", NULL, "reload: the TLS files cannot be read; still serving as before");
        return CW_EIO;
    }
    char *old_cert = h->tls_cert, *old_key = h->tls_key;
    int was_tls = old_cert != NULL, same = was_tls && next.tls_cert && strcmp(old_cert, next.tls_cert) == 0;
    if (h->mhd)
        MHD_stop_daemon(h->mhd);
    h->mhd = NULL;
    h->tls_cert = next.tls_cert, h->tls_key = next.tls_key;
    int rc = start_mhd(h);
    if (rc == 0) {
        cw_info("http", NULL, "reload: %s", h->tls_cert ? (same ? "HTTPS, the same certificate" : "HTTPS, the certificate "
                                                                                                   "read anew")
                                                        : was_tls ? "plain HTTP (TLS turned off)" : "plain HTTP");
        next.tls_cert = old_cert, next.tls_key = old_key;
        wipe_tls(&next); /* the old ones */
        return 0;
    }
    wipe_tls(h); /* the new ones, refused */
    h->tls_cert = old_cert, h->tls_key = old_key;
    rc = start_mhd(h);
    cw_error("http", NULL, "reload: cannot serve with the new TLS files (is the key the certificate's?); %s",
             rc == 0 ? "still serving with the old ones" : "and not with the old ones either: the API is off");
    return CW_EIO;
}

void cw_http_stop(struct cw_http *h)
{
    if (!h)
        return;
    if (h->mhd)
        MHD_stop_daemon(h->mhd); /* joins the server thread */
    if (h->sweeping) {
        pthread_mutex_lock(&h->wmu);
        h->stop_sweep = 1;
        pthread_cond_signal(&h->wcv);
        pthread_mutex_unlock(&h->wmu);
        pthread_join(h->sweeper, NULL);
    }
    pthread_mutex_destroy(&h->wmu);
    pthread_cond_destroy(&h->wcv);
    cw_store_close(h->store);
    cw_console_free(h->console);
    cw_auth_free(h->auth);
    wipe_tls(h);
    cw_auth_users_free(h->pending, h->n_pending);
    pthread_mutex_destroy(&h->mu);
    memset(h->token, 0, strlen(h->token));
    free(h->token);
    free(h->database);
    free(h);
}
