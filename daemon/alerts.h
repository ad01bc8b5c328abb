/* Alerts that arrive and are never lost.
 *
 * The camera module reports state changes, image conditions and motion
 * events; this module decides what deserves an alert (grace before
 * camera_offline, one offline/recovered pair per camera per flap window
 * and then one camera_flapping), renders it in Vietnamese and English,
 * routes it to the matching targets, and writes it to the outbox (SQLite)
 * in the daemon's next batch. Only once that batch is committed does it
 * send, through the curl-on-uv client, with an Idempotency-Key header and
 * exponential backoff until each target answered 2xx (or 24 h passed).
 * Pending deliveries are reloaded at start, so a restart or a crash loses
 * nothing that was committed. */
#ifndef CW_ALERTS_H
#define CW_ALERTS_H
#include <stdint.h>

struct cw_daemon;
struct cw_camera;
struct cw_alerts;

int cw_alerts_start(struct cw_daemon *d, struct cw_alerts **out);
void cw_alerts_stop(struct cw_alerts *a);

/* A camera's connection state changed (state/cause names). */
void cw_alerts_camera_state(struct cw_alerts *a, const struct cw_camera *cam, int64_t now_us);
/* An image condition (black, frozen, covered, blurred) began or ended;
 * stream_ended: it was cleared because the session ended, so whether it
 * ended is not known (nothing is said until the picture is seen again). */
void cw_alerts_image(struct cw_alerts *a, const struct cw_camera *cam, const char *condition, int on, int stream_ended,
                     int64_t now_us);
/* A detection event started at start_us (first positive analysis) and was
 * confirmed at now_us; snapshot is the confirming frame's JPEG, or "".
 * continues: it goes on from an event just split by event_max (the same
 * activity: no new alert). Within alerts.cooldown of the camera's last
 * motion alert, an event is counted, and the next alert says how many. */
void cw_alerts_motion(struct cw_alerts *a, const struct cw_camera *cam, const char *plugin, int64_t start_us,
                      int64_t now_us, double score, const char *snapshot, int continues);

struct cw_verdict_change;
/* A site, commune or district changed status by the report's rules
 * (verdict.c): into DETERIORATED raises network_deteriorated, out of it
 * network_improved; other changes are logged only. */
void cw_alerts_verdict(struct cw_alerts *a, const struct cw_verdict_change *c);
struct cw_month_digest;
/* The finished month's headline figures, to alerts.monthly_digest_to. */
void cw_alerts_month_digest(struct cw_alerts *a, const struct cw_month_digest *m);

/* Counters for /metrics: deliveries not yet done, and per target (i from
 * 0 while it returns 1) those delivered since start. */
int64_t cw_alerts_pending(const struct cw_alerts *a);
/* Starts the deliveries whose alert is committed and whose time has come
 * (the daemon calls it when a batch commits, so none waits for a tick). */
void cw_alerts_send_due(struct cw_alerts *a);
int cw_alerts_delivered(const struct cw_alerts *a, int i, const char **target, int64_t *count);

#endif
