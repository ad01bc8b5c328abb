/* Alert decisions, outbox and delivery (see alerts.h). */
#include "alerts.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "camera.h"
#include "clock.h"
#include "daemon.h"
#include "error.h"
#include "httpc.h"
#include "log.h"
#include "report_fmt.h"
#include "words.h"
#include "verdict.h"
#include "store.h"

#define RETRY_MIN_US 5000000LL
#define RETRY_MAX_US 600000000LL
#define GIVE_UP_US (24 * 3600 * 1000000LL)

/* One image condition's alerting: an episode runs from the condition's
 * first sighting until the picture has been good for offline_grace, so a
 * flickering picture (10 s good, 20 s black) is one episode and one
 * message, not two every half minute; one image_bad/image_ok pair per
 * flap window, then one image_flapping, as for a camera's connection. */
struct picture {
    int64_t bad_since;  /* the episode's start (0: none) */
    int64_t good_since; /* good again since (0: bad now) */
    int unknown;        /* the stream ended while it was bad: unknown until video returns */
    int alerted;        /* image_bad told for this episode */
    int64_t window_start;
    int pair_sent, flap_sent;
};

#define N_PICTURE 4

struct astate {
    char id[72];
    int down;               /* offline or stalled now */
    int64_t down_since;
    int offline_alerted;    /* camera_offline sent for this outage */
    int held_logged;        /* its holding back for maintenance was logged */
    int64_t held_window;    /* the maintenance window whose holding back was logged last */
    int64_t window_start;   /* the flap window */
    int pair_sent, flap_sent;
    int64_t recovered_us;   /* back online while its recovery was held (maintenance): told at the window's end */
    struct picture pic[N_PICTURE];
    char folded[80];        /* its outage is told as part of "site:ID" or "commune:ID" */
    int64_t offline_sent_us; /* when its offline alert (or its place's) went out */
    int64_t alert_after_us;  /* unfolded from a recovered place: its own alert waits a grace */
    int64_t escalated_us;    /* the last escalation of this outage */
    int64_t motion_sent_us; /* the last motion alert (cooldown) */
    int motion_more;        /* events since, counted, not sent */
    int64_t motion_more_since, motion_more_last;
};

/* A site or commune that went down as a whole: one alert for it. */
struct place {
    char key[80];  /* "site:ID" or "commune:ID" */
    int level;     /* 0 site, 1 commune */
    int64_t since;
    int n;         /* cameras folded into it */
    char first[72]; /* a camera of it, for names and routing */
};

/* An alert firing at an Alertmanager target, posted again every
 * repost_interval so that its endsAt stays ahead while camwatchd lives. */
struct firing {
    struct firing *next;
    struct alert *al;
    char target[72];
    char match[120]; /* what resolves it: "offline:CAM", "image:CAM:COND", "place:KEY" */
};

struct alert {
    int refs;
    char key[48], camera[72], kind[24], severity[12];
    int64_t created_us;
    json_t *body;
};

struct delivery {
    struct delivery *next;
    struct alert *a;
    char target[72];
    int attempts, inflight;
    int64_t next_us;
    uint64_t seq; /* the store batch that holds it: sendable once committed */
    struct cw_alerts *owner;
    int held;     /* in the target's quiet hours: told in the digest at next_us */
};

#define MAX_COUNTED 32

struct cw_alerts {
    struct cw_daemon *d;
    struct {
        char name[72];
        int64_t delivered;
    } counted[MAX_COUNTED];
    int n_counted;
    struct cw_httpc *hc;
    uv_timer_t tick;
    struct astate *cams;
    int n_cams;
    struct delivery *q;
    uint64_t counter;
    int64_t pending;
    struct place *places;
    int n_places;
    struct firing *firing;
    int64_t reposted_us;
};

static const char *const cond_names[N_PICTURE] = {"black", "frozen", "covered", "blurred"};

static void alert_unref(struct alert *a)
{
    if (a && --a->refs == 0) {
        json_decref(a->body);
        free(a);
    }
}

static struct astate *state_of(struct cw_alerts *a, const char *id)
{
    for (int i = 0; i < a->n_cams; i++)
        if (strcmp(a->cams[i].id, id) == 0)
            return &a->cams[i];
    struct astate *t = realloc(a->cams, sizeof *t * (size_t)(a->n_cams + 1));
    if (!t)
        return NULL;
    a->cams = t;
    t = &a->cams[a->n_cams++];
    memset(t, 0, sizeof *t);
    snprintf(t->id, sizeof t->id, "%s", id);
    return t;
}

/* The cause in plain Vietnamese. "Đứng hình" is kept for a frozen
 * picture (image condition): a stalled stream is "luồng bị treo", as in
 * the report. */
static const char *cause_vi(const char *c)
{
    static const char *const k[] = {"unreachable", "auth_failed", "not_found", "no_video", "stream_error", "stalled"};
    static const char *const v[] = {"không kết nối được", "sai mật khẩu", "sai đường dẫn luồng", "không có hình",
                                    "lỗi luồng", "luồng bị treo (không có dữ liệu)"};
    for (int i = 0; i < 6; i++)
        if (strcmp(c, k[i]) == 0)
            return v[i];
    return c;
}

/* The cause in plain English: what a technician reads on a phone. */
static const char *cause_en(const char *c)
{
    static const char *const k[] = {"unreachable", "auth_failed", "not_found", "no_video", "stream_error", "stalled"};
    static const char *const v[] = {"cannot be reached (no connection)", "refuses the password",
                                    "has no stream at that address", "sends no video", "the stream broke off",
                                    "the stream stalled (no data arrives)"};
    for (int i = 0; i < 6; i++)
        if (strcmp(c, k[i]) == 0)
            return v[i];
    return c;
}

static const struct cw_alert_target *target_by_name(struct cw_alerts *a, const char *name)
{
    for (int i = 0; i < a->d->cfg->alerts.n_targets; i++)
        if (strcmp(a->d->cfg->alerts.targets[i].name, name) == 0)
            return &a->d->cfg->alerts.targets[i];
    return NULL;
}

static int in_list(char *const *list, const char *v)
{
    if (!list || !list[0])
        return 1; /* no filter */
    for (int i = 0; list[i]; i++)
        if (strcmp(list[i], v) == 0)
            return 1;
    return 0;
}

/* A target's communes: by current id, or by an id the commune absorbed. */
static int commune_in(char *const *list, const struct cw_camera *cam)
{
    if (!list || !list[0])
        return 1;
    for (int i = 0; list[i]; i++)
        if (cw_commune_is(cam->names.commune, cam->formerly, list[i]))
            return 1;
    return 0;
}

static int local_minute(int64_t us)
{
    time_t t = (time_t)(us / 1000000);
    struct tm tm;
    localtime_r(&t, &tm);
    return tm.tm_hour * 60 + tm.tm_min;
}

/* The declared maintenance window covering the camera now, or NULL. */
static const struct cw_maint *in_maintenance(const struct cw_alerts *a, const struct cw_camera *cam, int64_t now)
{
    return cw_maint_active(a->d->maint, a->d->n_maint, cam->id, &cam->names, now);
}

/* The severity of kind: the config's (alerts.severities), else def. */
static const char *severity_of(const struct cw_alerts *a, const char *kind, const char *def)
{
    for (int i = 0; i < a->d->cfg->alerts.n_severities; i++)
        if (!strcmp(a->d->cfg->alerts.severities[i].kind, kind))
            return a->d->cfg->alerts.severities[i].severity;
    return def;
}

static int severity_rank(const char *s)
{
    return !strcmp(s, "critical") ? 2 : !strcmp(s, "warning") ? 1 : 0;
}

/* Inside the target's quiet hours, the end of them (the next local
 * HH:MM of their end); else 0. */
static int64_t quiet_until(const struct cw_alert_target *t, int64_t now)
{
    if (t->quiet_from_min < 0 || !cw_schedule_contains(t->quiet_from_min, t->quiet_to_min, local_minute(now)))
        return 0;
    time_t s = (time_t)(now / 1000000);
    struct tm tm;
    localtime_r(&s, &tm);
    tm.tm_hour = t->quiet_to_min / 60;
    tm.tm_min = t->quiet_to_min % 60;
    tm.tm_sec = 0;
    tm.tm_isdst = -1;
    time_t end = mktime(&tm);
    if ((int64_t)end * 1000000 <= now) {
        tm.tm_mday++;
        tm.tm_isdst = -1;
        end = mktime(&tm);
    }
    return (int64_t)end * 1000000;
}

/* One delivery of al to t, in the next batch: due now, or held for the
 * digest at the end of t's quiet hours unless its severity passes. */
static void queue_delivery(struct cw_alerts *a, struct alert *al, const struct cw_alert_target *t, int64_t now,
                           int may_hold)
{
    struct delivery *dl = calloc(1, sizeof *dl);
    if (!dl)
        return;
    int64_t until = may_hold ? quiet_until(t, now) : 0;
    dl->held = until && severity_rank(al->severity) < t->quiet_pass_rank;
    dl->a = al;
    al->refs++;
    dl->owner = a;
    snprintf(dl->target, sizeof dl->target, "%s", t->name);
    dl->next_us = dl->held ? until : now;
    dl->seq = a->d->batch_seq;
    dl->next = a->q;
    a->q = dl;
    a->pending++;
    cw_store_batch_delivery(cw_daemon_batch(a->d), al->key, t->name, 1, dl->held ? "held" : "pending", 0,
                            dl->next_us, "", 0);
}

/* A new alert (one reference), its key unique across restarts and hosts. */
static struct alert *alert_new(struct cw_alerts *a, const char *camera, const char *kind, const char *severity,
                               int64_t now)
{
    struct alert *al = calloc(1, sizeof *al);
    char hostpart[16];
    if (!al)
        return NULL;
    al->refs = 1;
    snprintf(hostpart, sizeof hostpart, "%04x", (unsigned)(getpid() & 0xffff));
    snprintf(al->key, sizeof al->key, "cw-%llx-%s-%llu", (unsigned long long)now, hostpart,
             (unsigned long long)++a->counter);
    snprintf(al->camera, sizeof al->camera, "%s", camera);
    snprintf(al->kind, sizeof al->kind, "%s", kind);
    snprintf(al->severity, sizeof al->severity, "%s", severity);
    al->created_us = now;
    return al;
}

/* The alert's outbox row, in the next batch. */
static void alert_store(struct cw_alerts *a, struct alert *al)
{
    char *body = json_dumps(al->body, JSON_COMPACT);
    cw_store_batch_alert(cw_daemon_batch(a->d), al->key, al->created_us, al->camera, al->kind, al->severity,
                         body ? body : "{}");
    /* the outbox row must be committed before anyone is told: commit now
     * rather than at the next tick */
    cw_daemon_flush_soon(a->d);
    free(body);
}

/* An alert about no camera (a digest, the month's figures) for one target;
 * never held for quiet hours: it is what they end with. */
static void raise_for_target(struct cw_alerts *a, const struct cw_alert_target *t, const char *kind, int64_t now,
                             const char *msg_vi, const char *msg_en, json_t *extra)
{
    const char *severity = severity_of(a, kind, "info");
    struct alert *al = alert_new(a, "", kind, severity, now);
    char ts[40];
    if (!al) {
        json_decref(extra);
        return;
    }
    al->body = json_pack("{s:s, s:s, s:s, s:s, s:I, s:s, s:s}", "key", al->key, "kind", kind, "severity", severity,
                         "time", cw_fmt_utc(now, ts, sizeof ts), "time_us", (json_int_t)now, "message_vi", msg_vi,
                         "message_en", msg_en);
    if (extra) {
        json_object_update(al->body, extra);
        json_decref(extra);
    }
    alert_store(a, al);
    queue_delivery(a, al, t, now, 0);
    cw_info("alert", NULL, "%s (%s) -> %s: %.200s", kind, severity, t->name, a->d->cfg->alerts.lang_vi ? msg_vi : msg_en);
    alert_unref(al);
}

/* Creates the alert, writes it and its deliveries to the next batch.
 * Inside a maintenance window it is held back (logged, not sent): returns
 * 0 then, 1 when raised. */
static int raise_alert(struct cw_alerts *a, const struct cw_camera *cam, const char *kind, const char *severity,
                       int64_t now, const char *msg_vi, const char *msg_en, json_t *extra)
{
    severity = severity_of(a, kind, severity); /* the config's word over the default */
    const struct cw_maint *mw = in_maintenance(a, cam, now);
    if (mw) {
        /* said once per window: held picture alerts are tried every tick */
        struct astate *hs = state_of(a, cam->id);
        if (!hs || hs->held_window != mw->id)
            cw_info("alert", cam->id, "%s held back: maintenance window #%lld (%s %s)", kind, (long long)mw->id,
                    cw_maint_scope_name(mw->scope), mw->target);
        if (hs)
            hs->held_window = mw->id;
        json_decref(extra);
        return 0;
    }
    struct alert *al = alert_new(a, cam->id, kind, severity, now);
    char ts[40];
    if (!al) {
        json_decref(extra);
        return 0;
    }
    const struct cw_names *nm = &cam->names;
    al->body = json_pack("{s:s, s:s, s:s, s:s, s:I, s:{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}, s:s, s:s}",
                         "key", al->key, "kind", kind, "severity", severity, "time", cw_fmt_utc(now, ts, sizeof ts),
                         "time_us", (json_int_t)now, "camera", "id", cam->id, "name", nm->name, "site", nm->site,
                         "site_name", nm->site_name, "commune", nm->commune, "commune_name", nm->commune_name,
                         "district", nm->district, "district_name", nm->district_name, "province", nm->province,
                         "province_name", nm->province_name, "message_vi", msg_vi, "message_en", msg_en);
    if (extra) {
        json_object_update(al->body, extra);
        json_decref(extra);
    }
    alert_store(a, al);
    int routed = 0;
    for (int i = 0; i < a->d->cfg->alerts.n_targets; i++) {
        const struct cw_alert_target *t = &a->d->cfg->alerts.targets[i];
        int escalation = !strcmp(kind, "camera_escalated");
        if (escalation != (a->d->cfg->alerts.escalate_to && !strcmp(t->name, a->d->cfg->alerts.escalate_to)))
            continue; /* escalations go to their target only, and it gets them whatever its filters */
        if (escalation)
            goto route;
        if (!in_list(t->kinds, kind) || !in_list(t->sites, nm->site) || !commune_in(t->communes, cam) ||
            !in_list(t->districts, nm->district) ||
            !cw_schedule_contains(t->sched_from_min, t->sched_to_min, local_minute(now)))
            continue;
    route:
        queue_delivery(a, al, t, now, 1);
        routed++;
    }
    cw_info("alert", cam->id, "%s (%s) -> %d target(s): %s", kind, severity, routed,
            a->d->cfg->alerts.lang_vi ? msg_vi : msg_en);
    alert_unref(al);
    return 1;
}

static void label_of(const struct cw_camera *cam, char *buf, size_t len)
{
    const struct cw_names *n = &cam->names;
    snprintf(buf, len, "%s (%s, %s)", n->name, n->site_name[0] ? n->site_name : n->site,
             n->commune_name[0] ? n->commune_name : n->commune);
}

static void hhmm(int64_t us, char *buf, size_t len)
{
    time_t t = (time_t)(us / 1000000);
    struct tm tm;
    localtime_r(&t, &tm);
    strftime(buf, len, "%H:%M %d/%m", &tm);
}

static void raise_offline(struct cw_alerts *a, const struct cw_camera *cam, struct astate *s, int64_t now)
{
    char who[1024], since[32], vi[1400], en[1400];
    const char *cause = cam->cs.state == CW_STATE_STALLED ? "stalled" : cw_cause_name(cam->cs.cause);
    label_of(cam, who, sizeof who);
    hhmm(s->down_since, since, sizeof since);
    if (now - s->window_start > a->d->cfg->alerts.flap_window_us) {
        s->window_start = now;
        s->pair_sent = s->flap_sent = 0;
    }
    if (!s->pair_sent) {
        snprintf(vi, sizeof vi, "Camera %s MẤT KẾT NỐI: %s, từ %s", who, cause_vi(cause), since);
        snprintf(en, sizeof en, "Camera %s OFFLINE: %s, since %s", who, cause_en(cause), since);
        if (!raise_alert(a, cam, "camera_offline", "critical", now, vi, en,
                         json_pack("{s:s, s:s, s:I}", "cause", cause, "detail", cam->detail, "outage_since_us",
                                   (json_int_t)s->down_since)))
            return;
        s->offline_alerted = 1;
        s->offline_sent_us = now;
        s->escalated_us = 0;
        s->pair_sent = 1;
    } else if (!s->flap_sent) {
        int mins = (int)(a->d->cfg->alerts.flap_window_us / 60000000);
        snprintf(vi, sizeof vi, "Camera %s CHẬP CHỜN: mất kết nối nhiều lần trong %d phút, lần này từ %s (%s); tạm ngừng "
                                "báo từng lần", who, mins, since, cause_vi(cause));
        snprintf(en, sizeof en, "Camera %s FLAPPING: lost its connection again within %d minutes, this time since %s "
                                "(%s); further offline alerts are held back", who, mins, since, cause_en(cause));
        if (raise_alert(a, cam, "camera_flapping", "warning", now, vi, en, json_pack("{s:s}", "cause", cause)))
            s->flap_sent = 1;
    }
}

static void place_camera_back(struct cw_alerts *a, struct astate *s, int64_t now);

/* camera_recovered for an outage that was told: at once, or, inside a
 * maintenance window, when it ends (the chat's last word must not stay
 * "MẤT KẾT NỐI" for a camera that came back during the repair). */
static void tell_recovered(struct cw_alerts *a, const struct cw_camera *cam, struct astate *s, int64_t now)
{
    char who[1024], dur[32], at[32], vi[1400], en[1400];
    int64_t back = s->recovered_us;
    label_of(cam, who, sizeof who);
    cw_rfmt_duration(back - s->down_since, 1, dur, sizeof dur);
    hhmm(back, at, sizeof at);
    snprintf(vi, sizeof vi, "Camera %s đã HOẠT ĐỘNG TRỞ LẠI lúc %s sau %s%s", who, at, dur,
             back < now - 1000000 ? " (trong thời gian bảo trì)" : "");
    cw_fmt_duration(back - s->down_since, dur, sizeof dur);
    snprintf(en, sizeof en, "Camera %s is BACK ONLINE at %s after %s%s", who, at, dur,
             back < now - 1000000 ? " (during maintenance)" : "");
    if (raise_alert(a, cam, "camera_recovered", "info", now, vi, en,
                    json_pack("{s:I, s:f, s:I}", "outage_since_us", (json_int_t)s->down_since, "outage_s",
                              (back - s->down_since) / 1e6, "recovered_us", (json_int_t)back))) {
        s->offline_alerted = 0;
        s->recovered_us = 0;
    }
}

void cw_alerts_camera_state(struct cw_alerts *a, const struct cw_camera *cam, int64_t now)
{
    struct astate *s;
    if (!a || !(s = state_of(a, cam->id)))
        return;
    int down = cam->cs.state == CW_STATE_OFFLINE || cam->cs.state == CW_STATE_STALLED;
    if (down && !s->down) {
        s->down = 1;
        s->held_logged = 0;
        s->down_since = cam->cs.outage_since_wall_us ? cam->cs.outage_since_wall_us : cam->cs.since_wall_us;
    } else if (!down && cam->cs.state == CW_STATE_ONLINE && s->down) {
        s->down = 0;
        if (s->folded[0]) {
            place_camera_back(a, s, now);
        } else if (s->offline_alerted) {
            s->recovered_us = now;
            tell_recovered(a, cam, s, now);
        }
        /* a picture that was bad when the stream ended is seen again */
        for (int i = 0; i < N_PICTURE; i++)
            if (s->pic[i].unknown) {
                s->pic[i].unknown = 0;
                s->pic[i].good_since = now;
            }
    }
}

void cw_alerts_image(struct cw_alerts *a, const struct cw_camera *cam, const char *condition, int on, int stream_ended,
                     int64_t now)
{
    struct astate *s;
    int i;
    if (!a || !(s = state_of(a, cam->id)))
        return;
    for (i = 0; i < N_PICTURE && strcmp(cond_names[i], condition) != 0; i++)
        ;
    if (i == N_PICTURE)
        return;
    struct picture *p = &s->pic[i];
    if (on) {
        if (!p->bad_since)
            p->bad_since = now;
        p->good_since = 0;
        p->unknown = 0;
    } else if (p->bad_since) {
        /* a condition that ends because the stream ended is not seen to
         * end: nothing is said ("hết tối đen" as the camera dies would be
         * good news at the worst moment) until the picture is seen again */
        if (stream_ended)
            p->unknown = 1;
        else
            p->good_since = now;
    }
}

/* The picture's alerts, on the tick: image_bad once a condition has held
 * for the grace, image_ok once the picture has been good for the grace,
 * one pair per flap window and then one image_flapping. Inside a
 * maintenance window they wait (raise_alert holds them) and are told at
 * its end if still true. */
static void pictures(struct cw_alerts *a, const struct cw_camera *cam, struct astate *s, int64_t now)
{
    const struct cw_alerts_config *ac = &a->d->cfg->alerts;
    char who[1024], at[32], vi[1400], en[1400];
    for (int i = 0; i < N_PICTURE; i++) {
        struct picture *p = &s->pic[i];
        if (!p->bad_since || p->unknown)
            continue;
        const char *wv = cw_word(cond_names[i], 1), *we = cw_word(cond_names[i], 0);
        if (!p->good_since) {
            if (p->alerted || now - p->bad_since < ac->offline_grace_us)
                continue;
            if (now - p->window_start > ac->flap_window_us) {
                p->window_start = now;
                p->pair_sent = p->flap_sent = 0;
            }
            label_of(cam, who, sizeof who);
            hhmm(p->bad_since, at, sizeof at);
            if (!p->pair_sent) {
                snprintf(vi, sizeof vi, "Camera %s: hình ảnh %s từ %s", who, wv, at);
                snprintf(en, sizeof en, "Camera %s: the picture is %s since %s", who, we, at);
                if (raise_alert(a, cam, "image_bad", "warning", now, vi, en,
                                json_pack("{s:s, s:I}", "condition", cond_names[i], "since_us", (json_int_t)p->bad_since)))
                    p->alerted = p->pair_sent = 1;
            } else if (!p->flap_sent) {
                int mins = (int)(ac->flap_window_us / 60000000);
                snprintf(vi, sizeof vi, "Camera %s: hình ảnh CHẬP CHỜN (%s nhiều lần trong %d phút, lần này từ %s); "
                                        "tạm ngừng báo từng lần", who, wv, mins, at);
                snprintf(en, sizeof en, "Camera %s: the picture is FLAPPING (%s again within %d minutes, this time since "
                                        "%s); further picture alerts are held back", who, we, mins, at);
                if (raise_alert(a, cam, "image_flapping", "warning", now, vi, en,
                                json_pack("{s:s, s:I}", "condition", cond_names[i], "since_us", (json_int_t)p->bad_since)))
                    p->flap_sent = 1;
            }
            continue;
        }
        if (now - p->good_since < ac->offline_grace_us)
            continue;
        if (p->alerted) {
            label_of(cam, who, sizeof who);
            hhmm(p->good_since, at, sizeof at);
            snprintf(vi, sizeof vi, "Camera %s: hình ảnh hết %s từ %s", who, wv, at);
            snprintf(en, sizeof en, "Camera %s: the picture is no longer %s since %s", who, we, at);
            if (!raise_alert(a, cam, "image_ok", "info", now, vi, en,
                             json_pack("{s:s, s:I}", "condition", cond_names[i], "since_us", (json_int_t)p->good_since)))
                continue; /* held: told when the maintenance window ends */
        }
        p->bad_since = p->good_since = 0;
        p->alerted = 0;
    }
}

void cw_alerts_motion(struct cw_alerts *a, const struct cw_camera *cam, const char *plugin, int64_t start_us,
                      int64_t now_us, double score, const char *snapshot, int continues)
{
    struct astate *s;
    if (!a || !(s = state_of(a, cam->id)))
        return;
    /* an event split by event_max goes on: it is the same for alerting */
    if (continues)
        return;
    int64_t cd = a->d->cfg->alerts.cooldown_us;
    if (cd > 0 && s->motion_sent_us && now_us - s->motion_sent_us < cd) {
        if (s->motion_more++ == 0)
            s->motion_more_since = start_us;
        s->motion_more_last = now_us;
        cw_debug("alert", cam->id, "motion inside the cooldown: counted (%d since the last alert)", s->motion_more);
        return;
    }
    char who[1024], at[32], vi[1600], en[1600], more_vi[96] = "", more_en[96] = "";
    label_of(cam, who, sizeof who);
    hhmm(start_us, at, sizeof at);
    if (s->motion_more) {
        char since[32];
        hhmm(s->motion_more_since, since, sizeof since);
        snprintf(more_vi, sizeof more_vi, " (và %d lần khác từ %s)", s->motion_more, since);
        snprintf(more_en, sizeof more_en, " (and %d more since %s)", s->motion_more, since);
    }
    snprintf(vi, sizeof vi, "Camera %s: PHÁT HIỆN CHUYỂN ĐỘNG lúc %s%s", who, at, more_vi);
    snprintf(en, sizeof en, "Camera %s: MOTION at %s%s", who, at, more_en);
    if (raise_alert(a, cam, "motion", "info", now_us, vi, en,
                    json_pack("{s:s, s:I, s:f, s:s?, s:i}", "plugin", plugin, "start_us", (json_int_t)start_us, "score",
                              score, "snapshot", snapshot && snapshot[0] ? snapshot : NULL, "more", s->motion_more))) {
        s->motion_sent_us = now_us;
        s->motion_more = 0;
    }
}

/* Events counted inside a cooldown that no later event told: said once the
 * camera has been quiet for a cooldown (while motion goes on, the next
 * event's message carries the count), so that the messages account for
 * every event. */
static void motion_summaries(struct cw_alerts *a, int64_t now)
{
    int64_t cd = a->d->cfg->alerts.cooldown_us;
    for (int i = 0; i < a->d->n_cameras; i++) {
        struct cw_camera *cam = a->d->cameras[i];
        struct astate *s = state_of(a, cam->id);
        if (!s || !s->motion_more || now - s->motion_sent_us < cd || now - s->motion_more_last < cd)
            continue;
        char who[1024], since[32], vi[1400], en[1400];
        label_of(cam, who, sizeof who);
        hhmm(s->motion_more_since, since, sizeof since);
        snprintf(vi, sizeof vi, "Camera %s: %d lần chuyển động khác từ %s", who, s->motion_more, since);
        snprintf(en, sizeof en, "Camera %s: %d more motion events since %s", who, s->motion_more, since);
        if (raise_alert(a, cam, "motion", "info", now, vi, en,
                        json_pack("{s:s, s:I, s:i}", "plugin", "", "start_us", (json_int_t)s->motion_more_since, "more",
                                  s->motion_more))) {
            s->motion_sent_us = now;
            s->motion_more = 0;
        }
    }
}

/* ---- whole sites and communes ---- */

static const char *place_id(const struct cw_camera *cam, int level)
{
    return level ? cam->names.commune : cam->names.site;
}

static struct place *place_find(struct cw_alerts *a, const char *key)
{
    for (int i = 0; i < a->n_places; i++)
        if (strcmp(a->places[i].key, key) == 0)
            return &a->places[i];
    return NULL;
}

/* The names of the place's cameras that are folded into key (and down if
 * down_only), comma-separated. */
static void place_list(struct cw_alerts *a, const char *key, int down_only, char *buf, size_t len, int *n)
{
    size_t o = 0;
    *n = 0;
    buf[0] = '\0';
    for (int i = 0; i < a->d->n_cameras; i++) {
        struct cw_camera *c = a->d->cameras[i];
        struct astate *cs = state_of(a, c->id);
        if (!cs || strcmp(cs->folded, key) != 0 || (down_only && !cs->down))
            continue;
        if (o + strlen(c->names.name) + 4 < len)
            o += (size_t)snprintf(buf + o, len - o, "%s%s", *n ? ", " : "", c->names.name);
        (*n)++;
    }
}

/* cam is past its grace: if most of its site (or commune) went down with
 * it, one alert tells them all. Returns 1 when it did (or held it back). */
static int try_place(struct cw_alerts *a, const struct cw_camera *cam, struct astate *s, int64_t now)
{
    const struct cw_alerts_config *ac = &a->d->cfg->alerts;
    if (!(ac->place_share > 0))
        return 0;
    for (int level = 1; level >= 0; level--) { /* the larger place first */
        const char *id = place_id(cam, level);
        int total = 0, together = 0;
        for (int i = 0; i < a->d->n_cameras; i++) {
            struct cw_camera *c = a->d->cameras[i];
            if (strcmp(place_id(c, level), id) != 0)
                continue;
            total++;
            struct astate *cs = state_of(a, c->id);
            int64_t gap = cs ? cs->down_since - s->down_since : 0;
            if (cs && cs->down && !cs->offline_alerted && !cs->folded[0] && gap <= ac->place_window_us &&
                gap >= -ac->place_window_us)
                together++;
        }
        if (together < 2 || together < ac->place_share * total)
            continue;
        char key[80];
        snprintf(key, sizeof key, "%s:%s", level ? "commune" : "site", id);
        for (int i = 0; i < a->d->n_cameras; i++) {
            struct cw_camera *c = a->d->cameras[i];
            struct astate *cs = state_of(a, c->id);
            int64_t gap = cs ? cs->down_since - s->down_since : 0;
            if (cs && strcmp(place_id(c, level), id) == 0 && cs->down && !cs->offline_alerted && !cs->folded[0] &&
                gap <= ac->place_window_us && gap >= -ac->place_window_us) {
                snprintf(cs->folded, sizeof cs->folded, "%s", key);
                cs->offline_alerted = 1;
                cs->offline_sent_us = now;
                cs->escalated_us = 0;
            }
        }
        struct place *p = realloc(a->places, sizeof *p * (size_t)(a->n_places + 1));
        if (!p)
            return 0;
        a->places = p;
        p = &a->places[a->n_places++];
        memset(p, 0, sizeof *p);
        snprintf(p->key, sizeof p->key, "%s", key);
        p->level = level;
        p->since = s->down_since;
        p->n = together;
        snprintf(p->first, sizeof p->first, "%s", cam->id);
        char list[900], since[32], vi[1600], en[1600];
        int n;
        place_list(a, key, 1, list, sizeof list, &n);
        hhmm(s->down_since, since, sizeof since);
        const char *pname = level ? (cam->names.commune_name[0] ? cam->names.commune_name : id)
                                  : (cam->names.site_name[0] ? cam->names.site_name : id);
        snprintf(vi, sizeof vi, "%s %s MẤT KẾT NỐI: %d/%d camera ngừng cùng lúc từ %s (%s) - có thể mất điện hoặc mất "
                                "đường truyền",
                 level ? "XÃ" : "ĐIỂM", pname, n, total, since, list);
        snprintf(en, sizeof en, "%s %s DOWN: %d of %d cameras stopped together at %s (%s) - likely power or uplink",
                 level ? "COMMUNE" : "SITE", pname, n, total, since, list);
        json_t *cams = json_array();
        for (int i = 0; i < a->d->n_cameras; i++) {
            struct astate *cs = state_of(a, a->d->cameras[i]->id);
            if (cs && strcmp(cs->folded, key) == 0)
                json_array_append_new(cams, json_string(a->d->cameras[i]->id));
        }
        raise_alert(a, cam, level ? "commune_down" : "site_down", "critical", now, vi, en,
                    json_pack("{s:{s:s, s:s, s:s}, s:o, s:I, s:i}", "place", "level", level ? "commune" : "site", "id",
                              id, "name", pname, "cameras", cams, "outage_since_us", (json_int_t)s->down_since,
                              "cameras_total", total));
        return 1;
    }
    return 0;
}

/* A folded camera is back: when fewer than two (or below the share) of
 * its place's cameras are still down, the place has recovered; the ones
 * still down get alerts of their own if they stay down a grace longer. */
static void place_camera_back(struct cw_alerts *a, struct astate *s, int64_t now)
{
    struct place *p = place_find(a, s->folded);
    if (!p) {
        s->folded[0] = '\0';
        s->offline_alerted = 0;
        return;
    }
    char list[900];
    int still;
    place_list(a, p->key, 1, list, sizeof list, &still);
    if (still >= 2 && still >= a->d->cfg->alerts.place_share * p->n)
        return;
    const struct cw_camera *first = NULL;
    for (int i = 0; i < a->d->n_cameras && !first; i++)
        if (strcmp(a->d->cameras[i]->id, p->first) == 0)
            first = a->d->cameras[i];
    if (!first && a->d->n_cameras)
        first = a->d->cameras[0];
    char dur[48], at[32], vi[1600], en[1600];
    cw_fmt_duration(now - p->since, dur, sizeof dur);
    hhmm(now, at, sizeof at);
    const char *id = strchr(p->key, ':') + 1;
    const char *pname = first ? (p->level ? first->names.commune_name : first->names.site_name) : id;
    if (!pname[0])
        pname = id;
    if (still)
        snprintf(vi, sizeof vi, "%s %s đã HOẠT ĐỘNG TRỞ LẠI lúc %s sau %s; còn ngừng: %s", p->level ? "XÃ" : "ĐIỂM", pname,
                 at, dur, list);
    else
        snprintf(vi, sizeof vi, "%s %s đã HOẠT ĐỘNG TRỞ LẠI lúc %s sau %s", p->level ? "XÃ" : "ĐIỂM", pname, at, dur);
    if (still)
        snprintf(en, sizeof en, "%s %s is BACK at %s after %s; still down: %s", p->level ? "COMMUNE" : "SITE", pname,
                 at, dur, list);
    else
        snprintf(en, sizeof en, "%s %s is BACK at %s after %s", p->level ? "COMMUNE" : "SITE", pname, at, dur);
    if (first)
        raise_alert(a, first, p->level ? "commune_recovered" : "site_recovered", "info", now, vi, en,
                    json_pack("{s:{s:s, s:s, s:s}, s:I, s:f, s:i}", "place", "level", p->level ? "commune" : "site",
                              "id", id, "name", pname, "outage_since_us", (json_int_t)p->since, "outage_s",
                              (now - p->since) / 1e6, "still_down", still));
    /* unfold: those still down are alerted on their own, right away */
    char key[80];
    snprintf(key, sizeof key, "%s", p->key);
    for (int i = 0; i < a->n_cams; i++)
        if (strcmp(a->cams[i].folded, key) == 0) {
            a->cams[i].folded[0] = '\0';
            a->cams[i].offline_alerted = 0;
            /* the place came back around it: a camera a moment behind
             * the others must not get an alert of its own */
            a->cams[i].alert_after_us = now + a->d->cfg->alerts.offline_grace_us;
        }
    *p = a->places[--a->n_places];
}

/* ---- the network's verdict ---- */

void cw_alerts_verdict(struct cw_alerts *a, const struct cw_verdict_change *c)
{
    static const char *const lv_vi[] = {"ĐIỂM", "XÃ", "HUYỆN"}, *const lv_en[] = {"SITE", "COMMUNE", "DISTRICT"};
    if (!a)
        return;
    int worse = c->now == CW_STATUS_DETERIORATED, better = c->was == CW_STATUS_DETERIORATED && !worse;
    cw_info("verdict", NULL, "%s %s: %s -> %s", lv_en[c->level], c->id, cw_report_status_name(c->was),
            cw_report_status_name(c->now));
    if (!worse && !better)
        return;
    /* the alert goes out under one of its cameras (names, routing, maintenance) */
    const struct cw_camera *cam = NULL;
    for (int i = 0; i < a->d->n_cameras && !cam; i++) {
        const struct cw_names *n = &a->d->cameras[i]->names;
        const char *id = c->level == 0 ? n->site : c->level == 1 ? n->commune : n->district;
        if (!strcmp(id, c->id))
            cam = a->d->cameras[i];
    }
    if (!cam)
        return; /* the place left the config */
    int y = 0, m = 0;
    sscanf(c->period, "%d-%d", &y, &m);
    char pv[64], pe[64], up_v[32], up_e[32], ch_v[96], ch_e[96], why_v[400] = "", why_e[400] = "", d1[48], d2[48];
    cw_rfmt_month(y, m, 1, pv, sizeof pv);
    cw_rfmt_month(y, m, 0, pe, sizeof pe);
    cw_rfmt_pct(c->uptime, 1, up_v, sizeof up_v);
    cw_rfmt_pct(c->uptime, 0, up_e, sizeof up_e);
    if (c->change_known) {
        cw_rfmt_points(c->change, 1, d1, sizeof d1);
        cw_rfmt_points(c->change, 0, d2, sizeof d2);
        snprintf(ch_v, sizeof ch_v, " (%s so với tháng trước)", d1);
        snprintf(ch_e, sizeof ch_e, " (%s from last month)", d2);
    } else {
        ch_v[0] = ch_e[0] = '\0';
    }
    if (worse && c->worst_down_us >= a->d->cfg->report.max_down_us && c->worst_camera[0]) {
        snprintf(why_v, sizeof why_v, "; camera %s ngừng %s liên tục", c->worst_camera,
                 cw_rfmt_duration(c->worst_down_us, 1, d1, sizeof d1));
        snprintf(why_e, sizeof why_e, "; camera %s down %s in one outage", c->worst_camera,
                 cw_rfmt_duration(c->worst_down_us, 0, d2, sizeof d2));
    } else if (worse && c->trend != CW_TREND_NONE) {
        snprintf(why_v, sizeof why_v, "; giảm %s điểm so với %s", cw_rfmt_num(c->trend_drop, 1, 1, d1, sizeof d1),
                 c->trend == CW_TREND_PREV ? "tháng trước" : "trung bình 3 tháng trước");
        snprintf(why_e, sizeof why_e, "; down %s points from %s", cw_rfmt_num(c->trend_drop, 1, 0, d2, sizeof d2),
                 c->trend == CW_TREND_PREV ? "last month" : "the mean of the 3 months before");
    }
    char vi[1600], en[1600];
    snprintf(vi, sizeof vi, "%s %s %s (%s đến nay): tỷ lệ hoạt động %s%s, %d/%d camera đạt%s", lv_vi[c->level], c->name,
             worse ? "XUỐNG CẤP" : "HẾT XUỐNG CẤP", pv, up_v, ch_v, c->at_target, c->cameras, why_v);
    snprintf(en, sizeof en, "%s %s %s (%s so far): uptime %s%s, %d of %d cameras at target%s", lv_en[c->level], c->name,
             worse ? "DETERIORATED" : "NO LONGER DETERIORATED", pe, up_e, ch_e, c->at_target, c->cameras, why_e);
    raise_alert(a, cam, worse ? "network_deteriorated" : "network_improved", worse ? "warning" : "info", cw_wall_us(), vi,
                en,
                json_pack("{s:{s:s, s:s, s:s}, s:s, s:s, s:s, s:f, s:i, s:i}", "place", "level",
                          c->level == 0 ? "site" : c->level == 1 ? "commune" : "district", "id", c->id, "name", c->name,
                          "status", cw_report_status_name(c->now), "was", cw_report_status_name(c->was), "period",
                          c->period, "uptime_pct", c->uptime, "cameras", c->cameras, "at_target", c->at_target));
}

/* One message for the committee: the month's figures as the report will
 * give them, and where to read the rest. */
void cw_alerts_month_digest(struct cw_alerts *a, const struct cw_month_digest *m)
{
    const struct cw_alerts_config *ac = a ? &a->d->cfg->alerts : NULL;
    const struct cw_alert_target *t = ac ? target_by_name(a, ac->monthly_digest_to) : NULL;
    if (!t)
        return;
    char pv[64], pe[64], up_v[32], up_e[32], mon_v[32], mon_e[32], d1[48], d2[48], tgt_v[32], tgt_e[32];
    char ch_v[96] = "", ch_e[96] = "", det_v[600] = "", det_e[600] = "", down_v[400] = "", down_e[400] = "";
    cw_rfmt_month(m->year, m->month, 1, pv, sizeof pv);
    cw_rfmt_month(m->year, m->month, 0, pe, sizeof pe);
    cw_rfmt_pct(m->uptime, 1, up_v, sizeof up_v);
    cw_rfmt_pct(m->uptime, 0, up_e, sizeof up_e);
    cw_rfmt_pct(m->monitored, 1, mon_v, sizeof mon_v);
    cw_rfmt_pct(m->monitored, 0, mon_e, sizeof mon_e);
    /* the target as the config says it: 90, or 92.5 */
    double target = a->d->cfg->report.uptime_target;
    int tdec = target != (double)(long)target;
    snprintf(tgt_v, sizeof tgt_v, "%s\xc2\xa0%%", cw_rfmt_num(target, tdec, 1, d1, sizeof d1)); /* as cw_rfmt_pct */
    snprintf(tgt_e, sizeof tgt_e, "%s%%", cw_rfmt_num(target, tdec, 0, d2, sizeof d2));
    if (m->change_known) {
        snprintf(ch_v, sizeof ch_v, " (%s so với tháng trước)", cw_rfmt_points(m->change, 1, d1, sizeof d1));
        snprintf(ch_e, sizeof ch_e, " (%s from the month before)", cw_rfmt_points(m->change, 0, d2, sizeof d2));
    }
    if (m->n_deteriorated) {
        size_t ov = (size_t)snprintf(det_v, sizeof det_v, " Xuống cấp:"), oe = (size_t)snprintf(det_e, sizeof det_e,
                                                                                                  " Deteriorated:");
        for (int i = 0; i < m->n_deteriorated && ov < sizeof det_v && oe < sizeof det_e; i++) {
            ov += (size_t)snprintf(det_v + ov, sizeof det_v - ov, "%s %s", i ? "," : "", m->deteriorated[i]);
            oe += (size_t)snprintf(det_e + oe, sizeof det_e - oe, "%s %s", i ? "," : "", m->deteriorated[i]);
        }
        if (ov < sizeof det_v)
            snprintf(det_v + ov, sizeof det_v - ov, "%s.", m->communes[2] > m->n_deteriorated ? ", …" : "");
        if (oe < sizeof det_e)
            snprintf(det_e + oe, sizeof det_e - oe, "%s.", m->communes[2] > m->n_deteriorated ? ", …" : "");
    }
    if (m->n_down_all) {
        size_t ov = (size_t)snprintf(down_v, sizeof down_v, " %d camera không hoạt động cả tháng:", m->n_down_all);
        size_t oe = (size_t)snprintf(down_e, sizeof down_e, " %d camera%s not working all month:", m->n_down_all,
                                     m->n_down_all == 1 ? "" : "s");
        int shown = m->n_down_all < CW_DIGEST_NAMES ? m->n_down_all : CW_DIGEST_NAMES;
        for (int i = 0; i < shown && ov < sizeof down_v && oe < sizeof down_e; i++) {
            ov += (size_t)snprintf(down_v + ov, sizeof down_v - ov, "%s %s", i ? "," : "", m->down_all[i]);
            oe += (size_t)snprintf(down_e + oe, sizeof down_e - oe, "%s %s", i ? "," : "", m->down_all[i]);
        }
        if (ov < sizeof down_v)
            snprintf(down_v + ov, sizeof down_v - ov, "%s (đề nghị sửa chữa hoặc thay thế).",
                     m->n_down_all > shown ? ", …" : "");
        if (oe < sizeof down_e)
            snprintf(down_e + oe, sizeof down_e - oe, "%s (to repair or replace).", m->n_down_all > shown ? ", …" : "");
    }
    char vi[2400], en[2400], period[16];
    snprintf(period, sizeof period, "%04d-%02d", m->year, m->month);
    snprintf(vi, sizeof vi,
             "TỔNG HỢP %s: %d camera, tỷ lệ hoạt động %s%s; %d/%d camera đạt mục tiêu %s. Xã: %d đạt, %d cần "
             "theo dõi, %d xuống cấp.%s%s camwatch giám sát %s thời gian. Báo cáo đầy đủ: camwatch report "
             "--month %s --format pdf",
             pv, m->cameras, up_v, ch_v, m->at_target, m->cameras, tgt_v, m->communes[0], m->communes[1],
             m->communes[2], det_v, down_v, mon_v, period);
    snprintf(en, sizeof en,
             "SUMMARY OF %s: %d cameras, uptime %s%s; %d of %d cameras reached the %s target. Communes: %d OK, "
             "%d degraded, %d deteriorated.%s%s camwatch watched %s of the time. Full report: camwatch report "
             "--month %s --format pdf",
             pe, m->cameras, up_e, ch_e, m->at_target, m->cameras, tgt_e, m->communes[0], m->communes[1],
             m->communes[2], det_e, down_e, mon_e, period);
    raise_for_target(a, t, "monthly_digest", cw_wall_us(), vi, en,
                     json_pack("{s:s, s:i, s:i, s:f, s:o, s:f, s:{s:i, s:i, s:i}, s:i}", "period", period, "cameras",
                               m->cameras, "at_target", m->at_target, "uptime_pct", m->uptime, "change_points",
                               m->change_known ? json_real(m->change) : json_null(), "monitored_pct", m->monitored,
                               "communes", "ok", m->communes[0], "degraded", m->communes[1], "deteriorated",
                               m->communes[2], "down_all_month", m->n_down_all));
}

/* ---- delivery ---- */

static const char *body_str(json_t *b, const char *k)
{
    const char *s = json_string_value(json_object_get(b, k));
    return s ? s : "";
}

/* {{field}} substitution with JSON-escaped values. */
static char *render_template(const char *tpl, json_t *b, int vi)
{
    json_t *cam = json_object_get(b, "camera");
    size_t cap = strlen(tpl) * 2 + 1024, o = 0;
    char *out = malloc(cap);
    for (const char *p = tpl; out && *p;) {
        const char *end;
        if (p[0] == '{' && p[1] == '{' && (end = strstr(p + 2, "}}"))) {
            char name[40];
            snprintf(name, sizeof name, "%.*s", (int)(end - p - 2), p + 2);
            const char *v = "";
            if (!strcmp(name, "message"))
                v = body_str(b, vi ? "message_vi" : "message_en");
            else if (!strcmp(name, "camera"))
                v = body_str(cam, "id");
            else if (!strcmp(name, "camera_name"))
                v = body_str(cam, "name");
            else if (!strcmp(name, "site") || !strcmp(name, "site_name") || !strcmp(name, "commune") ||
                     !strcmp(name, "commune_name") || !strcmp(name, "district"))
                v = body_str(cam, name);
            else
                v = body_str(b, name);
            json_t *js = json_string(v);
            char *enc = json_dumps(js, JSON_ENCODE_ANY);
            json_decref(js);
            size_t n = enc ? strlen(enc) - 2 : 0; /* without the quotes */
            if (o + n + 1 > cap) {
                char *t = realloc(out, cap = (o + n + 1) * 2);
                if (!t) {
                    free(enc);
                    free(out);
                    return NULL;
                }
                out = t;
            }
            if (enc)
                memcpy(out + o, enc + 1, n);
            o += n;
            free(enc);
            p = end + 2;
            continue;
        }
        if (o + 2 > cap) {
            char *t = realloc(out, cap *= 2);
            if (!t) {
                free(out);
                return NULL;
            }
            out = t;
        }
        out[o++] = *p++;
    }
    if (out)
        out[o] = '\0';
    return out;
}

/* What resolves an alert at Alertmanager, and whether kind fires one
 * that stays firing until resolved. */
static int am_match(const struct alert *al, char *match, size_t len, int *firing, int *resolving)
{
    json_t *b = al->body;
    const char *k = al->kind, *cam = body_str(json_object_get(b, "camera"), "id");
    const char *place = body_str(json_object_get(b, "place"), "id"), *plevel = body_str(json_object_get(b, "place"), "level");
    *firing = !strcmp(k, "camera_offline") || !strcmp(k, "image_bad") || !strcmp(k, "site_down") ||
              !strcmp(k, "commune_down");
    *resolving = !strcmp(k, "camera_recovered") || !strcmp(k, "image_ok") || !strcmp(k, "site_recovered") ||
                 !strcmp(k, "commune_recovered");
    if (!strcmp(k, "camera_offline") || !strcmp(k, "camera_recovered"))
        snprintf(match, len, "offline:%s", cam);
    else if (!strcmp(k, "image_bad") || !strcmp(k, "image_ok"))
        snprintf(match, len, "image:%s:%s", cam, body_str(b, "condition"));
    else if (place[0])
        snprintf(match, len, "place:%s:%s", plevel, place);
    else
        match[0] = '\0';
    return 0;
}

/* Alertmanager: one alert with its severity, a description, the runbook
 * and a link to the camera (generatorURL). A firing alert's endsAt is 3
 * repost intervals ahead: camwatch posts it again every interval while it
 * fires, so if camwatchd dies it resolves by itself (and the rule
 * CamwatchAbsent says why). A recovery resolves it; motion and flapping
 * expire after 15 minutes. */
static char *alertmanager_body(struct cw_alerts *a, struct alert *al, int vi)
{
    json_t *b = al->body, *cam = json_object_get(b, "camera"), *place = json_object_get(b, "place");
    const char *kind = al->kind, *name = "CamwatchMotion";
    char starts[40], ends[40], match[120], gen[300] = "", desc[1600];
    int64_t now = cw_wall_us(), start = al->created_us, end;
    int firing, resolving;
    am_match(al, match, sizeof match, &firing, &resolving);
    if (!strncmp(kind, "camera_offline", 14) || !strcmp(kind, "camera_recovered"))
        name = "CamwatchCameraOffline";
    else if (!strcmp(kind, "camera_flapping"))
        name = "CamwatchCameraFlapping";
    else if (!strcmp(kind, "image_flapping"))
        name = "CamwatchImageFlapping";
    else if (!strcmp(kind, "image_bad") || !strcmp(kind, "image_ok"))
        name = "CamwatchImageBad";
    else if (!strcmp(kind, "site_down") || !strcmp(kind, "site_recovered"))
        name = "CamwatchSiteDown";
    else if (!strcmp(kind, "commune_down") || !strcmp(kind, "commune_recovered"))
        name = "CamwatchCommuneDown";
    else if (!strcmp(kind, "network_deteriorated") || !strcmp(kind, "network_improved"))
        name = "CamwatchNetworkDeteriorated";
    else if (!strcmp(kind, "camera_escalated"))
        name = "CamwatchCameraEscalated";
    if (json_integer_value(json_object_get(b, "outage_since_us")) > 0)
        start = json_integer_value(json_object_get(b, "outage_since_us"));
    else if (json_integer_value(json_object_get(b, "start_us")) > 0)
        start = json_integer_value(json_object_get(b, "start_us"));
    if (resolving)
        end = al->created_us;
    else if (firing)
        end = now + 3 * a->d->cfg->alerts.repost_us;
    else
        end = (al->created_us > now ? al->created_us : now) + 15 * 60000000LL;
    if (start <= 0 || start > end)
        start = al->created_us < end ? al->created_us : end;
    /* the severity is the firing alert's: a recovery must carry the same
     * labels to resolve it */
    const char *sev = al->severity;
    if (!strcmp(kind, "camera_recovered"))
        sev = severity_of(a, "camera_offline", "critical");
    else if (!strcmp(kind, "site_recovered"))
        sev = severity_of(a, "site_down", "critical");
    else if (!strcmp(kind, "commune_recovered"))
        sev = severity_of(a, "commune_down", "critical");
    else if (!strcmp(kind, "image_ok"))
        sev = severity_of(a, "image_bad", "warning");
    json_t *labels = json_pack("{s:s, s:s, s:s, s:s, s:s}", "alertname", name, "site", body_str(cam, "site"),
                               "commune", body_str(cam, "commune"), "district", body_str(cam, "district"), "severity",
                               sev);
    if (place && !strcmp(body_str(place, "level"), "commune"))
        json_object_del(labels, "site"); /* a commune alert is not one site's */
    if (!place)
        json_object_set_new(labels, "camera", json_string(body_str(cam, "id")));
    if (!strcmp(kind, "image_bad") || !strcmp(kind, "image_ok") || !strcmp(kind, "image_flapping"))
        json_object_set_new(labels, "condition", json_string(body_str(b, "condition")));
    const char *cause = body_str(b, "cause"), *detail = body_str(b, "detail");
    snprintf(desc, sizeof desc, "%s%s%s%s%s", body_str(b, vi ? "message_vi" : "message_en"),
             cause[0] ? (vi ? " | nguyên nhân: " : " | cause: ") : "", cause[0] ? (vi ? cause_vi(cause) : cause_en(cause)) : "",
             detail[0] ? " | " : "", detail);
    if (a->d->cfg->http.listen && a->d->cfg->http.listen[0])
        snprintf(gen, sizeof gen, "http://%s/api/v1/cameras/%s", a->d->cfg->http.listen, body_str(cam, "id"));
    json_t *ann = json_pack("{s:s, s:s, s:s, s:s}", "summary", body_str(b, vi ? "message_vi" : "message_en"),
                            "description", desc, "runbook_url",
                            a->d->cfg->alerts.runbook_url ? a->d->cfg->alerts.runbook_url : "", "camwatch_key", al->key);
    json_t *one = json_pack("{s:o, s:o, s:s, s:s}", "labels", labels, "annotations", ann, "startsAt",
                            cw_fmt_utc(start, starts, sizeof starts), "endsAt", cw_fmt_utc(end, ends, sizeof ends));
    if (gen[0])
        json_object_set_new(one, "generatorURL", json_string(gen));
    json_t *arr = json_pack("[o]", one);
    char *s = json_dumps(arr, JSON_COMPACT);
    json_decref(arr);
    return s;
}

/* Keeps the AM alerts that fire, for reposting; a resolving one ends
 * the firing one it matches. */
static void track_firing(struct cw_alerts *a, struct alert *al, const char *target)
{
    char match[120];
    int firing, resolving;
    am_match(al, match, sizeof match, &firing, &resolving);
    if (!match[0] || (!firing && !resolving))
        return;
    for (struct firing **pp = &a->firing; *pp;) {
        struct firing *f = *pp;
        if (!strcmp(f->target, target) && !strcmp(f->match, match)) {
            *pp = f->next;
            alert_unref(f->al);
            free(f);
        } else {
            pp = &f->next;
        }
    }
    if (!firing)
        return;
    struct firing *f = calloc(1, sizeof *f);
    if (!f)
        return;
    f->al = al;
    al->refs++;
    snprintf(f->target, sizeof f->target, "%s", target);
    snprintf(f->match, sizeof f->match, "%s", match);
    f->next = a->firing;
    a->firing = f;
}

static void on_reposted(void *ud, int status, long code, const char *err)
{
    (void)ud;
    if (status != 0 || code < 200 || code >= 300)
        cw_debug("alert", NULL, "Alertmanager repost failed (%s %ld); the next one follows", err ? err : "", code);
}

/* Every repost interval, the firing alerts again with endsAt moved on. */
static void repost_firing(struct cw_alerts *a, int64_t now)
{
    if (!a->firing || now - a->reposted_us < a->d->cfg->alerts.repost_us)
        return;
    a->reposted_us = now;
    for (struct firing *f = a->firing; f; f = f->next) {
        const struct cw_alert_target *t = target_by_name(a, f->target);
        if (!t)
            continue;
        char url[2048];
        snprintf(url, sizeof url, "%s/api/v2/alerts", t->url);
        char *body = alertmanager_body(a, f->al, a->d->cfg->alerts.lang_vi);
        struct cw_httpc_req q = {.method = "POST", .url = url, .content_type = "application/json",
                                 .body = body, .len = body ? strlen(body) : 0, .timeout_ms = 10000};
        cw_httpc_send(a->hc, &q, on_reposted, NULL);
        free(body);
    }
}

static void on_sent(void *ud, int status, long code, const char *err);
static void remove_delivery(struct cw_alerts *a, struct delivery *dl);

static void send_one(struct cw_alerts *a, struct delivery *dl)
{
    const struct cw_alert_target *t = target_by_name(a, dl->target);
    int vi = a->d->cfg->alerts.lang_vi;
    char idem[120], url[2048];
    const char *headers[] = {idem, NULL};
    struct cw_httpc_req q = {.method = "POST", .headers = headers, .timeout_ms = 10000};
    char *body = NULL;
    int rc;

    snprintf(idem, sizeof idem, "Idempotency-Key: %s", dl->a->key);
    if (!t) {
        /* The target left the config (a reload, or a restart with pending
         * deliveries): nothing will ever take it. Close the row as failed
         * and say why, instead of leaving it pending forever. */
        cw_warn("alert", dl->a->camera, "%s to %s: dropped, the target is no longer in the configuration",
                dl->a->kind, dl->target);
        cw_store_batch_delivery(cw_daemon_batch(a->d), dl->a->key, dl->target, 0, "failed", dl->attempts,
                                cw_wall_us(), "target removed from the configuration", 0);
        remove_delivery(a, dl);
        return;
    }
    /* A message replayed after the chat service (or the uplink) was away
     * must not read as news: it says first that it is late and since when
     * (the body carries late_s). */
    int64_t late = cw_wall_us() - dl->a->created_us;
    char late_note[160] = "";
    if (late >= a->d->cfg->alerts.late_after_us) {
        char when[32], d[48];
        hhmm(dl->a->created_us, when, sizeof when);
        if (vi)
            snprintf(late_note, sizeof late_note, "[Gửi muộn %s, sự việc lúc %s] ", cw_rfmt_duration(late, 1, d, sizeof d),
                     when);
        else
            snprintf(late_note, sizeof late_note, "[Late by %s, it happened at %s] ", cw_fmt_duration(late, d, sizeof d),
                     when);
    }
    json_t *sent = json_deep_copy(dl->a->body); /* what goes out: the stored alert and its lateness */
    if (!sent)
        return;
    if (late_note[0]) {
        const char *keys[] = {"message_vi", "message_en"};
        for (int k = 0; k < 2; k++) {
            char *m = NULL;
            if (asprintf(&m, "%s%s", late_note, body_str(sent, keys[k])) >= 0)
                json_object_set_new(sent, keys[k], json_string(m));
            free(m);
        }
        json_object_set_new(sent, "late_s", json_integer(late / 1000000));
    }
    if (!strcmp(t->type, "webhook")) {
        body = t->template_ && t->template_[0] ? render_template(t->template_, sent, vi) : json_dumps(sent, JSON_COMPACT);
        q.url = t->url;
        q.content_type = "application/json";
    } else if (!strcmp(t->type, "alertmanager")) {
        body = alertmanager_body(a, dl->a, vi);
        snprintf(url, sizeof url, "%s/api/v2/alerts", t->url);
        q.url = url;
        q.content_type = "application/json";
    } else { /* telegram */
        const char *base = t->url && t->url[0] ? t->url : "https://api.telegram.org";
        const char *snap = body_str(sent, "snapshot");
        const char *text = body_str(sent, vi ? "message_vi" : "message_en");
        if (snap[0] && access(snap, R_OK) == 0) {
            static const char *form[5];
            snprintf(url, sizeof url, "%s/bot%s/sendPhoto", base, t->token);
            form[0] = "chat_id", form[1] = t->chat_id, form[2] = "caption", form[3] = text, form[4] = NULL;
            q.form = form;
            q.file_field = "photo";
            q.file_path = snap;
        } else {
            snprintf(url, sizeof url, "%s/bot%s/sendMessage", base, t->token);
            json_t *m = json_pack("{s:s, s:s}", "chat_id", t->chat_id, "text", text);
            body = json_dumps(m, JSON_COMPACT);
            json_decref(m);
            q.content_type = "application/json";
        }
        q.url = url;
    }
    q.body = body;
    q.len = body ? strlen(body) : 0;
    rc = cw_httpc_send(a->hc, &q, on_sent, dl);
    free(body);
    json_decref(sent);
    if (rc == 0)
        dl->inflight = 1;
}

static void remove_delivery(struct cw_alerts *a, struct delivery *dl)
{
    for (struct delivery **pp = &a->q; *pp; pp = &(*pp)->next)
        if (*pp == dl) {
            *pp = dl->next;
            break;
        }
    a->pending--;
    alert_unref(dl->a);
    free(dl);
}

static void on_sent(void *ud, int status, long code, const char *err)
{
    struct delivery *dl = ud;
    struct cw_alerts *a = dl->owner;
    int64_t now = cw_wall_us();
    struct cw_store_batch *b = cw_daemon_batch(a->d);
    dl->inflight = 0;
    dl->attempts++;
    if (status == 0 && code >= 200 && code < 300) {
        cw_store_batch_delivery(b, dl->a->key, dl->target, 0, "delivered", dl->attempts, now, "", now);
        int k;
        for (k = 0; k < a->n_counted && strcmp(a->counted[k].name, dl->target) != 0; k++)
            ;
        if (k == a->n_counted && k < MAX_COUNTED)
            snprintf(a->counted[a->n_counted++].name, sizeof a->counted[0].name, "%s", dl->target);
        if (k < MAX_COUNTED)
            a->counted[k].delivered++;
        cw_debug("alert", dl->a->camera, "%s delivered to %s (attempt %d)", dl->a->kind, dl->target, dl->attempts);
        const struct cw_alert_target *t = target_by_name(a, dl->target);
        if (t && !strcmp(t->type, "alertmanager"))
            track_firing(a, dl->a, dl->target);
        remove_delivery(a, dl);
        return;
    }
    char why[300];
    if (status == 0)
        snprintf(why, sizeof why, "HTTP %ld", code);
    else
        snprintf(why, sizeof why, "%s", err); /* never the URL: a Telegram URL holds the bot token */
    if (now - dl->a->created_us > GIVE_UP_US) {
        cw_error("alert", dl->a->camera, "%s to %s: giving up after %d attempts (%s)", dl->a->kind, dl->target,
                 dl->attempts, why);
        cw_store_batch_delivery(b, dl->a->key, dl->target, 0, "failed", dl->attempts, now, why, 0);
        remove_delivery(a, dl);
        return;
    }
    int64_t delay = RETRY_MIN_US << (dl->attempts - 1 < 7 ? dl->attempts - 1 : 7);
    if (delay > RETRY_MAX_US)
        delay = RETRY_MAX_US;
    dl->next_us = now + delay;
    if (dl->attempts == 1 || dl->attempts % 10 == 0)
        cw_warn("alert", dl->a->camera, "%s to %s failed (%s); retrying in %.0f s", dl->a->kind, dl->target, why,
                delay / 1e6);
    cw_store_batch_delivery(b, dl->a->key, dl->target, 0, "pending", dl->attempts, dl->next_us, why, 0);
}

/* The latest acknowledgement of a camera, or NULL. */
static const struct cw_ack *ack_of(const struct cw_alerts *a, const char *camera)
{
    for (int i = 0; i < a->d->n_acks; i++)
        if (strcmp(a->d->acks[i].camera, camera) == 0)
            return &a->d->acks[i];
    return NULL;
}

/* A camera down and told, that nobody acknowledged since its outage began,
 * goes to escalate_to every escalate_after, until acknowledged or back. */
static void escalate(struct cw_alerts *a, int64_t now)
{
    const struct cw_alerts_config *ac = &a->d->cfg->alerts;
    if (ac->escalate_after_us <= 0 || !ac->escalate_to || !ac->escalate_to[0])
        return;
    for (int i = 0; i < a->d->n_cameras; i++) {
        struct cw_camera *cam = a->d->cameras[i];
        struct astate *s = state_of(a, cam->id);
        if (!s || !s->down || !s->offline_alerted || !s->offline_sent_us)
            continue;
        int64_t last = s->escalated_us ? s->escalated_us : s->offline_sent_us;
        if (now - last < ac->escalate_after_us)
            continue;
        const struct cw_ack *k = ack_of(a, cam->id);
        if (k && k->at_us >= s->down_since) {
            if (!s->escalated_us || s->escalated_us < k->at_us) {
                cw_info("alert", cam->id, "not escalated: acknowledged by %s", k->by);
                s->escalated_us = INT64_MAX / 2; /* once per outage */
            }
            continue;
        }
        char who[1024], since[32], dur[48], vi[1600], en[1600];
        const char *cause = cam->cs.state == CW_STATE_STALLED ? "stalled" : cw_cause_name(cam->cs.cause);
        label_of(cam, who, sizeof who);
        hhmm(s->down_since, since, sizeof since);
        cw_fmt_duration(now - s->down_since, dur, sizeof dur);
        snprintf(vi, sizeof vi, "CHƯA AI XỬ LÝ: camera %s mất kết nối từ %s (%s): %s. Xác nhận: camwatch ack %s", who,
                 since, dur, cause_vi(cause), cam->id);
        snprintf(en, sizeof en, "NOBODY HAS TAKEN IT ON: camera %s has been down since %s (%s): %s. Acknowledge: "
                                "camwatch ack %s", who, since, dur, cause_en(cause), cam->id);
        /* raise_alert holds it back inside a maintenance window */
        raise_alert(a, cam, "camera_escalated", "critical", now, vi, en,
                    json_pack("{s:s, s:I}", "cause", cause, "outage_since_us", (json_int_t)s->down_since));
        s->escalated_us = now;
    }
}

static int by_created(const void *x, const void *y)
{
    const struct delivery *a = *(struct delivery *const *)x, *b = *(struct delivery *const *)y;
    return (a->a->created_us > b->a->created_us) - (a->a->created_us < b->a->created_us);
}

/* A message's first line, at most max bytes, cut between UTF-8 characters. */
static void first_line(const char *msg, char *out, size_t max)
{
    size_t n = strcspn(msg, "\n");
    if (n >= max) {
        n = max - 4;
        while (n > 0 && ((unsigned char)msg[n] & 0xc0) == 0x80)
            n--;
        snprintf(out, max, "%.*s…", (int)n, msg);
        return;
    }
    snprintf(out, max, "%.*s", (int)n, msg);
}

#define DIGEST_LINES 20

/* Each target whose quiet hours ended gets one message telling what they
 * held back, oldest first; the held deliveries are done ("digested"). */
static void send_digests(struct cw_alerts *a, int64_t now)
{
    for (int i = 0; i < a->d->cfg->alerts.n_targets; i++) {
        const struct cw_alert_target *t = &a->d->cfg->alerts.targets[i];
        int n = 0;
        for (struct delivery *dl = a->q; dl; dl = dl->next)
            n += dl->held && dl->next_us <= now && !strcmp(dl->target, t->name);
        if (!n)
            continue;
        struct delivery **v = calloc((size_t)n, sizeof *v);
        if (!v)
            return;
        int k = 0;
        for (struct delivery *dl = a->q; dl; dl = dl->next)
            if (dl->held && dl->next_us <= now && !strcmp(dl->target, t->name))
                v[k++] = dl;
        qsort(v, (size_t)n, sizeof *v, by_created);
        char from[24], to[24];
        snprintf(from, sizeof from, "%02d:%02d", t->quiet_from_min / 60, t->quiet_from_min % 60);
        snprintf(to, sizeof to, "%02d:%02d", t->quiet_to_min / 60, t->quiet_to_min % 60);
        size_t cap = 600 + (size_t)(n < DIGEST_LINES ? n : DIGEST_LINES) * 260;
        char *vi = malloc(cap), *en = malloc(cap);
        json_t *items = json_array();
        if (!vi || !en) {
            free(vi), free(en), free(v);
            json_decref(items);
            return;
        }
        size_t ov = (size_t)snprintf(vi, cap, "TÓM TẮT GIỜ YÊN LẶNG %s–%s: %d cảnh báo được giữ lại", from, to, n);
        size_t oe = (size_t)snprintf(en, cap, "QUIET HOURS DIGEST %s–%s: %d alert%s held back", from, to, n,
                                     n == 1 ? "" : "s");
        for (k = 0; k < n; k++) {
            struct alert *al = v[k]->a;
            char when[8], lv[240], le[240];
            time_t s = (time_t)(al->created_us / 1000000);
            struct tm tm;
            localtime_r(&s, &tm);
            strftime(when, sizeof when, "%H:%M", &tm);
            first_line(body_str(al->body, "message_vi"), lv, sizeof lv);
            first_line(body_str(al->body, "message_en"), le, sizeof le);
            json_array_append_new(items, json_pack("{s:s, s:s, s:s, s:s, s:I}", "key", al->key, "kind", al->kind,
                                                   "camera", al->camera, "severity", al->severity, "time_us",
                                                   (json_int_t)al->created_us));
            if (k < DIGEST_LINES) {
                ov += (size_t)snprintf(vi + ov, cap - ov, "\n• %s %s", when, lv);
                oe += (size_t)snprintf(en + oe, cap - oe, "\n• %s %s", when, le);
            } else if (k == DIGEST_LINES) {
                ov += (size_t)snprintf(vi + ov, cap - ov, "\n… và %d cảnh báo khác (camwatch alerts)", n - k);
                oe += (size_t)snprintf(en + oe, cap - oe, "\n… and %d more (camwatch alerts)", n - k);
            }
        }
        raise_for_target(a, t, "quiet_digest", now, vi, en, json_pack("{s:o}", "held", items));
        struct cw_store_batch *b = cw_daemon_batch(a->d);
        for (k = 0; k < n; k++) {
            cw_store_batch_delivery(b, v[k]->a->key, v[k]->target, 0, "digested", v[k]->attempts, now, "", now);
            remove_delivery(a, v[k]);
        }
        free(vi), free(en), free(v);
    }
}

static void on_tick(uv_timer_t *t)
{
    struct cw_alerts *a = t->data;
    int64_t now = cw_wall_us();
    /* offline after the grace period */
    for (int i = 0; i < a->d->n_cameras; i++) {
        struct cw_camera *cam = a->d->cameras[i];
        struct astate *s = state_of(a, cam->id);
        /* Inside a maintenance window the offline alert waits: if the
         * camera is still down when the window ends, it goes out then. */
        if (!s || !s->down || s->offline_alerted || now - s->down_since < a->d->cfg->alerts.offline_grace_us ||
            now < s->alert_after_us ||
            (cam->cs.state != CW_STATE_OFFLINE && cam->cs.state != CW_STATE_STALLED))
            continue;
        const struct cw_maint *mw = in_maintenance(a, cam, now);
        if (!mw) {
            if (!try_place(a, cam, s, now))
                raise_offline(a, cam, s, now);
        }
        else if (!s->held_logged) {
            s->held_logged = 1;
            cw_info("alert", cam->id, "camera_offline held back: maintenance window #%lld (%s %s) until %s",
                    (long long)mw->id, cw_maint_scope_name(mw->scope), mw->target,
                    cw_fmt_local(mw->to_us, (char[32]){0}, 32));
        }
    }
    for (int i = 0; i < a->d->n_cameras; i++) {
        struct cw_camera *cam = a->d->cameras[i];
        struct astate *s = state_of(a, cam->id);
        if (!s)
            continue;
        pictures(a, cam, s, now);
        if (s->recovered_us && !s->down && !in_maintenance(a, cam, now))
            tell_recovered(a, cam, s, now);
    }
    motion_summaries(a, now);
    send_digests(a, now);
    escalate(a, now);
    repost_firing(a, now);
    cw_alerts_send_due(a);
}

void cw_alerts_send_due(struct cw_alerts *a)
{
    if (!a)
        return;
    int64_t now = cw_wall_us();
    /* what is committed and due, a bounded number at a time */
    int started = 0;
    for (struct delivery *dl = a->q, *next; dl && started < 32; dl = next) {
        next = dl->next; /* send_one may drop dl (its target is gone) */
        if (!dl->inflight && !dl->held && dl->seq <= a->d->committed_seq && dl->next_us <= now) {
            send_one(a, dl);
            started++;
        }
    }
}

static void on_loaded(void *ud, const struct cw_delivery_row *r)
{
    struct cw_alerts *a = ud;
    json_error_t jerr;
    struct alert *al = NULL;
    for (struct delivery *dl = a->q; dl; dl = dl->next)
        if (!strcmp(dl->a->key, r->key))
            al = dl->a;
    if (!al) {
        al = calloc(1, sizeof *al);
        if (!al)
            return;
        snprintf(al->key, sizeof al->key, "%s", r->key);
        snprintf(al->camera, sizeof al->camera, "%s", r->camera);
        snprintf(al->kind, sizeof al->kind, "%s", r->kind);
        snprintf(al->severity, sizeof al->severity, "%s", r->severity);
        al->created_us = r->created_us;
        al->body = json_loads(r->body, 0, &jerr);
        if (!al->body)
            al->body = json_object();
    }
    struct delivery *dl = calloc(1, sizeof *dl);
    if (!dl)
        return;
    al->refs++;
    dl->a = al;
    dl->owner = a;
    snprintf(dl->target, sizeof dl->target, "%s", r->target);
    dl->attempts = r->attempts;
    dl->next_us = r->next_us;
    /* held for a target that left the config: send_one closes it */
    dl->held = !strcmp(r->state, "held") && target_by_name(a, r->target);
    dl->seq = 0; /* already committed */
    dl->next = a->q;
    a->q = dl;
    a->pending++;
}

static void on_last_alert(void *ud, const char *camera, const char *kind, const char *condition, int64_t created)
{
    struct cw_alerts *a = ud;
    struct astate *s = state_of(a, camera);
    if (!s)
        return;
    /* what was already said before a restart is not said again */
    if (!strcmp(kind, "camera_offline") || !strcmp(kind, "camera_flapping")) {
        s->offline_alerted = !strcmp(kind, "camera_offline");
        s->down = 1;
        s->down_since = created - a->d->cfg->alerts.offline_grace_us;
        s->window_start = created;
        s->pair_sent = 1;
        s->flap_sent = !strcmp(kind, "camera_flapping");
    } else if (!strcmp(kind, "camera_recovered")) {
        /* the pair of this flap window was sent: another outage within the
         * window is flapping, not a second offline alert */
        s->window_start = created;
        s->pair_sent = 1;
    } else if (!strcmp(kind, "image_bad") || !strcmp(kind, "image_flapping") || !strcmp(kind, "image_ok")) {
        for (int i = 0; i < N_PICTURE; i++) {
            if (strcmp(cond_names[i], condition ? condition : "") != 0)
                continue;
            struct picture *p = &s->pic[i];
            p->window_start = created;
            p->pair_sent = 1;
            p->flap_sent = !strcmp(kind, "image_flapping");
            if (!strcmp(kind, "image_bad")) {
                /* told bad: unknown until the picture is seen; good for
                 * the grace then, image_ok goes out */
                p->alerted = 1;
                p->bad_since = created;
                p->unknown = 1;
            }
        }
    }
}

int cw_alerts_start(struct cw_daemon *d, struct cw_alerts **out)
{
    struct cw_alerts *a = calloc(1, sizeof *a);
    *out = NULL;
    if (!a)
        return CW_ENOMEM;
    a->d = d;
    if (cw_httpc_init(d->loop, &a->hc) < 0) {
        free(a);
        return CW_ENOMEM;
    }
    /* before the loop runs, the store is the loop's to use */
    if (!d->store) /* the database could not be opened yet (disk full): nothing to reload */
        cw_warn("alert", NULL, "the database is not writable yet: alerts wait until their outbox row is written");
    else if (cw_store_each_delivery(d->store, 1, on_loaded, a) < 0 ||
             cw_store_last_alerts(d->store, on_last_alert, a) < 0)
        cw_error("alert", NULL, "could not read the outbox; pending alerts will be sent after the next restart");
    uv_timer_init(d->loop, &a->tick);
    a->tick.data = a;
    /* A quarter second: the offline grace is checked on this tick, so
     * it bounds how late an offline alert can be. */
    uv_timer_start(&a->tick, on_tick, 250, 250);
    if (a->pending)
        cw_info("alert", NULL, "%lld delivery(ies) pending from before; sending", (long long)a->pending);
    *out = a;
    return 0;
}

int64_t cw_alerts_pending(const struct cw_alerts *a) { return a ? a->pending : 0; }

int cw_alerts_delivered(const struct cw_alerts *a, int i, const char **target, int64_t *count)
{
    if (!a || i >= a->n_counted)
        return 0;
    *target = a->counted[i].name;
    *count = a->counted[i].delivered;
    return 1;
}

static void on_tick_closed(uv_handle_t *h)
{
    struct cw_alerts *a = h->data;
    while (a->q) {
        struct delivery *dl = a->q;
        a->q = dl->next;
        alert_unref(dl->a);
        free(dl);
    }
    while (a->firing) {
        struct firing *f = a->firing;
        a->firing = f->next;
        alert_unref(f->al);
        free(f);
    }
    free(a->places);
    free(a->cams);
    free(a);
}

void cw_alerts_stop(struct cw_alerts *a)
{
    if (!a)
        return;
    /* In-flight attempts are abandoned: their rows stay pending and the
     * next start sends them again, with the same Idempotency-Key. */
    cw_httpc_close(a->hc);
    uv_timer_stop(&a->tick);
    uv_close((uv_handle_t *)&a->tick, on_tick_closed);
}
