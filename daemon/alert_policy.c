/* Alert decisions (see alert_policy.h). */
#include "alert_policy.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "error.h"
#include "log.h"
#include "report_fmt.h"
#include "verdict.h"
#include "words.h"

/* One image condition's alerting: an episode runs from the condition's
 * first sighting until the picture has been good for offline_grace, so a
 * flickering picture (10 s good, 20 s black) is one episode and one
 * message, not two every half minute. */
struct picture {
    int64_t bad_since;  /* the episode's start (0: none) */
    int64_t good_since; /* good again since (0: bad now) */
    int unknown;        /* the stream ended while it was bad: unknown until video returns */
    int alerted;        /* image_bad told for this episode */
    int64_t window_start;
    int pair_sent, flap_sent;
};

#define N_PICTURE CW_N_CONDITIONS

/* A camera as the policy knows it: its view and what was told of it. */
struct cam {
    char id[72];
    struct cw_names names;
    char formerly[256];
    enum cw_state state;
    enum cw_cause cause;
    char detail[200];
    int gone;               /* left the config: kept for its history, never told */

    int down;               /* offline or stalled now */
    int64_t down_since;
    int offline_alerted;    /* camera_offline sent for this outage */
    int held_logged;        /* its offline held for maintenance was logged */
    int64_t held_window;    /* the maintenance window whose holding back was logged last */
    int64_t window_start;   /* the flap window */
    int pair_sent, flap_sent;
    int64_t recovered_us;   /* back online while its recovery was held (maintenance): told at the window's end */
    struct picture pic[N_PICTURE];
    char folded[80];        /* its outage is told as part of "site:ID" or "commune:ID" */
    int64_t offline_sent_us; /* when its offline alert (or its place's) went out */
    int64_t alert_after_us;  /* unfolded from a recovered place: its own alert waits a grace */
    int64_t escalated_us;    /* the last escalation of this outage */
    int64_t motion_sent_us;  /* the last motion alert (cooldown) */
    int motion_more;         /* events since, counted, not sent */
    int64_t motion_more_since, motion_more_last;
};

/* A site or commune that went down as a whole: one alert for it. */
struct place {
    char key[80];   /* "site:ID" or "commune:ID" */
    int level;      /* 0 site, 1 commune */
    int64_t since;
    int n;          /* cameras folded into it */
    char first[72]; /* a camera of it, for names and routing */
};

struct cw_alert_policy {
    struct cw_alert_policy_params p;
    struct cam *cams;
    int n_cams, cap_cams;
    struct place *places;
    int n_places;
};

int cw_alert_policy_create(const struct cw_alert_policy_params *params, struct cw_alert_policy **out)
{
    struct cw_alert_policy *p = calloc(1, sizeof *p);
    *out = p;
    if (!p)
        return CW_ENOMEM;
    p->p = *params;
    return 0;
}

void cw_alert_policy_free(struct cw_alert_policy *p)
{
    if (!p)
        return;
    free(p->cams);
    free(p->places);
    free(p);
}

void cw_alert_policy_reconfigure(struct cw_alert_policy *p, const struct cw_alerts_config *cfg,
                                 const struct cw_report_rules *report)
{
    p->p.cfg = cfg;
    p->p.report = report;
}

static struct cam *find(struct cw_alert_policy *p, const char *id)
{
    for (int i = 0; i < p->n_cams; i++)
        if (strcmp(p->cams[i].id, id) == 0)
            return &p->cams[i];
    return NULL;
}

/* The camera's record, made if it is new (a restore or an event may come
 * before the camera is announced). */
static struct cam *cam_of(struct cw_alert_policy *p, const char *id)
{
    struct cam *c = find(p, id);
    if (c)
        return c;
    if (p->n_cams == p->cap_cams) {
        int cap = p->cap_cams ? p->cap_cams * 2 : 16;
        struct cam *t = realloc(p->cams, sizeof *t * (size_t)cap);
        if (!t)
            return NULL;
        p->cams = t;
        p->cap_cams = cap;
    }
    c = &p->cams[p->n_cams++];
    memset(c, 0, sizeof *c);
    snprintf(c->id, sizeof c->id, "%s", id);
    snprintf(c->names.name, sizeof c->names.name, "%s", id);
    c->state = CW_STATE_STARTING;
    return c;
}

static void take_view(struct cam *c, const struct cw_alert_camera *v)
{
    if (v->names)
        c->names = *v->names;
    snprintf(c->formerly, sizeof c->formerly, "%s", v->formerly ? v->formerly : "");
    c->state = v->state;
    c->cause = v->cause;
    snprintf(c->detail, sizeof c->detail, "%s", v->detail ? v->detail : "");
    c->gone = 0;
}

int cw_alert_policy_camera(struct cw_alert_policy *p, const struct cw_alert_camera *v)
{
    struct cam *c = cam_of(p, v->id);
    if (!c)
        return CW_ENOMEM;
    take_view(c, v);
    return 0;
}

void cw_alert_policy_camera_gone(struct cw_alert_policy *p, const char *id)
{
    struct cam *c = find(p, id);
    if (c)
        c->gone = 1;
}

/* ---- words ---- */

static void label_of(const struct cam *c, char *buf, size_t len)
{
    const struct cw_names *n = &c->names;
    snprintf(buf, len, "%s (%s, %s)", n->name, n->site_name[0] ? n->site_name : n->site,
             n->commune_name[0] ? n->commune_name : n->commune);
}

/* "21:05 05/12": every message says when it happened. */
static void hhmm(int64_t us, char *buf, size_t len)
{
    time_t t = (time_t)(us / 1000000);
    struct tm tm;
    localtime_r(&t, &tm);
    strftime(buf, len, "%H:%M %d/%m", &tm);
}

/* A camera's cause in words (a stalled stream has none of its own). */
static const char *cause_key(const struct cam *c)
{
    return c->state == CW_STATE_STALLED ? "stalled" : cw_cause_name(c->cause);
}

/* ---- raising ---- */

static const struct cw_maint *maintenance(struct cw_alert_policy *p, const struct cam *c, int64_t now)
{
    if (!p->p.maintenance)
        return NULL;
    struct cw_alert_camera v = {c->id, &c->names, c->formerly, c->state, c->cause, c->detail, 0, 0};
    return p->p.maintenance(p->p.ud, &v, now);
}

/* Hands the alert over unless a maintenance window covers the camera
 * (then logged once per window): 1 when raised, 0 when held or failed.
 * extra is taken. */
static int raise_cam(struct cw_alert_policy *p, struct cam *c, const char *kind, int64_t now, const char *vi,
                     const char *en, json_t *extra, const char *only_target)
{
    const struct cw_maint *mw = maintenance(p, c, now);
    if (mw) {
        if (c->held_window != mw->id)
            cw_info("alert", c->id, "%s held back: maintenance window #%lld (%s %s)", kind, (long long)mw->id,
                    cw_maint_scope_name(mw->scope), mw->target);
        c->held_window = mw->id;
        json_decref(extra);
        return 0;
    }
    struct cw_alert_out a = {c->id, &c->names, c->formerly, kind, cw_alert_severity(p->p.cfg, kind), now, vi, en,
                             extra, only_target};
    return p->p.raise ? p->p.raise(p->p.ud, &a) : 0;
}

/* ---- connection: grace, flapping, recovery ---- */

static void raise_offline(struct cw_alert_policy *p, struct cam *c, int64_t now)
{
    char who[1024], since[32], vi[1400], en[1400];
    const char *cause = cause_key(c);
    label_of(c, who, sizeof who);
    hhmm(c->down_since, since, sizeof since);
    if (now - c->window_start > p->p.cfg->flap_window_us) {
        c->window_start = now;
        c->pair_sent = c->flap_sent = 0;
    }
    if (!c->pair_sent) {
        snprintf(vi, sizeof vi, "Camera %s MẤT KẾT NỐI: %s, từ %s", who, cw_word(cause, 1), since);
        snprintf(en, sizeof en, "Camera %s OFFLINE: %s, since %s", who, cw_word(cause, 0), since);
        if (!raise_cam(p, c, "camera_offline", now, vi, en,
                       json_pack("{s:s, s:s, s:I}", "cause", cause, "detail", c->detail, "outage_since_us",
                                 (json_int_t)c->down_since), NULL))
            return;
        c->offline_alerted = 1;
        c->offline_sent_us = now;
        c->escalated_us = 0;
        c->pair_sent = 1;
    } else if (!c->flap_sent) {
        int mins = (int)(p->p.cfg->flap_window_us / 60000000);
        snprintf(vi, sizeof vi, "Camera %s CHẬP CHỜN: mất kết nối nhiều lần trong %d phút, lần này từ %s (%s); tạm ngừng "
                                "báo từng lần", who, mins, since, cw_word(cause, 1));
        snprintf(en, sizeof en, "Camera %s FLAPPING: lost its connection again within %d minutes, this time since %s "
                                "(%s); further offline alerts are held back", who, mins, since, cw_word(cause, 0));
        if (raise_cam(p, c, "camera_flapping", now, vi, en, json_pack("{s:s}", "cause", cause), NULL))
            c->flap_sent = 1;
    }
}

/* camera_recovered for an outage that was told: at once, or, inside a
 * maintenance window, when it ends (the chat's last word must not stay
 * "MẤT KẾT NỐI" for a camera that came back during the repair). */
static void tell_recovered(struct cw_alert_policy *p, struct cam *c, int64_t now)
{
    char who[1024], dur_v[48], dur_e[48], at[32], vi[1400], en[1400];
    int64_t back = c->recovered_us;
    label_of(c, who, sizeof who);
    cw_rfmt_duration(back - c->down_since, 1, dur_v, sizeof dur_v);
    cw_rfmt_duration(back - c->down_since, 0, dur_e, sizeof dur_e);
    hhmm(back, at, sizeof at);
    snprintf(vi, sizeof vi, "Camera %s đã HOẠT ĐỘNG TRỞ LẠI lúc %s sau %s%s", who, at, dur_v,
             back < now - 1000000 ? " (trong thời gian bảo trì)" : "");
    snprintf(en, sizeof en, "Camera %s is BACK ONLINE at %s after %s%s", who, at, dur_e,
             back < now - 1000000 ? " (during maintenance)" : "");
    if (raise_cam(p, c, "camera_recovered", now, vi, en,
                  json_pack("{s:I, s:f, s:I}", "outage_since_us", (json_int_t)c->down_since, "outage_s",
                            (back - c->down_since) / 1e6, "recovered_us", (json_int_t)back), NULL)) {
        c->offline_alerted = 0;
        c->recovered_us = 0;
    }
}

static void place_camera_back(struct cw_alert_policy *p, struct cam *c, int64_t now);

void cw_alert_policy_state(struct cw_alert_policy *p, const struct cw_alert_camera *v, int64_t now)
{
    struct cam *c = cam_of(p, v->id);
    if (!c)
        return;
    take_view(c, v);
    int down = v->state == CW_STATE_OFFLINE || v->state == CW_STATE_STALLED;
    if (down && !c->down) {
        c->down = 1;
        c->held_logged = 0;
        c->down_since = v->outage_since_us ? v->outage_since_us : v->since_us;
    } else if (!down && v->state == CW_STATE_ONLINE && c->down) {
        c->down = 0;
        if (c->folded[0]) {
            place_camera_back(p, c, now);
        } else if (c->offline_alerted) {
            c->recovered_us = now;
            tell_recovered(p, c, now);
        }
        /* a picture that was bad when the stream ended is seen again */
        for (int i = 0; i < N_PICTURE; i++)
            if (c->pic[i].unknown) {
                c->pic[i].unknown = 0;
                c->pic[i].good_since = now;
            }
    }
}

/* ---- whole sites and communes ---- */

static const char *place_id(const struct cam *c, int level) { return level ? c->names.commune : c->names.site; }

static struct place *place_find(struct cw_alert_policy *p, const char *key)
{
    for (int i = 0; i < p->n_places; i++)
        if (strcmp(p->places[i].key, key) == 0)
            return &p->places[i];
    return NULL;
}

/* The names of the cameras folded into key (and down if down_only),
 * comma-separated. */
static void place_list(struct cw_alert_policy *p, const char *key, int down_only, char *buf, size_t len, int *n)
{
    size_t o = 0;
    *n = 0;
    buf[0] = '\0';
    for (int i = 0; i < p->n_cams; i++) {
        const struct cam *c = &p->cams[i];
        if (c->gone || strcmp(c->folded, key) != 0 || (down_only && !c->down))
            continue;
        if (o + strlen(c->names.name) + 4 < len)
            o += (size_t)snprintf(buf + o, len - o, "%s%s", *n ? ", " : "", c->names.name);
        (*n)++;
    }
}

/* Whether c is down, untold, unfolded and went down within the place
 * window of `since`. */
static int together_with(const struct cw_alerts_config *ac, const struct cam *c, int64_t since)
{
    int64_t gap = c->down_since - since;
    return !c->gone && c->down && !c->offline_alerted && !c->folded[0] && gap <= ac->place_window_us &&
           gap >= -ac->place_window_us;
}

/* c is past its grace: if most of its site (or commune) went down with it,
 * one alert tells them all. Returns 1 when it did (or held it back). */
static int try_place(struct cw_alert_policy *p, struct cam *c, int64_t now)
{
    const struct cw_alerts_config *ac = p->p.cfg;
    if (!(ac->place_share > 0))
        return 0;
    for (int level = 1; level >= 0; level--) { /* the larger place first */
        const char *id = place_id(c, level);
        int total = 0, together = 0;
        for (int i = 0; i < p->n_cams; i++) {
            const struct cam *o = &p->cams[i];
            if (o->gone || strcmp(place_id(o, level), id) != 0)
                continue;
            total++;
            together += together_with(ac, o, c->down_since);
        }
        if (together < 2 || together < ac->place_share * total)
            continue;
        char key[80];
        snprintf(key, sizeof key, "%s:%s", level ? "commune" : "site", id);
        int64_t since = c->down_since;
        json_t *cams = json_array();
        for (int i = 0; i < p->n_cams; i++) {
            struct cam *o = &p->cams[i];
            if (strcmp(place_id(o, level), id) == 0 && together_with(ac, o, since)) {
                snprintf(o->folded, sizeof o->folded, "%s", key);
                o->offline_alerted = 1;
                o->offline_sent_us = now;
                o->escalated_us = 0;
                json_array_append_new(cams, json_string(o->id));
            }
        }
        struct place *pl = realloc(p->places, sizeof *pl * (size_t)(p->n_places + 1));
        if (!pl) {
            json_decref(cams);
            return 0;
        }
        p->places = pl;
        pl = &p->places[p->n_places++];
        memset(pl, 0, sizeof *pl);
        snprintf(pl->key, sizeof pl->key, "%s", key);
        pl->level = level;
        pl->since = since;
        pl->n = together;
        snprintf(pl->first, sizeof pl->first, "%s", c->id);
        char list[900], at[32], vi[1600], en[1600];
        int n;
        place_list(p, key, 1, list, sizeof list, &n);
        hhmm(since, at, sizeof at);
        const char *pname = level ? (c->names.commune_name[0] ? c->names.commune_name : id)
                                  : (c->names.site_name[0] ? c->names.site_name : id);
        snprintf(vi, sizeof vi, "%s %s MẤT KẾT NỐI: %d/%d camera ngừng cùng lúc từ %s (%s) - có thể mất điện hoặc mất "
                                "đường truyền",
                 level ? "XÃ" : "ĐIỂM", pname, n, total, at, list);
        snprintf(en, sizeof en, "%s %s DOWN: %d of %d cameras stopped together at %s (%s) - likely power or uplink",
                 level ? "COMMUNE" : "SITE", pname, n, total, at, list);
        raise_cam(p, c, level ? "commune_down" : "site_down", now, vi, en,
                  json_pack("{s:{s:s, s:s, s:s}, s:o, s:I, s:i}", "place", "level", level ? "commune" : "site", "id", id,
                            "name", pname, "cameras", cams, "outage_since_us", (json_int_t)since, "cameras_total",
                            total), NULL);
        return 1;
    }
    return 0;
}

/* A folded camera is back: when fewer than two (or below the share) of
 * its place's cameras are still down, the place has recovered; the ones
 * still down get alerts of their own if they stay down a grace longer. */
static void place_camera_back(struct cw_alert_policy *p, struct cam *c, int64_t now)
{
    struct place *pl = place_find(p, c->folded);
    if (!pl) {
        c->folded[0] = '\0';
        c->offline_alerted = 0;
        return;
    }
    char list[900];
    int still;
    place_list(p, pl->key, 1, list, sizeof list, &still);
    if (still >= 2 && still >= p->p.cfg->place_share * pl->n)
        return;
    struct cam *first = find(p, pl->first);
    if (!first)
        first = c;
    char dur_v[48], dur_e[48], at[32], vi[1600], en[1600];
    cw_rfmt_duration(now - pl->since, 1, dur_v, sizeof dur_v);
    cw_rfmt_duration(now - pl->since, 0, dur_e, sizeof dur_e);
    hhmm(now, at, sizeof at);
    const char *id = strchr(pl->key, ':') + 1;
    const char *pname = pl->level ? first->names.commune_name : first->names.site_name;
    if (!pname[0])
        pname = id;
    snprintf(vi, sizeof vi, "%s %s đã HOẠT ĐỘNG TRỞ LẠI lúc %s sau %s%s%s", pl->level ? "XÃ" : "ĐIỂM", pname, at, dur_v,
             still ? "; còn ngừng: " : "", still ? list : "");
    snprintf(en, sizeof en, "%s %s is BACK at %s after %s%s%s", pl->level ? "COMMUNE" : "SITE", pname, at, dur_e,
             still ? "; still down: " : "", still ? list : "");
    raise_cam(p, first, pl->level ? "commune_recovered" : "site_recovered", now, vi, en,
              json_pack("{s:{s:s, s:s, s:s}, s:I, s:f, s:i}", "place", "level", pl->level ? "commune" : "site", "id", id,
                        "name", pname, "outage_since_us", (json_int_t)pl->since, "outage_s", (now - pl->since) / 1e6,
                        "still_down", still),
              NULL);
    /* unfold: those still down are alerted on their own after a grace
     * (the place came back around them: a camera a moment behind the
     * others must not get an alert of its own) */
    char key[80];
    snprintf(key, sizeof key, "%s", pl->key);
    for (int i = 0; i < p->n_cams; i++)
        if (strcmp(p->cams[i].folded, key) == 0) {
            p->cams[i].folded[0] = '\0';
            p->cams[i].offline_alerted = 0;
            p->cams[i].alert_after_us = now + p->p.cfg->offline_grace_us;
        }
    *pl = p->places[--p->n_places];
}

/* ---- pictures ---- */

void cw_alert_policy_image(struct cw_alert_policy *p, const char *camera, const char *condition, int on,
                           int stream_ended, int64_t now)
{
    struct cam *c = cam_of(p, camera);
    int i;
    if (!c)
        return;
    if ((i = cw_condition_index(condition)) < 0)
        return; /* a third-party plugin's condition: not alerted on */
    struct picture *pic = &c->pic[i];
    if (on) {
        if (!pic->bad_since)
            pic->bad_since = now;
        pic->good_since = 0;
        pic->unknown = 0;
    } else if (pic->bad_since) {
        /* a condition that ends because the stream ended is not seen to
         * end: nothing is said ("hết tối đen" as the camera dies would be
         * good news at the worst moment) until the picture is seen again */
        if (stream_ended)
            pic->unknown = 1;
        else
            pic->good_since = now;
    }
}

/* image_bad once a condition has held for the grace, image_ok once the
 * picture has been good for it, one pair per flap window and then one
 * image_flapping. Inside a maintenance window they wait (raise_cam holds
 * them) and are told at its end if still true. */
static void pictures(struct cw_alert_policy *p, struct cam *c, int64_t now)
{
    const struct cw_alerts_config *ac = p->p.cfg;
    char who[1024], at[32], vi[1400], en[1400];
    for (int i = 0; i < N_PICTURE; i++) {
        struct picture *pic = &c->pic[i];
        if (!pic->bad_since || pic->unknown)
            continue;
        const char *wv = cw_word(cw_condition_key(i), 1), *we = cw_word(cw_condition_key(i), 0);
        if (!pic->good_since) {
            if (pic->alerted || now - pic->bad_since < ac->offline_grace_us)
                continue;
            if (now - pic->window_start > ac->flap_window_us) {
                pic->window_start = now;
                pic->pair_sent = pic->flap_sent = 0;
            }
            label_of(c, who, sizeof who);
            hhmm(pic->bad_since, at, sizeof at);
            if (!pic->pair_sent) {
                snprintf(vi, sizeof vi, "Camera %s: hình ảnh %s từ %s", who, wv, at);
                snprintf(en, sizeof en, "Camera %s: the picture is %s since %s", who, we, at);
                if (raise_cam(p, c, "image_bad", now, vi, en,
                              json_pack("{s:s, s:I}", "condition", cw_condition_key(i), "since_us", (json_int_t)pic->bad_since),
                              NULL))
                    pic->alerted = pic->pair_sent = 1;
            } else if (!pic->flap_sent) {
                int mins = (int)(ac->flap_window_us / 60000000);
                snprintf(vi, sizeof vi, "Camera %s: hình ảnh CHẬP CHỜN (%s nhiều lần trong %d phút, lần này từ %s); "
                                        "tạm ngừng báo từng lần", who, wv, mins, at);
                snprintf(en, sizeof en, "Camera %s: the picture is FLAPPING (%s again within %d minutes, this time since "
                                        "%s); further picture alerts are held back", who, we, mins, at);
                if (raise_cam(p, c, "image_flapping", now, vi, en,
                              json_pack("{s:s, s:I}", "condition", cw_condition_key(i), "since_us", (json_int_t)pic->bad_since),
                              NULL))
                    pic->flap_sent = 1;
            }
            continue;
        }
        if (now - pic->good_since < ac->offline_grace_us)
            continue;
        if (pic->alerted) {
            label_of(c, who, sizeof who);
            hhmm(pic->good_since, at, sizeof at);
            snprintf(vi, sizeof vi, "Camera %s: hình ảnh hết %s từ %s", who, wv, at);
            snprintf(en, sizeof en, "Camera %s: the picture is no longer %s since %s", who, we, at);
            if (!raise_cam(p, c, "image_ok", now, vi, en,
                           json_pack("{s:s, s:I}", "condition", cw_condition_key(i), "since_us", (json_int_t)pic->good_since),
                           NULL))
                continue; /* held: told when the maintenance window ends */
        }
        pic->bad_since = pic->good_since = 0;
        pic->alerted = 0;
    }
}

/* ---- motion ---- */

void cw_alert_policy_motion(struct cw_alert_policy *p, const char *camera, const char *plugin, int64_t start_us,
                            int64_t now, double score, const char *snapshot, int continues)
{
    struct cam *c = cam_of(p, camera);
    if (!c || continues) /* an event split by event_max goes on: the same for alerting */
        return;
    int64_t cd = p->p.cfg->cooldown_us;
    if (cd > 0 && c->motion_sent_us && now - c->motion_sent_us < cd) {
        if (c->motion_more++ == 0)
            c->motion_more_since = start_us;
        c->motion_more_last = now;
        cw_debug("alert", c->id, "motion inside the cooldown: counted (%d since the last alert)", c->motion_more);
        return;
    }
    char who[1024], at[32], vi[1600], en[1600], more_vi[96] = "", more_en[96] = "";
    label_of(c, who, sizeof who);
    hhmm(start_us, at, sizeof at);
    if (c->motion_more) {
        char since[32];
        hhmm(c->motion_more_since, since, sizeof since);
        snprintf(more_vi, sizeof more_vi, " (và %d lần khác từ %s)", c->motion_more, since);
        snprintf(more_en, sizeof more_en, " (and %d more since %s)", c->motion_more, since);
    }
    snprintf(vi, sizeof vi, "Camera %s: PHÁT HIỆN CHUYỂN ĐỘNG lúc %s%s", who, at, more_vi);
    snprintf(en, sizeof en, "Camera %s: MOTION at %s%s", who, at, more_en);
    if (raise_cam(p, c, "motion", now, vi, en,
                  json_pack("{s:s, s:I, s:f, s:s?, s:i}", "plugin", plugin, "start_us", (json_int_t)start_us, "score",
                            score, "snapshot", snapshot && snapshot[0] ? snapshot : NULL, "more", c->motion_more),
                  NULL)) {
        c->motion_sent_us = now;
        c->motion_more = 0;
    }
}

/* Events counted inside a cooldown that no later event told: said once the
 * camera has been quiet for a cooldown (while motion goes on, the next
 * event's message carries the count), so that the messages account for
 * every event. */
static void motion_summary(struct cw_alert_policy *p, struct cam *c, int64_t now)
{
    int64_t cd = p->p.cfg->cooldown_us;
    if (!c->motion_more || now - c->motion_sent_us < cd || now - c->motion_more_last < cd)
        return;
    char who[1024], since[32], vi[1400], en[1400];
    label_of(c, who, sizeof who);
    hhmm(c->motion_more_since, since, sizeof since);
    snprintf(vi, sizeof vi, "Camera %s: %d lần chuyển động khác từ %s", who, c->motion_more, since);
    snprintf(en, sizeof en, "Camera %s: %d more motion events since %s", who, c->motion_more, since);
    if (raise_cam(p, c, "motion", now, vi, en,
                  json_pack("{s:s, s:I, s:i}", "plugin", "", "start_us", (json_int_t)c->motion_more_since, "more",
                            c->motion_more), NULL)) {
        c->motion_sent_us = now;
        c->motion_more = 0;
    }
}

/* ---- escalation ---- */

/* A camera down and told, that nobody acknowledged since its outage began,
 * goes to escalate_to every escalate_after, until acknowledged or back. */
static void escalate(struct cw_alert_policy *p, struct cam *c, int64_t now)
{
    const struct cw_alerts_config *ac = p->p.cfg;
    if (ac->escalate_after_us <= 0 || !ac->escalate_to || !ac->escalate_to[0])
        return;
    if (!c->down || !c->offline_alerted || !c->offline_sent_us)
        return;
    int64_t last = c->escalated_us ? c->escalated_us : c->offline_sent_us;
    if (now - last < ac->escalate_after_us)
        return;
    int64_t ack_at;
    const char *by;
    if (p->p.ack && p->p.ack(p->p.ud, c->id, &ack_at, &by) && ack_at >= c->down_since) {
        if (!c->escalated_us || c->escalated_us < ack_at) {
            cw_info("alert", c->id, "not escalated: acknowledged by %s", by);
            c->escalated_us = INT64_MAX / 2; /* once per outage */
        }
        return;
    }
    char who[1024], since[32], dur_v[48], dur_e[48], vi[1600], en[1600];
    const char *cause = cause_key(c);
    label_of(c, who, sizeof who);
    hhmm(c->down_since, since, sizeof since);
    cw_rfmt_duration(now - c->down_since, 1, dur_v, sizeof dur_v);
    cw_rfmt_duration(now - c->down_since, 0, dur_e, sizeof dur_e);
    snprintf(vi, sizeof vi, "CHƯA AI XỬ LÝ: camera %s mất kết nối từ %s (%s): %s. Xác nhận: camwatch ack %s", who, since,
             dur_v, cw_word(cause, 1), c->id);
    snprintf(en, sizeof en, "NOBODY HAS TAKEN IT ON: camera %s has been down since %s (%s): %s. Acknowledge: "
                            "camwatch ack %s", who, since, dur_e, cw_word(cause, 0), c->id);
    /* held back inside a maintenance window, like every alert */
    raise_cam(p, c, "camera_escalated", now, vi, en,
              json_pack("{s:s, s:I}", "cause", cause, "outage_since_us", (json_int_t)c->down_since), ac->escalate_to);
    c->escalated_us = now;
}

/* ---- the tick ---- */

void cw_alert_policy_tick(struct cw_alert_policy *p, int64_t now)
{
    const struct cw_alerts_config *ac = p->p.cfg;
    for (int i = 0; i < p->n_cams; i++) {
        struct cam *c = &p->cams[i];
        if (c->gone)
            continue;
        /* offline after the grace; inside a maintenance window the alert
         * waits: if the camera is still down when it ends, it goes out then */
        if (c->down && !c->offline_alerted && now - c->down_since >= ac->offline_grace_us && now >= c->alert_after_us) {
            const struct cw_maint *mw = maintenance(p, c, now);
            if (!mw) {
                if (!try_place(p, c, now))
                    raise_offline(p, c, now);
            } else if (!c->held_logged) {
                char until[32];
                c->held_logged = 1;
                cw_info("alert", c->id, "camera_offline held back: maintenance window #%lld (%s %s) until %s",
                        (long long)mw->id, cw_maint_scope_name(mw->scope), mw->target,
                        cw_fmt_local(mw->to_us, until, sizeof until));
            }
        }
        pictures(p, c, now);
        if (c->recovered_us && !c->down && !maintenance(p, c, now))
            tell_recovered(p, c, now);
        motion_summary(p, c, now);
        escalate(p, c, now);
    }
}

/* ---- restarts ---- */

void cw_alert_policy_restore(struct cw_alert_policy *p, const char *camera, const char *kind, const char *condition,
                             int64_t created)
{
    struct cam *c = cam_of(p, camera);
    if (!c)
        return;
    if (!strcmp(kind, "camera_offline") || !strcmp(kind, "camera_flapping")) {
        c->offline_alerted = !strcmp(kind, "camera_offline");
        c->down = 1;
        c->down_since = created - p->p.cfg->offline_grace_us;
        c->window_start = created;
        c->pair_sent = 1;
        c->flap_sent = !strcmp(kind, "camera_flapping");
    } else if (!strcmp(kind, "camera_recovered")) {
        /* the pair of this flap window was sent: another outage within the
         * window is flapping, not a second offline alert */
        c->window_start = created;
        c->pair_sent = 1;
    } else if (!strcmp(kind, "image_bad") || !strcmp(kind, "image_flapping") || !strcmp(kind, "image_ok")) {
        for (int i = 0; i < N_PICTURE; i++) {
            if (strcmp(cw_condition_key(i), condition ? condition : "") != 0)
                continue;
            struct picture *pic = &c->pic[i];
            pic->window_start = created;
            pic->pair_sent = 1;
            pic->flap_sent = !strcmp(kind, "image_flapping");
            if (!strcmp(kind, "image_bad")) {
                /* told bad: unknown until the picture is seen; good for the
                 * grace then, image_ok goes out */
                pic->alerted = 1;
                pic->bad_since = created;
                pic->unknown = 1;
            }
        }
    }
}

/* ---- the network's verdict and the month ---- */

void cw_alert_policy_verdict(struct cw_alert_policy *p, const struct cw_verdict_change *c, int64_t now)
{
    static const char *const lv_vi[] = {"ĐIỂM", "XÃ", "HUYỆN"}, *const lv_en[] = {"SITE", "COMMUNE", "DISTRICT"};
    int worse = c->now == CW_STATUS_DETERIORATED, better = c->was == CW_STATUS_DETERIORATED && !worse;
    cw_info("verdict", NULL, "%s %s: %s -> %s", lv_en[c->level], c->id, cw_report_status_name(c->was),
            cw_report_status_name(c->now));
    if (!worse && !better)
        return;
    /* the alert goes out under one of its cameras (names, routing, maintenance) */
    struct cam *cam = NULL;
    for (int i = 0; i < p->n_cams && !cam; i++) {
        const struct cw_names *n = &p->cams[i].names;
        const char *id = c->level == 0 ? n->site : c->level == 1 ? n->commune : n->district;
        if (!p->cams[i].gone && !strcmp(id, c->id))
            cam = &p->cams[i];
    }
    if (!cam)
        return; /* the place left the config */
    int y = 0, m = 0;
    sscanf(c->period, "%d-%d", &y, &m);
    char pv[64], pe[64], up_v[32], up_e[32], ch_v[96], ch_e[96], why_v[600] = "", why_e[600] = "", d1[48], d2[48];
    cw_rfmt_month(y, m, 1, pv, sizeof pv);
    cw_rfmt_month(y, m, 0, pe, sizeof pe);
    cw_rfmt_pct(c->uptime, 1, up_v, sizeof up_v);
    cw_rfmt_pct(c->uptime, 0, up_e, sizeof up_e);
    if (c->change_known) {
        snprintf(ch_v, sizeof ch_v, " (%s so với tháng trước)", cw_rfmt_points(c->change, 1, d1, sizeof d1));
        snprintf(ch_e, sizeof ch_e, " (%s from last month)", cw_rfmt_points(c->change, 0, d2, sizeof d2));
    } else {
        ch_v[0] = ch_e[0] = '\0';
    }
    if (worse && c->worst_down_us >= p->p.report->max_down_us && c->worst_camera && c->worst_camera[0]) {
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
    char vi[1800], en[1800];
    snprintf(vi, sizeof vi, "%s %s %s (%s đến nay): tỷ lệ hoạt động %s%s, %d/%d camera đạt%s", lv_vi[c->level], c->name,
             worse ? "XUỐNG CẤP" : "HẾT XUỐNG CẤP", pv, up_v, ch_v, c->at_target, c->cameras, why_v);
    snprintf(en, sizeof en, "%s %s %s (%s so far): uptime %s%s, %d of %d cameras at target%s", lv_en[c->level], c->name,
             worse ? "DETERIORATED" : "NO LONGER DETERIORATED", pe, up_e, ch_e, c->at_target, c->cameras, why_e);
    raise_cam(p, cam, worse ? "network_deteriorated" : "network_improved", now, vi, en,
              json_pack("{s:{s:s, s:s, s:s}, s:s, s:s, s:s, s:f, s:i, s:i}", "place", "level",
                        c->level == 0 ? "site" : c->level == 1 ? "commune" : "district", "id", c->id, "name", c->name,
                        "status", cw_report_status_name(c->now), "was", cw_report_status_name(c->was), "period",
                        c->period, "uptime_pct", c->uptime, "cameras", c->cameras, "at_target", c->at_target),
              NULL);
}

/* A list of names into "<prefix> a, b, c…." bounded by len. */
static void name_list(char *buf, size_t len, const char *prefix, const char *names, size_t stride, int n, int more)
{
    size_t o = (size_t)snprintf(buf, len, "%s", prefix);
    for (int i = 0; i < n && o < len; i++)
        o += (size_t)snprintf(buf + o, len - o, "%s %s", i ? "," : "", names + (size_t)i * stride);
    if (o < len)
        snprintf(buf + o, len - o, "%s", more ? ", …" : "");
}

/* One message for the committee: the month's figures as the report will
 * give them, and where to read the rest. */
void cw_alert_policy_month_digest(struct cw_alert_policy *p, const struct cw_month_digest *m, int64_t now)
{
    const struct cw_alerts_config *ac = p->p.cfg;
    if (!ac->monthly_digest_to || !ac->monthly_digest_to[0])
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
    double target = p->p.report->uptime_target;
    int tdec = target != (double)(long)target;
    snprintf(tgt_v, sizeof tgt_v, "%s\xc2\xa0%%", cw_rfmt_num(target, tdec, 1, d1, sizeof d1)); /* as cw_rfmt_pct */
    snprintf(tgt_e, sizeof tgt_e, "%s%%", cw_rfmt_num(target, tdec, 0, d2, sizeof d2));
    if (m->change_known) {
        snprintf(ch_v, sizeof ch_v, " (%s so với tháng trước)", cw_rfmt_points(m->change, 1, d1, sizeof d1));
        snprintf(ch_e, sizeof ch_e, " (%s from the month before)", cw_rfmt_points(m->change, 0, d2, sizeof d2));
    }
    if (m->n_deteriorated) {
        name_list(det_v, sizeof det_v, " Xuống cấp:", m->deteriorated[0], sizeof m->deteriorated[0],
                  m->n_deteriorated, m->communes[2] > m->n_deteriorated);
        name_list(det_e, sizeof det_e, " Deteriorated:", m->deteriorated[0], sizeof m->deteriorated[0],
                  m->n_deteriorated, m->communes[2] > m->n_deteriorated);
        strncat(det_v, ".", sizeof det_v - strlen(det_v) - 1);
        strncat(det_e, ".", sizeof det_e - strlen(det_e) - 1);
    }
    if (m->n_down_all) {
        int shown = m->n_down_all < CW_DIGEST_NAMES ? m->n_down_all : CW_DIGEST_NAMES;
        char pre_v[80], pre_e[80];
        snprintf(pre_v, sizeof pre_v, " %d camera không hoạt động cả tháng:", m->n_down_all);
        snprintf(pre_e, sizeof pre_e, " %d camera%s not working all month:", m->n_down_all, m->n_down_all == 1 ? "" : "s");
        name_list(down_v, sizeof down_v, pre_v, m->down_all[0], sizeof m->down_all[0], shown, m->n_down_all > shown);
        name_list(down_e, sizeof down_e, pre_e, m->down_all[0], sizeof m->down_all[0], shown, m->n_down_all > shown);
        strncat(down_v, " (đề nghị sửa chữa hoặc thay thế).", sizeof down_v - strlen(down_v) - 1);
        strncat(down_e, " (to repair or replace).", sizeof down_e - strlen(down_e) - 1);
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
    struct cw_alert_out a = {"", NULL, NULL, "monthly_digest", cw_alert_severity(ac, "monthly_digest"), now, vi, en,
                             json_pack("{s:s, s:i, s:i, s:f, s:o, s:f, s:{s:i, s:i, s:i}, s:i}", "period", period,
                                       "cameras", m->cameras, "at_target", m->at_target, "uptime_pct", m->uptime,
                                       "change_points", m->change_known ? json_real(m->change) : json_null(),
                                       "monitored_pct", m->monitored, "communes", "ok", m->communes[0], "degraded",
                                       m->communes[1], "deteriorated", m->communes[2], "down_all_month",
                                       m->n_down_all),
                             ac->monthly_digest_to};
    if (p->p.raise)
        p->p.raise(p->p.ud, &a);
}
