/* What deserves an alert: the decisions, apart from how alerts are stored
 * and sent (outbox.h).
 *
 * The policy is told each camera's state changes, image conditions and
 * detection events, with their times, and is ticked; it decides what to
 * raise and hands each alert, with its words in Vietnamese and English, to
 * the raise callback. Its rules (README, "Alerts"):
 *  - grace: a camera is told down only after offline_grace;
 *  - flapping: one offline/recovered pair per flap_window, then one
 *    camera_flapping and quiet until the window ends;
 *  - places: most of a site's or commune's cameras down together is one
 *    site_down/commune_down, and its recovery unfolds the ones still down;
 *  - pictures: a condition is an episode from its first sighting until the
 *    picture has been good for the grace; one image_bad/image_ok pair per
 *    flap window, then one image_flapping; a condition cleared because the
 *    stream ended is unknown, not ended;
 *  - motion: one alert per cooldown, the rest counted and told;
 *  - escalation: a camera down and told, not acknowledged, goes to
 *    escalate_to every escalate_after;
 *  - maintenance: inside a declared window nothing is raised; at its end
 *    what is still true is told once (a held recovery included).
 * It reads no config but the slice it is given, no daemon and no clock:
 * every call carries its time, so a table of state changes in and alerts
 * out tests it without a loop, a network or sleeping. */
#ifndef CW_ALERT_POLICY_H
#define CW_ALERT_POLICY_H
#include <jansson.h>
#include <stdint.h>

#include "camstate.h"
#include "config.h"
#include "maintenance.h"
#include "names.h"

/* A camera as the policy sees it: who it is and its state now. */
struct cw_alert_camera {
    const char *id;
    const struct cw_names *names;
    const char *formerly; /* ids its commune absorbed, comma-separated */
    enum cw_state state;
    enum cw_cause cause;
    const char *detail;
    int64_t since_us;         /* the state's start */
    int64_t outage_since_us;  /* down: the outage's start (across causes and restarts); else 0 */
};

/* One alert decided. */
struct cw_alert_out {
    const char *camera;            /* the camera it is about or routed by, or "" */
    const struct cw_names *names;  /* its names (body, routing), or NULL */
    const char *formerly;
    const char *kind, *severity;
    int64_t at_us;                 /* when it was decided */
    const char *msg_vi, *msg_en;
    json_t *extra;                 /* more fields for its body (taken), or NULL */
    const char *only_target;       /* escalations and digests: that target alone, whatever its filters */
};

struct cw_alert_policy_params {
    const struct cw_alerts_config *cfg; /* borrowed: the caller keeps it alive (cw_alert_policy_reconfigure) */
    const struct cw_report_rules *report; /* the report's rules (the verdict's and digest's words), borrowed */
    /* The declared maintenance window covering the camera at now, or NULL. */
    const struct cw_maint *(*maintenance)(void *ud, const struct cw_alert_camera *cam, int64_t now);
    /* The camera's latest acknowledgement: 1 with its time and who, else 0. */
    int (*ack)(void *ud, const char *camera, int64_t *at_us, const char **by);
    /* Stores and routes an alert (outbox.h); 1 when it was raised. */
    int (*raise)(void *ud, const struct cw_alert_out *a);
    void *ud;
};

struct cw_alert_policy;

int cw_alert_policy_create(const struct cw_alert_policy_params *p, struct cw_alert_policy **out);
void cw_alert_policy_free(struct cw_alert_policy *p);
/* A reloaded config's alerts and report sections (borrowed as above). */
void cw_alert_policy_reconfigure(struct cw_alert_policy *p, const struct cw_alerts_config *cfg,
                                 const struct cw_report_rules *report);

/* A camera joins the policy's view (at start, when added) or its names
 * change (a reload); its history is kept. */
int cw_alert_policy_camera(struct cw_alert_policy *p, const struct cw_alert_camera *cam);
/* A camera leaves (removed or disabled). */
void cw_alert_policy_camera_gone(struct cw_alert_policy *p, const char *id);
/* What was told before a restart (the outbox's newest alerts): never said
 * again. condition: the picture alert's, else "". */
void cw_alert_policy_restore(struct cw_alert_policy *p, const char *camera, const char *kind, const char *condition,
                             int64_t created_us);

/* The camera's connection state changed (cam carries it). */
void cw_alert_policy_state(struct cw_alert_policy *p, const struct cw_alert_camera *cam, int64_t now);
/* An image condition began (on) or ended; stream_ended: cleared because
 * the session ended (unknown until the picture is seen again). */
void cw_alert_policy_image(struct cw_alert_policy *p, const char *camera, const char *condition, int on,
                           int stream_ended, int64_t now);
/* A detection event started at start_us and was confirmed at now; a
 * snapshot path or ""; continues: it goes on from one split by event_max. */
void cw_alert_policy_motion(struct cw_alert_policy *p, const char *camera, const char *plugin, int64_t start_us,
                            int64_t now, double score, const char *snapshot, int continues);
/* The timed rules: grace, places, pictures, held recoveries, motion
 * summaries, escalation. Called a few times a second. */
void cw_alert_policy_tick(struct cw_alert_policy *p, int64_t now);

struct cw_verdict_change;
struct cw_month_digest;
/* A place's status by the report's rules changed (verdict.c). */
void cw_alert_policy_verdict(struct cw_alert_policy *p, const struct cw_verdict_change *c, int64_t now);
/* The finished month's figures, to monthly_digest_to. */
void cw_alert_policy_month_digest(struct cw_alert_policy *p, const struct cw_month_digest *m, int64_t now);

#endif
