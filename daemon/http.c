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
        "{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:o, s:b, s:s}", "id", cam->id,
        "name", n->name, "url", cam->url, "site", n->site, "site_name", n->site_name, "commune", n->commune,
        "commune_name", n->commune_name, "province", n->province, "province_name", n->province_name, "state",
        cam->state, "cause", cam->cause, "detail", cam->detail, "since", cw_fmt_utc(cam->since_us, ts, sizeof ts),
        "since_us", (json_int_t)cam->since_us, "image", img, "image_checked", cam->image_checked, "decode_mode",
        cam->decode_mode);
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

struct ev_ctx {
    json_t *arr;
    int n;
};

static void on_event(void *ud, const struct cw_event_row *e)
{
    struct ev_ctx *x = ud;
    char ts[40];
    json_error_t err;
    if (x->n++ >= 1000)
        return; /* a bounded answer; ask with a later since= for more */
    json_t *reg = json_loads(e->regions, 0, &err);
    json_array_append_new(x->arr, json_pack("{s:I, s:s, s:s, s:s, s:I, s:I, s:f, s:o, s:b}", "id", (json_int_t)e->id,
                                            "camera", e->camera, "kind", e->kind, "start",
                                            cw_fmt_utc(e->start_us, ts, sizeof ts), "start_us", (json_int_t)e->start_us,
                                            "end_us", (json_int_t)e->end_us, "peak_score", e->peak, "regions",
                                            reg ? reg : json_null(), "has_snapshot", e->snapshot[0] != 0));
}

static enum MHD_Result serve_events(struct cw_http *h, struct MHD_Connection *c)
{
    const char *camera = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "camera");
    const char *kind = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "kind");
    const char *since = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "since");
    int64_t since_us = 0;
    if (since) {
        char *end;
        double v = strtod(since, &end);
        /* nan, inf and absurd times once answered as if no filter was given */
        if (end == since || *end || !isfinite(v) || v < 0 || v > 4102444800.0)
            return send_error(c, MHD_HTTP_BAD_REQUEST,
                              "since must be a Unix time in seconds, from 0 to 4102444800 (year 2100)");
        since_us = (int64_t)(v * 1e6);
    }
    if (!h->store && cw_store_open(h->database, 1, &h->store) < 0)
        return send_error(c, MHD_HTTP_SERVICE_UNAVAILABLE, "database not readable");
    struct ev_ctx x = {json_array(), 0};
    if (cw_store_each_event(h->store, camera && camera[0] ? camera : NULL, kind && kind[0] ? kind : NULL, since_us,
                            on_event, &x) < 0) {
        json_decref(x.arr);
        return send_error(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "database error");
    }
    return send_json(c, MHD_HTTP_OK, json_pack("{s:o, s:b}", "events", x.arr, "truncated", x.n > 1000));
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
        return send_error(c, MHD_HTTP_METHOD_NOT_ALLOWED, "only GET");
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
    if (strcmp(url, "/api/v1/cameras") == 0) {
        /* ?province= &district= &commune= (a former id finds its cameras
         * too) &site=: a value that names no camera is a 400, not an
         * empty list that looks like "all down". */
        struct cw_names_filter f = {
            MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "province"),
            MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "district"),
            MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "commune"),
            MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "site"),
        };
        struct cw_live *l = cw_live_acquire(h->live);
        json_t *arr = json_array();
        for (int i = 0; l && i < l->n; i++)
            if (cw_names_match(&l->cams[i].names, l->cams[i].formerly, &f))
                json_array_append_new(arr, camera_json(&l->cams[i]));
        cw_live_release(h->live, l);
        if (json_array_size(arr) == 0 && cw_names_filter_set(&f)) {
            json_decref(arr);
            return send_error(c, MHD_HTTP_BAD_REQUEST, "no camera matches that province, district, commune or site");
        }
        return send_json(c, MHD_HTTP_OK, arr);
    }
    static const char prefix[] = "/api/v1/cameras/";
    if (strncmp(url, prefix, sizeof prefix - 1) == 0) {
        const char *id = url + sizeof prefix - 1, *slash = strchr(id, '/');
        size_t idlen = slash ? (size_t)(slash - id) : strlen(id);
        const char *rest = slash ? slash : "";
        if (idlen == 0 || idlen > 64 || (rest[0] && strcmp(rest, "/snapshot.jpg") != 0))
            return send_error(c, MHD_HTTP_NOT_FOUND, "no such resource");
        struct cw_live *l = cw_live_acquire(h->live);
        const struct cw_live_camera *cam = find(l, id, idlen);
        enum MHD_Result ret;
        if (!cam)
            ret = send_error(c, MHD_HTTP_NOT_FOUND, "no such camera");
        else if (!rest[0])
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
