/* receiver: a test HTTP endpoint on loopback that records every request as
 * one JSON line (received: the Unix time its first bytes arrived, method,
 * path, Idempotency-Key, content type, body; for
 * multipart forms each field, files as their size and first bytes), and
 * answers with --status (default 200) and {"ok":true}. It stands in for a
 * webhook receiver and for the Telegram Bot API in tests.
 *
 *   receiver --port P --log FILE [--status CODE] [--ready FILE] */
#include <jansson.h>
#include <microhttpd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>
#include <unistd.h>

static FILE *logf_;
static unsigned status_code = 200;

struct req {
    char *body;
    size_t len;
    json_t *form;
    struct MHD_PostProcessor *pp;
    double received; /* Unix time, when the headers were in */
};

static enum MHD_Result on_field(void *cls, enum MHD_ValueKind kind, const char *key, const char *filename,
                                const char *ctype, const char *enc, const char *data, uint64_t off, size_t size)
{
    struct req *r = cls;
    (void)kind, (void)ctype, (void)enc;
    if (filename) {
        json_t *f = json_object_get(r->form, key);
        if (!f) {
            char head[16] = "";
            for (size_t i = 0; i < size && i < 4; i++)
                snprintf(head + 2 * i, 3, "%02x", (unsigned char)data[i]);
            f = json_pack("{s:s, s:I, s:s}", "filename", filename, "size", (json_int_t)0, "head", head);
            json_object_set_new(r->form, key, f);
        }
        json_object_set_new(f, "size", json_integer(json_integer_value(json_object_get(f, "size")) + (json_int_t)size));
        return MHD_YES;
    }
    json_t *v = json_object_get(r->form, key);
    const char *old = v ? json_string_value(v) : "";
    if (off == 0)
        old = "";
    char *s = malloc(strlen(old) + size + 1);
    if (!s)
        return MHD_NO;
    sprintf(s, "%s%.*s", old, (int)size, data);
    json_object_set_new(r->form, key, json_string(s));
    free(s);
    return MHD_YES;
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *c, const char *url, const char *method,
                              const char *version, const char *data, size_t *size, void **con_cls)
{
    struct req *r = *con_cls;
    (void)cls, (void)version;
    if (!r) {
        struct timespec ts;
        if (!(r = calloc(1, sizeof *r)))
            return MHD_NO;
        clock_gettime(CLOCK_REALTIME, &ts);
        r->received = (double)ts.tv_sec + ts.tv_nsec / 1e9;
        r->form = json_object();
        r->pp = MHD_create_post_processor(c, 65536, on_field, r); /* NULL unless a form */
        *con_cls = r;
        return MHD_YES;
    }
    if (*size) {
        if (r->pp)
            MHD_post_process(r->pp, data, *size);
        else {
            r->body = realloc(r->body, r->len + *size + 1);
            memcpy(r->body + r->len, data, *size);
            r->len += *size;
            r->body[r->len] = '\0';
        }
        *size = 0;
        return MHD_YES;
    }
    const char *key = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Idempotency-Key");
    const char *ct = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Type");
    json_t *line = json_pack("{s:f, s:s, s:s, s:s?, s:s?, s:s?, s:o}", "received", r->received, "method", method, "path", url, "idempotency_key",
                             key, "content_type", ct, "body", r->body, "form", r->form);
    char *s = json_dumps(line, JSON_COMPACT);
    fprintf(logf_, "%s\n", s);
    fflush(logf_);
    free(s);
    json_decref(line);
    if (r->pp)
        MHD_destroy_post_processor(r->pp);
    free(r->body);
    free(r);
    *con_cls = NULL;
    static char ok[] = "{\"ok\":true,\"result\":{}}";
    struct MHD_Response *resp = MHD_create_response_from_buffer(strlen(ok), ok, MHD_RESPMEM_PERSISTENT);
    MHD_add_response_header(resp, "Content-Type", "application/json");
    enum MHD_Result ret = MHD_queue_response(c, status_code, resp);
    MHD_destroy_response(resp);
    return ret;
}

static volatile sig_atomic_t stop; /* a test tool: a flag for pause() is enough */
static void on_term(int s) { (void)s; stop = 1; }

int main(int argc, char **argv)
{
    int port = 0;
    const char *log = NULL, *ready = NULL;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--port"))
            port = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--log"))
            log = argv[i + 1];
        else if (!strcmp(argv[i], "--status"))
            status_code = (unsigned)atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--ready"))
            ready = argv[i + 1];
    }
    if (!port || !log || !(logf_ = fopen(log, "a"))) {
        fprintf(stderr, "usage: receiver --port P --log FILE [--status CODE] [--ready FILE]\n");
        return 2;
    }
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    sa.sin_addr.s_addr = htonl(0x7f000001);
    struct MHD_Daemon *d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD, (uint16_t)port, NULL, NULL, handle, NULL,
                                            MHD_OPTION_SOCK_ADDR, &sa, MHD_OPTION_END);
    if (!d) {
        fprintf(stderr, "receiver: cannot listen on 127.0.0.1:%d\n", port);
        return 1;
    }
    if (ready) {
        FILE *f = fopen(ready, "w");
        if (f)
            fclose(f);
    }
    signal(SIGTERM, on_term);
    signal(SIGINT, on_term);
    while (!stop)
        pause();
    MHD_stop_daemon(d);
    fclose(logf_);
    return 0;
}
