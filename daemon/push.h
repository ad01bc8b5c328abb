/* Pushes the metrics to a Prometheus Pushgateway every interval, for
 * commune networks behind 4G NAT that nobody can scrape. On the loop,
 * through the curl-on-uv client; a failed push is retried sooner and is
 * logged once per failure streak, never blocking anything. */
#ifndef CW_PUSH_H
#define CW_PUSH_H
#include <stdint.h>
#include <uv.h>

#include "httpc.h"
#include "live.h"

struct cw_push;

/* base_url: "http://host:9091"; instance: the label value. */
int cw_push_start(uv_loop_t *loop, struct cw_httpc *hc, struct cw_live_box *live, const char *base_url,
                  const char *instance, int64_t interval_us, struct cw_push **out);
void cw_push_stop(struct cw_push *p);

#endif
