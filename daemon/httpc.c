/* libcurl multi on libuv (see httpc.h). */
#include "httpc.h"

#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "log.h"

struct cw_httpc {
    uv_loop_t *loop;
    CURLM *multi;
    uv_timer_t timer;
    int open_handles; /* the timer and the socket polls */
    int closing;
    struct req *reqs; /* in flight (curl 7.88 cannot list them for us) */
};

struct sock {
    uv_poll_t poll;
    curl_socket_t fd;
    struct cw_httpc *c;
};

struct req {
    struct req *next, **pprev;
    CURL *easy;
    struct curl_slist *headers;
    curl_mime *mime;
    char *body;
    cw_httpc_cb cb;
    void *ud;
    char err[CURL_ERROR_SIZE];
};

static void handle_gone(struct cw_httpc *c)
{
    if (--c->open_handles == 0 && c->closing)
        free(c);
}

static void on_timer_closed(uv_handle_t *h)
{
    handle_gone(h->data);
}

static void on_sock_closed(uv_handle_t *h)
{
    struct sock *s = h->data;
    struct cw_httpc *c = s->c;
    free(s);
    handle_gone(c);
}

static void finish(struct cw_httpc *c, struct req *r, CURLcode res)
{
    long code = 0;
    curl_easy_getinfo(r->easy, CURLINFO_RESPONSE_CODE, &code);
    *r->pprev = r->next;
    if (r->next)
        r->next->pprev = r->pprev;
    curl_multi_remove_handle(c->multi, r->easy);
    curl_easy_cleanup(r->easy);
    curl_slist_free_all(r->headers);
    curl_mime_free(r->mime);
    free(r->body);
    if (!c->closing && r->cb)
        r->cb(r->ud, res == CURLE_OK ? 0 : CW_EIO, code, res == CURLE_OK ? "" : r->err[0] ? r->err : curl_easy_strerror(res));
    free(r);
}

static void check_done(struct cw_httpc *c)
{
    CURLMsg *m;
    int left;
    while ((m = curl_multi_info_read(c->multi, &left))) {
        if (m->msg != CURLMSG_DONE)
            continue;
        struct req *r;
        curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&r);
        finish(c, r, m->data.result);
    }
}

static void on_poll(uv_poll_t *p, int status, int events)
{
    struct sock *s = p->data;
    int flags = 0, running;
    if (status < 0)
        flags = CURL_CSELECT_ERR;
    if (events & UV_READABLE)
        flags |= CURL_CSELECT_IN;
    if (events & UV_WRITABLE)
        flags |= CURL_CSELECT_OUT;
    struct cw_httpc *c = s->c;
    curl_multi_socket_action(c->multi, s->fd, flags, &running);
    check_done(c);
}

static void on_timer(uv_timer_t *t)
{
    struct cw_httpc *c = t->data;
    int running;
    curl_multi_socket_action(c->multi, CURL_SOCKET_TIMEOUT, 0, &running);
    check_done(c);
}

static int socket_cb(CURL *e, curl_socket_t fd, int action, void *userp, void *socketp)
{
    struct cw_httpc *c = userp;
    struct sock *s = socketp;
    (void)e;
    if (action == CURL_POLL_REMOVE) {
        if (s) {
            uv_poll_stop(&s->poll);
            curl_multi_assign(c->multi, fd, NULL);
            uv_close((uv_handle_t *)&s->poll, on_sock_closed);
        }
        return 0;
    }
    if (!s) {
        s = calloc(1, sizeof *s);
        if (!s || uv_poll_init_socket(c->loop, &s->poll, fd) < 0) {
            free(s);
            return -1;
        }
        s->fd = fd;
        s->c = c;
        s->poll.data = s;
        c->open_handles++;
        curl_multi_assign(c->multi, fd, s);
    }
    int ev = (action & CURL_POLL_IN ? UV_READABLE : 0) | (action & CURL_POLL_OUT ? UV_WRITABLE : 0);
    uv_poll_start(&s->poll, ev, on_poll);
    return 0;
}

static int timer_cb(CURLM *m, long timeout_ms, void *userp)
{
    struct cw_httpc *c = userp;
    (void)m;
    if (timeout_ms < 0)
        uv_timer_stop(&c->timer);
    else /* 0: act at once, but from the loop, not from inside curl */
        uv_timer_start(&c->timer, on_timer, (uint64_t)timeout_ms, 0);
    return 0;
}

int cw_httpc_init(uv_loop_t *loop, struct cw_httpc **out)
{
    struct cw_httpc *c = calloc(1, sizeof *c);
    *out = NULL;
    if (!c)
        return CW_ENOMEM;
    c->loop = loop;
    c->multi = curl_multi_init();
    if (!c->multi) {
        free(c);
        return CW_ENOMEM;
    }
    uv_timer_init(loop, &c->timer);
    c->timer.data = c;
    c->open_handles = 1;
    curl_multi_setopt(c->multi, CURLMOPT_SOCKETFUNCTION, socket_cb);
    curl_multi_setopt(c->multi, CURLMOPT_SOCKETDATA, c);
    curl_multi_setopt(c->multi, CURLMOPT_TIMERFUNCTION, timer_cb);
    curl_multi_setopt(c->multi, CURLMOPT_TIMERDATA, c);
    curl_multi_setopt(c->multi, CURLMOPT_MAX_HOST_CONNECTIONS, 4L);
    *out = c;
    return 0;
}

static size_t discard(char *p, size_t sz, size_t n, void *ud)
{
    (void)p;
    (void)ud;
    return sz * n;
}

int cw_httpc_send(struct cw_httpc *c, const struct cw_httpc_req *q, cw_httpc_cb cb, void *ud)
{
    struct req *r = calloc(1, sizeof *r);
    char ct[160];
    if (!r || !(r->easy = curl_easy_init())) {
        free(r);
        return CW_ENOMEM;
    }
    r->cb = cb;
    r->ud = ud;
    if (q->form) {
        r->mime = curl_mime_init(r->easy);
        for (int i = 0; r->mime && q->form[i] && q->form[i + 1]; i += 2) {
            curl_mimepart *part = curl_mime_addpart(r->mime);
            curl_mime_name(part, q->form[i]);
            curl_mime_data(part, q->form[i + 1], CURL_ZERO_TERMINATED);
        }
        if (r->mime && q->file_field && q->file_path) {
            curl_mimepart *part = curl_mime_addpart(r->mime);
            curl_mime_name(part, q->file_field);
            if (curl_mime_filedata(part, q->file_path) != CURLE_OK)
                curl_mime_data(part, "", 0); /* the file went away: send the text anyway */
            curl_mime_type(part, "image/jpeg");
        }
        curl_easy_setopt(r->easy, CURLOPT_MIMEPOST, r->mime);
    } else {
        if (q->body) {
            r->body = malloc(q->len + 1);
            if (!r->body) {
                curl_easy_cleanup(r->easy);
                free(r);
                return CW_ENOMEM;
            }
            memcpy(r->body, q->body, q->len);
            r->body[q->len] = '\0';
        }
        snprintf(ct, sizeof ct, "Content-Type: %s", q->content_type ? q->content_type : "text/plain");
        r->headers = curl_slist_append(r->headers, ct);
    }
    for (int i = 0; q->headers && q->headers[i]; i++)
        r->headers = curl_slist_append(r->headers, q->headers[i]);
    curl_easy_setopt(r->easy, CURLOPT_URL, q->url);
    if (!q->form)
        curl_easy_setopt(r->easy, CURLOPT_CUSTOMREQUEST, q->method);
    curl_easy_setopt(r->easy, CURLOPT_HTTPHEADER, r->headers);
    if (r->body) {
        curl_easy_setopt(r->easy, CURLOPT_POSTFIELDS, r->body);
        curl_easy_setopt(r->easy, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)q->len);
    }
    long timeout_ms = q->timeout_ms > 0 ? q->timeout_ms : 10000;
    curl_easy_setopt(r->easy, CURLOPT_TIMEOUT_MS, timeout_ms);
    curl_easy_setopt(r->easy, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms < 5000 ? timeout_ms : 5000L);
    curl_easy_setopt(r->easy, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(r->easy, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(r->easy, CURLOPT_WRITEFUNCTION, discard);
    curl_easy_setopt(r->easy, CURLOPT_ERRORBUFFER, r->err);
    curl_easy_setopt(r->easy, CURLOPT_PRIVATE, r);
    curl_easy_setopt(r->easy, CURLOPT_USERAGENT, "camwatchd");
    if (curl_multi_add_handle(c->multi, r->easy) != CURLM_OK) {
        curl_slist_free_all(r->headers);
        curl_mime_free(r->mime);
        curl_easy_cleanup(r->easy);
        free(r->body);
        free(r);
        return CW_EIO;
    }
    r->next = c->reqs;
    if (r->next)
        r->next->pprev = &r->next;
    r->pprev = &c->reqs;
    c->reqs = r;
    return 0;
}

int cw_httpc_request(struct cw_httpc *c, const char *method, const char *url, const char *content_type,
                     const char *body, size_t len, long timeout_ms, cw_httpc_cb cb, void *ud)
{
    struct cw_httpc_req q = {.method = method, .url = url, .content_type = content_type, .body = body, .len = len,
                             .timeout_ms = timeout_ms};
    return cw_httpc_send(c, &q, cb, ud);
}

void cw_httpc_close(struct cw_httpc *c)
{
    if (!c)
        return;
    c->closing = 1;
    /* The multi handle goes first: removing its easy handles makes curl
     * close their sockets through socket_cb, which closes their polls. */
    while (c->reqs)
        finish(c, c->reqs, CURLE_ABORTED_BY_CALLBACK);
    curl_multi_cleanup(c->multi);
    uv_timer_stop(&c->timer);
    uv_close((uv_handle_t *)&c->timer, on_timer_closed);
}
