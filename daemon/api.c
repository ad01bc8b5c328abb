/* Shared parts of the JSON resources (see api.h). */
#include "api.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <zlib.h>

#include "clock.h"

/* A text answer over 1 KiB goes gzip-compressed to a client that takes it:
 * the camera list of 500 cameras is 570 KB as JSON and a small fraction
 * of that compressed, which is what a phone on a commune's link notices.
 * Returns the compressed copy (malloc'd) or NULL to send body as it is. */
static char *gzip_for(struct MHD_Connection *c, const char *type, const char *body, size_t len, size_t *out_len)
{
    const char *ae = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_ACCEPT_ENCODING);
    if (len < 1024 || !ae || !strstr(ae, "gzip") || !(strncmp(type, "text/", 5) == 0 || strstr(type, "json") ||
                                                         strstr(type, "javascript")))
        return NULL;
    z_stream z = {0};
    if (deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        return NULL;
    uLong cap = deflateBound(&z, (uLong)len);
    char *out = malloc(cap);
    z.next_in = (Bytef *)body;
    z.avail_in = (uInt)len;
    z.next_out = (Bytef *)out;
    z.avail_out = (uInt)cap;
    int rc = out ? deflate(&z, Z_FINISH) : Z_MEM_ERROR;
    *out_len = z.total_out;
    deflateEnd(&z);
    if (rc != Z_STREAM_END || *out_len >= len) {
        free(out);
        return NULL;
    }
    return out;
}

enum MHD_Result cw_api_send(struct MHD_Connection *c, unsigned status, const char *type, char *body, size_t len,
                            const char *allow, const struct cw_api_hdr *hdrs)
{
    size_t zlen = 0;
    char *z = gzip_for(c, type, body, len, &zlen);
    if (z) {
        free(body);
        body = z;
        len = zlen;
    }
    struct MHD_Response *r = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
    if (!r) {
        free(body);
        return MHD_NO;
    }
    if (z)
        MHD_add_response_header(r, "Content-Encoding", "gzip");
    MHD_add_response_header(r, "Vary", "Accept-Encoding");
    MHD_add_response_header(r, "Content-Type", type);
    MHD_add_response_header(r, "Cache-Control", "no-store");
    /* what a browser must never do with an answer of camwatch's */
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    int framing = 0;
    for (int i = 0; hdrs && hdrs[i].name; i++)
        framing |= strcasecmp(hdrs[i].name, "X-Frame-Options") == 0;
    if (!framing)
        MHD_add_response_header(r, "X-Frame-Options", "DENY");
    if (status == MHD_HTTP_UNAUTHORIZED)
        MHD_add_response_header(r, "WWW-Authenticate", "Bearer realm=\"camwatch\"");
    if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
        MHD_add_response_header(r, "Allow", allow ? allow : "GET, HEAD");
    for (int i = 0; hdrs && hdrs[i].name; i++)
        MHD_add_response_header(r, hdrs[i].name, hdrs[i].value);
    enum MHD_Result ret = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    return ret;
}

enum MHD_Result cw_api_json(struct MHD_Connection *c, unsigned status, json_t *j, const struct cw_api_hdr *hdrs)
{
    char *s = json_dumps(j, JSON_INDENT(2));
    json_decref(j);
    if (!s)
        return MHD_NO;
    return cw_api_send(c, status, "application/json", s, strlen(s), NULL, hdrs);
}

enum MHD_Result cw_api_error(struct MHD_Connection *c, unsigned status, const char *msg)
{
    return cw_api_json(c, status, json_pack("{s:s, s:i}", "error", msg, "status", (int)status), NULL);
}

enum MHD_Result cw_api_not_allowed(struct MHD_Connection *c, const char *allow)
{
    char msg[120];
    snprintf(msg, sizeof msg, "this resource takes %s", allow);
    json_t *o = json_pack("{s:s, s:i}", "error", msg, "status", 405);
    char *s = o ? json_dumps(o, JSON_INDENT(2)) : NULL;
    json_decref(o); /* the object, once dumped (LeakSanitizer caught one per 405) */
    return s ? cw_api_send(c, MHD_HTTP_METHOD_NOT_ALLOWED, "application/json", s, strlen(s), allow, NULL) : MHD_NO;
}

const char *cw_api_arg(struct MHD_Connection *c, const char *key)
{
    return MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, key);
}

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
int cw_api_unknown_arg(struct MHD_Connection *c, const char *const *allowed, char *msg, size_t len)
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

int cw_api_parse_limit(const char *s, int def, int max)
{
    if (!s)
        return def;
    char *end;
    long v = strtol(s, &end, 10);
    return end == s || *end || v < 1 || v > max ? -1 : (int)v;
}

int cw_api_begin_page(struct MHD_Connection *c, const char *const *allowed, struct cw_event_query *q, int *limit,
                      struct cw_store **store, const char *database, enum MHD_Result *ret)
{
    const char *since = cw_api_arg(c, "since"), *until = cw_api_arg(c, "until"), *cursor = cw_api_arg(c, "cursor");
    const char *bad = NULL;
    char msg[300];
    if (cw_api_unknown_arg(c, allowed, msg, sizeof msg))
        bad = msg;
    else if (since && cw_parse_time_api(since, &q->since_us) < 0)
        bad = "since must be Unix seconds (0 to 4102444800) or ISO 8601 with an offset, e.g. "
              "2026-11-26T08:00:00+07:00";
    else if (until && cw_parse_time_api(until, &q->until_us) < 0)
        bad = "until must be Unix seconds or ISO 8601 with an offset";
    else if ((*limit = cw_api_parse_limit(cw_api_arg(c, "limit"), CW_API_DEFAULT_LIMIT, CW_API_MAX_LIMIT)) < 0)
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
        *ret = cw_api_error(c, MHD_HTTP_BAD_REQUEST, bad);
        return 1;
    }
    q->limit = *limit + 1; /* one more than a page: is there a next? */
    if (!*store && cw_store_open(database, 1, store) < 0) {
        *ret = cw_api_error(c, MHD_HTTP_SERVICE_UNAVAILABLE, "database not readable");
        return 1;
    }
    return 0;
}

enum MHD_Result cw_api_send_page(struct MHD_Connection *c, json_t *items, int n, int limit, int64_t last_start,
                                 int64_t last_id)
{
    json_t *next = json_null();
    if (n > limit) {
        char cur[64];
        snprintf(cur, sizeof cur, "%lld.%lld", (long long)last_start, (long long)last_id);
        next = json_string(cur);
    }
    return cw_api_json(c, MHD_HTTP_OK, json_pack("{s:o, s:o, s:i}", "items", items, "next", next, "limit", limit),
                       NULL);
}
