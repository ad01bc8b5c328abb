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
};

static enum MHD_Result send_body(struct MHD_Connection *c, unsigned status, const char *type, char *body,
                                 size_t len)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
    if (!r) {
        free(body);
        return MHD_NO;
    }
    MHD_add_response_header(r, "Content-Type", type);
    MHD_add_response_header(r, "Cache-Control", "no-store");
    if (status == MHD_HTTP_UNAUTHORIZED)
        MHD_add_response_header(r, "WWW-Authenticate", "Bearer realm=\"camwatch\"");
    if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
        MHD_add_response_header(r, "Allow", "GET, HEAD"); /* every resource is read-only */
    enum MHD_Result ret = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    return ret;
}

static enum MHD_Result send_json(struct MHD_Connection *c, unsigned status, json_t *j)
{
    char *s = json_dumps(j, JSON_INDENT(2));
    json_decref(j);
    if (!s)
        return MHD_NO;
    size_t n = strlen(s);
    return send_body(c, status, "application/json", s, n);
}

static enum MHD_Result send_error(struct MHD_Connection *c, unsigned status, const char *msg)
{
    return send_json(c, status, json_pack("{s:s, s:i}", "error", msg, "status", (int)status));
}

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
    if (cam->last_snapshot[0]) {
        char url[200];
        snprintf(url, sizeof url, "/api/v1/cameras/%s/snapshot.jpg", cam->id);
        json_object_set_new(j, "snapshot", json_string(url));
    } else {
        json_object_set_new(j, "snapshot", json_null());
    }
    return j;
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
        return send_error(c, MHD_HTTP_NOT_FOUND, "the snapshot file is gone (retention)");
    }
    struct MHD_Response *r = MHD_create_response_from_fd((uint64_t)sb.st_size, fd);
    if (!r) {
        close(fd);
        return MHD_NO;
    }
    MHD_add_response_header(r, "Content-Type", "image/jpeg");
    enum MHD_Result ret = MHD_queue_response(c, MHD_HTTP_OK, r);
    MHD_destroy_response(r);
    return ret;
}

/* ---- query parameters ---- */

struct arg_check {
    const char *const *allowed;
    char bad[80];
};

static enum MHD_Result check_arg(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
    struct arg_check *a = cls;
    (void)kind;
    (void)value;
    for (int i = 0; a->allowed[i]; i++)
        if (strcmp(a->allowed[i], key) == 0)
            return MHD_YES;
    snprintf(a->bad, sizeof a->bad, "%.60s", key);
    return MHD_NO;
}

/* A parameter an endpoint does not know is a 400 that names it: a typo
 * (?comune=) must not answer as if no filter was given. */
static int unknown_arg(struct MHD_Connection *c, const char *const *allowed, char *msg, size_t len)
{
    struct arg_check a = {allowed, ""};
    MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, check_arg, &a);
    if (!a.bad[0])
        return 0;
    size_t o = (size_t)snprintf(msg, len, "unknown parameter '%s'; this resource takes:", a.bad);
    for (int i = 0; allowed[i] && o < len; i++)
        o += (size_t)snprintf(msg + o, len - o, "%s %s", i ? "," : "", allowed[i]);
    return 1;
}

static const char *arg(struct MHD_Connection *c, const char *key)
{
    return MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, key);
}

/* limit=: 1..max, default def; -1 if malformed. */
static int parse_limit(const char *s, int def, int max)
{
    if (!s)
        return def;
    char *end;
    long v = strtol(s, &end, 10);
    return end == s || *end || v < 1 || v > max ? -1 : (int)v;
}

/* ---- events ---- */

#define EVENTS_DEFAULT_LIMIT 100
#define EVENTS_MAX_LIMIT 1000

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

/* The start of a time-ordered list (events, levels): parameters it does
 * not take, since=, until=, limit= and cursor= into q, the database.
 * Returns 0, or 1 when the answer (an error) was sent in *ret. */
static int begin_page(struct cw_http *h, struct MHD_Connection *c, const char *const *allowed,
                      struct cw_event_query *q, int *limit, enum MHD_Result *ret)
{
    const char *since = arg(c, "since"), *until = arg(c, "until"), *cursor = arg(c, "cursor"), *bad = NULL;
    char msg[300];
    if (unknown_arg(c, allowed, msg, sizeof msg))
        bad = msg;
    else if (since && cw_parse_time_api(since, &q->since_us) < 0)
        bad = "since must be Unix seconds (0 to 4102444800) or ISO 8601 with an offset, e.g. "
              "2026-11-26T08:00:00+07:00";
    else if (until && cw_parse_time_api(until, &q->until_us) < 0)
        bad = "until must be Unix seconds or ISO 8601 with an offset";
    else if ((*limit = parse_limit(arg(c, "limit"), EVENTS_DEFAULT_LIMIT, EVENTS_MAX_LIMIT)) < 0)
        bad = "limit must be a whole number from 1 to 1000";
    else if (cursor) {
        long long cs, ci;
        char tail;
        if (sscanf(cursor, "%lld.%lld%c", &cs, &ci, &tail) != 2) {
            bad = "cursor must be a 'next' value from an earlier answer";
        } else {
            q->after_start_us = cs;
            q->after_id = ci;
        }
    }
    if (bad) {
        *ret = send_error(c, MHD_HTTP_BAD_REQUEST, bad);
        return 1;
    }
    q->limit = *limit + 1; /* one more than a page: is there a next? */
    if (!h->store && cw_store_open(h->database, 1, &h->store) < 0) {
        *ret = send_error(c, MHD_HTTP_SERVICE_UNAVAILABLE, "database not readable");
        return 1;
    }
    return 0;
}

/* The list envelope: items, the cursor of the next page (or null), limit. */
static enum MHD_Result send_page(struct MHD_Connection *c, json_t *items, int n, int limit, int64_t last_start,
                                 int64_t last_id)
{
    json_t *next = json_null();
    if (n > limit) {
        char cur[64];
        snprintf(cur, sizeof cur, "%lld.%lld", (long long)last_start, (long long)last_id);
        next = json_string(cur);
    }
    return send_json(c, MHD_HTTP_OK, json_pack("{s:o, s:o, s:i}", "items", items, "next", next, "limit", limit));
}

static enum MHD_Result serve_events(struct cw_http *h, struct MHD_Connection *c)
{
    static const char *const allowed[] = {"camera", "kind", "since", "until", "limit", "cursor", NULL};
    const char *camera = arg(c, "camera"), *kind = arg(c, "kind");
    struct cw_event_query q = CW_EVENT_QUERY_ALL;
    int limit;
    enum MHD_Result ret;
    char msg[300];
    if (begin_page(h, c, allowed, &q, &limit, &ret))
        return ret;
    if (camera && (!camera[0] || !camera_known(h, camera))) {
        snprintf(msg, sizeof msg, "no camera '%.80s'", camera);
        return send_error(c, MHD_HTTP_BAD_REQUEST, msg);
    }
    if (kind && cw_store_event_kind_known(h->store, kind) <= 0) {
        snprintf(msg, sizeof msg, "no event of kind '%.80s' was ever recorded", kind);
        return send_error(c, MHD_HTTP_BAD_REQUEST, msg);
    }
    q.camera = camera;
    q.kind = kind;
    struct ev_ctx x = {json_array(), 0, limit, 0, 0};
    if (cw_store_each_event(h->store, &q, on_event, &x) < 0) {
        json_decref(x.arr);
        return send_error(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "database error");
    }
    return send_page(c, x.arr, x.n, limit, x.last_start, x.last_id);
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
    if (begin_page(h, c, allowed, &q, &limit, &ret))
        return ret;
    q.camera = camera;
    q.kind = arg(c, "plugin");
    struct ev_ctx x = {json_array(), 0, limit, 0, 0};
    if (cw_store_each_level(h->store, &q, on_level, &x) < 0) {
        json_decref(x.arr);
        return send_error(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "database error");
    }
    return send_page(c, x.arr, x.n, limit, x.last_start, x.last_id);
}

/* ---- cameras ---- */

#define CAMERAS_MAX_LIMIT 10000

static enum MHD_Result serve_cameras(struct cw_http *h, struct MHD_Connection *c)
{
    static const char *const allowed[] = {"province", "district", "commune", "site", "state", "limit", "cursor", NULL};
    static const char *const states[] = {"online", "offline", "stalled", "starting", "disabled", NULL};
    char msg[300];
    if (unknown_arg(c, allowed, msg, sizeof msg))
        return send_error(c, MHD_HTTP_BAD_REQUEST, msg);
    /* ?province= &district= &commune= (a former id finds its cameras too)
     * &site=: a value that names no camera is a 400, not an empty list
     * that looks like "all down". */
    struct cw_names_filter f = {arg(c, "province"), arg(c, "district"), arg(c, "commune"), arg(c, "site")};
    const char *state = arg(c, "state"), *cursor = arg(c, "cursor");
    int k = 0;
    while (state && states[k] && strcmp(states[k], state) != 0)
        k++;
    if (state && !states[k])
        return send_error(c, MHD_HTTP_BAD_REQUEST, "state must be one of online, offline, stalled, starting, disabled");
    int limit = parse_limit(arg(c, "limit"), CAMERAS_MAX_LIMIT, CAMERAS_MAX_LIMIT);
    if (limit < 0)
        return send_error(c, MHD_HTTP_BAD_REQUEST, "limit must be a whole number from 1 to 10000");
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
        return send_error(c, MHD_HTTP_BAD_REQUEST, "no camera matches that province, district, commune or site");
    }
    return send_json(c, MHD_HTTP_OK, json_pack("{s:o, s:o, s:i}", "items", arr, "next", next, "limit", limit));
}

static int authorized(struct cw_http *h, struct MHD_Connection *c)
{
    if (!h->token || !h->token[0])
        return 1;
    const char *a = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
    if (!a || strncmp(a, "Bearer ", 7) != 0)
        return 0;
    /* constant-time compare: the token is a secret */
    const char *t = a + 7;
    size_t n = strlen(h->token), m = strlen(t);
    unsigned diff = (unsigned)(n ^ m);
    for (size_t i = 0; i < n; i++)
        diff |= (unsigned)(h->token[i] ^ (i < m ? t[i] : 0));
    return diff == 0;
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *c, const char *url, const char *method,
                              const char *version, const char *upload, size_t *upload_size, void **con_cls)
{
    struct cw_http *h = cls;
    (void)version;
    (void)upload;
    if (!*con_cls) { /* first call: headers only; answer on the next */
        *con_cls = h;
        return MHD_YES;
    }
    if (*upload_size) {
        *upload_size = 0; /* no endpoint takes a body */
        return MHD_YES;
    }
    if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
        return send_error(c, MHD_HTTP_METHOD_NOT_ALLOWED, "this resource is read-only: GET or HEAD");
    if (strcmp(url, "/healthz") == 0) {
        struct cw_live *l = cw_live_acquire(h->live);
        int fresh = l && cw_wall_us() - l->built_us < 5000000;
        cw_live_release(h->live, l);
        char *body = strdup(fresh ? "ok\n" : "stale: the daemon's loop has not published for 5 s\n");
        return send_body(c, fresh ? MHD_HTTP_OK : MHD_HTTP_SERVICE_UNAVAILABLE, "text/plain", body,
                         body ? strlen(body) : 0);
    }
    if (!authorized(h, c))
        return send_error(c, MHD_HTTP_UNAUTHORIZED, "a bearer token is required");

    if (strcmp(url, "/metrics") == 0) {
        struct cw_live *l = cw_live_acquire(h->live);
        char *m = l ? cw_live_metrics(l) : NULL;
        cw_live_release(h->live, l);
        if (!m)
            return send_error(c, MHD_HTTP_SERVICE_UNAVAILABLE, "not ready");
        return send_body(c, MHD_HTTP_OK, "text/plain; version=0.0.4; charset=utf-8", m, strlen(m));
    }
    if (strcmp(url, "/api/v1/events") == 0)
        return serve_events(h, c);
    if (strcmp(url, "/api/v1/cameras") == 0)
        return serve_cameras(h, c);
    if (strcmp(url, "/api/v1/openapi.json") == 0) {
        char *doc = strdup(cw_openapi_json);
        return doc ? send_body(c, MHD_HTTP_OK, "application/json", doc, strlen(doc)) : MHD_NO;
    }
    static const char prefix[] = "/api/v1/cameras/";
    if (strncmp(url, prefix, sizeof prefix - 1) == 0) {
        const char *id = url + sizeof prefix - 1, *slash = strchr(id, '/');
        size_t idlen = slash ? (size_t)(slash - id) : strlen(id);
        const char *rest = slash ? slash : "";
        if (idlen == 0 || idlen > 64 || (rest[0] && strcmp(rest, "/snapshot.jpg") != 0 && strcmp(rest, "/levels") != 0))
            return send_error(c, MHD_HTTP_NOT_FOUND, "no such resource");
        struct cw_live *l = cw_live_acquire(h->live);
        const struct cw_live_camera *cam = find(l, id, idlen);
        enum MHD_Result ret;
        if (!cam)
            ret = send_error(c, MHD_HTTP_NOT_FOUND, "no such camera");
        else if (strcmp(rest, "/levels") == 0) {
            char cid[72];
            snprintf(cid, sizeof cid, "%s", cam->id);
            cw_live_release(h->live, l);
            return serve_levels(h, c, cid);
        } else if (!rest[0])
            ret = send_json(c, MHD_HTTP_OK, camera_json(cam));
        else if (!cam->last_snapshot[0])
            ret = send_error(c, MHD_HTTP_NOT_FOUND, "no snapshot yet");
        else
            ret = serve_snapshot(c, cam->last_snapshot);
        cw_live_release(h->live, l);
        return ret;
    }
    return send_error(c, MHD_HTTP_NOT_FOUND, "no such resource");
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
    h->mhd = MHD_start_daemon(flags, (uint16_t)port, NULL, NULL, handle, h, MHD_OPTION_SOCK_ADDR, sa,
                              /* Slow-header clients hold a slot until the timeout: a
                               * small share per address and a large pool keep a few
                               * such addresses from taking the API from everyone (a
                               * slot costs at most the 16 KiB memory limit). */
                              MHD_OPTION_CONNECTION_LIMIT, (unsigned)512, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)10,
                              MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)8,
                              /* headers beyond 16 KiB get 431: nothing legitimate sends more */
                              MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)16384, MHD_OPTION_EXTERNAL_LOGGER, mhd_log,
                              NULL, MHD_OPTION_END);
    if (!h->mhd) {
        cw_error("http", NULL, "cannot listen on %s", p->listen);
        free(h->token);
        free(h->database);
        free(h);
        return CW_EIO;
    }
    cw_info("http", NULL, "serving /metrics and /api/v1 on %s%s", p->listen,
            h->token[0] ? " (bearer token required)" : "");
    *out = h;
    return 0;
}

void cw_http_stop(struct cw_http *h)
{
    if (!h)
        return;
    MHD_stop_daemon(h->mhd); /* joins the server thread */
    cw_store_close(h->store);
    memset(h->token, 0, strlen(h->token));
    free(h->token);
    free(h->database);
    free(h);
}
