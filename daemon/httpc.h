/* An HTTP client on the loop: libcurl's multi-socket interface driven by
 * libuv (a uv_poll_t per socket, one uv_timer_t), after curl's
 * docs/examples/multi-uv.c. No thread per request; connections are reused.
 * Used by the metrics push (and meant for alert delivery). */
#ifndef CW_HTTPC_H
#define CW_HTTPC_H
#include <stddef.h>
#include <uv.h>

struct cw_httpc;

/* status: 0 when an HTTP answer came (see code), else a negative error with
 * err describing it. Called on the loop. */
typedef void (*cw_httpc_cb)(void *ud, int status, long code, const char *err);

int cw_httpc_init(uv_loop_t *loop, struct cw_httpc **out);
/* One request. headers: NULL-terminated "Name: value" lines. form: NULL
 * or NULL-terminated name, value pairs sent as multipart/form-data (then
 * body is ignored), with file_path attached as file_field if set. */
struct cw_httpc_req {
    const char *method, *url, *content_type, *body;
    size_t len;
    const char *const *headers;
    const char *const *form;
    const char *file_field, *file_path;
    long timeout_ms;
};
int cw_httpc_send(struct cw_httpc *c, const struct cw_httpc_req *req, cw_httpc_cb cb, void *ud);

/* Sends one request; the body is copied. Returns 0, or a negative code
 * without calling cb. */
int cw_httpc_request(struct cw_httpc *c, const char *method, const char *url, const char *content_type,
                     const char *body, size_t len, long timeout_ms, cw_httpc_cb cb, void *ud);
/* Aborts what is in flight (callbacks are not called) and frees the client
 * once its handles are closed. */
void cw_httpc_close(struct cw_httpc *c);

#endif
