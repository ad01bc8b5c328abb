/* Metrics push to a Pushgateway (see push.h). */
#include "push.h"

#include <ctype.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "log.h"

#define RETRY_MS 5000

struct cw_push {
    struct cw_httpc *hc;
    struct cw_live_box *live;
    uv_timer_t timer;
    char *url;
    uint64_t interval_ms;
    int inflight, failing, stopping;
    int64_t pushes, failures;
};

/* Percent-encodes a path segment. */
static void escape(const char *in, char *out, size_t len)
{
    size_t o = 0;
    for (; *in && o + 4 < len; in++) {
        unsigned char ch = (unsigned char)*in;
        if (isalnum(ch) || ch == '-' || ch == '_' || ch == '.')
            out[o++] = (char)ch;
        else
            o += (size_t)snprintf(out + o, len - o, "%%%02X", ch);
    }
    out[o] = '\0';
}

static void on_timer(uv_timer_t *t);

static void on_done(void *ud, int status, long code, const char *err)
{
    struct cw_push *p = ud;
    p->inflight = 0;
    if (p->stopping)
        return;
    int ok = status == 0 && code >= 200 && code < 300;
    if (!ok) {
        p->failures++;
        if (!p->failing) { /* once per streak: a dead uplink must not flood the log */
            char why[64] = "";
            if (status == 0) /* an HTTP answer; otherwise err says why there was none */
                snprintf(why, sizeof why, "HTTP %ld", code);
            cw_warn("push", NULL, "push to %s failed: %s%s; retrying every %d s", p->url, err ? err : "", why,
                    RETRY_MS / 1000);
        }
        p->failing = 1;
        uv_timer_start(&p->timer, on_timer, RETRY_MS < p->interval_ms ? RETRY_MS : p->interval_ms, p->interval_ms);
        return;
    }
    p->pushes++;
    if (p->failing)
        cw_info("push", NULL, "push to %s works again", p->url);
    p->failing = 0;
}

static void on_timer(uv_timer_t *t)
{
    struct cw_push *p = t->data;
    if (p->inflight)
        return; /* the last one is still going (its timeout bounds it) */
    struct cw_live *l = cw_live_acquire(p->live);
    char *body = l ? cw_live_metrics(l) : NULL;
    cw_live_release(p->live, l);
    if (!body)
        return;
    /* PUT replaces every metric of this job/instance group, so cameras that
     * were removed do not linger at the gateway. */
    long timeout = p->interval_ms < 10000 ? (long)p->interval_ms : 10000L;
    if (cw_httpc_request(p->hc, "PUT", p->url, "text/plain; version=0.0.4", body, strlen(body), timeout, on_done, p) == 0)
        p->inflight = 1;
    free(body);
}

int cw_push_start(uv_loop_t *loop, struct cw_httpc *hc, struct cw_live_box *live, const char *base_url,
                  const char *instance, int64_t interval_us, struct cw_push **out)
{
    struct cw_push *p = calloc(1, sizeof *p);
    char inst[256], host[256];
    *out = NULL;
    if (!p)
        return CW_ENOMEM;
    if (!instance || !instance[0]) {
        if (gethostname(host, sizeof host) < 0)
            snprintf(host, sizeof host, "camwatch");
        host[sizeof host - 1] = '\0';
        instance = host;
    }
    escape(instance, inst, sizeof inst);
    size_t n = strlen(base_url) + strlen(inst) + 64;
    p->url = malloc(n);
    if (!p->url) {
        free(p);
        return CW_ENOMEM;
    }
    size_t bl = strlen(base_url);
    while (bl > 0 && base_url[bl - 1] == '/')
        bl--;
    snprintf(p->url, n, "%.*s/metrics/job/camwatch/instance/%s", (int)bl, base_url, inst);
    p->hc = hc;
    p->live = live;
    p->interval_ms = (uint64_t)(interval_us / 1000);
    uv_timer_init(loop, &p->timer);
    p->timer.data = p;
    uv_timer_start(&p->timer, on_timer, 1000, p->interval_ms);
    cw_info("push", NULL, "pushing metrics to %s every %.0f s", p->url, interval_us / 1e6);
    *out = p;
    return 0;
}

static void on_closed(uv_handle_t *h)
{
    struct cw_push *p = h->data;
    free(p->url);
    free(p);
}

void cw_push_stop(struct cw_push *p)
{
    if (!p)
        return;
    p->stopping = 1;
    uv_timer_stop(&p->timer);
    uv_close((uv_handle_t *)&p->timer, on_closed);
}
